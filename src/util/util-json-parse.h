#ifndef VG_UTIL_UTIL_JSON_PARSE_H
#define VG_UTIL_UTIL_JSON_PARSE_H

/* A small, bounded JSON reader (RFC 8259) for requests that come from outside
 * (control socket commands): the whole text is parsed at once into a tree of
 * JsonValue nodes held by one JsonDoc, freed in one call.
 *
 * Bounds: nesting deeper than JSON_PARSE_MAX_DEPTH, more than
 * JSON_PARSE_MAX_NODES values or a text longer than JSON_PARSE_MAX_BYTES is
 * refused, as is anything that is not exactly one JSON value (trailing bytes
 * other than white space), a control byte inside a string, a "\u0000" escape
 * (strings are handed out NUL-terminated) and a lone surrogate. Errors are
 * reported as "offset N: problem". Nothing here locks; a JsonDoc belongs to
 * whoever parsed it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_PARSE_MAX_DEPTH 32
#define JSON_PARSE_MAX_NODES 4096
#define JSON_PARSE_MAX_BYTES ((size_t)1 << 20)

typedef enum JsonType {
    JSON_T_NULL = 0,
    JSON_T_BOOL,
    JSON_T_NUMBER,
    JSON_T_STRING,
    JSON_T_ARRAY,
    JSON_T_OBJECT,
} JsonType;

typedef struct JsonValue {
    JsonType type;
    const char *key;             // member name inside an object, else NULL
    const char *str;             // JSON_T_STRING: decoded UTF-8; JSON_T_NUMBER: its text
    size_t str_len;
    double num;                  // JSON_T_NUMBER
    bool b;                      // JSON_T_BOOL
    uint32_t n_children;         // JSON_T_ARRAY, JSON_T_OBJECT
    const struct JsonValue *child; // first element or member
    const struct JsonValue *next;  // next sibling
} JsonValue;

typedef struct JsonDoc JsonDoc;

/* Parse len bytes of text. On success returns 0 and *out (free with
 * json_doc_free); on failure returns VG_EINVAL (err holds the reason) or
 * VG_ENOMEM, and *out is NULL. err may be NULL. */
__attribute__((warn_unused_result)) int json_parse(const char *text, size_t len, JsonDoc **out,
                                                   char *err, size_t err_len);
void json_doc_free(JsonDoc *doc);
const JsonValue *json_doc_root(const JsonDoc *doc);

/* The first member named key of an object; NULL when absent or v is not an
 * object. */
const JsonValue *json_object_get(const JsonValue *v, const char *key);
/* The string of a JSON_T_STRING member, else NULL. */
const char *json_object_get_str(const JsonValue *v, const char *key);

#endif
