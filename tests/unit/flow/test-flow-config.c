/* flow_config_load against a stand-in for the four conf getters it uses
 * (the test defines them, so the conf loader is not linked). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "flow/flow.h"
#include "util/util-error.h"

typedef struct StubEntry {
    const char *path;
    const char *value;
} StubEntry;

static const StubEntry *g_entries;
static ConfNode g_node = {.file = "test.yaml", .line = 7};

static const char *stub_find(const char *path)
{
    for (const StubEntry *e = g_entries; e != NULL && e->path != NULL; e++) {
        if (strcmp(e->path, path) == 0) {
            return e->value;
        }
    }
    return NULL;
}

const ConfNode *conf_get_node(const Conf *conf, const ConfNode *node, const char *path)
{
    (void)conf;
    (void)node;
    return stub_find(path) != NULL ? &g_node : NULL;
}

int64_t conf_int_or(const Conf *conf, const char *path, int64_t dflt, bool *bad)
{
    (void)conf;
    const char *v = stub_find(path);
    if (v == NULL) {
        return dflt;
    }
    char *end;
    long long x = strtoll(v, &end, 10);
    if (*end != '\0' || end == v) {
        *bad = true;
        return dflt;
    }
    return x;
}

uint64_t conf_size_or(const Conf *conf, const char *path, uint64_t dflt, bool *bad)
{
    (void)conf;
    const char *v = stub_find(path);
    if (v == NULL) {
        return dflt;
    }
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    if (strcmp(end, "mb") == 0) {
        return x * 1024 * 1024;
    }
    if (*end != '\0' || end == v) {
        *bad = true;
        return dflt;
    }
    return x;
}

bool conf_get_str(const Conf *conf, const char *path, const char **out)
{
    (void)conf;
    *out = stub_find(path);
    return *out != NULL;
}

static const Conf *fake_conf(void)
{
    return (const Conf *)&g_node;   // never dereferenced by the stubs
}

static void absent_keys_keep_defaults(void **state)
{
    (void)state;
    static const StubEntry none[] = {{NULL, NULL}};
    g_entries = none;
    FlowConfig cfg, dflt;
    flow_config_defaults(&dflt);
    assert_int_equal(flow_config_load(&cfg, fake_conf()), VG_OK);
    assert_memory_equal(&cfg, &dflt, sizeof(cfg));
}

static void keys_are_read(void **state)
{
    (void)state;
    static const StubEntry e[] = {
        {"flow.memcap", "64mb"},
        {"flow.hash-size", "1000"},
        {"flow.prealloc", "500"},
        {"flow.emergency-recovery", "40"},
        {"flow-timeouts.tcp.established", "3600"},
        {"flow-timeouts.udp.emergency-new", "5"},
        {"flow-timeouts.icmp.new", "15"},
        {"flow-timeouts.default.closed", "3"},
        {NULL, NULL},
    };
    g_entries = e;
    FlowConfig cfg;
    assert_int_equal(flow_config_load(&cfg, fake_conf()), VG_OK);
    assert_int_equal(cfg.memcap_bytes, 64ull * 1024 * 1024);
    assert_int_equal(cfg.hash_size, 1000);
    assert_int_equal(cfg.prealloc, 500);
    assert_int_equal(cfg.emergency_recovery_pct, 40);
    assert_int_equal(cfg.timeouts[FLOW_PROTO_TCP].established_sec, 3600);
    assert_int_equal(cfg.timeouts[FLOW_PROTO_TCP].new_sec, 30);
    assert_int_equal(cfg.timeouts[FLOW_PROTO_UDP].emerg_new_sec, 5);
    assert_int_equal(cfg.timeouts[FLOW_PROTO_ICMP].new_sec, 15);
    assert_int_equal(cfg.timeouts[FLOW_PROTO_DEFAULT].closed_sec, 3);
}

static void out_of_range_value_is_refused(void **state)
{
    (void)state;
    static const StubEntry e[] = {{"flow.emergency-recovery", "101"}, {NULL, NULL}};
    g_entries = e;
    FlowConfig cfg;
    assert_int_equal(flow_config_load(&cfg, fake_conf()), VG_EINVAL);
}

static void negative_timeout_is_refused(void **state)
{
    (void)state;
    static const StubEntry e[] = {{"flow-timeouts.tcp.new", "-1"}, {NULL, NULL}};
    g_entries = e;
    FlowConfig cfg;
    assert_int_equal(flow_config_load(&cfg, fake_conf()), VG_EINVAL);
}

static void malformed_value_is_refused(void **state)
{
    (void)state;
    static const StubEntry e[] = {{"flow.memcap", "lots"}, {NULL, NULL}};
    g_entries = e;
    FlowConfig cfg;
    assert_int_equal(flow_config_load(&cfg, fake_conf()), VG_EINVAL);
}

static void memcap_policy_is_read(void **state)
{
    (void)state;
    static const StubEntry e[] = {{"flow.memcap-policy", "drop-packet"}, {NULL, NULL}};
    g_entries = e;
    FlowConfig cfg;
    assert_int_equal(flow_config_load(&cfg, fake_conf()), VG_OK);
    assert_int_equal(cfg.memcap_policy, FLOW_EXC_DROP_PACKET);
}

static void memcap_policy_follows_master_switch(void **state)
{
    (void)state;
    static const StubEntry e[] = {{"exception-policy", "pass-flow"}, {NULL, NULL}};
    g_entries = e;
    FlowConfig cfg;
    assert_int_equal(flow_config_load(&cfg, fake_conf()), VG_OK);
    assert_int_equal(cfg.memcap_policy, FLOW_EXC_PASS_FLOW);
}

static void memcap_policy_unknown_word_is_refused(void **state)
{
    (void)state;
    static const StubEntry e[] = {{"flow.memcap-policy", "drop-everything"}, {NULL, NULL}};
    g_entries = e;
    FlowConfig cfg;
    assert_int_equal(flow_config_load(&cfg, fake_conf()), VG_EINVAL);
}

static void zero_hash_size_is_refused(void **state)
{
    (void)state;
    static const StubEntry e[] = {{"flow.hash-size", "0"}, {NULL, NULL}};
    g_entries = e;
    FlowConfig cfg;
    assert_int_equal(flow_config_load(&cfg, fake_conf()), VG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(absent_keys_keep_defaults),
        cmocka_unit_test(keys_are_read),
        cmocka_unit_test(out_of_range_value_is_refused),
        cmocka_unit_test(negative_timeout_is_refused),
        cmocka_unit_test(malformed_value_is_refused),
        cmocka_unit_test(zero_hash_size_is_refused),
        cmocka_unit_test(memcap_policy_is_read),
        cmocka_unit_test(memcap_policy_follows_master_switch),
        cmocka_unit_test(memcap_policy_unknown_word_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
