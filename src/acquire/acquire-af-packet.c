/* Live IDS capture through AF_PACKET with TPACKET_V3 rings and fanout
 * (--af-packet=IF). Options come from the af-packet: list as Suricata writes
 * it: the entry whose interface is IF, else the "default" entry. Each
 * reader thread (that entry's threads of them, the
 * thread's index in its group telling them apart) opens its own socket and
 * ring, binds it to the interface and joins the fanout group cluster-id
 * with cluster-type (cluster_flow/hash/qm: both directions
 * of a flow reach the same socket; cluster_cpu; cluster_round_robin). A block handed to user space
 * is walked packet by packet (each copied into a pool packet and dispatched)
 * and handed back. Optional bpf-filter, compiled with libpcap and
 * attached to each socket. Counters: capture.af_packet.pkts, .bytes,
 * .frames_cut, capture.kernel_packets and capture.kernel_drops
 * (PACKET_STATISTICS, which resets on each read: added). */
#include "acquire/acquire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime.h"
#include "util/util-error.h"
#include "util/util-log.h"

typedef struct AfpConf {
    uint32_t block_size;
    uint32_t ring_blocks;
    uint16_t cluster_id;
    int cluster_type;            // PACKET_FANOUT_*
    const char *bpf;
    uint32_t threads;
} AfpConf;

typedef struct AfpThread {
    ThreadVars *tv;
    int fd;
    uint8_t *ring;
    size_t ring_len;
    uint32_t block_size;
    uint32_t n_blocks;
    uint32_t next_block;
    uint32_t max_caplen;
    uint64_t pkt_cnt;
    CounterId c_pkts;
    CounterId c_bytes;
    CounterId c_cut;
    CounterId c_kernel_pkts;
    CounterId c_kernel_drops;
} AfpThread;

/* The af-packet: list entry for iface: the one naming it, else the one
 * named "default", else none (built-in defaults). */
static const ConfNode *afp_entry(const Conf *conf, const char *iface)
{
    const ConfNode *list = conf_get_node(conf, NULL, "af-packet");
    const ConfNode *dflt = NULL;
    for (const ConfNode *n = list ? list->first_child : NULL; n != NULL; n = n->next) {
        const ConfNode *name = conf_node_child(n, "interface");
        if (name == NULL || name->value == NULL) {
            continue;
        }
        if (iface != NULL && strcmp(name->value, iface) == 0) {
            return n;
        }
        if (strcmp(name->value, "default") == 0) {
            dflt = n;
        }
    }
    return dflt;
}

static const char *entry_str(const ConfNode *e, const char *key, const char *dflt)
{
    const ConfNode *n = e != NULL ? conf_node_child(e, key) : NULL;
    return n != NULL && n->value != NULL ? n->value : dflt;
}

/* A number (or size with unit) of the entry; false with a logged line when bad. */
static bool entry_num(const ConfNode *e, const char *key, int64_t dflt, int64_t lo, int64_t hi,
                      bool is_size, int64_t *out)
{
    const ConfNode *n = e != NULL ? conf_node_child(e, key) : NULL;
    *out = dflt;
    if (n == NULL || n->value == NULL) {
        return true;
    }
    uint64_t u = 0;
    int64_t v = 0;
    bool ok = is_size ? conf_parse_size(n->value, &u) : conf_parse_int(n->value, &v);
    if (is_size) {
        v = u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)u;
    }
    if (!ok || v < lo || v > hi) {
        VG_ERROR("%s:%d: af-packet: %s: '%s' is not %s %" PRId64 "..%" PRId64, n->file, n->line,
                 key, n->value, is_size ? "a size" : "a number", lo, hi);
        return false;
    }
    *out = v;
    return true;
}

static int afp_read_conf(const Conf *conf, const char *iface, AfpConf *ac)
{
    const ConfNode *e = afp_entry(conf, iface);
    int64_t bs, rs, cid, threads;
    bool ok = entry_num(e, "block-size", 1 << 20, 65536, 64 << 20, true, &bs);
    ok = entry_num(e, "ring-size", 64, 2, 4096, false, &rs) && ok;
    ok = entry_num(e, "cluster-id", 99, 0, 65535, false, &cid) && ok;
    ok = entry_num(e, "threads", 1, 1, 32, false, &threads) && ok;
    if (!ok) {
        return VG_EINVAL;
    }
    if ((bs & (bs - 1)) != 0) {
        VG_ERROR("af-packet: block-size %" PRId64 " is not a power of two", bs);
        return VG_EINVAL;
    }
    const char *ct = entry_str(e, "cluster-type", "cluster_flow");
    ac->bpf = entry_str(e, "bpf-filter", NULL);
    if (strcmp(ct, "cluster_flow") == 0 || strcmp(ct, "cluster_qm") == 0 ||
        strcmp(ct, "cluster_hash") == 0) {
        ac->cluster_type = PACKET_FANOUT_HASH;
    } else if (strcmp(ct, "cluster_cpu") == 0) {
        ac->cluster_type = PACKET_FANOUT_CPU;
    } else if (strcmp(ct, "cluster_round_robin") == 0) {
        ac->cluster_type = PACKET_FANOUT_LB;
    } else {
        VG_ERROR("af-packet: cluster-type '%s' is not cluster_flow, cluster_hash, cluster_qm, "
                 "cluster_cpu or cluster_round_robin", ct);
        return VG_EINVAL;
    }
    ac->block_size = (uint32_t)bs;
    ac->ring_blocks = (uint32_t)rs;
    ac->cluster_id = (uint16_t)cid;
    ac->threads = (uint32_t)threads;
    return 0;
}

int acquire_af_packet_conf_check(const struct Conf *conf)
{
    /* Every entry of the list, so that a bad value is found whatever runs. */
    const ConfNode *list = conf_get_node(conf, NULL, "af-packet");
    int rc = 0;
    for (const ConfNode *n = list ? list->first_child : NULL; n != NULL; n = n->next) {
        AfpConf ac;
        rc |= afp_read_conf(conf, entry_str(n, "interface", NULL), &ac);
    }
    return rc == 0 ? 0 : VG_EINVAL;
}

const char *acquire_af_packet_default_iface(const struct Conf *conf)
{
    const ConfNode *list = conf_get_node(conf, NULL, "af-packet");
    for (const ConfNode *n = list ? list->first_child : NULL; n != NULL; n = n->next) {
        const char *name = entry_str(n, "interface", NULL);
        if (name != NULL && strcmp(name, "default") != 0) {
            return name;
        }
    }
    return NULL;
}

uint32_t acquire_af_packet_threads(const struct Conf *conf, const char *iface)
{
    AfpConf ac;
    return afp_read_conf(conf, iface, &ac) == 0 ? ac.threads : 1;
}

static int attach_bpf(int fd, const char *iface, const char *filter)
{
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    struct bpf_program prog;
    if (dead == NULL || pcap_compile(dead, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        VG_ERROR("BPF filter '%s': %s", filter, dead ? pcap_geterr(dead) : "out of memory");
        if (dead != NULL) {
            pcap_close(dead);
        }
        return VG_EINVAL;
    }
    struct sock_fprog fp = {.len = (unsigned short)prog.bf_len,
                            .filter = (struct sock_filter *)prog.bf_insns};
    int rc = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
    pcap_freecode(&prog);
    pcap_close(dead);
    if (rc != 0) {
        VG_ERROR("%s: cannot attach BPF filter '%s': %s", iface, filter, strerror(errno));
        return VG_EIO;
    }
    return 0;
}

/* Socket, ring, bind, fanout; -1 after one logged line. */
static int afp_open(AfpThread *at, const char *iface, const AfpConf *ac, bool join_fanout)
{
    unsigned ifindex = if_nametoindex(iface);
    if (ifindex == 0) {
        VG_ERROR("%s: cannot capture: no such interface", iface);
        return -1;
    }
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd < 0) {
        VG_ERROR("%s: cannot open an AF_PACKET socket: %s%s", iface, strerror(errno),
                 errno == EPERM ? " (needs CAP_NET_RAW: run as root)" : "");
        return -1;
    }
    int ver = TPACKET_V3;
    struct tpacket_req3 req = {
        .tp_block_size = ac->block_size,
        .tp_block_nr = ac->ring_blocks,
        .tp_frame_size = 2048,
        .tp_frame_nr = (ac->block_size / 2048) * ac->ring_blocks,
        .tp_retire_blk_tov = 10,
    };
    const char *what = NULL;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) != 0) {
        what = "TPACKET_V3 unsupported";
    } else if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) != 0) {
        what = "cannot allocate the ring (af-packet.ring-size, block-size)";
    }
    if (what != NULL) {
        VG_ERROR("%s: %s: %s", iface, what, strerror(errno));
        close(fd);
        return -1;
    }
    size_t len = (size_t)ac->block_size * ac->ring_blocks;
    void *ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd, 0);
    if (ring == MAP_FAILED) {
        ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    if (ring == MAP_FAILED) {
        VG_ERROR("%s: cannot map the ring: %s", iface, strerror(errno));
        close(fd);
        return -1;
    }
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                              .sll_ifindex = (int)ifindex};
    int fanout = ac->cluster_id | (ac->cluster_type << 16);
    if (ac->bpf != NULL && ac->bpf[0] != '\0' && attach_bpf(fd, iface, ac->bpf) != 0) {
        what = "";
    } else if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
        what = "cannot bind";
    } else if (join_fanout &&
               setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &fanout, sizeof(fanout)) != 0) {
        what = "cannot join the fanout group (af-packet.cluster-id in use with another type?)";
    }
    if (what != NULL) {
        if (what[0] != '\0') {
            VG_ERROR("%s: %s: %s", iface, what, strerror(errno));
        }
        munmap(ring, len);
        close(fd);
        return -1;
    }
    at->fd = fd;
    at->ring = ring;
    at->ring_len = len;
    at->block_size = ac->block_size;
    at->n_blocks = ac->ring_blocks;
    return 0;
}

static void afp_close(AfpThread *at)
{
    if (at->ring != NULL) {
        munmap(at->ring, at->ring_len);
    }
    if (at->fd >= 0) {
        close(at->fd);
    }
    at->ring = NULL;
    at->fd = -1;
}

int acquire_af_packet_probe(const char *iface, const struct Conf *conf)
{
    AfpConf ac;
    if (afp_read_conf(conf, iface, &ac) != 0) {
        return VG_EINVAL;
    }
    AfpThread at = {.fd = -1};
    if (afp_open(&at, iface, &ac, false) != 0) {
        return VG_EIO;
    }
    afp_close(&at);
    return 0;
}

static int afp_thread_init(ThreadVars *tv, void **data)
{
    Engine *e = tv->engine;
    AfpConf ac;
    if (afp_read_conf(e->conf, e->opts.af_packet_iface, &ac) != 0) {
        return TM_FAILED;
    }
    AfpThread *at = calloc(1, sizeof(*at));
    if (at == NULL) {
        return TM_FAILED;
    }
    at->fd = -1;
    if (afp_open(at, e->opts.af_packet_iface, &ac, true) != 0) {
        free(at);
        return TM_FAILED;
    }
    at->tv = tv;
    uint32_t buf = packet_pool_buffer_size(e->pool);
    at->max_caplen = buf;
    at->c_pkts = counters_register("capture.af_packet.pkts", COUNTER_SUM);
    at->c_bytes = counters_register("capture.af_packet.bytes", COUNTER_SUM);
    at->c_cut = counters_register("capture.af_packet.frames_cut", COUNTER_SUM);
    at->c_kernel_pkts = counters_register("capture.kernel_packets", COUNTER_SUM);
    at->c_kernel_drops = counters_register("capture.kernel_drops", COUNTER_SUM);
    VG_NOTICE("%s: AF_PACKET reader %u capturing (fanout group %u)", e->opts.af_packet_iface,
              tv->group_index + 1, ac.cluster_id);
    *data = at;
    return TM_OK;
}

static void afp_packet(AfpThread *at, const struct tpacket3_hdr *h)
{
    ThreadVars *tv = at->tv;
    Engine *e = tv->engine;
    Packet *p = packet_pool_get(e->pool);
    uint32_t caplen = h->tp_snaplen;
    if (caplen > at->max_caplen) {
        counters_incr(tv->counters, at->c_cut);
        caplen = at->max_caplen;
    }
    memcpy(p->data, (const uint8_t *)h + h->tp_mac, caplen);
    p->caplen = caplen;
    p->wirelen = h->tp_len;
    p->ts_sec = h->tp_sec;
    p->ts_usec = h->tp_nsec / 1000;
    p->linktype = LINKTYPE_ETHERNET;
    p->pcap_cnt = ++at->pkt_cnt;
    if (!atomic_load(&e->have_start)) {
        atomic_store(&e->start_sec, p->ts_sec);
        atomic_store(&e->have_start, true);
    }
    if (p->ts_sec >= atomic_load(&e->now_sec)) {
        atomic_store(&e->now_usec, p->ts_usec);
        atomic_store(&e->now_sec, p->ts_sec);
    }
    counters_incr(tv->counters, at->c_pkts);
    counters_add(tv->counters, at->c_bytes, caplen);
    tm_thread_dispatch(tv, p);
}

/* Walk every block user space owns, in ring order; returns blocks read. */
static uint32_t afp_read_blocks(AfpThread *at)
{
    uint32_t n = 0;
    for (;;) {
        struct tpacket_block_desc *bd =
            (struct tpacket_block_desc *)(at->ring + (size_t)at->next_block * at->block_size);
        if ((__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) ==
            0) {
            return n;
        }
        const uint8_t *ptr = (const uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
        for (uint32_t i = 0; i < bd->hdr.bh1.num_pkts; i++) {
            const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)ptr;
            afp_packet(at, h);
            ptr += h->tp_next_offset;
        }
        __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        at->next_block = (at->next_block + 1) % at->n_blocks;
        n++;
    }
}

static void afp_kernel_stats(AfpThread *at)
{
    struct tpacket_stats_v3 st;
    socklen_t len = sizeof(st);
    if (getsockopt(at->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
        counters_add(at->tv->counters, at->c_kernel_pkts, st.tp_packets);
        counters_add(at->tv->counters, at->c_kernel_drops, st.tp_drops);
    }
}

static int afp_acquire_loop(ThreadVars *tv, void *data)
{
    AfpThread *at = data;
    Engine *e = tv->engine;
    time_t last = 0;
    while (!atomic_load(&e->stop)) {
        struct pollfd pfd = {.fd = at->fd, .events = POLLIN | POLLERR};
        tm_thread_idle(tv);   // nothing waits in a stage while the link is quiet
        (void)poll(&pfd, 1, 100);
        afp_read_blocks(at);
        time_t now = time(NULL);
        if (now != last) {
            last = now;
            afp_kernel_stats(at);
        }
    }
    /* A block the kernel has not retired yet is retired within
     * tp_retire_blk_tov (10 ms): wait for it once, then read what is left. */
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 30000000};
    nanosleep(&nap, NULL);
    afp_read_blocks(at);
    afp_kernel_stats(at);
    return TM_OK;
}

static void afp_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    AfpThread *at = data;
    if (at == NULL) {
        return;
    }
    afp_close(at);
    free(at);
}

const TmModule tm_module_af_packet = {
    .hdr = TM_MODULE_HDR,
    .name = "af-packet",
    .kind = TM_KIND_ACQUIRE,
    .thread_init = afp_thread_init,
    .acquire_loop = afp_acquire_loop,
    .thread_deinit = afp_thread_deinit,
};
