/* The app-layer registry: protocol names, the global buffer and event tables built from
 * the parser rows, per-protocol configuration (app-layer.protocols.<proto>.*) and
 * counters, and --list-app-layer-protos. */
#include "app-layer/app-layer.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app-layer/app-layer-internal.h"
#include "conf/conf.h"
#include "flow/flow.h"
#include "util/util-error.h"
#include "util/util-log.h"

AppLayerCfg g_app_cfg = {.detect_max_bytes = 4096, .storage_id = -1};

static AppProtoCfg g_proto_cfg[APP_PROTO_MAX];

/* Names of protocols Suricata knows (rule headers, app-layer-protocol). */
static const char *const known_names[] = {
    "http", "http1", "http2", "dns", "tls", "ssl", "smb", "ssh", "ftp", "ftp-data", "smtp",
    "imap", "pop3", "dcerpc", "nfs", "tftp", "ntp", "dhcp", "krb5", "snmp", "sip", "rfb",
    "mqtt", "modbus", "dnp3", "enip", "ike", "ikev2", "rdp", "telnet", "quic", "pgsql",
    "websocket", "ldap", "bittorrent-dht", "template", "irc", "doh2", "mdns", "pop", "llmnr",
    "failed", "unknown",
};

static const char *const framework_events[APP_EV_N] = {
    [APP_EV_MISMATCH_BOTH_DIRECTIONS] = "mismatch_protocol_both_directions",
    [APP_EV_WRONG_DIRECTION_FIRST_DATA] = "wrong_direction_first_data",
    [APP_EV_DETECT_PROTOCOL_ONLY_ONE_DIRECTION] = "detect_protocol_only_one_direction",
    [APP_EV_PROTO_DETECTION_SKIPPED] = "proto_detection_skipped",
    [APP_EV_NO_TLS_AFTER_STARTTLS] = "no_tls_after_starttls",
    [APP_EV_UNEXPECTED_PROTOCOL] = "unexpected_protocol",
};

/* ---- registry (built once, independent of configuration) ---- */

#define APP_MAX_BUFFERS 1024
#define APP_MAX_EVENTS 1024

typedef struct Registry {
    const AppBufferDef *buffers[APP_MAX_BUFFERS];
    uint32_t n_buffers;
    char *events[APP_MAX_EVENTS];
    uint32_t n_events;
    int event_base[APP_PROTO_MAX];
} Registry;

static Registry g_reg;
static pthread_once_t g_reg_once = PTHREAD_ONCE_INIT;
static bool g_reg_built;         // start-up: rows added later extend the tables

/* Rows of plugins (app-layer-plugin.c), after the built-in ones; their
 * protocol ids follow APP_PROTO_MAX_BUILTIN. Written at start-up only. */
static const AppParserDesc *g_plugin_rows[APP_PROTO_PLUGIN_MAX];
static uint32_t g_n_plugin_rows;

uint32_t app_parser_count(void)
{
    return app_parser_n_rows + g_n_plugin_rows;
}

const AppParserDesc *app_parser_at(uint32_t i)
{
    return i < app_parser_n_rows ? app_parser_rows[i] : g_plugin_rows[i - app_parser_n_rows];
}

static void add_event(const char *proto, const char *name)
{
    if (g_reg.n_events >= APP_MAX_EVENTS) {
        VG_ERROR("app-layer: more than %d events; %s.%s dropped", APP_MAX_EVENTS, proto, name);
        return;
    }
    size_t n = strlen(proto) + strlen(name) + 2;
    char *s = malloc(n);
    if (s != NULL) {
        snprintf(s, n, "%s.%s", proto, name);
        g_reg.events[g_reg.n_events++] = s;
    }
}

/* Row by protocol id: filled as rows are added (registry build, start-up), read per
 * tx on the packet path, where a scan of ~30 rows showed in profiles. */
static const AppParserDesc *g_row_of[APP_PROTO_MAX];

static void row_index(const AppParserDesc *row)
{
    if (row->proto < APP_PROTO_MAX) {
        g_row_of[row->proto] = row;
    }
}

static void registry_add_row(const AppParserDesc *row)
{
    row_index(row);
    g_reg.event_base[row->proto] = (int)g_reg.n_events;
    for (uint32_t e = 0; e < row->n_events; e++) {
        add_event(row->name, row->events[e]);
    }
    for (uint32_t b = 0; b < row->n_buffers; b++) {
        if (g_reg.n_buffers >= APP_MAX_BUFFERS) {
            VG_ERROR("app-layer: more than %d buffers; %s's %s and later dropped",
                     APP_MAX_BUFFERS, row->name, row->buffers[b].name);
            break;
        }
        g_reg.buffers[g_reg.n_buffers++] = &row->buffers[b];
    }
}

static void registry_build(void)
{
    for (uint32_t i = 0; i < APP_EV_N; i++) {
        add_event("applayer", framework_events[i]);
    }
    for (uint32_t r = 0; r < app_parser_count(); r++) {
        registry_add_row(app_parser_at(r));
    }
    g_reg_built = true;
}

int app_parser_add(const AppParserDesc *row)
{
    if (g_n_plugin_rows >= APP_PROTO_PLUGIN_MAX ||
        row->proto != APP_PROTO_MAX_BUILTIN + g_n_plugin_rows) {
        return VG_ERANGE;
    }
    g_plugin_rows[g_n_plugin_rows++] = row;
    if (g_reg_built) {
        registry_add_row(row);
    }
    return 0;
}

AppProto app_parser_next_plugin_proto(void)
{
    return g_n_plugin_rows < APP_PROTO_PLUGIN_MAX
               ? (AppProto)(APP_PROTO_MAX_BUILTIN + g_n_plugin_rows)
               : APP_PROTO_UNKNOWN;
}

static void registry_ensure(void)
{
    pthread_once(&g_reg_once, registry_build);
}

const AppParserDesc *app_parser_row(AppProto p)
{
    if (p < APP_PROTO_MAX && g_row_of[p] != NULL) {
        return g_row_of[p];
    }
    for (uint32_t r = 0; r < app_parser_count(); r++) {
        if (app_parser_at(r)->proto == p) {
            return app_parser_at(r);   // before the registry is built
        }
    }
    return NULL;
}

bool app_layer_proto_eve_generic(AppProto p)
{
    const AppParserDesc *row = app_parser_row(p);
    return row != NULL && row->log_json != NULL &&
           (row->eve_generic || p >= APP_PROTO_MAX_BUILTIN);
}

void app_layer_proto_eve_options(AppProto p, const struct ConfNode *opts)
{
    const AppParserDesc *row = app_parser_row(p);
    if (row != NULL && row->eve_options != NULL) {
        row->eve_options(opts);
    }
}

bool app_layer_tx_eve_wanted(const AppTx *tx)
{
    const AppParserDesc *row = app_parser_row(tx->proto);
    return row == NULL || row->eve_wanted == NULL || row->eve_wanted(tx);
}

bool app_layer_tx_eve_toclient(const AppTx *tx)
{
    const AppParserDesc *row = app_parser_row(tx->proto);
    return row != NULL && row->eve_toclient != NULL && row->eve_toclient(tx);
}

AppProtoCfg *app_proto_cfg(AppProto p)
{
    return p < APP_PROTO_MAX ? &g_proto_cfg[p] : NULL;
}

bool app_layer_memcap_get(AppProto p, uint64_t *memcap, uint64_t *memuse)
{
    AppProtoCfg *pc = app_proto_cfg(p);
    if (pc == NULL || pc->enabled == APP_ENABLED_NO) {
        return false;
    }
    *memcap = atomic_load(&pc->memcap_bytes);
    *memuse = atomic_load(&pc->memuse);
    return true;
}

int app_layer_memcap_set(AppProto p, uint64_t bytes)
{
    AppProtoCfg *pc = app_proto_cfg(p);
    if (pc == NULL || pc->enabled == APP_ENABLED_NO) {
        return VG_ENOENT;
    }
    if (bytes != 0 && bytes < atomic_load(&pc->memuse)) {
        return VG_ERANGE;
    }
    atomic_store(&pc->memcap_bytes, bytes);
    return 0;
}

const char *app_proto_name(AppProto p)
{
    if (p == APP_PROTO_FAILED) {
        return "failed";
    }
    const AppParserDesc *row = app_parser_row(p);
    return row ? row->name : NULL;
}

AppProto app_proto_by_name(const char *name)
{
    if (name == NULL) {
        return APP_PROTO_UNKNOWN;
    }
    if (strcmp(name, "failed") == 0) {
        return APP_PROTO_FAILED;
    }
    for (uint32_t r = 0; r < app_parser_count(); r++) {
        const AppParserDesc *row = app_parser_at(r);
        if (strcmp(row->name, name) == 0) {
            return row->proto;
        }
        for (const char *const *a = row->aliases; a != NULL && *a != NULL; a++) {
            if (strcmp(*a, name) == 0) {
                return row->proto;
            }
        }
    }
    return APP_PROTO_UNKNOWN;
}

bool app_proto_is_known_name(const char *name)
{
    for (size_t i = 0; i < sizeof(known_names) / sizeof(known_names[0]); i++) {
        if (strcmp(known_names[i], name) == 0) {
            return true;
        }
    }
    return app_proto_by_name(name) != APP_PROTO_UNKNOWN;
}

int app_layer_buffer_find(const char *name)
{
    registry_ensure();
    for (uint32_t i = 0; i < g_reg.n_buffers; i++) {
        if (strcmp(g_reg.buffers[i]->name, name) == 0) {
            return (int)i;
        }
    }
    return VG_ENOENT;
}

int app_layer_buffer_find_for(const char *name, AppProto proto, uint8_t dir)
{
    registry_ensure();
    for (uint32_t i = 0; i < g_reg.n_buffers; i++) {
        const AppBufferDef *d = g_reg.buffers[i];
        if (d->proto == proto && d->dir == dir && strcmp(d->name, name) == 0) {
            return (int)i;
        }
    }
    return VG_ENOENT;
}

const AppBufferDef *app_layer_buffer_def(int id)
{
    registry_ensure();
    return (id >= 0 && (uint32_t)id < g_reg.n_buffers) ? g_reg.buffers[id] : NULL;
}

/* Buffers some loaded rule inspects (bit per id); only ever set, like the file needs. */
static _Atomic uint64_t g_buffer_need[APP_MAX_BUFFERS / 64];

void app_layer_buffer_need(int id)
{
    if (id >= 0 && id < APP_MAX_BUFFERS) {
        atomic_fetch_or_explicit(&g_buffer_need[id / 64], 1ull << (id % 64),
                                 memory_order_relaxed);
    }
}

bool app_layer_buffer_needed(int id)
{
    return id >= 0 && id < APP_MAX_BUFFERS &&
           (atomic_load_explicit(&g_buffer_need[id / 64], memory_order_relaxed) &
            (1ull << (id % 64))) != 0;
}

uint32_t app_layer_buffer_count(void)
{
    registry_ensure();
    return g_reg.n_buffers;
}

int app_layer_event_find(const char *proto_dot_name)
{
    registry_ensure();
    /* "http1.x" is "http.x" (rule writers use either name). */
    char buf[128];
    if (strncmp(proto_dot_name, "http1.", 6) == 0) {
        snprintf(buf, sizeof(buf), "http.%s", proto_dot_name + 6);
        proto_dot_name = buf;
    }
    for (uint32_t i = 0; i < g_reg.n_events; i++) {
        if (strcasecmp(g_reg.events[i], proto_dot_name) == 0) {
            return (int)i;
        }
    }
    return VG_ENOENT;
}

const char *app_layer_event_name(int id)
{
    registry_ensure();
    return (id >= 0 && (uint32_t)id < g_reg.n_events) ? g_reg.events[id] : NULL;
}

static void copy_event(char *out, size_t cap, const char *prefix, const char *name, bool upper)
{
    size_t n = 0;
    for (const char *parts[2] = {prefix, name}, **pp = parts; pp < parts + 2; pp++) {
        for (const char *c = *pp; *c != '\0' && n + 1 < cap; c++) {
            out[n++] = upper ? (char)toupper((unsigned char)*c) : *c;
        }
    }
    out[n] = '\0';
}

bool app_layer_event_anomaly(int id, char *out, size_t cap, const char **layer)
{
    registry_ensure();
    if (id < 0 || (uint32_t)id >= g_reg.n_events || cap == 0) {
        return false;
    }
    if (id < APP_EV_N) {
        /* Suricata names the framework's events APPLAYER_<NAME> in anomaly records */
        copy_event(out, cap, "applayer_", framework_events[id], true);
        *layer = "proto_detect";
        return true;
    }
    for (uint32_t r = 0; r < app_parser_count(); r++) {
        const AppParserDesc *row = app_parser_at(r);
        int base = g_reg.event_base[row->proto];
        if (id >= base && (uint32_t)(id - base) < row->n_events) {
            copy_event(out, cap, "", row->events[id - base], row->events_upper);
            *layer = "proto_parser";
            return true;
        }
    }
    return false;
}

int app_layer_event_base(AppProto p)
{
    registry_ensure();
    return p < APP_PROTO_MAX ? g_reg.event_base[p] : 0;
}

void app_layer_set_detect_state_free(void (*free_fn)(void *))
{
    /* Every rule set build hands the same function; a rule reload must not
     * write what the packet threads read while freeing txs. */
    if (g_app_cfg.detect_state_free != free_fn) {
        g_app_cfg.detect_state_free = free_fn;
    }
}

void app_layer_set_proto_inspected(AppProto p, bool has_rules)
{
    if (p < APP_PROTO_MAX) {
        atomic_store_explicit(&g_proto_cfg[p].has_rules, has_rules, memory_order_relaxed);
    }
}

void app_layer_set_proto_logged(AppProto p, uint32_t logger_bit, bool enabled)
{
    if (p >= APP_PROTO_MAX) {
        return;
    }
    if (enabled) {
        g_proto_cfg[p].logger_mask |= logger_bit;
    } else {
        g_proto_cfg[p].logger_mask &= ~logger_bit;
    }
}

bool app_proto_runs_over(AppProto p, uint8_t ipproto)
{
    const AppParserDesc *row = app_parser_row(p);
    return row != NULL && (row->ipproto == ipproto || row->ipproto == 0);
}

bool app_layer_proto_enabled(AppProto p)
{
    return p < APP_PROTO_MAX && g_proto_cfg[p].enabled == APP_ENABLED_YES;
}

/* ---- configuration ---- */

static int parse_ports(const char *spec, uint8_t *bitmap, const char *where)
{
    memset(bitmap, 0, 65536 / 8);
    const char *s = spec;
    while (*s != '\0') {
        while (*s == ' ' || *s == ',' || *s == '[' || *s == ']') {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        if (strncmp(s, "any", 3) == 0) {
            memset(bitmap, 0xff, 65536 / 8);
            s += 3;
            continue;
        }
        char *end;
        long lo = strtol(s, &end, 10);
        long hi = lo;
        if (end == s) {
            VG_ERROR("%s: '%s' is not a port list", where, spec);
            return VG_EINVAL;
        }
        s = end;
        if (*s == ':' || *s == '-') {
            hi = strtol(s + 1, &end, 10);
            s = end;
        }
        if (lo < 0 || hi > 65535 || lo > hi) {
            VG_ERROR("%s: '%s' is not a port list", where, spec);
            return VG_EINVAL;
        }
        for (long p = lo; p <= hi; p++) {
            bitmap[p / 8] |= (uint8_t)(1u << (p % 8));
        }
    }
    return 0;
}

/* <proto>.memuse: the bytes charged to the protocol now, read when the counters are
 * merged (so the last record after every flow ended says what is left). */
static uint64_t proto_memuse(void *arg)
{
    const AppProtoCfg *pc = arg;
    return atomic_load_explicit(&pc->memuse, memory_order_relaxed);
}

static int config_enabled(const struct Conf *conf, const AppParserDesc *row, AppProtoCfg *pc)
{
    char key[160];
    snprintf(key, sizeof(key), "app-layer.protocols.%s.enabled", row->name);
    const ConfNode *n = conf ? conf_get_node(conf, NULL, key) : NULL;
    pc->enabled = APP_ENABLED_YES;
    if (n == NULL || n->value == NULL) {
        return 0;
    }
    bool b;
    if (strcmp(n->value, "detection-only") == 0) {
        pc->enabled = APP_ENABLED_DETECTION_ONLY;
    } else if (conf_parse_bool(n->value, &b)) {
        pc->enabled = b ? APP_ENABLED_YES : APP_ENABLED_NO;
    } else {
        VG_ERROR("%s:%d: %s: expected yes, no or detection-only, not '%s'", n->file, n->line,
                 key, n->value);
        return VG_EINVAL;
    }
    return 0;
}

static int config_proto(const struct Conf *conf, const AppParserDesc *row)
{
    AppProtoCfg *pc = &g_proto_cfg[row->proto];
    int rc = config_enabled(conf, row, pc);
    if (rc != 0) {
        return rc;
    }
    char key[160];
    bool bad = false;
    snprintf(key, sizeof(key), "app-layer.protocols.%s.memcap", row->name);
    atomic_store(&pc->memcap_bytes, conf_size_or(conf, key, 64u << 20, &bad));
    snprintf(key, sizeof(key), "app-layer.protocols.%s.max-tx", row->name);
    int64_t mt = conf_int_or(conf, key, 4096, &bad);
    if (bad || mt < 0 || mt > 1000000) {
        VG_ERROR("app-layer.protocols.%s: memcap must be a size and max-tx 0..1000000",
                 row->name);
        return VG_EINVAL;
    }
    pc->max_tx = (uint32_t)mt;
    snprintf(key, sizeof(key), "app-layer.protocols.%s.detection-ports.dp", row->name);
    const char *ports = conf_str_or(conf, key, row->default_ports);
    if (parse_ports(ports ? ports : "", pc->ports, key) != 0) {
        return VG_EINVAL;
    }
    char name[96];
    const char *sfx = row->split_counters ? "_tcp" : "";
    snprintf(name, sizeof(name), "app_layer.flow.%s%s", row->name, sfx);
    pc->c_flows = counters_register(name, COUNTER_SUM);
    snprintf(name, sizeof(name), "app_layer.tx.%s%s", row->name, sfx);
    pc->c_txs = counters_register(name, COUNTER_SUM);
    pc->c_flows_udp = pc->c_flows;
    pc->c_txs_udp = pc->c_txs;
    if (row->split_counters) {
        snprintf(name, sizeof(name), "app_layer.flow.%s_udp", row->name);
        pc->c_flows_udp = counters_register(name, COUNTER_SUM);
        snprintf(name, sizeof(name), "app_layer.tx.%s_udp", row->name);
        pc->c_txs_udp = counters_register(name, COUNTER_SUM);
    }
    snprintf(name, sizeof(name), "app_layer.error.%s.memcap", row->name);
    pc->c_memcap = counters_register(name, COUNTER_SUM);
    snprintf(name, sizeof(name), "app_layer.error.%s.parser", row->name);
    pc->c_errors = counters_register(name, COUNTER_SUM);
    snprintf(name, sizeof(name), "app_layer.error.%s.gap", row->name);
    pc->c_gaps = counters_register(name, COUNTER_SUM);
    /* bytes charged to the protocol now (as Suricata's http.memuse) and at most */
    snprintf(name, sizeof(name), "%s.memuse", row->name);
    pc->c_memuse = counters_register_probe(name, proto_memuse, pc);
    snprintf(name, sizeof(name), "app_layer.memuse_peak.%s", row->name);
    pc->c_memuse_peak = counters_register(name, COUNTER_MAX);
    return row->config != NULL ? row->config(conf) : 0;
}

static void app_layer_flow_storage_free(void *p)
{
    app_flow_free(p);
}

static int app_layer_init_conf(const struct Conf *conf);

static bool g_offline;

void app_layer_set_offline(bool offline)
{
    g_offline = offline;
}

bool app_layer_is_offline(void)
{
    return g_offline;
}

int app_layer_init(const struct Conf *conf)
{
    if (conf != NULL) {
        return app_layer_init_conf(conf);
    }
    Conf *dflt = conf_new(); // built-in defaults only
    if (dflt == NULL) {
        return VG_ENOMEM;
    }
    int rc = app_layer_init_conf(dflt);
    conf_free(dflt);
    return rc;
}

static int app_layer_init_conf(const struct Conf *conf)
{
    registry_ensure();
    bool bad = false;
    int64_t cap = conf_int_or(conf, "app-layer.detection-max-bytes", 4096, &bad);
    if (bad || cap < 64 || cap > (1 << 20)) {
        VG_ERROR("app-layer.detection-max-bytes must be 64..1048576");
        return VG_EINVAL;
    }
    g_app_cfg.detect_max_bytes = (uint32_t)cap;
    if (flow_exception_policy_load(conf, "app-layer.error-policy", 0, &g_app_cfg.error_policy) !=
        0) {
        return VG_EINVAL;
    }
    int64_t sim = conf_int_or(conf, "simulate.applayer-error-offset-ts", -1, &bad);
    if (bad || sim < -1) {
        VG_ERROR("simulate.applayer-error-offset-ts: not a stream offset");
        return VG_EINVAL;
    }
    g_app_cfg.sim_error_offset_ts = sim;
    for (uint32_t r = 0; r < app_parser_count(); r++) {
        int rc = config_proto(conf, app_parser_at(r));
        if (rc != 0) {
            return rc;
        }
    }
    g_app_cfg.c_detect_giveup = counters_register("app_layer.detect.giveup", COUNTER_SUM);
    app_frames_counters_register();
    g_app_cfg.c_detect_mismatch =
        counters_register("app_layer.detect.mismatch", COUNTER_SUM);
    g_app_cfg.c_flows_failed = counters_register("app_layer.flow.failed", COUNTER_SUM);
    int id = flow_storage_find("app-layer");
    if (id < 0) {
        id = flow_storage_register("app-layer", app_layer_flow_storage_free);
    }
    if (id < 0) {
        VG_ERROR("app-layer: no flow storage slot left");
        return VG_ERANGE;
    }
    g_app_cfg.storage_id = id;
    return 0;
}

void app_layer_deinit(void)
{
    for (uint32_t r = 0; r < app_parser_count(); r++) {
        if (app_parser_at(r)->deinit != NULL) {
            app_parser_at(r)->deinit();
        }
    }
    app_layer_filestore_deinit();
    g_app_cfg.storage_id = -1;
}

void app_layer_list_protos_print(void)
{
    printf("%-8s %-5s %-24s %-8s %-8s %s\n", "Name", "IP", "Ports", "Buffers", "Events",
           "Aliases");
    for (uint32_t r = 0; r < app_parser_count(); r++) {
        const AppParserDesc *row = app_parser_at(r);
        char aliases[128] = "";
        size_t used = 0;
        for (const char *const *a = row->aliases; a != NULL && *a != NULL; a++) {
            used += (size_t)snprintf(aliases + used, sizeof(aliases) - used, "%s%s",
                                     used ? "," : "", *a);
            if (used >= sizeof(aliases)) {
                break;
            }
        }
        printf("%-8s %-5s %-24s %-8u %-8u %s\n", row->name, row->ipproto == 6 ? "tcp" : row->ipproto == 17 ? "udp" : "both",
               row->default_ports ? row->default_ports : "-", row->n_buffers, row->n_events,
               aliases);
    }
}
