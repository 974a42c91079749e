/* The flow manager pass: walks a slice of the hash from a cursor, ends the
 * flows idle past their timeout, and lets owners whose flows have fallen far
 * enough leave emergency mode. Offline, the caller passes packet time. */

#include "flow/flow-internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-log.h"

typedef struct PassTally {
    uint64_t checked;
    uint64_t timeout;
    uint64_t notimeout;
} PassTally;

/* Which flows a bucket walk takes. Expiry uses the timeouts of each flow's
 * owner's mode (emergency or not). */
typedef struct CollectRule {
    int64_t now_sec;
    bool all;                        // every idle flow, expired or not (end of run)
    bool owned_only;                 // only flows of owner that no other thread touched
    uint32_t owner;
} CollectRule;

/* Only the owner's thread sets a flow's thread_id to the owner, so the owner's pass
 * can read it without the flow's lock. */
static bool is_owned_by(const Flow *f, uint32_t owner)
{
    return atomic_load_explicit(&f->thread_id, memory_order_relaxed) == (uint8_t)owner;
}

static bool collect_wants(const FlowTable *ft, const Flow *f, const CollectRule *r)
{
    if (r->all) {
        return true;
    }
    if (r->owned_only && (!is_owned_by(f, r->owner) || (f->flags & FLOW_F_SHARED))) {
        return false;
    }
    return flow_is_expired(ft, f, r->now_sec, flow_table_owner_is_emergency(ft, f->owner));
}

/* Unlinks the flows of one bucket that the rule takes into a list (via
 * pnext): they are ended later, without the bucket lock. */
static Flow *bucket_collect(FlowTable *ft, FlowBucket *b, const CollectRule *r, Flow *list,
                            PassTally *tally)
{
    if (atomic_load_explicit(&b->n_flows, memory_order_relaxed) == 0) {
        return list; // empty: no lock needed (a flow added meanwhile is not expired)
    }
    pthread_spin_lock(&b->lock);
    Flow **pp = &b->head;
    while (*pp != NULL) {
        Flow *f = *pp;
        if (r->owned_only && !is_owned_by(f, r->owner)) {
            /* another thread's: not counted (below either), and not locked, which made
             * each worker's pass contend for the other's flows */
            pp = &f->hnext;
            continue;
        }
        if (atomic_load(&f->use_cnt) != 0 || pthread_mutex_trylock(&f->lock) != 0) {
            /* In use: not counted, as whether a packet holds it right now
             * depends on thread timing. */
            pp = &f->hnext;
            continue;
        }
        /* again under the lock: another thread may have taken a packet of it since */
        bool is_mine = !r->owned_only || is_owned_by(f, r->owner);
        bool is_done = collect_wants(ft, f, r);
        pthread_mutex_unlock(&f->lock);
        if (is_mine) {
            tally->checked++;
        }
        if (!is_done) {
            tally->notimeout += is_mine;
            pp = &f->hnext;
            continue;
        }
        *pp = f->hnext;
        f->hnext = NULL;
        flow_bucket_count(ft, b, -1);
        flow_unlinked(ft, f);
        f->pnext = list;
        list = f;
    }
    pthread_spin_unlock(&b->lock);
    return list;
}

/* bucket_collect over every bucket holding flows, in bucket order: the words of
 * ft->nonempty rather than every bucket (the same flows as a walk of the whole
 * table: an empty bucket is skipped without its lock either way). */
static Flow *table_collect(FlowTable *ft, const CollectRule *r, Flow *list, PassTally *tally)
{
    uint32_t n_words = (ft->cfg.hash_size + 63u) / 64u;
    for (uint32_t w = 0; w < n_words; w++) {
        uint64_t bits = atomic_load_explicit(&ft->nonempty[w], memory_order_relaxed);
        while (bits != 0) {
            uint32_t i = w * 64u + (uint32_t)__builtin_ctzll(bits);
            bits &= bits - 1u;
            list = bucket_collect(ft, &ft->buckets[i], r, list, tally);
        }
    }
    return list;
}

/* Flows end in a fixed order (first packet time, then key) rather than in
 * hash order: the hash key is random per run, and record order must not be. */
static int flow_order_cmp(const void *x, const void *y)
{
    const Flow *a = *(const Flow *const *)x;
    const Flow *b = *(const Flow *const *)y;
    if (a->start_sec != b->start_sec) {
        return a->start_sec < b->start_sec ? -1 : 1;
    }
    if (a->start_usec != b->start_usec) {
        return a->start_usec < b->start_usec ? -1 : 1;
    }
    if (a->flow_id != b->flow_id) {
        return a->flow_id < b->flow_id ? -1 : 1;
    }
    return memcmp(&a->key, &b->key, sizeof(a->key));
}

/* Ends every flow of list, in flow_order_cmp order (list order when the
 * sort array cannot be had). reason_at: when rule is non-NULL, a flow expired
 * at rule->now_sec ends as a timeout and the others with reason. */
static uint64_t end_list(FlowTable *ft, Flow *list, FlowEndReason reason,
                         const CollectRule *timeout_rule, FlowEndCb cb, void *user,
                         PassTally *tally)
{
    size_t n = 0;
    for (const Flow *f = list; f != NULL; f = f->pnext) {
        n++;
    }
    Flow **v = n > 1 ? malloc(n * sizeof(*v)) : NULL;
    if (v != NULL) {
        size_t i = 0;
        for (Flow *f = list; f != NULL; f = f->pnext) {
            v[i++] = f;
        }
        qsort(v, n, sizeof(*v), flow_order_cmp);
    }
    for (size_t i = 0; i < n; i++) {
        Flow *f = v != NULL ? v[i] : list;
        if (v == NULL) {
            list = f->pnext;
        }
        f->pnext = NULL;
        FlowEndReason r = reason;
        if (timeout_rule != NULL &&
            flow_is_expired(ft, f, timeout_rule->now_sec,
                            flow_table_owner_is_emergency(ft, f->owner))) {
            r = FLOW_END_TIMEOUT;
        }
        tally->timeout += r == FLOW_END_TIMEOUT;
        flow_end_and_recycle(ft, f, r, cb, user);
    }
    free(v);
    return n;
}

/* Caller holds mgr_lock (mgr_cs). Live input, end of run: offline, each
 * owner leaves emergency mode itself, at its own packets. */
static void owners_maybe_recover(FlowTable *ft)
{
    if (!flow_table_is_emergency(ft)) {
        return;
    }
    for (uint32_t i = 0; i < FLOW_OWNERS_MAX; i++) {
        flow_owner_maybe_recover(ft, i, ft->mgr_cs);
    }
}

static void add_tally(FlowTable *ft, CounterSet *cs, const PassTally *t)
{
    counters_add(cs, ft->ids.flows_checked, t->checked);
    counters_add(cs, ft->ids.flows_timeout, t->timeout);
    counters_add(cs, ft->ids.flows_notimeout, t->notimeout);
}

uint32_t flow_manager_timeout_pass(FlowTable *ft, int64_t now_sec, FlowEndCb cb, void *user)
{
    pthread_mutex_lock(&ft->mgr_lock);
    bool emergency = flow_table_is_emergency(ft);
    uint32_t size = ft->cfg.hash_size;
    uint32_t n = emergency ? size : (size + ft->cfg.mgr_slices - 1) / ft->cfg.mgr_slices;
    CollectRule rule = {.now_sec = now_sec};
    PassTally tally = {0};
    Flow *list = NULL;
    for (uint32_t i = 0; i < n; i++) {
        FlowBucket *b = &ft->buckets[ft->mgr_cursor];
        ft->mgr_cursor = (ft->mgr_cursor + 1) & ft->mask;
        if (ft->mgr_cursor == 0) {
            counters_incr(ft->mgr_cs, ft->ids.full_hash_pass);
        }
        list = bucket_collect(ft, b, &rule, list, &tally);
    }
    uint32_t ended = (uint32_t)end_list(ft, list, FLOW_END_TIMEOUT, NULL, cb, user, &tally);
    add_tally(ft, ft->mgr_cs, &tally);
    owners_maybe_recover(ft);
    flow_table_refresh_gauges(ft);
    pthread_mutex_unlock(&ft->mgr_lock);
    return ended;
}

uint32_t flow_manager_owned_pass(FlowTable *ft, uint32_t owner, int64_t now_sec, CounterSet *cs)
{
    FlowEndCb cb = ft->end_cb;
    void *user = ft->end_user;
    CollectRule rule = {.now_sec = now_sec, .owned_only = true, .owner = owner};
    PassTally tally = {0};
    Flow *list = NULL;
    list = table_collect(ft, &rule, list, &tally);
    uint32_t ended = (uint32_t)end_list(ft, list, FLOW_END_TIMEOUT, NULL, cb, user, &tally);
    if (cs != NULL) {
        counters_incr(cs, ft->ids.full_hash_pass);
        add_tally(ft, cs, &tally);
    }
    if (!flow_table_is_one_share(ft)) {
        /* One share leaves emergency mode at its lookups and emergency passes,
         * which run in packet order; a thread's own pass does not. */
        flow_owner_maybe_recover(ft, owner, cs);
    }
    pthread_mutex_lock(&ft->mgr_lock);
    flow_table_refresh_gauges(ft);
    pthread_mutex_unlock(&ft->mgr_lock);
    return ended;
}

uint32_t flow_manager_reclaim_pass(FlowTable *ft, int64_t now_sec, CounterSet *cs)
{
    CollectRule rule = {.now_sec = now_sec};
    PassTally tally = {0};
    Flow *list = NULL;
    list = table_collect(ft, &rule, list, &tally);
    uint32_t ended =
        (uint32_t)end_list(ft, list, FLOW_END_TIMEOUT, NULL, ft->end_cb, ft->end_user, &tally);
    if (cs != NULL) {
        counters_incr(cs, ft->ids.full_hash_pass);
        add_tally(ft, cs, &tally);
    }
    return ended;
}

static uint64_t end_all(FlowTable *ft, FlowEndReason reason, const CollectRule *timeout_rule,
                        FlowEndCb cb, void *user)
{
    pthread_mutex_lock(&ft->mgr_lock);
    CollectRule all = {.all = true};
    PassTally tally = {0};
    Flow *list = NULL;
    list = table_collect(ft, &all, list, &tally);
    uint64_t ended = end_list(ft, list, reason, timeout_rule, cb, user, &tally);
    counters_add(ft->mgr_cs, ft->ids.flows_timeout, tally.timeout);
    owners_maybe_recover(ft);
    flow_table_refresh_gauges(ft);
    pthread_mutex_unlock(&ft->mgr_lock);
    return ended;
}

uint64_t flow_table_end_all(FlowTable *ft, FlowEndReason reason, FlowEndCb cb, void *user)
{
    return end_all(ft, reason, NULL, cb, user);
}

uint64_t flow_table_end_all_at(FlowTable *ft, int64_t now_sec, FlowEndCb cb, void *user)
{
    CollectRule rule = {.now_sec = now_sec};
    return end_all(ft, FLOW_END_SHUTDOWN, &rule, cb, user);
}
