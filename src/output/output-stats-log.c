/* stats.log: the text table Suricata writes every stats interval. */

#include "output/output.h"

#include <inttypes.h>
#include <time.h>

#include "runtime/counters.h"
#include "util/util-error.h"

/* 99 dashes, as wide as Suricata's separator lines. */
static const char stats_log_rule[] =
    "---------------------------------------------------------------------------------------"
    "------------\n";

static int write_header(FILE *out, int64_t sec, uint64_t uptime_sec)
{
    struct tm tm;
    time_t t = (time_t)sec;
    if ((int64_t)t != sec || localtime_r(&t, &tm) == NULL) {
        return VG_EINVAL;
    }
    uint64_t days = uptime_sec / 86400;
    unsigned hours = (unsigned)(uptime_sec % 86400 / 3600);
    unsigned mins = (unsigned)(uptime_sec % 3600 / 60);
    unsigned secs = (unsigned)(uptime_sec % 60);
    fputs(stats_log_rule, out);
    fprintf(out, "Date: %d/%d/%04d -- %02d:%02d:%02d (uptime: %" PRIu64 "d, %02uh %02um %02us)\n",
            tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
            days, hours, mins, secs);
    fputs(stats_log_rule, out);
    fprintf(out, "%-60s | %-25s | %-s\n", "Counter", "TM Name", "Value");
    fputs(stats_log_rule, out);
    return 0;
}

int output_stats_log_write(FILE *out, int64_t sec, uint64_t uptime_sec, const uint64_t *merged,
                           bool include_zeros)
{
    if (write_header(out, sec, uptime_sec) != 0) {
        return VG_EINVAL;
    }
    CounterId n = counters_count();
    for (CounterId id = 0; id < n; id++) {
        const char *name = counters_name(id);
        if (name == NULL || (merged[id] == 0 && !include_zeros)) {
            continue;
        }
        fprintf(out, "%-60s | %-25s | %" PRIu64 "\n", name, "Total", merged[id]);
    }
    if (fflush(out) != 0 || ferror(out)) {
        clearerr(out);
        return VG_EIO;
    }
    return 0;
}
