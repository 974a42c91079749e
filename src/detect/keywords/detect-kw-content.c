/* Payload keywords: content and its modifiers (nocase depth offset distance
 * within rawbytes fast_pattern startswith endswith), isdataat, dsize and
 * pkt_data. Matching of the payload chain is in detect-inspect.c. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Decodes the quoted content text (hex blocks, escapes) into out. */
static int decode_pattern(DetectParser *dp, const char *s, size_t len, uint8_t *out,
                          uint16_t *out_len)
{
    size_t n = 0;
    bool in_hex = false;
    int nibble = -1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '|') {
            if (in_hex && nibble >= 0) {
                return detect_err(dp, "odd number of hex digits in content");
            }
            in_hex = !in_hex;
            continue;
        }
        if (in_hex) {
            if (c == ' ' || c == '\t') {
                continue;
            }
            int v = hexval(c);
            if (v < 0) {
                return detect_err(dp, "bad hex character '%c' in content", c);
            }
            if (nibble < 0) {
                nibble = v;
                continue;
            }
            out[n++] = (uint8_t)(nibble << 4 | v);
            nibble = -1;
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= len || strchr(";\"\\:", s[i + 1]) == NULL) {
                return detect_err(dp, "bad escape in content");
            }
            c = s[++i];
        } else if (c == '"' || c == ';') {
            return detect_err(dp, "unescaped '%c' in content", c);
        }
        out[n++] = (uint8_t)c;
    }
    if (in_hex) {
        return detect_err(dp, "unterminated hex block in content");
    }
    if (n == 0 || n > 65535) {
        return detect_err(dp, "content is empty or too long");
    }
    *out_len = (uint16_t)n;
    return 0;
}

static void content_free(void *ctx)
{
    DetectContent *c = ctx;
    if (c != NULL) {
        free(c->pat);
        free(c);
    }
}

static int setup_content(DetectParser *dp, const char *arg)
{
    bool neg = false;
    while (*arg == ' ' || *arg == '!') {
        neg |= *arg == '!';
        arg++;
    }
    size_t len = strlen(arg);
    if (len < 2 || arg[0] != '"' || arg[len - 1] != '"') {
        return detect_err(dp, "content must be quoted");
    }
    DetectContent *c = calloc(1, sizeof(*c));
    uint8_t *pat = malloc(len);
    if (c == NULL || pat == NULL) {
        free(c);
        free(pat);
        return detect_err(dp, "out of memory");
    }
    c->pat = pat;
    if (decode_pattern(dp, arg + 1, len - 2, pat, &c->len) != 0) {
        content_free(c);
        return VG_EINVAL;
    }
    c->flags = neg ? DETECT_CONTENT_NEGATED : 0;
    c->offset.var = c->depth.var = c->distance.var = c->within.var = -1;
    c->fp_len = c->len;
    return detect_append(dp, DETECT_LIST_PMATCH, &detect_kw_content, c, DETECT_PM_CONTENT);
}

static DetectContent *modifier_target(DetectParser *dp, const char *kw)
{
    DetectContent *c = detect_last_content(dp);
    if (c == NULL) {
        detect_err(dp, "'%s' needs a preceding content", kw);
    }
    return c;
}

static int setup_nocase(DetectParser *dp, const char *arg)
{
    (void)arg;
    DetectContent *c = modifier_target(dp, "nocase");
    if (c == NULL) {
        return VG_EINVAL;
    }
    if (c->flags & DETECT_CONTENT_NOCASE) {
        return detect_err(dp, "nocase set twice for the same content");
    }
    c->flags |= DETECT_CONTENT_NOCASE;
    return 0;
}

static int setup_rawbytes(DetectParser *dp, const char *arg)
{
    (void)arg;
    DetectContent *c = modifier_target(dp, "rawbytes");
    if (c == NULL) {
        return VG_EINVAL;
    }
    c->flags |= DETECT_CONTENT_RAWBYTES;
    return 0;
}

enum { POS_OFFSET, POS_DEPTH, POS_DISTANCE, POS_WITHIN };

static int setup_position(DetectParser *dp, const char *arg, int which)
{
    static const char *const names[] = { "offset", "depth", "distance", "within" };
    static const uint32_t flags[] = { DETECT_CONTENT_OFFSET, DETECT_CONTENT_DEPTH,
                                      DETECT_CONTENT_DISTANCE, DETECT_CONTENT_WITHIN };
    DetectContent *c = modifier_target(dp, names[which]);
    if (c == NULL) {
        return VG_EINVAL;
    }
    if (c->flags & flags[which]) {
        return detect_err(dp, "%s set twice for the same content", names[which]);
    }
    bool is_rel = which >= POS_DISTANCE;
    uint32_t other = is_rel ? (DETECT_CONTENT_OFFSET | DETECT_CONTENT_DEPTH)
                            : (DETECT_CONTENT_DISTANCE | DETECT_CONTENT_WITHIN);
    if (c->flags & (other | DETECT_CONTENT_STARTSWITH)) {
        return detect_err(dp, "can't mix relative (distance/within) and absolute "
                              "(offset/depth/startswith) modifiers on one content");
    }
    DetectValue v;
    int64_t min = which == POS_DISTANCE ? -65535 : 0;
    if (detect_parse_value(dp, arg, true, min, 65535, &v) != 0) {
        return VG_EINVAL;
    }
    if ((which == POS_DEPTH || which == POS_WITHIN) && v.var < 0 && v.val < c->len) {
        return detect_err(dp, "%s %lld is smaller than the content length %u", names[which],
                          (long long)v.val, c->len);
    }
    DetectValue *slots[] = { &c->offset, &c->depth, &c->distance, &c->within };
    *slots[which] = v;
    c->flags |= flags[which] | (is_rel ? DETECT_CONTENT_RELATIVE : 0);
    return 0;
}

static int setup_offset(DetectParser *dp, const char *arg)
{
    return setup_position(dp, arg, POS_OFFSET);
}

static int setup_depth(DetectParser *dp, const char *arg)
{
    return setup_position(dp, arg, POS_DEPTH);
}

static int setup_distance(DetectParser *dp, const char *arg)
{
    return setup_position(dp, arg, POS_DISTANCE);
}

static int setup_within(DetectParser *dp, const char *arg)
{
    return setup_position(dp, arg, POS_WITHIN);
}

static int setup_startswith(DetectParser *dp, const char *arg)
{
    (void)arg;
    DetectContent *c = modifier_target(dp, "startswith");
    if (c == NULL) {
        return VG_EINVAL;
    }
    if (c->flags & (DETECT_CONTENT_OFFSET | DETECT_CONTENT_DEPTH | DETECT_CONTENT_RELATIVE)) {
        return detect_err(dp, "startswith can't be mixed with offset/depth/distance/within");
    }
    c->flags |= DETECT_CONTENT_STARTSWITH | DETECT_CONTENT_DEPTH | DETECT_CONTENT_OFFSET;
    c->offset = (DetectValue){ 0, -1 };
    c->depth = (DetectValue){ c->len, -1 };
    return 0;
}

static int setup_endswith(DetectParser *dp, const char *arg)
{
    (void)arg;
    DetectContent *c = modifier_target(dp, "endswith");
    if (c == NULL) {
        return VG_EINVAL;
    }
    c->flags |= DETECT_CONTENT_ENDSWITH;
    return 0;
}

static int setup_fast_pattern(DetectParser *dp, const char *arg)
{
    DetectContent *c = modifier_target(dp, "fast_pattern");
    if (c == NULL) {
        return VG_EINVAL;
    }
    if (detect_sig_content_flagged(dp->s, DETECT_CONTENT_FAST_PATTERN) != NULL) {
        return detect_err(dp, "fast_pattern set on more than one content");
    }
    c->flags |= DETECT_CONTENT_FAST_PATTERN;
    if (arg == NULL) {
        return 0;
    }
    if (strcmp(arg, "only") == 0) {
        c->flags |= DETECT_CONTENT_FP_ONLY;
        return 0;
    }
    const char *comma = strchr(arg, ',');
    DetectValue off;
    DetectValue flen;
    char first[32];
    size_t n = comma ? (size_t)(comma - arg) : 0;
    if (comma == NULL || n >= sizeof(first)) {
        return detect_err(dp, "bad fast_pattern '%s' (only or offset,length)", arg);
    }
    memcpy(first, arg, n);
    first[n] = '\0';
    if (detect_parse_value(dp, first, false, 0, 65535, &off) != 0 ||
        detect_parse_value(dp, comma + 1, false, 1, 65535, &flen) != 0) {
        return VG_EINVAL;
    }
    if (off.val + flen.val > c->len) {
        return detect_err(dp, "fast_pattern %lld,%lld goes past the content", (long long)off.val,
                          (long long)flen.val);
    }
    c->flags |= DETECT_CONTENT_FP_CHOP;
    c->fp_off = (uint16_t)off.val;
    c->fp_len = (uint16_t)flen.val;
    return 0;
}

/* ---- isdataat ----------------------------------------------------------- */

static int setup_isdataat(DetectParser *dp, const char *arg)
{
    DetectIsdataat *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    while (*arg == ' ') {
        arg++;
    }
    if (*arg == '!') {
        d->flags |= DETECT_PM_F_NEGATED;
        arg++;
    }
    char num[64];
    const char *comma = strchr(arg, ',');
    size_t n = comma ? (size_t)(comma - arg) : strlen(arg);
    int rc = VG_EINVAL;
    if (n == 0 || n >= sizeof(num)) {
        detect_err(dp, "bad isdataat '%s'", arg);
        goto fail;
    }
    memcpy(num, arg, n);
    num[n] = '\0';
    if (detect_parse_value(dp, num, true, 0, 65535, &d->pos) != 0) {
        goto fail;
    }
    while (comma != NULL) {
        const char *opt = comma + 1;
        while (*opt == ' ') {
            opt++;
        }
        comma = strchr(opt, ',');
        size_t olen = comma ? (size_t)(comma - opt) : strlen(opt);
        while (olen > 0 && opt[olen - 1] == ' ') {
            olen--;
        }
        if (olen == 8 && strncmp(opt, "relative", 8) == 0) {
            d->flags |= DETECT_PM_F_RELATIVE;
        } else if (!(olen == 8 && strncmp(opt, "rawbytes", 8) == 0)) {
            detect_err(dp, "bad isdataat option '%.*s'", (int)olen, opt);
            goto fail;
        }
    }
    return detect_append(dp, DETECT_LIST_PMATCH, &detect_kw_isdataat, d, DETECT_PM_ISDATAAT);
fail:
    free(d);
    return rc;
}

/* ---- dsize -------------------------------------------------------------- */

static bool match_dsize(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return detect_uint_match(ctx, p->payload_len);
}

static int setup_dsize(DetectParser *dp, const char *arg)
{
    DetectUint *u = malloc(sizeof(*u));
    if (u == NULL) {
        return detect_err(dp, "out of memory");
    }
    if (detect_uint_parse(dp, arg, 65535, u) != 0) {
        free(u);
        return VG_EINVAL;
    }
    if (u->mode == DETECT_U_EQ || u->mode == DETECT_U_GE) {
        dp->s->dsize_min = (uint16_t)u->lo;
    }
    return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_dsize, u, 0);
}

static int setup_pkt_data(DetectParser *dp, const char *arg)
{
    (void)arg;
    dp->pm_list = DETECT_LIST_PMATCH;
    dp->last_list = DETECT_LIST_PMATCH;
    dp->last_pm = (int)dp->s->lists[DETECT_LIST_PMATCH].n - 1;
    return 0;
}

const DetectKeyword detect_kw_content = {
    .name = "content", .desc = "match bytes in the payload", .flags = DETECT_KW_RAW_VALUE,
    .setup = setup_content, .free = content_free,
};
const DetectKeyword detect_kw_nocase = {
    .name = "nocase", .desc = "content is case-insensitive", .flags = DETECT_KW_NOOPT,
    .setup = setup_nocase,
};
const DetectKeyword detect_kw_rawbytes = {
    .name = "rawbytes", .desc = "content on raw bytes (always the case)",
    .flags = DETECT_KW_NOOPT, .setup = setup_rawbytes,
};
const DetectKeyword detect_kw_offset = {
    .name = "offset", .desc = "content starts at or after N", .setup = setup_offset,
};
const DetectKeyword detect_kw_depth = {
    .name = "depth", .desc = "content ends within N bytes from offset", .setup = setup_depth,
};
const DetectKeyword detect_kw_distance = {
    .name = "distance", .desc = "content starts N bytes after the previous match",
    .setup = setup_distance,
};
const DetectKeyword detect_kw_within = {
    .name = "within", .desc = "content ends within N bytes of the previous match",
    .setup = setup_within,
};
const DetectKeyword detect_kw_startswith = {
    .name = "startswith", .desc = "content at the start of the buffer",
    .flags = DETECT_KW_NOOPT, .setup = setup_startswith,
};
const DetectKeyword detect_kw_endswith = {
    .name = "endswith", .desc = "content at the end of the buffer", .flags = DETECT_KW_NOOPT,
    .setup = setup_endswith,
};
const DetectKeyword detect_kw_fast_pattern = {
    .name = "fast_pattern", .desc = "use this content for the prefilter (only, off,len)",
    .flags = DETECT_KW_OPTIONAL, .setup = setup_fast_pattern,
};
const DetectKeyword detect_kw_isdataat = {
    .name = "isdataat", .desc = "data present at offset ([!]N[,relative])",
    .setup = setup_isdataat, .free = free,
};
const DetectKeyword detect_kw_dsize = {
    .name = "dsize", .desc = "payload size (N, <N, >N, N<>M, !N)", .setup = setup_dsize,
    .match = match_dsize, .free = free,
};
const DetectKeyword detect_kw_pkt_data = {
    .name = "pkt_data", .desc = "inspect the packet payload", .flags = DETECT_KW_NOOPT,
    .setup = setup_pkt_data,
};
