/* Stream benchmark: reassembly throughput of bulk transfers (in order, and
 * with every other pair of segments swapped), IDS and inline, in Gbit/s of
 * payload per core; memory per established session; and the flood of a
 * million tiny out-of-order segments in one flow, under the default
 * reassembly memcap and under a small one (peak memory, refused segments).
 * Prints numbers; asserts nothing.
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

#include "decode/decode.h"
#include "flow/flow-types.h"
#include "runtime/counters.h"
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

static bool g_wscale;             // the next packets offer window scale 7

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
    p.tcp.has_wscale = g_wscale;
    p.tcp.wscale = 7;
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

static uint64_t counter_value(const char *name)
{
    CounterId id;
    uint64_t *m = calloc(counters_count(), sizeof(uint64_t));
    uint64_t v = 0;
    if (m != NULL && counters_find(name, &id)) {
        counters_merge(m);
        v = m[id];
    }
    free(m);
    return v;
}

/* n one-byte segments at every other offset (no two runs merge), in random
 * order, the first byte missing so nothing is ever delivered: the worst
 * case for the run tree and the memcap. */
static void tiny_flood(uint32_t n, uint64_t memcap)
{
    uint32_t *order = malloc((size_t)n * sizeof(uint32_t));
    CounterSet *cs = counters_set_new();
    StreamThread *st = cs != NULL ? stream_thread_new(cs) : NULL;
    if (order == NULL || st == NULL) {
        free(order);
        stream_thread_free(st);
        counters_set_free(cs);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        order[i] = i;
    }
    uint32_t x = 12345;
    for (uint32_t i = n - 1; i > 0; i--) {
        x = x * 1103515245u + 12345u;
        uint32_t j = (x >> 8) % (i + 1);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    uint64_t saved = g_stream_cfg.reasm_memcap_bytes;
    g_stream_cfg.reasm_memcap_bytes = memcap;
    uint64_t drops0 = counter_value("tcp.segment_memcap_drop");
    Flow f;
    memset(&f, 0, sizeof(f));
    g_wscale = true;
    handshake(st, &f);
    g_wscale = false;
    pkt(st, &f, 1, TH_ACK, 901, 101, 0);      // the scaled window: 8 MB
    uint64_t peak = 0;
    double t0 = now_s();
    for (uint32_t i = 0; i < n; i++) {
        pkt(st, &f, 0, TH_ACK, 102 + 2 * order[i], 901, 1);
        uint64_t use = stream_reassembly_memuse();
        peak = use > peak ? use : peak;
    }
    double secs = now_s() - t0;
    const TcpSession *ssn = f.protoctx;
    printf("flood of %u tiny segments, reassembly memcap %llu MiB: %.2f s (%.2f M segments/s), "
           "peak reassembly memuse %.1f MiB (%s), %u runs stored, segment_memcap_drop %llu\n",
           n, (unsigned long long)(memcap >> 20), secs, n / secs / 1e6, peak / 1048576.0,
           peak <= memcap ? "within the memcap" : "OVER THE MEMCAP",
           ssn != NULL ? ssn->streams[0].n_runs : 0,
           (unsigned long long)(counter_value("tcp.segment_memcap_drop") - drops0));
    stream_session_free(f.protoctx);
    printf("  after the flow ends: reassembly memuse %llu\n",
           (unsigned long long)stream_reassembly_memuse());
    g_stream_cfg.reasm_memcap_bytes = saved;
    free(order);
    stream_thread_free(st);
    counters_set_free(cs);
}

int main(void)
{
    decode_register_counters();
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
    tiny_flood(1000000, 256ull << 20);          // Suricata's default reassembly memcap
    tiny_flood(1000000, 16ull << 20);
    stream_thread_free(st);
    stream_deinit();
    return 0;
}
