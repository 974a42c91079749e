/* Stream benchmark: reassembly throughput of bulk transfers (in order, and
 * with every other pair of segments swapped), IDS and inline, in Gbit/s of
 * payload per core; and memory per established session. Prints numbers;
 * asserts nothing.
 *
 * Build and run (after the usual cmake build in build/; the CMake build makes
 * build/bench-stream too):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc bench/bench-stream.c build/libvigilcore.a \
 *      -lpcap -lyaml -lpcre2-8 -lpthread -o build/bench-stream && ./build/bench-stream
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow/flow-types.h"
#include "stream/stream-internal.h"

#define MSS 1448u

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const uint8_t g_hdr[20];
static uint8_t g_payload[MSS];

static void pkt(StreamThread *st, Flow *f, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                uint32_t len)
{
    Packet p;
    memset(&p, 0, sizeof(p));
    p.l3 = PKT_L3_IPV4;
    p.l4 = PKT_L4_TCP;
    p.src = (VgAddr){.family = 4, .a.u8 = {10, 0, 0, (uint8_t)(1 + dir)}};
    p.dst = (VgAddr){.family = 4, .a.u8 = {10, 0, 0, (uint8_t)(2 - dir)}};
    p.sp = dir ? 80 : 40000;
    p.dp = dir ? 40000 : 80;
    p.flags = dir ? PKT_F_TOCLIENT : PKT_F_TOSERVER;
    p.tcp.hdr = g_hdr;
    p.tcp.flags = flags;
    p.tcp.seq = seq;
    p.tcp.ack = ack;
    p.tcp.win = 65535;
    p.payload = g_payload;
    p.payload_len = len;
    p.flow = f;
    stream_packet(st, &p);
}

static void handshake(StreamThread *st, Flow *f)
{
    pkt(st, f, 0, TH_SYN, 100, 0, 0);
    pkt(st, f, 1, TH_SYN | TH_ACK, 900, 101, 0);
    pkt(st, f, 0, TH_ACK, 101, 901, 0);
}

/* One bulk transfer of n_segs segments client -> server. */
static double bulk(StreamThread *st, uint32_t n_segs, bool swap_pairs)
{
    Flow f;
    memset(&f, 0, sizeof(f));
    handshake(st, &f);
    double t0 = now_s();
    for (uint32_t i = 0; i < n_segs; i += 2) {
        uint32_t s0 = 101 + i * MSS;
        uint32_t s1 = s0 + MSS;
        if (swap_pairs) {
            pkt(st, &f, 0, TH_ACK, s1, 901, MSS);
            pkt(st, &f, 0, TH_ACK, s0, 901, MSS);
        } else {
            pkt(st, &f, 0, TH_ACK, s0, 901, MSS);
            pkt(st, &f, 0, TH_ACK, s1, 901, MSS);
        }
        pkt(st, &f, 1, TH_ACK, 901, s1 + MSS, 0);   // delayed ack: one per two segments
    }
    double secs = now_s() - t0;
    stream_session_free(f.protoctx);
    return (double)n_segs * MSS * 8 / secs / 1e9;
}

static void sessions_memory(StreamThread *st, uint32_t n)
{
    Flow *flows = calloc(n, sizeof(Flow));
    if (flows == NULL) {
        return;
    }
    uint64_t m0 = stream_memuse() + stream_reassembly_memuse();
    for (uint32_t i = 0; i < n; i++) {
        handshake(st, &flows[i]);
        pkt(st, &flows[i], 0, TH_ACK | TH_PUSH, 101, 901, 300);   // a small request
    }
    uint64_t m1 = stream_memuse() + stream_reassembly_memuse();
    printf("memory per established session: %.0f bytes (session %zu, with 300 B of unacked "
           "request)\n",
           (double)(m1 - m0) / n, sizeof(TcpSession));
    for (uint32_t i = 0; i < n; i++) {
        stream_session_free(flows[i].protoctx);
    }
    free(flows);
}

int main(void)
{
    if (stream_init(NULL, NULL) != 0) {
        return 1;
    }
    g_stream_cfg.depth_bytes = 0;               // measure reassembly, not the depth cut
    g_stream_cfg.reasm_memcap_bytes = 1ull << 32;
    StreamThread *st = stream_thread_new(NULL);
    memset(g_payload, 'x', sizeof(g_payload));
    uint32_t n = (64u << 20) / MSS;            // ~64 MiB per run
    stream_set_inline(false);
    printf("IDS, in order:           %.2f Gbit/s\n", bulk(st, n, false));
    printf("IDS, pairs swapped:      %.2f Gbit/s\n", bulk(st, n, true));
    stream_set_inline(true);
    printf("inline, in order:        %.2f Gbit/s\n", bulk(st, n, false));
    stream_set_inline(false);
    sessions_memory(st, 10000);
    stream_thread_free(st);
    stream_deinit();
    return 0;
}
