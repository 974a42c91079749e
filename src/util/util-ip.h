#ifndef VG_UTIL_UTIL_IP_H
#define VG_UTIL_UTIL_IP_H

/* IPv6 text in full form, as Suricata writes addresses in EVE: eight groups
 * of four lowercase hex digits ("2001:0db8:0000:...:0001"). */

#include <stdint.h>

#define UTIL_IPV6_FULL_SIZE 40       // 39 characters and the '\0'

static inline void util_ipv6_full(const uint8_t a[16], char out[UTIL_IPV6_FULL_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i > 0 && i % 2 == 0) {
            *o++ = ':';
        }
        *o++ = hex[a[i] >> 4];
        *o++ = hex[a[i] & 0xf];
    }
    *o = '\0';
}

#endif
