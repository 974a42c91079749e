/* WebSocket: the parser row, frame framing per direction (RFC 6455 section 5.2), the
 * transactions (one per frame), the fragmented-message reassembly, buffers and EVE.
 *
 * The parser is never found by detection: the HTTP parser announces it (a 101 answer to
 * "Upgrade: websocket", app_flow_expect) and the framework starts it on the tunnel.
 * Memory: a frame keeps at most max-payload-size bytes of its payload (the rest is
 * skipped unread: skip_end_of_payload); a fragmented message is reassembled up to the
 * same size (reassembly_limit_reached past it); both charged to the websocket memcap.
 * Time is linear whatever the announced lengths (up to 2^63). */
#include "app-layer/websocket/app-layer-websocket.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

const char *const ws_event_names[WS_EV_N] = {
    "skip_end_of_payload",
    "reassembly_limit_reached",
};

static uint32_t g_max_payload = WS_MAX_PAYLOAD_DEFAULT;   // start-up only

typedef struct WsDir {
    uint8_t hdr[14];
    uint8_t hdr_len;
    WsTx *cur;                   // frame whose payload is being read
    uint64_t left;               // payload bytes of cur still to come
    uint64_t pos;                // payload bytes of cur read so far (mask index)
    uint8_t *frag;               // fragmented message so far (unmasked)
    uint32_t frag_len;
    uint32_t frag_cap;
    bool in_frag;                // a data frame without FIN was seen
    bool frag_over;              // reassembly limit reached for this message
} WsDir;

typedef struct WsState {
    AppFlow *af;
    WsDir dir[2];
} WsState;

static const char *const op_names[16] = {
    [WS_OP_CONTINUATION] = "continuation", [WS_OP_TEXT] = "text", [WS_OP_BINARY] = "binary",
    [WS_OP_CLOSE] = "close", [WS_OP_PING] = "ping", [WS_OP_PONG] = "pong",
};

const char *ws_opcode_name(uint8_t op)
{
    return op < 16 ? op_names[op] : NULL;
}

int ws_frame_header(const uint8_t *data, uint32_t len, uint32_t *hdr_len, uint8_t *b0,
                    bool *masked, uint64_t *payload_len, uint32_t *mask)
{
    if (len < 2) {
        return 0;
    }
    uint32_t need = 2;
    uint8_t l7 = data[1] & 0x7f;
    need += l7 == 126 ? 2 : l7 == 127 ? 8 : 0;
    need += (data[1] & 0x80) ? 4 : 0;
    if (len < need) {
        return 0;
    }
    uint64_t pl = l7;
    uint32_t o = 2;
    if (l7 == 126) {
        pl = (uint64_t)data[2] << 8 | data[3];
        o = 4;
    } else if (l7 == 127) {
        pl = 0;
        for (int i = 0; i < 8; i++) {
            pl = pl << 8 | data[2 + i];
        }
        pl &= ~(1ull << 63);     // the most significant bit must be 0 (section 5.2)
        o = 10;
    }
    *masked = (data[1] & 0x80) != 0;
    *mask = *masked ? (uint32_t)data[o] << 24 | (uint32_t)data[o + 1] << 16 |
                          (uint32_t)data[o + 2] << 8 | data[o + 3]
                    : 0;
    *b0 = data[0];
    *payload_len = pl;
    *hdr_len = need;
    return 1;
}

const WsTx *ws_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_WEBSOCKET ? (const WsTx *)tx : NULL;
}

static void *ws_state_new(AppFlow *af)
{
    WsState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void frag_free(WsState *st, WsDir *d)
{
    if (d->frag_cap != 0) {
        app_mem_release(st->af, d->frag_cap);
    }
    free(d->frag);
    d->frag = NULL;
    d->frag_len = d->frag_cap = 0;
    d->in_frag = d->frag_over = false;
}

static void ws_state_free(void *state)
{
    WsState *st = state;
    if (st == NULL) {
        return;
    }
    frag_free(st, &st->dir[0]);
    frag_free(st, &st->dir[1]);
    free(st);
}

static void ws_tx_free(void *state, AppTx *tx)
{
    WsState *st = state;
    WsTx *t = (WsTx *)tx;
    if (st != NULL && t->mem_bytes != 0) {
        app_mem_release(st->af, t->mem_bytes);
    }
    free(t->payload);
    t->payload = NULL;
    for (int d = 0; st != NULL && d < 2; d++) {
        if (st->dir[d].cur == t) {
            st->dir[d].cur = NULL;
        }
    }
}

/* ---- frames ---- */

static void frame_done(WsState *st, WsDir *d, WsTx *t)
{
    bool is_data = t->opcode == WS_OP_TEXT || t->opcode == WS_OP_BINARY ||
                   t->opcode == WS_OP_CONTINUATION;
    bool fin = (t->flags & WS_F_FIN) != 0;
    if (is_data && (!fin || d->in_frag) && t->payload_kept > 0 && !d->frag_over) {
        /* part of a fragmented message: gathered, handed to the final frame's tx */
        uint32_t room = g_max_payload - d->frag_len;
        uint32_t n = t->payload_kept < room ? t->payload_kept : room;
        if (n < t->payload_kept) {
            app_tx_event(st->af, &t->tx, WS_EV_REASSEMBLY_LIMIT_REACHED);
            d->frag_over = true;
        }
        if (n > 0 && app_mem_grow(st->af, &d->frag, &d->frag_cap, d->frag_len + n)) {
            memcpy(d->frag + d->frag_len, t->payload, n);
            d->frag_len += n;
        }
    }
    if (is_data && !fin) {
        d->in_frag = true;
    } else if (is_data && fin && d->in_frag) {
        /* the final fragment: its tx carries the whole message */
        if (d->frag_len > t->cap && app_mem_charge(st->af, d->frag_len - t->cap)) {
            uint8_t *p = realloc(t->payload, d->frag_len);
            if (p != NULL) {
                t->mem_bytes += d->frag_len - t->cap;
                t->payload = p;
                t->cap = d->frag_len;
            } else {
                app_mem_release(st->af, d->frag_len - t->cap);
            }
        }
        uint32_t n = d->frag_len <= t->cap ? d->frag_len : t->payload_kept;
        memcpy(t->payload, d->frag, n);
        t->payload_kept = n;
        frag_free(st, d);
    }
    t->tx.progress[0] = t->tx.progress[1] = 1;
    app_tx_touch(&t->tx, t->dir);
    d->cur = NULL;
}

/* A whole header in d->hdr (hl bytes): the frame's tx. */
static int frame_start(WsState *st, uint8_t dir, uint32_t hl)
{
    WsDir *d = &st->dir[dir];
    uint8_t b0 = 0;
    bool masked = false;
    uint64_t pl = 0;
    uint32_t mask = 0;
    uint32_t used = 0;
    (void)ws_frame_header(d->hdr, hl, &used, &b0, &masked, &pl, &mask);
    uint32_t keep = pl < g_max_payload ? (uint32_t)pl : g_max_payload;
    if (!app_mem_charge(st->af, keep)) {
        return APP_PARSE_ERROR;
    }
    WsTx *t = (WsTx *)app_tx_new(st->af, sizeof(WsTx));
    uint8_t *p = keep > 0 ? malloc(keep) : NULL;
    if (t == NULL || (keep > 0 && p == NULL)) {
        app_mem_release(st->af, keep);
        free(p);
        return APP_PARSE_ERROR;
    }
    t->dir = dir;
    t->flags = b0 & 0xf0;
    t->opcode = b0 & 0x0f;
    t->is_masked = masked;
    t->mask = mask;
    t->payload_len = pl;
    t->payload = p;
    t->cap = keep;
    t->mem_bytes = keep;
    if (pl > keep) {
        app_tx_event(st->af, &t->tx, WS_EV_SKIP_END_OF_PAYLOAD);
    }
    app_tx_touch(&t->tx, dir);
    d->cur = t;
    d->left = pl;
    d->pos = 0;
    if (pl == 0) {
        frame_done(st, d, t);
    }
    return APP_PARSE_OK;
}

/* Payload bytes of the current frame; returns bytes used. */
static uint32_t frame_payload(WsState *st, WsDir *d, const uint8_t *data, uint32_t len)
{
    uint32_t n = d->left < len ? (uint32_t)d->left : len;
    WsTx *t = d->cur;
    if (t != NULL) {
        for (uint32_t i = 0; i < n && d->pos + i < t->cap; i++) {
            uint64_t k = d->pos + i;
            uint8_t m = t->is_masked ? (uint8_t)(t->mask >> (8 * (3 - (k & 3)))) : 0;
            t->payload[k] = data[i] ^ m;
        }
        uint64_t end = d->pos + n;
        t->payload_kept = (uint32_t)(end < t->cap ? end : t->cap);
    }
    d->pos += n;
    d->left -= n;
    if (d->left == 0 && t != NULL) {
        frame_done(st, d, t);
    }
    return n;
}

static int ws_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                    uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    WsState *st = state;
    WsDir *d = &st->dir[dir];
    while (len > 0) {
        uint32_t used;
        if (d->left > 0) {
            used = frame_payload(st, d, data, len);
        } else {
            used = 1;
            d->hdr[d->hdr_len++] = data[0];
            uint32_t hl = 0;
            uint8_t b0;
            bool masked;
            uint64_t pl;
            uint32_t mask;
            if (ws_frame_header(d->hdr, d->hdr_len, &hl, &b0, &masked, &pl, &mask) == 1) {
                d->hdr_len = 0;
                int rc = frame_start(st, dir, hl);
                if (rc != APP_PARSE_OK) {
                    return rc;
                }
            }
        }
        data += used;
        len -= used;
    }
    return APP_PARSE_OK;
}

static void ws_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    WsState *st = state;
    WsDir *d = &st->dir[dir];
    if (d->cur != NULL) {
        frame_done(st, d, d->cur);   // cut short: what came is its payload
    }
    frag_free(st, d);
}

static int ws_config(const struct Conf *conf)
{
    g_max_payload = WS_MAX_PAYLOAD_DEFAULT;
    if (conf == NULL) {
        return 0;
    }
    bool bad = false;
    uint64_t v = conf_size_or(conf, "app-layer.protocols.websocket.max-payload-size",
                              WS_MAX_PAYLOAD_DEFAULT, &bad);
    if (bad || v > UINT32_MAX / 2) {
        VG_ERROR("app-layer.protocols.websocket.max-payload-size: expected a size up to 2 GiB");
        return VG_EINVAL;
    }
    g_max_payload = (uint32_t)v;
    return 0;
}

/* ---- buffers ---- */

static bool payload_of(const AppTx *tx, uint8_t dir, const uint8_t **data, uint32_t *len)
{
    const WsTx *t = ws_tx(tx);
    if (t == NULL || t->dir != dir || (t->tx.progress[dir] == 0)) {
        return false;
    }
    *data = t->payload != NULL ? t->payload : (const uint8_t *)"";
    *len = t->payload_kept;
    return true;
}

static bool get_payload_ts(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    return payload_of(tx, APP_DIR_TOSERVER, data, len);
}

static bool get_payload_tc(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    return payload_of(tx, APP_DIR_TOCLIENT, data, len);
}

const AppBufferDef ws_buffers[] = {
    {.name = "websocket.payload", .proto = APP_PROTO_WEBSOCKET, .dir = APP_DIR_TOSERVER,
     .progress = 1, .get = get_payload_ts},
    {.name = "websocket.payload", .proto = APP_PROTO_WEBSOCKET, .dir = APP_DIR_TOCLIENT,
     .progress = 1, .get = get_payload_tc},
};

/* ---- EVE ---- */

static void ws_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const WsTx *t = (const WsTx *)tx;
    json_open_object(jb, "websocket");
    json_bool(jb, "fin", (t->flags & WS_F_FIN) != 0);
    if (t->is_masked) {
        json_u64(jb, "mask", t->mask);
    }
    const char *name = ws_opcode_name(t->opcode);
    if (name != NULL) {
        json_str(jb, "opcode", name);
    } else {
        json_u64(jb, "opcode", t->opcode);
    }
    json_close_object(jb);
}

const AppParserDesc app_parser_websocket = {
    .name = "websocket",
    .proto = APP_PROTO_WEBSOCKET,
    .ipproto = 6,
    .first_dir = APP_DIR_TOSERVER,
    .any_first_dir = true,
    .default_ports = "",
    .config = ws_config,
    .state_new = ws_state_new,
    .state_free = ws_state_free,
    .parse = ws_parse,
    .eof = ws_eof,
    .tx_free = ws_tx_free,
    .complete = {1, 1},
    .events = ws_event_names,
    .n_events = WS_EV_N,
    .buffers = ws_buffers,
    .n_buffers = sizeof(ws_buffers) / sizeof(ws_buffers[0]),
    .log_json = ws_log_json,
    .eve_generic = true,
};
