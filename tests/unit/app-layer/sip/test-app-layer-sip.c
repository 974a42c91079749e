/* SIP: the head parser alone (start lines, headers, compact names, folding, limits,
 * truncated/empty/oversized/garbage input, the probe), then through the app-layer
 * framework over UDP (one datagram, one message) and TCP (framing by Content-Length,
 * any split, lying lengths, endless heads, resync), the buffers and the EVE object. */
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
#include "app-layer/sip/app-layer-sip.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-error.h"
#include "util/util-json.h"

#define REGISTER_HEAD                                                                        \
    "REGISTER sip:sip.example.org SIP/2.0\r\n"                                               \
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"                                   \
    "From: <sip:alice@example.org>;tag=1\r\n"                                                \
    "To: <sip:alice@example.org>\r\n"                                                        \
    "Call-ID: 1@192.0.2.1\r\n"                                                               \
    "CSeq: 1 REGISTER\r\n"                                                                   \
    "User-Agent: TestPhone 1.0\r\n"

static const char k_register[] = REGISTER_HEAD "Content-Length: 0\r\n\r\n";
static const char k_response[] = "SIP/2.0 401 Unauthorized\r\n"
                                 "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
                                 "Content-Length: 0\r\n\r\n";
/* compact forms (RFC 3261 section 7.3.3), two To lines, a body of 4 bytes */
static const char k_invite_compact[] = "INVITE sip:bob@example.org SIP/2.0\r\n"
                                       "v: SIP/2.0/TCP 192.0.2.1\r\n"
                                       "f: \"arik\" <sip:a@example.org>\r\n"
                                       "t: <sip:111@example.org>\r\n"
                                       "To: <sip:222@example.org>\r\n"
                                       "c: application/sdp\r\n"
                                       "l: 4\r\n\r\n"
                                       "v=0\n";

static bool span_is(const SipMessage *m, SipSpan s, const char *want)
{
    return s.len == strlen(want) && memcmp(m->head + s.off, want, s.len) == 0;
}

static int parse_str(const char *s, SipMessage *m)
{
    uint32_t head_len = 0;
    uint32_t end = sip_find_head_end((const uint8_t *)s, (uint32_t)strlen(s), &head_len);
    return sip_message_parse((const uint8_t *)s, end ? head_len : (uint32_t)strlen(s), m);
}

/* ---- the head parser ---- */

static void request_line_and_headers(void **state)
{
    (void)state;
    SipMessage m;
    assert_int_equal(parse_str(k_register, &m), 0);
    assert_true(m.is_request);
    assert_true(span_is(&m, m.method, "REGISTER"));
    assert_true(span_is(&m, m.uri, "sip:sip.example.org"));
    assert_true(span_is(&m, m.version, "SIP/2.0"));
    assert_true(span_is(&m, m.line, "REGISTER sip:sip.example.org SIP/2.0"));
    assert_int_equal(m.n_headers, 7);
    assert_int_equal(m.headers[0].kind, SIP_HDR_VIA);
    assert_int_equal(m.headers[5].kind, SIP_HDR_USER_AGENT);
    assert_true(span_is(&m, m.headers[5].value, "TestPhone 1.0"));
    assert_true(m.has_content_length);
    assert_int_equal(m.content_length, 0);
    sip_message_deinit(&m);
}

static void status_line_with_and_without_reason(void **state)
{
    (void)state;
    SipMessage m;
    assert_int_equal(parse_str(k_response, &m), 0);
    assert_false(m.is_request);
    assert_true(span_is(&m, m.code, "401"));
    assert_true(span_is(&m, m.reason, "Unauthorized"));
    assert_true(span_is(&m, m.line, "SIP/2.0 401 Unauthorized"));
    sip_message_deinit(&m);
    assert_int_equal(parse_str("SIP/2.0 200\r\n\r\n", &m), 0);
    assert_true(span_is(&m, m.code, "200"));
    assert_int_equal(m.reason.len, 0);
    sip_message_deinit(&m);
}

static void compact_names_normalised(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint8_t kind;
    } cases[] = {
        {"f", SIP_HDR_FROM}, {"T", SIP_HDR_TO}, {"v", SIP_HDR_VIA}, {"c", SIP_HDR_CONTENT_TYPE},
        {"l", SIP_HDR_CONTENT_LENGTH}, {"content-length", SIP_HDR_CONTENT_LENGTH},
        {"USER-AGENT", SIP_HDR_USER_AGENT}, {"i", SIP_HDR_OTHER}, {"Tox", SIP_HDR_OTHER},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(sip_header_kind((const uint8_t *)cases[i].name,
                                         (uint32_t)strlen(cases[i].name)), cases[i].kind);
    }
    SipMessage m;
    assert_int_equal(parse_str(k_invite_compact, &m), 0);
    assert_int_equal(m.content_length, 4);
    assert_int_equal(m.headers[2].kind, SIP_HDR_TO);
    assert_int_equal(m.headers[3].kind, SIP_HDR_TO);
    sip_message_deinit(&m);
}

static void folded_header_joined(void **state)
{
    (void)state;
    SipMessage m;
    assert_int_equal(parse_str("OPTIONS sip:x SIP/2.0\r\nUser-Agent: A\r\n  B\r\nTo:  <t> \r\n\r\n",
                               &m), 0);
    assert_int_equal(m.n_headers, 2);
    assert_true(span_is(&m, m.headers[0].value, "A    B"));
    assert_true(span_is(&m, m.headers[1].value, "<t>"));
    sip_message_deinit(&m);
}

static void garbage_empty_and_truncated_start_lines(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "     ", "HTTP/1.1 200 OK\r\n", "GET / HTTP/1.1\r\n", "REGISTER\r\n",
        "REGISTER sip:x\r\n", "REGISTER sip:x SIP/\r\n", "SIP/2.0 20 OK\r\n",
        "SIP/2.0 2000 OK\r\n", "\x01\x02\x03\xff", "REGISTER  sip:x SIP/2.0\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        SipMessage m;
        assert_int_equal(sip_message_parse((const uint8_t *)bad[i], (uint32_t)strlen(bad[i]), &m),
                         VG_EINVAL);
        assert_null(m.head);
    }
    SipMessage m;
    static const uint8_t nul[4] = {0, 0, 0, 0};
    assert_int_equal(sip_message_parse(nul, sizeof(nul), &m), VG_EINVAL);
}

static void header_without_colon_keeps_the_rest(void **state)
{
    (void)state;
    SipMessage m;
    assert_int_equal(parse_str("BYE sip:x SIP/2.0\r\nnocolon\r\nTo: <t>\r\n\r\n", &m), VG_EINVAL);
    assert_non_null(m.head);
    assert_int_equal(m.n_headers, 1);
    assert_int_equal(m.headers[0].kind, SIP_HDR_TO);
    sip_message_deinit(&m);
}

static void content_length_maximum_and_overflow(void **state)
{
    (void)state;
    SipMessage m;
    assert_int_equal(parse_str("ACK sip:x SIP/2.0\r\nl: 18446744073709551615\r\n\r\n", &m), 0);
    assert_true(m.content_length == UINT64_MAX);
    sip_message_deinit(&m);
    assert_int_equal(parse_str("ACK sip:x SIP/2.0\r\nl: 99999999999999999999999\r\n\r\n", &m), 0);
    assert_true(m.content_length == UINT64_MAX);
    sip_message_deinit(&m);
    assert_int_equal(parse_str("ACK sip:x SIP/2.0\r\nl: 12x\r\n\r\n", &m), 0);
    assert_false(m.has_content_length);
    sip_message_deinit(&m);
}

static void oversized_head_and_header_count(void **state)
{
    (void)state;
    SipMessage m;
    uint32_t n = SIP_HEAD_MAX + 1;
    uint8_t *big = malloc(n);
    memset(big, 'a', n);
    memcpy(big, "ACK sip:x SIP/2.0\r\n", 19);
    assert_int_equal(sip_message_parse(big, n, &m), VG_EINVAL);
    assert_null(m.head);
    /* 1000 header lines: the first SIP_HEADERS_MAX are indexed */
    uint32_t o = 19;
    for (int i = 0; i < 1000; i++) {
        memcpy(big + o, "To: x\r\n", 7);
        o += 7;
    }
    assert_int_equal(sip_message_parse(big, o, &m), 0);
    assert_int_equal(m.n_headers, SIP_HEADERS_MAX);
    assert_true(sip_message_mem(&m) >= o);
    sip_message_deinit(&m);
    free(big);
}

static void probe_start_lines(void **state)
{
    (void)state;
    assert_int_equal(sip_probe_start((const uint8_t *)k_register, sizeof(k_register) - 1),
                     APP_PROBE_YES);
    assert_int_equal(sip_probe_start((const uint8_t *)k_response, sizeof(k_response) - 1),
                     APP_PROBE_YES);
    assert_int_equal(sip_probe_start((const uint8_t *)"SIP/2", 5), APP_PROBE_MORE);
    assert_int_equal(sip_probe_start((const uint8_t *)"INVITE sip:a", 12), APP_PROBE_MORE);
    assert_int_equal(sip_probe_start((const uint8_t *)"GET / HTTP/1.1\r\n", 16), APP_PROBE_NO);
    assert_int_equal(sip_probe_start((const uint8_t *)"hello world\r\n", 13), APP_PROBE_NO);
    assert_int_equal(sip_probe_start((const uint8_t *)"\r\n", 2), APP_PROBE_NO);
}

/* ---- through the framework ---- */

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int fx_setup(void **state, uint8_t ipproto)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_SIP, true);   // keep txs for the test
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, ipproto, 5062, 5060);
    *state = fx;
    return 0;
}

static int setup_udp(void **state)
{
    return fx_setup(state, 17);
}

static int setup_tcp(void **state)
{
    return fx_setup(state, 6);
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_SIP, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const void *d, uint32_t n)
{
    app_test_feed(fx->af, dir, d, n);
}

static void feed_str(Fx *fx, uint8_t dir, const char *s)
{
    feed(fx, dir, s, (uint32_t)strlen(s));
}

static void buffer_is(const Fx *fx, const AppTx *tx, const char *name, uint8_t dir,
                      uint32_t idx, const char *want)
{
    int id = app_layer_buffer_find_for(name, APP_PROTO_SIP, dir);
    assert_true(id >= 0);
    const AppBufferDef *d = app_layer_buffer_def(id);
    const uint8_t *data;
    uint32_t len;
    bool ok = d->get_multi != NULL ? d->get_multi(&fx->f, tx, idx, &data, &len)
                                   : d->get(&fx->f, tx, &data, &len);
    if (want == NULL) {
        assert_false(ok);
        return;
    }
    assert_true(ok);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(data, want, len);
}

static bool flow_has_event(const Fx *fx, const char *name)
{
    const AppEventId *ids = NULL;
    uint32_t n = app_layer_flow_events(&fx->f, &ids);
    for (uint32_t i = 0; i < n; i++) {
        if (ids[i] == app_layer_event_find(name)) {
            return true;
        }
    }
    return false;
}

static bool tx_has_event(const AppTx *tx, const char *name)
{
    for (uint32_t i = 0; i < tx->n_events && i < APP_TX_EVENTS_MAX; i++) {
        if (tx->events[i] == app_layer_event_find(name)) {
            return true;
        }
    }
    return false;
}

static void udp_request_and_response_are_two_txs(void **state)
{
    Fx *fx = *state;
    feed_str(fx, APP_DIR_TOSERVER, k_register);
    feed_str(fx, APP_DIR_TOCLIENT, k_response);
    assert_int_equal(fx->f.app_proto, APP_PROTO_SIP);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    AppTx *req = app_layer_tx_at(&fx->f, 0);
    AppTx *rsp = app_layer_tx_at(&fx->f, 1);
    assert_true(app_layer_tx_complete(&fx->f, req, 0) && app_layer_tx_complete(&fx->f, req, 1));
    buffer_is(fx, req, "sip.method", APP_DIR_TOSERVER, 0, "REGISTER");
    buffer_is(fx, req, "sip.protocol", APP_DIR_TOSERVER, 0, "SIP/2.0");
    buffer_is(fx, req, "sip.user_agent", APP_DIR_TOSERVER, 0, "TestPhone 1.0");
    buffer_is(fx, req, "sip.content_length", APP_DIR_TOSERVER, 0, "0");
    buffer_is(fx, req, "sip.stat_code", APP_DIR_TOCLIENT, 0, NULL);
    buffer_is(fx, rsp, "sip.stat_code", APP_DIR_TOCLIENT, 0, "401");
    buffer_is(fx, rsp, "sip.stat_msg", APP_DIR_TOCLIENT, 0, "Unauthorized");
    buffer_is(fx, rsp, "sip.via", APP_DIR_TOCLIENT, 0, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1");
    buffer_is(fx, rsp, "sip.method", APP_DIR_TOSERVER, 0, NULL);
    assert_int_equal(req->n_events + rsp->n_events, 0);
}

static void udp_keepalive_ignored_and_garbage_flagged(void **state)
{
    Fx *fx = *state;
    feed_str(fx, APP_DIR_TOSERVER, k_register);
    feed_str(fx, APP_DIR_TOSERVER, "     ");
    feed_str(fx, APP_DIR_TOSERVER, "\r\n\r\n");
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    assert_false(flow_has_event(fx, "sip.invalid_data"));
    feed_str(fx, APP_DIR_TOSERVER, "\x01\x02garbage\r\n\r\n");
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    assert_true(flow_has_event(fx, "sip.invalid_data"));
    /* a datagram cut inside its head still gives its start line */
    feed_str(fx, APP_DIR_TOSERVER, "BYE sip:x SIP/2.0\r\nTo: <t>");
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    AppTx *tx = app_layer_tx_at(&fx->f, 1);
    assert_true(tx_has_event(tx, "sip.incomplete_data"));
    buffer_is(fx, tx, "sip.to", APP_DIR_TOSERVER, 0, "<t>");
}

static void multi_value_header_instances(void **state)
{
    Fx *fx = *state;
    feed_str(fx, APP_DIR_TOSERVER, k_invite_compact);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_non_null(tx);
    buffer_is(fx, tx, "sip.to", APP_DIR_TOSERVER, 0, "<sip:111@example.org>");
    buffer_is(fx, tx, "sip.to", APP_DIR_TOSERVER, 1, "<sip:222@example.org>");
    buffer_is(fx, tx, "sip.to", APP_DIR_TOSERVER, 2, NULL);
    buffer_is(fx, tx, "sip.from", APP_DIR_TOSERVER, 0, "\"arik\" <sip:a@example.org>");
    buffer_is(fx, tx, "sip.content_type", APP_DIR_TOSERVER, 0, "application/sdp");
    buffer_is(fx, tx, "sip.content_length", APP_DIR_TOSERVER, 0, "4");
    buffer_is(fx, tx, "sip.uri", APP_DIR_TOSERVER, 0, "sip:bob@example.org");
}

/* Two messages (the first with a body) fed in one call and byte by byte give the same
 * two txs: the body is skipped by Content-Length. */
static void tcp_any_split_and_body_skipped(void **state)
{
    Fx *fx = *state;
    char all[1024];
    int n = snprintf(all, sizeof(all), "%s%s", k_invite_compact, k_register);
    for (int i = 0; i < n; i++) {
        feed(fx, APP_DIR_TOSERVER, all + i, 1);
    }
    assert_int_equal(fx->f.app_proto, APP_PROTO_SIP);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    buffer_is(fx, app_layer_tx_at(&fx->f, 0), "sip.method", APP_DIR_TOSERVER, 0, "INVITE");
    buffer_is(fx, app_layer_tx_at(&fx->f, 1), "sip.method", APP_DIR_TOSERVER, 0, "REGISTER");
    feed_str(fx, APP_DIR_TOSERVER, "\r\n\r\n");   // keep-alive
    feed(fx, APP_DIR_TOSERVER, all, (uint32_t)n);
    assert_int_equal(app_layer_tx_count(&fx->f), 4);
    assert_false(flow_has_event(fx, "sip.invalid_data"));
}

/* A Content-Length of 2^64-1: what follows is body, skipped without being kept. */
static void tcp_lying_content_length_bounded(void **state)
{
    Fx *fx = *state;
    feed_str(fx, APP_DIR_TOSERVER, "MESSAGE sip:x SIP/2.0\r\nl: 18446744073709551615\r\n\r\n");
    uint64_t mem = fx->af->memuse;
    static uint8_t chunk[65536];
    memset(chunk, 'A', sizeof(chunk));
    for (int i = 0; i < 32; i++) {
        feed(fx, APP_DIR_TOSERVER, chunk, sizeof(chunk));
    }
    feed_str(fx, APP_DIR_TOSERVER, k_register);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    assert_true(fx->af->memuse == mem);
}

/* A head without an end: invalid_data once it passes SIP_HEAD_MAX, its buffer freed,
 * then parsing resumes at the next line that starts a message. */
static void tcp_endless_head_then_resync(void **state)
{
    Fx *fx = *state;
    feed_str(fx, APP_DIR_TOSERVER, "OPTIONS sip:x SIP/2.0\r\nX-Long: ");
    static uint8_t chunk[4096];
    memset(chunk, 'b', sizeof(chunk));
    for (int i = 0; i < 20; i++) {
        feed(fx, APP_DIR_TOSERVER, chunk, sizeof(chunk));
    }
    assert_true(flow_has_event(fx, "sip.invalid_data"));
    assert_true(fx->af->memuse < 4096);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
    feed_str(fx, APP_DIR_TOSERVER, "\r\nmore junk\r\n");
    feed_str(fx, APP_DIR_TOSERVER, k_register);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    buffer_is(fx, app_layer_tx_at(&fx->f, 0), "sip.method", APP_DIR_TOSERVER, 0, "REGISTER");
}

static void tcp_cut_head_at_eof(void **state)
{
    Fx *fx = *state;
    feed_str(fx, APP_DIR_TOSERVER, "INVITE sip:x SIP/2.0\r\nTo: <t>\r\n");
    app_flow_eof(fx->af, APP_DIR_TOSERVER);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
    assert_true(flow_has_event(fx, "sip.incomplete_data"));
}

static void eve_object(void **state)
{
    Fx *fx = *state;
    feed_str(fx, APP_DIR_TOSERVER, k_register);
    feed_str(fx, APP_DIR_TOCLIENT, k_response);
    JsonBuf jb;
    app_test_tx_json(&fx->f, 0, &jb, 1024);
    assert_non_null(strstr(jb.buf, "\"sip\":{\"method\":\"REGISTER\",\"uri\":\"sip:sip.example.org\","
                                   "\"version\":\"SIP/2.0\",\"request_line\":\"REGISTER "
                                   "sip:sip.example.org SIP/2.0\"}"));
    json_buf_reset(&jb);
    json_open_object(&jb, NULL);
    assert_true(app_layer_tx_log_json(&fx->f, 1, &jb));
    json_close_object(&jb);
    assert_non_null(strstr(jb.buf, "\"sip\":{\"version\":\"SIP/2.0\",\"code\":\"401\","
                                   "\"reason\":\"Unauthorized\",\"response_line\":\"SIP/2.0 401 "
                                   "Unauthorized\"}"));
    json_buf_deinit(&jb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_line_and_headers),
        cmocka_unit_test(status_line_with_and_without_reason),
        cmocka_unit_test(compact_names_normalised),
        cmocka_unit_test(folded_header_joined),
        cmocka_unit_test(garbage_empty_and_truncated_start_lines),
        cmocka_unit_test(header_without_colon_keeps_the_rest),
        cmocka_unit_test(content_length_maximum_and_overflow),
        cmocka_unit_test(oversized_head_and_header_count),
        cmocka_unit_test(probe_start_lines),
        cmocka_unit_test_setup_teardown(udp_request_and_response_are_two_txs, setup_udp, teardown),
        cmocka_unit_test_setup_teardown(udp_keepalive_ignored_and_garbage_flagged, setup_udp,
                                        teardown),
        cmocka_unit_test_setup_teardown(multi_value_header_instances, setup_udp, teardown),
        cmocka_unit_test_setup_teardown(tcp_any_split_and_body_skipped, setup_tcp, teardown),
        cmocka_unit_test_setup_teardown(tcp_lying_content_length_bounded, setup_tcp, teardown),
        cmocka_unit_test_setup_teardown(tcp_endless_head_then_resync, setup_tcp, teardown),
        cmocka_unit_test_setup_teardown(tcp_cut_head_at_eof, setup_tcp, teardown),
        cmocka_unit_test_setup_teardown(eve_object, setup_udp, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
