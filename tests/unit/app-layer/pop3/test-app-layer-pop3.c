/* POP3 through the app-layer framework on a TCP flow to port 110: detection from the
 * greeting, the greeting as a tx of its own, commands with their answers (arguments,
 * -ERR), multi-line bodies ended by "." (dot-stuffing), pipelined commands, a SASL
 * challenge, byte-by-byte splits, an overlong line, an unknown command, a status line
 * that is neither, detection refused off port 110, and the EVE objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/pop3/app-layer-pop3.h"
#include "flow/flow.h"
#include "util/util-json.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_POP3, true); // txs stay until inspected
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, 40000, 110);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_POP3, false);
    app_test_reset();
    return 0;
}

static const Pop3Tx *tx_at(Fx *fx, uint32_t i)
{
    return pop3_tx(app_layer_tx_at(&fx->f, i));
}

static void cli(Fx *fx, const char *s)
{
    app_test_feed_str(fx->af, APP_DIR_TOSERVER, s);
}

static void srv(Fx *fx, const char *s)
{
    app_test_feed_str(fx->af, APP_DIR_TOCLIENT, s);
}

static void json_of(Fx *fx, uint64_t id, JsonBuf *jb)
{
    app_test_tx_json(&fx->f, id, jb, 1024);
}

static void session(void **state)
{
    Fx *fx = *state;
    srv(fx, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
    assert_int_equal(fx->f.app_proto, APP_PROTO_POP3);
    cli(fx, "USER mrose\r\n");
    srv(fx, "+OK mrose is a real hoopy frood\r\n");
    cli(fx, "PASS secret\r\n");
    srv(fx, "-ERR maildrop already locked\r\n");
    cli(fx, "RETR 1\r\n");
    srv(fx, "+OK 120 octets\r\nSubject: hi\r\n..dot-stuffed\r\n\r\nbody\r\n.\r\n");
    assert_int_equal(app_layer_tx_count(&fx->f), 4);
    const Pop3Tx *g = tx_at(fx, 0);
    assert_false(g->has_request);
    assert_true(g->has_response && g->success);
    assert_true(app_layer_tx_complete(&fx->f, &g->tx, APP_DIR_TOSERVER));
    assert_true(app_layer_tx_complete(&fx->f, &g->tx, APP_DIR_TOCLIENT));
    const Pop3Tx *u = tx_at(fx, 1);
    assert_string_equal(u->command, "USER");
    assert_int_equal(u->n_args, 1);
    assert_memory_equal(u->args[0], "mrose", 5);
    const Pop3Tx *p = tx_at(fx, 2);
    assert_false(p->success);
    const Pop3Tx *r = tx_at(fx, 3);
    assert_true(r->success);
    assert_int_equal(r->data_lines, 4);
    assert_int_equal(r->data_bytes, strlen("Subject: hi") + strlen(".dot-stuffed") + 4);
    assert_true(app_layer_tx_complete(&fx->f, &r->tx, APP_DIR_TOCLIENT));

    JsonBuf jb;
    json_of(fx, 0, &jb);
    assert_string_equal(jb.buf, "{\"pop3\":{\"response\":{\"success\":true,\"status\":\"OK\","
                                "\"header\":\"POP3 server ready "
                                "<1896.697170952@dbc.mtview.ca.us>\"}}}");
    json_buf_deinit(&jb);
    json_of(fx, 1, &jb);
    app_test_json_has(jb.buf, "\"request\":{\"command\":\"USER\",\"args\":[\"mrose\"]}");
    json_buf_deinit(&jb);
    json_of(fx, 2, &jb);
    app_test_json_has(jb.buf, "\"response\":{\"success\":false,\"status\":\"ERR\","
                              "\"header\":\"maildrop already locked\"}");
    json_buf_deinit(&jb);
    json_of(fx, 3, &jb);
    app_test_json_has(jb.buf, "\"data_lines\":4");
    json_buf_deinit(&jb);
}

/* A multi-line answer is not complete before its ".": LIST without an argument has a
 * body, LIST with one does not; an -ERR never has one. */
static void bodies_by_command(void **state)
{
    Fx *fx = *state;
    srv(fx, "+OK ready\r\n");
    cli(fx, "LIST\r\n");
    srv(fx, "+OK 2 messages\r\n1 120\r\n");
    const Pop3Tx *l = tx_at(fx, 1);
    assert_false(app_layer_tx_complete(&fx->f, &l->tx, APP_DIR_TOCLIENT));
    srv(fx, "2 200\r\n.\r\n");
    assert_true(app_layer_tx_complete(&fx->f, &l->tx, APP_DIR_TOCLIENT));
    assert_int_equal(l->data_lines, 2);
    cli(fx, "LIST 2\r\n");
    srv(fx, "+OK 2 200\r\n");
    assert_true(app_layer_tx_complete(&fx->f, &tx_at(fx, 2)->tx, APP_DIR_TOCLIENT));
    cli(fx, "TOP 9 0\r\n");
    srv(fx, "-ERR no such message\r\n");
    const Pop3Tx *t = tx_at(fx, 3);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, APP_DIR_TOCLIENT));
    assert_int_equal(t->n_args, 2);
    /* the next answer goes to the next command, not into a body */
    cli(fx, "NOOP\r\n");
    srv(fx, "+OK\r\n");
    assert_true(tx_at(fx, 4)->success);
    assert_int_equal(tx_at(fx, 4)->header_len, 0);
}

/* Pipelined commands (RFC 2449): answers in order; the same bytes split one by one
 * give the same txs. */
static void pipelining_and_splits(void **state)
{
    Fx *fx = *state;
    const char *greet = "+OK ready\r\n";
    const char *cmds = "STAT\r\nUIDL\r\nDELE 1\r\n";
    const char *answers = "+OK 1 10\r\n+OK\r\n1 abc\r\n.\r\n-ERR nope\r\n";
    for (const char *s = greet; *s != '\0'; s++) {
        app_test_feed(fx->af, APP_DIR_TOCLIENT, s, 1);
    }
    for (const char *s = cmds; *s != '\0'; s++) {
        app_test_feed(fx->af, APP_DIR_TOSERVER, s, 1);
    }
    for (const char *s = answers; *s != '\0'; s++) {
        app_test_feed(fx->af, APP_DIR_TOCLIENT, s, 1);
    }
    assert_int_equal(app_layer_tx_count(&fx->f), 4);
    assert_string_equal(tx_at(fx, 1)->command, "STAT");
    assert_memory_equal(tx_at(fx, 1)->header, "1 10", 4);
    assert_string_equal(tx_at(fx, 2)->command, "UIDL");
    assert_int_equal(tx_at(fx, 2)->data_lines, 1);
    assert_string_equal(tx_at(fx, 3)->command, "DELE");
    assert_false(tx_at(fx, 3)->success);
    for (uint32_t i = 0; i < 4; i++) {
        assert_true(app_layer_tx_complete(&fx->f, &tx_at(fx, i)->tx, APP_DIR_TOCLIENT));
    }
}

/* A SASL challenge keeps the AUTH tx open and the client's answer is not a command. */
static void sasl_challenge(void **state)
{
    Fx *fx = *state;
    srv(fx, "+OK ready\r\n");
    cli(fx, "AUTH PLAIN\r\n");
    srv(fx, "+ \r\n");
    cli(fx, "AGFsaWNlAHNlY3JldA==\r\n");
    srv(fx, "+OK logged in\r\n");
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    const Pop3Tx *a = tx_at(fx, 1);
    assert_string_equal(a->command, "AUTH");
    assert_true(a->continuation);
    assert_true(a->success);
    assert_true(app_layer_tx_complete(&fx->f, &a->tx, APP_DIR_TOCLIENT));
    cli(fx, "QUIT\r\n");
    assert_string_equal(tx_at(fx, 2)->command, "QUIT");
}

/* Malformed input: an overlong command line is cut and flagged, an unknown command
 * is flagged, a status line that is neither +OK nor -ERR is flagged and answers
 * nothing, lines without CR are taken, and a huge body line is only counted. */
static void malformed(void **state)
{
    Fx *fx = *state;
    srv(fx, "+OK ready\n");
    char big[3 * POP3_LINE_MAX];
    memcpy(big, "USER ", 5);
    memset(big + 5, 'a', sizeof(big) - 8);
    memcpy(big + sizeof(big) - 3, "\r\n", 3);
    cli(fx, big);
    srv(fx, "+OK\r\n");
    const Pop3Tx *u = tx_at(fx, 1);
    assert_true(app_test_tx_has_event(&u->tx, "pop3.line_too_long"));
    assert_int_equal(u->arg_len[0], POP3_ARG_MAX);
    cli(fx, "XYZZY now\n");
    srv(fx, "garbage\r\n");
    const Pop3Tx *x = tx_at(fx, 2);
    assert_true(app_test_tx_has_event(&x->tx, "pop3.unknown_command"));
    assert_true(app_test_tx_has_event(&x->tx, "pop3.unexpected_response"));
    assert_false(x->has_response);
    srv(fx, "-ERR what\r\n");
    assert_true(x->has_response);
    cli(fx, "RETR 1\r\n");
    srv(fx, "+OK\r\n");
    big[0] = 'Z';
    srv(fx, big);
    srv(fx, ".\r\n");
    const Pop3Tx *r = tx_at(fx, 3);
    assert_int_equal(r->data_lines, 1);
    assert_true(app_layer_tx_complete(&fx->f, &r->tx, APP_DIR_TOCLIENT));
    assert_false(app_test_tx_has_event(&r->tx, "pop3.line_too_long"));
}

/* "+OK" opens POP3 on port 110 only, and an FTP-like "USER" from the client of a
 * POP3 flow confirms POP3 (no mismatch). */
static void detection(void **state)
{
    Fx *fx = *state;
    srv(fx, "+OK hello\r\n");
    cli(fx, "USER bob\r\n");
    assert_int_equal(fx->f.app_proto, APP_PROTO_POP3);
    const AppEventId *ids = NULL;
    assert_int_equal(app_layer_flow_events(&fx->f, &ids), 0);
    Flow other;
    memset(&other, 0, sizeof(other));
    AppFlow *af = app_test_flow_open(&other, 6, 40001, 2110);
    app_test_feed_str(af, APP_DIR_TOCLIENT, "+OK hello\r\n");
    assert_int_not_equal(other.app_proto, APP_PROTO_POP3);
    app_flow_free(af);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(session), T(bodies_by_command), T(pipelining_and_splits), T(sasl_challenge),
        T(malformed), T(detection),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
