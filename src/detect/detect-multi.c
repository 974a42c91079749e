/* Multi-buffers: app-layer buffers with one instance per record (AppBufferDef.get_multi,
 * e.g. one DNS query name each). A rule's keyword list for such a buffer matches when
 * one instance matches all of it (Suricata's multi-buffer semantics: content, bsize,
 * relative matches never span two instances). The prefilter scans every instance.
 *
 * Called by detect-tx.c with the flow lock held. */

#include "app-layer/app-layer.h"
#include "detect/detect-internal.h"

#define DETECT_MULTI_MAX 4096    // instances inspected per buffer and tx

/* One instance through the list's transforms, then its keywords. */
static bool inspect_one(DetectThread *dt, const Signature *s, const DetectAppList *al,
                        const uint8_t *data, uint32_t len, uint8_t *xbuf[2], uint32_t xcap[2])
{
    if (al->n_xform > 0 &&
        !detect_xform_apply(al->xform, al->xarg, al->n_xform, data, len, xbuf, xcap, &data,
                            &len)) {
        return false;
    }
    return detect_inspect_payload(dt, s, al->list, data, len);
}

bool detect_app_data_inspect(DetectThread *dt, const Signature *s, const DetectAppList *al,
                             const uint8_t *data, uint32_t len, uint8_t *xbuf[2], uint32_t xcap[2])
{
    return inspect_one(dt, s, al, data, len, xbuf, xcap);
}

bool detect_app_buffer_inspect(DetectThread *dt, const Signature *s, const DetectAppList *al,
                               const AppBufferDef *def, const Flow *f, const AppTx *tx,
                               uint8_t *xbuf[2], uint32_t xcap[2])
{
    const uint8_t *data = NULL;
    uint32_t len = 0;
    if (def->get_multi == NULL) {
        return def->get(f, tx, &data, &len) && inspect_one(dt, s, al, data, len, xbuf, xcap);
    }
    for (uint32_t i = 0; i < DETECT_MULTI_MAX && def->get_multi(f, tx, i, &data, &len); i++) {
        if (inspect_one(dt, s, al, data, len, xbuf, xcap)) {
            return true;
        }
    }
    return false;
}

void detect_app_buffer_scan(const DetectPrefilter *pf, void *scratch, const AppBufferDef *def,
                            const Flow *f, const AppTx *tx, void (*on_hit)(uint32_t, void *),
                            void (*after)(void *), void *user)
{
    const uint8_t *data = NULL;
    uint32_t len = 0;
    for (uint32_t i = 0; i < DETECT_MULTI_MAX && def->get_multi(f, tx, i, &data, &len); i++) {
        detect_prefilter_scan(pf, scratch, data, len, on_hit, user);
        after(user);
    }
}
