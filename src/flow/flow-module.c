/* The flow thread module: attach each IP packet to its flow.
 *
 * The flow is looked up (and counted) under its lock, then unlocked at once:
 * the packet keeps a reference until it ends (flow_module_packet_done), and
 * later stages take f->lock themselves while they touch flow state. That way
 * no lock is held across queues or modules. */
#include "flow/flow-module.h"

#include <stdlib.h>

#include "flow/flow.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/runtime.h"

void flow_module_packet_done(Packet *p)
{
    Flow *f = p->flow;
    if (f != NULL) {
        p->flow = NULL;
        atomic_fetch_sub(&f->use_cnt, 1);
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

static int flow_module_process(ThreadVars *tv, Packet *p, void *data)
{
    (void)data;
    FlowTable *ft = tv->engine->flow_table;
    if (ft == NULL || p->flow != NULL || (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6)) {
        return TM_OK;
    }
    Flow *f = flow_lookup_or_create(ft, tv->counters, p);
    if (f != NULL) {
        f->thread_id = (uint8_t)tv->id;
        note_icmp(f, p);
        p->flow_state = f->state;
        p->flow_counters = (PacketFlowCounters){
            .pkts_toserver = f->pkts_toserver, .pkts_toclient = f->pkts_toclient,
            .bytes_toserver = f->bytes_toserver, .bytes_toclient = f->bytes_toclient,
            .start_sec = f->start_sec, .start_usec = f->start_usec,
        };
        pthread_mutex_unlock(&f->lock); // keep the reference: see the file comment
    }
    return TM_OK;
}

const TmModule tm_module_flow = {
    .hdr = TM_MODULE_HDR,
    .name = "flow",
    .kind = TM_KIND_FLOW,
    .process = flow_module_process,
};
