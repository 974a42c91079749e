/* The control socket's server: one listening unix socket and up to
 * CONTROL_MAX_CLIENTS connections, served with poll() by the UC#01 thread.
 * Nothing blocks: sockets are non-blocking, a request is bounded, an answer
 * a client does not read waits in its buffer (and that client sends nothing
 * more until it is read), a client that neither sends nor reads for
 * CONTROL_IDLE_SEC is closed. */
#include "control/control.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "control/control-internal.h"
#include "util/util-error.h"
#include "util/util-log.h"

typedef struct Client {
    int fd;                      // -1: free slot
    char *in;                    // CONTROL_MAX_REQUEST_BYTES
    size_t in_len;
    bool is_greeted;             // the version handshake passed
    bool is_waiting;             // a reload-rules waits for the reload generation to pass wait_gen
    uint64_t wait_gen;
    JsonBuf out;                 // the answer being sent, '\n' at out.len
    size_t out_off;              // bytes of out sent (out.len + 1 in all)
    bool has_out;
    bool close_after;            // close once the answer is sent
    int64_t last_sec;            // last activity (monotonic seconds)
} Client;

struct ControlServer {
    int fd;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    ControlCtx ctx;
    Client clients[CONTROL_MAX_CLIENTS];
};

static int64_t mono_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

int control_socket_path(const Conf *conf, bool cli_on, const char *cli_path, const char *log_dir,
                        char *buf, size_t buf_len, const char **out)
{
    *out = NULL;
    /* "auto" (Suricata's default) is on only in its unix-socket runmode,
     * which Vigil does not have: off. */
    const char *en = conf_str_or(conf, "unix-command.enabled", "no");
    bool is_on = false;
    if (strcmp(en, "auto") != 0 && !conf_parse_bool(en, &is_on)) {
        VG_ERROR("unix-command.enabled must be yes, no or auto, not '%s'", en);
        return VG_EINVAL;
    }
    /* Read even when off, so that -v does not list it as never read. */
    const char *name = conf_str_or(conf, "unix-command.filename", "vigil-command.socket");
    if (!cli_on && !is_on) {
        return 0;
    }
    if (cli_path != NULL && cli_path[0] != '\0') {
        name = cli_path;
    }
    int n = name[0] == '/' ? snprintf(buf, buf_len, "%s", name)
                           : snprintf(buf, buf_len, "%s/%s", log_dir, name);
    size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
    if (n < 0 || (size_t)n >= buf_len || (size_t)n > max) {
        VG_ERROR("%s%s%s: control socket path longer than %zu bytes", name[0] == '/' ? "" : log_dir,
                 name[0] == '/' ? "" : "/", name, max);
        return VG_EINVAL;
    }
    *out = buf;
    return 0;
}

/* A socket file already at path: refuse a live one or a non-socket, remove
 * a stale one. Returns 0 when path is free. */
static int clear_old_socket(const char *path, const struct sockaddr_un *sa)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        return errno == ENOENT ? 0 : (VG_ERROR("%s: %s", path, strerror(errno)), VG_EIO);
    }
    if (!S_ISSOCK(st.st_mode)) {
        VG_ERROR("%s: exists and is not a socket: refusing to replace it", path);
        return VG_EEXIST;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        VG_ERROR("control socket: %s", strerror(errno));
        return VG_EIO;
    }
    int rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
    int err = errno;
    close(fd);
    if (rc == 0) {
        VG_ERROR("%s: another process is listening on this control socket (another Vigil?)",
                 path);
        return VG_EEXIST;
    }
    if (err != ECONNREFUSED) {
        VG_ERROR("%s: cannot check the old control socket: %s", path, strerror(err));
        return VG_EIO;
    }
    VG_NOTICE("%s: removing a stale control socket", path);
    if (unlink(path) != 0 && errno != ENOENT) {
        VG_ERROR("%s: cannot remove the stale control socket: %s", path, strerror(errno));
        return VG_EIO;
    }
    return 0;
}

ControlServer *control_server_new(const char *path, Engine *e)
{
    ControlServer *cs = calloc(1, sizeof(*cs));
    if (cs == NULL) {
        VG_ERROR("out of memory setting up the control socket");
        return NULL;
    }
    cs->fd = -1;
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        cs->clients[i].fd = -1;
    }
    cs->ctx = (ControlCtx){.engine = e, .start_wall_sec = (int64_t)time(NULL)};
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        VG_ERROR("%s: control socket path too long", path);
        goto fail;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (clear_old_socket(path, &sa) != 0) {
        goto fail;
    }
    cs->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (cs->fd < 0) {
        VG_ERROR("control socket: %s", strerror(errno));
        goto fail;
    }
    /* Owner-only from the start: no window where others may connect.
     * Start-up runs before any other thread exists, so umask is safe here. */
    mode_t old = umask(0177);
    int rc = bind(cs->fd, (const struct sockaddr *)&sa, sizeof(sa));
    int err = errno;
    umask(old);
    if (rc != 0) {
        VG_ERROR("%s: cannot create the control socket: %s", path, strerror(err));
        goto fail;
    }
    memcpy(cs->path, path, strlen(path) + 1);
    if (chmod(path, 0600) != 0 || listen(cs->fd, 64) != 0) {
        VG_ERROR("%s: cannot set up the control socket: %s", path, strerror(errno));
        goto fail;
    }
    VG_NOTICE("control socket listening on %s", path);
    return cs;
fail:
    control_server_free(cs);
    return NULL;
}

static void client_close(Client *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c->in);
    json_buf_deinit(&c->out);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

static void accept_clients(ControlServer *cs)
{
    for (;;) {
        int fd = accept4(cs->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            return; // EAGAIN, or an error on one connection attempt
        }
        Client *c = NULL;
        for (int i = 0; i < CONTROL_MAX_CLIENTS && c == NULL; i++) {
            c = cs->clients[i].fd < 0 ? &cs->clients[i] : NULL;
        }
        if (c == NULL) {
            static const char busy[] = "{\"return\":\"NOK\",\"message\":\"too many clients\"}\n";
            (void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            close(fd);
            continue;
        }
        c->in = malloc(CONTROL_MAX_REQUEST_BYTES);
        if (c->in == NULL || json_buf_init(&c->out, 256) != 0) {
            free(c->in);
            close(fd);
            continue;
        }
        c->fd = fd;
        c->last_sec = mono_sec();
    }
}

/* The answer in c->out goes out (with a newline) as the socket takes it. */
static void client_send_start(Client *c, bool close_after)
{
    c->out.buf[c->out.len] = '\n'; // buf[len] exists: it holds the '\0'
    c->out_off = 0;
    c->has_out = true;
    c->close_after = close_after;
}

static void client_handle(ControlServer *cs, Client *c, const char *req, size_t len)
{
    ControlResult res;
    if (!c->is_greeted) {
        res = control_handshake(req, len, &c->out);
        c->is_greeted = res == CONTROL_DONE;
    } else {
        res = control_dispatch(&cs->ctx, req, len, &c->out, &c->wait_gen);
    }
    if (res == CONTROL_WAIT_RELOAD) {
        c->is_waiting = true;
        return;
    }
    client_send_start(c, res == CONTROL_CLOSE);
}

/* Handle every whole request buffered, one at a time (an answer must be sent
 * before the next request is read). */
static void client_process(ControlServer *cs, Client *c)
{
    while (!c->has_out && !c->is_waiting && c->in_len > 0) {
        size_t end = control_request_end(c->in, c->in_len);
        if (end == 0) {
            if (c->in_len >= CONTROL_MAX_REQUEST_BYTES) {
                control_answer_nok(&c->out, "request too large (limit 65536 bytes)");
                client_send_start(c, true);
            }
            return;
        }
        bool is_garbage = c->in[end - 1] != '}' && c->in[end - 1] != ']';
        client_handle(cs, c, c->in, end);
        if (is_garbage && c->has_out) {
            c->close_after = true; // no framing to trust after garbage
        }
        memmove(c->in, c->in + end, c->in_len - end);
        c->in_len -= end;
    }
}

static void client_read(ControlServer *cs, Client *c)
{
    ssize_t n = recv(c->fd, c->in + c->in_len, CONTROL_MAX_REQUEST_BYTES - c->in_len, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        client_close(c);
        return;
    }
    if (n > 0) {
        c->in_len += (size_t)n;
        c->last_sec = mono_sec();
        client_process(cs, c);
    }
}

static void client_write(ControlServer *cs, Client *c)
{
    size_t total = c->out.len + 1;
    ssize_t n = send(c->fd, c->out.buf + c->out_off, total - c->out_off, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR) {
            client_close(c);
        }
        return;
    }
    c->out_off += (size_t)n;
    c->last_sec = mono_sec();
    if (c->out_off < total) {
        return;
    }
    c->has_out = false;
    if (c->close_after) {
        client_close(c);
        return;
    }
    client_process(cs, c); // requests that came while this answer was going out
}

void control_server_poll(ControlServer *cs, int timeout_ms)
{
    struct pollfd pfd[CONTROL_MAX_CLIENTS + 1];
    int idx[CONTROL_MAX_CLIENTS + 1];
    nfds_t n = 0;
    pfd[n++] = (struct pollfd){.fd = cs->fd, .events = POLLIN};
    uint64_t gen = control_reload_generation();
    int64_t now = mono_sec();
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        Client *c = &cs->clients[i];
        if (c->fd < 0) {
            continue;
        }
        if (c->is_waiting && gen != c->wait_gen) {
            c->is_waiting = false;
            control_reload_answer(&c->out);
            client_send_start(c, false);
        }
        /* Silent, or not reading its answer: the slot goes to someone else. */
        if (!c->is_waiting && now - c->last_sec > CONTROL_IDLE_SEC) {
            client_close(c);
            continue;
        }
        if (c->is_waiting) {
            timeout_ms = timeout_ms > 20 ? 20 : timeout_ms;
        }
        idx[n] = i;
        pfd[n++] = (struct pollfd){.fd = c->fd,
                                   .events = c->has_out ? POLLOUT : c->is_waiting ? 0 : POLLIN};
    }
    if (poll(pfd, n, timeout_ms) <= 0) {
        return;
    }
    for (nfds_t k = 1; k < n; k++) {
        Client *c = &cs->clients[idx[k]];
        if (pfd[k].revents & (POLLERR | POLLNVAL)) {
            client_close(c);
        } else if (pfd[k].revents & POLLOUT) {
            client_write(cs, c);
        } else if (pfd[k].revents & (POLLIN | POLLHUP)) {
            client_read(cs, c);
        }
    }
    if (pfd[0].revents & POLLIN) {
        accept_clients(cs);
    }
}

void control_server_stop_clients(ControlServer *cs)
{
    if (cs == NULL) {
        return;
    }
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        Client *c = &cs->clients[i];
        if (c->fd >= 0 && c->is_waiting) {
            control_answer_nok(&c->out, "the engine stopped before the reload ran");
            c->out.buf[c->out.len] = '\n';
            (void)send(c->fd, c->out.buf, c->out.len + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        } else if (c->fd >= 0 && c->has_out && c->out_off < c->out.len + 1) {
            /* An answer still going out (the one to "shutdown" itself): hand the
             * rest to the kernel before closing, without waiting for the client. */
            (void)send(c->fd, c->out.buf + c->out_off, c->out.len + 1 - c->out_off,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        if (c->fd >= 0) {
            client_close(c);
        }
    }
}

void control_server_free(ControlServer *cs)
{
    if (cs == NULL) {
        return;
    }
    control_server_stop_clients(cs);
    if (cs->fd >= 0) {
        close(cs->fd);
    }
    if (cs->path[0] != '\0') {
        (void)unlink(cs->path);
    }
    free(cs);
}

void control_server_forget(ControlServer *cs)
{
    if (cs == NULL) {
        return;
    }
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        if (cs->clients[i].fd >= 0) {
            client_close(&cs->clients[i]);
        }
    }
    if (cs->fd >= 0) {
        close(cs->fd);
    }
    free(cs);
}

size_t control_request_end(const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r')) {
        i++;
    }
    if (i == len) {
        return 0;
    }
    if (buf[i] != '{' && buf[i] != '[') {
        return len; // garbage: all of it is the "request", refused by the parser
    }
    size_t depth = 0;
    bool in_str = false;
    for (; i < len; i++) {
        char ch = buf[i];
        if (in_str) {
            if (ch == '\\') {
                i++;
            } else if (ch == '"') {
                in_str = false;
            }
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if ((ch == '}' || ch == ']') && --depth == 0) {
            return i + 1;
        }
    }
    return 0;
}
