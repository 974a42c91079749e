/* X.509 certificates through OpenSSL's libcrypto (d2i_X509): subject and issuer as
 * "C=FR, ST=IDF, CN=x" (short attribute names in certificate order, values as UTF-8
 * bytes, nothing escaped: a NUL inside a value stays a NUL, as rules expect), the serial
 * as the DER integer's content bytes in upper-case hex, the SHA-1 fingerprint of the DER
 * in lower-case hex, validity dates, and DNS subjectAltNames.
 *
 * d2i_X509 costs tens of microseconds a certificate (OpenSSL 3 decodes the public key
 * through its provider machinery), and the same certificates come again and again (every
 * connection to a server sends its chain): each thread keeps the decoded fields of its
 * last certificates keyed by the exact DER bytes (compared byte for byte), so a repeat
 * gets the very result a decode would give. */
#include "app-layer/tls/app-layer-tls.h"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/util-hash.h"
#include "util/util-lru.h"
#include "util/util-thread-list.h"
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

static int cert_decode(const uint8_t *der, uint32_t len, TlsCert *c)
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

/* ---- per-thread cache of decoded certificates ------------------------------ */

/* Up to 512 certificates, the least recently used out (util-lru: a direct-mapped table
 * of 64 slots lost most repeats to slot conflicts once a few hundred servers were seen),
 * holding at most CERT_CACHE_BUDGET bytes of DER copies per thread whatever comes. */
#define CERT_CACHE_CAP 512u
#define CERT_CACHE_MAX_DER (16u * 1024u)   // larger certificates are decoded every time
#define CERT_CACHE_BUDGET (2u * 1024u * 1024u)

typedef struct CertEntry {
    uint8_t *der;                          // the key; NULL: empty slot
    uint32_t len;
    int rc;                                // 0 or VG_EINVAL, as the decode returned
    TlsCert cert;                          // rc == 0: the fields (cert.der unused)
} CertEntry;

typedef struct CertCache {
    UtilThreadNode node;                   // first: in g_caches
    UtilLru index;                         // slots of slot[]
    CertEntry slot[CERT_CACHE_CAP];
    uint32_t der_bytes;                    // sum of the held entries' len
} CertCache;

/* Each thread lists its cache once in g_caches; tls_cert_cache_deinit frees them all at
 * teardown (util-thread-list.h). */
static UtilThreadList g_caches = UTIL_THREAD_LIST_INIT;
static _Thread_local CertCache *t_cache;
static _Thread_local uint64_t t_generation;

static CertCache *thread_cache(void)
{
    uint64_t gen = util_thread_list_generation(&g_caches);
    if (t_cache != NULL && t_generation == gen) {
        return t_cache;
    }
    CertCache *cc = calloc(1, sizeof(*cc));
    if (cc == NULL) {
        return NULL;
    }
    if (util_lru_init(&cc->index, CERT_CACHE_CAP) != 0) {
        free(cc);
        return NULL;
    }
    util_thread_list_add(&g_caches, &cc->node);
    t_cache = cc;
    t_generation = gen;
    return cc;
}

static bool bytes_copy(TlsBytes *dst, const TlsBytes *src)
{
    dst->data = malloc(src->len ? src->len : 1);
    if (dst->data == NULL) {
        dst->len = 0;
        return false;
    }
    memcpy(dst->data, src->data, src->len);
    dst->len = src->len;
    return true;
}

/* dst (zeroed) gets src's decoded fields, not its der; false (dst freed) without memory. */
static bool fields_copy(TlsCert *dst, const TlsCert *src)
{
    memcpy(dst->serial, src->serial, sizeof(dst->serial));
    memcpy(dst->fingerprint, src->fingerprint, sizeof(dst->fingerprint));
    dst->not_before = src->not_before;
    dst->not_after = src->not_after;
    dst->has_dates = src->has_dates;
    bool ok = bytes_copy(&dst->subject, &src->subject) && bytes_copy(&dst->issuer, &src->issuer);
    if (ok && src->san != NULL) {
        dst->san = calloc(TLS_MAX_SAN, sizeof(TlsBytes));
        ok = dst->san != NULL;
        for (uint32_t i = 0; ok && i < src->n_san; i++) {
            ok = bytes_copy(&dst->san[i], &src->san[i]);
            dst->n_san += ok;
        }
    }
    if (!ok) {
        tls_cert_deinit(dst);
    }
    return ok;
}

static void entry_clear(CertCache *cc, CertEntry *e)
{
    if (e->der != NULL) {
        cc->der_bytes -= e->len;
    }
    free(e->der);
    e->der = NULL;
    tls_cert_deinit(&e->cert);
}

static void entry_store(CertCache *cc, uint64_t hash, const uint8_t *der, uint32_t len, int rc,
                        const TlsCert *c)
{
    while (cc->der_bytes + len > CERT_CACHE_BUDGET && cc->index.lru != UTIL_LRU_NONE) {
        uint32_t old = cc->index.lru;
        entry_clear(cc, &cc->slot[old]);
        util_lru_remove(&cc->index, old);
    }
    uint32_t i = util_lru_take(&cc->index);
    CertEntry *e = &cc->slot[i];
    entry_clear(cc, e);
    e->der = malloc(len);
    if (e->der == NULL || (rc == 0 && !fields_copy(&e->cert, c))) {
        free(e->der);
        e->der = NULL;
        util_lru_release(&cc->index, i);
        return;
    }
    memcpy(e->der, der, len);
    e->len = len;
    e->rc = rc;
    cc->der_bytes += len;
    util_lru_insert(&cc->index, i, hash);
}

int tls_cert_decode(const uint8_t *der, uint32_t len, TlsCert *c)
{
    CertCache *cc = len > 0 && len <= CERT_CACHE_MAX_DER ? thread_cache() : NULL;
    if (cc == NULL) {
        return cert_decode(der, len, c);
    }
    uint64_t hash = util_hash_bytes(der, len);
    for (uint32_t i = util_lru_find(&cc->index, hash); i != UTIL_LRU_NONE;
         i = util_lru_find_next(&cc->index, cc->index.node[i].chain, hash)) {
        CertEntry *e = &cc->slot[i];
        if (e->len != len || memcmp(e->der, der, len) != 0) {
            continue;
        }
        util_lru_touch(&cc->index, i);
        memset(c, 0, sizeof(*c));
        if (e->rc != 0) {
            return e->rc;
        }
        TlsBytes in = {(uint8_t *)der, len};
        if (bytes_copy(&c->der, &in) && fields_copy(c, &e->cert)) {
            return 0;
        }
        tls_cert_deinit(c);
        return VG_ENOMEM;
    }
    int rc = cert_decode(der, len, c);
    if (rc == 0 || rc == VG_EINVAL) {   // not an out-of-memory, which may pass
        entry_store(cc, hash, der, len, rc, c);
    }
    return rc;
}

void tls_cert_cache_deinit(void)
{
    UtilThreadNode *n = util_thread_list_take(&g_caches);
    while (n != NULL) {
        UtilThreadNode *next = n->next;
        CertCache *cc = (CertCache *)n;
        for (uint32_t i = 0; i < CERT_CACHE_CAP; i++) {
            entry_clear(cc, &cc->slot[i]);
        }
        util_lru_free(&cc->index);
        free(cc);
        n = next;
    }
    t_cache = NULL;
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
