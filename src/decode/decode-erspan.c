/* ERSPAN (Cisco encapsulated remote SPAN), GRE protocol type 0x88BE.
 * Type II is told from type I by the GRE sequence bit (set for type II).
 * Type II has an 8-byte header: version 4 bits (1 for type II), VLAN 12
 * bits, COS/encapsulation/truncation 4 bits, session id 12 bits, reserved
 * 12 bits, index 20 bits; then the mirrored Ethernet frame. Type I has no
 * header at all. The VLAN of the header, when not 0, is the mirrored
 * frame's original tag and is kept like an 802.1Q id (ERSPAN type III,
 * GRE type 0x22EB, is not decoded: Suricata does not either). */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define ERSPAN_II_HEADER_LEN 8u
#define ERSPAN_II_VERSION 1u
#define ERSPAN_VLAN_MASK 0x0FFFu

int decode_erspan(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_ERSPAN);
    if (len < ERSPAN_II_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_ERSPAN_HEADER_TOO_SMALL);
        return VG_EINVAL;
    }
    uint16_t ver_vlan = util_be16(pkt);
    if ((ver_vlan >> 12) != ERSPAN_II_VERSION) {
        decode_event(dtv, p, DECODE_EV_ERSPAN_UNSUPPORTED_VERSION);
        return VG_EINVAL;
    }
    uint16_t vlan = ver_vlan & ERSPAN_VLAN_MASK;
    if (vlan != 0) {
        if (p->n_vlan >= PACKET_MAX_VLANS) {
            decode_event(dtv, p, DECODE_EV_ERSPAN_TOO_MANY_VLAN_LAYERS);
            return VG_EINVAL;
        }
        p->vlan_id[p->n_vlan++] = vlan;
    }
    return decode_ethernet(dtv, p, pkt + ERSPAN_II_HEADER_LEN, len - ERSPAN_II_HEADER_LEN);
}
