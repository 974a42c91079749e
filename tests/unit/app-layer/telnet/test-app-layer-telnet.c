/* Telnet (app-layer-telnet.c): negotiations and subnegotiations taken out of the stream
 * whole and split byte by byte, IAC IAC as data, an overlong subnegotiation bounded, an
 * invalid command and a lost SE counted, detection on port 23 only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/telnet/app-layer-telnet.h"
#include "flow/flow.h"
#include "runtime/counters.h"

/* IAC WILL TTYPE, IAC DO ECHO, IAC SB TTYPE IS "XTERM" IAC SE,
 * IAC SB NAWS 0 80 0 24 IAC SE, "ab" */
static const uint8_t k_cli[] = {
    255, 251, 24, 255, 253, 1, 255, 250, 24, 0, 'X', 'T', 'E', 'R', 'M', 255, 240,
    255, 250, 31, 0, 80, 0, 24, 255, 240, 'a', 'b',
};

static void parses_negotiation_whole(void **state)
{
    (void)state;
    TelnetFlow tf;
    memset(&tf, 0, sizeof(tf));
    telnet_feed(&tf, APP_DIR_TOSERVER, k_cli, sizeof(k_cli));
    assert_true(telnet_will(&tf, APP_DIR_TOSERVER, 24));
    assert_true(telnet_do(&tf, APP_DIR_TOSERVER, 1));
    assert_false(telnet_will(&tf, APP_DIR_TOSERVER, 1));
    assert_string_equal(tf.ttype, "XTERM");
    assert_int_equal(tf.naws_width, 80);
    assert_int_equal(tf.naws_height, 24);
    assert_int_equal(tf.dir[APP_DIR_TOSERVER].n_data, 2);
    assert_int_equal(tf.dir[APP_DIR_TOSERVER].n_commands, 4);
    assert_int_equal(tf.dir[APP_DIR_TOSERVER].n_invalid, 0);
}

static void parses_negotiation_byte_by_byte(void **state)
{
    (void)state;
    TelnetFlow tf;
    memset(&tf, 0, sizeof(tf));
    for (uint32_t i = 0; i < sizeof(k_cli); i++) {
        telnet_feed(&tf, APP_DIR_TOSERVER, k_cli + i, 1);
    }
    assert_string_equal(tf.ttype, "XTERM");
    assert_int_equal(tf.naws_width, 80);
    assert_int_equal(tf.dir[APP_DIR_TOSERVER].n_data, 2);
}

/* WONT after WILL clears; the server's subnegotiations do not set the client's ttype. */
static void wont_clears_and_server_sb_ignored(void **state)
{
    (void)state;
    static const uint8_t srv[] = {255, 251, 1, 255, 252, 1, 255, 250, 24, 0, 'V', 'T',
                                  255, 240};
    TelnetFlow tf;
    memset(&tf, 0, sizeof(tf));
    telnet_feed(&tf, APP_DIR_TOCLIENT, srv, sizeof(srv));
    assert_false(telnet_will(&tf, APP_DIR_TOCLIENT, 1));
    assert_string_equal(tf.ttype, "");
}

static void iac_iac_is_data(void **state)
{
    (void)state;
    static const uint8_t b[] = {'x', 255, 255, 'y'};
    TelnetFlow tf;
    memset(&tf, 0, sizeof(tf));
    telnet_feed(&tf, APP_DIR_TOSERVER, b, sizeof(b));
    assert_int_equal(tf.dir[0].n_data, 3);
    assert_int_equal(tf.dir[0].n_commands, 0);
}

/* A subnegotiation of 100,000 bytes keeps TELNET_SB_MAX, is counted overlong once, and
 * its terminal type is not taken; parsing goes on after its SE. */
static void overlong_subnegotiation_is_bounded(void **state)
{
    (void)state;
    TelnetFlow tf;
    memset(&tf, 0, sizeof(tf));
    static const uint8_t start[] = {255, 250, 24, 0};
    static const uint8_t end[] = {255, 240, 255, 251, 3};
    uint8_t *fill = malloc(100000);
    memset(fill, 'A', 100000);
    telnet_feed(&tf, APP_DIR_TOSERVER, start, sizeof(start));
    telnet_feed(&tf, APP_DIR_TOSERVER, fill, 100000);
    telnet_feed(&tf, APP_DIR_TOSERVER, end, sizeof(end));
    free(fill);
    assert_int_equal(tf.dir[0].n_sb_overlong, 1);
    assert_string_equal(tf.ttype, "");
    assert_true(telnet_will(&tf, APP_DIR_TOSERVER, 3));
}

/* IAC 7 is no command; SE outside SB is invalid; IAC WILL inside SB (lost SE) ends it. */
static void invalid_commands_counted(void **state)
{
    (void)state;
    static const uint8_t b[] = {255, 7, 255, 240, 255, 250, 24, 0, 'Q', 255, 251, 5, 'z'};
    TelnetFlow tf;
    memset(&tf, 0, sizeof(tf));
    telnet_feed(&tf, APP_DIR_TOSERVER, b, sizeof(b));
    assert_int_equal(tf.dir[0].n_invalid, 3);
    assert_true(telnet_will(&tf, APP_DIR_TOSERVER, 5));
    assert_int_equal(tf.dir[0].n_data, 1);
    assert_string_equal(tf.ttype, "");
}

static void empty_input(void **state)
{
    (void)state;
    TelnetFlow tf;
    memset(&tf, 0, sizeof(tf));
    telnet_feed(&tf, APP_DIR_TOSERVER, k_cli, 0);
    assert_int_equal(tf.dir[0].n_data + tf.dir[0].n_commands, 0);
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(app_layer_init(NULL), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    app_test_reset();
    return 0;
}

static AppProto detect_on(uint16_t dp, uint8_t dir, const uint8_t *b, uint32_t n)
{
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 6;
    f.key.src.family = f.key.dst.family = 4;
    f.key.sp = 50023;
    f.key.dp = dp;
    AppFlow *af = app_flow_get_or_new(&f);
    assert_non_null(af);
    app_test_feed(af, dir, b, n);
    AppProto p = app_layer_flow_proto(&f);
    app_flow_free(af);
    return p;
}

static void detected_on_23_only(void **state)
{
    (void)state;
    static const uint8_t text[] = "login: ";
    assert_int_equal(detect_on(23, APP_DIR_TOCLIENT, k_cli, sizeof(k_cli)), APP_PROTO_TELNET);
    assert_int_equal(detect_on(23, APP_DIR_TOSERVER, k_cli, sizeof(k_cli)), APP_PROTO_TELNET);
    assert_int_not_equal(detect_on(2323, APP_DIR_TOSERVER, k_cli, sizeof(k_cli)),
                         APP_PROTO_TELNET);
    assert_int_not_equal(detect_on(23, APP_DIR_TOCLIENT, text, sizeof(text) - 1),
                         APP_PROTO_TELNET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_negotiation_whole),
        cmocka_unit_test(parses_negotiation_byte_by_byte),
        cmocka_unit_test(wont_clears_and_server_sb_ignored),
        cmocka_unit_test(iac_iac_is_data),
        cmocka_unit_test(overlong_subnegotiation_is_bounded),
        cmocka_unit_test(invalid_commands_counted),
        cmocka_unit_test(empty_input),
        cmocka_unit_test_setup_teardown(detected_on_23_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
