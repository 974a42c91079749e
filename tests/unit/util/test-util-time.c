#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util/util-error.h"
#include "util/util-time.h"

/* 2009-07-03 12:34:56 UTC */
#define T_2009 1246624496

static int set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    util_time_init();
    return 0;
}

static int utc(void **state)
{
    (void)state;
    return set_tz("UTC");
}

static void time_formats_eve_timestamp_in_utc(void **state)
{
    (void)state;
    char buf[UTIL_TIME_ISO_SIZE];
    int n = util_time_format(buf, sizeof(buf), T_2009, 123456);
    assert_string_equal(buf, "2009-07-03T12:34:56.123456+0000");
    assert_int_equal(n, (int)strlen(buf));
}

static void time_formats_epoch_and_zero_usec(void **state)
{
    (void)state;
    char buf[UTIL_TIME_ISO_SIZE];
    util_time_format(buf, sizeof(buf), 0, 0);
    assert_string_equal(buf, "1970-01-01T00:00:00.000000+0000");
}

static void time_carries_oversized_usec_into_seconds(void **state)
{
    (void)state;
    char buf[UTIL_TIME_ISO_SIZE];
    util_time_format(buf, sizeof(buf), T_2009, 2500000);
    assert_string_equal(buf, "2009-07-03T12:34:58.500000+0000");
}

static void time_formats_fast_log_timestamp(void **state)
{
    (void)state;
    char buf[UTIL_TIME_FAST_LOG_SIZE];
    int n = util_time_format_fast_log(buf, sizeof(buf), T_2009, 123456);
    assert_string_equal(buf, "07/03/2009-12:34:56.123456");
    assert_int_equal(n, (int)strlen(buf));
}

static void time_rejects_small_buffer(void **state)
{
    (void)state;
    char buf[10];
    assert_int_equal(util_time_format(buf, sizeof(buf), T_2009, 0), VG_ERANGE);
    assert_int_equal(util_time_format_fast_log(buf, sizeof(buf), T_2009, 0), VG_ERANGE);
}

static void time_uses_numeric_offset_of_local_zone(void **state)
{
    (void)state;
    char buf[UTIL_TIME_ISO_SIZE];
    set_tz("XYZ-5:30");  // POSIX TZ: 5h30 east of UTC, no DST
    util_time_format(buf, sizeof(buf), T_2009, 1);
    assert_string_equal(buf, "2009-07-03T18:04:56.000001+0530");
    set_tz("ABC+3");
    util_time_format(buf, sizeof(buf), T_2009, 1);
    assert_string_equal(buf, "2009-07-03T09:34:56.000001-0300");
    set_tz("UTC");
}

static void time_cache_follows_zone_change_for_same_second(void **state)
{
    (void)state;
    char a[UTIL_TIME_ISO_SIZE];
    char b[UTIL_TIME_ISO_SIZE];
    util_time_format(a, sizeof(a), T_2009, 0);
    set_tz("XYZ-1");
    util_time_format(b, sizeof(b), T_2009, 0);
    set_tz("UTC");
    assert_string_equal(a, "2009-07-03T12:34:56.000000+0000");
    assert_string_equal(b, "2009-07-03T13:34:56.000000+0100");
}

/* The cached texts give what one snprintf of the whole gives, for seconds met in any
 * order (hits and misses) and in a zone with a negative offset; a buffer one byte short
 * is refused, an exact one is not. */
static void time_matches_direct_formatting(void **state)
{
    (void)state;
    set_tz("ABC+3:30");
    static const int64_t secs[] = {T_2009, T_2009, T_2009 + 1, T_2009, 0, 86399, T_2009 + 1,
                                   4102444800, -1, 253402300800};   // (year 10000: snprintf)
    for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
        for (uint32_t usec = 0; usec < 1000000u; usec += 99991u) {
            time_t t = (time_t)secs[i];
            struct tm tm;
            assert_non_null(localtime_r(&t, &tm));
            long off = -tm.tm_gmtoff;
            char want[64];
            char got[UTIL_TIME_ISO_SIZE];
            int wn = snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%06u-%02ld%02ld",
                              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                              tm.tm_min, tm.tm_sec, (unsigned)usec, off / 3600, off % 3600 / 60);
            assert_int_equal(util_time_format(got, sizeof(got), secs[i], usec), wn);
            assert_string_equal(got, want);
            assert_int_equal(util_time_format(got, (size_t)wn, secs[i], usec), VG_ERANGE);
            assert_int_equal(util_time_format(got, (size_t)wn + 1, secs[i], usec), wn);
            wn = snprintf(want, sizeof(want), "%02d/%02d/%04d-%02d:%02d:%02d.%06u", tm.tm_mon + 1,
                          tm.tm_mday, tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                          (unsigned)usec);
            assert_int_equal(util_time_format_fast_log(got, sizeof(got), secs[i], usec), wn);
            assert_string_equal(got, want);
        }
    }
    set_tz("UTC");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_formats_eve_timestamp_in_utc),
        cmocka_unit_test(time_formats_epoch_and_zero_usec),
        cmocka_unit_test(time_carries_oversized_usec_into_seconds),
        cmocka_unit_test(time_formats_fast_log_timestamp),
        cmocka_unit_test(time_rejects_small_buffer),
        cmocka_unit_test(time_uses_numeric_offset_of_local_zone),
        cmocka_unit_test(time_cache_follows_zone_change_for_same_second),
        cmocka_unit_test(time_matches_direct_formatting),
    };
    return cmocka_run_group_tests(tests, utc, NULL);
}
