#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "control/control-internal.h"
#include "control/control.h"
#include "detect/detect.h"
#include "flow/flow.h"
#include "util/util-json-parse.h"

typedef struct Fixture {
    Engine e;
    ControlCtx ctx;
    JsonBuf out;
    JsonDoc *answer;
} Fixture;

static int setup(void **state)
{
    static Fixture f;
    memset(&f, 0, sizeof(f));
    f.e.conf = conf_new();
    assert_int_equal(conf_load_string(f.e.conf,
                                      "runmode: workers\nflow:\n  memcap: 1mb\n"
                                      "  hash-size: 1024\n  prealloc: 10\n", "test"), 0);
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    assert_int_equal(detect_engine_load_string(de, "alert udp any any -> any 53 (sid:1;)\n"
                                                   "alert udp any any -> any 53 (nope; sid:2;)\n",
                                               "t.rules"), 1);
    assert_int_equal(detect_engine_build(de), 0);
    atomic_store(&f.e.detect, de);
    FlowConfig fc;
    flow_config_defaults(&fc);
    assert_int_equal(flow_config_load(&fc, f.e.conf), 0);
    f.e.flow_table = flow_table_new(&fc);
    assert_non_null(f.e.flow_table);
    f.ctx = (ControlCtx){.engine = &f.e, .start_wall_sec = 0};
    assert_int_equal(json_buf_init(&f.out, 64), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    json_doc_free(f->answer);
    json_buf_deinit(&f->out);
    detect_engine_free(atomic_load(&f->e.detect));
    flow_table_free(f->e.flow_table);
    conf_free(f->e.conf);
    return 0;
}

/* Run one request; the answer must be one JSON object with "return". */
static const JsonValue *run(Fixture *f, const char *req, ControlResult want)
{
    uint64_t gen = 0;
    assert_int_equal(control_dispatch(&f->ctx, req, strlen(req), &f->out, &gen), want);
    if (want == CONTROL_WAIT_RELOAD) {
        return NULL;
    }
    json_doc_free(f->answer);
    f->answer = NULL;
    assert_true(json_complete(&f->out));
    assert_int_equal(json_parse(f->out.buf, f->out.len, &f->answer, NULL, 0), 0);
    const JsonValue *root = json_doc_root(f->answer);
    assert_non_null(json_object_get_str(root, "return"));
    return root;
}

static void assert_ret(const JsonValue *a, const char *ret, const char *msg_part)
{
    assert_string_equal(json_object_get_str(a, "return"), ret);
    if (msg_part != NULL) {
        const char *m = json_object_get_str(a, "message");
        assert_non_null(m);
        if (strstr(m, msg_part) == NULL) {
            fail_msg("message '%s' lacks '%s'", m, msg_part);
        }
    }
}

static void dispatch_answers_version_and_runmode(void **state)
{
    Fixture *f = *state;
    assert_ret(run(f, "{\"command\": \"version\"}", CONTROL_DONE), "OK", VG_VERSION);
    assert_ret(run(f, "{\"command\":\"running-mode\",\"arguments\":{}}", CONTROL_DONE), "OK",
               "workers");
}

static void dispatch_refuses_malformed_requests_with_a_reason(void **state)
{
    Fixture *f = *state;
    assert_ret(run(f, "{\"command\": \"version\"", CONTROL_DONE), "NOK",
               "malformed request: offset");
    assert_ret(run(f, "{\"command\": version}", CONTROL_DONE), "NOK", "unexpected byte");
    assert_ret(run(f, "[\"version\"]", CONTROL_DONE), "NOK", "JSON object");
    assert_ret(run(f, "{\"cmd\": \"version\"}", CONTROL_DONE), "NOK", "no 'command'");
    assert_ret(run(f, "{\"command\": 7}", CONTROL_DONE), "NOK", "no 'command'");
    assert_ret(run(f, "{\"command\": \"conf-get\", \"arguments\": 1}", CONTROL_DONE), "NOK",
               "'arguments' must be an object");
    assert_ret(run(f, "{\"command\": \"no-such\"}", CONTROL_DONE), "NOK", "Unknown command");
    assert_ret(run(f, "", CONTROL_DONE), "NOK", "expected a value");
}

static void conf_get_returns_values_and_refuses_unknown_keys(void **state)
{
    Fixture *f = *state;
    assert_ret(run(f, "{\"command\":\"conf-get\",\"arguments\":{\"variable\":\"flow.memcap\"}}",
                   CONTROL_DONE), "OK", "1mb");
    const JsonValue *a = run(f, "{\"command\":\"conf-get\",\"arguments\":{\"variable\":\"flow\"}}",
                             CONTROL_DONE);
    assert_string_equal(json_object_get_str(json_object_get(a, "message"), "memcap"), "1mb");
    assert_ret(run(f, "{\"command\":\"conf-get\",\"arguments\":{\"variable\":\"no.such\"}}",
                   CONTROL_DONE), "NOK", "not found");
    assert_ret(run(f, "{\"command\":\"conf-get\"}", CONTROL_DONE), "NOK", "'variable'");
}

static void memcap_show_reads_the_configured_value(void **state)
{
    Fixture *f = *state;
    const JsonValue *a = run(f, "{\"command\":\"memcap-show\",\"arguments\":{\"config\":\"flow\"}}",
                             CONTROL_DONE);
    assert_ret(a, "OK", NULL);
    assert_true(json_object_get(json_object_get(a, "message"), "value")->num == 1048576.0);
    a = run(f, "{\"command\":\"memcap-list\"}", CONTROL_DONE);
    assert_int_equal(json_object_get(a, "message")->n_children, 4);
    assert_ret(run(f, "{\"command\":\"memcap-show\",\"arguments\":{\"config\":\"x\"}}",
                   CONTROL_DONE), "NOK", "not found");
}

static void memcap_set_changes_the_live_value(void **state)
{
    Fixture *f = *state;
    assert_ret(run(f, "{\"command\":\"memcap-set\",\"arguments\":{\"config\":\"flow\","
                      "\"memcap\":\"2mb\"}}", CONTROL_DONE), "OK", "updated: 2097152");
    assert_int_equal(flow_table_memcap(f->e.flow_table), 2u << 20);
    const JsonValue *a = run(f, "{\"command\":\"memcap-show\",\"arguments\":{\"config\":"
                                "\"flow\"}}", CONTROL_DONE);
    assert_true(json_object_get(json_object_get(a, "message"), "value")->num == 2097152.0);
    /* A JSON number works too; too small for the hash, not a size, no such memcap. */
    assert_ret(run(f, "{\"command\":\"memcap-set\",\"arguments\":{\"config\":\"flow\","
                      "\"memcap\":3000000}}", CONTROL_DONE), "OK", "updated: 3000000");
    assert_ret(run(f, "{\"command\":\"memcap-set\",\"arguments\":{\"config\":\"flow\","
                      "\"memcap\":\"1kb\"}}", CONTROL_DONE), "NOK", "too small");
    assert_int_equal(flow_table_memcap(f->e.flow_table), 3000000);
    assert_ret(run(f, "{\"command\":\"memcap-set\",\"arguments\":{\"config\":\"flow\","
                      "\"memcap\":\"many\"}}", CONTROL_DONE), "NOK", "not a size");
    assert_ret(run(f, "{\"command\":\"memcap-set\",\"arguments\":{\"config\":\"nope\","
                      "\"memcap\":\"1mb\"}}", CONTROL_DONE), "NOK", "not found");
    assert_ret(run(f, "{\"command\":\"memcap-set\",\"arguments\":{\"config\":\"flow\"}}",
                   CONTROL_DONE), "NOK", "'memcap'");
}

static void ruleset_commands_report_the_live_rule_set(void **state)
{
    Fixture *f = *state;
    const JsonValue *a = run(f, "{\"command\":\"ruleset-stats\"}", CONTROL_DONE);
    const JsonValue *m = json_object_get(a, "message")->child;
    assert_true(json_object_get(m, "rules_loaded")->num == 1.0);
    assert_true(json_object_get(m, "rules_failed")->num == 1.0);
    a = run(f, "{\"command\":\"ruleset-failed-rules\"}", CONTROL_DONE);
    assert_ret(a, "OK", NULL);
    const JsonValue *list = json_object_get(a, "message");
    assert_int_equal(list->n_children, 1);
    const JsonValue *r = list->child;
    assert_string_equal(json_object_get_str(r, "rule"),
                        "alert udp any any -> any 53 (nope; sid:2;)");
    assert_string_equal(json_object_get_str(r, "filename"), "t.rules");
    assert_true(json_object_get(r, "line")->num == 2.0);
    assert_true(json_object_get(r, "sid")->num == 2.0);
    assert_non_null(strstr(json_object_get_str(r, "reason"), "nope"));
    assert_null(json_object_get(a, "omitted"));
}

static void reload_rules_waits_for_the_reload_task(void **state)
{
    Fixture *f = *state;
    uint64_t gen = 99;
    const char *req = "{\"command\":\"reload-rules\"}";
    assert_int_equal(control_dispatch(&f->ctx, req, strlen(req), &f->out, &gen),
                     CONTROL_WAIT_RELOAD);
    assert_int_equal(gen, control_reload_generation());
    assert_true(atomic_load(&f->e.reload_rules));
    control_note_reload(true, true, "start-up load"); // does not end a reload
    assert_int_equal(gen, control_reload_generation());
    control_note_reload(false, false, "reload failed: kept");
    assert_int_not_equal(gen, control_reload_generation());
    control_reload_answer(&f->out);
    assert_string_equal(f->out.buf, "{\"return\":\"NOK\",\"message\":\"reload failed: kept\"}");
}

static void shutdown_sets_the_stop_flag(void **state)
{
    Fixture *f = *state;
    assert_false(atomic_load(&f->e.stop));
    assert_ret(run(f, "{\"command\":\"shutdown\"}", CONTROL_DONE), "OK", NULL);
    assert_true(atomic_load(&f->e.stop));
}

static void dump_counters_gives_an_object(void **state)
{
    Fixture *f = *state;
    const JsonValue *a = run(f, "{\"command\":\"dump-counters\"}", CONTROL_DONE);
    assert_ret(a, "OK", NULL);
    assert_int_equal(json_object_get(a, "message")->type, JSON_T_OBJECT);
    assert_non_null(json_object_get(json_object_get(a, "message"), "uptime"));
}

static void handshake_needs_a_version_zero(void **state)
{
    Fixture *f = *state;
    const char *ok = "{\"version\": \"0.2\"}";
    assert_int_equal(control_handshake(ok, strlen(ok), &f->out), CONTROL_DONE);
    assert_string_equal(f->out.buf, "{\"return\":\"OK\"}");
    const char *bad[] = {"{\"version\": \"1.0\"}", "{\"command\": \"version\"}", "{", "x"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(control_handshake(bad[i], strlen(bad[i]), &f->out), CONTROL_CLOSE);
        assert_non_null(strstr(f->out.buf, "\"NOK\""));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dispatch_answers_version_and_runmode, setup, teardown),
        cmocka_unit_test_setup_teardown(dispatch_refuses_malformed_requests_with_a_reason, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(conf_get_returns_values_and_refuses_unknown_keys, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(memcap_show_reads_the_configured_value, setup, teardown),
        cmocka_unit_test_setup_teardown(memcap_set_changes_the_live_value, setup, teardown),
        cmocka_unit_test_setup_teardown(ruleset_commands_report_the_live_rule_set, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(reload_rules_waits_for_the_reload_task, setup, teardown),
        cmocka_unit_test_setup_teardown(shutdown_sets_the_stop_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(dump_counters_gives_an_object, setup, teardown),
        cmocka_unit_test_setup_teardown(handshake_needs_a_version_zero, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
