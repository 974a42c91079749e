/* The commands of the control socket: one table, name -> handler. */
#include "control/control-internal.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app-layer/app-layer.h"
#include "conf/conf.h"
#include "control/control.h"
#include "control/control-pcap.h"
#include "defrag/defrag.h"
#include "detect/detect.h"
#include "flow/flow.h"
#include "output/output.h"
#include "runtime/counters.h"
#include "stream/stream.h"
#include "util/util-error.h"
#include "util/util-json-parse.h"

/* The last rule-set load or reload attempt: written by the reload task,
 * read by the control thread. */
static struct {
    pthread_mutex_t lock;
    _Atomic uint64_t gen;        // reload attempts ended (start-up load excluded)
    bool is_ok;
    char message[256];
    int64_t loaded_sec;          // wall clock of the live rule set's load
} g_reload = {.lock = PTHREAD_MUTEX_INITIALIZER};

void control_note_reload(bool is_startup, bool is_ok, const char *message)
{
    pthread_mutex_lock(&g_reload.lock);
    g_reload.is_ok = is_ok;
    snprintf(g_reload.message, sizeof(g_reload.message), "%s", message);
    if (is_ok) {
        g_reload.loaded_sec = (int64_t)time(NULL);
    }
    if (!is_startup) {
        atomic_fetch_add(&g_reload.gen, 1);
    }
    pthread_mutex_unlock(&g_reload.lock);
}

uint64_t control_reload_generation(void)
{
    return atomic_load(&g_reload.gen);
}

static void answer(JsonBuf *out, bool is_ok)
{
    json_buf_reset(out);
    json_open_object(out, NULL);
    json_str(out, "return", is_ok ? "OK" : "NOK");
}

static void answer_str(JsonBuf *out, bool is_ok, const char *msg)
{
    answer(out, is_ok);
    json_str(out, "message", msg);
    json_close_object(out);
}

void control_answer_nok(JsonBuf *out, const char *msg)
{
    answer_str(out, false, msg);
}

void control_reload_answer(JsonBuf *out)
{
    pthread_mutex_lock(&g_reload.lock);
    answer_str(out, g_reload.is_ok, g_reload.message);
    pthread_mutex_unlock(&g_reload.lock);
}

typedef struct Cmd Cmd;
typedef ControlResult (*CmdFn)(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                               uint64_t *wait_gen);

struct Cmd {
    const char *name;
    const char *help;
    CmdFn fn;
};

static const Cmd *cmd_table(size_t *n);

static ControlResult cmd_version(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                 uint64_t *wait_gen)
{
    (void)ctx, (void)args, (void)wait_gen;
    answer_str(out, true, VG_VERSION);
    return CONTROL_DONE;
}

static ControlResult cmd_uptime(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                uint64_t *wait_gen)
{
    (void)args, (void)wait_gen;
    int64_t up = (int64_t)time(NULL) - ctx->start_wall_sec;
    answer(out, true);
    json_i64(out, "message", up < 0 ? 0 : up);
    json_close_object(out);
    return CONTROL_DONE;
}

static ControlResult cmd_running_mode(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                      uint64_t *wait_gen)
{
    (void)args, (void)wait_gen;
    const Engine *e = ctx->engine;
    const char *rm = e->opts.runmode ? e->opts.runmode : conf_str_or(e->conf, "runmode", "single");
    answer_str(out, true, rm);
    return CONTROL_DONE;
}

static ControlResult cmd_capture_mode(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                      uint64_t *wait_gen)
{
    (void)args, (void)wait_gen;
    const EngineOptions *o = &ctx->engine->opts;
    /* Suricata's names for the capture sources. */
    const char *mode = control_pcap_is_enabled()     ? "UNIX_SOCKET"
                       : o->pcap_path != NULL        ? "PCAP_FILE"
                       : o->live_iface != NULL       ? "PCAP_DEV"
                       : o->af_packet_iface != NULL  ? "AF_PACKET_DEV"
                       : o->n_nfq_queues > 0         ? "NFQ"
                                                     : "unknown";
    answer_str(out, true, mode);
    return CONTROL_DONE;
}

/* The live interface this run captures on (one per run), or NULL. */
static const char *live_iface(const Engine *e)
{
    return e->opts.live_iface != NULL ? e->opts.live_iface : e->opts.af_packet_iface;
}

static ControlResult cmd_iface_list(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                    uint64_t *wait_gen)
{
    (void)args, (void)wait_gen;
    const char *ifc = live_iface(ctx->engine);
    answer(out, true);
    json_open_object(out, "message");
    json_u64(out, "count", ifc != NULL ? 1 : 0);
    json_open_array(out, "ifaces");
    if (ifc != NULL) {
        json_str(out, NULL, ifc);
    }
    json_close_array(out);
    json_close_object(out);
    json_close_object(out);
    return CONTROL_DONE;
}

static uint64_t merged(const uint64_t *m, const char *name)
{
    CounterId id;
    return m != NULL && counters_find(name, &id) ? m[id] : 0;
}

static ControlResult cmd_iface_stat(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                    uint64_t *wait_gen)
{
    (void)wait_gen;
    const char *want = json_object_get_str(args, "iface");
    const char *ifc = live_iface(ctx->engine);
    if (want == NULL) {
        control_answer_nok(out, "iface-stat needs the argument 'iface' (see iface-list)");
        return CONTROL_DONE;
    }
    if (ifc == NULL || strcmp(want, ifc) != 0) {
        control_answer_nok(out, "Interface not found");
        return CONTROL_DONE;
    }
    CounterId n = counters_count();
    uint64_t *m = calloc(n ? n : 1, sizeof(uint64_t));
    if (m == NULL) {
        control_answer_nok(out, "out of memory");
        return CONTROL_DONE;
    }
    counters_merge(m);
    bool is_afp = ctx->engine->opts.af_packet_iface != NULL;
    answer(out, true);
    json_open_object(out, "message");
    json_u64(out, "pkts", merged(m, is_afp ? "capture.af_packet.pkts" : "capture.pcap_live.pkts"));
    json_u64(out, "drop", merged(m, "capture.kernel_drops"));
    json_u64(out, "invalid-checksums",
             merged(m, "decoder.ipv4_csum_bad") + merged(m, "decoder.l4_csum_bad"));
    json_u64(out, "bypassed", 0);
    json_close_object(out);
    json_close_object(out);
    free(m);
    return CONTROL_DONE;
}

static ControlResult cmd_command_list(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                      uint64_t *wait_gen)
{
    (void)ctx, (void)args, (void)wait_gen;
    size_t n = 0;
    const Cmd *t = cmd_table(&n);
    answer(out, true);
    json_open_object(out, "message");
    json_open_array(out, "commands");
    for (size_t i = 0; i < n; i++) {
        json_str(out, NULL, t[i].name);
    }
    json_close_array(out);
    json_u64(out, "count", n);
    json_close_object(out);
    json_close_object(out);
    return CONTROL_DONE;
}

static ControlResult cmd_help(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                              uint64_t *wait_gen)
{
    (void)ctx, (void)args, (void)wait_gen;
    size_t n = 0;
    const Cmd *t = cmd_table(&n);
    answer(out, true);
    json_open_object(out, "message");
    for (size_t i = 0; i < n; i++) {
        json_str(out, t[i].name, t[i].help);
    }
    json_close_object(out);
    json_close_object(out);
    return CONTROL_DONE;
}

static ControlResult cmd_shutdown(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                  uint64_t *wait_gen)
{
    (void)args, (void)wait_gen;
    atomic_store(&ctx->engine->stop, true);
    answer_str(out, true, "Closing Vigil");
    return CONTROL_DONE;
}

static ControlResult cmd_reload_rules(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                      uint64_t *wait_gen)
{
    (void)args, (void)out;
    *wait_gen = control_reload_generation();
    atomic_store(&ctx->engine->reload_rules, true);
    return CONTROL_WAIT_RELOAD;
}

static ControlResult cmd_reload_nonblocking(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                            uint64_t *wait_gen)
{
    (void)args, (void)wait_gen;
    atomic_store(&ctx->engine->reload_rules, true);
    answer_str(out, true, "done");
    return CONTROL_DONE;
}

static ControlResult cmd_reload_time(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                     uint64_t *wait_gen)
{
    (void)ctx, (void)args, (void)wait_gen;
    pthread_mutex_lock(&g_reload.lock);
    int64_t sec = g_reload.loaded_sec;
    pthread_mutex_unlock(&g_reload.lock);
    answer(out, true);
    json_open_array(out, "message");
    json_open_object(out, NULL);
    json_u64(out, "id", 0);
    eve_add_timestamp(out, "last_reload", sec, 0);
    json_close_object(out);
    json_close_array(out);
    json_close_object(out);
    return CONTROL_DONE;
}

static ControlResult cmd_ruleset_stats(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                      uint64_t *wait_gen)
{
    (void)args, (void)wait_gen;
    uint32_t loaded = 0;
    uint32_t failed = 0;
    detect_engine_stats(atomic_load(&ctx->engine->detect), &loaded, &failed);
    answer(out, true);
    json_open_array(out, "message");
    json_open_object(out, NULL);
    json_u64(out, "id", 0);
    json_u64(out, "rules_loaded", loaded);
    json_u64(out, "rules_failed", failed);
    json_close_object(out);
    json_close_array(out);
    json_close_object(out);
    return CONTROL_DONE;
}

static ControlResult cmd_failed_rules(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                      uint64_t *wait_gen)
{
    (void)args, (void)wait_gen;
    const DetectEngine *de = atomic_load(&ctx->engine->detect);
    uint32_t loaded = 0;
    uint32_t failed = 0;
    detect_engine_stats(de, &loaded, &failed);
    /* As Suricata answers: a list of {rule, filename, line}; sid, reason and
     * whether the rule was refused as unsupported are ours. The engine keeps
     * the first DETECT_FAILED_KEEP refusals: "omitted" counts the others. */
    answer(out, true);
    json_open_array(out, "message");
    uint32_t kept = detect_engine_failed_kept(de);
    DetectFailedRule fr;
    for (uint32_t i = 0; i < kept && detect_engine_failed_rule(de, i, &fr); i++) {
        json_open_object(out, NULL);
        json_str(out, "rule", fr.text);
        json_str(out, "filename", fr.file);
        json_i64(out, "line", fr.line);
        if (fr.sid != 0) {
            json_u64(out, "sid", fr.sid);
        }
        json_str(out, "reason", fr.reason);
        json_bool(out, "unsupported", fr.unsupported);
        json_close_object(out);
    }
    json_close_array(out);
    if (failed > kept) {
        json_u64(out, "omitted", failed - kept);
    }
    json_close_object(out);
    return CONTROL_DONE;
}

static ControlResult cmd_dump_counters(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                       uint64_t *wait_gen)
{
    (void)args, (void)wait_gen;
    CounterId n = counters_count();
    uint64_t *m = calloc(n ? n : 1, sizeof(uint64_t));
    JsonBuf rec;
    if (m == NULL || json_buf_init(&rec, 4096) != 0) {
        free(m);
        control_answer_nok(out, "out of memory");
        return CONTROL_DONE;
    }
    counters_merge(m);
    const Engine *e = ctx->engine;
    int64_t up = (int64_t)time(NULL) - ctx->start_wall_sec;
    int rc = output_eve_stats_build_sel(&rec, atomic_load(&e->now_sec), atomic_load(&e->now_usec),
                                        up < 0 ? 0 : (uint64_t)up, m, true);
    free(m);
    /* The message is the record's "stats" object, as Suricata's. */
    const char *stats = rc == 0 ? strstr(rec.buf, "\"stats\":{") : NULL;
    if (stats == NULL || rec.len < 2 || rec.buf[rec.len - 1] != '}') {
        control_answer_nok(out, "cannot build the counters");
    } else {
        rec.buf[rec.len - 1] = '\0'; // the record's closing brace
        answer(out, true);
        json_raw(out, "message", stats + strlen("\"stats\":"));
        json_close_object(out);
    }
    json_buf_deinit(&rec);
    return CONTROL_DONE;
}

/* A configuration subtree as JSON: scalars as strings, maps as objects,
 * lists as arrays. */
static void conf_node_json(JsonBuf *out, const char *key, const ConfNode *node, int depth)
{
    if (node->type == CONF_SCALAR || depth > 16) {
        json_str(out, key, node->value);
        return;
    }
    bool is_map = node->type == CONF_MAP;
    if (is_map) {
        json_open_object(out, key);
    } else {
        json_open_array(out, key);
    }
    for (const ConfNode *c = node->first_child; c != NULL; c = c->next) {
        conf_node_json(out, is_map ? c->name : NULL, c, depth + 1);
    }
    if (is_map) {
        json_close_object(out);
    } else {
        json_close_array(out);
    }
}

static ControlResult cmd_conf_get(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                  uint64_t *wait_gen)
{
    (void)wait_gen;
    const char *var = json_object_get_str(args, "variable");
    if (var == NULL) {
        control_answer_nok(out, "conf-get needs the argument 'variable' (a dotted key)");
        return CONTROL_DONE;
    }
    const ConfNode *node = conf_get_node(ctx->engine->conf, NULL, var);
    if (node == NULL) {
        control_answer_nok(out, "Variable not found");
        return CONTROL_DONE;
    }
    answer(out, true);
    conf_node_json(out, "message", node, 0);
    json_close_object(out);
    return CONTROL_DONE;
}

/* The memcaps memcap-list shows and memcap-set changes on the running
 * engine: each subsystem's live value (flow table, stream, reassembly,
 * defrag, one per app-layer parser as app-layer-<proto>). In the
 * unix-socket runmode they are the server's, which every capture read after
 * the change inherits. */
enum { MC_FLOW, MC_STREAM, MC_REASM, MC_DEFRAG, MC_APP };
static const char *const k_memcap_names[] = {"flow", "stream", "stream-reassembly", "defrag"};
#define MC_APP_PREFIX "app-layer-"

typedef struct MemcapRef {
    int kind;                    // MC_*
    AppProto proto;              // MC_APP
} MemcapRef;

/* name -> memcap; false when there is none of that name. */
static bool memcap_find(const Engine *e, const char *name, MemcapRef *out)
{
    for (int i = 0; i < MC_APP; i++) {
        if (strcmp(name, k_memcap_names[i]) == 0) {
            *out = (MemcapRef){.kind = i};
            return i != MC_FLOW || e->flow_table != NULL;
        }
    }
    uint64_t cap;
    uint64_t use;
    size_t n = strlen(MC_APP_PREFIX);
    if (strncmp(name, MC_APP_PREFIX, n) != 0) {
        return false;
    }
    AppProto p = app_proto_by_name(name + n);
    *out = (MemcapRef){.kind = MC_APP, .proto = p};
    return p != APP_PROTO_UNKNOWN && app_layer_memcap_get(p, &cap, &use);
}

static uint64_t memcap_get(const Engine *e, MemcapRef r, uint64_t *memuse)
{
    uint64_t cap = 0;
    *memuse = 0;
    switch (r.kind) {
    case MC_FLOW: {
        FlowTableStats st;
        flow_table_get_stats(e->flow_table, &st);
        *memuse = st.memuse_bytes;
        return flow_table_memcap(e->flow_table);
    }
    case MC_STREAM:
    case MC_REASM:
        return stream_memcap_get(r.kind == MC_REASM, memuse);
    case MC_DEFRAG:
        return defrag_memcap_get(memuse);
    default:
        (void)app_layer_memcap_get(r.proto, &cap, memuse);
        return cap;
    }
}

static int memcap_set(Engine *e, MemcapRef r, uint64_t bytes)
{
    switch (r.kind) {
    case MC_FLOW:
        return flow_table_set_memcap(e->flow_table, bytes);
    case MC_STREAM:
    case MC_REASM:
        return stream_memcap_set(r.kind == MC_REASM, bytes);
    case MC_DEFRAG:
        return defrag_memcap_set(bytes);
    default:
        return app_layer_memcap_set(r.proto, bytes);
    }
}

static void memcap_entry(const Engine *e, const char *key, const char *name, MemcapRef r,
                         JsonBuf *out)
{
    uint64_t use = 0;
    uint64_t cap = memcap_get(e, r, &use);
    json_open_object(out, key);
    json_str(out, "name", name);
    json_u64(out, "value", cap);
    json_u64(out, "memuse", use);
    json_close_object(out);
}

static ControlResult cmd_memcap_list(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                     uint64_t *wait_gen)
{
    (void)args, (void)wait_gen;
    const Engine *e = ctx->engine;
    answer(out, true);
    json_open_array(out, "message");
    MemcapRef r;
    for (int i = 0; i < MC_APP; i++) {
        if (memcap_find(e, k_memcap_names[i], &r)) {
            memcap_entry(e, NULL, k_memcap_names[i], r, out);
        }
    }
    for (AppProto p = 1; p < APP_PROTO_MAX_BUILTIN; p++) {
        char name[64];
        const char *pn = app_proto_name(p);
        snprintf(name, sizeof(name), MC_APP_PREFIX "%s", pn != NULL ? pn : "");
        if (pn != NULL && memcap_find(e, name, &r) && r.proto == p) {
            memcap_entry(e, NULL, name, r, out);
        }
    }
    json_close_array(out);
    json_close_object(out);
    return CONTROL_DONE;
}

static ControlResult cmd_memcap_show(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                     uint64_t *wait_gen)
{
    (void)wait_gen;
    const char *name = json_object_get_str(args, "config");
    MemcapRef r;
    if (name == NULL) {
        control_answer_nok(out, "memcap-show needs the argument 'config' (a name of memcap-list)");
    } else if (!memcap_find(ctx->engine, name, &r)) {
        control_answer_nok(out, "Memcap not found: see memcap-list");
    } else {
        answer(out, true);
        memcap_entry(ctx->engine, "message", name, r, out);
        json_close_object(out);
    }
    return CONTROL_DONE;
}

static ControlResult cmd_memcap_set(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                    uint64_t *wait_gen)
{
    (void)wait_gen;
    const char *name = json_object_get_str(args, "config");
    const JsonValue *v = json_object_get(args, "memcap");
    MemcapRef r;
    uint64_t bytes = 0;
    char msg[200];
    if (name == NULL || v == NULL) {
        control_answer_nok(out, "memcap-set needs the arguments 'config' (a name of memcap-list) "
                           "and 'memcap' (a size: 64mb, 1gb, bytes)");
        return CONTROL_DONE;
    }
    if (!memcap_find(ctx->engine, name, &r)) {
        control_answer_nok(out, "Memcap not found: see memcap-list");
        return CONTROL_DONE;
    }
    if ((v->type != JSON_T_STRING && v->type != JSON_T_NUMBER) ||
        !conf_parse_size(v->str, &bytes) || (bytes == 0 && r.kind != MC_APP)) {
        control_answer_nok(out, "memcap: not a size (64mb, 1gb, or bytes; 0 only for "
                           "app-layer-*, where it means unlimited)");
        return CONTROL_DONE;
    }
    uint64_t use = 0;
    uint64_t old = memcap_get(ctx->engine, r, &use);
    int rc = memcap_set(ctx->engine, r, bytes);
    if (rc == VG_ERANGE) {
        snprintf(msg, sizeof(msg), "memcap value for '%.64s' not set: %" PRIu64
                 " is below the memory in use (%" PRIu64 " bytes)", name, bytes, use);
        control_answer_nok(out, msg);
    } else if (rc != 0) {
        snprintf(msg, sizeof(msg), "memcap value for '%.64s' not set: %" PRIu64
                 " bytes is too small for it", name, bytes);
        control_answer_nok(out, msg);
    } else {
        snprintf(msg, sizeof(msg), "memcap value for '%.64s' updated: %" PRIu64 " (was %" PRIu64
                 ")", name, bytes, old);
        answer_str(out, true, msg);
    }
    return CONTROL_DONE;
}

/* An argument given as a JSON number or as a decimal string (vigilctl sends
 * words as strings). */
static bool arg_int(const JsonValue *args, const char *key, int64_t *out)
{
    const JsonValue *v = json_object_get(args, key);
    if (v == NULL) {
        return false;
    }
    if (v->type == JSON_T_NUMBER) {
        return conf_parse_int(v->str, out);
    }
    return v->type == JSON_T_STRING && conf_parse_int(v->str, out);
}

static bool hostbit_args(const JsonValue *args, JsonBuf *out, const char *cmd, bool need_bit,
                         const char **ip, const char **bit)
{
    *ip = json_object_get_str(args, "ipaddress");
    *bit = json_object_get_str(args, "hostbit");
    if (*ip == NULL || (need_bit && *bit == NULL)) {
        char msg[128];
        snprintf(msg, sizeof(msg), "%s needs the argument%s 'ipaddress'%s", cmd,
                 need_bit ? "s" : "", need_bit ? " and 'hostbit'" : "");
        control_answer_nok(out, msg);
        return false;
    }
    return true;
}

static void hostbit_nok(JsonBuf *out, int rc, const char *ip, const char *bit)
{
    char msg[256];
    if (rc == VG_ENOENT) {
        snprintf(msg, sizeof(msg), "no rule of the live rule set uses hostbit '%.64s'", bit);
    } else {
        snprintf(msg, sizeof(msg), "'%.64s' is not an IPv4 or IPv6 address", ip);
    }
    control_answer_nok(out, msg);
}

static ControlResult cmd_add_hostbit(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                     uint64_t *wait_gen)
{
    (void)wait_gen;
    const char *ip;
    const char *bit;
    int64_t secs = 0;
    if (!hostbit_args(args, out, "add-hostbit", true, &ip, &bit)) {
        return CONTROL_DONE;
    }
    if (!arg_int(args, "expire", &secs) || secs <= 0 || secs > 10 * 365 * 86400LL) {
        control_answer_nok(out, "add-hostbit needs 'expire': seconds from now (1 to 10 years)");
        return CONTROL_DONE;
    }
    /* Expiry runs on the engine clock (packet time), as rules set them. */
    int64_t now = atomic_load(&ctx->engine->now_sec);
    int rc = detect_engine_hostbit_set(atomic_load(&ctx->engine->detect), ip, bit, now + secs);
    if (rc != 0) {
        hostbit_nok(out, rc, ip, bit);
        return CONTROL_DONE;
    }
    answer_str(out, true, "hostbit added");
    return CONTROL_DONE;
}

static ControlResult cmd_remove_hostbit(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                        uint64_t *wait_gen)
{
    (void)wait_gen;
    const char *ip;
    const char *bit;
    if (!hostbit_args(args, out, "remove-hostbit", true, &ip, &bit)) {
        return CONTROL_DONE;
    }
    int rc = detect_engine_hostbit_unset(atomic_load(&ctx->engine->detect), ip, bit);
    if (rc != 0) {
        hostbit_nok(out, rc, ip, bit);
        return CONTROL_DONE;
    }
    answer_str(out, true, "hostbit removed");
    return CONTROL_DONE;
}

typedef struct HostbitListCtx {
    JsonBuf *out;
    int64_t now;
} HostbitListCtx;

static void hostbit_item(const char *name, int64_t expire, void *user)
{
    HostbitListCtx *hl = user;
    json_open_object(hl->out, NULL);
    json_str(hl->out, "name", name);
    json_i64(hl->out, "expire", expire - hl->now);
    json_close_object(hl->out);
}

static ControlResult cmd_list_hostbit(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                      uint64_t *wait_gen)
{
    (void)wait_gen;
    const char *ip;
    const char *bit;
    if (!hostbit_args(args, out, "list-hostbit", false, &ip, &bit)) {
        return CONTROL_DONE;
    }
    HostbitListCtx hl = {.out = out, .now = atomic_load(&ctx->engine->now_sec)};
    const DetectEngine *de = atomic_load(&ctx->engine->detect);
    /* The list is built aside: the answer is opened only for a good address. */
    JsonBuf tmp;
    if (json_buf_init(&tmp, 256) != 0) {
        control_answer_nok(out, "out of memory");
        return CONTROL_DONE;
    }
    hl.out = &tmp;
    json_open_array(&tmp, NULL);
    int n = detect_engine_hostbit_list(de, ip, hl.now, hostbit_item, &hl);
    json_close_array(&tmp);
    if (n < 0) {
        json_buf_deinit(&tmp);
        hostbit_nok(out, n, ip, "");
        return CONTROL_DONE;
    }
    answer(out, true);
    json_open_object(out, "message");
    json_u64(out, "count", (uint64_t)n);
    json_raw(out, "hostbits", tmp.buf);
    json_close_object(out);
    json_close_object(out);
    json_buf_deinit(&tmp);
    return CONTROL_DONE;
}

/* ---- datasets ---- */

/* dataset-add, -remove, -lookup and -clear: one handler, the operation from
 * the command's name. */
static ControlResult cmd_dataset_op(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                    uint64_t *wait_gen)
{
    (void)wait_gen;
    static const struct {
        const char *cmd;
        DetectDatasetOp op;
    } k_ops[] = {{"dataset-add", DETECT_DS_OP_ADD},
                 {"dataset-remove", DETECT_DS_OP_REMOVE},
                 {"dataset-lookup", DETECT_DS_OP_LOOKUP},
                 {"dataset-clear", DETECT_DS_OP_CLEAR}};
    const char *cmd = ctx->cmd_name != NULL ? ctx->cmd_name : "";
    size_t i = 0;
    while (i < sizeof(k_ops) / sizeof(k_ops[0]) && strcmp(k_ops[i].cmd, cmd) != 0) {
        i++;
    }
    if (i == sizeof(k_ops) / sizeof(k_ops[0])) {
        control_answer_nok(out, "not a dataset command");
        return CONTROL_DONE;
    }
    DetectDatasetOp op = k_ops[i].op;
    const char *name = json_object_get_str(args, "setname");
    const char *type = json_object_get_str(args, "settype");
    const char *value = json_object_get_str(args, "datavalue");
    if (name == NULL || type == NULL || (op != DETECT_DS_OP_CLEAR && value == NULL)) {
        char msg[160];
        snprintf(msg, sizeof(msg), "%s needs the arguments 'setname', 'settype'%s", cmd,
                 op != DETECT_DS_OP_CLEAR ? " and 'datavalue' (serialized: base64 for "
                 "string, hex for md5/sha256, an address for ipv4/ip)" : "");
        control_answer_nok(out, msg);
        return CONTROL_DONE;
    }
    static const char *const k_msgs[] = {
        [DETECT_DS_R_NO_SET] = "no dataset of that name",
        [DETECT_DS_R_TYPE] = "the dataset is not of that type",
        [DETECT_DS_R_BAD_VALUE] = "datavalue is not a serialized value of the set's type",
        [DETECT_DS_R_EXISTS] = "data already in set",
        [DETECT_DS_R_ABSENT] = "data not in set",
        [DETECT_DS_R_FULL] = "the dataset's memcap is reached",
        [DETECT_DS_R_NOMEM] = "out of memory",
    };
    DetectDatasetResult r = detect_dataset_op(name, type, value, op);
    if (r == DETECT_DS_R_OK) {
        static const char *const k_ok[] = {"data added", "data removed", "item found",
                                           "dataset cleared"};
        answer_str(out, true, k_ok[op]);
    } else if (r == DETECT_DS_R_EXISTS) {
        answer_str(out, true, k_msgs[r]);    // as Suricata: adding twice is no failure
    } else {
        control_answer_nok(out, k_msgs[r]);
    }
    return CONTROL_DONE;
}

static ControlResult cmd_dataset_dump(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                      uint64_t *wait_gen)
{
    (void)ctx, (void)args, (void)wait_gen;
    if (detect_datasets_save() != 0) {
        control_answer_nok(out, "saving a dataset failed (see the log)");
    } else {
        answer_str(out, true, "datasets dumped");
    }
    return CONTROL_DONE;
}

static void dataset_item(const DetectDatasetInfo *d, void *user)
{
    JsonBuf *out = user;
    json_open_object(out, NULL);
    json_str(out, "name", d->name);
    json_str(out, "type", d->type);
    json_u64(out, "items", d->n_items);
    json_u64(out, "memuse", d->memuse);
    json_u64(out, "memcap", d->memcap);
    json_u64(out, "refused", d->n_refused);
    if (d->save_path != NULL) {
        json_str(out, "file", d->save_path);
    }
    json_close_object(out);
}

static ControlResult cmd_dataset_list(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                      uint64_t *wait_gen)
{
    (void)ctx, (void)args, (void)wait_gen;
    answer(out, true);
    json_open_array(out, "message");
    (void)detect_dataset_each(dataset_item, out);
    json_close_array(out);
    json_close_object(out);
    return CONTROL_DONE;
}

static const Cmd k_cmds[] = {
    {"version", "the engine's version", cmd_version},
    {"uptime", "seconds since the control socket started", cmd_uptime},
    {"running-mode", "the runmode", cmd_running_mode},
    {"capture-mode", "the capture source", cmd_capture_mode},
    {"command-list", "the commands", cmd_command_list},
    {"help", "the commands with a line each", cmd_help},
    {"shutdown", "stop the engine (outputs flushed, exit 0)", cmd_shutdown},
    {"reload-rules", "reload the rules and answer when done", cmd_reload_rules},
    {"ruleset-reload-rules", "same as reload-rules", cmd_reload_rules},
    {"ruleset-reload-nonblocking", "start a rule reload, answer at once", cmd_reload_nonblocking},
    {"ruleset-reload-time", "when the live rule set was loaded", cmd_reload_time},
    {"ruleset-stats", "rules loaded and failed", cmd_ruleset_stats},
    {"ruleset-failed-rules", "the rules that failed to load", cmd_failed_rules},
    {"dump-counters", "every counter, as in the stats record", cmd_dump_counters},
    {"conf-get", "a configuration value: {\"variable\": KEY}", cmd_conf_get},
    {"memcap-list", "the memcaps, their values and memory in use", cmd_memcap_list},
    {"memcap-show", "one memcap: {\"config\": NAME}", cmd_memcap_show},
    {"memcap-set", "change a memcap now: {\"config\": NAME, \"memcap\": SIZE}",
     cmd_memcap_set},
    {"iface-list", "the live capture interfaces", cmd_iface_list},
    {"iface-stat", "packets and drops of an interface: {\"iface\"}", cmd_iface_stat},
    {"add-hostbit", "set a hostbit: {\"ipaddress\", \"hostbit\", \"expire\": SECONDS}",
     cmd_add_hostbit},
    {"remove-hostbit", "unset a hostbit: {\"ipaddress\", \"hostbit\"}", cmd_remove_hostbit},
    {"list-hostbit", "the hostbits of a host: {\"ipaddress\"}", cmd_list_hostbit},
    {"dataset-add", "add to a dataset: {\"setname\", \"settype\", \"datavalue\"}",
     cmd_dataset_op},
    {"dataset-remove", "remove from a dataset: {\"setname\", \"settype\", \"datavalue\"}",
     cmd_dataset_op},
    {"dataset-lookup", "is a value in a dataset: {\"setname\", \"settype\", \"datavalue\"}",
     cmd_dataset_op},
    {"dataset-clear", "empty a dataset: {\"setname\", \"settype\"}", cmd_dataset_op},
    {"dataset-dump", "write every dataset with a save or state file", cmd_dataset_dump},
    {"dataset-list", "the datasets: name, type, items, memory", cmd_dataset_list},
    {"pcap-file", "queue a capture (unix-socket runmode): {\"filename\", \"output-dir\", "
     "\"tenant\", \"continuous\", \"delete-when-done\"}", control_cmd_pcap_file},
    {"pcap-file-continuous", "queue a directory watched for new captures until pcap-interrupt",
     control_cmd_pcap_file_continuous},
    {"pcap-file-number", "how many captures wait in the queue", control_cmd_pcap_file_number},
    {"pcap-file-list", "the captures waiting in the queue", control_cmd_pcap_file_list},
    {"pcap-current", "the capture being read, or None", control_cmd_pcap_current},
    {"pcap-last-processed", "modification time (ms) of the newest capture read whole",
     control_cmd_pcap_last_processed},
    {"pcap-interrupt", "stop reading the current capture (or continuous directory)",
     control_cmd_pcap_interrupt},
};

static const Cmd *cmd_table(size_t *n)
{
    *n = sizeof(k_cmds) / sizeof(k_cmds[0]);
    return k_cmds;
}

ControlResult control_dispatch(ControlCtx *ctx, const char *req, size_t len, JsonBuf *out,
                               uint64_t *wait_gen)
{
    JsonDoc *doc = NULL;
    char err[160];
    char msg[256];
    int rc = json_parse(req, len, &doc, err, sizeof(err));
    if (rc != 0) {
        snprintf(msg, sizeof(msg), "malformed request: %s", rc == -1 ? "out of memory" : err);
        control_answer_nok(out, msg);
        return CONTROL_DONE;
    }
    const JsonValue *root = json_doc_root(doc);
    const char *name = json_object_get_str(root, "command");
    const JsonValue *args = json_object_get(root, "arguments");
    ControlResult res = CONTROL_DONE;
    if (root->type != JSON_T_OBJECT) {
        control_answer_nok(out, "a request is a JSON object");
    } else if (name == NULL) {
        control_answer_nok(out, "no 'command' (a string) in the request");
    } else if (args != NULL && args->type != JSON_T_OBJECT) {
        control_answer_nok(out, "'arguments' must be an object");
    } else {
        const Cmd *cmd = NULL;
        for (size_t i = 0; i < sizeof(k_cmds) / sizeof(k_cmds[0]); i++) {
            if (strcmp(k_cmds[i].name, name) == 0) {
                cmd = &k_cmds[i];
            }
        }
        if (cmd == NULL) {
            snprintf(msg, sizeof(msg), "Unknown command '%.64s': see command-list", name);
            control_answer_nok(out, msg);
        } else {
            ctx->cmd_name = cmd->name;
            res = cmd->fn(ctx, args, out, wait_gen);
            ctx->cmd_name = NULL;
        }
    }
    json_doc_free(doc);
    return res;
}

ControlResult control_handshake(const char *req, size_t len, JsonBuf *out)
{
    JsonDoc *doc = NULL;
    char err[160];
    char msg[256];
    if (json_parse(req, len, &doc, err, sizeof(err)) != 0) {
        snprintf(msg, sizeof(msg), "malformed handshake: %s", err);
        control_answer_nok(out, msg);
        return CONTROL_CLOSE;
    }
    const char *ver = json_object_get_str(json_doc_root(doc), "version");
    ControlResult res = CONTROL_DONE;
    if (ver == NULL || strncmp(ver, "0.", 2) != 0) {
        control_answer_nok(out, "handshake: expected {\"version\": \"0.2\"}");
        res = CONTROL_CLOSE;
    } else {
        answer(out, true);
        json_close_object(out);
    }
    json_doc_free(doc);
    return res;
}
