/* Buffer transforms (keywords/detect-kw-transform.c): each transform's output,
 * chaining, and where a transform may appear in a rule. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdlib.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <zlib.h>

#include "detect-test.h"
#include "util/util-error.h"

static void xform_expect(const uint8_t *xf, uint8_t n, const char *in, const char *want)
{
    uint8_t *scratch[2] = { NULL, NULL };
    uint32_t cap[2] = { 0, 0 };
    const uint8_t *out = NULL;
    uint32_t len = 0;
    assert_true(detect_xform_apply(xf, NULL, n, (const uint8_t *)in, (uint32_t)strlen(in), scratch,
                                   cap, &out, &len));
    if (len != strlen(want) || memcmp(out, want, len) != 0) {
        fail_msg("'%s' -> '%.*s', want '%s'", in, (int)len, (const char *)out, want);
    }
    free(scratch[0]);
    free(scratch[1]);
}

static void each_transform_output(void **state)
{
    (void)state;
    const uint8_t url[] = { DETECT_XF_URL_DECODE };
    xform_expect(url, 1, "a%2Fb+c%zz%4", "a/b c%zz%4");
    const uint8_t low[] = { DETECT_XF_TO_LOWER };
    xform_expect(low, 1, "AbC-1\xc3", "abc-1\xc3");
    const uint8_t up[] = { DETECT_XF_TO_UPPER };
    xform_expect(up, 1, "AbC-1", "ABC-1");
    const uint8_t strip[] = { DETECT_XF_STRIP_WS };
    xform_expect(strip, 1, " a \t b\r\n", "ab");
    const uint8_t comp[] = { DETECT_XF_COMPRESS_WS };
    xform_expect(comp, 1, "a  \t b c", "a b c");
    const uint8_t dot[] = { DETECT_XF_DOTPREFIX };
    xform_expect(dot, 1, "example.com", ".example.com");
    xform_expect(dot, 1, "", ".");
    /* An empty buffer may come without data at all. */
    uint8_t *scratch[2] = { NULL, NULL };
    uint32_t cap[2] = { 0, 0 };
    const uint8_t *out = NULL;
    uint32_t len = 0;
    assert_true(detect_xform_apply(dot, NULL, 1, NULL, 0, scratch, cap, &out, &len));
    assert_int_equal(len, 1);
    assert_int_equal(out[0], '.');
    free(scratch[0]);
    free(scratch[1]);
}

static void transforms_chain_in_order(void **state)
{
    (void)state;
    const uint8_t chain[] = { DETECT_XF_URL_DECODE, DETECT_XF_TO_UPPER, DETECT_XF_STRIP_WS };
    xform_expect(chain, 3, "%2fetc/pa%73swd + x", "/ETC/PASSWDX");
}

static void transform_placement(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(test_parse("alert http any any -> any any (http.request_body; url_decode; "
                                "to_lowercase; content:\"/etc/passwd\"; sid:1;)", err,
                                sizeof(err)), 0);
    assert_int_not_equal(test_parse("alert http any any -> any any (url_decode; "
                                    "content:\"x\"; sid:1;)", err, sizeof(err)), 0);
    assert_non_null(strstr(err, "sticky buffer"));
}

/* A transform after a keyword starts a second instance of the buffer. */
static void transform_after_content_is_a_new_instance(void **state)
{
    (void)state;
    DetectEngine *de = detect_engine_new_empty();
    Signature *s = NULL;
    char err[256];
    assert_int_equal(detect_parse_rule(de, "alert http any any -> any any (http.uri; "
                                           "content:\"a\"; url_decode; content:\"b\"; sid:1;)",
                                       "t.rules", 1, &s, err, sizeof(err)), 0);
    assert_int_equal(s->app->n_lists, 2);
    const DetectAppList *raw = &s->app->lists[0];
    const DetectAppList *dec = &s->app->lists[1];
    assert_int_equal(raw->n_xform, 0);
    assert_int_equal(raw->ml.n, 1);
    assert_int_equal(dec->n_xform, 1);
    assert_int_equal(dec->xform[0], DETECT_XF_URL_DECODE);
    assert_int_equal(dec->ml.n, 1);
    assert_string_equal(detect_list_name(dec->list), "http.uri");
    assert_int_equal(dec->row[0], raw->row[0]);
    detect_sig_free(s);
    detect_engine_free(de);
}

static void from_base64_modes(void **state)
{
    (void)state;
    const uint8_t xf[] = { DETECT_XF_FROM_BASE64 };
    DetectXformArg a = { .offset = 6 };
    uint8_t *scratch[2] = { NULL, NULL };
    uint32_t cap[2] = { 0, 0 };
    const uint8_t *out;
    uint32_t len;
    static const char in[] = "/?arg=dGhpc2lzYXRlc3QK";
    assert_true(detect_xform_apply(xf, &a, 1, (const uint8_t *)in, sizeof(in) - 1, scratch, cap,
                                   &out, &len));
    assert_int_equal(len, 12);
    assert_memory_equal(out, "thisisatest\n", 12);
    a.bytes = 6;
    assert_true(detect_xform_apply(xf, &a, 1, (const uint8_t *)in, sizeof(in) - 1, scratch, cap,
                                   &out, &len));
    assert_int_equal(len, 4);
    assert_memory_equal(out, "this", 4);
    static const char sp[] = "/?arg=Zm 9v Ym Fy";
    DetectXformArg m = { .offset = 6, .mode = DETECT_B64_RFC2045 };
    assert_true(detect_xform_apply(xf, &m, 1, (const uint8_t *)sp, sizeof(sp) - 1, scratch, cap,
                                   &out, &len));
    assert_int_equal(len, 6);
    assert_memory_equal(out, "foobar", 6);
    m.mode = DETECT_B64_STRICT;
    assert_true(detect_xform_apply(xf, &m, 1, (const uint8_t *)sp, sizeof(sp) - 1, scratch, cap,
                                   &out, &len));
    assert_int_equal(len, 0);
    m.mode = DETECT_B64_RFC4648;
    assert_true(detect_xform_apply(xf, &m, 1, (const uint8_t *)sp, sizeof(sp) - 1, scratch, cap,
                                   &out, &len));
    assert_int_equal(len, 1);  // "Zm": stops at the space
    m.offset = 100;             // past the end: nothing
    assert_true(detect_xform_apply(xf, &m, 1, (const uint8_t *)sp, sizeof(sp) - 1, scratch, cap,
                                   &out, &len));
    assert_int_equal(len, 0);
    free(scratch[0]);
    free(scratch[1]);
    char err[256];
    assert_int_not_equal(test_parse("alert http any any -> any any (http.uri; from_base64: "
                                    "offset x; sid:1;)", err, sizeof(err)), 0);
}

static void absent_placement(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(test_parse("alert http any any -> any any (http.referer; absent; sid:1;)",
                                err, sizeof(err)), 0);
    assert_int_equal(test_parse("alert http any any -> any any (http.referer; absent:or_else; "
                                "content:!\"x\"; sid:1;)", err, sizeof(err)), 0);
    assert_int_not_equal(test_parse("alert http any any -> any any (http.referer; absent; "
                                    "content:\"x\"; sid:1;)", err, sizeof(err)), 0);
    assert_non_null(strstr(err, "or_else"));
    assert_int_not_equal(test_parse("alert http any any -> any any (http.referer; "
                                    "content:\"x\"; absent; sid:1;)", err, sizeof(err)), 0);
    assert_int_not_equal(test_parse("alert http any any -> any any (absent; sid:1;)", err,
                                    sizeof(err)), 0);
    assert_int_not_equal(test_parse("alert http any any -> any any (http.referer; absent:maybe; "
                                    "sid:1;)", err, sizeof(err)), 0);
}

static void pcrexform_gives_the_first_group(void **state)
{
    (void)state;
    int err;
    PCRE2_SIZE eoff;
    static const char re_src[] = "[A-Z]+ (\\S+) HTTP";
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)re_src, PCRE2_ZERO_TERMINATED, 0, &err, &eoff,
                                   NULL);
    assert_non_null(re);
    const uint8_t xf[] = { DETECT_XF_PCREXFORM };
    DetectXformArg a = { .re = re };
    uint8_t *scratch[2] = { NULL, NULL };
    uint32_t cap[2] = { 0, 0 };
    const uint8_t *out;
    uint32_t len;
    static const char line[] = "GET /x.jpg HTTP/1.1";
    assert_true(detect_xform_apply(xf, &a, 1, (const uint8_t *)line, sizeof(line) - 1, scratch,
                                   cap, &out, &len));
    assert_int_equal(len, 6);
    assert_memory_equal(out, "/x.jpg", 6);
    static const char other[] = "no match here";  // unchanged
    assert_true(detect_xform_apply(xf, &a, 1, (const uint8_t *)other, sizeof(other) - 1, scratch,
                                   cap, &out, &len));
    assert_int_equal(len, sizeof(other) - 1);
    assert_memory_equal(out, other, len);
    pcre2_code_free(re);
    free(scratch[0]);
    free(scratch[1]);
    char e[256];
    assert_int_equal(test_parse("alert http any any -> any any (http.uri; pcrexform:\"a(b)\"; "
                                "content:\"b\"; sid:1;)", e, sizeof(e)), 0);
    assert_int_equal(test_parse("alert http any any -> any any (http.uri; pcrexform:\"ab\"; "
                                "sid:1;)", e, sizeof(e)), VG_EINVAL);
    assert_int_equal(test_parse("alert http any any -> any any (http.uri; pcrexform:\"a(\"; "
                                "sid:1;)", e, sizeof(e)), VG_EINVAL);
    assert_int_equal(test_parse("alert tcp any any -> any any (pcrexform:\"(a)\"; sid:1;)", e,
                                sizeof(e)), VG_EINVAL);
}

static void zlib_deflate_inflates_up_to_max_size(void **state)
{
    (void)state;
    static const char text[] = "This is compressed text, compressed text, compressed.";
    uint8_t z[256];
    uLongf zl = sizeof(z);
    assert_int_equal(compress(z, &zl, (const Bytef *)text, sizeof(text) - 1), Z_OK);
    const uint8_t xf[] = { DETECT_XF_ZLIB_DEFLATE };
    DetectXformArg a = { .max_size = DETECT_ZLIB_MAX_DEFAULT };
    uint8_t *scratch[2] = { NULL, NULL };
    uint32_t cap[2] = { 0, 0 };
    const uint8_t *out;
    uint32_t len;
    assert_true(detect_xform_apply(xf, &a, 1, z, (uint32_t)zl, scratch, cap, &out, &len));
    assert_int_equal(len, sizeof(text) - 1);
    assert_memory_equal(out, text, len);
    a.max_size = 8;
    assert_true(detect_xform_apply(xf, &a, 1, z, (uint32_t)zl, scratch, cap, &out, &len));
    assert_int_equal(len, 8);
    assert_memory_equal(out, "This is ", 8);
    a.max_size = DETECT_ZLIB_MAX_DEFAULT;
    assert_true(detect_xform_apply(xf, &a, 1, (const uint8_t *)"garbage", 7, scratch, cap, &out,
                                   &len));
    assert_int_equal(len, 0);
    free(scratch[0]);
    free(scratch[1]);
    char e[256];
    assert_int_equal(test_parse("alert http any any -> any any (http.uri; zlib_deflate:max-size 2 kb; "
                                "content:\"x\"; sid:1;)", e, sizeof(e)), 0);
    assert_int_equal(test_parse("alert http any any -> any any (http.uri; zlib_deflate:max-size 0; "
                                "sid:1;)", e, sizeof(e)), VG_EINVAL);
    assert_int_equal(test_parse("alert http any any -> any any (http.uri; zlib_deflate:size 9; "
                                "sid:1;)", e, sizeof(e)), VG_EINVAL);
}

static void xform1(uint8_t xf, const DetectXformArg *a, const char *in, uint32_t in_len,
                   const void *want, uint32_t want_len)
{
    uint8_t *scratch[2] = { NULL, NULL };
    uint32_t cap[2] = { 0, 0 };
    const uint8_t *out;
    uint32_t len;
    assert_true(detect_xform_apply(&xf, a, 1, (const uint8_t *)in, in_len, scratch, cap, &out,
                                   &len));
    if (len != want_len || (len > 0 && memcmp(out, want, len) != 0)) {
        fail_msg("transform %u of '%.*s': %u bytes '%.*s', want %u", xf, (int)in_len, in, len,
                 (int)len, (const char *)out, want_len);
    }
    free(scratch[0]);
    free(scratch[1]);
}

static void xor_with_fixed_or_extracted_key(void **state)
{
    (void)state;
    static const uint8_t key[] = { 0x30 };
    DetectXformArg fixed = { .key = key, .key_len = 1 };
    xform1(DETECT_XF_XOR, &fixed, "@QDX", 4, "path", 4);
    /* key = the byte at 1, data from 2 on */
    DetectXformArg ex = { .offset = 2, .key_len = 1, .key_at = 1 };
    xform1(DETECT_XF_XOR, &ex, "/0@QDX", 6, "path", 4);
    DetectXformArg ex2 = { .offset = 2, .key_len = 2, .key_at = 0 };
    xform1(DETECT_XF_XOR, &ex2, "\x01\x02qcrq", 6, "pass", 4);
    DetectXformArg far = { .offset = 1, .key_len = 4, .key_at = 3 };  // key beyond the buffer
    xform1(DETECT_XF_XOR, &far, "abcd", 4, "", 0);
    char e[256];
    assert_int_equal(test_parse("alert http any any -> any any (http.uri; xor:\"0d0a\"; "
                                "content:\"x\"; sid:1;)", e, sizeof(e)), 0);
    assert_int_equal(test_parse("alert http any any -> any any (http.uri; xor:offset 4,extract 4 0; "
                                "content:\"x\"; sid:1;)", e, sizeof(e)), 0);
    assert_int_equal(test_parse("alert http any any -> any any (http.uri; xor:\"0d0\"; sid:1;)",
                                e, sizeof(e)), VG_EINVAL);
    assert_int_equal(test_parse("alert http any any -> any any (http.uri; xor:offset 4; sid:1;)",
                                e, sizeof(e)), VG_EINVAL);
}

static void subslice_cuts_or_empties(void **state)
{
    (void)state;
    DetectXformArg a = { .start = 2, .length = 3, .has_length = true };
    xform1(DETECT_XF_SUBSLICE, &a, "curl/7.64.1", 11, "rl/", 3);
    DetectXformArg tail = { .start = -4 };
    xform1(DETECT_XF_SUBSLICE, &tail, "curl/7.64.1", 11, "64.1", 4);
    DetectXformArg over = { .start = -20 };
    xform1(DETECT_XF_SUBSLICE, &over, "curl/7.64.1", 11, "", 0);
    over.truncate = true;
    xform1(DETECT_XF_SUBSLICE, &over, "curl/7.64.1", 11, "curl/7.64.1", 11);
    DetectXformArg five = { .start = -20, .length = 5, .has_length = true, .truncate = true };
    xform1(DETECT_XF_SUBSLICE, &five, "curl/7.64.1", 11, "curl/", 5);
    DetectXformArg longer = { .start = 8, .length = 9, .has_length = true };
    xform1(DETECT_XF_SUBSLICE, &longer, "curl/7.64.1", 11, "", 0);
    longer.truncate = true;
    xform1(DETECT_XF_SUBSLICE, &longer, "curl/7.64.1", 11, "4.1", 3);
    char e[256];
    assert_int_equal(test_parse("alert http any any -> any any (http.user_agent; subslice:-20, 5, "
                                "truncate; content:\"x\"; sid:1;)", e, sizeof(e)), 0);
    assert_int_equal(test_parse("alert http any any -> any any (http.user_agent; subslice:x; "
                                "sid:1;)", e, sizeof(e)), VG_EINVAL);
}

static void digests_and_gunzip(void **state)
{
    (void)state;
    static const uint8_t md5_abc[16] = { 0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
                                         0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72 };
    static const uint8_t sha1_abc[20] = { 0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
                                          0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d };
    static const uint8_t sha256_abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
    DetectXformArg none = { 0 };
    xform1(DETECT_XF_TO_MD5, &none, "abc", 3, md5_abc, 16);        // RFC 1321 A.5
    xform1(DETECT_XF_TO_SHA1, &none, "abc", 3, sha1_abc, 20);      // FIPS 180 example
    xform1(DETECT_XF_TO_SHA256, &none, "abc", 3, sha256_abc, 32);
    /* gzip: "hi there\n" (made with gzip -n) */
    static const uint8_t gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
                                  0xcb, 0xc8, 0x54, 0x28, 0xc9, 0x48, 0x2d, 0x4a, 0xe5, 0x02,
                                  0x00, 0xb6, 0x0b, 0x88, 0x9b, 0x09, 0x00, 0x00, 0x00 };
    DetectXformArg g = { .max_size = DETECT_ZLIB_MAX_DEFAULT };
    xform1(DETECT_XF_GUNZIP, &g, (const char *)gz, sizeof(gz), "hi there\n", 9);
    g.max_size = 2;
    xform1(DETECT_XF_GUNZIP, &g, (const char *)gz, sizeof(gz), "hi", 2);
    char e[256];
    assert_int_equal(test_parse("alert http any any -> any any (http.uri; to_sha256; bsize:32; "
                                "sid:1;)", e, sizeof(e)), 0);
    assert_int_equal(test_parse("alert http any any -> any any (http.response_body; gunzip:max-size "
                                "4096; content:\"x\"; sid:1;)", e, sizeof(e)), 0);
}

/* The pattern the tx prefilter looks for in a transformed list's raw buffer
 * (detect_tx_fp_raw): for every buffer below, when the transformed buffer holds
 * the rule's fast pattern, the raw buffer holds the derived pattern. */
static bool holds(const uint8_t *hay, uint32_t n, const uint8_t *pat, uint16_t m, bool nocase)
{
    for (uint32_t i = 0; i + m <= n; i++) {
        uint16_t k = 0;
        while (k < m && (nocase ? tolower(hay[i + k]) == tolower(pat[k]) : hay[i + k] == pat[k])) {
            k++;
        }
        if (k == m) {
            return true;
        }
    }
    return false;
}

static void fp_raw_case(const char *opts, const char *want, bool want_nocase,
                        const char *const *bufs, size_t n_bufs)
{
    char rule[256];
    snprintf(rule, sizeof(rule), "alert dns any any -> any any (%s sid:1;)", opts);
    DetectEngine *de = detect_engine_new_empty();
    Signature *s = NULL;
    char err[256];
    if (detect_parse_rule(de, rule, "t.rules", 1, &s, err, sizeof(err)) != 0) {
        fail_msg("rule refused: %s (%s)", err, rule);
    }
    assert_non_null(s->fp);
    const DetectAppList *al = &s->app->lists[0];
    const uint8_t *pat = NULL;
    uint16_t len = 0;
    bool nocase = false;
    bool ok = detect_tx_fp_raw(al, s->fp, &pat, &len, &nocase);
    if (want == NULL) {
        assert_false(ok);
    } else {
        assert_true(ok);
        if (len != strlen(want) || memcmp(pat, want, len) != 0 || nocase != want_nocase) {
            fail_msg("%s: derived '%.*s' nocase %d", rule, (int)len, (const char *)pat, nocase);
        }
        const DetectContent *fp = s->fp;
        for (size_t i = 0; i < n_bufs; i++) {
            uint8_t *scratch[2] = { NULL, NULL };
            uint32_t cap[2] = { 0, 0 };
            const uint8_t *out = NULL;
            uint32_t out_len = 0;
            uint32_t in_len = (uint32_t)strlen(bufs[i]);
            assert_true(detect_xform_apply(al->xform, al->xarg, al->n_xform,
                                           (const uint8_t *)bufs[i], in_len, scratch, cap, &out,
                                           &out_len));
            bool fp_nc = (fp->flags & DETECT_CONTENT_NOCASE) != 0;
            if (holds(out, out_len, fp->pat + fp->fp_off, fp->fp_len, fp_nc) &&
                !holds((const uint8_t *)bufs[i], in_len, pat, len, nocase)) {
                fail_msg("%s: '%s' transformed holds the fast pattern, raw lacks '%.*s'", rule,
                         bufs[i], (int)len, (const char *)pat);
            }
            free(scratch[0]);
            free(scratch[1]);
        }
    }
    detect_sig_free(s);
    detect_engine_free(de);
}

static void tx_prefilter_pattern_of_transformed_buffers(void **state)
{
    (void)state;
    static const char *const bufs[] = { "example.com", "a.example.com", "EXAMPLE.COM",
                                        "xexample.com", "example.org", "", ".", "com" };
    size_t n = sizeof(bufs) / sizeof(bufs[0]);
    /* untransformed: the fast pattern itself */
    fp_raw_case("dns.query; content:\"example\";", "example", false, bufs, n);
    /* dotprefix: a leading '.' may be the prefix itself */
    fp_raw_case("dns.query; dotprefix; content:\".example.com\"; endswith;", "example.com", false,
                bufs, n);
    fp_raw_case("dns.query; dotprefix; content:\"example.com\";", "example.com", false, bufs, n);
    fp_raw_case("dns.query; dotprefix; content:\"x.\"; content:\".com\"; fast_pattern;", "com",
                false, bufs, n);
    fp_raw_case("dns.query; dotprefix; content:\".example.com\"; fast_pattern:1,7;", "example",
                false, bufs, n);
    fp_raw_case("dns.query; dotprefix; content:\".\";", NULL, false, bufs, n);
    /* case transforms: the pattern in any case */
    fp_raw_case("dns.query; to_lowercase; content:\"example.com\";", "example.com", true, bufs, n);
    fp_raw_case("dns.query; to_uppercase; dotprefix; content:\".EXAMPLE\";", "EXAMPLE", true,
                bufs, n);
    /* others: none, the rule is evaluated on every tx */
    fp_raw_case("dns.query; strip_whitespace; content:\"example\";", NULL, false, bufs, n);
    fp_raw_case("dns.query; dotprefix; dotprefix; content:\"..example\";", NULL, false, bufs, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tx_prefilter_pattern_of_transformed_buffers),
        cmocka_unit_test(each_transform_output),
        cmocka_unit_test(transforms_chain_in_order),
        cmocka_unit_test(transform_placement),
        cmocka_unit_test(absent_placement),
        cmocka_unit_test(transform_after_content_is_a_new_instance),
        cmocka_unit_test(from_base64_modes),
        cmocka_unit_test(pcrexform_gives_the_first_group),
        cmocka_unit_test(zlib_deflate_inflates_up_to_max_size),
        cmocka_unit_test(xor_with_fixed_or_extracted_key),
        cmocka_unit_test(subslice_cuts_or_empties),
        cmocka_unit_test(digests_and_gunzip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
