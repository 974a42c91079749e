/* Offline acquisition from pcap/pcapng files through libpcap. Packet
 * timestamps are the engine's clock. A truncated or corrupt file ends with
 * a warning; what was read so far is kept and the next file (if any) goes on. */
#include "acquire/acquire.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime.h"
#include "util/util-error.h"
#include "util/util-log.h"

typedef struct PcapFileThread {
    char **files;
    size_t n_files;
    uint64_t pcap_cnt;
    CounterId c_pkts;
    CounterId c_bytes;
    CounterId c_files;
    CounterId c_errors;
    CounterId c_cut;
    uint32_t max_caplen;         // max-packet-size, within the pool's buffers
    /* where reading stands (pcap_file_step) */
    size_t i_file;               // the file open now, or the next to open
    pcap_t *pc;                  // NULL: none open
    int linktype;
    uint64_t n_read;             // packets read from the open file
    uint64_t n_cut;
    size_t n_opened;             // files opened as captures
} PcapFileThread;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (s != NULL) {
        snprintf(s, n, "%s/%s", dir, name);
    }
    return s;
}

/* A growing list of paths. */
typedef struct PathList {
    char **v;
    size_t n;
    size_t cap;
    bool failed;                 // out of memory or an unreadable directory
} PathList;

static void path_list_add(PathList *pl, char *path)
{
    if (pl->n == pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 16;
        char **grown = realloc(pl->v, cap * sizeof(char *));
        if (grown == NULL) {
            free(path);
            pl->failed = true;
            return;
        }
        pl->v = grown;
        pl->cap = cap;
    }
    pl->v[pl->n++] = path;
}

/* Directory depth followed below -r DIR (bounds symlink loops too). */
#define ACQUIRE_DIR_DEPTH_MAX 16

/* The names in dir (hidden ones left out), sorted; NULL-safe on failure. */
static void read_names(const char *dir, PathList *names)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        VG_ERROR("%s: cannot open directory: %s", dir, strerror(errno));
        names->failed = true;
        return;
    }
    struct dirent *de;
    while (!names->failed && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char *name = strdup(de->d_name);
        if (name == NULL) {
            names->failed = true;
            break;
        }
        path_list_add(names, name);
    }
    closedir(d);
    if (names->n > 0) {
        qsort(names->v, names->n, sizeof(char *), cmp_str);
    }
}

/* Every regular file below dir, in name order, subdirectories walked where
 * they sort; other entries (sockets, devices) are skipped with a warning. */
static void walk_dir(const char *dir, int depth, PathList *out)
{
    PathList names = { 0 };
    read_names(dir, &names);
    out->failed = out->failed || names.failed;
    for (size_t i = 0; i < names.n && !out->failed; i++) {
        char *full = path_join(dir, names.v[i]);
        struct stat st;
        if (full == NULL) {
            out->failed = true;
        } else if (stat(full, &st) != 0) {
            VG_WARN("%s: cannot read: %s; skipping it", full, strerror(errno));
            free(full);
        } else if (S_ISDIR(st.st_mode) && depth >= ACQUIRE_DIR_DEPTH_MAX) {
            VG_WARN("%s: more than %d directories deep; skipping it", full,
                    ACQUIRE_DIR_DEPTH_MAX);
            free(full);
        } else if (S_ISDIR(st.st_mode)) {
            walk_dir(full, depth + 1, out);
            free(full);
        } else if (S_ISREG(st.st_mode)) {
            path_list_add(out, full);
        } else {
            VG_WARN("%s: not a regular file; skipping it", full);
            free(full);
        }
    }
    acquire_files_free(names.v, names.n);
}

static size_t list_dir(const char *path, char ***out)
{
    PathList pl = { 0 };
    walk_dir(path, 0, &pl);
    if (pl.failed || pl.n == 0) {
        if (!pl.failed) {
            VG_ERROR("%s: no capture files in directory", path);
        }
        acquire_files_free(pl.v, pl.n);
        return 0;
    }
    *out = pl.v;
    return pl.n;
}

size_t acquire_list_files(const char *path, char ***out)
{
    struct stat st;
    *out = NULL;
    if (stat(path, &st) != 0) {
        VG_ERROR("%s: cannot read capture: %s", path, strerror(errno));
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        return list_dir(path, out);
    }
    if (access(path, R_OK) != 0) {
        VG_ERROR("%s: cannot read capture: %s", path, strerror(errno));
        return 0;
    }
    char **files = malloc(sizeof(char *));
    if (files == NULL || (files[0] = strdup(path)) == NULL) {
        free(files);
        return 0;
    }
    *out = files;
    return 1;
}

void acquire_files_free(char **files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(files[i]);
    }
    free(files);
}

static int pcap_file_step(ThreadVars *tv, void *data, uint32_t max, int *result);

static int pcap_file_thread_init(ThreadVars *tv, void **data)
{
    PcapFileThread *pt = calloc(1, sizeof(*pt));
    if (pt == NULL) {
        return TM_FAILED;
    }
    /* The engine keeps the list (EVE pcap_filename of records written after
     * this thread ended); one reader lists it. */
    Engine *e = tv->engine;
    if (e->pcap_files == NULL) {
        e->n_pcap_files = acquire_list_files(e->opts.pcap_path, &e->pcap_files);
    }
    pt->files = e->pcap_files;
    pt->n_files = e->n_pcap_files;
    if (pt->n_files == 0) {
        free(pt);
        return TM_FAILED;
    }
    pt->c_pkts = counters_register("capture.pcap.pkts", COUNTER_SUM);
    pt->c_bytes = counters_register("capture.pcap.bytes", COUNTER_SUM);
    pt->c_files = counters_register("capture.pcap.files", COUNTER_SUM);
    pt->c_errors = counters_register("capture.pcap.read_errors", COUNTER_SUM);
    pt->c_cut = counters_register("capture.pcap.frames_cut", COUNTER_SUM);
    /* engine_setup checked the value and sized the pool's buffers for it. */
    uint32_t buf = packet_pool_buffer_size(tv->engine->pool);
    const Conf *conf = tv->engine->conf;
    uint64_t max = conf != NULL ? conf_size_or(conf, "max-packet-size", buf, NULL) : buf;
    pt->max_caplen = max < buf ? (uint32_t)max : buf;
    tv->acquire_step = pcap_file_step;
    *data = pt;
    return TM_OK;
}

/* Opens pt->files[pt->i_file]; false when it could not be opened as a capture. */
static bool open_file(ThreadVars *tv, PcapFileThread *pt)
{
    const char *file = pt->files[pt->i_file];
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pt->pc = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (pt->pc == NULL) {
        VG_WARN("%s: cannot open capture: %s; skipping it", file, errbuf);
        counters_incr(tv->counters, pt->c_errors);
        return false;
    }
    counters_incr(tv->counters, pt->c_files);
    pt->n_opened++;
    pt->linktype = pcap_datalink(pt->pc);
    atomic_store_explicit(&tv->engine->pcap_file_cur, pt->i_file + 1, memory_order_release);
    pt->n_read = 0;
    pt->n_cut = 0;
    return true;
}

/* The open file ended (rc: pcap_next_ex's last result): say so if it was cut short. */
static void close_file(ThreadVars *tv, PcapFileThread *pt, int rc)
{
    if (!atomic_load(&tv->engine->stop) && rc == PCAP_ERROR) {
        VG_WARN("%s: capture is truncated or corrupt after %" PRIu64
                " packets (%s); keeping what was read", pt->files[pt->i_file], pt->n_read,
                pcap_geterr(pt->pc));
        counters_incr(tv->counters, pt->c_errors);
    }
    pcap_close(pt->pc);
    pt->pc = NULL;
    pt->i_file++;
}

/* One packet from the open file into p and on. */
static void dispatch_one(ThreadVars *tv, PcapFileThread *pt, Packet *p,
                         const struct pcap_pkthdr *hdr, const u_char *bytes)
{
    Engine *e = tv->engine;
    uint32_t caplen = hdr->caplen;
    if (caplen > pt->max_caplen) {
        if (pt->n_cut++ == 0) {
            VG_WARN("%s: packet %" PRIu64 " holds %u bytes, more than max-packet-size: it "
                    "and any longer one are cut to %u bytes (capture.pcap.frames_cut)",
                    pt->files[pt->i_file], pt->pcap_cnt + 1, caplen, pt->max_caplen);
        }
        counters_incr(tv->counters, pt->c_cut);
        caplen = pt->max_caplen;
    }
    memcpy(p->data, bytes, caplen);
    p->caplen = caplen;
    p->wirelen = hdr->len;
    p->ts_sec = hdr->ts.tv_sec;
    p->ts_usec = (uint32_t)hdr->ts.tv_usec;
    p->linktype = pt->linktype;
    p->pcap_file = (uint32_t)pt->i_file + 1;
    p->pcap_cnt = ++pt->pcap_cnt;
    pt->n_read++;
    if (!atomic_load(&e->have_start)) {
        atomic_store(&e->start_sec, p->ts_sec);
        atomic_store(&e->have_start, true);
    }
    runtime_time_advance(e, p->ts_sec, p->ts_usec);
    counters_incr(tv->counters, pt->c_pkts);
    counters_add(tv->counters, pt->c_bytes, caplen);
    tm_thread_dispatch(tv, p);
}

/* Up to max packets read and dispatched, in file order and across files. Stops early
 * when the pool gives no packet (packet_pool_set_nowait). Returns how many, or -1 at
 * the end of input (result: TM_FAILED when nothing given could be read as a capture). */
static int pcap_file_step(ThreadVars *tv, void *data, uint32_t max, int *result)
{
    PcapFileThread *pt = data;
    Engine *e = tv->engine;
    uint32_t n = 0;
    while (n < max && !atomic_load(&e->stop)) {
        if (pt->pc == NULL) {
            if (pt->i_file >= pt->n_files) {
                break;
            }
            if (!open_file(tv, pt)) {
                pt->i_file++;
                continue;
            }
        }
        Packet *p = packet_pool_get(e->pool);
        if (p == NULL) {
            return (int)n;   // the pool is out for now: the next step goes on
        }
        struct pcap_pkthdr *hdr;
        const u_char *bytes;
        int rc = pcap_next_ex(pt->pc, &hdr, &bytes);
        if (rc != 1) {
            packet_pool_put(p);
            close_file(tv, pt, rc);
            continue;
        }
        dispatch_one(tv, pt, p, hdr, bytes);
        n++;
    }
    if (n == max && !atomic_load(&e->stop)) {
        return (int)n;
    }
    if (pt->pc != NULL) {   // stopped
        pcap_close(pt->pc);
        pt->pc = NULL;
    }
    /* Nothing given could be read as a capture: the run did not happen. */
    if (pt->n_opened == 0 && pt->i_file >= pt->n_files) {
        VG_ERROR("%s: no readable capture", e->opts.pcap_path);
        *result = TM_FAILED;
    }
    return n > 0 ? (int)n : -1;
}

/* Packets a capture-file reader feeding worker threads holds out of the pool at most
 * (packet_pool_set_reader_limit; no effect in the single runmode). With the whole pool
 * (1024) in flight, every packet's header and data had left the caches before a worker
 * read them and again before the reader reused them: on the reference mix with two
 * workers that cost more CPU than the hand-off itself (issue 15). A file has no bursts
 * to absorb, only a pace to keep: half of this comes back before the reader goes on. */
#define PCAP_FILE_MAX_IN_FLIGHT 512u

static int pcap_file_acquire_loop(ThreadVars *tv, void *data)
{
    packet_pool_set_reader_limit(PCAP_FILE_MAX_IN_FLIGHT);
    int result = TM_OK;
    while (pcap_file_step(tv, data, UINT32_MAX / 2u, &result) >= 0) {
    }
    return result;
}

static void pcap_file_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    PcapFileThread *pt = data;
    if (pt == NULL) {
        return;
    }
    if (pt->pc != NULL) {
        pcap_close(pt->pc);
    }
    free(pt);    // pt->files belong to the engine
}

const TmModule tm_module_pcap_file = {
    .hdr = TM_MODULE_HDR,
    .name = "pcap-file",
    .kind = TM_KIND_ACQUIRE,
    .thread_init = pcap_file_thread_init,
    .acquire_loop = pcap_file_acquire_loop,
    .thread_deinit = pcap_file_thread_deinit,
};
