/* Geneve (RFC 8926), called by the UDP decoder for the configured port
 * (either direction). Header, 8 bytes: version 2 bits, options length 6
 * bits (4-byte words), O and C flags then 6 reserved bits, protocol type 2
 * bytes (an ethertype), VNI 3 bytes, reserved 1 byte; then the options,
 * each 4 bytes (class 2, type 1, 3 reserved bits, length 5 bits in 4-byte
 * words) plus its data.
 *
 * As in Suricata, the payload is Geneve only when the version is 0, the
 * reserved bits are 0 and the options exactly fill their length; otherwise
 * VG_EINVAL, no event, packet untouched (plain UDP). Once recognised: IPv4,
 * IPv6 and Ethernet (0x6558) are decoded as one tunnel level, ARP is left
 * opaque, another type raises geneve.unknown_payload_type and makes the
 * packet invalid; the function then returns 0 (inner failures show as
 * PKT_F_INVALID). */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define GENEVE_HEADER_LEN 8u
#define GENEVE_OPTION_HEADER_LEN 4u
#define GENEVE_RESERVED_FLAGS 0x3Fu

/* Whether the option headers exactly fill opts[0..len). */
static bool geneve_options_fit(const uint8_t *opts, uint32_t len)
{
    uint32_t off = 0;
    while (off < len) {
        if (len - off < GENEVE_OPTION_HEADER_LEN) {
            return false;
        }
        off += GENEVE_OPTION_HEADER_LEN + (uint32_t)(opts[off + 3] & 0x1Fu) * 4;
    }
    return off == len;
}

/* Header length when pkt is a Geneve header we decode, else 0. */
static uint32_t geneve_header_len(const uint8_t *pkt, uint32_t len)
{
    if (len < GENEVE_HEADER_LEN) {
        return 0;
    }
    uint32_t hlen = GENEVE_HEADER_LEN + (uint32_t)(pkt[0] & 0x3Fu) * 4;
    if (hlen > len || (pkt[0] >> 6) != 0 || (pkt[1] & GENEVE_RESERVED_FLAGS) != 0 ||
        pkt[7] != 0) {
        return 0;
    }
    if (!geneve_options_fit(pkt + GENEVE_HEADER_LEN, hlen - GENEVE_HEADER_LEN)) {
        return 0;
    }
    return hlen;
}

static int geneve_inner(DecodeThreadCtx *dtv, Packet *p, uint16_t type, const uint8_t *pkt,
                        uint32_t len)
{
    switch (type) {
    case ETHERTYPE_IPV4:
    case ETHERTYPE_IPV6:
    case ETHERTYPE_TEB:
        return decode_tunnel_spawn(dtv, p, PKT_TUNNEL_GENEVE, type, pkt, len);
    case ETHERTYPE_ARP:
        return 0;
    default:
        decode_event(dtv, p, DECODE_EV_GENEVE_UNKNOWN_PAYLOAD_TYPE);
        return VG_EINVAL;
    }
}

int decode_geneve(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (!dtv->geneve_enabled) {
        return VG_EINVAL;
    }
    uint32_t hlen = geneve_header_len(pkt, len);
    if (hlen == 0) {
        return VG_EINVAL;
    }
    decode_count(dtv, DC_GENEVE);
    if (geneve_inner(dtv, p, util_be16(pkt + 2), pkt + hlen, len - hlen) < 0) {
        p->flags |= PKT_F_INVALID;
    }
    return 0;
}
