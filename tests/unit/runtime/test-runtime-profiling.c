/* Profiling accounting: configuration, slot and sub-stage sums over threads,
 * rule figures merged by gid/sid, and the report files. Figures are checked
 * for how they add up, never for how long anything took. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>

#include "conf/conf.h"
#include "runtime/runtime-profiling.h"
#include "util/util-error.h"
#include "util/util-file.h"
#include "util/util-log.h"

static void enable(bool rules, uint32_t limit)
{
    ProfConfig cfg = {.is_enabled = true, .is_rules = rules, .rules_limit = limit};
    prof_set(&cfg);
    prof_reset();
}

static int teardown(void **state)
{
    (void)state;
    ProfConfig off = {0};
    prof_set(&off);
    prof_reset();
    return 0;
}

static int configure_from(const char *yaml)
{
    Conf *c = conf_new();
    assert_non_null(c);
    assert_int_equal(conf_load_string(c, yaml, "test.yaml"), 0);
    int rc = prof_configure(c);
    conf_free(c);
    return rc;
}

static void off_by_default(void **state)
{
    (void)state;
    assert_int_equal(configure_from("runmode: single\n"), 0);
    assert_false(prof_enabled);
    assert_false(prof_rules_enabled);
}

static void enabled_turns_rules_on_too(void **state)
{
    (void)state;
    assert_int_equal(configure_from("profiling:\n  enabled: yes\n"), 0);
    assert_true(prof_enabled);
    assert_true(prof_rules_enabled);
    assert_int_equal(prof_config().rules_limit, 20);
}

static void rules_can_be_left_out(void **state)
{
    (void)state;
    assert_int_equal(configure_from("profiling:\n  enabled: yes\n  rules:\n    enabled: no\n"
                                    "    limit: 5\n"), 0);
    assert_true(prof_enabled);
    assert_false(prof_rules_enabled);
    assert_int_equal(prof_config().rules_limit, 5);
}

static void rules_alone_do_not_enable_profiling(void **state)
{
    (void)state;
    /* a stock suricata.yaml has profiling.rules.enabled: yes */
    assert_int_equal(configure_from("profiling:\n  rules:\n    enabled: yes\n"), 0);
    assert_false(prof_enabled);
    assert_false(prof_rules_enabled);
}

static void bad_limit_is_refused(void **state)
{
    (void)state;
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(configure_from("profiling:\n  enabled: yes\n  rules:\n    limit: 0\n"),
                     VG_EINVAL);
    util_log_set_level(LOG_LEVEL_NOTICE);
}

static void time_slot(uint32_t slot, const char *name, uint64_t sub_ticks)
{
    uint32_t saved;
    uint64_t t0 = prof_slot_begin(slot, &saved);
    if (sub_ticks != 0) {
        prof_sub_add(PROF_SUB_PREFILTER, "detect.prefilter", sub_ticks, 1);
    }
    prof_slot_end(slot, name, t0, saved);
}

static void *thread_two_slots(void *arg)
{
    (void)arg;
    prof_thread_begin("T#test");
    for (int i = 0; i < 10; i++) {
        time_slot(0, "decode", 0);
        time_slot(1, "detect", 7);
    }
    prof_thread_end();
    return NULL;
}

static void slots_sum_by_module_over_threads(void **state)
{
    (void)state;
    enable(true, 20);
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, thread_two_slots, NULL), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
    }
    uint64_t calls = 0;
    assert_true(prof_total_slot("decode", &calls) > 0);
    assert_int_equal(calls, 30);
    (void)prof_total_slot("detect", &calls);
    assert_int_equal(calls, 30);
    assert_int_equal(prof_total_slot("output", &calls), 0);
    assert_int_equal(calls, 0);
}

static void sub_stage_counts_what_was_added(void **state)
{
    (void)state;
    enable(true, 20);
    time_slot(2, "detect", 1000);
    time_slot(2, "detect", 500);
    prof_sub_end(PROF_SUB_APP_FIRST + 3, "dns", prof_ticks());
    assert_int_equal(prof_total_sub(PROF_SUB_PREFILTER), 1500);
    assert_int_equal(prof_total_sub(PROF_SUB_RULES), 0);
    assert_int_equal(prof_total_sub(PROF_SUB_MAX), 0);   // out of range: nothing
}

static void reset_forgets_everything(void **state)
{
    (void)state;
    enable(true, 20);
    time_slot(0, "decode", 10);
    ProfRuleStat st = {.checks = 1, .ticks = 5};
    assert_int_equal(prof_rule_merge(1, 7, 1, "seven", &st), 0);
    prof_reset();
    uint64_t calls = 1;
    assert_int_equal(prof_total_slot("decode", &calls), 0);
    assert_int_equal(calls, 0);
    assert_int_equal(prof_total_sub(PROF_SUB_PREFILTER), 0);
    ProfRuleStat out;
    assert_false(prof_total_rule(1, 7, &out));
}

static void rule_check_splits_matches(void **state)
{
    (void)state;
    ProfRuleStat st = {0};
    uint64_t a = prof_rule_check(&st, prof_ticks(), true);
    uint64_t b = prof_rule_check(&st, prof_ticks(), false);
    uint64_t c = prof_rule_check(&st, prof_ticks(), false);
    assert_int_equal(st.checks, 3);
    assert_int_equal(st.matches, 1);
    assert_int_equal(st.ticks, a + b + c);
    assert_int_equal(st.ticks_match, a);
    uint64_t max = a > b ? a : b;
    assert_int_equal(st.ticks_max, max > c ? max : c);
}

static void rules_merge_by_gid_and_sid(void **state)
{
    (void)state;
    enable(true, 20);
    ProfRuleStat t1 = {.checks = 10, .matches = 2, .ticks = 1000, .ticks_match = 300,
                       .ticks_max = 400};
    ProfRuleStat t2 = {.checks = 5, .matches = 1, .ticks = 600, .ticks_match = 100,
                       .ticks_max = 500};
    ProfRuleStat other = {.checks = 1, .ticks = 9, .ticks_max = 9};
    ProfRuleStat never = {0};
    assert_int_equal(prof_rule_merge(1, 100, 3, "a rule", &t1), 0);
    assert_int_equal(prof_rule_merge(1, 100, 3, "a rule", &t2), 0);
    assert_int_equal(prof_rule_merge(2, 100, 1, "same sid, other gid", &other), 0);
    assert_int_equal(prof_rule_merge(1, 101, 1, "never checked", &never), 0);
    ProfRuleStat out;
    assert_true(prof_total_rule(1, 100, &out));
    assert_int_equal(out.checks, 15);
    assert_int_equal(out.matches, 3);
    assert_int_equal(out.ticks, 1600);
    assert_int_equal(out.ticks_match, 400);
    assert_int_equal(out.ticks_max, 500);
    assert_true(prof_total_rule(2, 100, &out));
    assert_int_equal(out.checks, 1);
    assert_false(prof_total_rule(1, 101, &out));
}

static void many_rules_survive_growth(void **state)
{
    (void)state;
    enable(true, 20);
    for (uint32_t sid = 1; sid <= 5000; sid++) {
        ProfRuleStat st = {.checks = sid, .ticks = sid};
        assert_int_equal(prof_rule_merge(1, sid, 1, "r", &st), 0);
    }
    ProfRuleStat out;
    for (uint32_t sid = 1; sid <= 5000; sid += 499) {
        assert_true(prof_total_rule(1, sid, &out));
        assert_int_equal(out.checks, sid);
    }
}

static char *read_report(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    size_t len;
    int err;
    return util_file_read(path, 64u << 20, &len, &err);
}

static void report_lists_rules_dearest_first_within_limit(void **state)
{
    (void)state;
    enable(true, 2);
    time_slot(0, "detect", 0);
    static const uint64_t ticks[] = {500, 9000, 70, 3000};
    for (uint32_t i = 0; i < 4; i++) {
        char msg[32];
        snprintf(msg, sizeof(msg), "rule \"%u\"", 11 + i);
        ProfRuleStat st = {.checks = 1, .ticks = ticks[i], .ticks_max = ticks[i]};
        assert_int_equal(prof_rule_merge(1, 11 + i, 1, msg, &st), 0);
    }
    char dir[] = "/tmp/vg-prof-XXXXXX";
    assert_non_null(mkdtemp(dir));
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(prof_report_write(dir), 0);
    util_log_set_level(LOG_LEVEL_NOTICE);
    char *all = read_report(dir, "rule_perf.json");
    char *top = read_report(dir, "profile.json");
    char *txt = read_report(dir, "profile.txt");
    assert_non_null(all);
    assert_non_null(top);
    assert_non_null(txt);
    /* all four in rule_perf.json, by total ticks: 12, 14, 11, 13 */
    const char *p12 = strstr(all, "\"signature_id\":12");
    const char *p14 = strstr(all, "\"signature_id\":14");
    const char *p11 = strstr(all, "\"signature_id\":11");
    const char *p13 = strstr(all, "\"signature_id\":13");
    assert_true(p12 != NULL && p14 != NULL && p11 != NULL && p13 != NULL);
    assert_true(p12 < p14 && p14 < p11 && p11 < p13);
    assert_non_null(strstr(all, "\"msg\":\"rule \\\"12\\\"\""));   // escaped
    /* the limit (2) in profile.json and the table */
    assert_non_null(strstr(top, "\"signature_id\":14"));
    assert_null(strstr(top, "\"signature_id\":11"));
    assert_non_null(strstr(top, "\"module\":\"detect\""));
    assert_non_null(strstr(txt, "Top 2 of 4 rules"));
    assert_null(strstr(txt, "rule \"11\""));
    free(all);
    free(top);
    free(txt);
    static const char *const files[] = {"rule_perf.json", "profile.json", "profile.txt"};
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void report_to_missing_dir_fails(void **state)
{
    (void)state;
    enable(false, 20);
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(prof_report_write("/nonexistent/vg-prof"), VG_EIO);
    util_log_set_level(LOG_LEVEL_NOTICE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(off_by_default, teardown),
        cmocka_unit_test_teardown(enabled_turns_rules_on_too, teardown),
        cmocka_unit_test_teardown(rules_can_be_left_out, teardown),
        cmocka_unit_test_teardown(rules_alone_do_not_enable_profiling, teardown),
        cmocka_unit_test_teardown(bad_limit_is_refused, teardown),
        cmocka_unit_test_teardown(slots_sum_by_module_over_threads, teardown),
        cmocka_unit_test_teardown(sub_stage_counts_what_was_added, teardown),
        cmocka_unit_test_teardown(reset_forgets_everything, teardown),
        cmocka_unit_test(rule_check_splits_matches),
        cmocka_unit_test_teardown(rules_merge_by_gid_and_sid, teardown),
        cmocka_unit_test_teardown(many_rules_survive_growth, teardown),
        cmocka_unit_test_teardown(report_lists_rules_dearest_first_within_limit, teardown),
        cmocka_unit_test_teardown(report_to_missing_dir_fails, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
