/* GRE, called for IP protocol 47.
 * Version 0 (RFC 2784, RFC 2890 and the RFC 1701 fields Suricata accepts):
 *   C R K S s Recur(3) | A? flags(4) ver(3) | protocol type (2)
 *   [checksum 2 + offset 2 if C or R] [key 4 if K] [sequence 4 if S]
 *   [source route entries if R: af 2, offset 1, length 1, data; ended by an
 *    entry with af 0 and length 0]
 * Version 1, PPTP enhanced GRE (RFC 2637 section 4.1): C, R, s, Recur and
 *   flags must be 0, K must be set, protocol 0x880B (PPP):
 *   payload length 2 + call id 2, [sequence 4 if S] [ack 4 if A].
 * The payload is dispatched on the protocol type as an ethertype
 * (0x6558 Ethernet, IPv4, IPv6, MPLS, VLAN), as PPP, or as ERSPAN (0x88BE:
 * type II when the sequence bit is set, else type I, a bare Ethernet frame);
 * other types leave the payload opaque. Entering the payload is one tunnel
 * level. */

#include "decode/decode.h"

#include "decode/decode-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define GRE_HEADER_LEN 4u
#define GRE_OPTION_LEN 4u
#define GRE_SRE_HEADER_LEN 4u

enum {
    GRE_F_CHECKSUM = 0x8000,
    GRE_F_ROUTING = 0x4000,
    GRE_F_KEY = 0x2000,
    GRE_F_SEQ = 0x1000,
    GRE_F_STRICT_ROUTE = 0x0800,
    GRE_M_RECUR = 0x0700,
    GRE_F_ACK = 0x0080,              // version 1 only
    GRE_M_FLAGS_V0 = 0x00F8,         // bits that must be 0 in version 0
    GRE_M_FLAGS_V1 = 0x0078,         // bits that must be 0 in version 1
    GRE_M_VERSION = 0x0007,
};

/* Adds one optional field of n bytes to *hlen; false if it overruns. */
static bool gre_add(uint32_t *hlen, uint32_t n, uint32_t len)
{
    if (n > len - *hlen) {
        return false;
    }
    *hlen += n;
    return true;
}

/* Source route entries (RFC 1701 section 2.1): walks to the terminating
 * null entry. Returns false if the list runs past the packet. */
static bool gre_sre_walk(const uint8_t *pkt, uint32_t len, uint32_t *hlen)
{
    for (;;) {
        if (len - *hlen < GRE_SRE_HEADER_LEN) { // *hlen <= len holds throughout
            return false;
        }
        const uint8_t *sre = pkt + *hlen;
        uint16_t af = util_be16(sre);
        uint8_t sre_len = sre[3];
        *hlen += GRE_SRE_HEADER_LEN;
        if (af == 0 && sre_len == 0) {
            return true;
        }
        if (!gre_add(hlen, sre_len, len)) {
            return false;
        }
    }
}

static int gre_v0_header(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len,
                         uint16_t flags, uint32_t *hlen)
{
    if ((flags & GRE_M_RECUR) != 0) {
        decode_event(dtv, p, DECODE_EV_GRE_VERSION0_RECUR);
        return VG_EINVAL;
    }
    if ((flags & GRE_M_FLAGS_V0) != 0) {
        decode_event(dtv, p, DECODE_EV_GRE_VERSION0_FLAGS);
        return VG_EINVAL;
    }
    bool ok = true;
    if ((flags & (GRE_F_CHECKSUM | GRE_F_ROUTING)) != 0) {
        ok = gre_add(hlen, GRE_OPTION_LEN, len);
    }
    if (ok && (flags & GRE_F_KEY) != 0) {
        ok = gre_add(hlen, GRE_OPTION_LEN, len);
    }
    if (ok && (flags & GRE_F_SEQ) != 0) {
        ok = gre_add(hlen, GRE_OPTION_LEN, len);
    }
    if (ok && (flags & GRE_F_ROUTING) != 0) {
        ok = gre_sre_walk(pkt, len, hlen);
    }
    if (!ok) {
        decode_event(dtv, p, DECODE_EV_GRE_VERSION0_HDR_TOO_BIG);
        return VG_EINVAL;
    }
    return 0;
}

/* The first violated rule of RFC 2637 section 4.1, or DECODE_EV_NONE. */
static DecodeEvent gre_v1_violation(uint16_t flags, uint16_t proto)
{
    if ((flags & GRE_F_CHECKSUM) != 0) {
        return DECODE_EV_GRE_VERSION1_CHKSUM;
    }
    if ((flags & GRE_F_ROUTING) != 0) {
        return DECODE_EV_GRE_VERSION1_ROUTE;
    }
    if ((flags & GRE_F_STRICT_ROUTE) != 0) {
        return DECODE_EV_GRE_VERSION1_SSR;
    }
    if ((flags & GRE_M_RECUR) != 0) {
        return DECODE_EV_GRE_VERSION1_RECUR;
    }
    if ((flags & GRE_M_FLAGS_V1) != 0) {
        return DECODE_EV_GRE_VERSION1_FLAGS;
    }
    if (proto != ETHERTYPE_PPP) {
        return DECODE_EV_GRE_VERSION1_WRONG_PROTOCOL;
    }
    if ((flags & GRE_F_KEY) == 0) {
        return DECODE_EV_GRE_VERSION1_NO_KEY;
    }
    return DECODE_EV_NONE;
}

static int gre_v1_header(DecodeThreadCtx *dtv, Packet *p, uint32_t len, uint16_t flags,
                         uint16_t proto, uint32_t *hlen)
{
    DecodeEvent ev = gre_v1_violation(flags, proto);
    if (ev != DECODE_EV_NONE) {
        decode_event(dtv, p, ev);
        return VG_EINVAL;
    }
    bool ok = gre_add(hlen, GRE_OPTION_LEN, len);
    if (ok && (flags & GRE_F_SEQ) != 0) {
        ok = gre_add(hlen, GRE_OPTION_LEN, len);
    }
    if (ok && (flags & GRE_F_ACK) != 0) {
        ok = gre_add(hlen, GRE_OPTION_LEN, len);
    }
    if (!ok) {
        decode_event(dtv, p, DECODE_EV_GRE_VERSION1_HDR_TOO_BIG);
        return VG_EINVAL;
    }
    return 0;
}

static int gre_payload(DecodeThreadCtx *dtv, Packet *p, uint16_t flags, uint16_t proto,
                       const uint8_t *pkt, uint32_t len)
{
    if (len == 0) {
        return 0; // keepalive, or a PPTP acknowledgement without data
    }
    uint16_t inner = proto;
    if (proto == ETHERTYPE_ERSPAN_II && (flags & GRE_F_SEQ) == 0) {
        inner = ETHERTYPE_TEB; // ERSPAN type I: no header, the mirrored frame
    }
    /* TEB: the GRE level is the tunnel level (decode_ethernet, not the
     * ethertype dispatch, which would count a second one). */
    int rc = decode_tunnel_spawn(dtv, p, PKT_TUNNEL_GRE, inner, pkt, len);
    return rc == VG_EUNSUPPORTED ? 0 : rc;
}

int decode_gre(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    if (len < GRE_HEADER_LEN) {
        decode_event(dtv, p, DECODE_EV_GRE_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    decode_count(dtv, DC_GRE);
    uint16_t flags = util_be16(pkt);
    uint16_t proto = util_be16(pkt + 2);
    uint32_t hlen = GRE_HEADER_LEN;
    int rc;
    switch (flags & GRE_M_VERSION) {
    case 0:
        rc = gre_v0_header(dtv, p, pkt, len, flags, &hlen);
        break;
    case 1:
        rc = gre_v1_header(dtv, p, len, flags, proto, &hlen);
        break;
    default:
        decode_event(dtv, p, DECODE_EV_GRE_WRONG_VERSION);
        return VG_EINVAL;
    }
    if (rc < 0) {
        return rc;
    }
    return gre_payload(dtv, p, flags, proto, pkt + hlen, len - hlen);
}
