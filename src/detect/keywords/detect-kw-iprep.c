/* iprep: the reputation of a packet's addresses in a category.
 *
 *   iprep:<any|src|dst|both>,<category>,<op>,<score>    op: > < =
 *   iprep:<any|src|dst|both>,<category>,<isset|isnotset>
 *
 * any: one of the two addresses satisfies it; both: each does; an address
 * without a score in the category never satisfies a comparison (isnotset is
 * what asks for that). Categories and scores are loaded with the rule set
 * (detect-iprep.c); a rule naming an unknown category is refused. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { IP_ANY = 0, IP_SRC, IP_DST, IP_BOTH };
enum { OP_GT = 0, OP_LT, OP_EQ, OP_ISSET, OP_ISNOTSET };

typedef struct IprepCtx {
    uint8_t side;
    uint8_t cat;
    uint8_t op;
    uint8_t value;
} IprepCtx;

static bool holds(const DetectIprep *r, const IprepCtx *c, const VgAddr *a)
{
    uint8_t score = 0;
    bool has = detect_iprep_lookup(r, a, c->cat, &score);
    switch (c->op) {
    case OP_GT:
        return has && score > c->value;
    case OP_LT:
        return has && score < c->value;
    case OP_EQ:
        return has && score == c->value;
    case OP_ISSET:
        return has;
    default:
        return !has;
    }
}

static bool match_iprep(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)s;
    const IprepCtx *c = ctx;
    if (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6) {
        return false;
    }
    const DetectIprep *r = dt->de->iprep;
    switch (c->side) {
    case IP_SRC:
        return holds(r, c, &p->src);
    case IP_DST:
        return holds(r, c, &p->dst);
    case IP_BOTH:
        return holds(r, c, &p->src) && holds(r, c, &p->dst);
    default:
        return holds(r, c, &p->src) || holds(r, c, &p->dst);
    }
}

static int setup_iprep(DetectParser *dp, const char *arg)
{
    static const char *const sides[] = {"any", "src", "dst", "both"};
    DetectKwTokens tk;
    if (detect_kw_split(dp, arg, &tk, 4, false) != 0) {
        return VG_EINVAL;
    }
    IprepCtx c = {.side = 0xff};
    for (uint8_t i = 0; tk.n >= 1 && i < 4; i++) {
        if (strcmp(tk.t[0], sides[i]) == 0) {
            c.side = i;
        }
    }
    if (tk.n < 3 || c.side == 0xff) {
        return detect_err(dp, "bad iprep '%s' (any|src|dst|both,CATEGORY,>|<|=,SCORE or "
                          "isset|isnotset)", arg);
    }
    int cat = detect_iprep_category(dp->de->iprep, tk.t[1]);
    if (cat < 0) {
        return detect_err(dp, "iprep category '%s' is unknown (reputation-categories-file)",
                          tk.t[1]);
    }
    c.cat = (uint8_t)cat;
    const char *op = tk.t[2];
    if (strcmp(op, "isset") == 0 || strcmp(op, "isnotset") == 0) {
        if (tk.n != 3) {
            return detect_err(dp, "iprep %s takes no score", op);
        }
        c.op = op[2] == 's' ? OP_ISSET : OP_ISNOTSET;
    } else {
        int64_t v;
        if (tk.n != 4 || strlen(op) != 1 || strchr("><=", op[0]) == NULL ||
            !detect_parse_int(tk.t[3], 0, 127, &v)) {
            return detect_err(dp, "bad iprep comparison '%s' (>, < or = and a score 0-127)",
                              arg);
        }
        c.op = op[0] == '>' ? OP_GT : op[0] == '<' ? OP_LT : OP_EQ;
        c.value = (uint8_t)v;
    }
    IprepCtx *ctx = malloc(sizeof(*ctx));
    if (ctx == NULL) {
        return detect_err(dp, "out of memory");
    }
    *ctx = c;
    return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_iprep, ctx, 0);
}

const DetectKeyword detect_kw_iprep = {
    .name = "iprep", .desc = "IP reputation: side,category,op,score or side,category,isset",
    .setup = setup_iprep, .match = match_iprep, .free = free,
};
