/* PPPoE (RFC 2516). Both stages share a 6-byte header: version and type
 * (4 bits each, 1 and 1), code, session id, payload length.
 * Session stage (ethertype 0x8864): code 0, the payload is a PPP frame.
 * Discovery stage (0x8863): PADI/PADO/PADR/PADS/PADT carrying TLV tags
 * (type 2, length 2, value). */

#include "decode/decode.h"

#include <stdbool.h>

#include "util/util-byte.h"
#include "util/util-error.h"

#define PPPOE_HEADER_LEN 6u
#define PPPOE_TAG_HEADER_LEN 4u
#define PPPOE_PPP_PROTO_LEN 2u
#define PPPOE_TAG_END_OF_LIST 0x0000u

enum {
    PPPOE_CODE_SESSION = 0x00,
    PPPOE_CODE_PADO = 0x07,
    PPPOE_CODE_PADI = 0x09,
    PPPOE_CODE_PADR = 0x19,
    PPPOE_CODE_PADS = 0x65,
    PPPOE_CODE_PADT = 0xA7,
};

static bool discovery_code_known(uint8_t code)
{
    switch (code) {
    case PPPOE_CODE_PADO:
    case PPPOE_CODE_PADI:
    case PPPOE_CODE_PADR:
    case PPPOE_CODE_PADS:
    case PPPOE_CODE_PADT:
        return true;
    default:
        return false;
    }
}

/* The payload length field, checked against what was captured: Ethernet
 * padding may follow the payload, but a payload may not be longer. */
static int pppoe_payload_len(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len,
                             DecodeEvent ev, uint32_t *out)
{
    uint32_t plen = util_be16(pkt + 4);
    if (plen > len - PPPOE_HEADER_LEN) {
        decode_event(dtv, p, ev);
        return VG_EINVAL;
    }
    *out = plen;
    return 0;
}

int decode_pppoe_session(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len < PPPOE_HEADER_LEN + PPPOE_PPP_PROTO_LEN) {
        decode_event(dtv, p, DECODE_EV_PPPOE_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    decode_count(dtv, DC_PPPOE);
    if (pkt[1] != PPPOE_CODE_SESSION) {
        decode_event(dtv, p, DECODE_EV_PPPOE_WRONG_CODE);
        return VG_EINVAL;
    }
    uint32_t plen = 0;
    if (pppoe_payload_len(dtv, p, pkt, len, DECODE_EV_PPPOE_PKT_TOO_SMALL, &plen) < 0) {
        return VG_EINVAL;
    }
    return decode_ppp(dtv, p, pkt + PPPOE_HEADER_LEN, plen);
}

/* Walks the tags up to End-Of-List or the end of the payload; every tag
 * must fit entirely. */
static bool discovery_tags_valid(const uint8_t *tags, uint32_t len)
{
    uint32_t off = 0;
    while (off < len) {
        if (len - off < PPPOE_TAG_HEADER_LEN) {
            return false;
        }
        uint16_t type = util_be16(tags + off);
        uint32_t tag_len = util_be16(tags + off + 2);
        if (type == PPPOE_TAG_END_OF_LIST) {
            return true;
        }
        off += PPPOE_TAG_HEADER_LEN;
        if (tag_len > len - off) {
            return false;
        }
        off += tag_len;
    }
    return true;
}

int decode_pppoe_discovery(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len < PPPOE_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_PPPOE_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    decode_count(dtv, DC_PPPOE);
    if (!discovery_code_known(pkt[1])) {
        decode_event(dtv, p, DECODE_EV_PPPOE_WRONG_CODE);
        return VG_EINVAL;
    }
    uint32_t plen = 0;
    if (pppoe_payload_len(dtv, p, pkt, len, DECODE_EV_PPPOE_MALFORMED_TAGS, &plen) < 0) {
        return VG_EINVAL;
    }
    if (!discovery_tags_valid(pkt + PPPOE_HEADER_LEN, plen)) {
        decode_event(dtv, p, DECODE_EV_PPPOE_MALFORMED_TAGS);
        return VG_EINVAL;
    }
    return 0;
}
