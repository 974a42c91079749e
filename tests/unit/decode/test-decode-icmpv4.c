/* Tests of decode_icmpv4: types, codes, identifiers, embedded headers. */

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

#define UNREACH_ICMP (ipv4_icmp_unreach + 20)
#define UNREACH_ICMP_LEN ((uint32_t)sizeof(ipv4_icmp_unreach) - 20)

static Packet *run_icmp(DecodeTestCtx *t, const uint8_t *b, uint32_t len, int *rc)
{
    Packet *p = NULL;
    *rc = itu_decode_fn(t, decode_icmpv4, b, len, &p);
    return p;
}

static void expect_type_code_event(DecodeTestCtx *t, uint8_t type, uint8_t code,
                                   DecodeEvent ev)
{
    uint8_t b[36] = { type, code };
    memcpy(b + 8, ipv4_udp, 28);
    int rc;
    Packet *p = run_icmp(t, b, sizeof(b), &rc);
    assert_int_equal(rc, 0);
    assert_true(packet_has_event(p, ev));
    dtu_packet_free(p);
}

static void icmpv4_decodes_echo_request(void **state)
{
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv4, ipv4_icmp_echo, sizeof(ipv4_icmp_echo),
                                   &p), 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->l4, PKT_L4_ICMPV4);
    assert_int_equal(p->proto, 1);
    assert_int_equal(p->icmp.type, 8);
    assert_int_equal(p->icmp.code, 0);
    assert_true(p->icmp.has_id);
    assert_int_equal(p->icmp.id, 0x1234);
    assert_int_equal(p->icmp.seq, 1);
    assert_false(p->icmp.has_emb);
    assert_int_equal(p->payload_len, 4);
    assert_memory_equal(p->payload, "ping", 4);
    assert_int_equal(dtu_counter(*state, "decoder.icmpv4"), 1);
    dtu_packet_free(p);
}

static void icmpv4_unreachable_exposes_embedded_header(void **state)
{
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv4, ipv4_icmp_unreach,
                                   sizeof(ipv4_icmp_unreach), &p), 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->icmp.type, 3);
    assert_int_equal(p->icmp.code, 3);
    assert_false(p->icmp.has_id);
    assert_true(p->icmp.has_emb);
    assert_int_equal(p->icmp.emb_proto, 17);
    assert_int_equal(p->icmp.emb_src.family, 4);
    assert_memory_equal(p->icmp.emb_src.a.u8, ((uint8_t[]){ 192, 0, 2, 1 }), 4);
    assert_memory_equal(p->icmp.emb_dst.a.u8, ((uint8_t[]){ 198, 51, 100, 2 }), 4);
    assert_int_equal(p->icmp.emb_sp, 5353);
    assert_int_equal(p->icmp.emb_dp, 53);
    /* The packet's own view stays the outer header. */
    assert_memory_equal(p->src.a.u8, ((uint8_t[]){ 198, 51, 100, 2 }), 4);
    assert_int_equal(p->ip4.proto, 1);
    assert_ptr_equal(p->ip4.hdr, p->data);
    assert_int_equal(p->ip4.id, 5);
    assert_int_equal(p->sp, 0);
    dtu_packet_free(p);
}

static void icmpv4_every_truncation_is_handled(void **state)
{
    for (uint32_t n = 0; n < UNREACH_ICMP_LEN; n++) {
        int rc;
        Packet *p = run_icmp(*state, UNREACH_ICMP, n, &rc);
        if (n < 8) {
            assert_true(rc < 0);
            assert_true(packet_has_event(p, DECODE_EV_ICMPV4_PKT_TOO_SMALL));
        } else if (n < 28) {
            assert_int_equal(rc, 0);
            assert_true(packet_has_event(p, DECODE_EV_ICMPV4_IPV4_TRUNC_PKT));
            assert_false(p->icmp.has_emb);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(p->n_events, 0);
            assert_true(p->icmp.has_emb);
            assert_int_equal(p->icmp.emb_dp, n >= 32 ? 53 : 0);
        }
        dtu_packet_free(p);
    }
}

static void icmpv4_embedded_header_with_options_beyond_data_is_truncated(void **state)
{
    uint8_t b[UNREACH_ICMP_LEN];
    memcpy(b, UNREACH_ICMP, sizeof(b));
    b[8] = 0x4f;                 // 60-byte embedded header, 28 bytes quoted
    int rc;
    Packet *p = run_icmp(*state, b, sizeof(b), &rc);
    assert_true(packet_has_event(p, DECODE_EV_ICMPV4_IPV4_TRUNC_PKT));
    assert_false(p->icmp.has_emb);
    dtu_packet_free(p);
}

static void icmpv4_embedded_non_ipv4_is_unknown_version(void **state)
{
    uint8_t b[UNREACH_ICMP_LEN];
    memcpy(b, UNREACH_ICMP, sizeof(b));
    b[8] = 0x65;
    int rc;
    Packet *p = run_icmp(*state, b, sizeof(b), &rc);
    assert_true(packet_has_event(p, DECODE_EV_ICMPV4_IPV4_UNKNOWN_VER));
    assert_false(p->icmp.has_emb);
    dtu_packet_free(p);
}

static void icmpv4_error_types_all_carry_embedded_header(void **state)
{
    const uint8_t types[] = { 3, 4, 5, 11, 12 };
    for (size_t i = 0; i < sizeof(types); i++) {
        uint8_t b[UNREACH_ICMP_LEN];
        memcpy(b, UNREACH_ICMP, sizeof(b));
        b[0] = types[i];
        b[1] = 0;
        int rc;
        Packet *p = run_icmp(*state, b, sizeof(b), &rc);
        assert_int_equal(p->n_events, 0);
        assert_true(p->icmp.has_emb);
        dtu_packet_free(p);
    }
}

static void icmpv4_unknown_types_are_noted(void **state)
{
    const uint8_t types[] = { 1, 2, 6, 7, 9, 10, 19, 42, 255 };
    for (size_t i = 0; i < sizeof(types); i++) {
        expect_type_code_event(*state, types[i], 0, DECODE_EV_ICMPV4_UNKNOWN_TYPE);
    }
}

static void icmpv4_out_of_range_codes_are_noted(void **state)
{
    expect_type_code_event(*state, 0, 1, DECODE_EV_ICMPV4_UNKNOWN_CODE);
    expect_type_code_event(*state, 8, 1, DECODE_EV_ICMPV4_UNKNOWN_CODE);
    expect_type_code_event(*state, 3, 16, DECODE_EV_ICMPV4_UNKNOWN_CODE);
    expect_type_code_event(*state, 4, 1, DECODE_EV_ICMPV4_UNKNOWN_CODE);
    expect_type_code_event(*state, 5, 4, DECODE_EV_ICMPV4_UNKNOWN_CODE);
    expect_type_code_event(*state, 11, 2, DECODE_EV_ICMPV4_UNKNOWN_CODE);
    expect_type_code_event(*state, 12, 3, DECODE_EV_ICMPV4_UNKNOWN_CODE);
    expect_type_code_event(*state, 13, 1, DECODE_EV_ICMPV4_UNKNOWN_CODE);
    expect_type_code_event(*state, 17, 1, DECODE_EV_ICMPV4_UNKNOWN_CODE);
}

static void icmpv4_informational_types_carry_id_and_seq(void **state)
{
    const uint8_t types[] = { 0, 8, 13, 14, 15, 16, 17, 18 };
    for (size_t i = 0; i < sizeof(types); i++) {
        uint8_t b[20] = { types[i], 0, 0, 0, 0xab, 0xcd, 0x00, 0x07 };
        int rc;
        Packet *p = run_icmp(*state, b, sizeof(b), &rc);
        assert_int_equal(p->n_events, 0);
        assert_true(p->icmp.has_id);
        assert_int_equal(p->icmp.id, 0xabcd);
        assert_int_equal(p->icmp.seq, 7);
        dtu_packet_free(p);
    }
}

static void icmpv4_checksum_is_validated(void **state)
{
    DecodeTestCtx *t = *state;
    t->dtv.validate_checksums = true;
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(t, decode_ipv4, ipv4_icmp_echo, sizeof(ipv4_icmp_echo), &p),
                     0);
    assert_false(p->icmp.csum_bad);
    dtu_packet_free(p);
    uint8_t b[sizeof(ipv4_icmp_echo)];
    memcpy(b, ipv4_icmp_echo, sizeof(b));
    b[sizeof(b) - 1] ^= 0x01;
    assert_int_equal(itu_decode_fn(t, decode_ipv4, b, sizeof(b), &p), 0);
    assert_true(p->icmp.csum_bad);
    assert_true(p->flags & PKT_F_L4_CSUM_BAD);
    dtu_packet_free(p);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(icmpv4_decodes_echo_request),
        T(icmpv4_unreachable_exposes_embedded_header),
        T(icmpv4_every_truncation_is_handled),
        T(icmpv4_embedded_header_with_options_beyond_data_is_truncated),
        T(icmpv4_embedded_non_ipv4_is_unknown_version),
        T(icmpv4_error_types_all_carry_embedded_header),
        T(icmpv4_unknown_types_are_noted),
        T(icmpv4_out_of_range_codes_are_noted),
        T(icmpv4_informational_types_carry_id_and_seq),
        T(icmpv4_checksum_is_validated),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
