/* The EVE "http" object of an HTTP/2 tx, with Suricata 8's field names: the common
 * HTTP fields taken from the headers (hostname, url, http_user_agent, http_method,
 * status, length, http_content_type, http_refer), "version": "2", request_headers and
 * response_headers as name/value pairs, and the "http2" object: stream_id, and per
 * direction the settings, the first error code (GOAWAY / RST_STREAM) and the first
 * priority weight, with "has_multiple" naming a field seen more than once. */
#include "app-layer/http2/app-layer-http2.h"

#include <stdio.h>
#include <string.h>

/* "NO_ERROR" -> "NOERROR" (Suricata writes its enum names without underscores). */
static void squeeze(char *out, size_t cap, const char *prefix, const char *name)
{
    size_t n = 0;
    for (const char *parts[2] = {prefix, name}, **pp = parts; pp < parts + 2; pp++) {
        for (const char *c = *pp; *c != '\0' && n + 1 < cap; c++) {
            if (*c != '_') {
                out[n++] = *c;
            }
        }
    }
    out[n] = '\0';
}

static void log_error_code(JsonBuf *jb, uint32_t code)
{
    char buf[48];
    const char *name = http2_error_code_name(code);
    if (name != NULL) {
        squeeze(buf, sizeof(buf), "", name);
    } else {
        snprintf(buf, sizeof(buf), "%u", code);
    }
    json_str(jb, "error_code", buf);
}

static void log_side(JsonBuf *jb, const Http2Side *s)
{
    if (s->has_settings) {
        json_open_array(jb, "settings");
        for (uint32_t i = 0; i < s->n_settings; i++) {
            char buf[64];
            const char *name = http2_settings_name(s->settings[i].id);
            if (name != NULL) {
                squeeze(buf, sizeof(buf), "", name);
            } else {
                snprintf(buf, sizeof(buf), "SETTINGS%u", s->settings[i].id);
            }
            json_open_object(jb, NULL);
            json_str(jb, "settings_id", buf);
            json_u64(jb, "settings_value", s->settings[i].value);
            json_close_object(jb);
        }
        json_close_array(jb);
    }
    if (s->has_error) {
        log_error_code(jb, s->error_code);
    }
    if (s->n_priorities > 0) {
        json_u64(jb, "priority", s->priorities[0]);
    }
    if (s->multiple_error) {
        json_str(jb, "has_multiple", "error_code");
    } else if (s->n_priorities > 1) {
        json_str(jb, "has_multiple", "priority");
    }
}

static void log_headers(JsonBuf *jb, const char *key, const Http2Side *s)
{
    if (s->n_headers == 0) {
        return;
    }
    json_open_array(jb, key);
    const uint8_t *n;
    const uint8_t *v;
    uint32_t nl;
    uint32_t vl;
    for (uint32_t i = 0; http2_header_at(s, i, &n, &nl, &v, &vl); i++) {
        json_open_object(jb, NULL);
        json_printable(jb, "name", n, nl);
        json_printable(jb, "value", v, vl);
        json_close_object(jb);
    }
    json_close_array(jb);
}

static void log_field(JsonBuf *jb, const Http2Side *s, const char *name, const char *key)
{
    const uint8_t *v;
    uint32_t vl;
    if (http2_header_find(s, name, &v, &vl)) {
        json_printable(jb, key, v, vl);
    }
}

/* A decimal header value as a number (status, length); nothing when it is not one. */
static void log_number(JsonBuf *jb, const Http2Side *s, const char *name, const char *key)
{
    const uint8_t *v;
    uint32_t vl;
    if (!http2_header_find(s, name, &v, &vl) || vl == 0 || vl > 19) {
        return;
    }
    uint64_t x = 0;
    for (uint32_t i = 0; i < vl; i++) {
        if (v[i] < '0' || v[i] > '9') {
            return;
        }
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    json_u64(jb, key, x);
}

void http2_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const Http2Tx *t = http2_tx(tx);
    if (t == NULL) {
        return;
    }
    const Http2Side *rq = &t->side[APP_DIR_TOSERVER];
    const Http2Side *rs = &t->side[APP_DIR_TOCLIENT];
    json_open_object(jb, "http");
    const uint8_t *host;
    uint32_t host_len;
    if (http2_header_find(rq, ":authority", &host, &host_len) ||
        http2_header_find(rq, "host", &host, &host_len)) {
        json_printable(jb, "hostname", host, host_len);
    }
    log_field(jb, rq, ":path", "url");
    log_field(jb, rq, "user-agent", "http_user_agent");
    log_field(jb, rs, "content-type", "http_content_type");
    log_field(jb, rq, "referer", "http_refer");
    log_field(jb, rq, ":method", "http_method");
    log_number(jb, rs, ":status", "status");
    log_number(jb, rs, "content-length", "length");
    json_str(jb, "version", "2");
    log_headers(jb, "request_headers", rq);
    log_headers(jb, "response_headers", rs);
    json_open_object(jb, "http2");
    json_u64(jb, "stream_id", t->stream_id);
    json_open_object(jb, "request");
    log_side(jb, rq);
    json_close_object(jb);
    json_open_object(jb, "response");
    log_side(jb, rs);
    json_close_object(jb);
    json_close_object(jb);
    json_close_object(jb);
}
