#ifndef VG_CONTROL_CONTROL_H
#define VG_CONTROL_CONTROL_H

/* The control socket: a unix stream socket speaking Suricata's JSON command
 * protocol (a {"version": "0.x"} handshake, then one
 * {"command": NAME, "arguments": {...}} per request, each answered with
 * {"return": "OK"|"NOK", "message": ...} and a newline).
 *
 * Threads: control_server_new and control_server_free run in the main thread
 * (start-up, teardown); control_server_poll runs in the management thread
 * UC#01 only. control_note_reload is called by the reload task (RL#01). The
 * packet path never touches any of it: commands read atomics, merged
 * counters and the read-only configuration, or set the engine's flags. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/engine.h"

typedef struct ControlServer ControlServer;

/* The socket path this run uses, or NULL when the socket is off: on with
 * cli_on (--unix-socket[=cli_path]) or unix-command.enabled: yes; the path is
 * cli_path, else unix-command.filename, resolved against log_dir when
 * relative. Writes into buf (buf_len bytes). Returns 0 (path or NULL in
 * *out) or VG_EINVAL after logging what is wrong. */
__attribute__((warn_unused_result)) int control_socket_path(const struct Conf *conf,
                                                            bool cli_on, const char *cli_path,
                                                            const char *log_dir, char *buf,
                                                            size_t buf_len, const char **out);

/* Listen on path (mode 0600). A live socket there (another instance answers)
 * or a file that is not a socket is refused; a stale socket is removed.
 * Returns NULL after logging why. The server keeps e (not owned). */
ControlServer *control_server_new(const char *path, Engine *e);
/* Serve: wait up to timeout_ms for activity, accept, read, answer. */
void control_server_poll(ControlServer *cs, int timeout_ms);
/* The engine is stopping: answer pending requests NOK, close the clients. */
void control_server_stop_clients(ControlServer *cs);
/* Close everything and remove the socket file. NULL is fine. */
void control_server_free(ControlServer *cs);
/* Close every descriptor and free, leaving the socket file: a forked child
 * lets go of the socket its parent keeps serving. NULL is fine. */
void control_server_forget(ControlServer *cs);

/* A rule set was loaded at start-up (is_startup), or a reload attempt ended
 * (is_ok false: the old rules stay); message says what happened, and is the
 * answer to a waiting reload-rules. Any thread. */
void control_note_reload(bool is_startup, bool is_ok, const char *message);

#endif
