/* EtherNet/IP: the parser row, framing and transactions.
 *
 * TCP: each message is the 24-byte header and `length` bytes; a direction's message in
 * progress is buffered (at most 24 + 65535 bytes, charged to the enip memcap). UDP: a
 * datagram is one message. A request opens a tx; a reply completes the oldest tx still
 * waiting for one (a reply without a request, e.g. to a broadcast ListIdentity, is a tx
 * of its own). At most ENIP_MAX_PENDING txs wait for replies: beyond that the oldest is
 * given up (complete without reply, event too_many_transactions). After a gap the
 * direction waits for data that looks like a header (a known command). */
#include "app-layer/enip/app-layer-enip.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "flow/flow-types.h"
#include "util/util-byte.h"
#include "util/util-error.h"

#define ENIP_MAX_PENDING 64
#define ENIP_ITEM_CONNECTED 0x00b1
#define ENIP_ITEM_UNCONNECTED 0x00b2
#define ENIP_CIP_MULTI_SERVICE 0x0a

typedef struct EnipDir {
    uint8_t *buf;                // message in progress (owned; cap ENIP_HDR_LEN + length)
    uint32_t len;
    uint32_t cap;
    uint8_t hdr[ENIP_HDR_LEN];
    uint32_t hdr_len;
    bool is_resync;              // after a gap or junk: waiting for a plausible header
    uint64_t msg_off;            // stream offset of the message in progress (frames)
    uint64_t pdu_frame;          // its pdu frame id (0: none)
} EnipDir;

typedef struct EnipState {
    AppFlow *af;
    bool is_tcp;
    EnipDir dir[2];
    EnipTx *pending[ENIP_MAX_PENDING];   // requests waiting for replies, oldest first
    uint32_t n_pending;
} EnipState;

const char *const enip_event_names[ENIP_EV_N] = {
    "too_many_transactions",
    "invalid_pdu",
};

const EnipTx *enip_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_ENIP ? (const EnipTx *)tx : NULL;
}

static bool plausible_header(const uint8_t *h)
{
    return enip_command_name(util_le16(h)) != NULL;
}

/* ---- state ---- */

static void *enip_state_new(AppFlow *af)
{
    EnipState *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return NULL;
    }
    st->af = af;
    st->is_tcp = af->f == NULL || af->f->key.proto == 6;
    return st;
}

static void buf_free(EnipState *st, EnipDir *d)
{
    if (d->cap != 0) {
        app_mem_release(st->af, d->cap);
    }
    free(d->buf);
    d->buf = NULL;
    d->len = d->cap = 0;
}

static void enip_state_free(void *state)
{
    EnipState *st = state;
    if (st == NULL) {
        return;
    }
    buf_free(st, &st->dir[0]);
    buf_free(st, &st->dir[1]);
    free(st);
}

static void enip_tx_free(void *state, AppTx *tx)
{
    EnipState *st = state;
    if (st == NULL) {
        return;
    }
    for (uint32_t i = 0; i < st->n_pending; i++) {
        if (&st->pending[i]->tx == tx) {
            memmove(&st->pending[i], &st->pending[i + 1],
                    (st->n_pending - i - 1) * sizeof(st->pending[0]));
            st->n_pending--;
            break;
        }
    }
}

/* ---- transactions ---- */

static void pending_pop(EnipState *st)
{
    EnipTx *t = st->pending[0];
    memmove(&st->pending[0], &st->pending[1], (st->n_pending - 1) * sizeof(st->pending[0]));
    st->n_pending--;
    t->tx.progress[APP_DIR_TOCLIENT] = ENIP_PROG_DONE;
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
}

/* The tx a message of dir goes to; NULL on memcap / max-tx. */
static EnipTx *tx_for(EnipState *st, uint8_t dir)
{
    if (dir == APP_DIR_TOCLIENT && st->n_pending > 0) {
        EnipTx *t = st->pending[0];
        memmove(&st->pending[0], &st->pending[1], (st->n_pending - 1) * sizeof(st->pending[0]));
        st->n_pending--;
        return t;
    }
    EnipTx *t = (EnipTx *)app_tx_new(st->af, sizeof(EnipTx));
    if (t == NULL) {
        return NULL;
    }
    if (dir == APP_DIR_TOCLIENT || !st->is_tcp) {
        /* a reply alone, or UDP where replies may never come (broadcasts) */
        t->tx.progress[APP_DIR_TOSERVER] = ENIP_PROG_DONE;
        t->tx.progress[APP_DIR_TOCLIENT] = ENIP_PROG_DONE;
        return t;
    }
    if (st->n_pending == ENIP_MAX_PENDING) {
        app_tx_event(st->af, &st->pending[0]->tx, ENIP_EV_TOO_MANY_TRANSACTIONS);
        pending_pop(st);
    }
    st->pending[st->n_pending++] = t;
    return t;
}

/* ---- frames: pdu, hdr, data; CPF items (enip.item) and CIP messages (cip), those
 * inside a Multiple Service Packet too ---- */

enum { ENIP_FRAME_PDU = 0, ENIP_FRAME_HDR, ENIP_FRAME_DATA, ENIP_FRAME_CIP, ENIP_FRAME_ITEM };
static const char *const enip_frame_types[] = { "pdu", "hdr", "data", "cip", "enip.item" };

static void frame(EnipState *st, uint8_t dir, uint64_t off, uint32_t len, uint16_t type,
                  uint64_t tx_id)
{
    uint64_t id = app_frame_new(st->af, dir, off, len, type);
    app_frame_set_tx(st->af, dir, id, tx_id);
}

/* The services of a Multiple Service Packet whose count field is at p (n bytes, at
 * stream offset off). */
static void frames_multi(EnipState *st, uint8_t dir, const uint8_t *p, uint32_t n,
                         uint64_t off, uint64_t tx_id)
{
    if (n < 2) {
        return;
    }
    uint16_t count = util_le16(p);
    if (2u + 2u * count > n) {
        return;
    }
    for (uint16_t i = 0; i < count && i < ENIP_CIP_MAX; i++) {
        uint32_t start = util_le16(p + 2 + 2 * i);
        uint32_t end = i + 1u < count ? util_le16(p + 4 + 2 * i) : n;
        if (start < 2u + 2u * count || end > n || start >= end) {
            return;
        }
        frame(st, dir, off + start, end - start, ENIP_FRAME_CIP, tx_id);
    }
}

static void frames_cip(EnipState *st, uint8_t dir, const uint8_t *p, uint32_t n, uint64_t off,
                       uint64_t tx_id)
{
    if (n < 2) {
        return;
    }
    frame(st, dir, off, n, ENIP_FRAME_CIP, tx_id);
    if ((p[0] & 0x7f) != ENIP_CIP_MULTI_SERVICE) {
        return;
    }
    uint32_t at;
    if (!(p[0] & 0x80)) {
        at = 2u + 2u * p[1];                   // service, path size (words), path
    } else if (n >= 4) {
        at = 4u + 2u * p[3];                   // service, 0, status, extended status
    } else {
        return;
    }
    if (at < n) {
        frames_multi(st, dir, p + at, n - at, off + at, tx_id);
    }
}

static void frames_cpf(EnipState *st, uint8_t dir, const uint8_t *p, uint32_t n, uint64_t off,
                       uint64_t tx_id)
{
    if (n < 2) {
        return;
    }
    uint16_t count = util_le16(p);
    uint32_t at = 2;
    for (uint16_t i = 0; i < count && n - at >= 4; i++) {
        uint16_t type = util_le16(p + at);
        uint32_t ilen = util_le16(p + at + 2);
        if (ilen > n - at - 4) {
            return;
        }
        frame(st, dir, off + at, 4 + ilen, ENIP_FRAME_ITEM, tx_id);
        const uint8_t *d = p + at + 4;
        if (type == ENIP_ITEM_UNCONNECTED) {
            frames_cip(st, dir, d, ilen, off + at + 4, tx_id);
        } else if (type == ENIP_ITEM_CONNECTED && ilen >= 2) {
            frames_cip(st, dir, d + 2, ilen - 2, off + at + 6, tx_id);
        }
        at += 4 + ilen;
    }
}

static void frames_message(EnipState *st, uint8_t dir, const uint8_t *p, uint32_t len,
                           uint64_t off, uint64_t pdu_frame, uint64_t tx_id)
{
    if (pdu_frame != 0) {
        app_frame_set_tx(st->af, dir, pdu_frame, tx_id);
    } else {
        frame(st, dir, off, len, ENIP_FRAME_PDU, tx_id);
    }
    frame(st, dir, off, ENIP_HDR_LEN < len ? ENIP_HDR_LEN : len, ENIP_FRAME_HDR, tx_id);
    if (len <= ENIP_HDR_LEN) {
        return;
    }
    frame(st, dir, off + ENIP_HDR_LEN, len - ENIP_HDR_LEN, ENIP_FRAME_DATA, tx_id);
    uint16_t cmd = util_le16(p);
    const uint8_t *d = p + ENIP_HDR_LEN;
    uint32_t n = len - ENIP_HDR_LEN;
    if ((cmd == ENIP_CMD_SEND_RR_DATA || cmd == ENIP_CMD_SEND_UNIT_DATA) && n > 6) {
        frames_cpf(st, dir, d + 6, n - 6, off + ENIP_HDR_LEN + 6, tx_id);
    } else if (cmd == ENIP_CMD_LIST_IDENTITY || cmd == ENIP_CMD_LIST_SERVICES ||
               cmd == ENIP_CMD_LIST_INTERFACES) {
        frames_cpf(st, dir, d, n, off + ENIP_HDR_LEN, tx_id);
    }
}

/* One whole message of dir, at stream offset off (its pdu frame, when marked already). */
static void message(EnipState *st, uint8_t dir, const uint8_t *p, uint32_t len, uint64_t off,
                    uint64_t pdu_frame)
{
    EnipTx *t = tx_for(st, dir);
    if (t == NULL) {
        return;
    }
    frames_message(st, dir, p, len, off, pdu_frame, t->tx.id);
    bool cip_bad = false;
    EnipMsg *m = &t->msg[dir];
    if (!enip_msg_parse(p, len, m, &cip_bad) || enip_command_name(m->command) == NULL ||
        cip_bad) {
        app_tx_event(st->af, &t->tx, ENIP_EV_INVALID_PDU);
    }
    t->tx.progress[dir] = ENIP_PROG_DONE;
    app_tx_touch(&t->tx, dir);
}

/* ---- framing ---- */

static uint32_t tcp_header(EnipState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    EnipDir *d = &st->dir[dir];
    uint32_t n = ENIP_HDR_LEN - d->hdr_len < len ? ENIP_HDR_LEN - d->hdr_len : len;
    memcpy(d->hdr + d->hdr_len, data, n);
    d->hdr_len += n;
    if (d->hdr_len < ENIP_HDR_LEN) {
        return n;
    }
    if (d->is_resync && !plausible_header(d->hdr)) {
        memmove(d->hdr, d->hdr + 1, ENIP_HDR_LEN - 1);   // slide one byte
        d->hdr_len--;
        return n;
    }
    d->is_resync = false;
    uint32_t need = ENIP_HDR_LEN + util_le16(d->hdr + 2);
    /* the pdu frame now, so its bytes are kept while the message arrives */
    d->pdu_frame = app_frame_new(st->af, dir, d->msg_off, need, ENIP_FRAME_PDU);
    if (d->cap < need) {
        if (!app_mem_charge(st->af, need - d->cap)) {
            d->hdr_len = 0;
            d->is_resync = true;
            return n;
        }
        uint8_t *nb = realloc(d->buf, need);
        if (nb == NULL) {
            app_mem_release(st->af, need - d->cap);
            d->hdr_len = 0;
            d->is_resync = true;
            return n;
        }
        d->buf = nb;
        d->cap = need;
    }
    memcpy(d->buf, d->hdr, ENIP_HDR_LEN);
    d->len = ENIP_HDR_LEN;
    return n;
}

static void parse_stream(EnipState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    EnipDir *d = &st->dir[dir];
    uint64_t off = app_frame_chunk_offset(st->af, dir);
    const uint8_t *data0 = data;
    while (len > 0) {
        uint32_t used;
        if (d->hdr_len < ENIP_HDR_LEN) {
            /* the header's bytes so far end here (a resync slides them) */
            d->msg_off = off + (uint64_t)(data - data0) - d->hdr_len;
            used = tcp_header(st, dir, data, len);
        } else {
            uint32_t need = ENIP_HDR_LEN + (uint32_t)util_le16(d->hdr + 2);
            used = need - d->len < len ? need - d->len : len;
            memcpy(d->buf + d->len, data, used);
            d->len += used;
        }
        data += used;
        len -= used;
        if (d->hdr_len == ENIP_HDR_LEN && d->len == ENIP_HDR_LEN + (uint32_t)util_le16(d->hdr + 2)) {
            message(st, dir, d->buf, d->len, d->msg_off, d->pdu_frame);
            d->pdu_frame = 0;
            d->hdr_len = 0;
            d->len = 0;
            if (d->cap > 4096) {
                buf_free(st, d);   // keep memory near a header for idle flows
            }
        }
    }
}

static int enip_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    *consumed = len;
    EnipState *st = state;
    if (st->is_tcp) {
        parse_stream(st, dir, data, len);
    } else if (len > 0) {
        message(st, dir, data, len, app_frame_chunk_offset(af, dir), 0);
    }
    return APP_PARSE_OK;
}

static int enip_gap_len(AppFlow *af, void *state, uint8_t dir, uint32_t len)
{
    (void)af;
    (void)len;
    EnipState *st = state;
    st->dir[dir].hdr_len = 0;
    st->dir[dir].len = 0;
    st->dir[dir].is_resync = true;
    return APP_PARSE_OK;
}

static void enip_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    EnipState *st = state;
    buf_free(st, &st->dir[dir]);
}

/* ---- detection ---- */

/* On the detection ports (44818): a known command, and a length that fits the
 * transport: UDP exactly the datagram,
 * TCP at least plausible; options zero (the specification reserves them). */
static int enip_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                         uint8_t dir)
{
    (void)dir;
    if (!port_hint) {
        return APP_PROBE_NO;     // only on the detection ports, as Suricata
    }
    if (len < ENIP_HDR_LEN) {
        return len >= 2 && enip_command_name(util_le16(data)) == NULL ? APP_PROBE_NO
                                                                     : APP_PROBE_MORE;
    }
    if (!plausible_header(data) || util_le32(data + 20) != 0) {
        return APP_PROBE_NO;
    }
    uint32_t mlen = util_le16(data + 2);
    if (ipproto == 17 && ENIP_HDR_LEN + mlen != len) {
        return APP_PROBE_NO;
    }
    return APP_PROBE_YES;
}

static int enip_probe(const uint8_t *data, uint32_t len, uint8_t dir)
{
    return enip_probe_ip(6, true, data, len, dir);
}

/* ---- buffers ---- */

static bool get_product_name(const Flow *f, const AppTx *tx, const uint8_t **data,
                             uint32_t *len)
{
    (void)f;
    const EnipTx *t = enip_tx(tx);
    if (t == NULL || !t->msg[APP_DIR_TOCLIENT].has_identity) {
        return false;
    }
    *data = t->msg[APP_DIR_TOCLIENT].identity.product_name;
    *len = t->msg[APP_DIR_TOCLIENT].identity.product_name_len;
    return true;
}

static const AppBufferDef enip_buffers[] = {
    {.name = "enip.product_name", .proto = APP_PROTO_ENIP, .dir = APP_DIR_TOCLIENT,
     .progress = ENIP_PROG_DONE, .get = get_product_name},
};

const AppParserDesc app_parser_enip = {
    .name = "enip",
    .proto = APP_PROTO_ENIP,
    .ipproto = 0,                // TCP and UDP
    .split_counters = true,      // app_layer.flow/tx.<name>_tcp and _udp, as Suricata
    .first_dir = APP_DIR_TOSERVER,
    .any_first_dir = true,       // replies to broadcasts come without a request
    .default_ports = "44818",
    .probe = enip_probe,
    .probe_ip = enip_probe_ip,
    .state_new = enip_state_new,
    .state_free = enip_state_free,
    .parse = enip_parse,
    .gap_len = enip_gap_len,
    .eof = enip_eof,
    .tx_free = enip_tx_free,
    .complete = {ENIP_PROG_DONE, ENIP_PROG_DONE},
    .events = enip_event_names,
    .n_events = ENIP_EV_N,
    .buffers = enip_buffers,
    .n_buffers = sizeof(enip_buffers) / sizeof(enip_buffers[0]),
    .log_json = enip_log_json,
    .eve_generic = true,         // records by output-eve-generic.c
    .frame_types = enip_frame_types,
    .n_frame_types = sizeof(enip_frame_types) / sizeof(enip_frame_types[0]),
};
