/* Kerberos 5: the parser row, TCP record framing (RFC 4120 section 7.2.2: a 4-octet
 * big-endian length before each message; a partial record is carried, charged to the
 * krb5 memcap; one over KRB5_MSG_MAX is skipped), one tx per message, the buffers and
 * the EVE object. A reply or error using a weak etype (DES, RC4) raises weak_encryption. */
#include "app-layer/krb5/app-layer-krb5.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "util/util-byte.h"

const char *const krb5_event_names[KRB5_EV_N] = {
    "malformed_data",
    "weak_encryption",
};

typedef struct Krb5Dir {
    uint8_t *buf;
    uint32_t len;
    uint32_t cap;
    uint64_t skip;
} Krb5Dir;

typedef struct Krb5State {
    AppFlow *af;
    bool is_tcp;
    uint32_t last_request;       // msg-type of the last request seen
    Krb5Dir dir[2];
} Krb5State;

static void *krb5_state_new(AppFlow *af)
{
    Krb5State *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
        st->is_tcp = af->f != NULL && af->f->key.proto == 6;
    }
    return st;
}

static void dir_free(Krb5State *st, Krb5Dir *d)
{
    app_mem_free(st->af, &d->buf, &d->cap);
    d->len = 0;
}

static void krb5_state_free(void *state)
{
    Krb5State *st = state;
    if (st != NULL) {
        dir_free(st, &st->dir[0]);
        dir_free(st, &st->dir[1]);
        free(st);
    }
}

static void krb5_tx_free(void *state, AppTx *tx)
{
    (void)state;
    (void)tx;
}

static int on_message(Krb5State *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    Krb5Tx *t = (Krb5Tx *)app_tx_new(st->af, sizeof(Krb5Tx));
    if (t == NULL) {
        return APP_PARSE_ERROR;
    }
    t->dir = dir;
    t->tx.progress[0] = t->tx.progress[1] = KRB5_PROG_DONE;
    app_tx_touch(&t->tx, dir);
    int ev = krb5_msg_parse(data, len, &t->msg);
    t->has_msg = t->msg.msg_type != 0;
    if (ev != 0) {
        app_tx_event(st->af, &t->tx, (uint32_t)(ev - 1));
    }
    uint32_t type = t->msg.msg_type;
    if (type == 10 || type == 12 || type == 14) {
        st->last_request = type;
    } else if (type == 30) {
        t->failed_request = st->last_request;
    }
    if ((t->msg.has_enc_etype && krb5_etype_is_weak(t->msg.enc_etype)) ||
        (t->msg.has_ticket_etype && krb5_etype_is_weak(t->msg.ticket_etype))) {
        app_tx_event(st->af, &t->tx, KRB5_EV_WEAK_ENCRYPTION);
    }
    return APP_PARSE_OK;
}

static bool carry(Krb5State *st, Krb5Dir *d, const uint8_t *data, uint32_t len)
{
    uint32_t need = d->len + len;
    if (need > d->cap && !app_mem_grow(st->af, &d->buf, &d->cap, need < 1024 ? 1024 : need)) {
        return false;
    }
    memcpy(d->buf + d->len, data, len);
    d->len += len;
    return true;
}

static int parse_tcp(Krb5State *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    Krb5Dir *d = &st->dir[dir];
    while (len > 0) {
        if (d->skip > 0) {
            uint32_t n = d->skip < len ? (uint32_t)d->skip : len;
            d->skip -= n;
            data += n;
            len -= n;
            continue;
        }
        if (d->len < 4) {
            uint32_t n = 4 - d->len < len ? 4 - d->len : len;
            if (!carry(st, d, data, n)) {
                return APP_PARSE_ERROR;
            }
            data += n;
            len -= n;
            if (d->len < 4) {
                continue;
            }
        }
        uint32_t rec = util_be32(d->buf) & 0x7fffffffu;   // high bit reserved
        if (rec > KRB5_MSG_MAX) {
            d->skip = rec;
            d->len = 0;
            int rc = on_message(st, dir, NULL, 0);        // malformed_data on its tx
            if (rc != APP_PARSE_OK) {
                return rc;
            }
            continue;
        }
        uint32_t need = 4 + rec - d->len;
        uint32_t n = need < len ? need : len;
        if (!carry(st, d, data, n)) {
            return APP_PARSE_ERROR;
        }
        data += n;
        len -= n;
        if (d->len == 4 + rec) {
            int rc = on_message(st, dir, d->buf + 4, rec);
            d->len = 0;
            if (rc != APP_PARSE_OK) {
                return rc;
            }
        }
    }
    return APP_PARSE_OK;
}

static int krb5_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    Krb5State *st = state;
    if (st->is_tcp) {
        return parse_tcp(st, dir, data, len);
    }
    return len > 0 ? on_message(st, dir, data, len) : APP_PARSE_OK;
}

static void krb5_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    Krb5State *st = state;
    dir_free(st, &st->dir[dir]);
}

/* The message's first octet: [APPLICATION n] constructed with a Kerberos message type
 * (after the record length on TCP). Only on the detection ports. */
static int krb5_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                         uint8_t dir)
{
    (void)dir;
    uint32_t skip = ipproto == 6 ? 4 : 0;
    if (!port_hint) {
        return APP_PROBE_NO;
    }
    if (len < skip + 2) {
        return ipproto == 6 ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    if (ipproto == 6 && (util_be32(data) & 0x7fffffffu) > KRB5_MSG_MAX) {
        return APP_PROBE_NO;
    }
    uint8_t id = data[skip];
    return (id & 0xe0) == 0x60 && krb5_msg_type_name(id & 0x1f) != NULL ? APP_PROBE_YES
                                                                        : APP_PROBE_NO;
}

const Krb5Msg *krb5_tx_msg(const AppTx *tx)
{
    const Krb5Tx *t = (const Krb5Tx *)tx;
    return tx != NULL && tx->proto == APP_PROTO_KRB5 && t->has_msg ? &t->msg : NULL;
}

/* ---- buffers: every component of the client / server principal name ---- */

static bool name_part(const AppTx *tx, uint8_t dir, bool server, uint32_t idx,
                      const uint8_t **data, uint32_t *len)
{
    const Krb5Msg *m = krb5_tx_msg(tx);
    if (m == NULL || ((const Krb5Tx *)tx)->dir != dir) {
        return false;
    }
    const Krb5Name *n = server ? &m->sname : &m->cname;
    bool has = server ? m->has_sname : m->has_cname;
    if (!has || idx >= n->n_parts) {
        return false;
    }
    *data = n->part[idx];
    *len = n->part_len[idx];
    return true;
}

#define NAME_GETTERS(fn, dir, server)                                                       \
    static bool fn##_multi(const Flow *f, const AppTx *tx, uint32_t idx,                   \
                           const uint8_t **data, uint32_t *len)                             \
    {                                                                                       \
        (void)f;                                                                            \
        return name_part(tx, dir, server, idx, data, len);                                  \
    }                                                                                       \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)     \
    {                                                                                       \
        return fn##_multi(f, tx, 0, data, len);                                             \
    }

NAME_GETTERS(ts_cname, APP_DIR_TOSERVER, false)
NAME_GETTERS(tc_cname, APP_DIR_TOCLIENT, false)
NAME_GETTERS(ts_sname, APP_DIR_TOSERVER, true)
NAME_GETTERS(tc_sname, APP_DIR_TOCLIENT, true)

#define KRB5_ROW(n, d, fn) {.name = n, .proto = APP_PROTO_KRB5, .dir = d, \
                            .progress = KRB5_PROG_DONE, .get = fn, .get_multi = fn##_multi}

static const AppBufferDef krb5_buffers[] = {
    KRB5_ROW("krb5_cname", APP_DIR_TOSERVER, ts_cname),
    KRB5_ROW("krb5_cname", APP_DIR_TOCLIENT, tc_cname),
    KRB5_ROW("krb5.cname", APP_DIR_TOSERVER, ts_cname),
    KRB5_ROW("krb5.cname", APP_DIR_TOCLIENT, tc_cname),
    KRB5_ROW("krb5_sname", APP_DIR_TOSERVER, ts_sname),
    KRB5_ROW("krb5_sname", APP_DIR_TOCLIENT, tc_sname),
    KRB5_ROW("krb5.sname", APP_DIR_TOSERVER, ts_sname),
    KRB5_ROW("krb5.sname", APP_DIR_TOCLIENT, tc_sname),
};

/* ---- EVE ---- */

static void log_name(JsonBuf *jb, const char *key, const Krb5Name *n)
{
    uint8_t buf[KRB5_NAME_PARTS_MAX * (KRB5_NAME_PART_MAX + 1)];
    uint32_t o = 0;
    for (uint32_t i = 0; i < n->n_parts; i++) {
        if (i > 0) {
            buf[o++] = '/';
        }
        memcpy(buf + o, n->part[i], n->part_len[i]);
        o += n->part_len[i];
    }
    json_printable(jb, key, buf, o);
}

static void log_etype(JsonBuf *jb, const char *key, int32_t e)
{
    const char *name = krb5_etype_name(e);
    if (name != NULL) {
        json_str(jb, key, name);
    } else {
        json_i64(jb, key, e);
    }
}

static void krb5_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const Krb5Tx *t = (const Krb5Tx *)tx;
    const Krb5Msg *m = krb5_tx_msg(tx);
    json_open_object(jb, "krb5");
    if (m != NULL) {
        json_str(jb, "msg_type", krb5_msg_type_name(m->msg_type));
        if (t->failed_request != 0) {
            json_str(jb, "failed_request", krb5_msg_type_name(t->failed_request));
        }
        if (m->has_error) {
            json_i64(jb, "error_code", m->error_code);
        }
        if (m->has_cname) {
            log_name(jb, "cname", &m->cname);
        }
        json_printable(jb, "realm", m->realm, m->realm_len);
        if (m->has_sname) {
            log_name(jb, "sname", &m->sname);
        }
        if (m->n_etypes > 0) {
            json_open_array(jb, "etypes");
            for (uint32_t i = 0; i < m->n_etypes; i++) {
                log_etype(jb, NULL, m->etypes[i]);
            }
            json_close_array(jb);
        }
        if (m->has_enc_etype) {
            log_etype(jb, "encryption", m->enc_etype);
            json_bool(jb, "weak_encryption", krb5_etype_is_weak(m->enc_etype));
        }
        if (m->has_ticket_etype) {
            log_etype(jb, "ticket_encryption", m->ticket_etype);
            json_bool(jb, "ticket_weak_encryption", krb5_etype_is_weak(m->ticket_etype));
        }
    }
    json_close_object(jb);
}

const AppParserDesc app_parser_krb5 = {
    .name = "krb5",
    .proto = APP_PROTO_KRB5,
    .ipproto = 0,                // UDP and TCP
    .split_counters = true,      // app_layer.flow/tx.<name>_tcp and _udp, as Suricata
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "88",
    .state_new = krb5_state_new,
    .state_free = krb5_state_free,
    .parse = krb5_parse,
    .eof = krb5_eof,
    .tx_free = krb5_tx_free,
    .complete = {KRB5_PROG_DONE, KRB5_PROG_DONE},
    .events = krb5_event_names,
    .n_events = KRB5_EV_N,
    .buffers = krb5_buffers,
    .n_buffers = sizeof(krb5_buffers) / sizeof(krb5_buffers[0]),
    .log_json = krb5_log_json,
    .probe_ip = krb5_probe_ip,
    .eve_generic = true,
};
