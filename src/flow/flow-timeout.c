/* Flow timeouts: defaults (Suricata's values), and the expiry test the
 * manager and the eviction path share. */

#include "flow/flow-internal.h"

#include <string.h>

static const FlowTimeouts default_timeouts[FLOW_PROTO_MAX] = {
    [FLOW_PROTO_DEFAULT] = {.new_sec = 30, .established_sec = 300, .closed_sec = 0,
                            .emerg_new_sec = 10, .emerg_established_sec = 100,
                            .emerg_closed_sec = 0, .bypassed_sec = 100,
                            .emerg_bypassed_sec = 50},
    [FLOW_PROTO_TCP] = {.new_sec = 30, .established_sec = 300, .closed_sec = 10,
                        .emerg_new_sec = 10, .emerg_established_sec = 100,
                        .emerg_closed_sec = 5, .bypassed_sec = 100,
                        .emerg_bypassed_sec = 50},
    [FLOW_PROTO_UDP] = {.new_sec = 30, .established_sec = 300, .closed_sec = 0,
                        .emerg_new_sec = 10, .emerg_established_sec = 100,
                        .emerg_closed_sec = 0, .bypassed_sec = 100,
                        .emerg_bypassed_sec = 50},
    [FLOW_PROTO_ICMP] = {.new_sec = 30, .established_sec = 300, .closed_sec = 0,
                         .emerg_new_sec = 10, .emerg_established_sec = 100,
                         .emerg_closed_sec = 0, .bypassed_sec = 100,
                        .emerg_bypassed_sec = 50},
};

void flow_config_defaults(FlowConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->memcap_bytes = 128ull * 1024 * 1024;
    cfg->hash_size = 65536;
    cfg->prealloc = 10000;
    cfg->emergency_recovery_pct = 30;
    cfg->mgr_slices = 4;
    cfg->recursion_tracking = true;
    cfg->memcap_policy = FLOW_EXC_AUTO;   // exception-policy not set: auto, as Suricata
    memcpy(cfg->timeouts, default_timeouts, sizeof(default_timeouts));
}

/* A bypassed flow has its own timeout: its stream state no longer moves (its
 * closing packets are not tracked), as in Suricata. */
static uint32_t timeout_of(const FlowTimeouts *t, const Flow *f, bool emergency)
{
    if (f->flags & FLOW_F_BYPASSED) {
        return emergency ? t->emerg_bypassed_sec : t->bypassed_sec;
    }
    switch (f->state) {
    case FLOW_STATE_ESTABLISHED:
        return emergency ? t->emerg_established_sec : t->established_sec;
    case FLOW_STATE_CLOSED:
        return emergency ? t->emerg_closed_sec : t->closed_sec;
    default:
        return emergency ? t->emerg_new_sec : t->new_sec;
    }
}

uint32_t flow_timeout_sec(const FlowTable *ft, const Flow *f)
{
    bool emergency = flow_table_owner_is_emergency(ft, f->owner);
    return timeout_of(&ft->cfg.timeouts[f->proto_class], f, emergency);
}

/* Expired when at least timeout seconds passed since the last packet. */
bool flow_is_expired(const FlowTable *ft, const Flow *f, int64_t now_sec, bool emergency)
{
    uint32_t t = timeout_of(&ft->cfg.timeouts[f->proto_class], f, emergency);
    return now_sec - f->last_sec >= (int64_t)t;
}
