#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "output/json-check.h"
#include "util/util-json.h"

static int setup(void **state)
{
    JsonBuf *jb = malloc(sizeof(*jb));
    if (jb == NULL || json_buf_init(jb, 16) != 0) {
        free(jb);
        return -1;
    }
    *state = jb;
    return 0;
}

static int teardown(void **state)
{
    JsonBuf *jb = *state;
    json_buf_deinit(jb);
    free(jb);
    return 0;
}

static void assert_valid(const JsonBuf *jb)
{
    assert_false(json_failed(jb));
    assert_true(json_complete(jb));
    assert_int_equal(strlen(jb->buf), jb->len);
    if (!json_check_valid(jb->buf, jb->len)) {
        fail_msg("invalid JSON: %s", jb->buf);
    }
}

/* {"v":<bytes>} and check the exact text. */
static void check_strn(JsonBuf *jb, const void *s, size_t len, const char *expect)
{
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    json_strn(jb, "v", s, len);
    json_close_object(jb);
    assert_valid(jb);
    assert_string_equal(jb->buf, expect);
}

static void validator_rejects_malformed_json(void **state)
{
    (void)state;
    const char *bad[] = { "", "{", "{\"a\":1,}", "[1 2]", "\"a", "\"\x01\"", "01", "1.",
                          "{\"a\"1}", "\"\\x41\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "[]]",
                          "nul", "\"\\u12g4\"" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(json_check_valid(bad[i], strlen(bad[i])));
    }
    const char *good = " {\"a\":[1,-0.5e+3,true,false,null,\"\\u00e9\xc3\xa9\"],\"b\":{}} ";
    assert_true(json_check_valid(good, strlen(good)));
}

static void json_writes_every_value_type(void **state)
{
    JsonBuf *jb = *state;
    json_open_object(jb, NULL);
    json_str(jb, "s", "text");
    json_u64(jb, "u", UINT64_MAX);
    json_i64(jb, "i", INT64_MIN);
    json_i64(jb, "p", 42);
    json_double(jb, "d", 1.5);
    json_bool(jb, "t", true);
    json_bool(jb, "f", false);
    json_null(jb, "n");
    json_raw(jb, "r", "[1,{\"x\":2}]");
    json_close_object(jb);
    assert_valid(jb);
    assert_string_equal(jb->buf, "{\"s\":\"text\",\"u\":18446744073709551615,"
                                 "\"i\":-9223372036854775808,\"p\":42,\"d\":1.5,\"t\":true,"
                                 "\"f\":false,\"n\":null,\"r\":[1,{\"x\":2}]}");
}

static void json_escapes_every_control_char(void **state)
{
    JsonBuf *jb = *state;
    for (unsigned c = 0; c < 0x20; c++) {
        uint8_t b = (uint8_t)c;
        char expect[32];
        const char *named = NULL;
        switch (c) {
        case '\b': named = "\\b"; break;
        case '\f': named = "\\f"; break;
        case '\n': named = "\\n"; break;
        case '\r': named = "\\r"; break;
        case '\t': named = "\\t"; break;
        default: break;
        }
        if (named != NULL) {
            snprintf(expect, sizeof(expect), "{\"v\":\"%s\"}", named);
        } else {
            snprintf(expect, sizeof(expect), "{\"v\":\"\\u00%02x\"}", c);
        }
        check_strn(jb, &b, 1, expect);
    }
}

static void json_escapes_quote_and_backslash_and_keeps_del(void **state)
{
    check_strn(*state, "a\"b\\c/\x7f", 7, "{\"v\":\"a\\\"b\\\\c/\x7f\"}");
}

static void json_escapes_keys(void **state)
{
    JsonBuf *jb = *state;
    json_open_object(jb, NULL);
    json_u64(jb, "k\"\n", 1);
    json_close_object(jb);
    assert_valid(jb);
    assert_string_equal(jb->buf, "{\"k\\\"\\n\":1}");
}

static void json_passes_valid_utf8_unchanged(void **state)
{
    /* é (2 bytes), € (3), U+10FFFF (4), U+1F600 (4) */
    const char s[] = "\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80";
    check_strn(*state, s, sizeof(s) - 1,
               "{\"v\":\"\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80\"}");
}

static void json_lone_continuation_byte_uses_byte_form(void **state)
{
    check_strn(*state, "a\x80z", 3, "{\"v\":\"a\\\\x80z\"}");
}

static void json_truncated_sequence_uses_byte_form(void **state)
{
    check_strn(*state, "\xe2\x82", 2, "{\"v\":\"\\\\xe2\\\\x82\"}");
}

static void json_overlong_encoding_uses_byte_form(void **state)
{
    check_strn(*state, "\xc0\xaf", 2, "{\"v\":\"\\\\xc0\\\\xaf\"}");
    check_strn(*state, "\xe0\x80\xaf", 3, "{\"v\":\"\\\\xe0\\\\x80\\\\xaf\"}");
}

static void json_byte_ff_uses_byte_form(void **state)
{
    check_strn(*state, "\xff", 1, "{\"v\":\"\\\\xff\"}");
}

static void json_surrogate_and_above_max_use_byte_form(void **state)
{
    check_strn(*state, "\xed\xa0\x80", 3, "{\"v\":\"\\\\xed\\\\xa0\\\\x80\"}");
    check_strn(*state, "\xf4\x90\x80\x80", 4, "{\"v\":\"\\\\xf4\\\\x90\\\\x80\\\\x80\"}");
}

static void json_invalid_byte_turns_whole_string_to_byte_form(void **state)
{
    /* As Suricata: once the string is not UTF-8, valid sequences in it are
     * shown as bytes too, and control characters are still escaped. */
    check_strn(*state, "\xc3\xa9\n\xff", 4, "{\"v\":\"\\\\xc3\\\\xa9\\n\\\\xff\"}");
}

static void json_nul_byte_in_strn_is_escaped(void **state)
{
    check_strn(*state, "a\0b", 3, "{\"v\":\"a\\u0000b\"}");
}

static void json_empty_strings_and_null_pointer(void **state)
{
    JsonBuf *jb = *state;
    json_open_object(jb, NULL);
    json_str(jb, "", "");
    json_strn(jb, "b", NULL, 0);
    json_str(jb, "c", NULL);
    json_close_object(jb);
    assert_valid(jb);
    assert_string_equal(jb->buf, "{\"\":\"\",\"b\":\"\",\"c\":null}");
}

static void json_nesting_places_commas(void **state)
{
    JsonBuf *jb = *state;
    json_open_object(jb, NULL);
    json_open_array(jb, "a");
    json_u64(jb, NULL, 1);
    json_open_object(jb, NULL);
    json_close_object(jb);
    json_open_array(jb, NULL);
    json_close_array(jb);
    json_str(jb, NULL, "x");
    json_close_array(jb);
    json_open_object(jb, "o");
    json_open_object(jb, "p");
    json_bool(jb, "q", true);
    json_close_object(jb);
    json_u64(jb, "r", 2);
    json_close_object(jb);
    json_close_object(jb);
    assert_valid(jb);
    assert_string_equal(jb->buf, "{\"a\":[1,{},[],\"x\"],\"o\":{\"p\":{\"q\":true},\"r\":2}}");
}

static void json_top_level_array_and_scalar(void **state)
{
    JsonBuf *jb = *state;
    json_open_array(jb, NULL);
    json_close_array(jb);
    assert_valid(jb);
    assert_string_equal(jb->buf, "[]");
    json_buf_reset(jb);
    json_u64(jb, NULL, 7);
    assert_valid(jb);
}

static void json_depth_limit_is_enforced(void **state)
{
    JsonBuf *jb = *state;
    for (int i = 0; i < JSON_MAX_DEPTH; i++) {
        json_open_array(jb, NULL);
    }
    assert_false(json_failed(jb));
    for (int i = 0; i < JSON_MAX_DEPTH; i++) {
        json_close_array(jb);
    }
    assert_valid(jb);

    json_buf_reset(jb);
    for (int i = 0; i <= JSON_MAX_DEPTH; i++) {
        json_open_array(jb, NULL);
    }
    assert_true(json_failed(jb));
    assert_false(json_complete(jb));
}

static void json_misuse_sets_sticky_failure(void **state)
{
    JsonBuf *jb = *state;
    json_open_object(jb, NULL);
    json_u64(jb, NULL, 1);  // value without key in an object
    assert_true(json_failed(jb));
    size_t len = jb->len;
    json_u64(jb, "k", 1);
    json_close_object(jb);
    assert_int_equal(jb->len, len);
    assert_false(json_complete(jb));

    json_buf_reset(jb);
    json_open_array(jb, NULL);
    json_u64(jb, "k", 1);  // key inside an array
    assert_true(json_failed(jb));

    json_buf_reset(jb);
    json_open_array(jb, NULL);
    json_close_object(jb);  // mismatched close
    assert_true(json_failed(jb));

    json_buf_reset(jb);
    json_close_object(jb);  // close with nothing open
    assert_true(json_failed(jb));

    json_buf_reset(jb);
    json_open_object(jb, "top");  // key at top level
    assert_true(json_failed(jb));

    json_buf_reset(jb);
    json_open_object(jb, NULL);
    json_close_object(jb);
    json_open_object(jb, NULL);  // a second top-level value
    assert_true(json_failed(jb));
}

static void json_unclosed_record_is_not_complete(void **state)
{
    JsonBuf *jb = *state;
    json_open_object(jb, NULL);
    json_u64(jb, "a", 1);
    assert_false(json_failed(jb));
    assert_false(json_complete(jb));
}

static void json_huge_string_grows_buffer(void **state)
{
    JsonBuf *jb = *state;
    size_t n = 1u << 20;
    uint8_t *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++) {
        big[i] = (uint8_t)('a' + i % 26);
    }
    big[n / 2] = '"';
    json_open_object(jb, NULL);
    json_strn(jb, "big", big, n);
    json_close_object(jb);
    assert_valid(jb);
    assert_int_equal(jb->len, n + 1 + 10);  // {"big":""} around it, plus one escape
    free(big);
}

static void json_oversized_string_fails_record(void **state)
{
    JsonBuf *jb = *state;
    size_t n = JSON_BUF_MAX_BYTES / 6 + 1;
    uint8_t *big = calloc(1, n);
    assert_non_null(big);
    json_open_object(jb, NULL);
    json_strn(jb, "big", big, n);
    assert_true(json_failed(jb));
    free(big);
}

static void json_reset_keeps_capacity_and_clears_content(void **state)
{
    JsonBuf *jb = *state;
    json_open_object(jb, NULL);
    json_str(jb, "k", "a fairly long string to make the buffer grow past sixty-four");
    json_close_object(jb);
    size_t cap = jb->cap;
    json_buf_reset(jb);
    assert_int_equal(jb->len, 0);
    assert_int_equal(jb->cap, cap);
    assert_string_equal(jb->buf, "");
    json_open_object(jb, NULL);
    json_u64(jb, "n", 1);
    json_close_object(jb);
    assert_valid(jb);
    assert_string_equal(jb->buf, "{\"n\":1}");
    assert_int_equal(jb->cap, cap);
}

static void json_double_special_values(void **state)
{
    JsonBuf *jb = *state;
    json_open_array(jb, NULL);
    json_double(jb, NULL, NAN);
    json_double(jb, NULL, INFINITY);
    json_double(jb, NULL, -INFINITY);
    json_double(jb, NULL, 0.1);
    json_double(jb, NULL, -2.0);
    json_double(jb, NULL, 1e300);
    json_close_array(jb);
    assert_valid(jb);
    assert_string_equal(jb->buf, "[null,null,null,0.1,-2,1e+300]");
}

static void json_base64_value(void **state)
{
    JsonBuf *jb = *state;
    json_open_object(jb, NULL);
    json_base64(jb, "p", (const uint8_t *)"foobar", 6);
    json_base64(jb, "q", (const uint8_t *)"f", 1);
    json_base64(jb, "e", NULL, 0);
    json_close_object(jb);
    assert_valid(jb);
    assert_string_equal(jb->buf, "{\"p\":\"Zm9vYmFy\",\"q\":\"Zg==\",\"e\":\"\"}");
}

static void json_printable_keeps_ascii_newlines_and_dots_others(void **state)
{
    JsonBuf *jb = *state;
    const uint8_t in[] = { 'G', 'E', 'T', ' ', '"', '\\', '\r', '\n', '\t', 0x00, 0x7f, 0x80,
                           0xff, '~' };
    json_open_object(jb, NULL);
    json_printable(jb, "payload_printable", in, sizeof(in));
    json_close_object(jb);
    assert_valid(jb);
    assert_string_equal(jb->buf, "{\"payload_printable\":\"GET \\\"\\\\\\r\\n.....~\"}");
}

static void json_printable_covers_every_byte(void **state)
{
    JsonBuf *jb = *state;
    uint8_t all[256];
    for (int i = 0; i < 256; i++) {
        all[i] = (uint8_t)i;
    }
    json_open_object(jb, NULL);
    json_printable(jb, "p", all, sizeof(all));
    json_close_object(jb);
    assert_valid(jb);
}

static void json_raw_rejects_empty(void **state)
{
    JsonBuf *jb = *state;
    json_open_object(jb, NULL);
    json_raw(jb, "r", "");
    assert_true(json_failed(jb));
}

/* Deterministic garbage: every string must still give valid JSON. */
static void json_random_bytes_always_valid(void **state)
{
    JsonBuf *jb = *state;
    uint32_t x = 12345;
    uint8_t s[64];
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)(round % 64);
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            uint8_t b = (uint8_t)(x >> 16);
            s[i] = (round & 1) ? (uint8_t)(0x80 | b) : b;  // odd rounds: mostly high bytes
        }
        json_buf_reset(jb);
        json_open_array(jb, NULL);
        json_strn(jb, NULL, s, len);
        json_printable(jb, NULL, s, len);
        json_close_array(jb);
        assert_valid(jb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validator_rejects_malformed_json),
        cmocka_unit_test_setup_teardown(json_writes_every_value_type, setup, teardown),
        cmocka_unit_test_setup_teardown(json_escapes_every_control_char, setup, teardown),
        cmocka_unit_test_setup_teardown(json_escapes_quote_and_backslash_and_keeps_del, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(json_escapes_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(json_passes_valid_utf8_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(json_lone_continuation_byte_uses_byte_form, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(json_truncated_sequence_uses_byte_form, setup, teardown),
        cmocka_unit_test_setup_teardown(json_overlong_encoding_uses_byte_form, setup, teardown),
        cmocka_unit_test_setup_teardown(json_byte_ff_uses_byte_form, setup, teardown),
        cmocka_unit_test_setup_teardown(json_surrogate_and_above_max_use_byte_form, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(json_invalid_byte_turns_whole_string_to_byte_form, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(json_nul_byte_in_strn_is_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(json_empty_strings_and_null_pointer, setup, teardown),
        cmocka_unit_test_setup_teardown(json_nesting_places_commas, setup, teardown),
        cmocka_unit_test_setup_teardown(json_top_level_array_and_scalar, setup, teardown),
        cmocka_unit_test_setup_teardown(json_depth_limit_is_enforced, setup, teardown),
        cmocka_unit_test_setup_teardown(json_misuse_sets_sticky_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(json_unclosed_record_is_not_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(json_huge_string_grows_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(json_oversized_string_fails_record, setup, teardown),
        cmocka_unit_test_setup_teardown(json_reset_keeps_capacity_and_clears_content, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(json_double_special_values, setup, teardown),
        cmocka_unit_test_setup_teardown(json_base64_value, setup, teardown),
        cmocka_unit_test_setup_teardown(json_printable_keeps_ascii_newlines_and_dots_others,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(json_printable_covers_every_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(json_raw_rejects_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(json_random_bytes_always_valid, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
