/* Loading plugins with dlopen at start-up, and the registrar they get.
 *
 * A plugin's registrations are staged while its init runs and kept only
 * when init returns 0 and every registration was accepted: a plugin is
 * loaded whole or not at all. A refused plugin stops start-up when the
 * configuration says it is required (a plain path is), else it is skipped
 * with a warning. */
#include "runtime/plugin.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "flow/flow-types.h"
#include "runtime/plugin-internal.h"
#include "runtime/runtime.h"
#include "util/util-error.h"
#include "util/util-json.h"
#include "util/util-log.h"

#define STAGE_MAX 32

/* What the plugin being loaded registered so far (main thread only). */
typedef struct Stage {
    bool active;                 // inside a plugin's init
    bool refused;                // a registration was refused: the plugin is not kept
    const char *plugin;          // its path, for messages
    const TmModule *modules[STAGE_MAX];
    uint32_t n_modules;
    const VgStreamConsumer *consumers[PLUGIN_STREAM_CONSUMERS_MAX];
    uint32_t n_consumers;
    const VgAppLayer *apps[PLUGIN_APP_LAYERS_MAX];
    uint32_t n_apps;
    const VgKeyword *keywords[PLUGIN_KEYWORDS_MAX];
    uint32_t n_keywords;
} Stage;

static Stage g_stage;

/* Committed stream consumers (written at start-up only). */
static const VgStreamConsumer *g_consumers[PLUGIN_STREAM_CONSUMERS_MAX];
static uint32_t g_n_consumers;
static uint32_t g_n_apps;        // committed app-layer rows and keywords (capacity checks)
static uint32_t g_n_keywords;

/* Callback errors (any packet thread). */
static _Atomic uint64_t g_cb_errors;

static void plugin_log(int level, const char *fmt, ...)
{
    if (level < LOG_LEVEL_ERROR || level > LOG_LEVEL_DEBUG) {
        level = LOG_LEVEL_INFO;
    }
    va_list ap;
    va_start(ap, fmt);
    util_logv((LogLevel)level, fmt, ap);
    va_end(ap);
}

const VgStreamConsumer *const *plugin_stream_consumers(uint32_t *n)
{
    *n = g_n_consumers;
    return g_consumers;
}

/* Names (stable pointers into the plugins) whose first error was logged. */
#define PLUGIN_LOGGED_MAX 64
static _Atomic(const char *) g_logged[PLUGIN_LOGGED_MAX];

/* True for the first error of what (any thread; lock-free). */
static bool first_error_of(const char *what)
{
    for (int i = 0; i < PLUGIN_LOGGED_MAX; i++) {
        const char *cur = atomic_load_explicit(&g_logged[i], memory_order_acquire);
        if (cur == what) {
            return false;
        }
        if (cur == NULL) {
            const char *expect = NULL;
            if (atomic_compare_exchange_strong(&g_logged[i], &expect, what)) {
                return true;
            }
            if (expect == what) {
                return false;
            }
        }
    }
    return false; // table full: counted only
}

void plugin_callback_error(const char *kind, const char *what, int rc)
{
    atomic_fetch_add_explicit(&g_cb_errors, 1, memory_order_relaxed);
    if (first_error_of(what)) {
        VG_WARN("plugin %s '%s': callback returned error %d (further errors of it are only "
                "counted)", kind, what, rc);
    }
}

uint64_t plugin_callback_errors(void)
{
    return atomic_load_explicit(&g_cb_errors, memory_order_relaxed);
}

void plugin_report(void)
{
    uint64_t n = plugin_callback_errors();
    if (n > 0) {
        VG_WARN("plugins: %llu callback errors in this run", (unsigned long long)n);
    }
}

/* ---- registrar ---------------------------------------------------------- */

static int stage_check(const char *what, const char *name, const VgDescHeader *hdr,
                       uint32_t size)
{
    if (!g_stage.active) {
        VG_ERROR("plugin: register_%s called outside init refused", what);
        return VG_EINVAL;
    }
    if (name == NULL || name[0] == '\0') {
        VG_ERROR("plugin %s: a %s without a name refused", g_stage.plugin, what);
        return VG_EINVAL;
    }
    if (hdr->api_version != VG_PLUGIN_API_VERSION || hdr->struct_size != size) {
        VG_ERROR("plugin %s: %s '%s' refused: built for plugin API version %u (size %u), "
                 "this engine has %u (size %u)",
                 g_stage.plugin, what, name, hdr->api_version, hdr->struct_size,
                 VG_PLUGIN_API_VERSION, size);
        return VG_EVERSION;
    }
    return 0;
}

/* Every refusal marks the plugin refused, whatever init does with the code. */
static int refuse(int rc)
{
    g_stage.refused = true;
    return rc;
}

static int reg_module(const TmModule *m)
{
    int rc = stage_check("module", m ? m->name : NULL, m ? &m->hdr : &(VgDescHeader){0},
                         sizeof(TmModule));
    if (rc != 0) {
        return refuse(rc);
    }
    if (tm_module_find(m->name) != NULL) {
        VG_ERROR("plugin %s: module '%s' refused: a module of that name exists",
                 g_stage.plugin, m->name);
        return refuse(VG_EEXIST);
    }
    for (uint32_t i = 0; i < g_stage.n_modules; i++) {
        if (strcmp(g_stage.modules[i]->name, m->name) == 0) {
            VG_ERROR("plugin %s: module '%s' registered twice", g_stage.plugin, m->name);
            return refuse(VG_EEXIST);
        }
    }
    if (g_stage.n_modules >= STAGE_MAX) {
        return refuse(VG_ERANGE);
    }
    g_stage.modules[g_stage.n_modules++] = m;
    return 0;
}

static int reg_stream_consumer(const VgStreamConsumer *c)
{
    int rc = stage_check("stream_consumer", c ? c->name : NULL,
                         c ? &c->hdr : &(VgDescHeader){0}, sizeof(VgStreamConsumer));
    if (rc != 0) {
        return refuse(rc);
    }
    if (c->recv == NULL || (c->dirs & (VG_STREAM_TOSERVER | VG_STREAM_TOCLIENT)) == 0) {
        VG_ERROR("plugin %s: stream consumer '%s' refused: it needs recv and dirs",
                 g_stage.plugin, c->name);
        return refuse(VG_EINVAL);
    }
    for (uint32_t i = 0; i < g_n_consumers + g_stage.n_consumers; i++) {
        const VgStreamConsumer *o =
            i < g_n_consumers ? g_consumers[i] : g_stage.consumers[i - g_n_consumers];
        if (strcmp(o->name, c->name) == 0) {
            VG_ERROR("plugin %s: stream consumer '%s' refused: that name is taken",
                     g_stage.plugin, c->name);
            return refuse(VG_EEXIST);
        }
    }
    if (g_n_consumers + g_stage.n_consumers >= PLUGIN_STREAM_CONSUMERS_MAX) {
        VG_ERROR("plugin %s: stream consumer '%s' refused: at most %d consumers",
                 g_stage.plugin, c->name, PLUGIN_STREAM_CONSUMERS_MAX);
        return refuse(VG_ERANGE);
    }
    g_stage.consumers[g_stage.n_consumers++] = c;
    return 0;
}

static int reg_app_layer(const VgAppLayer *a)
{
    int rc = stage_check("app_layer", a ? a->name : NULL, a ? &a->hdr : &(VgDescHeader){0},
                         sizeof(VgAppLayer));
    if (rc != 0) {
        return refuse(rc);
    }
    for (uint32_t i = 0; i < g_stage.n_apps; i++) {
        if (strcmp(g_stage.apps[i]->name, a->name) == 0) {
            VG_ERROR("plugin %s: app-layer protocol '%s' registered twice", g_stage.plugin,
                     a->name);
            return refuse(VG_EEXIST);
        }
    }
    if (g_n_apps + g_stage.n_apps >= PLUGIN_APP_LAYERS_MAX) {
        VG_ERROR("plugin %s: app-layer protocol '%s' refused: at most %d plugin protocols",
                 g_stage.plugin, a->name, PLUGIN_APP_LAYERS_MAX);
        return refuse(VG_ERANGE);
    }
    rc = app_layer_plugin_check(a);
    if (rc != 0) {
        return refuse(rc);
    }
    g_stage.apps[g_stage.n_apps++] = a;
    return 0;
}

static int reg_keyword(const VgKeyword *k)
{
    int rc = stage_check("keyword", k ? k->name : NULL, k ? &k->hdr : &(VgDescHeader){0},
                         sizeof(VgKeyword));
    if (rc != 0) {
        return refuse(rc);
    }
    for (uint32_t i = 0; i < g_stage.n_keywords; i++) {
        if (strcmp(g_stage.keywords[i]->name, k->name) == 0) {
            VG_ERROR("plugin %s: keyword '%s' registered twice", g_stage.plugin, k->name);
            return refuse(VG_EEXIST);
        }
    }
    if (g_n_keywords + g_stage.n_keywords >= PLUGIN_KEYWORDS_MAX) {
        VG_ERROR("plugin %s: keyword '%s' refused: at most %d plugin keywords", g_stage.plugin,
                 k->name, PLUGIN_KEYWORDS_MAX);
        return refuse(VG_ERANGE);
    }
    rc = detect_plugin_keyword_check(k);
    if (rc != 0) {
        return refuse(rc);
    }
    g_stage.keywords[g_stage.n_keywords++] = k;
    return 0;
}

static void addr_str(const VgAddr *a, char *out, size_t cap)
{
    if (a->family == 4) {
        inet_ntop(AF_INET, a->a.u8, out, (socklen_t)cap);
    } else if (a->family == 6) {
        inet_ntop(AF_INET6, a->a.u8, out, (socklen_t)cap);
    }
}

static void reg_flow_info(const struct Flow *f, VgFlowInfo *out)
{
    const Flow *fl = (const Flow *)f;
    memset(out, 0, sizeof(*out));
    out->flow_id = fl->flow_id;
    addr_str(&fl->key.src, out->src_ip, sizeof(out->src_ip));
    addr_str(&fl->key.dst, out->dst_ip, sizeof(out->dst_ip));
    out->sp = fl->key.sp;
    out->dp = fl->key.dp;
    out->ipproto = fl->key.proto;
}

static void js_str(VgJson *jb, const char *k, const char *s) { json_str(jb, k, s); }
static void js_strn(VgJson *jb, const char *k, const uint8_t *s, size_t n)
{
    json_strn(jb, k, s, n);
}
static void js_u64(VgJson *jb, const char *k, uint64_t v) { json_u64(jb, k, v); }
static void js_dbl(VgJson *jb, const char *k, double v) { json_double(jb, k, v); }
static void js_bool(VgJson *jb, const char *k, bool v) { json_bool(jb, k, v); }
static void js_open(VgJson *jb, const char *k) { json_open_object(jb, k); }
static void js_close(VgJson *jb) { json_close_object(jb); }

const VgJsonApi plugin_json_api = {
    .str = js_str, .strn = js_strn, .u64 = js_u64, .dbl = js_dbl, .boolean = js_bool,
    .open_object = js_open, .close_object = js_close,
};

static const VgPluginRegistrar registrar = {
    .hdr = VG_PLUGIN_HDR(VgPluginRegistrar),
    .register_module = reg_module,
    .register_counter = counters_register,
    .log = plugin_log,
    .register_stream_consumer = reg_stream_consumer,
    .register_app_layer = reg_app_layer,
    .register_keyword = reg_keyword,
    .json = &plugin_json_api,
    .flow_info = reg_flow_info,
    .app_tx_new = app_layer_plugin_tx_new,
    .app_tx_progress = app_layer_plugin_tx_progress,
    .app_tx_id = app_layer_plugin_tx_id,
    .app_tx_event = app_layer_plugin_tx_event,
};

/* Schema keys of plugin protocols: outputs.*.eve-log.types.*.<proto>[.enabled]. */
static char g_type_keys[PLUGIN_APP_LAYERS_MAX][96];
static ConfOption g_plugin_opts[PLUGIN_APP_LAYERS_MAX];
static ConfSchemaPart g_plugin_part = {.prefix = "", .opts = g_plugin_opts};

static void schema_add_proto(const char *name)
{
    size_t i = g_plugin_part.n_opts;
    if (i >= PLUGIN_APP_LAYERS_MAX) {
        return;
    }
    snprintf(g_type_keys[i], sizeof(g_type_keys[i]), "outputs.*.eve-log.types.*.%s", name);
    g_plugin_opts[i] = (ConfOption){.name = g_type_keys[i], .type = CONF_OPT_ANY,
                                    .doc = "records of a plugin's protocol"};
    g_plugin_part.n_opts++;
    conf_schema_set_plugin_part(&g_plugin_part);
}

/* Everything staged passed its checks: take it. */
static int stage_commit(void)
{
    for (uint32_t i = 0; i < g_stage.n_modules; i++) {
        int rc = tm_module_register(g_stage.modules[i]);
        if (rc != 0) {
            return rc;
        }
    }
    for (uint32_t i = 0; i < g_stage.n_consumers; i++) {
        g_consumers[g_n_consumers++] = g_stage.consumers[i];
    }
    for (uint32_t i = 0; i < g_stage.n_apps; i++) {
        int rc = app_layer_plugin_add(g_stage.apps[i]);
        if (rc != 0) {
            return rc;
        }
        schema_add_proto(g_stage.apps[i]->name);
        g_n_apps++;
    }
    for (uint32_t i = 0; i < g_stage.n_keywords; i++) {
        int rc = detect_plugin_keyword_add(g_stage.keywords[i]);
        if (rc != 0) {
            return rc;
        }
        g_n_keywords++;
    }
    return 0;
}

int plugin_load(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        VG_ERROR("plugin %s: cannot load: %s", path, dlerror());
        return VG_ENOENT;
    }
    const VgPluginInfo *info = dlsym(h, "vg_plugin_info");
    if (info == NULL) {
        VG_ERROR("plugin %s: not a Vigil plugin (no vg_plugin_info symbol)", path);
        dlclose(h);
        return VG_EINVAL;
    }
    if (info->hdr.api_version != VG_PLUGIN_API_VERSION ||
        info->hdr.struct_size != sizeof(VgPluginInfo)) {
        VG_ERROR("plugin %s: refused: built for plugin API version %u, this engine has %u",
                 path, info->hdr.api_version, VG_PLUGIN_API_VERSION);
        dlclose(h);
        return VG_EVERSION;
    }
    const char *name = info->name ? info->name : "?";
    g_stage = (Stage){.active = true, .plugin = path};
    int rc = info->init != NULL ? info->init(&registrar) : VG_EINVAL;
    g_stage.active = false;
    if (rc != 0 || g_stage.refused) {
        /* Kept mapped: counters and log lines of init may point into it. */
        VG_ERROR("plugin %s (%s): refused: %s", path, name,
                 g_stage.refused ? "a registration was refused (see above)"
                 : info->init == NULL ? "no init function"
                                      : "its init failed");
        return rc != 0 ? rc : VG_EINVAL;
    }
    rc = stage_commit();
    if (rc != 0) {
        VG_ERROR("plugin %s (%s): refused while registering (see above)", path, name);
        return rc;
    }
    /* Kept loaded until exit: its descriptors are referenced by the registries. */
    VG_NOTICE("plugin %s %s loaded from %s", name, info->version ? info->version : "", path);
    return 0;
}

static int plugin_load_conf(const struct Conf *conf);

int plugin_load_all(const struct Conf *conf)
{
    /* main thread, start-up: the first call loads, later ones get its result */
    static bool done;
    static int result;
    if (done) {
        return result;
    }
    done = true;
    result = plugin_load_conf(conf);
    return result;
}

static int plugin_load_conf(const struct Conf *conf)
{
    const ConfNode *list = conf_get_node(conf, NULL, "plugins");
    if (list == NULL || (list->type == CONF_SCALAR && list->value == NULL)) {
        return 0; // absent, or "plugins:" with every entry commented out
    }
    if (list->type != CONF_LIST) {
        VG_ERROR("%s:%d: plugins: expected a list of shared object paths", list->file,
                 list->line);
        return VG_EINVAL;
    }
    for (const ConfNode *n = list->first_child; n != NULL; n = n->next) {
        const char *path = n->value;
        bool required = true;
        if (n->type == CONF_MAP) {
            const ConfNode *p = conf_node_child(n, "path");
            const ConfNode *r = conf_node_child(n, "required");
            path = p != NULL ? p->value : NULL;
            if (r != NULL && (r->value == NULL || !conf_parse_bool(r->value, &required))) {
                VG_ERROR("%s:%d: plugins: required: expected yes or no", r->file, r->line);
                return VG_EINVAL;
            }
        }
        if (path == NULL) {
            VG_ERROR("%s:%d: plugins: each entry is a path, or a map with path (and "
                     "required)", n->file, n->line);
            return VG_EINVAL;
        }
        int rc = plugin_load(path);
        if (rc != 0 && required) {
            VG_ERROR("%s:%d: plugin %s is required: stopping", n->file, n->line, path);
            return rc;
        }
        if (rc != 0) {
            VG_WARN("%s:%d: plugin %s is not required: continuing without it", n->file,
                    n->line, path);
        }
    }
    return 0;
}
