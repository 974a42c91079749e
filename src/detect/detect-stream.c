/* Stream-aware detection: which rules inspect reassembled TCP data, and how.
 *
 * Suricata's semantics. A rule whose protocol covers TCP and that has payload
 * keywords inspects the stream views the stream engine puts on packets
 * (p->stream_data); its packet payload is still inspected for packets whose
 * segment did not go into the stream (no session, midstream pick-up off, data
 * on a SYN, reassembly stopped), or always when a content is anchored with
 * depth/offset, the rule uses stream_size or a keyword about the packet itself
 * (DETECT_KW_PACKET: flags, ttl, ...). "tcp-pkt", flow:no_stream and
 * dsize rules inspect packets only; "tcp-stream" and flow:only_stream rules
 * the stream only.
 *
 * A view's data may flow opposite to the packet carrying it (the stream
 * engine's IDS views now ride on their own direction's packets, as in
 * Suricata, but the flow-end pseudo packets and any future producer may
 * not). Rules are evaluated
 * against a copy of the packet turned into the data's direction (addresses,
 * ports, flow:to_server/to_client), and alerts are flagged so that outputs
 * report them with the data direction's tuple and the stream payload.
 *
 * Duplicates: a view starts with bytes already inspected (the overlap); a
 * payload chain must end past them (detect-inspect.c retries later
 * occurrences), and offset/depth count from the end of the overlap, the
 * start of the chunk as Suricata inspects it (dt->anchor_base). A rule that
 * matched the view is not inspected again on the packet's own payload when
 * that payload is part of the same data. */
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "detect/detect-internal.h"
#include "flow/flow-types.h"
#include "stream/stream.h"
#include "util/util-error.h"

#define STREAM_NEED_MAX 65535u
/* Stream alert payload bound (Suricata's payload-buffer-size default: 4kb). */

/* ---- classification (build time) ---------------------------------------- */

static bool has_match_kw(const Signature *s, const char *name)
{
    const DetectMatchList *l = &s->lists[DETECT_LIST_MATCH];
    for (uint16_t i = 0; i < l->n; i++) {
        if (strcmp(l->m[i].kw->name, name) == 0) {
            return true;
        }
    }
    return false;
}

static bool has_anchored_content(const Signature *s)
{
    const DetectMatchList *l = &s->lists[DETECT_LIST_PMATCH];
    for (uint16_t i = 0; i < l->n; i++) {
        const DetectContent *c = l->m[i].ctx;
        if (l->m[i].pm_type == DETECT_PM_CONTENT &&
            (c->flags & (DETECT_CONTENT_DEPTH | DETECT_CONTENT_OFFSET))) {
            return true;
        }
    }
    return false;
}

/* A keyword about the packet itself (DETECT_KW_PACKET): Suricata marks such
 * rules as needing the packet, so their payload keywords look at packet
 * payloads too. */
static bool has_packet_kw(const Signature *s)
{
    const DetectMatchList *l = &s->lists[DETECT_LIST_MATCH];
    for (uint16_t i = 0; i < l->n; i++) {
        if (l->m[i].kw->flags & DETECT_KW_PACKET) {
            return true;
        }
    }
    return false;
}

void detect_stream_classify(Signature *s)
{
    s->flags &= ~(uint32_t)(SIG_F_STREAM | SIG_F_STREAM_ONLY | SIG_F_PKT_TOO);
    bool tcp = (s->protos[6 / 8] & (1u << (6 % 8))) != 0;
    if (!tcp || s->lists[DETECT_LIST_PMATCH].n == 0 || (s->flags & SIG_F_APP_TX)) {
        return;
    }
    if ((s->flags & (SIG_F_PROTO_TCP_PKT | SIG_F_FLOW_NO_STREAM)) || has_match_kw(s, "dsize")) {
        return;
    }
    s->flags |= SIG_F_STREAM;
    if (s->flags & (SIG_F_PROTO_TCP_STREAM | SIG_F_FLOW_ONLY_STREAM)) {
        s->flags |= SIG_F_STREAM_ONLY;
    } else if (has_anchored_content(s) || has_match_kw(s, "stream_size") || has_packet_kw(s)) {
        /* Suricata inspects the packets of these too: anchored content may
         * sit at the start of a packet rather than of a chunk, stream_size
         * describes the session as of each packet, and flags, ttl, ... are
         * properties of one packet (a flags:S rule's content is on the SYN). */
        s->flags |= SIG_F_PKT_TOO;
    }
}

static uint32_t const_sum(const DetectValue *a, const DetectValue *b)
{
    if (a->var >= 0 || b->var >= 0 || a->val < 0 || b->val < 0) {
        return 0;
    }
    int64_t v = a->val + b->val;
    return v > (int64_t)STREAM_NEED_MAX ? STREAM_NEED_MAX : (uint32_t)v;
}

uint32_t detect_stream_need(const Signature *s)
{
    if (!(s->flags & SIG_F_STREAM)) {
        return 0;
    }
    uint32_t need = 0;
    const DetectMatchList *l = &s->lists[DETECT_LIST_PMATCH];
    for (uint16_t i = 0; i < l->n; i++) {
        if (l->m[i].pm_type != DETECT_PM_CONTENT) {
            continue;
        }
        const DetectContent *c = l->m[i].ctx;
        uint32_t n = c->len;
        if (c->flags & DETECT_CONTENT_DEPTH) {
            uint32_t end = const_sum(&c->offset, &c->depth);
            n = end > n ? end : n;
        }
        need = n > need ? n : need;
    }
    return need;
}

static void declare_ports(const DetectPortSet *ps, uint8_t dir, uint32_t need)
{
    if (ps->is_any) {
        stream_declare_need(0, dir, need);
        return;
    }
    for (uint32_t i = 0; i < ps->ports.n; i++) {
        uint32_t lo = (uint32_t)ps->ports.r[i].lo;
        uint32_t hi = (uint32_t)(ps->ports.r[i].hi > 65535 ? 65535 : ps->ports.r[i].hi);
        for (uint32_t port = lo; port <= hi; port++) {
            stream_declare_need((uint16_t)port, dir, need);
        }
    }
}

/* The server port of to_server data is the data's destination port, of
 * to_client data its source port. A rule without flow direction names the
 * server port on one side only, as a rule is written: that side decides. */
static void declare_sig(const Signature *s, uint32_t need)
{
    bool ts = !(s->flags & SIG_F_TOCLIENT);
    bool tc = !(s->flags & SIG_F_TOSERVER);
    if (ts && tc && !(s->flags & SIG_F_BIDIR) && s->sp.is_any != s->dp.is_any) {
        ts = !s->dp.is_any;
        tc = !s->sp.is_any;
    }
    if (ts) {
        declare_ports(&s->dp, STREAM_DIR_TOSERVER, need);
    }
    if (tc) {
        declare_ports(&s->sp, STREAM_DIR_TOCLIENT, need);
    }
    if (s->flags & SIG_F_BIDIR) {
        declare_ports(&s->sp, STREAM_DIR_TOSERVER, need);
        declare_ports(&s->dp, STREAM_DIR_TOCLIENT, need);
    }
}

void detect_stream_prepare(const DetectEngine *de)
{
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        detect_stream_classify(de->sigs[i]);
        uint32_t need = detect_stream_need(de->sigs[i]);
        if (need > 0) {
            declare_sig(de->sigs[i], need);
        }
        const Signature *s = de->sigs[i];
        if ((s->flags & SIG_F_APP_TX) && s->lists[DETECT_LIST_PMATCH].n > 0) {
            stream_declare_tx_window();    // tx_payload_match (detect-tx.c)
        }
    }
}

/* ---- per thread --------------------------------------------------------- */

int detect_stream_thread_init(DetectThread *dt)
{
    uint32_t n = dt->de->n_sigs;
    dt->stream_hit = calloc(n / 8 + 1, 1);
    dt->stream_hit_list = malloc((n + 1) * sizeof(uint32_t));
    return (dt->stream_hit == NULL || dt->stream_hit_list == NULL) ? VG_ENOMEM : 0;
}

void detect_stream_thread_free(DetectThread *dt)
{
    free(dt->stream_hit);
    free(dt->stream_hit_list);
    dt->stream_hit = NULL;
    dt->stream_hit_list = NULL;
}

static void hits_clear(DetectThread *dt)
{
    for (uint32_t i = 0; i < dt->n_stream_hit; i++) {
        dt->stream_hit[dt->stream_hit_list[i] / 8] = 0;
    }
    dt->n_stream_hit = 0;
}

static void hit_mark(DetectThread *dt, uint32_t num)
{
    dt->stream_hit[num / 8] |= (uint8_t)(1u << (num % 8));
    dt->stream_hit_list[dt->n_stream_hit++] = num;
}

static bool hit_test(const DetectThread *dt, uint32_t num)
{
    return (dt->stream_hit[num / 8] & (1u << (num % 8))) != 0;
}

static bool view_is_reversed(const Packet *p)
{
    bool data_ts = (p->stream_flags & PKT_STREAM_TOSERVER) != 0;
    bool pkt_ts = (p->flags & PKT_F_TOSERVER) != 0;
    return data_ts != pkt_ts;
}

/* sv: p seen as the view's data, in the data's direction. */
static void make_view_packet(const Packet *p, bool reversed, Packet *sv)
{
    *sv = *p;
    sv->payload = p->stream_data;
    sv->payload_len = p->stream_data_len;
    /* The data was exchanged in an established session even when this
     * packet (a FIN's ack, say) closes it: flow:established holds, as it
     * does in Suricata for any packet once both sides were seen. */
    if (p->stream_flags & PKT_STREAM_EST) {
        sv->flow_state = FLOW_STATE_ESTABLISHED;
    }
    if (!reversed) {
        return;
    }
    sv->src = p->dst;
    sv->dst = p->src;
    sv->sp = p->dp;
    sv->dp = p->sp;
    uint32_t dirs = PKT_F_TOSERVER | PKT_F_TOCLIENT;
    sv->flags &= ~dirs;
    sv->flags |= (p->flags & PKT_F_TOSERVER) ? PKT_F_TOCLIENT : PKT_F_TOSERVER;
}

static bool inspect_view(DetectThread *dt, Packet *sv, PacketAlerts *pa, bool reversed)
{
    bool stop = false;
    detect_collect(dt, sv);
    counters_add(dt->counters, dt->c_inspected, dt->n_cand);
    for (uint32_t i = 0; i < dt->n_cand && !stop; i++) {
        const Signature *s = dt->de->sigs[dt->cand[i]];
        if (!(s->flags & SIG_F_STREAM) || !detect_sig_match(dt, sv, s)) {
            continue;
        }
        hit_mark(dt, s->num);
        dt->alert_flags = (uint8_t)(PACKET_ALERT_F_STREAM |
                                    (reversed ? PACKET_ALERT_F_REVERSED : 0));
        stop = detect_on_match(dt, sv, pa, s);
        dt->alert_flags = 0;
    }
    return stop;
}

/* Stream alerts log the direction's stored data (gaps marked), taken now
 * while the flow is locked and the data still held. */
static void fill_stream_log(const Packet *p, PacketAlerts *pa, uint16_t n_before)
{
    bool any = false;
    for (uint16_t i = n_before; i < pa->n; i++) {
        any = any || (pa->alerts[i].flags & PACKET_ALERT_F_STREAM);
    }
    if (!any || p->flow == NULL) {
        return;
    }
    bool ts = (p->stream_flags & PKT_STREAM_TOSERVER) != 0;
    pa->stream_log_len = stream_log_payload(p->flow, ts, pa->stream_log, DETECT_STREAM_LOG_MAX);
}

bool detect_stream_inspect(DetectThread *dt, Packet *p, PacketAlerts *pa)
{
    hits_clear(dt);
    if (pa != NULL) {
        pa->stream_log_len = 0;
    }
    if (p->stream_data == NULL || p->stream_data_len == 0 || p->l4 != PKT_L4_TCP ||
        (p->flags & PKT_F_NOPAYLOAD_INSPECT)) {
        return false;
    }
    uint32_t ov = stream_data_overlap(p);
    if (ov >= p->stream_data_len) {
        return false;
    }
    bool reversed = view_is_reversed(p);
    Packet sv;
    make_view_packet(p, reversed, &sv);
    dt->stream_insp = true;
    dt->min_match_end = ov > 0 ? ov + 1 : 0;
    dt->anchor_base = ov;
    uint16_t n_before = pa != NULL ? pa->n : 0;
    bool stop = inspect_view(dt, &sv, pa, reversed);
    if (pa != NULL) {
        fill_stream_log(p, pa, n_before);
    }
    dt->stream_insp = false;
    dt->min_match_end = 0;
    dt->anchor_base = 0;
    p->flags |= sv.flags & (PKT_F_DROP | PKT_F_DROP_FLOW | PKT_F_ALERTED);
    if (p->drop_reason == PKT_DROP_NONE) {
        p->drop_reason = sv.drop_reason;
    }
    return stop;
}

bool detect_stream_pkt_allowed(const DetectThread *dt, const Packet *p, const Signature *s)
{
    if (!(s->flags & SIG_F_STREAM)) {
        return true;
    }
    if (s->flags & SIG_F_STREAM_ONLY) {
        return false;
    }
    bool added = (p->stream_flags & PKT_STREAM_ADDED) != 0;
    /* Inline views hold this packet's own bytes: one alert for both. */
    if (added && p->stream_data != NULL && !view_is_reversed(p) && hit_test(dt, s->num)) {
        return false;
    }
    return !added || (s->flags & SIG_F_PKT_TOO);
}

/* ---- flow end ----------------------------------------------------------- */

typedef struct FlowEndCtx {
    DetectThread *dt;
    Flow *f;
    Packet *p;
    void (*emit)(const Packet *p, void *user);
    void *user;
    uint32_t n_alerts;
    uint8_t flushed;             // bit per direction (0 to server) that had stream data left
} FlowEndCtx;

/* A pseudo packet in the direction of the data, carrying it as its view. */
static void pseudo_packet(const Flow *f, const uint8_t *data, uint32_t len, uint32_t flags,
                          Packet *p)
{
    PacketAlerts *alerts = p->alerts;
    memset(p, 0, sizeof(*p));
    p->alerts = alerts;
    if (alerts != NULL) {
        alerts->stream_log_len = 0;   // as a fresh list: nothing logged from the last flow
    }
    bool ts = (flags & PKT_STREAM_TOSERVER) != 0;
    p->ts_sec = f->last_sec;
    p->ts_usec = f->last_usec;
    p->flags = PKT_F_PSEUDO | PKT_F_STREAM_FLUSH | (ts ? PKT_F_TOSERVER : PKT_F_TOCLIENT);
    p->l3 = f->key.src.family == 6 ? PKT_L3_IPV6 : PKT_L3_IPV4;
    p->l4 = PKT_L4_TCP;
    p->proto = 6;
    p->src = ts ? f->key.src : f->key.dst;
    p->dst = ts ? f->key.dst : f->key.src;
    p->sp = ts ? f->key.sp : f->key.dp;
    p->dp = ts ? f->key.dp : f->key.sp;
    p->n_vlan = f->key.n_vlan;
    memcpy(p->vlan_id, f->key.vlan_id, sizeof(p->vlan_id));
    p->flow = (Flow *)f;
    p->flow_hash = f->hash;
    p->flow_state = f->state == FLOW_STATE_NEW ? FLOW_STATE_NEW : FLOW_STATE_ESTABLISHED;
    p->stream_data = data;
    p->stream_data_len = len;
    p->stream_flags = flags | (p->flow_state == FLOW_STATE_ESTABLISHED ? PKT_STREAM_EST : 0);
}

/* The pseudo packet with empty alerts (allocated once per thread's packet);
 * NULL when they cannot be allocated. */
static PacketAlerts *pseudo_start(DetectThread *dt, const Flow *f, const uint8_t *data,
                                  uint32_t len, uint32_t flags, Packet *p)
{
    pseudo_packet(f, data, len, flags, p);
    if (p->alerts == NULL && (p->alerts = calloc(1, sizeof(PacketAlerts))) == NULL) {
        return NULL;
    }
    PacketAlerts *pa = p->alerts;
    pa->n = 0;
    pa->n_discarded = 0;
    pa->n_vars = 0;
    dt->n_vars_pending = 0;
    return pa;
}

static void flow_end_piece(const uint8_t *data, uint32_t len, uint32_t flags, void *user)
{
    FlowEndCtx *c = user;
    /* The flush still feeds the app layer (its last data); only the inspection is
     * skipped: passed, dropped not inline (FLOW_F_DROP_IDS), or encrypted and no
     * longer inspected (encryption-handling). */
    if ((c->f->flags & (FLOW_F_PASS | FLOW_F_DROP_IDS)) || app_layer_flow_no_inspection(c->f)) {
        return;
    }
    Packet *p = c->p;
    c->flushed |= (flags & PKT_STREAM_TOSERVER) ? 1u : 2u;
    PacketAlerts *pa = pseudo_start(c->dt, c->f, data, len, flags, p);
    if (pa == NULL) {
        return;
    }
    (void)detect_stream_inspect(c->dt, p, pa);
    p->n_alerts = pa->n;
    if (pa->n > 0 && c->emit != NULL) {
        c->emit(p, c->user);
    }
    c->n_alerts += pa->n;
}

/* Firewall mode: a TCP session not closed when its flow ends, whose data went on past
 * what detection inspects (encrypted, no more inspection), gets a pseudo packet per
 * direction (as Suricata's flow timeout packets for stream data left unprocessed) that
 * the packet:filter rules see like any packet: their alerts are logged. Their verdict
 * drops nothing: the flow is gone. */
static void flow_end_fw(FlowEndCtx *c)
{
    Flow *f = c->f;
    if (c->dt->de->fw == NULL || f->key.proto != 6 || f->protoctx == NULL ||
        f->state != FLOW_STATE_ESTABLISHED || (f->flags & FLOW_F_FW_ACCEPT) ||
        !app_layer_flow_no_inspection(f)) {
        return;
    }
    static const uint32_t dirs[2] = { PKT_STREAM_TOSERVER, 0 };
    for (int i = 0; i < 2; i++) {
        Packet *p = c->p;
        PacketAlerts *pa = pseudo_start(c->dt, f, NULL, 0, dirs[i], p);
        if (pa == NULL) {
            return;
        }
        p->flags |= PKT_F_FIREWALL;
        uint32_t flow_flags = f->flags;
        (void)detect_fw_packet(c->dt, p, pa);
        f->flags = flow_flags;   // a pseudo packet's verdict does not change the flow
        p->flags &= ~(uint32_t)(PKT_F_DROP | PKT_F_DROP_FLOW | PKT_F_REJECT);
        p->n_alerts = pa->n;
        if (pa->n > 0 && c->emit != NULL) {
            c->emit(p, c->user);
        }
        c->n_alerts += pa->n;
    }
}

/* Whether s can match a flow-end packet: an application-layer rule (an app protocol in
 * its header) that inspects no payload, buffer or packet header (the pseudo packet has
 * none; Suricata's dsize, flags, seq, ack and window never match its pseudo packets
 * either), only the flow: its header and flow keywords. A rule without an app protocol
 * is a packet rule, and Suricata 8's need a real packet (real_pkt). */
static bool flow_end_pkt_rule(const Signature *s)
{
    static const char *const flow_kws[] = {
        "flow", "flowbits", "flowint", "xbits", "app-layer-protocol", "app-layer-event",
    };
    if (s->flags & (SIG_F_IPONLY | SIG_F_LIKE_IPONLY | SIG_F_PD_ONLY | SIG_F_APP_TX |
                    SIG_F_HAS_PAYLOAD | SIG_F_STREAM_ONLY)) {
        return false;
    }
    if (s->alproto == 0) {
        return false;
    }
    for (int li = 0; li < DETECT_LIST_MAX; li++) {
        if (li != DETECT_LIST_MATCH && s->lists[li].n > 0) {
            return false;
        }
    }
    const DetectMatchList *l = &s->lists[DETECT_LIST_MATCH];
    for (uint16_t i = 0; i < l->n; i++) {
        bool known = false;
        for (size_t k = 0; !known && k < sizeof(flow_kws) / sizeof(flow_kws[0]); k++) {
            known = strcmp(l->m[i].kw->name, flow_kws[k]) == 0;
        }
        if (!known) {
            return false;
        }
    }
    return true;
}

/* Flow end for packet rules, as Suricata's flow timeout pseudo packets: a TCP session
 * past the handshake and not closed (established up to time_wait) gets one packet per
 * direction, a closed one in the directions whose stream data was left (flushed above).
 * The packet has no payload nor headers: only the rules that look at the flow alone
 * (flow_end_pkt_rule) see it; IP-only and protocol-detection rules do not (they match
 * once per flow direction). Runs after the transactions' turn: a pass found there (on
 * Suricata's to-server pseudo packet) ends it. A verdict of the packet changes neither
 * the flow nor anything on the wire: the flow is gone. */
static void flow_end_pkt_rules(FlowEndCtx *c)
{
    Flow *f = c->f;
    if (f->key.proto != 6 || f->protoctx == NULL ||
        (f->flags & (FLOW_F_PASS | FLOW_F_DROP | FLOW_F_DROP_IDS))) {
        return;   // passed, or dropped (inline or not): detection was over for it
    }
    const char *st = stream_state_name(f);
    bool open = strcmp(st, "none") != 0 && strcmp(st, "syn_sent") != 0 &&
                strcmp(st, "syn_recv") != 0 && strcmp(st, "closed") != 0;
    uint8_t dirs = open ? 3u : c->flushed;
    DetectThread *dt = c->dt;
    for (uint8_t d = 0; d < 2; d++) {
        if (!(dirs & (1u << d))) {
            continue;
        }
        Packet *p = c->p;
        PacketAlerts *pa = pseudo_start(dt, f, NULL, 0, d == 0 ? PKT_STREAM_TOSERVER : 0, p);
        if (pa == NULL) {
            return;
        }
        dt->pass_num = UINT32_MAX;
        dt->drop_num = UINT32_MAX;
        dt->pass_to_flow = false;
        uint32_t flow_flags = f->flags;
        detect_app_packet_begin(dt, p);
        detect_collect(dt, p);
        bool stop = false;
        for (uint32_t i = 0; !stop && i < dt->n_cand; i++) {
            const Signature *s = dt->de->sigs[dt->cand[i]];
            if (!flow_end_pkt_rule(s)) {
                continue;
            }
            stop = detect_sig_match(dt, p, s) && detect_on_match(dt, p, pa, s);
        }
        detect_resolve_actions(dt, p, pa);
        detect_app_packet_end(dt, p);
        f->flags = flow_flags;
        p->flags &= ~(uint32_t)(PKT_F_DROP | PKT_F_DROP_FLOW | PKT_F_REJECT);
        p->n_alerts = pa->n;
        if (pa->n > 0 && c->emit != NULL) {
            c->emit(p, c->user);
        }
        c->n_alerts += pa->n;
    }
}

/* Flow end for app-layer rules: every transaction still held is inspected
 * once more (the app layer has forced them done), on a to-server pseudo packet. */
static void flow_end_txs(FlowEndCtx *c)
{
    Flow *f = c->f;
    if ((f->flags & (FLOW_F_PASS | FLOW_F_DROP_IDS)) || f->app_proto == 0) {
        return;
    }
    Packet *p = c->p;
    PacketAlerts *pa = pseudo_start(c->dt, f, NULL, 0, PKT_STREAM_TOSERVER, p);
    if (pa == NULL) {
        return;
    }
    p->l4 = f->key.proto == 6 ? PKT_L4_TCP : (f->key.proto == 17 ? PKT_L4_UDP : p->l4);
    p->proto = f->key.proto;
    pa->stream_log_len = 0;
    c->dt->pass_num = UINT32_MAX;
    c->dt->drop_num = UINT32_MAX;
    c->dt->pass_to_flow = false;
    if (!detect_tx_inspect(c->dt, p, pa, true)) {
        (void)detect_frame_inspect(c->dt, p, pa, true);
    }
    detect_resolve_actions(c->dt, p, pa);   // a tx pass matching at flow end (as a packet's)
    p->n_alerts = pa->n;
    if (pa->n > 0 && c->emit != NULL) {
        c->emit(p, c->user);
    }
    c->n_alerts += pa->n;
}

bool detect_flow_end_may_inspect(const Flow *f)
{
    return (f->key.proto == 6 && f->protoctx != NULL) ||
           (!(f->flags & FLOW_F_PASS) && f->app_proto != 0);
}

uint32_t detect_flow_end(DetectThread *dt, Flow *f, void (*emit)(const Packet *p, void *user),
                         void *user)
{
    if (dt == NULL || f == NULL) {
        return 0;
    }
    if (f->flags & FLOW_F_DROP_FW) {
        return 0;  // the firewall dropped it: threat detection never saw what is left
    }
    /* The pseudo packet and its alert list are the thread's, made on first
     * use and kept: no allocation per flow end. */
    if (dt->fe_pkt == NULL && (dt->fe_pkt = calloc(1, sizeof(*dt->fe_pkt))) == NULL) {
        return 0;
    }
    Packet *p = dt->fe_pkt;
    PacketAlerts *alerts = p->alerts;
    memset(p, 0, sizeof(*p));
    p->alerts = alerts;
    if (alerts != NULL) {
        alerts->stream_log_len = 0;   // as a fresh list: nothing logged from the last flow
    }
    FlowEndCtx c = {.dt = dt, .f = f, .p = p, .emit = emit, .user = user};
    flow_end_fw(&c);
    if (f->key.proto == 6 && f->protoctx != NULL) {
        (void)stream_flow_end_flush(f, flow_end_piece, &c);
    }
    flow_end_txs(&c);
    flow_end_pkt_rules(&c);
    return c.n_alerts;
}
