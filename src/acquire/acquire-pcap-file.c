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

static size_t list_dir(const char *path, char ***out)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        VG_ERROR("%s: cannot open directory: %s", path, strerror(errno));
        return 0;
    }
    size_t n = 0;
    size_t cap = 16;
    char **files = malloc(cap * sizeof(char *));
    struct dirent *de;
    while (files != NULL && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char *full = path_join(path, de->d_name);
        struct stat st;
        if (full == NULL || stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(full);
            continue;
        }
        if (n == cap) {
            cap *= 2;
            char **grown = realloc(files, cap * sizeof(char *));
            if (grown == NULL) {
                free(full);
                break;
            }
            files = grown;
        }
        files[n++] = full;
    }
    closedir(d);
    if (files != NULL) {
        qsort(files, n, sizeof(char *), cmp_str);
    }
    if (n == 0) {
        VG_ERROR("%s: no capture files in directory", path);
        free(files);
        files = NULL;
    }
    *out = files;
    return n;
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

static int pcap_file_thread_init(ThreadVars *tv, void **data)
{
    PcapFileThread *pt = calloc(1, sizeof(*pt));
    if (pt == NULL) {
        return TM_FAILED;
    }
    pt->n_files = acquire_list_files(tv->engine->opts.pcap_path, &pt->files);
    if (pt->n_files == 0) {
        free(pt);
        return TM_FAILED;
    }
    pt->c_pkts = counters_register("capture.pcap.pkts", COUNTER_SUM);
    pt->c_bytes = counters_register("capture.pcap.bytes", COUNTER_SUM);
    pt->c_files = counters_register("capture.pcap.files", COUNTER_SUM);
    pt->c_errors = counters_register("capture.pcap.read_errors", COUNTER_SUM);
    *data = pt;
    return TM_OK;
}

/* Returns false when the file could not be opened as a capture at all. */
static bool read_one_file(ThreadVars *tv, PcapFileThread *pt, const char *file)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_MICRO,
                                                          errbuf);
    if (pc == NULL) {
        VG_WARN("%s: cannot open capture: %s; skipping it", file, errbuf);
        counters_incr(tv->counters, pt->c_errors);
        return false;
    }
    counters_incr(tv->counters, pt->c_files);
    int linktype = pcap_datalink(pc);
    Engine *e = tv->engine;
    uint64_t n_read = 0;
    struct pcap_pkthdr *hdr;
    const u_char *bytes;
    int rc;
    while (!atomic_load(&e->stop) && (rc = pcap_next_ex(pc, &hdr, &bytes)) == 1) {
        Packet *p = packet_pool_get(e->pool);
        uint32_t caplen = hdr->caplen < PACKET_MAX_SIZE ? hdr->caplen : PACKET_MAX_SIZE;
        memcpy(p->data, bytes, caplen);
        p->caplen = caplen;
        p->wirelen = hdr->len;
        p->ts_sec = hdr->ts.tv_sec;
        p->ts_usec = (uint32_t)hdr->ts.tv_usec;
        p->linktype = linktype;
        p->pcap_cnt = ++pt->pcap_cnt;
        n_read++;
        if (!atomic_load(&e->have_start)) {
            atomic_store(&e->start_sec, p->ts_sec);
            atomic_store(&e->have_start, true);
        }
        runtime_time_advance(e, p->ts_sec, p->ts_usec);
        counters_incr(tv->counters, pt->c_pkts);
        counters_add(tv->counters, pt->c_bytes, caplen);
        tm_thread_dispatch(tv, p);
    }
    if (!atomic_load(&e->stop) && rc == PCAP_ERROR) {
        VG_WARN("%s: capture is truncated or corrupt after %" PRIu64
                " packets (%s); keeping what was read", file, n_read, pcap_geterr(pc));
        counters_incr(tv->counters, pt->c_errors);
    }
    pcap_close(pc);
    return true;
}

static int pcap_file_acquire_loop(ThreadVars *tv, void *data)
{
    PcapFileThread *pt = data;
    size_t n_opened = 0;
    size_t i = 0;
    for (; i < pt->n_files && !atomic_load(&tv->engine->stop); i++) {
        n_opened += read_one_file(tv, pt, pt->files[i]);
    }
    /* Nothing given could be read as a capture: the run did not happen. */
    if (n_opened == 0 && i == pt->n_files) {
        VG_ERROR("%s: no readable capture", tv->engine->opts.pcap_path);
        return TM_FAILED;
    }
    return TM_OK;
}

static void pcap_file_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    PcapFileThread *pt = data;
    if (pt == NULL) {
        return;
    }
    acquire_files_free(pt->files, pt->n_files);
    free(pt);
}

const TmModule tm_module_pcap_file = {
    .hdr = TM_MODULE_HDR,
    .name = "pcap-file",
    .kind = TM_KIND_ACQUIRE,
    .thread_init = pcap_file_thread_init,
    .acquire_loop = pcap_file_acquire_loop,
    .thread_deinit = pcap_file_thread_deinit,
};
