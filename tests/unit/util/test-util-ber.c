#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/util-ber.h"

/* SEQUENCE { INTEGER 1, OCTET STRING "public" } */
static const uint8_t seq[] = {0x30, 0x0b, 0x02, 0x01, 0x01, 0x04, 0x06,
                              'p', 'u', 'b', 'l', 'i', 'c'};

static void ber_reads_nested_sequence(void **state)
{
    (void)state;
    BerReader r, sub;
    BerTlv t;
    ber_reader_init(&r, seq, sizeof(seq));
    assert_int_equal(ber_expect(&r, BER_CLASS_UNIVERSAL, BER_TAG_SEQUENCE, true, &t), BER_OK);
    assert_true(ber_at_end(&r));
    assert_int_equal(ber_enter(&r, &t, &sub), BER_OK);
    assert_int_equal(sub.depth, 1);
    assert_int_equal(ber_expect(&sub, BER_CLASS_UNIVERSAL, BER_TAG_INTEGER, false, &t), BER_OK);
    int64_t v = 0;
    assert_int_equal(ber_int(&t, &v), BER_OK);
    assert_int_equal(v, 1);
    assert_int_equal(ber_next(&sub, &t), BER_OK);
    assert_int_equal(t.tag, BER_TAG_OCTET_STRING);
    assert_int_equal(t.len, 6);
    assert_memory_equal(t.val, "public", 6);
    assert_true(ber_at_end(&sub));
}

static void ber_truncated_input_is_etrunc(void **state)
{
    (void)state;
    BerReader r;
    BerTlv t;
    for (uint32_t n = 0; n < sizeof(seq); n++) {
        ber_reader_init(&r, seq, n);
        assert_int_equal(ber_next(&r, &t), BER_ETRUNC);
    }
    ber_reader_init(&r, NULL, 0);
    assert_int_equal(ber_next(&r, &t), BER_ETRUNC);
}

static void ber_lying_length_is_etrunc_not_overread(void **state)
{
    (void)state;
    /* length 0xffffffff over 3 bytes of contents */
    const uint8_t lie[] = {0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 'a', 'b', 'c'};
    BerReader r;
    BerTlv t;
    ber_reader_init(&r, lie, sizeof(lie));
    assert_int_equal(ber_next(&r, &t), BER_ETRUNC);
    uint64_t total = 0;
    assert_int_equal(ber_frame_len(lie, sizeof(lie), &total), BER_OK);
    assert_int_equal(total, 6 + 0xffffffffull);
}

static void ber_refuses_indefinite_and_long_lengths(void **state)
{
    (void)state;
    const uint8_t indef[] = {0x30, 0x80, 0x00, 0x00};
    const uint8_t five[] = {0x04, 0x85, 0, 0, 0, 0, 1, 'x'};
    BerReader r;
    BerTlv t;
    ber_reader_init(&r, indef, sizeof(indef));
    assert_int_equal(ber_next(&r, &t), BER_EINVAL);
    ber_reader_init(&r, five, sizeof(five));
    assert_int_equal(ber_next(&r, &t), BER_EINVAL);
}

static void ber_high_tag_numbers(void **state)
{
    (void)state;
    const uint8_t hi[] = {0x5f, 0x81, 0x00, 0x01, 0x07};          // [APPLICATION 128]
    const uint8_t huge[] = {0x1f, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00};   // 5 tag octets
    BerReader r;
    BerTlv t;
    ber_reader_init(&r, hi, sizeof(hi));
    assert_int_equal(ber_next(&r, &t), BER_OK);
    assert_int_equal(t.cls, BER_CLASS_APPLICATION);
    assert_int_equal(t.tag, 128);
    assert_int_equal(t.len, 1);
    ber_reader_init(&r, huge, sizeof(huge));
    assert_int_equal(ber_next(&r, &t), BER_EINVAL);
}

static void ber_depth_is_limited(void **state)
{
    (void)state;
    /* BER_DEPTH_MAX + 2 nested SEQUENCEs: the reader stops at BER_DEPTH_MAX */
    uint8_t deep[2 * (BER_DEPTH_MAX + 2)];
    uint32_t n = BER_DEPTH_MAX + 2;
    for (uint32_t i = 0; i < n; i++) {
        deep[2 * i] = 0x30;
        deep[2 * i + 1] = (uint8_t)(2 * (n - i - 1));
    }
    BerReader r, sub;
    BerTlv t;
    ber_reader_init(&r, deep, sizeof(deep));
    int rc = BER_OK;
    uint32_t levels = 0;
    while ((rc = ber_next(&r, &t)) == BER_OK && t.len > 0) {
        rc = ber_enter(&r, &t, &sub);
        if (rc != BER_OK) {
            break;
        }
        r = sub;
        levels++;
    }
    assert_int_equal(rc, BER_EDEPTH);
    assert_int_equal(levels, BER_DEPTH_MAX);
}

static void ber_enter_refuses_primitive(void **state)
{
    (void)state;
    BerReader r, sub;
    BerTlv t;
    ber_reader_init(&r, seq + 2, 3);
    assert_int_equal(ber_next(&r, &t), BER_OK);
    assert_int_equal(ber_enter(&r, &t, &sub), BER_EINVAL);
}

static void ber_integers_sign_and_size(void **state)
{
    (void)state;
    const uint8_t neg[] = {0xff, 0x38};                    // -200
    const uint8_t max[] = {0x00, 0xff, 0xff, 0xff, 0xff};  // 2^32 - 1
    const uint8_t big[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};     // 9 octets
    BerTlv t = {.val = neg, .len = sizeof(neg)};
    int64_t v;
    uint32_t u;
    assert_int_equal(ber_int(&t, &v), BER_OK);
    assert_int_equal(v, -200);
    assert_int_equal(ber_u32(&t, &u), BER_EINVAL);
    t = (BerTlv){.val = max, .len = sizeof(max)};
    assert_int_equal(ber_u32(&t, &u), BER_OK);
    assert_int_equal(u, UINT32_MAX);
    t = (BerTlv){.val = big, .len = sizeof(big)};
    assert_int_equal(ber_int(&t, &v), BER_EINVAL);
    t = (BerTlv){.val = big, .len = 0};
    assert_int_equal(ber_int(&t, &v), BER_EINVAL);
}

static void ber_oid_text_forms(void **state)
{
    (void)state;
    const uint8_t sysup[] = {0x2b, 6, 1, 2, 1, 1, 3, 0};          // 1.3.6.1.2.1.1.3.0
    const uint8_t multi[] = {0x2b, 6, 1, 4, 1, 0x82, 0x37, 1};    // arc 311
    const uint8_t joint[] = {0x88, 0x37, 0x03};                   // 2.999.3
    const uint8_t open[] = {0x2b, 0x86};                          // unfinished arc
    const uint8_t pad[] = {0x2b, 0x80, 0x01};                     // leading 0x80
    char out[64];
    assert_int_equal(ber_oid_text(sysup, sizeof(sysup), out, sizeof(out)), BER_OK);
    assert_string_equal(out, "1.3.6.1.2.1.1.3.0");
    assert_int_equal(ber_oid_text(multi, sizeof(multi), out, sizeof(out)), BER_OK);
    assert_string_equal(out, "1.3.6.1.4.1.311.1");
    assert_int_equal(ber_oid_text(joint, sizeof(joint), out, sizeof(out)), BER_OK);
    assert_string_equal(out, "2.999.3");
    assert_int_equal(ber_oid_text(open, sizeof(open), out, sizeof(out)), BER_EINVAL);
    assert_int_equal(ber_oid_text(pad, sizeof(pad), out, sizeof(out)), BER_EINVAL);
    assert_int_equal(ber_oid_text(sysup, 0, out, sizeof(out)), BER_EINVAL);
    assert_int_equal(ber_oid_text(sysup, sizeof(sysup), out, 8), BER_EINVAL);
}

static void ber_oid_arc_overflow_is_refused(void **state)
{
    (void)state;
    uint8_t o[12];
    o[0] = 0x2b;
    memset(o + 1, 0xff, 10);
    o[11] = 0x7f;                // 77 bits of one arc
    char out[128];
    assert_int_equal(ber_oid_text(o, sizeof(o), out, sizeof(out)), BER_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ber_reads_nested_sequence),
        cmocka_unit_test(ber_truncated_input_is_etrunc),
        cmocka_unit_test(ber_lying_length_is_etrunc_not_overread),
        cmocka_unit_test(ber_refuses_indefinite_and_long_lengths),
        cmocka_unit_test(ber_high_tag_numbers),
        cmocka_unit_test(ber_depth_is_limited),
        cmocka_unit_test(ber_enter_refuses_primitive),
        cmocka_unit_test(ber_integers_sign_and_size),
        cmocka_unit_test(ber_oid_text_forms),
        cmocka_unit_test(ber_oid_arc_overflow_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
