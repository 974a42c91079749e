/* DHCP keywords (integer forms as dsize: N, <N, >N, N-M, !N...):
 *
 * dhcp.leasetime:N        the IP address lease time (option 51) of the message.
 * dhcp.rebinding_time:N   the rebinding time T2 (option 59).
 * dhcp.renewal_time:N     the renewal time T1 (option 58).
 *
 * A message without the option does not match. */
#include <stdlib.h>

#include "app-layer/app-layer.h"
#include "app-layer/dhcp/app-layer-dhcp.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

typedef struct DetectDhcp {
    uint32_t has;                // DHCP_HAS_* of the option compared
    DetectUint u;
} DetectDhcp;

static bool match_dhcp(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                       const void *ctx)
{
    (void)dt;
    (void)f;
    (void)dir;
    const DetectDhcp *d = ctx;
    const DhcpTx *t = dhcp_tx(tx);
    if (t == NULL || !(t->m.has & d->has)) {
        return false;
    }
    uint32_t v = d->has == DHCP_HAS_LEASE     ? t->m.lease_time
                 : d->has == DHCP_HAS_RENEWAL ? t->m.renewal_time
                                              : t->m.rebinding_time;
    return detect_uint_match(&d->u, v);
}

static const DetectKeyword kw_dhcp_tx = {
    .name = "dhcp-tx", .desc = "DHCP message time option", .tx_match = match_dhcp,
    .free = free, .flags = DETECT_KW_TX_PER_DIR,   // each message is its own direction's
};

static int setup(DetectParser *dp, const char *arg, uint32_t has, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_DHCP) {
        return detect_err(dp, "%s needs protocol dhcp", kw);
    }
    DetectDhcp v = {.has = has};
    if (detect_uint_parse(dp, arg, UINT32_MAX, &v.u) != 0) {
        return VG_EINVAL;
    }
    dp->s->alproto = APP_PROTO_DHCP;
    DetectDhcp *d = malloc(sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    *d = v;
    return detect_app_append(dp, false, &kw_dhcp_tx, d);
}

static int setup_lease(DetectParser *dp, const char *arg)
{
    return setup(dp, arg, DHCP_HAS_LEASE, "dhcp.leasetime");
}

static int setup_rebinding(DetectParser *dp, const char *arg)
{
    return setup(dp, arg, DHCP_HAS_REBINDING, "dhcp.rebinding_time");
}

static int setup_renewal(DetectParser *dp, const char *arg)
{
    return setup(dp, arg, DHCP_HAS_RENEWAL, "dhcp.renewal_time");
}

const DetectKeyword detect_kw_dhcp_leasetime = {
    .name = "dhcp.leasetime", .desc = "DHCP lease time (option 51)",
    .setup = setup_lease, .free = free,
};
const DetectKeyword detect_kw_dhcp_rebinding_time = {
    .name = "dhcp.rebinding_time", .desc = "DHCP rebinding time (option 59)",
    .setup = setup_rebinding, .free = free,
};
const DetectKeyword detect_kw_dhcp_renewal_time = {
    .name = "dhcp.renewal_time", .desc = "DHCP renewal time (option 58)",
    .setup = setup_renewal, .free = free,
};
