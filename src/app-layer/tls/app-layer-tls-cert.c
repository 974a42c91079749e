/* X.509 certificates through OpenSSL's libcrypto (d2i_X509): subject and issuer as
 * "C=FR, ST=IDF, CN=x" (short attribute names in certificate order, values as UTF-8
 * bytes, nothing escaped: a NUL inside a value stays a NUL, as rules expect), the serial
 * as the DER integer's content bytes in upper-case hex, the SHA-1 fingerprint of the DER
 * in lower-case hex, validity dates, and DNS subjectAltNames. */
#include "app-layer/tls/app-layer-tls.h"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/util-error.h"

#define TLS_NAME_MAX 4096        // subject/issuer strings are cut here

static bool name_format(const X509_NAME *name, TlsBytes *out)
{
    uint8_t buf[TLS_NAME_MAX];
    uint32_t n = 0;
    int cnt = name != NULL ? X509_NAME_entry_count(name) : 0;
    for (int i = 0; i < cnt; i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
        char key[80];
        int nid = OBJ_obj2nid(obj);
        const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
        if (sn != NULL) {
            snprintf(key, sizeof(key), "%s", sn);
        } else if (OBJ_obj2txt(key, sizeof(key), obj, 1) <= 0) {
            snprintf(key, sizeof(key), "?");
        }
        unsigned char *val = NULL;
        int vlen = ASN1_STRING_to_UTF8(&val, X509_NAME_ENTRY_get_data(e));
        if (vlen < 0) {
            vlen = 0;
        }
        size_t klen = strlen(key);
        size_t need = (i > 0 ? 2 : 0) + klen + 1 + (size_t)vlen;
        if (n + need <= sizeof(buf)) {
            if (i > 0) {
                memcpy(buf + n, ", ", 2);
                n += 2;
            }
            memcpy(buf + n, key, klen);
            n += (uint32_t)klen;
            buf[n++] = '=';
            if (vlen > 0) {
                memcpy(buf + n, val, (size_t)vlen);
                n += (uint32_t)vlen;
            }
        }
        OPENSSL_free(val);
    }
    out->data = malloc(n ? n : 1);
    if (out->data == NULL) {
        return false;
    }
    memcpy(out->data, buf, n);
    out->len = n;
    return true;
}

static void serial_format(const ASN1_INTEGER *sn, char *out, size_t size)
{
    out[0] = '\0';
    unsigned char *der = NULL;
    int len = i2d_ASN1_INTEGER(sn, &der);
    if (len < 2) {
        OPENSSL_free(der);
        return;
    }
    /* Skip tag and length (short or long form). */
    int off = 2;
    if (der[1] & 0x80) {
        off += der[1] & 0x7f;
    }
    size_t o = 0;
    for (int i = off; i < len && o + 3 < size; i++) {
        o += (size_t)snprintf(out + o, size - o, i == off ? "%02X" : ":%02X", der[i]);
    }
    OPENSSL_free(der);
}

static bool time_of(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        return false;
    }
    *out = (int64_t)timegm(&tm);
    return true;
}

static bool san_collect(X509 *x, TlsCert *c)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) {
        return true;
    }
    int n = sk_GENERAL_NAME_num(names);
    bool ok = true;
    for (int i = 0; i < n && c->n_san < TLS_MAX_SAN && ok; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        if (g->type != GEN_DNS) {
            continue;
        }
        const ASN1_IA5STRING *s = g->d.dNSName;
        if (c->san == NULL) {
            c->san = calloc(TLS_MAX_SAN, sizeof(TlsBytes));
            if (c->san == NULL) {
                ok = false;
                break;
            }
        }
        int len = ASN1_STRING_length(s);
        TlsBytes *b = &c->san[c->n_san];
        b->data = malloc(len > 0 ? (size_t)len : 1);
        if (b->data == NULL) {
            ok = false;
            break;
        }
        memcpy(b->data, ASN1_STRING_get0_data(s), (size_t)len);
        b->len = (uint32_t)len;
        c->n_san++;
    }
    GENERAL_NAMES_free(names);
    return ok;
}

int tls_cert_decode(const uint8_t *der, uint32_t len, TlsCert *c)
{
    memset(c, 0, sizeof(*c));
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL) {
        return VG_EINVAL;
    }
    int rc = VG_ENOMEM;
    c->der.data = malloc(len ? len : 1);
    if (c->der.data == NULL) {
        goto fail;
    }
    memcpy(c->der.data, der, len);
    c->der.len = len;
    if (!name_format(X509_get_subject_name(x), &c->subject) ||
        !name_format(X509_get_issuer_name(x), &c->issuer) || !san_collect(x, c)) {
        goto fail;
    }
    serial_format(X509_get0_serialNumber(x), c->serial, sizeof(c->serial));
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_Digest(der, len, md, &md_len, EVP_sha1(), NULL) == 1) {
        size_t o = 0;
        for (unsigned i = 0; i < md_len && o + 3 < sizeof(c->fingerprint); i++) {
            o += (size_t)snprintf(c->fingerprint + o, sizeof(c->fingerprint) - o,
                                  i == 0 ? "%02x" : ":%02x", md[i]);
        }
    }
    c->has_dates = time_of(X509_get0_notBefore(x), &c->not_before) &&
                   time_of(X509_get0_notAfter(x), &c->not_after);
    X509_free(x);
    return 0;
fail:
    X509_free(x);
    tls_cert_deinit(c);
    return rc;
}

void tls_cert_deinit(TlsCert *c)
{
    free(c->der.data);
    free(c->subject.data);
    free(c->issuer.data);
    for (uint32_t i = 0; i < c->n_san; i++) {
        free(c->san[i].data);
    }
    free(c->san);
    memset(c, 0, sizeof(*c));
}

void tls_time_format(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL) {
        snprintf(buf, size, "1970-01-01T00:00:00");
        return;
    }
    strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
}
