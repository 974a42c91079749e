/* RDP (app-layer-rdp.c, app-layer-rdp-parse.c): the PDU parser on good and malformed
 * PDUs (lying TPKT and X.224 lengths, a cookie without CRLF, a negotiation structure of
 * the wrong length, a BER length past the data, a channel count past the block, a core
 * block below its mandatory size), and the flow: detection on 3389 only, PDUs split
 * byte by byte, the EVE object, TLS taking over after CredSSP is selected, non-TPKT data
 * stopping the parser. PDU bytes: rdp-test-pdus.h (tools/gen-proto-captures.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/rdp/app-layer-rdp.h"
#include "flow/flow.h"
#include "rdp-test-pdus.h"
#include "runtime/counters.h"
#include "util/util-json.h"

/* TPKT + X.224 CR, "Cookie: mstshash=bob\r\n" */
static const uint8_t k_cr[] = {
    0x03, 0x00, 0x00, 0x21, 0x1c, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 'C', 'o', 'o', 'k',
    'i', 'e', ':', ' ', 'm', 's', 't', 's', 'h', 'a', 's', 'h', '=', 'b', 'o', 'b', '\r',
    '\n',
};

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static Fx *fx_new(uint16_t dp)
{
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, 49200, dp);
    return fx;
}

static void fx_free(Fx *fx)
{
    app_flow_free(fx->af);
    free(fx);
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_RDP, true);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    app_layer_set_proto_inspected(APP_PROTO_RDP, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const uint8_t *b, uint32_t n)
{
    app_test_feed(fx->af, dir, b, n);
}

static bool parse(const uint8_t *b, uint32_t n, uint8_t dir, RdpTx *t)
{
    memset(t, 0, sizeof(*t));
    return rdp_parse_pdu(b, n, dir, t);
}

static void parses_cookie(void **state)
{
    (void)state;
    RdpTx t;
    assert_true(parse(k_cr, sizeof(k_cr), APP_DIR_TOSERVER, &t));
    assert_int_equal(t.kind, RDP_TX_INITIAL_REQUEST);
    assert_true(t.has_cookie);
    assert_int_equal(t.cookie_len, 3);
    assert_memory_equal(t.cookie, "bob", 3);
    assert_int_equal(t.neg_type, RDP_NEG_NONE);
}

static void parses_negotiation(void **state)
{
    (void)state;
    RdpTx t;
    assert_true(parse(k_rdp_cr_nla, sizeof(k_rdp_cr_nla), APP_DIR_TOSERVER, &t));
    assert_int_equal(t.neg_type, RDP_NEG_REQ);
    assert_int_equal(t.neg_value, 3);
    assert_true(parse(k_rdp_cc_nla, sizeof(k_rdp_cc_nla), APP_DIR_TOCLIENT, &t));
    assert_int_equal(t.kind, RDP_TX_INITIAL_RESPONSE);
    assert_int_equal(t.neg_type, RDP_NEG_RSP);
    assert_int_equal(t.neg_flags, 0x1f);
    assert_int_equal(t.neg_value, RDP_PROTO_HYBRID);
}

static void parses_connect_initial(void **state)
{
    (void)state;
    RdpTx t;
    assert_true(parse(k_rdp_ci, sizeof(k_rdp_ci), APP_DIR_TOSERVER, &t));
    assert_int_equal(t.kind, RDP_TX_CONNECT_REQUEST);
    assert_int_equal(t.core_len, RDP_CORE_MAX);
    assert_int_equal(t.n_channels, 3);
    assert_string_equal(t.channels[1], "cliprdr");
}

/* Lying lengths: TPKT longer or shorter than the PDU, LI past it, a cut PDU. */
static void rejects_lying_lengths(void **state)
{
    (void)state;
    RdpTx t;
    uint8_t b[sizeof(k_cr)];
    memcpy(b, k_cr, sizeof(b));
    b[3] = 0x22;
    assert_false(parse(b, sizeof(b), APP_DIR_TOSERVER, &t));
    memcpy(b, k_cr, sizeof(b));
    b[4] = 0x40;
    assert_false(parse(b, sizeof(b), APP_DIR_TOSERVER, &t));
    memcpy(b, k_cr, sizeof(b));
    b[0] = 2;
    assert_false(parse(b, sizeof(b), APP_DIR_TOSERVER, &t));
    assert_false(parse(k_cr, 5, APP_DIR_TOSERVER, &t));
    assert_false(parse(k_cr, 0, APP_DIR_TOSERVER, &t));
}

static void rejects_cookie_without_crlf(void **state)
{
    (void)state;
    RdpTx t;
    uint8_t b[sizeof(k_cr)];
    memcpy(b, k_cr, sizeof(b));
    b[sizeof(b) - 2] = 'x';
    assert_false(parse(b, sizeof(b), APP_DIR_TOSERVER, &t));
}

static void rejects_bad_negotiation_length(void **state)
{
    (void)state;
    RdpTx t;
    uint8_t b[sizeof(k_rdp_cc_nla)];
    memcpy(b, k_rdp_cc_nla, sizeof(b));
    b[13] = 9;                   // RDP_NEG_RSP length must be 8
    assert_false(parse(b, sizeof(b), APP_DIR_TOCLIENT, &t));
    memcpy(b, k_rdp_cc_nla, sizeof(b));
    b[11] = 1;                   // a request type from the server
    assert_false(parse(b, sizeof(b), APP_DIR_TOCLIENT, &t));
}

/* The connect request's BER length grown past the PDU; the channel count raised to
 * 0xffffffff (only the channels the block holds are taken); the core block's length cut
 * below 132 (not taken as core data). */
static void connect_initial_lies_are_bounded(void **state)
{
    (void)state;
    RdpTx t;
    uint8_t *b = malloc(sizeof(k_rdp_ci));
    memcpy(b, k_rdp_ci, sizeof(k_rdp_ci));
    b[11] = 0xff;                // Connect-Initial length 0x01ff
    assert_false(parse(b, sizeof(k_rdp_ci), APP_DIR_TOSERVER, &t));
    memcpy(b, k_rdp_ci, sizeof(k_rdp_ci));
    uint32_t net = sizeof(k_rdp_ci) - 44;   // CS_NET: header, count, 3 x 12
    assert_int_equal(b[net], 0x03);
    assert_int_equal(b[net + 1], 0xc0);
    memset(b + net + 4, 0xff, 4);
    assert_true(parse(b, sizeof(k_rdp_ci), APP_DIR_TOSERVER, &t));
    assert_int_equal(t.n_channels, 3);
    memcpy(b, k_rdp_ci, sizeof(k_rdp_ci));
    uint32_t core = net - RDP_CORE_MAX;
    assert_int_equal(b[core], 0x01);
    b[core + 2] = 100;           // core length 100: the next "block" starts inside it
    assert_false(parse(b, sizeof(k_rdp_ci), APP_DIR_TOSERVER, &t) && t.core_len != 0);
    free(b);
}

/* Over a flow: detection on 3389, the request byte by byte, the EVE object. */
static void flow_split_request_and_log(void **state)
{
    (void)state;
    Fx *fx = fx_new(3389);
    for (uint32_t i = 0; i < sizeof(k_cr); i++) {
        feed(fx, APP_DIR_TOSERVER, k_cr + i, 1);
    }
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_RDP);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    feed(fx, APP_DIR_TOSERVER, k_rdp_ci, sizeof(k_rdp_ci));
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    JsonBuf jb;
    app_test_tx_json(&fx->f, 1, &jb, 1024);
    assert_non_null(strstr(jb.buf, "\"event_type\":\"connect_request\""));
    assert_non_null(strstr(jb.buf, "\"client_name\":\"VIGIL-PC\""));
    assert_non_null(strstr(jb.buf, "\"build\":\"Windows 7 SP1\""));
    assert_non_null(strstr(jb.buf, "\"channels\":[\"rdpdr\",\"cliprdr\",\"rdpsnd\"]"));
    json_buf_deinit(&jb);
    fx_free(fx);
}

static void not_detected_off_port(void **state)
{
    (void)state;
    Fx *fx = fx_new(102);
    feed(fx, APP_DIR_TOSERVER, k_cr, sizeof(k_cr));
    assert_int_not_equal(app_layer_flow_proto(&fx->f), APP_PROTO_RDP);
    fx_free(fx);
}

/* CredSSP selected: the client's next bytes are TLS, parsed as TLS (app_proto tls). */
static void hybrid_hands_over_to_tls(void **state)
{
    (void)state;
    static const uint8_t hello[] = {
        0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29, 0x03, 0x03, 0, 1, 2, 3, 4, 5,
        6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
        28, 29, 30, 31, 0x00, 0x00, 0x02, 0x00, 0x2f, 0x01, 0x00,
    };
    Fx *fx = fx_new(3389);
    feed(fx, APP_DIR_TOSERVER, k_rdp_cr_nla, sizeof(k_rdp_cr_nla));
    feed(fx, APP_DIR_TOCLIENT, k_rdp_cc_nla, sizeof(k_rdp_cc_nla));
    feed(fx, APP_DIR_TOSERVER, hello, sizeof(hello));
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_TLS);
    assert_int_equal(fx->af->orig, APP_PROTO_RDP);
    fx_free(fx);
}

/* Data that is not TPKT before the connection is up stops the parser (no more txs). */
static void garbage_stops_parser(void **state)
{
    (void)state;
    Fx *fx = fx_new(3389);
    feed(fx, APP_DIR_TOSERVER, k_cr, sizeof(k_cr));
    static const uint8_t junk[] = "GET / HTTP/1.1\r\n\r\n";
    feed(fx, APP_DIR_TOSERVER, junk, sizeof(junk) - 1);
    feed(fx, APP_DIR_TOSERVER, k_rdp_ci, sizeof(k_rdp_ci));
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    assert_true(fx->af->flags & APP_FLOW_F_ERROR);
    fx_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_cookie),
        cmocka_unit_test(parses_negotiation),
        cmocka_unit_test(parses_connect_initial),
        cmocka_unit_test(rejects_lying_lengths),
        cmocka_unit_test(rejects_cookie_without_crlf),
        cmocka_unit_test(rejects_bad_negotiation_length),
        cmocka_unit_test(connect_initial_lies_are_bounded),
        cmocka_unit_test_setup_teardown(flow_split_request_and_log, setup, teardown),
        cmocka_unit_test_setup_teardown(not_detected_off_port, setup, teardown),
        cmocka_unit_test_setup_teardown(hybrid_hands_over_to_tls, setup, teardown),
        cmocka_unit_test_setup_teardown(garbage_stops_parser, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
