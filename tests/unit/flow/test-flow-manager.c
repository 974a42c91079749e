#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "flow/flow-test-util.h"

typedef struct Ended {
    int n;
    int n_by_reason[3];
    bool was_locked;
    uint64_t ids[64];
} Ended;

static void on_end(Flow *f, FlowEndReason reason, void *user)
{
    Ended *e = user;
    e->n_by_reason[reason]++;
    e->was_locked = pthread_mutex_trylock(&f->lock) != 0;
    if (e->n < 64) {
        e->ids[e->n] = f->flow_id;
    }
    e->n++;
}

typedef struct Fixture {
    FlowTable *ft;
    CounterSet *cs;
} Fixture;

static int setup(void **state)
{
    Fixture *fx = calloc(1, sizeof(*fx));
    FlowConfig cfg;
    test_config(&cfg);
    fx->ft = flow_table_new(&cfg);
    fx->cs = counters_set_new();
    *state = fx;
    return fx->ft != NULL && fx->cs != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    Fixture *fx = *state;
    flow_table_free(fx->ft);
    counters_set_free(fx->cs);
    free(fx);
    counters_reset();
    return 0;
}

/* One call per slice: a full pass over the table. */
static int full_pass(FlowTable *ft, int64_t now, Ended *e)
{
    int n = 0;
    for (int i = 0; i < 4; i++) {
        n += (int)flow_manager_timeout_pass(ft, now, on_end, e);
    }
    return n;
}

static void tcp_new_flow_times_out_after_30s(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    Packet a;
    test_tcp(&a, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1000);
    test_feed(fx->ft, fx->cs, &a);
    assert_int_equal(full_pass(fx->ft, 1029, &e), 0);
    assert_int_equal(full_pass(fx->ft, 1030, &e), 1);
    assert_int_equal(e.n_by_reason[FLOW_END_TIMEOUT], 1);
    assert_true(e.was_locked);
}

static void tcp_established_flow_times_out_after_300s(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    Packet a, b;
    test_tcp(&a, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1000);
    test_tcp(&b, "10.0.0.2", 80, "10.0.0.1", 40000, TH_SYN | TH_ACK, 1000);
    test_feed(fx->ft, fx->cs, &a);
    test_feed(fx->ft, fx->cs, &b);
    assert_int_equal(full_pass(fx->ft, 1299, &e), 0);
    assert_int_equal(full_pass(fx->ft, 1300, &e), 1);
}

static void tcp_closed_flow_times_out_after_10s(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    Packet a, b;
    test_tcp(&a, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1000);
    test_tcp(&b, "10.0.0.2", 80, "10.0.0.1", 40000, TH_RST, 1000);
    test_feed(fx->ft, fx->cs, &a);
    test_feed(fx->ft, fx->cs, &b);
    assert_int_equal(full_pass(fx->ft, 1009, &e), 0);
    assert_int_equal(full_pass(fx->ft, 1010, &e), 1);
}

static void udp_new_flow_times_out_after_30s(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    Packet a;
    test_pkt(&a, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 1000);
    test_feed(fx->ft, fx->cs, &a);
    assert_int_equal(full_pass(fx->ft, 1029, &e), 0);
    assert_int_equal(full_pass(fx->ft, 1030, &e), 1);
}

static void later_packet_postpones_timeout(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    Packet a;
    test_pkt(&a, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 1000);
    test_feed(fx->ft, fx->cs, &a);
    a.ts_sec = 1020;
    test_feed(fx->ft, fx->cs, &a);
    assert_int_equal(full_pass(fx->ft, 1045, &e), 0);
    assert_int_equal(full_pass(fx->ft, 1050, &e), 1);
}

static void flow_in_use_is_not_timed_out(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    Packet a;
    test_pkt(&a, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 1000);
    Flow *f = flow_lookup_or_create(fx->ft, fx->cs, &a);
    /* As the flow module does: unlock at once, keep the reference while the
     * packet is in flight (the manager never waits on a flow lock). */
    pthread_mutex_unlock(&f->lock);
    assert_int_equal(full_pass(fx->ft, 5000, &e), 0);
    atomic_fetch_sub(&f->use_cnt, 1);
    assert_int_equal(full_pass(fx->ft, 5000, &e), 1);
}

static void packet_after_timeout_starts_a_new_flow_without_a_pass(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    flow_table_set_end_cb(fx->ft, on_end, &e);
    Packet a;
    test_pkt(&a, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 1000);
    Flow *f = flow_lookup_or_create(fx->ft, fx->cs, &a);
    uint64_t first_id = f->flow_id;
    flow_release(f);
    /* Long after the UDP timeout, before any manager pass: a new flow, and
     * the old one ended with reason timeout. */
    Packet b;
    test_pkt(&b, "10.0.0.2", 53, "10.0.0.1", 1000, 17, 5000);
    f = flow_lookup_or_create(fx->ft, fx->cs, &b);
    assert_non_null(f);
    assert_true(f->flow_id != first_id);
    assert_int_equal(f->pkts_toserver + f->pkts_toclient, 1);
    flow_release(f);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.n_by_reason[FLOW_END_TIMEOUT], 1);
    assert_int_equal(e.ids[0], first_id);
}

static void full_pass_takes_mgr_slices_calls(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    CounterId id;
    for (int i = 0; i < 4; i++) {
        flow_manager_timeout_pass(fx->ft, 0, on_end, &e);
    }
    assert_true(counters_find("flow.mgr.full_hash_pass", &id));
    uint64_t merged[COUNTERS_MAX];
    counters_merge(merged);
    assert_int_equal(merged[id], 1);
}

static void manager_counts_checked_and_timed_out(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    Packet a, b;
    test_pkt(&a, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 1000);
    test_tcp(&b, "10.0.0.1", 1000, "10.0.0.2", 80, TH_SYN, 1020);
    test_feed(fx->ft, fx->cs, &a);
    test_feed(fx->ft, fx->cs, &b);
    full_pass(fx->ft, 1040, &e);  // UDP's 30 s are over (1030), TCP's not (1050)
    uint64_t merged[COUNTERS_MAX];
    counters_merge(merged);
    CounterId checked, timeout, notimeout, active;
    assert_true(counters_find("flow.mgr.flows_checked", &checked));
    assert_true(counters_find("flow.mgr.flows_timeout", &timeout));
    assert_true(counters_find("flow.mgr.flows_notimeout", &notimeout));
    assert_true(counters_find("flow.active", &active));
    assert_int_equal(merged[checked], 2);
    assert_int_equal(merged[timeout], 1);
    assert_int_equal(merged[notimeout], 1);
    assert_int_equal(merged[active], 1);
}

static void end_all_gives_every_flow_with_reason_shutdown(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    for (uint16_t port = 1; port <= 50; port++) {
        Packet a;
        test_pkt(&a, "10.0.0.1", port, "10.0.0.2", 53, 17, 1000);
        test_feed(fx->ft, fx->cs, &a);
    }
    assert_int_equal(flow_table_end_all(fx->ft, FLOW_END_SHUTDOWN, on_end, &e), 50);
    assert_int_equal(e.n, 50);
    assert_int_equal(e.n_by_reason[FLOW_END_SHUTDOWN], 50);
    FlowTableStats st;
    flow_table_get_stats(fx->ft, &st);
    assert_int_equal(st.active, 0);
}

static void ended_flow_is_recycled_for_a_new_one(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    Packet a;
    test_pkt(&a, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 1000);
    test_feed(fx->ft, fx->cs, &a);
    FlowTableStats before;
    flow_table_get_stats(fx->ft, &before);
    full_pass(fx->ft, 2000, &e);
    a.ts_sec = 2000;
    Flow *f = test_feed(fx->ft, fx->cs, &a);
    FlowTableStats after;
    flow_table_get_stats(fx->ft, &after);
    assert_int_equal(after.allocs, before.allocs);
    assert_int_equal(f->pkts_toserver, 1);
    assert_int_not_equal(f->flow_id, e.ids[0]);
}

/* End of capture: idle past the timeout at the last packet time -> timeout,
 * else shutdown, whatever passes ran (none here). */
static void end_all_at_splits_timeout_and_shutdown_by_last_packet_time(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    Packet a, b;
    test_pkt(&a, "10.0.0.1", 5000, "10.0.0.2", 53, 17, 1000);  // new UDP: 30 s
    test_pkt(&b, "10.0.0.3", 5000, "10.0.0.2", 53, 17, 1020);
    assert_non_null(test_feed(fx->ft, fx->cs, &a));
    assert_non_null(test_feed(fx->ft, fx->cs, &b));
    flow_table_set_end_cb(fx->ft, on_end, &e);
    assert_int_equal(flow_table_end_all_at(fx->ft, 1035, on_end, &e), 2);
    assert_int_equal(e.n_by_reason[FLOW_END_TIMEOUT], 1);
    assert_int_equal(e.n_by_reason[FLOW_END_SHUTDOWN], 1);
    assert_true(e.was_locked);
}

/* Flows end in first-packet order, not in hash order. */
static void end_all_ends_flows_in_first_packet_order(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    Packet p;
    uint64_t ids[20];
    for (int i = 0; i < 20; i++) {
        test_pkt(&p, "10.0.0.1", (uint16_t)(6000 + i), "10.0.0.2", 53, 17, 2000 + i);
        Flow *f = flow_lookup_or_create(fx->ft, fx->cs, &p);
        assert_non_null(f);
        ids[i] = f->flow_id;
        flow_release(f);
    }
    assert_int_equal(flow_table_end_all(fx->ft, FLOW_END_SHUTDOWN, on_end, &e), 20);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(e.ids[i], ids[i]);
    }
}

/* A thread's pass ends its own idle expired flows only. */
static void owned_pass_ends_only_the_callers_flows(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    flow_table_set_end_cb(fx->ft, on_end, &e);
    Packet a, b;
    test_pkt(&a, "10.0.0.1", 5000, "10.0.0.2", 53, 17, 1000);
    test_pkt(&b, "10.0.0.3", 5000, "10.0.0.2", 53, 17, 1000);
    Flow *fa = flow_lookup_or_create(fx->ft, fx->cs, &a);
    fa->thread_id = 1;
    flow_release(fa);
    Flow *fb = flow_lookup_or_create(fx->ft, fx->cs, &b);
    fb->thread_id = 2;
    flow_release(fb);
    assert_int_equal(flow_manager_owned_pass(fx->ft, 1, 1100, fx->cs), 1);
    assert_int_equal(e.n, 1);
    assert_int_equal(flow_manager_owned_pass(fx->ft, 1, 1100, fx->cs), 0);
    assert_int_equal(flow_manager_owned_pass(fx->ft, 2, 1100, fx->cs), 1);
    assert_int_equal(e.n, 2);
}

/* A flow another thread touched belongs to no thread's pass. */
static void owned_pass_leaves_shared_flows(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    flow_table_set_end_cb(fx->ft, on_end, &e);
    Packet a;
    test_pkt(&a, "10.0.0.1", 5000, "10.0.0.2", 53, 17, 1000);
    Flow *f = flow_lookup_or_create(fx->ft, fx->cs, &a);
    f->thread_id = 1;
    f->flags |= FLOW_F_SHARED;
    flow_release(f);
    assert_int_equal(flow_manager_owned_pass(fx->ft, 1, 5000, fx->cs), 0);
    assert_int_equal(flow_table_end_all_at(fx->ft, 5000, on_end, &e), 1);
    assert_int_equal(e.n_by_reason[FLOW_END_TIMEOUT], 1);
}

/* A packet past its flow's timeout starts a new flow even while a packet of
 * the old one is still in flight; the old one ends when that packet is done. */
static void expired_flow_in_use_ends_with_its_last_reference(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    flow_table_set_end_cb(fx->ft, on_end, &e);
    Packet a, b;
    test_pkt(&a, "10.0.0.1", 5000, "10.0.0.2", 53, 17, 1000);
    test_pkt(&b, "10.0.0.1", 5000, "10.0.0.2", 53, 17, 1031);
    Flow *old = flow_lookup_or_create(fx->ft, fx->cs, &a);
    pthread_mutex_unlock(&old->lock);     // a later stage still holds the reference
    Flow *nf = flow_lookup_or_create(fx->ft, fx->cs, &b);
    assert_non_null(nf);
    assert_ptr_not_equal(nf, old);
    assert_int_equal(nf->pkts_toserver, 1);
    flow_release(nf);
    assert_int_equal(e.n, 0);              // still in use: not ended yet
    flow_ref_drop(old);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.n_by_reason[FLOW_END_TIMEOUT], 1);
    assert_int_equal(flow_table_end_all(fx->ft, FLOW_END_SHUTDOWN, on_end, &e), 1);
}

/* The clock a packet carries (the newest time read before it) decides, not
 * its own timestamp: an out-of-order packet stamped early still finds the
 * flow expired if the capture had moved past the timeout. */
static void packet_clock_decides_expiry(void **state)
{
    Fixture *fx = *state;
    Ended e = {0};
    flow_table_set_end_cb(fx->ft, on_end, &e);
    Packet a, b;
    test_pkt(&a, "10.0.0.1", 5000, "10.0.0.2", 53, 17, 1000);
    test_pkt(&b, "10.0.0.1", 5000, "10.0.0.2", 53, 17, 1010);
    b.clock_sec = 1040;
    assert_int_equal(flow_packet_clock(&b), 1040);
    assert_non_null(test_feed(fx->ft, fx->cs, &a));
    assert_non_null(test_feed(fx->ft, fx->cs, &b));
    assert_int_equal(e.n_by_reason[FLOW_END_TIMEOUT], 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(tcp_new_flow_times_out_after_30s),
        T(tcp_established_flow_times_out_after_300s),
        T(tcp_closed_flow_times_out_after_10s),
        T(udp_new_flow_times_out_after_30s),
        T(later_packet_postpones_timeout),
        T(flow_in_use_is_not_timed_out),
        T(packet_after_timeout_starts_a_new_flow_without_a_pass),
        T(full_pass_takes_mgr_slices_calls),
        T(manager_counts_checked_and_timed_out),
        T(end_all_gives_every_flow_with_reason_shutdown),
        T(ended_flow_is_recycled_for_a_new_one),
        T(end_all_at_splits_timeout_and_shutdown_by_last_packet_time),
        T(end_all_ends_flows_in_first_packet_order),
        T(owned_pass_ends_only_the_callers_flows),
        T(owned_pass_leaves_shared_flows),
        T(expired_flow_in_use_ends_with_its_last_reference),
        T(packet_clock_decides_expiry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
