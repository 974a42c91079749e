#include "util/util-json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-base64.h"
#include "util/util-error.h"

#define JSON_MIN_CAP 64

static const char hex_lower[16] = "0123456789abcdef";

/* Per byte: 0 = copied as is; otherwise the letter after the backslash
 * ('u' means \u00XX). Bytes >= 0x80 are 0 here: UTF-8 is checked apart. */
static const char escape_letter[256] = {
    ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
    [0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u',
    [0x06] = 'u', [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u',
    [0x11] = 'u', [0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u', [0x16] = 'u',
    [0x17] = 'u', [0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u',
    [0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u',
    ['"'] = '"', ['\\'] = '\\',
};

static inline bool is_plain_ascii(uint8_t c)
{
    return c < 0x80 && escape_letter[c] == 0;
}

int json_buf_init(JsonBuf *jb, size_t initial_cap)
{
    memset(jb, 0, sizeof(*jb));
    size_t cap = initial_cap < JSON_MIN_CAP ? JSON_MIN_CAP : initial_cap;
    jb->buf = malloc(cap);
    if (jb->buf == NULL) {
        jb->is_failed = true;
        return VG_ENOMEM;
    }
    jb->cap = cap;
    jb->buf[0] = '\0';
    return 0;
}

void json_buf_deinit(JsonBuf *jb)
{
    free(jb->buf);
    memset(jb, 0, sizeof(*jb));
}

void json_buf_reset(JsonBuf *jb)
{
    jb->len = 0;
    jb->depth = 0;
    jb->is_array = 0;
    jb->has_items = 0;
    jb->has_root = false;
    jb->is_failed = jb->buf == NULL;
    if (jb->buf != NULL) {
        jb->buf[0] = '\0';
    }
}

/* Make room for n more bytes plus the '\0'. On failure the record is lost:
 * the flag is set and false returned. */
static bool json_reserve(JsonBuf *jb, size_t n)
{
    if (jb->is_failed) {
        return false;
    }
    if (n < jb->cap - jb->len) {
        return true;
    }
    if (n > JSON_BUF_MAX_BYTES - jb->len - 1 || jb->buf == NULL) {
        jb->is_failed = true;
        return false;
    }
    size_t need = jb->len + n + 1;
    size_t cap = jb->cap * 2;
    if (cap < need) {
        cap = need;
    }
    if (cap > JSON_BUF_MAX_BYTES) {
        cap = JSON_BUF_MAX_BYTES;
    }
    char *nb = realloc(jb->buf, cap);
    if (nb == NULL) {
        jb->is_failed = true;
        return false;
    }
    jb->buf = nb;
    jb->cap = cap;
    return true;
}

/* Callers have reserved the room. */
static inline void put_char(JsonBuf *jb, char c)
{
    jb->buf[jb->len++] = c;
}

static inline void put_mem(JsonBuf *jb, const void *p, size_t n)
{
    memcpy(jb->buf + jb->len, p, n);
    jb->len += n;
}

static inline void terminate(JsonBuf *jb)
{
    jb->buf[jb->len] = '\0';
}

static bool append_mem(JsonBuf *jb, const void *p, size_t n)
{
    if (!json_reserve(jb, n)) {
        return false;
    }
    put_mem(jb, p, n);
    terminate(jb);
    return true;
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 if the bytes there are
 * not one (Unicode 15, table 3-7: no overlongs, surrogates or > U+10FFFF). */
static size_t utf8_seq_len(const uint8_t *s, size_t avail)
{
    uint8_t c = s[0];
    size_t n;
    uint8_t lo = 0x80;
    uint8_t hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (avail < n || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return n;
}

static void put_escaped_ascii(JsonBuf *jb, uint8_t c)
{
    char letter = escape_letter[c];
    put_char(jb, '\\');
    put_char(jb, letter);
    if (letter == 'u') {
        put_mem(jb, "00", 2);
        put_char(jb, hex_lower[c >> 4]);
        put_char(jb, hex_lower[c & 0xf]);
    }
}

/* Byte form, used once a string is known not to be UTF-8: ASCII escaped as
 * usual, every other byte as the text \xNN. Room: 6 bytes per input byte. */
static void put_string_bytes(JsonBuf *jb, const uint8_t *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t c = s[i];
        if (is_plain_ascii(c)) {
            put_char(jb, (char)c);
        } else if (c < 0x80) {
            put_escaped_ascii(jb, c);
        } else {
            put_mem(jb, "\\\\x", 3);
            put_char(jb, hex_lower[c >> 4]);
            put_char(jb, hex_lower[c & 0xf]);
        }
    }
}

/* Write s as a quoted JSON string. One pass in the common case: runs of
 * plain bytes are copied whole; on the first invalid UTF-8 byte the string
 * is rewritten in byte form. */
static bool put_string(JsonBuf *jb, const uint8_t *s, size_t len)
{
    if (len > (JSON_BUF_MAX_BYTES - 2) / 6) {
        jb->is_failed = true;
        return false;
    }
    if (!json_reserve(jb, len * 6 + 2)) {
        return false;
    }
    put_char(jb, '"');
    size_t start = jb->len;
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && is_plain_ascii(s[run])) {
            run++;
        }
        put_mem(jb, s + i, run - i);
        i = run;
        if (i == len) {
            break;
        }
        if (s[i] < 0x80) {
            put_escaped_ascii(jb, s[i++]);
            continue;
        }
        size_t n = utf8_seq_len(s + i, len - i);
        if (n == 0) {
            jb->len = start;
            put_string_bytes(jb, s, len);
            break;
        }
        put_mem(jb, s + i, n);
        i += n;
    }
    put_char(jb, '"');
    terminate(jb);
    return true;
}

/* Comma and key for the next value at the current level. False when the
 * value must not be written (failure, or misuse which then sets failure). */
static bool begin_value(JsonBuf *jb, const char *key)
{
    if (jb->is_failed) {
        return false;
    }
    if (jb->depth == 0) {
        if (key != NULL || jb->has_root) {
            jb->is_failed = true;
            return false;
        }
        jb->has_root = true;
        return true;
    }
    uint32_t bit = 1u << (jb->depth - 1);
    bool in_array = (jb->is_array & bit) != 0;
    if (in_array != (key == NULL)) {
        jb->is_failed = true;
        return false;
    }
    bool comma = (jb->has_items & bit) != 0;
    jb->has_items |= bit;
    if (key == NULL) {
        return !comma || append_mem(jb, ",", 1);
    }
    size_t klen = strlen(key);
    size_t plain = 0;
    while (plain < klen && is_plain_ascii((uint8_t)key[plain])) {
        plain++;
    }
    if (plain < klen) {   // a key to escape
        return (!comma || append_mem(jb, ",", 1)) &&
               put_string(jb, (const uint8_t *)key, klen) && append_mem(jb, ":", 1);
    }
    /* The usual key (plain ASCII): comma, quoted key and colon with one reserve. */
    if (!json_reserve(jb, klen + 4)) {
        return false;
    }
    if (comma) {
        put_char(jb, ',');
    }
    put_char(jb, '"');
    put_mem(jb, key, klen);
    put_char(jb, '"');
    put_char(jb, ':');
    terminate(jb);
    return true;
}

static void open_container(JsonBuf *jb, const char *key, bool is_array)
{
    if (jb->depth >= JSON_MAX_DEPTH) {
        jb->is_failed = true;
        return;
    }
    if (!begin_value(jb, key) || !append_mem(jb, is_array ? "[" : "{", 1)) {
        return;
    }
    uint32_t bit = 1u << jb->depth;
    jb->depth++;
    jb->has_items &= ~bit;
    if (is_array) {
        jb->is_array |= bit;
    } else {
        jb->is_array &= ~bit;
    }
}

static void close_container(JsonBuf *jb, bool is_array)
{
    if (jb->is_failed) {
        return;
    }
    if (jb->depth == 0) {
        jb->is_failed = true;
        return;
    }
    uint32_t bit = 1u << (jb->depth - 1);
    if (((jb->is_array & bit) != 0) != is_array) {
        jb->is_failed = true;
        return;
    }
    if (append_mem(jb, is_array ? "]" : "}", 1)) {
        jb->depth--;
    }
}

void json_open_object(JsonBuf *jb, const char *key)
{
    open_container(jb, key, false);
}

void json_close_object(JsonBuf *jb)
{
    close_container(jb, false);
}

void json_open_array(JsonBuf *jb, const char *key)
{
    open_container(jb, key, true);
}

void json_close_array(JsonBuf *jb)
{
    close_container(jb, true);
}

void json_str(JsonBuf *jb, const char *key, const char *s)
{
    if (s == NULL) {
        json_null(jb, key);
        return;
    }
    json_strn(jb, key, (const uint8_t *)s, strlen(s));
}

void json_strn(JsonBuf *jb, const char *key, const uint8_t *s, size_t len)
{
    if (begin_value(jb, key)) {
        put_string(jb, len == 0 ? (const uint8_t *)"" : s, len);
    }
}

/* Decimal digits of v, written backwards from end; returns the start. */
static char *format_u64(char *end, uint64_t v)
{
    char *p = end;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return p;
}

void json_u64(JsonBuf *jb, const char *key, uint64_t v)
{
    char tmp[24];
    char *end = tmp + sizeof(tmp);
    char *p = format_u64(end, v);
    if (begin_value(jb, key)) {
        append_mem(jb, p, (size_t)(end - p));
    }
}

void json_i64(JsonBuf *jb, const char *key, int64_t v)
{
    char tmp[24];
    char *end = tmp + sizeof(tmp);
    /* Negate in unsigned arithmetic: -INT64_MIN does not fit an int64_t. */
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char *p = format_u64(end, mag);
    if (v < 0) {
        *--p = '-';
    }
    if (begin_value(jb, key)) {
        append_mem(jb, p, (size_t)(end - p));
    }
}

void json_double(JsonBuf *jb, const char *key, double v)
{
    if (!isfinite(v)) {
        json_null(jb, key);
        return;
    }
    /* Shortest of %.15g..%.17g that reads back as the same double. */
    char tmp[40];
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) {
            break;
        }
    }
    if (n <= 0 || (size_t)n >= sizeof(tmp)) {
        jb->is_failed = true;
        return;
    }
    if (begin_value(jb, key)) {
        append_mem(jb, tmp, (size_t)n);
    }
}

void json_bool(JsonBuf *jb, const char *key, bool v)
{
    if (begin_value(jb, key)) {
        append_mem(jb, v ? "true" : "false", v ? 4 : 5);
    }
}

void json_null(JsonBuf *jb, const char *key)
{
    if (begin_value(jb, key)) {
        append_mem(jb, "null", 4);
    }
}

void json_base64(JsonBuf *jb, const char *key, const uint8_t *data, size_t len)
{
    size_t n = util_base64_encoded_len(len);
    if (n >= JSON_BUF_MAX_BYTES) {
        jb->is_failed = true;
        return;
    }
    if (!begin_value(jb, key) || !json_reserve(jb, n + 2)) {
        return;
    }
    put_char(jb, '"');
    jb->len += util_base64_encode_raw(jb->buf + jb->len, data, len);
    put_char(jb, '"');
    terminate(jb);
}

void json_printable(JsonBuf *jb, const char *key, const uint8_t *data, size_t len)
{
    if (len > (JSON_BUF_MAX_BYTES - 2) / 2) {
        jb->is_failed = true;
        return;
    }
    if (!begin_value(jb, key) || !json_reserve(jb, len * 2 + 2)) {
        return;
    }
    put_char(jb, '"');
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (c == '\n' || c == '\r' || c == '"' || c == '\\') {
            put_escaped_ascii(jb, c);
        } else {
            put_char(jb, c >= 0x20 && c < 0x7f ? (char)c : '.');
        }
    }
    put_char(jb, '"');
    terminate(jb);
}

void json_raw(JsonBuf *jb, const char *key, const char *raw_json)
{
    if (raw_json == NULL || raw_json[0] == '\0') {
        jb->is_failed = true;
        return;
    }
    if (begin_value(jb, key)) {
        append_mem(jb, raw_json, strlen(raw_json));
    }
}
