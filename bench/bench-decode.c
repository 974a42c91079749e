/* Decode benchmark: the cost of decode + counters over a bare libpcap read.
 *
 *   bench-decode FILE.pcap [ROUNDS]
 *
 * Runs ROUNDS (default 5) of each loop over the same file and prints the
 * median wall time, packets/s and Gbit/s of both, and their ratio:
 *   bare:   pcap_next_ex over the file (the physical floor here)
 *   decode: pcap_next_ex, copy into a pool Packet, decode_packet (counters on)
 * The file is read once beforehand so both loops start from the page cache. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode/decode.h"
#include "runtime/counters.h"
#include "runtime/packet-pool.h"

typedef struct Result {
    double secs;
    uint64_t pkts;
    uint64_t bytes;
} Result;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *file, bool decode, DecodeThreadCtx *dtv, PacketPool *pool, Result *r)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(file, err);
    if (pc == NULL) {
        fprintf(stderr, "%s: %s\n", file, err);
        return -1;
    }
    int lt = pcap_datalink(pc);
    struct pcap_pkthdr *h;
    const u_char *d;
    memset(r, 0, sizeof(*r));
    double t0 = now();
    while (pcap_next_ex(pc, &h, &d) == 1) {
        r->pkts++;
        r->bytes += h->caplen;
        if (decode) {
            Packet *p = packet_pool_get(pool);
            uint32_t n = h->caplen < PACKET_MAX_SIZE ? h->caplen : PACKET_MAX_SIZE;
            memcpy(p->data, d, n);
            p->caplen = n;
            p->wirelen = h->len;
            p->linktype = lt;
            decode_packet(dtv, p);
            packet_pool_put(p);
        }
    }
    r->secs = now() - t0;
    pcap_close(pc);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.pcap [ROUNDS]\n", argv[0]);
        return 2;
    }
    int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
    if (rounds < 1 || rounds > 100) {
        rounds = 5;
    }
    decode_register_counters();
    CounterSet *cs = counters_set_new();
    DecodeThreadCtx dtv;
    decode_thread_init(&dtv, cs, CHECKSUM_NONE);
    PacketPool *pool = packet_pool_new(4);
    double bare[100];
    double dec[100];
    Result r;
    if (run(argv[1], false, &dtv, pool, &r) != 0) { // warm the page cache
        return 1;
    }
    for (int i = 0; i < rounds; i++) {
        run(argv[1], false, &dtv, pool, &r);
        bare[i] = r.secs;
        run(argv[1], true, &dtv, pool, &r);
        dec[i] = r.secs;
    }
    double mb = median(bare, rounds);
    double md = median(dec, rounds);
    printf("file: %s\npackets: %" PRIu64 ", bytes: %" PRIu64 ", rounds: %d (medians)\n", argv[1],
           r.pkts, r.bytes, rounds);
    printf("bare libpcap read: %.3f s  %.0f pkts/s  %.2f Gbit/s\n", mb, (double)r.pkts / mb,
           (double)r.bytes * 8 / mb / 1e9);
    printf("read + decode:     %.3f s  %.0f pkts/s  %.2f Gbit/s\n", md, (double)r.pkts / md,
           (double)r.bytes * 8 / md / 1e9);
    printf("ratio decode/bare: %.2fx (goal <= 1.5x)\n", md / mb);
    packet_pool_free(pool);
    counters_set_free(cs);
    return 0;
}
