/* Per-packet detection: pick the rule groups, run the prefilter, inspect the
 * candidates in rule order, apply actions and fill the packet's alert list.
 * Nothing here allocates per packet: candidate arrays live in the
 * DetectThread; the alert list is allocated once per Packet and reused. */

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "detect/detect-internal.h"
#include "stream/stream.h"
#include "flow/flow-types.h"
#include "util/util-error.h"
#include "util/util-log.h"

int detect_engine_build(DetectEngine *de)
{
    if (de == NULL) {
        return VG_EINVAL;
    }
    if (de->is_built) {
        return 0;
    }
    detect_addr_memo_free(de->addr_memo);   // the rules are in
    de->addr_memo = NULL;
    detect_stream_prepare(de);
    int rc = detect_build_groups(de);
    if (rc == 0) {
        rc = detect_tx_build(de);
    }
    if (rc == 0) {
        rc = detect_frame_build(de);
    }
    if (rc != 0) {
        return rc;
    }
    de->is_built = true;
    return 0;
}

/* The dedupe bitmap in 8-byte words (n_sigs bits, rounded up). */
static uint32_t cand_seen_words(const DetectEngine *de)
{
    return (de->n_sigs / 8u + 1u + 7u) / 8u;
}

DetectThread *detect_thread_new(const DetectEngine *de, CounterSet *counters)
{
    if (de == NULL || !de->is_built) {
        return NULL;
    }
    DetectThread *dt = calloc(1, sizeof(*dt));
    if (dt == NULL) {
        return NULL;
    }
    dt->de = de;
    dt->pass_num = UINT32_MAX;
    dt->drop_num = UINT32_MAX;
    dt->cand = malloc((de->n_sigs + 1) * sizeof(uint32_t));
    dt->cand_seen = calloc(cand_seen_words(de) * 8u, 1);   // whole words: cand_sort
    dt->pf_hits = malloc((2u * de->n_sigs + 1) * sizeof(uint32_t));  // both prefilters
    dt->pcre_md = pcre2_match_data_create(de->max_pcre_pairs, NULL);
    /* Suricata's defaults (pcre.match-limit, match-limit-recursion): a rule's
     * regex can't make one packet arbitrarily expensive. */
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    if (mc != NULL) {
        pcre2_set_match_limit(mc, DETECT_PCRE_MATCH_LIMIT);
        pcre2_set_depth_limit(mc, DETECT_PCRE_DEPTH_LIMIT);
    }
    dt->pcre_mc = mc;
    dt->pf_scratch = detect_prefilter_scratch_new(de);
    if (prof_rules_enabled) {
        dt->prof_rules = calloc(de->n_sigs + 1, sizeof(*dt->prof_rules));
    }
    dt->counters = counters;
    if (counters == NULL) {
        dt->own_counters = calloc(1, sizeof(*dt->own_counters));
        dt->counters = dt->own_counters;
    }
    if (dt->cand == NULL || dt->cand_seen == NULL || dt->pf_hits == NULL || dt->pcre_md == NULL ||
        dt->pcre_mc == NULL ||
        dt->pf_scratch == NULL || dt->counters == NULL ||
        (prof_rules_enabled && dt->prof_rules == NULL) || detect_stream_thread_init(dt) != 0 ||
        detect_tx_thread_init(dt) != 0) {
        detect_thread_free(dt);
        return NULL;
    }
    /* Registration is start-up work; workers are created before traffic. */
    dt->c_alerts = counters_register("detect.alert", COUNTER_SUM);
    dt->c_alert_overflow = counters_register("detect.alert_queue_overflow", COUNTER_SUM);
    dt->c_recursion = counters_register("detect.inspect_recursion_limit", COUNTER_SUM);
    dt->c_nofp = counters_register("detect.nofp_inspected", COUNTER_SUM);
    dt->c_inspected = counters_register("detect.rules_inspected", COUNTER_SUM);
    dt->c_tag_refused = counters_register("detect.tag_host_refused", COUNTER_SUM);
    dt->c_thr_bitmap_memuse = counters_register("detect.thresholds.bitmap_memuse", COUNTER_SUM);
    dt->c_thr_bitmap_fail = counters_register("detect.thresholds.bitmap_alloc_fail",
                                              COUNTER_SUM);
    if (de->fw != NULL) {
        dt->c_fw_discarded = counters_register("firewall.discarded_alerts", COUNTER_SUM);
    }
    return dt;
}

void detect_prof_flush(DetectThread *dt)
{
    if (dt->prof_rule_checks != 0) {
        prof_sub_add(PROF_SUB_RULES, "detect.rules", dt->prof_rule_ticks, dt->prof_rule_checks);
        dt->prof_rule_ticks = 0;
        dt->prof_rule_checks = 0;
    }
}

/* Profiling: this thread's rule figures into the run's totals. */
static void prof_rules_merge(DetectThread *dt)
{
    detect_prof_flush(dt);
    for (uint32_t i = 0; i < dt->de->n_sigs; i++) {
        const Signature *s = dt->de->sigs[i];
        if (dt->prof_rules[i].checks != 0 &&
            prof_rule_merge(s->gid, s->sid, s->rev, s->msg, &dt->prof_rules[i]) != 0) {
            VG_WARN("profiling: out of memory; rule figures of this thread are incomplete");
            break;
        }
    }
}

void detect_thread_free(DetectThread *dt)
{
    if (dt == NULL) {
        return;
    }
    if (dt->prof_rules != NULL) {
        prof_rules_merge(dt);
        free(dt->prof_rules);
    }
    free(dt->cand);
    free(dt->cand_seen);
    free(dt->pf_hits);
    pcre2_match_data_free(dt->pcre_md);
    pcre2_match_context_free(dt->pcre_mc);
    detect_prefilter_scratch_free(dt->pf_scratch);
    detect_stream_thread_free(dt);
    detect_tx_thread_free(dt);
    detect_frame_thread_free(dt);
    if (dt->fe_pkt != NULL) {
        detect_packet_alerts_free(dt->fe_pkt);
        free(dt->fe_pkt);
    }
    free(dt->b64);
    free(dt->own_counters);
    free(dt);
}

/* ---- header and rule matching ------------------------------------------- */

static bool proto_ok(const Signature *s, const Packet *p)
{
    if (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6) {
        return (s->flags & SIG_F_PKTHDR) || ((s->flags & SIG_F_ARP) && p->l3 == PKT_L3_ARP);
    }
    if (((s->flags & SIG_F_IPV4_ONLY) && p->l3 != PKT_L3_IPV4) ||
        ((s->flags & SIG_F_IPV6_ONLY) && p->l3 != PKT_L3_IPV6)) {
        return false;
    }
    return (s->protos[p->proto / 8] & (1u << (p->proto % 8))) != 0;
}

static bool has_ports(const Packet *p)
{
    return p->l4 == PKT_L4_TCP || p->l4 == PKT_L4_UDP ||
           (p->l4 == PKT_L4_OTHER && p->proto == 132); // SCTP: ports from its common header
}

static bool ports_ok(const Signature *s, const Packet *p, bool reversed)
{
    if (s->sp.is_any && s->dp.is_any) {
        return true;
    }
    if (!has_ports(p)) {
        return false;
    }
    uint16_t sp = reversed ? p->dp : p->sp;
    uint16_t dp = reversed ? p->sp : p->dp;
    return detect_port_match(&s->sp, sp) && detect_port_match(&s->dp, dp);
}

static bool addrs_ok(const Signature *s, const Packet *p, bool reversed)
{
    if (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6) {
        return s->src.is_any && s->dst.is_any;
    }
    const VgAddr *src = reversed ? &p->dst : &p->src;
    const VgAddr *dst = reversed ? &p->src : &p->dst;
    return detect_addr_match(&s->src, src) && detect_addr_match(&s->dst, dst);
}

bool detect_sig_header_ok(const Signature *s, const Packet *p)
{
    if (!proto_ok(s, p)) {
        return false;
    }
    if (addrs_ok(s, p, false) && ports_ok(s, p, false)) {
        return true;
    }
    return (s->flags & SIG_F_BIDIR) && addrs_ok(s, p, true) && ports_ok(s, p, true);
}

static bool inspect_list(DetectThread *dt, const Signature *s, int list, const uint8_t *buf,
                         uint32_t len)
{
    bool ok = detect_inspect_payload(dt, s, list, buf, len);
    if (dt->recursion_hit) {
        counters_incr(dt->counters, dt->c_recursion);
    }
    return ok;
}

bool detect_sig_match_list_ok(DetectThread *dt, Packet *p, const Signature *s)
{
    const DetectMatchList *l = &s->lists[DETECT_LIST_MATCH];
    for (uint16_t i = 0; i < l->n; i++) {
        if (!l->m[i].kw->match(dt, p, s, l->m[i].ctx)) {
            return false;
        }
    }
    return true;
}

/* Rules naming an app-layer protocol apply to flows of that protocol; PD-only
 * rules to the packet on which protocol detection ended. */
static bool app_ok(const DetectThread *dt, const Signature *s, const Packet *p)
{
    if ((s->flags & SIG_F_PD_ONLY) && dt->pd_done == 0) {
        return false;
    }
    if (s->alproto == 0) {
        return true;
    }
    AppProto fp = p->flow != NULL ? ((const Flow *)p->flow)->app_proto : APP_PROTO_UNKNOWN;
    /* a doh2 flow is an HTTP/2 flow that carried DNS messages: http2 rules apply;
     * dcerpc rules apply to SMB flows too (DCERPC over named pipes), as in Suricata */
    return fp == s->alproto || (s->alproto == APP_PROTO_HTTP2 && fp == APP_PROTO_DOH2) ||
           (s->alproto == APP_PROTO_DCERPC && fp == APP_PROTO_SMB);
}

/* Inlined in both branches of detect_sig_match: with profiling off, a rule
 * check costs one test of a global more than without the profiling mode. */
static inline __attribute__((always_inline)) bool sig_match(DetectThread *dt, Packet *p,
                                                            const Signature *s)
{
    if (!detect_sig_header_ok(s, p) || !app_ok(dt, s, p) || !detect_sig_match_list_ok(dt, p, s)) {
        return false;
    }
    if (s->lists[DETECT_LIST_PMATCH].n > 0) {
        if (p->payload_len == 0 || (p->flags & PKT_F_NOPAYLOAD_INSPECT)) {
            return false;
        }
        if (!inspect_list(dt, s, DETECT_LIST_PMATCH, p->payload, p->payload_len)) {
            return false;
        }
    }
    for (int li = DETECT_LIST_BUF_FIRST; li < DETECT_LIST_MAX; li++) {
        const uint8_t *buf;
        uint32_t len;
        if (s->lists[li].n == 0 || li == DETECT_LIST_BASE64) { // inspected by base64_decode
            continue;
        }
        if (!detect_buffer_get(p, li, &buf, &len) || !inspect_list(dt, s, li, buf, len)) {
            return false;
        }
    }
    return true;
}

bool detect_sig_match(DetectThread *dt, Packet *p, const Signature *s)
{
    if (!prof_rules_enabled) {
        return sig_match(dt, p, s);
    }
    uint64_t t0 = prof_ticks();
    bool is_match = sig_match(dt, p, s);
    detect_prof_rule(dt, s, t0, is_match);
    return is_match;
}

/* ---- candidates --------------------------------------------------------- */

static void add_cand(DetectThread *dt, uint32_t num)
{
    if (!(dt->cand_seen[num / 8] & (1u << (num % 8)))) {
        dt->cand_seen[num / 8] |= (uint8_t)(1u << (num % 8));
        dt->cand[dt->n_cand++] = num;
    }
}

static void add_cand_cb(void *ctx, uint32_t num)
{
    add_cand(ctx, num);
}

/* A group's candidates: its members without a fast pattern, and those whose
 * fast pattern the packet's prefilter scan found. */
static void add_group(DetectThread *dt, const DetectGroup *g)
{
    if (g == NULL) {
        return;
    }
    for (uint32_t i = 0; i < g->n_nofp; i++) {
        add_cand(dt, g->nofp[i]);
    }
    counters_add(dt->counters, dt->c_nofp, g->n_nofp);
    for (uint32_t i = 0; i < dt->n_pf_hits; i++) {
        uint32_t num = dt->pf_hits[i];
        if (g->fp_member[num / 8] & (1u << (num % 8))) {
            add_cand(dt, num);
        }
    }
}

/* Up to this many candidates are insertion-sorted; more are read back from the bitmap. */
#define CAND_INSERTION_MAX 16u

/* The candidates in rule order, and the dedupe bitmap cleared for the next packet. qsort
 * paid a call per comparison (~6% of the CPU on an HTTP mix); a handful is insertion-
 * sorted, more are read back in order from the bitmap, skipping 64 rules per zero word. */
static void cand_sort(DetectThread *dt)
{
    uint32_t n = dt->n_cand;
    uint32_t *c = dt->cand;
    if (n <= CAND_INSERTION_MAX) {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t v = c[i];
            uint32_t j = i;
            for (; j > 0 && c[j - 1] > v; j--) {
                c[j] = c[j - 1];
            }
            c[j] = v;
            dt->cand_seen[v / 8] = 0;
        }
        return;
    }
    uint32_t n_words = cand_seen_words(dt->de);
    uint32_t k = 0;
    for (uint32_t w = 0; w < n_words && k < n; w++) {
        uint8_t *seen = dt->cand_seen + (size_t)w * 8u;
        uint64_t word;
        memcpy(&word, seen, sizeof(word));
        if (word == 0) {
            continue;
        }
        for (uint32_t b = 0; b < 8; b++) {
            uint32_t byte = seen[b];
            while (byte != 0) {
                c[k++] = (w * 8u + b) * 8u + (uint32_t)__builtin_ctz(byte);
                byte &= byte - 1u;
            }
        }
        memset(seen, 0, 8);
    }
}

/* The kind of prefilter scan (DETECT_PF_*) of p's payload: see DetectEngine.pf. */
static int pf_kind(const DetectThread *dt, const Packet *p)
{
    if (dt->stream_insp) {
        return DETECT_PF_VIEW;    // inspect_view: p is the view
    }
    if (p->l4 == PKT_L4_TCP && p->proto == 6 && (p->stream_flags & PKT_STREAM_ADDED)) {
        return DETECT_PF_TCP_ADDED;
    }
    if (p->l4 == PKT_L4_UDP && p->proto == 17) {
        return DETECT_PF_UDP;
    }
    return DETECT_PF_ALL;
}

static inline __attribute__((always_inline)) void collect(DetectThread *dt, const Packet *p)
{
    const DetectEngine *de = dt->de;
    const DetectGroup *groups[3];
    int n = detect_groups_for_packet(de, p, groups);
    dt->n_cand = 0;
    dt->n_pf_hits = 0;
    if (n > 0 && p->payload_len > 0 && !(p->flags & PKT_F_NOPAYLOAD_INSPECT)) {
        detect_prefilter_search(dt, pf_kind(dt, p), p->payload, p->payload_len, p->flags);
    }
    for (int i = 0; i < n; i++) {
        add_group(dt, groups[i]);
    }
    detect_iponly_candidates(de->iponly, p, add_cand_cb, dt);
    cand_sort(dt);
}

void detect_collect(DetectThread *dt, const Packet *p)
{
    if (!prof_enabled) {
        collect(dt, p);
        return;
    }
    uint64_t t0 = prof_ticks();
    collect(dt, p);
    prof_sub_end(PROF_SUB_PREFILTER, "detect.prefilter", t0);
}

/* ---- alerts ------------------------------------------------------------- */

static PacketAlerts *alerts_of(Packet *p)
{
    if (p->alerts == NULL) {
        p->alerts = calloc(1, sizeof(PacketAlerts));
    }
    return p->alerts;
}

const PacketAlerts *detect_packet_alerts(const Packet *p)
{
    /* The list is reused across packets: n_alerts says whether it is this one's. */
    return p->n_alerts > 0 ? p->alerts : NULL;
}

void detect_packet_alerts_free(Packet *p)
{
    free(p->alerts);
    p->alerts = NULL;
    p->n_alerts = 0;
}

static void add_alert(const DetectEngine *de, PacketAlerts *pa, const Signature *s,
                      uint8_t action, uint8_t flags, uint64_t tx_id)
{
    if (pa == NULL) {
        return;
    }
    if (pa->n >= de->alerts_max || pa->n >= DETECT_ALERTS_MAX) {
        pa->n_discarded++;
        return;
    }
    if (de->fw != NULL) {
        flags |= PACKET_ALERT_F_FW_MODE | (s->fw != NULL ? PACKET_ALERT_F_FW : 0);
    }
    pa->alerts[pa->n++] = (PacketAlert){
        .sid = s->sid, .gid = s->gid, .rev = s->rev, .action = action,
        .priority = s->priority, .msg = s->msg ? s->msg : "",
        .class_name = s->cls ? s->cls->name : NULL, .class_msg = s->cls ? s->cls->msg : NULL,
        .metadata = s->meta, .n_metadata = s->n_meta, .sig = s, .flags = flags,
        .tx_id = (flags & PACKET_ALERT_F_TX) ? tx_id : 0,
    };
}

void detect_alert_add(DetectThread *dt, Packet *p, PacketAlerts *pa, const Signature *s,
                      uint8_t action)
{
    if (pa != NULL && (pa->n >= dt->de->alerts_max || pa->n >= DETECT_ALERTS_MAX)) {
        counters_incr(dt->counters, dt->c_fw_discarded);  // a firewall alert lost to the cap
    }
    add_alert(dt->de, pa, s, action, dt->alert_flags, dt->alert_tx_id);
    p->flags |= PKT_F_ALERTED;
    if (p->flow != NULL) {
        ((Flow *)p->flow)->flags |= FLOW_F_ALERTED;
    }
    counters_incr(dt->counters, dt->c_alerts);
}

void detect_run_post(DetectThread *dt, Packet *p, const Signature *s)
{
    const DetectMatchList *l = &s->lists[DETECT_LIST_POST];
    for (uint16_t i = 0; i < l->n; i++) {
        (void)l->m[i].kw->match(dt, p, s, l->m[i].ctx);
    }
}

/* Whether a drop or pass of s, matched as dt->alert_flags say, applies to
 * the whole flow rather than this packet alone. As Suricata decides it: the
 * match was on the stream or an app-layer transaction, or the rule looks only
 * at addresses, ports and flow state (IP-only and like it), the detected
 * protocol (PD-only) or names an
 * app-layer protocol in its header. A packet rule (`drop tcp ... dsize:0`)
 * drops or passes its packet only. */
static bool action_scope_is_flow(const DetectThread *dt, const Signature *s)
{
    if (s->scope != DETECT_SCOPE_AUTO) {
        return s->scope == DETECT_SCOPE_FLOW;
    }
    if (dt->alert_flags & (PACKET_ALERT_F_STREAM | PACKET_ALERT_F_TX)) {
        return true;
    }
    return (s->flags & (SIG_F_IPONLY | SIG_F_LIKE_IPONLY | SIG_F_PD_ONLY | SIG_F_APP_TX)) ||
           s->alproto != 0;
}

bool detect_on_match(DetectThread *dt, Packet *p, PacketAlerts *pa, const Signature *s)
{
    const DetectEngine *de = dt->de;
    detect_run_post(dt, p, s);
    if (dt->n_vars_pending > 0) {
        detect_vars_commit(dt, p, s);
    }
    uint8_t action = s->action;
    bool is_suppressed = false;
    if (!detect_threshold_check(dt, s, p, &action, &is_suppressed)) {
        return false;
    }
    bool to_flow = p->flow != NULL && action_scope_is_flow(dt, s);
    bool alerts = !(s->flags & SIG_F_NOALERT) && !is_suppressed;
    if (action == DETECT_ACTION_PASS) {
        if (s->num < dt->pass_num) {
            dt->pass_num = s->num;
            dt->pass_to_flow = to_flow;
        }
        if ((s->flags & SIG_F_PASS_ALERT) && alerts) {
            uint8_t flags = dt->alert_flags;
            uint64_t tx_id = dt->alert_tx_id;
            detect_alert_guess_tx(dt, p, s, &flags, &tx_id);
            add_alert(de, pa, s, action, flags, tx_id);
            p->flags |= PKT_F_ALERTED;
            counters_incr(dt->counters, dt->c_alerts);
        }
        return true;
    }
    if (action != DETECT_ACTION_ALERT) {
        if (!(p->flags & PKT_F_DROP) && action != s->action) {
            p->drop_reason = PKT_DROP_THRESHOLD;  // a rate_filter made this a drop
        }
        p->flags |= PKT_F_DROP;
        if (to_flow && !(((Flow *)p->flow)->flags & FLOW_F_PASS)) {
            p->flags |= PKT_F_DROP_FLOW;
        }
        if (s->num < dt->drop_num) {
            dt->drop_num = s->num;
        }
    }
    if (alerts) {
        /* a packet or stream match may log a tx (not for its action's scope) */
        uint8_t flags = dt->alert_flags;
        uint64_t tx_id = dt->alert_tx_id;
        detect_alert_guess_tx(dt, p, s, &flags, &tx_id);
        add_alert(de, pa, s, action, flags, tx_id);
        p->flags |= PKT_F_ALERTED;
        if (p->flow != NULL) {
            ((Flow *)p->flow)->flags |= FLOW_F_ALERTED;
        }
        counters_incr(dt->counters, dt->c_alerts);
    }
    return false;
}

/* Resolves the packet's actions in rule order, as Suricata does once all
 * matches are in: a pass ordered before every drop cancels the drops, and
 * the alerts of rules ordered after the pass are discarded. A flow-scoped
 * pass then passes the flow, unless its drop came first. */
void detect_resolve_actions(DetectThread *dt, Packet *p, PacketAlerts *pa)
{
    if (dt->pass_num == UINT32_MAX) {
        return;
    }
    bool fw_drop = p->drop_reason >= PKT_DROP_FW_RULES && p->drop_reason <= PKT_DROP_FW_APP_POLICY;
    if (dt->pass_num < dt->drop_num && !fw_drop) {
        p->flags &= ~(uint32_t)(PKT_F_DROP | PKT_F_DROP_FLOW);
        p->drop_reason = PKT_DROP_NONE;
        p->flags |= PKT_F_PASS;
    }
    if (pa != NULL) {
        uint16_t n = 0;
        for (uint16_t i = 0; i < pa->n; i++) {
            if (pa->alerts[i].sig == NULL || pa->alerts[i].sig->num <= dt->pass_num) {
                pa->alerts[n++] = pa->alerts[i];
            }
        }
        pa->n = n;
        if (n == 0) {
            p->flags &= ~(uint32_t)PKT_F_ALERTED;
        }
    }
    Flow *f = p->flow;
    if (dt->pass_to_flow && f != NULL && !(f->flags & FLOW_F_DROP) &&
        !(p->flags & PKT_F_DROP_FLOW)) {
        f->flags |= FLOW_F_PASS;
    }
}

void detect_packet(DetectThread *dt, Packet *p)
{
    PacketAlerts *pa = alerts_of(p);
    dt->pass_num = UINT32_MAX;
    dt->drop_num = UINT32_MAX;
    dt->pass_to_flow = false;
    if (pa != NULL) {
        pa->n = 0;
        pa->n_discarded = 0;
        pa->n_vars = 0;
    }
    dt->n_vars_pending = 0;
    p->n_alerts = 0;
    dt->fw_td_skip = false;
    if (dt->de->fw != NULL) {
        p->flags |= PKT_F_FIREWALL;
    }
    bool td_passed = p->flow != NULL && (((const Flow *)p->flow)->flags & FLOW_F_PASS);
    int fw = DETECT_FW_V_ACCEPT_FLOW;
    if (dt->de->fw != NULL) {
        /* firewall mode: packet:filter first; a TD pass skips only the TD tables */
        fw = detect_fw_packet(dt, p, pa);
        if (fw == DETECT_FW_V_DROP) {
            p->n_alerts = pa ? pa->n : 0;
            return;
        }
    }
    if (td_passed || dt->fw_td_skip) {
        if (fw != DETECT_FW_V_ACCEPT_FLOW && fw != DETECT_FW_V_ACCEPT_PACKET) {
            (void)detect_fw_app(dt, p, pa);
        }
        p->n_alerts = pa ? pa->n : 0;
        return;
    }
    detect_app_packet_begin(dt, p);
    /* encrypted TLS/SSH (encryption-handling default): no more content inspection */
    bool no_payload = p->flow != NULL && app_layer_flow_no_inspection(p->flow);
    /* ... but a stream view of data from before the encryption (inspected on a
     * later packet) still is. */
    bool view_clear = p->flow == NULL || p->stream_data == NULL ||
                      app_layer_flow_stream_clear(p->flow,
                                                  (p->stream_flags & PKT_STREAM_TOSERVER) ? 0 : 1,
                                                  p->stream_view_off, p->stream_data_len);
    bool stop = (!no_payload || (p->stream_data != NULL && view_clear)) &&
                detect_stream_inspect(dt, p, pa);
    if (!stop) {
        detect_collect(dt, p);
        counters_add(dt->counters, dt->c_inspected, dt->n_cand);
    }
    for (uint32_t i = 0; !stop && i < dt->n_cand; i++) {
        const Signature *s = dt->de->sigs[dt->cand[i]];
        if (!detect_stream_pkt_allowed(dt, p, s) ||
            (no_payload && (s->flags & SIG_F_HAS_PAYLOAD))) {
            continue;
        }
        stop = detect_sig_match(dt, p, s) && detect_on_match(dt, p, pa, s);
    }
    /* app:filter: not after a TD flow drop on this packet (the flow is gone) */
    if (fw == DETECT_FW_V_NEXT && !(p->flags & PKT_F_DROP_FLOW) &&
        detect_fw_app(dt, p, pa) == DETECT_FW_V_DROP) {
        stop = true;
    }
    if (!stop && p->flow != NULL && !(((const Flow *)p->flow)->flags & FLOW_F_PASS) &&
        !dt->fw_td_skip) {
        if (!detect_tx_inspect(dt, p, pa, false)) {
            (void)detect_frame_inspect(dt, p, pa, false);
        }
    }
    detect_resolve_actions(dt, p, pa);
    detect_app_packet_end(dt, p);
    detect_guess_packet_end(dt, p);
    p->n_alerts = pa ? pa->n : 0;
    if (dt->de->has_tags) {
        detect_tag_packet(dt, p);
    }
    if (pa != NULL && pa->n_discarded > 0) {
        counters_add(dt->counters, dt->c_alert_overflow, pa->n_discarded);
    }
    if (prof_rules_enabled) {
        detect_prof_flush(dt);
    }
}

void detect_print_keywords(FILE *out)
{
    for (size_t i = 0; i < detect_n_keywords; i++) {
        fprintf(out, "%-18s %s\n", detect_keywords[i]->name, detect_keywords[i]->desc);
    }
}
