/* decode-pppoe.c and decode-ppp.c. Sample bytes from gen-decode-samples.py. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "decode/decode-test-util.h"
#include "util/util-error.h"

/* Ether type 0x8864 / PPPoE ver 1 type 1 code 0 session 0x0001 len 34 / PPP proto 0x0021 /
 * ipv4_udp (54 bytes) */
static const uint8_t pppoe_sess[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x88, 0x64, 0x11, 0x00, 0x00, 0x01, 0x00, 0x22, 0x00, 0x21, 0x45, 0x00,
    0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xca, 0x0a, 0x00,
    0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x35, 0x00, 0x0c,
    0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
};
/* Ether type 0x8863 / PPPoE PADI session 0 len 12 / tag Service-Name (0x0101) len 0, tag Host-
 * Uniq (0x0103) len 4 0xdeadbeef (32 bytes) */
static const uint8_t pppoe_padi[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x88, 0x63, 0x11, 0x09, 0x00, 0x00, 0x00, 0x0c, 0x01, 0x01, 0x00, 0x00,
    0x01, 0x03, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef,
};
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

#define ETH_LEN 14u
#define PPPOE_LEN 6u

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

/* Calls decode_ppp directly on an exact copy of bytes. */
static int ppp_direct(const uint8_t *bytes, uint32_t len, Packet **out)
{
    Packet *p = dtu_packet_new(bytes, len, LINKTYPE_RAW);
    int rc = decode_ppp(&t.dtv, p, p->data, len);
    *out = p;
    return rc;
}

static void pppoe_session_reaches_ipv4(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, pppoe_sess, sizeof(pppoe_sess), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(dtu_counter(&t, "decoder.pppoe"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.ppp"), 1);
    dtu_packet_free(p);
}

static void check_session_truncation(DecodeTestCtx *tc, const Packet *p, uint32_t len, int rc,
                                     void *arg)
{
    (void)tc;
    (void)arg;
    /* Short header, or a payload length field larger than what is left. */
    bool too_small = len >= ETH_LEN;
    assert_int_equal(packet_has_event(p, DECODE_EV_PPPOE_PKT_TOO_SMALL), too_small);
    assert_true(rc < 0);
}

static void pppoe_session_every_truncation_is_safe(void **state)
{
    (void)state;
    dtu_for_each_truncation(&t, pppoe_sess, sizeof(pppoe_sess), LINKTYPE_ETHERNET,
                            check_session_truncation, NULL);
}

static void pppoe_session_length_field_max_is_too_small(void **state)
{
    (void)state;
    uint8_t frame[sizeof(pppoe_sess)];
    memcpy(frame, pppoe_sess, sizeof(frame));
    frame[ETH_LEN + 4] = 0xFF;
    frame[ETH_LEN + 5] = 0xFF;
    Packet *p = NULL;
    assert_true(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_PPPOE_PKT_TOO_SMALL));
    dtu_packet_free(p);
}

static void pppoe_session_ethernet_padding_is_ignored(void **state)
{
    (void)state;
    uint8_t frame[sizeof(pppoe_sess) + 10] = { 0 };
    memcpy(frame, pppoe_sess, sizeof(pppoe_sess));
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    dtu_packet_free(p);
}

static void pppoe_session_short_length_field_cuts_ppp(void **state)
{
    (void)state;
    uint8_t frame[sizeof(pppoe_sess)];
    memcpy(frame, pppoe_sess, sizeof(frame));
    frame[ETH_LEN + 4] = 0x00;
    frame[ETH_LEN + 5] = 0x02; // PPP protocol only, no IPv4 header
    Packet *p = NULL;
    assert_true(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_PPP_IP4_PKT_TOO_SMALL));
    dtu_packet_free(p);
}

static void pppoe_session_nonzero_code_is_wrong_code(void **state)
{
    (void)state;
    uint8_t frame[sizeof(pppoe_sess)];
    memcpy(frame, pppoe_sess, sizeof(frame));
    frame[ETH_LEN + 1] = 0x09;
    Packet *p = NULL;
    assert_true(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_PPPOE_WRONG_CODE));
    dtu_packet_free(p);
}

static void pppoe_padi_with_tags_is_valid(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, pppoe_padi, sizeof(pppoe_padi), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(dtu_counter(&t, "decoder.pppoe"), 1);
    dtu_packet_free(p);
}

static void check_padi_truncation(DecodeTestCtx *tc, const Packet *p, uint32_t len, int rc,
                                  void *arg)
{
    (void)tc;
    (void)arg;
    assert_true(rc < 0);
    bool hdr_short = len >= ETH_LEN && len < ETH_LEN + PPPOE_LEN;
    assert_int_equal(packet_has_event(p, DECODE_EV_PPPOE_PKT_TOO_SMALL), hdr_short);
    assert_int_equal(packet_has_event(p, DECODE_EV_PPPOE_MALFORMED_TAGS),
                     len >= ETH_LEN + PPPOE_LEN);
}

static void pppoe_padi_every_truncation_is_safe(void **state)
{
    (void)state;
    dtu_for_each_truncation(&t, pppoe_padi, sizeof(pppoe_padi), LINKTYPE_ETHERNET,
                            check_padi_truncation, NULL);
}

static void pppoe_tag_longer_than_payload_is_malformed(void **state)
{
    (void)state;
    uint8_t frame[sizeof(pppoe_padi)];
    memcpy(frame, pppoe_padi, sizeof(frame));
    frame[ETH_LEN + PPPOE_LEN + 6] = 0xFF; // Host-Uniq length 0xFFFF
    frame[ETH_LEN + PPPOE_LEN + 7] = 0xFF;
    Packet *p = NULL;
    assert_true(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_PPPOE_MALFORMED_TAGS));
    dtu_packet_free(p);
}

static void pppoe_discovery_unknown_code_is_wrong_code(void **state)
{
    (void)state;
    uint8_t frame[sizeof(pppoe_padi)];
    memcpy(frame, pppoe_padi, sizeof(frame));
    frame[ETH_LEN + 1] = 0x42;
    Packet *p = NULL;
    assert_true(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_PPPOE_WRONG_CODE));
    dtu_packet_free(p);
}

static void ppp_address_control_and_compressed_protocol(void **state)
{
    (void)state;
    uint8_t buf[3 + sizeof(ipv4_udp)] = { 0xFF, 0x03, 0x21 }; // PFC: 0x21 means 0x0021
    memcpy(buf + 3, ipv4_udp, sizeof(ipv4_udp));
    Packet *p = NULL;
    assert_int_equal(ppp_direct(buf, sizeof(buf), &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    dtu_packet_free(p);
}

static void ppp_address_without_control_is_wrong_type(void **state)
{
    (void)state;
    static const uint8_t bad[] = { 0xFF, 0x05, 0x00, 0x21 };
    Packet *p = NULL;
    assert_true(ppp_direct(bad, sizeof(bad), &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_PPP_WRONG_TYPE));
    dtu_packet_free(p);
    assert_true(ppp_direct(bad, 1, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_PPP_PKT_TOO_SMALL));
    dtu_packet_free(p);
}

static void ppp_ipv6(void **state)
{
    (void)state;
    uint8_t buf[2 + sizeof(ipv6_udp)] = { 0x00, 0x57 };
    memcpy(buf + 2, ipv6_udp, sizeof(ipv6_udp));
    Packet *p = NULL;
    assert_int_equal(ppp_direct(buf, sizeof(buf), &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV6);
    dtu_packet_free(p);
}

static void ppp_short_ip_payloads_raise_their_events(void **state)
{
    (void)state;
    static const struct {
        uint8_t proto[2];
        DecodeEvent ev;
    } cases[] = {
        { { 0x00, 0x21 }, DECODE_EV_PPP_IP4_PKT_TOO_SMALL },
        { { 0x00, 0x57 }, DECODE_EV_PPP_IP6_PKT_TOO_SMALL },
        { { 0x00, 0x2F }, DECODE_EV_PPP_VJU_PKT_TOO_SMALL },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[2 + 19];
        memcpy(buf, cases[i].proto, 2);
        memcpy(buf + 2, ipv6_udp, 19);
        Packet *p = NULL;
        assert_true(ppp_direct(buf, sizeof(buf), &p) < 0);
        assert_true(packet_has_event(p, cases[i].ev));
        dtu_packet_free(p);
    }
}

static void ppp_control_protocol_is_unsupported_not_invalid(void **state)
{
    (void)state;
    static const uint8_t lcp[] = { 0xC0, 0x21, 0x01, 0x01, 0x00, 0x04 };
    Packet *p = NULL;
    assert_int_equal(ppp_direct(lcp, sizeof(lcp), &p), 0);
    assert_true(packet_has_event(p, DECODE_EV_PPP_UNSUP_PROTO));
    dtu_packet_free(p);
}

static void ppp_malformed_protocol_number_is_wrong_type(void **state)
{
    (void)state;
    static const uint8_t bad[][2] = { { 0x00, 0x20 }, { 0xC0, 0x22 }, { 0xFE, 0xFE } };
    for (size_t i = 0; i < 3; i++) {
        Packet *p = NULL;
        assert_true(ppp_direct(bad[i], 2, &p) < 0);
        assert_true(packet_has_event(p, DECODE_EV_PPP_WRONG_TYPE));
        dtu_packet_free(p);
    }
}

static void ppp_empty_and_one_even_byte_are_too_small(void **state)
{
    (void)state;
    static const uint8_t one[] = { 0x00 };
    Packet *p = NULL;
    assert_true(ppp_direct(one, 0, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_PPP_PKT_TOO_SMALL));
    dtu_packet_free(p);
    assert_true(ppp_direct(one, 1, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_PPP_PKT_TOO_SMALL));
    dtu_packet_free(p);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(pppoe_session_reaches_ipv4),
        T(pppoe_session_every_truncation_is_safe),
        T(pppoe_session_length_field_max_is_too_small),
        T(pppoe_session_ethernet_padding_is_ignored),
        T(pppoe_session_short_length_field_cuts_ppp),
        T(pppoe_session_nonzero_code_is_wrong_code),
        T(pppoe_padi_with_tags_is_valid),
        T(pppoe_padi_every_truncation_is_safe),
        T(pppoe_tag_longer_than_payload_is_malformed),
        T(pppoe_discovery_unknown_code_is_wrong_code),
        T(ppp_address_control_and_compressed_protocol),
        T(ppp_address_without_control_is_wrong_type),
        T(ppp_ipv6),
        T(ppp_short_ip_payloads_raise_their_events),
        T(ppp_control_protocol_is_unsupported_not_invalid),
        T(ppp_malformed_protocol_number_is_wrong_type),
        T(ppp_empty_and_one_even_byte_are_too_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
