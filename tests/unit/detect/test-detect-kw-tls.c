/* TLS keywords (keywords/detect-kw-tls.c): parsing and refusals, and each tx keyword
 * matched against a real TLS transaction (handshake built by tls-test-util.h and fed
 * through the app layer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/tls/app-layer-tls.h"
#include "app-layer/tls/tls-test-util.h"
#include "detect-test.h"
#include "util/util-error.h"

static Flow g_f;
static AppFlow *g_af;
static TlsBuild g_body;
static TlsBuild g_tmp;
static TlsBuild g_rec;

static int setup(void **state)
{
    (void)state;
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_TLS, true);
    memset(&g_f, 0, sizeof(g_f));
    g_f.key.proto = 6;
    g_f.key.src.family = g_f.key.dst.family = 4;
    g_f.key.dp = 443;
    g_f.last_sec = 1700000000;   // 2023-11-14: inside the certificate's validity
    g_af = app_flow_get_or_new(&g_f);
    tb_client_hello_body(&g_body, "www.example.com");
    g_tmp.n = 0;
    tb_handshake(&g_tmp, 1, g_body.b, g_body.n);
    g_rec.n = 0;
    tb_records(&g_rec, 22, g_tmp.b, g_tmp.n, 16384);
    app_flow_data(g_af, APP_DIR_TOSERVER, g_rec.b, g_rec.n);
    g_tmp.n = 0;
    tb_server_hello_body(&g_body, false);
    tb_handshake(&g_tmp, 2, g_body.b, g_body.n);
    uint8_t der[4096];
    uint32_t len = tb_make_cert("kw.example", der, sizeof(der));
    tb_certificate_body(&g_body, der, len, 2);
    tb_handshake(&g_tmp, 11, g_body.b, g_body.n);
    tb_handshake(&g_tmp, 14, NULL, 0);
    g_rec.n = 0;
    tb_records(&g_rec, 22, g_tmp.b, g_tmp.n, 16384);
    app_flow_data(g_af, APP_DIR_TOCLIENT, g_rec.b, g_rec.n);
    assert_int_equal(app_layer_tx_count(&g_f), 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    app_flow_free(g_af);
    app_layer_deinit();
    return 0;
}

/* Parses rule and evaluates its tx keywords (all must match) on the flow's tx in dir.
 * Returns -1 when the rule is refused. */
static int eval(const char *rule, uint8_t dir)
{
    DetectEngine *de = detect_engine_new_empty();
    Signature *s = NULL;
    char err[256] = "";
    int rc = detect_parse_rule(de, rule, "t.rules", 1, &s, err, sizeof(err));
    int res = -1;
    if (rc == 0) {
        assert_non_null(s->app);
        assert_int_equal(s->alproto, APP_PROTO_TLS);
        const AppTx *tx = app_layer_tx_at(&g_f, 0);
        res = 1;
        for (uint16_t i = 0; i < s->app->tx_ml.n; i++) {
            const DetectMatch *m = &s->app->tx_ml.m[i];
            if (!m->kw->tx_match(NULL, &g_f, tx, dir, m->ctx)) {
                res = 0;
            }
        }
    }
    detect_sig_free(s);
    detect_engine_free(de);
    return res;
}

#define TC APP_DIR_TOCLIENT
#define TS APP_DIR_TOSERVER

static void legacy_subject_issuer_fingerprint(void **state)
{
    (void)state;
    assert_int_equal(eval("alert tls any any -> any any (tls.subject:\"CN=kw.example\"; sid:1;)",
                          TC), 1);
    assert_int_equal(eval("alert tls any any -> any any (tls.subject:!\"CN=kw.example\"; sid:1;)",
                          TC), 0);
    assert_int_equal(eval("alert tls any any -> any any (tls.issuerdn:\"O=Vigil\"; sid:1;)", TC),
                     1);
    assert_int_equal(eval("alert tls any any -> any any (tls.issuerdn:\"O=Other\"; sid:1;)", TC),
                     0);
    assert_int_equal(eval("alert tls any any -> any any (tls.fingerprint:\"00:11\"; sid:1;)", TC),
                     0);
}

static void versions(void **state)
{
    (void)state;
    assert_int_equal(eval("alert tls any any -> any any (tls.version:1.2; sid:1;)", TC), 1);
    assert_int_equal(eval("alert tls any any -> any any (tls.version:1.3; sid:1;)", TC), 0);
    assert_int_equal(eval("alert tcp any any -> any any (ssl_version:tls1.2; sid:1;)", TS), 1);
    assert_int_equal(eval("alert tcp any any -> any any (ssl_version:!tls1.2; sid:1;)", TS), 0);
    assert_int_equal(eval("alert tcp any any -> any any (ssl_version:!sslv3,tls1.0; sid:1;)",
                          TS), 1);
    assert_int_equal(eval("alert tcp any any -> any any (ssl_version:tls9; sid:1;)", TS), -1);
    assert_int_equal(eval("alert tls any any -> any any (tls.version:2.7; sid:1;)", TS), -1);
}

static void ssl_state_uses_the_latest_data(void **state)
{
    (void)state;
    /* The server's data (hello, certificate, hello done) came last toclient. */
    assert_int_equal(eval("alert tls any any -> any any (ssl_state:server_hello; sid:1;)", TC),
                     1);
    assert_int_equal(eval("alert tls any any -> any any (ssl_state:client_hello; sid:1;)", TC),
                     0);
    assert_int_equal(eval("alert tls any any -> any any (ssl_state:!client_hello; sid:1;)", TC),
                     1);
    assert_int_equal(eval("alert tls any any -> any any (ssl_state:client_hello|client_keyx; "
                          "sid:1;)", TS), 1);
    assert_int_equal(eval("alert tls any any -> any any (ssl_state:hello; sid:1;)", TS), -1);
}

static void chain_and_dates(void **state)
{
    (void)state;
    assert_int_equal(eval("alert tls any any -> any any (tls.cert_chain_len:2; sid:1;)", TC), 1);
    assert_int_equal(eval("alert tls any any -> any any (tls.cert_chain_len:>2; sid:1;)", TC),
                     0);
    assert_int_equal(eval("alert tls any any -> any any (tls.cert_notbefore:2020; sid:1;)", TC),
                     1);
    assert_int_equal(eval("alert tls any any -> any any (tls.cert_notbefore:>2020-06; sid:1;)",
                          TC), 0);
    assert_int_equal(eval("alert tls any any -> any any (tls.cert_notafter:2029-12-31<>2030-01-02;"
                          " sid:1;)", TC), 1);
    assert_int_equal(eval("alert tls any any -> any any (tls.cert_valid; sid:1;)", TC), 1);
    assert_int_equal(eval("alert tls any any -> any any (tls.cert_expired; sid:1;)", TC), 0);
    assert_int_equal(eval("alert tls any any -> any any (tls.cert_notafter:soon; sid:1;)", TC),
                     -1);
}

static void legacy_buffers_and_protocol_clash(void **state)
{
    (void)state;
    assert_int_equal(eval("alert tls any any -> any any (tls_sni; content:\"example\"; sid:1;)",
                          TS), 1);
    assert_int_equal(eval("alert tls any any -> any any (ja3_hash; content:\"0\"; sid:1;)", TS),
                     1);
    assert_int_equal(eval("alert http any any -> any any (ssl_state:client_hello; sid:1;)", TS),
                     -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(legacy_subject_issuer_fingerprint, setup, teardown),
        cmocka_unit_test_setup_teardown(versions, setup, teardown),
        cmocka_unit_test_setup_teardown(ssl_state_uses_the_latest_data, setup, teardown),
        cmocka_unit_test_setup_teardown(chain_and_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(legacy_buffers_and_protocol_clash, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
