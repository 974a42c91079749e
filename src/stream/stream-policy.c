/* Target-based overlap policies and the host-os-policy table.
 *
 * Which bytes a host keeps when TCP segments overlap follows Novak and
 * Sturges, "Target-Based TCP Stream Reassembly" (2007), as Suricata
 * implements it (its documentation maps the host-os-policy names to these
 * behaviours). For a new segment N overlapping stored bytes of an old
 * segment O (compared by their original extents):
 *   first, vista, bsd-right, old-solaris: O always wins;
 *   last: N always wins;
 *   N starts before O: bsd, hpux10, irix, windows, windows2k3, linux,
 *     old-linux and macos take N; solaris and hpux11 take N only when N also
 *     ends at or after O's end;
 *   N starts with O: linux takes N when N ends after O; old-linux, solaris
 *     and hpux11 take N when N ends at or after O's end;
 *   N starts after O: solaris and hpux11 take N when N ends after O.
 * In every other case O wins. */
#include "stream/stream-internal.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

static const char *const policy_names[STREAM_POLICY_MAX + 1] = {
    [STREAM_POLICY_BSD] = "bsd",
    [STREAM_POLICY_FIRST] = "first",
    [STREAM_POLICY_LAST] = "last",
    [STREAM_POLICY_BSD_RIGHT] = "bsd-right",
    [STREAM_POLICY_LINUX] = "linux",
    [STREAM_POLICY_OLD_LINUX] = "old-linux",
    [STREAM_POLICY_WINDOWS] = "windows",
    [STREAM_POLICY_WINDOWS2K3] = "windows2k3",
    [STREAM_POLICY_VISTA] = "vista",
    [STREAM_POLICY_SOLARIS] = "solaris",
    [STREAM_POLICY_HPUX10] = "hpux10",
    [STREAM_POLICY_HPUX11] = "hpux11",
    [STREAM_POLICY_IRIX] = "irix",
    [STREAM_POLICY_MACOS] = "macos",
    [STREAM_POLICY_OLD_SOLARIS] = "old-solaris",
};

const char *stream_policy_name(StreamPolicy pol)
{
    return (unsigned)pol < STREAM_POLICY_MAX ? policy_names[pol] : NULL;
}

bool stream_policy_by_name(const char *name, StreamPolicy *out)
{
    for (int i = 0; i <= STREAM_POLICY_MAX; i++) {
        if (strcmp(policy_names[i], name) == 0) {
            // old-solaris keeps the first data, as "first" does
            *out = i == STREAM_POLICY_OLD_SOLARIS ? STREAM_POLICY_FIRST : (StreamPolicy)i;
            return true;
        }
    }
    return false;
}

static bool starts_before_takes_new(StreamPolicy pol)
{
    switch (pol) {
    case STREAM_POLICY_BSD:
    case STREAM_POLICY_HPUX10:
    case STREAM_POLICY_IRIX:
    case STREAM_POLICY_WINDOWS:
    case STREAM_POLICY_WINDOWS2K3:
    case STREAM_POLICY_LINUX:
    case STREAM_POLICY_OLD_LINUX:
    case STREAM_POLICY_MACOS:
        return true;
    default:
        return false;
    }
}

bool stream_policy_new_wins(StreamPolicy pol, uint64_t new_start, uint64_t new_end,
                            uint64_t old_start, uint64_t old_end)
{
    bool solaris_like = pol == STREAM_POLICY_SOLARIS || pol == STREAM_POLICY_HPUX11;
    if (pol == STREAM_POLICY_LAST) {
        return true;
    }
    if (new_start < old_start) {
        return starts_before_takes_new(pol) || (solaris_like && new_end >= old_end);
    }
    if (new_start == old_start) {
        if (new_end > old_end && pol == STREAM_POLICY_LINUX) {
            return true;
        }
        return new_end >= old_end && (solaris_like || pol == STREAM_POLICY_OLD_LINUX);
    }
    return solaris_like && new_end > old_end;
}

/* ---- host-os-policy: address/prefix -> policy, longest prefix wins ---- */

typedef struct PolicyNet {
    VgAddr addr;                 // masked
    uint8_t prefix_len;
    uint8_t policy;
} PolicyNet;

/* Built by stream_policy_load at start-up, read-only afterwards. */
static PolicyNet *g_nets;
static size_t g_n_nets;
static StreamPolicy g_default_policy = STREAM_POLICY_BSD;

static void mask_addr(VgAddr *a, uint8_t prefix_len)
{
    int bytes = a->family == 4 ? 4 : 16;
    for (int i = 0; i < bytes; i++) {
        int bits = (int)prefix_len - i * 8;
        uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
        a->a.u8[i] &= m;
    }
}

/* "10.0.0.0/8", "192.168.1.1", "2001:db8::/32" -> net. */
static bool parse_net(const char *text, PolicyNet *out)
{
    char buf[64];
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, text, n + 1);
    char *slash = strchr(buf, '/');
    int64_t plen = -1;
    if (slash != NULL) {
        *slash = '\0';
        if (!conf_parse_int(slash + 1, &plen) || plen < 0) {
            return false;
        }
    }
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, buf, out->addr.a.u8) == 1) {
        out->addr.family = 4;
        plen = plen < 0 ? 32 : plen;
    } else if (inet_pton(AF_INET6, buf, out->addr.a.u8) == 1) {
        out->addr.family = 6;
        plen = plen < 0 ? 128 : plen;
    } else {
        return false;
    }
    if (plen > (out->addr.family == 4 ? 32 : 128)) {
        return false;
    }
    out->prefix_len = (uint8_t)plen;
    mask_addr(&out->addr, out->prefix_len);
    return true;
}

static int add_net(const ConfNode *item, StreamPolicy pol)
{
    PolicyNet net;
    if (item->value == NULL || !parse_net(item->value, &net)) {
        VG_ERROR("%s:%d: host-os-policy: '%s' is not an address or network", item->file,
                 item->line, item->value ? item->value : "");
        return VG_EINVAL;
    }
    PolicyNet *grown = realloc(g_nets, (g_n_nets + 1) * sizeof(*g_nets));
    if (grown == NULL) {
        return VG_ENOMEM;
    }
    g_nets = grown;
    net.policy = (uint8_t)pol;
    g_nets[g_n_nets++] = net;
    return 0;
}

static int load_policy_node(const ConfNode *node)
{
    StreamPolicy pol;
    if (strcmp(node->name, "default") == 0) {
        if (node->value == NULL || !stream_policy_by_name(node->value, &pol)) {
            VG_ERROR("%s:%d: host-os-policy.default: unknown policy '%s'", node->file, node->line,
                     node->value ? node->value : "");
            return VG_EINVAL;
        }
        g_default_policy = pol;
        return 0;
    }
    if (!stream_policy_by_name(node->name, &pol)) {
        VG_ERROR("%s:%d: host-os-policy: unknown policy '%s'", node->file, node->line,
                 node->name);
        return VG_EINVAL;
    }
    if (node->type == CONF_SCALAR) {
        return node->value == NULL ? 0 : add_net(node, pol);
    }
    for (const ConfNode *it = node->first_child; it != NULL; it = it->next) {
        int rc = add_net(it, pol);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int stream_policy_load(const struct Conf *conf)
{
    stream_policy_free();
    const ConfNode *root = conf ? conf_get_node(conf, NULL, "host-os-policy") : NULL;
    if (root == NULL || root->type != CONF_MAP) {
        return 0;
    }
    for (const ConfNode *c = root->first_child; c != NULL; c = c->next) {
        int rc = load_policy_node(c);
        if (rc != 0) {
            stream_policy_free();
            return rc;
        }
    }
    return 0;
}

void stream_policy_free(void)
{
    free(g_nets);
    g_nets = NULL;
    g_n_nets = 0;
    g_default_policy = STREAM_POLICY_BSD;
}

static bool net_contains(const PolicyNet *n, const VgAddr *addr)
{
    if (n->addr.family != addr->family) {
        return false;
    }
    VgAddr a = *addr;
    mask_addr(&a, n->prefix_len);
    int bytes = a.family == 4 ? 4 : 16;
    return memcmp(a.a.u8, n->addr.a.u8, (size_t)bytes) == 0;
}

StreamPolicy stream_policy_for(const VgAddr *addr)
{
    int best = -1;
    for (size_t i = 0; i < g_n_nets; i++) {
        if (net_contains(&g_nets[i], addr) && (int)g_nets[i].prefix_len > best) {
            best = g_nets[i].prefix_len;
            if (best == (addr->family == 4 ? 32 : 128)) {
                return (StreamPolicy)g_nets[i].policy;
            }
        }
    }
    if (best < 0) {
        return g_default_policy;
    }
    for (size_t i = 0; i < g_n_nets; i++) {
        if (g_nets[i].prefix_len == best && net_contains(&g_nets[i], addr)) {
            return (StreamPolicy)g_nets[i].policy;
        }
    }
    return g_default_policy;
}
