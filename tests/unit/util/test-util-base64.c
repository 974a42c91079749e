#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/util-base64.h"
#include "util/util-error.h"

static void check(const char *in, const char *expect)
{
    char out[64];
    size_t n = 0;
    assert_int_equal(util_base64_encode(out, sizeof(out), (const uint8_t *)in, strlen(in), &n),
                     0);
    assert_string_equal(out, expect);
    assert_int_equal(n, strlen(expect));
    assert_int_equal(util_base64_encoded_len(strlen(in)), strlen(expect));
}

/* RFC 4648 section 10 test vectors. */
static void base64_rfc4648_vectors(void **state)
{
    (void)state;
    check("", "");
    check("f", "Zg==");
    check("fo", "Zm8=");
    check("foo", "Zm9v");
    check("foob", "Zm9vYg==");
    check("fooba", "Zm9vYmE=");
    check("foobar", "Zm9vYmFy");
}

static void base64_binary_uses_plus_and_slash(void **state)
{
    (void)state;
    const uint8_t in[] = { 0xfb, 0xff, 0xbf, 0x00 };
    char out[16];
    assert_int_equal(util_base64_encode(out, sizeof(out), in, sizeof(in), NULL), 0);
    assert_string_equal(out, "+/+/AA==");
}

static void base64_rejects_small_output(void **state)
{
    (void)state;
    char out[8] = "unset";
    /* "foobar" needs 8 characters plus the terminator. */
    assert_int_equal(util_base64_encode(out, 8, (const uint8_t *)"foobar", 6, NULL), VG_ERANGE);
    assert_string_equal(out, "unset");
    assert_int_equal(util_base64_encode(out, 0, (const uint8_t *)"", 0, NULL), VG_ERANGE);
}

static void base64_length_overflow_is_reported(void **state)
{
    (void)state;
    assert_int_equal(util_base64_encoded_len(SIZE_MAX), SIZE_MAX);
    assert_int_equal(util_base64_encoded_len(0), 0);
    assert_int_equal(util_base64_encoded_len(4), 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base64_rfc4648_vectors),
        cmocka_unit_test(base64_binary_uses_plus_and_slash),
        cmocka_unit_test(base64_rejects_small_output),
        cmocka_unit_test(base64_length_overflow_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
