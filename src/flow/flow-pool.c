/* The flow pool: a free list of clean flows under its own lock. Flows are
 * allocated here within the memcap and freed here when the spare list is
 * already cfg.prealloc long, so memuse follows what is really in use. */

#include "flow/flow-internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/util-error.h"

/* Counts sizeof(Flow) more bytes in use. The memcap itself is enforced per
 * owner (flow_owner_share) before a flow is taken, so that whether a flow
 * fits never depends on how far other threads have got. */
static void memuse_add(FlowTable *ft)
{
    uint64_t now = atomic_fetch_add(&ft->memuse, sizeof(Flow)) + sizeof(Flow);
    uint64_t peak = atomic_load_explicit(&ft->memuse_peak, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak(&ft->memuse_peak, &peak, now)) {
    }
}

static Flow *flow_alloc(FlowTable *ft)
{
    Flow *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return NULL;
    }
    if (pthread_mutex_init(&f->lock, NULL) != 0) {
        free(f);
        return NULL;
    }
    memuse_add(ft);
    atomic_fetch_add_explicit(&ft->allocs, 1, memory_order_relaxed);
    return f;
}

static void flow_destroy(FlowTable *ft, Flow *f)
{
    pthread_mutex_destroy(&f->lock);
    free(f);
    atomic_fetch_sub(&ft->memuse, sizeof(Flow));
}

int flow_pool_init(FlowTable *ft)
{
    if (pthread_mutex_init(&ft->pool_lock, NULL) != 0) {
        return VG_ENOMEM;
    }
    ft->pool_inited = true;
    for (uint32_t i = 0; i < ft->cfg.prealloc; i++) { // prealloc <= room_flows
        Flow *f = flow_alloc(ft);
        if (f == NULL) {
            return VG_ENOMEM;
        }
        f->pnext = ft->pool_head;
        ft->pool_head = f;
        ft->pool_len++;
    }
    return VG_OK;
}

void flow_pool_deinit(FlowTable *ft)
{
    while (ft->pool_head != NULL) {
        Flow *f = ft->pool_head;
        ft->pool_head = f->pnext;
        flow_destroy(ft, f);
    }
    ft->pool_len = 0;
    if (ft->pool_inited) {
        pthread_mutex_destroy(&ft->pool_lock);
        ft->pool_inited = false;
    }
}

Flow *flow_pool_get(FlowTable *ft)
{
    pthread_mutex_lock(&ft->pool_lock);
    Flow *f = ft->pool_head;
    if (f != NULL) {
        ft->pool_head = f->pnext;
        ft->pool_len--;
        f->pnext = NULL;
    }
    pthread_mutex_unlock(&ft->pool_lock);
    if (f != NULL) {
        return f;
    }
    return flow_alloc(ft);
}

void flow_pool_put(FlowTable *ft, Flow *f)
{
    pthread_mutex_lock(&ft->pool_lock);
    /* Spare flows count in the memcap too: linked + spare stay within it. */
    uint64_t linked = atomic_load(&ft->active);
    if (ft->pool_len < ft->cfg.prealloc && linked + ft->pool_len < atomic_load(&ft->room_flows)) {
        f->pnext = ft->pool_head;
        ft->pool_head = f;
        ft->pool_len++;
        f = NULL;
    }
    pthread_mutex_unlock(&ft->pool_lock);
    if (f != NULL) {
        flow_destroy(ft, f);
    }
}

uint32_t flow_pool_len(FlowTable *ft)
{
    pthread_mutex_lock(&ft->pool_lock);
    uint32_t n = ft->pool_len;
    pthread_mutex_unlock(&ft->pool_lock);
    return n;
}

void flow_recycle_clear(FlowTable *ft, Flow *f)
{
    flow_storage_free_all(f);
    if (f->protoctx != NULL && ft->protoctx_free != NULL) {
        ft->protoctx_free(f->protoctx);
    }
    memset((char *)f + offsetof(Flow, key), 0, sizeof(*f) - offsetof(Flow, key));
}
