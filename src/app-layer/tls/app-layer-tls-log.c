/* The EVE "tls" object of the handshake tx (Suricata's field names): subject, issuerdn,
 * session_resumed, then with extended logging serial, fingerprint, sni, version,
 * notbefore, notafter, ja3, ja3s, ja4 (unless app-layer.protocols.tls.ja4-fingerprints or
 * the output's ja4 is no), subjectaltname, client/server ALPNs, the client certificate,
 * and the hello summaries client_handshake / server_handshake. A `custom:` list names the
 * fields instead, which adds certificate / chain / client_certificate / client_chain
 * (base64 DER) to the choice. */
#include "app-layer/tls/app-layer-tls.h"

#include <stdio.h>
#include <string.h>

const char *tls_version_name(uint16_t v)
{
    static _Thread_local char draft[32];
    switch (v) {
    case TLS_V_SSL2:
        return "SSLv2";
    case TLS_V_SSL3:
        return "SSLv3";
    case TLS_V_10:
        return "TLSv1";
    case TLS_V_11:
        return "TLS 1.1";
    case TLS_V_12:
        return "TLS 1.2";
    case TLS_V_13:
        return "TLS 1.3";
    case 0xfb17:
        return "TLS 1.3 draft-23-fb";
    case 0xfb1a:
        return "TLS 1.3 draft-26-fb";
    default:
        break;
    }
    if ((v >> 8) == 0x7f) {
        if ((v & 0xff) < 16) {
            return "TLS 1.3 draft-<16";
        }
        snprintf(draft, sizeof(draft), "TLS 1.3 draft-%u", v & 0xffu);
        return draft;
    }
    return "UNDETERMINED";
}

uint32_t tls_log_field_by_name(const char *name)
{
    static const struct { const char *name; uint32_t bit; } fields[] = {
        {"subject", TLS_LOG_SUBJECT}, {"issuer", TLS_LOG_ISSUER},
        {"session_resumed", TLS_LOG_SESSION_RESUMED}, {"serial", TLS_LOG_SERIAL},
        {"fingerprint", TLS_LOG_FINGERPRINT}, {"sni", TLS_LOG_SNI},
        {"version", TLS_LOG_VERSION}, {"not_before", TLS_LOG_NOTBEFORE},
        {"not_after", TLS_LOG_NOTAFTER}, {"certificate", TLS_LOG_CERTIFICATE},
        {"chain", TLS_LOG_CHAIN}, {"ja3", TLS_LOG_JA3}, {"ja3s", TLS_LOG_JA3S},
        {"ja4", TLS_LOG_JA4}, {"subjectaltname", TLS_LOG_SAN}, {"client", TLS_LOG_CLIENT},
        {"client_certificate", TLS_LOG_CLIENT_CERTIFICATE},
        {"client_chain", TLS_LOG_CLIENT_CHAIN}, {"client_alpns", TLS_LOG_CLIENT_ALPNS},
        {"server_alpns", TLS_LOG_SERVER_ALPNS},
        {"client_handshake", TLS_LOG_CLIENT_HANDSHAKE},
        {"server_handshake", TLS_LOG_SERVER_HANDSHAKE},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strcmp(fields[i].name, name) == 0) {
            return fields[i].bit;
        }
    }
    return 0;
}

static void log_dates(JsonBuf *jb, const TlsCert *c, uint32_t m)
{
    if (c == NULL || !c->has_dates) {
        return;
    }
    char buf[32];
    if (m & TLS_LOG_NOTBEFORE) {
        tls_time_format(c->not_before, buf, sizeof(buf));
        json_str(jb, "notbefore", buf);
    }
    if (m & TLS_LOG_NOTAFTER) {
        tls_time_format(c->not_after, buf, sizeof(buf));
        json_str(jb, "notafter", buf);
    }
}

static void log_ja3(JsonBuf *jb, const char *key, const TlsSide *s)
{
    if (s->ja3 == NULL) {
        return;
    }
    json_open_object(jb, key);
    json_str(jb, "hash", s->ja3_hash);
    json_str(jb, "string", s->ja3);
    json_close_object(jb);
}

static void log_alpns(JsonBuf *jb, const char *key, const TlsSide *s)
{
    if (s->alpn.len == 0) {
        return;
    }
    json_open_array(jb, key);
    for (uint32_t off = 0; off < s->alpn.len; off += 1u + s->alpn.data[off]) {
        json_printable(jb, NULL, s->alpn.data + off + 1, s->alpn.data[off]);
    }
    json_close_array(jb);
}

static void log_u16s(JsonBuf *jb, const char *key, const uint16_t *v, uint32_t n)
{
    json_open_array(jb, key);
    for (uint32_t i = 0; i < n; i++) {
        json_u64(jb, NULL, v[i]);
    }
    json_close_array(jb);
}

static void log_handshake(JsonBuf *jb, const TlsSide *s, bool is_client)
{
    if (!s->has_hello || s->is_sslv2) {
        return;
    }
    json_open_object(jb, is_client ? "client_handshake" : "server_handshake");
    json_str(jb, "version", tls_version_name(is_client ? s->hello_version : s->version));
    if (is_client) {
        log_u16s(jb, "ciphers", s->ciphers, s->n_ciphers);
    } else if (s->n_ciphers > 0) {
        json_u64(jb, "cipher", s->ciphers[0]);
    }
    log_u16s(jb, "exts", s->exts, s->n_exts);
    if (is_client && s->n_sig_algs > 0) {
        log_u16s(jb, "sig_algs", s->sig_algs, s->n_sig_algs);
    }
    json_close_object(jb);
}

/* "certificate": the side's first certificate, base64 DER; "chain": all of them. */
static void log_der(JsonBuf *jb, const char *key, const TlsSide *s, bool is_chain)
{
    if (s->n_certs == 0) {
        return;
    }
    if (is_chain) {
        json_open_array(jb, key);
    }
    for (uint32_t i = 0; i < (is_chain ? s->n_certs : 1u); i++) {
        json_base64(jb, is_chain ? NULL : key, s->certs[i].der.data, s->certs[i].der.len);
    }
    if (is_chain) {
        json_close_array(jb);
    }
}

/* The client's certificate: subject, issuer, serial, fingerprint, dates. */
static void log_client(JsonBuf *jb, const TlsSide *cl)
{
    if (cl->n_certs == 0) {
        return;
    }
    const TlsCert *c = &cl->certs[0];
    json_open_object(jb, "client");
    json_strn(jb, "subject", c->subject.data, c->subject.len);
    json_strn(jb, "issuerdn", c->issuer.data, c->issuer.len);
    json_str(jb, "serial", c->serial);
    json_str(jb, "fingerprint", c->fingerprint);
    log_dates(jb, c, TLS_LOG_NOTBEFORE | TLS_LOG_NOTAFTER);
    json_close_object(jb);
}

static void log_fields(JsonBuf *jb, const TlsTx *t, uint32_t m)
{
    const TlsSide *cl = &t->side[APP_DIR_TOSERVER];
    const TlsSide *sv = &t->side[APP_DIR_TOCLIENT];
    const TlsCert *c0 = sv->n_certs > 0 ? &sv->certs[0] : NULL;
    if (c0 != NULL && (m & TLS_LOG_SUBJECT)) {
        json_strn(jb, "subject", c0->subject.data, c0->subject.len);
    }
    if (c0 != NULL && (m & TLS_LOG_ISSUER)) {
        json_strn(jb, "issuerdn", c0->issuer.data, c0->issuer.len);
    }
    if (t->session_resumed && (m & TLS_LOG_SESSION_RESUMED)) {
        json_bool(jb, "session_resumed", true);
    }
    if (c0 != NULL && (m & TLS_LOG_SERIAL)) {
        json_str(jb, "serial", c0->serial);
    }
    if (c0 != NULL && (m & TLS_LOG_FINGERPRINT)) {
        json_str(jb, "fingerprint", c0->fingerprint);
    }
    if (cl->sni.data != NULL && (m & TLS_LOG_SNI)) {
        json_printable(jb, "sni", cl->sni.data, cl->sni.len);
    }
    if (m & TLS_LOG_VERSION) {
        /* Without a server answer, the client's version (its hello's, else its record's). */
        json_str(jb, "version", tls_version_name(sv->version != 0 ? sv->version : cl->version));
    }
    log_dates(jb, c0, m);
    if (m & TLS_LOG_CERTIFICATE) {
        log_der(jb, "certificate", sv, false);
    }
    if (m & TLS_LOG_CHAIN) {
        log_der(jb, "chain", sv, true);
    }
    if (m & TLS_LOG_JA3) {
        log_ja3(jb, "ja3", cl);
    }
    if (m & TLS_LOG_JA3S) {
        log_ja3(jb, "ja3s", sv);
    }
    if ((m & TLS_LOG_JA4) && g_tls_log_cfg.log_ja4 && cl->ja4[0] != '\0') {
        json_str(jb, "ja4", cl->ja4);
    }
    if (c0 != NULL && c0->n_san > 0 && (m & TLS_LOG_SAN)) {
        json_open_array(jb, "subjectaltname");
        for (uint32_t i = 0; i < c0->n_san; i++) {
            json_printable(jb, NULL, c0->san[i].data, c0->san[i].len);
        }
        json_close_array(jb);
    }
    if (m & TLS_LOG_CLIENT_ALPNS) {
        log_alpns(jb, "client_alpns", cl);
    }
    if (m & TLS_LOG_SERVER_ALPNS) {
        log_alpns(jb, "server_alpns", sv);
    }
    if (m & TLS_LOG_CLIENT) {
        log_client(jb, cl);
    }
    if (m & TLS_LOG_CLIENT_CERTIFICATE) {
        log_der(jb, "client_certificate", cl, false);
    }
    if (m & TLS_LOG_CLIENT_CHAIN) {
        log_der(jb, "client_chain", cl, true);
    }
    if (m & TLS_LOG_CLIENT_HANDSHAKE) {
        log_handshake(jb, cl, true);
    }
    if (m & TLS_LOG_SERVER_HANDSHAKE) {
        log_handshake(jb, sv, false);
    }
}

void tls_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    json_open_object(jb, "tls");
    log_fields(jb, (const TlsTx *)tx, g_tls_log_cfg.fields);
    json_close_object(jb);
}

bool tls_tx_log_ready(const AppTx *tx)
{
    if (tx == NULL || tx->proto != APP_PROTO_TLS) {
        return false;
    }
    /* The server finished its part of the handshake in the clear (ServerHelloDone,
     * or its certificate) once the client said hello: nothing later is logged. */
    return tx->progress[APP_DIR_TOSERVER] >= TLS_PROG_HELLO &&
           tx->progress[APP_DIR_TOCLIENT] >= TLS_PROG_CERT;
}

bool tls_tx_loggable(const AppTx *tx)
{
    if (tx == NULL || tx->proto != APP_PROTO_TLS) {
        return false;
    }
    const TlsTx *t = (const TlsTx *)tx;
    return t->side[0].has_hello || t->side[1].has_hello || t->side[1].n_certs > 0;
}
