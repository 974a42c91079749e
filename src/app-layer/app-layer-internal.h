#ifndef VG_APP_LAYER_APP_LAYER_INTERNAL_H
#define VG_APP_LAYER_APP_LAYER_INTERNAL_H

/* Inside the app layer: the parser row every protocol provides, the per-flow
 * state, and the helpers parsers call. Only src/app-layer and its tests. */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app-layer/app-layer.h"
#include "flow/flow.h"
#include "runtime/counters.h"

struct Conf;

/* A detection pattern: bytes at offset (from the start of a direction's data), matched
 * within depth bytes. */
typedef struct AppPattern {
    uint8_t dir;                 // APP_DIR_*
    bool nocase;
    uint16_t offset;
    uint16_t depth;              // the pattern must end within depth bytes
    const char *bytes;
    uint16_t len;
} AppPattern;

/* Probe results. */
enum { APP_PROBE_NO = 0, APP_PROBE_YES = 1, APP_PROBE_MORE = 2 };

typedef struct AppFlow AppFlow;

/* Parse results: 0 ok, APP_PARSE_ERROR stops the parser for the flow (event and counter),
 * APP_PARSE_TUNNEL: the protocol handed the rest of the connection over (CONNECT, Upgrade):
 * *consumed bytes of this call were its own, the rest goes back to protocol detection. */
enum { APP_PARSE_OK = 0, APP_PARSE_ERROR = -1, APP_PARSE_TUNNEL = 1 };

/* One row per protocol (app-layer-list.c). No state: init/config builds globals. */
typedef struct AppParserDesc {
    const char *name;            // EVE and rule name
    const char *const *aliases;  // other rule names, NULL-terminated (may be NULL)
    AppProto proto;
    uint8_t ipproto;             // 6 (TCP) or 17 (UDP); 0: both
    uint8_t first_dir;           // APP_DIR_* that normally speaks first
    bool any_first_dir;          // either side may speak first (no wrong-direction event)
    const char *default_ports;   // detection-ports default ("80,8080")
    const AppPattern *patterns;
    uint32_t n_patterns;
    /* Probing parser: looks at the start of a direction's data. */
    int (*probe)(const uint8_t *data, uint32_t len, uint8_t dir);
    /* Start-up: read app-layer.protocols.<name>.* / own config; 0 or VG_E*. */
    int (*config)(const struct Conf *conf);
    void (*deinit)(void);
    /* Parser state of one flow; NULL on memcap or memory refusal. */
    void *(*state_new)(AppFlow *af);
    void (*state_free)(void *state);
    /* Data of dir, any split. *consumed (tunnel only) as above. */
    int (*parse)(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                 uint32_t *consumed);
    /* Data missing in dir (length unknown). NULL: the parser stops for that direction. */
    int (*gap)(AppFlow *af, void *state, uint8_t dir);
    /* Data missing in dir, len bytes (TCP: the stream API gives the length). Preferred
     * over gap when set; APP_PARSE_OK means the parser resynced (or will), anything else
     * stops it for that direction. */
    int (*gap_len)(AppFlow *af, void *state, uint8_t dir, uint32_t len);
    /* No more data in dir (FIN, RST, flow end). May be NULL. */
    void (*eof)(AppFlow *af, void *state, uint8_t dir);
    /* Free one tx the framework is done with. */
    void (*tx_free)(void *state, AppTx *tx);
    uint8_t complete[2];         // progress values at which a tx is complete per direction
    const char *const *events;   // event names (no proto prefix), index = parser-local id
    bool events_upper;           // EVE anomaly writes them in upper case (Suricata's HTTP)
    uint32_t n_events;
    const AppBufferDef *buffers;
    uint32_t n_buffers;
    /* The EVE object of a tx ("http": {...}) into an open record. */
    void (*log_json)(const Flow *f, const AppTx *tx, JsonBuf *jb);
    /* Files of a tx (NULL when the protocol has none). */
    const AppFile *(*tx_file_at)(const AppTx *tx, uint8_t dir, uint32_t idx);
    /* Optional probing parser told the transport (6 or 17) and whether a port of the flow
     * is one of the row's detection ports, used instead of probe: rows with ipproto 0 run
     * over both TCP and UDP and frame their data differently; a probe can be lenient on
     * its ports and strict elsewhere. */
    int (*probe_ip)(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                    uint8_t dir);
    /* Optional: whether data that detection gave this protocol is a reply (as Suricata's
     * probes report the direction): the first to-server data of a midstream pickup that
     * is one reverses the flow. */
    bool (*is_reply)(const uint8_t *data, uint32_t len);
    /* Optional: txs carried inside tx (app_layer_tx_sub), NULL where there is none. */
    AppTx *(*tx_sub)(const AppTx *tx, uint32_t idx);
    /* EVE records through the generic tx logger (output-eve-generic.c): one record of
     * event_type <name> per tx once complete both ways, with the object log_json writes.
     * Plugin rows always use it; built-in rows with a logger of their own leave it false. */
    bool eve_generic;
    /* Optional, generic records only: the options under the protocol's eve-log `types:`
     * entry (start-up), and whether a tx gets a record (alerts still carry its object). */
    void (*eve_options)(const struct ConfNode *opts);
    bool (*eve_wanted)(const AppTx *tx);
    /* Optional, generic records only: the record is written in the to-client direction
     * (src is the server), as for records of the packet that completed a reply. */
    bool (*eve_toclient)(const AppTx *tx);
    /* Rows with ipproto 0: count flows and txs as app_layer.flow/tx.<name>_tcp and
     * <name>_udp instead of <name> (Suricata's names for such protocols). */
    bool split_counters;
    /* max-tx counts the txs from the oldest one not complete both ways (Suricata's FTP:
     * finished txs waiting only for detect or output do not count). */
    bool max_tx_unfinished;
    /* Frame types the parser marks (app_frame_new's local_type indexes this), names as
     * the frame keyword and EVE write them ("pdu", "smb2.hdr", "request.line"). */
    const char *const *frame_types;
    uint32_t n_frame_types;
} AppParserDesc;

/* The built-in rows (app-layer-list.c). */
extern const AppParserDesc *const app_parser_rows[];
extern const uint32_t app_parser_n_rows;
const AppParserDesc *app_parser_row(AppProto p);
/* All rows: the built-in ones, then those of plugins (app_parser_add, start-up only:
 * row->proto must be app_parser_next_plugin_proto(); 0 or VG_ERANGE). */
uint32_t app_parser_count(void);
const AppParserDesc *app_parser_at(uint32_t i);
int app_parser_add(const AppParserDesc *row);
AppProto app_parser_next_plugin_proto(void);    // APP_PROTO_UNKNOWN when full

/* Per-protocol settings and counters (app-layer.c). */
enum { APP_ENABLED_NO = 0, APP_ENABLED_YES, APP_ENABLED_DETECTION_ONLY };

typedef struct AppProtoCfg {
    uint8_t enabled;             // APP_ENABLED_*
    /* app_layer_set_proto_inspected: written by a rule (re)load while packet threads
     * read it, hence atomic. */
    _Atomic bool has_rules;
    uint32_t logger_mask;        // loggers that must log a tx before it is freed
    _Atomic uint64_t memcap_bytes; // 0 = unlimited; memcap-set writes it while packets flow
    uint32_t max_tx;             // live txs per flow; 0 = unlimited
    uint8_t ports[65536 / 8];    // detection-ports bitmap (hint for probing order)
    _Atomic uint64_t memuse;     // bytes charged now (any packet thread)
    CounterId c_flows;
    CounterId c_txs;
    CounterId c_flows_udp;       // split_counters rows: the UDP ones (c_flows/c_txs: TCP)
    CounterId c_txs_udp;
    CounterId c_memcap;
    CounterId c_errors;
    CounterId c_gaps;
    CounterId c_memuse;          // memuse now (a probe counter)
    CounterId c_memuse_peak;
} AppProtoCfg;

AppProtoCfg *app_proto_cfg(AppProto p);

/* Global settings (app-layer.c). */
typedef struct AppLayerCfg {
    uint32_t detect_max_bytes;   // give-up cap per direction
    CounterId c_detect_giveup;
    CounterId c_detect_mismatch;
    CounterId c_flows_failed;
    int storage_id;
    void (*detect_state_free)(void *);
    FlowExceptionPolicy error_policy; // app-layer.error-policy (or exception-policy)
    int64_t sim_error_offset_ts;      // test hook: parser error on to-server data at this
                                      // offset (-1: off)
} AppLayerCfg;
extern AppLayerCfg g_app_cfg;

/* The counter set of the packet thread running the app layer (set by the app-layer
 * module's thread_init; NULL elsewhere, e.g. flow-end work in the flow manager). */
extern _Thread_local CounterSet *app_tls_counters;
static inline void app_count(CounterId id, uint64_t n)
{
    if (app_tls_counters != NULL) {
        counters_add(app_tls_counters, id, n);
    }
}

/* Event ids: base of a protocol's events in the global table. */
int app_layer_event_base(AppProto p);

/* Framework events (global names "applayer.<name>"). */
enum {
    APP_EV_MISMATCH_BOTH_DIRECTIONS = 0,
    APP_EV_WRONG_DIRECTION_FIRST_DATA,
    APP_EV_DETECT_PROTOCOL_ONLY_ONE_DIRECTION,
    APP_EV_PROTO_DETECTION_SKIPPED,
    APP_EV_NO_TLS_AFTER_STARTTLS,
    APP_EV_UNEXPECTED_PROTOCOL,
    APP_EV_N,
};

/* ---- per-flow state (app-layer-flow.c) ---- */

#define APP_FLOW_EVENTS_MAX 8

enum {
    APP_DET_UNKNOWN = 0,         // still looking
    APP_DET_DONE,                // proto found in this direction
    APP_DET_FAILED,              // gave up
    APP_DET_CONFIRM,             // the other side found it; this side's first data is
                                 // still matched, to see whether it agrees
};

enum {
    APP_FLOW_F_STOP_TS = 1u << 0,    // no more parsing toserver
    APP_FLOW_F_STOP_TC = 1u << 1,
    APP_FLOW_F_ERROR = 1u << 2,      // parser error: stopped both ways
    APP_FLOW_F_EOF_TS = 1u << 3,
    APP_FLOW_F_EOF_TC = 1u << 4,
    APP_FLOW_F_GAP_TS = 1u << 5,
    APP_FLOW_F_GAP_TC = 1u << 6,
    APP_FLOW_F_MEMCAP = 1u << 7,
    APP_FLOW_F_ENDED = 1u << 8,      // flow end: every tx forced done
    APP_FLOW_F_TUNNEL = 1u << 9,     // the parser handed over (CONNECT/Upgrade)
    APP_FLOW_F_NO_INSPECT = 1u << 10, // encrypted both ways: raw payload no longer inspected
    APP_FLOW_F_NO_INSPECT_SOON = 1u << 11,  // ... from the next packet of the flow on (the
                                            // data that ended the handshake is inspected)
    APP_FLOW_F_NO_INSPECT_ARMED = 1u << 12,
    APP_FLOW_F_ERROR_NEW = 1u << 13, // the parser error came on the current packet: the
                                     // app-layer module applies app-layer.error-policy
    APP_FLOW_F_REVERSE = 1u << 14,   // midstream: the client's first data is a response:
                                     // sides swapped here, the flow's swap is pending
    APP_FLOW_F_REVERSED = 1u << 15,  // the flow was swapped (app_flow_reverse)
};

struct AppFlow {
    Flow *f;
    const AppParserDesc *row;    // the parser running (NULL: detecting or none)
    void *state;                 // the row's parser state
    const AppParserDesc *old_row;   // the parser before a tunnel (CONNECT/Upgrade), kept
    void *old_state;                // for its txs (APP_TX_F_OLD_PARSER) until the flow ends
    AppProto proto_dir[2];       // detection result per direction
    AppProto orig;               // protocol before a tunnel / change
    uint8_t det[2];              // APP_DET_* per direction
    uint16_t flags;              // APP_FLOW_F_*
    uint8_t *held[2];            // undetected prefix per direction, replayed once known
    uint32_t held_len[2];
    uint32_t held_cap[2];
    uint64_t seen[2];            // bytes seen per direction
    uint64_t stream_off[2];      // TCP: stream offset delivered so far (data and gaps)
    uint64_t parsed_off[2];      // bytes handed to the parser(s) and gaps, per direction:
                                 // where frames created late (a reload) start counting
    uint64_t enc_off[2];         // TCP: stream offset where encrypted data starts (NO_INSPECT*)
    uint64_t seen_tunnel[2];     // of which after a tunnel started
    uint8_t n_events;
    uint8_t n_events_logged;     // handed to EVE anomaly so far
    uint8_t parse_dir;           // side whose data (gap, end) the parser is handling now:
                                 // the direction of the tx events it raises
    bool is_expect_done;         // the expectation lookup was made (on the first data)
    AppEventId events[APP_FLOW_EVENTS_MAX];
    AppTx **txs;                 // live txs, oldest first
    uint32_t n_txs;
    uint32_t cap_txs;
    uint64_t next_tx_id;
    uint64_t memuse;             // bytes charged to the protocol (row) by this flow
    uint64_t old_memuse;         // bytes still charged to old_row (its txs and state)
    bool is_mem_old;             // while freeing what old_row's instance holds: release
                                 // against old_row / old_memuse (app-layer-flow.c)
    uint32_t next_file_id;
    AppProto expect;             // protocol announced for after a hand-over (STARTTLS: TLS)
    struct AppFrames *frames;    // frames and their bytes (app-layer-frame.c), NULL: none
};

/* The flow's app state, or NULL. Caller holds f->lock. */
AppFlow *app_flow_get(const Flow *f);
AppFlow *app_flow_get_or_new(Flow *f);
void app_flow_free(void *af);

/* Data into the app layer (stream subscriber, UDP). */
void app_flow_data(AppFlow *af, uint8_t dir, const uint8_t *data, uint32_t len);
void app_flow_gap(AppFlow *af, uint8_t dir);          // length unknown
void app_flow_gap_len(AppFlow *af, uint8_t dir, uint32_t len);
void app_flow_eof(AppFlow *af, uint8_t dir);
/* Flow end: every tx forced done both ways. */
void app_flow_end(AppFlow *af);
/* Start of the app-layer module's turn on a packet: free finished txs, publish the
 * pending updates as UPDATED flags. */
void app_flow_packet_publish(AppFlow *af);
/* A midstream TCP flow whose first data, from the side taken for the client, is a
 * protocol's response (HTTP/1.x status line) is reversed, as Suricata does: the AppFlow's
 * sides at once (the data is parsed as the server's, APP_FLOW_F_REVERSE), the flow
 * (flow_swap_direction), the TCP session (stream_flow_swap) and p's direction here, once
 * the stream stage is done with p. Called by the app-layer module; f->lock held. */
void app_flow_reverse(AppFlow *af, struct Packet *p);
/* The AppFlow direction of the stream's direction dir (they differ between a reversal and
 * the flow's swap, within one packet). */
uint8_t app_flow_stream_dir(const AppFlow *af, uint8_t dir);

/* encryption-handling of TLS and SSH (app-layer.protocols.<p>.encryption-handling). */
enum { APP_ENC_DEFAULT = 0, APP_ENC_BYPASS, APP_ENC_FULL };
/* Reads app-layer.protocols.<proto>.encryption-handling into *mode (default when unset).
 * VG_EINVAL (message names the key) for another value. */
int app_enc_mode_config(const struct Conf *conf, const char *proto, uint8_t *mode);
/* A parser whose flow is now encrypted both ways applies mode: default and bypass stop
 * the inspection of the flow's raw payload (app_layer_flow_no_inspection); full keeps it. */
void app_flow_encrypted(AppFlow *af, uint8_t mode);

/* A parser announces which protocol the connection continues in once it returns
 * APP_PARSE_TUNNEL (STARTTLS: tls_starttls_handover). Anything else found there (or
 * nothing) raises applayer.no_tls_after_starttls when TLS was announced. */
void app_flow_expect(AppFlow *af, AppProto p);

/* Helpers for parsers. tx_new: allocates size bytes (zeroed, AppTx first), charged to the
 * protocol's memcap, appended to the flow's tx list with the next id. NULL on memcap
 * (counted, event-free: the parser stops) or when max-tx is reached. */
AppTx *app_tx_new(AppFlow *af, size_t size);
/* Mark tx changed in dir on this packet. */
void app_tx_touch(AppTx *tx, uint8_t dir);
/* Raise a parser-local event on tx (NULL: flow-level), in the direction being parsed
 * (af->parse_dir); once per event and direction. */
void app_tx_event(AppFlow *af, AppTx *tx, uint32_t local_id);
void app_flow_event(AppFlow *af, uint32_t framework_ev);
/* Memcap accounting for parser allocations beyond the tx itself. */
bool app_mem_charge(AppFlow *af, uint64_t bytes);
void app_mem_release(AppFlow *af, uint64_t bytes);
/* Grow *buf (capacity *cap) to new_cap bytes, charging the difference to
 * the memcap; false (nothing changed) when the memcap or realloc refuses. */
bool app_mem_grow(AppFlow *af, uint8_t **buf, uint32_t *cap, uint32_t new_cap);
/* Free a buffer grown by app_mem_grow, releasing its charge; *buf NULL, *cap 0. */
void app_mem_free(AppFlow *af, uint8_t **buf, uint32_t *cap);

/* Frames (app-layer-frame.c; the queries are in app-layer-frame.h). Parsers call, in
 * their parse callback: app_frame_chunk_offset (offset of data[0] of the chunk being
 * parsed), app_frame_new (a frame of the row's frame_types[local_type] at offset; len -1
 * when not known yet; returns its id, 0 when not recorded: no rule wants the type, the
 * per-direction cap, memcap), app_frame_set_len / _set_end / _set_tx on that id. The
 * flow code feeds app_frames_data before each parse call, gaps, end of data, prunes on
 * each packet and frees. */
typedef struct AppFrames AppFrames;
uint64_t app_frame_chunk_offset(const AppFlow *af, uint8_t dir);
uint64_t app_frame_new(AppFlow *af, uint8_t dir, uint64_t offset, int64_t len,
                       uint16_t local_type);
void app_frame_set_len(AppFlow *af, uint8_t dir, uint64_t id, int64_t len);
void app_frame_set_end(AppFlow *af, uint8_t dir, uint64_t id, uint64_t end);
void app_frame_set_tx(AppFlow *af, uint8_t dir, uint64_t id, uint64_t tx_id);
void app_frames_data(AppFlow *af, uint8_t dir, const uint8_t *data, uint32_t len);
void app_frames_gap(AppFlow *af, uint8_t dir, uint32_t len);
void app_frames_eof(AppFlow *af, uint8_t dir);
void app_frames_prune(AppFlow *af);
void app_frames_free(AppFlow *af);
void app_frames_counters_register(void);

/* File store (app-layer-filestore.c): one per file being written. */
typedef struct AppFileStore AppFileStore;
void app_filestore_counters_register(void);
bool app_filestore_enabled(void);
/* outputs.file-store.stream-depth, when set: f stores files, so its reassembly depth is
 * raised to that (0: unlimited) where it is less (stream_flow_raise_depth), as Suricata
 * does for sessions whose files are extracted. Caller holds f->lock. */
void app_filestore_flow_depth(Flow *f);
bool app_filestore_forced(void);          // force-filestore: every file from its start
AppFileStore *app_filestore_open(void);   // NULL: store off, max-open-files, or I/O error
void app_filestore_write(AppFileStore *st, const uint8_t *data, uint32_t len);
/* Renames the copy to its SHA-256 name and sets APP_FILE_F_STORED (and the hash) on f;
 * frees st. False on I/O errors (counted). */
bool app_filestore_close(AppFileStore *st, AppFile *f);
void app_filestore_abort(AppFileStore *st);

/* Files of protocols other than HTTP (app-layer-file.c): the AppFile (first member,
 * so a tx's tx_file_at can hand it out) plus hashing, the file store copy and the data
 * window detection inspects (the file's first APP_FILE_WINDOW_MAX bytes). Owned by the
 * parser's tx; af is the flow whose protocol memcap is charged. */
#define APP_FILE_WINDOW_MAX (256u * 1024u)
typedef struct AppFileTrack {
    AppFile f;                   // first
    uint8_t *name;               // owned
    void *md5;                   // EVP_MD_CTX * while open
    void *sha1;
    void *sha256;
    AppFileStore *store;
    bool store_failed;
    uint8_t *win;                // file.data window (owned)
    uint32_t win_len;
    uint32_t win_cap;
    uint64_t charged;            // bytes charged to the memcap
} AppFileTrack;
/* NULL on memcap or memory refusal. */
AppFileTrack *app_file_new(AppFlow *af, uint8_t dir, const uint8_t *name, uint32_t name_len);
void app_file_data(AppFlow *af, AppFileTrack *ft, const uint8_t *data, uint32_t len);
void app_file_close(AppFileTrack *ft, uint8_t state);   // APP_FILE_CLOSED / _TRUNCATED
void app_file_request_store(AppFileTrack *ft);
void app_file_free(AppFlow *af, AppFileTrack *ft);      // af NULL: no memcap release
/* The APP_FILE_F_* hashes detection and fileinfo asked for (app_layer_files_need). */
uint32_t app_files_needed(void);

/* Expected connections (ftp/app-layer-ftp-expect.c): the protocol a new TCP flow was
 * announced as on another connection (FTP data), or APP_PROTO_UNKNOWN. */
AppProto app_expect_proto(const Flow *f);

/* The file properties detect and output asked for through app_layer_files_need
 * (APP_FILE_F_*), for parsers with files. */
uint32_t app_files_needed(void);

/* Detection (app-layer-detect-proto.c): the protocol data of dir looks like, or
 * APP_PROTO_UNKNOWN with *need_more when more bytes may decide. */
AppProto app_detect_proto(uint8_t ipproto, uint16_t server_port, uint8_t dir,
                          const uint8_t *data, uint32_t len, bool *need_more);
/* The same, where a port hint may also come from the client port (UDP: the first packet
 * seen may be an answer from the server's port, e.g. an LLMNR response; 0: none). */
AppProto app_detect_proto_ports(uint8_t ipproto, uint16_t server_port, uint16_t client_port,
                                uint8_t dir, const uint8_t *data, uint32_t len,
                                bool *need_more);
/* Whether p's own patterns or probe take data of dir as p's (the other direction of a
 * flow detected as p: its data confirms p even when another row would take it too,
 * such as POP3's "USER" that FTP's pattern also knows). */
bool app_detect_proto_accepts(AppProto p, uint8_t ipproto, uint16_t server_port, uint8_t dir,
                              const uint8_t *data, uint32_t len);

#endif
