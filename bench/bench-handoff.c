/* Hand-off benchmark: what passing a packet from a reader thread to worker threads costs.
 *
 *   bench-handoff [PACKETS] [ROUNDS]
 *
 * A reader thread takes PACKETS (default 2,000,000) packets of 64 flows from a pool of
 * 1024 and hands each to tm_thread_dispatch; the workers' only module does nothing. It runs
 * with the reader alone (the packets go straight back to the pool: the floor) and with 1
 * and 2 workers behind flow queues of 1024, ROUNDS (default 5) times each, and prints the
 * medians of wall and CPU (all threads) per packet, and the hand-off cost: CPU per packet
 * above the reader alone. Then 2 workers with packet order on (runtime-order.h, as on a
 * capture file): its bookkeeping under a mutex, and per worker queue (lanes). Only the
 * runtime's public API is used. */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/counters.h"
#include "runtime/engine.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime-order.h"
#include "runtime/runtime.h"

#define MAX_WORKERS 4

static uint64_t g_n_packets = 2000000;

static int src_loop(ThreadVars *tv, void *data)
{
    (void)data;
    for (uint64_t i = 0; i < g_n_packets; i++) {
        Packet *p = packet_pool_get(tv->engine->pool);
        uint32_t flow = (uint32_t)(i % 64);
        p->src.family = 4;
        p->dst.family = 4;
        p->src.a.u32[0] = 0x0a000001u + flow;
        p->dst.a.u32[0] = 0xc0a80001u;
        p->sp = (uint16_t)(30000 + flow);
        p->dp = 80;
        p->proto = 6;
        p->l3 = PKT_L3_IPV4;
        p->pcap_cnt = i + 1;
        tm_thread_dispatch(tv, p);
    }
    return TM_OK;
}

static int sink_process(ThreadVars *tv, Packet *p, void *data)
{
    (void)tv;
    (void)p;
    (void)data;
    return TM_OK;
}

static const TmModule mod_src = {
    .hdr = TM_MODULE_HDR, .name = "bench-src", .kind = TM_KIND_ACQUIRE,
    .acquire_loop = src_loop,
};
static const TmModule mod_sink = {
    .hdr = TM_MODULE_HDR, .name = "bench-sink", .kind = TM_KIND_OTHER,
    .process = sink_process,
};

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef enum { ORDER_OFF, ORDER_MUTEX, ORDER_LANES } OrderMode;

/* One run with n_workers workers (0: the reader alone); wall and CPU seconds. */
static int run(uint32_t n_workers, OrderMode order, double *wall, double *cpu)
{
    Engine e;
    memset(&e, 0, sizeof(e));
    e.pool = packet_pool_new(1024);
    static PacketQueue q[MAX_WORKERS];
    PacketQueue *qp[MAX_WORKERS];
    static ThreadVars rx;
    static ThreadVars w[MAX_WORKERS];
    QueueHandler qh = {.kind = QH_FLOW, .queues = qp, .n_queues = n_workers};
    memset(&rx, 0, sizeof(rx));
    snprintf(rx.name, sizeof(rx.name), "RX#01");
    rx.engine = &e;
    rx.outq = n_workers > 0 ? &qh : NULL;
    if (e.pool == NULL || tm_thread_add_slot(&rx, "bench-src") != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < n_workers; i++) {
        if (packet_queue_init(&q[i], 1024, "W-q") != 0) {
            return -1;
        }
        qp[i] = &q[i];
        memset(&w[i], 0, sizeof(w[i]));
        snprintf(w[i].name, sizeof(w[i].name), "W#%02u", i + 1);
        w[i].id = i + 1;
        w[i].group_index = i;
        w[i].engine = &e;
        w[i].inq = &q[i];
        if (tm_thread_add_slot(&w[i], "bench-sink") != 0) {
            return -1;
        }
    }
    runtime_order_enable(order != ORDER_OFF);
    if (order == ORDER_LANES && runtime_order_set_lanes(&qh, packet_pool_size(e.pool)) != 0) {
        return -1;
    }
    double w0 = clock_s(CLOCK_MONOTONIC);
    double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (uint32_t i = 0; i < n_workers; i++) {
        tm_thread_start(&w[i]);
    }
    tm_thread_start(&rx);
    tm_thread_join(&rx);
    for (uint32_t i = 0; i < n_workers; i++) {
        packet_queue_close(&q[i]);
    }
    for (uint32_t i = 0; i < n_workers; i++) {
        tm_thread_join(&w[i]);
    }
    *wall = clock_s(CLOCK_MONOTONIC) - w0;
    *cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    runtime_order_enable(false);
    for (uint32_t i = 0; i < n_workers; i++) {
        packet_queue_deinit(&q[i]);
    }
    packet_pool_free(e.pool);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return x < y ? -1 : (x > y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        g_n_packets = strtoull(argv[1], NULL, 10);
    }
    int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
    if (g_n_packets == 0 || rounds < 1 || rounds > 50) {
        fprintf(stderr, "usage: %s [PACKETS] [ROUNDS (1..50)]\n", argv[0]);
        return 2;
    }
    if (tm_module_register(&mod_src) != 0 || tm_module_register(&mod_sink) != 0) {
        return 1;
    }
    printf("packets: %" PRIu64 " per run, %d rounds (medians)\n", g_n_packets, rounds);
    double floor_cpu_ns = 0;
    static const struct {
        uint32_t n_workers;
        OrderMode order;
        const char *label;
    } cases[] = {
        {0, ORDER_OFF, "reader alone:                 "},
        {1, ORDER_OFF, "reader + 1 worker:            "},
        {2, ORDER_OFF, "reader + 2 workers:           "},
        {2, ORDER_MUTEX, "2 workers, order under mutex: "},
        {2, ORDER_LANES, "2 workers, order in lanes:    "},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        double wall[50];
        double cpu[50];
        for (int r = 0; r < rounds; r++) {
            if (run(cases[c].n_workers, cases[c].order, &wall[r], &cpu[r]) != 0) {
                fprintf(stderr, "run failed\n");
                return 1;
            }
        }
        double wall_ns = median(wall, rounds) / (double)g_n_packets * 1e9;
        double cpu_ns = median(cpu, rounds) / (double)g_n_packets * 1e9;
        if (cases[c].n_workers == 0) {
            floor_cpu_ns = cpu_ns;
            printf("%s wall %6.1f ns/pkt, cpu %6.1f ns/pkt\n", cases[c].label, wall_ns, cpu_ns);
        } else {
            printf("%s wall %6.1f ns/pkt, cpu %6.1f ns/pkt, hand-off %6.1f ns/pkt\n",
                   cases[c].label, wall_ns, cpu_ns, cpu_ns - floor_cpu_ns);
        }
    }
    counters_reset();
    return 0;
}
