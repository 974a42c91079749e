#ifndef VG_TESTS_OUTPUT_TEST_UTIL_H
#define VG_TESTS_OUTPUT_TEST_UTIL_H

/* Helpers shared by the output tests: packets with just the fields the
 * writers read, and whole-file reads. */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/packet-types.h"

/* 2009-07-03 12:34:56 UTC */
#define OT_SEC 1246624496

static inline VgAddr ot_addr(const char *text)
{
    VgAddr a;
    memset(&a, 0, sizeof(a));
    if (inet_pton(AF_INET, text, a.a.u8) == 1) {
        a.family = 4;
    } else if (inet_pton(AF_INET6, text, a.a.u8) == 1) {
        a.family = 6;
    }
    return a;
}

static inline void ot_packet(Packet *p, int l3, int l4, uint8_t proto, const char *src,
                             uint16_t sp, const char *dst, uint16_t dp)
{
    memset(p, 0, sizeof(*p));
    p->ts_sec = OT_SEC;
    p->ts_usec = 123456;
    p->l3 = (uint8_t)l3;
    p->l4 = (uint8_t)l4;
    p->proto = proto;
    p->src = ot_addr(src);
    p->dst = ot_addr(dst);
    p->sp = sp;
    p->dp = dp;
}

/* Whole file as a '\0'-terminated string (caller frees); NULL on error. */
static inline char *ot_read_file(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096;
    size_t n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1) {
            break;
        }
        cap *= 2;
        char *nb = realloc(buf, cap);
        if (nb == NULL) {
            free(buf);
            buf = NULL;
        } else {
            buf = nb;
        }
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

#endif
