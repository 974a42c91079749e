#ifndef VG_ENGINE_SETUP_H
#define VG_ENGINE_SETUP_H

/* Start-up and shutdown of the whole engine: the one place that knows every
 * subsystem and wires them together (main thread only). */

#include "runtime/engine.h"

/* max-packet-size: the longest frame acquisition keeps whole (longer ones
 * are cut to it and counted). The default holds what libpcap captures at
 * most (262144, GRO/TSO frames included). */
#define ENGINE_MAX_PACKET_SIZE 262144u
#define ENGINE_MIN_PACKET_SIZE 64u
#define ENGINE_MAX_PACKET_SIZE_BOUND (1u << 20)

/* Packet pool, plugins, flow table, rules. Returns 0 or an exit status. */
int engine_setup(Engine *e);
/* Outputs in the log dir and the management tasks (flow manager, stats,
 * reload, control socket). Returns 0 or an exit status. */
int engine_setup_outputs(Engine *e);
/* --unix-socket[=PATH]: serve the control socket (path NULL or "": the
 * configured unix-command.filename). Before engine_setup_outputs. */
void engine_set_unix_socket(const char *path);
/* --unix-socket was given. */
bool engine_unix_socket_asked(void);
/* The unix-socket runmode: the control socket served by the main thread (no
 * management task). NULL after logging why. Freed by engine_teardown; opened
 * once (a second call returns the same server). */
struct ControlServer *engine_control_open(Engine *e);
/* In a capture run forked by the unix-socket runmode: close the inherited
 * control socket (the parent keeps serving it; its file stays) and start no
 * socket of its own. */
void engine_control_detach(void);
/* Load the rules again and swap them in. free_old: free the replaced rule
 * set at once (no packet thread can hold it), else keep it until teardown.
 * Notes the result for the control socket. Returns 0 or a VG_E* code. */
int engine_reload_rules(Engine *e, bool free_old);
/* -T: 0 when the config and every rule loaded. */
int engine_test_result(const Engine *e);
void engine_print_summary(const Engine *e, double elapsed_sec);
void engine_print_keywords(void);
void engine_print_modules(void);
void engine_teardown(Engine *e);

#endif
