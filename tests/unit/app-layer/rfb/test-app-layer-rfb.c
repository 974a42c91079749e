/* RFB through the app-layer framework: a 3.8 handshake with VNC authentication (all at
 * once and byte by byte), a 3.3 server imposing None, an unimplemented security type,
 * a lying name length, garbage versions, empty input, the buffer and the EVE object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/rfb/app-layer-rfb.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-json.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_RFB, true);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->f.key.proto = 6;
    fx->f.key.src.family = fx->f.key.dst.family = 4;
    fx->f.key.sp = 40000;
    fx->f.key.dp = 5900;
    fx->af = app_flow_get_or_new(&fx->f);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_RFB, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const void *d, uint32_t n, bool bytewise)
{
    for (uint32_t i = 0; i < n; i += bytewise ? 1 : n) {
        app_test_feed(fx->af, dir, d + i, bytewise ? 1 : n);
    }
}

static const uint8_t k_sinit[] = {
    0x05, 0x00, 0x03, 0x20, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0,
    0, 0, 0, 4, 'd', 'e', 's', 'k',
};

static void handshake(Fx *fx, bool bytewise)
{
    static const uint8_t types[] = {2, 18, 2};
    static const uint8_t chall[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t ok[4] = {0, 0, 0, 0};
    static const uint8_t choice = 2;
    static const uint8_t shared = 1;
    feed(fx, APP_DIR_TOCLIENT, "RFB 003.008\n", 12, bytewise);
    feed(fx, APP_DIR_TOSERVER, "RFB 003.008\n", 12, bytewise);
    feed(fx, APP_DIR_TOCLIENT, types, sizeof(types), bytewise);
    feed(fx, APP_DIR_TOSERVER, &choice, 1, bytewise);
    feed(fx, APP_DIR_TOCLIENT, chall, sizeof(chall), bytewise);
    feed(fx, APP_DIR_TOSERVER, chall, sizeof(chall), bytewise);
    feed(fx, APP_DIR_TOCLIENT, ok, sizeof(ok), bytewise);
    feed(fx, APP_DIR_TOSERVER, &shared, 1, bytewise);
    feed(fx, APP_DIR_TOCLIENT, k_sinit, sizeof(k_sinit), bytewise);
}

static const RfbTx *the_tx(const Fx *fx)
{
    return rfb_tx(app_layer_tx_at(&fx->f, 0));
}

static void check_handshake(const Fx *fx)
{
    assert_int_equal(fx->f.app_proto, APP_PROTO_RFB);
    const RfbTx *t = the_tx(fx);
    assert_non_null(t);
    assert_string_equal(t->server_minor, "008");
    assert_true(t->has_sec_type && t->sec_type == 2);
    assert_true(t->has_vnc && t->challenge[15] == 16);
    assert_true(t->has_result && t->sec_result == 0);
    assert_true(t->has_shared && t->shared);
    assert_true(t->has_server_init);
    assert_int_equal(t->width, 1280);
    assert_int_equal(t->height, 800);
    assert_int_equal(t->name_len, 4);
    assert_memory_equal(t->name, "desk", 4);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, 0) &&
                app_layer_tx_complete(&fx->f, &t->tx, 1));
    assert_int_equal(t->tx.n_events, 0);
    int id = app_layer_buffer_find_for("rfb.name", APP_PROTO_RFB, APP_DIR_TOCLIENT);
    const uint8_t *d;
    uint32_t n;
    assert_true(app_layer_buffer_def(id)->get(&fx->f, &t->tx, &d, &n));
    assert_int_equal(n, 4);
}

static void vnc_auth_handshake(void **state)
{
    Fx *fx = *state;
    handshake(fx, false);
    check_handshake(fx);
}

static void vnc_auth_handshake_bytewise(void **state)
{
    Fx *fx = *state;
    handshake(fx, true);
    check_handshake(fx);
}

static void v33_server_imposes_none(void **state)
{
    Fx *fx = *state;
    static const uint8_t none[4] = {0, 0, 0, 1};
    static const uint8_t shared = 0;
    feed(fx, APP_DIR_TOCLIENT, "RFB 003.003\n", 12, false);
    feed(fx, APP_DIR_TOSERVER, "RFB 003.003\n", 12, false);
    feed(fx, APP_DIR_TOCLIENT, none, 4, false);
    feed(fx, APP_DIR_TOSERVER, &shared, 1, false);
    feed(fx, APP_DIR_TOCLIENT, k_sinit, sizeof(k_sinit), false);
    const RfbTx *t = the_tx(fx);
    assert_true(t->has_sec_type && t->sec_type == 1);
    assert_false(t->has_result);
    assert_true(t->has_server_init);
}

static void unimplemented_type_stops(void **state)
{
    Fx *fx = *state;
    static const uint8_t types[] = {1, 30};
    static const uint8_t choice = 30;
    feed(fx, APP_DIR_TOCLIENT, "RFB 003.889\n", 12, false);
    feed(fx, APP_DIR_TOSERVER, "RFB 003.008\n", 12, false);
    feed(fx, APP_DIR_TOCLIENT, types, sizeof(types), false);
    feed(fx, APP_DIR_TOSERVER, &choice, 1, false);
    feed(fx, APP_DIR_TOCLIENT, k_sinit, sizeof(k_sinit), false);
    const RfbTx *t = the_tx(fx);
    assert_true(app_test_tx_has_event(&t->tx, "rfb.unimplemented_security_type"));
    assert_int_equal(t->sec_type, 30);
    assert_false(t->has_server_init);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, 1));
}

/* A ServerInit announcing a 4 GiB name: malformed, nothing allocated for it. */
static void lying_name_length(void **state)
{
    Fx *fx = *state;
    static const uint8_t none[4] = {0, 0, 0, 1};
    static const uint8_t shared = 0;
    uint8_t bad[sizeof(k_sinit)];
    memcpy(bad, k_sinit, sizeof(bad));
    memset(bad + 20, 0xff, 4);
    feed(fx, APP_DIR_TOCLIENT, "RFB 003.003\n", 12, false);
    feed(fx, APP_DIR_TOSERVER, "RFB 003.003\n", 12, false);
    feed(fx, APP_DIR_TOCLIENT, none, 4, false);
    feed(fx, APP_DIR_TOSERVER, &shared, 1, false);
    feed(fx, APP_DIR_TOCLIENT, bad, sizeof(bad), false);
    const RfbTx *t = the_tx(fx);
    assert_true(app_test_tx_has_event(&t->tx, "rfb.malformed_message"));
    assert_null(t->name);
}

static void garbage_version(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, "RFB 0x3.008\n", 12, false);
    const RfbTx *t = the_tx(fx);
    assert_non_null(t);
    assert_true(app_test_tx_has_event(&t->tx, "rfb.malformed_message"));
    assert_false(t->has_server_version);
    feed(fx, APP_DIR_TOSERVER, "", 0, false);       // empty input: nothing happens
}

static void eve_object(void **state)
{
    Fx *fx = *state;
    handshake(fx, false);
    JsonBuf jb;
    app_test_tx_json(&fx->f, 0, &jb, 1024);
    assert_non_null(strstr(jb.buf, "\"rfb\":{\"server_protocol_version\":{\"major\":\"003\","
                                   "\"minor\":\"008\"},"));
    assert_non_null(strstr(jb.buf, "\"security_type\":2,\"vnc\":{\"challenge\":"
                                   "\"0102030405060708090a0b0c0d0e0f10\","));
    assert_non_null(strstr(jb.buf, "\"security_result\":\"OK\"},\"screen_shared\":true,"
                                   "\"framebuffer\":{\"width\":1280,\"height\":800,"
                                   "\"name\":\"desk\","));
    json_buf_deinit(&jb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(vnc_auth_handshake, setup, teardown),
        cmocka_unit_test_setup_teardown(vnc_auth_handshake_bytewise, setup, teardown),
        cmocka_unit_test_setup_teardown(v33_server_imposes_none, setup, teardown),
        cmocka_unit_test_setup_teardown(unimplemented_type_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(lying_name_length, setup, teardown),
        cmocka_unit_test_setup_teardown(garbage_version, setup, teardown),
        cmocka_unit_test_setup_teardown(eve_object, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
