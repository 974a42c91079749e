#ifndef VG_RUNTIME_MODULE_H
#define VG_RUNTIME_MODULE_H

/* Thread modules: everything that touches packets. A module is one static
 * const TmModule; it holds no state. thread_init creates the per-thread state
 * that every later call gets back. Built-ins are listed in module-list.c;
 * plugins add theirs through the plugin API (runtime/plugin.h). */

#include <stdint.h>

#include "decode/packet-types.h"

#define VG_PLUGIN_API_VERSION 2u   // 2: stream consumers, app-layer parsers, keywords

typedef struct ThreadVars ThreadVars;

typedef enum TmStatus {
    TM_OK = 0,
    TM_FAILED = -1,              // fatal for the thread (start-up problems only)
} TmStatus;

typedef enum TmModuleKind {
    TM_KIND_ACQUIRE = 0,
    TM_KIND_DECODE,
    TM_KIND_FLOW,
    TM_KIND_STREAM,
    TM_KIND_DETECT,
    TM_KIND_VERDICT,
    TM_KIND_RESPOND,
    TM_KIND_OUTPUT,
    TM_KIND_OTHER,
} TmModuleKind;

/* Every descriptor a plugin can provide starts with this header. */
typedef struct VgDescHeader {
    uint32_t api_version;        // VG_PLUGIN_API_VERSION it was built against
    uint32_t struct_size;        // sizeof the whole descriptor
} VgDescHeader;

typedef struct TmModule {
    VgDescHeader hdr;
    const char *name;
    TmModuleKind kind;
    /* Per-thread set-up; *data receives the module's thread state. */
    int (*thread_init)(ThreadVars *tv, void **data);
    /* Handle one packet (not for acquire modules). Return TM_OK normally. */
    int (*process)(ThreadVars *tv, Packet *p, void *data);
    /* Acquire modules only: read packets until the source ends or the thread
     * is asked to stop, handing each to tm_thread_dispatch(). */
    int (*acquire_loop)(ThreadVars *tv, void *data);
    /* End of thread: flush what is pending (may still dispatch pseudo packets). */
    void (*thread_flush)(ThreadVars *tv, void *data);
    void (*thread_deinit)(ThreadVars *tv, void *data);
    void (*print_stats)(ThreadVars *tv, void *data);
} TmModule;

#define TM_MODULE_HDR { .api_version = VG_PLUGIN_API_VERSION, .struct_size = sizeof(TmModule) }

#endif
