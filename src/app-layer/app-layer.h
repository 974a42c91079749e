#ifndef VG_APP_LAYER_APP_LAYER_H
#define VG_APP_LAYER_APP_LAYER_H

/* The application layer: protocol detection on the reassembled stream (TCP,
 * through the stream API) and on UDP payloads, per-protocol parsers that turn
 * the bytes into transactions (txs) with a progress per direction, the
 * buffers rules inspect, events, files, and the EVE object of each tx.
 *
 * Threads: app_layer_init/deinit and the start-up setters run before packets
 * flow. Everything taking a Flow is called by the packet thread owning the
 * flow with f->lock held. Details: src/app-layer/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow-types.h"
#include "util/util-json.h"

struct Conf;
struct ConfSchemaPart;
struct ConfNode;

typedef uint16_t AppProto;
enum {
    APP_PROTO_UNKNOWN = 0,
    APP_PROTO_HTTP1 = 1,
    APP_PROTO_DNS = 2,
    APP_PROTO_TLS = 3,
    APP_PROTO_SSH = 4,
    APP_PROTO_QUIC = 5,
    APP_PROTO_SMTP = 6,
    APP_PROTO_FTP = 7,
    APP_PROTO_FTP_DATA = 8,
    APP_PROTO_HTTP2 = 9,
    APP_PROTO_DOH2 = 10,         // an HTTP/2 flow that carried DNS messages (parser: HTTP/2)
    APP_PROTO_SMB = 11,
    APP_PROTO_DCERPC = 12,
    APP_PROTO_MODBUS = 13,
    APP_PROTO_DNP3 = 14,
    APP_PROTO_ENIP = 15,
    APP_PROTO_SIP = 16,
    APP_PROTO_MQTT = 17,
    APP_PROTO_WEBSOCKET = 18,
    APP_PROTO_RFB = 19,
    APP_PROTO_SNMP = 20,
    APP_PROTO_LDAP = 21,
    APP_PROTO_IKE = 22,
    APP_PROTO_PGSQL = 23,
    APP_PROTO_KRB5 = 24,
    APP_PROTO_NFS = 25,
    APP_PROTO_TFTP = 26,
    APP_PROTO_DHCP = 27,
    APP_PROTO_LLMNR = 28,        // DNS messages on port 5355 (parser: DNS)
    APP_PROTO_NTP = 29,
    APP_PROTO_TELNET = 30,
    APP_PROTO_RDP = 31,
    APP_PROTO_MDNS = 32,         // DNS messages on port 5353 (parser: DNS)
    APP_PROTO_POP3 = 33,
    APP_PROTO_MAX_BUILTIN,       // protocols with a parser are below this
    APP_PROTO_FAILED = 0xffff,   // detection gave up on this flow
};
/* Protocols of plugins (runtime/plugin.h register_app_layer) take the ids from
 * APP_PROTO_MAX_BUILTIN on, in load order; tables indexed by protocol use APP_PROTO_MAX. */
#define APP_PROTO_PLUGIN_MAX 8
#define APP_PROTO_MAX (APP_PROTO_MAX_BUILTIN + APP_PROTO_PLUGIN_MAX)

/* "http" (the EVE name), "failed"; NULL for unknown ids (0 included). */
const char *app_proto_name(AppProto p);
/* The protocol's EVE records come from the generic tx logger (plugin protocols and
 * built-in rows flagged eve_generic, with a log_json). */
bool app_layer_proto_eve_generic(AppProto p);

/* "http", "http1" -> APP_PROTO_HTTP1; APP_PROTO_UNKNOWN (0) if we have no parser of that name. */
AppProto app_proto_by_name(const char *name);
/* memcap-list/-set: the protocol's memcap (app-layer.protocols.P.memcap, 0 =
 * unlimited) and the bytes charged to it now; false for a protocol without a
 * parser or disabled. set: effective at the next charge of any thread;
 * VG_ENOENT (no such parser) or VG_ERANGE (below the bytes charged now). */
bool app_layer_memcap_get(AppProto p, uint64_t *memcap, uint64_t *memuse);
int app_layer_memcap_set(AppProto p, uint64_t bytes);
/* True for names of protocols Suricata has, even if Vigil has no parser for them yet
 * (rules naming those are refused with "unsupported protocol"). */
bool app_proto_is_known_name(const char *name);

enum { APP_DIR_TOSERVER = 0, APP_DIR_TOCLIENT = 1 };   // same values as STREAM_DIR_*

enum {
    APP_TX_F_UPDATED_TS = 1u << 0,    // parser changed this tx on the current packet (toserver)
    APP_TX_F_UPDATED_TC = 1u << 1,
    APP_TX_F_INSPECTED_TS = 1u << 2,  // detect is done with this direction (set by detect)
    APP_TX_F_INSPECTED_TC = 1u << 3,
    APP_TX_F_FORCE_DONE_TS = 1u << 4, // gap / depth / flow end: treat as complete
    APP_TX_F_FORCE_DONE_TC = 1u << 5,
    APP_TX_F_PENDING_TS = 1u << 6,    // internal: changed since the last packet was published
    APP_TX_F_PENDING_TC = 1u << 7,
    APP_TX_F_OLD_PARSER = 1u << 8,    // internal: made by the parser before a tunnel
    APP_TX_F_FW_HOLD = 1u << 9,       // the firewall has hooks of this tx left (set by detect):
                                      // kept until the flow ends or detect clears it
};

#define APP_TX_EVENTS_MAX 16

/* An app-layer event id (app_layer_event_find): global over every parser's events. */
typedef uint16_t AppEventId;

/* Common header: first member of every parser's transaction. */
typedef struct AppTx {
    uint64_t id;                 // 0, 1, 2... per flow, in creation order
    uint8_t progress[2];         // per direction, parser-defined; complete at the row's value
    uint32_t flags;              // APP_TX_F_*
    uint32_t logged;             // bit per tx logger (output)
    void *detect_state;          // owned by detect: freed through the registered callback
    uint32_t n_events;           // events raised on this tx (may exceed APP_TX_EVENTS_MAX)
    AppEventId events[APP_TX_EVENTS_MAX];  // ids from app_layer_event_find (first ones)
    uint16_t n_files[2];         // files of this tx per direction (app_layer_tx_file_at)
    AppProto proto;              // the tx's protocol (set by the app layer)
    uint32_t alloc_bytes;        // internal: charged to the protocol's memcap
    uint8_t n_events_logged;     // internal: events already written as EVE anomaly records
    uint8_t guess_logged;        // detect: alerts of packet/stream rules that logged this tx
                                 // (bounded by detect.stream-tx-log-limit)
    uint16_t events_tc;          // bit i: events[i] was raised parsing the to-client side
                                 // (clear: the to-server side); app_layer_tx_event_in_dir
} AppTx;

/* Generic records: hand the eve-log `types:` options of p to its row (start-up); whether
 * tx gets a record. */
struct ConfNode;
void app_layer_proto_eve_options(AppProto p, const struct ConfNode *opts);
bool app_layer_tx_eve_wanted(const AppTx *tx);
/* Whether tx's generic record is written in the to-client direction (rows with
 * eve_toclient; false otherwise: the flow's direction). */
bool app_layer_tx_eve_toclient(const AppTx *tx);

/* Flow-level queries. Caller holds f->lock. */
AppProto app_layer_flow_proto(const Flow *f);            // f->app_proto
/* Per-direction detection results (APP_PROTO_UNKNOWN while undecided) and the protocol
 * before a change (CONNECT/Upgrade tunnels); EVE writes app_proto_ts/_tc/_orig where they
 * differ from app_proto. */
AppProto app_layer_flow_proto_dir(const Flow *f, uint8_t dir);
AppProto app_layer_flow_proto_orig(const Flow *f);
/* Whether direction dir gave the app layer any data yet. */
bool app_layer_flow_dir_seen(const Flow *f, uint8_t dir);
/* True once the flow's payload is no longer to be inspected by content rules: TLS or SSH
 * encrypted both ways with encryption-handling default or bypass (Suricata's default).
 * Transaction rules still run. Caller holds f->lock. */
bool app_layer_flow_no_inspection(const Flow *f);
/* Whether a raw stream view of direction dir, covering stream offsets
 * [off, off + len), may still be inspected: always before no-inspection
 * starts, then only when it lies wholly in the clear part (before the
 * encrypted data). */
bool app_layer_flow_stream_clear(const Flow *f, uint8_t dir, uint64_t off, uint32_t len);
uint32_t app_layer_tx_count(const Flow *f);              // live txs, oldest first
uint64_t app_layer_tx_next_id(const Flow *f);            // id of the next tx (txs ever made)
AppTx *app_layer_tx_at(const Flow *f, uint32_t idx);     // NULL past the end
AppTx *app_layer_tx_by_id(const Flow *f, uint64_t id);   // NULL if freed/unknown
bool app_layer_tx_complete(const Flow *f, const AppTx *tx, uint8_t dir);
/* The tx's protocol (txs of a tunnelled protocol may follow those of the outer one). */
AppProto app_layer_tx_proto(const Flow *f, const AppTx *tx);
/* The client address an HTTP/1 tx's header (X-Forwarded-For) names: its last entry
 * (reverse proxy deployment) or first (forward), as text. False for other txs, without the
 * header or when it does not fit. Caller holds f->lock. */
bool app_layer_tx_xff(const Flow *f, uint64_t tx_id, const char *header, bool forward,
                      char *buf, size_t size);
/* outputs.eve-log.types.http.xff in overwrite mode: the address an HTTP/1 tx's header
 * names, to write as the http record's client side (src_ip) in place of the flow's.
 * False in other modes, for other txs, without the header, or when it is not an address
 * of the flow's IP version (the http object then carries it as "xff"). Caller holds
 * f->lock. */
bool app_layer_http_xff_client(const Flow *f, const AppTx *tx, VgAddr *out);
/* Transactions carried inside tx (DNS over HTTP/2: the DNS message of each direction of
 * an HTTP/2 stream), idx 0 .. APP_TX_SUB_MAX - 1; NULL where there is none. They are not
 * listed among the flow's txs (app_layer_tx_at), keep their own protocol, flags and
 * detect state, and live as long as tx. */
#define APP_TX_SUB_MAX 2
AppTx *app_layer_tx_sub(const Flow *f, const AppTx *tx, uint32_t idx);
/* Flow-level (not tx) app-layer events raised so far, e.g. detection mismatch. */
uint32_t app_layer_flow_events(const Flow *f, const AppEventId **ids);

/* Buffers: each protocol row lists its buffers; ids are global, fixed at start-up. */
typedef struct AppBufferDef {
    const char *name;            // "http.uri", "http.request_body", "file.data" ...
    AppProto proto;
    uint8_t dir;                 // APP_DIR_*
    uint8_t progress;            // tx progress (in dir) from which the buffer is final;
                                 // growing buffers (bodies) give their first progress and
                                 // set is_growing
    bool is_growing;             // bodies: content may grow across packets
    /* Fills data and len with the buffer of tx (valid until the next call on this flow or
     * the packet ends). False when the tx has no such buffer (yet). */
    bool (*get)(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len);
    /* Optional: a multi-buffer (one instance per record, e.g. per DNS query name). Fills
     * the idx-th instance (0, 1, ...); false past the last. Rows setting it also give
     * get (the first instance), and are never growing. A rule's buffer matches when one
     * instance matches all the keywords given after the buffer's name (a rule naming the
     * buffer twice has two such sets, each matched on its own). */
    bool (*get_multi)(const Flow *f, const AppTx *tx, uint32_t idx, const uint8_t **data,
                      uint32_t *len);
    /* Growing buffers handed out as inspection windows (HTTP bodies, as Suricata's
     * request/response-body-inspect-window and minimal-inspect-size): each call gives the
     * part to inspect now, which already holds the overlap with what came before (its
     * start moves); scan all of it. */
    bool is_windowed;
} AppBufferDef;
int app_layer_buffer_find(const char *name);             // id >= 0 or VG_ENOENT
/* The row of id; a name can have one row per protocol/direction: use
 * app_layer_buffer_find_for to pick the one of a protocol and direction. */
const AppBufferDef *app_layer_buffer_def(int id);
int app_layer_buffer_find_for(const char *name, AppProto proto, uint8_t dir);
/* Detect declares at rule build the buffers rules inspect (never cleared: a reload only
 * adds), for parsers that compute a buffer only when asked (email.body_md5 with
 * body-md5: auto). */
void app_layer_buffer_need(int id);
bool app_layer_buffer_needed(int id);
uint32_t app_layer_buffer_count(void);

/* Events: "http.request_field_missing_colon" style names (proto "." event name, as in
 * Suricata's app-layer-event keyword), ids global (< 1024). Flow-level events of the
 * framework are "applayer.NAME", e.g. applayer.mismatch_protocol_both_directions. */
int app_layer_event_find(const char *proto_dot_name);    // id >= 0 or VG_ENOENT
/* Whether event id was raised on tx by the parser of direction dir (APP_DIR_*): an event
 * belongs to the side whose data raised it, so a to-server rule does not see a to-client
 * event of the same tx and back (a malformed request is not a malformed response). */
bool app_layer_tx_event_in_dir(const AppTx *tx, int id, uint8_t dir);
const char *app_layer_event_name(int id);

/* EVE anomaly records (output): the events raised on tx (NULL: the flow's own) since the
 * last call; each is handed out once. Caller holds f->lock. */
uint32_t app_layer_anomalies_take(const Flow *f, AppTx *tx, const AppEventId **ids);
/* Suricata's anomaly fields of event id: the event as Suricata writes it (into out) and
 * the layer ("proto_parser", or "proto_detect" for the framework's applayer.* events). */
bool app_layer_event_anomaly(int id, char *out, size_t cap, const char **layer);

/* Detect registers once at start-up how to free AppTx.detect_state. */
void app_layer_set_detect_state_free(void (*free_fn)(void *));
/* Detect tells the app layer whether rules exist for a protocol (fixed at rule build); txs
 * of protocols without rules do not wait for INSPECTED flags before being freed. */
void app_layer_set_proto_inspected(AppProto p, bool has_rules);

/* Output declares at start-up which tx loggers (bits of AppTx.logged) are enabled per
 * protocol: a tx is freed only once each of them set its bit (or the flow ended). */
void app_layer_set_proto_logged(AppProto p, uint32_t logger_bit, bool enabled);

/* Output: write the protocol's EVE object of a tx ("http": {...}) into jb, for alerts
 * (tx_id) and the protocol's own records. False when the tx is gone. */
bool app_layer_tx_log_json(const Flow *f, uint64_t tx_id, JsonBuf *jb);

/* ---- files ------------------------------------------------------------- */

enum { APP_FILE_OPEN = 0, APP_FILE_CLOSED, APP_FILE_TRUNCATED, APP_FILE_ERROR };
enum {
    APP_FILE_F_MD5 = 1u << 0,      // md5/sha1/sha256 valid (file closed, hashing enabled)
    APP_FILE_F_SHA1 = 1u << 1,
    APP_FILE_F_SHA256 = 1u << 2,
    APP_FILE_F_MAGIC = 1u << 3,    // magic valid
    APP_FILE_F_STORE = 1u << 4,    // filestore asked for this file
    APP_FILE_F_STORED = 1u << 5,   // written to the filestore directory
    APP_FILE_F_LOGGED = 1u << 6,   // fileinfo record written
    APP_FILE_F_GAP = 1u << 7,      // data missing
};

#define APP_FILE_SIDS_MAX 8
typedef struct AppFile {
    uint32_t file_id;            // per flow, from 1
    uint8_t dir;                 // APP_DIR_* the file travels in
    uint8_t state;               // APP_FILE_*
    uint16_t flags;              // APP_FILE_F_*
    const uint8_t *name;         // as sent (may be NULL); valid while the tx lives
    uint32_t name_len;
    uint64_t size;               // bytes seen so far
    uint8_t md5[16];
    uint8_t sha1[20];
    uint8_t sha256[32];
    const char *magic;           // libmagic description (APP_FILE_F_MAGIC)
    /* The data window detect may still inspect: data_offset is the file offset of data[0]. */
    const uint8_t *data;
    uint32_t data_len;
    uint64_t data_offset;
    uint8_t store_sha256[32];    // name of the stored copy (APP_FILE_F_STORED)
    uint32_t store_sids[APP_FILE_SIDS_MAX];  // filestore rules that matched (fileinfo "sid")
    uint8_t n_store_sids;
} AppFile;

/* Files of tx in dir, oldest first. NULL past the end. Caller holds f->lock. */
const AppFile *app_layer_tx_file_at(const Flow *f, const AppTx *tx, uint8_t dir,
                                    uint32_t idx);
/* Output: the file's state is final and detection is done with it (its direction of the
 * tx inspected, no rules for the protocol, or the flow ended), so a filestore rule can no
 * longer change it: its fileinfo record may be written. Caller holds f->lock. */
bool app_layer_file_logable(const Flow *f, const AppTx *tx, const AppFile *file);
/* filestore: ask that a file (or all files of tx in dir when file is NULL) be stored. */
void app_layer_file_request_store(Flow *f, AppTx *tx, uint8_t dir, const AppFile *file);
/* The same, naming the filestore rule (its sid goes to the fileinfo "sid" list once per
 * file, at most APP_FILE_SIDS_MAX of them). */
void app_layer_file_request_store_by(Flow *f, AppTx *tx, uint8_t dir, const AppFile *file,
                                     uint32_t sid);
/* The file store (outputs: - file-store, version 2): opts is the entry's map, log_dir the
 * run's log directory (dir is relative to it). 0, VG_EINVAL (message names the key) or
 * VG_EIO (the directory cannot be made). Start-up, before packets. */
int app_layer_filestore_setup(const struct ConfNode *opts, const char *log_dir)
    __attribute__((warn_unused_result));
void app_layer_filestore_deinit(void);
/* The TLS certificate store (outputs: - tls-store: enabled, certs-log-dir, default "certs"
 * relative to log_dir): 0, VG_EINVAL (message names the key), VG_EIO (the directory
 * cannot be made). Start-up, before packets (src/app-layer/tls/app-layer-tls-store.c). */
int app_layer_tls_store_setup(const struct ConfNode *opts, const char *log_dir)
    __attribute__((warn_unused_result));
void app_layer_tls_store_deinit(void);
/* file-store.stream-depth (0: none, or the store is off). */
uint64_t app_layer_filestore_stream_depth(void);
/* Output: the fileinfo record of a stored file, written beside it when write-fileinfo is
 * on (<sha256>.<sec>.<file_id>.json). False when not written. */
bool app_layer_file_store_sidecar(const AppFile *f, int64_t sec, const char *json, size_t len);
/* True when the file store writes fileinfo sidecars (output builds the records then). */
bool app_layer_filestore_sidecars(void);
/* The file-store output is on (start-up, after the outputs are set up). */
bool app_layer_filestore_enabled(void);
/* Detect declares at rule build which file properties rules need (APP_FILE_F_MD5 ...);
 * eve fileinfo with hashes enabled asks for them too. */
void app_layer_files_need(uint32_t flags);

/* ---- engine ------------------------------------------------------------ */

/* Start-up: reads app-layer.*, libhtp.* and outputs' http/files settings from conf
 * (NULL: defaults), registers counters, flow storage and the stream subscriptions.
 * Returns 0 or VG_EINVAL (message names the key) / VG_ENOMEM. */
/* Reading capture files (pcap-file, unix-socket): limits measured in wall-clock time
 * (libhtp's decompression-time-limit) are off, so that the same capture gives the same
 * records on any machine and load; the byte limits stay. Call before app_layer_init. */
void app_layer_set_offline(bool offline);
bool app_layer_is_offline(void);
int app_layer_init(const struct Conf *conf) __attribute__((warn_unused_result));
/* After stream_init (which resets the subscriber list): subscribe to both directions. */
int app_layer_stream_attach(void) __attribute__((warn_unused_result));
/* Flow end (flow manager, shutdown), before detection's last pass and the flow record:
 * feeds nothing, forces every tx done. Caller holds f->lock or owns f. */
void app_layer_flow_end(Flow *f);
void app_layer_deinit(void);
/* The HTTP options (libhtp.default-config.*) as a part of the config schema. */
extern const struct ConfSchemaPart app_layer_http_conf_schema;
/* The counter set the calling thread's app-layer work counts into (the app-layer module
 * sets its thread's own). Threads that end flows without that module (the shutdown and
 * flow-manager paths) install one around the work, so what a flow's end counts does not
 * depend on which thread ended it. Returns the previous set. */
struct CounterSet;
struct CounterSet *app_layer_thread_counters_swap(struct CounterSet *cs);
/* --list-app-layer-protos */
void app_layer_list_protos_print(void);
/* True when protocol p runs over IP protocol ipproto (6 TCP, 17 UDP). */
bool app_proto_runs_over(AppProto p, uint8_t ipproto);
/* True when the protocol's parser runs (enabled: yes); detection-only: false. */
bool app_layer_proto_enabled(AppProto p);

#endif
