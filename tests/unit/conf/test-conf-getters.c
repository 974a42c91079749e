/* Typed getters and parsers of src/conf/conf-getters.c. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "conf/conf-test-util.h"
#include "conf/conf.h"
#include "util/util-error.h"

/* Each test gets a conf loaded from this text, named "g.yaml". */
static const char *const g_yaml = "%YAML 1.1\n"
                                  "---\n"
                                  "flag-yes: yes\n"     // line 3
                                  "flag-bad: maybe\n"   // line 4
                                  "num: -42\n"          // line 5
                                  "num-bad: 12abc\n"    // line 6
                                  "num-big: 99999999999999999999\n"
                                  "flow:\n"
                                  "  memcap: abc\n"     // line 9
                                  "  hash-size: 64kb\n" // line 10
                                  "huge: 17179869184gb\n"
                                  "name: eve.json\n"
                                  "empty:\n"
                                  "quoted-empty: \"\"\n"
                                  "a-map: {x: 1}\n"
                                  "a-list: [1, 2]\n"
                                  "rules: rules\n"
                                  "abs: /etc/abs\n";

static int setup(void **state)
{
    Conf *conf = conf_new();
    if (conf == NULL || conf_load_string(conf, g_yaml, "dir/g.yaml") != 0) {
        conf_free(conf);
        return -1;
    }
    *state = conf;
    return 0;
}

static int teardown(void **state)
{
    conf_free(*state);
    return 0;
}

/* Run fn-style checks while capturing the log; the caller frees the result. */
#define CAPTURE(text, stmt)                                                                       \
    do {                                                                                          \
        LogCapture cap_;                                                                          \
        log_capture_begin(&cap_);                                                                 \
        stmt;                                                                                     \
        (text) = log_capture_end(&cap_);                                                          \
    } while (0)

/* ---- parsers ---- */

static void parse_bool_accepts_every_spelling_in_any_case(void **state)
{
    (void)state;
    const char *yes[] = {"yes", "YES", "true", "True", "on", "ON", "1"};
    const char *no[] = {"no", "No", "false", "FALSE", "off", "Off", "0"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        bool v = false;
        assert_true(conf_parse_bool(yes[i], &v));
        assert_true(v);
        v = true;
        assert_true(conf_parse_bool(no[i], &v));
        assert_false(v);
    }
}

static void parse_bool_rejects_other_words(void **state)
{
    (void)state;
    const char *bad[] = {"", "maybe", "yess", "y", "2", " yes", "yes ", "enable"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bool v = true;
        assert_false(conf_parse_bool(bad[i], &v));
        assert_true(v);
    }
    bool v;
    assert_false(conf_parse_bool(NULL, &v));
}

static void parse_int_accepts_decimal_and_limits(void **state)
{
    (void)state;
    int64_t v;
    assert_true(conf_parse_int("0", &v));
    assert_int_equal(v, 0);
    assert_true(conf_parse_int("-17", &v));
    assert_int_equal(v, -17);
    assert_true(conf_parse_int("9223372036854775807", &v));
    assert_true(v == INT64_MAX);
    assert_true(conf_parse_int("-9223372036854775808", &v));
    assert_true(v == INT64_MIN);
    assert_true(conf_parse_int("007", &v));
    assert_int_equal(v, 7);
}

static void parse_int_rejects_garbage_and_overflow(void **state)
{
    (void)state;
    const char *bad[] = {"", "-", "12a", "a12", " 1", "1 ", "+1", "1.5", "0x10", "--1",
                         "9223372036854775808", "-9223372036854775809",
                         "99999999999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t v = 5;
        assert_false(conf_parse_int(bad[i], &v));
        assert_int_equal(v, 5);
    }
}

static void parse_size_applies_every_unit(void **state)
{
    (void)state;
    const struct {
        const char *s;
        uint64_t v;
    } cases[] = {
        {"0", 0},
        {"5", 5},
        {"5b", 5},
        {"5B", 5},
        {"2k", 2048},
        {"2kb", 2048},
        {"2KiB", 2048},
        {"128mb", 128ull << 20},
        {"128 MB", 128ull << 20},
        {"3m", 3ull << 20},
        {"3mib", 3ull << 20},
        {"1gb", 1ull << 30},
        {"1G", 1ull << 30},
        {"4GiB", 4ull << 30},
        {"18446744073709551615", UINT64_MAX},
        {"17179869183gb", 17179869183ull << 30},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t v = 0;
        assert_true(conf_parse_size(cases[i].s, &v));
        assert_true(v == cases[i].v);
    }
}

static void parse_size_rejects_garbage_and_overflow(void **state)
{
    (void)state;
    const char *bad[] = {"", "abc", "mb", "-1mb", "1tb", "1.5mb", "1 m b", "1mbx", " 1mb",
                         "18446744073709551616", "17179869184gb", "16777216tb"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t v = 9;
        assert_false(conf_parse_size(bad[i], &v));
        assert_true(v == 9);
    }
    uint64_t v;
    assert_false(conf_parse_size(NULL, &v));
}

/* ---- getters ---- */

static void get_bool_reads_a_good_value(void **state)
{
    bool v = false;
    assert_true(conf_get_bool(*state, "flag-yes", &v));
    assert_true(v);
}

static void get_bool_logs_file_line_key_for_a_bad_value(void **state)
{
    bool v = true;
    bool ok;
    char *log;
    CAPTURE(log, ok = conf_get_bool(*state, "flag-bad", &v));
    assert_false(ok);
    assert_true(v);
    assert_non_null(strstr(log, "dir/g.yaml:4: flag-bad: 'maybe' is not a boolean"));
    free(log);
}

static void get_absent_leaves_out_untouched(void **state)
{
    bool b = true;
    int64_t i = 3;
    uint64_t s = 4;
    const char *str = "x";
    assert_false(conf_get_bool(*state, "no.such", &b));
    assert_false(conf_get_int(*state, "no.such", &i));
    assert_false(conf_get_size(*state, "no.such", &s));
    assert_false(conf_get_str(*state, "no.such", &str));
    assert_true(b);
    assert_int_equal(i, 3);
    assert_true(s == 4);
    assert_string_equal(str, "x");
}

static void get_int_reads_a_negative_value(void **state)
{
    int64_t v = 0;
    assert_true(conf_get_int(*state, "num", &v));
    assert_int_equal(v, -42);
}

static void get_int_logs_trailing_garbage(void **state)
{
    int64_t v = 1;
    bool ok;
    char *log;
    CAPTURE(log, ok = conf_get_int(*state, "num-bad", &v));
    assert_false(ok);
    assert_int_equal(v, 1);
    assert_non_null(strstr(log, "dir/g.yaml:6: num-bad: '12abc' is not an integer"));
    free(log);
}

static void get_int_logs_overflow(void **state)
{
    bool ok;
    int64_t v;
    char *log;
    CAPTURE(log, ok = conf_get_int(*state, "num-big", &v));
    assert_false(ok);
    assert_non_null(strstr(log, "num-big: '99999999999999999999' is out of range"));
    free(log);
}

static void get_size_reads_a_unit(void **state)
{
    uint64_t v = 0;
    assert_true(conf_get_size(*state, "flow.hash-size", &v));
    assert_true(v == 65536);
}

static void get_size_logs_file_line_key_for_a_bad_value(void **state)
{
    uint64_t v = 7;
    bool ok;
    char *log;
    CAPTURE(log, ok = conf_get_size(*state, "flow.memcap", &v));
    assert_false(ok);
    assert_true(v == 7);
    assert_non_null(strstr(log, "dir/g.yaml:9: flow.memcap: 'abc' is not a size"));
    free(log);
}

static void get_size_logs_overflow(void **state)
{
    bool ok;
    uint64_t v;
    char *log;
    CAPTURE(log, ok = conf_get_size(*state, "huge", &v));
    assert_false(ok);
    assert_non_null(strstr(log, "huge: '17179869184gb' is too large"));
    free(log);
}

static void get_str_reads_a_value(void **state)
{
    const char *v = NULL;
    assert_true(conf_get_str(*state, "name", &v));
    assert_string_equal(v, "eve.json");
}

static void get_str_treats_null_as_absent_and_quoted_empty_as_value(void **state)
{
    const char *v = "dflt";
    assert_false(conf_get_str(*state, "empty", &v));
    assert_string_equal(v, "dflt");
    assert_true(conf_get_str(*state, "quoted-empty", &v));
    assert_string_equal(v, "");
}

static void get_on_a_map_or_list_logs_and_fails(void **state)
{
    const char *s = NULL;
    int64_t i = 0;
    bool ok_map;
    bool ok_list;
    char *log;
    CAPTURE(log, ok_map = conf_get_str(*state, "a-map", &s);
            ok_list = conf_get_int(*state, "a-list", &i));
    assert_false(ok_map);
    assert_false(ok_list);
    assert_non_null(strstr(log, "a-map: expected a single value, found a mapping"));
    assert_non_null(strstr(log, "a-list: expected a single value, found a list"));
    free(log);
}

static void get_reads_list_items_by_index(void **state)
{
    int64_t v = 0;
    assert_true(conf_get_int(*state, "a-list.1", &v));
    assert_int_equal(v, 2);
    assert_true(conf_get_int(*state, "a-map.x", &v));
    assert_int_equal(v, 1);
}

/* ---- _or variants ---- */

static void or_variants_return_default_when_absent(void **state)
{
    bool bad = false;
    assert_string_equal(conf_str_or(*state, "nope", "d"), "d");
    assert_true(conf_bool_or(*state, "nope", true, &bad));
    assert_int_equal(conf_int_or(*state, "nope", 11, &bad), 11);
    assert_true(conf_size_or(*state, "nope", 12, &bad) == 12);
    assert_false(bad);
}

static void or_variants_return_value_when_good(void **state)
{
    bool bad = false;
    assert_string_equal(conf_str_or(*state, "name", "d"), "eve.json");
    assert_true(conf_bool_or(*state, "flag-yes", false, &bad));
    assert_int_equal(conf_int_or(*state, "num", 0, &bad), -42);
    assert_true(conf_size_or(*state, "flow.hash-size", 0, &bad) == 65536);
    assert_false(bad);
}

static void or_variants_flag_bad_and_keep_it_set(void **state)
{
    bool bad = false;
    char *log;
    int64_t i;
    uint64_t s;
    CAPTURE(log, i = conf_int_or(*state, "num-bad", 8, &bad));
    free(log);
    assert_int_equal(i, 8);
    assert_true(bad);
    CAPTURE(log, s = conf_size_or(*state, "flow.memcap", 9, NULL));
    free(log);
    assert_true(s == 9);
    assert_int_equal(conf_int_or(*state, "num", 0, &bad), -42);
    assert_true(bad); // never cleared by a later good read
    bool b;
    bad = false;
    CAPTURE(log, b = conf_bool_or(*state, "flag-bad", true, &bad));
    free(log);
    assert_true(b);
    assert_true(bad);
}

/* ---- paths and variables ---- */

static void get_path_resolves_against_the_file_directory(void **state)
{
    char buf[64];
    assert_true(conf_get_path(*state, "rules", buf, sizeof(buf)));
    assert_string_equal(buf, "dir/rules");
    assert_true(conf_get_path(*state, "abs", buf, sizeof(buf)));
    assert_string_equal(buf, "/etc/abs");
    assert_false(conf_get_path(*state, "nope", buf, sizeof(buf)));
}

static void get_path_keeps_set_values_as_given(void **state)
{
    char buf[64];
    assert_int_equal(conf_set_override(*state, "rules=my/rules"), 0);
    assert_true(conf_get_path(*state, "rules", buf, sizeof(buf)));
    assert_string_equal(buf, "my/rules");
}

static void get_path_refuses_a_short_buffer(void **state)
{
    char buf[5];
    char *log;
    bool ok;
    CAPTURE(log, ok = conf_get_path(*state, "rules", buf, sizeof(buf)));
    free(log);
    assert_false(ok);
    assert_string_equal(buf, "");
}

static void vars_accept_names_with_or_without_dollar(void **state)
{
    assert_string_equal(conf_address_var(*state, "HOME_NET"),
                        "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]");
    assert_string_equal(conf_address_var(*state, "$EXTERNAL_NET"), "!$HOME_NET");
    assert_string_equal(conf_port_var(*state, "$HTTP_PORTS"), "80");
    assert_string_equal(conf_port_var(*state, "FILE_DATA_PORTS"), "[$HTTP_PORTS,110,143]");
    assert_null(conf_address_var(*state, "NOPE_NET"));
    assert_null(conf_port_var(*state, "HOME_NET"));
    assert_null(conf_address_var(*state, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_bool_accepts_every_spelling_in_any_case),
        cmocka_unit_test(parse_bool_rejects_other_words),
        cmocka_unit_test(parse_int_accepts_decimal_and_limits),
        cmocka_unit_test(parse_int_rejects_garbage_and_overflow),
        cmocka_unit_test(parse_size_applies_every_unit),
        cmocka_unit_test(parse_size_rejects_garbage_and_overflow),
        cmocka_unit_test_setup_teardown(get_bool_reads_a_good_value, setup, teardown),
        cmocka_unit_test_setup_teardown(get_bool_logs_file_line_key_for_a_bad_value, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(get_absent_leaves_out_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(get_int_reads_a_negative_value, setup, teardown),
        cmocka_unit_test_setup_teardown(get_int_logs_trailing_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(get_int_logs_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(get_size_reads_a_unit, setup, teardown),
        cmocka_unit_test_setup_teardown(get_size_logs_file_line_key_for_a_bad_value, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(get_size_logs_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(get_str_reads_a_value, setup, teardown),
        cmocka_unit_test_setup_teardown(get_str_treats_null_as_absent_and_quoted_empty_as_value,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(get_on_a_map_or_list_logs_and_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(get_reads_list_items_by_index, setup, teardown),
        cmocka_unit_test_setup_teardown(or_variants_return_default_when_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(or_variants_return_value_when_good, setup, teardown),
        cmocka_unit_test_setup_teardown(or_variants_flag_bad_and_keep_it_set, setup, teardown),
        cmocka_unit_test_setup_teardown(get_path_resolves_against_the_file_directory, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(get_path_keeps_set_values_as_given, setup, teardown),
        cmocka_unit_test_setup_teardown(get_path_refuses_a_short_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(vars_accept_names_with_or_without_dollar, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
