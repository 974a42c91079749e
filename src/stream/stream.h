#ifndef VG_STREAM_STREAM_H
#define VG_STREAM_STREAM_H

/* The TCP stream engine: one session per TCP flow (f->protoctx), state
 * tracking, target-based reassembly, and the views of reassembled data that
 * detection and subscribers inspect.
 *
 * Threads: stream_init/stream_deinit, stream_declare_need, stream_set_min_chunk
 * and stream_subscribe at start-up only. Everything taking a Flow is called by the packet thread
 * that owns the flow, with f->lock held. Details: src/stream/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "decode/packet-types.h"
#include "flow/flow-types.h"
#include "runtime/counters.h"
#include "util/util-json.h"

struct Conf;
struct ConfSchemaPart;

/* stream.* keys as part of the configuration schema (conf/conf.h). */
extern const struct ConfSchemaPart stream_conf_schema;
struct FlowTable;

/* p->stream_flags. The low 16 bits are flags; the high 16 bits hold how many
 * leading bytes of p->stream_data were already inspected with an earlier
 * packet (the overlap kept so that a pattern spanning a chunk boundary is
 * found): use stream_data_overlap(p). */
enum {
    PKT_STREAM_TOSERVER = 1u << 0,   // stream_data is client->server data (else server->client)
    PKT_STREAM_GAP = 1u << 1,        // data is missing before this chunk (after the overlap)
    PKT_STREAM_EOF = 1u << 2,        // last data of this direction (FIN, RST, flow end)
    PKT_STREAM_INLINE = 1u << 3,     // inline view: unacknowledged data, this packet's direction
    PKT_STREAM_EST = 1u << 4,        // the session is established (3WHS done or picked up)
    PKT_STREAM_DEPTH = 1u << 5,      // reassembly depth reached in this direction
    PKT_STREAM_ADDED = 1u << 6,      // this packet's payload went into its direction's
                                     // reassembly: a stream view covers (or will cover) it
    PKT_STREAM_WINDOW = 1u << 7,     // inline window: the view ends with the new data and
                                     // begins up to a chunk earlier with data inspected
                                     // before; it is inspected whole (no overlap)
};
#define PKT_STREAM_OVERLAP_SHIFT 16u
#define PKT_STREAM_OVERLAP_MAX 0xffffu

static inline uint32_t stream_data_overlap(const Packet *p)
{
    return p->stream_flags >> PKT_STREAM_OVERLAP_SHIFT;
}

/* Directions for chunk sizes and subscriptions. */
enum { STREAM_DIR_TOSERVER = 0, STREAM_DIR_TOCLIENT = 1 };

/* Reassembly overlap policies (host-os-policy names). */
typedef enum StreamPolicy {
    STREAM_POLICY_BSD = 0,           // the default
    STREAM_POLICY_FIRST,
    STREAM_POLICY_LAST,
    STREAM_POLICY_BSD_RIGHT,
    STREAM_POLICY_LINUX,
    STREAM_POLICY_OLD_LINUX,
    STREAM_POLICY_WINDOWS,
    STREAM_POLICY_WINDOWS2K3,
    STREAM_POLICY_VISTA,
    STREAM_POLICY_SOLARIS,
    STREAM_POLICY_HPUX10,
    STREAM_POLICY_HPUX11,
    STREAM_POLICY_IRIX,
    STREAM_POLICY_MACOS,
    STREAM_POLICY_MAX,
} StreamPolicy;

/* "bsd" ... ; NULL when out of range. */
const char *stream_policy_name(StreamPolicy pol);
/* Policy by host-os-policy name ("old-linux", "windows2k3"...); false if unknown. */
bool stream_policy_by_name(const char *name, StreamPolicy *out);
/* Policy of the host at addr (host-os-policy, longest prefix; the default
 * when not listed). Read-only after stream_init: any thread. */
StreamPolicy stream_policy_for(const VgAddr *addr);

/* Start-up: reads stream.* and host-os-policy from conf (NULL: defaults),
 * registers the tcp.* counters, and makes ft free sessions with their flows
 * (ft may be NULL in tests). Returns 0, or VG_EINVAL (a message names the bad
 * key) / VG_ENOMEM. stream_deinit forgets everything (sessions must be gone). */
int stream_init(const struct Conf *conf, struct FlowTable *ft) __attribute__((warn_unused_result));
void stream_deinit(void);
/* stream.memcap (is_reasm false) or stream.reassembly.memcap now, and the
 * bytes charged to it in *memuse (may be NULL). Any thread. */
uint64_t stream_memcap_get(bool is_reasm, uint64_t *memuse);
/* memcap-set: a new memcap, effective at the next charge of any thread;
 * VG_ERANGE (nothing changed) when below the bytes charged now. */
int stream_memcap_set(bool is_reasm, uint64_t bytes);
/* Inline (IPS) mode: --simulate-ips or NFQUEUE; set at start-up. */
void stream_set_inline(bool is_inline);

/* Detection declares, per server port, how many bytes a signature needs to
 * see in one piece (longest pattern, or offset + depth): the overlap
 * re-inspected before each chunk of that port is bytes - 1. The chunk size
 * stays the configured one (Suricata's raw inspection points).
 * stream_set_min_chunk also lowers the chunks of that port to bytes (never
 * below 64; tests use it to inspect short payloads). port 0 = every port. dir
 * is STREAM_DIR_*. Start-up only. */
void stream_declare_need(uint16_t port, uint8_t dir, uint32_t bytes);
/* Detection has transaction rules with payload keywords: every stream keeps
 * its direction's chunk size of data before the inspected edge, for
 * stream_flow_window. Start-up (or a reload: it only ever turns on). */
void stream_declare_tx_window(void);
/* The payload window of a transaction rule (Suricata's stream inspection
 * inside transaction inspection: the raw chunk around the data the app layer
 * has parsed): the contiguous reassembled data of direction dir (STREAM_DIR_*)
 * ending where the app layer or inspection has got to, at most the chunk size
 * of that direction back, not across a gap. False (nothing) without a session
 * or data. The pointer is valid until the next packet of f. Caller holds
 * f->lock. */
bool stream_flow_window(const Flow *f, uint8_t dir, const uint8_t **data, uint32_t *len);
void stream_set_min_chunk(uint16_t port, uint8_t dir, uint32_t bytes);

/* Per-thread state of the stream stage (counters, event raising). */
typedef struct StreamThread StreamThread;
StreamThread *stream_thread_new(CounterSet *cs) __attribute__((warn_unused_result));
void stream_thread_free(StreamThread *st);

/* The packet path: track p in its flow's session, reassemble its data, and
 * set p->stream_data/len/flags to what became inspectable. p->flow must be
 * set and locked by the caller. Packets outside TCP are ignored. */
void stream_packet(StreamThread *st, Packet *p);

/* Flow end (timeout, shutdown, eviction): call inspect with the data not yet
 * inspected, each direction in order (flags carry PKT_STREAM_* with EOF set on
 * the last piece of each direction and the overlap in the high bits), then
 * notify subscribers of the close. Returns the number of inspect calls. The
 * data pointer is valid during the call only. Caller holds f->lock. */
int stream_flow_end_flush(Flow *f,
                          void (*inspect)(const uint8_t *data, uint32_t len, uint32_t flags,
                                          void *user),
                          void *user);

/* The "tcp" object of EVE flow records (Suricata's fields). Nothing is
 * written for flows without a session. Caller holds f->lock or owns f. */
void stream_flow_record(const Flow *f, JsonBuf *jb);
/* EVE netflow's "tcp" object: the flags one direction sent (nothing
 * without a session). */
void stream_netflow_record(const Flow *f, JsonBuf *jb, bool to_client);

/* Session state names as EVE prints them ("established", "closed"...). */
const char *stream_state_name(const Flow *f);

/* The stream API: a consumer subscribes (start-up) to a direction and is
 * called for every session with each new in-order piece of data, exactly
 * once and in order, like recv(); with a gap notice (STREAM_NOTE_GAP, data
 * NULL, len = the number of missing bytes, at most UINT32_MAX per notice) where
 * data is missing, and a close notice (STREAM_NOTE_CLOSE)
 * once per direction. Bytes handed out are never rewritten by later
 * overlapping segments. ctx is a per-subscriber, per-direction slot in the
 * session the callback may use (freed by nobody: keep it in flow storage if it
 * needs freeing). In IDS mode pieces come once acknowledged; inline once in
 * order. Called with f->lock held from the packet thread. */
enum { STREAM_NOTE_DATA = 0, STREAM_NOTE_GAP = 1, STREAM_NOTE_CLOSE = 2 };
typedef void (*StreamRecvFn)(Flow *f, uint8_t dir, int note, const uint8_t *data, uint32_t len,
                             void *user);
/* Returns a subscriber id >= 0, or VG_ERANGE when STREAM_MAX_SUBSCRIBERS are taken. */
#define STREAM_MAX_SUBSCRIBERS 8
int stream_subscribe(uint8_t dir, StreamRecvFn fn, void *user);

/* The EVE payload of a stream alert: the stored data of one direction
 * (toserver: the flow client's), oldest first, "[N bytes missing]" written
 * where data is missing. Copies at most cap bytes into out; returns the
 * length. Caller holds f->lock. */
uint32_t stream_log_payload(const Flow *f, bool toserver, uint8_t *out, uint32_t cap);

/* Sequence space each side has used so far (next_seq - ISN, the SYN and
 * FIN included, as Suricata's stream_size counts it): client is the flow
 * client's. False without a session. Caller holds f->lock. */
bool stream_seq_sizes(const Flow *f, uint32_t *client, uint32_t *server);

/* The flow state a packet of f sees once the stream engine handled it:
 * the flow's, except that a session closing down (a FIN sent) is no longer
 * established for flow:established. Caller holds f->lock. */
uint8_t stream_packet_flow_state(const Flow *f);

/* The app layer lifts the reassembly depth of f's streams that have not reached it
 * yet (protocols whose files must be whole, as Suricata's SMB stream-depth 0).
 * Caller holds f->lock. */
void stream_flow_unlimit_depth(Flow *f);
/* The same to depth_bytes (0: unlimited) where that is more than a stream has (the
 * file store's stream-depth for flows whose files are stored, as Suricata). Caller holds
 * f->lock. */
void stream_flow_raise_depth(Flow *f, uint64_t depth_bytes);
/* Whether f's TCP session was picked up midstream (stream.midstream). Caller holds
 * f->lock. */
bool stream_flow_is_midstream(const Flow *f);
/* The session's sides trade places (the app layer reverses a midstream flow whose first
 * data was the server's, with flow_swap_direction): what was the client's stream is the
 * server's. Not while the stream engine is handing out data of f. Caller holds f->lock. */
void stream_flow_swap(Flow *f);

/* The app layer's parser of f does not ask for raw inspection at every message it
 * completes (Suricata's SMB and DCERPC parsers do not): raw data of f waits for a
 * chunk or the session closing, as for flows of unknown protocols. Caller holds
 * f->lock. */
void stream_flow_raw_chunked(Flow *f);

/* Plugin stream consumers (stream-plugin.c): after stream_init, subscribe
 * each consumer plugins registered (flow storage slot, directions). 0 or
 * VG_ERANGE (message names the consumer). */
int stream_plugin_attach(void) __attribute__((warn_unused_result));
/* Their objects in the flow record of f. Caller holds f->lock or owns f. */
void stream_plugin_flow_record(const Flow *f, JsonBuf *jb);

/* Memory charged right now (tests, stats). */
uint64_t stream_memuse(void);
uint64_t stream_reassembly_memuse(void);

#endif
