#ifndef VG_DECODE_PACKET_TYPES_H
#define VG_DECODE_PACKET_TYPES_H

/* The packet: what acquisition fills and every later stage reads.
 * Types only. A Packet comes from a PacketPool (runtime/packet-pool.h),
 * belongs to exactly one thread at a time, and goes back to its pool.
 *
 * Layer pointers point into p->data (or, for ICMP-embedded headers, into the
 * ICMP payload); lengths were checked by the decoder that set them. Packet
 * bytes are never cast to header structs: decoders copy the fields they need
 * into the *Vars below. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode-events.h"

#define PACKET_MAX_SIZE 65536u   // buffer per packet (snaplen bound)
#define PACKET_MAX_EVENTS 15     // events stored per packet (as Suricata); more are only counted
#define PACKET_MAX_VLANS 3       // as Suricata: three levels kept, a fourth raises an event
#define PACKET_MAX_TUNNEL_DEPTH 4
#define PACKET_MAX_LINK_SHIMS 8  // Fabric Path, 802.1ah, VN-Tag headers before IP

struct Flow;

typedef struct VgAddr {
    uint8_t family;              // 0 (unset), 4 or 6 (AF_* values differ per OS)
    union {
        uint8_t u8[16];
        uint32_t u32[4];         // IPv4 in u32[0], network byte order
    } a;
} VgAddr;

/* Link types, as pcap's DLT numbers (values kept so acquisition maps 1:1). */
enum {
    LINKTYPE_NULL = 0,
    LINKTYPE_ETHERNET = 1,
    LINKTYPE_PPP = 9,            // PPP, optionally behind 0xFF 0x03 (RFC 1662 framing)
    LINKTYPE_PPP_HDLC = 50,      // PPP in HDLC-like framing
    LINKTYPE_RAW = 101,          // DLT_RAW on most platforms (12 or 14 elsewhere)
    LINKTYPE_CISCO_HDLC = 104,
    LINKTYPE_LOOP = 108,
    LINKTYPE_LINUX_SLL = 113,
    LINKTYPE_IPV4 = 228,
    LINKTYPE_IPV6 = 229,
    LINKTYPE_LINUX_SLL2 = 276,
    LINKTYPE_RAW_12 = 12,
    LINKTYPE_RAW_14 = 14,
};

typedef struct Ipv4Vars {
    const uint8_t *hdr;
    uint16_t hlen;               // header length in bytes (IHL * 4)
    uint16_t total_len;          // from the header
    uint16_t id;
    uint16_t frag_field;         // flags (3 bits) + offset (13 bits), host order
    uint8_t tos;
    uint8_t ttl;
    uint8_t proto;
    uint16_t opts;               // IPV4_OPT_* bits seen
    bool csum_bad;               // set only when checksums are validated
} Ipv4Vars;

enum {
    IPV4_OPT_RR = 1 << 0,
    IPV4_OPT_LSRR = 1 << 1,
    IPV4_OPT_SSRR = 1 << 2,
    IPV4_OPT_TS = 1 << 3,
    IPV4_OPT_SEC = 1 << 4,
    IPV4_OPT_SID = 1 << 5,
    IPV4_OPT_RTRALT = 1 << 6,
    IPV4_OPT_QS = 1 << 7,
    IPV4_OPT_CIPSO = 1 << 8,
    IPV4_OPT_EOL = 1 << 9,
    IPV4_OPT_NOP = 1 << 10,
    IPV4_OPT_ESEC = 1 << 11,
    IPV4_OPT_ANY = 1 << 15,
};

typedef struct Ipv6Vars {
    const uint8_t *hdr;
    uint16_t plen;               // payload length from the header
    uint8_t hlim;
    uint8_t tclass;
    uint32_t flow_label;
    uint8_t next_hdr;            // final upper-layer protocol after extension headers
    uint16_t exthdrs_len;        // bytes of extension headers
    uint16_t exthdrs;            // IPV6_EXT_* bits seen
    bool is_frag;
    uint16_t frag_offset;        // in 8-byte units
    bool frag_more;
    uint32_t frag_id;
} Ipv6Vars;

enum {
    IPV6_EXT_HOP = 1 << 0,
    IPV6_EXT_RH = 1 << 1,
    IPV6_EXT_DST = 1 << 2,
    IPV6_EXT_FH = 1 << 3,
    IPV6_EXT_AH = 1 << 4,
    IPV6_EXT_ESP = 1 << 5,
};

typedef struct TcpSack {
    uint32_t left;
    uint32_t right;
} TcpSack;

typedef struct TcpVars {
    const uint8_t *hdr;
    uint16_t hlen;               // data offset * 4
    uint32_t seq;
    uint32_t ack;
    uint16_t win;
    uint16_t urg_ptr;
    uint8_t flags;               // TH_* below
    uint8_t flags_hi;            // the 4 reserved bits + NS (for flags keyword 1,2)
    /* options */
    bool has_mss, has_wscale, has_sackok, has_ts;
    uint16_t mss;
    uint8_t wscale;
    uint32_t ts_val;
    uint32_t ts_ecr;
    uint8_t n_sack;
    TcpSack sack[4];
    bool csum_bad;
    bool has_tfo;                // a TCP Fast Open option (34, or 254 with magic 0xF989)
} TcpVars;

enum {
    TH_FIN = 0x01,
    TH_SYN = 0x02,
    TH_RST = 0x04,
    TH_PUSH = 0x08,
    TH_ACK = 0x10,
    TH_URG = 0x20,
    TH_ECN = 0x40,
    TH_CWR = 0x80,
};

typedef struct UdpVars {
    const uint8_t *hdr;
    uint16_t len;                // from the header
    bool csum_bad;
} UdpVars;

/* ICMP (v4 or v6). Error messages keep a view of the embedded original
 * header: its addresses, protocol and ports. */
typedef struct IcmpVars {
    const uint8_t *hdr;
    uint8_t type;
    uint8_t code;
    uint16_t id;                 // echo/timestamp/... only (has_id)
    uint16_t seq;
    bool has_id;
    bool has_emb;                // an embedded original header was decoded
    uint8_t emb_proto;
    VgAddr emb_src;
    VgAddr emb_dst;
    uint16_t emb_sp;
    uint16_t emb_dp;
    bool csum_bad;
} IcmpVars;

/* Which L3 / L4 decoder filled the vars (innermost layer wins for tunnels). */
enum { PKT_L3_NONE = 0, PKT_L3_IPV4, PKT_L3_IPV6, PKT_L3_ARP };
enum { PKT_L4_NONE = 0, PKT_L4_TCP, PKT_L4_UDP, PKT_L4_ICMPV4, PKT_L4_ICMPV6, PKT_L4_OTHER };

/* Why an inline verdict dropped a packet (EVE drop.reason). */
enum {
    PKT_DROP_NONE = 0,
    PKT_DROP_RULES,              // a drop/reject rule matched this packet
    PKT_DROP_FLOW,               // an earlier packet's drop rule dropped the whole flow
    PKT_DROP_INNER,              // a tunnel packet inside this (root) packet was dropped
    PKT_DROP_THRESHOLD,          // a rate_filter turned a rule's action into drop/reject
    /* exception policies (flow/flow-exception.c) */
    PKT_DROP_STREAM_MIDSTREAM,   // a TCP session picked up midstream
    PKT_DROP_STREAM_MEMCAP,      // stream.memcap reached
    PKT_DROP_STREAM_REASSEMBLY,  // stream.reassembly.memcap reached
    PKT_DROP_APPLAYER_ERROR,     // an app-layer parser failed
    PKT_DROP_FLOW_MEMCAP,        // flow.memcap reached
    PKT_DROP_DEFRAG_MEMCAP,      // defrag.memcap reached
    PKT_DROP_DEFRAG_ERROR,       // defrag.trackers or defrag.max-frags reached
    PKT_DROP_EXCEPTION_FLOW,     // an earlier packet's exception policy dropped the flow
    /* firewall mode (detect/detect-firewall.c) */
    PKT_DROP_FW_RULES,           // a firewall drop/reject rule
    PKT_DROP_FW_FLOW,            // an earlier packet's firewall drop:flow
    PKT_DROP_FW_PACKET_POLICY,   // no firewall rule accepted the packet (packet:filter)
    PKT_DROP_FW_APP_POLICY,      // no firewall rule accepted an app-layer hook
    /* stream (stream/stream-tcp.c) */
    PKT_DROP_STREAM_URGENT,      // stream.reassembly.urgent.policy: drop
};

/* Which tunnel made a tunnel packet (EVE pkt_src); PKT_TUNNEL_NONE for a
 * packet from the wire. */
enum {
    PKT_TUNNEL_NONE = 0,
    PKT_TUNNEL_GRE,              // "gre tunnel"
    PKT_TUNNEL_IPV4,             // IP carried in IPv4 (proto 4 / 41): "ipv4 tunnel"
    PKT_TUNNEL_IPV6,             // IP carried in IPv6: "ipv6 tunnel"
    PKT_TUNNEL_TEREDO,           // "teredo tunnel"
    PKT_TUNNEL_VXLAN,            // "vxlan encapsulation"
    PKT_TUNNEL_GENEVE,           // "geneve encapsulation"
    PKT_TUNNEL_DEFRAG,           // not a tunnel: a datagram rebuilt from fragments, "defrag"
};

/* Packet flags */
enum {
    PKT_F_IPV4_CSUM_BAD = 1u << 0,
    PKT_F_L4_CSUM_BAD = 1u << 1,
    PKT_F_TUNNEL = 1u << 2,          // part of a tunnel: a tunnel packet, or the outer packet
                                     // that carried one (or, inline decoding, decoded through one)
    PKT_F_INVALID = 1u << 3,         // decoding stopped on an error
    PKT_F_IS_FRAGMENT = 1u << 4,
    PKT_F_ALERTED = 1u << 5,
    PKT_F_DROP = 1u << 6,            // verdict: drop (inline)
    PKT_F_PSEUDO = 1u << 7,          // made by the engine (flow end, reassembled datagram)
    PKT_F_TOSERVER = 1u << 8,        // direction within its flow, set by the flow stage
    PKT_F_TOCLIENT = 1u << 9,
    PKT_F_NOPAYLOAD_INSPECT = 1u << 10,
    PKT_F_STREAM_FLUSH = 1u << 11,   // pseudo packet carrying stream data left at flow end
    PKT_F_TAGGED = 1u << 12,         // covered by a tag keyword's session/host tag (detect)
    PKT_F_TUNNEL_PROTO = 1u << 13,   // sent on a tunnel's IP protocol or UDP port (either
                                     // side), tunnel or not: its flow may carry one
    PKT_F_DROP_FLOW = 1u << 14,      // inline: the drop applies to the packet's flow too
    PKT_F_REJECT = 1u << 15,         // inline: an exception policy rejects it (reset / ICMP)
    PKT_F_NOPACKET_INSPECT = 1u << 16, // an exception policy passed it: no detection
    PKT_F_PASS = 1u << 17,           // a pass rule decided the packet (detect): verdict "pass"
    PKT_F_FIREWALL = 1u << 18,       // judged by firewall mode (detect): verdict "accept",
                                     // firewall.* counters
    PKT_F_BYPASS = 1u << 24,         // its flow was bypassed before it (flow stage): no stream,
                                     // app-layer or detection, accepted inline; also set by
                                     // the verdict stage on the packet that bypassed it
    PKT_F_CSUM_UNFINISHED = 1u << 29, // acquisition: the kernel has not filled in its
                                      // checksums yet (NFQUEUE GSO / partial checksum):
                                      // none is validated
};

/* The flow's counters as of this packet, copied by the flow stage under the
 * flow lock so later stages (alerts' "flow" object) read them without it. */
typedef struct PacketFlowCounters {
    uint64_t pkts_toserver;
    uint64_t pkts_toclient;
    uint64_t bytes_toserver;
    uint64_t bytes_toclient;
    int64_t start_sec;
    uint32_t start_usec;
} PacketFlowCounters;

struct CounterSet;

typedef struct Packet {
    /* acquisition */
    int64_t ts_sec;
    uint32_t ts_usec;
    uint32_t caplen;             // bytes in data
    uint32_t wirelen;            // length on the wire
    int linktype;
    uint32_t pcap_file;          // offline: 1-based index of its capture file in the
                                 // engine's pcap_files (EVE pcap_filename); 0: none
    uint64_t pcap_cnt;           // 1-based index in the capture
    uint64_t order_seq;          // reading order while runtime-order.h is on (0: off)
    uint64_t order_after;        // runtime_order_steer_end: wait for this packet first
    uint64_t order_pair;         // runtime_order_pair_handed (0: none)
    uint32_t order_pair_slot;    // the slot of the addresses it was steered by
    int64_t clock_sec;           // engine clock when read (newest packet time so far), set
                                 // by tm_thread_dispatch; flow timeouts use it
    uint8_t *data;               // PACKET_MAX_SIZE bytes owned by the pool
    void *pool;                  // the pool to return to
    /* inline acquisition (NFQUEUE): the verdict owed to the kernel for this
     * packet. Set by the acquire module (NULL offline); the verdict stage
     * calls verdict_fn once and clears it, and the runtime calls it when the
     * packet goes back to its pool without having had it (a thread that
     * failed, a pipeline without the verdict stage), so every packet taken
     * from the kernel gets exactly one verdict. thread_counters: the calling
     * thread's CounterSet (may be NULL). */
    void (*verdict_fn)(struct Packet *p, struct CounterSet *thread_counters);
    void *verdict_ctx;           // the acquire module's queue state
    /* AF_PACKET IPS: send an IP packet (a reset or ICMP error built by
     * respond-reject.c) at link level, back out of the interface p came in
     * on (is_to_src) or out of its peer; 0 when sent. NULL: the responder
     * uses raw IP sockets (NFQUEUE, routed). */
    int (*inject_fn)(const struct Packet *p, bool is_to_src, const uint8_t *ip, size_t len);
    uint32_t verdict_id;         // NFQUEUE packet id
    uint32_t mark;               // netfilter mark as received
    uint16_t verdict_queue;      // NFQUEUE queue number
    /* Live capture: the interface the packet came in on (EVE in_iface), a
     * name the acquire module keeps for the whole run; NULL offline. A
     * tunnel or defrag packet has its root's. */
    const char *iface;

    /* tunnels: a tunnel packet is made by the decoder from the payload of
     * the packet that carried it (its parent). It holds the inner bytes
     * (linktype LINKTYPE_RAW_12, as Suricata reports it), points to the
     * outermost packet it came from (root), and travels with that root:
     * the runtime keeps the root's descendants in root->children (linked by
     * next_child, innermost first) and runs each before its root, in the
     * same thread, so root outlives them. Not cleared by decode_packet_reset. */
    struct Packet *root;         // NULL for a packet from the wire
    struct Packet *children;     // on a root: its tunnel packets still in flight
    struct Packet *next_child;
    uint8_t tunnel_kind;         // PKT_TUNNEL_* of this packet
    uint8_t child_slot;          // runtime: first slot the child still has to run

    /* decode results */
    uint32_t flags;
    uint8_t l3;                  // PKT_L3_*
    uint8_t l4;                  // PKT_L4_*
    uint8_t proto;               // IP protocol of the L4 header (innermost)
    uint8_t n_vlan;
    uint16_t vlan_id[PACKET_MAX_VLANS];
    uint8_t tunnel_depth;
    uint8_t n_link_shims;        // link-layer shims passed (bounds their nesting)
    uint8_t n_events;
    uint16_t events[PACKET_MAX_EVENTS];

    VgAddr src;
    VgAddr dst;
    uint16_t sp;
    uint16_t dp;

    const uint8_t *l2;           // start of the outermost link header
    const uint8_t *l3_hdr;       // innermost IP header
    uint32_t l3_len;             // bytes from l3_hdr to end of IP datagram (clamped to capture)

    Ipv4Vars ip4;
    Ipv6Vars ip6;
    TcpVars tcp;
    UdpVars udp;
    IcmpVars icmp;

    const uint8_t *payload;      // L4 payload (or IP payload for unknown protocols)
    uint32_t payload_len;

    /* stream: reassembled in-order bytes of this packet's direction to inspect
     * with this packet (a view owned by the TCP session, valid while the packet
     * holds its flow reference; NULL when there is nothing new). Set by the
     * stream stage; detection inspects it for stream-aware rules. */
    const uint8_t *stream_data;
    uint32_t stream_data_len;
    uint32_t stream_flags;       // PKT_STREAM_* (stream/stream.h)
    uint64_t stream_view_off;    // stream offset of stream_data[0] (overlap included)

    /* later stages */
    struct Flow *flow;           // reference held while in flight
    uint8_t drop_reason;         // PKT_DROP_* when PKT_F_DROP is set inline (verdict stage)
    PacketFlowCounters flow_counters;
    uint8_t flow_state;          // the flow's FlowState as of this packet (set by the flow
                                 // and stream stages; later stages read this, not flow->state,
                                 // which may already reflect later packets)
    uint32_t flow_hash;
    void *alerts;                // detection's per-packet alert queue (detect owns layout)
    uint16_t n_alerts;
} Packet;

#endif
