/* Tests of the multi-pattern matcher through its public header. Every
 * behaviour runs once per backend (suffix _ac, _hs); the Hyperscan variants
 * skip when Hyperscan is not available. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/mpm/detect-mpm.h"
#include "detect/mpm/detect-mpm-internal.h"
#include "util/util-error.h"

#define MAX_IDS 4096

typedef struct Pat {
    const char *bytes;
    uint16_t len;
    bool nocase;
    uint32_t id;
} Pat;

#define PAT(s, nc, i) {(s), (uint16_t)(sizeof(s) - 1), (nc), (i)}

typedef struct Found {
    uint32_t n;
    uint32_t ids[MAX_IDS];
} Found;

static void record(uint32_t id, void *user)
{
    Found *f = user;
    if (f->n < MAX_IDS) {
        f->ids[f->n] = id;
    }
    f->n++;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return x < y ? -1 : (x > y);
}

static MpmCtx *build(MpmAlgo algo, const Pat *pats, size_t n)
{
    MpmCtx *ctx = mpm_ctx_new(algo);
    assert_non_null(ctx);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(mpm_add_pattern(ctx, (const uint8_t *)pats[i].bytes, pats[i].len,
                                         pats[i].nocase, pats[i].id),
                         0);
    }
    assert_int_equal(mpm_compile(ctx), 0);
    return ctx;
}

/* Scans buf with a fresh context and thread; f gets the sorted ids. */
static uint32_t scan_ids(MpmAlgo algo, const Pat *pats, size_t n, const void *buf, uint32_t len,
                         Found *f)
{
    MpmCtx *ctx = build(algo, pats, n);
    MpmThread *th = mpm_thread_new();
    assert_non_null(th);
    assert_int_equal(mpm_thread_prepare(th, ctx), 0);
    memset(f, 0, sizeof(*f));
    uint32_t rc = mpm_scan(ctx, th, buf, len, record, f);
    assert_int_equal(rc, f->n);
    qsort(f->ids, f->n, sizeof(uint32_t), u32_cmp);
    mpm_thread_free(th);
    mpm_ctx_free(ctx);
    return rc;
}

static void expect_ids(const Found *f, const uint32_t *ids, uint32_t n)
{
    assert_int_equal(f->n, n);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(f->ids[i], ids[i]);
    }
}

#define EXPECT(f, ...)                                                                         \
    do {                                                                                       \
        static const uint32_t want_[] = {__VA_ARGS__};                                         \
        expect_ids((f), want_, sizeof(want_) / sizeof(want_[0]));                              \
    } while (0)

/* Without Hyperscan the _hs tests skip, except under CI=true, which needs it. */
static void hs_missing(void)
{
    const char *ci = getenv("CI");
    if (ci != NULL && strcmp(ci, "true") == 0) {
        fail_msg("Hyperscan is not built in: CI (CI=true) needs it");
    }
    skip();
}

/* Defines name_ac and name_hs running body(algo). */
#define BOTH(name)                                                                             \
    static void name(MpmAlgo algo);                                                            \
    static void name##_ac(void **state)                                                        \
    {                                                                                          \
        (void)state;                                                                           \
        name(MPM_ALGO_AC);                                                                     \
    }                                                                                          \
    static void name##_hs(void **state)                                                        \
    {                                                                                          \
        (void)state;                                                                           \
        if (!mpm_algo_available(MPM_ALGO_HS)) {                                                \
            hs_missing();                                                                      \
        }                                                                                      \
        name(MPM_ALGO_HS);                                                                     \
    }                                                                                          \
    static void name(MpmAlgo algo)

#define TESTS(name) cmocka_unit_test(name##_ac), cmocka_unit_test(name##_hs)

BOTH(single_pattern_found)
{
    const Pat p[] = {PAT("needle", false, 4)};
    Found f;
    assert_int_equal(scan_ids(algo, p, 1, "hay needle hay", 14, &f), 1);
    EXPECT(&f, 4);
}

BOTH(single_pattern_absent_reports_nothing)
{
    const Pat p[] = {PAT("needle", false, 4)};
    Found f;
    assert_int_equal(scan_ids(algo, p, 1, "hay needl hay", 13, &f), 0);
}

BOTH(overlapping_patterns_all_reported)
{
    const Pat p[] = {PAT("he", false, 0), PAT("she", false, 1), PAT("his", false, 2),
                     PAT("hers", false, 3)};
    Found f;
    scan_ids(algo, p, 4, "ushers", 6, &f);
    EXPECT(&f, 0, 1, 3);
}

BOTH(prefix_patterns_reported_independently)
{
    const Pat p[] = {PAT("ab", false, 0), PAT("abc", false, 1), PAT("abcd", false, 2)};
    Found f;
    scan_ids(algo, p, 3, "xabcx", 5, &f);
    EXPECT(&f, 0, 1);
}

BOTH(nocase_matches_any_case_sensitive_only_exact)
{
    const Pat p[] = {PAT("Abc", false, 0), PAT("abc", true, 1), PAT("abc", false, 2)};
    Found f;
    scan_ids(algo, p, 3, "xABCx", 5, &f);
    EXPECT(&f, 1);
    scan_ids(algo, p, 3, "xAbcx", 5, &f);
    EXPECT(&f, 0, 1);
    scan_ids(algo, p, 3, "xabcx", 5, &f);
    EXPECT(&f, 1, 2);
}

BOTH(case_sensitive_upper_not_matched_by_lower)
{
    const Pat p[] = {PAT("GET", false, 0)};
    Found f;
    assert_int_equal(scan_ids(algo, p, 1, "get / http", 10, &f), 0);
}

BOTH(binary_patterns_with_nul_and_ff)
{
    const Pat p[] = {PAT("\x00\xff\x00", false, 0), PAT("\xff\xff", true, 1),
                     PAT("\x00\x00", false, 2)};
    static const uint8_t buf[] = {0x41, 0x00, 0xff, 0x00, 0x42, 0xff, 0xff};
    Found f;
    scan_ids(algo, p, 3, buf, sizeof(buf), &f);
    EXPECT(&f, 0, 1);
}

BOTH(one_byte_patterns)
{
    const Pat p[] = {PAT("a", false, 0), PAT("\x00", false, 1), PAT("z", false, 2),
                     PAT("B", true, 3)};
    static const uint8_t buf[] = {'b', 'a', 'b', 0x00};
    Found f;
    scan_ids(algo, p, 4, buf, sizeof(buf), &f);
    EXPECT(&f, 0, 1, 3);
}

BOTH(duplicate_patterns_report_every_id_once)
{
    const Pat p[] = {PAT("foo", false, 3), PAT("foo", false, 7), PAT("foo", false, 7),
                     PAT("foo", false, 9)};
    Found f;
    assert_int_equal(scan_ids(algo, p, 4, "foo foo", 7, &f), 3);
    EXPECT(&f, 3, 7, 9);
}

BOTH(id_shared_by_two_patterns_reported_once)
{
    const Pat p[] = {PAT("x", false, 5), PAT("y", false, 5)};
    Found f;
    assert_int_equal(scan_ids(algo, p, 2, "xy", 2, &f), 1);
    EXPECT(&f, 5);
}

BOTH(empty_buffer_reports_nothing)
{
    const Pat p[] = {PAT("a", false, 0)};
    Found f;
    assert_int_equal(scan_ids(algo, p, 1, "", 0, &f), 0);
    assert_int_equal(scan_ids(algo, p, 1, NULL, 0, &f), 0);
}

BOTH(pattern_longer_than_buffer_not_matched)
{
    const Pat p[] = {PAT("abcdef", false, 0)};
    Found f;
    assert_int_equal(scan_ids(algo, p, 1, "abcde", 5, &f), 0);
}

BOTH(match_at_buffer_start_and_end)
{
    const Pat p[] = {PAT("sta", false, 0), PAT("end", true, 1)};
    Found f;
    scan_ids(algo, p, 2, "start...END", 11, &f);
    EXPECT(&f, 0, 1);
}

BOTH(repeated_occurrences_reported_once)
{
    const Pat p[] = {PAT("aa", false, 0), PAT("a", true, 1)};
    Found f;
    assert_int_equal(scan_ids(algo, p, 2, "aaaaaaaaAAAA", 12, &f), 2);
    EXPECT(&f, 0, 1);
}

BOTH(empty_context_compiles_and_never_matches)
{
    Found f;
    assert_int_equal(scan_ids(algo, NULL, 0, "anything", 8, &f), 0);
}

BOTH(bitmap_scan_sets_bits_and_counts_new_ones)
{
    const Pat p[] = {PAT("one", false, 1), PAT("two", false, 2), PAT("ten", false, 10)};
    MpmCtx *ctx = build(algo, p, 3);
    MpmThread *th = mpm_thread_new();
    assert_int_equal(mpm_thread_prepare(th, ctx), 0);
    assert_int_equal(mpm_id_bound(ctx), 11);
    uint8_t bitmap[2] = {0, 0};
    assert_int_equal(mpm_scan_bitmap(ctx, th, (const uint8_t *)"one ten", 7, bitmap), 2);
    assert_int_equal(bitmap[0], 0x02);
    assert_int_equal(bitmap[1], 0x04);
    assert_int_equal(mpm_scan_bitmap(ctx, th, (const uint8_t *)"ten two", 7, bitmap), 1);
    assert_int_equal(bitmap[0], 0x06);
    mpm_thread_free(th);
    mpm_ctx_free(ctx);
}

BOTH(thread_scans_several_contexts)
{
    const Pat a[] = {PAT("cat", false, 0)};
    const Pat b[] = {PAT("dog", false, 0), PAT("cat", false, 1), PAT("cow", false, 2)};
    MpmCtx *ca = build(algo, a, 1);
    MpmCtx *cb = build(algo, b, 3);
    MpmThread *th = mpm_thread_new();
    assert_int_equal(mpm_thread_prepare(th, ca), 0);
    assert_int_equal(mpm_thread_prepare(th, cb), 0);
    const uint8_t *buf = (const uint8_t *)"cat dog cow";
    Found f = {0};
    for (int round = 0; round < 3; round++) {
        assert_int_equal(mpm_scan(ca, th, buf, 11, record, &f), 1);
        assert_int_equal(mpm_scan(cb, th, buf, 11, record, &f), 3);
    }
    assert_int_equal(f.n, 12);
    mpm_thread_free(th);
    mpm_ctx_free(ca);
    mpm_ctx_free(cb);
}

BOTH(counts_and_memory_reported)
{
    const Pat p[] = {PAT("abc", false, 0), PAT("abc", false, 1), PAT("ABC", true, 2)};
    MpmCtx *ctx = build(algo, p, 3);
    assert_int_equal(mpm_pattern_count(ctx), 3);
    assert_int_equal(mpm_unique_count(ctx), 2);
    assert_int_equal(mpm_ctx_algo(ctx), algo);
    assert_true(mpm_memory(ctx) > 0);
    mpm_ctx_free(ctx);
}

BOTH(misuse_is_refused)
{
    MpmCtx *ctx = mpm_ctx_new(algo);
    const uint8_t x = 'x';
    assert_int_equal(mpm_add_pattern(ctx, &x, 0, false, 0), VG_EINVAL);
    assert_int_equal(mpm_add_pattern(ctx, NULL, 1, false, 0), VG_EINVAL);
    assert_int_equal(mpm_add_pattern(ctx, &x, 1, false, UINT32_MAX), VG_EINVAL);
    MpmThread *th = mpm_thread_new();
    assert_int_equal(mpm_thread_prepare(th, ctx), VG_EINVAL); // not compiled
    assert_int_equal(mpm_add_pattern(ctx, &x, 1, false, 0), 0);
    assert_int_equal(mpm_compile(ctx), 0);
    assert_int_equal(mpm_compile(ctx), VG_EINVAL);
    assert_int_equal(mpm_add_pattern(ctx, &x, 1, false, 1), VG_EINVAL);
    mpm_thread_free(th);
    mpm_ctx_free(ctx);
}

/* Deterministic generator for the differential tests. */
static uint32_t rng_next(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static uint8_t fold(uint8_t b)
{
    return (b >= 'A' && b <= 'Z') ? (uint8_t)(b | 0x20) : b;
}

static bool occurs(const uint8_t *buf, uint32_t len, const uint8_t *p, uint16_t plen, bool nocase)
{
    for (uint32_t i = 0; i + plen <= len; i++) {
        uint16_t k = 0;
        while (k < plen && (nocase ? fold(buf[i + k]) == fold(p[k]) : buf[i + k] == p[k])) {
            k++;
        }
        if (k == plen) {
            return true;
        }
    }
    return false;
}

typedef struct RandSet {
    uint32_t n;
    uint8_t bytes[2000][8];
    uint16_t len[2000];
    bool nocase[2000];
    uint32_t id[2000];
} RandSet;

static void rand_set(RandSet *rs, uint32_t n, const uint8_t *alpha, uint32_t n_alpha,
                     uint16_t min_len, uint16_t max_len, uint32_t *seed)
{
    rs->n = n;
    for (uint32_t i = 0; i < n; i++) {
        rs->len[i] = (uint16_t)(min_len + rng_next(seed) % (max_len - min_len + 1));
        for (uint16_t k = 0; k < rs->len[i]; k++) {
            rs->bytes[i][k] = alpha[rng_next(seed) % n_alpha];
        }
        rs->nocase[i] = rng_next(seed) % 2;
        rs->id[i] = rng_next(seed) % (n - n / 10); // some ids shared
    }
}

/* Ids the naive oracle finds, sorted and distinct. */
static void oracle(const RandSet *rs, const uint8_t *buf, uint32_t len, Found *f)
{
    uint8_t *hit = calloc(rs->n, 1);
    assert_non_null(hit);
    f->n = 0;
    for (uint32_t i = 0; i < rs->n; i++) {
        if (!hit[rs->id[i]] && occurs(buf, len, rs->bytes[i], rs->len[i], rs->nocase[i])) {
            hit[rs->id[i]] = 1;
        }
    }
    for (uint32_t id = 0; id < rs->n; id++) {
        if (hit[id]) {
            f->ids[f->n++] = id;
        }
    }
    free(hit);
}

/* AC rows budget for the differential tests; 0 = default. */
static size_t g_ac_budget;

static MpmCtx *build_rand(MpmAlgo algo, const RandSet *rs)
{
    MpmCtx *ctx = mpm_ctx_new(algo);
    assert_non_null(ctx);
    mpm_ctx_set_ac_dense_budget(ctx, g_ac_budget);
    for (uint32_t i = 0; i < rs->n; i++) {
        assert_int_equal(mpm_add_pattern(ctx, rs->bytes[i], rs->len[i], rs->nocase[i], rs->id[i]),
                         0);
    }
    assert_int_equal(mpm_compile(ctx), 0);
    return ctx;
}

/* Random buffer from alpha, with some patterns copied in (case flipped). */
static void rand_buf(const RandSet *rs, uint8_t *buf, uint32_t len, const uint8_t *alpha,
                     uint32_t n_alpha, uint32_t *seed)
{
    for (uint32_t i = 0; i < len; i++) {
        buf[i] = alpha[rng_next(seed) % n_alpha];
    }
    for (uint32_t k = 0; k < len / 64; k++) {
        uint32_t p = rng_next(seed) % rs->n;
        uint32_t at = rng_next(seed) % (len - rs->len[p] + 1);
        for (uint16_t j = 0; j < rs->len[p]; j++) {
            uint8_t b = rs->bytes[p][j];
            buf[at + j] = (rng_next(seed) % 4 == 0 && fold(b) != b) ? fold(b) : b;
        }
    }
}

static void differential(MpmAlgo algo, RandSet *rs, const uint8_t *alpha, uint32_t n_alpha,
                         uint32_t n_bufs, uint32_t max_len)
{
    uint32_t seed = 4242;
    MpmCtx *ctx = build_rand(algo, rs);
    MpmThread *th = mpm_thread_new();
    assert_int_equal(mpm_thread_prepare(th, ctx), 0);
    uint8_t *buf = malloc(max_len);
    Found *want = malloc(sizeof(*want));
    Found *got = malloc(sizeof(*got));
    assert_true(buf && want && got);
    uint32_t n_found = 0;
    for (uint32_t b = 0; b < n_bufs; b++) {
        uint32_t len = rng_next(&seed) % (max_len + 1);
        rand_buf(rs, buf, len, alpha, n_alpha, &seed);
        oracle(rs, buf, len, want);
        got->n = 0;
        mpm_scan(ctx, th, buf, len, record, got);
        qsort(got->ids, got->n, sizeof(uint32_t), u32_cmp);
        expect_ids(got, want->ids, want->n);
        n_found += got->n;
    }
    assert_true(n_found > n_bufs); // the sets do match: the comparison means something
    free(buf);
    free(want);
    free(got);
    mpm_thread_free(th);
    mpm_ctx_free(ctx);
}

BOTH(random_small_alphabet_matches_oracle)
{
    static const uint8_t alpha[] = {'a', 'b', 'c', 'A', 'B', 0x00, 0xff};
    RandSet *rs = malloc(sizeof(*rs));
    assert_non_null(rs);
    uint32_t seed = 7;
    rand_set(rs, 500, alpha, sizeof(alpha), 1, 6, &seed);
    differential(algo, rs, alpha, sizeof(alpha), 200, 300);
    free(rs);
}

/* Enough states over a wide alphabet that the AC table goes sparse. */
BOTH(random_large_set_matches_oracle)
{
    uint8_t alpha[256];
    for (uint32_t i = 0; i < 256; i++) {
        alpha[i] = (uint8_t)i;
    }
    RandSet *rs = malloc(sizeof(*rs));
    assert_non_null(rs);
    uint32_t seed = 99;
    rand_set(rs, 2000, alpha, 256, 2, 8, &seed);
    differential(algo, rs, alpha, 256, 40, 512);
    free(rs);
}

/* Only the root has a full row: every other transition goes through the
 * sparse children and failure links. */
static void ac_sparse_small_alphabet_matches_oracle(void **state)
{
    (void)state;
    g_ac_budget = 1;
    random_small_alphabet_matches_oracle(MPM_ALGO_AC);
    g_ac_budget = 0;
}

static void ac_sparse_large_set_matches_oracle(void **state)
{
    (void)state;
    g_ac_budget = 1;
    random_large_set_matches_oracle(MPM_ALGO_AC);
    g_ac_budget = 0;
}

/* Hyperscan's mode: vectored when block mode would build its small-write
 * engine (literals of at most 70 bytes, at most 10000 patterns, at most 8000
 * nodes in each of the caseful and caseless literal tries), block otherwise.
 * A Gen is a Hyperscan context being filled, with ids in order. */
typedef struct Gen {
    MpmCtx *ctx;
    uint32_t next_id;
} Gen;

static void gen_init(Gen *g)
{
    memset(g, 0, sizeof(*g));
    g->ctx = mpm_ctx_new(MPM_ALGO_HS);
    assert_non_null(g->ctx);
}

static void gen_add(Gen *g, const uint8_t *pat, uint16_t len, bool nocase)
{
    assert_int_equal(mpm_add_pattern(g->ctx, pat, len, nocase, g->next_id++), 0);
}

/* n patterns: two distinct leading letters (from index i), then len - 2
 * copies of fill; upper gives the same in upper case. */
static void gen_lettered(Gen *g, uint32_t n, uint16_t len, uint8_t fill, bool upper, bool nocase)
{
    uint8_t pat[128];
    assert_true(len <= sizeof(pat) && n <= 26 * 26);
    for (uint32_t i = 0; i < n; i++) {
        pat[0] = (uint8_t)('a' + i / 26);
        pat[1] = (uint8_t)('a' + i % 26);
        memset(pat + 2, fill, len - 2u);
        for (uint16_t k = 0; upper && k < len; k++) {
            pat[k] = (uint8_t)(pat[k] - 'a' + 'A');
        }
        gen_add(g, pat, len, nocase);
    }
}

static bool gen_vectored(Gen *g)
{
    assert_int_equal(mpm_compile(g->ctx), 0);
    bool v = mpm_hs_vectored(g->ctx);
    mpm_ctx_free(g->ctx);
    return v;
}

#define HS_ONLY()                                                                              \
    do {                                                                                       \
        if (!mpm_algo_available(MPM_ALGO_HS)) {                                                \
            hs_missing();                                                                      \
        }                                                                                      \
    } while (0)

static void hs_small_set_is_vectored(void **state)
{
    (void)state;
    HS_ONLY();
    Gen g;
    gen_init(&g);
    gen_add(&g, (const uint8_t *)"needle", 6, false);
    gen_add(&g, (const uint8_t *)"Haystack", 8, true);
    assert_true(gen_vectored(&g));
}

/* 216 caseful patterns of 37 bytes with distinct first bytes are 1 + 7992
 * trie nodes; one more of 7 bytes makes 8000 (vectored), of 8 bytes 8001.
 * (Each has a letter: a pattern without one is stored as caseless.) */
static void hs_trie_of_8000_nodes_vectored_8001_block(void **state)
{
    (void)state;
    HS_ONLY();
    for (uint16_t last = 7; last <= 8; last++) {
        Gen g;
        gen_init(&g);
        uint8_t pat[37];
        for (uint32_t i = 0; i < 217; i++) {
            memset(pat, 'q', sizeof(pat));
            pat[0] = (uint8_t)i;
            gen_add(&g, pat, i < 216 ? 37 : last, false);
        }
        assert_int_equal(gen_vectored(&g), last == 7);
    }
}

/* The caseless trie folds case: 100 lower-case patterns of 42 letters and
 * the same in upper case are 1 + 4 + 100 + 100 * 40 = 4105 nodes caseless
 * (vectored), and 8209 caseful (block). */
static void hs_caseless_trie_folds_case(void **state)
{
    (void)state;
    HS_ONLY();
    for (int nocase = 0; nocase < 2; nocase++) {
        Gen g;
        gen_init(&g);
        gen_lettered(&g, 100, 42, 'x', false, nocase);
        gen_lettered(&g, 100, 42, 'x', true, nocase);
        assert_int_equal(gen_vectored(&g), nocase == 1);
    }
}

/* The two tries count apart: 4105 caseful + 4105 caseless nodes, vectored. */
static void hs_caseful_and_caseless_tries_counted_apart(void **state)
{
    (void)state;
    HS_ONLY();
    Gen g;
    gen_init(&g);
    gen_lettered(&g, 100, 42, 'x', false, false);
    gen_lettered(&g, 100, 42, 'y', false, true);
    assert_true(gen_vectored(&g));
}

/* Patterns over 70 bytes are not in the tries: 300 of 100 bytes and one
 * short one, vectored; the 300 alone, block (no small-write engine at all). */
static void hs_long_patterns_not_counted(void **state)
{
    (void)state;
    HS_ONLY();
    for (int with_short = 0; with_short < 2; with_short++) {
        Gen g;
        gen_init(&g);
        uint8_t pat[100];
        for (uint32_t i = 0; i < 300; i++) {
            memset(pat, 0x90, sizeof(pat));
            pat[0] = (uint8_t)(i & 0xff);
            pat[1] = (uint8_t)(i >> 8);
            gen_add(&g, pat, sizeof(pat), false);
        }
        if (with_short) {
            gen_add(&g, (const uint8_t *)"short", 5, false);
        }
        assert_int_equal(gen_vectored(&g), with_short == 1);
    }
}

/* 10000 patterns (5000 caseful of 3 bytes, 5000 caseless of 2 bytes without
 * letters: about 5000 nodes each) are vectored; one more, block. */
static void hs_more_than_10000_patterns_block(void **state)
{
    (void)state;
    HS_ONLY();
    for (uint32_t extra = 0; extra < 2; extra++) {
        Gen g;
        gen_init(&g);
        for (uint32_t i = 0; i < 5000 + extra; i++) {
            const uint8_t pat[3] = {'q', (uint8_t)(i / 256), (uint8_t)(i % 256)};
            gen_add(&g, pat, 3, false);
        }
        for (uint32_t i = 0; i < 5000; i++) {
            const uint8_t pat[2] = {(uint8_t)(0x80 + i / 128), (uint8_t)(0x80 + i % 128)};
            gen_add(&g, pat, 2, true);
        }
        assert_int_equal(gen_vectored(&g), extra == 0);
    }
}

/* The differential tests above run in vectored mode (their tries are
 * small); this set is caseful with over 8000 trie nodes: block mode. */
static void hs_block_mode_matches_oracle(void **state)
{
    (void)state;
    HS_ONLY();
    uint8_t alpha[256];
    for (uint32_t i = 0; i < 256; i++) {
        alpha[i] = (uint8_t)i;
    }
    RandSet *rs = malloc(sizeof(*rs));
    assert_non_null(rs);
    uint32_t seed = 1234;
    rand_set(rs, 2000, alpha, 256, 6, 8, &seed);
    memset(rs->nocase, 0, sizeof(rs->nocase));
    MpmCtx *ctx = build_rand(MPM_ALGO_HS, rs);
    assert_false(mpm_hs_vectored(ctx));
    mpm_ctx_free(ctx);
    differential(MPM_ALGO_HS, rs, alpha, 256, 40, 512);
    free(rs);
}

static void hs_differential_sets_are_vectored(void **state)
{
    (void)state;
    HS_ONLY();
    uint8_t alpha[256];
    for (uint32_t i = 0; i < 256; i++) {
        alpha[i] = (uint8_t)i;
    }
    RandSet *rs = malloc(sizeof(*rs));
    assert_non_null(rs);
    uint32_t seed = 99; // as random_large_set_matches_oracle
    rand_set(rs, 2000, alpha, 256, 2, 8, &seed);
    MpmCtx *ctx = build_rand(MPM_ALGO_HS, rs);
    assert_true(mpm_hs_vectored(ctx));
    mpm_ctx_free(ctx);
    free(rs);
}

/* mpm_compile_many: five contexts of different sizes compiled on 1 and on 3 threads
 * each find what the same context compiled alone finds. */
BOTH(compile_many_matches_compiling_each_alone)
{
    static const Pat pats[] = {
        PAT("alpha", false, 0), PAT("BETA", true, 1), PAT("gam", false, 2),
        PAT("delta", true, 3), PAT("eps", false, 4),
    };
    static const char buf[] = "xx alpha beta gam DELTA eps";
    for (uint32_t threads = 1; threads <= 3; threads += 2) {
        MpmCtx *ctxs[5];
        for (size_t c = 0; c < 5; c++) {
            ctxs[c] = mpm_ctx_new(algo);
            assert_non_null(ctxs[c]);
            for (size_t i = 0; i <= c; i++) {    // context c holds patterns 0..c
                assert_int_equal(mpm_add_pattern(ctxs[c], (const uint8_t *)pats[i].bytes,
                                                 pats[i].len, pats[i].nocase, pats[i].id),
                                 0);
            }
        }
        assert_int_equal(mpm_compile_many(ctxs, 5, threads), 0);
        for (size_t c = 0; c < 5; c++) {
            MpmThread *th = mpm_thread_new();
            assert_non_null(th);
            assert_int_equal(mpm_thread_prepare(th, ctxs[c]), 0);
            Found got = {0};
            mpm_scan(ctxs[c], th, (const uint8_t *)buf, sizeof(buf) - 1, record, &got);
            qsort(got.ids, got.n, sizeof(uint32_t), u32_cmp);
            Found alone;
            scan_ids(algo, pats, c + 1, buf, sizeof(buf) - 1, &alone);
            expect_ids(&got, alone.ids, alone.n);
            assert_int_equal(got.n, c + 1);
            mpm_thread_free(th);
            mpm_ctx_free(ctxs[c]);
        }
    }
}

/* One context that cannot be compiled (already compiled) does not stop the others;
 * its failure is the result. */
BOTH(compile_many_compiles_all_and_returns_the_first_failure)
{
    static const Pat pats[] = {PAT("abc", false, 7)};
    MpmCtx *ctxs[3] = {build(algo, pats, 1), mpm_ctx_new(algo), mpm_ctx_new(algo)};
    assert_int_equal(mpm_add_pattern(ctxs[1], (const uint8_t *)"xyz", 3, false, 1), 0);
    assert_int_equal(mpm_compile_many(ctxs, 3, 2), VG_EINVAL);
    MpmThread *th = mpm_thread_new();
    assert_non_null(th);
    assert_int_equal(mpm_thread_prepare(th, ctxs[1]), 0);
    assert_int_equal(mpm_thread_prepare(th, ctxs[2]), 0);
    Found got = {0};
    mpm_scan(ctxs[1], th, (const uint8_t *)"..xyz..", 7, record, &got);
    EXPECT(&got, 1);
    mpm_thread_free(th);
    for (int i = 0; i < 3; i++) {
        mpm_ctx_free(ctxs[i]);
    }
}

static void algo_parse_accepts_known_names(void **state)
{
    (void)state;
    MpmAlgo a = MPM_ALGO_AC;
    assert_true(mpm_algo_parse("hs", &a));
    assert_int_equal(a, MPM_ALGO_HS);
    assert_true(mpm_algo_parse("ac", &a));
    assert_int_equal(a, MPM_ALGO_AC);
    assert_true(mpm_algo_parse("auto", &a));
    assert_int_equal(a, MPM_ALGO_AUTO);
    assert_string_equal(mpm_algo_name(MPM_ALGO_HS), "hs");
}

static void algo_parse_rejects_garbage(void **state)
{
    (void)state;
    MpmAlgo a = MPM_ALGO_HS;
    assert_false(mpm_algo_parse("AC", &a));
    assert_false(mpm_algo_parse("", &a));
    assert_false(mpm_algo_parse("hyperscan", &a));
    assert_false(mpm_algo_parse(NULL, &a));
    assert_int_equal(a, MPM_ALGO_HS);
}

static void auto_resolves_to_available_backend(void **state)
{
    (void)state;
    MpmCtx *ctx = mpm_ctx_new(MPM_ALGO_AUTO);
    assert_non_null(ctx);
    MpmAlgo want = mpm_algo_available(MPM_ALGO_HS) ? MPM_ALGO_HS : MPM_ALGO_AC;
    assert_int_equal(mpm_ctx_algo(ctx), want);
    assert_true(mpm_algo_available(MPM_ALGO_AC));
    mpm_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TESTS(single_pattern_found),
        TESTS(single_pattern_absent_reports_nothing),
        TESTS(overlapping_patterns_all_reported),
        TESTS(prefix_patterns_reported_independently),
        TESTS(nocase_matches_any_case_sensitive_only_exact),
        TESTS(case_sensitive_upper_not_matched_by_lower),
        TESTS(binary_patterns_with_nul_and_ff),
        TESTS(one_byte_patterns),
        TESTS(duplicate_patterns_report_every_id_once),
        TESTS(id_shared_by_two_patterns_reported_once),
        TESTS(empty_buffer_reports_nothing),
        TESTS(pattern_longer_than_buffer_not_matched),
        TESTS(match_at_buffer_start_and_end),
        TESTS(repeated_occurrences_reported_once),
        TESTS(empty_context_compiles_and_never_matches),
        TESTS(bitmap_scan_sets_bits_and_counts_new_ones),
        TESTS(thread_scans_several_contexts),
        TESTS(counts_and_memory_reported),
        TESTS(misuse_is_refused),
        TESTS(compile_many_matches_compiling_each_alone),
        TESTS(compile_many_compiles_all_and_returns_the_first_failure),
        TESTS(random_small_alphabet_matches_oracle),
        TESTS(random_large_set_matches_oracle),
        cmocka_unit_test(ac_sparse_small_alphabet_matches_oracle),
        cmocka_unit_test(ac_sparse_large_set_matches_oracle),
        cmocka_unit_test(hs_small_set_is_vectored),
        cmocka_unit_test(hs_trie_of_8000_nodes_vectored_8001_block),
        cmocka_unit_test(hs_caseless_trie_folds_case),
        cmocka_unit_test(hs_caseful_and_caseless_tries_counted_apart),
        cmocka_unit_test(hs_long_patterns_not_counted),
        cmocka_unit_test(hs_more_than_10000_patterns_block),
        cmocka_unit_test(hs_block_mode_matches_oracle),
        cmocka_unit_test(hs_differential_sets_are_vectored),
        cmocka_unit_test(algo_parse_accepts_known_names),
        cmocka_unit_test(algo_parse_rejects_garbage),
        cmocka_unit_test(auto_resolves_to_available_backend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
