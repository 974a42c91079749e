#ifndef VG_FLOW_FLOW_TYPES_H
#define VG_FLOW_FLOW_TYPES_H

/* The flow: types only. A Flow belongs to the flow table (flow/flow.h);
 * a packet in flight holds a reference (use_cnt) and the flow lock while
 * it works on it. Fields are ordered to keep padding out (see
 * src/flow/README.md for the memory budget). */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "decode/packet-types.h"

/* In Flow.use_cnt: the flow timed out while packets still held it and is out
 * of the hash; whoever drops the last reference ends it (flow_ref_drop). */
#define FLOW_USE_END_PENDING (1u << 31)

#define FLOW_STORAGE_MAX 8       // per-flow slots for later stages (detect, app-layer, plugins)
#define FLOW_EXC_RECORD_MAX 7    // exception policy targets a flow can meet (flow-exception.c)

typedef enum FlowState {
    FLOW_STATE_NEW = 0,
    FLOW_STATE_ESTABLISHED,
    FLOW_STATE_CLOSED,
} FlowState;

typedef enum FlowEndReason {
    FLOW_END_TIMEOUT = 0,
    FLOW_END_FORCED,
    FLOW_END_SHUTDOWN,
} FlowEndReason;

enum {
    FLOW_F_ALERTED = 1u << 0,
    FLOW_F_TOSERVER_SEEN = 1u << 1,
    FLOW_F_TOCLIENT_SEEN = 1u << 2,
    FLOW_F_EMERGENCY = 1u << 3,      // created while in emergency mode
    FLOW_F_PASS = 1u << 4,           // a pass rule with flow scope matched: no more inspection
    FLOW_F_DROP = 1u << 5,           // inline: drop every later packet of the flow
    FLOW_F_FIN_TOSERVER = 1u << 6,   // a FIN was seen from the client
    FLOW_F_FIN_TOCLIENT = 1u << 7,   // a FIN was seen from the server
    FLOW_F_ICMP_RESP = 1u << 9,      // icmp_resp_type/code are set
    FLOW_F_STATE_EXTERNAL = 1u << 8, // flow_set_state() was used: the flow engine stops
                                     // moving the state by itself
    FLOW_F_SHARED = 1u << 10,        // packets of it ran in more than one flow thread: no
                                     // thread's pass may end it
    FLOW_F_BYPASSED = 1u << 11,      // bypassed (flow_bypass): later packets skip stream,
                                     // app-layer and detection
    FLOW_F_DROP_EXCEPTION = 1u << 12, // FLOW_F_DROP came from an exception policy
    FLOW_F_FW_ACCEPT = 1u << 13,     // firewall accept:flow: no more firewall rules (detect)
    FLOW_F_DROP_FW = 1u << 14,       // FLOW_F_DROP came from the firewall (detect)
    FLOW_F_DROP_IDS = 1u << 15,      // not inline, a drop with flow scope matched: no more
                                     // detection (stream and app layer go on); record
                                     // action "drop" (Suricata's flow drop in IDS mode)
    FLOW_F_ENDING = 1u << 16,        // handed to the flow-end callback (flow_end): what
                                     // runs now runs under the flow-end lock
};

/* The key, normalised: src/sp is the client (SYN sender, else first packet's
 * source). For ICMP, sp/dp hold the echo id and the request type of the
 * pair (messages with an id), or type/code (others); see flow-hash.c. */
typedef struct FlowKey {
    VgAddr src;
    VgAddr dst;
    uint16_t sp;
    uint16_t dp;
    uint8_t proto;
    uint8_t n_vlan;
    uint16_t vlan_id[PACKET_MAX_VLANS];
    uint8_t recursion;               // tunnel depth of the packets (0 unless
                                     // decoder.recursion-level.use-for-tracking)
} FlowKey;

struct FlowTable;

typedef struct Flow {
    pthread_mutex_t lock;            // first: recycling clears everything after it
    FlowKey key;
    _Atomic uint32_t use_cnt;        // packets in flight referencing this flow; plus
                                     // FLOW_USE_END_PENDING once it timed out while in use
    struct FlowTable *table;         // the table it belongs to (set when it starts)
    uint64_t flow_id;                // used in every EVE record of the flow
    const char *livedev;             // interface of its first packet (EVE in_iface), or NULL
    uint64_t pkts_toserver;
    uint64_t pkts_toclient;
    uint64_t bytes_toserver;
    uint64_t bytes_toclient;
    int64_t start_sec;
    int64_t last_sec;
    uint32_t start_usec;
    uint32_t last_usec;
    uint32_t pcap_file;              // capture file of its first packet (its root's; EVE
                                     // pcap_filename), 0: none (packet-types.h)
    uint32_t hash;                   // direction-independent hash of the key
    uint32_t flags;                  // FLOW_F_*
    uint8_t state;                   // FlowState
    uint8_t end_reason;              // FlowEndReason, set when it ends
    _Atomic uint8_t thread_id;       // the flow thread its last packet ran in: written
                                     // under lock, read without it by timeout passes
    uint8_t owner;                   // the thread that created it: its memcap share and
                                     // least recently used list (flow-table.c)
    uint8_t proto_class;             // timeout class (flow.h FLOW_PROTO_*)
    uint16_t app_proto;              // set by the app-layer (0 = unknown)
    uint8_t icmp_type;               // ICMP: first message from the client side
    uint8_t icmp_code;
    uint8_t icmp_resp_type;          // ICMP: first message back (FLOW_F_ICMP_RESP)
    uint8_t icmp_resp_code;
    uint8_t min_ttl[2];              // IP TTL / hop limit seen per direction (0: to server,
    uint8_t max_ttl[2];              // 1: to client; EVE netflow), valid once it has packets
    uint8_t has_mac;                 // bit 0: mac[0] holds the client side's first frame
                                     // (dst, src), bit 1: mac[1] the server side's
    uint8_t mac[2][12];              // Ethernet addresses for EVE `ether` (flow stage)
    uint8_t exc[FLOW_EXC_RECORD_MAX]; // exception policies met, in order: PKT_DROP_* reason
                                      // << 4 | FlowExceptionPolicy; 0 ends (flow-exception.c)
    void *protoctx;                  // the TCP session (stream engine owns it)
    void *storage[FLOW_STORAGE_MAX]; // see flow_storage_register()
    struct Flow *hnext;              // hash bucket chain
    struct Flow *pnext;              // pool / free list / list of flows to end
    uint64_t lru_seq;                // capture number of its last packet (its root's; the
                                     // lookup order without one): orders the owner's list
    struct Flow *lru_prev;           // while in the hash: the owner's flows, least
    struct Flow *lru_next;           // recently used first (guarded by the owner's lock)
} Flow;

#endif
