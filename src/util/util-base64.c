#include "util/util-base64.h"

#include <stdint.h>

#include "util/util-error.h"

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t util_base64_encoded_len(size_t len)
{
    size_t groups = len / 3 + (len % 3 != 0);
    if (groups > SIZE_MAX / 4) {
        return SIZE_MAX;
    }
    return groups * 4;
}

size_t util_base64_encode_raw(char *out, const uint8_t *in, size_t len)
{
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64_alphabet[v >> 18 & 0x3f];
        out[o++] = b64_alphabet[v >> 12 & 0x3f];
        out[o++] = b64_alphabet[v >> 6 & 0x3f];
        out[o++] = b64_alphabet[v & 0x3f];
    }
    size_t rest = len - i;
    if (rest == 0) {
        return o;
    }
    /* One or two bytes left: pad the last group (RFC 4648 section 4). */
    uint32_t v = (uint32_t)in[i] << 16;
    if (rest == 2) {
        v |= (uint32_t)in[i + 1] << 8;
    }
    out[o++] = b64_alphabet[v >> 18 & 0x3f];
    out[o++] = b64_alphabet[v >> 12 & 0x3f];
    out[o++] = rest == 2 ? b64_alphabet[v >> 6 & 0x3f] : '=';
    out[o++] = '=';
    return o;
}

int util_base64_encode(char *out, size_t out_size, const uint8_t *in, size_t len,
                       size_t *out_len)
{
    size_t need = util_base64_encoded_len(len);
    if (need == SIZE_MAX || out_size < need + 1) {
        return VG_ERANGE;
    }
    size_t n = util_base64_encode_raw(out, in, len);
    out[n] = '\0';
    if (out_len != NULL) {
        *out_len = n;
    }
    return 0;
}
