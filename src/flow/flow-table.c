/* The flow table: creation, the packet-path lookup, per-packet flow update,
 * and eviction when the memcap is reached.
 *
 * Locking: a bucket's spinlock guards its chain and every flow's use_cnt
 * increment; references are only ever taken under it. A flow with
 * use_cnt == 0 seen under its bucket lock is therefore reachable by no one
 * else. The packet path drops the bucket lock before it waits for a flow
 * lock, so no thread waits for a flow lock while holding a bucket lock. */

#include "flow/flow-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/util-error.h"
#include "util/util-log.h"

#define FLOW_HASH_SIZE_MAX (1u << 26)
#define FLOW_EVICT_SCAN 16               // buckets the packet path looks at per eviction

static uint32_t round_pow2(uint32_t v)
{
    uint32_t n = 1;
    while (n < v) {
        n <<= 1;
    }
    return n;
}

static int seed_hash_key(FlowTable *ft)
{
    if (ft->cfg.use_fixed_hash_key) {
        memcpy(ft->hash_key, ft->cfg.hash_key, sizeof(ft->hash_key));
        return VG_OK;
    }
    size_t got = 0;
    while (got < sizeof(ft->hash_key)) {
        ssize_t r = getrandom(ft->hash_key + got, sizeof(ft->hash_key) - got, 0);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            VG_ERROR("flow: cannot read random bytes for the flow hash key: %s",
                     strerror(errno));
            return VG_EIO;
        }
        got += (size_t)r;
    }
    return VG_OK;
}

static void register_counters(FlowTable *ft)
{
    FlowCounterIds *c = &ft->ids;
    c->total = counters_register("flow.total", COUNTER_SUM);
    c->active = counters_register("flow.active", COUNTER_GAUGE);
    c->tcp = counters_register("flow.tcp", COUNTER_SUM);
    c->udp = counters_register("flow.udp", COUNTER_SUM);
    c->icmpv4 = counters_register("flow.icmpv4", COUNTER_SUM);
    c->icmpv6 = counters_register("flow.icmpv6", COUNTER_SUM);
    c->memuse = counters_register("flow.memuse", COUNTER_GAUGE);
    c->spare = counters_register("flow.spare", COUNTER_GAUGE);
    c->memcap = counters_register("flow.memcap", COUNTER_SUM);
    c->emerg_entered = counters_register("flow.emerg_mode_entered", COUNTER_SUM);
    c->emerg_over = counters_register("flow.emerg_mode_over", COUNTER_SUM);
    c->full_hash_pass = counters_register("flow.mgr.full_hash_pass", COUNTER_SUM);
    c->flows_checked = counters_register("flow.mgr.flows_checked", COUNTER_SUM);
    c->flows_timeout = counters_register("flow.mgr.flows_timeout", COUNTER_SUM);
    c->flows_evicted = counters_register("flow.mgr.flows_evicted", COUNTER_SUM);
    c->flows_notimeout = counters_register("flow.mgr.flows_notimeout", COUNTER_SUM);
}

/* Checks and adjusts ft->cfg; logs what the operator must change. */
static int table_check_config(FlowTable *ft)
{
    FlowConfig *cfg = &ft->cfg;
    if (cfg->hash_size == 0 || cfg->hash_size > FLOW_HASH_SIZE_MAX) {
        VG_ERROR("flow.hash-size %u is out of range (1 to %u)", cfg->hash_size,
                 FLOW_HASH_SIZE_MAX);
        return VG_EINVAL;
    }
    cfg->hash_size = round_pow2(cfg->hash_size);
    if (cfg->mgr_slices == 0) {
        cfg->mgr_slices = 1;
    }
    if (cfg->emergency_recovery_pct > 100) {
        cfg->emergency_recovery_pct = 100;
    }
    uint64_t hash_bytes = (uint64_t)cfg->hash_size * sizeof(FlowBucket);
    if (hash_bytes >= cfg->memcap_bytes) {
        VG_ERROR("flow.memcap (%llu bytes) does not hold the flow hash (%llu bytes for "
                 "flow.hash-size %u): raise flow.memcap or lower flow.hash-size",
                 (unsigned long long)cfg->memcap_bytes, (unsigned long long)hash_bytes,
                 cfg->hash_size);
        return VG_EINVAL;
    }
    uint64_t room = (cfg->memcap_bytes - hash_bytes) / sizeof(Flow);
    if (cfg->prealloc > room) {
        VG_WARN("flow.prealloc %u does not fit flow.memcap: preallocating %llu flows",
                cfg->prealloc, (unsigned long long)room);
        cfg->prealloc = (uint32_t)room;
    }
    return VG_OK;
}

static int table_init_buckets(FlowTable *ft)
{
    ft->mask = ft->cfg.hash_size - 1;
    ft->buckets = calloc(ft->cfg.hash_size, sizeof(FlowBucket));
    if (ft->buckets == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < ft->cfg.hash_size; i++) {
        pthread_spin_init(&ft->buckets[i].lock, PTHREAD_PROCESS_PRIVATE);
    }
    uint64_t bytes = (uint64_t)ft->cfg.hash_size * sizeof(FlowBucket);
    atomic_store(&ft->memuse, bytes);
    atomic_store(&ft->memuse_peak, bytes);
    return VG_OK;
}

FlowTable *flow_table_new(const FlowConfig *cfg)
{
    FlowTable *ft = calloc(1, sizeof(*ft));
    if (ft == NULL) {
        return NULL;
    }
    ft->cfg = *cfg;
    if (table_check_config(ft) != VG_OK || seed_hash_key(ft) != VG_OK) {
        free(ft);
        return NULL;
    }
    if (pthread_mutex_init(&ft->mgr_lock, NULL) != 0) {
        free(ft);
        return NULL;
    }
    register_counters(ft);
    ft->mgr_cs = counters_set_new();
    if (ft->mgr_cs == NULL || table_init_buckets(ft) != VG_OK || flow_pool_init(ft) != VG_OK) {
        VG_ERROR("flow: out of memory creating the flow table (flow.hash-size %u, "
                 "flow.prealloc %u)", ft->cfg.hash_size, ft->cfg.prealloc);
        flow_table_free(ft);
        return NULL;
    }
    flow_table_refresh_gauges(ft);
    return ft;
}

void flow_table_free(FlowTable *ft)
{
    if (ft == NULL) {
        return;
    }
    for (uint32_t i = 0; ft->buckets != NULL && i < ft->cfg.hash_size; i++) {
        FlowBucket *b = &ft->buckets[i];
        while (b->head != NULL) {
            Flow *f = b->head;
            b->head = f->hnext;
            flow_recycle_clear(ft, f);
            pthread_mutex_destroy(&f->lock);
            free(f);
        }
        pthread_spin_destroy(&b->lock);
    }
    flow_pool_deinit(ft);
    free(ft->buckets);
    counters_set_free(ft->mgr_cs);
    pthread_mutex_destroy(&ft->mgr_lock);
    free(ft);
}

void flow_table_set_end_cb(FlowTable *ft, FlowEndCb cb, void *user)
{
    ft->end_cb = cb;
    ft->end_user = user;
}

void flow_table_set_protoctx_free(FlowTable *ft, void (*free_fn)(void *))
{
    ft->protoctx_free = free_fn;
}

bool flow_table_is_emergency(const FlowTable *ft)
{
    return atomic_load(&ft->is_emergency);
}

void flow_table_get_stats(const FlowTable *ft, FlowTableStats *out)
{
    memset(out, 0, sizeof(*out));
    out->memuse_bytes = atomic_load(&ft->memuse);
    out->memuse_peak_bytes = atomic_load(&ft->memuse_peak);
    out->memcap_bytes = ft->cfg.memcap_bytes;
    out->active = atomic_load(&ft->active);
    out->spare = flow_pool_len((FlowTable *)ft);
    out->allocs = atomic_load(&ft->allocs);
    out->is_emergency = atomic_load(&ft->is_emergency);
}

/* Caller (the manager) holds mgr_lock: mgr_cs has one writer. */
void flow_table_refresh_gauges(FlowTable *ft)
{
    counters_set(ft->mgr_cs, ft->ids.active, atomic_load(&ft->active));
    counters_set(ft->mgr_cs, ft->ids.memuse, atomic_load(&ft->memuse));
    counters_set(ft->mgr_cs, ft->ids.spare, flow_pool_len(ft));
}

void flow_bucket_unlink(FlowTable *ft, FlowBucket *b, Flow *f)
{
    for (Flow **pp = &b->head; *pp != NULL; pp = &(*pp)->hnext) {
        if (*pp == f) {
            *pp = f->hnext;
            f->hnext = NULL;
            b->n_flows--;
            atomic_fetch_sub(&ft->active, 1);
            return;
        }
    }
}

/* Hands an unlinked flow to cb and clears it (not yet back in the pool). */
static void flow_end(FlowTable *ft, Flow *f, FlowEndReason reason, FlowEndCb cb, void *user)
{
    pthread_mutex_lock(&f->lock);
    f->end_reason = (uint8_t)reason;
    if (cb != NULL) {
        cb(f, reason, user);
    }
    pthread_mutex_unlock(&f->lock);
    flow_recycle_clear(ft, f);
}

void flow_end_and_recycle(FlowTable *ft, Flow *f, FlowEndReason reason, FlowEndCb cb,
                          void *user)
{
    flow_end(ft, f, reason, cb, user);
    flow_pool_put(ft, f);
}

/* In a locked bucket: an idle flow (no reference) to evict, expired under the
 * emergency timeouts when expired_only, else the one idle the longest. */
static Flow *chain_pick(FlowTable *ft, FlowBucket *b, int64_t now_sec, bool expired_only)
{
    Flow *best = NULL;
    for (Flow *f = b->head; f != NULL; f = f->hnext) {
        if (atomic_load(&f->use_cnt) != 0) {
            continue;
        }
        if (expired_only) {
            if (flow_is_expired(ft, f, now_sec, true)) {
                return f;
            }
        } else if (best == NULL || f->last_sec < best->last_sec) {
            best = f;
        }
    }
    return best;
}

/* Own bucket (locked by the caller) first, then up to FLOW_EVICT_SCAN others
 * that can be locked without waiting. The victim leaves the table. */
static Flow *evict_scan(FlowTable *ft, FlowBucket *own, int64_t now_sec, bool expired_only)
{
    Flow *v = chain_pick(ft, own, now_sec, expired_only);
    if (v != NULL) {
        flow_bucket_unlink(ft, own, v);
        return v;
    }
    uint32_t start = atomic_fetch_add(&ft->evict_cursor, FLOW_EVICT_SCAN);
    for (uint32_t i = 0; i < FLOW_EVICT_SCAN; i++) {
        FlowBucket *b = &ft->buckets[(start + i) & ft->mask];
        if (b == own || pthread_spin_trylock(&b->lock) != 0) {
            continue;
        }
        v = chain_pick(ft, b, now_sec, expired_only);
        if (v != NULL) {
            flow_bucket_unlink(ft, b, v);
        }
        pthread_spin_unlock(&b->lock);
        if (v != NULL) {
            return v;
        }
    }
    return NULL;
}

static void enter_emergency(FlowTable *ft, CounterSet *cs)
{
    if (atomic_exchange(&ft->is_emergency, true)) {
        return;
    }
    if (cs != NULL) {
        counters_incr(cs, ft->ids.emerg_entered);
    }
    VG_NOTICE("flow: memcap of %llu bytes reached, entering emergency mode (short "
              "timeouts, eviction of idle flows)", (unsigned long long)ft->cfg.memcap_bytes);
}

/* Memcap reached: unlinks a victim (bucket own is locked by the caller) and
 * says why it goes. The caller ends it once the bucket lock is dropped. */
static Flow *flow_evict_unlink(FlowTable *ft, FlowBucket *own, int64_t now_sec,
                               FlowEndReason *reason)
{
    *reason = FLOW_END_TIMEOUT;
    Flow *v = evict_scan(ft, own, now_sec, true);
    if (v == NULL) {
        *reason = FLOW_END_FORCED;
        v = evict_scan(ft, own, now_sec, false);
    }
    return v;
}

static void flow_init(FlowTable *ft, Flow *f, const FlowTuple *t, uint32_t hash,
                      const Packet *p)
{
    f->key = t->k;
    if (t->src_is_server) {
        f->key.src = t->k.dst;
        f->key.dst = t->k.src;
        if (!t->fixed_ports) {
            f->key.sp = t->k.dp;
            f->key.dp = t->k.sp;
        }
    }
    f->hash = hash;
    f->table = ft;
    f->start_sec = f->last_sec = p->ts_sec;
    f->start_usec = f->last_usec = p->ts_usec;
    f->flow_id = flow_id_of(f);
    f->state = FLOW_STATE_NEW;
    f->proto_class = (uint8_t)flow_proto_class(t->k.proto);
    if (atomic_load(&ft->is_emergency)) {
        f->flags |= FLOW_F_EMERGENCY;
    }
}

static void count_new_flow(const FlowTable *ft, CounterSet *cs, const Packet *p)
{
    if (cs == NULL) {
        return;
    }
    counters_incr(cs, ft->ids.total);
    switch (p->l4) {
    case PKT_L4_TCP:
        counters_incr(cs, ft->ids.tcp);
        break;
    case PKT_L4_UDP:
        counters_incr(cs, ft->ids.udp);
        break;
    case PKT_L4_ICMPV4:
        counters_incr(cs, ft->ids.icmpv4);
        break;
    case PKT_L4_ICMPV6:
        counters_incr(cs, ft->ids.icmpv6);
        break;
    default:
        break;
    }
}

static Flow *bucket_find(FlowBucket *b, const FlowTuple *t, int *dir)
{
    for (Flow *f = b->head; f != NULL; f = f->hnext) {
        int m = flow_key_match(&f->key, t);
        if (m != 0) {
            *dir = m;
            return f;
        }
    }
    return NULL;
}

static void count_packet(Flow *f, Packet *p, bool to_server)
{
    if (to_server) {
        f->pkts_toserver++;
        f->bytes_toserver += p->caplen;
        p->flags |= PKT_F_TOSERVER;
    } else {
        f->pkts_toclient++;
        f->bytes_toclient += p->caplen;
        p->flags |= PKT_F_TOCLIENT;
    }
    if (p->ts_sec > f->last_sec || (p->ts_sec == f->last_sec && p->ts_usec > f->last_usec)) {
        f->last_sec = p->ts_sec;
        f->last_usec = p->ts_usec;
    }
}

/* TCP: RST closes; FIN seen from both sides closes (RFC 9293 3.6). */
static void update_tcp_state(Flow *f, const Packet *p, bool to_server)
{
    uint8_t fl = p->tcp.flags;
    if (fl & TH_RST) {
        f->state = FLOW_STATE_CLOSED;
        return;
    }
    if (fl & TH_FIN) {
        f->flags |= to_server ? FLOW_F_FIN_TOSERVER : FLOW_F_FIN_TOCLIENT;
    }
    uint32_t both = FLOW_F_FIN_TOSERVER | FLOW_F_FIN_TOCLIENT;
    if ((f->flags & both) == both) {
        f->state = FLOW_STATE_CLOSED;
    }
}

static void flow_update(Flow *f, Packet *p, bool to_server)
{
    count_packet(f, p, to_server);
    f->flags |= to_server ? FLOW_F_TOSERVER_SEEN : FLOW_F_TOCLIENT_SEEN;
    if (f->flags & FLOW_F_STATE_EXTERNAL) {
        return;
    }
    uint32_t both = FLOW_F_TOSERVER_SEEN | FLOW_F_TOCLIENT_SEEN;
    if (f->state == FLOW_STATE_NEW && (f->flags & both) == both) {
        f->state = FLOW_STATE_ESTABLISHED;
    }
    if (p->l4 == PKT_L4_TCP && f->key.proto == 6) {
        update_tcp_state(f, p, to_server);
    }
}

/* Bucket b is locked; returns with it unlocked and the flow locked. */
static Flow *take_ref_and_lock(FlowBucket *b, Flow *f, Packet *p)
{
    atomic_fetch_add(&f->use_cnt, 1);
    pthread_spin_unlock(&b->lock);
    pthread_mutex_lock(&f->lock);
    p->flow = f;
    return f;
}

/* Links a new flow for t into the locked bucket b, takes its reference and
 * returns it locked with b unlocked. */
static Flow *link_new_flow(FlowTable *ft, CounterSet *cs, FlowBucket *b, Flow *f,
                           const FlowTuple *t, Packet *p)
{
    flow_init(ft, f, t, p->flow_hash, p);
    f->hnext = b->head;
    b->head = f;
    b->n_flows++;
    atomic_fetch_add(&ft->active, 1);
    count_new_flow(ft, cs, p);
    take_ref_and_lock(b, f, p);
    flow_update(f, p, !t->src_is_server);
    return f;
}

/* Tunnel and defrag packets carry their root's clock. */
int64_t flow_packet_clock(const Packet *p)
{
    const Packet *r = p->root != NULL ? p->root : p;
    return r->clock_sec > p->ts_sec ? r->clock_sec : p->ts_sec;
}

/* What a lookup found: a flow to use (locked, referenced, bucket unlocked),
 * or a flow it unlinked and must end outside the bucket lock, then retry. */
typedef struct LookupStep {
    Flow *found;
    Flow *ended;
    FlowEndReason reason;
    bool evicted;                    // ended to make room (memcap), not found expired
    bool expired;                    // found past its timeout: ended (or pending), retry
    bool no_victim;                  // memcap: no idle flow in the buckets looked at, retry
} LookupStep;

/* Drops a reference; true when the caller must now end f: its end was
 * pending and this was the last reference. Nothing of f is read after the
 * decrement, which another thread's end may follow at once. */
static bool ref_drop_must_end(Flow *f)
{
    return atomic_fetch_sub(&f->use_cnt, 1) == (FLOW_USE_END_PENDING | 1u);
}

void flow_ref_drop(Flow *f)
{
    if (ref_drop_must_end(f)) {
        FlowTable *ft = f->table;
        flow_end_and_recycle(ft, f, FLOW_END_TIMEOUT, ft->end_cb, ft->end_user);
    }
}

/* f is locked and referenced by p (bucket b unlocked). A packet that finds
 * its flow past its timeout at its clock ends that flow (timeout) and starts
 * a new one, whether or not a manager pass got there first, and whether or
 * not packets of the old flow are still in flight in later threads (it then
 * ends when the last of them is done): flow records depend on the packets
 * alone. */
static bool expired_on_arrival(FlowTable *ft, FlowBucket *b, Flow *f, Packet *p, int64_t now_sec,
                               LookupStep *st)
{
    if (!flow_is_expired(ft, f, now_sec, atomic_load(&ft->is_emergency))) {
        return false;
    }
    pthread_mutex_unlock(&f->lock);
    p->flow = NULL;
    /* Out of the hash first: references are only taken on linked flows under
     * the bucket lock, so none can be taken once the mark is set. */
    pthread_spin_lock(&b->lock);
    flow_bucket_unlink(ft, b, f);   // nobody else unlinks a flow in use
    atomic_fetch_or(&f->use_cnt, FLOW_USE_END_PENDING);
    pthread_spin_unlock(&b->lock);
    st->ended = ref_drop_must_end(f) ? f : NULL;
    st->reason = FLOW_END_TIMEOUT;
    st->expired = true;
    return true;
}

/* One attempt under the bucket lock. A packet that finds its flow idle and
 * past its timeout at its clock ends that flow (timeout) and starts a new
 * one, whether or not a manager pass got there first: flow records depend on
 * the packets alone, not on the manager's pace. */
static void lookup_step(FlowTable *ft, CounterSet *cs, FlowBucket *b, const FlowTuple *t,
                        const FlowTuple *emb, Packet *p, int64_t now_sec, bool may_evict,
                        LookupStep *st)
{
    memset(st, 0, sizeof(*st));
    pthread_spin_lock(&b->lock);
    int dir = 0;
    Flow *f = emb != NULL ? bucket_find(b, emb, &dir) : NULL;
    if (f != NULL) {
        /* The error travels back against the packet it quotes. */
        st->found = take_ref_and_lock(b, f, p);
        count_packet(f, p, dir < 0);
        return;
    }
    f = bucket_find(b, t, &dir);
    if (f != NULL) {
        take_ref_and_lock(b, f, p);
        if (expired_on_arrival(ft, b, f, p, now_sec, st)) {
            return;
        }
        flow_update(f, p, dir > 0);
        st->found = f;
        return;
    }
    bool memcap_hit = false;
    f = flow_pool_get(ft, &memcap_hit);
    if (f != NULL) {
        st->found = link_new_flow(ft, cs, b, f, t, p);
        return;
    }
    if (memcap_hit) {
        enter_emergency(ft, cs);
    }
    st->ended = memcap_hit && may_evict ? flow_evict_unlink(ft, b, now_sec, &st->reason) : NULL;
    st->evicted = st->ended != NULL;
    st->no_victim = memcap_hit && may_evict && st->ended == NULL;
    pthread_spin_unlock(&b->lock);
}

#define FLOW_LOOKUP_TRIES 4          // a flow freed by this packet may be taken by another thread

Flow *flow_lookup_or_create(FlowTable *ft, CounterSet *cs, Packet *p)
{
    p->flow = NULL;
    p->flags &= ~(uint32_t)(PKT_F_TOSERVER | PKT_F_TOCLIENT);
    FlowTuple t;
    FlowTuple emb;
    bool has_emb = false;
    if (!flow_tuple_from_packet(p, &t, &emb, &has_emb)) {
        p->flow_hash = 0;
        return NULL;
    }
    if (!ft->cfg.recursion_tracking) {
        t.k.recursion = 0;
        emb.k.recursion = 0;
    }
    p->flow_hash = flow_tuple_hash(ft->hash_key, has_emb ? &emb : &t);
    FlowBucket *b = &ft->buckets[p->flow_hash & ft->mask];
    int64_t now_sec = flow_packet_clock(p);
    for (int i = 0; i < FLOW_LOOKUP_TRIES; i++) {
        LookupStep st;
        lookup_step(ft, cs, b, &t, has_emb ? &emb : NULL, p, now_sec, i + 1 < FLOW_LOOKUP_TRIES,
                    &st);
        if (st.found != NULL) {
            return st.found;
        }
        if (st.no_victim) {
            continue; // the next try scans other buckets
        }
        if (st.ended == NULL && !st.expired) {
            break;
        }
        if (cs != NULL) {
            counters_incr(cs, st.evicted ? ft->ids.flows_evicted : ft->ids.flows_timeout);
        }
        /* Ended with no bucket lock held: the records, flow-end detection
         * and recycling may take as long as they need. */
        if (st.ended != NULL) {
            flow_end_and_recycle(ft, st.ended, st.reason, ft->end_cb, ft->end_user);
        }
        if (st.expired) {
            i--; // a timed-out flow is not a failed try: the next one makes the new flow
        }
    }
    if (cs != NULL) {
        counters_incr(cs, ft->ids.memcap);
    }
    return NULL;
}

void flow_release(Flow *f)
{
    pthread_mutex_unlock(&f->lock);
    flow_ref_drop(f);
}

void flow_set_state(Flow *f, FlowState state)
{
    f->state = (uint8_t)state;
    f->flags |= FLOW_F_STATE_EXTERNAL;
}
