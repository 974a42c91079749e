/* Option tables of src/conf/conf-options.c. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "conf/conf-test-util.h"
#include "conf/conf.h"
#include "util/util-error.h"

typedef struct FlowLikeConfig {
    uint64_t memcap_bytes;
    int64_t hash_size;
    int64_t prealloc;
    bool is_enabled;
    const char *name;
} FlowLikeConfig;

static const ConfOption flow_like_options[] = {
    {.name = "memcap", .type = CONF_OPT_SIZE, .offset = offsetof(FlowLikeConfig, memcap_bytes),
     .dflt = "32mb", .min = 1024, .max = INT64_MAX},
    {.name = "hash-size", .type = CONF_OPT_INT, .offset = offsetof(FlowLikeConfig, hash_size),
     .dflt = "65536", .min = 1, .max = 1 << 24},
    {.name = "prealloc", .type = CONF_OPT_INT, .offset = offsetof(FlowLikeConfig, prealloc),
     .dflt = "10000"},
    {.name = "enabled", .type = CONF_OPT_BOOL, .offset = offsetof(FlowLikeConfig, is_enabled),
     .dflt = "yes"},
    {.name = "name", .type = CONF_OPT_STR, .offset = offsetof(FlowLikeConfig, name),
     .dflt = "flow"},
};

#define N_OPTS (sizeof(flow_like_options) / sizeof(flow_like_options[0]))

static int setup(void **state)
{
    *state = conf_new();
    return *state == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    conf_free(*state);
    return 0;
}

static void options_take_defaults_when_absent(void **state)
{
    FlowLikeConfig c = {0};
    assert_int_equal(conf_load_options(*state, "flow", flow_like_options, N_OPTS, &c), 0);
    assert_true(c.memcap_bytes == 32ull << 20);
    assert_int_equal(c.hash_size, 65536);
    assert_int_equal(c.prealloc, 10000);
    assert_true(c.is_enabled);
    assert_string_equal(c.name, "flow");
}

static void options_read_values_below_the_prefix(void **state)
{
    assert_int_equal(conf_load_string(*state,
                                      "flow:\n  memcap: 1gb\n  hash-size: 1024\n  prealloc: -1\n"
                                      "  enabled: no\n  name: mine\n",
                                      "o.yaml"),
                     0);
    FlowLikeConfig c = {0};
    assert_int_equal(conf_load_options(*state, "flow", flow_like_options, N_OPTS, &c), 0);
    assert_true(c.memcap_bytes == 1ull << 30);
    assert_int_equal(c.hash_size, 1024);
    assert_int_equal(c.prealloc, -1);
    assert_false(c.is_enabled);
    assert_string_equal(c.name, "mine");
}

static void options_without_prefix_read_from_the_root(void **state)
{
    assert_int_equal(conf_set_override(*state, "hash-size=7"), 0);
    FlowLikeConfig c = {0};
    assert_int_equal(conf_load_options(*state, NULL, flow_like_options, N_OPTS, &c), 0);
    assert_int_equal(c.hash_size, 7);
}

static void bad_options_are_all_reported_and_keep_defaults(void **state)
{
    assert_int_equal(conf_load_string(*state,
                                      "flow:\n  memcap: 10\n  hash-size: 0\n  enabled: maybe\n"
                                      "  name: [a]\n  prealloc: 5\n",
                                      "bad.yaml"),
                     0);
    FlowLikeConfig c = {0};
    LogCapture cap;
    log_capture_begin(&cap);
    int rc = conf_load_options(*state, "flow", flow_like_options, N_OPTS, &c);
    char *log = log_capture_end(&cap);
    assert_int_equal(rc, VG_EINVAL);
    assert_non_null(strstr(log, "bad.yaml:2: flow.memcap: '10' is out of range (1024 to "));
    assert_non_null(strstr(log, "bad.yaml:3: flow.hash-size: '0' is out of range (1 to 16777216)"));
    assert_non_null(strstr(log, "bad.yaml:4: flow.enabled: 'maybe' is not a boolean"));
    assert_non_null(strstr(log, "bad.yaml:5: flow.name: expected a single value, found a list"));
    free(log);
    assert_true(c.memcap_bytes == 32ull << 20);
    assert_int_equal(c.hash_size, 65536);
    assert_true(c.is_enabled);
    assert_string_equal(c.name, "flow");
    assert_int_equal(c.prealloc, 5); // good ones still load
}

static void a_wrong_builtin_default_is_reported(void **state)
{
    static const ConfOption wrong[] = {
        {.name = "x", .type = CONF_OPT_INT, .offset = 0, .dflt = "ten"},
    };
    int64_t x = 3;
    LogCapture cap;
    log_capture_begin(&cap);
    int rc = conf_load_options(*state, "m", wrong, 1, &x);
    char *log = log_capture_end(&cap);
    assert_int_equal(rc, VG_EINVAL);
    assert_non_null(strstr(log, "m.x: the built-in default is wrong"));
    assert_int_equal(x, 3);
    free(log);
}

static void a_null_default_leaves_the_field_alone(void **state)
{
    static const ConfOption opt[] = {
        {.name = "s", .type = CONF_OPT_STR, .offset = 0},
    };
    const char *s = "keep";
    assert_int_equal(conf_load_options(*state, "m", opt, 1, &s), 0);
    assert_string_equal(s, "keep");
}

static void an_enum_takes_only_its_choices(void **state)
{
    static const ConfOption opt[] = {
        {.name = "clock", .type = CONF_OPT_ENUM, .offset = 0, .dflt = "wall",
         .choices = "wall|packet"},
    };
    const char *s = NULL;
    assert_int_equal(conf_load_options(*state, "stats", opt, 1, &s), 0);
    assert_string_equal(s, "wall");
    assert_int_equal(conf_load_string(*state, "stats:\n  clock: packet\n", "e.yaml"), 0);
    assert_int_equal(conf_load_options(*state, "stats", opt, 1, &s), 0);
    assert_string_equal(s, "packet");
    assert_int_equal(conf_load_string(*state, "stats:\n  clock: pack\n", "e.yaml"), 0);
    LogCapture cap;
    log_capture_begin(&cap);
    int rc = conf_load_options(*state, "stats", opt, 1, &s);
    char *log = log_capture_end(&cap);
    assert_int_equal(rc, VG_EINVAL);
    assert_non_null(strstr(log, "e.yaml:2: stats.clock: 'pack' is not one of wall|packet"));
    assert_string_equal(s, "wall");
    free(log);
}

static void schema_only_types_cannot_be_loaded_into_a_field(void **state)
{
    static const ConfOption opt[] = {
        {.name = "ports", .type = CONF_OPT_PORT, .offset = 0, .dflt = "4789"},
    };
    uint64_t x = 0;
    LogCapture cap;
    log_capture_begin(&cap);
    int rc = conf_load_options(*state, "m", opt, 1, &x);
    free(log_capture_end(&cap));
    assert_int_equal(rc, VG_EINVAL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(options_take_defaults_when_absent),
        T(options_read_values_below_the_prefix),
        T(options_without_prefix_read_from_the_root),
        T(bad_options_are_all_reported_and_keep_defaults),
        T(a_wrong_builtin_default_is_reported),
        T(a_null_default_leaves_the_field_alone),
        T(an_enum_takes_only_its_choices),
        T(schema_only_types_cannot_be_loaded_into_a_field),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
