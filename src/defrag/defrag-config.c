/* defrag.* options (Suricata's names and defaults) and policy names. */

#include "defrag/defrag.h"

#include <stddef.h>
#include <string.h>

#include "conf/conf.h"
#include "flow/flow.h"
#include "util/util-error.h"

typedef struct DefragOpts {
    uint64_t memcap;
    int64_t hash_size;
    int64_t trackers;
    int64_t max_frags;
    bool prealloc;               // accepted for compatibility: nothing is preallocated
    int64_t timeout;
} DefragOpts;

static const ConfOption defrag_options[] = {
    {"memcap", CONF_OPT_SIZE, offsetof(DefragOpts, memcap), "32mb", 0, 0, NULL,
     "memory for trackers and held fragments"},
    {"hash-size", CONF_OPT_INT, offsetof(DefragOpts, hash_size), "4096", 1, 16777216, NULL,
     "tracker hash buckets"},
    {"trackers", CONF_OPT_INT, offsetof(DefragOpts, trackers), "65535", 1, 16777216, NULL,
     "datagrams reassembled at once"},
    {"max-frags", CONF_OPT_INT, offsetof(DefragOpts, max_frags), "65535", 1, 16777216, NULL,
     "fragments held at once"},
    {"prealloc", CONF_OPT_BOOL, offsetof(DefragOpts, prealloc), "yes", 0, 0, NULL,
     "accepted; nothing is preallocated"},
    {"timeout", CONF_OPT_INT, offsetof(DefragOpts, timeout), "60", 1, 86400, NULL,
     "seconds a datagram waits for its fragments"},
};

const ConfSchemaPart defrag_conf_schema = {
    "defrag", defrag_options, sizeof(defrag_options) / sizeof(defrag_options[0])};

void defrag_config_defaults(DefragConfig *c)
{
    *c = (DefragConfig){
        .memcap_bytes = 32ull * 1024 * 1024,
        .timeout_sec = 60,
        .max_trackers = 65535,
        .max_frags = 65535,
        .hash_size = 4096,
    };
}

int defrag_config_load(DefragConfig *c, const struct Conf *conf)
{
    DefragOpts o;
    memset(&o, 0, sizeof(o));
    size_t n = sizeof(defrag_options) / sizeof(defrag_options[0]);
    int rc = conf_load_options(conf, "defrag", defrag_options, n, &o);
    if (rc != 0) {
        return VG_EINVAL;
    }
    c->memcap_bytes = o.memcap;
    c->hash_size = (uint32_t)o.hash_size;
    c->max_trackers = (uint32_t)o.trackers;
    c->max_frags = (uint32_t)o.max_frags;
    c->timeout_sec = (uint32_t)o.timeout;
    static const char *const keys[3] = {"defrag.memcap-policy", "defrag.trackers-policy",
                                        "defrag.max-frags-policy"};
    uint8_t *out[3] = {&c->memcap_policy, &c->trackers_policy, &c->max_frags_policy};
    for (int i = 0; i < 3; i++) {
        FlowExceptionPolicy pol = FLOW_EXC_NOT_SET;
        if (flow_exception_policy_load(conf, keys[i], 0, &pol) != 0) {
            return VG_EINVAL;
        }
        *out[i] = (uint8_t)pol;
    }
    return 0;
}

/* host-os-policy names to fragment policies, as Suricata maps them. */
static const struct {
    const char *name;
    DefragPolicy pol;
} policy_names[] = {
    {"bsd", DEFRAG_POLICY_BSD},          {"hpux10", DEFRAG_POLICY_BSD},
    {"irix", DEFRAG_POLICY_BSD},         {"bsd-right", DEFRAG_POLICY_BSD_RIGHT},
    {"linux", DEFRAG_POLICY_LINUX},      {"old-linux", DEFRAG_POLICY_LINUX},
    {"first", DEFRAG_POLICY_FIRST},      {"old-solaris", DEFRAG_POLICY_FIRST},
    {"hpux11", DEFRAG_POLICY_FIRST},     {"macos", DEFRAG_POLICY_FIRST},
    {"solaris", DEFRAG_POLICY_SOLARIS},  {"windows", DEFRAG_POLICY_WINDOWS},
    {"vista", DEFRAG_POLICY_WINDOWS},    {"windows2k3", DEFRAG_POLICY_WINDOWS},
    {"last", DEFRAG_POLICY_LAST},
};

bool defrag_policy_by_name(const char *name, DefragPolicy *out)
{
    if (name == NULL) {
        return false;
    }
    for (size_t i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++) {
        if (strcmp(policy_names[i].name, name) == 0) {
            *out = policy_names[i].pol;
            return true;
        }
    }
    return false;
}

const char *defrag_policy_name(DefragPolicy pol)
{
    switch (pol) {
    case DEFRAG_POLICY_BSD:
        return "bsd";
    case DEFRAG_POLICY_FIRST:
        return "first";
    case DEFRAG_POLICY_LAST:
        return "last";
    case DEFRAG_POLICY_BSD_RIGHT:
        return "bsd-right";
    case DEFRAG_POLICY_LINUX:
        return "linux";
    case DEFRAG_POLICY_WINDOWS:
        return "windows";
    case DEFRAG_POLICY_SOLARIS:
        return "solaris";
    default:
        return NULL;
    }
}
