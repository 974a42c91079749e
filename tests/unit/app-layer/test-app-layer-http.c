/* The app-layer framework with the HTTP parser, driven through app_flow_data as the
 * stream subscriber does: detection, replay, txs and their progress, buffers, events,
 * cleanup. */
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
#include "app-layer/http/app-layer-http.h"
#include "conf/conf.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-error.h"

static const char REQ[] = "GET /a%2541/b?x=1 HTTP/1.1\r\nHost: WWW.Example.COM\r\n"
                          "User-Agent: ua/1\r\nCookie: k=v\r\n\r\n";
static const char RESP[] = "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: 5\r\n\r\nhello";

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, 40000, 8888);  // not a default HTTP port: detection on any port
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const char *s)
{
    app_flow_data(fx->af, dir, (const uint8_t *)s, (uint32_t)strlen(s));
}

static void buf_is(Fx *fx, const char *name, uint8_t dir, const char *want)
{
    int id = app_layer_buffer_find_for(name, APP_PROTO_HTTP1, dir);
    assert_true(id >= 0);
    const AppBufferDef *d = app_layer_buffer_def(id);
    const uint8_t *data;
    uint32_t len;
    assert_true(d->get(&fx->f, app_layer_tx_at(&fx->f, 0), &data, &len));
    assert_int_equal(len, strlen(want));
    assert_memory_equal(data, want, len);
}

static void request_and_response_make_one_complete_tx(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, REQ);
    assert_int_equal(fx->f.app_proto, APP_PROTO_HTTP1);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_true(app_layer_tx_complete(&fx->f, tx, APP_DIR_TOSERVER));
    assert_false(app_layer_tx_complete(&fx->f, tx, APP_DIR_TOCLIENT));
    feed(fx, APP_DIR_TOCLIENT, RESP);
    assert_true(app_layer_tx_complete(&fx->f, tx, APP_DIR_TOCLIENT));
    assert_ptr_equal(app_layer_tx_by_id(&fx->f, 0), tx);
}

static void buffers_hold_suricata_forms(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, REQ);
    feed(fx, APP_DIR_TOCLIENT, RESP);
    buf_is(fx, "http.uri.raw", 0, "/a%2541/b?x=1");
    buf_is(fx, "http.uri", 0, "/a%41/b?x=1");
    buf_is(fx, "http.method", 0, "GET");
    buf_is(fx, "http.protocol", 0, "HTTP/1.1");
    buf_is(fx, "http.request_line", 0, "GET /a%2541/b?x=1 HTTP/1.1");
    buf_is(fx, "http.host", 0, "www.example.com");
    buf_is(fx, "http.host.raw", 0, "WWW.Example.COM");
    buf_is(fx, "http.user_agent", 0, "ua/1");
    buf_is(fx, "http.cookie", 0, "k=v");
    buf_is(fx, "http.header", 0, "Host: WWW.Example.COM\r\nUser-Agent: ua/1\r\n");
    buf_is(fx, "http.header_names", 0, "\r\nHost\r\nUser-Agent\r\nCookie\r\n\r\n");
    buf_is(fx, "http.stat_code", 1, "200");
    buf_is(fx, "http.stat_msg", 1, "OK");
    buf_is(fx, "http.server", 1, "s");
    buf_is(fx, "http.response_body", 1, "hello");
    buf_is(fx, "file.data", 1, "hello");
    buf_is(fx, "http.response_line", 1, "HTTP/1.1 200 OK");
}

static void request_split_at_every_byte_parses_the_same(void **state)
{
    Fx *fx = *state;
    for (size_t i = 0; i < strlen(REQ); i++) {
        app_flow_data(fx->af, 0, (const uint8_t *)REQ + i, 1);
    }
    feed(fx, APP_DIR_TOCLIENT, RESP);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    buf_is(fx, "http.uri.raw", 0, "/a%2541/b?x=1");
    buf_is(fx, "http.response_body", 1, "hello");
}

static void pipelined_requests_make_one_tx_each(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
    feed(fx, 1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 404 NF\r\n"
                "Content-Length: 0\r\n\r\n");
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    AppTx *t1 = app_layer_tx_at(&fx->f, 1);
    assert_int_equal(t1->id, 1);
    assert_true(app_layer_tx_complete(&fx->f, t1, APP_DIR_TOCLIENT));
}

static void junk_both_ways_fails_detection(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "XYZZY-2.0-nothing-we-know\r\n");
    feed(fx, 1, "XYZZY-2.0-nor-this\r\n");
    assert_int_equal(fx->f.app_proto, APP_PROTO_FAILED);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
}

static void response_seen_first_is_replayed_after_the_request(void **state)
{
    Fx *fx = *state;
    /* Toclient detection alone sets the protocol; the held toclient prefix is parsed once
     * the request arrives: the response matches it. */
    feed(fx, 1, RESP);
    assert_int_equal(fx->f.app_proto, APP_PROTO_HTTP1);
    feed(fx, 0, REQ);
    assert_true(app_layer_tx_count(&fx->f) >= 1);
}

static void missing_colon_raises_its_event(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "GET / HTTP/1.1\r\nHost: a\r\nBroken header line\r\n\r\n");
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_non_null(tx);
    int id = app_layer_event_find("http.request_field_missing_colon");
    assert_true(id >= 0);
    bool seen = false;
    for (uint32_t i = 0; i < tx->n_events && i < APP_TX_EVENTS_MAX; i++) {
        seen = seen || tx->events[i] == id;
    }
    assert_true(seen);
}

static void finished_tx_is_freed_on_the_next_packet(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, REQ);
    feed(fx, 1, RESP);
    app_flow_packet_publish(fx->af);  // this packet: published as UPDATED, kept
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_true(tx->flags & APP_TX_F_UPDATED_TC);
    app_flow_packet_publish(fx->af);  // next packet: nobody waits for it (no rules, loggers)
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
}

/* A freed tx gives back what its files were charged (the POST body's file
 * stayed charged to the HTTP memcap before). */
static void freed_tx_with_a_file_releases_its_memory(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    feed(fx, 1, RESP);
    app_flow_packet_publish(fx->af);
    app_flow_packet_publish(fx->af);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
    uint64_t base = fx->af->memuse;
    for (int i = 0; i < 3; i++) {
        feed(fx, 0, "POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd");
        feed(fx, 1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assert_non_null(app_layer_tx_file_at(&fx->f, app_layer_tx_at(&fx->f, 0), 0, 0));
        app_flow_packet_publish(fx->af);
        app_flow_packet_publish(fx->af);
        assert_int_equal(app_layer_tx_count(&fx->f), 0);
        assert_int_equal(fx->af->memuse, base);
    }
}

static void rules_for_the_protocol_keep_the_tx_until_inspected(void **state)
{
    Fx *fx = *state;
    app_layer_set_proto_inspected(APP_PROTO_HTTP1, true);
    feed(fx, 0, REQ);
    feed(fx, 1, RESP);
    app_flow_packet_publish(fx->af);
    app_flow_packet_publish(fx->af);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    app_layer_tx_at(&fx->f, 0)->flags |= APP_TX_F_INSPECTED_TS | APP_TX_F_INSPECTED_TC;
    app_flow_packet_publish(fx->af);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
    app_layer_set_proto_inspected(APP_PROTO_HTTP1, false);
}

static void gap_stops_the_direction_and_forces_txs_done(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc");
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_false(app_layer_tx_complete(&fx->f, tx, 0));
    app_flow_gap(fx->af, 0);
    assert_true(app_layer_tx_complete(&fx->f, tx, 0));
    buf_is(fx, "http.request_body", 0, "abc");
}

static void gap_in_a_body_of_known_length_resyncs(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
    feed(fx, 1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab");
    app_flow_gap_len(fx->af, 1, 5);                 // 5 of the 10 body bytes are missing
    feed(fx, 1, "cde");
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_true(app_layer_tx_complete(&fx->f, tx, 1));
    const AppFile *file = app_layer_tx_file_at(&fx->f, tx, 1, 0);
    assert_non_null(file);
    assert_int_equal(file->state, APP_FILE_TRUNCATED);
    assert_true(file->flags & APP_FILE_F_GAP);
    assert_int_equal(file->size, 10);              // the missing bytes count, as Suricata's
    buf_is(fx, "http.response_body", 1, "ab");     // never spliced across the hole
    /* the next response is parsed normally */
    feed(fx, 1, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno");
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    AppTx *tx2 = app_layer_tx_at(&fx->f, 1);
    assert_true(app_layer_tx_complete(&fx->f, tx2, 1));
    const AppFile *f2 = app_layer_tx_file_at(&fx->f, tx2, 1, 0);
    assert_int_equal(f2->state, APP_FILE_CLOSED);
    assert_false(f2->flags & APP_FILE_F_GAP);
    assert_false(fx->af->flags & APP_FLOW_F_STOP_TC);
}

/* Outside a body libhtp takes the hole as it does in Suricata (same library call):
 * parsing goes on with the data after it. */
static void gap_in_headers_is_handed_to_libhtp(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "GET /1 HTTP/1.1\r\nHost: a\r\n");
    app_flow_gap_len(fx->af, 0, 20);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_non_null(tx);
    feed(fx, 0, "X: y\r\n\r\n");
    assert_true(app_layer_tx_complete(&fx->f, tx, 0));
    feed(fx, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_true(app_layer_tx_complete(&fx->f, tx, 1));
}

static void connect_tunnel_gets_a_new_parser_instance(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "CONNECT abc:443 HTTP/1.1\r\nHost: abc\r\n\r\n");
    feed(fx, 1, "HTTP/1.1 200 OK\r\n\r\n");
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_true(app_layer_tx_complete(&fx->f, tx, 0));
    assert_true(app_layer_tx_complete(&fx->f, tx, 1));
    app_flow_packet_publish(fx->af);
    app_flow_packet_publish(fx->af);              // logged and inspected: freed
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
    feed(fx, 0, "GET /in HTTP/1.1\r\nHost: x\r\n\r\n");
    feed(fx, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    AppTx *in = app_layer_tx_at(&fx->f, 0);
    assert_int_equal(in->id, 0);                 // the new instance counts from 0
    assert_true(app_layer_tx_complete(&fx->f, in, 1));
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_HTTP1);
    assert_int_equal(app_layer_flow_proto_orig(&fx->f), APP_PROTO_HTTP1);
}

/* What the HTTP instance before a tunnel holds stays charged to HTTP's memcap until
 * freed; the tunnelled protocol's parser is charged to its own (FIXME(#9) closed). */
static void connect_tunnel_keeps_memory_charged_to_each_protocol(void **state)
{
    Fx *fx = *state;
    AppProtoCfg *http = app_proto_cfg(APP_PROTO_HTTP1);
    AppProtoCfg *ssh = app_proto_cfg(APP_PROTO_SSH);
    uint64_t ssh_before = atomic_load(&ssh->memuse);
    feed(fx, 0, "CONNECT abc:22 HTTP/1.1\r\nHost: abc\r\n\r\n");
    feed(fx, 1, "HTTP/1.1 200 OK\r\n\r\n");
    uint64_t http_held = fx->af->old_memuse;   // handed over on the 200
    assert_true(http_held > 0);
    assert_int_equal(atomic_load(&http->memuse), http_held);
    feed(fx, 0, "SSH-2.0-client\r\n");
    feed(fx, 1, "SSH-2.0-server\r\n");
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_SSH);
    assert_int_equal(app_layer_tx_count(&fx->f) > 0, true);  // the CONNECT tx is held
    assert_int_equal(atomic_load(&http->memuse), http_held);
    assert_int_equal(fx->af->old_memuse, http_held);
    assert_int_equal(atomic_load(&ssh->memuse), ssh_before + fx->af->memuse);
    app_flow_free(fx->af);
    fx->af = NULL;
    assert_int_equal(atomic_load(&http->memuse), 0);
    assert_int_equal(atomic_load(&ssh->memuse), ssh_before);
}

static void connect_tunnel_with_unknown_data_fails_detection(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "CONNECT abc:443 HTTP/1.1\r\nHost: abc\r\n\r\n");
    feed(fx, 1, "HTTP/1.1 200 OK\r\n\r\n");
    app_flow_data(fx->af, 1, (const uint8_t *)"\x05\x00\x00\x05\x00", 5);
    app_flow_data(fx->af, 0, (const uint8_t *)"\x16\x99\x00\x05\x00", 5);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_FAILED);
    assert_int_equal(app_layer_flow_proto_orig(&fx->f), APP_PROTO_HTTP1);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);  // the CONNECT tx stays until freed
}

static void data_after_an_http09_request_is_ignored(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "POST abcd12345\n");
    feed(fx, 1, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    feed(fx, 0, "USER abab1212 \"zz\" \"yy\"\r\n");
    assert_int_equal(fx->af->flags & APP_FLOW_F_ERROR, 0);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    buf_is(fx, "http.method", 0, "POST");
}

static void connect_target_that_is_no_host_gives_no_host(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "CONNECT / HTTP/1.1\r\nX: y\r\n\r\n");
    int id = app_layer_buffer_find_for("http.host", APP_PROTO_HTTP1, 0);
    const uint8_t *d;
    uint32_t l;
    assert_false(app_layer_buffer_def(id)->get(&fx->f, app_layer_tx_at(&fx->f, 0), &d, &l));
    buf_is(fx, "http.uri.raw", 0, "/");
}

static void connect_target_host_is_the_host(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "CONNECT Abc.example:443 HTTP/1.1\r\n\r\n");
    buf_is(fx, "http.host", 0, "abc.example");
}

static bool body_window(Fx *fx, uint8_t dir, const uint8_t **d, uint32_t *l)
{
    const char *name = dir == 0 ? "http.request_body" : "http.response_body";
    int id = app_layer_buffer_find_for(name, APP_PROTO_HTTP1, dir);
    return app_layer_buffer_def(id)->get(&fx->f, app_layer_tx_at(&fx->f, 0), d, l);
}

/* Suricata's windows with the default config: nothing before 40 KiB of response body,
 * then the body from its start; after that the new bytes plus a quarter window back. */
static void response_body_is_inspected_in_windows(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    feed(fx, 1, "HTTP/1.1 200 OK\r\nContent-Length: 90000\r\n\r\n");
    static uint8_t chunk[30000];
    memset(chunk, 'a', sizeof(chunk));
    const uint8_t *d;
    uint32_t l;
    app_flow_data(fx->af, 1, chunk, sizeof(chunk));
    assert_false(body_window(fx, 1, &d, &l));        // under response-body-minimal-inspect-size
    app_flow_data(fx->af, 1, chunk, sizeof(chunk));
    assert_true(body_window(fx, 1, &d, &l));
    assert_int_equal(l, 60000);                      // all of it, the first time
    assert_true(body_window(fx, 1, &d, &l));
    assert_int_equal(l, 60000);                      // the same window until new data
    app_flow_data(fx->af, 1, chunk, sizeof(chunk));  // complete
    assert_true(body_window(fx, 1, &d, &l));
    assert_int_equal(l, 30000 + 16384 / 4);          // new bytes and a quarter window back
}

/* A body of several MB with no body limit: what detection saw is pruned, the memory
 * charged stays near the window, not the body. */
static void long_body_memory_stays_bounded(void **state)
{
    (void)state;
    Fx fx2 = {0};
    Conf *c = conf_new();
    assert_non_null(c);
    assert_int_equal(conf_load_string(c, "libhtp:\n  default-config:\n"
                                         "    response-body-limit: 0\n", "t.yaml"), 0);
    app_layer_deinit();
    flow_storage_reset();
    assert_int_equal(app_layer_init(c), 0);
    fx2.af = app_test_flow_open(&fx2.f, 6, 40001, 80);
    feed(&fx2, 0, "GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
    feed(&fx2, 1, "HTTP/1.1 200 OK\r\nContent-Length: 8000000\r\n\r\n");
    static uint8_t chunk[8000];
    uint64_t peak = 0;
    uint64_t seen = 0;
    for (int i = 0; i < 1000; i++) {
        memset(chunk, 'a' + i % 26, sizeof(chunk));
        app_flow_data(fx2.af, 1, chunk, sizeof(chunk));
        const uint8_t *d;
        uint32_t l;
        if (body_window(&fx2, 1, &d, &l)) {
            assert_true(l <= 16384 + sizeof(chunk) + 40 * 1024);
            assert_int_equal(d[l - 1], 'a' + i % 26);   // ends with the newest byte
            seen++;
        }
        peak = fx2.af->memuse > peak ? fx2.af->memuse : peak;
    }
    assert_true(seen > 900);
    const HttpTx *ht = (const HttpTx *)app_layer_tx_at(&fx2.f, 0);
    assert_int_equal(ht->body_base[1] + ht->body[1].len, 8000000);
    assert_true(peak < 512 * 1024);                  // not the 8 MB body
    app_flow_free(fx2.af);
    conf_free(c);
}

/* With the file store on, a file being stored no longer holds its whole body: what came
 * is in the store, the window is pruned as without the store. */
static void stored_file_body_memory_stays_bounded(void **state)
{
    (void)state;
    char dir[] = "/tmp/vg-fs-XXXXXX";
    assert_non_null(mkdtemp(dir));
    Fx fx2 = {0};
    Conf *c = conf_new();
    assert_non_null(c);
    assert_int_equal(conf_load_string(c, "libhtp:\n  default-config:\n"
                                         "    response-body-limit: 0\n"
                                         "fs:\n  version: 2\n  enabled: yes\n  dir: fs\n",
                                      "t.yaml"), 0);
    app_layer_deinit();
    flow_storage_reset();
    assert_int_equal(app_layer_init(c), 0);
    assert_int_equal(app_layer_filestore_setup(conf_get_node(c, NULL, "fs"), dir), 0);
    fx2.af = app_test_flow_open(&fx2.f, 6, 40002, 80);
    feed(&fx2, 0, "GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
    feed(&fx2, 1, "HTTP/1.1 200 OK\r\nContent-Length: 4000000\r\n\r\nfirst");
    AppTx *tx = app_layer_tx_at(&fx2.f, 0);
    const HttpTx *ht = (const HttpTx *)tx;
    assert_true(http_body_keep_all(ht, 1));          // the store may still be asked for
    app_layer_file_request_store(&fx2.f, tx, 1, NULL);
    assert_false(http_body_keep_all(ht, 1));         // being stored: prunable
    static uint8_t chunk[8000];
    memset(chunk, 'x', sizeof(chunk));
    uint64_t peak = 0;
    for (int i = 0; i < 499; i++) {
        app_flow_data(fx2.af, 1, chunk, sizeof(chunk));
        const uint8_t *d;
        uint32_t l;
        (void)body_window(&fx2, 1, &d, &l);
        peak = fx2.af->memuse > peak ? fx2.af->memuse : peak;
    }
    assert_true(peak < 512 * 1024);                  // not the 4 MB body
    app_flow_free(fx2.af);
    app_layer_filestore_deinit();
    conf_free(c);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void header_instances_are_name_colon_value(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, REQ);
    feed(fx, APP_DIR_TOCLIENT, RESP);
    static const char *const want[] = { "Host: WWW.Example.COM", "User-Agent: ua/1",
                                        "Cookie: k=v" };
    const AppBufferDef *d =
        app_layer_buffer_def(app_layer_buffer_find_for("http.request_header", APP_PROTO_HTTP1, 0));
    assert_non_null(d->get_multi);
    const uint8_t *data;
    uint32_t len;
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    for (uint32_t i = 0; i < 3; i++) {
        assert_true(d->get_multi(&fx->f, tx, i, &data, &len));
        assert_int_equal(len, strlen(want[i]));
        assert_memory_equal(data, want[i], len);
    }
    assert_false(d->get_multi(&fx->f, tx, 3, &data, &len));
    const AppBufferDef *r =
        app_layer_buffer_def(app_layer_buffer_find_for("http.response_header", APP_PROTO_HTTP1, 1));
    assert_true(r->get_multi(&fx->f, tx, 1, &data, &len));
    assert_int_equal(len, strlen("Content-Length: 5"));
    assert_memory_equal(data, "Content-Length: 5", len);
}

static void uri_query_escapes_are_decoded_once(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "GET /p%2541?q=%2541+%41 b HTTP/1.1\r\nHost: h\r\n\r\n");
    buf_is(fx, "http.uri", 0, "/p%41?q=%41+A b");
    buf_is(fx, "http.uri.raw", 0, "/p%2541?q=%2541+%41 b");
}

static void response_without_request_is_a_tx(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    feed(fx, APP_DIR_TOCLIENT, "HTTP/1.0 404 No\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(fx->f.app_proto, APP_PROTO_HTTP1);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    buf_is(fx, "http.stat_code", 1, "200");
    buf_is(fx, "http.response_body", 1, "hi");
}

static void other_side_speaking_another_protocol_is_a_mismatch(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, REQ);
    const AppEventId *ev;
    assert_int_equal(app_layer_flow_events(&fx->f, &ev), 0);
    feed(fx, APP_DIR_TOCLIENT, "SSH-2.0-OpenSSH_9.6\r\n");
    assert_int_equal(app_layer_flow_events(&fx->f, &ev), 1);
    assert_int_equal(ev[0], app_layer_event_find("applayer.mismatch_protocol_both_directions"));
    assert_int_equal(fx->f.app_proto, APP_PROTO_HTTP1);
    assert_int_equal(app_layer_flow_proto_dir(&fx->f, APP_DIR_TOCLIENT),
                     app_proto_by_name("ssh"));
}

static void other_side_agreeing_raises_nothing(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, REQ);
    feed(fx, APP_DIR_TOCLIENT, RESP);
    const AppEventId *ev;
    assert_int_equal(app_layer_flow_events(&fx->f, &ev), 0);
    assert_int_equal(app_layer_flow_proto_dir(&fx->f, APP_DIR_TOCLIENT), APP_PROTO_UNKNOWN);
}

static void lines_before_the_status_line_are_skipped(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    feed(fx, APP_DIR_TOCLIENT, "SIP/2.0 200 ok\r\n \r\nHTTP/1.1 200 ok\r\n"
                               "Content-Disposition: attachment; filename=\"e.txt\"\r\n"
                               "Content-Length: 4\r\n\r\nbody");
    buf_is(fx, "http.response_body", 1, "body");
    const AppFile *af = app_layer_tx_file_at(&fx->f, app_layer_tx_at(&fx->f, 0), 1, 0);
    assert_non_null(af);
    assert_int_equal(af->name_len, 5);
    assert_memory_equal(af->name, "e.txt", 5);
    assert_int_equal(af->size, 4);
}

static bool tx_has_event(AppTx *tx, const char *name)
{
    int id = app_layer_event_find(name);
    assert_true(id >= 0);
    for (uint32_t i = 0; tx != NULL && i < tx->n_events && i < APP_TX_EVENTS_MAX; i++) {
        if (tx->events[i] == id) {
            return true;
        }
    }
    return false;
}

static void chunk_scan_sees_extensions_only_on_size_lines(void **state)
{
    (void)state;
    static const char body[] = "8 \r\ntoto;ata\r\n4\r\ntiti\r\n0\r\nT: 1\r\n\r\nGET";
    HttpChunkScan cs = { .state = HTTP_CS_SIZE };
    assert_false(http_chunk_scan(&cs, (const uint8_t *)body, (uint32_t)strlen(body)));
    assert_int_equal(cs.state, HTTP_CS_OFF);  // ended at the trailer's blank line
    /* the same with an extension on the last size line, fed a byte at a time */
    static const char ext[] = "4\r\nabcd\r\n0 ; k=\"v\"\r\n\r\n";
    HttpChunkScan c2 = { .state = HTTP_CS_SIZE };
    bool seen = false;
    for (size_t i = 0; i < strlen(ext); i++) {
        seen = http_chunk_scan(&c2, (const uint8_t *)ext + i, 1) || seen;
    }
    assert_true(seen);
    assert_int_equal(c2.state, HTTP_CS_OFF);
    HttpChunkScan c3 = { .state = HTTP_CS_SIZE };
    assert_false(http_chunk_scan(&c3, (const uint8_t *)"", 0));
}

static void chunk_extension_raises_its_event(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                "4\r\nabcd\r\n0;x=y\r\n\r\n"
                "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                "2\r\nab\r\n0\r\n\r\n");
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    assert_true(tx_has_event(app_layer_tx_at(&fx->f, 0), "http.request_chunk_extension"));
    assert_false(tx_has_event(app_layer_tx_at(&fx->f, 1), "http.request_chunk_extension"));
    feed(fx, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;e\r\nabc\r\n0\r\n\r\n");
    assert_true(tx_has_event(app_layer_tx_at(&fx->f, 0), "http.response_chunk_extension"));
}

static void plain_post_body_is_a_file(void **state)
{
    Fx *fx = *state;
    feed(fx, 0, "POST /up/x.bin HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nDATA");
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    const AppFile *af = app_layer_tx_file_at(&fx->f, tx, 0, 0);
    assert_non_null(af);
    assert_int_equal(af->name_len, strlen("/up/x.bin"));
    assert_memory_equal(af->name, "/up/x.bin", af->name_len);
    assert_int_equal(af->size, 4);
    buf_is(fx, "file.data", 0, "DATA");
    /* a GET body is none */
    feed(fx, 0, "GET /g HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab");
    assert_null(app_layer_tx_file_at(&fx->f, app_layer_tx_at(&fx->f, 1), 0, 0));
}

static void uri_path_keeps_its_case(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "GET /Admin/Login.PHP?A=B+C HTTP/1.1\r\nHost: h\r\n\r\n");
    buf_is(fx, "http.uri", 0, "/Admin/Login.PHP?A=B+C");
}

static void missing_protocol_with_headers_is_not_http09(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "GET /x\r\nFakeHeader\r\nUser-Agent: u/1\r\n\r\n");
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_true(tx_has_event(tx, "http.request_line_missing_protocol"));
    buf_is(fx, "http.user_agent", 0, "u/1");
    buf_is(fx, "http.request_line", 0, "GET /x");
    buf_is(fx, "http.uri", 0, "/x");
    /* the next request on the connection parses normally */
    feed(fx, APP_DIR_TOSERVER, "GET /y HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    assert_false(tx_has_event(app_layer_tx_at(&fx->f, 1), "http.request_line_missing_protocol"));
}

static void http09_request_stays_http09(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, "GET /x\r\n\r\n");
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_non_null(tx);
    assert_false(tx_has_event(tx, "http.request_line_missing_protocol"));
    buf_is(fx, "http.request_line", 0, "GET /x");
}

static void names_and_lists(void **state)
{
    (void)state;
    assert_string_equal(app_proto_name(APP_PROTO_HTTP1), "http");
    assert_int_equal(app_proto_by_name("http1"), APP_PROTO_HTTP1);
    assert_int_equal(app_proto_by_name("imap"), APP_PROTO_UNKNOWN);
    assert_true(app_proto_is_known_name("imap"));
    assert_false(app_proto_is_known_name("nosuch"));
    assert_int_equal(app_layer_buffer_find("nosuch.buffer"), VG_ENOENT);
    assert_true(app_layer_event_find("applayer.mismatch_protocol_both_directions") >= 0);
    assert_string_equal(app_layer_event_name(app_layer_event_find("http.compression_bomb")),
                        "http.compression_bomb");
}

/* Capture files: libhtp's wall-clock decompression limit is off (a loaded machine must
 * not turn a gzip body into a compression bomb); live capture keeps the configured one. */
static void offline_has_no_wall_clock_limit(void **state)
{
    (void)state;
    Conf *c = conf_new();
    assert_non_null(c);
    assert_int_equal(conf_load_string(c, "libhtp:\n  default-config:\n"
                                         "    decompression-time-limit: 5000\n", "t.yaml"), 0);
    Flow f = {0};
    for (int offline = 0; offline <= 1; offline++) {
        app_layer_deinit();
        flow_storage_reset();
        app_layer_set_offline(offline == 1);
        assert_int_equal(app_layer_init(c), 0);
        assert_int_equal(http_cfg_for(&f)->decompression_time_limit,
                         offline ? (uint64_t)INT32_MAX : 5000u);
    }
    app_layer_set_offline(false);
    conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(request_and_response_make_one_complete_tx, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(buffers_hold_suricata_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(request_split_at_every_byte_parses_the_same, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(pipelined_requests_make_one_tx_each, setup, teardown),
        cmocka_unit_test_setup_teardown(junk_both_ways_fails_detection, setup, teardown),
        cmocka_unit_test_setup_teardown(response_seen_first_is_replayed_after_the_request,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(missing_colon_raises_its_event, setup, teardown),
        cmocka_unit_test_setup_teardown(finished_tx_is_freed_on_the_next_packet, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(freed_tx_with_a_file_releases_its_memory, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(rules_for_the_protocol_keep_the_tx_until_inspected,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(gap_stops_the_direction_and_forces_txs_done, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(gap_in_a_body_of_known_length_resyncs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(gap_in_headers_is_handed_to_libhtp, setup, teardown),
        cmocka_unit_test_setup_teardown(connect_tunnel_gets_a_new_parser_instance, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(connect_tunnel_keeps_memory_charged_to_each_protocol,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(connect_tunnel_with_unknown_data_fails_detection, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(data_after_an_http09_request_is_ignored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(connect_target_that_is_no_host_gives_no_host, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(connect_target_host_is_the_host, setup, teardown),
        cmocka_unit_test_setup_teardown(response_body_is_inspected_in_windows, setup, teardown),
        cmocka_unit_test_setup_teardown(long_body_memory_stays_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(offline_has_no_wall_clock_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(stored_file_body_memory_stays_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(names_and_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(header_instances_are_name_colon_value, setup, teardown),
        cmocka_unit_test_setup_teardown(uri_query_escapes_are_decoded_once, setup, teardown),
        cmocka_unit_test_setup_teardown(response_without_request_is_a_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(other_side_speaking_another_protocol_is_a_mismatch,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(other_side_agreeing_raises_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(lines_before_the_status_line_are_skipped, setup,
                                        teardown),
        cmocka_unit_test(chunk_scan_sees_extensions_only_on_size_lines),
        cmocka_unit_test_setup_teardown(chunk_extension_raises_its_event, setup, teardown),
        cmocka_unit_test_setup_teardown(plain_post_body_is_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(uri_path_keeps_its_case, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_protocol_with_headers_is_not_http09, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(http09_request_stays_http09, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
