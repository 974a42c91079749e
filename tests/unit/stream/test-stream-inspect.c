/* Inspection views (IDS and inline), chunk sizes, the stream API and the
 * flow-end flush. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stream-test-util.h"

static TestConn g_tc;

/* Small chunks so that short test payloads are inspected. */
static int setup(void **state)
{
    (void)state;
    int rc = tc_init(&g_tc, NULL);
    stream_set_min_chunk(80, STREAM_DIR_TOSERVER, 4);
    stream_set_min_chunk(80, STREAM_DIR_TOCLIENT, 4);
    stream_set_inline(false);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    return 0;
}

typedef struct Recorder {
    char data[256];
    size_t len;
    int gaps;
    uint32_t gap_bytes;
    int closes;
    int calls;
} Recorder;

static Recorder g_rec;

static void record(Flow *f, uint8_t dir, int note, const uint8_t *data, uint32_t len, void *user)
{
    (void)f;
    (void)dir;
    Recorder *r = user;
    r->calls++;
    if (note == STREAM_NOTE_GAP) {
        r->gaps++;
        r->gap_bytes += len;
        assert_null(data);
    } else if (note == STREAM_NOTE_CLOSE) {
        r->closes++;
    } else if (r->len + len < sizeof(r->data)) {
        memcpy(r->data + r->len, data, len);
        r->len += len;
        r->data[r->len] = '\0';
    }
}

static void chunk_size_follows_declared_need_within_bounds(void **state)
{
    (void)state;
    assert_int_equal(stream_chunk_size(80, STREAM_DIR_TOSERVER), STREAM_CHUNK_FLOOR);
    assert_int_equal(stream_overlap_size(80, STREAM_DIR_TOSERVER), 3);
    assert_int_equal(stream_chunk_size(443, STREAM_DIR_TOSERVER), 2560);
    stream_set_min_chunk(443, STREAM_DIR_TOSERVER, 100000);
    assert_int_equal(stream_chunk_size(443, STREAM_DIR_TOSERVER), 2560);
    assert_int_equal(stream_overlap_size(443, STREAM_DIR_TOSERVER), 2560);
}

/* What detection declares sets the overlap only: chunks keep the configured
 * size, as Suricata's raw inspection does. */
static void declared_need_sets_overlap_not_chunk(void **state)
{
    (void)state;
    stream_declare_need(8080, STREAM_DIR_TOSERVER, 10);
    assert_int_equal(stream_chunk_size(8080, STREAM_DIR_TOSERVER), 2560);
    assert_int_equal(stream_overlap_size(8080, STREAM_DIR_TOSERVER), 9);
    assert_int_equal(stream_chunk_size(8080, STREAM_DIR_TOCLIENT), 2560);
}

/* As Suricata's raw inspection: a direction's data is inspected on that
 * direction's next packet once the peer acknowledged it. */
static void ids_view_rides_on_the_senders_packet_once_acked(void **state)
{
    (void)state;
    char v[128];
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK | TH_PUSH, 1001, 5001, "GET /index.html HTTP/1.1\r\n"
                                                                "Host: a\r\n\r\n  padding to go "
                                                                "past the floor chunk size");
    assert_null(p->stream_data);                 // not acknowledged yet
    p = tc_pkt(&g_tc, TC, TH_ACK, 5001, 1001 + 78, NULL);
    assert_null(p->stream_data);                 // the acking packet carries no view
    p = tc_pkt(&g_tc, TS, TH_ACK, 1001 + 78, 5001, NULL);
    tc_view(p, v, sizeof(v));
    assert_true(p->stream_flags & PKT_STREAM_TOSERVER);
    assert_int_equal(stream_data_overlap(p), 0);
    assert_int_equal(p->stream_data_len, 78);
    assert_memory_equal(v, "GET /index.html", 15);
}

static void ids_view_keeps_overlap_before_the_next_chunk(void **state)
{
    (void)state;
    char big[80];
    memset(big, 'a', sizeof(big) - 1);
    big[79] = '\0';
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, big);
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1080, NULL);
    memset(big, 'b', 79);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1080, 5001, big);
    assert_int_equal(p->stream_data_len, 79);    // the acked 'a's
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1159, NULL);
    p = tc_pkt(&g_tc, TS, TH_ACK, 1159, 5001, NULL);
    assert_int_equal(stream_data_overlap(p), 3);
    assert_int_equal(p->stream_data_len, 82);
    assert_memory_equal(p->stream_data, "aaab", 4);
}

static void fin_flushes_small_remainder_with_eof(void **state)
{
    (void)state;
    char v[64];
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK | TH_FIN, 1001, 5001, "tiny");
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1006, NULL);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1006, 5001, NULL);
    tc_view(p, v, sizeof(v));
    assert_string_equal(v, "tiny");
    assert_true(p->stream_flags & PKT_STREAM_EOF);
}

static void missing_acked_data_is_a_gap(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "0123456789");     // lost: never seen ...
    tc_end_session(&g_tc);
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1011, 5001, "after-the-gap-data-long-enough-for-a-chunk-of-"
                                           "sixty-four-bytes-at-least!!");
    tc_pkt(&g_tc, TC, TH_ACK | TH_FIN, 5001, 1011 + 67, NULL);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1011 + 67, 5002, NULL);
    assert_true(p->stream_flags & PKT_STREAM_GAP);
    assert_int_equal(tc_counter("tcp.reassembly_gap"), 1);
    assert_true(tc_has_event(p, DECODE_EV_STREAM_REASSEMBLY_SEQ_GAP));
    assert_memory_equal(p->stream_data, "after", 5);
}

static void inline_view_holds_unacked_data_of_this_packet(void **state)
{
    (void)state;
    stream_set_inline(true);
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "evil");
    assert_true(p->stream_flags & PKT_STREAM_INLINE);
    assert_int_equal(p->stream_data_len, 4);
    assert_memory_equal(p->stream_data, "evil", 4);
    p = tc_pkt(&g_tc, TS, TH_ACK, 1005, 5001, "cmd");
    assert_true(p->stream_flags & PKT_STREAM_WINDOW);
    assert_int_equal(stream_data_overlap(p), 0);   // a window is inspected whole
    assert_int_equal(p->stream_data_len, 7);
    assert_memory_equal(p->stream_data, "evilcmd", 7);
    stream_set_inline(false);
}

/* Inline, a Fast Open SYN's data is inspected on the SYN itself (it can still be
 * dropped); in IDS mode it waits for the handshake as any data waits for its ack. */
static void tfo_syn_data_is_inspected_on_the_syn_inline_only(void **state)
{
    (void)state;
    for (int is_inline = 0; is_inline < 2; is_inline++) {
        tc_end_session(&g_tc);
        stream_set_inline(is_inline);
        Packet *p = tc_pkt_opts(&g_tc, TS, TH_SYN, 1000, 0, "GET /x", 65535);
        p->tcp.has_tfo = true;
        stream_packet(g_tc.st, p);
        assert_int_equal(tc_ssn(&g_tc)->state, TCP_SYN_SENT);
        assert_true(p->stream_flags & PKT_STREAM_ADDED);
        if (is_inline) {
            assert_true(p->stream_flags & PKT_STREAM_INLINE);
            assert_int_equal(p->stream_data_len, 6);
            assert_memory_equal(p->stream_data, "GET /x", 6);
        } else {
            assert_int_equal(p->stream_data_len, 0);
        }
    }
    stream_set_inline(false);
}

/* Inline, as Suricata: each packet's view is the window of the last chunk of in-order
 * data ending with its own bytes (chunk 64 on port 80 here), so a pattern split across
 * any number of packets within a chunk is found with the packet completing it. Acked
 * data is kept as long as a window may reach it. */
static void inline_window_is_the_last_chunk_ending_with_the_packet(void **state)
{
    (void)state;
    stream_set_inline(true);
    tc_handshake(&g_tc);
    char seg[11];
    uint32_t seq = 1001;
    Packet *p = NULL;
    for (int i = 0; i < 10; i++) {
        memset(seg, 'a' + i, 10);
        seg[10] = '\0';
        p = tc_pkt(&g_tc, TS, TH_ACK, seq, 5001, seg);
        seq += 10;
        uint32_t want = (uint32_t)(i + 1) * 10 < 64 ? (uint32_t)(i + 1) * 10 : 64;
        assert_int_equal(p->stream_data_len, want);
        assert_int_equal(p->stream_view_off + p->stream_data_len, (uint64_t)(i + 1) * 10);
        assert_memory_equal(p->stream_data + p->stream_data_len - 10, seg, 10);
        if (i == 9) {
            assert_memory_equal(p->stream_data, "dddde", 5);   // offsets 36..99
        }
        tc_pkt(&g_tc, TC, TH_ACK, 5001, seq, NULL);   // acked data stays for the window
    }
    stream_set_inline(false);
}

/* New data of a chunk or more carries a tenth of a chunk of the data before it. */
static void inline_window_of_a_large_packet_leads_with_a_tenth_chunk(void **state)
{
    (void)state;
    stream_set_inline(true);
    tc_handshake(&g_tc);
    char big[101];
    memset(big, 'x', 100);
    big[100] = '\0';
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "0123456789");
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1011, 5001, big);
    assert_int_equal(p->stream_data_len, 100 + 64 / 10);
    assert_memory_equal(p->stream_data, "456789x", 7);
    stream_set_inline(false);
}

/* Acknowledged data is pruned, but never what a later window reaches. */
static void inline_window_survives_pruning_of_acked_data(void **state)
{
    (void)state;
    stream_set_inline(true);
    tc_handshake(&g_tc);
    char seg[101];
    uint32_t seq = 1001;
    for (int i = 0; i < 200; i++) {
        memset(seg, 'a' + i % 26, 100);
        seg[100] = '\0';
        Packet *p = tc_pkt(&g_tc, TS, TH_ACK, seq, 5001, seg);
        seq += 100;
        assert_int_equal(p->stream_data_len, i == 0 ? 100 : 106);
        if (i > 0) {
            assert_int_equal(p->stream_data[0], 'a' + (i - 1) % 26);
        }
        tc_pkt(&g_tc, TC, TH_ACK, 5001, seq, NULL);
    }
    stream_set_inline(false);
}

/* The window never reaches over missing data: after a gap it starts with the new data. */
static void inline_window_stops_at_a_gap(void **state)
{
    (void)state;
    stream_set_inline(true);
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "before");
    tc_pkt(&g_tc, TS, TH_ACK, 1017, 5001, "after");       // 1007..1016 never seen
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1022, NULL);          // the peer acks past the hole
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1022, 5001, "more");
    assert_true(p->stream_flags & PKT_STREAM_GAP);
    assert_int_equal(p->stream_data_len, 9);
    assert_memory_equal(p->stream_data, "aftermore", 9);
    stream_set_inline(false);
}

static void inline_out_of_order_packet_is_seen_then_again_with_the_hole(void **state)
{
    (void)state;
    stream_set_inline(true);
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1005, 5001, "cmd");
    assert_true(p->stream_flags & PKT_STREAM_INLINE);
    assert_int_equal(p->stream_data_len, 3);
    assert_memory_equal(p->stream_data, "cmd", 3);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_REASSEMBLY_SEQ_GAP));
    p = tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "evil");
    assert_int_equal(p->stream_data_len, 7);  // a match across the hole is found
    assert_memory_equal(p->stream_data, "evilcmd", 7);
    stream_set_inline(false);
}

/* Found by fuzz-stream: a FIN placed behind delivered data made the view
 * length wrap around. */
static void fin_behind_delivered_data_gives_no_view(void **state)
{
    (void)state;
    stream_set_inline(true);
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "hello");
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK | TH_FIN, 1001, 5001, NULL);
    assert_null(p->stream_data);
    assert_int_equal(p->stream_data_len, 0);
    stream_set_inline(false);
}

static void subscriber_receives_each_piece_once_then_close(void **state)
{
    (void)state;
    memset(&g_rec, 0, sizeof(g_rec));
    assert_true(stream_subscribe(STREAM_DIR_TOSERVER, record, &g_rec) >= 0);
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "hello ");
    tc_pkt(&g_tc, TS, TH_ACK, 1007, 5001, "world");
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "hello ");          // retransmission
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1012, NULL);
    tc_pkt(&g_tc, TS, TH_ACK | TH_FIN, 1012, 5001, "!");
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1014, NULL);
    assert_string_equal(g_rec.data, "hello world!");
    assert_int_equal(g_rec.closes, 1);
    assert_int_equal(g_rec.gaps, 0);
    /* Detection still holds the data: no client packet followed the last ack. */
    assert_int_equal(stream_flow_end_flush(&g_tc.f, NULL, NULL), 1);
    assert_int_equal(g_rec.closes, 1);
}

typedef struct Flushed {
    char data[128];
    size_t len;
    uint32_t last_flags;
    int n;
} Flushed;

static void on_flush(const uint8_t *data, uint32_t len, uint32_t flags, void *user)
{
    Flushed *fl = user;
    uint32_t ov = flags >> PKT_STREAM_OVERLAP_SHIFT;
    memcpy(fl->data + fl->len, data + ov, len - ov);
    fl->len += len - ov;
    fl->last_flags = flags;
    fl->n++;
}

/* Data beyond a hole the peer did not acknowledge: each packet's view is the
 * run holding it, the bytes an earlier packet showed as overlap; once the
 * hole is declared missing, those bytes are not shown again. */
static void inline_data_beyond_a_hole_is_inspected_with_its_packet(void **state)
{
    (void)state;
    stream_set_inline(true);
    tc_handshake(&g_tc);
    Packet *p = tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "Please ");
    assert_int_equal(p->stream_data_len, 7);
    p = tc_pkt(&g_tc, TS, TH_ACK, 1012, 5001, "Me ");
    assert_int_equal(p->stream_data_len, 3);
    assert_int_equal(stream_data_overlap(p), 0);
    assert_memory_equal(p->stream_data, "Me ", 3);
    p = tc_pkt(&g_tc, TS, TH_ACK, 1015, 5001, "In!");
    assert_int_equal(p->stream_data_len, 6);
    assert_int_equal(stream_data_overlap(p), 3);
    assert_memory_equal(p->stream_data, "Me In!", 6);
    assert_false(tc_has_event(p, DECODE_EV_STREAM_REASSEMBLY_SEQ_GAP));
    Flushed fl = {0};
    assert_int_equal(stream_flow_end_flush(&g_tc.f, on_flush, &fl), 0);  // all seen
    stream_set_inline(false);
}

static void flow_end_flush_hands_over_unacked_data(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "never ");
    tc_pkt(&g_tc, TS, TH_ACK, 1007, 5001, "acked");
    Flushed fl = {0};
    assert_int_equal(stream_flow_end_flush(&g_tc.f, on_flush, &fl), 1);
    assert_memory_equal(fl.data, "never acked", 11);
    assert_true(fl.last_flags & PKT_STREAM_EOF);
    assert_true(fl.last_flags & PKT_STREAM_TOSERVER);
}

static void flow_end_flush_without_session_does_nothing(void **state)
{
    (void)state;
    Flushed fl = {0};
    assert_int_equal(stream_flow_end_flush(&g_tc.f, on_flush, &fl), 0);
}

static void log_payload_marks_missing_bytes(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "VERY");
    tc_pkt(&g_tc, TS, TH_ACK, 1009, 5001, "DATA");
    uint8_t out[64];
    uint32_t n = stream_log_payload(&g_tc.f, true, out, sizeof(out));
    assert_int_equal(n, strlen("VERY[4 bytes missing]DATA"));
    assert_memory_equal(out, "VERY[4 bytes missing]DATA", n);
}

static void log_payload_is_bounded_by_cap(void **state)
{
    (void)state;
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "VERY");
    tc_pkt(&g_tc, TS, TH_ACK, 1009, 5001, "DATA");
    uint8_t out[8];
    assert_int_equal(stream_log_payload(&g_tc.f, true, out, sizeof(out)), 8);
    assert_memory_equal(out, "VERY[4 b", 8);
    assert_int_equal(stream_log_payload(&g_tc.f, true, out, 0), 0);
}

static void log_payload_without_session_or_data_is_empty(void **state)
{
    (void)state;
    uint8_t out[8];
    assert_int_equal(stream_log_payload(&g_tc.f, true, out, sizeof(out)), 0);
    tc_handshake(&g_tc);
    assert_int_equal(stream_log_payload(&g_tc.f, false, out, sizeof(out)), 0);
    assert_int_equal(stream_log_payload(NULL, true, out, sizeof(out)), 0);
}

static void subscriber_gap_notice_carries_the_missing_length(void **state)
{
    (void)state;
    memset(&g_rec, 0, sizeof(g_rec));
    assert_true(stream_subscribe(STREAM_DIR_TOSERVER, record, &g_rec) >= 0);
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "AAAA");
    tc_pkt(&g_tc, TS, TH_ACK, 1011, 5001, "BBBB");        // 6 bytes never seen
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1015, NULL);
    assert_string_equal(g_rec.data, "AAAABBBB");
    assert_int_equal(g_rec.gaps, 1);
    assert_int_equal(g_rec.gap_bytes, 6);
    tc_pkt(&g_tc, TS, TH_ACK, 1018, 5001, "CC");          // 3 more missing
    tc_pkt(&g_tc, TC, TH_ACK, 5001, 1020, NULL);
    assert_string_equal(g_rec.data, "AAAABBBBCC");
    assert_int_equal(g_rec.gaps, 2);
    assert_int_equal(g_rec.gap_bytes, 9);
}

static void inline_subscriber_waits_for_an_out_of_order_hole(void **state)
{
    (void)state;
    stream_set_inline(true);
    memset(&g_rec, 0, sizeof(g_rec));
    assert_true(stream_subscribe(STREAM_DIR_TOSERVER, record, &g_rec) >= 0);
    tc_handshake(&g_tc);
    tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "AAAA");
    tc_pkt(&g_tc, TS, TH_ACK, 1009, 5001, "BBBB");        // ahead of a hole, not acked
    assert_string_equal(g_rec.data, "AAAA");
    assert_int_equal(g_rec.gaps, 0);
    tc_pkt(&g_tc, TS, TH_ACK, 1005, 5001, "CCCC");        // fills it
    assert_string_equal(g_rec.data, "AAAACCCCBBBB");
    assert_int_equal(g_rec.gaps, 0);
    stream_set_inline(false);
}

/* What a subscriber parsed is what detection inspects: an overlapping segment with
 * other bytes cannot rewrite data already handed to subscribers, whatever the policy. */
static void bytes_handed_to_subscribers_are_never_rewritten(void **state)
{
    (void)state;
    memset(&g_rec, 0, sizeof(g_rec));
    assert_true(stream_subscribe(STREAM_DIR_TOSERVER, record, &g_rec) >= 0);
    for (int pol = STREAM_POLICY_BSD; pol < STREAM_POLICY_MAX; pol++) {
        tc_deinit(&g_tc);
        assert_int_equal(tc_init(&g_tc, NULL), 0);
        stream_set_min_chunk(80, STREAM_DIR_TOSERVER, 4);
        memset(&g_rec, 0, sizeof(g_rec));
        assert_true(stream_subscribe(STREAM_DIR_TOSERVER, record, &g_rec) >= 0);
        tc_handshake(&g_tc);
        ((TcpSession *)g_tc.f.protoctx)->streams[0].policy = (uint8_t)pol;
        tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "ab");
        tc_pkt(&g_tc, TC, TH_ACK, 5001, 1003, NULL);       // delivered to subscribers only
        assert_string_equal(g_rec.data, "ab");
        tc_pkt(&g_tc, TS, TH_ACK, 1001, 5001, "XYcd");     // overlaps with other bytes
        tc_pkt(&g_tc, TS, TH_ACK | TH_FIN, 1005, 5001, NULL);
        tc_pkt(&g_tc, TC, TH_ACK, 5001, 1006, NULL);
        assert_string_equal(g_rec.data, "abcd");
        Flushed fl = {0};
        (void)stream_flow_end_flush(&g_tc.f, on_flush, &fl);
        char all[16] = {0};
        uint32_t n = stream_log_payload(&g_tc.f, true, (uint8_t *)all, sizeof(all) - 1);
        assert_int_equal(n, 4);
        assert_string_equal(all, "abcd");
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(chunk_size_follows_declared_need_within_bounds),
        T(declared_need_sets_overlap_not_chunk),
        T(ids_view_rides_on_the_senders_packet_once_acked),
        T(ids_view_keeps_overlap_before_the_next_chunk),
        T(fin_flushes_small_remainder_with_eof),
        T(missing_acked_data_is_a_gap),
        T(inline_view_holds_unacked_data_of_this_packet),
        T(tfo_syn_data_is_inspected_on_the_syn_inline_only),
        T(inline_window_is_the_last_chunk_ending_with_the_packet),
        T(inline_window_of_a_large_packet_leads_with_a_tenth_chunk),
        T(inline_window_survives_pruning_of_acked_data),
        T(inline_window_stops_at_a_gap),
        T(inline_out_of_order_packet_is_seen_then_again_with_the_hole),
        T(inline_data_beyond_a_hole_is_inspected_with_its_packet),
        T(fin_behind_delivered_data_gives_no_view),
        T(subscriber_receives_each_piece_once_then_close),
        T(subscriber_gap_notice_carries_the_missing_length),
        T(inline_subscriber_waits_for_an_out_of_order_hole),
        T(bytes_handed_to_subscribers_are_never_rewritten),
        T(flow_end_flush_hands_over_unacked_data),
        T(flow_end_flush_without_session_does_nothing),
        T(log_payload_marks_missing_bytes),
        T(log_payload_is_bounded_by_cap),
        T(log_payload_without_session_or_data_is_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
