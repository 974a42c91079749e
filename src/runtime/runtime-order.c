/* Packet order for cross-flow state: see runtime-order.h.
 *
 * Completions are kept as a bitmap ring indexed by sequence number, from the
 * lowest number not yet released (next) upwards; the ring doubles when a
 * completion lies beyond it (a packet parked in a quiet worker's queue while
 * the others run far ahead). One mutex guards it; threads publish their
 * completions in batches, so it is taken about once per TM_BATCH packets.
 * autofp and workers use lanes instead (below): no lock, no batch.
 *
 * Why a waiter always gets its turn: the lowest unreleased packet m waits for
 * nothing (everything below it is released), and it is either being worked on,
 * in a queue, or staged in a thread that feeds a queue. A waiter hands on what
 * its own thread holds back, bumps flush_gen (feeding threads hand their
 * stages on when they see it; they stage and push oldest first, so a push that
 * blocks on a full queue never holds back an older packet) and wakes every
 * registered queue's consumer, again every few milliseconds while it waits. */
#include "runtime/runtime-order.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/runtime-internal.h"
#include "runtime/runtime.h"
#include "util/util-error.h"
#include "util/util-log.h"
#include "util/util-time.h"

#define ORDER_RING_MIN_BITS (1u << 16)
#define ORDER_MAX_QUEUES 256
#define ORDER_POKE_MS 5

typedef struct OrderState {
    pthread_mutex_t lock;
    pthread_cond_t released;
    uint64_t next;                   // lowest number not yet released (guarded)
    uint8_t *ring;                   // bit (seq % ring_bits): released (guarded)
    uint64_t ring_bits;              // a power of two
    uint32_t n_waiting;              // guarded
    /* Each on a cache line of its own: issued is written for every packet (by the
     * reader), next_pub for every TM_BATCH releases, flush_gen by waiters, and
     * every packet thread reads enabled and flush_gen per packet. On one line
     * they made every worker miss per packet (issue 15). */
    _Alignas(64) _Atomic uint64_t next_pub;  // next, for a look without the lock
    _Alignas(64) _Atomic uint64_t issued;    // numbers handed out
    _Alignas(64) _Atomic uint64_t flush_gen;
    _Alignas(64) _Atomic bool enabled;
    PacketQueue *queues[ORDER_MAX_QUEUES];
    uint32_t n_queues;               // written before threads start
} OrderState;

static OrderState g_order = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .released = PTHREAD_COND_INITIALIZER,
    .next = 1,
    .next_pub = 1,
};

/* ---- lanes: release order without a lock (runtime_order_set_lanes) ----
 * When one steering thread hands every root to N queues, each drained by one
 * thread that releases them (autofp, workers), each queue is a lane whose packets
 * are released in the order they were handed to it. The lowest unreleased number
 * is then the smallest of: the lowest number not yet handed to a lane, and for
 * each lane, the number of its oldest packet not yet released (seqs[n_out]).
 * The steering thread writes seqs and n_in, the lane's thread n_out, each per
 * packet on a cache line of its own; nobody takes a lock to release, and a waiter
 * sees every release at once instead of TM_BATCH at a time (issue 15: waiting for
 * a batch to be published kept the other core idle). The ring holds more than the
 * pool: a lane never has more roots in it than there are pool packets. */
#define ORDER_MAX_LANES 64
#define ORDER_LANE_NONE UINT32_MAX
#define ORDER_SPIN_NS 20000L

typedef struct OrderLane {
    _Alignas(64) _Atomic uint64_t n_in;      // roots handed to the lane (steering thread)
    _Atomic uint64_t *seqs;                  // their numbers, ring of mask + 1
    /* n_out as the steering thread last read it (its own): it reads n_out again only
     * when the ring looks full by this. Read for every packet, n_out's line went back
     * and forth between the two cores twice a packet (issue 15). */
    uint64_t out_seen;
    _Alignas(64) _Atomic uint64_t n_out;     // roots the lane's thread released
} OrderLane;

typedef struct OrderLanes {
    const QueueHandler *handler;   // the lanes' queues; NULL: lanes off (bitmap)
    uint32_t n;
    uint64_t mask;
    _Alignas(64) _Atomic uint64_t handed;   // lowest number not yet handed to a lane
    _Alignas(64) _Atomic uint32_t n_sleeping;    // waiters asleep on g_order.released
    _Atomic uint64_t sleep_target;               // the lowest `until` they sleep for
    OrderLane lane[ORDER_MAX_LANES];
} OrderLanes;

static OrderLanes g_lanes;
static _Thread_local uint32_t tl_lane = ORDER_LANE_NONE;

static bool lanes_on(void)
{
    return g_lanes.handler != NULL;
}

/* The lowest number not yet released: lane mode. */
static uint64_t lanes_watermark(void)
{
    uint64_t w = atomic_load_explicit(&g_lanes.handed, memory_order_acquire);
    for (uint32_t l = 0; l < g_lanes.n; l++) {
        OrderLane *ln = &g_lanes.lane[l];
        for (;;) {
            uint64_t out = atomic_load_explicit(&ln->n_out, memory_order_acquire);
            uint64_t in = atomic_load_explicit(&ln->n_in, memory_order_acquire);
            if (out >= in) {
                break;
            }
            uint64_t s = atomic_load_explicit(&ln->seqs[out & g_lanes.mask], memory_order_relaxed);
            if (atomic_load_explicit(&ln->n_out, memory_order_acquire) != out) {
                continue;   // released meanwhile: the slot may hold a newer number
            }
            w = s < w ? s : w;
            break;
        }
    }
    return w;
}

/* ---- the flows a steering thread shares out (runtime_order_steer) ----
 * A direct-mapped table, written by the steering thread only: for a flow, the
 * number and queue of its last packet steered. A flow whose entry another took
 * is not known any more: its last packet is then numbered at most `evicted`,
 * the highest number an evicted entry held, which is what a packet of it waits
 * for when it goes to a queue. Recycled flows (the same pointer for a new flow)
 * only make a packet wait when it need not. */
#define STEER_SLOTS 4096u

typedef struct SteerSlot {
    const void *flow;
    uint64_t seq;
    uint32_t queue;
} SteerSlot;

static SteerSlot g_steer[STEER_SLOTS];
static uint64_t g_steer_evicted;
static _Thread_local uint64_t tl_steer_after;

/* ---- address pairs (runtime_order_pair_*) ----
 * A direct-mapped table, written by the steering thread only: per slot, the number
 * of the last root handed on with a pair of that slot, its lane, and the highest
 * number of such a root handed to another lane. Pairs sharing a slot are one pair
 * here: a packet may wait for more than it must, never for less. */
#define PAIR_SLOTS 16384u

typedef struct PairSlot {
    uint64_t last;
    uint64_t other;      // highest number on a lane other than `lane`
    uint32_t lane;
} PairSlot;

static PairSlot g_pairs[PAIR_SLOTS];
static _Thread_local uint64_t tl_pair;       // the current packet's stamp (0: none)
static _Thread_local uint32_t tl_pair_slot;

static _Thread_local uint64_t tl_cur;        // the packet this thread works on
static _Thread_local uint64_t tl_waited;     // the packet that already waited
static _Thread_local ThreadVars *tl_tv;
static _Thread_local uint64_t tl_done[TM_BATCH];
static _Thread_local uint32_t tl_n_done;

static void lanes_free(void)
{
    for (uint32_t l = 0; l < g_lanes.n; l++) {
        free(g_lanes.lane[l].seqs);
    }
    memset(&g_lanes, 0, sizeof(g_lanes));
}

void runtime_order_enable(bool on)
{
    pthread_mutex_lock(&g_order.lock);
    lanes_free();
    if (on) {
        g_order.next = 1;
        atomic_store(&g_order.next_pub, 1);
        atomic_store(&g_order.issued, 0);
        if (g_order.ring != NULL) {
            memset(g_order.ring, 0, g_order.ring_bits / 8);
        }
        memset(g_steer, 0, sizeof(g_steer));
        g_steer_evicted = 0;
        memset(g_pairs, 0, sizeof(g_pairs));
    } else {
        free(g_order.ring);
        g_order.ring = NULL;
        g_order.ring_bits = 0;
        g_order.n_queues = 0;
    }
    atomic_store(&g_order.enabled, on);
    pthread_mutex_unlock(&g_order.lock);
    tl_n_done = 0;
    tl_lane = ORDER_LANE_NONE;
}

int runtime_order_set_lanes(const QueueHandler *qh, uint32_t max_roots)
{
    if (!runtime_order_is_enabled() || qh == NULL || qh->n_queues == 0 ||
        qh->n_queues > ORDER_MAX_LANES) {
        return VG_EINVAL;
    }
    uint64_t size = 64;
    while (size < 2u * (uint64_t)max_roots) {
        size *= 2;
    }
    pthread_mutex_lock(&g_order.lock);
    lanes_free();
    int rc = 0;
    for (uint32_t l = 0; l < qh->n_queues && rc == 0; l++) {
        g_lanes.lane[l].seqs = calloc(size, sizeof(g_lanes.lane[l].seqs[0]));
        g_lanes.n = l + 1;
        rc = g_lanes.lane[l].seqs == NULL ? VG_ENOMEM : 0;
    }
    if (rc != 0) {
        lanes_free();   // the bitmap does it, only slower
    } else {
        g_lanes.mask = size - 1;
        atomic_store(&g_lanes.handed, g_order.next);
        atomic_store(&g_lanes.sleep_target, UINT64_MAX);
        g_lanes.handler = qh;
    }
    pthread_mutex_unlock(&g_order.lock);
    return rc;
}

/* Lane mode cannot go on (a root released by a thread that is not its lane's: a
 * push refused at shutdown, a thread that failed to start; a lane holding more roots
 * than its ring): ordering ends, as when memory runs out, rather than leave a waiter
 * waiting for ever. why: which, for the log. */
static void lanes_abandon(const char *why)
{
    VG_ERROR("packet order: %s; cross-flow state is no longer ordered", why);
    runtime_order_abandon();
}

void runtime_order_handed(const QueueHandler *qh, uint64_t seq, uint32_t q)
{
    if (!lanes_on() || qh != g_lanes.handler || seq == 0 || q >= g_lanes.n) {
        return;
    }
    OrderLane *ln = &g_lanes.lane[q];
    uint64_t in = atomic_load_explicit(&ln->n_in, memory_order_relaxed);
    if (in - ln->out_seen > g_lanes.mask) {
        ln->out_seen = atomic_load_explicit(&ln->n_out, memory_order_acquire);
        if (in - ln->out_seen > g_lanes.mask) {
            /* more roots in a lane than the pool holds: cannot be */
            lanes_abandon("more packets in a lane than its ring holds");
            return;
        }
    }
    atomic_store_explicit(&ln->seqs[in & g_lanes.mask], seq, memory_order_relaxed);
    atomic_store_explicit(&ln->n_in, in + 1, memory_order_release);
    atomic_store_explicit(&g_lanes.handed, seq + 1, memory_order_release);
}

bool runtime_order_is_enabled(void)
{
    return atomic_load_explicit(&g_order.enabled, memory_order_relaxed);
}

void runtime_order_add_queue(PacketQueue *q)
{
    if (g_order.n_queues < ORDER_MAX_QUEUES) {
        g_order.queues[g_order.n_queues++] = q;
    }
}

uint64_t runtime_order_next_seq(void)
{
    if (!runtime_order_is_enabled()) {
        return 0;
    }
    /* One thread reads at a time (wants_order in runmodes.c: the reading group has one
     * thread; workers reading in turn hold the inline reader's lock), so no atomic
     * read-modify-write: its lock prefix waited, on every packet, for the reader's
     * stores of packet data to reach memory the other core had last written. */
    uint64_t n = atomic_load_explicit(&g_order.issued, memory_order_relaxed) + 1;
    atomic_store_explicit(&g_order.issued, n, memory_order_relaxed);
    return n;
}

void runtime_order_begin(uint64_t seq)
{
    tl_cur = seq;
    tl_pair = 0;
}

uint64_t runtime_order_current(void)
{
    return tl_cur;
}

void runtime_order_set_thread(ThreadVars *tv)
{
    tl_lane = ORDER_LANE_NONE;
    if (tv != NULL && lanes_on() && tv->inq != NULL && tv->outq == NULL &&
        tv->group_index < g_lanes.n && g_lanes.handler->queues[tv->group_index] == tv->inq) {
        tl_lane = tv->group_index;
    }
    tl_tv = tv;
    tl_cur = 0;
    tl_pair = 0;
    tl_waited = 0;
    tl_n_done = 0;
}

uint64_t runtime_order_flush_gen(void)
{
    return atomic_load_explicit(&g_order.flush_gen, memory_order_relaxed);
}

static bool bit_get(const uint8_t *ring, uint64_t bits, uint64_t seq)
{
    uint64_t i = seq & (bits - 1);
    return (ring[i / 8] >> (i % 8)) & 1u;
}

static void bit_put(uint8_t *ring, uint64_t bits, uint64_t seq, bool on)
{
    uint64_t i = seq & (bits - 1);
    uint8_t m = (uint8_t)(1u << (i % 8));
    ring[i / 8] = on ? (uint8_t)(ring[i / 8] | m) : (uint8_t)(ring[i / 8] & ~m);
}

/* Room for seq in the ring (lock held). False when memory ran out. */
static bool ring_fit(OrderState *o, uint64_t seq)
{
    if (o->ring != NULL && seq - o->next < o->ring_bits) {
        return true;
    }
    uint64_t bits = o->ring_bits ? o->ring_bits : ORDER_RING_MIN_BITS;
    while (seq - o->next >= bits) {
        bits *= 2;
    }
    uint8_t *ring = calloc(bits / 8, 1);
    if (ring == NULL) {
        return false;
    }
    for (uint64_t s = o->next; o->ring != NULL && s < o->next + o->ring_bits; s++) {
        if (bit_get(o->ring, o->ring_bits, s)) {
            bit_put(ring, bits, s, true);
        }
    }
    free(o->ring);
    o->ring = ring;
    o->ring_bits = bits;
    return true;
}

static void publish(const uint64_t *seqs, uint32_t n)
{
    OrderState *o = &g_order;
    pthread_mutex_lock(&o->lock);
    uint64_t before = o->next;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t s = seqs[i];
        if (s < o->next) {
            continue; // numbered before the last enable: not this run's
        }
        if (!ring_fit(o, s)) {
            /* Out of memory: give up ordering rather than wait forever. */
            VG_ERROR("packet order: out of memory; cross-flow state is no longer ordered");
            atomic_store(&o->enabled, false);
            o->next = UINT64_MAX;
            break;
        }
        bit_put(o->ring, o->ring_bits, s, true);
    }
    while (o->ring != NULL && o->next != UINT64_MAX && bit_get(o->ring, o->ring_bits, o->next)) {
        bit_put(o->ring, o->ring_bits, o->next, false);
        o->next++;
    }
    if (o->next != before) {
        atomic_store_explicit(&o->next_pub, o->next, memory_order_release);
        if (o->n_waiting > 0) {
            pthread_cond_broadcast(&o->released);
        }
    }
    pthread_mutex_unlock(&o->lock);
}

/* Lane mode: raise next_pub to the watermark (a lower bound of it for readers
 * without the lanes' cost). */
static uint64_t lanes_refresh(void)
{
    uint64_t w = lanes_watermark();
    uint64_t pub = atomic_load_explicit(&g_order.next_pub, memory_order_relaxed);
    while (pub < w && !atomic_compare_exchange_weak_explicit(&g_order.next_pub, &pub, w,
                                                             memory_order_release,
                                                             memory_order_relaxed)) {
    }
    return w;
}

/* Lane mode, after a release: wake the sleeping waiters once what they wait for
 * is released. */
static void lanes_wake(void)
{
    if (atomic_load(&g_lanes.n_sleeping) == 0) {
        return;
    }
    if (lanes_watermark() < atomic_load(&g_lanes.sleep_target)) {
        return;
    }
    pthread_mutex_lock(&g_order.lock);
    atomic_store(&g_lanes.sleep_target, UINT64_MAX);   // who sleeps on says again
    pthread_cond_broadcast(&g_order.released);
    pthread_mutex_unlock(&g_order.lock);
}

static void lanes_done(uint64_t seq)
{
    if (tl_lane == ORDER_LANE_NONE) {
        if (seq >= atomic_load_explicit(&g_lanes.handed, memory_order_relaxed)) {
            /* never handed to a lane (the steering thread releases it): the
             * next number is the lowest not handed */
            atomic_store_explicit(&g_lanes.handed, seq + 1, memory_order_release);
            return;
        }
        lanes_abandon("a packet was released out of its lane");
        return;
    }
    OrderLane *ln = &g_lanes.lane[tl_lane];
    uint64_t out = atomic_load_explicit(&ln->n_out, memory_order_relaxed);
    atomic_store(&ln->n_out, out + 1);   // seq_cst: before the n_sleeping check (lanes_wake)
    if ((out + 1) % TM_BATCH == 0) {
        lanes_refresh();
    }
    lanes_wake();
}

void runtime_order_done(uint64_t seq)
{
    if (seq == 0 || !runtime_order_is_enabled()) {
        return;
    }
    if (lanes_on()) {
        lanes_done(seq);
        return;
    }
    tl_done[tl_n_done++] = seq;
    /* Batched: publishing each release at once while someone waits costs more
     * (a lock and a wake-up per packet) than the wait it saves, measured on
     * the bench mix. */
    if (tl_n_done == TM_BATCH) {
        publish(tl_done, tl_n_done);
        tl_n_done = 0;
    }
}

void runtime_order_publish(void)
{
    if (tl_n_done > 0) {
        publish(tl_done, tl_n_done);
        tl_n_done = 0;
    }
}

static void poke(void)
{
    atomic_fetch_add_explicit(&g_order.flush_gen, 1, memory_order_relaxed);
    for (uint32_t i = 0; i < g_order.n_queues; i++) {
        packet_queue_wake(g_order.queues[i]);
    }
}

/* Returns once every packet numbered below `until` has been released. */
/* Lane mode: the other lanes' threads are running; what this one waits for is
 * usually released within microseconds, sooner than a sleep and a wake-up. */
static bool lanes_spin(uint64_t until)
{
    struct timespec t0;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint32_t i = 0;; i++) {
        if (!runtime_order_is_enabled() || lanes_refresh() >= until) {
            return true;
        }
        for (int k = 0; k < 16; k++) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
        if (i % 8 == 7) {
            clock_gettime(CLOCK_MONOTONIC, &t);
            long ns = (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec);
            if (ns > ORDER_SPIN_NS) {
                return false;
            }
        }
    }
}

/* Lane mode: sleep until every number below until is released (poking the
 * staging threads every ORDER_POKE_MS). */
static void lanes_sleep(uint64_t until)
{
    OrderState *o = &g_order;
    pthread_mutex_lock(&o->lock);
    o->n_waiting++;
    for (;;) {
        uint64_t target = atomic_load(&g_lanes.sleep_target);
        while (until < target &&
               !atomic_compare_exchange_weak(&g_lanes.sleep_target, &target, until)) {
        }
        atomic_fetch_add(&g_lanes.n_sleeping, 1);
        if (!runtime_order_is_enabled() || lanes_refresh() >= until) {
            atomic_fetch_sub(&g_lanes.n_sleeping, 1);
            break;
        }
        struct timespec deadline;
        util_deadline_after_ms(&deadline, ORDER_POKE_MS);
        int rc = pthread_cond_timedwait(&o->released, &o->lock, &deadline);
        atomic_fetch_sub(&g_lanes.n_sleeping, 1);
        if (rc == ETIMEDOUT) {
            pthread_mutex_unlock(&o->lock);
            poke();
            pthread_mutex_lock(&o->lock);
        }
    }
    o->n_waiting--;
    pthread_mutex_unlock(&o->lock);
}

static void wait_until(uint64_t until)
{
    if (atomic_load_explicit(&g_order.next_pub, memory_order_acquire) >= until) {
        return;
    }
    if (lanes_on()) {
        if (lanes_refresh() >= until) {
            return;
        }
        if (tl_tv != NULL) {
            tm_thread_idle(tl_tv);
        }
        poke();
        if (!lanes_spin(until)) {
            lanes_sleep(until);
        }
        return;
    }
    /* What this thread holds back may be what the others need first. */
    if (tl_tv != NULL) {
        tm_thread_idle(tl_tv);
    }
    runtime_order_publish();
    OrderState *o = &g_order;
    poke();
    pthread_mutex_lock(&o->lock);
    o->n_waiting++;
    while (o->next < until && runtime_order_is_enabled()) {
        struct timespec deadline;
        util_deadline_after_ms(&deadline, ORDER_POKE_MS);
        if (pthread_cond_timedwait(&o->released, &o->lock, &deadline) == ETIMEDOUT &&
            o->next < until) {
            pthread_mutex_unlock(&o->lock);
            poke();
            pthread_mutex_lock(&o->lock);
        }
    }
    o->n_waiting--;
    pthread_mutex_unlock(&o->lock);
}

bool runtime_order_waiters(uint64_t *released)
{
    if (!runtime_order_is_enabled()) {
        return false;
    }
    *released = lanes_on() ? lanes_refresh()
                           : atomic_load_explicit(&g_order.next_pub, memory_order_acquire);
    pthread_mutex_lock(&g_order.lock);
    bool waiting = g_order.n_waiting > 0;
    pthread_mutex_unlock(&g_order.lock);
    return waiting;
}

void runtime_order_abandon(void)
{
    pthread_mutex_lock(&g_order.lock);
    atomic_store(&g_order.enabled, false);
    pthread_cond_broadcast(&g_order.released);
    pthread_mutex_unlock(&g_order.lock);
}

uint64_t runtime_order_released(void)
{
    return atomic_load_explicit(&g_order.next_pub, memory_order_acquire);
}

void runtime_order_wait(void)
{
    uint64_t cur = tl_cur;
    if (cur == 0 || tl_waited == cur || !runtime_order_is_enabled()) {
        return;
    }
    tl_waited = cur;
    wait_until(cur);
}

void runtime_order_wait_for(uint64_t seq)
{
    if (seq != 0 && runtime_order_is_enabled()) {
        wait_until(seq + 1);
    }
}

static SteerSlot *steer_slot(const void *flow)
{
    uintptr_t h = (uintptr_t)flow;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15ull;
    return &g_steer[(h >> 40) & (STEER_SLOTS - 1)];
}

void runtime_order_steer_begin(void)
{
    tl_steer_after = 0;
}

void runtime_order_steer_flow(const void *flow, uint64_t seq, uint32_t queue)
{
    SteerSlot *s = steer_slot(flow);
    uint64_t prev = 0;
    if (s->flow == flow) {
        prev = s->queue != queue ? s->seq : 0;   // on the same queue: in order behind it
    } else {
        prev = g_steer_evicted;
        if (s->flow != NULL && s->seq > g_steer_evicted) {
            g_steer_evicted = s->seq;
        }
    }
    s->flow = flow;
    s->seq = seq;
    s->queue = queue;
    if (prev > tl_steer_after &&
        prev >= (lanes_on() ? lanes_refresh()
                            : atomic_load_explicit(&g_order.next_pub, memory_order_relaxed))) {
        tl_steer_after = prev;   // not yet released: the packet waits for it
    }
}

uint64_t runtime_order_steer_end(void)
{
    return tl_steer_after;
}

uint32_t runtime_order_n_waiting(void)
{
    pthread_mutex_lock(&g_order.lock);
    uint32_t n = g_order.n_waiting;
    pthread_mutex_unlock(&g_order.lock);
    return n;
}

uint64_t runtime_order_next_unreleased(void)
{
    if (lanes_on()) {
        return lanes_watermark();
    }
    pthread_mutex_lock(&g_order.lock);
    uint64_t n = g_order.next;
    pthread_mutex_unlock(&g_order.lock);
    return n;
}

static uint32_t addr_mix(const VgAddr *a)
{
    uint32_t h = a->family;
    int n = a->family == 4 ? 1 : 4;   // IPv4: the rest of the union is not the key
    for (int i = 0; i < n; i++) {
        h = (h ^ a->a.u32[i]) * 0x9e3779b1u;
        h ^= h >> 15;
    }
    return h;
}

uint32_t runtime_order_pair_slot(const VgAddr *a, const VgAddr *b)
{
    uint32_t x = addr_mix(a);
    uint32_t y = addr_mix(b);
    uint32_t h = (x ^ y) + (x & y) * 3u;   // the same both ways round
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h & (PAIR_SLOTS - 1);
}

uint64_t runtime_order_pair_handed(const QueueHandler *qh, uint32_t slot, uint64_t seq,
                                   uint32_t queue)
{
    if (!lanes_on() || qh != g_lanes.handler || seq == 0 || slot >= PAIR_SLOTS) {
        return 0;
    }
    PairSlot *s = &g_pairs[slot];
    uint64_t after = s->lane == queue ? s->other : s->last;
    if (s->lane != queue) {
        s->other = s->last;   // the newest of all, so the newest on another lane
        s->lane = queue;
    }
    s->last = seq;
    return after + 1;
}

void runtime_order_begin_pair(uint64_t stamp, uint32_t slot)
{
    tl_pair = stamp;
    tl_pair_slot = slot;
}

void runtime_order_wait_pair(uint32_t slot)
{
    if (tl_pair != 0 && slot == tl_pair_slot) {
        runtime_order_wait_for(tl_pair - 1);   // 0: nothing to wait for
        return;
    }
    runtime_order_wait();
}
