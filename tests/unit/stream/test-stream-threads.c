/* Packet threads share the stream engine's global state: the memcap
 * accounting (atomics charged by one thread, released by whichever frees the
 * session), the inline switch and the chunk table. Several threads run their
 * own flows at once against one small reassembly memcap, and a last thread
 * frees the sessions the others hand over, as the flow manager does. Run
 * under ThreadSanitizer with `ctest -L threads`. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stream-test-util.h"

enum { N_THREADS = 3, FLOWS_PER_THREAD = 300 };

typedef struct Worker {
    pthread_t tid;
    StreamThread *st;
    CounterSet *cs;
    Flow *flows;
    _Atomic uint32_t done;       // flows[0, done) are finished: the reaper may free them
    uint32_t added;              // packets whose data went into reassembly
} Worker;

static const uint8_t g_hdr[20];
static const char g_data[] = "GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n";

static void send_pkt(Worker *w, Flow *f, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                 bool data)
{
    Packet p;
    memset(&p, 0, sizeof(p));
    p.l3 = PKT_L3_IPV4;
    p.l4 = PKT_L4_TCP;
    p.proto = 6;
    p.src = (VgAddr){.family = 4, .a.u8 = {10, 0, 0, (uint8_t)(1 + dir)}};
    p.dst = (VgAddr){.family = 4, .a.u8 = {10, 0, 0, (uint8_t)(2 - dir)}};
    p.sp = dir == TS ? 40000 : 80;
    p.dp = dir == TS ? 80 : 40000;
    p.flags = dir == TS ? PKT_F_TOSERVER : PKT_F_TOCLIENT;
    p.tcp.hdr = g_hdr;
    p.tcp.flags = flags;
    p.tcp.seq = seq;
    p.tcp.ack = ack;
    p.tcp.win = 65535;
    p.payload = (const uint8_t *)g_data;
    p.payload_len = data ? (uint32_t)(sizeof(g_data) - 1) : 0;
    p.flow = f;
    stream_packet(w->st, &p);
    w->added += (p.stream_flags & PKT_STREAM_ADDED) != 0;
}

static void *worker_main(void *arg)
{
    Worker *w = arg;
    uint32_t len = (uint32_t)(sizeof(g_data) - 1);
    for (uint32_t i = 0; i < FLOWS_PER_THREAD; i++) {
        Flow *f = &w->flows[i];
        send_pkt(w, f, TS, TH_SYN, 1000, 0, false);
        send_pkt(w, f, TC, TH_SYN | TH_ACK, 5000, 1001, false);
        send_pkt(w, f, TS, TH_ACK, 1001, 5001, false);
        send_pkt(w, f, TS, TH_ACK | TH_PUSH, 1001, 5001, true);
        send_pkt(w, f, TC, TH_ACK | TH_PUSH, 5001, 1001 + len, true);
        send_pkt(w, f, TS, TH_ACK | TH_FIN, 1001 + len, 5001 + len, false);
        atomic_store_explicit(&w->done, i + 1, memory_order_release);
    }
    return NULL;
}

/* Frees finished sessions while the workers run (the flow manager's part). */
static void *reaper_main(void *arg)
{
    Worker *ws = arg;
    uint32_t freed[N_THREADS] = {0};
    uint32_t total = 0;
    while (total < N_THREADS * FLOWS_PER_THREAD) {
        for (int t = 0; t < N_THREADS; t++) {
            uint32_t done = atomic_load_explicit(&ws[t].done, memory_order_acquire);
            for (; freed[t] < done; freed[t]++, total++) {
                stream_session_free(ws[t].flows[freed[t]].protoctx);
                ws[t].flows[freed[t]].protoctx = NULL;
                flow_storage_free_all(&ws[t].flows[freed[t]]);   // the flows' storage
            }
        }
        sched_yield();
    }
    return NULL;
}

static void concurrent_flows_share_memcaps_and_return_all_memory(void **state)
{
    (void)state;
    counters_reset();
    decode_register_counters();
    Conf *conf = conf_new();
    assert_int_equal(conf_load_string(conf, "stream:\n  reassembly:\n    memcap: 64kb\n",
                                      "test.yaml"), 0);
    assert_int_equal(stream_init(conf, NULL), 0);
    stream_set_min_chunk(80, STREAM_DIR_TOSERVER, 16);
    Worker ws[N_THREADS];
    memset(ws, 0, sizeof(ws));
    for (int t = 0; t < N_THREADS; t++) {
        ws[t].cs = counters_set_new();
        ws[t].st = stream_thread_new(ws[t].cs);
        ws[t].flows = calloc(FLOWS_PER_THREAD, sizeof(Flow));
        assert_non_null(ws[t].st);
        assert_non_null(ws[t].flows);
        for (uint32_t i = 0; i < FLOWS_PER_THREAD; i++) {
            ws[t].flows[i].key.proto = 6;
        }
    }
    pthread_t reaper;
    for (int t = 0; t < N_THREADS; t++) {
        assert_int_equal(pthread_create(&ws[t].tid, NULL, worker_main, &ws[t]), 0);
    }
    assert_int_equal(pthread_create(&reaper, NULL, reaper_main, ws), 0);
    uint32_t added = 0;
    for (int t = 0; t < N_THREADS; t++) {
        pthread_join(ws[t].tid, NULL);
        added += ws[t].added;
    }
    pthread_join(reaper, NULL);
    assert_int_equal(stream_memuse(), 0);
    assert_int_equal(stream_reassembly_memuse(), 0);
    assert_int_equal(tc_counter("tcp.sessions"), N_THREADS * FLOWS_PER_THREAD);
    assert_true(added > 0);
    for (int t = 0; t < N_THREADS; t++) {
        stream_thread_free(ws[t].st);
        counters_set_free(ws[t].cs);
        free(ws[t].flows);
    }
    stream_deinit();
    conf_free(conf);
    counters_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_flows_share_memcaps_and_return_all_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
