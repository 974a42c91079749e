#ifndef VG_APP_LAYER_TLS_APP_LAYER_TLS_H
#define VG_APP_LAYER_TLS_APP_LAYER_TLS_H

/* TLS/SSL: internal to src/app-layer/tls and its tests.
 *
 * One transaction per flow (Suricata's model): the handshake of both sides. Records
 * (RFC 8446 section 5.1, RFC 5246 section 6.2) may span TCP segments and handshake
 * messages may span records; the parser keeps the partial record header and the partial
 * handshake message per direction, bounded by TLS_MAX_HS_MSG. After ChangeCipherSpec or
 * application data a direction is encrypted: records are counted and skipped unread. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app-layer/app-layer-internal.h"

#define TLS_MAX_HS_MSG (256u * 1024u)   // larger handshake messages are skipped (event)
#define TLS_MAX_RECORD (16384u + 2048u)  // TLSCiphertext bound (RFC 5246 6.2.3)
#define TLS_MAX_CERTS 16                 // certificates kept per chain
#define TLS_MAX_LIST 1024                // ciphers/extensions/groups kept per hello
#define TLS_MAX_SAN 64

/* Progress per direction (AppTx.progress). */
enum {
    TLS_PROG_NONE = 0,
    TLS_PROG_HELLO = 1,          // ClientHello / ServerHello parsed
    TLS_PROG_CERT = 2,           // Certificate parsed (or known absent)
    TLS_PROG_DONE = 3,           // handshake over: ChangeCipherSpec / encrypted data
};

/* Parser-local events, Suricata's names (index into tls_event_names). */
enum {
    TLS_EV_INVALID_SSLV2_HEADER = 0,
    TLS_EV_INVALID_TLS_HEADER,
    TLS_EV_INVALID_RECORD_VERSION,
    TLS_EV_INVALID_RECORD_TYPE,
    TLS_EV_INVALID_RECORD_LENGTH,
    TLS_EV_INVALID_HANDSHAKE_MESSAGE,
    TLS_EV_HEARTBEAT_MESSAGE,
    TLS_EV_INVALID_HEARTBEAT_MESSAGE,
    TLS_EV_OVERFLOW_HEARTBEAT_MESSAGE,
    TLS_EV_DATALEAK_HEARTBEAT_MISMATCH,
    TLS_EV_HANDSHAKE_INVALID_LENGTH,
    TLS_EV_MULTIPLE_SNI_EXTENSIONS,
    TLS_EV_INVALID_SNI_TYPE,
    TLS_EV_INVALID_SNI_LENGTH,
    TLS_EV_TOO_MANY_RECORDS_IN_PACKET,
    TLS_EV_INVALID_CERTIFICATE,
    TLS_EV_CERTIFICATE_MISSING_ELEMENT,
    TLS_EV_CERTIFICATE_UNKNOWN_ELEMENT,
    TLS_EV_CERTIFICATE_INVALID_LENGTH,
    TLS_EV_CERTIFICATE_INVALID_STRING,
    TLS_EV_ERROR_MESSAGE_ENCOUNTERED,
    TLS_EV_INVALID_SSL_RECORD,
    TLS_EV_N,
};
extern const char *const tls_event_names[TLS_EV_N];

/* ssl_state flags: handshake messages seen in the latest data of a direction. */
enum {
    TLS_STATE_CLIENT_HELLO = 1u << 0,
    TLS_STATE_SERVER_HELLO = 1u << 1,
    TLS_STATE_CLIENT_KEYX = 1u << 2,
    TLS_STATE_SERVER_KEYX = 1u << 3,
    TLS_STATE_UNKNOWN = 1u << 4,
};

/* Protocol version values (record, hello, supported_versions). */
enum {
    TLS_V_SSL2 = 0x0002,
    TLS_V_SSL3 = 0x0300,
    TLS_V_10 = 0x0301,
    TLS_V_11 = 0x0302,
    TLS_V_12 = 0x0303,
    TLS_V_13 = 0x0304,
};

typedef struct TlsBytes {
    uint8_t *data;
    uint32_t len;
} TlsBytes;

typedef struct TlsCert {
    TlsBytes der;
    TlsBytes subject;            // "C=FR, ST=IDF, CN=x" (raw string bytes, may hold NUL)
    TlsBytes issuer;
    char serial[3 * 64];         // "00:97:E6" (DER integer content, upper case)
    char fingerprint[60];        // sha1 of DER, "3a:0b:..."
    int64_t not_before;          // seconds since the epoch (UTC)
    int64_t not_after;
    bool has_dates;
    TlsBytes *san;               // DNS subjectAltNames
    uint32_t n_san;
} TlsCert;

/* What one side's hello and handshake told. */
typedef struct TlsSide {
    uint16_t version;            // record version, then hello, then supported_versions
    uint16_t hello_version;      // legacy_version of the hello (JA3)
    uint16_t max_version;        // client: highest of supported_versions (JA4)
    bool has_hello;
    bool is_sslv2;
    uint8_t random[32];
    uint8_t session_id[32];
    uint8_t session_id_len;
    uint16_t *ciphers;           // client: offered; server: the chosen one
    uint32_t n_ciphers;
    uint16_t *exts;              // extension types in order
    uint32_t n_exts;
    uint16_t *groups;            // supported_groups
    uint32_t n_groups;
    uint8_t *ec_formats;
    uint32_t n_ec_formats;
    uint16_t *sig_algs;
    uint32_t n_sig_algs;
    TlsBytes alpn;               // ALPN protocols, each: 1-byte length + name
    TlsBytes sni;
    bool has_ticket;             // session_ticket extension with data (client)
    TlsCert *certs;
    uint32_t n_certs;
    char *ja3;                   // JA3 / JA3S string
    char ja3_hash[33];
    char ja4[40];                // client only
} TlsSide;

typedef struct TlsTx {
    AppTx tx;                    // first
    TlsSide side[2];             // APP_DIR_TOSERVER: client, APP_DIR_TOCLIENT: server
    uint8_t cur_state[2];        // TLS_STATE_* of the latest data per direction
    bool session_resumed;
    bool stored[2];              // the side's chain went to the tls-store
    uint64_t mem_bytes;          // charged beyond the tx struct
} TlsTx;

/* Per-direction record machinery. */
typedef struct TlsDir {
    uint8_t hdr[5];
    uint8_t hdr_len;
    uint32_t rec_left;           // body bytes of the current record still to come
    uint8_t rec_type;
    uint8_t hb[3];               // heartbeat type + payload length
    uint8_t hb_len;
    uint32_t hb_rec_len;
    uint32_t hb_enc_len;         // an encrypted heartbeat record awaiting its answer: its length
    uint8_t *hs;                 // partial handshake message
    uint32_t hs_len;
    uint32_t hs_cap;
    uint32_t hs_skip;            // bytes of an oversized handshake message to drop
    bool encrypted;
    bool stopped;
    bool skip_record;            // rest of the current record is not handshake data
    bool sslv2_done;
    bool hs_lost;                // a gap hit the clear handshake: it is no longer parsed
    bool resync;                 // after a gap: looking for the next record header
    uint64_t n_records;
} TlsDir;

typedef struct TlsState {
    AppFlow *af;
    TlsTx *tx;
    bool had_tx;                 // the handshake tx was made (and may be gone since)
    TlsDir dir[2];
} TlsState;

/* ---- app-layer-tls-parse.c ---- */

/* Parses a ClientHello (is_client) or ServerHello body (after the 4-byte handshake
 * header) into s; events (1u << TLS_EV_*) or-ed into *events. Allocates s's lists; the
 * caller frees them with tls_side_deinit. Returns 0, VG_EINVAL (malformed), VG_ENOMEM. */
int tls_parse_hello(const uint8_t *b, uint32_t len, bool is_client, TlsSide *s,
                    uint32_t *events) __attribute__((warn_unused_result));
/* Parses a TLS 1.2 (or 1.3 when is_tls13) Certificate body into s->certs. */
int tls_parse_certificate(const uint8_t *b, uint32_t len, bool is_tls13, TlsSide *s,
                          uint32_t *events) __attribute__((warn_unused_result));
/* An SSLv2 record (header included) of dir: a ClientHello fills s. */
int tls_parse_sslv2(const uint8_t *b, uint32_t len, bool is_client, TlsSide *s,
                    uint32_t *events) __attribute__((warn_unused_result));
void tls_side_deinit(TlsSide *s);
size_t tls_side_mem(const TlsSide *s);
bool tls_is_grease(uint16_t v);

/* Feeds bytes of dir to st (any split). Returns APP_PARSE_OK or APP_PARSE_ERROR. */
int tls_state_parse(TlsState *st, uint8_t dir, const uint8_t *data, uint32_t len);
/* len bytes of dir are missing (TCP gap). Inside a record's body the record lengths keep
 * the parser in step; otherwise it looks for the next plausible record header in the
 * data that follows (resync). A gap in the clear handshake ends its parsing for that
 * direction (the direction's progress becomes done). Returns APP_PARSE_OK, or
 * APP_PARSE_ERROR when the direction had stopped already (or len is 0: unknown). */
int tls_state_gap(TlsState *st, uint8_t dir, uint32_t len);
/* Frees dir's partial handshake buffer (and its memcap charge). */
void tls_dir_release(TlsState *st, TlsDir *d);

/* ---- app-layer-tls-cert.c ---- */

/* Decodes one DER certificate (libcrypto; repeats from a per-thread cache keyed by the
 * exact bytes) into c (which keeps a copy of der). Returns 0, VG_EINVAL (not a
 * certificate), VG_ENOMEM. */
int tls_cert_decode(const uint8_t *der, uint32_t len, TlsCert *c)
    __attribute__((warn_unused_result));
void tls_cert_deinit(TlsCert *c);
/* Frees every thread's cache of decoded certificates (teardown: no decode may run). */
void tls_cert_cache_deinit(void);
/* "2015-02-12T18:07:27" */
void tls_time_format(int64_t t, char *buf, size_t size);

/* ---- app-layer-tls-ja.c ---- */

/* JA3 (client) / JA3S (server) string and md5 of s into s->ja3 / s->ja3_hash;
 * JA4 of a client into s->ja4 (is_quic: 'q' prefix). Return 0 or VG_ENOMEM. */
int tls_ja3_compute(TlsSide *s, bool is_client) __attribute__((warn_unused_result));
void tls_ja4_compute(TlsSide *s, bool is_quic);

/* ---- app-layer-tls.c ---- */

const char *tls_version_name(uint16_t v);
/* EVE "tls" object settings. */
/* Fields of the EVE tls object (the names of `custom:`, Suricata's). */
enum {
    TLS_LOG_SUBJECT = 1u << 0,
    TLS_LOG_ISSUER = 1u << 1,
    TLS_LOG_SESSION_RESUMED = 1u << 2,
    TLS_LOG_SERIAL = 1u << 3,
    TLS_LOG_FINGERPRINT = 1u << 4,
    TLS_LOG_SNI = 1u << 5,
    TLS_LOG_VERSION = 1u << 6,
    TLS_LOG_NOTBEFORE = 1u << 7,
    TLS_LOG_NOTAFTER = 1u << 8,
    TLS_LOG_CERTIFICATE = 1u << 9,
    TLS_LOG_CHAIN = 1u << 10,
    TLS_LOG_JA3 = 1u << 11,
    TLS_LOG_JA3S = 1u << 12,
    TLS_LOG_JA4 = 1u << 13,
    TLS_LOG_SAN = 1u << 14,
    TLS_LOG_CLIENT = 1u << 15,
    TLS_LOG_CLIENT_CERTIFICATE = 1u << 16,
    TLS_LOG_CLIENT_CHAIN = 1u << 17,
    TLS_LOG_CLIENT_ALPNS = 1u << 18,
    TLS_LOG_SERVER_ALPNS = 1u << 19,
    TLS_LOG_CLIENT_HANDSHAKE = 1u << 20,
    TLS_LOG_SERVER_HANDSHAKE = 1u << 21,
    TLS_LOG_BASIC = TLS_LOG_SUBJECT | TLS_LOG_ISSUER | TLS_LOG_SESSION_RESUMED,
    TLS_LOG_EXTENDED = TLS_LOG_BASIC | TLS_LOG_SERIAL | TLS_LOG_FINGERPRINT | TLS_LOG_SNI |
                       TLS_LOG_VERSION | TLS_LOG_NOTBEFORE | TLS_LOG_NOTAFTER | TLS_LOG_JA3 |
                       TLS_LOG_JA3S | TLS_LOG_JA4 | TLS_LOG_SAN | TLS_LOG_CLIENT |
                       TLS_LOG_CLIENT_ALPNS | TLS_LOG_SERVER_ALPNS | TLS_LOG_CLIENT_HANDSHAKE |
                       TLS_LOG_SERVER_HANDSHAKE,
};
/* The TLS_LOG_* bit of a custom field name, 0 when unknown. */
uint32_t tls_log_field_by_name(const char *name);

typedef struct TlsLogCfg {
    bool extended;
    bool log_ja4;
    bool session_resumption;
    uint32_t fields;             // TLS_LOG_*: from custom, else basic or extended
} TlsLogCfg;
extern TlsLogCfg g_tls_log_cfg;
extern uint8_t g_tls_enc_mode;   // APP_ENC_* (encryption-handling)
void tls_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);
/* STARTTLS (SMTP RFC 3207, IMAP/POP3 RFC 2595, FTP AUTH TLS RFC 4217): a protocol's
 * parse callback calls this when the server accepted the upgrade, with used = the bytes
 * of the current data that were still its own (up to the end of the accepting reply),
 * and returns what it returns (APP_PARSE_TUNNEL) with *consumed set. The framework stops
 * that parser (its txs stay until freed), records it as the flow's app_proto_orig, and
 * detects the rest of the connection, which then runs through the TLS parser; when the
 * connection goes on in anything but TLS, applayer.no_tls_after_starttls is raised.
 * Caller holds the flow lock (any packet thread). */
int tls_starttls_handover(AppFlow *af, uint32_t used, uint32_t *consumed);

#define TLS_N_BUFFERS 26
extern const AppBufferDef tls_buffers[TLS_N_BUFFERS];

#endif
