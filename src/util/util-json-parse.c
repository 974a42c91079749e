/* Bounded JSON reader: recursive descent over the whole text, nodes and
 * decoded strings in two allocations sized from the input. */
#include "util/util-json-parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-error.h"

struct JsonDoc {
    JsonValue *nodes;
    uint32_t n_nodes;
    uint32_t max_nodes;
    char *strs;                  // decoded strings and number texts, NUL-terminated
    size_t strs_len;
    size_t strs_cap;
};

typedef struct Parser {
    const char *s;
    size_t len;
    size_t pos;
    JsonDoc *doc;
    char *err;
    size_t err_len;
    bool is_failed;
} Parser;

static void fail_at(Parser *p, const char *fmt, ...)
{
    if (p->is_failed) {
        return;
    }
    p->is_failed = true;
    if (p->err == NULL || p->err_len == 0) {
        return;
    }
    int n = snprintf(p->err, p->err_len, "offset %zu: ", p->pos);
    if (n < 0 || (size_t)n >= p->err_len) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->err_len - (size_t)n, fmt, ap);
    va_end(ap);
}

static void skip_ws(Parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return;
        }
        p->pos++;
    }
}

static JsonValue *new_node(Parser *p, JsonType type)
{
    JsonDoc *d = p->doc;
    if (d->n_nodes >= d->max_nodes) {
        fail_at(p, "more than %u values", (unsigned)JSON_PARSE_MAX_NODES);
        return NULL;
    }
    JsonValue *v = &d->nodes[d->n_nodes++];
    memset(v, 0, sizeof(*v));
    v->type = type;
    return v;
}

static void put_byte(Parser *p, char c)
{
    JsonDoc *d = p->doc;
    if (d->strs_len >= d->strs_cap) { // sized so that this cannot happen
        fail_at(p, "string space exhausted");
        return;
    }
    d->strs[d->strs_len++] = c;
}

static void put_utf8(Parser *p, uint32_t cp)
{
    if (cp < 0x80) {
        put_byte(p, (char)cp);
    } else if (cp < 0x800) {
        put_byte(p, (char)(0xC0 | (cp >> 6)));
        put_byte(p, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        put_byte(p, (char)(0xE0 | (cp >> 12)));
        put_byte(p, (char)(0x80 | ((cp >> 6) & 0x3F)));
        put_byte(p, (char)(0x80 | (cp & 0x3F)));
    } else {
        put_byte(p, (char)(0xF0 | (cp >> 18)));
        put_byte(p, (char)(0x80 | ((cp >> 12) & 0x3F)));
        put_byte(p, (char)(0x80 | ((cp >> 6) & 0x3F)));
        put_byte(p, (char)(0x80 | (cp & 0x3F)));
    }
}

static bool read_hex4(Parser *p, uint32_t *out)
{
    if (p->len - p->pos < 4) {
        fail_at(p, "truncated \\u escape");
        return false;
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos + (size_t)i];
        uint32_t d;
        if (c >= '0' && c <= '9') {
            d = (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            d = (uint32_t)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            d = (uint32_t)(c - 'A' + 10);
        } else {
            fail_at(p, "bad hex digit in \\u escape");
            return false;
        }
        v = v << 4 | d;
    }
    p->pos += 4;
    *out = v;
    return true;
}

/* After "\u": one code point, a surrogate pair taking a second escape. */
static void parse_unicode_escape(Parser *p)
{
    uint32_t cp;
    if (!read_hex4(p, &cp)) {
        return;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        fail_at(p, "lone low surrogate");
        return;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t lo;
        if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
            fail_at(p, "high surrogate without its low half");
            return;
        }
        p->pos += 2;
        if (!read_hex4(p, &lo)) {
            return;
        }
        if (lo < 0xDC00 || lo > 0xDFFF) {
            fail_at(p, "high surrogate without its low half");
            return;
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (cp == 0) {
        fail_at(p, "\\u0000 in a string is not accepted");
        return;
    }
    put_utf8(p, cp);
}

static void parse_escape(Parser *p)
{
    if (p->pos >= p->len) {
        fail_at(p, "unterminated string");
        return;
    }
    char c = p->s[p->pos++];
    switch (c) {
    case '"': put_byte(p, '"'); break;
    case '\\': put_byte(p, '\\'); break;
    case '/': put_byte(p, '/'); break;
    case 'b': put_byte(p, '\b'); break;
    case 'f': put_byte(p, '\f'); break;
    case 'n': put_byte(p, '\n'); break;
    case 'r': put_byte(p, '\r'); break;
    case 't': put_byte(p, '\t'); break;
    case 'u': parse_unicode_escape(p); break;
    default: p->pos--; fail_at(p, "bad escape '\\%c'", c); break;
    }
}

/* At the opening quote. Returns the decoded, NUL-terminated string. */
static const char *parse_string(Parser *p, size_t *out_len)
{
    p->pos++; // '"'
    size_t start = p->doc->strs_len;
    while (!p->is_failed) {
        if (p->pos >= p->len) {
            fail_at(p, "unterminated string");
            break;
        }
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            put_byte(p, '\0');
            break;
        }
        if (c < 0x20) {
            fail_at(p, "control byte 0x%02x in a string", c);
            break;
        }
        p->pos++;
        if (c == '\\') {
            parse_escape(p);
        } else {
            put_byte(p, (char)c);
        }
    }
    if (p->is_failed) {
        return NULL;
    }
    *out_len = p->doc->strs_len - start - 1;
    return p->doc->strs + start;
}

static size_t skip_digits(Parser *p)
{
    size_t n = 0;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        p->pos++;
        n++;
    }
    return n;
}

/* RFC 8259 section 6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static void parse_number(Parser *p, JsonValue *v)
{
    size_t start = p->pos;
    if (p->s[p->pos] == '-') {
        p->pos++;
    }
    if (p->pos < p->len && p->s[p->pos] == '0') {
        p->pos++;
    } else if (skip_digits(p) == 0) {
        fail_at(p, "bad number");
        return;
    }
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (skip_digits(p) == 0) {
            fail_at(p, "bad number: no digit after '.'");
            return;
        }
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) {
            p->pos++;
        }
        if (skip_digits(p) == 0) {
            fail_at(p, "bad number: no digit in the exponent");
            return;
        }
    }
    size_t n = p->pos - start;
    const char *text = p->doc->strs + p->doc->strs_len;
    for (size_t i = 0; i < n; i++) {
        put_byte(p, p->s[start + i]);
    }
    put_byte(p, '\0');
    if (p->is_failed) {
        return;
    }
    v->str = text;
    v->str_len = n;
    v->num = strtod(text, NULL);
}

static bool parse_literal(Parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
        fail_at(p, "unexpected text");
        return false;
    }
    p->pos += n;
    return true;
}

static JsonValue *parse_value(Parser *p, uint32_t depth);

/* At '[' or '{'. Members of an object carry their key. */
static void parse_container(Parser *p, JsonValue *v, uint32_t depth)
{
    bool is_object = v->type == JSON_T_OBJECT;
    char close = is_object ? '}' : ']';
    if (depth >= JSON_PARSE_MAX_DEPTH) {
        fail_at(p, "nesting deeper than %u", (unsigned)JSON_PARSE_MAX_DEPTH);
        return;
    }
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return;
    }
    JsonValue **tail = (JsonValue **)&v->child;
    while (!p->is_failed) {
        const char *key = NULL;
        size_t key_len = 0;
        if (is_object) {
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != '"') {
                fail_at(p, "expected a member name");
                return;
            }
            key = parse_string(p, &key_len);
            skip_ws(p);
            if (p->is_failed || p->pos >= p->len || p->s[p->pos] != ':') {
                fail_at(p, "expected ':'");
                return;
            }
            p->pos++;
        }
        JsonValue *item = parse_value(p, depth + 1);
        if (item == NULL) {
            return;
        }
        item->key = key;
        *tail = item;
        tail = (JsonValue **)&item->next;
        v->n_children++;
        skip_ws(p);
        if (p->pos >= p->len) {
            fail_at(p, "unterminated %s", is_object ? "object" : "array");
            return;
        }
        char c = p->s[p->pos++];
        if (c == close) {
            return;
        }
        if (c != ',') {
            p->pos--;
            fail_at(p, "expected ',' or '%c'", close);
            return;
        }
    }
}

static JsonValue *parse_value(Parser *p, uint32_t depth)
{
    skip_ws(p);
    if (p->pos >= p->len) {
        fail_at(p, "expected a value");
        return NULL;
    }
    char c = p->s[p->pos];
    JsonValue *v = NULL;
    if (c == '{' || c == '[') {
        v = new_node(p, c == '{' ? JSON_T_OBJECT : JSON_T_ARRAY);
        if (v != NULL) {
            parse_container(p, v, depth);
        }
    } else if (c == '"') {
        v = new_node(p, JSON_T_STRING);
        if (v != NULL) {
            v->str = parse_string(p, &v->str_len);
        }
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        v = new_node(p, JSON_T_NUMBER);
        if (v != NULL) {
            parse_number(p, v);
        }
    } else if (c == 't' || c == 'f') {
        v = new_node(p, JSON_T_BOOL);
        if (v != NULL && parse_literal(p, c == 't' ? "true" : "false")) {
            v->b = c == 't';
        }
    } else if (c == 'n') {
        v = new_node(p, JSON_T_NULL);
        if (v != NULL) {
            (void)parse_literal(p, "null");
        }
    } else {
        fail_at(p, "unexpected byte 0x%02x", (unsigned char)c);
    }
    return p->is_failed ? NULL : v;
}

static JsonDoc *doc_new(size_t len)
{
    JsonDoc *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return NULL;
    }
    /* Each value takes at least one input byte; a decoded string is never
     * longer than its quoted form, a number text plus NUL at most twice its
     * length. */
    d->max_nodes = len < JSON_PARSE_MAX_NODES ? (uint32_t)len + 1 : JSON_PARSE_MAX_NODES;
    d->strs_cap = 2 * len + 2;
    d->nodes = calloc(d->max_nodes, sizeof(JsonValue));
    d->strs = malloc(d->strs_cap);
    if (d->nodes == NULL || d->strs == NULL) {
        json_doc_free(d);
        return NULL;
    }
    return d;
}

int json_parse(const char *text, size_t len, JsonDoc **out, char *err, size_t err_len)
{
    *out = NULL;
    if (err != NULL && err_len > 0) {
        err[0] = '\0';
    }
    Parser p = {.s = text, .len = len, .err = err, .err_len = err_len};
    if (len > JSON_PARSE_MAX_BYTES) {
        fail_at(&p, "text longer than %zu bytes", JSON_PARSE_MAX_BYTES);
        return VG_EINVAL;
    }
    p.doc = doc_new(len);
    if (p.doc == NULL) {
        return VG_ENOMEM;
    }
    (void)parse_value(&p, 0);
    skip_ws(&p);
    if (!p.is_failed && p.pos != len) {
        fail_at(&p, "trailing bytes after the value");
    }
    if (p.is_failed) {
        json_doc_free(p.doc);
        return VG_EINVAL;
    }
    *out = p.doc;
    return 0;
}

void json_doc_free(JsonDoc *doc)
{
    if (doc == NULL) {
        return;
    }
    free(doc->nodes);
    free(doc->strs);
    free(doc);
}

const JsonValue *json_doc_root(const JsonDoc *doc)
{
    return doc != NULL && doc->n_nodes > 0 ? &doc->nodes[0] : NULL;
}

const JsonValue *json_object_get(const JsonValue *v, const char *key)
{
    if (v == NULL || v->type != JSON_T_OBJECT) {
        return NULL;
    }
    for (const JsonValue *m = v->child; m != NULL; m = m->next) {
        if (strcmp(m->key, key) == 0) {
            return m;
        }
    }
    return NULL;
}

const char *json_object_get_str(const JsonValue *v, const char *key)
{
    const JsonValue *m = json_object_get(v, key);
    return m != NULL && m->type == JSON_T_STRING ? m->str : NULL;
}
