/* LDAP: the parser row, framing (TCP: messages may span segments, several may share one;
 * UDP: a datagram holds whole messages), transactions, buffers and the EVE object.
 *
 * Framing reads the BER header of each LDAPMessage for its length (ber_frame_len); a
 * partial message is carried per direction (at most LDAP_MSG_MAX, charged to the ldap
 * memcap). A message longer than that, or one that does not decode, raises
 * invalid_data; the longer one is skipped by its length, a broken header stops the
 * direction (framing is lost). A response finds its request by message ID among the
 * txs still waiting for their final response; an unsolicited notification (ID 0) or a
 * response without request gets a tx of its own (the latter with request_not_found). */
#include "app-layer/ldap/app-layer-ldap.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "util/util-ber.h"

const char *const ldap_event_names[LDAP_EV_N] = {
    "invalid_data",
    "request_not_found",
    "too_many_responses",
};

typedef struct LdapDir {
    uint8_t *buf;                // partial message
    uint32_t len;
    uint32_t cap;
    uint64_t skip;               // bytes of an oversized message still to skip
    bool stopped;                // framing lost
} LdapDir;

typedef struct LdapState {
    AppFlow *af;
    bool is_tcp;
    LdapDir dir[2];
} LdapState;

static void *ldap_state_new(AppFlow *af)
{
    LdapState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
        st->is_tcp = af->f != NULL && af->f->key.proto == 6;
    }
    return st;
}

static void dir_free(LdapState *st, LdapDir *d)
{
    app_mem_free(st->af, &d->buf, &d->cap);
    d->len = 0;
}

static void ldap_state_free(void *state)
{
    LdapState *st = state;
    if (st != NULL) {
        dir_free(st, &st->dir[0]);
        dir_free(st, &st->dir[1]);
        free(st);
    }
}

static void ldap_tx_free(void *state, AppTx *tx)
{
    LdapState *st = state;
    LdapTx *t = (LdapTx *)tx;
    free(t->req.raw);
    for (uint32_t i = 0; i < t->n_resp; i++) {
        free(t->resp[i].raw);
    }
    free(t->resp);
    if (st != NULL && t->mem_bytes != 0) {
        app_mem_release(st->af, t->mem_bytes);
    }
}

static bool msg_copy(LdapState *st, LdapTx *t, LdapMsg *m, const uint8_t *data, uint32_t len)
{
    if (!app_mem_charge(st->af, len)) {
        return false;
    }
    m->raw = malloc(len > 0 ? len : 1);
    if (m->raw == NULL) {
        app_mem_release(st->af, len);
        return false;
    }
    memcpy(m->raw, data, len);
    m->len = len;
    t->mem_bytes += len;
    return true;
}

/* Responses after which no other comes for the request. */
static bool is_final(uint8_t op)
{
    return op != LDAP_OP_SEARCH_RESULT_ENTRY && op != LDAP_OP_SEARCH_RESULT_REFERENCE &&
           op != LDAP_OP_INTERMEDIATE_RESPONSE;
}

static bool is_request(uint8_t op)
{
    switch (op) {
    case LDAP_OP_BIND_REQUEST:
    case LDAP_OP_UNBIND_REQUEST:
    case LDAP_OP_SEARCH_REQUEST:
    case LDAP_OP_MODIFY_REQUEST:
    case LDAP_OP_ADD_REQUEST:
    case LDAP_OP_DEL_REQUEST:
    case LDAP_OP_MOD_DN_REQUEST:
    case LDAP_OP_COMPARE_REQUEST:
    case LDAP_OP_ABANDON_REQUEST:
    case LDAP_OP_EXTENDED_REQUEST:
        return true;
    default:
        return false;
    }
}

static LdapTx *tx_new(LdapState *st, uint32_t id)
{
    LdapTx *t = (LdapTx *)app_tx_new(st->af, sizeof(LdapTx));
    if (t != NULL) {
        t->message_id = id;
    }
    return t;
}

static int on_request(LdapState *st, const uint8_t *data, uint32_t len, uint32_t id, uint8_t op)
{
    LdapTx *t = tx_new(st, id);
    if (t == NULL) {
        return APP_PARSE_ERROR;
    }
    t->req.message_id = id;
    t->req.op = op;
    t->has_request = msg_copy(st, t, &t->req, data, len);
    t->tx.progress[APP_DIR_TOSERVER] = LDAP_PROG_DONE;
    if (op == LDAP_OP_UNBIND_REQUEST || op == LDAP_OP_ABANDON_REQUEST) {
        t->tx.progress[APP_DIR_TOCLIENT] = LDAP_PROG_DONE;   // no response (4.3, 4.11)
    }
    app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    return APP_PARSE_OK;
}

/* The tx of request id still waiting for its final response (newest first). */
static LdapTx *find_open(LdapState *st, uint32_t id)
{
    for (uint32_t i = app_layer_tx_count(st->af->f); i > 0; i--) {
        AppTx *tx = app_layer_tx_at(st->af->f, i - 1);
        LdapTx *t = (LdapTx *)tx;
        if (tx != NULL && tx->proto == APP_PROTO_LDAP && t->has_request && t->message_id == id &&
            tx->progress[APP_DIR_TOCLIENT] != LDAP_PROG_DONE) {
            return t;
        }
    }
    return NULL;
}

static void add_response(LdapState *st, LdapTx *t, const uint8_t *data, uint32_t len,
                         uint32_t id, uint8_t op)
{
    uint64_t kept = t->mem_bytes;
    if (t->n_resp >= LDAP_RESP_MAX || kept + len > LDAP_TX_BYTES_MAX) {
        if (t->n_resp_dropped++ == 0) {
            app_tx_event(st->af, &t->tx, LDAP_EV_TOO_MANY_RESPONSES);
        }
        return;
    }
    if (t->n_resp == t->cap_resp) {
        uint32_t cap = t->cap_resp ? t->cap_resp * 2 : 4;
        size_t grow = (size_t)(cap - t->cap_resp) * sizeof(LdapMsg);
        if (!app_mem_charge(st->af, grow)) {
            t->n_resp_dropped++;
            return;
        }
        LdapMsg *n = realloc(t->resp, cap * sizeof(LdapMsg));
        if (n == NULL) {
            app_mem_release(st->af, grow);
            t->n_resp_dropped++;
            return;
        }
        t->resp = n;
        t->cap_resp = cap;
        t->mem_bytes += grow;
    }
    LdapMsg *m = &t->resp[t->n_resp];
    *m = (LdapMsg){.message_id = id, .op = op};
    if (msg_copy(st, t, m, data, len)) {
        t->n_resp++;
    } else {
        t->n_resp_dropped++;
    }
}

static int on_response(LdapState *st, const uint8_t *data, uint32_t len, uint32_t id,
                       uint8_t op)
{
    LdapTx *t = id != 0 ? find_open(st, id) : NULL;
    if (t == NULL) {
        t = tx_new(st, id);
        if (t == NULL) {
            return APP_PARSE_ERROR;
        }
        t->tx.progress[APP_DIR_TOSERVER] = LDAP_PROG_DONE;
        app_tx_touch(&t->tx, APP_DIR_TOSERVER);
        if (id != 0) {           // ID 0: unsolicited notification (RFC 4511 4.4)
            app_tx_event(st->af, &t->tx, LDAP_EV_REQUEST_NOT_FOUND);
        }
    }
    add_response(st, t, data, len, id, op);
    if (is_final(op)) {
        t->tx.progress[APP_DIR_TOCLIENT] = LDAP_PROG_DONE;
    }
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
    return APP_PARSE_OK;
}

/* One whole message of dir. */
static int on_message(LdapState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    uint32_t id;
    uint8_t op;
    if (ldap_msg_peek(data, len, &id, &op) != 0 || is_request(op) != (dir == APP_DIR_TOSERVER)) {
        LdapTx *t = tx_new(st, 0);
        if (t == NULL) {
            return APP_PARSE_ERROR;
        }
        t->tx.progress[0] = t->tx.progress[1] = LDAP_PROG_DONE;
        app_tx_touch(&t->tx, dir);
        app_tx_event(st->af, &t->tx, LDAP_EV_INVALID_DATA);
        return APP_PARSE_OK;
    }
    return dir == APP_DIR_TOSERVER ? on_request(st, data, len, id, op)
                                   : on_response(st, data, len, id, op);
}

/* Length of the message starting at data: 1 known (*total), 0 more data needed,
 * -1 broken header. */
static int frame(const uint8_t *data, uint32_t len, uint64_t *total)
{
    if (len > 0 && data[0] != 0x30) {
        return -1;
    }
    int rc = ber_frame_len(data, len, total);
    return rc == BER_OK ? 1 : rc == BER_ETRUNC ? 0 : -1;
}

static bool carry(LdapState *st, LdapDir *d, const uint8_t *data, uint32_t len)
{
    uint32_t need = d->len + len;
    if (need > d->cap) {
        uint32_t cap = need < 4096 ? 4096 : need;
        if (!app_mem_grow(st->af, &d->buf, &d->cap, cap)) {
            return false;
        }
    }
    memcpy(d->buf + d->len, data, len);
    d->len += len;
    return true;
}

/* A tx of its own carrying invalid_data (the data fits no request). */
static int invalid_tx(LdapState *st, uint8_t dir)
{
    LdapTx *t = tx_new(st, 0);
    if (t == NULL) {
        return APP_PARSE_ERROR;
    }
    t->tx.progress[0] = t->tx.progress[1] = LDAP_PROG_DONE;
    app_tx_touch(&t->tx, dir);
    app_tx_event(st->af, &t->tx, LDAP_EV_INVALID_DATA);
    return APP_PARSE_OK;
}

/* A header that is no LDAPMessage: framing is lost for the direction. */
static int stop_dir(LdapState *st, uint8_t dir)
{
    st->dir[dir].stopped = true;
    dir_free(st, &st->dir[dir]);
    return invalid_tx(st, dir);
}

/* A message over LDAP_MSG_MAX: skipped by its length (have: bytes of it consumed). */
static int oversized(LdapState *st, uint8_t dir, uint64_t total, uint64_t have)
{
    LdapDir *d = &st->dir[dir];
    dir_free(st, d);
    d->skip = total - have;
    return invalid_tx(st, dir);
}

/* Completes the carried message of d with data; returns the bytes used, or -1 when
 * the direction stopped or an error is to be returned (*rc). */
static int64_t feed_carry(LdapState *st, uint8_t dir, const uint8_t *data, uint32_t len,
                          int *rc)
{
    LdapDir *d = &st->dir[dir];
    uint64_t total = 0;
    int fr = frame(d->buf, d->len, &total);
    *rc = APP_PARSE_OK;
    if (fr < 0) {
        *rc = stop_dir(st, dir);
        return -1;
    }
    if (fr == 0) {               // header incomplete: one byte at a time (at most 6)
        if (!carry(st, d, data, 1)) {
            *rc = APP_PARSE_ERROR;
            return -1;
        }
        return 1;
    }
    if (total > LDAP_MSG_MAX) {
        *rc = oversized(st, dir, total, d->len);
        return *rc == APP_PARSE_OK ? 0 : -1;
    }
    uint64_t need = total - d->len;
    uint32_t take = need < len ? (uint32_t)need : len;
    if (!carry(st, d, data, take)) {
        *rc = APP_PARSE_ERROR;
        return -1;
    }
    if (d->len == total) {
        *rc = on_message(st, dir, d->buf, d->len);
        d->len = 0;
        if (*rc != APP_PARSE_OK) {
            return -1;
        }
    }
    return take;
}

/* Messages from data (the carried partial message first). */
static int parse_stream(LdapState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    LdapDir *d = &st->dir[dir];
    while (len > 0 && !d->stopped) {
        if (d->skip > 0) {
            uint32_t n = d->skip < len ? (uint32_t)d->skip : len;
            d->skip -= n;
            data += n;
            len -= n;
            continue;
        }
        if (d->len > 0) {
            int rc;
            int64_t used = feed_carry(st, dir, data, len, &rc);
            if (used < 0) {
                return rc;
            }
            data += used;
            len -= (uint32_t)used;
            continue;
        }
        uint64_t total = 0;
        int fr = frame(data, len, &total);
        if (fr < 0) {
            return stop_dir(st, dir);
        }
        if (fr == 1 && total > LDAP_MSG_MAX) {
            int rc = oversized(st, dir, total, 0);
            if (rc != APP_PARSE_OK) {
                return rc;
            }
            continue;
        }
        if (fr == 0 || total > len) {
            return carry(st, d, data, len) ? APP_PARSE_OK : APP_PARSE_ERROR;
        }
        int rc = on_message(st, dir, data, (uint32_t)total);
        if (rc != APP_PARSE_OK) {
            return rc;
        }
        data += total;
        len -= (uint32_t)total;
    }
    return APP_PARSE_OK;
}

static int ldap_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    LdapState *st = state;
    int rc = parse_stream(st, dir, data, len);
    if (!st->is_tcp) {           // a datagram holds whole messages: nothing carries over
        dir_free(st, &st->dir[dir]);
        st->dir[dir].skip = 0;
        st->dir[dir].stopped = false;
    }
    return rc;
}

static void ldap_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    LdapState *st = state;
    dir_free(st, &st->dir[dir]);
}

/* A message envelope with a known operation (the first message of a direction). */
static int ldap_probe(const uint8_t *data, uint32_t len, uint8_t dir)
{
    (void)dir;
    uint64_t total = 0;
    int fr = frame(data, len, &total);
    if (fr < 0 || total > LDAP_MSG_MAX) {
        return APP_PROBE_NO;
    }
    if (fr == 0 || total > len) {
        return len < 4096 ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    uint32_t id;
    uint8_t op;
    return ldap_msg_peek(data, (uint32_t)total, &id, &op) == 0 ? APP_PROBE_YES : APP_PROBE_NO;
}

static int ldap_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                         uint8_t dir)
{
    if (!port_hint) {
        return APP_PROBE_NO;     // a BER SEQUENCE is too common a start elsewhere
    }
    int r = ldap_probe(data, len, dir);
    return r == APP_PROBE_MORE && ipproto == 17 ? APP_PROBE_NO : r;   // datagrams are whole
}

const LdapTx *ldap_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_LDAP ? (const LdapTx *)tx : NULL;
}

/* ---- buffers ---- */

static bool req_dn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const LdapTx *t = ldap_tx(tx);
    return t != NULL && t->has_request && ldap_msg_dn(t->req.raw, t->req.len, data, len);
}

static bool resp_dn_multi(const Flow *f, const AppTx *tx, uint32_t idx, const uint8_t **data,
                          uint32_t *len)
{
    (void)f;
    const LdapTx *t = ldap_tx(tx);
    for (uint32_t i = 0; t != NULL && i < t->n_resp; i++) {
        if (ldap_msg_dn(t->resp[i].raw, t->resp[i].len, data, len) && idx-- == 0) {
            return true;
        }
    }
    return false;
}

static bool resp_dn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    return resp_dn_multi(f, tx, 0, data, len);
}

static const AppBufferDef ldap_buffers[] = {
    {.name = "ldap.request.dn", .proto = APP_PROTO_LDAP, .dir = APP_DIR_TOSERVER,
     .progress = LDAP_PROG_DONE, .get = req_dn},
    {.name = "ldap.responses.dn", .proto = APP_PROTO_LDAP, .dir = APP_DIR_TOCLIENT,
     .progress = LDAP_PROG_NONE, .get = resp_dn, .get_multi = resp_dn_multi},
};

/* ---- EVE ---- */

static void ldap_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const LdapTx *t = ldap_tx(tx);
    json_open_object(jb, "ldap");
    if (t != NULL && t->has_request) {
        json_open_object(jb, "request");
        ldap_msg_log(jb, t->req.raw, t->req.len);
        json_close_object(jb);
    }
    if (t != NULL && t->n_resp > 0) {
        json_open_array(jb, "responses");
        for (uint32_t i = 0; i < t->n_resp; i++) {
            json_open_object(jb, NULL);
            ldap_msg_log(jb, t->resp[i].raw, t->resp[i].len);
            json_close_object(jb);
        }
        json_close_array(jb);
    }
    json_close_object(jb);
}

const AppParserDesc app_parser_ldap = {
    .name = "ldap",
    .proto = APP_PROTO_LDAP,
    .ipproto = 0,                // TCP and UDP (CLDAP)
    .split_counters = true,      // app_layer.flow/tx.<name>_tcp and _udp, as Suricata
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "389,3268",
    .state_new = ldap_state_new,
    .state_free = ldap_state_free,
    .parse = ldap_parse,
    .eof = ldap_eof,
    .tx_free = ldap_tx_free,
    .complete = {LDAP_PROG_DONE, LDAP_PROG_DONE},
    .events = ldap_event_names,
    .n_events = LDAP_EV_N,
    .buffers = ldap_buffers,
    .n_buffers = sizeof(ldap_buffers) / sizeof(ldap_buffers[0]),
    .log_json = ldap_log_json,
    .probe_ip = ldap_probe_ip,
    .eve_generic = true,
};
