/* Thread modules, slots and threads: the module registry's checks, a thread
 * run inline, and a hand-built two-group pipeline (also run under TSan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "runtime/engine.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime-order.h"
#include "runtime/runtime.h"
#include "util/util-error.h"

/* ---- test modules ----
 * Modules hold no state: what a test wants them to do is written here by the
 * main thread before any thread starts; per-thread results live in slots
 * indexed by the ThreadVars id, read by the main thread after joining. */

#define MAX_PKTS 20000
#define MAX_FLOWS 64
#define MAX_TV 4

static struct {
    uint32_t n_packets;          // the acquire module makes this many
    uint32_t n_flows;            // spread over this many flows, both directions
} g_acq;

typedef struct CountResult {
    uint32_t n;
    uint8_t seen[MAX_PKTS + 1];  // by pcap_cnt
    bool flows[MAX_FLOWS];
} CountResult;

static CountResult g_res[MAX_TV];
static _Atomic uint32_t g_n_done;        // packet_done calls, any thread
static _Atomic uint32_t g_n_deinit;      // thread_deinit calls of test-count

static void make_packet(Packet *p, uint32_t i)
{
    uint32_t flow = i % g_acq.n_flows;
    bool is_reply = (i / g_acq.n_flows) % 2 == 1;
    uint32_t client = 0x0a000001u + flow;        // 10.0.0.1 + flow
    uint32_t server = 0xc0a80001u;               // 192.168.0.1
    p->src.family = 4;
    p->dst.family = 4;
    p->src.a.u32[0] = is_reply ? server : client;
    p->dst.a.u32[0] = is_reply ? client : server;
    p->sp = (uint16_t)(is_reply ? 80 : 30000 + flow);
    p->dp = (uint16_t)(is_reply ? 30000 + flow : 80);
    p->proto = 6;
    p->l3 = PKT_L3_IPV4;
    p->flow_hash = flow;         // the test's flow id, read back by test-count
    p->pcap_cnt = i + 1;
}

static int acq_loop(ThreadVars *tv, void *data)
{
    (void)data;
    for (uint32_t i = 0; i < g_acq.n_packets && !atomic_load(&tv->engine->stop); i++) {
        Packet *p = packet_pool_get(tv->engine->pool);
        make_packet(p, i);
        tm_thread_dispatch(tv, p);
    }
    return TM_OK;
}

static const TmModule mod_acquire = {
    .hdr = TM_MODULE_HDR,
    .name = "test-acquire",
    .kind = TM_KIND_ACQUIRE,
    .acquire_loop = acq_loop,
};

static int count_init(ThreadVars *tv, void **data)
{
    *data = &g_res[tv->id];
    return TM_OK;
}

static int count_process(ThreadVars *tv, Packet *p, void *data)
{
    (void)tv;
    CountResult *r = data;
    r->n++;
    r->seen[p->pcap_cnt]++;
    r->flows[p->flow_hash] = true;
    return TM_OK;
}

static void count_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    (void)data;
    atomic_fetch_add(&g_n_deinit, 1);
}

static const TmModule mod_count = {
    .hdr = TM_MODULE_HDR,
    .name = "test-count",
    .kind = TM_KIND_OTHER,
    .thread_init = count_init,
    .process = count_process,
    .thread_deinit = count_deinit,
};

static int fail_init(ThreadVars *tv, void **data)
{
    (void)tv;
    (void)data;
    return TM_FAILED;
}

static int noop_process(ThreadVars *tv, Packet *p, void *data)
{
    (void)tv;
    (void)p;
    (void)data;
    return TM_OK;
}

static const TmModule mod_fail = {
    .hdr = TM_MODULE_HDR,
    .name = "test-fail",
    .kind = TM_KIND_OTHER,
    .thread_init = fail_init,
    .process = noop_process,
};

static void on_packet_done(Packet *p)
{
    (void)p;
    atomic_fetch_add(&g_n_done, 1);
}

static int setup(void **state)
{
    (void)state;
    memset(g_res, 0, sizeof(g_res));
    memset(&g_acq, 0, sizeof(g_acq));
    atomic_store(&g_n_done, 0);
    atomic_store(&g_n_deinit, 0);
    if (tm_module_register(&mod_acquire) != 0 || tm_module_register(&mod_count) != 0 ||
        tm_module_register(&mod_fail) != 0) {
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tm_modules_reset();
    counters_reset();
    return 0;
}

/* ---- registry ---- */

static void registered_module_is_found_by_name(void **state)
{
    (void)state;
    assert_ptr_equal(tm_module_find("test-count"), &mod_count);
    assert_non_null(tm_module_find("decode"));
    assert_null(tm_module_find("test-nothing"));
}

static void register_refuses_other_api_version(void **state)
{
    (void)state;
    TmModule m = mod_count;
    m.name = "test-v2";
    m.hdr.api_version = VG_PLUGIN_API_VERSION + 1;
    assert_int_equal(tm_module_register(&m), VG_EVERSION);
    assert_null(tm_module_find("test-v2"));
}

static void register_refuses_other_struct_size(void **state)
{
    (void)state;
    TmModule m = mod_count;
    m.name = "test-size";
    m.hdr.struct_size = sizeof(TmModule) - sizeof(void *);
    assert_int_equal(tm_module_register(&m), VG_EVERSION);
    assert_null(tm_module_find("test-size"));
}

static void register_refuses_a_taken_name(void **state)
{
    (void)state;
    TmModule dup_plugin = mod_fail;
    dup_plugin.name = "test-count";
    TmModule dup_builtin = mod_fail;
    dup_builtin.name = "decode";
    assert_int_equal(tm_module_register(&dup_plugin), VG_EEXIST);
    assert_int_equal(tm_module_register(&dup_builtin), VG_EEXIST);
    assert_ptr_equal(tm_module_find("test-count"), &mod_count);
}

static void register_refuses_missing_callbacks_or_name(void **state)
{
    (void)state;
    TmModule no_process = mod_count;
    no_process.name = "test-noproc";
    no_process.process = NULL;
    TmModule no_loop = mod_acquire;
    no_loop.name = "test-noloop";
    no_loop.acquire_loop = NULL;
    TmModule no_name = mod_count;
    no_name.name = NULL;
    assert_int_equal(tm_module_register(&no_process), VG_EINVAL);
    assert_int_equal(tm_module_register(&no_loop), VG_EINVAL);
    assert_int_equal(tm_module_register(&no_name), VG_EINVAL);
    assert_int_equal(tm_module_register(NULL), VG_EINVAL);
    assert_null(tm_module_find("test-noproc"));
    assert_null(tm_module_find("test-noloop"));
}

/* ---- slots ---- */

static void add_slot_refuses_unknown_module(void **state)
{
    (void)state;
    ThreadVars tv = {.name = "T#01"};
    assert_int_equal(tm_thread_add_slot(&tv, "test-nothing"), VG_ENOENT);
    assert_int_equal(tv.n_slots, 0);
}

static void add_slot_refuses_acquire_after_slot_0(void **state)
{
    (void)state;
    ThreadVars tv = {.name = "T#01"};
    assert_int_equal(tm_thread_add_slot(&tv, "test-count"), 0);
    assert_int_equal(tm_thread_add_slot(&tv, "test-acquire"), VG_EINVAL);
    assert_int_equal(tv.n_slots, 1);
}

static void add_slot_refuses_more_than_max_slots(void **state)
{
    (void)state;
    ThreadVars tv = {.name = "T#01"};
    for (int i = 0; i < TM_MAX_SLOTS; i++) {
        assert_int_equal(tm_thread_add_slot(&tv, "test-count"), 0);
    }
    assert_int_equal(tm_thread_add_slot(&tv, "test-count"), VG_ERANGE);
    assert_int_equal(tv.n_slots, TM_MAX_SLOTS);
}

static void add_slot_describes_modules_in_order(void **state)
{
    (void)state;
    ThreadVars tv = {.name = "T#01"};
    assert_int_equal(tm_thread_add_slot(&tv, "test-acquire"), 0);
    assert_int_equal(tm_thread_add_slot(&tv, "test-count"), 0);
    assert_string_equal(tv.modules_desc, "test-acquire,test-count");
}

/* ---- one thread, inline ---- */

static void inline_thread_processes_every_packet_and_returns_them(void **state)
{
    (void)state;
    Engine e = {.packet_done = on_packet_done};
    e.pool = packet_pool_new(8);
    assert_non_null(e.pool);
    g_acq.n_packets = 1000;      // many more than the pool holds: packets are recycled
    g_acq.n_flows = 10;
    ThreadVars tv = {.name = "W#01", .id = 0, .engine = &e};
    assert_int_equal(tm_thread_add_slot(&tv, "test-acquire"), 0);
    assert_int_equal(tm_thread_add_slot(&tv, "test-count"), 0);
    assert_int_equal(tm_thread_run_inline(&tv), 0);
    assert_int_equal(g_res[0].n, 1000);
    for (uint32_t i = 1; i <= 1000; i++) {
        assert_int_equal(g_res[0].seen[i], 1);
    }
    assert_int_equal(atomic_load(&g_n_done), 1000);
    assert_int_equal(atomic_load(&g_n_deinit), 1);
    assert_int_equal(packet_pool_free_count(e.pool), 8);
    assert_null(tv.counters);
    packet_pool_free(e.pool);
}

static void failed_thread_init_undoes_earlier_slots(void **state)
{
    (void)state;
    Engine e = {0};
    e.pool = packet_pool_new(2);
    g_acq.n_packets = 10;
    g_acq.n_flows = 1;
    ThreadVars tv = {.name = "W#01", .id = 0, .engine = &e};
    assert_int_equal(tm_thread_add_slot(&tv, "test-acquire"), 0);
    assert_int_equal(tm_thread_add_slot(&tv, "test-count"), 0);
    assert_int_equal(tm_thread_add_slot(&tv, "test-fail"), 0);
    assert_int_not_equal(tm_thread_run_inline(&tv), 0);
    assert_int_equal(g_res[0].n, 0);
    assert_int_equal(atomic_load(&g_n_deinit), 1);
    assert_int_equal(packet_pool_free_count(e.pool), 2);
    packet_pool_free(e.pool);
}

/* ---- a two-group pipeline: RX -> flow handler -> 2 workers ---- */

#define N_WORKERS 2

typedef struct Pipe {
    Engine e;
    PacketQueue q[N_WORKERS];
    PacketQueue *qp[N_WORKERS];
    QueueHandler qh;
    ThreadVars rx;
    ThreadVars w[N_WORKERS];
} Pipe;

static void pipe_build(Pipe *pp, const char *worker_module, uint32_t queue_cap)
{
    memset(pp, 0, sizeof(*pp));
    pp->e.packet_done = on_packet_done;
    pp->e.pool = packet_pool_new(16);
    assert_non_null(pp->e.pool);
    for (int i = 0; i < N_WORKERS; i++) {
        assert_int_equal(packet_queue_init(&pp->q[i], queue_cap, "W-q"), 0);
        pp->qp[i] = &pp->q[i];
    }
    pp->qh = (QueueHandler){.kind = QH_FLOW, .queues = pp->qp, .n_queues = N_WORKERS};
    pp->rx = (ThreadVars){.name = "RX#01", .id = N_WORKERS, .engine = &pp->e, .outq = &pp->qh};
    assert_int_equal(tm_thread_add_slot(&pp->rx, "test-acquire"), 0);
    for (uint32_t i = 0; i < N_WORKERS; i++) {
        pp->w[i] = (ThreadVars){.name = "W#0x", .id = i, .engine = &pp->e, .inq = &pp->q[i]};
        assert_int_equal(tm_thread_add_slot(&pp->w[i], worker_module), 0);
    }
}

/* Start consumers first, then the reader; at the end close the queues once
 * the reader has ended (the order runmode_run uses) and join the workers. */
static void pipe_run(Pipe *pp, int *rx_rc, int *w_rc)
{
    for (int i = 0; i < N_WORKERS; i++) {
        assert_int_equal(tm_thread_start(&pp->w[i]), 0);
    }
    assert_int_equal(tm_thread_start(&pp->rx), 0);
    *rx_rc = tm_thread_join(&pp->rx);
    for (int i = 0; i < N_WORKERS; i++) {
        packet_queue_close(&pp->q[i]);
    }
    *w_rc = 0;
    for (int i = 0; i < N_WORKERS; i++) {
        int rc = tm_thread_join(&pp->w[i]);
        *w_rc = rc != 0 ? rc : *w_rc;
    }
}

static void pipe_free(Pipe *pp)
{
    for (int i = 0; i < N_WORKERS; i++) {
        packet_queue_deinit(&pp->q[i]);
    }
    packet_pool_free(pp->e.pool);
}

static void pipeline_processes_each_packet_once_and_keeps_flows_on_one_worker(void **state)
{
    (void)state;
    Pipe pp;
    g_acq.n_packets = 10000;
    g_acq.n_flows = 40;
    pipe_build(&pp, "test-count", 64);
    int rx_rc;
    int w_rc;
    pipe_run(&pp, &rx_rc, &w_rc);
    assert_int_equal(rx_rc, 0);
    assert_int_equal(w_rc, 0);
    assert_int_equal(g_res[0].n + g_res[1].n, 10000);
    for (uint32_t i = 1; i <= 10000; i++) {
        assert_int_equal(g_res[0].seen[i] + g_res[1].seen[i], 1);
    }
    for (uint32_t f = 0; f < 40; f++) {
        assert_true(g_res[0].flows[f] != g_res[1].flows[f]);
    }
    assert_true(g_res[0].n > 0);
    assert_true(g_res[1].n > 0);
    assert_int_equal(atomic_load(&g_n_done), 10000);
    assert_int_equal(packet_pool_free_count(pp.e.pool), 16);
    pipe_free(&pp);
}

/* A worker that cannot start must not leave the reader blocked on a full
 * queue nobody reads: it stops the engine and hands its packets back. */
static void pipeline_with_failed_worker_ends_and_returns_every_packet(void **state)
{
    (void)state;
    Pipe pp;
    g_acq.n_packets = 10000;
    g_acq.n_flows = 40;
    pipe_build(&pp, "test-fail", 4);
    int rx_rc;
    int w_rc;
    pipe_run(&pp, &rx_rc, &w_rc);
    assert_int_equal(rx_rc, 0);
    assert_int_not_equal(w_rc, 0);
    assert_true(atomic_load(&pp.e.stop));
    assert_int_equal(packet_pool_free_count(pp.e.pool), 16);
    pipe_free(&pp);
}

/* ---- the reader run by the workers in turn (InlineReader) ----
 * The acquire module reads in steps; the steering (Engine.steer_prepare) waits for the
 * packet order at every 7th packet, as the flow stage's lookup does when it ends a
 * timed-out flow whose detection shares state across flows. A worker running a step
 * then waits for every earlier packet, some of which it steered to itself: they must
 * not sit in its own queue behind the step (the hang of the first inline reader). */

static _Atomic uint32_t g_step_next;     // the next packet a step makes
static _Atomic uint32_t g_steer_waits;   // steering waits that returned

static int step(ThreadVars *tv, void *data, uint32_t max, int *result)
{
    (void)data;
    (void)result;
    uint32_t n = 0;
    while (n < max && atomic_load(&g_step_next) < g_acq.n_packets) {
        Packet *p = packet_pool_get(tv->engine->pool);
        if (p == NULL) {
            return (int)n;
        }
        make_packet(p, atomic_fetch_add(&g_step_next, 1));
        tm_thread_dispatch(tv, p);
        n++;
    }
    return n == max ? (int)n : n > 0 ? (int)n : -1;
}

static int step_init(ThreadVars *tv, void **data)
{
    *data = NULL;
    tv->acquire_step = step;
    return TM_OK;
}

static const TmModule mod_step = {
    .hdr = TM_MODULE_HDR,
    .name = "test-step",
    .kind = TM_KIND_ACQUIRE,
    .thread_init = step_init,
    .acquire_loop = acq_loop,
};

static void steer_waits(ThreadVars *tv, Packet *p)
{
    (void)tv;
    if (p->pcap_cnt % 7 == 0) {
        runtime_order_wait();
        atomic_fetch_add(&g_steer_waits, 1);
    }
}

/* Joins tv, failing after 60 s (a hang fails the test instead of blocking ctest). */
static void join_or_fail(ThreadVars *tv)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 60;
    int rc = pthread_timedjoin_np(tv->thread, NULL, &deadline);
    if (rc == ETIMEDOUT) {
        fail_msg("thread %s hung (a worker waits for packets it holds back)", tv->name);
    }
    assert_int_equal(rc, 0);
    tv->started = false;
}

/* Workers w0_module and w1_module with the reader run in turn, packet order in lanes and
 * a steering that waits at every 7th packet; joins them (a hang fails) and frees it all. */
static void inline_run(Pipe *pp, const char *w0_module, const char *w1_module)
{
    assert_int_equal(tm_module_register(&mod_step), 0);
    atomic_store(&g_step_next, 0);
    atomic_store(&g_steer_waits, 0);
    memset(pp, 0, sizeof(*pp));
    pp->e.packet_done = on_packet_done;
    pp->e.steer_prepare = steer_waits;
    pp->e.pool = packet_pool_new(64);
    assert_non_null(pp->e.pool);
    InlineReader ir = {.rx = &pp->rx, .queues = pp->q, .n_queues = N_WORKERS};
    pthread_mutex_init(&ir.lock, NULL);
    pthread_mutex_init(&ir.ready_lock, NULL);
    pthread_cond_init(&ir.ready_cond, NULL);
    for (uint32_t i = 0; i < N_WORKERS; i++) {
        assert_int_equal(packet_queue_init(&pp->q[i], 1024, "W-q"), 0);
        pp->qp[i] = &pp->q[i];
    }
    pp->qh = (QueueHandler){.kind = QH_FLOW, .queues = pp->qp, .n_queues = N_WORKERS,
                            .feeds_flow = true};
    pp->rx = (ThreadVars){.name = "RX#01", .id = N_WORKERS, .engine = &pp->e, .outq = &pp->qh};
    assert_int_equal(tm_thread_add_slot(&pp->rx, "test-step"), 0);
    runtime_order_enable(true);
    for (uint32_t i = 0; i < N_WORKERS; i++) {
        pp->w[i] = (ThreadVars){.name = "W#0x", .id = i, .group_index = i, .engine = &pp->e,
                                .inq = &pp->q[i], .inline_rx = &ir};
        assert_int_equal(tm_thread_add_slot(&pp->w[i], i == 0 ? w0_module : w1_module), 0);
        runtime_order_add_queue(&pp->q[i]);
    }
    assert_int_equal(runtime_order_set_lanes(&pp->qh, 64), 0);
    for (int i = 0; i < N_WORKERS; i++) {
        assert_int_equal(tm_thread_start(&pp->w[i]), 0);
    }
    int rx_rc = tm_inline_reader_start(&ir);
    for (int i = 0; i < N_WORKERS; i++) {
        join_or_fail(&pp->w[i]);
    }
    runtime_order_enable(false);
    assert_int_equal(rx_rc, 0);
    assert_int_equal(tm_inline_reader_end(&ir), TM_OK);
    assert_int_equal(packet_pool_free_count(pp->e.pool), 64);
    pthread_mutex_destroy(&ir.lock);
    pthread_mutex_destroy(&ir.ready_lock);
    pthread_cond_destroy(&ir.ready_cond);
    pipe_free(pp);
}

static void inline_reader_step_that_waits_for_the_packet_order_ends(void **state)
{
    (void)state;
    g_acq.n_packets = 5000;
    g_acq.n_flows = 40;
    Pipe pp;
    inline_run(&pp, "test-count", "test-count");
    assert_int_equal(pp.w[0].result, 0);
    assert_int_equal(pp.w[1].result, 0);
    assert_int_equal(atomic_load(&g_steer_waits), 5000 / 7);
    assert_int_equal(g_res[0].n + g_res[1].n, 5000);
    for (uint32_t i = 1; i <= 5000; i++) {
        assert_int_equal(g_res[0].seen[i] + g_res[1].seen[i], 1);
    }
    assert_true(g_res[0].n > 0);
    assert_true(g_res[1].n > 0);
    assert_int_equal(atomic_load(&g_n_done), 5000);
}

/* A worker that cannot start, while the other runs steps that wait for the packet
 * order: the failed one hands its packets back while it tries to end the reader, the
 * engine stops, and every thread ends with every packet home. */
static void inline_reader_with_failed_worker_ends_and_returns_every_packet(void **state)
{
    (void)state;
    g_acq.n_packets = 5000;
    g_acq.n_flows = 40;
    Pipe pp;
    inline_run(&pp, "test-count", "test-fail");
    assert_int_equal(pp.w[0].result, 0);
    assert_int_not_equal(pp.w[1].result, 0);
    assert_true(atomic_load(&pp.e.stop));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(registered_module_is_found_by_name),
        T(register_refuses_other_api_version),
        T(register_refuses_other_struct_size),
        T(register_refuses_a_taken_name),
        T(register_refuses_missing_callbacks_or_name),
        T(add_slot_refuses_unknown_module),
        T(add_slot_refuses_acquire_after_slot_0),
        T(add_slot_refuses_more_than_max_slots),
        T(add_slot_describes_modules_in_order),
        T(inline_thread_processes_every_packet_and_returns_them),
        T(failed_thread_init_undoes_earlier_slots),
        T(pipeline_processes_each_packet_once_and_keeps_flows_on_one_worker),
        T(pipeline_with_failed_worker_ends_and_returns_every_packet),
        T(inline_reader_step_that_waits_for_the_packet_order_ends),
        T(inline_reader_with_failed_worker_ends_and_returns_every_packet),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
