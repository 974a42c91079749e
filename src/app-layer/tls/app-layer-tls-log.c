/* The EVE "tls" object of the handshake tx (Suricata's field names): subject, issuerdn,
 * session_resumed, then with extended logging serial, fingerprint, sni, version,
 * notbefore, notafter, ja3, ja3s, ja4 (app-layer.protocols.tls.ja4-fingerprints: yes),
 * subjectaltname, client/server ALPNs, the client certificate, and the hello summaries
 * client_handshake / server_handshake. */
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

static void log_cert(JsonBuf *jb, const TlsCert *c, bool extended)
{
    json_strn(jb, "subject", c->subject.data, c->subject.len);
    json_strn(jb, "issuerdn", c->issuer.data, c->issuer.len);
    if (!extended) {
        return;
    }
    json_str(jb, "serial", c->serial);
    json_str(jb, "fingerprint", c->fingerprint);
}

static void log_dates(JsonBuf *jb, const TlsCert *c)
{
    if (c == NULL || !c->has_dates) {
        return;
    }
    char buf[32];
    tls_time_format(c->not_before, buf, sizeof(buf));
    json_str(jb, "notbefore", buf);
    tls_time_format(c->not_after, buf, sizeof(buf));
    json_str(jb, "notafter", buf);
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

static void log_extended(JsonBuf *jb, const TlsTx *t)
{
    const TlsSide *cl = &t->side[APP_DIR_TOSERVER];
    const TlsSide *sv = &t->side[APP_DIR_TOCLIENT];
    const TlsCert *c0 = sv->n_certs > 0 ? &sv->certs[0] : NULL;
    if (cl->sni.data != NULL) {
        json_printable(jb, "sni", cl->sni.data, cl->sni.len);
    }
    /* Without a server answer, the client's version (its hello's, else its record's). */
    json_str(jb, "version", tls_version_name(sv->version != 0 ? sv->version : cl->version));
    log_dates(jb, c0);
    log_ja3(jb, "ja3", cl);
    log_ja3(jb, "ja3s", sv);
    if (g_tls_log_cfg.log_ja4 && cl->ja4[0] != '\0') {
        json_str(jb, "ja4", cl->ja4);
    }
    if (c0 != NULL && c0->n_san > 0) {
        json_open_array(jb, "subjectaltname");
        for (uint32_t i = 0; i < c0->n_san; i++) {
            json_printable(jb, NULL, c0->san[i].data, c0->san[i].len);
        }
        json_close_array(jb);
    }
    log_alpns(jb, "client_alpns", cl);
    log_alpns(jb, "server_alpns", sv);
    if (cl->n_certs > 0) {
        json_open_object(jb, "client");
        log_cert(jb, &cl->certs[0], true);
        log_dates(jb, &cl->certs[0]);
        json_close_object(jb);
    }
    log_handshake(jb, cl, true);
    log_handshake(jb, sv, false);
}

void tls_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const TlsTx *t = (const TlsTx *)tx;
    const TlsSide *sv = &t->side[APP_DIR_TOCLIENT];
    json_open_object(jb, "tls");
    if (sv->n_certs > 0) {
        json_strn(jb, "subject", sv->certs[0].subject.data, sv->certs[0].subject.len);
        json_strn(jb, "issuerdn", sv->certs[0].issuer.data, sv->certs[0].issuer.len);
    }
    if (t->session_resumed) {
        json_bool(jb, "session_resumed", true);
    }
    if (g_tls_log_cfg.extended) {
        if (sv->n_certs > 0) {
            json_str(jb, "serial", sv->certs[0].serial);
            json_str(jb, "fingerprint", sv->certs[0].fingerprint);
        }
        log_extended(jb, t);
    }
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
