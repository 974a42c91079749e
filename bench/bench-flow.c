/* Flow table benchmark: insert and lookup rate, time per flow at 10k and
 * 100k flows, crafted-collision keys against the keyed hash, the cost of a
 * single-chain table (what a successful collision attack would do), a 1M
 * flow flood against a 16 MiB memcap, and bytes of memory per flow.
 * Prints numbers; asserts nothing.
 *
 * Build and run (after the usual cmake build in build/):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc bench/bench-flow.c build/libvigilcore.a \
 *      -lpthread -o build/bench-flow && ./build/bench-flow
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flow/flow-internal.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void base_pkt(Packet *p)
{
    memset(p, 0, sizeof(*p));
    p->l3 = PKT_L3_IPV4;
    p->l4 = PKT_L4_UDP;
    p->proto = 17;
    p->src.family = 4;
    p->dst.family = 4;
    p->src.a.u8[0] = 10;
    p->dst.a.u8[0] = 192;
    p->dst.a.u8[3] = 1;
    p->dp = 53;
    p->caplen = 100;
    p->ts_sec = 1000;
}

/* Random-looking distinct flows: client address from i. */
static void pkt_plain(Packet *p, uint32_t i)
{
    base_pkt(p);
    p->src.a.u8[1] = (uint8_t)(i >> 16);
    p->src.a.u8[2] = (uint8_t)(i >> 8);
    p->src.a.u8[3] = (uint8_t)i;
    p->sp = (uint16_t)(1024 + (i >> 24));
}

/* Crafted against an unkeyed xor/sum hash: address and port move in
 * opposite directions so (addr + port) stays constant. */
static void pkt_crafted(Packet *p, uint32_t i)
{
    base_pkt(p);
    uint32_t a = 0x0a000000u + i;
    p->src.a.u8[1] = (uint8_t)(a >> 16);
    p->src.a.u8[2] = (uint8_t)(a >> 8);
    p->src.a.u8[3] = (uint8_t)a;
    p->sp = (uint16_t)(60000 - i);
}

typedef void (*PktGen)(Packet *p, uint32_t i);

static FlowTable *table(uint32_t hash_size, uint64_t memcap, uint32_t prealloc)
{
    FlowConfig cfg;
    flow_config_defaults(&cfg);
    cfg.hash_size = hash_size;
    cfg.memcap_bytes = memcap;
    cfg.prealloc = prealloc;
    return flow_table_new(&cfg);
}

static uint32_t max_chain(const FlowTable *ft)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < ft->cfg.hash_size; i++) {
        if (ft->buckets[i].n_flows > m) {
            m = ft->buckets[i].n_flows;
        }
    }
    return m;
}

static double feed_all(FlowTable *ft, CounterSet *cs, PktGen gen, uint32_t n)
{
    Packet p;
    double t0 = now_ns();
    for (uint32_t i = 0; i < n; i++) {
        gen(&p, i);
        Flow *f = flow_lookup_or_create(ft, cs, &p);
        if (f != NULL) {
            flow_release(f);
        }
    }
    return (now_ns() - t0) / n;
}

static void run_rate(const char *what, PktGen gen, uint32_t n, uint32_t hash_size)
{
    FlowTable *ft = table(hash_size, 1ull << 30, n);
    CounterSet *cs = counters_set_new();
    if (ft == NULL || cs == NULL) {
        printf("%s: table creation failed\n", what);
        return;
    }
    double ins = feed_all(ft, cs, gen, n);
    double look = feed_all(ft, cs, gen, n);
    printf("%-26s n=%-7u hash=%-6u insert %7.1f ns/flow  lookup %7.1f ns/pkt  max chain %u\n",
           what, n, hash_size, ins, look, max_chain(ft));
    flow_table_end_all(ft, FLOW_END_SHUTDOWN, NULL, NULL);
    flow_table_free(ft);
    counters_set_free(cs);
}

static void run_flood(uint32_t n)
{
    FlowTable *ft = table(65536, 16ull << 20, 10000);
    CounterSet *cs = counters_set_new();
    if (ft == NULL || cs == NULL) {
        return;
    }
    double per = feed_all(ft, cs, pkt_plain, n);
    FlowTableStats st;
    flow_table_get_stats(ft, &st);
    printf("flood n=%u memcap 16 MiB: %.1f ns/pkt, peak memuse %llu (%s memcap), active %llu, "
           "allocs %llu, emergency %s\n",
           n, per, (unsigned long long)st.memuse_peak_bytes,
           st.memuse_peak_bytes <= st.memcap_bytes ? "within" : "OVER",
           (unsigned long long)st.active, (unsigned long long)st.allocs,
           st.is_emergency ? "yes" : "no");
    flow_table_free(ft);
    counters_set_free(cs);
}

static void print_memory(void)
{
    printf("sizeof(Flow) %zu bytes, sizeof(FlowBucket) %zu bytes\n", sizeof(Flow),
           sizeof(FlowBucket));
    uint32_t counts[] = {10000, 65536, 100000};
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        double share = 65536.0 * sizeof(FlowBucket) / counts[i];
        printf("  %6u flows, hash-size 65536: %.0f bytes/flow (bucket share %.1f)\n",
               counts[i], sizeof(Flow) + share, share);
    }
}

int main(void)
{
    print_memory();
    run_rate("plain keys", pkt_plain, 10000, 65536);
    run_rate("plain keys", pkt_plain, 100000, 65536);
    run_rate("crafted keys (keyed hash)", pkt_crafted, 10000, 65536);
    run_rate("crafted keys (keyed hash)", pkt_crafted, 50000, 65536);
    run_rate("one chain (attack success)", pkt_plain, 10000, 1);
    run_flood(1000000);
    counters_reset();
    return 0;
}
