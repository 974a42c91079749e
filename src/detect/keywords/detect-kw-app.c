/* App-layer keywords on the flow and its transactions:
 *
 * app-layer-protocol:[!]name[|name...][,mode]: the protocol the app layer detected,
 *   one of the names (negated: none of them; up to ALP_NAMES_MAX names). Outside
 *   firewall rules, "http" is either HTTP version, dns and http2 also name DNS over
 *   HTTP/2 flows and doh2 names DNS and HTTP/2 flows too (Suricata's equivalences).
 *   mode: direction (default: the packet's direction; a direction that has sent no
 *   data yet is 'unknown'), to_server, to_client,
 *   either, final (the flow's protocol), original (before a change). Also
 *   "failed" (detection gave up) and "unknown". Names of protocols Suricata
 *   has but Vigil does not parse are accepted: such a flow is never that
 *   protocol. A rule with no payload and this keyword matches on the packet
 *   of a direction on which that direction's detection is first seen ended
 *   (SIG_F_PD_ONLY), once per direction.
 *
 * app-layer-event:proto.name: an event the parser raised on the transaction
 *   (tx keyword); applayer.name / applayer_name: flow-level events of the
 *   framework, matched on the packet that raised them. */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "flow/flow-types.h"
#include "util/util-error.h"

enum { ALP_DIRECTION = 0, ALP_TOSERVER, ALP_TOCLIENT, ALP_EITHER, ALP_FINAL, ALP_ORIGINAL };

#define ALP_NAMES_MAX 8

enum { ALP_NAME_UNPARSED = 1, ALP_NAME_ANY_HTTP = 2 };

typedef struct DetectAlProto {
    AppProto proto[ALP_NAMES_MAX];     // 0 with ALP_NAME_UNPARSED: a protocol we can't detect
    uint8_t flags[ALP_NAMES_MAX];      // ALP_NAME_*
    uint8_t n;
    bool is_negated;
    bool is_exact;                     // a firewall rule: no equivalences
    uint8_t mode;
    uint8_t pad;
} DetectAlProto;

/* Whether name i stands for flow protocol v. Outside firewall rules the
 * equivalences Suricata keeps for its older rules apply: "http" is either
 * HTTP version, dns and http2 also name DNS-over-HTTP/2 flows, and doh2 also
 * names DNS and HTTP/2 flows. */
static bool name_is(const DetectAlProto *a, uint8_t i, AppProto v)
{
    AppProto p = a->proto[i];
    if (a->flags[i] & ALP_NAME_UNPARSED) {
        return false;
    }
    if (p == v) {
        return true;
    }
    if (a->is_exact) {
        return false;
    }
    switch (p) {
    case APP_PROTO_HTTP1:
        return (a->flags[i] & ALP_NAME_ANY_HTTP) && v == APP_PROTO_HTTP2;
    case APP_PROTO_DNS:
    case APP_PROTO_HTTP2:
        return v == APP_PROTO_DOH2;
    case APP_PROTO_DOH2:
        return v == APP_PROTO_DNS || v == APP_PROTO_HTTP2;
    default:
        return false;
    }
}

static bool names(const DetectAlProto *a, AppProto v)
{
    for (uint8_t i = 0; i < a->n; i++) {
        if (name_is(a, i, v)) {
            return true;
        }
    }
    return false;
}

static bool proto_is(const DetectAlProto *a, AppProto v)
{
    if (v == APP_PROTO_UNKNOWN && !names(a, APP_PROTO_UNKNOWN)) {
        return false;  // undecided: neither the protocols nor their negation
    }
    if (v == APP_PROTO_FAILED && a->is_negated && !names(a, APP_PROTO_FAILED)) {
        return false;  // nothing known about it: "!x" can't be claimed either
    }
    bool eq = names(a, v);
    return a->is_negated ? !eq : eq;
}

/* A direction's protocol; an HTTP/2 side of a flow that turned out to carry DNS
 * (doh2) is doh2 too, as the flow is. */
static AppProto dir_proto(const Flow *f, uint8_t dir)
{
    AppProto v = app_layer_flow_proto_dir(f, dir);
    if (v == APP_PROTO_HTTP2 && app_layer_flow_proto(f) == APP_PROTO_DOH2) {
        return APP_PROTO_DOH2;
    }
    return v;
}

static bool match_alproto(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    const DetectAlProto *a = ctx;
    const Flow *f = p->flow;
    if (f == NULL) {
        return false;
    }
    uint8_t pdir = (p->flags & PKT_F_TOCLIENT) ? APP_DIR_TOCLIENT : APP_DIR_TOSERVER;
    switch (a->mode) {
    case ALP_TOSERVER:
        return proto_is(a, dir_proto(f, APP_DIR_TOSERVER));
    case ALP_TOCLIENT:
        return proto_is(a, dir_proto(f, APP_DIR_TOCLIENT));
    case ALP_EITHER:
        return proto_is(a, dir_proto(f, APP_DIR_TOSERVER)) ||
               proto_is(a, dir_proto(f, APP_DIR_TOCLIENT));
    case ALP_FINAL:
        return proto_is(a, app_layer_flow_proto(f));
    case ALP_ORIGINAL: {
        AppProto o = app_layer_flow_proto_orig(f);
        return proto_is(a, o != APP_PROTO_UNKNOWN ? o : app_layer_flow_proto(f));
    }
    default: {
        /* a side that sent nothing yet has no protocol (Suricata: the server's ACKs
         * before its first data are 'unknown'); one that did takes the flow's when its
         * own detection did not decide. A PD-only rule looks at the protocol just
         * detected, whichever packet carries it. */
        AppProto v = dir_proto(f, pdir);
        if (v == APP_PROTO_UNKNOWN &&
            ((s->flags & SIG_F_PD_ONLY) || app_layer_flow_dir_seen(f, pdir))) {
            v = app_layer_flow_proto(f);
        }
        return proto_is(a, v);
    }
    }
}

static int parse_mode(DetectParser *dp, const char *m, uint8_t *out)
{
    static const struct {
        const char *name;
        uint8_t mode;
    } modes[] = { { "direction", ALP_DIRECTION }, { "to_server", ALP_TOSERVER },
                  { "to_client", ALP_TOCLIENT },  { "either", ALP_EITHER },
                  { "final", ALP_FINAL },         { "original", ALP_ORIGINAL } };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(m, modes[i].name) == 0) {
            *out = modes[i].mode;
            return 0;
        }
    }
    return detect_err(dp, "bad app-layer-protocol mode '%s'", m);
}

static int setup_alproto(DetectParser *dp, const char *arg)
{
    DetectKwTokens tk;
    if (detect_kw_split(dp, arg, &tk, 2, false) != 0) {
        return VG_EINVAL;
    }
    DetectAlProto a = { .is_exact = dp->is_firewall };
    const char *name = tk.t[0];
    if (*name == '!') {
        a.is_negated = true;
        name++;
        while (*name == ' ') {
            name++;
        }
    }
    if (tk.n == 2 && parse_mode(dp, tk.t[1], &a.mode) != 0) {
        return VG_EINVAL;
    }
    char list[256];
    if (strlen(name) >= sizeof(list)) {
        return detect_err(dp, "app-layer-protocol list too long");
    }
    strcpy(list, name);
    char *bar;
    for (char *one = list; one != NULL; one = bar) {
        bar = strchr(one, '|');
        if (bar != NULL) {
            *bar++ = '\0';
        }
        while (*one == ' ') {
            one++;
        }
        for (size_t l = strlen(one); l > 0 && one[l - 1] == ' '; l--) {
            one[l - 1] = '\0';
        }
        if (*one == '\0') {
            return detect_err(dp, "app-layer-protocol: empty protocol name in '%s'", name);
        }
        if (a.n == ALP_NAMES_MAX) {
            return detect_err(dp, "app-layer-protocol: more than %d protocols", ALP_NAMES_MAX);
        }
        uint8_t i = a.n++;
        if (strcmp(one, "failed") == 0) {
            a.proto[i] = APP_PROTO_FAILED;
        } else if (strcmp(one, "unknown") == 0) {
            a.proto[i] = APP_PROTO_UNKNOWN;
        } else {
            a.proto[i] = app_proto_by_name(one);
            if (a.proto[i] == APP_PROTO_UNKNOWN) {
                if (!app_proto_is_known_name(one)) {
                    return detect_err(dp, "unknown app-layer protocol '%s'", one);
                }
                a.flags[i] |= ALP_NAME_UNPARSED;
            } else if (strcmp(one, "http") == 0) {
                a.flags[i] |= ALP_NAME_ANY_HTTP;     // "http1" is HTTP/1 only
            }
        }
    }
    DetectAlProto *ctx = malloc(sizeof(*ctx));
    if (ctx == NULL) {
        return detect_err(dp, "out of memory");
    }
    *ctx = a;
    return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_app_layer_protocol, ctx, 0);
}

const DetectKeyword detect_kw_app_layer_protocol = {
    .name = "app-layer-protocol",
    .desc = "detected app-layer protocol ([!]name[|name...][,direction|to_server|to_client|"
            "either|final|original])",
    .setup = setup_alproto, .match = match_alproto, .free = free,
};

/* ---- app-layer-event ---------------------------------------------------- */

static bool match_flow_event(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)s;
    const Flow *f = p->flow;
    if (f == NULL) {
        return false;
    }
    int id = *(const int *)ctx;
    const AppEventId *ids = NULL;
    uint32_t n = app_layer_flow_events(f, &ids);
    for (uint32_t i = dt->flow_events_from; ids != NULL && i < n; i++) {
        if (ids[i] == id) {
            return true;
        }
    }
    return false;
}

static bool match_tx_event(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                           const void *ctx)
{
    (void)dt;
    (void)f;
    return app_layer_tx_event_in_dir(tx, *(const int *)ctx, dir);
}

static const DetectKeyword detect_kw_app_layer_event_tx;

static int setup_app_event(DetectParser *dp, const char *arg)
{
    char name[128];
    size_t n = strlen(arg);
    if (n == 0 || n >= sizeof(name)) {
        return detect_err(dp, "bad app-layer-event '%s'", arg);
    }
    memcpy(name, arg, n + 1);
    bool is_flow = false;
    if (strncmp(name, "applayer_", 9) == 0) {
        name[8] = '.';
    }
    is_flow = strncmp(name, "applayer.", 9) == 0;
    const char *dot = strchr(name, '.');
    if (dot == NULL) {
        return detect_err(dp, "app-layer-event '%s' must be protocol.event", arg);
    }
    int id = app_layer_event_find(name);
    if (id < 0) {
        char proto[64];
        size_t pl = (size_t)(dot - name);
        if (pl < sizeof(proto)) {
            memcpy(proto, name, pl);
            proto[pl] = '\0';
            if (!is_flow && app_proto_by_name(proto) == APP_PROTO_UNKNOWN &&
                app_proto_is_known_name(proto)) {
                snprintf(dp->err, sizeof(dp->err), "unsupported protocol '%s' in app-layer-event",
                         proto);
                return VG_EUNSUPPORTED;
            }
        }
        return detect_err(dp, "unknown app-layer-event '%s'", arg);
    }
    int *ctx = malloc(sizeof(*ctx));
    if (ctx == NULL) {
        return detect_err(dp, "out of memory");
    }
    *ctx = id;
    if (is_flow) {
        return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_app_layer_event, ctx, 0);
    }
    char proto[64];
    size_t pl = (size_t)(dot - name) < sizeof(proto) ? (size_t)(dot - name) : sizeof(proto) - 1;
    memcpy(proto, name, pl);
    proto[pl] = '\0';
    AppProto p = app_proto_by_name(proto);
    if (dp->s->alproto != APP_PROTO_UNKNOWN && p != dp->s->alproto) {
        free(ctx);
        return detect_err(dp, "app-layer-event '%s' is not of the rule's protocol", arg);
    }
    dp->s->alproto = p;
    return detect_app_append(dp, false, &detect_kw_app_layer_event_tx, ctx);
}

const DetectKeyword detect_kw_app_layer_event = {
    .name = "app-layer-event", .desc = "app-layer event (proto.event or applayer.event)",
    .setup = setup_app_event, .match = match_flow_event, .free = free,
};

static const DetectKeyword detect_kw_app_layer_event_tx = {
    .name = "app-layer-event", .desc = "app-layer event raised on the transaction",
    .tx_match = match_tx_event, .free = free,
};
