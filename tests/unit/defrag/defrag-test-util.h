#ifndef VG_TESTS_DEFRAG_TEST_UTIL_H
#define VG_TESTS_DEFRAG_TEST_UTIL_H

/* Helpers for the defrag tests (header only): a packet source that counts
 * what it hands out, fragment builders (IPv4 192.0.2.1 -> 198.51.100.2,
 * IPv6 2001:db8::1 -> 2001:db8::2, raw IP link type), and a fixture with
 * the decoder, defrag counters and a fresh table. */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode-test-util.h"
#include "defrag/defrag.h"

typedef struct DefragFixture {
    DecodeTestCtx t;
    DefragThread dt;
    int outstanding;             // packets from the source not given back
    DefragPolicy policy;         // what the policy function answers
} DefragFixture;

static DefragFixture *g_dfx;     // for the policy function

static inline Packet *dfu_get(void *user)
{
    DefragFixture *fx = user;
    Packet *p = calloc(1, sizeof(*p));
    p->data = calloc(1, PACKET_MAX_SIZE);
    fx->outstanding++;
    return p;
}

static inline void dfu_put(Packet *p, void *user)
{
    DefragFixture *fx = user;
    free(p->data);
    free(p);
    fx->outstanding--;
}

static inline DefragPolicy dfu_policy(const VgAddr *dst)
{
    (void)dst;
    return g_dfx->policy;
}

/* Fresh counters, decoder, and table with cfg (NULL: defaults). */
static inline void dfu_setup(DefragFixture *fx, const DefragConfig *cfg)
{
    memset(fx, 0, sizeof(*fx));
    dtu_setup(&fx->t, CHECKSUM_ALL);
    DefragConfig c;
    defrag_config_defaults(&c);
    if (cfg != NULL) {
        c = *cfg;
    }
    g_dfx = fx;
    if (defrag_init(&c, dfu_policy) != 0) {
        abort();
    }
    defrag_thread_init(&fx->dt, fx->t.cs);
    fx->t.dtv.src = (DecodePacketSource){ .get = dfu_get, .put = dfu_put, .user = fx };
}

static inline void dfu_teardown(DefragFixture *fx)
{
    defrag_deinit();
    dtu_teardown(&fx->t);
    g_dfx = NULL;
}

/* A decoded packet of the given bytes (raw IP), time ts_sec. */
static inline Packet *dfu_decode(DefragFixture *fx, const uint8_t *b, uint32_t len, int64_t ts)
{
    Packet *p = dtu_packet_new(b, len, LINKTYPE_RAW);
    p->ts_sec = ts;
    (void)decode_packet(&fx->t.dtv, p);
    return p;
}

/* IPv4 fragment: id, data offset off (bytes, multiple of 8), MF, protocol,
 * len bytes of data. Returns the packet length written to b. */
static inline uint32_t dfu_build4(uint8_t *b, uint16_t id, uint32_t off, bool more,
                                  uint8_t proto, const uint8_t *data, uint32_t len)
{
    static const uint8_t fixed[20] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0,
                                       192, 0, 2, 1, 198, 51, 100, 2 };
    memcpy(b, fixed, 20);
    uint32_t total = 20 + len;
    b[2] = (uint8_t)(total >> 8);
    b[3] = (uint8_t)total;
    b[4] = (uint8_t)(id >> 8);
    b[5] = (uint8_t)id;
    uint16_t ff = (uint16_t)((off / 8) | (more ? 0x2000 : 0));
    b[6] = (uint8_t)(ff >> 8);
    b[7] = (uint8_t)ff;
    b[9] = proto;
    memcpy(b + 20, data, len);
    uint16_t c = decode_csum_ipv4_hdr(b, 20);
    b[10] = (uint8_t)(c >> 8);
    b[11] = (uint8_t)c;
    return total;
}

/* IPv6 fragment (optionally behind an 8-byte destination options header
 * of PadN when with_dst): id, offset, M flag, next header, data. */
static inline uint32_t dfu_build6(uint8_t *b, uint32_t id, uint32_t off, bool more, uint8_t nh,
                                  const uint8_t *data, uint32_t len, bool with_dst)
{
    memset(b, 0, 40);
    b[0] = 0x60;
    b[7] = 64;
    b[8] = 0x20;
    b[9] = 0x01;
    b[10] = 0x0d;
    b[11] = 0xb8;
    memcpy(b + 24, b + 8, 16);
    b[23] = 1;
    b[39] = 2;
    uint32_t at = 40;
    if (with_dst) {
        b[6] = 60;
        const uint8_t dst[8] = { 44, 0, 1, 4, 0, 0, 0, 0 };
        memcpy(b + at, dst, 8);
        at += 8;
    } else {
        b[6] = 44;
    }
    uint16_t fo = (uint16_t)(off | (more ? 1 : 0));
    const uint8_t fh[8] = { nh, 0, (uint8_t)(fo >> 8), (uint8_t)fo, (uint8_t)(id >> 24),
                            (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id };
    memcpy(b + at, fh, 8);
    at += 8;
    memcpy(b + at, data, len);
    uint32_t plen = at - 40 + len;
    b[4] = (uint8_t)(plen >> 8);
    b[5] = (uint8_t)plen;
    return at + len;
}

/* Feeds one fragment; returns the rebuilt packet or NULL. *frag gets the
 * fragment packet when frag is non-NULL (free with dtu_packet_free). */
static inline Packet *dfu_feed(DefragFixture *fx, const uint8_t *b, uint32_t len, int64_t ts,
                               Packet **frag)
{
    Packet *p = dfu_decode(fx, b, len, ts);
    Packet *r = defrag_packet(&fx->dt, &fx->t.dtv, p);
    if (frag != NULL) {
        *frag = p;
    } else {
        dtu_packet_free(p);
    }
    return r;
}

static inline Packet *dfu_feed4(DefragFixture *fx, uint16_t id, uint32_t off, bool more,
                                char fill, uint32_t len, Packet **frag)
{
    uint8_t data[2048];
    uint8_t b[2100];
    memset(data, fill, len);
    uint32_t n = dfu_build4(b, id, off, more, 253, data, len);
    return dfu_feed(fx, b, n, 1000, frag);
}

static inline Packet *dfu_feed6(DefragFixture *fx, uint32_t id, uint32_t off, bool more,
                                char fill, uint32_t len, Packet **frag)
{
    uint8_t data[2048];
    uint8_t b[2100];
    memset(data, fill, len);
    uint32_t n = dfu_build6(b, id, off, more, 253, data, len, false);
    return dfu_feed(fx, b, n, 1000, frag);
}

static inline uint64_t dfu_counter(DefragFixture *fx, const char *name)
{
    return dtu_counter(&fx->t, name);
}

#endif
