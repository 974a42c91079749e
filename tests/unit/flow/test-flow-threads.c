/* Two packet threads (owners 1 and 2, on the same keys) and a manager on one
 * table, with a memcap small enough to force eviction: every created flow
 * must be ended exactly once, and the flows in the table never pass the
 * memcap. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flow/flow-internal.h"
#include "flow/flow-test-util.h"

#define N_PKTS 40000
#define N_KEYS 3000

typedef struct Shared {
    FlowTable *ft;
    _Atomic uint64_t ended;
    _Atomic bool stop;
    _Atomic int64_t clock;
    _Atomic uint64_t max_active;     // most flows seen in the table after a lookup
} Shared;

typedef struct Worker {
    Shared *sh;
    CounterSet *cs;
    uint32_t seed;                   // also its owner id
} Worker;

static void note_active(Shared *sh)
{
    uint64_t n = atomic_load(&sh->ft->active);
    uint64_t max = atomic_load(&sh->max_active);
    while (n > max && !atomic_compare_exchange_weak(&sh->max_active, &max, n)) {
    }
}

static void on_end(Flow *f, FlowEndReason reason, void *user)
{
    (void)f;
    (void)reason;
    Shared *sh = user;
    atomic_fetch_add(&sh->ended, 1);
}

static void *packet_thread(void *arg)
{
    Worker *w = arg;
    Packet p;
    uint32_t x = w->seed;
    for (uint32_t i = 0; i < N_PKTS; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t k = (x >> 8) % N_KEYS;
        int64_t now = 1000 + i / 1000;
        test_pkt(&p, "10.0.0.1", (uint16_t)(1024 + k), "10.0.0.2", 53, 17, now);
        if (x & 0x10000) {
            test_pkt(&p, "10.0.0.2", 53, "10.0.0.1", (uint16_t)(1024 + k), 17, now);
        }
        atomic_store(&w->sh->clock, now);
        Flow *f = flow_lookup_as(w->sh->ft, w->cs, w->seed, &p);
        if (f != NULL) {
            f->app_proto++;   // written under the flow lock
            flow_release(f);
        }
        note_active(w->sh);
    }
    return NULL;
}

static void *manager_thread(void *arg)
{
    Shared *sh = arg;
    while (!atomic_load(&sh->stop)) {
        flow_manager_timeout_pass(sh->ft, atomic_load(&sh->clock), on_end, sh);
    }
    return NULL;
}

static void every_flow_ends_once_under_concurrency(void **state)
{
    (void)state;
    FlowConfig cfg;
    test_config(&cfg);
    cfg.hash_size = 256;
    cfg.prealloc = 64;
    cfg.memcap_bytes = 256 * sizeof(FlowBucket) + 1000 * sizeof(Flow);
    for (int i = 0; i < FLOW_PROTO_MAX; i++) {
        cfg.timeouts[i].new_sec = 3;
        cfg.timeouts[i].established_sec = 5;
    }
    Shared sh = {.ft = flow_table_new(&cfg)};
    assert_non_null(sh.ft);
    flow_table_set_end_cb(sh.ft, on_end, &sh);
    flow_table_set_owners(sh.ft, 2);
    Worker w[2] = {{&sh, counters_set_new(), 1}, {&sh, counters_set_new(), 2}};
    pthread_t th[3];
    pthread_create(&th[0], NULL, manager_thread, &sh);
    pthread_create(&th[1], NULL, packet_thread, &w[0]);
    pthread_create(&th[2], NULL, packet_thread, &w[1]);
    pthread_join(th[1], NULL);
    pthread_join(th[2], NULL);
    atomic_store(&sh.stop, true);
    pthread_join(th[0], NULL);
    flow_table_end_all(sh.ft, FLOW_END_SHUTDOWN, on_end, &sh);
    CounterId total;
    assert_true(counters_find("flow.total", &total));
    uint64_t created = counters_get(w[0].cs, total) + counters_get(w[1].cs, total);
    assert_int_equal(atomic_load(&sh.ended), created);
    FlowTableStats st;
    flow_table_get_stats(sh.ft, &st);
    assert_true(atomic_load(&sh.max_active) <= 1000);
    CounterId evicted;
    assert_true(counters_find("flow.mgr.flows_evicted", &evicted));
    assert_true(counters_get(w[0].cs, evicted) + counters_get(w[1].cs, evicted) > 0);
    assert_int_equal(st.active, 0);
    flow_table_free(sh.ft);
    counters_set_free(w[0].cs);
    counters_set_free(w[1].cs);
    counters_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_flow_ends_once_under_concurrency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
