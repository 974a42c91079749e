/* Cisco VN-Tag (ethertype 0x8926, IEEE 802.1Qbh draft): 4 bytes of tag
 * (direction, pointer, destination and source virtual interfaces), then the
 * next ethertype. As in Suricata, an ethertype nothing decodes after the tag
 * is an error (vntag.unknown_type), unlike after a plain Ethernet header. */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define VNTAG_HEADER_LEN 6u
#define VNTAG_TYPE_OFFSET 4u

int decode_vntag(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_VNTAG);
    if (len < VNTAG_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_VNTAG_HEADER_TOO_SMALL);
        return VG_EINVAL;
    }
    if (decode_link_shim_enter(dtv, p) < 0) {
        return VG_EINVAL;
    }
    uint16_t type = util_be16(pkt + VNTAG_TYPE_OFFSET);
    int rc = decode_ethertype(dtv, p, type, pkt + VNTAG_HEADER_LEN, len - VNTAG_HEADER_LEN);
    if (rc == VG_EUNSUPPORTED) {
        decode_event(dtv, p, DECODE_EV_VNTAG_UNKNOWN_TYPE);
        return VG_EINVAL;
    }
    return rc;
}
