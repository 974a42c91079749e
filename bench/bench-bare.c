/* The floor: CPU time per packet of a bare libpcap read of a capture.
 *
 *   bench-bare FILE.pcap [MIN_CPU_MS]
 *
 * Reads the whole file with pcap_next_ex again and again until the rounds
 * have used at least MIN_CPU_MS (default 300) of process CPU time, after one
 * round that warms the page cache, and prints
 *   bare: PACKETS packets, ROUNDS rounds, NS ns cpu per packet (median of rounds)
 * The per-packet figure is what tools/perf-guard.sh divides the engine's
 * per-packet CPU time by: both are measured in the same session, so the ratio
 * holds across machines and loads far better than either figure. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_ROUNDS 100000

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass over the file; the packet count, or -1 when it cannot be read. */
static int64_t read_once(const char *file, uint64_t *sum)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(file, err);
    if (pc == NULL) {
        fprintf(stderr, "%s: %s\n", file, err);
        return -1;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    int64_t n = 0;
    while (pcap_next_ex(pc, &h, &d) == 1) {
        n++;
        *sum += h->caplen + (h->caplen > 0 ? d[0] : 0);   // touch the data as a reader would
    }
    pcap_close(pc);
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-bare FILE.pcap [MIN_CPU_MS]\n");
        return 2;
    }
    double min_cpu = (argc > 2 ? atof(argv[2]) : 300.0) / 1e3;
    static double per_pkt[MAX_ROUNDS];
    uint64_t sum = 0;
    int64_t n = read_once(argv[1], &sum);
    if (n <= 0) {
        fprintf(stderr, "%s: no packets\n", argv[1]);
        return 1;
    }
    int rounds = 0;
    double used = 0;
    while ((used < min_cpu || rounds < 5) && rounds < MAX_ROUNDS) {
        double t0 = cpu_now();
        if (read_once(argv[1], &sum) != n) {
            return 1;
        }
        double dt = cpu_now() - t0;
        per_pkt[rounds++] = dt * 1e9 / (double)n;
        used += dt;
    }
    qsort(per_pkt, (size_t)rounds, sizeof(per_pkt[0]), cmp_double);
    printf("bare: %" PRId64 " packets, %d rounds, %.1f ns cpu per packet (check %" PRIu64 ")\n",
           n, rounds, per_pkt[rounds / 2], sum % 1000);
    return 0;
}
