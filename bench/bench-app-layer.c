/* Memory per HTTP transaction, as the app layer charges it to
 * app-layer.protocols.http.memcap (the counters http.memuse and
 * app_layer.memuse_peak.http): one flow, N requests pipelined before any response
 * (so all N txs are live), with the default libhtp config. Prints the bytes charged
 * per live tx for three request shapes, then the charge once responses free them.
 *
 * The resident figure is only meaningful for the first shape of a process (later ones
 * reuse freed memory): give SHAPE (0, 1, 2) to run one.
 *
 *   bench-app-layer [N [SHAPE]]    (default 10000, all shapes) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "flow/flow.h"
#include "runtime/counters.h"

/* Resident memory now (KiB), from /proc/self/status. */
static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            v = strtol(line + 6, NULL, 10);
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return v;
}

static void feed(AppFlow *af, uint8_t dir, const char *s)
{
    app_flow_data(af, dir, (const uint8_t *)s, (uint32_t)strlen(s));
}

static void one(const char *label, const char *req, const char *resp, uint32_t n)
{
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 6;
    f.key.src.family = f.key.dst.family = 4;
    f.key.sp = 40000;
    f.key.dp = 80;
    AppFlow *af = app_flow_get_or_new(&f);
    if (af == NULL) {
        fprintf(stderr, "no flow state\n");
        exit(1);
    }
    feed(af, 0, req);                  // detection, parser state
    app_flow_packet_publish(af);
    uint64_t base = af->memuse;
    long rss0 = rss_kib();
    for (uint32_t i = 1; i < n; i++) {
        feed(af, 0, req);
    }
    app_flow_packet_publish(af);
    uint64_t full = af->memuse;
    long rss1 = rss_kib();
    uint32_t live = app_layer_tx_count(&f);
    for (uint32_t i = 0; i < n; i++) {
        feed(af, 1, resp);
    }
    app_flow_packet_publish(af);
    app_flow_packet_publish(af);
    printf("%-26s %6u live txs: %5.0f B/tx charged, %5.0f B/tx resident (with libhtp's own); "
           "after the responses: %u txs, %llu B charged\n",
           label, live, live > 1 ? (double)(full - base) / (live - 1) : 0.0,
           live > 1 ? (double)(rss1 - rss0) * 1024.0 / (live - 1) : 0.0,
           app_layer_tx_count(&f), (unsigned long long)af->memuse);
    app_flow_free(af);
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 10000;
    int only = argc > 2 ? atoi(argv[2]) : -1;
    if (app_layer_init(NULL) != 0) {
        return 1;
    }
    /* max-tx would refuse past 4096 live txs: the default config's cap. */
    app_proto_cfg(APP_PROTO_HTTP1)->max_tx = 0;
    app_proto_cfg(APP_PROTO_HTTP1)->memcap_bytes = 0;
    if (only < 0 || only == 0) {
        one("GET, 3 headers", "GET /index.html HTTP/1.1\r\nHost: example.com\r\n"
                          "User-Agent: bench/1.0\r\nAccept: */*\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", n);
    }
    if (only < 0 || only == 1) {
        one("GET, 10 headers, long uri",
        "GET /a/rather/long/path/to/some/resource.php?id=12345&session=abcdef0123456789"
        " HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
        "Accept: text/html,application/xhtml+xml\r\nAccept-Language: en-US,en;q=0.5\r\n"
        "Accept-Encoding: gzip, deflate\r\nReferer: http://www.example.com/start\r\n"
        "Cookie: a=1; b=2; c=3\r\nConnection: keep-alive\r\nCache-Control: no-cache\r\n"
        "X-Requested-With: XMLHttpRequest\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", n);
    }
    static char post[2048];
    int h = snprintf(post, sizeof(post), "POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 1024\r\n\r\n");
    memset(post + h, 'x', 1024);
    post[h + 1024] = '\0';
    if (only < 0 || only == 2) {
        one("POST, 1 KiB body", post, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", n);
    }
    app_layer_deinit();
    return 0;
}
