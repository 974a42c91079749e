/* ICMPv4 (RFC 792, RFC 950 address mask): type and code checks, echo-like
 * identifiers, the IPv4 header embedded in error messages, checksum.
 * The known types and codes are those Suricata knows, so that its
 * icmpv4.unknown_type / unknown_code events fire on the same packets. */

#include "decode/decode.h"

#include <string.h>

#include "decode/decode-ip-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define ICMPV4_HDR_LEN 8u

enum {
    ICMP_ECHOREPLY = 0,
    ICMP_DEST_UNREACH = 3,
    ICMP_SOURCE_QUENCH = 4,
    ICMP_REDIRECT = 5,
    ICMP_ECHO = 8,
    ICMP_TIME_EXCEEDED = 11,
    ICMP_PARAMETERPROB = 12,
    ICMP_TIMESTAMP = 13,
    ICMP_TIMESTAMPREPLY = 14,
    ICMP_INFO_REQUEST = 15,
    ICMP_INFO_REPLY = 16,
    ICMP_ADDRESS = 17,
    ICMP_ADDRESSREPLY = 18,
};

/* Highest valid code per known type; -1 for an unknown type. */
static int icmpv4_max_code(uint8_t type)
{
    switch (type) {
    case ICMP_DEST_UNREACH:
        return 15;               // RFC 792 0-5, RFC 1122 6-12, RFC 1812 13-15
    case ICMP_REDIRECT:
        return 3;
    case ICMP_TIME_EXCEEDED:
        return 1;
    case ICMP_PARAMETERPROB:
        return 2;                // 1: missing option (RFC 1108), 2: bad length (IANA)
    case ICMP_ECHOREPLY:
    case ICMP_SOURCE_QUENCH:
    case ICMP_ECHO:
    case ICMP_TIMESTAMP:
    case ICMP_TIMESTAMPREPLY:
    case ICMP_INFO_REQUEST:
    case ICMP_INFO_REPLY:
    case ICMP_ADDRESS:
    case ICMP_ADDRESSREPLY:
        return 0;
    default:
        return -1;
    }
}

static bool icmpv4_is_error(uint8_t type)
{
    return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
           type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

static bool icmpv4_has_id(uint8_t type)
{
    return type == ICMP_ECHOREPLY || type == ICMP_ECHO || type == ICMP_TIMESTAMP ||
           type == ICMP_TIMESTAMPREPLY || type == ICMP_INFO_REQUEST || type == ICMP_INFO_REPLY ||
           type == ICMP_ADDRESS || type == ICMP_ADDRESSREPLY;
}

/* The original datagram's IPv4 header and first 8 bytes, e[0..len), as an
 * error message quotes them (RFC 792). Only p->icmp is written: the
 * packet's own addresses and IPv4 vars stay those of the outer header. */
static void icmpv4_embedded(DecodeThreadCtx *dtv, Packet *p, const uint8_t *e, uint32_t len)
{
    if (len < 20) {
        decode_event(dtv, p, DECODE_EV_ICMPV4_IPV4_TRUNC_PKT);
        return;
    }
    if ((e[0] >> 4) != 4) {
        decode_event(dtv, p, DECODE_EV_ICMPV4_IPV4_UNKNOWN_VER);
        return;
    }
    uint32_t hlen = (uint32_t)(e[0] & 0x0f) * 4;
    if (hlen < 20 || hlen > len) {
        decode_event(dtv, p, DECODE_EV_ICMPV4_IPV4_TRUNC_PKT);
        return;
    }
    IcmpVars *ic = &p->icmp;
    ic->has_emb = true;
    ic->emb_proto = e[9];
    ic->emb_src = (VgAddr){ .family = 4 };
    memcpy(ic->emb_src.a.u8, e + 12, 4);
    ic->emb_dst = (VgAddr){ .family = 4 };
    memcpy(ic->emb_dst.a.u8, e + 16, 4);
    bool has_ports = ic->emb_proto == IP_PROTO_TCP || ic->emb_proto == IP_PROTO_UDP;
    if (has_ports && len - hlen >= 4) {
        ic->emb_sp = util_be16(e + hlen);
        ic->emb_dp = util_be16(e + hlen + 2);
    }
    /* Looked up where the quoted flow is (flow_module_steer_prepare). */
    if (decode_ip_is_tunnel_proto(dtv, ic->emb_proto, ic->emb_sp, ic->emb_dp)) {
        p->flags |= PKT_F_TUNNEL_PROTO;
    }
}

int decode_icmpv4(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_ICMPV4);
    if (len < ICMPV4_HDR_LEN) {
        decode_event(dtv, p, DECODE_EV_ICMPV4_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    IcmpVars *ic = &p->icmp;
    *ic = (IcmpVars){ .hdr = pkt, .type = pkt[0], .code = pkt[1] };
    p->l4 = PKT_L4_ICMPV4;
    p->proto = IP_PROTO_ICMP;
    p->payload = pkt + ICMPV4_HDR_LEN;
    p->payload_len = len - ICMPV4_HDR_LEN;

    int max_code = icmpv4_max_code(ic->type);
    if (max_code < 0) {
        decode_event(dtv, p, DECODE_EV_ICMPV4_UNKNOWN_TYPE);
    } else if (ic->code > max_code) {
        decode_event(dtv, p, DECODE_EV_ICMPV4_UNKNOWN_CODE);
    } else if (icmpv4_is_error(ic->type)) {
        icmpv4_embedded(dtv, p, pkt + ICMPV4_HDR_LEN, len - ICMPV4_HDR_LEN);
    }
    if (icmpv4_has_id(ic->type)) {
        ic->has_id = true;
        ic->id = util_be16(pkt + 4);
        ic->seq = util_be16(pkt + 6);
    }

    if (decode_ip_l4_csum_wanted(dtv, p)) {
        ic->csum_bad = decode_csum_ipv4_hdr(pkt, len) != 0; // plain RFC 1071 sum, no pseudo header
        decode_ip_l4_csum_record(dtv, p, ic->csum_bad);
    }
    return 0;
}
