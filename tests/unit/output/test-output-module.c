/* The outputs' configuration and schedule: stats.clock and stats.interval,
 * EVE stats options, anomaly.types, and SIGHUP reopening every file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "conf/conf.h"
#include "decode/decode-events.h"
#include "output/json-check.h"
#include "output/output-module.h"
#include "output/output-test-util.h"
#include "runtime/counters.h"
#include "util/util-log.h"

typedef struct Fixture {
    char dir[64];
    Conf *conf;
} Fixture;

static int setup(void **state)
{
    Fixture *fx = calloc(1, sizeof(*fx));
    if (fx == NULL) {
        return -1;
    }
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/vg-outmod-XXXXXX");
    if (mkdtemp(fx->dir) == NULL) {
        free(fx);
        return -1;
    }
    fx->conf = conf_new();
    util_log_set_level(LOG_LEVEL_ERROR);
    counters_reset();
    counters_register("decoder.pkts", COUNTER_SUM);
    *state = fx;
    return fx->conf == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    Fixture *fx = *state;
    conf_free(fx->conf);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    counters_reset();
    free(fx);
    return 0;
}

static OutputCtx *ctx_from(Fixture *fx, const char *yaml)
{
    assert_int_equal(conf_load_string(fx->conf, yaml, "t.yaml"), 0);
    return output_ctx_new(fx->conf, fx->dir, false);
}

/* Lines of the file whose text holds needle. */
static size_t count_in(const char *dir, const char *name, const char *needle)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    size_t len = 0;
    char *s = ot_read_file(path, &len);
    size_t n = 0;
    for (char *p = s; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
        n++;
    }
    free(s);
    return n;
}

static const char eve_only[] = "outputs:\n"
                               "  - eve-log:\n"
                               "      filename: eve.json\n"
                               "      types: [stats]\n"
                               "  - stats:\n"
                               "      filename: stats.log\n";

/* stats.clock: packet: a record each stats.interval seconds of packet time,
 * wall-clock ticks ignored, and the final record always. */
static void packet_clock_writes_every_interval_of_packet_time(void **state)
{
    Fixture *fx = *state;
    char yaml[512];
    snprintf(yaml, sizeof(yaml), "stats:\n  interval: 8\n  clock: packet\n%s", eve_only);
    OutputCtx *oc = ctx_from(fx, yaml);
    assert_non_null(oc);
    assert_int_equal(oc->stats_clock, OUTPUT_STATS_CLOCK_PACKET);
    output_stats_tick(oc, OUTPUT_STATS_CLOCK_PACKET, 1000, 1001, 0, false);
    output_stats_tick(oc, OUTPUT_STATS_CLOCK_PACKET, 1000, 1007, 0, false);
    output_stats_tick(oc, OUTPUT_STATS_CLOCK_WALL, 1000, 1007, 0, false);
    output_stats_tick(oc, OUTPUT_STATS_CLOCK_PACKET, 1000, 1008, 0, false);  // 1
    output_stats_tick(oc, OUTPUT_STATS_CLOCK_PACKET, 1000, 1015, 0, false);
    output_stats_tick(oc, OUTPUT_STATS_CLOCK_PACKET, 1000, 1100, 0, false);  // 2
    output_stats_tick(oc, OUTPUT_STATS_CLOCK_WALL, 1000, 1101, 0, true);     // final
    output_ctx_free(oc);
    assert_int_equal(count_in(fx->dir, "eve.json", "\"event_type\":\"stats\""), 3);
    assert_int_equal(count_in(fx->dir, "eve.json", "\"uptime\":8,"), 1);
    assert_int_equal(count_in(fx->dir, "eve.json", "\"uptime\":101,"), 1);
    assert_int_equal(count_in(fx->dir, "stats.log", "Date: "), 3);
}

/* The default clock is the wall clock: packet time alone writes nothing
 * however much of it passes (a sparse capture), the end writes the record. */
static void wall_clock_is_the_default_and_ignores_packet_time(void **state)
{
    Fixture *fx = *state;
    OutputCtx *oc = ctx_from(fx, eve_only);
    assert_non_null(oc);
    assert_int_equal(oc->stats_clock, OUTPUT_STATS_CLOCK_WALL);
    assert_int_equal(oc->stats_interval_sec, 8);
    for (int64_t t = 0; t < 100000; t += 1000) {
        output_stats_tick(oc, OUTPUT_STATS_CLOCK_PACKET, 0, t, 0, false);
    }
    /* Less than stats.interval of real time since the outputs opened. */
    output_stats_tick(oc, OUTPUT_STATS_CLOCK_WALL, 0, 100000, 0, false);
    assert_int_equal(count_in(fx->dir, "eve.json", "\"event_type\":\"stats\""), 0);
    output_stats_tick(oc, OUTPUT_STATS_CLOCK_WALL, 0, 100000, 0, true);
    output_ctx_free(oc);
    assert_int_equal(count_in(fx->dir, "eve.json", "\"event_type\":\"stats\""), 1);
}

static void bad_stats_clock_or_interval_fails(void **state)
{
    Fixture *fx = *state;
    assert_null(ctx_from(fx, "stats:\n  clock: sundial\n"));
    Conf *c2 = conf_new();
    assert_int_equal(conf_load_string(c2, "stats:\n  interval: often\n", "t.yaml"), 0);
    assert_null(output_ctx_new(c2, fx->dir, false));
    conf_free(c2);
    Conf *c3 = conf_new();
    assert_int_equal(conf_load_string(c3, "stats:\n  interval: 0\n", "t.yaml"), 0);
    assert_null(output_ctx_new(c3, fx->dir, false));
    conf_free(c3);
}

static void eve_stats_totals_and_threads_options(void **state)
{
    Fixture *fx = *state;
    OutputCtx *oc = ctx_from(fx, "outputs:\n"
                                 "  - eve-log:\n"
                                 "      types:\n"
                                 "        - stats:\n"
                                 "            totals: no\n"
                                 "            threads: yes\n");
    assert_non_null(oc);
    assert_true(oc->eve_stats);
    assert_false(oc->eve_stats_totals);
    assert_true(oc->eve_stats_threads);
    output_ctx_free(oc);
}

static uint16_t event_named(const char *name)
{
    uint16_t ev = (uint16_t)decode_event_by_name(name);
    assert_int_not_equal(ev, DECODE_EV_NONE);
    return ev;
}

/* anomaly.types: decode and stream are chosen separately; without types,
 * as in Suricata, neither (only app-layer events). */
static void anomaly_types_select_families(void **state)
{
    Fixture *fx = *state;
    uint16_t dec = event_named("ipv4.trunc_pkt");
    uint16_t str = event_named("stream.3whs_ack_in_wrong_dir");
    assert_int_equal(output_anomaly_type(dec), OUTPUT_ANOMALY_DECODE);
    assert_int_equal(output_anomaly_type(str), OUTPUT_ANOMALY_STREAM);
    OutputCtx *oc = ctx_from(fx, "outputs:\n"
                                 "  - eve-log:\n"
                                 "      types:\n"
                                 "        - anomaly:\n"
                                 "            types:\n"
                                 "              decode: yes\n"
                                 "              stream: no\n");
    assert_non_null(oc);
    assert_true(output_anomaly_wanted(oc, dec));
    assert_false(output_anomaly_wanted(oc, str));
    assert_true(oc->anomaly_applayer);
    oc->anomaly_decode = false;
    oc->anomaly_stream = true;
    assert_false(output_anomaly_wanted(oc, dec));
    assert_true(output_anomaly_wanted(oc, str));
    oc->anomaly = false;
    assert_false(output_anomaly_wanted(oc, str));
    output_ctx_free(oc);

    Conf *c2 = conf_new();
    assert_int_equal(conf_load_string(c2, "outputs:\n  - eve-log:\n      types:\n"
                                          "        - anomaly:\n            enabled: yes\n",
                                      "t.yaml"),
                     0);
    oc = output_ctx_new(c2, fx->dir, false);
    assert_non_null(oc);
    assert_false(output_anomaly_wanted(oc, dec));
    assert_false(output_anomaly_wanted(oc, str));
    assert_true(oc->anomaly_applayer);
    output_ctx_free(oc);
    conf_free(c2);
}

/* SIGHUP after logrotate renamed every file: each output starts a new file;
 * what was written before stays in the renamed ones. */
static void reopen_starts_new_files_for_every_output(void **state)
{
    Fixture *fx = *state;
    OutputCtx *oc = ctx_from(fx, "stats:\n  clock: packet\n  interval: 1\n");
    assert_non_null(oc);
    output_stats_tick(oc, OUTPUT_STATS_CLOCK_PACKET, 10, 12, 0, false);
    const char *names[] = {"eve.json", "fast.log", "stats.log"};
    for (size_t i = 0; i < 3; i++) {
        char from[128];
        char to[128];
        snprintf(from, sizeof(from), "%s/%s", fx->dir, names[i]);
        snprintf(to, sizeof(to), "%s/old-%s", fx->dir, names[i]);
        assert_int_equal(rename(from, to), 0);
    }
    output_ctx_reopen(oc);
    for (size_t i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", fx->dir, names[i]);
        assert_int_equal(access(path, F_OK), 0);
    }
    output_stats_tick(oc, OUTPUT_STATS_CLOCK_PACKET, 10, 14, 0, true);
    output_ctx_free(oc);
    assert_int_equal(count_in(fx->dir, "old-eve.json", "\"event_type\":\"stats\""), 1);
    assert_int_equal(count_in(fx->dir, "eve.json", "\"event_type\":\"stats\""), 1);
    assert_int_equal(count_in(fx->dir, "old-stats.log", "Date: "), 1);
    assert_int_equal(count_in(fx->dir, "stats.log", "Date: "), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(packet_clock_writes_every_interval_of_packet_time, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(wall_clock_is_the_default_and_ignores_packet_time, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_stats_clock_or_interval_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(eve_stats_totals_and_threads_options, setup, teardown),
        cmocka_unit_test_setup_teardown(anomaly_types_select_families, setup, teardown),
        cmocka_unit_test_setup_teardown(reopen_starts_new_files_for_every_output, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
