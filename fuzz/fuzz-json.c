/* libFuzzer target for the JSON builder: arbitrary bytes as string values,
 * keys and printable payloads must always give one valid JSON document.
 *
 * Build (from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc -Itests/unit \
 *       fuzz/fuzz-json.c src/util/util-json.c src/util/util-base64.c -lm -o fuzz-json
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/json-check.h"
#include "util/util-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    JsonBuf jb;
    if (json_buf_init(&jb, 64) != 0) {
        return 0;
    }
    /* The key: input up to the first NUL (or all of it), as a C string. */
    size_t key_len = strnlen((const char *)data, size);
    char *key = malloc(key_len + 1);
    if (key == NULL) {
        json_buf_deinit(&jb);
        return 0;
    }
    memcpy(key, data, key_len);
    key[key_len] = '\0';

    json_open_object(&jb, NULL);
    json_strn(&jb, key, data, size);
    json_open_array(&jb, "a");
    json_printable(&jb, NULL, data, size);
    json_base64(&jb, NULL, data, size);
    json_str(&jb, NULL, key);
    json_close_array(&jb);
    json_close_object(&jb);
    if (!json_complete(&jb) || !json_check_valid(jb.buf, jb.len)) {
        abort();
    }
    free(key);
    json_buf_deinit(&jb);
    return 0;
}
