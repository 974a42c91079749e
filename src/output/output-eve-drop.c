/* EVE drop records (inline mode): the dropped packet's header fields and
 * why it was dropped, with the alert that dropped it when there is one. */
#include "detect/detect.h"
#include "output/output-module.h"

static void drop_l4(JsonBuf *jb, const Packet *p)
{
    if (p->l4 == PKT_L4_TCP) {
        const TcpVars *t = &p->tcp;
        json_u64(jb, "tcpseq", t->seq);
        json_u64(jb, "tcpack", t->ack);
        json_u64(jb, "tcpwin", t->win);
        json_bool(jb, "syn", (t->flags & TH_SYN) != 0);
        json_bool(jb, "ack", (t->flags & TH_ACK) != 0);
        json_bool(jb, "psh", (t->flags & TH_PUSH) != 0);
        json_bool(jb, "rst", (t->flags & TH_RST) != 0);
        json_bool(jb, "urg", (t->flags & TH_URG) != 0);
        json_bool(jb, "fin", (t->flags & TH_FIN) != 0);
        json_u64(jb, "tcpres", t->flags_hi);
        json_u64(jb, "tcpurgp", t->urg_ptr);
    } else if (p->l4 == PKT_L4_UDP) {
        json_u64(jb, "udplen", p->udp.len);
    } else if ((p->l4 == PKT_L4_ICMPV4 || p->l4 == PKT_L4_ICMPV6) && p->icmp.has_id) {
        json_u64(jb, "icmp_id", p->icmp.id);
        json_u64(jb, "icmp_seq", p->icmp.seq);
    }
}

/* Suricata's drop.reason strings. */
static const char *drop_reason_name(uint8_t reason)
{
    switch (reason) {
    case PKT_DROP_FLOW:
        return "flow drop";
    case PKT_DROP_INNER:
        return "tunnel packet drop";
    case PKT_DROP_THRESHOLD:
        return "threshold detection_filter";
    case PKT_DROP_STREAM_MIDSTREAM:
        return "stream midstream";
    case PKT_DROP_STREAM_MEMCAP:
        return "stream memcap";
    case PKT_DROP_STREAM_REASSEMBLY:
        return "stream reassembly";
    case PKT_DROP_APPLAYER_ERROR:
        return "applayer error";
    case PKT_DROP_FLOW_MEMCAP:
        return "flow memcap";
    case PKT_DROP_DEFRAG_MEMCAP:
        return "defrag memcap";
    case PKT_DROP_DEFRAG_ERROR:
        return "defrag error";
    case PKT_DROP_EXCEPTION_FLOW:
        return "exception policy flow drop";
    case PKT_DROP_FW_RULES:
        return "firewall rules";
    case PKT_DROP_FW_FLOW:
        return "firewall flow drop";
    case PKT_DROP_FW_PACKET_POLICY:
        return "firewall default packet policy";
    case PKT_DROP_FW_APP_POLICY:
        return "firewall default app policy";
    case PKT_DROP_STREAM_URGENT:
        return "stream urgent";
    default:
        return "rules";
    }
}

/* The alert that caused the drop: the first blocking one on the packet. */
static const PacketAlert *dropping_alert(const Packet *p)
{
    const PacketAlerts *pas = detect_packet_alerts(p);
    for (uint16_t i = 0; pas != NULL && i < pas->n; i++) {
        uint8_t a = pas->alerts[i].action;
        if (a != DETECT_ACTION_ALERT && a != DETECT_ACTION_PASS) {
            return &pas->alerts[i];
        }
    }
    return NULL;
}

void output_eve_drop_build(JsonBuf *jb, const OutputCtx *oc, const Packet *p)
{
    const Flow *f = p->flow;
    eve_begin_packet(jb, p, f ? f->flow_id : 0, "drop");
    eve_add_flow_vars(jb, p);
    json_open_object(jb, "drop");
    json_u64(jb, "len", p->l3_len);
    if (p->l3 == PKT_L3_IPV4) {
        json_u64(jb, "tos", p->ip4.tos);
        json_u64(jb, "ttl", p->ip4.ttl);
        json_u64(jb, "ipid", p->ip4.id);
    } else if (p->l3 == PKT_L3_IPV6) {
        json_u64(jb, "tc", p->ip6.tclass);
        json_u64(jb, "hoplimit", p->ip6.hlim);
        json_u64(jb, "flowlbl", p->ip6.flow_label);
    }
    drop_l4(jb, p);
    json_str(jb, "reason", drop_reason_name(p->drop_reason));
    json_close_object(jb);
    const PacketAlert *pa = oc->drop_alerts ? dropping_alert(p) : NULL;
    if (pa != NULL) {
        output_eve_alert_fields(jb, oc, p, pa);
    }
    if (p->flags & PKT_F_FIREWALL) {
        output_eve_verdict(jb, oc, p);
    }
    json_close_object(jb);
}
