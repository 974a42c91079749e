#ifndef VG_ENGINE_SOCKET_MODE_H
#define VG_ENGINE_SOCKET_MODE_H

/* The unix-socket runmode (vigil --unix-socket with no capture source, as
 * Suricata's): a long-running engine that reads the captures queued on its
 * control socket (pcap-file, pcap-file-continuous), one after another, each
 * with its outputs in the directory given with it. */

#include "runtime/engine.h"

/* Serve the control socket (opened by engine_control_open) and run the queue
 * until shutdown (or SIGINT/SIGTERM). The rules are loaded once, by
 * engine_setup, in this process; each capture is read by a child process
 * forked from it (the engine as engine_setup left it: rules, datasets,
 * empty flow table), which sets up the outputs in the job's directory, calls
 * run_capture and exits with its status. Returns the exit status: 0 after a
 * shutdown. Main thread only. */
int engine_socket_mode_run(Engine *e, int (*run_capture)(Engine *e));

#endif
