/* The metrics endpoint: every counter in the Prometheus text exposition
 * format (version 0.0.4) over a small HTTP/1.x server, served by the
 * management thread MX#01. The packet path never sees it: a scrape merges the
 * per-thread counter sets the way the stats thread does.
 *
 * One connection at a time, closed after one answer: a request must arrive
 * whole (headers within METRICS_REQ_MAX bytes) within METRICS_IO_MS, or the
 * connection is closed; the answer is written with the same deadline. A slow
 * or hostile client delays the next scrape by at most that, never the
 * engine. */
#include "control/control-metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "detect/detect.h"
#include "runtime/counters.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define METRICS_REQ_MAX 8192
#define METRICS_IO_MS 1000

struct MetricsServer {
    int fd;
    Engine *e;
    int64_t start_wall_sec;
    char where[80];               // address:port, for messages
    uint64_t n_scrapes;
    uint64_t n_refused;           // malformed, unknown path, timed out
};

/* ---- the text ---- */

static int text_grow(MetricsText *t, size_t need)
{
    if (t->len + need + 1 <= t->cap) {
        return 0;
    }
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + need + 1) {
        cap *= 2;
    }
    char *p = realloc(t->buf, cap);
    if (p == NULL) {
        return VG_ENOMEM;
    }
    t->buf = p;
    t->cap = cap;
    return 0;
}

static void text_printf(MetricsText *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(MetricsText *t, const char *fmt, ...)
{
    if (t->is_oom) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || text_grow(t, (size_t)n) != 0) {
        t->is_oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void metrics_text_free(MetricsText *t)
{
    free(t->buf);
    *t = (MetricsText){0};
}

/* A counter name as a metric name: "vigil_" + the dotted path with every
 * character outside [a-zA-Z0-9_] turned into '_' (decoder.ipv4 ->
 * vigil_decoder_ipv4). */
void metrics_name(const char *counter, char *out, size_t out_len)
{
    size_t o = (size_t)snprintf(out, out_len, "vigil_");
    for (const char *c = counter; *c != '\0' && o + 1 < out_len; c++) {
        bool is_ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= '0' && *c <= '9') || *c == '_';
        out[o++] = is_ok ? *c : '_';
    }
    out[o < out_len ? o : out_len - 1] = '\0';
}

static const char *metric_type(CounterKind k)
{
    return k == COUNTER_SUM ? "counter" : "gauge";
}

/* A label value: backslash, double quote and newline escaped. Thread names
 * are ours ("W#01"), but nothing here relies on that. */
static void text_label_value(MetricsText *t, const char *v)
{
    for (const char *c = v; *c != '\0'; c++) {
        if (*c == '\\' || *c == '"') {
            text_printf(t, "\\%c", *c);
        } else if (*c == '\n') {
            text_printf(t, "\\n");
        } else {
            text_printf(t, "%c", *c);
        }
    }
}

typedef struct ThreadVals {
    char *name;
    uint64_t *vals;
} ThreadVals;

typedef struct ThreadList {
    ThreadVals *t;
    size_t n;
    CounterId n_counters;
    bool is_oom;
} ThreadList;

static void collect_thread(const char *name, const uint64_t *vals, void *user)
{
    ThreadList *l = user;
    ThreadVals *n = realloc(l->t, (l->n + 1) * sizeof(*n));
    if (n == NULL) {
        l->is_oom = true;
        return;
    }
    l->t = n;
    ThreadVals *tv = &l->t[l->n];
    tv->name = strdup(name);
    tv->vals = malloc((l->n_counters ? l->n_counters : 1) * sizeof(uint64_t));
    if (tv->name == NULL || tv->vals == NULL) {
        free(tv->name);
        free(tv->vals);
        l->is_oom = true;
        return;
    }
    memcpy(tv->vals, vals, l->n_counters * sizeof(uint64_t));
    l->n++;
}

static void thread_list_free(ThreadList *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->t[i].name);
        free(l->t[i].vals);
    }
    free(l->t);
}

int metrics_render(MetricsText *t, const Engine *e, int64_t uptime_sec)
{
    CounterId n = counters_count();
    uint64_t *total = calloc(n ? n : 1, sizeof(uint64_t));
    ThreadList threads = {.n_counters = n};
    if (total == NULL || counters_each_named(collect_thread, &threads) != 0 || threads.is_oom) {
        free(total);
        thread_list_free(&threads);
        return VG_ENOMEM;
    }
    counters_merge(total);

    text_printf(t, "# HELP vigil_info Vigil build and run mode.\n# TYPE vigil_info gauge\n");
    const char *runmode = "single";
    if (e != NULL && e->conf != NULL) {
        (void)conf_get_str(e->conf, "runmode", &runmode);
    }
    text_printf(t, "vigil_info{version=\"");
    text_label_value(t, VG_VERSION);
    text_printf(t, "\",runmode=\"");
    text_label_value(t, runmode);
    text_printf(t, "\"} 1\n");
    text_printf(t, "# HELP vigil_uptime_seconds Seconds since the engine started.\n"
                   "# TYPE vigil_uptime_seconds gauge\nvigil_uptime_seconds %lld\n",
                (long long)uptime_sec);
    uint32_t loaded = 0;
    uint32_t failed = 0;
    if (e != NULL) {
        detect_engine_stats(atomic_load(&((Engine *)e)->detect), &loaded, &failed);
    }
    text_printf(t, "# HELP vigil_rules_loaded Rules of the live rule set.\n"
                   "# TYPE vigil_rules_loaded gauge\nvigil_rules_loaded %u\n"
                   "# HELP vigil_rules_failed Rules refused when the live rule set loaded.\n"
                   "# TYPE vigil_rules_failed gauge\nvigil_rules_failed %u\n",
                loaded, failed);

    /* Each counter twice: the engine total, and per thread under
     * vigil_thread_<name>{thread="..."} (another family, so that summing a
     * family never counts a value twice). */
    char mname[192];
    for (CounterId id = 0; id < n; id++) {
        const char *cname = counters_name(id);
        metrics_name(cname, mname, sizeof(mname));
        const char *type = metric_type(counters_kind(id));
        if (counters_kind(id) == COUNTER_SUM) {
            size_t ml = strlen(mname);
            snprintf(mname + ml, sizeof(mname) - ml, "_total");
        }
        text_printf(t, "# HELP %s Engine counter %s, all threads.\n# TYPE %s %s\n%s %llu\n",
                    mname, cname, mname, type, mname, (unsigned long long)total[id]);
        if (threads.n == 0) {
            continue;
        }
        text_printf(t, "# HELP vigil_thread_%s Engine counter %s, per thread.\n"
                       "# TYPE vigil_thread_%s %s\n",
                    mname + 6, cname, mname + 6, type);
        for (size_t i = 0; i < threads.n; i++) {
            text_printf(t, "vigil_thread_%s{thread=\"", mname + 6);
            text_label_value(t, threads.t[i].name);
            text_printf(t, "\"} %llu\n", (unsigned long long)threads.t[i].vals[id]);
        }
    }
    free(total);
    thread_list_free(&threads);
    return t->is_oom ? VG_ENOMEM : 0;
}

/* ---- configuration ---- */

int metrics_config(const Conf *conf, MetricsConfig *out)
{
    *out = (MetricsConfig){.address = "127.0.0.1", .port = 9465, .path = "/metrics"};
    if (conf == NULL) {
        return 0;
    }
    bool on = false;
    if (conf_get_bool(conf, "metrics.enabled", &on)) {
        out->is_enabled = on;
    }
    const char *s = NULL;
    if (conf_get_str(conf, "metrics.address", &s)) {
        out->address = s;
    }
    int64_t port = 0;
    if (conf_get_int(conf, "metrics.port", &port)) {
        if (port < 1 || port > 65535) {
            VG_ERROR("metrics.port: %lld is not a TCP port (1-65535)", (long long)port);
            return VG_EINVAL;
        }
        out->port = (uint16_t)port;
    }
    if (conf_get_str(conf, "metrics.path", &s)) {
        if (s[0] != '/') {
            VG_ERROR("metrics.path: '%s' must start with '/'", s);
            return VG_EINVAL;
        }
        out->path = s;
    }
    return 0;
}

/* ---- the server ---- */

MetricsServer *metrics_server_new(const MetricsConfig *cfg, Engine *e)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t sl;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, cfg->address, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(cfg->port);
        sl = sizeof(*s4);
    } else if (inet_pton(AF_INET6, cfg->address, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(cfg->port);
        sl = sizeof(*s6);
    } else {
        VG_ERROR("metrics.address: '%s' is not an IPv4 or IPv6 address", cfg->address);
        return NULL;
    }
    MetricsServer *ms = calloc(1, sizeof(*ms));
    if (ms == NULL) {
        return NULL;
    }
    snprintf(ms->where, sizeof(ms->where), "%s%s%s:%u", ss.ss_family == AF_INET6 ? "[" : "",
             cfg->address, ss.ss_family == AF_INET6 ? "]" : "", cfg->port);
    ms->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (ms->fd < 0 || setsockopt(ms->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(ms->fd, (struct sockaddr *)&ss, sl) != 0 || listen(ms->fd, 8) != 0) {
        VG_ERROR("metrics endpoint: cannot listen on %s: %s", ms->where, strerror(errno));
        if (ms->fd >= 0) {
            close(ms->fd);
        }
        free(ms);
        return NULL;
    }
    ms->e = e;
    ms->start_wall_sec = (int64_t)time(NULL);
    VG_NOTICE("metrics endpoint: http://%s%s", ms->where, cfg->path);
    return ms;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to become ready for events until deadline; false on timeout
 * or error. */
static bool wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            return false;
        }
        struct pollfd pfd = {.fd = fd, .events = events};
        int r = poll(&pfd, 1, (int)left);
        if (r > 0) {
            return true;
        }
        if (r < 0 && errno != EINTR) {
            return false;
        }
    }
}

static void send_all(int fd, const char *p, size_t n, int64_t deadline)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_fd(fd, POLLOUT, deadline)) {
            continue;
        }
        return;
    }
}

static void answer(int fd, int code, const char *reason, const char *ctype, const char *body,
                   size_t body_len, bool with_body, int64_t deadline)
{
    char head[256];
    int hl = snprintf(head, sizeof(head),
                      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n",
                      code, reason, ctype, body_len);
    send_all(fd, head, (size_t)hl, deadline);
    if (with_body) {
        send_all(fd, body, body_len, deadline);
    }
}

int metrics_parse_request(const char *req, size_t len, const char *path, bool *is_head)
{
    const char *eol = memchr(req, '\r', len);
    if (eol == NULL) {
        return 400;
    }
    size_t ll = (size_t)(eol - req);
    const char *sp1 = memchr(req, ' ', ll);
    if (sp1 == NULL) {
        return 400;
    }
    const char *target = sp1 + 1;
    const char *sp2 = memchr(target, ' ', (size_t)(eol - target));
    if (sp2 == NULL || (size_t)(eol - sp2 - 1) < 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0) {
        return 400;
    }
    size_t ml = (size_t)(sp1 - req);
    *is_head = ml == 4 && memcmp(req, "HEAD", 4) == 0;
    if (!*is_head && !(ml == 3 && memcmp(req, "GET", 3) == 0)) {
        return 405;
    }
    size_t tl = (size_t)(sp2 - target);
    const char *q = memchr(target, '?', tl);
    if (q != NULL) {
        tl = (size_t)(q - target);
    }
    if (tl != strlen(path) || memcmp(target, path, tl) != 0) {
        return 404;
    }
    return 200;
}

static void serve_one(MetricsServer *ms, int fd, const char *path)
{
    int64_t deadline = now_ms() + METRICS_IO_MS;
    char req[METRICS_REQ_MAX + 1];
    size_t n = 0;
    bool is_whole = false;
    while (n < METRICS_REQ_MAX && wait_fd(fd, POLLIN, deadline)) {
        ssize_t r = recv(fd, req + n, METRICS_REQ_MAX - n, MSG_DONTWAIT);
        if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        n += (size_t)r;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL) {
            is_whole = true;
            break;
        }
    }
    if (!is_whole) {
        ms->n_refused++;
        if (n >= METRICS_REQ_MAX) {
            const char *m = "request header too large\n";
            answer(fd, 431, "Request Header Fields Too Large", "text/plain", m, strlen(m), true,
                   deadline);
        }
        return;
    }
    bool is_head = false;
    int code = metrics_parse_request(req, n, path, &is_head);
    if (code != 200) {
        ms->n_refused++;
        const char *reason = code == 404 ? "Not Found"
                             : code == 405 ? "Method Not Allowed" : "Bad Request";
        char body[64];
        int bl = snprintf(body, sizeof(body), "%s\n", reason);
        answer(fd, code, reason, "text/plain", body, (size_t)bl, !is_head, deadline);
        return;
    }
    MetricsText t = {0};
    if (metrics_render(&t, ms->e, (int64_t)time(NULL) - ms->start_wall_sec) != 0) {
        const char *m = "out of memory\n";
        answer(fd, 500, "Internal Server Error", "text/plain", m, strlen(m), true, deadline);
        metrics_text_free(&t);
        return;
    }
    ms->n_scrapes++;
    answer(fd, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", t.buf, t.len, !is_head,
           deadline);
    metrics_text_free(&t);
}

void metrics_server_poll(MetricsServer *ms, const char *path, int timeout_ms)
{
    struct pollfd pfd = {.fd = ms->fd, .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) <= 0) {
        return;
    }
    int fd = accept4(ms->fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        return;
    }
    serve_one(ms, fd, path);
    shutdown(fd, SHUT_WR);
    close(fd);
}

void metrics_server_free(MetricsServer *ms)
{
    if (ms == NULL) {
        return;
    }
    if (ms->n_refused > 0) {
        VG_INFO("metrics endpoint: %llu scrapes served, %llu requests refused",
                (unsigned long long)ms->n_scrapes, (unsigned long long)ms->n_refused);
    }
    close(ms->fd);
    free(ms);
}
