/* ICMPv6 (RFC 4443, with MLD RFC 2710/3810, ND RFC 4861 and the other
 * IANA-registered messages): type and code checks, echo identifiers, the
 * IPv6 header embedded in error messages, checksum with the IPv6 pseudo
 * header. Known types and codes follow Suricata so that its icmpv6.* events
 * fire on the same packets. */

#include "decode/decode.h"

#include <string.h>

#include "decode/decode-ip-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define ICMPV6_HDR_LEN 8u

enum {
    ICMP6_DST_UNREACH = 1,
    ICMP6_PACKET_TOO_BIG = 2,
    ICMP6_TIME_EXCEEDED = 3,
    ICMP6_PARAM_PROB = 4,
    ICMP6_ECHO_REQUEST = 128,
    ICMP6_ECHO_REPLY = 129,
    MLD_LISTENER_QUERY = 130,
    MLD_LISTENER_REPORT = 131,
    MLD_LISTENER_REDUCTION = 132,
    ND_ROUTER_RENUMBERING = 138,
    ND_NI_QUERY = 139,
    ND_NI_REPLY = 140,
    MLD_V2_LIST_REPORT = 143,
    ICMP6_LAST_ASSIGNED = 161,   // extended echo reply (RFC 8335)
};

/* How a type is classified when it has no specific rule. */
static DecodeEvent icmpv6_type_event(uint8_t type)
{
    if (type == 100 || type == 101 || type == 200 || type == 201) {
        return DECODE_EV_ICMPV6_EXPERIMENTATION_TYPE;   // RFC 4443 section 2.1
    }
    if ((type >= 5 && type <= 99) || (type >= 102 && type <= 126) ||
        (type > ICMP6_LAST_ASSIGNED && type < 200) || (type >= 202 && type <= 254)) {
        return DECODE_EV_ICMPV6_UNASSIGNED_TYPE;
    }
    return DECODE_EV_ICMPV6_UNKNOWN_TYPE;                // 0, 127, 255: reserved
}

/* Highest valid code of a known type; -1 when the type is not known. */
static int icmpv6_max_code(uint8_t type)
{
    switch (type) {
    case ICMP6_DST_UNREACH:
        return 6;
    case ICMP6_TIME_EXCEEDED:
        return 1;
    case ICMP6_PARAM_PROB:
        return 2;
    case ND_ROUTER_RENUMBERING:
        return 255;              // 0, 1 and 255 (sequence number reset); checked below
    case ND_NI_QUERY:
    case ND_NI_REPLY:
        return 2;
    default:
        if (type == ICMP6_PACKET_TOO_BIG ||
            (type >= ICMP6_ECHO_REQUEST && type <= ICMP6_LAST_ASSIGNED)) {
            return 0;
        }
        return -1;
    }
}

static bool icmpv6_code_ok(uint8_t type, uint8_t code, int max_code)
{
    if (type == ND_ROUTER_RENUMBERING) {
        return code == 0 || code == 1 || code == 255;
    }
    return code <= max_code;
}

static bool icmpv6_is_mld(uint8_t type)
{
    return type == MLD_LISTENER_QUERY || type == MLD_LISTENER_REPORT ||
           type == MLD_LISTENER_REDUCTION || type == MLD_V2_LIST_REPORT;
}

/* The invoking packet's IPv6 header quoted by an error message, e[0..len).
 * Only p->icmp is written; extension headers of the quoted packet are not
 * walked, so emb_proto is its first next header. */
static void icmpv6_embedded(DecodeThreadCtx *dtv, Packet *p, const uint8_t *e, uint32_t len)
{
    if (len < 40) {
        decode_event(dtv, p, DECODE_EV_ICMPV6_IPV6_TRUNC_PKT);
        return;
    }
    if ((e[0] >> 4) != 6) {
        decode_event(dtv, p, DECODE_EV_ICMPV6_IPV6_UNKNOWN_VERSION);
        return;
    }
    IcmpVars *ic = &p->icmp;
    ic->has_emb = true;
    ic->emb_proto = e[6];
    ic->emb_src = (VgAddr){ .family = 6 };
    memcpy(ic->emb_src.a.u8, e + 8, 16);
    ic->emb_dst = (VgAddr){ .family = 6 };
    memcpy(ic->emb_dst.a.u8, e + 24, 16);
    bool has_ports = ic->emb_proto == IP_PROTO_TCP || ic->emb_proto == IP_PROTO_UDP;
    if (has_ports && len - 40 >= 4) {
        ic->emb_sp = util_be16(e + 40);
        ic->emb_dp = util_be16(e + 42);
    }
    /* Looked up where the quoted flow is (flow_module_steer_prepare). */
    if (decode_ip_is_tunnel_proto(dtv, ic->emb_proto, ic->emb_sp, ic->emb_dp)) {
        p->flags |= PKT_F_TUNNEL_PROTO;
    }
}

static void icmpv6_check_type(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    IcmpVars *ic = &p->icmp;
    int max_code = icmpv6_max_code(ic->type);
    if (max_code < 0) {
        decode_event(dtv, p, icmpv6_type_event(ic->type));
        return;
    }
    if (icmpv6_is_mld(ic->type) && p->l3 == PKT_L3_IPV6 && p->ip6.hlim != 1) {
        decode_event(dtv, p, DECODE_EV_ICMPV6_MLD_MESSAGE_WITH_INVALID_HL); // RFC 2710 s.3
    }
    if (!icmpv6_code_ok(ic->type, ic->code, max_code)) {
        decode_event(dtv, p, DECODE_EV_ICMPV6_UNKNOWN_CODE);
        return;
    }
    if (ic->type <= ICMP6_PARAM_PROB) {
        icmpv6_embedded(dtv, p, pkt + ICMPV6_HDR_LEN, len - ICMPV6_HDR_LEN);
    }
}

int decode_icmpv6(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_ICMPV6);
    if (len < ICMPV6_HDR_LEN) {
        decode_event(dtv, p, DECODE_EV_ICMPV6_PKT_TOO_SMALL);
        return VG_EINVAL;
    }
    IcmpVars *ic = &p->icmp;
    *ic = (IcmpVars){ .hdr = pkt, .type = pkt[0], .code = pkt[1] };
    p->l4 = PKT_L4_ICMPV6;
    p->proto = IP_PROTO_ICMPV6;
    p->payload = pkt + ICMPV6_HDR_LEN;
    p->payload_len = len - ICMPV6_HDR_LEN;

    icmpv6_check_type(dtv, p, pkt, len);
    if (ic->type == ICMP6_ECHO_REQUEST || ic->type == ICMP6_ECHO_REPLY) {
        ic->has_id = true;
        ic->id = util_be16(pkt + 4);
        ic->seq = util_be16(pkt + 6);
    }

    if (decode_ip_l4_csum_wanted(dtv, p) && p->l3 == PKT_L3_IPV6) {
        ic->csum_bad = decode_ip_l4_csum_is_bad(p, IP_PROTO_ICMPV6, pkt, len);
        decode_ip_l4_csum_record(dtv, p, ic->csum_bad);
    }
    return 0;
}
