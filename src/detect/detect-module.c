/* The detect thread module: inspect each packet with the current rule set.
 * On reload the engine pointer in Engine changes; each thread notices at its
 * next packet and rebuilds its scratch for the new set. */
#include <stdlib.h>

#include "detect/detect.h"
#include "flow/flow-types.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/runtime.h"

typedef struct DetectModuleThread {
    const DetectEngine *de;      // the set dt was made for
    DetectThread *dt;
} DetectModuleThread;

static int detect_module_thread_init(ThreadVars *tv, void **data)
{
    DetectModuleThread *mt = calloc(1, sizeof(*mt));
    if (mt == NULL) {
        return TM_FAILED;
    }
    mt->de = atomic_load(&tv->engine->detect);
    if (mt->de != NULL) {
        mt->dt = detect_thread_new(mt->de, tv->counters);
        if (mt->dt == NULL) {
            free(mt);
            return TM_FAILED;
        }
    }
    *data = mt;
    return TM_OK;
}

static void follow_reload(ThreadVars *tv, DetectModuleThread *mt)
{
    const DetectEngine *cur = atomic_load(&tv->engine->detect);
    if (cur == mt->de) {
        return;
    }
    DetectThread *dt = cur ? detect_thread_new(cur, tv->counters) : NULL;
    if (cur != NULL && dt == NULL) {
        return; // keep inspecting with the old set
    }
    detect_thread_free(mt->dt);
    mt->dt = dt;
    mt->de = cur;
}

/* Drops an exception policy made before detection (flow-exception.c). */
static bool dropped_by_exception(uint8_t reason)
{
    switch (reason) {
    case PKT_DROP_STREAM_MIDSTREAM:
    case PKT_DROP_STREAM_MEMCAP:
    case PKT_DROP_STREAM_REASSEMBLY:
    case PKT_DROP_APPLAYER_ERROR:
    case PKT_DROP_FLOW_MEMCAP:
    case PKT_DROP_DEFRAG_MEMCAP:
    case PKT_DROP_DEFRAG_ERROR:
        return true;
    default:
        return false;
    }
}

static int detect_module_process(ThreadVars *tv, Packet *p, void *data)
{
    DetectModuleThread *mt = data;
    follow_reload(tv, mt);
    if (mt->dt == NULL || (p->flags & PKT_F_BYPASS) ||
        (p->flags & PKT_F_INVALID && p->l3 == PKT_L3_NONE && p->n_events == 0)) {
        return TM_OK;
    }
    if (detect_engine_has_firewall(mt->de)) {
        p->flags |= PKT_F_FIREWALL;
    }
    /* A decision on cross-flow state below may wait for earlier packets with
     * this flow's lock held: none of them needs it, as the earlier packets of a
     * flow that several threads get (a tunnel's outer flow) are released before
     * a thread starts on this one (runtime_order_steer_end). */
    Flow *f = p->flow;
    if (f != NULL) {
        pthread_mutex_lock(&f->lock);
        /* a TD pass leaves the firewall rules to run (firewall mode) */
        bool fw_left = detect_engine_has_firewall(mt->de) && !(f->flags & FLOW_F_FW_ACCEPT);
        if (((f->flags & FLOW_F_PASS) && !fw_left) || (f->flags & FLOW_F_DROP_IDS)) {
            detect_tx_flow_passed(f);
            pthread_mutex_unlock(&f->lock);
            return TM_OK;
        }
        if ((f->flags & FLOW_F_DROP) && tv->engine->is_inline) {
            /* The flow was dropped inline: so is this packet, uninspected
             * (with the reason of an exception policy that dropped it here). */
            if (!(p->flags & PKT_F_DROP)) {
                p->flags |= PKT_F_DROP;
                p->drop_reason = (f->flags & FLOW_F_DROP_EXCEPTION) ? PKT_DROP_EXCEPTION_FLOW
                                 : (f->flags & FLOW_F_DROP_FW)      ? PKT_DROP_FW_FLOW
                                                                    : PKT_DROP_FLOW;
            }
            pthread_mutex_unlock(&f->lock);
            return TM_OK;
        }
    }
    if ((p->flags & PKT_F_NOPACKET_INSPECT) ||
        ((p->flags & PKT_F_DROP) && dropped_by_exception(p->drop_reason))) {
        /* An exception policy passed or dropped it before detection. */
        if (f != NULL) {
            pthread_mutex_unlock(&f->lock);
        }
        return TM_OK;
    }
    detect_packet(mt->dt, p);
    if (f != NULL && !tv->engine->is_inline && (p->flags & PKT_F_DROP_FLOW)) {
        /* Not inline, nothing is dropped, but the flow's inspection ends as
         * Suricata's does on a flow drop in IDS mode (one alert, not one per
         * later packet); the verdict module leaves it at that. */
        f->flags |= FLOW_F_DROP_IDS;
    }
    if (f != NULL && (f->flags & (FLOW_F_PASS | FLOW_F_DROP_IDS))) {
        detect_tx_flow_passed(f);  // passed or dropped on this packet
    }
    if (f != NULL) {
        if (p->n_alerts > 0) {
            f->flags |= FLOW_F_ALERTED;
        }
        pthread_mutex_unlock(&f->lock);
    }
    return TM_OK;
}

static void detect_module_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    DetectModuleThread *mt = data;
    if (mt != NULL) {
        detect_thread_free(mt->dt);
        free(mt);
    }
}

const TmModule tm_module_detect = {
    .hdr = TM_MODULE_HDR,
    .name = "detect",
    .kind = TM_KIND_DETECT,
    .thread_init = detect_module_thread_init,
    .process = detect_module_process,
    .thread_deinit = detect_module_thread_deinit,
};
