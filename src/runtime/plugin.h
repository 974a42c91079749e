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

#include <stddef.h>
#include <stdint.h>

#include "runtime/counters.h"
#include "runtime/module.h"

#define VG_PLUGIN_HDR(type) { .api_version = VG_PLUGIN_API_VERSION, .struct_size = sizeof(type) }

/* ---- EVE sinks (register_eve_sink) ----------------------------------- */

/* A plugin EVE sink is a `filetype:` of `eve-log`. It gets the same bounded
 * queue and writer thread as the built-in sinks: every callback runs on the
 * output's writer thread (one per output), never on a packet thread, so a
 * callback may block (briefly: while it blocks the queue fills, then drops or,
 * with buffer-full: block, the packet path waits). Records are whole JSON
 * lines; the engine owns them (valid during the call only). */
typedef struct VgEveSinkConfig {
    const char *name;            // the output's name (counters output.eve-log.<name>.*)
    const char *filename;        // `filename` resolved against the log directory, or NULL
    void *engine;                // the engine's; pass back to the functions below
    /* A scalar option of this eve-log output by dotted path below it
     * ("filename", "plugin.socket"); NULL when absent. Open only. */
    const char *(*get)(const struct VgEveSinkConfig *cfg, const char *path);
    /* Async sinks: outcomes of records accepted earlier. Writer thread. */
    void (*report)(const struct VgEveSinkConfig *cfg, uint64_t n_written, uint64_t n_failed);
    /* Count a reconnection / an error of the target. Writer thread. */
    void (*count_reconnect)(const struct VgEveSinkConfig *cfg);
    void (*count_error)(const struct VgEveSinkConfig *cfg);
} VgEveSinkConfig;

#define VG_EVE_SINK_F_ASYNC 0x1u // write_batch returns records accepted; outcomes via report

typedef struct VgEveSinkOps {
    VgDescHeader hdr;            // VG_PLUGIN_HDR(VgEveSinkOps)
    const char *filetype;        // the `filetype:` value it serves
    uint32_t flags;              // VG_EVE_SINK_F_*
    /* Open the target; *state receives the sink's state. cfg stays valid
     * until close. 0 or negative VG_E* (the engine then refuses to start). */
    int (*open)(const VgEveSinkConfig *cfg, void **state);
    /* Write n_records whole records: lines[0..len) holds each followed by
     * '\n'. Returns how many, from the first, were written (the rest are
     * counted dropped, with an error), or negative VG_E* when none was. */
    int64_t (*write_batch)(void *state, const char *lines, size_t len, uint32_t n_records);
    int (*flush)(void *state);   // optional: push out what is buffered
    int (*reopen)(void *state);  // optional: SIGHUP (log rotation)
    void (*tick)(void *state);   // optional: called at least every 100 ms while idle
    void (*close)(void *state);  // flush and free state
} VgEveSinkOps;

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
    /* An EVE sink (filetype) for eve-log outputs. 0, VG_EEXIST when the
     * filetype is taken, VG_EVERSION / VG_EINVAL for a bad descriptor.
     * Appended field: check hdr.struct_size covers it before calling. */
    int (*register_eve_sink)(const VgEveSinkOps *ops);
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
