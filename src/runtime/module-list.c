/* The built-in thread modules, in one list; plugins add theirs at start-up. */
#include "runtime/runtime.h"

#include <stdio.h>
#include <string.h>

#include "util/util-error.h"
#include "util/util-log.h"

extern const TmModule tm_module_pcap_file;
extern const TmModule tm_module_nfq;
extern const TmModule tm_module_pcap_live;
extern const TmModule tm_module_af_packet;
extern const TmModule tm_module_decode;
extern const TmModule tm_module_flow;
extern const TmModule tm_module_stream;
extern const TmModule tm_module_app_layer;
extern const TmModule tm_module_detect;
extern const TmModule tm_module_verdict;
extern const TmModule tm_module_output;

static const TmModule *const builtin_modules[] = {
    &tm_module_pcap_file,
    &tm_module_nfq,
    &tm_module_pcap_live,
    &tm_module_af_packet,
    &tm_module_decode,
    &tm_module_flow,
    &tm_module_stream,
    &tm_module_app_layer,
    &tm_module_detect,
    &tm_module_verdict,
    &tm_module_output,
};

#define MAX_PLUGIN_MODULES 32

/* Written at start-up only (plugin loading), read by every thread afterwards. */
static const TmModule *g_plugin_modules[MAX_PLUGIN_MODULES];
static int g_n_plugin_modules;

const TmModule *tm_module_find(const char *name)
{
    for (size_t i = 0; i < sizeof(builtin_modules) / sizeof(builtin_modules[0]); i++) {
        if (strcmp(builtin_modules[i]->name, name) == 0) {
            return builtin_modules[i];
        }
    }
    for (int i = 0; i < g_n_plugin_modules; i++) {
        if (strcmp(g_plugin_modules[i]->name, name) == 0) {
            return g_plugin_modules[i];
        }
    }
    return NULL;
}

int tm_module_register(const TmModule *m)
{
    if (m == NULL || m->name == NULL) {
        VG_ERROR("plugin module without a name refused");
        return VG_EINVAL;
    }
    if (m->hdr.api_version != VG_PLUGIN_API_VERSION || m->hdr.struct_size != sizeof(TmModule)) {
        VG_ERROR("module '%s' refused: built for plugin API %u (size %u), engine has %u (size %zu)",
                 m->name, m->hdr.api_version, m->hdr.struct_size, VG_PLUGIN_API_VERSION,
                 sizeof(TmModule));
        return VG_EVERSION;
    }
    if (tm_module_find(m->name) != NULL) {
        VG_ERROR("module '%s' refused: a module of that name exists", m->name);
        return VG_EEXIST;
    }
    bool is_acq = m->kind == TM_KIND_ACQUIRE;
    if ((is_acq && m->acquire_loop == NULL) || (!is_acq && m->process == NULL)) {
        VG_ERROR("module '%s' refused: missing %s callback", m->name,
                 is_acq ? "acquire_loop" : "process");
        return VG_EINVAL;
    }
    if (g_n_plugin_modules >= MAX_PLUGIN_MODULES) {
        VG_ERROR("module '%s' refused: too many plugin modules", m->name);
        return VG_ERANGE;
    }
    g_plugin_modules[g_n_plugin_modules++] = m;
    return 0;
}

void tm_module_list_print(void)
{
    for (size_t i = 0; i < sizeof(builtin_modules) / sizeof(builtin_modules[0]); i++) {
        printf("%s\n", builtin_modules[i]->name);
    }
    for (int i = 0; i < g_n_plugin_modules; i++) {
        printf("%s (plugin)\n", g_plugin_modules[i]->name);
    }
}

void tm_modules_reset(void)
{
    g_n_plugin_modules = 0;
}
