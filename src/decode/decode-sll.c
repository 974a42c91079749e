/* Linux "cooked" captures (pcap-linktype(7)).
 * SLL (v1), 16 bytes: packet type 2, ARPHRD type 2, address length 2,
 * address 8, protocol 2 (an ethertype for the cases decoded here).
 * SLL2, 20 bytes: protocol 2, reserved 2, interface index 4, ARPHRD type 2,
 * packet type 1, address length 1, address 8. */

#include "decode/decode.h"

#include "util/util-byte.h"
#include "util/util-error.h"

#define SLL_HEADER_LEN 16u
#define SLL_PROTO_OFFSET 14u
#define SLL2_HEADER_LEN 20u
#define SLL2_PROTO_OFFSET 0u

/* Unknown protocols (e.g. 802.2 LLC, CAN) leave the packet opaque, which
 * is not an error. */
static int sll_dispatch(DecodeThreadCtx *dtv, Packet *p, uint16_t proto, const uint8_t *pkt,
                        uint32_t len)
{
    int rc = decode_ethertype(dtv, p, proto, pkt, len);
    return rc == VG_EUNSUPPORTED ? 0 : rc;
}

int decode_sll(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len < SLL_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_SLL_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    decode_count(dtv, DC_SLL);
    uint16_t proto = util_be16(pkt + SLL_PROTO_OFFSET);
    return sll_dispatch(dtv, p, proto, pkt + SLL_HEADER_LEN, len - SLL_HEADER_LEN);
}

int decode_sll2(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len < SLL2_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_SLL_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    decode_count(dtv, DC_SLL2);
    uint16_t proto = util_be16(pkt + SLL2_PROTO_OFFSET);
    return sll_dispatch(dtv, p, proto, pkt + SLL2_HEADER_LEN, len - SLL2_HEADER_LEN);
}
