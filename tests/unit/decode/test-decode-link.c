/* decode-sll.c, decode-null.c, decode-raw.c and the linktype dispatch of
 * decode.c. Sample bytes from gen-decode-samples.py. */

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
/* SLL pkttype 0 (host) arphrd 1 addrlen 6 addr 66:77:88:99:aa:bb proto 0x0800 / ipv4_udp (48
 * bytes) */
static const uint8_t sll[] = {
    0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00,
    0x40, 0x11, 0x66, 0xca, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
    0x04, 0x00, 0x00, 0x35, 0x00, 0x0c, 0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
};
/* SLL2 proto 0x86dd ifindex 2 arphrd 1 pkttype 0 addrlen 6 addr 66:77:88:99:aa:bb / ipv6_udp
 * (72 bytes) */
static const uint8_t sll2[] = {
    0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x06,
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
    0x00, 0x0c, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x04, 0x00, 0x00, 0x35, 0x00, 0x0c, 0xdb, 0x65, 0x61, 0x62, 0x63, 0x64,
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

/* A 4-byte NULL/LOOP header followed by ipv4_udp or ipv6_udp. */
static uint32_t build_null(uint8_t *buf, const uint8_t hdr[4], bool v6)
{
    memcpy(buf, hdr, 4);
    if (v6) {
        memcpy(buf + 4, ipv6_udp, sizeof(ipv6_udp));
        return 4 + (uint32_t)sizeof(ipv6_udp);
    }
    memcpy(buf + 4, ipv4_udp, sizeof(ipv4_udp));
    return 4 + (uint32_t)sizeof(ipv4_udp);
}

static uint8_t decode_null_l3(const uint8_t hdr[4], bool v6, int linktype)
{
    uint8_t buf[128];
    uint32_t len = build_null(buf, hdr, v6);
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, buf, len, linktype, &p), 0);
    uint8_t l3 = p->l3;
    dtu_packet_free(p);
    return l3;
}

static void sll_reaches_ipv4(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, sll, sizeof(sll), LINKTYPE_LINUX_SLL, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(dtu_counter(&t, "decoder.sll"), 1);
    dtu_packet_free(p);
}

static void sll2_reaches_ipv6(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, sll2, sizeof(sll2), LINKTYPE_LINUX_SLL2, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV6);
    assert_int_equal(dtu_counter(&t, "decoder.sll2"), 1);
    dtu_packet_free(p);
}

static void check_sll_truncation(DecodeTestCtx *tc, const Packet *p, uint32_t len, int rc,
                                 void *arg)
{
    (void)tc;
    uint32_t hlen = *(const uint32_t *)arg;
    assert_int_equal(packet_has_event(p, DECODE_EV_SLL_PKT_TOO_SMALL), len < hlen);
    if (len < hlen) {
        assert_true(rc < 0);
    }
}

static void sll_every_truncation_is_safe(void **state)
{
    (void)state;
    uint32_t hlen = 16;
    dtu_for_each_truncation(&t, sll, sizeof(sll), LINKTYPE_LINUX_SLL, check_sll_truncation,
                            &hlen);
    assert_int_equal(dtu_counter(&t, "decoder.sll"), sizeof(sll) - hlen);
}

static void sll2_every_truncation_is_safe(void **state)
{
    (void)state;
    uint32_t hlen = 20;
    dtu_for_each_truncation(&t, sll2, sizeof(sll2), LINKTYPE_LINUX_SLL2, check_sll_truncation,
                            &hlen);
    assert_int_equal(dtu_counter(&t, "decoder.sll2"), sizeof(sll2) - hlen);
}

static void sll_unknown_protocol_is_opaque_not_invalid(void **state)
{
    (void)state;
    uint8_t buf[sizeof(sll)];
    memcpy(buf, sll, sizeof(buf));
    buf[14] = 0x00; // protocol 0x0004: 802.2 LLC
    buf[15] = 0x04;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, buf, sizeof(buf), LINKTYPE_LINUX_SLL, &p), 0);
    assert_int_equal(p->l3, PKT_L3_NONE);
    assert_false(p->flags & PKT_F_INVALID);
    dtu_packet_free(p);
}

static void null_host_order_af_inet_is_ipv4(void **state)
{
    (void)state;
    static const uint8_t le[4] = { 2, 0, 0, 0 };
    assert_int_equal(decode_null_l3(le, false, LINKTYPE_NULL), PKT_L3_IPV4);
    assert_int_equal(dtu_counter(&t, "decoder.null"), 1);
}

static void loop_network_order_af_inet_is_ipv4(void **state)
{
    (void)state;
    static const uint8_t be[4] = { 0, 0, 0, 2 };
    assert_int_equal(decode_null_l3(be, false, LINKTYPE_LOOP), PKT_L3_IPV4);
}

static void null_every_af_inet6_value_is_ipv6(void **state)
{
    (void)state;
    static const uint8_t fams[] = { 10, 24, 28, 30 };
    for (size_t i = 0; i < sizeof(fams); i++) {
        const uint8_t le[4] = { fams[i], 0, 0, 0 };
        const uint8_t be[4] = { 0, 0, 0, fams[i] };
        assert_int_equal(decode_null_l3(le, true, LINKTYPE_NULL), PKT_L3_IPV6);
        assert_int_equal(decode_null_l3(be, true, LINKTYPE_LOOP), PKT_L3_IPV6);
    }
}

static void null_unsupported_family_is_invalid(void **state)
{
    (void)state;
    static const uint8_t hdrs[][4] = { { 7, 0, 0, 0 }, { 0xFF, 0xFF, 0xFF, 0xFF } };
    for (size_t i = 0; i < 2; i++) {
        uint8_t buf[128];
        uint32_t len = build_null(buf, hdrs[i], false);
        Packet *p = NULL;
        assert_true(dtu_decode(&t, buf, len, LINKTYPE_NULL, &p) < 0);
        assert_true(packet_has_event(p, DECODE_EV_LTNULL_UNSUPPORTED_TYPE));
        dtu_packet_free(p);
    }
}

static void check_null_truncation(DecodeTestCtx *tc, const Packet *p, uint32_t len, int rc,
                                  void *arg)
{
    (void)tc;
    (void)arg;
    assert_int_equal(packet_has_event(p, DECODE_EV_LTNULL_PKT_TOO_SMALL), len < 4);
    assert_true(rc < 0); // the IPv4 packet is cut short in every prefix
}

static void null_every_truncation_is_safe(void **state)
{
    (void)state;
    static const uint8_t le[4] = { 2, 0, 0, 0 };
    uint8_t buf[128];
    uint32_t len = build_null(buf, le, false);
    dtu_for_each_truncation(&t, buf, len, LINKTYPE_NULL, check_null_truncation, NULL);
}

static void raw_picks_version_from_first_nibble(void **state)
{
    (void)state;
    static const int raw_types[] = { LINKTYPE_RAW, LINKTYPE_RAW_12, LINKTYPE_RAW_14 };
    for (size_t i = 0; i < 3; i++) {
        Packet *p = NULL;
        assert_int_equal(dtu_decode(&t, ipv4_udp, sizeof(ipv4_udp), raw_types[i], &p), 0);
        assert_int_equal(p->l3, PKT_L3_IPV4);
        dtu_packet_free(p);
        assert_int_equal(dtu_decode(&t, ipv6_udp, sizeof(ipv6_udp), raw_types[i], &p), 0);
        assert_int_equal(p->l3, PKT_L3_IPV6);
        dtu_packet_free(p);
    }
    assert_int_equal(dtu_counter(&t, "decoder.raw"), 6);
}

static void raw_other_version_is_invalid(void **state)
{
    (void)state;
    uint8_t buf[sizeof(ipv4_udp)];
    memcpy(buf, ipv4_udp, sizeof(buf));
    buf[0] = 0x55;
    Packet *p = NULL;
    assert_true(dtu_decode(&t, buf, sizeof(buf), LINKTYPE_RAW, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_IPRAW_INVALID_IP_VERSION));
    dtu_packet_free(p);
}

static void raw_empty_is_invalid(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_true(dtu_decode(&t, ipv4_udp, 0, LINKTYPE_RAW, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_IPV4_PKT_TOO_SMALL));
    dtu_packet_free(p);
}

static void raw_every_truncation_is_safe(void **state)
{
    (void)state;
    dtu_for_each_truncation(&t, ipv6_udp, sizeof(ipv6_udp), LINKTYPE_RAW, NULL, NULL);
    assert_int_equal(dtu_counter(&t, "decoder.raw"), sizeof(ipv6_udp) - 1);
}

static void ipv4_and_ipv6_linktypes_have_no_link_header(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, ipv4_udp, sizeof(ipv4_udp), LINKTYPE_IPV4, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    dtu_packet_free(p);
    assert_int_equal(dtu_decode(&t, ipv6_udp, sizeof(ipv6_udp), LINKTYPE_IPV6, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV6);
    dtu_packet_free(p);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(sll_reaches_ipv4),
        T(sll2_reaches_ipv6),
        T(sll_every_truncation_is_safe),
        T(sll2_every_truncation_is_safe),
        T(sll_unknown_protocol_is_opaque_not_invalid),
        T(null_host_order_af_inet_is_ipv4),
        T(loop_network_order_af_inet_is_ipv4),
        T(null_every_af_inet6_value_is_ipv6),
        T(null_unsupported_family_is_invalid),
        T(null_every_truncation_is_safe),
        T(raw_picks_version_from_first_nibble),
        T(raw_other_version_is_invalid),
        T(raw_empty_is_invalid),
        T(raw_every_truncation_is_safe),
        T(ipv4_and_ipv6_linktypes_have_no_link_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
