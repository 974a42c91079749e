/* Network Service Header (RFC 8300), ethertype 0x894F. Base header, 8
 * bytes: version 2 bits, O, U, TTL 6 bits, length 6 bits (in 4-byte words,
 * the whole NSH header), 4 unassigned bits, MD type 4 bits, next protocol 1
 * byte, then the service path (SPI 3 bytes, SI 1 byte) and the context
 * headers that make up the rest of length.
 * As in Suricata: version other than 0, a reserved (0, 0xF) or unknown MD
 * type, and a next protocol other than IPv4 (1), IPv6 (2), Ethernet (3) or
 * MPLS (5) raise an event and leave the rest opaque; a length that leaves no
 * payload, or an MD type 1 header that is not 24 bytes, is invalid. */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define NSH_BASE_LEN 8u
#define NSH_MD1_LEN 24u

enum {
    NSH_MD_TYPE_1 = 1,           // fixed-length context header
    NSH_MD_TYPE_2 = 2,           // variable-length context headers
    NSH_MD_TYPE_RESERVED = 0xF,
};

enum {
    NSH_NEXT_IPV4 = 1,
    NSH_NEXT_IPV6 = 2,
    NSH_NEXT_ETHERNET = 3,
    NSH_NEXT_MPLS = 5,
};

/* Checks version, length and MD type. Returns the header length, or 0 when
 * decoding stops here; *rc is then the decoder's result. */
static uint32_t nsh_header_len(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len,
                               int *rc)
{
    uint16_t word = util_be16(pkt);
    uint32_t hlen = (uint32_t)(word & 0x003Fu) * 4;
    uint8_t md_type = pkt[2] & 0x0Fu;
    *rc = 0;
    if ((word >> 14) != 0) {
        decode_event(dtv, p, DECODE_EV_NSH_UNSUPPORTED_VERSION);
        return 0;
    }
    if (hlen < NSH_BASE_LEN || hlen >= len || (md_type == NSH_MD_TYPE_1 && hlen != NSH_MD1_LEN)) {
        decode_event(dtv, p, DECODE_EV_NSH_BAD_HEADER_LENGTH);
        *rc = VG_EINVAL;
        return 0;
    }
    if (md_type == 0 || md_type == NSH_MD_TYPE_RESERVED) {
        decode_event(dtv, p, DECODE_EV_NSH_RESERVED_TYPE);
        return 0;
    }
    if (md_type != NSH_MD_TYPE_1 && md_type != NSH_MD_TYPE_2) {
        decode_event(dtv, p, DECODE_EV_NSH_UNSUPPORTED_TYPE);
        return 0;
    }
    return hlen;
}

int decode_nsh(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_NSH);
    if (len < NSH_BASE_LEN) {
        decode_event(dtv, p, DECODE_EV_NSH_HEADER_TOO_SMALL);
        return VG_EINVAL;
    }
    if (decode_link_shim_enter(dtv, p) < 0) {
        return VG_EINVAL;
    }
    int rc;
    uint32_t hlen = nsh_header_len(dtv, p, pkt, len, &rc);
    if (hlen == 0) {
        return rc;
    }
    const uint8_t *payload = pkt + hlen;
    uint32_t payload_len = len - hlen;
    switch (pkt[3]) {
    case NSH_NEXT_IPV4:
        return decode_ipv4(dtv, p, payload, payload_len);
    case NSH_NEXT_IPV6:
        return decode_ipv6(dtv, p, payload, payload_len);
    case NSH_NEXT_ETHERNET:
        return decode_ethernet(dtv, p, payload, payload_len);
    case NSH_NEXT_MPLS:
        return decode_mpls(dtv, p, payload, payload_len);
    default:
        decode_event(dtv, p, DECODE_EV_NSH_UNKNOWN_PAYLOAD);
        return 0;
    }
}
