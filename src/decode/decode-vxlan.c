/* VXLAN (RFC 7348), called by the UDP decoder for the configured port:
 * flags 1 byte (I = 0x08: the VNI is valid), reserved 3, VNI 3, reserved 1,
 * then an Ethernet frame.
 *
 * Return: VG_EINVAL, with no event and the packet untouched, when the
 * payload is not VXLAN (disabled, too short, I flag clear): the caller then
 * treats it as plain UDP. 0 when it was VXLAN: the inner frame has been
 * decoded (decode_tunnel_spawn); if that failed the packet carries
 * PKT_F_INVALID. */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "util/util-error.h"

#define VXLAN_HEADER_LEN 8u
#define VXLAN_FLAG_I 0x08u

int decode_vxlan(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (!dtv->vxlan_enabled || len < VXLAN_HEADER_LEN + ETHERNET_HEADER_LEN) {
        return VG_EINVAL;
    }
    if ((pkt[0] & VXLAN_FLAG_I) == 0) {
        return VG_EINVAL;
    }
    decode_count(dtv, DC_VXLAN);
    if (decode_tunnel_spawn(dtv, p, PKT_TUNNEL_VXLAN, ETHERTYPE_TEB, pkt + VXLAN_HEADER_LEN,
                            len - VXLAN_HEADER_LEN) < 0) {
        p->flags |= PKT_F_INVALID;
    }
    return 0;
}
