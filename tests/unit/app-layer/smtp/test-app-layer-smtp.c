/* SMTP through the app-layer framework, fed as the stream subscriber feeds it: envelope,
 * DATA with dot-unstuffing, MIME (headers, folding, multipart, base64 and
 * quoted-printable attachments as files, URLs), pipelining, BDAT, STARTTLS hand-over,
 * replies, byte-by-byte splits, and bad input (endless lines, MIME bombs, garbage
 * replies) with bounded memory. */
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
#include "app-layer/smtp/app-layer-smtp.h"
#include "conf/conf.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-error.h"
#include "util/util-json.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_SMTP, true);   // keep txs for the test
    app_layer_files_need(APP_FILE_F_MD5);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, 40000, 25);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_SMTP, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const char *s)
{
    app_test_feed(fx->af, dir, s, (uint32_t)strlen(s));
}

static void feed_bytewise(Fx *fx, uint8_t dir, const char *s)
{
    for (size_t i = 0; s[i] != '\0'; i++) {
        app_flow_data(fx->af, dir, (const uint8_t *)s + i, 1);
    }
    app_flow_packet_publish(fx->af);
}

static const SmtpTx *tx_at(Fx *fx, uint32_t i)
{
    return smtp_tx(app_layer_tx_at(&fx->f, i));
}

static bool str_is(const SmtpStr *s, const char *v)
{
    return s->p != NULL && s->len == strlen(v) && memcmp(s->p, v, s->len) == 0;
}

static const char k_mail[] =
    "Received: from a.example (a.example [10.0.0.1]) by b.example;\r\n"
    " Thu, 10 Apr 2025 12:00:00 -0000\r\n"
    "From: Alice <alice@example.com>\r\n"
    "To: bob@example.com, \"Doe, John\" <john@example.com>\r\n"
    "Subject: hello\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--XX\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "see http://example.com/a and http://example.org/b\r\n"
    "..leading dot\r\n"
    "--XX\r\n"
    "Content-Type: application/octet-stream; name=\"ignored.bin\"\r\n"
    "Content-Disposition: attachment; filename=\"a.txt\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "aGVsbG8g\r\n"
    "d29ybGQ=\r\n"
    "--XX\r\n"
    "Content-Disposition: attachment; filename=b.txt\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=C3=A9 =\r\n"
    "soft\r\n"
    "--XX--\r\n"
    "epilogue\r\n"
    ".\r\n";

static void session(Fx *fx, bool bytewise)
{
    void (*in)(Fx *, uint8_t, const char *) = bytewise ? feed_bytewise : feed;
    in(fx, APP_DIR_TOCLIENT, "220 mx ESMTP\r\n");
    in(fx, APP_DIR_TOSERVER, "EHLO client.example\r\n");
    in(fx, APP_DIR_TOCLIENT, "250-mx\r\n250 PIPELINING\r\n");
    in(fx, APP_DIR_TOSERVER, "MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\n"
                             "RCPT TO:<john@example.com>\r\nDATA\r\n");
    in(fx, APP_DIR_TOCLIENT, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    in(fx, APP_DIR_TOSERVER, k_mail);
    in(fx, APP_DIR_TOCLIENT, "250 queued\r\n");
}

static void check_session(Fx *fx)
{
    assert_int_equal(fx->f.app_proto, APP_PROTO_SMTP);
    const SmtpTx *t = tx_at(fx, 0);
    assert_non_null(t);
    assert_true(str_is(&t->helo, "client.example"));
    assert_true(str_is(&t->mail_from, "<alice@example.com>"));
    assert_int_equal(t->rcpt_to.n, 2);
    assert_true(str_is(&t->rcpt_to.v[1], "<john@example.com>"));
    const SmtpMime *m = &t->mime;
    assert_string_equal(smtp_mime_status_name(m), "PARSE_DONE");
    assert_true(str_is(&m->field[MIME_F_FROM], "Alice <alice@example.com>"));
    assert_true(str_is(&m->field[MIME_F_SUBJECT], "hello"));
    assert_int_equal(m->list[MIME_L_TO].n, 2);
    assert_true(str_is(&m->list[MIME_L_TO].v[1], "\"Doe, John\" <john@example.com>"));
    /* folded header: the line end goes, the white space stays (RFC 5322 2.2.3) */
    assert_true(str_is(&m->list[MIME_L_RECEIVED].v[0],
                       "from a.example (a.example [10.0.0.1]) by b.example; "
                       "Thu, 10 Apr 2025 12:00:00 -0000"));
    assert_int_equal(m->list[MIME_L_URL].n, 2);
    assert_true(str_is(&m->list[MIME_L_URL].v[0], "example.com/a"));
    assert_int_equal(t->n_files, 2);
    const AppFile *a = &t->files[0]->f;
    assert_int_equal(a->state, APP_FILE_CLOSED);
    assert_int_equal(a->size, 11);
    assert_memory_equal(a->data, "hello world", 11);
    assert_memory_equal(a->name, "a.txt", 5);
    const AppFile *b = &t->files[1]->f;
    assert_int_equal(b->size, 10);                 // "caf\xc3\xa9 soft": soft break joins
    assert_memory_equal(b->data, "caf\xc3\xa9 soft", 10);
    assert_true(a->flags & APP_FILE_F_MD5);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, 0));
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, 1));
}

static void full_session(void **state)
{
    Fx *fx = *state;
    session(fx, false);
    check_session(fx);
}

static void full_session_byte_by_byte(void **state)
{
    Fx *fx = *state;
    session(fx, true);
    check_session(fx);
}

static void dot_unstuffing_reaches_the_body(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "HELO x\r\nMAIL FROM:<a@b>\r\nDATA\r\n"
                               "Subject: s\r\n\r\nhttp://x.test/..y\r\n..http://dot.test\r\n.\r\n");
    const SmtpTx *t = tx_at(fx, 0);
    assert_int_equal(t->mime.list[MIME_L_URL].n, 2);
    assert_true(str_is(&t->mime.list[MIME_L_URL].v[1], "dot.test"));
    assert_true(t->data_ended);
}

static void bdat_chunks_split_lines(void **state)
{
    Fx *fx = *state;
    const char *c1 = "From: a@b\r\nSubj";
    const char *c2 = "ect: chunked\r\n\r\nbody\r\n";
    char cmd[128];
    feed(fx, APP_DIR_TOSERVER, "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n");
    snprintf(cmd, sizeof(cmd), "BDAT %zu\r\n%s", strlen(c1), c1);
    feed(fx, APP_DIR_TOSERVER, cmd);
    snprintf(cmd, sizeof(cmd), "BDAT %zu LAST\r\n%s", strlen(c2), c2);
    feed(fx, APP_DIR_TOSERVER, cmd);
    feed(fx, APP_DIR_TOSERVER, "MAIL FROM:<next@b>\r\n");
    const SmtpTx *t = tx_at(fx, 0);
    assert_true(str_is(&t->mime.field[MIME_F_SUBJECT], "chunked"));
    assert_true(t->data_ended);
    const SmtpTx *t2 = tx_at(fx, 1);
    assert_non_null(t2);
    assert_true(str_is(&t2->mail_from, "<next@b>"));
}

static void rset_answered_ends_the_envelope(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, "220 hi\r\n");
    feed(fx, APP_DIR_TOSERVER, "EHLO x\r\nMAIL FROM:<a@b>\r\nRSET\r\nMAIL FROM:<c@d>\r\n");
    feed(fx, APP_DIR_TOCLIENT, "250 x\r\n250 ok\r\n250 reset\r\n250 ok\r\n");
    /* the second MAIL was parsed before the server answered RSET: same tx, duplicate */
    const SmtpTx *t = tx_at(fx, 0);
    assert_true(app_test_tx_has_event(&t->tx, "smtp.duplicate_fields"));
    assert_true(t->is_done);
    feed(fx, APP_DIR_TOSERVER, "MAIL FROM:<e@f>\r\n");
    assert_true(str_is(&tx_at(fx, 1)->mail_from, "<e@f>"));
}

static void refused_data_returns_to_commands(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, "220 hi\r\n");
    feed(fx, APP_DIR_TOSERVER, "HELO x\r\nDATA\r\n");
    feed(fx, APP_DIR_TOCLIENT, "250 x\r\n503 need mail\r\n");
    feed(fx, APP_DIR_TOSERVER, "MAIL FROM:<a@b>\r\n");
    const SmtpTx *t = tx_at(fx, 0);
    assert_true(app_test_tx_has_event(&t->tx, "smtp.data_command_rejected"));
    assert_true(str_is(&t->mail_from, "<a@b>"));
    assert_false(t->has_mime);
}

static void starttls_hands_over_to_tls(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, "220 hi\r\n");
    feed(fx, APP_DIR_TOSERVER, "EHLO x\r\nSTARTTLS\r\n");
    feed(fx, APP_DIR_TOCLIENT, "250 x\r\n220 go ahead\r\n");
    static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29,
                                    0x03, 0x03};
    uint8_t ch[50] = {0};
    memcpy(ch, hello, sizeof(hello));
    app_test_feed(fx->af, APP_DIR_TOSERVER, ch, sizeof(ch));
    assert_int_equal(app_layer_flow_proto_orig(&fx->f), APP_PROTO_SMTP);
    assert_int_equal(fx->f.app_proto, APP_PROTO_TLS);
}

static void rejected_starttls_raises_an_event(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, "220 hi\r\n");
    feed(fx, APP_DIR_TOSERVER, "EHLO x\r\nSTARTTLS\r\n");
    feed(fx, APP_DIR_TOCLIENT, "250 x\r\n454 no tls\r\n");
    assert_true(app_test_tx_has_event(&tx_at(fx, 0)->tx, "smtp.tls_rejected"));
    assert_int_equal(fx->f.app_proto, APP_PROTO_SMTP);
}

static void garbage_reply_stops_the_parser(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, "220 hi\r\n");
    feed(fx, APP_DIR_TOSERVER, "EHLO x\r\n");
    feed(fx, APP_DIR_TOCLIENT, "hello there\r\n");
    assert_true(app_test_tx_has_event(&tx_at(fx, 0)->tx, "smtp.invalid_reply"));
    assert_true(fx->af->flags & APP_FLOW_F_ERROR);
}

static void endless_command_line_is_truncated(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "EHLO ");
    char chunk[1024];
    memset(chunk, 'A', sizeof(chunk) - 1);
    chunk[sizeof(chunk) - 1] = '\0';
    uint64_t before = 0;
    for (int i = 0; i < 2000; i++) {       // 2 MB without a line end
        feed(fx, APP_DIR_TOSERVER, chunk);
        if (i == 10) {
            before = atomic_load(&app_proto_cfg(APP_PROTO_SMTP)->memuse);
        }
    }
    assert_int_equal(atomic_load(&app_proto_cfg(APP_PROTO_SMTP)->memuse), before);
    feed(fx, APP_DIR_TOSERVER, "\r\nQUIT\r\n");
    assert_true(app_test_tx_has_event(&tx_at(fx, 0)->tx, "smtp.truncated_line"));
    assert_int_equal(tx_at(fx, 0)->helo.len, SMTP_LINE_MAX - 5);
}

static void endless_message_line_stays_bounded(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "HELO x\r\nMAIL FROM:<a@b>\r\nDATA\r\nSubject: s\r\n\r\n");
    char chunk[1024];
    memset(chunk, 'B', sizeof(chunk) - 1);
    chunk[sizeof(chunk) - 1] = '\0';
    uint64_t before = 0;
    for (int i = 0; i < 2000; i++) {
        feed(fx, APP_DIR_TOSERVER, chunk);
        if (i == 10) {
            before = atomic_load(&app_proto_cfg(APP_PROTO_SMTP)->memuse);
        }
    }
    assert_int_equal(atomic_load(&app_proto_cfg(APP_PROTO_SMTP)->memuse), before);
    feed(fx, APP_DIR_TOSERVER, "\r\n.\r\n");
    assert_true(app_test_tx_has_event(&tx_at(fx, 0)->tx, "smtp.mime_long_line"));
    assert_true(tx_at(fx, 0)->data_ended);
}

static void mime_bomb_nesting_is_capped(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "HELO x\r\nMAIL FROM:<a@b>\r\nDATA\r\n");
    char line[128];
    for (int d = 0; d < 500; d++) {
        snprintf(line, sizeof(line), "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n",
                 d, d);
        feed(fx, APP_DIR_TOSERVER, line);
    }
    uint64_t mem = atomic_load(&app_proto_cfg(APP_PROTO_SMTP)->memuse);
    assert_true(mem < 256 * 1024);
    feed(fx, APP_DIR_TOSERVER, "\r\n.\r\n");
    const SmtpTx *t = tx_at(fx, 0);
    assert_true(app_test_tx_has_event(&t->tx, "smtp.mime_parse_failed"));
    assert_true(t->data_ended);
}

static void long_header_value_is_cut(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "HELO x\r\nMAIL FROM:<a@b>\r\nDATA\r\nSubject: x\r\n");
    for (int i = 0; i < 1000; i++) {
        feed(fx, APP_DIR_TOSERVER, " folded folded folded folded\r\n");
    }
    feed(fx, APP_DIR_TOSERVER, "\r\nbody\r\n.\r\n");
    const SmtpTx *t = tx_at(fx, 0);
    assert_true(app_test_tx_has_event(&t->tx, "smtp.mime_long_header_value"));
    assert_true(t->mime.field[MIME_F_SUBJECT].len <= MIME_HEADER_VALUE_MAX + 80);
}

static void invalid_base64_is_skipped(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "HELO x\r\nMAIL FROM:<a@b>\r\nDATA\r\n"
                               "Content-Disposition: attachment; filename=x\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n"
                               "aGV*sbG8=\r\n.\r\n");
    const SmtpTx *t = tx_at(fx, 0);
    assert_true(app_test_tx_has_event(&t->tx, "smtp.mime_invalid_base64"));
    assert_int_equal(t->n_files, 1);
    assert_int_equal(t->files[0]->f.size, 5);
    assert_memory_equal(t->files[0]->f.data, "hello", 5);
}

static void empty_and_truncated_sessions(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "EHLO");
    assert_int_equal(app_layer_tx_count(&fx->f), 0);     // no line end yet
    feed(fx, APP_DIR_TOSERVER, "\r\n\r\nDATA\r\nSubject: trunc");
    app_flow_eof(fx->af, APP_DIR_TOSERVER);
    const SmtpTx *t = tx_at(fx, 0);
    assert_non_null(t);
    assert_false(t->data_ended);
}

static void eve_object(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "HELO h\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"
                               "From: a@b\r\nTo: c@d\r\nCc: e@f\r\n\r\nhttp://u.test/1 http://v.test\r\n"
                               ".\r\n");
    JsonBuf jb;
    app_test_tx_json(&fx->f, 0, &jb, 1024);
    assert_string_equal(jb.buf,
                        "{\"smtp\":{\"helo\":\"h\",\"mail_from\":\"<a@b>\",\"rcpt_to\":[\"<c@d>\"]},"
                        "\"email\":{\"status\":\"PARSE_DONE\",\"from\":\"a@b\",\"to\":[\"c@d\"],"
                        "\"cc\":[\"e@f\"],\"url\":[\"v.test\",\"u.test/1\"]}}");
    json_buf_deinit(&jb);
}

static void url_schemes_from_config(void **state)
{
    (void)state;
    Fx fx2 = {0};
    Fx *fx = &fx2;
    Conf *c = conf_new();
    assert_int_equal(conf_load_string(c, "app-layer:\n  protocols:\n    smtp:\n      mime:\n"
                                         "        extract-urls-schemes: [https, ftp]\n"
                                         "        log-url-scheme: yes\n", "t.yaml"), 0);
    app_layer_deinit();
    flow_storage_reset();
    assert_int_equal(app_layer_init(c), 0);
    fx->af = app_test_flow_open(&fx->f, 6, 40001, 25);
    feed(fx, APP_DIR_TOSERVER, "HELO x\r\nMAIL FROM:<a@b>\r\nDATA\r\n\r\n"
                               "http://no.test https://yes.test/a ftp://10.0.0.1\r\n.\r\n");
    const SmtpList *u = &tx_at(fx, 0)->mime.list[MIME_L_URL];
    assert_int_equal(u->n, 2);
    assert_true(str_is(&u->v[0], "https://yes.test/a"));
    assert_true(str_is(&u->v[1], "ftp://10.0.0.1"));
    Conf *bad = conf_new();
    assert_int_equal(conf_load_string(bad, "app-layer:\n  protocols:\n    smtp:\n      mime:\n"
                                           "        extract-urls-schemes: [\"\"]\n", "b.yaml"), 0);
    assert_int_equal(smtp_mime_config(bad), VG_EINVAL);
    assert_int_equal(smtp_mime_config(NULL), 0);    // back to the defaults
    app_flow_free(fx->af);
    conf_free(bad);
    conf_free(c);
}

/* One message through a fresh app layer configured with body-md5: mode; the tx. */
static const SmtpTx *md5_session(Fx *fx, const char *mode, uint16_t port)
{
    char y[160];
    snprintf(y, sizeof(y), "app-layer:\n  protocols:\n    smtp:\n      mime:\n"
                           "        body-md5: %s\n", mode);
    Conf *c = conf_new();
    assert_int_equal(conf_load_string(c, y, "m.yaml"), 0);
    app_layer_deinit();
    flow_storage_reset();
    assert_int_equal(app_layer_init(c), 0);
    conf_free(c);
    memset(fx, 0, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, port, 25);
    /* the digest covers the raw lines after the header block: dot-stuffed, line ends
     * as sent, the empty line and the final "." left out */
    feed(fx, APP_DIR_TOSERVER, "HELO x\r\nMAIL FROM:<a@b>\r\nDATA\r\nSubject: s\r\n\r\n"
                               "line1\r\n..dot\r\nlast\n.\r\n");
    return tx_at(fx, 0);
}

static void body_md5_from_config(void **state)
{
    (void)state;
    Fx fx = {0};
    const SmtpTx *t = md5_session(&fx, "yes", 40010);
    assert_true(t->data_ended);
    assert_true(t->mime.has_body_md5);
    assert_string_equal(t->mime.body_md5, "d9a432cc9d476c5cc5fdd3cd997974f7");
    int id = app_layer_buffer_find("email.body_md5");
    assert_true(id >= 0);
    const uint8_t *d;
    uint32_t n;
    assert_true(app_layer_buffer_def(id)->get(&fx.f, &t->tx, &d, &n));
    assert_int_equal(n, 32);
    assert_memory_equal(d, "d9a432cc9d476c5cc5fdd3cd997974f7", 32);
    app_flow_free(fx.af);
    t = md5_session(&fx, "no", 40011);
    assert_true(t->data_ended);
    assert_false(t->mime.has_body_md5);
    assert_false(app_layer_buffer_def(id)->get(&fx.f, &t->tx, &d, &n));
    app_flow_free(fx.af);
    /* auto: only once a rule inspects email.body_md5 */
    t = md5_session(&fx, "auto", 40012);
    assert_false(t->mime.has_body_md5);
    app_flow_free(fx.af);
    app_layer_buffer_need(app_layer_buffer_find("email.body_md5"));
    t = md5_session(&fx, "auto", 40013);
    assert_true(t->mime.has_body_md5);
    assert_string_equal(t->mime.body_md5, "d9a432cc9d476c5cc5fdd3cd997974f7");
    app_flow_free(fx.af);
    Conf *bad = conf_new();
    assert_int_equal(conf_load_string(bad, "app-layer:\n  protocols:\n    smtp:\n      mime:\n"
                                           "        body-md5: maybe\n", "b.yaml"), 0);
    assert_int_equal(smtp_mime_config(bad), VG_EINVAL);
    assert_int_equal(smtp_mime_config(NULL), 0);
    conf_free(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(full_session, setup, teardown),
        cmocka_unit_test_setup_teardown(full_session_byte_by_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(dot_unstuffing_reaches_the_body, setup, teardown),
        cmocka_unit_test_setup_teardown(bdat_chunks_split_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(rset_answered_ends_the_envelope, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_data_returns_to_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(starttls_hands_over_to_tls, setup, teardown),
        cmocka_unit_test_setup_teardown(rejected_starttls_raises_an_event, setup, teardown),
        cmocka_unit_test_setup_teardown(garbage_reply_stops_the_parser, setup, teardown),
        cmocka_unit_test_setup_teardown(endless_command_line_is_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(endless_message_line_stays_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(mime_bomb_nesting_is_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(long_header_value_is_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_base64_is_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_and_truncated_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(eve_object, setup, teardown),
        cmocka_unit_test_setup_teardown(url_schemes_from_config, setup, teardown),
        cmocka_unit_test_setup_teardown(body_md5_from_config, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
