#ifndef VG_CONTROL_METRICS_H
#define VG_CONTROL_METRICS_H

/* The optional metrics endpoint (metrics.enabled): every engine counter in
 * Prometheus text format, totals and per thread, plus build, uptime and rule
 * set gauges, over HTTP/1.x on metrics.address:metrics.port at metrics.path.
 *
 * Threads: metrics_server_new and metrics_server_free run in the main thread;
 * metrics_server_poll in the management thread MX#01 only. Scrapes read
 * merged counters (as the stats thread does) and atomics. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/engine.h"

struct Conf;

typedef struct MetricsConfig {
    bool is_enabled;
    const char *address;   // IPv4 or IPv6 literal (default 127.0.0.1)
    uint16_t port;         // default 9465
    const char *path;      // default /metrics
} MetricsConfig;

/* Reads metrics.*; a bad port or path is an error logged by name (VG_EINVAL).
 * Strings point into conf. */
int metrics_config(const struct Conf *conf, MetricsConfig *out);

/* A growing text buffer for one exposition. */
typedef struct MetricsText {
    char *buf;
    size_t len;
    size_t cap;
    bool is_oom;
} MetricsText;
void metrics_text_free(MetricsText *t);

/* Appends the whole exposition to t (e may be NULL: no rule-set gauges).
 * Returns 0 or VG_ENOMEM. */
int metrics_render(MetricsText *t, const Engine *e, int64_t uptime_sec);
/* The metric name of a counter: "vigil_" + its dotted path with characters
 * outside [A-Za-z0-9_] as '_'. Counters (sums) get "_total" when rendered. */
void metrics_name(const char *counter, char *out, size_t out_len);
/* Checks an HTTP request head for path: 200, or 400 (malformed), 404 (other
 * path), 405 (not GET or HEAD). *is_head tells a HEAD request. */
int metrics_parse_request(const char *req, size_t len, const char *path, bool *is_head);

typedef struct MetricsServer MetricsServer;
/* Listens on cfg's address and port; NULL after logging why. */
MetricsServer *metrics_server_new(const MetricsConfig *cfg, Engine *e);
/* Waits up to timeout_ms for a connection and answers it (one request). */
void metrics_server_poll(MetricsServer *ms, const char *path, int timeout_ms);
void metrics_server_free(MetricsServer *ms);

#endif
