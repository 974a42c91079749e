/* Example plugin: counts packets per VLAN id into stats
 * ("plugin.vlan.100", "plugin.vlan.untagged", "plugin.vlan.other").
 *
 * Load it with
 *     plugins:
 *       - /path/to/build/plugins/vlan-stats.so
 * and put the module in a pipeline after decode: in a custom runmode group
 * (modules: [flow, vlan-stats, detect, output]), or for the preset runmodes
 * with `plugin-modules: [vlan-stats]`, which inserts it before detect.
 * Builds against src/runtime/plugin.h only; needs no engine symbols. */
#include <stdio.h>
#include <stdlib.h>

#include "runtime/plugin.h"
#include "runtime/runtime.h"

#define VLAN_IDS 4096
#define VLAN_MAX_NAMED 256       // counters named per VLAN; the rest go to "other"

static const VgPluginRegistrar *g_reg; // set once in init, before threads

typedef struct VlanThread {
    CounterId ids[VLAN_IDS];     // 0: not registered yet
    CounterId untagged;
    CounterId other;
    uint32_t n_named;
} VlanThread;

static int vlan_thread_init(ThreadVars *tv, void **data)
{
    (void)tv;
    VlanThread *vt = calloc(1, sizeof(*vt));
    if (vt == NULL) {
        return TM_FAILED;
    }
    vt->untagged = g_reg->register_counter("plugin.vlan.untagged", COUNTER_SUM);
    vt->other = g_reg->register_counter("plugin.vlan.other", COUNTER_SUM);
    *data = vt;
    return TM_OK;
}

static CounterId vlan_counter(VlanThread *vt, uint16_t vid)
{
    vid &= VLAN_IDS - 1;
    if (vt->ids[vid] != 0) {
        return vt->ids[vid];
    }
    if (vt->n_named >= VLAN_MAX_NAMED) {
        return vt->other;
    }
    char name[32];
    snprintf(name, sizeof(name), "plugin.vlan.%u", vid);
    vt->ids[vid] = g_reg->register_counter(name, COUNTER_SUM);
    vt->n_named++;
    return vt->ids[vid];
}

static int vlan_process(ThreadVars *tv, Packet *p, void *data)
{
    VlanThread *vt = data;
    CounterId id = p->n_vlan == 0 ? vt->untagged : vlan_counter(vt, p->vlan_id[0]);
    counters_incr(tv->counters, id);
    return TM_OK;
}

static void vlan_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    free(data);
}

static const TmModule vlan_module = {
    .hdr = TM_MODULE_HDR,
    .name = "vlan-stats",
    .kind = TM_KIND_OTHER,
    .thread_init = vlan_thread_init,
    .process = vlan_process,
    .thread_deinit = vlan_thread_deinit,
};

static int vlan_plugin_init(const VgPluginRegistrar *reg)
{
    g_reg = reg;
    return reg->register_module(&vlan_module);
}

const VgPluginInfo vg_plugin_info = {
    .hdr = VG_PLUGIN_HDR(VgPluginInfo),
    .name = "vlan-stats",
    .version = "1.0",
    .description = "packets per VLAN id in stats",
    .init = vlan_plugin_init,
};
