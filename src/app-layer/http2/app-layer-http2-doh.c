/* DNS over HTTP/2 (RFC 8484): a request whose body is a DNS message (Content-Type
 * application/dns-message, POST) or whose :path carries one in the dns= parameter
 * (base64url, GET), and a response whose body is one, are parsed by the DNS parser when
 * that direction of the stream ends. The message lives in a DnsTx held by the HTTP/2 tx
 * (never listed among the flow's txs): output writes it as a dns record, as Suricata
 * does for doh2, and detect inspects it as a DNS tx (app_layer_tx_sub: dns keywords
 * and dns rules apply). A message longer than 65535 bytes is not parsed (the too_long events
 * are raised while the body grows). The first message makes the flow's app_proto doh2
 * (app_proto_orig http2) unless app-layer.protocols.doh2.enabled is no. Memory: the
 * DnsTx and its message are charged to the http2 memcap. */
#include "app-layer/http2/app-layer-http2-internal.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/dns/app-layer-dns.h"
#include "util/util-error.h"

#define DOH_MSG_MAX 65535

static int b64url_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

uint32_t http2_b64url_decode(const uint8_t *in, uint32_t n, uint8_t *out, uint32_t cap)
{
    uint32_t acc = 0;
    uint32_t bits = 0;
    uint32_t o = 0;
    for (uint32_t i = 0; i < n && in[i] != '='; i++) {
        int v = b64url_value(in[i]);
        if (v < 0) {
            return 0;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap) {
                return 0;
            }
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    return o;
}

/* The dns= parameter of a GET's :path, decoded into buf; its length, 0 when none. */
static uint32_t get_param(const Http2Side *rq, uint8_t *buf, uint32_t cap)
{
    const uint8_t *path;
    uint32_t n;
    if (!http2_header_find(rq, ":path", &path, &n)) {
        return 0;
    }
    const uint8_t *q = memchr(path, '?', n);
    while (q != NULL) {
        const uint8_t *p = q + 1;
        uint32_t left = n - (uint32_t)(p - path);
        const uint8_t *amp = memchr(p, '&', left);
        uint32_t len = amp != NULL ? (uint32_t)(amp - p) : left;
        if (len > 4 && memcmp(p, "dns=", 4) == 0) {
            return http2_b64url_decode(p + 4, len - 4, buf, cap);
        }
        q = amp;
    }
    return 0;
}

void http2_doh_parse(AppFlow *af, Http2Tx *t, uint8_t dir)
{
    Http2Side *s = &t->side[dir];
    if (s->doh != NULL) {
        return;
    }
    static _Thread_local uint8_t getbuf[DOH_MSG_MAX];
    const uint8_t *msg = NULL;
    uint32_t len = 0;
    if (s->is_dns_message && !s->dns_too_long && s->file.size == s->body_len) {
        msg = s->body;
        len = s->body_len;
    } else if (dir == APP_DIR_TOSERVER) {
        len = get_param(s, getbuf, sizeof(getbuf));
        msg = getbuf;
    }
    if (msg == NULL || len < DNS_HEADER_LEN || !app_mem_charge(af, sizeof(DnsTx))) {
        return;
    }
    DnsTx *dt = calloc(1, sizeof(*dt));
    if (dt == NULL) {
        app_mem_release(af, sizeof(DnsTx));
        return;
    }
    int rc = dns_message_parse(msg, len, &dt->msg);
    size_t mem = dns_message_mem(&dt->msg);
    if ((rc != 0 && rc != VG_EINVAL) || !app_mem_charge(af, mem)) {
        dns_message_deinit(&dt->msg);
        free(dt);
        app_mem_release(af, sizeof(DnsTx));
        return;
    }
    dt->mem_bytes = (uint32_t)mem;
    dt->tx.proto = APP_PROTO_DNS;
    dt->tx.id = t->tx.id;
    dt->tx.progress[0] = dt->tx.progress[1] = DNS_PROG_DONE;   // one message, both done
    dt->tx.flags = APP_TX_F_UPDATED_TS | APP_TX_F_UPDATED_TC;  // for detect, once
    dt->dir = dir;
    dt->has_msg = true;
    s->doh = dt;
    if (af->f != NULL && af->f->app_proto == APP_PROTO_HTTP2 &&
        app_layer_proto_enabled(APP_PROTO_DOH2)) {
        af->f->app_proto = APP_PROTO_DOH2;
        if (af->orig == APP_PROTO_UNKNOWN) {
            af->orig = APP_PROTO_HTTP2;
        }
    }
}

void http2_doh_free(AppFlow *af, Http2Side *s)
{
    DnsTx *dt = s->doh;
    if (dt == NULL) {
        return;
    }
    if (af != NULL) {
        app_mem_release(af, sizeof(DnsTx) + dt->mem_bytes);
    }
    if (dt->tx.detect_state != NULL && g_app_cfg.detect_state_free != NULL) {
        g_app_cfg.detect_state_free(dt->tx.detect_state);
    }
    dns_message_deinit(&dt->msg);
    free(dt);
    s->doh = NULL;
}

AppTx *http2_tx_doh(const AppTx *tx, uint8_t dir)
{
    const Http2Tx *t = http2_tx(tx);
    if (t == NULL || dir > 1 || t->side[dir].doh == NULL) {
        return NULL;
    }
    return &((DnsTx *)t->side[dir].doh)->tx;
}

AppTx *http2_tx_sub(const AppTx *tx, uint32_t idx)
{
    return http2_tx_doh(tx, (uint8_t)idx);
}
