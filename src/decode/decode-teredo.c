/* Teredo (RFC 4380), called by the UDP decoder for the configured port (or
 * every UDP port when decoder.teredo.ports is unset, as in Suricata).
 * The UDP payload is an IPv6 packet, optionally preceded by an origin
 * indication (0x0000, port 2, address 4). A payload that starts with an
 * authentication indication (0x0001, section 5.1.1) belongs to the
 * qualification exchange with a Teredo server, not to the tunnel: like
 * Suricata, it is left as plain UDP. No field says "Teredo", so the payload
 * counts as Teredo only if an IPv6 header follows whose payload length
 * matches the datagram exactly (and, as Suricata requires, whose hop limit
 * is not 0, nor a hop-by-hop header without room for one).
 *
 * Return: VG_EINVAL, no event, packet untouched when it is not Teredo; 0
 * when it was: the inner IPv6 packet has been decoded; if that failed the
 * packet carries PKT_F_INVALID. */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define IPV6_HEADER_LEN 40u
#define IPV6_NH_HOPOPTS 0u
#define IPV6_MIN_EXTHDR_LEN 8u
#define TEREDO_ORIGIN_LEN 8u

enum {
    TEREDO_IND_ORIGIN = 0x0000,
    TEREDO_IND_AUTH = 0x0001,
};

/* Offset of the IPv6 header after the optional origin indication; 0 is a
 * valid offset, a value above len means "not the tunnel" (an authentication
 * indication, or an origin indication cut short). */
static uint32_t teredo_skip_indications(const uint8_t *pkt, uint32_t len)
{
    if (len < 2) {
        return 0;
    }
    uint16_t ind = util_be16(pkt);
    if (ind == TEREDO_IND_AUTH) {
        return len + 1;
    }
    if (ind == TEREDO_IND_ORIGIN) {
        return len < TEREDO_ORIGIN_LEN ? len + 1 : TEREDO_ORIGIN_LEN;
    }
    return 0;
}

static bool teredo_ipv6_plausible(const uint8_t *ip6, uint32_t len)
{
    if (len < IPV6_HEADER_LEN || (ip6[0] >> 4) != 6) {
        return false;
    }
    uint8_t next_hdr = ip6[6];
    uint8_t hop_limit = ip6[7];
    uint32_t plen = util_be16(ip6 + 4);
    if (hop_limit == 0 || (next_hdr == IPV6_NH_HOPOPTS && plen < IPV6_MIN_EXTHDR_LEN)) {
        return false;
    }
    return plen == len - IPV6_HEADER_LEN;
}

int decode_teredo(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (!dtv->teredo_enabled) {
        return VG_EINVAL;
    }
    uint32_t off = teredo_skip_indications(pkt, len);
    if (off > len || !teredo_ipv6_plausible(pkt + off, len - off)) {
        return VG_EINVAL;
    }
    decode_count(dtv, DC_TEREDO);
    if (decode_tunnel_spawn(dtv, p, PKT_TUNNEL_TEREDO, ETHERTYPE_IPV6, pkt + off, len - off) < 0) {
        p->flags |= PKT_F_INVALID;
    }
    return 0;
}
