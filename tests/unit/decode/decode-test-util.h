#ifndef VG_TESTS_DECODE_TEST_UTIL_H
#define VG_TESTS_DECODE_TEST_UTIL_H

/* Shared helpers for decoder unit tests (static inline, header only).
 *
 * Packets get an exactly-sized malloc'd copy of the bytes under test, so an
 * ASan build reports any read past the end. Typical use:
 *
 *     DecodeTestCtx t;
 *     dtu_setup(&t, CHECKSUM_ALL);
 *     Packet *p = dtu_packet_new(bytes, sizeof(bytes), LINKTYPE_ETHERNET);
 *     int rc = decode_packet(&t.dtv, p);
 *     assert_int_equal(dtu_counter(&t, "decoder.ethernet"), 1);
 *     dtu_packet_free(p);
 *     dtu_teardown(&t);
 *
 * dtu_for_each_truncation() decodes every prefix 0..len-1 of a sample. */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "runtime/counters.h"

typedef struct DecodeTestCtx {
    CounterSet *cs;
    DecodeThreadCtx dtv;
} DecodeTestCtx;

/* Fresh counter registry, decoder counters registered, one thread set. */
static inline void dtu_setup(DecodeTestCtx *t, ChecksumMode mode)
{
    counters_reset();
    decode_register_counters();
    t->cs = counters_set_new();
    decode_thread_init(&t->dtv, t->cs, mode);
}

static inline void dtu_teardown(DecodeTestCtx *t)
{
    counters_set_free(t->cs);
    t->cs = NULL;
    counters_reset();
}

/* A packet whose data is a malloc'd copy of exactly len bytes (NULL when
 * len is 0, so any read at all is caught). Free with dtu_packet_free. */
static inline Packet *dtu_packet_new(const uint8_t *bytes, uint32_t len, int linktype)
{
    Packet *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return NULL;
    }
    if (len > 0) {
        p->data = malloc(len);
        if (p->data == NULL) {
            free(p);
            return NULL;
        }
        memcpy(p->data, bytes, len);
    }
    p->caplen = len;
    p->wirelen = len;
    p->linktype = linktype;
    return p;
}

static inline void dtu_packet_free(Packet *p)
{
    if (p != NULL) {
        free(p->data);
        free(p);
    }
}

/* Value of a counter by its full name in this test's thread set; 0 if the
 * name is not registered. */
static inline uint64_t dtu_counter(const DecodeTestCtx *t, const char *name)
{
    CounterId id;
    if (!counters_find(name, &id)) {
        return 0;
    }
    return counters_get(t->cs, id);
}

/* Counter of one event ("decoder.event.<name>"). */
static inline uint64_t dtu_event_count(const DecodeTestCtx *t, DecodeEvent ev)
{
    return counters_get(t->cs, t->dtv.ev_cid[ev]);
}

/* Decode bytes as a fresh packet; returns decode_packet's result and hands
 * the packet to *out (caller frees) or frees it when out is NULL. */
static inline int dtu_decode(DecodeTestCtx *t, const uint8_t *bytes, uint32_t len, int linktype,
                             Packet **out)
{
    Packet *p = dtu_packet_new(bytes, len, linktype);
    if (p == NULL) {
        return -1000;
    }
    int rc = decode_packet(&t->dtv, p);
    if (out != NULL) {
        *out = p;
    } else {
        dtu_packet_free(p);
    }
    return rc;
}

/* Callback for each truncated prefix: the packet after decode_packet, its
 * length and decode_packet's result. */
typedef void (*DtuTruncFn)(DecodeTestCtx *t, const Packet *p, uint32_t len, int rc, void *arg);

/* Decode every prefix bytes[0..n) for n in 0..len-1, each in its own
 * exactly-sized buffer; fn (may be NULL) checks each result. */
static inline void dtu_for_each_truncation(DecodeTestCtx *t, const uint8_t *bytes, uint32_t len,
                                           int linktype, DtuTruncFn fn, void *arg)
{
    for (uint32_t n = 0; n < len; n++) {
        Packet *p = NULL;
        int rc = dtu_decode(t, bytes, n, linktype, &p);
        if (p != NULL && fn != NULL) {
            fn(t, p, n, rc, arg);
        }
        dtu_packet_free(p);
    }
}

#endif
