/* EVE sink benchmark: records per second each sink takes, and what offering
 * a record costs the thread that produced it.
 *
 *   bench-eve-sinks [EVE_FILE] [RECORDS]
 *
 * Records are the lines of EVE_FILE (default: a synthetic 630-byte record,
 * the mean size on the reference mix), offered RECORDS times (default
 * 200,000) in 64 KiB batches, as the output threads' EveThreadBuf sends
 * them, to one output at a time with buffer-full: block (lossless): the time
 * until the queue is drained is the sink's rate. Peers run in this process
 * (unix socket readers), or are started here: redis-server on a free
 * loopback port when it is installed, librdkafka's mock cluster for Kafka.
 * Then the producer's cost: ns per record offered with the sink stalled
 * (drop policy), i.e. what a dead sink costs the packet path. Uses the
 * output folder's internal header (src/output/output-sink-internal.h). */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "output/output-sink-internal.h"
#include "runtime/counters.h"

static char *g_lines;            // whole records, each with '\n'
static size_t g_lines_len;
static uint32_t g_lines_n;
static uint64_t g_records = 200000;
static char g_dir[64];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load_lines(const char *path)
{
    if (path == NULL) {
        char rec[700];
        int n = snprintf(rec, sizeof(rec),
                         "{\"timestamp\":\"2026-12-05T03:00:00.000000+0000\",\"flow_id\":12345678,"
                         "\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\",\"src_port\":40000,"
                         "\"dest_ip\":\"192.0.2.1\",\"dest_port\":443,\"proto\":\"TCP\","
                         "\"pad\":\"%0420d\"}\n", 0);
        g_lines = strdup(rec);
        g_lines_len = (size_t)n;
        g_lines_n = 1;
        return g_lines != NULL ? 0 : -1;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    g_lines = malloc((size_t)sz + 1);
    g_lines_len = fread(g_lines, 1, (size_t)sz, f);
    fclose(f);
    for (size_t i = 0; i < g_lines_len; i++) {
        g_lines_n += g_lines[i] == '\n';
    }
    return g_lines_n > 0 ? 0 : -1;
}

/* Offer g_records records in batches of whole lines up to 64 KiB. */
static void offer_all(EveOut *o)
{
    uint64_t sent = 0;
    size_t off = 0;
    while (sent < g_records) {
        size_t start = off, len = 0;
        uint32_t n = 0;
        while (len < 60000 && sent + n < g_records) {
            if (off >= g_lines_len) {
                break;
            }
            const char *nl = memchr(g_lines + off, '\n', g_lines_len - off);
            size_t rl = (size_t)(nl - (g_lines + off)) + 1;
            off += rl;
            len += rl;
            n++;
        }
        if (n > 0) {
            (void)eve_out_offer(o, g_lines + start, len, n);
        }
        sent += n;
        if (off >= g_lines_len) {
            off = 0;
        }
    }
}

/* ---- in-process socket readers ---- */

typedef struct Reader {
    int fd;
    bool is_stream;
    volatile bool stop;
    pthread_t t;
} Reader;

static void *reader_main(void *arg)
{
    Reader *r = arg;
    static char buf[1 << 20];
    int fd = r->fd;
    if (r->is_stream) {
        fd = accept(r->fd, NULL, NULL);
    }
    while (!r->stop && fd >= 0) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0 && r->is_stream) {
            break;
        }
    }
    if (r->is_stream && fd >= 0) {
        close(fd);
    }
    return NULL;
}

static int reader_start(Reader *r, const char *path, bool is_stream, bool is_reading)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    unlink(path);
    r->is_stream = is_stream;
    r->stop = false;
    r->fd = socket(AF_UNIX, is_stream ? SOCK_STREAM : SOCK_DGRAM, 0);
    if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        return -1;
    }
    if (is_stream && listen(r->fd, 4) != 0) {
        return -1;
    }
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (is_reading) {
        pthread_create(&r->t, NULL, reader_main, r);
    }
    return 0;
}

static void reader_stop(Reader *r, bool is_reading)
{
    r->stop = true;
    if (is_reading) {
        shutdown(r->fd, SHUT_RDWR);
        pthread_join(r->t, NULL);
    }
    close(r->fd);
}

/* ---- one sink ---- */

static EveOut *open_out(const char *yaml, EveOutFullPolicy full, Conf **conf_out)
{
    Conf *conf = conf_new();
    if (conf == NULL || conf_load_string(conf, yaml, "bench.yaml") != 0) {
        conf_free(conf);
        return NULL;
    }
    const ConfNode *node = conf_get_node(conf, NULL, "outputs.0.eve-log");
    const ConfNode *ft = conf_get_node(conf, node, "filetype");
    const ConfNode *fn = conf_get_node(conf, node, "filename");
    EveOutConf c = {.name = "bench", .ops = eve_sink_ops_find(ft->value), .conf = conf,
                    .node = node, .path = fn != NULL ? fn->value : NULL,
                    .queue_bytes = (size_t)16 << 20, .full = full, .accept_all = true};
    EveOut *o = c.ops != NULL ? eve_out_new(&c) : NULL;
    *conf_out = conf;
    return o;
}

static void bench_rate(const char *label, const char *yaml)
{
    Conf *conf;
    EveOut *o = open_out(yaml, EVE_OUT_FULL_BLOCK, &conf);
    if (o == NULL) {
        printf("%-26s  (could not open)\n", label);
        conf_free(conf);
        return;
    }
    double t0 = now_s();
    offer_all(o);
    int rc = eve_out_drain(o, 60000);
    double dt = now_s() - t0;
    EveSinkStats st;
    eve_out_get_stats(o, &st);
    printf("%-26s  %10.0f records/s  %7.1f MB/s  written %" PRIu64 " dropped %" PRIu64 "%s\n",
           label, (double)st.records / dt, (double)st.bytes / dt / 1e6, st.records, st.dropped,
           rc != 0 ? " (drain timed out)" : "");
    eve_out_free(o);
    conf_free(conf);
    counters_reset();
}

/* Producer cost with the sink stalled (a stream peer that never reads). */
static void bench_stalled_cost(void)
{
    char path[128], yaml[512];
    snprintf(path, sizeof(path), "%s/stall.sock", g_dir);
    Reader r;
    if (reader_start(&r, path, true, false) != 0) {
        return;
    }
    snprintf(yaml, sizeof(yaml),
             "outputs:\n  - eve-log:\n      filetype: unix_stream\n      filename: %s\n", path);
    Conf *conf;
    EveOut *o = open_out(yaml, EVE_OUT_FULL_DROP, &conf);
    if (o != NULL) {
        double t0 = now_s();
        offer_all(o);
        double dt = now_s() - t0;
        EveSinkStats st;
        eve_out_get_stats(o, &st);
        printf("%-26s  %8.1f ns per record offered (producer side), dropped %" PRIu64
               " of %" PRIu64 "\n",
               "stalled unix_stream", dt * 1e9 / (double)g_records, st.dropped, st.produced);
        eve_out_free(o);
    }
    conf_free(conf);
    counters_reset();
    reader_stop(&r, false);
}

static pid_t start_redis(int *port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &al) != 0) {
        return -1;
    }
    *port = ntohs(a.sin_port);
    close(s);
    char ps[16];
    snprintf(ps, sizeof(ps), "%d", *port);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execlp("redis-server", "redis-server", "--port", ps, "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", (char *)NULL);
        _exit(127);
    }
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 300 * 1000000};
    nanosleep(&ts, NULL);
    return pid;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (load_lines(argc > 1 ? argv[1] : NULL) != 0) {
        return 1;
    }
    if (argc > 2) {
        g_records = strtoull(argv[2], NULL, 10);
    }
    snprintf(g_dir, sizeof(g_dir), "/tmp/vg-bench-eve-XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        return 1;
    }
    printf("EVE sinks: %" PRIu64 " records of %.0f bytes (mean), queue 16 MiB, "
           "buffer-full: block\n",
           g_records, (double)g_lines_len / g_lines_n);
    char yaml[1024], path[128];

    snprintf(yaml, sizeof(yaml),
             "outputs:\n  - eve-log:\n      filetype: regular\n      filename: %s/eve.json\n",
             g_dir);
    bench_rate("regular", yaml);
    snprintf(path, sizeof(path), "%s/eve.json", g_dir);
    unlink(path);

    Reader r;
    snprintf(path, sizeof(path), "%s/stream.sock", g_dir);
    if (reader_start(&r, path, true, true) == 0) {
        snprintf(yaml, sizeof(yaml),
                 "outputs:\n  - eve-log:\n      filetype: unix_stream\n      filename: %s\n", path);
        bench_rate("unix_stream", yaml);
        reader_stop(&r, true);
    }
    snprintf(path, sizeof(path), "%s/dgram.sock", g_dir);
    if (reader_start(&r, path, false, true) == 0) {
        snprintf(yaml, sizeof(yaml),
                 "outputs:\n  - eve-log:\n      filetype: unix_dgram\n      filename: %s\n", path);
        bench_rate("unix_dgram", yaml);
        snprintf(yaml, sizeof(yaml),
                 "outputs:\n  - eve-log:\n      filetype: syslog\n      syslog-socket: %s\n",
                 path);
        bench_rate("syslog", yaml);
        reader_stop(&r, true);
    }
    int port;
    pid_t redis = start_redis(&port);
    if (redis > 0) {
        snprintf(yaml, sizeof(yaml),
                 "outputs:\n  - eve-log:\n      filetype: redis\n      redis: {port: %d, "
                 "mode: rpush, key: bench}\n", port);
        bench_rate("redis rpush", yaml);
        snprintf(yaml, sizeof(yaml),
                 "outputs:\n  - eve-log:\n      filetype: redis\n      redis: {port: %d, "
                 "mode: rpush, key: bench, pipelining: {enabled: yes, batch-size: 100}}\n",
                 port);
        bench_rate("redis rpush pipelined 100", yaml);
        kill(redis, SIGTERM);
        waitpid(redis, NULL, 0);
    } else {
        printf("%-26s  (redis-server not installed)\n", "redis");
    }
    char err[256];
    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    rd_kafka_conf_set(kc, "log_level", "0", err, sizeof(err)); // the mock's host needs no brokers
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof(err));
    rd_kafka_mock_cluster_t *mc = rk != NULL ? rd_kafka_mock_cluster_new(rk, 1) : NULL;
    if (mc != NULL) {
        rd_kafka_mock_topic_create(mc, "bench", 3, 1);
        snprintf(yaml, sizeof(yaml),
                 "outputs:\n  - eve-log:\n      filetype: kafka\n      kafka: {brokers: \"%s\", "
                 "topic: bench, properties: {linger.ms: 5}}\n",
                 rd_kafka_mock_cluster_bootstraps(mc));
        bench_rate("kafka (mock cluster)", yaml);
        rd_kafka_mock_cluster_destroy(mc);
    }
    if (rk != NULL) {
        rd_kafka_destroy(rk);
    }
    bench_stalled_cost();
    rmdir(g_dir);
    return 0;
}
