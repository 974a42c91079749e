/* filetype: regular — an append-only file, reopened on SIGHUP, rotated by
 * size (`limit`) and time (`rotate-interval`). */
#include "output/output-sink-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define FILE_WRITE_POLL_MS 100       // wait per stalled attempt on a non-regular target
#define FILE_WRITE_MAX_STALLS 10     // then the write is abandoned (about a second)

typedef struct FileSink {
    int fd;
    char *path;
    uint64_t limit_bytes;        // rotate when the file passes this size (0: never)
    int64_t rotate_sec;          // rotate every so many seconds of wall time (0: never)
    int64_t next_rotate;         // wall time of the next rotation
    uint64_t size;               // bytes in the current file
    uint32_t keep;               // rotated files kept: path.1 .. path.<keep>
    bool is_failing;             // the last write failed (warned once until one succeeds)
} FileSink;

static int open_append(const char *path)
{
    /* O_NONBLOCK: a FIFO or socket target must not stall the writer for good. */
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0640);
}

static bool wait_writable(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int rc = poll(&pfd, 1, FILE_WRITE_POLL_MS);
    return rc > 0 && (pfd.revents & POLLOUT) != 0;
}

/* Write data; short writes continue where they stopped. Returns the bytes
 * written (all of len unless the target failed or stalled ~1 s). */
static size_t write_all(int fd, const char *data, size_t len)
{
    int stalls = 0;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if ((errno == EAGAIN || errno == EWOULDBLOCK) && stalls++ < FILE_WRITE_MAX_STALLS) {
                wait_writable(fd);
                continue;
            }
            break;
        }
        done += (size_t)w;
    }
    return done;
}

/* "1h", "30m", "10s", "1d", a number of seconds, or Suricata's words. */
static bool parse_interval(const char *s, int64_t *out)
{
    static const struct { const char *word; int64_t sec; } words[] = {
        {"minute", 60}, {"hour", 3600}, {"day", 86400}};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(s, words[i].word) == 0) {
            *out = words[i].sec;
            return true;
        }
    }
    char *end;
    long long v = strtoll(s, &end, 10);
    int64_t unit = 1;
    if (*end == 'm') {
        unit = 60;
    } else if (*end == 'h') {
        unit = 3600;
    } else if (*end == 'd') {
        unit = 86400;
    } else if (*end != '\0' && *end != 's') {
        return false;
    }
    if (end == s || v <= 0 || (*end != '\0' && end[1] != '\0')) {
        return false;
    }
    *out = (int64_t)v * unit;
    return true;
}

static int file_options(const VgEveSinkConfig *cfg, FileSink *fs)
{
    const char *limit = cfg->get(cfg, "limit");
    const char *every = cfg->get(cfg, "rotate-interval");
    const char *keep = cfg->get(cfg, "rotate-count");
    fs->keep = 5;
    if (limit != NULL && !conf_parse_size(limit, &fs->limit_bytes)) {
        VG_ERROR("eve-log %s: limit: '%s' is not a size (e.g. 100mb)", cfg->name, limit);
        return VG_EINVAL;
    }
    if (every != NULL && !parse_interval(every, &fs->rotate_sec)) {
        VG_ERROR("eve-log %s: rotate-interval: '%s' is not an interval (30s, 1h, day...)",
                 cfg->name, every);
        return VG_EINVAL;
    }
    int64_t k;
    if (keep != NULL) {
        if (!conf_parse_int(keep, &k) || k < 1 || k > 1000) {
            VG_ERROR("eve-log %s: rotate-count: '%s' is not 1..1000", cfg->name, keep);
            return VG_EINVAL;
        }
        fs->keep = (uint32_t)k;
    }
    return 0;
}

static void fs_set_size(FileSink *fs)
{
    struct stat st;
    fs->size = fstat(fs->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static int file_open(const VgEveSinkConfig *cfg, void **state)
{
    if (cfg->filename == NULL) {
        VG_ERROR("eve-log %s: filetype regular needs a filename", cfg->name);
        return VG_EINVAL;
    }
    FileSink *fs = calloc(1, sizeof(*fs));
    if (fs == NULL || (fs->path = strdup(cfg->filename)) == NULL) {
        free(fs);
        return VG_ENOMEM;
    }
    if (file_options(cfg, fs) != 0) {
        goto fail;
    }
    fs->fd = open_append(fs->path);
    if (fs->fd < 0) {
        VG_ERROR("eve: cannot open %s for appending: %s", fs->path, strerror(errno));
        goto fail;
    }
    fs_set_size(fs);
    if (fs->rotate_sec > 0) {
        fs->next_rotate = (int64_t)time(NULL) + fs->rotate_sec;
    }
    *state = fs;
    return 0;

fail:
    free(fs->path);
    free(fs);
    return VG_EINVAL;
}

static int file_reopen(void *state)
{
    FileSink *fs = state;
    /* Open the new file before closing the old one: a failed reopen keeps
     * logging somewhere. */
    int fd = open_append(fs->path);
    if (fd < 0) {
        VG_ERROR("eve: cannot reopen %s, still writing to the previous file: %s", fs->path,
                 strerror(errno));
        return VG_EIO;
    }
    close(fs->fd);
    fs->fd = fd;
    fs_set_size(fs);
    return 0;
}

/* path.<keep> is removed, path.N becomes path.N+1, path becomes path.1. */
static void file_rotate(FileSink *fs)
{
    size_t n = strlen(fs->path) + 16;
    char *from = malloc(n);
    char *to = malloc(n);
    if (from != NULL && to != NULL) {
        snprintf(to, n, "%s.%u", fs->path, fs->keep);
        (void)unlink(to);
        for (uint32_t i = fs->keep; i > 1; i--) {
            snprintf(from, n, "%s.%u", fs->path, i - 1);
            snprintf(to, n, "%s.%u", fs->path, i);
            (void)rename(from, to);
        }
        snprintf(to, n, "%s.1", fs->path);
        if (rename(fs->path, to) == 0) {
            (void)file_reopen(fs);
        } else {
            VG_WARN("eve: cannot rotate %s: %s", fs->path, strerror(errno));
        }
    }
    free(from);
    free(to);
}

static bool rotation_due(FileSink *fs)
{
    if (fs->limit_bytes > 0 && fs->size >= fs->limit_bytes) {
        return true;
    }
    if (fs->rotate_sec > 0 && (int64_t)time(NULL) >= fs->next_rotate) {
        fs->next_rotate = (int64_t)time(NULL) + fs->rotate_sec;
        return fs->size > 0;
    }
    return false;
}

typedef struct CountCtx {
    size_t upto;
    size_t off;
    uint32_t n;
} CountCtx;

static bool count_whole(const char *rec, size_t len, void *user)
{
    (void)rec;
    CountCtx *c = user;
    if (c->off + len + 1 > c->upto) {
        return false;
    }
    c->off += len + 1;
    return true;
}

static int64_t file_write_batch(void *state, const char *lines, size_t len, uint32_t n)
{
    FileSink *fs = state;
    if (rotation_due(fs)) {
        file_rotate(fs);
    }
    errno = 0;
    size_t w = write_all(fs->fd, lines, len);
    int err = errno;
    fs->size += w;
    if (w == len) {
        if (fs->is_failing) {
            VG_NOTICE("eve: writing to %s again", fs->path);
            fs->is_failing = false;
        }
        return n;
    }
    /* A full disk, a quota, an I/O error: say so once, then count (the
     * output's dropped/errors counters) until a write succeeds again. */
    if (!fs->is_failing) {
        VG_WARN("eve: cannot write to %s: %s; records are dropped and counted "
                "until writing works again", fs->path, err != 0 ? strerror(err) : "short write");
        fs->is_failing = true;
    }
    /* Cut short: end the line so the next record starts on its own line
     * (one broken line instead of two), and report the whole records. */
    if (w > 0 && lines[w - 1] != '\n') {
        (void)write_all(fs->fd, "\n", 1);
    }
    CountCtx c = {.upto = w};
    return eve_lines_each(lines, len, count_whole, &c);
}

static int file_flush(void *state)
{
    FileSink *fs = state;
    int rc = fdatasync(fs->fd);
    /* EINVAL: the target (pipe, socket, special file) has nothing to sync. */
    return rc == 0 || errno == EINVAL ? 0 : VG_EIO;
}

static void file_tick(void *state)
{
    FileSink *fs = state;
    if (fs->rotate_sec > 0 && rotation_due(fs)) {
        file_rotate(fs);
    }
}

static void file_close(void *state)
{
    FileSink *fs = state;
    if (fs == NULL) {
        return;
    }
    close(fs->fd);
    free(fs->path);
    free(fs);
}

const VgEveSinkOps eve_sink_ops_regular = {
    .hdr = VG_PLUGIN_HDR(VgEveSinkOps),
    .filetype = "regular",
    .open = file_open,
    .write_batch = file_write_batch,
    .flush = file_flush,
    .reopen = file_reopen,
    .tick = file_tick,
    .close = file_close,
};
