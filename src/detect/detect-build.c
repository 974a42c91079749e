/* Compiling the rule set: signature order, groups and prefilters.
 *
 * Order (num): action order (pass, drop, reject, alert by default), then rules
 * that set flowbits before those that read them, then priority, then load
 * order. Alerts come out in that order, as Suricata's do.
 *
 * Groups: TCP and UDP rules are indexed by port. A rule with a specific
 * destination port goes to the destination-port table; one with only a
 * specific source port to the source-port table; bidirectional rules to both
 * sides; rules with any ports go to one group per protocol. A packet's
 * candidates are the union of any-port group, group(dp) and group(sp). Other
 * protocols get one group per IP protocol; packets without IP only see pkthdr
 * rules. Identical rule lists share one group. Each group has a prefilter over
 * its rules' fast patterns; rules without one are always inspected.
 * IP-only rules (no keywords inspecting the packet, any ports) are checked by
 * address for every IP packet. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"
#include "util/util-log.h"

static const DetectEngine *sort_engine;  // qsort context, start-up only

static int sig_order(const void *a, const void *b)
{
    const Signature *x = *(Signature *const *)a;
    const Signature *y = *(Signature *const *)b;
    int rx = sort_engine->action_rank[x->action];
    int ry = sort_engine->action_rank[y->action];
    if (rx != ry) {
        return rx - ry;
    }
    int fx = (x->flags & SIG_F_FLOWBITS_SET) ? 0 : ((x->flags & SIG_F_FLOWBITS_READ) ? 2 : 1);
    int fy = (y->flags & SIG_F_FLOWBITS_SET) ? 0 : ((y->flags & SIG_F_FLOWBITS_READ) ? 2 : 1);
    if (fx != fy) {
        return fx - fy;
    }
    if (x->priority != y->priority) {
        return x->priority - y->priority;
    }
    return x->load_idx < y->load_idx ? -1 : (x->load_idx > y->load_idx);
}

static void order_sigs(DetectEngine *de)
{
    if (de->n_sigs == 0) {
        return;
    }
    sort_engine = de;
    qsort(de->sigs, de->n_sigs, sizeof(de->sigs[0]), sig_order);
    sort_engine = NULL;
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        de->sigs[i]->num = i;
    }
}

/* ---- group construction ------------------------------------------------- */

typedef struct GroupBuilder {
    DetectEngine *de;
    uint32_t *list;                    // scratch: nums of the group being built
    uint32_t n;
} GroupBuilder;

static void group_free(DetectGroup *g)
{
    if (g != NULL) {
        free(g->sigs);
        free(g->nofp);
        free(g->fp_member);
        free(g);
    }
}

void detect_groups_free(DetectEngine *de)
{
    for (uint32_t i = 0; i < de->n_groups; i++) {
        group_free(de->groups[i]);
    }
    free(de->groups);
    free(de->tcp_dp);
    free(de->tcp_sp);
    free(de->udp_dp);
    free(de->udp_sp);
    free(de->iponly_sigs);
    detect_iponly_free(de->iponly);
    for (int k = 0; k < DETECT_PF_KINDS; k++) {
        for (int dir = 0; dir < 2; dir++) {
            detect_prefilter_free(de->pf[k][dir]);
            de->pf[k][dir] = NULL;
        }
    }
    detect_tx_engine_free(de);
    detect_frame_engine_free(de);
    de->iponly = NULL;
    de->groups = NULL;
    de->n_groups = 0;
    de->tcp_dp = de->tcp_sp = de->udp_dp = de->udp_sp = NULL;
    de->iponly_sigs = NULL;
}

static bool has_fp(const Signature *s)
{
    return s->fp != NULL && !(s->fp->flags & DETECT_CONTENT_NEGATED);
}

/* Splits a group into members the prefilter can select and the rest. */
static int group_compile(DetectEngine *de, DetectGroup *g)
{
    g->nofp = malloc((g->n_sigs + 1) * sizeof(uint32_t));
    g->fp_member = calloc(de->n_sigs / 8 + 1, 1);
    if (g->nofp == NULL || g->fp_member == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < g->n_sigs; i++) {
        const Signature *s = de->sigs[g->sigs[i]];
        if (has_fp(s)) {
            g->fp_member[s->num / 8] |= (uint8_t)(1u << (s->num % 8));
        } else {
            g->nofp[g->n_nofp++] = s->num;
        }
    }
    return 0;
}

/* Whether s can't match a packet of direction dir (0 to the server, 1 to the
 * client) before any check with an effect: its first packet check is the flow
 * keyword asking for the other direction (header and protocol checks come
 * before it and have none). */
static bool never_in_dir(const Signature *s, int dir)
{
    const DetectMatchList *l = &s->lists[DETECT_LIST_MATCH];
    if (l->n == 0 || l->m[0].kw != &detect_kw_flow) {
        return false;
    }
    return (s->flags & (dir == 0 ? SIG_F_TOCLIENT : SIG_F_TOSERVER)) != 0;
}

/* Whether s covers IP protocol proto. */
static bool covers(const Signature *s, uint8_t proto)
{
    return (s->protos[proto / 8] & (1u << (proto % 8))) != 0;
}

/* Whether a scan of kind (DETECT_PF_*) can give s as a candidate that is then
 * inspected: stream views inspect stream rules only (inspect_view), the payload of
 * a TCP packet that went into the stream the rules detect_stream_pkt_allowed lets
 * through (not a stream rule, or one that inspects packets too), a UDP packet the
 * rules covering UDP (proto_ok). Leaving the others out changes no result. */
static bool in_kind(const Signature *s, int kind)
{
    switch (kind) {
    case DETECT_PF_VIEW:
        return (s->flags & SIG_F_STREAM) != 0;
    case DETECT_PF_TCP_ADDED:
        return covers(s, 6) && (!(s->flags & SIG_F_STREAM) ||
                                ((s->flags & SIG_F_PKT_TOO) && !(s->flags & SIG_F_STREAM_ONLY)));
    case DETECT_PF_UDP:
        return covers(s, 17);
    default:
        return true;
    }
}

/* The engine's prefilters, one per kind of scan and packet direction: the fast
 * pattern of every signature that some group selects by fast pattern and that can
 * match a packet of that direction on that kind of scan (in_kind). A rule with
 * flow:to_server is then not a candidate on the answers (most ET Open rules give a
 * direction); stream rules are not looked for in the payload of the packets whose
 * data the stream views carry (most TCP data), UDP packets are not scanned for the
 * fast patterns of TCP rules. */
static int prefilter_compile(DetectEngine *de)
{
    for (int k = 0; k < DETECT_PF_KINDS; k++) {
        for (int dir = 0; dir < 2; dir++) {
            de->pf[k][dir] = detect_prefilter_new(de->mpm_algo);
            if (de->pf[k][dir] == NULL) {
                return VG_ENOMEM;
            }
        }
    }
    uint8_t *in_group = calloc(de->n_sigs / 8 + 1, 1);
    if (in_group == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < de->n_groups; i++) {
        const DetectGroup *g = de->groups[i];
        for (uint32_t b = 0; b < de->n_sigs / 8 + 1; b++) {
            in_group[b] |= g->fp_member[b];
        }
    }
    int rc = 0;
    for (uint32_t n = 0; n < de->n_sigs && rc == 0; n++) {
        if (!(in_group[n / 8] & (1u << (n % 8)))) {
            continue;
        }
        const Signature *s = de->sigs[n];
        const DetectContent *fp = s->fp;
        for (int k = 0; k < DETECT_PF_KINDS && rc == 0; k++) {
            for (int dir = 0; dir < 2 && rc == 0; dir++) {
                if (in_kind(s, k) && !never_in_dir(s, dir)) {
                    rc = detect_prefilter_add(de->pf[k][dir], fp->pat + fp->fp_off, fp->fp_len,
                                              (fp->flags & DETECT_CONTENT_NOCASE) != 0, n);
                }
            }
        }
    }
    free(in_group);
    if (rc == 0) {
        DetectPrefilter *pfs[DETECT_PF_KINDS * 2];
        for (int k = 0; k < DETECT_PF_KINDS; k++) {
            pfs[k * 2] = de->pf[k][0];
            pfs[k * 2 + 1] = de->pf[k][1];
        }
        rc = detect_prefilter_compile_many(pfs, DETECT_PF_KINDS * 2);
    }
    return rc;
}

/* Returns the index + 1 of a group holding exactly gb->list, making it if new. */
static int group_intern(GroupBuilder *gb, uint16_t *out)
{
    DetectEngine *de = gb->de;
    if (gb->n == 0) {
        *out = 0;
        return 0;
    }
    for (uint32_t i = 0; i < de->n_groups; i++) {
        const DetectGroup *g = de->groups[i];
        if (g->n_sigs == gb->n && memcmp(g->sigs, gb->list, gb->n * sizeof(uint32_t)) == 0) {
            *out = (uint16_t)(i + 1);
            return 0;
        }
    }
    if (de->n_groups >= 65535) {
        return VG_ERANGE;
    }
    DetectGroup **gs = realloc(de->groups, (de->n_groups + 1) * sizeof(*gs));
    if (gs == NULL) {
        return VG_ENOMEM;
    }
    de->groups = gs;
    DetectGroup *g = calloc(1, sizeof(*g));
    if (g == NULL) {
        return VG_ENOMEM;
    }
    gs[de->n_groups++] = g;
    g->sigs = malloc(gb->n * sizeof(uint32_t));
    if (g->sigs == NULL) {
        return VG_ENOMEM;
    }
    memcpy(g->sigs, gb->list, gb->n * sizeof(uint32_t));
    g->n_sigs = gb->n;
    int rc = group_compile(de, g);
    *out = (uint16_t)de->n_groups;
    return rc;
}

/* Whether s has `ip_proto:N` (one protocol, not negated) among its packet checks, and
 * which: it can only match IP packets of protocol N (match_ip_proto). */
static bool ip_proto_only(const Signature *s, uint8_t *proto)
{
    const DetectMatchList *l = &s->lists[DETECT_LIST_MATCH];
    for (uint16_t i = 0; i < l->n; i++) {
        const DetectUint *u = l->m[i].ctx;
        if (l->m[i].kw == &detect_kw_ip_proto && u->mode == DETECT_U_EQ && u->lo <= 255) {
            *proto = (uint8_t)u->lo;
            return true;
        }
    }
    return false;
}

/* Whether s belongs in the packet groups of proto: tx rules never do, they are
 * inspected per transaction (detect-tx.c); a rule with `ip_proto:N` is only in
 * those of N (an `ip` rule with ip_proto:41 was a candidate on every packet). */
static bool has_proto(const Signature *s, uint8_t proto)
{
    if ((s->flags & SIG_F_APP_TX) || !(s->protos[proto / 8] & (1u << (proto % 8)))) {
        return false;
    }
    uint8_t only;
    return !ip_proto_only(s, &only) || only == proto;
}

/* Which port set indexes s in the table for `side` (0 = dst, 1 = src). */
static const DetectPortSet *index_set(const Signature *s, int side)
{
    bool bidir = (s->flags & SIG_F_BIDIR) != 0;
    const DetectPortSet *key = !s->dp.is_any ? &s->dp : (!s->sp.is_any ? &s->sp : NULL);
    if (key == NULL) {
        return NULL;  // any/any: in the protocol's any-port group instead
    }
    if (bidir) {
        return key;
    }
    if (key == &s->dp) {
        return side == 0 ? key : NULL;
    }
    return side == 1 ? key : NULL;
}

/* Builds a 65536-entry port table for proto and side. */
static int build_port_table(DetectEngine *de, uint8_t proto, int side, uint16_t **out)
{
    uint16_t *table = calloc(65536, sizeof(uint16_t));
    uint8_t *mark = calloc(65537, 1);
    GroupBuilder gb = { de, malloc((de->n_sigs + 1) * sizeof(uint32_t)), 0 };
    uint32_t *elig = malloc((de->n_sigs + 1) * sizeof(uint32_t));  // the rules indexed here
    uint32_t n_elig = 0;
    int rc = VG_ENOMEM;
    if (table == NULL || mark == NULL || gb.list == NULL || elig == NULL) {
        goto done;
    }
    mark[0] = 1;
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        const Signature *s = de->sigs[i];
        const DetectPortSet *ps = index_set(s, side);
        if (!has_proto(s, proto) || (s->flags & SIG_F_IPONLY) || ps == NULL) {
            continue;
        }
        elig[n_elig++] = i;
        for (uint32_t r = 0; r < ps->ports.n; r++) {
            mark[(uint32_t)ps->ports.r[r].lo] = 1;
            mark[(uint32_t)ps->ports.r[r].hi + 1] = 1;
        }
    }
    rc = 0;
    for (uint32_t start = 0; start < 65536 && rc == 0;) {
        uint32_t end = start + 1;
        while (end < 65536 && !mark[end]) {
            end++;
        }
        gb.n = 0;
        for (uint32_t k = 0; k < n_elig; k++) {
            uint32_t i = elig[k];
            if (detect_rangeset_contains(&index_set(de->sigs[i], side)->ports, start)) {
                gb.list[gb.n++] = i;
            }
        }
        uint16_t gi;
        rc = group_intern(&gb, &gi);
        for (uint32_t p = start; p < end; p++) {
            table[p] = gi;
        }
        start = end;
    }
done:
    free(mark);
    free(elig);
    free(gb.list);
    if (rc != 0) {
        free(table);
        return rc;
    }
    *out = table;
    return 0;
}

/* TCP/UDP rules with any ports: one group per protocol, scanned for every
 * packet of it, so port groups stay small (and cheap to compile). */
static int build_anyport_group(DetectEngine *de, uint8_t proto, uint16_t *out)
{
    GroupBuilder gb = { de, malloc((de->n_sigs + 1) * sizeof(uint32_t)), 0 };
    if (gb.list == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        const Signature *s = de->sigs[i];
        if (has_proto(s, proto) && !(s->flags & SIG_F_IPONLY) && s->sp.is_any && s->dp.is_any) {
            gb.list[gb.n++] = i;
        }
    }
    int rc = group_intern(&gb, out);
    free(gb.list);
    return rc;
}

static int build_proto_groups(DetectEngine *de)
{
    GroupBuilder gb = { de, malloc((de->n_sigs + 1) * sizeof(uint32_t)), 0 };
    int rc = gb.list ? 0 : VG_ENOMEM;
    for (unsigned proto = 0; proto < 256 && rc == 0; proto++) {
        if (proto == 6 || proto == 17) {
            continue;
        }
        gb.n = 0;
        for (uint32_t i = 0; i < de->n_sigs; i++) {
            const Signature *s = de->sigs[i];
            if (has_proto(s, (uint8_t)proto) && !(s->flags & SIG_F_IPONLY)) {
                gb.list[gb.n++] = i;
            }
        }
        rc = group_intern(&gb, &de->proto_group[proto]);
    }
    if (rc == 0) {
        gb.n = 0;
        for (uint32_t i = 0; i < de->n_sigs; i++) {
            if (de->sigs[i]->flags & (SIG_F_PKTHDR | SIG_F_ARP)) {
                gb.list[gb.n++] = i;
            }
        }
        uint16_t gi = 0;
        rc = group_intern(&gb, &gi);
        de->nonip = gi ? de->groups[gi - 1] : NULL;
    }
    free(gb.list);
    return rc;
}

/* Rules scanned without a fast pattern in at least one group, each counted
 * once however many port/protocol groups hold it. */
static int count_nofp_rules(DetectEngine *de)
{
    uint8_t *seen = calloc(de->n_sigs / 8 + 1, 1);
    if (seen == NULL) {
        return VG_ENOMEM;
    }
    de->n_nofp_total = 0;
    for (uint32_t i = 0; i < de->n_groups; i++) {
        const DetectGroup *g = de->groups[i];
        for (uint32_t j = 0; j < g->n_nofp; j++) {
            uint32_t n = g->nofp[j];
            if (!(seen[n / 8] & (1u << (n % 8)))) {
                seen[n / 8] |= (uint8_t)(1u << (n % 8));
                de->n_nofp_total++;
            }
        }
    }
    free(seen);
    return 0;
}

static int build_iponly(DetectEngine *de)
{
    de->iponly_sigs = malloc((de->n_sigs + 1) * sizeof(uint32_t));
    if (de->iponly_sigs == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        if (de->sigs[i]->flags & SIG_F_IPONLY) {
            de->iponly_sigs[de->n_iponly++] = i;
        }
    }
    return detect_iponly_build(de, &de->iponly);
}

int detect_build_groups(DetectEngine *de)
{
    order_sigs(de);
    int rc = build_port_table(de, 6, 0, &de->tcp_dp);
    if (rc == 0) {
        rc = build_port_table(de, 6, 1, &de->tcp_sp);
    }
    if (rc == 0) {
        rc = build_port_table(de, 17, 0, &de->udp_dp);
    }
    if (rc == 0) {
        rc = build_port_table(de, 17, 1, &de->udp_sp);
    }
    if (rc == 0) {
        rc = build_anyport_group(de, 6, &de->tcp_any);
    }
    if (rc == 0) {
        rc = build_anyport_group(de, 17, &de->udp_any);
    }
    if (rc == 0) {
        rc = build_proto_groups(de);
    }
    if (rc == 0) {
        rc = count_nofp_rules(de);
    }
    if (rc == 0) {
        rc = build_iponly(de);
    }
    if (rc == 0) {
        rc = prefilter_compile(de);
    }
    if (rc != 0) {
        VG_ERROR("detection: can't build rule groups (error %d)", rc);
        detect_groups_free(de);
        return rc;
    }
    return 0;
}

static const DetectGroup *group_at(const DetectEngine *de, uint16_t idx)
{
    return idx ? de->groups[idx - 1] : NULL;
}

int detect_groups_for_packet(const DetectEngine *de, const Packet *p, const DetectGroup **out)
{
    int n = 0;
    if (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6) {
        out[n] = de->nonip;
        return out[n] ? 1 : 0;
    }
    if (p->l4 == PKT_L4_TCP || p->l4 == PKT_L4_UDP) {
        bool tcp = p->l4 == PKT_L4_TCP;
        const DetectGroup *g[3] = { group_at(de, tcp ? de->tcp_any : de->udp_any),
                                    group_at(de, (tcp ? de->tcp_dp : de->udp_dp)[p->dp]),
                                    group_at(de, (tcp ? de->tcp_sp : de->udp_sp)[p->sp]) };
        for (int i = 0; i < 3; i++) {
            if (g[i] != NULL && (i < 2 || g[i] != g[1])) {
                out[n++] = g[i];
            }
        }
        return n;
    }
    /* TCP/UDP whose header did not decode: only port-less rules can apply,
     * and those live in the protocol's any-port group. */
    if (p->proto == 6 || p->proto == 17) {
        out[n] = group_at(de, p->proto == 6 ? de->tcp_any : de->udp_any);
        return out[n] ? 1 : 0;
    }
    out[n] = group_at(de, de->proto_group[p->proto]);
    return out[n] ? 1 : 0;
}
