/* The pcap-file queue of the unix-socket runmode: captures queued through
 * the control socket (pcap-file, pcap-file-continuous), read one after
 * another by engine-socket-mode.c, and the commands that show or interrupt
 * the queue.
 *
 * Threads: in the unix-socket runmode the main thread both serves the socket
 * and runs the queue, so nothing here is shared between threads. In the other
 * runmodes the commands answer NOK (is_enabled is written once, at start-up,
 * before any thread starts). */
#include "control/control-pcap.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "control/control-internal.h"
#include "util/util-json-parse.h"

#define PCAP_QUEUE_MAX 4096      // captures waiting; one more is refused

static struct {
    bool is_enabled;             // the unix-socket runmode runs the queue
    ControlPcapJob *jobs;        // waiting, in order: jobs[head .. head + n)
    size_t head;
    size_t n;
    size_t cap;
    char current[PATH_MAX];      // "" when idle
    int64_t last_processed_ms;
    bool is_interrupt;           // pcap-interrupt asked, not yet taken
} g_pq;

void control_pcap_enable(void)
{
    g_pq.is_enabled = true;
}

bool control_pcap_is_enabled(void)
{
    return g_pq.is_enabled;
}

void control_pcap_job_deinit(ControlPcapJob *job)
{
    free(job->path);
    free(job->out_dir);
    memset(job, 0, sizeof(*job));
}

bool control_pcap_next(ControlPcapJob *job)
{
    if (g_pq.n == 0) {
        return false;
    }
    *job = g_pq.jobs[g_pq.head];
    g_pq.head++;
    g_pq.n--;
    if (g_pq.n == 0) {
        g_pq.head = 0;
    }
    return true;
}

void control_pcap_set_current(const char *path)
{
    snprintf(g_pq.current, sizeof(g_pq.current), "%s", path != NULL ? path : "");
}

void control_pcap_note_processed(int64_t mtime_ms)
{
    if (mtime_ms > g_pq.last_processed_ms) {
        g_pq.last_processed_ms = mtime_ms;
    }
}

bool control_pcap_take_interrupt(void)
{
    bool was = g_pq.is_interrupt;
    g_pq.is_interrupt = false;
    return was;
}

void control_pcap_clear(void)
{
    for (size_t i = 0; i < g_pq.n; i++) {
        control_pcap_job_deinit(&g_pq.jobs[g_pq.head + i]);
    }
    free(g_pq.jobs);
    memset(&g_pq, 0, sizeof(g_pq));
}

static bool is_enabled_or_nok(JsonBuf *out, const char *cmd)
{
    if (g_pq.is_enabled) {
        return true;
    }
    char msg[200];
    snprintf(msg, sizeof(msg), "%s: only in the unix-socket runmode (vigil --unix-socket with no "
             "capture source)", cmd);
    control_answer_nok(out, msg);
    return false;
}

/* A flag argument: a JSON boolean, or a word (vigilctl and suricatasc send
 * strings): true/yes/1 or the flag's own name. */
static bool arg_flag(const JsonValue *args, const char *key, bool *out)
{
    const JsonValue *v = json_object_get(args, key);
    *out = false;
    if (v == NULL || v->type == JSON_T_NULL) {
        return true;
    }
    if (v->type == JSON_T_BOOL) {
        *out = v->b;
        return true;
    }
    if (v->type != JSON_T_STRING && v->type != JSON_T_NUMBER) {
        return false;
    }
    if (strcmp(v->str, key) == 0) {
        *out = true;
        return true;
    }
    return conf_parse_bool(v->str, out);
}

static ControlResult pcap_file_add(const JsonValue *args, JsonBuf *out, bool is_continuous,
                                   const char *cmd)
{
    if (!is_enabled_or_nok(out, cmd)) {
        return CONTROL_DONE;
    }
    const char *file = json_object_get_str(args, "filename");
    const char *dir = json_object_get_str(args, "output-dir");
    char msg[PATH_MAX + 160];
    if (file == NULL || dir == NULL || file[0] == '\0' || dir[0] == '\0') {
        snprintf(msg, sizeof(msg), "%s needs the arguments 'filename' (a capture or a directory "
                 "of captures) and 'output-dir'", cmd);
        control_answer_nok(out, msg);
        return CONTROL_DONE;
    }
    const JsonValue *tenant = json_object_get(args, "tenant");
    if (tenant != NULL && tenant->type != JSON_T_NULL) {
        int64_t id = -1;
        bool ok = (tenant->type == JSON_T_NUMBER || tenant->type == JSON_T_STRING) &&
                  conf_parse_int(tenant->str, &id);
        if (!ok || id != 0) {
            control_answer_nok(out, "tenant: Vigil has no multi-tenancy (only tenant 0)");
            return CONTROL_DONE;
        }
    }
    bool is_delete = false;
    bool flag = false;
    if (!arg_flag(args, "delete-when-done", &is_delete) ||
        !arg_flag(args, "continuous", &flag)) {
        control_answer_nok(out, "'continuous' and 'delete-when-done' are true or false");
        return CONTROL_DONE;
    }
    is_continuous = is_continuous || flag;
    char path[PATH_MAX];
    char out_dir[PATH_MAX];
    struct stat st;
    if (realpath(file, path) == NULL || stat(path, &st) != 0 || access(path, R_OK) != 0) {
        snprintf(msg, sizeof(msg), "%.1024s: cannot read: %s", file, strerror(errno));
        control_answer_nok(out, msg);
        return CONTROL_DONE;
    }
    if (is_continuous && !S_ISDIR(st.st_mode)) {
        snprintf(msg, sizeof(msg), "%.1024s: continuous mode needs a directory", file);
        control_answer_nok(out, msg);
        return CONTROL_DONE;
    }
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        snprintf(msg, sizeof(msg), "%.1024s: not a file, a FIFO or a directory", file);
        control_answer_nok(out, msg);
        return CONTROL_DONE;
    }
    if (realpath(dir, out_dir) == NULL || stat(out_dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
        access(out_dir, W_OK | X_OK) != 0) {
        snprintf(msg, sizeof(msg), "%.1024s: output-dir is not a writable directory", dir);
        control_answer_nok(out, msg);
        return CONTROL_DONE;
    }
    if (g_pq.n >= PCAP_QUEUE_MAX) {
        control_answer_nok(out, "the queue is full (4096 captures waiting)");
        return CONTROL_DONE;
    }
    if (g_pq.head + g_pq.n == g_pq.cap) {
        if (g_pq.head > 0) {
            memmove(g_pq.jobs, g_pq.jobs + g_pq.head, g_pq.n * sizeof(*g_pq.jobs));
            g_pq.head = 0;
        } else {
            size_t cap = g_pq.cap ? g_pq.cap * 2 : 16;
            ControlPcapJob *jobs = realloc(g_pq.jobs, cap * sizeof(*jobs));
            if (jobs == NULL) {
                control_answer_nok(out, "out of memory");
                return CONTROL_DONE;
            }
            g_pq.jobs = jobs;
            g_pq.cap = cap;
        }
    }
    ControlPcapJob job = {.path = strdup(path), .out_dir = strdup(out_dir),
                          .is_continuous = is_continuous, .is_delete_when_done = is_delete};
    if (job.path == NULL || job.out_dir == NULL) {
        control_pcap_job_deinit(&job);
        control_answer_nok(out, "out of memory");
        return CONTROL_DONE;
    }
    g_pq.jobs[g_pq.head + g_pq.n++] = job;
    json_buf_reset(out);
    json_open_object(out, NULL);
    json_str(out, "return", "OK");
    json_str(out, "message", "Successfully added file to list");
    json_close_object(out);
    return CONTROL_DONE;
}

ControlResult control_cmd_pcap_file(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                    uint64_t *wait_gen)
{
    (void)ctx, (void)wait_gen;
    return pcap_file_add(args, out, false, "pcap-file");
}

ControlResult control_cmd_pcap_file_continuous(ControlCtx *ctx, const JsonValue *args,
                                               JsonBuf *out, uint64_t *wait_gen)
{
    (void)ctx, (void)wait_gen;
    return pcap_file_add(args, out, true, "pcap-file-continuous");
}

static void answer_open(JsonBuf *out)
{
    json_buf_reset(out);
    json_open_object(out, NULL);
    json_str(out, "return", "OK");
}

ControlResult control_cmd_pcap_file_number(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                           uint64_t *wait_gen)
{
    (void)ctx, (void)args, (void)wait_gen;
    if (is_enabled_or_nok(out, "pcap-file-number")) {
        answer_open(out);
        json_u64(out, "message", g_pq.n);
        json_close_object(out);
    }
    return CONTROL_DONE;
}

ControlResult control_cmd_pcap_file_list(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                         uint64_t *wait_gen)
{
    (void)ctx, (void)args, (void)wait_gen;
    if (!is_enabled_or_nok(out, "pcap-file-list")) {
        return CONTROL_DONE;
    }
    answer_open(out);
    json_open_object(out, "message");
    json_u64(out, "count", g_pq.n);
    json_open_array(out, "files");
    for (size_t i = 0; i < g_pq.n; i++) {
        json_str(out, NULL, g_pq.jobs[g_pq.head + i].path);
    }
    json_close_array(out);
    json_close_object(out);
    json_close_object(out);
    return CONTROL_DONE;
}

ControlResult control_cmd_pcap_current(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                       uint64_t *wait_gen)
{
    (void)ctx, (void)args, (void)wait_gen;
    if (is_enabled_or_nok(out, "pcap-current")) {
        answer_open(out);
        json_str(out, "message", g_pq.current[0] != '\0' ? g_pq.current : "None");
        json_close_object(out);
    }
    return CONTROL_DONE;
}

ControlResult control_cmd_pcap_last_processed(ControlCtx *ctx, const JsonValue *args,
                                              JsonBuf *out, uint64_t *wait_gen)
{
    (void)ctx, (void)args, (void)wait_gen;
    if (is_enabled_or_nok(out, "pcap-last-processed")) {
        answer_open(out);
        json_i64(out, "message", g_pq.last_processed_ms);
        json_close_object(out);
    }
    return CONTROL_DONE;
}

ControlResult control_cmd_pcap_interrupt(ControlCtx *ctx, const JsonValue *args, JsonBuf *out,
                                         uint64_t *wait_gen)
{
    (void)ctx, (void)args, (void)wait_gen;
    if (!is_enabled_or_nok(out, "pcap-interrupt")) {
        return CONTROL_DONE;
    }
    if (g_pq.current[0] == '\0') {
        control_answer_nok(out, "no capture is being processed");
        return CONTROL_DONE;
    }
    g_pq.is_interrupt = true;
    answer_open(out);
    json_str(out, "message", "Interrupted");
    json_close_object(out);
    return CONTROL_DONE;
}
