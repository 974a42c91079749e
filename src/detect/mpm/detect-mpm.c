#include "detect/mpm/detect-mpm.h"

#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "detect/mpm/detect-mpm-internal.h"
#include "util/util-error.h"

bool mpm_algo_parse(const char *name, MpmAlgo *out)
{
    static const struct {
        const char *name;
        MpmAlgo algo;
    } names[] = {
        {"auto", MPM_ALGO_AUTO},
        {"ac", MPM_ALGO_AC},
        {"hs", MPM_ALGO_HS},
    };
    if (name == NULL || out == NULL) {
        return false;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].algo;
            return true;
        }
    }
    return false;
}

const char *mpm_algo_name(MpmAlgo algo)
{
    switch (algo) {
    case MPM_ALGO_AUTO:
        return "auto";
    case MPM_ALGO_AC:
        return "ac";
    case MPM_ALGO_HS:
        return "hs";
    }
    return "unknown";
}

bool mpm_algo_available(MpmAlgo algo)
{
    switch (algo) {
    case MPM_ALGO_AUTO:
    case MPM_ALGO_AC:
        return true;
    case MPM_ALGO_HS:
        return mpm_hs_available();
    }
    return false;
}

MpmCtx *mpm_ctx_new(MpmAlgo algo)
{
    if (algo == MPM_ALGO_AUTO) {
        algo = mpm_hs_available() ? MPM_ALGO_HS : MPM_ALGO_AC;
    }
    if (algo != MPM_ALGO_AC && !(algo == MPM_ALGO_HS && mpm_hs_available())) {
        return NULL;
    }
    MpmCtx *ctx = calloc(1, sizeof(*ctx));
    if (ctx != NULL) {
        ctx->algo = algo;
    }
    return ctx;
}

void mpm_ctx_set_ac_dense_budget(MpmCtx *ctx, size_t bytes)
{
    ctx->ac_dense_budget = bytes;
}

MpmAlgo mpm_ctx_algo(const MpmCtx *ctx)
{
    return ctx->algo;
}

/* A pattern without ASCII letters matches the same bytes either way; calling
 * it caseless lets it share storage and skip verification. */
static bool has_letter(const uint8_t *pat, uint16_t len)
{
    for (uint16_t i = 0; i < len; i++) {
        uint8_t c = pat[i] | 0x20;
        if (c >= 'a' && c <= 'z') {
            return true;
        }
    }
    return false;
}

static int grow_entries(MpmCtx *ctx, uint16_t len)
{
    if (ctx->n_entries == ctx->entries_cap) {
        if (ctx->entries_cap >= UINT32_MAX / 2) {
            return VG_ERANGE;
        }
        uint32_t cap = ctx->entries_cap ? ctx->entries_cap * 2 : 64;
        MpmEntry *e = realloc(ctx->entries, (size_t)cap * sizeof(*e));
        if (e == NULL) {
            return VG_ENOMEM;
        }
        ctx->entries = e;
        ctx->entries_cap = cap;
    }
    if (ctx->bytes_len + len > UINT32_MAX) {
        return VG_ERANGE; // pattern offsets are 32-bit
    }
    if (ctx->bytes_len + len > ctx->bytes_cap) {
        size_t cap = ctx->bytes_cap ? ctx->bytes_cap * 2 : 1024;
        while (cap < ctx->bytes_len + len) {
            cap *= 2;
        }
        uint8_t *b = realloc(ctx->bytes, cap);
        if (b == NULL) {
            return VG_ENOMEM;
        }
        ctx->bytes = b;
        ctx->bytes_cap = cap;
    }
    return 0;
}

int mpm_add_pattern(MpmCtx *ctx, const uint8_t *pat, uint16_t len, bool nocase, uint32_t id)
{
    if (ctx == NULL || pat == NULL || len == 0 || ctx->is_compiled || id == UINT32_MAX) {
        return VG_EINVAL;
    }
    int rc = grow_entries(ctx, len);
    if (rc != 0) {
        return rc;
    }
    MpmEntry *e = &ctx->entries[ctx->n_entries++];
    e->bytes_off = (uint32_t)ctx->bytes_len;
    e->id = id;
    e->len = len;
    e->nocase = nocase || !has_letter(pat, len);
    memcpy(ctx->bytes + ctx->bytes_len, pat, len);
    ctx->bytes_len += len;
    if (id >= ctx->id_bound) {
        ctx->id_bound = id + 1;
    }
    return 0;
}

/* Orders entries so that equal patterns are adjacent, ids ascending within. */
static int entry_cmp(const void *a, const void *b, void *arg)
{
    const MpmCtx *ctx = arg;
    const MpmEntry *x = &ctx->entries[*(const uint32_t *)a];
    const MpmEntry *y = &ctx->entries[*(const uint32_t *)b];
    if (x->nocase != y->nocase) {
        return x->nocase ? 1 : -1;
    }
    if (x->len != y->len) {
        return x->len < y->len ? -1 : 1;
    }
    int c = memcmp(ctx->bytes + x->bytes_off, ctx->bytes + y->bytes_off, x->len);
    if (c != 0) {
        return c;
    }
    return x->id < y->id ? -1 : (x->id > y->id);
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return x < y ? -1 : (x > y);
}

/* Builds dense_ids: the distinct caller ids, ascending. */
static int build_dense_ids(MpmCtx *ctx)
{
    ctx->dense_ids = malloc(((size_t)ctx->n_entries + 1) * sizeof(uint32_t));
    if (ctx->dense_ids == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < ctx->n_entries; i++) {
        ctx->dense_ids[i] = ctx->entries[i].id;
    }
    qsort(ctx->dense_ids, ctx->n_entries, sizeof(uint32_t), u32_cmp);
    uint32_t n = 0;
    for (uint32_t i = 0; i < ctx->n_entries; i++) {
        if (n == 0 || ctx->dense_ids[n - 1] != ctx->dense_ids[i]) {
            ctx->dense_ids[n++] = ctx->dense_ids[i];
        }
    }
    ctx->n_dense = n;
    return 0;
}

static uint32_t dense_index(const MpmCtx *ctx, uint32_t id)
{
    uint32_t lo = 0;
    uint32_t hi = ctx->n_dense;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ctx->dense_ids[mid] < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static bool same_pattern(const MpmCtx *ctx, const MpmEntry *a, const MpmEntry *b)
{
    return a->nocase == b->nocase && a->len == b->len &&
           memcmp(ctx->bytes + a->bytes_off, ctx->bytes + b->bytes_off, a->len) == 0;
}

/* Appends entry e (in sorted order) to the pattern table; new pattern when it
 * differs from prev. Unique bytes are copied to pool at *pool_len. */
static void add_sorted_entry(MpmCtx *ctx, const MpmEntry *prev, const MpmEntry *e, uint8_t *pool,
                             size_t *pool_len)
{
    if (prev == NULL || !same_pattern(ctx, prev, e)) {
        MpmPattern *p = &ctx->pats[ctx->n_pats++];
        p->bytes_off = (uint32_t)*pool_len;
        p->ids_off = ctx->n_pat_ids;
        p->n_ids = 0;
        p->len = e->len;
        p->nocase = e->nocase;
        memcpy(pool + *pool_len, ctx->bytes + e->bytes_off, e->len);
        *pool_len += e->len;
    } else if (prev->id == e->id) {
        return; // same pattern, same id: added twice
    }
    ctx->pat_ids[ctx->n_pat_ids++] = dense_index(ctx, e->id);
    ctx->pats[ctx->n_pats - 1].n_ids++;
}

/* Replaces the entries by the de-duplicated pattern table. */
static int dedupe(MpmCtx *ctx)
{
    size_t n = ctx->n_entries;
    uint32_t *order = malloc((n + 1) * sizeof(*order));
    ctx->pats = malloc((n + 1) * sizeof(*ctx->pats));
    ctx->pat_ids = malloc((n + 1) * sizeof(*ctx->pat_ids));
    uint8_t *pool = malloc(ctx->bytes_len + 1);
    int rc = VG_ENOMEM;
    if (order == NULL || ctx->pats == NULL || ctx->pat_ids == NULL || pool == NULL) {
        goto fail;
    }
    rc = build_dense_ids(ctx);
    if (rc != 0) {
        goto fail;
    }
    for (uint32_t i = 0; i < n; i++) {
        order[i] = i;
    }
    qsort_r(order, n, sizeof(*order), entry_cmp, ctx);
    size_t pool_len = 0;
    for (size_t i = 0; i < n; i++) {
        const MpmEntry *prev = i ? &ctx->entries[order[i - 1]] : NULL;
        add_sorted_entry(ctx, prev, &ctx->entries[order[i]], pool, &pool_len);
    }
    free(ctx->bytes);
    ctx->bytes = pool;
    ctx->bytes_len = pool_len;
    ctx->bytes_cap = ctx->bytes_len + 1;
    free(ctx->entries);
    ctx->entries = NULL;
    ctx->entries_cap = 0;
    free(order);
    return 0;
fail:
    free(pool);
    free(order);
    return rc;
}

int mpm_compile(MpmCtx *ctx)
{
    if (ctx == NULL || ctx->is_compiled) {
        return VG_EINVAL;
    }
    ctx->is_compiled = true; // even on failure: the context may only be freed
    int rc = dedupe(ctx);
    if (rc != 0) {
        return rc;
    }
    rc = ctx->algo == MPM_ALGO_HS ? mpm_hs_compile(ctx) : mpm_ac_compile(ctx);
    ctx->is_ready = rc == 0;
    return rc;
}

/* ---- compiling several contexts at once ---- */

/* Hyperscan builds one database on one thread: with all of ET Open the rule set's ~70
 * databases were ~2/3 of start-up (issue 15), one after the other. */
typedef struct CompileJobs {
    MpmCtx *const *ctxs;
    uint32_t *order;             // indices into ctxs, the most patterns first
    int *rc;                     // per context, in ctxs order
    uint32_t n;
    _Atomic uint32_t next;       // next position in order
} CompileJobs;

static void *compile_worker(void *arg)
{
    CompileJobs *j = arg;
    for (uint32_t k = atomic_fetch_add(&j->next, 1); k < j->n;
         k = atomic_fetch_add(&j->next, 1)) {
        uint32_t i = j->order[k];
        j->rc[i] = mpm_compile(j->ctxs[i]);
    }
    return NULL;
}

static int cmp_by_size(const void *a, const void *b, void *arg)
{
    const CompileJobs *j = arg;
    uint32_t x = j->ctxs[*(const uint32_t *)a]->n_entries;
    uint32_t y = j->ctxs[*(const uint32_t *)b]->n_entries;
    return x > y ? -1 : x < y;
}

static uint32_t usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
        return (uint32_t)CPU_COUNT(&set);
    }
    return 1;
}

/* Caps the helper threads of one mpm_compile_many whatever the machine. */
#define MPM_COMPILE_THREADS_MAX 16u

static _Atomic uint32_t g_default_threads;   // mpm_set_compile_threads; 0: every CPU

void mpm_set_compile_threads(uint32_t n)
{
    atomic_store(&g_default_threads, n);
}

int mpm_compile_many(MpmCtx *const *ctxs, uint32_t n, uint32_t max_threads)
{
    CompileJobs j = { .ctxs = ctxs, .n = n };
    j.order = malloc(((size_t)n + 1) * sizeof(*j.order));
    j.rc = calloc((size_t)n + 1, sizeof(*j.rc));
    if (j.order == NULL || j.rc == NULL) {
        free(j.order);
        free(j.rc);
        int rc = 0;
        for (uint32_t i = 0; i < n; i++) {    // one at a time, as before
            int r = mpm_compile(ctxs[i]);
            rc = rc != 0 ? rc : r;
        }
        return rc;
    }
    for (uint32_t i = 0; i < n; i++) {
        j.order[i] = i;
    }
    /* the biggest first: the last ones to finish are then small */
    qsort_r(j.order, n, sizeof(*j.order), cmp_by_size, &j);
    if (max_threads == 0) {
        max_threads = atomic_load(&g_default_threads);
    }
    uint32_t n_threads = max_threads != 0 ? max_threads : usable_cpus();
    n_threads = n_threads < n ? n_threads : n;
    n_threads = n_threads < MPM_COMPILE_THREADS_MAX ? n_threads : MPM_COMPILE_THREADS_MAX;
    pthread_t tids[MPM_COMPILE_THREADS_MAX];
    uint32_t n_started = 0;
    while (n_started + 1 < n_threads &&
           pthread_create(&tids[n_started], NULL, compile_worker, &j) == 0) {
        n_started++;   // (a helper that could not start: the others do its share)
    }
    compile_worker(&j);
    for (uint32_t t = 0; t < n_started; t++) {
        pthread_join(tids[t], NULL);
    }
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        rc = j.rc[i];
    }
    free(j.order);
    free(j.rc);
    return rc;
}

MpmThread *mpm_thread_new(void)
{
    return calloc(1, sizeof(MpmThread));
}

static int grow_seen(uint32_t **arr, uint32_t *cap, uint32_t need)
{
    if (need <= *cap) {
        return 0;
    }
    uint32_t *a = realloc(*arr, (size_t)need * sizeof(uint32_t));
    if (a == NULL) {
        return VG_ENOMEM;
    }
    /* 0 never equals a live generation: gen is at least 1 during a scan. */
    memset(a + *cap, 0, (size_t)(need - *cap) * sizeof(uint32_t));
    *arr = a;
    *cap = need;
    return 0;
}

int mpm_thread_prepare(MpmThread *th, const MpmCtx *ctx)
{
    if (th == NULL || ctx == NULL || !ctx->is_ready) {
        return VG_EINVAL;
    }
    int rc = grow_seen(&th->pat_seen, &th->pat_cap, ctx->n_pats);
    if (rc == 0) {
        rc = grow_seen(&th->id_seen, &th->id_cap, ctx->n_dense);
    }
    if (rc == 0 && ctx->algo == MPM_ALGO_HS) {
        rc = mpm_hs_thread_prepare(th, ctx);
    }
    return rc;
}

void mpm_thread_free(MpmThread *th)
{
    if (th == NULL) {
        return;
    }
    mpm_hs_scratch_free(th->hs_scratch);
    free(th->pat_seen);
    free(th->id_seen);
    free(th);
}

void mpm_report_pattern(MpmScan *s, uint32_t pat)
{
    const MpmCtx *ctx = s->ctx;
    MpmThread *th = s->th;
    const MpmPattern *p = &ctx->pats[pat];
    th->pat_seen[pat] = th->gen;
    for (uint32_t i = 0; i < p->n_ids; i++) {
        uint32_t d = ctx->pat_ids[p->ids_off + i];
        uint32_t id = ctx->dense_ids[d];
        if (s->bitmap != NULL) {
            uint8_t bit = (uint8_t)(1u << (id & 7));
            if ((s->bitmap[id >> 3] & bit) == 0) {
                s->bitmap[id >> 3] |= bit;
                s->n_reported++;
            }
        } else if (th->id_seen[d] != th->gen) {
            th->id_seen[d] = th->gen;
            s->n_reported++;
            s->cb(id, s->user);
        }
    }
}

static bool thread_ready(const MpmCtx *ctx, const MpmThread *th)
{
    if (th->pat_cap < ctx->n_pats || th->id_cap < ctx->n_dense) {
        return false;
    }
    return ctx->algo != MPM_ALGO_HS || mpm_hs_thread_ready(th, ctx);
}

/* Starts a new generation; on wrap-around the seen arrays are reset once. */
static void next_generation(MpmThread *th)
{
    th->gen++;
    if (th->gen == 0) {
        memset(th->pat_seen, 0, (size_t)th->pat_cap * sizeof(uint32_t));
        memset(th->id_seen, 0, (size_t)th->id_cap * sizeof(uint32_t));
        th->gen = 1;
    }
}

static uint32_t scan(MpmScan *s, const uint8_t *buf, uint32_t len)
{
    const MpmCtx *ctx = s->ctx;
    if (len == 0 || buf == NULL || !ctx->is_ready || ctx->n_pats == 0) {
        return 0;
    }
    if (!thread_ready(ctx, s->th)) {
        assert(!"mpm_scan: thread not prepared for this context");
        return 0;
    }
    next_generation(s->th);
    if (ctx->algo == MPM_ALGO_HS) {
        mpm_hs_scan(ctx, s, buf, len);
    } else {
        mpm_ac_scan(ctx, s, buf, len);
    }
    return s->n_reported;
}

uint32_t mpm_scan(const MpmCtx *ctx, MpmThread *th, const uint8_t *buf, uint32_t len,
                  MpmMatchCb cb, void *user)
{
    if (cb == NULL) {
        return 0;
    }
    MpmScan s = {.ctx = ctx, .th = th, .cb = cb, .user = user};
    return scan(&s, buf, len);
}

uint32_t mpm_scan_bitmap(const MpmCtx *ctx, MpmThread *th, const uint8_t *buf, uint32_t len,
                         uint8_t *bitmap)
{
    if (bitmap == NULL) {
        return 0;
    }
    MpmScan s = {.ctx = ctx, .th = th, .bitmap = bitmap};
    return scan(&s, buf, len);
}

uint32_t mpm_pattern_count(const MpmCtx *ctx)
{
    return ctx->n_entries;
}

uint32_t mpm_unique_count(const MpmCtx *ctx)
{
    return ctx->n_pats;
}

uint32_t mpm_id_bound(const MpmCtx *ctx)
{
    return ctx->id_bound;
}

size_t mpm_memory(const MpmCtx *ctx)
{
    size_t n = sizeof(*ctx) + ctx->bytes_cap;
    n += (size_t)ctx->n_pats * sizeof(MpmPattern) + (size_t)ctx->n_pat_ids * sizeof(uint32_t);
    n += (size_t)ctx->n_dense * sizeof(uint32_t);
    n += (size_t)ctx->entries_cap * sizeof(MpmEntry);
    if (ctx->ac != NULL) {
        n += mpm_ac_memory(ctx->ac);
    }
    if (ctx->hs != NULL) {
        n += mpm_hs_memory(ctx->hs);
    }
    return n;
}

void mpm_ctx_free(MpmCtx *ctx)
{
    if (ctx == NULL) {
        return;
    }
    mpm_ac_free(ctx->ac);
    mpm_hs_free(ctx->hs);
    free(ctx->entries);
    free(ctx->bytes);
    free(ctx->pats);
    free(ctx->pat_ids);
    free(ctx->dense_ids);
    free(ctx);
}
