/* Keywords of plugins (keywords/detect-kw-plugin.c): a buffer keyword is an
 * element of the payload chain on the current buffer (sticky buffers: the
 * memcached example in tests/scenarios/test-plugin-examples.sh), a packet keyword a
 * header check; setup errors become the rule's refusal reason; a negative
 * match is an error (counted) and no match; contexts are freed with the rule;
 * taken names are refused. The descriptors are added as plugin_load_all would
 * after a plugin's init. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect-test.h"
#include "detect/keywords/detect-kw.h"
#include "runtime/plugin-internal.h"
#include "util/util-error.h"

static int g_live_ctx;           // contexts set up and not freed yet

/* lenis:N: the current buffer is exactly N bytes; lenis:-1 returns an error. */
static int len_setup(const char *arg, void **ctx, char *err, size_t errlen)
{
    char *end;
    long v = arg != NULL ? strtol(arg, &end, 10) : 0;
    if (arg == NULL || end == arg || *end != '\0') {
        snprintf(err, errlen, "expected a length, not '%s'", arg ? arg : "");
        return -1;
    }
    long *c = malloc(sizeof(*c));
    if (c == NULL) {
        return -1;
    }
    *c = v;
    *ctx = c;
    g_live_ctx++;
    return 0;
}
static int len_match(const void *ctx, const uint8_t *buf, uint32_t len)
{
    (void)buf;
    long want = *(const long *)ctx;
    return want < 0 ? -7 : (long)len == want;
}
static void len_free(void *ctx)
{
    g_live_ctx--;
    free(ctx);
}
static const VgKeyword kw_len = {
    .hdr = VG_PLUGIN_HDR(VgKeyword), .name = "lenis", .flags = VG_KW_BUFFER,
    .setup = len_setup, .match_buffer = len_match, .free = len_free,
};

/* dport80: a packet check without value. */
static int dp_setup(const char *arg, void **ctx, char *err, size_t errlen)
{
    (void)arg;
    (void)err;
    (void)errlen;
    *ctx = NULL;
    return 0;
}
static int dp_match(const void *ctx, const Packet *p)
{
    (void)ctx;
    return p->dp == 80;
}
static const VgKeyword kw_dp = {
    .hdr = VG_PLUGIN_HDR(VgKeyword), .name = "dport80", .flags = VG_KW_NOOPT,
    .setup = dp_setup, .match_packet = dp_match,
};

static int setup_kws(void **state)
{
    (void)state;
    if (detect_plugin_keyword_find("lenis") == NULL) {
        if (detect_plugin_keyword_check(&kw_len) != 0 || detect_plugin_keyword_add(&kw_len) != 0 ||
            detect_plugin_keyword_check(&kw_dp) != 0 || detect_plugin_keyword_add(&kw_dp) != 0) {
            return -1;
        }
    }
    return 0;
}

#define R(opts) "alert tcp any any -> any any (" opts " sid:1;)"

static void buffer_keyword_on_payload(void **state)
{
    (void)state;
    assert_int_equal(test_match_tcp(R("content:\"ab\"; lenis:6;"), "abcdef", 6), 1);
    assert_int_equal(test_match_tcp(R("content:\"ab\"; lenis:5;"), "abcdef", 6), 0);
    assert_int_equal(test_match_tcp(R("lenis:6;"), "abcdef", 6), 1);
    assert_int_equal(g_live_ctx, 0);   // freed with each engine
}

static void buffer_keyword_after_content_relative_chain(void **state)
{
    (void)state;
    /* the keyword sees the whole buffer wherever it sits in the chain, and the
     * elements after it still chain on the content before it */
    assert_int_equal(test_match_tcp(R("content:\"ab\"; lenis:6; content:\"cd\"; distance:0;"),
                                    "abcdef", 6), 1);
    assert_int_equal(test_match_tcp(R("content:\"ab\"; lenis:6; content:\"ab\"; distance:0;"),
                                    "abcdef", 6), 0);
}

static void packet_keyword(void **state)
{
    (void)state;
    assert_int_equal(test_match_tcp(R("dport80;"), "x", 1), 1); // test_tcp: port 80
    char err[256];
    assert_int_not_equal(test_parse(R("dport80:1;"), err, sizeof(err)), 0);
    assert_non_null(strstr(err, "takes no value"));
}

static void setup_error_is_the_reason(void **state)
{
    (void)state;
    char err[256];
    assert_int_not_equal(test_parse(R("lenis:abc;"), err, sizeof(err)), 0);
    assert_non_null(strstr(err, "lenis: expected a length, not 'abc'"));
    assert_int_equal(g_live_ctx, 0);
}

static void match_error_counted_no_match(void **state)
{
    (void)state;
    uint64_t before = plugin_callback_errors();
    assert_int_equal(test_match_tcp(R("lenis:-1;"), "abc", 3), 0);
    assert_true(plugin_callback_errors() > before);
}

static void taken_names_refused(void **state)
{
    (void)state;
    VgKeyword k = kw_len;
    k.name = "content";
    assert_int_equal(detect_plugin_keyword_check(&k), VG_EEXIST);
    k.name = "lenis";
    assert_int_equal(detect_plugin_keyword_check(&k), VG_EEXIST);
    k.name = "http.uri"; // a buffer name
    assert_int_equal(detect_plugin_keyword_check(&k), VG_EEXIST);
    k.name = "newname";
    k.match_buffer = NULL;
    assert_int_equal(detect_plugin_keyword_check(&k), VG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buffer_keyword_on_payload),
        cmocka_unit_test(buffer_keyword_after_content_relative_chain),
        cmocka_unit_test(packet_keyword),
        cmocka_unit_test(setup_error_is_the_reason),
        cmocka_unit_test(match_error_counted_no_match),
        cmocka_unit_test(taken_names_refused),
    };
    return cmocka_run_group_tests(tests, setup_kws, NULL);
}
