/* Hyperscan backend: one database per context, pattern ids are the indices
 * of the de-duplicated patterns. Each pattern is compiled with
 * HS_FLAG_SINGLEMATCH (Hyperscan then reports it at most once per scan);
 * mapping to caller ids and de-duplication of ids is done in
 * mpm_report_pattern. Built without Hyperscan, this file provides stubs
 * that say the backend is unavailable.
 *
 * Block or vectored mode: in block mode Hyperscan also builds a "small-write"
 * engine (a DFA for buffers of up to 70 bytes) from a trie of the literals of
 * at most 70 bytes, one trie for the caseless patterns and one for the
 * others. It gives up early, at no cost, when a trie passes 8000 nodes or
 * there are more than 10000 such literals; below that the build can take
 * over 150 MiB for a few seconds with some real rule sets (ET Open's packet
 * rules of one direction: 1,515 patterns, 187 MiB, against 11 MiB without)
 * and raises the engine's peak memory by as much. Vectored mode never builds
 * that engine, and scanning one buffer through hs_scan_vector costs a few
 * percent more than hs_scan. So a context whose literals would get a
 * small-write engine is compiled in vectored mode, any other in block mode
 * (see hs_wants_vectored). Matches are the same either way. */

#include "detect/mpm/detect-mpm-internal.h"
#include "util/util-error.h"

#ifdef VG_HAVE_HYPERSCAN

#include <hs/hs.h>
#include <stdlib.h>

#include "util/util-log.h"

/* Pure-literal compilation (NUL and all bytes allowed) came with 5.2. */
#if HS_MAJOR > 5 || (HS_MAJOR == 5 && HS_MINOR >= 2)
#define MPM_HS_HAVE_LIT 1
#endif

struct MpmHs {
    hs_database_t *db; // NULL when the context has no pattern
    size_t db_bytes;
    bool vectored;     // compiled in HS_MODE_VECTORED (else HS_MODE_BLOCK)
};

/* Hyperscan's limits for its small-write engine (its built-in defaults, the
 * same since 5.0): literals longer than this are left out of it ... */
#define HS_SMWR_MAX_LEN 70
/* ... and it is not built for more patterns than this, nor when one of its two
 * literal tries has more nodes than this (the root counts). */
#define HS_SMWR_MAX_PATTERNS 10000
#define HS_SMWR_MAX_TRIE_NODES 8000

bool mpm_hs_available(void)
{
    return hs_valid_platform() == HS_SUCCESS;
}

static unsigned pattern_flags(const MpmPattern *p)
{
    return HS_FLAG_SINGLEMATCH | (p->nocase ? HS_FLAG_CASELESS : 0);
}

/* Hyperscan stores a caseless literal with its letters in upper case. */
static uint8_t trie_byte(const MpmPattern *p, uint8_t b)
{
    return p->nocase && b >= 'a' && b <= 'z' ? (uint8_t)(b - 'a' + 'A') : b;
}

/* Orders the patterns of one trie by their bytes as the trie stores them. */
static int trie_cmp(const void *a, const void *b, void *arg)
{
    const MpmCtx *ctx = arg;
    const MpmPattern *x = &ctx->pats[*(const uint32_t *)a];
    const MpmPattern *y = &ctx->pats[*(const uint32_t *)b];
    const uint8_t *xb = ctx->bytes + x->bytes_off;
    const uint8_t *yb = ctx->bytes + y->bytes_off;
    uint16_t n = x->len < y->len ? x->len : y->len;
    for (uint16_t i = 0; i < n; i++) {
        uint8_t cx = trie_byte(x, xb[i]);
        uint8_t cy = trie_byte(y, yb[i]);
        if (cx != cy) {
            return cx < cy ? -1 : 1;
        }
    }
    return x->len < y->len ? -1 : (x->len > y->len);
}

/* Nodes of the trie (root included) of the n patterns idx[]: the distinct
 * prefixes, counted over the sorted list as each pattern's length less what
 * it shares with the one before. Sorts idx. */
static size_t trie_nodes(const MpmCtx *ctx, uint32_t *idx, uint32_t n)
{
    qsort_r(idx, n, sizeof(*idx), trie_cmp, (void *)ctx);
    size_t nodes = 1;
    for (uint32_t i = 0; i < n; i++) {
        const MpmPattern *p = &ctx->pats[idx[i]];
        uint16_t shared = 0;
        if (i > 0) {
            const MpmPattern *q = &ctx->pats[idx[i - 1]];
            const uint8_t *pb = ctx->bytes + p->bytes_off;
            const uint8_t *qb = ctx->bytes + q->bytes_off;
            uint16_t m = p->len < q->len ? p->len : q->len;
            while (shared < m && trie_byte(p, pb[shared]) == trie_byte(q, qb[shared])) {
                shared++;
            }
        }
        nodes += p->len - shared;
    }
    return nodes;
}

/* Whether block mode would build the small-write engine for these patterns
 * (then they are compiled in vectored mode; see the top of the file). On an
 * allocation failure, block mode. */
static bool hs_wants_vectored(const MpmCtx *ctx)
{
    if (ctx->n_pats > HS_SMWR_MAX_PATTERNS) {
        return false;
    }
    uint32_t *idx = malloc(((size_t)ctx->n_pats + 1) * sizeof(*idx));
    if (idx == NULL) {
        return false;
    }
    uint32_t n_case = 0;
    uint32_t n_nocase = 0;
    for (uint32_t i = 0; i < ctx->n_pats; i++) {
        if (ctx->pats[i].len <= HS_SMWR_MAX_LEN && !ctx->pats[i].nocase) {
            idx[n_case++] = i;
        }
    }
    for (uint32_t i = 0; i < ctx->n_pats; i++) {
        if (ctx->pats[i].len <= HS_SMWR_MAX_LEN && ctx->pats[i].nocase) {
            idx[n_case + n_nocase++] = i;
        }
    }
    bool small_write = n_case + n_nocase > 0 &&
                       trie_nodes(ctx, idx, n_case) <= HS_SMWR_MAX_TRIE_NODES &&
                       trie_nodes(ctx, idx + n_case, n_nocase) <= HS_SMWR_MAX_TRIE_NODES;
    free(idx);
    return small_write;
}

#ifdef MPM_HS_HAVE_LIT

static hs_error_t compile_db(const MpmCtx *ctx, unsigned mode, hs_database_t **db,
                             hs_compile_error_t **err)
{
    uint32_t n = ctx->n_pats;
    const char **exprs = malloc((size_t)n * sizeof(*exprs));
    unsigned *flags = malloc((size_t)n * sizeof(*flags));
    unsigned *ids = malloc((size_t)n * sizeof(*ids));
    size_t *lens = malloc((size_t)n * sizeof(*lens));
    hs_error_t rc = HS_NOMEM;
    if (exprs != NULL && flags != NULL && ids != NULL && lens != NULL) {
        for (uint32_t i = 0; i < n; i++) {
            exprs[i] = (const char *)ctx->bytes + ctx->pats[i].bytes_off;
            flags[i] = pattern_flags(&ctx->pats[i]);
            ids[i] = i;
            lens[i] = ctx->pats[i].len;
        }
        rc = hs_compile_lit_multi(exprs, flags, ids, lens, n, mode, NULL, db, err);
    }
    free(exprs);
    free(flags);
    free(ids);
    free(lens);
    return rc;
}

#else

/* Older Hyperscan: each byte escaped as \xNN in a regular expression. */
static char *escape_pattern(const uint8_t *b, uint16_t len)
{
    char *s = malloc((size_t)len * 4 + 1);
    if (s == NULL) {
        return NULL;
    }
    static const char hex[] = "0123456789abcdef";
    for (uint16_t i = 0; i < len; i++) {
        s[i * 4] = '\\';
        s[i * 4 + 1] = 'x';
        s[i * 4 + 2] = hex[b[i] >> 4];
        s[i * 4 + 3] = hex[b[i] & 15];
    }
    s[(size_t)len * 4] = '\0';
    return s;
}

static hs_error_t compile_db(const MpmCtx *ctx, unsigned mode, hs_database_t **db,
                             hs_compile_error_t **err)
{
    uint32_t n = ctx->n_pats;
    char **exprs = calloc(n, sizeof(*exprs));
    unsigned *flags = malloc((size_t)n * sizeof(*flags));
    unsigned *ids = malloc((size_t)n * sizeof(*ids));
    hs_error_t rc = HS_NOMEM;
    if (exprs == NULL || flags == NULL || ids == NULL) {
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        exprs[i] = escape_pattern(ctx->bytes + ctx->pats[i].bytes_off, ctx->pats[i].len);
        if (exprs[i] == NULL) {
            goto out;
        }
        flags[i] = pattern_flags(&ctx->pats[i]);
        ids[i] = i;
    }
    rc = hs_compile_multi((const char *const *)exprs, flags, ids, n, mode, NULL, db, err);
out:
    for (uint32_t i = 0; exprs != NULL && i < n; i++) {
        free(exprs[i]);
    }
    free(exprs);
    free(flags);
    free(ids);
    return rc;
}

#endif

int mpm_hs_compile(MpmCtx *ctx)
{
    MpmHs *hs = calloc(1, sizeof(*hs));
    if (hs == NULL) {
        return VG_ENOMEM;
    }
    ctx->hs = hs;
    if (ctx->n_pats == 0) {
        return 0; // Hyperscan refuses an empty set; scans stop before it
    }
    hs->vectored = hs_wants_vectored(ctx);
    hs_compile_error_t *err = NULL;
    hs_error_t rc = compile_db(ctx, hs->vectored ? HS_MODE_VECTORED : HS_MODE_BLOCK, &hs->db, &err);
    if (rc != HS_SUCCESS) {
        VG_ERROR("Hyperscan could not compile %u fast patterns: %s", ctx->n_pats,
                 err != NULL && err->message != NULL ? err->message : "out of memory");
        hs_free_compile_error(err);
        return rc == HS_NOMEM ? VG_ENOMEM : VG_EINVAL;
    }
    if (hs_database_size(hs->db, &hs->db_bytes) != HS_SUCCESS) {
        hs->db_bytes = 0;
    }
    return 0;
}

int mpm_hs_thread_prepare(MpmThread *th, const MpmCtx *ctx)
{
    if (ctx->hs == NULL || ctx->hs->db == NULL) {
        return 0;
    }
    hs_scratch_t *scratch = th->hs_scratch;
    hs_error_t rc = hs_alloc_scratch(ctx->hs->db, &scratch);
    if (rc != HS_SUCCESS) {
        return rc == HS_NOMEM ? VG_ENOMEM : VG_EINVAL;
    }
    th->hs_scratch = scratch;
    return 0;
}

bool mpm_hs_thread_ready(const MpmThread *th, const MpmCtx *ctx)
{
    return ctx->hs != NULL && (ctx->hs->db == NULL || th->hs_scratch != NULL);
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *arg)
{
    (void)from;
    (void)to;
    (void)flags;
    MpmScan *s = arg;
    if (id < s->ctx->n_pats && !mpm_pattern_seen(s, id)) {
        mpm_report_pattern(s, id);
    }
    return 0; // keep scanning
}

void mpm_hs_scan(const MpmCtx *ctx, MpmScan *s, const uint8_t *buf, uint32_t len)
{
    if (ctx->hs->db == NULL) {
        return;
    }
    /* A failure here means a scratch not prepared for this database (a
     * caller bug): nothing is reported. */
    if (!ctx->hs->vectored) {
        (void)hs_scan(ctx->hs->db, (const char *)buf, len, 0, s->th->hs_scratch, on_match, s);
        return;
    }
    const char *data[1] = {(const char *)buf};
    unsigned int lens[1] = {len};
    (void)hs_scan_vector(ctx->hs->db, data, lens, 1, 0, s->th->hs_scratch, on_match, s);
}

bool mpm_hs_vectored(const MpmCtx *ctx)
{
    return ctx->hs != NULL && ctx->hs->vectored;
}

size_t mpm_hs_memory(const MpmHs *hs)
{
    return sizeof(*hs) + hs->db_bytes;
}

void mpm_hs_free(MpmHs *hs)
{
    if (hs == NULL) {
        return;
    }
    hs_free_database(hs->db);
    free(hs);
}

void mpm_hs_scratch_free(void *scratch)
{
    hs_free_scratch(scratch);
}

#else // !VG_HAVE_HYPERSCAN

bool mpm_hs_available(void)
{
    return false;
}

int mpm_hs_compile(MpmCtx *ctx)
{
    (void)ctx;
    return VG_EUNSUPPORTED;
}

int mpm_hs_thread_prepare(MpmThread *th, const MpmCtx *ctx)
{
    (void)th;
    (void)ctx;
    return VG_EUNSUPPORTED;
}

bool mpm_hs_thread_ready(const MpmThread *th, const MpmCtx *ctx)
{
    (void)th;
    (void)ctx;
    return false;
}

void mpm_hs_scan(const MpmCtx *ctx, MpmScan *s, const uint8_t *buf, uint32_t len)
{
    (void)ctx;
    (void)s;
    (void)buf;
    (void)len;
}

bool mpm_hs_vectored(const MpmCtx *ctx)
{
    (void)ctx;
    return false;
}

size_t mpm_hs_memory(const MpmHs *hs)
{
    (void)hs;
    return 0;
}

void mpm_hs_free(MpmHs *hs)
{
    (void)hs;
}

void mpm_hs_scratch_free(void *scratch)
{
    (void)scratch;
}

#endif
