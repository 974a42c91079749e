/* HTTP/2 keywords (keywords/detect-kw-http2.c): parsing and refusals of http2.frametype,
 * http2.errorcode, http2.priority, http2.window, http2.size_update and http2.settings,
 * their matches on an HTTP/2 transaction filled by hand, and which http rules also
 * inspect HTTP/2 streams (also_http2). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/http2/app-layer-http2.h"
#include "detect-test.h"
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

/* Stream 3: the client sent HEADERS (priority 200), WINDOW_UPDATE 34634 and a table size
 * update to 0; the server SETTINGS (HEADER_TABLE_SIZE 8192) and RST_STREAM CANCEL. */
static Http2Tx *make_tx(void)
{
    Http2Tx *t = calloc(1, sizeof(*t));
    t->tx.proto = APP_PROTO_HTTP2;
    t->stream_id = 3;
    Http2Side *c = &t->side[APP_DIR_TOSERVER];
    c->frame_types[c->n_frames++] = HTTP2_FRAME_HEADERS;
    c->frame_types[c->n_frames++] = HTTP2_FRAME_WINDOW_UPDATE;
    c->priorities[c->n_priorities++] = 200;
    c->windows[c->n_windows++] = 34634;
    c->size_updates[c->n_size_updates++] = 0;
    Http2Side *s = &t->side[APP_DIR_TOCLIENT];
    s->frame_types[s->n_frames++] = HTTP2_FRAME_SETTINGS;
    s->frame_types[s->n_frames++] = HTTP2_FRAME_RST_STREAM;
    s->settings[s->n_settings++] = (Http2Setting){1, 8192};
    s->has_settings = true;
    s->has_error = true;
    s->error_code = 8;
    return t;
}

static bool kw_matches(const char *opts, const Http2Tx *t, uint8_t dir)
{
    char rule[256];
    snprintf(rule, sizeof(rule), "alert http2 any any -> any any (%s sid:1;)", opts);
    Parsed p;
    parse(&p, rule);
    if (p.rc != 0) {
        fail_msg("rule refused: %s (%s)", p.err, rule);
    }
    assert_int_equal(p.s->app->tx_ml.n, 1);
    const DetectMatch *m = &p.s->app->tx_ml.m[0];
    bool r = m->kw->tx_match(NULL, NULL, &t->tx, dir, m->ctx);
    done(&p);
    return r;
}

static void frametype_and_errorcode(void **state)
{
    (void)state;
    Http2Tx *t = make_tx();
    assert_true(kw_matches("http2.frametype:HEADERS;", t, APP_DIR_TOSERVER));
    assert_true(kw_matches("http2.frametype:window_update;", t, APP_DIR_TOSERVER));
    assert_true(kw_matches("http2.frametype:RSTSTREAM;", t, APP_DIR_TOCLIENT));
    assert_true(kw_matches("http2.frametype:4;", t, APP_DIR_TOCLIENT));
    assert_false(kw_matches("http2.frametype:GOAWAY;", t, APP_DIR_TOCLIENT));
    assert_false(kw_matches("http2.frametype:SETTINGS;", t, APP_DIR_TOSERVER));
    assert_true(kw_matches("http2.errorcode:CANCEL;", t, APP_DIR_TOCLIENT));
    assert_true(kw_matches("http2.errorcode:8;", t, APP_DIR_TOCLIENT));
    assert_false(kw_matches("http2.errorcode:NO_ERROR;", t, APP_DIR_TOCLIENT));
    assert_false(kw_matches("http2.errorcode:CANCEL;", t, APP_DIR_TOSERVER));
    free(t);
}

static void integer_forms(void **state)
{
    (void)state;
    Http2Tx *t = make_tx();
    assert_true(kw_matches("http2.priority:200;", t, APP_DIR_TOSERVER));
    assert_true(kw_matches("http2.priority:>150;", t, APP_DIR_TOSERVER));
    assert_false(kw_matches("http2.priority:>250;", t, APP_DIR_TOSERVER));
    assert_true(kw_matches("http2.window:34634;", t, APP_DIR_TOSERVER));
    assert_false(kw_matches("http2.window:34634;", t, APP_DIR_TOCLIENT));
    assert_true(kw_matches("http2.size_update:0;", t, APP_DIR_TOSERVER));
    assert_false(kw_matches("http2.size_update:>0;", t, APP_DIR_TOSERVER));
    assert_true(kw_matches("http2.settings:SETTINGS_HEADER_TABLE_SIZE;", t, APP_DIR_TOCLIENT));
    assert_true(kw_matches("http2.settings:SETTINGS_HEADER_TABLE_SIZE>1000;", t,
                           APP_DIR_TOCLIENT));
    assert_false(kw_matches("http2.settings:SETTINGS_HEADER_TABLE_SIZE<1000;", t,
                            APP_DIR_TOCLIENT));
    assert_false(kw_matches("http2.settings:SETTINGS_ENABLE_PUSH;", t, APP_DIR_TOCLIENT));
    free(t);
}

static void refusals(void **state)
{
    (void)state;
    expect_err("alert http2 any any -> any any (http2.frametype:NOPE; sid:1;)", "bad");
    expect_err("alert http2 any any -> any any (http2.frametype:256; sid:1;)", "bad");
    expect_err("alert http2 any any -> any any (http2.errorcode:; sid:1;)", "bad");
    expect_err("alert http2 any any -> any any (http2.priority:256; sid:1;)", "");
    expect_err("alert http2 any any -> any any (http2.settings:SETTINGS_FOO>1; sid:1;)",
               "unknown http2.settings id");
    expect_err("alert dns any any -> any any (http2.window:1; sid:1;)", "needs protocol http2");
}

static void http_rules_cover_http2(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "alert http any any -> any any (http.uri; content:\"/a\"; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_true(p.s->app->also_http2);
    done(&p);
    parse(&p, "alert http1 any any -> any any (http.uri; content:\"/a\"; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_false(p.s->app->also_http2);
    done(&p);
    /* http.stat_msg has no HTTP/2 form: such a rule stays HTTP/1 */
    parse(&p, "alert http any any -> any any (http.stat_msg; content:\"OK\"; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_false(p.s->app->also_http2);
    done(&p);
    /* an http2 keyword narrows an http rule to HTTP/2 */
    parse(&p, "alert http any any -> any any (http2.window:1; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.s->alproto, APP_PROTO_HTTP2);
    done(&p);
}

/* A multi-buffer named twice makes two instances (each may match another header); a
 * single buffer named twice stays one list. */
static void repeated_multi_buffer_is_two_instances(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "alert http2 any any -> any any (http.request_header; content:\"method: GET\"; "
              "http.request_header; content:\"authority: x\"; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.s->app->n_lists, 2);
    assert_int_equal(p.s->app->lists[0].ml.n, 1);
    assert_int_equal(p.s->app->lists[1].ml.n, 1);
    done(&p);
    parse(&p, "alert http2 any any -> any any (http.uri; content:\"/a\"; http.uri; "
              "content:\"b\"; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.s->app->n_lists, 1);
    assert_int_equal(p.s->app->lists[0].ml.n, 2);
    done(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frametype_and_errorcode),
        cmocka_unit_test(integer_forms),
        cmocka_unit_test(refusals),
        cmocka_unit_test(http_rules_cover_http2),
        cmocka_unit_test(repeated_multi_buffer_is_two_instances),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
