/* Active responses for reject, rejectsrc, rejectdst and rejectboth, when
 * Vigil is really inline (NFQUEUE): a TCP packet is answered with a reset,
 * any other IP packet with an ICMP destination unreachable (port unreachable
 * for UDP, host unreachable otherwise), built here and sent through a raw
 * socket (IP_HDRINCL), so the kernel routes it like any locally sent packet;
 * when the capture bridges two interfaces (AF_PACKET IPS: p->inject_fn) it
 * goes out at link level instead, back out of the packet's own interface to
 * the source or out of the peer to the destination.
 *
 * Sequence numbers the endpoint accepts (RFC 793, RFC 5961):
 * - to the source (the packet's sender, which waits for the peer): when the
 *   packet carries an ACK, the reset's sequence is that ACK number, exactly
 *   the sender's next expected byte; for a SYN (no ACK) the reset has
 *   sequence 0 and acknowledges the SYN (seq + 1), what a sender in SYN-SENT
 *   takes.
 * - to the destination: the packet's own sequence number (the dropped
 *   packet never arrived, so it is the receiver's next expected byte) with
 *   the packet's ACK; a SYN alone has opened nothing there, so nothing goes.
 * The ICMP error quotes the packet's IP header and up to 64 bytes after it.
 * Tunnel packets (inner headers: GRE, VXLAN, Geneve, Teredo, IP-in-IP, ...)
 * are dropped (their outer packet with them) but not answered: the reply
 * would have to go back inside the same tunnel (outer headers mirrored,
 * lengths and checksums redone at every layer), which is not built; sent as
 * plain IP it would reach the inner endpoints only where their addresses
 * happen to be routable from here, and then by another path than the tunnel.
 * Each such packet is counted in respond.tunnel_not_answered, and the first
 * one logs a warning naming the rule and the tunnel. Counters (counted by the
 * thread that sends): respond.rst_sent, respond.icmp_sent,
 * respond.send_errors, respond.tunnel_not_answered. */
#include "respond/respond.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "decode/decode.h"
#include "detect/detect.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define REJECT_QUOTE_MAX 64      // bytes after the IP header quoted in ICMP errors

int respond_reject_init(RespondReject *rr)
{
    memset(rr, 0, sizeof(*rr));
    rr->fd4 = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (rr->fd4 < 0) {
        VG_ERROR("reject: cannot open a raw IPv4 socket: %s%s", strerror(errno),
                 errno == EPERM ? " (needs CAP_NET_RAW)" : "");
        return VG_EIO;
    }
    rr->fd6 = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
    if (rr->fd6 < 0) {
        VG_WARN("reject: no raw IPv6 socket (%s): IPv6 packets are dropped without a reply",
                strerror(errno));
    }
    rr->c_rst = counters_register("respond.rst_sent", COUNTER_SUM);
    rr->c_icmp = counters_register("respond.icmp_sent", COUNTER_SUM);
    rr->c_errors = counters_register("respond.send_errors", COUNTER_SUM);
    rr->c_tunnel = counters_register("respond.tunnel_not_answered", COUNTER_SUM);
    return 0;
}

void respond_reject_deinit(RespondReject *rr)
{
    if (rr->fd4 > 0) {
        close(rr->fd4);
    }
    if (rr->fd6 > 0) {
        close(rr->fd6);
    }
    rr->fd4 = rr->fd6 = -1;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (uint32_t)(b[i] << 8 | b[i + 1]);
    }
    if (n & 1) {
        sum += (uint32_t)(b[n - 1] << 8);
    }
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

static void put16(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
    put16(b, (uint16_t)(v >> 16));
    put16(b + 2, (uint16_t)v);
}

/* IP header from src to dst carrying l4_len bytes of proto; returns its size. */
static size_t ip_header(uint8_t *b, const VgAddr *src, const VgAddr *dst, uint8_t proto,
                        size_t l4_len)
{
    if (src->family == 4) {
        memset(b, 0, 20);
        b[0] = 0x45;
        put16(b + 2, (uint16_t)(20 + l4_len));
        b[6] = 0x40;             // DF
        b[8] = 64;
        b[9] = proto;
        memcpy(b + 12, &src->a.u32[0], 4);
        memcpy(b + 16, &dst->a.u32[0], 4);
        put16(b + 10, csum_fold(csum_add(0, b, 20)));
        return 20;
    }
    memset(b, 0, 40);
    b[0] = 0x60;
    put16(b + 4, (uint16_t)l4_len);
    b[6] = proto;
    b[7] = 64;
    memcpy(b + 8, src->a.u8, 16);
    memcpy(b + 24, dst->a.u8, 16);
    return 40;
}

/* Checksum of an L4 segment with its pseudo header. */
static uint16_t l4_csum(const VgAddr *src, const VgAddr *dst, uint8_t proto, const uint8_t *l4,
                        size_t len)
{
    uint8_t ph[40];
    size_t alen = src->family == 4 ? 4 : 16;
    memcpy(ph, src->a.u8, alen);
    memcpy(ph + alen, dst->a.u8, alen);
    uint32_t sum = csum_add(0, ph, alen * 2);
    sum += proto;
    sum += (uint32_t)len;
    return csum_fold(csum_add(sum, l4, len));
}

/* is_to_src: the reply goes back to p's sender. A capture that bridges
 * interfaces (AF_PACKET IPS) sends it at link level, framed as the packet
 * from the wire (a datagram rebuilt from fragments: its last fragment's);
 * else a raw socket. */
static int send_ip(RespondReject *rr, const Packet *p, bool is_to_src, const VgAddr *dst,
                   const uint8_t *pkt, size_t len)
{
    const Packet *wire = p->root != NULL ? p->root : p;
    if (wire->inject_fn != NULL) {
        return wire->inject_fn(wire, is_to_src, pkt, len);
    }
    ssize_t n;
    if (dst->family == 4) {
        struct sockaddr_in sin = {.sin_family = AF_INET};
        memcpy(&sin.sin_addr, &dst->a.u32[0], 4);
        n = sendto(rr->fd4, pkt, len, 0, (struct sockaddr *)&sin, sizeof(sin));
    } else {
        if (rr->fd6 < 0) {
            return VG_EIO;
        }
        struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
        memcpy(&sin6.sin6_addr, dst->a.u8, 16);
        n = sendto(rr->fd6, pkt, len, 0, (struct sockaddr *)&sin6, sizeof(sin6));
    }
    return n == (ssize_t)len ? 0 : VG_EIO;
}

static void count(CounterSet *cs, CounterId id)
{
    if (cs != NULL) {
        counters_incr(cs, id);
    }
}

/* A reset from src to dst, ports sp -> dp. */
static void send_rst(RespondReject *rr, CounterSet *cs, const Packet *p, bool is_to_src,
                     const VgAddr *src, const VgAddr *dst, uint16_t sp, uint16_t dp,
                     uint32_t seq, uint32_t ack, bool with_ack)
{
    uint8_t pkt[60];
    size_t ip_len = ip_header(pkt, src, dst, IPPROTO_TCP, 20);
    uint8_t *t = pkt + ip_len;
    memset(t, 0, 20);
    put16(t, sp);
    put16(t + 2, dp);
    put32(t + 4, seq);
    put32(t + 8, with_ack ? ack : 0);
    t[12] = 5 << 4;
    t[13] = TH_RST | (with_ack ? TH_ACK : 0);
    put16(t + 16, l4_csum(src, dst, IPPROTO_TCP, t, 20));
    count(cs, send_ip(rr, p, is_to_src, dst, pkt, ip_len + 20) == 0 ? rr->c_rst : rr->c_errors);
}

static void reject_tcp(RespondReject *rr, CounterSet *cs, const Packet *p, bool to_src,
                       bool to_dst)
{
    const TcpVars *t = &p->tcp;
    uint32_t seg_len = p->payload_len + ((t->flags & TH_SYN) ? 1u : 0u) +
                       ((t->flags & TH_FIN) ? 1u : 0u);
    bool has_ack = (t->flags & TH_ACK) != 0;
    if (t->flags & TH_RST) {
        return;                  // never answer a reset
    }
    if (to_src) {
        if (has_ack) {
            send_rst(rr, cs, p, true, &p->dst, &p->src, p->dp, p->sp, t->ack,
                     t->seq + seg_len, true);
        } else {
            send_rst(rr, cs, p, true, &p->dst, &p->src, p->dp, p->sp, 0, t->seq + seg_len,
                     true);
        }
    }
    if (to_dst && has_ack) {
        send_rst(rr, cs, p, false, &p->src, &p->dst, p->sp, p->dp, t->seq, t->ack, true);
    }
}

/* ICMP(v6) destination unreachable from `from` to `to`, quoting p. */
static void send_unreach(RespondReject *rr, CounterSet *cs, const Packet *p, const VgAddr *from,
                         const VgAddr *to)
{
    uint8_t pkt[40 + 8 + 40 + REJECT_QUOTE_MAX];
    bool v4 = from->family == 4;
    size_t hdr = v4 ? p->ip4.hlen : 40;
    size_t quote = p->l3_len < hdr + REJECT_QUOTE_MAX ? p->l3_len : hdr + REJECT_QUOTE_MAX;
    if (quote > sizeof(pkt) - 48) {
        quote = sizeof(pkt) - 48;
    }
    uint8_t proto = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
    size_t ip_len = ip_header(pkt, from, to, proto, 8 + quote);
    uint8_t *ic = pkt + ip_len;
    memset(ic, 0, 8);
    if (v4) {
        ic[0] = 3;                                   // destination unreachable
        ic[1] = p->l4 == PKT_L4_UDP ? 3 : 1;         // port / host unreachable
    } else {
        ic[0] = 1;                                   // destination unreachable
        ic[1] = p->l4 == PKT_L4_UDP ? 4 : 3;         // port / address unreachable
    }
    memcpy(ic + 8, p->l3_hdr, quote);
    uint16_t sum = v4 ? csum_fold(csum_add(0, ic, 8 + quote))
                      : l4_csum(from, to, proto, ic, 8 + quote);
    put16(ic + 2, sum);
    bool is_to_src = to == &p->src;
    count(cs, send_ip(rr, p, is_to_src, to, pkt, ip_len + 8 + quote) == 0 ? rr->c_icmp
                                                                          : rr->c_errors);
}

/* A reject on a tunnel packet: counted, and said once (see the top). */
static void tunnel_not_answered(RespondReject *rr, CounterSet *cs, const Packet *p, uint32_t sid)
{
    static atomic_bool warned;
    count(cs, rr->c_tunnel);
    if (!atomic_exchange(&warned, true)) {
        VG_WARN("reject: rule %u matched a packet inside a tunnel (%s): it is dropped, but no "
                "reset or ICMP error is sent (Vigil does not build replies inside tunnels); "
                "counted in respond.tunnel_not_answered",
                sid, decode_pkt_src_name(p));
    }
}

void respond_reject_packet(RespondReject *rr, const Packet *p, CounterSet *cs)
{
    const PacketAlerts *pa = p->alerts;
    if (p->l3_hdr == NULL || (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6)) {
        return;
    }
    /* An exception policy's reject answers the source, as rejectsrc. */
    int action = (p->flags & PKT_F_REJECT) ? DETECT_ACTION_REJECT : -1;
    uint32_t sid = 0;
    for (uint16_t i = 0; action < 0 && pa != NULL && i < p->n_alerts && i < DETECT_ALERTS_MAX;
         i++) {
        uint8_t a = pa->alerts[i].action;
        if (a >= DETECT_ACTION_REJECT && a <= DETECT_ACTION_REJECT_BOTH) {
            action = a;
            sid = pa->alerts[i].sid;
            break;
        }
    }
    if (action < 0) {
        return;
    }
    if (p->root != NULL && p->tunnel_kind != PKT_TUNNEL_DEFRAG) {
        tunnel_not_answered(rr, cs, p, sid);
        return;
    }
    bool to_src = action == DETECT_ACTION_REJECT || action == DETECT_ACTION_REJECT_BOTH;
    bool to_dst = action == DETECT_ACTION_REJECT_DST || action == DETECT_ACTION_REJECT_BOTH;
    if (p->l4 == PKT_L4_TCP && p->tcp.hdr != NULL) {
        reject_tcp(rr, cs, p, to_src, to_dst);
        return;
    }
    if (p->l4 == PKT_L4_ICMPV4 || p->l4 == PKT_L4_ICMPV6) {
        return;                  // no ICMP error about an ICMP message
    }
    if (to_src) {
        send_unreach(rr, cs, p, &p->dst, &p->src);
    }
    if (to_dst) {
        send_unreach(rr, cs, p, &p->src, &p->dst);
    }
}
