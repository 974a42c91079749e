/* hostbits and xbits: named bits kept per host or host pair across flows, or
 * (xbits `track tx`) per app-layer transaction.
 *
 *   hostbits:<set|unset|toggle|isset|isnotset>,<name>[,<src|dst|both>[,expire <s>]]
 *   xbits:<set|unset|toggle|isset|isnotset>,<name>,track <ip_src|ip_dst|ip_pair|tx>
 *         [,expire <s>]
 *
 * Writers act after the rule matched (post list), readers are checks. A set
 * bit lives until now + expire (default 30 s, packet time). State is in
 * detect-hostbits.c; tx bits live with the tx (detect-tx.c) and end with it, so
 * expire does not apply to them. A tx bit is only seen while the rule is
 * evaluated on a tx (TD tx rules, firewall app hooks): elsewhere a reader does
 * not match and a writer does nothing. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "runtime/runtime-order.h"
#include "util/util-error.h"

#define HB_EXPIRE_DEFAULT 30
#define HB_TOKENS 4

enum { HB_SET = 0, HB_UNSET, HB_TOGGLE, HB_ISSET, HB_ISNOTSET };
enum { HB_SRC = 0, HB_DST, HB_BOTH, HB_PAIR, HB_TX };

typedef struct HostbitsCtx {
    uint8_t cmd;
    uint8_t track;
    uint32_t idx;
    uint32_t expire;
} HostbitsCtx;

static bool has_ip(const Packet *p)
{
    return p->l3 == PKT_L3_IPV4 || p->l3 == PKT_L3_IPV6;
}

/* Applies a writer to one host (b NULL) or a pair. */
static void write_bit(DetectHostbitTable *t, const HostbitsCtx *h, const VgAddr *a,
                      const VgAddr *b, int64_t now)
{
    bool on = h->cmd == HB_SET ||
              (h->cmd == HB_TOGGLE && !detect_hostbit_isset(t, h->idx, a, b, now));
    if (on) {
        detect_hostbit_set(t, h->idx, a, b, now + h->expire);
    } else {
        detect_hostbit_unset(t, h->idx, a, b);
    }
}

/* track tx: the bit of the tx being inspected (dt->cur_tx). */
static bool match_tx_bit(DetectThread *dt, const HostbitsCtx *h)
{
    if (dt->cur_tx == NULL) {
        return false;
    }
    if (h->cmd <= HB_TOGGLE) {
        bool on = h->cmd == HB_SET ||
                  (h->cmd == HB_TOGGLE && !detect_tx_xbit_isset(dt->de, dt->cur_tx, h->idx));
        (void)detect_tx_xbit_set(dt->de, dt->cur_tx, h->idx, on);  // no memory: bit stays unset
        return true;
    }
    return detect_tx_xbit_isset(dt->de, dt->cur_tx, h->idx) == (h->cmd == HB_ISSET);
}

static bool match_hostbits(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)s;
    const HostbitsCtx *h = ctx;
    DetectHostbitTable *t = dt->de->hostbits;
    int64_t now = p->ts_sec;
    if (h->track == HB_TX) {
        return match_tx_bit(dt, h);
    }
    if (!has_ip(p)) {
        return false;
    }
    runtime_order_wait();  // state of other flows: in packet order
    if (h->cmd <= HB_TOGGLE) {
        if (h->track == HB_PAIR) {
            write_bit(t, h, &p->src, &p->dst, now);
        }
        if (h->track == HB_SRC || h->track == HB_BOTH) {
            write_bit(t, h, &p->src, NULL, now);
        }
        if (h->track == HB_DST || h->track == HB_BOTH) {
            write_bit(t, h, &p->dst, NULL, now);
        }
        return true;
    }
    bool want = h->cmd == HB_ISSET;
    if (h->track == HB_PAIR) {
        return detect_hostbit_isset(t, h->idx, &p->src, &p->dst, now) == want;
    }
    bool src_ok = h->track == HB_DST || detect_hostbit_isset(t, h->idx, &p->src, NULL, now) == want;
    bool dst_ok = h->track == HB_SRC || detect_hostbit_isset(t, h->idx, &p->dst, NULL, now) == want;
    return src_ok && dst_ok;
}

static int parse_cmd(DetectParser *dp, const char *t, uint8_t *out)
{
    static const char *const cmds[] = { "set", "unset", "toggle", "isset", "isnotset" };
    for (uint8_t i = 0; i < 5; i++) {
        if (strcmp(t, cmds[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    return detect_err(dp, "bad command '%s' (set|unset|toggle|isset|isnotset)", t);
}

/* "expire N" or (hostbits) a bare N. */
static int parse_expire(DetectParser *dp, const char *t, bool bare_ok, uint32_t *out)
{
    int64_t v;
    if (strncmp(t, "expire", 6) == 0 && detect_parse_int(t + 6, 1, UINT32_MAX, &v)) {
        *out = (uint32_t)v;
        return 0;
    }
    if (bare_ok && detect_parse_int(t, 1, UINT32_MAX, &v)) {
        *out = (uint32_t)v;
        return 0;
    }
    return detect_err(dp, "bad expire '%s'", t);
}

static int parse_track(DetectParser *dp, const char *t, bool xbits, uint8_t *out)
{
    static const char *const hb[] = { "src", "dst", "both" };
    static const char *const xb[] = { "track ip_src", "track ip_dst", "", "track ip_pair",
                                      "track tx" };
    for (uint8_t i = 0; i < (xbits ? 5 : 3); i++) {
        const char *name = xbits ? xb[i] : hb[i];
        if (name[0] != '\0' && strcmp(t, name) == 0) {
            *out = i;
            return 0;
        }
    }
    return detect_err(dp, "bad track '%s'", t);
}

static int setup_bits(DetectParser *dp, const char *arg, bool xbits, const DetectKeyword *kw)
{
    if (strcmp(arg, "noalert") == 0) {
        dp->s->flags |= SIG_F_NOALERT;
        return 0;
    }
    DetectKwTokens tk;
    HostbitsCtx h = { .track = HB_SRC, .expire = HB_EXPIRE_DEFAULT };
    if (detect_kw_split(dp, arg, &tk, HB_TOKENS, false) != 0 || (tk.n < (xbits ? 3 : 2)) ||
        parse_cmd(dp, tk.t[0], &h.cmd) != 0) {
        return dp->err[0] ? VG_EINVAL : detect_err(dp, "bad %s '%s'", kw->name, arg);
    }
    if ((tk.n > 2 && parse_track(dp, tk.t[2], xbits, &h.track) != 0) ||
        (tk.n > 3 && parse_expire(dp, tk.t[3], !xbits, &h.expire) != 0)) {
        return VG_EINVAL;
    }
    int idx = detect_hostbit_name(dp->de->hostbits, tk.t[1]);
    if (idx < 0) {
        return detect_err(dp, "out of memory");
    }
    h.idx = (uint32_t)idx;
    HostbitsCtx *c = malloc(sizeof(*c));
    if (c == NULL) {
        return detect_err(dp, "out of memory");
    }
    *c = h;
    bool writes = h.cmd <= HB_TOGGLE;
    dp->de->shares_state |= h.track != HB_TX;   // tx bits stay in their flow
    dp->s->flags |= writes ? SIG_F_FLOWBITS_SET : SIG_F_FLOWBITS_READ;
    return detect_append(dp, writes ? DETECT_LIST_POST : DETECT_LIST_MATCH, kw, c, 0);
}

static int setup_hostbits(DetectParser *dp, const char *arg)
{
    return setup_bits(dp, arg, false, &detect_kw_hostbits);
}

static int setup_xbits(DetectParser *dp, const char *arg)
{
    return setup_bits(dp, arg, true, &detect_kw_xbits);
}

const DetectKeyword detect_kw_hostbits = {
    .name = "hostbits", .desc = "bits per host: cmd,name[,src|dst|both[,expire N]]",
    .setup = setup_hostbits, .match = match_hostbits, .free = free,
};
const DetectKeyword detect_kw_xbits = {
    .name = "xbits", .desc = "bits per host, pair or tx: cmd,name,track ip_src|ip_dst|ip_pair|tx",
    .setup = setup_xbits, .match = match_hostbits, .free = free,
};
