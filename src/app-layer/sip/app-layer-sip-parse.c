/* SIP message heads (RFC 3261 section 7): the start line (request line, section 7.1, or
 * status line, section 7.2) and the header lines (section 7.3), with folded lines
 * (section 7.3.1) joined and compact names (section 7.3.3) recognised. Pure functions:
 * no flow, no memcap (the caller charges sip_message_mem). */
#include "app-layer/sip/app-layer-sip.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app-layer/app-layer-internal.h"
#include "util/util-error.h"

#define SIP_METHOD_MAX 32        // longer tokens are not taken for a method when probing

/* token (RFC 3261 section 25.1) */
static bool is_token_char(uint8_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return c != 0 && strchr("-.!%*_+`'~", c) != NULL;
}

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* "SIP/" 1*DIGIT "." 1*DIGIT at p (n bytes); length used, 0 if not one. */
static uint32_t version_len(const uint8_t *p, uint32_t n)
{
    if (n < 7 || strncasecmp((const char *)p, "SIP/", 4) != 0) {
        return 0;
    }
    uint32_t i = 4;
    uint32_t d = i;
    while (i < n && is_digit(p[i])) {
        i++;
    }
    if (i == d || i >= n || p[i] != '.') {
        return 0;
    }
    d = ++i;
    while (i < n && is_digit(p[i])) {
        i++;
    }
    return i == d ? 0 : i;
}

static const struct {
    const char *name;            // long form
    char compact;                // RFC 3261 section 7.3.3 (0: none)
    uint8_t kind;
} hdr_names[] = {
    {"From", 'f', SIP_HDR_FROM},
    {"To", 't', SIP_HDR_TO},
    {"Via", 'v', SIP_HDR_VIA},
    {"User-Agent", 0, SIP_HDR_USER_AGENT},
    {"Content-Type", 'c', SIP_HDR_CONTENT_TYPE},
    {"Content-Length", 'l', SIP_HDR_CONTENT_LENGTH},
};

uint8_t sip_header_kind(const uint8_t *name, uint32_t len)
{
    for (size_t i = 0; i < sizeof(hdr_names) / sizeof(hdr_names[0]); i++) {
        if (len == 1 && hdr_names[i].compact != 0 &&
            (name[0] | 0x20) == hdr_names[i].compact) {
            return hdr_names[i].kind;
        }
        if (len == strlen(hdr_names[i].name) &&
            strncasecmp((const char *)name, hdr_names[i].name, len) == 0) {
            return hdr_names[i].kind;
        }
    }
    return SIP_HDR_OTHER;
}

uint32_t sip_find_head_end(const uint8_t *data, uint32_t len, uint32_t *head_len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (data[i] != '\n') {
            continue;
        }
        /* LF then (CR) LF: the empty line */
        uint32_t j = i + 1;
        if (j < len && data[j] == '\r') {
            j++;
        }
        if (j < len && data[j] == '\n') {
            *head_len = (i > 0 && data[i - 1] == '\r') ? i - 1 : i;
            return j + 1;
        }
    }
    return 0;
}

/* Request line: Method SP Request-URI SP SIP-Version. */
static bool parse_request_line(const uint8_t *p, uint32_t n, SipMessage *m)
{
    uint32_t i = 0;
    while (i < n && is_token_char(p[i])) {
        i++;
    }
    if (i == 0 || i >= n || p[i] != ' ') {
        return false;
    }
    m->method = (SipSpan){0, i};
    uint32_t u = ++i;
    while (i < n && p[i] != ' ' && !is_blank(p[i])) {
        i++;
    }
    if (i == u || i >= n || p[i] != ' ') {
        return false;
    }
    m->uri = (SipSpan){u, i - u};
    uint32_t v = ++i;
    uint32_t vl = version_len(p + v, n - v);
    if (vl == 0 || v + vl != n) {
        return false;
    }
    m->version = (SipSpan){v, vl};
    m->is_request = true;
    return true;
}

/* Status line: SIP-Version SP Status-Code SP Reason-Phrase (the reason may be empty). */
static bool parse_status_line(const uint8_t *p, uint32_t n, SipMessage *m)
{
    uint32_t vl = version_len(p, n);
    if (vl == 0 || n < vl + 4 || p[vl] != ' ' || !is_digit(p[vl + 1]) ||
        !is_digit(p[vl + 2]) || !is_digit(p[vl + 3])) {
        return false;
    }
    if (n > vl + 4 && p[vl + 4] != ' ') {
        return false;
    }
    m->version = (SipSpan){0, vl};
    m->code = (SipSpan){vl + 1, 3};
    uint32_t r = n > vl + 4 ? vl + 5 : n;
    m->reason = (SipSpan){r, n - r};
    m->is_request = false;
    return true;
}

int sip_probe_start(const uint8_t *data, uint32_t len)
{
    static const char ver[] = "SIP/2.0 ";
    uint32_t n = len < 8 ? len : 8;
    if (strncasecmp((const char *)data, ver, n) == 0) {
        return len < 8 ? APP_PROBE_MORE : APP_PROBE_YES;
    }
    uint32_t i = 0;
    while (i < len && i <= SIP_METHOD_MAX && data[i] >= 'A' && data[i] <= 'Z') {
        i++;
    }
    if (i == len && i <= SIP_METHOD_MAX) {
        return APP_PROBE_MORE;
    }
    if (i == 0 || i > SIP_METHOD_MAX || data[i] != ' ') {
        return APP_PROBE_NO;
    }
    /* The request line must end in a SIP version. */
    const uint8_t *lf = memchr(data, '\n', len);
    if (lf == NULL) {
        return len < 1024 ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    uint32_t n_line = (uint32_t)(lf - data);
    if (n_line > 0 && data[n_line - 1] == '\r') {
        n_line--;
    }
    SipMessage m;
    memset(&m, 0, sizeof(m));
    return parse_request_line(data, n_line, &m) ? APP_PROBE_YES : APP_PROBE_NO;
}

/* Joins folded header lines in place: a line break followed by blanks becomes blanks
 * (section 7.3.1 makes them equivalent to one SP). The start line is never folded. */
static void unfold(uint8_t *h, uint32_t len, uint32_t from)
{
    for (uint32_t i = from; i + 1 < len; i++) {
        if (h[i] == '\n' && is_blank(h[i + 1])) {
            h[i] = ' ';
            if (i > from && h[i - 1] == '\r') {
                h[i - 1] = ' ';
            }
        }
    }
}

static SipSpan trim(const uint8_t *h, uint32_t off, uint32_t end)
{
    while (off < end && is_blank(h[off])) {
        off++;
    }
    while (end > off && is_blank(h[end - 1])) {
        end--;
    }
    return (SipSpan){off, end - off};
}

/* One header line h[off..end): name HCOLON value. */
static bool parse_header(SipMessage *m, uint32_t off, uint32_t end)
{
    const uint8_t *h = m->head;
    uint32_t i = off;
    while (i < end && is_token_char(h[i])) {
        i++;
    }
    if (i == off) {
        return false;
    }
    SipSpan name = {off, i - off};
    while (i < end && is_blank(h[i])) {
        i++;
    }
    if (i >= end || h[i] != ':') {
        return false;
    }
    SipSpan value = trim(h, i + 1, end);
    uint8_t kind = sip_header_kind(h + name.off, name.len);
    if (kind == SIP_HDR_CONTENT_LENGTH && value.len > 0) {
        uint64_t v = 0;
        bool ok = true;
        for (uint32_t k = 0; k < value.len && ok; k++) {
            uint8_t c = h[value.off + k];
            ok = is_digit(c);
            v = v > (UINT64_MAX - 9) / 10 ? UINT64_MAX : v * 10 + (uint64_t)(c - '0');
        }
        if (ok && !m->has_content_length) {
            m->has_content_length = true;
            m->content_length = v;
        }
    }
    if (m->n_headers < SIP_HEADERS_MAX) {
        m->headers[m->n_headers++] = (SipHeader){.name = name, .value = value, .kind = kind};
    }
    return true;
}

static uint32_t line_end(const uint8_t *h, uint32_t off, uint32_t len, uint32_t *next)
{
    const uint8_t *lf = memchr(h + off, '\n', len - off);
    uint32_t e = lf != NULL ? (uint32_t)(lf - h) : len;
    *next = lf != NULL ? e + 1 : len;
    if (e > off && h[e - 1] == '\r') {
        e--;
    }
    return e;
}

int sip_message_parse(const uint8_t *data, uint32_t len, SipMessage *m)
{
    memset(m, 0, sizeof(*m));
    if (len == 0 || len > SIP_HEAD_MAX) {
        return VG_EINVAL;
    }
    uint32_t n_lines = 1;
    for (uint32_t i = 0; i < len; i++) {
        n_lines += data[i] == '\n';
    }
    uint32_t n_hdr = n_lines < SIP_HEADERS_MAX ? n_lines : SIP_HEADERS_MAX;
    m->head = malloc(len);
    m->headers = calloc(n_hdr, sizeof(*m->headers));
    if (m->head == NULL || m->headers == NULL) {
        sip_message_deinit(m);
        return VG_ENOMEM;
    }
    memcpy(m->head, data, len);
    m->head_len = len;
    m->headers_cap = n_hdr;
    uint32_t next = 0;
    uint32_t e = line_end(m->head, 0, len, &next);
    m->line = (SipSpan){0, e};
    if (!parse_request_line(m->head, e, m) && !parse_status_line(m->head, e, m)) {
        sip_message_deinit(m);
        return VG_EINVAL;
    }
    unfold(m->head, len, next);
    bool ok = true;
    for (uint32_t off = next; off < len; off = next) {
        e = line_end(m->head, off, len, &next);
        if (e > off && !parse_header(m, off, e)) {
            ok = false;          // kept: the start line and the headers parsed so far
        }
    }
    return ok ? 0 : VG_EINVAL;
}

void sip_message_deinit(SipMessage *m)
{
    free(m->head);
    free(m->headers);
    m->head = NULL;
    m->headers = NULL;
    m->head_len = 0;
    m->n_headers = 0;
    m->headers_cap = 0;
}

uint32_t sip_message_mem(const SipMessage *m)
{
    if (m->head == NULL) {
        return 0;
    }
    return m->head_len + m->headers_cap * (uint32_t)sizeof(SipHeader);
}
