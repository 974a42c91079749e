/* Wiring the subsystems together at start-up, and the end-of-run summary. */
#include "engine-setup.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acquire/acquire.h"
#include "app-layer/app-layer.h"
#include "conf/conf.h"
#include "control/control-metrics.h"
#include "control/control.h"
#include "decode/decode.h"
#include "defrag/defrag.h"
#include "engine-progress.h"
#include "detect/detect.h"
#include "flow/flow-module.h"
#include "flow/flow.h"
#include "output/output-module.h"
#include "runtime/counters.h"
#include "runtime/packet-pool.h"
#include "runtime/plugin.h"
#include "runtime/plugin-internal.h"
#include "runtime/runtime.h"
#include "runtime/runtime-order.h"
#include "stream/stream.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define MAX_RETIRED_ENGINES 16

/* Rule sets replaced by a reload: kept until exit, since a worker may still
 * be inspecting with one (bounded: reloads beyond this are refused). */
static DetectEngine *g_retired[MAX_RETIRED_ENGINES];
static int g_n_retired;
static _Atomic int64_t g_last_reload_sec; // wall clock of the live rule set's load
static int g_detect_storage_id = -1;

/* The control socket (UC#01): asked for on the command line, and the server
 * (main thread at start-up and teardown, UC#01 in between). */
static struct {
    bool is_cli_on;
    const char *cli_path;        // NULL or "": the configured path
    bool is_detached;            // a capture run of the unix-socket runmode: no socket of its own
    ControlServer *server;
} g_control;

/* The metrics endpoint (MX#01): configuration and server, as above. */
static struct {
    MetricsConfig cfg;
    MetricsServer *server;
} g_metrics;

/* Flow-end detection: the stream data a flow still holds when it ends is
 * inspected in whichever thread ends it (flow manager, acquire thread in
 * packet time, a packet thread evicting): one DetectThread for all of them,
 * behind a lock, rebuilt when a reload swapped the rule set. */
static struct {
    pthread_mutex_t lock;
    DetectThread *dt;
    const DetectEngine *de;
    CounterSet *cs;
} g_flow_end = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Fragment policy of a host: its host-os-policy entry (shared with stream
 * reassembly, as in Suricata), mapped by name to a fragment policy. */
static DefragPolicy engine_defrag_policy(const VgAddr *dst)
{
    DefragPolicy pol = DEFRAG_POLICY_BSD;
    (void)defrag_policy_by_name(stream_policy_name(stream_policy_for(dst)), &pol);
    return pol;
}

static int setup_defrag(const Engine *e)
{
    DefragConfig dc;
    defrag_config_defaults(&dc);
    if (defrag_config_load(&dc, e->conf) != 0) {
        return 1;
    }
    if (defrag_init(&dc, engine_defrag_policy) != 0) {
        VG_ERROR("out of memory setting up defrag");
        return 1;
    }
    return 0;
}

static DetectEngine *load_rules(const Engine *e)
{
    DetectLoadOptions lo = {
        .exclusive_files = (const char **)e->opts.exclusive_rules,
        .n_exclusive = (size_t)e->opts.n_exclusive_rules,
        .extra_files = (const char **)e->opts.extra_rules,
        .n_extra = (size_t)e->opts.n_extra_rules,
        .keep_rule_text = output_conf_wants_rule_opt(e->conf, "raw"),
        .keep_references = output_conf_wants_rule_opt(e->conf, "reference"),
        .firewall_exclusive = e->opts.firewall_rules,
    };
    return detect_engine_new(e->conf, &lo);
}

int engine_setup(Engine *e)
{
    if (plugin_load_all(e->conf) != 0) {
        return 1;
    }
    bool bad = false;
    int64_t n_pkts = conf_int_or(e->conf, "max-pending-packets", 1024, &bad);
    if (bad || n_pkts < 16 || n_pkts > 65535) {
        VG_ERROR("max-pending-packets must be 16..65535");
        return 1;
    }
    uint64_t max_pkt = conf_size_or(e->conf, "max-packet-size", ENGINE_MAX_PACKET_SIZE, &bad);
    if (bad || max_pkt < ENGINE_MIN_PACKET_SIZE || max_pkt > ENGINE_MAX_PACKET_SIZE_BOUND) {
        VG_ERROR("max-packet-size must be %u..%u bytes", ENGINE_MIN_PACKET_SIZE,
                 ENGINE_MAX_PACKET_SIZE_BOUND);
        return 1;
    }
    e->is_reload_strict = conf_bool_or(e->conf, "detect.reload-strict", false, &bad);
    if (bad) {
        VG_ERROR("detect.reload-strict must be yes or no");
        return 1;
    }
    FlowConfig fc;
    flow_config_defaults(&fc);
    if (flow_config_load(&fc, e->conf) != 0) {
        return 1;
    }
    /* A decoder option in Suricata's config, read by the flow table. */
    fc.recursion_tracking = conf_bool_or(e->conf, "decoder.recursion-level.use-for-tracking",
                                         fc.recursion_tracking, NULL);
    app_layer_set_offline(e->acquire_module == NULL); // pcap-file (-r, unix socket)
    if (app_layer_init(e->conf) != 0) {
        return 1;
    }
    g_detect_storage_id = flow_storage_register("detect", detect_flow_storage_free);
    detect_set_flow_storage_id(g_detect_storage_id);
    DetectEngine *de = load_rules(e);
    if (de == NULL) {
        return 1;
    }
    atomic_store(&e->detect, de);
    if (e->opts.test_config) {
        return 0;
    }
    /* Every counter a thread may look up exists before any thread starts:
     * the stream stage of a worker resolves the decoder's event counters
     * when it starts, possibly before the reader's decode stage would have
     * registered them (its stream events were then counted nowhere). */
    decode_register_counters();
    defrag_register_counters();
    e->flow_table = flow_table_new(&fc);
    e->pool = packet_pool_new_sized((uint32_t)n_pkts, (uint32_t)max_pkt);
    if (e->flow_table == NULL || e->pool == NULL) {
        VG_ERROR("out of memory setting up the flow table and packet pool");
        return 1;
    }
    if (stream_init(e->conf, e->flow_table) != 0 || app_layer_stream_attach() != 0 ||
        stream_plugin_attach() != 0) {
        return 1;
    }
    if (setup_defrag(e) != 0) {
        return 1;
    }
    e->packet_done = flow_module_packet_done;
    e->steer_prepare = flow_module_steer_prepare;
    return 0;
}

int engine_test_result(const Engine *e)
{
    uint32_t loaded = 0;
    uint32_t failed = 0;
    detect_engine_stats(atomic_load(&e->detect), &loaded, &failed);
    if (loaded == 0 && !e->opts.allow_empty_rules) {
        VG_ERROR("no rule loaded: a configuration without rules is accepted by -T only "
                 "with --allow-empty-rules");
        return 1;
    }
    if (failed > 0) {
        VG_ERROR("%u rules failed to load", failed);
        return 1;
    }
    return 0;
}

static void emit_flow_end_alerts(const Packet *p, void *user)
{
    output_packet_alerts(user, p);
}

/* FlowEndCb (user = Engine): detection over the data left, then the record. */
static void engine_flow_end(Flow *f, FlowEndReason reason, void *user)
{
    Engine *e = user;
    const DetectEngine *de = atomic_load(&e->detect);
    if (detect_engine_shares_state(de) && detect_flow_end_may_inspect(f)) {
        /* Its detection may decide on state shared across flows: wait for the
         * packet order first (runtime-order.h), never under g_flow_end.lock,
         * which the threads of earlier packets may need. */
        runtime_order_wait();
    }
    pthread_mutex_lock(&g_flow_end.lock);
    if (g_flow_end.de != de) {
        detect_thread_free(g_flow_end.dt);
        g_flow_end.dt = detect_thread_new(de, g_flow_end.cs);
        g_flow_end.de = de;
    }
    /* A thread without its own app-layer counters (shutdown, flow manager) counts
     * into the flow-end set, under this lock, as a packet thread would. */
    CounterSet *prev = app_layer_thread_counters_swap(NULL);
    (void)app_layer_thread_counters_swap(prev != NULL ? prev : g_flow_end.cs);
    app_layer_flow_end(f);
    (void)detect_flow_end(g_flow_end.dt, f, emit_flow_end_alerts, e->output);
    output_flow_end(f, reason, e->output);
    (void)app_layer_thread_counters_swap(prev);
    pthread_mutex_unlock(&g_flow_end.lock);
}

static int flow_end_detect_setup(Engine *e)
{
    g_flow_end.cs = counters_set_new();
    g_flow_end.de = atomic_load(&e->detect);
    g_flow_end.dt = detect_thread_new(g_flow_end.de, g_flow_end.cs);
    if (g_flow_end.cs == NULL || g_flow_end.dt == NULL) {
        VG_ERROR("out of memory setting up flow-end detection");
        return 1;
    }
    return 0;
}

static void flow_end_detect_free(void)
{
    detect_thread_free(g_flow_end.dt);
    counters_set_free(g_flow_end.cs);
    g_flow_end.dt = NULL;
    g_flow_end.cs = NULL;
    g_flow_end.de = NULL;
}

/* FM#01: flow timeouts on the engine clock (packet time offline), and the
 * end of every flow at shutdown. */
static void task_flow_manager(Engine *e, bool is_final, void *user)
{
    (void)user;
    if (is_final) {
        /* Flows whose timeout passed by the last packet end as timeouts,
         * the rest as shutdown: the same flows in every run. */
        flow_table_end_all_at(e->flow_table, atomic_load(&e->now_sec), engine_flow_end, e);
        return;
    }
    if (e->opts.pcap_path != NULL) {
        /* Offline each flow thread runs its timeouts in packet time
         * (flow-module.c); passes here, at wall-clock moments, would make
         * flow records depend on how fast the machine is. */
        return;
    }
    flow_manager_timeout_pass(e->flow_table, atomic_load(&e->now_sec), engine_flow_end, e);
}

/* memcap.pressure: how full the fullest memcap is (flow table, TCP sessions,
 * reassembly, defrag), in percent, as Suricata 8 reports it; pressure_max
 * the highest seen. Sampled each packet-time second in the acquire thread,
 * live also each wall-clock stats tick, and at the end. */
static struct {
    pthread_mutex_t lock;        // samplers: acquire thread, stats task
    CounterSet *cs;
    CounterId pressure;
    CounterId pressure_max;
    uint64_t max;
} g_pressure = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* *worst becomes use's percentage of cap when that is higher (no cap: 0). */
static void keep_fullest(uint64_t *worst, uint64_t use, uint64_t cap)
{
    uint64_t pct = cap == 0 ? 0 : (use >= cap ? 100 : use * 100 / cap);
    *worst = pct > *worst ? pct : *worst;
}

static void memcap_pressure_sample(const Engine *e)
{
    if (g_pressure.cs == NULL) {
        return;
    }
    uint64_t worst = 0;
    uint64_t use = 0;
    if (e->flow_table != NULL) {
        FlowTableStats fs;
        flow_table_get_stats(e->flow_table, &fs);
        keep_fullest(&worst, fs.memuse_bytes, flow_table_memcap(e->flow_table));
    }
    uint64_t cap = stream_memcap_get(false, &use);
    keep_fullest(&worst, use, cap);
    cap = stream_memcap_get(true, &use);
    keep_fullest(&worst, use, cap);
    cap = defrag_memcap_get(&use);
    keep_fullest(&worst, use, cap);
    pthread_mutex_lock(&g_pressure.lock);
    g_pressure.max = worst > g_pressure.max ? worst : g_pressure.max;
    counters_set(g_pressure.cs, g_pressure.pressure, worst);
    counters_set(g_pressure.cs, g_pressure.pressure_max, g_pressure.max);
    pthread_mutex_unlock(&g_pressure.lock);
}

static int memcap_pressure_setup(void)
{
    g_pressure.pressure = counters_register("memcap.pressure", COUNTER_GAUGE);
    g_pressure.pressure_max = counters_register("memcap.pressure_max", COUNTER_MAX);
    g_pressure.max = 0;
    g_pressure.cs = counters_set_new();
    return g_pressure.cs != NULL ? 0 : VG_ENOMEM;
}

static void memcap_pressure_free(void)
{
    counters_set_free(g_pressure.cs);
    g_pressure.cs = NULL;
}

/* Periodic stats: every stats.interval seconds of the clock stats.clock
 * names. The packet clock ticks in the acquire thread (on_new_second), the
 * wall clock in the stats task; the final record comes from the stats task
 * after every packet thread has ended. The output serialises them. */
static void stats_tick(Engine *e, OutputStatsClock clock, int64_t now, bool is_final)
{
    if (!atomic_load(&e->have_start)) {
        return;
    }
    output_stats_tick(e->output, clock, atomic_load(&e->start_sec), now,
                      atomic_load(&e->now_usec), is_final);
}

/* Packet time entered a new second: periodic stats if due. Flow timeouts
 * run in the flow threads (flow-module.c), at their own packets' clock. */
static void on_new_second(Engine *e, int64_t sec)
{
    memcap_pressure_sample(e);
    stats_tick(e, OUTPUT_STATS_CLOCK_PACKET, sec, false);
}

/* CS#01: log reopening on SIGHUP (each output swaps its file under its own
 * lock, safe against writers in any thread); wall-clock stats; the final
 * stats record. */
static void task_stats(Engine *e, bool is_final, void *user)
{
    (void)user;
    if (atomic_exchange(&e->reopen_logs, false)) {
        output_ctx_reopen(e->output);
        if (util_log_file_reopen() != 0) {
            VG_WARN("%s: cannot reopen the log file: %s", util_log_file_path(), strerror(errno));
        }
    }
    if (is_final || e->opts.pcap_path == NULL) {
        /* offline, wall-clock moments would make the counters depend on
         * how fast the machine is */
        memcap_pressure_sample(e);
    }
    stats_tick(e, OUTPUT_STATS_CLOCK_WALL, atomic_load(&e->now_sec), is_final);
    engine_progress_tick(e, is_final);
}

int engine_reload_rules(Engine *e, bool free_old)
{
    if (!free_old && g_n_retired >= MAX_RETIRED_ENGINES) {
        VG_WARN("rule reload refused: too many reloads in this run");
        control_note_reload(false, false, "reload refused: too many reloads in this run");
        return VG_ERANGE;
    }
    VG_NOTICE("rule reload requested: building the new rule set beside the old one");
    DetectEngine *de = load_rules(e);
    uint32_t loaded = 0;
    uint32_t failed = 0;
    if (de != NULL) {
        detect_engine_stats(de, &loaded, &failed);
    }
    if (de == NULL) {
        /* A setting or rule file that fails start-up fails the reload too. */
        VG_ERROR("rule reload failed: keeping the current rules");
        control_note_reload(false, false, "reload failed (see the log): keeping the current rules");
        return VG_EINVAL;
    }
    if (failed > 0 && e->is_reload_strict) {
        /* Asked for: a rule set that did not load whole is not swapped in. */
        VG_ERROR("rule reload failed (%u rules failed to load, detect.reload-strict is set): "
                 "keeping the current rules", failed);
        detect_engine_free(de);
        control_note_reload(false, false, "reload failed: rules failed to load and "
                            "detect.reload-strict is set: keeping the current rules");
        return VG_EINVAL;
    }
    DetectEngine *old = atomic_exchange(&e->detect, de);
    uint32_t carried = detect_engine_hostbits_carry(de, old, atomic_load(&e->now_sec));
    if (carried > 0) {
        VG_INFO("rule reload: %u hostbits/xbits carried over to the new rule set", carried);
    }
    if (free_old) {
        detect_engine_free(old);
    } else {
        g_retired[g_n_retired++] = old;
    }
    atomic_store(&g_last_reload_sec, (int64_t)time(NULL));
    VG_NOTICE("rule reload done: the new rule set is live (%u rules loaded, %u failed)", loaded,
              failed);
    char msg[128];
    snprintf(msg, sizeof(msg), "done: %u rules loaded, %u failed", loaded, failed);
    control_note_reload(false, true, msg);
    return 0;
}

/* RL#01: a worker may still inspect with the replaced rule set: it is kept. */
static void task_reload(Engine *e, bool is_final, void *user)
{
    (void)user;
    if (is_final || !atomic_exchange(&e->reload_rules, false)) {
        return;
    }
    (void)engine_reload_rules(e, false);
}

/* UC#01: the control socket; at the end, pending requests are refused. */
static void task_control(Engine *e, bool is_final, void *user)
{
    (void)e;
    if (is_final) {
        control_server_stop_clients(user);
        return;
    }
    control_server_poll(user, 100);
}

void engine_set_unix_socket(const char *path)
{
    g_control.is_cli_on = true;
    g_control.cli_path = path;
}

bool engine_unix_socket_asked(void)
{
    return g_control.is_cli_on;
}

ControlServer *engine_control_open(Engine *e)
{
    char buf[256];
    const char *path = NULL;
    if (g_control.server != NULL) {
        return g_control.server;
    }
    if (control_socket_path(e->conf, true, g_control.cli_path, e->opts.log_dir, buf, sizeof(buf),
                            &path) != 0) {
        return NULL;
    }
    g_control.server = control_server_new(path, e);
    return g_control.server;
}

void engine_control_detach(void)
{
    control_server_forget(g_control.server);
    g_control.server = NULL;
    g_control.is_detached = true;
}

static int setup_control(Engine *e)
{
    char buf[256];
    const char *path = NULL;
    if (g_control.is_detached) {
        return 0;
    }
    if (control_socket_path(e->conf, g_control.is_cli_on, g_control.cli_path, e->opts.log_dir,
                            buf, sizeof(buf), &path) != 0) {
        return 1;
    }
    if (path == NULL) {
        return 0;
    }
    if (e->n_tasks >= ENGINE_MAX_TASKS) {
        VG_ERROR("no room for the control socket's management thread");
        return 1;
    }
    g_control.server = control_server_new(path, e);
    if (g_control.server == NULL) {
        return 1;
    }
    e->tasks[e->n_tasks++] = (EngineTask){"UC#01", task_control, g_control.server, 5};
    return 0;
}

/* MX#01: the metrics endpoint. */
static void task_metrics(Engine *e, bool is_final, void *user)
{
    (void)e;
    if (!is_final) {
        metrics_server_poll(user, g_metrics.cfg.path, 100);
    }
}

static int setup_metrics(Engine *e)
{
    if (metrics_config(e->conf, &g_metrics.cfg) != 0) {
        return 1;
    }
    if (!g_metrics.cfg.is_enabled) {
        return 0;
    }
    if (e->n_tasks >= ENGINE_MAX_TASKS) {
        VG_ERROR("no room for the metrics endpoint's management thread");
        return 1;
    }
    g_metrics.server = metrics_server_new(&g_metrics.cfg, e);
    if (g_metrics.server == NULL) {
        return 1;
    }
    e->tasks[e->n_tasks++] = (EngineTask){"MX#01", task_metrics, g_metrics.server, 5};
    return 0;
}

/* stats.detect.engines: the live rule set, as Suricata reports it. */
static void stats_detect_engines(JsonBuf *jb, void *user)
{
    const Engine *e = user;
    uint32_t loaded = 0;
    uint32_t failed = 0;
    detect_engine_stats(atomic_load(&e->detect), &loaded, &failed);
    json_open_array(jb, "engines");
    json_open_object(jb, NULL);
    json_u64(jb, "id", 0);
    eve_add_timestamp(jb, "last_reload", atomic_load(&g_last_reload_sec), 0);
    json_u64(jb, "rules_loaded", loaded);
    json_u64(jb, "rules_failed", failed);
    json_u64(jb, "rules_skipped", detect_engine_skipped(atomic_load(&e->detect)));
    json_close_object(jb);
    json_close_array(jb);
}

int engine_setup_outputs(Engine *e)
{
    e->output = output_ctx_new(e->conf, e->opts.log_dir, e->is_inline);
    if (e->output == NULL) {
        return 1;
    }
    output_ctx_attach_engine(e->output, e);
    if (detect_engine_has_filestore(atomic_load(&e->detect)) && !app_layer_filestore_enabled()) {
        VG_WARN("One or more rule(s) depends on the file-store output log which is not "
                   "enabled. Enable the output \"file-store\" (filestore rules store nothing)");
    }
    if (flow_end_detect_setup(e) != 0 || memcap_pressure_setup() != 0) {
        return 1;
    }
    flow_table_set_end_cb(e->flow_table, engine_flow_end, e);
    e->on_new_second = on_new_second;
    atomic_store(&g_last_reload_sec, (int64_t)time(NULL));
    (void)output_eve_stats_add_section("detect", stats_detect_engines, e);
    e->tasks[e->n_tasks++] = (EngineTask){"FM#01", task_flow_manager, NULL, 100};
    e->tasks[e->n_tasks++] = (EngineTask){"CS#01", task_stats, NULL, 100};
    e->tasks[e->n_tasks++] = (EngineTask){"RL#01", task_reload, NULL, 200};
    control_note_reload(true, true, "rules loaded at start-up");
    engine_progress_setup(e);
    if (setup_control(e) != 0) {
        return 1;
    }
    return setup_metrics(e);
}

/* Drop counters worth a word in the summary: every ips.drop_reason.* and the
 * capture and queue losses. */
static bool is_drop_counter(const char *name)
{
    return strncmp(name, "ips.drop_reason.", 16) == 0 ||
           strcmp(name, "capture.kernel_drops") == 0 ||
           strcmp(name, "nfq.kernel.queue_dropped") == 0 ||
           strcmp(name, "nfq.kernel.user_dropped") == 0 ||
           strcmp(name, "runtime.queue_closed_drops") == 0;
}

void engine_print_summary(const Engine *e, double elapsed_sec)
{
    CounterId n = counters_count();
    uint64_t *m = calloc(n ? n : 1, sizeof(uint64_t));
    if (m == NULL) {
        return;
    }
    counters_merge(m);
    CounterId id;
    uint64_t pkts = counters_find("decoder.pkts", &id) ? m[id] : 0;
    uint64_t bytes = counters_find("decoder.bytes", &id) ? m[id] : 0;
    uint64_t invalid = counters_find("decoder.invalid", &id) ? m[id] : 0;
    char drops[512] = "";
    size_t dl = 0;
    for (CounterId c = 0; c < n && dl < sizeof(drops) - 64; c++) {
        const char *name = counters_name(c);
        if (m[c] > 0 && is_drop_counter(name)) {
            const char *cause = strncmp(name, "ips.drop_reason.", 16) == 0 ? name + 16 : name;
            dl += (size_t)snprintf(drops + dl, sizeof(drops) - dl, "%s%s %" PRIu64,
                                   dl > 0 ? ", " : "", cause, m[c]);
        }
    }
    free(m);
    OutputCtx *oc = e->output;
    uint64_t alerts = oc ? atomic_load(&oc->n_alerts) : 0;
    uint64_t flows = oc ? atomic_load(&oc->n_flows) : 0;
    double secs = elapsed_sec > 0 ? elapsed_sec : 1e-9;
    VG_NOTICE("summary: %" PRIu64 " packets (%" PRIu64 " invalid), %" PRIu64 " bytes, %" PRIu64
              " alerts, %" PRIu64 " flows, %.3f s, %.0f pkts/s, %.3f Gbit/s",
              pkts, invalid, bytes, alerts, flows, elapsed_sec, (double)pkts / secs,
              (double)bytes * 8 / secs / 1e9);
    plugin_report();
    if (alerts > 0) {
        VG_NOTICE("alerts by severity: 1: %" PRIu64 ", 2: %" PRIu64 ", 3: %" PRIu64
                  ", other: %" PRIu64,
                  atomic_load(&oc->n_alerts_sev[0]), atomic_load(&oc->n_alerts_sev[1]),
                  atomic_load(&oc->n_alerts_sev[2]), atomic_load(&oc->n_alerts_sev[3]));
    }
    if (dl > 0) {
        VG_NOTICE("drops by cause: %s", drops);
    }
    char outs[1024];
    output_ctx_describe(oc, outs, sizeof(outs));
    VG_NOTICE("outputs written to %s (%s)", e->opts.log_dir, outs);
}

void engine_print_keywords(void)
{
    detect_print_keywords(stdout);
}

void engine_print_modules(void)
{
    tm_module_list_print();
}

void engine_teardown(Engine *e)
{
    control_server_free(g_control.server);
    g_control.server = NULL;
    metrics_server_free(g_metrics.server);
    g_metrics.server = NULL;
    output_ctx_free(e->output);
    e->output = NULL;
    output_eve_stats_clear_sections();
    flow_table_free(e->flow_table);
    e->flow_table = NULL;
    defrag_deinit();
    stream_deinit();
    flow_end_detect_free();
    memcap_pressure_free();
    if (!e->opts.test_config) {
        (void)detect_datasets_save();    // errors are logged with the file
    }
    detect_datasets_free();
    detect_engine_free(atomic_exchange(&e->detect, NULL));
    for (int i = 0; i < g_n_retired; i++) {
        detect_engine_free(g_retired[i]);
    }
    g_n_retired = 0;
    packet_pool_free(e->pool);
    e->pool = NULL;
    acquire_file_maps_free(e->pcap_maps);    // after the pool: packets pointed into them
    e->pcap_maps = NULL;
    acquire_files_free(e->pcap_files, e->n_pcap_files);    // after the outputs naming them
    e->pcap_files = NULL;
    e->n_pcap_files = 0;
    app_layer_deinit();    // after the flows: parser configs, libmagic, the file store
}
