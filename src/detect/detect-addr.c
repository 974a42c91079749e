/* Address and port sets of a rule header: parsing and matching.
 *
 * A set is a sorted list of disjoint inclusive ranges (IPv4 and IPv6 kept
 * apart). A list "[a, b, !c]" means (a | b) minus c, or "everything minus c"
 * when it holds only negated items; a leading '!' complements. Variables
 * ($HOME_NET) are expanded recursively with a depth bound that catches loops. */

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "util/util-error.h"

#define V4_MAX ((DetectU128)0xffffffffu)
#define V6_MAX (~(DetectU128)0)
#define PORT_MAX ((DetectU128)65535)

static int range_cmp(const void *a, const void *b)
{
    const DetectRange *x = a;
    const DetectRange *y = b;
    if (x->lo != y->lo) {
        return x->lo < y->lo ? -1 : 1;
    }
    return 0;
}

int detect_rangeset_add(DetectRangeSet *s, DetectU128 lo, DetectU128 hi)
{
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 4;
        DetectRange *r = realloc(s->r, cap * sizeof(*r));
        if (r == NULL) {
            return VG_ENOMEM;
        }
        s->r = r;
        s->cap = cap;
    }
    s->r[s->n].lo = lo;
    s->r[s->n].hi = hi;
    s->n++;
    return 0;
}

/* Sorts and merges overlapping or adjacent ranges. */
void detect_rangeset_normalize(DetectRangeSet *s)
{
    if (s->n < 2) {
        return;
    }
    qsort(s->r, s->n, sizeof(s->r[0]), range_cmp);
    uint32_t out = 0;
    for (uint32_t i = 1; i < s->n; i++) {
        DetectRange *cur = &s->r[out];
        if (s->r[i].lo <= cur->hi || (cur->hi != V6_MAX && s->r[i].lo == cur->hi + 1)) {
            if (s->r[i].hi > cur->hi) {
                cur->hi = s->r[i].hi;
            }
        } else {
            s->r[++out] = s->r[i];
        }
    }
    s->n = out + 1;
}

int detect_rangeset_complement(DetectRangeSet *s, DetectU128 max)
{
    DetectRangeSet out = { 0 };
    DetectU128 next = 0;
    bool done = false;
    for (uint32_t i = 0; i < s->n && !done; i++) {
        if (s->r[i].lo > next && detect_rangeset_add(&out, next, s->r[i].lo - 1) != 0) {
            goto fail;
        }
        if (s->r[i].hi >= max) {
            done = true;
        } else {
            next = s->r[i].hi + 1;
        }
    }
    if (!done && detect_rangeset_add(&out, next, max) != 0) {
        goto fail;
    }
    free(s->r);
    *s = out;
    return 0;
fail:
    free(out.r);
    return VG_ENOMEM;
}

int detect_rangeset_union(DetectRangeSet *dst, const DetectRangeSet *src)
{
    for (uint32_t i = 0; i < src->n; i++) {
        if (detect_rangeset_add(dst, src->r[i].lo, src->r[i].hi) != 0) {
            return VG_ENOMEM;
        }
    }
    detect_rangeset_normalize(dst);
    return 0;
}

/* dst = dst minus src (both normalized). */
int detect_rangeset_subtract(DetectRangeSet *dst, const DetectRangeSet *src, DetectU128 max)
{
    DetectRangeSet inv = { 0 };
    DetectRangeSet out = { 0 };
    if (detect_rangeset_union(&inv, src) != 0 || detect_rangeset_complement(&inv, max) != 0) {
        goto fail;
    }
    uint32_t i = 0;
    uint32_t j = 0;
    while (i < dst->n && j < inv.n) {
        DetectU128 lo = dst->r[i].lo > inv.r[j].lo ? dst->r[i].lo : inv.r[j].lo;
        DetectU128 hi = dst->r[i].hi < inv.r[j].hi ? dst->r[i].hi : inv.r[j].hi;
        if (lo <= hi && detect_rangeset_add(&out, lo, hi) != 0) {
            goto fail;
        }
        if (dst->r[i].hi < inv.r[j].hi) {
            i++;
        } else {
            j++;
        }
    }
    free(inv.r);
    free(dst->r);
    *dst = out;
    return 0;
fail:
    free(inv.r);
    free(out.r);
    return VG_ENOMEM;
}

bool detect_rangeset_contains(const DetectRangeSet *s, DetectU128 key)
{
    uint32_t lo = 0;
    uint32_t hi = s->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (key < s->r[mid].lo) {
            hi = mid;
        } else if (key > s->r[mid].hi) {
            lo = mid + 1;
        } else {
            return true;
        }
    }
    return false;
}

void detect_rangeset_free(DetectRangeSet *s)
{
    free(s->r);
    memset(s, 0, sizeof(*s));
}

/* ---- parsing helpers ---------------------------------------------------- */

typedef struct SetParse {
    DetectVarLookup lookup;
    const void *lookup_ctx;
    char *err;
    size_t errlen;
    bool is_port;
} SetParse;

/* A set is two range lists; ports use only the first. */
typedef struct Pair {
    DetectRangeSet a;
    DetectRangeSet b;
} Pair;

static int set_err(SetParse *sp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int set_err(SetParse *sp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sp->err, sp->errlen, fmt, ap);
    va_end(ap);
    return VG_EINVAL;
}

static void pair_free(Pair *p)
{
    detect_rangeset_free(&p->a);
    detect_rangeset_free(&p->b);
}

static int pair_universe(Pair *p, bool is_port)
{
    if (is_port) {
        return detect_rangeset_add(&p->a, 0, PORT_MAX);
    }
    int rc = detect_rangeset_add(&p->a, 0, V4_MAX);
    return rc != 0 ? rc : detect_rangeset_add(&p->b, 0, V6_MAX);
}

static int pair_complement(Pair *p, bool is_port)
{
    if (is_port) {
        return detect_rangeset_complement(&p->a, PORT_MAX);
    }
    int rc = detect_rangeset_complement(&p->a, V4_MAX);
    return rc != 0 ? rc : detect_rangeset_complement(&p->b, V6_MAX);
}

static int pair_union(Pair *dst, const Pair *src)
{
    int rc = detect_rangeset_union(&dst->a, &src->a);
    return rc != 0 ? rc : detect_rangeset_union(&dst->b, &src->b);
}

static int pair_subtract(Pair *dst, const Pair *src, bool is_port)
{
    int rc = detect_rangeset_subtract(&dst->a, &src->a, is_port ? PORT_MAX : V4_MAX);
    return rc != 0 ? rc : detect_rangeset_subtract(&dst->b, &src->b, V6_MAX);
}

static DetectU128 v6_key(const uint8_t *b)
{
    DetectU128 k = 0;
    for (int i = 0; i < 16; i++) {
        k = k << 8 | b[i];
    }
    return k;
}

bool detect_addr_parse_ip(const char *text, size_t len, VgAddr *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, buf, out->a.u8) == 1) {
        out->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, buf, out->a.u8) == 1) {
        out->family = 6;
        return true;
    }
    return false;
}

static bool parse_uint(const char *s, size_t len, uint32_t max, uint32_t *out)
{
    if (len == 0 || len > 10) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > max) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static DetectU128 addr_key(const VgAddr *a)
{
    return a->family == 4 ? (DetectU128)ntohl(a->a.u32[0]) : v6_key(a->a.u8);
}

/* "a.b.c.d/n", "a::/n", "a.b.c.d/255.255.0.0", "a-b" or a single address. */
static int parse_single_addr(SetParse *sp, const char *s, size_t len, Pair *out)
{
    const char *slash = memchr(s, '/', len);
    const char *dash = memchr(s, '-', len);
    VgAddr a;
    VgAddr b;
    if (dash != NULL && slash == NULL) {
        if (!detect_addr_parse_ip(s, (size_t)(dash - s), &a) ||
            !detect_addr_parse_ip(dash + 1, len - (size_t)(dash - s) - 1, &b) ||
            a.family != b.family || addr_key(&a) > addr_key(&b)) {
            return set_err(sp, "bad address range '%.*s'", (int)len, s);
        }
        return detect_rangeset_add(a.family == 4 ? &out->a : &out->b, addr_key(&a), addr_key(&b));
    }
    size_t alen = slash ? (size_t)(slash - s) : len;
    if (!detect_addr_parse_ip(s, alen, &a)) {
        return set_err(sp, "bad address '%.*s'", (int)len, s);
    }
    uint32_t bits = a.family == 4 ? 32 : 128;
    if (slash != NULL) {
        const char *m = slash + 1;
        size_t mlen = len - alen - 1;
        if (a.family == 4 && memchr(m, '.', mlen) != NULL) {
            if (!detect_addr_parse_ip(m, mlen, &b) || b.family != 4) {
                return set_err(sp, "bad netmask in '%.*s'", (int)len, s);
            }
            uint32_t mask = ntohl(b.a.u32[0]);
            bits = (uint32_t)__builtin_popcount(mask);
            if (mask != 0 && (uint32_t)(mask << bits) != 0) {
                return set_err(sp, "non-contiguous netmask in '%.*s'", (int)len, s);
            }
        } else if (!parse_uint(m, mlen, a.family == 4 ? 32 : 128, &bits)) {
            return set_err(sp, "bad prefix length in '%.*s'", (int)len, s);
        }
    }
    uint32_t width = a.family == 4 ? 32 : 128;
    DetectU128 key = addr_key(&a);
    DetectU128 host = bits >= width ? 0 : ((DetectU128)1 << (width - bits)) - 1;
    if (bits == 0) {
        host = a.family == 4 ? V4_MAX : V6_MAX;
    }
    return detect_rangeset_add(a.family == 4 ? &out->a : &out->b, key & ~host, key | host);
}

static int parse_single_port(SetParse *sp, const char *s, size_t len, Pair *out)
{
    const char *colon = memchr(s, ':', len);
    uint32_t lo = 0;
    uint32_t hi = 65535;
    if (colon == NULL) {
        if (!parse_uint(s, len, 65535, &lo)) {
            return set_err(sp, "bad port '%.*s'", (int)len, s);
        }
        hi = lo;
    } else {
        size_t llen = (size_t)(colon - s);
        size_t hlen = len - llen - 1;
        if ((llen > 0 && !parse_uint(s, llen, 65535, &lo)) ||
            (hlen > 0 && !parse_uint(colon + 1, hlen, 65535, &hi)) || (llen == 0 && hlen == 0)) {
            return set_err(sp, "bad port range '%.*s'", (int)len, s);
        }
        if (lo > hi) {
            return set_err(sp, "port range '%.*s' is reversed", (int)len, s);
        }
    }
    return detect_rangeset_add(&out->a, lo, hi);
}

static int parse_expr(SetParse *sp, const char *s, size_t len, int depth, Pair *out);

/* Splits a bracketed list at top-level commas. */
static int parse_list(SetParse *sp, const char *s, size_t len, int depth, Pair *out)
{
    Pair pos = { 0 };
    Pair neg = { 0 };
    bool has_pos = false;
    int rc = 0;
    size_t start = 0;
    int nest = 0;
    for (size_t i = 0; i <= len && rc == 0; i++) {
        if (i < len && s[i] == '[') {
            nest++;
        } else if (i < len && s[i] == ']') {
            nest--;
        }
        if (i < len && (s[i] != ',' || nest > 0)) {
            continue;
        }
        const char *item = s + start;
        size_t ilen = i - start;
        start = i + 1;
        detect_trim_span(&item, &ilen);
        if (ilen == 0) {
            rc = set_err(sp, "empty item in list");
            break;
        }
        Pair one = { 0 };
        bool is_neg = item[0] == '!';
        rc = is_neg ? parse_expr(sp, item + 1, ilen - 1, depth + 1, &one)
                    : parse_expr(sp, item, ilen, depth + 1, &one);
        if (rc == 0) {
            rc = pair_union(is_neg ? &neg : &pos, &one);
            has_pos |= !is_neg;
        }
        pair_free(&one);
    }
    if (rc == 0 && !has_pos) {
        rc = pair_universe(&pos, sp->is_port);
    }
    if (rc == 0) {
        rc = pair_subtract(&pos, &neg, sp->is_port);
    }
    pair_free(&neg);
    if (rc != 0) {
        pair_free(&pos);
        return rc;
    }
    *out = pos;
    return 0;
}

static int parse_var(SetParse *sp, const char *s, size_t len, int depth, Pair *out)
{
    char name[128];
    if (len < 2 || len - 1 >= sizeof(name)) {
        return set_err(sp, "bad variable name '%.*s'", (int)len, s);
    }
    memcpy(name, s + 1, len - 1);
    name[len - 1] = '\0';
    const char *val = sp->lookup ? sp->lookup(sp->lookup_ctx, name, sp->is_port) : NULL;
    if (val == NULL) {
        return set_err(sp, "unknown variable '$%s'", name);
    }
    return parse_expr(sp, val, strlen(val), depth + 1, out);
}

static int parse_expr(SetParse *sp, const char *s, size_t len, int depth, Pair *out)
{
    detect_trim_span(&s, &len);
    if (depth > DETECT_VAR_DEPTH_MAX) {
        return set_err(sp, "address or port nesting too deep (variable loop?)");
    }
    if (len == 0) {
        return set_err(sp, "empty address or port");
    }
    int rc;
    if (s[0] == '!') {
        rc = parse_expr(sp, s + 1, len - 1, depth + 1, out);
        return rc != 0 ? rc : pair_complement(out, sp->is_port);
    }
    if (s[0] == '[') {
        if (s[len - 1] != ']') {
            return set_err(sp, "unbalanced brackets in '%.*s'", (int)len, s);
        }
        rc = parse_list(sp, s + 1, len - 2, depth, out);
    } else if (s[0] == '$') {
        rc = parse_var(sp, s, len, depth, out);
    } else if (len == 3 && strncmp(s, "any", 3) == 0) {
        rc = pair_universe(out, sp->is_port);
    } else if (sp->is_port) {
        rc = parse_single_port(sp, s, len, out);
    } else {
        rc = parse_single_addr(sp, s, len, out);
    }
    if (rc == 0) {
        detect_rangeset_normalize(&out->a);
        detect_rangeset_normalize(&out->b);
    }
    return rc;
}

static bool covers(const DetectRangeSet *s, DetectU128 max)
{
    return s->n == 1 && s->r[0].lo == 0 && s->r[0].hi == max;
}

/* Gives back the unused capacity of a parsed set: every rule keeps its own sets (~25k
 * rules, most holding one or two ranges). */
static void rangeset_shrink(DetectRangeSet *s)
{
    if (s->n == 0) {
        free(s->r);
        s->r = NULL;
        s->cap = 0;
    } else if (s->n < s->cap) {
        DetectRange *r = realloc(s->r, s->n * sizeof(*r));
        if (r != NULL) {
            s->r = r;
            s->cap = s->n;
        }
    }
}

int detect_addr_parse(DetectAddrSet *out, const char *text, DetectVarLookup lookup,
                      const void *lookup_ctx, char *err, size_t errlen)
{
    SetParse sp = { lookup, lookup_ctx, err, errlen, false };
    Pair p = { 0 };
    memset(out, 0, sizeof(*out));
    int rc = parse_expr(&sp, text, strlen(text), 0, &p);
    if (rc == 0 && p.a.n == 0 && p.b.n == 0) {
        rc = set_err(&sp, "address '%s' matches nothing", text);
    }
    if (rc != 0) {
        pair_free(&p);
        return rc;
    }
    rangeset_shrink(&p.a);
    rangeset_shrink(&p.b);
    out->v4 = p.a;
    out->v6 = p.b;
    out->is_any = covers(&p.a, V4_MAX) && covers(&p.b, V6_MAX);
    return 0;
}

/* ---- the addresses of a rule set's headers, parsed once each ---- */

/* ET Open's 24,827 rules give 49,654 source and destination texts; 47,385 of them are
 * $HOME_NET, $EXTERNAL_NET, $HTTP_SERVERS or any, and parsing a text resolves and merges
 * its variables anew: ~5% of start-up's instructions (issue 15). The other 1,212 distinct
 * texts are mostly literal address lists of one rule each: only texts naming a variable
 * are kept (a literal list parses about as fast as it copies, and would push the
 * variables out). Up to this many texts are kept. */
#define ADDR_MEMO_MAX 64u

struct DetectAddrMemo {
    char *text[ADDR_MEMO_MAX];
    DetectAddrSet set[ADDR_MEMO_MAX];
    uint32_t n;
    uint32_t next;               // slot replaced when full (round robin)
};

static int rangeset_copy(DetectRangeSet *out, const DetectRangeSet *in)
{
    *out = (DetectRangeSet){ 0 };
    if (in->n == 0) {
        return 0;
    }
    out->r = malloc(in->n * sizeof(*out->r));
    if (out->r == NULL) {
        return VG_ENOMEM;
    }
    memcpy(out->r, in->r, in->n * sizeof(*out->r));
    out->n = out->cap = in->n;
    return 0;
}

static int addr_copy(DetectAddrSet *out, const DetectAddrSet *in)
{
    *out = (DetectAddrSet){ .is_any = in->is_any };
    if (rangeset_copy(&out->v4, &in->v4) != 0 || rangeset_copy(&out->v6, &in->v6) != 0) {
        detect_addr_free(out);
        return VG_ENOMEM;
    }
    return 0;
}

/* Keeps a copy of (text, set) in the memo; nothing when memory is short. */
static void memo_store(DetectAddrMemo *m, const char *text, const DetectAddrSet *set)
{
    uint32_t i = m->n < ADDR_MEMO_MAX ? m->n : m->next;
    char *t = strdup(text);
    DetectAddrSet copy;
    if (t == NULL || addr_copy(&copy, set) != 0) {
        free(t);
        return;
    }
    if (m->n < ADDR_MEMO_MAX) {
        m->n++;
    } else {
        free(m->text[i]);
        detect_addr_free(&m->set[i]);
        m->next = (m->next + 1) % ADDR_MEMO_MAX;
    }
    m->text[i] = t;
    m->set[i] = copy;
}

int detect_addr_parse_memo(DetectAddrMemo **memo, DetectAddrSet *out, const char *text,
                           DetectVarLookup lookup, const void *lookup_ctx, char *err,
                           size_t errlen)
{
    if (strchr(text, '$') == NULL) {
        return detect_addr_parse(out, text, lookup, lookup_ctx, err, errlen);
    }
    if (*memo == NULL) {
        *memo = calloc(1, sizeof(**memo));
    }
    DetectAddrMemo *m = *memo;
    for (uint32_t i = 0; m != NULL && i < m->n; i++) {
        if (strcmp(m->text[i], text) == 0) {
            if (addr_copy(out, &m->set[i]) != 0) {
                snprintf(err, errlen, "out of memory");
                return VG_ENOMEM;
            }
            return 0;
        }
    }
    int rc = detect_addr_parse(out, text, lookup, lookup_ctx, err, errlen);
    if (rc == 0 && m != NULL) {
        memo_store(m, text, out);
    }
    return rc;
}

void detect_addr_memo_free(DetectAddrMemo *memo)
{
    for (uint32_t i = 0; memo != NULL && i < memo->n; i++) {
        free(memo->text[i]);
        detect_addr_free(&memo->set[i]);
    }
    free(memo);
}

int detect_port_parse(DetectPortSet *out, const char *text, DetectVarLookup lookup,
                      const void *lookup_ctx, char *err, size_t errlen)
{
    SetParse sp = { lookup, lookup_ctx, err, errlen, true };
    Pair p = { 0 };
    memset(out, 0, sizeof(*out));
    int rc = parse_expr(&sp, text, strlen(text), 0, &p);
    if (rc == 0 && p.a.n == 0) {
        rc = set_err(&sp, "port '%s' matches nothing", text);
    }
    if (rc != 0) {
        pair_free(&p);
        return rc;
    }
    rangeset_shrink(&p.a);
    out->ports = p.a;
    out->is_any = covers(&p.a, PORT_MAX);
    return 0;
}

DetectU128 detect_addr_key(const VgAddr *a)
{
    return addr_key(a);
}

bool detect_addr_match(const DetectAddrSet *s, const VgAddr *a)
{
    if (s->is_any) {
        return true;
    }
    if (a->family == 4) {
        return detect_rangeset_contains(&s->v4, ntohl(a->a.u32[0]));
    }
    if (a->family == 6) {
        return detect_rangeset_contains(&s->v6, v6_key(a->a.u8));
    }
    return false;
}

bool detect_port_match(const DetectPortSet *s, uint16_t port)
{
    return s->is_any || detect_rangeset_contains(&s->ports, port);
}

void detect_addr_free(DetectAddrSet *s)
{
    detect_rangeset_free(&s->v4);
    detect_rangeset_free(&s->v6);
}

void detect_port_free(DetectPortSet *s)
{
    detect_rangeset_free(&s->ports);
}
