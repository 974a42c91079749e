/* flow: direction and state of the packet's flow.
 *
 * established means the flow was established as of this packet (p->flow_state).
 * only_stream matches inspections of reassembled stream data only, no_stream
 * packet inspections only (detect-stream.c also routes such rules). */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "flow/flow-types.h"
#include "util/util-error.h"

enum {
    FLOW_KW_ESTABLISHED = 1u << 0,
    FLOW_KW_NOT_ESTABLISHED = 1u << 1,
    FLOW_KW_STATELESS = 1u << 2,
    FLOW_KW_TOSERVER = 1u << 3,
    FLOW_KW_TOCLIENT = 1u << 4,
    FLOW_KW_ONLY_STREAM = 1u << 5,
    FLOW_KW_NO_STREAM = 1u << 6,
    FLOW_KW_ONLY_FRAG = 1u << 7,
    FLOW_KW_NO_FRAG = 1u << 8,
};

static const struct {
    const char *name;
    uint32_t flag;
} flow_opts[] = {
    { "established", FLOW_KW_ESTABLISHED }, { "not_established", FLOW_KW_NOT_ESTABLISHED },
    { "stateless", FLOW_KW_STATELESS },     { "to_server", FLOW_KW_TOSERVER },
    { "from_client", FLOW_KW_TOSERVER },    { "to_client", FLOW_KW_TOCLIENT },
    { "from_server", FLOW_KW_TOCLIENT },    { "only_stream", FLOW_KW_ONLY_STREAM },
    { "no_stream", FLOW_KW_NO_STREAM },     { "only_frag", FLOW_KW_ONLY_FRAG },
    { "no_frag", FLOW_KW_NO_FRAG },
};

static bool match_flow(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)s;
    uint32_t f = *(const uint32_t *)ctx;
    const Flow *flow = p->flow;
    if ((f & FLOW_KW_ONLY_STREAM) && !dt->stream_insp) {
        return false;
    }
    if ((f & FLOW_KW_NO_STREAM) && dt->stream_insp) {
        return false;
    }
    if ((f & FLOW_KW_ONLY_FRAG) && !(p->flags & PKT_F_IS_FRAGMENT)) {
        return false;
    }
    if ((f & FLOW_KW_NO_FRAG) && (p->flags & PKT_F_IS_FRAGMENT)) {
        return false;
    }
    if ((f & FLOW_KW_TOSERVER) && !(p->flags & PKT_F_TOSERVER)) {
        return false;
    }
    if ((f & FLOW_KW_TOCLIENT) && !(p->flags & PKT_F_TOCLIENT)) {
        return false;
    }
    if (f & (FLOW_KW_ESTABLISHED | FLOW_KW_NOT_ESTABLISHED)) {
        if (flow == NULL) {
            return false;
        }
        bool est = p->flow_state == FLOW_STATE_ESTABLISHED;
        return (f & FLOW_KW_ESTABLISHED) ? est : !est;
    }
    return true;
}

static int setup_flow(DetectParser *dp, const char *arg)
{
    uint32_t f = 0;
    const char *p = arg;
    while (*p != '\0') {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && p[len - 1] == ' ') {
            len--;
        }
        size_t i = 0;
        for (; i < sizeof(flow_opts) / sizeof(flow_opts[0]); i++) {
            if (strlen(flow_opts[i].name) == len && strncmp(p, flow_opts[i].name, len) == 0) {
                break;
            }
        }
        if (len == 0 || i == sizeof(flow_opts) / sizeof(flow_opts[0])) {
            return detect_err(dp, "unknown flow option '%.*s'", (int)len, p);
        }
        if (f & flow_opts[i].flag) {
            return detect_err(dp, "flow option '%.*s' given twice", (int)len, p);
        }
        f |= flow_opts[i].flag;
        p = end ? end + 1 : p + strlen(p);
    }
    uint32_t pairs[] = { FLOW_KW_TOSERVER | FLOW_KW_TOCLIENT,
                         FLOW_KW_ESTABLISHED | FLOW_KW_NOT_ESTABLISHED,
                         FLOW_KW_ONLY_STREAM | FLOW_KW_NO_STREAM,
                         FLOW_KW_ONLY_FRAG | FLOW_KW_NO_FRAG };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        if ((f & pairs[i]) == pairs[i]) {
            return detect_err(dp, "conflicting flow options in '%s'", arg);
        }
    }
    uint32_t *ctx = malloc(sizeof(*ctx));
    if (ctx == NULL) {
        return detect_err(dp, "out of memory");
    }
    *ctx = f;
    dp->s->flags |= (f & FLOW_KW_TOSERVER) ? SIG_F_TOSERVER : 0;
    dp->s->flags |= (f & FLOW_KW_TOCLIENT) ? SIG_F_TOCLIENT : 0;
    dp->s->flags |= (f & FLOW_KW_ONLY_STREAM) ? SIG_F_FLOW_ONLY_STREAM : 0;
    dp->s->flags |= (f & FLOW_KW_NO_STREAM) ? SIG_F_FLOW_NO_STREAM : 0;
    return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_flow, ctx, 0);
}

const DetectKeyword detect_kw_flow = {
    .name = "flow", .desc = "flow state and direction (established, to_server, ...)",
    .setup = setup_flow, .match = match_flow, .free = free,
};
