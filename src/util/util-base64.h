#ifndef VG_UTIL_UTIL_BASE64_H
#define VG_UTIL_UTIL_BASE64_H

/* Base64 encoding, standard alphabet with '=' padding (RFC 4648 section 4).
 * Pure functions: any thread. */

#include <stddef.h>
#include <stdint.h>

/* Characters needed to encode len bytes, without a terminating '\0';
 * SIZE_MAX if that does not fit in size_t. */
size_t util_base64_encoded_len(size_t len);

/* Encode len bytes of in into out and terminate it with '\0'. out_size must
 * hold util_base64_encoded_len(len) + 1 bytes, else nothing is written and
 * VG_ERANGE is returned. On success returns 0 and stores the length written
 * (without the '\0') in *out_len when out_len is not NULL. */
__attribute__((warn_unused_result)) int util_base64_encode(char *out, size_t out_size,
                                                           const uint8_t *in, size_t len,
                                                           size_t *out_len);

/* Encode without a terminator into out, which the caller has sized to
 * util_base64_encoded_len(len). Returns the characters written. */
size_t util_base64_encode_raw(char *out, const uint8_t *in, size_t len);

#endif
