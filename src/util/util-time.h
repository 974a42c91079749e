#ifndef VG_UTIL_UTIL_TIME_H
#define VG_UTIL_UTIL_TIME_H

/* Timestamps as the logs print them, in local time like Suricata.
 * Any thread: each thread caches the last second it formatted. */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define UTIL_TIME_ISO_SIZE 40        // enough for util_time_format and its '\0'
#define UTIL_TIME_FAST_LOG_SIZE 40   // enough for util_time_format_fast_log

/* Re-read the TZ setting (tzset) and drop every thread's cached second.
 * Call after changing TZ (start-up, tests). */
void util_time_init(void);

/* EVE: "2009-07-03T12:34:56.123456+0000" (local time, numeric UTC offset).
 * usec values of a second or more carry into sec. Returns the length
 * written (without the '\0'), or VG_ERANGE when size is too small or the
 * time cannot be represented. */
int util_time_format(char *buf, size_t size, int64_t sec, uint32_t usec);

/* fast.log: "07/03/2009-12:34:56.123456" (local time). Same returns. */
int util_time_format_fast_log(char *buf, size_t size, int64_t sec, uint32_t usec);

/* The CLOCK_REALTIME moment ms milliseconds from now, as pthread_cond_timedwait
 * takes its deadline. */
void util_deadline_after_ms(struct timespec *out, uint32_t ms);

#endif
