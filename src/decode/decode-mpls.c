/* MPLS (RFC 3032): a stack of 4-byte entries (label 20 bits, traffic class
 * 3, bottom-of-stack 1, TTL 8) ended by the entry with the S bit. What
 * follows is not typed; like Suricata, the bottom label decides first
 * (RFC 3032 section 2.1 reserved labels), then the first nibble: 4 IPv4,
 * 6 IPv6, 0 an Ethernet pseudowire behind a 4-byte control word
 * (RFC 4385), anything else is unknown. */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define MPLS_ENTRY_LEN 4u
#define MPLS_CONTROL_WORD_LEN 4u
#define MPLS_BOTTOM_OF_STACK 0x00000100u
#define MPLS_LABEL_SHIFT 12

enum {
    MPLS_LABEL_IPV4_NULL = 0,
    MPLS_LABEL_ROUTER_ALERT = 1,
    MPLS_LABEL_IPV6_NULL = 2,
    MPLS_LABEL_IMPLICIT_NULL = 3,
    MPLS_LABEL_MAX_RESERVED = 15,
};

/* Ethernet pseudowire: control word (first nibble 0), then a frame. */
static int mpls_ethernet(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len < MPLS_CONTROL_WORD_LEN + ETHERNET_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_MPLS_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    if (decode_tunnel_enter(dtv, p) < 0) {
        return VG_EINVAL;
    }
    return decode_ethernet(dtv, p, pkt + MPLS_CONTROL_WORD_LEN, len - MPLS_CONTROL_WORD_LEN);
}

static int mpls_guess_payload(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len < 1) {
        decode_event(dtv, p, DECODE_EV_MPLS_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    switch (pkt[0] >> 4) {
    case 4:
        return decode_ipv4(dtv, p, pkt, len);
    case 6:
        return decode_ipv6(dtv, p, pkt, len);
    case 0:
        return mpls_ethernet(dtv, p, pkt, len);
    default:
        decode_event(dtv, p, DECODE_EV_MPLS_UNKNOWN_PAYLOAD_TYPE);
        return 0;
    }
}

int decode_mpls(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_MPLS);
    uint32_t entry = 0;
    do {
        if (len < MPLS_ENTRY_LEN) {
            decode_event(dtv, p, DECODE_EV_MPLS_HEADER_TOO_SMALL);
            return VG_EINVAL;
        }
        entry = util_be32(pkt);
        pkt += MPLS_ENTRY_LEN;
        len -= MPLS_ENTRY_LEN;
    } while ((entry & MPLS_BOTTOM_OF_STACK) == 0);

    uint32_t label = entry >> MPLS_LABEL_SHIFT;
    switch (label) {
    case MPLS_LABEL_IPV4_NULL:
        return decode_ipv4(dtv, p, pkt, len);
    case MPLS_LABEL_IPV6_NULL:
        return decode_ipv6(dtv, p, pkt, len);
    case MPLS_LABEL_ROUTER_ALERT:
        decode_event(dtv, p, DECODE_EV_MPLS_BAD_LABEL_ROUTER_ALERT);
        return VG_EINVAL;
    case MPLS_LABEL_IMPLICIT_NULL:
        /* Never on the wire: it means "pop", so a packet carrying it is bad. */
        decode_event(dtv, p, DECODE_EV_MPLS_BAD_LABEL_IMPLICIT_NULL);
        return VG_EINVAL;
    default:
        break;
    }
    if (label <= MPLS_LABEL_MAX_RESERVED) {
        decode_event(dtv, p, DECODE_EV_MPLS_BAD_LABEL_RESERVED);
        return VG_EINVAL;
    }
    return mpls_guess_payload(dtv, p, pkt, len);
}
