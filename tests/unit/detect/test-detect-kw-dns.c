/* DNS keywords (keywords/detect-kw-dns.c): parsing and refusals of dns.opcode, dns.rcode,
 * dns.rrtype (with index) and dns_query, and their matches on real DNS transactions made
 * by the app layer from crafted messages. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/dns/app-layer-dns.h"
#include "app-layer/dns/dns-test-util.h"
#include "detect-test.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-error.h"

typedef struct Parsed {
    DetectEngine *de;
    Signature *s;
    char err[256];
    int rc;
} Parsed;

static void parse(Parsed *p, const char *rule)
{
    util_log_set_level(LOG_LEVEL_ERROR);
    p->de = detect_engine_new_empty();
    p->s = NULL;
    p->err[0] = '\0';
    p->rc = detect_parse_rule(p->de, rule, "t.rules", 1, &p->s, p->err, sizeof(p->err));
}

static void done(Parsed *p)
{
    detect_sig_free(p->s);
    detect_engine_free(p->de);
}

static void expect_err(const char *rule, const char *reason)
{
    Parsed p;
    parse(&p, rule);
    int rc = p.rc;
    char err[256];
    memcpy(err, p.err, sizeof(err));
    done(&p);
    if (rc == 0) {
        fail_msg("rule accepted: %s", rule);
    }
    if (strstr(err, reason) == NULL) {
        fail_msg("reason '%s' lacks '%s' (%s)", err, reason, rule);
    }
}

/* A flow holding two DNS txs: request id 1, opcode 4 (NOTIFY), rcode 0; response with
 * answers CNAME then A and rcode 3. */
typedef struct Fx {
    Flow f;
    AppFlow *af;
    AppTx *req;
    AppTx *resp;
} Fx;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_DNS, true);  // keep the txs
    Fx *fx = calloc(1, sizeof(*fx));
    fx->f.key.proto = 17;
    fx->f.key.src.family = fx->f.key.dst.family = 4;
    fx->f.key.sp = 40000;
    fx->f.key.dp = 53;
    fx->af = app_flow_get_or_new(&fx->f);
    DnsBuild d;
    db_header(&d, 1, 4 << 11, 1, 0, 0, 0);
    db_question(&d, "zone.example", DNS_RR_SOA);
    app_flow_data(fx->af, APP_DIR_TOSERVER, d.b, d.n);
    db_header(&d, 1, 0x8000 | 3, 1, 2, 0, 0);
    db_question(&d, "a.example", DNS_RR_A);
    db_ptr(&d, 12);
    db_rr_fixed(&d, DNS_RR_CNAME, 1, 2);
    db_ptr(&d, 14);
    db_ptr(&d, 14);
    db_rr_fixed(&d, DNS_RR_A, 1, 4);
    db_bytes(&d, "\x01\x02\x03\x04", 4);
    app_flow_data(fx->af, APP_DIR_TOCLIENT, d.b, d.n);
    app_flow_packet_publish(fx->af);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    fx->req = app_layer_tx_at(&fx->f, 0);
    fx->resp = app_layer_tx_at(&fx->f, 1);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_DNS, false);
    app_layer_deinit();
    flow_storage_reset();
    counters_reset();
    return 0;
}

/* Does the rule's only tx keyword match tx in dir? */
static bool kw_matches(const Fx *fx, const char *opts, const AppTx *tx, uint8_t dir)
{
    char rule[256];
    snprintf(rule, sizeof(rule), "alert dns any any -> any any (%s sid:1;)", opts);
    Parsed p;
    parse(&p, rule);
    if (p.rc != 0) {
        fail_msg("rule refused: %s (%s)", p.err, rule);
    }
    assert_non_null(p.s->app);
    assert_int_equal(p.s->app->tx_ml.n, 1);
    const DetectMatch *m = &p.s->app->tx_ml.m[0];
    bool r = m->kw->tx_match(NULL, &fx->f, tx, dir, m->ctx);
    done(&p);
    return r;
}

static void opcode_and_rcode_match_the_header(void **state)
{
    Fx *fx = *state;
    assert_true(kw_matches(fx, "dns.opcode:4;", fx->req, APP_DIR_TOSERVER));
    assert_true(kw_matches(fx, "dns.opcode:!0;", fx->req, APP_DIR_TOSERVER));
    assert_false(kw_matches(fx, "dns.opcode:!4;", fx->req, APP_DIR_TOSERVER));
    assert_true(kw_matches(fx, "dns.opcode:3-5;", fx->req, APP_DIR_TOSERVER));
    /* A request tx is never seen as a response. */
    assert_false(kw_matches(fx, "dns.opcode:4;", fx->req, APP_DIR_TOCLIENT));
    assert_true(kw_matches(fx, "dns.rcode:3;", fx->resp, APP_DIR_TOCLIENT));
    assert_true(kw_matches(fx, "dns.rcode:>2;", fx->resp, APP_DIR_TOCLIENT));
    assert_false(kw_matches(fx, "dns.rcode:0;", fx->resp, APP_DIR_TOCLIENT));
}

static void rrtype_index_forms(void **state)
{
    Fx *fx = *state;
    assert_true(kw_matches(fx, "dns.rrtype:6;", fx->req, APP_DIR_TOSERVER));   // question
    assert_true(kw_matches(fx, "dns.rrtype:1;", fx->resp, APP_DIR_TOCLIENT));  // any answer
    assert_false(kw_matches(fx, "dns.rrtype:1,0;", fx->resp, APP_DIR_TOCLIENT));
    assert_true(kw_matches(fx, "dns.rrtype:5,0;", fx->resp, APP_DIR_TOCLIENT));
    assert_true(kw_matches(fx, "dns.rrtype:1,-1;", fx->resp, APP_DIR_TOCLIENT));
    assert_false(kw_matches(fx, "dns.rrtype:1,all;", fx->resp, APP_DIR_TOCLIENT));
    assert_true(kw_matches(fx, "dns.rrtype:<10,all1;", fx->resp, APP_DIR_TOCLIENT));
    assert_false(kw_matches(fx, "dns.rrtype:1,5;", fx->resp, APP_DIR_TOCLIENT));
}

static void refusals(void **state)
{
    (void)state;
    expect_err("alert dns any any -> any any (dns.opcode:16; sid:1;)", "bad number");
    expect_err("alert dns any any -> any any (dns.rrtype:1,first; sid:1;)", "index");
    expect_err("alert http any any -> any any (dns.rcode:1; sid:1;)", "needs protocol dns");
    expect_err("alert icmp any any -> any any (dns.opcode:1; sid:1;)", "TCP and UDP");
}

static void dns_query_is_the_dns_query_buffer(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "alert udp any any -> any any (dns_query; content:\"x\"; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.s->alproto, APP_PROTO_DNS);
    int idx = detect_app_buf_find("dns.query");
    assert_true(idx >= 0);
    assert_non_null(detect_sig_list(p.s, DETECT_LIST_APP_FIRST + idx));
    assert_true(p.s->protos[17 / 8] & (1u << (17 % 8)));
    done(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(opcode_and_rcode_match_the_header, setup, teardown),
        cmocka_unit_test_setup_teardown(rrtype_index_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(dns_query_is_the_dns_query_buffer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
