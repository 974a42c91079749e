/* Offline acquisition from pcap/pcapng files through libpcap. Packet
 * timestamps are the engine's clock. A truncated or corrupt file ends with
 * a warning; what was read so far is kept and the next file (if any) goes on.
 *
 * A regular file in the classic pcap format (2.4, either byte order, micro- or
 * nanosecond times) of a link type libpcap hands on unchanged is read in place:
 * the file is mapped and each packet's data points at its frame in the mapping,
 * with no copy (the kernel copied every frame into stdio's buffer, libpcap into its
 * own, the reader into the packet: 2% of the packet thread's instructions with all of
 * ET Open, plus the kernel's copy, issue 15).
 * libpcap still opens the file and checks its header; the first record that is
 * not whole and ordinary (cut, longer than the file's snapshot length) is read
 * from there on by libpcap, so errors and fix-ups stay its own. Pipes, pcapng
 * and other formats are read by libpcap throughout. */
#include "acquire/acquire.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
    /* the open file read in place (NULL: through libpcap) */
    AcquireFileMap *map;
    size_t map_off;              // its next record
    size_t map_released;         // bytes before this given back (MADV_DONTNEED)
    uint32_t snapshot;           // the file's snapshot length, as libpcap took it
    bool map_is_swapped;         // written in the other byte order
    bool map_is_nsec;            // nanosecond times
    const char *map_error;       // why the mapped file ended early (else libpcap's error)
} PcapFileThread;

/* A mapped capture file. Packets point into it until they come back to the pool,
 * which may be after the reader ended: the engine keeps the list (pcap_maps, filled
 * by the reader thread only) and acquire_file_maps_free unmaps them at teardown. */
struct AcquireFileMap {
    uint8_t *addr;
    size_t len;
    atomic_bool faulted;         // a page past the file's (new) end was touched
    struct AcquireFileMap *next;
};

/* A mapped file that another process cuts shorter while it is read: touching a page
 * past its new end raises SIGBUS, in whichever thread holds a packet pointing there.
 * The handler puts a page of zeros in its place (that packet's bytes are gone
 * anyway) and tells the reader, which ends the file there as a truncated capture;
 * a SIGBUS anywhere else keeps its default action (the process dies, as before).
 * g_maps is the engine's list (pcap_maps): entries are only ever added in front by
 * the reader, and the whole list goes at teardown, after every thread ended. */
static AcquireFileMap *_Atomic g_maps;

static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
    (void)uctx;
    uintptr_t at = (uintptr_t)si->si_addr;
    for (AcquireFileMap *m = atomic_load(&g_maps); m != NULL; m = m->next) {
        uintptr_t lo = (uintptr_t)m->addr;
        if (at >= lo && at < lo + m->len) {
            uintptr_t page = at & ~((uintptr_t)sysconf(_SC_PAGESIZE) - 1);
            void *z = mmap((void *)page, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
            if (z != MAP_FAILED) {
                atomic_store(&m->faulted, true);
                return;          // the access is made again, on zeros
            }
            break;
        }
    }
    signal(sig, SIG_DFL);        // not ours (or no page): the default action, on return
}

static void sigbus_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGBUS, &sa, NULL);
}

void acquire_file_maps_free(AcquireFileMap *maps)
{
    atomic_store(&g_maps, NULL);
    while (maps != NULL) {
        AcquireFileMap *next = maps->next;
        (void)munmap(maps->addr, maps->len);
        free(maps);
        maps = next;
    }
}

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

/* ---- reading in place ---- */

#define PCAP_FILE_HDR_LEN 24u
#define PCAP_REC_HDR_LEN 16u
/* What a reader in place keeps mapped behind it: it gives the pages back a step at a
 * time, at least a step behind (peak RSS, issue 15). Packets still in flight there
 * (workers, a reader limit of 512 frames) read on unharmed: an unwritten page of a
 * private file mapping comes back from the page cache. */
#define MAP_RELEASE_STEP (1u << 20)

static uint32_t swap32_if(uint32_t v, bool swap)
{
    return swap ? __builtin_bswap32(v) : v;
}

/* Link types whose frames libpcap hands on as they are in the file (no pseudo-header
 * swapped or fixed up). */
static bool linktype_in_place(int linktype)
{
    return linktype == DLT_EN10MB || linktype == DLT_RAW || linktype == DLT_IPV4 ||
           linktype == DLT_IPV6;
}

/* Reads the open file in place from its first record when it can (see the top of the
 * file); else leaves pt->map NULL and libpcap reads it. */
static void map_open(ThreadVars *tv, PcapFileThread *pt)
{
    pt->map = NULL;
    FILE *fp = pcap_file(pt->pc);
    int fd = fp != NULL ? fileno(fp) : -1;
    struct stat st;
    if (fd < 0 || !linktype_in_place(pt->linktype) || fstat(fd, &st) != 0 ||
        !S_ISREG(st.st_mode) || st.st_size < (off_t)PCAP_FILE_HDR_LEN ||
        (uintmax_t)st.st_size > SIZE_MAX) {
        return;
    }
    uint8_t hdr[PCAP_FILE_HDR_LEN];
    if (pread(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr)) {
        return;
    }
    uint32_t magic;
    memcpy(&magic, hdr, 4);
    bool is_swapped = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
    bool is_nsec = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
    uint16_t ver[2];
    memcpy(ver, hdr + 4, 4);
    if (is_swapped) {
        ver[0] = __builtin_bswap16(ver[0]);
        ver[1] = __builtin_bswap16(ver[1]);
    }
    if ((magic != 0xa1b2c3d4u && !is_swapped && !is_nsec) || ver[0] != 2 || ver[1] != 4 ||
        is_swapped != (pcap_is_swapped(pt->pc) == 1) || pcap_snapshot(pt->pc) <= 0) {
        return;
    }
    size_t len = (size_t)st.st_size;
    void *addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, fd, 0);
    AcquireFileMap *m = addr != MAP_FAILED ? malloc(sizeof(*m)) : NULL;
    if (m == NULL) {
        if (addr != MAP_FAILED) {
            (void)munmap(addr, len);
        }
        return;   // libpcap reads it
    }
    (void)madvise(addr, len, MADV_SEQUENTIAL);
    sigbus_install();            // each file: whatever took SIGBUS since, it is ours again
    *m = (AcquireFileMap){ .addr = addr, .len = len, .next = tv->engine->pcap_maps };
    tv->engine->pcap_maps = m;
    atomic_store(&g_maps, m);
    pt->map = m;
    pt->map_off = PCAP_FILE_HDR_LEN;
    pt->map_released = 0;
    pt->snapshot = (uint32_t)pcap_snapshot(pt->pc);
    pt->map_is_swapped = is_swapped;
    pt->map_is_nsec = is_nsec;
}

/* Gives back the pages of the mapping before upto (all of them at the file's end). */
static void map_release(PcapFileThread *pt, size_t upto)
{
    AcquireFileMap *m = pt->map;
    while (pt->map_released + MAP_RELEASE_STEP <= upto) {
        (void)madvise(m->addr + pt->map_released, MAP_RELEASE_STEP, MADV_DONTNEED);
        pt->map_released += MAP_RELEASE_STEP;
    }
    if (upto == m->len && pt->map_released < m->len) {
        (void)madvise(m->addr + pt->map_released, m->len - pt->map_released, MADV_DONTNEED);
        pt->map_released = m->len;
    }
}

/* Whether the mapped file is now shorter than when it was mapped. */
static bool map_file_shrunk(const PcapFileThread *pt)
{
    FILE *fp = pcap_file(pt->pc);
    struct stat st;
    return fp != NULL && fstat(fileno(fp), &st) == 0 && (uintmax_t)st.st_size < pt->map->len;
}

/* The next record of a file read in place, as libpcap gives it: 1 with *hdr and
 * *bytes, PCAP_ERROR_BREAK at the file's end, or 0 when libpcap reads on from this
 * record (anything but a whole record within the snapshot length). */
static int map_next(PcapFileThread *pt, struct pcap_pkthdr *hdr, const u_char **bytes)
{
    AcquireFileMap *m = pt->map;
    if (atomic_load_explicit(&m->faulted, memory_order_relaxed)) {
        pt->map_error = "the file was cut shorter while it was read";
        return PCAP_ERROR;
    }
    size_t left = m->len - pt->map_off;
    if (left == 0) {
        /* a file still being written may have grown since it was mapped: libpcap reads
         * on from here, as it would have */
        FILE *fp = pcap_file(pt->pc);
        struct stat st;
        bool has_grown = fp != NULL && fstat(fileno(fp), &st) == 0 &&
                         (uintmax_t)st.st_size > (uintmax_t)m->len;
        return has_grown ? 0 : PCAP_ERROR_BREAK;
    }
    if (left < PCAP_REC_HDR_LEN) {
        return 0;
    }
    const uint8_t *r = m->addr + pt->map_off;
    uint32_t f[4];
    memcpy(f, r, sizeof(f));
    uint32_t caplen = swap32_if(f[2], pt->map_is_swapped);
    if (caplen > pt->snapshot || caplen > left - PCAP_REC_HDR_LEN) {
        return 0;
    }
    if (caplen == 0 && f[3] == 0 && map_file_shrunk(pt)) {
        /* an empty record: what bytes past a cut read as (zeros) */
        pt->map_error = "the file was cut shorter while it was read";
        return PCAP_ERROR;
    }
    /* the file's fields are 32-bit signed seconds and fraction (pcap-savefile(5)) */
    int32_t sec = (int32_t)swap32_if(f[0], pt->map_is_swapped);
    int32_t frac = (int32_t)swap32_if(f[1], pt->map_is_swapped);
    hdr->ts.tv_sec = sec;
    hdr->ts.tv_usec = pt->map_is_nsec ? frac / 1000 : frac;
    hdr->caplen = caplen;
    hdr->len = swap32_if(f[3], pt->map_is_swapped);
    *bytes = r + PCAP_REC_HDR_LEN;
    pt->map_off += PCAP_REC_HDR_LEN + caplen;
    if (pt->map_off >= pt->map_released + 2 * MAP_RELEASE_STEP) {
        map_release(pt, pt->map_off - MAP_RELEASE_STEP);
        /* each step also looks whether the file got shorter (a page past its new end
         * would fault; bytes of its last page read as zeros) */
        if (map_file_shrunk(pt)) {
            pt->map_error = "the file was cut shorter while it was read";
            return PCAP_ERROR;
        }
    }
    return 1;
}

/* libpcap reads on from the record the mapping could not give. false when it cannot
 * (then the file ends here, as a read error). */
static bool map_hand_over(PcapFileThread *pt)
{
    FILE *fp = pcap_file(pt->pc);
    size_t off = pt->map_off;
    map_release(pt, pt->map->len);
    pt->map = NULL;
    return fp != NULL && fseeko(fp, (off_t)off, SEEK_SET) == 0;
}

/* The next record of the open file: pcap_next_ex's results. *is_in_place: the bytes
 * are the file's own (they stay valid until engine teardown), else libpcap's buffer
 * (valid until the next read). */
static int next_record(PcapFileThread *pt, struct pcap_pkthdr *hdr, const u_char **bytes,
                       bool *is_in_place)
{
    *is_in_place = false;
    if (pt->map != NULL) {
        int rc = map_next(pt, hdr, bytes);
        if (rc != 0) {
            *is_in_place = rc == 1;
            if (rc == PCAP_ERROR_BREAK || rc == PCAP_ERROR) {
                map_release(pt, pt->map->len);
                pt->map = NULL;
            }
            return rc;
        }
        if (!map_hand_over(pt)) {
            return PCAP_ERROR;
        }
    }
    struct pcap_pkthdr *h;
    int rc = pcap_next_ex(pt->pc, &h, bytes);
    if (rc == 1) {
        *hdr = *h;
    }
    return rc;
}

/* ---- files ---- */

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
    map_open(tv, pt);
    return true;
}

/* The open file ended (rc: pcap_next_ex's last result): say so if it was cut short. */
static void close_file(ThreadVars *tv, PcapFileThread *pt, int rc)
{
    if (!atomic_load(&tv->engine->stop) && rc == PCAP_ERROR) {
        VG_WARN("%s: capture is truncated or corrupt after %" PRIu64
                " packets (%s); keeping what was read", pt->files[pt->i_file], pt->n_read,
                pt->map_error != NULL ? pt->map_error : pcap_geterr(pt->pc));
        pt->map_error = NULL;
        counters_incr(tv->counters, pt->c_errors);
    }
    if (pt->map != NULL) {
        map_release(pt, pt->map->len);
        pt->map = NULL;
    }
    pcap_close(pt->pc);
    pt->pc = NULL;
    pt->i_file++;
}

/* One packet from the open file into p and on: p's data is the frame itself when it was
 * read in place (is_in_place), else a copy. */
static void dispatch_one(ThreadVars *tv, PcapFileThread *pt, Packet *p,
                         const struct pcap_pkthdr *hdr, const u_char *bytes, bool is_in_place)
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
    if (is_in_place) {
        p->data = (uint8_t *)bytes;   // a private mapping: nothing writes to the file
    } else {
        memcpy(p->data, bytes, caplen);
    }
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
        struct pcap_pkthdr hdr;
        const u_char *bytes;
        bool is_in_place;
        int rc = next_record(pt, &hdr, &bytes, &is_in_place);
        if (rc != 1) {
            packet_pool_put(p);
            close_file(tv, pt, rc);
            continue;
        }
        dispatch_one(tv, pt, p, &hdr, bytes, is_in_place);
        n++;
    }
    if (n == max && !atomic_load(&e->stop)) {
        return (int)n;
    }
    if (pt->pc != NULL) {   // stopped
        pt->map = NULL;     // the engine unmaps it
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
