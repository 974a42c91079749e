#ifndef VG_UTIL_UTIL_LOG_H
#define VG_UTIL_UTIL_LOG_H

/* Operator-facing logging. Messages go to stderr with a level tag.
 * Safe to call from any thread (one write per message). */

#include <stdarg.h>

typedef enum LogLevel {
    LOG_LEVEL_ERROR = 0,
    LOG_LEVEL_WARNING,
    LOG_LEVEL_NOTICE,
    LOG_LEVEL_INFO,
    LOG_LEVEL_CONFIG,
    LOG_LEVEL_DEBUG,
} LogLevel;

/* Messages above this level are dropped. Written at start-up only. */
void util_log_set_level(LogLevel level);
LogLevel util_log_get_level(void);

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
