/* Dispatch of an IP payload (IPv4 protocol / IPv6 final next header) to the
 * transport and tunnel decoders, and helpers those decoders share. */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "decode/decode-ip-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

bool decode_ip_l4_csum_is_bad(const Packet *p, uint8_t proto, const uint8_t *l4, uint32_t len)
{
    if (p->l3 == PKT_L3_IPV4) {
        return decode_csum_l4_ipv4(p->src.a.u8, p->dst.a.u8, proto, l4, len) != 0;
    }
    return decode_csum_l4_ipv6(p->src.a.u8, p->dst.a.u8, proto, l4, len) != 0;
}

bool decode_ip_l4_csum_wanted(const DecodeThreadCtx *dtv, const Packet *p)
{
    if (!dtv->validate_checksums || (p->flags & (PKT_F_IS_FRAGMENT | PKT_F_CSUM_UNFINISHED))) {
        return false;
    }
    return p->l3 == PKT_L3_IPV4 || p->l3 == PKT_L3_IPV6;
}

void decode_ip_l4_csum_record(DecodeThreadCtx *dtv, Packet *p, bool bad)
{
    if (bad) {
        p->flags |= PKT_F_L4_CSUM_BAD;
        decode_count(dtv, DC_L4_CSUM_BAD);
    }
    decode_csum_note(dtv, bad);
}

/* A protocol without a decoder: the IP payload is the packet's payload. */
static void ip_payload_other(Packet *p, uint8_t proto, const uint8_t *pkt, uint32_t len)
{
    p->l4 = PKT_L4_OTHER;
    p->proto = proto;
    p->payload = pkt;
    p->payload_len = len;
}

/* IPv6 outer headers check the inner one before recursing, with their own
 * events (ipv6.ipv4_in_ipv6_*, ipv6.ipv6_in_ipv6_*); an IPv4 outer header
 * leaves all checks to the inner decoder, as Suricata does. */
static int ip_tunnel_check_v6_outer(DecodeThreadCtx *dtv, Packet *p, bool inner_v4,
                                    const uint8_t *pkt, uint32_t len)
{
    uint32_t min_len = inner_v4 ? 20 : 40;
    if (len < min_len) {
        decode_event(dtv, p, inner_v4 ? DECODE_EV_IPV6_IPV4_IN_IPV6_TOO_SMALL
                                      : DECODE_EV_IPV6_IPV6_IN_IPV6_TOO_SMALL);
        return VG_EINVAL;
    }
    if ((pkt[0] >> 4) != (inner_v4 ? 4 : 6)) {
        decode_event(dtv, p, inner_v4 ? DECODE_EV_IPV6_IPV4_IN_IPV6_WRONG_VERSION
                                      : DECODE_EV_IPV6_IPV6_IN_IPV6_WRONG_VERSION);
        return VG_ERANGE;
    }
    return 0;
}

/* IPv4 (proto 4) or IPv6 (proto 41) carried directly in IP. The inner
 * header becomes the packet's L3 (innermost wins). */
static int ip_tunnel(DecodeThreadCtx *dtv, Packet *p, uint8_t proto, const uint8_t *pkt,
                     uint32_t len)
{
    bool inner_v4 = proto == IP_PROTO_IPIP;
    bool outer_v6 = p->l3 == PKT_L3_IPV6;
    if (outer_v6) {
        int rc = ip_tunnel_check_v6_outer(dtv, p, inner_v4, pkt, len);
        if (rc == VG_ERANGE) {
            ip_payload_other(p, proto, pkt, len); // not a tunnel after all: keep the outer
            return 0;
        }
        if (rc < 0) {
            return rc;
        }
    }
    if (inner_v4 && !outer_v6 && !dtv->ipip_enabled) {
        ip_payload_other(p, proto, pkt, len);
        return 0;
    }
    ip_payload_other(p, proto, pkt, len); // the outer view, when the inner gets its own packet
    uint8_t kind = outer_v6 ? PKT_TUNNEL_IPV6 : PKT_TUNNEL_IPV4;
    if (inner_v4) {
        decode_count(dtv, outer_v6 ? DC_IPV4_IN_IPV6 : DC_IPV4_IN_IPV4);
        return decode_tunnel_spawn(dtv, p, kind, ETHERTYPE_IPV4, pkt, len);
    }
    decode_count(dtv, outer_v6 ? DC_IPV6_IN_IPV6 : DC_IPV6_IN_IPV4);
    return decode_tunnel_spawn(dtv, p, kind, ETHERTYPE_IPV6, pkt, len);
}

int decode_ip_payload(DecodeThreadCtx *dtv, Packet *p, uint8_t proto, const uint8_t *pkt,
                      uint32_t len)
{
    switch (proto) {
    case IP_PROTO_TCP:
        return decode_tcp(dtv, p, pkt, len);
    case IP_PROTO_UDP:
        return decode_udp(dtv, p, pkt, len);
    case IP_PROTO_ICMP:
        if (p->l3 == PKT_L3_IPV6) {
            /* ICMPv4 has no meaning over IPv6: noted, carried as opaque data. */
            decode_event(dtv, p, DECODE_EV_IPV6_ICMPV4);
            ip_payload_other(p, proto, pkt, len);
            return 0;
        }
        return decode_icmpv4(dtv, p, pkt, len);
    case IP_PROTO_ICMPV6:
        if (p->l3 == PKT_L3_IPV4) {
            /* Suricata treats ICMPv6 over IPv4 as an invalid packet. */
            decode_event(dtv, p, DECODE_EV_IPV4_ICMPV6);
            ip_payload_other(p, proto, pkt, len);
            return VG_EINVAL;
        }
        return decode_icmpv6(dtv, p, pkt, len);
    case IP_PROTO_GRE:
        ip_payload_other(p, proto, pkt, len); // the outer view, when the inner gets its own packet
        p->flags |= PKT_F_TUNNEL_PROTO;
        return decode_gre(dtv, p, pkt, len);
    case IP_PROTO_IPIP:
    case IP_PROTO_IPV6:
        p->flags |= PKT_F_TUNNEL_PROTO;
        return ip_tunnel(dtv, p, proto, pkt, len);
    case IP_PROTO_ESP:
        decode_count(dtv, DC_ESP);
        ip_payload_other(p, proto, pkt, len);
        return 0;
    case IP_PROTO_SCTP:
        /* RFC 9260 common header: ports, verification tag, checksum (12
         * bytes); the ports key the flow and match rule ports, the chunks
         * after it are the payload. Shorter is invalid (sctp.pkt_too_small). */
        decode_count(dtv, DC_SCTP);
        if (len < 12) {
            decode_event(dtv, p, DECODE_EV_SCTP_PKT_TOO_SMALL);
            ip_payload_other(p, proto, pkt, len);
            return VG_EINVAL;
        }
        ip_payload_other(p, proto, pkt + 12, len - 12);
        p->sp = util_be16(pkt);
        p->dp = util_be16(pkt + 2);
        return 0;
    default:
        ip_payload_other(p, proto, pkt, len);
        return 0;
    }
}
