/* The flow table: creation, the packet-path lookup, per-packet flow update,
 * and eviction when an owner's share of the memcap is reached.
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

/* flow_table_wants_order: the flows one packet read may create at most (its
 * own and one per tunnel layer, each possibly also as a rebuilt datagram),
 * and room kept for lookups between ending an expired flow and linking its
 * successor (one per thread at most). */
#define FLOW_ORDER_FLOWS_PER_PKT (2u * (PACKET_MAX_TUNNEL_DEPTH + 1u))
#define FLOW_ORDER_SLACK (2u * FLOW_OWNERS_MAX)

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
    atomic_store(&ft->room_flows, room);
    atomic_store(&ft->memcap_bytes, cfg->memcap_bytes);
    if (cfg->prealloc > room) {
        VG_WARN("flow.prealloc %u does not fit flow.memcap: preallocating %llu flows",
                cfg->prealloc, (unsigned long long)room);
        cfg->prealloc = (uint32_t)room;
    }
    return VG_OK;
}

static int table_init_owners(FlowTable *ft)
{
    ft->owners = calloc(FLOW_OWNERS_MAX, sizeof(FlowOwner));
    if (ft->owners == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < FLOW_OWNERS_MAX; i++) {
        pthread_spin_init(&ft->owners[i].lock, PTHREAD_PROCESS_PRIVATE);
    }
    atomic_store(&ft->n_owners, 1);
    return VG_OK;
}

static int table_init_buckets(FlowTable *ft)
{
    ft->mask = ft->cfg.hash_size - 1;
    ft->buckets = calloc(ft->cfg.hash_size, sizeof(FlowBucket));
    ft->nonempty = calloc(ft->cfg.hash_size / 64u + 1u, sizeof(*ft->nonempty));
    if (ft->buckets == NULL || ft->nonempty == NULL) {
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
    if (ft->mgr_cs == NULL || table_init_owners(ft) != VG_OK || table_init_buckets(ft) != VG_OK ||
        flow_pool_init(ft) != VG_OK) {
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
    free(ft->nonempty);
    for (uint32_t i = 0; ft->owners != NULL && i < FLOW_OWNERS_MAX; i++) {
        pthread_spin_destroy(&ft->owners[i].lock);
    }
    free(ft->owners);
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
    return atomic_load(&ft->n_emergency) > 0;
}

void flow_table_set_owners(FlowTable *ft, uint32_t n)
{
    atomic_store(&ft->n_owners, n > 0 ? n : 1);
}

void flow_table_set_ordered(FlowTable *ft, bool on)
{
    atomic_store(&ft->is_ordered, on);
    if (on) {
        atomic_store(&ft->n_owners, 1);
    }
}

bool flow_table_is_one_share(const FlowTable *ft)
{
    return atomic_load_explicit(&ft->n_owners, memory_order_relaxed) == 1;
}

bool flow_table_wants_order(const FlowTable *ft, uint64_t window_pkts)
{
    if (!atomic_load_explicit(&ft->is_ordered, memory_order_relaxed)) {
        return false;
    }
    if (atomic_load_explicit(&ft->owners[0].is_emergency, memory_order_relaxed)) {
        return true;
    }
    uint64_t room = atomic_load_explicit(&ft->room_flows, memory_order_relaxed);
    uint64_t may_add = window_pkts * FLOW_ORDER_FLOWS_PER_PKT + FLOW_ORDER_SLACK;
    return atomic_load(&ft->active) + may_add >= room;
}

static FlowOwner *owner_of(const FlowTable *ft, uint32_t owner)
{
    return &ft->owners[owner % FLOW_OWNERS_MAX];
}

uint64_t flow_owner_share(const FlowTable *ft)
{
    return atomic_load_explicit(&ft->room_flows, memory_order_relaxed) /
           atomic_load_explicit(&ft->n_owners, memory_order_relaxed);
}

uint64_t flow_table_memcap(const FlowTable *ft)
{
    return atomic_load(&((FlowTable *)ft)->memcap_bytes);
}

int flow_table_set_memcap(FlowTable *ft, uint64_t bytes)
{
    uint64_t hash_bytes = (uint64_t)ft->cfg.hash_size * sizeof(FlowBucket);
    if (bytes <= hash_bytes) {
        return VG_EINVAL;
    }
    if (bytes < atomic_load(&ft->memuse)) {
        return VG_ERANGE;
    }
    /* Owners see the new share at their next new flow; one above it evicts
     * down to it as at the memcap. */
    atomic_store(&ft->room_flows, (bytes - hash_bytes) / sizeof(Flow));
    atomic_store(&ft->memcap_bytes, bytes);
    return 0;
}

bool flow_table_owner_is_emergency(const FlowTable *ft, uint32_t owner)
{
    return atomic_load_explicit(&owner_of(ft, owner)->is_emergency, memory_order_relaxed);
}

static void owner_enter_emergency(FlowTable *ft, uint32_t owner, CounterSet *cs)
{
    if (atomic_exchange(&owner_of(ft, owner)->is_emergency, true)) {
        return;
    }
    atomic_fetch_add(&ft->n_emergency, 1);
    if (cs != NULL) {
        counters_incr(cs, ft->ids.emerg_entered);
    }
    if (flow_table_is_one_share(ft)) {
        VG_NOTICE("flow: flow.memcap holds no more flows (%llu): emergency mode (short "
                  "timeouts; the least recently used flows end to make room)",
                  (unsigned long long)flow_owner_share(ft));
        return;
    }
    VG_NOTICE("flow: thread %u holds its share of flow.memcap (%llu flows): emergency mode "
              "(short timeouts; its least recently used flows end to make room)", owner,
              (unsigned long long)flow_owner_share(ft));
}

void flow_owner_maybe_recover(FlowTable *ft, uint32_t owner, CounterSet *cs)
{
    FlowOwner *o = owner_of(ft, owner);
    if (!atomic_load(&o->is_emergency)) {
        return;
    }
    uint64_t mark = flow_owner_share(ft) * (100 - ft->cfg.emergency_recovery_pct) / 100;
    uint32_t n = atomic_load(&o->n_flows);
    if (n >= mark || !atomic_exchange(&o->is_emergency, false)) {
        return;
    }
    atomic_fetch_sub(&ft->n_emergency, 1);
    if (cs != NULL) {
        counters_incr(cs, ft->ids.emerg_over);
    }
    if (flow_table_is_one_share(ft)) {
        VG_NOTICE("flow: down to %u flows, leaving emergency mode", n);
        return;
    }
    VG_NOTICE("flow: thread %u down to %u flows, leaving emergency mode", owner, n);
}

/* The owner's list, least recently used first; o->lock held. */
static void lru_append(FlowOwner *o, Flow *f)
{
    f->lru_next = NULL;
    f->lru_prev = o->lru_tail;
    if (o->lru_tail != NULL) {
        o->lru_tail->lru_next = f;
    } else {
        o->lru_head = f;
    }
    o->lru_tail = f;
}

static void lru_remove(FlowOwner *o, Flow *f)
{
    if (f->lru_prev != NULL) {
        f->lru_prev->lru_next = f->lru_next;
    } else {
        o->lru_head = f->lru_next;
    }
    if (f->lru_next != NULL) {
        f->lru_next->lru_prev = f->lru_prev;
    } else {
        o->lru_tail = f->lru_prev;
    }
    f->lru_prev = f->lru_next = NULL;
}

/* Whether a comes after b in the owner's list: its last packet came later
 * in the capture (the same packet: by flow id). */
static bool lru_after(const Flow *a, const Flow *b)
{
    if (a->lru_seq != b->lru_seq) {
        return a->lru_seq > b->lru_seq;
    }
    return a->flow_id > b->flow_id;
}

/* f goes to the end of the list, or back past the flows whose last packet
 * came later in the capture (threads that took packets out of capture
 * order): the list stays in capture order of the flows' last packets.
 * o->lock held, f not in the list. */
static void lru_insert(FlowOwner *o, Flow *f)
{
    Flow *after = o->lru_tail;
    while (f->lru_seq != 0 && after != NULL && lru_after(after, f)) {
        after = after->lru_prev;
    }
    if (after == o->lru_tail) {
        lru_append(o, f);
        return;
    }
    f->lru_prev = after;
    f->lru_next = after != NULL ? after->lru_next : o->lru_head;
    f->lru_next->lru_prev = f;
    if (after != NULL) {
        after->lru_next = f;
    } else {
        o->lru_head = f;
    }
}

/* Merges two lists linked by lru_next, each in lru_after order. */
static Flow *lru_merge(Flow *a, Flow *b)
{
    Flow head = {0};
    Flow *t = &head;
    while (a != NULL && b != NULL) {
        Flow **take = lru_after(a, b) ? &b : &a;
        t->lru_next = *take;
        t = *take;
        *take = (*take)->lru_next;
    }
    t->lru_next = a != NULL ? a : b;
    return head.lru_next;
}

/* Sorts the owner's list by last packet (o->lock held): a bottom-up merge
 * sort, O(n log n), no allocation. */
static void lru_sort(FlowOwner *o)
{
    enum { LEVELS = 64 };
    Flow *bins[LEVELS] = {0};
    Flow *f = o->lru_head;
    while (f != NULL) {
        Flow *next = f->lru_next;
        f->lru_next = NULL;
        int i = 0;
        for (; i < LEVELS - 1 && bins[i] != NULL; i++) {
            f = lru_merge(bins[i], f);
            bins[i] = NULL;
        }
        bins[i] = bins[i] == NULL ? f : lru_merge(bins[i], f);
        f = next;
    }
    Flow *all = NULL;
    for (int i = 0; i < LEVELS; i++) {
        all = bins[i] == NULL ? all : (all == NULL ? bins[i] : lru_merge(bins[i], all));
    }
    o->lru_head = all;
    Flow *prev = NULL;
    for (f = all; f != NULL; f = f->lru_next) {
        f->lru_prev = prev;
        prev = f;
    }
    o->lru_tail = prev;
}

/* The capture number of p's root: what orders an owner's list. A source
 * that does not number its packets gets the order of the lookups. */
static uint64_t lru_seq_of(FlowTable *ft, const Packet *p)
{
    uint64_t n = p->root != NULL ? p->root->pcap_cnt : p->pcap_cnt;
    return n != 0 ? n : atomic_fetch_add_explicit(&ft->lookup_seq, 1, memory_order_relaxed) + 1;
}

/* One share outside emergency mode keeps its list lazily: a touch only
 * notes the packet in the flow (no shared lock per packet, which threads
 * would fight over); the list is sorted when emergency mode starts, the only
 * time its order is used, and kept in order from then on, while packets go
 * one at a time. Per-thread shares keep theirs in order all the time. */
static bool lru_is_lazy(const FlowTable *ft, const FlowOwner *o)
{
    return flow_table_is_one_share(ft) &&
           !atomic_load_explicit(&o->is_emergency, memory_order_relaxed);
}

/* A packet of f was seen: f becomes its owner's most recently used flow.
 * f's bucket is locked (so f is linked). */
static void lru_touch(FlowTable *ft, Flow *f, const Packet *p)
{
    FlowOwner *o = owner_of(ft, f->owner);
    uint64_t seq = lru_seq_of(ft, p);
    if (lru_is_lazy(ft, o)) {
        /* read by lru_sort only, when every lookup before has ended */
        f->lru_seq = seq > f->lru_seq ? seq : f->lru_seq;
        return;
    }
    pthread_spin_lock(&o->lock);   // lru_insert reads the others' lru_seq under it
    f->lru_seq = seq > f->lru_seq ? seq : f->lru_seq;
    if (o->lru_tail != f) {
        lru_remove(o, f);
        lru_insert(o, f);
    }
    pthread_spin_unlock(&o->lock);
}

static void owner_add(FlowTable *ft, Flow *f, const Packet *p)
{
    FlowOwner *o = owner_of(ft, f->owner);
    f->lru_seq = lru_seq_of(ft, p);
    bool is_lazy = lru_is_lazy(ft, o);
    pthread_spin_lock(&o->lock);
    if (is_lazy) {
        lru_append(o, f);
    } else {
        lru_insert(o, f);
    }
    atomic_fetch_add(&o->n_flows, 1);
    pthread_spin_unlock(&o->lock);
    atomic_fetch_add(&ft->active, 1);
}

/* Emergency mode starts for a lazily kept list: put it in order. */
static void owner_sort(FlowTable *ft, uint32_t owner)
{
    FlowOwner *o = owner_of(ft, owner);
    pthread_spin_lock(&o->lock);
    lru_sort(o);
    pthread_spin_unlock(&o->lock);
}

void flow_unlinked(FlowTable *ft, Flow *f)
{
    FlowOwner *o = owner_of(ft, f->owner);
    pthread_spin_lock(&o->lock);
    lru_remove(o, f);
    atomic_fetch_sub(&o->n_flows, 1);
    pthread_spin_unlock(&o->lock);
    atomic_fetch_sub(&ft->active, 1);
}

void flow_table_get_stats(const FlowTable *ft, FlowTableStats *out)
{
    memset(out, 0, sizeof(*out));
    out->memuse_bytes = atomic_load(&ft->memuse);
    out->memuse_peak_bytes = atomic_load(&ft->memuse_peak);
    out->memcap_bytes = atomic_load(&ft->memcap_bytes);
    out->active = atomic_load(&ft->active);
    out->spare = flow_pool_len((FlowTable *)ft);
    out->allocs = atomic_load(&ft->allocs);
    out->is_emergency = flow_table_is_emergency(ft);
}

/* Caller (the manager) holds mgr_lock: mgr_cs has one writer. */
void flow_table_refresh_gauges(FlowTable *ft)
{
    counters_set(ft->mgr_cs, ft->ids.active, atomic_load(&ft->active));
    counters_set(ft->mgr_cs, ft->ids.memuse, atomic_load(&ft->memuse));
    counters_set(ft->mgr_cs, ft->ids.spare, flow_pool_len(ft));
}

void flow_bucket_count(FlowTable *ft, FlowBucket *b, int delta)
{
    uint32_t n = atomic_load_explicit(&b->n_flows, memory_order_relaxed);
    uint32_t i = (uint32_t)(b - ft->buckets);
    uint64_t bit = 1ull << (i % 64u);
    if (delta > 0) {
        atomic_store_explicit(&b->n_flows, n + 1, memory_order_relaxed);
        if (n == 0) {
            atomic_fetch_or_explicit(&ft->nonempty[i / 64u], bit, memory_order_relaxed);
        }
    } else {
        atomic_store_explicit(&b->n_flows, n - 1, memory_order_relaxed);
        if (n == 1) {
            atomic_fetch_and_explicit(&ft->nonempty[i / 64u], ~bit, memory_order_relaxed);
        }
    }
}

bool flow_bucket_unlink(FlowTable *ft, FlowBucket *b, Flow *f)
{
    for (Flow **pp = &b->head; *pp != NULL; pp = &(*pp)->hnext) {
        if (*pp == f) {
            *pp = f->hnext;
            f->hnext = NULL;
            flow_bucket_count(ft, b, -1);
            flow_unlinked(ft, f);
            return true;
        }
    }
    return false;
}

/* Hands an unlinked flow to cb and clears it (not yet back in the pool). */
static void flow_end(FlowTable *ft, Flow *f, FlowEndReason reason, FlowEndCb cb, void *user)
{
    pthread_mutex_lock(&f->lock);
    f->end_reason = (uint8_t)reason;
    f->flags |= FLOW_F_ENDING;
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

static void flow_init(FlowTable *ft, Flow *f, const FlowTuple *t, uint32_t hash,
                      uint32_t owner, const Packet *p)
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
    f->livedev = p->root != NULL ? p->root->iface : p->iface;
    f->pcap_file = p->root != NULL ? p->root->pcap_file : p->pcap_file;
    f->state = FLOW_STATE_NEW;
    f->proto_class = (uint8_t)flow_proto_class(t->k.proto);
    f->owner = (uint8_t)owner;
    if (flow_table_owner_is_emergency(ft, owner)) {
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
    uint8_t ttl = p->l3 == PKT_L3_IPV4 ? p->ip4.ttl : (p->l3 == PKT_L3_IPV6 ? p->ip6.hlim : 0);
    int d = to_server ? 0 : 1;
    bool first;
    if (to_server) {
        first = f->pkts_toserver++ == 0;
        f->bytes_toserver += p->caplen;
        p->flags |= PKT_F_TOSERVER;
    } else {
        first = f->pkts_toclient++ == 0;
        f->bytes_toclient += p->caplen;
        p->flags |= PKT_F_TOCLIENT;
    }
    if (first || ttl < f->min_ttl[d]) {
        f->min_ttl[d] = ttl;
    }
    if (first || ttl > f->max_ttl[d]) {
        f->max_ttl[d] = ttl;
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

/* The first Ethernet header of each direction (the outermost frame of a
 * tunnel packet), for EVE's `ether` on flow and app-layer records. */
static void note_mac(Flow *f, const Packet *p, bool to_server)
{
    uint8_t bit = to_server ? 1 : 2;
    if (f->has_mac & bit) {
        return;
    }
    if (p->linktype != LINKTYPE_ETHERNET && p->root != NULL) {
        p = p->root;
    }
    if (p->linktype == LINKTYPE_ETHERNET && p->l2 != NULL && p->caplen >= 14) {
        memcpy(f->mac[to_server ? 0 : 1], p->l2, 12);
        f->has_mac |= bit;
    }
}

static _Atomic bool g_tcp_state_by_stream;

void flow_tcp_state_by_stream(bool yes)
{
    atomic_store(&g_tcp_state_by_stream, yes);
}

static void flow_update(Flow *f, Packet *p, bool to_server)
{
    count_packet(f, p, to_server);
    note_mac(f, p, to_server);
    f->flags |= to_server ? FLOW_F_TOSERVER_SEEN : FLOW_F_TOCLIENT_SEEN;
    /* a flow dropped inline keeps its state: its packets go no further (Suricata) */
    if (f->flags & (FLOW_F_STATE_EXTERNAL | FLOW_F_DROP)) {
        return;
    }
    if (f->key.proto == 6 && atomic_load_explicit(&g_tcp_state_by_stream, memory_order_relaxed)) {
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
                           const FlowTuple *t, uint32_t owner, Packet *p)
{
    flow_init(ft, f, t, p->flow_hash, owner, p);
    f->hnext = b->head;
    b->head = f;
    flow_bucket_count(ft, b, 1);
    owner_add(ft, f, p);
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
    bool expired;                    // found past its timeout: ended (or pending), retry
    bool owner_full;                 // the owner holds its share: evict, retry
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
        flow_end_and_recycle(ft, f, (FlowEndReason)f->end_reason, ft->end_cb, ft->end_user);
    }
}

/* Takes f (referenced by the caller, not locked) out of its bucket b (not
 * locked) to end it with reason: at once when the caller's reference is the
 * last (returned: the caller ends it), else when the last packet holding it
 * drops its reference (FLOW_USE_END_PENDING). References are only taken on
 * linked flows under the bucket lock, so none can follow the mark. */
static Flow *unlink_and_drop(FlowTable *ft, FlowBucket *b, Flow *f, FlowEndReason reason)
{
    pthread_spin_lock(&b->lock);
    if (flow_bucket_unlink(ft, b, f)) {
        f->end_reason = (uint8_t)reason;
        atomic_fetch_or(&f->use_cnt, FLOW_USE_END_PENDING);
    }
    pthread_spin_unlock(&b->lock);
    return ref_drop_must_end(f) ? f : NULL;
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
    if (!flow_is_expired(ft, f, now_sec, flow_table_owner_is_emergency(ft, f->owner))) {
        return false;
    }
    pthread_mutex_unlock(&f->lock);
    p->flow = NULL;
    st->ended = unlink_and_drop(ft, b, f, FLOW_END_TIMEOUT);
    st->expired = true;
    return true;
}

/* One attempt under the bucket lock. */
static void lookup_step(FlowTable *ft, CounterSet *cs, FlowBucket *b, const FlowTuple *t,
                        const FlowTuple *emb, uint32_t owner, Packet *p, int64_t now_sec,
                        LookupStep *st)
{
    memset(st, 0, sizeof(*st));
    pthread_spin_lock(&b->lock);
    int dir = 0;
    Flow *f = emb != NULL ? bucket_find(b, emb, &dir) : NULL;
    if (f != NULL) {
        /* The error travels back against the packet it quotes. */
        lru_touch(ft, f, p);
        st->found = take_ref_and_lock(b, f, p);
        count_packet(f, p, dir < 0);
        return;
    }
    f = bucket_find(b, t, &dir);
    if (f != NULL) {
        lru_touch(ft, f, p);
        take_ref_and_lock(b, f, p);
        if (expired_on_arrival(ft, b, f, p, now_sec, st)) {
            return;
        }
        flow_update(f, p, dir > 0);
        st->found = f;
        return;
    }
    /* Only the owner adds to its count: no other thread can fill its share
     * between this check and the link below. */
    if (atomic_load(&owner_of(ft, owner)->n_flows) >= flow_owner_share(ft)) {
        st->owner_full = true;
        pthread_spin_unlock(&b->lock);
        return;
    }
    f = flow_pool_get(ft);
    if (f != NULL) {
        st->found = link_new_flow(ft, cs, b, f, t, owner, p);
        return;
    }
    pthread_spin_unlock(&b->lock); // out of memory
}

#define FLOW_LRU_TRIES 8             // the head may change while its bucket lock is taken

/* Returns the owner's least recently used flow with its bucket locked (in
 * *bp), or NULL when the owner has no flow. Lock order: bucket, then owner. */
static Flow *lru_head_locked(FlowTable *ft, FlowOwner *o, FlowBucket **bp)
{
    for (int i = 0; i < FLOW_LRU_TRIES; i++) {
        pthread_spin_lock(&o->lock);
        Flow *f = o->lru_head;
        uint32_t hash = f != NULL ? f->hash : 0;
        pthread_spin_unlock(&o->lock);
        if (f == NULL) {
            return NULL;
        }
        FlowBucket *b = &ft->buckets[hash & ft->mask];
        pthread_spin_lock(&b->lock);
        pthread_spin_lock(&o->lock);
        /* Still the head with that hash: still linked, and in b. */
        bool is_same = o->lru_head == f && f->hash == hash;
        pthread_spin_unlock(&o->lock);
        if (is_same) {
            *bp = b;
            return f;
        }
        pthread_spin_unlock(&b->lock);
    }
    return NULL;
}

/* The owner holds its share: its least recently used flow ends (timeout if
 * it is expired under the emergency timeouts, else forced). Which flow that
 * is depends on the owner's packets alone; a flow still held by packets in
 * flight ends when they are done. False when the owner has no flow. */
static bool owner_evict(FlowTable *ft, CounterSet *cs, uint32_t owner, int64_t now_sec)
{
    FlowBucket *b = NULL;
    Flow *f = lru_head_locked(ft, owner_of(ft, owner), &b);
    if (f == NULL) {
        return false;
    }
    atomic_fetch_add(&f->use_cnt, 1);
    pthread_spin_unlock(&b->lock);
    pthread_mutex_lock(&f->lock);
    bool is_expired = flow_is_expired(ft, f, now_sec, true);
    pthread_mutex_unlock(&f->lock);
    Flow *ended = unlink_and_drop(ft, b, f, is_expired ? FLOW_END_TIMEOUT : FLOW_END_FORCED);
    if (cs != NULL) {
        counters_incr(cs, ft->ids.flows_evicted);
    }
    if (ended != NULL) {
        flow_end_and_recycle(ft, ended, (FlowEndReason)ended->end_reason, ft->end_cb,
                             ft->end_user);
    }
    return true;
}

/* The share is full: make room for one flow. One share (every thread's
 * flows, decided in packet order): first the flows expired at this packet's
 * clock end, whichever thread ran them and whenever a pass would have got to
 * them (which flows are expired at a packet does not depend on pass timing);
 * unless that brings the share below the recovery mark (so such a full pass
 * is paid for by that many new flows), emergency mode starts, with a pass
 * under the emergency timeouts at once (then one every new second of packet
 * time, flow_table_emergency_pass). Either way a share still full ends its
 * least recently used flow. False when there is nothing to end. */
static bool make_room(FlowTable *ft, CounterSet *cs, uint32_t owner, int64_t now_sec)
{
    FlowOwner *o = owner_of(ft, owner);
    if (flow_table_is_one_share(ft) && !atomic_load(&o->is_emergency)) {
        (void)flow_manager_reclaim_pass(ft, now_sec, cs);
        uint64_t mark = flow_owner_share(ft) * (100 - ft->cfg.emergency_recovery_pct) / 100;
        if (atomic_load(&o->n_flows) < mark) {
            return true;
        }
        owner_sort(ft, owner); // before lookups see emergency mode and keep it in order
        owner_enter_emergency(ft, owner, cs);
        atomic_store(&ft->emerg_pass_sec, now_sec);
        (void)flow_manager_reclaim_pass(ft, now_sec, cs);
        if (atomic_load(&o->n_flows) < flow_owner_share(ft)) {
            return true;
        }
    }
    owner_enter_emergency(ft, owner, cs);
    return owner_evict(ft, cs, owner, now_sec);
}

bool flow_table_emergency_pass_due(FlowTable *ft, int64_t now_sec)
{
    if (!flow_table_is_one_share(ft) || !atomic_load(&ft->owners[0].is_emergency)) {
        return false;
    }
    int64_t last = atomic_load(&ft->emerg_pass_sec);
    return now_sec > last && atomic_compare_exchange_strong(&ft->emerg_pass_sec, &last, now_sec);
}

void flow_table_emergency_pass(FlowTable *ft, int64_t now_sec, CounterSet *cs)
{
    if (!flow_table_emergency_pass_due(ft, now_sec)) {
        return;
    }
    (void)flow_manager_reclaim_pass(ft, now_sec, cs);
    flow_owner_maybe_recover(ft, 0, cs);
}

#define FLOW_LOOKUP_TRIES 4

Flow *flow_lookup_as(FlowTable *ft, CounterSet *cs, uint32_t owner, Packet *p)
{
    return flow_lookup_full(ft, cs, owner, p, NULL);
}

Flow *flow_lookup_full(FlowTable *ft, CounterSet *cs, uint32_t owner, Packet *p,
                       bool *is_refused)
{
    if (is_refused != NULL) {
        *is_refused = false;
    }
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
    owner = flow_table_is_one_share(ft) ? 0 : owner % FLOW_OWNERS_MAX;
    flow_owner_maybe_recover(ft, owner, cs);
    p->flow_hash = flow_tuple_hash(ft->hash_key, has_emb ? &emb : &t);
    FlowBucket *b = &ft->buckets[p->flow_hash & ft->mask];
    int64_t now_sec = flow_packet_clock(p);
    for (int i = 0; i < FLOW_LOOKUP_TRIES; i++) {
        LookupStep st;
        lookup_step(ft, cs, b, &t, has_emb ? &emb : NULL, owner, p, now_sec, &st);
        if (st.found != NULL) {
            return st.found;
        }
        if (st.owner_full) {
            if (!make_room(ft, cs, owner, now_sec)) {
                break; // a share without room for one flow
            }
            continue;
        }
        if (!st.expired) {
            break;
        }
        if (cs != NULL) {
            counters_incr(cs, ft->ids.flows_timeout);
        }
        /* Ended with no bucket lock held: the records, flow-end detection
         * and recycling may take as long as they need. */
        if (st.ended != NULL) {
            flow_end_and_recycle(ft, st.ended, FLOW_END_TIMEOUT, ft->end_cb, ft->end_user);
        }
        i--; // a timed-out flow is not a failed try: the next one makes the new flow
    }
    if (is_refused != NULL) {
        *is_refused = true;
    } else {
        flow_table_count_refused(ft, cs);
    }
    return NULL;
}

void flow_table_count_refused(const FlowTable *ft, CounterSet *cs)
{
    if (cs != NULL) {
        counters_incr(cs, ft->ids.memcap);
    }
}

Flow *flow_lookup_or_create(FlowTable *ft, CounterSet *cs, Packet *p)
{
    return flow_lookup_as(ft, cs, 0, p);
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

#define FLOW_SWAP(type, a, b)                                                                      \
    do {                                                                                           \
        type t_ = (a);                                                                             \
        (a) = (b);                                                                                 \
        (b) = t_;                                                                                  \
    } while (0)

void flow_swap_direction(Flow *f)
{
    FlowTable *ft = f->table;
    FlowBucket *b = ft != NULL ? &ft->buckets[f->hash & ft->mask] : NULL;
    if (b != NULL) {
        pthread_spin_lock(&b->lock);   // bucket_find reads keys under it, not f->lock
    }
    FLOW_SWAP(VgAddr, f->key.src, f->key.dst);
    FLOW_SWAP(uint16_t, f->key.sp, f->key.dp);
    if (b != NULL) {
        pthread_spin_unlock(&b->lock);
    }
    FLOW_SWAP(uint64_t, f->pkts_toserver, f->pkts_toclient);
    FLOW_SWAP(uint64_t, f->bytes_toserver, f->bytes_toclient);
    uint32_t fin = f->flags & (FLOW_F_FIN_TOSERVER | FLOW_F_FIN_TOCLIENT);
    f->flags &= ~(uint32_t)(FLOW_F_FIN_TOSERVER | FLOW_F_FIN_TOCLIENT);
    f->flags |= ((fin & FLOW_F_FIN_TOSERVER) ? FLOW_F_FIN_TOCLIENT : 0) |
                ((fin & FLOW_F_FIN_TOCLIENT) ? FLOW_F_FIN_TOSERVER : 0);
    uint8_t mac[12];
    memcpy(mac, f->mac[0], sizeof(mac));
    memcpy(f->mac[0], f->mac[1], sizeof(mac));
    memcpy(f->mac[1], mac, sizeof(mac));
    f->has_mac = (uint8_t)(((f->has_mac & 1u) << 1) | ((f->has_mac >> 1) & 1u));
}
