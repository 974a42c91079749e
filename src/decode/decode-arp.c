/* ARP (RFC 826): recognised and counted, not inspected further. The fixed
 * part is 8 bytes (hardware type, protocol type, hardware and protocol
 * address lengths, opcode), then two (hardware, protocol) address pairs.
 * Suricata defines no ARP events, so a short ARP packet is only marked
 * invalid. */

#include "decode/decode.h"

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
    return 0;
}
