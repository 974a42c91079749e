/* PPP frames (RFC 1661) as carried by PPPoE sessions, PPTP enhanced GRE
 * and the PPP link types: an optional address/control pair (0xFF 0x03),
 * then the protocol field, 2 bytes or 1 when protocol-field compression
 * applies (RFC 1661 section 6.5: a protocol whose first byte is odd was sent
 * as one byte).
 * Routers also write Cisco HDLC frames under the PPP link types (RFC 1547
 * section 4.3.1); those start with a Cisco HDLC address byte (0x0F or 0x8F),
 * which no assigned PPP protocol does, and are decoded as such. */

#include "decode/decode.h"

#include "util/util-byte.h"
#include "util/util-error.h"

#define PPP_ADDRESS 0xFFu
#define PPP_CONTROL 0x03u
#define CHDLC_ADDRESS_UNICAST 0x0Fu
#define CHDLC_ADDRESS_BROADCAST 0x8Fu
#define IPV4_MIN_HEADER_LEN 20u
#define IPV6_HEADER_LEN 40u

enum {
    PPP_PROTO_IPV4 = 0x0021,
    PPP_PROTO_VJ_UNCOMPRESSED = 0x002F,
    PPP_PROTO_IPV6 = 0x0057,
    PPP_PROTO_MPLS_UC = 0x0281,
    PPP_PROTO_MPLS_MC = 0x0283,
};

/* Reads the protocol field; returns its size in bytes, 0 if missing. */
static uint32_t ppp_protocol(const uint8_t *pkt, uint32_t len, uint16_t *proto)
{
    if (len >= 1 && (pkt[0] & 1u) != 0) {
        *proto = pkt[0];
        return 1;
    }
    if (len < 2) {
        return 0;
    }
    *proto = util_be16(pkt);
    return 2;
}

/* RFC 1661 section 2: a valid protocol number has an even high byte (which
 * ppp_protocol guarantees) and an odd low byte. Valid numbers not decoded
 * here are reported, not failed. */
static int ppp_other(DecodeThreadCtx *dtv, Packet *p, uint16_t proto)
{
    if ((proto & 0x0001u) == 0) {
        decode_event(dtv, p, DECODE_EV_PPP_WRONG_TYPE);
        return VG_EINVAL;
    }
    decode_event(dtv, p, DECODE_EV_PPP_UNSUP_PROTO);
    return 0;
}

static int ppp_ipv4(DecodeThreadCtx *dtv, Packet *p, DecodeEvent too_small,
                    const uint8_t *pkt, uint32_t len)
{
    if (len < IPV4_MIN_HEADER_LEN) {
        decode_event(dtv, p, too_small);
        return VG_EINVAL;
    }
    return decode_ipv4(dtv, p, pkt, len);
}

int decode_ppp(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    /* A leading 0xFF is the address field: protocol 0x00FF is reserved. */
    if (len >= 1 && pkt[0] == PPP_ADDRESS) {
        if (len < 2) {
            decode_event(dtv, p, DECODE_EV_PPP_PKT_TOO_SMALL);
            return VG_EINVAL;
        }
        if (pkt[1] != PPP_CONTROL) {
            decode_event(dtv, p, DECODE_EV_PPP_WRONG_TYPE);
            return VG_EINVAL;
        }
        pkt += 2;
        len -= 2;
    }
    uint16_t proto = 0;
    uint32_t hlen = ppp_protocol(pkt, len, &proto);
    if (hlen == 0) {
        decode_event(dtv, p, DECODE_EV_PPP_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    decode_count(dtv, DC_PPP);
    pkt += hlen;
    len -= hlen;
    switch (proto) {
    case PPP_PROTO_IPV4:
        return ppp_ipv4(dtv, p, DECODE_EV_PPP_IP4_PKT_TOO_SMALL, pkt, len);
    case PPP_PROTO_VJ_UNCOMPRESSED:
        /* Van Jacobson uncompressed: an IPv4 header whose protocol byte
         * carries the slot id; decoded as IPv4 as Suricata does. */
        return ppp_ipv4(dtv, p, DECODE_EV_PPP_VJU_PKT_TOO_SMALL, pkt, len);
    case PPP_PROTO_IPV6:
        if (len < IPV6_HEADER_LEN) {
            decode_event(dtv, p, DECODE_EV_PPP_IP6_PKT_TOO_SMALL);
            return VG_EINVAL;
        }
        return decode_ipv6(dtv, p, pkt, len);
    case PPP_PROTO_MPLS_UC:
    case PPP_PROTO_MPLS_MC:
        return decode_mpls(dtv, p, pkt, len);
    default:
        return ppp_other(dtv, p, proto);
    }
}

int decode_ppp_link(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len >= 1 && (pkt[0] == CHDLC_ADDRESS_UNICAST || pkt[0] == CHDLC_ADDRESS_BROADCAST)) {
        return decode_chdlc(dtv, p, pkt, len);
    }
    return decode_ppp(dtv, p, pkt, len);
}
