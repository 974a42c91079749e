/* NTP (app-layer-ntp.c): header fields of client/server, control and private messages;
 * truncated, empty, oversized, bad-version, mode 0 and lying control counts refused; over
 * a flow: detection on 123 only, a tx per datagram, malformed_data on a bad one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/ntp/app-layer-ntp.h"
#include "flow/flow.h"
#include "runtime/counters.h"

/* v4 client (0x23): stratum 0, poll 6, precision -20, ref id "GPS\0" */
static void client_msg(uint8_t *b)
{
    memset(b, 0, NTP_HEADER_LEN);
    b[0] = 4 << 3 | 3;
    b[2] = 6;
    b[3] = 0xec;
    memcpy(b + 12, "GPS", 3);
}

static void parses_client_and_server(void **state)
{
    (void)state;
    uint8_t b[NTP_HEADER_LEN + 24];
    client_msg(b);
    NtpMessage m;
    assert_true(ntp_parse(b, NTP_HEADER_LEN, &m));
    assert_int_equal(m.version, 4);
    assert_int_equal(m.mode, NTP_MODE_CLIENT);
    assert_int_equal(m.poll, 6);
    assert_int_equal(m.precision, -20);
    assert_int_equal(m.ref_id, 0x47505300);
    b[0] = 3 << 3 | 4;
    b[1] = 2;
    memset(b + NTP_HEADER_LEN, 0xaa, 24);     // key id and MAC (RFC 5905 7.3)
    assert_true(ntp_parse(b, sizeof(b), &m));
    assert_int_equal(m.mode, NTP_MODE_SERVER);
    assert_int_equal(m.stratum, 2);
}

static void parses_control_and_private(void **state)
{
    (void)state;
    uint8_t c[NTP_CONTROL_LEN + 4] = {2 << 3 | 6, 0x82, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4,
                                      'v', 'e', 'r', '='};
    NtpMessage m;
    assert_true(ntp_parse(c, sizeof(c), &m));
    assert_int_equal(m.mode, NTP_MODE_CONTROL);
    assert_int_equal(m.opcode, 2);
    uint8_t p[NTP_PRIVATE_LEN] = {2 << 3 | 7, 0, 3, 42, 0, 0, 0, 0};
    assert_true(ntp_parse(p, sizeof(p), &m));
    assert_int_equal(m.mode, NTP_MODE_PRIVATE);
    assert_int_equal(m.opcode, 42);
}

static void refuses_malformed(void **state)
{
    (void)state;
    uint8_t b[NTP_HEADER_LEN];
    client_msg(b);
    NtpMessage m;
    assert_false(ntp_parse(b, 0, &m));
    assert_false(ntp_parse(NULL, 48, &m));
    assert_false(ntp_parse(b, NTP_HEADER_LEN - 1, &m));     // truncated
    b[0] = 0 << 3 | 3;
    assert_false(ntp_parse(b, sizeof(b), &m));              // version 0
    b[0] = 7 << 3 | 3;
    assert_false(ntp_parse(b, sizeof(b), &m));              // version 7
    b[0] = 4 << 3 | 0;
    assert_false(ntp_parse(b, sizeof(b), &m));              // mode 0
    uint8_t c[NTP_CONTROL_LEN] = {2 << 3 | 6, 0x82, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    assert_false(ntp_parse(c, sizeof(c), &m));              // count past the datagram
    assert_false(ntp_parse(c, NTP_CONTROL_LEN - 1, &m));
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_NTP, true);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    app_layer_set_proto_inspected(APP_PROTO_NTP, false);
    app_test_reset();
    return 0;
}

static AppFlow *flow_new(Flow *f, uint16_t dp)
{
    memset(f, 0, sizeof(*f));
    f->key.proto = 17;
    f->key.src.family = f->key.dst.family = 4;
    f->key.sp = 40000;
    f->key.dp = dp;
    AppFlow *af = app_flow_get_or_new(f);
    assert_non_null(af);
    return af;
}

static void flow_txs_and_malformed_event(void **state)
{
    (void)state;
    Flow f;
    AppFlow *af = flow_new(&f, 123);
    uint8_t b[NTP_HEADER_LEN];
    client_msg(b);
    app_test_feed(af, APP_DIR_TOSERVER, b, sizeof(b));
    assert_int_equal(app_layer_flow_proto(&f), APP_PROTO_NTP);
    b[0] = 4 << 3 | 4;
    app_flow_data(af, APP_DIR_TOCLIENT, b, sizeof(b));
    app_test_feed(af, APP_DIR_TOCLIENT, b, 20);
    assert_int_equal(app_layer_tx_count(&f), 3);
    const NtpTx *t = (const NtpTx *)app_layer_tx_at(&f, 1);
    assert_true(t->is_valid);
    assert_int_equal(t->m.mode, NTP_MODE_SERVER);
    assert_int_equal(t->tx.n_events, 0);
    t = (const NtpTx *)app_layer_tx_at(&f, 2);
    assert_false(t->is_valid);
    assert_int_equal(t->tx.n_events, 1);
    assert_int_equal(t->tx.events[0], app_layer_event_find("ntp.malformed_data"));
    app_flow_free(af);
}

static void not_detected_off_port_or_garbage(void **state)
{
    (void)state;
    Flow f;
    uint8_t b[NTP_HEADER_LEN];
    client_msg(b);
    AppFlow *af = flow_new(&f, 1234);
    app_test_feed(af, APP_DIR_TOSERVER, b, sizeof(b));
    assert_int_not_equal(app_layer_flow_proto(&f), APP_PROTO_NTP);
    app_flow_free(af);
    af = flow_new(&f, 123);
    static const uint8_t junk[] = "hello, this is not a time server message at all....";
    app_test_feed(af, APP_DIR_TOSERVER, junk, sizeof(junk) - 1);
    assert_int_not_equal(app_layer_flow_proto(&f), APP_PROTO_NTP);
    assert_int_equal(app_layer_tx_count(&f), 0);
    app_flow_free(af);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_client_and_server),
        cmocka_unit_test(parses_control_and_private),
        cmocka_unit_test(refuses_malformed),
        cmocka_unit_test_setup_teardown(flow_txs_and_malformed_event, setup, teardown),
        cmocka_unit_test_setup_teardown(not_detected_off_port_or_garbage, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
