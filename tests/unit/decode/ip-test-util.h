#ifndef VG_TESTS_DECODE_IP_TEST_UTIL_H
#define VG_TESTS_DECODE_IP_TEST_UTIL_H

/* Helpers for the IP/TCP/UDP/ICMP decoder tests: call one decoder on an
 * exactly-sized copy of some bytes, and build IPv4/IPv6 packets around a
 * body so that malformed headers are easy to write. Header only. */

#include <stdint.h>
#include <string.h>

#include "decode/decode-test-util.h"
#include "decode/decode.h"

typedef int (*ItuDecodeFn)(DecodeThreadCtx *dtv, Packet *p, const uint8_t *pkt, uint32_t len);

/* Runs fn on a fresh packet holding an exact copy of bytes; the packet goes
 * to *out (free with dtu_packet_free). Returns fn's result. */
static inline int itu_decode_fn(DecodeTestCtx *t, ItuDecodeFn fn, const uint8_t *bytes,
                                uint32_t len, Packet **out)
{
    Packet *p = dtu_packet_new(bytes, len, LINKTYPE_RAW);
    decode_packet_reset(p);
    int rc = fn(&t->dtv, p, p->data, p->caplen);
    *out = p;
    return rc;
}

static inline void itu_ipv4_fix_csum(uint8_t *ip)
{
    uint32_t hlen = (uint32_t)(ip[0] & 0x0f) * 4;
    ip[10] = 0;
    ip[11] = 0;
    uint16_t c = decode_csum_ipv4_hdr(ip, hlen);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
}

/* IPv4 header 192.0.2.1 -> 198.51.100.2 with the given options (optlen a
 * multiple of 4) and body; total length and checksum filled. Returns the
 * packet length. */
static inline uint32_t itu_ipv4_build(uint8_t *buf, uint8_t proto, const uint8_t *opts,
                                      uint32_t optlen, const uint8_t *body, uint32_t blen)
{
    uint32_t hlen = 20 + optlen;
    uint32_t total = hlen + blen;
    static const uint8_t fixed[20] = { 0x45, 0, 0, 0, 0x12, 0x34, 0, 0, 64, 0, 0, 0,
                                       192, 0, 2, 1, 198, 51, 100, 2 };
    memcpy(buf, fixed, 20);
    buf[0] = (uint8_t)(0x40 | (hlen / 4));
    buf[2] = (uint8_t)(total >> 8);
    buf[3] = (uint8_t)total;
    buf[9] = proto;
    if (optlen > 0) {
        memcpy(buf + 20, opts, optlen);
    }
    if (blen > 0) {
        memcpy(buf + hlen, body, blen);
    }
    itu_ipv4_fix_csum(buf);
    return total;
}

/* IPv6 header 2001:db8::1 -> 2001:db8::2, hop limit 64, next header nh,
 * payload length blen, then body. Returns the packet length. */
static inline uint32_t itu_ipv6_build(uint8_t *buf, uint8_t nh, const uint8_t *body,
                                      uint32_t blen)
{
    memset(buf, 0, 40);
    buf[0] = 0x60;
    buf[4] = (uint8_t)(blen >> 8);
    buf[5] = (uint8_t)blen;
    buf[6] = nh;
    buf[7] = 64;
    static const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    memcpy(buf + 8, a, 16);
    memcpy(buf + 24, a, 16);
    buf[39] = 2;
    if (blen > 0) {
        memcpy(buf + 40, body, blen);
    }
    return 40 + blen;
}

#endif
