/* TCP tracking: handshakes, validation events, RST, FIN and close states,
 * midstream and async-oneside pick-up, checksums. */
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

static int setup_midstream(void **state)
{
    (void)state;
    return tc_init(&g_tc, "stream:\n  midstream: true\n");
}

static int setup_async(void **state)
{
    (void)state;
    return tc_init(&g_tc, "stream:\n  async-oneside: true\n");
}

static int teardown(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    return 0;
}

static void handshake_establishes_session_and_flow(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
    assert_int_equal(g_tc.f.state, FLOW_STATE_ESTABLISHED);
    assert_int_equal(tc_counter("tcp.sessions"), 1);
    assert_int_equal(tc_counter("tcp.syn"), 1);
    assert_int_equal(tc_counter("tcp.synack"), 1);
}

static void fin_ends_established_for_packets_not_for_the_flow(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    assert_int_equal(stream_packet_flow_state(&g_tc.f), FLOW_STATE_ESTABLISHED);
    tc_pkt(&g_tc, TS, TH_ACK | TH_FIN, 1001, 5001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSE_WAIT);   // named from the server's side
    assert_int_equal(g_tc.f.state, FLOW_STATE_ESTABLISHED);     // EVE flow state
    assert_int_equal(stream_packet_flow_state(&g_tc.f), FLOW_STATE_CLOSED);
}

/* Midstream pick-up off: data without a handshake makes no session, and its
 * packets are never established, even once both sides were seen (Suricata). */
static void flow_without_session_is_never_established(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH, 1001, 5001, "data");
    tc_pkt(&g_tc, TC, TH_ACK | TH_PUSH, 5001, 1005, "answer");
    assert_null(g_tc.f.protoctx);
    g_tc.f.state = FLOW_STATE_ESTABLISHED;      // what the flow engine sets after both sides
    assert_int_equal(stream_packet_flow_state(&g_tc.f), FLOW_STATE_NEW);
}

static void synack_with_wrong_ack_raises_event(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    Packet *p = tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 777, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_SENT);
}

static void synack_resend_with_different_ack_raises_event(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    Packet *p = tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1002, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_3WHS_SYNACK_RESEND_WITH_DIFFERENT_ACK));
    p = tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    assert_int_equal(p->n_events, 0);     // a plain retransmission is fine
}

/* The SYN of the session carries TSval tsval (0: no timestamp option). */
static void syn_with_ts(uint32_t tsval)
{
    Packet *p = tc_pkt_opts(&g_tc, TS, TH_SYN, 1000, 0, NULL, 65535);
    p->tcp.has_ts = tsval != 0;
    p->tcp.ts_val = tsval;
    stream_packet(g_tc.st, p);
}

static Packet *answer_with_ecr(uint8_t flags, uint32_t ecr)
{
    Packet *p = tc_pkt_opts(&g_tc, TC, flags, 5000, 1001, NULL, 65535);
    p->tcp.has_ts = true;
    p->tcp.ts_val = 100;
    p->tcp.ts_ecr = ecr;
    stream_packet(g_tc.st, p);
    return p;
}

static void syn_sent_answer_echoing_another_timestamp_is_ignored(void **state)
{
    (void)state;
    syn_with_ts(777);
    Packet *p = answer_with_ecr(TH_RST | TH_ACK, 100);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_PKT_INVALID_TIMESTAMP));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_SENT);
    p = answer_with_ecr(TH_SYN | TH_ACK, 777);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_PKT_INVALID_TIMESTAMP));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
}

static void syn_sent_echo_without_timestamp_in_syn_is_invalid(void **state)
{
    (void)state;
    syn_with_ts(0);
    Packet *p = answer_with_ecr(TH_SYN | TH_ACK, 5);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_PKT_INVALID_TIMESTAMP));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_SENT);
    p = answer_with_ecr(TH_SYN | TH_ACK, 0);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
}

static void simultaneous_open_establishes(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    tc_pkt(&g_tc, TC, TH_SYN, 5000, 0, NULL);
    tc_pkt(&g_tc, TS, TH_SYN | TH_ACK, 1000, 5001, NULL);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK, 5001, 1001, NULL);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
}

static void final_ack_with_wrong_ack_is_evasion_event(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001, 9999, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_3WHS_RIGHT_SEQ_WRONG_ACK_EVASION));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
}

static void ack_for_unsent_data_is_invalid(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001, 90000, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_PKT_INVALID_ACK));
    assert_true(tc_has_event(p, DECODE_EV_STREAM_EST_INVALID_ACK));
}

static void data_beyond_window_is_out_of_window(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001 + 70000, 5001, "x");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_EST_PACKET_OUT_OF_WINDOW));
    assert_int_equal(tc_ssn(&g_tc)->streams[0].stored_end, 0);
}

static void window_scale_widens_window(void **state)
{
    (void)state;
    Packet *p = tc_pkt_opts(&g_tc, TS, TH_SYN, 1000, 0, NULL, 1024);
    p->tcp.has_wscale = true;
    p->tcp.wscale = 7;
    stream_packet(g_tc.st, p);
    p = tc_pkt_opts(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL, 1024);
    p->tcp.has_wscale = true;
    p->tcp.wscale = 7;
    stream_packet(g_tc.st, p);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, NULL);
    p = tc_pkt_opts(&g_tc, TC, TH_ACK, 5001, 1001, NULL, 1024);   // 1024 << 7 = 128 KiB
    stream_packet(g_tc.st, p);
    assert_int_equal(tc_ssn(&g_tc)->streams[0].window, 1024u << 7);
    p = tc_pkt(&g_tc, TS, TH_ACK, 1001 + 100000, 5001, "x");
    assert_false(tc_has_event(p, DECODE_EV_STREAM_EST_PACKET_OUT_OF_WINDOW));
}

static void rst_with_exact_seq_closes(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_RST | TH_ACK, 1001, 5001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSED);
    assert_int_equal(g_tc.f.state, FLOW_STATE_CLOSED);
    assert_int_equal(tc_counter("tcp.rst"), 1);
}

static void rst_in_window_but_not_exact_is_refused_by_bsd(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_RST, 1001 + 100, 0, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_SUSPECTED_RST_INJECT));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
}

static void rst_in_window_is_accepted_by_linux(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    assert_int_equal(tc_init(&g_tc, "host-os-policy:\n  linux: [10.0.0.2]\n"), 0);
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_RST, 1001 + 100, 0, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSED);
}

static void rst_out_of_window_is_refused_by_linux(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    assert_int_equal(tc_init(&g_tc, "host-os-policy:\n  linux: [10.0.0.0/24]\n"), 0);
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_RST, 1001 + 200000, 0, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_SUSPECTED_RST_INJECT));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
}

/* States are named from the server's side, as Suricata names them: a client
 * FIN leaves the server in CLOSE_WAIT, its own FIN then in LAST_ACK. */
static void client_close_goes_through_close_wait_and_last_ack(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSE_WAIT);
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSE_WAIT);
    assert_int_equal(g_tc.f.state, FLOW_STATE_ESTABLISHED);  // one side still open
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_LAST_ACK);
    assert_int_equal(g_tc.f.state, FLOW_STATE_CLOSED);       // both FINs sent
    tc_pkt(&g_tc, TS, TH_ACK, 1002, 5002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSED);
    assert_int_equal(g_tc.f.state, FLOW_STATE_CLOSED);
}

/* A server that closes first walks the FIN states (its own side's). */
static void server_close_walks_fin_states_to_closed(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_FIN_WAIT1);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_FIN_WAIT2);
    assert_int_equal(g_tc.f.state, FLOW_STATE_ESTABLISHED);  // one side still open
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_TIME_WAIT);
    assert_int_equal(g_tc.f.state, FLOW_STATE_CLOSED);
    tc_pkt(&g_tc, TC, TH_ACK, 5002, 1002, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSED);
}

/* Both FINs before the server's is acknowledged: CLOSING. */
static void server_fin_unacked_then_client_fin_is_closing(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TC, TH_FIN | TH_ACK, 5001, 1001, NULL);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSING);
    assert_int_equal(g_tc.f.state, FLOW_STATE_ESTABLISHED);  // as Suricata: CLOSING is not closed
}

static void keepalive_is_not_data(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "ab");
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1002, 5001, "");
    assert_int_equal(p->n_events, 0);
    p = tc_pkt(&g_tc, TS, TH_ACK, 1002, 5001, "b");
    assert_false(tc_has_event(p, DECODE_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
}

static void paws_drops_older_timestamp(void **state)
{
    (void)state;
    Packet *p = tc_pkt_opts(&g_tc, TS, TH_SYN, 1000, 0, NULL, 65535);
    p->tcp.has_ts = true;
    p->tcp.ts_val = 100;
    stream_packet(g_tc.st, p);
    p = tc_pkt_opts(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL, 65535);
    p->tcp.has_ts = true;
    p->tcp.ts_val = 7;
    stream_packet(g_tc.st, p);
    p = tc_pkt_opts(&g_tc, TS, TH_ACK, 1001, 5001, NULL, 65535);
    p->tcp.has_ts = true;
    p->tcp.ts_val = 200;
    stream_packet(g_tc.st, p);
    p = tc_pkt_opts(&g_tc, TS, TH_ACK, 1001, 5001, "old", 65535);
    p->tcp.has_ts = true;
    p->tcp.ts_val = 150;
    stream_packet(g_tc.st, p);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_PKT_INVALID_TIMESTAMP));
    assert_int_equal(tc_ssn(&g_tc)->streams[0].stored_end, 0);
}

/* In a session with timestamps, a RST stamped older than the sender's last
 * (zero included) is invalid and does not close it; one without the option,
 * or with a current stamp, does. */
static void rst_with_stale_timestamp_is_invalid(void **state)
{
    (void)state;
    Packet *p = tc_pkt_opts(&g_tc, TS, TH_SYN, 1000, 0, NULL, 65535);
    p->tcp.has_ts = true;
    p->tcp.ts_val = 100;
    stream_packet(g_tc.st, p);
    p = tc_pkt_opts(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL, 65535);
    p->tcp.has_ts = true;
    p->tcp.ts_val = 7;
    stream_packet(g_tc.st, p);
    p = tc_pkt_opts(&g_tc, TS, TH_ACK, 1001, 5001, NULL, 65535);
    p->tcp.has_ts = true;
    p->tcp.ts_val = 200;
    stream_packet(g_tc.st, p);
    p = tc_pkt_opts(&g_tc, TS, TH_RST | TH_ACK, 1001, 5001, NULL, 65535);
    p->tcp.has_ts = true;
    p->tcp.ts_val = 0;
    stream_packet(g_tc.st, p);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_PKT_INVALID_TIMESTAMP));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
    p = tc_pkt_opts(&g_tc, TS, TH_RST | TH_ACK, 1001, 5001, NULL, 65535);
    p->tcp.has_ts = false;
    stream_packet(g_tc.st, p);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_PKT_INVALID_TIMESTAMP));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_CLOSED);
}

static void without_midstream_data_first_is_not_tracked(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH, 1001, 5001, "GET /");
    assert_null(tc_ssn(&g_tc));
}

static void midstream_picks_up_established_session(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH, 1001, 5001, "GET /");
    assert_non_null(tc_ssn(&g_tc));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
    assert_int_equal(g_tc.f.state, FLOW_STATE_ESTABLISHED);
    assert_int_equal(tc_counter("tcp.midstream_pickups"), 1);
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1006, NULL);
    assert_int_equal(tc_ssn(&g_tc)->streams[0].stored_end, 5);
    assert_int_equal(tc_ssn(&g_tc)->streams[0].last_ack, 1006);
}

static void async_oneside_establishes_on_client_ack(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
    assert_true(tc_ssn(&g_tc)->flags & SSN_F_ASYNC);
}

static int setup_async_midstream(void **state)
{
    (void)state;
    return tc_init(&g_tc, "stream:\n  midstream: true\n  async-oneside: true\n");
}

/* Only the server side is captured: SYN/ACK, then its data. */
static void async_oneside_continues_after_synack_from_its_sender(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK | TH_PUSH, 5001, 1001, "* OK ready");
    assert_false(tc_has_event(p, DECODE_EV_STREAM_3WHS_ACK_IN_WRONG_DIR));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
    assert_true(tc_ssn(&g_tc)->flags & SSN_F_ASYNC);
    p = tc_pkt(&g_tc, TC, TH_ACK | TH_PUSH, 5011, 1015, "* BYE");   // acks unseen data
    assert_false(tc_has_event(p, DECODE_EV_STREAM_PKT_INVALID_ACK));
    assert_true(p->stream_flags & PKT_STREAM_ADDED);
}

static void synack_sender_out_of_sequence_is_wrong_direction(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK | TH_PUSH, 9000, 1001, "late");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_3WHS_ACK_IN_WRONG_DIR));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
}

/* Picked up at the SYN/ACK (midstream, no async-oneside): the server going
 * on with its sequence space establishes the session (the client's ACK was
 * not captured); one out of sequence does not. */
static void midstream_synack_pickup_establishes_on_server_data(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
    Packet *p = tc_pkt(&g_tc, TC, TH_ACK | TH_PUSH, 9000, 1081, "late");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_3WHS_ACK_IN_WRONG_DIR));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_RECV);
    p = tc_pkt(&g_tc, TC, TH_ACK | TH_PUSH, 5001, 1081, "HTTP/1.1 200 OK\r\n");
    assert_false(tc_has_event(p, DECODE_EV_STREAM_3WHS_ACK_IN_WRONG_DIR));
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_ESTABLISHED);
    assert_false(tc_ssn(&g_tc)->flags & SSN_F_ASYNC);
    assert_true(p->stream_flags & PKT_STREAM_ADDED);
}

static void without_async_oneside_client_ack_keeps_syn_sent(void **state)
{
    (void)state;
    tc_pkt(&g_tc, TS, TH_SYN, 1000, 0, NULL);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, NULL);
    assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_SENT);
}

static void bad_checksum_is_counted_and_ignored(void **state)
{
    (void)state;
    Packet *p = tc_pkt_opts(&g_tc, TS, TH_SYN, 1000, 0, NULL, 65535);
    p->tcp.csum_bad = true;
    stream_packet(g_tc.st, p);
    assert_null(tc_ssn(&g_tc));
    assert_int_equal(tc_counter("tcp.invalid_checksum"), 1);
}

/* A FIN opening a flow: a session seen from its middle. The midstream
 * policy applies whether or not pick-up is on. */
static int setup_midstream_drop(void **state)
{
    (void)state;
    return tc_init(&g_tc, "stream:\n  midstream-policy: drop-flow\n");
}

static void fin_without_session_takes_the_midstream_policy(void **state)
{
    (void)state;
    stream_thread_set_mode(g_tc.st, true);  // IPS: policies apply
    Packet *p = tc_pkt(&g_tc, TC, TH_FIN | TH_PUSH | TH_ACK, 5001, 1001, "bye");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_FIN_BUT_NO_SESSION));
    assert_null(tc_ssn(&g_tc));
    assert_true(p->flags & PKT_F_DROP);
    assert_true(p->flags & PKT_F_DROP_FLOW);
    assert_int_equal(p->drop_reason, PKT_DROP_STREAM_MIDSTREAM);
    assert_true(g_tc.f.flags & FLOW_F_DROP);
}

static void fin_without_session_is_ignored_by_default_policy_in_ids(void **state)
{
    (void)state;
    Packet *p = tc_pkt(&g_tc, TC, TH_FIN | TH_PUSH | TH_ACK, 5001, 1001, "bye");
    assert_true(tc_has_event(p, DECODE_EV_STREAM_FIN_BUT_NO_SESSION));
    assert_false(p->flags & PKT_F_DROP);
    assert_false(g_tc.f.flags & FLOW_F_DROP);
}

static void midstream_picks_up_a_fin_with_data_only(void **state)
{
    (void)state;
    Packet *p = tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_FIN_BUT_NO_SESSION));
    assert_null(tc_ssn(&g_tc));
    p = tc_pkt(&g_tc, TS, TH_FIN | TH_PUSH | TH_ACK, 1001, 5001, "bye");
    assert_false(tc_has_event(p, DECODE_EV_STREAM_FIN_BUT_NO_SESSION));
    assert_non_null(tc_ssn(&g_tc));
    assert_int_equal(tc_counter("tcp.midstream_pickups"), 1);
}

/* stream.reassembly.urgent.policy */
static int setup_urgent_drop(void **state)
{
    (void)state;
    return tc_init(&g_tc, "stream:\n  reassembly:\n    urgent:\n      policy: drop\n");
}

static int setup_urgent_gap(void **state)
{
    (void)state;
    return tc_init(&g_tc, "stream:\n  reassembly:\n    urgent:\n      policy: gap\n");
}

static void urgent_inline_is_in_band_data(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH, 1001, 5001, "GET /malic");
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH | TH_URG, 1011, 5001, "X");
    assert_false(p->flags & PKT_F_DROP);
    assert_int_equal(tc_ssn(&g_tc)->streams[0].stored_end, 11);
    assert_int_equal(tc_counter("tcp.urg"), 1);
}

static void urgent_drop_drops_the_packet_inline_and_keeps_its_data_out(void **state)
{
    (void)state;
    stream_thread_set_mode(g_tc.st, true);
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH, 1001, 5001, "GET /malic");
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH | TH_URG, 1011, 5001, "X");
    assert_true(p->flags & PKT_F_DROP);
    assert_int_equal(p->drop_reason, PKT_DROP_STREAM_URGENT);
    assert_false(p->stream_flags & PKT_STREAM_ADDED);
    tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH, 1012, 5001, "ious");
    assert_int_equal(tc_ssn(&g_tc)->streams[0].stored_end, 15);
    assert_int_equal(stream_reasm_run_len(&tc_ssn(&g_tc)->streams[0], 0), 10);  // hole at 10
    assert_int_equal(tc_counter("tcp.urg"), 1);
}

static void urgent_drop_in_ids_mode_keeps_the_data(void **state)
{
    (void)state;
    stream_thread_set_mode(g_tc.st, false);
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH | TH_URG, 1001, 5001, "X");
    assert_false(p->flags & PKT_F_DROP);
    assert_true(p->stream_flags & PKT_STREAM_ADDED);
}

static void urgent_gap_leaves_the_data_out(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH, 1001, 5001, "ab");
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH | TH_URG, 1003, 5001, "X");
    assert_false(p->flags & PKT_F_DROP);
    assert_false(p->stream_flags & PKT_STREAM_ADDED);
    assert_int_equal(tc_ssn(&g_tc)->streams[0].stored_end, 2);
    assert_int_equal(tc_ssn(&g_tc)->streams[0].next_seq, 1004);  // still tracked
}

static void rst_without_session_raises_event(void **state)
{
    (void)state;
    Packet *p = tc_pkt(&g_tc, TS, TH_RST, 1, 0, NULL);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_RST_BUT_NO_SESSION));
}

static void flow_record_has_suricata_tcp_object(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_FIN | TH_ACK, 1001, 5001, NULL);
    JsonBuf jb;
    assert_int_equal(json_buf_init(&jb, 256), 0);
    json_open_object(&jb, NULL);
    stream_flow_record(&g_tc.f, &jb);
    json_close_object(&jb);
    assert_string_equal(jb.buf, "{\"tcp\":{\"tcp_flags\":\"13\",\"tcp_flags_ts\":\"13\","
                                "\"tcp_flags_tc\":\"12\",\"syn\":true,\"fin\":true,"
                                "\"ack\":true,\"state\":\"close_wait\"}}");
    json_buf_deinit(&jb);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TM(fn) cmocka_unit_test_setup_teardown(fn, setup_midstream, teardown)
#define TA(fn) cmocka_unit_test_setup_teardown(fn, setup_async, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(handshake_establishes_session_and_flow),
        T(synack_with_wrong_ack_raises_event),
        T(fin_ends_established_for_packets_not_for_the_flow),
        T(flow_without_session_is_never_established),
        T(syn_sent_answer_echoing_another_timestamp_is_ignored),
        T(syn_sent_echo_without_timestamp_in_syn_is_invalid),
        T(synack_resend_with_different_ack_raises_event),
        T(simultaneous_open_establishes),
        T(final_ack_with_wrong_ack_is_evasion_event),
        T(ack_for_unsent_data_is_invalid),
        T(data_beyond_window_is_out_of_window),
        T(window_scale_widens_window),
        T(rst_with_exact_seq_closes),
        T(rst_in_window_but_not_exact_is_refused_by_bsd),
        T(rst_in_window_is_accepted_by_linux),
        T(rst_out_of_window_is_refused_by_linux),
        T(client_close_goes_through_close_wait_and_last_ack),
        T(server_close_walks_fin_states_to_closed),
        T(server_fin_unacked_then_client_fin_is_closing),
        T(keepalive_is_not_data),
        T(paws_drops_older_timestamp),
        T(rst_with_stale_timestamp_is_invalid),
        T(without_midstream_data_first_is_not_tracked),
        TM(midstream_picks_up_established_session),
        TM(midstream_synack_pickup_establishes_on_server_data),
        TA(async_oneside_establishes_on_client_ack),
        cmocka_unit_test_setup_teardown(async_oneside_continues_after_synack_from_its_sender,
                                        setup_async_midstream, teardown),
        cmocka_unit_test_setup_teardown(synack_sender_out_of_sequence_is_wrong_direction,
                                        setup_async_midstream, teardown),
        T(without_async_oneside_client_ack_keeps_syn_sent),
        T(bad_checksum_is_counted_and_ignored),
        T(rst_without_session_raises_event),
        cmocka_unit_test_setup_teardown(fin_without_session_takes_the_midstream_policy,
                                        setup_midstream_drop, teardown),
        T(fin_without_session_is_ignored_by_default_policy_in_ids),
        TM(midstream_picks_up_a_fin_with_data_only),
        T(urgent_inline_is_in_band_data),
        cmocka_unit_test_setup_teardown(urgent_drop_drops_the_packet_inline_and_keeps_its_data_out,
                                        setup_urgent_drop, teardown),
        cmocka_unit_test_setup_teardown(urgent_drop_in_ids_mode_keeps_the_data, setup_urgent_drop,
                                        teardown),
        cmocka_unit_test_setup_teardown(urgent_gap_leaves_the_data_out, setup_urgent_gap,
                                        teardown),
        T(flow_record_has_suricata_tcp_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
