/* Stream events of the TCP state machine that no other test asserts: SYN and
 * SYN/ACK where they do not belong (handshake, simultaneous open, after the
 * handshake, after a FIN), acks for data never sent in each closing state,
 * packets with no session, RSTs with a bad ack, the one-sided pickup, and a
 * session seen by a second thread. Each test crafts the packets that raise
 * its event and checks that the well-formed neighbour does not.
 * Client ISN 1000, server ISN 5000 (tc_handshake): client data from 1001,
 * server data from 5001. */
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

static int setup_async(void **state)
{
    (void)state;
    return tc_init(&g_tc, "stream:\n  async-oneside: true\n");
}

static int teardown(void **state)
{
    (void)state;
    stream_set_inline(false);
    tc_deinit(&g_tc);
    return 0;
}

#define FAR 70000u               // beyond the 65535-byte window the tests advertise
#define BAD_ACK 0x00200000u      // beyond anything the server sent and its window

static void expect_event(Packet *p, DecodeEvent ev)
{
    if (!tc_has_event(p, ev)) {
        fail_msg("event %d not raised (packet has %u events)", (int)ev, p->n_events);
    }
}

/* SYN sent, SYN/ACK answered: SYN_RECV. */
static void to_syn_recv(void)
{
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
}

/* Both sides send a SYN (simultaneous open, RFC 793 figure 8). */
static void to_4whs(void)
{
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    tc_pkt(&g_tc, TC, TH_SYN, 5000, 0, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
    assert_true(tc_ssn(&g_tc)->flags & SSN_F_4WHS);
}

/* ---- the handshake ---- */

static void synack_from_the_syn_sender_is_wrong_direction(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN | TH_ACK, 1000, 5001, NULL);
    expect_event(p, DECODE_EV_STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_SENT);
}

static void syn_resent_with_other_seq_in_syn_recv(void **state)
{
    (void)state;
    to_syn_recv();
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);     // the same SYN again: fine
    assert_int_equal(p->n_events, 0);
    p = tc_pkt(&g_tc, TS, TH_SYN, 2000, 0, NULL);
    expect_event(p, DECODE_EV_STREAM_3WHS_SYN_RESEND_DIFF_SEQ_ON_SYN_RECV);
}

static void synack_to_server_in_syn_recv(void **state)
{
    (void)state;
    to_syn_recv();
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN | TH_ACK, 1000, 5001, NULL);
    expect_event(p, DECODE_EV_STREAM_3WHS_SYNACK_TOSERVER_ON_SYN_RECV);
}

static void syn_to_client_in_syn_recv(void **state)
{
    (void)state;
    to_syn_recv();
    Packet *p = tc_pkt(&g_tc, TC, TH_SYN, 5000, 0, NULL);
    expect_event(p, DECODE_EV_STREAM_3WHS_SYN_TOCLIENT_ON_SYN_RECV);
}

static void synack_resent_with_other_seq_in_syn_recv(void **state)
{
    (void)state;
    to_syn_recv();
    Packet *p = tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);  // a true resend
    assert_int_equal(p->n_events, 0);
    p = tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 6000, 1001, NULL);
    expect_event(p, DECODE_EV_STREAM_3WHS_SYNACK_RESEND_WITH_DIFF_SEQ);
}

static void final_ack_with_wrong_seq_and_ack(void **state)
{
    (void)state;
    to_syn_recv();
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1500, 7000, NULL);
    expect_event(p, DECODE_EV_STREAM_3WHS_WRONG_SEQ_WRONG_ACK);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_3WHS_RIGHT_SEQ_WRONG_ACK_EVASION));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
}

static void async_pickup_with_wrong_seq(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1005, 5001, NULL);
    expect_event(p, DECODE_EV_STREAM_3WHS_ASYNC_WRONG_SEQ);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_SENT);
    p = tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "GET /");       // the next seq: picked up
    assert_false(tc_has_event(p, DECODE_EV_STREAM_3WHS_ASYNC_WRONG_SEQ));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
}

static void rst_with_wrong_ack_answering_the_syn(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    Packet *p = tc_pkt(&g_tc, TC, TH_RST | TH_ACK, 0, 1234, NULL);
    expect_event(p, DECODE_EV_STREAM_RST_INVALID_ACK);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_SENT);
    p = tc_pkt(&g_tc, TC, TH_RST | TH_ACK, 0, 1001, NULL);    // the refusal: closes
    assert_false(tc_has_event(p, DECODE_EV_STREAM_RST_INVALID_ACK));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSED);
}

/* ---- simultaneous open ---- */

static void four_way_synack_with_wrong_ack(void **state)
{
    (void)state;
    to_4whs();
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN | TH_ACK, 1000, 7777, NULL);
    expect_event(p, DECODE_EV_STREAM_4WHS_SYNACK_WITH_WRONG_ACK);
}

static void four_way_synack_with_wrong_syn(void **state)
{
    (void)state;
    to_4whs();
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN | TH_ACK, 1234, 5001, NULL);
    expect_event(p, DECODE_EV_STREAM_4WHS_SYNACK_WITH_WRONG_SYN);
}

static void four_way_final_ack_with_invalid_ack_or_wrong_seq(void **state)
{
    (void)state;
    to_4whs();
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN | TH_ACK, 1000, 5001, NULL);
    assert_int_equal(p->n_events, 0);
    p = tc_pkt(&g_tc, TC, TH_ACK, 5001, 1500, NULL);
    expect_event(p, DECODE_EV_STREAM_4WHS_INVALID_ACK);
    p = tc_pkt(&g_tc, TC, TH_ACK, 5999, 1001, NULL);
    expect_event(p, DECODE_EV_STREAM_4WHS_WRONG_SEQ);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
    p = tc_pkt(&g_tc, TC, TH_ACK, 5001, 1001, NULL);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
}

/* ---- SYN and SYN/ACK after the handshake ---- */

static void syn_resent_after_the_handshake(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    expect_event(p, DECODE_EV_STREAM_EST_SYN_RESEND);
    p = tc_pkt(&g_tc, TS, TH_SYN, 3000, 0, NULL);
    expect_event(p, DECODE_EV_STREAM_EST_SYN_RESEND_DIFF_SEQ);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_EST_SYN_RESEND));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
}

static void synack_to_server_after_the_handshake(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN | TH_ACK, 1000, 5001, NULL);
    expect_event(p, DECODE_EV_STREAM_EST_SYNACK_TOSERVER);
}

static void syn_to_client_after_the_handshake(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TC, TH_SYN, 5000, 0, NULL);
    expect_event(p, DECODE_EV_STREAM_EST_SYN_TOCLIENT);
}

static void synack_resent_after_the_handshake(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    expect_event(p, DECODE_EV_STREAM_EST_SYNACK_RESEND);
    p = tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 6000, 1001, NULL);
    expect_event(p, DECODE_EV_STREAM_EST_SYNACK_RESEND_WITH_DIFF_SEQ);
    p = tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1500, NULL);
    expect_event(p, DECODE_EV_STREAM_EST_SYNACK_RESEND_WITH_DIFFERENT_ACK);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
}

static void syn_resent_after_a_fin(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSE_WAIT);
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    expect_event(p, DECODE_EV_STREAM_SHUTDOWN_SYN_RESEND);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_EST_SYN_RESEND));
}

/* ---- acks for data never sent, by state ---- */

static void fin_with_invalid_ack_when_established(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, BAD_ACK, NULL);
    expect_event(p, DECODE_EV_STREAM_PKT_INVALID_ACK);
    expect_event(p, DECODE_EV_STREAM_FIN_INVALID_ACK);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_EST_INVALID_ACK));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);   // the FIN is not taken
}

static void invalid_ack_in_fin_wait1(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_FIN_WAIT1);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001, BAD_ACK, NULL);
    expect_event(p, DECODE_EV_STREAM_FIN1_INVALID_ACK);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_FIN_WAIT1);
}

static void invalid_ack_in_fin_wait2(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1001, NULL);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_FIN_WAIT2);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001, BAD_ACK, NULL);
    expect_event(p, DECODE_EV_STREAM_FIN2_INVALID_ACK);
}

static void invalid_ack_in_close_wait(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSE_WAIT);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK, 5001, BAD_ACK, NULL);
    expect_event(p, DECODE_EV_STREAM_CLOSEWAIT_INVALID_ACK);
}

static void invalid_ack_in_closing(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1001, NULL);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);   // FINs cross: nothing acked
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSING);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK, 5002, BAD_ACK, NULL);
    expect_event(p, DECODE_EV_STREAM_CLOSING_INVALID_ACK);
}

static void invalid_ack_in_last_ack(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_LAST_ACK);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1002, BAD_ACK, NULL);
    expect_event(p, DECODE_EV_STREAM_LASTACK_INVALID_ACK);
}

static void invalid_ack_in_time_wait(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1001, NULL);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_TIME_WAIT);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK, 5002, BAD_ACK, NULL);
    expect_event(p, DECODE_EV_STREAM_TIMEWAIT_INVALID_ACK);
}

static void rst_with_ack_for_data_never_sent(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_RST | TH_ACK, 1001, BAD_ACK, NULL);
    expect_event(p, DECODE_EV_STREAM_RST_INVALID_ACK);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);   // the RST is ignored
}

/* ---- out of window ---- */

static void fin_beyond_the_window_when_established(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001 + FAR, 5001, NULL);
    expect_event(p, DECODE_EV_STREAM_FIN_OUT_OF_WINDOW);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_EST_PACKET_OUT_OF_WINDOW));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
}

static void ack_beyond_the_window_in_close_wait(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSE_WAIT);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK, 5001 + FAR, 1002, "x");
    expect_event(p, DECODE_EV_STREAM_CLOSEWAIT_ACK_OUT_OF_WINDOW);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_CLOSEWAIT_FIN_OUT_OF_WINDOW));
}

/* ---- no session ---- */

static void fin_without_a_session(void **state)
{
    (void)state;
    Packet *p = tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);
    expect_event(p, DECODE_EV_STREAM_FIN_BUT_NO_SESSION);
    assert_null(tc_ssn(&g_tc));
}

static void syn_with_fin_or_rst_starts_nothing(void **state)
{
    (void)state;
    Packet *p = tc_pkt(&g_tc, TS, TH_SYN | TH_FIN, 1000, 0, NULL);
    expect_event(p, DECODE_EV_STREAM_FIN_SYN);
    assert_null(tc_ssn(&g_tc));
    /* without stream.midstream a RST is looked at first */
    p = tc_pkt(&g_tc, TS, TH_SYN | TH_RST, 1000, 0, NULL);
    expect_event(p, DECODE_EV_STREAM_RST_BUT_NO_SESSION);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_FIN_SYN));
    assert_null(tc_ssn(&g_tc));
}

/* ---- threads ---- */

/* A session belongs to the thread that made it: the flow engine must send
 * every packet of a flow to it. Another thread's packet is flagged. */
static void packet_of_another_threads_session(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    StreamThread *other = stream_thread_new(g_tc.cs);
    assert_non_null(other);
    other->thread_id = g_tc.st->thread_id + 1;
    Packet *p = tc_pkt_opts(&g_tc, TS, TH_ACK, 1001, 5001, "x", 65535);
    stream_packet(other, p);
    expect_event(p, DECODE_EV_STREAM_WRONG_THREAD);
    p = tc_pkt(&g_tc, TS, TH_ACK, 1002, 5001, "y");
    assert_false(tc_has_event(p, DECODE_EV_STREAM_WRONG_THREAD));
    stream_thread_free(other);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(synack_from_the_syn_sender_is_wrong_direction),
        T(syn_resent_with_other_seq_in_syn_recv),
        T(synack_to_server_in_syn_recv),
        T(syn_to_client_in_syn_recv),
        T(synack_resent_with_other_seq_in_syn_recv),
        T(final_ack_with_wrong_seq_and_ack),
        cmocka_unit_test_setup_teardown(async_pickup_with_wrong_seq, setup_async, teardown),
        T(rst_with_wrong_ack_answering_the_syn),
        T(four_way_synack_with_wrong_ack),
        T(four_way_synack_with_wrong_syn),
        T(four_way_final_ack_with_invalid_ack_or_wrong_seq),
        T(syn_resent_after_the_handshake),
        T(synack_to_server_after_the_handshake),
        T(syn_to_client_after_the_handshake),
        T(synack_resent_after_the_handshake),
        T(syn_resent_after_a_fin),
        T(fin_with_invalid_ack_when_established),
        T(invalid_ack_in_fin_wait1),
        T(invalid_ack_in_fin_wait2),
        T(invalid_ack_in_close_wait),
        T(invalid_ack_in_closing),
        T(invalid_ack_in_last_ack),
        T(invalid_ack_in_time_wait),
        T(rst_with_ack_for_data_never_sent),
        T(fin_beyond_the_window_when_established),
        T(ack_beyond_the_window_in_close_wait),
        T(fin_without_a_session),
        T(syn_with_fin_or_rst_starts_nothing),
        T(packet_of_another_threads_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
