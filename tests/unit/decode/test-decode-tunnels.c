/* decode-gre.c, decode-vxlan.c, decode-teredo.c. The tunnel decoders are
 * called directly on exact-size buffers, and once each through the whole
 * stack (Ethernet / IPv4 / GRE or UDP). Only what the tunnel layer sets is
 * checked, plus p->l3 of the inner packet. Sample bytes from
 * gen-decode-samples.py. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "decode/decode-test-util.h"
#include "util/util-error.h"

/* 10.0.0.1:1024 > 10.0.0.2:53 UDP 'abcd' (32 bytes) */
static const uint8_t ipv4_udp[] = {
    0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xca,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x35,
    0x00, 0x0c, 0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
};
/* [2001:db8::1]:1024 > [2001:db8::2]:53 UDP 'abcd' (52 bytes) */
static const uint8_t ipv6_udp[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x35, 0x00, 0x0c, 0xdb, 0x65,
    0x61, 0x62, 0x63, 0x64,
};
/* GRE v0 flags C K S, checksum 0 offset 0, key 0x00000007, seq 1, proto 0x0800 / ipv4_udp (48
 * bytes) */
static const uint8_t gre_v0[] = {
    0xb0, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
    0x00, 0x00, 0x00, 0x01, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00,
    0x40, 0x11, 0x66, 0xca, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
    0x04, 0x00, 0x00, 0x35, 0x00, 0x0c, 0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
};
/* GRE v0 no flags proto 0x6558 / eth_ipv4 (50 bytes) */
static const uint8_t gre_teb[] = {
    0x00, 0x00, 0x65, 0x58, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
    0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01,
    0x00, 0x00, 0x40, 0x11, 0x66, 0xca, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00,
    0x00, 0x02, 0x04, 0x00, 0x00, 0x35, 0x00, 0x0c, 0x22, 0xd8, 0x61, 0x62,
    0x63, 0x64,
};
/* GRE v1 (PPTP) flags K S A, proto 0x880b, payload len 36, call id 5, seq 1, ack 0 / PPP ff 03
 * proto 0x0021 / ipv4_udp (52 bytes) */
static const uint8_t gre_v1[] = {
    0x30, 0x81, 0x88, 0x0b, 0x00, 0x24, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0xff, 0x03, 0x00, 0x21, 0x45, 0x00, 0x00, 0x20,
    0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xca, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x35, 0x00, 0x0c, 0x22, 0xd8,
    0x61, 0x62, 0x63, 0x64,
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
/* VXLAN flags I (0x08) vni 123 / eth_ipv4 (54 bytes) */
static const uint8_t vxlan[] = {
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7b, 0x00, 0x00, 0x11, 0x22, 0x33,
    0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xca, 0x0a, 0x00,
    0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x35, 0x00, 0x0c,
    0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
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
/* Teredo origin indication port 0xfbfe addr 0x3fffffff / ipv6_udp (60 bytes) */
static const uint8_t teredo_origin[] = {
    0x00, 0x00, 0xfb, 0xfe, 0x3f, 0xff, 0xff, 0xff, 0x60, 0x00, 0x00, 0x00,
    0x00, 0x0c, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x04, 0x00, 0x00, 0x35, 0x00, 0x0c, 0xdb, 0x65, 0x61, 0x62, 0x63, 0x64,
};
/* Teredo auth indication id-len 2 au-len 3 id 'ab' au 'xyz' nonce 0102030405060708 conf 0 /
 * ipv6_udp (70 bytes) */
static const uint8_t teredo_auth[] = {
    0x00, 0x01, 0x02, 0x03, 0x61, 0x62, 0x78, 0x79, 0x7a, 0x01, 0x02, 0x03,
    0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0c,
    0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x00,
    0x00, 0x35, 0x00, 0x0c, 0xdb, 0x65, 0x61, 0x62, 0x63, 0x64,
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

typedef int (*TunnelFn)(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);

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

/* Runs fn on an exact copy of bytes[0..len); the caller frees *out. */
static int call(TunnelFn fn, const uint8_t *bytes, uint32_t len, Packet **out)
{
    Packet *p = dtu_packet_new(bytes, len, LINKTYPE_RAW);
    int rc = fn(&t.dtv, p, p->data, len);
    *out = p;
    return rc;
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* ---- GRE ---- */

static void gre_v0_with_options_reaches_ipv4(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(call(decode_gre, gre_v0, sizeof(gre_v0), &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->tunnel_depth, 1);
    assert_int_equal(dtu_counter(&t, "decoder.gre"), 1);
    dtu_packet_free(p);
}

static void gre_v0_every_truncation_is_safe(void **state)
{
    (void)state;
    for (uint32_t n = 0; n < sizeof(gre_v0); n++) {
        Packet *p = NULL;
        int rc = call(decode_gre, gre_v0, n, &p);
        assert_int_equal(packet_has_event(p, DECODE_EV_GRE_PKT_TOO_SMALL), n < 4);
        assert_int_equal(packet_has_event(p, DECODE_EV_GRE_VERSION0_HDR_TOO_BIG),
                         n >= 4 && n < 16);
        if (n == 16) {
            assert_int_equal(rc, 0); // header only: nothing to tunnel
            assert_int_equal(p->tunnel_depth, 0);
        } else {
            assert_true(rc < 0);
        }
        dtu_packet_free(p);
    }
}

static void gre_teb_carries_ethernet_in_one_level(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(call(decode_gre, gre_teb, sizeof(gre_teb), &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(p->tunnel_depth, 1);
    assert_int_equal(dtu_counter(&t, "decoder.ethernet"), 1);
    dtu_packet_free(p);
}

static void gre_unknown_protocol_is_opaque(void **state)
{
    (void)state;
    uint8_t buf[sizeof(gre_teb)];
    memcpy(buf, gre_teb, sizeof(buf));
    put_be16(buf + 2, 0x1234);
    Packet *p = NULL;
    assert_int_equal(call(decode_gre, buf, sizeof(buf), &p), 0);
    assert_int_equal(p->l3, PKT_L3_NONE);
    assert_int_equal(p->n_events, 0);
    dtu_packet_free(p);
}

static DecodeEvent gre_event_for_flags(uint16_t flags, uint16_t proto)
{
    uint8_t buf[sizeof(gre_v1)];
    memcpy(buf, gre_v1, sizeof(buf));
    put_be16(buf, flags);
    put_be16(buf + 2, proto);
    Packet *p = NULL;
    int rc = call(decode_gre, buf, sizeof(buf), &p);
    DecodeEvent ev = p->n_events > 0 ? (DecodeEvent)p->events[0] : DECODE_EV_NONE;
    assert_true(rc < 0);
    assert_int_equal(p->tunnel_depth, 0);
    dtu_packet_free(p);
    return ev;
}

static void gre_v0_rejects_recursion_and_flags(void **state)
{
    (void)state;
    assert_int_equal(gre_event_for_flags(0x0100, 0x0800), DECODE_EV_GRE_VERSION0_RECUR);
    assert_int_equal(gre_event_for_flags(0x0008, 0x0800), DECODE_EV_GRE_VERSION0_FLAGS);
    assert_int_equal(gre_event_for_flags(0x0080, 0x0800), DECODE_EV_GRE_VERSION0_FLAGS);
}

static void gre_other_versions_are_wrong(void **state)
{
    (void)state;
    for (uint16_t v = 2; v <= 7; v++) {
        assert_int_equal(gre_event_for_flags(v, 0x0800), DECODE_EV_GRE_WRONG_VERSION);
    }
}

static void gre_v1_pptp_carries_ppp(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(call(decode_gre, gre_v1, sizeof(gre_v1), &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(p->tunnel_depth, 1);
    assert_int_equal(dtu_counter(&t, "decoder.ppp"), 1);
    dtu_packet_free(p);
}

static void gre_v1_enforces_rfc2637_header_rules(void **state)
{
    (void)state;
    const uint16_t ok = 0x3081; // K S A, version 1
    assert_int_equal(gre_event_for_flags(ok | 0x8000, 0x880B), DECODE_EV_GRE_VERSION1_CHKSUM);
    assert_int_equal(gre_event_for_flags(ok | 0x4000, 0x880B), DECODE_EV_GRE_VERSION1_ROUTE);
    assert_int_equal(gre_event_for_flags(ok | 0x0800, 0x880B), DECODE_EV_GRE_VERSION1_SSR);
    assert_int_equal(gre_event_for_flags(ok | 0x0300, 0x880B), DECODE_EV_GRE_VERSION1_RECUR);
    assert_int_equal(gre_event_for_flags(ok | 0x0040, 0x880B), DECODE_EV_GRE_VERSION1_FLAGS);
    assert_int_equal(gre_event_for_flags(ok, 0x0800), DECODE_EV_GRE_VERSION1_WRONG_PROTOCOL);
    assert_int_equal(gre_event_for_flags(0x1081, 0x880B), DECODE_EV_GRE_VERSION1_NO_KEY);
}

static void gre_v1_every_truncation_is_safe(void **state)
{
    (void)state;
    for (uint32_t n = 0; n < sizeof(gre_v1); n++) {
        Packet *p = NULL;
        int rc = call(decode_gre, gre_v1, n, &p);
        assert_int_equal(packet_has_event(p, DECODE_EV_GRE_VERSION1_HDR_TOO_BIG),
                         n >= 4 && n < 16);
        assert_true(n == 16 ? rc == 0 : rc < 0);
        dtu_packet_free(p);
    }
}

/* GRE v0 with R: checksum/offset, one source route entry of sre_len bytes
 * (af 0x0800), a null terminator unless omitted, then ipv4_udp. */
static uint32_t build_gre_routing(uint8_t *buf, uint8_t sre_len, bool terminate)
{
    uint32_t off = 0;
    put_be16(buf, 0x4000);
    put_be16(buf + 2, 0x0800);
    memset(buf + 4, 0, 4);
    off = 8;
    put_be16(buf + off, 0x0800);
    buf[off + 2] = 0;
    buf[off + 3] = sre_len;
    off += 4;
    memset(buf + off, 0xAB, 4);
    off += 4;
    if (terminate) {
        memset(buf + off, 0, 4);
        off += 4;
    }
    memcpy(buf + off, ipv4_udp, sizeof(ipv4_udp));
    return off + (uint32_t)sizeof(ipv4_udp);
}

static void gre_v0_source_routes_are_skipped(void **state)
{
    (void)state;
    uint8_t buf[128];
    uint32_t len = build_gre_routing(buf, 4, true);
    Packet *p = NULL;
    assert_int_equal(call(decode_gre, buf, len, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    dtu_packet_free(p);
}

static void gre_v0_oversized_source_route_is_hdr_too_big(void **state)
{
    (void)state;
    uint8_t buf[128];
    uint32_t len = build_gre_routing(buf, 255, true);
    Packet *p = NULL;
    assert_true(call(decode_gre, buf, len, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_GRE_VERSION0_HDR_TOO_BIG));
    dtu_packet_free(p);
}

static void gre_v0_unterminated_source_routes_are_hdr_too_big(void **state)
{
    (void)state;
    uint8_t buf[128];
    uint32_t len = build_gre_routing(buf, 4, false);
    Packet *p = NULL;
    assert_true(call(decode_gre, buf, len - (uint32_t)sizeof(ipv4_udp), &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_GRE_VERSION0_HDR_TOO_BIG));
    dtu_packet_free(p);
}

static void gre_through_ipv4_sets_tunnel_and_inner_l3(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, ip_gre, sizeof(ip_gre), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->tunnel_depth, 1);
    assert_int_equal(dtu_counter(&t, "decoder.gre"), 1);
    dtu_packet_free(p);
}

/* IPv4 (proto 47) / GRE (0x0800) wrapped levels times around ipv4_udp. */
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
        put_be16(h + 2, (uint16_t)len);
        put_be16(h + 10, 0);
        uint32_t sum = 0;
        for (int j = 0; j < 20; j += 2) {
            sum += (uint32_t)(h[j] << 8 | h[j + 1]);
        }
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        put_be16(h + 10, (uint16_t)~sum);
        put_be16(h + 20, 0);
        put_be16(h + 22, 0x0800);
    }
    memmove(buf, buf + start, len);
    return len;
}

static void gre_nesting_beyond_max_depth_is_refused(void **state)
{
    (void)state;
    uint8_t buf[512];
    uint32_t len = build_gre_chain(buf, sizeof(buf), PACKET_MAX_TUNNEL_DEPTH + 1);
    Packet *p = NULL;
    assert_true(dtu_decode(&t, buf, len, LINKTYPE_RAW, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_TOO_MANY_LAYERS));
    assert_int_equal(p->tunnel_depth, PACKET_MAX_TUNNEL_DEPTH);
    assert_true(p->flags & PKT_F_INVALID);
    assert_int_equal(dtu_counter(&t, "decoder.too_many_layers"), 1);
    dtu_packet_free(p);
}

static void gre_nesting_at_max_depth_is_decoded(void **state)
{
    (void)state;
    uint8_t buf[512];
    uint32_t len = build_gre_chain(buf, sizeof(buf), PACKET_MAX_TUNNEL_DEPTH);
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, buf, len, LINKTYPE_RAW, &p), 0);
    assert_int_equal(p->tunnel_depth, PACKET_MAX_TUNNEL_DEPTH);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    dtu_packet_free(p);
}

/* ---- VXLAN ---- */

static void vxlan_reaches_inner_ethernet(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(call(decode_vxlan, vxlan, sizeof(vxlan), &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->tunnel_depth, 1);
    assert_int_equal(dtu_counter(&t, "decoder.vxlan"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.ethernet"), 1);
    dtu_packet_free(p);
}

static void vxlan_every_truncation_is_safe(void **state)
{
    (void)state;
    for (uint32_t n = 0; n < sizeof(vxlan); n++) {
        Packet *p = NULL;
        int rc = call(decode_vxlan, vxlan, n, &p);
        if (n < 8 + 14) { // not VXLAN: nothing touched
            assert_true(rc < 0);
            assert_int_equal(p->flags, 0);
            assert_int_equal(p->n_events, 0);
        } else { // VXLAN with a cut inner packet
            assert_int_equal(rc, 0);
            assert_true(p->flags & PKT_F_INVALID);
        }
        dtu_packet_free(p);
    }
    assert_int_equal(dtu_counter(&t, "decoder.vxlan"), sizeof(vxlan) - 22);
}

static void vxlan_without_i_flag_is_not_vxlan(void **state)
{
    (void)state;
    uint8_t buf[sizeof(vxlan)];
    memcpy(buf, vxlan, sizeof(buf));
    buf[0] = 0x00;
    Packet *p = NULL;
    assert_true(call(decode_vxlan, buf, sizeof(buf), &p) < 0);
    assert_int_equal(p->flags, 0);
    assert_int_equal(dtu_counter(&t, "decoder.vxlan"), 0);
    dtu_packet_free(p);
}

static void vxlan_disabled_is_not_vxlan(void **state)
{
    (void)state;
    t.dtv.vxlan_enabled = false;
    Packet *p = NULL;
    assert_true(call(decode_vxlan, vxlan, sizeof(vxlan), &p) < 0);
    assert_int_equal(p->l3, PKT_L3_NONE);
    dtu_packet_free(p);
}

static void vxlan_through_udp_sets_tunnel_and_inner_l3(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, ip_vxlan, sizeof(ip_vxlan), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->tunnel_depth, 1);
    assert_int_equal(dtu_counter(&t, "decoder.vxlan"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.ethernet"), 2);
    dtu_packet_free(p);
}

/* ---- Teredo ---- */

static void teredo_checks_inner(const uint8_t *bytes, uint32_t len)
{
    Packet *p = NULL;
    assert_int_equal(call(decode_teredo, bytes, len, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV6);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->tunnel_depth, 1);
    dtu_packet_free(p);
}

static void teredo_plain_ipv6(void **state)
{
    (void)state;
    teredo_checks_inner(ipv6_udp, sizeof(ipv6_udp));
    assert_int_equal(dtu_counter(&t, "decoder.teredo"), 1);
}

static void teredo_with_origin_indication(void **state)
{
    (void)state;
    teredo_checks_inner(teredo_origin, sizeof(teredo_origin));
}

static void assert_not_teredo(const uint8_t *bytes, uint32_t len)
{
    Packet *p = NULL;
    assert_true(call(decode_teredo, bytes, len, &p) < 0);
    assert_int_equal(p->flags, 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->l3, PKT_L3_NONE);
    dtu_packet_free(p);
}

static void teredo_every_truncation_is_not_teredo(void **state)
{
    (void)state;
    for (uint32_t n = 0; n < sizeof(teredo_auth); n++) {
        assert_not_teredo(teredo_auth, n);
    }
    for (uint32_t n = 0; n < sizeof(teredo_origin); n++) {
        assert_not_teredo(teredo_origin, n);
    }
    assert_int_equal(dtu_counter(&t, "decoder.teredo"), 0);
}

static void teredo_rejects_inconsistent_ipv6(void **state)
{
    (void)state;
    uint8_t buf[sizeof(ipv6_udp) + 1] = { 0 };
    memcpy(buf, ipv6_udp, sizeof(ipv6_udp));
    assert_not_teredo(buf, sizeof(buf)); // one byte after the datagram
    buf[4] = 0xFF;                       // payload length 0xFF0C
    assert_not_teredo(buf, sizeof(ipv6_udp));
    memcpy(buf, ipv6_udp, sizeof(ipv6_udp));
    buf[7] = 0; // hop limit 0
    assert_not_teredo(buf, sizeof(ipv6_udp));
    memcpy(buf, ipv6_udp, sizeof(ipv6_udp));
    buf[0] = 0x45; // version 4
    assert_not_teredo(buf, sizeof(ipv6_udp));
}

/* An authentication indication is the qualification exchange with a Teredo
 * server: left as UDP (Suricata's rule), whatever follows it. */
static void teredo_auth_indication_is_not_teredo(void **state)
{
    (void)state;
    assert_not_teredo(teredo_auth, sizeof(teredo_auth));
    uint8_t buf[sizeof(teredo_auth)];
    memcpy(buf, teredo_auth, sizeof(buf));
    buf[2] = 0xFF;
    buf[3] = 0xFF;
    assert_not_teredo(buf, sizeof(buf));
    assert_int_equal(dtu_counter(&t, "decoder.teredo"), 0);
}

static void teredo_disabled_is_not_teredo(void **state)
{
    (void)state;
    t.dtv.teredo_enabled = false;
    assert_not_teredo(ipv6_udp, sizeof(ipv6_udp));
}

static void teredo_through_udp_sets_tunnel_and_inner_l3(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, ip_teredo, sizeof(ip_teredo), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV6);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_true(p->flags & PKT_F_TUNNEL_PROTO); // the configured port
    assert_int_equal(p->tunnel_depth, 1);
    assert_int_equal(dtu_counter(&t, "decoder.teredo"), 1);
    dtu_packet_free(p);
}

/* ip_teredo sent to UDP port 32900 instead of 3544 (checksum 0: none). */
static void ip_teredo_other_port(uint8_t *buf)
{
    memcpy(buf, ip_teredo, sizeof(ip_teredo));
    buf[36] = 0x80; // destination port 32900
    buf[37] = 0x84;
    buf[40] = 0;
    buf[41] = 0;
}

static void teredo_other_port_is_udp_when_ports_are_set(void **state)
{
    (void)state;
    uint8_t buf[sizeof(ip_teredo)];
    ip_teredo_other_port(buf);
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, buf, sizeof(buf), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_false(p->flags & (PKT_F_TUNNEL | PKT_F_TUNNEL_PROTO));
    assert_int_equal(dtu_counter(&t, "decoder.teredo"), 0);
    dtu_packet_free(p);
}

/* decoder.teredo.ports unset: every UDP port is tried; only the packets that
 * hold Teredo are marked as a tunnel's (the others stay an application's). */
static void teredo_any_port_decodes_other_port(void **state)
{
    (void)state;
    t.dtv.teredo_any_port = true;
    uint8_t buf[sizeof(ip_teredo)];
    ip_teredo_other_port(buf);
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, buf, sizeof(buf), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV6);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_true(p->flags & PKT_F_TUNNEL_PROTO);
    assert_int_equal(dtu_counter(&t, "decoder.teredo"), 1);
    dtu_packet_free(p);

    /* the same datagram with an authentication indication in front is not */
    uint8_t udp_auth[14 + 20 + 8 + sizeof(teredo_auth)];
    memcpy(udp_auth, buf, 14 + 20 + 8);
    memcpy(udp_auth + 42, teredo_auth, sizeof(teredo_auth));
    udp_auth[16] = 0; // IPv4 total length
    udp_auth[17] = (uint8_t)(20 + 8 + sizeof(teredo_auth));
    udp_auth[38] = 0; // UDP length
    udp_auth[39] = (uint8_t)(8 + sizeof(teredo_auth));
    udp_auth[24] = 0; // IPv4 checksum
    udp_auth[25] = 0;
    uint32_t sum = 0;
    for (int i = 14; i < 34; i += 2) {
        sum += (uint32_t)(udp_auth[i] << 8 | udp_auth[i + 1]);
    }
    while (sum >> 16) {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    udp_auth[24] = (uint8_t)(~sum >> 8);
    udp_auth[25] = (uint8_t)~sum;
    p = NULL;
    assert_int_equal(dtu_decode(&t, udp_auth, sizeof(udp_auth), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_false(p->flags & (PKT_F_TUNNEL | PKT_F_TUNNEL_PROTO));
    assert_int_equal(dtu_counter(&t, "decoder.teredo"), 1);
    dtu_packet_free(p);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(gre_v0_with_options_reaches_ipv4),
        T(gre_v0_every_truncation_is_safe),
        T(gre_teb_carries_ethernet_in_one_level),
        T(gre_unknown_protocol_is_opaque),
        T(gre_v0_rejects_recursion_and_flags),
        T(gre_other_versions_are_wrong),
        T(gre_v1_pptp_carries_ppp),
        T(gre_v1_enforces_rfc2637_header_rules),
        T(gre_v1_every_truncation_is_safe),
        T(gre_v0_source_routes_are_skipped),
        T(gre_v0_oversized_source_route_is_hdr_too_big),
        T(gre_v0_unterminated_source_routes_are_hdr_too_big),
        T(gre_through_ipv4_sets_tunnel_and_inner_l3),
        T(gre_nesting_beyond_max_depth_is_refused),
        T(gre_nesting_at_max_depth_is_decoded),
        T(vxlan_reaches_inner_ethernet),
        T(vxlan_every_truncation_is_safe),
        T(vxlan_without_i_flag_is_not_vxlan),
        T(vxlan_disabled_is_not_vxlan),
        T(vxlan_through_udp_sets_tunnel_and_inner_l3),
        T(teredo_plain_ipv6),
        T(teredo_with_origin_indication),
        T(teredo_every_truncation_is_not_teredo),
        T(teredo_rejects_inconsistent_ipv6),
        T(teredo_auth_indication_is_not_teredo),
        T(teredo_disabled_is_not_teredo),
        T(teredo_through_udp_sets_tunnel_and_inner_l3),
        T(teredo_other_port_is_udp_when_ports_are_set),
        T(teredo_any_port_decodes_other_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
