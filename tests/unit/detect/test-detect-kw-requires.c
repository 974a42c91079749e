/* The `requires` rule option (keywords/detect-kw-requires.c): version comparisons and
 * alternatives against the version Vigil follows (8.0.7), features, keywords, unknown
 * requirements (unmet), malformed values (errors), and rules skipped before the rest of
 * them is read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "detect-test.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

static int req(const char *val)
{
    char why[256] = "";
    int r = detect_requires_eval(val, strlen(val), why, sizeof(why));
    if (r == 0) {
        assert_non_null(strstr(why, "missing a required"));
    }
    return r;
}

static void versions_compare_with_missing_parts_as_zero(void **state)
{
    (void)state;
    assert_int_equal(req("version >= 7"), 1);
    assert_int_equal(req("version >= 8.0.7"), 1);
    assert_int_equal(req("version > 8.0.7"), 0);
    assert_int_equal(req("version >= 8.0.8"), 0);
    assert_int_equal(req("version < 8"), 0);
    assert_int_equal(req("version <= 8.0.7"), 1);
    assert_int_equal(req("version = 8.0.7"), 1);
    assert_int_equal(req("version >= 7 < 8"), 0);
    assert_int_equal(req("version >= 8 < 9"), 1);
    assert_int_equal(req("version >= 10"), 0);
}

static void version_alternatives_need_one(void **state)
{
    (void)state;
    assert_int_equal(req("version >= 7.0.3 < 8 | >= 8.0.3"), 1);
    assert_int_equal(req("version >= 7.0.3 < 8 | >= 9.0.99"), 0);
}

static void every_requirement_must_hold(void **state)
{
    (void)state;
    assert_int_equal(req("version >= 8.0.0, keyword sid"), 1);
    assert_int_equal(req("version >= 8, keyword foobar"), 0);
    assert_int_equal(req("keyword tls.sni"), 1);
    assert_int_equal(req("feature ja4"), 1);
    assert_int_equal(req("feature ja4, feature geoip"), 0);
    assert_int_equal(req("foo bar"), 0);  // unknown: unmet, not an error
}

static void malformed_values_are_errors(void **state)
{
    (void)state;
    assert_int_equal(req("version"), VG_EINVAL);
    assert_int_equal(req("version 8"), VG_EINVAL);
    assert_int_equal(req("version >= x"), VG_EINVAL);
    assert_int_equal(req("version >= 8 |"), VG_EINVAL);
    assert_int_equal(req("version >=> 8"), VG_EINVAL);
    assert_int_equal(req(""), VG_EINVAL);
    assert_int_equal(req(","), VG_EINVAL);
}

/* rc of detect_parse_rule, 2 for "skipped" (0 and no signature). */
static int parse(const char *rule)
{
    DetectEngine *de = detect_engine_new_empty();
    Signature *s = NULL;
    char err[256] = "";
    int rc = detect_parse_rule(de, rule, "t.rules", 1, &s, err, sizeof(err));
    int res = rc != 0 ? rc : (s == NULL ? 2 : 0);
    detect_sig_free(s);
    detect_engine_free(de);
    return res;
}

static void unmet_rules_are_skipped_before_parsing(void **state)
{
    (void)state;
    assert_int_equal(parse("alert vxlan any any -> any any (requires: version >= 10; sid:1;)"),
                     2);
    assert_int_equal(parse("alert udp any any -> any any (nosuch:1; requires: version >= 10; "
                           "sid:2;)"), 2);
    assert_int_equal(parse("alert tcp any any -> any any (content:\"a\\;b\"; "
                           "requires: keyword nosuch; sid:3;)"), 2);
    assert_int_equal(parse("alert tcp any any -> any any (requires: version >= 8; sid:4;)"), 0);
    assert_int_equal(parse("alert tcp any any -> any any (requires: version >> 8; sid:5;)"),
                     VG_EINVAL);
    assert_int_equal(parse("alert tcp any any -> any any (msg:\"requires: version >= 10\"; "
                           "sid:6;)"), 0);
}

static void engine_counts_skipped_rules_apart(void **state)
{
    (void)state;
    int failed = -1;
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (requires: foo bar; sid:1;)\n"
        "alert tcp any any -> any any (requires: version >= 7; content:\"x\"; sid:2;)\n"
        "alert tcp any any -> any any (requires: version >= 7 <; sid:3;)\n", &failed);
    assert_non_null(de);
    uint32_t loaded = 0;
    uint32_t nfailed = 0;
    detect_engine_stats(de, &loaded, &nfailed);
    assert_int_equal(loaded, 1);
    assert_int_equal(nfailed, 1);
    assert_int_equal(detect_engine_skipped(de), 1);
    detect_engine_free(de);
}

static int setup(void **state)
{
    (void)state;
    return app_layer_init(NULL);
}

static int teardown(void **state)
{
    (void)state;
    app_layer_deinit();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(versions_compare_with_missing_parts_as_zero),
        cmocka_unit_test(version_alternatives_need_one),
        cmocka_unit_test(every_requirement_must_hold),
        cmocka_unit_test(malformed_values_are_errors),
        cmocka_unit_test(unmet_rules_are_skipped_before_parsing),
        cmocka_unit_test(engine_counts_skipped_rules_apart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
