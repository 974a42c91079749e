/* TLS fingerprints from the public specifications:
 *
 * JA3 (salesforce/ja3): "version,ciphers,extensions,groups,point_formats" of a
 * ClientHello in decimal, list items joined by '-', GREASE values (RFC 8701) left out;
 * the hash is the md5 of that string. JA3S: "version,cipher,extensions" of a ServerHello.
 *
 * JA4 (FoxIO JA4 technical details): a_b_c where a = protocol (t TCP, q QUIC), the
 * highest offered version (supported_versions, else the hello version: 13 12 11 10 s3
 * s2 d1 d2 d3, else 00), d when a server_name extension is present else i, the cipher
 * and extension counts (GREASE left out, two digits, at most 99), the first and last
 * character of the first ALPN value (00 without ALPN; the hex form's first and last
 * digit when those characters are not alphanumeric); b = the first 12 hex digits of the
 * sha256 of the sorted ciphers ("%04x" joined by ','); c = the same over the sorted
 * extensions without SNI and ALPN, followed by '_' and the signature algorithms in
 * their original order (the '_' also when there are none: the reference values from
 * Suricata's conformance cases hash it so). */
#include "app-layer/tls/app-layer-tls.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-error.h"

typedef struct Str {
    char *p;
    size_t len;
    size_t cap;
    bool failed;
} Str;

/* Appends fmt formatted with v (fmt holds at most one %u/%04x; "," style literals
 * ignore v). */
static void str_add(Str *s, const char *fmt, unsigned v)
{
    char tmp[16];
    int n = strchr(fmt, '%') != NULL ? snprintf(tmp, sizeof(tmp), fmt, v)
                                     : snprintf(tmp, sizeof(tmp), "%s", fmt);
    if (s->failed || n < 0) {
        return;
    }
    if (s->len + (size_t)n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        while (cap < s->len + (size_t)n + 1) {
            cap *= 2;
        }
        char *np = realloc(s->p, cap);
        if (np == NULL) {
            s->failed = true;
            return;
        }
        s->p = np;
        s->cap = cap;
    }
    memcpy(s->p + s->len, tmp, (size_t)n + 1);
    s->len += (size_t)n;
}

static void add_list16(Str *s, const uint16_t *v, uint32_t n)
{
    bool first = true;
    for (uint32_t i = 0; i < n; i++) {
        if (tls_is_grease(v[i])) {
            continue;
        }
        str_add(s, first ? "%u" : "-%u", v[i]);
        first = false;
    }
}

static void hex_digest(const EVP_MD *md, const void *data, size_t len, char *out, size_t n_hex)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    if (EVP_Digest(data, len, d, &dl, md, NULL) != 1) {
        dl = 0;
    }
    size_t o = 0;
    for (unsigned i = 0; i < dl && o + 2 <= n_hex; i++) {
        snprintf(out + o, 3, "%02x", d[i]);
        o += 2;
    }
    out[o < n_hex ? o : n_hex] = '\0';
}

int tls_ja3_compute(TlsSide *s, bool is_client)
{
    Str str = {0};
    str_add(&str, "%u,", s->hello_version);
    add_list16(&str, s->ciphers, s->n_ciphers);
    str_add(&str, ",", 0);
    add_list16(&str, s->exts, s->n_exts);
    if (is_client) {
        str_add(&str, ",", 0);
        add_list16(&str, s->groups, s->n_groups);
        str_add(&str, ",", 0);
        for (uint32_t i = 0; i < s->n_ec_formats; i++) {
            str_add(&str, i == 0 ? "%u" : "-%u", s->ec_formats[i]);
        }
    }
    if (str.failed || str.p == NULL) {
        free(str.p);
        return VG_ENOMEM;
    }
    free(s->ja3);
    s->ja3 = str.p;
    hex_digest(EVP_md5(), str.p, str.len, s->ja3_hash, 32);
    return 0;
}

static const char *ja4_version(uint16_t v)
{
    switch (v) {
    case TLS_V_13:
        return "13";
    case TLS_V_12:
        return "12";
    case TLS_V_11:
        return "11";
    case TLS_V_10:
        return "10";
    case TLS_V_SSL3:
        return "s3";
    case TLS_V_SSL2:
        return "s2";
    case 0xfeff:
        return "d1";
    case 0xfefd:
        return "d2";
    case 0xfefc:
        return "d3";
    default:
        return "00";
    }
}

static int cmp16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a;
    uint16_t y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* sha256 prefix of the sorted, filtered list (and sig algs after '_'), or zeros. */
static void ja4_hash(const uint16_t *v, uint32_t n, bool is_ext, const uint16_t *sig,
                     uint32_t n_sig, char out[13])
{
    uint16_t tmp[TLS_MAX_LIST];
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && k < TLS_MAX_LIST; i++) {
        if (tls_is_grease(v[i]) || (is_ext && (v[i] == 0 || v[i] == 16))) {
            continue;
        }
        tmp[k++] = v[i];
    }
    if (k == 0) {
        memcpy(out, "000000000000", 13);
        return;
    }
    qsort(tmp, k, sizeof(tmp[0]), cmp16);
    Str s = {0};
    for (uint32_t i = 0; i < k; i++) {
        str_add(&s, i == 0 ? "%04x" : ",%04x", tmp[i]);
    }
    if (is_ext) {
        str_add(&s, "_", 0);     // also without signature algorithms, as Suricata does
    }
    bool first = true;
    for (uint32_t i = 0; i < n_sig; i++) {
        if (tls_is_grease(sig[i])) {
            continue;
        }
        str_add(&s, first ? "%04x" : ",%04x", sig[i]);
        first = false;
    }
    if (s.failed || s.p == NULL) {
        memcpy(out, "000000000000", 13);
    } else {
        hex_digest(EVP_sha256(), s.p, s.len, out, 12);
    }
    free(s.p);
}

static char hex_digit(unsigned v)
{
    return "0123456789abcdef"[v & 0xf];
}

void tls_ja4_compute(TlsSide *s, bool is_quic)
{
    uint32_t n_ciphers = 0;
    uint32_t n_exts = 0;
    bool has_sni = false;
    for (uint32_t i = 0; i < s->n_ciphers; i++) {
        n_ciphers += !tls_is_grease(s->ciphers[i]);
    }
    for (uint32_t i = 0; i < s->n_exts; i++) {
        n_exts += !tls_is_grease(s->exts[i]);
        has_sni |= s->exts[i] == 0;
    }
    char alpn[3] = "00";
    if (s->alpn.len >= 2 && s->alpn.data[0] > 0) {
        const uint8_t *v = s->alpn.data + 1;
        uint8_t vl = s->alpn.data[0];
        if (isalnum(v[0]) && isalnum(v[vl - 1])) {
            alpn[0] = (char)v[0];
            alpn[1] = (char)v[vl - 1];
        } else {
            alpn[0] = hex_digit(v[0] >> 4);
            alpn[1] = hex_digit(v[vl - 1]);
        }
    }
    uint16_t ver = s->max_version != 0 ? s->max_version : s->hello_version;
    char b[13];
    char c[13];
    ja4_hash(s->ciphers, s->n_ciphers, false, NULL, 0, b);
    ja4_hash(s->exts, s->n_exts, true, s->sig_algs, s->n_sig_algs, c);
    snprintf(s->ja4, sizeof(s->ja4), "%c%s%c%02u%02u%s_%s_%s", is_quic ? 'q' : 't',
             ja4_version(ver), has_sni ? 'd' : 'i', n_ciphers > 99 ? 99 : n_ciphers,
             n_exts > 99 ? 99 : n_exts, alpn, b, c);
}
