/* The verdict module (respond/respond-verdict.c) run the way a worker runs
 * it: thread_init, process per packet, thread_deinit, with the thread's own
 * counter set. Inline, a packet marked for drop is dropped with its reason
 * counted, its flow marked so later packets go too, and the root of a dropped
 * tunnel packet is dropped with it; in IDS mode the drop mark is cleared and
 * no ips.* counter exists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "flow/flow-types.h"
#include "runtime/counters.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime.h"

typedef struct Fixture {
    const TmModule *m;           // found by name, as a pipeline finds it
    Engine e;
    ThreadVars tv;
    void *data;
    Flow flow;
} Fixture;

static Fixture *fixture_new(bool is_inline)
{
    Fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    fx->e.is_inline = is_inline;
    fx->tv = (ThreadVars){.name = "W#01", .id = 0, .engine = &fx->e};
    fx->tv.counters = counters_set_new();
    assert_non_null(fx->tv.counters);
    fx->m = tm_module_find("verdict");
    assert_non_null(fx->m);
    assert_int_equal(fx->m->kind, TM_KIND_VERDICT);
    assert_int_equal(fx->m->thread_init(&fx->tv, &fx->data), TM_OK);
    assert_int_equal(pthread_mutex_init(&fx->flow.lock, NULL), 0);
    return fx;
}

static void fixture_free(Fixture *fx)
{
    fx->m->thread_deinit(&fx->tv, fx->data);
    counters_set_free(fx->tv.counters);
    pthread_mutex_destroy(&fx->flow.lock);
    free(fx);
}

static void process(Fixture *fx, Packet *p)
{
    assert_int_equal(fx->m->process(&fx->tv, p, fx->data), TM_OK);
}

/* A counter of this thread's set; -1 when the name was never registered. */
static int64_t counter(const Fixture *fx, const char *name)
{
    CounterId id;
    if (!counters_find(name, &id)) {
        return -1;
    }
    return (int64_t)counters_get(fx->tv.counters, id);
}

static int teardown(void **state)
{
    (void)state;
    counters_reset();
    return 0;
}

static void ids_mode_clears_the_drop_mark_and_counts_nothing(void **state)
{
    (void)state;
    Fixture *fx = fixture_new(false);
    Packet p = {.flags = PKT_F_DROP, .flow = &fx->flow};
    process(fx, &p);
    assert_false(p.flags & PKT_F_DROP);
    assert_false(fx->flow.flags & FLOW_F_DROP);
    assert_int_equal(counter(fx, "ips.blocked"), -1);
    assert_int_equal(counter(fx, "ips.accepted"), -1);
    fixture_free(fx);
}

static void inline_packet_without_drop_is_accepted(void **state)
{
    (void)state;
    Fixture *fx = fixture_new(true);
    Packet p = {.flow = &fx->flow};
    process(fx, &p);
    assert_false(p.flags & PKT_F_DROP);
    assert_false(fx->flow.flags & FLOW_F_DROP);
    assert_int_equal(counter(fx, "ips.accepted"), 1);
    assert_int_equal(counter(fx, "ips.blocked"), 0);
    fixture_free(fx);
}

static void inline_flow_scoped_drop_drops_the_packet_and_marks_its_flow(void **state)
{
    (void)state;
    Fixture *fx = fixture_new(true);
    Packet p = {.flags = PKT_F_DROP | PKT_F_DROP_FLOW, .flow = &fx->flow};
    process(fx, &p);
    assert_true(p.flags & PKT_F_DROP);
    assert_int_equal(p.drop_reason, PKT_DROP_RULES);
    assert_true(fx->flow.flags & FLOW_F_DROP);
    assert_int_equal(counter(fx, "ips.blocked"), 1);
    assert_int_equal(counter(fx, "ips.drop_reason.rules"), 1);
    assert_int_equal(counter(fx, "ips.drop_reason.flow_drop"), 0);
    assert_int_equal(counter(fx, "ips.accepted"), 0);
    fixture_free(fx);
}

/* A packet rule's drop (no PKT_F_DROP_FLOW) leaves the flow alone. */
static void inline_packet_scoped_drop_leaves_the_flow(void **state)
{
    (void)state;
    Fixture *fx = fixture_new(true);
    Packet p = {.flags = PKT_F_DROP, .flow = &fx->flow};
    process(fx, &p);
    assert_true(p.flags & PKT_F_DROP);
    assert_int_equal(p.drop_reason, PKT_DROP_RULES);
    assert_false(fx->flow.flags & FLOW_F_DROP);
    assert_int_equal(counter(fx, "ips.blocked"), 1);
    fixture_free(fx);
}

/* A drop that a rate_filter made keeps the threshold reason and counter. */
static void inline_rate_filter_drop_is_counted_as_threshold(void **state)
{
    (void)state;
    Fixture *fx = fixture_new(true);
    Packet p = {.flags = PKT_F_DROP, .drop_reason = PKT_DROP_THRESHOLD, .flow = &fx->flow};
    process(fx, &p);
    assert_int_equal(p.drop_reason, PKT_DROP_THRESHOLD);
    assert_int_equal(counter(fx, "ips.drop_reason.threshold_detection_filter"), 1);
    assert_int_equal(counter(fx, "ips.drop_reason.rules"), 0);
    fixture_free(fx);
}

static void inline_flow_drop_keeps_its_reason(void **state)
{
    (void)state;
    Fixture *fx = fixture_new(true);
    Packet p = {.flags = PKT_F_DROP, .drop_reason = PKT_DROP_FLOW, .flow = &fx->flow};
    process(fx, &p);
    assert_int_equal(p.drop_reason, PKT_DROP_FLOW);
    assert_int_equal(counter(fx, "ips.blocked"), 1);
    assert_int_equal(counter(fx, "ips.drop_reason.flow_drop"), 1);
    assert_int_equal(counter(fx, "ips.drop_reason.rules"), 0);
    fixture_free(fx);
}

static void inline_drop_without_a_flow_is_counted(void **state)
{
    (void)state;
    Fixture *fx = fixture_new(true);
    Packet p = {.flags = PKT_F_DROP};
    process(fx, &p);
    assert_int_equal(p.drop_reason, PKT_DROP_RULES);
    assert_int_equal(counter(fx, "ips.blocked"), 1);
    fixture_free(fx);
}

/* The tunnel packet is processed first (it runs every slot before its root
 * goes on): its drop marks the root, which is then dropped as "tunnel packet
 * drop" without marking the root's own (outer) flow. */
static void inline_dropped_tunnel_packet_drops_its_root_not_the_outer_flow(void **state)
{
    (void)state;
    Fixture *fx = fixture_new(true);
    Flow inner_flow = {0};
    assert_int_equal(pthread_mutex_init(&inner_flow.lock, NULL), 0);
    Packet root = {.flow = &fx->flow};
    Packet inner = {.flags = PKT_F_DROP | PKT_F_DROP_FLOW, .root = &root, .flow = &inner_flow};
    process(fx, &inner);
    assert_true(root.flags & PKT_F_DROP);
    assert_int_equal(root.drop_reason, PKT_DROP_INNER);
    assert_true(inner_flow.flags & FLOW_F_DROP);
    process(fx, &root);
    assert_true(root.flags & PKT_F_DROP);
    assert_false(fx->flow.flags & FLOW_F_DROP);
    assert_int_equal(counter(fx, "ips.blocked"), 2);
    assert_int_equal(counter(fx, "ips.drop_reason.rules"), 1);
    assert_int_equal(counter(fx, "ips.drop_reason.tunnel_packet_drop"), 1);
    pthread_mutex_destroy(&inner_flow.lock);
    fixture_free(fx);
}

/* A root that a rule of its own already dropped keeps that reason and marks
 * its flow. */
static void inline_root_dropped_by_its_own_rule_keeps_the_rule_reason(void **state)
{
    (void)state;
    Fixture *fx = fixture_new(true);
    Packet root = {.flags = PKT_F_DROP | PKT_F_DROP_FLOW, .drop_reason = PKT_DROP_RULES,
                   .flow = &fx->flow};
    Packet inner = {.flags = PKT_F_DROP, .root = &root};
    process(fx, &inner);
    assert_int_equal(root.drop_reason, PKT_DROP_RULES);
    process(fx, &root);
    assert_true(fx->flow.flags & FLOW_F_DROP);
    assert_int_equal(counter(fx, "ips.drop_reason.rules"), 2);
    assert_int_equal(counter(fx, "ips.drop_reason.tunnel_packet_drop"), 0);
    fixture_free(fx);
}

/* The verdict owed to the kernel (NFQUEUE): the verdict stage gives it once,
 * with the packet's drop state, and clears it, so that the release of the
 * packet does not give a second one; a packet released without having run
 * the verdict stage gets its verdict then, once. */
typedef struct VerdictLog {
    int n;
    bool dropped;
} VerdictLog;

static VerdictLog g_log; // test thread only

static void record_verdict(Packet *p, struct CounterSet *cs)
{
    (void)cs;
    g_log.n++;
    g_log.dropped = (p->flags & PKT_F_DROP) != 0;
}

static void inline_verdict_stage_gives_the_kernel_verdict_once(void **state)
{
    (void)state;
    Fixture *fx = fixture_new(true);
    g_log = (VerdictLog){0};
    Packet p = {.flags = PKT_F_DROP, .flow = &fx->flow, .verdict_fn = record_verdict};
    process(fx, &p);
    assert_int_equal(g_log.n, 1);
    assert_true(g_log.dropped);
    assert_null(p.verdict_fn);
    Packet q = {.verdict_fn = record_verdict};
    process(fx, &q);
    assert_int_equal(g_log.n, 2);
    assert_false(g_log.dropped);
    fixture_free(fx);
}

static void released_packet_without_verdict_stage_gets_one(void **state)
{
    (void)state;
    Engine e = {0};
    e.pool = packet_pool_new(2);
    assert_non_null(e.pool);
    ThreadVars tv = {.name = "W#01", .engine = &e};
    tv.counters = counters_set_new();
    g_log = (VerdictLog){0};
    Packet *p = packet_pool_get(e.pool);
    p->verdict_fn = record_verdict;
    tm_packet_release(&tv, p);
    assert_int_equal(g_log.n, 1);
    assert_false(g_log.dropped);
    /* The pool hands the packet out clean: no verdict owed any more. */
    Packet *again = packet_pool_get(e.pool);
    assert_null(again->verdict_fn);
    tm_packet_release(&tv, again);
    assert_int_equal(g_log.n, 1);
    counters_set_free(tv.counters);
    packet_pool_free(e.pool);
}

int main(void)
{
#define T(fn) cmocka_unit_test_teardown(fn, teardown)
    const struct CMUnitTest tests[] = {
        T(ids_mode_clears_the_drop_mark_and_counts_nothing),
        T(inline_packet_without_drop_is_accepted),
        T(inline_flow_scoped_drop_drops_the_packet_and_marks_its_flow),
        T(inline_packet_scoped_drop_leaves_the_flow),
        T(inline_rate_filter_drop_is_counted_as_threshold),
        T(inline_flow_drop_keeps_its_reason),
        T(inline_drop_without_a_flow_is_counted),
        T(inline_dropped_tunnel_packet_drops_its_root_not_the_outer_flow),
        T(inline_root_dropped_by_its_own_rule_keeps_the_rule_reason),
        T(inline_verdict_stage_gives_the_kernel_verdict_once),
        T(released_packet_without_verdict_stage_gets_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
