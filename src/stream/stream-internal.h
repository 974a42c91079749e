#ifndef VG_STREAM_STREAM_INTERNAL_H
#define VG_STREAM_STREAM_INTERNAL_H

/* Internal to src/stream/ and its tests. Offsets ("off") count bytes of one
 * direction from its first data byte (ISN + 1, or the first seen byte of a
 * picked-up session) in 64 bits, so sequence wrap-around never matters past
 * the conversion in stream_seq_to_off(). */

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "stream/stream.h"

#define STREAM_POLICY_OLD_SOLARIS STREAM_POLICY_MAX   // name alias, behaves as "first"
#define STREAM_DEFAULT_OVERLAP 255u                   // when detection declared nothing
#define STREAM_CHUNK_FLOOR 64u                        // smallest IDS chunk for a port
#define STREAM_MAX_CHUNK 65535u

/* Sequence arithmetic (RFC 793 section 3.3: modulo 2^32). */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}
static inline bool seq_leq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}
static inline bool seq_geq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}

/* A run of stored bytes [start, end) and the extent [ostart, oend) of the
 * segment whose data those bytes currently hold (the overlap policies
 * compare a new segment with that extent). Runs never overlap; they are kept
 * in a treap ordered by start. */
typedef struct StreamRun {
    uint64_t start;
    uint64_t end;
    uint64_t ostart;
    uint64_t oend;
    uint32_t prio;
    struct StreamRun *left;
    struct StreamRun *right;
} StreamRun;

enum {
    STREAM_F_FIN = 1u << 0,          // this side sent a FIN (fin_seq valid)
    STREAM_F_RST = 1u << 1,          // this side sent a valid RST
    STREAM_F_DEPTH = 1u << 2,        // reassembly depth reached
    STREAM_F_NOREASM = 1u << 3,      // memcap hit: no more reassembly for this direction
    STREAM_F_WSCALE = 1u << 4,       // this side sent a window scale option
    STREAM_F_TS = 1u << 5,           // this side sent timestamps in its SYN
    STREAM_F_EOF_DONE = 1u << 6,     // EOF delivered to inspection and subscribers
    STREAM_F_GAP_PENDING = 1u << 7,  // the next delivered piece follows missing data
    STREAM_F_SEEN = 1u << 8,         // at least one packet from this side
    STREAM_F_ACK_SEEN = 1u << 9,     // last_ack is set (the peer acked something)
    STREAM_F_DEPTH_EV = 1u << 10,    // depth event raised
    STREAM_F_NO_DEPTH = 1u << 11,    // the app layer lifted the depth (SMB: files)
};

/* One direction: the data one side sends and what the peer tells about it. */
/* Furthest a segment may reach beyond the delivered data of its direction
 * (bytes). Larger gaps are refused segment by segment (tcp.segment_memcap_drop). */
#define STREAM_MAX_AHEAD_BYTES ((uint64_t)16 << 20)

typedef struct TcpStream {
    uint32_t isn;
    uint32_t base_seq;           // sequence number of offset 0
    uint32_t next_seq;           // right edge of what this side sent
    uint32_t last_ack;           // highest ack from the peer for this data
    uint32_t window;             // the peer's receive window for this data, scaled
    uint32_t fin_seq;            // sequence number of this side's FIN
    uint32_t last_ts;            // newest TSval from this side
    uint16_t flags;              // STREAM_F_*
    uint8_t wscale;              // shift this side applies to the windows it advertises
    uint8_t policy;              // StreamPolicy of the host receiving this data
    uint8_t tcp_flags;           // TH_* seen from this side
    /* reassembly */
    StreamRun *runs;
    uint32_t n_runs;
    uint8_t *buf;                // bytes of offsets [buf_base, buf_base + buf_cap)
    uint64_t buf_base;
    uint32_t buf_cap;
    uint64_t insp_off;           // delivered (inspected) up to here
    uint64_t ovl_avail;          // contiguous delivered bytes ending at insp_off
    uint64_t stored_end;         // highest offset stored + 1
    uint64_t sub_off;            // handed to subscribers up to here (>= insp_off)
    uint64_t ooo_start;          // inline: stored data beyond a hole, already inspected
    uint64_t ooo_end;            // with the packets that brought it ([start, end); 0: none)
    uint64_t depth_bytes;        // 0: stream.reassembly.depth; else raised for this flow
                                 // (stream_flow_raise_depth)
    void *sub_ctx[STREAM_MAX_SUBSCRIBERS];
} TcpStream;

typedef enum TcpState {
    TCP_NONE = 0,
    TCP_SYN_SENT,
    TCP_SYN_RECV,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT1,
    TCP_FIN_WAIT2,
    TCP_TIME_WAIT,
    TCP_LAST_ACK,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_CLOSED,
} TcpState;

enum {
    SSN_F_MIDSTREAM = 1u << 0,
    SSN_F_ASYNC = 1u << 1,           // only one direction is seen
    SSN_F_4WHS = 1u << 2,            // simultaneous open
    SSN_F_TS = 1u << 3,              // both sides use timestamps
    SSN_F_WSCALE = 1u << 4,          // both sides scale windows
    SSN_F_SERVER_CLOSED_FIRST = 1u << 5,
    SSN_F_EST_REPORTED = 1u << 6,
    SSN_F_RAW_CHUNKED = 1u << 7,     // the app layer's parser does not ask for raw
                                     // inspection per message (stream_flow_raw_chunked)
    SSN_F_TFO = 1u << 8,             // the SYN carried a TCP Fast Open option
};

/* The session: f->protoctx of a TCP flow. streams[0] is the data of the
 * flow's client (PKT_F_TOSERVER packets), streams[1] the server's. */
typedef struct TcpSession {
    TcpStream streams[2];
    uint8_t state;               // TcpState
    uint8_t tcp_flags;           // TH_* seen either way
    uint16_t flags;              // SSN_F_*
    uint16_t server_port;        // chunk sizes are chosen by it
    uint32_t thread_id;          // the packet thread that created it
    uint32_t synack_ack;         // ack of the first SYN/ACK (resend checks)
    uint32_t synack_seq;
    uint8_t init_dir;            // index of the stream whose side sent the first SYN
    uint8_t closer_dir;          // index of the side that sent the first FIN
} TcpSession;

/* Configuration and global state (stream-config.c). Written at start-up. */
/* The stream engine's exception policies (flow-exception.c). */
typedef enum StreamException {
    STREAM_EXC_MIDSTREAM = 0,    // stream.midstream-policy
    STREAM_EXC_SSN_MEMCAP,       // stream.memcap-policy
    STREAM_EXC_REASM_MEMCAP,     // stream.reassembly.memcap-policy
    STREAM_EXC_N,
} StreamException;

/* stream.reassembly.urgent.policy: what becomes of the data of a packet with
 * the URG flag. */
typedef enum StreamUrgentPolicy {
    STREAM_URG_INLINE = 0,       // ordinary in-band data (the default)
    STREAM_URG_DROP,             // inline: the packet is dropped ("stream urgent"),
                                 // its data never reaches the stream
    STREAM_URG_GAP,              // the packet's data is left out of the stream (a gap)
} StreamUrgentPolicy;

typedef struct StreamConfig {
    uint64_t memcap_bytes;
    uint64_t reasm_memcap_bytes;
    uint64_t depth_bytes;        // 0: unlimited
    uint32_t chunk_bytes[2];     // STREAM_DIR_*
    bool midstream;
    bool async_oneside;
    bool checksum_validation;
    bool bypass;                 // stream.bypass: bypass a session at depth both ways
    int inline_mode;             // -1 auto, 0 no, 1 yes
    uint8_t urgent_policy;       // StreamUrgentPolicy: stream.reassembly.urgent.policy
    FlowExceptionPolicy exc[STREAM_EXC_N]; // the exception policies (or exception-policy)
    uint64_t sim_ssn_memcap_pkt;   // test hook: no session at this pcap_cnt (0: off)
    uint64_t sim_reasm_memcap_pkt; // test hook: reassembly memcap at this pcap_cnt (0: off)
} StreamConfig;

extern StreamConfig g_stream_cfg;

/* Reassembly depth of s (0: unlimited): stream.reassembly.depth unless the app layer
 * lifted it (STREAM_F_NO_DEPTH) or raised it for the flow (depth_bytes). */
static inline uint64_t stream_depth_of(const TcpStream *s)
{
    if (s->flags & STREAM_F_NO_DEPTH) {
        return 0;
    }
    return s->depth_bytes != 0 ? s->depth_bytes : g_stream_cfg.depth_bytes;
}

/* Memory accounting (atomics; any thread). Charge returns false (and charges
 * nothing) when the memcap would be exceeded. */
bool stream_mem_charge_ssn(uint64_t bytes);
void stream_mem_release_ssn(uint64_t bytes);
bool stream_mem_charge_reasm(uint64_t bytes);
void stream_mem_release_reasm(uint64_t bytes);
bool stream_is_inline(void);

/* Policy of the host at addr (host-os-policy; default when not listed). */
StreamPolicy stream_policy_for(const VgAddr *addr);
int stream_policy_load(const struct Conf *conf) __attribute__((warn_unused_result));
void stream_policy_free(void);
/* Whether the new segment's bytes replace the old ones where they overlap
 * (target-based policies, see stream-policy.c for the sources). */
bool stream_policy_new_wins(StreamPolicy pol, uint64_t new_start, uint64_t new_end,
                            uint64_t old_start, uint64_t old_end);

/* Per-thread state. */
typedef enum StreamCounter {
    SC_SESSIONS = 0,
    SC_SSN_MEMCAP_DROP,
    SC_PSEUDO,
    SC_INVALID_CHECKSUM,
    SC_SYN,
    SC_SYNACK,
    SC_RST,
    SC_MIDSTREAM_PICKUPS,
    SC_WRONG_THREAD,
    SC_SEGMENT_MEMCAP_DROP,
    SC_DEPTH_REACHED,
    SC_REASSEMBLY_GAP,
    SC_OVERLAP,
    SC_OVERLAP_DIFF_DATA,
    SC_INSERT_FAIL,
    SC_MEMUSE,
    SC_REASM_MEMUSE,
    SC_URG,                      // packets with the URG flag
    SC_COUNT,
} StreamCounter;

/* Applies exception e's policy to p and its flow (lock held), counted;
 * nothing when the flow is dropped already. */
void stream_exception(StreamThread *st, Flow *f, Packet *p, StreamException e);

struct StreamThread {
    CounterSet *counters;        // NULL in some tests: then nothing is counted
    CounterId cid[SC_COUNT];
    DecodeThreadCtx dtv;         // to raise stream.* events on packets
    uint32_t thread_id;
    /* Exception policies resolved for the engine's mode (stream_thread_set_mode)
     * and their counters, exception_policy.tcp.<target>.<policy>. */
    FlowExceptionPolicy exc[STREAM_EXC_N];
    CounterId c_exc[STREAM_EXC_N];
    bool is_ips;                 // stream_thread_set_mode: the engine runs inline
};

/* Resolves the exception policies for IPS or IDS mode and registers their
 * counters; the stream thread module calls it at thread start. */
void stream_thread_set_mode(StreamThread *st, bool is_ips);

void stream_count(StreamThread *st, StreamCounter c);
void stream_event(StreamThread *st, Packet *p, DecodeEvent ev);
void stream_register_counters(void);

/* Sessions (stream-tcp.c). */
TcpSession *stream_session_new(StreamThread *st, const Packet *p);
void stream_session_free(void *ssn);
void stream_track(StreamThread *st, Flow *f, Packet *p);

/* Reassembly (stream-reassemble.c). Inserts [seq, seq+len) of data into s,
 * applying s->policy to overlaps, the depth and the memcap. p receives events
 * (may be NULL). Returns 0, or VG_ENOMEM when the memcap refused it. */
int stream_reasm_insert(StreamThread *st, Packet *p, TcpStream *s, uint32_t seq,
                        const uint8_t *data, uint32_t len);
uint64_t stream_seq_to_off(const TcpStream *s, uint32_t seq);
/* Length of the stored contiguous run starting at off (0 when off is not stored). */
uint64_t stream_reasm_run_len(const TcpStream *s, uint64_t off);
/* First stored offset >= off, or UINT64_MAX. */
uint64_t stream_reasm_next_stored(const TcpStream *s, uint64_t off);
const uint8_t *stream_reasm_ptr(const TcpStream *s, uint64_t off);
/* Forget stored data below off (never above insp_off minus the overlap kept). */
void stream_reasm_prune(TcpStream *s, uint64_t off);
void stream_reasm_free(TcpStream *s);
/* Frees the ended runs kept for reuse by all threads (stream_deinit). */
void stream_reasm_depot_free(void);
/* Forget every byte stored for s (nothing of it may have been delivered):
 * a SYN's Fast Open data the server did not take. */
void stream_reasm_forget(TcpStream *s);

/* Inspection (stream-inspect.c): sets the packet view after tracking. */
void stream_inspect_packet(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p);
/* Before tracking a packet: drop data no view can still need. */
void stream_inspect_prepare(TcpSession *ssn);
uint32_t stream_chunk_size(uint16_t port, uint8_t dir);
uint32_t stream_overlap_size(uint16_t port, uint8_t dir);
void stream_chunks_reset(void);
void stream_subscribers_reset(void);

#endif
