/* The unix-socket runmode: the control socket served by the main thread, and
 * the queued captures read one at a time, each by a child process.
 *
 * Why a child per capture: every capture starts from the same engine state
 * (rules, datasets and settings as loaded once at start-up, no flows, no
 * fragments, counters at zero, the packet clock unset), so its outputs are
 * those `vigil -r FILE -l DIR` writes, whatever was read before; and a
 * capture that crashes the reader does not take the server down. This
 * process never runs a packet thread: it is single-threaded, so fork is
 * safe, and a rule reload swaps the rule set at once for the next capture. */
#include "engine-socket-mode.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "acquire/acquire.h"
#include "control/control-pcap.h"
#include "control/control.h"
#include "engine-setup.h"
#include "util/util-log.h"

#define CONTINUOUS_SEEN_MAX 65536u // names remembered per watched directory
#define CONTINUOUS_SETTLE_SEC 1    // a new capture is read once unchanged this long
#define INTERRUPT_GRACE_SEC 3      // an interrupted reader gets this long to flush and end

typedef struct Runner {
    Engine *engine;
    int (*run_capture)(Engine *e);
    ControlPcapJob job;          // the current job (path NULL: none)
    pid_t pid;                   // the child reading a capture, or 0
    char reading[PATH_MAX];      // what the child reads
    bool is_interrupted;         // the child was told to stop
    time_t kill_at;              // ... and is killed if still there then
    char **seen;                 // continuous: names already read (sorted)
    size_t n_seen;
    time_t next_scan;            // continuous: when to look at the directory again
} Runner;

static int64_t mtime_ms(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return 0;
    }
    return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

static void seen_free(Runner *r)
{
    for (size_t i = 0; i < r->n_seen; i++) {
        free(r->seen[i]);
    }
    free(r->seen);
    r->seen = NULL;
    r->n_seen = 0;
}

static void job_end(Runner *r, const char *why)
{
    if (r->job.path != NULL) {
        VG_NOTICE("pcap-file %s: %s", r->job.path, why);
    }
    control_pcap_job_deinit(&r->job);
    control_pcap_set_current(NULL);
    seen_free(r);
}

/* The child: the engine as the parent holds it, outputs in out_dir. */
static void child_run(Runner *r, const char *path, const char *out_dir)
{
    Engine *e = r->engine;
    engine_control_detach();
    e->opts.pcap_path = path;
    e->opts.log_dir = out_dir;
    atomic_store(&e->reload_rules, false);
    int rc = engine_setup_outputs(e);
    if (rc == 0) {
        rc = r->run_capture(e);
    }
    engine_teardown(e);
    fflush(NULL);
    _exit(rc);
}

static int start_child(Runner *r, const char *path)
{
    snprintf(r->reading, sizeof(r->reading), "%s", path);
    r->is_interrupted = false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        VG_ERROR("pcap-file %s: cannot start a reader process: %s", path, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        child_run(r, r->reading, r->job.out_dir);
    }
    r->pid = pid;
    control_pcap_set_current(path);
    VG_NOTICE("pcap-file %s: reading (outputs in %s)", path, r->job.out_dir);
    return 0;
}

/* A directory job read whole, with delete-when-done: its captures go. */
static void delete_read(const char *path)
{
    char **files = NULL;
    size_t n = acquire_list_files(path, &files);
    for (size_t i = 0; i < n; i++) {
        if (unlink(files[i]) != 0) {
            VG_WARN("%s: delete-when-done: cannot remove: %s", files[i], strerror(errno));
        }
    }
    acquire_files_free(files, n);
}

/* The child ended: outcome, pcap-last-processed, delete-when-done. */
static void child_reaped(Runner *r, int status)
{
    r->pid = 0;
    bool is_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !r->is_interrupted;
    if (r->is_interrupted) {
        VG_NOTICE("pcap-file %s: interrupted", r->reading);
    } else if (!is_ok) {
        if (WIFSIGNALED(status)) {
            VG_ERROR("pcap-file %s: the reader died of signal %d", r->reading,
                     WTERMSIG(status));
        } else {
            VG_ERROR("pcap-file %s: the reader failed (exit %d; see the log above)", r->reading,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
    } else {
        VG_NOTICE("pcap-file %s: done", r->reading);
        struct stat st;
        bool is_dir = stat(r->reading, &st) == 0 && S_ISDIR(st.st_mode);
        int64_t ms = is_dir ? 0 : mtime_ms(r->reading);
        if (is_dir) {
            char **files = NULL;
            size_t n = acquire_list_files(r->reading, &files);
            for (size_t i = 0; i < n; i++) {
                int64_t m = mtime_ms(files[i]);
                ms = m > ms ? m : ms;
            }
            acquire_files_free(files, n);
        }
        control_pcap_note_processed(ms);
        if (r->job.is_delete_when_done) {
            if (is_dir) {
                delete_read(r->reading);
            } else if (unlink(r->reading) != 0) {
                VG_WARN("%s: delete-when-done: cannot remove: %s", r->reading, strerror(errno));
            }
        }
    }
    if (!r->job.is_continuous || r->is_interrupted) {
        job_end(r, r->is_interrupted ? "job ended (interrupted)" : "job ended");
    } else {
        control_pcap_set_current(r->job.path); // watching the directory again
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_seen(const Runner *r, const char *name)
{
    return r->n_seen > 0 &&
           bsearch(&name, r->seen, r->n_seen, sizeof(char *), cmp_str) != NULL;
}

/* Continuous: the first capture of the directory (by name) not read yet and
 * left unchanged for a second, into path. */
static bool continuous_next(Runner *r, char *path, size_t size)
{
    time_t now = time(NULL);
    if (now < r->next_scan) {
        return false;
    }
    DIR *d = opendir(r->job.path);
    if (d == NULL) {
        VG_WARN("pcap-file-continuous %s: %s", r->job.path, strerror(errno));
        r->next_scan = now + 1;
        return false;
    }
    char best[NAME_MAX + 1] = "";
    bool is_waiting = false;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char full[PATH_MAX];
        struct stat st;
        if (de->d_name[0] == '.' || is_seen(r, de->d_name) ||
            snprintf(full, sizeof(full), "%s/%s", r->job.path, de->d_name) >= (int)sizeof(full) ||
            stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        if (st.st_mtime > now - CONTINUOUS_SETTLE_SEC) {
            is_waiting = true; // still being written, perhaps
            continue;
        }
        if (best[0] == '\0' || strcmp(de->d_name, best) < 0) {
            snprintf(best, sizeof(best), "%s", de->d_name);
        }
    }
    closedir(d);
    if (best[0] == '\0') {
        r->next_scan = now + (is_waiting ? 0 : 1);
        return false;
    }
    if (r->n_seen >= CONTINUOUS_SEEN_MAX) {
        VG_WARN("pcap-file-continuous %s: %u captures read: forgetting the oldest names",
                r->job.path, CONTINUOUS_SEEN_MAX);
        seen_free(r);
    }
    char **seen = realloc(r->seen, (r->n_seen + 1) * sizeof(char *));
    char *name = strdup(best);
    if (seen == NULL || name == NULL) {
        free(name);
        if (seen != NULL) {
            r->seen = seen;
        }
        return false;
    }
    r->seen = seen;
    r->seen[r->n_seen++] = name;
    qsort(r->seen, r->n_seen, sizeof(char *), cmp_str);
    snprintf(path, size, "%s/%s", r->job.path, best);
    return true;
}

/* Nothing being read: start the next capture, if any. */
static void advance(Runner *r)
{
    if (r->job.path == NULL) {
        if (!control_pcap_next(&r->job)) {
            return;
        }
        control_pcap_set_current(r->job.path);
        r->next_scan = 0;
        if (!r->job.is_continuous) {
            if (start_child(r, r->job.path) != 0) {
                job_end(r, "not read");
            }
            return;
        }
        VG_NOTICE("pcap-file-continuous %s: watching for captures (outputs in %s)", r->job.path,
                  r->job.out_dir);
    }
    char path[PATH_MAX];
    if (continuous_next(r, path, sizeof(path)) && start_child(r, path) != 0) {
        job_end(r, "stopped: cannot start a reader");
    }
}

static void stop_child(Runner *r, bool do_wait)
{
    if (r->pid <= 0) {
        return;
    }
    if (!r->is_interrupted) {
        r->is_interrupted = true;
        r->kill_at = time(NULL) + INTERRUPT_GRACE_SEC;
        (void)kill(r->pid, SIGTERM);
    }
    if (do_wait) {
        int status = 0;
        for (int i = 0; i < INTERRUPT_GRACE_SEC * 20; i++) {
            if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
                child_reaped(r, status);
                return;
            }
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
        VG_WARN("pcap-file %s: the reader did not stop within %d s: killed", r->reading,
                INTERRUPT_GRACE_SEC);
        (void)kill(r->pid, SIGKILL);
        while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {
        }
        child_reaped(r, status);
    }
}

int engine_socket_mode_run(Engine *e, int (*run_capture)(Engine *e))
{
    ControlServer *cs = engine_control_open(e);
    if (cs == NULL) {
        return 1;
    }
    control_pcap_enable();
    Runner r = {.engine = e, .run_capture = run_capture};
    VG_NOTICE("unix-socket runmode: waiting for captures (pcap-file) on the control socket");
    while (!atomic_load(&e->stop)) {
        control_server_poll(cs, 50);
        if (atomic_exchange(&e->reload_rules, false)) {
            (void)engine_reload_rules(e, true); // no thread of this process inspects
        }
        if (control_pcap_take_interrupt()) {
            if (r.pid > 0) {
                stop_child(&r, false);
            } else {
                job_end(&r, "job ended (interrupted)");
            }
        }
        int status = 0;
        if (r.pid > 0 && waitpid(r.pid, &status, WNOHANG) == r.pid) {
            child_reaped(&r, status);
        } else if (r.pid > 0 && r.is_interrupted && time(NULL) >= r.kill_at) {
            /* SIGTERM is seen by the reader at its next packet: one blocked
             * on a quiet FIFO or socket never comes back. */
            VG_WARN("pcap-file %s: the reader did not stop within %d s: killed (its outputs "
                    "may end mid-record)", r.reading, INTERRUPT_GRACE_SEC);
            (void)kill(r.pid, SIGKILL);
            r.kill_at = time(NULL) + 3600;
        }
        if (r.pid == 0) {
            advance(&r);
        }
    }
    stop_child(&r, true);
    job_end(&r, "job ended (shutdown)");
    control_server_stop_clients(cs);
    control_pcap_clear();
    VG_NOTICE("unix-socket runmode: shut down");
    return 0;
}
