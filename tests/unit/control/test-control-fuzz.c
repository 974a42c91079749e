/* A fuzzed request set through the control socket's dispatcher: for every
 * command of command-list, requests with arguments of every JSON type,
 * missing, huge, nested or truncated, then random mutations of good
 * requests (a fixed seed: the same set each run). Each answer must be one
 * complete JSON object with "return" OK or NOK (a reload request may wait
 * instead); never a crash, a leak (ASan) or an unbounded answer. The pcap
 * queue is on, as in the unix-socket runmode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "control/control-internal.h"
#include "control/control-pcap.h"
#include "detect/detect.h"
#include "flow/flow.h"
#include "util/util-json-parse.h"

typedef struct Fixture {
    Engine e;
    ControlCtx ctx;
    JsonBuf out;
    char **cmds;
    size_t n_cmds;
} Fixture;

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;
static uint32_t g_n_answers; // requests answered and checked

static uint32_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (uint32_t)g_rng;
}

/* One request: the answer is a whole JSON object with a valid "return". */
static void check_one(Fixture *f, const char *req, size_t len)
{
    uint64_t gen = 0;
    ControlResult r = control_dispatch(&f->ctx, req, len, &f->out, &gen);
    if (r == CONTROL_WAIT_RELOAD) {
        return;
    }
    assert_true(f->out.len < (1u << 20));
    JsonDoc *doc = NULL;
    if (json_parse(f->out.buf, f->out.len, &doc, NULL, 0) != 0) {
        fail_msg("answer is not JSON for request '%.*s': %s", (int)(len > 200 ? 200 : len), req,
                 f->out.buf);
    }
    const char *ret = json_object_get_str(json_doc_root(doc), "return");
    assert_non_null(ret);
    assert_true(strcmp(ret, "OK") == 0 || strcmp(ret, "NOK") == 0);
    json_doc_free(doc);
    g_n_answers++;
}

static int setup(void **state)
{
    static Fixture f;
    memset(&f, 0, sizeof(f));
    f.e.conf = conf_new();
    assert_int_equal(conf_load_string(f.e.conf, "flow:\n  memcap: 1mb\n  hash-size: 1024\n"
                                                "  prealloc: 10\n", "test"), 0);
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    assert_int_equal(detect_engine_load_string(de, "alert ip any any -> any any "
                                                   "(hostbits:isset,hb,src; sid:1;)\n",
                                               "t.rules"), 0);
    assert_int_equal(detect_engine_build(de), 0);
    atomic_store(&f.e.detect, de);
    FlowConfig fc;
    flow_config_defaults(&fc);
    assert_int_equal(flow_config_load(&fc, f.e.conf), 0);
    f.e.flow_table = flow_table_new(&fc);
    assert_non_null(f.e.flow_table);
    f.ctx = (ControlCtx){.engine = &f.e, .start_wall_sec = 0};
    assert_int_equal(json_buf_init(&f.out, 64), 0);
    control_pcap_enable();
    /* The command names, from command-list itself. */
    const char *req = "{\"command\":\"command-list\"}";
    uint64_t gen = 0;
    assert_int_equal(control_dispatch(&f.ctx, req, strlen(req), &f.out, &gen), CONTROL_DONE);
    JsonDoc *doc = NULL;
    assert_int_equal(json_parse(f.out.buf, f.out.len, &doc, NULL, 0), 0);
    const JsonValue *list =
        json_object_get(json_object_get(json_doc_root(doc), "message"), "commands");
    assert_non_null(list);
    f.cmds = calloc(list->n_children, sizeof(char *));
    for (const JsonValue *c = list->child; c != NULL; c = c->next) {
        f.cmds[f.n_cmds++] = strdup(c->str);
    }
    json_doc_free(doc);
    assert_true(f.n_cmds >= 30);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    for (size_t i = 0; i < f->n_cmds; i++) {
        free(f->cmds[i]);
    }
    free(f->cmds);
    control_pcap_clear();
    json_buf_deinit(&f->out);
    detect_engine_free(atomic_load(&f->e.detect));
    flow_table_free(f->e.flow_table);
    conf_free(f->e.conf);
    return 0;
}

/* Argument names the commands read, and values of every JSON type. */
static const char *const k_keys[] = {
    "variable", "config", "memcap", "ipaddress", "hostbit", "expire", "setname", "settype",
    "datavalue", "iface", "filename", "output-dir", "tenant", "continuous", "delete-when-done",
};
static const char *const k_values[] = {
    "null", "true", "false", "0", "-1", "1e308", "18446744073709551616", "\"\"", "\"x\"",
    "\"/\"", "\"/etc/passwd\"", "\"..\"", "\"1kb\"", "\"9999999999999999999999tb\"",
    "\"192.168.1.1\"", "\"::1\"", "\"300.1.1.1\"", "\"hb\"", "\"string\"", "\"md5\"",
    "\"Z29vZ2xlLmNvbQ==\"", "\"%%%\"", "[]", "{}", "[1,[2,[3]]]", "{\"a\":{\"b\":1}}",
    "\"\\u0000\"", "\"\\ud800\"", "\"flow\"", "\"stream\"", "\"app-layer-http\"",
};
#define N_KEYS (sizeof(k_keys) / sizeof(k_keys[0]))
#define N_VALUES (sizeof(k_values) / sizeof(k_values[0]))

static void every_command_with_odd_arguments(void **state)
{
    Fixture *f = *state;
    char req[4096];
    for (size_t c = 0; c < f->n_cmds; c++) {
        if (strcmp(f->cmds[c], "shutdown") == 0) {
            continue;
        }
        /* no arguments, arguments not an object, then each key with each value */
        int n = snprintf(req, sizeof(req), "{\"command\":\"%s\"}", f->cmds[c]);
        check_one(f, req, (size_t)n);
        n = snprintf(req, sizeof(req), "{\"command\":\"%s\",\"arguments\":[1]}", f->cmds[c]);
        check_one(f, req, (size_t)n);
        for (size_t k = 0; k < N_KEYS; k++) {
            for (size_t v = 0; v < N_VALUES; v++) {
                n = snprintf(req, sizeof(req), "{\"command\":\"%s\",\"arguments\":{\"%s\":%s}}",
                             f->cmds[c], k_keys[k], k_values[v]);
                check_one(f, req, (size_t)n);
            }
        }
        /* all keys at once, random values */
        for (int round = 0; round < 50; round++) {
            n = snprintf(req, sizeof(req), "{\"command\":\"%s\",\"arguments\":{", f->cmds[c]);
            for (size_t k = 0; k < N_KEYS; k++) {
                n += snprintf(req + n, sizeof(req) - (size_t)n, "%s\"%s\":%s", k ? "," : "",
                              k_keys[k], k_values[rnd() % N_VALUES]);
            }
            n += snprintf(req + n, sizeof(req) - (size_t)n, "}}");
            check_one(f, req, (size_t)n);
        }
    }
    assert_true(g_n_answers > 15000);
}

static void mutated_requests(void **state)
{
    Fixture *f = *state;
    char base[4096];
    char req[4200];
    uint32_t before = g_n_answers;
    for (int round = 0; round < 20000; round++) {
        const char *cmd = f->cmds[rnd() % f->n_cmds];
        if (strcmp(cmd, "shutdown") == 0) {
            continue;
        }
        int n = snprintf(base, sizeof(base), "{\"command\":\"%s\",\"arguments\":{\"%s\":%s,"
                         "\"%s\":%s}}", cmd, k_keys[rnd() % N_KEYS], k_values[rnd() % N_VALUES],
                         k_keys[rnd() % N_KEYS], k_values[rnd() % N_VALUES]);
        size_t len = (size_t)n;
        memcpy(req, base, len);
        /* a few byte flips, insertions of structural characters, or a cut */
        int muts = 1 + (int)(rnd() % 4);
        for (int m = 0; m < muts && len > 0; m++) {
            size_t at = rnd() % len;
            switch (rnd() % 4) {
            case 0:
                req[at] = (char)(rnd() & 0xff);
                break;
            case 1:
                if (len + 1 < sizeof(req)) {
                    memmove(req + at + 1, req + at, len - at);
                    req[at] = "{}[]\",:\\"[rnd() % 8];
                    len++;
                }
                break;
            case 2:
                memmove(req + at, req + at + 1, len - at - 1);
                len--;
                break;
            default:
                len = at;
                break;
            }
        }
        check_one(f, req, len);
    }
    assert_true(g_n_answers - before > 15000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_command_with_odd_arguments),
        cmocka_unit_test(mutated_requests),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
