/* Stream events that follow Suricata's semantics: broken acks, packets
 * before the last ack, wrong sequence numbers in the closing states,
 * injected data during the handshake (inline), segments before the base. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stream-test-util.h"

static TestConn g_tc;

static int setup(void **state)
{
    (void)state;
    return tc_init(&g_tc, NULL);
}

static int teardown(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    return 0;
}

#define FAR 70000u               // beyond the 65535-byte window the tests advertise

static void ack_number_without_ack_flag_is_broken_ack(void **state)
{
    (void)state;
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN, 1000, 77, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_PKT_BROKEN_ACK));
    p = tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_PKT_BROKEN_ACK));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);   // still tracked
}

static void syn_with_zero_ack_is_not_broken(void **state)
{
    (void)state;
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_PKT_BROKEN_ACK));
}

static void pure_ack_before_last_ack_is_rejected_when_established(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "hello");
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1006, NULL);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_EST_PKT_BEFORE_LAST_ACK));
    p = tc_pkt(&g_tc, TS, TH_ACK, 1006, 5001, NULL);          // the current seq: fine
    assert_int_equal(p->n_events, 0);
}

static void pure_ack_before_last_ack_in_close_wait(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1001, "hello");
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5006, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSE_WAIT);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK, 5001, 1002, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_CLOSEWAIT_PKT_BEFORE_LAST_ACK));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSE_WAIT);
}

static void data_below_last_ack_stays_spurious_retransmission(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "hello");
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1006, NULL);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "hello");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_PKT_SPURIOUS_RETRANSMISSION));
    assert_false(tc_has_event(p, DECODE_EV_STREAM_EST_PKT_BEFORE_LAST_ACK));
}

static void fin_wait1_out_of_window_ack_and_fin_are_wrong_seq(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_FIN_WAIT1);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001 + FAR, 5002, "x");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_FIN1_ACK_WRONG_SEQ));
    assert_false(tc_has_event(p, DECODE_EV_STREAM_EST_PACKET_OUT_OF_WINDOW));
    p = tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001 + FAR, 5002, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_FIN1_FIN_WRONG_SEQ));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_FIN_WAIT1);   // both ignored
}

static void fin_wait2_out_of_window_ack_is_wrong_seq(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1001, NULL);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_FIN_WAIT2);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001 + FAR, 5002, "x");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_FIN2_ACK_WRONG_SEQ));
    p = tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001 + FAR, 5002, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_FIN2_FIN_WRONG_SEQ));
}

static void close_wait_out_of_window_fin_is_evented(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSE_WAIT);
    Packet *p = tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001 + FAR, 1002, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_CLOSEWAIT_FIN_OUT_OF_WINDOW));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSE_WAIT);
}

static void last_ack_and_time_wait_out_of_window_ack_is_wrong_seq(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_LAST_ACK);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK, 5002 + FAR, 1002, "x");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_LASTACK_ACK_WRONG_SEQ));
    tc_end_session(&g_tc);
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1001, NULL);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_TIME_WAIT);
    p = tc_pkt(&g_tc, TS, TH_ACK, 1002 + FAR, 5002, "x");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_TIMEWAIT_ACK_WRONG_SEQ));
}

static void closing_out_of_window_ack_is_wrong_seq(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1001, NULL);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);   // FINs cross: nothing acked
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSING);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1002 + FAR, 5002, "x");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_CLOSING_ACK_WRONG_SEQ));
}

static void inline_data_from_synack_sender_before_ack_is_injection(void **state)
{
    (void)state;
    stream_set_inline(true);
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK | TH_PUSH, 5001, 1001, "220 evil");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_3WHS_ACK_DATA_INJECT));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
    assert_null(p->stream_data);
    p = tc_pkt(&g_tc, TC, TH_ACK, 5001, 1001, NULL);          // no data: wrong direction
    assert_true(tc_has_event(p, DECODE_EV_STREAM_3WHS_ACK_IN_WRONG_DIR));
}

static void ids_data_from_synack_sender_is_not_injection(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK | TH_PUSH, 5001, 1001, "220 hi");
    assert_false(tc_has_event(p, DECODE_EV_STREAM_3WHS_ACK_DATA_INJECT));
}

/* The buffer forgets pruned bytes once half of it is dead: a segment below
 * that point can no longer be compared with anything. */
static void segment_below_pruned_base_is_before_base_seq(void **state)
{
    (void)state;
    static uint8_t data[3000];
    memset(data, 'x', sizeof(data));
    TcpStream s = {.base_seq = 1, .next_seq = 1};
    memset(&g_tc.p, 0, sizeof(g_tc.p));
    assert_int_equal(stream_reasm_insert(g_tc.st, &g_tc.p, &s, 1, data, sizeof(data)), 0);
    assert_false(tc_has_event(&g_tc.p, DECODE_EV_STREAM_REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ));
    s.insp_off = sizeof(data);
    stream_reasm_prune(&s, 2500);
    assert_int_equal(s.buf_base, 2500);
    assert_int_equal(stream_reasm_insert(g_tc.st, &g_tc.p, &s, 1, data, 100), 0);
    assert_true(tc_has_event(&g_tc.p, DECODE_EV_STREAM_REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ));
    memset(&g_tc.p, 0, sizeof(g_tc.p));
    assert_int_equal(stream_reasm_insert(g_tc.st, &g_tc.p, &s, 2401, data, 200), 0);
    assert_false(tc_has_event(&g_tc.p, DECODE_EV_STREAM_REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ));
    stream_reasm_free(&s);
}

static void inline_retransmission_of_unacked_data_is_only_retransmission(void **state)
{
    (void)state;
    stream_set_inline(true);
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "hello");
    assert_int_equal(p->stream_data_len, 5);                 // delivered inline, not acked
    p = tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "hello");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_PKT_RETRANSMISSION));
    assert_false(tc_has_event(p, DECODE_EV_STREAM_REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(ack_number_without_ack_flag_is_broken_ack),
        T(syn_with_zero_ack_is_not_broken),
        T(pure_ack_before_last_ack_is_rejected_when_established),
        T(pure_ack_before_last_ack_in_close_wait),
        T(data_below_last_ack_stays_spurious_retransmission),
        T(fin_wait1_out_of_window_ack_and_fin_are_wrong_seq),
        T(fin_wait2_out_of_window_ack_is_wrong_seq),
        T(close_wait_out_of_window_fin_is_evented),
        T(last_ack_and_time_wait_out_of_window_ack_is_wrong_seq),
        T(closing_out_of_window_ack_is_wrong_seq),
        T(inline_data_from_synack_sender_before_ack_is_injection),
        T(ids_data_from_synack_sender_is_not_injection),
        T(segment_below_pruned_base_is_before_base_seq),
        T(inline_retransmission_of_unacked_data_is_only_retransmission),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
