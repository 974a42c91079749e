/* BSD loopback encapsulation: DLT_NULL (a 4-byte address family in the
 * capturing host's byte order) and DLT_LOOP (the same in network order).
 * Since the capturing host's order is unknown, the family is read in
 * whichever order gives a small number: real families are below 2^16. */

#include "decode/decode.h"

#include "util/util-byte.h"
#include "util/util-error.h"

#define NULL_HEADER_LEN 4u

/* Address family values found in captures (pcap-linktype(7)). */
enum {
    NULL_AF_INET = 2,
    NULL_AF_INET6_LINUX = 10,
    NULL_AF_INET6_BSD = 24,          // NetBSD, OpenBSD, BSD/OS
    NULL_AF_INET6_FREEBSD = 28,
    NULL_AF_INET6_DARWIN = 30,
};

static uint32_t null_family(const uint8_t *pkt)
{
    uint32_t fam = util_le32(pkt);
    if (fam > 0xFFFFu) {
        fam = util_be32(pkt);
    }
    return fam;
}

int decode_null(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len < NULL_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_LTNULL_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    decode_count(dtv, DC_NULL);
    const uint8_t *payload = pkt + NULL_HEADER_LEN;
    uint32_t payload_len = len - NULL_HEADER_LEN;
    switch (null_family(pkt)) {
    case NULL_AF_INET:
        return decode_ipv4(dtv, p, payload, payload_len);
    case NULL_AF_INET6_LINUX:
    case NULL_AF_INET6_BSD:
    case NULL_AF_INET6_FREEBSD:
    case NULL_AF_INET6_DARWIN:
        return decode_ipv6(dtv, p, payload, payload_len);
    default:
        decode_event(dtv, p, DECODE_EV_LTNULL_UNSUPPORTED_TYPE);
        return VG_EINVAL;
    }
}
