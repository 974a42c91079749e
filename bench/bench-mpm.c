/* Multi-pattern matcher benchmark: compile time, memory and scan throughput
 * of Aho-Corasick and Hyperscan for 10, 1000 and 10000 random patterns.
 *
 * Build (from the repository root, with Hyperscan):
 *   cc -std=c11 -O2 -D_GNU_SOURCE -DVG_HAVE_HYPERSCAN=1 -Isrc bench/bench-mpm.c \
 *      src/detect/mpm/detect-mpm*.c src/util/util-log.c -lhs -lstdc++ -lm -o bench-mpm
 * Without Hyperscan drop -DVG_HAVE_HYPERSCAN=1 and -lhs -lstdc++.
 * Run: ./bench-mpm [megabytes]   (default 16)
 *
 * Data: printable text with a few random binary bytes, one pattern copy in
 * about every 4 KiB, so that both the miss path and the match path count.
 * Patterns: 4 to 16 bytes of the same alphabet, one third caseless. Speed is
 * measured here, never asserted in tests. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/mpm/detect-mpm.h"

static uint32_t rng_next(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static uint8_t rand_byte(uint32_t *seed)
{
    uint32_t r = rng_next(seed) % 100;
    if (r < 2) {
        return (uint8_t)(rng_next(seed) & 0xff); // some binary
    }
    return (uint8_t)(' ' + rng_next(seed) % 95);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct PatSet {
    uint32_t n;
    uint8_t (*bytes)[16];
    uint16_t *len;
} PatSet;

static int make_patterns(PatSet *ps, uint32_t n, uint32_t *seed)
{
    ps->n = n;
    ps->bytes = malloc((size_t)n * sizeof(*ps->bytes));
    ps->len = malloc((size_t)n * sizeof(*ps->len));
    if (ps->bytes == NULL || ps->len == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        ps->len[i] = (uint16_t)(4 + rng_next(seed) % 13);
        for (uint16_t k = 0; k < ps->len[i]; k++) {
            ps->bytes[i][k] = rand_byte(seed);
        }
    }
    return 0;
}

static void plant_patterns(const PatSet *ps, uint8_t *buf, size_t len, uint32_t *seed)
{
    for (size_t at = 0; at + 64 + 16 <= len; at += 4096) {
        uint32_t p = rng_next(seed) % ps->n;
        memcpy(buf + at + rng_next(seed) % 64, ps->bytes[p], ps->len[p]);
    }
}

static void count_id(uint32_t id, void *user)
{
    (void)id;
    (*(uint64_t *)user)++;
}

/* Scans the data in 1500-byte chunks, as packets would come. */
static void run(MpmAlgo algo, const PatSet *ps, const uint8_t *data, size_t len)
{
    double t0 = now_s();
    MpmCtx *ctx = mpm_ctx_new(algo);
    for (uint32_t i = 0; ctx != NULL && i < ps->n; i++) {
        if (mpm_add_pattern(ctx, ps->bytes[i], ps->len[i], i % 3 == 0, i) != 0) {
            break;
        }
    }
    if (ctx == NULL || mpm_compile(ctx) != 0) {
        printf("%-3s %6u patterns: compile failed\n", mpm_algo_name(algo), ps->n);
        mpm_ctx_free(ctx);
        return;
    }
    double t1 = now_s();
    MpmThread *th = mpm_thread_new();
    if (th == NULL || mpm_thread_prepare(th, ctx) != 0) {
        printf("thread prepare failed\n");
        mpm_thread_free(th);
        mpm_ctx_free(ctx);
        return;
    }
    uint64_t hits = 0;
    double t2 = now_s();
    for (size_t off = 0; off < len; off += 1500) {
        uint32_t n = (uint32_t)(len - off < 1500 ? len - off : 1500);
        mpm_scan(ctx, th, data + off, n, count_id, &hits);
    }
    double t3 = now_s();
    printf("%-3s %6u patterns: compile %8.2f ms  memory %9.1f KiB  scan %8.1f MB/s  ids %llu\n",
           mpm_algo_name(algo), ps->n, (t1 - t0) * 1e3, (double)mpm_memory(ctx) / 1024.0,
           (double)len / 1e6 / (t3 - t2), (unsigned long long)hits);
    mpm_thread_free(th);
    mpm_ctx_free(ctx);
}

int main(int argc, char **argv)
{
    size_t mb = 16;
    if (argc > 1) {
        char *end = NULL;
        unsigned long v = strtoul(argv[1], &end, 10);
        if (end == argv[1] || *end != '\0' || v == 0 || v > 1024) {
            fprintf(stderr, "usage: %s [megabytes 1..1024]\n", argv[0]);
            return 2;
        }
        mb = v;
    }
    size_t len = mb << 20;
    uint8_t *data = malloc(len);
    if (data == NULL) {
        return 1;
    }
    uint32_t seed = 12345;
    for (size_t i = 0; i < len; i++) {
        data[i] = rand_byte(&seed);
    }
    static const uint32_t sizes[] = {10, 1000, 10000};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        PatSet ps;
        if (make_patterns(&ps, sizes[s], &seed) != 0) {
            return 1;
        }
        plant_patterns(&ps, data, len, &seed);
        run(MPM_ALGO_AC, &ps, data, len);
        if (mpm_algo_available(MPM_ALGO_HS)) {
            run(MPM_ALGO_HS, &ps, data, len);
        }
        free(ps.bytes);
        free(ps.len);
    }
    free(data);
    return 0;
}
