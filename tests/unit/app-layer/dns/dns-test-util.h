#ifndef VG_TESTS_DNS_TEST_UTIL_H
#define VG_TESTS_DNS_TEST_UTIL_H

/* Builds DNS messages byte by byte for the DNS tests (RFC 1035 4.1 layout). */

#include <stdint.h>
#include <string.h>

typedef struct DnsBuild {
    uint8_t b[70000];
    uint32_t n;
} DnsBuild;

static inline void db_u8(DnsBuild *d, uint8_t v)
{
    d->b[d->n++] = v;
}

static inline void db_u16(DnsBuild *d, uint16_t v)
{
    db_u8(d, (uint8_t)(v >> 8));
    db_u8(d, (uint8_t)v);
}

static inline void db_u32(DnsBuild *d, uint32_t v)
{
    db_u16(d, (uint16_t)(v >> 16));
    db_u16(d, (uint16_t)v);
}

/* id, flags, qd, an, ns, ar */
static inline void db_header(DnsBuild *d, uint16_t id, uint16_t flags, uint16_t qd,
                             uint16_t an, uint16_t ns, uint16_t ar)
{
    d->n = 0;
    db_u16(d, id);
    db_u16(d, flags);
    db_u16(d, qd);
    db_u16(d, an);
    db_u16(d, ns);
    db_u16(d, ar);
}

/* "www.example.com" as labels plus the root byte. */
static inline void db_name(DnsBuild *d, const char *dotted)
{
    const char *s = dotted;
    while (*s != '\0') {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        db_u8(d, (uint8_t)l);
        memcpy(d->b + d->n, s, l);
        d->n += (uint32_t)l;
        s += l + (dot ? 1 : 0);
    }
    db_u8(d, 0);
}

static inline void db_ptr(DnsBuild *d, uint16_t off)
{
    db_u16(d, (uint16_t)(0xc000 | off));
}

static inline void db_question(DnsBuild *d, const char *name, uint16_t type)
{
    db_name(d, name);
    db_u16(d, type);
    db_u16(d, 1);
}

/* Record header after the owner name: type, class IN, ttl, rdlength. */
static inline void db_rr_fixed(DnsBuild *d, uint16_t type, uint32_t ttl, uint16_t rdlen)
{
    db_u16(d, type);
    db_u16(d, 1);
    db_u32(d, ttl);
    db_u16(d, rdlen);
}

static inline void db_bytes(DnsBuild *d, const void *p, uint32_t n)
{
    memcpy(d->b + d->n, p, n);
    d->n += n;
}

#endif
