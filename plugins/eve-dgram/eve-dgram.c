/* Example plugin: an EVE sink (filetype "plugin-dgram") sending each record
 * as one datagram to a unix datagram socket.
 *
 *     plugins:
 *       - /path/to/build/plugins/eve-dgram.so
 *     outputs:
 *       - eve-log:
 *           filetype: plugin-dgram
 *           plugin:
 *             socket: /run/collector.sock
 *           types: [alert, flow]
 *
 * The engine gives it the same bounded queue and writer thread as its own
 * sinks: every callback runs on that thread, so blocking here (briefly)
 * never touches the packet path. A record that cannot be sent (no reader,
 * reader too slow for 1 s) is reported as not written: the engine counts it
 * dropped. Builds against src/runtime/plugin.h only; needs no engine
 * symbols. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "runtime/plugin.h"

static const VgPluginRegistrar *g_reg; // set once in init, before threads

typedef struct DgramSink {
    const VgEveSinkConfig *cfg;
    int fd;                      // connected to the reader, or -1
    struct sockaddr_un addr;
} DgramSink;

/* Connected: poll then waits for room in the reader's queue (not only in
 * ours). A reader that is not there yet is tried again on the next batch. */
static bool dg_connect(DgramSink *s)
{
    if (s->fd >= 0) {
        return true;
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return false;
    }
    if (connect(fd, (const struct sockaddr *)&s->addr, sizeof(s->addr)) != 0) {
        close(fd);
        return false;
    }
    s->fd = fd;
    return true;
}

static int dg_open(const VgEveSinkConfig *cfg, void **state)
{
    const char *path = cfg->get(cfg, "plugin.socket");
    if (path == NULL || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        g_reg->log(0, "eve-log %s: plugin-dgram needs plugin.socket (a socket path)",
                   cfg->name);
        return -2; // VG_EINVAL
    }
    DgramSink *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return -1; // VG_ENOMEM
    }
    s->cfg = cfg;
    s->addr.sun_family = AF_UNIX;
    memcpy(s->addr.sun_path, path, strlen(path) + 1);
    s->fd = -1;
    (void)dg_connect(s);
    *state = s;
    return 0;
}

/* One datagram; waits up to 1 s for room in the reader's queue. */
static int send_one(DgramSink *s, const char *rec, size_t len)
{
    for (int tries = 0; tries < 10; tries++) {
        ssize_t w = send(s->fd, rec, len, MSG_NOSIGNAL);
        if (w >= 0) {
            return 0;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
            close(s->fd); // the reader went away: connect again next batch
            s->fd = -1;
            return -1;
        }
        struct pollfd pfd = {.fd = s->fd, .events = POLLOUT};
        (void)poll(&pfd, 1, 100);
    }
    return -1;
}

static int64_t dg_write_batch(void *state, const char *lines, size_t len, uint32_t n)
{
    DgramSink *s = state;
    size_t off = 0;
    uint32_t sent = 0;
    if (!dg_connect(s)) {
        s->cfg->count_error(s->cfg);
        return 0;
    }
    while (sent < n && off < len) {
        const char *nl = memchr(lines + off, '\n', len - off);
        size_t rl = nl != NULL ? (size_t)(nl - (lines + off)) : len - off;
        if (send_one(s, lines + off, rl) != 0) {
            s->cfg->count_error(s->cfg);
            break;
        }
        sent++;
        off += rl + 1;
    }
    return sent;
}

static void dg_close(void *state)
{
    DgramSink *s = state;
    if (s != NULL) {
        if (s->fd >= 0) {
            close(s->fd);
        }
        free(s);
    }
}

static const VgEveSinkOps dgram_sink = {
    .hdr = VG_PLUGIN_HDR(VgEveSinkOps),
    .filetype = "plugin-dgram",
    .open = dg_open,
    .write_batch = dg_write_batch,
    .close = dg_close,
};

static int init(const VgPluginRegistrar *reg)
{
    g_reg = reg;
    /* An engine older than register_eve_sink has a shorter registrar. */
    if (reg->hdr.struct_size < offsetof(VgPluginRegistrar, register_eve_sink) +
                                   sizeof(reg->register_eve_sink)) {
        reg->log(0, "eve-dgram: this engine cannot take EVE sinks from plugins");
        return -1;
    }
    return reg->register_eve_sink(&dgram_sink);
}

const VgPluginInfo vg_plugin_info = {
    .hdr = VG_PLUGIN_HDR(VgPluginInfo),
    .name = "eve-dgram",
    .version = "1.0",
    .description = "EVE sink: one datagram per record to a unix socket",
    .init = init,
};
