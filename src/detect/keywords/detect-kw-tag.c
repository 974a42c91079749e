/* tag: mark the packets that follow a match (Suricata's tag keyword).
 *
 *   tag:session|host[,<count>,packets|bytes|seconds[,src|dst]]
 *
 * Defaults: 256 packets; host tags follow the destination address unless
 * src is given (a direction only with host, count and metric). Acts after
 * the rule matched (post list); the marking is done by detect-tag.c. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "runtime/runtime-order.h"
#include "util/util-error.h"

#define TAG_DEFAULT_COUNT 256

typedef struct TagCtx {
    bool host;
    bool src;                          // host tags: the source address, else destination
    DetectTagSpec spec;
} TagCtx;

static bool match_tag(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)s;
    const TagCtx *t = ctx;
    if (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6) {
        return true;
    }
    if (t->host) {
        const VgAddr *a = t->src ? &p->src : &p->dst;
        runtime_order_wait();  // host tags are shared by every flow: in packet order
        if (detect_tag_host_add(dt->de->tags, a, &t->spec, p->ts_sec) != 0) {
            counters_incr(dt->counters, dt->c_tag_refused);
        }
        return true;
    }
    DetectFlowState *fs = detect_flow_state(p, true, dt->de->n_flowbits, dt->de->n_flowints);
    detect_tag_session_add(detect_flow_tag(fs), &t->spec, p->ts_sec);
    return true;
}

static int parse_metric(DetectParser *dp, const char *m, uint8_t *out)
{
    static const char *const names[] = { "packets", "bytes", "seconds" };
    for (uint8_t i = 0; i < 3; i++) {
        if (strcmp(m, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    return detect_err(dp, "bad tag metric '%s' (packets|bytes|seconds)", m);
}

static int parse_tag(DetectParser *dp, const char *arg, TagCtx *t)
{
    DetectKwTokens tk;
    if (detect_kw_split(dp, arg, &tk, 4, false) != 0) {
        return VG_EINVAL;
    }
    *t = (TagCtx){ .spec = { .metric = DETECT_TAG_PACKETS, .count = TAG_DEFAULT_COUNT } };
    if (strcmp(tk.t[0], "host") == 0) {
        t->host = true;
    } else if (strcmp(tk.t[0], "session") != 0) {
        return detect_err(dp, "bad tag scope '%s' (session|host)", tk.t[0]);
    }
    if (tk.n == 2) {
        return detect_err(dp, "tag count without a metric");
    }
    int64_t v;
    if (tk.n >= 3) {
        if (!detect_parse_int(tk.t[1], 1, UINT32_MAX, &v)) {
            return detect_err(dp, "bad tag count '%s'", tk.t[1]);
        }
        t->spec.count = (uint32_t)v;
        if (parse_metric(dp, tk.t[2], &t->spec.metric) != 0) {
            return VG_EINVAL;
        }
    }
    if (tk.n == 4) {
        if (!t->host) {
            return detect_err(dp, "tag direction only with host");
        }
        if (strcmp(tk.t[3], "src") != 0 && strcmp(tk.t[3], "dst") != 0) {
            return detect_err(dp, "bad tag direction '%s' (src|dst)", tk.t[3]);
        }
        t->src = strcmp(tk.t[3], "src") == 0;
    }
    return 0;
}

static int setup_tag(DetectParser *dp, const char *arg)
{
    TagCtx t;
    if (arg == NULL || parse_tag(dp, arg, &t) != 0) {
        return dp->err[0] ? VG_EINVAL : detect_err(dp, "bad tag '%s'", arg ? arg : "");
    }
    TagCtx *c = malloc(sizeof(*c));
    if (c == NULL) {
        return detect_err(dp, "out of memory");
    }
    *c = t;
    dp->de->has_tags = true;
    dp->de->has_host_tags |= c->host;
    dp->de->shares_state |= c->host;
    return detect_append(dp, DETECT_LIST_POST, &detect_kw_tag, c, 0);
}

const DetectKeyword detect_kw_tag = {
    .name = "tag", .desc = "tag following packets: session|host[,count,metric[,src|dst]]",
    .setup = setup_tag, .match = match_tag, .free = free,
};
