#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "output/json-check.h"
#include "output/output-test-util.h"
#include "output/output.h"
#include "runtime/counters.h"
#include "util/util-log.h"
#include "util/util-time.h"

static int setup(void **state)
{
    setenv("TZ", "UTC", 1);
    util_time_init();
    util_log_set_level(LOG_LEVEL_ERROR);  // the skipped-name warnings are expected
    counters_reset();
    JsonBuf *jb = malloc(sizeof(*jb));
    if (jb == NULL || json_buf_init(jb, 64) != 0) {
        free(jb);
        return -1;
    }
    *state = jb;
    return 0;
}

static int teardown(void **state)
{
    JsonBuf *jb = *state;
    json_buf_deinit(jb);
    free(jb);
    output_eve_stats_deinit();
    counters_reset();
    return 0;
}

static void build(JsonBuf *jb, const uint64_t *merged)
{
    assert_int_equal(output_eve_stats_build(jb, OT_SEC, 0, 42, merged), 0);
    assert_true(json_complete(jb));
    assert_true(json_check_valid(jb->buf, jb->len));
}

static void stats_nests_dotted_names_grouping_interleaved_prefixes(void **state)
{
    JsonBuf *jb = *state;
    counters_register("decoder.pkts", COUNTER_SUM);
    counters_register("flow.total", COUNTER_SUM);
    counters_register("decoder.bytes", COUNTER_SUM);
    counters_register("decoder.event.ipv4.trunc_pkt", COUNTER_SUM);
    counters_register("flow.tcp", COUNTER_SUM);
    counters_register("decoder.event.ipv4.pkt_too_small", COUNTER_SUM);
    counters_register("decoder.event.tcp.opt_invalid_len", COUNTER_SUM);
    counters_register("tcp.memuse", COUNTER_GAUGE);
    const uint64_t merged[] = { 10, 3, 1500, 1, 2, 0, 4, 65536 };
    build(jb, merged);
    assert_string_equal(jb->buf,
        "{\"timestamp\":\"2009-07-03T12:34:56.000000+0000\",\"event_type\":\"stats\","
        "\"stats\":{\"uptime\":42,"
        "\"decoder\":{\"pkts\":10,\"bytes\":1500,\"event\":{\"ipv4\":{\"trunc_pkt\":1,"
        "\"pkt_too_small\":0},\"tcp\":{\"opt_invalid_len\":4}}},"
        "\"flow\":{\"total\":3,\"tcp\":2},"
        "\"tcp\":{\"memuse\":65536}}}");
}

static void stats_writes_zero_counters(void **state)
{
    JsonBuf *jb = *state;
    counters_register("a.b", COUNTER_SUM);
    counters_register("c", COUNTER_SUM);
    const uint64_t merged[] = { 0, 0 };
    build(jb, merged);
    assert_non_null(strstr(jb->buf, "\"stats\":{\"uptime\":42,\"a\":{\"b\":0},\"c\":0}}"));
}

/* null-values: no leaves zero counters out, and groups holding only zeros. */
static void stats_without_null_values_leaves_zeros_out(void **state)
{
    JsonBuf *jb = *state;
    counters_register("a.b", COUNTER_SUM);
    counters_register("a.c", COUNTER_SUM);
    counters_register("d.e", COUNTER_SUM);
    counters_register("f", COUNTER_SUM);
    counters_register("g", COUNTER_SUM);
    const uint64_t merged[] = { 0, 5, 0, 0, 7 };
    output_eve_stats_set_null_values(false);
    build(jb, merged);
    output_eve_stats_set_null_values(true);
    assert_non_null(strstr(jb->buf, "\"stats\":{\"uptime\":42,\"a\":{\"c\":5},\"g\":7}}"));
}

static void stats_empty_registry_has_uptime_only(void **state)
{
    JsonBuf *jb = *state;
    build(jb, NULL);
    assert_non_null(strstr(jb->buf, "\"stats\":{\"uptime\":42}}"));
}

static void section_engines(JsonBuf *jb, void *user)
{
    json_u64(jb, (const char *)user, 7);
}

static void stats_sections_join_their_group_or_stand_alone(void **state)
{
    JsonBuf *jb = *state;
    counters_register("detect.alert", COUNTER_SUM);
    assert_int_equal(output_eve_stats_add_section("detect", section_engines, "engines"), 0);
    assert_int_equal(output_eve_stats_add_section("extra", section_engines, "only"), 0);
    const uint64_t merged[] = { 3 };
    build(jb, merged);
    output_eve_stats_clear_sections();
    assert_non_null(strstr(jb->buf, "\"detect\":{\"alert\":3,\"engines\":7},"
                                    "\"extra\":{\"only\":7}}}"));
}

static void stats_tree_follows_registry_changes(void **state)
{
    JsonBuf *jb = *state;
    counters_register("x.one", COUNTER_SUM);
    const uint64_t m1[] = { 1 };
    build(jb, m1);
    assert_non_null(strstr(jb->buf, "\"x\":{\"one\":1}"));

    /* Same count, other name: must not reuse the old tree. */
    output_eve_stats_build(jb, OT_SEC, 0, 0, m1);
    counters_reset();
    counters_register("y.two", COUNTER_SUM);
    build(jb, m1);
    assert_non_null(strstr(jb->buf, "\"y\":{\"two\":1}"));
    assert_null(strstr(jb->buf, "\"x\""));

    counters_register("y.three", COUNTER_SUM);
    const uint64_t m2[] = { 1, 3 };
    build(jb, m2);
    assert_non_null(strstr(jb->buf, "\"y\":{\"two\":1,\"three\":3}"));
}

static void stats_name_both_leaf_and_group_stays_valid_json(void **state)
{
    JsonBuf *jb = *state;
    counters_register("decoder.ipv4", COUNTER_SUM);
    counters_register("decoder.ipv4.frag", COUNTER_SUM);
    const uint64_t merged[] = { 5, 6 };
    build(jb, merged);
    assert_non_null(strstr(jb->buf, "\"decoder\":{\"ipv4\":{\"frag\":6}}"));
}

static void stats_skips_names_too_deep_or_named_uptime(void **state)
{
    JsonBuf *jb = *state;
    char deep[128];
    size_t n = 0;
    for (int i = 0; i < 40; i++) {
        deep[n++] = 'a';
        deep[n++] = '.';
    }
    deep[n++] = 'a';
    deep[n] = '\0';
    counters_register(deep, COUNTER_SUM);
    counters_register("uptime", COUNTER_SUM);
    counters_register("ok", COUNTER_SUM);
    const uint64_t merged[] = { 1, 2, 3 };
    build(jb, merged);
    assert_non_null(strstr(jb->buf, "\"stats\":{\"uptime\":42,\"ok\":3}}"));
}

static void stats_escapes_odd_names(void **state)
{
    JsonBuf *jb = *state;
    counters_register("app.\"q\".x", COUNTER_SUM);
    counters_register("app..y", COUNTER_SUM);
    const uint64_t merged[] = { 1, 2 };
    build(jb, merged);
    assert_non_null(strstr(jb->buf, "\"app\":{\"\\\"q\\\"\":{\"x\":1},\"\":{\"y\":2}}"));
}

static void stats_write_goes_to_sink(void **state)
{
    JsonBuf *jb = *state;
    char dir[] = "/tmp/vg-stats-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/eve.json", dir);
    EveSink *sink = eve_sink_open(path);
    assert_non_null(sink);
    counters_register("flow.total", COUNTER_SUM);
    const uint64_t merged[] = { 9 };
    assert_int_equal(output_eve_stats_write(sink, jb, OT_SEC, 0, 1, merged, false), 0);
    eve_sink_close(sink);
    size_t len;
    char *s = ot_read_file(path, &len);
    assert_non_null(s);
    size_t n = 0;
    assert_true(json_check_lines(s, len, &n));
    assert_int_equal(n, 1);
    assert_non_null(strstr(s, "\"flow\":{\"total\":9}"));
    free(s);
    unlink(path);
    rmdir(dir);
}

/* stats.threads: one object per thread set, by name, with that thread's
 * non-zero counters nested as in the totals; a set freed when its thread
 * ended keeps its last values (the final record comes after the threads). */
static void stats_threads_lists_each_thread_set(void **state)
{
    JsonBuf *jb = *state;
    CounterId pkts = counters_register("decoder.pkts", COUNTER_SUM);
    CounterId tcp = counters_register("flow.tcp", COUNTER_SUM);
    CounterSet *w2 = counters_set_new_named("W#02");
    CounterSet *w1 = counters_set_new_named("W#01");
    CounterSet *anon = counters_set_new();
    counters_add(w1, pkts, 5);
    counters_add(w2, pkts, 7);
    counters_add(w2, tcp, 1);
    counters_add(anon, tcp, 100);
    counters_set_free(w2);
    uint64_t merged[COUNTERS_MAX] = {0};
    counters_merge(merged);
    assert_int_equal(output_eve_stats_build_sel(jb, OT_SEC, 0, 1, merged, true), 0);
    assert_true(json_check_valid(jb->buf, jb->len));
    assert_non_null(strstr(jb->buf, "\"stats\":{\"uptime\":1,\"decoder\":{\"pkts\":12},"
                                    "\"flow\":{\"tcp\":101},\"threads\":{"
                                    "\"W#01\":{\"decoder\":{\"pkts\":5}},"
                                    "\"W#02\":{\"decoder\":{\"pkts\":7},\"flow\":{\"tcp\":1}}}}"));
    counters_set_free(w1);
    counters_set_free(anon);
}

/* stats.totals: no leaves the totals out. */
static void stats_without_totals_has_threads_only(void **state)
{
    JsonBuf *jb = *state;
    CounterId pkts = counters_register("decoder.pkts", COUNTER_SUM);
    CounterSet *w1 = counters_set_new_named("W#01");
    counters_add(w1, pkts, 3);
    assert_int_equal(output_eve_stats_build_sel(jb, OT_SEC, 0, 1, NULL, true), 0);
    assert_non_null(strstr(jb->buf, "\"stats\":{\"uptime\":1,\"threads\":{\"W#01\":"
                                    "{\"decoder\":{\"pkts\":3}}}}"));
    counters_set_free(w1);
}

/* An average counter is derived from the merged sums, also per thread. */
static void stats_average_is_derived_from_sums(void **state)
{
    JsonBuf *jb = *state;
    CounterId avg = counters_register_avg("decoder.avg_pkt_size", "decoder.bytes",
                                          "decoder.pkts");
    CounterId bytes = counters_register("decoder.bytes", COUNTER_SUM);
    CounterId pkts = counters_register("decoder.pkts", COUNTER_SUM);
    assert_int_equal(counters_kind(avg), COUNTER_AVG);
    CounterSet *w1 = counters_set_new_named("W#01");
    CounterSet *w2 = counters_set_new_named("W#02");
    counters_add(w1, bytes, 100);
    counters_add(w1, pkts, 1);
    counters_add(w2, bytes, 500);
    counters_add(w2, pkts, 9);
    counters_set_free(w1);
    counters_set_free(w2);
    uint64_t merged[COUNTERS_MAX] = {0};
    counters_merge(merged);
    assert_int_equal(merged[avg], 60);
    assert_int_equal(output_eve_stats_build_sel(jb, OT_SEC, 0, 1, merged, true), 0);
    assert_non_null(strstr(jb->buf, "\"decoder\":{\"bytes\":600,\"pkts\":10,"
                                    "\"avg_pkt_size\":60}"));
    assert_non_null(strstr(jb->buf, "\"W#01\":{\"decoder\":{\"bytes\":100,\"pkts\":1,"
                                    "\"avg_pkt_size\":100}}"));
    assert_non_null(strstr(jb->buf, "\"W#02\":{\"decoder\":{\"bytes\":500,\"pkts\":9,"
                                    "\"avg_pkt_size\":55}}"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stats_nests_dotted_names_grouping_interleaved_prefixes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(stats_writes_zero_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_without_null_values_leaves_zeros_out, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stats_sections_join_their_group_or_stand_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stats_empty_registry_has_uptime_only, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_tree_follows_registry_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_name_both_leaf_and_group_stays_valid_json, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stats_skips_names_too_deep_or_named_uptime, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stats_escapes_odd_names, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_write_goes_to_sink, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_threads_lists_each_thread_set, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_without_totals_has_threads_only, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_average_is_derived_from_sums, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
