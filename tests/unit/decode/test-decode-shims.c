/* Layers added for parity with Suricata on the shared captures:
 * decode-chdlc.c (link type 104, and Cisco HDLC under the PPP link types),
 * PPP link types 9 and 50, decode-fabricpath.c, 802.1ah in decode-vlan.c,
 * decode-vntag.c, decode-nsh.c, decode-erspan.c (through GRE) and
 * decode-geneve.c (through UDP). Frames are assembled from a header under
 * test and a small IPv4/UDP datagram. */

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
static const uint8_t macs[12] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                                  0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };

typedef struct Frame {
    uint8_t b[512];
    uint32_t n;
} Frame;

static void put(Frame *f, const uint8_t *bytes, uint32_t len)
{
    assert_true(f->n + len <= sizeof(f->b));
    memcpy(f->b + f->n, bytes, len);
    f->n += len;
}

static void put16(Frame *f, uint16_t v)
{
    const uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    put(f, b, 2);
}

static void put_eth(Frame *f, uint16_t ethertype)
{
    put(f, macs, sizeof(macs));
    put16(f, ethertype);
}

static void put_ip(Frame *f)
{
    put(f, ipv4_udp, sizeof(ipv4_udp));
}

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

/* Decodes f and checks that it reached the inner IPv4/UDP datagram. */
static void assert_reaches_udp(const Frame *f, int linktype)
{
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, f->b, f->n, linktype, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(p->dp, 53);
    assert_int_equal(p->flags & PKT_F_INVALID, 0);
    dtu_packet_free(p);
}

/* Decodes f, expects an invalid packet carrying ev. */
static void assert_invalid_with(const Frame *f, int linktype, DecodeEvent ev)
{
    Packet *p = NULL;
    assert_true(dtu_decode(&t, f->b, f->n, linktype, &p) < 0);
    assert_true(packet_has_event(p, ev));
    assert_true(p->flags & PKT_F_INVALID);
    dtu_packet_free(p);
}

/* Decodes f, expects a valid packet with ev and no IP layer. */
static void assert_opaque_with(const Frame *f, int linktype, DecodeEvent ev)
{
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, f->b, f->n, linktype, &p), 0);
    if (ev != DECODE_EV_NONE) {
        assert_true(packet_has_event(p, ev));
    }
    assert_int_equal(p->l3, PKT_L3_NONE);
    dtu_packet_free(p);
}

/* ---- Cisco HDLC and the PPP link types ---- */

static void chdlc_ipv4_reaches_udp(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    static const uint8_t hdr[] = { 0x0f, 0x00, 0x08, 0x00 };
    put(&f, hdr, sizeof(hdr));
    put_ip(&f);
    assert_reaches_udp(&f, LINKTYPE_CISCO_HDLC);
    assert_int_equal(dtu_counter(&t, "decoder.chdlc"), 1);
}

static void chdlc_shorter_than_header_is_too_small(void **state)
{
    (void)state;
    for (uint32_t n = 0; n < 4; n++) {
        static const uint8_t hdr[] = { 0x0f, 0x00, 0x08, 0x00 };
        Frame f = { .n = 0 };
        put(&f, hdr, n);
        assert_invalid_with(&f, LINKTYPE_CISCO_HDLC, DECODE_EV_CHDLC_PKT_TOO_SMALL);
    }
    assert_int_equal(dtu_counter(&t, "decoder.chdlc"), 4); // counted before the check
}

static void chdlc_slarp_is_opaque_not_invalid(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    static const uint8_t slarp[] = { 0x8f, 0x00, 0x80, 0x35, 0, 0, 0, 2, 0, 0, 0, 0 };
    put(&f, slarp, sizeof(slarp));
    assert_opaque_with(&f, LINKTYPE_CISCO_HDLC, DECODE_EV_NONE);
    assert_int_equal(dtu_counter(&t, "decoder.unknown_ethertype"), 1);
}

static void chdlc_every_truncation_is_safe(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    static const uint8_t hdr[] = { 0x0f, 0x00, 0x08, 0x00 };
    put(&f, hdr, sizeof(hdr));
    put_ip(&f);
    dtu_for_each_truncation(&t, f.b, f.n, LINKTYPE_CISCO_HDLC, NULL, NULL);
    assert_int_equal(dtu_counter(&t, "decoder.chdlc"), f.n);
    assert_int_equal(dtu_counter(&t, "decoder.ipv4"), f.n - 4);
    assert_int_equal(dtu_counter(&t, "decoder.udp"), 0); // IPv4 is short on every prefix
}

static void ppp_link_with_and_without_address_control(void **state)
{
    (void)state;
    static const uint8_t framed[] = { 0xff, 0x03, 0x00, 0x21 };
    static const uint8_t bare[] = { 0x00, 0x21 };
    Frame f = { .n = 0 };
    put(&f, framed, sizeof(framed));
    put_ip(&f);
    assert_reaches_udp(&f, LINKTYPE_PPP);
    assert_reaches_udp(&f, LINKTYPE_PPP_HDLC);
    f.n = 0;
    put(&f, bare, sizeof(bare));
    put_ip(&f);
    assert_reaches_udp(&f, LINKTYPE_PPP);
    assert_int_equal(dtu_counter(&t, "decoder.ppp"), 3);
}

static void ppp_link_carrying_cisco_hdlc_is_chdlc(void **state)
{
    (void)state;
    static const uint8_t hdr[] = { 0x0f, 0x00, 0x08, 0x00 };
    Frame f = { .n = 0 };
    put(&f, hdr, sizeof(hdr));
    put_ip(&f);
    assert_reaches_udp(&f, LINKTYPE_PPP);
    assert_int_equal(dtu_counter(&t, "decoder.chdlc"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.ppp"), 0);
}

static void ppp_link_every_truncation_is_safe(void **state)
{
    (void)state;
    static const uint8_t framed[] = { 0xff, 0x03, 0x00, 0x21 };
    Frame f = { .n = 0 };
    put(&f, framed, sizeof(framed));
    put_ip(&f);
    dtu_for_each_truncation(&t, f.b, f.n, LINKTYPE_PPP, NULL, NULL);
    f.b[0] = 0x8f; // Cisco HDLC broadcast
    dtu_for_each_truncation(&t, f.b, f.n, LINKTYPE_PPP_HDLC, NULL, NULL);
}

/* ---- FabricPath ---- */

static void fabricpath_inner_frame_reaches_udp(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x8903);
    put16(&f, 0x0120); // ftag 1, ttl 32
    put_eth(&f, 0x0800);
    put_ip(&f);
    assert_reaches_udp(&f, LINKTYPE_ETHERNET);
    assert_int_equal(dtu_counter(&t, "decoder.ethernet"), 2);
}

static void fabricpath_without_inner_header_is_too_small(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x8903);
    put16(&f, 0x0120);
    put(&f, macs, 12);
    put(&f, macs, 1); // one byte short of the inner Ethernet header
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_DCE_PKT_TOO_SMALL);
}

static void fabricpath_nesting_is_bounded(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x8903);
    for (int i = 0; i < PACKET_MAX_LINK_SHIMS; i++) {
        put16(&f, 0x0120);
        put_eth(&f, 0x8903);
    }
    put16(&f, 0x0120);
    put_eth(&f, 0x0800);
    put_ip(&f);
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_TOO_MANY_LAYERS);
}

/* ---- 802.1ah ---- */

static void put_itag(Frame *f, uint16_t type)
{
    static const uint8_t isid[] = { 0x00, 0x00, 0x01, 0x00 };
    put(f, isid, sizeof(isid));
    put(f, macs, sizeof(macs));
    put16(f, type);
}

static void ieee8021ah_reaches_customer_udp(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x88e7);
    put_itag(&f, 0x0800);
    put_ip(&f);
    assert_reaches_udp(&f, LINKTYPE_ETHERNET);
    assert_int_equal(dtu_counter(&t, "decoder.ieee8021ah"), 1);
}

static void ieee8021ah_short_tag_is_too_small(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x88e7);
    put_itag(&f, 0x0800);
    f.n--;
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_IEEE8021AH_HEADER_TOO_SMALL);
}

static void ieee8021ah_unknown_type_is_opaque(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x88e7);
    put_itag(&f, 0x1234);
    put_ip(&f);
    assert_opaque_with(&f, LINKTYPE_ETHERNET, DECODE_EV_NONE);
}

static void ieee8021ah_recursion_is_bounded(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x88e7);
    for (int i = 0; i < 20; i++) {
        put_itag(&f, 0x88e7);
    }
    put_itag(&f, 0x0800);
    put_ip(&f);
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_TOO_MANY_LAYERS);
}

/* ---- VN-Tag ---- */

static void put_vntag(Frame *f, uint16_t type)
{
    static const uint8_t tag[] = { 0x80, 0x01, 0x00, 0x02 };
    put(f, tag, sizeof(tag));
    put16(f, type);
}

static void vntag_reaches_udp(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x8926);
    put_vntag(&f, 0x0800);
    put_ip(&f);
    assert_reaches_udp(&f, LINKTYPE_ETHERNET);
    assert_int_equal(dtu_counter(&t, "decoder.vntag"), 1);
}

static void vntag_then_vlan_reaches_udp(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x8926);
    put_vntag(&f, 0x8100);
    put16(&f, 0x0064);
    put16(&f, 0x0800);
    put_ip(&f);
    assert_reaches_udp(&f, LINKTYPE_ETHERNET);
    assert_int_equal(dtu_counter(&t, "decoder.vlan"), 1);
}

static void vntag_unknown_type_is_invalid(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x8926);
    put_vntag(&f, 0x1234);
    put_ip(&f);
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_VNTAG_UNKNOWN_TYPE);
}

static void vntag_short_tag_is_too_small(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x8926);
    put_vntag(&f, 0x0800);
    f.n--;
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_VNTAG_HEADER_TOO_SMALL);
}

/* ---- NSH ---- */

/* NSH base header (version, length in words, MD type, next protocol, SPI 1
 * SI 255), then zeroed context bytes up to the length. */
static void put_nsh(Frame *f, uint8_t version, uint8_t words, uint8_t md_type, uint8_t next)
{
    const uint8_t hdr[] = { (uint8_t)(version << 6), (uint8_t)(words & 0x3f), md_type, next,
                            0x00, 0x00, 0x01, 0xff };
    put(f, hdr, sizeof(hdr));
    static const uint8_t zero[4] = { 0 };
    for (uint32_t i = sizeof(hdr); i < (uint32_t)words * 4; i += 4) {
        put(f, zero, sizeof(zero));
    }
}

static void nsh_md2_reaches_udp(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x894f);
    put_nsh(&f, 0, 2, 2, 1);
    put_ip(&f);
    assert_reaches_udp(&f, LINKTYPE_ETHERNET);
    assert_int_equal(dtu_counter(&t, "decoder.nsh"), 1);
}

static void nsh_md1_needs_24_bytes(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x894f);
    put_nsh(&f, 0, 6, 1, 1);
    put_ip(&f);
    assert_reaches_udp(&f, LINKTYPE_ETHERNET);
    f.n = 0;
    put_eth(&f, 0x894f);
    put_nsh(&f, 0, 2, 1, 1);
    put_ip(&f);
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_NSH_BAD_HEADER_LENGTH);
}

static void nsh_length_covering_everything_is_bad(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x894f);
    put_nsh(&f, 0, 2, 2, 1);
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_NSH_BAD_HEADER_LENGTH);
}

/* An MD type 2 header claiming one word (4 bytes) is shorter than the base
 * header: malformed, not a payload that starts inside the header. */
static void nsh_md2_shorter_than_base_header_is_bad(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x894f);
    put_nsh(&f, 0, 1, 2, 1);
    put_ip(&f);
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_NSH_BAD_HEADER_LENGTH);
}

static void nsh_version_md_type_and_next_protocol_events(void **state)
{
    (void)state;
    static const struct {
        uint8_t version, md_type, next;
        DecodeEvent ev;
    } cases[] = {
        { 1, 2, 1, DECODE_EV_NSH_UNSUPPORTED_VERSION },
        { 0, 0, 1, DECODE_EV_NSH_RESERVED_TYPE },
        { 0, 0xf, 1, DECODE_EV_NSH_RESERVED_TYPE },
        { 0, 3, 1, DECODE_EV_NSH_UNSUPPORTED_TYPE },
        { 0, 2, 4, DECODE_EV_NSH_UNKNOWN_PAYLOAD },
        { 0, 2, 0x99, DECODE_EV_NSH_UNKNOWN_PAYLOAD },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        Frame f = { .n = 0 };
        put_eth(&f, 0x894f);
        put_nsh(&f, cases[i].version, 2, cases[i].md_type, cases[i].next);
        put_ip(&f);
        assert_opaque_with(&f, LINKTYPE_ETHERNET, cases[i].ev);
    }
}

static void nsh_every_truncation_is_safe(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_eth(&f, 0x894f);
    put_nsh(&f, 0, 6, 1, 3);
    put_eth(&f, 0x0800);
    put_ip(&f);
    assert_reaches_udp(&f, LINKTYPE_ETHERNET);
    dtu_for_each_truncation(&t, f.b, f.n, LINKTYPE_ETHERNET, NULL, NULL);
}

/* ---- ERSPAN through GRE ---- */

/* Ethernet / IPv4 proto 47 / GRE (flags, 0x88BE) [seq] / rest in body. */
static void put_ip_gre(Frame *f, uint16_t gre_flags, const Frame *body)
{
    uint32_t gre_len = 4 + ((gre_flags & 0x1000) ? 4 : 0);
    uint16_t total = (uint16_t)(20 + gre_len + body->n);
    put_eth(f, 0x0800);
    const uint8_t ip[] = { 0x45, 0, (uint8_t)(total >> 8), (uint8_t)total, 0, 1, 0, 0, 64, 47,
                           0, 0, 192, 0, 2, 1, 192, 0, 2, 2 };
    put(f, ip, sizeof(ip));
    put16(f, gre_flags);
    put16(f, 0x88be);
    if (gre_flags & 0x1000) {
        static const uint8_t seq[] = { 0, 0, 0, 7 };
        put(f, seq, sizeof(seq));
    }
    put(f, body->b, body->n);
}

static void erspan_type2_keeps_vlan_and_reaches_udp(void **state)
{
    (void)state;
    Frame body = { .n = 0 };
    static const uint8_t erspan[] = { 0x10, 0x64, 0x00, 0x05, 0x00, 0x00, 0x00, 0x09 };
    put(&body, erspan, sizeof(erspan)); // version 1, vlan 100, session 5
    put_eth(&body, 0x0800);
    put_ip(&body);
    Frame f = { .n = 0 };
    put_ip_gre(&f, 0x1000, &body);
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, f.b, f.n, LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->n_vlan, 1);
    assert_int_equal(p->vlan_id[0], 100);
    assert_int_equal(dtu_counter(&t, "decoder.erspan"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.vlan"), 0);
    dtu_packet_free(p);
}

static void erspan_type1_is_bare_ethernet(void **state)
{
    (void)state;
    Frame body = { .n = 0 };
    put_eth(&body, 0x0800);
    put_ip(&body);
    Frame f = { .n = 0 };
    put_ip_gre(&f, 0x0000, &body);
    assert_reaches_udp(&f, LINKTYPE_ETHERNET);
    assert_int_equal(dtu_counter(&t, "decoder.erspan"), 0);
}

static void erspan_bad_version_and_short_header(void **state)
{
    (void)state;
    Frame body = { .n = 0 };
    static const uint8_t v2[] = { 0x20, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x09 };
    put(&body, v2, sizeof(v2));
    put_eth(&body, 0x0800);
    put_ip(&body);
    Frame f = { .n = 0 };
    put_ip_gre(&f, 0x1000, &body);
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_ERSPAN_UNSUPPORTED_VERSION);
    body.n = 7;
    f.n = 0;
    put_ip_gre(&f, 0x1000, &body);
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_ERSPAN_HEADER_TOO_SMALL);
}

static void erspan_vlan_beyond_max_is_refused(void **state)
{
    (void)state;
    Frame body = { .n = 0 };
    static const uint8_t erspan[] = { 0x10, 0x64, 0x00, 0x05, 0x00, 0x00, 0x00, 0x09 };
    put(&body, erspan, sizeof(erspan));
    put_eth(&body, 0x0800);
    put_ip(&body);
    Frame f = { .n = 0 };
    put_eth(&f, 0x8100);
    for (int i = 0; i < PACKET_MAX_VLANS; i++) {
        put16(&f, (uint16_t)(10 + i));
        put16(&f, i + 1 < PACKET_MAX_VLANS ? 0x8100 : 0x0800);
    }
    Frame inner = { .n = 0 };
    put_ip_gre(&inner, 0x1000, &body);
    put(&f, inner.b + 14, inner.n - 14); // the IPv4/GRE part, behind the tags
    assert_invalid_with(&f, LINKTYPE_ETHERNET, DECODE_EV_ERSPAN_TOO_MANY_VLAN_LAYERS);
}

static void erspan_every_truncation_is_safe(void **state)
{
    (void)state;
    Frame body = { .n = 0 };
    static const uint8_t erspan[] = { 0x10, 0x64, 0x00, 0x05, 0x00, 0x00, 0x00, 0x09 };
    put(&body, erspan, sizeof(erspan));
    put_eth(&body, 0x0800);
    put_ip(&body);
    Frame f = { .n = 0 };
    put_ip_gre(&f, 0x1000, &body);
    dtu_for_each_truncation(&t, f.b, f.n, LINKTYPE_ETHERNET, NULL, NULL);
}

/* ---- Geneve ---- */

static void put_geneve(Frame *f, uint8_t opt_words, uint8_t flags, uint16_t type)
{
    const uint8_t hdr[] = { (uint8_t)(opt_words & 0x3f), flags, (uint8_t)(type >> 8),
                            (uint8_t)type, 0x00, 0x01, 0x02, 0x00 };
    put(f, hdr, sizeof(hdr));
}

static void geneve_decoded_directly(const Frame *f, int want_rc, bool want_inner)
{
    Packet *p = dtu_packet_new(f->b, f->n, LINKTYPE_ETHERNET);
    assert_non_null(p);
    assert_int_equal(decode_geneve(&t.dtv, p, p->data, p->caplen), want_rc);
    assert_int_equal(p->l3 == PKT_L3_IPV4, want_inner);
    assert_int_equal((p->flags & PKT_F_TUNNEL) != 0, want_inner);
    dtu_packet_free(p);
}

static void geneve_ipv4_payload_is_a_tunnel(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_geneve(&f, 0, 0, 0x0800);
    put_ip(&f);
    geneve_decoded_directly(&f, 0, true);
    assert_int_equal(dtu_counter(&t, "decoder.geneve"), 1);
}

static void geneve_options_are_skipped(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_geneve(&f, 3, 0x40, 0x6558); // O flag; options: 4 + 8 bytes
    static const uint8_t opts[] = { 0x01, 0x02, 0x80, 0x00, 0x01, 0x02, 0x03, 0x01,
                                    0xaa, 0xbb, 0xcc, 0xdd };
    put(&f, opts, sizeof(opts));
    put_eth(&f, 0x0800);
    put_ip(&f);
    geneve_decoded_directly(&f, 0, true);
}

static void geneve_malformed_header_is_not_geneve(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_geneve(&f, 1, 0, 0x0800); // 4 option bytes that claim 4 more of data
    static const uint8_t opt[] = { 0x01, 0x02, 0x80, 0x01 };
    put(&f, opt, sizeof(opt));
    put_ip(&f);
    geneve_decoded_directly(&f, VG_EINVAL, false);
    f.n = 0;
    put_geneve(&f, 0, 0x01, 0x0800); // a reserved flag bit
    put_ip(&f);
    geneve_decoded_directly(&f, VG_EINVAL, false);
    f.n = 0;
    put_geneve(&f, 0, 0, 0x0800);
    f.b[0] |= 0x40; // version 1
    put_ip(&f);
    geneve_decoded_directly(&f, VG_EINVAL, false);
    assert_int_equal(dtu_counter(&t, "decoder.geneve"), 0);
}

static void geneve_unknown_payload_type_is_invalid(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_geneve(&f, 0, 0, 0x1234);
    put_ip(&f);
    Packet *p = dtu_packet_new(f.b, f.n, LINKTYPE_ETHERNET);
    assert_int_equal(decode_geneve(&t.dtv, p, p->data, p->caplen), 0);
    assert_true(packet_has_event(p, DECODE_EV_GENEVE_UNKNOWN_PAYLOAD_TYPE));
    assert_true(p->flags & PKT_F_INVALID);
    dtu_packet_free(p);
}

static void geneve_through_udp_either_port(void **state)
{
    (void)state;
    for (int dir = 0; dir < 2; dir++) {
        Frame body = { .n = 0 };
        put_geneve(&body, 0, 0, 0x0800);
        put_ip(&body);
        uint16_t udp_len = (uint16_t)(8 + body.n);
        uint16_t total = (uint16_t)(20 + udp_len);
        Frame f = { .n = 0 };
        put_eth(&f, 0x0800);
        const uint8_t ip[] = { 0x45, 0, (uint8_t)(total >> 8), (uint8_t)total, 0, 1, 0, 0, 64,
                               17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2 };
        put(&f, ip, sizeof(ip));
        put16(&f, dir == 0 ? 40000 : 6081);
        put16(&f, dir == 0 ? 6081 : 40000);
        put16(&f, udp_len);
        put16(&f, 0);
        put(&f, body.b, body.n);
        Packet *p = NULL;
        assert_int_equal(dtu_decode(&t, f.b, f.n, LINKTYPE_ETHERNET, &p), 0);
        assert_true(p->flags & PKT_F_TUNNEL);
        assert_int_equal(p->dp, 53);
        dtu_packet_free(p);
    }
    assert_int_equal(dtu_counter(&t, "decoder.geneve"), 2);
}

static void geneve_every_truncation_is_safe(void **state)
{
    (void)state;
    Frame f = { .n = 0 };
    put_geneve(&f, 3, 0, 0x6558);
    static const uint8_t opts[] = { 0x01, 0x02, 0x80, 0x00, 0x01, 0x02, 0x03, 0x01,
                                    0xaa, 0xbb, 0xcc, 0xdd };
    put(&f, opts, sizeof(opts));
    put_eth(&f, 0x0800);
    put_ip(&f);
    for (uint32_t n = 0; n < f.n; n++) {
        Packet *p = dtu_packet_new(f.b, n, LINKTYPE_ETHERNET);
        assert_non_null(p);
        (void)decode_geneve(&t.dtv, p, p->data, n);
        dtu_packet_free(p);
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(chdlc_ipv4_reaches_udp),
        T(chdlc_shorter_than_header_is_too_small),
        T(chdlc_slarp_is_opaque_not_invalid),
        T(chdlc_every_truncation_is_safe),
        T(ppp_link_with_and_without_address_control),
        T(ppp_link_carrying_cisco_hdlc_is_chdlc),
        T(ppp_link_every_truncation_is_safe),
        T(fabricpath_inner_frame_reaches_udp),
        T(fabricpath_without_inner_header_is_too_small),
        T(fabricpath_nesting_is_bounded),
        T(ieee8021ah_reaches_customer_udp),
        T(ieee8021ah_short_tag_is_too_small),
        T(ieee8021ah_unknown_type_is_opaque),
        T(ieee8021ah_recursion_is_bounded),
        T(vntag_reaches_udp),
        T(vntag_then_vlan_reaches_udp),
        T(vntag_unknown_type_is_invalid),
        T(vntag_short_tag_is_too_small),
        T(nsh_md2_reaches_udp),
        T(nsh_md1_needs_24_bytes),
        T(nsh_length_covering_everything_is_bad),
        T(nsh_md2_shorter_than_base_header_is_bad),
        T(nsh_version_md_type_and_next_protocol_events),
        T(nsh_every_truncation_is_safe),
        T(erspan_type2_keeps_vlan_and_reaches_udp),
        T(erspan_type1_is_bare_ethernet),
        T(erspan_bad_version_and_short_header),
        T(erspan_vlan_beyond_max_is_refused),
        T(erspan_every_truncation_is_safe),
        T(geneve_ipv4_payload_is_a_tunnel),
        T(geneve_options_are_skipped),
        T(geneve_malformed_header_is_not_geneve),
        T(geneve_unknown_payload_type_is_invalid),
        T(geneve_through_udp_either_port),
        T(geneve_every_truncation_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
