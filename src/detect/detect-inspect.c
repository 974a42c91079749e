/* Payload inspection: walks a rule's payload chain (content, pcre, isdataat,
 * byte_*) over one buffer with Suricata's semantics.
 *
 * Each element sees the "buffer offset": the end of the previous match, which
 * relative elements (distance/within, pcre R, relative byte_* and isdataat)
 * start from. When a later relative element fails, the last content or pcre
 * is searched again from its previous match start + 1 so another occurrence
 * can satisfy the chain. Every step counts against DETECT_RECURSION_LIMIT. */

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-asn1.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"

enum { INSPECT_NOMATCH = 0, INSPECT_MATCH = 1, INSPECT_ABORT = -1 };

/* Chain elements up to this index remember their last content search. */
#define INSPECT_MEMO_MAX 16u

/* The last search of a content: from start, window ending at end, found at pos (-1:
 * none). The first occurrence at or after start is also the first at or after any
 * later start up to pos, and "none" stays none for any later start: a relative
 * content searched again from each new position of the element before it (the
 * retries of a chain) is answered without scanning the same bytes again. The chain
 * takes the very same steps, so results and recursion counts do not change. */
typedef struct InspectMemo {
    uint32_t start;
    uint32_t end;
    int64_t pos;
} InspectMemo;

typedef struct Inspect {
    DetectThread *dt;
    const Signature *s;
    const DetectMatchList *l;
    const uint8_t *buf;
    uint32_t len;
    uint32_t memo_valid;                  // bit idx: memo[idx] holds a search
    InspectMemo memo[INSPECT_MEMO_MAX];
} Inspect;

static int64_t value_of(const Inspect *ic, const DetectValue *v)
{
    return v->var < 0 ? v->val : ic->dt->byte_vars[v->var];
}

static const uint8_t lower_table[256] = {
#define L(x) (uint8_t)((x) >= 'A' && (x) <= 'Z' ? (x) + 32 : (x))
#define R4(b) L(b), L(b + 1), L(b + 2), L(b + 3)
#define R16(b) R4(b), R4(b + 4), R4(b + 8), R4(b + 12)
    R16(0), R16(16), R16(32), R16(48), R16(64), R16(80), R16(96), R16(112),
    R16(128), R16(144), R16(160), R16(176), R16(192), R16(208), R16(224), R16(240),
#undef R16
#undef R4
#undef L
};

static bool equal_at(const DetectContent *c, const uint8_t *p)
{
    if (!(c->flags & DETECT_CONTENT_NOCASE)) {
        return memcmp(p, c->pat, c->len) == 0;
    }
    for (uint16_t i = 0; i < c->len; i++) {
        if (lower_table[p[i]] != lower_table[c->pat[i]]) {
            return false;
        }
    }
    return true;
}

/* First position >= start where c fits entirely before end, or -1. */
static int64_t content_find(const DetectContent *c, const uint8_t *buf, uint32_t start,
                            uint32_t end)
{
    if (end < start || end - start < c->len) {
        return -1;
    }
    if (!(c->flags & DETECT_CONTENT_NOCASE)) {
        const uint8_t *hit = memmem(buf + start, end - start, c->pat, c->len);
        return hit ? hit - buf : -1;
    }
    /* A byte that is no letter matches itself only: memchr finds its candidates (in
     * ascending order, so the first that fits is the first occurrence). */
    uint16_t k = 0;
    while (k < c->len && (lower_table[c->pat[k]] != c->pat[k] ||
                          (c->pat[k] >= 'a' && c->pat[k] <= 'z'))) {
        k++;
    }
    if (k < c->len) {
        const uint8_t *p = buf + start + k;
        const uint8_t *last = buf + end - (c->len - k);   // the anchor's last place
        while (p <= last) {
            p = memchr(p, c->pat[k], (size_t)(last - p) + 1);
            if (p == NULL) {
                return -1;
            }
            if (equal_at(c, p - k)) {
                return p - k - buf;
            }
            p++;
        }
        return -1;
    }
    uint8_t first = lower_table[c->pat[0]];
    for (uint32_t i = start; i + c->len <= end; i++) {
        if (lower_table[buf[i]] == first && equal_at(c, buf + i)) {
            return i;
        }
    }
    return -1;
}

static int inspect_at(Inspect *ic, uint16_t idx, uint32_t off);

/* content_find through the element's memo (see InspectMemo). */
static int64_t memo_find(Inspect *ic, uint16_t idx, const DetectContent *c, uint32_t start,
                         uint32_t end)
{
    if (idx >= INSPECT_MEMO_MAX) {
        return content_find(c, ic->buf, start, end);
    }
    InspectMemo *m = &ic->memo[idx];
    uint32_t bit = 1u << idx;
    if ((ic->memo_valid & bit) && m->end == end && start >= m->start &&
        (m->pos < 0 || start <= m->pos)) {
        return m->pos;
    }
    int64_t pos = content_find(c, ic->buf, start, end);
    m->start = start;
    m->end = end;
    m->pos = pos;
    ic->memo_valid |= bit;
    return pos;
}

static int next(Inspect *ic, uint16_t idx, uint32_t off)
{
    if (idx + 1u < ic->l->n) {
        return inspect_at(ic, (uint16_t)(idx + 1), off);
    }
    /* Stream views start with bytes inspected before: a chain ending there
     * matched then; failing here makes content/pcre look for a later
     * occurrence (they retry whenever min_match_end is set). */
    return off >= ic->dt->min_match_end ? INSPECT_MATCH : INSPECT_NOMATCH;
}

/* Search window [*start, *end) for content c given the buffer offset. */
static bool content_window(const Inspect *ic, const DetectContent *c, uint32_t off,
                           uint32_t *start, uint32_t *end)
{
    int64_t s = 0;
    int64_t e = ic->len;
    if (c->flags & DETECT_CONTENT_RELATIVE) {
        int64_t dist = (c->flags & DETECT_CONTENT_DISTANCE) ? value_of(ic, &c->distance) : 0;
        s = (int64_t)off + dist;
        if (c->flags & DETECT_CONTENT_WITHIN) {
            e = s + value_of(ic, &c->within);
        }
        if (s < 0) {
            s = 0;
        }
    } else {
        /* A stream view's offset/depth count from its new data, after the
         * bytes repeated from the previous chunk: Suricata anchors them at
         * the start of each inspected chunk. */
        if (c->flags & (DETECT_CONTENT_OFFSET | DETECT_CONTENT_DEPTH)) {
            s = ic->dt->anchor_base;
        }
        if (c->flags & DETECT_CONTENT_OFFSET) {
            s += value_of(ic, &c->offset);
        }
        if (c->flags & DETECT_CONTENT_DEPTH) {
            e = s + value_of(ic, &c->depth);
        }
    }
    if (e > ic->len) {
        e = ic->len;
    }
    if (s < 0 || s > e) {
        return false;
    }
    *start = (uint32_t)s;
    *end = (uint32_t)e;
    return true;
}

static int inspect_content(Inspect *ic, uint16_t idx, uint32_t off)
{
    const DetectContent *c = ic->l->m[idx].ctx;
    uint32_t start;
    uint32_t end;
    bool neg = (c->flags & DETECT_CONTENT_NEGATED) != 0;
    if (!content_window(ic, c, off, &start, &end)) {
        return neg ? next(ic, idx, off) : INSPECT_NOMATCH;
    }
    for (;;) {
        int64_t pos;
        if (c->flags & DETECT_CONTENT_ENDSWITH) {
            pos = ic->len >= c->len ? (int64_t)ic->len - c->len : -1;
            if (pos < start || pos + c->len > end || !equal_at(c, ic->buf + pos)) {
                pos = -1;
            }
        } else {
            pos = memo_find(ic, idx, c, start, end);
        }
        if (neg) {
            return pos >= 0 ? INSPECT_NOMATCH : next(ic, idx, off);
        }
        if (pos < 0) {
            return INSPECT_NOMATCH;
        }
        int rc = next(ic, idx, (uint32_t)pos + c->len);
        bool retry = (c->flags & DETECT_CONTENT_RELATIVE_NEXT) || ic->dt->min_match_end > 0;
        if (rc != INSPECT_NOMATCH || !retry || (c->flags & DETECT_CONTENT_ENDSWITH)) {
            return rc;
        }
        if (++ic->dt->recursion > DETECT_RECURSION_LIMIT) {
            ic->dt->recursion_hit = true;
            return INSPECT_ABORT;
        }
        start = (uint32_t)pos + 1;
    }
}

static int inspect_pcre(Inspect *ic, uint16_t idx, uint32_t off)
{
    const DetectPcre *pc = ic->l->m[idx].ctx;
    uint32_t base = (pc->flags & DETECT_PM_F_RELATIVE) ? off : 0;
    bool neg = (pc->flags & DETECT_PM_F_NEGATED) != 0;
    pcre2_match_data *md = ic->dt->pcre_md;
    uint32_t from = 0;
    if (base > ic->len) {
        return neg ? next(ic, idx, off) : INSPECT_NOMATCH;
    }
    for (;;) {
        int n = pcre2_match(pc->code, ic->buf + base, ic->len - base, from, 0, md,
                            ic->dt->pcre_mc);
        if (neg) {
            return n > 0 ? INSPECT_NOMATCH : next(ic, idx, off);
        }
        if (n <= 0) {
            return INSPECT_NOMATCH;
        }
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        uint32_t mstart = (uint32_t)ov[0];
        uint32_t n_pending = ic->dt->n_vars_pending;
        for (uint8_t v = 0; v < pc->n_vars; v++) {
            uint8_t c = pc->vars[v].capture;
            if ((int)c < n && ov[2 * c] != PCRE2_UNSET && ov[2 * c + 1] >= ov[2 * c]) {
                detect_vars_capture(ic->dt, ic->s, &pc->vars[v], ic->buf + base + ov[2 * c],
                                    ov[2 * c + 1] - ov[2 * c]);
            }
        }
        int rc = next(ic, idx, base + (uint32_t)ov[1]);
        if (rc == INSPECT_NOMATCH) {
            ic->dt->n_vars_pending = n_pending;   // this match is not the rule's: its captures go
        }
        bool retry = (pc->flags & DETECT_PM_F_RELATIVE_NEXT) || ic->dt->min_match_end > 0;
        if (rc != INSPECT_NOMATCH || !retry) {
            return rc;
        }
        if (++ic->dt->recursion > DETECT_RECURSION_LIMIT) {
            ic->dt->recursion_hit = true;
            return INSPECT_ABORT;
        }
        from = mstart + 1;
        if (base + from > ic->len) {
            return INSPECT_NOMATCH;
        }
    }
}

static int inspect_isdataat(Inspect *ic, uint16_t idx, uint32_t off)
{
    const DetectIsdataat *d = ic->l->m[idx].ctx;
    int64_t pos = value_of(ic, &d->pos);
    bool has = (d->flags & DETECT_PM_F_RELATIVE) ? (int64_t)off + pos <= (int64_t)ic->len
                                                  : pos < (int64_t)ic->len;
    if (d->flags & DETECT_PM_F_NEGATED) {
        has = !has;
    }
    return has ? next(ic, idx, off) : INSPECT_NOMATCH;
}

static bool byte_compare(const DetectByte *b, uint64_t v, uint64_t ref)
{
    bool r;
    switch (b->op) {
    case DETECT_OP_LT: r = v < ref; break;
    case DETECT_OP_GT: r = v > ref; break;
    case DETECT_OP_LE: r = v <= ref; break;
    case DETECT_OP_GE: r = v >= ref; break;
    case DETECT_OP_AND: r = (v & ref) != 0; break;
    case DETECT_OP_XOR: r = (v ^ ref) != 0; break;
    default: r = v == ref; break;
    }
    return (b->flags & DETECT_BYTE_F_NEGATE) ? !r : r;
}

static bool math_apply(uint8_t op, uint64_t a, uint64_t b, uint64_t *out)
{
    switch (op) {
    case DETECT_MATH_ADD: *out = a + b; break;
    case DETECT_MATH_SUB: *out = a - b; break;
    case DETECT_MATH_MUL: *out = a * b; break;
    case DETECT_MATH_DIV:
        if (b == 0) {
            return false;
        }
        *out = a / b;
        break;
    case DETECT_MATH_SHL: *out = b >= 64 ? 0 : a << b; break;
    default: *out = b >= 64 ? 0 : a >> b; break;
    }
    return true;
}

/* Byte variables are unsigned (as Suricata's) and later added to offsets,
 * distances and depths: saturate them at 2^40, far beyond any buffer, so
 * that no such sum overflows. */
#define BYTE_VAR_LIMIT ((uint64_t)1 << 40)

static int64_t var_value(uint64_t v)
{
    return (int64_t)(v > BYTE_VAR_LIMIT ? BYTE_VAR_LIMIT : v);
}

/* byte_jump target: relative to the read position, the start or the end. */
static bool jump_target(const Inspect *ic, const DetectByte *b, int64_t at, uint64_t v,
                        uint32_t *out)
{
    uint64_t mult = b->multiplier > 0 ? b->multiplier : 1;
    if (v > UINT32_MAX / mult) {
        return false;  // no buffer is that long: the product can't land inside it
    }
    int64_t jump = (int64_t)(v * mult);
    if (b->flags & DETECT_BYTE_F_ALIGN) {
        jump = (jump + 3) & ~(int64_t)3;
    }
    int64_t target;
    if (b->flags & DETECT_BYTE_F_BEGIN) {
        target = jump;
    } else if (b->flags & DETECT_BYTE_F_END) {
        target = (int64_t)ic->len + jump;
    } else {
        target = at + b->nbytes + jump;
    }
    target += b->post_offset;
    if (target < 0) {
        target = 0;  // Suricata: a post_offset before the start lands on the start
    }
    if (target > (int64_t)ic->len) {
        return false;
    }
    *out = (uint32_t)target;
    return true;
}

/* nbytes from a byte variable: a copy of b with the count filled in, or NULL
 * when the variable holds a count the keyword cannot read. */
static const DetectByte *byte_with_count(const Inspect *ic, const DetectMatch *m,
                                         DetectByte *tmp)
{
    const DetectByte *b = m->ctx;
    if (b->nbytes_var < 0) {
        return b;
    }
    int64_t n = ic->dt->byte_vars[b->nbytes_var];
    int64_t min = m->pm_type == DETECT_PM_BYTEJUMP ? 0 : 1;
    int64_t max = (b->flags & DETECT_BYTE_F_STRING) ? 10 : 8;
    if (n < min || n > max) {
        return NULL;
    }
    *tmp = *b;
    tmp->nbytes = (uint8_t)n;
    return tmp;
}

static int inspect_byte(Inspect *ic, uint16_t idx, uint32_t off)
{
    const DetectMatch *m = &ic->l->m[idx];
    DetectByte tmp;
    const DetectByte *b = byte_with_count(ic, m, &tmp);
    if (b == NULL) {
        return INSPECT_NOMATCH;
    }
    int64_t base = (b->flags & DETECT_BYTE_F_RELATIVE) ? (int64_t)off : 0;
    int64_t at = base + value_of(ic, &b->offset);
    uint64_t v;
    if (!detect_byte_read(b, ic->buf, ic->len, at, &v)) {
        return INSPECT_NOMATCH;
    }
    switch (m->pm_type) {
    case DETECT_PM_BYTETEST:
        return byte_compare(b, v, (uint64_t)value_of(ic, &b->value)) ? next(ic, idx, off)
                                                                      : INSPECT_NOMATCH;
    case DETECT_PM_BYTEJUMP: {
        uint32_t target;
        return jump_target(ic, b, at, v, &target) ? next(ic, idx, target) : INSPECT_NOMATCH;
    }
    case DETECT_PM_BYTEEXTRACT:
        v *= b->multiplier;
        if (b->align > 1 && v % b->align != 0) {
            v += b->align - v % b->align;
        }
        ic->dt->byte_vars[b->result_var] = var_value(v);
        return next(ic, idx, (uint32_t)at + b->nbytes);
    default: {
        uint64_t r;
        if (!math_apply(b->op, v, (uint64_t)value_of(ic, &b->value), &r)) {
            return INSPECT_NOMATCH;
        }
        ic->dt->byte_vars[b->result_var] = var_value(r);
        return next(ic, idx, off);
    }
    }
}

/* base64_decode: decode from the buffer (relative to the previous match or
 * not), then the base64_data keywords inspect the result; their match ends
 * the whole chain (Suricata's base64_data is a terminal list). */
static int inspect_base64(Inspect *ic, uint16_t idx, uint32_t off)
{
    const DetectBase64 *b = ic->l->m[idx].ctx;
    uint64_t at = ((b->flags & DETECT_PM_F_RELATIVE) ? off : 0) + (uint64_t)b->offset;
    if (at >= ic->len) {
        return INSPECT_NOMATCH;
    }
    uint32_t n = ic->len - (uint32_t)at;
    if (b->bytes > 0 && b->bytes < n) {
        n = b->bytes;
    }
    DetectThread *dt = ic->dt;
    if (dt->b64 == NULL && (dt->b64 = malloc(DETECT_B64_MAX)) == NULL) {
        return INSPECT_NOMATCH;
    }
    uint32_t dlen = detect_base64_decode(ic->buf + at, n, dt->b64, DETECT_B64_MAX);
    if (dlen == 0) {
        return INSPECT_NOMATCH;
    }
    const DetectMatchList *data = &ic->s->lists[DETECT_LIST_BASE64];
    if (data->n == 0) {
        return next(ic, idx, off);
    }
    Inspect sub = { dt, ic->s, data, dt->b64, dlen, 0, {{0}} };
    uint32_t min_end = dt->min_match_end;
    dt->min_match_end = 0;  // the decoded bytes are new, whatever view they came from
    int r = inspect_at(&sub, 0, 0);
    dt->min_match_end = min_end;
    return r;
}

static int inspect_at(Inspect *ic, uint16_t idx, uint32_t off)
{
    if (++ic->dt->recursion > DETECT_RECURSION_LIMIT) {
        ic->dt->recursion_hit = true;
        return INSPECT_ABORT;
    }
    switch (ic->l->m[idx].pm_type) {
    case DETECT_PM_CONTENT:
        return inspect_content(ic, idx, off);
    case DETECT_PM_PCRE:
        return inspect_pcre(ic, idx, off);
    case DETECT_PM_ISDATAAT:
        return inspect_isdataat(ic, idx, off);
    case DETECT_PM_BSIZE:
        return detect_uint_match(ic->l->m[idx].ctx, ic->len) ? next(ic, idx, off)
                                                              : INSPECT_NOMATCH;
    case DETECT_PM_DATASET:
        return detect_dataset_match(ic->dt, ic->s, ic->l->m[idx].ctx, ic->buf, ic->len)
                   ? next(ic, idx, off)
                   : INSPECT_NOMATCH;
    case DETECT_PM_BASE64:
        return inspect_base64(ic, idx, off);
    case DETECT_PM_PLUGIN:
        return detect_plugin_match_buffer(ic->l->m[idx].ctx, ic->buf, ic->len)
                   ? next(ic, idx, off)
                   : INSPECT_NOMATCH;
    case DETECT_PM_ASN1:
        return detect_asn1_match(ic->l->m[idx].ctx, ic->buf, ic->len, off) ? next(ic, idx, off)
                                                                            : INSPECT_NOMATCH;
    default:
        return inspect_byte(ic, idx, off);
    }
}

bool detect_inspect_payload(DetectThread *dt, const Signature *s, int list, const uint8_t *buf,
                            uint32_t len)
{
    const DetectMatchList *l = detect_sig_list(s, list);
    if (l == NULL || l->n == 0) {
        return true;
    }
    static const uint8_t empty[1] = { 0 };
    Inspect ic;
    ic.dt = dt;
    ic.s = s;
    ic.l = l;
    ic.buf = buf ? buf : empty;
    ic.len = buf ? len : 0;
    ic.memo_valid = 0;   // (memo[] is read only under its bit: left uninitialised)
    dt->recursion = 0;
    dt->recursion_hit = false;
    return inspect_at(&ic, 0, 0) == INSPECT_MATCH;
}
