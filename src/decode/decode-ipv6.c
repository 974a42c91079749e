/* IPv6 (RFC 8200): fixed header, extension header chain (hop-by-hop,
 * routing, fragment, destination options, AH, ESP, no-next-header and the
 * mobility/HIP/shim6 headers), then the upper layer. Events and conditions
 * follow Suricata's decoder so that its decoder-events rules match. */

#include "decode/decode.h"

#include <stdbool.h>
#include <string.h>

#include "decode/decode-ip-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define IPV6_HDR_LEN 40u
#define IPV6_FH_LEN 8u

/* Longest chain walked. Every header takes at least 8 bytes, so the walk is
 * bounded anyway; this stops chains built only to burn decoder time. */
#define IPV6_MAX_EXTHDRS 32u

/* Hop-by-hop / destination option types (IANA "Destination Options and
 * Hop-by-Hop Options"). */
enum {
    OPT6_PAD1 = 0x00,
    OPT6_PADN = 0x01,
    OPT6_RA = 0x05,              // router alert, RFC 2711: 2 bytes of data
    OPT6_JUMBO = 0xc2,           // RFC 2675: 4 bytes
    OPT6_HAO = 0xc9,             // home address, RFC 6275: 16 bytes
};

/* Per-chain state for duplicate checks not kept in p->ip6.exthdrs. */
typedef struct Ipv6Walk {
    uint8_t n_dst;               // destination options headers seen
    bool frag_done;
} Ipv6Walk;

/* Expected data length of a known option, -1 for any. */
static int opt6_fixed_len(uint8_t type)
{
    switch (type) {
    case OPT6_RA:
        return 2;
    case OPT6_JUMBO:
        return 4;
    case OPT6_HAO:
        return 16;
    default:
        return -1;
    }
}

/* Options of a hop-by-hop (is_hop) or destination options header:
 * o[0..olen) after its next-header and length octets. */
static void ipv6_options(DecodeThreadCtx *dtv, Packet *p, const uint8_t *o, uint32_t olen,
                         bool is_hop)
{
    uint32_t n_pad = 0;
    uint32_t n_other = 0;
    uint32_t off = 0;
    while (off < olen) {
        uint8_t type = o[off];
        if (type == OPT6_PAD1) {
            n_pad++;
            off++;
            continue;
        }
        if (olen - off < 2 || o[off + 1] > olen - off - 2) {
            decode_event(dtv, p, DECODE_EV_IPV6_EXTHDR_INVALID_OPTLEN);
            return;
        }
        uint8_t optlen = o[off + 1];
        if (type == OPT6_PADN) {
            n_pad++;
            if (optlen == 0) {
                decode_event(dtv, p, DECODE_EV_IPV6_ZERO_LEN_PADN);
            }
        } else if (opt6_fixed_len(type) >= 0) {
            n_other++;
            if (optlen != opt6_fixed_len(type)) {
                decode_event(dtv, p, DECODE_EV_IPV6_EXTHDR_INVALID_OPTLEN);
            }
        } else {
            n_other++;
            decode_event(dtv, p, is_hop ? DECODE_EV_IPV6_HOPOPTS_UNKNOWN_OPT
                                        : DECODE_EV_IPV6_DSTOPTS_UNKNOWN_OPT);
        }
        off += 2u + optlen;
    }
    if (n_pad > 0 && n_other == 0) {
        decode_event(dtv, p, is_hop ? DECODE_EV_IPV6_HOPOPTS_ONLY_PADDING
                                    : DECODE_EV_IPV6_DSTOPTS_ONLY_PADDING);
    }
}

/* Length of the extension header h (2 bytes readable) of type nh. */
static uint32_t exthdr_len(uint8_t nh, const uint8_t *h)
{
    if (nh == IP_PROTO_FRAGMENT) {
        return IPV6_FH_LEN;
    }
    if (nh == IP_PROTO_AH) {
        return ((uint32_t)h[1] + 2) * 4;   // RFC 4302: in 4-byte units, minus 2
    }
    return ((uint32_t)h[1] + 1) * 8;
}

/* Fragment header (RFC 8200 section 4.5); after is the number of bytes that
 * follow it (the fragmentable part carried by this packet). */
static void ipv6_frag_hdr(DecodeThreadCtx *dtv, Packet *p, Ipv6Walk *w, const uint8_t *h,
                          uint32_t after)
{
    if (w->frag_done) {
        decode_event(dtv, p, DECODE_EV_IPV6_EXTHDR_DUPL_FH);
        return;
    }
    w->frag_done = true;
    if (h[1] != 0 || (h[3] & 0x06) != 0) {
        decode_event(dtv, p, DECODE_EV_IPV6_FH_NON_ZERO_RESERVED_FIELD);
    }
    uint16_t offset = util_be16(h + 2) >> 3;
    bool more = (h[3] & 0x01) != 0;
    p->ip6.frag_offset = offset;
    p->ip6.frag_more = more;
    p->ip6.frag_id = util_be32(h + 4);
    if (offset == 0 && !more) {
        /* An atomic fragment (RFC 6946): whole datagram, nothing to rebuild. */
        decode_event(dtv, p, DECODE_EV_IPV6_EXTHDR_USELESS_FH);
        return;
    }
    if (more && after % 8 != 0) {
        decode_event(dtv, p, DECODE_EV_IPV6_FRAG_INVALID_LENGTH);
    }
    p->ip6.is_frag = true;
    p->flags |= PKT_F_IS_FRAGMENT;
}

/* Handles one complete extension header h[0..hlen) of type nh; after is the
 * number of bytes following it. */
static void ipv6_exthdr(DecodeThreadCtx *dtv, Packet *p, Ipv6Walk *w, uint8_t nh,
                        const uint8_t *h, uint32_t hlen, uint32_t after)
{
    uint16_t *seen = &p->ip6.exthdrs;
    switch (nh) {
    case IP_PROTO_HOPOPTS:
        if (*seen & IPV6_EXT_HOP) {
            decode_event(dtv, p, DECODE_EV_IPV6_EXTHDR_DUPL_HH);
        }
        *seen |= IPV6_EXT_HOP;
        ipv6_options(dtv, p, h + 2, hlen - 2, true);
        break;
    case IP_PROTO_DSTOPTS:
        /* Allowed twice: before a routing header and before the upper layer. */
        if (++w->n_dst > 2) {
            decode_event(dtv, p, DECODE_EV_IPV6_EXTHDR_DUPL_DH);
        }
        *seen |= IPV6_EXT_DST;
        ipv6_options(dtv, p, h + 2, hlen - 2, false);
        break;
    case IP_PROTO_ROUTING:
        if (*seen & IPV6_EXT_RH) {
            decode_event(dtv, p, DECODE_EV_IPV6_EXTHDR_DUPL_RH);
        }
        *seen |= IPV6_EXT_RH;
        if (h[2] == 0) {
            decode_event(dtv, p, DECODE_EV_IPV6_RH_TYPE_0); // deprecated, RFC 5095
        }
        break;
    case IP_PROTO_FRAGMENT:
        *seen |= IPV6_EXT_FH;
        ipv6_frag_hdr(dtv, p, w, h, after);
        break;
    case IP_PROTO_AH:
        if (*seen & IPV6_EXT_AH) {
            decode_event(dtv, p, DECODE_EV_IPV6_EXTHDR_DUPL_AH);
        }
        *seen |= IPV6_EXT_AH;
        if (util_be16(h + 2) != 0) {
            decode_event(dtv, p, DECODE_EV_IPV6_EXTHDR_AH_RES_NOT_NULL);
        }
        break;
    default:
        break;                   // mobility, HIP, shim6: skipped by length
    }
}

static bool is_exthdr(uint8_t nh)
{
    switch (nh) {
    case IP_PROTO_HOPOPTS:
    case IP_PROTO_ROUTING:
    case IP_PROTO_FRAGMENT:
    case IP_PROTO_DSTOPTS:
    case IP_PROTO_AH:
    case IP_PROTO_MH:
    case IP_PROTO_HIP:
    case IP_PROTO_SHIM6:
        return true;
    default:
        return false;
    }
}

/* Upper layers with a decoder (or a deliberate event) in decode_ip_payload. */
static bool is_known_upper(uint8_t nh)
{
    switch (nh) {
    case IP_PROTO_TCP:
    case IP_PROTO_UDP:
    case IP_PROTO_ICMPV6:
    case IP_PROTO_ICMP:
    case IP_PROTO_IPIP:
    case IP_PROTO_IPV6:
    case IP_PROTO_GRE:
    case IP_PROTO_ESP:
    case IP_PROTO_SCTP:
        return true;
    default:
        return false;
    }
}

/* Walks the chain from d[0..len) starting with next header *nh; leaves in
 * *nh the first header that is not an extension header and returns the
 * bytes consumed, or -1 after raising the event that stopped decoding. */
static int64_t ipv6_walk(DecodeThreadCtx *dtv, Packet *p, const uint8_t *d, uint32_t len,
                         uint8_t *nh)
{
    Ipv6Walk w = { 0 };
    uint32_t off = 0;
    uint32_t n = 0;
    while (is_exthdr(*nh)) {
        if (++n > IPV6_MAX_EXTHDRS) {
            decode_event(dtv, p, DECODE_EV_TOO_MANY_LAYERS);
            return -1;
        }
        uint32_t left = len - off;
        if (left < 2) {
            decode_event(dtv, p, DECODE_EV_IPV6_TRUNC_EXTHDR);
            return -1;
        }
        uint32_t hlen = exthdr_len(*nh, d + off);
        if (hlen > left) {
            decode_event(dtv, p, DECODE_EV_IPV6_TRUNC_EXTHDR);
            return -1;
        }
        ipv6_exthdr(dtv, p, &w, *nh, d + off, hlen, left - hlen);
        bool stop = *nh == IP_PROTO_FRAGMENT && p->ip6.is_frag;
        *nh = d[off];
        off += hlen;
        if (stop) {
            /* As Suricata: what follows a fragment header is decoded once
             * defrag has rebuilt the datagram. */
            break;
        }
    }
    return off;
}

static void ipv6_fill_vars(Packet *p, const uint8_t *pkt)
{
    uint32_t word0 = util_be32(pkt);
    p->ip6 = (Ipv6Vars){
        .hdr = pkt,
        .plen = util_be16(pkt + 4),
        .hlim = pkt[7],
        .tclass = (uint8_t)(word0 >> 20),
        .flow_label = word0 & 0x000fffff,
        .next_hdr = pkt[6],
    };
    p->src = (VgAddr){ .family = 6 };
    memcpy(p->src.a.u8, pkt + 8, 16);
    p->dst = (VgAddr){ .family = 6 };
    memcpy(p->dst.a.u8, pkt + 24, 16);
    p->l3 = PKT_L3_IPV6;
    p->l3_hdr = pkt;
    p->l3_len = IPV6_HDR_LEN + p->ip6.plen;
    p->proto = pkt[6];
}

/* After the chain: d[0..len) starts with next header nh. */
static int ipv6_upper(DecodeThreadCtx *dtv, Packet *p, uint8_t nh, const uint8_t *d, uint32_t len)
{
    p->ip6.next_hdr = nh;
    p->proto = nh;
    if (p->ip6.is_frag) {
        return 0;                // no upper-layer header here: defrag rebuilds it
    }
    if (nh == IP_PROTO_NONE) {
        if (len > 0) {
            decode_event(dtv, p, DECODE_EV_IPV6_DATA_AFTER_NONE_HEADER);
        }
        return 0;
    }
    if (nh == IP_PROTO_ESP) {
        p->ip6.exthdrs |= IPV6_EXT_ESP;
    }
    if (!is_known_upper(nh)) {
        decode_event(dtv, p, DECODE_EV_IPV6_UNKNOWN_NEXT_HEADER);
    }
    return decode_ip_payload(dtv, p, nh, d, len);
}

int decode_ipv6(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_IPV6);
    if (len < IPV6_HDR_LEN) {
        decode_event(dtv, p, DECODE_EV_IPV6_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    if ((pkt[0] >> 4) != 6) {
        decode_event(dtv, p, DECODE_EV_IPV6_WRONG_IP_VERSION);
        return VG_EINVAL;
    }
    uint32_t plen = util_be16(pkt + 4);
    /* Bytes past the payload length (Ethernet padding) are ignored. */
    if (IPV6_HDR_LEN + plen > len) {
        decode_event(dtv, p, DECODE_EV_IPV6_TRUNC_PKT);
        return VG_EINVAL;
    }
    ipv6_fill_vars(p, pkt);

    const uint8_t *d = pkt + IPV6_HDR_LEN;
    uint8_t nh = pkt[6];
    int64_t ext_len = ipv6_walk(dtv, p, d, plen, &nh);
    if (ext_len < 0) {
        return VG_EINVAL;
    }
    p->ip6.exthdrs_len = (uint16_t)ext_len;
    return ipv6_upper(dtv, p, nh, d + ext_len, plen - (uint32_t)ext_len);
}
