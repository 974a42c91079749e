/* --progress: packets, bytes, share of the capture read, rates, alerts, ETA.
 *
 * The share of the capture is an estimate from the counters: the bytes of
 * the packets decoded plus the pcap record headers (16 bytes a packet, 24 a
 * file) against the size of the capture files; exact for classic pcap,
 * a little low for pcapng (larger block headers). A FIFO has no size: no %. */
#include "engine-progress.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acquire/acquire.h"
#include "output/output-module.h"
#include "runtime/counters.h"

#define PROGRESS_TTY_MS 250
#define PROGRESS_LOG_MS 10000

static struct {
    bool is_on;                  // main thread at start-up, then read-only
    bool is_tty;
    uint64_t total_bytes;        // 0: unknown
    uint64_t n_files;
    double start;                // monotonic seconds at setup
    double last;                 // CS#01 only
} g_prog;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void engine_progress_enable(void)
{
    g_prog.is_on = true;
}

void engine_progress_setup(const Engine *e)
{
    g_prog.is_tty = isatty(STDERR_FILENO) == 1;
    /* On by itself on a terminal (--quiet silences it), or asked for. */
    bool is_auto = g_prog.is_tty && e->opts.verbose >= 0 && !e->opts.daemon;
    if ((!g_prog.is_on && !is_auto) || e->opts.pcap_path == NULL) {
        g_prog.is_on = false;
        return;
    }
    g_prog.is_on = true;
    char **files = NULL;
    size_t n = acquire_list_files(e->opts.pcap_path, &files);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(files[i], &st) == 0 && S_ISREG(st.st_mode)) {
            g_prog.total_bytes += (uint64_t)st.st_size;
        }
    }
    g_prog.n_files = n;
    acquire_files_free(files, n);
    g_prog.start = mono();
    g_prog.last = g_prog.start;
}

static uint64_t counter(const uint64_t *m, const char *name)
{
    CounterId id;
    return counters_find(name, &id) ? m[id] : 0;
}

static void print_line(const Engine *e, double now, bool is_final)
{
    CounterId n = counters_count();
    uint64_t *m = calloc(n ? n : 1, sizeof(uint64_t));
    if (m == NULL) {
        return;
    }
    counters_merge(m);
    uint64_t pkts = counter(m, "decoder.pkts");
    uint64_t bytes = counter(m, "decoder.bytes");
    uint64_t files = counter(m, "capture.pcap.files");
    free(m);
    char file_part[64] = "";
    if (g_prog.n_files > 1) {
        /* The file being read: opened ones, the last of them still going. */
        snprintf(file_part, sizeof(file_part), "file %" PRIu64 "/%" PRIu64 ", ",
                 files > 0 ? files : 1, g_prog.n_files);
    }
    const OutputCtx *oc = e->output;
    uint64_t alerts = oc != NULL ? atomic_load(&oc->n_alerts) : 0;
    double secs = now - g_prog.start > 1e-6 ? now - g_prog.start : 1e-6;
    char share[64] = "";
    if (g_prog.total_bytes > 0) {
        double done = (double)(bytes + 16 * pkts + 24 * g_prog.n_files);
        double pct = 100.0 * done / (double)g_prog.total_bytes;
        pct = pct > 100.0 ? 100.0 : pct;
        double rate = done / secs;
        double eta = rate > 0 && done < (double)g_prog.total_bytes
                         ? ((double)g_prog.total_bytes - done) / rate
                         : 0;
        snprintf(share, sizeof(share), ", %.1f%% of %.1f MB, ETA %.0f s", pct,
                 (double)g_prog.total_bytes / 1e6, is_final ? 0.0 : eta);
    }
    fprintf(stderr, "%sprogress: %s%" PRIu64 " packets, %.1f MB%s, %.0f pkts/s, %" PRIu64
            " alerts, %.1f s%s",
            g_prog.is_tty ? "\r\033[K" : "", file_part, pkts, (double)bytes / 1e6, share,
            (double)pkts / secs, alerts, secs, g_prog.is_tty && !is_final ? "" : "\n");
    fflush(stderr);
}

void engine_progress_tick(const Engine *e, bool is_final)
{
    if (!g_prog.is_on) {
        return;
    }
    double now = mono();
    double every = (g_prog.is_tty ? PROGRESS_TTY_MS : PROGRESS_LOG_MS) / 1000.0;
    if (!is_final && now - g_prog.last < every) {
        return;
    }
    g_prog.last = now;
    print_line(e, now, is_final);
}
