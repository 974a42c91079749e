/* filetype: unix_dgram, unix_stream and syslog — records to a local socket.
 * unix_dgram: one datagram per record (no '\n'); unix_stream: the lines as
 * they are; syslog: one datagram per record to the syslog socket (default
 * /dev/log) in the local syslog format "<PRI>Mmm dd hh:mm:ss ident[pid]: rec".
 * The peer going away is not an error for long: the sink reconnects with
 * back-off (100 ms doubling to 5 s), counting reconnects; what it cannot
 * deliver meanwhile is counted dropped by the queue. */
#include "output/output-sink-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/util-error.h"
#include "util/util-log.h"

#define SOCK_STALL_MS 1000           // a peer that takes nothing for this long: give up the batch
#define SOCK_BACKOFF_MIN_MS 100
#define SOCK_BACKOFF_MAX_MS 5000
#define SYSLOG_MAX_RECORD (256 * 1024)

typedef enum SockKind { SOCK_KIND_DGRAM, SOCK_KIND_STREAM, SOCK_KIND_SYSLOG } SockKind;

typedef struct SockSink {
    const VgEveSinkConfig *cfg;
    SockKind kind;
    int fd;                      // -1 while disconnected
    struct sockaddr_un addr;
    int64_t next_try_ms;         // reconnect not before
    int64_t backoff_ms;
    bool was_connected;          // a later connect counts as a reconnect
    char *rest;                  // unix_stream: unsent tail of a record begun
    size_t rest_len;
    int pri;                     // syslog: facility * 8 + level
    char ident[64];
    char *msg;                   // syslog: record with its header
} SockSink;

static const struct { const char *name; int code; } facilities[] = {
    {"kern", 0}, {"user", 1}, {"mail", 2}, {"daemon", 3}, {"auth", 4}, {"syslog", 5},
    {"lpr", 6}, {"news", 7}, {"uucp", 8}, {"cron", 9}, {"authpriv", 10}, {"ftp", 11},
    {"local0", 16}, {"local1", 17}, {"local2", 18}, {"local3", 19}, {"local4", 20},
    {"local5", 21}, {"local6", 22}, {"local7", 23},
};

static const struct { const char *name; int code; } levels[] = {
    {"emerg", 0}, {"emergency", 0}, {"alert", 1}, {"crit", 2}, {"critical", 2}, {"err", 3},
    {"error", 3}, {"warning", 4}, {"warn", 4}, {"notice", 5}, {"info", 6}, {"debug", 7},
};

#define LOOKUP(table, key, out)                                                            \
    do {                                                                                    \
        for (size_t i_ = 0; i_ < sizeof(table) / sizeof(table[0]); i_++) {                 \
            if (strcasecmp(table[i_].name, (key)) == 0) {                                   \
                *(out) = table[i_].code;                                                    \
            }                                                                               \
        }                                                                                   \
    } while (0)

static void sock_disconnect(SockSink *s)
{
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    s->next_try_ms = eve_out_now_ms() + s->backoff_ms;
    s->backoff_ms = s->backoff_ms * 2 < SOCK_BACKOFF_MAX_MS ? s->backoff_ms * 2
                                                             : SOCK_BACKOFF_MAX_MS;
    free(s->rest); // the peer that was to receive it is gone
    s->rest = NULL;
    s->rest_len = 0;
}

/* Connected, or (re)connected now when the back-off allows. */
static bool sock_ready(SockSink *s)
{
    if (s->fd >= 0) {
        return true;
    }
    if (eve_out_now_ms() < s->next_try_ms) {
        return false;
    }
    int type = s->kind == SOCK_KIND_STREAM ? SOCK_STREAM : SOCK_DGRAM;
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return false;
    }
    if (connect(fd, (const struct sockaddr *)&s->addr, sizeof(s->addr)) != 0 &&
        errno != EINPROGRESS) {
        close(fd);
        sock_disconnect(s);
        return false;
    }
    s->fd = fd;
    s->backoff_ms = SOCK_BACKOFF_MIN_MS;
    if (s->was_connected) {
        s->cfg->count_reconnect(s->cfg);
    }
    s->was_connected = true;
    return true;
}

static bool wait_out(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    return poll(&pfd, 1, SOCK_STALL_MS) > 0 && (pfd.revents & POLLOUT) != 0;
}

/* Errors that mean the peer is gone (reconnect), not that it is slow. */
static bool peer_gone(int err)
{
    return err == EPIPE || err == ECONNREFUSED || err == ECONNRESET || err == ENOTCONN ||
           err == ENOENT || err == EBADF;
}

/* Send one datagram; false when it could not go now. */
static bool send_dgram(SockSink *s, const char *data, size_t len)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        ssize_t w = send(s->fd, data, len, MSG_NOSIGNAL);
        if (w >= 0) {
            return true;
        }
        if (errno == EINTR) {
            attempt--;
            continue;
        }
        if ((errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) && attempt == 0 &&
            wait_out(s->fd)) {
            continue;
        }
        if (peer_gone(errno)) {
            sock_disconnect(s);
        }
        return false;
    }
    return false;
}

typedef struct DgramCtx {
    SockSink *s;
} DgramCtx;

static bool dgram_one(const char *rec, size_t len, void *user)
{
    SockSink *s = ((DgramCtx *)user)->s;
    if (s->fd < 0) {
        return false;
    }
    if (s->kind != SOCK_KIND_SYSLOG) {
        return send_dgram(s, rec, len);
    }
    if (len > SYSLOG_MAX_RECORD) {
        return false;
    }
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char ts[32];
    strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
    int hl = snprintf(s->msg, 128, "<%d>%s %s[%d]: ", s->pri, ts, s->ident, (int)getpid());
    if (hl <= 0 || hl >= 128) {
        return false;
    }
    memcpy(s->msg + hl, rec, len);
    return send_dgram(s, s->msg, (size_t)hl + len);
}

static int64_t dgram_write_batch(void *state, const char *lines, size_t len, uint32_t n)
{
    SockSink *s = state;
    (void)n;
    if (!sock_ready(s)) {
        return VG_EIO;
    }
    DgramCtx d = {.s = s};
    return eve_lines_each(lines, len, dgram_one, &d);
}

/* Write bytes to a stream; returns how many went out before a stall. */
static size_t stream_write(SockSink *s, const char *data, size_t len)
{
    size_t done = 0;
    while (done < len && s->fd >= 0) {
        ssize_t w = send(s->fd, data + done, len - done, MSG_NOSIGNAL);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_out(s->fd)) {
            continue;
        }
        if (w < 0 && peer_gone(errno)) {
            sock_disconnect(s);
        }
        break;
    }
    return done;
}

/* Keep the unsent tail of a record begun, so the stream stays whole. */
static void keep_rest(SockSink *s, const char *tail, size_t len)
{
    char *r = malloc(len);
    if (r == NULL) {
        return; // the line stays cut: the peer sees one broken record
    }
    memcpy(r, tail, len);
    s->rest = r;
    s->rest_len = len;
}

static int64_t stream_write_batch(void *state, const char *lines, size_t len, uint32_t n)
{
    SockSink *s = state;
    if (!sock_ready(s)) {
        return VG_EIO;
    }
    if (s->rest != NULL) {
        size_t w = stream_write(s, s->rest, s->rest_len);
        if (w < s->rest_len) {
            if (s->rest != NULL) {
                memmove(s->rest, s->rest + w, s->rest_len - w);
                s->rest_len -= w;
            }
            return 0;
        }
        free(s->rest);
        s->rest = NULL;
        s->rest_len = 0;
    }
    size_t w = stream_write(s, lines, len);
    if (w == len) {
        return n;
    }
    /* Whole records sent, plus the one begun (its tail is kept). */
    uint32_t whole = 0;
    size_t last_end = 0;
    for (size_t i = 0; i < w; i++) {
        if (lines[i] == '\n') {
            whole++;
            last_end = i + 1;
        }
    }
    if (w > last_end && s->fd >= 0) {
        const char *nl = memchr(lines + w, '\n', len - w);
        size_t rec_end = nl != NULL ? (size_t)(nl - lines) + 1 : len;
        keep_rest(s, lines + w, rec_end - w);
        if (s->rest != NULL) {
            whole++;
        }
    }
    return whole;
}

static int sock_open_kind(const VgEveSinkConfig *cfg, void **state, SockKind kind)
{
    const char *path = cfg->filename;
    if (kind == SOCK_KIND_SYSLOG) {
        path = cfg->get(cfg, "syslog-socket");
        path = path != NULL ? path : "/dev/log";
    }
    if (path == NULL) {
        VG_ERROR("eve-log %s: a socket filetype needs filename (the socket path)", cfg->name);
        return VG_EINVAL;
    }
    SockSink *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return VG_ENOMEM;
    }
    s->cfg = cfg;
    s->kind = kind;
    s->fd = -1;
    s->backoff_ms = SOCK_BACKOFF_MIN_MS;
    s->addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(s->addr.sun_path)) {
        VG_ERROR("eve-log %s: socket path too long (%zu bytes at most): %s", cfg->name,
                 sizeof(s->addr.sun_path) - 1, path);
        free(s);
        return VG_EINVAL;
    }
    memcpy(s->addr.sun_path, path, strlen(path) + 1);
    if (kind == SOCK_KIND_SYSLOG) {
        const char *fac = cfg->get(cfg, "facility");
        const char *lvl = cfg->get(cfg, "level");
        const char *ident = cfg->get(cfg, "identity");
        int f = fac != NULL ? -1 : 21, l = lvl != NULL ? -1 : 6; // local5.info
        if (fac != NULL) {
            LOOKUP(facilities, fac, &f);
        }
        if (lvl != NULL) {
            LOOKUP(levels, lvl, &l);
        }
        if (f < 0 || l < 0) {
            VG_ERROR("eve-log %s: unknown syslog %s '%s'", cfg->name,
                     f < 0 ? "facility" : "level", f < 0 ? fac : lvl);
            free(s);
            return VG_EINVAL;
        }
        s->pri = f * 8 + l;
        snprintf(s->ident, sizeof(s->ident), "%s", ident != NULL ? ident : "vigil");
        s->msg = malloc(128 + SYSLOG_MAX_RECORD);
        if (s->msg == NULL) {
            free(s);
            return VG_ENOMEM;
        }
    }
    /* Not there yet is fine (the reader may start later): reconnects retry. */
    (void)sock_ready(s);
    *state = s;
    return 0;
}

static int dgram_open(const VgEveSinkConfig *cfg, void **state)
{
    return sock_open_kind(cfg, state, SOCK_KIND_DGRAM);
}

static int stream_open(const VgEveSinkConfig *cfg, void **state)
{
    return sock_open_kind(cfg, state, SOCK_KIND_STREAM);
}

static int syslog_open(const VgEveSinkConfig *cfg, void **state)
{
    return sock_open_kind(cfg, state, SOCK_KIND_SYSLOG);
}

static int sock_reopen(void *state)
{
    SockSink *s = state;
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    s->next_try_ms = 0;
    return 0;
}

static void sock_close(void *state)
{
    SockSink *s = state;
    if (s == NULL) {
        return;
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    free(s->rest);
    free(s->msg);
    free(s);
}

const VgEveSinkOps eve_sink_ops_unix_dgram = {
    .hdr = VG_PLUGIN_HDR(VgEveSinkOps),
    .filetype = "unix_dgram",
    .open = dgram_open,
    .write_batch = dgram_write_batch,
    .reopen = sock_reopen,
    .close = sock_close,
};

const VgEveSinkOps eve_sink_ops_unix_stream = {
    .hdr = VG_PLUGIN_HDR(VgEveSinkOps),
    .filetype = "unix_stream",
    .open = stream_open,
    .write_batch = stream_write_batch,
    .reopen = sock_reopen,
    .close = sock_close,
};

const VgEveSinkOps eve_sink_ops_syslog = {
    .hdr = VG_PLUGIN_HDR(VgEveSinkOps),
    .filetype = "syslog",
    .open = syslog_open,
    .write_batch = dgram_write_batch,
    .reopen = sock_reopen,
    .close = sock_close,
};
