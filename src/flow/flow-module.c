/* The flow thread module: attach each IP packet to its flow.
 *
 * The flow is looked up (and counted) under its lock, then unlocked at once:
 * the packet keeps a reference until it ends (flow_module_packet_done), and
 * later stages take f->lock themselves while they touch flow state. That way
 * no lock is held across queues or modules.
 *
 * Timeouts: each flow thread ends its own idle flows (those only it has
 * touched) in packet time, from its packet path: a pass at the clock of the
 * packet it is at, once that clock enters a new second and at least
 * FLOW_PASS_MIN_PKTS packets went by (every new second in emergency mode).
 * The clock of a packet never runs ahead of a later one of the same flow,
 * so a pass never ends a flow that a queued packet would still have kept
 * alive: which flows end by timeout depends on the packets alone, in every
 * runmode. The rest end at the end of the capture (flow_table_end_all_at).
 *
 * Memcap on capture files (packet order on): one share for all threads
 * (flow_table_set_ordered). Near the memcap or in emergency mode a packet
 * waits for every earlier one to be released before it touches the table
 * (here, and in the steering thread for tunnel flows), so the memcap decides
 * on exactly the flows the single runmode would have at that packet. In
 * emergency mode the first packet of each new second of packet time passes
 * over every flow (flow_table_emergency_pass) instead of the thread's own
 * pass. flow.memcap-policy applies to a packet left without a flow. */
#include "flow/flow-module.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "flow/flow-internal.h"
#include "flow/flow.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/runtime-order.h"
#include "runtime/runtime.h"

void flow_module_packet_done(Packet *p)
{
    Flow *f = p->flow;
    if (f != NULL) {
        p->flow = NULL;
        flow_ref_drop(f);
    }
}

/* ICMP flow records carry the first message's type/code each way; errors
 * attached to another flow (embedded header) do not count. Flow locked. */
static void note_icmp(Flow *f, const Packet *p)
{
    if ((p->l4 != PKT_L4_ICMPV4 && p->l4 != PKT_L4_ICMPV6) || p->icmp.has_emb) {
        return;
    }
    if ((p->flags & PKT_F_TOSERVER) && f->pkts_toserver == 1) {
        f->icmp_type = p->icmp.type;
        f->icmp_code = p->icmp.code;
    } else if ((p->flags & PKT_F_TOCLIENT) && !(f->flags & FLOW_F_ICMP_RESP)) {
        f->icmp_resp_type = p->icmp.type;
        f->icmp_resp_code = p->icmp.code;
        f->flags |= FLOW_F_ICMP_RESP;
    }
}

/* Packets between two passes of a thread: on sparse captures (days of
 * packet time, few packets a second) a pass per second of packet time would
 * cost more than the traffic. */
#define FLOW_PASS_MIN_PKTS 512

typedef struct FlowModuleThread {
    int64_t last_pass_sec;
    uint64_t pkts_since_pass;
    FlowExceptionPolicy memcap_policy; // flow.memcap-policy, resolved for the mode
    CounterId c_memcap_policy;         // exception_policy.flow.memcap.<policy>
} FlowModuleThread;

/* flow_bypassed.local_pkts / _bytes: packets of bypassed flows. Registered by every flow
 * thread (the same ids each time), before any packet; the steering thread, which looks up
 * the flows of tunnel packets, counts with them too. */
static _Atomic CounterId g_c_bypass_pkts;
static _Atomic CounterId g_c_bypass_bytes;
static _Atomic bool g_bypass_counters;    // the two above are registered

static int flow_module_thread_init(ThreadVars *tv, void **data)
{
    Engine *e = tv->engine;
    if (e != NULL && e->flow_table != NULL && e->n_flow_owners > 0) {
        /* before any packet; packet order is set up before threads start */
        if (runtime_order_is_enabled()) {
            flow_table_set_ordered(e->flow_table, true);
        } else {
            flow_table_set_owners(e->flow_table, e->n_flow_owners);
        }
    }
    FlowModuleThread *mt = calloc(1, sizeof(*mt));
    if (mt == NULL) {
        return TM_FAILED;
    }
    mt->memcap_policy = FLOW_EXC_IGNORE;
    if (e != NULL && e->flow_table != NULL) {
        bool is_ips = e->is_inline || e->opts.simulate_ips;
        mt->memcap_policy =
            flow_exception_policy_resolve(e->flow_table->cfg.memcap_policy, is_ips, false);
    }
    if (mt->memcap_policy != FLOW_EXC_IGNORE) {
        mt->c_memcap_policy = flow_exception_counters_register("exception_policy.flow.memcap",
                                                               false, mt->memcap_policy);
    }
    atomic_store(&g_c_bypass_pkts, counters_register("flow_bypassed.local_pkts", COUNTER_SUM));
    atomic_store(&g_c_bypass_bytes, counters_register("flow_bypassed.local_bytes", COUNTER_SUM));
    atomic_store(&g_bypass_counters, true);
    *data = mt;
    return TM_OK;
}

static void flow_module_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    free(data);
}

static void maybe_pass(ThreadVars *tv, FlowTable *ft, FlowModuleThread *mt, const Packet *p)
{
    if (mt == NULL) {
        return;
    }
    mt->pkts_since_pass++;
    int64_t now = flow_packet_clock(p);
    if (flow_table_is_one_share(ft) && flow_table_owner_is_emergency(ft, 0)) {
        flow_table_emergency_pass(ft, now, tv->counters);
        return;
    }
    if (now <= mt->last_pass_sec) {
        return;
    }
    if (mt->pkts_since_pass < FLOW_PASS_MIN_PKTS && !flow_table_owner_is_emergency(ft, tv->id)) {
        return;
    }
    mt->last_pass_sec = now;
    mt->pkts_since_pass = 0;
    (void)flow_manager_owned_pass(ft, tv->id, now, tv->counters);
}

/* A packet of a bypassed flow: counted with the flow (done by the lookup) and
 * here, then left alone by stream, app-layer and detect. */
static void note_bypass(ThreadVars *tv, const Flow *f, Packet *p)
{
    if (!flow_is_bypassed(f)) {
        return;
    }
    p->flags |= PKT_F_BYPASS;
    if (tv->counters != NULL && atomic_load(&g_bypass_counters)) {
        counters_incr(tv->counters, atomic_load(&g_c_bypass_pkts));
        counters_add(tv->counters, atomic_load(&g_c_bypass_bytes), p->caplen);
    }
}

/* Near the memcap (or in emergency mode) on a capture file: every earlier
 * packet first (see the file comment). At once otherwise. */
static void order_gate(const FlowTable *ft, const Packet *p)
{
    const Packet *root = p->root != NULL ? p->root : p;
    if (root->order_seq == 0) {
        return;
    }
    uint64_t released = runtime_order_released(); // before the flow count: see the README
    uint64_t window = root->order_seq > released ? root->order_seq - released : 0;
    if (flow_table_wants_order(ft, window)) {
        runtime_order_wait();
    }
}

/* No flow for p: the memcap (flow.memcap-policy, as Suricata's; drop reason
 * "flow memcap"). */
static void memcap_policy(ThreadVars *tv, FlowTable *ft, const FlowModuleThread *mt, Packet *p)
{
    if (mt == NULL) {
        return; // the steering thread: the flow stage tries again and counts
    }
    flow_table_count_refused(ft, tv->counters);
    if (!flow_exception_apply(NULL, p, mt->memcap_policy, PKT_DROP_FLOW_MEMCAP)) {
        return;
    }
    if (tv->counters != NULL) {
        counters_incr(tv->counters, mt->c_memcap_policy);
    }
}

static void attach_flow(ThreadVars *tv, FlowTable *ft, const FlowModuleThread *mt, Packet *p)
{
    bool is_refused = false;
    Flow *f = flow_lookup_full(ft, tv->counters, tv->id, p, &is_refused);
    if (is_refused) {
        memcap_policy(tv, ft, mt, p);
    }
    if (f != NULL) {
        note_bypass(tv, f, p);
        uint8_t me = (uint8_t)tv->id;
        if (atomic_load_explicit(&f->thread_id, memory_order_relaxed) != me) {
            if (f->pkts_toserver + f->pkts_toclient > 1) {
                f->flags |= FLOW_F_SHARED; // packets of it in several flow threads: no owner
            }
            atomic_store_explicit(&f->thread_id, me, memory_order_relaxed);
        }
        note_icmp(f, p);
        p->flow_state = f->state;
        p->flow_counters = (PacketFlowCounters){
            .pkts_toserver = f->pkts_toserver, .pkts_toclient = f->pkts_toclient,
            .bytes_toserver = f->bytes_toserver, .bytes_toclient = f->bytes_toclient,
            .start_sec = f->start_sec, .start_usec = f->start_usec,
        };
        pthread_mutex_unlock(&f->lock); // keep the reference: see the file comment
    }
}

static bool wants_flow(const FlowTable *ft, const Packet *p)
{
    return ft != NULL && p->flow == NULL && (p->l3 == PKT_L3_IPV4 || p->l3 == PKT_L3_IPV6);
}

static int flow_module_process(ThreadVars *tv, Packet *p, void *data)
{
    FlowTable *ft = tv->engine->flow_table;
    if (!wants_flow(ft, p)) {
        return TM_OK;
    }
    order_gate(ft, p);
    maybe_pass(tv, ft, data, p);
    attach_flow(tv, ft, data, p);
    return TM_OK;
}

/* p carried a tunnel: its root holds a packet deeper than p. */
static bool carries_tunnel(const Packet *root, const Packet *p)
{
    for (const Packet *c = root->children; c != NULL; c = c->next_child) {
        if (c->tunnel_depth > p->tunnel_depth) {
            return true;
        }
    }
    return false;
}

/* Looked up by the steering thread: p carried a tunnel here, or its flow
 * may carry one (a tunnel's protocol or port, PKT_F_TUNNEL_PROTO: the
 * decoder sets it whether or not this packet held a tunnel it decodes). */
static bool steer_looks_up(const FlowTable *ft, const Packet *root, const Packet *p)
{
    return wants_flow(ft, p) && ((p->flags & PKT_F_TUNNEL_PROTO) || carries_tunnel(root, p));
}

/* Before a root is steered to a flow thread by its innermost packet, the
 * packets on its way that carried the tunnel (the outer packet, a middle
 * tunnel) get their flows here, in the thread that steers, in capture order.
 * The outer flow of a tunnel gets packets steered by every inner flow it
 * carries (and VXLAN-like tunnels use another outer flow each way), so in
 * the flow threads its packets would meet in an order that depends on
 * scheduling: which side is the client, what the alerts' flow counters say,
 * whether a gap ends it. The flow stage later finds them attached.
 * Every packet of such a flow is looked up here, including those that hold
 * no tunnel (Geneve carrying ARP, a header that is not VXLAN): one thread
 * sees all of them, in capture order. */
static void steer_attach(ThreadVars *tv, FlowTable *ft, Packet *p)
{
    order_gate(ft, p);
    /* One share in emergency mode: the pass a flow thread would run at its
     * first packet of a new second may be due at this one (no memcap policy
     * here: the flow stage looks the packet up again when it has no flow). */
    if (flow_table_is_one_share(ft) && flow_table_owner_is_emergency(ft, 0)) {
        flow_table_emergency_pass(ft, flow_packet_clock(p), tv->counters);
    }
    attach_flow(tv, ft, NULL, p);
}

void flow_module_steer_prepare(ThreadVars *tv, Packet *p)
{
    FlowTable *ft = tv->engine != NULL ? tv->engine->flow_table : NULL;
    for (Packet *c = p->children; c != NULL; c = c->next_child) {
        if (steer_looks_up(ft, p, c)) {
            steer_attach(tv, ft, c);
        }
    }
    if (steer_looks_up(ft, p, p)) {
        steer_attach(tv, ft, p);
    }
}

const TmModule tm_module_flow = {
    .hdr = TM_MODULE_HDR,
    .name = "flow",
    .kind = TM_KIND_FLOW,
    .thread_init = flow_module_thread_init,
    .process = flow_module_process,
    .thread_deinit = flow_module_thread_deinit,
};
