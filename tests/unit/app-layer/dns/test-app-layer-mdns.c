/* mDNS (the DNS parser run as protocol "mdns", app-layer-dns.c): detection on UDP port
 * 5353 only, mdns.* buffers, the EVE object under "mdns", an unasked announcement
 * (a response from 5353 to 5353) taken as a response without not_request, DNS on port
 * 53 unchanged, truncated and garbage messages. */
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
#include "dns-test-util.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-json.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static Fx *fx_new(uint8_t proto, uint16_t sp, uint16_t dp)
{
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, proto, sp, dp);
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
    app_layer_set_proto_inspected(APP_PROTO_MDNS, true);
    app_layer_set_proto_inspected(APP_PROTO_DNS, true);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    app_layer_set_proto_inspected(APP_PROTO_MDNS, false);
    app_layer_set_proto_inspected(APP_PROTO_DNS, false);
    app_test_reset();
    return 0;
}

/* query id 0 "printer.local" A (RFC 6762 section 18.1: multicast queries use id 0);
 * announcement: flags 0x8400 (QR, AA), no question, one answer 10.0.0.9 */
static void build(DnsBuild *q, DnsBuild *r)
{
    memset(q, 0, sizeof(*q));
    memset(r, 0, sizeof(*r));
    db_header(q, 0, 0x0000, 1, 0, 0, 0);
    db_question(q, "printer.local", 1);
    db_header(r, 0, 0x8400, 0, 1, 0, 0);
    db_name(r, "printer.local");
    db_rr_fixed(r, 1, 120, 4);
    db_bytes(r, "\x0a\x00\x00\x09", 4);
}

static void feed(Fx *fx, uint8_t dir, const uint8_t *b, uint32_t n)
{
    app_test_feed(fx->af, dir, b, n);
}

static bool buffer_get(Fx *fx, const AppTx *tx, const char *name, uint8_t dir,
                       const uint8_t **p, uint32_t *n)
{
    int id = app_layer_buffer_find_for(name, APP_PROTO_MDNS, dir);
    assert_true(id >= 0);
    return app_layer_buffer_def(id)->get(&fx->f, tx, p, n);
}

static void mdns_query_on_5353(void **state)
{
    (void)state;
    DnsBuild q, r;
    build(&q, &r);
    Fx *fx = fx_new(17, 5353, 5353);
    feed(fx, APP_DIR_TOSERVER, q.b, q.n);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_MDNS);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_non_null(tx);
    assert_int_equal(tx->proto, APP_PROTO_MDNS);
    assert_int_equal(tx->n_events, 0);
    const uint8_t *p;
    uint32_t n;
    assert_true(buffer_get(fx, tx, "mdns.queries.rrname", APP_DIR_TOSERVER, &p, &n));
    assert_int_equal(n, 13);
    assert_memory_equal(p, "printer.local", 13);
    JsonBuf jb;
    app_test_tx_json(&fx->f, tx->id, &jb, 512);
    app_test_json_has(jb.buf, "{\"mdns\":{");
    app_test_json_has(jb.buf, "\"type\":\"request\"");
    app_test_json_has(jb.buf, "\"rrname\":\"printer.local\"");
    json_buf_deinit(&jb);
    fx_free(fx);
}

/* A responder's announcement goes 5353 -> 224.0.0.251:5353 unasked: it stays toserver
 * (rules see it on its packet), is logged as a response, its answers in
 * mdns.answers.rrname, no not_request event. */
static void mdns_announcement_is_response(void **state)
{
    (void)state;
    DnsBuild q, r;
    build(&q, &r);
    Fx *fx = fx_new(17, 5353, 5353);
    feed(fx, APP_DIR_TOSERVER, r.b, r.n);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_MDNS);
    const DnsTx *t = (const DnsTx *)app_layer_tx_at(&fx->f, 0);
    assert_non_null(t);
    assert_int_equal(t->dir, APP_DIR_TOSERVER);
    assert_true(t->has_msg);
    assert_int_equal(t->tx.n_events, 0);
    const uint8_t *p;
    uint32_t n;
    assert_true(buffer_get(fx, &t->tx, "mdns.answers.rrname", APP_DIR_TOSERVER, &p, &n));
    assert_int_equal(n, 13);
    assert_memory_equal(p, "printer.local", 13);
    assert_false(buffer_get(fx, &t->tx, "mdns.queries.rrname", APP_DIR_TOSERVER, &p, &n));
    JsonBuf jb;
    app_test_tx_json(&fx->f, t->tx.id, &jb, 512);
    app_test_json_has(jb.buf, "\"type\":\"response\"");
    json_buf_deinit(&jb);
    fx_free(fx);
}

static void dns_port_stays_dns(void **state)
{
    (void)state;
    DnsBuild q, r;
    build(&q, &r);
    Fx *fx = fx_new(17, 50000, 53);
    feed(fx, APP_DIR_TOSERVER, q.b, q.n);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_DNS);
    fx_free(fx);
}

/* After a query, the same query cut inside its question and one cut inside its header:
 * each a tx carrying an event and no message (nothing for buffers or records). A cut
 * query as the flow's first packet is not taken for mDNS. */
static void mdns_truncated_query_raises_event(void **state)
{
    (void)state;
    DnsBuild q, r;
    build(&q, &r);
    Fx *fx = fx_new(17, 5353, 5353);
    feed(fx, APP_DIR_TOSERVER, q.b, q.n);
    feed(fx, APP_DIR_TOSERVER, q.b, q.n - 3);
    feed(fx, APP_DIR_TOSERVER, q.b, 7);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_MDNS);
    assert_int_equal(app_layer_tx_count(&fx->f), 3);
    for (uint32_t i = 1; i < 3; i++) {
        const DnsTx *t = (const DnsTx *)app_layer_tx_at(&fx->f, i);
        assert_false(t->has_msg);
        assert_true(t->tx.n_events > 0);
        const uint8_t *p;
        uint32_t n;
        assert_false(buffer_get(fx, &t->tx, "mdns.queries.rrname", APP_DIR_TOSERVER, &p, &n));
    }
    fx_free(fx);
    fx = fx_new(17, 5353, 5353);
    feed(fx, APP_DIR_TOSERVER, q.b, q.n - 3);
    assert_int_not_equal(app_layer_flow_proto(&fx->f), APP_PROTO_MDNS);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
    fx_free(fx);
}

/* Garbage on 5353 and a DNS query over TCP 5353 are not mDNS. */
static void mdns_garbage_and_tcp_not_detected(void **state)
{
    (void)state;
    Fx *fx = fx_new(17, 50000, 5353);
    static const uint8_t junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    feed(fx, APP_DIR_TOSERVER, junk, sizeof(junk) - 1);
    assert_int_not_equal(app_layer_flow_proto(&fx->f), APP_PROTO_MDNS);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
    fx_free(fx);
    DnsBuild q, r;
    build(&q, &r);
    uint8_t framed[2 + sizeof(q.b)];
    framed[0] = (uint8_t)(q.n >> 8);
    framed[1] = (uint8_t)q.n;
    memcpy(framed + 2, q.b, q.n);
    fx = fx_new(6, 50000, 5353);
    feed(fx, APP_DIR_TOSERVER, framed, q.n + 2);
    assert_int_not_equal(app_layer_flow_proto(&fx->f), APP_PROTO_MDNS);
    fx_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(mdns_query_on_5353, setup, teardown),
        cmocka_unit_test_setup_teardown(mdns_announcement_is_response, setup, teardown),
        cmocka_unit_test_setup_teardown(dns_port_stays_dns, setup, teardown),
        cmocka_unit_test_setup_teardown(mdns_truncated_query_raises_event, setup, teardown),
        cmocka_unit_test_setup_teardown(mdns_garbage_and_tcp_not_detected, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
