#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/output.h"
#include "runtime/counters.h"
#include "util/util-time.h"

/* 2009-07-03 12:34:56 UTC */
#define T_2009 1246624496

/* 99 dashes */
#define RULE                                                                                  \
    "--------------------------------------------------"                                      \
    "-------------------------------------------------\n"

static int setup(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    util_time_init();
    counters_reset();
    counters_register("decoder.pkts", COUNTER_SUM);
    counters_register("decoder.invalid", COUNTER_SUM);
    counters_register("flow.memuse", COUNTER_GAUGE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    counters_reset();
    return 0;
}

static char *render(uint64_t uptime, const uint64_t *merged, bool zeros)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(output_stats_log_write(f, T_2009, uptime, merged, zeros), 0);
    fclose(f);
    return buf;
}

static void stats_log_layout_matches_suricata(void **state)
{
    (void)state;
    const uint64_t merged[] = { 1234, 0, 4096 };
    char *s = render(93784, merged, false);  // 1d 02h 03m 04s
    assert_string_equal(s,
        RULE
        "Date: 7/3/2009 -- 12:34:56 (uptime: 1d, 02h 03m 04s)\n"
        RULE
        "Counter                                                      "
        "| TM Name                   | Value\n"
        RULE
        "decoder.pkts                                                 "
        "| Total                     | 1234\n"
        "flow.memuse                                                  "
        "| Total                     | 4096\n");
    free(s);
}

static void stats_log_includes_zeros_when_asked(void **state)
{
    (void)state;
    const uint64_t merged[] = { 1, 0, 0 };
    char *s = render(0, merged, true);
    assert_non_null(strstr(s, "(uptime: 0d, 00h 00m 00s)\n"));
    assert_non_null(strstr(s, "\ndecoder.invalid                                              "
                              "| Total                     | 0\n"));
    assert_non_null(strstr(s, "\nflow.memuse "));
    free(s);
}

static void stats_log_long_names_are_not_cut(void **state)
{
    (void)state;
    counters_reset();
    const char *name = "app_layer.flow.a_very_long_protocol_name_that_passes_sixty_characters";
    counters_register(name, COUNTER_SUM);
    const uint64_t merged[] = { 5 };
    char *s = render(0, merged, false);
    char want[160];
    snprintf(want, sizeof(want), "%s | Total                     | 5\n", name);
    assert_non_null(strstr(s, want));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stats_log_layout_matches_suricata, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_log_includes_zeros_when_asked, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_log_long_names_are_not_cut, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
