#ifndef VG_UTIL_UTIL_IP_H
#define VG_UTIL_UTIL_IP_H

/* Address text without printf: IPv6 in full form, as Suricata writes addresses in
 * EVE: eight groups of four lowercase hex digits ("2001:0db8:0000:...:0001");
 * IPv4 dotted decimal as inet_ntop writes it ("192.0.2.1", no leading zeros). */

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

#define UTIL_IPV4_STR_SIZE 16        // "255.255.255.255" and the '\0'

/* Returns the text's length (7..15). */
static inline int util_ipv4_str(const uint8_t a[4], char out[UTIL_IPV4_STR_SIZE])
{
    char *o = out;
    for (int i = 0; i < 4; i++) {
        unsigned v = a[i];
        if (i > 0) {
            *o++ = '.';
        }
        if (v >= 100) {
            *o++ = (char)('0' + v / 100);
            v %= 100;
            *o++ = (char)('0' + v / 10);
            *o++ = (char)('0' + v % 10);
        } else if (v >= 10) {
            *o++ = (char)('0' + v / 10);
            *o++ = (char)('0' + v % 10);
        } else {
            *o++ = (char)('0' + v);
        }
    }
    *o = '\0';
    return (int)(o - out);
}

#endif
