/* Malformed classification.config, reference.config and threshold.config
 * input: each bad line is skipped with a warning naming file:line, the count
 * of bad lines is returned, and every good line around it still takes
 * effect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <unistd.h>

#include "conf/conf-test-util.h"
#include "detect-test.h"
#include "util/util-error.h"

static const DetectClass *find_class(const DetectEngine *de, const char *name)
{
    for (size_t i = 0; i < de->n_classes; i++) {
        if (strcmp(de->classes[i].name, name) == 0) {
            return &de->classes[i];
        }
    }
    return NULL;
}

/* Every "file:line: <what>" of lines[] is in the log, and no other line is
 * warned about. */
static void assert_warned_lines(const char *log, const char *file, const int *lines, int n,
                                const char *what)
{
    char want[160];
    for (int i = 0; i < n; i++) {
        snprintf(want, sizeof(want), "%s:%d: %s", file, lines[i], what);
        if (strstr(log, want) == NULL) {
            fail_msg("no warning '%s' in:\n%s", want, log);
        }
    }
    int warned = 0;
    for (const char *p = log; (p = strstr(p, what)) != NULL; p++) {
        warned++;
    }
    assert_int_equal(warned, n);
}

static void classification_bad_lines_are_skipped_with_file_and_line(void **state)
{
    (void)state;
    util_log_set_level(LOG_LEVEL_WARNING);
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    size_t n_before = de->n_classes;
    static const char text[] =
        "# classes for the test\n"                                       // 1
        "config classification: good-one,Good one,1\n"                   // 2
        "config classification: noprio,No priority\n"                   // 3 one comma
        "config classification: ,Empty name,2\n"                         // 4
        "config classification: badprio,Bad priority,high\n"             // 5
        "config classificaton: typo,Misspelt directive,1\n"              // 6
        "config classification: huge,Huge priority,99999999999\n"       // 7
        "config classification: emptyprio,Empty priority,\n"            // 8
        "\n"                                                             // 9
        "   config classification:  good-two , Good two , 3  \r\n"     // 10
        "garbage\n";                                                     // 11
    LogCapture cap;
    log_capture_begin(&cap);
    int bad = detect_engine_load_classification_string(de, text, "classes.config");
    char *log = log_capture_end(&cap);
    assert_int_equal(bad, 7);
    static const int lines[] = {3, 4, 5, 6, 7, 8, 11};
    assert_warned_lines(log, "classes.config", lines, 7, "bad classification line");
    free(log);
    assert_int_equal(de->n_classes, n_before + 2);
    const DetectClass *c = find_class(de, "good-one");
    assert_non_null(c);
    assert_string_equal(c->msg, "Good one");
    assert_int_equal(c->priority, 1);
    c = find_class(de, "good-two");
    assert_non_null(c);
    assert_string_equal(c->msg, "Good two");
    assert_int_equal(c->priority, 3);
    assert_null(find_class(de, "noprio"));
    assert_null(find_class(de, "badprio"));
    assert_null(find_class(de, "huge"));
    assert_null(find_class(de, "emptyprio"));
    /* rules see the good classes and not the bad ones */
    char err[256];
    Signature *s = NULL;
    assert_int_equal(detect_parse_rule(de, "alert tcp any any -> any any (classtype:good-two; "
                                       "sid:1;)", "t.rules", 1, &s, err, sizeof(err)), 0);
    assert_int_equal(s->priority, 3);
    detect_sig_free(s);
    s = NULL;
    /* a class skipped from the file is unknown: the rule loads without it */
    assert_int_equal(detect_parse_rule(de, "alert tcp any any -> any any (classtype:badprio; "
                                       "sid:2;)", "t.rules", 2, &s, err, sizeof(err)), 0);
    assert_null(s->cls);
    detect_sig_free(s);
    detect_engine_free(de);
}

static void classification_of_nothing_but_comments_loads_nothing(void **state)
{
    (void)state;
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    size_t n_before = de->n_classes;
    assert_int_equal(detect_engine_load_classification_string(de, "# none\n\n   \n#x", "c"), 0);
    assert_int_equal(detect_engine_load_classification_string(de, "", "c"), 0);
    assert_int_equal(de->n_classes, n_before);
    detect_engine_free(de);
}

static const DetectRefSys *find_refsys(const DetectEngine *de, const char *name)
{
    for (size_t i = 0; i < de->n_refsys; i++) {
        if (strcmp(de->refsys[i].name, name) == 0) {
            return &de->refsys[i];
        }
    }
    return NULL;
}

static void reference_bad_lines_are_skipped_with_file_and_line(void **state)
{
    (void)state;
    util_log_set_level(LOG_LEVEL_WARNING);
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    static const char text[] =
        "# reference systems\n"                                          // 1
        "config reference: url http://\n"                                // 2
        "config reference: nourl\n"                                      // 3
        "config reference:\n"                                            // 4
        "config referense: typo http://typo.example/\n"                  // 5
        "config reference: two words http://a.example/ b\n"              // 6
        "config reference: b\x01d http://binary.example/\n"              // 7
        "  config reference: cve   http://cve.example/?name=  \r\n";     // 8
    LogCapture cap;
    log_capture_begin(&cap);
    int bad = detect_engine_load_reference_buffer(de, text, sizeof(text) - 1, "refs.config");
    char *log = log_capture_end(&cap);
    assert_int_equal(bad, 5);
    static const int lines[] = {3, 4, 5, 6};
    assert_warned_lines(log, "refs.config", lines, 4, "bad reference.config line");
    static const int binary[] = {7};
    assert_warned_lines(log, "refs.config", binary, 1, "binary content");
    free(log);
    assert_int_equal(de->n_refsys, 2);
    const DetectRefSys *r = find_refsys(de, "url");
    assert_non_null(r);
    assert_string_equal(r->url, "http://");
    r = find_refsys(de, "cve");
    assert_non_null(r);
    assert_string_equal(r->url, "http://cve.example/?name=");
    assert_null(find_refsys(de, "nourl"));
    assert_null(find_refsys(de, "typo"));
    assert_null(find_refsys(de, "two"));
    detect_engine_free(de);
}

/* sid 7 is suppressed, sid 8 limited to one alert a minute, sid 9 untouched:
 * the good lines around the bad ones all work. */
#define TCFG_RULES                                                                     \
    "alert tcp any any -> any any (content:\"hello\"; sid:7;)\n"                     \
    "alert tcp any any -> any any (content:\"hello\"; sid:8;)\n"                     \
    "alert tcp any any -> any any (content:\"hello\"; sid:9;)\n"

static void threshold_bad_lines_are_skipped_with_file_and_line(void **state)
{
    (void)state;
    util_log_set_level(LOG_LEVEL_WARNING);
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    assert_int_equal(detect_engine_load_string(de, TCFG_RULES, "t.rules"), 0);
    static const char text[] =
        "# thresholds for the test\n"                                                   // 1
        "suppress gen_id 1, sig_id 7\n"                                                 // 2
        "suppress gen_id 1\n"                                                           // 3
        "suppress gen_id 1, sig_id 9, track by_src\n"                                   // 4
        "suppress gen_id 1, sig_id 9, track by_nobody, ip 10.0.0.1\n"                   // 5
        "suppress gen_id 1, sig_id 9, track by_src, ip not-an-address\n"                // 6
        "threshold gen_id 1, sig_id 9, type sometimes, track by_src, count 1, seconds 60\n"
        "threshold gen_id x, sig_id 9, type limit, track by_src, count 1, seconds 60\n" // 8
        "frobnicate gen_id 1, sig_id 9\n"                                               // 9
        "rate_filter gen_id 1, sig_id 9, track by_src, count 1, seconds 60, "
        "new_action explode, timeout 30\n"                                              // 10
        "\n"                                                                            // 11
        "  threshold gen_id 1, sig_id 8, type limit, track by_src, count 1, seconds 60\n"
        ",,,\n";                                                                        // 13
    LogCapture cap;
    log_capture_begin(&cap);
    int bad = detect_engine_load_threshold_string(de, text, "thr.config");
    char *log = log_capture_end(&cap);
    assert_int_equal(bad, 9);
    static const int lines[] = {3, 4, 5, 6, 7, 8, 9, 10, 13};
    assert_warned_lines(log, "thr.config", lines, 9, "bad threshold.config line");
    free(log);
    assert_int_equal(detect_engine_build(de), 0);
    DetectThread *dt = detect_thread_new(de, NULL);
    assert_non_null(dt);
    int by_sid[10] = {0};
    Packet p = {0};
    for (int i = 0; i < 5; i++) {
        test_tcp(&p, "hello", 5);
        p.ts_sec = 1000 + i;
        detect_packet(dt, &p);
        const PacketAlerts *pa = detect_packet_alerts(&p);
        for (uint32_t k = 0; pa != NULL && k < pa->n; k++) {
            uint32_t sid = pa->alerts[k].sid;
            assert_true(sid < 10);
            by_sid[sid]++;
        }
    }
    detect_packet_alerts_free(&p);
    assert_int_equal(by_sid[7], 0);
    assert_int_equal(by_sid[8], 1);
    assert_int_equal(by_sid[9], 5);
    detect_thread_free(dt);
    detect_engine_free(de);
}

/* suppress hides a drop rule's alert; the packet is still dropped. A
 * rate_filter that turns an alert into a drop marks the drop as its own. */
static void suppressed_drop_rule_still_drops_and_rate_filter_drop_is_marked(void **state)
{
    (void)state;
    util_log_set_level(LOG_LEVEL_ERROR);
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    assert_int_equal(detect_engine_load_string(
                         de,
                         "drop tcp any any -> any any (content:\"hello\"; sid:7;)\n"
                         "alert tcp any any -> any any (content:\"world\"; sid:8;)\n",
                         "t.rules"),
                     0);
    assert_int_equal(detect_engine_load_threshold_string(
                         de,
                         "suppress gen_id 1, sig_id 7\n"
                         "rate_filter gen_id 1, sig_id 8, track by_rule, count 1, seconds 60, "
                         "new_action drop, timeout 30\n",
                         "thr.config"),
                     0);
    assert_int_equal(detect_engine_build(de), 0);
    DetectThread *dt = detect_thread_new(de, NULL);
    assert_non_null(dt);
    Packet p = {0};
    test_tcp(&p, "hello", 5);
    p.ts_sec = 1000;
    detect_packet(dt, &p);
    assert_null(detect_packet_alerts(&p));
    assert_true(p.flags & PKT_F_DROP);
    assert_int_equal(p.drop_reason, PKT_DROP_NONE);
    for (int i = 0; i < 2; i++) {
        test_tcp(&p, "world", 5);
        p.ts_sec = 1001 + i;
        detect_packet(dt, &p);
    }
    const PacketAlerts *pa = detect_packet_alerts(&p);
    assert_non_null(pa);
    assert_int_equal(pa->alerts[0].action, DETECT_ACTION_DROP);
    assert_true(p.flags & PKT_F_DROP);
    assert_int_equal(p.drop_reason, PKT_DROP_THRESHOLD);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

/* track by_both follows the address pair in either direction: the answer
 * counts against the same entry as the request. */
static void rate_filter_by_both_counts_both_directions_together(void **state)
{
    (void)state;
    util_log_set_level(LOG_LEVEL_ERROR);
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    assert_int_equal(detect_engine_load_string(
                         de, "drop tcp any any -> any any (content:\"hello\"; sid:7;)\n",
                         "t.rules"),
                     0);
    assert_int_equal(detect_engine_load_threshold_string(
                         de,
                         "rate_filter gen_id 1, sig_id 7, track by_both, count 1, seconds 60, "
                         "new_action alert, timeout 30\n",
                         "thr.config"),
                     0);
    assert_int_equal(detect_engine_build(de), 0);
    DetectThread *dt = detect_thread_new(de, NULL);
    assert_non_null(dt);
    Packet p = {0};
    test_packet(&p, PKT_L4_TCP, "10.0.0.1", 40000, "192.0.2.1", 80, "hello", 5);
    p.ts_sec = 1000;
    detect_packet(dt, &p);
    assert_true(p.flags & PKT_F_DROP);
    test_packet(&p, PKT_L4_TCP, "192.0.2.1", 80, "10.0.0.1", 40000, "hello", 5);
    p.ts_sec = 1001;
    detect_packet(dt, &p);
    assert_false(p.flags & PKT_F_DROP);
    const PacketAlerts *pa = detect_packet_alerts(&p);
    assert_non_null(pa);
    assert_int_equal(pa->alerts[0].action, DETECT_ACTION_ALERT);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classification_bad_lines_are_skipped_with_file_and_line),
        cmocka_unit_test(classification_of_nothing_but_comments_loads_nothing),
        cmocka_unit_test(reference_bad_lines_are_skipped_with_file_and_line),
        cmocka_unit_test(threshold_bad_lines_are_skipped_with_file_and_line),
        cmocka_unit_test(suppressed_drop_rule_still_drops_and_rate_filter_drop_is_marked),
        cmocka_unit_test(rate_filter_by_both_counts_both_directions_together),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
