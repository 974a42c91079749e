#include "util/util-log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int g_log_level = LOG_LEVEL_NOTICE; // written at start-up by main

static const char *const level_names[] = {
    [LOG_LEVEL_ERROR] = "Error",   [LOG_LEVEL_WARNING] = "Warning", [LOG_LEVEL_NOTICE] = "Notice",
    [LOG_LEVEL_INFO] = "Info",     [LOG_LEVEL_CONFIG] = "Config",   [LOG_LEVEL_DEBUG] = "Debug",
};

void util_log_set_level(LogLevel level)
{
    atomic_store(&g_log_level, (int)level);
}

LogLevel util_log_get_level(void)
{
    return (LogLevel)atomic_load(&g_log_level);
}

void util_logv(LogLevel level, const char *fmt, va_list ap)
{
    if ((int)level > atomic_load(&g_log_level)) {
        return;
    }
    char buf[2048];
    int n = snprintf(buf, sizeof(buf), "%s: ", level_names[level]);
    if (n < 0) {
        return;
    }
    int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
    if (m < 0) {
        return;
    }
    size_t len = strlen(buf);
    buf[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, buf, len);
    (void)w;
}

void util_log(LogLevel level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    util_logv(level, fmt, ap);
    va_end(ap);
}
