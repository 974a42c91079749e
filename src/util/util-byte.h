#ifndef VG_UTIL_UTIL_BYTE_H
#define VG_UTIL_UTIL_BYTE_H

/* Alignment-safe big/little endian readers. The caller has checked the
 * length; these never read past p + width. */

#include <stdint.h>

static inline uint16_t util_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t util_be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t util_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t util_be64(const uint8_t *p)
{
    return (uint64_t)util_be32(p) << 32 | util_be32(p + 4);
}

static inline uint16_t util_le16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[1] << 8 | p[0]);
}

static inline uint32_t util_le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t util_le64(const uint8_t *p)
{
    return (uint64_t)util_le32(p + 4) << 32 | util_le32(p);
}

#endif
