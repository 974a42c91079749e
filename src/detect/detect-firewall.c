/* Firewall mode (Suricata 8): a second rule table, loaded from its own files,
 * evaluated before the threat-detection (TD) rules, default drop.
 *
 * Rules: `ACTION:SCOPE[,SECONDARY...] PROTO:HOOK src sp dir dst dp (...)`.
 * Primary actions: accept (scopes packet, flow, tx, hook), drop and reject
 * (packet, flow). Secondary actions: alert, pass:flow / pass:packet (these
 * act on the TD rules only). The `alert` keyword also makes a rule alert.
 *
 * Tables, evaluated per packet in this order (detect_packet):
 *   packet:filter  rules with a packet hook (`tcp:all`, `udp:flow_start`...)
 *                  in file order; the first match decides; none: the packet
 *                  policy (default drop:packet).
 *   packet:td      the TD packet rules (detect-packet.c).
 *   app:filter     per app-layer protocol, direction and state (hook), for
 *                  each tx the parser updated in the packet's direction: the
 *                  hooks from the last one not yet passed up to the tx's
 *                  current state are evaluated in order, each needing an
 *                  accept; the hook of the current state is evaluated again
 *                  on the tx's next update (its state is still running),
 *                  hooks before it are done once accepted. None matching:
 *                  the hook's policy (default drop:flow).
 *   app:td         the TD tx rules (detect-tx.c).
 * accept:packet ends the firewall for the packet, accept:flow for the flow
 * (FLOW_F_FW_ACCEPT), accept:tx for the tx (in its direction only when the
 * protocol keeps one tx per direction), accept:hook moves to the next hook.
 * A firewall drop is immediate: later tables are not evaluated, and TD pass
 * rules do not undo it. A TD pass (pass:flow, or a secondary pass) skips the
 * TD tables only: the firewall still sees every packet of the flow.
 *
 * Hooks map onto the progress values the app-layer parsers give their txs
 * (AppTx.progress): every protocol has request/response _started (the tx
 * exists in that direction) and _complete; HTTP/1, TLS and SSH name their
 * intermediate states. `proto:<hook` also accepts the hooks before hook of
 * that direction (header match only).
 *
 * The rule table is read-only once built; per-tx progress lives in the tx's
 * detect state (detect-tx.c), per-flow acceptance in Flow.flags, both touched
 * with the flow lock held (detect runs under it). */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "conf/conf.h"
#include "detect/detect-internal.h"
#include "flow/flow-types.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define FW_PROG_COMPLETE 0xffu   // hook reached when the tx is complete in its direction
#define FW_HOOKS_MAX 8
#define FW_TX_ACCEPTED 0xffu     // detect_tx_fw_next value: the tx is accepted in a direction

typedef struct FwHook {
    const char *name;
    uint8_t progress;            // AppTx.progress from which the hook is reached
} FwHook;

typedef struct FwProtoHooks {
    AppProto proto;
    bool tx_per_dir;             // one tx per direction: accept:tx covers one direction
    FwHook hooks[2][FW_HOOKS_MAX];
    uint8_t n[2];
} FwProtoHooks;

/* HTTP/1: HTTP_PROG_* (line 1, headers 2, body 3, trailer 4, complete 5). */
static const FwProtoHooks fw_http1 = {
    .proto = APP_PROTO_HTTP1,
    .hooks = { { { "request_started", 0 }, { "request_line", 1 }, { "request_headers", 2 },
                 { "request_body", 3 }, { "request_trailer", 4 }, { "request_complete", 5 } },
               { { "response_started", 0 }, { "response_line", 1 }, { "response_headers", 2 },
                 { "response_body", 3 }, { "response_trailer", 4 },
                 { "response_complete", 5 } } },
    .n = { 6, 6 },
};

/* TLS: TLS_PROG_* (hello 1, certificate 2, handshake done 3). */
static const FwProtoHooks fw_tls = {
    .proto = APP_PROTO_TLS,
    .hooks = { { { "client_in_progress", 0 }, { "client_hello_done", 1 },
                 { "client_cert_done", 2 }, { "client_handshake_done", 3 },
                 { "client_finished", FW_PROG_COMPLETE } },
               { { "server_in_progress", 0 }, { "server_hello", 1 }, { "server_cert_done", 2 },
                 { "server_hello_done", 2 }, { "server_handshake_done", 3 },
                 { "server_finished", FW_PROG_COMPLETE } } },
    .n = { 5, 6 },
};

/* SSH: SSH_PROG_* (banner 1, kexinit 2, newkeys 3). */
static const FwProtoHooks fw_ssh = {
    .proto = APP_PROTO_SSH,
    .hooks = { { { "request_in_progress", 0 }, { "request_banner_wait_eol", 0 },
                 { "request_banner_done", 1 }, { "request_finished", FW_PROG_COMPLETE } },
               { { "response_in_progress", 0 }, { "response_banner_wait_eol", 0 },
                 { "response_banner_done", 1 }, { "response_finished", FW_PROG_COMPLETE } } },
    .n = { 4, 4 },
};

/* SMTP: SMTP_PROG_DATA toserver (the DATA/BDAT command), SMTP_PROG_TC_DATA toclient
 * (the server took it). Values from app-layer-smtp.h. */
static const FwProtoHooks fw_smtp = {
    .proto = APP_PROTO_SMTP,
    .hooks = { { { "request_started", 0 }, { "request_data", 1 },
                 { "request_complete", FW_PROG_COMPLETE } },
               { { "response_started", 0 }, { "response_data", 1 },
                 { "response_complete", FW_PROG_COMPLETE } } },
    .n = { 3, 3 },
};

/* Every other protocol: started and complete. */
static const FwProtoHooks fw_generic = {
    .hooks = { { { "request_started", 0 }, { "request_complete", FW_PROG_COMPLETE } },
               { { "response_started", 0 }, { "response_complete", FW_PROG_COMPLETE } } },
    .n = { 2, 2 },
};

static const FwProtoHooks *hooks_of(AppProto p)
{
    switch (p) {
    case APP_PROTO_HTTP1:
        return &fw_http1;
    case APP_PROTO_TLS:
        return &fw_tls;
    case APP_PROTO_SSH:
        return &fw_ssh;
    case APP_PROTO_SMTP:
        return &fw_smtp;
    default:
        return &fw_generic;
    }
}

static bool proto_tx_per_dir(AppProto p)
{
    return p == APP_PROTO_DNS;
}

/* The hook index of name in direction *dir (either when *dir > 1); the generic
 * names alias the first and last hooks. -1 if unknown. */
static int hook_find(const FwProtoHooks *h, const char *name, uint8_t *dir)
{
    for (uint8_t d = 0; d < 2; d++) {
        for (uint8_t i = 0; i < h->n[d]; i++) {
            if (strcmp(h->hooks[d][i].name, name) == 0) {
                *dir = d;
                return i;
            }
        }
    }
    static const char *const generic[2][2] = { { "request_started", "request_complete" },
                                               { "response_started", "response_complete" } };
    for (uint8_t d = 0; d < 2; d++) {
        if (strcmp(name, generic[d][0]) == 0 || strcmp(name, generic[d][1]) == 0) {
            *dir = d;
            return strcmp(name, generic[d][0]) == 0 ? 0 : h->n[d] - 1;
        }
    }
    return -1;
}

/* ---- engine state --------------------------------------------------------- */

typedef struct FwPolicy {
    uint8_t action;              // DETECT_FW_*; 0: not set
    uint8_t scope;
    bool alert;                  // "alert" in its action list: applying it logs an alert
} FwPolicy;

/* The built-in signatures a default policy with "alert" logs under, in
 * Suricata's firewall range (2201000-2201999): the packet policy (packet:filter)
 * and the app-layer policies (every hook's). */
enum { FW_POLICY_SIG_PACKET = 0, FW_POLICY_SIG_APP = 1, FW_POLICY_SIGS = 2 };
#define FW_POLICY_SID_BASE 2201000u

typedef struct DetectFw {
    bool loading;                // rules being parsed are firewall rules
    Signature **sigs;            // file order
    uint32_t n_sigs;
    uint32_t cap_sigs;
    FwPolicy packet_policy;      // packet:filter
    FwPolicy app_default;        // app.default-policy (or policies.default-policy)
    FwPolicy proto_default[APP_PROTO_MAX_BUILTIN];
    FwPolicy hook_policy[APP_PROTO_MAX_BUILTIN][2][FW_HOOKS_MAX];
    Signature policy_sig[FW_POLICY_SIGS][2];   // [kind][accepting, dropping]
} DetectFw;

bool detect_engine_has_firewall(const DetectEngine *de)
{
    return de != NULL && de->fw != NULL;
}

bool detect_fw_loading(const DetectEngine *de)
{
    return de != NULL && de->fw != NULL && de->fw->loading;
}

void detect_fw_free(DetectEngine *de)
{
    DetectFw *fw = de->fw;
    if (fw == NULL) {
        return;
    }
    for (uint32_t i = 0; i < fw->n_sigs; i++) {
        detect_sig_free(fw->sigs[i]);
    }
    free(fw->sigs);
    free(fw);
    de->fw = NULL;
}

int detect_fw_add_sig(DetectEngine *de, Signature *s)
{
    DetectFw *fw = de->fw;
    if (fw == NULL) {
        detect_sig_free(s);
        return VG_EINVAL;
    }
    if (fw->n_sigs == fw->cap_sigs) {
        uint32_t cap = fw->cap_sigs ? fw->cap_sigs * 2 : 32;
        Signature **n = realloc(fw->sigs, cap * sizeof(*n));
        if (n == NULL) {
            detect_sig_free(s);
            return VG_ENOMEM;
        }
        fw->sigs = n;
        fw->cap_sigs = cap;
    }
    s->num = 0;   // firewall alerts are never discarded by a TD pass (resolve_actions)
    s->load_idx = fw->n_sigs;
    fw->sigs[fw->n_sigs++] = s;
    de->loaded++;
    return 0;
}

/* ---- parsing ---------------------------------------------------------------- */

static DetectFwSig *fw_of(DetectParser *dp)
{
    if (dp->s->fw == NULL) {
        dp->s->fw = calloc(1, sizeof(DetectFwSig));
    }
    return dp->s->fw;
}

/* "accept:hook" -> action, scope; false when it is not a primary action. */
static bool parse_primary(const char *a, size_t len, uint8_t *action, uint8_t *scope)
{
    static const struct {
        const char *name;
        uint8_t action;
        uint8_t scope;
    } table[] = {
        { "accept:packet", DETECT_FW_ACCEPT, DETECT_FW_SCOPE_PACKET },
        { "accept:flow", DETECT_FW_ACCEPT, DETECT_FW_SCOPE_FLOW },
        { "accept:tx", DETECT_FW_ACCEPT, DETECT_FW_SCOPE_TX },
        { "accept:hook", DETECT_FW_ACCEPT, DETECT_FW_SCOPE_HOOK },
        { "drop:packet", DETECT_FW_DROP, DETECT_FW_SCOPE_PACKET },
        { "drop:flow", DETECT_FW_DROP, DETECT_FW_SCOPE_FLOW },
        { "reject:packet", DETECT_FW_REJECT, DETECT_FW_SCOPE_PACKET },
        { "reject:flow", DETECT_FW_REJECT, DETECT_FW_SCOPE_FLOW },
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strlen(table[i].name) == len && strncmp(a, table[i].name, len) == 0) {
            *action = table[i].action;
            *scope = table[i].scope;
            return true;
        }
    }
    return false;
}

int detect_fw_parse_action(DetectParser *dp, const char *tok)
{
    DetectFwSig *fs = fw_of(dp);
    if (fs == NULL) {
        return detect_err(dp, "out of memory");
    }
    const char *comma = strchr(tok, ',');
    size_t len = comma ? (size_t)(comma - tok) : strlen(tok);
    if (!parse_primary(tok, len, &fs->action, &fs->scope)) {
        return detect_err(dp, "firewall rule: bad primary action '%.*s' (accept:packet|flow|"
                              "tx|hook, drop:packet|flow, reject:packet|flow)", (int)len, tok);
    }
    dp->s->action = fs->action == DETECT_FW_ACCEPT ? DETECT_ACTION_ALERT
                    : fs->action == DETECT_FW_DROP ? DETECT_ACTION_DROP
                                                   : DETECT_ACTION_REJECT;
    while (comma != NULL) {
        const char *a = comma + 1;
        comma = strchr(a, ',');
        len = comma ? (size_t)(comma - a) : strlen(a);
        if (len == 5 && strncmp(a, "alert", 5) == 0) {
            dp->s->flags |= SIG_F_PASS_ALERT;
        } else if (len == 9 && strncmp(a, "pass:flow", 9) == 0) {
            fs->td_pass_flow = true;
        } else if (len == 11 && strncmp(a, "pass:packet", 11) == 0) {
            fs->td_pass_packet = true;
        } else {
            return detect_err(dp, "firewall rule: bad secondary action '%.*s' (alert, "
                                  "pass:flow, pass:packet)", (int)len, a);
        }
    }
    return 0;
}

int detect_fw_parse_proto(DetectParser *dp, const char *tok, char *proto, size_t cap)
{
    DetectFwSig *fs = fw_of(dp);
    const char *colon = strchr(tok, ':');
    if (fs == NULL || colon == NULL) {
        return detect_err(dp, "firewall rule: protocol '%.64s' needs a hook (proto:hook)", tok);
    }
    size_t plen = (size_t)(colon - tok);
    if (plen == 0 || plen >= cap) {
        return detect_err(dp, "firewall rule: bad protocol in '%.64s'", tok);
    }
    memcpy(proto, tok, plen);
    proto[plen] = '\0';
    const char *hook = colon + 1;
    if (strchr(hook, ':') != NULL) {
        snprintf(dp->err, sizeof(dp->err), "unsupported firewall hook '%.64s' (sub states)",
                 tok);
        return VG_EUNSUPPORTED;
    }
    if (hook[0] == '<') {
        fs->accepts_prior = true;
        hook++;
    }
    AppProto ap = app_proto_by_name(proto);
    if (ap == APP_PROTO_UNKNOWN) {
        if (fs->accepts_prior) {
            return detect_err(dp, "firewall rule: '<' is for app-layer hooks ('%.64s')", tok);
        }
        if (strcmp(hook, "all") == 0) {
            fs->hook_kind = DETECT_FW_HOOK_ALL;
        } else if (strcmp(hook, "flow_start") == 0) {
            fs->hook_kind = DETECT_FW_HOOK_FLOW_START;
        } else if (strcmp(hook, "pre_flow") == 0 || strcmp(hook, "pre_stream") == 0) {
            snprintf(dp->err, sizeof(dp->err), "unsupported firewall hook '%.64s'", tok);
            return VG_EUNSUPPORTED;
        } else {
            return detect_err(dp, "firewall rule: unknown packet hook '%.64s' (all, "
                                  "flow_start)", hook);
        }
        if (fs->scope == DETECT_FW_SCOPE_TX) {
            return detect_err(dp, "firewall rule: accept:tx needs an app-layer hook");
        }
        return 0;
    }
    int idx = hook_find(hooks_of(ap), hook, &fs->dir);
    if (idx < 0) {
        return detect_err(dp, "firewall rule: protocol %s has no hook '%.64s'", proto, hook);
    }
    fs->hook_kind = DETECT_FW_HOOK_APP;
    fs->hook = (uint8_t)idx;
    fs->hook_proto = ap;
    return 0;
}

int detect_fw_finish(DetectParser *dp)
{
    Signature *s = dp->s;
    if (s->fw == NULL) {
        return detect_err(dp, "firewall rule without firewall action");
    }
    /* app-layer-protocol in a firewall rule is checked on every packet of its hook,
     * not only on the one that ended protocol detection */
    s->flags &= ~(uint32_t)SIG_F_PD_ONLY;
    if ((s->flags & SIG_F_APP_TX) && s->fw->hook_kind != DETECT_FW_HOOK_APP) {
        return detect_err(dp, "firewall rule: app-layer keywords need an app-layer hook");
    }
    return 0;
}

/* ---- policies ----------------------------------------------------------------- */

/* A policy list (["accept:hook"], ["drop:flow", "alert"]) or scalar. */
static int policy_parse(const ConfNode *n, FwPolicy *out, bool is_packet)
{
    const ConfNode *items = n->type == CONF_SCALAR ? n : n->first_child;
    bool single = n->type == CONF_SCALAR;
    bool found = false;
    out->alert = false;    // a later policy for the same place replaces an earlier one whole
    for (const ConfNode *c = items; c != NULL; c = single ? NULL : c->next) {
        const char *v = c->value;
        if (v == NULL) {
            continue;
        }
        uint8_t action;
        uint8_t scope;
        if (parse_primary(v, strlen(v), &action, &scope)) {
            if (is_packet && scope == DETECT_FW_SCOPE_TX) {
                VG_ERROR("%s:%d: firewall.policies: %s is not a packet policy", c->file,
                         c->line, v);
                return VG_EINVAL;
            }
            out->action = action;
            out->scope = scope;
            found = true;
        } else if (strcmp(v, "alert") == 0) {
            out->alert = true;
        } else if (strncmp(v, "pass:", 5) != 0) {
            VG_ERROR("%s:%d: firewall.policies: unknown action '%s'", c->file, c->line, v);
            return VG_EINVAL;
        }
    }
    if (!found) {
        VG_ERROR("%s:%d: firewall.policies.%s: no primary action (accept/drop/reject)",
                 n->file, n->line, n->name);
        return VG_EINVAL;
    }
    return 0;
}

/* "request-line" -> "request_line" */
static void undash(const char *in, char *out, size_t cap)
{
    size_t i = 0;
    for (; in[i] != '\0' && i + 1 < cap; i++) {
        out[i] = in[i] == '-' ? '_' : in[i];
    }
    out[i] = '\0';
}

static int app_policies(DetectFw *fw, const ConfNode *app)
{
    for (const ConfNode *pn = app->first_child; pn != NULL; pn = pn->next) {
        if (strcmp(pn->name, "default-policy") == 0) {
            if (policy_parse(pn, &fw->app_default, false) != 0) {
                return VG_EINVAL;
            }
            continue;
        }
        AppProto ap = app_proto_by_name(pn->name);
        if (ap == APP_PROTO_UNKNOWN || ap >= APP_PROTO_MAX_BUILTIN) {
            VG_WARN("%s:%d: firewall.policies.app.%s: no parser of that name, ignored",
                    pn->file, pn->line, pn->name);
            continue;
        }
        const FwProtoHooks *h = hooks_of(ap);
        for (const ConfNode *hn = pn->first_child; hn != NULL; hn = hn->next) {
            if (strcmp(hn->name, "default-policy") == 0) {
                if (policy_parse(hn, &fw->proto_default[ap], false) != 0) {
                    return VG_EINVAL;
                }
                continue;
            }
            if (hn->type == CONF_MAP) {
                VG_WARN("%s:%d: firewall.policies.app.%s.%s: sub states are not supported, "
                        "ignored", hn->file, hn->line, pn->name, hn->name);
                continue;
            }
            char name[64];
            undash(hn->name, name, sizeof(name));
            uint8_t dir = 0;
            int idx = hook_find(h, name, &dir);
            if (idx < 0) {
                VG_ERROR("%s:%d: firewall.policies.app.%s: unknown hook '%s'", hn->file,
                         hn->line, pn->name, hn->name);
                return VG_EINVAL;
            }
            if (policy_parse(hn, &fw->hook_policy[ap][dir][idx], false) != 0) {
                return VG_EINVAL;
            }
        }
    }
    return 0;
}

static int load_policies(DetectFw *fw, const Conf *conf)
{
    fw->packet_policy = (FwPolicy){ .action = DETECT_FW_DROP, .scope = DETECT_FW_SCOPE_PACKET };
    fw->app_default = (FwPolicy){ .action = DETECT_FW_DROP, .scope = DETECT_FW_SCOPE_FLOW };
    const ConfNode *pol = conf != NULL ? conf_get_node(conf, NULL, "firewall.policies") : NULL;
    if (pol == NULL) {
        return 0;
    }
    const ConfNode *n = conf_node_child(pol, "default-policy");
    if (n != NULL) {
        FwPolicy all = { .action = 0 };
        if (policy_parse(n, &all, false) != 0) {
            return VG_EINVAL;
        }
        fw->app_default = all;
        if (all.scope != DETECT_FW_SCOPE_TX) {
            fw->packet_policy = all;
        }
    }
    const ConfNode *pkt = conf_node_child(pol, "packet");
    if (pkt != NULL) {
        const ConfNode *d = conf_node_child(pkt, "default-policy");
        const ConfNode *f = conf_node_child(pkt, "filter");
        if ((d != NULL && policy_parse(d, &fw->packet_policy, true) != 0) ||
            (f != NULL && policy_parse(f, &fw->packet_policy, true) != 0)) {
            return VG_EINVAL;
        }
    }
    const ConfNode *app = conf_node_child(pol, "app");
    return app != NULL ? app_policies(fw, app) : 0;
}

bool detect_fw_enabled_by_conf(const Conf *conf)
{
    const ConfNode *n = conf != NULL ? conf_get_node(conf, NULL, "firewall") : NULL;
    bool on = false;
    if (n == NULL) {
        return false;
    }
    if (n->type == CONF_SCALAR) {
        return n->value != NULL && conf_parse_bool(n->value, &on) && on;
    }
    const ConfNode *e = conf_node_child(n, "enabled");
    return e != NULL && e->value != NULL && conf_parse_bool(e->value, &on) && on;
}

int detect_fw_init(DetectEngine *de, const Conf *conf)
{
    DetectFw *fw = calloc(1, sizeof(*fw));
    if (fw == NULL) {
        return VG_ENOMEM;
    }
    de->fw = fw;
    static const char *const msg[FW_POLICY_SIGS] = { "Firewall default packet policy",
                                                     "Firewall default app policy" };
    for (uint32_t k = 0; k < FW_POLICY_SIGS; k++) {
        for (uint32_t d = 0; d < 2; d++) {
            Signature *s = &fw->policy_sig[k][d];
            s->sid = FW_POLICY_SID_BASE + k;
            s->gid = 1;
            s->rev = 1;
            s->priority = 3;
            s->msg = (char *)msg[k];    // static: never freed (detect_fw_free leaves them)
            s->action = d == 0 ? DETECT_ACTION_ALERT : DETECT_ACTION_DROP;
        }
    }
    return load_policies(fw, conf);
}

void detect_fw_set_loading(DetectEngine *de, bool on)
{
    if (de->fw != NULL) {
        de->fw->loading = on;
    }
}

/* ---- evaluation ----------------------------------------------------------------- */

static void set_drop(Packet *p, uint8_t scope, uint8_t action, uint8_t reason)
{
    p->flags |= PKT_F_DROP;
    p->drop_reason = reason;
    if (action == DETECT_FW_REJECT) {
        p->flags |= PKT_F_REJECT;
    }
    Flow *f = p->flow;
    if (scope == DETECT_FW_SCOPE_FLOW && f != NULL) {
        p->flags |= PKT_F_DROP_FLOW;
        f->flags |= FLOW_F_DROP | FLOW_F_DROP_FW;
    }
}

/* The firewall is done with the flow (accept:flow): its txs need not wait for it. */
static void release_txs(Flow *f)
{
    if (app_layer_flow_proto(f) == APP_PROTO_UNKNOWN) {
        return;
    }
    uint32_t n = app_layer_tx_count(f);
    for (uint32_t i = 0; i < n; i++) {
        AppTx *tx = app_layer_tx_at(f, i);
        if (tx != NULL) {
            tx->flags &= ~(uint32_t)APP_TX_F_FW_HOLD;
        }
    }
}

/* Verdict of a matching rule s (or a policy when s is NULL). Returns the
 * DETECT_FW_SCOPE_* accepted, or 0 for a drop. */
static uint8_t apply(DetectThread *dt, Packet *p, PacketAlerts *pa, const Signature *s,
                     uint8_t action, uint8_t scope, uint8_t drop_reason)
{
    Flow *f = p->flow;
    /* an app:filter accept is conditional on the TD verdict: a packet the TD
     * packet rules already drop does not log the accepting rules' alerts */
    bool quiet = dt->fw_in_app && action == DETECT_FW_ACCEPT && (p->flags & PKT_F_DROP);
    if (s != NULL && (s->flags & SIG_F_PASS_ALERT) && !quiet) {
        detect_alert_add(dt, p, pa, s, s->action);
    }
    if (action != DETECT_FW_ACCEPT) {
        set_drop(p, scope, action, drop_reason);
        return 0;
    }
    if (s != NULL && s->fw->td_pass_flow && f != NULL) {
        f->flags |= FLOW_F_PASS;
    }
    if (s != NULL && s->fw->td_pass_packet) {
        dt->fw_td_skip = true;
    }
    if (scope == DETECT_FW_SCOPE_FLOW && f != NULL) {
        f->flags |= FLOW_F_FW_ACCEPT;
        release_txs(f);
    }
    return scope;
}

/* A default policy applied: its verdict, and with "alert" an alert under the
 * policy's built-in signature (kind FW_POLICY_SIG_*), quiet as a rule's. */
static uint8_t apply_policy(DetectThread *dt, Packet *p, PacketAlerts *pa, const FwPolicy *pol,
                            uint32_t kind, uint8_t drop_reason)
{
    bool quiet = dt->fw_in_app && pol->action == DETECT_FW_ACCEPT && (p->flags & PKT_F_DROP);
    if (pol->alert && !quiet) {
        const Signature *s = &dt->de->fw->policy_sig[kind][pol->action == DETECT_FW_ACCEPT ? 0 : 1];
        detect_alert_add(dt, p, pa, s, s->action);
    }
    return apply(dt, p, pa, NULL, pol->action, pol->scope, drop_reason);
}

static bool flow_start(const Packet *p)
{
    const Flow *f = p->flow;
    if (f == NULL) {
        return true;
    }
    return (p->flags & PKT_F_TOCLIENT) ? f->pkts_toclient == 1 : f->pkts_toserver == 1;
}

/* Runs the rule's post-match keywords (flowbits, xbits) and its threshold /
 * detection_filter; false when the threshold holds the match back. */
static bool fw_matched(DetectThread *dt, Packet *p, const Signature *s)
{
    detect_run_post(dt, p, s);
    uint8_t action = s->action;
    bool suppressed = false;
    return detect_threshold_check(dt, s, p, &action, &suppressed);
}

static int verdict_of(uint8_t accepted)
{
    switch (accepted) {
    case 0:
        return DETECT_FW_V_DROP;
    case DETECT_FW_SCOPE_PACKET:
        return DETECT_FW_V_ACCEPT_PACKET;
    case DETECT_FW_SCOPE_FLOW:
        return DETECT_FW_V_ACCEPT_FLOW;
    default:
        return DETECT_FW_V_NEXT;
    }
}

int detect_fw_packet(DetectThread *dt, Packet *p, PacketAlerts *pa)
{
    const DetectFw *fw = dt->de->fw;
    const Flow *f = p->flow;
    if (f != NULL && (f->flags & FLOW_F_FW_ACCEPT)) {
        return DETECT_FW_V_ACCEPT_FLOW;
    }
    dt->alert_flags = 0;
    dt->alert_tx_id = 0;
    for (uint32_t i = 0; i < fw->n_sigs; i++) {
        const Signature *s = fw->sigs[i];
        const DetectFwSig *fs = s->fw;
        if (fs->hook_kind == DETECT_FW_HOOK_APP ||
            (fs->hook_kind == DETECT_FW_HOOK_FLOW_START && !flow_start(p))) {
            continue;
        }
        if (!detect_sig_match(dt, p, s) || !fw_matched(dt, p, s)) {
            continue;
        }
        return verdict_of(apply(dt, p, pa, s, fs->action, fs->scope, PKT_DROP_FW_RULES));
    }
    return verdict_of(apply_policy(dt, p, pa, &fw->packet_policy, FW_POLICY_SIG_PACKET,
                                   PKT_DROP_FW_PACKET_POLICY));
}

static FwPolicy hook_policy(const DetectFw *fw, AppProto proto, uint8_t dir, uint8_t hook)
{
    if (proto < APP_PROTO_MAX_BUILTIN) {
        if (fw->hook_policy[proto][dir][hook].action != 0) {
            return fw->hook_policy[proto][dir][hook];
        }
        if (fw->proto_default[proto].action != 0) {
            return fw->proto_default[proto];
        }
    }
    return fw->app_default;
}

static bool hook_reached(const Flow *f, const AppTx *tx, uint8_t dir, const FwHook *h)
{
    uint32_t force = dir == APP_DIR_TOSERVER ? APP_TX_F_FORCE_DONE_TS : APP_TX_F_FORCE_DONE_TC;
    bool complete = app_layer_tx_complete(f, tx, dir) || (tx->flags & force);
    if (h->progress == FW_PROG_COMPLETE) {
        return complete;
    }
    return complete || tx->progress[dir] >= h->progress;
}

/* The rules of one hook, in file order; returns the accepted scope or 0 (dropped). */
static uint8_t eval_hook_rules(DetectThread *dt, Packet *p, PacketAlerts *pa, AppTx *tx,
                               AppProto proto, uint8_t dir, uint8_t hook)
{
    const DetectFw *fw = dt->de->fw;
    const Flow *f = p->flow;
    for (uint32_t i = 0; i < fw->n_sigs; i++) {
        const Signature *s = fw->sigs[i];
        const DetectFwSig *fs = s->fw;
        if (fs->hook_kind != DETECT_FW_HOOK_APP || fs->hook_proto != proto || fs->dir != dir ||
            (fs->hook != hook && !(fs->accepts_prior && fs->hook > hook))) {
            continue;
        }
        if (fs->hook != hook) {
            /* 'proto:<later_hook': this earlier hook is accepted on the header alone */
            if (detect_sig_header_ok(s, p)) {
                return DETECT_FW_SCOPE_HOOK;
            }
            continue;
        }
        /* a rule inspecting tx buffers is done with a tx it matched: later evaluations
         * of its hook skip it (as a TD tx rule); one on the header and packet alone is
         * evaluated (and alerts) each time, as the packet rules */
        if ((s->flags & SIG_F_APP_TX) && detect_tx_fw_matched(dt->de, tx, s->load_idx)) {
            continue;
        }
        bool ok = (s->flags & SIG_F_APP_TX)
                      ? detect_tx_fw_match(dt, s, p, f, tx, dir, proto)
                      : detect_sig_header_ok(s, p) && detect_sig_match_list_ok(dt, p, s);
        if (!ok || !fw_matched(dt, p, s)) {
            continue;
        }
        if (s->flags & SIG_F_APP_TX) {
            detect_tx_fw_set_matched(dt->de, tx, s->load_idx);
        }
        return apply(dt, p, pa, s, fs->action, fs->scope, PKT_DROP_FW_RULES);
    }
    FwPolicy pol = hook_policy(fw, proto, dir, hook);
    return apply_policy(dt, p, pa, &pol, FW_POLICY_SIG_APP, PKT_DROP_FW_APP_POLICY);
}

/* eval_hook_rules with tx as the alerts' and the tx xbits' tx. */
static uint8_t eval_hook(DetectThread *dt, Packet *p, PacketAlerts *pa, AppTx *tx,
                         AppProto proto, uint8_t dir, uint8_t hook)
{
    dt->alert_flags = PACKET_ALERT_F_TX;
    dt->alert_tx_id = tx->id;
    dt->cur_tx = tx;
    uint8_t acc = eval_hook_rules(dt, p, pa, tx, proto, dir, hook);
    dt->cur_tx = NULL;
    return acc;
}

/* The current state of tx in dir: the last hook reached (-1: none). */
static int cur_hook(const Flow *f, const AppTx *tx, const FwProtoHooks *h, uint8_t dir)
{
    int cur = -1;
    for (uint8_t i = 0; i < h->n[dir]; i++) {
        if (hook_reached(f, tx, dir, &h->hooks[dir][i])) {
            cur = i;
        }
    }
    return cur;
}

/* Whether tx, looked at in dir before, reached a hook there that the firewall has
 * not evaluated: data of the other direction moved it on (an FTP command is complete
 * once its reply came). */
static bool hooks_pending(const Flow *f, AppTx *tx, AppProto proto, uint8_t dir,
                          const uint8_t *next)
{
    if (!(next[2] & (1u << dir)) || next[dir] == FW_TX_ACCEPTED) {
        return false;
    }
    return cur_hook(f, tx, hooks_of(proto), dir) > (int)next[dir];
}

/* A tx the firewall looked at stays (APP_TX_F_FW_HOLD) while a direction it looked at
 * has hooks left (not accepted, last hook not passed): a hook reached by data of the
 * other direction is evaluated on that direction's next packet (hooks_pending). */
static void hold_update(AppTx *tx, AppProto proto, const uint8_t *next)
{
    const FwProtoHooks *h = hooks_of(proto);
    bool done = true;
    for (uint8_t d = 0; d < 2; d++) {
        done &= !(next[2] & (1u << d)) || next[d] == FW_TX_ACCEPTED || next[d] >= h->n[d];
    }
    if (done || (tx->flags & (APP_TX_F_FORCE_DONE_TS | APP_TX_F_FORCE_DONE_TC))) {
        tx->flags &= ~(uint32_t)APP_TX_F_FW_HOLD;
    } else {
        tx->flags |= APP_TX_F_FW_HOLD;
    }
}

/* The hooks of tx in dir due on this packet; returns the verdict. */
static int eval_tx(DetectThread *dt, Packet *p, PacketAlerts *pa, AppTx *tx, AppProto proto,
                   uint8_t dir)
{
    const FwProtoHooks *h = hooks_of(proto);
    uint8_t *next = detect_tx_fw_next(dt->de, tx);
    if (next == NULL || next[dir] == FW_TX_ACCEPTED) {
        return DETECT_FW_V_NEXT;
    }
    int cur = cur_hook(p->flow, tx, h, dir);
    for (int i = next[dir]; i <= cur; i++) {
        uint8_t acc = eval_hook(dt, p, pa, tx, proto, dir, (uint8_t)i);
        if (acc == 0) {
            return DETECT_FW_V_DROP;
        }
        if (acc == DETECT_FW_SCOPE_TX) {
            next[dir] = FW_TX_ACCEPTED;
            if (!proto_tx_per_dir(proto)) {
                next[dir ^ 1u] = FW_TX_ACCEPTED;
            }
            return DETECT_FW_V_NEXT;
        }
        if (acc != DETECT_FW_SCOPE_HOOK) {
            return verdict_of(acc);
        }
        /* a hook is passed once the tx moved beyond it; the last one once reached */
        if (i < cur || i == h->n[dir] - 1) {
            next[dir] = (uint8_t)(i + 1);
        }
    }
    return DETECT_FW_V_NEXT;
}

int detect_fw_app(DetectThread *dt, Packet *p, PacketAlerts *pa)
{
    Flow *f = p->flow;
    if (f == NULL || (f->flags & FLOW_F_FW_ACCEPT)) {
        return DETECT_FW_V_NEXT;
    }
    AppProto fp = app_layer_flow_proto(f);
    if (fp == APP_PROTO_UNKNOWN || fp == APP_PROTO_FAILED) {
        return DETECT_FW_V_NEXT;
    }
    uint8_t dir = (p->flags & PKT_F_TOCLIENT) ? APP_DIR_TOCLIENT : APP_DIR_TOSERVER;
    uint32_t upd = dir == APP_DIR_TOSERVER ? APP_TX_F_UPDATED_TS : APP_TX_F_UPDATED_TC;
    int v = DETECT_FW_V_NEXT;
    dt->fw_in_app = true;
    uint32_t n = app_layer_tx_count(f);
    /* data the parser took without touching any tx (a TLS record in pieces)
     * still reaches the hooks of txs the firewall has not seen that way yet */
    bool any_updated = false;
    for (uint32_t i = 0; i < n && !any_updated; i++) {
        const AppTx *tx = app_layer_tx_at(f, i);
        any_updated = tx != NULL && (tx->flags & upd);
    }
    bool fed = p->payload_len > 0 && !any_updated;
    for (uint32_t i = 0; i < n && v == DETECT_FW_V_NEXT; i++) {
        AppTx *tx = app_layer_tx_at(f, i);
        if (tx == NULL) {
            break;
        }
        /* updated by the parser, given its first data in dir, or moved on to hooks
         * not yet evaluated */
        uint8_t *next = detect_tx_fw_next(dt->de, tx);
        if (next == NULL) {
            continue;
        }
        AppProto proto = app_layer_tx_proto(f, tx);
        if ((tx->flags & upd) || (fed && !(next[2] & (1u << dir))) ||
            hooks_pending(f, tx, proto, dir, next)) {
            next[2] |= (uint8_t)(1u << dir);
            v = eval_tx(dt, p, pa, tx, proto, dir);
            hold_update(tx, proto, next);
        }
    }
    dt->alert_flags = 0;
    dt->alert_tx_id = 0;
    dt->fw_in_app = false;
    return v;
}
