/* Transforms of an app-layer sticky buffer: url_decode, to_lowercase,
 * to_uppercase, strip_whitespace, compress_whitespace, dotprefix, from_base64,
 * pcrexform (the regex's first capture group, the buffer unchanged when it does not
 * match), zlib_deflate (zlib-wrapped deflate inflated, at most max-size bytes, 1024
 * by default: what decompressed before an error or the limit), xor ("hexkey": the
 * buffer xored with the key; offset N, extract L A: the buffer from N xored with the L
 * bytes at A as key, nothing when the buffer is shorter), subslice (start[, length]
 * [, truncate]: a negative start counts from the end; out of the buffer is empty, or
 * clamped with truncate), gunzip (as zlib_deflate, for gzip data), to_md5, to_sha1,
 * to_sha256 (the buffer becomes its raw digest).
 * They change the bytes the following payload keywords inspect. A transform
 * after a keyword of the buffer starts a new instance of it (Suricata's
 * semantics): keywords before it see the bytes untransformed, those after it the
 * transformed ones; each instance must match. Rules whose fast pattern is on a
 * transformed buffer are evaluated without prefilter. Also absent. */

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

/* A new instance of the current buffer carrying its transforms plus xf: later
 * keywords inspect the transformed bytes, earlier ones the bytes before. */
static DetectAppList *new_variant(DetectParser *dp, const DetectAppList *cur)
{
    int base = DETECT_LIST_APP_FIRST + (cur->list - DETECT_LIST_APP_FIRST) %
                                           DETECT_APP_VARIANT_STRIDE;
    uint8_t n = cur->n_xform;
    uint8_t cur_dir = cur->only_dir;
    uint8_t xf[DETECT_XFORM_MAX];
    DetectXformArg xa[DETECT_XFORM_MAX] = { 0 };
    memcpy(xf, cur->xform, sizeof(xf));
    if (cur->xarg != NULL) {
        memcpy(xa, cur->xarg, sizeof(xa));
    }
    for (int v = 1; base + v * DETECT_APP_VARIANT_STRIDE <= UINT16_MAX; v++) {
        int list = base + v * DETECT_APP_VARIANT_STRIDE;
        if (detect_sig_list(dp->s, list) != NULL) {
            continue;
        }
        if (detect_sig_list_get(dp, list) == NULL) {
            return NULL;
        }
        DetectAppList *al = detect_sig_app_list(dp->s, list);  // cur may have moved
        if (n > 0) {
            al->xarg = malloc(sizeof(xa));
            if (al->xarg == NULL) {
                return NULL;
            }
            memcpy(al->xarg, xa, sizeof(xa));
        }
        memcpy(al->xform, xf, sizeof(xf));
        al->n_xform = n;
        al->only_dir = cur_dir;
        dp->pm_list = (uint16_t)list;
        dp->last_list = (uint16_t)list;
        dp->last_pm = -1;
        return al;
    }
    return NULL;
}

static int add_xform_arg(DetectParser *dp, uint8_t xf, const DetectXformArg *xa,
                         const char *name)
{
    DetectAppList *al = dp->pm_list >= DETECT_LIST_APP_FIRST
                            ? detect_sig_app_list(dp->s, dp->pm_list)
                            : NULL;
    if (al == NULL) {
        return detect_err(dp, "%s needs an app-layer sticky buffer before it", name);
    }
    if (al->ml.n > 0 || al->absent != DETECT_ABSENT_NONE) {
        al = new_variant(dp, al);
        if (al == NULL) {
            return detect_err(dp, "too many instances of one buffer");
        }
    }
    if (al->n_xform >= DETECT_XFORM_MAX) {
        return detect_err(dp, "too many transforms on %s", detect_list_name(al->list));
    }
    if (al->xarg == NULL && (al->xarg = calloc(DETECT_XFORM_MAX, sizeof(*al->xarg))) == NULL) {
        return detect_err(dp, "out of memory");
    }
    al->xarg[al->n_xform] = xa != NULL ? *xa : (DetectXformArg){ 0 };
    al->xform[al->n_xform++] = xf;
    return 0;
}

static int add_xform(DetectParser *dp, uint8_t xf, const char *name)
{
    return add_xform_arg(dp, xf, NULL, name);
}

#define XFORM(fn, xf, kwname)                                                                \
    static int fn(DetectParser *dp, const char *arg)                                         \
    {                                                                                        \
        (void)arg;                                                                           \
        return add_xform(dp, xf, kwname);                                                    \
    }

XFORM(setup_url_decode, DETECT_XF_URL_DECODE, "url_decode")
XFORM(setup_to_lowercase, DETECT_XF_TO_LOWER, "to_lowercase")
XFORM(setup_to_uppercase, DETECT_XF_TO_UPPER, "to_uppercase")
XFORM(setup_strip_whitespace, DETECT_XF_STRIP_WS, "strip_whitespace")
XFORM(setup_compress_whitespace, DETECT_XF_COMPRESS_WS, "compress_whitespace")
XFORM(setup_dotprefix, DETECT_XF_DOTPREFIX, "dotprefix")

#define XFORM_KW(var, kwname, fn, what)                                                      \
    const DetectKeyword var = {                                                              \
        .name = kwname, .desc = "transform: " what, .flags = DETECT_KW_NOOPT, .setup = fn,   \
    };

XFORM_KW(detect_kw_url_decode, "url_decode", setup_url_decode, "decode %XX and '+'")
XFORM_KW(detect_kw_to_lowercase, "to_lowercase", setup_to_lowercase, "ASCII lower case")
XFORM_KW(detect_kw_to_uppercase, "to_uppercase", setup_to_uppercase, "ASCII upper case")
XFORM_KW(detect_kw_strip_whitespace, "strip_whitespace", setup_strip_whitespace,
         "remove white space")
XFORM_KW(detect_kw_compress_whitespace, "compress_whitespace", setup_compress_whitespace,
         "runs of white space become one space")
XFORM_KW(detect_kw_dotprefix, "dotprefix", setup_dotprefix, "prefix the buffer with '.'")

/* from_base64[: offset N, bytes N, mode rfc4648|rfc2045|strict] */
static int setup_from_base64(DetectParser *dp, const char *arg)
{
    DetectXformArg xa = { .mode = DETECT_B64_RFC4648 };
    DetectKwTokens tk = { .n = 0 };
    if (arg != NULL && detect_kw_split(dp, arg, &tk, 3, false) != 0) {
        return VG_EINVAL;
    }
    for (int i = 0; i < tk.n; i++) {
        const char *t = tk.t[i];
        int64_t v;
        if (strncmp(t, "offset ", 7) == 0 && detect_parse_int(t + 7, 0, 65535, &v)) {
            xa.offset = (uint32_t)v;
        } else if (strncmp(t, "bytes ", 6) == 0 && detect_parse_int(t + 6, 1, 65535, &v)) {
            xa.bytes = (uint32_t)v;
        } else if (strcmp(t, "mode rfc4648") == 0) {
            xa.mode = DETECT_B64_RFC4648;
        } else if (strcmp(t, "mode rfc2045") == 0) {
            xa.mode = DETECT_B64_RFC2045;
        } else if (strcmp(t, "mode strict") == 0) {
            xa.mode = DETECT_B64_STRICT;
        } else {
            return detect_err(dp, "bad from_base64 option '%s' (offset N, bytes N, mode M)", t);
        }
    }
    return add_xform_arg(dp, DETECT_XF_FROM_BASE64, &xa, "from_base64");
}

/* pcrexform:"regex": a regex with at least one capture group. */
static int setup_pcrexform(DetectParser *dp, const char *arg)
{
    size_t len = arg != NULL ? strlen(arg) : 0;
    if (len < 2 || arg[0] != '"' || arg[len - 1] != '"') {
        return detect_err(dp, "pcrexform needs a quoted regex");
    }
    int err;
    PCRE2_SIZE eoff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)arg + 1, len - 2, 0, &err, &eoff, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(err, msg, sizeof(msg));
        return detect_err(dp, "bad pcrexform regex at offset %zu: %s", (size_t)eoff,
                          (const char *)msg);
    }
    uint32_t n_groups = 0;
    (void)pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &n_groups);
    DetectSigApp *a = dp->s->app;
    void **res = NULL;
    if (n_groups == 0 || a == NULL || a->n_xf_res >= 64 ||
        (res = realloc(a->xf_res, (a->n_xf_res + 1u) * sizeof(*res))) == NULL) {
        pcre2_code_free(re);
        return n_groups == 0 ? detect_err(dp, "pcrexform regex has no capture group")
                             : detect_err(dp, "pcrexform needs an app-layer sticky buffer "
                                              "before it");
    }
    a->xf_res = res;
    a->xf_res[a->n_xf_res++] = re;  // owned by the signature from here on
    DetectXformArg xa = { .re = re };
    return add_xform_arg(dp, DETECT_XF_PCREXFORM, &xa, "pcrexform");
}

static int setup_decompress(DetectParser *dp, const char *arg, uint8_t xf, const char *name);

/* zlib_deflate[:max-size N] (N in bytes, or with kb/mb). */
static int setup_zlib_deflate(DetectParser *dp, const char *arg)
{
    return setup_decompress(dp, arg, DETECT_XF_ZLIB_DEFLATE, "zlib_deflate");
}

/* gunzip[:max-size N] */
static int setup_gunzip(DetectParser *dp, const char *arg)
{
    return setup_decompress(dp, arg, DETECT_XF_GUNZIP, "gunzip");
}

static int setup_decompress(DetectParser *dp, const char *arg, uint8_t xf, const char *name)
{
    DetectXformArg xa = { .max_size = DETECT_ZLIB_MAX_DEFAULT };
    if (arg != NULL) {
        while (*arg == ' ') {
            arg++;
        }
        char *end = NULL;
        unsigned long long v = 0;
        if (strncmp(arg, "max-size", 8) == 0) {
            v = strtoull(arg + 8, &end, 10);
        }
        while (end != NULL && *end == ' ') {
            end++;
        }
        uint64_t unit = 1;
        if (end != NULL && (strcasecmp(end, "kb") == 0 || strcasecmp(end, "kib") == 0)) {
            unit = 1024;
        } else if (end != NULL && (strcasecmp(end, "mb") == 0 || strcasecmp(end, "mib") == 0)) {
            unit = 1024 * 1024;
        } else if (end == NULL || *end != '\0') {
            return detect_err(dp, "bad %s option '%s' (max-size N)", name, arg);
        }
        if (v == 0 || v > DETECT_ZLIB_MAX_LIMIT || v * unit > DETECT_ZLIB_MAX_LIMIT) {
            return detect_err(dp, "%s max-size out of range (1 to 16 MiB)", name);
        }
        xa.max_size = (uint32_t)(v * unit);
    }
    return add_xform_arg(dp, xf, &xa, name);
}

static int hexval(uint8_t c);

static int xor_fixed_key(DetectParser *dp, const char *hex, size_t n, DetectXformArg *xa)
{
    if (n == 0 || n % 2 != 0 || n / 2 > 255) {
        return detect_err(dp, "xor key must be an even number of hex digits (at most 255 bytes)");
    }
    DetectSigApp *a = dp->s->app;
    uint8_t *key = malloc(n / 2);
    uint8_t **keys = a != NULL && key != NULL && a->n_xf_keys < 64
                         ? realloc(a->xf_keys, (a->n_xf_keys + 1u) * sizeof(*keys))
                         : NULL;
    if (keys == NULL) {
        free(key);
        return detect_err(dp, "xor needs an app-layer sticky buffer before it");
    }
    a->xf_keys = keys;
    a->xf_keys[a->n_xf_keys++] = key;  // owned by the signature from here on
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval((uint8_t)hex[2 * i]);
        int lo = hexval((uint8_t)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return detect_err(dp, "xor key is not hex");
        }
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    xa->key = key;
    xa->key_len = (uint32_t)(n / 2);
    return 0;
}

/* xor:"hexkey" or xor:offset N, extract L A (the key read from the buffer). */
static int setup_xor(DetectParser *dp, const char *arg)
{
    DetectXformArg xa = { 0 };
    size_t n = arg != NULL ? strlen(arg) : 0;
    if (n >= 2 && arg[0] == '"' && arg[n - 1] == '"') {
        int rc = xor_fixed_key(dp, arg + 1, n - 2, &xa);
        return rc != 0 ? rc : add_xform_arg(dp, DETECT_XF_XOR, &xa, "xor");
    }
    DetectKwTokens tk;
    if (arg == NULL || detect_kw_split(dp, arg, &tk, 2, false) != 0) {
        return detect_err(dp, "xor needs a quoted hex key or offset N, extract L A");
    }
    bool has_key = false;
    for (int i = 0; i < tk.n; i++) {
        unsigned v1 = 0;
        unsigned v2 = 0;
        char extra;
        if (sscanf(tk.t[i], "offset %u %c", &v1, &extra) == 1 && v1 <= 65535) {
            xa.offset = v1;
        } else if (sscanf(tk.t[i], "extract %u %u %c", &v1, &v2, &extra) == 2 && v1 > 0 &&
                   v1 <= 255 && v2 <= 65535) {
            xa.key_len = v1;
            xa.key_at = v2;
            has_key = true;
        } else {
            return detect_err(dp, "bad xor option '%s' (offset N, extract L A)", tk.t[i]);
        }
    }
    if (!has_key) {
        return detect_err(dp, "xor needs extract L A when the key is not given");
    }
    return add_xform_arg(dp, DETECT_XF_XOR, &xa, "xor");
}

/* subslice:start[, length][, truncate] */
static int setup_subslice(DetectParser *dp, const char *arg)
{
    DetectKwTokens tk;
    if (arg == NULL || detect_kw_split(dp, arg, &tk, 3, false) != 0) {
        return detect_err(dp, "subslice needs start[, length][, truncate]");
    }
    DetectXformArg xa = { 0 };
    int64_t v;
    if (!detect_parse_int(tk.t[0], -65535, 65535, &v)) {
        return detect_err(dp, "bad subslice start '%s'", tk.t[0]);
    }
    xa.start = (int32_t)v;
    for (int i = 1; i < tk.n; i++) {
        if (strcmp(tk.t[i], "truncate") == 0) {
            xa.truncate = true;
        } else if (i == 1 && detect_parse_int(tk.t[i], 0, 65535, &v)) {
            xa.length = (uint32_t)v;
            xa.has_length = true;
        } else {
            return detect_err(dp, "bad subslice option '%s'", tk.t[i]);
        }
    }
    return add_xform_arg(dp, DETECT_XF_SUBSLICE, &xa, "subslice");
}

const DetectKeyword detect_kw_xor = {
    .name = "xor", .desc = "transform: xor with a key (\"hex\", or offset N, extract L A)",
    .flags = DETECT_KW_RAW_VALUE, .setup = setup_xor,
};

const DetectKeyword detect_kw_subslice = {
    .name = "subslice", .desc = "transform: part of the buffer (start[, length][, truncate])",
    .setup = setup_subslice,
};

XFORM(setup_to_md5, DETECT_XF_TO_MD5, "to_md5")
XFORM(setup_to_sha1, DETECT_XF_TO_SHA1, "to_sha1")
XFORM(setup_to_sha256, DETECT_XF_TO_SHA256, "to_sha256")
XFORM_KW(detect_kw_to_md5, "to_md5", setup_to_md5, "the buffer's MD5 (16 raw bytes)")
XFORM_KW(detect_kw_to_sha1, "to_sha1", setup_to_sha1, "the buffer's SHA-1 (20 raw bytes)")
XFORM_KW(detect_kw_to_sha256, "to_sha256", setup_to_sha256,
         "the buffer's SHA-256 (32 raw bytes)")

const DetectKeyword detect_kw_gunzip = {
    .name = "gunzip", .desc = "transform: decompress gzip data ([max-size N])",
    .flags = DETECT_KW_OPTIONAL, .setup = setup_gunzip,
};

const DetectKeyword detect_kw_pcrexform = {
    .name = "pcrexform", .desc = "transform: the first capture group of a regex",
    .flags = DETECT_KW_RAW_VALUE, .setup = setup_pcrexform,
};

const DetectKeyword detect_kw_zlib_deflate = {
    .name = "zlib_deflate", .desc = "transform: inflate zlib data ([max-size N])",
    .flags = DETECT_KW_OPTIONAL, .setup = setup_zlib_deflate,
};

const DetectKeyword detect_kw_from_base64 = {
    .name = "from_base64", .desc = "transform: base64 decode ([offset N, bytes N, mode M])",
    .flags = DETECT_KW_OPTIONAL, .setup = setup_from_base64,
};

/* ---- runtime ------------------------------------------------------------ */

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '+' ? 62 : (c == '/' ? 63 : -1);
}

/* RFC 4648 stops at the first byte outside the alphabet, RFC 2045 skips such
 * bytes, strict decodes nothing when one is there; all stop at '='. A last
 * partial group gives the bytes it holds. */
static uint32_t base64_decode(const DetectXformArg *xa, const uint8_t *in, uint32_t len,
                              uint8_t *out)
{
    if (xa->offset >= len) {
        return 0;
    }
    in += xa->offset;
    len -= xa->offset;
    if (xa->bytes > 0 && xa->bytes < len) {
        len = xa->bytes;
    }
    uint32_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (uint32_t i = 0; i < len && in[i] != '='; i++) {
        int v = b64val(in[i]);
        if (v < 0) {
            if (xa->mode == DETECT_B64_RFC2045) {
                continue;
            }
            if (xa->mode == DETECT_B64_STRICT) {
                return 0;
            }
            break;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return n;
}

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (uint8_t)(c | 0x20);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* The first capture group of the regex, else the input unchanged. The match data is
 * made per call: pcrexform rules are rare, and the transform has no thread state. */
static uint32_t pcrexform(const DetectXformArg *xa, const uint8_t *in, uint32_t len,
                          uint8_t *out)
{
    uint32_t n = len;
    const uint8_t *from = in;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(xa->re, NULL);
    if (md != NULL && pcre2_match(xa->re, in, len, 0, 0, md, NULL) > 1) {
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (ov[2] != PCRE2_UNSET && ov[3] >= ov[2] && ov[3] <= len) {
            from = in + ov[2];
            n = (uint32_t)(ov[3] - ov[2]);
        }
    }
    pcre2_match_data_free(md);
    memmove(out, from, n);
    return n;
}

/* zlib-wrapped deflate to out (max_size bytes of room): what inflated before the end,
 * an error or the limit. */
static uint32_t zlib_inflate(const DetectXformArg *xa, const uint8_t *in, uint32_t len,
                             uint8_t *out, bool gzip)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, gzip ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK) {
        return 0;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = len;
    zs.next_out = out;
    zs.avail_out = xa->max_size;
    (void)inflate(&zs, Z_FINISH);
    uint32_t n = xa->max_size - zs.avail_out;
    inflateEnd(&zs);
    return n;
}

static uint32_t xor_apply(const DetectXformArg *xa, const uint8_t *in, uint32_t len,
                          uint8_t *out)
{
    const uint8_t *key = xa->key;
    uint32_t from = 0;
    if (key == NULL) {
        if ((uint64_t)xa->key_at + xa->key_len > len || xa->offset > len) {
            return 0;  // the key (or the data) is not in this buffer
        }
        key = in + xa->key_at;
        from = xa->offset;
    }
    uint8_t k[256];
    memcpy(k, key, xa->key_len);  // out may overlap nothing, but keep the key stable
    for (uint32_t i = 0; i + from < len; i++) {
        out[i] = in[from + i] ^ k[i % xa->key_len];
    }
    return len - from;
}

static uint32_t subslice(const DetectXformArg *xa, const uint8_t *in, uint32_t len,
                         uint8_t *out)
{
    int64_t start = xa->start < 0 ? (int64_t)len + xa->start : xa->start;
    if (start < 0 || start > len) {
        if (!xa->truncate) {
            return 0;
        }
        start = start < 0 ? 0 : len;
    }
    int64_t end = xa->has_length ? start + xa->length : (int64_t)len;
    if (end > len) {
        if (!xa->truncate) {
            return 0;
        }
        end = len;
    }
    if (end <= start) {
        return 0;
    }
    memmove(out, in + start, (size_t)(end - start));
    return (uint32_t)(end - start);
}

/* The raw digest of the buffer (out has room for 32 bytes). */
static uint32_t digest(uint8_t xf, const uint8_t *in, uint32_t len, uint8_t *out)
{
    const EVP_MD *md = xf == DETECT_XF_TO_MD5 ? EVP_md5() : xf == DETECT_XF_TO_SHA1 ? EVP_sha1()
                                                                                    : EVP_sha256();
    unsigned int n = 0;
    if (EVP_Digest(in, len, out, &n, md, NULL) != 1) {
        return 0;
    }
    return n;
}

/* One transform from in to out (out holds xform_room() bytes); returns the length. */
static uint32_t xform_one(uint8_t xf, const DetectXformArg *xa, const uint8_t *in, uint32_t len,
                          uint8_t *out)
{
    uint32_t n = 0;
    switch (xf) {
    case DETECT_XF_FROM_BASE64:
        return base64_decode(xa, in, len, out);
    case DETECT_XF_PCREXFORM:
        return pcrexform(xa, in, len, out);
    case DETECT_XF_ZLIB_DEFLATE:
    case DETECT_XF_GUNZIP:
        return zlib_inflate(xa, in, len, out, xf == DETECT_XF_GUNZIP);
    case DETECT_XF_TO_MD5:
    case DETECT_XF_TO_SHA1:
    case DETECT_XF_TO_SHA256:
        return digest(xf, in, len, out);
    case DETECT_XF_XOR:
        return xor_apply(xa, in, len, out);
    case DETECT_XF_SUBSLICE:
        return subslice(xa, in, len, out);
    case DETECT_XF_URL_DECODE:
        for (uint32_t i = 0; i < len; i++) {
            if (in[i] == '%' && i + 2 < len && hexval(in[i + 1]) >= 0 &&
                hexval(in[i + 2]) >= 0) {
                out[n++] = (uint8_t)(hexval(in[i + 1]) << 4 | hexval(in[i + 2]));
                i += 2;
            } else {
                out[n++] = in[i] == '+' ? ' ' : in[i];
            }
        }
        return n;
    case DETECT_XF_TO_LOWER:
    case DETECT_XF_TO_UPPER:
        for (uint32_t i = 0; i < len; i++) {
            uint8_t c = in[i];
            bool up = c >= 'A' && c <= 'Z';
            bool low = c >= 'a' && c <= 'z';
            out[i] = xf == DETECT_XF_TO_LOWER ? (up ? (uint8_t)(c + 32) : c)
                                              : (low ? (uint8_t)(c - 32) : c);
        }
        return len;
    case DETECT_XF_STRIP_WS:
        for (uint32_t i = 0; i < len; i++) {
            if (!is_ws(in[i])) {
                out[n++] = in[i];
            }
        }
        return n;
    case DETECT_XF_COMPRESS_WS:
        for (uint32_t i = 0; i < len; i++) {
            if (!is_ws(in[i])) {
                out[n++] = in[i];
            } else if (i == 0 || !is_ws(in[i - 1])) {
                out[n++] = ' ';
            }
        }
        return n;
    default:  // DETECT_XF_DOTPREFIX
        out[0] = '.';
        if (len > 0) {   // an empty buffer may come as NULL
            memcpy(out + 1, in, len);
        }
        return len + 1;
    }
}

bool detect_xform_apply(const uint8_t *xf, const DetectXformArg *xa, uint8_t n,
                        const uint8_t *in, uint32_t len, uint8_t *scratch[2], uint32_t cap[2],
                        const uint8_t **out, uint32_t *out_len)
{
    static const DetectXformArg none = { 0 };
    if (len > UINT32_MAX - DETECT_XFORM_MAX - 1) {
        return false;
    }
    for (uint8_t i = 0; i < n; i++) {
        uint8_t *dst = scratch[i % 2];
        const DetectXformArg *a = xa != NULL ? &xa[i] : &none;
        uint32_t need = xf[i] == DETECT_XF_ZLIB_DEFLATE || xf[i] == DETECT_XF_GUNZIP
                            ? a->max_size
                            : 32;  // a digest
        need = need > len + 1 ? need : len + 1;
        if (cap[i % 2] < need) {
            dst = realloc(scratch[i % 2], need);
            if (dst == NULL) {
                return false;
            }
            scratch[i % 2] = dst;
            cap[i % 2] = need;
        }
        len = xform_one(xf[i], a, in, len, dst);
        in = dst;
    }
    *out = in;
    *out_len = len;
    return true;
}

/* ---- absent ------------------------------------------------------------- */

/* absent[:or_else] on the current app sticky buffer. */
static int setup_absent(DetectParser *dp, const char *arg)
{
    DetectAppList *al = dp->pm_list >= DETECT_LIST_APP_FIRST
                            ? detect_sig_app_list(dp->s, dp->pm_list)
                            : NULL;
    if (al == NULL) {
        return detect_err(dp, "absent needs an app-layer sticky buffer before it");
    }
    if (al->ml.n > 0 || al->absent != DETECT_ABSENT_NONE) {
        return detect_err(dp, "absent must come first in its buffer");
    }
    if (arg != NULL && strcmp(arg, "or_else") != 0) {
        return detect_err(dp, "bad absent argument '%s' (or_else)", arg);
    }
    al->absent = arg != NULL ? DETECT_ABSENT_OR_ELSE : DETECT_ABSENT_ONLY;
    return 0;
}

const DetectKeyword detect_kw_absent = {
    .name = "absent", .desc = "the sticky buffer does not exist ([or_else]: or its keywords hold)",
    .flags = DETECT_KW_OPTIONAL, .setup = setup_absent,
};
