/* Flow keys and the keyed flow hash.
 *
 * The hash is SipHash-2-4 (Aumasson & Bernstein, 2012) keyed with 128 random
 * bits drawn at start-up, so that an attacker who does not know the key
 * cannot choose tuples that land in one bucket. The input is the key with
 * its two endpoints in canonical order, so both directions hash alike.
 *
 * Keys: TCP/UDP/others use the ports the decoder set (0 for protocols
 * without ports). IP fragments have no key and so no flow (as Suricata):
 * the datagram defrag rebuilds from them gets the flow. ICMP messages are
 * keyed as Suricata keys them: the "source port" is this message's type and
 * the "destination port" the type of its counterpart (echo request <-> reply
 * and the other query/answer pairs; 0 for a type without one), and these
 * swap with the direction like ports. A request A->B and its reply B->A
 * therefore meet in one flow, while a reply A->B is another flow; ICMP ids
 * are not part of the key. ICMPv6 keys carry the code too (type << 8 | code,
 * counterpart << 8), ICMPv4 keys the types only. An ICMP error quoting a
 * header is keyed by the quoted flow instead; its ports stay in place when
 * the direction flips (FlowTuple.fixed_ports). */

#include "flow/flow-internal.h"

#include <string.h>

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline uint64_t le64_load(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

#define SIP_ROUND(v0, v1, v2, v3)                                                            \
    do {                                                                                     \
        v0 += v1;                                                                            \
        v1 = ROTL64(v1, 13);                                                                 \
        v1 ^= v0;                                                                            \
        v0 = ROTL64(v0, 32);                                                                 \
        v2 += v3;                                                                            \
        v3 = ROTL64(v3, 16);                                                                 \
        v3 ^= v2;                                                                            \
        v0 += v3;                                                                            \
        v3 = ROTL64(v3, 21);                                                                 \
        v3 ^= v0;                                                                            \
        v2 += v1;                                                                            \
        v1 = ROTL64(v1, 17);                                                                 \
        v1 ^= v2;                                                                            \
        v2 = ROTL64(v2, 32);                                                                 \
    } while (0)

uint64_t flow_siphash24(const uint8_t key[16], const void *data, size_t len)
{
    const uint8_t *in = data;
    uint64_t k0 = le64_load(key);
    uint64_t k1 = le64_load(key + 8);
    uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
    uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
    uint64_t v3 = k1 ^ 0x7465646279746573ULL;
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = le64_load(in + i);
        v3 ^= m;
        SIP_ROUND(v0, v1, v2, v3);
        SIP_ROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = 0; i < (len & 7); i++) {
        b |= (uint64_t)in[full + i] << (8 * i);
    }
    v3 ^= b;
    SIP_ROUND(v0, v1, v2, v3);
    SIP_ROUND(v0, v1, v2, v3);
    v0 ^= b;
    v2 ^= 0xff;
    for (int i = 0; i < 4; i++) {
        SIP_ROUND(v0, v1, v2, v3);
    }
    return v0 ^ v1 ^ v2 ^ v3;
}

FlowProtoClass flow_proto_class(uint8_t proto)
{
    switch (proto) {
    case 6:
        return FLOW_PROTO_TCP;
    case 17:
        return FLOW_PROTO_UDP;
    case 1:
    case 58:
        return FLOW_PROTO_ICMP;
    default:
        return FLOW_PROTO_DEFAULT;
    }
}

static size_t addr_len(uint8_t family)
{
    return family == 6 ? 16 : 4;
}

/* Copy with the unused bytes zeroed, so keys compare with memcmp. */
static void addr_copy(VgAddr *dst, const VgAddr *src, uint8_t family)
{
    memset(dst, 0, sizeof(*dst));
    dst->family = family;
    memcpy(dst->a.u8, src->a.u8, addr_len(family));
}

/* The type answering (or answered by) an ICMP query type, 0 when it has
 * none. v4: RFC 792, RFC 950. v6: echo (RFC 4443), neighbour and router
 * discovery (RFC 4861), MLD (RFC 2710), node information (RFC 4620), home
 * agent and mobile prefix (RFC 6275), certification path (RFC 3971),
 * multicast router discovery (RFC 4286), duplicate address (RFC 6775). */
static uint8_t icmp_counterpart(uint8_t l4, uint8_t type)
{
    static const uint8_t v4_pairs[][2] = {{8, 0}, {13, 14}, {15, 16}, {17, 18}};
    static const uint8_t v6_pairs[][2] = {{128, 129}, {135, 136}, {133, 134}, {130, 131},
                                          {139, 140}, {144, 145}, {146, 147}, {148, 149},
                                          {151, 152}, {157, 158}};
    const uint8_t (*pairs)[2] = l4 == PKT_L4_ICMPV4 ? v4_pairs : v6_pairs;
    size_t n = l4 == PKT_L4_ICMPV4 ? sizeof(v4_pairs) / sizeof(v4_pairs[0])
                                   : sizeof(v6_pairs) / sizeof(v6_pairs[0]);
    for (size_t i = 0; i < n; i++) {
        if (type == pairs[i][0]) {
            return pairs[i][1];
        }
        if (type == pairs[i][1]) {
            return pairs[i][0];
        }
    }
    return 0;
}

static void tuple_icmp(const Packet *p, FlowTuple *t)
{
    const IcmpVars *ic = &p->icmp;
    uint8_t other = icmp_counterpart(p->l4, ic->type);
    t->fixed_ports = false;
    t->src_is_server = false;
    if (p->l4 == PKT_L4_ICMPV6) {
        t->k.sp = (uint16_t)(ic->type << 8 | ic->code);
        t->k.dp = (uint16_t)(other << 8);
    } else {
        t->k.sp = ic->type;
        t->k.dp = other;
    }
}

static void tuple_embedded(const Packet *p, uint8_t family, FlowTuple *emb)
{
    const IcmpVars *ic = &p->icmp;
    memset(emb, 0, sizeof(*emb));
    uint8_t efam = ic->emb_src.family != 0 ? ic->emb_src.family : family;
    addr_copy(&emb->k.src, &ic->emb_src, efam);
    addr_copy(&emb->k.dst, &ic->emb_dst, efam);
    emb->k.sp = ic->emb_sp;
    emb->k.dp = ic->emb_dp;
    emb->k.proto = ic->emb_proto;
    emb->k.recursion = p->tunnel_depth;
    emb->fixed_ports = flow_proto_class(ic->emb_proto) == FLOW_PROTO_ICMP;
    emb->k.n_vlan = p->n_vlan > PACKET_MAX_VLANS ? PACKET_MAX_VLANS : p->n_vlan;
    for (uint8_t i = 0; i < emb->k.n_vlan; i++) {
        emb->k.vlan_id[i] = p->vlan_id[i];
    }
}

static uint8_t packet_proto(const Packet *p)
{
    if (p->proto != 0 || p->l4 != PKT_L4_NONE) {
        return p->proto;
    }
    return p->l3 == PKT_L3_IPV4 ? p->ip4.proto : p->ip6.next_hdr;
}

bool flow_tuple_from_packet(const Packet *p, FlowTuple *t, FlowTuple *emb, bool *has_emb)
{
    if ((p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6) || (p->flags & PKT_F_IS_FRAGMENT)) {
        return false;
    }
    uint8_t family = p->l3 == PKT_L3_IPV4 ? 4 : 6;
    memset(t, 0, sizeof(*t));
    addr_copy(&t->k.src, &p->src, family);
    addr_copy(&t->k.dst, &p->dst, family);
    t->k.proto = packet_proto(p);
    t->k.recursion = p->tunnel_depth;
    t->k.n_vlan = p->n_vlan > PACKET_MAX_VLANS ? PACKET_MAX_VLANS : p->n_vlan;
    for (uint8_t i = 0; i < t->k.n_vlan; i++) {
        t->k.vlan_id[i] = p->vlan_id[i];
    }
    bool is_err = false;
    switch (p->l4) {
    case PKT_L4_TCP:
        t->k.sp = p->sp;
        t->k.dp = p->dp;
        t->src_is_server = (p->tcp.flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK);
        break;
    case PKT_L4_ICMPV4:
    case PKT_L4_ICMPV6:
        tuple_icmp(p, t);
        is_err = p->icmp.has_emb;
        break;
    default:
        t->k.sp = p->sp;
        t->k.dp = p->dp;
        break;
    }
    if (has_emb != NULL) {
        *has_emb = is_err;
    }
    if (is_err && emb != NULL) {
        tuple_embedded(p, family, emb);
    }
    return true;
}

static void put16(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

uint32_t flow_tuple_hash(const uint8_t key[16], const FlowTuple *t)
{
    const FlowKey *k = &t->k;
    size_t alen = addr_len(k->src.family);
    int cmp = memcmp(k->src.a.u8, k->dst.a.u8, alen);
    if (cmp == 0 && !t->fixed_ports) {
        cmp = (int)k->sp - (int)k->dp;
    }
    const VgAddr *a = cmp > 0 ? &k->dst : &k->src;
    const VgAddr *b = cmp > 0 ? &k->src : &k->dst;
    bool swap_ports = cmp > 0 && !t->fixed_ports;
    uint8_t buf[48];
    size_t n = 0;
    memcpy(buf, a->a.u8, alen);
    memcpy(buf + alen, b->a.u8, alen);
    n = 2 * alen;
    put16(buf + n, swap_ports ? k->dp : k->sp);
    put16(buf + n + 2, swap_ports ? k->sp : k->dp);
    n += 4;
    buf[n++] = k->proto;
    buf[n++] = k->recursion;
    buf[n++] = k->n_vlan;
    for (uint8_t i = 0; i < k->n_vlan; i++) {
        put16(buf + n, k->vlan_id[i]);
        n += 2;
    }
    uint64_t h = flow_siphash24(key, buf, n);
    return (uint32_t)(h ^ (h >> 32));
}

static bool addr_eq(const VgAddr *x, const VgAddr *y)
{
    return x->family == y->family && memcmp(x->a.u8, y->a.u8, sizeof(x->a.u8)) == 0;
}

int flow_key_match(const FlowKey *key, const FlowTuple *t)
{
    const FlowKey *k = &t->k;
    if (key->proto != k->proto || key->n_vlan != k->n_vlan || key->recursion != k->recursion) {
        return 0;
    }
    for (uint8_t i = 0; i < k->n_vlan; i++) {
        if (key->vlan_id[i] != k->vlan_id[i]) {
            return 0;
        }
    }
    if (key->sp == k->sp && key->dp == k->dp && addr_eq(&key->src, &k->src) &&
        addr_eq(&key->dst, &k->dst)) {
        return 1;
    }
    uint16_t rsp = t->fixed_ports ? k->sp : k->dp;
    uint16_t rdp = t->fixed_ports ? k->dp : k->sp;
    if (key->sp == rsp && key->dp == rdp && addr_eq(&key->src, &k->dst) &&
        addr_eq(&key->dst, &k->src)) {
        return -1;
    }
    return 0;
}

uint32_t flow_hash_packet(const FlowTable *ft, const Packet *p)
{
    FlowTuple t;
    FlowTuple emb;
    bool has_emb = false;
    if (!flow_tuple_from_packet(p, &t, &emb, &has_emb)) {
        return 0;
    }
    if (!ft->cfg.recursion_tracking) {
        t.k.recursion = 0;
        emb.k.recursion = 0;
    }
    return flow_tuple_hash(ft->hash_key, has_emb ? &emb : &t);
}
