#ifndef VG_FLOW_FLOW_INTERNAL_H
#define VG_FLOW_FLOW_INTERNAL_H

/* Flow engine internals: shared by src/flow/ and its tests only. */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow/flow.h"

/* One hash bucket: a spinlock (held only to walk or change the chain, never
 * while waiting for a flow lock) and the chain head. 16 bytes. */
typedef struct FlowBucket {
    pthread_spinlock_t lock;
    _Atomic uint32_t n_flows;        // written under lock; read without it as an emptiness hint
    Flow *head;
} FlowBucket;

/* Adds delta (+1 or -1) to the flows of bucket b (locked by the caller) and keeps its
 * bit in ft->nonempty. */
struct FlowTable;
void flow_bucket_count(struct FlowTable *ft, FlowBucket *b, int delta);

/* The flows one thread created. In the flow-pinned runmodes that thread
 * alone looks them up, in capture order, so everything decided here (its
 * share of the memcap, which of its flows is least recently used, its
 * emergency mode) follows its own packets, never the other threads' pace
 * or the random hash key. */
typedef struct FlowOwner {
    pthread_spinlock_t lock;         // guards lru_head/lru_tail and its flows' lru links
    Flow *lru_head;                  // least recently used: its last packet came first
    Flow *lru_tail;
    _Atomic uint32_t n_flows;        // its flows linked in the hash (changed under lock)
    _Atomic bool is_emergency;       // at its share; changed by the owner (offline)
} FlowOwner;

#define FLOW_OWNERS_MAX 256          // Flow.owner is a thread id (uint8_t)

/* Counter ids, registered at flow_table_new. */
typedef struct FlowCounterIds {
    CounterId total, active, tcp, udp, icmpv4, icmpv6, memuse, spare, memcap;
    CounterId emerg_entered, emerg_over;
    CounterId full_hash_pass, flows_checked, flows_timeout, flows_evicted, flows_notimeout;
} FlowCounterIds;

struct FlowTable {
    FlowConfig cfg;
    uint32_t mask;                   // hash_size - 1
    uint8_t hash_key[16];            // SipHash key: written at start-up only
    FlowBucket *buckets;
    _Atomic uint64_t *nonempty;      // bit per bucket holding flows (flow_bucket_count): whole-
                                     // table passes visit these words, not every bucket
    FlowCounterIds ids;

    /* pool: free list of spare flows */
    pthread_mutex_t pool_lock;
    bool pool_inited;            // pool_lock initialised (flow_table_new may fail earlier)
    Flow *pool_head;
    uint32_t pool_len;               // guarded by pool_lock

    _Atomic uint64_t memuse;         // flow structs + buckets, bytes
    _Atomic uint64_t memuse_peak;
    _Atomic uint64_t allocs;
    _Atomic uint64_t active;         // flows linked in the hash
    _Atomic uint64_t room_flows;     // flows the memcap holds beside the hash (memcap-set)
    _Atomic uint64_t memcap_bytes;   // flow.memcap now: cfg's, or memcap-set's
    FlowOwner *owners;               // FLOW_OWNERS_MAX, indexed by Flow.owner
    _Atomic uint32_t n_owners;       // threads sharing room_flows (flow_table_set_owners)
    _Atomic uint32_t n_emergency;    // owners in emergency mode
    _Atomic bool is_ordered;         // one share, decided in packet order (flow_table_set_ordered)
    _Atomic int64_t emerg_pass_sec;  // one share: clock of the last emergency pass
    _Atomic uint64_t lookup_seq;     // orders owners' lists when packets carry no pcap_cnt

    /* manager: one pass at a time */
    pthread_mutex_t mgr_lock;
    uint32_t mgr_cursor;             // guarded by mgr_lock
    CounterSet *mgr_cs;              // written under mgr_lock only

    FlowEndCb end_cb;                // packet-path endings (set at start-up)
    void *end_user;
    void (*protoctx_free)(void *);
};

/* A packet's view of its flow key, before normalisation: src is the packet's
 * source. fixed_ports: ICMP, whose sp/dp do not swap with the direction. */
typedef struct FlowTuple {
    FlowKey k;
    bool fixed_ports;
    bool src_is_server;              // SYN/ACK or an ICMP reply: the source is the server
} FlowTuple;

/* flow-hash.c */
uint64_t flow_siphash24(const uint8_t key[16], const void *data, size_t len);
/* Fills t from p; false for packets without a flow. When p is an ICMP error
 * with an embedded header, emb (if non-NULL) gets the embedded flow's tuple
 * and *has_emb is set. */
bool flow_tuple_from_packet(const Packet *p, FlowTuple *t, FlowTuple *emb, bool *has_emb);
uint32_t flow_tuple_hash(const uint8_t key[16], const FlowTuple *t);
/* 0: no match, 1: same direction as the key (to server), -1: reversed. */
int flow_key_match(const FlowKey *key, const FlowTuple *t);
FlowProtoClass flow_proto_class(uint8_t proto);

/* flow-pool.c */
int flow_pool_init(FlowTable *ft);
void flow_pool_deinit(FlowTable *ft);
/* A clean flow: from the spare list, else newly allocated. The memcap is
 * enforced before (flow_owner_is_full), per owner; NULL only when malloc
 * fails. */
Flow *flow_pool_get(FlowTable *ft);
/* Flow must be clean (flow_recycle_clear). Frees it when the spare list is
 * full (cfg.prealloc) or spare and linked flows would pass the memcap,
 * which lowers memuse. */
void flow_pool_put(FlowTable *ft, Flow *f);
uint32_t flow_pool_len(FlowTable *ft);
/* Release per-flow state (storage, protoctx) and zero f except its lock. */
void flow_recycle_clear(FlowTable *ft, Flow *f);

/* flow-timeout.c */
bool flow_is_expired(const FlowTable *ft, const Flow *f, int64_t now_sec, bool emergency);

/* flow-storage.c */
void flow_storage_free_all(Flow *f);

/* flow-util.c: the flow's id from its key and start time (set both first). */
uint64_t flow_id_of(const Flow *f);

/* flow-table.c: unlink f from its locked bucket b (and from its owner's
 * list); false when it was not linked there. */
bool flow_bucket_unlink(FlowTable *ft, FlowBucket *b, Flow *f);
/* f was just taken out of its locked bucket's chain: drop it from its
 * owner's list and the counts. */
void flow_unlinked(FlowTable *ft, Flow *f);
/* The owner's flow share: room_flows split evenly between the owners. */
uint64_t flow_owner_share(const FlowTable *ft);
/* One share for every thread (one owner, or flow_table_set_ordered): every
 * flow belongs to owner 0, and a full share first reclaims the expired flows
 * of every thread before it enters emergency mode (flow-table.c). */
bool flow_table_is_one_share(const FlowTable *ft);
/* flow-manager.c: ends every flow of the table (any thread's) that is idle
 * past its timeout at now_sec, in its owner's mode; counts in cs (may be
 * NULL). Returns the number ended. Used where every earlier packet is done
 * and no later one has touched the table (one share, see flow-module.c). */
uint32_t flow_manager_reclaim_pass(FlowTable *ft, int64_t now_sec, CounterSet *cs);
/* Leaves the owner's emergency mode when its flows fell below the recovery
 * mark; counts it in cs (may be NULL). */
void flow_owner_maybe_recover(FlowTable *ft, uint32_t owner, CounterSet *cs);
/* Hand an unlinked flow to cb, then recycle it. */
void flow_end_and_recycle(FlowTable *ft, Flow *f, FlowEndReason reason, FlowEndCb cb,
                          void *user);
void flow_table_refresh_gauges(FlowTable *ft);

#endif
