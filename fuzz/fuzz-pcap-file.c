/* libFuzzer target for the pcap-file reader (acquire/acquire-pcap-file.c).
 *
 * Build and run with the other targets: bash fuzz/build.sh run 60 fuzz-pcap-file
 *
 * Input: the bytes of a capture file (pcap or pcapng, any byte order, any
 * link type). They are put in an in-memory file (memfd) and the real
 * "pcap-file" thread module reads it, as -r does, inline in this thread,
 * with a sink module behind it that reads every byte of each packet it is
 * handed (so a caplen beyond the packet's buffer is caught) and checks the
 * reader's promises: pcap_cnt counts from 1 without a gap, caplen never
 * exceeds the packet buffer, every packet goes back to the pool. Seeds:
 * fuzz/corpus/fuzz-pcap-file/ (tools/make-fuzz-corpus.py). */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime/counters.h"
#include "acquire/acquire.h"
#include "runtime/engine.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime.h"
#include "util/util-log.h"

#define POOL_SIZE 4

static uint64_t g_last_cnt;
static volatile uint8_t g_sum;

static int sink_init(ThreadVars *tv, void **data)
{
    (void)tv;
    *data = NULL;
    return TM_OK;
}

static int sink_process(ThreadVars *tv, Packet *p, void *data)
{
    (void)data;
    if (p->pcap_cnt != g_last_cnt + 1 || p->caplen > packet_pool_buffer_size(tv->engine->pool)) {
        abort();
    }
    g_last_cnt = p->pcap_cnt;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < p->caplen; i++) {
        sum ^= p->data[i];
    }
    g_sum ^= sum;
    return TM_OK;
}

static const TmModule mod_sink = {
    .hdr = TM_MODULE_HDR,
    .name = "fuzz-sink",
    .kind = TM_KIND_OTHER,
    .thread_init = sink_init,
    .process = sink_process,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        util_log_set_level(LOG_LEVEL_ERROR);
        if (tm_module_register(&mod_sink) != 0) {
            abort();
        }
        ready = true;
    }
    int fd = memfd_create("fuzz-pcap", 0);
    if (fd < 0) {
        return 0;
    }
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0) {
            close(fd);
            return 0;
        }
        off += (size_t)n;
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

    Engine e;
    memset(&e, 0, sizeof(e));
    e.pool = packet_pool_new(POOL_SIZE);
    if (e.pool == NULL) {
        close(fd);
        return 0;
    }
    e.opts.pcap_path = path;
    ThreadVars tv;
    memset(&tv, 0, sizeof(tv));
    snprintf(tv.name, sizeof(tv.name), "FZ#01");
    tv.engine = &e;
    if (tm_thread_add_slot(&tv, "pcap-file") != 0 || tm_thread_add_slot(&tv, "fuzz-sink") != 0) {
        abort();
    }
    g_last_cnt = 0;
    (void)tm_thread_run_inline(&tv); // a refused file is a normal outcome
    if (packet_pool_free_count(e.pool) != POOL_SIZE) {
        abort(); // a packet was not handed back
    }
    acquire_files_free(e.pcap_files, e.n_pcap_files); // the engine's list of the files read
    packet_pool_free(e.pool);
    acquire_file_maps_free(e.pcap_maps);              // and the files it read in place
    close(fd);
    return 0;
}
