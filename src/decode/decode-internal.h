#ifndef VG_DECODE_DECODE_INTERNAL_H
#define VG_DECODE_DECODE_INTERNAL_H

/* Helpers shared by the decoders of this folder (and their tests). */

#include "decode/decode.h"

/* Ethertypes dispatched by decode_ethertype. */
enum {
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_ARP = 0x0806,
    ETHERTYPE_TEB = 0x6558,          // transparent Ethernet bridging (GRE, NVGRE)
    ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_IPV6 = 0x86DD,
    ETHERTYPE_PPP = 0x880B,          // PPP in PPTP enhanced GRE
    ETHERTYPE_MPLS_UC = 0x8847,
    ETHERTYPE_MPLS_MC = 0x8848,
    ETHERTYPE_PPPOE_DISC = 0x8863,
    ETHERTYPE_PPPOE_SESS = 0x8864,
    ETHERTYPE_QINQ = 0x88A8,         // 802.1ad service tag
    ETHERTYPE_ERSPAN_II = 0x88BE,    // GRE protocol type of ERSPAN types I and II
    ETHERTYPE_IEEE8021AH = 0x88E7,   // 802.1ah provider backbone bridging I-tag
    ETHERTYPE_FABRICPATH = 0x8903,   // Cisco FabricPath (Suricata's "DCE")
    ETHERTYPE_VNTAG = 0x8926,        // Cisco VN-Tag
    ETHERTYPE_NSH = 0x894F,          // network service header (RFC 8300)
    ETHERTYPE_QINQ_OLD = 0x9100,     // pre-standard QinQ
};

#define ETHERNET_HEADER_LEN 14u

/* Enter one level of encapsulation (GRE, VXLAN, Teredo, Ethernet over MPLS
 * or TEB): marks the packet PKT_F_TUNNEL, clears the outer L4 view so the
 * inner layers win, and bumps p->tunnel_depth. Refuses (VG_EINVAL, event
 * too_many_layers) beyond PACKET_MAX_TUNNEL_DEPTH; this is also what bounds
 * the recursion of the link-layer decoders. */
int decode_tunnel_enter(DecodeThreadCtx *dtv, Packet *p);

/* A tunnel's payload pkt[0..len) of the given inner type (an ethertype:
 * ETHERTYPE_TEB for an Ethernet frame, ETHERTYPE_PPP for PPP,
 * ETHERTYPE_ERSPAN_II for an ERSPAN type II header, else the ethertype
 * dispatch). With a packet source, it becomes a tunnel packet of kind
 * (PKT_TUNNEL_*) that is decoded now and queued on dtv->children; p keeps
 * its outer view and is not inspected by payload any more. An inner packet
 * that does not decode is dropped silently (as Suricata does); p stays
 * valid. Returns 0, or VG_EINVAL (event too_many_layers on p) beyond
 * PACKET_MAX_TUNNEL_DEPTH. Without a source: decode_tunnel_enter, then the
 * inner decoder's result. */
int decode_tunnel_spawn(DecodeThreadCtx *dtv, Packet *p, uint8_t kind, uint16_t inner,
                        const uint8_t *pkt, uint32_t len);

/* Pass one link-layer shim (FabricPath, 802.1ah, VN-Tag): these can nest
 * through decode_ethertype without entering a tunnel, so their number is
 * bounded by PACKET_MAX_LINK_SHIMS (beyond: too_many_layers, VG_EINVAL). */
int decode_link_shim_enter(DecodeThreadCtx *dtv, Packet *p);

#endif
