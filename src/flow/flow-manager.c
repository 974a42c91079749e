/* The flow manager pass: walks a slice of the hash from a cursor, ends the
 * flows idle past their timeout, and leaves emergency mode when memuse has
 * fallen far enough. Offline, the caller passes packet time. */

#include "flow/flow-internal.h"

#include "util/util-log.h"

typedef struct PassTally {
    uint64_t checked;
    uint64_t timeout;
    uint64_t notimeout;
} PassTally;

/* Unlinks the expired idle flows of one bucket into a list (via pnext): the
 * callbacks then run without the bucket lock. */
static Flow *bucket_collect(FlowTable *ft, FlowBucket *b, int64_t now_sec, bool emergency,
                            bool all, PassTally *tally)
{
    Flow *list = NULL;
    if (atomic_load_explicit(&b->n_flows, memory_order_relaxed) == 0) {
        return NULL; // empty: no lock needed (a flow added meanwhile is not expired)
    }
    pthread_spin_lock(&b->lock);
    Flow **pp = &b->head;
    while (*pp != NULL) {
        Flow *f = *pp;
        tally->checked++;
        if (atomic_load(&f->use_cnt) != 0 || pthread_mutex_trylock(&f->lock) != 0) {
            tally->notimeout++;
            pp = &f->hnext;
            continue;
        }
        bool is_done = all || flow_is_expired(ft, f, now_sec, emergency);
        pthread_mutex_unlock(&f->lock);
        if (!is_done) {
            tally->notimeout++;
            pp = &f->hnext;
            continue;
        }
        *pp = f->hnext;
        f->hnext = NULL;
        b->n_flows--;
        atomic_fetch_sub(&ft->active, 1);
        f->pnext = list;
        list = f;
        tally->timeout++;
    }
    pthread_spin_unlock(&b->lock);
    return list;
}

static uint32_t end_list(FlowTable *ft, Flow *list, FlowEndReason reason, FlowEndCb cb,
                         void *user)
{
    uint32_t n = 0;
    while (list != NULL) {
        Flow *f = list;
        list = f->pnext;
        f->pnext = NULL;
        flow_end_and_recycle(ft, f, reason, cb, user);
        n++;
    }
    return n;
}

static void maybe_leave_emergency(FlowTable *ft)
{
    if (!atomic_load(&ft->is_emergency)) {
        return;
    }
    uint64_t limit = ft->cfg.memcap_bytes / 100 * (100 - ft->cfg.emergency_recovery_pct);
    uint64_t memuse = atomic_load(&ft->memuse);
    if (memuse >= limit) {
        return;
    }
    atomic_store(&ft->is_emergency, false);
    counters_incr(ft->mgr_cs, ft->ids.emerg_over);
    VG_NOTICE("flow: memory use down to %llu bytes, leaving emergency mode",
              (unsigned long long)memuse);
}

static void add_tally(FlowTable *ft, const PassTally *t)
{
    counters_add(ft->mgr_cs, ft->ids.flows_checked, t->checked);
    counters_add(ft->mgr_cs, ft->ids.flows_timeout, t->timeout);
    counters_add(ft->mgr_cs, ft->ids.flows_notimeout, t->notimeout);
}

uint32_t flow_manager_timeout_pass(FlowTable *ft, int64_t now_sec, FlowEndCb cb, void *user)
{
    pthread_mutex_lock(&ft->mgr_lock);
    bool emergency = atomic_load(&ft->is_emergency);
    uint32_t size = ft->cfg.hash_size;
    uint32_t n = emergency ? size : (size + ft->cfg.mgr_slices - 1) / ft->cfg.mgr_slices;
    PassTally tally = {0};
    uint32_t ended = 0;
    for (uint32_t i = 0; i < n; i++) {
        FlowBucket *b = &ft->buckets[ft->mgr_cursor];
        ft->mgr_cursor = (ft->mgr_cursor + 1) & ft->mask;
        if (ft->mgr_cursor == 0) {
            counters_incr(ft->mgr_cs, ft->ids.full_hash_pass);
        }
        Flow *list = bucket_collect(ft, b, now_sec, emergency, false, &tally);
        ended += end_list(ft, list, FLOW_END_TIMEOUT, cb, user);
    }
    add_tally(ft, &tally);
    maybe_leave_emergency(ft);
    flow_table_refresh_gauges(ft);
    pthread_mutex_unlock(&ft->mgr_lock);
    return ended;
}

uint64_t flow_table_end_all(FlowTable *ft, FlowEndReason reason, FlowEndCb cb, void *user)
{
    pthread_mutex_lock(&ft->mgr_lock);
    PassTally tally = {0};
    uint64_t ended = 0;
    for (uint32_t i = 0; i < ft->cfg.hash_size; i++) {
        Flow *list = bucket_collect(ft, &ft->buckets[i], 0, false, true, &tally);
        ended += end_list(ft, list, reason, cb, user);
    }
    maybe_leave_emergency(ft);
    flow_table_refresh_gauges(ft);
    pthread_mutex_unlock(&ft->mgr_lock);
    return ended;
}
