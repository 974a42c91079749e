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

typedef struct EnipDir {
    uint8_t *buf;                // message in progress (owned; cap ENIP_HDR_LEN + length)
    uint32_t len;
    uint32_t cap;
    uint8_t hdr[ENIP_HDR_LEN];
    uint32_t hdr_len;
    bool is_resync;              // after a gap or junk: waiting for a plausible header
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

/* One whole message of dir. */
static void message(EnipState *st, uint8_t dir, const uint8_t *p, uint32_t len)
{
    EnipTx *t = tx_for(st, dir);
    if (t == NULL) {
        return;
    }
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
    while (len > 0) {
        uint32_t used;
        if (d->hdr_len < ENIP_HDR_LEN) {
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
            message(st, dir, d->buf, d->len);
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
    (void)af;
    *consumed = len;
    EnipState *st = state;
    if (st->is_tcp) {
        parse_stream(st, dir, data, len);
    } else if (len > 0) {
        message(st, dir, data, len);
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
};
