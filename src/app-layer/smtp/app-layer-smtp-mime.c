/* MIME decoding of one mail message, line by line (RFC 2045-2047, 2231, RFC 5322):
 *
 * - header blocks: unfolded (a line starting with SP/HT continues the header, RFC 5322
 *   2.2.3), a value kept up to MIME_HEADER_VALUE_MAX bytes (mime_long_header_value);
 *   the message's own header block gives the email fields (from, to, cc, subject, ...);
 *   every entity's Content-Type / Content-Transfer-Encoding / Content-Disposition give
 *   its kind, boundary, encoding and file name (RFC 2231 continuations joined).
 * - multipart bodies: a stack of open boundaries, at most MIME_MAX_DEPTH deep (deeper
 *   parts are body of their parent: mime_parse_failed); "--b" starts a part, "--b--"
 *   closes the multipart.
 * - leaf bodies: base64 and quoted-printable decoded as they come (invalid input raises
 *   mime_invalid_base64 / mime_invalid_qp and is skipped); parts with a file name go to
 *   the attachment callbacks; text parts are scanned for URLs line by line.
 *
 * Memory: the header being read (at most name + MIME_HEADER_VALUE_MAX bytes), the entity
 * stack, a decoded text line (URL scan, MIME_TEXT_MAX bytes), the kept fields and lists
 * (bounded by MIME_MAX_LIST); all charged to the smtp memcap through the tx's flow. A
 * MIME bomb (deep nesting, endless headers or lines) costs no more than these bounds. */
#include "app-layer/smtp/app-layer-smtp.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define MIME_HDR_BUF (MIME_HEADER_NAME_MAX + 2 + MIME_HEADER_VALUE_MAX)
#define MIME_TEXT_MAX 4096
#define MIME_NAME_MAX 255

enum { ENC_PLAIN = 0, ENC_B64, ENC_QP };

struct MimeEntity {
    uint8_t boundary[MIME_BOUNDARY_MAX];   // of this multipart (len 0: a leaf)
    uint32_t boundary_len;
    bool in_header;              // reading the entity's header block
    bool is_message;             // the top-level message header block
    bool is_multipart;
    bool is_text;
    uint8_t enc;
    uint8_t name[MIME_NAME_MAX]; // file name (filename=, name=, RFC 2231 pieces)
    uint32_t name_len;
    bool has_name;
    bool file_open;
    uint8_t b64[4];
    uint8_t b64_len;
    bool b64_bad;
    bool qp_bad;
    bool crlf_pending;           // the last line's end: data unless a boundary follows
    uint8_t *text;               // decoded text line (URL scan)
    uint32_t text_len;
};

static void ev(SmtpMime *m, uint32_t e)
{
    app_tx_event(m->af, m->tx, e);
}

static MimeEntity *ent_new(SmtpMime *m)
{
    if (!app_mem_charge(m->af, sizeof(MimeEntity))) {
        return NULL;
    }
    MimeEntity *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        app_mem_release(m->af, sizeof(MimeEntity));
    }
    return e;
}

static void ent_free(SmtpMime *m, MimeEntity *e)
{
    if (e == NULL) {
        return;
    }
    if (e->text != NULL) {
        app_mem_release(m->af, MIME_TEXT_MAX);
        free(e->text);
    }
    app_mem_release(m->af, sizeof(MimeEntity));
    free(e);
}

/* app-layer.protocols.smtp.mime.body-md5: no (default, as Suricata 8), yes, or auto
 * (only when a loaded rule inspects email.body_md5). Start-up only. */
enum { BODY_MD5_NO = 0, BODY_MD5_YES, BODY_MD5_AUTO };
static uint8_t g_body_md5;
#define MD5_CTX_CHARGE 256   // what an EVP_MD_CTX with its MD5 state costs, about

static bool body_md5_wanted(void)
{
    static _Atomic int buf_id = -2;   // email.body_md5's registry id, looked up once
    if (g_body_md5 != BODY_MD5_AUTO) {
        return g_body_md5 == BODY_MD5_YES;
    }
    int id = atomic_load_explicit(&buf_id, memory_order_relaxed);
    if (id == -2) {
        id = app_layer_buffer_find("email.body_md5");
        atomic_store_explicit(&buf_id, id, memory_order_relaxed);
    }
    return app_layer_buffer_needed(id);
}

void smtp_mime_init(SmtpMime *m, AppFlow *af, AppTx *tx)
{
    memset(m, 0, sizeof(*m));
    m->af = af;
    m->tx = tx;
    m->md5_want = body_md5_wanted();
}

static void md5_drop(SmtpMime *m)
{
    if (m->md5 != NULL) {
        EVP_MD_CTX_free(m->md5);
        m->md5 = NULL;
        app_mem_release(m->af, MD5_CTX_CHARGE);
    }
}

void smtp_mime_raw(SmtpMime *m, const uint8_t *line, uint32_t len, const char *eol)
{
    if (!m->md5_want || m->has_body_md5 || m->ent[0] == NULL || m->ent[0]->in_header) {
        return;
    }
    if (m->md5 == NULL) {
        if (!app_mem_charge(m->af, MD5_CTX_CHARGE)) {
            m->md5_want = false;
            return;
        }
        m->md5 = EVP_MD_CTX_new();
        if (m->md5 == NULL || EVP_DigestInit_ex(m->md5, EVP_md5(), NULL) != 1) {
            md5_drop(m);
            m->md5_want = false;
            return;
        }
    }
    (void)EVP_DigestUpdate(m->md5, line, len);
    (void)EVP_DigestUpdate(m->md5, eol, strlen(eol));
}

static void md5_finish(SmtpMime *m)
{
    if (m->md5 == NULL) {
        return;
    }
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(m->md5, d, &n) == 1 && n == 16) {
        for (unsigned int i = 0; i < n; i++) {
            snprintf(m->body_md5 + 2 * i, 3, "%02x", d[i]);
        }
        m->has_body_md5 = true;
    }
    md5_drop(m);
}

static bool started(SmtpMime *m)
{
    if (m->ent[0] != NULL) {
        return true;
    }
    if (m->status != MIME_ST_HEADER) {
        return false;
    }
    m->ent[0] = ent_new(m);
    if (m->ent[0] == NULL) {
        m->status = MIME_ST_ERROR;
        return false;
    }
    m->ent[0]->in_header = true;
    m->ent[0]->is_message = true;
    m->ent[0]->is_text = true;   // RFC 2045 5.2: text/plain by default
    m->depth = 0;
    return true;
}

/* ---- URLs ---- */

static bool url_stop(uint8_t c)
{
    return isspace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '(' ||
           c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '\\' || c == '^' ||
           c == '`' || c == '|';
}

static void url_add(SmtpMime *m, const uint8_t *u, uint32_t n)
{
    SmtpList *l = &m->list[MIME_L_URL];
    for (uint32_t i = 0; i < l->n; i++) {
        if (l->v[i].len == n && memcmp(l->v[i].p, u, n) == 0) {
            return;
        }
    }
    (void)smtp_list_add(m->af, l, u, n, MIME_MAX_LIST);
}

/* app-layer.protocols.smtp.mime.extract-urls, extract-urls-schemes, log-url-scheme
 * (Suricata's settings and defaults: http only, scheme not logged). Start-up only. */
#define MIME_MAX_SCHEMES 8
static struct {
    bool extract;
    bool log_scheme;
    char scheme[MIME_MAX_SCHEMES][24];   // "http://"
    uint32_t n;
} g_url_cfg = {.extract = true, .scheme = {"http://"}, .n = 1};

int smtp_mime_config(const struct Conf *conf)
{
    snprintf(g_url_cfg.scheme[0], sizeof(g_url_cfg.scheme[0]), "http://");
    g_url_cfg.n = 1;
    g_url_cfg.extract = true;
    g_url_cfg.log_scheme = false;
    g_body_md5 = BODY_MD5_NO;
    if (conf == NULL) {
        return 0;
    }
    bool bad = false;
    const char *md5 = conf_str_or(conf, "app-layer.protocols.smtp.mime.body-md5", "no");
    bool md5_on = false;
    if (strcasecmp(md5, "auto") == 0) {
        g_body_md5 = BODY_MD5_AUTO;
    } else if (conf_parse_bool(md5, &md5_on)) {
        g_body_md5 = md5_on ? BODY_MD5_YES : BODY_MD5_NO;
    } else {
        const ConfNode *n = conf_get_node(conf, NULL, "app-layer.protocols.smtp.mime.body-md5");
        VG_ERROR("%s:%d: app-layer.protocols.smtp.mime.body-md5: '%s': expected yes, no or auto",
                 n != NULL ? n->file : "?", n != NULL ? n->line : 0, md5);
        return VG_EINVAL;
    }
    g_url_cfg.extract = conf_bool_or(conf, "app-layer.protocols.smtp.mime.extract-urls", true,
                                     &bad);
    g_url_cfg.log_scheme =
        conf_bool_or(conf, "app-layer.protocols.smtp.mime.log-url-scheme", false, &bad);
    if (bad) {
        VG_ERROR("app-layer.protocols.smtp.mime: extract-urls and log-url-scheme take yes or no");
        return VG_EINVAL;
    }
    const ConfNode *l =
        conf_get_node(conf, NULL, "app-layer.protocols.smtp.mime.extract-urls-schemes");
    if (l == NULL) {
        return 0;
    }
    g_url_cfg.n = 0;
    for (const ConfNode *c = l->first_child; c != NULL; c = c->next) {
        size_t n = c->value != NULL ? strcspn(c->value, ":") : 0;
        if (n == 0 || n > 16 || g_url_cfg.n == MIME_MAX_SCHEMES) {
            VG_ERROR("%s:%d: app-layer.protocols.smtp.mime.extract-urls-schemes: expected "
                     "at most %d scheme names such as http, https, ftp",
                     c->file, c->line, MIME_MAX_SCHEMES);
            return VG_EINVAL;
        }
        snprintf(g_url_cfg.scheme[g_url_cfg.n++], sizeof(g_url_cfg.scheme[0]), "%.*s://",
                 (int)n, c->value);
    }
    return 0;
}

/* URLs of a decoded text line with one of the configured schemes, kept with or without
 * the scheme. */
static void url_scan(SmtpMime *m, const uint8_t *p, uint32_t len)
{
    if (!g_url_cfg.extract) {
        return;
    }
    for (uint32_t i = 0; i < len; i++) {
        for (uint32_t k = 0; k < g_url_cfg.n; k++) {
            const char *scheme = g_url_cfg.scheme[k];
            uint32_t sl = (uint32_t)strlen(scheme);
            if (i + sl >= len || strncasecmp((const char *)p + i, scheme, sl) != 0) {
                continue;
            }
            uint32_t s = i + sl;
            uint32_t e = s;
            while (e < len && !url_stop(p[e])) {
                e++;
            }
            if (e > s) {
                uint32_t from = g_url_cfg.log_scheme ? i : s;
                url_add(m, p + from, e - from);
            }
            i = e - 1;
            break;
        }
    }
}

static void text_flush(SmtpMime *m, MimeEntity *e)
{
    if (e->text_len > 0) {
        url_scan(m, e->text, e->text_len);
        e->text_len = 0;
    }
}

static void text_add(SmtpMime *m, MimeEntity *e, const uint8_t *d, uint32_t len)
{
    if (e->text == NULL) {
        if (!app_mem_charge(m->af, MIME_TEXT_MAX)) {
            return;
        }
        e->text = malloc(MIME_TEXT_MAX);
        if (e->text == NULL) {
            app_mem_release(m->af, MIME_TEXT_MAX);
            return;
        }
    }
    for (uint32_t i = 0; i < len; i++) {
        if (d[i] == '\n' || e->text_len == MIME_TEXT_MAX) {
            text_flush(m, e);
        }
        if (d[i] != '\n') {
            e->text[e->text_len++] = d[i];
        }
    }
}

/* ---- decoded body output ---- */

static void out(SmtpMime *m, MimeEntity *e, const uint8_t *d, uint32_t len)
{
    if (len == 0) {
        return;
    }
    if (e->file_open) {
        m->file_data(m->user, d, len);
    } else if (e->is_text) {
        text_add(m, e, d, len);
    }
}

static int b64_val(uint8_t c)
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
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static void b64_group(SmtpMime *m, MimeEntity *e)
{
    uint8_t v[4] = {0, 0, 0, 0};
    uint32_t n = 0;
    for (uint32_t i = 0; i < e->b64_len; i++) {
        if (e->b64[i] == '=') {
            break;
        }
        v[i] = (uint8_t)b64_val(e->b64[i]);
        n++;
    }
    uint8_t o[3] = {(uint8_t)(v[0] << 2 | v[1] >> 4), (uint8_t)(v[1] << 4 | v[2] >> 2),
                    (uint8_t)(v[2] << 6 | v[3])};
    uint32_t olen = n >= 2 ? n - 1 : 0;
    out(m, e, o, olen);
    e->b64_len = 0;
}

static void b64_line(SmtpMime *m, MimeEntity *e, const uint8_t *p, uint32_t len)
{
    uint8_t buf[192];
    uint32_t bl = 0;
    for (uint32_t i = 0; i < len; i++) {
        uint8_t c = p[i];
        if (c == ' ' || c == '\t' || c == '\r') {
            continue;
        }
        if (c != '=' && b64_val(c) < 0) {
            if (!e->b64_bad) {
                e->b64_bad = true;
                ev(m, SMTP_EV_MIME_INVALID_BASE64);
            }
            continue;
        }
        e->b64[e->b64_len++] = c;
        if (e->b64_len < 4) {
            continue;
        }
        if (e->b64[0] == '=' || e->b64[1] == '=' || e->b64[2] == '=' || e->b64[3] == '=') {
            out(m, e, buf, bl);  // padding: flush what came before, in order
            bl = 0;
            b64_group(m, e);
            continue;
        }
        int v0 = b64_val(e->b64[0]), v1 = b64_val(e->b64[1]);
        int v2 = b64_val(e->b64[2]), v3 = b64_val(e->b64[3]);
        buf[bl++] = (uint8_t)(v0 << 2 | v1 >> 4);
        buf[bl++] = (uint8_t)(v1 << 4 | v2 >> 2);
        buf[bl++] = (uint8_t)(v2 << 6 | v3);
        e->b64_len = 0;
        if (bl + 3 > sizeof(buf)) {
            out(m, e, buf, bl);
            bl = 0;
        }
    }
    out(m, e, buf, bl);
}

static int hexv(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (uint8_t)toupper(c);
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Quoted-printable (RFC 2045 6.7); a line ending in "=" is a soft break. */
static void qp_line(SmtpMime *m, MimeEntity *e, const uint8_t *p, uint32_t len, bool partial)
{
    uint8_t buf[256];
    uint32_t bl = 0;
    bool soft = false;
    uint32_t end = len;
    while (!partial && end > 0 && (p[end - 1] == ' ' || p[end - 1] == '\t')) {
        end--;                   // trailing white space is not data (6.7 rule 3)
    }
    for (uint32_t i = 0; i < end; i++) {
        uint8_t c = p[i];
        if (c == '=') {
            if (i + 1 == end) {
                soft = true;
                break;
            }
            int h = i + 1 < end ? hexv(p[i + 1]) : -1;
            int l = i + 2 < end ? hexv(p[i + 2]) : -1;
            if (h >= 0 && l >= 0) {
                c = (uint8_t)(h << 4 | l);
                i += 2;
            } else if (!e->qp_bad) {
                e->qp_bad = true;
                ev(m, SMTP_EV_MIME_INVALID_QP);
            }
        }
        buf[bl++] = c;
        if (bl == sizeof(buf)) {
            out(m, e, buf, bl);
            bl = 0;
        }
    }
    out(m, e, buf, bl);
    e->crlf_pending = !partial && !soft;
}

static void body_line(SmtpMime *m, MimeEntity *e, const uint8_t *p, uint32_t len, bool partial)
{
    if (e->is_multipart) {
        return;                  // preamble / epilogue
    }
    if (e->crlf_pending) {
        /* RFC 2046 5.1.1: the line end before a boundary belongs to the boundary, so a
         * line's end is data only once another line follows */
        e->crlf_pending = false;
        out(m, e, (const uint8_t *)"\r\n", 2);
    }
    switch (e->enc) {
    case ENC_B64:
        b64_line(m, e, p, len);
        break;
    case ENC_QP:
        qp_line(m, e, p, len, partial);
        break;
    default:
        out(m, e, p, len);
        e->crlf_pending = !partial;
        break;
    }
}

/* ---- headers ---- */

/* The value of parameter name in a header value (RFC 2045 5.1), unquoted; RFC 2231
 * continuations name*0, name*1* ... are joined (their charset prefix dropped). */
static uint32_t param(const uint8_t *v, uint32_t vlen, const char *name, uint8_t *o, uint32_t cap,
                      bool *found)
{
    uint32_t n = (uint32_t)strlen(name);
    uint32_t ol = 0;
    *found = false;
    for (uint32_t i = 0; i < vlen;) {
        while (i < vlen && (v[i] == ';' || isspace(v[i]))) {
            i++;
        }
        uint32_t ks = i;
        while (i < vlen && v[i] != '=' && v[i] != ';') {
            i++;
        }
        uint32_t ke = i;
        while (ke > ks && isspace(v[ke - 1])) {
            ke--;
        }
        if (i >= vlen || v[i] != '=') {
            continue;
        }
        i++;
        while (i < vlen && isspace(v[i])) {
            i++;
        }
        uint32_t vs = i, ve;
        if (i < vlen && v[i] == '"') {
            vs = ++i;
            while (i < vlen && v[i] != '"') {
                i += (v[i] == '\\' && i + 1 < vlen) ? 2 : 1;
            }
            ve = i < vlen ? i : vlen;
            i = i < vlen ? i + 1 : vlen;
        } else {
            while (i < vlen && v[i] != ';') {
                i++;
            }
            ve = i;
            while (ve > vs && isspace(v[ve - 1])) {
                ve--;
            }
        }
        uint32_t kl = ke - ks;
        bool exact = kl == n && strncasecmp((const char *)v + ks, name, n) == 0;
        bool cont = kl > n && v[ks + n] == '*' && strncasecmp((const char *)v + ks, name, n) == 0;
        if (!exact && !cont) {
            continue;
        }
        bool ext = v[ke - 1] == '*';         // RFC 2231 extended: charset'lang'pct-encoded
        const uint8_t *s = v + vs;
        uint32_t sl = ve > vs ? ve - vs : 0;
        if (ext && ol == 0) {
            const uint8_t *q = memchr(s, '\'', sl);
            const uint8_t *q2 = q ? memchr(q + 1, '\'', sl - (uint32_t)(q + 1 - s)) : NULL;
            if (q2 != NULL) {
                sl -= (uint32_t)(q2 + 1 - s);
                s = q2 + 1;
            }
        }
        for (uint32_t k = 0; k < sl; k++) {
            uint8_t c = s[k];
            if (ext && c == '%' && k + 2 < sl && hexv(s[k + 1]) >= 0 && hexv(s[k + 2]) >= 0) {
                c = (uint8_t)(hexv(s[k + 1]) << 4 | hexv(s[k + 2]));
                k += 2;
            }
            if (ol < cap) {
                o[ol++] = c;
            } else {
                *found = true;
                return UINT32_MAX;       // too long
            }
        }
        *found = true;
        if (exact) {
            break;
        }
    }
    return ol;
}

static void set_name(SmtpMime *m, MimeEntity *e, const uint8_t *v, uint32_t vlen, const char *p)
{
    bool found;
    uint32_t n = param(v, vlen, p, e->name, sizeof(e->name), &found);
    if (!found) {
        return;
    }
    if (n == UINT32_MAX) {
        ev(m, SMTP_EV_MIME_LONG_FILENAME);
        n = sizeof(e->name);
    }
    e->name_len = n;
    e->has_name = true;
}

static bool hdr_is(const uint8_t *name, uint32_t nl, const char *s)
{
    return nl == strlen(s) && strncasecmp((const char *)name, s, nl) == 0;
}

static void content_type(SmtpMime *m, MimeEntity *e, const uint8_t *v, uint32_t vl)
{
    e->is_multipart = vl >= 10 && strncasecmp((const char *)v, "multipart/", 10) == 0;
    e->is_text = vl >= 5 && strncasecmp((const char *)v, "text/", 5) == 0;
    if (e->is_multipart) {
        bool found;
        uint8_t b[MIME_BOUNDARY_MAX + 1];
        uint32_t n = param(v, vl, "boundary", b, MIME_BOUNDARY_MAX, &found);
        if (n == UINT32_MAX) {
            ev(m, SMTP_EV_MIME_LONG_BOUNDARY);
            n = MIME_BOUNDARY_MAX;
        }
        if (!found || n == 0) {
            e->is_multipart = false;   // no boundary: a leaf
            ev(m, SMTP_EV_MIME_PARSE_FAILED);
            return;
        }
        memcpy(e->boundary, b, n);
        e->boundary_len = n;
    }
    if (!e->has_name) {
        set_name(m, e, v, vl, "name");
    }
}

/* "a, "b, c" <d>, e" -> a | "b, c" <d> | e: commas inside quotes or <> do not split. */
static void addr_list(SmtpMime *m, SmtpList *l, const uint8_t *v, uint32_t vl)
{
    uint32_t s = 0;
    bool q = false;
    int angle = 0;
    for (uint32_t i = 0; i <= vl; i++) {
        uint8_t c = i < vl ? v[i] : ',';
        if (c == '"' && (i == 0 || v[i - 1] != '\\')) {
            q = !q;
        } else if (!q && c == '<') {
            angle++;
        } else if (!q && c == '>' && angle > 0) {
            angle--;
        } else if (c == ',' && ((!q && angle == 0) || i == vl)) {
            uint32_t a = s, b = i;
            while (a < b && isspace(v[a])) {
                a++;
            }
            while (b > a && isspace(v[b - 1])) {
                b--;
            }
            if (b > a) {
                (void)smtp_list_add(m->af, l, v + a, b - a, MIME_MAX_LIST);
            }
            s = i + 1;
        }
    }
}

static void message_field(SmtpMime *m, const uint8_t *name, uint32_t nl, const uint8_t *v,
                          uint32_t vl)
{
    static const char *const single[MIME_F_N] = {
        [MIME_F_FROM] = "from", [MIME_F_SUBJECT] = "subject", [MIME_F_DATE] = "date",
        [MIME_F_MESSAGE_ID] = "message-id", [MIME_F_X_MAILER] = "x-mailer",
        [MIME_F_REPLY_TO] = "reply-to", [MIME_F_USER_AGENT] = "user-agent",
        [MIME_F_ORGANIZATION] = "organization",
    };
    for (uint32_t f = 0; f < MIME_F_N; f++) {
        if (hdr_is(name, nl, single[f])) {
            if (m->field[f].p != NULL) {
                ev(m, SMTP_EV_DUPLICATE_FIELDS);
                return;
            }
            (void)smtp_str_set(m->af, &m->field[f], v, vl);
            return;
        }
    }
    if (hdr_is(name, nl, "to")) {
        addr_list(m, &m->list[MIME_L_TO], v, vl);
    } else if (hdr_is(name, nl, "cc")) {
        addr_list(m, &m->list[MIME_L_CC], v, vl);
    } else if (hdr_is(name, nl, "received")) {
        (void)smtp_list_add(m->af, &m->list[MIME_L_RECEIVED], v, vl, MIME_MAX_LIST);
    }
}

/* The header in m->hdr is complete. */
static void header_done(SmtpMime *m, MimeEntity *e)
{
    if (m->hdr_len == 0) {
        return;
    }
    const uint8_t *h = m->hdr;
    uint32_t hl = m->hdr_len;
    m->hdr_len = 0;
    m->hdr_long = false;
    const uint8_t *colon = memchr(h, ':', hl);
    if (colon == NULL) {
        ev(m, SMTP_EV_MIME_MALFORMED_MSG);
        return;
    }
    uint32_t nl = (uint32_t)(colon - h);
    while (nl > 0 && isspace(h[nl - 1])) {
        nl--;
    }
    const uint8_t *v = colon + 1;
    uint32_t vl = hl - (uint32_t)(v - h);
    while (vl > 0 && isspace(v[0])) {
        v++;
        vl--;
    }
    while (vl > 0 && isspace(v[vl - 1])) {
        vl--;
    }
    if (e->is_message) {
        message_field(m, h, nl, v, vl);
    }
    if (hdr_is(h, nl, "content-type")) {
        content_type(m, e, v, vl);
    } else if (hdr_is(h, nl, "content-transfer-encoding")) {
        e->enc = vl >= 6 && strncasecmp((const char *)v, "base64", 6) == 0 ? ENC_B64
                 : vl >= 16 && strncasecmp((const char *)v, "quoted-printable", 16) == 0
                     ? ENC_QP
                     : ENC_PLAIN;
    } else if (hdr_is(h, nl, "content-disposition")) {
        set_name(m, e, v, vl, "filename");
    }
}

static void hdr_append(SmtpMime *m, const uint8_t *p, uint32_t len)
{
    if (m->hdr == NULL) {
        if (!app_mem_charge(m->af, MIME_HDR_BUF)) {
            return;
        }
        m->hdr = malloc(MIME_HDR_BUF);
        if (m->hdr == NULL) {
            app_mem_release(m->af, MIME_HDR_BUF);
            return;
        }
    }
    uint32_t room = MIME_HDR_BUF - m->hdr_len;
    if (len > room) {
        if (!m->hdr_long) {
            m->hdr_long = true;
            ev(m, SMTP_EV_MIME_LONG_HEADER_VALUE);
        }
        len = room;
    }
    memcpy(m->hdr + m->hdr_len, p, len);
    m->hdr_len += len;
}

/* The entity's header block ended: its body starts. */
static void body_start(SmtpMime *m, MimeEntity *e)
{
    e->in_header = false;
    if (e->is_message) {
        m->status = MIME_ST_BODY;
    }
    if (e->is_multipart) {
        return;
    }
    if (e->has_name) {
        (void)smtp_list_add(m->af, &m->list[MIME_L_ATTACHMENT], e->name, e->name_len,
                            MIME_MAX_LIST);
        m->file_open(m->user, e->name, e->name_len);
        e->file_open = true;
    }
}

static void header_line(SmtpMime *m, MimeEntity *e, const uint8_t *p, uint32_t len,
                        bool cont_piece)
{
    if (cont_piece) {
        hdr_append(m, p, len);   // the rest of a split line
        return;
    }
    if (len == 0) {
        header_done(m, e);
        body_start(m, e);
        return;
    }
    if (p[0] == ' ' || p[0] == '\t') {
        if (m->hdr_len > 0) {
            hdr_append(m, p, len);
        }
        return;
    }
    header_done(m, e);
    const uint8_t *colon = memchr(p, ':', len);
    uint32_t nl = colon != NULL ? (uint32_t)(colon - p) : len;
    if (nl > MIME_HEADER_NAME_MAX) {
        ev(m, SMTP_EV_MIME_LONG_HEADER_NAME);
        return;
    }
    if (colon == NULL && e->is_message && m->field[MIME_F_FROM].p == NULL &&
        m->list[MIME_L_TO].n == 0) {
        /* not a header at all: the message has no header block (RFC 5322 allows
         * none); the line is body */
        ev(m, SMTP_EV_MIME_MALFORMED_MSG);
        body_start(m, e);
        body_line(m, e, p, len, false);
        return;
    }
    hdr_append(m, p, len);
}

/* ---- entities and boundaries ---- */

static void ent_end(SmtpMime *m, MimeEntity *e, bool ok)
{
    if (e->b64_len > 0) {
        b64_group(m, e);
    }
    text_flush(m, e);
    if (e->file_open) {
        m->file_close(m->user, ok);
        e->file_open = false;
    }
}

/* Pops entities above level k (ended by a boundary of level k). */
static void pop_to(SmtpMime *m, uint32_t k, bool ok)
{
    while (m->depth > k) {
        MimeEntity *e = m->ent[m->depth];
        if (e->in_header) {
            header_done(m, e);
        }
        ent_end(m, e, ok);
        ent_free(m, e);
        m->ent[m->depth--] = NULL;
    }
}

/* Is line a boundary of an open multipart? Sets the level and whether it closes. */
static bool boundary_of(SmtpMime *m, const uint8_t *p, uint32_t len, uint32_t *level,
                        bool *closing)
{
    if (len < 3 || p[0] != '-' || p[1] != '-') {
        return false;
    }
    while (len > 2 && (p[len - 1] == ' ' || p[len - 1] == '\t')) {
        len--;                   // RFC 2046 5.1.1: trailing white space allowed
    }
    for (uint32_t d = m->depth + 1; d-- > 0;) {
        const MimeEntity *e = m->ent[d];
        uint32_t bl = e->boundary_len;
        if (bl == 0 || len < bl + 2 || memcmp(p + 2, e->boundary, bl) != 0) {
            continue;
        }
        if (len == bl + 2) {
            *level = d;
            *closing = false;
            return true;
        }
        if (len == bl + 4 && p[bl + 2] == '-' && p[bl + 3] == '-') {
            *level = d;
            *closing = true;
            return true;
        }
    }
    return false;
}

static void boundary(SmtpMime *m, uint32_t level, bool closing)
{
    pop_to(m, level, true);
    MimeEntity *parent = m->ent[level];
    if (parent->in_header) {
        header_done(m, parent);
        body_start(m, parent);
    }
    if (closing) {
        parent->boundary_len = 0;     // the epilogue follows: no more parts
        return;
    }
    if (m->depth >= MIME_MAX_DEPTH) {
        ev(m, SMTP_EV_MIME_PARSE_FAILED);
        return;
    }
    MimeEntity *e = ent_new(m);
    if (e == NULL) {
        m->status = MIME_ST_ERROR;
        return;
    }
    e->in_header = true;
    e->is_text = true;
    m->ent[++m->depth] = e;
}

void smtp_mime_line(SmtpMime *m, const uint8_t *line, uint32_t len, bool partial)
{
    if (m->status == MIME_ST_DONE || m->status == MIME_ST_ERROR || !started(m)) {
        return;
    }
    bool cont_piece = m->line_len > 0;
    uint32_t total = m->line_len + len;
    if (total > MIME_LINE_MAX && m->line_len <= MIME_LINE_MAX) {
        ev(m, SMTP_EV_MIME_LONG_LINE);
    }
    m->line_len = partial ? total : 0;
    MimeEntity *e = m->ent[m->depth];
    uint32_t level;
    bool closing;
    if (!cont_piece && !partial && boundary_of(m, line, len, &level, &closing)) {
        boundary(m, level, closing);
        return;
    }
    if (e->in_header) {
        header_line(m, e, line, len, cont_piece);
        return;
    }
    body_line(m, e, line, len, partial);
}

void smtp_mime_end(SmtpMime *m)
{
    if (m->ent[0] == NULL) {
        if (m->status == MIME_ST_HEADER) {
            m->status = MIME_ST_DONE;
        }
        return;
    }
    if (m->ent[0]->in_header) {
        header_done(m, m->ent[0]);
    }
    pop_to(m, 0, true);
    ent_end(m, m->ent[0], true);
    if (m->status != MIME_ST_ERROR) {
        m->status = MIME_ST_DONE;
    }
    md5_finish(m);
}

void smtp_mime_abort(SmtpMime *m)
{
    md5_drop(m);   // an unfinished message has no body digest
    if (m->ent[0] == NULL) {
        return;
    }
    pop_to(m, 0, false);
    ent_end(m, m->ent[0], false);
}

void smtp_mime_free(SmtpMime *m)
{
    md5_drop(m);
    for (uint32_t d = 0; d <= MIME_MAX_DEPTH; d++) {
        ent_free(m, m->ent[d]);
        m->ent[d] = NULL;
    }
    if (m->hdr != NULL) {
        app_mem_release(m->af, MIME_HDR_BUF);
        free(m->hdr);
        m->hdr = NULL;
    }
    for (uint32_t f = 0; f < MIME_F_N; f++) {
        smtp_str_free(m->af, &m->field[f]);
    }
    for (uint32_t l = 0; l < MIME_L_N; l++) {
        smtp_list_free(m->af, &m->list[l]);
    }
}

const char *smtp_mime_status_name(const SmtpMime *m)
{
    switch (m->status) {
    case MIME_ST_DONE:
        return "PARSE_DONE";
    case MIME_ST_BODY:
        return "BODY_STARTED";
    case MIME_ST_ERROR:
        return "PARSE_ERROR";
    default:
        return "HEADERS_READY";
    }
}
