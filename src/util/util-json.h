#ifndef VG_UTIL_UTIL_JSON_H
#define VG_UTIL_UTIL_JSON_H

/* A JSON builder for EVE records: one growable buffer, reused record after
 * record (json_buf_reset keeps the capacity), so the steady state allocates
 * nothing. Commas and nesting are tracked for the caller.
 *
 * Contract:
 * - Inside an object every value has a key; inside an array and at the top
 *   level the key is NULL. A misuse (wrong key, close without open, nesting
 *   deeper than JSON_MAX_DEPTH, a second top-level value) or an allocation
 *   failure sets a sticky failure flag: later calls do nothing, and the
 *   record must be dropped (json_failed). The buffer is never left holding
 *   invalid JSON that claims to be complete.
 * - Strings are escaped as Suricata's EVE writer does: '"', '\\' and control
 *   characters are escaped (\b \f \n \r \t, others \u00XX); valid UTF-8 passes
 *   through unchanged. Bytes that are not valid UTF-8 make the whole string
 *   switch to byte form: every byte >= 0x80 is written as the text \xNN (two
 *   lower-case hex digits, the backslash itself escaped in JSON), so binary
 *   data shows up in EVE exactly as Suricata shows it.
 * - buf[len] is always '\0' once initialised, so buf can be used as a C string.
 *
 * A JsonBuf is owned by one thread at a time; nothing here locks. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 32
#define JSON_BUF_MAX_BYTES ((size_t)64 << 20)  // one record never grows past this

typedef struct JsonBuf {
    char *buf;
    size_t len;                  // bytes written, without the trailing '\0'
    size_t cap;                  // bytes allocated
    uint32_t depth;              // open objects/arrays
    uint32_t is_array;           // bit d set: level d+1 is an array
    uint32_t has_items;          // bit d set: level d+1 already holds a value
    bool has_root;               // the top-level value has been started
    bool is_failed;              // sticky: allocation failure or misuse
} JsonBuf;

/* Allocate the buffer (at least 64 bytes). Returns 0 or VG_ENOMEM. */
__attribute__((warn_unused_result)) int json_buf_init(JsonBuf *jb, size_t initial_cap);
void json_buf_deinit(JsonBuf *jb);
/* Start a new record; keeps the allocation. Clears the failure flag. */
void json_buf_reset(JsonBuf *jb);

/* True after an allocation failure or misuse since the last reset. */
static inline bool json_failed(const JsonBuf *jb)
{
    return jb->is_failed;
}

/* True when one whole top-level value has been written and closed. */
static inline bool json_complete(const JsonBuf *jb)
{
    return !jb->is_failed && jb->has_root && jb->depth == 0;
}

void json_open_object(JsonBuf *jb, const char *key);
void json_close_object(JsonBuf *jb);
void json_open_array(JsonBuf *jb, const char *key);
void json_close_array(JsonBuf *jb);

/* s NULL writes JSON null. */
void json_str(JsonBuf *jb, const char *key, const char *s);
/* Arbitrary bytes (may hold '\0' and invalid UTF-8). */
void json_strn(JsonBuf *jb, const char *key, const uint8_t *s, size_t len);
void json_u64(JsonBuf *jb, const char *key, uint64_t v);
void json_i64(JsonBuf *jb, const char *key, int64_t v);
/* NaN and infinities are written as null (JSON has no spelling for them). */
void json_double(JsonBuf *jb, const char *key, double v);
void json_bool(JsonBuf *jb, const char *key, bool v);
void json_null(JsonBuf *jb, const char *key);
/* Standard base64 with padding (RFC 4648 section 4). */
void json_base64(JsonBuf *jb, const char *key, const uint8_t *data, size_t len);
/* Suricata's payload_printable: printable ASCII, '\n' and '\r' kept, every
 * other byte written as '.'. */
void json_printable(JsonBuf *jb, const char *key, const uint8_t *data, size_t len);
/* A value already rendered as JSON, copied verbatim. The caller guarantees
 * that raw_json is one valid JSON value. */
void json_raw(JsonBuf *jb, const char *key, const char *raw_json);

#endif
