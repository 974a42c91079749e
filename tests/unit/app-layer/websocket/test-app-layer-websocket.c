/* WebSocket: the frame header alone (length forms, masks, truncated input), then
 * through the app-layer framework after an HTTP/1 Upgrade: one tx per frame, unmasked
 * payloads, a fragmented message with a control frame between its fragments, a lying
 * 64-bit length (bounded memory), byte-by-byte splits, the EVE object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/websocket/app-layer-websocket.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-json.h"

static const char k_req[] = "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            "Sec-WebSocket-Version: 13\r\n\r\n";
static const char k_rsp[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\n"
                            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

/* A client frame: b0, payload masked with key 0x37fa213d (RFC 6455 section 5.7). */
static uint32_t client_frame(uint8_t *out, uint8_t b0, const char *payload)
{
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    uint32_t n = (uint32_t)strlen(payload);
    out[0] = b0;
    out[1] = (uint8_t)(0x80 | n);
    memcpy(out + 2, key, 4);
    for (uint32_t i = 0; i < n; i++) {
        out[6 + i] = (uint8_t)payload[i] ^ key[i % 4];
    }
    return 6 + n;
}

static void header_forms(void **state)
{
    (void)state;
    uint32_t hl = 0;
    uint8_t b0 = 0;
    bool masked = false;
    uint64_t pl = 0;
    uint32_t mask = 0;
    static const uint8_t small[] = {0x81, 0x05};
    assert_int_equal(ws_frame_header(small, 2, &hl, &b0, &masked, &pl, &mask), 1);
    assert_int_equal(hl, 2);
    assert_int_equal(pl, 5);
    assert_false(masked);
    static const uint8_t m16[] = {0x82, 0xfe, 0x01, 0x00, 1, 2, 3, 4};
    assert_int_equal(ws_frame_header(m16, sizeof(m16), &hl, &b0, &masked, &pl, &mask), 1);
    assert_int_equal(hl, 8);
    assert_int_equal(pl, 256);
    assert_true(masked && mask == 0x01020304);
    /* 64-bit length: the top bit is not part of it */
    static const uint8_t l64[] = {0x82, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(ws_frame_header(l64, sizeof(l64), &hl, &b0, &masked, &pl, &mask), 1);
    assert_true(pl == 0x7fffffffffffffffull);
    /* truncated headers */
    assert_int_equal(ws_frame_header(l64, 9, &hl, &b0, &masked, &pl, &mask), 0);
    assert_int_equal(ws_frame_header(m16, 7, &hl, &b0, &masked, &pl, &mask), 0);
    assert_int_equal(ws_frame_header(m16, 1, &hl, &b0, &masked, &pl, &mask), 0);
    assert_int_equal(ws_frame_header(m16, 0, &hl, &b0, &masked, &pl, &mask), 0);
    assert_string_equal(ws_opcode_name(WS_OP_PING), "ping");
    assert_null(ws_opcode_name(3));
}

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static void feed(Fx *fx, uint8_t dir, const void *d, uint32_t n)
{
    app_test_feed(fx->af, dir, d, n);
}

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_WEBSOCKET, true);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->f.key.proto = 6;
    fx->f.key.src.family = fx->f.key.dst.family = 4;
    fx->f.key.sp = 40000;
    fx->f.key.dp = 80;
    fx->af = app_flow_get_or_new(&fx->f);
    feed(fx, APP_DIR_TOSERVER, k_req, sizeof(k_req) - 1);
    feed(fx, APP_DIR_TOCLIENT, k_rsp, sizeof(k_rsp) - 1);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_WEBSOCKET, false);
    app_test_reset();
    return 0;
}

/* The n-th WebSocket tx of the flow (HTTP's may come first). */
static const WsTx *ws_at(const Fx *fx, uint32_t n)
{
    for (uint32_t i = 0; i < app_layer_tx_count(&fx->f); i++) {
        const WsTx *t = ws_tx(app_layer_tx_at(&fx->f, i));
        if (t != NULL && n-- == 0) {
            return t;
        }
    }
    return NULL;
}

static bool payload_is(const WsTx *t, const char *want)
{
    return t != NULL && t->payload_kept == strlen(want) &&
           memcmp(t->payload, want, t->payload_kept) == 0;
}

static void upgrade_then_frames(void **state)
{
    Fx *fx = *state;
    uint8_t b[64];
    uint32_t n = client_frame(b, 0x81, "Hello");
    feed(fx, APP_DIR_TOSERVER, b, n);
    static const uint8_t pong[] = {0x8a, 0x00};
    feed(fx, APP_DIR_TOCLIENT, pong, sizeof(pong));
    assert_int_equal(fx->f.app_proto, APP_PROTO_WEBSOCKET);
    const WsTx *t = ws_at(fx, 0);
    assert_non_null(t);
    assert_int_equal(t->opcode, WS_OP_TEXT);
    assert_true(t->is_masked && t->mask == 0x37fa213d);
    assert_true(payload_is(t, "Hello"));
    t = ws_at(fx, 1);
    assert_int_equal(t->opcode, WS_OP_PONG);
    assert_int_equal(t->dir, APP_DIR_TOCLIENT);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, 0));
}

/* "MALWARE" split over two fragments with a ping between them: the final fragment's tx
 * holds the whole message; byte by byte gives the same. */
static void fragments_reassembled_around_control_frame(void **state)
{
    Fx *fx = *state;
    uint8_t b[128];
    uint32_t n = client_frame(b, 0x01, "MAL");
    n += client_frame(b + n, 0x89, "pi");
    n += client_frame(b + n, 0x80, "WARE");
    for (uint32_t i = 0; i < n; i++) {
        feed(fx, APP_DIR_TOSERVER, b + i, 1);
    }
    assert_true(payload_is(ws_at(fx, 0), "MAL"));
    assert_true(payload_is(ws_at(fx, 1), "pi"));
    assert_true(payload_is(ws_at(fx, 2), "MALWARE"));
    assert_int_equal(ws_at(fx, 2)->opcode, WS_OP_CONTINUATION);
    assert_null(ws_at(fx, 3));
}

/* A frame announcing 2^63-1 bytes: max-payload-size bytes kept, the rest skipped,
 * memory bounded. */
static void lying_length_bounded(void **state)
{
    Fx *fx = *state;
    static const uint8_t hdr[] = {0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    feed(fx, APP_DIR_TOCLIENT, hdr, sizeof(hdr));
    static uint8_t junk[65536];
    memset(junk, 'x', sizeof(junk));
    for (int i = 0; i < 16; i++) {
        feed(fx, APP_DIR_TOCLIENT, junk, sizeof(junk));
    }
    const WsTx *t = ws_at(fx, 0);
    assert_non_null(t);
    assert_int_equal(t->payload_kept, WS_MAX_PAYLOAD_DEFAULT);
    assert_true(t->tx.n_events == 1);
    assert_true(fx->af->memuse < 4 * WS_MAX_PAYLOAD_DEFAULT);
}

static void eve_object(void **state)
{
    Fx *fx = *state;
    uint8_t b[64];
    uint32_t n = client_frame(b, 0x89, "");
    feed(fx, APP_DIR_TOSERVER, b, n);
    const WsTx *t = ws_at(fx, 0);
    assert_non_null(t);
    JsonBuf jb;
    app_test_tx_json(&fx->f, t->tx.id, &jb, 256);
    assert_non_null(strstr(jb.buf, "\"websocket\":{\"fin\":true,\"mask\":939139389,"
                                   "\"opcode\":\"ping\"}"));
    json_buf_deinit(&jb);
}

/* Bytes the HTTP instance held move to WebSocket when its parser starts: once the flow
 * is freed both protocols' memuse are back to zero (no underflow that would refuse the
 * next flows' charges). */
static void tunnel_memory_accounting_balanced(void **state)
{
    Fx *fx = *state;
    uint8_t b[64];
    uint32_t n = client_frame(b, 0x81, "Hello");
    feed(fx, APP_DIR_TOSERVER, b, n);
    uint64_t cap = 0;
    uint64_t ws_use = 0;
    uint64_t http_use = 0;
    assert_true(app_layer_memcap_get(APP_PROTO_WEBSOCKET, &cap, &ws_use));
    assert_true(ws_use > 0);
    app_flow_free(fx->af);
    fx->af = NULL;
    assert_true(app_layer_memcap_get(APP_PROTO_WEBSOCKET, &cap, &ws_use));
    assert_true(app_layer_memcap_get(APP_PROTO_HTTP1, &cap, &http_use));
    assert_true(ws_use == 0);
    assert_true(http_use == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_forms),
        cmocka_unit_test_setup_teardown(upgrade_then_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(fragments_reassembled_around_control_frame, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(lying_length_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(eve_object, setup, teardown),
        cmocka_unit_test_setup_teardown(tunnel_memory_accounting_balanced, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
