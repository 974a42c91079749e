/* Tunnel packets (decode-tunnel.c): with a packet source, a tunnel's
 * payload becomes a packet of its own; the outer packet keeps its outer
 * view. Samples as in test-decode-tunnels.c (gen-decode-samples.py). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "decode/decode-test-util.h"
#include "runtime/packet-pool.h"
#include "util/util-error.h"

/* 10.0.0.1:1024 > 10.0.0.2:53 UDP 'abcd' (32 bytes) */
static const uint8_t ipv4_udp[] = {
    0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xca,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x35,
    0x00, 0x0c, 0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
};
/* 192.0.2.1 > 192.0.2.2 proto 47 / GRE v0 proto 0x0800 / ipv4_udp (70 bytes) */
static const uint8_t ip_gre[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x38, 0x00, 0x01, 0x00, 0x00, 0x40, 0x2f,
    0xf6, 0x92, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, 0x00, 0x00,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11,
    0x66, 0xca, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x00,
    0x00, 0x35, 0x00, 0x0c, 0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
};
/* Ether / 192.0.2.1:40000 > 192.0.2.2:4789 UDP / VXLAN vni 123 / eth_ipv4 (96 bytes) */
static const uint8_t ip_vxlan[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x52, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11,
    0xf6, 0x96, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, 0x9c, 0x40,
    0x12, 0xb5, 0x00, 0x3e, 0x55, 0x32, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x7b, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
    0xaa, 0xbb, 0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00,
    0x40, 0x11, 0x66, 0xca, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
    0x04, 0x00, 0x00, 0x35, 0x00, 0x0c, 0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
};
/* Ether / 192.0.2.1:40000 > 192.0.2.2:3544 UDP / ipv6_udp (94 bytes) */
static const uint8_t ip_teredo[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x50, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11,
    0xf6, 0x98, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, 0x9c, 0x40,
    0x0d, 0xd8, 0x00, 0x3c, 0x60, 0x2a, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0c,
    0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x00,
    0x00, 0x35, 0x00, 0x0c, 0xdb, 0x65, 0x61, 0x62, 0x63, 0x64,
};

#define POOL_SIZE 8

static DecodeTestCtx t;
static PacketPool *g_pool;

static Packet *src_get(void *user)
{
    return packet_pool_try_get(user);
}

static void src_put(Packet *p, void *user)
{
    (void)user;
    packet_pool_put(p);
}

static int setup(void **state)
{
    (void)state;
    dtu_setup(&t, CHECKSUM_NONE);
    g_pool = packet_pool_new(POOL_SIZE);
    t.dtv.src = (DecodePacketSource){.get = src_get, .put = src_put, .user = g_pool};
    return g_pool == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    packet_pool_free(g_pool);
    dtu_teardown(&t);
    return 0;
}

static uint32_t count_children(const Packet *c)
{
    uint32_t n = 0;
    for (; c != NULL; c = c->next_child) {
        n++;
    }
    return n;
}

static void put_children(Packet *c)
{
    while (c != NULL) {
        Packet *next = c->next_child;
        packet_pool_put(c);
        c = next;
    }
}

/* Decodes bytes as Ethernet (or raw IP); *child gets the tunnel packets. */
static Packet *decode_with_children(const uint8_t *bytes, uint32_t len, int linktype,
                                    Packet **child)
{
    Packet *p = dtu_packet_new(bytes, len, linktype);
    assert_int_equal(decode_packet(&t.dtv, p), 0);
    *child = decode_take_children(&t.dtv);
    return p;
}

static void assert_inner_ipv4_udp(const Packet *c)
{
    assert_int_equal(c->l3, PKT_L3_IPV4);
    assert_int_equal(c->l4, PKT_L4_UDP);
    assert_int_equal(c->src.a.u8[0], 10);
    assert_int_equal(c->dp, 53);
    assert_int_equal(c->payload_len, 4);
    assert_int_equal(c->linktype, LINKTYPE_RAW_12);
    assert_true(c->flags & PKT_F_TUNNEL);
    assert_false(c->flags & PKT_F_INVALID);
}

static void vxlan_outer_keeps_udp_and_child_has_inner_frame(void **state)
{
    (void)state;
    Packet *c = NULL;
    Packet *p = decode_with_children(ip_vxlan, sizeof(ip_vxlan), LINKTYPE_ETHERNET, &c);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(p->dp, 4789);
    assert_int_equal(p->src.a.u8[0], 192);
    assert_int_equal(p->tunnel_depth, 0);
    assert_true(p->flags & PKT_F_NOPAYLOAD_INSPECT);
    assert_int_equal(count_children(c), 1);
    assert_inner_ipv4_udp(c);
    assert_ptr_equal(c->root, p);
    assert_int_equal(c->tunnel_kind, PKT_TUNNEL_VXLAN);
    assert_int_equal(c->tunnel_depth, 1);
    assert_int_equal(c->caplen, sizeof(ip_vxlan) - 50); // Ethernet 14, IPv4 20, UDP 8, VXLAN 8
    assert_memory_equal(c->data, ip_vxlan + 50, c->caplen);
    assert_string_equal(decode_pkt_src_name(c), "vxlan encapsulation");
    assert_string_equal(decode_pkt_src_name(p), "wire/pcap");
    assert_int_equal(dtu_counter(&t, "decoder.ipv4"), 2);   // counted per layer, as inline
    assert_int_equal(dtu_counter(&t, "decoder.pkts"), 1);
    put_children(c);
    dtu_packet_free(p);
}

static void gre_outer_is_proto_47_and_child_is_inner_ip(void **state)
{
    (void)state;
    Packet *c = NULL;
    Packet *p = decode_with_children(ip_gre, sizeof(ip_gre), LINKTYPE_ETHERNET, &c);
    assert_int_equal(p->l4, PKT_L4_OTHER);
    assert_int_equal(p->proto, 47);
    assert_int_equal(p->src.a.u8[0], 192);
    assert_int_equal(count_children(c), 1);
    assert_inner_ipv4_udp(c);
    assert_int_equal(c->tunnel_kind, PKT_TUNNEL_GRE);
    put_children(c);
    dtu_packet_free(p);
}

static void ipip_outer_is_proto_4_and_child_is_inner_ipv4(void **state)
{
    (void)state;
    uint8_t buf[20 + sizeof(ipv4_udp)];
    memcpy(buf, ipv4_udp, 20);
    buf[2] = 0;
    buf[3] = (uint8_t)sizeof(buf);
    buf[9] = 4;
    buf[12] = 192;
    memcpy(buf + 20, ipv4_udp, sizeof(ipv4_udp));
    Packet *c = NULL;
    Packet *p = decode_with_children(buf, sizeof(buf), LINKTYPE_RAW, &c);
    assert_int_equal(p->proto, 4);
    assert_int_equal(p->src.a.u8[0], 192);
    assert_int_equal(count_children(c), 1);
    assert_inner_ipv4_udp(c);
    assert_int_equal(c->tunnel_kind, PKT_TUNNEL_IPV4);
    assert_string_equal(decode_pkt_src_name(c), "ipv4 tunnel");
    assert_int_equal(dtu_counter(&t, "decoder.ipv4_in_ipv4"), 1);
    put_children(c);
    dtu_packet_free(p);
}

static void teredo_child_is_inner_ipv6(void **state)
{
    (void)state;
    Packet *c = NULL;
    Packet *p = decode_with_children(ip_teredo, sizeof(ip_teredo), LINKTYPE_ETHERNET, &c);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(p->dp, 3544);
    assert_int_equal(count_children(c), 1);
    assert_int_equal(c->l3, PKT_L3_IPV6);
    assert_int_equal(c->dp, 53);
    assert_int_equal(c->tunnel_kind, PKT_TUNNEL_TEREDO);
    put_children(c);
    dtu_packet_free(p);
}

static void child_that_does_not_decode_is_dropped_and_outer_stays_valid(void **state)
{
    (void)state;
    uint8_t buf[sizeof(ip_gre)];
    memcpy(buf, ip_gre, sizeof(buf));
    buf[38] = 0x4f; // inner IPv4 IHL 15: longer than the datagram
    Packet *c = NULL;
    Packet *p = decode_with_children(buf, sizeof(buf), LINKTYPE_ETHERNET, &c);
    assert_null(c);
    assert_false(p->flags & PKT_F_INVALID);
    assert_int_equal(p->proto, 47);
    assert_int_equal(packet_pool_free_count(g_pool), POOL_SIZE);
    dtu_packet_free(p);
}

/* levels of IPv4/GRE around ipv4_udp, as raw IP. */
static uint32_t build_gre_chain(uint8_t *buf, uint32_t size, unsigned levels)
{
    const uint32_t wrap = 24;
    uint32_t len = (uint32_t)sizeof(ipv4_udp);
    uint32_t start = size - len;
    memcpy(buf + start, ipv4_udp, len);
    for (unsigned i = 0; i < levels; i++) {
        start -= wrap;
        len += wrap;
        uint8_t *h = buf + start;
        memcpy(h, ipv4_udp, 20);
        h[9] = 47;
        h[2] = (uint8_t)(len >> 8);
        h[3] = (uint8_t)len;
        h[20] = 0;
        h[21] = 0;
        h[22] = 0x08;
        h[23] = 0x00;
    }
    memmove(buf, buf + start, len);
    return len;
}

static void nested_tunnels_give_children_innermost_first_up_to_max_depth(void **state)
{
    (void)state;
    uint8_t buf[512];
    uint32_t len = build_gre_chain(buf, sizeof(buf), PACKET_MAX_TUNNEL_DEPTH + 1);
    Packet *c = NULL;
    Packet *p = decode_with_children(buf, len, LINKTYPE_RAW, &c);
    /* The packet at the deepest level may not open one more tunnel: it is
     * invalid (too_many_layers) and dropped; the levels above it stay. */
    assert_int_equal(count_children(c), PACKET_MAX_TUNNEL_DEPTH - 1);
    uint8_t want = PACKET_MAX_TUNNEL_DEPTH - 1;
    for (const Packet *x = c; x != NULL; x = x->next_child) {
        assert_int_equal(x->tunnel_depth, want--);
        assert_ptr_equal(x->root, p);
    }
    assert_int_equal(dtu_counter(&t, "decoder.too_many_layers"), 1);
    put_children(c);
    assert_int_equal(packet_pool_free_count(g_pool), POOL_SIZE);
    dtu_packet_free(p);
}

static void every_truncation_returns_every_packet(void **state)
{
    (void)state;
    const uint8_t *samples[] = {ip_vxlan, ip_gre, ip_teredo};
    const uint32_t lens[] = {sizeof(ip_vxlan), sizeof(ip_gre), sizeof(ip_teredo)};
    for (size_t s = 0; s < 3; s++) {
        for (uint32_t n = 0; n < lens[s]; n++) {
            Packet *p = dtu_packet_new(samples[s], n, LINKTYPE_ETHERNET);
            (void)decode_packet(&t.dtv, p);
            put_children(decode_take_children(&t.dtv));
            assert_int_equal(packet_pool_free_count(g_pool), POOL_SIZE);
            dtu_packet_free(p);
        }
    }
}

static void empty_pool_leaves_the_tunnel_undecoded(void **state)
{
    (void)state;
    Packet *held[POOL_SIZE];
    for (int i = 0; i < POOL_SIZE; i++) {
        held[i] = packet_pool_try_get(g_pool);
    }
    Packet *c = NULL;
    Packet *p = decode_with_children(ip_gre, sizeof(ip_gre), LINKTYPE_ETHERNET, &c);
    assert_null(c);
    assert_int_equal(p->proto, 47);
    for (int i = 0; i < POOL_SIZE; i++) {
        packet_pool_put(held[i]);
    }
    dtu_packet_free(p);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(vxlan_outer_keeps_udp_and_child_has_inner_frame),
        T(gre_outer_is_proto_47_and_child_is_inner_ip),
        T(ipip_outer_is_proto_4_and_child_is_inner_ipv4),
        T(teredo_child_is_inner_ipv6),
        T(child_that_does_not_decode_is_dropped_and_outer_stays_valid),
        T(nested_tunnels_give_children_innermost_first_up_to_max_depth),
        T(every_truncation_returns_every_packet),
        T(empty_pool_leaves_the_tunnel_undecoded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
