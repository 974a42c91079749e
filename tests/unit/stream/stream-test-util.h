/* Helpers for the stream tests: one flow, packets built field by field (the
 * decoder is not involved: TcpVars are what it would have filled). */
#ifndef VG_TESTS_STREAM_TEST_UTIL_H
#define VG_TESTS_STREAM_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "flow/flow-internal.h"
#include "runtime/counters.h"
#include "stream/stream-internal.h"

enum { TS = 0, TC = 1 };         // packet direction: to server, to client

typedef struct TestConn {
    Flow f;
    Packet p;
    uint8_t hdr[20];
    uint8_t payload[2048];
    CounterSet *cs;
    StreamThread *st;
    Conf *conf;
} TestConn;

/* yaml: extra configuration (NULL: defaults). Returns 0 or the init error. */
static inline int tc_init(TestConn *tc, const char *yaml)
{
    memset(tc, 0, sizeof(*tc));
    counters_reset();
    decode_register_counters();
    if (yaml != NULL) {
        tc->conf = conf_new();
        if (conf_load_string(tc->conf, yaml, "test.yaml") != 0) {
            return -1;
        }
    }
    int rc = stream_init(tc->conf, NULL);
    tc->cs = counters_set_new();
    tc->st = stream_thread_new(tc->cs);
    tc->f.key.proto = 6;
    return rc;
}

static inline void tc_end_session(TestConn *tc)
{
    stream_session_free(tc->f.protoctx);
    tc->f.protoctx = NULL;
}

static inline void tc_deinit(TestConn *tc)
{
    tc_end_session(tc);
    flow_storage_free_all(&tc->f);  // whatever a stage kept in the flow's storage
    stream_thread_free(tc->st);
    counters_set_free(tc->cs);
    stream_deinit();
    conf_free(tc->conf);
    counters_reset();
}

static inline Packet *tc_pkt_opts(TestConn *tc, int dir, uint8_t flags, uint32_t seq,
                                  uint32_t ack, const char *data, uint16_t win)
{
    Packet *p = &tc->p;
    memset(p, 0, sizeof(*p));
    p->l3 = PKT_L3_IPV4;
    p->l4 = PKT_L4_TCP;
    p->proto = 6;
    VgAddr cli = {.family = 4, .a.u8 = {10, 0, 0, 1}};
    VgAddr srv = {.family = 4, .a.u8 = {10, 0, 0, 2}};
    p->src = dir == TS ? cli : srv;
    p->dst = dir == TS ? srv : cli;
    p->sp = dir == TS ? 40000 : 80;
    p->dp = dir == TS ? 80 : 40000;
    p->flags = dir == TS ? PKT_F_TOSERVER : PKT_F_TOCLIENT;
    p->tcp.hdr = tc->hdr;
    p->tcp.flags = flags;
    p->tcp.seq = seq;
    p->tcp.ack = ack;
    p->tcp.win = win;
    size_t len = data ? strlen(data) : 0;
    memcpy(tc->payload, data ? data : "", len);
    p->payload = tc->payload;
    p->payload_len = (uint32_t)len;
    p->flow = &tc->f;
    return p;
}

/* Build and process one packet; the packet stays valid until the next call. */
static inline Packet *tc_pkt(TestConn *tc, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                             const char *data)
{
    Packet *p = tc_pkt_opts(tc, dir, flags, seq, ack, data, 65535);
    stream_packet(tc->st, p);
    return p;
}

static inline TcpSession *tc_ssn(TestConn *tc)
{
    return tc->f.protoctx;
}

static inline uint64_t tc_counter(const char *name)
{
    CounterId id;
    if (!counters_find(name, &id)) {
        return UINT64_MAX;
    }
    uint64_t *m = calloc(counters_count(), sizeof(uint64_t));
    counters_merge(m);
    uint64_t v = m[id];
    free(m);
    return v;
}

static inline bool tc_has_event(const Packet *p, DecodeEvent ev)
{
    return packet_has_event(p, ev);
}

/* Client ISN 1000, server ISN 5000: after this, client data starts at 1001
 * and server data at 5001. */
static inline void tc_handshake(TestConn *tc)
{
    tc_pkt(tc, TS, TH_SYN, 1000, 0, NULL);
    tc_pkt(tc, TC, TH_SYN | TH_ACK, 5000, 1001, NULL);
    tc_pkt(tc, TS, TH_ACK, 1001, 5001, NULL);
}

/* The view of p as a string (overlap included). */
static inline void tc_view(const Packet *p, char *out, size_t size)
{
    size_t n = p->stream_data_len < size - 1 ? p->stream_data_len : size - 1;
    if (p->stream_data != NULL) {
        memcpy(out, p->stream_data, n);
    } else {
        n = 0;
    }
    out[n] = '\0';
}

#endif
