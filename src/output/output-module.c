/* Output configuration (`outputs:`), the output thread module, flow records
 * and periodic stats. */
#include "output/output-module.h"

#include "output/output-eve-http.h"
#include "output/output-pcap-log.h"
#include "output/output-sink-internal.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/conf.h"
#include "app-layer/app-layer.h"
#include "app-layer/smtp/app-layer-smtp.h"
#include "detect/detect.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/runtime.h"
#include "stream/stream.h"
#include "util/util-error.h"
#include "util/util-log.h"

static char *join_path(const char *dir, const char *name)
{
    if (name[0] == '/') {
        return strdup(name);
    }
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (s != NULL) {
        snprintf(s, n, "%s/%s", dir, name);
    }
    return s;
}

/* A `types:` entry is either a bare name ("flow") or a one-key map
 * ({alert: {payload: yes}}). Returns the name and its options node. */
static const char *type_entry(const ConfNode *item, const ConfNode **opts)
{
    *opts = NULL;
    if (item->type == CONF_SCALAR) {
        return item->value;
    }
    if (item->type == CONF_MAP && item->first_child != NULL) {
        *opts = item->first_child;
        return item->first_child->name;
    }
    return NULL;
}

static bool opt_bool(const ConfNode *opts, const char *key, bool dflt)
{
    const ConfNode *n = opts ? conf_node_child(opts, key) : NULL;
    bool v = dflt;
    if (n != NULL && n->value != NULL && !conf_parse_bool(n->value, &v)) {
        VG_WARN("%s:%d: %s: '%s' is not a boolean; using %s", n->file, n->line, key, n->value,
                dflt ? "yes" : "no");
        v = dflt;
    }
    return v;
}

/* outputs.eve-log.types.smtp: extended (every email field) or custom: [names]; md5:
 * [body, subject]. */
static void eve_smtp_fields(const ConfNode *opts)
{
    const char *custom[16];
    uint32_t n = 0;
    const ConfNode *c = opts ? conf_node_child(opts, "custom") : NULL;
    for (const ConfNode *it = c ? c->first_child : NULL; it && n < 16; it = it->next) {
        if (it->value != NULL) {
            custom[n++] = it->value;
        }
    }
    smtp_log_set_fields(opt_bool(opts, "extended", false), custom, n);
    bool body = false;
    bool subject = false;
    const ConfNode *md5 = opts ? conf_node_child(opts, "md5") : NULL;
    for (const ConfNode *it = md5 ? md5->first_child : NULL; it != NULL; it = it->next) {
        if (it->value != NULL && strcmp(it->value, "body") == 0) {
            body = true;
        } else if (it->value != NULL && strcmp(it->value, "subject") == 0) {
            subject = true;
        } else {
            VG_WARN("%s:%d: smtp.md5: '%s': expected body or subject; ignored", it->file,
                    it->line, it->value ? it->value : "");
        }
    }
    smtp_log_set_md5(body, subject);
}

/* types.files: force-hash (md5, sha1, sha256) and force-magic make every file
 * carry them in fileinfo records, as Suricata, whether or not a rule or the
 * file store asks for them. */
static void eve_files_force(const ConfNode *opts)
{
    uint32_t need = opt_bool(opts, "force-magic", false) ? APP_FILE_F_MAGIC : 0;
    const ConfNode *fh = opts ? conf_node_child(opts, "force-hash") : NULL;
    for (const ConfNode *it = fh ? fh->first_child : NULL; it != NULL; it = it->next) {
        if (it->value != NULL && strcmp(it->value, "md5") == 0) {
            need |= APP_FILE_F_MD5;
        } else if (it->value != NULL && strcmp(it->value, "sha1") == 0) {
            need |= APP_FILE_F_SHA1;
        } else if (it->value != NULL && strcmp(it->value, "sha256") == 0) {
            need |= APP_FILE_F_SHA256;
        } else {
            VG_WARN("%s:%d: files.force-hash: '%s': expected md5, sha1 or sha256; ignored",
                    it->file ? it->file : "-", it->line, it->value ? it->value : "");
        }
    }
    if (need != 0) {
        app_layer_files_need(need);
    }
}

/* types.alert.metadata: a boolean (Suricata: app-layer, flow and rule
 * metadata in alerts, all on by default) or a map whose rule.raw asks for
 * the rule text and rule.reference for the rule's references (both off by
 * default). */
static bool alert_wants_rule_opt(const ConfNode *alert_opts, const char *opt)
{
    const ConfNode *md = alert_opts ? conf_node_child(alert_opts, "metadata") : NULL;
    if (md == NULL || md->type != CONF_MAP) {
        return false;
    }
    return opt_bool(conf_node_child(md, "rule"), opt, false);
}

/* types.alert.metadata as Suricata reads it: "no" leaves out the flow
 * object, the app-layer part and the rule's metadata; a map turns each off
 * on its own (flow, app-layer, rule.metadata; all default yes). */
static void alert_metadata_opts(OutputCtx *oc, const ConfNode *alert_opts)
{
    const ConfNode *md = alert_opts ? conf_node_child(alert_opts, "metadata") : NULL;
    bool flow = true;
    bool app = true;
    bool rule_md = true;
    if (md != NULL && md->type == CONF_MAP) {
        /* the schema leaves this subtree to us (a boolean or a map) */
        for (const ConfNode *c = md->first_child; c != NULL; c = c->next) {
            bool known = strcmp(c->name, "flow") == 0 || strcmp(c->name, "app-layer") == 0;
            for (const ConfNode *r = c->first_child; strcmp(c->name, "rule") == 0 && r;
                 r = r->next) {
                if (strcmp(r->name, "metadata") != 0 && strcmp(r->name, "raw") != 0 &&
                    strcmp(r->name, "reference") != 0) {
                    VG_WARN("%s:%d: alert.metadata.rule.%s: not supported; ignored",
                            r->file ? r->file : "--set", r->line, r->name);
                }
            }
            if (!known && strcmp(c->name, "rule") != 0) {
                VG_WARN("%s:%d: alert.metadata.%s: unknown key; ignored",
                        c->file ? c->file : "--set", c->line, c->name);
            }
        }
        flow = opt_bool(md, "flow", true);
        app = opt_bool(md, "app-layer", true);
        rule_md = opt_bool(conf_node_child(md, "rule"), "metadata", true);
    } else if (md != NULL) {
        flow = app = rule_md = opt_bool(alert_opts, "metadata", true);
    }
    oc->alert_no_flow = !flow;
    oc->alert_no_app_layer = !app;
    oc->alert_no_rule_metadata = !rule_md;
}

static void eve_types(OutputCtx *oc, const ConfNode *types)
{
    for (const ConfNode *it = types ? types->first_child : NULL; it; it = it->next) {
        const ConfNode *opts;
        const char *name = type_entry(it, &opts);
        if (name == NULL) {
            continue;
        }
        if (strcmp(name, "alert") == 0) {
            oc->alert = opt_bool(opts, "enabled", true);
            oc->alert_payload = opt_bool(opts, "payload", false);
            oc->alert_payload_printable = opt_bool(opts, "payload-printable", false);
            oc->alert_packet = opt_bool(opts, "packet", false);
            oc->alert_payload_length = opt_bool(opts, "payload-length", false);
            oc->alert_rule = alert_wants_rule_opt(opts, "raw");
            oc->alert_references = alert_wants_rule_opt(opts, "reference");
            alert_metadata_opts(oc, opts);
            oc->alert_tagged = opt_bool(opts, "tagged-packets", false);
            const ConfNode *xff = opts ? conf_node_child(opts, "xff") : NULL;
            if (xff != NULL && opt_bool(xff, "enabled", false)) {
                const ConfNode *m = conf_node_child(xff, "mode");
                const ConfNode *d = conf_node_child(xff, "deployment");
                const ConfNode *h = conf_node_child(xff, "header");
                oc->alert_xff_mode = m && m->value && strcmp(m->value, "overwrite") == 0 ? 2 : 1;
                oc->alert_xff_forward = d && d->value && strcmp(d->value, "forward") == 0;
                oc->alert_xff_header = h && h->value ? h->value : "X-Forwarded-For";
            }
        } else if (strcmp(name, "anomaly") == 0) {
            oc->anomaly = opt_bool(opts, "enabled", true);
            /* As Suricata: without types, app-layer events only. */
            const ConfNode *t = opts ? conf_node_child(opts, "types") : NULL;
            oc->anomaly_decode = opt_bool(t, "decode", false);
            oc->anomaly_stream = opt_bool(t, "stream", false);
            oc->anomaly_applayer = opt_bool(t, "applayer", true);
            oc->anomaly_packethdr = opt_bool(opts, "packethdr", false);
            if (oc->anomaly_packethdr && !oc->anomaly_decode) {
                /* as Suricata: the header goes with decoder events */
                VG_WARN("eve-log anomaly: packethdr needs types.decode; no packet headers "
                        "are written");
                oc->anomaly_packethdr = false;
            }
        } else if (strcmp(name, "flow") == 0) {
            oc->flow = opt_bool(opts, "enabled", true);
            /* Off by default, as Suricata. */
            oc->flow_exception_policy = opt_bool(opts, "exception-policy", false);
        } else if (strcmp(name, "netflow") == 0) {
            oc->netflow = opt_bool(opts, "enabled", true);
        } else if (strcmp(name, "arp") == 0) {
            oc->arp = opt_bool(opts, "enabled", true);
        } else if (strcmp(name, "drop") == 0) {
            oc->drop = opt_bool(opts, "enabled", true);
            oc->drop_alerts = opt_bool(opts, "alerts", true);
        } else if (strcmp(name, "stats") == 0) {
            oc->eve_stats = opt_bool(opts, "enabled", true);
            oc->eve_stats_totals = opt_bool(opts, "totals", true);
            oc->eve_stats_threads = opt_bool(opts, "threads", false);
            output_eve_stats_set_null_values(opt_bool(opts, "null-values", true));
        } else if (strcmp(name, "http") == 0) {
            oc->http = opt_bool(opts, "enabled", true);
        } else if (strcmp(name, "http2") == 0) {
            oc->http2 = opt_bool(opts, "enabled", true);
        } else if (strcmp(name, "files") == 0) {
            oc->files = opt_bool(opts, "enabled", true);
            eve_files_force(opts);
        } else if (strcmp(name, "dns") == 0) {
            oc->dns = opt_bool(opts, "enabled", true);
        } else if (strcmp(name, "tls") == 0) {
            oc->tls = opt_bool(opts, "enabled", true);
        } else if (strcmp(name, "ssh") == 0) {
            oc->ssh = opt_bool(opts, "enabled", true);
        } else if (strcmp(name, "quic") == 0) {
            oc->quic = opt_bool(opts, "enabled", true);
        } else if (strcmp(name, "smtp") == 0) {
            oc->smtp = opt_bool(opts, "enabled", true);
            eve_smtp_fields(opts);
        } else if (strcmp(name, "ftp") == 0) {
            oc->ftp = opt_bool(opts, "enabled", true);
        } else if (strcmp(name, "smb") == 0) {
            oc->smb = opt_bool(opts, "enabled", true);
        } else if (strcmp(name, "dcerpc") == 0) {
            oc->dcerpc = opt_bool(opts, "enabled", true);
        } else {
            (void)output_eve_generic_type(name, opts, opt_bool(opts, "enabled", true));
        }
    }
}

#define EVE_QUEUE_DEFAULT_BYTES ((uint64_t)16 * 1024 * 1024)

/* The record types an eve-log output takes: its `types:` names (enabled). */
static void eve_type_filter(EveOutConf *c, const ConfNode *types)
{
    for (const ConfNode *it = types ? types->first_child : NULL; it; it = it->next) {
        const ConfNode *opts;
        const char *name = type_entry(it, &opts);
        if (name != NULL && opt_bool(opts, "enabled", true) && c->n_types < EVE_OUT_MAX_TYPES) {
            /* HTTP/2 transactions are "http" records; which versions are
             * written is decided by the logger (http, http2 types). */
            c->types[c->n_types++] = strcmp(name, "http2") == 0 ? "http" : name;
        }
    }
}

/* buffer-size and buffer-full of an output (its queue). */
static int eve_queue_opts(EveOutConf *c, const ConfNode *opts)
{
    const ConfNode *sz = opts ? conf_node_child(opts, "buffer-size") : NULL;
    const ConfNode *full = opts ? conf_node_child(opts, "buffer-full") : NULL;
    uint64_t bytes = EVE_QUEUE_DEFAULT_BYTES;
    if (sz != NULL && (sz->value == NULL || !conf_parse_size(sz->value, &bytes) ||
                       bytes < 65536 || bytes > ((uint64_t)1 << 34))) {
        VG_ERROR("%s:%d: buffer-size: '%s' is not a size from 64kb to 16gb", sz->file, sz->line,
                 sz->value ? sz->value : "");
        return VG_EINVAL;
    }
    c->queue_bytes = (size_t)bytes;
    c->full = EVE_OUT_FULL_DROP;
    if (full != NULL && full->value != NULL && strcmp(full->value, "block") == 0) {
        c->full = EVE_OUT_FULL_BLOCK;
    } else if (full != NULL && (full->value == NULL || strcmp(full->value, "drop") != 0)) {
        VG_ERROR("%s:%d: buffer-full: '%s' is not drop or block", full->file, full->line,
                 full->value ? full->value : "");
        return VG_EINVAL;
    }
    return 0;
}

/* The counter name of an output: `name:`, or its position among the
 * eve-log outputs (1, 2, ...). Letters, digits, '-' and '_' only. */
static int eve_out_name_of(const ConfNode *opts, uint32_t index, char *buf, size_t size)
{
    const ConfNode *n = opts ? conf_node_child(opts, "name") : NULL;
    if (n == NULL) {
        snprintf(buf, size, "%u", index);
        return 0;
    }
    const char *v = n->value ? n->value : "";
    bool ok = v[0] != '\0' && strlen(v) < size;
    for (const char *c = v; *c && ok; c++) {
        ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
             *c == '-' || *c == '_';
    }
    if (!ok) {
        VG_ERROR("%s:%d: name: '%s' is not a name for counters (letters, digits, - and _)",
                 n->file, n->line, v);
        return VG_EINVAL;
    }
    snprintf(buf, size, "%s", v);
    return 0;
}

static int add_eve_out(OutputCtx *oc, EveOutConf *c)
{
    if (oc->eve == NULL && (oc->eve = eve_sink_group_new()) == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < eve_sink_group_size(oc->eve); i++) {
        if (strcmp(eve_out_name(eve_sink_group_at(oc->eve, i)), c->name) == 0) {
            VG_ERROR("eve-log: two outputs named '%s' (set a different name:)", c->name);
            return VG_EEXIST;
        }
    }
    EveOut *o = eve_out_new(c);
    return o != NULL ? eve_sink_group_add(oc->eve, o) : VG_EINVAL;
}

/* The record fields of output-eve-fields.c: eve-log community-id,
 * community-id-seed, ethernet, metadata, ipv6-compress, pcap-file, and the top-level
 * sensor-name. */
static int eve_fields_load(const struct Conf *conf, const ConfNode *opts)
{
    EveFieldsCfg fc = *eve_fields_cfg();
    fc.community_id = opt_bool(opts, "community-id", false);
    fc.ethernet = opt_bool(opts, "ethernet", false);
    fc.metadata = opt_bool(opts, "metadata", true);
    fc.ipv6_compress = opt_bool(opts, "ipv6-compress", false);
    fc.pcap_file = opt_bool(opts, "pcap-file", false);
    fc.community_id_seed = 0;
    const ConfNode *seed = opts ? conf_node_child(opts, "community-id-seed") : NULL;
    if (seed != NULL && seed->value != NULL) {
        char *end = NULL;
        long v = strtol(seed->value, &end, 10);
        if (end == seed->value || *end != '\0' || v < 0 || v > 65535) {
            VG_ERROR("%s:%d: community-id-seed: '%s' is not a number from 0 to 65535",
                     seed->file ? seed->file : "--set", seed->line, seed->value);
            return -1;
        }
        fc.community_id_seed = (uint16_t)v;
    }
    const char *name = NULL;
    fc.sensor_name = conf != NULL && conf_get_str(conf, "sensor-name", &name) && name[0] != '\0'
                         ? name
                         : NULL;
    eve_fields_configure(&fc);
    return 0;
}

static int open_eve(OutputCtx *oc, const struct Conf *conf, const ConfNode *opts)
{
    if (!opt_bool(opts, "enabled", true)) {
        return 0;
    }
    const ConfNode *ft = opts ? conf_node_child(opts, "filetype") : NULL;
    const char *filetype = ft && ft->value ? ft->value : "regular";
    EveOutConf c = {.conf = conf, .node = opts, .register_counters = true};
    if (strcmp(filetype, "file") == 0) {
        filetype = "regular"; // Suricata's other spelling
    }
    c.ops = eve_sink_ops_find(filetype);
    if (c.ops == NULL) {
        VG_ERROR("%s:%d: filetype: '%s' is not an EVE sink (regular, unix_dgram, unix_stream, "
                 "syslog, redis, kafka, or one a plugin registers)",
                 ft->file, ft->line, filetype);
        return -1;
    }
    char name[64];
    if (eve_out_name_of(opts, ++oc->n_eve_outs, name, sizeof(name)) != 0 ||
        eve_queue_opts(&c, opts) != 0) {
        return -1;
    }
    c.name = name;
    const ConfNode *fn = opts ? conf_node_child(opts, "filename") : NULL;
    char *path = join_path(oc->log_dir, fn && fn->value ? fn->value : "eve.json");
    if (path == NULL) {
        return -1;
    }
    c.path = path;
    const ConfNode *types = opts ? conf_node_child(opts, "types") : NULL;
    eve_type_filter(&c, types);
    int rc = add_eve_out(oc, &c);
    free(path);
    if (rc != 0) {
        const ConfNode *at = ft != NULL ? ft : opts;
        VG_ERROR("%s:%d: eve-log %s (filetype %s): could not open (see above)",
                 at && at->file ? at->file : "-", at ? at->line : 0, name, filetype);
        return -1;
    }
    /* Record options: from the last output listing the type; record fields
     * (community-id, ethernet, metadata): from the first output (README). */
    eve_types(oc, types);
    return oc->n_eve_outs == 1 ? eve_fields_load(conf, opts) : 0;
}

static int open_text(const ConfNode *opts, const char *log_dir, const char *dflt,
                     OutputTextFile **out)
{
    if (!opt_bool(opts, "enabled", true)) {
        return 0;
    }
    const ConfNode *fn = opts ? conf_node_child(opts, "filename") : NULL;
    char *path = join_path(log_dir, fn && fn->value ? fn->value : dflt);
    *out = path ? output_text_file_open(path) : NULL;
    free(path);
    return *out ? 0 : -1;
}

/* Without an `outputs:` list: eve.json (alert, anomaly, flow, stats),
 * fast.log and stats.log. */
static int open_defaults(OutputCtx *oc, const struct Conf *conf)
{
    char *path = join_path(oc->log_dir, "eve.json");
    EveOutConf c = {.name = "1", .ops = &eve_sink_ops_regular, .path = path,
                    .queue_bytes = EVE_QUEUE_DEFAULT_BYTES, .accept_all = true,
                    .register_counters = true};
    oc->n_eve_outs = 1;
    if (path == NULL || add_eve_out(oc, &c) != 0) {
        eve_sink_close(oc->eve);
        oc->eve = NULL;
    }
    free(path);
    oc->alert = oc->anomaly = oc->flow = oc->eve_stats = oc->drop = oc->drop_alerts = true;
    oc->eve_stats_totals = true;
    oc->anomaly_applayer = true;
    oc->http = oc->http2 = oc->files = oc->dns = oc->tls = oc->ssh = oc->quic = true;
    oc->smtp = oc->ftp = true;
    oc->smb = oc->dcerpc = true;
    output_eve_generic_all();
    if (oc->eve != NULL && eve_fields_load(conf, NULL) != 0) {
        return -1;
    }
    if (oc->eve == NULL || open_text(NULL, oc->log_dir, "fast.log", &oc->fast) != 0) {
        return -1;
    }
    return open_text(NULL, oc->log_dir, "stats.log", &oc->stats_log);
}

static int open_outputs(OutputCtx *oc, const struct Conf *conf)
{
    const ConfNode *list = conf_get_node(conf, NULL, "outputs");
    if (list == NULL) {
        return open_defaults(oc, conf);
    }
    for (const ConfNode *it = list->first_child; it; it = it->next) {
        const ConfNode *opts;
        const char *name = type_entry(it, &opts);
        int rc = 0;
        if (name == NULL) {
            continue;
        } else if (strcmp(name, "eve-log") == 0) {
            rc = open_eve(oc, conf, opts);
        } else if (strcmp(name, "fast") == 0 && oc->fast == NULL) {
            rc = open_text(opts, oc->log_dir, "fast.log", &oc->fast);
        } else if (strcmp(name, "stats") == 0 && oc->stats_log == NULL) {
            rc = open_text(opts, oc->log_dir, "stats.log", &oc->stats_log);
        } else if (strcmp(name, "pcap-log") == 0 && oc->pcap_log == NULL) {
            if (output_pcap_log_enabled(conf, it)) {
                oc->pcap_log = output_pcap_log_new(conf, it, oc->log_dir);
                rc = oc->pcap_log != NULL ? 0 : -1;
            }
        } else if (strcmp(name, "file-store") == 0) {
            rc = app_layer_filestore_setup(opts, oc->log_dir) == 0 ? 0 : -1;
        } else if (strcmp(name, "tls-store") == 0) {
            rc = app_layer_tls_store_setup(opts, oc->log_dir) == 0 ? 0 : -1;
        } else {
            VG_INFO("%s:%d: output '%s' is not supported; ignored", it->file, it->line, name);
        }
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* stats: the periodic counters (Suricata's layout, plus `clock`). */
typedef struct StatsOpts {
    bool enabled;
    int64_t interval;
    const char *clock;
} StatsOpts;

static const ConfOption stats_opts[] = {
    {"enabled", CONF_OPT_BOOL, offsetof(StatsOpts, enabled), "yes", 0, 0},
    {"interval", CONF_OPT_INT, offsetof(StatsOpts, interval), "8", 1, 86400},
    {"clock", CONF_OPT_STR, offsetof(StatsOpts, clock), "wall", 0, 0},
};

static int load_stats_opts(OutputCtx *oc, const struct Conf *conf)
{
    StatsOpts so;
    if (conf_load_options(conf, "stats", stats_opts, sizeof(stats_opts) / sizeof(stats_opts[0]),
                          &so) != 0) {
        return VG_EINVAL;
    }
    if (strcmp(so.clock, "wall") == 0) {
        oc->stats_clock = OUTPUT_STATS_CLOCK_WALL;
    } else if (strcmp(so.clock, "packet") == 0) {
        oc->stats_clock = OUTPUT_STATS_CLOCK_PACKET;
    } else {
        const ConfNode *n = conf_get_node(conf, NULL, "stats.clock");
        VG_ERROR("%s:%d: stats.clock: '%s' is not a clock (wall or packet)",
                 n && n->file ? n->file : "--set", n ? n->line : 0, so.clock);
        return VG_EINVAL;
    }
    oc->stats_interval_sec = so.enabled ? (uint32_t)so.interval : 0;
    return 0;
}

OutputCtx *output_ctx_new(const struct Conf *conf, const char *log_dir, bool is_inline)
{
    OutputCtx *oc = calloc(1, sizeof(*oc));
    if (oc == NULL || (oc->log_dir = strdup(log_dir)) == NULL) {
        free(oc);
        return NULL;
    }
    oc->is_inline = is_inline;
    pthread_mutex_init(&oc->flow_lock, NULL);
    pthread_mutex_init(&oc->stats_lock, NULL);
    oc->start_wall_ms = monotonic_ms();
    oc->last_stats_wall_ms = oc->start_wall_ms;
    if (load_stats_opts(oc, conf) != 0 || json_buf_init(&oc->flow_jb, 4096) != 0 ||
        json_buf_init(&oc->stats_jb, 65536) != 0 || open_outputs(oc, conf) != 0) {
        output_ctx_free(oc);
        return NULL;
    }
    output_eve_tx_loggers_register(oc->eve != NULL && oc->http, oc->eve != NULL && oc->http2,
                                   oc->eve != NULL && oc->files,
                                   oc->eve != NULL && oc->dns, oc->eve != NULL && oc->tls,
                                   oc->eve != NULL && oc->ssh, oc->eve != NULL && oc->quic);
    output_eve_mail_loggers_register(oc->eve != NULL && oc->smtp, oc->eve != NULL && oc->ftp,
                                     oc->eve != NULL && oc->files);
    output_eve_smb_loggers_register(oc->eve != NULL && oc->smb, oc->eve != NULL && oc->dcerpc,
                                    oc->eve != NULL && oc->files);
    return oc;
}

void output_ctx_free(OutputCtx *oc)
{
    if (oc == NULL) {
        return;
    }
    eve_fields_configure(NULL);
    output_set_flow_vars_logger(NULL, NULL, NULL);
    eve_sink_close(oc->eve);
    output_pcap_log_free(oc->pcap_log);
    output_text_file_close(oc->fast);
    output_text_file_close(oc->stats_log);
    json_buf_deinit(&oc->flow_jb);
    json_buf_deinit(&oc->stats_jb);
    output_eve_stats_deinit();
    pthread_mutex_destroy(&oc->flow_lock);
    pthread_mutex_destroy(&oc->stats_lock);
    free(oc->log_dir);
    free(oc);
}

static void flow_vars_log(JsonBuf *jb, const Packet *p, const Flow *f, void *user)
{
    Engine *e = user;
    detect_vars_json(atomic_load(&e->detect), p, f, jb);
}

static bool flow_vars_any(void *user)
{
    Engine *e = user;
    return detect_engine_has_flow_vars(atomic_load(&e->detect));
}

/* EVE pcap_filename: the capture files the engine's reader lists (they live
 * until engine_teardown, after the outputs); idx 0: the one being read. */
static const char *pcap_file_name(uint32_t idx, void *user)
{
    const Engine *e = user;
    if (idx == 0) {
        idx = atomic_load_explicit(&e->pcap_file_cur, memory_order_acquire);
    }
    return idx >= 1 && idx <= e->n_pcap_files ? e->pcap_files[idx - 1] : NULL;
}

void output_ctx_attach_engine(OutputCtx *oc, Engine *e)
{
    if (oc == NULL || oc->eve == NULL) {
        return;
    }
    EveFieldsCfg fc = *eve_fields_cfg();
    fc.in_iface = e->opts.live_iface != NULL ? e->opts.live_iface : e->opts.af_packet_iface;
    if (fc.in_iface != NULL && fc.in_iface[0] == '\0') {
        fc.in_iface = NULL;   // --af-packet without a name and no af-packet entry
    }
    eve_fields_configure(&fc);
    output_set_flow_vars_logger(flow_vars_log, flow_vars_any, e);
    output_set_pcap_file_names(pcap_file_name, e);
}

/* Whether an enabled eve-log's alert type sets metadata.rule.<opt>. */
bool output_conf_wants_rule_opt(const struct Conf *conf, const char *opt)
{
    const ConfNode *list = conf ? conf_get_node(conf, NULL, "outputs") : NULL;
    for (const ConfNode *it = list ? list->first_child : NULL; it; it = it->next) {
        const ConfNode *opts;
        const char *name = type_entry(it, &opts);
        if (name == NULL || strcmp(name, "eve-log") != 0 || !opt_bool(opts, "enabled", true)) {
            continue;
        }
        const ConfNode *types = opts ? conf_node_child(opts, "types") : NULL;
        for (const ConfNode *t = types ? types->first_child : NULL; t; t = t->next) {
            const ConfNode *topts;
            const char *tname = type_entry(t, &topts);
            if (tname != NULL && strcmp(tname, "alert") == 0 && alert_wants_rule_opt(topts, opt)) {
                return true;
            }
        }
    }
    return false;
}

/* Each sink swaps its file under its own lock, so a writer in any thread
 * sees either the old file or the new one, never a closed one. A file that
 * cannot be reopened is logged by its sink and stays in use. */
static void describe_add(char *buf, size_t size, size_t *at, const char *part)
{
    if (*at >= size) {
        return;
    }
    int n = snprintf(buf + *at, size - *at, "%s%s", *at > 0 ? ", " : "", part);
    if (n > 0) {
        *at += (size_t)n;
    }
}

static const char *base_name(const char *path)
{
    const char *slash = path != NULL ? strrchr(path, '/') : NULL;
    return slash != NULL ? slash + 1 : (path != NULL ? path : "?");
}

void output_ctx_describe(const OutputCtx *oc, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    uint32_t n = oc->eve != NULL ? eve_sink_group_size(oc->eve) : 0;
    for (uint32_t i = 0; i < n; i++) {
        char part[256];
        eve_out_describe(eve_sink_group_at(oc->eve, i), part, sizeof(part));
        describe_add(buf, size, &at, part);
    }
    if (oc->fast != NULL) {
        describe_add(buf, size, &at, base_name(output_text_file_path(oc->fast)));
    }
    if (oc->stats_log != NULL) {
        describe_add(buf, size, &at, base_name(output_text_file_path(oc->stats_log)));
    }
    if (oc->pcap_log != NULL) {
        describe_add(buf, size, &at, "pcap-log");
    }
    if (at == 0) {
        snprintf(buf, size, "no outputs enabled");
    }
}

void output_ctx_reopen(OutputCtx *oc)
{
    int failed = 0;
    if (oc->eve != NULL && eve_sink_reopen(oc->eve) != 0) {
        failed++;
    }
    if (oc->fast != NULL && output_text_file_reopen(oc->fast) != 0) {
        failed++;
    }
    if (oc->stats_log != NULL && output_text_file_reopen(oc->stats_log) != 0) {
        failed++;
    }
    if (failed == 0) {
        VG_NOTICE("log files reopened");
    }
}

static void write_flow_jb(JsonBuf *jb, void *user)
{
    (void)eve_sink_write(user, jb);
}

/* The txs still unlogged at flow end (all forced complete now). Caller holds
 * oc->flow_lock. */
static void flow_end_txs(OutputCtx *oc, Flow *f)
{
    if (oc->eve == NULL || (!oc->http && !oc->http2 && !oc->files && !oc->dns && !oc->tls && !oc->ssh && !oc->quic &&
                            !oc->smtp && !oc->ftp && !oc->smb && !oc->dcerpc &&
                            !output_eve_generic_any())) {
        return;
    }
    app_layer_flow_end(f);
    OutputTxLog lg = {.jb = &oc->flow_jb, .http = oc->http, .http2 = oc->http2, .files = oc->files, .dns = oc->dns, .tls = oc->tls, .ssh = oc->ssh, .quic = oc->quic,
                      .smtp = oc->smtp, .ftp = oc->ftp, .smb = oc->smb, .dcerpc = oc->dcerpc,
                      .sec = f->last_sec, .usec = f->last_usec, .write = write_flow_jb,
                      .user = oc->eve};
    output_eve_tx_log(&lg, f);
}

/* Suricata's netflow record: what one direction sent, its tuple that way
 * round. Caller holds oc->flow_lock. */
static void write_netflow(OutputCtx *oc, Flow *f, bool to_client)
{
    JsonBuf *jb = &oc->flow_jb;
    int d = to_client ? 1 : 0;
    eve_begin_flow_dir(jb, f, f->last_sec, f->last_usec, "netflow", to_client, 0, NULL);
    output_eve_app_proto(jb, f);
    json_open_object(jb, "netflow");
    json_u64(jb, "pkts", to_client ? f->pkts_toclient : f->pkts_toserver);
    json_u64(jb, "bytes", to_client ? f->bytes_toclient : f->bytes_toserver);
    eve_add_timestamp(jb, "start", f->start_sec, f->start_usec);
    eve_add_timestamp(jb, "end", f->last_sec, f->last_usec);
    json_i64(jb, "age", flow_age_sec(f));
    json_u64(jb, "min_ttl", f->min_ttl[d]);
    json_u64(jb, "max_ttl", f->max_ttl[d]);
    json_close_object(jb);
    stream_netflow_record(f, jb, to_client);
    json_close_object(jb);
    (void)eve_sink_write(oc->eve, jb);
}

static void write_flow(OutputCtx *oc, Flow *f, FlowEndReason reason);

void output_flow_end(Flow *f, FlowEndReason reason, void *user)
{
    OutputCtx *oc = user;
    atomic_fetch_add(&oc->n_flows, 1);
    if (oc->eve == NULL) {
        return;
    }
    pthread_mutex_lock(&oc->flow_lock);
    flow_end_txs(oc, f);
    if (oc->flow) {
        write_flow(oc, f, reason);
    }
    if (oc->netflow) {
        write_netflow(oc, f, false);
        if (f->pkts_toclient > 0) {
            write_netflow(oc, f, true);
        }
    }
    pthread_mutex_unlock(&oc->flow_lock);
}

/* The flow record. Caller holds oc->flow_lock. */
static void write_flow(OutputCtx *oc, Flow *f, FlowEndReason reason)
{
    JsonBuf *jb = &oc->flow_jb;
    eve_begin_flow(jb, f, f->last_sec, f->last_usec, "flow");
    output_eve_app_proto(jb, f);
    json_open_object(jb, "flow");
    eve_add_flow_counters(jb, f);
    eve_add_timestamp(jb, "end", f->last_sec, f->last_usec);
    json_i64(jb, "age", flow_age_sec(f));
    json_str(jb, "state", (f->flags & FLOW_F_BYPASSED) ? "bypassed"
                                                        : flow_state_name((FlowState)f->state));
    if (f->flags & FLOW_F_BYPASSED) {
        json_str(jb, "bypass", "local");   // no capture (kernel) bypass in Vigil
    }
    json_str(jb, "reason", flow_end_reason_name(reason));
    json_bool(jb, "alerted", (f->flags & FLOW_F_ALERTED) != 0);
    AppProto ap = app_layer_flow_proto(f);
    uint64_t tx_cnt = app_layer_tx_next_id(f);
    if (tx_cnt > 0 && ap != APP_PROTO_UNKNOWN && ap != APP_PROTO_FAILED) {
        json_u64(jb, "tx_cnt", tx_cnt);   // transactions of the flow (Suricata 8)
    }
    if (f->flags & (FLOW_F_DROP | FLOW_F_DROP_IDS)) {
        json_str(jb, "action", "drop");
    } else if (f->flags & FLOW_F_PASS) {
        json_str(jb, "action", "pass");
    } else if (f->flags & FLOW_F_FW_ACCEPT) {
        json_str(jb, "action", "accept");
    }
    if (oc->flow_exception_policy) {
        flow_exception_record_write(f, jb);
    }
    json_close_object(jb);
    stream_flow_record(f, jb);
    stream_plugin_flow_record(f, jb);
    json_close_object(jb);
    (void)eve_sink_write(oc->eve, jb);
}

/* The caller holds stats_lock. */
static void stats_write_locked(OutputCtx *oc, int64_t sec, uint32_t usec, uint64_t uptime_sec)
{
    CounterId n = counters_count();
    uint64_t *merged = calloc(n ? n : 1, sizeof(uint64_t));
    if (merged == NULL) {
        return;
    }
    counters_merge(merged);
    if (oc->eve != NULL && oc->eve_stats) {
        (void)output_eve_stats_write(oc->eve, &oc->stats_jb, sec, usec, uptime_sec,
                                     oc->eve_stats_totals ? merged : NULL,
                                     oc->eve_stats_threads);
    }
    if (oc->stats_log != NULL) {
        FILE *f = output_text_file_lock(oc->stats_log);
        (void)output_stats_log_write(f, sec, uptime_sec, merged, false);
        output_text_file_unlock(oc->stats_log);
    }
    free(merged);
}

void output_stats_write(OutputCtx *oc, int64_t sec, uint32_t usec, uint64_t uptime_sec)
{
    pthread_mutex_lock(&oc->stats_lock);
    stats_write_locked(oc, sec, usec, uptime_sec);
    pthread_mutex_unlock(&oc->stats_lock);
}

void output_stats_tick(OutputCtx *oc, OutputStatsClock clock, int64_t start_sec,
                       int64_t now_sec, uint32_t now_usec, bool is_final)
{
    if (clock != oc->stats_clock && !is_final) {
        return;
    }
    pthread_mutex_lock(&oc->stats_lock);
    int64_t now_ms = monotonic_ms();
    int64_t interval = oc->stats_interval_sec;
    bool due = false;
    if (oc->stats_clock == OUTPUT_STATS_CLOCK_PACKET) {
        if (oc->last_stats_sec == 0) {
            oc->last_stats_sec = start_sec;
        }
        due = interval > 0 && now_sec - oc->last_stats_sec >= interval;
    } else {
        due = interval > 0 && now_ms - oc->last_stats_wall_ms >= interval * 1000;
    }
    if (is_final && oc->eve != NULL && oc->eve_stats) {
        /* Every record before the final stats record handed over, so that
         * its output counters add up (not needed without one). */
        (void)eve_sink_drain(oc->eve, 2000);
    }
    if (due || is_final) {
        int64_t up = oc->stats_clock == OUTPUT_STATS_CLOCK_PACKET
                         ? now_sec - start_sec
                         : (now_ms - oc->start_wall_ms) / 1000;
        stats_write_locked(oc, now_sec, now_usec, up > 0 ? (uint64_t)up : 0);
        oc->last_stats_sec = now_sec;
        oc->last_stats_wall_ms = now_ms;
    }
    pthread_mutex_unlock(&oc->stats_lock);
}

/* ---- the thread module ---- */

typedef struct OutputThread {
    JsonBuf jb;
    EveThreadBuf *tb;
} OutputThread;

static int output_thread_init(ThreadVars *tv, void **data)
{
    OutputCtx *oc = tv->engine->output;
    OutputThread *ot = calloc(1, sizeof(*ot));
    if (ot == NULL || json_buf_init(&ot->jb, 8192) != 0) {
        free(ot);
        return TM_FAILED;
    }
    if (oc != NULL && oc->eve != NULL && (ot->tb = eve_thread_buf_new(oc->eve)) == NULL) {
        json_buf_deinit(&ot->jb);
        free(ot);
        return TM_FAILED;
    }
    *data = ot;
    return TM_OK;
}

static void write_fast(OutputCtx *oc, const Packet *p, const PacketAlert *pa)
{
    char line[1024];
    int n = output_fast_format(line, sizeof(line), oc, p, pa);
    if (n <= 0) {
        return;
    }
    (void)output_text_file_write(oc->fast, line);
}

/* The run's alert counters (summary, progress). */
static void count_alert(OutputCtx *oc, const PacketAlert *pa)
{
    atomic_fetch_add(&oc->n_alerts, 1);
    int sev = pa->priority >= 1 && pa->priority <= 3 ? pa->priority - 1 : 3;
    atomic_fetch_add(&oc->n_alerts_sev[sev], 1);
}

static void write_alerts(OutputThread *ot, OutputCtx *oc, const Packet *p)
{
    const PacketAlerts *pas = detect_packet_alerts(p);
    if (pas == NULL) {
        return;
    }
    for (uint16_t i = 0; i < pas->n; i++) {
        const PacketAlert *pa = &pas->alerts[i];
        count_alert(oc, pa);
        Packet tmp;
        const Packet *ap = output_alert_packet(p, pa, &tmp);
        if (ot->tb != NULL && oc->alert) {
            output_eve_alert_build(&ot->jb, oc, ap, pa);
            (void)eve_thread_buf_write(ot->tb, &ot->jb);
        }
        if (oc->fast != NULL) {
            write_fast(oc, ap, pa);
        }
    }
}

void output_packet_alerts(OutputCtx *oc, const Packet *p)
{
    const PacketAlerts *pas = detect_packet_alerts(p);
    if (oc == NULL || pas == NULL) {
        return;
    }
    for (uint16_t i = 0; i < pas->n; i++) {
        const PacketAlert *pa = &pas->alerts[i];
        count_alert(oc, pa);
        Packet tmp;
        const Packet *ap = output_alert_packet(p, pa, &tmp);
        if (oc->eve != NULL && oc->alert) {
            pthread_mutex_lock(&oc->flow_lock);
            output_eve_alert_build(&oc->flow_jb, oc, ap, pa);
            (void)eve_sink_write(oc->eve, &oc->flow_jb);
            pthread_mutex_unlock(&oc->flow_lock);
        }
        if (oc->fast != NULL) {
            write_fast(oc, ap, pa);
        }
    }
}

bool output_anomaly_wanted(const OutputCtx *oc, uint16_t event)
{
    if (!oc->anomaly) {
        return false;
    }
    switch (output_anomaly_type(event)) {
    case OUTPUT_ANOMALY_STREAM:
        return oc->anomaly_stream;
    case OUTPUT_ANOMALY_DECODE:
    case OUTPUT_ANOMALY_UNKNOWN:
        return oc->anomaly_decode;
    }
    return false;
}

/* One anomaly record per event of p whose family anomaly.types selects. */
static void write_anomalies(OutputThread *ot, const OutputCtx *oc, const Packet *p)
{
    const Flow *f = p->flow;
    uint8_t n = p->n_events < PACKET_MAX_EVENTS ? p->n_events : PACKET_MAX_EVENTS;
    for (uint8_t i = 0; i < n; i++) {
        if (output_anomaly_wanted(oc, p->events[i])) {
            output_eve_anomaly_build(&ot->jb, p, f ? f->flow_id : 0, p->events[i],
                                     oc->anomaly_packethdr);
            (void)eve_thread_buf_write(ot->tb, &ot->jb);
        }
    }
}

static void write_thread_jb(JsonBuf *jb, void *user)
{
    (void)eve_thread_buf_write(user, jb);
}

/* Records of the flow's txs that became ready with this packet. */
static void write_txs(OutputThread *ot, OutputCtx *oc, const Packet *p)
{
    Flow *f = p->flow;
    bool locked = (p->flags & PKT_F_STREAM_FLUSH) != 0; // flow-end work holds the lock
    OutputTxLog lg = {.jb = &ot->jb, .http = oc->http, .http2 = oc->http2, .files = oc->files, .dns = oc->dns, .tls = oc->tls, .ssh = oc->ssh, .quic = oc->quic,
                      .smtp = oc->smtp, .ftp = oc->ftp, .smb = oc->smb, .dcerpc = oc->dcerpc,
                      .sec = p->ts_sec, .pcap_cnt = p->pcap_cnt,
                      .pkt_src = (p->flags & PKT_F_STREAM_FLUSH) ? "stream (flow timeout)"
                                                                 : decode_pkt_src_name(p),
                      .usec = (uint32_t)p->ts_usec, .write = write_thread_jb, .user = ot->tb};
    if (!locked) {
        pthread_mutex_lock(&f->lock);
    }
    output_eve_tx_log(&lg, f);
    if (!locked) {
        pthread_mutex_unlock(&f->lock);
    }
}

static void write_app_anomaly(OutputThread *ot, const Packet *p, const Flow *f, const AppTx *tx,
                              const AppEventId *ids, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        char ev[96];
        const char *layer;
        if (!app_layer_event_anomaly(ids[i], ev, sizeof(ev), &layer)) {
            continue;
        }
        AppProto ap = tx != NULL ? tx->proto : f->app_proto;
        output_eve_anomaly_app_build(&ot->jb, p, f->flow_id, app_proto_name(ap), tx != NULL,
                                     tx != NULL ? tx->id : 0, ev, layer);
        (void)eve_thread_buf_write(ot->tb, &ot->jb);
    }
}

/* App-layer events raised on this packet's flow and on the txs it changed (every tx at
 * flow end), each written once. */
static void write_app_anomalies(OutputThread *ot, const Packet *p)
{
    Flow *f = p->flow;
    bool locked = (p->flags & PKT_F_STREAM_FLUSH) != 0; // flow-end work holds the lock
    if (!locked) {
        pthread_mutex_lock(&f->lock);
    }
    const AppEventId *ids;
    uint32_t n = app_layer_anomalies_take(f, NULL, &ids);
    write_app_anomaly(ot, p, f, NULL, ids, n);
    uint32_t ntx = app_layer_tx_count(f);
    for (uint32_t i = 0; i < ntx; i++) {
        AppTx *tx = app_layer_tx_at(f, i);
        if (!locked && !(tx->flags & (APP_TX_F_UPDATED_TS | APP_TX_F_UPDATED_TC))) {
            continue;
        }
        n = app_layer_anomalies_take(f, tx, &ids);
        write_app_anomaly(ot, p, f, tx, ids, n);
    }
    if (!locked) {
        pthread_mutex_unlock(&f->lock);
    }
}

static int output_process(ThreadVars *tv, Packet *p, void *data)
{
    OutputThread *ot = data;
    OutputCtx *oc = tv->engine->output;
    if (oc == NULL) {
        return TM_OK;
    }
    if (p->n_alerts > 0) {
        write_alerts(ot, oc, p);
    }
    if (oc->pcap_log != NULL) {
        output_pcap_log_packet(oc->pcap_log, p);
    }
    if (p->flow != NULL && ot->tb != NULL && (oc->http || oc->http2 || oc->files || oc->dns || oc->tls || oc->ssh || oc->quic ||
                                              oc->smtp || oc->ftp || oc->smb || oc->dcerpc ||
                                              output_eve_generic_any())) {
        write_txs(ot, oc, p);
    }
    if ((p->flags & PKT_F_TAGGED) && ot->tb != NULL && oc->alert && oc->alert_tagged) {
        output_eve_tagged_build(&ot->jb, p);
        (void)eve_thread_buf_write(ot->tb, &ot->jb);
    }
    if ((p->flags & PKT_F_DROP) && ot->tb != NULL && oc->drop && oc->is_inline) {
        output_eve_drop_build(&ot->jb, oc, p);
        (void)eve_thread_buf_write(ot->tb, &ot->jb);
    }
    if (p->flow != NULL && ot->tb != NULL && oc->anomaly && oc->anomaly_applayer) {
        write_app_anomalies(ot, p);
    }
    if (p->n_events > 0 && ot->tb != NULL && oc->anomaly) {
        write_anomalies(ot, oc, p);
    }
    if (p->l3 == PKT_L3_ARP && ot->tb != NULL && oc->arp && output_eve_arp_build(&ot->jb, p)) {
        (void)eve_thread_buf_write(ot->tb, &ot->jb);
    }
    return TM_OK;
}

static void output_thread_flush(ThreadVars *tv, void *data)
{
    (void)tv;
    OutputThread *ot = data;
    if (ot->tb != NULL) {
        (void)eve_thread_buf_flush(ot->tb);
    }
}

static void output_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    OutputThread *ot = data;
    if (ot == NULL) {
        return;
    }
    eve_thread_buf_free(ot->tb);
    json_buf_deinit(&ot->jb);
    free(ot);
}

const TmModule tm_module_output = {
    .hdr = TM_MODULE_HDR,
    .name = "output",
    .kind = TM_KIND_OUTPUT,
    .thread_init = output_thread_init,
    .process = output_process,
    .thread_flush = output_thread_flush,
    .thread_deinit = output_thread_deinit,
};
