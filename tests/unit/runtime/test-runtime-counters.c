/* Counters: registry, per-thread sets, merge by kind, retired totals, and the
 * single-writer discipline under concurrent merging (run under TSan too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <pthread.h>

#include "runtime/counters.h"

static int teardown(void **state)
{
    (void)state;
    counters_reset();
    return 0;
}

static void register_same_name_returns_same_id(void **state)
{
    (void)state;
    CounterId a = counters_register("decoder.pkts", COUNTER_SUM);
    CounterId b = counters_register("decoder.bytes", COUNTER_SUM);
    CounterId again = counters_register("decoder.pkts", COUNTER_SUM);
    assert_int_equal(a, again);
    assert_int_not_equal(a, b);
    assert_int_equal(counters_count(), 2);
}

static void find_returns_registered_ids_only(void **state)
{
    (void)state;
    CounterId id = counters_register("flow.total", COUNTER_SUM);
    CounterId found = 999;
    assert_true(counters_find("flow.total", &found));
    assert_int_equal(found, id);
    assert_false(counters_find("flow.nothing", &found));
    assert_string_equal(counters_name(id), "flow.total");
    assert_null(counters_name((CounterId)(id + 1)));
}

static void kind_is_kept_per_counter(void **state)
{
    (void)state;
    CounterId s = counters_register("a.sum", COUNTER_SUM);
    CounterId m = counters_register("a.max", COUNTER_MAX);
    CounterId g = counters_register("a.gauge", COUNTER_GAUGE);
    assert_int_equal(counters_kind(s), COUNTER_SUM);
    assert_int_equal(counters_kind(m), COUNTER_MAX);
    assert_int_equal(counters_kind(g), COUNTER_GAUGE);
}

static void merge_adds_sums_maxes_maxima_and_adds_gauges(void **state)
{
    (void)state;
    CounterId s = counters_register("k.sum", COUNTER_SUM);
    CounterId m = counters_register("k.max", COUNTER_MAX);
    CounterId g = counters_register("k.gauge", COUNTER_GAUGE);
    CounterSet *a = counters_set_new();
    CounterSet *b = counters_set_new();
    counters_add(a, s, 5);
    counters_incr(b, s);
    counters_max(a, m, 7);
    counters_max(a, m, 3);
    counters_max(b, m, 4);
    counters_set(a, g, 10);
    counters_set(a, g, 2);
    counters_set(b, g, 6);
    uint64_t out[3] = {0};
    counters_merge(out);
    assert_int_equal(out[s], 6);
    assert_int_equal(out[m], 7);
    assert_int_equal(out[g], 8);
    counters_set_free(a);
    counters_set_free(b);
}

static void freed_set_keeps_its_totals_but_not_its_gauges(void **state)
{
    (void)state;
    CounterId s = counters_register("r.sum", COUNTER_SUM);
    CounterId m = counters_register("r.max", COUNTER_MAX);
    CounterId g = counters_register("r.gauge", COUNTER_GAUGE);
    CounterSet *gone = counters_set_new();
    CounterSet *live = counters_set_new();
    counters_add(gone, s, 40);
    counters_max(gone, m, 90);
    counters_set(gone, g, 3);
    counters_add(live, s, 2);
    counters_max(live, m, 10);
    counters_set(live, g, 1);
    counters_set_free(gone);
    uint64_t out[3] = {0};
    counters_merge(out);
    assert_int_equal(out[s], 42);
    assert_int_equal(out[m], 90);
    assert_int_equal(out[g], 1);
    counters_set_free(live);
}

static uint64_t probe_value(void *arg)
{
    return *(const uint64_t *)arg;
}

/* A probe is read at each merge, whatever the sets hold and after the thread
 * that last saw a value ended; a name registered before becomes a probe. */
static void probe_is_read_at_each_merge(void **state)
{
    (void)state;
    uint64_t now = 4096;
    CounterId early = counters_register("p.memuse", COUNTER_MAX);
    CounterSet *gone = counters_set_new();
    counters_max(gone, early, 8192);   // a copy a thread took at its last packet
    CounterId p = counters_register_probe("p.memuse", probe_value, &now);
    assert_int_equal(p, early);
    assert_int_equal(counters_kind(p), COUNTER_PROBE);
    counters_set_free(gone);
    uint64_t out[1] = {0};
    counters_merge(out);
    assert_int_equal(out[p], 4096);
    now = 0;                           // everything released since
    counters_merge(out);
    assert_int_equal(out[p], 0);
}

static void merge_is_stable_after_every_set_is_freed(void **state)
{
    (void)state;
    CounterId s = counters_register("t.sum", COUNTER_SUM);
    for (int i = 0; i < 3; i++) {
        CounterSet *cs = counters_set_new();
        counters_add(cs, s, 10);
        counters_set_free(cs);
    }
    uint64_t out[1] = {0};
    counters_merge(out);
    assert_int_equal(out[s], 30);
}

static void reset_forgets_names_and_totals(void **state)
{
    (void)state;
    CounterId s = counters_register("z.sum", COUNTER_SUM);
    CounterSet *cs = counters_set_new();
    counters_add(cs, s, 10);
    counters_set_free(cs);
    counters_reset();
    CounterId dummy;
    assert_int_equal(counters_count(), 0);
    assert_false(counters_find("z.sum", &dummy));
    s = counters_register("z.sum", COUNTER_SUM);
    uint64_t out[1] = {99};
    counters_merge(out);
    assert_int_equal(out[s], 0);
}

static void registration_beyond_the_limit_returns_the_overflow_id(void **state)
{
    (void)state;
    char name[32];
    for (int i = 0; i < COUNTERS_MAX - 1; i++) {
        snprintf(name, sizeof(name), "many.c%d", i);
        assert_int_equal(counters_register(name, COUNTER_SUM), i);
    }
    assert_int_equal(counters_register("many.one_too_many", COUNTER_SUM), COUNTERS_MAX - 1);
    assert_int_equal(counters_count(), COUNTERS_MAX - 1);
    CounterId id;
    assert_false(counters_find("many.one_too_many", &id));
    assert_true(counters_find("many.c0", &id));
    assert_int_equal(id, 0);
}

/* ---- threads ---- */

#define REG_THREADS 4
#define REG_NAMES 64

typedef struct RegArg {
    pthread_barrier_t *start;
    CounterId ids[REG_NAMES];
    int offset;                  // each thread walks the names from a different start
} RegArg;

static void reg_name(char *buf, size_t len, int i)
{
    snprintf(buf, len, "conc.name%02d", i);
}

static void *reg_main(void *arg)
{
    RegArg *ra = arg;
    pthread_barrier_wait(ra->start);
    for (int k = 0; k < REG_NAMES; k++) {
        int i = (k + ra->offset) % REG_NAMES;
        char name[32];
        reg_name(name, sizeof(name), i);
        ra->ids[i] = counters_register(name, COUNTER_SUM);
    }
    return NULL;
}

static void concurrent_registration_gives_one_id_per_name(void **state)
{
    (void)state;
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, REG_THREADS);
    pthread_t th[REG_THREADS];
    RegArg args[REG_THREADS];
    for (int t = 0; t < REG_THREADS; t++) {
        args[t] = (RegArg){.start = &start, .offset = t * 17};
        assert_int_equal(pthread_create(&th[t], NULL, reg_main, &args[t]), 0);
    }
    for (int t = 0; t < REG_THREADS; t++) {
        pthread_join(th[t], NULL);
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(counters_count(), REG_NAMES);
    bool seen[REG_NAMES] = {false};
    for (int i = 0; i < REG_NAMES; i++) {
        for (int t = 1; t < REG_THREADS; t++) {
            assert_int_equal(args[t].ids[i], args[0].ids[i]);
        }
        CounterId id = args[0].ids[i];
        assert_true(id < REG_NAMES);
        assert_false(seen[id]);
        seen[id] = true;
        char name[32];
        reg_name(name, sizeof(name), i);
        assert_string_equal(counters_name(id), name);
    }
}

#define INCR_THREADS 2
#define INCR_N 20000

typedef struct IncrArg {
    CounterId sum;
    CounterId max;
    pthread_barrier_t *start;
} IncrArg;

static void *incr_main(void *arg)
{
    IncrArg *ia = arg;
    CounterSet *cs = counters_set_new();   // owned by this thread only
    pthread_barrier_wait(ia->start);
    for (uint64_t i = 1; i <= INCR_N; i++) {
        counters_incr(cs, ia->sum);
        counters_max(cs, ia->max, i);
    }
    counters_set_free(cs);
    return NULL;
}

static void merge_while_threads_increment_sees_monotonic_then_exact_totals(void **state)
{
    (void)state;
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, INCR_THREADS + 1);
    IncrArg ia = {.sum = counters_register("mt.sum", COUNTER_SUM),
                  .max = counters_register("mt.max", COUNTER_MAX), .start = &start};
    pthread_t th[INCR_THREADS];
    for (int t = 0; t < INCR_THREADS; t++) {
        assert_int_equal(pthread_create(&th[t], NULL, incr_main, &ia), 0);
    }
    pthread_barrier_wait(&start);
    uint64_t prev = 0;
    for (int k = 0; k < 200; k++) {
        uint64_t out[2] = {0};
        counters_merge(out);
        assert_true(out[ia.sum] >= prev);
        assert_true(out[ia.sum] <= (uint64_t)INCR_THREADS * INCR_N);
        assert_true(out[ia.max] <= INCR_N);
        prev = out[ia.sum];
    }
    for (int t = 0; t < INCR_THREADS; t++) {
        pthread_join(th[t], NULL);
    }
    pthread_barrier_destroy(&start);
    uint64_t out[2] = {0};
    counters_merge(out);
    assert_int_equal(out[ia.sum], (uint64_t)INCR_THREADS * INCR_N);
    assert_int_equal(out[ia.max], INCR_N);
}

#define AVG_NAMES 200

static void *avg_reg_main(void *arg)
{
    pthread_barrier_wait(arg);
    for (int i = 0; i < AVG_NAMES; i++) {
        char name[32];
        snprintf(name, sizeof(name), "avg.name%03d", i);
        (void)counters_register_avg(name, "avg.sum", "avg.count");
    }
    return NULL;
}

/* An average registered while another thread merges is seen with its
 * sources or not at all (it was once published before its sources were
 * set, so a merge divided by counter 0). */
static void average_registered_during_merge_is_never_seen_without_sources(void **state)
{
    (void)state;
    CounterId zero = counters_register("avg.zero", COUNTER_SUM);  // id 0, stays 0
    CounterId sum = counters_register("avg.sum", COUNTER_SUM);
    CounterId count = counters_register("avg.count", COUNTER_SUM);
    assert_int_equal(zero, 0);
    CounterSet *cs = counters_set_new();
    counters_add(cs, sum, 10);
    counters_add(cs, count, 5);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, avg_reg_main, &start), 0);
    pthread_barrier_wait(&start);
    static uint64_t out[COUNTERS_MAX];
    int wrong = 0;   // asserted after the join: a failed assert would leave the thread running
    for (CounterId seen = 0; seen < 3 + AVG_NAMES;) {
        seen = counters_count();   // published before the merge: merged by it
        counters_merge(out);
        for (CounterId i = 3; i < seen; i++) {
            wrong += counters_kind(i) != COUNTER_AVG || out[i] != 2;
        }
    }
    pthread_join(th, NULL);
    pthread_barrier_destroy(&start);
    assert_int_equal(wrong, 0);
    counters_set_free(cs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(register_same_name_returns_same_id, teardown),
        cmocka_unit_test_teardown(find_returns_registered_ids_only, teardown),
        cmocka_unit_test_teardown(kind_is_kept_per_counter, teardown),
        cmocka_unit_test_teardown(merge_adds_sums_maxes_maxima_and_adds_gauges, teardown),
        cmocka_unit_test_teardown(freed_set_keeps_its_totals_but_not_its_gauges, teardown),
        cmocka_unit_test_teardown(merge_is_stable_after_every_set_is_freed, teardown),
        cmocka_unit_test_teardown(probe_is_read_at_each_merge, teardown),
        cmocka_unit_test_teardown(reset_forgets_names_and_totals, teardown),
        cmocka_unit_test_teardown(registration_beyond_the_limit_returns_the_overflow_id,
                                  teardown),
        cmocka_unit_test_teardown(concurrent_registration_gives_one_id_per_name, teardown),
        cmocka_unit_test_teardown(average_registered_during_merge_is_never_seen_without_sources,
                                  teardown),
        cmocka_unit_test_teardown(merge_while_threads_increment_sees_monotonic_then_exact_totals,
                                  teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
