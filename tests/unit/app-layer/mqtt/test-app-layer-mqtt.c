/* MQTT: the message decoder alone (fixed header limits, each packet type, MQTT 5
 * properties, truncated/empty/garbage input), then through the app-layer framework:
 * request/answer pairing, events, max-msg-length with a lying Remaining Length, any
 * split, the buffers and the EVE object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/mqtt/app-layer-mqtt.h"
#include "conf/conf.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-error.h"
#include "util/util-json.h"

/* CONNECT v4: "MQTT", level 4, flags user+pass+clean, keepalive 60, client "cid",
 * user "user", password "pass" */
static const uint8_t k_connect4[] = {
    0x10, 0x1b, 0, 4, 'M', 'Q', 'T', 'T', 4, 0xc2, 0, 60, 0, 3, 'c', 'i', 'd',
    0, 4, 'u', 's', 'e', 'r', 0, 4, 'p', 'a', 's', 's',
};
/* CONNECT v5 with properties {receive_maximum 20}, client "c" */
static const uint8_t k_connect5[] = {
    0x10, 0x11, 0, 4, 'M', 'Q', 'T', 'T', 5, 0x02, 0, 60, 3, 0x21, 0, 20, 0, 1, 'c',
};
static const uint8_t k_connack[] = {0x20, 0x02, 0x00, 0x00};
/* PUBLISH qos 1 topic "t/x" id 7 message "hi" */
static const uint8_t k_publish1[] = {0x32, 0x09, 0, 3, 't', '/', 'x', 0, 7, 'h', 'i'};
static const uint8_t k_puback7[] = {0x40, 0x02, 0, 7};
/* SUBSCRIBE id 1: "a" qos 0, "b" qos 1 */
static const uint8_t k_subscribe[] = {0x82, 0x0a, 0, 1, 0, 1, 'a', 0, 0, 1, 'b', 1};
static const uint8_t k_suback[] = {0x90, 0x04, 0, 1, 0, 1};

static void parse_ok(const uint8_t *b, uint32_t n, uint8_t ver, MqttMsg *m)
{
    uint32_t hl = 0;
    uint32_t rem = 0;
    assert_int_equal(mqtt_fixed_header(b, n, &hl, &rem), 1);
    assert_int_equal(hl + rem, n);
    assert_int_equal(mqtt_msg_parse(b, hl, n, ver, m), 0);
}

static bool span_is(const MqttMsg *m, MqttSpan s, const char *want)
{
    return s.set && s.len == strlen(want) && memcmp(m->body + s.off, want, s.len) == 0;
}

static void connect_fields(void **state)
{
    (void)state;
    MqttMsg m;
    parse_ok(k_connect4, sizeof(k_connect4), 0, &m);
    assert_int_equal(m.type, MQTT_CONNECT);
    assert_int_equal(m.protocol_version, 4);
    assert_true(span_is(&m, m.protocol_string, "MQTT"));
    assert_true(span_is(&m, m.client_id, "cid"));
    assert_true(span_is(&m, m.username, "user"));
    assert_true(span_is(&m, m.password, "pass"));
    assert_false(m.will_topic.set);
    mqtt_msg_deinit(&m);
    parse_ok(k_connect5, sizeof(k_connect5), 0, &m);
    assert_int_equal(m.protocol_version, 5);
    assert_true(m.props.set && m.props.len == 3);
    assert_true(span_is(&m, m.client_id, "c"));
    mqtt_msg_deinit(&m);
}

static void publish_subscribe_fields(void **state)
{
    (void)state;
    MqttMsg m;
    parse_ok(k_publish1, sizeof(k_publish1), 4, &m);
    assert_true(span_is(&m, m.topic, "t/x"));
    assert_true(m.has_msg_id && m.msg_id == 7);
    assert_true(span_is(&m, m.message, "hi"));
    mqtt_msg_deinit(&m);
    parse_ok(k_subscribe, sizeof(k_subscribe), 4, &m);
    assert_int_equal(m.n_topics, 2);
    assert_true(span_is(&m, m.topics[1].name, "b"));
    assert_int_equal(m.topics[1].qos, 1);
    mqtt_msg_deinit(&m);
}

static void fixed_header_limits(void **state)
{
    (void)state;
    uint32_t hl = 0;
    uint32_t rem = 0;
    static const uint8_t max4[] = {0x30, 0xff, 0xff, 0xff, 0x7f};
    assert_int_equal(mqtt_fixed_header(max4, sizeof(max4), &hl, &rem), 1);
    assert_int_equal(hl, 5);
    assert_int_equal(rem, 268435455);
    static const uint8_t five[] = {0x30, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_int_equal(mqtt_fixed_header(five, sizeof(five), &hl, &rem), -1);
    assert_int_equal(mqtt_fixed_header(five, 3, &hl, &rem), 0);
    assert_int_equal(mqtt_fixed_header(five, 1, &hl, &rem), 0);
    assert_int_equal(mqtt_fixed_header(five, 0, &hl, &rem), 0);
}

static void truncated_and_garbage_bodies(void **state)
{
    (void)state;
    MqttMsg m;
    /* CONNECT whose protocol name claims 200 bytes */
    static const uint8_t lying[] = {0x10, 0x06, 0, 200, 'M', 'Q', 'T', 'T'};
    assert_int_equal(mqtt_msg_parse(lying, 2, sizeof(lying), 0, &m), VG_EINVAL);
    assert_int_equal(m.type, MQTT_CONNECT);
    mqtt_msg_deinit(&m);
    /* PUBLISH qos 1 without room for its packet identifier */
    static const uint8_t nopid[] = {0x32, 0x03, 0, 1, 'x'};
    assert_int_equal(mqtt_msg_parse(nopid, 2, sizeof(nopid), 4, &m), VG_EINVAL);
    assert_false(m.has_msg_id);
    mqtt_msg_deinit(&m);
    /* properties length running past the message */
    static const uint8_t badprops[] = {0x20, 0x04, 0, 0, 0x7f, 0x21};
    assert_int_equal(mqtt_msg_parse(badprops, 2, sizeof(badprops), 5, &m), VG_EINVAL);
    mqtt_msg_deinit(&m);
    /* empty PINGREQ is fine; so is an empty body of an unassigned type */
    static const uint8_t ping[] = {0xc0, 0x00};
    assert_int_equal(mqtt_msg_parse(ping, 2, 2, 4, &m), 0);
    mqtt_msg_deinit(&m);
    static const uint8_t zero[] = {0x00, 0x00};
    assert_int_equal(mqtt_msg_parse(zero, 2, 2, 4, &m), 0);
    assert_int_equal(m.type, 0);
    mqtt_msg_deinit(&m);
}

/* ---- through the framework ---- */

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int setup(void **state)
{
    Conf *c = conf_new();
    assert_non_null(c);
    assert_int_equal(conf_set(c, "app-layer.protocols.mqtt.max-msg-length", "1000"), 0);
    assert_int_equal(app_layer_init(c), 0);
    conf_free(c);
    app_layer_set_proto_inspected(APP_PROTO_MQTT, true);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->f.key.proto = 6;
    fx->f.key.src.family = fx->f.key.dst.family = 4;
    fx->f.key.sp = 40000;
    fx->f.key.dp = 1883;
    fx->af = app_flow_get_or_new(&fx->f);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_MQTT, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const uint8_t *d, uint32_t n)
{
    app_test_feed(fx->af, dir, d, n);
}

static void buffer_is(const Fx *fx, const AppTx *tx, const char *name, uint8_t dir,
                      uint32_t idx, const char *want)
{
    int id = app_layer_buffer_find_for(name, APP_PROTO_MQTT, dir);
    assert_true(id >= 0);
    const AppBufferDef *d = app_layer_buffer_def(id);
    const uint8_t *data;
    uint32_t len;
    bool ok = d->get_multi ? d->get_multi(&fx->f, tx, idx, &data, &len)
                           : d->get(&fx->f, tx, &data, &len);
    if (want == NULL) {
        assert_false(ok);
        return;
    }
    assert_true(ok);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(data, want, len);
}

static void requests_paired_with_answers(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, k_connect4, sizeof(k_connect4));
    feed(fx, APP_DIR_TOCLIENT, k_connack, sizeof(k_connack));
    feed(fx, APP_DIR_TOSERVER, k_publish1, sizeof(k_publish1));
    feed(fx, APP_DIR_TOSERVER, k_subscribe, sizeof(k_subscribe));
    feed(fx, APP_DIR_TOCLIENT, k_puback7, sizeof(k_puback7));
    feed(fx, APP_DIR_TOCLIENT, k_suback, sizeof(k_suback));
    assert_int_equal(fx->f.app_proto, APP_PROTO_MQTT);
    assert_int_equal(app_layer_tx_count(&fx->f), 3);
    for (uint32_t i = 0; i < 3; i++) {
        const MqttTx *t = mqtt_tx(app_layer_tx_at(&fx->f, i));
        assert_int_equal(t->n_msgs, 2);
        assert_int_equal(t->tx.n_events, 0);
        assert_true(app_layer_tx_complete(&fx->f, &t->tx, 0));
    }
    AppTx *tx0 = app_layer_tx_at(&fx->f, 0);
    buffer_is(fx, tx0, "mqtt.connect.username", APP_DIR_TOSERVER, 0, "user");
    buffer_is(fx, tx0, "mqtt.connect.clientid", APP_DIR_TOSERVER, 0, "cid");
    buffer_is(fx, tx0, "mqtt.connect.willtopic", APP_DIR_TOSERVER, 0, NULL);
    buffer_is(fx, app_layer_tx_at(&fx->f, 1), "mqtt.publish.topic", APP_DIR_TOSERVER, 0, "t/x");
    buffer_is(fx, app_layer_tx_at(&fx->f, 1), "mqtt.publish.message", APP_DIR_TOSERVER, 0,
              "hi");
    buffer_is(fx, app_layer_tx_at(&fx->f, 2), "mqtt.subscribe.topic", APP_DIR_TOSERVER, 1, "b");
    buffer_is(fx, app_layer_tx_at(&fx->f, 2), "mqtt.subscribe.topic", APP_DIR_TOSERVER, 2, NULL);
}

static void answers_without_requests_and_unintroduced(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, k_connect4, sizeof(k_connect4));
    feed(fx, APP_DIR_TOSERVER, k_publish1, sizeof(k_publish1));     // before CONNACK
    feed(fx, APP_DIR_TOCLIENT, k_connack, sizeof(k_connack));
    static const uint8_t puback9[] = {0x40, 0x02, 0, 9};
    feed(fx, APP_DIR_TOCLIENT, puback9, sizeof(puback9));
    static const uint8_t qos3[] = {0x36, 0x05, 0, 1, 'x', 0, 1};
    feed(fx, APP_DIR_TOSERVER, qos3, sizeof(qos3));
    static const uint8_t type0[] = {0x00, 0x00};
    feed(fx, APP_DIR_TOSERVER, type0, sizeof(type0));
    feed(fx, APP_DIR_TOSERVER, k_connect4, sizeof(k_connect4));
    assert_int_equal(app_layer_tx_count(&fx->f), 6);
    assert_true(app_test_tx_has_event(app_layer_tx_at(&fx->f, 1), "mqtt.unintroduced_message"));
    assert_true(app_test_tx_has_event(app_layer_tx_at(&fx->f, 2), "mqtt.missing_publish"));
    assert_true(app_test_tx_has_event(app_layer_tx_at(&fx->f, 3), "mqtt.invalid_qos_level"));
    assert_true(app_test_tx_has_event(app_layer_tx_at(&fx->f, 4), "mqtt.unassigned_msg_type"));
    assert_true(app_test_tx_has_event(app_layer_tx_at(&fx->f, 5), "mqtt.double_connect"));
}

/* A PUBLISH announcing 268435455 bytes (max-msg-length 1000 here): one truncated tx,
 * the bytes skipped without being kept, the next message parsed. Fed byte by byte. */
static void lying_length_truncated_and_skipped(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, k_connect4, sizeof(k_connect4));
    feed(fx, APP_DIR_TOCLIENT, k_connack, sizeof(k_connack));
    static const uint8_t big[] = {0x30, 0x80, 0x80, 0x01};     // 16384 bytes follow
    for (uint32_t i = 0; i < sizeof(big); i++) {
        feed(fx, APP_DIR_TOSERVER, big + i, 1);
    }
    uint64_t mem = fx->af->memuse;
    static uint8_t junk[16384];
    memset(junk, 0x30, sizeof(junk));
    feed(fx, APP_DIR_TOSERVER, junk, sizeof(junk));
    assert_true(fx->af->memuse == mem);
    for (uint32_t i = 0; i < sizeof(k_publish1); i++) {
        feed(fx, APP_DIR_TOSERVER, k_publish1 + i, 1);
    }
    assert_int_equal(app_layer_tx_count(&fx->f), 3);
    const MqttTx *t = mqtt_tx(app_layer_tx_at(&fx->f, 1));
    assert_true(t->msgs[0]->truncated);
    assert_int_equal(t->msgs[0]->skipped_length, 16388);
    buffer_is(fx, app_layer_tx_at(&fx->f, 2), "mqtt.publish.topic", APP_DIR_TOSERVER, 0, "t/x");
}

static void invalid_remaining_length_stops(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, k_connect4, sizeof(k_connect4));
    static const uint8_t bad[] = {0x30, 0xff, 0xff, 0xff, 0xff, 0x01, 0x10, 0x00};
    feed(fx, APP_DIR_TOSERVER, bad, sizeof(bad));
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    assert_true(app_test_tx_has_event(app_layer_tx_at(&fx->f, 1), "mqtt.malformed_traffic"));
}

static void eve_object(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, k_connect5, sizeof(k_connect5));
    feed(fx, APP_DIR_TOCLIENT, k_connack, sizeof(k_connack));
    JsonBuf jb;
    app_test_tx_json(&fx->f, 0, &jb, 1024);
    assert_non_null(strstr(jb.buf, "\"mqtt\":{\"connect\":{\"qos\":0,\"retain\":false,\"dup\":false,"
                                   "\"protocol_string\":\"MQTT\",\"protocol_version\":5,"));
    assert_non_null(strstr(jb.buf, "\"client_id\":\"c\",\"properties\":{\"receive_maximum\":20}}"));
    assert_non_null(strstr(jb.buf, "\"connack\":{\"qos\":0,\"retain\":false,\"dup\":false,"
                                   "\"session_present\":false,\"return_code\":0}"));
    json_buf_deinit(&jb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(connect_fields),
        cmocka_unit_test(publish_subscribe_fields),
        cmocka_unit_test(fixed_header_limits),
        cmocka_unit_test(truncated_and_garbage_bodies),
        cmocka_unit_test_setup_teardown(requests_paired_with_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(answers_without_requests_and_unintroduced, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(lying_length_truncated_and_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_remaining_length_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(eve_object, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
