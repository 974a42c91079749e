/* Example plugin: the `entropy` rule keyword, with the syntax of
 * Suricata 8's keyword of that name:
 *
 *     entropy: [bytes <n>,] [offset <n>,] value <op><x>
 *
 * The Shannon entropy (bits per byte, 0 to 8) of the current buffer (the
 * packet payload, the stream, or the sticky buffer before it), from offset
 * (default 0) for at most bytes bytes (default: to the end), compared with
 * x: op is one of = (also none), !=, <, <=, >, >=, or the value is a range
 * "lo-hi" (exclusive ends). Example:
 *
 *     alert tcp any any -> any any (msg:"random"; entropy: value >= 7.5; sid:1;)
 *
 * Builds against the installed plugin header only; needs no engine symbols. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/plugin.h"

enum { OP_EQ = 0, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_RANGE };

typedef struct EntropyCtx {
    uint32_t offset;
    uint32_t bytes;              // 0: to the end
    uint8_t op;
    double x;
    double hi;                   // OP_RANGE: (x, hi)
} EntropyCtx;

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || *skip_ws(end) != '\0' || v > UINT32_MAX || s[0] == '-') {
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int parse_double(const char *s, double *out, const char **rest)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v)) {
        return -1;
    }
    *out = v;
    *rest = end;
    return 0;
}

static int parse_value(const char *s, EntropyCtx *c)
{
    static const struct { const char *t; uint8_t op; } ops[] = {
        {"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE}, {"<", OP_LT}, {">", OP_GT}, {"=", OP_EQ},
    };
    s = skip_ws(s);
    c->op = OP_EQ;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t n = strlen(ops[i].t);
        if (strncmp(s, ops[i].t, n) == 0) {
            c->op = ops[i].op;
            s = skip_ws(s + n);
            break;
        }
    }
    const char *rest;
    if (parse_double(s, &c->x, &rest) != 0) {
        return -1;
    }
    rest = skip_ws(rest);
    if (*rest == '-' && c->op == OP_EQ) {
        c->op = OP_RANGE;
        if (parse_double(skip_ws(rest + 1), &c->hi, &rest) != 0 || c->hi <= c->x) {
            return -1;
        }
        rest = skip_ws(rest);
    }
    return *rest == '\0' && c->x >= 0.0 && c->x <= 8.0 ? 0 : -1;
}

static int entropy_setup(const char *arg, void **ctx, char *err, size_t errlen)
{
    if (arg == NULL) {
        snprintf(err, errlen, "needs a value, e.g. entropy: value >= 7.0");
        return -1;
    }
    EntropyCtx *c = calloc(1, sizeof(*c));
    char *copy = strdup(arg);
    if (c == NULL || copy == NULL) {
        free(c);
        free(copy);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    bool has_value = false;
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
         tok = strtok_r(NULL, ",", &save)) {
        tok = (char *)skip_ws(tok);
        if (strncmp(tok, "bytes ", 6) == 0) {
            rc = parse_u32(skip_ws(tok + 6), &c->bytes) != 0 || c->bytes == 0 ? -1 : 0;
            if (rc != 0) {
                snprintf(err, errlen, "bytes: expected a positive number, not '%s'", tok + 6);
            }
        } else if (strncmp(tok, "offset ", 7) == 0) {
            rc = parse_u32(skip_ws(tok + 7), &c->offset);
            if (rc != 0) {
                snprintf(err, errlen, "offset: expected a number, not '%s'", tok + 7);
            }
        } else if (strncmp(tok, "value", 5) == 0 && !has_value) {
            rc = parse_value(tok + 5, c);
            has_value = true;
            if (rc != 0) {
                snprintf(err, errlen, "value: expected [op]x or lo-hi with 0 <= x <= 8, not "
                         "'%s'", tok + 5);
            }
        } else {
            snprintf(err, errlen, "unknown option '%s' (bytes, offset, value)", tok);
            rc = -1;
        }
    }
    free(copy);
    if (rc == 0 && !has_value) {
        snprintf(err, errlen, "value is required, e.g. value >= 7.0");
        rc = -1;
    }
    if (rc != 0) {
        free(c);
        return -1;
    }
    *ctx = c;
    return 0;
}

static double shannon(const uint8_t *buf, uint32_t len)
{
    if (len == 0) {
        return 0.0;
    }
    uint32_t count[256] = {0};
    for (uint32_t i = 0; i < len; i++) {
        count[buf[i]]++;
    }
    double h = 0.0;
    for (int b = 0; b < 256; b++) {
        if (count[b] != 0) {
            double p = (double)count[b] / len;
            h -= p * log2(p);
        }
    }
    return h;
}

static int entropy_match(const void *ctx, const uint8_t *buf, uint32_t len)
{
    const EntropyCtx *c = ctx;
    if (c->offset > len) {
        return 0;
    }
    uint32_t n = len - c->offset;
    if (c->bytes != 0 && c->bytes < n) {
        n = c->bytes;
    }
    double h = shannon(buf + c->offset, n);
    const double eps = 1e-9;
    switch (c->op) {
    case OP_EQ:
        return fabs(h - c->x) < eps;
    case OP_NE:
        return fabs(h - c->x) >= eps;
    case OP_LT:
        return h < c->x;
    case OP_LE:
        return h <= c->x + eps;
    case OP_GT:
        return h > c->x;
    case OP_GE:
        return h >= c->x - eps;
    default:
        return h > c->x && h < c->hi;
    }
}

static const VgKeyword entropy_kw = {
    .hdr = VG_PLUGIN_HDR(VgKeyword),
    .name = "entropy",
    .desc = "Shannon entropy of the current buffer compared with a value",
    .flags = VG_KW_BUFFER,
    .setup = entropy_setup,
    .match_buffer = entropy_match,
    .free = free,
};

static int entropy_init(const VgPluginRegistrar *reg)
{
    return reg->register_keyword(&entropy_kw);
}

const VgPluginInfo vg_plugin_info = {
    .hdr = VG_PLUGIN_HDR(VgPluginInfo),
    .name = "entropy",
    .version = "1.0",
    .description = "the entropy rule keyword",
    .init = entropy_init,
};
