/* libFuzzer target for the bounded JSON reader (control socket requests):
 * any bytes either parse, and then every node is walked, or are refused with
 * a reason; never a crash, a leak or a read outside the input.
 *
 * Build: bash fuzz/build.sh (or see fuzz-json.c for a one-line clang build). */

#include <stdint.h>
#include <string.h>

#include "util/util-json-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const JsonValue *v, uint32_t depth)
{
    size_t n = 1;
    if (v->type == JSON_T_STRING && strlen(v->str) != v->str_len) {
        __builtin_trap(); // strings never hold a NUL
    }
    for (const JsonValue *c = v->child; c != NULL; c = c->next) {
        n += walk(c, depth + 1);
    }
    if (depth > JSON_PARSE_MAX_DEPTH) {
        __builtin_trap();
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    JsonDoc *d = NULL;
    char err[128];
    if (json_parse((const char *)data, size, &d, err, sizeof(err)) == 0) {
        if (walk(json_doc_root(d), 0) > JSON_PARSE_MAX_NODES) {
            __builtin_trap();
        }
        json_doc_free(d);
    } else if (err[0] == '\0') {
        __builtin_trap(); // a refusal always says why
    }
    return 0;
}
