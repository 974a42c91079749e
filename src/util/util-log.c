#include "util/util-log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/util-time.h"

static _Atomic int g_log_level = LOG_LEVEL_NOTICE; // written at start-up by main
static bool g_console_json;                         // start-up only

static const char *const level_names[] = {
    [LOG_LEVEL_ERROR] = "Error",   [LOG_LEVEL_WARNING] = "Warning", [LOG_LEVEL_NOTICE] = "Notice",
    [LOG_LEVEL_INFO] = "Info",     [LOG_LEVEL_CONFIG] = "Config",   [LOG_LEVEL_DEBUG] = "Debug",
};

/* The file and syslog sinks; g_sink_lock guards them (and the kept
 * messages) against writers in any thread and a reopen. */
#define PENDING_MAX (256u * 1024)
static pthread_mutex_t g_sink_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char *path;            // NULL: no file
    int fd;                // -1 until opened
    LogLevel level;
    bool json;
    char *pending;         // formatted lines kept until the file opens
    size_t pending_len;
    bool pending_cut;      // the oldest were dropped
} g_file = {.fd = -1};
static struct {
    bool on;
    LogLevel level;
    bool json;
} g_syslog;
static _Atomic bool g_any_sink;   // file or syslog configured: format for them

void util_log_set_level(LogLevel level)
{
    atomic_store(&g_log_level, (int)level);
}

LogLevel util_log_get_level(void)
{
    return (LogLevel)atomic_load(&g_log_level);
}

bool util_log_level_parse(const char *name, LogLevel *out)
{
    static const struct {
        const char *name;
        LogLevel level;
    } words[] = {
        {"emergency", LOG_LEVEL_ERROR}, {"alert", LOG_LEVEL_ERROR},
        {"critical", LOG_LEVEL_ERROR},  {"error", LOG_LEVEL_ERROR},
        {"warning", LOG_LEVEL_WARNING}, {"notice", LOG_LEVEL_NOTICE},
        {"info", LOG_LEVEL_INFO},       {"perf", LOG_LEVEL_INFO},
        {"config", LOG_LEVEL_CONFIG},   {"debug", LOG_LEVEL_DEBUG},
    };
    for (size_t i = 0; name != NULL && i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcasecmp(name, words[i].name) == 0) {
            *out = words[i].level;
            return true;
        }
    }
    return false;
}

void util_log_console_json(bool json)
{
    g_console_json = json;
}

void util_log_file_configure(const char *path, LogLevel level, bool json)
{
    pthread_mutex_lock(&g_sink_lock);
    free(g_file.path);
    g_file.path = path != NULL ? strdup(path) : NULL;
    if (g_file.path == NULL) {   // none (or no memory): nothing kept for it
        free(g_file.pending);
        g_file.pending = NULL;
        g_file.pending_len = 0;
        if (g_file.fd >= 0) {
            close(g_file.fd);
            g_file.fd = -1;
        }
    }
    g_file.level = level;
    g_file.json = json;
    pthread_mutex_unlock(&g_sink_lock);
    atomic_store(&g_any_sink, g_file.path != NULL || g_syslog.on);
}

const char *util_log_file_path(void)
{
    return g_file.path;
}

static int open_file_locked(void)
{
    int fd = open(g_file.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
        return -1;
    }
    if (g_file.fd >= 0) {
        close(g_file.fd);
    }
    g_file.fd = fd;
    return 0;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

int util_log_file_open(void)
{
    pthread_mutex_lock(&g_sink_lock);
    int rc = 0;
    if (g_file.path != NULL && g_file.fd < 0) {
        rc = open_file_locked();
        if (rc == 0 && g_file.pending_cut) {
            static const char cut[] = "(earlier start-up messages were cut: too many)\n";
            write_all(g_file.fd, cut, sizeof(cut) - 1);
        }
        if (rc == 0 && g_file.pending_len > 0) {
            write_all(g_file.fd, g_file.pending, g_file.pending_len);
        }
        if (rc == 0) {
            free(g_file.pending);
            g_file.pending = NULL;
            g_file.pending_len = 0;
        }
    }
    int err = errno;
    pthread_mutex_unlock(&g_sink_lock);
    errno = err;
    return rc;
}

int util_log_file_reopen(void)
{
    pthread_mutex_lock(&g_sink_lock);
    int rc = g_file.path != NULL && g_file.fd >= 0 ? open_file_locked() : 0;
    int err = errno;
    pthread_mutex_unlock(&g_sink_lock);
    errno = err;
    return rc;
}

void util_log_syslog_configure(int facility, LogLevel level, bool json)
{
    pthread_mutex_lock(&g_sink_lock);
    if (g_syslog.on) {
        closelog();
    }
    openlog("vigil", LOG_NDELAY | LOG_PID, facility);
    g_syslog.on = true;
    g_syslog.level = level;
    g_syslog.json = json;
    pthread_mutex_unlock(&g_sink_lock);
    atomic_store(&g_any_sink, true);
}

void util_log_close(void)
{
    pthread_mutex_lock(&g_sink_lock);
    if (g_file.fd >= 0) {
        close(g_file.fd);
    }
    g_file.fd = -1;
    free(g_file.path);
    g_file.path = NULL;
    free(g_file.pending);
    g_file.pending = NULL;
    g_file.pending_len = 0;
    g_file.pending_cut = false;
    if (g_syslog.on) {
        closelog();
    }
    g_syslog.on = false;
    pthread_mutex_unlock(&g_sink_lock);
    atomic_store(&g_any_sink, false);
}

/* True when s is valid UTF-8 (no overlongs, no surrogates). */
static bool is_utf8(const unsigned char *s)
{
    while (*s != '\0') {
        unsigned n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2
                                 : (*s & 0xf8) == 0xf0 ? 3 : 4;
        if (n == 4 || (n == 1 && *s < 0xc2) || (n == 3 && *s > 0xf4)) {
            return false;
        }
        uint32_t cp = n == 0 ? *s : (uint32_t)(*s & (0x3f >> n));
        for (unsigned i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff))) {
            return false;
        }
        s += n + 1;
    }
    return true;
}

/* msg as a JSON string body (quotes not included) into out; never fails,
 * cuts at the buffer's end (at a character boundary). Valid UTF-8 stays as
 * it is; otherwise bytes >= 0x80 become \u00XX, so the line is valid JSON. */
static size_t json_escape(char *out, size_t size, const char *msg)
{
    static const char hex[] = "0123456789abcdef";
    bool utf8 = is_utf8((const unsigned char *)msg);
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)msg; *s != '\0' && o + 7 < size; s++) {
        if (utf8 && *s >= 0x80) {
            if ((*s & 0xc0) == 0xc0) {   // a lead byte: room for the whole character?
                size_t n = (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 : 4;
                if (o + n + 7 >= size) {
                    break;
                }
            }
            out[o++] = (char)*s;
            continue;
        }
        if (*s == '"' || *s == '\\') {
            out[o++] = '\\';
            out[o++] = (char)*s;
        } else if (*s == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (*s == '\t') {
            out[o++] = '\\';
            out[o++] = 't';
        } else if (*s < 0x20 || *s >= 0x7f) {
            /* control bytes (and bytes of invalid UTF-8) as \u00XX */
            memcpy(out + o, "\\u00", 4);
            out[o + 4] = hex[*s >> 4];
            out[o + 5] = hex[*s & 0xf];
            o += 6;
        } else {
            out[o++] = (char)*s;
        }
    }
    out[o] = '\0';
    return o;
}

/* The wall-clock time as EVE writes timestamps ("" if it cannot be shown). */
static void now_iso(char when[UTIL_TIME_ISO_SIZE])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (util_time_format(when, UTIL_TIME_ISO_SIZE, ts.tv_sec, (uint32_t)(ts.tv_nsec / 1000)) < 0) {
        when[0] = '\0';
    }
}

/* One JSON record (with its '\n') for msg into out. */
static size_t json_record(char *out, size_t size, LogLevel level, const char *msg)
{
    char when[UTIL_TIME_ISO_SIZE];
    now_iso(when);
    char thread[32] = "";
    char tname[16] = "";
    if (pthread_getname_np(pthread_self(), tname, sizeof(tname)) == 0) {
        json_escape(thread, sizeof(thread), tname);
    }
    char esc[3072];
    json_escape(esc, sizeof(esc), msg);
    int n = snprintf(out, size,
                     "{\"timestamp\":\"%s\",\"log_level\":\"%s\",\"event_type\":\"engine\","
                     "\"engine\":{\"thread_name\":\"%s\",\"message\":\"%s\"}}\n",
                     when, level_names[level], thread, esc);
    if (n < 0) {
        return 0;
    }
    if ((size_t)n >= size) {   // cut: keep it one valid line
        return 0;
    }
    return (size_t)n;
}

/* "[2026-12-05T12:00:00.123456+0000] Notice: message\n" */
static size_t text_record(char *out, size_t size, LogLevel level, const char *msg)
{
    char when[UTIL_TIME_ISO_SIZE];
    now_iso(when);
    int n = snprintf(out, size, "[%s] %s: %s\n", when, level_names[level], msg);
    if (n < 0) {
        return 0;
    }
    return (size_t)n < size ? (size_t)n : size - 1;
}

static void keep_pending(const char *line, size_t len)
{
    if (len > PENDING_MAX) {
        return;
    }
    if (g_file.pending == NULL) {
        g_file.pending = malloc(PENDING_MAX);
        if (g_file.pending == NULL) {
            g_file.pending_cut = true;
            return;
        }
    }
    if (g_file.pending_len + len > PENDING_MAX) {
        /* Drop the oldest whole lines. */
        size_t drop = g_file.pending_len + len - PENDING_MAX;
        const char *nl = memchr(g_file.pending + drop - 1, '\n', g_file.pending_len - drop + 1);
        drop = nl != NULL ? (size_t)(nl - g_file.pending) + 1 : g_file.pending_len;
        memmove(g_file.pending, g_file.pending + drop, g_file.pending_len - drop);
        g_file.pending_len -= drop;
        g_file.pending_cut = true;
    }
    memcpy(g_file.pending + g_file.pending_len, line, len);
    g_file.pending_len += len;
}

static void to_sinks(LogLevel level, const char *msg)
{
    pthread_mutex_lock(&g_sink_lock);
    if (g_file.path != NULL && level <= g_file.level) {
        char line[4096];
        size_t n = g_file.json ? json_record(line, sizeof(line), level, msg)
                               : text_record(line, sizeof(line), level, msg);
        if (n > 0 && g_file.fd >= 0) {
            write_all(g_file.fd, line, n);
        } else if (n > 0) {
            keep_pending(line, n);
        }
    }
    if (g_syslog.on && level <= g_syslog.level) {
        static const int prio[] = {
            [LOG_LEVEL_ERROR] = LOG_ERR,   [LOG_LEVEL_WARNING] = LOG_WARNING,
            [LOG_LEVEL_NOTICE] = LOG_NOTICE, [LOG_LEVEL_INFO] = LOG_INFO,
            [LOG_LEVEL_CONFIG] = LOG_INFO, [LOG_LEVEL_DEBUG] = LOG_DEBUG,
        };
        if (g_syslog.json) {
            char line[4096];
            size_t n = json_record(line, sizeof(line), level, msg);
            if (n > 0) {
                line[n - 1] = '\0';   // syslog adds its own line end
                syslog(prio[level], "%s", line);
            }
        } else {
            syslog(prio[level], "%s: %s", level_names[level], msg);
        }
    }
    pthread_mutex_unlock(&g_sink_lock);
}

void util_logv(LogLevel level, const char *fmt, va_list ap)
{
    bool console = (int)level <= atomic_load(&g_log_level);
    bool sinks = atomic_load(&g_any_sink);
    if (!console && !sinks) {
        return;
    }
    char msg[2048];
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        return;
    }
    if (console) {
        char buf[4096];
        size_t len;
        if (g_console_json) {
            len = json_record(buf, sizeof(buf), level, msg);
        } else {
            int n = snprintf(buf, sizeof(buf) - 1, "%s: %s", level_names[level], msg);
            len = n < 0 ? 0 : (size_t)n < sizeof(buf) - 1 ? (size_t)n : sizeof(buf) - 2;
            buf[len++] = '\n';
        }
        if (len > 0) {
            ssize_t w = write(STDERR_FILENO, buf, len);
            (void)w;
        }
    }
    if (sinks) {
        to_sinks(level, msg);
    }
}

void util_log(LogLevel level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    util_logv(level, fmt, ap);
    va_end(ap);
}
