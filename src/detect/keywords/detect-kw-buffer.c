/* Sticky buffers over protocol headers: ipv4.hdr, ipv6.hdr, tcp.hdr, udp.hdr,
 * icmpv4.hdr, icmpv6.hdr; ip.src and ip.dst (Suricata 8: the address itself, 4 bytes
 * for IPv4, 16 for IPv6; they may go with app-layer buffers, inspected on the packet
 * the transaction is inspected on). After one of them, content, pcre, byte_* and isdataat
 * inspect the header bytes instead of the payload (until pkt_data or another
 * sticky buffer). The header is the innermost one the decoder filled. */

#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"

#define ICMP_HDR_MIN 8u
#define IPV6_HDR_LEN 40u
#define UDP_HDR_LEN 8u

/* Bytes of the IP datagram from hdr to its end, 0 when hdr is outside it. */
static uint32_t avail_from(const Packet *p, const uint8_t *hdr)
{
    if (hdr == NULL || p->l3_hdr == NULL || hdr < p->l3_hdr ||
        (size_t)(hdr - p->l3_hdr) >= p->l3_len) {
        return 0;
    }
    return p->l3_len - (uint32_t)(hdr - p->l3_hdr);
}

/* The ICMPv4 header length depends on the message: timestamps carry three
 * times, address masks one mask, router advertisements their address list
 * (RFC 792, 950, 1256). Everything else has the 8-byte header. */
static uint32_t icmpv4_hdr_len(const uint8_t *h)
{
    switch (h[0]) {
    case 9:  // router advertisement: num addrs (h[4]) x entry size in words (h[5])
        return ICMP_HDR_MIN + (uint32_t)h[4] * h[5] * 4u;
    case 13:
    case 14:
        return 20;
    case 17:
    case 18:
        return 12;
    default:
        return ICMP_HDR_MIN;
    }
}

static bool clamp(const uint8_t *hdr, uint32_t want, uint32_t avail, const uint8_t **buf,
                  uint32_t *len)
{
    if (hdr == NULL || want == 0 || avail < want) {
        return false;
    }
    *buf = hdr;
    *len = want;
    return true;
}

bool detect_buffer_get(const Packet *p, int list, const uint8_t **buf, uint32_t *len)
{
    switch (list) {
    case DETECT_LIST_IPV4_HDR:
        return p->l3 == PKT_L3_IPV4 &&
               clamp(p->ip4.hdr, p->ip4.hlen, avail_from(p, p->ip4.hdr), buf, len);
    case DETECT_LIST_IPV6_HDR:
        return p->l3 == PKT_L3_IPV6 &&
               clamp(p->ip6.hdr, IPV6_HDR_LEN, avail_from(p, p->ip6.hdr), buf, len);
    case DETECT_LIST_TCP_HDR:
        return p->l4 == PKT_L4_TCP &&
               clamp(p->tcp.hdr, p->tcp.hlen, avail_from(p, p->tcp.hdr), buf, len);
    case DETECT_LIST_UDP_HDR:
        return p->l4 == PKT_L4_UDP &&
               clamp(p->udp.hdr, UDP_HDR_LEN, avail_from(p, p->udp.hdr), buf, len);
    case DETECT_LIST_ICMPV4_HDR: {
        uint32_t avail = avail_from(p, p->icmp.hdr);
        if (p->l4 != PKT_L4_ICMPV4 || avail < ICMP_HDR_MIN) {
            return false;
        }
        return clamp(p->icmp.hdr, icmpv4_hdr_len(p->icmp.hdr), avail, buf, len);
    }
    case DETECT_LIST_ICMPV6_HDR:
        return p->l4 == PKT_L4_ICMPV6 &&
               clamp(p->icmp.hdr, ICMP_HDR_MIN, avail_from(p, p->icmp.hdr), buf, len);
    case DETECT_LIST_IP_SRC:
    case DETECT_LIST_IP_DST: {
        const VgAddr *a = list == DETECT_LIST_IP_SRC ? &p->src : &p->dst;
        if (a->family != 4 && a->family != 6) {
            return false;
        }
        *buf = a->a.u8;
        *len = a->family == 4 ? 4 : 16;
        return true;
    }
    default:
        return false;
    }
}

/* Switching buffers: later payload keywords go to list; a relative keyword
 * right after the switch has nothing before it in that buffer. */
static int select_list(DetectParser *dp, int list)
{
    dp->pm_list = (uint16_t)list;
    dp->last_list = (uint16_t)list;
    dp->last_pm = (int)dp->s->lists[list].n - 1;
    return 0;
}

static int setup_ipv4_hdr(DetectParser *dp, const char *arg)
{
    (void)arg;
    return select_list(dp, DETECT_LIST_IPV4_HDR);
}

static int setup_ipv6_hdr(DetectParser *dp, const char *arg)
{
    (void)arg;
    return select_list(dp, DETECT_LIST_IPV6_HDR);
}

static int setup_tcp_hdr(DetectParser *dp, const char *arg)
{
    (void)arg;
    return select_list(dp, DETECT_LIST_TCP_HDR);
}

static int setup_udp_hdr(DetectParser *dp, const char *arg)
{
    (void)arg;
    return select_list(dp, DETECT_LIST_UDP_HDR);
}

static int setup_icmpv4_hdr(DetectParser *dp, const char *arg)
{
    (void)arg;
    return select_list(dp, DETECT_LIST_ICMPV4_HDR);
}

static int setup_icmpv6_hdr(DetectParser *dp, const char *arg)
{
    (void)arg;
    return select_list(dp, DETECT_LIST_ICMPV6_HDR);
}

static int setup_ip_src(DetectParser *dp, const char *arg)
{
    (void)arg;
    return select_list(dp, DETECT_LIST_IP_SRC);
}

static int setup_ip_dst(DetectParser *dp, const char *arg)
{
    (void)arg;
    return select_list(dp, DETECT_LIST_IP_DST);
}

const DetectKeyword detect_kw_ip_src = {
    .name = "ip.src", .desc = "sticky buffer: the source IP address (4 or 16 bytes)",
    .flags = DETECT_KW_NOOPT, .setup = setup_ip_src,
};
const DetectKeyword detect_kw_ip_dst = {
    .name = "ip.dst", .desc = "sticky buffer: the destination IP address (4 or 16 bytes)",
    .flags = DETECT_KW_NOOPT, .setup = setup_ip_dst,
};
const DetectKeyword detect_kw_ipv4_hdr = {
    .name = "ipv4.hdr", .desc = "sticky buffer: the IPv4 header", .flags = DETECT_KW_NOOPT,
    .setup = setup_ipv4_hdr,
};
const DetectKeyword detect_kw_ipv6_hdr = {
    .name = "ipv6.hdr", .desc = "sticky buffer: the IPv6 header", .flags = DETECT_KW_NOOPT,
    .setup = setup_ipv6_hdr,
};
const DetectKeyword detect_kw_tcp_hdr = {
    .name = "tcp.hdr", .desc = "sticky buffer: the TCP header", .flags = DETECT_KW_NOOPT,
    .setup = setup_tcp_hdr,
};
const DetectKeyword detect_kw_udp_hdr = {
    .name = "udp.hdr", .desc = "sticky buffer: the UDP header", .flags = DETECT_KW_NOOPT,
    .setup = setup_udp_hdr,
};
const DetectKeyword detect_kw_icmpv4_hdr = {
    .name = "icmpv4.hdr", .desc = "sticky buffer: the ICMPv4 header", .flags = DETECT_KW_NOOPT,
    .setup = setup_icmpv4_hdr,
};
const DetectKeyword detect_kw_icmpv6_hdr = {
    .name = "icmpv6.hdr", .desc = "sticky buffer: the ICMPv6 header", .flags = DETECT_KW_NOOPT,
    .setup = setup_icmpv6_hdr,
};
