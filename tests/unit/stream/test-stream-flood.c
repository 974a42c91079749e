/* Floods stay within the memcaps, with counters showing it: a flow of many
 * tiny out-of-order segments against stream.reassembly.memcap, and many
 * half-open sessions (one unanswered SYN each) against stream.memcap. The
 * engine keeps tracking other flows, and memory returns to 0 when flows end.
 * Sizes are picked to run well under a second with ASan; bench-stream runs
 * the million-segment version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "stream-test-util.h"
#include "stream/stream.h"
#include "util/util-error.h"

static TestConn g_tc;

#define REASM_CAP (1u << 20)
#define SSN_LIMIT 1000u          // sessions that fit in the stream.memcap of the test

static int teardown(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    return 0;
}

static int setup_reasm_cap(void **state)
{
    (void)state;
    return tc_init(&g_tc, "stream:\n  reassembly:\n    memcap: 1mb\n");
}

static int setup_ssn_cap(void **state)
{
    (void)state;
    char yaml[64];
    (void)snprintf(yaml, sizeof(yaml), "stream:\n  memcap: %zu\n",
                   (size_t)SSN_LIMIT * sizeof(TcpSession));
    return tc_init(&g_tc, yaml);
}

/* One packet on flow f (the TestConn's packet buffers are reused). */
static Packet *send_on(Flow *f, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                       const char *data, bool wscale)
{
    Packet *p = tc_pkt_opts(&g_tc, dir, flags, seq, ack, data, 65535);
    p->flow = f;
    if (wscale) {
        p->tcp.has_wscale = true;
        p->tcp.wscale = 7;       // 8 MB windows: the whole flood is in window
    }
    stream_packet(g_tc.st, p);
    return p;
}

/* Handshake with window scaling, then a server ACK advertising the scaled window. */
static void handshake_on(Flow *f)
{
    send_on(f, TS, TH_SYN, 1000, 0, NULL, true);
    send_on(f, TC, TH_SYN | TH_ACK, 5000, 1001, NULL, true);
    send_on(f, TS, TH_ACK, 1001, 5001, NULL, false);
    send_on(f, TC, TH_ACK, 5001, 1001, NULL, false);
}

static uint32_t *shuffled(uint32_t n)
{
    uint32_t *order = malloc(n * sizeof(uint32_t));
    assert_non_null(order);
    for (uint32_t i = 0; i < n; i++) {
        order[i] = i;
    }
    uint32_t x = 12345;
    for (uint32_t i = n - 1; i > 0; i--) {
        x = x * 1103515245u + 12345u;
        uint32_t j = (x >> 8) % (i + 1);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    return order;
}

static void free_session(Flow *f)
{
    stream_session_free(f->protoctx);
    f->protoctx = NULL;
    flow_storage_free_all(f);   // whatever a stage kept in the flow's storage
}

/* 200k one-byte segments at every other offset (so no two runs merge) and
 * in random order, with the first byte missing (nothing is ever in order). */
static void tiny_segment_flood_stays_within_reassembly_memcap(void **state)
{
    (void)state;
    enum { N = 200000 };
    uint32_t *order = shuffled(N);
    handshake_on(&g_tc.f);
    uint64_t peak = 0;
    uint32_t memcap_events = 0;
    for (uint32_t i = 0; i < N; i++) {
        Packet *p = send_on(&g_tc.f, TS, TH_ACK, 1002 + 2 * order[i], 5001, "a", false);
        memcap_events += tc_has_event(p, DECODE_EV_STREAM_REASSEMBLY_MEMCAP);
        uint64_t use = stream_reassembly_memuse();
        peak = use > peak ? use : peak;
    }
    free(order);
    assert_true(peak <= REASM_CAP);
    assert_true(peak > REASM_CAP / 2);                  // it did fill up
    assert_true(tc_counter("tcp.reassembly_memuse") <= REASM_CAP);
    assert_true(memcap_events >= 1);
    assert_true(tc_counter("tcp.segment_memcap_drop") > N / 2);   // every refused segment
    assert_true(tc_ssn(&g_tc)->streams[0].flags & STREAM_F_NOREASM);

    /* Meanwhile another flow is still tracked (its data may be refused). */
    Flow other = {.key.proto = 6};
    handshake_on(&other);
    send_on(&other, TS, TH_ACK | TH_PUSH, 1001, 5001, "GET / HTTP/1.0\r\n\r\n", false);
    assert_int_equal(((TcpSession *)other.protoctx)->state, TCP_ESTABLISHED);
    assert_true(stream_reassembly_memuse() <= REASM_CAP);

    /* The flood flow ends: its memory comes back and a new flow reassembles. */
    tc_end_session(&g_tc);
    free_session(&other);
    assert_int_equal(stream_reassembly_memuse(), 0);
    Flow next = {.key.proto = 6};
    handshake_on(&next);
    Packet *p = send_on(&next, TS, TH_ACK, 1001, 5001, "hello", false);
    assert_true(p->stream_flags & PKT_STREAM_ADDED);
    assert_int_equal(stream_reasm_run_len(&((TcpSession *)next.protoctx)->streams[0], 0), 5);
    free_session(&next);
    assert_int_equal(stream_reassembly_memuse(), 0);
    assert_int_equal(stream_memuse(), 0);
}

/* 100k flows, one SYN each, never answered: only SSN_LIMIT sessions fit. */
static void half_open_flood_stays_within_session_memcap(void **state)
{
    (void)state;
    enum { N = 100000 };
    uint64_t cap = (uint64_t)SSN_LIMIT * sizeof(TcpSession);
    Flow *flows = calloc(N, sizeof(Flow));
    assert_non_null(flows);
    uint32_t tracked = 0;
    for (uint32_t i = 0; i < N; i++) {
        flows[i].key.proto = 6;
        send_on(&flows[i], TS, TH_SYN, 1000 + i, 0, NULL, false);
        tracked += flows[i].protoctx != NULL;
        assert_true(stream_memuse() <= cap);
    }
    assert_int_equal(tracked, SSN_LIMIT);
    assert_int_equal(tc_counter("tcp.syn"), N);
    assert_int_equal(tc_counter("tcp.sessions"), SSN_LIMIT);
    assert_int_equal(tc_counter("tcp.ssn_memcap_drop"), N - SSN_LIMIT);
    assert_int_equal(tc_counter("tcp.memuse"), cap);

    /* Flows end (timeout): memory returns and new sessions are accepted. */
    for (uint32_t i = 0; i < N; i++) {
        free_session(&flows[i]);
    }
    assert_int_equal(stream_memuse(), 0);
    handshake_on(&flows[0]);
    assert_int_equal(((TcpSession *)flows[0].protoctx)->state, TCP_ESTABLISHED);
    free_session(&flows[0]);
    free(flows);
    assert_int_equal(stream_memuse(), 0);
}

/* memcap-set while sessions live: below the memory in use is refused; a
 * lower cap stops new sessions at once, a higher one lets more in. */
static void session_memcap_set_at_run_time(void **state)
{
    (void)state;
    enum { N = 3000 };
    uint64_t cap = (uint64_t)SSN_LIMIT * sizeof(TcpSession);
    Flow *flows = calloc(N, sizeof(Flow));
    assert_non_null(flows);
    uint64_t use = 0;
    assert_int_equal(stream_memcap_get(false, &use), cap);
    for (uint32_t i = 0; i < 500; i++) {
        flows[i].key.proto = 6;
        send_on(&flows[i], TS, TH_SYN, 1000 + i, 0, NULL, false);
    }
    assert_int_equal(stream_memuse(), 500 * sizeof(TcpSession));
    assert_int_equal(stream_memcap_set(false, 499 * sizeof(TcpSession)), VG_ERANGE);
    assert_int_equal(stream_memcap_get(false, NULL), cap);
    /* Exactly the memory in use: the next session is refused. */
    assert_int_equal(stream_memcap_set(false, 500 * sizeof(TcpSession)), 0);
    flows[500].key.proto = 6;
    send_on(&flows[500], TS, TH_SYN, 5000, 0, NULL, false);
    assert_null(flows[500].protoctx);
    assert_int_equal(tc_counter("tcp.ssn_memcap_drop"), 1);
    /* Raised past the configured value: 2500 sessions fit in all. */
    assert_int_equal(stream_memcap_set(false, 2500 * sizeof(TcpSession)), 0);
    uint32_t tracked = 500;
    for (uint32_t i = 501; i < N; i++) {
        flows[i].key.proto = 6;
        send_on(&flows[i], TS, TH_SYN, 1000 + i, 0, NULL, false);
        tracked += flows[i].protoctx != NULL;
    }
    assert_int_equal(tracked, 2500);
    assert_int_equal(tc_counter("tcp.ssn_memcap_drop"), 1 + (N - 501) - 2000);
    for (uint32_t i = 0; i < N; i++) {
        free_session(&flows[i]);
    }
    free(flows);
    assert_int_equal(stream_memuse(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(tiny_segment_flood_stays_within_reassembly_memcap,
                                        setup_reasm_cap, teardown),
        cmocka_unit_test_setup_teardown(half_open_flood_stays_within_session_memcap,
                                        setup_ssn_cap, teardown),
        cmocka_unit_test_setup_teardown(session_memcap_set_at_run_time, setup_ssn_cap, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
