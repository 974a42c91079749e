/* Stream engine start-up: configuration, memcaps, counters, per-thread state. */
#include "stream/stream-internal.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "flow/flow.h"
#include "util/util-error.h"
#include "util/util-log.h"

StreamConfig g_stream_cfg;

/* Charged by packet threads, released by whichever thread frees a flow. */
static _Atomic uint64_t g_ssn_memuse;
static _Atomic uint64_t g_reasm_memuse;
/* The memcaps now: stream_init's, or memcap-set's (any thread). */
static _Atomic uint64_t g_ssn_memcap;
static _Atomic uint64_t g_reasm_memcap;
static _Atomic bool g_inline;

typedef struct StreamOpts {
    uint64_t memcap;
    bool checksum_validation;
    bool midstream;
    bool async_oneside;
    const char *inline_mode;
    bool bypass;
    uint64_t reasm_memcap;
    uint64_t depth;
    uint64_t toserver_chunk;
    uint64_t toclient_chunk;
    const char *urgent_policy;
} StreamOpts;

/* Defaults are Suricata's. */
static const ConfOption stream_options[] = {
    {"memcap", CONF_OPT_SIZE, offsetof(StreamOpts, memcap), "64mb", 0, 0, NULL,
     "memory for TCP sessions"},
    {"checksum-validation", CONF_OPT_BOOL, offsetof(StreamOpts, checksum_validation), "yes", 0,
     0, NULL, "ignore TCP packets with a bad checksum"},
    {"midstream", CONF_OPT_BOOL, offsetof(StreamOpts, midstream), "false", 0, 0, NULL,
     "pick up sessions without their handshake"},
    {"async-oneside", CONF_OPT_BOOL, offsetof(StreamOpts, async_oneside), "false", 0, 0, NULL,
     "track sessions seen in one direction"},
    {"inline", CONF_OPT_ENUM, offsetof(StreamOpts, inline_mode), "auto", 0, 0,
     "auto|yes|no|true|false|on|off|1|0", "inspect unacknowledged data (auto: when inline)"},
    {"bypass", CONF_OPT_BOOL, offsetof(StreamOpts, bypass), "no", 0, 0, NULL,
     "bypass a session once both directions reached the reassembly depth"},
    {"reassembly.memcap", CONF_OPT_SIZE, offsetof(StreamOpts, reasm_memcap), "256mb", 0, 0, NULL,
     "memory for segments"},
    {"reassembly.depth", CONF_OPT_SIZE, offsetof(StreamOpts, depth), "1mb", 0, 0, NULL,
     "bytes reassembled per direction, 0 = all"},
    {"reassembly.toserver-chunk-size", CONF_OPT_SIZE, offsetof(StreamOpts, toserver_chunk),
     "2560", 1, STREAM_MAX_CHUNK, NULL, "smallest to-server piece inspected"},
    {"reassembly.toclient-chunk-size", CONF_OPT_SIZE, offsetof(StreamOpts, toclient_chunk),
     "2560", 1, STREAM_MAX_CHUNK, NULL, "smallest to-client piece inspected"},
    {"reassembly.urgent.policy", CONF_OPT_ENUM, offsetof(StreamOpts, urgent_policy), "inline", 0,
     0, "inline|drop|gap|oob",
     "data of URG packets: inline (in-band), drop (inline: drop the packet), gap (left out)"},
};

const ConfSchemaPart stream_conf_schema = {
    "stream", stream_options, sizeof(stream_options) / sizeof(stream_options[0])};

static int parse_inline(const char *s, int *out)
{
    bool b;
    if (strcmp(s, "auto") == 0) {
        *out = -1;
        return 0;
    }
    if (conf_parse_bool(s, &b)) {
        *out = b ? 1 : 0;
        return 0;
    }
    VG_ERROR("stream.inline: '%s' is not auto, yes or no", s);
    return VG_EINVAL;
}

static uint8_t parse_urgent(const char *s)
{
    if (strcmp(s, "drop") == 0) {
        return STREAM_URG_DROP;
    }
    if (strcmp(s, "gap") == 0) {
        return STREAM_URG_GAP;
    }
    if (strcmp(s, "oob") == 0) {
        VG_WARN("stream.reassembly.urgent.policy: 'oob' (urgent byte out of band) is not "
                "supported by Vigil; urgent data stays in-band (inline)");
    }
    return STREAM_URG_INLINE;
}

static int load_exception_policies(const struct Conf *c, bool midstream)
{
    /* With midstream pick-up enabled the midstream policy may only pass the
     * picked-up flows (or ignore them). */
    unsigned mid_flags = FLOW_EXC_F_FLOW_ONLY | (midstream ? FLOW_EXC_F_IGNORE_OR_PASS : 0);
    if (flow_exception_policy_load(c, "stream.midstream-policy", mid_flags,
                                   &g_stream_cfg.exc[STREAM_EXC_MIDSTREAM]) != 0 ||
        flow_exception_policy_load(c, "stream.memcap-policy", 0,
                                   &g_stream_cfg.exc[STREAM_EXC_SSN_MEMCAP]) != 0 ||
        flow_exception_policy_load(c, "stream.reassembly.memcap-policy", 0,
                                   &g_stream_cfg.exc[STREAM_EXC_REASM_MEMCAP]) != 0) {
        return VG_EINVAL;
    }
    bool bad = false;
    int64_t ssn = c ? conf_int_or(c, "simulate.tcp-ssn-memcap-packet", 0, &bad) : 0;
    int64_t reasm = c ? conf_int_or(c, "simulate.tcp-reassembly-memcap-packet", 0, &bad) : 0;
    if (bad || ssn < 0 || reasm < 0) {
        VG_ERROR("simulate.tcp-*-memcap-packet: not a packet number");
        return VG_EINVAL;
    }
    g_stream_cfg.sim_ssn_memcap_pkt = (uint64_t)ssn;
    g_stream_cfg.sim_reasm_memcap_pkt = (uint64_t)reasm;
    return 0;
}

static int load_config(const struct Conf *conf)
{
    StreamOpts o;
    memset(&o, 0, sizeof(o));
    const struct Conf *c = conf;
    if (c == NULL) {
        for (size_t i = 0; i < sizeof(stream_options) / sizeof(stream_options[0]); i++) {
            const ConfOption *opt = &stream_options[i];
            void *field = (char *)&o + opt->offset;
            if (opt->type == CONF_OPT_SIZE) {
                (void)conf_parse_size(opt->dflt, (uint64_t *)field);
            } else if (opt->type == CONF_OPT_BOOL) {
                (void)conf_parse_bool(opt->dflt, (bool *)field);
            } else {
                *(const char **)field = opt->dflt;
            }
        }
    } else if (conf_load_options(c, "stream", stream_options,
                                 sizeof(stream_options) / sizeof(stream_options[0]), &o) != 0) {
        return VG_EINVAL;
    }
    g_stream_cfg = (StreamConfig){
        .memcap_bytes = o.memcap,
        .reasm_memcap_bytes = o.reasm_memcap,
        .depth_bytes = o.depth,
        .chunk_bytes = {(uint32_t)o.toserver_chunk, (uint32_t)o.toclient_chunk},
        .midstream = o.midstream,
        .async_oneside = o.async_oneside,
        .checksum_validation = o.checksum_validation,
        .bypass = o.bypass,
        .urgent_policy = parse_urgent(o.urgent_policy),
    };
    atomic_store(&g_ssn_memcap, o.memcap);
    atomic_store(&g_reasm_memcap, o.reasm_memcap);
    int rc = parse_inline(o.inline_mode, &g_stream_cfg.inline_mode);
    if (rc == 0) {
        rc = load_exception_policies(c, o.midstream);
    }
    if (rc == 0 && g_stream_cfg.inline_mode >= 0) {
        atomic_store(&g_inline, g_stream_cfg.inline_mode == 1);
    }
    return rc;
}

int stream_init(const struct Conf *conf, struct FlowTable *ft)
{
    atomic_store(&g_inline, false);
    int rc = load_config(conf);
    if (rc == 0) {
        rc = stream_policy_load(conf);
    }
    if (rc != 0) {
        return rc;
    }
    stream_register_counters();
    if (ft != NULL) {
        flow_table_set_protoctx_free(ft, stream_session_free);
    }
    VG_CONFIG("stream: memcap %llu, reassembly memcap %llu, depth %llu, midstream %s, "
              "async-oneside %s",
              (unsigned long long)g_stream_cfg.memcap_bytes,
              (unsigned long long)g_stream_cfg.reasm_memcap_bytes,
              (unsigned long long)g_stream_cfg.depth_bytes,
              g_stream_cfg.midstream ? "yes" : "no", g_stream_cfg.async_oneside ? "yes" : "no");
    return 0;
}

void stream_deinit(void)
{
    stream_policy_free();
    stream_chunks_reset();
    stream_subscribers_reset();
    stream_reasm_depot_free();
}

void stream_set_inline(bool is_inline)
{
    if (g_stream_cfg.inline_mode < 0) {
        atomic_store(&g_inline, is_inline);
    }
}

bool stream_is_inline(void)
{
    return atomic_load_explicit(&g_inline, memory_order_relaxed);
}

static bool charge(_Atomic uint64_t *use, uint64_t cap, uint64_t bytes)
{
    uint64_t cur = atomic_load_explicit(use, memory_order_relaxed);
    do {
        if (cur + bytes > cap) {
            return false;
        }
    } while (!atomic_compare_exchange_weak(use, &cur, cur + bytes));
    return true;
}

uint64_t stream_memcap_get(bool is_reasm, uint64_t *memuse)
{
    if (memuse != NULL) {
        *memuse = atomic_load(is_reasm ? &g_reasm_memuse : &g_ssn_memuse);
    }
    return atomic_load(is_reasm ? &g_reasm_memcap : &g_ssn_memcap);
}

int stream_memcap_set(bool is_reasm, uint64_t bytes)
{
    if (bytes < atomic_load(is_reasm ? &g_reasm_memuse : &g_ssn_memuse)) {
        return VG_ERANGE;
    }
    atomic_store(is_reasm ? &g_reasm_memcap : &g_ssn_memcap, bytes);
    return 0;
}

bool stream_mem_charge_ssn(uint64_t bytes)
{
    return charge(&g_ssn_memuse, atomic_load_explicit(&g_ssn_memcap, memory_order_relaxed),
                  bytes);
}

void stream_mem_release_ssn(uint64_t bytes)
{
    atomic_fetch_sub(&g_ssn_memuse, bytes);
}

bool stream_mem_charge_reasm(uint64_t bytes)
{
    return charge(&g_reasm_memuse, atomic_load_explicit(&g_reasm_memcap, memory_order_relaxed),
                  bytes);
}

void stream_mem_release_reasm(uint64_t bytes)
{
    atomic_fetch_sub(&g_reasm_memuse, bytes);
}

uint64_t stream_memuse(void)
{
    return atomic_load(&g_ssn_memuse);
}

uint64_t stream_reassembly_memuse(void)
{
    return atomic_load(&g_reasm_memuse);
}

/* ---- counters and per-thread state ---- */

static const char *const counter_names[SC_COUNT] = {
    [SC_SESSIONS] = "tcp.sessions",
    [SC_SSN_MEMCAP_DROP] = "tcp.ssn_memcap_drop",
    [SC_PSEUDO] = "tcp.pseudo",
    [SC_INVALID_CHECKSUM] = "tcp.invalid_checksum",
    [SC_SYN] = "tcp.syn",
    [SC_SYNACK] = "tcp.synack",
    [SC_RST] = "tcp.rst",
    [SC_MIDSTREAM_PICKUPS] = "tcp.midstream_pickups",
    [SC_WRONG_THREAD] = "tcp.pkt_on_wrong_thread",
    [SC_SEGMENT_MEMCAP_DROP] = "tcp.segment_memcap_drop",
    [SC_DEPTH_REACHED] = "tcp.stream_depth_reached",
    [SC_REASSEMBLY_GAP] = "tcp.reassembly_gap",
    [SC_OVERLAP] = "tcp.overlap",
    [SC_OVERLAP_DIFF_DATA] = "tcp.overlap_diff_data",
    [SC_INSERT_FAIL] = "tcp.insert_data_normal_fail",
    [SC_MEMUSE] = "tcp.memuse",
    [SC_REASM_MEMUSE] = "tcp.reassembly_memuse",
    [SC_URG] = "tcp.urg",
};

static CounterKind counter_kind(StreamCounter c)
{
    /* Memory use is global: read when the counters are merged (stream_register_counters). */
    return c == SC_MEMUSE || c == SC_REASM_MEMUSE ? COUNTER_PROBE : COUNTER_SUM;
}

static uint64_t probe_memuse(void *arg)
{
    (void)arg;
    return stream_memuse();
}

static uint64_t probe_reasm_memuse(void *arg)
{
    (void)arg;
    return stream_reassembly_memuse();
}

void stream_register_counters(void)
{
    for (int c = 0; c < SC_COUNT; c++) {
        if (c == SC_MEMUSE || c == SC_REASM_MEMUSE) {
            (void)counters_register_probe(counter_names[c],
                                          c == SC_MEMUSE ? probe_memuse : probe_reasm_memuse,
                                          NULL);
        } else {
            (void)counters_register(counter_names[c], counter_kind((StreamCounter)c));
        }
    }
}

void stream_thread_set_mode(StreamThread *st, bool is_ips)
{
    st->is_ips = is_ips;
    static const char *const targets[STREAM_EXC_N] = {
        [STREAM_EXC_MIDSTREAM] = "midstream",
        [STREAM_EXC_SSN_MEMCAP] = "ssn_memcap",
        [STREAM_EXC_REASM_MEMCAP] = "reassembly",
    };
    for (int i = 0; i < STREAM_EXC_N; i++) {
        FlowExceptionPolicy pol = g_stream_cfg.exc[i];
        if (i == STREAM_EXC_MIDSTREAM && g_stream_cfg.midstream && pol == FLOW_EXC_AUTO) {
            pol = FLOW_EXC_IGNORE;  // picked-up flows are wanted: auto leaves them alone
        }
        st->exc[i] = flow_exception_policy_resolve(pol, is_ips, true);
        if (st->exc[i] != FLOW_EXC_IGNORE) {
            char prefix[64];
            (void)snprintf(prefix, sizeof(prefix), "exception_policy.tcp.%s", targets[i]);
            st->c_exc[i] = flow_exception_counters_register(prefix, i == STREAM_EXC_MIDSTREAM,
                                                            st->exc[i]);
        }
    }
}

StreamThread *stream_thread_new(CounterSet *cs)
{
    StreamThread *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return NULL;
    }
    st->counters = cs;
    for (int c = 0; c < SC_COUNT; c++) {
        st->cid[c] = counters_register(counter_names[c], counter_kind((StreamCounter)c));
    }
    decode_thread_init(&st->dtv, cs, CHECKSUM_NONE);
    return st;
}

void stream_thread_free(StreamThread *st)
{
    free(st);
}

void stream_count(StreamThread *st, StreamCounter c)
{
    if (st != NULL && st->counters != NULL) {
        counters_incr(st->counters, st->cid[c]);
    }
}

void stream_event(StreamThread *st, Packet *p, DecodeEvent ev)
{
    if (p == NULL) {
        return;
    }
    if (st != NULL && st->counters != NULL) {
        decode_event(&st->dtv, p, ev);
        return;
    }
    if (!packet_has_event(p, ev) && p->n_events < PACKET_MAX_EVENTS) {
        p->events[p->n_events++] = (uint16_t)ev;
    }
}

/* Memory gauges, refreshed by each packet thread as it goes. */
