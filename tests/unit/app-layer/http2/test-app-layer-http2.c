/* HTTP/2 through the app-layer framework, fed as the stream subscriber feeds it:
 * preface detection, frames of both directions, HPACK (header blocks made with
 * libnghttp2's deflater from the readable name/value lists below, or written by hand
 * where the bytes matter), streams as txs, buffers, the EVE object, and malformed input:
 * truncated, empty, oversized, maximum values, garbage, endless CONTINUATION, an HPACK
 * bomb. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <nghttp2/nghttp2.h>
#include <zlib.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/dns/app-layer-dns-tx.h"
#include "app-layer/http2/app-layer-http2-internal.h"
#include "app-layer/http2/app-layer-http2.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-json.h"

typedef struct Buf {
    uint8_t *b;
    uint32_t n;
    uint32_t cap;
} Buf;

typedef struct Fx {
    Flow f;
    AppFlow *af;
    Buf cli;
    Buf srv;
    nghttp2_hd_deflater *enc[2];
} Fx;

static void put(Buf *b, const void *p, uint32_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->b = realloc(b->b, b->cap);
        assert_non_null(b->b);
    }
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void frame(Buf *b, uint32_t len, uint8_t type, uint8_t flags, uint32_t sid,
                  const void *payload)
{
    uint8_t h[9] = {(uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, type, flags,
                    (uint8_t)(sid >> 24), (uint8_t)(sid >> 16), (uint8_t)(sid >> 8),
                    (uint8_t)sid};
    put(b, h, 9);
    if (len > 0 && payload != NULL) {
        put(b, payload, len);
    }
}

#define NV(n, v)                                                                           \
    {(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, NGHTTP2_NV_FLAG_NONE}

/* The header block of nv encoded by dir's deflater into out (returns its length). */
static uint32_t hpack(Fx *fx, uint8_t dir, const nghttp2_nv *nv, size_t n, uint8_t *out,
                      size_t cap)
{
    ssize_t r = nghttp2_hd_deflate_hd(fx->enc[dir], out, cap, nv, n);
    assert_true(r > 0);
    return (uint32_t)r;
}

static const nghttp2_nv g_req[] = {
    NV(":method", "GET"), NV(":scheme", "http"), NV(":authority", "User@Example.COM:8080"),
    NV(":path", "/index.html?q=1"), NV("user-agent", "vigil-test/1.0"),
    NV("cookie", "a=1"), NV("cookie", "b=2"),
};
static const nghttp2_nv g_resp[] = {
    NV(":status", "200"), NV("content-type", "text/html"), NV("content-length", "11"),
};

static void client_preface(Buf *b)
{
    put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
    uint8_t set[12] = {0, 3, 0, 0, 0, 100, 0, 4, 0, 0, 0xff, 0xff};   // streams 100, window 65535
    frame(b, 12, HTTP2_FRAME_SETTINGS, 0, 0, set);
}

/* A whole exchange: stream 1 GET with END_STREAM, response headers and an 11-byte body. */
static void exchange(Fx *fx)
{
    uint8_t blk[512];
    client_preface(&fx->cli);
    uint32_t n = hpack(fx, 0, g_req, sizeof(g_req) / sizeof(g_req[0]), blk, sizeof(blk));
    frame(&fx->cli, n, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS | HTTP2_FLAG_END_STREAM, 1,
          blk);
    uint8_t wu[4] = {0, 0, 0x87, 0x4a};   // 34634
    frame(&fx->cli, 4, HTTP2_FRAME_WINDOW_UPDATE, 0, 0, wu);
    uint8_t set[6] = {0, 3, 0, 0, 0, 100};
    frame(&fx->srv, 6, HTTP2_FRAME_SETTINGS, 0, 0, set);
    n = hpack(fx, 1, g_resp, sizeof(g_resp) / sizeof(g_resp[0]), blk, sizeof(blk));
    frame(&fx->srv, n, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS, 1, blk);
    frame(&fx->srv, 11, HTTP2_FRAME_DATA, HTTP2_FLAG_END_STREAM, 1, "hello world");
    uint8_t ga[8] = {0, 0, 0, 1, 0, 0, 0, 0};   // last stream 1, NO_ERROR
    frame(&fx->srv, 8, HTTP2_FRAME_GOAWAY, 0, 0, ga);
}

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_HTTP2, true);   // keep txs for the test
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, 40000, 80);
    assert_int_equal(nghttp2_hd_deflate_new(&fx->enc[0], 4096), 0);
    assert_int_equal(nghttp2_hd_deflate_new(&fx->enc[1], 4096), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    nghttp2_hd_deflate_del(fx->enc[0]);
    nghttp2_hd_deflate_del(fx->enc[1]);
    free(fx->cli.b);
    free(fx->srv.b);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_HTTP2, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const Buf *b, uint32_t chunk)
{
    for (uint32_t off = 0; off < b->n; off += chunk) {
        uint32_t n = b->n - off < chunk ? b->n - off : chunk;
        app_flow_data(fx->af, dir, b->b + off, n);
    }
}

static void feed_both(Fx *fx, uint32_t chunk)
{
    feed(fx, APP_DIR_TOSERVER, &fx->cli, chunk);
    feed(fx, APP_DIR_TOCLIENT, &fx->srv, chunk);
}

static const Http2Tx *stream_tx(Fx *fx, uint32_t sid)
{
    for (uint32_t i = 0; i < app_layer_tx_count(&fx->f); i++) {
        const Http2Tx *t = http2_tx(app_layer_tx_at(&fx->f, i));
        if (t != NULL && !t->is_global && t->stream_id == sid) {
            return t;
        }
    }
    return NULL;
}

static bool has_event(Fx *fx, const char *name)
{
    int id = app_layer_event_find(name);
    assert_true(id >= 0);
    const AppEventId *ids;
    uint32_t n = app_layer_flow_events(&fx->f, &ids);
    for (uint32_t i = 0; i < n; i++) {
        if (ids[i] == id) {
            return true;
        }
    }
    for (uint32_t t = 0; t < app_layer_tx_count(&fx->f); t++) {
        const AppTx *tx = app_layer_tx_at(&fx->f, t);
        for (uint32_t i = 0; i < tx->n_events && i < APP_TX_EVENTS_MAX; i++) {
            if (tx->events[i] == id) {
                return true;
            }
        }
    }
    return false;
}

static void assert_buffer(Fx *fx, const AppTx *tx, const char *name, uint8_t dir,
                          const char *want)
{
    const AppBufferDef *d = app_layer_buffer_def(app_layer_buffer_find_for(name, APP_PROTO_HTTP2,
                                                                           dir));
    assert_non_null(d);
    const uint8_t *p;
    uint32_t l;
    assert_true(d->get(&fx->f, tx, &p, &l));
    assert_int_equal(l, strlen(want));
    assert_memory_equal(p, want, l);
}

/* ---- pure helpers ---- */

static void hpack_int_forms(void **state)
{
    (void)state;
    uint32_t v;
    const uint8_t small[] = {0x0a};                 // 10 in a 5-bit prefix
    assert_int_equal(http2_hpack_int(small, 1, 5, &v), 1);
    assert_int_equal(v, 10);
    const uint8_t rfc[] = {0x1f, 0x9a, 0x0a};       // RFC 7541 C.1.2: 1337
    assert_int_equal(http2_hpack_int(rfc, 3, 5, &v), 3);
    assert_int_equal(v, 1337);
    assert_int_equal(http2_hpack_int(rfc, 2, 5, &v), 0);   // truncated: more needed
    assert_int_equal(http2_hpack_int(rfc, 0, 5, &v), 0);   // empty
    const uint8_t big[] = {0x1f, 0xff, 0xff, 0xff, 0xff, 0x7f};   // over 32 bits
    assert_int_equal(http2_hpack_int(big, sizeof(big), 5, &v), -1);
    const uint8_t max[] = {0x1f, 0xe0, 0xff, 0xff, 0xff, 0x0f};   // 2^32 - 1
    assert_int_equal(http2_hpack_int(max, sizeof(max), 5, &v), 6);
    assert_int_equal(v, UINT32_MAX);
}

static void size_updates_at_block_start(void **state)
{
    (void)state;
    uint32_t out[4];
    bool of;
    const uint8_t two[] = {0x20, 0x3f, 0xe1, 0x1f, 0x82};   // 0, 4096, then :method GET
    assert_int_equal(http2_hpack_size_updates(two, sizeof(two), out, 4, &of), 2);
    assert_false(of);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 4096);
    const uint8_t over[] = {0x3f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_int_equal(http2_hpack_size_updates(over, sizeof(over), out, 4, &of), 0);
    assert_true(of);
}

static void frame_header_fields(void **state)
{
    (void)state;
    const uint8_t h[9] = {0xff, 0xff, 0xff, 0x07, 0x01, 0xff, 0xff, 0xff, 0xff};
    uint32_t len;
    uint8_t type;
    uint8_t flags;
    uint32_t sid;
    http2_frame_header_parse(h, &len, &type, &flags, &sid);
    assert_int_equal(len, 0xffffff);
    assert_int_equal(type, HTTP2_FRAME_GOAWAY);
    assert_int_equal(flags, 1);
    assert_int_equal(sid, 0x7fffffff);   // the reserved bit is not part of the id
    assert_string_equal(http2_frame_type_name(3), "RST_STREAM");
    assert_null(http2_frame_type_name(10));
    assert_string_equal(http2_error_code_name(11), "ENHANCE_YOUR_CALM");
    assert_null(http2_error_code_name(99));
    assert_string_equal(http2_settings_name(1), "SETTINGS_HEADER_TABLE_SIZE");
}

/* ---- through the framework ---- */

static void full_exchange(void **state)
{
    Fx *fx = *state;
    exchange(fx);
    feed_both(fx, 100000);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_HTTP2);
    const Http2Tx *t = stream_tx(fx, 1);
    assert_non_null(t);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, 0));
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, 1));
    assert_buffer(fx, &t->tx, "http.uri", 0, "/index.html?q=1");
    assert_buffer(fx, &t->tx, "http.method", 0, "GET");
    assert_buffer(fx, &t->tx, "http.host", 0, "example.com");
    assert_buffer(fx, &t->tx, "http.host.raw", 0, "User@Example.COM:8080");
    assert_buffer(fx, &t->tx, "http.user_agent", 0, "vigil-test/1.0");
    assert_buffer(fx, &t->tx, "http.cookie", 0, "a=1; b=2");
    assert_buffer(fx, &t->tx, "http.request_header", 0, ":method: GET");
    assert_buffer(fx, &t->tx, "http.stat_code", 1, "200");
    assert_buffer(fx, &t->tx, "http.response_body", 1, "hello world");
    assert_buffer(fx, &t->tx, "http.header", 1,
                  "content-type: text/html\r\ncontent-length: 11\r\n");
    const AppBufferDef *d =
        app_layer_buffer_def(app_layer_buffer_find_for("http2.header_name", APP_PROTO_HTTP2, 0));
    const uint8_t *p;
    uint32_t l;
    assert_true(d->get_multi(&fx->f, &t->tx, 4, &p, &l));
    assert_int_equal(l, 10);
    assert_memory_equal(p, "user-agent", 10);
    assert_false(d->get_multi(&fx->f, &t->tx, 7, &p, &l));
    assert_true(has_event(fx, "http2.userinfo_in_uri"));
    assert_false(has_event(fx, "http2.invalid_header"));
}

static void byte_by_byte_same_result(void **state)
{
    Fx *fx = *state;
    exchange(fx);
    feed_both(fx, 1);
    const Http2Tx *t = stream_tx(fx, 1);
    assert_non_null(t);
    assert_buffer(fx, &t->tx, "http.uri", 0, "/index.html?q=1");
    assert_buffer(fx, &t->tx, "http.response_body", 1, "hello world");
    /* settings, stream 1, window update, server settings, goaway */
    assert_int_equal(app_layer_tx_count(&fx->f), 5);
}

static void eve_object(void **state)
{
    Fx *fx = *state;
    exchange(fx);
    feed_both(fx, 7);
    JsonBuf jb;
    app_test_tx_json(&fx->f, stream_tx(fx, 1)->tx.id, &jb, 4096);
    const char *want[] = {
        "\"url\":\"/index.html?q=1\"", "\"http_method\":\"GET\"", "\"status\":200",
        "\"length\":11", "\"version\":\"2\"", "\"http2\":{\"stream_id\":1",
        "{\"name\":\":status\",\"value\":\"200\"}", "\"http_content_type\":\"text/html\"",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_non_null(strstr(jb.buf, want[i]));
    }
    /* the client's SETTINGS: a stream-0 tx of its own */
    json_buf_reset(&jb);
    json_open_object(&jb, NULL);
    assert_true(app_layer_tx_log_json(&fx->f, 0, &jb));
    json_close_object(&jb);
    assert_non_null(strstr(jb.buf, "\"request\":{\"settings\":[{\"settings_id\":"
                                   "\"SETTINGSMAXCONCURRENTSTREAMS\",\"settings_value\":100}"));
    json_buf_deinit(&jb);
}

static void continuation_joins_block(void **state)
{
    Fx *fx = *state;
    uint8_t blk[512];
    client_preface(&fx->cli);
    uint32_t n = hpack(fx, 0, g_req, sizeof(g_req) / sizeof(g_req[0]), blk, sizeof(blk));
    frame(&fx->cli, 5, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_STREAM, 3, blk);
    frame(&fx->cli, 5, HTTP2_FRAME_CONTINUATION, 0, 3, blk + 5);
    frame(&fx->cli, n - 10, HTTP2_FRAME_CONTINUATION, HTTP2_FLAG_END_HEADERS, 3, blk + 10);
    feed(fx, 0, &fx->cli, 3);
    const Http2Tx *t = stream_tx(fx, 3);
    assert_non_null(t);
    assert_buffer(fx, &t->tx, "http.uri", 0, "/index.html?q=1");
    assert_int_equal(t->tx.progress[0], HTTP2_PROG_DONE);
    assert_false(has_event(fx, "http2.invalid_frame_header"));
}

static void frame_inside_block_is_invalid(void **state)
{
    Fx *fx = *state;
    uint8_t blk[512];
    client_preface(&fx->cli);
    uint32_t n = hpack(fx, 0, g_req, 2, blk, sizeof(blk));
    frame(&fx->cli, n, HTTP2_FRAME_HEADERS, 0, 1, blk);
    uint8_t ping[8] = {0};
    frame(&fx->cli, 8, HTTP2_FRAME_PING, 0, 0, ping);
    frame(&fx->cli, 0, HTTP2_FRAME_CONTINUATION, HTTP2_FLAG_END_HEADERS, 1, NULL);
    feed(fx, 0, &fx->cli, 1000);
    assert_true(has_event(fx, "http2.invalid_frame_header"));
    assert_int_equal(stream_tx(fx, 1)->side[0].n_headers, 0);
}

/* CONTINUATION frames without end: the block stops growing at HTTP2_BLOCK_MAX. */
static void endless_continuation_bounded(void **state)
{
    Fx *fx = *state;
    static uint8_t junk[16384];
    memset(junk, 0x40, sizeof(junk));
    client_preface(&fx->cli);
    frame(&fx->cli, 16, HTTP2_FRAME_HEADERS, 0, 1, junk);
    feed(fx, 0, &fx->cli, 100000);
    for (int i = 0; i < 200; i++) {   // 3.2 MB of CONTINUATION
        fx->cli.n = 0;
        frame(&fx->cli, sizeof(junk), HTTP2_FRAME_CONTINUATION, 0, 1, junk);
        feed(fx, 0, &fx->cli, 100000);
    }
    assert_true(has_event(fx, "http2.reassembly_limit_reached"));
    assert_true(fx->af->memuse < 3u * HTTP2_BLOCK_MAX);
}

/* A 4 KiB header in the dynamic table referenced by one byte each, many times over. */
static void hpack_bomb_bounded(void **state)
{
    Fx *fx = *state;
    client_preface(&fx->cli);
    static uint8_t blk[9000];
    uint32_t n = 0;
    blk[n++] = 0x40;                        // literal with incremental indexing, new name
    blk[n++] = 1;
    blk[n++] = 'x';
    blk[n++] = 0x7f;                        // value length 4000: 127 + 3873
    blk[n++] = (uint8_t)(0x80 | ((4000 - 127) & 0x7f));
    blk[n++] = (uint8_t)((4000 - 127) >> 7);
    memset(blk + n, 'A', 4000);
    n += 4000;
    while (n < sizeof(blk)) {
        blk[n++] = 0xbe;                    // indexed: dynamic entry 62
    }
    frame(&fx->cli, n, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS, 1, blk);
    feed(fx, 0, &fx->cli, 100000);
    const Http2Tx *t = stream_tx(fx, 1);
    assert_non_null(t);
    assert_true(has_event(fx, "http2.compression_bomb"));
    assert_true(t->side[0].hbytes_len <= HTTP2_HEADER_BYTES_MAX);
    assert_true(t->side[0].n_headers > 1);
}

/* Detection needs the whole 24-byte preface: a near miss is not HTTP/2. */
static void bad_preface_not_http2(void **state)
{
    Fx *fx = *state;
    put(&fx->cli, "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", 24);
    feed(fx, 0, &fx->cli, 100);
    assert_int_not_equal(app_layer_flow_proto(&fx->f), APP_PROTO_HTTP2);
}

static void malformed_frames(void **state)
{
    Fx *fx = *state;
    client_preface(&fx->cli);
    uint8_t z[16] = {0};
    frame(&fx->cli, 5, HTTP2_FRAME_SETTINGS, 0, 0, z);        // not a multiple of 6
    frame(&fx->cli, 8, HTTP2_FRAME_PING, 0, 1, z);            // PING on a stream
    frame(&fx->cli, 4, HTTP2_FRAME_DATA, 0, 0, z);            // DATA on stream 0
    uint8_t pad[4] = {9, 0, 0, 0};
    frame(&fx->cli, 4, HTTP2_FRAME_HEADERS, HTTP2_FLAG_PADDED | HTTP2_FLAG_END_HEADERS, 5,
          pad);                                               // pad longer than the frame
    uint8_t bad_hpack[2] = {0xff, 0xff};                      // index out of any table
    frame(&fx->cli, 2, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS, 7, bad_hpack);
    frame(&fx->cli, 0, 0xee, 0, 9, NULL);                     // unknown type: ignored
    frame(&fx->cli, 3, HTTP2_FRAME_RST_STREAM, 0, 7, z);      // RST_STREAM of 3 bytes
    feed(fx, 0, &fx->cli, 5);
    assert_true(has_event(fx, "http2.invalid_frame_length"));
    assert_true(has_event(fx, "http2.invalid_frame_header"));
    assert_true(has_event(fx, "http2.data_stream_zero"));
    assert_true(has_event(fx, "http2.invalid_frame_data"));
    assert_true(has_event(fx, "http2.invalid_header"));
}

static void stream_reuse_and_long_frame(void **state)
{
    Fx *fx = *state;
    uint8_t blk[512];
    client_preface(&fx->cli);
    uint32_t n = hpack(fx, 0, g_req, 4, blk, sizeof(blk));
    frame(&fx->cli, n, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS | HTTP2_FLAG_END_STREAM, 5,
          blk);
    uint8_t rst[4] = {0, 0, 0, 8};   // CANCEL
    frame(&fx->cli, 4, HTTP2_FRAME_RST_STREAM, 0, 5, rst);
    n = hpack(fx, 0, g_req, 4, blk, sizeof(blk));
    frame(&fx->cli, n, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS, 3, blk);   // 3 < 5
    feed(fx, 0, &fx->cli, 64);
    assert_true(has_event(fx, "http2.stream_id_reuse"));
    const Http2Tx *t5 = stream_tx(fx, 5);
    assert_true(t5->side[0].has_error);
    assert_int_equal(t5->side[0].error_code, 8);
    assert_int_equal(t5->tx.progress[1], HTTP2_PROG_DONE);
    /* 20000 bytes of DATA over the default 16384 maximum: streamed, body kept */
    static uint8_t big[20000];
    memset(big, 'b', sizeof(big));
    fx->cli.n = 0;
    frame(&fx->cli, sizeof(big), HTTP2_FRAME_DATA, HTTP2_FLAG_END_STREAM, 3, big);
    feed(fx, 0, &fx->cli, 1400);
    assert_true(has_event(fx, "http2.long_frame_data"));
    assert_int_equal(stream_tx(fx, 3)->side[0].body_len, sizeof(big));
    assert_int_equal(stream_tx(fx, 3)->tx.progress[0], HTTP2_PROG_DONE);
}

static void truncated_and_garbage(void **state)
{
    Fx *fx = *state;
    client_preface(&fx->cli);
    uint8_t partial[5] = {0, 0, 9, 1, 4};     // half a frame header
    put(&fx->cli, partial, sizeof(partial));
    feed(fx, 0, &fx->cli, 2);
    app_flow_data(fx->af, 0, (const uint8_t *)"", 0);   // empty
    static uint8_t junk[4096];
    for (uint32_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)(i * 131 + 7);
    }
    app_flow_data(fx->af, 0, junk, sizeof(junk));
    app_flow_data(fx->af, 1, junk, sizeof(junk));
    app_flow_eof(fx->af, 0);
    app_flow_eof(fx->af, 1);
    app_flow_end(fx->af);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_HTTP2);
}

typedef struct Seen {
    int n;
    char authority[32];
} Seen;

static void on_field(void *user, const uint8_t *name, uint32_t name_len, const uint8_t *value,
                     uint32_t value_len)
{
    Seen *s = user;
    s->n++;
    if (name_len == 10 && memcmp(name, ":authority", 10) == 0 && value_len < 32) {
        memcpy(s->authority, value, value_len);
        s->authority[value_len] = '\0';
    }
}

/* RFC 7541 C.4.1 (Huffman) decodes; a bad block breaks the decoder for good. */
static void hpack_decoder_alone(void **state)
{
    (void)state;
    Http2Hpack *h = http2_hpack_new(NULL);
    assert_non_null(h);
    const uint8_t c41[] = {0x82, 0x86, 0x84, 0x41, 0x8c, 0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a,
                           0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff};
    Seen seen = {0};
    assert_int_equal(http2_hpack_decode(h, c41, sizeof(c41), on_field, &seen), 0);
    assert_int_equal(seen.n, 4);
    assert_string_equal(seen.authority, "www.example.com");
    const uint8_t cut[] = {0x41, 0x8c, 0xf1};   // a literal cut short
    assert_int_not_equal(http2_hpack_decode(h, cut, sizeof(cut), on_field, &seen), 0);
    assert_int_not_equal(http2_hpack_decode(h, c41, sizeof(c41), on_field, &seen), 0);
    http2_hpack_free(h);
}

/* in compressed with a gzip wrapper into out (returns its length). */
static uint32_t gzip(const uint8_t *in, uint32_t n, uint8_t *out, uint32_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = n;
    zs.next_out = out;
    zs.avail_out = cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    uint32_t len = (uint32_t)zs.total_out;
    deflateEnd(&zs);
    return len;
}

/* A response on stream 1 with Content-Encoding gzip and body (sent in 1000-byte DATA
 * frames, the last with END_STREAM). */
static void gzip_response(Fx *fx, const uint8_t *body, uint32_t n)
{
    uint8_t blk[256];
    client_preface(&fx->cli);
    uint32_t bn = hpack(fx, 0, g_req, 4, blk, sizeof(blk));
    frame(&fx->cli, bn, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS | HTTP2_FLAG_END_STREAM, 1,
          blk);
    const nghttp2_nv resp[] = {NV(":status", "200"), NV("content-encoding", "gzip")};
    bn = hpack(fx, 1, resp, 2, blk, sizeof(blk));
    frame(&fx->srv, bn, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS, 1, blk);
    for (uint32_t off = 0; off < n; off += 1000) {
        uint32_t k = n - off < 1000 ? n - off : 1000;
        frame(&fx->srv, k, HTTP2_FRAME_DATA, off + k == n ? HTTP2_FLAG_END_STREAM : 0, 1,
              body + off);
    }
    feed_both(fx, 700);
}

static void gzip_body_decoded(void **state)
{
    Fx *fx = *state;
    static uint8_t plain[5000];
    for (uint32_t i = 0; i < sizeof(plain); i++) {
        plain[i] = (uint8_t)("the quick brown fox "[i % 20]);
    }
    static uint8_t z[8000];
    uint32_t zn = gzip(plain, sizeof(plain), z, sizeof(z));
    gzip_response(fx, z, zn);
    const Http2Tx *t = stream_tx(fx, 1);
    assert_int_equal(t->side[1].body_len, sizeof(plain));
    assert_memory_equal(t->side[1].body, plain, sizeof(plain));
    const AppFile *f = app_layer_tx_file_at(&fx->f, &t->tx, 1, 0);
    assert_non_null(f);
    assert_int_equal(f->size, sizeof(plain));
    assert_int_equal(f->state, APP_FILE_CLOSED);
    assert_false(has_event(fx, "http2.failed_decompression"));
}

/* 8 MiB of zeros in a few KiB: decoding stops past 1 MiB (and 64 times the input). */
static void gzip_bomb_stops(void **state)
{
    Fx *fx = *state;
    uint32_t n = 8u << 20;
    uint8_t *zeros = calloc(1, n);
    static uint8_t z[65536];
    uint32_t zn = gzip(zeros, n, z, sizeof(z));
    free(zeros);
    gzip_response(fx, z, zn);
    const Http2Tx *t = stream_tx(fx, 1);
    assert_true(has_event(fx, "http2.compression_bomb"));
    assert_true(t->side[1].z_out < 2u * HTTP2_INFLATE_MAX);
    assert_int_equal(t->side[1].body_len, HTTP2_BODY_MAX);
}

static void corrupt_gzip_raises_event(void **state)
{
    Fx *fx = *state;
    static const uint8_t junk[64] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff};
    gzip_response(fx, junk, sizeof(junk));
    assert_true(has_event(fx, "http2.failed_decompression"));
}

/* A DNS query for example.com NS (id 0, RD), as DoH clients send it. */
static const uint8_t g_dns_query[] = {
    0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,                          // header: RD, 1 question
    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,    // example.com
    0, 2, 0, 1,                                                  // NS IN
};

static void doh_post_and_get(void **state)
{
    Fx *fx = *state;
    uint8_t blk[256];
    client_preface(&fx->cli);
    const nghttp2_nv post[] = {NV(":method", "POST"), NV(":scheme", "https"),
                               NV(":authority", "dns.example"), NV(":path", "/dns-query"),
                               NV("content-type", "application/dns-message")};
    uint32_t n = hpack(fx, 0, post, 5, blk, sizeof(blk));
    frame(&fx->cli, n, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS, 1, blk);
    frame(&fx->cli, sizeof(g_dns_query), HTTP2_FRAME_DATA, HTTP2_FLAG_END_STREAM, 1,
          g_dns_query);
    /* the same query as a GET: base64url of the message, no padding */
    const nghttp2_nv get[] = {NV(":method", "GET"), NV(":scheme", "https"),
                              NV(":authority", "dns.example"),
                              NV(":path", "/dns-query?ct&dns=AAABAAABAAAAAAAAB2V4YW1wbGUDY29tAAACAAE")};
    n = hpack(fx, 0, get, 4, blk, sizeof(blk));
    frame(&fx->cli, n, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS | HTTP2_FLAG_END_STREAM, 3,
          blk);
    feed(fx, 0, &fx->cli, 50);
    assert_non_null(http2_tx_doh(&stream_tx(fx, 1)->tx, 0));
    assert_non_null(http2_tx_doh(&stream_tx(fx, 3)->tx, 0));
    assert_null(http2_tx_doh(&stream_tx(fx, 3)->tx, 1));
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_DOH2);
    assert_int_equal(app_layer_flow_proto_orig(&fx->f), APP_PROTO_HTTP2);
    JsonBuf jb;
    assert_int_equal(json_buf_init(&jb, 1024), 0);
    json_open_object(&jb, NULL);
    dns_tx_log_record(http2_tx_doh(&stream_tx(fx, 3)->tx, 0), 0, &jb);
    json_close_object(&jb);
    assert_non_null(strstr(jb.buf, "\"rrname\":\"example.com\",\"rrtype\":\"NS\""));
    json_buf_deinit(&jb);
}

static void b64url_forms(void **state)
{
    (void)state;
    uint8_t out[8];
    assert_int_equal(http2_b64url_decode((const uint8_t *)"AAE", 3, out, sizeof(out)), 2);
    assert_int_equal(out[1], 1);
    assert_int_equal(http2_b64url_decode((const uint8_t *)"-_8=", 4, out, sizeof(out)), 2);
    assert_int_equal(out[0], 0xfb);
    assert_int_equal(out[1], 0xff);
    assert_int_equal(http2_b64url_decode((const uint8_t *)"A+A", 3, out, sizeof(out)), 0);
    assert_int_equal(http2_b64url_decode((const uint8_t *)"AAAAAAAAAAAAAAAA", 16, out, 8), 0);
    assert_int_equal(http2_b64url_decode((const uint8_t *)"", 0, out, sizeof(out)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hpack_int_forms),
        cmocka_unit_test(size_updates_at_block_start),
        cmocka_unit_test(frame_header_fields),
        cmocka_unit_test(hpack_decoder_alone),
        cmocka_unit_test_setup_teardown(full_exchange, setup, teardown),
        cmocka_unit_test_setup_teardown(byte_by_byte_same_result, setup, teardown),
        cmocka_unit_test_setup_teardown(eve_object, setup, teardown),
        cmocka_unit_test_setup_teardown(continuation_joins_block, setup, teardown),
        cmocka_unit_test_setup_teardown(frame_inside_block_is_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(endless_continuation_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(hpack_bomb_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_preface_not_http2, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_reuse_and_long_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(truncated_and_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(gzip_body_decoded, setup, teardown),
        cmocka_unit_test_setup_teardown(gzip_bomb_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(corrupt_gzip_raises_event, setup, teardown),
        cmocka_unit_test_setup_teardown(doh_post_and_get, setup, teardown),
        cmocka_unit_test(b64url_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
