/* Address sets of rule headers (detect-addr.c): detect_addr_parse_memo gives for a text
 * the same set as detect_addr_parse, the first time and every time after, also once the
 * memo is full and replaces entries, and refuses what detect_addr_parse refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "detect-test.h"

static void expect_same_set(const DetectAddrSet *a, const DetectAddrSet *b)
{
    assert_int_equal(a->is_any, b->is_any);
    assert_int_equal(a->v4.n, b->v4.n);
    assert_int_equal(a->v6.n, b->v6.n);
    if (a->v4.n > 0) {
        assert_memory_equal(a->v4.r, b->v4.r, a->v4.n * sizeof(DetectRange));
    }
    if (a->v6.n > 0) {
        assert_memory_equal(a->v6.r, b->v6.r, a->v6.n * sizeof(DetectRange));
    }
}

/* text parsed through the memo equals text parsed alone */
static void check(DetectVars *v, DetectAddrMemo **memo, const char *text)
{
    char err[256];
    DetectAddrSet want;
    DetectAddrSet got;
    assert_int_equal(detect_addr_parse(&want, text, detect_vars_lookup, v, err, sizeof(err)), 0);
    assert_int_equal(
        detect_addr_parse_memo(memo, &got, text, detect_vars_lookup, v, err, sizeof(err)), 0);
    expect_same_set(&want, &got);
    detect_addr_free(&want);
    detect_addr_free(&got);
}

static void memo_gives_what_parsing_gives_every_time(void **state)
{
    (void)state;
    DetectVars v = { 0 };
    assert_int_equal(detect_vars_set(&v, "HOME_NET", "[10.0.0.0/8,192.168.0.0/16,fd00::/8]",
                                     false), 0);
    assert_int_equal(detect_vars_set(&v, "EXTERNAL_NET", "!$HOME_NET", false), 0);
    DetectAddrMemo *memo = NULL;
    static const char *const texts[] = { "$HOME_NET", "$EXTERNAL_NET", "any",
                                         "[1.2.3.4,!$HOME_NET]", "2001:db8::/32" };
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
            check(&v, &memo, texts[i]);
        }
    }
    detect_addr_memo_free(memo);
    detect_vars_free(&v);
}

static void memo_stays_right_when_full(void **state)
{
    (void)state;
    DetectVars v = { 0 };
    assert_int_equal(detect_vars_set(&v, "NET", "172.16.0.0/12", false), 0);
    DetectAddrMemo *memo = NULL;
    char text[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 150; i++) {   // more texts than the memo holds
            snprintf(text, sizeof(text), "[10.%d.0.0/16,192.0.2.%d,!$NET]", i, i);
            check(&v, &memo, text);
            check(&v, &memo, "[192.0.2.1,10.0.0.0/8]");   // no variable: parsed each time
        }
    }
    detect_addr_memo_free(memo);
    detect_vars_free(&v);
}

static void memo_refuses_what_parsing_refuses(void **state)
{
    (void)state;
    DetectVars v = { 0 };
    DetectAddrMemo *memo = NULL;
    char err[256] = "";
    DetectAddrSet got;
    for (int round = 0; round < 2; round++) {
        assert_int_not_equal(detect_addr_parse_memo(&memo, &got, "[1.2.3.4,!1.2.3.4]",
                                                    detect_vars_lookup, &v, err, sizeof(err)),
                             0);
        assert_non_null(strstr(err, "matches nothing"));
        assert_int_not_equal(detect_addr_parse_memo(&memo, &got, "$NOPE", detect_vars_lookup,
                                                    &v, err, sizeof(err)),
                             0);
    }
    detect_addr_memo_free(memo);
    detect_vars_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memo_gives_what_parsing_gives_every_time),
        cmocka_unit_test(memo_stays_right_when_full),
        cmocka_unit_test(memo_refuses_what_parsing_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
