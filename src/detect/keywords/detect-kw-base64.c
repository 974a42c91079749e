/* base64_decode and base64_data (Suricata's payload keywords).
 *
 * base64_decode:[bytes N][, offset N][, relative] decodes base64 from the
 * current buffer, at offset N from its start (or from the end of the previous
 * match with relative), at most N input bytes (default: the rest, output
 * capped at DETECT_B64_MAX bytes). It matches when something decodes. The
 * keywords after base64_data inspect the decoded bytes (DETECT_LIST_BASE64):
 * that list is terminal, so its match is the match of the whole buffer chain.
 * Decoding follows RFC 4648 as Suricata's base64_decode does: it stops at the
 * first byte outside the alphabet or the end of the input, decoding the whole
 * bytes of a last partial group; '=' pads a group. Matching is in detect-inspect.c. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

static int setup_base64_decode(DetectParser *dp, const char *arg)
{
    if (dp->pm_list == DETECT_LIST_BASE64) {
        return detect_err(dp, "base64_decode after base64_data");
    }
    DetectBase64 *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        return detect_err(dp, "out of memory");
    }
    DetectKwTokens tk;
    if (arg != NULL && detect_kw_split(dp, arg, &tk, 3, false) != 0) {
        free(b);
        return VG_EINVAL;
    }
    for (int i = 0; arg != NULL && i < tk.n; i++) {
        const char *t = tk.t[i];
        int64_t v;
        if (strcmp(t, "relative") == 0) {
            b->flags |= DETECT_PM_F_RELATIVE;
        } else if (strncmp(t, "bytes ", 6) == 0 && detect_parse_int(t + 6, 1, DETECT_B64_MAX * 4,
                                                                   &v)) {
            b->bytes = (uint32_t)v;
        } else if (strncmp(t, "offset ", 7) == 0 &&
                   detect_parse_int(t + 7, 0, 65535, &v)) {
            b->offset = (uint32_t)v;
        } else {
            free(b);
            return detect_err(dp, "bad base64_decode option '%s' (bytes N, offset N, relative)",
                              t);
        }
    }
    return detect_append(dp, DETECT_LIST_PMATCH, &detect_kw_base64_decode, b,
                         DETECT_PM_BASE64);
}

/* Later payload keywords inspect what the last base64_decode gave. */
static int setup_base64_data(DetectParser *dp, const char *arg)
{
    (void)arg;
    const DetectMatchList *l = detect_sig_list(dp->s, dp->pm_list);
    bool found = false;
    for (uint16_t i = 0; l != NULL && i < l->n; i++) {
        found = found || l->m[i].pm_type == DETECT_PM_BASE64;
    }
    if (!found) {
        return detect_err(dp, "base64_data without a base64_decode before it in its buffer");
    }
    dp->pm_list = DETECT_LIST_BASE64;
    dp->last_list = DETECT_LIST_BASE64;
    dp->last_pm = (int)dp->s->lists[DETECT_LIST_BASE64].n - 1;
    return 0;
}

const DetectKeyword detect_kw_base64_decode = {
    .name = "base64_decode",
    .desc = "decode base64 of the buffer ([bytes N][, offset N][, relative])",
    .flags = DETECT_KW_OPTIONAL,
    .setup = setup_base64_decode,
    .free = free,
};

const DetectKeyword detect_kw_base64_data = {
    .name = "base64_data",
    .desc = "sticky buffer: the bytes base64_decode decoded",
    .flags = DETECT_KW_NOOPT,
    .setup = setup_base64_data,
};

static int b64_value(uint8_t c)
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

/* One group of four sextets to three bytes; n_out of them are kept. */
static uint32_t put_group(const uint8_t g[4], uint32_t n_out, uint8_t *out, uint32_t room)
{
    uint8_t b[3] = { (uint8_t)(g[0] << 2 | g[1] >> 4), (uint8_t)(g[1] << 4 | g[2] >> 2),
                     (uint8_t)(g[2] << 6 | g[3]) };
    n_out = n_out < room ? n_out : room;
    memcpy(out, b, n_out);
    return n_out;
}

uint32_t detect_base64_decode(const uint8_t *in, uint32_t len, uint8_t *out, uint32_t out_size)
{
    uint8_t g[4] = { 0 };
    uint32_t n = 0;
    uint32_t k = 0;
    uint32_t pad = 0;
    for (uint32_t i = 0; i < len && n < out_size; i++) {
        int v = b64_value(in[i]);
        if (v < 0 && in[i] != '=') {
            break;
        }
        pad += v < 0 ? 1u : 0u;
        g[k++] = v < 0 ? 0 : (uint8_t)v;
        if (k == 4) {
            n += put_group(g, pad < 3 ? 3 - pad : 0, out + n, out_size - n);
            k = 0;
            pad = 0;
            memset(g, 0, sizeof(g));
        }
    }
    /* A last partial group gives the whole bytes it holds: two sextets one byte,
     * three two (a lone sextet none). */
    if (k > 1 && n < out_size) {
        n += put_group(g, k - 1, out + n, out_size - n);
    }
    return n;
}
