#ifndef VG_FLOW_FLOW_H
#define VG_FLOW_FLOW_H

/* Flow engine: the flow table (keyed hash, per-bucket locks), the flow pool,
 * timeouts, the flow manager pass, per-flow storage slots.
 *
 * Threads: flow_lookup_or_create/flow_release from packet threads (any
 * number); flow_manager_timeout_pass from one manager at a time (the
 * flow-manager thread, or the single thread between packets);
 * flow_table_new/free, flow_storage_register and flow_config_* at start-up
 * and shutdown only. Locking rules are in src/flow/README.md. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/packet-types.h"
#include "flow/flow-types.h"
#include "runtime/counters.h"

struct Conf;

/* Timeout classes: flow-timeouts.<default|tcp|udp|icmp>. */
typedef enum FlowProtoClass {
    FLOW_PROTO_DEFAULT = 0,
    FLOW_PROTO_TCP,
    FLOW_PROTO_UDP,
    FLOW_PROTO_ICMP,             // ICMPv4 and ICMPv6
    FLOW_PROTO_MAX,
} FlowProtoClass;

/* Seconds of inactivity after which a flow in a state ends. */
typedef struct FlowTimeouts {
    uint32_t new_sec;
    uint32_t established_sec;
    uint32_t closed_sec;
    uint32_t emerg_new_sec;
    uint32_t emerg_established_sec;
    uint32_t emerg_closed_sec;
    uint32_t bypassed_sec;           // a bypassed flow (FLOW_F_BYPASSED), whatever its state
    uint32_t emerg_bypassed_sec;
} FlowTimeouts;

/* Exception policies (flow-exception.c): what to do with a packet and its
 * flow when the engine cannot follow them normally (midstream pick-up,
 * memcap, app-layer error), as Suricata's exception-policy settings. */
typedef enum FlowExceptionPolicy {
    FLOW_EXC_NOT_SET = 0,            // neither the key nor the master switch: ignore
    FLOW_EXC_AUTO,                   // IPS: drop-flow (drop-packet without a flow); IDS: ignore
    FLOW_EXC_IGNORE,
    FLOW_EXC_DROP_PACKET,
    FLOW_EXC_DROP_FLOW,
    FLOW_EXC_PASS_PACKET,
    FLOW_EXC_PASS_FLOW,
    FLOW_EXC_BYPASS,
    FLOW_EXC_REJECT,
    FLOW_EXC_N,
} FlowExceptionPolicy;

typedef struct FlowConfig {
    uint64_t memcap_bytes;           // flow.memcap: flow structs + hash buckets
    uint32_t hash_size;              // flow.hash-size: rounded up to a power of two
    uint32_t prealloc;               // flow.prealloc: flows made at start, spare pool size
    uint32_t emergency_recovery_pct; // flow.emergency-recovery: leave emergency mode when
                                     // memuse < (100 - pct)% of memcap
    uint32_t mgr_slices;             // a manager pass walks hash_size / mgr_slices buckets
    bool recursion_tracking;         // decoder.recursion-level.use-for-tracking: the tunnel
                                     // depth is part of the key (a tunnel packet and a packet
                                     // with the same tuple at another depth are two flows)
    FlowTimeouts timeouts[FLOW_PROTO_MAX];
    FlowExceptionPolicy memcap_policy; // flow.memcap-policy (or exception-policy), unresolved
    /* Tests and benchmarks only: a fixed hash key instead of getrandom(). */
    bool use_fixed_hash_key;
    uint8_t hash_key[16];
} FlowConfig;

typedef struct FlowTable FlowTable;

/* Called for every flow that ends, with the flow locked and no longer in the
 * table; f->end_reason is set. The callee must not keep f or call into the
 * flow table: the flow is recycled when it returns. */
typedef void (*FlowEndCb)(Flow *f, FlowEndReason reason, void *user);

/* Statistics snapshot (tests, benchmarks, the stats thread). */
typedef struct FlowTableStats {
    uint64_t memuse_bytes;
    uint64_t memuse_peak_bytes;
    uint64_t memcap_bytes;
    uint64_t active;                 // flows in the hash
    uint64_t spare;                  // flows in the pool
    uint64_t allocs;                 // flow structs ever allocated (prealloc included)
    bool is_emergency;
} FlowTableStats;


enum {
    FLOW_EXC_F_FLOW_ONLY = 1u << 0,      // drop-packet and pass-packet make no sense here
    FLOW_EXC_F_IGNORE_OR_PASS = 1u << 1, // only ignore or pass-flow (midstream enabled)
};

/* Reads key (e.g. "stream.midstream-policy"), else the master switch
 * "exception-policy", into *out (auto when neither is set; ignore under
 * FLOW_EXC_F_IGNORE_OR_PASS). A
 * value the policy cannot take is an error naming the key (VG_EINVAL); from
 * the master switch it is adapted instead. Start-up only. */
int flow_exception_policy_load(const struct Conf *conf, const char *key, unsigned flags,
                               FlowExceptionPolicy *out) __attribute__((warn_unused_result));
int flow_exception_policy_parse(const char *key, const char *value, FlowExceptionPolicy *out)
    __attribute__((warn_unused_result));
/* The policy to apply in this mode: auto and the drops become ignore in IDS
 * mode; flow policies become packet ones without a flow. */
FlowExceptionPolicy flow_exception_policy_resolve(FlowExceptionPolicy pol, bool is_ips,
                                                  bool has_flow);
/* Applies a resolved policy to p and f (may be NULL; caller holds its lock):
 * drops set PKT_F_DROP with drop_reason (and FLOW_F_DROP for a flow drop;
 * reject also PKT_F_REJECT), passes set PKT_F_NOPACKET_INSPECT (and
 * FLOW_F_PASS, bypass also FLOW_F_BYPASSED). Returns false for ignore. */
bool flow_exception_apply(Flow *f, Packet *p, FlowExceptionPolicy pol, uint8_t drop_reason);
/* Local flow bypass, as Suricata's (the `bypass` keyword, encryption-handling
 * bypass, stream.bypass at depth, the bypass exception policy): the flow's
 * later packets only update its counters and flow_bypassed.local_pkts/_bytes;
 * stream, app-layer and detection skip them (PKT_F_BYPASS, set by the flow
 * stage) and inline they are accepted. The packet that asked is handled
 * whole. A flow dropped inline stays dropped. Caller holds f's lock. */
void flow_bypass(Flow *f);
/* The app layer found that f's first packet came from the server (a midstream pick-up
 * whose first data was a response): client and server trade places in the key (under
 * the bucket lock, so lookups see either whole key), in the packet and byte counters,
 * FIN flags and Ethernet addresses, as Suricata reverses such a flow. The caller swaps
 * the packet in hand (PKT_F_TOSERVER/TOCLIENT) and the TCP session. Caller holds
 * f->lock. */
void flow_swap_direction(Flow *f);
static inline bool flow_is_bypassed(const Flow *f)
{
    return (f->flags & FLOW_F_BYPASSED) != 0;
}

/* "drop_flow", "pass_packet", ...: counter and EVE spelling. */
const char *flow_exception_policy_name(FlowExceptionPolicy pol);
/* The policies applied to f, as the EVE flow record's "exception_policy"
 * array of {target, policy} (nothing when none was). Caller holds f's lock
 * or owns f (flow end). */
struct JsonBuf;
void flow_exception_record_write(const Flow *f, struct JsonBuf *jb);
/* Registers "<prefix>.<policy>" for every policy the exception can take
 * (flow_only: not the packet ones), as Suricata lists them, and returns the
 * counter of applied. Thread start-up. */
CounterId flow_exception_counters_register(const char *prefix, bool flow_only,
                                           FlowExceptionPolicy applied);

/* Configuration. Defaults are Suricata's (see README.md). flow_config_load
 * starts from the defaults and applies flow.* and flow-timeouts.* from conf;
 * on a malformed or out-of-range value it logs "file:line: key: problem" and
 * returns VG_EINVAL. */
void flow_config_defaults(FlowConfig *cfg);
int flow_config_load(FlowConfig *cfg, const struct Conf *conf) __attribute__((warn_unused_result));

/* Table. flow_table_new registers the flow.* counters, seeds the hash key
 * (getrandom) and preallocates cfg->prealloc flows; NULL (with an error
 * logged) when the hash alone does not fit the memcap or memory runs out.
 * flow_table_free frees remaining flows without callbacks: call
 * flow_table_end_all first when records are wanted. */
FlowTable *flow_table_new(const FlowConfig *cfg) __attribute__((warn_unused_result));
void flow_table_free(FlowTable *ft);

/* Flows that the packet path ends (evicted under memcap pressure) are handed
 * to cb with reason FLOW_END_FORCED or FLOW_END_TIMEOUT, in the packet thread.
 * Set at start-up. Without it they are recycled silently (still counted). */
void flow_table_set_end_cb(FlowTable *ft, FlowEndCb cb, void *user);
/* Frees f->protoctx when a flow is recycled (the stream engine sets it). */
void flow_table_set_protoctx_free(FlowTable *ft, void (*free_fn)(void *));

/* The packet path. Finds or creates the flow of p and returns it locked with a
 * reference held; sets p->flow, p->flow_hash and PKT_F_TOSERVER/TOCLIENT;
 * updates counters, last seen and state. An ICMP error whose embedded packet
 * belongs to a known flow gets that flow. A flow idle past its timeout at the
 * packet's clock (flow_packet_clock) ends first (timeout) and p starts a new
 * one; if packets of it are still in flight, it ends when the last of them
 * drops its reference. Flows are ended (end callback) with no bucket lock
 * held. A new flow belongs to owner (the calling thread's id): when the
 * owner's flows fill its share of the memcap (flow_table_set_owners), its
 * least recently used flow ends first (forced, or timeout when expired
 * under the emergency timeouts; once its last packet in flight is done if
 * it is in use). NULL (p->flow = NULL) for non-IP packets and when the
 * share holds no flow at all (counted in flow.memcap). cs is the calling
 * thread's counter set (may be NULL). */
Flow *flow_lookup_as(FlowTable *ft, CounterSet *cs, uint32_t owner, Packet *p);
/* flow_lookup_as; *is_refused (may be NULL) tells a packet left without a
 * flow by the memcap (or out of memory) from one that has none (non-IP).
 * With is_refused, the caller counts a refusal (flow_table_count_refused):
 * the thread that steers tunnel packets does not, as the flow stage looks
 * the packet up again and counts it then, as the single runmode does once. */
Flow *flow_lookup_full(FlowTable *ft, CounterSet *cs, uint32_t owner, Packet *p,
                       bool *is_refused);
/* Counts a packet left without a flow by the memcap in cs (flow.memcap). */
void flow_table_count_refused(const FlowTable *ft, CounterSet *cs);
/* flow_lookup_as for owner 0 (one packet thread, tests). */
Flow *flow_lookup_or_create(FlowTable *ft, CounterSet *cs, Packet *p);
/* The number of threads that create flows (each flow thread, and each thread
 * that steers packets to them: it looks up the flows that carry tunnels);
 * the memcap is split evenly between them. Default 1. Called before packets
 * flow (threads may call it as they start, all with the same n). */
void flow_table_set_owners(FlowTable *ft, uint32_t n);
/* On a capture file read with packet order on (runtime-order.h): one share,
 * the whole memcap, for every thread, decided in packet order. The flow
 * stage asks flow_table_wants_order before each packet and, when it says so,
 * waits (runtime_order_wait) before it touches the table, so that whenever
 * the memcap decides (a full share, emergency mode and its passes, which
 * flow ends) every earlier packet is done and no later one has been looked
 * up: the decisions are those the single runmode takes. Start-up only. */
void flow_table_set_ordered(FlowTable *ft, bool on);
/* Whether the packet the caller is at must wait for every earlier packet
 * before it touches the table: ordered, and either in emergency mode or
 * near the memcap: the flows linked now plus those window_pkts packets read
 * before it (and not yet released) may create reach it. */
bool flow_table_wants_order(const FlowTable *ft, uint64_t window_pkts);
/* One share in emergency mode: whether a pass is due at now_sec (a new
 * second of packet time), claimed by the caller when true. */
bool flow_table_emergency_pass_due(FlowTable *ft, int64_t now_sec);
/* One share in emergency mode, the first packet of each new second of packet
 * time: ends every flow expired under the emergency timeouts, then leaves
 * emergency mode if the flows fell below the recovery mark. Packet order (as
 * flow_table_set_ordered) or one thread. */
void flow_table_emergency_pass(FlowTable *ft, int64_t now_sec, CounterSet *cs);
/* Whether owner's flows fill its share (it evicts, uses the emergency
 * timeouts and passes every new second). */
bool flow_table_owner_is_emergency(const FlowTable *ft, uint32_t owner);
/* Unlock f and drop the reference taken by flow_lookup_or_create. */
void flow_release(Flow *f);
/* Drop a reference without the flow lock (a packet done with its flow). A
 * flow that timed out while in use ends here, in the caller's thread, when
 * its last reference goes (through the table's end callback). */
void flow_ref_drop(Flow *f);
/* The direction-independent hash flow_lookup_or_create uses (0 for non-IP). */
uint32_t flow_hash_packet(const FlowTable *ft, const Packet *p);

/* Caller holds f's lock. Once called, the flow engine leaves the state to the
 * caller (the stream engine). */
void flow_set_state(Flow *f, FlowState state);
/* The stream engine is in the pipeline (its thread init says so): TCP flows'
 * state is its alone, as in Suricata; a TCP flow it keeps no session for
 * (no handshake seen, midstream off) stays new whatever its flags. Without
 * it the flow engine moves TCP flows by their flags (RST, both FINs). */
void flow_tcp_state_by_stream(bool yes);

/* The flow manager. Walks the next slice of the hash (a full pass every
 * cfg->mgr_slices calls, every call in emergency mode), ends flows idle past
 * their timeout at now_sec and not in use, hands each to cb (may be NULL)
 * with FLOW_END_TIMEOUT and recycles it. Owners whose flows have fallen
 * below the recovery mark leave emergency mode (live input only: offline,
 * each owner does that itself). Returns the number of flows ended. One caller at a time
 * (serialised internally). */
uint32_t flow_manager_timeout_pass(FlowTable *ft, int64_t now_sec, FlowEndCb cb, void *user);
/* A flow thread's pass (flow-pinned runmodes, offline): walks the whole hash
 * and ends the idle flows owned by thread owner (Flow.thread_id, set by the
 * flow module) that no other thread touched and that are expired at now_sec,
 * in first-packet order, through the table's end callback
 * (flow_table_set_end_cb); counters go to cs (the caller's set, may be NULL).
 * now_sec must not be ahead of the clock of any packet still to come for
 * those flows: a flow thread passes the clock of the packet it is at.
 * Threads may run their passes at the same time. Returns the number ended. */
uint32_t flow_manager_owned_pass(FlowTable *ft, uint32_t owner, int64_t now_sec, CounterSet *cs);
/* The clock flow timeouts use for p: the engine clock when p (or its root)
 * was read, or p's own time when that is later or unset. */
int64_t flow_packet_clock(const Packet *p);
/* End of a capture: every flow ends, as a timeout when it is expired at
 * now_sec (the last packet time), else as shutdown; in first-packet order.
 * Same conditions as flow_table_end_all. Returns the number ended. */
uint64_t flow_table_end_all_at(FlowTable *ft, int64_t now_sec, FlowEndCb cb, void *user);
/* End every flow in the table with reason (shutdown at end of capture).
 * No packet may hold a flow (flows still referenced are skipped).
 * Returns the number of flows ended. */
uint64_t flow_table_end_all(FlowTable *ft, FlowEndReason reason, FlowEndCb cb, void *user);

void flow_table_get_stats(const FlowTable *ft, FlowTableStats *out);
/* flow.memcap now (memcap-list). Any thread. */
uint64_t flow_table_memcap(const FlowTable *ft);
/* memcap-set flow: a new flow.memcap while packets flow; each owner's share
 * follows (an owner above it evicts down to it as at the memcap). VG_EINVAL
 * when it would not hold the flow hash, VG_ERANGE when below the memory in
 * use now (nothing changed). Any thread. */
int flow_table_set_memcap(FlowTable *ft, uint64_t bytes);
/* Whether any owner is in emergency mode. */
bool flow_table_is_emergency(const FlowTable *ft);
/* Seconds of inactivity after which f ends, in its owner's current mode.
 * Caller holds f's lock. */
uint32_t flow_timeout_sec(const FlowTable *ft, const Flow *f);

/* Per-flow storage: slots registered by name at start-up (before the table
 * is used). free_fn (may be NULL) is called on a non-NULL slot value when the
 * flow is recycled. Returns the slot id (>= 0), VG_EEXIST for a duplicate
 * name, VG_ERANGE when FLOW_STORAGE_MAX slots are taken. */
int flow_storage_register(const char *name, void (*free_fn)(void *));
/* Slot id by name, or VG_ENOENT. */
int flow_storage_find(const char *name);
/* Caller holds f's lock. set does not free the previous value. */
void *flow_storage_get(const Flow *f, int id);
void flow_storage_set(Flow *f, int id, void *value);
/* Forget all registrations (tests, end of run). */
void flow_storage_reset(void);

/* Record helpers for outputs. */
int64_t flow_age_sec(const Flow *f);   // last seen - first seen
const char *flow_state_name(FlowState state);
const char *flow_end_reason_name(FlowEndReason reason);

#endif
