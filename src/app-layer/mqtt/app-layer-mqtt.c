/* MQTT: the parser row, per-flow state (message framing per direction, the protocol
 * version from CONNECT, whether CONNACK was seen) and the transactions.
 *
 * Framing: fixed header (type byte, Remaining Length of at most 4 bytes) then the rest.
 * A message up to max-msg-length (app-layer.protocols.mqtt.max-msg-length, default
 * 1 MiB) is collected whole (charged to the mqtt memcap) and decoded; a longer one makes
 * a tx marked truncated and its bytes are skipped unread, whatever the announced length.
 * A Remaining Length of more than 4 bytes is malformed_traffic and stops the direction.
 *
 * Transactions (as Suricata): CONNECT waits for its CONNACK, PUBLISH QoS 1 for PUBACK,
 * QoS 2 for PUBREC, PUBREL and PUBCOMP, SUBSCRIBE for SUBACK, UNSUBSCRIBE for UNSUBACK
 * (matched by packet identifier); every other message is a tx of its own. An answer
 * without its request raises missing_*; messages other than CONNECT/CONNACK before a
 * CONNACK raise unintroduced_message. */
#include "app-layer/mqtt/app-layer-mqtt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

const char *const mqtt_event_names[MQTT_EV_N] = {
    "missing_connect", "missing_publish", "missing_subscribe", "missing_unsubscribe",
    "double_connect", "unintroduced_message", "invalid_qos_level", "missing_msg_id",
    "unassigned_msg_type", "too_many_transactions", "malformed_traffic",
};

static uint32_t g_max_msg_len = MQTT_MAX_MSG_LEN_DEFAULT;   // start-up only

typedef struct MqttDir {
    uint8_t hdr[5];              // fixed header being read
    uint8_t hdr_len;
    uint32_t rem;                // Remaining Length of the current message
    bool in_msg;                 // fixed header done: collecting or skipping the rest
    bool skipping;               // truncated message: bytes dropped
    uint64_t skip;
    uint8_t *buf;                // the current message (fixed header included)
    uint32_t len;
    uint32_t cap;
    bool stopped;
} MqttDir;

typedef struct MqttState {
    AppFlow *af;
    uint8_t version;             // from CONNECT (0 unknown: 3.1.1 decoding)
    bool connect_seen;
    bool connected;              // CONNACK seen
    MqttDir dir[2];
} MqttState;

static void *mqtt_state_new(AppFlow *af)
{
    MqttState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void buf_free(MqttState *st, MqttDir *d)
{
    if (d->cap != 0) {
        app_mem_release(st->af, d->cap);
    }
    free(d->buf);
    d->buf = NULL;
    d->len = d->cap = 0;
}

static void mqtt_state_free(void *state)
{
    MqttState *st = state;
    if (st == NULL) {
        return;
    }
    buf_free(st, &st->dir[0]);
    buf_free(st, &st->dir[1]);
    free(st);
}

static void mqtt_tx_free(void *state, AppTx *tx)
{
    MqttState *st = state;
    MqttTx *t = (MqttTx *)tx;
    for (uint32_t i = 0; i < t->n_msgs; i++) {
        mqtt_msg_deinit(t->msgs[i]);
        free(t->msgs[i]);
    }
    if (st != NULL && t->mem_bytes != 0) {
        app_mem_release(st->af, t->mem_bytes);
    }
    t->n_msgs = 0;
}

const MqttTx *mqtt_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_MQTT ? (const MqttTx *)tx : NULL;
}

uint8_t mqtt_tx_version(const AppTx *tx)
{
    const MqttTx *t = mqtt_tx(tx);
    for (uint32_t i = 0; t != NULL && i < t->n_msgs; i++) {
        if (t->msgs[i]->type == MQTT_CONNECT) {
            return t->msgs[i]->protocol_version;
        }
    }
    return 0;
}

/* ---- transactions ---- */

static void set_done(MqttTx *t, bool done)
{
    t->tx.progress[0] = t->tx.progress[1] = done ? 1 : 0;
    app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
}

static uint16_t first_msg_id(const MqttTx *t)
{
    return t->n_msgs > 0 ? t->msgs[0]->msg_id : 0;
}

/* The open tx waiting for a message of type (with packet identifier id when by_id). */
static MqttTx *find_waiting(MqttState *st, uint8_t type, bool by_id, uint16_t id)
{
    uint32_t n = app_layer_tx_count(st->af->f);
    for (uint32_t i = 0; i < n; i++) {
        AppTx *tx = app_layer_tx_at(st->af->f, i);
        MqttTx *t = tx != NULL && tx->proto == APP_PROTO_MQTT ? (MqttTx *)tx : NULL;
        if (t != NULL && t->awaiting == type && t->n_msgs < MQTT_MSGS_MAX &&
            (!by_id || first_msg_id(t) == id)) {
            return t;
        }
    }
    return NULL;
}

static void attach(MqttState *st, MqttTx *t, MqttMsg *m, uint32_t mem)
{
    t->msgs[t->n_msgs++] = m;
    t->mem_bytes += mem;
    (void)st;
}

/* The type of the answer that continues a tx after m (0: the tx is complete). */
static uint8_t next_awaited(const MqttMsg *m)
{
    switch (m->type) {
    case MQTT_CONNECT:
        return MQTT_CONNACK;
    case MQTT_PUBLISH:
        return (m->flags >> 1 & 3) == 1 ? MQTT_PUBACK : (m->flags >> 1 & 3) == 2 ? MQTT_PUBREC : 0;
    case MQTT_PUBREC:
        return MQTT_PUBREL;
    case MQTT_PUBREL:
        return MQTT_PUBCOMP;
    case MQTT_SUBSCRIBE:
        return MQTT_SUBACK;
    case MQTT_UNSUBSCRIBE:
        return MQTT_UNSUBACK;
    default:
        return 0;
    }
}

/* The request type an answer belongs to and the event when it is missing; 0 when m is
 * not an answer. */
static uint8_t answer_of(uint8_t type, uint32_t *missing_ev)
{
    switch (type) {
    case MQTT_CONNACK:
        *missing_ev = MQTT_EV_MISSING_CONNECT;
        return MQTT_CONNECT;
    case MQTT_PUBACK:
    case MQTT_PUBREC:
    case MQTT_PUBREL:
    case MQTT_PUBCOMP:
        *missing_ev = MQTT_EV_MISSING_PUBLISH;
        return MQTT_PUBLISH;
    case MQTT_SUBACK:
        *missing_ev = MQTT_EV_MISSING_SUBSCRIBE;
        return MQTT_SUBSCRIBE;
    case MQTT_UNSUBACK:
        *missing_ev = MQTT_EV_MISSING_UNSUBSCRIBE;
        return MQTT_UNSUBSCRIBE;
    default:
        return 0;
    }
}

static void raise(MqttState *st, MqttTx *t, uint32_t ev)
{
    app_tx_event(st->af, &t->tx, ev);
}

/* Takes ownership of m (heap) in every case. APP_PARSE_ERROR when no tx could be made. */
static int handle_msg(MqttState *st, MqttMsg *m, bool malformed)
{
    uint32_t mem = (uint32_t)sizeof(*m) + m->body_len;
    if (!app_mem_charge(st->af, mem)) {
        mqtt_msg_deinit(m);
        free(m);
        return APP_PARSE_ERROR;
    }
    uint32_t missing_ev = 0;
    uint8_t req = m->truncated ? 0 : answer_of(m->type, &missing_ev);
    MqttTx *t = req != 0 ? find_waiting(st, m->type, m->type != MQTT_CONNACK, m->msg_id) : NULL;
    bool is_new = t == NULL;
    if (is_new) {
        t = (MqttTx *)app_tx_new(st->af, sizeof(MqttTx));
        if (t == NULL) {
            app_mem_release(st->af, mem);
            mqtt_msg_deinit(m);
            free(m);
            return APP_PARSE_ERROR;
        }
    }
    attach(st, t, m, mem);
    t->awaiting = m->truncated ? 0 : next_awaited(m);
    set_done(t, t->awaiting == 0);
    uint8_t qos = m->flags >> 1 & 3;
    if (is_new && req != 0) {
        raise(st, t, missing_ev);
    }
    if (m->type == 0 || (m->type == MQTT_AUTH && st->version != 5)) {
        raise(st, t, MQTT_EV_UNASSIGNED_MSG_TYPE);
    }
    if (m->type == MQTT_CONNECT) {
        if (st->connect_seen) {
            raise(st, t, MQTT_EV_DOUBLE_CONNECT);
        }
        st->connect_seen = true;
        if (!malformed) {
            st->version = m->protocol_version;
        }
    } else if (m->type == MQTT_CONNACK) {
        st->connected = true;
    } else if (!st->connected) {
        raise(st, t, MQTT_EV_UNINTRODUCED_MESSAGE);
    }
    bool needs_id = (m->type == MQTT_PUBLISH && qos != 0) || m->type == MQTT_SUBSCRIBE ||
                    m->type == MQTT_UNSUBSCRIBE || (req != 0 && m->type != MQTT_CONNACK);
    if (needs_id && !m->truncated && !m->has_msg_id) {
        raise(st, t, MQTT_EV_MISSING_MSG_ID);
    }
    if (m->type == MQTT_PUBLISH && qos == 3) {
        raise(st, t, MQTT_EV_INVALID_QOS_LEVEL);
    }
    if (malformed && !m->truncated) {
        raise(st, t, MQTT_EV_MALFORMED_TRAFFIC);
    }
    return APP_PARSE_OK;
}

/* A whole message (fixed header included) of dir. */
static int whole_msg(MqttState *st, uint8_t dir, const uint8_t *data, uint32_t hdr_len,
                     uint32_t len)
{
    MqttMsg *m = malloc(sizeof(*m));
    if (m == NULL) {
        return APP_PARSE_ERROR;
    }
    int rc = mqtt_msg_parse(data, hdr_len, len, st->version, m);
    if (rc == VG_ENOMEM) {
        free(m);
        return APP_PARSE_ERROR;
    }
    m->dir = dir;
    return handle_msg(st, m, rc != 0);
}

/* A message longer than max-msg-length: a tx with its type and flags only. */
static int truncated_msg(MqttState *st, uint8_t dir, uint8_t type_byte, uint64_t total)
{
    MqttMsg *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return APP_PARSE_ERROR;
    }
    m->type = type_byte >> 4;
    m->flags = type_byte & 0x0f;
    m->dir = dir;
    m->truncated = true;
    m->skipped_length = total;
    return handle_msg(st, m, false);
}

/* ---- framing ---- */

static bool buf_append(MqttState *st, MqttDir *d, const uint8_t *data, uint32_t n)
{
    if (!app_mem_grow(st->af, &d->buf, &d->cap, d->len + n)) {
        return false;
    }
    memcpy(d->buf + d->len, data, n);
    d->len += n;
    return true;
}

/* Reads the fixed header; returns bytes used, sets *rc. */
static uint32_t read_header(MqttState *st, uint8_t dir, const uint8_t *data, uint32_t len,
                            int *rc)
{
    MqttDir *d = &st->dir[dir];
    uint32_t used = 0;
    while (used < len && d->hdr_len < sizeof(d->hdr)) {
        d->hdr[d->hdr_len++] = data[used++];
        uint32_t hl = 0;
        int r = mqtt_fixed_header(d->hdr, d->hdr_len, &hl, &d->rem);
        if (r < 0) {
            d->stopped = true;
            MqttMsg *m = calloc(1, sizeof(*m));
            if (m != NULL) {
                m->type = d->hdr[0] >> 4;
                m->flags = d->hdr[0] & 0x0f;
                m->dir = dir;
                *rc = handle_msg(st, m, true);
            }
            return len;
        }
        if (r == 1) {
            d->in_msg = true;
            uint64_t total = (uint64_t)hl + d->rem;
            if (total > g_max_msg_len) {
                d->skipping = true;
                d->skip = d->rem;
                *rc = truncated_msg(st, dir, d->hdr[0], total);
            } else if (!buf_append(st, d, d->hdr, hl)) {
                *rc = APP_PARSE_ERROR;
            }
            d->hdr_len = 0;
            return used;
        }
    }
    return used;
}

/* The rest of the current message; returns bytes used. */
static uint32_t read_rest(MqttState *st, uint8_t dir, const uint8_t *data, uint32_t len,
                          int *rc)
{
    MqttDir *d = &st->dir[dir];
    if (d->skipping) {
        uint32_t n = d->skip < len ? (uint32_t)d->skip : len;
        d->skip -= n;
        if (d->skip == 0) {
            d->skipping = d->in_msg = false;
        }
        return n;
    }
    uint32_t hl = 0;
    uint32_t rem = 0;
    (void)mqtt_fixed_header(d->buf, d->len, &hl, &rem);
    uint32_t want = hl + rem - d->len;
    uint32_t n = want < len ? want : len;
    if (!buf_append(st, d, data, n)) {
        *rc = APP_PARSE_ERROR;
        return len;
    }
    if (d->len == hl + rem) {
        *rc = whole_msg(st, dir, d->buf, hl, d->len);
        buf_free(st, d);
        d->in_msg = false;
    }
    return n;
}

static int mqtt_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    MqttState *st = state;
    MqttDir *d = &st->dir[dir];
    while (len > 0 && !d->stopped) {
        int rc = APP_PARSE_OK;
        uint32_t used;
        uint32_t hl = 0;
        uint32_t rem = 0;
        if (!d->in_msg && d->hdr_len == 0 && mqtt_fixed_header(data, len, &hl, &rem) == 1 &&
            (uint64_t)hl + rem <= len && hl + rem <= g_max_msg_len) {
            used = hl + rem;     // whole message here: no copy into the buffer
            rc = whole_msg(st, dir, data, hl, used);
        } else if (!d->in_msg) {
            used = read_header(st, dir, data, len, &rc);
        } else {
            used = read_rest(st, dir, data, len, &rc);
        }
        if (rc != APP_PARSE_OK) {
            return rc;
        }
        data += used;
        len -= used;
    }
    return APP_PARSE_OK;
}

static void mqtt_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    MqttState *st = state;
    buf_free(st, &st->dir[dir]);
}

/* ---- detection and config ---- */

/* CONNECT with protocol name MQTT or MQIsdp anywhere; on the detection ports any
 * well-formed fixed header of an assigned type (midstream flows). */
static int mqtt_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                         uint8_t dir)
{
    (void)ipproto;
    (void)dir;
    uint32_t hl = 0;
    uint32_t rem = 0;
    int r = mqtt_fixed_header(data, len, &hl, &rem);
    if (r < 0) {
        return APP_PROBE_NO;
    }
    uint8_t type = data[0] >> 4;
    if (type == MQTT_CONNECT && (data[0] & 0x0f) == 0) {
        if (r == 0 || len < hl + 8) {
            return len < 16 ? APP_PROBE_MORE : APP_PROBE_NO;
        }
        const uint8_t *p = data + hl;
        if ((p[0] == 0 && p[1] == 4 && memcmp(p + 2, "MQTT", 4) == 0) ||
            (p[0] == 0 && p[1] == 6 && len >= hl + 8 && memcmp(p + 2, "MQIsdp", 6) == 0)) {
            return APP_PROBE_YES;
        }
        return APP_PROBE_NO;
    }
    if (!port_hint || type == 0 || r == 0) {
        return r == 0 && port_hint ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    return APP_PROBE_YES;
}

static int mqtt_config(const struct Conf *conf)
{
    g_max_msg_len = MQTT_MAX_MSG_LEN_DEFAULT;
    if (conf == NULL) {
        return 0;
    }
    bool bad = false;
    uint64_t v = conf_size_or(conf, "app-layer.protocols.mqtt.max-msg-length",
                              MQTT_MAX_MSG_LEN_DEFAULT, &bad);
    if (bad || v == 0 || v > UINT32_MAX) {
        VG_ERROR("app-layer.protocols.mqtt.max-msg-length: expected a size of 1 byte to 4 GiB");
        return VG_EINVAL;
    }
    g_max_msg_len = (uint32_t)v;
    return 0;
}

/* ---- buffers ---- */

static const MqttMsg *msg_of(const AppTx *tx, uint8_t type, int dir)
{
    const MqttTx *t = mqtt_tx(tx);
    for (uint32_t i = 0; t != NULL && i < t->n_msgs; i++) {
        const MqttMsg *m = t->msgs[i];
        if (m->type == type && !m->truncated && (dir < 0 || m->dir == dir)) {
            return m;
        }
    }
    return NULL;
}

static bool span_out(const MqttMsg *m, MqttSpan s, const uint8_t **data, uint32_t *len)
{
    if (m == NULL || !s.set) {
        return false;
    }
    *data = m->body + s.off;
    *len = s.len;
    return true;
}

#define CONNECT_GETTER(fn, field)                                                            \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)      \
    {                                                                                        \
        (void)f;                                                                             \
        const MqttMsg *m = msg_of(tx, MQTT_CONNECT, -1);                                     \
        return m != NULL && span_out(m, m->field, data, len);                                \
    }

CONNECT_GETTER(get_clientid, client_id)
CONNECT_GETTER(get_username, username)
CONNECT_GETTER(get_password, password)
CONNECT_GETTER(get_willtopic, will_topic)
CONNECT_GETTER(get_willmessage, will_message)

#define PUBLISH_GETTER(fn, d, field)                                                         \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)      \
    {                                                                                        \
        (void)f;                                                                             \
        const MqttMsg *m = msg_of(tx, MQTT_PUBLISH, d);                                      \
        return m != NULL && span_out(m, m->field, data, len);                                \
    }

PUBLISH_GETTER(get_pub_topic_ts, APP_DIR_TOSERVER, topic)
PUBLISH_GETTER(get_pub_topic_tc, APP_DIR_TOCLIENT, topic)
PUBLISH_GETTER(get_pub_msg_ts, APP_DIR_TOSERVER, message)
PUBLISH_GETTER(get_pub_msg_tc, APP_DIR_TOCLIENT, message)

static bool topic_at(const AppTx *tx, uint8_t type, uint32_t idx, const uint8_t **data,
                     uint32_t *len)
{
    const MqttMsg *m = msg_of(tx, type, -1);
    return m != NULL && idx < m->n_topics && span_out(m, m->topics[idx].name, data, len);
}

static bool sub_multi(const Flow *f, const AppTx *tx, uint32_t idx, const uint8_t **data,
                      uint32_t *len)
{
    (void)f;
    return topic_at(tx, MQTT_SUBSCRIBE, idx, data, len);
}

static bool sub_first(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    return sub_multi(f, tx, 0, data, len);
}

static bool unsub_multi(const Flow *f, const AppTx *tx, uint32_t idx, const uint8_t **data,
                        uint32_t *len)
{
    (void)f;
    return topic_at(tx, MQTT_UNSUBSCRIBE, idx, data, len);
}

static bool unsub_first(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    return unsub_multi(f, tx, 0, data, len);
}

#define MQ_ROW(n, d, fn) {.name = n, .proto = APP_PROTO_MQTT, .dir = d, .progress = 0, .get = fn}

const AppBufferDef mqtt_buffers[] = {
    MQ_ROW("mqtt.connect.clientid", APP_DIR_TOSERVER, get_clientid),
    MQ_ROW("mqtt.connect.username", APP_DIR_TOSERVER, get_username),
    MQ_ROW("mqtt.connect.password", APP_DIR_TOSERVER, get_password),
    MQ_ROW("mqtt.connect.willtopic", APP_DIR_TOSERVER, get_willtopic),
    MQ_ROW("mqtt.connect.willmessage", APP_DIR_TOSERVER, get_willmessage),
    MQ_ROW("mqtt.publish.topic", APP_DIR_TOSERVER, get_pub_topic_ts),
    MQ_ROW("mqtt.publish.topic", APP_DIR_TOCLIENT, get_pub_topic_tc),
    MQ_ROW("mqtt.publish.message", APP_DIR_TOSERVER, get_pub_msg_ts),
    MQ_ROW("mqtt.publish.message", APP_DIR_TOCLIENT, get_pub_msg_tc),
    {.name = "mqtt.subscribe.topic", .proto = APP_PROTO_MQTT, .dir = APP_DIR_TOSERVER,
     .get = sub_first, .get_multi = sub_multi},
    {.name = "mqtt.unsubscribe.topic", .proto = APP_PROTO_MQTT, .dir = APP_DIR_TOSERVER,
     .get = unsub_first, .get_multi = unsub_multi},
};
#define MQTT_N_BUFFERS (sizeof(mqtt_buffers) / sizeof(mqtt_buffers[0]))

/* ---- EVE ---- */

/* eve-log mqtt string-log-limit (0: none): the longest topic or message
 * text written; the rest is replaced by a note of how much was left out.
 * Set at start-up (eve options), read by output threads. */
static uint64_t g_log_limit;

static void log_str(JsonBuf *jb, const char *key, const MqttMsg *m, MqttSpan s)
{
    if (s.set) {
        json_printable(jb, key, m->body + s.off, s.len);
    }
}

/* A topic or message under string-log-limit: *budget is what remains of
 * the limit for this field (topic lists share one). Returns false once the
 * budget is spent before this string (it is left out). */
static bool log_str_limited(JsonBuf *jb, const char *key, const MqttMsg *m, MqttSpan s,
                            uint64_t *budget)
{
    if (!s.set) {
        return true;
    }
    if (g_log_limit == 0 || s.len <= *budget) {
        json_printable(jb, key, m->body + s.off, s.len);
        if (g_log_limit != 0) {
            *budget -= s.len;
        }
        return true;
    }
    if (*budget == 0) {
        return false;
    }
    static const char fmt[] = "[truncated %u additional bytes]";
    size_t keep = (size_t)*budget;
    char *buf = malloc(keep + sizeof(fmt) + 10);
    if (buf == NULL) {
        return false;
    }
    memcpy(buf, m->body + s.off, keep);
    int n = snprintf(buf + keep, sizeof(fmt) + 10, fmt, (unsigned)(s.len - keep));
    json_printable(jb, key, (const uint8_t *)buf, keep + (n > 0 ? (size_t)n : 0));
    free(buf);
    *budget = 0;
    return true;
}

static void log_connect(JsonBuf *jb, const MqttMsg *m)
{
    log_str(jb, "protocol_string", m, m->protocol_string);
    json_u64(jb, "protocol_version", m->protocol_version);
    json_open_object(jb, "flags");
    json_bool(jb, "username", m->connect_flags & MQTT_CF_USERNAME);
    json_bool(jb, "password", m->connect_flags & MQTT_CF_PASSWORD);
    json_bool(jb, "will", m->connect_flags & MQTT_CF_WILL);
    json_bool(jb, "will_retain", m->connect_flags & MQTT_CF_WILL_RETAIN);
    json_bool(jb, "clean_session", m->connect_flags & MQTT_CF_CLEAN_SESSION);
    json_close_object(jb);
    log_str(jb, "client_id", m, m->client_id);
    log_str(jb, "username", m, m->username);
    log_str(jb, "password", m, m->password);
    if (m->will_topic.set) {
        json_open_object(jb, "will");
        uint64_t topic_budget = g_log_limit;
        uint64_t msg_budget = g_log_limit;
        (void)log_str_limited(jb, "topic", m, m->will_topic, &topic_budget);
        (void)log_str_limited(jb, "message", m, m->will_message, &msg_budget);
        mqtt_log_props(m, m->will_props, jb);
        json_close_object(jb);
    }
}

static void log_codes(JsonBuf *jb, const char *key, const MqttMsg *m)
{
    if (!m->codes.set || m->codes.len == 0) {
        return;
    }
    json_open_array(jb, key);
    for (uint32_t i = 0; i < m->codes.len; i++) {
        json_u64(jb, NULL, m->body[m->codes.off + i]);
    }
    json_close_array(jb);
}

static void log_topics(JsonBuf *jb, const MqttMsg *m)
{
    if (m->n_topics == 0) {
        return;
    }
    /* The limit holds for the topics together, so many short topics cannot
     * get round it: the one that crosses it is cut, the rest left out. */
    uint64_t budget = g_log_limit;
    json_open_array(jb, "topics");
    for (uint32_t i = 0; i < m->n_topics; i++) {
        if (g_log_limit != 0 && budget == 0) {
            break;
        }
        if (m->type == MQTT_SUBSCRIBE) {
            json_open_object(jb, NULL);
            (void)log_str_limited(jb, "topic", m, m->topics[i].name, &budget);
            json_u64(jb, "qos", m->topics[i].qos);
            json_close_object(jb);
        } else {
            (void)log_str_limited(jb, NULL, m, m->topics[i].name, &budget);
        }
    }
    json_close_array(jb);
}

static void log_msg(JsonBuf *jb, const MqttMsg *m)
{
    const char *name = mqtt_type_name(m->type);
    char key[16];
    size_t i = 0;
    for (; name != NULL && name[i] != '\0' && i < sizeof(key) - 1; i++) {
        key[i] = (char)(name[i] | 0x20);
    }
    key[i] = '\0';
    json_open_object(jb, name != NULL ? key : "unassigned");
    json_u64(jb, "qos", m->flags >> 1 & 3);
    json_bool(jb, "retain", m->flags & 1);
    json_bool(jb, "dup", m->flags & 8);
    if (m->truncated) {
        json_bool(jb, "truncated", true);
        json_u64(jb, "skipped_length", m->skipped_length);
        json_close_object(jb);
        return;
    }
    switch (m->type) {
    case MQTT_CONNECT:
        log_connect(jb, m);
        break;
    case MQTT_CONNACK:
        json_bool(jb, "session_present", m->session_present);
        json_u64(jb, "return_code", m->reason);
        break;
    case MQTT_PUBLISH: {
        uint64_t topic_budget = g_log_limit;
        uint64_t msg_budget = g_log_limit;
        (void)log_str_limited(jb, "topic", m, m->topic, &topic_budget);
        if (m->has_msg_id) {
            json_u64(jb, "message_id", m->msg_id);
        }
        (void)log_str_limited(jb, "message", m, m->message, &msg_budget);
        break;
    }
    case MQTT_SUBSCRIBE:
    case MQTT_UNSUBSCRIBE:
        json_u64(jb, "message_id", m->msg_id);
        log_topics(jb, m);
        break;
    case MQTT_SUBACK:
    case MQTT_UNSUBACK:
        json_u64(jb, "message_id", m->msg_id);
        log_codes(jb, m->type == MQTT_SUBACK ? "qos_granted" : "reason_codes", m);
        break;
    case MQTT_PUBACK:
    case MQTT_PUBREC:
    case MQTT_PUBREL:
    case MQTT_PUBCOMP:
        json_u64(jb, "message_id", m->msg_id);
        if (m->has_reason) {
            json_u64(jb, "reason_code", m->reason);
        }
        break;
    case MQTT_DISCONNECT:
    case MQTT_AUTH:
        if (m->has_reason) {
            json_u64(jb, "reason_code", m->reason);
        }
        break;
    default:
        break;
    }
    mqtt_log_props(m, m->props, jb);
    json_close_object(jb);
}

static void mqtt_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const MqttTx *t = (const MqttTx *)tx;
    json_open_object(jb, "mqtt");
    for (uint32_t i = 0; i < t->n_msgs; i++) {
        log_msg(jb, t->msgs[i]);
    }
    json_close_object(jb);
}

static void mqtt_eve_options(const struct ConfNode *opts)
{
    const ConfNode *n = opts != NULL ? conf_node_child(opts, "string-log-limit") : NULL;
    uint64_t v = 0;
    g_log_limit = 0;
    if (n == NULL || n->value == NULL) {
        return;
    }
    if (!conf_parse_size(n->value, &v)) {
        VG_WARN("%s:%d: mqtt string-log-limit '%s': expected a size (e.g. 1kb); no limit",
                n->file ? n->file : "--set", n->line, n->value);
        return;
    }
    g_log_limit = v;
}

const AppParserDesc app_parser_mqtt = {
    .name = "mqtt",
    .proto = APP_PROTO_MQTT,
    .ipproto = 6,
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "1883",
    .config = mqtt_config,
    .state_new = mqtt_state_new,
    .state_free = mqtt_state_free,
    .parse = mqtt_parse,
    .eof = mqtt_eof,
    .tx_free = mqtt_tx_free,
    .complete = {1, 1},
    .events = mqtt_event_names,
    .n_events = MQTT_EV_N,
    .buffers = mqtt_buffers,
    .n_buffers = MQTT_N_BUFFERS,
    .log_json = mqtt_log_json,
    .probe_ip = mqtt_probe_ip,
    .eve_generic = true,
    .eve_options = mqtt_eve_options,
};
