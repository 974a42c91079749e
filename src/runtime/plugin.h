#ifndef VG_RUNTIME_PLUGIN_H
#define VG_RUNTIME_PLUGIN_H

/* The plugin API (the one installed header). A plugin is a shared object
 * listed under `plugins:` in the config. It exports one symbol,
 *
 *     const VgPluginInfo vg_plugin_info = { .hdr = VG_PLUGIN_HDR(VgPluginInfo), ... };
 *
 * The engine checks hdr.api_version and hdr.struct_size, then calls
 * init(registrar) once at start-up (main thread, before packet threads).
 * Everything a plugin registers must stay valid until the process exits. */

#include <stdint.h>

#include "runtime/counters.h"
#include "runtime/module.h"

#define VG_PLUGIN_HDR(type) { .api_version = VG_PLUGIN_API_VERSION, .struct_size = sizeof(type) }

/* What the engine offers a plugin; function pointers so that a plugin needs
 * no link-time symbols from the engine. */
typedef struct VgPluginRegistrar {
    VgDescHeader hdr;
    /* Add a thread module; pipelines may then name it. 0 or negative VG_E*. */
    int (*register_module)(const TmModule *m);
    /* Counters (names are dotted EVE stats paths), as runtime/counters.h. */
    CounterId (*register_counter)(const char *name, CounterKind kind);
    /* Log at a level of util-log (0 error .. 5 debug). */
    void (*log)(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
} VgPluginRegistrar;

typedef struct VgPluginInfo {
    VgDescHeader hdr;
    const char *name;
    const char *version;
    const char *description;
    int (*init)(const VgPluginRegistrar *reg);
} VgPluginInfo;

/* Engine side: load each plugin named under `plugins:`. Returns 0, or
 * VG_E* after logging which plugin failed and why. */
struct Conf;
int plugin_load_all(const struct Conf *conf);
int plugin_load(const char *path);

#endif
