/* UDP (RFC 768): header, length, checksum, then the UDP tunnels selected
 * by port (Teredo, Geneve, VXLAN, tried in that order as Suricata does).
 * Events and conditions follow Suricata. */

#include "decode/decode.h"

#include "decode/decode-ip-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define UDP_HDR_LEN 8u

/* Returns the datagram length to use (header included), or 0 after raising
 * the event that makes the datagram undecodable. len is the IP payload. */
static uint32_t udp_check_lengths(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt,
                                  uint32_t len)
{
    if (len < UDP_HDR_LEN) {
        decode_event(dtv, p, DECODE_EV_UDP_HLEN_TOO_SMALL);
        return 0;
    }
    uint32_t udp_len = util_be16(pkt + 4);
    if (udp_len > len) {
        decode_event(dtv, p, DECODE_EV_UDP_PKT_TOO_SMALL);
        return 0;
    }
    if (udp_len < UDP_HDR_LEN) {
        decode_event(dtv, p, DECODE_EV_UDP_LEN_INVALID);
        return 0;
    }
    return udp_len;          // bytes past it (but inside the IP datagram) are ignored
}

/* A zero checksum means "not computed" over IPv4 (RFC 768); over IPv6 it
 * is not allowed (RFC 8200 section 8.1) and is checked like any other. */
static void udp_check_csum(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t udp_len)
{
    if (!decode_ip_l4_csum_wanted(dtv, p)) {
        return;
    }
    if (p->l3 == PKT_L3_IPV4 && util_be16(pkt + 6) == 0) {
        return;
    }
    p->udp.csum_bad = decode_ip_l4_csum_is_bad(p, IP_PROTO_UDP, pkt, udp_len);
    decode_ip_l4_csum_record(dtv, p, p->udp.csum_bad);
}

static bool is_port(bool is_enabled, uint16_t port, uint16_t sp, uint16_t dp)
{
    return is_enabled && (sp == port || dp == port);
}

/* Whether sp or dp is one of decoder.teredo.ports (not for "every port"). */
static bool is_teredo_port(const DecodeThreadCtx *dtv, uint16_t sp, uint16_t dp)
{
    for (uint32_t i = 0; i < dtv->n_teredo_ports; i++) {
        if (sp == dtv->teredo_ports[i] || dp == dtv->teredo_ports[i]) {
            return true;
        }
    }
    return false;
}

bool decode_ip_is_tunnel_proto(const DecodeThreadCtx *dtv, uint8_t proto, uint16_t sp,
                               uint16_t dp)
{
    switch (proto) {
    case IP_PROTO_GRE:
    case IP_PROTO_IPIP:
    case IP_PROTO_IPV6:
        return true;
    case IP_PROTO_UDP:
        /* VXLAN is decoded on the destination port only; its flow has the
         * port on either side. Teredo on every port marks only the packets
         * that hold it (udp_tunnels): all UDP would be no application's. */
        return (dtv->teredo_enabled && !dtv->teredo_any_port && is_teredo_port(dtv, sp, dp)) ||
               is_port(dtv->geneve_enabled, dtv->geneve_port, sp, dp) ||
               is_port(dtv->vxlan_enabled, dtv->vxlan_port, sp, dp);
    default:
        return false;
    }
}

/* Tries the tunnels configured for the ports. A tunnel decoder that fails
 * leaves the outer vars as they were, so the packet stays plain UDP. */
static void udp_tunnels(DecodeThreadCtx *dtv, Packet *p)
{
    const uint8_t *data = p->payload;
    uint32_t data_len = p->payload_len;
    if (dtv->teredo_enabled &&
        (dtv->teredo_any_port || is_teredo_port(dtv, p->sp, p->dp))) {
        if (decode_teredo(dtv, p, data, data_len) == 0) {
            if (dtv->teredo_any_port) {
                p->flags |= PKT_F_TUNNEL_PROTO;
            }
            return;
        }
    }
    if (dtv->geneve_enabled && (p->sp == dtv->geneve_port || p->dp == dtv->geneve_port)) {
        if (decode_geneve(dtv, p, data, data_len) == 0) {
            return;
        }
    }
    if (dtv->vxlan_enabled && p->dp == dtv->vxlan_port) {
        (void)decode_vxlan(dtv, p, data, data_len);
    }
}

int decode_udp(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_UDP);
    uint32_t udp_len = udp_check_lengths(dtv, p, pkt, len);
    if (udp_len == 0) {
        return VG_EINVAL;
    }
    p->udp = (UdpVars){ .hdr = pkt, .len = util_be16(pkt + 4) };
    p->sp = util_be16(pkt);
    p->dp = util_be16(pkt + 2);
    p->l4 = PKT_L4_UDP;
    p->proto = IP_PROTO_UDP;
    p->payload = pkt + UDP_HDR_LEN;
    p->payload_len = udp_len - UDP_HDR_LEN;
    udp_check_csum(dtv, p, pkt, udp_len);
    if (decode_ip_is_tunnel_proto(dtv, IP_PROTO_UDP, p->sp, p->dp)) {
        p->flags |= PKT_F_TUNNEL_PROTO;
    }

    udp_tunnels(dtv, p); // fragments never get here: defrag decodes the whole datagram
    return 0;
}
