/* Live IDS capture from one interface through libpcap (-i IF, --pcap=IF),
 * with an optional BPF filter (the words after the options, as tcpdump
 * takes them). One reader thread; packets carry the kernel's timestamps,
 * which drive the engine clock (the flow manager and stats run on the wall
 * clock when no -r is given). Counters: capture.pcap_live.pkts, .bytes,
 * .frames_cut, and the kernel's capture.kernel_packets and
 * capture.kernel_drops (pcap_stats: received, dropped by the buffer or the
 * interface), read every second and at the end. */
#include "acquire/acquire.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime.h"
#include "util/util-error.h"
#include "util/util-log.h"

typedef struct PcapLiveThread {
    ThreadVars *tv;
    pcap_t *pc;
    int linktype;
    uint32_t max_caplen;
    uint64_t pkt_cnt;
    CounterId c_pkts;
    CounterId c_bytes;
    CounterId c_cut;
    CounterId c_kernel_pkts;
    CounterId c_kernel_drops;
    uint64_t last_recv;          // pcap_stats values already added
    uint64_t last_drops;
} PcapLiveThread;

/* Open, activate and filter the interface; NULL after one logged line. */
static pcap_t *live_open(const char *iface, const char *filter, int snaplen)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_create(iface, errbuf);
    if (pc == NULL) {
        VG_ERROR("%s: cannot capture: %s", iface, errbuf);
        return NULL;
    }
    pcap_set_snaplen(pc, snaplen);
    pcap_set_promisc(pc, 1);
    pcap_set_timeout(pc, 100);
    pcap_set_immediate_mode(pc, 1);
    pcap_set_buffer_size(pc, 16 << 20);
    int rc = pcap_activate(pc);
    if (rc < 0) {
        const char *why = rc == PCAP_ERROR_NO_SUCH_DEVICE ? "no such interface"
                          : rc == PCAP_ERROR_PERM_DENIED  ? "permission denied (needs "
                                                            "CAP_NET_RAW: run as root)"
                          : rc == PCAP_ERROR_IFACE_NOT_UP ? "interface is down"
                                                          : pcap_geterr(pc);
        VG_ERROR("%s: cannot capture: %s", iface, why);
        pcap_close(pc);
        return NULL;
    }
    if (filter != NULL && filter[0] != '\0') {
        struct bpf_program prog;
        if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            VG_ERROR("BPF filter '%s': %s", filter, pcap_geterr(pc));
            pcap_close(pc);
            return NULL;
        }
        rc = pcap_setfilter(pc, &prog);
        pcap_freecode(&prog);
        if (rc != 0) {
            VG_ERROR("%s: cannot set BPF filter '%s': %s", iface, filter, pcap_geterr(pc));
            pcap_close(pc);
            return NULL;
        }
    }
    return pc;
}

int acquire_pcap_live_probe(const char *iface, const char *filter)
{
    pcap_t *pc = live_open(iface, filter, 256);
    if (pc == NULL) {
        return VG_EIO;
    }
    pcap_close(pc);
    return 0;
}

static int pcap_live_thread_init(ThreadVars *tv, void **data)
{
    Engine *e = tv->engine;
    PcapLiveThread *lt = calloc(1, sizeof(*lt));
    if (lt == NULL) {
        return TM_FAILED;
    }
    uint32_t buf = packet_pool_buffer_size(e->pool);
    lt->max_caplen = buf < 262144 ? buf : 262144;
    lt->pc = live_open(e->opts.live_iface, e->opts.bpf_filter, (int)lt->max_caplen);
    if (lt->pc == NULL) {
        free(lt);
        return TM_FAILED;
    }
    lt->tv = tv;
    lt->linktype = pcap_datalink(lt->pc);
    lt->c_pkts = counters_register("capture.pcap_live.pkts", COUNTER_SUM);
    lt->c_bytes = counters_register("capture.pcap_live.bytes", COUNTER_SUM);
    lt->c_cut = counters_register("capture.pcap_live.frames_cut", COUNTER_SUM);
    lt->c_kernel_pkts = counters_register("capture.kernel_packets", COUNTER_SUM);
    lt->c_kernel_drops = counters_register("capture.kernel_drops", COUNTER_SUM);
    VG_NOTICE("%s: capturing (link type %d%s%s)", e->opts.live_iface, lt->linktype,
              e->opts.bpf_filter ? ", filter " : "",
              e->opts.bpf_filter ? e->opts.bpf_filter : "");
    *data = lt;
    return TM_OK;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    PcapLiveThread *lt = (PcapLiveThread *)user;
    ThreadVars *tv = lt->tv;
    Engine *e = tv->engine;
    Packet *p = packet_pool_get(e->pool);
    uint32_t caplen = h->caplen;
    if (caplen > lt->max_caplen) {
        counters_incr(tv->counters, lt->c_cut);
        caplen = lt->max_caplen;
    }
    memcpy(p->data, bytes, caplen);
    p->caplen = caplen;
    p->wirelen = h->len;
    p->ts_sec = h->ts.tv_sec;
    p->ts_usec = (uint32_t)h->ts.tv_usec;
    p->linktype = lt->linktype;
    p->pcap_cnt = ++lt->pkt_cnt;
    if (!atomic_load(&e->have_start)) {
        atomic_store(&e->start_sec, p->ts_sec);
        atomic_store(&e->have_start, true);
    }
    if (p->ts_sec >= atomic_load(&e->now_sec)) {
        atomic_store(&e->now_usec, p->ts_usec);
        atomic_store(&e->now_sec, p->ts_sec);
    }
    counters_incr(tv->counters, lt->c_pkts);
    counters_add(tv->counters, lt->c_bytes, caplen);
    tm_thread_dispatch(tv, p);
}

static void kernel_stats(PcapLiveThread *lt)
{
    struct pcap_stat ps;
    if (pcap_stats(lt->pc, &ps) == 0) {
        /* Sums of what is new since the last read: a gauge would vanish
         * from the totals when this thread ends. */
        uint64_t drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
        if (ps.ps_recv >= lt->last_recv && drops >= lt->last_drops) {
            counters_add(lt->tv->counters, lt->c_kernel_pkts, ps.ps_recv - lt->last_recv);
            counters_add(lt->tv->counters, lt->c_kernel_drops, drops - lt->last_drops);
            lt->last_recv = ps.ps_recv;
            lt->last_drops = drops;
        }
    }
}

static int pcap_live_acquire_loop(ThreadVars *tv, void *data)
{
    PcapLiveThread *lt = data;
    Engine *e = tv->engine;
    time_t last = 0;
    /* Non-blocking reads after a poll with a timeout: the stop flag is seen
     * within 100 ms whatever libpcap does with its own timeout. */
    int fd = pcap_get_selectable_fd(lt->pc);
    char errbuf[PCAP_ERRBUF_SIZE];
    if (fd < 0 || pcap_setnonblock(lt->pc, 1, errbuf) != 0) {
        VG_ERROR("%s: cannot read the capture without blocking", e->opts.live_iface);
        return TM_FAILED;
    }
    while (!atomic_load(&e->stop)) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        tm_thread_idle(tv);   // nothing waits in a stage while the link is quiet
        (void)poll(&pfd, 1, 100);
        int n = pcap_dispatch(lt->pc, 64, on_packet, (u_char *)lt);
        if (n == PCAP_ERROR) {
            VG_ERROR("%s: capture failed: %s", e->opts.live_iface, pcap_geterr(lt->pc));
            atomic_store(&e->stop, true);
            return TM_FAILED;
        }
        time_t now = time(NULL);
        if (now != last) {
            last = now;
            kernel_stats(lt);
        }
    }
    /* What the kernel already holds for us is read too. */
    while (pcap_dispatch(lt->pc, 64, on_packet, (u_char *)lt) > 0) {
    }
    kernel_stats(lt);
    return TM_OK;
}

static void pcap_live_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    PcapLiveThread *lt = data;
    if (lt == NULL) {
        return;
    }
    pcap_close(lt->pc);
    free(lt);
}

const TmModule tm_module_pcap_live = {
    .hdr = TM_MODULE_HDR,
    .name = "pcap-live",
    .kind = TM_KIND_ACQUIRE,
    .thread_init = pcap_live_thread_init,
    .acquire_loop = pcap_live_acquire_loop,
    .thread_deinit = pcap_live_thread_deinit,
};
