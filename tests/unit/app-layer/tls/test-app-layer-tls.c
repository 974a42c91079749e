/* TLS through the app-layer framework, fed as the stream subscriber feeds it: detection,
 * records split anywhere (byte by byte), handshake messages across records, the
 * encrypted state after ChangeCipherSpec, record-layer events and limits, SSLv2,
 * buffers and the EVE object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/tls/app-layer-tls.h"
#include "app-layer/tls/app-layer-tls-tx.h"
#include "app-layer/tls/tls-test-util.h"
#include "flow/flow.h"
#include "util/util-error.h"
#include "util/util-base64.h"
#include "util/util-json.h"
#include "conf/conf.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static TlsBuild g_body;
static TlsBuild g_cli;           // client flight: records
static TlsBuild g_srv;           // server flight: records
static TlsBuild g_tmp;
static uint8_t g_der[4096];      // the server's certificate
static uint32_t g_der_len;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_TLS, true);   // txs wait: tests look at them
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, 40000, 8443);
    *state = fx;
    /* Client: ClientHello in one record. Server: ServerHello, Certificate,
     * ServerHelloDone in records of at most 100 bytes (messages span records). */
    tb_client_hello_body(&g_body, "www.example.com");
    g_tmp.n = 0;
    tb_handshake(&g_tmp, 1, g_body.b, g_body.n);
    g_cli.n = 0;
    tb_records(&g_cli, 22, g_tmp.b, g_tmp.n, 16384);
    g_tmp.n = 0;
    tb_server_hello_body(&g_body, false);
    tb_handshake(&g_tmp, 2, g_body.b, g_body.n);
    g_der_len = tb_make_cert("srv.example", g_der, sizeof(g_der));
    assert_true(g_der_len > 0);
    tb_certificate_body(&g_body, g_der, g_der_len, 1);
    tb_handshake(&g_tmp, 11, g_body.b, g_body.n);
    tb_handshake(&g_tmp, 14, NULL, 0);
    g_srv.n = 0;
    tb_records(&g_srv, 22, g_tmp.b, g_tmp.n, 100);
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_deinit();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const uint8_t *d, uint32_t n)
{
    app_flow_data(fx->af, dir, d, n);
}

static TlsTx *the_tx(Fx *fx)
{
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    return (TlsTx *)app_layer_tx_at(&fx->f, 0);
}

static bool buf(Fx *fx, const char *name, uint8_t dir, const uint8_t **d, uint32_t *l)
{
    int id = app_layer_buffer_find_for(name, APP_PROTO_TLS, dir);
    assert_true(id >= 0);
    return app_layer_buffer_def(id)->get(&fx->f, app_layer_tx_at(&fx->f, 0), d, l);
}

static void handshake_in_one_piece(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    assert_int_equal(fx->f.app_proto, APP_PROTO_TLS);
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    TlsTx *t = the_tx(fx);
    assert_int_equal(t->tx.progress[APP_DIR_TOSERVER], TLS_PROG_HELLO);
    assert_int_equal(t->tx.progress[APP_DIR_TOCLIENT], TLS_PROG_CERT);
    assert_int_equal(t->tx.n_events, 0);
    assert_int_equal(tls_tx_cert_count(&t->tx, APP_DIR_TOCLIENT), 1);
    const uint8_t *d;
    uint32_t l;
    assert_true(buf(fx, "tls.sni", APP_DIR_TOSERVER, &d, &l));
    assert_int_equal(l, 15);
    assert_true(buf(fx, "tls.cert_subject", APP_DIR_TOCLIENT, &d, &l));
    assert_memory_equal(d, "C=FR, O=Vigil, CN=srv.example", l);
    assert_true(buf(fx, "ja3s.string", APP_DIR_TOCLIENT, &d, &l));
    assert_memory_equal(d, "771,49199,65281", l);
    assert_false(buf(fx, "tls.cert_subject", APP_DIR_TOSERVER, &d, &l));
    assert_true(tls_tx_log_ready(&t->tx));
}

static void byte_by_byte_gives_the_same(void **state)
{
    Fx *fx = *state;
    for (uint32_t i = 0; i < g_cli.n; i++) {
        feed(fx, APP_DIR_TOSERVER, g_cli.b + i, 1);
    }
    for (uint32_t i = 0; i < g_srv.n; i++) {
        feed(fx, APP_DIR_TOCLIENT, g_srv.b + i, 1);
    }
    TlsTx *t = the_tx(fx);
    assert_int_equal(t->tx.n_events, 0);
    assert_int_equal(t->side[APP_DIR_TOCLIENT].n_certs, 1);
    assert_string_equal(t->side[APP_DIR_TOSERVER].ja4, "t13d0306h2_54093f43ad55_fb71836bce29");
    assert_memory_equal(t->side[APP_DIR_TOSERVER].sni.data, "www.example.com", 15);
}

static void change_cipher_spec_encrypts_the_direction(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    /* CCS, then a "handshake" record of junk (an encrypted Finished) and app data. */
    static const uint8_t rest[] = {20, 3, 3, 0, 1, 1, 22, 3, 3, 0, 4, 0xde, 0xad, 0xbe, 0xef,
                                   23, 3, 3, 0, 2, 0x55, 0x66};
    feed(fx, APP_DIR_TOSERVER, rest, sizeof(rest));
    feed(fx, APP_DIR_TOCLIENT, rest, sizeof(rest));
    TlsTx *t = the_tx(fx);
    assert_int_equal(t->tx.n_events, 0);
    assert_int_equal(t->tx.progress[0], TLS_PROG_DONE);
    assert_int_equal(t->tx.progress[1], TLS_PROG_DONE);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, 0));
}

static bool has_event(const TlsTx *t, const char *name)
{
    int id = app_layer_event_find(name);
    for (uint32_t i = 0; i < t->tx.n_events && i < APP_TX_EVENTS_MAX; i++) {
        if (t->tx.events[i] == id) {
            return true;
        }
    }
    return false;
}

static void bad_record_type_stops_the_direction(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    static const uint8_t bad[] = {0x42, 3, 3, 0, 1, 0};
    feed(fx, APP_DIR_TOSERVER, bad, sizeof(bad));
    assert_true(has_event(the_tx(fx), "tls.invalid_record_type"));
}

static void oversized_record_raises_invalid_record_length(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    static const uint8_t big[] = {22, 3, 3, 0xff, 0xff};
    feed(fx, APP_DIR_TOSERVER, big, sizeof(big));
    assert_true(has_event(the_tx(fx), "tls.invalid_record_length"));
}

static void oversized_handshake_message_is_skipped(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    /* A Certificate claiming 16 MiB - 1: skipped as it streams, nothing buffered. */
    static const uint8_t hdr[] = {22, 3, 3, 0x40, 0x00, 11, 0xff, 0xff, 0xff};
    feed(fx, APP_DIR_TOCLIENT, hdr, sizeof(hdr));
    static uint8_t zero[0x4000 - 4];
    feed(fx, APP_DIR_TOCLIENT, zero, sizeof(zero));
    TlsTx *t = the_tx(fx);
    assert_true(has_event(t, "tls.handshake_invalid_length"));
    assert_true(fx->af->memuse < 64 * 1024);
}

static void heartbeat_overflow_is_flagged(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    /* request (1), payload_length 0x4000 in a 3-byte record: heartbleed. */
    static const uint8_t hb[] = {24, 3, 3, 0, 3, 1, 0x40, 0x00};
    feed(fx, APP_DIR_TOSERVER, hb, sizeof(hb));
    TlsTx *t = the_tx(fx);
    assert_true(has_event(t, "tls.heartbeat_message"));
    assert_true(has_event(t, "tls.overflow_heartbeat_message"));
}

/* Encrypted heartbeat: request and answer records of one length are fine, an
 * answer longer than its request is a leak (heartbleed). */
static void encrypted_heartbeat(Fx *fx, uint16_t req_len, uint16_t resp_len)
{
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    feed(fx, APP_DIR_TOSERVER, ccs, sizeof(ccs));
    feed(fx, APP_DIR_TOCLIENT, ccs, sizeof(ccs));
    static uint8_t rec[5 + 0x4000];
    memset(rec, 0xa5, sizeof(rec));
    rec[0] = 24;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = (uint8_t)(req_len >> 8);
    rec[4] = (uint8_t)req_len;
    feed(fx, APP_DIR_TOSERVER, rec, 5u + req_len);
    rec[3] = (uint8_t)(resp_len >> 8);
    rec[4] = (uint8_t)resp_len;
    feed(fx, APP_DIR_TOCLIENT, rec, 5u + resp_len);
}

static void encrypted_heartbeat_answer_of_same_length_is_fine(void **state)
{
    Fx *fx = *state;
    encrypted_heartbeat(fx, 40, 40);
    TlsTx *t = the_tx(fx);
    assert_true(has_event(t, "tls.heartbeat_message"));
    assert_false(has_event(t, "tls.dataleak_heartbeat_mismatch"));
}

static void encrypted_heartbeat_longer_answer_is_a_leak(void **state)
{
    Fx *fx = *state;
    encrypted_heartbeat(fx, 40, 0x4000);
    assert_true(has_event(the_tx(fx), "tls.dataleak_heartbeat_mismatch"));
}

static void unknown_handshake_type_is_an_event(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    static const uint8_t hs[] = {22, 3, 3, 0, 4, 0x63, 0, 0, 0};
    feed(fx, APP_DIR_TOSERVER, hs, sizeof(hs));
    TlsTx *t = the_tx(fx);
    assert_true(has_event(t, "tls.invalid_handshake_message"));
    assert_int_equal(tls_tx_state_flags(&t->tx, APP_DIR_TOSERVER), TLS_STATE_UNKNOWN);
}

static void sslv2_hello_is_detected_and_parsed(void **state)
{
    Fx *fx = *state;
    static const uint8_t rec[] = {0x80, 0x0e, 0x01, 0x03, 0x01, 0x00, 0x03, 0x00, 0x00,
                                  0x00, 0x02, 0x00, 0x00, 0x2f, 0xaa, 0xbb};
    feed(fx, APP_DIR_TOSERVER, rec, sizeof(rec));
    assert_int_equal(fx->f.app_proto, APP_PROTO_TLS);
    TlsTx *t = the_tx(fx);
    assert_true(t->side[APP_DIR_TOSERVER].is_sslv2);
    assert_int_equal(tls_tx_version(&t->tx, APP_DIR_TOSERVER), 0x0301);
}

/* A record header alone sets the side's version and marks the tx changed: rules on
 * the version are inspected on that packet, not when the hello record is complete. */
static void record_header_version_updates_the_tx(void **state)
{
    Fx *fx = *state;
    uint8_t part[24];
    memcpy(part, g_cli.b, sizeof(part));
    part[1] = 3;
    part[2] = 1;   // record version 1.0, hello version 1.2 (not complete yet)
    feed(fx, APP_DIR_TOSERVER, part, sizeof(part));
    TlsTx *t = the_tx(fx);
    assert_int_equal(tls_tx_version(&t->tx, APP_DIR_TOSERVER), 0x0301);
    assert_true(t->tx.flags & (APP_TX_F_PENDING_TS | APP_TX_F_UPDATED_TS));
    app_flow_packet_publish(fx->af);
    assert_true(t->tx.flags & APP_TX_F_UPDATED_TS);
    app_flow_packet_publish(fx->af);
    feed(fx, APP_DIR_TOSERVER, g_cli.b + sizeof(part), g_cli.n - (uint32_t)sizeof(part));
    assert_int_equal(tls_tx_version(&t->tx, APP_DIR_TOSERVER), 0x0303);
}

static void non_tls_is_not_detected(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, (const uint8_t *)"\x17\x05\x00hello", 8);
    assert_int_not_equal(app_layer_flow_proto_dir(&fx->f, APP_DIR_TOSERVER), APP_PROTO_TLS);
}

static void midstream_application_data_is_tls_and_encrypted(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, (const uint8_t *)"\x17\x03\x03\x00\x05hello", 10);
    assert_int_equal(fx->f.app_proto, APP_PROTO_TLS);
    TlsTx *t = the_tx(fx);
    assert_int_equal(t->tx.progress[APP_DIR_TOSERVER], TLS_PROG_DONE);
    assert_int_equal(t->tx.n_events, 0);
    assert_false(tls_tx_loggable(&t->tx));   // nothing to log without a hello
}

/* An application data record of body_len bytes, of which the first n go out. */
static void appdata_start(Fx *fx, uint8_t dir, uint16_t body_len, uint32_t n)
{
    uint8_t rec[5 + 256];
    rec[0] = 0x17;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = (uint8_t)(body_len >> 8);
    rec[4] = (uint8_t)body_len;
    memset(rec + 5, 0xaa, sizeof(rec) - 5);
    feed(fx, dir, rec, 5 + n);
}

static void gap_inside_a_record_body_keeps_step(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    TlsState *st = fx->af->state;
    appdata_start(fx, APP_DIR_TOCLIENT, 100, 10);
    uint64_t recs = st->dir[APP_DIR_TOCLIENT].n_records;
    app_flow_gap_len(fx->af, APP_DIR_TOCLIENT, 50);
    /* the last 40 body bytes hold what looks like a heartbeat header: body, not a record */
    uint8_t rest[40 + 7];
    memset(rest, 0xaa, sizeof(rest));
    memcpy(rest + 10, "\x18\x03\x03\x00\x01", 5);
    memcpy(rest + 40, "\x15\x03\x03\x00\x02\x01\x00", 7);   // then an alert record
    feed(fx, APP_DIR_TOCLIENT, rest, sizeof(rest));
    assert_int_equal(st->dir[APP_DIR_TOCLIENT].n_records, recs + 1);
    assert_false(st->dir[APP_DIR_TOCLIENT].stopped);
    assert_false(has_event(the_tx(fx), "tls.heartbeat_message"));
    assert_int_equal(fx->af->flags & (APP_FLOW_F_STOP_TC | APP_FLOW_F_ERROR), 0);
}

static void gap_past_a_record_resyncs_on_the_next_header(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    TlsState *st = fx->af->state;
    appdata_start(fx, APP_DIR_TOCLIENT, 100, 10);
    app_flow_gap_len(fx->af, APP_DIR_TOCLIENT, 500);   // past the record's end
    uint64_t recs = st->dir[APP_DIR_TOCLIENT].n_records;
    uint8_t junk[64];
    memset(junk, 0x42, sizeof(junk));
    feed(fx, APP_DIR_TOCLIENT, junk, sizeof(junk));   // no header in it: still looking
    assert_true(st->dir[APP_DIR_TOCLIENT].resync);
    uint8_t more[9 + 5 + 3];
    memcpy(more, "\x99\x01\x02\x03\x17\x03\x09\x00\x01", 9);  // minor 9: not a header
    memcpy(more + 9, "\x17\x03\x03\x00\x03", 5);                   // this one is
    memset(more + 14, 0xcc, 3);
    feed(fx, APP_DIR_TOCLIENT, more, sizeof(more));
    assert_false(st->dir[APP_DIR_TOCLIENT].resync);
    assert_int_equal(st->dir[APP_DIR_TOCLIENT].n_records, recs + 1);
    assert_int_equal(st->dir[APP_DIR_TOCLIENT].rec_left, 0);
    feed(fx, APP_DIR_TOCLIENT, (const uint8_t *)"\x15\x03\x03\x00\x02\x01\x00", 7);
    assert_int_equal(st->dir[APP_DIR_TOCLIENT].n_records, recs + 2);
    assert_int_equal(fx->af->flags & (APP_FLOW_F_STOP_TC | APP_FLOW_F_ERROR), 0);
}

static void gap_in_the_clear_handshake_ends_that_side(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, 120);        // part of the server's flight
    TlsTx *t = the_tx(fx);
    assert_true(t->tx.progress[APP_DIR_TOCLIENT] < TLS_PROG_DONE);
    app_flow_gap_len(fx->af, APP_DIR_TOCLIENT, 200);
    assert_int_equal(t->tx.progress[APP_DIR_TOCLIENT], TLS_PROG_DONE);
    /* what follows is not parsed as handshake (no certificate appears), no error */
    feed(fx, APP_DIR_TOCLIENT, g_srv.b + 320, g_srv.n - 320);
    assert_int_equal(t->side[APP_DIR_TOCLIENT].n_certs, 0);
    assert_int_equal(fx->af->flags & APP_FLOW_F_ERROR, 0);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, APP_DIR_TOCLIENT));
}

static void gap_of_unknown_length_stops_the_direction(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    app_flow_gap(fx->af, APP_DIR_TOSERVER);
    assert_true(fx->af->flags & APP_FLOW_F_STOP_TS);
}

static void eve_object(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    JsonBuf jb;
    app_test_tx_json(&fx->f, 0, &jb, 1024);
    const char *s = jb.buf;
    app_test_json_has(s, "\"subject\":\"C=FR, O=Vigil, CN=srv.example\"");
    app_test_json_has(s, "\"sni\":\"www.example.com\"");
    app_test_json_has(s, "\"version\":\"TLS 1.2\"");
    app_test_json_has(s, "\"serial\":\"00:A1:B2\"");
    app_test_json_has(s, "\"notafter\":\"2030-01-01T00:00:00\"");
    app_test_json_has(s, "\"ja3\":{\"hash\":\"6bfe35123df20afcf42aa008b0081ebf\"");
    app_test_json_has(s, "\"client_alpns\":[\"h2\",\"http/1.1\"]");
    json_buf_deinit(&jb);
}

static void eve_custom_fields_log_only_those_listed(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    uint32_t saved = g_tls_log_cfg.fields;
    g_tls_log_cfg.fields = TLS_LOG_SNI | TLS_LOG_CERTIFICATE | TLS_LOG_CHAIN;
    JsonBuf jb;
    app_test_tx_json(&fx->f, 0, &jb, 1024);
    g_tls_log_cfg.fields = saved;
    char b64[8192];
    assert_int_equal(util_base64_encode(b64, sizeof(b64), g_der, g_der_len, NULL), 0);
    char want[20000];
    snprintf(want, sizeof(want), "{\"tls\":{\"sni\":\"www.example.com\",\"certificate\":\"%s\","
             "\"chain\":[\"%s\"]}}", b64, b64);
    assert_string_equal(jb.buf, want);
    json_buf_deinit(&jb);
}

static void eve_custom_config_is_checked(void **state)
{
    (void)state;
    Conf *c = conf_new();
    assert_int_equal(conf_load_string(c, "outputs:\n  - eve-log:\n      types:\n"
                                         "        - tls:\n            custom: [sni, chain, "
                                         "client_certificate]\n", "t.yaml"), 0);
    assert_int_equal(app_layer_init(c), 0);
    assert_int_equal(g_tls_log_cfg.fields, TLS_LOG_SNI | TLS_LOG_CHAIN |
                                               TLS_LOG_CLIENT_CERTIFICATE);
    app_layer_deinit();
    conf_free(c);
    c = conf_new();
    assert_int_equal(conf_load_string(c, "outputs:\n  - eve-log:\n      types:\n"
                                         "        - tls:\n            custom: [sni, nosuch]\n",
                                      "t.yaml"), 0);
    assert_int_not_equal(app_layer_init(c), 0);
    app_layer_deinit();
    conf_free(c);
    assert_int_equal(app_layer_init(NULL), 0);
    assert_int_equal(g_tls_log_cfg.fields, TLS_LOG_EXTENDED);
    app_layer_deinit();
}

/* STARTTLS hand-over: what a protocol's parser returns, and the framework's check of the
 * announced protocol, driven here through an HTTP CONNECT (the parser that hands a
 * connection over today) with TLS announced as tls_starttls_handover does. */
static void starttls_handover_returns_tunnel_and_announces_tls(void **state)
{
    Fx *fx = *state;
    uint32_t consumed = 0;
    assert_int_equal(tls_starttls_handover(fx->af, 17, &consumed), APP_PARSE_TUNNEL);
    assert_int_equal(consumed, 17);
    assert_int_equal(fx->af->expect, APP_PROTO_TLS);
}

static uint32_t n_flow_events(Fx *fx, const char *name)
{
    const AppEventId *ids = NULL;
    uint32_t n = app_layer_flow_events(&fx->f, &ids);
    int want = app_layer_event_find(name);
    uint32_t hits = 0;
    for (uint32_t i = 0; i < n; i++) {
        hits += ids[i] == want;
    }
    return hits;
}

static void handover(Fx *fx)
{
    static const char req[] = "CONNECT mail:25 HTTP/1.1\r\nHost: mail\r\n\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\n\r\n";
    feed(fx, APP_DIR_TOSERVER, (const uint8_t *)req, sizeof(req) - 1);
    app_flow_expect(fx->af, APP_PROTO_TLS);
    feed(fx, APP_DIR_TOCLIENT, (const uint8_t *)resp, sizeof(resp) - 1);
}

static void starttls_then_tls_runs_the_tls_parser(void **state)
{
    Fx *fx = *state;
    handover(fx);
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_TLS);
    assert_int_equal(app_layer_flow_proto_orig(&fx->f), APP_PROTO_HTTP1);
    assert_int_equal(n_flow_events(fx, "applayer.no_tls_after_starttls"), 0);
    AppTx *tx = app_layer_tx_at(&fx->f, app_layer_tx_count(&fx->f) - 1);
    assert_non_null(tx);
    assert_int_equal(app_layer_tx_proto(&fx->f, tx), APP_PROTO_TLS);
    int id = app_layer_buffer_find_for("tls.sni", APP_PROTO_TLS, APP_DIR_TOSERVER);
    const uint8_t *d;
    uint32_t l;
    assert_true(app_layer_buffer_def(id)->get(&fx->f, tx, &d, &l));
    assert_int_equal(l, 15);
    assert_memory_equal(d, "www.example.com", 15);
}

static void starttls_then_no_tls_is_an_event(void **state)
{
    Fx *fx = *state;
    handover(fx);
    static const char junk[] = "EHLO again\r\n";
    feed(fx, APP_DIR_TOSERVER, (const uint8_t *)junk, sizeof(junk) - 1);
    app_flow_eof(fx->af, APP_DIR_TOSERVER);
    app_flow_eof(fx->af, APP_DIR_TOCLIENT);
    assert_int_not_equal(app_layer_flow_proto(&fx->f), APP_PROTO_TLS);
    assert_int_equal(n_flow_events(fx, "applayer.no_tls_after_starttls"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(handshake_in_one_piece, setup, teardown),
        cmocka_unit_test_setup_teardown(encrypted_heartbeat_answer_of_same_length_is_fine, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(encrypted_heartbeat_longer_answer_is_a_leak, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(byte_by_byte_gives_the_same, setup, teardown),
        cmocka_unit_test_setup_teardown(change_cipher_spec_encrypts_the_direction, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_record_type_stops_the_direction, setup, teardown),
        cmocka_unit_test_setup_teardown(oversized_record_raises_invalid_record_length, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(oversized_handshake_message_is_skipped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(heartbeat_overflow_is_flagged, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_handshake_type_is_an_event, setup, teardown),
        cmocka_unit_test_setup_teardown(sslv2_hello_is_detected_and_parsed, setup, teardown),
        cmocka_unit_test_setup_teardown(record_header_version_updates_the_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(non_tls_is_not_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(midstream_application_data_is_tls_and_encrypted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(eve_object, setup, teardown),
        cmocka_unit_test_setup_teardown(gap_inside_a_record_body_keeps_step, setup, teardown),
        cmocka_unit_test_setup_teardown(gap_past_a_record_resyncs_on_the_next_header, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(gap_in_the_clear_handshake_ends_that_side, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(gap_of_unknown_length_stops_the_direction, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(eve_custom_fields_log_only_those_listed, setup,
                                        teardown),
        cmocka_unit_test(eve_custom_config_is_checked),
        cmocka_unit_test_setup_teardown(starttls_handover_returns_tunnel_and_announces_tls,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(starttls_then_tls_runs_the_tls_parser, setup, teardown),
        cmocka_unit_test_setup_teardown(starttls_then_no_tls_is_an_event, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
