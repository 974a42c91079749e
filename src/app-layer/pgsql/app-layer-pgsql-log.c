/* PostgreSQL EVE object: {"tx_id": N (from 1, as Suricata numbers pgsql txs), "request":
 * {...}, "response": {...}}. Parameter names are written in snake case (DateStyle ->
 * date_style); passwords are never written ("password_redacted": true). */
#include "app-layer/pgsql/app-layer-pgsql.h"

#include <stdio.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"

/* name\0value\0 pairs of s as [{"name": "value"}, ...] under key; snake: names in snake
 * case. */
static void log_pairs(JsonBuf *jb, const char *key, const PgsqlStr *s, uint32_t off,
                      bool snake)
{
    json_open_array(jb, key);
    uint32_t i = off;
    while (i < s->len && s->p[i] != 0) {
        const uint8_t *name = s->p + i;
        const uint8_t *z = memchr(name, 0, s->len - i);
        if (z == NULL) {
            break;
        }
        uint32_t nlen = (uint32_t)(z - name);
        const uint8_t *val = z + 1;
        uint32_t rest = s->len - (uint32_t)(val - s->p);
        const uint8_t *vz = memchr(val, 0, rest);
        uint32_t vlen = vz != NULL ? (uint32_t)(vz - val) : rest;
        char k[128];
        uint32_t o = 0;
        for (uint32_t c = 0; c < nlen && o + 2 < sizeof(k); c++) {
            uint8_t ch = name[c];
            if (snake && ch >= 'A' && ch <= 'Z') {
                if (o > 0) {
                    k[o++] = '_';
                }
                ch = (uint8_t)(ch - 'A' + 'a');
            }
            k[o++] = (char)ch;
        }
        k[o] = '\0';
        json_open_object(jb, NULL);
        json_strn(jb, k, val, vlen);
        json_close_object(jb);
        i = (uint32_t)(val - s->p) + vlen + 1;
    }
    json_close_array(jb);
}

/* The StartupMessage parameters: "user" on its own, the others in order. */
static void log_startup(JsonBuf *jb, const PgsqlTx *t)
{
    char ver[16];
    snprintf(ver, sizeof(ver), "%u.%u", t->proto_major, t->proto_minor);
    json_str(jb, "protocol_version", ver);
    json_open_object(jb, "startup_parameters");
    const PgsqlStr *s = &t->req_text;
    PgsqlStr others = {0};
    uint8_t tmp[PGSQL_FIELD_MAX];
    uint32_t o = 0;
    for (uint32_t i = 0; i < s->len && s->p[i] != 0;) {
        uint32_t n = (uint32_t)strnlen((const char *)s->p + i, s->len - i);
        uint32_t vi = i + n + 1;
        uint32_t vn = vi < s->len ? (uint32_t)strnlen((const char *)s->p + vi, s->len - vi) : 0;
        if (n == 4 && memcmp(s->p + i, "user", 4) == 0) {
            json_strn(jb, "user", s->p + vi, vn);
        } else if (o + n + vn + 2 <= sizeof(tmp) && vi <= s->len) {
            memcpy(tmp + o, s->p + i, n + 1);
            memcpy(tmp + o + n + 1, s->p + vi, vn);
            tmp[o + n + 1 + vn] = 0;
            o += n + vn + 2;
        }
        i = vi + vn + 1;
    }
    others.p = tmp;
    others.len = o;
    if (o > 0) {
        log_pairs(jb, "optional_parameters", &others, 0, false);
    }
    json_close_object(jb);
}

static void log_request(JsonBuf *jb, const PgsqlTx *t)
{
    const PgsqlStr *x = &t->req_text;
    switch (t->req_kind) {
    case PGSQL_REQ_SSL:
        json_str(jb, "message", "SSL Request");
        break;
    case PGSQL_REQ_GSSENC:
        json_str(jb, "message", "GSSENC Request");
        break;
    case PGSQL_REQ_STARTUP:
        log_startup(jb, t);
        break;
    case PGSQL_REQ_CANCEL:
        json_str(jb, "message", "cancel_request");
        json_u64(jb, "process_id", t->cancel_pid);
        json_u64(jb, "secret_key", t->cancel_key);
        break;
    case PGSQL_REQ_PASSWORD:
        json_bool(jb, "password_redacted", true);
        break;
    case PGSQL_REQ_SASL_INITIAL:
        if (t->sasl_mech.len == 13 && memcmp(t->sasl_mech.p, "SCRAM-SHA-256", 13) == 0) {
            json_str(jb, "sasl_authentication_mechanism", "scram_SHA256");
        } else if (t->sasl_mech.len == 18 &&
                   memcmp(t->sasl_mech.p, "SCRAM-SHA-256-PLUS", 18) == 0) {
            json_str(jb, "sasl_authentication_mechanism", "scram_SHA256_plus");
        } else {
            json_strn(jb, "sasl_authentication_mechanism", t->sasl_mech.p, t->sasl_mech.len);
        }
        json_strn(jb, "sasl_param", x->p, x->len);
        break;
    case PGSQL_REQ_SASL_RESPONSE:
        json_strn(jb, "sasl_response", x->p, x->len);
        break;
    case PGSQL_REQ_QUERY:
        json_strn(jb, "simple_query", x->p, x->len);
        break;
    case PGSQL_REQ_TERMINATE:
        json_str(jb, "message", "termination_message");
        break;
    case PGSQL_REQ_OTHER: {
        char m[2] = {(char)t->req_type, 0};
        json_str(jb, "message", m);
        if (x->len > 0) {
            json_strn(jb, "query", x->p, x->len);
        }
        break;
    }
    default:
        break;
    }
}

/* The 4-octet salt as Suricata writes it: ASCII as is, other octets as \xNN. */
static void log_salt(JsonBuf *jb, const uint8_t salt[4])
{
    char s[20];
    uint32_t o = 0;
    for (int i = 0; i < 4; i++) {
        if (salt[i] < 0x80) {
            s[o++] = (char)salt[i];
        } else {
            o += (uint32_t)snprintf(s + o, sizeof(s) - o, "\\x%02x", salt[i]);
        }
    }
    json_strn(jb, "authentication_md5_password", (const uint8_t *)s, o);
}

/* ErrorResponse / NoticeResponse fields (type byte, string) by Suricata's names. */
static void log_error(JsonBuf *jb, const PgsqlStr *e)
{
    for (uint32_t i = 0; i < e->len && e->p[i] != 0;) {
        uint8_t f = e->p[i++];
        uint32_t n = (uint32_t)strnlen((const char *)e->p + i, e->len - i);
        const char *key = NULL;
        switch (f) {
        case 'S': key = "severity_localizable"; break;
        case 'V': key = "severity_non_localizable"; break;
        case 'C': key = "code"; break;
        case 'M': key = "message"; break;
        case 'D': key = "detail"; break;
        case 'H': key = "hint"; break;
        case 'P': key = "position"; break;
        case 'W': key = "where"; break;
        case 'F': key = "file"; break;
        case 'L': key = "line"; break;
        case 'R': key = "routine"; break;
        default: break;
        }
        if (key != NULL) {
            json_strn(jb, key, e->p + i, n);
        }
        i += n + 1;
    }
}

static void log_response(JsonBuf *jb, const PgsqlTx *t)
{
    if (t->has_ssl_answer) {
        json_bool(jb, "ssl_accepted", t->ssl_accepted);
    }
    if (t->has_md5_salt) {
        log_salt(jb, t->md5_salt);
    }
    if (t->sasl_final.p != NULL) {
        json_strn(jb, "authentication_sasl_final", t->sasl_final.p, t->sasl_final.len);
    }
    if (t->auth_msg != NULL && t->error.p == NULL) {
        json_str(jb, "message", t->auth_msg);
    }
    if (t->error.p != NULL) {
        log_error(jb, &t->error);
    }
    if (t->params.p != NULL) {
        log_pairs(jb, "parameter_status", &t->params, 0, true);
    }
    if (t->has_key_data) {
        json_u64(jb, "process_id", t->process_id);
        json_u64(jb, "secret_key", t->secret_key);
    }
    if (t->has_rows) {
        json_u64(jb, "field_count", t->field_count);
    }
    if (t->has_rows || t->data_rows > 0) {
        json_u64(jb, "data_rows", t->data_rows);
        json_u64(jb, "data_size", t->data_size);
    }
    if (t->command_completed.p != NULL) {
        json_strn(jb, "command_completed", t->command_completed.p, t->command_completed.len);
    }
}

static bool has_response(const PgsqlTx *t)
{
    return t->has_ssl_answer || t->has_md5_salt || t->sasl_final.p != NULL ||
           t->auth_msg != NULL || t->error.p != NULL || t->params.p != NULL ||
           t->has_key_data || t->has_rows || t->data_rows > 0 ||
           t->command_completed.p != NULL;
}

void pgsql_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const PgsqlTx *t = (const PgsqlTx *)tx;
    json_open_object(jb, "pgsql");
    json_u64(jb, "tx_id", tx->id + 1);
    if (t->req_kind != PGSQL_REQ_NONE) {
        json_open_object(jb, "request");
        log_request(jb, t);
        json_close_object(jb);
    }
    if (has_response(t)) {
        json_open_object(jb, "response");
        log_response(jb, t);
        json_close_object(jb);
    }
    json_close_object(jb);
}
