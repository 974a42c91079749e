#ifndef VG_UTIL_UTIL_HASH_H
#define VG_UTIL_UTIL_HASH_H

/* A fast non-cryptographic hash of a byte string, for in-process caches whose hits are
 * confirmed by comparing the bytes (a collision only costs that compare). Eight bytes at
 * a time. Not for tables an attacker fills (no seed): use it for keys it cannot choose to
 * collide at will, or behind a bounded, byte-checked cache as here. */

#include <stdint.h>
#include <string.h>

static inline uint64_t util_hash_bytes(const uint8_t *data, uint32_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    uint32_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, sizeof(w));
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    for (; i < len; i++) {
        h = (h ^ data[i]) * 0x100000001b3ull;
    }
    h ^= h >> 29;
    return h;
}

#endif
