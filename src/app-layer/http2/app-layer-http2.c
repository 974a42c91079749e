/* HTTP/2: the parser row, per-direction frame reader, header blocks and streams.
 *
 * Each direction is a sequence of frames (RFC 9113 section 4.1: 24-bit length, type,
 * flags, 31-bit stream id); toserver starts with the 24-byte client preface (section
 * 3.4). DATA payloads are streamed (never buffered whole) into the stream's body, up to
 * HTTP2_BODY_MAX; other frames are buffered up to HTTP2_FRAME_BUF_MAX (the rest is read
 * and dropped). A frame longer than the receiver's SETTINGS_MAX_FRAME_SIZE raises
 * long_frame_data and is parsed all the same. HEADERS / PUSH_PROMISE fragments and
 * their CONTINUATIONs are joined up to HTTP2_BLOCK_MAX (more: reassembly_limit_reached,
 * the block is dropped), then decoded by the direction's HPACK decoder.
 *
 * Transactions: one per stream, found among the open streams (at most
 * HTTP2_STREAMS_MAX: too_many_streams); one per stream-0 frame (settings, ping, goaway,
 * window update), complete at once; a frame for a stream that is no longer open
 * (WINDOW_UPDATE after the end, RST_STREAM) makes a complete one-frame tx too. A
 * direction of a stream is done with END_STREAM, RST_STREAM ends both. */
#include "app-layer/http2/app-layer-http2.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app-layer/http2/app-layer-http2-internal.h"
#include "util/util-error.h"

enum {
    PH_PREFACE = 0,
    PH_HEADER,                   // reading a frame header
    PH_PAYLOAD,                  // buffering a non-DATA payload
    PH_DATA_PAD,                 // DATA: the pad length byte
    PH_DATA,                     // DATA: body bytes
    PH_STOPPED,
};

typedef struct Http2Dir {
    uint8_t phase;
    uint32_t preface_got;
    uint8_t hdr[HTTP2_FRAME_HDR_LEN];
    uint8_t hdr_len;
    uint32_t flen;
    uint8_t ftype;
    uint8_t fflags;
    uint32_t fsid;
    uint32_t remain;             // bytes of the current frame not read yet
    uint32_t skip_after;         // DATA: padding after the body bytes
    uint8_t *buf;                // non-DATA payload
    uint32_t buf_len;
    uint32_t buf_cap;
    bool in_block;               // a header block waits for CONTINUATION
    bool block_overflow;
    bool block_end_stream;
    uint32_t block_sid;          // the stream whose tx gets the headers
    uint8_t *block;
    uint32_t block_len;
    uint32_t block_cap;
    Http2Hpack *hpack;           // decodes the header blocks this direction sends
    uint32_t max_frame;          // SETTINGS_MAX_FRAME_SIZE the receiver announced
} Http2Dir;

typedef struct Http2State {
    AppFlow *af;
    Http2Dir dir[2];
    Http2Tx **open;              // streams not done both ways
    uint32_t n_open;
    uint32_t cap_open;
    uint32_t max_client_sid;
    bool too_many_raised;
} Http2State;

const char *const http2_event_names[HTTP2_EV_N] = {
    [HTTP2_EV_INVALID_FRAME_HEADER] = "invalid_frame_header",
    [HTTP2_EV_INVALID_CLIENT_MAGIC] = "invalid_client_magic",
    [HTTP2_EV_INVALID_FRAME_DATA] = "invalid_frame_data",
    [HTTP2_EV_INVALID_HEADER] = "invalid_header",
    [HTTP2_EV_INVALID_FRAME_LENGTH] = "invalid_frame_length",
    [HTTP2_EV_EXTRA_HEADER_DATA] = "extra_header_data",
    [HTTP2_EV_LONG_FRAME_DATA] = "long_frame_data",
    [HTTP2_EV_STREAM_ID_REUSE] = "stream_id_reuse",
    [HTTP2_EV_INVALID_HTTP1_SETTINGS] = "invalid_http1_settings",
    [HTTP2_EV_FAILED_DECOMPRESSION] = "failed_decompression",
    [HTTP2_EV_INVALID_RANGE] = "invalid_range",
    [HTTP2_EV_HEADER_INTEGER_OVERFLOW] = "header_integer_overflow",
    [HTTP2_EV_TOO_MANY_STREAMS] = "too_many_streams",
    [HTTP2_EV_AUTHORITY_HOST_MISMATCH] = "authority_host_mismatch",
    [HTTP2_EV_USERINFO_IN_URI] = "userinfo_in_uri",
    [HTTP2_EV_REASSEMBLY_LIMIT_REACHED] = "reassembly_limit_reached",
    [HTTP2_EV_DNS_REQUEST_TOO_LONG] = "dns_request_too_long",
    [HTTP2_EV_DNS_RESPONSE_TOO_LONG] = "dns_response_too_long",
    [HTTP2_EV_DATA_STREAM_ZERO] = "data_stream_zero",
    [HTTP2_EV_TOO_MANY_FRAMES] = "too_many_frames",
    [HTTP2_EV_COMPRESSION_BOMB] = "compression_bomb",
};

/* ---- names ---- */

static const char *const frame_names[HTTP2_FRAME_N] = {
    "DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY",
    "WINDOW_UPDATE", "CONTINUATION",
};

static const char *const error_names[] = {
    "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
    "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
    "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
};

static const char *const settings_names[] = {
    NULL, "SETTINGS_HEADER_TABLE_SIZE", "SETTINGS_ENABLE_PUSH", "SETTINGS_MAX_CONCURRENT_STREAMS",
    "SETTINGS_INITIAL_WINDOW_SIZE", "SETTINGS_MAX_FRAME_SIZE", "SETTINGS_MAX_HEADER_LIST_SIZE",
};

const char *http2_frame_type_name(uint8_t type)
{
    return type < HTTP2_FRAME_N ? frame_names[type] : NULL;
}

const char *http2_error_code_name(uint32_t code)
{
    return code < sizeof(error_names) / sizeof(error_names[0]) ? error_names[code] : NULL;
}

const char *http2_settings_name(uint16_t id)
{
    return id < sizeof(settings_names) / sizeof(settings_names[0]) ? settings_names[id] : NULL;
}

void http2_frame_header_parse(const uint8_t *p, uint32_t *len, uint8_t *type, uint8_t *flags,
                              uint32_t *stream_id)
{
    *len = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    *type = p[3];
    *flags = p[4];
    *stream_id = ((uint32_t)p[5] << 24 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8]) &
                 0x7fffffffu;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Raises event id on t, or (t NULL) on the newest tx of the flow as Suricata does, or on
 * the flow when there is none yet; the tx is marked changed so detection sees it. */
static void ev(Http2State *st, uint8_t dir, AppTx *t, uint32_t id)
{
    AppFlow *af = st->af;
    if (t == NULL && af->n_txs > 0) {
        AppTx *last = af->txs[af->n_txs - 1];
        t = last->proto == APP_PROTO_HTTP2 && !(last->flags & APP_TX_F_OLD_PARSER) ? last : NULL;
    }
    app_tx_event(af, t, id);
    if (t != NULL) {
        app_tx_touch(t, dir);
    }
}

/* ---- tx lookups ---- */

const Http2Tx *http2_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_HTTP2 ? (const Http2Tx *)tx : NULL;
}

bool http2_header_at(const Http2Side *s, uint32_t i, const uint8_t **name, uint32_t *name_len,
                     const uint8_t **value, uint32_t *value_len)
{
    if (s == NULL || i >= s->n_headers) {
        return false;
    }
    const Http2Header *h = &s->headers[i];
    *name = s->hbytes + h->off;
    *name_len = h->name_len;
    *value = s->hbytes + h->off + h->name_len + 2;
    *value_len = h->value_len;
    return true;
}

bool http2_header_find(const Http2Side *s, const char *name, const uint8_t **value,
                       uint32_t *value_len)
{
    size_t n = strlen(name);
    const uint8_t *hn;
    uint32_t hl;
    for (uint32_t i = 0; http2_header_at(s, i, &hn, &hl, value, value_len); i++) {
        if (hl == n && strncasecmp((const char *)hn, name, n) == 0) {
            return true;
        }
    }
    return false;
}

static Http2Tx *open_find(const Http2State *st, uint32_t sid)
{
    for (uint32_t i = st->n_open; i-- > 0;) {
        if (st->open[i]->stream_id == sid) {
            return st->open[i];
        }
    }
    return NULL;
}

static void open_remove(Http2State *st, Http2Tx *t)
{
    if (!t->in_open_list) {
        return;
    }
    for (uint32_t i = 0; i < st->n_open; i++) {
        if (st->open[i] == t) {
            memmove(&st->open[i], &st->open[i + 1], (st->n_open - i - 1) * sizeof(*st->open));
            st->n_open--;
            break;
        }
    }
    t->in_open_list = false;
}

static bool open_add(Http2State *st, Http2Tx *t)
{
    if (st->n_open == st->cap_open) {
        uint32_t cap = st->cap_open ? st->cap_open * 2 : 16;
        if (!app_mem_charge(st->af, (uint64_t)(cap - st->cap_open) * sizeof(*st->open))) {
            return false;
        }
        Http2Tx **o = realloc(st->open, cap * sizeof(*o));
        if (o == NULL) {
            app_mem_release(st->af, (uint64_t)(cap - st->cap_open) * sizeof(*st->open));
            return false;
        }
        st->open = o;
        st->cap_open = cap;
    }
    st->open[st->n_open++] = t;
    t->in_open_list = true;
    return true;
}

static Http2Tx *tx_new(Http2State *st, uint32_t sid)
{
    Http2Tx *t = (Http2Tx *)app_tx_new(st->af, sizeof(Http2Tx));
    if (t != NULL) {
        t->stream_id = sid;
    }
    return t;
}

/* A complete tx of one frame (stream 0, or a stream no longer open). */
static Http2Tx *tx_single(Http2State *st, uint32_t sid, uint8_t dir)
{
    Http2Tx *t = tx_new(st, sid);
    if (t != NULL) {
        t->is_global = sid == 0;
        t->tx.progress[0] = t->tx.progress[1] = HTTP2_PROG_DONE;
        app_tx_touch(&t->tx, dir);
    }
    return t;
}

/* The open tx of stream sid, a new open one when create (HEADERS), else NULL. */
static Http2Tx *tx_stream(Http2State *st, uint32_t sid, uint8_t dir, bool create)
{
    Http2Tx *t = open_find(st, sid);
    if (t != NULL || !create) {
        return t;
    }
    if (st->n_open >= HTTP2_STREAMS_MAX) {
        if (!st->too_many_raised) {
            ev(st, dir, NULL, HTTP2_EV_TOO_MANY_STREAMS);
            st->too_many_raised = true;
        }
        return NULL;
    }
    bool reuse = false;
    if (dir == APP_DIR_TOSERVER) {
        reuse = sid <= st->max_client_sid;
        st->max_client_sid = sid > st->max_client_sid ? sid : st->max_client_sid;
    }
    t = tx_new(st, sid);
    if (t == NULL) {
        return NULL;
    }
    if (!open_add(st, t)) {
        t->tx.progress[0] = t->tx.progress[1] = HTTP2_PROG_DONE;
        return t;
    }
    if (reuse) {
        ev(st, dir, &t->tx, HTTP2_EV_STREAM_ID_REUSE);
    }
    return t;
}

static void tx_progress(Http2State *st, Http2Tx *t, uint8_t dir, uint8_t prog)
{
    if (t->tx.progress[dir] < prog) {
        t->tx.progress[dir] = prog;
    }
    if (prog == HTTP2_PROG_DONE) {
        http2_file_close(t, dir, APP_FILE_CLOSED);
        http2_doh_parse(st->af, t, dir);
    }
    app_tx_touch(&t->tx, dir);
    if (t->tx.progress[0] == HTTP2_PROG_DONE && t->tx.progress[1] == HTTP2_PROG_DONE) {
        open_remove(st, t);
    }
}

/* ---- per-tx storage (charged) ---- */

static bool grow(AppFlow *af, void **p, uint32_t *cap, uint32_t need, uint32_t elem,
                 uint32_t max)
{
    if (need <= *cap) {
        return true;
    }
    if (need > max) {
        return false;
    }
    uint32_t cap2 = *cap ? *cap : 16;
    while (cap2 < need) {
        cap2 *= 2;
    }
    cap2 = cap2 > max ? max : cap2;
    uint64_t add = (uint64_t)(cap2 - *cap) * elem;
    if (!app_mem_charge(af, add)) {
        return false;
    }
    void *q = realloc(*p, (size_t)cap2 * elem);
    if (q == NULL) {
        app_mem_release(af, add);
        return false;
    }
    *p = q;
    *cap = cap2;
    return true;
}

static void side_frame(Http2Side *s, uint8_t type)
{
    if (s->n_frames < HTTP2_FRAMES_MAX) {
        s->frame_types[s->n_frames++] = type;
    }
}

static void side_priority(Http2Side *s, uint8_t weight)
{
    if (s->n_priorities < HTTP2_VALUES_MAX) {
        s->priorities[s->n_priorities++] = weight;
    }
}

static void side_error(Http2Side *s, uint32_t code)
{
    if (s->has_error) {
        s->multiple_error = true;
        return;
    }
    s->has_error = true;
    s->error_code = code;
}

/* ---- header blocks ---- */

typedef struct HdrCtx {
    Http2State *st;
    Http2Tx *t;
    uint8_t dir;
    bool dropped;
} HdrCtx;

static void on_header(void *user, const uint8_t *name, uint32_t name_len, const uint8_t *value,
                      uint32_t value_len)
{
    HdrCtx *c = user;
    Http2Side *s = &c->t->side[c->dir];
    uint32_t need = name_len + 2 + value_len;
    if (s->n_headers >= HTTP2_HEADERS_MAX || need > HTTP2_HEADER_BYTES_MAX - s->hbytes_len ||
        !grow(c->st->af, (void **)&s->headers, &s->cap_headers, s->n_headers + 1,
              sizeof(Http2Header), HTTP2_HEADERS_MAX) ||
        !grow(c->st->af, (void **)&s->hbytes, &s->hbytes_cap, s->hbytes_len + need, 1,
              HTTP2_HEADER_BYTES_MAX)) {
        c->dropped = true;
        return;
    }
    Http2Header *h = &s->headers[s->n_headers++];
    h->off = s->hbytes_len;
    h->name_len = name_len;
    h->value_len = value_len;
    uint8_t *o = s->hbytes + s->hbytes_len;
    memcpy(o, name, name_len);
    memcpy(o + name_len, ": ", 2);
    memcpy(o + name_len + 2, value, value_len);
    s->hbytes_len += need;
}

static uint8_t *dup_charged(AppFlow *af, uint32_t n)
{
    if (!app_mem_charge(af, n + 1u)) {
        return NULL;
    }
    uint8_t *p = malloc(n + 1u);
    if (p == NULL) {
        app_mem_release(af, n + 1u);
    }
    return p;
}

static void side_derived_free(AppFlow *af, Http2Side *s)
{
    uint64_t n = s->joined != NULL ? s->joined_len + 1u : 0;
    n += s->cookie != NULL ? s->cookie_len + 1u : 0;
    if (af != NULL) {
        app_mem_release(af, n);
    }
    free(s->joined);
    free(s->cookie);
    s->joined = NULL;
    s->cookie = NULL;
    s->joined_len = 0;
    s->cookie_len = 0;
}

/* http.header (non-pseudo "name: value\r\n") and the joined cookies, built once the
 * block is decoded (a trailer block rebuilds them). */
static void side_derive(AppFlow *af, Http2Side *s, uint8_t dir)
{
    const uint8_t *n;
    const uint8_t *v;
    uint32_t nl;
    uint32_t vl;
    uint32_t jlen = 0;
    uint32_t clen = 0;
    uint32_t n_cookies = 0;
    const char *cname = dir == APP_DIR_TOSERVER ? "cookie" : "set-cookie";
    for (uint32_t i = 0; http2_header_at(s, i, &n, &nl, &v, &vl); i++) {
        if (nl > 0 && n[0] != ':') {
            jlen += nl + vl + 4;
        }
        if (nl == strlen(cname) && strncasecmp((const char *)n, cname, nl) == 0) {
            clen += vl + (n_cookies > 0 ? 2 : 0);
            n_cookies++;
        }
    }
    side_derived_free(af, s);
    uint8_t *j = jlen > 0 ? dup_charged(af, jlen) : NULL;
    uint8_t *c = n_cookies > 0 ? dup_charged(af, clen) : NULL;
    bool first = true;
    for (uint32_t i = 0; http2_header_at(s, i, &n, &nl, &v, &vl); i++) {
        if (j != NULL && nl > 0 && n[0] != ':') {
            memcpy(j + s->joined_len, n, nl + 2 + vl);   // "name: value" is contiguous
            memcpy(j + s->joined_len + nl + 2 + vl, "\r\n", 2);
            s->joined_len += nl + vl + 4;
        }
        if (c != NULL && nl == strlen(cname) && strncasecmp((const char *)n, cname, nl) == 0) {
            if (!first) {
                memcpy(c + s->cookie_len, "; ", 2);
                s->cookie_len += 2;
            }
            first = false;
            memcpy(c + s->cookie_len, v, vl);
            s->cookie_len += vl;
        }
    }
    s->joined = j;
    s->cookie = c;
    if (j == NULL) {
        s->joined_len = 0;
    }
    if (c == NULL) {
        s->cookie_len = 0;
    }
}

/* The host of the request: :authority (else host) without userinfo and port, lower case.
 * Raises userinfo_in_uri and authority_host_mismatch. */
static void side_host(Http2State *st, Http2Tx *t)
{
    Http2Side *s = &t->side[APP_DIR_TOSERVER];
    const uint8_t *a;
    uint32_t al;
    const uint8_t *h;
    uint32_t hl;
    bool has_a = http2_header_find(s, ":authority", &a, &al);
    bool has_h = http2_header_find(s, "host", &h, &hl);
    if (has_a && has_h && (al != hl || strncasecmp((const char *)a, (const char *)h, al) != 0)) {
        ev(st, APP_DIR_TOSERVER, &t->tx, HTTP2_EV_AUTHORITY_HOST_MISMATCH);
    }
    if (!has_a) {
        a = h;
        al = hl;
    }
    if (!has_a && !has_h) {
        return;
    }
    const uint8_t *at = memchr(a, '@', al);
    if (at != NULL) {
        ev(st, APP_DIR_TOSERVER, &t->tx, HTTP2_EV_USERINFO_IN_URI);
        al -= (uint32_t)(at + 1 - a);
        a = at + 1;
    }
    uint32_t n = 0;
    if (al > 0 && a[0] == '[') {
        while (n < al && a[n] != ']') {
            n++;
        }
        n += n < al;
    } else {
        while (n < al && a[n] != ':') {
            n++;
        }
    }
    if (s->host != NULL) {
        app_mem_release(st->af, s->host_len + 1u);
        free(s->host);
        s->host = NULL;
        s->host_len = 0;
    }
    s->host = dup_charged(st->af, n);
    if (s->host != NULL) {
        for (uint32_t i = 0; i < n; i++) {
            s->host[i] = (uint8_t)tolower(a[i]);
        }
        s->host_len = n;
    }
}

static void block_finish(Http2State *st, uint8_t dir)
{
    Http2Dir *d = &st->dir[dir];
    d->in_block = false;
    Http2Tx *t = open_find(st, d->block_sid);
    if (d->block_overflow || t == NULL) {
        d->block_len = 0;
        return;
    }
    Http2Side *s = &t->side[dir];
    bool overflow = false;
    uint32_t room = HTTP2_VALUES_MAX - s->n_size_updates;
    s->n_size_updates += (uint16_t)http2_hpack_size_updates(
        d->block, d->block_len, s->size_updates + s->n_size_updates, room, &overflow);
    if (overflow) {
        ev(st, dir, &t->tx, HTTP2_EV_HEADER_INTEGER_OVERFLOW);
    }
    HdrCtx c = {st, t, dir, false};
    if (http2_hpack_decode(d->hpack, d->block, d->block_len, on_header, &c) != 0) {
        ev(st, dir, &t->tx, HTTP2_EV_INVALID_HEADER);
    }
    if (c.dropped && !s->headers_truncated) {
        s->headers_truncated = true;
        ev(st, dir, &t->tx, HTTP2_EV_COMPRESSION_BOMB);
    }
    d->block_len = 0;
    side_derive(st->af, s, dir);
    (void)http2_body_decoder_start(st->af, s);
    const uint8_t *ct;
    uint32_t ct_len;
    s->is_dns_message = http2_header_find(s, "content-type", &ct, &ct_len) && ct_len >= 23 &&
                        strncasecmp((const char *)ct, "application/dns-message", 23) == 0;
    if (dir == APP_DIR_TOSERVER) {
        side_host(st, t);
    }
    tx_progress(st, t, dir, d->block_end_stream ? HTTP2_PROG_DONE : HTTP2_PROG_DATA);
}

static void block_append(Http2State *st, uint8_t dir, const uint8_t *p, uint32_t n)
{
    Http2Dir *d = &st->dir[dir];
    if (d->block_overflow) {
        return;
    }
    if (!grow(st->af, (void **)&d->block, &d->block_cap, d->block_len + n, 1, HTTP2_BLOCK_MAX)) {
        d->block_overflow = true;
        Http2Tx *t = open_find(st, d->block_sid);
        ev(st, dir, t != NULL ? &t->tx : NULL, HTTP2_EV_REASSEMBLY_LIMIT_REACHED);
        return;
    }
    memcpy(d->block + d->block_len, p, n);
    d->block_len += n;
}

static void block_start(Http2State *st, uint8_t dir, uint32_t sid, bool end_stream,
                        const uint8_t *p, uint32_t n, bool end_headers)
{
    Http2Dir *d = &st->dir[dir];
    d->in_block = true;
    d->block_overflow = false;
    d->block_len = 0;
    d->block_sid = sid;
    d->block_end_stream = end_stream;
    block_append(st, dir, p, n);
    if (end_headers) {
        block_finish(st, dir);
    }
}

/* ---- frames ---- */

/* The payload of a padded frame without its padding: false (event raised) when the
 * pad length is impossible. */
static bool unpad(Http2State *st, uint8_t dir, Http2Tx *t, uint8_t flags, const uint8_t **p,
                  uint32_t *n)
{
    if (!(flags & HTTP2_FLAG_PADDED)) {
        return true;
    }
    if (*n < 1 || (*p)[0] >= *n) {
        ev(st, dir, t != NULL ? &t->tx : NULL, HTTP2_EV_INVALID_FRAME_DATA);
        return false;
    }
    uint32_t pad = (*p)[0];
    *p += 1;
    *n -= 1 + pad;
    return true;
}

static void frame_headers(Http2State *st, uint8_t dir, const Http2Dir *d, const uint8_t *p,
                          uint32_t n)
{
    if (d->fsid == 0) {
        ev(st, dir, NULL, HTTP2_EV_INVALID_FRAME_HEADER);
        return;
    }
    Http2Tx *t = tx_stream(st, d->fsid, dir, true);
    if (t == NULL) {
        return;
    }
    side_frame(&t->side[dir], HTTP2_FRAME_HEADERS);
    if (!unpad(st, dir, t, d->fflags, &p, &n)) {
        return;
    }
    if (d->fflags & HTTP2_FLAG_PRIORITY) {
        if (n < 5) {
            ev(st, dir, &t->tx, HTTP2_EV_INVALID_FRAME_LENGTH);
            return;
        }
        side_priority(&t->side[dir], p[4]);
        p += 5;
        n -= 5;
    }
    tx_progress(st, t, dir, HTTP2_PROG_HEADERS);
    block_start(st, dir, d->fsid, (d->fflags & HTTP2_FLAG_END_STREAM) != 0, p, n,
                (d->fflags & HTTP2_FLAG_END_HEADERS) != 0);
}

static void frame_push_promise(Http2State *st, uint8_t dir, const Http2Dir *d,
                               const uint8_t *p, uint32_t n)
{
    Http2Tx *t = d->fsid != 0 ? tx_stream(st, d->fsid, dir, false) : NULL;
    if (t == NULL) {
        ev(st, dir, NULL, HTTP2_EV_INVALID_FRAME_HEADER);
        return;
    }
    side_frame(&t->side[dir], HTTP2_FRAME_PUSH_PROMISE);
    if (!unpad(st, dir, t, d->fflags, &p, &n)) {
        return;
    }
    if (n < 4) {
        ev(st, dir, &t->tx, HTTP2_EV_INVALID_FRAME_LENGTH);
        return;
    }
    /* The promised request's headers go with the stream carrying the promise. */
    block_start(st, dir, d->fsid, false, p + 4, n - 4,
                (d->fflags & HTTP2_FLAG_END_HEADERS) != 0);
}

static void frame_settings(Http2State *st, uint8_t dir, const Http2Dir *d, const uint8_t *p,
                           uint32_t n)
{
    if (d->fsid != 0) {
        ev(st, dir, NULL, HTTP2_EV_INVALID_FRAME_HEADER);
        return;
    }
    if (n % 6 != 0 || ((d->fflags & HTTP2_FLAG_END_STREAM) && n != 0)) {
        ev(st, dir, NULL, HTTP2_EV_INVALID_FRAME_LENGTH);
        return;
    }
    Http2Tx *t = tx_single(st, 0, dir);
    Http2Side *s = t != NULL ? &t->side[dir] : NULL;
    if (s != NULL) {
        side_frame(s, HTTP2_FRAME_SETTINGS);
        s->has_settings = true;
    }
    for (uint32_t off = 0; off + 6 <= n; off += 6) {
        uint16_t id = (uint16_t)(p[off] << 8 | p[off + 1]);
        uint32_t v = be32(p + off + 2);
        if (s != NULL && s->n_settings < HTTP2_VALUES_MAX) {
            s->settings[s->n_settings++] = (Http2Setting){id, v};
        }
        if (id == 1) {
            /* the sender's decoder table: bounds what the other side's encoder uses */
            http2_hpack_set_table_max(st->dir[dir ^ 1].hpack, v);
        } else if (id == 5 && v >= 16384 && v <= 16777215) {
            st->dir[dir ^ 1].max_frame = v;
        }
    }
}

/* PRIORITY, RST_STREAM, WINDOW_UPDATE on a stream: its open tx, else a one-frame tx. */
static Http2Tx *stream_or_single(Http2State *st, uint8_t dir, uint32_t sid)
{
    Http2Tx *t = open_find(st, sid);
    return t != NULL ? t : tx_single(st, sid, dir);
}

static void frame_control(Http2State *st, uint8_t dir, const Http2Dir *d, const uint8_t *p,
                          uint32_t n)
{
    uint8_t type = d->ftype;
    static const uint8_t want[HTTP2_FRAME_N] = {
        [HTTP2_FRAME_PRIORITY] = 5, [HTTP2_FRAME_RST_STREAM] = 4, [HTTP2_FRAME_PING] = 8,
        [HTTP2_FRAME_GOAWAY] = 8, [HTTP2_FRAME_WINDOW_UPDATE] = 4,
    };
    bool on_zero = type == HTTP2_FRAME_PING || type == HTTP2_FRAME_GOAWAY;
    bool any_sid = type == HTTP2_FRAME_WINDOW_UPDATE;
    if ((on_zero && d->fsid != 0) || (!on_zero && !any_sid && d->fsid == 0)) {
        ev(st, dir, NULL, HTTP2_EV_INVALID_FRAME_HEADER);
        return;
    }
    if (type == HTTP2_FRAME_GOAWAY ? n < want[type] : n != want[type]) {
        ev(st, dir, NULL, HTTP2_EV_INVALID_FRAME_LENGTH);
        return;
    }
    Http2Tx *t = d->fsid == 0 ? tx_single(st, 0, dir) : stream_or_single(st, dir, d->fsid);
    if (t == NULL) {
        return;
    }
    Http2Side *s = &t->side[dir];
    side_frame(s, type);
    switch (type) {
    case HTTP2_FRAME_PRIORITY:
        side_priority(s, p[4]);
        break;
    case HTTP2_FRAME_RST_STREAM:
        side_error(s, be32(p));
        http2_file_close(t, APP_DIR_TOSERVER, APP_FILE_TRUNCATED);
        http2_file_close(t, APP_DIR_TOCLIENT, APP_FILE_TRUNCATED);
        tx_progress(st, t, APP_DIR_TOSERVER, HTTP2_PROG_DONE);
        tx_progress(st, t, APP_DIR_TOCLIENT, HTTP2_PROG_DONE);
        break;
    case HTTP2_FRAME_GOAWAY:
        side_error(s, be32(p + 4));
        break;
    case HTTP2_FRAME_WINDOW_UPDATE:
        if (s->n_windows < HTTP2_VALUES_MAX) {
            s->windows[s->n_windows++] = be32(p) & 0x7fffffffu;
        }
        break;
    default:
        break;
    }
    app_tx_touch(&t->tx, dir);
}

static void frame_continuation(Http2State *st, uint8_t dir, const Http2Dir *d,
                               const uint8_t *p, uint32_t n)
{
    if (!d->in_block || d->fsid != d->block_sid) {
        ev(st, dir, NULL, HTTP2_EV_INVALID_FRAME_HEADER);
        return;
    }
    Http2Tx *t = open_find(st, d->fsid);
    if (t != NULL) {
        side_frame(&t->side[dir], HTTP2_FRAME_CONTINUATION);
    }
    block_append(st, dir, p, n);
    if (d->fflags & HTTP2_FLAG_END_HEADERS) {
        block_finish(st, dir);
    }
}

/* A complete (or truncated to HTTP2_FRAME_BUF_MAX) non-DATA frame. */
static void frame_done(Http2State *st, uint8_t dir)
{
    Http2Dir *d = &st->dir[dir];
    const uint8_t *p = d->buf;
    uint32_t n = d->buf_len;
    if (d->in_block && d->ftype != HTTP2_FRAME_CONTINUATION) {
        /* RFC 9113 section 6.10: nothing may come between a block's frames */
        ev(st, dir, NULL, HTTP2_EV_INVALID_FRAME_HEADER);
        d->in_block = false;
        d->block_len = 0;
    }
    switch (d->ftype) {
    case HTTP2_FRAME_HEADERS:
        frame_headers(st, dir, d, p, n);
        break;
    case HTTP2_FRAME_PUSH_PROMISE:
        frame_push_promise(st, dir, d, p, n);
        break;
    case HTTP2_FRAME_CONTINUATION:
        frame_continuation(st, dir, d, p, n);
        break;
    case HTTP2_FRAME_SETTINGS:
        frame_settings(st, dir, d, p, n);
        break;
    case HTTP2_FRAME_PRIORITY:
    case HTTP2_FRAME_RST_STREAM:
    case HTTP2_FRAME_PING:
    case HTTP2_FRAME_GOAWAY:
    case HTTP2_FRAME_WINDOW_UPDATE:
        frame_control(st, dir, d, p, n);
        break;
    default:
        break;   // unknown types are ignored (RFC 9113 section 4.1)
    }
    d->buf_len = 0;
}

/* A frame header was read: choose how its payload is read. */
static void frame_begin(Http2State *st, uint8_t dir)
{
    Http2Dir *d = &st->dir[dir];
    http2_frame_header_parse(d->hdr, &d->flen, &d->ftype, &d->fflags, &d->fsid);
    d->hdr_len = 0;
    d->remain = d->flen;
    d->buf_len = 0;
    d->skip_after = 0;
    if (d->flen > d->max_frame) {
        Http2Tx *t = d->fsid != 0 ? open_find(st, d->fsid) : NULL;
        ev(st, dir, t != NULL ? &t->tx : NULL, HTTP2_EV_LONG_FRAME_DATA);
    }
    if (d->ftype != HTTP2_FRAME_DATA) {
        d->phase = PH_PAYLOAD;
        if (d->flen == 0) {
            frame_done(st, dir);
            d->phase = PH_HEADER;
        }
        return;
    }
    if (d->in_block) {
        ev(st, dir, NULL, HTTP2_EV_INVALID_FRAME_HEADER);
        d->in_block = false;
        d->block_len = 0;
    }
    Http2Tx *t = d->fsid != 0 ? open_find(st, d->fsid) : NULL;
    if (d->fsid == 0) {
        ev(st, dir, NULL, HTTP2_EV_DATA_STREAM_ZERO);
    } else if (t != NULL) {
        side_frame(&t->side[dir], HTTP2_FRAME_DATA);
        app_tx_touch(&t->tx, dir);
    }
    d->phase = (d->fflags & HTTP2_FLAG_PADDED) ? PH_DATA_PAD : PH_DATA;
    if (d->flen == 0) {
        d->phase = PH_HEADER;
        if (t != NULL && (d->fflags & HTTP2_FLAG_END_STREAM)) {
            tx_progress(st, t, dir, HTTP2_PROG_DONE);
        }
    }
}

typedef struct BodyCtx {
    Http2State *st;
    Http2Tx *t;
    uint8_t dir;
} BodyCtx;

/* Body bytes (decoded) into the body buffer (first HTTP2_BODY_MAX) and the file. */
static void body_out(void *user, const uint8_t *p, uint32_t n)
{
    BodyCtx *c = user;
    Http2Side *s = &c->t->side[c->dir];
    uint32_t keep = HTTP2_BODY_MAX - s->body_len;
    keep = n < keep ? n : keep;
    if (keep > 0 && grow(c->st->af, (void **)&s->body, &s->body_cap, s->body_len + keep, 1,
                         HTTP2_BODY_MAX)) {
        memcpy(s->body + s->body_len, p, keep);
        s->body_len += keep;
    }
    http2_file_data(c->st->af, c->t, c->dir, p, n);
    if (s->is_dns_message && !s->dns_too_long && s->file.size > 65535) {
        /* a DNS message is at most 65535 bytes (RFC 8484 carries one per body) */
        s->dns_too_long = true;
        ev(c->st, c->dir, &c->t->tx,
           c->dir == APP_DIR_TOSERVER ? HTTP2_EV_DNS_REQUEST_TOO_LONG
                                      : HTTP2_EV_DNS_RESPONSE_TOO_LONG);
    }
}

static void data_bytes(Http2State *st, uint8_t dir, const uint8_t *p, uint32_t n)
{
    Http2Dir *d = &st->dir[dir];
    Http2Tx *t = d->fsid != 0 ? open_find(st, d->fsid) : NULL;
    if (t == NULL) {
        return;
    }
    Http2Side *s = &t->side[dir];
    s->body_seen += n;
    BodyCtx c = {st, t, dir};
    if (s->z_state == HTTP2_Z_NONE) {
        body_out(&c, p, n);
    } else {
        int rc = http2_body_inflate(st->af, s, p, n, body_out, &c);
        if (rc != 0) {
            ev(st, dir, &t->tx, rc > 0 ? HTTP2_EV_COMPRESSION_BOMB : HTTP2_EV_FAILED_DECOMPRESSION);
            http2_body_decoder_end(st->af, s);
        }
    }
    if (t->tx.progress[dir] < HTTP2_PROG_DATA) {
        t->tx.progress[dir] = HTTP2_PROG_DATA;
    }
    app_tx_touch(&t->tx, dir);
}

/* The current frame's last byte was read. */
static void frame_end(Http2State *st, uint8_t dir)
{
    Http2Dir *d = &st->dir[dir];
    if (d->ftype == HTTP2_FRAME_DATA) {
        Http2Tx *t = d->fsid != 0 ? open_find(st, d->fsid) : NULL;
        if (t != NULL && (d->fflags & HTTP2_FLAG_END_STREAM)) {
            tx_progress(st, t, dir, HTTP2_PROG_DONE);
        }
    } else {
        frame_done(st, dir);
    }
    d->phase = PH_HEADER;
}

static uint32_t step_payload(Http2State *st, uint8_t dir, const uint8_t *p, uint32_t n)
{
    Http2Dir *d = &st->dir[dir];
    uint32_t take = n < d->remain ? n : d->remain;
    uint32_t room = HTTP2_FRAME_BUF_MAX - d->buf_len;
    uint32_t keep = take < room ? take : room;
    if (keep > 0 && !grow(st->af, (void **)&d->buf, &d->buf_cap, d->buf_len + keep, 1,
                          HTTP2_FRAME_BUF_MAX)) {
        keep = 0;   // memcap: the frame is parsed from what we have
    }
    memcpy(d->buf + d->buf_len, p, keep);
    d->buf_len += keep;
    d->remain -= take;
    if (d->remain == 0) {
        frame_end(st, dir);
    }
    return take;
}

static uint32_t step_data(Http2State *st, uint8_t dir, const uint8_t *p, uint32_t n)
{
    Http2Dir *d = &st->dir[dir];
    if (d->phase == PH_DATA_PAD) {
        d->remain--;
        if (p[0] > d->remain) {
            Http2Tx *t = open_find(st, d->fsid);
            ev(st, dir, t != NULL ? &t->tx : NULL, HTTP2_EV_INVALID_FRAME_DATA);
            d->skip_after = d->remain;
        } else {
            d->skip_after = p[0];
        }
        d->phase = PH_DATA;
        if (d->remain == 0) {
            frame_end(st, dir);
        }
        return 1;
    }
    uint32_t body_left = d->remain - d->skip_after;
    uint32_t take = n < d->remain ? n : d->remain;
    uint32_t body = take < body_left ? take : body_left;
    if (body > 0) {
        data_bytes(st, dir, p, body);
    }
    d->remain -= take;
    if (d->remain == 0) {
        frame_end(st, dir);
    }
    return take;
}

static uint32_t step(Http2State *st, uint8_t dir, const uint8_t *p, uint32_t n)
{
    Http2Dir *d = &st->dir[dir];
    switch (d->phase) {
    case PH_PREFACE: {
        uint32_t want = HTTP2_PREFACE_LEN - d->preface_got;
        uint32_t take = n < want ? n : want;
        if (memcmp(p, HTTP2_PREFACE + d->preface_got, take) != 0) {
            ev(st, dir, NULL, HTTP2_EV_INVALID_CLIENT_MAGIC);
            d->phase = PH_STOPPED;
            return n;
        }
        d->preface_got += take;
        if (d->preface_got == HTTP2_PREFACE_LEN) {
            d->phase = PH_HEADER;
        }
        return take;
    }
    case PH_HEADER: {
        uint32_t want = HTTP2_FRAME_HDR_LEN - d->hdr_len;
        uint32_t take = n < want ? n : want;
        memcpy(d->hdr + d->hdr_len, p, take);
        d->hdr_len = (uint8_t)(d->hdr_len + take);
        if (d->hdr_len == HTTP2_FRAME_HDR_LEN) {
            frame_begin(st, dir);
        }
        return take;
    }
    case PH_PAYLOAD:
        return step_payload(st, dir, p, n);
    case PH_DATA_PAD:
    case PH_DATA:
        return step_data(st, dir, p, n);
    default:
        return n;
    }
}

/* ---- row callbacks ---- */

static int http2_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                       uint32_t *consumed)
{
    (void)af;
    (void)consumed;
    Http2State *st = state;
    uint32_t off = 0;
    while (off < len) {
        off += step(st, dir, data + off, len - off);
    }
    return APP_PARSE_OK;
}

static void *http2_state_new(AppFlow *af)
{
    if (!app_mem_charge(af, sizeof(Http2State))) {
        return NULL;
    }
    Http2State *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        app_mem_release(af, sizeof(Http2State));
        return NULL;
    }
    st->af = af;
    for (int d = 0; d < 2; d++) {
        st->dir[d].hpack = http2_hpack_new(af);
        st->dir[d].max_frame = 16384;
        st->dir[d].phase = d == APP_DIR_TOSERVER ? PH_PREFACE : PH_HEADER;
    }
    return st;
}

static void http2_state_free(void *state)
{
    Http2State *st = state;
    if (st == NULL) {
        return;
    }
    for (int d = 0; d < 2; d++) {
        Http2Dir *dd = &st->dir[d];
        http2_hpack_free(dd->hpack);
        app_mem_release(st->af, (uint64_t)dd->buf_cap + dd->block_cap);
        free(dd->buf);
        free(dd->block);
    }
    for (uint32_t i = 0; i < st->n_open; i++) {
        st->open[i]->in_open_list = false;
    }
    app_mem_release(st->af, (uint64_t)st->cap_open * sizeof(*st->open) + sizeof(Http2State));
    free(st->open);
    free(st);
}

static void side_free(AppFlow *af, Http2Side *s)
{
    http2_file_free(af, s);
    http2_body_decoder_end(af, s);
    http2_doh_free(af, s);
    side_derived_free(af, s);
    uint64_t n = (uint64_t)s->cap_headers * sizeof(Http2Header) + s->hbytes_cap + s->body_cap;
    n += s->host != NULL ? s->host_len + 1u : 0;
    if (af != NULL) {
        app_mem_release(af, n);
    }
    free(s->headers);
    free(s->hbytes);
    free(s->body);
    free(s->host);
}

static void http2_tx_free(void *state, AppTx *tx)
{
    Http2State *st = state;
    Http2Tx *t = (Http2Tx *)tx;
    if (st != NULL) {
        open_remove(st, t);
    }
    for (int d = 0; d < 2; d++) {
        side_free(st != NULL ? st->af : NULL, &t->side[d]);
    }
}

static void http2_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    Http2State *st = state;
    st->dir[dir].in_block = false;   // an unfinished header block is lost
    st->dir[dir].block_len = 0;
    for (uint32_t i = 0; i < st->n_open; i++) {
        http2_file_close(st->open[i], dir, APP_FILE_TRUNCATED);
    }
}

static const AppPattern http2_patterns[] = {
    {.dir = APP_DIR_TOSERVER, .offset = 0, .depth = HTTP2_PREFACE_LEN,
     .bytes = HTTP2_PREFACE, .len = HTTP2_PREFACE_LEN},
};

const AppParserDesc app_parser_http2 = {
    .name = "http2",
    .proto = APP_PROTO_HTTP2,
    .ipproto = 6,
    .first_dir = APP_DIR_TOSERVER,
    .any_first_dir = true,       // the server may send its SETTINGS before the preface
    .default_ports = "80",
    .patterns = http2_patterns,
    .n_patterns = sizeof(http2_patterns) / sizeof(http2_patterns[0]),
    /* No toclient probe: the server's SETTINGS wait (held) for the client preface, so
     * both sides are parsed from the packet that confirms it, as Suricata does. */
    .state_new = http2_state_new,
    .state_free = http2_state_free,
    .parse = http2_parse,
    .eof = http2_eof,
    .tx_free = http2_tx_free,
    .complete = {HTTP2_PROG_DONE, HTTP2_PROG_DONE},
    .events = http2_event_names,
    .n_events = HTTP2_EV_N,
    .buffers = http2_buffers,
    .n_buffers = HTTP2_N_BUFFERS,
    .log_json = http2_log_json,
    .tx_file_at = http2_tx_file_at,
    .tx_sub = http2_tx_sub,
};

/* DNS over HTTP/2: never detected by itself (no pattern or probe); an HTTP/2 flow whose
 * streams carry DNS messages is renamed doh2 (app_proto_orig http2), as Suricata does.
 * The HTTP/2 row keeps parsing it; this row gives the name, the enabled switch
 * (app-layer.protocols.doh2.enabled) and the counters. */
const AppParserDesc app_parser_doh2 = {
    .name = "doh2",
    .proto = APP_PROTO_DOH2,
    .ipproto = 6,
    .first_dir = APP_DIR_TOSERVER,
    .state_new = http2_state_new,
    .state_free = http2_state_free,
    .parse = http2_parse,
    .eof = http2_eof,
    .tx_free = http2_tx_free,
    .complete = {HTTP2_PROG_DONE, HTTP2_PROG_DONE},
};
