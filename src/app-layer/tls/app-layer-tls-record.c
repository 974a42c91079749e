/* TLS record layer and handshake framing (RFC 5246 section 6.2, RFC 8446 section 5.1):
 * record headers split anywhere, handshake messages across records, the encrypted state
 * after ChangeCipherSpec or application data, heartbeat checks (RFC 6520 section 4:
 * payload_length + 3 + 16 must fit the record), SSLv2 hellos as a direction's first
 * record. Everything kept is bounded: a 5-byte header, one handshake message of at most
 * TLS_MAX_HS_MSG bytes (charged to the TLS memcap), an SSLv2 record (< 32 KiB). */
#include "app-layer/tls/app-layer-tls.h"

#include <stdlib.h>
#include <string.h>

#include "util/util-byte.h"
#include "util/util-error.h"

#define TLS_RECORDS_PER_CALL_MAX 255   // more raise too_many_records_in_packet
#define TLS_REC_SSLV2 0x80             // internal record type: an SSLv2 record
#define TLS_HS_KEEP 16384              // handshake buffer kept between messages

enum {
    REC_CCS = 20,
    REC_ALERT = 21,
    REC_HANDSHAKE = 22,
    REC_APPDATA = 23,
    REC_HEARTBEAT = 24,
};

static void raise(TlsState *st, uint32_t ev)
{
    app_tx_event(st->af, &st->tx->tx, ev);
}

static void raise_mask(TlsState *st, uint32_t mask)
{
    for (uint32_t e = 0; e < TLS_EV_N; e++) {
        if (mask & (1u << e)) {
            raise(st, e);
        }
    }
}

static void advance(TlsTx *t, uint8_t dir, uint8_t prog)
{
    if (t->tx.progress[dir] < prog) {
        t->tx.progress[dir] = prog;
    }
    app_tx_touch(&t->tx, dir);
}

/* Memory of the side's lists moves to the tx's charge (released at tx free). */
static bool recharge(TlsState *st, TlsTx *t)
{
    uint64_t now = tls_side_mem(&t->side[0]) + tls_side_mem(&t->side[1]);
    if (now > t->mem_bytes) {
        if (!app_mem_charge(st->af, now - t->mem_bytes)) {
            return false;
        }
    } else {
        app_mem_release(st->af, t->mem_bytes - now);
    }
    t->mem_bytes = now;
    return true;
}

static bool is_tls13(uint16_t v)
{
    return v == TLS_V_13 || (v >> 8) == 0x7f || v == 0xfb17 || v == 0xfb1a;
}

static int on_hello(TlsState *st, uint8_t dir, const uint8_t *b, uint32_t len,
                    uint32_t *events)
{
    TlsTx *t = st->tx;
    bool is_client = dir == APP_DIR_TOSERVER;
    TlsSide *s = &t->side[dir];
    t->cur_state[dir] |= is_client ? TLS_STATE_CLIENT_HELLO : TLS_STATE_SERVER_HELLO;
    int rc = tls_parse_hello(b, len, is_client, s, events);
    if (rc == VG_ENOMEM) {
        return rc;
    }
    if (rc == 0 && tls_ja3_compute(s, is_client) == VG_ENOMEM) {
        return VG_ENOMEM;
    }
    if (rc == 0 && is_client) {
        tls_ja4_compute(s, false);
    }
    if (rc == 0 && !is_client) {
        const TlsSide *c = &t->side[APP_DIR_TOSERVER];
        t->session_resumed = !is_tls13(s->version) && s->session_id_len > 0 &&
                             c->session_id_len == s->session_id_len &&
                             memcmp(c->session_id, s->session_id, s->session_id_len) == 0;
    }
    advance(t, dir, TLS_PROG_HELLO);
    return 0;
}

static bool valid_hs_type(uint8_t type)
{
    switch (type) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 8: case 11: case 12:
    case 13: case 14: case 15: case 16: case 20: case 21: case 22: case 23: case 24:
    case 25: case 67: case 254:
        return true;
    default:
        return false;
    }
}

/* One complete handshake message of dir. */
static int on_handshake(TlsState *st, uint8_t dir, uint8_t type, const uint8_t *b,
                        uint32_t len)
{
    TlsTx *t = st->tx;
    uint32_t events = 0;
    int rc = 0;
    switch (type) {
    case 1:
    case 2:
        if ((type == 1) != (dir == APP_DIR_TOSERVER)) {
            events |= 1u << TLS_EV_INVALID_HANDSHAKE_MESSAGE;
            break;
        }
        rc = on_hello(st, dir, b, len, &events);
        break;
    case 11:
        rc = tls_parse_certificate(b, len, is_tls13(t->side[APP_DIR_TOCLIENT].version),
                                   &t->side[dir], &events);
        if (t->side[dir].n_certs > 0 && dir == APP_DIR_TOCLIENT) {
            t->session_resumed = false;
        }
        rc = rc == VG_ENOMEM ? rc : 0;
        advance(t, dir, TLS_PROG_CERT);
        break;
    case 12:
        t->cur_state[dir] |= TLS_STATE_SERVER_KEYX;
        advance(t, dir, TLS_PROG_CERT);
        break;
    case 16:
        t->cur_state[dir] |= TLS_STATE_CLIENT_KEYX;
        advance(t, dir, TLS_PROG_CERT);
        break;
    case 14:
        advance(t, dir, TLS_PROG_CERT);
        break;
    default:
        if (!valid_hs_type(type)) {
            t->cur_state[dir] |= TLS_STATE_UNKNOWN;
            events |= 1u << TLS_EV_INVALID_HANDSHAKE_MESSAGE;
        }
        app_tx_touch(&t->tx, dir);
        break;
    }
    raise_mask(st, events);
    if (rc == VG_ENOMEM || !recharge(st, t)) {
        return VG_ENOMEM;
    }
    return 0;
}

static bool hs_append(TlsState *st, TlsDir *d, const uint8_t *b, uint32_t n)
{
    if (d->hs_len + n > d->hs_cap) {
        uint32_t cap = d->hs_cap ? d->hs_cap : 1024;
        while (cap < d->hs_len + n) {
            cap *= 2;
        }
        if (!app_mem_charge(st->af, cap - d->hs_cap)) {
            return false;
        }
        uint8_t *nb = realloc(d->hs, cap);
        if (nb == NULL) {
            app_mem_release(st->af, cap - d->hs_cap);
            return false;
        }
        d->hs = nb;
        d->hs_cap = cap;
    }
    if (n > 0) {
        memcpy(d->hs + d->hs_len, b, n);
    }
    d->hs_len += n;
    return true;
}

void tls_dir_release(TlsState *st, TlsDir *d)
{
    if (d->hs_cap != 0) {
        app_mem_release(st->af, d->hs_cap);
    }
    free(d->hs);
    d->hs = NULL;
    d->hs_len = d->hs_cap = 0;
}

/* Handshake bytes of dir (inside handshake records), any split. */
static int hs_feed(TlsState *st, uint8_t dir, const uint8_t *b, uint32_t n)
{
    TlsDir *d = &st->dir[dir];
    while (n > 0) {
        if (d->hs_skip > 0) {
            uint32_t take = d->hs_skip < n ? d->hs_skip : n;
            d->hs_skip -= take;
            b += take;
            n -= take;
            continue;
        }
        uint8_t type = d->hs_len > 0 ? d->hs[0] : b[0];
        if (!valid_hs_type(type)) {
            /* Not a handshake message: the rest of the record is garbage (a length read
             * from it would be too). */
            raise(st, TLS_EV_INVALID_HANDSHAKE_MESSAGE);
            st->tx->cur_state[dir] |= TLS_STATE_UNKNOWN;
            d->hs_len = 0;
            d->skip_record = true;
            return 0;
        }
        if (d->hs_len == 0 && n >= 4 && 4u + util_be24(b + 1) <= n) {
            uint32_t mlen = util_be24(b + 1);   // whole message here: no copy
            int rc = on_handshake(st, dir, b[0], b + 4, mlen);
            if (rc != 0) {
                return rc;
            }
            b += 4u + mlen;
            n -= 4u + mlen;
            continue;
        }
        uint32_t need = 4;
        if (d->hs_len >= 4) {
            need = 4u + util_be24(d->hs + 1);
        } else if (d->hs_len + n >= 4) {
            uint8_t h[4];
            if (d->hs_len > 0) {
                memcpy(h, d->hs, d->hs_len);
            }
            memcpy(h + d->hs_len, b, 4u - d->hs_len);
            need = 4u + util_be24(h + 1);
        }
        if (need - 4u > TLS_MAX_HS_MSG) {
            raise(st, TLS_EV_HANDSHAKE_INVALID_LENGTH);
            uint32_t hdr_left = 4u - d->hs_len;
            d->hs_len = 0;
            d->hs_skip = need - 4u;
            b += hdr_left;
            n -= hdr_left;
            continue;
        }
        uint32_t take = need - d->hs_len < n ? need - d->hs_len : n;
        if (!hs_append(st, d, b, take)) {
            return VG_ENOMEM;
        }
        b += take;
        n -= take;
        if (d->hs_len == need && need >= 4) {
            d->hs_len = 0;
            int rc = on_handshake(st, dir, d->hs[0], d->hs + 4, need - 4u);
            if (d->hs_cap > TLS_HS_KEEP) {
                tls_dir_release(st, d);
            }
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

static void heartbeat_feed(TlsState *st, TlsDir *d, const uint8_t *b, uint32_t n)
{
    while (n > 0 && d->hb_len < 3) {
        d->hb[d->hb_len++] = *b++;
        n--;
        if (d->hb_len == 3) {
            uint32_t payload = util_be16(d->hb + 1);
            if (d->hb[0] != 1 && d->hb[0] != 2) {
                raise(st, TLS_EV_INVALID_HEARTBEAT_MESSAGE);
            } else if (payload + 3u + 16u > d->hb_rec_len) {
                raise(st, TLS_EV_OVERFLOW_HEARTBEAT_MESSAGE);
            }
        }
    }
}

static int sslv2_record_done(TlsState *st, uint8_t dir)
{
    TlsDir *d = &st->dir[dir];
    TlsTx *t = st->tx;
    uint32_t events = 0;
    int rc = tls_parse_sslv2(d->hs, d->hs_len, dir == APP_DIR_TOSERVER, &t->side[dir],
                             &events);
    d->hs_len = 0;
    raise_mask(st, events);
    if (rc == VG_ENOMEM || !recharge(st, t)) {
        return VG_ENOMEM;
    }
    if (dir == APP_DIR_TOSERVER) {
        t->cur_state[dir] |= TLS_STATE_CLIENT_HELLO;
    } else {
        t->cur_state[dir] |= TLS_STATE_SERVER_HELLO;
    }
    advance(t, dir, TLS_PROG_HELLO);
    if (t->side[dir].version == TLS_V_SSL2 || rc != 0) {
        /* Pure SSLv2 continues in SSLv2 framing, encrypted after the hellos. */
        d->stopped = true;
        advance(t, dir, TLS_PROG_DONE);
    }
    return 0;
}

/* A complete 5-byte record header in d->hdr: validate and enter the record. Returns
 * 0, or APP_PARSE_ERROR after raising the event (the direction stops). */
static int record_start(TlsState *st, uint8_t dir)
{
    TlsDir *d = &st->dir[dir];
    TlsTx *t = st->tx;
    const uint8_t *h = d->hdr;
    d->hdr_len = 0;
    if (d->n_records == 0 && (h[0] & 0x80) && !d->sslv2_done) {
        uint32_t rlen = ((uint32_t)(h[0] & 0x7f) << 8) | h[1];
        d->sslv2_done = true;
        d->n_records++;
        if (rlen < 3) {
            raise(st, TLS_EV_INVALID_SSLV2_HEADER);
            return APP_PARSE_ERROR;
        }
        d->rec_type = TLS_REC_SSLV2;
        d->rec_left = rlen + 2u - 5u;
        d->hs_len = 0;
        if (!hs_append(st, d, h, 5)) {
            return VG_ENOMEM;
        }
        return d->rec_left == 0 ? sslv2_record_done(st, dir) : 0;
    }
    uint8_t type = h[0];
    uint32_t rlen = util_be16(h + 3);
    d->n_records++;
    if (type < REC_CCS || type > REC_HEARTBEAT) {
        raise(st, TLS_EV_INVALID_RECORD_TYPE);
        return APP_PARSE_ERROR;
    }
    if (h[1] != 3) {
        raise(st, TLS_EV_INVALID_RECORD_VERSION);
        return APP_PARSE_ERROR;
    }
    if (rlen > TLS_MAX_RECORD) {
        raise(st, TLS_EV_INVALID_RECORD_LENGTH);
        return APP_PARSE_ERROR;
    }
    if (t->side[dir].version == 0) {
        /* the record version is the side's version until its hello says more: rules
         * on it (tls.version) are due now, not when the hello record is complete */
        t->side[dir].version = util_be16(h + 1);
        app_tx_touch(&t->tx, dir);
    }
    d->rec_type = type;
    d->rec_left = rlen;
    d->skip_record = false;
    switch (type) {
    case REC_CCS:
    case REC_APPDATA:
        d->encrypted = true;
        advance(t, dir, TLS_PROG_DONE);
        if (st->dir[dir ^ 1].encrypted) {
            app_flow_encrypted(st->af, g_tls_enc_mode);
        }
        break;
    case REC_HEARTBEAT:
        raise(st, TLS_EV_HEARTBEAT_MESSAGE);
        d->hb_len = 0;
        d->hb_rec_len = rlen;
        if (d->encrypted) {
            /* Encrypted: the payload length cannot be read, but an answer
             * (same payload, same padding) comes in a record of the same
             * length as the request; a different length is what a leak of
             * memory (heartbleed) looks like. */
            TlsDir *o = &st->dir[dir ^ 1];
            if (o->hb_enc_len != 0) {
                if (o->hb_enc_len != rlen) {
                    raise(st, TLS_EV_DATALEAK_HEARTBEAT_MISMATCH);
                }
                o->hb_enc_len = 0;
            } else {
                d->hb_enc_len = rlen;
            }
        }
        break;
    case REC_HANDSHAKE:
        if (d->encrypted) {
            app_tx_touch(&t->tx, dir);   // encrypted handshake (TLS 1.3, renegotiation)
        }
        break;
    default:
        break;
    }
    return 0;
}

static int record_body(TlsState *st, uint8_t dir, const uint8_t *b, uint32_t n)
{
    TlsDir *d = &st->dir[dir];
    switch (d->rec_type) {
    case REC_HANDSHAKE:
        return d->encrypted || d->skip_record || d->hs_lost ? 0 : hs_feed(st, dir, b, n);
    case REC_HEARTBEAT:
        if (!d->encrypted) {
            heartbeat_feed(st, d, b, n);
        }
        return 0;
    case TLS_REC_SSLV2:
        if (!hs_append(st, d, b, n)) {
            return VG_ENOMEM;
        }
        return d->rec_left == n ? sslv2_record_done(st, dir) : 0;
    default:
        return 0;
    }
}

/* A record header a TLS stack could have sent (RFC 5246 6.2.1, RFC 8446 5.1): content
 * type 20-24, major version 3, minor 0-4, length within the TLSCiphertext bound. */
static bool plausible_header(const uint8_t *h)
{
    return h[0] >= REC_CCS && h[0] <= REC_HEARTBEAT && h[1] == 3 && h[2] <= 4 &&
           util_be16(h + 3) <= TLS_MAX_RECORD;
}

/* Resync after a gap: offset of the first plausible record header in data, len when
 * none (a header cut by the end of data is missed; the search goes on with the next
 * data and finds a later one). */
static uint32_t resync_offset(const uint8_t *data, uint32_t len, bool *found)
{
    *found = false;
    for (uint32_t i = 0; i + 5 <= len; i++) {
        if (plausible_header(data + i)) {
            *found = true;
            return i;
        }
    }
    return len;
}

int tls_state_gap(TlsState *st, uint8_t dir, uint32_t len)
{
    TlsDir *d = &st->dir[dir];
    TlsTx *t = st->tx;
    if (d->stopped || len == 0) {
        return APP_PARSE_ERROR;
    }
    bool in_clear_hs = !d->encrypted && !d->hs_lost &&
                       (d->rec_type == REC_HANDSHAKE || d->rec_type == TLS_REC_SSLV2 ||
                        d->hs_len > 0 || d->rec_left == 0);
    if (in_clear_hs && t != NULL && t->tx.progress[dir] < TLS_PROG_DONE) {
        /* what the handshake would still have told is lost with the gap */
        d->hs_lost = true;
        tls_dir_release(st, d);
        d->hs_skip = 0;
        advance(t, dir, TLS_PROG_DONE);
    }
    if (d->hdr_len == 0 && d->rec_left > len && d->rec_type != TLS_REC_SSLV2) {
        d->rec_left -= len;   // inside a record's body: still in step
        d->skip_record = true;
        if (d->rec_type != REC_HANDSHAKE) {
            d->rec_type = 0;  // the rest of the body is skipped (no heartbeat checks)
        }
        return APP_PARSE_OK;
    }
    d->hdr_len = 0;
    d->rec_left = 0;
    d->resync = true;
    return APP_PARSE_OK;
}

int tls_state_parse(TlsState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    TlsDir *d = &st->dir[dir];
    st->tx->cur_state[dir] = 0;
    uint32_t n_records = 0;
    if (d->resync) {
        bool found;
        uint32_t off = resync_offset(data, len, &found);
        d->resync = !found;
        data += off;
        len -= off;
        if (!found) {
            return APP_PARSE_OK;
        }
    }
    while (len > 0 && !d->stopped) {
        if (d->rec_left == 0) {
            uint32_t take = 5u - d->hdr_len < len ? 5u - d->hdr_len : len;
            memcpy(d->hdr + d->hdr_len, data, take);
            d->hdr_len = (uint8_t)(d->hdr_len + take);
            data += take;
            len -= take;
            if (d->hdr_len < 5) {
                break;
            }
            int rc = record_start(st, dir);
            if (rc != 0) {
                d->stopped = true;
                return rc == VG_ENOMEM ? APP_PARSE_ERROR : rc;
            }
            if (++n_records == TLS_RECORDS_PER_CALL_MAX + 1) {
                raise(st, TLS_EV_TOO_MANY_RECORDS_IN_PACKET);
            }
            continue;
        }
        uint32_t take = d->rec_left < len ? d->rec_left : len;
        int rc = record_body(st, dir, data, take);
        d->rec_left -= take;
        data += take;
        len -= take;
        if (rc != 0) {
            d->stopped = true;
            return APP_PARSE_ERROR;
        }
    }
    return APP_PARSE_OK;
}
