/* From a decoded fragment to its tracker, and from a complete tracker to a
 * decoded datagram packet.
 *
 * As in Suricata: a fragment is counted (defrag.ipv4/ipv6.fragments), then
 * refused with frag_pkt_too_large when it reaches past the largest datagram;
 * frag_overlap is raised on a fragment sharing any byte with one already
 * held (exact duplicates included). The rebuilt packet carries the link
 * bytes and IP header of the first fragment (IPv6: its unfragmentable part,
 * the fragment header removed), then the data, and is decoded from its IP
 * header: decoder.ipv4/ipv6 and the transport count again, not
 * decoder.pkts. */

#include "defrag/defrag.h"

#include <string.h>

#include "decode/decode.h"
#include "defrag/defrag-internal.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define IPV6_HDR_LEN 40u
#define IPV6_FH_LEN 8u

enum {
    NH_HOPOPTS = 0,
    NH_ROUTING = 43,
    NH_FRAGMENT = 44,
    NH_AH = 51,
    NH_DSTOPTS = 60,
};

/* A fragment as read from its packet. */
typedef struct FragView {
    DefragKey key;
    DefragFrag frag;             // off, len, more, hdr_len, l3_off, fh_off, nh_off
    const uint8_t *hdr;          // first fragment: bytes stored before the data
    const uint8_t *data;
    bool too_large;
} FragView;

static void key_common(DefragKey *k, const Packet *p)
{
    k->n_vlan = p->n_vlan > PACKET_MAX_VLANS ? PACKET_MAX_VLANS : p->n_vlan;
    for (uint8_t i = 0; i < k->n_vlan; i++) {
        k->vlan_id[i] = p->vlan_id[i];
    }
    k->depth = p->tunnel_depth;
    size_t alen = p->l3 == PKT_L3_IPV4 ? 4 : 16;
    memcpy(k->src, p->src.a.u8, alen);
    memcpy(k->dst, p->dst.a.u8, alen);
}

/* Link-layer bytes before the IP header within p->data; false if the IP
 * header is not in p->data (nothing to rebuild from). */
static bool l3_offset(const Packet *p, uint16_t *out)
{
    if (p->data == NULL || p->l3_hdr < p->data || p->l3_hdr >= p->data + p->caplen) {
        return false;
    }
    size_t off = (size_t)(p->l3_hdr - p->data);
    if (off > UINT16_MAX) {
        return false;
    }
    *out = (uint16_t)off;
    return true;
}

static bool view_ipv4(const Packet *p, FragView *v)
{
    const Ipv4Vars *ip = &p->ip4;
    memset(v, 0, sizeof(*v));
    v->key.family = 4;
    v->key.proto = ip->proto;
    v->key.id = ip->id;
    key_common(&v->key, p);
    v->frag.off = (uint32_t)(ip->frag_field & 0x1fff) * 8;
    v->frag.more = (ip->frag_field & 0x2000) != 0;
    v->frag.len = (uint32_t)ip->total_len - ip->hlen;
    v->data = ip->hdr + ip->hlen;
    v->too_large = (uint32_t)ip->hlen + v->frag.off + v->frag.len > DEFRAG_MAX_DGRAM;
    if (v->frag.off == 0) {
        if (!l3_offset(p, &v->frag.l3_off)) {
            return false;
        }
        v->hdr = p->data;
        v->frag.hdr_len = (uint16_t)(v->frag.l3_off + ip->hlen);
    }
    return true;
}

/* Finds the first fragment header from the IPv6 header h (plen bytes of
 * payload, checked by the decoder): its offset, and the offset of the
 * next-header octet that names it. False if the chain does not get there. */
static bool ipv6_find_fh(const uint8_t *h, uint32_t plen, uint16_t *fh_off, uint16_t *nh_off)
{
    uint32_t end = IPV6_HDR_LEN + plen;
    uint32_t off = IPV6_HDR_LEN;
    uint32_t nh_at = 6;
    uint8_t nh = h[6];
    while (nh != NH_FRAGMENT) {
        if (nh != NH_HOPOPTS && nh != NH_ROUTING && nh != NH_DSTOPTS && nh != NH_AH) {
            return false;
        }
        if (end - off < 2) {
            return false;
        }
        uint32_t len = nh == NH_AH ? ((uint32_t)h[off + 1] + 2) * 4 : ((uint32_t)h[off + 1] + 1) * 8;
        if (len > end - off) {
            return false;
        }
        nh_at = off;
        nh = h[off];
        off += len;
    }
    if (end - off < IPV6_FH_LEN) {
        return false;
    }
    *fh_off = (uint16_t)off;
    *nh_off = (uint16_t)nh_at;
    return true;
}

static bool view_ipv6(const Packet *p, FragView *v)
{
    const Ipv6Vars *ip = &p->ip6;
    memset(v, 0, sizeof(*v));
    if (!ipv6_find_fh(ip->hdr, ip->plen, &v->frag.fh_off, &v->frag.nh_off)) {
        return false;
    }
    const uint8_t *fh = ip->hdr + v->frag.fh_off;
    v->key.family = 6;
    v->key.proto = fh[0];
    v->key.id = util_be32(fh + 4);
    key_common(&v->key, p);
    v->frag.off = (uint32_t)(util_be16(fh + 2) >> 3) * 8;
    v->frag.more = (fh[3] & 0x01) != 0;
    uint32_t data_at = (uint32_t)v->frag.fh_off + IPV6_FH_LEN;
    v->frag.len = IPV6_HDR_LEN + ip->plen - data_at;
    v->data = ip->hdr + data_at;
    uint32_t unfrag = (uint32_t)v->frag.fh_off - IPV6_HDR_LEN; // extension headers kept
    v->too_large = unfrag + v->frag.off + v->frag.len > DEFRAG_MAX_DGRAM;
    if (v->frag.off == 0) {
        if (!l3_offset(p, &v->frag.l3_off)) {
            return false;
        }
        v->hdr = p->data;
        v->frag.hdr_len = (uint16_t)(v->frag.l3_off + data_at);
    }
    return true;
}

/* Notes first/last on t and stores the fragment. */
static int store(DefragThread *dt, DefragTracker *t, FragView *v, const Packet *p)
{
    bool is_first = v->frag.off == 0 && !t->has_first;
    if (!is_first) {
        v->frag.hdr_len = 0;     // only the first fragment's header is kept
    }
    if (defrag_tracker_add(dt, t, &v->frag, v->hdr, v->data, p->ts_sec) != 0) {
        return VG_ENOMEM;
    }
    if (is_first) {
        t->has_first = true;
        t->linktype = p->linktype;
    }
    if (!v->frag.more && !t->seen_last) {
        t->seen_last = true;     // a later "last" fragment does not move the end
        t->end = v->frag.off + v->frag.len;
    }
    return 0;
}

static const DefragFrag *first_frag(const DefragTracker *t)
{
    for (const DefragFrag *f = t->frags; f != NULL; f = f->next) {
        if (f->off == 0 && f->hdr_len > 0) {
            return f;
        }
    }
    return NULL;
}

/* Writes the rebuilt datagram of t into buf (PACKET_MAX_SIZE bytes): the
 * link bytes (dropped when they would not fit) and IP header of the first
 * fragment, then the data. Returns the bytes written, 0 if it cannot be
 * rebuilt; *l3_off gets where the IP header starts. */
static uint32_t rebuild(const DefragTracker *t, uint8_t *buf, uint16_t *l3_off)
{
    const DefragFrag *first = first_frag(t);
    if (first == NULL) {
        return 0;
    }
    uint32_t ip_hdr = t->key.family == 4 ? (uint32_t)first->hdr_len - first->l3_off
                                         : first->fh_off;
    if (ip_hdr + t->end > DEFRAG_MAX_DGRAM + (t->key.family == 6 ? IPV6_HDR_LEN : 0)) {
        return 0;
    }
    uint32_t link = first->l3_off;
    if (link + ip_hdr + t->end > PACKET_MAX_SIZE) {
        link = 0;
    }
    if (ip_hdr + t->end > PACKET_MAX_SIZE) {
        return 0; // an IPv6 datagram of 65,535 payload bytes plus its header: no room
    }
    memcpy(buf, first->bytes + first->l3_off - link, link + ip_hdr);
    uint8_t *ip = buf + link;
    defrag_rebuild_data(t, ip + ip_hdr, defrag_owner_scratch());
    if (t->key.family == 4) {
        ip[2] = (uint8_t)((ip_hdr + t->end) >> 8);
        ip[3] = (uint8_t)(ip_hdr + t->end);
        ip[6] = 0;               // no flags, offset 0: one whole datagram
        ip[7] = 0;
        ip[10] = 0;
        ip[11] = 0;
        uint16_t csum = decode_csum_ipv4_hdr(ip, ip_hdr);
        ip[10] = (uint8_t)(csum >> 8);
        ip[11] = (uint8_t)csum;
    } else {
        uint32_t plen = ip_hdr - IPV6_HDR_LEN + t->end;
        ip[4] = (uint8_t)(plen >> 8);
        ip[5] = (uint8_t)plen;
        ip[first->nh_off] = first->bytes[first->l3_off + first->fh_off]; // skip the FH
    }
    *l3_off = (uint16_t)link;
    return link + ip_hdr + t->end;
}

static void child_init(Packet *c, const Packet *p, uint32_t len, int linktype)
{
    c->caplen = len;
    c->wirelen = len;
    c->ts_sec = p->ts_sec;
    c->ts_usec = p->ts_usec;
    c->pcap_cnt = p->pcap_cnt;
    c->linktype = linktype;
    c->root = p->root != NULL ? p->root : (Packet *)p;
    c->tunnel_kind = PKT_TUNNEL_DEFRAG;
    decode_packet_reset(c);
    c->flags = PKT_F_PSEUDO | (p->flags & PKT_F_TUNNEL);
    c->tunnel_depth = p->tunnel_depth;
    c->n_vlan = p->n_vlan;
    memcpy(c->vlan_id, p->vlan_id, sizeof(c->vlan_id));
    c->l2 = c->data;
}

/* Rebuilds t into a packet from dtv's source and removes t. Called with
 * the lock held; returns with it released. */
static Packet *complete(DefragThread *dt, DecodeThreadCtx *dtv, DefragTracker *t,
                        const Packet *p)
{
    Packet *c = dtv->src.get != NULL ? dtv->src.get(dtv->src.user) : NULL;
    uint16_t l3_off = 0;
    uint32_t len = c != NULL ? rebuild(t, c->data, &l3_off) : 0;
    uint8_t family = t->key.family;
    int linktype = l3_off > 0 ? t->linktype : LINKTYPE_RAW_12;
    defrag_tracker_remove(t);
    defrag_unlock();
    if (len == 0) {
        if (c != NULL) {
            dtv->src.put(c, dtv->src.user);
        }
        return NULL;
    }
    child_init(c, p, len, linktype);
    const uint8_t *ip = c->data + l3_off;
    int rc = family == 4 ? decode_ipv4(dtv, c, ip, len - l3_off)
                         : decode_ipv6(dtv, c, ip, len - l3_off);
    if (rc < 0 || (c->flags & PKT_F_INVALID) != 0) {
        c->root = NULL;          // as Suricata: a rebuilt datagram that fails is dropped
        dtv->src.put(c, dtv->src.user);
        return NULL;
    }
    defrag_count(dt, family == 4 ? DFC_IPV4_REASSEMBLED : DFC_IPV6_REASSEMBLED);
    return c;
}

Packet *defrag_packet(DefragThread *dt, DecodeThreadCtx *dtv, Packet *p)
{
    if ((p->flags & PKT_F_IS_FRAGMENT) == 0 || (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6)) {
        return NULL;
    }
    if (dt != NULL) {
        dt->refused = DEFRAG_REFUSED_NONE;
    }
    bool v4 = p->l3 == PKT_L3_IPV4;
    FragView v;
    if (!(v4 ? view_ipv4(p, &v) : view_ipv6(p, &v))) {
        return NULL;
    }
    defrag_count(dt, v4 ? DFC_IPV4_FRAGMENTS : DFC_IPV6_FRAGMENTS);
    if (v.too_large) {
        decode_event(dtv, p, v4 ? DECODE_EV_IPV4_FRAG_PKT_TOO_LARGE
                                : DECODE_EV_IPV6_FRAG_PKT_TOO_LARGE);
        return NULL;
    }
    if (v.frag.len == 0 || !defrag_lock()) {
        return NULL;             // nothing to place (or no table)
    }
    DefragTracker *t = defrag_tracker_get(dt, &v.key, &p->dst, p->ts_sec);
    if (t == NULL) {
        defrag_unlock();
        return NULL;
    }
    if (defrag_tracker_overlaps(t, v.frag.off, v.frag.len)) {
        decode_event(dtv, p, v4 ? DECODE_EV_IPV4_FRAG_OVERLAP : DECODE_EV_IPV6_FRAG_OVERLAP);
    }
    if (store(dt, t, &v, p) != 0 || !defrag_tracker_complete(t)) {
        defrag_unlock();
        return NULL;
    }
    return complete(dt, dtv, t, p);
}
