/* EVE alert records, in Suricata's layout. */
#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>

#include "app-layer/app-layer-frame.h"
#include "app-layer/app-layer.h"
#include "detect/detect.h"
#include "output/output-eve-http.h"
#include "output/output-module.h"

static const char *action_name(const OutputCtx *oc, const PacketAlert *pa)
{
    bool blocks = pa->action == DETECT_ACTION_DROP || pa->action == DETECT_ACTION_REJECT ||
                  pa->action == DETECT_ACTION_REJECT_DST ||
                  pa->action == DETECT_ACTION_REJECT_BOTH;
    return (blocks && oc->is_inline) ? "blocked" : "allowed";
}

/* "metadata": {"key": ["v1", "v2"], ...}: values of one key are grouped. */
static void write_metadata(JsonBuf *jb, const PacketAlert *pa)
{
    if (pa->n_metadata == 0) {
        return;
    }
    json_open_object(jb, "metadata");
    for (uint16_t i = 0; i < pa->n_metadata; i++) {
        const char *key = pa->metadata[i].key;
        bool seen = false;
        for (uint16_t j = 0; j < i && !seen; j++) {
            seen = strcmp(pa->metadata[j].key, key) == 0;
        }
        if (seen) {
            continue;
        }
        json_open_array(jb, key);
        for (uint16_t j = i; j < pa->n_metadata; j++) {
            if (strcmp(pa->metadata[j].key, key) == 0) {
                json_str(jb, NULL, pa->metadata[j].value ? pa->metadata[j].value : "");
            }
        }
        json_close_array(jb);
    }
    json_close_object(jb);
}

/* Packets carry a snapshot of their flow's counters taken by the flow stage
 * (the flow may be updated by another thread meanwhile); the pseudo packets
 * of a flow-end flush are written with the flow lock held and never went
 * through the flow stage, so they read the flow itself. */
static void write_flow(JsonBuf *jb, const Packet *p, const Flow *f)
{
    json_open_object(jb, "flow");
    if (p->flags & PKT_F_STREAM_FLUSH) {
        eve_add_flow_counters(jb, f);
    } else {
        eve_add_counters(jb, &p->flow_counters);
    }
    char buf[OUTPUT_ADDR_STR_SIZE];
    if (eve_addr_to_str(&f->key.src, buf, sizeof(buf)) == 0) {
        json_str(jb, "src_ip", buf);
    }
    if (eve_addr_to_str(&f->key.dst, buf, sizeof(buf)) == 0) {
        json_str(jb, "dest_ip", buf);
    }
    if (f->key.proto == 6 || f->key.proto == 17 || f->key.proto == 132) {
        json_u64(jb, "src_port", f->key.sp);
        json_u64(jb, "dest_port", f->key.dp);
    }
    json_close_object(jb);
}

const Packet *output_alert_packet(const Packet *p, const PacketAlert *pa, Packet *tmp)
{
    if (!(pa->flags & PACKET_ALERT_F_REVERSED)) {
        return p;
    }
    *tmp = *p;
    tmp->src = p->dst;
    tmp->dst = p->src;
    tmp->sp = p->dp;
    tmp->dp = p->sp;
    tmp->flags &= ~(uint32_t)(PKT_F_TOSERVER | PKT_F_TOCLIENT);
    tmp->flags |= (p->flags & PKT_F_TOSERVER) ? PKT_F_TOCLIENT : PKT_F_TOSERVER;
    return tmp;
}

/* Stream matches log the stream data held for their direction, gaps marked
 * (Suricata: "stream": 1). */
static void write_payload(JsonBuf *jb, const OutputCtx *oc, const Packet *p,
                          const PacketAlert *pa)
{
    bool stream = (pa->flags & PACKET_ALERT_F_STREAM) && p->stream_data != NULL;
    const uint8_t *data = stream ? p->stream_data : p->payload;
    uint32_t len = stream ? p->stream_data_len : p->payload_len;
    const PacketAlerts *all = p->alerts;
    if (stream && all != NULL && all->stream_log_len > 0) {
        data = all->stream_log;      // the stored stream, gaps marked
        len = all->stream_log_len;
    }
    if (oc->alert_payload && len > 0) {
        json_base64(jb, "payload", data, len);
    }
    if (oc->alert_payload_length && len > 0) {
        json_u64(jb, "payload_length", len);   // stream: gap markers included
    }
    if (oc->alert_payload_printable && len > 0) {
        json_printable(jb, "payload_printable", data, len);
    }
    if (oc->alert_payload || oc->alert_payload_printable || oc->alert_payload_length) {
        json_u64(jb, "stream", stream ? 1 : 0);
    }
}

void output_eve_alert_fields(JsonBuf *jb, const OutputCtx *oc, const Packet *p,
                             const PacketAlert *pa)
{
    json_open_object(jb, "alert");
    json_str(jb, "action", action_name(oc, pa));
    json_u64(jb, "gid", pa->gid);
    json_u64(jb, "signature_id", pa->sid);
    json_u64(jb, "rev", pa->rev);
    json_str(jb, "signature", pa->msg ? pa->msg : "");
    json_str(jb, "category", pa->class_msg ? pa->class_msg : "");
    json_i64(jb, "severity", pa->priority);
    if (!oc->alert_no_rule_metadata) {
        write_metadata(jb, pa);
    }
    if (p != NULL) {
        detect_alert_context_json(p, pa, jb);
    }
    const char *const *refs;
    uint16_t n_refs = oc->alert_references ? detect_sig_references(pa->sig, &refs) : 0;
    if (n_refs > 0) {
        json_open_array(jb, "references");
        for (uint16_t i = 0; i < n_refs; i++) {
            json_str(jb, NULL, refs[i]);
        }
        json_close_array(jb);
    }
    const char *text = oc->alert_rule ? detect_sig_text(pa->sig) : NULL;
    if (text != NULL) {
        json_str(jb, "rule", text);
    }
    if (pa->flags & PACKET_ALERT_F_FW_MODE) {
        json_str(jb, "engine", (pa->flags & PACKET_ALERT_F_FW) ? "fw" : "td");
    }
    json_close_object(jb);
}

/* "verdict": what happened to the packet as a whole (Suricata 7+): "drop"
 * when inline and dropped, "pass" when a pass rule decided it (PKT_F_PASS, or
 * a pass rule that alerts), else "alert";
 * reject rules add where the reset or ICMP error goes and what it is. */
void output_eve_verdict(JsonBuf *jb, const OutputCtx *oc, const Packet *p)
{
    const PacketAlerts *all = p->alerts;
    int reject = -1;
    bool pass = (p->flags & PKT_F_PASS) != 0;
    for (uint16_t i = 0; all != NULL && i < p->n_alerts && i < DETECT_ALERTS_MAX; i++) {
        uint8_t a = all->alerts[i].action;
        pass = pass || a == DETECT_ACTION_PASS;
        if (a >= DETECT_ACTION_REJECT && a <= DETECT_ACTION_REJECT_BOTH && reject < 0) {
            reject = a;
        }
    }
    const char *action = (p->flags & PKT_F_FIREWALL) ? "accept" : "alert";
    if ((p->flags & PKT_F_DROP) && oc->is_inline) {
        action = "drop";
    } else if (pass) {
        action = "pass";
    }
    json_open_object(jb, "verdict");
    json_str(jb, "action", action);
    if (reject >= 0) {
        json_str(jb, "reject_target", reject == DETECT_ACTION_REJECT_DST    ? "to_server"
                                      : reject == DETECT_ACTION_REJECT_BOTH ? "both"
                                                                            : "to_client");
        json_open_array(jb, "reject");
        json_str(jb, NULL, p->proto == 6 ? "tcp-reset" : "icmp-prohib");
        json_close_array(jb);
    }
    json_close_object(jb);
}

/* alert.xff: the client address an HTTP tx's X-Forwarded-For names, for an alert on that
 * tx. Overwrite puts it over the alert's client side address (src_ip to the server,
 * dest_ip to the client) when it is of the packet's IP version (*tmp holds the copy, p
 * points at it); otherwise, and in extra-data mode, it is "xff" beside them (as Suricata). */
static bool alert_xff(const OutputCtx *oc, const Packet **p, const PacketAlert *pa, Packet *tmp,
                      char *xff, size_t size)
{
    Flow *f = (*p)->flow;
    if (oc->alert_xff_mode == 0 || f == NULL || !(pa->flags & PACKET_ALERT_F_TX)) {
        return false;
    }
    bool locked = ((*p)->flags & PKT_F_STREAM_FLUSH) != 0; // flow-end work holds the lock
    if (!locked) {
        pthread_mutex_lock(&f->lock);
    }
    bool have = app_layer_tx_xff(f, pa->tx_id, oc->alert_xff_header, oc->alert_xff_forward, xff,
                                 size);
    if (!locked) {
        pthread_mutex_unlock(&f->lock);
    }
    if (!have || oc->alert_xff_mode != 2) {
        return have;
    }
    VgAddr a;
    memset(&a, 0, sizeof(a));
    bool to_client = ((*p)->flags & PKT_F_TOCLIENT) != 0;
    uint8_t fam = to_client ? (*p)->dst.family : (*p)->src.family;
    if (fam == 4 && inet_pton(AF_INET, xff, a.a.u8) == 1) {
        a.family = 4;
    } else if (fam == 6 && inet_pton(AF_INET6, xff, a.a.u8) == 1) {
        a.family = 6;
    } else {
        return true;     // another version (or not an address): extra-data instead
    }
    *tmp = **p;
    if (to_client) {
        tmp->dst = a;
    } else {
        tmp->src = a;
    }
    *p = tmp;
    return false;
}

void output_eve_alert_build(JsonBuf *jb, const OutputCtx *oc, const Packet *p,
                            const PacketAlert *pa)
{
    const Flow *f = p->flow;
    Packet xff_pkt;
    char xff[128];
    bool xff_extra = alert_xff(oc, &p, pa, &xff_pkt, xff, sizeof(xff));
    eve_begin_packet(jb, p, f ? f->flow_id : 0, "alert");
    eve_add_flow_vars(jb, p);
    output_eve_alert_fields(jb, oc, p, pa);
    if (f != NULL) {
        json_str(jb, "direction", (p->flags & PKT_F_TOCLIENT) ? "to_client" : "to_server");
        if (!oc->alert_no_flow) {
            write_flow(jb, p, f);
        }
        /* tx_id and app_proto always; the transaction's object only with
         * the alert's app-layer metadata (Suricata's metadata: no keeps
         * app_proto) */
        output_eve_alert_app(jb, p, pa, !oc->alert_no_app_layer, !oc->alert_no_rule_metadata);
        if (pa->flags & PACKET_ALERT_F_FRAME) {
            (void)app_layer_frame_log_json(f, pa->frame_dir, pa->frame_id, jb);
        }
    }
    if (xff_extra) {
        json_str(jb, "xff", xff);
    }
    write_payload(jb, oc, p, pa);
    if (oc->alert_packet) {
        eve_add_packet(jb, p, 0);
    }
    output_eve_verdict(jb, oc, p);
    json_close_object(jb);
}

void output_eve_tagged_build(JsonBuf *jb, const Packet *p)
{
    const Flow *f = p->flow;
    eve_begin_packet(jb, p, f ? f->flow_id : 0, "packet");
    eve_add_flow_vars(jb, p);
    eve_add_packet(jb, p, 0);
    json_close_object(jb);
}
