/* HTTP buffers rules inspect (AppBufferDef rows) and their getters. Buffers built from
 * several fields (normalised uri, headers, names, start) are made once per tx and
 * direction, when that direction's headers are complete, and kept with the tx. */
#include "app-layer/http/app-layer-http.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static HttpTx *htx(const AppTx *tx)
{
    return (HttpTx *)(uintptr_t)tx;
}

/* A request target's authority that cannot name a host ("CONNECT / HTTP/1.1": libhtp 0.5
 * takes "/" for the host) gives no host: the buffer is absent, as in Suricata 8. Only the
 * characters that end an authority (path, query, fragment, userinfo) or cannot appear in
 * one (space, controls) rule it out. */
bool http_is_hostname(const uint8_t *p, size_t n)
{
    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c <= ' ' || c == 0x7f || c == '/' || c == '?' || c == '#' || c == '@' || c == '\\') {
            return false;
        }
    }
    return true;
}

const bstr *http_tx_hostname(const HttpTx *ht)
{
    const htp_tx_t *t = ht->htp;
    if (t == NULL || t->request_hostname == NULL) {
        return NULL;
    }
    const bstr *h = t->request_hostname;
    bool from_target = t->parsed_uri != NULL && t->parsed_uri->hostname != NULL;
    if (from_target && !http_is_hostname(bstr_ptr(h), bstr_len(h))) {
        return NULL;
    }
    return h;
}

static bool bstr_out(const bstr *b, const uint8_t **data, uint32_t *len)
{
    if (b == NULL) {
        return false;
    }
    *data = bstr_ptr(b);
    *len = (uint32_t)bstr_len(b);
    return true;
}

static htp_table_t *headers_of(const HttpTx *ht, uint8_t dir)
{
    if (ht->htp == NULL) {
        return NULL;
    }
    return dir == APP_DIR_TOSERVER ? ht->htp->request_headers : ht->htp->response_headers;
}

bool http_header_value(const HttpTx *ht, uint8_t dir, const char *name, const uint8_t **data,
                       uint32_t *len)
{
    htp_table_t *t = headers_of(ht, dir);
    if (t == NULL) {
        return false;
    }
    htp_header_t *h = htp_table_get_c(t, name);
    return h != NULL && bstr_out(h->value, data, len);
}

static bool cache_out(HttpTx *ht, int c, const uint8_t **data, uint32_t *len)
{
    if (!ht->cached[c]) {
        return false;
    }
    *data = ht->cache[c].data != NULL ? ht->cache[c].data : (const uint8_t *)"";
    *len = ht->cache[c].len;
    return true;
}

static void cache_add(const Flow *f, HttpTx *ht, int c, const void *p, size_t n)
{
    (void)http_buf_append(app_flow_get(f), &ht->cache[c], p, (uint32_t)n, 1u << 22);
}

static void cache_bstr(const Flow *f, HttpTx *ht, int c, const bstr *b)
{
    if (b != NULL) {
        cache_add(f, ht, c, bstr_ptr(b), bstr_len(b));
    }
}

/* ---- normalised uri (built at the request line; see http_build_uri) ---- */

static int hexval(uint8_t c)
{
    return isdigit(c) ? c - '0' : (isxdigit(c) ? (tolower(c) - 'a' + 10) : -1);
}

/* Decode %XX once more in place; true when anything changed. */
static bool percent_decode(uint8_t *p, uint32_t *len)
{
    uint32_t o = 0;
    bool changed = false;
    for (uint32_t i = 0; i < *len; i++) {
        if (p[i] == '%' && i + 2 < *len + 0 && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
            p[o++] = (uint8_t)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            i += 2;
            changed = true;
        } else {
            p[o++] = p[i];
        }
    }
    *len = o;
    return changed;
}

/* Appends a uri part: decoded `once` more (the query, which libhtp leaves raw), and
 * once more again with `twice` (double-decode-path/-query), *changed telling whether
 * that last decode changed anything. */
static void append_part(const Flow *f, HttpTx *ht, const bstr *b, bool once, bool twice,
                        bool *changed)
{
    if (b == NULL) {
        return;
    }
    uint32_t start = ht->cache[HTTP_C_URI].len;
    cache_bstr(f, ht, HTTP_C_URI, b);
    if (ht->cache[HTTP_C_URI].data == NULL) {
        return;
    }
    uint32_t n = ht->cache[HTTP_C_URI].len - start;
    if (once) {
        (void)percent_decode(ht->cache[HTTP_C_URI].data + start, &n);
    }
    if (twice && percent_decode(ht->cache[HTTP_C_URI].data + start, &n)) {
        *changed = true;
    }
    ht->cache[HTTP_C_URI].len = start + n;
}

void http_build_uri(const Flow *f, HttpTx *ht, const HttpCfg *cfg, bool *double_encoded)
{
    *double_encoded = false;
    if (ht->htp == NULL || ht->cached[HTTP_C_URI]) {
        return;
    }
    const htp_uri_t *u = ht->htp->parsed_uri;
    ht->cached[HTTP_C_URI] = true;
    if (u == NULL) {
        cache_bstr(f, ht, HTTP_C_URI, ht->htp->request_uri);
        return;
    }
    if (cfg->uri_include_all && u->hostname != NULL) {
        if (u->scheme != NULL) {
            cache_bstr(f, ht, HTTP_C_URI, u->scheme);
            cache_add(f, ht, HTTP_C_URI, "://", 3);
        }
        cache_bstr(f, ht, HTTP_C_URI, u->hostname);
        if (u->port != NULL) {
            cache_add(f, ht, HTTP_C_URI, ":", 1);
            cache_bstr(f, ht, HTTP_C_URI, u->port);
        }
    }
    append_part(f, ht, u->path, false, cfg->double_decode_path, double_encoded);
    if (u->query != NULL) {
        /* the query's %XX are decoded as Suricata 8 does ('+' stays) */
        cache_add(f, ht, HTTP_C_URI, "?", 1);
        append_part(f, ht, u->query, true, cfg->double_decode_query, double_encoded);
    }
    if (u->fragment != NULL) {
        cache_add(f, ht, HTTP_C_URI, "#", 1);
        cache_bstr(f, ht, HTTP_C_URI, u->fragment);
    }
}

bool http_get_uri(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    return cache_out(htx(tx), HTTP_C_URI, data, len);
}

/* ---- header-derived buffers ---- */

static bool is_cookie(const bstr *name, uint8_t dir)
{
    const char *c = dir == APP_DIR_TOSERVER ? "cookie" : "set-cookie";
    return bstr_len(name) == strlen(c) && strncasecmp((const char *)bstr_ptr(name), c,
                                                      strlen(c)) == 0;
}

/* kind: 0 normalised headers (no cookie), 1 names, 2 start (line + all headers) */
static bool build_headers(const Flow *f, const AppTx *tx, uint8_t dir, int kind,
                          const uint8_t **data, uint32_t *len)
{
    static const int slots[3][2] = {{HTTP_C_HEADER_TS, HTTP_C_HEADER_TC},
                                    {HTTP_C_NAMES_TS, HTTP_C_NAMES_TC},
                                    {HTTP_C_START_TS, HTTP_C_START_TC}};
    HttpTx *ht = htx(tx);
    int c = slots[kind][dir];
    if (cache_out(ht, c, data, len)) {
        return true;
    }
    htp_table_t *t = headers_of(ht, dir);
    if (t == NULL || tx->progress[dir] < HTTP_PROG_HEADERS) {
        return false;
    }
    if (kind == 1) {
        cache_add(f, ht, c, "\r\n", 2);
    } else if (kind == 2) {
        cache_bstr(f, ht, c, dir == 0 ? ht->htp->request_line : ht->htp->response_line);
        cache_add(f, ht, c, "\r\n", 2);
    }
    size_t n = htp_table_size(t);
    for (size_t i = 0; i < n; i++) {
        htp_header_t *h = htp_table_get_index(t, i, NULL);
        if (h == NULL || h->name == NULL) {
            continue;
        }
        if (kind == 1) {
            cache_bstr(f, ht, c, h->name);
            cache_add(f, ht, c, "\r\n", 2);
            continue;
        }
        if (kind == 0 && is_cookie(h->name, dir)) {
            continue;
        }
        cache_bstr(f, ht, c, h->name);
        cache_add(f, ht, c, ": ", 2);
        cache_bstr(f, ht, c, h->value);
        cache_add(f, ht, c, "\r\n", 2);
    }
    if (kind != 0) {
        cache_add(f, ht, c, "\r\n", 2);
    }
    ht->cached[c] = true;
    return cache_out(ht, c, data, len);
}

#define HDR_GETTERS(dirname, dir)                                                              \
    static bool get_header_##dirname(const Flow *f, const AppTx *tx, const uint8_t **d,        \
                                     uint32_t *l)                                              \
    {                                                                                          \
        return build_headers(f, tx, dir, 0, d, l);                                             \
    }                                                                                          \
    static bool get_names_##dirname(const Flow *f, const AppTx *tx, const uint8_t **d,         \
                                    uint32_t *l)                                               \
    {                                                                                          \
        return build_headers(f, tx, dir, 1, d, l);                                             \
    }                                                                                          \
    static bool get_start_##dirname(const Flow *f, const AppTx *tx, const uint8_t **d,         \
                                    uint32_t *l)                                               \
    {                                                                                          \
        return build_headers(f, tx, dir, 2, d, l);                                             \
    }                                                                                          \
    static bool get_raw_header_##dirname(const Flow *f, const AppTx *tx, const uint8_t **d,    \
                                         uint32_t *l)                                          \
    {                                                                                          \
        (void)f;                                                                               \
        const HttpTx *ht = htx(tx);                                                            \
        if (tx->progress[dir] < HTTP_PROG_HEADERS || ht->raw_hdr[dir].data == NULL) {          \
            return false;                                                                      \
        }                                                                                      \
        *d = ht->raw_hdr[dir].data;                                                            \
        *l = ht->raw_hdr[dir].len;                                                             \
        return true;                                                                           \
    }                                                                                          \
    static bool get_body_##dirname(const Flow *f, const AppTx *tx, const uint8_t **d,          \
                                   uint32_t *l)                                                \
    {                                                                                          \
        return http_body_window(f, tx, dir, d, l);                                             \
    }
HDR_GETTERS(ts, APP_DIR_TOSERVER)
HDR_GETTERS(tc, APP_DIR_TOCLIENT)
#undef HDR_GETTERS

/* One named header of a direction. */
#define HDR_VALUE(fn, dir, name)                                                               \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)             \
    {                                                                                          \
        (void)f;                                                                               \
        return http_header_value(htx(tx), dir, name, d, l);                                    \
    }
HDR_VALUE(get_cookie_ts, APP_DIR_TOSERVER, "cookie")
HDR_VALUE(get_cookie_tc, APP_DIR_TOCLIENT, "set-cookie")
HDR_VALUE(get_user_agent, APP_DIR_TOSERVER, "user-agent")
HDR_VALUE(get_accept, APP_DIR_TOSERVER, "accept")
HDR_VALUE(get_accept_enc, APP_DIR_TOSERVER, "accept-encoding")
HDR_VALUE(get_accept_lang, APP_DIR_TOSERVER, "accept-language")
HDR_VALUE(get_referer, APP_DIR_TOSERVER, "referer")
HDR_VALUE(get_connection_ts, APP_DIR_TOSERVER, "connection")
HDR_VALUE(get_connection_tc, APP_DIR_TOCLIENT, "connection")
HDR_VALUE(get_content_type_ts, APP_DIR_TOSERVER, "content-type")
HDR_VALUE(get_content_type_tc, APP_DIR_TOCLIENT, "content-type")
HDR_VALUE(get_content_len_ts, APP_DIR_TOSERVER, "content-length")
HDR_VALUE(get_content_len_tc, APP_DIR_TOCLIENT, "content-length")
HDR_VALUE(get_location, APP_DIR_TOCLIENT, "location")
HDR_VALUE(get_server, APP_DIR_TOCLIENT, "server")
#undef HDR_VALUE

/* One bstr field of the libhtp tx. */
#define TX_FIELD(fn, field)                                                                    \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)             \
    {                                                                                          \
        (void)f;                                                                               \
        const HttpTx *ht = htx(tx);                                                            \
        return ht->htp != NULL && bstr_out(ht->htp->field, d, l);                              \
    }
TX_FIELD(get_uri_raw, request_uri)
TX_FIELD(get_method, request_method)
TX_FIELD(get_protocol_ts, request_protocol)
TX_FIELD(get_protocol_tc, response_protocol)
TX_FIELD(get_request_line, request_line)
TX_FIELD(get_response_line, response_line)
TX_FIELD(get_stat_code, response_status)
TX_FIELD(get_stat_msg, response_message)
#undef TX_FIELD

static bool get_host(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    const HttpTx *ht = htx(tx);
    return bstr_out(http_tx_hostname(ht), d, l);
}

static bool get_host_raw(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    const HttpTx *ht = htx(tx);
    if (ht->htp != NULL && ht->htp->parsed_uri_raw != NULL &&
        ht->htp->parsed_uri_raw->hostname != NULL) {
        const bstr *h = ht->htp->parsed_uri_raw->hostname;
        if (!http_is_hostname(bstr_ptr(h), bstr_len(h))) {
            return false;
        }
        return bstr_out(h, d, l);
    }
    return http_header_value(ht, APP_DIR_TOSERVER, "host", d, l);
}

/* file.data: the body of the direction as file content (toserver: the uploaded files'
 * data when the request carries files, else a PUT body or a POST body that is not
 * multipart). */
static bool get_file_data_ts(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    const HttpTx *ht = htx(tx);
    if (ht->n_mp_files > 0 && ht->mp_files[0]->f.data_len > 0) {
        *d = ht->mp_files[0]->f.data;
        *l = ht->mp_files[0]->f.data_len;
        return true;
    }
    if (ht->files[0] != NULL) {
        return get_body_ts(f, tx, d, l);
    }
    return false;
}

static bool get_file_data_tc(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    return get_body_tc(f, tx, d, l);
}

/* http.request_header / http.response_header: one instance per header, "Name: Value"
 * as received (names in their case, Cookie included), built in the tx's scratch. */
static bool header_line(const AppTx *tx, uint8_t dir, uint32_t idx, const uint8_t **d,
                        uint32_t *l)
{
    HttpTx *ht = htx(tx);
    htp_table_t *t = tx->progress[dir] >= HTTP_PROG_HEADERS ? headers_of(ht, dir) : NULL;
    htp_header_t *h = t != NULL && idx < htp_table_size(t) ? htp_table_get_index(t, idx, NULL)
                                                          : NULL;
    if (h == NULL || h->name == NULL) {
        return false;
    }
    HttpBuf *b = &ht->line;
    b->len = 0;
    if (!http_buf_append(NULL, b, bstr_ptr(h->name), (uint32_t)bstr_len(h->name), 0) ||
        !http_buf_append(NULL, b, (const uint8_t *)": ", 2, 0) ||
        (h->value != NULL &&
         !http_buf_append(NULL, b, bstr_ptr(h->value), (uint32_t)bstr_len(h->value), 0))) {
        return false;
    }
    *d = b->data;
    *l = b->len;
    return true;
}

static bool get_req_header_at(const Flow *f, const AppTx *tx, uint32_t idx, const uint8_t **d,
                              uint32_t *l)
{
    (void)f;
    return header_line(tx, APP_DIR_TOSERVER, idx, d, l);
}

static bool get_req_header(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    return get_req_header_at(f, tx, 0, d, l);
}

static bool get_resp_header_at(const Flow *f, const AppTx *tx, uint32_t idx, const uint8_t **d,
                               uint32_t *l)
{
    (void)f;
    return header_line(tx, APP_DIR_TOCLIENT, idx, d, l);
}

static bool get_resp_header(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    return get_resp_header_at(f, tx, 0, d, l);
}

#define TS APP_DIR_TOSERVER
#define TC APP_DIR_TOCLIENT
#define M(n, d, fn, fn_at)                                                                     \
    {.name = n, .proto = APP_PROTO_HTTP1, .dir = d, .progress = HTTP_PROG_HEADERS,            \
     .get = fn, .get_multi = fn_at}
#define B(n, d, prog, grow, fn)                                                                \
    {.name = n, .proto = APP_PROTO_HTTP1, .dir = d, .progress = prog, .is_growing = grow,    \
     .get = fn, .is_windowed = grow}
const AppBufferDef http_buffers[HTTP_N_BUFFERS] = {
    B("http.uri", TS, HTTP_PROG_LINE, false, http_get_uri),
    B("http.uri.raw", TS, HTTP_PROG_LINE, false, get_uri_raw),
    B("http.method", TS, HTTP_PROG_LINE, false, get_method),
    B("http.protocol", TS, HTTP_PROG_LINE, false, get_protocol_ts),
    B("http.request_line", TS, HTTP_PROG_LINE, false, get_request_line),
    B("http.start", TS, HTTP_PROG_HEADERS, false, get_start_ts),
    B("http.header", TS, HTTP_PROG_HEADERS, false, get_header_ts),
    B("http.header.raw", TS, HTTP_PROG_HEADERS, false, get_raw_header_ts),
    B("http.header_names", TS, HTTP_PROG_HEADERS, false, get_names_ts),
    B("http.cookie", TS, HTTP_PROG_HEADERS, false, get_cookie_ts),
    B("http.user_agent", TS, HTTP_PROG_HEADERS, false, get_user_agent),
    B("http.host", TS, HTTP_PROG_HEADERS, false, get_host),
    B("http.host.raw", TS, HTTP_PROG_HEADERS, false, get_host_raw),
    B("http.accept", TS, HTTP_PROG_HEADERS, false, get_accept),
    B("http.accept_enc", TS, HTTP_PROG_HEADERS, false, get_accept_enc),
    B("http.accept_lang", TS, HTTP_PROG_HEADERS, false, get_accept_lang),
    B("http.connection", TS, HTTP_PROG_HEADERS, false, get_connection_ts),
    B("http.content_type", TS, HTTP_PROG_HEADERS, false, get_content_type_ts),
    B("http.content_len", TS, HTTP_PROG_HEADERS, false, get_content_len_ts),
    B("http.referer", TS, HTTP_PROG_HEADERS, false, get_referer),
    B("http.request_body", TS, HTTP_PROG_HEADERS, true, get_body_ts),
    B("file.data", TS, HTTP_PROG_HEADERS, true, get_file_data_ts),
    B("http.response_line", TC, HTTP_PROG_LINE, false, get_response_line),
    B("http.stat_code", TC, HTTP_PROG_LINE, false, get_stat_code),
    B("http.stat_msg", TC, HTTP_PROG_LINE, false, get_stat_msg),
    B("http.protocol", TC, HTTP_PROG_LINE, false, get_protocol_tc),
    B("http.start", TC, HTTP_PROG_HEADERS, false, get_start_tc),
    B("http.header", TC, HTTP_PROG_HEADERS, false, get_header_tc),
    B("http.header.raw", TC, HTTP_PROG_HEADERS, false, get_raw_header_tc),
    B("http.header_names", TC, HTTP_PROG_HEADERS, false, get_names_tc),
    B("http.cookie", TC, HTTP_PROG_HEADERS, false, get_cookie_tc),
    B("http.connection", TC, HTTP_PROG_HEADERS, false, get_connection_tc),
    B("http.content_type", TC, HTTP_PROG_HEADERS, false, get_content_type_tc),
    B("http.content_len", TC, HTTP_PROG_HEADERS, false, get_content_len_tc),
    B("http.location", TC, HTTP_PROG_HEADERS, false, get_location),
    B("http.server", TC, HTTP_PROG_HEADERS, false, get_server),
    B("http.response_body", TC, HTTP_PROG_HEADERS, true, get_body_tc),
    B("file.data", TC, HTTP_PROG_HEADERS, true, get_file_data_tc),
    M("http.request_header", TS, get_req_header, get_req_header_at),
    M("http.response_header", TC, get_resp_header, get_resp_header_at),
};
#undef M
#undef B
#undef TS
#undef TC
