#ifndef VG_TESTS_OUTPUT_JSON_CHECK_H
#define VG_TESTS_OUTPUT_JSON_CHECK_H

/* A strict JSON validator for tests (RFC 8259): one value, optional
 * surrounding whitespace, strings of valid UTF-8 without raw control
 * characters, escapes well formed, numbers in JSON's grammar. Written
 * independently of util-json.c so that it can check it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct JsonCheck {
    const uint8_t *s;
    size_t len;
    size_t pos;
    int depth;
} JsonCheck;

static inline bool jc_value(JsonCheck *c);

static inline void jc_ws(JsonCheck *c)
{
    while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
                               c->s[c->pos] == '\n' || c->s[c->pos] == '\r')) {
        c->pos++;
    }
}

static inline bool jc_lit(JsonCheck *c, const char *lit)
{
    size_t n = strlen(lit);
    if (c->len - c->pos < n || memcmp(c->s + c->pos, lit, n) != 0) {
        return false;
    }
    c->pos += n;
    return true;
}

static inline bool jc_is_hex(uint8_t b)
{
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
}

/* One UTF-8 sequence starting at c->pos (first byte >= 0x80). */
static inline bool jc_utf8(JsonCheck *c)
{
    uint8_t b = c->s[c->pos];
    size_t n;
    uint32_t cp;
    if (b >= 0xc2 && b <= 0xdf) {
        n = 2;
        cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        cp = b & 0x07;
    } else {
        return false;
    }
    if (c->len - c->pos < n) {
        return false;
    }
    for (size_t i = 1; i < n; i++) {
        uint8_t x = c->s[c->pos + i];
        if ((x & 0xc0) != 0x80) {
            return false;
        }
        cp = cp << 6 | (x & 0x3f);
    }
    bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    if (overlong || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
        return false;
    }
    c->pos += n;
    return true;
}

static inline bool jc_string(JsonCheck *c)
{
    if (c->pos >= c->len || c->s[c->pos] != '"') {
        return false;
    }
    c->pos++;
    while (c->pos < c->len) {
        uint8_t b = c->s[c->pos];
        if (b == '"') {
            c->pos++;
            return true;
        }
        if (b < 0x20) {
            return false;
        }
        if (b >= 0x80) {
            if (!jc_utf8(c)) {
                return false;
            }
            continue;
        }
        c->pos++;
        if (b != '\\') {
            continue;
        }
        if (c->pos >= c->len) {
            return false;
        }
        uint8_t e = c->s[c->pos++];
        if (e == 'u') {
            if (c->len - c->pos < 4) {
                return false;
            }
            for (int i = 0; i < 4; i++) {
                if (!jc_is_hex(c->s[c->pos++])) {
                    return false;
                }
            }
        } else if (strchr("\"\\/bfnrt", e) == NULL || e == 0) {
            return false;
        }
    }
    return false;
}

static inline bool jc_digits(JsonCheck *c)
{
    size_t start = c->pos;
    while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
        c->pos++;
    }
    return c->pos > start;
}

static inline bool jc_number(JsonCheck *c)
{
    if (c->pos < c->len && c->s[c->pos] == '-') {
        c->pos++;
    }
    if (c->pos < c->len && c->s[c->pos] == '0') {
        c->pos++;
    } else if (!jc_digits(c)) {
        return false;
    }
    if (c->pos < c->len && c->s[c->pos] == '.') {
        c->pos++;
        if (!jc_digits(c)) {
            return false;
        }
    }
    if (c->pos < c->len && (c->s[c->pos] == 'e' || c->s[c->pos] == 'E')) {
        c->pos++;
        if (c->pos < c->len && (c->s[c->pos] == '+' || c->s[c->pos] == '-')) {
            c->pos++;
        }
        if (!jc_digits(c)) {
            return false;
        }
    }
    return true;
}

static inline bool jc_container(JsonCheck *c, bool is_object)
{
    char close = is_object ? '}' : ']';
    if (++c->depth > 64) {
        return false;
    }
    c->pos++;
    jc_ws(c);
    if (c->pos < c->len && c->s[c->pos] == close) {
        c->pos++;
        c->depth--;
        return true;
    }
    for (;;) {
        jc_ws(c);
        if (is_object) {
            if (!jc_string(c)) {
                return false;
            }
            jc_ws(c);
            if (!jc_lit(c, ":")) {
                return false;
            }
        }
        if (!jc_value(c)) {
            return false;
        }
        jc_ws(c);
        if (c->pos >= c->len) {
            return false;
        }
        uint8_t b = c->s[c->pos++];
        if (b == (uint8_t)close) {
            c->depth--;
            return true;
        }
        if (b != ',') {
            return false;
        }
    }
}

static inline bool jc_value(JsonCheck *c)
{
    jc_ws(c);
    if (c->pos >= c->len) {
        return false;
    }
    switch (c->s[c->pos]) {
    case '{':
        return jc_container(c, true);
    case '[':
        return jc_container(c, false);
    case '"':
        return jc_string(c);
    case 't':
        return jc_lit(c, "true");
    case 'f':
        return jc_lit(c, "false");
    case 'n':
        return jc_lit(c, "null");
    default:
        return jc_number(c);
    }
}

/* True when s[0..len) is exactly one valid JSON value. */
static inline bool json_check_valid(const char *s, size_t len)
{
    JsonCheck c = { .s = (const uint8_t *)s, .len = len };
    if (!jc_value(&c)) {
        return false;
    }
    jc_ws(&c);
    return c.pos == c.len;
}

/* Each '\n'-terminated line of s is one valid JSON value; counts them. */
static inline bool json_check_lines(const char *s, size_t len, size_t *n_lines)
{
    size_t n = 0;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\n') {
            continue;
        }
        if (!json_check_valid(s + start, i - start)) {
            return false;
        }
        n++;
        start = i + 1;
    }
    *n_lines = n;
    return start == len;
}

#endif
