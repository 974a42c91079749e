#ifndef VG_DETECT_MPM_DETECT_MPM_INTERNAL_H
#define VG_DETECT_MPM_DETECT_MPM_INTERNAL_H

/* Shared between detect-mpm.c and its backends (and their tests). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/mpm/detect-mpm.h"

/* One distinct pattern after de-duplication: the backends see only these,
 * and report matches by their index. */
typedef struct MpmPattern {
    uint32_t bytes_off; // into MpmCtx.bytes
    uint32_t ids_off;   // into MpmCtx.pat_ids (dense id indices)
    uint32_t n_ids;
    uint16_t len;
    bool nocase;        // also set for patterns without ASCII letters
} MpmPattern;

/* One mpm_add_pattern call, kept until compile. */
typedef struct MpmEntry {
    uint32_t bytes_off;
    uint32_t id;
    uint16_t len;
    bool nocase;
} MpmEntry;

typedef struct MpmAc MpmAc;
typedef struct MpmHs MpmHs;

struct MpmCtx {
    MpmAlgo algo;
    bool is_compiled;    // mpm_compile was called
    bool is_ready;       // ... and succeeded: scannable
    /* Before compile: the entries; the bytes pool grows with them. */
    MpmEntry *entries;
    uint32_t n_entries;
    uint32_t entries_cap;
    uint8_t *bytes;
    size_t bytes_len;
    size_t bytes_cap;
    /* After compile. */
    MpmPattern *pats;
    uint32_t n_pats;
    uint32_t *pat_ids;   // dense id indices, grouped per pattern
    uint32_t n_pat_ids;
    uint32_t *dense_ids; // dense index -> caller id, ascending
    uint32_t n_dense;
    uint32_t id_bound;
    size_t ac_dense_budget; // bytes of full AC rows; 0 = default
    MpmAc *ac;
    MpmHs *hs;
};

struct MpmThread {
    uint32_t gen;         // current scan's generation; seen[x] == gen means seen
    uint32_t *pat_seen;   // per distinct pattern
    uint32_t pat_cap;
    uint32_t *id_seen;    // per dense id
    uint32_t id_cap;
    void *hs_scratch;     // hs_scratch_t *, grown for every prepared HS ctx
};

/* State of one scan, handed to the backend. */
typedef struct MpmScan {
    const MpmCtx *ctx;
    MpmThread *th;
    MpmMatchCb cb;
    void *user;
    uint8_t *bitmap;      // non-NULL: bitmap mode
    uint32_t n_reported;
} MpmScan;

static inline bool mpm_pattern_seen(const MpmScan *s, uint32_t pat)
{
    return s->th->pat_seen[pat] == s->th->gen;
}

/* Caps the memory of full transition rows of the AC automaton (before
 * compile; at least the root row is always full). For tests and tuning. */
void mpm_ctx_set_ac_dense_budget(MpmCtx *ctx, size_t bytes);

/* Marks pattern pat as found and reports its ids not yet reported. */
void mpm_report_pattern(MpmScan *s, uint32_t pat);

/* Aho-Corasick backend (detect-mpm-ac.c). */
int mpm_ac_compile(MpmCtx *ctx);
void mpm_ac_scan(const MpmCtx *ctx, MpmScan *s, const uint8_t *buf, uint32_t len);
size_t mpm_ac_memory(const MpmAc *ac);
void mpm_ac_free(MpmAc *ac);

/* Hyperscan backend (detect-mpm-hs.c); stubs when built without it. */
bool mpm_hs_available(void);
int mpm_hs_compile(MpmCtx *ctx);
int mpm_hs_thread_prepare(MpmThread *th, const MpmCtx *ctx);
bool mpm_hs_thread_ready(const MpmThread *th, const MpmCtx *ctx);
void mpm_hs_scan(const MpmCtx *ctx, MpmScan *s, const uint8_t *buf, uint32_t len);
/* Whether ctx's database was compiled in vectored mode (block mode would have
 * built Hyperscan's small-write engine: see detect-mpm-hs.c). */
bool mpm_hs_vectored(const MpmCtx *ctx);
size_t mpm_hs_memory(const MpmHs *hs);
void mpm_hs_free(MpmHs *hs);
void mpm_hs_scratch_free(void *scratch);

#endif
