/* Loading plugins with dlopen at start-up. */
#include "runtime/plugin.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>

#include "conf/conf.h"
#include "output/output.h"
#include "runtime/runtime.h"
#include "util/util-error.h"
#include "util/util-log.h"

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

static const VgPluginRegistrar registrar = {
    .hdr = VG_PLUGIN_HDR(VgPluginRegistrar),
    .register_module = tm_module_register,
    .register_counter = counters_register,
    .log = plugin_log,
    .register_eve_sink = eve_sink_ops_register,
};

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
    if (info->init == NULL || info->init(&registrar) != 0) {
        VG_ERROR("plugin %s (%s): initialisation failed", path, info->name ? info->name : "?");
        dlclose(h);
        return VG_EINVAL;
    }
    /* Kept loaded until exit: its modules are referenced by the registry. */
    VG_NOTICE("plugin %s %s loaded from %s", info->name ? info->name : "?",
              info->version ? info->version : "", path);
    return 0;
}

int plugin_load_all(const struct Conf *conf)
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
        if (n->value == NULL) {
            VG_ERROR("%s:%d: plugins: each entry is a path", n->file, n->line);
            return VG_EINVAL;
        }
        int rc = plugin_load(n->value);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}
