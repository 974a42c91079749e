#include "util/util-time.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "util/util-error.h"

/* Bumped by util_time_init; a thread's cache is valid for one generation. */
static _Atomic uint32_t g_tz_generation = 1;

/* Broken-down local time of the last second this thread formatted: packets
 * arrive in time order, so most records hit it and skip localtime_r. */
typedef struct TimeCache {
    uint32_t generation;
    int64_t sec;
    struct tm tm;
} TimeCache;

static _Thread_local TimeCache t_cache;

void util_time_init(void)
{
    tzset();
    atomic_fetch_add_explicit(&g_tz_generation, 1, memory_order_relaxed);
}

static bool local_tm(int64_t sec, struct tm *out)
{
    uint32_t gen = atomic_load_explicit(&g_tz_generation, memory_order_relaxed);
    if (t_cache.generation == gen && t_cache.sec == sec) {
        *out = t_cache.tm;
        return true;
    }
    time_t t = (time_t)sec;
    if ((int64_t)t != sec || localtime_r(&t, out) == NULL) {
        return false;
    }
    t_cache.generation = gen;
    t_cache.sec = sec;
    t_cache.tm = *out;
    return true;
}

static void normalise(int64_t *sec, uint32_t *usec)
{
    if (*usec >= 1000000u) {
        *sec += *usec / 1000000u;
        *usec %= 1000000u;
    }
}

static int finish(int n, size_t size)
{
    if (n < 0 || (size_t)n >= size) {
        return VG_ERANGE;
    }
    return n;
}

int util_time_format(char *buf, size_t size, int64_t sec, uint32_t usec)
{
    struct tm tm;
    normalise(&sec, &usec);
    if (!local_tm(sec, &tm)) {
        return VG_ERANGE;
    }
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) {
        off = -off;
    }
    int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06u%c%02ld%02ld",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (unsigned)usec, sign, off / 3600, off % 3600 / 60);
    return finish(n, size);
}

int util_time_format_fast_log(char *buf, size_t size, int64_t sec, uint32_t usec)
{
    struct tm tm;
    normalise(&sec, &usec);
    if (!local_tm(sec, &tm)) {
        return VG_ERANGE;
    }
    int n = snprintf(buf, size, "%02d/%02d/%04d-%02d:%02d:%02d.%06u", tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (unsigned)usec);
    return finish(n, size);
}
