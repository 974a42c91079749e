/* The decode thread module: wraps decode_packet with a per-thread context,
 * and hands fragments to defrag: a rebuilt datagram runs through the
 * remaining slots as a child of the fragment that completed it (after it
 * the tunnel packets its own decoding made, innermost first). */
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "decode/decode.h"
#include "defrag/defrag.h"
#include "flow/flow.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime.h"
#include "util/util-error.h"

static ChecksumMode checksum_mode_from_conf(const Engine *e)
{
    if (e->opts.checksum_set) {
        return e->opts.checksum_mode;
    }
    const char *s = conf_str_or(e->conf, "pcap-file.checksum-checks", "auto");
    bool on;
    if (conf_parse_bool(s, &on)) {
        return on ? CHECKSUM_ALL : CHECKSUM_NONE;
    }
    return CHECKSUM_AUTO;
}

/* The tunnel port at path ("4789" or "$VXLAN_PORTS"); the schema check at
 * start-up has refused malformed values. */
static uint16_t first_port(const Engine *e, const char *path, uint16_t dflt)
{
    uint16_t port = dflt;
    return conf_get_port(e->conf, path, &port) == 0 ? port : dflt;
}

static Packet *decode_module_get_packet(void *user)
{
    return packet_pool_get_child(user);
}

static void decode_module_put_packet(Packet *p, void *user)
{
    (void)user;
    packet_pool_put(p);
}

/* Thread data: dtv first, so the module data is also a DecodeThreadCtx. */
typedef struct DecodeModuleCtx {
    DecodeThreadCtx dtv;
    DefragThread defrag;
    /* defrag.memcap-policy, .trackers-policy, .max-frags-policy, resolved for
     * the mode, indexed by DEFRAG_REFUSED_*, and their counters
     * exception_policy.defrag.<memcap|trackers|max_frags>.<policy>. */
    FlowExceptionPolicy refused_policy[4];
    CounterId c_refused_policy[4];
} DecodeModuleCtx;

static int decode_module_thread_init(ThreadVars *tv, void **data)
{
    DecodeModuleCtx *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return TM_FAILED;
    }
    DecodeThreadCtx *dtv = &m->dtv;
    const Engine *e = tv->engine;
    decode_register_counters();
    defrag_register_counters();
    defrag_thread_init(&m->defrag, tv->counters);
    decode_thread_init(dtv, tv->counters, checksum_mode_from_conf(e));
    dtv->vxlan_enabled = conf_bool_or(e->conf, "decoder.vxlan.enabled", true, NULL);
    dtv->vxlan_port = first_port(e, "decoder.vxlan.ports", 4789);
    dtv->teredo_enabled = conf_bool_or(e->conf, "decoder.teredo.enabled", true, NULL);
    /* Unset ports: Teredo is tried on every UDP port, as Suricata does (its shipped
     * config, like etc/vigil.yaml, names 3544). */
    _Static_assert(DECODE_TEREDO_PORTS_MAX == CONF_PORTS_MAX, "one bound for the list");
    uint16_t teredo_ports[CONF_PORTS_MAX];
    uint32_t n_teredo = 0;
    int teredo_rc = conf_get_ports(e->conf, "decoder.teredo.ports", teredo_ports, &n_teredo);
    dtv->teredo_any_port = teredo_rc == VG_ENOENT;
    if (teredo_rc == 0) {
        memcpy(dtv->teredo_ports, teredo_ports, n_teredo * sizeof(teredo_ports[0]));
        dtv->n_teredo_ports = (uint8_t)n_teredo;
    }
    dtv->geneve_enabled = conf_bool_or(e->conf, "decoder.geneve.enabled", true, NULL);
    dtv->geneve_port = first_port(e, "decoder.geneve.ports", 6081);
    dtv->ipip_enabled = conf_bool_or(e->conf, "decoder.ipv4.ipip.enabled", true, NULL);
    /* Packet-level policies: a refused fragment has no flow (Suricata's rule). */
    static const char *const prefixes[4] = {
        NULL, "exception_policy.defrag.memcap", "exception_policy.defrag.trackers",
        "exception_policy.defrag.max_frags"};
    for (uint8_t why = DEFRAG_REFUSED_MEMCAP; why <= DEFRAG_REFUSED_MAX_FRAGS; why++) {
        m->refused_policy[why] =
            flow_exception_policy_resolve((FlowExceptionPolicy)defrag_refused_policy(why),
                                          e->is_inline || e->opts.simulate_ips, false);
        if (m->refused_policy[why] != FLOW_EXC_IGNORE) {
            m->c_refused_policy[why] = flow_exception_counters_register(
                prefixes[why], false, m->refused_policy[why]);
        }
    }
    if (e->pool != NULL) {
        dtv->src = (DecodePacketSource){
            .get = decode_module_get_packet,
            .put = decode_module_put_packet,
            .user = e->pool,
        };
    }
    *data = m;
    return TM_OK;
}

static void add_children(ThreadVars *tv, DecodeModuleCtx *m, Packet *p, Packet *list);

/* A fragment goes to defrag; the datagram it completes, if any, follows
 * it with its own tunnel packets. Bounded: a rebuilt datagram is no
 * fragment, and tunnel packets stop at PACKET_MAX_TUNNEL_DEPTH. */
static void defrag_one(ThreadVars *tv, DecodeModuleCtx *m, Packet *p, Packet *frag)
{
    if ((frag->flags & PKT_F_IS_FRAGMENT) == 0 || (frag->flags & PKT_F_INVALID) != 0) {
        return;
    }
    Packet *rp = defrag_packet(&m->defrag, &m->dtv, frag);
    Packet *inner = decode_take_children(&m->dtv);
    if (rp == NULL) {
        uint8_t why = m->defrag.refused;
        if (why != DEFRAG_REFUSED_NONE &&
            flow_exception_apply(NULL, frag, m->refused_policy[why],
                                 why == DEFRAG_REFUSED_MEMCAP ? PKT_DROP_DEFRAG_MEMCAP
                                                              : PKT_DROP_DEFRAG_ERROR) &&
            tv->counters != NULL) {
            counters_incr(tv->counters, m->c_refused_policy[why]);
        }
        return;
    }
    add_children(tv, m, p, inner);
    tm_packet_add_child(tv, p, rp);
}

static void add_children(ThreadVars *tv, DecodeModuleCtx *m, Packet *p, Packet *list)
{
    while (list != NULL) {
        Packet *next = list->next_child;
        tm_packet_add_child(tv, p, list);
        defrag_one(tv, m, p, list);
        list = next;
    }
}

static int decode_module_process(ThreadVars *tv, Packet *p, void *data)
{
    if (p->root != NULL) {
        return TM_OK; // a tunnel packet was decoded when it was made
    }
    DecodeModuleCtx *m = data;
    decode_packet(&m->dtv, p);
    Packet *c = decode_take_children(&m->dtv);
    if ((p->flags & PKT_F_INVALID) == 0) {
        defrag_one(tv, m, p, p);
    }
    add_children(tv, m, p, c);
    return TM_OK;
}

static void decode_module_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    free(data);
}

const TmModule tm_module_decode = {
    .hdr = TM_MODULE_HDR,
    .name = "decode",
    .kind = TM_KIND_DECODE,
    .thread_init = decode_module_thread_init,
    .process = decode_module_process,
    .thread_deinit = decode_module_thread_deinit,
};
