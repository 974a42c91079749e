/* Variables beside the pcre ones of test-detect-engine.c: traffic/ flowbits as EVE
 * "traffic", captures of a pcre match that later keywords refuse (the retried match's
 * are kept), datajson objects in alert.context, and the bypass keyword's flow mark. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "detect-test.h"
#include "flow/flow.h"
#include "util/util-error.h"
#include "util/util-json.h"

#include <unistd.h>

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
    util_log_set_level(LOG_LEVEL_ERROR);
    r->de = detect_engine_new_empty();
    assert_non_null(r->de);
    r->de->ds_allow_absolute = true;     // the tests' dataset files are in /tmp
    assert_int_equal(detect_engine_load_string(r->de, rules, "test.rules"), 0);
    assert_int_equal(detect_engine_build(r->de), 0);
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

/* The flow's variables and p's as the EVE writer gets them ("traffic", "metadata"). */
static void vars_json(Run *r, char *out, size_t size)
{
    JsonBuf jb;
    assert_int_equal(json_buf_init(&jb, 256), 0);
    json_open_object(&jb, NULL);
    detect_vars_json(r->de, &r->p, &r->f, &jb);
    json_close_object(&jb);
    assert_false(json_failed(&jb));
    assert_true(jb.len < size);
    memcpy(out, jb.buf, jb.len + 1);
    json_buf_deinit(&jb);
}

static void context_json(Run *r, const PacketAlert *a, char *out, size_t size)
{
    JsonBuf jb;
    assert_int_equal(json_buf_init(&jb, 256), 0);
    json_open_object(&jb, NULL);
    detect_alert_context_json(&r->p, a, &jb);
    json_close_object(&jb);
    assert_true(jb.len < size);
    memcpy(out, jb.buf, jb.len + 1);
    json_buf_deinit(&jb);
}

static void traffic_flowbits_make_the_traffic_object(void **state)
{
    (void)state;
    Run r;
    run_open(&r, "alert tcp any any -> any any (content:\"UA \"; flowbits:set,traffic/id/web; "
                 "flowbits:set,seen; flowbits:set,traffic/label/browser; "
                 "flowbits:set,traffic/id/mozilla; sid:1;)\n");
    char out[512];
    (void)run_pkt(&r, "nothing");
    vars_json(&r, out, sizeof(out));
    assert_string_equal(out, "{}");
    const PacketAlerts *pa = run_pkt(&r, "UA mozilla/5");
    assert_non_null(pa);
    assert_int_equal(pa->n, 1);
    vars_json(&r, out, sizeof(out));
    assert_string_equal(out, "{\"traffic\":{\"id\":[\"web\",\"mozilla\"],"
                             "\"label\":[\"browser\"]},\"metadata\":{\"flowbits\":[\"seen\"]}}");
    run_close(&r);
}

static void captures_of_a_failed_rule_are_not_kept(void **state)
{
    (void)state;
    Run r;
    run_open(&r, "alert tcp any any -> any any (pcre:\"/id=(\\d+)/, pkt:id\"; content:\" ok\"; "
                 "within:3; sid:1;)\n"
                 "alert tcp any any -> any any (content:\"zzz\"; sid:2;)\n");
    char out[512];
    const PacketAlerts *pa = run_pkt(&r, "id=1 no id=2 zzz");
    assert_int_equal(pa->n, 1);
    assert_int_equal(pa->alerts[0].sid, 2);
    vars_json(&r, out, sizeof(out));
    assert_string_equal(out, "{}");            // no packet variable: sid 1 did not match
    /* the second pcre match holds: only its value is kept, not the first try's */
    pa = run_pkt(&r, "id=1 no id=2 ok zzz");
    assert_int_equal(pa->n, 2);
    vars_json(&r, out, sizeof(out));
    assert_string_equal(out, "{\"metadata\":{\"pktvars\":[{\"id\":\"2\"}]}}");
    run_close(&r);
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

static char *write_tmp(const char *text)
{
    char *path = strdup("/tmp/vg-datajson-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void datajson_objects_go_to_the_alert_context(void **state)
{
    (void)state;
    char *hosts = write_tmp("{\"list\": {\"bad\": [{\"h\": \"evil.test\", \"n\": 7, "
                            "\"tags\": [true, null]}, {\"nohost\": 1}]}}");
    char *ips = write_tmp("{\"ip\": \"10.0.0.1\", \"who\": \"client\"}\n\n"
                          "{\"ip\": \"2001:db8::1\", \"who\": \"v6\"}\n");
    char rules[1024];
    snprintf(rules, sizeof(rules),
             "alert tcp any any -> any any (content:\"evil.test\"; dataset:isset,djh,"
             "type string,load %s,format json,array_key list.bad,value_key h,context_key host; "
             "ip.src; dataset:isset,dji,type ip,load %s,format ndjson,value_key ip,remove_key,"
             "context_key src; sid:1;)\n", hosts, ips);
    Run r;
    run_open(&r, rules);
    const PacketAlerts *pa = run_pkt(&r, "evil.test");
    assert_int_equal(pa->n, 1);
    char out[512];
    context_json(&r, &pa->alerts[0], out, sizeof(out));
    assert_string_equal(out, "{\"context\":{\"host\":{\"h\":\"evil.test\",\"n\":7,"
                             "\"tags\":[true,null]},\"src\":{\"who\":\"client\"}}}");
    (void)run_pkt(&r, "good.test");
    assert_int_equal(r.p.n_alerts, 0);
    run_close(&r);
    detect_datasets_free();
    /* a value that is not of the set's type refuses the rule, naming the file */
    char *bad = write_tmp("[{\"ip\": 5}]");
    snprintf(rules, sizeof(rules), "alert tcp any any -> any any (ip.src; dataset:isset,djb,"
             "type ipv4,load %s,format json,value_key ip,context_key x; sid:1;)", bad);
    DetectEngine *de = detect_engine_new_empty();
    de->ds_allow_absolute = true;
    Signature *sig = NULL;
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(detect_parse_rule(de, rules, "t.rules", 1, &sig, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "is not a ipv4 value"));
    assert_non_null(strstr(err, bad));
    detect_sig_free(sig);
    detect_engine_free(de);
    detect_datasets_free();
    unlink(hosts);
    unlink(ips);
    unlink(bad);
    free(hosts);
    free(ips);
    free(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(traffic_flowbits_make_the_traffic_object),
        cmocka_unit_test(captures_of_a_failed_rule_are_not_kept),
        cmocka_unit_test(bypass_keyword_marks_the_flow_after_the_match),
        cmocka_unit_test(datajson_objects_go_to_the_alert_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
