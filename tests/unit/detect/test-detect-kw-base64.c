/* base64_decode / base64_data (keywords/detect-kw-base64.c, matched in
 * detect-inspect.c): the decoder, where decoding starts, and the decoded
 * bytes as the buffer of the keywords after base64_data. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "detect-test.h"
#include "util/util-error.h"

static void decode_expect(const char *in, const void *want, uint32_t want_len, uint32_t out_size)
{
    uint8_t out[64];
    uint32_t n = detect_base64_decode((const uint8_t *)in, (uint32_t)strlen(in), out, out_size);
    if (n != want_len || memcmp(out, want, n) != 0) {
        fail_msg("'%s' -> %u bytes '%.*s', want %u", in, n, (int)n, (const char *)out, want_len);
    }
}

static void decoder_follows_rfc4648(void **state)
{
    (void)state;
    decode_expect("Zm9vYmFy", "foobar", 6, 64);
    decode_expect("Zm9vYg==", "foob", 4, 64);
    decode_expect("YQ==Yg==", "ab", 2, 64);          // a padded group does not end decoding
    decode_expect("Zm9vYmF", "fooba", 5, 64);        // last partial group: its whole bytes
    decode_expect("np%2BA", "\x9e", 1, 64);          // stops at the first byte outside
    decode_expect("Z", "", 0, 64);                   // one sextet: no whole byte
    decode_expect("", "", 0, 64);
    decode_expect("!Zm9v", "", 0, 64);
    decode_expect("Zm9vYmFy", "foob", 4, 4);         // output capped
}

static void decoded_bytes_are_the_next_buffer(void **state)
{
    (void)state;
    const char *r = "alert tcp any any -> any any (content:\"API=\"; base64_decode:relative; "
                    "base64_data; content:\"foobar\"; startswith; sid:1;)";
    assert_int_equal(test_match_tcp(r, "xx API=Zm9vYmFy&z", 17), 1);
    assert_int_equal(test_match_tcp(r, "xx API=eGZvb2Jhcg&z", 19), 0);  // "xfoobar"
    assert_int_equal(test_match_tcp(r, "xx API=&Zm9vYmFy", 16), 0);     // nothing decodes
}

static void offset_and_bytes_limit_the_input(void **state)
{
    (void)state;
    const char *off = "alert tcp any any -> any any (content:\"k=\"; base64_decode:offset 2, "
                      "relative; base64_data; content:\"foo\"; depth:3; sid:1;)";
    assert_int_equal(test_match_tcp(off, "k=..Zm9v", 8), 1);
    assert_int_equal(test_match_tcp(off, "k=Zm9v", 6), 0);
    const char *bytes = "alert tcp any any -> any any (base64_decode:bytes 4; base64_data; "
                        "content:\"foo\"; sid:1;)";
    assert_int_equal(test_match_tcp(bytes, "Zm9vYmFy", 8), 1);
    const char *bytes2 = "alert tcp any any -> any any (base64_decode:bytes 4; base64_data; "
                         "content:\"foob\"; sid:1;)";
    assert_int_equal(test_match_tcp(bytes2, "Zm9vYmFy", 8), 0);
}

static void failing_data_retries_a_later_content(void **state)
{
    (void)state;
    const char *r = "alert tcp any any -> any any (content:\"v=\"; base64_decode:relative; "
                    "base64_data; content:\"bar\"; sid:1;)";
    assert_int_equal(test_match_tcp(r, "v=Zm9v v=YmFy", 13), 1);
    /* without base64_data, a successful decode lets the chain go on */
    const char *d = "alert tcp any any -> any any (content:\"v=\"; base64_decode:relative; "
                    "content:\"end\"; distance:0; sid:1;)";
    assert_int_equal(test_match_tcp(d, "v=Zm9v end", 10), 1);
    assert_int_equal(test_match_tcp(d, "v=%% end", 8), 0);
}

static void placement_is_checked(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(test_parse("alert tcp any any -> any any (base64_data; content:\"x\"; "
                                "sid:1;)", err, sizeof(err)), VG_EINVAL);
    assert_non_null(strstr(err, "base64_data"));
    assert_int_equal(test_parse("alert tcp any any -> any any (base64_decode; base64_data; "
                                "base64_decode; sid:1;)", err, sizeof(err)), VG_EINVAL);
    assert_int_equal(test_parse("alert tcp any any -> any any (base64_decode:bytes x; sid:1;)",
                                err, sizeof(err)), VG_EINVAL);
    assert_int_equal(test_parse("alert tcp any any -> any any (base64_decode:offset 1, bytes 9, "
                                "relative; sid:1;)", err, sizeof(err)), 0);
    assert_int_equal(test_parse("alert http any any -> any any (http.cookie; content:\"a=\"; "
                                "base64_decode:relative; base64_data; content:\"x\"; sid:1;)",
                                err, sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decoder_follows_rfc4648),
        cmocka_unit_test(decoded_bytes_are_the_next_buffer),
        cmocka_unit_test(offset_and_bytes_limit_the_input),
        cmocka_unit_test(failing_data_retries_a_later_content),
        cmocka_unit_test(placement_is_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
