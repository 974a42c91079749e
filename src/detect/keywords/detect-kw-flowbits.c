/* flowbits, flowint, noalert: per-flow state shared between rules.
 *
 * flowbits:set|unset|toggle,a[&b...] act after the whole rule matched (post
 * list); isset|isnotset,a|b (any) or a&b (all) are checks. flowint compares
 * (==, !=, <, >, <=, >=, isset, notset) or modifies (=, +, -) a counter.
 * State lives in detect-flowstate.c. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

#define FLOWBITS_MAX_NAMES 8

enum { FB_SET = 0, FB_UNSET, FB_TOGGLE, FB_ISSET, FB_ISNOTSET };

typedef struct FlowbitsCtx {
    uint8_t cmd;
    bool is_and;                       // names joined by '&' (else '|')
    uint8_t n;
    uint32_t idx[FLOWBITS_MAX_NAMES];
} FlowbitsCtx;

static DetectFlowState *state(DetectThread *dt, Packet *p, bool create)
{
    return detect_flow_state(p, create, dt->de->n_flowbits, dt->de->n_flowints);
}

static bool match_flowbits(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)s;
    const FlowbitsCtx *fb = ctx;
    bool writes = fb->cmd <= FB_TOGGLE;
    DetectFlowState *fs = state(dt, p, writes);
    if (writes) {
        for (uint8_t i = 0; i < fb->n; i++) {
            bool on = fb->cmd == FB_SET ||
                      (fb->cmd == FB_TOGGLE && !detect_flowbit_isset(fs, fb->idx[i]));
            detect_flowbit_set(fs, fb->idx[i], on);
        }
        return true;
    }
    bool want = fb->cmd == FB_ISSET;
    uint8_t hits = 0;
    for (uint8_t i = 0; i < fb->n; i++) {
        hits += detect_flowbit_isset(fs, fb->idx[i]) == want;
    }
    return fb->is_and ? hits == fb->n : hits > 0;
}

static int parse_cmd(const char *s, size_t len, uint8_t *out)
{
    static const char *const cmds[] = { "set", "unset", "toggle", "isset", "isnotset" };
    for (uint8_t i = 0; i < 5; i++) {
        if (strlen(cmds[i]) == len && strncmp(s, cmds[i], len) == 0) {
            *out = i;
            return 0;
        }
    }
    return VG_EINVAL;
}

static int parse_names(DetectParser *dp, const char *names, FlowbitsCtx *fb)
{
    const char *p = names;
    fb->is_and = strchr(names, '&') != NULL;
    if (fb->is_and && strchr(names, '|') != NULL) {
        return detect_err(dp, "flowbits can't mix '&' and '|'");
    }
    while (*p != '\0') {
        while (*p == ' ') {
            p++;
        }
        size_t len = strcspn(p, "|&");
        const char *next = p[len] ? p + len + 1 : p + len;
        while (len > 0 && p[len - 1] == ' ') {
            len--;
        }
        char name[128];
        if (len == 0 || len >= sizeof(name) || fb->n >= FLOWBITS_MAX_NAMES) {
            return detect_err(dp, "bad flowbit name list '%s'", names);
        }
        memcpy(name, p, len);
        name[len] = '\0';
        int idx = detect_flowbit_index(dp->de, name, false);
        if (idx < 0) {
            return detect_err(dp, "out of memory");
        }
        fb->idx[fb->n++] = (uint32_t)idx;
        p = next;
    }
    return fb->n > 0 ? 0 : detect_err(dp, "flowbits needs a name");
}

static int setup_flowbits(DetectParser *dp, const char *arg)
{
    if (strcmp(arg, "noalert") == 0) {
        dp->s->flags |= SIG_F_NOALERT;
        return 0;
    }
    const char *comma = strchr(arg, ',');
    size_t clen = comma ? (size_t)(comma - arg) : strlen(arg);
    while (clen > 0 && arg[clen - 1] == ' ') {
        clen--;
    }
    FlowbitsCtx *fb = calloc(1, sizeof(*fb));
    if (fb == NULL) {
        return detect_err(dp, "out of memory");
    }
    if (parse_cmd(arg, clen, &fb->cmd) != 0 || comma == NULL) {
        free(fb);
        return detect_err(dp, "bad flowbits '%s' (set|unset|toggle|isset|isnotset,name)", arg);
    }
    if (parse_names(dp, comma + 1, fb) != 0) {
        free(fb);
        return VG_EINVAL;
    }
    if (fb->cmd <= FB_TOGGLE && fb->is_and == false && fb->n > 1) {
        free(fb);
        return detect_err(dp, "flowbits %.*s takes names joined by '&'", (int)clen, arg);
    }
    bool writes = fb->cmd <= FB_TOGGLE;
    dp->s->flags |= writes ? SIG_F_FLOWBITS_SET : SIG_F_FLOWBITS_READ;
    return detect_append(dp, writes ? DETECT_LIST_POST : DETECT_LIST_MATCH, &detect_kw_flowbits,
                         fb, 0);
}

/* ---- flowint ------------------------------------------------------------ */

enum { FI_ASSIGN = 0, FI_ADD, FI_SUB, FI_EQ, FI_NE, FI_LT, FI_GT, FI_LE, FI_GE, FI_ISSET,
       FI_NOTSET };

typedef struct FlowintCtx {
    uint32_t idx;
    uint8_t op;
    int64_t value;
} FlowintCtx;

static bool flowint_compare(uint8_t op, int64_t a, int64_t b)
{
    switch (op) {
    case FI_EQ: return a == b;
    case FI_NE: return a != b;
    case FI_LT: return a < b;
    case FI_GT: return a > b;
    case FI_LE: return a <= b;
    default: return a >= b;
    }
}

static bool match_flowint(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)s;
    const FlowintCtx *fi = ctx;
    bool writes = fi->op <= FI_SUB;
    DetectFlowState *fs = state(dt, p, writes);
    int64_t cur = 0;
    bool has = detect_flowint_get(fs, fi->idx, &cur);
    if (writes) {
        int64_t v = fi->op == FI_ASSIGN ? fi->value
                                        : (fi->op == FI_ADD ? cur + fi->value : cur - fi->value);
        detect_flowint_set(fs, fi->idx, v);
        return true;
    }
    if (fi->op == FI_ISSET || fi->op == FI_NOTSET) {
        return has == (fi->op == FI_ISSET);
    }
    return has && flowint_compare(fi->op, cur, fi->value);
}

static int flowint_op(const char *s, uint8_t *out)
{
    static const char *const ops[] = { "=", "+", "-", "==", "!=", "<", ">", "<=", ">=",
                                       "isset", "notset" };
    for (uint8_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strcmp(s, ops[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    if (strcmp(s, "isnotset") == 0) {
        *out = FI_NOTSET;
        return 0;
    }
    return VG_EINVAL;
}

static int setup_flowint(DetectParser *dp, const char *arg)
{
    DetectKwTokens tk;
    if (detect_kw_split(dp, arg, &tk, 3, true) != 0) {
        return VG_EINVAL;
    }
    char **tok = tk.t;
    int n = tk.n;
    FlowintCtx *fi = calloc(1, sizeof(*fi));
    if (fi == NULL) {
        return detect_err(dp, "out of memory");
    }
    bool needs_value = n >= 2 && flowint_op(tok[1], &fi->op) == 0 && fi->op < FI_ISSET;
    if (n < 2 || flowint_op(tok[1], &fi->op) != 0 || (needs_value && n < 3) ||
        (needs_value && !detect_parse_int(tok[2], INT32_MIN, INT32_MAX, &fi->value))) {
        free(fi);
        return detect_err(dp, "bad flowint '%s' (name, op, integer)", arg);
    }
    int idx = detect_flowbit_index(dp->de, tok[0], true);
    if (idx < 0) {
        free(fi);
        return detect_err(dp, "out of memory");
    }
    fi->idx = (uint32_t)idx;
    bool writes = fi->op <= FI_SUB;
    return detect_append(dp, writes ? DETECT_LIST_POST : DETECT_LIST_MATCH, &detect_kw_flowint,
                         fi, 0);
}

static int setup_noalert(DetectParser *dp, const char *arg)
{
    (void)arg;
    dp->s->flags |= SIG_F_NOALERT;
    return 0;
}

const DetectKeyword detect_kw_flowbits = {
    .name = "flowbits", .desc = "per-flow bits: set unset toggle isset isnotset noalert",
    .setup = setup_flowbits, .match = match_flowbits, .free = free,
};
const DetectKeyword detect_kw_flowint = {
    .name = "flowint", .desc = "per-flow integer: name, op, value",
    .setup = setup_flowint, .match = match_flowint, .free = free,
};
const DetectKeyword detect_kw_noalert = {
    .name = "noalert", .desc = "match without alerting", .flags = DETECT_KW_NOOPT,
    .setup = setup_noalert,
};
