/* Aho-Corasick backend.
 *
 * The automaton runs over a compressed alphabet: every byte that occurs in a
 * pattern gets its own class, all other bytes share class 0. When at least
 * one caseless pattern contains a letter, the alphabet is folded (A-Z share
 * the class of a-z) and case-sensitive patterns are verified against their
 * original bytes after a folded match.
 *
 * States are numbered breadth-first, so that shallow states come first and a
 * state's failure target always has a smaller number. The first n_dense
 * states hold a full transition row (failures resolved: a DFA); deeper states
 * hold only their trie children (contiguous, sorted by class) and a failure
 * link, followed at scan time until a dense state is reached. Small sets are
 * therefore a pure DFA, large ones stay within AC_DENSE_BUDGET_BYTES plus a
 * few words per state.
 *
 * Each state lists only the patterns ending exactly there, plus a link to
 * the next state on its failure chain that has any: output memory stays
 * linear in the number of patterns. */

#include <stdlib.h>
#include <string.h>

#include "detect/mpm/detect-mpm-internal.h"
#include "util/util-error.h"

/* Default memory for full transition rows; the states beyond use the sparse
 * form. MpmCtx.ac_dense_budget overrides it (tests force sparse states). */
#define AC_DENSE_BUDGET_BYTES (2u * 1024 * 1024)

struct MpmAc {
    uint8_t cls[256];      // byte -> alphabet class
    uint32_t alpha;        // number of classes
    bool is_folded;        // case-sensitive patterns need verification
    uint32_t n_states;
    uint32_t n_dense;      // states [0, n_dense) have a row in dense
    uint32_t *dense;       // n_dense * alpha transitions
    uint32_t *fail;
    uint32_t *first_child; // children are states first_child .. +n_child
    uint16_t *n_child;
    uint8_t *in_class;     // class of the edge into the state
    uint8_t *has_out;      // own outputs or an output link
    uint32_t *out_off;     // into outs
    uint32_t *out_cnt;
    uint32_t *out_link;    // next state on the failure chain with outputs, or 0
    uint32_t *outs;        // pattern indices
    uint32_t n_outs;
};

/* Trie in creation (depth-first) order, before renumbering. */
typedef struct AcTrie {
    uint32_t n_nodes;
    uint32_t *first;   // first child or 0
    uint32_t *next;    // next sibling or 0
    uint32_t *last;    // last child, to append in class order
    uint32_t *out_off;
    uint32_t *out_cnt;
    uint8_t *cls;
} AcTrie;

static uint8_t fold_byte(uint8_t b)
{
    return (b >= 'A' && b <= 'Z') ? (uint8_t)(b | 0x20) : b;
}

static bool is_letter(uint8_t b)
{
    uint8_t l = b | 0x20;
    return l >= 'a' && l <= 'z';
}

static bool needs_folding(const MpmCtx *ctx)
{
    for (uint32_t i = 0; i < ctx->n_pats; i++) {
        const MpmPattern *p = &ctx->pats[i];
        const uint8_t *b = ctx->bytes + p->bytes_off;
        for (uint16_t k = 0; p->nocase && k < p->len; k++) {
            if (is_letter(b[k])) {
                return true;
            }
        }
    }
    return false;
}

static void build_classes(MpmAc *ac, const MpmCtx *ctx)
{
    bool used[256] = {false};
    ac->is_folded = needs_folding(ctx);
    for (size_t i = 0; i < ctx->bytes_len; i++) {
        uint8_t b = ctx->bytes[i];
        used[ac->is_folded ? fold_byte(b) : b] = true;
    }
    uint8_t map[256] = {0};
    uint32_t n_used = 0;
    for (uint32_t v = 0; v < 256; v++) {
        n_used += used[v];
    }
    uint32_t next = n_used < 256 ? 1 : 0; // class 0 is "no pattern byte" if any
    for (uint32_t v = 0; v < 256; v++) {
        if (used[v]) {
            map[v] = (uint8_t)next++;
        }
    }
    for (uint32_t b = 0; b < 256; b++) {
        uint8_t f = ac->is_folded ? fold_byte((uint8_t)b) : (uint8_t)b;
        ac->cls[b] = used[f] ? map[f] : 0;
    }
    ac->alpha = next;
}

/* Sorting patterns by their class sequence makes the trie insertion a walk
 * along the previous pattern's path. */
typedef struct AcSortArg {
    const MpmCtx *ctx;
    const uint8_t *folded; // class sequence of each pattern, at bytes_off
} AcSortArg;

static int folded_cmp(const void *a, const void *b, void *arg)
{
    const AcSortArg *s = arg;
    const MpmPattern *x = &s->ctx->pats[*(const uint32_t *)a];
    const MpmPattern *y = &s->ctx->pats[*(const uint32_t *)b];
    uint16_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(s->folded + x->bytes_off, s->folded + y->bytes_off, n);
    if (c != 0) {
        return c;
    }
    return x->len < y->len ? -1 : (x->len > y->len);
}

static int trie_alloc(AcTrie *t, size_t cap)
{
    t->n_nodes = 1; // the root, node 0
    t->first = calloc(cap, sizeof(uint32_t));
    t->next = calloc(cap, sizeof(uint32_t));
    t->last = calloc(cap, sizeof(uint32_t));
    t->out_off = calloc(cap, sizeof(uint32_t));
    t->out_cnt = calloc(cap, sizeof(uint32_t));
    t->cls = calloc(cap, 1);
    bool ok = t->first && t->next && t->last && t->out_off && t->out_cnt && t->cls;
    return ok ? 0 : VG_ENOMEM;
}

static void trie_free(AcTrie *t)
{
    free(t->first);
    free(t->next);
    free(t->last);
    free(t->out_off);
    free(t->out_cnt);
    free(t->cls);
}

static uint32_t trie_add_child(AcTrie *t, uint32_t parent, uint8_t c)
{
    uint32_t n = t->n_nodes++;
    t->cls[n] = c;
    if (t->first[parent] == 0) {
        t->first[parent] = n;
    } else {
        t->next[t->last[parent]] = n;
    }
    t->last[parent] = n;
    return n;
}

/* Inserts the patterns in sorted order; sorted[i] ends at a node whose
 * output range covers position i. */
static int trie_insert_sorted(AcTrie *t, const MpmCtx *ctx, const uint8_t *folded,
                              const uint32_t *sorted)
{
    uint32_t *path = malloc(((size_t)UINT16_MAX + 1) * sizeof(uint32_t));
    if (path == NULL) {
        return VG_ENOMEM;
    }
    path[0] = 0;
    const uint8_t *prev = NULL;
    uint16_t prev_len = 0;
    for (uint32_t i = 0; i < ctx->n_pats; i++) {
        const MpmPattern *p = &ctx->pats[sorted[i]];
        const uint8_t *f = folded + p->bytes_off;
        uint16_t lcp = 0;
        while (prev != NULL && lcp < p->len && lcp < prev_len && prev[lcp] == f[lcp]) {
            lcp++;
        }
        for (uint16_t d = lcp; d < p->len; d++) {
            path[d + 1] = trie_add_child(t, path[d], f[d]);
        }
        uint32_t end = path[p->len];
        if (t->out_cnt[end]++ == 0) {
            t->out_off[end] = i;
        }
        prev = f;
        prev_len = p->len;
    }
    free(path);
    return 0;
}

static int ac_alloc_states(MpmAc *ac, uint32_t n)
{
    ac->n_states = n;
    ac->fail = calloc(n, sizeof(uint32_t));
    ac->first_child = calloc(n, sizeof(uint32_t));
    ac->n_child = calloc(n, sizeof(uint16_t));
    ac->in_class = calloc(n, 1);
    ac->has_out = calloc(n, 1);
    ac->out_off = calloc(n, sizeof(uint32_t));
    ac->out_cnt = calloc(n, sizeof(uint32_t));
    ac->out_link = calloc(n, sizeof(uint32_t));
    bool ok = ac->fail && ac->first_child && ac->n_child && ac->in_class && ac->has_out &&
              ac->out_off && ac->out_cnt && ac->out_link;
    return ok ? 0 : VG_ENOMEM;
}

/* Renumbers the trie breadth-first into ac's state arrays. */
static int ac_renumber(MpmAc *ac, const AcTrie *t)
{
    uint32_t n = t->n_nodes;
    uint32_t *order = malloc((size_t)n * sizeof(uint32_t));
    uint32_t *new_id = malloc((size_t)n * sizeof(uint32_t));
    int rc = VG_ENOMEM;
    if (order == NULL || new_id == NULL || ac_alloc_states(ac, n) != 0) {
        goto out;
    }
    uint32_t tail = 1;
    order[0] = 0;
    for (uint32_t head = 0; head < tail; head++) {
        new_id[order[head]] = head;
        for (uint32_t c = t->first[order[head]]; c != 0; c = t->next[c]) {
            order[tail++] = c;
        }
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t u = order[k];
        ac->first_child[k] = t->first[u] ? new_id[t->first[u]] : 0;
        for (uint32_t c = t->first[u]; c != 0; c = t->next[c]) {
            ac->n_child[k]++;
        }
        ac->in_class[k] = t->cls[u];
        ac->out_off[k] = t->out_off[u];
        ac->out_cnt[k] = t->out_cnt[u];
    }
    rc = 0;
out:
    free(order);
    free(new_id);
    return rc;
}

/* Child of sparse-or-dense state s by class c, 0 when none. */
static inline uint32_t ac_child(const MpmAc *ac, uint32_t s, uint8_t c)
{
    uint32_t lo = ac->first_child[s];
    uint32_t hi = lo + ac->n_child[s];
    while (hi - lo > 4) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ac->in_class[mid] < c) {
            lo = mid + 1;
        } else if (ac->in_class[mid] > c) {
            hi = mid;
        } else {
            return mid;
        }
    }
    for (; lo < hi; lo++) {
        if (ac->in_class[lo] == c) {
            return lo;
        }
    }
    return 0;
}

/* The DFA transition from s on class c. */
static inline uint32_t ac_step(const MpmAc *ac, uint32_t s, uint8_t c)
{
    while (s >= ac->n_dense) {
        uint32_t child = ac_child(ac, s, c);
        if (child != 0) {
            return child;
        }
        s = ac->fail[s];
    }
    return ac->dense[(size_t)s * ac->alpha + c];
}

/* Fills failure links, output links and dense rows, breadth-first: every
 * state they refer to has a smaller number and is already complete. */
static void ac_link(MpmAc *ac)
{
    for (uint32_t k = 0; k < ac->n_states; k++) {
        uint32_t first = ac->first_child[k];
        uint32_t end = first + ac->n_child[k];
        if (k < ac->n_dense) {
            uint32_t *row = ac->dense + (size_t)k * ac->alpha;
            if (k != 0) {
                memcpy(row, ac->dense + (size_t)ac->fail[k] * ac->alpha,
                       ac->alpha * sizeof(uint32_t));
            }
            for (uint32_t v = first; v < end; v++) {
                row[ac->in_class[v]] = v;
            }
        }
        for (uint32_t v = first; v < end; v++) {
            uint32_t f = k == 0 ? 0 : ac_step(ac, ac->fail[k], ac->in_class[v]);
            ac->fail[v] = f;
            ac->out_link[v] = ac->out_cnt[f] ? f : ac->out_link[f];
            ac->has_out[v] = ac->out_cnt[v] != 0 || ac->out_link[v] != 0;
        }
    }
}

static int ac_build(MpmAc *ac, const MpmCtx *ctx, uint8_t *folded, uint32_t *sorted)
{
    build_classes(ac, ctx);
    for (size_t i = 0; i < ctx->bytes_len; i++) {
        folded[i] = ac->cls[ctx->bytes[i]];
    }
    for (uint32_t i = 0; i < ctx->n_pats; i++) {
        sorted[i] = i;
    }
    AcSortArg arg = {.ctx = ctx, .folded = folded};
    qsort_r(sorted, ctx->n_pats, sizeof(uint32_t), folded_cmp, &arg);
    AcTrie t = {0};
    int rc = trie_alloc(&t, ctx->bytes_len + 1);
    if (rc == 0) {
        rc = trie_insert_sorted(&t, ctx, folded, sorted);
    }
    if (rc == 0) {
        rc = ac_renumber(ac, &t);
    }
    trie_free(&t);
    if (rc != 0) {
        return rc;
    }
    size_t row_bytes = (size_t)ac->alpha * sizeof(uint32_t);
    size_t budget = ctx->ac_dense_budget ? ctx->ac_dense_budget : AC_DENSE_BUDGET_BYTES;
    size_t max_dense = budget / row_bytes;
    ac->n_dense = ac->n_states < max_dense ? ac->n_states : (uint32_t)(max_dense ? max_dense : 1);
    ac->dense = calloc(ac->n_dense, row_bytes);
    if (ac->dense == NULL) {
        return VG_ENOMEM;
    }
    ac_link(ac);
    return 0;
}

int mpm_ac_compile(MpmCtx *ctx)
{
    if (ctx->bytes_len >= UINT32_MAX) {
        return VG_ERANGE; // state numbers are 32-bit
    }
    MpmAc *ac = calloc(1, sizeof(*ac));
    uint8_t *folded = malloc(ctx->bytes_len + 1);
    uint32_t *sorted = malloc(((size_t)ctx->n_pats + 1) * sizeof(uint32_t));
    int rc = VG_ENOMEM;
    if (ac != NULL && folded != NULL && sorted != NULL) {
        rc = ac_build(ac, ctx, folded, sorted);
    }
    free(folded);
    if (rc != 0) {
        free(sorted);
        mpm_ac_free(ac);
        return rc;
    }
    ac->outs = sorted; // position i of the sorted order is an output slot
    ac->n_outs = ctx->n_pats;
    ctx->ac = ac;
    return 0;
}

/* Reports the patterns ending at buf[end] for a match in state s. */
static void ac_emit(const MpmCtx *ctx, MpmScan *sc, uint32_t s, const uint8_t *buf,
                    uint32_t end)
{
    const MpmAc *ac = ctx->ac;
    for (uint32_t t = ac->out_cnt[s] ? s : ac->out_link[s]; t != 0; t = ac->out_link[t]) {
        const uint32_t *outs = ac->outs + ac->out_off[t];
        for (uint32_t k = 0; k < ac->out_cnt[t]; k++) {
            uint32_t pat = outs[k];
            if (mpm_pattern_seen(sc, pat)) {
                continue;
            }
            const MpmPattern *p = &ctx->pats[pat];
            /* The automaton depth is p->len, so end + 1 >= p->len. */
            if (ac->is_folded && !p->nocase &&
                memcmp(buf + end + 1 - p->len, ctx->bytes + p->bytes_off, p->len) != 0) {
                continue;
            }
            mpm_report_pattern(sc, pat);
        }
    }
}

void mpm_ac_scan(const MpmCtx *ctx, MpmScan *s, const uint8_t *buf, uint32_t len)
{
    const MpmAc *ac = ctx->ac;
    uint32_t state = 0;
    for (uint32_t i = 0; i < len; i++) {
        state = ac_step(ac, state, ac->cls[buf[i]]);
        if (ac->has_out[state]) {
            ac_emit(ctx, s, state, buf, i);
        }
    }
}

size_t mpm_ac_memory(const MpmAc *ac)
{
    size_t per_state = 5 * sizeof(uint32_t) + sizeof(uint16_t) + 2;
    return sizeof(*ac) + (size_t)ac->n_states * per_state +
           (size_t)ac->n_dense * ac->alpha * sizeof(uint32_t) +
           (size_t)ac->n_outs * sizeof(uint32_t);
}

void mpm_ac_free(MpmAc *ac)
{
    if (ac == NULL) {
        return;
    }
    free(ac->dense);
    free(ac->fail);
    free(ac->first_child);
    free(ac->n_child);
    free(ac->in_class);
    free(ac->has_out);
    free(ac->out_off);
    free(ac->out_cnt);
    free(ac->out_link);
    free(ac->outs);
    free(ac);
}
