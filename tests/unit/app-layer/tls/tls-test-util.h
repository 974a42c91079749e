#ifndef VG_TESTS_TLS_TEST_UTIL_H
#define VG_TESTS_TLS_TEST_UTIL_H

/* Builds TLS handshake messages and records byte by byte for the TLS tests (RFC 8446
 * 4.1.2 ClientHello, 4.1.3 ServerHello, RFC 5246 7.4.2 Certificate, 6.2 records), and a
 * self-signed certificate made with libcrypto (its signature differs per run: tests
 * compare fingerprints with the sha1 of the DER they got). */

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <string.h>

typedef struct TlsBuild {
    uint8_t b[70000];
    uint32_t n;
} TlsBuild;

static inline void tb_u8(TlsBuild *t, uint8_t v)
{
    t->b[t->n++] = v;
}

static inline void tb_u16(TlsBuild *t, uint16_t v)
{
    tb_u8(t, (uint8_t)(v >> 8));
    tb_u8(t, (uint8_t)v);
}

static inline void tb_u24(TlsBuild *t, uint32_t v)
{
    tb_u8(t, (uint8_t)(v >> 16));
    tb_u16(t, (uint16_t)v);
}

static inline void tb_bytes(TlsBuild *t, const void *p, uint32_t n)
{
    if (n == 0) {
        return;
    }
    memcpy(t->b + t->n, p, n);
    t->n += n;
}

/* Patches a 16-bit (or 24-bit) length at off to cover everything after it. */
static inline void tb_len16(TlsBuild *t, uint32_t off)
{
    uint32_t l = t->n - off - 2;
    t->b[off] = (uint8_t)(l >> 8);
    t->b[off + 1] = (uint8_t)l;
}

static inline void tb_len24(TlsBuild *t, uint32_t off)
{
    uint32_t l = t->n - off - 3;
    t->b[off] = (uint8_t)(l >> 16);
    t->b[off + 1] = (uint8_t)(l >> 8);
    t->b[off + 2] = (uint8_t)l;
}

/* ClientHello body (no handshake header): version 0x0303, random 0x11.., session id of
 * 4 bytes, ciphers {0x0a0a GREASE, 0x1301, 0xc02f, 0x002f}, null compression, extensions:
 * GREASE 0x1a1a, server_name(sni), supported_groups {0x001d, 0x0017},
 * ec_point_formats {0}, signature_algorithms {0x0403, 0x0804}, ALPN {h2, http/1.1},
 * supported_versions {0x0304, 0x0303}. */
static inline void tb_client_hello_body(TlsBuild *t, const char *sni)
{
    t->n = 0;
    tb_u16(t, 0x0303);
    for (int i = 0; i < 32; i++) {
        tb_u8(t, 0x11);
    }
    tb_u8(t, 4);
    tb_bytes(t, "\x01\x02\x03\x04", 4);
    tb_u16(t, 8);
    tb_u16(t, 0x0a0a);
    tb_u16(t, 0x1301);
    tb_u16(t, 0xc02f);
    tb_u16(t, 0x002f);
    tb_u8(t, 1);
    tb_u8(t, 0);
    uint32_t ext = t->n;
    tb_u16(t, 0);
    tb_u16(t, 0x1a1a);
    tb_u16(t, 0);
    if (sni != NULL) {
        uint16_t l = (uint16_t)strlen(sni);
        tb_u16(t, 0);
        tb_u16(t, (uint16_t)(l + 5));
        tb_u16(t, (uint16_t)(l + 3));
        tb_u8(t, 0);
        tb_u16(t, l);
        tb_bytes(t, sni, l);
    }
    tb_u16(t, 10);
    tb_u16(t, 6);
    tb_u16(t, 4);
    tb_u16(t, 0x001d);
    tb_u16(t, 0x0017);
    tb_u16(t, 11);
    tb_u16(t, 2);
    tb_u8(t, 1);
    tb_u8(t, 0);
    tb_u16(t, 13);
    tb_u16(t, 6);
    tb_u16(t, 4);
    tb_u16(t, 0x0403);
    tb_u16(t, 0x0804);
    tb_u16(t, 16);
    tb_u16(t, 14);
    tb_u16(t, 12);
    tb_u8(t, 2);
    tb_bytes(t, "h2", 2);
    tb_u8(t, 8);
    tb_bytes(t, "http/1.1", 8);
    tb_u16(t, 43);
    tb_u16(t, 5);
    tb_u8(t, 4);
    tb_u16(t, 0x0304);
    tb_u16(t, 0x0303);
    tb_len16(t, ext);
}

/* ServerHello body: version 0x0303, random 0x22.., the client's session id, cipher
 * 0xc02f, extensions renegotiation_info (0xff01) and, when tls13, supported_versions
 * 0x0304. */
static inline void tb_server_hello_body(TlsBuild *t, bool tls13)
{
    t->n = 0;
    tb_u16(t, 0x0303);
    for (int i = 0; i < 32; i++) {
        tb_u8(t, 0x22);
    }
    tb_u8(t, 4);
    tb_bytes(t, "\x01\x02\x03\x04", 4);
    tb_u16(t, 0xc02f);
    tb_u8(t, 0);
    uint32_t ext = t->n;
    tb_u16(t, 0);
    tb_u16(t, 0xff01);
    tb_u16(t, 1);
    tb_u8(t, 0);
    if (tls13) {
        tb_u16(t, 43);
        tb_u16(t, 2);
        tb_u16(t, 0x0304);
    }
    tb_len16(t, ext);
}

/* Wraps body as handshake message type into dst (appended). */
static inline void tb_handshake(TlsBuild *dst, uint8_t type, const uint8_t *body, uint32_t n)
{
    tb_u8(dst, type);
    tb_u24(dst, n);
    tb_bytes(dst, body, n);
}

/* Wraps data into records of type (at most max bytes each), appended to dst. */
static inline void tb_records(TlsBuild *dst, uint8_t type, const uint8_t *data, uint32_t n,
                              uint32_t max)
{
    uint32_t off = 0;
    do {
        uint32_t l = n - off < max ? n - off : max;
        tb_u8(dst, type);
        tb_u16(dst, 0x0303);
        tb_u16(dst, (uint16_t)l);
        tb_bytes(dst, data + off, l);
        off += l;
    } while (off < n);
}

/* A self-signed EC certificate: subject = issuer = C=FR, O=Vigil, CN=<cn>, serial
 * 0x00a1b2 (DER content 00 A1 B2), valid 2020-01-01 to 2030-01-01, SAN DNS <cn> and
 * www.<cn>. DER into der (cap bytes); returns its length (0 on failure). */
static inline uint32_t tb_make_cert(const char *cn, uint8_t *der, uint32_t cap)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    uint32_t out = 0;
    if (key == NULL || x == NULL) {
        goto done;
    }
    X509_set_version(x, 2);
    ASN1_INTEGER *sn = ASN1_INTEGER_new();
    ASN1_INTEGER_set(sn, 0xa1b2);
    X509_set_serialNumber(x, sn);
    ASN1_INTEGER_free(sn);
    ASN1_TIME_set_string(X509_getm_notBefore(x), "20200101000000Z");
    ASN1_TIME_set_string(X509_getm_notAfter(x), "20300101000000Z");
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"FR", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Vigil", -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, key);
    char san[300];
    snprintf(san, sizeof(san), "DNS:%s,DNS:www.%s", cn, cn);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    X509_sign(x, key, EVP_sha256());
    int len = i2d_X509(x, NULL);
    if (len > 0 && (uint32_t)len <= cap) {
        unsigned char *p = der;
        out = (uint32_t)i2d_X509(x, &p);
    }
done:
    X509_free(x);
    EVP_PKEY_free(key);
    return out;
}

/* Certificate message body (TLS 1.2) carrying n copies of der. */
static inline void tb_certificate_body(TlsBuild *t, const uint8_t *der, uint32_t len, int n)
{
    t->n = 0;
    uint32_t list = t->n;
    tb_u24(t, 0);
    for (int i = 0; i < n; i++) {
        tb_u24(t, len);
        tb_bytes(t, der, len);
    }
    tb_len24(t, list);
}

#endif
