/* SIP: the parser row, per-flow state (TCP framing per direction) and the transactions:
 * one per message, living in the direction it travelled, complete the moment its head
 * is parsed (so unanswered requests never leave a tx waiting for the other side).
 *
 * UDP: every datagram is one message (RFC 3261 section 18.3): its head ends at the
 * first empty line, the rest is the body. Datagrams of blanks and line breaks only
 * (keep-alives) are skipped. TCP: messages follow each other; the head of a message is
 * collected (at most SIP_HEAD_MAX bytes, charged to the sip memcap) until its empty line,
 * then Content-Length body bytes are skipped without being kept, however large the
 * announced length. CR LF between messages (RFC 5626 keep-alives) is skipped. A head
 * that is not SIP, or one too long, raises invalid_data and the direction resynchronises
 * on the next line that starts like a SIP start line. */
#include "app-layer/sip/app-layer-sip.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "flow/flow-types.h"
#include "util/util-error.h"

const char *const sip_event_names[SIP_EV_N] = {
    "incomplete_data",
    "invalid_data",
};

typedef struct SipDir {
    uint8_t *buf;                // TCP: head collected so far
    uint32_t len;
    uint32_t cap;
    uint32_t scanned;            // bytes of buf already searched for the empty line
    uint64_t skip;               // TCP: body bytes still to skip
    bool resync;                 // TCP: waiting for a line that starts a message
    bool at_line_start;          // resync: the next byte starts a line
    uint64_t head_off;           // TCP: stream offset of the head being collected (frames)
} SipDir;

typedef struct SipState {
    AppFlow *af;
    bool is_tcp;
    SipDir dir[2];
} SipState;

static void *sip_state_new(AppFlow *af)
{
    SipState *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return NULL;
    }
    st->af = af;
    st->is_tcp = af->f != NULL && af->f->key.proto == 6;
    return st;
}

static void buf_free(SipState *st, SipDir *d)
{
    if (d->cap != 0) {
        app_mem_release(st->af, d->cap);
    }
    free(d->buf);
    d->buf = NULL;
    d->len = d->cap = d->scanned = 0;
}

static void sip_state_free(void *state)
{
    SipState *st = state;
    if (st == NULL) {
        return;
    }
    buf_free(st, &st->dir[0]);
    buf_free(st, &st->dir[1]);
    free(st);
}

static void sip_tx_free(void *state, AppTx *tx)
{
    SipState *st = state;
    SipTx *t = (SipTx *)tx;
    if (st != NULL && t->mem_bytes != 0) {
        app_mem_release(st->af, t->mem_bytes);
    }
    sip_message_deinit(&t->msg);
}

const SipTx *sip_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_SIP ? (const SipTx *)tx : NULL;
}

/* ---- frames: the message (pdu), its start line, headers and body, as Suricata's
 * request.line / response.line (with the line's CRLF), request.headers /
 * response.headers (each header with its CRLF, not the empty line) and request.body /
 * response.body ---- */

enum { SIP_FRAME_PDU = 0, SIP_FRAME_REQ_LINE, SIP_FRAME_RESP_LINE, SIP_FRAME_REQ_HEADERS,
       SIP_FRAME_RESP_HEADERS, SIP_FRAME_REQ_BODY, SIP_FRAME_RESP_BODY };
static const char *const sip_frame_types[] = { "pdu", "request.line", "response.line",
                                               "request.headers", "response.headers",
                                               "request.body", "response.body" };

static void frame(AppFlow *af, uint8_t dir, uint64_t off, uint64_t len, uint16_t type,
                  uint64_t tx_id)
{
    if (len > 0) {
        app_frame_set_tx(af, dir, app_frame_new(af, dir, off, (int64_t)len, type), tx_id);
    }
}

/* The frames of a message at stream offset off whose head (head_len bytes at msg, the
 * empty line left out) ends at end, followed by body_len bytes. */
static void sip_frames(AppFlow *af, uint8_t dir, const uint8_t *msg, uint32_t head_len,
                       uint32_t end, uint64_t body_len, uint64_t off, uint64_t tx_id)
{
    bool is_resp = head_len >= 4 && memcmp(msg, "SIP/", 4) == 0;
    frame(af, dir, off, end + body_len, SIP_FRAME_PDU, tx_id);
    const uint8_t *lf = memchr(msg, '\n', head_len);
    uint32_t line_end = lf != NULL ? (uint32_t)(lf - msg) + 1 : head_len;
    uint32_t hdr_end = head_len < end && msg[head_len] == '\r' ? head_len + 2 : head_len + 1;
    hdr_end = hdr_end > end ? end : hdr_end;
    frame(af, dir, off, line_end < hdr_end ? line_end : hdr_end,
          is_resp ? SIP_FRAME_RESP_LINE : SIP_FRAME_REQ_LINE, tx_id);
    if (line_end < hdr_end) {
        frame(af, dir, off + line_end, hdr_end - line_end,
              is_resp ? SIP_FRAME_RESP_HEADERS : SIP_FRAME_REQ_HEADERS, tx_id);
    }
    frame(af, dir, off + end, body_len, is_resp ? SIP_FRAME_RESP_BODY : SIP_FRAME_REQ_BODY,
          tx_id);
}

/* ---- one message -> one tx ---- */

/* The head (start line and headers, without the empty line) of a message of dir; the
 * body's length. A head that is not SIP raises invalid_data on the flow and makes no
 * tx (*out NULL). APP_PARSE_ERROR only when no tx could be made (memcap, max-tx,
 * memory). */
static int handle_message(SipState *st, uint8_t dir, const uint8_t *head, uint32_t head_len,
                          uint64_t body_len, bool is_cut, SipTx **out)
{
    *out = NULL;
    AppFlow *af = st->af;
    SipMessage m;
    int rc = sip_message_parse(head, head_len, &m);
    if (rc == VG_ENOMEM) {
        return APP_PARSE_ERROR;
    }
    if (m.head == NULL) {
        app_tx_event(af, NULL, SIP_EV_INVALID_DATA);
        return APP_PARSE_OK;
    }
    uint32_t mem = sip_message_mem(&m);
    SipTx *t = NULL;
    if (app_mem_charge(af, mem)) {
        t = (SipTx *)app_tx_new(af, sizeof(SipTx));
        if (t == NULL) {
            app_mem_release(af, mem);
        }
    }
    if (t == NULL) {
        sip_message_deinit(&m);
        return APP_PARSE_ERROR;
    }
    t->dir = dir;
    t->msg = m;
    t->msg.body_len = body_len;
    t->mem_bytes = mem;
    t->tx.progress[0] = SIP_PROG_DONE;
    t->tx.progress[1] = SIP_PROG_DONE;
    app_tx_touch(&t->tx, dir);
    if (rc != 0) {
        app_tx_event(af, &t->tx, SIP_EV_INVALID_DATA);
    }
    if (is_cut) {
        app_tx_event(af, &t->tx, SIP_EV_INCOMPLETE_DATA);
    }
    *out = t;
    return APP_PARSE_OK;
}

static bool only_blanks(const uint8_t *p, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') {
            return false;
        }
    }
    return true;
}

static int parse_udp(SipState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    if (only_blanks(data, len)) {
        return APP_PARSE_OK;     // keep-alive
    }
    SipTx *t;
    uint32_t head_len = 0;
    uint32_t end = sip_find_head_end(data, len, &head_len);
    if (end == 0) {
        /* No empty line: the datagram is all head, cut short. */
        uint32_t n = len;
        while (n > 0 && (data[n - 1] == '\r' || data[n - 1] == '\n')) {
            n--;
        }
        int rc = handle_message(st, dir, data, n, 0, true, &t);
        if (t != NULL) {
            sip_frames(st->af, dir, data, n, n, 0, app_frame_chunk_offset(st->af, dir),
                       t->tx.id);
        }
        return rc;
    }
    int rc = handle_message(st, dir, data, head_len, len - end, false, &t);
    if (t != NULL) {
        sip_frames(st->af, dir, data, head_len, end, len - end,
                   app_frame_chunk_offset(st->af, dir), t->tx.id);
    }
    return rc;
}

/* ---- TCP framing ---- */

static bool buf_append(SipState *st, SipDir *d, const uint8_t *data, uint32_t n)
{
    if (d->len + n > d->cap) {
        uint32_t cap = d->cap ? d->cap : 1024;
        while (cap < d->len + n) {
            cap *= 2;
        }
        if (!app_mem_grow(st->af, &d->buf, &d->cap, cap)) {
            return false;
        }
    }
    memcpy(d->buf + d->len, data, n);
    d->len += n;
    return true;
}

/* A complete head of dir was found (head_len bytes at head, end with the empty line):
 * the message and its body. */
static int tcp_message(SipState *st, uint8_t dir, const uint8_t *head, uint32_t head_len,
                       uint32_t end)
{
    SipDir *d = &st->dir[dir];
    SipTx *t;
    int rc = handle_message(st, dir, head, head_len, 0, false, &t);
    if (rc != APP_PARSE_OK) {
        return rc;
    }
    if (t == NULL) {
        d->resync = true;        // not SIP: find the next message start
        d->at_line_start = true;
        return APP_PARSE_OK;
    }
    if (t->msg.has_content_length) {
        d->skip = t->msg.content_length;
        t->msg.body_len = t->msg.content_length;
    }
    sip_frames(st->af, dir, head, head_len, end, d->skip, d->head_off, t->tx.id);
    return APP_PARSE_OK;
}

/* Resync: drops bytes up to a line start that probes as a SIP start line. Returns the
 * bytes used; clears d->resync when parsing may go on. */
static uint32_t tcp_resync(SipDir *d, const uint8_t *data, uint32_t len)
{
    uint32_t i = 0;
    while (i < len) {
        if (d->at_line_start && data[i] != '\r' && data[i] != '\n') {
            if (sip_probe_start(data + i, len - i) != APP_PROBE_NO) {
                d->resync = false;
                return i;
            }
        }
        const uint8_t *lf = memchr(data + i, '\n', len - i);
        if (lf == NULL) {
            d->at_line_start = false;
            return len;
        }
        i = (uint32_t)(lf - data) + 1;
        d->at_line_start = true;
    }
    return len;
}

/* Head bytes of dir: whole heads in data are parsed in place, a partial one is collected
 * in d->buf. Returns the bytes used, or UINT32_MAX on APP_PARSE_ERROR. */
static uint32_t tcp_head(SipState *st, uint8_t dir, const uint8_t *data, uint32_t len,
                         uint64_t here, int *rc)
{
    SipDir *d = &st->dir[dir];
    uint32_t head_len = 0;
    if (d->len == 0) {
        d->head_off = here;
        uint32_t end = sip_find_head_end(data, len, &head_len);
        if (end != 0 && head_len <= SIP_HEAD_MAX) {
            *rc = tcp_message(st, dir, data, head_len, end);
            return end;
        }
    }
    uint32_t room = SIP_HEAD_MAX + 4 - d->len;
    uint32_t n = len < room ? len : room;
    if (!buf_append(st, d, data, n)) {
        buf_free(st, d);
        *rc = APP_PARSE_ERROR;
        return len;
    }
    uint32_t from = d->scanned > 3 ? d->scanned - 3 : 0;
    uint32_t end = sip_find_head_end(d->buf + from, d->len - from, &head_len);
    if (end != 0) {
        end += from;
        head_len += from;
        uint32_t used = n - (d->len - end);
        if (head_len <= SIP_HEAD_MAX) {
            *rc = tcp_message(st, dir, d->buf, head_len, end);
        } else {
            app_tx_event(st->af, NULL, SIP_EV_INVALID_DATA);   // head too long
            d->resync = true;
            d->at_line_start = true;
        }
        buf_free(st, d);
        return used;
    }
    d->scanned = d->len;
    if (d->len >= SIP_HEAD_MAX + 4) {
        app_tx_event(st->af, NULL, SIP_EV_INVALID_DATA);   // head too long
        buf_free(st, d);
        d->resync = true;
        d->at_line_start = false;
    }
    return n;
}

static int parse_tcp(SipState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    SipDir *d = &st->dir[dir];
    uint64_t off0 = app_frame_chunk_offset(st->af, dir);
    const uint8_t *data0 = data;
    while (len > 0) {
        uint32_t used;
        int rc = APP_PARSE_OK;
        if (d->skip > 0) {
            used = d->skip < len ? (uint32_t)d->skip : len;
            d->skip -= used;
        } else if (d->resync) {
            used = tcp_resync(d, data, len);
        } else if (d->len == 0 && (data[0] == '\r' || data[0] == '\n')) {
            used = 1;            // keep-alive or stray line break between messages
        } else {
            used = tcp_head(st, dir, data, len, off0 + (uint64_t)(data - data0), &rc);
            if (rc != APP_PARSE_OK) {
                return rc;
            }
        }
        data += used;
        len -= used;
    }
    return APP_PARSE_OK;
}

static int sip_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                     uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    SipState *st = state;
    return st->is_tcp ? parse_tcp(st, dir, data, len) : parse_udp(st, dir, data, len);
}

/* Data lost: the partial head is dropped, and parsing resumes on a message start. */
static int sip_gap(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    SipState *st = state;
    SipDir *d = &st->dir[dir];
    buf_free(st, d);
    d->skip = 0;
    d->resync = true;
    d->at_line_start = false;
    return APP_PARSE_OK;
}

static void sip_eof(AppFlow *af, void *state, uint8_t dir)
{
    SipState *st = state;
    SipDir *d = &st->dir[dir];
    if (d->len > 0 && !only_blanks(d->buf, d->len)) {
        app_tx_event(af, NULL, SIP_EV_INCOMPLETE_DATA);
    }
    buf_free(st, d);
}

/* ---- detection ---- */

static int sip_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                        uint8_t dir)
{
    (void)port_hint;
    (void)dir;
    int r = sip_probe_start(data, len);
    if (r == APP_PROBE_MORE && ipproto == 17) {
        return APP_PROBE_NO;     // a datagram is all there is
    }
    return r;
}

/* An OPTIONS request (the usual SIP keep-alive ping) also starts like HTTP: these
 * patterns let SIP take it on its detection ports (rows with the server port in their
 * ports have their patterns tried first); elsewhere HTTP's pattern wins. */
static const AppPattern sip_patterns[] = {
    {.dir = APP_DIR_TOSERVER, .offset = 0, .depth = 12, .bytes = "OPTIONS sip:", .len = 12},
    {.dir = APP_DIR_TOSERVER, .offset = 0, .depth = 13, .bytes = "OPTIONS sips:", .len = 13},
    {.dir = APP_DIR_TOCLIENT, .offset = 0, .depth = 12, .bytes = "OPTIONS sip:", .len = 12},
    {.dir = APP_DIR_TOCLIENT, .offset = 0, .depth = 13, .bytes = "OPTIONS sips:", .len = 13},
};

/* ---- buffers ---- */

static const SipMessage *msg_of(const AppTx *tx, uint8_t dir)
{
    const SipTx *t = sip_tx(tx);
    return t != NULL && t->dir == dir ? &t->msg : NULL;
}

static bool span_out(const SipMessage *m, SipSpan s, const uint8_t **data, uint32_t *len)
{
    *data = m->head + s.off;
    *len = s.len;
    return true;
}

#define LINE_GETTER(fn, d, want_request, field)                                              \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)      \
    {                                                                                        \
        (void)f;                                                                             \
        const SipMessage *m = msg_of(tx, d);                                                 \
        if (m == NULL || m->is_request != (want_request)) {                                  \
            return false;                                                                    \
        }                                                                                    \
        return span_out(m, m->field, data, len);                                             \
    }

LINE_GETTER(get_method, APP_DIR_TOSERVER, true, method)
LINE_GETTER(get_uri, APP_DIR_TOSERVER, true, uri)
LINE_GETTER(get_request_line, APP_DIR_TOSERVER, true, line)
LINE_GETTER(get_stat_code, APP_DIR_TOCLIENT, false, code)
LINE_GETTER(get_stat_msg, APP_DIR_TOCLIENT, false, reason)
LINE_GETTER(get_response_line, APP_DIR_TOCLIENT, false, line)

static bool protocol_of(const AppTx *tx, uint8_t dir, const uint8_t **data, uint32_t *len)
{
    const SipMessage *m = msg_of(tx, dir);
    return m != NULL && span_out(m, m->version, data, len);
}

static bool get_protocol_ts(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    return protocol_of(tx, APP_DIR_TOSERVER, data, len);
}

static bool get_protocol_tc(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    return protocol_of(tx, APP_DIR_TOCLIENT, data, len);
}

/* The idx-th header of a kind in the message of dir (one instance per header line, so
 * "t:" and "To:" in one message are two instances of sip.to). */
static bool header_at(const AppTx *tx, uint8_t dir, uint8_t kind, uint32_t idx,
                      const uint8_t **data, uint32_t *len)
{
    const SipMessage *m = msg_of(tx, dir);
    for (uint32_t i = 0; m != NULL && i < m->n_headers; i++) {
        if (m->headers[i].kind == kind && idx-- == 0) {
            return span_out(m, m->headers[i].value, data, len);
        }
    }
    return false;
}

#define HDR_GETTERS(name, d, kind)                                                           \
    static bool name##_multi(const Flow *f, const AppTx *tx, uint32_t idx,                   \
                             const uint8_t **data, uint32_t *len)                            \
    {                                                                                        \
        (void)f;                                                                             \
        return header_at(tx, d, kind, idx, data, len);                                       \
    }                                                                                        \
    static bool name(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)    \
    {                                                                                        \
        (void)f;                                                                             \
        return header_at(tx, d, kind, 0, data, len);                                         \
    }

HDR_GETTERS(from_ts, APP_DIR_TOSERVER, SIP_HDR_FROM)
HDR_GETTERS(from_tc, APP_DIR_TOCLIENT, SIP_HDR_FROM)
HDR_GETTERS(to_ts, APP_DIR_TOSERVER, SIP_HDR_TO)
HDR_GETTERS(to_tc, APP_DIR_TOCLIENT, SIP_HDR_TO)
HDR_GETTERS(via_ts, APP_DIR_TOSERVER, SIP_HDR_VIA)
HDR_GETTERS(via_tc, APP_DIR_TOCLIENT, SIP_HDR_VIA)
HDR_GETTERS(ua_ts, APP_DIR_TOSERVER, SIP_HDR_USER_AGENT)
HDR_GETTERS(ua_tc, APP_DIR_TOCLIENT, SIP_HDR_USER_AGENT)
HDR_GETTERS(ctype_ts, APP_DIR_TOSERVER, SIP_HDR_CONTENT_TYPE)
HDR_GETTERS(ctype_tc, APP_DIR_TOCLIENT, SIP_HDR_CONTENT_TYPE)
HDR_GETTERS(clen_ts, APP_DIR_TOSERVER, SIP_HDR_CONTENT_LENGTH)
HDR_GETTERS(clen_tc, APP_DIR_TOCLIENT, SIP_HDR_CONTENT_LENGTH)

#define SIP_ROW(n, d, fn) {.name = n, .proto = APP_PROTO_SIP, .dir = d, \
                           .progress = SIP_PROG_DONE, .get = fn}
#define SIP_HDR_ROW(n, d, fn) {.name = n, .proto = APP_PROTO_SIP, .dir = d, \
                               .progress = SIP_PROG_DONE, .get = fn, .get_multi = fn##_multi}

const AppBufferDef sip_buffers[] = {
    SIP_ROW("sip.method", APP_DIR_TOSERVER, get_method),
    SIP_ROW("sip.uri", APP_DIR_TOSERVER, get_uri),
    SIP_ROW("sip.request_line", APP_DIR_TOSERVER, get_request_line),
    SIP_ROW("sip.stat_code", APP_DIR_TOCLIENT, get_stat_code),
    SIP_ROW("sip.stat_msg", APP_DIR_TOCLIENT, get_stat_msg),
    SIP_ROW("sip.response_line", APP_DIR_TOCLIENT, get_response_line),
    SIP_ROW("sip.protocol", APP_DIR_TOSERVER, get_protocol_ts),
    SIP_ROW("sip.protocol", APP_DIR_TOCLIENT, get_protocol_tc),
    SIP_HDR_ROW("sip.from", APP_DIR_TOSERVER, from_ts),
    SIP_HDR_ROW("sip.from", APP_DIR_TOCLIENT, from_tc),
    SIP_HDR_ROW("sip.to", APP_DIR_TOSERVER, to_ts),
    SIP_HDR_ROW("sip.to", APP_DIR_TOCLIENT, to_tc),
    SIP_HDR_ROW("sip.via", APP_DIR_TOSERVER, via_ts),
    SIP_HDR_ROW("sip.via", APP_DIR_TOCLIENT, via_tc),
    SIP_HDR_ROW("sip.user_agent", APP_DIR_TOSERVER, ua_ts),
    SIP_HDR_ROW("sip.user_agent", APP_DIR_TOCLIENT, ua_tc),
    SIP_HDR_ROW("sip.content_type", APP_DIR_TOSERVER, ctype_ts),
    SIP_HDR_ROW("sip.content_type", APP_DIR_TOCLIENT, ctype_tc),
    SIP_HDR_ROW("sip.content_length", APP_DIR_TOSERVER, clen_ts),
    SIP_HDR_ROW("sip.content_length", APP_DIR_TOCLIENT, clen_tc),
};
#define SIP_N_BUFFERS (sizeof(sip_buffers) / sizeof(sip_buffers[0]))

/* ---- EVE ---- */

static void log_span(JsonBuf *jb, const char *key, const SipMessage *m, SipSpan s)
{
    json_printable(jb, key, m->head + s.off, s.len);
}

static void sip_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const SipMessage *m = &((const SipTx *)tx)->msg;
    json_open_object(jb, "sip");
    if (m->is_request) {
        log_span(jb, "method", m, m->method);
        log_span(jb, "uri", m, m->uri);
        log_span(jb, "version", m, m->version);
        log_span(jb, "request_line", m, m->line);
    } else {
        log_span(jb, "version", m, m->version);
        log_span(jb, "code", m, m->code);
        log_span(jb, "reason", m, m->reason);
        log_span(jb, "response_line", m, m->line);
    }
    json_close_object(jb);
}

const AppParserDesc app_parser_sip = {
    .name = "sip",
    .proto = APP_PROTO_SIP,
    .ipproto = 0,                // UDP and TCP
    .first_dir = APP_DIR_TOSERVER,
    .any_first_dir = true,       // either side may send the first request
    .default_ports = "5060,5061",
    .patterns = sip_patterns,
    .n_patterns = sizeof(sip_patterns) / sizeof(sip_patterns[0]),
    .state_new = sip_state_new,
    .state_free = sip_state_free,
    .parse = sip_parse,
    .gap = sip_gap,
    .eof = sip_eof,
    .tx_free = sip_tx_free,
    .complete = {SIP_PROG_DONE, SIP_PROG_DONE},
    .events = sip_event_names,
    .n_events = SIP_EV_N,
    .buffers = sip_buffers,
    .n_buffers = SIP_N_BUFFERS,
    .log_json = sip_log_json,
    .probe_ip = sip_probe_ip,
    .split_counters = true,      // app_layer.flow.sip_udp / sip_tcp
    .eve_generic = true,
    .frame_types = sip_frame_types,
    .n_frame_types = sizeof(sip_frame_types) / sizeof(sip_frame_types[0]),
};
