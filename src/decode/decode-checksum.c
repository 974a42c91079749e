/* Internet checksums (RFC 1071) for IPv4 headers and TCP/UDP/ICMP over IPv4
 * and IPv6 (pseudo headers: RFC 793 section 3.1, RFC 768, RFC 8200 section 8.1).
 *
 * The one's complement sum is computed by adding 32-bit big-endian words into
 * a 64-bit accumulator and folding at the end: 2^16 is congruent to 1 modulo
 * 2^16 - 1, so the folded sum of 32-bit words equals the sum of 16-bit words
 * (RFC 1071 section 2(B), "byte order independence" and deferred carries). */

#include "decode/decode.h"

#include "util/util-byte.h"

/* Adds len bytes at p to sum; an odd trailing byte is padded with zero on
 * the right, as RFC 1071 specifies. */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, uint32_t len)
{
    while (len >= 16) {
        sum += util_be32(p);
        sum += util_be32(p + 4);
        sum += util_be32(p + 8);
        sum += util_be32(p + 12);
        p += 16;
        len -= 16;
    }
    while (len >= 4) {
        sum += util_be32(p);
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        sum += util_be16(p);
        p += 2;
        len -= 2;
    }
    if (len == 1) {
        sum += (uint32_t)p[0] << 8;
    }
    return sum;
}

/* Folds the accumulator to 16 bits and complements it: 0 means "correct"
 * when the checksum field was included in the sum. */
static uint16_t csum_finish(uint64_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

uint16_t decode_csum_ipv4_hdr(const uint8_t *hdr, uint32_t hlen)
{
    return csum_finish(csum_add(0, hdr, hlen));
}

uint16_t decode_csum_l4_ipv4(const uint8_t *src4, const uint8_t *dst4, uint8_t proto,
                             const uint8_t *l4, uint32_t l4_len)
{
    uint64_t sum = 0;
    sum = csum_add(sum, src4, 4);
    sum = csum_add(sum, dst4, 4);
    sum += proto;
    sum += l4_len;
    return csum_finish(csum_add(sum, l4, l4_len));
}

uint16_t decode_csum_l4_ipv6(const uint8_t *src16, const uint8_t *dst16, uint8_t proto,
                             const uint8_t *l4, uint32_t l4_len)
{
    uint64_t sum = 0;
    sum = csum_add(sum, src16, 16);
    sum = csum_add(sum, dst16, 16);
    sum += l4_len;               // the 32-bit upper-layer length, as two 16-bit words
    sum += proto;
    return csum_finish(csum_add(sum, l4, l4_len));
}
