#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    };
    return cmocka_run_group_tests(tests, utc, NULL);
}
