/* TLS message parsers on their own: hellos (fields, GREASE, drafts), JA3/JA3S/JA4 against
 * values computed independently (python hashlib over the strings in the comments),
 * certificates through libcrypto, and truncated, empty, oversized, maximum-value and
 * garbage input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/tls/app-layer-tls.h"
#include "app-layer/tls/tls-test-util.h"
#include "util/util-error.h"

static TlsBuild g_b;
static TlsBuild g_c;

static void client_hello_fields(void **state)
{
    (void)state;
    tb_client_hello_body(&g_b, "www.example.com");
    TlsSide s = {0};
    uint32_t ev = 0;
    assert_int_equal(tls_parse_hello(g_b.b, g_b.n, true, &s, &ev), 0);
    assert_int_equal(ev, 0);
    assert_int_equal(s.hello_version, 0x0303);
    assert_int_equal(s.max_version, 0x0304);
    assert_int_equal(s.sni.len, 15);
    assert_memory_equal(s.sni.data, "www.example.com", 15);
    assert_int_equal(s.n_ciphers, 4);
    assert_int_equal(s.n_exts, 7);
    assert_int_equal(s.session_id_len, 4);
    assert_int_equal(s.alpn.len, 12);
    assert_int_equal(s.n_sig_algs, 2);
    tls_side_deinit(&s);
}

/* "771,4865-49199-47,0-10-11-13-16-43,29-23,0" (GREASE left out) */
static void ja3_and_ja4_of_a_client_hello(void **state)
{
    (void)state;
    tb_client_hello_body(&g_b, "www.example.com");
    TlsSide s = {0};
    uint32_t ev = 0;
    assert_int_equal(tls_parse_hello(g_b.b, g_b.n, true, &s, &ev), 0);
    assert_int_equal(tls_ja3_compute(&s, true), 0);
    assert_string_equal(s.ja3, "771,4865-49199-47,0-10-11-13-16-43,29-23,0");
    assert_string_equal(s.ja3_hash, "6bfe35123df20afcf42aa008b0081ebf");
    tls_ja4_compute(&s, false);
    /* b: sha256("002f,1301,c02f"); c: sha256("000a,000b,000d,002b_0403,0804") */
    assert_string_equal(s.ja4, "t13d0306h2_54093f43ad55_fb71836bce29");
    tls_side_deinit(&s);
}

static void ja4_without_sni_says_i(void **state)
{
    (void)state;
    tb_client_hello_body(&g_b, NULL);
    TlsSide s = {0};
    uint32_t ev = 0;
    assert_int_equal(tls_parse_hello(g_b.b, g_b.n, true, &s, &ev), 0);
    tls_ja4_compute(&s, false);
    assert_memory_equal(s.ja4, "t13i0305h2_", 11);
    tls_side_deinit(&s);
}

/* "771,49199,65281-43" */
static void server_hello_version_and_ja3s(void **state)
{
    (void)state;
    tb_server_hello_body(&g_b, true);
    TlsSide s = {0};
    uint32_t ev = 0;
    assert_int_equal(tls_parse_hello(g_b.b, g_b.n, false, &s, &ev), 0);
    assert_int_equal(s.version, 0x0304);
    assert_int_equal(tls_ja3_compute(&s, false), 0);
    assert_string_equal(s.ja3, "771,49199,65281-43");
    assert_string_equal(s.ja3_hash, "1297a565e7e03258c35c4bb9d2c36d37");
    assert_string_equal(tls_version_name(s.version), "TLS 1.3");
    tls_side_deinit(&s);
}

static void truncated_hellos_fail_cleanly(void **state)
{
    (void)state;
    tb_client_hello_body(&g_b, "www.example.com");
    for (uint32_t n = 0; n < g_b.n; n++) {
        TlsSide s = {0};
        uint32_t ev = 0;
        int rc = tls_parse_hello(g_b.b, n, true, &s, &ev);
        assert_true(rc == 0 || rc == VG_EINVAL);
        tls_side_deinit(&s);
    }
    TlsSide s = {0};
    uint32_t ev = 0;
    assert_int_equal(tls_parse_hello(g_b.b, 0, true, &s, &ev), VG_EINVAL);
    assert_true(ev & (1u << TLS_EV_INVALID_HANDSHAKE_MESSAGE));
    tls_side_deinit(&s);
}

static void garbage_never_crashes(void **state)
{
    (void)state;
    uint32_t x = 12345;
    for (int round = 0; round < 2000; round++) {
        uint32_t n = (x >> 3) % 600;
        for (uint32_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            g_b.b[i] = (uint8_t)(x >> 16);
        }
        TlsSide s = {0};
        uint32_t ev = 0;
        int rc = tls_parse_hello(g_b.b, n, round & 1, &s, &ev);
        assert_true(rc == 0 || rc == VG_EINVAL);
        rc = tls_parse_certificate(g_b.b, n, false, &s, &ev);
        assert_true(rc == 0 || rc == VG_EINVAL);
        tls_side_deinit(&s);
    }
}

static void sni_problems_raise_events(void **state)
{
    (void)state;
    tb_client_hello_body(&g_b, "a.example");
    /* The SNI entry type byte sits 9 bytes after the extension type 0 at its start. */
    uint32_t off = 0;
    for (uint32_t i = 0; i + 8 < g_b.n; i++) {
        if (memcmp(g_b.b + i, "\x00\x00\x00\x0e\x00\x0c\x00\x00\x09", 9) == 0) {
            off = i + 6;
            break;
        }
    }
    assert_true(off > 0);
    g_b.b[off] = 5;
    TlsSide s = {0};
    uint32_t ev = 0;
    assert_int_equal(tls_parse_hello(g_b.b, g_b.n, true, &s, &ev), 0);
    assert_true(ev & (1u << TLS_EV_INVALID_SNI_TYPE));
    assert_null(s.sni.data);
    tls_side_deinit(&s);
}

static void certificate_fields(void **state)
{
    (void)state;
    uint8_t der[4096];
    uint32_t len = tb_make_cert("test.example", der, sizeof(der));
    assert_true(len > 0);
    tb_certificate_body(&g_c, der, len, 2);
    TlsSide s = {0};
    uint32_t ev = 0;
    assert_int_equal(tls_parse_certificate(g_c.b, g_c.n, false, &s, &ev), 0);
    assert_int_equal(ev, 0);
    assert_int_equal(s.n_certs, 2);
    const TlsCert *c = &s.certs[0];
    assert_int_equal(c->subject.len, strlen("C=FR, O=Vigil, CN=test.example"));
    assert_memory_equal(c->subject.data, "C=FR, O=Vigil, CN=test.example", c->subject.len);
    assert_memory_equal(c->issuer.data, "C=FR, O=Vigil, CN=test.example", c->issuer.len);
    assert_string_equal(c->serial, "00:A1:B2");
    assert_int_equal(c->n_san, 2);
    assert_memory_equal(c->san[1].data, "www.test.example", 16);
    char when[32];
    tls_time_format(c->not_before, when, sizeof(when));
    assert_string_equal(when, "2020-01-01T00:00:00");
    unsigned char md[20];
    unsigned int ml = 0;
    EVP_Digest(der, len, md, &ml, EVP_sha1(), NULL);
    char fp[60];
    for (int i = 0; i < 20; i++) {
        snprintf(fp + 3 * i, 4, i == 19 ? "%02x" : "%02x:", md[i]);
    }
    assert_string_equal(c->fingerprint, fp);
    tls_side_deinit(&s);
}

static void cert_assert_same(const TlsCert *a, const TlsCert *b)
{
    assert_int_equal(a->der.len, b->der.len);
    assert_memory_equal(a->der.data, b->der.data, a->der.len);
    assert_int_equal(a->subject.len, b->subject.len);
    assert_memory_equal(a->subject.data, b->subject.data, a->subject.len);
    assert_int_equal(a->issuer.len, b->issuer.len);
    assert_memory_equal(a->issuer.data, b->issuer.data, a->issuer.len);
    assert_string_equal(a->serial, b->serial);
    assert_string_equal(a->fingerprint, b->fingerprint);
    assert_int_equal(a->has_dates, b->has_dates);
    assert_int_equal(a->not_before, b->not_before);
    assert_int_equal(a->not_after, b->not_after);
    assert_int_equal(a->n_san, b->n_san);
    for (uint32_t i = 0; i < a->n_san; i++) {
        assert_int_equal(a->san[i].len, b->san[i].len);
        assert_memory_equal(a->san[i].data, b->san[i].data, a->san[i].len);
    }
}

/* Repeats come from the per-thread cache: the same fields as the first decode, each
 * certificate its own copies; a DER that differs in one byte is decoded afresh; bytes
 * that are no certificate fail every time; after the cache is freed, the same again. */
static void repeated_certificates_decode_the_same(void **state)
{
    (void)state;
    uint8_t a[4096], b[4096];
    uint32_t la = tb_make_cert("a.example", a, sizeof(a));
    uint32_t lb = tb_make_cert("b.example", b, sizeof(b));
    assert_true(la > 0 && lb > 0);
    TlsCert first, c, other;
    assert_int_equal(tls_cert_decode(a, la, &first), 0);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3; i++) {
            assert_int_equal(tls_cert_decode(a, la, &c), 0);
            cert_assert_same(&first, &c);
            assert_ptr_not_equal(c.subject.data, first.subject.data);
            tls_cert_deinit(&c);
            assert_int_equal(tls_cert_decode(b, lb, &other), 0);
            assert_memory_equal(other.subject.data, "C=FR, O=Vigil, CN=b.example",
                                other.subject.len);
            tls_cert_deinit(&other);
        }
        tls_cert_cache_deinit();
    }
    /* the last byte of the signature changed: another fingerprint, the same names */
    a[la - 1] ^= 1;
    assert_int_equal(tls_cert_decode(a, la, &c), 0);
    assert_string_not_equal(c.fingerprint, first.fingerprint);
    assert_memory_equal(c.subject.data, first.subject.data, first.subject.len);
    tls_cert_deinit(&c);
    uint8_t junk[64];
    memset(junk, 0x30, sizeof(junk));
    for (int i = 0; i < 2; i++) {
        assert_int_equal(tls_cert_decode(junk, sizeof(junk), &c), VG_EINVAL);
        assert_null(c.subject.data);
    }
    tls_cert_deinit(&first);
    tls_cert_cache_deinit();
}

static void certificate_chain_is_capped(void **state)
{
    (void)state;
    uint8_t der[4096];
    uint32_t len = tb_make_cert("cap.example", der, sizeof(der));
    tb_certificate_body(&g_c, der, len, TLS_MAX_CERTS + 4);
    TlsSide s = {0};
    uint32_t ev = 0;
    assert_int_equal(tls_parse_certificate(g_c.b, g_c.n, false, &s, &ev), 0);
    assert_int_equal(s.n_certs, TLS_MAX_CERTS);
    tls_side_deinit(&s);
}

static void bad_certificates_raise_events(void **state)
{
    (void)state;
    uint8_t junk[64];
    memset(junk, 0x30, sizeof(junk));
    tb_certificate_body(&g_c, junk, sizeof(junk), 1);
    TlsSide s = {0};
    uint32_t ev = 0;
    assert_int_equal(tls_parse_certificate(g_c.b, g_c.n, false, &s, &ev), 0);
    assert_true(ev & (1u << TLS_EV_INVALID_CERTIFICATE));
    assert_int_equal(s.n_certs, 0);
    /* A list length past the message (maximum 24-bit value). */
    uint8_t lie[] = {0xff, 0xff, 0xff, 0x00};
    ev = 0;
    assert_int_equal(tls_parse_certificate(lie, sizeof(lie), false, &s, &ev), VG_EINVAL);
    assert_true(ev & (1u << TLS_EV_CERTIFICATE_INVALID_LENGTH));
    tls_side_deinit(&s);
}

static void sslv2_client_hello(void **state)
{
    (void)state;
    /* 2-byte header 0x80 0x0e: CLIENT-HELLO, version 3.1, 3 cipher bytes, no session id,
     * 2 challenge bytes. */
    static const uint8_t rec[] = {0x80, 0x0e, 0x01, 0x03, 0x01, 0x00, 0x03, 0x00, 0x00,
                                  0x00, 0x02, 0x00, 0x00, 0x2f, 0xaa, 0xbb};
    TlsSide s = {0};
    uint32_t ev = 0;
    assert_int_equal(tls_parse_sslv2(rec, sizeof(rec), true, &s, &ev), 0);
    assert_true(s.is_sslv2);
    assert_int_equal(s.hello_version, 0x0301);
    tls_side_deinit(&s);
}

static void version_names(void **state)
{
    (void)state;
    assert_string_equal(tls_version_name(0x0301), "TLSv1");
    assert_string_equal(tls_version_name(0x0303), "TLS 1.2");
    assert_string_equal(tls_version_name(0x7f12), "TLS 1.3 draft-18");
    assert_string_equal(tls_version_name(0x7f00), "TLS 1.3 draft-<16");
    assert_string_equal(tls_version_name(0x1234), "UNDETERMINED");
    assert_true(tls_is_grease(0xfafa));
    assert_false(tls_is_grease(0xfafb));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_hello_fields),
        cmocka_unit_test(ja3_and_ja4_of_a_client_hello),
        cmocka_unit_test(ja4_without_sni_says_i),
        cmocka_unit_test(server_hello_version_and_ja3s),
        cmocka_unit_test(truncated_hellos_fail_cleanly),
        cmocka_unit_test(garbage_never_crashes),
        cmocka_unit_test(sni_problems_raise_events),
        cmocka_unit_test(certificate_fields),
        cmocka_unit_test(repeated_certificates_decode_the_same),
        cmocka_unit_test(certificate_chain_is_capped),
        cmocka_unit_test(bad_certificates_raise_events),
        cmocka_unit_test(sslv2_client_hello),
        cmocka_unit_test(version_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
