#ifndef VG_ENGINE_LOGGING_H
#define VG_ENGINE_LOGGING_H

/* The logging: section (as Suricata's): default-log-level, and outputs
 * console (enabled, type: json), file (enabled, filename relative to the
 * log directory, level, type: json|regular) and syslog (enabled,
 * facility, level, type). Engine messages go there (util-log.h). */

#include <stdbool.h>

struct Conf;

/* Configure the sinks from conf; verbose is the -v count (-1: --quiet).
 * log_dir is where a relative filename goes. Returns 0, or VG_EINVAL with
 * a message naming the key. The file is opened later. Start-up only. */
int engine_logging_setup(const struct Conf *conf, int verbose, const char *log_dir);

/* Open the log file, once its directory exists (messages so far were kept).
 * A file that cannot be opened is a warning naming it (the messages stay on
 * the console); returns 0. */
int engine_logging_open(void);

/* At exit: a run that failed before its log directory was made still writes
 * its messages when the directory exists (given with -l); then close. */
void engine_logging_finish(const char *log_dir);

#endif
