/* Exception policies: what the engine does to a packet and its flow when it
 * cannot follow them normally (a TCP session picked up midstream, a memcap
 * reached, an app-layer parser error), as Suricata's exception policies
 * (docs.suricata.io, configuration/exception-policies):
 *
 *   exception-policy: the master switch, used by every policy not set on its
 *     own key; not set means ignore (the behaviour before policies existed).
 *   auto: drop-flow in IPS mode (drop-packet where the policy has no flow),
 *     ignore in IDS mode.
 *   drop-packet / drop-flow / reject: IPS only (ignore in IDS mode).
 *   pass-packet / pass-flow: no more detection on the packet / the flow.
 *   bypass: the flow is passed without any more inspection.
 *
 * The loaders run at start-up (single thread); flow_exception_apply runs in
 * packet threads with the flow lock held. */
#include "flow/flow.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-json.h"
#include "util/util-log.h"

static const char *const policy_words[] = {
    [FLOW_EXC_NOT_SET] = "",
    [FLOW_EXC_AUTO] = "auto",
    [FLOW_EXC_IGNORE] = "ignore",
    [FLOW_EXC_DROP_PACKET] = "drop-packet",
    [FLOW_EXC_DROP_FLOW] = "drop-flow",
    [FLOW_EXC_PASS_PACKET] = "pass-packet",
    [FLOW_EXC_PASS_FLOW] = "pass-flow",
    [FLOW_EXC_BYPASS] = "bypass",
    [FLOW_EXC_REJECT] = "reject",
};

/* EVE and counter spelling (Suricata's: underscores). */
static const char *const policy_names[] = {
    [FLOW_EXC_NOT_SET] = "ignore",
    [FLOW_EXC_AUTO] = "auto",
    [FLOW_EXC_IGNORE] = "ignore",
    [FLOW_EXC_DROP_PACKET] = "drop_packet",
    [FLOW_EXC_DROP_FLOW] = "drop_flow",
    [FLOW_EXC_PASS_PACKET] = "pass_packet",
    [FLOW_EXC_PASS_FLOW] = "pass_flow",
    [FLOW_EXC_BYPASS] = "bypass",
    [FLOW_EXC_REJECT] = "reject",
};

/* What each flow remembers of the policies applied to it (EVE flow
 * "exception_policy") is kept in the flow itself, Flow.exc: one byte per
 * exception met, in order, the PKT_DROP_* reason in the high nibble and the
 * policy in the low one (0: no more). No allocation when a flow meets one. */
#define EXC_TARGETS FLOW_EXC_RECORD_MAX  // PKT_DROP_STREAM_MIDSTREAM .. DEFRAG_ERROR
_Static_assert(PKT_DROP_DEFRAG_ERROR < 16 && FLOW_EXC_REJECT < 16,
               "an exception record byte holds a reason and a policy in 4 bits each");
_Static_assert(PKT_DROP_DEFRAG_ERROR - PKT_DROP_STREAM_MIDSTREAM + 1 == EXC_TARGETS,
               "one record byte per exception target");

static const char *target_name(uint8_t reason)
{
    switch (reason) {
    case PKT_DROP_STREAM_MIDSTREAM:
        return "stream_midstream";
    case PKT_DROP_STREAM_MEMCAP:
        return "stream_memcap";
    case PKT_DROP_STREAM_REASSEMBLY:
        return "stream_reassembly_memcap";
    case PKT_DROP_APPLAYER_ERROR:
        return "app_layer_error";
    case PKT_DROP_FLOW_MEMCAP:
        return "flow_memcap";
    case PKT_DROP_DEFRAG_ERROR:
        return "defrag_error";
    default:
        return "defrag_memcap";
    }
}

static void record(Flow *f, FlowExceptionPolicy pol, uint8_t reason)
{
    if (f == NULL) {
        return;
    }
    for (uint8_t i = 0; i < EXC_TARGETS; i++) {
        if (f->exc[i] == 0) {
            f->exc[i] = (uint8_t)(reason << 4 | (uint8_t)pol);
            return;
        }
        if (f->exc[i] >> 4 == reason) {
            return;
        }
    }
}

void flow_exception_record_write(const Flow *f, JsonBuf *jb)
{
    if (f->exc[0] == 0) {
        return;
    }
    json_open_array(jb, "exception_policy");
    for (uint8_t i = 0; i < EXC_TARGETS && f->exc[i] != 0; i++) {
        json_open_object(jb, NULL);
        json_str(jb, "target", target_name((uint8_t)(f->exc[i] >> 4)));
        json_str(jb, "policy", flow_exception_policy_name((FlowExceptionPolicy)(f->exc[i] & 0xf)));
        json_close_object(jb);
    }
    json_close_array(jb);
}

const char *flow_exception_policy_name(FlowExceptionPolicy pol)
{
    return (unsigned)pol < FLOW_EXC_N ? policy_names[pol] : "ignore";
}

int flow_exception_policy_parse(const char *key, const char *value, FlowExceptionPolicy *out)
{
    for (unsigned i = FLOW_EXC_AUTO; i < FLOW_EXC_N; i++) {
        if (strcmp(value, policy_words[i]) == 0) {
            *out = (FlowExceptionPolicy)i;
            return 0;
        }
    }
    VG_ERROR("%s: '%s' is not an exception policy (auto, drop-packet, drop-flow, pass-packet, "
             "pass-flow, bypass, reject, ignore)",
             key, value);
    return VG_EINVAL;
}

int flow_exception_policy_load(const struct Conf *conf, const char *key, unsigned flags,
                               FlowExceptionPolicy *out)
{
    *out = FLOW_EXC_NOT_SET;
    const char *value = NULL;
    const char *master = NULL;
    /* Both are read (and so marked read) whichever is used. */
    bool has_master = conf != NULL && conf_get_str(conf, "exception-policy", &master) &&
                      master != NULL;
    bool own = conf != NULL && conf_get_str(conf, key, &value) && value != NULL;
    if (!own && has_master) {
        if (flow_exception_policy_parse("exception-policy", master, out) != 0) {
            return VG_EINVAL;
        }
        /* The master switch adapts to what the policy can do. */
        if ((flags & FLOW_EXC_F_FLOW_ONLY) &&
            (*out == FLOW_EXC_DROP_PACKET || *out == FLOW_EXC_PASS_PACKET)) {
            *out = *out == FLOW_EXC_DROP_PACKET ? FLOW_EXC_DROP_FLOW : FLOW_EXC_PASS_FLOW;
        }
        if ((flags & FLOW_EXC_F_IGNORE_OR_PASS) && *out != FLOW_EXC_PASS_FLOW) {
            *out = FLOW_EXC_IGNORE;
        }
        return 0;
    }
    if (!own) {
        /* Neither is set: auto, as Suricata's default (drop-flow inline, ignore in
         * IDS mode); with midstream pick-up enabled there is nothing to act on. */
        *out = (flags & FLOW_EXC_F_IGNORE_OR_PASS) ? FLOW_EXC_IGNORE : FLOW_EXC_AUTO;
        return 0;
    }
    if (flow_exception_policy_parse(key, value, out) != 0) {
        return VG_EINVAL;
    }
    if ((flags & FLOW_EXC_F_FLOW_ONLY) &&
        (*out == FLOW_EXC_DROP_PACKET || *out == FLOW_EXC_PASS_PACKET)) {
        VG_ERROR("%s: '%s' is not valid here: this policy applies to whole flows", key, value);
        return VG_EINVAL;
    }
    if ((flags & FLOW_EXC_F_IGNORE_OR_PASS) && *out != FLOW_EXC_IGNORE &&
        *out != FLOW_EXC_PASS_FLOW && *out != FLOW_EXC_AUTO) {
        VG_ERROR("%s: '%s' is not valid with stream.midstream enabled (ignore or pass-flow)",
                 key, value);
        return VG_EINVAL;
    }
    return 0;
}

FlowExceptionPolicy flow_exception_policy_resolve(FlowExceptionPolicy pol, bool is_ips,
                                                  bool has_flow)
{
    switch (pol) {
    case FLOW_EXC_AUTO:
        if (!is_ips) {
            return FLOW_EXC_IGNORE;
        }
        return has_flow ? FLOW_EXC_DROP_FLOW : FLOW_EXC_DROP_PACKET;
    case FLOW_EXC_DROP_PACKET:
    case FLOW_EXC_DROP_FLOW:
    case FLOW_EXC_REJECT:
        if (!is_ips) {
            return FLOW_EXC_IGNORE;
        }
        if (pol == FLOW_EXC_DROP_FLOW && !has_flow) {
            return FLOW_EXC_DROP_PACKET;
        }
        return pol;
    case FLOW_EXC_PASS_FLOW:
    case FLOW_EXC_BYPASS:
        return has_flow ? pol : FLOW_EXC_PASS_PACKET;
    case FLOW_EXC_NOT_SET:
        return FLOW_EXC_IGNORE;
    default:
        return pol;
    }
}

bool flow_exception_apply(Flow *f, Packet *p, FlowExceptionPolicy pol, uint8_t drop_reason)
{
    /* The flow remembers every exception it met, an ignored one too (EVE
     * flow exception_policy, as Suricata); counters count the acting ones. */
    record(f, pol == FLOW_EXC_NOT_SET ? FLOW_EXC_IGNORE : pol, drop_reason);
    switch (pol) {
    case FLOW_EXC_DROP_FLOW:
    case FLOW_EXC_REJECT:
        if (f != NULL && !(f->flags & FLOW_F_PASS)) {
            f->flags |= FLOW_F_DROP | FLOW_F_DROP_EXCEPTION;
            p->flags |= PKT_F_DROP_FLOW;
        }
        /* fall through */
    case FLOW_EXC_DROP_PACKET:
        p->flags |= PKT_F_DROP;
        if (pol == FLOW_EXC_REJECT) {
            p->flags |= PKT_F_REJECT;
        }
        if (p->drop_reason == PKT_DROP_NONE) {
            p->drop_reason = drop_reason;
        }
        return true;
    case FLOW_EXC_BYPASS:
        if (f != NULL) {
            flow_bypass(f);
        }
        /* fall through */
    case FLOW_EXC_PASS_FLOW:
        if (f != NULL && !(f->flags & FLOW_F_DROP)) {
            f->flags |= FLOW_F_PASS;
        }
        /* fall through */
    case FLOW_EXC_PASS_PACKET:
        p->flags |= PKT_F_NOPACKET_INSPECT;
        return true;
    default:
        return false;
    }
}

CounterId flow_exception_counters_register(const char *prefix, bool flow_only,
                                           FlowExceptionPolicy applied)
{
    static const FlowExceptionPolicy all[] = {FLOW_EXC_DROP_PACKET, FLOW_EXC_DROP_FLOW,
                                              FLOW_EXC_REJECT, FLOW_EXC_BYPASS,
                                              FLOW_EXC_PASS_FLOW, FLOW_EXC_PASS_PACKET};
    CounterId id = 0;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (flow_only && (all[i] == FLOW_EXC_DROP_PACKET || all[i] == FLOW_EXC_PASS_PACKET)) {
            continue;
        }
        char name[128];
        (void)snprintf(name, sizeof(name), "%s.%s", prefix, flow_exception_policy_name(all[i]));
        CounterId c = counters_register(name, COUNTER_SUM);
        if (all[i] == applied) {
            id = c;
        }
    }
    return id;
}

void flow_bypass(Flow *f)
{
    if (!(f->flags & FLOW_F_DROP)) {
        f->flags |= FLOW_F_BYPASSED;
    }
}
