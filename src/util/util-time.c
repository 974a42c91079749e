#include "util/util-time.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/util-error.h"

/* Bumped by util_time_init; a thread's cache is valid for one generation. */
static _Atomic uint32_t g_tz_generation = 1;

/* The last second this thread formatted, as its texts without the microseconds:
 * packets arrive in time order, so most records hit it and skip localtime_r and the
 * formatting (snprintf was ~2% of the CPU on the reference mix). The texts are made by
 * the very snprintf calls that formatted the whole once, so a hit gives the same bytes. */
typedef struct TimeCache {
    uint32_t generation;
    int64_t sec;
    bool is_valid;          // localtime_r succeeded for sec
    uint8_t iso_len;        // "YYYY-MM-DDTHH:MM:SS"
    uint8_t iso_tz_len;     // "+hhmm"
    uint8_t fast_len;       // "MM/DD/YYYY-HH:MM:SS"
    char iso[32];
    char iso_tz[16];
    char fast[32];
} TimeCache;

static _Thread_local TimeCache t_cache;

void util_time_init(void)
{
    tzset();
    atomic_fetch_add_explicit(&g_tz_generation, 1, memory_order_relaxed);
}

/* v in exactly n decimal digits (v < 10^n). */
static char *put_digits(char *o, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        o[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return o + n;
}

/* The cache for sec (filled on a miss); NULL when the time has no local form. */
static const TimeCache *cached(int64_t sec)
{
    uint32_t gen = atomic_load_explicit(&g_tz_generation, memory_order_relaxed);
    TimeCache *c = &t_cache;
    if (c->generation == gen && c->sec == sec) {
        return c->is_valid ? c : NULL;
    }
    c->generation = gen;
    c->sec = sec;
    c->is_valid = false;
    time_t t = (time_t)sec;
    struct tm tm;
    if ((int64_t)t != sec || localtime_r(&t, &tm) == NULL) {
        return NULL;
    }
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) {
        off = -off;
    }
    int year = tm.tm_year + 1900;
    if (year >= 0 && year <= 9999 && off < 100 * 3600 && tm.tm_sec <= 60) {
        /* what the formats below print, digit by digit (records of flows end with the
         * flow's start time: the cache misses often, and snprintf was ~2% of the CPU) */
        char *o = c->iso;
        o = put_digits(o, (unsigned)year, 4);
        *o++ = '-';
        o = put_digits(o, (unsigned)tm.tm_mon + 1, 2);
        *o++ = '-';
        o = put_digits(o, (unsigned)tm.tm_mday, 2);
        *o++ = 'T';
        o = put_digits(o, (unsigned)tm.tm_hour, 2);
        *o++ = ':';
        o = put_digits(o, (unsigned)tm.tm_min, 2);
        *o++ = ':';
        o = put_digits(o, (unsigned)tm.tm_sec, 2);
        *o = '\0';
        c->iso_len = (uint8_t)(o - c->iso);
        o = c->iso_tz;
        *o++ = sign;
        o = put_digits(o, (unsigned)(off / 3600), 2);
        o = put_digits(o, (unsigned)(off % 3600 / 60), 2);
        *o = '\0';
        c->iso_tz_len = (uint8_t)(o - c->iso_tz);
        o = c->fast;
        memcpy(o, c->iso + 5, 2);          // MM
        o[2] = '/';
        memcpy(o + 3, c->iso + 8, 2);      // DD
        o[5] = '/';
        memcpy(o + 6, c->iso, 4);          // YYYY
        o[10] = '-';
        memcpy(o + 11, c->iso + 11, 8);    // HH:MM:SS
        o[19] = '\0';
        c->fast_len = 19;
        c->is_valid = true;
        return c;
    }
    int a = snprintf(c->iso, sizeof(c->iso), "%04d-%02d-%02dT%02d:%02d:%02d", year,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    int b = snprintf(c->iso_tz, sizeof(c->iso_tz), "%c%02ld%02ld", sign, off / 3600,
                     off % 3600 / 60);
    int f = snprintf(c->fast, sizeof(c->fast), "%02d/%02d/%04d-%02d:%02d:%02d", tm.tm_mon + 1,
                     tm.tm_mday, year, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (a < 0 || (size_t)a >= sizeof(c->iso) || b < 0 || (size_t)b >= sizeof(c->iso_tz) ||
        f < 0 || (size_t)f >= sizeof(c->fast)) {
        return NULL;   // (not for any year an int holds: 11 digits at most)
    }
    c->iso_len = (uint8_t)a;
    c->iso_tz_len = (uint8_t)b;
    c->fast_len = (uint8_t)f;
    c->is_valid = true;
    return c;
}

/* head, '.', usec in 6 digits (usec < 1000000), tail, '\0' into buf; the length, or
 * VG_ERANGE when it does not fit (as snprintf would have been cut). */
static int assemble(char *buf, size_t size, const char *head, size_t head_len, uint32_t usec,
                    const char *tail, size_t tail_len)
{
    size_t n = head_len + 7 + tail_len;
    if (n >= size) {
        return VG_ERANGE;
    }
    memcpy(buf, head, head_len);
    char *o = buf + head_len;
    *o++ = '.';
    for (int i = 5; i >= 0; i--) {
        o[i] = (char)('0' + usec % 10);
        usec /= 10;
    }
    o += 6;
    memcpy(o, tail, tail_len);
    o[tail_len] = '\0';
    return (int)n;
}

static void normalise(int64_t *sec, uint32_t *usec)
{
    if (*usec >= 1000000u) {
        *sec += *usec / 1000000u;
        *usec %= 1000000u;
    }
}

int util_time_format(char *buf, size_t size, int64_t sec, uint32_t usec)
{
    normalise(&sec, &usec);
    const TimeCache *c = cached(sec);
    if (c == NULL) {
        return VG_ERANGE;
    }
    return assemble(buf, size, c->iso, c->iso_len, usec, c->iso_tz, c->iso_tz_len);
}

int util_time_format_fast_log(char *buf, size_t size, int64_t sec, uint32_t usec)
{
    normalise(&sec, &usec);
    const TimeCache *c = cached(sec);
    if (c == NULL) {
        return VG_ERANGE;
    }
    return assemble(buf, size, c->fast, c->fast_len, usec, "", 0);
}

void util_deadline_after_ms(struct timespec *out, uint32_t ms)
{
    clock_gettime(CLOCK_REALTIME, out);
    out->tv_sec += ms / 1000;
    out->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (out->tv_nsec >= 1000000000L) {
        out->tv_sec++;
        out->tv_nsec -= 1000000000L;
    }
}
