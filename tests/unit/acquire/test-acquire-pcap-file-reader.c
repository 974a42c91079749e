/* The pcap-file reader (acquire/acquire-pcap-file.c): which files a -r path
 * names, and what the reader thread hands on from captures written here byte
 * by byte (classic pcap, little-endian, microsecond or nanosecond magic):
 * every record in order with its time, lengths, link type and a running
 * pcap_cnt; a cut record ends the file with what was read kept; a file that
 * is not a capture is skipped in a directory and fails a run that has
 * nothing else. The thread runs inline (tm_thread_run_inline) with a
 * recording module behind the reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acquire/acquire.h"
#include "runtime/counters.h"
#include "runtime/engine.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime.h"
#include "util/util-log.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define MAX_SEEN 16

typedef struct Seen {
    uint64_t pcap_cnt;
    int64_t ts_sec;
    uint32_t ts_usec;
    uint32_t caplen;
    uint32_t wirelen;
    int linktype;
    uint8_t first_byte;
    uint32_t pcap_file;
    const uint8_t *data;
} Seen;

static Seen g_seen[MAX_SEEN];
static uint32_t g_n_seen;
static char g_dir[256];

/* ---- the recording module behind the reader ---- */

static int rec_init(ThreadVars *tv, void **data)
{
    (void)tv;
    *data = NULL;
    return TM_OK;
}

static const char *g_grow_path;  // set: the first packet seen appends a record to this file
static const char *g_cut_path;   // set: the first packet seen cuts this file to g_cut_len
static off_t g_cut_len;

static void pcap_record(FILE *f, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen,
                        uint8_t fill, uint32_t written);

static int rec_process(ThreadVars *tv, Packet *p, void *data)
{
    (void)tv;
    (void)data;
    if (g_grow_path != NULL) {
        FILE *f = fopen(g_grow_path, "ab");
        assert_non_null(f);
        pcap_record(f, 9, 0, 50, 50, 0xf2, 50);
        assert_int_equal(fclose(f), 0);
        g_grow_path = NULL;
    }
    if (g_cut_path != NULL) {
        assert_int_equal(truncate(g_cut_path, g_cut_len), 0);
        g_cut_path = NULL;
    }
    if (g_n_seen < MAX_SEEN) {
        g_seen[g_n_seen++] = (Seen){.pcap_cnt = p->pcap_cnt, .ts_sec = p->ts_sec,
                                    .ts_usec = p->ts_usec, .caplen = p->caplen,
                                    .wirelen = p->wirelen, .linktype = p->linktype,
                                    .first_byte = p->caplen > 0 ? p->data[0] : 0,
                                    .pcap_file = p->pcap_file, .data = p->data};
    }
    return TM_OK;
}

static const TmModule mod_record = {
    .hdr = TM_MODULE_HDR,
    .name = "test-record",
    .kind = TM_KIND_OTHER,
    .thread_init = rec_init,
    .process = rec_process,
};

/* ---- capture files ---- */

static bool g_big_endian;        // the files written next: big-endian (else little)

static void put32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    if (g_big_endian) {
        uint8_t t = b[0];
        b[0] = b[3];
        b[3] = t;
        t = b[1];
        b[1] = b[2];
        b[2] = t;
    }
    assert_int_equal(fwrite(b, 1, 4, f), 4);
}

static void put16(FILE *f, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    if (g_big_endian) {
        uint8_t t = b[0];
        b[0] = b[1];
        b[1] = t;
    }
    assert_int_equal(fwrite(b, 1, 2, f), 2);
}

static FILE *capture_create_snap(const char *name, uint32_t magic, uint32_t linktype,
                                 uint32_t snaplen, char *path, size_t path_len)
{
    snprintf(path, path_len, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    put32(f, magic);
    put16(f, 2);
    put16(f, 4);
    put32(f, 0);                 // thiszone
    put32(f, 0);                 // sigfigs
    put32(f, snaplen);
    put32(f, linktype);
    return f;
}

static FILE *capture_create(const char *name, uint32_t magic, uint32_t linktype, char *path,
                         size_t path_len)
{
    return capture_create_snap(name, magic, linktype, 65535, path, path_len);
}

/* One record of caplen bytes, each byte fill, claiming wirelen on the wire;
 * only `written` bytes of the data are written (a cut record). */
static void pcap_record(FILE *f, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen,
                        uint8_t fill, uint32_t written)
{
    put32(f, sec);
    put32(f, frac);
    put32(f, caplen);
    put32(f, wirelen);
    for (uint32_t i = 0; i < written; i++) {
        assert_int_equal(fputc(fill, f), fill);
    }
}

static void write_junk(const char *name, char *path, size_t path_len)
{
    snprintf(path, path_len, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(fputc((i * 37 + 11) & 0xff, f), (i * 37 + 11) & 0xff);
    }
    assert_int_equal(fclose(f), 0);
}

/* ---- running the reader ---- */

typedef struct Run {
    int rc;
    uint64_t pkts, bytes, files, read_errors;
    char names[4][300];          // the engine's pcap_files (basename), as the run left them
    size_t n_names;
    uint32_t file_cur;           // the engine's pcap_file_cur at the end
} Run;

static uint64_t counter(const uint64_t *vals, const char *name)
{
    CounterId id;
    return counters_find(name, &id) ? vals[id] : 0;
}

static Run run_reader(const char *path, bool stop_first)
{
    Engine e = {0};
    e.pool = packet_pool_new(4);
    assert_non_null(e.pool);
    e.opts.pcap_path = path;
    atomic_store(&e.stop, stop_first);
    ThreadVars tv = {.name = "W#01", .id = 0, .engine = &e};
    assert_int_equal(tm_thread_add_slot(&tv, "pcap-file"), 0);
    assert_int_equal(tm_thread_add_slot(&tv, "test-record"), 0);
    Run r = {.rc = tm_thread_run_inline(&tv)};
    assert_int_equal(packet_pool_free_count(e.pool), 4); // every packet went back
    /* The names outlive the reader thread (EVE pcap_filename): the engine frees them. */
    r.n_names = e.n_pcap_files;
    for (size_t i = 0; i < e.n_pcap_files && i < 4; i++) {
        const char *slash = strrchr(e.pcap_files[i], '/');
        snprintf(r.names[i], sizeof(r.names[i]), "%s", slash ? slash + 1 : e.pcap_files[i]);
    }
    r.file_cur = atomic_load(&e.pcap_file_cur);
    acquire_files_free(e.pcap_files, e.n_pcap_files);
    packet_pool_free(e.pool);
    acquire_file_maps_free(e.pcap_maps);
    uint64_t *vals = calloc(COUNTERS_MAX, sizeof(uint64_t));
    assert_non_null(vals);
    counters_merge(vals);
    r.pkts = counter(vals, "capture.pcap.pkts");
    r.bytes = counter(vals, "capture.pcap.bytes");
    r.files = counter(vals, "capture.pcap.files");
    r.read_errors = counter(vals, "capture.pcap.read_errors");
    free(vals);
    return r;
}

static int setup(void **state)
{
    (void)state;
    util_log_set_level(LOG_LEVEL_ERROR);
    memset(g_seen, 0, sizeof(g_seen));
    g_n_seen = 0;
    g_big_endian = false;
    g_grow_path = NULL;
    snprintf(g_dir, sizeof(g_dir), "/tmp/vg-acquire-XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        return -1;
    }
    return tm_module_register(&mod_record);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    int rc = system(cmd);
    tm_modules_reset();
    counters_reset();
    return rc == 0 ? 0 : -1;
}

/* ---- acquire_list_files ---- */

static void list_of_a_file_is_that_file(void **state)
{
    (void)state;
    char path[300];
    FILE *f = capture_create("one.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    assert_int_equal(fclose(f), 0);
    char **files = NULL;
    assert_int_equal(acquire_list_files(path, &files), 1);
    assert_string_equal(files[0], path);
    acquire_files_free(files, 1);
}

static void list_of_a_directory_is_its_regular_files_in_name_order(void **state)
{
    (void)state;
    char path[300];
    const char *names[] = {"c.pcap", "a.pcap", ".hidden.pcap", "b.pcapng"};
    for (size_t i = 0; i < 4; i++) {
        FILE *f = capture_create(names[i], PCAP_MAGIC_US, 1, path, sizeof(path));
        assert_int_equal(fclose(f), 0);
    }
    snprintf(path, sizeof(path), "%s/sub", g_dir);
    assert_int_equal(mkdir(path, 0700), 0);
    char **files = NULL;
    assert_int_equal(acquire_list_files(g_dir, &files), 3);
    char want[300];
    const char *order[] = {"a.pcap", "b.pcapng", "c.pcap"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(want, sizeof(want), "%s/%s", g_dir, order[i]);
        assert_string_equal(files[i], want);
    }
    acquire_files_free(files, 3);
}

static void list_of_a_missing_path_is_empty(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof(path), "%s/nothing.pcap", g_dir);
    char **files = (char **)&files;
    assert_int_equal(acquire_list_files(path, &files), 0);
    assert_null(files);
}

static void list_of_an_empty_directory_is_empty(void **state)
{
    (void)state;
    char **files = (char **)&files;
    assert_int_equal(acquire_list_files(g_dir, &files), 0);
    assert_null(files);
}

/* ---- the reader thread ---- */

static void reader_hands_on_every_record_in_order(void **state)
{
    (void)state;
    char path[300];
    FILE *f = capture_create("three.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    pcap_record(f, 1000, 5, 60, 60, 0xa1, 60);
    pcap_record(f, 1000, 999999, 42, 1514, 0xa2, 42); // captured short of the wire length
    pcap_record(f, 1002, 0, 100, 100, 0xa3, 100);
    assert_int_equal(fclose(f), 0);
    Run r = run_reader(path, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(g_n_seen, 3);
    const Seen want[3] = {
        {1, 1000, 5, 60, 60, 1, 0xa1},
        {2, 1000, 999999, 42, 1514, 1, 0xa2},
        {3, 1002, 0, 100, 100, 1, 0xa3},
    };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(g_seen[i].pcap_cnt, want[i].pcap_cnt);
        assert_int_equal(g_seen[i].ts_sec, want[i].ts_sec);
        assert_int_equal(g_seen[i].ts_usec, want[i].ts_usec);
        assert_int_equal(g_seen[i].caplen, want[i].caplen);
        assert_int_equal(g_seen[i].wirelen, want[i].wirelen);
        assert_int_equal(g_seen[i].linktype, want[i].linktype);
        assert_int_equal(g_seen[i].first_byte, want[i].first_byte);
    }
    assert_int_equal(r.pkts, 3);
    assert_int_equal(r.bytes, 60 + 42 + 100);
    assert_int_equal(r.files, 1);
    assert_int_equal(r.read_errors, 0);
}

static void reader_gives_the_link_type_of_the_file(void **state)
{
    (void)state;
    char path[300];
    FILE *f = capture_create("raw.pcap", PCAP_MAGIC_US, 101, path, sizeof(path)); // LINKTYPE_RAW
    pcap_record(f, 7, 0, 20, 20, 0x45, 20);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(run_reader(path, false).rc, 0);
    assert_int_equal(g_n_seen, 1);
    /* libpcap maps the file's LINKTYPE_RAW (101) to its DLT_RAW */
    assert_int_equal(g_seen[0].linktype, DLT_RAW);
}

/* A nanosecond capture in the byte order g_big_endian says: microseconds out. */
static void check_nanoseconds(const char *name)
{
    char path[300];
    FILE *f = capture_create(name, PCAP_MAGIC_NS, 1, path, sizeof(path));
    pcap_record(f, 50, 123456789, 60, 60, 0, 60);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(run_reader(path, false).rc, 0);
    assert_int_equal(g_n_seen, 1);
    assert_int_equal(g_seen[0].ts_sec, 50);
    assert_int_equal(g_seen[0].ts_usec, 123456);
}

static void reader_turns_nanoseconds_into_microseconds(void **state)
{
    (void)state;
    check_nanoseconds("ns.pcap");
}

/* A classic capture in a regular file is read in place: each packet's data is its
 * frame in the mapped file, one record header after the frame before it. */
static void frames_of_a_regular_file_are_read_in_place(void **state)
{
    (void)state;
    char path[300];
    FILE *f = capture_create("in-place.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    pcap_record(f, 1, 0, 60, 60, 0xe1, 60);
    pcap_record(f, 2, 0, 42, 42, 0xe2, 42);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(run_reader(path, false).rc, 0);
    assert_int_equal(g_n_seen, 2);
    assert_ptr_equal(g_seen[1].data, g_seen[0].data + 60 + 16);
}

/* A file still being written: what was appended after it was opened is read too. */
static void records_appended_while_reading_are_read(void **state)
{
    (void)state;
    char path[300];
    FILE *f = capture_create("growing.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    pcap_record(f, 8, 0, 60, 60, 0xf1, 60);
    assert_int_equal(fclose(f), 0);
    g_grow_path = path;
    Run r = run_reader(path, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(g_n_seen, 2);
    assert_int_equal(g_seen[1].first_byte, 0xf2);
    assert_int_equal(g_seen[1].caplen, 50);
    assert_int_equal(r.read_errors, 0);
}

/* A file another process cuts shorter while it is read in place ends there as a
 * truncated capture, whether the reader meets the zeros the cut leaves in its last
 * page or touches a page past the new end (SIGBUS, answered with a page of zeros). */
static void file_cut_in_its_last_page_ends_as_truncated(void **state)
{
    (void)state;
    char path[300];
    FILE *f = capture_create("cut1.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    pcap_record(f, 1, 0, 60, 60, 0xa1, 60);
    pcap_record(f, 2, 0, 60, 60, 0xa2, 60);
    pcap_record(f, 3, 0, 8000, 8000, 0xa3, 8000);
    assert_int_equal(fclose(f), 0);
    g_cut_path = path;
    g_cut_len = 50;
    Run r = run_reader(path, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(g_n_seen, 1);
    assert_int_equal(r.read_errors, 1);
}

static void file_cut_before_a_page_ends_as_truncated(void **state)
{
    (void)state;
    char path[300];
    FILE *f = capture_create("cut2.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    pcap_record(f, 1, 0, 60, 60, 0xb1, 60);
    pcap_record(f, 2, 0, 5000, 5000, 0xb2, 5000);   // ends past the first 4 KiB page
    pcap_record(f, 3, 0, 60, 60, 0xb3, 60);
    pcap_record(f, 4, 0, 60, 60, 0xb4, 60);
    assert_int_equal(fclose(f), 0);
    g_cut_path = path;
    g_cut_len = (off_t)sysconf(_SC_PAGESIZE);
    Run r = run_reader(path, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(g_n_seen, 2);
    assert_int_equal(g_seen[1].first_byte, 0xb2);
    assert_int_equal(r.read_errors, 1);
}

static void reader_reads_a_big_endian_capture(void **state)
{
    (void)state;
    char path[300];
    g_big_endian = true;
    FILE *f = capture_create("be.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    pcap_record(f, 1000, 5, 60, 60, 0xc1, 60);
    pcap_record(f, 1001, 999999, 42, 1514, 0xc2, 42);
    assert_int_equal(fclose(f), 0);
    Run r = run_reader(path, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(g_n_seen, 2);
    assert_int_equal(g_seen[1].ts_sec, 1001);
    assert_int_equal(g_seen[1].ts_usec, 999999);
    assert_int_equal(g_seen[1].caplen, 42);
    assert_int_equal(g_seen[1].wirelen, 1514);
    assert_int_equal(g_seen[1].first_byte, 0xc2);
    assert_int_equal(r.read_errors, 0);
}

static void reader_reads_big_endian_nanoseconds(void **state)
{
    (void)state;
    g_big_endian = true;
    check_nanoseconds("be-ns.pcap");
}

/* A record longer than the file's snapshot length is libpcap's to cut (to the
 * snapshot length, the rest skipped); the records after it are read as before. */
static void record_over_the_snapshot_length_is_cut_and_reading_goes_on(void **state)
{
    (void)state;
    char path[300];
    FILE *f = capture_create_snap("snap.pcap", PCAP_MAGIC_US, 1, 100, path, sizeof(path));
    pcap_record(f, 1, 0, 60, 60, 0xd1, 60);
    pcap_record(f, 2, 0, 150, 150, 0xd2, 150);
    pcap_record(f, 3, 0, 70, 70, 0xd3, 70);
    assert_int_equal(fclose(f), 0);
    Run r = run_reader(path, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(g_n_seen, 3);
    const uint32_t caplen[3] = {60, 100, 70};
    const uint8_t first[3] = {0xd1, 0xd2, 0xd3};
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(g_seen[i].caplen, caplen[i]);
        assert_int_equal(g_seen[i].first_byte, first[i]);
        assert_int_equal(g_seen[i].pcap_cnt, i + 1);
    }
    assert_int_equal(r.read_errors, 0);
}

static void cut_record_ends_the_file_keeping_what_was_read(void **state)
{
    (void)state;
    char path[300];
    FILE *f = capture_create("cut.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    pcap_record(f, 1, 0, 60, 60, 0xb1, 60);
    pcap_record(f, 2, 0, 60, 60, 0xb2, 60);
    pcap_record(f, 3, 0, 60, 60, 0xb3, 25); // the file ends inside this record
    assert_int_equal(fclose(f), 0);
    Run r = run_reader(path, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(g_n_seen, 2);
    assert_int_equal(g_seen[1].first_byte, 0xb2);
    assert_int_equal(r.pkts, 2);
    assert_int_equal(r.files, 1);
    assert_int_equal(r.read_errors, 1);
}

static void directory_is_read_in_name_order_with_one_running_count(void **state)
{
    (void)state;
    char path[300];
    FILE *f = capture_create("b.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    pcap_record(f, 20, 0, 60, 60, 0xb1, 60);
    assert_int_equal(fclose(f), 0);
    f = capture_create("a.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    pcap_record(f, 10, 0, 60, 60, 0xa1, 60);
    pcap_record(f, 11, 0, 60, 60, 0xa2, 60);
    assert_int_equal(fclose(f), 0);
    Run r = run_reader(g_dir, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(g_n_seen, 3);
    const uint8_t order[3] = {0xa1, 0xa2, 0xb1};
    const uint32_t file_of[3] = {1, 1, 2};    // a.pcap, then b.pcap
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(g_seen[i].first_byte, order[i]);
        assert_int_equal(g_seen[i].pcap_cnt, i + 1);
        assert_int_equal(g_seen[i].pcap_file, file_of[i]);
    }
    assert_int_equal(r.files, 2);
    assert_int_equal(r.n_names, 2);
    assert_string_equal(r.names[0], "a.pcap");
    assert_string_equal(r.names[1], "b.pcap");
    assert_int_equal(r.file_cur, 2);
}

static void file_that_is_not_a_capture_is_skipped_in_a_directory(void **state)
{
    (void)state;
    char path[300];
    write_junk("a-junk.pcap", path, sizeof(path));
    FILE *f = capture_create("b.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    pcap_record(f, 1, 0, 60, 60, 0xb1, 60);
    assert_int_equal(fclose(f), 0);
    Run r = run_reader(g_dir, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(g_n_seen, 1);
    assert_int_equal(r.files, 1);
    assert_int_equal(r.read_errors, 1);
}

static void run_with_no_readable_capture_fails(void **state)
{
    (void)state;
    char path[300];
    write_junk("junk.pcap", path, sizeof(path));
    Run r = run_reader(path, false);
    assert_int_equal(r.rc, TM_FAILED);
    assert_int_equal(g_n_seen, 0);
    assert_int_equal(r.read_errors, 1);
}

static void missing_capture_fails_the_thread_at_start(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof(path), "%s/nothing.pcap", g_dir);
    Run r = run_reader(path, false);
    assert_int_not_equal(r.rc, 0);
    assert_int_equal(g_n_seen, 0);
}

static void stopped_engine_reads_nothing_and_is_not_an_error(void **state)
{
    (void)state;
    char path[300];
    FILE *f = capture_create("one.pcap", PCAP_MAGIC_US, 1, path, sizeof(path));
    pcap_record(f, 1, 0, 60, 60, 0xa1, 60);
    assert_int_equal(fclose(f), 0);
    Run r = run_reader(path, true);
    assert_int_equal(r.rc, 0);
    assert_int_equal(g_n_seen, 0);
    assert_int_equal(r.files, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(list_of_a_file_is_that_file),
        T(list_of_a_directory_is_its_regular_files_in_name_order),
        T(list_of_a_missing_path_is_empty),
        T(list_of_an_empty_directory_is_empty),
        T(reader_hands_on_every_record_in_order),
        T(reader_gives_the_link_type_of_the_file),
        T(reader_turns_nanoseconds_into_microseconds),
        T(frames_of_a_regular_file_are_read_in_place),
        T(records_appended_while_reading_are_read),
        T(file_cut_in_its_last_page_ends_as_truncated),
        T(file_cut_before_a_page_ends_as_truncated),
        T(reader_reads_a_big_endian_capture),
        T(reader_reads_big_endian_nanoseconds),
        T(record_over_the_snapshot_length_is_cut_and_reading_goes_on),
        T(cut_record_ends_the_file_keeping_what_was_read),
        T(directory_is_read_in_name_order_with_one_running_count),
        T(file_that_is_not_a_capture_is_skipped_in_a_directory),
        T(run_with_no_readable_capture_fails),
        T(missing_capture_fails_the_thread_at_start),
        T(stopped_engine_reads_nothing_and_is_not_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
