#ifndef VG_DECODE_DECODE_IP_INTERNAL_H
#define VG_DECODE_DECODE_IP_INTERNAL_H

/* Helpers shared by the IP and transport decoders (decode-ip*.c, decode-tcp.c,
 * decode-udp.c, decode-icmp*.c) and their tests. Not for other folders. */

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"

/* IP protocol numbers the decoders dispatch on (IANA "Assigned Internet
 * Protocol Numbers"). */
enum {
    IP_PROTO_HOPOPTS = 0,
    IP_PROTO_ICMP = 1,
    IP_PROTO_IPIP = 4,
    IP_PROTO_TCP = 6,
    IP_PROTO_UDP = 17,
    IP_PROTO_IPV6 = 41,
    IP_PROTO_ROUTING = 43,
    IP_PROTO_FRAGMENT = 44,
    IP_PROTO_GRE = 47,
    IP_PROTO_ESP = 50,
    IP_PROTO_AH = 51,
    IP_PROTO_ICMPV6 = 58,
    IP_PROTO_NONE = 59,
    IP_PROTO_DSTOPTS = 60,
    IP_PROTO_SCTP = 132,
    IP_PROTO_MH = 135,
    IP_PROTO_HIP = 139,
    IP_PROTO_SHIM6 = 140,
};

/* One's complement check of an L4 segment (l4[0..len) including its checksum
 * field) with the pseudo header of the packet's innermost IP layer (p->src,
 * p->dst, p->l3). Returns true when the checksum is wrong. */
bool decode_ip_l4_csum_is_bad(const Packet *p, uint8_t proto, const uint8_t *l4, uint32_t len);

/* Whether the L4 checksum of the packet can and should be checked now:
 * validation is on and the segment is complete (not an IP fragment). */
bool decode_ip_l4_csum_wanted(const DecodeThreadCtx *dtv, const Packet *p);

/* Records an L4 checksum result: flag, counter and auto-mode bookkeeping. */
void decode_ip_l4_csum_record(DecodeThreadCtx *dtv, Packet *p, bool bad);

/* Whether packets of this IP protocol and ports (either way) are sent on a
 * tunnel's protocol or enabled UDP port (decode-udp.c): the flow stage
 * looks all packets of such flows up in one place (PKT_F_TUNNEL_PROTO). */
bool decode_ip_is_tunnel_proto(const DecodeThreadCtx *dtv, uint8_t proto, uint16_t sp,
                               uint16_t dp);

#endif
