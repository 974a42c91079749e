/* DNS through the app-layer framework, fed as the UDP module and the stream subscriber
 * feed it: detection, one tx per message in its direction, TCP framing across segments,
 * gaps, events, buffers (multi-instance) and the EVE object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/dns/app-layer-dns.h"
#include "app-layer/dns/app-layer-dns-tx.h"
#include "app-layer/dns/dns-test-util.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-error.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static DnsBuild g_q;
static DnsBuild g_r;

static int setup_proto(void **state, uint8_t proto, uint16_t dp)
{
    assert_int_equal(app_layer_init(NULL), 0);
    /* "Rules exist": txs then wait for detect's INSPECTED flags, which no one sets
     * here, so the test can look at every tx the parser made. */
    app_layer_set_proto_inspected(APP_PROTO_DNS, true);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, proto, 40000, dp);
    *state = fx;
    /* query id 7: www.example.com A; response: CNAME then A. */
    db_header(&g_q, 7, 0x0100, 1, 0, 0, 0);
    db_question(&g_q, "www.example.com", DNS_RR_A);
    db_header(&g_r, 7, 0x8180, 1, 2, 0, 0);
    db_question(&g_r, "www.example.com", DNS_RR_A);
    db_ptr(&g_r, 12);
    db_rr_fixed(&g_r, DNS_RR_CNAME, 60, 6);
    db_u8(&g_r, 3);
    db_bytes(&g_r, "cdn", 3);
    db_ptr(&g_r, 16);
    db_u8(&g_r, 3);
    db_bytes(&g_r, "cdn", 3);
    db_ptr(&g_r, 16);
    db_rr_fixed(&g_r, DNS_RR_A, 60, 4);
    db_bytes(&g_r, "\x0a\x00\x00\x01", 4);
    return 0;
}

static int setup_udp(void **state)
{
    return setup_proto(state, 17, 53);
}

static int setup_tcp(void **state)
{
    return setup_proto(state, 6, 53);
}

static int setup_tcp_odd_port(void **state)
{
    return setup_proto(state, 6, 5300);   // not a DNS port: the strict probe decides
}

static int setup_udp_netbios(void **state)
{
    return setup_proto(state, 17, 137);   // NetBIOS name service: not a DNS port
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_DNS, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const uint8_t *d, uint32_t n)
{
    app_test_feed(fx->af, dir, d, n);
}

/* The length-prefixed form of a message. */
static uint32_t tcp_form(const DnsBuild *m, uint8_t *out)
{
    out[0] = (uint8_t)(m->n >> 8);
    out[1] = (uint8_t)m->n;
    memcpy(out + 2, m->b, m->n);
    return m->n + 2;
}

static void multi_is(const Fx *fx, const AppTx *tx, const char *name, uint8_t dir,
                     const char *const *want, uint32_t n_want)
{
    int id = app_layer_buffer_find_for(name, APP_PROTO_DNS, dir);
    assert_true(id >= 0);
    const AppBufferDef *d = app_layer_buffer_def(id);
    assert_non_null(d->get_multi);
    const uint8_t *data;
    uint32_t len;
    uint32_t i = 0;
    for (; d->get_multi(&fx->f, tx, i, &data, &len); i++) {
        assert_true(i < n_want);
        assert_int_equal(len, strlen(want[i]));
        assert_memory_equal(data, want[i], len);
    }
    assert_int_equal(i, n_want);
}

static void udp_query_and_response_are_two_txs(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_q.b, g_q.n);
    assert_int_equal(fx->f.app_proto, APP_PROTO_DNS);
    feed(fx, APP_DIR_TOCLIENT, g_r.b, g_r.n);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    AppTx *q = app_layer_tx_at(&fx->f, 0);
    AppTx *r = app_layer_tx_at(&fx->f, 1);
    assert_int_equal(q->id, 0);
    assert_int_equal(r->id, 1);
    /* Each tx is complete both ways at once: nothing waits for the other side. */
    assert_true(app_layer_tx_complete(&fx->f, q, 0) && app_layer_tx_complete(&fx->f, q, 1));
    assert_true(app_layer_tx_complete(&fx->f, r, 0) && app_layer_tx_complete(&fx->f, r, 1));
    assert_true(r->flags & APP_TX_F_UPDATED_TC);
    assert_false(r->flags & APP_TX_F_UPDATED_TS);
    assert_false(dns_tx_is_response(q));
    assert_true(dns_tx_is_response(r));
}

static void buffers_give_one_instance_per_record(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_q.b, g_q.n);
    feed(fx, APP_DIR_TOCLIENT, g_r.b, g_r.n);
    AppTx *q = app_layer_tx_at(&fx->f, 0);
    AppTx *r = app_layer_tx_at(&fx->f, 1);
    static const char *const qn[] = {"www.example.com"};
    multi_is(fx, q, "dns.query", APP_DIR_TOSERVER, qn, 1);
    multi_is(fx, r, "dns.queries.rrname", APP_DIR_TOCLIENT, qn, 1);
    static const char *const an[] = {"www.example.com", "cdn.example.com"};
    multi_is(fx, r, "dns.answers.rrname", APP_DIR_TOCLIENT, an, 2);
    static const char *const rn[] = {"www.example.com", "www.example.com", "cdn.example.com",
                                     "cdn.example.com"};
    multi_is(fx, r, "dns.response.rrname", APP_DIR_TOCLIENT, rn, 4);
    /* A request offers nothing to toclient rows, a response nothing to toserver rows. */
    multi_is(fx, q, "dns.queries.rrname", APP_DIR_TOCLIENT, NULL, 0);
    multi_is(fx, r, "dns.query", APP_DIR_TOSERVER, NULL, 0);
    uint16_t t;
    assert_true(dns_tx_rrtype_at(r, APP_DIR_TOCLIENT, 1, &t));
    assert_int_equal(t, DNS_RR_A);
    assert_int_equal(dns_tx_rrtype_count(r, APP_DIR_TOCLIENT), 2);
}

static void wrong_direction_and_header_events(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_q.b, g_q.n);
    /* A response sent toserver, with Z set and opcode 9. */
    g_r.b[2] = 0x80 | (9 << 3);
    g_r.b[3] = 0x40;
    feed(fx, APP_DIR_TOSERVER, g_r.b, g_r.n);
    AppTx *tx = app_layer_tx_at(&fx->f, 1);
    assert_true(app_test_tx_has_event(tx, "dns.not_request"));
    assert_true(app_test_tx_has_event(tx, "dns.z_flag_set"));
    assert_true(app_test_tx_has_event(tx, "dns.invalid_opcode"));
    uint16_t flags;
    assert_false(dns_tx_flags(tx, APP_DIR_TOSERVER, &flags));  // no message kept
    /* A query sent toclient. */
    feed(fx, APP_DIR_TOCLIENT, g_q.b, g_q.n);
    assert_true(app_test_tx_has_event(app_layer_tx_at(&fx->f, 2), "dns.not_response"));
    /* A truncated datagram. */
    feed(fx, APP_DIR_TOSERVER, g_q.b, 13);
    assert_true(app_test_tx_has_event(app_layer_tx_at(&fx->f, 3), "dns.malformed_data"));
}

static void eve_object_v3(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_q.b, g_q.n);
    feed(fx, APP_DIR_TOCLIENT, g_r.b, g_r.n);
    JsonBuf jb;
    app_test_tx_json(&fx->f, 1, &jb, 256);
    assert_true(json_complete(&jb));
    app_test_json_has(jb.buf, "\"type\":\"response\"");
    app_test_json_has(jb.buf, "\"flags\":\"8180\"");
    app_test_json_has(jb.buf, "\"rcode\":\"NOERROR\"");
    app_test_json_has(jb.buf, "{\"rrname\":\"www.example.com\",\"rrtype\":\"CNAME\","
                              "\"ttl\":60,\"rdata\":\"cdn.example.com\"}");
    app_test_json_has(jb.buf, "\"rdata\":\"10.0.0.1\"");
    assert_int_equal(dns_tx_log_record_count(app_layer_tx_at(&fx->f, 0)), 1);
    json_buf_deinit(&jb);
}

/* AAAA rdata is logged in full, as Suricata does. */
static void eve_aaaa_full_form(void **state)
{
    Fx *fx = *state;
    static DnsBuild r6;
    memset(&r6, 0, sizeof(r6));
    db_header(&r6, 7, 0x8180, 1, 1, 0, 0);
    db_question(&r6, "www.example.com", DNS_RR_AAAA);
    db_ptr(&r6, 12);
    db_rr_fixed(&r6, DNS_RR_AAAA, 60, 16);
    db_bytes(&r6, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
    feed(fx, APP_DIR_TOSERVER, g_q.b, g_q.n);
    feed(fx, APP_DIR_TOCLIENT, r6.b, r6.n);
    JsonBuf jb;
    app_test_tx_json(&fx->f, 1, &jb, 256);
    app_test_json_has(jb.buf, "\"rdata\":\"2001:0db8:0000:0000:0000:0000:0000:0001\"");
    json_buf_deinit(&jb);
}

static void tcp_messages_across_and_within_segments(void **state)
{
    Fx *fx = *state;
    uint8_t s[1200];
    uint32_t n = tcp_form(&g_q, s);
    n += tcp_form(&g_q, s + n);               // two queries back to back
    /* Byte by byte: the framing must not depend on segment bounds. */
    for (uint32_t i = 0; i < n; i++) {
        feed(fx, APP_DIR_TOSERVER, s + i, 1);
    }
    assert_int_equal(fx->f.app_proto, APP_PROTO_DNS);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    uint32_t m = tcp_form(&g_r, s);
    feed(fx, APP_DIR_TOCLIENT, s, 5);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    feed(fx, APP_DIR_TOCLIENT, s + 5, m - 5);
    assert_int_equal(app_layer_tx_count(&fx->f), 3);
    assert_true(dns_tx_is_response(app_layer_tx_at(&fx->f, 2)));
}

static void tcp_gap_resyncs_on_the_next_message(void **state)
{
    Fx *fx = *state;
    uint8_t s[600];
    uint32_t n = tcp_form(&g_q, s);
    feed(fx, APP_DIR_TOSERVER, s, n);
    feed(fx, APP_DIR_TOSERVER, s, 10);        // a message starts ...
    app_flow_gap(fx->af, APP_DIR_TOSERVER);   // ... and its end is lost
    feed(fx, APP_DIR_TOSERVER, s + 20, 9);    // the tail of it: skipped
    feed(fx, APP_DIR_TOSERVER, s, n);         // a new message: parsed
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
}

/* Off the DNS ports a whole, clean message is needed; a fragment of junk is not DNS. */
static void odd_port_needs_a_whole_clean_message(void **state)
{
    Fx *fx = *state;
    uint8_t s[600];
    uint32_t n = tcp_form(&g_q, s);
    feed(fx, APP_DIR_TOSERVER, s, n);
    assert_int_equal(fx->f.app_proto, APP_PROTO_DNS);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
}

static void odd_port_refuses_a_short_fragment(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, (const uint8_t *)"\x01\x02\x03", 3);
    assert_int_equal(app_layer_flow_proto_dir(&fx->f, APP_DIR_TOSERVER), APP_PROTO_UNKNOWN);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
}

/* NetBIOS name service speaks the DNS format on UDP 137: a query for a NetBIOS name
 * (32 letters A-P) is not DNS off DNS ports; a DNS name there still is. */
static void odd_port_refuses_a_netbios_name_query(void **state)
{
    Fx *fx = *state;
    DnsBuild nb;
    db_header(&nb, 0x1234, 0x0110, 1, 0, 0, 0);
    db_question(&nb, "FHEPFCELEHFCEPFFFACACACACACACABN", 32);   // "WORKGROUP<1d>", type NB
    feed(fx, APP_DIR_TOSERVER, nb.b, nb.n);
    assert_int_equal(app_layer_flow_proto_dir(&fx->f, APP_DIR_TOSERVER), APP_PROTO_UNKNOWN);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
}

static void odd_port_takes_a_dns_name_query(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_q.b, g_q.n);
    assert_int_equal(fx->f.app_proto, APP_PROTO_DNS);
}

/* Queries that never get an answer do not pile up: each tx is complete on arrival and
 * freed once detect and loggers are done (here: no rules, no loggers). */
static void unanswered_queries_are_freed(void **state)
{
    Fx *fx = *state;
    app_layer_set_proto_inspected(APP_PROTO_DNS, false);
    for (int i = 0; i < 100; i++) {
        feed(fx, APP_DIR_TOSERVER, g_q.b, g_q.n);
    }
    app_flow_packet_publish(fx->af);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(udp_query_and_response_are_two_txs, setup_udp,
                                        teardown),
        cmocka_unit_test_setup_teardown(buffers_give_one_instance_per_record, setup_udp,
                                        teardown),
        cmocka_unit_test_setup_teardown(wrong_direction_and_header_events, setup_udp, teardown),
        cmocka_unit_test_setup_teardown(eve_object_v3, setup_udp, teardown),
        cmocka_unit_test_setup_teardown(eve_aaaa_full_form, setup_udp, teardown),
        cmocka_unit_test_setup_teardown(tcp_messages_across_and_within_segments, setup_tcp,
                                        teardown),
        cmocka_unit_test_setup_teardown(tcp_gap_resyncs_on_the_next_message, setup_tcp,
                                        teardown),
        cmocka_unit_test_setup_teardown(unanswered_queries_are_freed, setup_udp, teardown),
        cmocka_unit_test_setup_teardown(odd_port_needs_a_whole_clean_message,
                                        setup_tcp_odd_port, teardown),
        cmocka_unit_test_setup_teardown(odd_port_refuses_a_netbios_name_query, setup_udp_netbios,
                                        teardown),
        cmocka_unit_test_setup_teardown(odd_port_takes_a_dns_name_query, setup_udp_netbios,
                                        teardown),
        cmocka_unit_test_setup_teardown(odd_port_refuses_a_short_fragment, setup_tcp_odd_port,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
