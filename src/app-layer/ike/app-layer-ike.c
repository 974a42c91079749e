/* IKE: the parser row, one tx per message, the buffers and the EVE object. A datagram
 * to or from port 4500 starts with the four-octet non-ESP marker (zero) before the IKE
 * header; one with another marker is ESP in UDP and is not IKE (no tx). A message that
 * does not decode still makes a tx with its event and what was read before the fault. */
#include "app-layer/ike/app-layer-ike.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "util/util-byte.h"

const char *const ike_event_names[IKE_EV_N] = {
    "malformed_data",
    "payload_extra_data",
    "multiple_server_proposal",
};

typedef struct IkeState {
    AppFlow *af;
} IkeState;

static void *ike_state_new(AppFlow *af)
{
    IkeState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void ike_state_free(void *state)
{
    free(state);
}

static void ike_tx_free(void *state, AppTx *tx)
{
    IkeState *st = state;
    IkeTx *t = (IkeTx *)tx;
    if (st != NULL && t->mem_bytes != 0) {
        app_mem_release(st->af, t->mem_bytes);
    }
    ike_msg_deinit(&t->msg);
}

static bool natt(const AppFlow *af)
{
    return af->f != NULL && (af->f->key.sp == 4500 || af->f->key.dp == 4500);
}

static int ike_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                     uint32_t *consumed)
{
    (void)consumed;
    IkeState *st = state;
    if (natt(af) && len >= 4) {
        if (util_be32(data) != 0) {
            return APP_PARSE_OK;     // ESP in UDP (RFC 3948 section 2.2)
        }
        data += 4;
        len -= 4;
    }
    if (len == 0) {
        return APP_PARSE_OK;
    }
    IkeTx *t = (IkeTx *)app_tx_new(af, sizeof(IkeTx));
    if (t == NULL) {
        return APP_PARSE_ERROR;
    }
    t->dir = dir;
    t->tx.progress[0] = t->tx.progress[1] = IKE_PROG_DONE;
    app_tx_touch(&t->tx, dir);
    int ev = ike_msg_parse(data, len, &t->msg);
    uint32_t mem = t->msg.raw_len + (t->msg.vendor_hex != NULL ? 2 * len : 0);
    if (app_mem_charge(st->af, mem)) {
        t->mem_bytes = mem;
        t->has_msg = t->msg.raw != NULL;
    } else {
        ike_msg_deinit(&t->msg);
    }
    if (ev != 0) {
        app_tx_event(af, &t->tx, (uint32_t)(ev - 1));
    }
    if (t->has_msg && dir == APP_DIR_TOCLIENT && t->msg.maj_ver == 1 && t->msg.n_proposals > 1) {
        app_tx_event(af, &t->tx, IKE_EV_MULTIPLE_SERVER_PROPOSAL);
    }
    return APP_PARSE_OK;
}

/* A header with version 1.0 or 2.0, a known exchange type range and a length that fits
 * the datagram. Only on the detection ports. */
static int ike_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                        uint8_t dir)
{
    (void)dir;
    if (ipproto != 17 || !port_hint) {
        return APP_PROBE_NO;
    }
    if (len >= 4 && util_be32(data) == 0) {
        data += 4;               // NAT-T non-ESP marker
        len -= 4;
    }
    if (len < IKE_HDR_LEN) {
        return APP_PROBE_NO;
    }
    uint8_t ver = data[17];
    uint32_t mlen = util_be32(data + 24);
    if ((ver != 0x10 && ver != 0x20) || mlen < IKE_HDR_LEN || mlen > len) {
        return APP_PROBE_NO;
    }
    return APP_PROBE_YES;
}

const IkeTx *ike_tx(const AppTx *tx)
{
    const IkeTx *t = (const IkeTx *)tx;
    return tx != NULL && tx->proto == APP_PROTO_IKE && t->has_msg ? t : NULL;
}

/* ---- buffers ---- */

static const IkeMsg *msg_in(const AppTx *tx, uint8_t dir)
{
    const IkeTx *t = ike_tx(tx);
    return t != NULL && t->dir == dir ? &t->msg : NULL;
}

static bool set_str(const char *s, const uint8_t **data, uint32_t *len)
{
    *data = (const uint8_t *)s;
    *len = (uint32_t)strlen(s);
    return true;
}

static bool init_spi(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const IkeMsg *m = msg_in(tx, APP_DIR_TOSERVER);
    return m != NULL && set_str(m->init_spi_hex, data, len);
}

static bool resp_spi(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const IkeMsg *m = msg_in(tx, APP_DIR_TOCLIENT);
    return m != NULL && set_str(m->resp_spi_hex, data, len);
}

#define DIR_GETTERS(name, dir, field, flen)                                                 \
    static bool name(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)  \
    {                                                                                       \
        (void)f;                                                                            \
        const IkeMsg *m = msg_in(tx, dir);                                                  \
        if (m == NULL || m->field == NULL) {                                                \
            return false;                                                                   \
        }                                                                                   \
        *data = m->field;                                                                   \
        *len = m->flen;                                                                     \
        return true;                                                                        \
    }

DIR_GETTERS(ts_ke, APP_DIR_TOSERVER, ke, ke_len)
DIR_GETTERS(tc_ke, APP_DIR_TOCLIENT, ke, ke_len)
DIR_GETTERS(ts_nonce, APP_DIR_TOSERVER, nonce, nonce_len)
DIR_GETTERS(tc_nonce, APP_DIR_TOCLIENT, nonce, nonce_len)

static bool vendor_multi(const AppTx *tx, uint8_t dir, uint32_t idx, const uint8_t **data,
                         uint32_t *len)
{
    const IkeMsg *m = msg_in(tx, dir);
    if (m == NULL || idx >= m->n_vendors || m->vendor_hex == NULL) {
        return false;
    }
    *data = (const uint8_t *)m->vendor_hex + m->vendor_hex_off[idx];
    *len = 2 * m->vendor_len[idx];
    return true;
}

#define VENDOR_GETTERS(name, dir)                                                           \
    static bool name##_multi(const Flow *f, const AppTx *tx, uint32_t idx,                 \
                             const uint8_t **data, uint32_t *len)                           \
    {                                                                                       \
        (void)f;                                                                            \
        return vendor_multi(tx, dir, idx, data, len);                                       \
    }                                                                                       \
    static bool name(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)  \
    {                                                                                       \
        return name##_multi(f, tx, 0, data, len);                                           \
    }

VENDOR_GETTERS(ts_vendor, APP_DIR_TOSERVER)

#define IKE_ROW(n, d, fn) {.name = n, .proto = APP_PROTO_IKE, .dir = d, \
                           .progress = IKE_PROG_DONE, .get = fn}

static const AppBufferDef ike_buffers[] = {
    IKE_ROW("ike.init_spi", APP_DIR_TOSERVER, init_spi),
    IKE_ROW("ike.resp_spi", APP_DIR_TOCLIENT, resp_spi),
    IKE_ROW("ike.key_exchange_payload", APP_DIR_TOSERVER, ts_ke),
    IKE_ROW("ike.key_exchange_payload", APP_DIR_TOCLIENT, tc_ke),
    IKE_ROW("ike.nonce_payload", APP_DIR_TOSERVER, ts_nonce),
    IKE_ROW("ike.nonce_payload", APP_DIR_TOCLIENT, tc_nonce),
    {.name = "ike.vendor", .proto = APP_PROTO_IKE, .dir = APP_DIR_TOSERVER,
     .progress = IKE_PROG_DONE, .get = ts_vendor, .get_multi = ts_vendor_multi},
};

/* ---- EVE ---- */

static void log_attrs(JsonBuf *jb, const IkeMsg *m)
{
    if (m->n_attrs == 0) {
        return;
    }
    if (m->maj_ver == 1) {
        json_open_object(jb, "attributes");
        for (uint32_t i = 0; i < m->n_attrs; i++) {
            const char *name = ike_attr_name(m->attrs[i].type);
            if (name != NULL) {
                json_u64(jb, name, m->attrs[i].value);
            }
        }
        json_close_object(jb);
        return;
    }
    json_open_array(jb, "transforms");
    for (uint32_t i = 0; i < m->n_attrs; i++) {
        json_open_object(jb, NULL);
        json_u64(jb, "type", m->attrs[i].type);
        json_u64(jb, "id", m->attrs[i].value);
        json_close_object(jb);
    }
    json_close_array(jb);
}

static void ike_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const IkeTx *t = ike_tx(tx);
    json_open_object(jb, "ike");
    if (t != NULL) {
        const IkeMsg *m = &t->msg;
        json_u64(jb, "version_major", m->maj_ver);
        json_u64(jb, "version_minor", m->min_ver);
        json_str(jb, "init_spi", m->init_spi_hex);
        json_str(jb, "resp_spi", m->resp_spi_hex);
        json_u64(jb, "message_id", m->message_id);
        json_u64(jb, "exchange_type", m->exch_type);
        json_bool(jb, "encrypted", m->is_encrypted);
        json_open_array(jb, "payload");
        for (uint32_t i = 0; i < m->n_payloads && i < IKE_PAYLOADS_MAX; i++) {
            json_u64(jb, NULL, m->payload_types[i]);
        }
        json_close_array(jb);
        log_attrs(jb, m);
        if (m->ke != NULL) {
            json_u64(jb, "key_exchange_payload_length", m->ke_len);
        }
        if (m->nonce != NULL) {
            json_u64(jb, "nonce_payload_length", m->nonce_len);
        }
        if (m->n_vendors > 0 && m->vendor_hex != NULL) {
            json_open_array(jb, "vendor_ids");
            for (uint32_t i = 0; i < m->n_vendors; i++) {
                json_str(jb, NULL, m->vendor_hex + m->vendor_hex_off[i]);
            }
            json_close_array(jb);
        }
    }
    json_close_object(jb);
}

const AppParserDesc app_parser_ike = {
    .name = "ike",
    .proto = APP_PROTO_IKE,
    .ipproto = 17,
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "500,4500",
    .state_new = ike_state_new,
    .state_free = ike_state_free,
    .parse = ike_parse,
    .tx_free = ike_tx_free,
    .complete = {IKE_PROG_DONE, IKE_PROG_DONE},
    .events = ike_event_names,
    .n_events = IKE_EV_N,
    .buffers = ike_buffers,
    .n_buffers = sizeof(ike_buffers) / sizeof(ike_buffers[0]),
    .log_json = ike_log_json,
    .probe_ip = ike_probe_ip,
    .eve_generic = true,
};
