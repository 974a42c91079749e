/* IPv4 (RFC 791): header validation, options, header checksum, fragments.
 * Events and their conditions follow Suricata's decoder so that its
 * decoder-events rules match the same packets. */

#include "decode/decode.h"

#include <stdbool.h>
#include <string.h>

#include "decode/decode-ip-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define IPV4_HDR_MIN 20u

/* Option type octets (IANA "IP Option Numbers"). */
enum {
    OPT_EOL = 0x00,
    OPT_NOP = 0x01,
    OPT_RR = 0x07,               // RFC 791
    OPT_QS = 0x19,               // RFC 4782
    OPT_TS = 0x44,               // RFC 791
    OPT_SEC = 0x82,              // RFC 1108
    OPT_LSRR = 0x83,             // RFC 791
    OPT_ESEC = 0x85,             // RFC 1108
    OPT_CIPSO = 0x86,            // draft-ietf-cipso-ipsecurity
    OPT_SID = 0x88,              // RFC 791
    OPT_SSRR = 0x89,             // RFC 791
    OPT_RTRALT = 0x94,           // RFC 2113
};

/* Length rules, as Suricata applies them. */
enum {
    OPT_ROUTE_MIN = 3,
    OPT_TS_MIN = 5,
    OPT_QS_MIN = 8,
    OPT_SEC_LEN = 11,
    OPT_ESEC_MIN = 3,
    OPT_CIPSO_MIN = 10,
    OPT_SID_LEN = 4,
    OPT_RTRALT_LEN = 4,
};

/* One option: o[0] type, o[1] length (>= 2, checked), o[2..len) data. */
typedef struct Ipv4Opt {
    uint8_t type;
    uint8_t len;
    const uint8_t *o;
} Ipv4Opt;

/* RR/LSRR/SSRR: the 1-based pointer names the next address slot: at least
 * 4, a multiple of 4, and at most one past the option (route full). */
static DecodeEvent opt_check_route(const Ipv4Opt *opt)
{
    if (opt->len < OPT_ROUTE_MIN) {
        return DECODE_EV_IPV4_OPT_INVALID_LEN;
    }
    uint8_t ptr = opt->o[2];
    if (ptr < 4 || ptr % 4 != 0 || ptr > opt->len + 1) {
        return DECODE_EV_IPV4_OPT_MALFORMED;
    }
    return DECODE_EV_NONE;
}

/* Timestamp: records of 4 bytes (flag 0) or 8 bytes (flags 1 and 3, with
 * an address); the pointer starts at 5 and moves by whole records. */
static DecodeEvent opt_check_ts(const Ipv4Opt *opt)
{
    if (opt->len < OPT_TS_MIN) {
        return DECODE_EV_IPV4_OPT_INVALID_LEN;
    }
    uint8_t ptr = opt->o[2];
    if (ptr < 5) {
        return DECODE_EV_IPV4_OPT_MALFORMED;
    }
    uint8_t flag = opt->o[3] & 0x0f;
    uint8_t rec_size = (flag == 1 || flag == 3) ? 8 : 4;
    if ((ptr - 5) % rec_size != 0 || ptr > opt->len + 1) {
        return DECODE_EV_IPV4_OPT_MALFORMED;
    }
    return DECODE_EV_NONE;
}

/* CIPSO: 4-byte DOI, then tags (type, length >= 4, data). Known tag types
 * are 1, 2, 5, 6 (alignment octet must be 0) and 7 (FIPS 188). */
static DecodeEvent opt_check_cipso(const Ipv4Opt *opt)
{
    if (opt->len < OPT_CIPSO_MIN) {
        return DECODE_EV_IPV4_OPT_INVALID_LEN;
    }
    uint32_t off = 6;
    while (off < opt->len) {
        uint32_t left = opt->len - off;
        if (left < 2) {
            return DECODE_EV_IPV4_OPT_MALFORMED;
        }
        uint8_t ttype = opt->o[off];
        uint8_t tlen = opt->o[off + 1];
        bool known = ttype == 1 || ttype == 2 || ttype == 5 || ttype == 6 || ttype == 7;
        if (!known || tlen < 4 || tlen > left) {
            return DECODE_EV_IPV4_OPT_MALFORMED;
        }
        if (ttype != 7 && opt->o[off + 2] != 0) {
            return DECODE_EV_IPV4_OPT_MALFORMED;
        }
        off += tlen;
    }
    return DECODE_EV_NONE;
}

/* Validates one option of a known type; returns the event to raise or
 * DECODE_EV_NONE. */
static DecodeEvent opt_check(const Ipv4Opt *opt)
{
    switch (opt->type) {
    case OPT_RR:
    case OPT_LSRR:
    case OPT_SSRR:
        return opt_check_route(opt);
    case OPT_TS:
        return opt_check_ts(opt);
    case OPT_CIPSO:
        return opt_check_cipso(opt);
    case OPT_QS:
        return opt->len < OPT_QS_MIN ? DECODE_EV_IPV4_OPT_INVALID_LEN : DECODE_EV_NONE;
    case OPT_SEC:
        return opt->len != OPT_SEC_LEN ? DECODE_EV_IPV4_OPT_INVALID_LEN : DECODE_EV_NONE;
    case OPT_ESEC:
        return opt->len < OPT_ESEC_MIN ? DECODE_EV_IPV4_OPT_INVALID_LEN : DECODE_EV_NONE;
    case OPT_SID:
        return opt->len != OPT_SID_LEN ? DECODE_EV_IPV4_OPT_INVALID_LEN : DECODE_EV_NONE;
    case OPT_RTRALT:
        return opt->len != OPT_RTRALT_LEN ? DECODE_EV_IPV4_OPT_INVALID_LEN : DECODE_EV_NONE;
    default:
        return DECODE_EV_IPV4_OPT_UNKNOWN;
    }
}

static uint16_t opt_flag(uint8_t type)
{
    switch (type) {
    case OPT_RR:
        return IPV4_OPT_RR;
    case OPT_LSRR:
        return IPV4_OPT_LSRR;
    case OPT_SSRR:
        return IPV4_OPT_SSRR;
    case OPT_TS:
        return IPV4_OPT_TS;
    case OPT_SEC:
        return IPV4_OPT_SEC;
    case OPT_ESEC:
        return IPV4_OPT_ESEC;
    case OPT_SID:
        return IPV4_OPT_SID;
    case OPT_RTRALT:
        return IPV4_OPT_RTRALT;
    case OPT_QS:
        return IPV4_OPT_QS;
    case OPT_CIPSO:
        return IPV4_OPT_CIPSO;
    default:
        return 0;
    }
}

/* Handles one multi-byte option whose length fits the option area. Returns
 * false when the option is invalid (a wrong length for its type, malformed
 * contents). An unknown type is noted and skipped; a repeated known type is
 * noted and ignored. */
static bool ipv4_option(DecodeThreadCtx *dtv, Packet *p, const Ipv4Opt *opt)
{
    uint16_t flag = opt_flag(opt->type);
    if (flag == 0) {
        decode_event(dtv, p, DECODE_EV_IPV4_OPT_INVALID);
        return true;
    }
    if (p->ip4.opts & flag) {
        decode_event(dtv, p, DECODE_EV_IPV4_OPT_DUPLICATE);
        return true;
    }
    DecodeEvent ev = opt_check(opt);
    if (ev != DECODE_EV_NONE) {
        decode_event(dtv, p, ev);
        return ev != DECODE_EV_IPV4_OPT_INVALID_LEN && ev != DECODE_EV_IPV4_OPT_MALFORMED;
    }
    p->ip4.opts |= flag | IPV4_OPT_ANY;
    return true;
}

/* Walks the options o[0..olen), raising an event for every bad option: the
 * walk goes on past an option that is invalid for its type, as long as its
 * length byte still fits the area; a length that does not fit ends it.
 * Returns false when an option was invalid (opt_invalid_len,
 * opt_malformed): the packet is then invalid and not decoded further, as
 * in Suricata. Other option events (padding, unknown, duplicate) are
 * warnings. */
static bool ipv4_options(DecodeThreadCtx *dtv, Packet *p, const uint8_t *o, uint32_t olen)
{
    bool valid = true;
    /* Suricata expects the option area padded to 8 bytes; kept for rule
     * compatibility although RFC 791 only requires 32-bit alignment. */
    if (olen % 8 != 0) {
        decode_event(dtv, p, DECODE_EV_IPV4_OPT_PAD_REQUIRED);
    }
    uint32_t off = 0;
    while (off < olen) {
        uint8_t type = o[off];
        if (type == OPT_EOL) {
            p->ip4.opts |= IPV4_OPT_EOL | IPV4_OPT_ANY;
            return valid;
        }
        if (type == OPT_NOP) {
            p->ip4.opts |= IPV4_OPT_NOP | IPV4_OPT_ANY;
            off++;
            continue;
        }
        uint32_t left = olen - off;
        if (left < 2) {
            decode_event(dtv, p, DECODE_EV_IPV4_OPT_EOL_REQUIRED);
            return valid;
        }
        Ipv4Opt opt = { .type = type, .len = o[off + 1], .o = o + off };
        if (opt.len < 2 || opt.len > left) {
            decode_event(dtv, p, DECODE_EV_IPV4_OPT_INVALID_LEN);
            return false;
        }
        if (!ipv4_option(dtv, p, &opt)) {
            valid = false;
        }
        off += opt.len;
    }
    return valid;
}

/* Checks the fixed header against the captured bytes. Returns the header
 * length or 0 after raising the event that made the packet undecodable. */
static uint32_t ipv4_check_lengths(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt,
                                   uint32_t len)
{
    if (len < IPV4_HDR_MIN) {
        decode_event(dtv, p, DECODE_EV_IPV4_PKT_TOO_SMALL);
        return 0;
    }
    if ((pkt[0] >> 4) != 4) {
        decode_event(dtv, p, DECODE_EV_IPV4_WRONG_IP_VERSION);
        return 0;
    }
    uint32_t hlen = (uint32_t)(pkt[0] & 0x0f) * 4;
    if (hlen < IPV4_HDR_MIN) {
        decode_event(dtv, p, DECODE_EV_IPV4_HLEN_TOO_SMALL);
        return 0;
    }
    uint32_t total_len = util_be16(pkt + 2);
    if (total_len < hlen) {
        decode_event(dtv, p, DECODE_EV_IPV4_IPLEN_SMALLER_THAN_HLEN);
        return 0;
    }
    /* Bytes past total_len (Ethernet padding) are ignored; fewer bytes than
     * total_len mean the capture or the sender cut the datagram. */
    if (total_len > len) {
        decode_event(dtv, p, DECODE_EV_IPV4_TRUNC_PKT);
        return 0;
    }
    return hlen;
}

static void ipv4_fill_vars(Packet *p, const uint8_t *pkt, uint32_t hlen)
{
    p->ip4 = (Ipv4Vars){
        .hdr = pkt,
        .hlen = (uint16_t)hlen,
        .total_len = util_be16(pkt + 2),
        .id = util_be16(pkt + 4),
        .frag_field = util_be16(pkt + 6),
        .tos = pkt[1],
        .ttl = pkt[8],
        .proto = pkt[9],
    };
    p->src = (VgAddr){ .family = 4 };
    memcpy(p->src.a.u8, pkt + 12, 4);
    p->dst = (VgAddr){ .family = 4 };
    memcpy(p->dst.a.u8, pkt + 16, 4);
    p->l3 = PKT_L3_IPV4;
    p->l3_hdr = pkt;
    p->l3_len = p->ip4.total_len;
    p->proto = p->ip4.proto;
}

/* A bad header checksum is flagged and counted; decoding goes on, since
 * offloading NICs hand up packets whose checksum the kernel never filled. */
static void ipv4_check_csum(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t hlen)
{
    if (!dtv->validate_checksums) {
        return;
    }
    bool bad = decode_csum_ipv4_hdr(pkt, hlen) != 0;
    if (bad) {
        p->ip4.csum_bad = true;
        p->flags |= PKT_F_IPV4_CSUM_BAD;
        decode_count(dtv, DC_IPV4_CSUM_BAD);
    }
    decode_csum_note(dtv, bad);
}

int decode_ipv4(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_IPV4);
    uint32_t hlen = ipv4_check_lengths(dtv, p, pkt, len);
    if (hlen == 0) {
        return VG_EINVAL;
    }
    ipv4_fill_vars(p, pkt, hlen);
    bool opts_valid = true;
    if (hlen > IPV4_HDR_MIN) {
        opts_valid = ipv4_options(dtv, p, pkt + IPV4_HDR_MIN, hlen - IPV4_HDR_MIN);
    }
    ipv4_check_csum(dtv, p, pkt, hlen);
    if (!opts_valid) {
        return VG_EINVAL;  // addresses known, nothing above IP decoded
    }

    const uint8_t *data = pkt + hlen;
    uint32_t data_len = p->ip4.total_len - hlen;
    uint16_t frag_offset = p->ip4.frag_field & 0x1fff;
    bool more_frags = (p->ip4.frag_field & 0x2000) != 0;
    if (frag_offset != 0 || more_frags) {
        /* Not even the first fragment's transport header is decoded (as
         * Suricata): the datagram rebuilt by defrag is decoded whole. */
        p->flags |= PKT_F_IS_FRAGMENT;
        return 0;
    }
    return decode_ip_payload(dtv, p, p->ip4.proto, data, data_len);
}
