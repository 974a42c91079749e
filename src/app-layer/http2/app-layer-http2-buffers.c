/* HTTP/2 buffers for rules. The HTTP ones apply to HTTP/2 streams as Suricata does
 * (rules of protocol http2, and http rules through detect's HTTP/2 rows):
 *
 *   http.uri, http.uri.raw     :path                      (requests)
 *   http.method                :method
 *   http.host                  :authority (else host), lower case, no userinfo or port
 *   http.host.raw              :authority (else host) as sent
 *   http.user_agent, http.referer, http.accept, http.accept_enc, http.accept_lang,
 *   http.connection, http.content_type, http.content_len  the header of that name
 *   http.cookie                cookie headers joined with "; " (responses: set-cookie)
 *   http.stat_code             :status                    (responses)
 *   http.location, http.server the header of that name    (responses)
 *   http.header                every non-pseudo header as "name: value\r\n"
 *   http.protocol              "HTTP/2"
 *   http.request_header,       multi: each header as "name: value"
 *   http.response_header
 *   http.request_body,         DATA payload (first HTTP2_BODY_MAX bytes), growing
 *   http.response_body, file.data
 *   http2.header_name          multi: each header name, both directions
 *   http2.header               multi: each header as "name: value", both directions */
#include "app-layer/http2/app-layer-http2.h"

#include <string.h>

#define TS APP_DIR_TOSERVER
#define TC APP_DIR_TOCLIENT

static const Http2Side *side_of(const AppTx *tx, uint8_t dir)
{
    const Http2Tx *t = http2_tx(tx);
    return t != NULL ? &t->side[dir] : NULL;
}

static bool out(const uint8_t *p, uint32_t n, const uint8_t **data, uint32_t *len)
{
    if (p == NULL) {
        return false;
    }
    *data = p;
    *len = n;
    return true;
}

static bool header(const AppTx *tx, uint8_t dir, const char *name, const uint8_t **data,
                   uint32_t *len)
{
    const Http2Side *s = side_of(tx, dir);
    return s != NULL && http2_header_find(s, name, data, len);
}

#define HDR_GETTER(fn, dir, name)                                                          \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)    \
    {                                                                                      \
        (void)f;                                                                           \
        return header(tx, dir, name, data, len);                                           \
    }

HDR_GETTER(get_uri, TS, ":path")
HDR_GETTER(get_method, TS, ":method")
HDR_GETTER(get_user_agent, TS, "user-agent")
HDR_GETTER(get_referer, TS, "referer")
HDR_GETTER(get_accept, TS, "accept")
HDR_GETTER(get_accept_enc, TS, "accept-encoding")
HDR_GETTER(get_accept_lang, TS, "accept-language")
HDR_GETTER(get_connection_ts, TS, "connection")
HDR_GETTER(get_connection_tc, TC, "connection")
HDR_GETTER(get_content_type_ts, TS, "content-type")
HDR_GETTER(get_content_type_tc, TC, "content-type")
HDR_GETTER(get_content_len_ts, TS, "content-length")
HDR_GETTER(get_content_len_tc, TC, "content-length")
HDR_GETTER(get_stat_code, TC, ":status")
HDR_GETTER(get_location, TC, "location")
HDR_GETTER(get_server, TC, "server")

static bool get_host_raw(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    return header(tx, TS, ":authority", data, len) || header(tx, TS, "host", data, len);
}

static bool get_host(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const Http2Side *s = side_of(tx, TS);
    return s != NULL && out(s->host, s->host_len, data, len);
}

#define SIDE_GETTER(fn, dir, field, field_len)                                             \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)    \
    {                                                                                      \
        (void)f;                                                                           \
        const Http2Side *s = side_of(tx, dir);                                             \
        return s != NULL && out(s->field, s->field_len, data, len);                        \
    }

SIDE_GETTER(get_cookie_ts, TS, cookie, cookie_len)
SIDE_GETTER(get_cookie_tc, TC, cookie, cookie_len)
SIDE_GETTER(get_header_ts, TS, joined, joined_len)
SIDE_GETTER(get_header_tc, TC, joined, joined_len)
SIDE_GETTER(get_body_ts, TS, body, body_len)
SIDE_GETTER(get_body_tc, TC, body, body_len)

static bool get_protocol(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    if (http2_tx(tx) == NULL || http2_tx(tx)->is_global) {
        return false;
    }
    *data = (const uint8_t *)"HTTP/2";
    *len = 6;
    return true;
}

/* "name: value" of header idx, or its name only. */
static bool pair_at(const AppTx *tx, uint8_t dir, uint32_t idx, bool name_only,
                    const uint8_t **data, uint32_t *len)
{
    const Http2Side *s = side_of(tx, dir);
    const uint8_t *n;
    const uint8_t *v;
    uint32_t nl;
    uint32_t vl;
    if (s == NULL || !http2_header_at(s, idx, &n, &nl, &v, &vl)) {
        return false;
    }
    *data = n;
    *len = name_only ? nl : nl + 2 + vl;
    return true;
}

#define MULTI_GETTERS(fn, dir, name_only)                                                  \
    static bool fn##_multi(const Flow *f, const AppTx *tx, uint32_t idx,                   \
                           const uint8_t **data, uint32_t *len)                            \
    {                                                                                      \
        (void)f;                                                                           \
        return pair_at(tx, dir, idx, name_only, data, len);                                \
    }                                                                                      \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)    \
    {                                                                                      \
        return fn##_multi(f, tx, 0, data, len);                                            \
    }

MULTI_GETTERS(get_pair_ts, TS, false)
MULTI_GETTERS(get_pair_tc, TC, false)
MULTI_GETTERS(get_name_ts, TS, true)
MULTI_GETTERS(get_name_tc, TC, true)

#define B(n, d, prog, grow, fn)                                                            \
    {.name = n, .proto = APP_PROTO_HTTP2, .dir = d, .progress = prog, .is_growing = grow,  \
     .get = fn}
#define M(n, d, fn)                                                                        \
    {.name = n, .proto = APP_PROTO_HTTP2, .dir = d, .progress = HTTP2_PROG_DATA,           \
     .get = fn, .get_multi = fn##_multi}

const AppBufferDef http2_buffers[] = {
    B("http.uri", TS, HTTP2_PROG_DATA, false, get_uri),
    B("http.uri.raw", TS, HTTP2_PROG_DATA, false, get_uri),
    B("http.method", TS, HTTP2_PROG_DATA, false, get_method),
    B("http.protocol", TS, HTTP2_PROG_DATA, false, get_protocol),
    B("http.header", TS, HTTP2_PROG_DATA, false, get_header_ts),
    B("http.cookie", TS, HTTP2_PROG_DATA, false, get_cookie_ts),
    B("http.user_agent", TS, HTTP2_PROG_DATA, false, get_user_agent),
    B("http.host", TS, HTTP2_PROG_DATA, false, get_host),
    B("http.host.raw", TS, HTTP2_PROG_DATA, false, get_host_raw),
    B("http.accept", TS, HTTP2_PROG_DATA, false, get_accept),
    B("http.accept_enc", TS, HTTP2_PROG_DATA, false, get_accept_enc),
    B("http.accept_lang", TS, HTTP2_PROG_DATA, false, get_accept_lang),
    B("http.connection", TS, HTTP2_PROG_DATA, false, get_connection_ts),
    B("http.content_type", TS, HTTP2_PROG_DATA, false, get_content_type_ts),
    B("http.content_len", TS, HTTP2_PROG_DATA, false, get_content_len_ts),
    B("http.referer", TS, HTTP2_PROG_DATA, false, get_referer),
    B("http.request_body", TS, HTTP2_PROG_DATA, true, get_body_ts),
    B("file.data", TS, HTTP2_PROG_DATA, true, get_body_ts),
    M("http.request_header", TS, get_pair_ts),
    M("http2.header", TS, get_pair_ts),
    M("http2.header_name", TS, get_name_ts),
    B("http.stat_code", TC, HTTP2_PROG_DATA, false, get_stat_code),
    B("http.protocol", TC, HTTP2_PROG_DATA, false, get_protocol),
    B("http.header", TC, HTTP2_PROG_DATA, false, get_header_tc),
    B("http.cookie", TC, HTTP2_PROG_DATA, false, get_cookie_tc),
    B("http.connection", TC, HTTP2_PROG_DATA, false, get_connection_tc),
    B("http.content_type", TC, HTTP2_PROG_DATA, false, get_content_type_tc),
    B("http.content_len", TC, HTTP2_PROG_DATA, false, get_content_len_tc),
    B("http.location", TC, HTTP2_PROG_DATA, false, get_location),
    B("http.server", TC, HTTP2_PROG_DATA, false, get_server),
    B("http.response_body", TC, HTTP2_PROG_DATA, true, get_body_tc),
    B("file.data", TC, HTTP2_PROG_DATA, true, get_body_tc),
    M("http.response_header", TC, get_pair_tc),
    M("http2.header", TC, get_pair_tc),
    M("http2.header_name", TC, get_name_tc),
};

_Static_assert(sizeof(http2_buffers) / sizeof(http2_buffers[0]) == HTTP2_N_BUFFERS,
               "HTTP2_N_BUFFERS must count http2_buffers");
