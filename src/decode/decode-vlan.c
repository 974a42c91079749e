/* IEEE 802.1Q tags and 802.1ad (QinQ) service tags (up to PACKET_MAX_VLANS): 2 bytes TCI (PCP 3
 * bits, DEI 1 bit, VID 12 bits) then the next ethertype. Up to
 * PACKET_MAX_VLANS ids are kept in p->vlan_id[] (outermost first); a deeper
 * tag raises vlan.too_many_layers and stops decoding.
 * IEEE 802.1ah (provider backbone bridging) I-tags: 4 bytes of flags and
 * service id, the customer's destination and source addresses (6 + 6),
 * then the customer ethertype; an ethertype nothing decodes leaves the
 * frame opaque, as in Suricata. */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define VLAN_HEADER_LEN 4u
#define VLAN_ID_MASK 0x0FFFu
#define IEEE8021AH_HEADER_LEN 18u
#define IEEE8021AH_TYPE_OFFSET 16u

static void count_level(DecodeThreadCtx *dtv, uint8_t level)
{
    static const DecodeCounter by_level[] = { DC_VLAN, DC_VLAN_QINQ, DC_VLAN_QINQINQ };
    if (level < sizeof(by_level) / sizeof(by_level[0])) {
        decode_count(dtv, by_level[level]);
    }
}

int decode_vlan(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    uint8_t level = p->n_vlan;
    count_level(dtv, level);
    if (level >= PACKET_MAX_VLANS) {
        decode_event(dtv, p, DECODE_EV_VLAN_TOO_MANY_LAYERS);
        return VG_EINVAL;
    }
    if (len < VLAN_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_VLAN_HEADER_TOO_SMALL);
        return VG_EINVAL;
    }
    p->vlan_id[level] = util_be16(pkt) & VLAN_ID_MASK;
    p->n_vlan = (uint8_t)(level + 1);
    uint16_t ethertype = util_be16(pkt + 2);
    int rc = decode_ethertype(dtv, p, ethertype, pkt + VLAN_HEADER_LEN, len - VLAN_HEADER_LEN);
    if (rc == VG_EUNSUPPORTED) {
        decode_event(dtv, p, DECODE_EV_VLAN_UNKNOWN_TYPE);
        return VG_EINVAL;
    }
    return rc;
}

int decode_ieee8021ah(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_IEEE8021AH);
    if (len < IEEE8021AH_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_IEEE8021AH_HEADER_TOO_SMALL);
        return VG_EINVAL;
    }
    if (decode_link_shim_enter(dtv, p) < 0) {
        return VG_EINVAL;
    }
    uint16_t type = util_be16(pkt + IEEE8021AH_TYPE_OFFSET);
    int rc = decode_ethertype(dtv, p, type, pkt + IEEE8021AH_HEADER_LEN,
                              len - IEEE8021AH_HEADER_LEN);
    return rc == VG_EUNSUPPORTED ? 0 : rc;
}
