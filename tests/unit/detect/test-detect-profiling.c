/* Rule profiling through detection: each candidate rule a packet is checked
 * against is counted once for the rule, a match as a match, and a thread's
 * figures reach the run's totals when the thread is freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "detect-test.h"
#include "runtime/runtime-profiling.h"

static const char rules[] =
    "alert tcp any any -> any any (msg:\"abc\"; content:\"abc\"; sid:1;)\n"
    "alert tcp any any -> any any (msg:\"ttl five\"; ttl:5; sid:2;)\n"
    "alert tcp any any -> any any (msg:\"xyz\"; content:\"xyz\"; sid:3;)\n";

static int setup(void **state)
{
    (void)state;
    ProfConfig cfg = {.is_enabled = true, .is_rules = true, .rules_limit = 20};
    prof_set(&cfg);
    prof_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ProfConfig off = {0};
    prof_set(&off);
    prof_reset();
    return 0;
}

static void run_packets(const char *payload, int n)
{
    DetectEngine *de = test_engine(rules, NULL);
    assert_non_null(de);
    DetectThread *dt = detect_thread_new(de, NULL);
    assert_non_null(dt);
    Packet p = {0};
    for (int i = 0; i < n; i++) {
        test_tcp(&p, payload, (uint32_t)strlen(payload));
        detect_packet(dt, &p);
    }
    detect_thread_free(dt);   // merges this thread's figures
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void candidates_counted_matches_apart(void **state)
{
    (void)state;
    run_packets("xxabcxx", 3);
    ProfRuleStat st;
    assert_true(prof_total_rule(1, 1, &st));
    assert_int_equal(st.checks, 3);
    assert_int_equal(st.matches, 3);
    assert_int_equal(st.ticks_match, st.ticks);
    assert_true(prof_total_rule(1, 2, &st));       // no fast pattern: checked on every packet
    assert_int_equal(st.checks, 3);
    assert_int_equal(st.matches, 0);
    assert_int_equal(st.ticks_match, 0);
    assert_false(prof_total_rule(1, 3, &st));      // its pattern never found: never checked
}

static void threads_add_up(void **state)
{
    (void)state;
    run_packets("abc", 2);
    run_packets("abc", 5);
    ProfRuleStat st;
    assert_true(prof_total_rule(1, 1, &st));
    assert_int_equal(st.checks, 7);
    assert_int_equal(st.matches, 7);
}

static void rule_time_is_charged_to_a_stage(void **state)
{
    (void)state;
    run_packets("abc", 4);
    ProfRuleStat a;
    ProfRuleStat b;
    assert_true(prof_total_rule(1, 1, &a));
    assert_true(prof_total_rule(1, 2, &b));
    assert_int_equal(prof_total_sub(PROF_SUB_RULES), a.ticks + b.ticks);
}

static void nothing_counted_when_off(void **state)
{
    (void)state;
    ProfConfig off = {0};
    prof_set(&off);
    run_packets("abc", 2);
    ProfRuleStat st;
    assert_false(prof_total_rule(1, 1, &st));
    assert_int_equal(prof_total_sub(PROF_SUB_RULES), 0);
    assert_int_equal(prof_total_sub(PROF_SUB_PREFILTER), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(candidates_counted_matches_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(threads_add_up, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_time_is_charged_to_a_stage, setup, teardown),
        cmocka_unit_test_setup_teardown(nothing_counted_when_off, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
