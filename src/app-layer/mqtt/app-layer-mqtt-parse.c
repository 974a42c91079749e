/* MQTT messages: the fixed header (MQTT 3.1.1 section 2.2, 5.0 section 2.1) and the
 * variable header and payload of each control packet type (3.1.1 chapter 3, 5.0
 * chapter 3), MQTT 5 properties (5.0 section 2.2.2). Pure functions: no flow, no
 * memcap. Every read is checked against the message's length. */
#include "app-layer/mqtt/app-layer-mqtt.h"

#include <stdlib.h>
#include <string.h>

#include "util/util-error.h"
#include "util/util-json.h"

static const char *const type_names[16] = {
    NULL, "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
    "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT",
    "AUTH",
};

const char *mqtt_type_name(uint8_t type)
{
    return type < 16 ? type_names[type] : NULL;
}

/* Variable byte integer (at most 4 bytes). 1 ok, 0 more bytes needed, -1 invalid. */
static int varint(const uint8_t *p, uint32_t len, uint32_t *used, uint32_t *v)
{
    uint32_t val = 0;
    for (uint32_t i = 0; i < 4; i++) {
        if (i >= len) {
            return 0;
        }
        val |= (uint32_t)(p[i] & 0x7f) << (7 * i);
        if ((p[i] & 0x80) == 0) {
            *used = i + 1;
            *v = val;
            return 1;
        }
    }
    return -1;
}

int mqtt_fixed_header(const uint8_t *data, uint32_t len, uint32_t *hdr_len, uint32_t *rem)
{
    if (len < 2) {
        return 0;
    }
    uint32_t used = 0;
    int r = varint(data + 1, len - 1, &used, rem);
    if (r == 1) {
        *hdr_len = 1 + used;
    }
    return r;
}

/* A cursor over the body. */
typedef struct Cur {
    const uint8_t *p;
    uint32_t len;
    uint32_t off;
    bool bad;
} Cur;

static uint32_t left(const Cur *c)
{
    return c->bad ? 0 : c->len - c->off;
}

static uint8_t get_u8(Cur *c)
{
    if (left(c) < 1) {
        c->bad = true;
        return 0;
    }
    return c->p[c->off++];
}

static uint16_t get_u16(Cur *c)
{
    if (left(c) < 2) {
        c->bad = true;
        return 0;
    }
    uint16_t v = (uint16_t)(c->p[c->off] << 8 | c->p[c->off + 1]);
    c->off += 2;
    return v;
}

/* UTF-8 string or binary data: 16-bit length then bytes. */
static MqttSpan get_str(Cur *c)
{
    uint16_t n = get_u16(c);
    if (c->bad || left(c) < n) {
        c->bad = true;
        return (MqttSpan){0};
    }
    MqttSpan s = {c->off, n, true};
    c->off += n;
    return s;
}

/* MQTT 5 properties: length (variable byte integer) then that many bytes. */
static MqttSpan get_props(Cur *c)
{
    uint32_t used = 0;
    uint32_t n = 0;
    if (c->bad || varint(c->p + c->off, left(c), &used, &n) != 1 || left(c) - used < n) {
        c->bad = true;
        return (MqttSpan){0};
    }
    c->off += used;
    MqttSpan s = {c->off, n, true};
    c->off += n;
    return s;
}

static MqttSpan rest(Cur *c)
{
    MqttSpan s = {c->off, left(c), true};
    c->off = c->len;
    return s;
}

static void parse_connect(Cur *c, MqttMsg *m)
{
    m->protocol_string = get_str(c);
    m->protocol_version = get_u8(c);
    m->connect_flags = get_u8(c);
    (void)get_u16(c);                      // keep alive
    bool v5 = m->protocol_version == 5;
    if (v5) {
        m->props = get_props(c);
    }
    m->client_id = get_str(c);
    if (m->connect_flags & MQTT_CF_WILL) {
        if (v5) {
            m->will_props = get_props(c);
        }
        m->will_topic = get_str(c);
        m->will_message = get_str(c);
    }
    if (m->connect_flags & MQTT_CF_USERNAME) {
        m->username = get_str(c);
    }
    if (m->connect_flags & MQTT_CF_PASSWORD) {
        m->password = get_str(c);
    }
}

static void parse_topics(Cur *c, MqttMsg *m, bool with_options)
{
    while (left(c) > 0) {
        MqttSpan t = get_str(c);
        uint8_t opts = with_options ? get_u8(c) : 0;
        if (c->bad) {
            return;
        }
        if (m->n_topics < MQTT_TOPICS_MAX) {
            m->topics[m->n_topics++] = (MqttTopic){t, (uint8_t)(opts & 3)};
        }
    }
}

/* The body of m (c over it) for protocol version ver. */
static void parse_body(Cur *c, MqttMsg *m, uint8_t ver)
{
    bool v5 = ver == 5;
    switch (m->type) {
    case MQTT_CONNECT:
        parse_connect(c, m);
        break;
    case MQTT_CONNACK:
        m->session_present = (get_u8(c) & 1) != 0;
        m->reason = get_u8(c);
        m->has_reason = !c->bad;
        if (v5 && left(c) > 0) {
            m->props = get_props(c);
        }
        break;
    case MQTT_PUBLISH:
        m->topic = get_str(c);
        if ((m->flags >> 1 & 3) != 0) {
            m->msg_id = get_u16(c);
            m->has_msg_id = !c->bad;
        }
        if (v5) {
            m->props = get_props(c);
        }
        m->message = rest(c);
        break;
    case MQTT_PUBACK:
    case MQTT_PUBREC:
    case MQTT_PUBREL:
    case MQTT_PUBCOMP:
        m->msg_id = get_u16(c);
        m->has_msg_id = !c->bad;
        if (v5 && left(c) > 0) {
            m->reason = get_u8(c);
            m->has_reason = true;
        }
        if (v5 && left(c) > 0) {
            m->props = get_props(c);
        }
        break;
    case MQTT_SUBSCRIBE:
    case MQTT_UNSUBSCRIBE:
        m->msg_id = get_u16(c);
        m->has_msg_id = !c->bad;
        if (v5) {
            m->props = get_props(c);
        }
        parse_topics(c, m, m->type == MQTT_SUBSCRIBE);
        break;
    case MQTT_SUBACK:
    case MQTT_UNSUBACK:
        m->msg_id = get_u16(c);
        m->has_msg_id = !c->bad;
        if (v5) {
            m->props = get_props(c);
        }
        m->codes = rest(c);
        break;
    case MQTT_DISCONNECT:
    case MQTT_AUTH:
        /* MQTT 5 sections 3.14.2.1, 3.15.2.1: no reason byte means 0 (success) */
        m->has_reason = v5 || left(c) > 0;
        if (left(c) > 0) {
            m->reason = get_u8(c);
        }
        if (left(c) > 0) {
            m->props = get_props(c);
        }
        break;
    default:                     // PINGREQ, PINGRESP, unassigned: nothing to read
        break;
    }
}

int mqtt_msg_parse(const uint8_t *data, uint32_t hdr_len, uint32_t len, uint8_t ver,
                   MqttMsg *m)
{
    memset(m, 0, sizeof(*m));
    if (len < 1 || hdr_len > len) {
        return VG_EINVAL;
    }
    m->type = data[0] >> 4;
    m->flags = data[0] & 0x0f;
    m->body_len = len - hdr_len;
    if (m->body_len > 0) {
        m->body = malloc(m->body_len);
        if (m->body == NULL) {
            return VG_ENOMEM;
        }
        memcpy(m->body, data + hdr_len, m->body_len);
    }
    Cur c = {.p = m->body, .len = m->body_len};
    parse_body(&c, m, m->type == MQTT_CONNECT ? 0 : ver);
    return c.bad ? VG_EINVAL : 0;
}

void mqtt_msg_deinit(MqttMsg *m)
{
    free(m->body);
    m->body = NULL;
    m->body_len = 0;
}

/* ---- properties for EVE ---- */

enum { P_BYTE, P_U16, P_U32, P_VAR, P_STR, P_BIN, P_PAIR };

static const struct {
    uint8_t id;
    uint8_t kind;
    const char *name;
} props[] = {
    {0x01, P_BYTE, "payload_format_indicator"}, {0x02, P_U32, "message_expiry_interval"},
    {0x03, P_STR, "content_type"}, {0x08, P_STR, "response_topic"},
    {0x09, P_BIN, "correlation_data"}, {0x0b, P_VAR, "subscription_identifier"},
    {0x11, P_U32, "session_expiry_interval"}, {0x12, P_STR, "assigned_client_identifier"},
    {0x13, P_U16, "server_keep_alive"}, {0x15, P_STR, "authentication_method"},
    {0x16, P_BIN, "authentication_data"}, {0x17, P_BYTE, "request_problem_information"},
    {0x18, P_U32, "will_delay_interval"}, {0x19, P_BYTE, "request_response_information"},
    {0x1a, P_STR, "response_information"}, {0x1c, P_STR, "server_reference"},
    {0x1f, P_STR, "reason_string"}, {0x21, P_U16, "receive_maximum"},
    {0x22, P_U16, "topic_alias_maximum"}, {0x23, P_U16, "topic_alias"},
    {0x24, P_BYTE, "maximum_qos"}, {0x25, P_BYTE, "retain_available"},
    {0x26, P_PAIR, "user_property"}, {0x27, P_U32, "maximum_packet_size"},
    {0x28, P_BYTE, "wildcard_subscription_available"},
    {0x29, P_BYTE, "subscription_identifier_available"},
    {0x2a, P_BYTE, "shared_subscription_available"},
};

/* One property at c into jb; false when malformed or unknown (the rest is not read). */
static bool log_prop(Cur *c, JsonBuf *jb)
{
    uint8_t id = get_u8(c);
    for (size_t i = 0; !c->bad && i < sizeof(props) / sizeof(props[0]); i++) {
        if (props[i].id != id) {
            continue;
        }
        const char *name = props[i].name;
        uint32_t v = 0;
        uint32_t used = 0;
        MqttSpan a, b;
        switch (props[i].kind) {
        case P_BYTE:
            v = get_u8(c);
            break;
        case P_U16:
            v = get_u16(c);
            break;
        case P_U32:
            v = (uint32_t)get_u16(c) << 16;
            v |= get_u16(c);
            break;
        case P_VAR:
            if (varint(c->p + c->off, left(c), &used, &v) != 1) {
                return false;
            }
            c->off += used;
            break;
        case P_STR:
        case P_BIN:
            a = get_str(c);
            if (!c->bad) {
                json_printable(jb, name, c->p + a.off, a.len);
            }
            return !c->bad;
        default:                 // user property: key and value, logged as key: value
            a = get_str(c);
            b = get_str(c);
            if (!c->bad) {
                char key[128];
                uint32_t n = a.len < sizeof(key) - 1 ? a.len : (uint32_t)sizeof(key) - 1;
                for (uint32_t k = 0; k < n; k++) {
                    uint8_t ch = c->p[a.off + k];
                    key[k] = ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' ? (char)ch : '_';
                }
                key[n] = '\0';
                json_printable(jb, key, c->p + b.off, b.len);
            }
            return !c->bad;
        }
        if (!c->bad) {
            json_u64(jb, name, v);
        }
        return !c->bad;
    }
    return false;
}

void mqtt_log_props(const MqttMsg *m, MqttSpan p, JsonBuf *jb)
{
    if (!p.set || p.len == 0 || m->body == NULL) {
        return;
    }
    Cur c = {.p = m->body + p.off, .len = p.len};
    json_open_object(jb, "properties");
    while (left(&c) > 0 && log_prop(&c, jb)) {
    }
    json_close_object(jb);
}
