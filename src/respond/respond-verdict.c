/* The verdict thread module: what happens to a packet inline.
 *
 * Inline (--simulate-ips, NFQUEUE) a drop or reject rule drops the packet
 * and, when detection scoped the drop to the flow (PKT_F_DROP_FLOW, see
 * detect_on_match), every later packet of its flow: the flow is marked
 * FLOW_F_DROP and its packets are dropped with reason "flow drop"
 * (detection skips them). A dropped tunnel packet drops its root (the
 * packet from the wire that carries it) too, with reason "tunnel packet
 * drop"; the root's flow is not marked. In IDS mode nothing is dropped and
 * this module clears the drop mark detection may have set.
 *
 * Really inline (NFQUEUE) the packet's verdict goes to the kernel here
 * (p->verdict_fn, set by the acquire module; called once), and a dropped
 * packet whose alerts hold a reject action is answered with a reset or an
 * ICMP error (respond-reject.c) before its verdict. Counters:
 * ips.accepted, ips.blocked, ips.drop_reason.rules, ips.drop_reason.flow_drop,
 * ips.drop_reason.tunnel_packet_drop. */
#include <stdatomic.h>
#include <stdlib.h>

#include "detect/detect.h"

#include "flow/flow-types.h"
#include "flow/flow.h"
#include "respond/respond.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/runtime.h"

typedef struct VerdictThread {
    CounterId c_accepted;
    CounterId c_blocked;
    CounterId c_reason_rules;
    CounterId c_reason_flow;
    CounterId c_reason_inner;
    CounterId c_reason_threshold;
    CounterId c_reason_exception_flow;
    CounterId c_reason_stream_urgent; // ips.drop_reason.stream_urgent
    CounterId c_reason_exception[7]; // PKT_DROP_STREAM_MIDSTREAM .. PKT_DROP_DEFRAG_ERROR
    bool fw_mode;                // the rule set has a firewall table
    CounterId c_fw_accepted;
    CounterId c_fw_blocked;
    CounterId c_fw_rejected;
    CounterId c_rejected;        // ips.rejected (firewall mode): TD reject rules
    CounterId c_fw_reason[4];    // PKT_DROP_FW_RULES .. PKT_DROP_FW_APP_POLICY
    RespondReject reject;
    bool has_reject;             // raw sockets open (live inline only)
} VerdictThread;

/* Suricata's counter names for the exception policies' drop reasons. */
static void register_exception_reasons(VerdictThread *vt)
{
    static const char *const names[7] = {
        "ips.drop_reason.stream_midstream", "ips.drop_reason.stream_memcap",
        "ips.drop_reason.stream_reassembly", "ips.drop_reason.applayer_error",
        "ips.drop_reason.flow_memcap",      "ips.drop_reason.defrag_memcap",
        "ips.drop_reason.defrag_error",
    };
    for (int i = 0; i < 7; i++) {
        vt->c_reason_exception[i] = counters_register(names[i], COUNTER_SUM);
    }
    vt->c_reason_exception_flow =
        counters_register("ips.drop_reason.exception_policy_flow_drop", COUNTER_SUM);
    vt->c_reason_stream_urgent = counters_register("ips.drop_reason.stream_urgent", COUNTER_SUM);
}

static int verdict_thread_init(ThreadVars *tv, void **data)
{
    VerdictThread *vt = calloc(1, sizeof(*vt));
    if (vt == NULL) {
        return TM_FAILED;
    }
    if (tv->engine->is_inline) {
        vt->c_accepted = counters_register("ips.accepted", COUNTER_SUM);
        vt->c_blocked = counters_register("ips.blocked", COUNTER_SUM);
        vt->c_reason_rules = counters_register("ips.drop_reason.rules", COUNTER_SUM);
        vt->c_reason_flow = counters_register("ips.drop_reason.flow_drop", COUNTER_SUM);
        vt->c_reason_inner =
            counters_register("ips.drop_reason.tunnel_packet_drop", COUNTER_SUM);
        vt->c_reason_threshold =
            counters_register("ips.drop_reason.threshold_detection_filter", COUNTER_SUM);
        register_exception_reasons(vt);
        if (detect_engine_has_firewall(atomic_load(&tv->engine->detect))) {
            static const char *const fw_names[4] = {
                "firewall.drop_reason.rules", "firewall.drop_reason.flow_drop",
                "firewall.drop_reason.default_packet_policy",
                "firewall.drop_reason.default_app_policy",
            };
            vt->fw_mode = true;
            vt->c_fw_accepted = counters_register("firewall.accepted", COUNTER_SUM);
            vt->c_fw_blocked = counters_register("firewall.blocked", COUNTER_SUM);
            vt->c_fw_rejected = counters_register("firewall.rejected", COUNTER_SUM);
            vt->c_rejected = counters_register("ips.rejected", COUNTER_SUM);
            for (int i = 0; i < 4; i++) {
                vt->c_fw_reason[i] = counters_register(fw_names[i], COUNTER_SUM);
            }
        }
    }
    if (tv->engine->is_live_inline) {
        if (respond_reject_init(&vt->reject) != 0) {
            free(vt);
            return TM_FAILED;
        }
        vt->has_reject = true;
    }
    *data = vt;
    return TM_OK;
}

/* A tunnel packet runs every slot before its root goes on past the slot
 * that made it, in this thread (runtime-thread.c), so the root has yet to
 * reach this stage and may be marked here. */
static void drop_root(Packet *p)
{
    Packet *root = p->root;
    if (root == NULL) {
        return;
    }
    root->flags |= PKT_F_DROP;
    if (root->drop_reason == PKT_DROP_NONE) {
        root->drop_reason = PKT_DROP_INNER;
    }
}

static CounterId reason_counter(const VerdictThread *vt, uint8_t reason)
{
    switch (reason) {
    case PKT_DROP_FLOW:
        return vt->c_reason_flow;
    case PKT_DROP_INNER:
        return vt->c_reason_inner;
    case PKT_DROP_THRESHOLD:
        return vt->c_reason_threshold;
    case PKT_DROP_EXCEPTION_FLOW:
        return vt->c_reason_exception_flow;
    case PKT_DROP_STREAM_URGENT:
        return vt->c_reason_stream_urgent;
    case PKT_DROP_STREAM_MIDSTREAM:
    case PKT_DROP_STREAM_MEMCAP:
    case PKT_DROP_STREAM_REASSEMBLY:
    case PKT_DROP_APPLAYER_ERROR:
    case PKT_DROP_FLOW_MEMCAP:
    case PKT_DROP_DEFRAG_MEMCAP:
    case PKT_DROP_DEFRAG_ERROR:
        return vt->c_reason_exception[reason - PKT_DROP_STREAM_MIDSTREAM];
    default:
        return vt->c_reason_rules;
    }
}

static bool has_reject_alert(const Packet *p)
{
    const PacketAlerts *pas = detect_packet_alerts(p);
    for (uint16_t i = 0; pas != NULL && i < pas->n; i++) {
        if (pas->alerts[i].action >= DETECT_ACTION_REJECT) {
            return true;
        }
    }
    return false;
}

static int verdict_process(ThreadVars *tv, Packet *p, void *data)
{
    VerdictThread *vt = data;
    if (!tv->engine->is_inline) {
        p->flags &= ~(uint32_t)PKT_F_DROP;
        if (p->verdict_fn != NULL) {
            /* AF_PACKET TAP: forwarded whatever the rules say, at once */
            void (*fn)(Packet *, CounterSet *) = p->verdict_fn;
            p->verdict_fn = NULL;
            fn(p, tv->counters);
        }
        return TM_OK;
    }
    Flow *f = p->flow;
    bool fw_drop = (p->flags & PKT_F_DROP) && p->drop_reason >= PKT_DROP_FW_RULES &&
                   p->drop_reason <= PKT_DROP_FW_APP_POLICY;
    if (fw_drop) {
        /* the firewall dropped it: the threat detection never saw it (no ips.*) */
        counters_incr(tv->counters, (p->flags & PKT_F_REJECT) && p->drop_reason == PKT_DROP_FW_RULES
                                        ? vt->c_fw_rejected : vt->c_fw_blocked);
        counters_incr(tv->counters, vt->c_fw_reason[p->drop_reason - PKT_DROP_FW_RULES]);
        if (vt->has_reject && (p->flags & PKT_F_REJECT)) {
            respond_reject_packet(&vt->reject, p, tv->counters);
        }
    } else if (vt->fw_mode) {
        counters_incr(tv->counters, vt->c_fw_accepted);  // passed on to threat detection
    }
    if (fw_drop) {
        /* FLOW_F_DROP was set by detect for drop:flow */
        drop_root(p);
    } else if (p->flags & PKT_F_DROP) {
        if (p->drop_reason == PKT_DROP_NONE) {
            p->drop_reason = PKT_DROP_RULES;
        }
        /* Only a drop whose scope is the flow (PKT_F_DROP_FLOW: see
         * detect_on_match) drops the flow: a packet rule's drop, or a root
         * dropped for its tunnel packet, leaves the flow alone. */
        if (f != NULL && (p->flags & PKT_F_DROP_FLOW) && p->drop_reason != PKT_DROP_INNER) {
            pthread_mutex_lock(&f->lock);
            f->flags |= FLOW_F_DROP;
            pthread_mutex_unlock(&f->lock);
        }
        drop_root(p);
        counters_incr(tv->counters, vt->fw_mode && has_reject_alert(p) ? vt->c_rejected
                                                                         : vt->c_blocked);
        counters_incr(tv->counters, reason_counter(vt, p->drop_reason));
        if (vt->has_reject && (p->drop_reason == PKT_DROP_RULES || (p->flags & PKT_F_REJECT))) {
            respond_reject_packet(&vt->reject, p, tv->counters);
        }
    } else {
        counters_incr(tv->counters, vt->c_accepted);
    }
    if (p->verdict_fn != NULL && f != NULL && !(p->flags & (PKT_F_DROP | PKT_F_BYPASS))) {
        /* the packet that bypassed its flow (bypass keyword, encrypted traffic) tells
         * the capture too: NFQUEUE marks it (nfq.bypass-mark) */
        pthread_mutex_lock(&f->lock);
        if (flow_is_bypassed(f)) {
            p->flags |= PKT_F_BYPASS;
        }
        pthread_mutex_unlock(&f->lock);
    }
    if (p->verdict_fn != NULL) {
        void (*fn)(Packet *, CounterSet *) = p->verdict_fn;
        p->verdict_fn = NULL;
        fn(p, tv->counters);
    }
    return TM_OK;
}

static void verdict_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    VerdictThread *vt = data;
    if (vt != NULL && vt->has_reject) {
        respond_reject_deinit(&vt->reject);
    }
    free(vt);
}

const TmModule tm_module_verdict = {
    .hdr = TM_MODULE_HDR,
    .name = "verdict",
    .kind = TM_KIND_VERDICT,
    .thread_init = verdict_thread_init,
    .process = verdict_process,
    .thread_deinit = verdict_thread_deinit,
};
