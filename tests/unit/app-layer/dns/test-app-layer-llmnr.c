/* LLMNR (the DNS parser run as protocol "llmnr", app-layer-dns.c): detection on port 5355
 * only, a UDP flow opened by the answer (from 5355) keeps the answer toclient, llmnr.*
 * buffers, the EVE object under "llmnr"; DNS on port 53 stays DNS. */
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

static Fx *fx_new(uint16_t sp, uint16_t dp)
{
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 17, sp, dp);
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
    app_layer_set_proto_inspected(APP_PROTO_LLMNR, true);
    app_layer_set_proto_inspected(APP_PROTO_DNS, true);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    app_layer_set_proto_inspected(APP_PROTO_LLMNR, false);
    app_layer_set_proto_inspected(APP_PROTO_DNS, false);
    app_test_reset();
    return 0;
}

/* query id 9 "host" A; response: the same with an A record 10.0.0.9 */
static void build(DnsBuild *q, DnsBuild *r)
{
    memset(q, 0, sizeof(*q));
    memset(r, 0, sizeof(*r));
    db_header(q, 9, 0x0000, 1, 0, 0, 0);
    db_question(q, "host", 1);
    db_header(r, 9, 0x8000, 1, 1, 0, 0);
    db_question(r, "host", 1);
    db_ptr(r, 12);
    db_rr_fixed(r, 1, 30, 4);
    db_bytes(r, "\x0a\x00\x00\x09", 4);
}

static void feed(Fx *fx, uint8_t dir, const DnsBuild *m)
{
    app_test_feed(fx->af, dir, m->b, m->n);
}

static void llmnr_query_on_5355(void **state)
{
    (void)state;
    DnsBuild q, r;
    build(&q, &r);
    Fx *fx = fx_new(50000, 5355);
    feed(fx, APP_DIR_TOSERVER, &q);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_LLMNR);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_non_null(tx);
    assert_int_equal(tx->proto, APP_PROTO_LLMNR);
    int id = app_layer_buffer_find_for("llmnr.queries.rrname", APP_PROTO_LLMNR,
                                       APP_DIR_TOSERVER);
    assert_true(id >= 0);
    const uint8_t *p;
    uint32_t n;
    assert_true(app_layer_buffer_def(id)->get(&fx->f, tx, &p, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(p, "host", 4);
    JsonBuf jb;
    app_test_tx_json(&fx->f, tx->id, &jb, 512);
    app_test_json_has(jb.buf, "{\"llmnr\":{");
    json_buf_deinit(&jb);
    fx_free(fx);
}

/* The unicast answer opens its own flow from 5355: detected by that port, taken as the
 * server's answer (toclient), no not_request event. */
static void llmnr_answer_first_is_toclient(void **state)
{
    (void)state;
    DnsBuild q, r;
    build(&q, &r);
    Fx *fx = fx_new(5355, 50000);
    feed(fx, APP_DIR_TOSERVER, &r);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_LLMNR);
    const DnsTx *t = (const DnsTx *)app_layer_tx_at(&fx->f, 0);
    assert_non_null(t);
    assert_int_equal(t->dir, APP_DIR_TOCLIENT);
    assert_true(t->has_msg);
    assert_int_equal(t->tx.n_events, 0);
    int id = app_layer_buffer_find_for("llmnr.response.rrname", APP_PROTO_LLMNR,
                                       APP_DIR_TOCLIENT);
    assert_true(id >= 0);
    const uint8_t *p;
    uint32_t n;
    assert_true(app_layer_buffer_def(id)->get(&fx->f, &t->tx, &p, &n));
    fx_free(fx);
}

/* A query from port 5355 (both ports LLMNR-ish only at the source) is still a request. */
static void llmnr_query_from_5355_stays_request(void **state)
{
    (void)state;
    DnsBuild q, r;
    build(&q, &r);
    Fx *fx = fx_new(5355, 50000);
    feed(fx, APP_DIR_TOSERVER, &q);
    const DnsTx *t = (const DnsTx *)app_layer_tx_at(&fx->f, 0);
    assert_non_null(t);
    assert_int_equal(t->dir, APP_DIR_TOSERVER);
    fx_free(fx);
}

static void dns_port_stays_dns(void **state)
{
    (void)state;
    DnsBuild q, r;
    build(&q, &r);
    Fx *fx = fx_new(50000, 53);
    feed(fx, APP_DIR_TOSERVER, &q);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_DNS);
    fx_free(fx);
}

/* Garbage on 5355 is neither LLMNR nor DNS. */
static void llmnr_garbage_is_not_detected(void **state)
{
    (void)state;
    Fx *fx = fx_new(50000, 5355);
    static const uint8_t junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    app_test_feed(fx->af, APP_DIR_TOSERVER, junk, sizeof(junk) - 1);
    assert_int_not_equal(app_layer_flow_proto(&fx->f), APP_PROTO_LLMNR);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
    fx_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(llmnr_query_on_5355, setup, teardown),
        cmocka_unit_test_setup_teardown(llmnr_answer_first_is_toclient, setup, teardown),
        cmocka_unit_test_setup_teardown(llmnr_query_from_5355_stays_request, setup, teardown),
        cmocka_unit_test_setup_teardown(dns_port_stays_dns, setup, teardown),
        cmocka_unit_test_setup_teardown(llmnr_garbage_is_not_detected, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
