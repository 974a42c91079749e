/* The EVE file sink and its per-thread batching buffer. */

#include "output/output.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/util-error.h"
#include "util/util-log.h"

#define EVE_WRITE_POLL_MS 100        // wait per stalled attempt on a non-regular target
#define EVE_WRITE_MAX_STALLS 10      // then the write is abandoned (about a second)

struct EveSink {
    pthread_mutex_t lock;        // serialises writes, reopen and the fd
    int fd;
    char *path;
    _Atomic uint64_t records;
    _Atomic uint64_t bytes;
    _Atomic uint64_t write_errors;
    _Atomic uint64_t dropped;
};

struct EveThreadBuf {
    EveSink *sink;
    char *buf;
    size_t len;
    size_t cap;
    uint64_t n_records;          // records in buf
};

static int open_append(const char *path)
{
    /* O_NONBLOCK: a FIFO or socket target must not stall the packet path. */
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0640);
}

EveSink *eve_sink_open(const char *path)
{
    EveSink *sink = calloc(1, sizeof(*sink));
    if (sink == NULL) {
        return NULL;
    }
    sink->path = strdup(path);
    if (sink->path == NULL) {
        goto fail_path;
    }
    sink->fd = open_append(path);
    if (sink->fd < 0) {
        VG_ERROR("eve: cannot open %s for appending: %s", path, strerror(errno));
        goto fail_open;
    }
    if (pthread_mutex_init(&sink->lock, NULL) != 0) {
        goto fail_mutex;
    }
    return sink;

fail_mutex:
    close(sink->fd);
fail_open:
    free(sink->path);
fail_path:
    free(sink);
    return NULL;
}

/* Wait a little for a non-blocking target to accept data. */
static bool wait_writable(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    int rc = poll(&pfd, 1, EVE_WRITE_POLL_MS);
    return rc > 0 && (pfd.revents & POLLOUT) != 0;
}

/* After giving up half-way through a record, end the line so that the next
 * record starts on its own line: one broken line instead of two. */
static void terminate_partial_line(int fd)
{
    ssize_t w;
    do {
        w = write(fd, "\n", 1);
    } while (w < 0 && errno == EINTR);
}

/* Write every byte of iov[0..n) to fd; the caller holds the sink lock.
 * Short writes continue where they stopped (still under the lock, so no
 * other record can slip in between). */
static int write_all(int fd, struct iovec *iov, int n)
{
    int stalls = 0;
    bool is_partial = false;
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if ((errno == EAGAIN || errno == EWOULDBLOCK) && stalls++ < EVE_WRITE_MAX_STALLS) {
                wait_writable(fd);
                continue;
            }
            if (is_partial) {
                terminate_partial_line(fd);
            }
            return VG_EIO;
        }
        is_partial = true;
        size_t done = (size_t)w;
        while (n > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return 0;
}

static int sink_writev(EveSink *sink, struct iovec *iov, int n, size_t total, uint64_t records)
{
    pthread_mutex_lock(&sink->lock);
    int rc = write_all(sink->fd, iov, n);
    pthread_mutex_unlock(&sink->lock);
    if (rc != 0) {
        atomic_fetch_add_explicit(&sink->write_errors, 1, memory_order_relaxed);
        return rc;
    }
    atomic_fetch_add_explicit(&sink->records, records, memory_order_relaxed);
    atomic_fetch_add_explicit(&sink->bytes, total, memory_order_relaxed);
    return 0;
}

int eve_sink_write(EveSink *sink, const JsonBuf *jb)
{
    if (!json_complete(jb)) {
        atomic_fetch_add_explicit(&sink->dropped, 1, memory_order_relaxed);
        return VG_EINVAL;
    }
    struct iovec iov[2] = {
        { .iov_base = jb->buf, .iov_len = jb->len },
        { .iov_base = (void *)"\n", .iov_len = 1 },
    };
    return sink_writev(sink, iov, 2, jb->len + 1, 1);
}

int eve_sink_write_lines(EveSink *sink, const char *data, size_t len, uint64_t n_records)
{
    if (len == 0) {
        return 0;
    }
    struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
    return sink_writev(sink, &iov, 1, len, n_records);
}

int eve_sink_reopen(EveSink *sink)
{
    /* Open the new file before closing the old one: writers never see a
     * closed descriptor, and a failed reopen keeps logging somewhere. */
    int fd = open_append(sink->path);
    if (fd < 0) {
        VG_ERROR("eve: cannot reopen %s, still writing to the previous file: %s", sink->path,
                 strerror(errno));
        return VG_EIO;
    }
    pthread_mutex_lock(&sink->lock);
    int old = sink->fd;
    sink->fd = fd;
    pthread_mutex_unlock(&sink->lock);
    close(old);
    return 0;
}

int eve_sink_flush(EveSink *sink)
{
    pthread_mutex_lock(&sink->lock);
    int rc = fdatasync(sink->fd);
    int err = errno;
    pthread_mutex_unlock(&sink->lock);
    /* EINVAL: the target (pipe, socket, special file) has nothing to sync. */
    return rc == 0 || err == EINVAL ? 0 : VG_EIO;
}

void eve_sink_get_stats(EveSink *sink, EveSinkStats *out)
{
    out->records = atomic_load_explicit(&sink->records, memory_order_relaxed);
    out->bytes = atomic_load_explicit(&sink->bytes, memory_order_relaxed);
    out->write_errors = atomic_load_explicit(&sink->write_errors, memory_order_relaxed);
    out->dropped = atomic_load_explicit(&sink->dropped, memory_order_relaxed);
}

void eve_sink_close(EveSink *sink)
{
    if (sink == NULL) {
        return;
    }
    close(sink->fd);
    pthread_mutex_destroy(&sink->lock);
    free(sink->path);
    free(sink);
}

EveThreadBuf *eve_thread_buf_new(EveSink *sink)
{
    EveThreadBuf *tb = calloc(1, sizeof(*tb));
    if (tb == NULL) {
        return NULL;
    }
    tb->cap = EVE_THREAD_BUF_FLUSH_BYTES;
    tb->buf = malloc(tb->cap);
    if (tb->buf == NULL) {
        free(tb);
        return NULL;
    }
    tb->sink = sink;
    return tb;
}

int eve_thread_buf_flush(EveThreadBuf *tb)
{
    int rc = eve_sink_write_lines(tb->sink, tb->buf, tb->len, tb->n_records);
    /* A failed batch is dropped (and counted by the sink): keeping it would
     * let a dead target grow the buffer without bound. */
    tb->len = 0;
    tb->n_records = 0;
    return rc;
}

int eve_thread_buf_write(EveThreadBuf *tb, const JsonBuf *jb)
{
    if (!json_complete(jb)) {
        return eve_sink_write(tb->sink, jb);  // counts the drop
    }
    int rc = 0;
    if (jb->len + 1 > tb->cap - tb->len) {
        rc = eve_thread_buf_flush(tb);
    }
    if (jb->len + 1 > tb->cap) {
        /* Larger than the whole buffer: pending records went out first, so
         * order is kept. */
        int rc2 = eve_sink_write(tb->sink, jb);
        return rc != 0 ? rc : rc2;
    }
    memcpy(tb->buf + tb->len, jb->buf, jb->len);
    tb->len += jb->len;
    tb->buf[tb->len++] = '\n';
    tb->n_records++;
    if (tb->len >= tb->cap) {
        int rc2 = eve_thread_buf_flush(tb);
        rc = rc != 0 ? rc : rc2;
    }
    return rc;
}

void eve_thread_buf_free(EveThreadBuf *tb)
{
    if (tb == NULL) {
        return;
    }
    eve_thread_buf_flush(tb);
    free(tb->buf);
    free(tb);
}
