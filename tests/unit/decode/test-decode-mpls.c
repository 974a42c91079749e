/* decode-mpls.c: label stack, reserved labels, payload guess, Ethernet
 * pseudowire. Sample bytes from gen-decode-samples.py. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "decode/decode-test-util.h"
#include "util/util-error.h"

/* Ether type 0x8847 / MPLS label 100 tc 0 S 0 ttl 64 / MPLS label 200 S 1 ttl 64 / ipv4_udp
 * (54 bytes) */
static const uint8_t mpls[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x88, 0x47, 0x00, 0x06, 0x40, 0x40, 0x00, 0x0c, 0x81, 0x40, 0x45, 0x00,
    0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xca, 0x0a, 0x00,
    0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x35, 0x00, 0x0c,
    0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
};
/* Ether type 0x8847 / MPLS label 1000 S 1 ttl 64 / control word 0 / eth_ipv4 (68 bytes) */
static const uint8_t mpls_pw[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x88, 0x47, 0x00, 0x3e, 0x81, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11,
    0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00,
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
#define BOTTOM_OFF 18u               // the second (bottom) entry of the mpls sample

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

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The mpls sample with its bottom label replaced. */
static Packet *decode_with_bottom_label(uint32_t label, int *rc)
{
    uint8_t frame[sizeof(mpls)];
    memcpy(frame, mpls, sizeof(frame));
    put_be32(frame + BOTTOM_OFF, label << 12 | 0x100u | 64u);
    Packet *p = NULL;
    *rc = dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p);
    return p;
}

static void label_stack_then_ipv4(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, mpls, sizeof(mpls), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_false(p->flags & PKT_F_TUNNEL);
    assert_int_equal(dtu_counter(&t, "decoder.mpls"), 1);
    dtu_packet_free(p);
}

static void check_mpls_truncation(DecodeTestCtx *tc, const Packet *p, uint32_t len, int rc,
                                  void *arg)
{
    (void)tc;
    (void)arg;
    assert_true(rc < 0);
    bool in_stack = len >= ETH_LEN && len < ETH_LEN + 8;
    assert_int_equal(packet_has_event(p, DECODE_EV_MPLS_HEADER_TOO_SMALL), in_stack);
    assert_int_equal(packet_has_event(p, DECODE_EV_MPLS_PKT_TOO_SMALL), len == ETH_LEN + 8);
}

static void every_truncation_is_safe(void **state)
{
    (void)state;
    dtu_for_each_truncation(&t, mpls, sizeof(mpls), LINKTYPE_ETHERNET, check_mpls_truncation,
                            NULL);
}

static void stack_without_bottom_runs_out(void **state)
{
    (void)state;
    uint8_t frame[ETH_LEN + 16];
    memcpy(frame, mpls, ETH_LEN);
    for (uint32_t i = 0; i < 4; i++) {
        put_be32(frame + ETH_LEN + 4 * i, 100u << 12 | 64u); // S bit never set
    }
    Packet *p = NULL;
    assert_true(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_MPLS_HEADER_TOO_SMALL));
    dtu_packet_free(p);
}

static void explicit_null_labels_pick_ip_version(void **state)
{
    (void)state;
    int rc;
    Packet *p = decode_with_bottom_label(0, &rc); // IPv4 explicit null
    assert_int_equal(rc, 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    dtu_packet_free(p);

    uint8_t frame[ETH_LEN + 4 + sizeof(ipv6_udp)];
    memcpy(frame, mpls, ETH_LEN);
    put_be32(frame + ETH_LEN, 2u << 12 | 0x100u | 64u); // IPv6 explicit null
    memcpy(frame + ETH_LEN + 4, ipv6_udp, sizeof(ipv6_udp));
    assert_int_equal(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV6);
    dtu_packet_free(p);
}

static void reserved_bottom_labels_are_invalid(void **state)
{
    (void)state;
    static const struct {
        uint32_t label;
        DecodeEvent ev;
    } cases[] = {
        { 1, DECODE_EV_MPLS_BAD_LABEL_ROUTER_ALERT },
        { 3, DECODE_EV_MPLS_BAD_LABEL_IMPLICIT_NULL },
        { 7, DECODE_EV_MPLS_BAD_LABEL_RESERVED },
        { 15, DECODE_EV_MPLS_BAD_LABEL_RESERVED },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc;
        Packet *p = decode_with_bottom_label(cases[i].label, &rc);
        assert_true(rc < 0);
        assert_true(packet_has_event(p, cases[i].ev));
        dtu_packet_free(p);
    }
}

static void maximum_label_is_decoded(void **state)
{
    (void)state;
    int rc;
    Packet *p = decode_with_bottom_label(0xFFFFF, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    dtu_packet_free(p);
}

static void unknown_payload_nibble_is_event_not_error(void **state)
{
    (void)state;
    uint8_t frame[sizeof(mpls)];
    memcpy(frame, mpls, sizeof(frame));
    frame[ETH_LEN + 8] = 0x55;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p), 0);
    assert_true(packet_has_event(p, DECODE_EV_MPLS_UNKNOWN_PAYLOAD_TYPE));
    assert_int_equal(p->l3, PKT_L3_NONE);
    dtu_packet_free(p);
}

static void pseudowire_carries_ethernet(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, mpls_pw, sizeof(mpls_pw), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->tunnel_depth, 1);
    assert_int_equal(dtu_counter(&t, "decoder.ethernet"), 2);
    dtu_packet_free(p);
}

static void check_pw_truncation(DecodeTestCtx *tc, const Packet *p, uint32_t len, int rc,
                                void *arg)
{
    (void)tc;
    (void)arg;
    assert_true(rc < 0);
    uint32_t after_stack = ETH_LEN + 4;
    bool pw_short = len >= after_stack && len < after_stack + 4 + ETH_LEN;
    assert_int_equal(packet_has_event(p, DECODE_EV_MPLS_PKT_TOO_SMALL), pw_short);
}

static void pseudowire_every_truncation_is_safe(void **state)
{
    (void)state;
    dtu_for_each_truncation(&t, mpls_pw, sizeof(mpls_pw), LINKTYPE_ETHERNET,
                            check_pw_truncation, NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(label_stack_then_ipv4),
        T(every_truncation_is_safe),
        T(stack_without_bottom_runs_out),
        T(explicit_null_labels_pick_ip_version),
        T(reserved_bottom_labels_are_invalid),
        T(maximum_label_is_decoded),
        T(unknown_payload_nibble_is_event_not_error),
        T(pseudowire_carries_ethernet),
        T(pseudowire_every_truncation_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
