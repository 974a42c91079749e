/* The TLS certificate store (app-layer-tls-store.c): setup from the tls-store output
 * entry, the chain of a side written once as PEM (read back with libcrypto) and .meta
 * named by packet time and counter, "client-" for the client's chain, nothing when the
 * store is off or the side sent no certificate, refused settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/tls/app-layer-tls.h"
#include "app-layer/tls/app-layer-tls-tx.h"
#include "app-layer/tls/tls-test-util.h"
#include "conf/conf.h"
#include "flow/flow.h"
#include "util/util-error.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
    char dir[64];
    Conf *conf;
    uint8_t der[4096];
    uint32_t der_len;
} Fx;

static TlsBuild g_body;
static TlsBuild g_tmp;
static TlsBuild g_rec;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_TLS, true);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->f.key.proto = 6;
    fx->f.key.src.family = fx->f.key.dst.family = 4;
    fx->f.key.src.a.u8[0] = 10;
    fx->f.key.dst.a.u8[0] = 192;
    fx->f.key.sp = 40000;
    fx->f.key.dp = 443;
    fx->af = app_flow_get_or_new(&fx->f);
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/vg-tls-store-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    fx->conf = conf_new();
    tb_client_hello_body(&g_body, "www.example.com");
    g_tmp.n = 0;
    tb_handshake(&g_tmp, 1, g_body.b, g_body.n);
    g_rec.n = 0;
    tb_records(&g_rec, 22, g_tmp.b, g_tmp.n, 16384);
    app_flow_data(fx->af, APP_DIR_TOSERVER, g_rec.b, g_rec.n);
    g_tmp.n = 0;
    tb_server_hello_body(&g_body, false);
    tb_handshake(&g_tmp, 2, g_body.b, g_body.n);
    fx->der_len = tb_make_cert("store.example", fx->der, sizeof(fx->der));
    assert_true(fx->der_len > 0);
    tb_certificate_body(&g_body, fx->der, fx->der_len, 2);
    tb_handshake(&g_tmp, 11, g_body.b, g_body.n);
    tb_handshake(&g_tmp, 14, NULL, 0);
    g_rec.n = 0;
    tb_records(&g_rec, 22, g_tmp.b, g_tmp.n, 16384);
    app_flow_data(fx->af, APP_DIR_TOCLIENT, g_rec.b, g_rec.n);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    conf_free(fx->conf);
    free(fx);
    app_layer_deinit();
    return 0;
}

static int store_setup(Fx *fx, const char *yaml)
{
    assert_int_equal(conf_load_string(fx->conf, yaml, "t.yaml"), 0);
    const ConfNode *opts = conf_get_node(fx->conf, NULL, "tls-store");
    return app_layer_tls_store_setup(opts, fx->dir);
}

static AppTx *tx0(Fx *fx)
{
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_non_null(tx);
    return tx;
}

static bool exists(Fx *fx, const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
    return access(path, F_OK) == 0;
}

static void server_chain_is_written_once_as_pem_and_meta(void **state)
{
    Fx *fx = *state;
    assert_int_equal(store_setup(fx, "tls-store:\n  certs-log-dir: certs\n"), 0);
    assert_true(tls_store_enabled());
    assert_true(tls_tx_store(&fx->f, tx0(fx), APP_DIR_TOCLIENT, 1700000000, 4200));
    assert_false(tls_tx_store(&fx->f, tx0(fx), APP_DIR_TOCLIENT, 1700000001, 0));
    assert_true(exists(fx, "certs/1700000000.4200-1.pem"));
    assert_true(exists(fx, "certs/1700000000.4200-1.meta"));
    char path[256];
    snprintf(path, sizeof(path), "%s/certs/1700000000.4200-1.pem", fx->dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    int n = 0;
    X509 *x;
    while ((x = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL) {
        unsigned char *der = NULL;
        int len = i2d_X509(x, &der);
        assert_int_equal(len, (int)fx->der_len);
        assert_memory_equal(der, fx->der, fx->der_len);
        OPENSSL_free(der);
        X509_free(x);
        n++;
    }
    fclose(fp);
    assert_int_equal(n, 2);  // the whole chain
    snprintf(path, sizeof(path), "%s/certs/1700000000.4200-1.meta", fx->dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    char meta[2048];
    size_t got = fread(meta, 1, sizeof(meta) - 1, fp);
    meta[got] = '\0';
    fclose(fp);
    assert_non_null(strstr(meta, "SRC IP:            192.0.0.0\n"));  // the server sent it
    assert_non_null(strstr(meta, "SRC PORT:          443\n"));
    assert_non_null(strstr(meta, "TLS SUBJECT:       C=FR, O=Vigil, CN=store.example\n"));
}

static void side_without_certificates_stores_nothing(void **state)
{
    Fx *fx = *state;
    assert_int_equal(store_setup(fx, "tls-store:\n  enabled: yes\n"), 0);
    assert_false(tls_tx_store(&fx->f, tx0(fx), APP_DIR_TOSERVER, 1, 2));
    assert_false(exists(fx, "certs/client-1.2-1.pem"));
    /* the counter is only taken by a chain written */
    assert_true(tls_tx_store(&fx->f, tx0(fx), APP_DIR_TOCLIENT, 1, 2));
    assert_true(exists(fx, "certs/1.2-1.pem"));
}

static void store_off_writes_nothing(void **state)
{
    Fx *fx = *state;
    assert_int_equal(store_setup(fx, "tls-store:\n  enabled: no\n"), 0);
    assert_false(tls_store_enabled());
    assert_false(tls_tx_store(&fx->f, tx0(fx), APP_DIR_TOCLIENT, 1, 2));
    assert_false(exists(fx, "certs"));
}

static void bad_settings_are_refused(void **state)
{
    Fx *fx = *state;
    assert_int_equal(store_setup(fx, "tls-store:\n  enabled: maybe\n"), VG_EINVAL);
    Conf *c = conf_new();
    assert_int_equal(conf_load_string(c, "tls-store:\n  certs-log-dir: /proc/nope/x\n", "t"),
                     0);
    assert_int_equal(app_layer_tls_store_setup(conf_get_node(c, NULL, "tls-store"), fx->dir),
                     VG_EIO);
    assert_false(tls_store_enabled());
    conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(server_chain_is_written_once_as_pem_and_meta, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(side_without_certificates_stores_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(store_off_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_settings_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
