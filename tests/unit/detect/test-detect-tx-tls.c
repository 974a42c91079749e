/* Per-transaction inspection (detect-tx.c) of TLS rules with the real TLS parser:
 * ssl_version alerts once per direction of the flow's tx (Suricata inspects it on each
 * side), and '=>' transactional rules (Suricata 8) match the request and response
 * buffers of one tx together, once, with the header naming the client first. Handshakes
 * are built by tls-test-util.h. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/tls/tls-test-util.h"
#include "detect-test.h"
#include "flow/flow.h"
#include "runtime/counters.h"

static const char RULES[] =
    "alert tcp any any -> any any (msg:\"v\"; ssl_version:tls1.2; sid:1;)\n"
    "alert tls any any => any 443 (msg:\"both\"; tls.sni; content:\"www.example.com\"; "
    "tls.cert_subject; content:\"CN=kw.example\"; sid:2;)\n"
    "alert tls any 443 => any any (msg:\"server first\"; tls.sni; content:\"www.example.com\"; "
    "tls.cert_subject; content:\"CN=kw.example\"; sid:3;)\n"
    "alert tls any any => any any (msg:\"other cert\"; tls.sni; content:\"www.example.com\"; "
    "tls.cert_subject; content:\"CN=other\"; sid:4;)\n";

typedef struct Fx {
    Flow f;
    AppFlow *af;
    DetectEngine *de;
    DetectThread *dt;
    Packet p;
    TlsBuild body;
    TlsBuild hs;
    TlsBuild rec;
} Fx;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->f.key.proto = 6;
    fx->f.key.src.family = fx->f.key.dst.family = 4;
    fx->f.key.sp = 40000;
    fx->f.key.dp = 443;
    fx->f.last_sec = 1700000000;
    fx->af = app_flow_get_or_new(&fx->f);
    int failed = -1;
    fx->de = test_engine(RULES, &failed);
    assert_int_equal(failed, 0);
    fx->dt = detect_thread_new(fx->de, NULL);
    assert_non_null(fx->af);
    assert_non_null(fx->dt);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    detect_thread_free(fx->dt);
    detect_engine_free(fx->de);
    detect_packet_alerts_free(&fx->p);
    free(fx);
    app_layer_deinit();
    flow_storage_reset();
    counters_reset();
    return 0;
}

static void client_hello(Fx *fx)
{
    tb_client_hello_body(&fx->body, "www.example.com");
    fx->hs.n = 0;
    tb_handshake(&fx->hs, 1, fx->body.b, fx->body.n);
    fx->rec.n = 0;
    tb_records(&fx->rec, 22, fx->hs.b, fx->hs.n, 16384);
}

static void server_flight(Fx *fx)
{
    fx->hs.n = 0;
    tb_server_hello_body(&fx->body, false);
    tb_handshake(&fx->hs, 2, fx->body.b, fx->body.n);
    uint8_t der[4096];
    uint32_t len = tb_make_cert("kw.example", der, sizeof(der));
    assert_true(len > 0);
    tb_certificate_body(&fx->body, der, len, 1);
    tb_handshake(&fx->hs, 11, fx->body.b, fx->body.n);
    tb_handshake(&fx->hs, 14, NULL, 0);
    fx->rec.n = 0;
    tb_records(&fx->rec, 22, fx->hs.b, fx->hs.n, 16384);
}

/* One packet in direction dir carrying fx->rec (when with_data) as parsed data. Returns
 * the sids alerted, one decimal digit per alert (in order). */
static unsigned step(Fx *fx, uint8_t dir, bool with_data)
{
    if (with_data) {
        app_flow_data(fx->af, dir, fx->rec.b, fx->rec.n);
    }
    app_flow_packet_publish(fx->af);
    bool ts = dir == APP_DIR_TOSERVER;
    test_packet(&fx->p, PKT_L4_TCP, ts ? "10.0.0.1" : "10.0.0.2", ts ? 40000 : 443,
                ts ? "10.0.0.2" : "10.0.0.1", ts ? 443 : 40000, NULL, 0);
    fx->p.flow = &fx->f;
    fx->p.flags |= ts ? PKT_F_TOSERVER : PKT_F_TOCLIENT;
    fx->p.flow_state = FLOW_STATE_ESTABLISHED;
    detect_packet(fx->dt, &fx->p);
    const PacketAlerts *pa = detect_packet_alerts(&fx->p);
    unsigned sids = 0;
    for (uint16_t i = 0; pa != NULL && i < pa->n; i++) {
        assert_true(pa->alerts[i].flags & PACKET_ALERT_F_TX);
        sids = sids * 10 + pa->alerts[i].sid;
    }
    return sids;
}

static void ssl_version_alerts_once_per_direction(void **state)
{
    Fx *fx = *state;
    client_hello(fx);
    assert_int_equal(step(fx, APP_DIR_TOSERVER, true), 1);
    assert_int_equal(step(fx, APP_DIR_TOSERVER, false), 0);
    server_flight(fx);
    /* ssl_version again, on the server's side, then the '=>' rule */
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, true), 12);
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, false), 0);
    assert_int_equal(step(fx, APP_DIR_TOSERVER, false), 0);
}

static void txbothdir_rule_matches_both_sides_once(void **state)
{
    Fx *fx = *state;
    client_hello(fx);
    assert_int_equal(step(fx, APP_DIR_TOSERVER, true), 1);  // sid 2 waits for the cert
    server_flight(fx);
    /* sid 2 (server on 443 as the header says); sid 3 names the server first: no */
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, true), 12);
    assert_int_equal(step(fx, APP_DIR_TOSERVER, false), 0);
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, false), 0);
}

static int parse(const char *rule)
{
    DetectEngine *de = detect_engine_new_empty();
    Signature *s = NULL;
    char err[256] = "";
    int rc = detect_parse_rule(de, rule, "t.rules", 1, &s, err, sizeof(err));
    bool bothdir = rc == 0 && (s->flags & SIG_F_TXBOTHDIR) && s->app != NULL &&
                   s->app->is_mixed && s->app->dirs == (1u << APP_DIR_TOCLIENT);
    detect_sig_free(s);
    detect_engine_free(de);
    return rc != 0 ? -1 : (bothdir ? 2 : 1);
}

static void txbothdir_refused_outside_transactions(void **state)
{
    (void)state;
    assert_int_equal(parse("alert tls any any => any any (tls.sni; content:\"a\"; "
                           "ja3s.hash; content:\"b\"; sid:1;)"), 2);
    assert_int_equal(parse("alert tls any any => any any (tls.sni; content:\"a\"; sid:1;)"), 2);
    assert_int_equal(parse("alert tcp any any => any any (content:\"a\"; sid:1;)"), -1);
    assert_int_equal(parse("alert ip any any => any any (sid:1;)"), -1);
    assert_int_equal(parse("alert tls any any => any any (sid:1;)"), -1);
    assert_int_equal(parse("alert tls any any => any any (flow:to_server; tls.sni; "
                           "content:\"a\"; sid:1;)"), -1);
    assert_int_equal(parse("alert tls any any =! any any (tls.sni; content:\"a\"; sid:1;)"), -1);
    assert_int_equal(parse("alert tls any any -> any any (tls.sni; content:\"a\"; sid:1;)"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ssl_version_alerts_once_per_direction, setup, teardown),
        cmocka_unit_test_setup_teardown(txbothdir_rule_matches_both_sides_once, setup, teardown),
        cmocka_unit_test(txbothdir_refused_outside_transactions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
