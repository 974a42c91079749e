/* Prefilter: one multi-pattern matcher (detect/mpm) per rule group over its
 * rules' fast patterns. A pattern's id is the rule's num, so a hit names the
 * candidate rule directly. */

#include <stdlib.h>

#include "detect/detect-internal.h"
#include "detect/mpm/detect-mpm.h"
#include "util/util-error.h"

struct DetectPrefilter {
    MpmCtx *mpm;
    uint32_t n_patterns;
};

static MpmAlgo to_mpm_algo(int algo)
{
    return algo == DETECT_MPM_AC ? MPM_ALGO_AC : (algo == DETECT_MPM_HS ? MPM_ALGO_HS
                                                                        : MPM_ALGO_AUTO);
}

DetectPrefilter *detect_prefilter_new(int algo)
{
    DetectPrefilter *pf = calloc(1, sizeof(*pf));
    if (pf == NULL) {
        return NULL;
    }
    pf->mpm = mpm_ctx_new(to_mpm_algo(algo));
    if (pf->mpm == NULL) {
        free(pf);
        return NULL;
    }
    return pf;
}

int detect_prefilter_add(DetectPrefilter *pf, const uint8_t *pat, uint16_t len, bool nocase,
                         uint32_t sig_num)
{
    pf->n_patterns++;
    return mpm_add_pattern(pf->mpm, pat, len, nocase, sig_num);
}

int detect_prefilter_compile(DetectPrefilter *pf)
{
    return mpm_compile(pf->mpm);
}

int detect_prefilter_compile_many(DetectPrefilter *const *pfs, uint32_t n)
{
    MpmCtx **ctxs = malloc(((size_t)n + 1) * sizeof(*ctxs));
    if (ctxs == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        ctxs[i] = pfs[i]->mpm;
    }
    int rc = mpm_compile_many(ctxs, n, 0);
    free(ctxs);
    return rc;
}

uint32_t detect_prefilter_n_patterns(const DetectPrefilter *pf)
{
    return pf != NULL ? pf->n_patterns : 0;
}

void detect_prefilter_free(DetectPrefilter *pf)
{
    if (pf != NULL) {
        mpm_ctx_free(pf->mpm);
        free(pf);
    }
}

void *detect_prefilter_scratch_new(const DetectEngine *de)
{
    MpmThread *th = mpm_thread_new();
    for (int k = 0; k < DETECT_PF_KINDS; k++) {
        for (int dir = 0; dir < 2 && th != NULL; dir++) {
            if (de->pf[k][dir] != NULL && mpm_thread_prepare(th, de->pf[k][dir]->mpm) != 0) {
                mpm_thread_free(th);
                return NULL;
            }
        }
    }
    return th;
}

void detect_prefilter_scratch_free(void *scratch)
{
    mpm_thread_free(scratch);
}

static void on_hit(uint32_t id, void *user)
{
    DetectThread *dt = user;
    dt->pf_hits[dt->n_pf_hits++] = id; // mpm_scan reports each id once per scan
}

/* The prefilter of the scan's kind (DETECT_PF_*) and the packet's direction; a
 * packet with none (or both) is scanned by both: the union of their hits (a rule
 * of neither direction comes twice; dt->pf_hits holds 2 * n_sigs, and candidates
 * are de-duplicated). */
void detect_prefilter_search(DetectThread *dt, int kind, const uint8_t *buf, uint32_t len,
                             uint32_t pkt_flags)
{
    dt->n_pf_hits = 0;
    bool ts = (pkt_flags & PKT_F_TOSERVER) != 0;
    bool tc = (pkt_flags & PKT_F_TOCLIENT) != 0;
    for (int dir = 0; dir < 2 && len > 0; dir++) {
        const DetectPrefilter *pf = dt->de->pf[kind][dir];
        if (ts != tc && ts != (dir == 0)) {
            continue;
        }
        if (pf != NULL && pf->n_patterns > 0) {
            mpm_scan(pf->mpm, dt->pf_scratch, buf, len, on_hit, dt);
        }
    }
}

/* Per-buffer prefilters of tx rules (detect-tx.c) share the thread's scratch. */
int detect_prefilter_prepare(void *scratch, const DetectPrefilter *pf)
{
    return mpm_thread_prepare(scratch, pf->mpm);
}

void detect_prefilter_scan(const DetectPrefilter *pf, void *scratch, const uint8_t *buf,
                           uint32_t len, void (*cb)(uint32_t id, void *user), void *user)
{
    if (pf->n_patterns > 0 && len > 0) {
        (void)mpm_scan(pf->mpm, scratch, buf, len, cb, user);
    }
}
