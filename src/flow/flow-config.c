/* flow.* and flow-timeouts.* from the configuration tree. Kept apart from the
 * defaults so that users of the table alone do not link the conf loader. */

#include "flow/flow.h"

#include <stdio.h>

#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

static const char *const proto_names[FLOW_PROTO_MAX] = {
    [FLOW_PROTO_DEFAULT] = "default",
    [FLOW_PROTO_TCP] = "tcp",
    [FLOW_PROTO_UDP] = "udp",
    [FLOW_PROTO_ICMP] = "icmp",
};

static void report_range(const Conf *conf, const char *path, int64_t lo, int64_t hi)
{
    const ConfNode *n = conf_get_node(conf, NULL, path);
    const char *file = n != NULL && n->file != NULL ? n->file : "<config>";
    int line = n != NULL ? n->line : 0;
    VG_ERROR("%s:%d: %s: out of range (%lld to %lld)", file, line, path, (long long)lo,
             (long long)hi);
}

/* An integer in [lo, hi] at path, or dflt when absent. */
static int load_int(const Conf *conf, const char *path, int64_t lo, int64_t hi, uint32_t *v)
{
    bool bad = false;
    int64_t x = conf_int_or(conf, path, *v, &bad);
    if (bad) {
        return VG_EINVAL;
    }
    if (x < lo || x > hi) {
        report_range(conf, path, lo, hi);
        return VG_EINVAL;
    }
    *v = (uint32_t)x;
    return VG_OK;
}

static int load_timeouts(FlowConfig *cfg, const Conf *conf)
{
    static const char *const keys[] = {"new", "established", "closed", "emergency-new",
                                       "emergency-established", "emergency-closed",
                                       "bypassed", "emergency-bypassed"};
    int rc = VG_OK;
    for (int p = 0; p < FLOW_PROTO_MAX; p++) {
        FlowTimeouts *t = &cfg->timeouts[p];
        uint32_t *vals[] = {&t->new_sec, &t->established_sec, &t->closed_sec,
                            &t->emerg_new_sec, &t->emerg_established_sec,
                            &t->emerg_closed_sec, &t->bypassed_sec,
                            &t->emerg_bypassed_sec};
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            char path[96];
            snprintf(path, sizeof(path), "flow-timeouts.%s.%s", proto_names[p], keys[k]);
            if (load_int(conf, path, 0, INT32_MAX, vals[k]) != VG_OK) {
                rc = VG_EINVAL;
            }
        }
    }
    return rc;
}

int flow_config_load(FlowConfig *cfg, const struct Conf *conf)
{
    flow_config_defaults(cfg);
    int rc = VG_OK;
    bool bad = false;
    cfg->memcap_bytes = conf_size_or(conf, "flow.memcap", cfg->memcap_bytes, &bad);
    if (bad) {
        rc = VG_EINVAL;
    }
    /* Every key is checked, so one run reports every problem. */
    int r1 = load_int(conf, "flow.hash-size", 1, 1 << 26, &cfg->hash_size);
    int r2 = load_int(conf, "flow.prealloc", 0, 100000000, &cfg->prealloc);
    int r3 = load_int(conf, "flow.emergency-recovery", 1, 100, &cfg->emergency_recovery_pct);
    int r4 = load_timeouts(cfg, conf);
    int r5 = flow_exception_policy_load(conf, "flow.memcap-policy", 0, &cfg->memcap_policy);
    if (r1 != VG_OK || r2 != VG_OK || r3 != VG_OK || r4 != VG_OK || r5 != VG_OK) {
        rc = VG_EINVAL;
    }
    return rc;
}
