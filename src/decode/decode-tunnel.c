/* Tunnel packets: the payload of a tunnel becomes a packet of its own,
 * decoded here and handed to the caller of decode_packet, so that the outer
 * packet keeps its own view (flow, rules, logs) and the inner one gets its
 * own (Suricata's "tunnel packets"). */

#include <string.h>

#include "decode/decode-internal.h"
#include "util/util-error.h"

static int tunnel_decode_inner(DecodeThreadCtx *dtv, Packet *p, uint16_t inner,
                               const uint8_t *pkt, uint32_t len)
{
    switch (inner) {
    case ETHERTYPE_TEB:
        return decode_ethernet(dtv, p, pkt, len);
    case ETHERTYPE_PPP:
        return decode_ppp(dtv, p, pkt, len);
    case ETHERTYPE_ERSPAN_II:
        return decode_erspan(dtv, p, pkt, len);
    default:
        return decode_ethertype(dtv, p, inner, pkt, len);
    }
}

/* A tunnel packet for parent, its data a copy of the inner bytes. */
static Packet *tunnel_packet_new(DecodeThreadCtx *dtv, const Packet *parent, uint8_t kind,
                                 const uint8_t *pkt, uint32_t len)
{
    Packet *c = dtv->src.get(dtv->src.user);
    if (c == NULL) {
        return NULL;
    }
    uint32_t n = len < PACKET_MAX_SIZE ? len : PACKET_MAX_SIZE;
    memcpy(c->data, pkt, n);
    c->caplen = n;
    c->wirelen = n;
    c->ts_sec = parent->ts_sec;
    c->ts_usec = parent->ts_usec;
    c->pcap_cnt = parent->pcap_cnt;
    c->linktype = LINKTYPE_RAW_12;
    c->root = parent->root != NULL ? parent->root : (Packet *)parent;
    c->tunnel_kind = kind;
    decode_packet_reset(c);
    c->flags = PKT_F_TUNNEL;
    c->tunnel_depth = (uint8_t)(parent->tunnel_depth + 1);
    c->l2 = c->data;
    return c;
}

static void tunnel_keep_child(DecodeThreadCtx *dtv, Packet *c)
{
    c->next_child = NULL;
    if (dtv->children_tail != NULL) {
        dtv->children_tail->next_child = c;
    } else {
        dtv->children = c;
    }
    dtv->children_tail = c;
}

int decode_tunnel_spawn(DecodeThreadCtx *dtv, Packet *p, uint8_t kind, uint16_t inner,
                        const uint8_t *pkt, uint32_t len)
{
    if (dtv->src.get == NULL) {
        if (decode_tunnel_enter(dtv, p) < 0) {
            return VG_EINVAL;
        }
        return tunnel_decode_inner(dtv, p, inner, pkt, len);
    }
    if (p->tunnel_depth >= PACKET_MAX_TUNNEL_DEPTH) {
        decode_event(dtv, p, DECODE_EV_TOO_MANY_LAYERS);
        return VG_EINVAL;
    }
    Packet *c = tunnel_packet_new(dtv, p, kind, pkt, len);
    if (c == NULL) {
        return 0;
    }
    /* Decoding c may make deeper tunnel packets: they are kept first, so
     * the innermost runs first, as in Suricata. */
    int rc = tunnel_decode_inner(dtv, c, inner, c->data, c->caplen);
    if (rc < 0 || (c->flags & PKT_F_INVALID) != 0) {
        c->root = NULL;
        dtv->src.put(c, dtv->src.user);
        return 0;
    }
    tunnel_keep_child(dtv, c);
    p->flags |= PKT_F_TUNNEL | PKT_F_NOPAYLOAD_INSPECT;
    return 0;
}

Packet *decode_take_children(DecodeThreadCtx *dtv)
{
    Packet *c = dtv->children;
    dtv->children = NULL;
    dtv->children_tail = NULL;
    return c;
}

const char *decode_pkt_src_name(const Packet *p)
{
    switch (p->tunnel_kind) {
    case PKT_TUNNEL_GRE:
        return "gre tunnel";
    case PKT_TUNNEL_IPV4:
        return "ipv4 tunnel";
    case PKT_TUNNEL_IPV6:
        return "ipv6 tunnel";
    case PKT_TUNNEL_TEREDO:
        return "teredo tunnel";
    case PKT_TUNNEL_VXLAN:
        return "vxlan encapsulation";
    case PKT_TUNNEL_GENEVE:
        return "geneve encapsulation";
    case PKT_TUNNEL_DEFRAG:
        return "defrag";
    default:
        return "wire/pcap";
    }
}
