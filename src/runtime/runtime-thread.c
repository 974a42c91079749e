/* Threads and slots: the body every packet thread runs. */
#include "runtime/runtime.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "runtime/engine.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime-order.h"
#include "runtime/runtime-profiling.h"
#include "util/util-error.h"
#include "util/util-log.h"
#include "util/util-time.h"

_Static_assert(PROF_MAX_SLOTS == TM_MAX_SLOTS, "profiling counts one entry per slot");

static void packet_release_one(ThreadVars *tv, Packet *p)
{
    if (p->verdict_fn != NULL) {
        /* The packet skipped the verdict stage: give the one verdict it is
         * owed now (drop when marked so, else accept). */
        void (*fn)(Packet *, struct CounterSet *) = p->verdict_fn;
        p->verdict_fn = NULL;
        fn(p, tv->counters);
    }
    if (tv->engine != NULL && tv->engine->packet_done != NULL) {
        tv->engine->packet_done(p);
    }
    p->root = NULL;
    p->children = NULL;
    p->next_child = NULL;
    if (!tv->is_batching) {
        packet_pool_put(p);
        return;
    }
    tv->done[tv->n_done++] = p;
    if (tv->n_done == TM_BATCH) {
        packet_pool_put_batch(tv->done, tv->n_done);
        tv->n_done = 0;
    }
}

/* A push the next group refused (it is gone: a bug in shutdown order, or it failed to
 * start): the packets go home instead of being lost. */
static void refused(ThreadVars *tv, Packet *const *pkts, uint32_t n)
{
    if (tv->engine != NULL) {
        atomic_store(&tv->engine->stop, true);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (tv->counters != NULL) {
            counters_incr(tv->counters, counters_register("runtime.queue_closed_drops",
                                                          COUNTER_SUM));
        }
        tm_packet_release(tv, pkts[i]);
    }
}

/* Push what is staged for queue q. Not urgent: a sleeping consumer may be left asleep
 * until more comes (see packet_queue_push_batch); tm_thread_idle makes up for it. */
static void stage_flush(ThreadVars *tv, uint32_t q, bool is_urgent)
{
    uint32_t n = tv->n_staged[q];
    PacketQueue *pq = tv->outq->queues[q];
    if (n == 0) {
        if (is_urgent && tv->is_unwoken[q]) {
            packet_queue_wake(pq);
            tv->is_unwoken[q] = false;
        }
        return;
    }
    tv->n_staged[q] = 0;
    uint32_t n_pushed = 0;
    int rc = packet_queue_push_batch(pq, tv->staged[q], n, is_urgent, &n_pushed);
    tv->is_unwoken[q] = !is_urgent;
    if (rc != 0) {
        refused(tv, tv->staged[q] + n_pushed, n - n_pushed);
    }
}

/* Push every stage. With packet order on (runtime-order.h), oldest first: a push
 * that blocks on a full queue then never holds back a packet older than the
 * ones it pushes, which some waiter may be waiting for. */
static void stages_flush(ThreadVars *tv, bool is_urgent)
{
    uint32_t nq = tv->outq->n_queues;
    if (runtime_order_is_enabled()) {
        for (;;) {
            uint32_t best = nq;
            for (uint32_t q = 0; q < nq; q++) {
                if (tv->n_staged[q] > 0 &&
                    (best == nq || tv->staged[q][0]->order_seq < tv->staged[best][0]->order_seq)) {
                    best = q;
                }
            }
            if (best == nq) {
                break;
            }
            stage_flush(tv, best, is_urgent);
        }
    }
    for (uint32_t q = 0; q < nq; q++) {
        stage_flush(tv, q, is_urgent);
    }
}

static void idle_one(ThreadVars *tv)
{
    if (tv->is_batching && tv->outq != NULL) {
        stages_flush(tv, true);
    }
    if (tv->n_done > 0) {
        packet_pool_put_batch(tv->done, tv->n_done);
        tv->n_done = 0;
    }
}

void tm_thread_idle(ThreadVars *tv)
{
    idle_one(tv);
    if (tv->inline_peer != NULL) {
        /* A worker running a step of the reader: one OS thread holds back the
         * packets of both ThreadVars, and either may be about to block. */
        idle_one(tv->inline_peer);
    }
    runtime_order_publish();
}

static void idle_hook(void *arg)
{
    tm_thread_idle(arg);
}

/* The flows p's packets hold when they leave the steering thread are those it
 * looked up for them (Engine.steer_prepare: a tunnel's outer flow), which other
 * threads of the group get packets of too. */
static void steer_shared_flows(Packet *p, uint32_t q)
{
    runtime_order_steer_begin();
    if (p->flow != NULL) {
        runtime_order_steer_flow(p->flow, p->order_seq, q);
    }
    for (const Packet *c = p->children; c != NULL; c = c->next_child) {
        if (c->flow != NULL) {
            runtime_order_steer_flow(c->flow, p->order_seq, q);
        }
    }
    p->order_after = runtime_order_steer_end();
}

/* The address pair p is steered by (an ICMP error's: the quoted header's, whose flow
 * it joins): its stamp for runtime_order_wait_pair. */
static void steer_pair(const QueueHandler *qh, Packet *p, uint32_t q)
{
    const VgAddr *src;
    const VgAddr *dst;
    queue_handler_flow_addrs(queue_handler_route_packet(p), &src, &dst);
    uint32_t slot = runtime_order_pair_slot(src, dst);
    p->order_pair = runtime_order_pair_handed(qh, slot, p->order_seq, q);
    p->order_pair_slot = slot;
}

/* The reader, run by worker w in a step (inline_read), steered root p to w's own
 * queue: w runs it now, in its own slots, before the reader reads on. Queued, it would
 * wait behind the step, and whatever the step may wait for could be it: the packet
 * order when the steering lookup ends a flow (the hang of the first inline reader, at
 * a tunnel's outer flow timing out), the lock of a shared flow that the other worker
 * holds while it waits for the order, the pool, a full queue of the other worker. So
 * during a step w's own lane holds no packet the reader has read, and neither the
 * reader nor the other worker ever waits for w: exactly a reader thread beside w. */
static void run_in_peer(ThreadVars *rx, Packet *p)
{
    ThreadVars *w = rx->inline_peer;
    runtime_order_publish();
    runtime_order_set_thread(w);
    packet_pool_set_wait_hook(idle_hook, w);
    tm_thread_dispatch_from(w, p, 0);
    runtime_order_publish();
    runtime_order_set_thread(rx);
    packet_pool_set_wait_hook(idle_hook, rx);
}

/* p goes to the next group: at once, or staged while this thread batches. */
static void hand_on(ThreadVars *tv, Packet *p)
{
    uint32_t q = queue_handler_pick(tv->outq, p);
    if (runtime_order_is_enabled()) {
        if (tv->outq->kind == QH_FLOW && tv->outq->feeds_flow) {
            steer_shared_flows(p, q);
            steer_pair(tv->outq, p, q);
        }
        runtime_order_handed(tv->outq, p->order_seq, q);
    }
    if (tv->inline_peer != NULL && q == tv->inline_own_q) {
        uint64_t gen = runtime_order_flush_gen();
        if (gen != tv->order_gen) {
            tv->order_gen = gen;   // a waiter asked: the other worker's stages on first
            tm_thread_idle(tv);
        }
        run_in_peer(tv, p);
        return;
    }
    if (!tv->is_batching) {
        if (packet_queue_push(tv->outq->queues[q], p) != 0) {
            refused(tv, &p, 1);
        }
        return;
    }
    tv->staged[q][tv->n_staged[q]++] = p;
    if (!runtime_order_is_enabled()) {
        if (tv->n_staged[q] == TM_BATCH) {
            stage_flush(tv, q, false);
        }
        return;
    }
    uint64_t gen = runtime_order_flush_gen();
    if (gen != tv->order_gen) {
        tv->order_gen = gen;   // a waiter asked: everything on at once
        tm_thread_idle(tv);
    } else if (tv->n_staged[q] == TM_BATCH) {
        stages_flush(tv, false);
    }
}

void tm_packet_release(ThreadVars *tv, Packet *p)
{
    Packet *c = p->children;
    while (c != NULL) {
        Packet *next = c->next_child;
        packet_release_one(tv, c);
        c = next;
    }
    uint64_t seq = p->root == NULL ? p->order_seq : 0;
    packet_release_one(tv, p);
    runtime_order_done(seq);
}

static Packet *last_child(const Packet *root)
{
    Packet *c = root->children;
    while (c != NULL && c->next_child != NULL) {
        c = c->next_child;
    }
    return c;
}

void tm_packet_add_child(ThreadVars *tv, Packet *p, Packet *child)
{
    Packet *root = p->root != NULL ? p->root : p;
    child->root = root;
    child->child_slot = (uint8_t)(tv->cur_slot + 1);
    child->next_child = NULL;
    Packet *tail = last_child(root);
    if (tail != NULL) {
        tail->next_child = child;
    } else {
        root->children = child;
    }
}

/* Run p through slots [from, n_slots); after each slot, the children that
 * slot added run through the rest first (they may add more: recursion is
 * bounded by the tunnel depth). A child that has run is marked done for this
 * thread (child_slot = n_slots). */
static void run_slots(ThreadVars *tv, Packet *p, uint32_t from)
{
    Packet *root = p->root != NULL ? p->root : p;
    for (uint32_t i = from; i < tv->n_slots; i++) {
        const TmModule *m = tv->slots[i].module;
        if (m->process == NULL) {
            continue;
        }
        Packet *tail = last_child(root);
        tv->cur_slot = i;
        if (prof_enabled) {
            uint32_t saved;
            uint64_t t0 = prof_slot_begin(tv->prof_slot_base + i, &saved);
            m->process(tv, p, tv->slots[i].data);
            prof_slot_end(tv->prof_slot_base + i, m->name, t0, saved);
        } else {
            m->process(tv, p, tv->slots[i].data);
        }
        for (Packet *c = tail != NULL ? tail->next_child : root->children; c != NULL;
             c = c->next_child) {
            if (c->child_slot < tv->n_slots) {
                run_slots(tv, c, c->child_slot);
            }
        }
    }
    if (p != root) {
        p->child_slot = (uint8_t)tv->n_slots;
    }
}

void tm_thread_dispatch_from(ThreadVars *tv, Packet *p, uint32_t from)
{
    runtime_order_begin(p->order_seq);
    runtime_order_begin_pair(p->order_pair, p->order_pair_slot);
    if (tv->is_tearing_down) {
        tm_packet_release(tv, p);
        return;
    }
    if (p->order_after != 0) {
        /* An earlier packet of a flow p shares with other threads is still in
         * one of them: p touches that flow only once it is done. */
        runtime_order_wait_for(p->order_after);
        p->order_after = 0;
    }
    /* Children that came with p from an earlier thread group go first. */
    for (Packet *c = p->children; c != NULL; c = c->next_child) {
        if (c->child_slot < tv->n_slots) {
            run_slots(tv, c, c->child_slot);
        }
    }
    run_slots(tv, p, from);
    if (tv->outq != NULL) {
        for (Packet *c = p->children; c != NULL; c = c->next_child) {
            c->child_slot = 0; // the next thread group runs them from its first slot
        }
        Engine *e = tv->engine;
        if (tv->outq->kind == QH_FLOW && tv->outq->feeds_flow && e != NULL &&
            e->steer_prepare != NULL) {
            e->steer_prepare(tv, p);
        }
        hand_on(tv, p);
    } else {
        tm_packet_release(tv, p);
    }
    runtime_order_begin(0);
}

void tm_thread_dispatch(ThreadVars *tv, Packet *p)
{
    /* The clock travels with the packet: a later thread judges flow timeouts
     * by where the packet stands in the capture, not by how far the reader
     * has got meanwhile. */
    if (tv->engine != NULL) {
        p->clock_sec = atomic_load(&tv->engine->now_sec);
    }
    p->order_seq = runtime_order_next_seq();
    tm_thread_dispatch_from(tv, p, 1);
}

int tm_thread_add_slot(ThreadVars *tv, const char *module_name)
{
    const TmModule *m = tm_module_find(module_name);
    if (m == NULL) {
        VG_ERROR("thread %s: unknown module '%s' (see --list-modules)", tv->name, module_name);
        return VG_ENOENT;
    }
    if (tv->n_slots >= TM_MAX_SLOTS) {
        VG_ERROR("thread %s: too many modules (max %d)", tv->name, TM_MAX_SLOTS);
        return VG_ERANGE;
    }
    if (m->kind == TM_KIND_ACQUIRE && tv->n_slots != 0) {
        VG_ERROR("thread %s: acquire module '%s' must come first", tv->name, module_name);
        return VG_EINVAL;
    }
    tv->slots[tv->n_slots++].module = m;
    size_t used = strlen(tv->modules_desc);
    snprintf(tv->modules_desc + used, sizeof(tv->modules_desc) - used, "%s%s",
             used > 0 ? "," : "", module_name);
    return 0;
}

static void pin_cpus(ThreadVars *tv)
{
    if (tv->n_cpus == 0) {
        return;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    for (uint32_t i = 0; i < tv->n_cpus; i++) {
        CPU_SET(tv->cpu_set[i], &set);
    }
    int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    if (rc != 0) {
        VG_WARN("thread %s: could not set CPU affinity: %s", tv->name, strerror(rc));
    }
}

static int slots_init(ThreadVars *tv)
{
    for (uint32_t i = 0; i < tv->n_slots; i++) {
        const TmModule *m = tv->slots[i].module;
        if (m->thread_init != NULL && m->thread_init(tv, &tv->slots[i].data) != TM_OK) {
            VG_ERROR("thread %s: module '%s' failed to start", tv->name, m->name);
            for (uint32_t j = i; j-- > 0;) {
                const TmModule *d = tv->slots[j].module;
                if (d->thread_deinit != NULL) {
                    d->thread_deinit(tv, tv->slots[j].data);
                }
            }
            return VG_EINVAL;
        }
    }
    return 0;
}

static void slots_finish(ThreadVars *tv)
{
    for (uint32_t i = 0; i < tv->n_slots; i++) {
        const TmModule *m = tv->slots[i].module;
        if (m->thread_flush != NULL) {
            m->thread_flush(tv, tv->slots[i].data);
        }
    }
    /* From here a module's state may be gone: a packet still dispatched (an acquire
     * module's deinit draining its socket) goes straight home with its owed verdict. */
    tv->is_tearing_down = true;
    for (uint32_t i = tv->n_slots; i-- > 0;) {
        const TmModule *m = tv->slots[i].module;
        if (m->thread_deinit != NULL) {
            m->thread_deinit(tv, tv->slots[i].data);
        }
        tv->slots[i].data = NULL;
    }
    tv->is_tearing_down = false;
}

/* Packets per step of a reader run inside a worker: enough to keep the other
 * workers busy until one of them runs out and reads the next. */
#define INLINE_STEP 256u

static void batching_begin(ThreadVars *tv);
static void batching_end(ThreadVars *tv);

/* The end of input (or of the run): what the reader still holds goes on, its modules
 * end, and the workers' queues close. Reader lock held. */
static void inline_finish(InlineReader *ir)
{
    ThreadVars *rx = ir->rx;
    tm_thread_idle(rx);
    slots_finish(rx);   // a module's flush may still hand packets on
    tm_thread_idle(rx);
    atomic_store(&ir->is_done, true);
    for (uint32_t q = 0; q < ir->n_queues; q++) {
        packet_queue_close(&ir->queues[q]);
    }
}

/* A step's hand-off, as batching_begin and batching_end do it for a thread, except that
 * the stages left at the end are pushed without waking a worker asleep on its queue: it
 * is woken once a quarter of its ring is queued (by a later step), or as soon as the
 * reading worker may block (tm_thread_idle, urgent, in any wait of the step, of the
 * roots it runs at once, or before it sleeps itself). The other worker holds the
 * reader only while it is awake, so the reading worker never sleeps on a reader that
 * sleeps. Woken at the end of every step, the other worker slept and woke about twice
 * per step (issue 15). is_unwoken stays from one step to the next. */
static void inline_step_begin(ThreadVars *rx)
{
    rx->n_done = 0;
    rx->is_batching = rx->outq->n_queues <= TM_MAX_QUEUES;
    packet_pool_set_wait_hook(idle_hook, rx);
    packet_pool_set_reader(true);
}

static void inline_step_end(ThreadVars *rx)
{
    if (rx->is_batching) {
        stages_flush(rx, false);
    }
    if (rx->n_done > 0) {
        packet_pool_put_batch(rx->done, rx->n_done);
        rx->n_done = 0;
    }
    if (rx->inline_peer != NULL) {
        idle_one(rx->inline_peer);   // the reading worker's returns (it has no stages)
    }
    runtime_order_publish();
    rx->is_batching = false;
    packet_pool_set_wait_hook(NULL, NULL);
    packet_pool_set_reader(false);
}

/* The index of tv's input queue among those rx hands on to (UINT32_MAX: none). */
static uint32_t own_queue(const ThreadVars *rx, const ThreadVars *tv)
{
    for (uint32_t q = 0; rx->outq != NULL && q < rx->outq->n_queues; q++) {
        if (rx->outq->queues[q] == tv->inq) {
            return q;
        }
    }
    return UINT32_MAX;
}

/* tv's input queue is empty: read a step if no other worker does. The roots steered
 * to tv run at once in tv (run_in_peer), so tv's queue stays empty during the step and
 * the step may wait (for the pool, the packet order, a lock) like a reader thread:
 * nothing it waits for is held back by tv. True when this thread read packets. */
static bool inline_read(ThreadVars *tv)
{
    InlineReader *ir = tv->inline_rx;
    if (ir == NULL || atomic_load(&ir->is_done) || pthread_mutex_trylock(&ir->lock) != 0) {
        return false;
    }
    if (atomic_load(&ir->is_done)) {
        pthread_mutex_unlock(&ir->lock);
        return false;
    }
    tm_thread_idle(tv);   // this worker's own returns and releases first
    ThreadVars *rx = ir->rx;
    rx->inline_own_q = own_queue(rx, tv);
    rx->inline_peer = tv;
    tv->inline_peer = rx;
    runtime_order_set_thread(rx);
    inline_step_begin(rx);
    int result = TM_OK;
    int n = rx->acquire_step(rx, rx->slots[0].data, INLINE_STEP, &result);
    if (n < 0 || atomic_load(&rx->engine->stop)) {
        ir->result = result;
        inline_finish(ir);
    }
    inline_step_end(rx);
    rx->inline_peer = NULL;
    tv->inline_peer = NULL;
    runtime_order_set_thread(tv);
    packet_pool_set_wait_hook(idle_hook, tv);
    pthread_mutex_unlock(&ir->lock);
    return n > 0;
}

static void inline_wait_ready(InlineReader *ir)
{
    pthread_mutex_lock(&ir->ready_lock);
    while (!ir->is_ready) {
        pthread_cond_wait(&ir->ready_cond, &ir->ready_lock);
    }
    pthread_mutex_unlock(&ir->ready_lock);
}

/* A worker that could not start: the engine stops; the reader ends here unless
 * another worker ended it, so that no worker waits on a queue nobody closes. A step
 * another worker runs meanwhile may wait for this worker's packets (the packet order):
 * they go back to the pool while the step's lock is taken. */
static void inline_stop(ThreadVars *tv)
{
    InlineReader *ir = tv->inline_rx;
    inline_wait_ready(ir);
    while (!atomic_load(&ir->is_done)) {
        if (pthread_mutex_trylock(&ir->lock) == 0) {
            if (!atomic_load(&ir->is_done)) {
                runtime_order_set_thread(ir->rx);
                batching_begin(ir->rx);
                inline_finish(ir);
                batching_end(ir->rx);
                runtime_order_set_thread(NULL);
                packet_pool_set_wait_hook(NULL, NULL);
            }
            pthread_mutex_unlock(&ir->lock);
            break;
        }
        Packet *batch[TM_BATCH];
        uint32_t n = tv->inq != NULL ? packet_queue_try_pop_batch(tv->inq, batch, TM_BATCH) : 0;
        for (uint32_t i = 0; i < n; i++) {
            tm_packet_release(tv, batch[i]);
        }
        if (n == 0) {
            sched_yield();   // a step ends at its next packet: the engine stops
        }
    }
}

int tm_inline_reader_start(InlineReader *ir)
{
    ThreadVars *rx = ir->rx;
    rx->counters = counters_set_new_named(rx->name);
    int rc = 0;
    if (rx->counters == NULL || slots_init(rx) != 0) {
        rc = VG_EINVAL;
    } else if (rx->acquire_step == NULL) {
        VG_ERROR("thread %s: module '%s' cannot read in steps", rx->name,
                 rx->slots[0].module->name);
        slots_finish(rx);
        rc = VG_EINVAL;
    }
    if (rc != 0) {
        pthread_mutex_lock(&ir->lock);   // no worker reads before is_ready: free
        if (rx->engine != NULL) {
            atomic_store(&rx->engine->stop, true);
        }
        ir->result = TM_FAILED;
        atomic_store(&ir->is_done, true);
        for (uint32_t q = 0; q < ir->n_queues; q++) {
            packet_queue_close(&ir->queues[q]);
        }
        pthread_mutex_unlock(&ir->lock);
    }
    pthread_mutex_lock(&ir->ready_lock);
    ir->is_ready = true;
    pthread_cond_broadcast(&ir->ready_cond);
    pthread_mutex_unlock(&ir->ready_lock);
    return rc;
}

int tm_inline_reader_end(InlineReader *ir)
{
    counters_set_free(ir->rx->counters);
    ir->rx->counters = NULL;
    ir->rx->result = ir->result;
    return ir->result;
}

static void queue_loop(ThreadVars *tv)
{
    Packet *batch[TM_BATCH];
    uint32_t n;
    if (tv->inline_rx != NULL) {
        inline_wait_ready(tv->inline_rx);
    }
    for (;;) {
        n = packet_queue_try_pop_batch(tv->inq, batch, TM_BATCH);
        if (n == 0 && inline_read(tv)) {
            continue;
        }
        if (n == 0) {
            /* About to sleep: hand on everything held back and wake whoever waits for
             * it; nothing may wait on a thread that waits. */
            tm_thread_idle(tv);
            n = packet_queue_pop_batch(tv->inq, batch, TM_BATCH);
            if (n == 0) {
                return;    // closed and empty
            }
        }
        for (uint32_t i = 0; i < n; i++) {
            if (i + 1 < n) {
                packet_prefetch(batch[i + 1]);
            }
            tm_thread_dispatch_from(tv, batch[i], 0);
        }
    }
}

/* A thread whose modules could not start still owns its input queue. Stop
 * the engine, then hand back whatever arrives until the queue closes, so that
 * upstream threads never block on a full queue that nobody reads. */
static void fail_and_drain(ThreadVars *tv)
{
    if (tv->engine != NULL) {
        atomic_store(&tv->engine->stop, true);
    }
    if (tv->inline_rx != NULL) {
        inline_stop(tv);
    }
    if (tv->inq == NULL) {
        return;
    }
    Packet *batch[TM_BATCH];
    uint32_t n;
    while ((n = packet_queue_pop_batch(tv->inq, batch, TM_BATCH)) > 0) {
        for (uint32_t i = 0; i < n; i++) {
            tm_packet_release(tv, batch[i]);
        }
        tm_thread_idle(tv);
    }
}

static void batching_begin(ThreadVars *tv)
{
    tv->n_done = 0;
    memset(tv->n_staged, 0, sizeof(tv->n_staged));
    memset(tv->is_unwoken, 0, sizeof(tv->is_unwoken));
    /* More queues than TM_MAX_QUEUES cannot be staged per queue: push one by one. */
    tv->is_batching = tv->outq == NULL || tv->outq->n_queues <= TM_MAX_QUEUES;
    packet_pool_set_wait_hook(idle_hook, tv);
    packet_pool_set_reader(tv->inq == NULL && tv->outq != NULL);
}

static void batching_end(ThreadVars *tv)
{
    tm_thread_idle(tv);
    tv->is_batching = false;
    packet_pool_set_wait_hook(NULL, NULL);
    packet_pool_set_reader(false);
}

static void signal_ready(ThreadVars *tv)
{
    if (tv->on_ready != NULL) {
        tv->on_ready(tv, tv->on_ready_arg);
    }
}

int tm_thread_run_inline(ThreadVars *tv)
{
    pin_cpus(tv);
    tv->counters = counters_set_new_named(tv->name); // its own set in stats.threads
    if (tv->counters == NULL || slots_init(tv) != 0) {
        counters_set_free(tv->counters);
        tv->counters = NULL;
        signal_ready(tv);
        fail_and_drain(tv);
        tv->result = VG_EINVAL;
        return tv->result;
    }
    signal_ready(tv);
    runtime_order_set_thread(tv);
    prof_thread_begin(tv->name);
    batching_begin(tv);
    int rc = 0;
    if (tv->n_slots > 0 && tv->slots[0].module->kind == TM_KIND_ACQUIRE) {
        rc = tv->slots[0].module->acquire_loop(tv, tv->slots[0].data);
    } else if (tv->inq != NULL) {
        queue_loop(tv);
    }
    tm_thread_idle(tv);
    slots_finish(tv);         // a module's flush may still hand packets on
    prof_thread_end();
    batching_end(tv);
    runtime_order_set_thread(NULL);
    counters_set_free(tv->counters);
    tv->counters = NULL;
    tv->result = rc;
    return rc;
}

static void *thread_main(void *arg)
{
    ThreadVars *tv = arg;
    pthread_setname_np(pthread_self(), tv->name);
    tm_thread_run_inline(tv);
    return NULL;
}

int tm_thread_start(ThreadVars *tv)
{
    int rc = pthread_create(&tv->thread, NULL, thread_main, tv);
    if (rc != 0) {
        VG_ERROR("thread %s: cannot start: %s", tv->name, strerror(rc));
        return VG_ENOMEM;
    }
    tv->started = true;
    return 0;
}

int tm_thread_join_within(ThreadVars *tv, uint32_t ms, bool *ended)
{
    *ended = true;
    if (!tv->started) {
        return 0;
    }
    struct timespec deadline;
    util_deadline_after_ms(&deadline, ms);
    if (pthread_timedjoin_np(tv->thread, NULL, &deadline) != 0) {
        *ended = false;
        return 0;
    }
    tv->started = false;
    return tv->result;
}

int tm_thread_join(ThreadVars *tv)
{
    if (!tv->started) {
        return 0;
    }
    pthread_join(tv->thread, NULL);
    tv->started = false;
    return tv->result;
}
