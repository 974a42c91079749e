/* pcre captures (detect-capture.c): the capture list and named groups, values kept only
 * when the whole rule matched, flow variables replaced by name, the EVE texts of the
 * alert (context, metadata with pktvars/flowvars/flowbits, traffic), the flow record's
 * texts at flow end, and the bypass keyword's flow mark. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "detect-test.h"
#include "flow/flow.h"
#include "util/util-error.h"

typedef struct Run {
    DetectEngine *de;
    DetectThread *dt;
    Flow f;
    Packet p;
} Run;

static void run_open(Run *r, const char *rules)
{
    detect_set_flow_storage_id(0);
    memset(r, 0, sizeof(*r));
    int failed = -1;
    r->de = test_engine(rules, &failed);
    assert_non_null(r->de);
    assert_int_equal(failed, 0);
    r->dt = detect_thread_new(r->de, NULL);
    assert_non_null(r->dt);
}

static const PacketAlerts *run_pkt(Run *r, const char *payload)
{
    test_tcp(&r->p, payload, (uint32_t)strlen(payload));
    r->p.flow = &r->f;
    detect_packet(r->dt, &r->p);
    return detect_packet_alerts(&r->p);
}

static void run_close(Run *r)
{
    detect_flow_storage_free(r->f.storage[0]);
    detect_packet_alerts_free(&r->p);
    detect_thread_free(r->dt);
    detect_engine_free(r->de);
}

static void capture_list_and_named_groups(void **state)
{
    (void)state;
    Run r;
    run_open(&r, "alert tcp any any -> any any (content:\"UA \"; "
                 "pcre:\"/UA ([a-z]+)\\/(\\d+) (?P<alert_os>\\w+)/, flow:agent, pkt:ver\"; "
                 "flowbits:set,traffic/id/web; flowbits:set,seen; sid:1;)\n");
    const PacketAlerts *pa = run_pkt(&r, "UA mozilla/5 linux");
    assert_non_null(pa);
    assert_int_equal(pa->n, 1);
    assert_string_equal(pa->alerts[0].eve_context, "{\"os\":\"linux\"}");
    assert_string_equal(pa->alerts[0].eve_metadata,
                        "{\"pktvars\":[{\"ver\":\"5\"}],\"flowvars\":[{\"agent\":\"mozilla\"}],"
                        "\"flowbits\":[\"seen\"]}");
    assert_string_equal(pa->alerts[0].eve_traffic, "{\"id\":[\"web\"]}");
    /* the flow variable is replaced by name; packet variables are the packet's own */
    pa = run_pkt(&r, "UA curl/7 bsd");
    assert_string_equal(pa->alerts[0].eve_metadata,
                        "{\"pktvars\":[{\"ver\":\"7\"}],\"flowvars\":[{\"agent\":\"curl\"}],"
                        "\"flowbits\":[\"seen\"]}");
    assert_int_equal(detect_flow_end(r.dt, &r.f, NULL, NULL), 0);
    const char *meta = NULL, *traffic = NULL;
    detect_flow_eve_vars(&r.f, &meta, &traffic);
    assert_string_equal(meta, "{\"flowvars\":[{\"agent\":\"curl\"}],\"flowbits\":[\"seen\"]}");
    assert_string_equal(traffic, "{\"id\":[\"web\"]}");
    run_close(&r);
}

static void captures_of_a_failed_rule_are_not_kept(void **state)
{
    (void)state;
    Run r;
    run_open(&r, "alert tcp any any -> any any (pcre:\"/id=(\\d+)/, flow:id\"; content:\" ok\"; "
                 "within:3; sid:1;)\n"
                 "alert tcp any any -> any any (content:\"zzz\"; sid:2;)\n");
    const PacketAlerts *pa = run_pkt(&r, "id=1 no id=2 zzz");
    assert_int_equal(pa->n, 1);
    assert_int_equal(pa->alerts[0].sid, 2);
    assert_null(pa->alerts[0].eve_metadata);     // no flow variable: sid 1 did not match
    /* the second pcre match holds: only its value is kept */
    pa = run_pkt(&r, "id=1 no id=2 ok zzz");
    assert_int_equal(pa->n, 2);
    assert_string_equal(pa->alerts[0].eve_metadata, "{\"flowvars\":[{\"id\":\"2\"}]}");
    run_close(&r);
}

static void bad_capture_lists_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "pcre:\"/(a)/, flow\";", "pcre:\"/(a)/, host:x\";", "pcre:\"/(a)/, flow:\";",
        "pcre:\"/(a)/, flow:x, pkt:y\";",   // one group for two names
    };
    char err[DETECT_ERR_MAX];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char rule[256];
        (void)snprintf(rule, sizeof(rule), "alert tcp any any -> any any (%s sid:1;)", bad[i]);
        assert_int_not_equal(test_parse(rule, err, sizeof(err)), 0);
        assert_non_null(strstr(err, "pcre"));
    }
    assert_int_equal(test_parse("alert tcp any any -> any any (pcre:\"/(a)(b)/i , flow:x, "
                                "alert:y\"; sid:1;)", err, sizeof(err)), 0);
}

static void bypass_keyword_marks_the_flow_after_the_match(void **state)
{
    (void)state;
    Run r;
    run_open(&r, "alert tcp any any -> any any (content:\"go\"; bypass; sid:1;)\n");
    (void)run_pkt(&r, "nothing");
    assert_false(flow_is_bypassed(&r.f));
    const PacketAlerts *pa = run_pkt(&r, "go");
    assert_int_equal(pa->n, 1);              // the rule still alerts
    assert_true(flow_is_bypassed(&r.f));
    run_close(&r);
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(test_parse("alert http any any -> any any (filestore; bypass; sid:1;)",
                                    err, sizeof(err)), 0);
    assert_int_not_equal(test_parse("alert tcp any any -> any any (bypass:x; sid:1;)", err,
                                    sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(capture_list_and_named_groups),
        cmocka_unit_test(captures_of_a_failed_rule_are_not_kept),
        cmocka_unit_test(bad_capture_lists_are_refused),
        cmocka_unit_test(bypass_keyword_marks_the_flow_after_the_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
