/* App-layer rules (detect-app.c, keywords/detect-kw-http.c, detect-kw-app.c):
 * header protocols, sticky buffers from the app-layer registry, legacy
 * modifiers moving contents, pcre HTTP flags, directions, refusals. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>

#include "app-layer/app-layer.h"
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

static void expect_ok(const char *rule)
{
    Parsed p;
    parse(&p, rule);
    if (p.rc != 0) {
        fail_msg("rule refused: %s (%s)", p.err, rule);
    }
    done(&p);
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

static const DetectMatchList *app_list(const Signature *s, const char *name)
{
    int idx = detect_app_buf_find(name);
    return idx < 0 ? NULL : detect_sig_list(s, DETECT_LIST_APP_FIRST + idx);
}

static const DetectContent *content_at(const DetectMatchList *l, uint16_t i)
{
    assert_non_null(l);
    assert_true(i < l->n);
    assert_int_equal(l->m[i].pm_type, DETECT_PM_CONTENT);
    return l->m[i].ctx;
}

static void http_header_protocols_accepted_others_refused(void **state)
{
    (void)state;
    expect_ok("alert http any any -> any any (msg:\"x\"; sid:1;)");
    expect_ok("alert http1 any any -> any any (msg:\"x\"; sid:1;)");
    expect_ok("alert dns any any -> any any (sid:1;)");
    expect_err("alert imap any any -> any any (sid:1;)", "unsupported protocol 'imap'");
    expect_err("alert imap any any -> any any (sid:1;)", "unsupported protocol 'imap'");
    Parsed p;
    parse(&p, "alert http any any -> any any (sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.s->alproto, APP_PROTO_HTTP1);
    assert_true(p.s->protos[0] & (1u << 6));     // TCP implied
    assert_false(p.s->flags & SIG_F_IPONLY);
    assert_false(p.s->flags & SIG_F_APP_TX);    // no buffer: every packet of HTTP flows
    done(&p);
    parse(&p, "alert http any any -> any any (http.method; bsize:>0; sid:1;)");
    assert_true(p.s->flags & SIG_F_APP_TX);     // once per tx
    assert_null(p.s->fp);
    done(&p);
}

static void every_http_sticky_buffer_parses(void **state)
{
    (void)state;
    static const char *const bufs[] = {
        "http.uri", "http.uri.raw", "http.method", "http.protocol", "http.request_line",
        "http.response_line", "http.start", "http.header", "http.header.raw",
        "http.header_names", "http.cookie", "http.user_agent", "http.host", "http.host.raw",
        "http.accept", "http.accept_enc", "http.accept_lang", "http.connection",
        "http.content_type", "http.content_len", "http.referer", "http.location",
        "http.server", "http.stat_code", "http.stat_msg", "http.request_body",
        "http.response_body", "file.data", "file_data", "http_request_line",
        "http_header_names", "http_accept_enc",
    };
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
        char rule[256];
        snprintf(rule, sizeof(rule), "alert http any any -> any any (%s; content:\"x\"; sid:1;)",
                 bufs[i]);
        Parsed p;
        parse(&p, rule);
        if (p.rc != 0) {
            fail_msg("%s refused: %s", bufs[i], p.err);
        }
        assert_non_null(p.s->app);
        assert_int_equal(p.s->app->n_lists, 1);
        assert_int_equal(p.s->lists[DETECT_LIST_PMATCH].n, 0);
        assert_ptr_equal(p.s->fp, content_at(&p.s->app->lists[0].ml, 0));
        done(&p);
    }
}

static void legacy_modifiers_move_the_preceding_content(void **state)
{
    (void)state;
    static const struct {
        const char *kw;
        const char *buf;
    } mods[] = {
        { "http_uri", "http.uri" },           { "http_raw_uri", "http.uri.raw" },
        { "http_method", "http.method" },     { "http_header", "http.header" },
        { "http_raw_header", "http.header.raw" }, { "http_cookie", "http.cookie" },
        { "http_user_agent", "http.user_agent" }, { "http_host", "http.host" },
        { "http_raw_host", "http.host.raw" }, { "http_client_body", "http.request_body" },
        { "http_server_body", "http.response_body" }, { "http_stat_code", "http.stat_code" },
        { "http_stat_msg", "http.stat_msg" },
    };
    for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
        char rule[256];
        snprintf(rule, sizeof(rule),
                 "alert http any any -> any any (content:\"a\"; content:\"bb\"; %s; sid:1;)",
                 mods[i].kw);
        Parsed p;
        parse(&p, rule);
        if (p.rc != 0) {
            fail_msg("%s refused: %s", mods[i].kw, p.err);
        }
        const DetectMatchList *l = app_list(p.s, mods[i].buf);
        assert_int_equal(content_at(l, 0)->len, 2);
        assert_int_equal(l->n, 1);
        assert_int_equal(p.s->lists[DETECT_LIST_PMATCH].n, 1);  // "a" stays
        done(&p);
    }
}

static void modifier_keeps_relative_chain_and_later_modifiers(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "alert http any any -> any any (content:\"GET\"; http_method; content:\"/a\"; "
              "http_uri; nocase; content:\".php\"; distance:0; http_uri; fast_pattern; sid:1;)");
    assert_int_equal(p.rc, 0);
    const DetectMatchList *uri = app_list(p.s, "http.uri");
    assert_int_equal(uri->n, 2);
    const DetectContent *a = content_at(uri, 0);
    const DetectContent *php = content_at(uri, 1);
    assert_true(a->flags & DETECT_CONTENT_NOCASE);
    assert_true(a->flags & DETECT_CONTENT_RELATIVE_NEXT);
    assert_true(php->flags & DETECT_CONTENT_RELATIVE);
    assert_ptr_equal(p.s->fp, php);
    assert_int_equal(app_list(p.s, "http.method")->n, 1);
    assert_int_equal(p.s->lists[DETECT_LIST_PMATCH].n, 0);
    done(&p);
    /* uricontent is content + http_uri */
    parse(&p, "alert http any any -> any any (uricontent:\"/x\"; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_int_equal(content_at(app_list(p.s, "http.uri"), 0)->len, 2);
    done(&p);
}

static void modifier_refusals(void **state)
{
    (void)state;
    expect_err("alert http any any -> any any (http_uri; sid:1;)", "needs a preceding content");
    expect_err("alert http any any -> any any (http.uri; content:\"a\"; http_uri; sid:1;)",
               "sticky buffer");
    expect_err("alert http any any -> any any (content:\"a\"; http_uri; http_uri; sid:1;)",
               "twice");
    expect_err("alert http any any -> any any (content:\"a\"; http_uri; http_header; sid:1;)",
               "already moved");
    expect_err("alert http any any -> any any (http.uri:x; content:\"a\"; sid:1;)",
               "takes no value");
    expect_err("alert http any any -> any any (bsize:3; sid:1;)", "sticky buffer");
    expect_err("alert udp any any -> any any (http.uri; content:\"a\"; sid:1;)", "TCP");
    expect_err("alert http any any -> any any (tcp.hdr; content:\"a\"; http.uri; "
               "content:\"b\"; sid:1;)", "can't be mixed");
}

static void pcre_http_flags_pick_the_buffer(void **state)
{
    (void)state;
    static const struct {
        char flag;
        const char *buf;
    } flags[] = { { 'U', "http.uri" },         { 'I', "http.uri.raw" },
                  { 'P', "http.request_body" }, { 'Q', "file.data" },
                  { 'H', "http.header" },      { 'D', "http.header.raw" },
                  { 'M', "http.method" },      { 'C', "http.cookie" },
                  { 'S', "http.stat_code" },   { 'Y', "http.stat_msg" },
                  { 'V', "http.user_agent" },  { 'W', "http.host" },
                  { 'Z', "http.host.raw" } };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        char rule[256];
        snprintf(rule, sizeof(rule), "alert http any any -> any any (pcre:\"/a+/i%c\"; sid:1;)",
                 flags[i].flag);
        Parsed p;
        parse(&p, rule);
        if (p.rc != 0) {
            fail_msg("/%c refused: %s", flags[i].flag, p.err);
        }
        const DetectMatchList *l = app_list(p.s, flags[i].buf);
        assert_non_null(l);
        assert_int_equal(l->n, 1);
        assert_int_equal(l->m[0].pm_type, DETECT_PM_PCRE);
        done(&p);
    }
    expect_ok("alert http any any -> any any (pcre:\"/a/B\"; sid:1;)");
    expect_err("alert http any any -> any any (pcre:\"/a/UH\"; sid:1;)", "more than one");
    /* A relative pcre after a moved content stays in that content's buffer. */
    Parsed p;
    parse(&p, "alert http any any -> any any (content:\"/a\"; http_uri; pcre:\"/^b/R\"; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_int_equal(app_list(p.s, "http.uri")->n, 2);
    assert_int_equal(p.s->lists[DETECT_LIST_PMATCH].n, 0);
    done(&p);
}

static uint8_t dirs_of(const char *rule, bool *is_mixed)
{
    Parsed p;
    parse(&p, rule);
    if (p.rc != 0) {
        fail_msg("rule refused: %s (%s)", p.err, rule);
    }
    uint8_t d = p.s->app->dirs;
    *is_mixed = p.s->app->is_mixed;
    done(&p);
    return d;
}

static void directions_follow_flow_then_buffers(void **state)
{
    (void)state;
    bool mixed;
    const uint8_t ts = 1u << APP_DIR_TOSERVER;
    const uint8_t tc = 1u << APP_DIR_TOCLIENT;
    assert_int_equal(dirs_of("alert http any any -> any any (http.uri; content:\"a\"; sid:1;)",
                             &mixed), ts);
    assert_int_equal(dirs_of("alert http any any -> any any (http.stat_code; content:\"2\"; "
                             "sid:1;)", &mixed), tc);
    assert_int_equal(dirs_of("alert http any any -> any any (http.header; content:\"a\"; "
                             "sid:1;)", &mixed), ts | tc);
    assert_false(mixed);
    assert_int_equal(dirs_of("alert http any any -> any any (flow:to_client; http.header; "
                             "content:\"a\"; sid:1;)", &mixed), tc);
    assert_int_equal(dirs_of("alert http any any -> any any (http.method; content:\"GET\"; "
                             "http.stat_code; content:\"200\"; sid:1;)", &mixed), tc);
    assert_true(mixed);
    expect_err("alert http any any -> any any (flow:to_server; http.stat_code; content:\"2\"; "
               "sid:1;)", "only responses have");
    expect_err("alert http any any -> any any (flow:to_client; http.uri; content:\"/\"; "
               "sid:1;)", "only requests have");
}

static void urilen_and_bsize(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "alert http any any -> any any (urilen:>5; http.host; content:\"a\"; bsize:<10; "
              "sid:1;)");
    assert_int_equal(p.rc, 0);
    const DetectMatchList *uri = app_list(p.s, "http.uri");
    assert_int_equal(uri->n, 1);
    assert_int_equal(uri->m[0].pm_type, DETECT_PM_BSIZE);
    const DetectMatchList *host = app_list(p.s, "http.host");
    assert_int_equal(host->n, 2);
    assert_int_equal(host->m[1].pm_type, DETECT_PM_BSIZE);
    done(&p);
    parse(&p, "alert http any any -> any any (urilen:2<>9,raw; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_int_equal(app_list(p.s, "http.uri.raw")->n, 1);
    done(&p);
    expect_err("alert http any any -> any any (urilen:5,foo; sid:1;)", "norm or raw");
    expect_err("alert http any any -> any any (urilen:x; sid:1;)", "bad number");
}

static void app_layer_protocol_forms(void **state)
{
    (void)state;
    expect_ok("alert tcp any any -> any any (app-layer-protocol:http; sid:1;)");
    expect_ok("alert tcp any any -> any any (app-layer-protocol:!http1,to_server; sid:1;)");
    expect_ok("alert tcp any any -> any any (app-layer-protocol:tls,either; sid:1;)");
    expect_ok("alert tcp any any -> any any (app-layer-protocol:failed; sid:1;)");
    expect_err("alert tcp any any -> any any (app-layer-protocol:nonsense; sid:1;)",
               "unknown app-layer protocol");
    expect_err("alert tcp any any -> any any (app-layer-protocol:http,sideways; sid:1;)",
               "bad app-layer-protocol mode");
    expect_ok("alert tcp any any -> any any (app-layer-protocol:dns|http; sid:1;)");
    expect_ok("alert tcp any any -> any any (app-layer-protocol:!tls | http,either; sid:1;)");
    expect_ok("alert tcp any any -> any any (app-layer-protocol:dns|http|tls|ssh|smtp|ftp|smb|"
              "dcerpc; sid:1;)");
    expect_err("alert tcp any any -> any any (app-layer-protocol:dns|http|tls|ssh|smtp|ftp|smb|"
               "dcerpc|quic; sid:1;)",
               "more than 8 protocols");
    expect_err("alert tcp any any -> any any (app-layer-protocol:http|nonsense; sid:1;)",
               "unknown app-layer protocol 'nonsense'");
    expect_err("alert tcp any any -> any any (app-layer-protocol:http|; sid:1;)",
               "empty protocol name");
    expect_err("alert tcp any any -> any any (app-layer-protocol:http| |tls; sid:1;)",
               "empty protocol name");
    Parsed p;
    parse(&p, "alert tcp any any -> any any (flow:established; app-layer-protocol:http; "
              "sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_true(p.s->flags & SIG_F_PD_ONLY);
    assert_false(p.s->flags & (SIG_F_IPONLY | SIG_F_APP_TX));
    done(&p);
    parse(&p, "alert tcp any any -> any any (app-layer-protocol:http; content:\"x\"; sid:1;)");
    assert_false(p.s->flags & SIG_F_PD_ONLY);
    done(&p);
}

static void app_layer_event_forms(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "alert http any any -> any any (app-layer-event:http.request_chunk_extension; "
              "sid:1;)");
    if (p.rc != 0) {
        fail_msg("refused: %s", p.err);
    }
    assert_int_equal(p.s->app->tx_ml.n, 1);
    assert_true(p.s->flags & SIG_F_APP_TX);
    done(&p);
    expect_ok("alert ip any any -> any any (app-layer-event:"
              "applayer_mismatch_protocol_both_directions; sid:1;)");
    expect_ok("alert dns any any -> any any (app-layer-event:dns.malformed_data; sid:1;)");
    /* Suricata's DNS event names (its dns-events.rules); the pre-Rust names are gone */
    static const char *const dns_events[] = {
        "malformed_data", "not_request",   "not_response",        "z_flag_set",
        "invalid_opcode", "name_too_long", "infinite_loop",       "too_many_labels",
        "invalid_additionals", "invalid_authorities",
    };
    for (size_t i = 0; i < sizeof(dns_events) / sizeof(dns_events[0]); i++) {
        char rule[160];
        snprintf(rule, sizeof(rule),
                 "alert dns any any -> any any (app-layer-event:dns.%s; sid:1;)", dns_events[i]);
        expect_ok(rule);
        snprintf(rule, sizeof(rule),
                 "alert mdns any any -> any any (app-layer-event:mdns.%s; sid:1;)", dns_events[i]);
        expect_ok(rule);
    }
    expect_err("alert dns any any -> any any (app-layer-event:dns.not_a_request; sid:1;)",
               "unknown app-layer-event");
    expect_err("alert dns any any -> any any (app-layer-event:dns.not_a_response; sid:1;)",
               "unknown app-layer-event");
    expect_err("alert imap any any -> any any (app-layer-event:imap.malformed_data; sid:1;)",
               "unsupported protocol");
    expect_err("alert tcp any any -> any any (app-layer-event:imap.malformed_data; sid:1;)",
               "unsupported protocol 'imap'");
    expect_err("alert http any any -> any any (app-layer-event:http.no_such_event; sid:1;)",
               "unknown app-layer-event");
    expect_err("alert http any any -> any any (app-layer-event:nodot; sid:1;)",
               "protocol.event");
}

static void file_keywords_parse(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "alert tcp any any -> any any (filename:\"R.PDF\"; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.s->alproto, APP_PROTO_HTTP1);   // the protocol carrying files
    assert_true(p.s->flags & SIG_F_APP_TX);
    const DetectContent *c = content_at(&p.s->lists[DETECT_LIST_FILE_NAME], 0);
    assert_true(c->flags & DETECT_CONTENT_NOCASE);
    done(&p);
    parse(&p, "alert http any any -> any any (fileext:!\"exe\"; filestore; sid:1;)");
    assert_int_equal(p.rc, 0);
    c = content_at(&p.s->lists[DETECT_LIST_FILE_NAME], 0);
    assert_int_equal(c->len, 4);
    assert_memory_equal(c->pat, ".exe", 4);
    assert_true(c->flags & DETECT_CONTENT_ENDSWITH);
    assert_true(c->flags & DETECT_CONTENT_NEGATED);
    assert_true(p.s->flags & SIG_F_FILESTORE);
    done(&p);
    parse(&p, "alert http any any -> any any (file.name; content:\".exe\"; endswith; "
              "filemagic:\"PE32\"; filesize:>100; sid:1;)");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.s->lists[DETECT_LIST_FILE_NAME].n, 1);
    assert_int_equal(p.s->lists[DETECT_LIST_FILE_MAGIC].n, 1);
    assert_int_equal(p.s->app->file_ml.n, 1);
    done(&p);
    expect_err("alert http any any -> any any (filemd5:/nonexistent/list.md5; sid:1;)",
               "can't open hash list");
    expect_err("alert http any any -> any any (filestore:sideways; sid:1;)",
               "bad filestore argument");
    expect_ok("alert http any any -> any any (filestore:to_client,tx; sid:1;)");
}

static void filemd5_reads_a_hash_list(void **state)
{
    (void)state;
    char path[] = "/tmp/vg-test-md5-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char list[] = "# comment\n090fe607a5be1228362614ccaa088577\n\n"
                               "00000000000000000000000000000000 name\n";
    assert_int_equal(write(fd, list, sizeof(list) - 1), (ssize_t)(sizeof(list) - 1));
    close(fd);
    char rule[256];
    snprintf(rule, sizeof(rule), "alert http any any -> any any (filemd5:%s; sid:1;)", path);
    expect_ok(rule);
    snprintf(rule, sizeof(rule), "alert http any any -> any any (filesha1:%s; sid:1;)", path);
    expect_err(rule, "not a 20-byte hex hash");
    unlink(path);
}

/* A tx rule is inspected per transaction only: a packet carrying its
 * content, with no app-layer state, never makes it alert. */
static void tx_rules_are_not_packet_rules(void **state)
{
    (void)state;
    static const char payload[] = "GET /abc HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(test_match_tcp("alert http any any -> any any (http.uri; content:\"/abc\"; "
                                    "sid:1;)", payload, sizeof(payload) - 1), 0);
    assert_int_equal(test_match_tcp("alert tcp any any -> any any (content:\"/abc\"; sid:1;)",
                                    payload, sizeof(payload) - 1), 1);
    /* A protocol rule on the payload needs a flow of that protocol. */
    assert_int_equal(test_match_tcp("alert http any any -> any any (content:\"/abc\"; sid:1;)",
                                    payload, sizeof(payload) - 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(http_header_protocols_accepted_others_refused),
        cmocka_unit_test(every_http_sticky_buffer_parses),
        cmocka_unit_test(legacy_modifiers_move_the_preceding_content),
        cmocka_unit_test(modifier_keeps_relative_chain_and_later_modifiers),
        cmocka_unit_test(modifier_refusals),
        cmocka_unit_test(pcre_http_flags_pick_the_buffer),
        cmocka_unit_test(directions_follow_flow_then_buffers),
        cmocka_unit_test(urilen_and_bsize),
        cmocka_unit_test(app_layer_protocol_forms),
        cmocka_unit_test(app_layer_event_forms),
        cmocka_unit_test(file_keywords_parse),
        cmocka_unit_test(filemd5_reads_a_hash_list),
        cmocka_unit_test(tx_rules_are_not_packet_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
