/* ARP (RFC 826): recognised, counted and kept for EVE arp records. The
 * fixed part is 8 bytes (hardware type, protocol type, hardware and
 * protocol address lengths, opcode), then two (hardware, protocol) address
 * pairs. Suricata defines no ARP events, so a short ARP packet is only
 * marked invalid. The packet's l3 view is the ARP header (p->l3_hdr). */

#include "decode/decode.h"

#include "util/util-byte.h"
#include "util/util-error.h"

#define ARP_FIXED_LEN 8u

int decode_arp(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_ARP);
    if (len < ARP_FIXED_LEN) {
        return VG_EINVAL;
    }
    uint32_t addrs_len = 2u * ((uint32_t)pkt[4] + pkt[5]);
    if (addrs_len > len - ARP_FIXED_LEN) {
        return VG_EINVAL;
    }
    p->l3 = PKT_L3_ARP;
    p->l3_hdr = pkt;
    p->l3_len = ARP_FIXED_LEN + addrs_len;
    return 0;
}

bool decode_arp_view(const Packet *p, DecodeArpView *v)
{
    if (p->l3 != PKT_L3_ARP || p->l3_hdr == NULL || p->l3_len < ARP_FIXED_LEN) {
        return false;
    }
    const uint8_t *h = p->l3_hdr;
    v->hw_type = util_be16(h);
    v->proto_type = util_be16(h + 2);
    v->opcode = util_be16(h + 6);
    v->hw_len = h[4];
    v->proto_len = h[5];
    v->sender_hw = h + ARP_FIXED_LEN;
    v->sender_proto = v->sender_hw + v->hw_len;
    v->target_hw = v->sender_proto + v->proto_len;
    v->target_proto = v->target_hw + v->hw_len;
    return true;
}
