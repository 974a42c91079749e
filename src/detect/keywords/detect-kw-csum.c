/* Checksum keywords: ipv4-csum, tcpv4-csum, tcpv6-csum, udpv4-csum,
 * udpv6-csum, icmpv4-csum, icmpv6-csum, each "valid" or "invalid". The sum is
 * computed here from the packet bytes, whatever the decoder's checksum
 * validation setting, so the keywords work with validation off. A header the
 * packet lacks, or a datagram cut short by the capture, never matches. */

#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-byte.h"
#include "util/util-error.h"

enum { CS_IPV4 = 0, CS_TCPV4, CS_TCPV6, CS_UDPV4, CS_UDPV6, CS_ICMPV4, CS_ICMPV6 };

typedef struct CsumCtx {
    uint8_t which;
    bool want_valid;
} CsumCtx;

/* The L4 bytes from l4 to the end of the IP datagram; false when the capture
 * cut the datagram (the sum cannot be checked). */
static bool l4_span(const Packet *p, const uint8_t *l4, uint32_t *len)
{
    uint32_t dgram;
    if (l4 == NULL || p->l3_hdr == NULL || l4 < p->l3_hdr) {
        return false;
    }
    if (p->l3 == PKT_L3_IPV4) {
        dgram = p->ip4.total_len;
    } else if (p->l3 == PKT_L3_IPV6) {
        dgram = 40u + p->ip6.plen;
    } else {
        return false;
    }
    uint32_t off = (uint32_t)(l4 - p->l3_hdr);
    if (p->l3_len < dgram || off >= dgram) {
        return false;
    }
    *len = dgram - off;
    return true;
}

static bool l4_sum_ok(const Packet *p, const uint8_t *l4, uint8_t proto, bool *valid)
{
    uint32_t len;
    if (!l4_span(p, l4, &len)) {
        return false;
    }
    if (p->l3 == PKT_L3_IPV4) {
        const uint8_t *ip = p->ip4.hdr;
        *valid = decode_csum_l4_ipv4(ip + 12, ip + 16, proto, l4, len) == 0;
    } else {
        const uint8_t *ip = p->ip6.hdr;
        *valid = decode_csum_l4_ipv6(ip + 8, ip + 24, proto, l4, len) == 0;
    }
    return true;
}

/* Computes the checksum state; false when it does not apply to p. */
static bool csum_state(const Packet *p, uint8_t which, bool *valid)
{
    uint32_t len;
    switch (which) {
    case CS_IPV4:
        if (p->l3 != PKT_L3_IPV4 || p->ip4.hdr == NULL || p->ip4.hlen < 20) {
            return false;
        }
        *valid = decode_csum_ipv4_hdr(p->ip4.hdr, p->ip4.hlen) == 0;
        return true;
    case CS_TCPV4:
    case CS_TCPV6:
        if (p->l4 != PKT_L4_TCP || p->l3 != (which == CS_TCPV4 ? PKT_L3_IPV4 : PKT_L3_IPV6)) {
            return false;
        }
        return l4_sum_ok(p, p->tcp.hdr, 6, valid);
    case CS_UDPV4:
    case CS_UDPV6:
        if (p->l4 != PKT_L4_UDP || p->l3 != (which == CS_UDPV4 ? PKT_L3_IPV4 : PKT_L3_IPV6)) {
            return false;
        }
        if (which == CS_UDPV4 && p->udp.hdr != NULL && util_be16(p->udp.hdr + 6) == 0) {
            *valid = true;  // IPv4 UDP without a checksum
            return true;
        }
        return l4_sum_ok(p, p->udp.hdr, 17, valid);
    case CS_ICMPV4:
        if (p->l4 != PKT_L4_ICMPV4 || !l4_span(p, p->icmp.hdr, &len)) {
            return false;
        }
        *valid = decode_csum_ipv4_hdr(p->icmp.hdr, len) == 0;
        return true;
    default:
        if (p->l4 != PKT_L4_ICMPV6 || p->l3 != PKT_L3_IPV6) {
            return false;
        }
        return l4_sum_ok(p, p->icmp.hdr, 58, valid);
    }
}

static bool match_csum(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    const CsumCtx *c = ctx;
    bool valid;
    return csum_state(p, c->which, &valid) && valid == c->want_valid;
}

static int setup_csum(DetectParser *dp, const char *arg, uint8_t which, const DetectKeyword *kw)
{
    bool want_valid;
    if (strcmp(arg, "valid") == 0) {
        want_valid = true;
    } else if (strcmp(arg, "invalid") == 0) {
        want_valid = false;
    } else {
        return detect_err(dp, "%s takes valid or invalid, not '%s'", kw->name, arg);
    }
    CsumCtx *c = malloc(sizeof(*c));
    if (c == NULL) {
        return detect_err(dp, "out of memory");
    }
    *c = (CsumCtx){ which, want_valid };
    return detect_append(dp, DETECT_LIST_MATCH, kw, c, 0);
}

#define CSUM_KW(var, kname, which)                                                  \
    static int setup_##var(DetectParser *dp, const char *arg)                       \
    {                                                                               \
        return setup_csum(dp, arg, which, &detect_kw_##var);                         \
    }                                                                               \
    const DetectKeyword detect_kw_##var = {                                         \
        .name = kname, .desc = "checksum is valid|invalid", .setup = setup_##var,  \
        .match = match_csum, .free = free,                                          \
    }

CSUM_KW(ipv4_csum, "ipv4-csum", CS_IPV4);
CSUM_KW(tcpv4_csum, "tcpv4-csum", CS_TCPV4);
CSUM_KW(tcpv6_csum, "tcpv6-csum", CS_TCPV6);
CSUM_KW(udpv4_csum, "udpv4-csum", CS_UDPV4);
CSUM_KW(udpv6_csum, "udpv6-csum", CS_UDPV6);
CSUM_KW(icmpv4_csum, "icmpv4-csum", CS_ICMPV4);
CSUM_KW(icmpv6_csum, "icmpv6-csum", CS_ICMPV6);
