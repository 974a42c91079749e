/* MQTT keywords that are not plain sticky buffers (mqtt.connect.clientid, .username,
 * .password, .willtopic, .willmessage, mqtt.publish.topic, .message,
 * mqtt.subscribe.topic, mqtt.unsubscribe.topic come from the app-layer buffer registry).
 * Each matches when one message of the transaction (a request and its answers) does:
 *
 * mqtt.type:T               control packet type, a name (CONNECT ...) or 1-15
 * mqtt.flags:[!]retain,[!]dup   fixed header flags, each set (or, with !, clear)
 * mqtt.qos:N                fixed header QoS (0-2)
 * mqtt.reason_code:N        CONNACK return code, PUBACK..PUBCOMP, DISCONNECT, AUTH reason, any
 *                           SUBACK / UNSUBACK code (also mqtt.connack.return_code)
 * mqtt.protocol_version:N   the CONNECT's protocol level (3, 4, 5), integer forms
 * mqtt.connect.flags:[!]username,[!]password,[!]will,[!]will_retain,[!]clean_session
 * mqtt.connack.session_present:true|false
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app-layer/app-layer.h"
#include "app-layer/mqtt/app-layer-mqtt.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { MQ_TYPE = 0, MQ_FLAGS, MQ_QOS, MQ_REASON, MQ_VERSION, MQ_CONNECT_FLAGS, MQ_SESSION };

typedef struct DetectMqtt {
    uint8_t field;               // MQ_*
    uint8_t set;                 // flags that must be set
    uint8_t clear;               // flags that must be clear
    DetectUint u;
} DetectMqtt;

static bool reason_match(const DetectUint *u, const MqttMsg *m)
{
    if (m->has_reason && (m->type != MQTT_SUBACK && m->type != MQTT_UNSUBACK) &&
        detect_uint_match(u, m->reason)) {
        return true;
    }
    for (uint32_t i = 0; m->codes.set && i < m->codes.len; i++) {
        if (detect_uint_match(u, m->body[m->codes.off + i])) {
            return true;
        }
    }
    return false;
}

static bool msg_match(const DetectMqtt *d, const MqttMsg *m)
{
    switch (d->field) {
    case MQ_TYPE:
        return detect_uint_match(&d->u, m->type);
    case MQ_FLAGS:
        return (m->flags & d->set) == d->set && (m->flags & d->clear) == 0;
    case MQ_QOS:
        return detect_uint_match(&d->u, m->flags >> 1 & 3);
    case MQ_REASON:
        return !m->truncated && reason_match(&d->u, m);
    case MQ_VERSION:
        return m->type == MQTT_CONNECT && !m->truncated &&
               detect_uint_match(&d->u, m->protocol_version);
    case MQ_CONNECT_FLAGS:
        return m->type == MQTT_CONNECT && !m->truncated &&
               (m->connect_flags & d->set) == d->set && (m->connect_flags & d->clear) == 0;
    case MQ_SESSION:
        return m->type == MQTT_CONNACK && m->has_reason &&
               detect_uint_match(&d->u, m->session_present);
    default:
        return false;
    }
}

static bool match_mqtt(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                       const void *ctx)
{
    (void)dt;
    (void)f;
    (void)dir;
    const MqttTx *t = mqtt_tx(tx);
    for (uint32_t i = 0; t != NULL && i < t->n_msgs; i++) {
        if (msg_match(ctx, t->msgs[i])) {
            return true;
        }
    }
    return false;
}

static const DetectKeyword kw_mqtt_tx = {
    .name = "mqtt-message", .desc = "MQTT message fields of the transaction",
    .tx_match = match_mqtt, .free = free,
};

static int trim(const char *arg, char *buf, size_t cap)
{
    while (arg != NULL && isspace((unsigned char)*arg)) {
        arg++;
    }
    size_t n = arg != NULL ? strlen(arg) : 0;
    while (n > 0 && isspace((unsigned char)arg[n - 1])) {
        n--;
    }
    if (n == 0 || n >= cap) {
        return VG_EINVAL;
    }
    memcpy(buf, arg, n);
    buf[n] = '\0';
    return 0;
}

static int finish(DetectParser *dp, DetectMqtt *d, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_MQTT) {
        free(d);
        return detect_err(dp, "%s needs protocol mqtt", kw);
    }
    dp->s->alproto = APP_PROTO_MQTT;
    return detect_app_append(dp, false, &kw_mqtt_tx, d);
}

static DetectMqtt *new_ctx(DetectParser *dp, uint8_t field)
{
    DetectMqtt *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        (void)detect_err(dp, "out of memory");
        return NULL;
    }
    d->field = field;
    return d;
}

static int setup_uint(DetectParser *dp, const char *arg, uint8_t field, uint64_t max,
                      const char *kw)
{
    char buf[64];
    if (trim(arg, buf, sizeof(buf)) != 0) {
        return detect_err(dp, "bad %s value '%s'", kw, arg ? arg : "");
    }
    DetectMqtt *d = new_ctx(dp, field);
    if (d == NULL) {
        return VG_ENOMEM;
    }
    if (detect_uint_parse(dp, buf, max, &d->u) != 0) {
        free(d);
        return VG_EINVAL;
    }
    return finish(dp, d, kw);
}

static int setup_type(DetectParser *dp, const char *arg)
{
    char buf[32];
    if (trim(arg, buf, sizeof(buf)) != 0) {
        return detect_err(dp, "bad mqtt.type value '%s'", arg ? arg : "");
    }
    for (uint8_t t = 1; t < 16; t++) {
        if (strcasecmp(buf, mqtt_type_name(t)) == 0) {
            DetectMqtt *d = new_ctx(dp, MQ_TYPE);
            if (d == NULL) {
                return VG_ENOMEM;
            }
            d->u = (DetectUint){.mode = DETECT_U_EQ, .lo = t};
            return finish(dp, d, "mqtt.type");
        }
    }
    if (!isdigit((unsigned char)buf[0])) {
        return detect_err(dp, "unknown mqtt.type '%s'", buf);
    }
    return setup_uint(dp, buf, MQ_TYPE, 15, "mqtt.type");
}

/* "[!]name,[!]name..." over a table of names and bits. */
static int setup_flag_list(DetectParser *dp, const char *arg, uint8_t field,
                           const char *const *names, const uint8_t *bits, size_t n_names,
                           const char *kw)
{
    char buf[128];
    if (trim(arg, buf, sizeof(buf)) != 0) {
        return detect_err(dp, "bad %s value '%s'", kw, arg ? arg : "");
    }
    DetectMqtt *d = new_ctx(dp, field);
    if (d == NULL) {
        return VG_ENOMEM;
    }
    for (char *tok = buf; tok != NULL;) {
        char *comma = strchr(tok, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        while (isspace((unsigned char)*tok)) {
            tok++;
        }
        size_t tl = strlen(tok);
        while (tl > 0 && isspace((unsigned char)tok[tl - 1])) {
            tok[--tl] = '\0';
        }
        bool neg = tok[0] == '!';
        const char *name = neg ? tok + 1 : tok;
        size_t i = 0;
        while (i < n_names && strcmp(name, names[i]) != 0) {
            i++;
        }
        if (i == n_names) {
            free(d);
            return detect_err(dp, "unknown %s flag '%s'", kw, name);
        }
        if (neg) {
            d->clear |= bits[i];
        } else {
            d->set |= bits[i];
        }
        tok = comma != NULL ? comma + 1 : NULL;
    }
    if ((d->set & d->clear) != 0) {
        free(d);
        return detect_err(dp, "%s: a flag both set and negated", kw);
    }
    return finish(dp, d, kw);
}

static int setup_flags(DetectParser *dp, const char *arg)
{
    static const char *const names[] = {"retain", "dup"};
    static const uint8_t bits[] = {0x01, 0x08};
    return setup_flag_list(dp, arg, MQ_FLAGS, names, bits, 2, "mqtt.flags");
}

static int setup_connect_flags(DetectParser *dp, const char *arg)
{
    static const char *const names[] = {"username", "password", "will", "will_retain",
                                        "clean_session"};
    static const uint8_t bits[] = {MQTT_CF_USERNAME, MQTT_CF_PASSWORD, MQTT_CF_WILL,
                                   MQTT_CF_WILL_RETAIN, MQTT_CF_CLEAN_SESSION};
    return setup_flag_list(dp, arg, MQ_CONNECT_FLAGS, names, bits, 5, "mqtt.connect.flags");
}

static int setup_qos(DetectParser *dp, const char *arg)
{
    return setup_uint(dp, arg, MQ_QOS, 2, "mqtt.qos");
}

static int setup_reason(DetectParser *dp, const char *arg)
{
    return setup_uint(dp, arg, MQ_REASON, 255, "mqtt.reason_code");
}

static int setup_version(DetectParser *dp, const char *arg)
{
    return setup_uint(dp, arg, MQ_VERSION, 255, "mqtt.protocol_version");
}

static int setup_session(DetectParser *dp, const char *arg)
{
    char buf[16];
    if (trim(arg, buf, sizeof(buf)) != 0 ||
        (strcmp(buf, "true") != 0 && strcmp(buf, "false") != 0)) {
        return detect_err(dp, "bad mqtt.connack.session_present value (true or false)");
    }
    DetectMqtt *d = new_ctx(dp, MQ_SESSION);
    if (d == NULL) {
        return VG_ENOMEM;
    }
    d->u = (DetectUint){.mode = DETECT_U_EQ, .lo = buf[0] == 't'};
    return finish(dp, d, "mqtt.connack.session_present");
}

const DetectKeyword detect_kw_mqtt_type = {
    .name = "mqtt.type", .desc = "MQTT control packet type (name or 1-15)",
    .setup = setup_type, .free = free,
};
const DetectKeyword detect_kw_mqtt_flags = {
    .name = "mqtt.flags", .desc = "MQTT fixed header flags ([!]retain,[!]dup)",
    .setup = setup_flags, .free = free,
};
const DetectKeyword detect_kw_mqtt_qos = {
    .name = "mqtt.qos", .desc = "MQTT fixed header QoS",
    .setup = setup_qos, .free = free,
};
const DetectKeyword detect_kw_mqtt_reason_code = {
    .name = "mqtt.reason_code", .desc = "MQTT reason / return code",
    .setup = setup_reason, .free = free,
};
const DetectKeyword detect_kw_mqtt_connack_return_code = {
    .name = "mqtt.connack.return_code", .desc = "MQTT reason / return code (alias)",
    .setup = setup_reason, .free = free,
};
const DetectKeyword detect_kw_mqtt_protocol_version = {
    .name = "mqtt.protocol_version", .desc = "MQTT protocol level of the CONNECT",
    .setup = setup_version, .free = free,
};
const DetectKeyword detect_kw_mqtt_connect_flags = {
    .name = "mqtt.connect.flags", .desc = "MQTT CONNECT flags",
    .setup = setup_connect_flags, .free = free,
};
const DetectKeyword detect_kw_mqtt_connack_session_present = {
    .name = "mqtt.connack.session_present", .desc = "MQTT CONNACK session present flag",
    .setup = setup_session, .free = free,
};
