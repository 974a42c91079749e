/* Cisco FabricPath (ethertype 0x8903, Suricata's "DCE" layer): after the
 * outer Ethernet header, 2 bytes of forwarding tag and TTL, then the
 * customer's whole Ethernet frame. Suricata decodes the inner frame as plain
 * Ethernet (counted again in decoder.ethernet) and wants at least a full
 * inner Ethernet header, else dce.pkt_too_small. */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "util/util-error.h"

#define FABRICPATH_TAG_LEN 2u

int decode_fabricpath(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len < FABRICPATH_TAG_LEN + ETHERNET_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_DCE_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    if (decode_link_shim_enter(dtv, p) < 0) {
        return VG_EINVAL;
    }
    return decode_ethernet(dtv, p, pkt + FABRICPATH_TAG_LEN, len - FABRICPATH_TAG_LEN);
}
