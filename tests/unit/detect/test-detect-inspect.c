/* Payload inspection: content chains, modifiers, pcre, byte_*, isdataat, dsize,
 * including Suricata's documented edge cases. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect-test.h"

#define R(opts) "alert tcp any any -> any any (" opts " sid:1;)"

static int m(const char *rule, const char *payload)
{
    return test_match_tcp(rule, payload, (uint32_t)strlen(payload));
}

static void content_plain_and_hex(void **state)
{
    (void)state;
    assert_int_equal(m(R("content:\"abc\";"), "xxabcxx"), 1);
    assert_int_equal(m(R("content:\"abd\";"), "xxabcxx"), 0);
    assert_int_equal(m(R("content:\"a|62 63|d\";"), "abcd"), 1);
    assert_int_equal(test_match_tcp(R("content:\"|00 01|\";"), "\x05\x00\x01", 3), 1);
}

static void content_nocase(void **state)
{
    (void)state;
    assert_int_equal(m(R("content:\"ABC\";"), "xabcx"), 0);
    assert_int_equal(m(R("content:\"ABC\"; nocase;"), "xabcx"), 1);
}

/* nocase patterns with a byte that is no letter (found through that byte) and without */
static void content_nocase_with_and_without_other_bytes(void **state)
{
    (void)state;
    assert_int_equal(m(R("content:\".LeNgth\"; nocase;"), "x.lengtH.length"), 1);
    assert_int_equal(m(R("content:\".LeNgth\"; nocase;"), "x,length.lengt"), 0);
    assert_int_equal(m(R("content:\"ab1\"; nocase;"), "AB1"), 1);
    assert_int_equal(m(R("content:\"ab1\"; nocase;"), "1ab"), 0);
    assert_int_equal(m(R("content:\"x|00|Y\"; nocase;"), "..X\x01y.X"), 0);
    assert_int_equal(test_match_tcp(R("content:\"x|00|Y\"; nocase;"), "..X\0y", 5), 1);
    /* the anchor byte near the window's edges */
    assert_int_equal(m(R("content:\"-ab\"; nocase; offset:1; depth:3;"), "x-AB"), 1);
    assert_int_equal(m(R("content:\"-ab\"; nocase; offset:1; depth:3;"), "-ABx"), 0);
    assert_int_equal(m(R("content:\"ab-\"; nocase; depth:3;"), "AB-"), 1);
    assert_int_equal(m(R("content:\"ab-\"; nocase; depth:3;"), "xAB-"), 0);
    /* distance: the first occurrence after the previous match, which retries use */
    assert_int_equal(m(R("content:\"q\"; content:\"=Z\"; nocase; distance:0; within:3;"),
                       "q....=zq=Z"), 1);
    assert_int_equal(m(R("content:\"q\"; content:\"=Z\"; nocase; distance:0; within:2;"),
                       "q....=zq.=z"), 0);
    /* letters only (no anchor) */
    assert_int_equal(m(R("content:\"LeNgth\"; nocase;"), "xxLENGTH"), 1);
    assert_int_equal(m(R("content:\"LeNgth\"; nocase;"), "xxLENGT"), 0);
}

static void content_negated(void **state)
{
    (void)state;
    assert_int_equal(m(R("content:\"a\"; content:!\"evil\";"), "a good"), 1);
    assert_int_equal(m(R("content:\"a\"; content:!\"evil\";"), "a evil"), 0);
}

static void content_offset_depth(void **state)
{
    (void)state;
    assert_int_equal(m(R("content:\"cd\"; offset:2; depth:2;"), "abcdef"), 1);
    assert_int_equal(m(R("content:\"cd\"; offset:3;"), "abcdef"), 0);
    assert_int_equal(m(R("content:\"cd\"; depth:3;"), "abcdef"), 0);
}

static void content_distance_within_relative_to_previous(void **state)
{
    (void)state;
    assert_int_equal(m(R("content:\"ab\"; content:\"ef\"; distance:2; within:2;"), "abcdef"), 1);
    assert_int_equal(m(R("content:\"ab\"; content:\"ef\"; distance:3;"), "abcdef"), 0);
    assert_int_equal(m(R("content:\"ab\"; content:\"ef\"; within:3;"), "abcdef"), 0);
    assert_int_equal(m(R("content:\"cd\"; content:\"ab\"; distance:-4; within:2;"), "abcdef"), 1);
}

static void content_chain_retries_later_occurrence(void **state)
{
    (void)state;
    /* The first "a" is followed by "x"; only the second one has "b" right after it. */
    assert_int_equal(m(R("content:\"a\"; content:\"b\"; distance:0; within:1;"), "axab"), 1);
    assert_int_equal(m(R("content:\"a\"; content:\"b\"; distance:0; within:1;"), "axax"), 0);
    /* Negated relative content also makes the previous match retry. */
    assert_int_equal(m(R("content:\"a\"; content:!\"x\"; within:1;"), "axay"), 1);
}

static void content_startswith_endswith(void **state)
{
    (void)state;
    assert_int_equal(m(R("content:\"GET\"; startswith;"), "GET /"), 1);
    assert_int_equal(m(R("content:\"GET\"; startswith;"), " GET /"), 0);
    assert_int_equal(m(R("content:\"end\"; endswith;"), "the end"), 1);
    assert_int_equal(m(R("content:\"end\"; endswith;"), "end the"), 0);
}

static void content_fast_pattern_forms_still_match(void **state)
{
    (void)state;
    assert_int_equal(m(R("content:\"abc\"; fast_pattern:only;"), "zabc"), 1);
    assert_int_equal(m(R("content:\"abcdef\"; fast_pattern:2,3; content:\"z\";"), "abcdefz"), 1);
    assert_int_equal(m(R("content:\"abcdef\"; fast_pattern:2,3;"), "cde"), 0);
}

static void content_needs_payload(void **state)
{
    (void)state;
    assert_int_equal(test_match_tcp(R("content:!\"a\";"), "", 0), 0);
}

static void isdataat_absolute_relative_negated(void **state)
{
    (void)state;
    assert_int_equal(m(R("content:\"a\"; isdataat:3;"), "abcd"), 1);
    assert_int_equal(m(R("content:\"a\"; isdataat:4;"), "abcd"), 0);
    assert_int_equal(m(R("content:\"a\"; isdataat:3,relative;"), "abcd"), 1);
    assert_int_equal(m(R("content:\"a\"; isdataat:4,relative;"), "abcd"), 0);
    assert_int_equal(m(R("content:\"d\"; isdataat:!1,relative;"), "abcd"), 1);
}

static void dsize_operators(void **state)
{
    (void)state;
    assert_int_equal(m(R("dsize:4;"), "abcd"), 1);
    assert_int_equal(m(R("dsize:>3;"), "abcd"), 1);
    assert_int_equal(m(R("dsize:<4;"), "abcd"), 0);
    assert_int_equal(m(R("dsize:2<>5;"), "abcd"), 1);
    assert_int_equal(m(R("dsize:4<>5;"), "abcd"), 0);
    assert_int_equal(m(R("dsize:!4;"), "abcd"), 0);
}

static void pcre_flags_and_negation(void **state)
{
    (void)state;
    assert_int_equal(m(R("pcre:\"/a[0-9]+b/\";"), "xa123b"), 1);
    assert_int_equal(m(R("pcre:\"/A[0-9]+B/i\";"), "xa123b"), 1);
    assert_int_equal(m(R("pcre:\"/^xa/\";"), "yxa"), 0);
    assert_int_equal(m(R("pcre:!\"/evil/\";"), "good"), 1);
    assert_int_equal(m(R("pcre:!\"/evil/\";"), "evil"), 0);
}

static void pcre_relative_starts_after_previous_match(void **state)
{
    (void)state;
    assert_int_equal(m(R("content:\"key=\"; pcre:\"/^[0-9]+/R\";"), "key=123"), 1);
    assert_int_equal(m(R("content:\"key=\"; pcre:\"/^[0-9]+/R\";"), "key=x123"), 0);
    /* retry: second "key=" is followed by digits */
    assert_int_equal(m(R("content:\"key=\"; pcre:\"/^[0-9]+/R\";"), "key=x key=9"), 1);
}

static void byte_test_operators_and_endianness(void **state)
{
    (void)state;
    static const char p[] = "\x01\x02xyz";
    assert_int_equal(test_match_tcp(R("byte_test:2,=,258,0;"), p, 5), 1);
    assert_int_equal(test_match_tcp(R("byte_test:2,=,513,0,little;"), p, 5), 1);
    assert_int_equal(test_match_tcp(R("byte_test:2,>,300,0;"), p, 5), 0);
    assert_int_equal(test_match_tcp(R("byte_test:2,!=,258,0;"), p, 5), 0);
    assert_int_equal(test_match_tcp(R("byte_test:1,&,2,1;"), p, 5), 1);
    assert_int_equal(test_match_tcp(R("byte_test:2,=,1,4;"), p, 5), 0);  // out of bounds
    assert_int_equal(m(R("byte_test:3,=,123,1,string,dec;"), "x123"), 1);
    assert_int_equal(m(R("byte_test:2,=,255,0,string,hex;"), "ff"), 1);
    assert_int_equal(test_match_tcp(R("byte_test:1,=,1,0,bitmask 0xf0;"), "\x1f", 1), 1);
}

/* byte_test 0,...,string reads every digit from the offset (ET Open tests
 * http.content_len so). */
static void byte_test_zero_string_reads_all_digits(void **state)
{
    (void)state;
    assert_int_equal(m(R("content:\"len=\"; byte_test:0,=,1234,0,relative,string,dec;"),
                       "len=1234;"), 1);
    assert_int_equal(m(R("content:\"len=\"; byte_test:0,=,123,0,relative,string,dec;"),
                       "len=1234;"), 0);
    assert_int_equal(m(R("content:\"len=\"; byte_test:0,=,0,0,relative,string,dec;"),
                       "len=x"), 0);   // no digit: no number
    assert_int_equal(m(R("byte_test:0,>,5,0,string,hex;"), "ff"), 1);
    assert_int_equal(m(R("byte_test:0,=,1,0;"), "1"), -1);  // binary needs a count
}

static void byte_jump_relative_and_from_beginning(void **state)
{
    (void)state;
    /* length byte 3 then 3 bytes skipped, then "ok" */
    static const char p[] = "\x03" "abcok";
    assert_int_equal(test_match_tcp(R("byte_jump:1,0; content:\"ok\"; within:2;"), p, 6), 1);
    assert_int_equal(test_match_tcp(R("byte_jump:1,0; content:\"bc\"; within:2;"), p, 6), 0);
    assert_int_equal(test_match_tcp(R("byte_jump:1,0,from_beginning; content:\"cok\"; "
                                      "within:3;"), p, 6), 1);
    assert_int_equal(test_match_tcp(R("byte_jump:1,0,post_offset -1; content:\"cok\"; "
                                      "within:3;"), p, 6), 1);
    assert_int_equal(test_match_tcp(R("byte_jump:1,0,multiplier 9;"), p, 6), 0);
}

/* Values from the wire that would overflow the jump or later offset sums
 * simply don't match (UBSan checks there is no signed overflow). */
static void byte_values_too_large_for_the_buffer_do_not_match(void **state)
{
    (void)state;
    static const char p[] = "\xff\xff\xff\xff\xff\xff\xff\xffok";
    assert_int_equal(test_match_tcp(R("byte_jump:8,0,multiplier 65535; content:\"ok\";"), p, 10),
                     0);
    assert_int_equal(test_match_tcp(R("byte_extract:8,0,n; content:\"ok\"; distance:n;"), p, 10),
                     0);
    assert_int_equal(test_match_tcp(R("byte_extract:8,0,n; isdataat:n,relative;"), p, 10), 0);
}

static void byte_extract_variable_feeds_later_keywords(void **state)
{
    (void)state;
    static const char p[] = "\x02zzok";
    assert_int_equal(test_match_tcp(R("byte_extract:1,0,n; content:\"ok\"; distance:n; "
                                      "within:2;"), p, 5), 1);
    assert_int_equal(test_match_tcp(R("byte_extract:1,0,n; byte_test:1,=,n,0;"), p, 5), 1);
    assert_int_equal(test_match_tcp(R("byte_extract:1,0,n; content:\"zz\"; distance:n; "
                                      "within:2;"), p, 5), 0);
    assert_int_equal(test_match_tcp(R("byte_extract:1,0,n; isdataat:n,relative;"), p, 5), 1);
}

static void byte_math_result_compared(void **state)
{
    (void)state;
    static const char p[] = "\x00\x05";
    assert_int_equal(test_match_tcp(R("byte_math:bytes 2, offset 0, oper *, rvalue 3, "
                                      "result r; byte_extract:1,1,v; byte_test:1,<,r,1;"),
                                    p, 2), 1);
    assert_int_equal(test_match_tcp(R("byte_math:bytes 2, offset 0, oper /, rvalue 0, "
                                      "result r;"), p, 2), 0);
}

static void byte_jump_count_from_variable(void **state)
{
    (void)state;
    /* n = 2: read 2 bytes ("\x00\x01") and jump 1 past them to "ok" */
    static const char p[] = "\x02\x00\x01zok";
    assert_int_equal(test_match_tcp(R("byte_extract:1,0,n; byte_jump:n,0,relative; "
                                      "content:\"ok\"; within:2;"), p, 6), 1);
    assert_int_equal(test_match_tcp(R("byte_extract:1,0,n; byte_jump:n,0,relative; "
                                      "content:\"zo\"; within:2;"), p, 6), 0);
    /* a variable holding 0 reads nothing: the cursor stays put */
    static const char z[] = "\x00ok";
    assert_int_equal(test_match_tcp(R("byte_extract:1,0,n; byte_jump:n,0,relative; "
                                      "content:\"ok\"; within:2;"), z, 3), 1);
    /* more than 8 binary bytes cannot be read */
    static const char big[] = "\x09zzzzzzzzzzz";
    assert_int_equal(test_match_tcp(R("byte_extract:1,0,n; byte_test:n,>,0,0,relative;"),
                                    big, 12), 0);
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(test_parse(R("byte_jump:nosuchvar,0;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("byte_test:0,=,1,0;"), err, sizeof(err)), 0);
}

static void byte_jump_zero_bytes_and_negative_post_offset_clamps(void **state)
{
    (void)state;
    static const char p[] = "abcdOKxx";
    /* 0 bytes: jump by post_offset only; before the start lands on the start */
    assert_int_equal(test_match_tcp(R("content:\"cd\"; byte_jump:0,0,relative,post_offset -2; "
                                      "content:\"cdOK\"; within:4;"), p, 8), 1);
    assert_int_equal(test_match_tcp(R("content:\"cd\"; byte_jump:0,0,relative,"
                                      "post_offset -10; content:\"abcd\"; within:4;"), p, 8), 1);
    assert_int_equal(test_match_tcp(R("content:\"cd\"; byte_jump:0,0,relative,"
                                      "post_offset -10; content:\"OK\"; within:2;"), p, 8), 0);
    assert_int_equal(test_match_tcp(R("byte_jump:0,0,from_end,post_offset -4; "
                                      "content:\"OKxx\"; within:4;"), p, 8), 1);
}

static void recursion_limit_stops_pathological_chain(void **state)
{
    (void)state;
    char payload[6000];
    memset(payload, 'a', sizeof(payload));
    int n = test_match_tcp(R("content:\"a\"; content:\"a\"; distance:0; content:\"a\"; "
                             "distance:0; content:\"b\"; distance:0;"), payload,
                           sizeof(payload));
    assert_int_equal(n, 0);
}

/* A relative content searched again from each retry of the element before it: a start
 * before the last hit gets that hit, a start past it searches on, a window with another
 * end searches afresh; the answers are those of a plain search. */
static void content_retries_reuse_the_last_search_exactly(void **state)
{
    (void)state;
    const char *r = R("content:\"<\"; content:\".length\"; distance:0; nocase; "
                      "content:\"X\"; within:1;");
    assert_int_equal(m(r, "<a<b<c.LENGTHy.lengthX"), 1);   // the second .length, from every <
    assert_int_equal(m(r, "<a<b<c.lengthy.lengthZ"), 0);
    assert_int_equal(m(r, "<a.lengthY<b.lengthX"), 1);     // a < after the first hit
    assert_int_equal(m(r, ".lengthX<a"), 0);                // hits before every <
    /* within: each start has its own window end */
    const char *w = R("content:\"a\"; content:\"b\"; distance:0; within:2; content:\"c\"; "
                      "within:1;");
    assert_int_equal(m(w, "a..a.bc"), 1);
    assert_int_equal(m(w, "a.ba..bc"), 0);
    assert_int_equal(m(w, "a.bxa.bc"), 1);
    /* a case-sensitive chain, a miss remembered and asked again from later starts */
    const char *z = R("content:\"k\"; content:\"zz\"; distance:0; content:\"q\"; within:1;");
    assert_int_equal(m(z, "kkkkzz"), 0);
    assert_int_equal(m(z, "kkkkzzkzzq"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_plain_and_hex),
        cmocka_unit_test(content_nocase),
        cmocka_unit_test(content_nocase_with_and_without_other_bytes),
        cmocka_unit_test(content_negated),
        cmocka_unit_test(content_offset_depth),
        cmocka_unit_test(content_distance_within_relative_to_previous),
        cmocka_unit_test(content_chain_retries_later_occurrence),
        cmocka_unit_test(content_startswith_endswith),
        cmocka_unit_test(content_fast_pattern_forms_still_match),
        cmocka_unit_test(content_needs_payload),
        cmocka_unit_test(isdataat_absolute_relative_negated),
        cmocka_unit_test(dsize_operators),
        cmocka_unit_test(pcre_flags_and_negation),
        cmocka_unit_test(pcre_relative_starts_after_previous_match),
        cmocka_unit_test(byte_test_operators_and_endianness),
        cmocka_unit_test(byte_test_zero_string_reads_all_digits),
        cmocka_unit_test(byte_jump_relative_and_from_beginning),
        cmocka_unit_test(byte_values_too_large_for_the_buffer_do_not_match),
        cmocka_unit_test(byte_extract_variable_feeds_later_keywords),
        cmocka_unit_test(byte_math_result_compared),
        cmocka_unit_test(byte_jump_count_from_variable),
        cmocka_unit_test(byte_jump_zero_bytes_and_negative_post_offset_clamps),
        cmocka_unit_test(recursion_limit_stops_pathological_chain),
        cmocka_unit_test(content_retries_reuse_the_last_search_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
