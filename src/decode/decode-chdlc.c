/* Cisco HDLC (pcap link type 104): address 1 byte (0x0F unicast, 0x8F
 * broadcast), control 1 byte, protocol 2 bytes (an ethertype), then the
 * payload. Protocols other than those decode_ethertype knows (SLARP 0x8035,
 * CDP 0x2000) leave the frame opaque, which is not an error. The address
 * and control bytes are not checked: Suricata does not either. */

#include "decode/decode.h"

#include "util/util-byte.h"
#include "util/util-error.h"

#define CHDLC_HEADER_LEN 4u
#define CHDLC_PROTO_OFFSET 2u

int decode_chdlc(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_CHDLC);
    if (len < CHDLC_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_CHDLC_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    uint16_t proto = util_be16(pkt + CHDLC_PROTO_OFFSET);
    int rc = decode_ethertype(dtv, p, proto, pkt + CHDLC_HEADER_LEN, len - CHDLC_HEADER_LEN);
    return rc == VG_EUNSUPPORTED ? 0 : rc;
}
