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
#include <string.h>

#include "conf/conf.h"
#include "util/util-error.h"
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
            f->flags |= FLOW_F_BYPASSED;
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
