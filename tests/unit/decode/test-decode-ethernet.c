/* decode-ethernet.c, decode-arp.c and the ethertype dispatch of decode.c.
 * Sample bytes from gen-decode-samples.py. Checks stop at what the link
 * layer sets; the inner IP layer is only checked through p->l3. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "decode/decode-test-util.h"
#include "util/util-error.h"

/* Ether 66:77:88:99:aa:bb > 00:11:22:33:44:55 type 0x0800 / ipv4_udp (46 bytes) */
static const uint8_t eth_ipv4[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11,
    0x66, 0xca, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x00,
    0x00, 0x35, 0x00, 0x0c, 0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
};
/* Ether type 0x0806 / ARP request who-has 10.0.0.2 tell 10.0.0.1 (42 bytes) */
static const uint8_t eth_arp[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x66, 0x77,
    0x88, 0x99, 0xaa, 0xbb, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x0a, 0x00, 0x00, 0x02,
};

static DecodeTestCtx t;

static int setup(void **state)
{
    (void)state;
    dtu_setup(&t, CHECKSUM_NONE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dtu_teardown(&t);
    return 0;
}

static void ethernet_ipv4_reaches_ip_layer(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, eth_ipv4, sizeof(eth_ipv4), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(p->n_events, 0);
    assert_false(p->flags & (PKT_F_INVALID | PKT_F_TUNNEL));
    assert_int_equal(dtu_counter(&t, "decoder.ethernet"), 1);
    dtu_packet_free(p);
}

static void check_eth_truncation(DecodeTestCtx *tc, const Packet *p, uint32_t len, int rc,
                                 void *arg)
{
    (void)tc;
    (void)arg;
    bool too_small = len < 14;
    assert_int_equal(packet_has_event(p, DECODE_EV_ETHERNET_PKT_TOO_SMALL), too_small);
    if (too_small) {
        assert_true(rc < 0);
        assert_true(p->flags & PKT_F_INVALID);
    }
}

static void ethernet_every_truncation_is_safe(void **state)
{
    (void)state;
    dtu_for_each_truncation(&t, eth_ipv4, sizeof(eth_ipv4), LINKTYPE_ETHERNET,
                            check_eth_truncation, NULL);
    assert_int_equal(dtu_counter(&t, "decoder.ethernet"), sizeof(eth_ipv4) - 14);
    assert_int_equal(dtu_counter(&t, "decoder.event.ethernet.pkt_too_small"), 14);
}

static void ethernet_unknown_ethertype_is_event_not_error(void **state)
{
    (void)state;
    uint8_t frame[sizeof(eth_ipv4)];
    memcpy(frame, eth_ipv4, sizeof(frame));
    frame[12] = 0x12; // ethertype 0x1234
    frame[13] = 0x34;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p), 0);
    assert_true(packet_has_event(p, DECODE_EV_ETHERNET_UNKNOWN_ETHERTYPE));
    assert_int_equal(p->l3, PKT_L3_NONE);
    assert_int_equal(dtu_counter(&t, "decoder.unknown_ethertype"), 1);
    dtu_packet_free(p);
}

static void ethernet_8023_length_field_is_unknown_ethertype(void **state)
{
    (void)state;
    uint8_t frame[sizeof(eth_ipv4)];
    memcpy(frame, eth_ipv4, sizeof(frame));
    frame[12] = 0x00; // 802.3 length 32, LLC follows
    frame[13] = 0x20;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p), 0);
    assert_true(packet_has_event(p, DECODE_EV_ETHERNET_UNKNOWN_ETHERTYPE));
    dtu_packet_free(p);
}

static void ethernet_header_only_ipv4_is_invalid(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_true(dtu_decode(&t, eth_ipv4, 14, LINKTYPE_ETHERNET, &p) < 0);
    assert_int_equal(dtu_counter(&t, "decoder.ethernet"), 1);
    assert_true(p->flags & PKT_F_INVALID);
    dtu_packet_free(p);
}

static void arp_is_recognised_and_counted(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, eth_arp, sizeof(eth_arp), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_ARP);
    assert_int_equal(dtu_counter(&t, "decoder.arp"), 1);
    dtu_packet_free(p);
}

static void check_arp_truncation(DecodeTestCtx *tc, const Packet *p, uint32_t len, int rc,
                                 void *arg)
{
    (void)tc;
    (void)arg;
    assert_true(rc < 0); // every prefix misses part of the addresses
    assert_int_equal(p->l3, PKT_L3_NONE);
    assert_int_equal(packet_has_event(p, DECODE_EV_ETHERNET_PKT_TOO_SMALL), len < 14);
}

static void arp_every_truncation_is_invalid(void **state)
{
    (void)state;
    dtu_for_each_truncation(&t, eth_arp, sizeof(eth_arp), LINKTYPE_ETHERNET,
                            check_arp_truncation, NULL);
    assert_int_equal(dtu_counter(&t, "decoder.arp"), sizeof(eth_arp) - 14);
}

static void arp_maximum_address_lengths_overrun_is_invalid(void **state)
{
    (void)state;
    uint8_t frame[sizeof(eth_arp)];
    memcpy(frame, eth_arp, sizeof(frame));
    frame[18] = 0xFF; // hardware address length 255
    frame[19] = 0xFF; // protocol address length 255
    Packet *p = NULL;
    assert_true(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p) < 0);
    assert_int_equal(p->l3, PKT_L3_NONE);
    dtu_packet_free(p);
}

/* Ethernet frames nested through ethertype 0x6558 (bridging), depth deep,
 * the innermost carrying eth_arp's ARP. */
static uint32_t build_teb_chain(uint8_t *buf, uint32_t size, unsigned depth)
{
    uint32_t off = 0;
    for (unsigned i = 0; i < depth && off + 14 <= size; i++) {
        memcpy(buf + off, eth_arp, 12);
        buf[off + 12] = 0x65;
        buf[off + 13] = 0x58;
        off += 14;
    }
    memcpy(buf + off, eth_arp, sizeof(eth_arp));
    return off + (uint32_t)sizeof(eth_arp);
}

static void bridged_ethernet_is_one_tunnel_level(void **state)
{
    (void)state;
    uint8_t buf[256];
    uint32_t len = build_teb_chain(buf, sizeof(buf), 1);
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, buf, len, LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->tunnel_depth, 1);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->l3, PKT_L3_ARP);
    assert_int_equal(dtu_counter(&t, "decoder.ethernet"), 2);
    dtu_packet_free(p);
}

static void bridged_ethernet_beyond_max_depth_is_refused(void **state)
{
    (void)state;
    uint8_t buf[512];
    uint32_t len = build_teb_chain(buf, sizeof(buf), PACKET_MAX_TUNNEL_DEPTH + 1);
    Packet *p = NULL;
    assert_true(dtu_decode(&t, buf, len, LINKTYPE_ETHERNET, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_TOO_MANY_LAYERS));
    assert_int_equal(p->tunnel_depth, PACKET_MAX_TUNNEL_DEPTH);
    assert_true(p->flags & PKT_F_INVALID);
    assert_int_equal(dtu_counter(&t, "decoder.too_many_layers"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.arp"), 0);
    dtu_packet_free(p);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(ethernet_ipv4_reaches_ip_layer),
        T(ethernet_every_truncation_is_safe),
        T(ethernet_unknown_ethertype_is_event_not_error),
        T(ethernet_8023_length_field_is_unknown_ethertype),
        T(ethernet_header_only_ipv4_is_invalid),
        T(arp_is_recognised_and_counted),
        T(arp_every_truncation_is_invalid),
        T(arp_maximum_address_lengths_overrun_is_invalid),
        T(bridged_ethernet_is_one_tunnel_level),
        T(bridged_ethernet_beyond_max_depth_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
