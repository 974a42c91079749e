/* Tests of decode_tcp: header lengths, options, payload bounds. */

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

/* The TCP part of the SYN sample (40 bytes: 20 + MSS, SACKOK, TS, NOP, WS). */
#define SYN_TCP (ipv4_tcp_syn + 20)
#define SYN_TCP_LEN ((uint32_t)sizeof(ipv4_tcp_syn) - 20)

static int run_tcp(DecodeTestCtx *t, const uint8_t *b, uint32_t len, Packet **p)
{
    return itu_decode_fn(t, decode_tcp, b, len, p);
}

/* SYN sample header (20 bytes, data offset 10) followed by 20 option bytes. */
static Packet *run_opts(DecodeTestCtx *t, const uint8_t opts[20], int *rc)
{
    uint8_t b[40];
    memcpy(b, SYN_TCP, 20);
    memcpy(b + 20, opts, 20);
    Packet *p = NULL;
    *rc = run_tcp(t, b, sizeof(b), &p);
    return p;
}

static void expect_opt_event(DecodeTestCtx *t, const uint8_t opts[20], DecodeEvent ev)
{
    int rc;
    Packet *p = run_opts(t, opts, &rc);
    assert_int_equal(rc, 0);
    assert_true(packet_has_event(p, ev));
    dtu_packet_free(p);
}

static void tcp_decodes_syn_sample(void **state)
{
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv4, ipv4_tcp_syn, sizeof(ipv4_tcp_syn), &p),
                     0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->l4, PKT_L4_TCP);
    assert_int_equal(p->proto, 6);
    assert_int_equal(p->sp, 40000);
    assert_int_equal(p->dp, 80);
    assert_int_equal(p->tcp.seq, 1000);
    assert_int_equal(p->tcp.flags, TH_SYN);
    assert_int_equal(p->tcp.win, 64240);
    assert_int_equal(p->tcp.hlen, 40);
    assert_true(p->tcp.has_mss);
    assert_int_equal(p->tcp.mss, 1460);
    assert_true(p->tcp.has_sackok);
    assert_true(p->tcp.has_ts);
    assert_int_equal(p->tcp.ts_val, 11);
    assert_int_equal(p->tcp.ts_ecr, 0);
    assert_true(p->tcp.has_wscale);
    assert_int_equal(p->tcp.wscale, 7);
    assert_int_equal(p->payload_len, 0);
    assert_int_equal(dtu_counter(*state, "decoder.tcp"), 1);
    dtu_packet_free(p);
}

static void tcp_payload_is_bounded_by_ip_datagram(void **state)
{
    uint8_t b[sizeof(ipv4_tcp_data) + 6] = { 0 };
    memcpy(b, ipv4_tcp_data, sizeof(ipv4_tcp_data));
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv4, b, sizeof(b), &p), 0);
    assert_int_equal(p->tcp.flags, TH_PUSH | TH_ACK);
    assert_int_equal(p->tcp.ack, 5001);
    assert_int_equal(p->payload_len, 18);
    assert_memory_equal(p->payload, "GET / HTTP/1.0\r\n\r\n", 18);
    dtu_packet_free(p);
}

static void tcp_every_truncation_raises_an_event(void **state)
{
    for (uint32_t n = 0; n < SYN_TCP_LEN; n++) {
        Packet *p = NULL;
        assert_true(run_tcp(*state, SYN_TCP, n, &p) < 0);
        DecodeEvent ev = n < 20 ? DECODE_EV_TCP_PKT_TOO_SMALL : DECODE_EV_TCP_HLEN_TOO_SMALL;
        assert_true(packet_has_event(p, ev));
        assert_int_equal(p->l4, PKT_L4_NONE);
        dtu_packet_free(p);
    }
}

static void tcp_data_offset_below_five_is_invalid_optlen(void **state)
{
    uint8_t b[40];
    for (uint8_t off = 0; off < 5; off++) {
        memcpy(b, SYN_TCP, sizeof(b));
        b[12] = (uint8_t)(off << 4);
        Packet *p = NULL;
        assert_true(run_tcp(*state, b, sizeof(b), &p) < 0);
        assert_true(packet_has_event(p, DECODE_EV_TCP_INVALID_OPTLEN));
        dtu_packet_free(p);
    }
}

static void tcp_data_offset_beyond_segment_is_hlen_too_small(void **state)
{
    uint8_t b[40];
    memcpy(b, SYN_TCP, sizeof(b));
    b[12] = 0xf0;                // 60 bytes claimed, 40 present
    Packet *p = NULL;
    assert_true(run_tcp(*state, b, sizeof(b), &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_TCP_HLEN_TOO_SMALL));
    dtu_packet_free(p);
}

static void tcp_option_length_zero_one_or_overrunning_is_invalid(void **state)
{
    const uint8_t zero[20] = { 0x02, 0x00 };
    const uint8_t one[20] = { 0x01, 0x01, 0x1e, 0x01 };
    const uint8_t overrun[20] = { 0x01, 0x01, 0x01, 0x01, 0x1e, 0x11 };
    expect_opt_event(*state, zero, DECODE_EV_TCP_OPT_INVALID_LEN);
    expect_opt_event(*state, one, DECODE_EV_TCP_OPT_INVALID_LEN);
    expect_opt_event(*state, overrun, DECODE_EV_TCP_OPT_INVALID_LEN);
}

static void tcp_known_option_with_wrong_length_is_invalid(void **state)
{
    const uint8_t mss[20] = { 0x02, 0x03, 0x05 };
    const uint8_t ws[20] = { 0x03, 0x04, 0x07, 0x00 };
    const uint8_t sackok[20] = { 0x04, 0x03, 0x00 };
    const uint8_t ts[20] = { 0x08, 0x08 };
    const uint8_t sack[20] = { 0x05, 0x0c };
    expect_opt_event(*state, mss, DECODE_EV_TCP_OPT_INVALID_LEN);
    expect_opt_event(*state, ws, DECODE_EV_TCP_OPT_INVALID_LEN);
    expect_opt_event(*state, sackok, DECODE_EV_TCP_OPT_INVALID_LEN);
    expect_opt_event(*state, ts, DECODE_EV_TCP_OPT_INVALID_LEN);
    expect_opt_event(*state, sack, DECODE_EV_TCP_OPT_INVALID_LEN);
}

static void tcp_duplicate_option_is_noted_and_first_kept(void **state)
{
    const uint8_t o[20] = { 0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x00, 0x01 };
    int rc;
    Packet *p = run_opts(*state, o, &rc);
    assert_true(packet_has_event(p, DECODE_EV_TCP_OPT_DUPLICATE));
    assert_int_equal(p->tcp.mss, 1460);
    dtu_packet_free(p);
}

static void tcp_window_scale_is_clamped_to_14(void **state)
{
    const uint8_t o[20] = { 0x03, 0x03, 0x20 };
    int rc;
    Packet *p = run_opts(*state, o, &rc);
    assert_int_equal(rc, 0);
    assert_true(p->tcp.has_wscale);
    assert_int_equal(p->tcp.wscale, 14);
    dtu_packet_free(p);
}

static void tcp_sack_blocks_are_parsed(void **state)
{
    const uint8_t o[20] = { 0x01, 0x01, 0x05, 0x12, 0, 0, 0, 10, 0, 0, 0, 20,
                            0, 0, 0, 30, 0, 0, 0, 40 };
    int rc;
    Packet *p = run_opts(*state, o, &rc);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->tcp.n_sack, 2);
    assert_int_equal(p->tcp.sack[0].left, 10);
    assert_int_equal(p->tcp.sack[0].right, 20);
    assert_int_equal(p->tcp.sack[1].left, 30);
    assert_int_equal(p->tcp.sack[1].right, 40);
    dtu_packet_free(p);
}

static void tcp_unknown_option_is_skipped(void **state)
{
    const uint8_t o[20] = { 0x1e, 0x04, 0x00, 0x00, 0x02, 0x04, 0x01, 0x00 };
    int rc;
    Packet *p = run_opts(*state, o, &rc);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->tcp.mss, 256);
    dtu_packet_free(p);
}

static void tcp_over_ipv6_decodes(void **state)
{
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv6, ipv6_tcp, sizeof(ipv6_tcp), &p), 0);
    assert_int_equal(p->l4, PKT_L4_TCP);
    assert_int_equal(p->dp, 443);
    assert_int_equal(p->tcp.mss, 1440);
    dtu_packet_free(p);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(tcp_decodes_syn_sample),
        T(tcp_payload_is_bounded_by_ip_datagram),
        T(tcp_every_truncation_raises_an_event),
        T(tcp_data_offset_below_five_is_invalid_optlen),
        T(tcp_data_offset_beyond_segment_is_hlen_too_small),
        T(tcp_option_length_zero_one_or_overrunning_is_invalid),
        T(tcp_known_option_with_wrong_length_is_invalid),
        T(tcp_duplicate_option_is_noted_and_first_kept),
        T(tcp_window_scale_is_clamped_to_14),
        T(tcp_sack_blocks_are_parsed),
        T(tcp_unknown_option_is_skipped),
        T(tcp_over_ipv6_decodes),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
