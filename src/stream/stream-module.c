/* The stream thread module: runs after "flow" (which leaves p->flow
 * referenced but unlocked) and before "detect". Takes f->lock for the time
 * it touches the session. */
#include "stream/stream.h"

#include <pthread.h>
#include <stdlib.h>

#include "flow/flow.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/runtime.h"
#include "stream/stream-internal.h"

static int stream_module_thread_init(ThreadVars *tv, void **data)
{
    StreamThread *st = stream_thread_new(tv->counters);
    if (st == NULL) {
        return TM_FAILED;
    }
    st->thread_id = tv->id;
    flow_tcp_state_by_stream(true);
    stream_set_inline(tv->engine->is_inline || tv->engine->opts.simulate_ips);
    stream_thread_set_mode(st, tv->engine->is_inline || tv->engine->opts.simulate_ips);
    *data = st;
    return TM_OK;
}

/* stream.bypass: once a direction reached the reassembly depth the session is
 * bypassed from the next packet on (as Suricata: "bypass packets when
 * stream.reassembly.depth is reached", one direction is enough). Flow locked. */
static void stream_depth_bypass(Flow *f)
{
    const TcpSession *ssn = f->protoctx;
    if (g_stream_cfg.bypass && ssn != NULL &&
        ((ssn->streams[0].flags | ssn->streams[1].flags) & STREAM_F_DEPTH)) {
        flow_bypass(f);
    }
}

static int stream_module_process(ThreadVars *tv, Packet *p, void *data)
{
    (void)tv;
    Flow *f = p->flow;
    if (f == NULL || p->l4 != PKT_L4_TCP || (p->flags & PKT_F_BYPASS)) {
        p->stream_data = NULL;
        p->stream_data_len = 0;
        p->stream_flags = 0;
        return TM_OK;
    }
    pthread_mutex_lock(&f->lock);
    if (f->flags & FLOW_F_DROP) {
        /* dropped inline: its packets go nowhere, the session stays as it was */
        p->stream_data = NULL;
        p->stream_data_len = 0;
        p->stream_flags = 0;
        pthread_mutex_unlock(&f->lock);
        return TM_OK;
    }
    /* Inline, the packet that completes the handshake is not established yet
     * (Suricata's IPS mode; its IDS mode counts it established). */
    bool was_handshake = stream_is_inline() && f->protoctx != NULL &&
                         stream_packet_flow_state(f) == FLOW_STATE_NEW;
    stream_packet(data, p);
    stream_depth_bypass(f);
    p->flow_state = stream_packet_flow_state(f); // the session may have moved it
    if (was_handshake && p->flow_state == FLOW_STATE_ESTABLISHED) {
        p->flow_state = FLOW_STATE_NEW;
    }
    /* ... and a session closing after its handshake is still established */
    if (stream_is_inline() && p->flow_state == FLOW_STATE_CLOSED &&
        (f->flags & FLOW_F_STATE_EXTERNAL)) {
        p->flow_state = FLOW_STATE_ESTABLISHED;
    }
    pthread_mutex_unlock(&f->lock);
    return TM_OK;
}

static void stream_module_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    stream_thread_free(data);
}

const TmModule tm_module_stream = {
    .hdr = TM_MODULE_HDR,
    .name = "stream",
    .kind = TM_KIND_STREAM,
    .thread_init = stream_module_thread_init,
    .process = stream_module_process,
    .thread_deinit = stream_module_thread_deinit,
};
