#ifndef VG_APP_LAYER_MQTT_APP_LAYER_MQTT_H
#define VG_APP_LAYER_MQTT_APP_LAYER_MQTT_H

/* MQTT 3.1, 3.1.1 and 5.0 over TCP. A transaction holds one message, or a request and
 * the messages answering it (CONNECT + CONNACK, PUBLISH + PUBACK or PUBREC/PUBREL/
 * PUBCOMP, SUBSCRIBE + SUBACK, UNSUBSCRIBE + UNSUBACK, matched by packet identifier), as
 * Suricata. Details: src/app-layer/mqtt/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define MQTT_MSGS_MAX 4              // messages in one tx (PUBLISH, PUBREC, PUBREL, PUBCOMP)
#define MQTT_TOPICS_MAX 64           // topics of a (UN)SUBSCRIBE kept
#define MQTT_MAX_MSG_LEN_DEFAULT (1024u * 1024u)  // app-layer.protocols.mqtt.max-msg-length

enum {
    MQTT_CONNECT = 1, MQTT_CONNACK, MQTT_PUBLISH, MQTT_PUBACK, MQTT_PUBREC, MQTT_PUBREL,
    MQTT_PUBCOMP, MQTT_SUBSCRIBE, MQTT_SUBACK, MQTT_UNSUBSCRIBE, MQTT_UNSUBACK, MQTT_PINGREQ,
    MQTT_PINGRESP, MQTT_DISCONNECT, MQTT_AUTH,
};

enum {
    MQTT_EV_MISSING_CONNECT = 0,
    MQTT_EV_MISSING_PUBLISH,
    MQTT_EV_MISSING_SUBSCRIBE,
    MQTT_EV_MISSING_UNSUBSCRIBE,
    MQTT_EV_DOUBLE_CONNECT,
    MQTT_EV_UNINTRODUCED_MESSAGE,
    MQTT_EV_INVALID_QOS_LEVEL,
    MQTT_EV_MISSING_MSG_ID,
    MQTT_EV_UNASSIGNED_MSG_TYPE,
    MQTT_EV_TOO_MANY_TRANSACTIONS,
    MQTT_EV_MALFORMED_TRAFFIC,
    MQTT_EV_N,
};

/* CONNECT flags (MQTT 3.1.1 section 3.1.2.3) */
enum {
    MQTT_CF_CLEAN_SESSION = 0x02, MQTT_CF_WILL = 0x04, MQTT_CF_WILL_RETAIN = 0x20,
    MQTT_CF_PASSWORD = 0x40, MQTT_CF_USERNAME = 0x80,
};

typedef struct MqttSpan {
    uint32_t off;                // into MqttMsg.body
    uint32_t len;
    bool set;
} MqttSpan;

typedef struct MqttTopic {
    MqttSpan name;
    uint8_t qos;                 // SUBSCRIBE options (low 2 bits)
} MqttTopic;

/* One decoded message; spans point into body (owned). */
typedef struct MqttMsg {
    uint8_t type;                // MQTT_* (0 or an unassigned one: as sent)
    uint8_t flags;               // low nibble of the fixed header
    uint8_t dir;
    bool truncated;              // longer than max-msg-length: skipped, not decoded
    uint64_t skipped_length;     // whole message length when truncated
    uint8_t *body;               // the variable header and payload (owned)
    uint32_t body_len;
    /* CONNECT */
    MqttSpan protocol_string, client_id, username, password, will_topic, will_message;
    MqttSpan will_props;
    uint8_t protocol_version;
    uint8_t connect_flags;
    /* CONNACK, PUB*, DISCONNECT, AUTH: reason (CONNACK: return code) */
    bool has_reason;
    uint8_t reason;
    bool session_present;
    /* PUBLISH */
    MqttSpan topic, message;
    bool has_msg_id;
    uint16_t msg_id;
    /* (UN)SUBSCRIBE topics, (UN)SUBACK codes */
    MqttTopic topics[MQTT_TOPICS_MAX];
    uint32_t n_topics;
    MqttSpan codes;              // SUBACK qos_granted / UNSUBACK reason codes
    MqttSpan props;              // MQTT 5 properties (without their length)
} MqttMsg;

typedef struct MqttTx {
    AppTx tx;
    MqttMsg *msgs[MQTT_MSGS_MAX];
    uint32_t n_msgs;
    uint8_t awaiting;            // message type that completes the tx (0: none)
    uint32_t mem_bytes;
} MqttTx;

/* Decodes one whole message (fixed header included: data[0] is the type byte, hdr_len
 * the fixed header's length) of protocol version ver into m; copies the body. 0,
 * VG_EINVAL (malformed: m keeps type and flags), VG_ENOMEM. m is freed with
 * mqtt_msg_deinit in every case. */
int mqtt_msg_parse(const uint8_t *data, uint32_t hdr_len, uint32_t len, uint8_t ver,
                   MqttMsg *m) __attribute__((warn_unused_result));
void mqtt_msg_deinit(MqttMsg *m);
/* The fixed header at data: type byte and Remaining Length (variable byte integer, at
 * most 4 bytes). 1: *hdr_len and *rem set; 0: more bytes needed; -1: invalid length. */
int mqtt_fixed_header(const uint8_t *data, uint32_t len, uint32_t *hdr_len, uint32_t *rem);
/* "CONNECT", ... ; NULL for 0 and unassigned numbers. */
const char *mqtt_type_name(uint8_t type);
/* EVE properties object of a message (MQTT 5). */
void mqtt_log_props(const MqttMsg *m, MqttSpan props, struct JsonBuf *jb);

/* For detect and output: tx as MQTT, NULL when it is not. */
const MqttTx *mqtt_tx(const AppTx *tx);
/* The protocol version of tx's flow (from its CONNECT; 0 unknown). */
uint8_t mqtt_tx_version(const AppTx *tx);

extern const AppBufferDef mqtt_buffers[];
extern const char *const mqtt_event_names[];

#endif
