/* TFTP: request parsing (good requests, options after the mode, every malformed
 * shape), and datagrams through the app-layer framework on a UDP flow to port 69:
 * detection, one tx per request, the EVE object, other opcodes ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/tftp/app-layer-tftp.h"
#include "flow/flow.h"
#include "util/util-json.h"

#define REQ(s) ((const uint8_t *)(s)), (sizeof(s) - 1)

static void good_requests(void **state)
{
    (void)state;
    TftpRequest r;
    assert_true(tftp_parse_request(REQ("\x00\x02rfc1350.txt\x00octet\x00"), &r));
    assert_int_equal(r.opcode, TFTP_OP_WRQ);
    assert_int_equal(r.file_len, 11);
    assert_memory_equal(r.file, "rfc1350.txt", 11);
    assert_int_equal(r.mode_len, 5);
    assert_true(tftp_parse_request(REQ("\x00\x01/etc/passwd\x00NetASCII\x00"), &r));
    assert_int_equal(r.opcode, TFTP_OP_RRQ);
    /* RFC 2347 options after the mode */
    assert_true(tftp_parse_request(REQ("\x00\x01" "f\x00octet\x00" "blksize\x00" "1428\x00"), &r));
    assert_int_equal(r.file_len, 1);
}

static void malformed_requests(void **state)
{
    (void)state;
    TftpRequest r;
    assert_false(tftp_parse_request(NULL, 0, &r));
    assert_false(tftp_parse_request(REQ("\x00"), &r));
    assert_false(tftp_parse_request(REQ("\x00\x01"), &r));
    assert_false(tftp_parse_request(REQ("\x00\x03" "f\x00octet\x00"), &r));   // DATA
    assert_false(tftp_parse_request(REQ("\x00\x05" "f\x00octet\x00"), &r));   // ERROR
    assert_false(tftp_parse_request(REQ("\x01\x01" "f\x00octet\x00"), &r));   // opcode 257
    assert_false(tftp_parse_request(REQ("\x00\x01\x00octet\x00"), &r));       // empty name
    assert_false(tftp_parse_request(REQ("\x00\x01" "file-without-nul"), &r));
    assert_false(tftp_parse_request(REQ("\x00\x01" "f\x00"), &r));            // no mode
    assert_false(tftp_parse_request(REQ("\x00\x01" "f\x00octet"), &r));       // mode not ended
    assert_false(tftp_parse_request(REQ("\x00\x01" "f\x00\x00"), &r));        // empty mode
    assert_false(tftp_parse_request(REQ("\x00\x01" "f\x00oc tet\x00"), &r));  // not a word
    /* a name as long as a datagram allows, then no mode */
    uint8_t big[1500];
    memset(big, 'a', sizeof(big));
    big[0] = 0;
    big[1] = 1;
    assert_false(tftp_parse_request(big, sizeof(big), &r));
    big[1400] = 0;
    memcpy(big + 1401, "octet", 6);
    assert_true(tftp_parse_request(big, 1407, &r));
    assert_int_equal(r.file_len, 1398);
}

static void through_the_framework(void **state)
{
    (void)state;
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_TFTP, true);   // keep txs for the test
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 17;
    f.key.src.family = f.key.dst.family = 4;
    f.key.sp = 57509;
    f.key.dp = 69;
    AppFlow *af = app_flow_get_or_new(&f);
    assert_non_null(af);
    app_test_feed(af, APP_DIR_TOSERVER, REQ("\x00\x02rfc1350.txt\x00octet\x00"));
    assert_int_equal(app_layer_flow_proto(&f), APP_PROTO_TFTP);
    app_flow_data(af, APP_DIR_TOCLIENT, REQ("\x00\x05\x00\x01no\x00"));      // ERROR: ignored
    app_flow_data(af, APP_DIR_TOSERVER, REQ("\x00\x04\x00\x01"));            // ACK: ignored
    app_test_feed(af, APP_DIR_TOSERVER, REQ("\x00\x01x\"y\x00MAIL\x00"));
    assert_int_equal(app_layer_tx_count(&f), 2);
    const AppTx *tx = app_layer_tx_at(&f, 0);
    assert_true(app_layer_tx_complete(&f, tx, APP_DIR_TOSERVER));
    assert_true(app_layer_tx_complete(&f, tx, APP_DIR_TOCLIENT));
    JsonBuf jb;
    assert_int_equal(json_buf_init(&jb, 256), 0);
    json_open_object(&jb, NULL);
    assert_true(app_layer_tx_log_json(&f, 0, &jb));
    assert_true(app_layer_tx_log_json(&f, 1, &jb));
    json_close_object(&jb);
    assert_string_equal(jb.buf,
                        "{\"tftp\":{\"packet\":\"write\",\"file\":\"rfc1350.txt\",\"mode\":"
                        "\"octet\"},\"tftp\":{\"packet\":\"read\",\"file\":\"x\\\"y\","
                        "\"mode\":\"mail\"}}");
    json_buf_deinit(&jb);
    app_flow_free(af);
    app_layer_set_proto_inspected(APP_PROTO_TFTP, false);
    app_layer_deinit();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_requests),
        cmocka_unit_test(malformed_requests),
        cmocka_unit_test(through_the_framework),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
