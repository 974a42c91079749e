#ifndef VG_DECODE_DECODE_H
#define VG_DECODE_DECODE_H

/* Decoders: one file per layer (decode-<layer>.c). Each takes the bytes of
 * its layer (pkt, len: len bytes are readable), validates every length
 * before reading, fills the packet's vars, raises events on malformed input
 * and hands the rest to the next decoder.
 *
 * Return: 0 when the layer decoded (possibly with events), VG_EINVAL when
 * it could not (the packet is then marked PKT_F_INVALID by decode_packet).
 * Called only by the thread owning the packet. */

#include <stdint.h>

#include "decode/packet-types.h"
#include "runtime/counters.h"

/* decoder.teredo.ports: at most this many (CONF_PORTS_MAX). */
#define DECODE_TEREDO_PORTS_MAX 16

typedef enum ChecksumMode {
    CHECKSUM_AUTO = 0,           // validate; stop when most checksums are bad (offloading)
    CHECKSUM_ALL,
    CHECKSUM_NONE,
} ChecksumMode;

/* Decoder counters, as Suricata names them under stats.decoder. The order is
 * the registration order; names in decode.c. */
typedef enum DecodeCounter {
    DC_PKTS = 0,
    DC_BYTES,
    DC_INVALID,
    DC_IPV4,
    DC_IPV6,
    DC_ETHERNET,
    DC_ARP,
    DC_UNKNOWN_ETHERTYPE,
    DC_RAW,
    DC_NULL,
    DC_SLL,
    DC_SLL2,
    DC_TCP,
    DC_UDP,
    DC_SCTP,
    DC_ESP,
    DC_ICMPV4,
    DC_ICMPV6,
    DC_PPP,
    DC_PPPOE,
    DC_GRE,
    DC_VLAN,
    DC_VLAN_QINQ,
    DC_VLAN_QINQINQ,
    DC_VXLAN,
    DC_TEREDO,
    DC_IPV4_IN_IPV4,
    DC_IPV6_IN_IPV4,
    DC_IPV4_IN_IPV6,
    DC_IPV6_IN_IPV6,
    DC_MPLS,
    DC_CHDLC,
    DC_IEEE8021AH,
    DC_VNTAG,
    DC_ERSPAN,
    DC_NSH,
    DC_GENEVE,
    DC_AVG_PKT_SIZE,
    DC_MAX_PKT_SIZE,
    DC_TOO_MANY_LAYERS,
    DC_IPV4_CSUM_BAD,
    DC_L4_CSUM_BAD,
    DC_COUNT,
} DecodeCounter;

/* Where tunnel packets come from: get returns a clean packet (or NULL when
 * none can be had: the tunnel is then left undecoded), put hands back one
 * the decoder made and could not use. */
typedef struct DecodePacketSource {
    Packet *(*get)(void *user);
    void (*put)(Packet *p, void *user);
    void *user;
} DecodePacketSource;

typedef struct DecodeThreadCtx {
    CounterSet *counters;        // the owning thread's set
    CounterId cid[DC_COUNT];
    CounterId ev_cid[DECODE_EV_MAX];
    ChecksumMode checksum_mode;
    bool validate_checksums;     // current decision (auto mode may turn it off)
    uint64_t csum_checked;       // auto mode bookkeeping
    uint64_t csum_bad;
    bool vxlan_enabled;
    uint16_t vxlan_port;
    bool teredo_enabled;
    uint16_t teredo_ports[DECODE_TEREDO_PORTS_MAX]; // decoder.teredo.ports (default 3544)
    uint8_t n_teredo_ports;
    bool teredo_any_port;        // decoder.teredo.ports unset: every UDP port is tried
                                 // (Suricata's rule); teredo_ports are then unused
    bool geneve_enabled;
    uint16_t geneve_port;
    /* Tunnels. With a packet source, a tunnel's payload becomes a tunnel
     * packet of its own (Suricata's model) and the outer packet keeps its
     * outer view; without one (unit tests, fuzzing), the inner layers are
     * decoded into the same packet and overwrite the outer view. */
    DecodePacketSource src;
    bool ipip_enabled;           // IPv4 in IPv4 (proto 4); decoder.ipv4.ipip.enabled
    Packet *children;            // tunnel packets of the last decode_packet,
    Packet *children_tail;       // innermost first, linked by next_child; the caller takes them
} DecodeThreadCtx;

/* Register the decoder counters (start-up, before threads). */
void decode_register_counters(void);

/* Initialise a per-thread decoder context; counters must be the thread's set. */
void decode_thread_init(DecodeThreadCtx *dtv, CounterSet *counters, ChecksumMode mode);

/* Decode p->data[0..caplen) according to p->linktype. Resets the packet's
 * decode results first. Always counts the packet; returns like a decoder. */
int decode_packet(DecodeThreadCtx *dtv, Packet *p);

/* Take the tunnel packets made by the last decode_packet (innermost first,
 * linked by next_child; NULL if none). The caller owns them. */
Packet *decode_take_children(DecodeThreadCtx *dtv);

/* EVE pkt_src of a packet: "wire/pcap" or its tunnel's name. */
const char *decode_pkt_src_name(const Packet *p);

/* Clear the decode results of a packet (keeps acquisition fields). */
void decode_packet_reset(Packet *p);

/* Raise a decoder event on p: stored (each time, up to PACKET_MAX_EVENTS) and counted. */
void decode_event(DecodeThreadCtx *dtv, Packet *p, DecodeEvent ev);

static inline void decode_count(DecodeThreadCtx *dtv, DecodeCounter c)
{
    counters_incr(dtv->counters, dtv->cid[c]);
}

static inline bool packet_has_event(const Packet *p, DecodeEvent ev)
{
    for (uint8_t i = 0; i < p->n_events; i++) {
        if (p->events[i] == ev) {
            return true;
        }
    }
    return false;
}

/* Link layers */
int decode_ethernet(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_sll(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_sll2(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_null(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_raw(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_vlan(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_pppoe_session(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_pppoe_discovery(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_ppp(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
/* PPP link types (9, 50): PPP, or Cisco HDLC when the first byte says so. */
int decode_ppp_link(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_mpls(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_chdlc(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_ieee8021ah(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_fabricpath(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_vntag(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_nsh(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_arp(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);

/* The fields of an ARP packet (p->l3 == PKT_L3_ARP), pointing into it; the
 * address lengths are the header's (all four addresses lie in the packet). */
typedef struct DecodeArpView {
    uint16_t hw_type;
    uint16_t proto_type;
    uint16_t opcode;
    uint8_t hw_len;
    uint8_t proto_len;
    const uint8_t *sender_hw;
    const uint8_t *sender_proto;
    const uint8_t *target_hw;
    const uint8_t *target_proto;
} DecodeArpView;
bool decode_arp_view(const Packet *p, DecodeArpView *v);

/* Dispatch on an ethertype (shared by Ethernet, VLAN, SLL, GRE, ...). */
int decode_ethertype(DecodeThreadCtx *dtv, Packet *p, uint16_t ethertype, const uint8_t *pkt,
                     uint32_t len);

/* Network layers */
int decode_ipv4(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_ipv6(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);

/* Dispatch on an IP protocol number for the payload of an IP header. */
int decode_ip_payload(DecodeThreadCtx *dtv, Packet *p, uint8_t proto, const uint8_t *pkt,
                      uint32_t len);

/* Transport layers */
int decode_tcp(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_udp(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_icmpv4(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_icmpv6(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);

/* Tunnels */
int decode_gre(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_vxlan(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_teredo(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_erspan(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);
int decode_geneve(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);

/* Checksums (RFC 1071 one's complement). Return the folded sum; a correct
 * header yields 0 when summed including its checksum field. */
uint16_t decode_csum_ipv4_hdr(const uint8_t *hdr, uint32_t hlen);
uint16_t decode_csum_l4_ipv4(const uint8_t *src4, const uint8_t *dst4, uint8_t proto,
                             const uint8_t *l4, uint32_t l4_len);
uint16_t decode_csum_l4_ipv6(const uint8_t *src16, const uint8_t *dst16, uint8_t proto,
                             const uint8_t *l4, uint32_t l4_len);

/* Checksum bookkeeping for auto mode: record one validated checksum. */
void decode_csum_note(DecodeThreadCtx *dtv, bool bad);

#endif
