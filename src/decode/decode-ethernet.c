/* Ethernet II (IEEE 802.3 with an ethertype): 6 bytes destination, 6 bytes
 * source, 2 bytes ethertype. 802.3 length/LLC frames (type < 0x0600) are
 * counted as an unknown ethertype, as Suricata does. */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

int decode_ethernet(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len < ETHERNET_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_ETHERNET_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    decode_count(dtv, DC_ETHERNET);
    uint16_t ethertype = util_be16(pkt + 12);
    int rc = decode_ethertype(dtv, p, ethertype, pkt + ETHERNET_HEADER_LEN,
                              len - ETHERNET_HEADER_LEN);
    if (rc == VG_EUNSUPPORTED) {
        /* An opaque payload is not a broken frame. */
        decode_event(dtv, p, DECODE_EV_ETHERNET_UNKNOWN_ETHERTYPE);
        return 0;
    }
    return rc;
}
