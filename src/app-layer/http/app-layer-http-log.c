/* The EVE "http" object of a tx (Suricata's field names), used by http records,
 * alerts and fileinfo records. */
#include "app-layer/http/app-layer-http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static void log_bstr(JsonBuf *jb, const char *key, const bstr *b)
{
    if (b != NULL) {
        json_printable(jb, key, bstr_ptr(b), bstr_len(b));
    }
}

static void log_header(JsonBuf *jb, const HttpTx *ht, uint8_t dir, const char *key,
                       const char *name)
{
    const uint8_t *d;
    uint32_t l;
    if (http_header_value(ht, dir, name, &d, &l)) {
        json_printable(jb, key, d, l);
    }
}

static void log_headers(JsonBuf *jb, const char *key, htp_table_t *t)
{
    json_open_array(jb, key);
    size_t n = t != NULL ? htp_table_size(t) : 0;
    for (size_t i = 0; i < n; i++) {
        htp_header_t *h = htp_table_get_index(t, i, NULL);
        if (h == NULL || h->name == NULL) {
            continue;
        }
        json_open_object(jb, NULL);
        log_bstr(jb, "name", h->name);
        log_bstr(jb, "value", h->value);
        json_close_object(jb);
    }
    json_close_array(jb);
}

/* Content-Type without parameters. */
static void log_content_type(JsonBuf *jb, const HttpTx *ht)
{
    const uint8_t *d;
    uint32_t l;
    if (!http_header_value(ht, APP_DIR_TOCLIENT, "content-type", &d, &l)) {
        return;
    }
    uint32_t n = 0;
    while (n < l && d[n] != ';') {
        n++;
    }
    while (n > 0 && (d[n - 1] == ' ' || d[n - 1] == '\t')) {
        n--;
    }
    json_printable(jb, "http_content_type", d, n);
}

/* The client address from header hdr (X-Forwarded-For): the last (reverse proxy) or
 * first (forward) entry of the list. */
static bool xff_extract(const AppTx *tx, const char *hdr, bool forward, char *buf, size_t size)
{
    const HttpTx *ht = (const HttpTx *)tx;
    const uint8_t *d;
    uint32_t l;
    if (!http_header_value(ht, APP_DIR_TOSERVER, hdr, &d, &l)) {
        return false;
    }
    uint32_t start = 0;
    uint32_t end = l;
    if (!forward) {
        for (uint32_t i = l; i-- > 0;) {
            if (d[i] == ',') {
                start = i + 1;
                break;
            }
        }
    } else {
        for (uint32_t i = 0; i < l; i++) {
            if (d[i] == ',') {
                end = i;
                break;
            }
        }
    }
    while (start < end && isspace(d[start])) {
        start++;
    }
    while (end > start && isspace(d[end - 1])) {
        end--;
    }
    if (end == start || end - start >= size) {
        return false;
    }
    memcpy(buf, d + start, end - start);
    buf[end - start] = '\0';
    return true;
}

bool http_tx_xff(const AppTx *tx, char *buf, size_t size)
{
    const char *hdr = g_http_log_cfg.xff_header ? g_http_log_cfg.xff_header : "X-Forwarded-For";
    return g_http_log_cfg.xff_mode != 0 &&
           xff_extract(tx, hdr, g_http_log_cfg.xff_deployment == 1, buf, size);
}

bool app_layer_tx_xff(const Flow *f, uint64_t tx_id, const char *header, bool forward,
                      char *buf, size_t size)
{
    const AppTx *tx = app_layer_tx_by_id(f, tx_id);
    return tx != NULL && app_layer_tx_proto(f, tx) == APP_PROTO_HTTP1 &&
           xff_extract(tx, header, forward, buf, size);
}

/* text as an address of family fam (4 or 6). */
static bool addr_of(const char *text, uint8_t fam, VgAddr *out)
{
    memset(out, 0, sizeof(*out));
    int af = fam == 4 ? AF_INET : fam == 6 ? AF_INET6 : -1;
    if (af < 0 || inet_pton(af, text, out->a.u8) != 1) {
        return false;
    }
    out->family = fam;
    return true;
}

bool app_layer_http_xff_client(const Flow *f, const AppTx *tx, VgAddr *out)
{
    char xff[128];
    return g_http_log_cfg.xff_mode == 2 && app_layer_tx_proto(f, tx) == APP_PROTO_HTTP1 &&
           http_tx_xff(tx, xff, sizeof(xff)) && addr_of(xff, f->key.src.family, out);
}

static void log_custom(JsonBuf *jb, const HttpTx *ht)
{
    for (const char **c = g_http_log_cfg.custom; c != NULL && *c != NULL; c++) {
        char key[64];
        size_t i = 0;
        for (; (*c)[i] != '\0' && i + 1 < sizeof(key); i++) {
            char ch = (char)tolower((unsigned char)(*c)[i]);
            key[i] = ch == '-' ? '_' : ch;
        }
        key[i] = '\0';
        const uint8_t *d;
        uint32_t l;
        if (http_header_value(ht, APP_DIR_TOSERVER, *c, &d, &l) ||
            http_header_value(ht, APP_DIR_TOCLIENT, *c, &d, &l)) {
            json_printable(jb, key, d, l);
        }
    }
}

/* Suricata's extended set: referer, method, protocol, status, redirect, length. */
static void log_extended(JsonBuf *jb, const HttpTx *ht)
{
    const htp_tx_t *t = ht->htp;
    log_header(jb, ht, APP_DIR_TOSERVER, "http_refer", "referer");
    log_bstr(jb, "http_method", t->request_method);
    log_bstr(jb, "protocol", t->request_protocol);
    if (t->response_status_number > 0) {
        json_u64(jb, "status", (uint64_t)t->response_status_number);
    } else if (t->response_status != NULL) {
        log_bstr(jb, "status_string", t->response_status);
    }
    log_header(jb, ht, APP_DIR_TOCLIENT, "redirect", "location");
    json_u64(jb, "length", t->response_message_len > 0 ? (uint64_t)t->response_message_len : 0);
}

void http_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    const HttpTx *ht = (const HttpTx *)tx;
    const htp_tx_t *t = ht->htp;
    json_open_object(jb, "http");
    if (t == NULL) {
        json_close_object(jb);
        return;
    }
    log_bstr(jb, "hostname", http_tx_hostname(ht));
    if (t->request_port_number > 0) {
        json_u64(jb, "http_port", (uint64_t)t->request_port_number);
    }
    log_bstr(jb, "url", t->request_uri);
    log_header(jb, ht, APP_DIR_TOSERVER, "http_user_agent", "user-agent");
    char xff[128];
    VgAddr xa;
    /* overwrite mode writes it over src_ip (app_layer_http_xff_client) when it can */
    if (http_tx_xff(tx, xff, sizeof(xff)) &&
        (g_http_log_cfg.xff_mode == 1 || !addr_of(xff, f->key.src.family, &xa))) {
        json_str(jb, "xff", xff);
    }
    log_content_type(jb, ht);
    /* Other headers only when named in `custom`: Suricata's extended set is the
     * referer, method, protocol, status, redirect and length below. */
    log_custom(jb, ht); // other headers only when named in `custom`, as Suricata
    if (g_http_log_cfg.extended) {
        log_extended(jb, ht);
    }
    if (g_http_log_cfg.dump_headers & 1) {
        log_headers(jb, "request_headers", t->request_headers);
    }
    if (g_http_log_cfg.dump_headers & 2) {
        log_headers(jb, "response_headers", t->response_headers);
    }
    json_close_object(jb);
}
