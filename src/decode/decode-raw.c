/* Raw IP link type (DLT_RAW 101, and 12 / 14 on some platforms): no link
 * header; the version nibble of the first byte picks IPv4 or IPv6. */

#include "decode/decode.h"

#include "util/util-error.h"

int decode_raw(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len < 1) {
        decode_event(dtv, p, DECODE_EV_IPV4_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    decode_count(dtv, DC_RAW);
    switch (pkt[0] >> 4) {
    case 4:
        return decode_ipv4(dtv, p, pkt, len);
    case 6:
        return decode_ipv6(dtv, p, pkt, len);
    default:
        decode_event(dtv, p, DECODE_EV_IPRAW_INVALID_IP_VERSION);
        return VG_EINVAL;
    }
}
