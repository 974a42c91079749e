/* Memcap, emergency mode and eviction. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "flow/flow-internal.h"
#include "flow/flow-test-util.h"

typedef struct Ended {
    uint64_t n;
    uint64_t n_by_reason[3];
    uint16_t last_sp;
    uint8_t last_src;                // last byte of the client address
} Ended;

static void on_end(Flow *f, FlowEndReason reason, void *user)
{
    Ended *e = user;
    e->n++;
    e->n_by_reason[reason]++;
    e->last_sp = f->key.sp;
    e->last_src = f->key.src.a.u8[3];
}

static int teardown_counters(void **state)
{
    (void)state;
    counters_reset();
    return 0;
}

static uint64_t merged(const char *name)
{
    CounterId id;
    assert_true(counters_find(name, &id));
    uint64_t vals[COUNTERS_MAX];
    counters_merge(vals);
    return vals[id];
}

/* Room for the hash and n_flows flows. */
static void small_config(FlowConfig *cfg, uint32_t hash_size, uint32_t n_flows)
{
    test_config(cfg);
    cfg->hash_size = hash_size;
    cfg->prealloc = 0;
    cfg->memcap_bytes = (uint64_t)hash_size * sizeof(FlowBucket) + n_flows * sizeof(Flow);
}

/* Distinct UDP flows: client address from i. */
static void flood_pkt(Packet *p, uint32_t i, int64_t ts)
{
    test_pkt(p, "10.0.0.1", 1024, "192.0.2.1", 53, 17, ts);
    p->src.a.u8[1] = (uint8_t)(i >> 16);
    p->src.a.u8[2] = (uint8_t)(i >> 8);
    p->src.a.u8[3] = (uint8_t)i;
    p->sp = (uint16_t)(1024 + (i >> 24));
}

static void hash_larger_than_memcap_is_refused(void **state)
{
    (void)state;
    FlowConfig cfg;
    test_config(&cfg);
    cfg.hash_size = 65536;
    cfg.memcap_bytes = 1024;
    assert_null(flow_table_new(&cfg));
}

static void prealloc_is_clipped_to_memcap(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 16, 10);
    cfg.prealloc = 1000;
    FlowTable *ft = flow_table_new(&cfg);
    FlowTableStats st;
    flow_table_get_stats(ft, &st);
    assert_int_equal(st.spare, 10);
    assert_true(st.memuse_bytes <= st.memcap_bytes);
    flow_table_free(ft);
}

/* The least recently used flow goes even while a packet still holds it:
 * whether a flow is in use depends on how far other threads have got, which
 * flow goes must not. It ends when the packet drops its reference. */
static void evicted_flow_in_use_ends_when_released(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 16, 2);
    FlowTable *ft = flow_table_new(&cfg);
    Ended e = {0};
    flow_table_set_end_cb(ft, on_end, &e);
    CounterSet *cs = counters_set_new();
    Packet a, b, c;
    flood_pkt(&a, 1, 1);
    flood_pkt(&b, 2, 1);
    flood_pkt(&c, 3, 1);
    Flow *fa = flow_lookup_or_create(ft, cs, &a);
    pthread_mutex_unlock(&fa->lock); // keeps its reference, as a packet in flight does
    Flow *fb = flow_lookup_or_create(ft, cs, &b);
    pthread_mutex_unlock(&fb->lock);
    Flow *fc = flow_lookup_or_create(ft, cs, &c);
    assert_non_null(fc);
    flow_release(fc);
    assert_true(flow_table_is_emergency(ft));
    assert_int_equal(e.n, 0);
    flow_ref_drop(fb);
    assert_int_equal(e.n, 0);
    flow_ref_drop(fa);
    assert_int_equal(e.n_by_reason[FLOW_END_FORCED], 1);
    assert_int_equal(e.last_src, 1);
    assert_int_equal(merged("flow.memcap"), 0);
    assert_int_equal(merged("flow.mgr.flows_evicted"), 1);
    assert_int_equal(merged("flow.emerg_mode_entered"), 1);
    flow_table_end_all(ft, FLOW_END_SHUTDOWN, NULL, NULL);
    flow_table_free(ft);
    counters_set_free(cs);
}

/* A share that holds no flow at all: the packet gets none (counted). */
static void no_flow_when_the_share_holds_none(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 16, 2);
    FlowTable *ft = flow_table_new(&cfg);
    flow_table_set_owners(ft, 3);
    CounterSet *cs = counters_set_new();
    Packet a;
    flood_pkt(&a, 1, 1);
    assert_null(flow_lookup_as(ft, cs, 1, &a));
    assert_null(a.flow);
    assert_int_equal(merged("flow.memcap"), 1);
    flow_table_free(ft);
    counters_set_free(cs);
}

/* Each owner evicts only its own flows, once its own share is full. */
static void owners_evict_within_their_own_share(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 16, 4);
    FlowTable *ft = flow_table_new(&cfg);
    flow_table_set_owners(ft, 2);
    Ended e = {0};
    flow_table_set_end_cb(ft, on_end, &e);
    Packet p;
    for (uint32_t i = 0; i < 2; i++) {
        flood_pkt(&p, i, 100);
        p.sp = (uint16_t)(3000 + i);
        flow_release(flow_lookup_as(ft, NULL, 2, &p));
    }
    for (uint32_t i = 0; i < 5; i++) {
        flood_pkt(&p, 10 + i, 101 + i);
        p.sp = (uint16_t)(2000 + i);
        flow_release(flow_lookup_as(ft, NULL, 1, &p));
    }
    assert_int_equal(e.n_by_reason[FLOW_END_FORCED], 3);
    assert_int_equal(e.last_sp, 2002);
    assert_true(flow_table_owner_is_emergency(ft, 1));
    assert_false(flow_table_owner_is_emergency(ft, 2));
    assert_int_equal(flow_table_end_all(ft, FLOW_END_SHUTDOWN, NULL, NULL), 4);
    flow_table_free(ft);
}

/* The flows a memcap ends, in order, for one packet sequence under a hash
 * key: they must not depend on the key (random in a real run). */
static void evicted_order(uint8_t key_byte, uint8_t *src_out, uint32_t n_out)
{
    FlowConfig cfg;
    small_config(&cfg, 64, 20);
    for (int i = 0; i < 16; i++) {
        cfg.hash_key[i] = (uint8_t)(key_byte + i);
    }
    FlowTable *ft = flow_table_new(&cfg);
    Ended e = {0};
    flow_table_set_end_cb(ft, on_end, &e);
    Packet p;
    uint32_t x = 7;
    for (uint32_t i = 0; i < 400 && e.n < n_out; i++) {
        x = x * 1103515245u + 12345u;
        flood_pkt(&p, (x >> 8) % 60, 100 + i / 50);
        uint64_t before = e.n;
        test_feed(ft, NULL, &p);
        if (e.n > before) {
            src_out[e.n - 1] = e.last_src;
        }
    }
    assert_int_equal(e.n, n_out);
    flow_table_end_all(ft, FLOW_END_SHUTDOWN, NULL, NULL);
    flow_table_free(ft);
}

static void eviction_does_not_depend_on_the_hash_key(void **state)
{
    (void)state;
    uint8_t a[40];
    uint8_t b[40];
    evicted_order(0, a, 40);
    evicted_order(99, b, 40);
    assert_memory_equal(a, b, sizeof(a));
}

static void eviction_takes_the_least_recently_used_flow(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 1, 2);
    FlowTable *ft = flow_table_new(&cfg);
    Ended e = {0};
    flow_table_set_end_cb(ft, on_end, &e);
    Packet p;
    for (uint32_t i = 0; i < 3; i++) {
        flood_pkt(&p, i, 100 + i);
        p.sp = (uint16_t)(2000 + i);
        assert_non_null(test_feed(ft, NULL, &p));
    }
    assert_int_equal(e.n_by_reason[FLOW_END_FORCED], 1);
    assert_int_equal(e.last_sp, 2000);
    flow_table_end_all(ft, FLOW_END_SHUTDOWN, NULL, NULL);
    flow_table_free(ft);
}

static void eviction_prefers_flows_expired_under_emergency_timeouts(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 1, 2);
    FlowTable *ft = flow_table_new(&cfg);
    Ended e = {0};
    flow_table_set_end_cb(ft, on_end, &e);
    Packet p;
    flood_pkt(&p, 0, 100);   // oldest, but refreshed below
    p.sp = 2000;
    test_feed(ft, NULL, &p);
    flood_pkt(&p, 1, 105);
    p.sp = 2001;
    test_feed(ft, NULL, &p);
    flood_pkt(&p, 0, 116);
    p.sp = 2000;
    test_feed(ft, NULL, &p);
    flood_pkt(&p, 2, 116);   // 2001 idle 11 s > emergency-new 10 s
    p.sp = 2002;
    test_feed(ft, NULL, &p);
    assert_int_equal(e.n_by_reason[FLOW_END_TIMEOUT], 1);
    assert_int_equal(e.last_sp, 2001);
    flow_table_free(ft);
}

static void memcap_enters_and_leaves_emergency_mode(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 1024, 5000);
    cfg.prealloc = 100;
    FlowTable *ft = flow_table_new(&cfg);
    CounterSet *cs = counters_set_new();
    Packet p;
    for (uint32_t i = 0; i < 10000; i++) {
        flood_pkt(&p, i, 1000);
        assert_non_null(test_feed(ft, cs, &p));
    }
    FlowTableStats st;
    flow_table_get_stats(ft, &st);
    assert_true(st.is_emergency);
    assert_true(st.memuse_peak_bytes <= cfg.memcap_bytes);
    assert_int_equal(merged("flow.emerg_mode_entered"), 1);
    assert_int_equal(merged("flow.emerg_mode_over"), 0);
    flow_manager_timeout_pass(ft, 1010, NULL, NULL);   // emergency: whole table
    flow_table_get_stats(ft, &st);
    assert_false(st.is_emergency);
    assert_int_equal(st.active, 0);
    assert_int_equal(st.spare, 100);
    assert_int_equal(merged("flow.emerg_mode_over"), 1);
    assert_int_equal(merged("flow.total"), 10000);
    flow_table_free(ft);
    counters_set_free(cs);
}

/* One share: a full table first ends every flow expired at the packet's
 * clock (whichever thread ran it), and that is enough: no emergency mode. */
static void one_share_full_reclaims_expired_flows_first(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 16, 4);
    FlowTable *ft = flow_table_new(&cfg);
    Ended e = {0};
    flow_table_set_end_cb(ft, on_end, &e);
    CounterSet *cs = counters_set_new();
    Packet p;
    for (uint32_t i = 0; i < 4; i++) {
        flood_pkt(&p, i, 100);
        test_feed(ft, cs, &p);
    }
    flood_pkt(&p, 4, 140);   // 40 s idle > udp new 30 s: all four expired
    assert_non_null(test_feed(ft, cs, &p));
    assert_int_equal(e.n_by_reason[FLOW_END_TIMEOUT], 4);
    assert_false(flow_table_is_emergency(ft));
    assert_int_equal(merged("flow.emerg_mode_entered"), 0);
    assert_int_equal(merged("flow.memcap"), 0);
    flow_table_free(ft);
    counters_set_free(cs);
}

/* One share full of live flows: emergency mode, and the least recently used
 * flow (by its last packet, not its first) is forced out. */
static void one_share_full_of_live_flows_forces_out_least_recently_used(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 16, 4);
    FlowTable *ft = flow_table_new(&cfg);
    Ended e = {0};
    flow_table_set_end_cb(ft, on_end, &e);
    CounterSet *cs = counters_set_new();
    Packet p;
    for (uint32_t i = 0; i < 4; i++) {
        flood_pkt(&p, i, 100 + i);
        test_feed(ft, cs, &p);
    }
    flood_pkt(&p, 0, 104);   // flow 0 used again: flow 1 is now the least recent
    test_feed(ft, cs, &p);
    flood_pkt(&p, 9, 104);
    assert_non_null(test_feed(ft, cs, &p));
    assert_int_equal(e.n, 1);
    assert_int_equal(e.n_by_reason[FLOW_END_FORCED], 1);
    assert_int_equal(e.last_src, 1);
    assert_true(flow_table_is_emergency(ft));
    assert_int_equal(merged("flow.emerg_mode_entered"), 1);
    flow_table_free(ft);
    counters_set_free(cs);
}

/* A reclaim that leaves the share above the recovery mark does not save it
 * from emergency mode (else every new flow would pay a full pass). */
static void one_share_reclaim_above_recovery_mark_enters_emergency(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 16, 10);
    FlowTable *ft = flow_table_new(&cfg);
    Ended e = {0};
    flow_table_set_end_cb(ft, on_end, &e);
    CounterSet *cs = counters_set_new();
    Packet p;
    for (uint32_t i = 0; i < 10; i++) {
        flood_pkt(&p, i, i < 2 ? 100 : 135);   // two expire at 135, eight do not
        test_feed(ft, cs, &p);
    }
    flood_pkt(&p, 20, 135);
    assert_non_null(test_feed(ft, cs, &p));
    assert_int_equal(e.n_by_reason[FLOW_END_TIMEOUT], 2);
    assert_int_equal(e.n_by_reason[FLOW_END_FORCED], 0);
    assert_true(flow_table_is_emergency(ft));   // 8 flows >= 70% of 10
    flow_table_free(ft);
    counters_set_free(cs);
}

/* Packet order makes one share of threads that had their own. */
static void ordered_table_has_one_share_for_every_thread(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 16, 4);
    FlowTable *ft = flow_table_new(&cfg);
    flow_table_set_owners(ft, 2);
    flow_table_set_ordered(ft, true);
    Packet p;
    for (uint32_t i = 0; i < 4; i++) {
        flood_pkt(&p, i, 100);
        Flow *f = flow_lookup_as(ft, NULL, 1 + i % 2, &p);
        assert_non_null(f);
        flow_release(f);
    }
    assert_false(flow_table_is_emergency(ft));   // four flows fit: one share of 4
    flood_pkt(&p, 5, 100);
    flow_release(flow_lookup_as(ft, NULL, 2, &p));
    assert_true(flow_table_owner_is_emergency(ft, 0));
    flow_table_end_all(ft, FLOW_END_SHUTDOWN, NULL, NULL);
    flow_table_free(ft);
}

static void wants_order_only_ordered_and_near_memcap(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 16, 10000);
    FlowTable *ft = flow_table_new(&cfg);
    assert_false(flow_table_wants_order(ft, 100000));   // not ordered: never
    flow_table_set_ordered(ft, true);
    assert_false(flow_table_wants_order(ft, 0));
    assert_false(flow_table_wants_order(ft, 100));
    assert_true(flow_table_wants_order(ft, 1000));     // 1000 packets may make 10000 flows
    Packet p;
    for (uint32_t i = 0; i < 9000; i++) {
        flood_pkt(&p, i, 100);
        test_feed(ft, NULL, &p);
    }
    assert_true(flow_table_wants_order(ft, 100));
    flow_table_end_all(ft, FLOW_END_SHUTDOWN, NULL, NULL);
    flow_table_free(ft);
}

static void wants_order_always_in_emergency_mode(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 16, 2000);
    FlowTable *ft = flow_table_new(&cfg);
    flow_table_set_ordered(ft, true);
    Packet p;
    for (uint32_t i = 0; i < 2001; i++) {
        flood_pkt(&p, i, 100);
        test_feed(ft, NULL, &p);
    }
    assert_true(flow_table_is_emergency(ft));
    /* far from the (raised) memcap now, but still in emergency mode */
    assert_int_equal(flow_table_set_memcap(ft, 16 * sizeof(FlowBucket) + 100000 * sizeof(Flow)),
                     0);
    assert_true(flow_table_wants_order(ft, 0));
    flow_table_end_all(ft, FLOW_END_SHUTDOWN, NULL, NULL);   // recovers
    assert_false(flow_table_wants_order(ft, 0));
    flow_table_free(ft);
}

/* One share in emergency mode: a pass at the first packet of each new second
 * of packet time, ending flows expired under the emergency timeouts, then
 * leaving emergency mode below the recovery mark. */
static void one_share_emergency_pass_once_a_second(void **state)
{
    (void)state;
    FlowConfig cfg;
    small_config(&cfg, 16, 4);
    FlowTable *ft = flow_table_new(&cfg);
    CounterSet *cs = counters_set_new();
    Packet p;
    for (uint32_t i = 0; i < 5; i++) {
        flood_pkt(&p, i, 100);
        test_feed(ft, cs, &p);
    }
    assert_true(flow_table_is_emergency(ft));
    assert_false(flow_table_emergency_pass_due(ft, 100));   // the entry passed at 100
    assert_true(flow_table_emergency_pass_due(ft, 101));
    assert_false(flow_table_emergency_pass_due(ft, 101));
    flow_table_emergency_pass(ft, 105, cs);   // 5 s idle < emergency-new 10 s
    assert_true(flow_table_is_emergency(ft));
    flow_table_emergency_pass(ft, 110, cs);
    assert_false(flow_table_is_emergency(ft));
    assert_int_equal(merged("flow.emerg_mode_over"), 1);
    flow_table_free(ft);
    counters_set_free(cs);
}

/* 200k distinct flows against a 16 MiB memcap (1M runs in bench/bench-flow.c). */
static void flood_stays_within_memcap(void **state)
{
    (void)state;
    FlowConfig cfg;
    test_config(&cfg);
    cfg.hash_size = 65536;
    cfg.prealloc = 10000;
    cfg.memcap_bytes = 16ull * 1024 * 1024;
    FlowTable *ft = flow_table_new(&cfg);
    CounterSet *cs = counters_set_new();
    Ended e = {0};
    flow_table_set_end_cb(ft, on_end, &e);
    Packet p;
    uint32_t n = 200000;
    uint32_t n_flowless = 0;
    for (uint32_t i = 0; i < n; i++) {
        flood_pkt(&p, i, 1000 + i / 100000);
        n_flowless += test_feed(ft, cs, &p) == NULL;
    }
    FlowTableStats st;
    flow_table_get_stats(ft, &st);
    assert_int_equal(n_flowless, 0);
    assert_true(st.memuse_peak_bytes <= cfg.memcap_bytes);
    assert_true(st.allocs * sizeof(Flow) + 65536 * sizeof(FlowBucket) <= cfg.memcap_bytes);
    assert_true(st.is_emergency);
    assert_int_equal(merged("flow.emerg_mode_entered"), 1);
    assert_int_equal(st.active + e.n, n);
    assert_int_equal(flow_table_end_all(ft, FLOW_END_SHUTDOWN, on_end, &e), st.active);
    assert_int_equal(e.n, n);
    flow_table_free(ft);
    counters_set_free(cs);
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown_counters)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(hash_larger_than_memcap_is_refused),
        T(prealloc_is_clipped_to_memcap),
        T(evicted_flow_in_use_ends_when_released),
        T(no_flow_when_the_share_holds_none),
        T(owners_evict_within_their_own_share),
        T(eviction_does_not_depend_on_the_hash_key),
        T(eviction_takes_the_least_recently_used_flow),
        T(eviction_prefers_flows_expired_under_emergency_timeouts),
        T(memcap_enters_and_leaves_emergency_mode),
        T(flood_stays_within_memcap),
        T(one_share_full_reclaims_expired_flows_first),
        T(one_share_full_of_live_flows_forces_out_least_recently_used),
        T(one_share_reclaim_above_recovery_mark_enters_emergency),
        T(ordered_table_has_one_share_for_every_thread),
        T(wants_order_only_ordered_and_near_memcap),
        T(wants_order_always_in_emergency_mode),
        T(one_share_emergency_pass_once_a_second),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
