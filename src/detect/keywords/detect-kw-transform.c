/* Transforms of an app-layer sticky buffer: url_decode, to_lowercase,
 * to_uppercase, strip_whitespace, compress_whitespace, dotprefix. They follow
 * the sticky buffer, before its first payload keyword, and change the bytes
 * that keyword chain inspects (Suricata's semantics for these transforms).
 * Rules whose fast pattern is on a transformed buffer are evaluated without
 * prefilter. Transforms after a content of the same buffer (which Suricata
 * treats as a new buffer instance) are refused. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

static int add_xform(DetectParser *dp, uint8_t xf, const char *name)
{
    DetectAppList *al = dp->pm_list >= DETECT_LIST_APP_FIRST
                            ? detect_sig_app_list(dp->s, dp->pm_list)
                            : NULL;
    if (al == NULL) {
        return detect_err(dp, "%s needs an app-layer sticky buffer before it", name);
    }
    if (al->ml.n > 0) {
        snprintf(dp->err, sizeof(dp->err),
                 "unsupported: transform %s after a keyword of the same buffer", name);
        return VG_EUNSUPPORTED;
    }
    if (al->n_xform >= DETECT_XFORM_MAX) {
        return detect_err(dp, "too many transforms on %s", detect_list_name(al->list));
    }
    al->xform[al->n_xform++] = xf;
    return 0;
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

/* ---- runtime ------------------------------------------------------------ */

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

/* One transform from in to out (out holds len + 1 bytes); returns the length. */
static uint32_t xform_one(uint8_t xf, const uint8_t *in, uint32_t len, uint8_t *out)
{
    uint32_t n = 0;
    switch (xf) {
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
        memcpy(out + 1, in, len);
        return len + 1;
    }
}

bool detect_xform_apply(const uint8_t *xf, uint8_t n, const uint8_t *in, uint32_t len,
                        uint8_t *scratch[2], uint32_t cap[2], const uint8_t **out,
                        uint32_t *out_len)
{
    if (len > UINT32_MAX - DETECT_XFORM_MAX - 1) {
        return false;
    }
    for (uint8_t i = 0; i < n; i++) {
        uint8_t *dst = scratch[i % 2];
        uint32_t need = len + 1;
        if (cap[i % 2] < need) {
            dst = realloc(scratch[i % 2], need);
            if (dst == NULL) {
                return false;
            }
            scratch[i % 2] = dst;
            cap[i % 2] = need;
        }
        len = xform_one(xf[i], in, len, dst);
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
