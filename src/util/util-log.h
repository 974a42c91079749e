#ifndef VG_UTIL_UTIL_LOG_H
#define VG_UTIL_UTIL_LOG_H

/* Operator-facing logging. Messages go to stderr with a level tag and, when
 * configured (engine-logging.c reads the logging: section), to a file and
 * to syslog, each with its own level, as text or as JSON records
 * ({"timestamp", "log_level", "event_type": "engine", "engine": {...}}).
 * Safe to call from any thread (one write per message and sink). */

#include <stdarg.h>
#include <stdbool.h>

typedef enum LogLevel {
    LOG_LEVEL_ERROR = 0,
    LOG_LEVEL_WARNING,
    LOG_LEVEL_NOTICE,
    LOG_LEVEL_INFO,
    LOG_LEVEL_CONFIG,
    LOG_LEVEL_DEBUG,
} LogLevel;

/* Level of the console (stderr): messages above it are not shown there.
 * Written at start-up only. */
void util_log_set_level(LogLevel level);
LogLevel util_log_get_level(void);
/* "error", "warning", "notice", "info", "config", "debug" (any case; also
 * "perf" and "critical"/"alert"/"emergency" as Suricata's levels map). */
bool util_log_level_parse(const char *name, LogLevel *out);

/* The console writes JSON records instead of text. Start-up only. */
void util_log_console_json(bool json);

/* A log file: path (copied; NULL: none), level, JSON or text. Until util_log_file_open
 * succeeds, messages for it are kept in memory (up to 256 KiB; past that
 * the oldest are cut, and the file says so). Start-up only. */
void util_log_file_configure(const char *path, LogLevel level, bool json);
/* Open the configured file (append) and write what was kept. Returns 0, or
 * -1 with errno (the message is the caller's); 0 when none is configured. */
int util_log_file_open(void);
/* Reopen the file by its name (log rotation); 0 or -1 with errno. */
int util_log_file_reopen(void);
/* The configured path, NULL when none. */
const char *util_log_file_path(void);

/* syslog(3) with this facility (LOG_LOCAL5...) and level. Start-up only. */
void util_log_syslog_configure(int facility, LogLevel level, bool json);

/* Close the file and syslog; further messages go to the console only. */
void util_log_close(void);

void util_log(LogLevel level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void util_logv(LogLevel level, const char *fmt, va_list ap);

#define VG_ERROR(...) util_log(LOG_LEVEL_ERROR, __VA_ARGS__)
#define VG_WARN(...) util_log(LOG_LEVEL_WARNING, __VA_ARGS__)
#define VG_NOTICE(...) util_log(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define VG_INFO(...) util_log(LOG_LEVEL_INFO, __VA_ARGS__)
#define VG_CONFIG(...) util_log(LOG_LEVEL_CONFIG, __VA_ARGS__)
#ifdef VG_DEBUG_BUILD
#define VG_DEBUG(...) util_log(LOG_LEVEL_DEBUG, __VA_ARGS__)
#else
#define VG_DEBUG(...) ((void)0)
#endif

#endif
