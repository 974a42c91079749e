/* asn1: option parsing, each BER check on hand-made encodings, offsets, depth
 * and truncated or hostile input, and the keyword in a rule's payload chain. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect-test.h"
#include "detect/detect-asn1.h"

static DetectAsn1 opts(const char *arg)
{
    DetectAsn1 a;
    char why[160] = "";
    if (!detect_asn1_parse(arg, &a, why, sizeof(why))) {
        fail_msg("'%s' refused: %s", arg, why);
    }
    return a;
}

static bool refused(const char *arg, const char *want)
{
    DetectAsn1 a;
    char why[160] = "";
    return !detect_asn1_parse(arg, &a, why, sizeof(why)) && strstr(why, want) != NULL;
}

static void parses_options_and_refuses_bad_ones(void **state)
{
    (void)state;
    DetectAsn1 a = opts("double_overflow, bitstring_overflow, relative_offset 54, "
                        "oversize_length 2048");
    assert_int_equal(a.checks, DETECT_ASN1_DOUBLE_OVERFLOW | DETECT_ASN1_BITSTRING_OVERFLOW |
                                   DETECT_ASN1_OVERSIZE);
    assert_int_equal(a.oversize_length, 2048);
    assert_int_equal(a.offset, 54);
    assert_true(a.flags & DETECT_PM_F_RELATIVE);
    a = opts("oversize_length 10,absolute_offset 3");
    assert_true(a.flags & DETECT_ASN1_F_ABSOLUTE);
    assert_int_equal(a.offset, 3);
    assert_int_equal(opts("bitstring_overflow, relative_offset -4").offset, -4);
    assert_true(refused("", "needs bitstring_overflow"));
    assert_true(refused("absolute_offset 0", "needs bitstring_overflow"));
    assert_true(refused("bitstring_overflow, frobnicate", "unknown option 'frobnicate'"));
    assert_true(refused("oversize_length", "oversize_length needs a number"));
    assert_true(refused("oversize_length x", "oversize_length needs a number"));
    assert_true(refused("bitstring_overflow, absolute_offset 1, relative_offset 2", "exclude"));
    assert_true(refused("bitstring_overflow, absolute_offset -1", "absolute_offset needs"));
    assert_true(refused("bitstring_overflow, absolute_offset 70000", "absolute_offset needs"));
}

static bool hit(const char *arg, const void *buf, uint32_t len)
{
    DetectAsn1 a = opts(arg);
    return detect_asn1_match(&a, buf, len, 0);
}

static void bitstring_unused_bits_past_the_length(void **state)
{
    (void)state;
    assert_true(hit("bitstring_overflow", "\x03\x01\xff", 3));     // 255 unused of 8 bits
    assert_false(hit("bitstring_overflow", "\x03\x01\x07", 3));    // 7 of 8: fine
    assert_true(hit("bitstring_overflow", "\x03\x02\x11\x00", 4)); // 17 of 16
    assert_false(hit("bitstring_overflow", "\x03\x02\x10\x00", 4));
    assert_false(hit("bitstring_overflow", "\x04\x01\xff", 3));    // an OCTET STRING
    assert_false(hit("bitstring_overflow", "\x83\x01\xff", 3));    // context class
    assert_false(hit("double_overflow", "\x03\x01\xff", 3));       // not asked for
    /* inside a SEQUENCE, after an INTEGER */
    assert_true(hit("bitstring_overflow", "\x30\x06\x02\x01\x05\x03\x01\xff", 8));
}

static void real_in_decimal_form_longer_than_256(void **state)
{
    (void)state;
    uint8_t b[300];
    memset(b, '5', sizeof(b));
    b[0] = 0x09;                 // REAL, primitive
    b[1] = 0x82;                 // two length octets
    b[2] = 0x01;
    b[3] = 0x01;                 // 257
    b[4] = 0x03;                 // decimal (ISO 6093 NR3) form
    assert_true(hit("double_overflow", b, 4 + 257));
    b[3] = 0x00;                 // 256: fits
    assert_false(hit("double_overflow", b, 4 + 256));
    b[3] = 0x01;
    b[4] = 0x80;                 // binary form
    assert_false(hit("double_overflow", b, 4 + 257));
}

static void oversize_length_on_any_element(void **state)
{
    (void)state;
    /* SEQUENCE of 133 bytes holding an OCTET STRING of 130 */
    uint8_t b[3 + 133];
    memset(b, 'x', sizeof(b));
    b[0] = 0x30;
    b[1] = 0x81;
    b[2] = 133;
    b[3] = 0x04;
    b[4] = 0x81;
    b[5] = 130;
    assert_true(hit("oversize_length 132", b, sizeof(b)));
    assert_false(hit("oversize_length 133", b, sizeof(b)));
    assert_true(hit("oversize_length 129", b + 3, 133)); // the inner one alone
    /* a second top-level element */
    static const uint8_t two[] = { 0x02, 0x01, 0x01, 0x04, 0x05, 'a', 'b', 'c', 'd', 'e' };
    assert_true(hit("oversize_length 4", two, sizeof(two)));
    assert_false(hit("oversize_length 5", two, sizeof(two)));
}

static void offsets_absolute_relative_and_past_the_end(void **state)
{
    (void)state;
    static const uint8_t b[] = { 'h', 'd', 'r', ':', 0x03, 0x01, 0xff };
    assert_false(hit("bitstring_overflow", b, sizeof(b))); // 'h' is no element
    assert_true(hit("bitstring_overflow, absolute_offset 4", b, sizeof(b)));
    assert_false(hit("bitstring_overflow, absolute_offset 7", b, sizeof(b)));
    DetectAsn1 a = opts("bitstring_overflow, relative_offset 1");
    assert_true(detect_asn1_match(&a, b, sizeof(b), 3));  // previous match ended at 3
    assert_false(detect_asn1_match(&a, b, sizeof(b), 2));
    a = opts("bitstring_overflow, relative_offset -3");
    assert_true(detect_asn1_match(&a, b, sizeof(b), 7));
    assert_false(detect_asn1_match(&a, b, sizeof(b), 2)); // before the buffer
    assert_false(detect_asn1_match(&a, NULL, 0, 0));
}

static void truncated_malformed_and_deep_input_is_bounded(void **state)
{
    (void)state;
    /* the overflowing BIT STRING claims more bytes than there are: not decoded */
    assert_false(hit("bitstring_overflow", "\x03\x05\xff", 3));
    /* a bad element stops the walk; elements before it still count */
    assert_true(hit("oversize_length 1", "\x04\x02" "ab" "\x1f", 5));
    assert_false(hit("bitstring_overflow", "\x1f\xff\xff\xff\xff\xff\x01\x00", 8));
    assert_false(hit("oversize_length 0", "\x04\x89\x01\x02\x03\x04\x05\x06\x07\x08\x09", 11));
    assert_false(hit("oversize_length 1", "\x04\x80\x00\x00", 4)); // indefinite primitive
    /* indefinite-length SEQUENCE holding the bad BIT STRING, with its end mark */
    assert_true(hit("bitstring_overflow", "\x30\x80\x03\x01\xff\x00\x00", 7));
    /* nesting: 20 SEQUENCEs deep is walked, 40 is past the 30-level limit */
    uint8_t deep[2 * 40 + 3];
    for (int depth = 20; depth <= 40; depth += 20) {
        uint32_t n = 0;
        for (int i = 0; i < depth; i++) {
            deep[n++] = 0x30;
            deep[n++] = (uint8_t)(2 * (depth - i - 1) + 3);
        }
        deep[n++] = 0x03;
        deep[n++] = 0x01;
        deep[n++] = 0xff;
        if (depth == 20) {
            assert_true(hit("bitstring_overflow", deep, n));
        } else {
            assert_false(hit("bitstring_overflow", deep, n));
        }
    }
    /* many top-level elements: only the first 30 are looked at */
    uint8_t many[3 * 31];
    for (int i = 0; i < 31; i++) {
        many[3 * i] = 0x03;
        many[3 * i + 1] = 0x01;
        many[3 * i + 2] = (uint8_t)(i == 30 ? 0xff : 0x00);
    }
    assert_false(hit("bitstring_overflow", many, sizeof(many)));
    many[3 * 29 + 2] = 0xff;
    assert_true(hit("bitstring_overflow", many, sizeof(many)));
}

#define R(opts) "alert tcp any any -> any any (" opts " sid:1;)"

static void in_a_rule_after_content(void **state)
{
    (void)state;
    static const char p[] = "NTLMSSP\x00\x03\x01\xff";
    assert_int_equal(test_match_tcp(R("content:\"NTLMSSP\"; asn1:bitstring_overflow, "
                                      "relative_offset 1;"), p, sizeof(p) - 1), 1);
    assert_int_equal(test_match_tcp(R("content:\"NTLMSSP\"; asn1:bitstring_overflow, "
                                      "relative_offset 2;"), p, sizeof(p) - 1), 0);
    assert_int_equal(test_match_tcp(R("content:\"NTLMSSP\"; asn1:bitstring_overflow, "
                                      "absolute_offset 8;"), p, sizeof(p) - 1), 1);
    /* the 4 ET Open rules' option list loads */
    int failed = -1;
    DetectEngine *de = test_engine(R("content:\"a\"; asn1:double_overflow, bitstring_overflow, "
                                     "relative_offset 27, oversize_length 2048;"), &failed);
    assert_non_null(de);
    assert_int_equal(failed, 0);
    detect_engine_free(de);
    de = test_engine(R("asn1:relative_offset 2;"), &failed);
    assert_int_equal(failed, 1);
    detect_engine_free(de);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_options_and_refuses_bad_ones),
        cmocka_unit_test(bitstring_unused_bits_past_the_length),
        cmocka_unit_test(real_in_decimal_form_longer_than_256),
        cmocka_unit_test(oversize_length_on_any_element),
        cmocka_unit_test(offsets_absolute_relative_and_past_the_end),
        cmocka_unit_test(truncated_malformed_and_deep_input_is_bounded),
        cmocka_unit_test(in_a_rule_after_content),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
