/* TLS/SSL: the parser row, per-flow state, the single transaction, detection and
 * configuration. The transaction is created on the flow's first data and lives until
 * the flow ends or both sides finished the handshake (progress TLS_PROG_DONE). */
#include "app-layer/tls/app-layer-tls.h"
#include "app-layer/tls/app-layer-tls-tx.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

const char *const tls_event_names[TLS_EV_N] = {
    [TLS_EV_INVALID_SSLV2_HEADER] = "invalid_sslv2_header",
    [TLS_EV_INVALID_TLS_HEADER] = "invalid_tls_header",
    [TLS_EV_INVALID_RECORD_VERSION] = "invalid_record_version",
    [TLS_EV_INVALID_RECORD_TYPE] = "invalid_record_type",
    [TLS_EV_INVALID_RECORD_LENGTH] = "invalid_record_length",
    [TLS_EV_INVALID_HANDSHAKE_MESSAGE] = "invalid_handshake_message",
    [TLS_EV_HEARTBEAT_MESSAGE] = "heartbeat_message",
    [TLS_EV_INVALID_HEARTBEAT_MESSAGE] = "invalid_heartbeat_message",
    [TLS_EV_OVERFLOW_HEARTBEAT_MESSAGE] = "overflow_heartbeat_message",
    [TLS_EV_DATALEAK_HEARTBEAT_MISMATCH] = "dataleak_heartbeat_mismatch",
    [TLS_EV_HANDSHAKE_INVALID_LENGTH] = "handshake_invalid_length",
    [TLS_EV_MULTIPLE_SNI_EXTENSIONS] = "multiple_sni_extensions",
    [TLS_EV_INVALID_SNI_TYPE] = "invalid_sni_type",
    [TLS_EV_INVALID_SNI_LENGTH] = "invalid_sni_length",
    [TLS_EV_TOO_MANY_RECORDS_IN_PACKET] = "too_many_records_in_packet",
    [TLS_EV_INVALID_CERTIFICATE] = "invalid_certificate",
    [TLS_EV_CERTIFICATE_MISSING_ELEMENT] = "certificate_missing_element",
    [TLS_EV_CERTIFICATE_UNKNOWN_ELEMENT] = "certificate_unknown_element",
    [TLS_EV_CERTIFICATE_INVALID_LENGTH] = "certificate_invalid_length",
    [TLS_EV_CERTIFICATE_INVALID_STRING] = "certificate_invalid_string",
    [TLS_EV_ERROR_MESSAGE_ENCOUNTERED] = "error_message_encountered",
    [TLS_EV_INVALID_SSL_RECORD] = "invalid_ssl_record",
};

static const char *const tls_aliases[] = {"ssl", NULL};

static void *tls_state_new(AppFlow *af)
{
    TlsState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void tls_state_free(void *state)
{
    TlsState *st = state;
    if (st == NULL) {
        return;
    }
    tls_dir_release(st, &st->dir[0]);
    tls_dir_release(st, &st->dir[1]);
    free(st);
}

static void tls_tx_free(void *state, AppTx *tx)
{
    TlsState *st = state;
    TlsTx *t = (TlsTx *)tx;
    if (st != NULL && t->mem_bytes != 0) {
        app_mem_release(st->af, t->mem_bytes);
    }
    if (st != NULL && st->tx == t) {
        st->tx = NULL;
    }
    tls_side_deinit(&t->side[0]);
    tls_side_deinit(&t->side[1]);
}

static int tls_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                     uint32_t *consumed)
{
    *consumed = len;
    TlsState *st = state;
    if (st->tx == NULL) {
        if (st->had_tx) {
            return APP_PARSE_OK;   // the handshake tx is gone: nothing more to record
        }
        st->tx = (TlsTx *)app_tx_new(af, sizeof(TlsTx));
        if (st->tx == NULL) {
            return APP_PARSE_ERROR;
        }
        st->had_tx = true;
    }
    return tls_state_parse(st, dir, data, len);
}

/* len bytes of dir missing: stay in step or resync (tls_state_gap). */
static int tls_gap_len(AppFlow *af, void *state, uint8_t dir, uint32_t len)
{
    (void)af;
    TlsState *st = state;
    if (st->tx == NULL) {
        st->dir[dir].resync = true;   // nothing parsed yet: look for a record header
        return len > 0 ? APP_PARSE_OK : APP_PARSE_ERROR;
    }
    return tls_state_gap(st, dir, len);
}

/* No more data in dir: the direction's handshake is as done as it will get. */
static void tls_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    TlsState *st = state;
    if (st->tx != NULL && st->tx->tx.progress[dir] < TLS_PROG_DONE) {
        st->tx->tx.progress[dir] = TLS_PROG_DONE;
        app_tx_touch(&st->tx->tx, dir);
    }
}

/* Records: handshake (22) either way, alert (21) from the server, and, for flows
 * picked up midstream, ChangeCipherSpec (20) and application data (23) with a plausible
 * length; all with major version 3 and minor 0-4. SSLv2: a 2-byte header with the high
 * bit set and a CLIENT-HELLO (1) or SERVER-HELLO (4). */
static int tls_probe(const uint8_t *data, uint32_t len, uint8_t dir)
{
    if (len < 3) {
        return len == 0 || (data[0] >= 0x14 && data[0] <= 0x17) || (data[0] & 0x80)
                   ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    bool is_v3 = data[1] == 3 && data[2] <= 4;
    if (is_v3 && (data[0] == 0x16 || (dir == APP_DIR_TOCLIENT && data[0] == 0x15))) {
        return APP_PROBE_YES;
    }
    if (is_v3 && (data[0] == 0x14 || data[0] == 0x17)) {
        if (len < 5) {
            return APP_PROBE_MORE;
        }
        uint32_t rlen = (uint32_t)data[3] << 8 | data[4];
        return rlen > 0 && rlen <= TLS_MAX_RECORD ? APP_PROBE_YES : APP_PROBE_NO;
    }
    if ((data[0] & 0x80) && len >= 5) {
        uint8_t type = data[2];
        if (dir == APP_DIR_TOSERVER && type == 1 &&
            ((data[3] == 0 && data[4] == 2) || (data[3] == 3 && data[4] <= 4))) {
            return APP_PROBE_YES;
        }
        if (dir == APP_DIR_TOCLIENT && type == 4) {
            return APP_PROBE_YES;
        }
    } else if ((data[0] & 0x80) && len < 5) {
        return APP_PROBE_MORE;
    }
    return APP_PROBE_NO;
}

TlsLogCfg g_tls_log_cfg = {.extended = true};

static bool opt_bool(const ConfNode *m, const char *key, bool dflt, bool *bad)
{
    const ConfNode *n = m != NULL ? conf_node_child(m, key) : NULL;
    bool b = dflt;
    if (n != NULL && n->value != NULL && !conf_parse_bool(n->value, &b)) {
        VG_ERROR("outputs: eve-log types tls.%s: '%s' is not yes or no", key, n->value);
        *bad = true;
    }
    return b;
}

/* The tls entry of the eve-log types list (outputs: - eve-log: types: - tls: {...}). */
static const ConfNode *eve_tls_node(const struct Conf *conf)
{
    const ConfNode *outs = conf ? conf_get_node(conf, NULL, "outputs") : NULL;
    for (const ConfNode *o = outs ? outs->first_child : NULL; o; o = o->next) {
        const ConfNode *eve = o->first_child;
        if (o->type != CONF_MAP || eve == NULL || strcmp(eve->name, "eve-log") != 0) {
            continue;
        }
        const ConfNode *types = conf_node_child(eve, "types");
        for (const ConfNode *t = types ? types->first_child : NULL; t; t = t->next) {
            const ConfNode *h = t->type == CONF_MAP ? t->first_child : NULL;
            if (h != NULL && strcmp(h->name, "tls") == 0) {
                return h;
            }
        }
    }
    return NULL;
}

int tls_starttls_handover(AppFlow *af, uint32_t used, uint32_t *consumed)
{
    app_flow_expect(af, APP_PROTO_TLS);
    *consumed = used;
    return APP_PARSE_TUNNEL;
}

/* Written once by tls_config at start-up, read by rule loading. */
static bool g_tls_ja3_on = true;
static bool g_tls_ja4_on = true;

bool tls_ja3_enabled(void)
{
    return g_tls_ja3_on;
}

bool tls_ja4_enabled(void)
{
    return g_tls_ja4_on;
}

static bool is_no(const char *v)
{
    return strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "off") == 0 ||
           strcmp(v, "0") == 0;
}

uint8_t g_tls_enc_mode;   // APP_ENC_*: written by tls_config at start-up

static int tls_config(const struct Conf *conf)
{
    if (app_enc_mode_config(conf, "tls", &g_tls_enc_mode) != 0) {
        return VG_EINVAL;
    }
    g_tls_ja3_on = !is_no(conf_str_or(conf, "app-layer.protocols.tls.ja3-fingerprints", "auto"));
    g_tls_ja4_on = !is_no(conf_str_or(conf, "app-layer.protocols.tls.ja4-fingerprints", "auto"));
    const char *ja4 = conf_str_or(conf, "app-layer.protocols.tls.ja4-fingerprints", "auto");
    /* auto (the default) and yes log JA4; no does not; the eve tls ja4 option decides
     * when given. */
    bool bad = false;
    g_tls_log_cfg.log_ja4 = strcmp(ja4, "no") != 0 && strcmp(ja4, "false") != 0 &&
                            strcmp(ja4, "off") != 0;
    const ConfNode *t = eve_tls_node(conf);
    g_tls_log_cfg.log_ja4 = opt_bool(t, "ja4", g_tls_log_cfg.log_ja4, &bad);
    g_tls_log_cfg.extended = opt_bool(t, "extended", true, &bad);
    g_tls_log_cfg.session_resumption = opt_bool(t, "session-resumption", false, &bad);
    g_tls_log_cfg.fields = g_tls_log_cfg.extended ? TLS_LOG_EXTENDED : TLS_LOG_BASIC;
    const ConfNode *custom = t != NULL ? conf_node_child(t, "custom") : NULL;
    if (custom != NULL) {
        g_tls_log_cfg.fields = 0;
        for (const ConfNode *c = custom->first_child; c != NULL; c = c->next) {
            uint32_t bit = c->value != NULL ? tls_log_field_by_name(c->value) : 0;
            if (bit == 0) {
                VG_ERROR("%s:%d: outputs: eve-log types tls.custom: unknown field '%s'",
                         c->file ? c->file : "--set", c->line, c->value ? c->value : "");
                bad = true;
            }
            g_tls_log_cfg.fields |= bit;
        }
    }
    return bad ? VG_EINVAL : 0;
}

/* Teardown: the certificate store's setting and every thread's certificate cache. */
static void tls_deinit(void)
{
    app_layer_tls_store_deinit();
    tls_cert_cache_deinit();
}

const AppParserDesc app_parser_tls = {
    .name = "tls",
    .aliases = tls_aliases,
    .proto = APP_PROTO_TLS,
    .ipproto = 6,
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "443,465,993,995,636,853,989,990,992,994,5061,8443",
    .probe = tls_probe,
    .config = tls_config,
    .state_new = tls_state_new,
    .state_free = tls_state_free,
    .parse = tls_parse,
    .eof = tls_eof,
    .tx_free = tls_tx_free,
    .gap_len = tls_gap_len,
    .deinit = tls_deinit,
    .complete = {TLS_PROG_DONE, TLS_PROG_DONE},
    .events = tls_event_names,
    .n_events = TLS_EV_N,
    .buffers = tls_buffers,
    .n_buffers = TLS_N_BUFFERS,
    .log_json = tls_log_json,
};

/* ---- app-layer-tls-tx.h ---- */

static const TlsTx *tls_of(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_TLS ? (const TlsTx *)tx : NULL;
}

uint16_t tls_tx_version(const AppTx *tx, uint8_t dir)
{
    const TlsTx *t = tls_of(tx);
    return t != NULL ? t->side[dir].version : 0;
}

uint8_t tls_tx_state_flags(const AppTx *tx, uint8_t dir)
{
    const TlsTx *t = tls_of(tx);
    return t != NULL ? t->cur_state[dir] : 0;
}

uint32_t tls_tx_cert_count(const AppTx *tx, uint8_t dir)
{
    const TlsTx *t = tls_of(tx);
    return t != NULL ? t->side[dir].n_certs : 0;
}

bool tls_tx_cert_dates(const AppTx *tx, uint8_t dir, int64_t *not_before, int64_t *not_after)
{
    const TlsTx *t = tls_of(tx);
    if (t == NULL || t->side[dir].n_certs == 0 || !t->side[dir].certs[0].has_dates) {
        return false;
    }
    *not_before = t->side[dir].certs[0].not_before;
    *not_after = t->side[dir].certs[0].not_after;
    return true;
}

bool tls_tx_cert_field(const AppTx *tx, uint8_t dir, int field, const uint8_t **data,
                       uint32_t *len)
{
    const TlsTx *t = tls_of(tx);
    if (t == NULL || t->side[dir].n_certs == 0) {
        return false;
    }
    const TlsCert *c = &t->side[dir].certs[0];
    switch (field) {
    case TLS_FIELD_SUBJECT:
        *data = c->subject.data;
        *len = c->subject.len;
        return true;
    case TLS_FIELD_ISSUER:
        *data = c->issuer.data;
        *len = c->issuer.len;
        return true;
    case TLS_FIELD_SERIAL:
        *data = (const uint8_t *)c->serial;
        *len = (uint32_t)strlen(c->serial);
        return true;
    case TLS_FIELD_FINGERPRINT:
        *data = (const uint8_t *)c->fingerprint;
        *len = (uint32_t)strlen(c->fingerprint);
        return true;
    default:
        return false;
    }
}
