/* EVE "anomaly" records for the decoder events raised on a packet. */

#include "output/output.h"

#include <stdio.h>
#include <string.h>

#include "decode/decode-events.h"

#define ANOMALY_EVENT_NAME_SIZE 96

OutputAnomalyType output_anomaly_type(uint16_t event)
{
    const char *name = decode_event_name((DecodeEvent)event);
    if (name == NULL) {
        return OUTPUT_ANOMALY_UNKNOWN;
    }
    return strncmp(name, "stream.", 7) == 0 ? OUTPUT_ANOMALY_STREAM : OUTPUT_ANOMALY_DECODE;
}

void output_eve_anomaly_build(JsonBuf *jb, const Packet *p, uint64_t flow_id, uint16_t event,
                              bool packethdr)
{
    eve_begin_packet(jb, p, flow_id, "anomaly");
    eve_add_flow_vars(jb, p);   // the output thread, without the flow lock
    json_open_object(jb, "anomaly");
    const char *name = decode_event_name((DecodeEvent)event);
    switch (output_anomaly_type(event)) {
    case OUTPUT_ANOMALY_UNKNOWN:
        json_str(jb, "type", "unknown");
        json_u64(jb, "code", event);
        break;
    case OUTPUT_ANOMALY_STREAM:
        json_str(jb, "type", "stream");
        json_str(jb, "event", name);
        break;
    case OUTPUT_ANOMALY_DECODE: {
        /* Suricata's full name of a decoder event carries "decoder.". */
        char full[ANOMALY_EVENT_NAME_SIZE];
        int n = snprintf(full, sizeof(full), "decoder.%s", name);
        json_str(jb, "type", "decode");
        if (n > 0 && (size_t)n < sizeof(full)) {
            json_strn(jb, "event", (const uint8_t *)full, (size_t)n);
        } else {
            json_str(jb, "event", name);
        }
        break;
    }
    }
    json_close_object(jb);
    if (packethdr) {
        eve_add_packet(jb, p, OUTPUT_ANOMALY_PACKETHDR_LEN);
    }
    json_close_object(jb);
}

void output_eve_anomaly_app_build(JsonBuf *jb, const Packet *p, uint64_t flow_id,
                                  const char *app_proto, bool has_tx, uint64_t tx_id,
                                  const char *event, const char *layer)
{
    eve_begin_packet(jb, p, flow_id, "anomaly");
    eve_add_packet_vars_locked(jb, p);   // app-layer events: the caller holds the lock
    if (has_tx) {
        json_u64(jb, "tx_id", tx_id);
    }
    json_open_object(jb, "anomaly");
    if (app_proto != NULL) {
        json_str(jb, "app_proto", app_proto);
    }
    json_str(jb, "type", "applayer");
    json_str(jb, "event", event);
    json_str(jb, "layer", layer);
    json_close_object(jb);
    json_close_object(jb);
}

int output_eve_anomaly_packet(EveSink *sink, JsonBuf *jb, const Packet *p, uint64_t flow_id)
{
    int first_rc = 0;
    uint8_t n = p->n_events < PACKET_MAX_EVENTS ? p->n_events : PACKET_MAX_EVENTS;
    for (uint8_t i = 0; i < n; i++) {
        output_eve_anomaly_build(jb, p, flow_id, p->events[i], false);
        int rc = eve_sink_write(sink, jb);
        if (rc != 0 && first_rc == 0) {
            first_rc = rc;
        }
    }
    return first_rc;
}
