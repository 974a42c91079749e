/* Inline acquisition from NFQUEUE (libnetfilter_queue).
 *
 * One reader thread per queue (-q N, -q A:B): the thread with index i in its
 * group binds opts.nfq_queues[i]. Each packet the kernel hands over is copied
 * into a pool packet that carries the queue state, its packet id and mark,
 * and a verdict function. The verdict stage (respond-verdict.c) calls that
 * function once: NF_DROP for a packet marked PKT_F_DROP, else what nfq.mode
 * says (accept, repeat with a mark, route to another queue). A packet that
 * never reaches the verdict stage gets its verdict when it goes back to the
 * pool (runtime-thread.c), so every packet taken from the kernel is answered
 * exactly once. Verdicts may come from any packet thread: sending on the
 * queue's netlink socket is serialised by the queue's lock. At the end the
 * reader waits until every packet it took has had its verdict, then unbinds.
 *
 * Batch verdicts (nfq.batchcount N > 1): a plain accept (no mark to set) is
 * not sent at once but remembered; the kernel takes one batch verdict for
 * every packet of the queue up to an id. That is only right when no packet
 * up to that id is still being inspected, so a batch goes only while every
 * packet taken has been decided (undecided == 0): then the batch, with the
 * highest deferred id, covers exactly the deferred packets (anything later
 * has a higher id: the reader takes them in id order). Otherwise (workers
 * deciding out of order) the deferred accepts go one by one. They go when N
 * are waiting, when the reader finds its socket empty, at the latest after
 * 1 ms (the reader's poll while packets are out), and at shutdown. Counters:
 * nfq.verdicts.batches (batch messages) and .batched (packets they covered).
 *
 * GSO (nfq.gso, default yes): the kernel hands over the super-packets its
 * stack built (up to 64 KiB) instead of cutting each into segments first,
 * so one read and one verdict cover what would be dozens of segments. Their
 * checksums are not filled in yet (the NIC or the stack does it on the way
 * out): such packets carry PKT_F_CSUM_UNFINISHED and their checksums are not
 * validated. With nfq.gso off, the kernel segments and checksums first.
 *
 * Live time: packets carry the kernel's timestamp (or the wall clock); the
 * engine clock follows it without the offline packet-time machinery (the
 * flow manager and stats run on the wall clock when no -r is given). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime.h"
#include "util/util-error.h"
#include "util/util-log.h"

typedef enum NfqMode {
    NFQ_MODE_ACCEPT = 0,
    NFQ_MODE_REPEAT,
    NFQ_MODE_ROUTE,
} NfqMode;

/* The state of one bound queue: owned by its reader thread, shared with the
 * threads that give verdicts for its packets until in_flight reaches 0. */
#define NFQ_BATCH_MAX 1024

typedef struct NfqQueue {
    struct nfq_handle *h;
    struct nfq_q_handle *qh;
    pthread_mutex_t lock;        // serialises verdicts (sendmsg on the socket)
    _Atomic uint64_t in_flight;  // packets taken, verdict not yet given
    uint16_t num;
    NfqMode mode;
    uint32_t repeat_mark;
    uint32_t repeat_mask;
    uint32_t bypass_mark;        // nfq.bypass-mark / -mask: set on passing packets of
    uint32_t bypass_mask;        // bypassed flows (mask 0: off)
    uint16_t route_queue;
    CounterId c_accepted;
    CounterId c_dropped;
    CounterId c_repeated;
    CounterId c_routed;
    CounterId c_bypass_marked;
    CounterId c_verdict_errors;
    CounterId c_batches;
    CounterId c_batched;
    /* batch verdicts, under lock (batchcount 1: off, none of it used) */
    uint32_t batchcount;
    uint32_t undecided;          // taken, verdict not decided yet
    uint32_t n_deferred;         // accepted, verdict not sent yet
    uint32_t deferred_max_id;
    uint32_t deferred_ids[NFQ_BATCH_MAX];
} NfqQueue;

typedef struct NfqThread {
    ThreadVars *tv;
    NfqQueue q;
    uint32_t max_caplen;
    uint64_t pkt_cnt;
    CounterId c_pkts;
    CounterId c_bytes;
    CounterId c_enobufs;
    CounterId c_recv_errors;
    CounterId c_kernel_dropped;
    CounterId c_user_dropped;
    CounterId c_cut;
    uint64_t last_qdrop;         // kernel counters already added
    uint64_t last_udrop;
    bool is_bound;
} NfqThread;

/* Send the deferred accepts (q->lock held): one batch verdict when nothing
 * taken is undecided, else one verdict each. */
static void nfq_flush_locked(NfqQueue *q, CounterSet *cs)
{
    uint32_t n = q->n_deferred;
    if (n == 0) {
        return;
    }
    bool is_batch = q->undecided == 0 &&
                    nfq_set_verdict_batch(q->qh, q->deferred_max_id, NF_ACCEPT) >= 0;
    uint32_t errors = 0;
    for (uint32_t i = 0; !is_batch && i < n; i++) {
        errors += nfq_set_verdict(q->qh, q->deferred_ids[i], NF_ACCEPT, 0, NULL) < 0;
    }
    if (cs != NULL) {
        if (is_batch) {
            counters_incr(cs, q->c_batches);
            counters_add(cs, q->c_batched, n);
        }
        counters_add(cs, q->c_verdict_errors, errors);
    }
    q->n_deferred = 0;
    q->deferred_max_id = 0;
    atomic_fetch_sub(&q->in_flight, n);
}

static void nfq_flush(NfqQueue *q, CounterSet *cs)
{
    if (q->batchcount > 1) {
        pthread_mutex_lock(&q->lock);
        nfq_flush_locked(q, cs);
        pthread_mutex_unlock(&q->lock);
    }
}

static void nfq_verdict(Packet *p, CounterSet *cs)
{
    NfqQueue *q = p->verdict_ctx;
    uint32_t verdict = NF_ACCEPT;
    uint32_t mark = p->mark;
    bool set_mark = false;
    CounterId cid = q->c_accepted;
    if (p->flags & PKT_F_DROP) {
        verdict = NF_DROP;
        cid = q->c_dropped;
    } else if (q->mode == NFQ_MODE_REPEAT) {
        verdict = NF_REPEAT;
        mark = (mark & ~q->repeat_mask) | (q->repeat_mark & q->repeat_mask);
        set_mark = true;
        cid = q->c_repeated;
    } else if (q->mode == NFQ_MODE_ROUTE) {
        verdict = NF_QUEUE_NR(q->route_queue);
        cid = q->c_routed;
    }
    /* a passing packet of a bypassed flow carries the bypass mark, so that the
     * ruleset (CONNMARK --save-mark / -m mark) can keep its flow out of the queue */
    bool bypass_mark = q->bypass_mask != 0 && !(p->flags & PKT_F_DROP) &&
                       (p->flags & PKT_F_BYPASS);
    if (bypass_mark) {
        mark = (mark & ~q->bypass_mask) | (q->bypass_mark & q->bypass_mask);
        set_mark = true;
    }
    pthread_mutex_lock(&q->lock);
    if (q->batchcount > 1) {
        if (verdict == NF_ACCEPT && !set_mark) {
            q->undecided--;
            /* deferred: its verdict goes with a batch (in_flight drops then) */
            q->deferred_ids[q->n_deferred++] = p->verdict_id;
            if (q->n_deferred == 1 || (int32_t)(p->verdict_id - q->deferred_max_id) > 0) {
                q->deferred_max_id = p->verdict_id;
            }
            if (cs != NULL) {
                counters_incr(cs, q->c_accepted);
            }
            if (q->n_deferred >= q->batchcount) {
                nfq_flush_locked(q, cs);
            }
            /* q is not touched after this: once its verdict is flushed (by
             * any thread) the reader may free it */
            pthread_mutex_unlock(&q->lock);
            return;
        }
        /* before this packet counts as decided: a batch must not cover it */
        nfq_flush_locked(q, cs);
        q->undecided--;
    }
    int rc = set_mark ? nfq_set_verdict2(q->qh, p->verdict_id, verdict, mark, 0, NULL)
                      : nfq_set_verdict(q->qh, p->verdict_id, verdict, 0, NULL);
    pthread_mutex_unlock(&q->lock);
    if (cs != NULL) {
        counters_incr(cs, rc < 0 ? q->c_verdict_errors : cid);
        if (rc >= 0 && bypass_mark) {
            counters_incr(cs, q->c_bypass_marked);
        }
    }
    atomic_fetch_sub(&q->in_flight, 1);
}

static int nfq_on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                         void *data)
{
    (void)qh;
    (void)msg;
    NfqThread *nt = data;
    ThreadVars *tv = nt->tv;
    Engine *e = tv->engine;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (ph == NULL) {
        return 0;
    }
    uint32_t id = ntohl(ph->packet_id);
    unsigned char *payload = NULL;
    int len = nfq_get_payload(nfa, &payload);
    if (len < 0) {
        len = 0;
    }
    Packet *p = packet_pool_get(e->pool);
    uint32_t caplen = (uint32_t)len;
    if (caplen > nt->max_caplen) {
        counters_incr(tv->counters, nt->c_cut);
        caplen = nt->max_caplen;
    }
    if (caplen > 0) {
        memcpy(p->data, payload, caplen);
    }
    p->caplen = caplen;
    p->wirelen = (uint32_t)len;
    struct timeval ts;
    if (nfq_get_timestamp(nfa, &ts) != 0) {
        gettimeofday(&ts, NULL);
    }
    p->ts_sec = ts.tv_sec;
    p->ts_usec = (uint32_t)ts.tv_usec;
    p->linktype = LINKTYPE_RAW;
    p->pcap_cnt = ++nt->pkt_cnt;
    p->mark = nfq_get_nfmark(nfa);
    if (nfq_get_skbinfo(nfa) & (NFQA_SKB_CSUMNOTREADY | NFQA_SKB_GSO)) {
        p->flags |= PKT_F_CSUM_UNFINISHED;
    }
    p->verdict_id = id;
    p->verdict_queue = nt->q.num;
    p->verdict_ctx = &nt->q;
    p->verdict_fn = nfq_verdict;
    atomic_fetch_add(&nt->q.in_flight, 1);
    if (nt->q.batchcount > 1) {
        pthread_mutex_lock(&nt->q.lock);
        nt->q.undecided++;
        pthread_mutex_unlock(&nt->q.lock);
    }
    if (!atomic_load(&e->have_start)) {
        atomic_store(&e->start_sec, p->ts_sec);
        atomic_store(&e->have_start, true);
    }
    if (p->ts_sec >= atomic_load(&e->now_sec)) {
        atomic_store(&e->now_usec, p->ts_usec);
        atomic_store(&e->now_sec, p->ts_sec);
    }
    counters_incr(tv->counters, nt->c_pkts);
    counters_add(tv->counters, nt->c_bytes, caplen);
    tm_thread_dispatch(tv, p);
    return 0;
}

static int nfq_read_conf(const Conf *conf, NfqQueue *q)
{
    const char *mode = conf_str_or(conf, "nfq.mode", "accept");
    if (strcmp(mode, "accept") == 0) {
        q->mode = NFQ_MODE_ACCEPT;
    } else if (strcmp(mode, "repeat") == 0) {
        q->mode = NFQ_MODE_REPEAT;
    } else if (strcmp(mode, "route") == 0) {
        q->mode = NFQ_MODE_ROUTE;
    } else {
        VG_ERROR("nfq.mode: '%s' is not accept, repeat or route", mode);
        return VG_EINVAL;
    }
    bool bad = false;
    q->repeat_mark = (uint32_t)conf_int_or(conf, "nfq.repeat-mark", 1, &bad);
    q->repeat_mask = (uint32_t)conf_int_or(conf, "nfq.repeat-mask", 1, &bad);
    q->route_queue = (uint16_t)conf_int_or(conf, "nfq.route-queue", 0, &bad);
    q->bypass_mark = (uint32_t)conf_int_or(conf, "nfq.bypass-mark", 0, &bad);
    q->bypass_mask = (uint32_t)conf_int_or(conf, "nfq.bypass-mask", 0, &bad);
    int64_t batch = conf_int_or(conf, "nfq.batchcount", 1, &bad);
    if (bad) {
        VG_ERROR("nfq: repeat-mark, repeat-mask, bypass-mark, bypass-mask, route-queue and "
                 "batchcount are numbers");
        return VG_EINVAL;
    }
    if (batch < 1 || batch > NFQ_BATCH_MAX) {
        VG_ERROR("nfq.batchcount: %" PRId64 " is not 1..%d", batch, NFQ_BATCH_MAX);
        return VG_EINVAL;
    }
    q->batchcount = (uint32_t)batch;
    return 0;
}

/* Why a bind failed, for the operator. The kernel says EPERM both when
 * another process holds the queue and when we lack CAP_NET_ADMIN. */
static const char *bind_hint(int err)
{
    if (err == EPERM || err == EBUSY) {
        return geteuid() == 0 ? "already bound by another process"
                              : "needs CAP_NET_ADMIN: run as root, or the queue is bound by "
                                "another process";
    }
    return "is nfnetlink_queue available in this kernel?";
}

/* Bind queue num; on failure one line names the queue and the reason, and
 * nothing stays open. */
static int nfq_bind(NfqThread *nt, const Conf *conf)
{
    NfqQueue *q = &nt->q;
    q->h = nfq_open();
    if (q->h == NULL) {
        VG_ERROR("NFQUEUE %u: cannot open a netfilter queue socket: %s%s", q->num,
                 strerror(errno), errno == EPERM ? " (needs CAP_NET_ADMIN: run as root)" : "");
        return VG_EIO;
    }
    q->qh = nfq_create_queue(q->h, q->num, nfq_on_packet, nt);
    if (q->qh == NULL) {
        int err = errno;
        VG_ERROR("NFQUEUE %u: cannot bind the queue: %s (%s)", q->num, strerror(err),
                 bind_hint(err));
        nfq_close(q->h);
        q->h = NULL;
        return VG_EIO;
    }
    bool bad = false;
    uint32_t maxlen = (uint32_t)conf_int_or(conf, "nfq.queue-maxlen", 4096, &bad);
    uint64_t bufsz = conf_size_or(conf, "nfq.buffer-size", 8u << 20, &bad);
    bool fail_open = conf_bool_or(conf, "nfq.fail-open", false, &bad);
    bool gso = conf_bool_or(conf, "nfq.gso", true, &bad);
    const char *problem = NULL;
    if (nfq_set_mode(q->qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
        problem = "cannot set copy mode";
    } else if (nfq_set_queue_maxlen(q->qh, maxlen) < 0) {
        problem = "cannot set queue-maxlen";
    } else if (nfq_set_queue_flags(q->qh, NFQA_CFG_F_FAIL_OPEN,
                                   fail_open ? NFQA_CFG_F_FAIL_OPEN : 0) < 0) {
        problem = "the kernel refuses fail-open";
    } else if (gso && nfq_set_queue_flags(q->qh, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO) < 0) {
        VG_WARN("NFQUEUE %u: the kernel refuses GSO packets (%s); it segments them first",
                q->num, strerror(errno));
        gso = false;
    }
    if (problem != NULL) {
        VG_ERROR("NFQUEUE %u: %s: %s", q->num, problem, strerror(errno));
        nfq_destroy_queue(q->qh);
        nfq_close(q->h);
        q->h = NULL;
        return VG_EIO;
    }
    nfnl_rcvbufsiz(nfq_nfnlh(q->h), (unsigned int)bufsz);
    /* ENOBUFS is reported by recv; keep going. */
    int one = 1;
    setsockopt(nfq_fd(q->h), SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
    VG_NOTICE("NFQUEUE %u bound (mode %s, fail-open %s, gso %s, queue-maxlen %u, batchcount %u)",
              q->num,
              q->mode == NFQ_MODE_ACCEPT ? "accept" : q->mode == NFQ_MODE_REPEAT ? "repeat"
                                                                                 : "route",
              fail_open ? "yes" : "no", gso ? "yes" : "no", maxlen, q->batchcount);
    return 0;
}

int acquire_nfq_conf_check(const struct Conf *conf)
{
    NfqQueue q;
    memset(&q, 0, sizeof(q));
    bool bad = false;
    (void)conf_int_or(conf, "nfq.queue-maxlen", 4096, &bad);
    (void)conf_size_or(conf, "nfq.buffer-size", 8u << 20, &bad);
    (void)conf_bool_or(conf, "nfq.fail-open", false, &bad);
    (void)conf_bool_or(conf, "nfq.gso", true, &bad);
    if (bad) {
        VG_ERROR("nfq: queue-maxlen is a number, buffer-size a size, fail-open and gso yes or no");
        return VG_EINVAL;
    }
    return nfq_read_conf(conf, &q);
}

static int nfq_probe_cb(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                        void *data)
{
    (void)qh;
    (void)msg;
    (void)nfa;
    (void)data;
    return 0;
}

/* /proc/net/netfilter/nfnetlink_queue, opened by the probe while the process
 * may still read it (it is root's, mode 0440: after --user it could not be
 * opened) and read with pread from offset 0 by every queue thread; -1: none. */
static int g_proc_fd = -1;

int acquire_nfq_probe(const uint16_t *queues, int n)
{
    if (g_proc_fd < 0) {
        g_proc_fd = open("/proc/net/netfilter/nfnetlink_queue", O_RDONLY | O_CLOEXEC);
    }
    for (int i = 0; i < n; i++) {
        struct nfq_handle *h = nfq_open();
        if (h == NULL) {
            VG_ERROR("NFQUEUE %u: cannot open a netfilter queue socket: %s%s", queues[i],
                     strerror(errno),
                     errno == EPERM ? " (needs CAP_NET_ADMIN: run as root)" : "");
            return VG_EIO;
        }
        struct nfq_q_handle *qh = nfq_create_queue(h, queues[i], nfq_probe_cb, NULL);
        if (qh == NULL) {
            int err = errno;
            VG_ERROR("NFQUEUE %u: cannot bind the queue: %s (%s)", queues[i], strerror(err),
                     bind_hint(err));
            nfq_close(h);
            return VG_EIO;
        }
        nfq_destroy_queue(qh);
        nfq_close(h);
    }
    return 0;
}

static int nfq_thread_init(ThreadVars *tv, void **data)
{
    Engine *e = tv->engine;
    if ((int)tv->group_index >= e->opts.n_nfq_queues) {
        VG_ERROR("thread %s: no NFQUEUE left for it (%d queue(s) given with -q)", tv->name,
                 e->opts.n_nfq_queues);
        return TM_FAILED;
    }
    NfqThread *nt = calloc(1, sizeof(*nt));
    if (nt == NULL) {
        return TM_FAILED;
    }
    nt->tv = tv;
    nt->q.num = e->opts.nfq_queues[tv->group_index];
    if (nfq_read_conf(e->conf, &nt->q) != 0) {
        free(nt);
        return TM_FAILED;
    }
    pthread_mutex_init(&nt->q.lock, NULL);
    nt->c_pkts = counters_register("nfq.packets", COUNTER_SUM);
    nt->c_bytes = counters_register("nfq.bytes", COUNTER_SUM);
    nt->c_enobufs = counters_register("nfq.recv_enobufs", COUNTER_SUM);
    nt->c_recv_errors = counters_register("nfq.recv_errors", COUNTER_SUM);
    nt->c_kernel_dropped = counters_register("nfq.kernel.queue_dropped", COUNTER_SUM);
    nt->c_user_dropped = counters_register("nfq.kernel.user_dropped", COUNTER_SUM);
    nt->c_cut = counters_register("nfq.frames_cut", COUNTER_SUM);
    nt->q.c_accepted = counters_register("nfq.verdicts.accepted", COUNTER_SUM);
    nt->q.c_dropped = counters_register("nfq.verdicts.dropped", COUNTER_SUM);
    nt->q.c_repeated = counters_register("nfq.verdicts.repeated", COUNTER_SUM);
    nt->q.c_routed = counters_register("nfq.verdicts.routed", COUNTER_SUM);
    nt->q.c_bypass_marked = counters_register("nfq.bypass_marked", COUNTER_SUM);
    nt->q.c_verdict_errors = counters_register("nfq.verdicts.errors", COUNTER_SUM);
    nt->q.c_batches = counters_register("nfq.verdicts.batches", COUNTER_SUM);
    nt->q.c_batched = counters_register("nfq.verdicts.batched", COUNTER_SUM);
    uint32_t buf = packet_pool_buffer_size(e->pool);
    nt->max_caplen = buf < 65535 ? buf : 65535;
    if (nfq_bind(nt, e->conf) != 0) {
        pthread_mutex_destroy(&nt->q.lock);
        free(nt);
        return TM_FAILED;
    }
    nt->is_bound = true;
    *data = nt;
    return TM_OK;
}

/* The kernel's own counters of this queue (/proc/net/netfilter/nfnetlink_queue:
 * queue, portid, waiting, copy mode, copy range, queue_dropped,
 * user_dropped, last id, 1): packets dropped because the queue was full, and
 * because they could not be sent to us. */
static void nfq_kernel_stats(NfqThread *nt)
{
    char buf[8192];
    ssize_t got = g_proc_fd >= 0 ? pread(g_proc_fd, buf, sizeof(buf) - 1, 0) : -1;
    if (got <= 0) {
        return;
    }
    buf[got] = '\0';
    unsigned num, portid, waiting, mode, range;
    unsigned long long qdrop, udrop;
    for (char *line = buf; line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        if (nl == NULL) {
            break;               // a line cut by the buffer's end: not read half
        }
        *nl = '\0';
        if (sscanf(line, "%u %u %u %u %u %llu %llu", &num, &portid, &waiting, &mode, &range,
                   &qdrop, &udrop) == 7 &&
            num == nt->q.num) {
            /* Added as sums: a gauge would vanish from the totals when
             * this thread ends. */
            if (qdrop >= nt->last_qdrop && udrop >= nt->last_udrop) {
                counters_add(nt->tv->counters, nt->c_kernel_dropped, qdrop - nt->last_qdrop);
                counters_add(nt->tv->counters, nt->c_user_dropped, udrop - nt->last_udrop);
                nt->last_qdrop = qdrop;
                nt->last_udrop = udrop;
            }
        }
        line = nl + 1;
    }
}

static int nfq_acquire_loop(ThreadVars *tv, void *data)
{
    NfqThread *nt = data;
    Engine *e = tv->engine;
    int fd = nfq_fd(nt->q.h);
    /* Large enough for a 64 KiB packet and its netlink attributes. */
    static _Thread_local char buf[65536 + 4096] __attribute__((aligned));
    time_t last_stats = 0;
    bool stopping = false;
    bool is_batching = nt->q.batchcount > 1;
    for (;;) {
        if (!stopping && atomic_load(&e->stop)) {
            stopping = true;   // take what the kernel already handed over, then end
        }
        tm_thread_idle(tv);   // a packet owed a verdict never waits in a stage
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            nfq_handle_packet(nt->q.h, buf, (int)n);
        } else if (n < 0 && errno == ENOBUFS) {
            counters_incr(tv->counters, nt->c_enobufs);
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (is_batching) {
                nfq_flush(&nt->q, tv->counters);   // nothing more queued: the batch goes
            }
            if (stopping) {
                break;
            }
            /* Wake up regularly to notice the end of the run, and within
             * 1 ms while packets are out: accepts deferred by other threads
             * go then. */
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            int wait_ms = is_batching && atomic_load(&nt->q.in_flight) > 0 ? 1 : 200;
            (void)poll(&pfd, 1, wait_ms);
            continue;
        } else {
            VG_ERROR("NFQUEUE %u: read failed: %s", nt->q.num,
                     n == 0 ? "socket closed" : strerror(errno));
            counters_incr(tv->counters, nt->c_recv_errors);
            atomic_store(&e->stop, true);
            break;
        }
        time_t now = time(NULL);
        if (now != last_stats) {
            last_stats = now;
            nfq_kernel_stats(nt);
        }
    }
    return TM_OK;
}

/* Every packet taken must have had its verdict before the queue goes: the
 * threads after this one are still running and give them. */
static void nfq_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    NfqThread *nt = data;
    if (nt == NULL) {
        return;
    }
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 1000000};
    unsigned waited_ms = 0;
    while (atomic_load(&nt->q.in_flight) > 0) {
        nfq_flush(&nt->q, tv != NULL ? tv->counters : NULL);   // deferred accepts
        nanosleep(&nap, NULL);
        if (++waited_ms % 5000 == 0) {
            VG_WARN("NFQUEUE %u: still waiting for %" PRIu64 " verdict(s)", nt->q.num,
                    (uint64_t)atomic_load(&nt->q.in_flight));
        }
    }
    if (nt->is_bound) {
        if (tv->counters != NULL) {
            nfq_kernel_stats(nt);
        }
        nfq_destroy_queue(nt->q.qh);
        nfq_close(nt->q.h);
    }
    pthread_mutex_destroy(&nt->q.lock);
    free(nt);
}

const TmModule tm_module_nfq = {
    .hdr = TM_MODULE_HDR,
    .name = "nfq",
    .kind = TM_KIND_ACQUIRE,
    .thread_init = nfq_thread_init,
    .acquire_loop = nfq_acquire_loop,
    .thread_deinit = nfq_thread_deinit,
};
