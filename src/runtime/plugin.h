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

#include <stdbool.h>
#include <stddef.h>

#include "runtime/counters.h"
#include "runtime/module.h"

#define VG_PLUGIN_HDR(type) { .api_version = VG_PLUGIN_API_VERSION, .struct_size = sizeof(type) }

/* ---- API 2: stream consumers, app-layer parsers, rule keywords --------
 * (plugins/README.md: threads, ownership, an example of each.) Every
 * descriptor below starts with VG_PLUGIN_HDR(its type), is const and lives
 * as long as the process (a static in the plugin). Callbacks that return
 * int give 0 (or a match result), or a negative value for an error: the
 * engine counts it, logs the first error of each consumer, protocol or
 * keyword, and contains it as each descriptor says (the flow gets no more
 * calls, the parser stops for the flow, the keyword does not match); it
 * never stops the engine. */

struct Flow;                     // opaque to plugins: ask the registrar
struct JsonBuf;
typedef struct JsonBuf VgJson;   // an EVE object being written
typedef struct AppFlow VgAppFlow; // the app-layer state of one flow

enum { VG_DIR_TOSERVER = 0, VG_DIR_TOCLIENT = 1 };

/* What plugins may read of a flow (the tuple as EVE writes it). */
typedef struct VgFlowInfo {
    uint64_t flow_id;            // EVE flow_id
    char src_ip[46];             // the client
    char dst_ip[46];
    uint16_t sp;
    uint16_t dp;
    uint8_t ipproto;
} VgFlowInfo;

/* A stream consumer: a recv()-style view of every TCP session. For each
 * direction it asks for, recv gets each new in-order piece of reassembled
 * data exactly once, in order; gap tells how many bytes are missing; close
 * comes once per direction. state is the consumer's own per-flow state,
 * made by flow_new on the flow's first data and freed by state_free when the
 * flow is recycled (after its flow record). All calls are made on the packet
 * thread holding the flow's lock: do not block, do not keep data past the
 * call. After an error from recv or gap the flow gets no more calls (but
 * flow_log and state_free still come). */
enum { VG_STREAM_TOSERVER = 1u << 0, VG_STREAM_TOCLIENT = 1u << 1 };
typedef struct VgStreamConsumer {
    VgDescHeader hdr;
    const char *name;            // unique among consumers; EVE key in flow records
    uint32_t dirs;               // VG_STREAM_* bits
    void *(*flow_new)(const struct Flow *f); // NULL: not for this flow (or no memory)
    int (*recv)(const struct Flow *f, void *state, uint8_t dir, const uint8_t *data,
                uint32_t len);
    int (*gap)(const struct Flow *f, void *state, uint8_t dir, uint32_t missing); // optional
    void (*close)(const struct Flow *f, void *state, uint8_t dir);               // optional
    /* Optional: fields of the flow record, inside an object named `name`
     * (output thread or the flow's end, flow lock held or flow owned). */
    void (*flow_log)(const struct Flow *f, const void *state, VgJson *jb);
    void (*state_free)(void *state);
} VgStreamConsumer;

/* An application-layer protocol: one row of the app-layer table. The
 * engine detects it (patterns, then probe), then calls parse with each
 * direction's data in order, any split. parse makes transactions with
 * registrar->app_tx_new and moves their progress; a tx is complete when its
 * progress reaches complete[dir] both ways, and freed (tx_free, then the
 * engine's memory) once detection and loggers are done with it. Buffers
 * are what rules inspect as sticky buffers (`memcached.key; content:...`);
 * log_json writes the EVE object of a tx (alerts and the protocol's own
 * records, when `types:` of eve-log names the protocol). Called on packet
 * threads with the flow lock held; buffers' get and log_json may be called
 * several times per tx. */
enum { VG_PROBE_NO = 0, VG_PROBE_YES = 1, VG_PROBE_MORE = 2 };
enum { VG_PARSE_OK = 0, VG_PARSE_ERROR = -1 };
#define VG_APP_BUFFERS_MAX 4
typedef struct VgAppPattern {
    uint8_t dir;                 // VG_DIR_*
    bool nocase;
    uint16_t offset;
    uint16_t depth;              // the pattern ends within depth bytes
    const char *bytes;
    uint16_t len;
} VgAppPattern;
typedef struct VgAppBuffer {
    const char *name;            // rule name: "<proto>.<what>"
    uint8_t dir;                 // VG_DIR_* of the tx it comes from
    uint8_t progress;            // tx progress in dir from which it is final
    /* The buffer of tx; false when it has none (yet). data stays valid while tx lives. */
    bool (*get)(const void *tx, const uint8_t **data, uint32_t *len);
} VgAppBuffer;
typedef struct VgAppLayer {
    VgDescHeader hdr;
    const char *name;            // EVE app_proto and rule protocol name; unique
    uint8_t ipproto;             // 6 (TCP) or 17 (UDP)
    uint8_t first_dir;           // VG_DIR_* that speaks first
    const char *default_ports;   // "11211"; app-layer.protocols.<name>.detection-ports.dp
    const VgAppPattern *patterns;
    uint32_t n_patterns;
    int (*probe)(const uint8_t *data, uint32_t len, uint8_t dir); // optional, VG_PROBE_*
    void *(*state_new)(VgAppFlow *af);   // NULL: out of memory
    void (*state_free)(void *state);
    /* VG_PARSE_ERROR stops the parser for the flow (app_layer.error.<name>.parser). */
    int (*parse)(VgAppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len);
    void (*tx_free)(void *state, void *tx); // the plugin's part of tx; the engine frees tx
    /* Optional: len bytes of dir are missing (TCP gap). 0: the parser goes on after
     * the hole; VG_PARSE_ERROR: it cannot, and stops for that direction (its open
     * txs are then forced done). Without it, a gap stops the direction. */
    int (*gap)(VgAppFlow *af, void *state, uint8_t dir, uint32_t len);
    uint8_t complete[2];
    const char *const *events;   // optional event names (app-layer-event:<name>.<event>)
    uint32_t n_events;
    const VgAppBuffer *buffers;  // at most VG_APP_BUFFERS_MAX
    uint32_t n_buffers;
    void (*log_json)(const void *tx, VgJson *jb); // inside the object named `name`
} VgAppLayer;

/* A rule keyword. setup parses the argument (NULL when the rule gives
 * none) into a context the plugin owns; free releases it with the rule set
 * (any thread, once no packet thread uses it). With VG_KW_BUFFER the
 * keyword is a payload element: match_buffer gets the current buffer of
 * the rule (packet payload, reassembled stream chunk, or the sticky buffer
 * before it, e.g. an app-layer buffer), else match_packet gets the packet.
 * setup runs on the thread loading rules (start-up, reload); match_* on
 * packet threads at once, so ctx is read-only there. A match returns 1
 * (match), 0 (no match) or a negative error (counted, no match). */
enum { VG_KW_NOOPT = 1u << 0, VG_KW_OPTIONAL = 1u << 1, VG_KW_BUFFER = 1u << 2 };
typedef struct VgKeyword {
    VgDescHeader hdr;
    const char *name;            // unique among all keywords (built-in ones too)
    const char *desc;
    uint32_t flags;              // VG_KW_*
    /* 0, or negative with a reason for the operator in err. */
    int (*setup)(const char *arg, void **ctx, char *err, size_t errlen);
    int (*match_buffer)(const void *ctx, const uint8_t *buf, uint32_t len);
    int (*match_packet)(const void *ctx, const Packet *p);
    void (*free)(void *ctx);
} VgKeyword;

/* Writing EVE fields (inside the object the engine opened for the plugin). */
typedef struct VgJsonApi {
    void (*str)(VgJson *jb, const char *key, const char *s);
    void (*strn)(VgJson *jb, const char *key, const uint8_t *s, size_t len); // escaped
    void (*u64)(VgJson *jb, const char *key, uint64_t v);
    void (*dbl)(VgJson *jb, const char *key, double v);
    void (*boolean)(VgJson *jb, const char *key, bool v);
    void (*open_object)(VgJson *jb, const char *key);
    void (*close_object)(VgJson *jb);
} VgJsonApi;
/* ---- end API 2 ---- */

/* What the engine offers a plugin; function pointers so that a plugin needs
 * no link-time symbols from the engine. The register_* calls are only valid
 * inside init; what they register takes effect once init returns 0 (nothing
 * of a plugin whose init fails or that registers a taken name is kept).
 * They return 0, VG_EEXIST (-6: the name is taken), VG_EVERSION (-7: the
 * descriptor's header is not this API's), VG_EINVAL (-2: a required callback
 * is missing) or VG_ERANGE (-5: table full). */
typedef struct VgPluginRegistrar {
    VgDescHeader hdr;
    /* Add a thread module; pipelines may then name it. 0 or negative VG_E*. */
    int (*register_module)(const TmModule *m);
    /* Counters (names are dotted EVE stats paths), as runtime/counters.h. */
    CounterId (*register_counter)(const char *name, CounterKind kind);
    /* Log at a level of util-log (0 error .. 5 debug). */
    void (*log)(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    /* ---- API 2 ---- */
    int (*register_stream_consumer)(const VgStreamConsumer *c);
    int (*register_app_layer)(const VgAppLayer *a);
    int (*register_keyword)(const VgKeyword *k);
    const VgJsonApi *json;
    /* The flow's tuple and id (any callback given a flow; lock held). */
    void (*flow_info)(const struct Flow *f, VgFlowInfo *out);
    /* App-layer parsers: a new tx of `size` zeroed bytes (the plugin's part),
     * appended to the flow's txs; NULL on memcap or max-tx (stop parsing). */
    void *(*app_tx_new)(VgAppFlow *af, size_t size);
    /* Sets tx's progress in dir (and marks it changed for detection and logs). */
    void (*app_tx_progress)(void *tx, uint8_t dir, uint8_t progress);
    uint64_t (*app_tx_id)(const void *tx);
    /* Raises event index id of the row's events on tx. */
    void (*app_tx_event)(VgAppFlow *af, void *tx, uint32_t id);
    /* ---- end API 2 ---- */
} VgPluginRegistrar;

typedef struct VgPluginInfo {
    VgDescHeader hdr;
    const char *name;
    const char *version;
    const char *description;
    int (*init)(const VgPluginRegistrar *reg);
} VgPluginInfo;

/* Engine side: load each plugin named under `plugins:` (a path, or a map
 * `{path: ..., required: yes|no}`; a plain path is required). A required
 * plugin that cannot be loaded stops start-up; another is skipped with a
 * warning. Returns 0, or VG_E* after logging which plugin failed and why. */
struct Conf;
int plugin_load_all(const struct Conf *conf);
int plugin_load(const char *path);

#endif
