/* TLS buffers for rules, as Suricata names them. Client-side (toserver) buffers are
 * final once the ClientHello is parsed, server-side ones once the ServerHello is;
 * certificate buffers once the side's Certificate message is (a server's in toclient,
 * a client certificate in toserver). tls.certs and tls.subjectaltname are multi-buffers
 * (one instance per certificate / per DNS name of the first certificate).
 *
 *   tls.sni                       server_name of the ClientHello
 *   tls.cert_subject/_issuer      first certificate's subject / issuer DN
 *   tls.cert_serial               "00:97:E6:..."
 *   tls.cert_fingerprint          sha1 "3a:0b:..."
 *   tls.certs                     each certificate's DER
 *   tls.subjectaltname            DNS names of the first certificate
 *   tls.random, tls.random_time, tls.random_bytes   hello random (32, first 4, last 28)
 *   tls.alpn                      each ALPN protocol name offered (client) / chosen (server)
 *   ja3.hash, ja3.string          client; ja3s.hash, ja3s.string: server
 *   ja4.hash                      client */
#include "app-layer/tls/app-layer-tls.h"

#include <string.h>

static const TlsSide *side_of(const AppTx *tx, uint8_t dir)
{
    if (tx == NULL || tx->proto != APP_PROTO_TLS) {
        return NULL;
    }
    return &((const TlsTx *)tx)->side[dir];
}

static bool out_bytes(const uint8_t *d, uint32_t l, const uint8_t **data, uint32_t *len)
{
    *data = d;
    *len = l;
    return d != NULL;
}

static const TlsCert *first_cert(const AppTx *tx, uint8_t dir)
{
    const TlsSide *s = side_of(tx, dir);
    return s != NULL && s->n_certs > 0 ? &s->certs[0] : NULL;
}

static bool get_sni(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const TlsSide *s = side_of(tx, APP_DIR_TOSERVER);
    return s != NULL && s->sni.data != NULL && out_bytes(s->sni.data, s->sni.len, data, len);
}

#define CERT_GETTERS(field, expr_data, expr_len)                                            \
    static bool get_##field(const TlsCert *c, const uint8_t **data, uint32_t *len)         \
    {                                                                                       \
        return out_bytes((const uint8_t *)(expr_data), (uint32_t)(expr_len), data, len);    \
    }                                                                                       \
    static bool get_##field##_ts(const Flow *f, const AppTx *tx, const uint8_t **data,     \
                                 uint32_t *len)                                             \
    {                                                                                       \
        (void)f;                                                                            \
        const TlsCert *c = first_cert(tx, APP_DIR_TOSERVER);                                \
        return c != NULL && get_##field(c, data, len);                                      \
    }                                                                                       \
    static bool get_##field##_tc(const Flow *f, const AppTx *tx, const uint8_t **data,     \
                                 uint32_t *len)                                             \
    {                                                                                       \
        (void)f;                                                                            \
        const TlsCert *c = first_cert(tx, APP_DIR_TOCLIENT);                                \
        return c != NULL && get_##field(c, data, len);                                      \
    }

CERT_GETTERS(subject, c->subject.data, c->subject.len)
CERT_GETTERS(issuer, c->issuer.data, c->issuer.len)
CERT_GETTERS(serial, c->serial, strlen(c->serial))
CERT_GETTERS(fingerprint, c->fingerprint, strlen(c->fingerprint))

static bool certs_multi(const AppTx *tx, uint8_t dir, uint32_t idx, const uint8_t **data,
                        uint32_t *len)
{
    const TlsSide *s = side_of(tx, dir);
    return s != NULL && idx < s->n_certs &&
           out_bytes(s->certs[idx].der.data, s->certs[idx].der.len, data, len);
}

static bool san_multi(const AppTx *tx, uint8_t dir, uint32_t idx, const uint8_t **data,
                      uint32_t *len)
{
    const TlsCert *c = first_cert(tx, dir);
    return c != NULL && idx < c->n_san && out_bytes(c->san[idx].data, c->san[idx].len, data, len);
}

static bool alpn_multi(const AppTx *tx, uint8_t dir, uint32_t idx, const uint8_t **data,
                       uint32_t *len)
{
    const TlsSide *s = side_of(tx, dir);
    if (s == NULL || s->alpn.data == NULL) {
        return false;
    }
    uint32_t off = 0;
    for (uint32_t i = 0; off < s->alpn.len; i++) {
        uint8_t l = s->alpn.data[off];
        if (i == idx) {
            return out_bytes(s->alpn.data + off + 1, l, data, len);
        }
        off += 1u + l;
    }
    return false;
}

#define MULTI_GETTERS(name, fn)                                                             \
    static bool name##_m_ts(const Flow *f, const AppTx *tx, uint32_t idx,                   \
                            const uint8_t **data, uint32_t *len)                            \
    {                                                                                       \
        (void)f;                                                                            \
        return fn(tx, APP_DIR_TOSERVER, idx, data, len);                                    \
    }                                                                                       \
    static bool name##_m_tc(const Flow *f, const AppTx *tx, uint32_t idx,                   \
                            const uint8_t **data, uint32_t *len)                            \
    {                                                                                       \
        (void)f;                                                                            \
        return fn(tx, APP_DIR_TOCLIENT, idx, data, len);                                    \
    }                                                                                       \
    static bool name##_ts(const Flow *f, const AppTx *tx, const uint8_t **data,             \
                          uint32_t *len)                                                    \
    {                                                                                       \
        return name##_m_ts(f, tx, 0, data, len);                                            \
    }                                                                                       \
    static bool name##_tc(const Flow *f, const AppTx *tx, const uint8_t **data,             \
                          uint32_t *len)                                                    \
    {                                                                                       \
        return name##_m_tc(f, tx, 0, data, len);                                            \
    }

MULTI_GETTERS(certs, certs_multi)
MULTI_GETTERS(san, san_multi)
MULTI_GETTERS(alpn, alpn_multi)

#define RANDOM_GETTERS(dirname, dir)                                                        \
    static bool random_##dirname(const Flow *f, const AppTx *tx, const uint8_t **data,      \
                                 uint32_t *len)                                             \
    {                                                                                       \
        (void)f;                                                                            \
        const TlsSide *s = side_of(tx, dir);                                                \
        return s != NULL && s->has_hello && !s->is_sslv2 &&                                 \
               out_bytes(s->random, 32, data, len);                                         \
    }                                                                                       \
    static bool random_time_##dirname(const Flow *f, const AppTx *tx, const uint8_t **data, \
                                      uint32_t *len)                                        \
    {                                                                                       \
        if (!random_##dirname(f, tx, data, len)) {                                          \
            return false;                                                                   \
        }                                                                                   \
        *len = 4;                                                                           \
        return true;                                                                        \
    }                                                                                       \
    static bool random_bytes_##dirname(const Flow *f, const AppTx *tx,                      \
                                       const uint8_t **data, uint32_t *len)                 \
    {                                                                                       \
        if (!random_##dirname(f, tx, data, len)) {                                          \
            return false;                                                                   \
        }                                                                                   \
        *data += 4;                                                                         \
        *len = 28;                                                                          \
        return true;                                                                        \
    }

RANDOM_GETTERS(ts, APP_DIR_TOSERVER)
RANDOM_GETTERS(tc, APP_DIR_TOCLIENT)

static bool get_ja3_string(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const TlsSide *s = side_of(tx, APP_DIR_TOSERVER);
    return s != NULL && s->ja3 != NULL &&
           out_bytes((const uint8_t *)s->ja3, (uint32_t)strlen(s->ja3), data, len);
}

static bool get_ja3_hash(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const TlsSide *s = side_of(tx, APP_DIR_TOSERVER);
    return s != NULL && s->ja3 != NULL && out_bytes((const uint8_t *)s->ja3_hash, 32, data, len);
}

static bool get_ja3s_string(const Flow *f, const AppTx *tx, const uint8_t **data,
                            uint32_t *len)
{
    (void)f;
    const TlsSide *s = side_of(tx, APP_DIR_TOCLIENT);
    return s != NULL && s->ja3 != NULL &&
           out_bytes((const uint8_t *)s->ja3, (uint32_t)strlen(s->ja3), data, len);
}

static bool get_ja3s_hash(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const TlsSide *s = side_of(tx, APP_DIR_TOCLIENT);
    return s != NULL && s->ja3 != NULL && out_bytes((const uint8_t *)s->ja3_hash, 32, data, len);
}

static bool get_ja4(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const TlsSide *s = side_of(tx, APP_DIR_TOSERVER);
    return s != NULL && s->ja4[0] != '\0' &&
           out_bytes((const uint8_t *)s->ja4, (uint32_t)strlen(s->ja4), data, len);
}

#define ROW(n, d, p, g) {.name = n, .proto = APP_PROTO_TLS, .dir = d, .progress = p, .get = g}
#define MROW(n, d, p, g, m)                                                                 \
    {.name = n, .proto = APP_PROTO_TLS, .dir = d, .progress = p, .get = g, .get_multi = m}
#define TS APP_DIR_TOSERVER
#define TC APP_DIR_TOCLIENT

const AppBufferDef tls_buffers[TLS_N_BUFFERS] = {
    ROW("tls.sni", TS, TLS_PROG_HELLO, get_sni),
    ROW("tls.cert_subject", TC, TLS_PROG_CERT, get_subject_tc),
    ROW("tls.cert_subject", TS, TLS_PROG_CERT, get_subject_ts),
    ROW("tls.cert_issuer", TC, TLS_PROG_CERT, get_issuer_tc),
    ROW("tls.cert_issuer", TS, TLS_PROG_CERT, get_issuer_ts),
    ROW("tls.cert_serial", TC, TLS_PROG_CERT, get_serial_tc),
    ROW("tls.cert_serial", TS, TLS_PROG_CERT, get_serial_ts),
    ROW("tls.cert_fingerprint", TC, TLS_PROG_CERT, get_fingerprint_tc),
    ROW("tls.cert_fingerprint", TS, TLS_PROG_CERT, get_fingerprint_ts),
    MROW("tls.certs", TC, TLS_PROG_CERT, certs_tc, certs_m_tc),
    MROW("tls.certs", TS, TLS_PROG_CERT, certs_ts, certs_m_ts),
    MROW("tls.subjectaltname", TC, TLS_PROG_CERT, san_tc, san_m_tc),
    MROW("tls.subjectaltname", TS, TLS_PROG_CERT, san_ts, san_m_ts),
    MROW("tls.alpn", TS, TLS_PROG_HELLO, alpn_ts, alpn_m_ts),
    MROW("tls.alpn", TC, TLS_PROG_HELLO, alpn_tc, alpn_m_tc),
    ROW("tls.random", TS, TLS_PROG_HELLO, random_ts),
    ROW("tls.random", TC, TLS_PROG_HELLO, random_tc),
    ROW("tls.random_time", TS, TLS_PROG_HELLO, random_time_ts),
    ROW("tls.random_time", TC, TLS_PROG_HELLO, random_time_tc),
    ROW("tls.random_bytes", TS, TLS_PROG_HELLO, random_bytes_ts),
    ROW("tls.random_bytes", TC, TLS_PROG_HELLO, random_bytes_tc),
    ROW("ja3.hash", TS, TLS_PROG_HELLO, get_ja3_hash),
    ROW("ja3.string", TS, TLS_PROG_HELLO, get_ja3_string),
    ROW("ja3s.hash", TC, TLS_PROG_HELLO, get_ja3s_hash),
    ROW("ja3s.string", TC, TLS_PROG_HELLO, get_ja3s_string),
    ROW("ja4.hash", TS, TLS_PROG_HELLO, get_ja4),
};
