/* Packets made by a module from another (tunnel packets): they run through
 * the slots after the one that made them before their root goes on, travel
 * with the root through a queue, run first again in the next thread group,
 * and go back to the pool with the root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/engine.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime.h"

#define LOG_MAX 64

typedef struct Visit {
    uint64_t id;                 // the packet's pcap_cnt
    uint32_t slot;
    const char *thread;
} Visit;

static Visit g_log[LOG_MAX];
static uint32_t g_n_log;
static uint32_t g_n_done;
static uint32_t g_spawn_n;       // children made per root by test-spawn
static PacketPool *g_pool;

static int spawn_process(ThreadVars *tv, Packet *p, void *data)
{
    (void)data;
    if (p->root != NULL) {
        return TM_OK;
    }
    for (uint32_t i = 0; i < g_spawn_n; i++) {
        Packet *c = packet_pool_get(g_pool);
        c->pcap_cnt = p->pcap_cnt * 100 + i + 1;
        tm_packet_add_child(tv, p, c);
    }
    return TM_OK;
}

static int rec_process(ThreadVars *tv, Packet *p, void *data)
{
    (void)data;
    if (g_n_log < LOG_MAX) {
        g_log[g_n_log++] = (Visit){.id = p->pcap_cnt, .slot = tv->cur_slot, .thread = tv->name};
    }
    return TM_OK;
}

static const TmModule mod_spawn = {
    .hdr = TM_MODULE_HDR,
    .name = "test-spawn",
    .kind = TM_KIND_DECODE,
    .process = spawn_process,
};

static const TmModule mod_rec = {
    .hdr = TM_MODULE_HDR,
    .name = "test-rec",
    .kind = TM_KIND_OTHER,
    .process = rec_process,
};

static void on_packet_done(Packet *p)
{
    (void)p;
    g_n_done++;
}

static Engine g_engine;

static int setup(void **state)
{
    (void)state;
    g_n_log = 0;
    g_n_done = 0;
    g_spawn_n = 2;
    memset(&g_engine, 0, sizeof(g_engine));
    g_engine.packet_done = on_packet_done;
    g_pool = packet_pool_new(8);
    g_engine.pool = g_pool;
    if (g_pool == NULL || tm_module_register(&mod_spawn) != 0 ||
        tm_module_register(&mod_rec) != 0) {
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    packet_pool_free(g_pool);
    tm_modules_reset();
    return 0;
}

static void expect(uint32_t i, uint64_t id, uint32_t slot, const char *thread)
{
    assert_true(i < g_n_log);
    assert_int_equal(g_log[i].id, id);
    assert_int_equal(g_log[i].slot, slot);
    assert_string_equal(g_log[i].thread, thread);
}

static Packet *root_packet(uint64_t id)
{
    Packet *p = packet_pool_get(g_pool);
    p->pcap_cnt = id;
    return p;
}

static void children_run_the_later_slots_before_their_root(void **state)
{
    (void)state;
    ThreadVars tv = {.name = "W", .engine = &g_engine};
    assert_int_equal(tm_thread_add_slot(&tv, "test-rec"), 0);
    assert_int_equal(tm_thread_add_slot(&tv, "test-spawn"), 0);
    assert_int_equal(tm_thread_add_slot(&tv, "test-rec"), 0);
    tm_thread_dispatch_from(&tv, root_packet(1), 0);
    assert_int_equal(g_n_log, 4);
    expect(0, 1, 0, "W");        // the root up to the slot that made the children
    expect(1, 101, 2, "W");      // then each child from the next slot, in order
    expect(2, 102, 2, "W");
    expect(3, 1, 2, "W");        // then the root goes on
    assert_int_equal(g_n_done, 3);
    assert_int_equal(packet_pool_free_count(g_pool), 8);
}

static void children_travel_with_their_root_and_run_first_downstream(void **state)
{
    (void)state;
    PacketQueue q;
    assert_int_equal(packet_queue_init(&q, 4, "q"), 0);
    PacketQueue *qp = &q;
    QueueHandler qh = {.kind = QH_SIMPLE, .queues = &qp, .n_queues = 1};
    ThreadVars rx = {.name = "RX", .engine = &g_engine, .outq = &qh};
    ThreadVars w = {.name = "W", .engine = &g_engine, .inq = &q};
    assert_int_equal(tm_thread_add_slot(&rx, "test-spawn"), 0);
    assert_int_equal(tm_thread_add_slot(&rx, "test-rec"), 0);
    assert_int_equal(tm_thread_add_slot(&w, "test-rec"), 0);
    tm_thread_dispatch_from(&rx, root_packet(1), 0);
    assert_int_equal(g_n_done, 0);
    packet_queue_close(&q);
    Packet *batch[4];
    assert_int_equal(packet_queue_pop_batch(&q, batch, 4), 1); // only the root is queued
    tm_thread_dispatch_from(&w, batch[0], 0);
    assert_int_equal(g_n_log, 6);
    expect(0, 101, 1, "RX");
    expect(1, 102, 1, "RX");
    expect(2, 1, 1, "RX");
    expect(3, 101, 0, "W");
    expect(4, 102, 0, "W");
    expect(5, 1, 0, "W");
    assert_int_equal(g_n_done, 3);
    assert_int_equal(packet_pool_free_count(g_pool), 8);
    packet_queue_deinit(&q);
}

static void packet_without_children_runs_alone(void **state)
{
    (void)state;
    g_spawn_n = 0;
    ThreadVars tv = {.name = "W", .engine = &g_engine};
    assert_int_equal(tm_thread_add_slot(&tv, "test-spawn"), 0);
    assert_int_equal(tm_thread_add_slot(&tv, "test-rec"), 0);
    tm_thread_dispatch_from(&tv, root_packet(7), 0);
    assert_int_equal(g_n_log, 1);
    expect(0, 7, 1, "W");
    assert_int_equal(g_n_done, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(children_run_the_later_slots_before_their_root),
        T(children_travel_with_their_root_and_run_first_downstream),
        T(packet_without_children_runs_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
