/* Header keywords: integer modes, prefilter, and the other per-packet
 * checks (each test shows a matching and a non-matching packet). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect-test.h"

#define R(opts) "alert ip any any -> any any (" opts " sid:1;)"

/* One rule against a TCP packet whose TTL is ttl. */
static int ttl_match(const char *rule, uint8_t ttl)
{
    DetectEngine *de = test_engine(rule, NULL);
    if (de == NULL || de->loaded != 1) {
        detect_engine_free(de);
        return -1;
    }
    Packet p = { 0 };
    test_tcp(&p, "x", 1);
    p.ip4.ttl = ttl;
    int n = test_run(de, &p);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    return n;
}

static void uint_not_equal_forms(void **state)
{
    (void)state;
    assert_int_equal(ttl_match(R("ttl:!= 64;"), 64), 0);
    assert_int_equal(ttl_match(R("ttl:!= 64;"), 63), 1);
    assert_int_equal(ttl_match(R("ttl:!64;"), 64), 0);
    assert_int_equal(ttl_match(R("ttl: <= 64;"), 64), 1);
    assert_int_equal(ttl_match(R("ttl: >= 65;"), 64), 0);
}

static void uint_ranges_are_exclusive(void **state)
{
    (void)state;
    assert_int_equal(ttl_match(R("ttl:63-65;"), 64), 1);
    assert_int_equal(ttl_match(R("ttl:64-65;"), 64), 0);
    assert_int_equal(ttl_match(R("ttl:63<>64;"), 64), 0);
    assert_int_equal(ttl_match(R("ttl:!63-65;"), 64), 0);
    assert_int_equal(ttl_match(R("ttl:!64-66;"), 64), 1);
}

static void uint_bitmask(void **state)
{
    (void)state;
    assert_int_equal(ttl_match(R("ttl:&0xc0=0x40;"), 0x41), 1);
    assert_int_equal(ttl_match(R("ttl:&0xc0=0x40;"), 0x81), 0);
    assert_int_equal(ttl_match(R("ttl:&0xc0!=0;"), 0x01), 0);
}

static void uint_garbage_refused(void **state)
{
    (void)state;
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(test_parse(R("ttl:;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("ttl:5-3;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("ttl:&0xc0;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("ttl:256;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("ttl:>x;"), err, sizeof(err)), 0);
}

static void prefilter_is_accepted_after_a_keyword(void **state)
{
    (void)state;
    char err[DETECT_ERR_MAX];
    assert_int_equal(ttl_match(R("ttl:64; prefilter;"), 64), 1);
    assert_int_equal(ttl_match(R("ttl:64; prefilter;"), 65), 0);
    assert_int_not_equal(test_parse(R("prefilter;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("ttl:64; prefilter:1;"), err, sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uint_not_equal_forms),
        cmocka_unit_test(uint_ranges_are_exclusive),
        cmocka_unit_test(uint_bitmask),
        cmocka_unit_test(uint_garbage_refused),
        cmocka_unit_test(prefilter_is_accepted_after_a_keyword),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
