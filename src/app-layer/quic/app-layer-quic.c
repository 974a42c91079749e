/* QUIC: the parser row, per-flow state, transactions, buffers and the EVE object.
 *
 * Every UDP payload is one datagram holding one or more coalesced packets. Each datagram
 * whose first packet has a long header makes one tx in its direction (version known),
 * complete at once. Initial packets are decrypted (app-layer-quic-crypto.c) with the
 * keys derived from the Destination Connection ID of the client's first Initial, and
 * their CRYPTO frames reassembled per direction (at most QUIC_CRYPTO_MAX bytes, charged
 * to the quic memcap) until the ClientHello / ServerHello is whole; the TLS parser reads
 * it and the tx of the datagram that completed it carries it. Short-header packets, 0-RTT
 * and Handshake packets are encrypted with keys we do not have: only their headers are
 * read. Google QUIC (Q0xx) is recognised by its version only. */
#include "app-layer/quic/app-layer-quic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "app-layer/app-layer-internal.h"
#include "flow/flow-types.h"
#include "util/util-error.h"

enum { QUIC_PROG_DONE = 1 };

enum {
    QUIC_EV_FAILED_DECRYPT = 0,
    QUIC_EV_CRYPTO_FRAG_TOO_LONG,
    QUIC_EV_INVALID_FRAME,
    QUIC_EV_N,
};

static const char *const quic_event_names[QUIC_EV_N] = {
    "failed_decrypt",
    "crypto_frag_too_long",
    "invalid_frame",
};

typedef struct QuicCrypto {
    uint8_t *buf;                // QUIC_CRYPTO_MAX bytes once the first CRYPTO frame came
    uint8_t *have;               // bitmap of received bytes
    uint32_t contig;             // bytes received from offset 0 without a hole
    bool done;                   // hello parsed (or given up): no more collecting
} QuicCrypto;

typedef struct QuicState {
    AppFlow *af;
    uint8_t odcid[QUIC_CID_MAX]; // client's first Initial DCID: the Initial keys' input
    uint8_t odcid_len;
    bool has_odcid;
    uint32_t key_version;
    bool has_keys[2];
    QuicKeys keys[2];
    uint8_t short_dcid_len[2];   // CID length of short headers sent in dir
    QuicCrypto crypto[2];
} QuicState;

#define CRYPTO_ALLOC (QUIC_CRYPTO_MAX + QUIC_CRYPTO_MAX / 8)

/* ---- headers ---- */

bool quic_varint(const uint8_t *p, uint32_t len, uint32_t *off, uint64_t *v)
{
    if (*off >= len) {
        return false;
    }
    uint32_t n = 1u << (p[*off] >> 6);
    if (n > len - *off) {
        return false;
    }
    uint64_t x = p[*off] & 0x3fu;
    for (uint32_t i = 1; i < n; i++) {
        x = x << 8 | p[*off + i];
    }
    *off += n;
    *v = x;
    return true;
}

static bool is_gquic(uint32_t v)
{
    return (v >> 24) == 'Q' && ((v >> 16) & 0xff) >= '0' && ((v >> 16) & 0xff) <= '9';
}

bool quic_parse_header(const uint8_t *p, uint32_t len, uint8_t short_dcid_len, QuicHdr *h)
{
    memset(h, 0, sizeof(*h));
    if (len < 1) {
        return false;
    }
    h->first = p[0];
    if (!(p[0] & 0x80)) {
        if (1u + short_dcid_len > len) {
            return false;
        }
        h->dcid_len = short_dcid_len;
        memcpy(h->dcid, p + 1, short_dcid_len);
        h->pkt_len = len;        // a short header packet runs to the end of the datagram
        return true;
    }
    h->is_long = true;
    if (len < 7) {
        return false;
    }
    h->version = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
    if (is_gquic(h->version)) {
        h->pkt_len = len;        // gQUIC (Q046: connection id lengths in nibbles): not walked
        return true;
    }
    uint32_t off = 5;
    h->dcid_len = p[off++];
    if (h->dcid_len > QUIC_CID_MAX || h->dcid_len + 1u > len - off) {
        return false;
    }
    memcpy(h->dcid, p + off, h->dcid_len);
    off += h->dcid_len;
    h->scid_len = p[off++];
    if (h->scid_len > QUIC_CID_MAX || h->scid_len > len - off) {
        return false;
    }
    memcpy(h->scid, p + off, h->scid_len);
    off += h->scid_len;
    if (h->version == 0) {
        h->pkt_len = len;        // version negotiation: not walked further
        return true;
    }
    uint8_t ty = (p[0] >> 4) & 3u;
    if (h->version == QUIC_V2) {
        ty = (uint8_t)((ty + 3u) & 3u);  // v2: 1 Initial, 2 0-RTT, 3 Handshake, 0 Retry
    }
    h->type = ty;
    if (ty == 3) {               // Retry: the rest is token + tag
        h->pkt_len = len;
        return true;
    }
    uint64_t v;
    if (ty == 0) {               // Initial: token
        if (!quic_varint(p, len, &off, &v) || v > len - off) {
            return false;
        }
        off += (uint32_t)v;
    }
    if (!quic_varint(p, len, &off, &v) || v > len - off) {
        return false;
    }
    h->length = v;
    h->pn_offset = off;
    h->pkt_len = off + (uint32_t)v;
    return true;
}

/* ---- state ---- */

static void *quic_state_new(AppFlow *af)
{
    QuicState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void crypto_free(QuicState *st, QuicCrypto *c)
{
    if (c->buf != NULL) {
        app_mem_release(st->af, CRYPTO_ALLOC);
        free(c->buf);
    }
    c->buf = NULL;
    c->have = NULL;
}

static void quic_state_free(void *state)
{
    QuicState *st = state;
    if (st == NULL) {
        return;
    }
    crypto_free(st, &st->crypto[0]);
    crypto_free(st, &st->crypto[1]);
    free(st);
}

static void quic_tx_free(void *state, AppTx *tx)
{
    QuicState *st = state;
    QuicTx *qt = (QuicTx *)tx;
    if (st != NULL && qt->mem_bytes != 0) {
        app_mem_release(st->af, qt->mem_bytes);
    }
    tls_side_deinit(&qt->side);
    free(qt->cyu);
    free(qt->g_sni);
    free(qt->ua);
}

/* ---- Google QUIC CHLO ---- */

static void md5_hex(const char *s, size_t n, char out[33])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    static const char hex[] = "0123456789abcdef";
    out[0] = '\0';
    if (EVP_Digest(s, n, d, &dl, EVP_md5(), NULL) != 1 || dl != 16) {
        return;
    }
    for (unsigned i = 0; i < 16; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 0xf];
    }
    out[32] = '\0';
}

#define CHLO_SEARCH 256          // the CHLO tag must start within this many bytes
#define CHLO_MAX_TAGS 64

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *dup_bytes(const uint8_t *p, uint32_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    if (d != NULL) {
        memcpy(d, p, n);
    }
    return d;
}

bool quic_gquic_chlo(QuicTx *qt, const uint8_t *d, uint32_t len)
{
    uint32_t lim = len < CHLO_SEARCH ? len : CHLO_SEARCH;
    uint32_t at = 0;
    for (; at + 4 <= lim; at++) {
        if (memcmp(d + at, "CHLO", 4) == 0) {
            break;
        }
    }
    if (at + 8 > len || memcmp(d + at, "CHLO", 4) != 0) {
        return false;
    }
    uint32_t n = (uint32_t)d[at + 4] | (uint32_t)d[at + 5] << 8;
    uint32_t ents = at + 8;
    if (n == 0 || n > CHLO_MAX_TAGS || n * 8u > len - ents) {
        return false;
    }
    uint32_t vals = ents + n * 8u;
    /* "46," + n tags of at most 4 chars joined by '-' */
    char *cyu = malloc(8 + n * 5u);
    if (cyu == NULL) {
        return false;
    }
    uint8_t v2 = (uint8_t)(qt->version >> 8);
    uint8_t v3 = (uint8_t)qt->version;
    size_t o = 0;
    if (((qt->version >> 16) & 0xff) != '0') {
        cyu[o++] = (char)(qt->version >> 16);
    }
    cyu[o++] = (char)v2;
    cyu[o++] = (char)v3;
    cyu[o++] = ',';
    uint32_t prev_end = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = d + ents + i * 8u;
        if (i > 0) {
            cyu[o++] = '-';
        }
        for (int k = 0; k < 4 && e[k] != 0; k++) {
            cyu[o++] = (e[k] >= 0x20 && e[k] < 0x7f) ? (char)e[k] : '?';
        }
        uint32_t end = le32(e + 4);
        if (end < prev_end || end > len - vals) {
            free(cyu);
            free(qt->g_sni);
            free(qt->ua);
            qt->g_sni = qt->ua = NULL;
            qt->g_sni_len = qt->ua_len = 0;
            return false;
        }
        const uint8_t *val = d + vals + prev_end;
        uint32_t vlen = end - prev_end;
        if (memcmp(e, "SNI\0", 4) == 0 && qt->g_sni == NULL) {
            qt->g_sni = dup_bytes(val, vlen);
            qt->g_sni_len = qt->g_sni != NULL ? vlen : 0;
        } else if (memcmp(e, "UAID", 4) == 0 && qt->ua == NULL) {
            qt->ua = dup_bytes(val, vlen);
            qt->ua_len = qt->ua != NULL ? vlen : 0;
        }
        prev_end = end;
    }
    cyu[o] = '\0';
    qt->cyu = cyu;
    md5_hex(cyu, o, qt->cyu_hash);
    return true;
}

/* ---- CRYPTO frames ---- */

static bool crypto_add(QuicState *st, QuicTx *qt, uint8_t dir, uint64_t off, const uint8_t *d,
                       uint64_t n)
{
    QuicCrypto *c = &st->crypto[dir];
    if (c->done) {
        return true;
    }
    if (off > QUIC_CRYPTO_MAX || n > QUIC_CRYPTO_MAX - off) {
        app_tx_event(st->af, &qt->tx, QUIC_EV_CRYPTO_FRAG_TOO_LONG);
        c->done = true;
        crypto_free(st, c);
        return false;
    }
    if (c->buf == NULL) {
        if (!app_mem_charge(st->af, CRYPTO_ALLOC)) {
            c->done = true;
            return false;
        }
        c->buf = calloc(1, CRYPTO_ALLOC);
        if (c->buf == NULL) {
            app_mem_release(st->af, CRYPTO_ALLOC);
            c->done = true;
            return false;
        }
        c->have = c->buf + QUIC_CRYPTO_MAX;
    }
    memcpy(c->buf + off, d, (size_t)n);
    for (uint64_t i = off; i < off + n; i++) {
        c->have[i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    while (c->contig < QUIC_CRYPTO_MAX && (c->have[c->contig >> 3] & (1u << (c->contig & 7)))) {
        c->contig++;
    }
    return true;
}

/* The hello at the start of dir's CRYPTO stream, once whole, into qt. */
static void crypto_try_hello(QuicState *st, QuicTx *qt, uint8_t dir)
{
    QuicCrypto *c = &st->crypto[dir];
    if (c->done || c->buf == NULL || c->contig < 4) {
        return;
    }
    uint8_t want = dir == APP_DIR_TOSERVER ? 1 : 2;   // ClientHello / ServerHello
    uint32_t mlen = (uint32_t)c->buf[1] << 16 | (uint32_t)c->buf[2] << 8 | c->buf[3];
    if (c->buf[0] != want || mlen + 4u > QUIC_CRYPTO_MAX) {
        c->done = true;
        crypto_free(st, c);
        return;
    }
    if (c->contig < mlen + 4u) {
        return;
    }
    uint32_t events = 0;
    bool is_client = dir == APP_DIR_TOSERVER;
    int rc = tls_parse_hello(c->buf + 4, mlen, is_client, &qt->side, &events);
    if (rc == 0 && tls_ja3_compute(&qt->side, is_client) == 0) {
        if (is_client) {
            tls_ja4_compute(&qt->side, true);
        }
        size_t mem = tls_side_mem(&qt->side);
        if (app_mem_charge(st->af, mem)) {
            qt->mem_bytes = mem;
            qt->has_hello = true;
        }
    }
    if (!qt->has_hello) {
        tls_side_deinit(&qt->side);
        memset(&qt->side, 0, sizeof(qt->side));
    }
    c->done = true;
    crypto_free(st, c);
}

/* Walks the frames of a decrypted Initial. qt NULL: only tells whether a CRYPTO frame is
 * there (no side effects). */
static bool parse_frames(QuicState *st, QuicTx *qt, uint8_t dir, const uint8_t *p, uint32_t len)
{
    bool has_crypto = false;
    uint32_t off = 0;
    while (off < len) {
        uint64_t type;
        if (!quic_varint(p, len, &off, &type)) {
            break;
        }
        uint64_t a, b, c, n;
        switch (type) {
        case 0x00:               // PADDING
        case 0x01:               // PING
            break;
        case 0x02:               // ACK
        case 0x03:
            if (!quic_varint(p, len, &off, &a) || !quic_varint(p, len, &off, &b) ||
                !quic_varint(p, len, &off, &n) || !quic_varint(p, len, &off, &c)) {
                goto bad;
            }
            for (uint64_t i = 0; i < n; i++) {
                if (!quic_varint(p, len, &off, &a) || !quic_varint(p, len, &off, &b)) {
                    goto bad;
                }
            }
            if (type == 0x03 && (!quic_varint(p, len, &off, &a) ||
                                 !quic_varint(p, len, &off, &b) ||
                                 !quic_varint(p, len, &off, &c))) {
                goto bad;
            }
            break;
        case 0x06:               // CRYPTO
            if (!quic_varint(p, len, &off, &a) || !quic_varint(p, len, &off, &n) ||
                n > len - off) {
                goto bad;
            }
            has_crypto = true;
            if (qt != NULL) {
                (void)crypto_add(st, qt, dir, a, p + off, n);
            }
            off += (uint32_t)n;
            break;
        case 0x1c:               // CONNECTION_CLOSE
        case 0x1d:
            if (!quic_varint(p, len, &off, &a) ||
                (type == 0x1c && !quic_varint(p, len, &off, &b)) ||
                !quic_varint(p, len, &off, &n) || n > len - off) {
                goto bad;
            }
            off += (uint32_t)n;
            break;
        default:
            goto bad;            // not allowed in Initial packets
        }
    }
    if (qt != NULL) {
        crypto_try_hello(st, qt, dir);
    }
    return has_crypto;
bad:
    if (qt != NULL) {
        app_tx_event(st->af, &qt->tx, QUIC_EV_INVALID_FRAME);
        crypto_try_hello(st, qt, dir);
    }
    return has_crypto;
}

static bool keys_for(QuicState *st, uint32_t version, uint8_t dir)
{
    if (!st->has_odcid) {
        return false;
    }
    if (st->key_version != version) {
        st->has_keys[0] = st->has_keys[1] = false;
        st->key_version = version;
    }
    if (!st->has_keys[dir]) {
        st->has_keys[dir] = quic_initial_keys(version, st->odcid, st->odcid_len,
                                              dir == APP_DIR_TOCLIENT, &st->keys[dir]);
    }
    return st->has_keys[dir];
}

#define QUIC_COALESCED_MAX 4     // Initial packets decrypted per datagram

static QuicTx *tx_new(AppFlow *af, uint8_t dir, uint32_t version)
{
    QuicTx *qt = (QuicTx *)app_tx_new(af, sizeof(QuicTx));
    if (qt == NULL) {
        return NULL;
    }
    qt->dir = dir;
    qt->version = version;
    for (int i = 0; i < 4; i++) {
        qt->version_be[i] = (uint8_t)(version >> (24 - 8 * i));
    }
    qt->tx.progress[0] = qt->tx.progress[1] = QUIC_PROG_DONE;
    app_tx_touch(&qt->tx, dir);
    return qt;
}

/* A datagram makes a tx when it starts with a long header of a version we cannot
 * decrypt (the version is all we learn), or when one of its Initial packets decrypts
 * and carries CRYPTO data, or fails to decrypt (event). ACK-only Initials, Handshake,
 * 0-RTT and short-header packets make none. */
static int quic_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    *consumed = len;
    QuicState *st = state;
    QuicHdr h;
    if (len == 0 || !quic_parse_header(data, len, st->short_dcid_len[dir], &h) || !h.is_long) {
        return APP_PARSE_OK;     // short header or junk: nothing we can read
    }
    uint32_t version = h.version;
    /* The CID length short headers of the other side will carry: our SCID. */
    st->short_dcid_len[dir ^ 1] = h.scid_len;
    if (!quic_version_decryptable(version)) {
        QuicTx *qt = tx_new(af, dir, version);
        if (qt == NULL) {
            return APP_PARSE_ERROR;
        }
        if (is_gquic(version) && dir == APP_DIR_TOSERVER && quic_gquic_chlo(qt, data, len)) {
            size_t mem = strlen(qt->cyu) + 1 + qt->g_sni_len + qt->ua_len;
            if (app_mem_charge(af, mem)) {
                qt->mem_bytes = mem;
            } else {
                free(qt->cyu);
                free(qt->g_sni);
                free(qt->ua);
                qt->cyu = NULL;
                qt->g_sni = qt->ua = NULL;
                qt->g_sni_len = qt->ua_len = 0;
            }
        }
        return APP_PARSE_OK;
    }
    /* Decrypt the coalesced Initial packets (bounded by the datagram). */
    static _Thread_local uint8_t pkt[QUIC_COALESCED_MAX][2048];
    const uint8_t *pl[QUIC_COALESCED_MAX];
    uint32_t pll[QUIC_COALESCED_MAX];
    uint32_t n_pl = 0;
    bool failed = false;
    bool interesting = false;
    uint32_t off = 0;
    while (off < len && n_pl < QUIC_COALESCED_MAX) {
        if (!quic_parse_header(data + off, len - off, 0, &h) || !h.is_long || h.pkt_len == 0 ||
            h.version != version) {
            break;
        }
        if (h.type == 0) {
            if (dir == APP_DIR_TOSERVER && !st->has_odcid) {
                memcpy(st->odcid, h.dcid, h.dcid_len);
                st->odcid_len = h.dcid_len;
                st->has_odcid = true;
            }
            if (h.pkt_len <= sizeof(pkt[0]) && keys_for(st, h.version, dir)) {
                memcpy(pkt[n_pl], data + off, h.pkt_len);
                if (quic_decrypt_initial(&st->keys[dir], &h, pkt[n_pl], &pl[n_pl], &pll[n_pl])) {
                    interesting |= parse_frames(st, NULL, dir, pl[n_pl], pll[n_pl]);
                    n_pl++;
                } else {
                    failed = true;
                }
            }
        }
        if (h.pkt_len >= len - off || h.type == 3) {
            break;
        }
        off += h.pkt_len;
    }
    if (!interesting && !failed) {
        return APP_PARSE_OK;
    }
    QuicTx *qt = tx_new(af, dir, version);
    if (qt == NULL) {
        return APP_PARSE_ERROR;
    }
    if (failed) {
        app_tx_event(af, &qt->tx, QUIC_EV_FAILED_DECRYPT);
    }
    for (uint32_t i = 0; i < n_pl; i++) {
        (void)parse_frames(st, qt, dir, pl[i], pll[i]);
    }
    return APP_PARSE_OK;
}

/* ---- detection ---- */

static int quic_probe(const uint8_t *data, uint32_t len, uint8_t dir)
{
    (void)dir;
    QuicHdr h;
    if (len < 7 || !(data[0] & 0x80) || !quic_parse_header(data, len, 0, &h)) {
        return APP_PROBE_NO;
    }
    if (quic_version_decryptable(h.version) || is_gquic(h.version)) {
        /* A client's Initial fills a datagram to at least 1200 bytes (RFC 9000 14.1);
         * server packets and gQUIC are shorter. Require a sane long header. */
        return (data[0] & 0x40) || is_gquic(h.version) ? APP_PROBE_YES : APP_PROBE_NO;
    }
    return APP_PROBE_NO;
}

/* ---- tx accessors ---- */

const QuicTx *quic_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_QUIC ? (const QuicTx *)tx : NULL;
}

bool quic_tx_is_toclient(const AppTx *tx)
{
    const QuicTx *q = quic_tx(tx);
    return q != NULL && q->dir == APP_DIR_TOCLIENT;
}

/* ---- buffers ---- */

static const TlsSide *hello_of(const AppTx *tx, uint8_t dir)
{
    const QuicTx *q = quic_tx(tx);
    return q != NULL && q->has_hello && q->dir == dir ? &q->side : NULL;
}

static bool out(const void *p, size_t n, const uint8_t **data, uint32_t *len)
{
    *data = p;
    *len = (uint32_t)n;
    return true;
}

#define VERSION_GETTER(fn, d)                                                               \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)     \
    {                                                                                       \
        (void)f;                                                                            \
        const QuicTx *q = quic_tx(tx);                                                      \
        return q != NULL && q->dir == (d) && out(q->version_be, 4, data, len);              \
    }
VERSION_GETTER(ts_version, APP_DIR_TOSERVER)
VERSION_GETTER(tc_version, APP_DIR_TOCLIENT)

static bool ts_sni(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const QuicTx *q = quic_tx(tx);
    if (q != NULL && q->g_sni != NULL && q->dir == APP_DIR_TOSERVER) {
        return out(q->g_sni, q->g_sni_len, data, len);
    }
    const TlsSide *s = hello_of(tx, APP_DIR_TOSERVER);
    return s != NULL && s->sni.len > 0 && out(s->sni.data, s->sni.len, data, len);
}

static bool ts_ua(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const QuicTx *q = quic_tx(tx);
    return q != NULL && q->ua != NULL && out(q->ua, q->ua_len, data, len);
}

static bool ts_cyu_hash(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const QuicTx *q = quic_tx(tx);
    return q != NULL && q->cyu != NULL && out(q->cyu_hash, 32, data, len);
}

static bool ts_cyu_string(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const QuicTx *q = quic_tx(tx);
    return q != NULL && q->cyu != NULL && out(q->cyu, strlen(q->cyu), data, len);
}

#define JA_GETTER(fn, d, expr, lenexpr)                                                     \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)     \
    {                                                                                       \
        (void)f;                                                                            \
        const TlsSide *s = hello_of(tx, d);                                                 \
        return s != NULL && s->ja3 != NULL && out(expr, lenexpr, data, len);                \
    }
JA_GETTER(ts_ja3_str, APP_DIR_TOSERVER, s->ja3, strlen(s->ja3))
JA_GETTER(ts_ja3_hash, APP_DIR_TOSERVER, s->ja3_hash, 32)
JA_GETTER(tc_ja3s_str, APP_DIR_TOCLIENT, s->ja3, strlen(s->ja3))
JA_GETTER(tc_ja3s_hash, APP_DIR_TOCLIENT, s->ja3_hash, 32)

static bool ts_ja4(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const TlsSide *s = hello_of(tx, APP_DIR_TOSERVER);
    return s != NULL && s->ja4[0] != '\0' && out(s->ja4, strlen(s->ja4), data, len);
}

#define QROW(n, d, fn) {.name = n, .proto = APP_PROTO_QUIC, .dir = d, .progress = QUIC_PROG_DONE, \
                        .get = fn}

static const AppBufferDef quic_buffers[] = {
    QROW("quic.version", APP_DIR_TOSERVER, ts_version),
    QROW("quic.version", APP_DIR_TOCLIENT, tc_version),
    QROW("quic.sni", APP_DIR_TOSERVER, ts_sni),
    QROW("quic.ua", APP_DIR_TOSERVER, ts_ua),
    QROW("quic.cyu.hash", APP_DIR_TOSERVER, ts_cyu_hash),
    QROW("quic.cyu.string", APP_DIR_TOSERVER, ts_cyu_string),
    QROW("ja3.string", APP_DIR_TOSERVER, ts_ja3_str),
    QROW("ja3.hash", APP_DIR_TOSERVER, ts_ja3_hash),
    QROW("ja3s.string", APP_DIR_TOCLIENT, tc_ja3s_str),
    QROW("ja3s.hash", APP_DIR_TOCLIENT, tc_ja3s_hash),
    QROW("ja4.hash", APP_DIR_TOSERVER, ts_ja4),
};

/* ---- EVE ---- */

static const char *ext_name(uint16_t t)
{
    switch (t) {
    case 0: return "server_name";
    case 5: return "status_request";
    case 10: return "supported_groups";
    case 11: return "ec_point_formats";
    case 13: return "signature_algorithms";
    case 16: return "alpn";
    case 18: return "signed_certificate_timestamp";
    case 21: return "padding";
    case 23: return "extended_master_secret";
    case 27: return "compress_certificate";
    case 35: return "session_ticket";
    case 41: return "pre_shared_key";
    case 42: return "early_data";
    case 43: return "supported_versions";
    case 44: return "cookie";
    case 45: return "psk_key_exchange_modes";
    case 51: return "key_share";
    case 57: return "quic_transport_parameters";
    case 17513: return "application_settings";
    case 65037: return "encrypted_client_hello";
    case 65281: return "renegotiation_info";
    default: return NULL;
    }
}

static void log_version(JsonBuf *jb, uint32_t v)
{
    char buf[16];
    if (is_gquic(v)) {
        snprintf(buf, sizeof(buf), "%c%c%c%c", (char)(v >> 24), (char)(v >> 16), (char)(v >> 8),
                 (char)v);
    } else if (v == QUIC_V1) {
        snprintf(buf, sizeof(buf), "1");
    } else if (v == QUIC_V2) {
        snprintf(buf, sizeof(buf), "v2");
    } else {
        snprintf(buf, sizeof(buf), "%x", v);
    }
    json_str(jb, "version", buf);
}

static void log_extensions(JsonBuf *jb, const TlsSide *s)
{
    json_open_array(jb, "extensions");
    for (uint32_t i = 0; i < s->n_exts; i++) {
        uint16_t t = s->exts[i];
        if (tls_is_grease(t)) {
            continue;
        }
        json_open_object(jb, NULL);
        const char *n = ext_name(t);
        if (n != NULL) {
            json_str(jb, "name", n);
        }
        json_u64(jb, "type", t);
        if (t == 0 && s->sni.len > 0) {
            json_open_array(jb, "values");
            json_printable(jb, NULL, s->sni.data, s->sni.len);
            json_close_array(jb);
        } else if (t == 16 && s->alpn.len > 0) {
            json_open_array(jb, "values");
            for (uint32_t o = 0; o < s->alpn.len;) {
                uint32_t l = s->alpn.data[o];
                if (l == 0 || l > s->alpn.len - o - 1) {
                    break;
                }
                json_printable(jb, NULL, s->alpn.data + o + 1, l);
                o += 1 + l;
            }
            json_close_array(jb);
        }
        json_close_object(jb);
    }
    json_close_array(jb);
}

static void quic_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const QuicTx *q = (const QuicTx *)tx;
    json_open_object(jb, "quic");
    log_version(jb, q->version);
    if (q->g_sni != NULL) {
        json_printable(jb, "sni", q->g_sni, q->g_sni_len);
    }
    if (q->ua != NULL) {
        json_printable(jb, "ua", q->ua, q->ua_len);
    }
    if (q->cyu != NULL) {
        json_open_array(jb, "cyu");
        json_open_object(jb, NULL);
        json_str(jb, "hash", q->cyu_hash);
        json_str(jb, "string", q->cyu);
        json_close_object(jb);
        json_close_array(jb);
    }
    if (q->has_hello) {
        const TlsSide *s = &q->side;
        if (s->sni.len > 0) {
            json_printable(jb, "sni", s->sni.data, s->sni.len);
        }
        if (s->ja3 != NULL) {
            json_open_object(jb, q->dir == APP_DIR_TOSERVER ? "ja3" : "ja3s");
            json_str(jb, "hash", s->ja3_hash);
            json_str(jb, "string", s->ja3);
            json_close_object(jb);
        }
        if (q->dir == APP_DIR_TOSERVER && s->ja4[0] != '\0') {
            json_str(jb, "ja4", s->ja4);
        }
        log_extensions(jb, s);
    }
    json_close_object(jb);
}

const AppParserDesc app_parser_quic = {
    .name = "quic",
    .proto = APP_PROTO_QUIC,
    .ipproto = 17,
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "443",
    .probe = quic_probe,
    .deinit = quic_crypto_deinit,
    .state_new = quic_state_new,
    .state_free = quic_state_free,
    .parse = quic_parse,
    .tx_free = quic_tx_free,
    .complete = {QUIC_PROG_DONE, QUIC_PROG_DONE},
    .events = quic_event_names,
    .n_events = QUIC_EV_N,
    .buffers = quic_buffers,
    .n_buffers = sizeof(quic_buffers) / sizeof(quic_buffers[0]),
    .log_json = quic_log_json,
};
