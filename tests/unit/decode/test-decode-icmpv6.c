/* Tests of decode_icmpv6: types, codes, echo, MLD hop limit, embedded
 * headers, checksum. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "decode/ip-samples.h"
#include "decode/ip-test-util.h"

static int setup(void **state)
{
    DecodeTestCtx *t = calloc(1, sizeof(*t));
    dtu_setup(t, CHECKSUM_NONE);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    dtu_teardown(*state);
    free(*state);
    return 0;
}

#define UNREACH_ICMP (ipv6_icmpv6_unreach + 40)
#define UNREACH_ICMP_LEN ((uint32_t)sizeof(ipv6_icmpv6_unreach) - 40)

static Packet *run_icmp(DecodeTestCtx *t, const uint8_t *b, uint32_t len, int *rc)
{
    Packet *p = NULL;
    *rc = itu_decode_fn(t, decode_icmpv6, b, len, &p);
    return p;
}

static void expect_type_code_event(DecodeTestCtx *t, uint8_t type, uint8_t code,
                                   DecodeEvent ev)
{
    uint8_t b[56] = { type, code };
    memcpy(b + 8, ipv6_udp, 48);
    int rc;
    Packet *p = run_icmp(t, b, sizeof(b), &rc);
    assert_int_equal(rc, 0);
    assert_true(packet_has_event(p, ev));
    dtu_packet_free(p);
}

static void expect_no_event(DecodeTestCtx *t, uint8_t type, uint8_t code)
{
    uint8_t b[56] = { type, code };
    memcpy(b + 8, ipv6_udp, 48);
    int rc;
    Packet *p = run_icmp(t, b, sizeof(b), &rc);
    assert_int_equal(p->n_events, 0);
    dtu_packet_free(p);
}

static void icmpv6_decodes_echo_request(void **state)
{
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv6, ipv6_icmpv6_echo,
                                   sizeof(ipv6_icmpv6_echo), &p), 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->l4, PKT_L4_ICMPV6);
    assert_int_equal(p->proto, 58);
    assert_int_equal(p->icmp.type, 128);
    assert_true(p->icmp.has_id);
    assert_int_equal(p->icmp.id, 0x4321);
    assert_int_equal(p->icmp.seq, 9);
    assert_memory_equal(p->payload, "ping", 4);
    assert_int_equal(dtu_counter(*state, "decoder.icmpv6"), 1);
    dtu_packet_free(p);
}

static void icmpv6_unreachable_exposes_embedded_header(void **state)
{
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv6, ipv6_icmpv6_unreach,
                                   sizeof(ipv6_icmpv6_unreach), &p), 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->icmp.type, 1);
    assert_int_equal(p->icmp.code, 4);
    assert_true(p->icmp.has_emb);
    assert_int_equal(p->icmp.emb_proto, 17);
    assert_int_equal(p->icmp.emb_src.family, 6);
    assert_int_equal(p->icmp.emb_src.a.u8[15], 1);
    assert_int_equal(p->icmp.emb_dst.a.u8[15], 2);
    assert_int_equal(p->icmp.emb_sp, 5353);
    assert_int_equal(p->icmp.emb_dp, 53);
    assert_int_equal(p->src.a.u8[15], 2); // outer source kept
    dtu_packet_free(p);
}

static void icmpv6_every_truncation_is_handled(void **state)
{
    for (uint32_t n = 0; n < UNREACH_ICMP_LEN; n++) {
        int rc;
        Packet *p = run_icmp(*state, UNREACH_ICMP, n, &rc);
        if (n < 8) {
            assert_true(rc < 0);
            assert_true(packet_has_event(p, DECODE_EV_ICMPV6_PKT_TOO_SMALL));
        } else if (n < 48) {
            assert_true(packet_has_event(p, DECODE_EV_ICMPV6_IPV6_TRUNC_PKT));
            assert_false(p->icmp.has_emb);
        } else {
            assert_true(p->icmp.has_emb);
            assert_int_equal(p->icmp.emb_dp, n >= 52 ? 53 : 0);
        }
        dtu_packet_free(p);
    }
}

static void icmpv6_embedded_non_ipv6_is_unknown_version(void **state)
{
    uint8_t b[UNREACH_ICMP_LEN];
    memcpy(b, UNREACH_ICMP, sizeof(b));
    b[8] = 0x45;
    int rc;
    Packet *p = run_icmp(*state, b, sizeof(b), &rc);
    assert_true(packet_has_event(p, DECODE_EV_ICMPV6_IPV6_UNKNOWN_VERSION));
    dtu_packet_free(p);
}

static void icmpv6_mld_with_hop_limit_one_is_fine(void **state)
{
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv6, ipv6_mld_report,
                                   sizeof(ipv6_mld_report), &p), 0);
    assert_int_equal(p->icmp.type, 131);
    assert_true(p->ip6.exthdrs & IPV6_EXT_HOP);
    assert_false(packet_has_event(p, DECODE_EV_ICMPV6_MLD_MESSAGE_WITH_INVALID_HL));
    dtu_packet_free(p);
}

static void icmpv6_mld_with_other_hop_limit_is_noted(void **state)
{
    uint8_t b[sizeof(ipv6_mld_report)];
    memcpy(b, ipv6_mld_report, sizeof(b));
    b[7] = 255;
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv6, b, sizeof(b), &p), 0);
    assert_true(packet_has_event(p, DECODE_EV_ICMPV6_MLD_MESSAGE_WITH_INVALID_HL));
    dtu_packet_free(p);
}

static void icmpv6_type_classes_are_noted(void **state)
{
    expect_type_code_event(*state, 0, 0, DECODE_EV_ICMPV6_UNKNOWN_TYPE);
    expect_type_code_event(*state, 127, 0, DECODE_EV_ICMPV6_UNKNOWN_TYPE);
    expect_type_code_event(*state, 255, 0, DECODE_EV_ICMPV6_UNKNOWN_TYPE);
    expect_type_code_event(*state, 5, 0, DECODE_EV_ICMPV6_UNASSIGNED_TYPE);
    expect_type_code_event(*state, 99, 0, DECODE_EV_ICMPV6_UNASSIGNED_TYPE);
    expect_type_code_event(*state, 170, 0, DECODE_EV_ICMPV6_UNASSIGNED_TYPE);
    expect_type_code_event(*state, 254, 0, DECODE_EV_ICMPV6_UNASSIGNED_TYPE);
    expect_type_code_event(*state, 100, 0, DECODE_EV_ICMPV6_EXPERIMENTATION_TYPE);
    expect_type_code_event(*state, 201, 0, DECODE_EV_ICMPV6_EXPERIMENTATION_TYPE);
}

static void icmpv6_codes_are_checked(void **state)
{
    expect_type_code_event(*state, 1, 7, DECODE_EV_ICMPV6_UNKNOWN_CODE);
    expect_type_code_event(*state, 2, 1, DECODE_EV_ICMPV6_UNKNOWN_CODE);
    expect_type_code_event(*state, 3, 2, DECODE_EV_ICMPV6_UNKNOWN_CODE);
    expect_type_code_event(*state, 4, 3, DECODE_EV_ICMPV6_UNKNOWN_CODE);
    expect_type_code_event(*state, 128, 1, DECODE_EV_ICMPV6_UNKNOWN_CODE);
    expect_type_code_event(*state, 135, 1, DECODE_EV_ICMPV6_UNKNOWN_CODE);
    expect_type_code_event(*state, 138, 2, DECODE_EV_ICMPV6_UNKNOWN_CODE);
    expect_type_code_event(*state, 139, 3, DECODE_EV_ICMPV6_UNKNOWN_CODE);
    expect_no_event(*state, 138, 255);
    expect_no_event(*state, 139, 2);
    expect_no_event(*state, 136, 0);
    expect_no_event(*state, 1, 6);
}

static void icmpv6_checksum_is_validated(void **state)
{
    DecodeTestCtx *t = *state;
    t->dtv.validate_checksums = true;
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(t, decode_ipv6, ipv6_icmpv6_echo, sizeof(ipv6_icmpv6_echo),
                                   &p), 0);
    assert_false(p->icmp.csum_bad);
    dtu_packet_free(p);
    uint8_t b[sizeof(ipv6_icmpv6_echo)];
    memcpy(b, ipv6_icmpv6_echo, sizeof(b));
    b[sizeof(b) - 2] ^= 0x10;
    assert_int_equal(itu_decode_fn(t, decode_ipv6, b, sizeof(b), &p), 0);
    assert_true(p->icmp.csum_bad);
    assert_true(p->flags & PKT_F_L4_CSUM_BAD);
    assert_int_equal(dtu_counter(t, "decoder.l4_csum_bad"), 1);
    dtu_packet_free(p);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(icmpv6_decodes_echo_request),
        T(icmpv6_unreachable_exposes_embedded_header),
        T(icmpv6_every_truncation_is_handled),
        T(icmpv6_embedded_non_ipv6_is_unknown_version),
        T(icmpv6_mld_with_hop_limit_one_is_fine),
        T(icmpv6_mld_with_other_hop_limit_is_noted),
        T(icmpv6_type_classes_are_noted),
        T(icmpv6_codes_are_checked),
        T(icmpv6_checksum_is_validated),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
