/* TCP (RFC 9293): header, options (RFC 9293 section 3.2, RFC 2018 SACK,
 * RFC 7323 window scale and timestamps), payload and checksum. Events and
 * conditions follow Suricata's decoder. */

#include "decode/decode.h"

#include "decode/decode-ip-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define TCP_HDR_MIN 20u
#define TCP_WSCALE_MAX 14u       // RFC 7323 section 2.3: larger shifts are used as 14

enum {
    TCPOPT_EOL = 0,
    TCPOPT_NOP = 1,
    TCPOPT_MSS = 2,
    TCPOPT_WS = 3,
    TCPOPT_SACKOK = 4,
    TCPOPT_SACK = 5,
    TCPOPT_TS = 8,
    TCPOPT_TFO = 34,             // TCP Fast Open cookie (RFC 7413)
    TCPOPT_EXP = 254,            // experiment (RFC 6994); TFO's before 34: magic 0xF989
};

enum {
    TCPOPT_MSS_LEN = 4,
    TCPOPT_WS_LEN = 3,
    TCPOPT_SACKOK_LEN = 2,
    TCPOPT_TS_LEN = 10,
    TCPOPT_SACK_MIN = 10,        // kind, length, one block
    TCPOPT_SACK_MAX = 34,        // four blocks: all 40 option bytes can hold
};

static void tcp_opt_sack(TcpVars *t, const uint8_t *o, uint8_t olen)
{
    t->n_sack = 0;
    for (uint32_t off = 2; off + 8 <= olen && t->n_sack < 4; off += 8) {
        t->sack[t->n_sack].left = util_be32(o + off);
        t->sack[t->n_sack].right = util_be32(o + off + 4);
        t->n_sack++;
    }
}

/* Whether an option of this kind and length is well formed; unknown kinds
 * are accepted as they are (TFO, MPTCP, MD5, AO, ...). */
static bool tcp_opt_len_ok(uint8_t kind, uint8_t olen)
{
    switch (kind) {
    case TCPOPT_MSS:
        return olen == TCPOPT_MSS_LEN;
    case TCPOPT_WS:
        return olen == TCPOPT_WS_LEN;
    case TCPOPT_SACKOK:
        return olen == TCPOPT_SACKOK_LEN;
    case TCPOPT_TS:
        return olen == TCPOPT_TS_LEN;
    case TCPOPT_TFO:
        /* a cookie request (no cookie), or a cookie of 4 to 16 bytes, even */
        return olen == 2 || (olen >= 6 && olen <= 18 && olen % 2 == 0);
    case TCPOPT_SACK:
        /* An empty SACK (length 2) carries nothing but is not malformed. */
        return olen == 2 ||
               (olen >= TCPOPT_SACK_MIN && olen <= TCPOPT_SACK_MAX && (olen - 2) % 8 == 0);
    default:
        return true;
    }
}

/* Whether the option was already seen in this header; marks it seen. */
static bool tcp_opt_seen(TcpVars *t, uint8_t kind)
{
    bool *flag;
    switch (kind) {
    case TCPOPT_MSS:
        flag = &t->has_mss;
        break;
    case TCPOPT_WS:
        flag = &t->has_wscale;
        break;
    case TCPOPT_SACKOK:
        flag = &t->has_sackok;
        break;
    case TCPOPT_TS:
        flag = &t->has_ts;
        break;
    case TCPOPT_SACK:
        return t->n_sack > 0;
    default:
        return false;
    }
    bool was = *flag;
    *flag = true;
    return was;
}

/* One option o[0..olen) whose length octet was checked against the space
 * left; a wrong length or a repeat raises an event and is ignored. */
static void tcp_option(DecodeThreadCtx *dtv, Packet *p, const uint8_t *o, uint8_t olen)
{
    TcpVars *t = &p->tcp;
    uint8_t kind = o[0];
    if (!tcp_opt_len_ok(kind, olen)) {
        decode_event(dtv, p, DECODE_EV_TCP_OPT_INVALID_LEN);
        return;
    }
    if (tcp_opt_seen(t, kind)) {
        decode_event(dtv, p, DECODE_EV_TCP_OPT_DUPLICATE);
        return;
    }
    switch (kind) {
    case TCPOPT_MSS:
        t->mss = util_be16(o + 2);
        break;
    case TCPOPT_WS:
        t->wscale = o[2] > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : o[2];
        break;
    case TCPOPT_TS:
        t->ts_val = util_be32(o + 2);
        t->ts_ecr = util_be32(o + 6);
        break;
    case TCPOPT_SACK:
        tcp_opt_sack(t, o, olen);
        break;
    case TCPOPT_TFO:
        t->has_tfo = true;
        break;
    case TCPOPT_EXP:
        if (olen >= 4 && util_be16(o + 2) == 0xF989) {
            t->has_tfo = true;   // Fast Open as Linux sent it before option 34
        }
        break;
    default:
        break;
    }
}

static void tcp_options(DecodeThreadCtx *dtv, Packet *p, const uint8_t *o, uint32_t olen)
{
    uint32_t off = 0;
    while (off < olen) {
        uint8_t kind = o[off];
        if (kind == TCPOPT_EOL) {
            return;
        }
        if (kind == TCPOPT_NOP) {
            off++;
            continue;
        }
        uint32_t left = olen - off;
        if (left < 2) {
            return;              // a lone kind octet at the end: padding garbage
        }
        uint8_t len = o[off + 1];
        if (len < 2 || len > left) {
            decode_event(dtv, p, DECODE_EV_TCP_OPT_INVALID_LEN);
            return;
        }
        tcp_option(dtv, p, o + off, len);
        off += len;
    }
}

/* Returns the header length, or 0 after raising the event that makes the
 * segment undecodable. */
static uint32_t tcp_check_lengths(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt,
                                  uint32_t len)
{
    if (len < TCP_HDR_MIN) {
        decode_event(dtv, p, DECODE_EV_TCP_PKT_TOO_SMALL);
        return 0;
    }
    uint32_t hlen = (uint32_t)(pkt[12] >> 4) * 4;
    if (hlen > len) {
        decode_event(dtv, p, DECODE_EV_TCP_HLEN_TOO_SMALL);
        return 0;
    }
    if (hlen < TCP_HDR_MIN) {
        /* Suricata reports a data offset below 5 as a bad option length. */
        decode_event(dtv, p, DECODE_EV_TCP_INVALID_OPTLEN);
        return 0;
    }
    return hlen;
}

int decode_tcp(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len)
{
    decode_count(dtv, DC_TCP);
    uint32_t hlen = tcp_check_lengths(dtv, p, pkt, len);
    if (hlen == 0) {
        return VG_EINVAL;
    }
    p->tcp = (TcpVars){
        .hdr = pkt,
        .hlen = (uint16_t)hlen,
        .seq = util_be32(pkt + 4),
        .ack = util_be32(pkt + 8),
        .flags = pkt[13],
        .flags_hi = pkt[12] & 0x0f,
        .win = util_be16(pkt + 14),
        .urg_ptr = util_be16(pkt + 18),
    };
    if (hlen > TCP_HDR_MIN) {
        tcp_options(dtv, p, pkt + TCP_HDR_MIN, hlen - TCP_HDR_MIN);
    }
    p->sp = util_be16(pkt);
    p->dp = util_be16(pkt + 2);
    p->l4 = PKT_L4_TCP;
    p->proto = IP_PROTO_TCP;
    p->payload = pkt + hlen;
    p->payload_len = len - hlen;

    if (decode_ip_l4_csum_wanted(dtv, p)) {
        p->tcp.csum_bad = decode_ip_l4_csum_is_bad(p, IP_PROTO_TCP, pkt, len);
        decode_ip_l4_csum_record(dtv, p, p->tcp.csum_bad);
    }
    return 0;
}
