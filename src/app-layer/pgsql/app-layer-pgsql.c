/* PostgreSQL: the parser row, framing of both directions, transactions and buffers.
 *
 * Framing: in the startup phase a frontend message is Int32 length (itself included) and
 * Int32 code (protocol 3.0, or the SSLRequest / GSSENCRequest / CancelRequest codes);
 * afterwards every message is Byte1 type, Int32 length, body. The answer to SSLRequest
 * and GSSENCRequest is one byte ('S' yes, 'N' no; 'E': an error message follows). A
 * partial message is carried per direction (charged to the pgsql memcap); one over
 * PGSQL_MSG_MAX raises invalid_length and is skipped by its length.
 *
 * Transactions: SSLRequest, StartupMessage, CancelRequest, each password / SASL message,
 * each simple query, Terminate, and each run of extended-protocol messages up to Sync
 * start one. Backend messages go to the oldest tx still waiting: ReadyForQuery completes
 * it, so does an authentication request other than "ok" (the client answers with a new
 * request), SASL continue, the SSL answer, and a fatal error. Terminate and
 * CancelRequest expect no answer. 'S' to SSLRequest hands the connection to TLS. */
#include "app-layer/pgsql/app-layer-pgsql.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/tls/app-layer-tls.h"
#include "util/util-byte.h"

const char *const pgsql_event_names[PGSQL_EV_N] = {
    "invalid_length",
    "malformed_request",
    "malformed_response",
};

#define CODE_SSL 80877103u       // 1234 << 16 | 5679
#define CODE_GSSENC 80877104u    // 1234 << 16 | 5680
#define CODE_CANCEL 80877102u    // 1234 << 16 | 5678

typedef struct PgsqlDir {
    uint8_t *buf;
    uint32_t len;
    uint32_t cap;
    uint64_t skip;
} PgsqlDir;

typedef struct PgsqlState {
    AppFlow *af;
    PgsqlDir dir[2];
    bool startup_phase;          // frontend messages have no type byte
    bool want_ssl_answer;        // the next backend byte answers SSLRequest / GSSENC
    uint32_t last_auth;          // last authentication request code (SASL context)
    PgsqlTx *ext_tx;             // open run of extended-protocol messages
} PgsqlState;

static void *pgsql_state_new(AppFlow *af)
{
    PgsqlState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
        st->startup_phase = true;
        st->last_auth = UINT32_MAX;
    }
    return st;
}

static void dir_free(PgsqlState *st, PgsqlDir *d)
{
    app_mem_free(st->af, &d->buf, &d->cap);
    d->len = 0;
}

static void pgsql_state_free(void *state)
{
    PgsqlState *st = state;
    if (st != NULL) {
        dir_free(st, &st->dir[0]);
        dir_free(st, &st->dir[1]);
        free(st);
    }
}

static void str_free(PgsqlStr *s)
{
    free(s->p);
    *s = (PgsqlStr){0};
}

static void pgsql_tx_free(void *state, AppTx *tx)
{
    PgsqlState *st = state;
    PgsqlTx *t = (PgsqlTx *)tx;
    str_free(&t->req_text);
    str_free(&t->sasl_mech);
    str_free(&t->sasl_final);
    str_free(&t->params);
    str_free(&t->error);
    str_free(&t->command_completed);
    if (st != NULL) {
        if (t->mem_bytes != 0) {
            app_mem_release(st->af, t->mem_bytes);
        }
        if (st->ext_tx == t) {
            st->ext_tx = NULL;
        }
    }
}

/* Replaces (append false) or extends s with data (bounded), charging the memcap. */
static void str_set(PgsqlState *st, PgsqlTx *t, PgsqlStr *s, const uint8_t *data, uint32_t len,
                    bool append)
{
    if (!append) {
        str_free(s);
    }
    uint32_t room = PGSQL_FIELD_MAX - s->len;
    uint32_t n = len < room ? len : room;
    if (n == 0 || !app_mem_charge(st->af, n)) {
        return;
    }
    uint8_t *p = realloc(s->p, s->len + n);
    if (p == NULL) {
        app_mem_release(st->af, n);
        return;
    }
    memcpy(p + s->len, data, n);
    s->p = p;
    s->len += n;
    t->mem_bytes += n;
}

/* Length of a NUL-ended string at data[0, len) (len when there is no NUL). */
static uint32_t cstr_len(const uint8_t *data, uint32_t len)
{
    const uint8_t *z = memchr(data, 0, len);
    return z != NULL ? (uint32_t)(z - data) : len;
}

static PgsqlTx *tx_new(PgsqlState *st, uint8_t kind)
{
    PgsqlTx *t = (PgsqlTx *)app_tx_new(st->af, sizeof(PgsqlTx));
    if (t != NULL) {
        t->req_kind = kind;
        t->tx.progress[APP_DIR_TOSERVER] = PGSQL_PROG_DONE;
        app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    }
    return t;
}

static void tx_done_tc(PgsqlTx *t)
{
    t->tx.progress[APP_DIR_TOCLIENT] = PGSQL_PROG_DONE;
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
}

/* The oldest tx still waiting for backend messages. */
static PgsqlTx *waiting_tx(PgsqlState *st)
{
    uint32_t n = app_layer_tx_count(st->af->f);
    for (uint32_t i = 0; i < n; i++) {
        AppTx *tx = app_layer_tx_at(st->af->f, i);
        if (tx != NULL && tx->proto == APP_PROTO_PGSQL &&
            tx->progress[APP_DIR_TOCLIENT] != PGSQL_PROG_DONE) {
            return (PgsqlTx *)tx;
        }
    }
    return NULL;
}

static int event_tx(PgsqlState *st, uint8_t dir, uint32_t ev)
{
    PgsqlTx *t = tx_new(st, PGSQL_REQ_NONE);
    if (t == NULL) {
        return APP_PARSE_ERROR;
    }
    tx_done_tc(t);
    app_tx_touch(&t->tx, dir);
    app_tx_event(st->af, &t->tx, ev);
    return APP_PARSE_OK;
}

/* ---- frontend ---- */

static int on_startup(PgsqlState *st, const uint8_t *body, uint32_t len)
{
    if (len < 4) {
        return event_tx(st, APP_DIR_TOSERVER, PGSQL_EV_MALFORMED_REQUEST);
    }
    uint32_t code = util_be32(body);
    PgsqlTx *t;
    switch (code) {
    case CODE_SSL:
    case CODE_GSSENC:
        if ((t = tx_new(st, code == CODE_SSL ? PGSQL_REQ_SSL : PGSQL_REQ_GSSENC)) == NULL) {
            return APP_PARSE_ERROR;
        }
        st->want_ssl_answer = true;
        return APP_PARSE_OK;
    case CODE_CANCEL:
        if (len < 12 || (t = tx_new(st, PGSQL_REQ_CANCEL)) == NULL) {
            return len < 12 ? event_tx(st, APP_DIR_TOSERVER, PGSQL_EV_MALFORMED_REQUEST)
                            : APP_PARSE_ERROR;
        }
        t->cancel_pid = util_be32(body + 4);
        t->cancel_key = util_be32(body + 8);
        tx_done_tc(t);           // the server closes the connection without an answer
        return APP_PARSE_OK;
    default:
        break;
    }
    if ((code >> 16) != 3) {     // only protocol 3.x
        return event_tx(st, APP_DIR_TOSERVER, PGSQL_EV_MALFORMED_REQUEST);
    }
    if ((t = tx_new(st, PGSQL_REQ_STARTUP)) == NULL) {
        return APP_PARSE_ERROR;
    }
    t->proto_major = (uint16_t)(code >> 16);
    t->proto_minor = (uint16_t)code;
    str_set(st, t, &t->req_text, body + 4, len - 4, false);
    st->startup_phase = false;
    return APP_PARSE_OK;
}

/* 'p': what it carries depends on the authentication request before it. */
static int on_password(PgsqlState *st, const uint8_t *body, uint32_t len)
{
    uint8_t kind = st->last_auth == 10   ? PGSQL_REQ_SASL_INITIAL
                   : st->last_auth == 11 ? PGSQL_REQ_SASL_RESPONSE
                                         : PGSQL_REQ_PASSWORD;
    PgsqlTx *t = tx_new(st, kind);
    if (t == NULL) {
        return APP_PARSE_ERROR;
    }
    if (kind == PGSQL_REQ_SASL_INITIAL) {
        uint32_t m = cstr_len(body, len);
        str_set(st, t, &t->sasl_mech, body, m, false);
        if (m + 5 <= len) {      // NUL, Int32 length (-1: none), data
            str_set(st, t, &t->req_text, body + m + 5, len - m - 5, false);
        }
    } else if (kind == PGSQL_REQ_SASL_RESPONSE) {
        str_set(st, t, &t->req_text, body, len, false);
    } else {
        str_set(st, t, &t->req_text, body, cstr_len(body, len), false);
    }
    return APP_PARSE_OK;
}

static bool is_extended(uint8_t type)
{
    return type == 'P' || type == 'B' || type == 'E' || type == 'D' || type == 'C' ||
           type == 'H' || type == 'S' || type == 'F';
}

static int on_frontend(PgsqlState *st, uint8_t type, const uint8_t *body, uint32_t len)
{
    PgsqlTx *t;
    switch (type) {
    case 'p':
        return on_password(st, body, len);
    case 'Q':
        if ((t = tx_new(st, PGSQL_REQ_QUERY)) == NULL) {
            return APP_PARSE_ERROR;
        }
        str_set(st, t, &t->req_text, body, cstr_len(body, len), false);
        return APP_PARSE_OK;
    case 'X':
        if ((t = tx_new(st, PGSQL_REQ_TERMINATE)) == NULL) {
            return APP_PARSE_ERROR;
        }
        tx_done_tc(t);
        return APP_PARSE_OK;
    case 'd':
    case 'c':
    case 'f':
        return APP_PARSE_OK;     // COPY data belongs to the query running
    default:
        break;
    }
    if (!is_extended(type)) {
        return event_tx(st, APP_DIR_TOSERVER, PGSQL_EV_MALFORMED_REQUEST);
    }
    if (st->ext_tx == NULL) {
        if ((st->ext_tx = tx_new(st, PGSQL_REQ_OTHER)) == NULL) {
            return APP_PARSE_ERROR;
        }
        st->ext_tx->req_type = type;
    }
    if (type == 'P' && len > 0) {  // Parse: statement name, query
        uint32_t n = cstr_len(body, len);
        if (n < len) {
            str_set(st, st->ext_tx, &st->ext_tx->req_text, body + n + 1,
                    cstr_len(body + n + 1, len - n - 1), false);
        }
    }
    if (type == 'S') {
        st->ext_tx = NULL;       // Sync: the backend answers the run with ReadyForQuery
    }
    return APP_PARSE_OK;
}

/* ---- backend ---- */

static const char *auth_name(uint32_t code)
{
    switch (code) {
    case 0: return "authentication_ok";
    case 2: return "authentication_kerberos_v5";
    case 3: return "authentication_cleartext_password";
    case 5: return "authentication_md5_password";
    case 6: return "authentication_scm_credential";
    case 7: return "authentication_gss";
    case 8: return "authentication_gss_continue";
    case 9: return "authentication_sspi";
    case 10: return "authentication_sasl";
    case 11: return "authentication_sasl_continue";
    case 12: return "authentication_sasl_final";
    default: return NULL;
    }
}

static int on_auth(PgsqlState *st, PgsqlTx *t, const uint8_t *body, uint32_t len)
{
    if (len < 4 || auth_name(util_be32(body)) == NULL) {
        app_tx_event(st->af, &t->tx, PGSQL_EV_MALFORMED_RESPONSE);
        return APP_PARSE_OK;
    }
    uint32_t code = util_be32(body);
    st->last_auth = code;
    if (code == 5 && len >= 8) {
        t->has_md5_salt = true;
        memcpy(t->md5_salt, body + 4, 4);
    } else if (code == 12) {
        str_set(st, t, &t->sasl_final, body + 4, len - 4, false);
    } else {
        t->auth_msg = auth_name(code);
    }
    if (code != 0 && code != 12) {
        tx_done_tc(t);           // the client answers with a new request
    }
    return APP_PARSE_OK;
}

/* DataRow: Int16 column count, then per column Int32 length (-1: NULL) and the value.
 * Returns the bytes of the values (Suricata's data_size). */
static uint64_t row_size(const uint8_t *body, uint32_t len)
{
    if (len < 2) {
        return 0;
    }
    uint32_t n = util_be16(body);
    uint32_t off = 2;
    uint64_t size = 0;
    for (uint32_t i = 0; i < n && len - off >= 4; i++) {
        uint32_t l = util_be32(body + off);
        off += 4;
        if (l == UINT32_MAX) {
            continue;            // NULL
        }
        if (l > len - off) {
            break;
        }
        size += l;
        off += l;
    }
    return size;
}

static int on_backend(PgsqlState *st, uint8_t type, const uint8_t *body, uint32_t len)
{
    PgsqlTx *t = waiting_tx(st);
    if (t == NULL && (t = tx_new(st, PGSQL_REQ_NONE)) == NULL) {
        return APP_PARSE_ERROR;  // midstream: backend messages without their request
    }
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
    switch (type) {
    case 'R':
        return on_auth(st, t, body, len);
    case 'S': {
        uint32_t n = cstr_len(body, len);
        if (n < len) {
            uint32_t v = cstr_len(body + n + 1, len - n - 1);
            str_set(st, t, &t->params, body, n + 1 + v, true);
            static const uint8_t nul = 0;
            str_set(st, t, &t->params, &nul, 1, true);
        }
        return APP_PARSE_OK;
    }
    case 'K':
        if (len >= 8) {
            t->has_key_data = true;
            t->process_id = util_be32(body);
            t->secret_key = util_be32(body + 4);
        }
        return APP_PARSE_OK;
    case 'T':
        t->has_rows = true;
        t->field_count = len >= 2 ? util_be16(body) : 0;
        return APP_PARSE_OK;
    case 'D':
        t->data_rows++;
        t->data_size += row_size(body, len);
        return APP_PARSE_OK;
    case 'C':
        str_set(st, t, &t->command_completed, body, cstr_len(body, len), false);
        return APP_PARSE_OK;
    case 'E':
    case 'N':
        str_set(st, t, &t->error, body, len, false);
        if (type == 'E' && st->startup_phase) {
            tx_done_tc(t);
        }
        return APP_PARSE_OK;
    case 'Z':
        tx_done_tc(t);
        return APP_PARSE_OK;
    default:
        return APP_PARSE_OK;     // other backend messages are not logged
    }
}

/* ---- framing ---- */

/* Bytes of the header giving the length of the next message of dir, and that length. */
static uint32_t hdr_len(const PgsqlState *st, uint8_t dir)
{
    if (dir == APP_DIR_TOSERVER) {
        return st->startup_phase ? 4 : 5;
    }
    return st->want_ssl_answer ? 1 : 5;
}

/* One whole message of dir. Returns APP_PARSE_TUNNEL when TLS takes over. */
static int on_message(PgsqlState *st, uint8_t dir, const uint8_t *m, uint32_t len)
{
    if (dir == APP_DIR_TOSERVER) {
        if (st->startup_phase) {
            return on_startup(st, m + 4, len - 4);
        }
        return on_frontend(st, m[0], m + 5, len - 5);
    }
    if (st->want_ssl_answer) {
        st->want_ssl_answer = false;
        PgsqlTx *t = waiting_tx(st);
        if (t == NULL || (t->req_kind != PGSQL_REQ_SSL && t->req_kind != PGSQL_REQ_GSSENC)) {
            return APP_PARSE_OK;
        }
        t->has_ssl_answer = true;
        t->ssl_accepted = m[0] == 'S';
        tx_done_tc(t);
        return t->ssl_accepted && t->req_kind == PGSQL_REQ_SSL ? APP_PARSE_TUNNEL
                                                               : APP_PARSE_OK;
    }
    return on_backend(st, m[0], m + 5, len - 5);
}

/* Total length of the message whose header is at p (hlen bytes there); 0 when bad. */
static uint64_t msg_len(const uint8_t *p, uint32_t hlen)
{
    if (hlen == 1) {
        return 1;
    }
    uint32_t l = util_be32(p + hlen - 4);
    return l < 4 ? 0 : (uint64_t)l + (hlen - 4);
}

static bool carry(PgsqlState *st, PgsqlDir *d, const uint8_t *data, uint32_t len)
{
    uint32_t need = d->len + len;
    if (need > d->cap && !app_mem_grow(st->af, &d->buf, &d->cap, need < 1024 ? 1024 : need)) {
        return false;
    }
    memcpy(d->buf + d->len, data, len);
    d->len += len;
    return true;
}

static int pgsql_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                       uint32_t *consumed)
{
    (void)af;
    PgsqlState *st = state;
    PgsqlDir *d = &st->dir[dir];
    uint32_t total_in = len;
    while (len > 0) {
        if (d->skip > 0) {
            uint32_t n = d->skip < len ? (uint32_t)d->skip : len;
            d->skip -= n;
            data += n;
            len -= n;
            continue;
        }
        uint32_t hlen = hdr_len(st, dir);
        if (d->len < hlen) {     // gather the header
            uint32_t n = hlen - d->len < len ? hlen - d->len : len;
            if (!carry(st, d, data, n)) {
                return APP_PARSE_ERROR;
            }
            data += n;
            len -= n;
            if (d->len < hlen) {
                break;
            }
        }
        uint64_t total = msg_len(d->buf, hlen);
        if (total < hlen || total > PGSQL_MSG_MAX) {
            int rc = event_tx(st, dir, total < hlen ? PGSQL_EV_MALFORMED_REQUEST + dir
                                                    : PGSQL_EV_INVALID_LENGTH);
            d->skip = total > hlen ? total - hlen : 0;
            d->len = 0;
            if (rc != APP_PARSE_OK || total < hlen) {
                dir_free(st, d);
                return total < hlen ? APP_PARSE_ERROR : rc;   // framing is lost
            }
            continue;
        }
        uint32_t n = (uint32_t)(total - d->len) < len ? (uint32_t)(total - d->len) : len;
        if (!carry(st, d, data, n)) {
            return APP_PARSE_ERROR;
        }
        data += n;
        len -= n;
        if (d->len < total) {
            break;
        }
        int rc = on_message(st, dir, d->buf, d->len);
        d->len = 0;
        if (rc == APP_PARSE_TUNNEL) {
            dir_free(st, d);
            return tls_starttls_handover(af, total_in - len, consumed);
        }
        if (rc != APP_PARSE_OK) {
            return rc;
        }
    }
    if (d->len == 0 && d->cap > 65536) {
        dir_free(st, d);         // keep no large buffer between messages
    }
    return APP_PARSE_OK;
}

static void pgsql_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    PgsqlState *st = state;
    dir_free(st, &st->dir[dir]);
}

/* Frontend: a startup-phase message (3.x StartupMessage, SSLRequest, GSSENCRequest,
 * CancelRequest; on the detection ports any 8-octet one). Backend: nothing (the server
 * never speaks first). */
static int pgsql_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                          uint8_t dir)
{
    if (ipproto != 6 || dir != APP_DIR_TOSERVER) {
        return APP_PROBE_NO;
    }
    if (len < 8) {
        return port_hint ? APP_PROBE_MORE : APP_PROBE_NO;   // elsewhere: no waiting on us
    }
    uint32_t l = util_be32(data);
    uint32_t code = util_be32(data + 4);
    if ((l == 8 && (code == CODE_SSL || code == CODE_GSSENC)) || (l == 16 && code == CODE_CANCEL)) {
        return APP_PROBE_YES;
    }
    if (code == 0x00030000 && l >= 8 && l < 10000) {
        return APP_PROBE_YES;
    }
    return port_hint && l == 8 ? APP_PROBE_YES : APP_PROBE_NO;
}

/* ---- buffers ---- */

static bool get_query(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const PgsqlTx *t = (const PgsqlTx *)tx;
    if (tx->proto != APP_PROTO_PGSQL || t->req_kind != PGSQL_REQ_QUERY || t->req_text.p == NULL) {
        return false;
    }
    *data = t->req_text.p;
    *len = t->req_text.len;
    return true;
}

static const AppBufferDef pgsql_buffers[] = {
    {.name = "pgsql.query", .proto = APP_PROTO_PGSQL, .dir = APP_DIR_TOSERVER,
     .progress = PGSQL_PROG_DONE, .get = get_query},
};

const AppParserDesc app_parser_pgsql = {
    .name = "pgsql",
    .proto = APP_PROTO_PGSQL,
    .ipproto = 6,
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "5432",
    .state_new = pgsql_state_new,
    .state_free = pgsql_state_free,
    .parse = pgsql_parse,
    .eof = pgsql_eof,
    .tx_free = pgsql_tx_free,
    .complete = {PGSQL_PROG_DONE, PGSQL_PROG_DONE},
    .events = pgsql_event_names,
    .n_events = PGSQL_EV_N,
    .buffers = pgsql_buffers,
    .n_buffers = sizeof(pgsql_buffers) / sizeof(pgsql_buffers[0]),
    .log_json = pgsql_log_json,
    .probe_ip = pgsql_probe_ip,
    .eve_generic = true,
};
