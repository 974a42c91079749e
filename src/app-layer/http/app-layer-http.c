/* HTTP/1.x: the parser row, the per-flow libhtp connection parser, and the libhtp
 * callbacks that turn its transactions into ours (progress, bodies, events).
 *
 * libhtp owns its htp_tx_t; our HttpTx points at it and is the user data of it. libhtp
 * frees its txs with the connection parser (tx auto-destroy is off), so an HttpTx freed
 * early only unhooks itself. */
#include "app-layer/http/app-layer-http.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "util/util-error.h"

static const char *const http_aliases[] = {"http1", NULL};

/* Request methods at the start of the toserver direction. */
#define M(s) {.dir = APP_DIR_TOSERVER, .offset = 0, .depth = sizeof(s) - 1, .bytes = s, \
              .len = sizeof(s) - 1}
static const AppPattern http_patterns[] = {
    M("GET "), M("GET\t"), M("POST "), M("HEAD "), M("PUT "), M("DELETE "), M("OPTIONS "),
    M("TRACE "), M("CONNECT "), M("PATCH "), M("PROPFIND "), M("PROPPATCH "), M("MKCOL "),
    M("COPY "), M("MOVE "), M("LOCK "), M("UNLOCK "), M("CHECKOUT "), M("UNCHECKOUT "),
    M("CHECKIN "), M("UPDATE "), M("LABEL "), M("REPORT "), M("MKWORKSPACE "),
    M("MKACTIVITY "), M("MERGE "), M("INVALID "), M("VERSION-CONTROL "), M("BASELINE-CONTROL "),
    M("SEARCH "), M("SUBSCRIBE "), M("UNSUBSCRIBE "), M("NOTIFY "), M("POLL "), M("BMOVE "),
    M("BDELETE "), M("BPROPFIND "), M("BPROPPATCH "), M("BCOPY "),
    {.dir = APP_DIR_TOCLIENT, .offset = 0, .depth = 5, .bytes = "HTTP/", .len = 5},
};
#undef M

/* Probe: a request line "TOKEN SP something" with a plausible protocol, for methods
 * outside the pattern list. */
static int http_probe(const uint8_t *data, uint32_t len, uint8_t dir)
{
    if (dir != APP_DIR_TOSERVER) {
        return APP_PROBE_NO;
    }
    uint32_t i = 0;
    while (i < len && i < 32 && data[i] >= 'A' && data[i] <= 'Z') {
        i++;
    }
    if (i == len) {
        return len < 32 ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    if (i < 3 || data[i] != ' ') {
        return APP_PROBE_NO;
    }
    /* Look for " HTTP/" on the first line. */
    for (uint32_t j = i; j + 6 <= len && j < 2048; j++) {
        if (data[j] == '\n') {
            return APP_PROBE_NO;
        }
        if (memcmp(data + j, " HTTP/", 6) == 0) {
            return APP_PROBE_YES;
        }
    }
    return len < 2048 ? APP_PROBE_MORE : APP_PROBE_NO;
}

/* ---- buffers with memcap ---- */

bool http_buf_append(AppFlow *af, HttpBuf *b, const uint8_t *data, uint32_t len, uint64_t cap)
{
    if (cap != 0 && b->len >= cap) {
        return false;
    }
    if (cap != 0 && b->len + (uint64_t)len > cap) {
        len = (uint32_t)(cap - b->len);
    }
    if (b->len + (uint64_t)len > UINT32_MAX / 2) {
        return false;
    }
    if (b->len + len > b->cap) {
        uint32_t ncap = b->cap ? b->cap : 256;
        while (ncap < b->len + len) {
            ncap *= 2;
        }
        if (af != NULL && !app_mem_charge(af, ncap - b->cap)) {
            return false;
        }
        uint8_t *n = realloc(b->data, ncap);
        if (n == NULL) {
            if (af != NULL) {
                app_mem_release(af, ncap - b->cap);
            }
            return false;
        }
        b->data = n;
        b->cap = ncap;
    }
    if (len > 0) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    return true;
}

void http_buf_free(AppFlow *af, HttpBuf *b)
{
    if (af != NULL && b->cap != 0) {
        app_mem_release(af, b->cap);
    }
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- body inspection windows ---- */

/* Bytes freed at once at least (pruning moves the kept tail to the front). */
#define HTTP_PRUNE_MIN (32u * 1024u)

static void body_prune(AppFlow *af, HttpTx *ht, uint8_t dir, uint64_t keep_from)
{
    HttpBuf *b = &ht->body[dir];
    if (keep_from <= ht->body_base[dir] || http_body_keep_all(ht, dir)) {
        return;
    }
    uint64_t n = keep_from - ht->body_base[dir];
    if (n < HTTP_PRUNE_MIN || n > b->len) {
        return;
    }
    http_file_before_prune(ht, dir);
    memmove(b->data, b->data + n, b->len - n);
    b->len -= (uint32_t)n;
    ht->body_base[dir] += n;
    /* give memory back once the buffer is mostly empty */
    if (b->cap > 4 * HTTP_PRUNE_MIN && b->len < b->cap / 4) {
        uint32_t ncap = b->cap / 2;
        uint8_t *nd = realloc(b->data, ncap);
        if (nd != NULL) {
            if (af != NULL) {
                app_mem_release(af, b->cap - ncap);
            }
            b->data = nd;
            b->cap = ncap;
        }
    }
}

/* As Suricata inspects bodies: nothing until minimal-inspect-size bytes are there (or the
 * body ended, or reached its limit); the first window is the body from its start; later
 * ones give the new bytes plus some of what came before, so that a match across the seam
 * is found: inspect-window bytes in all when little is new, else a quarter window. What
 * comes before any later window's start is pruned (unless files must be kept whole). */
bool http_body_window(const Flow *f, const AppTx *tx, uint8_t dir, const uint8_t **d,
                      uint32_t *l)
{
    HttpTx *ht = (HttpTx *)(uintptr_t)tx;
    HttpBuf *b = &ht->body[dir];
    uint64_t base = ht->body_base[dir];
    uint64_t end = base + b->len;
    if (b->len == 0 && end == 0) {
        return false;
    }
    if (!ht->win_given[dir] || end != ht->insp_end[dir]) {
        const HttpCfg *cfg = http_cfg_for(f);
        uint64_t min = cfg == NULL ? 0 : dir == 0 ? cfg->request_inspect_min
                                                  : cfg->response_inspect_min;
        uint64_t win = cfg == NULL ? 0 : dir == 0 ? cfg->request_inspect_window
                                                  : cfg->response_inspect_window;
        uint32_t forced = dir == 0 ? APP_TX_F_FORCE_DONE_TS : APP_TX_F_FORCE_DONE_TC;
        bool ended = tx->progress[dir] >= HTTP_PROG_COMPLETE || (tx->flags & forced) ||
                     ht->body_truncated[dir];
        if (!ended && end < min) {
            return false;
        }
        uint64_t off = 0;
        uint64_t prev = ht->win_given[dir] ? ht->insp_end[dir] : 0;
        if (prev > min) {
            uint64_t fresh = end - prev;
            if (fresh < win) {
                off = prev > win - fresh ? prev - (win - fresh) : 0;
            } else {
                off = prev - win / 4;
            }
        }
        ht->win_off[dir] = off;
        ht->insp_end[dir] = end;
        ht->win_given[dir] = true;
        /* the next window starts at least inspect-window bytes before this end */
        if (end > win + HTTP_PRUNE_MIN) {
            uint64_t next_min = end - win;
            body_prune(app_flow_get(f), ht, dir, next_min < off ? next_min : off);
            base = ht->body_base[dir];
        }
    }
    uint64_t off = ht->win_off[dir] > base ? ht->win_off[dir] : base;
    if (end <= off) {
        return false;
    }
    *d = b->data + (off - base);
    *l = (uint32_t)(end - off);
    return true;
}

/* ---- callbacks ---- */

static HttpState *state_of(htp_connp_t *connp)
{
    return htp_connp_get_user_data(connp);
}

static HttpTx *tx_of(htp_tx_t *t)
{
    return t != NULL ? htp_tx_get_user_data(t) : NULL;
}

static void progress(HttpTx *ht, uint8_t dir, uint8_t stage)
{
    if (ht->tx.progress[dir] < stage) {
        ht->tx.progress[dir] = stage;
    }
    app_tx_touch(&ht->tx, dir);
}

static int cb_request_start(htp_tx_t *t)
{
    HttpState *hs = state_of(t->connp);
    if (hs == NULL) {
        return HTP_ERROR;
    }
    HttpTx *ht = (HttpTx *)app_tx_new(hs->af, sizeof(HttpTx));
    if (ht == NULL) {
        return HTP_ERROR;
    }
    ht->htp = t;
    htp_tx_set_user_data(t, ht);
    app_tx_touch(&ht->tx, APP_DIR_TOSERVER);
    return HTP_OK;
}

static int cb_request_line(htp_tx_t *t)
{
    HttpTx *ht = tx_of(t);
    if (ht == NULL) {
        return HTP_OK;
    }
    if (t->request_method != NULL && bstr_cmp_c_nocase(t->request_method, "CONNECT") == 0) {
        ht->is_connect = true;
    }
    HttpState *hs = state_of(t->connp);
    bool twice = false;
    if (hs != NULL && hs->orig_line != NULL) {
        /* the protocol was added for libhtp's sake: the tx keeps the line as sent */
        bstr *orig = bstr_dup_mem(hs->orig_line, hs->orig_line_len);
        if (orig != NULL) {
            bstr_free(t->request_line);
            t->request_line = orig;
        }
        bstr_free(t->request_protocol);
        t->request_protocol = NULL;
        hs->orig_line = NULL;
        app_tx_event(hs->af, &ht->tx, HTTP_EV_REQUEST_LINE_MISSING_PROTOCOL);
    }
    if (hs != NULL) {
        http_build_uri(hs->af->f, ht, hs->cfg, &twice);
        if (twice) {
            app_tx_event(hs->af, &ht->tx, HTTP_EV_DOUBLE_ENCODED_URI);
        }
    }
    progress(ht, APP_DIR_TOSERVER, HTTP_PROG_LINE);
    return HTP_OK;
}

static int cb_request_header_data(htp_tx_data_t *d)
{
    HttpTx *ht = tx_of(d->tx);
    HttpState *hs = state_of(d->tx->connp);
    if (ht != NULL && hs != NULL && d->data != NULL) {
        (void)http_buf_append(hs->af, &ht->raw_hdr[0], d->data, (uint32_t)d->len, 1u << 20);
    }
    return HTP_OK;
}

static int cb_response_header_data(htp_tx_data_t *d)
{
    HttpTx *ht = tx_of(d->tx);
    HttpState *hs = state_of(d->tx->connp);
    if (ht != NULL && hs != NULL && d->data != NULL) {
        (void)http_buf_append(hs->af, &ht->raw_hdr[1], d->data, (uint32_t)d->len, 1u << 20);
    }
    return HTP_OK;
}

/* Chunk framing of the data being fed, from hs->chunk_from[dir] up to `to`, with the
 * scan state of the body going on; an extension is an event on the body's tx. */
static void chunk_follow(HttpState *hs, uint8_t dir, uint32_t to)
{
    HttpChunkScan *cs = &hs->chunk[dir];
    uint32_t from = hs->chunk_from[dir];
    if (hs->feed_data[dir] == NULL || cs->state == HTTP_CS_OFF || from >= to) {
        return;
    }
    hs->chunk_from[dir] = to;
    if (http_chunk_scan(cs, hs->feed_data[dir] + from, to - from)) {
        AppTx *tx = app_layer_tx_by_id(hs->af->f, cs->tx_id);
        app_tx_event(hs->af, tx, dir == APP_DIR_TOSERVER ? HTTP_EV_REQUEST_CHUNK_EXTENSION
                                                         : HTTP_EV_RESPONSE_CHUNK_EXTENSION);
    }
}

/* A chunked body starts after these headers: what came before in the data being fed
 * belongs to the previous body (if any), the scan restarts where libhtp is now. */
static void chunk_arm(htp_tx_t *t, HttpTx *ht, uint8_t dir)
{
    HttpState *hs = state_of(t->connp);
    enum htp_transfer_coding_t tc = dir == APP_DIR_TOSERVER ? t->request_transfer_coding
                                                            : t->response_transfer_coding;
    if (hs == NULL || ht == NULL || tc != HTP_CODING_CHUNKED || hs->feed_data[dir] == NULL) {
        return;
    }
    size_t at = dir == APP_DIR_TOSERVER ? htp_connp_req_data_consumed(t->connp)
                                        : htp_connp_res_data_consumed(t->connp);
    at = at > hs->feed_len[dir] ? hs->feed_len[dir] : at;
    chunk_follow(hs, dir, (uint32_t)at);
    hs->chunk[dir] = (HttpChunkScan){ .state = HTTP_CS_SIZE, .tx_id = ht->tx.id };
    hs->chunk_from[dir] = (uint32_t)at;
}

static int cb_request_headers(htp_tx_t *t)
{
    HttpTx *ht = tx_of(t);
    if (ht != NULL) {
        if (ht->tx.progress[APP_DIR_TOSERVER] < HTTP_PROG_HEADERS) {
            chunk_arm(t, ht, APP_DIR_TOSERVER);
        }
        progress(ht, APP_DIR_TOSERVER, HTTP_PROG_HEADERS);
    }
    return HTP_OK;
}

/* Lines before the status line of a response to an HTTP/1.x request (blank lines, junk,
 * another protocol's status line): libhtp 0.5 hands them over as body while it waits for
 * the status line; Suricata 8 skips them, so they are neither body nor file. */
static bool before_status_line(const HttpTx *ht, const htp_tx_t *t, uint8_t dir)
{
    return dir == APP_DIR_TOCLIENT && ht->tx.progress[dir] < HTTP_PROG_LINE &&
           !t->is_protocol_0_9;
}

static void body_data(htp_tx_data_t *d, uint8_t dir)
{
    HttpTx *ht = tx_of(d->tx);
    HttpState *hs = state_of(d->tx->connp);
    if (ht == NULL || hs == NULL ||
        (d->data != NULL && before_status_line(ht, d->tx, dir))) {
        return;
    }
    progress(ht, dir, HTTP_PROG_BODY);
    if (d->data == NULL && d->len > 0) {
        /* a gap inside the body (libhtp resynced on it): the body buffer stops there so
         * that detection never sees bytes spliced across the hole; the file records it */
        ht->body_seen[dir] += d->len;
        ht->body_truncated[dir] = true;
        http_file_gap(hs->af, ht, dir, (uint32_t)d->len);
        return;
    }
    if (d->data == NULL || d->len == 0) {
        return;
    }
    ht->body_seen[dir] += d->len;
    /* the limit counts the whole body, pruned bytes included */
    uint64_t limit = dir == 0 ? hs->cfg->request_body_limit : hs->cfg->response_body_limit;
    uint64_t held = ht->body_base[dir] + ht->body[dir].len;
    uint64_t cap = limit == 0 ? 0 : ht->body[dir].len + (limit > held ? limit - held : 0);
    if (!ht->body_truncated[dir] && limit != 0 && held >= limit) {
        ht->body_truncated[dir] = true;
    }
    if (!ht->body_truncated[dir] &&
        !http_buf_append(hs->af, &ht->body[dir], d->data, (uint32_t)d->len, cap)) {
        ht->body_truncated[dir] = true;
    }
    http_file_body(hs->af, ht, dir, d->data, (uint32_t)d->len);
}

static int cb_request_body_data(htp_tx_data_t *d)
{
    body_data(d, APP_DIR_TOSERVER);
    return HTP_OK;
}

static int cb_response_body_data(htp_tx_data_t *d)
{
    body_data(d, APP_DIR_TOCLIENT);
    return HTP_OK;
}

/* tx flags libhtp sets, as events. */
static void flag_events(HttpState *hs, HttpTx *ht, htp_tx_t *t)
{
    static const struct {
        uint64_t flag;
        int ev;
    } map[] = {
        {HTP_HOST_MISSING, HTTP_EV_MISSING_HOST_HEADER},
        {HTP_HOST_AMBIGUOUS, HTTP_EV_HOST_HEADER_AMBIGUOUS},
        {HTP_HOSTU_INVALID, HTTP_EV_REQUEST_URI_HOST_INVALID},
        {HTP_HOSTH_INVALID, HTTP_EV_REQUEST_HEADER_HOST_INVALID},
        {HTP_REQUEST_INVALID_T_E, HTTP_EV_INVALID_TRANSFER_ENCODING_VALUE_IN_REQUEST},
        {HTP_REQUEST_INVALID_C_L, HTTP_EV_INVALID_CONTENT_LENGTH_FIELD_IN_REQUEST},
        {HTP_AUTH_INVALID, HTTP_EV_REQUEST_AUTH_UNRECOGNIZED},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (t->flags & map[i].flag) {
            app_tx_event(hs->af, &ht->tx, (uint32_t)map[i].ev);
        }
    }
    if (t->request_port_number != -1 && hs->af->f->key.dp != 0 &&
        t->request_port_number != hs->af->f->key.dp && t->parsed_uri != NULL &&
        t->parsed_uri->port != NULL) {
        app_tx_event(hs->af, &ht->tx, HTTP_EV_REQUEST_SERVER_PORT_TCP_PORT_MISMATCH);
    }
}

static int cb_request_complete(htp_tx_t *t)
{
    HttpTx *ht = tx_of(t);
    HttpState *hs = state_of(t->connp);
    if (ht == NULL || hs == NULL) {
        return HTP_OK;
    }
    flag_events(hs, ht, t);
    if (hs->feed_data[APP_DIR_TOSERVER] != NULL &&
        htp_connp_req_data_consumed(t->connp) >= hs->feed_len[APP_DIR_TOSERVER]) {
        hs->req_next_at_start = true;  // the next request starts with the next data
    }
    if (t->is_protocol_0_9) {
        /* HTTP/0.9 has one request per connection: libhtp ignores what follows */
        hs->after_09 = true;
    }
    http_file_close(hs->af, ht, APP_DIR_TOSERVER, false);
    progress(ht, APP_DIR_TOSERVER, HTTP_PROG_COMPLETE);
    return HTP_OK;
}

static int cb_response_line(htp_tx_t *t)
{
    HttpTx *ht = tx_of(t);
    if (ht == NULL && cb_request_start(t) == HTP_OK) {
        /* a response with no request seen (one-sided or midstream capture): libhtp
         * made the tx itself, without the request start hook */
        ht = tx_of(t);
    }
    if (ht != NULL) {
        ht->status = (uint16_t)(t->response_status_number > 0 && t->response_status_number < 1000
                                    ? t->response_status_number : 0);
        progress(ht, APP_DIR_TOCLIENT, HTTP_PROG_LINE);
    }
    return HTP_OK;
}

/* "websocket" among the tokens of a header value (RFC 6455 section 4.1: Upgrade). */
static bool has_websocket_token(const uint8_t *v, uint32_t n)
{
    static const char tok[] = "websocket";
    for (uint32_t i = 0; i + sizeof(tok) - 1 <= n; i++) {
        if (strncasecmp((const char *)v + i, tok, sizeof(tok) - 1) == 0) {
            return true;
        }
    }
    return false;
}

/* A 101 answer to "Upgrade: websocket": libhtp turns the rest into a tunnel; announce
 * WebSocket so that the framework starts its parser there (its frames have no pattern
 * to be detected by). */
static void upgrade_expect(HttpState *hs, const HttpTx *ht)
{
    const uint8_t *v;
    uint32_t n;
    if (ht->status == 101 && http_header_value(ht, APP_DIR_TOSERVER, "upgrade", &v, &n) &&
        has_websocket_token(v, n)) {
        app_flow_expect(hs->af, APP_PROTO_WEBSOCKET);
    }
}

static int cb_response_headers(htp_tx_t *t)
{
    HttpTx *ht = tx_of(t);
    if (ht != NULL && state_of(t->connp) != NULL) {
        upgrade_expect(state_of(t->connp), ht);
    }
    if (ht != NULL) {
        if (ht->tx.progress[APP_DIR_TOCLIENT] < HTTP_PROG_HEADERS) {
            chunk_arm(t, ht, APP_DIR_TOCLIENT);
        }
        progress(ht, APP_DIR_TOCLIENT, HTTP_PROG_HEADERS);
    }
    return HTP_OK;
}

static int cb_response_complete(htp_tx_t *t)
{
    HttpTx *ht = tx_of(t);
    HttpState *hs = state_of(t->connp);
    if (ht == NULL || hs == NULL) {
        return HTP_OK;
    }
    http_file_close(hs->af, ht, APP_DIR_TOCLIENT, false);
    progress(ht, APP_DIR_TOCLIENT, HTTP_PROG_COMPLETE);
    /* A CONNECT answered 2xx as the connection's first exchange opens a tunnel: what
     * follows this chunk goes to protocol detection and a new parser (as Suricata asks
     * for a protocol change there; later CONNECTs stay plain HTTP). */
    if (ht->is_connect && t->index == 0 && t->response_status_number >= 200 &&
        t->response_status_number < 300) {
        hs->tunnel = true;
        progress(ht, APP_DIR_TOSERVER, HTTP_PROG_COMPLETE);
    }
    /* A request without its own progress (0.9, or stopped) is done once answered. */
    if (ht->tx.progress[0] < HTTP_PROG_COMPLETE && t->request_progress >= HTP_REQUEST_COMPLETE) {
        progress(ht, APP_DIR_TOSERVER, HTTP_PROG_COMPLETE);
    }
    return HTP_OK;
}

static int cb_log(htp_log_t *log)
{
    if (log->connp == NULL || log->msg == NULL) {
        return HTP_OK;
    }
    HttpState *hs = state_of(log->connp);
    int ev = http_event_from_log(log->msg);
    if (hs == NULL || ev < 0) {
        return HTP_OK;
    }
    HttpTx *ht = tx_of(log->tx);
    if (ht == NULL) {
        /* Attach to the newest tx, as the message concerns the data just parsed. */
        AppFlow *af = hs->af;
        for (uint32_t i = af->n_txs; i-- > 0;) {
            if (af->txs[i]->proto == APP_PROTO_HTTP1) {
                ht = (HttpTx *)af->txs[i];
                break;
            }
        }
    }
    app_tx_event(hs->af, ht != NULL ? &ht->tx : NULL, (uint32_t)ev);
    return HTP_OK;
}

void http_register_callbacks(htp_cfg_t *cfg)
{
    htp_config_register_request_start(cfg, cb_request_start);
    htp_config_register_request_line(cfg, cb_request_line);
    htp_config_register_request_header_data(cfg, cb_request_header_data);
    htp_config_register_request_headers(cfg, cb_request_headers);
    htp_config_register_request_body_data(cfg, cb_request_body_data);
    htp_config_register_request_trailer(cfg, cb_request_headers);
    htp_config_register_request_complete(cfg, cb_request_complete);
    htp_config_register_response_line(cfg, cb_response_line);
    htp_config_register_response_header_data(cfg, cb_response_header_data);
    htp_config_register_response_headers(cfg, cb_response_headers);
    htp_config_register_response_body_data(cfg, cb_response_body_data);
    htp_config_register_response_trailer(cfg, cb_response_headers);
    htp_config_register_response_complete(cfg, cb_response_complete);
    htp_config_register_log(cfg, cb_log);
}

/* ---- the row's functions ---- */

static void addr_str(const VgAddr *a, char *buf, size_t n)
{
    if (a->family == 6) {
        inet_ntop(AF_INET6, a->a.u8, buf, (socklen_t)n);
    } else {
        inet_ntop(AF_INET, a->a.u8, buf, (socklen_t)n);
    }
}

static void *http_state_new(AppFlow *af)
{
    const HttpCfg *cfg = http_cfg_for(af->f);
    if (cfg == NULL || !app_mem_charge(af, sizeof(HttpState))) {
        return NULL;
    }
    HttpState *hs = calloc(1, sizeof(*hs));
    htp_connp_t *connp = hs ? htp_connp_create(cfg->htp) : NULL;
    if (connp == NULL) {
        free(hs);
        app_mem_release(af, sizeof(HttpState));
        return NULL;
    }
    hs->af = af;
    hs->req_at_start = true;
    hs->cfg = cfg;
    hs->connp = connp;
    htp_connp_set_user_data(connp, hs);
    char cli[64];
    char srv[64];
    addr_str(&af->f->key.src, cli, sizeof(cli));
    addr_str(&af->f->key.dst, srv, sizeof(srv));
    struct timeval tv = {.tv_sec = af->f->start_sec, .tv_usec = af->f->start_usec};
    htp_connp_open(connp, cli, af->f->key.sp, srv, af->f->key.dp, &tv);
    return hs;
}

static void http_state_free(void *state)
{
    HttpState *hs = state;
    if (hs == NULL) {
        return;
    }
    /* Unhook the txs libhtp still holds from ours (they are freed by now or later). */
    htp_connp_set_user_data(hs->connp, NULL);
    htp_connp_destroy_all(hs->connp);
    http_buf_free(hs->af, &hs->pending[0]);
    http_buf_free(hs->af, &hs->pending[1]);
    app_mem_release(hs->af, sizeof(HttpState));
    free(hs);
}

static void http_tx_free(void *state, AppTx *tx)
{
    HttpState *hs = state;
    HttpTx *ht = (HttpTx *)tx;
    AppFlow *af = hs != NULL ? hs->af : NULL;
    if (ht->htp != NULL) {
        htp_tx_set_user_data(ht->htp, NULL);
    }
    for (int d = 0; d < 2; d++) {
        http_buf_free(af, &ht->body[d]);
        http_buf_free(af, &ht->raw_hdr[d]);
    }
    for (int c = 0; c < HTTP_C_N; c++) {
        http_buf_free(af, &ht->cache[c]);
    }
    http_buf_free(NULL, &ht->line);
    http_files_free(af, ht);
}

static int feed_htp(HttpState *hs, uint8_t dir, const uint8_t *data, uint32_t len,
                    uint32_t *used);

/* "METHOD uri" with no protocol, followed by a header line: Suricata 8 parses such a
 * request as HTTP/1.x with headers (event request_line_missing_protocol), libhtp 0.5 as
 * HTTP/0.9. Returns the length of the line (without its end) when data starts so. */
static uint32_t missing_protocol_line(const uint8_t *d, uint32_t len)
{
    const uint8_t *lf = memchr(d, '\n', len < 8192 ? len : 8192);
    if (lf == NULL) {
        return 0;
    }
    uint32_t n = (uint32_t)(lf - d);
    uint32_t end = n > 0 && d[n - 1] == '\r' ? n - 1 : n;
    uint32_t i = 0;
    while (i < end && d[i] >= 'A' && d[i] <= 'Z') {
        i++;
    }
    if (i == 0 || i + 1 >= end || d[i] != ' ' || d[i + 1] == ' ' ||
        memchr(d + i + 1, ' ', end - i - 1) != NULL) {
        return 0;
    }
    const uint8_t *next = lf + 1;
    uint32_t rest = len - n - 1;
    if (rest == 0 || next[0] == '\n' || (next[0] == '\r' && (rest < 2 || next[1] == '\n'))) {
        return 0;  // a blank line or nothing yet: HTTP/0.9 indeed
    }
    return end;
}

static int feed(HttpState *hs, uint8_t dir, const uint8_t *data, uint32_t len, uint32_t *used)
{
    static const char proto[] = " HTTP/1.0";
    uint8_t *fixed = NULL;
    uint32_t line = 0;
    if (dir == APP_DIR_TOSERVER && data != NULL && hs->req_at_start &&
        (line = missing_protocol_line(data, len)) > 0 &&
        (fixed = malloc((size_t)len + sizeof(proto))) != NULL) {
        memcpy(fixed, data, line);
        memcpy(fixed + line, proto, sizeof(proto) - 1);
        memcpy(fixed + line + sizeof(proto) - 1, data + line, len - line);
        hs->orig_line = data;
        hs->orig_line_len = line;
        data = fixed;
        len += (uint32_t)(sizeof(proto) - 1);
    }
    if (dir == APP_DIR_TOSERVER && data != NULL) {
        hs->req_next_at_start = false;
    }
    int r = feed_htp(hs, dir, data, len, used);
    if (dir == APP_DIR_TOSERVER && data != NULL) {
        hs->req_at_start = hs->req_next_at_start;
    }
    if (fixed != NULL) {
        uint32_t ins = (uint32_t)(sizeof(proto) - 1);
        *used = *used >= line + ins ? *used - ins : (*used > line ? line : *used);
        hs->orig_line = NULL;
        free(fixed);
    }
    return r;
}

static int feed_htp(HttpState *hs, uint8_t dir, const uint8_t *data, uint32_t len,
                    uint32_t *used)
{
    struct timeval tv = {.tv_sec = hs->af->f->last_sec, .tv_usec = hs->af->f->last_usec};
    hs->feed_data[dir] = data;
    hs->feed_len[dir] = len;
    hs->chunk_from[dir] = 0;
    if (data == NULL) {
        hs->chunk[dir].state = HTTP_CS_OFF;  // a gap: the framing is lost
    }
    int r = dir == APP_DIR_TOSERVER ? htp_connp_req_data(hs->connp, &tv, data, len)
                                    : htp_connp_res_data(hs->connp, &tv, data, len);
    size_t c = dir == APP_DIR_TOSERVER ? htp_connp_req_data_consumed(hs->connp)
                                       : htp_connp_res_data_consumed(hs->connp);
    *used = c > len ? len : (uint32_t)c;
    chunk_follow(hs, dir, *used);
    hs->feed_data[dir] = NULL;
    return r;
}

#define HTTP_PENDING_MAX (256u * 1024u)

/* Hand data of dir to libhtp; what it leaves (waiting for the other side) is kept. */
static int push(HttpState *hs, uint8_t dir, const uint8_t *data, uint32_t len,
                uint32_t *consumed)
{
    uint32_t used = 0;
    int r = feed(hs, dir, data, len, &used);
    *consumed = len;
    if (r == HTP_STREAM_ERROR) {
        return APP_PARSE_ERROR;
    }
    if (r == HTP_STREAM_TUNNEL || hs->tunnel) {
        /* libhtp's own tunnel state, or a CONNECT answered 2xx (cb_response_complete) */
        hs->tunnel = true;
        *consumed = used;
        return APP_PARSE_TUNNEL;
    }
    if (r == HTP_STREAM_DATA_OTHER && used < len) {
        if (!http_buf_append(hs->af, &hs->pending[dir], data + used, len - used,
                             HTTP_PENDING_MAX)) {
            return APP_PARSE_ERROR;
        }
    }
    return APP_PARSE_OK;
}

static int http_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    HttpState *hs = state;
    (void)af;
    if (hs->tunnel) {
        *consumed = 0;
        return APP_PARSE_TUNNEL;
    }
    if (dir == APP_DIR_TOSERVER && hs->after_09) {
        /* Data after an HTTP/0.9 request is ignored, as libhtp means to (its 0.5 series
         * stops the parser on it instead: Suricata 8 does not). */
        *consumed = len;
        return APP_PARSE_OK;
    }
    int rc;
    if (hs->pending[dir].len > 0) {
        /* Still waiting for the other side: keep the order. */
        if (!http_buf_append(hs->af, &hs->pending[dir], data, len, HTTP_PENDING_MAX)) {
            return APP_PARSE_ERROR;
        }
        *consumed = len;
        rc = APP_PARSE_OK;
    } else {
        rc = push(hs, dir, data, len, consumed);
    }
    /* The other side may have been waiting for this one. */
    uint8_t o = (uint8_t)(1 - dir);
    if (rc == APP_PARSE_OK && hs->pending[o].len > 0) {
        HttpBuf p = hs->pending[o];
        hs->pending[o] = (HttpBuf){0};
        uint32_t c = 0;
        int r2 = push(hs, o, p.data, p.len, &c);
        app_mem_release(hs->af, p.cap);
        if (r2 == APP_PARSE_TUNNEL && c < p.len) {
            /* Tunnel data of the other side: back to detection as that side's data. */
            app_flow_data(hs->af, o, p.data + c, p.len - c);
        }
        free(p.data);
        if (r2 == APP_PARSE_ERROR) {
            rc = r2;
        }
    }
    return rc;
}

/* Data missing in dir: libhtp 0.5.x takes a gap as a NULL chunk of its length. Inside a
 * body of known length (or chunk) it skips the bytes and goes on with the next message;
 * elsewhere it cannot resync and the direction stops. */
static int http_gap(AppFlow *af, void *state, uint8_t dir, uint32_t len)
{
    HttpState *hs = state;
    (void)af;
    if (dir == APP_DIR_TOSERVER && hs->after_09) {
        return APP_PARSE_OK;    // ignored anyway
    }
    if (hs->tunnel || hs->pending[dir].len > 0) {
        /* tunnelled, or data still waiting for the other side: the hole cannot be
         * placed in order */
        return APP_PARSE_ERROR;
    }
    uint32_t used = 0;
    int r = feed(hs, dir, NULL, len, &used);
    if (r == HTP_STREAM_ERROR || r == HTP_STREAM_TUNNEL) {
        return APP_PARSE_ERROR;
    }
    return APP_PARSE_OK;
}

static void http_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    HttpState *hs = state;
    struct timeval tv = {.tv_sec = hs->af->f->last_sec, .tv_usec = hs->af->f->last_usec};
    if (dir == APP_DIR_TOSERVER) {
        htp_connp_req_close(hs->connp, &tv);
    } else {
        /* Close both when the server side ends: a body delimited by the close ends here. */
        htp_connp_close(hs->connp, &tv);
    }
    for (uint32_t i = 0; i < hs->af->n_txs; i++) {
        HttpTx *ht = (HttpTx *)hs->af->txs[i];
        if (ht->tx.proto == APP_PROTO_HTTP1) {
            http_file_close(hs->af, ht, dir, true);
        }
    }
}

const AppParserDesc app_parser_http = {
    .name = "http",
    .aliases = http_aliases,
    .proto = APP_PROTO_HTTP1,
    .ipproto = 6,
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "80,8080,8000,8081,3128",
    .patterns = http_patterns,
    .n_patterns = sizeof(http_patterns) / sizeof(http_patterns[0]),
    .probe = http_probe,
    .config = http_config,
    .deinit = http_config_deinit,
    .state_new = http_state_new,
    .state_free = http_state_free,
    .parse = http_parse,
    .gap = NULL,
    .gap_len = http_gap,
    .eof = http_eof,
    .tx_free = http_tx_free,
    .complete = {HTTP_PROG_COMPLETE, HTTP_PROG_COMPLETE},
    .events = http_event_names,
    .events_upper = true,
    .n_events = HTTP_EV_N,
    .buffers = http_buffers,
    .n_buffers = HTTP_N_BUFFERS,
    .log_json = http_log_json,
    .tx_file_at = http_tx_file_at,
};
