#include "runtime/packet-pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime-internal.h"

struct PacketPool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    Packet **free_stack;         // guarded by lock
    uint32_t n_free;
    uint32_t n_waiting;          // getters blocked on cond; guarded by lock
    uint32_t wake_at;            // free packets that wake the getters; guarded by lock
    uint32_t n_total;
    uint32_t buf_bytes;          // data buffer per packet, >= PACKET_MAX_SIZE
    Packet *packets;
    uint8_t *buffers;
    _Atomic uint64_t n_overflow;  // packets packet_pool_get_child allocated apart
};

PacketPool *packet_pool_new(uint32_t n_packets)
{
    return packet_pool_new_sized(n_packets, PACKET_MAX_SIZE);
}

/* Buffers lie one cache line more than their size apart. Exactly a power of two
 * apart (256 KiB by default), the first bytes of every buffer, where the headers
 * are, fell into the same cache set: with hundreds of packets in flight between
 * threads they evicted each other (issue 15). */
static size_t buffer_stride(uint32_t buf_bytes)
{
    return ((size_t)buf_bytes + 63u) / 64u * 64u + 64u;
}

PacketPool *packet_pool_new_sized(uint32_t n_packets, uint32_t buf_bytes)
{
    if (n_packets == 0) {
        return NULL;
    }
    buf_bytes = buf_bytes > PACKET_MAX_SIZE ? buf_bytes : PACKET_MAX_SIZE;
    PacketPool *pool = calloc(1, sizeof(*pool));
    if (pool == NULL) {
        return NULL;
    }
    pool->packets = calloc(n_packets, sizeof(Packet));
    pool->buf_bytes = buf_bytes;
    size_t stride = buffer_stride(buf_bytes);
    pool->buffers = malloc((size_t)n_packets * stride);
    pool->free_stack = calloc(n_packets, sizeof(Packet *));
    if (pool->packets == NULL || pool->buffers == NULL || pool->free_stack == NULL) {
        goto fail;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->cond, NULL);
    for (uint32_t i = 0; i < n_packets; i++) {
        Packet *p = &pool->packets[i];
        p->data = pool->buffers + (size_t)i * stride;
        p->pool = pool;
        pool->free_stack[i] = p;
    }
    pool->n_free = n_packets;
    pool->n_total = n_packets;
    return pool;
fail:
    free(pool->free_stack);
    free(pool->buffers);
    free(pool->packets);
    free(pool);
    return NULL;
}

void packet_pool_free(PacketPool *pool)
{
    if (pool == NULL) {
        return;
    }
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->cond);
    for (uint32_t i = 0; i < pool->n_total; i++) {
        free(pool->packets[i].alerts);
    }
    free(pool->free_stack);
    free(pool->buffers);
    free(pool->packets);
    free(pool);
}

/* Clear the acquisition fields and everything from the flow on, keeping the
 * buffer, the owner and detection's reusable alert list (allocated once per
 * packet; n_alerts = 0 marks it empty). The decode results in between
 * (flags .. flow) are cleared by decode_packet, which every packet goes
 * through first; clearing them here too would cost a second memset per
 * packet on the hot path. Packets made outside acquisition must start from
 * decode_packet_reset() or decode_packet(). */
static void packet_clean(Packet *p)
{
    PacketPool *pool = p->pool;
    void *alerts = p->alerts;
    memset(p, 0, offsetof(Packet, flags));
    memset(&p->flow, 0, sizeof(*p) - offsetof(Packet, flow));
    p->flags = 0;
    /* its own buffer again: a capture file read in place pointed data at the file */
    p->data = pool->buffers + (size_t)(p - pool->packets) * buffer_stride(pool->buf_bytes);
    p->pool = pool;
    p->alerts = alerts;
}

/* This thread's hook (packet_pool_set_wait_hook), run before it would block. */
static _Thread_local void (*t_wait_hook)(void *arg);
static _Thread_local void *t_wait_arg;
static _Thread_local bool t_is_reader;       // packet_pool_set_reader
static _Thread_local uint32_t t_max_out;     // packet_pool_set_reader_limit; 0: none
static _Thread_local bool t_nowait;          // packet_pool_set_nowait

/* A reader takes packets PACKET_POOL_CACHE at a time under one lock and hands them out
 * from here, hottest (last returned) first: one lock per packet on the pool every worker
 * returns to cost the reader a contended lock per packet (issue 15). Only a reader
 * caches: it is the only thread that blocks in packet_pool_get with other threads
 * feeding the pool, and it holds cached packets only while it is not blocked. */
#define PACKET_POOL_CACHE 32u
static _Thread_local Packet *t_cache[PACKET_POOL_CACHE];
static _Thread_local uint32_t t_n_cached;
static _Thread_local PacketPool *t_cache_pool;

static void cache_return(void)
{
    if (t_n_cached > 0) {
        packet_pool_put_batch(t_cache, t_n_cached);
        t_n_cached = 0;
    }
    t_cache_pool = NULL;
}

void packet_pool_set_reader(bool is_reader)
{
    cache_return();
    t_is_reader = is_reader;
    if (!is_reader) {
        t_max_out = 0;
    }
}

void packet_pool_set_nowait(bool is_nowait)
{
    t_nowait = is_nowait;
}

void packet_pool_set_reader_limit(uint32_t max_out)
{
    t_max_out = max_out;
}

/* Packets a reader leaves in the pool: an eighth. Later stages take packets too (tunnel
 * packets in a decode group of a custom pipeline): if a reader could empty the pool, a
 * decoder could wait for a packet that only its own input queue holds. */
static uint32_t free_needed(const PacketPool *pool)
{
    if (!t_is_reader) {
        return 1u;
    }
    uint32_t need = pool->n_total / 8u + 1u;
    /* A reader with a limit (packet_pool_set_reader_limit) keeps the rest free too. */
    if (t_max_out > 0 && t_max_out < pool->n_total && pool->n_total - t_max_out + 1u > need) {
        need = pool->n_total - t_max_out + 1u;
    }
    return need;
}

/* A getter that needs `need` free packets sleeps until an eighth of the pool more
 * is free (or all of it): woken as soon as `need` is, a reader faster than its
 * workers was woken for every batch they returned, a futex wake and two context
 * switches per 32 packets (issue 15). Every packet comes back to the pool while
 * the getter sleeps (whatever is in flight is worked on without it), so the
 * threshold is always reached. */
static uint32_t wake_threshold(const PacketPool *pool, uint32_t need)
{
    /* A reader held to a limit waits until half of what it may hold out is back. */
    uint32_t slack = t_is_reader && t_max_out > 0 && t_max_out < pool->n_total
                         ? t_max_out / 2u
                         : pool->n_total / 8u;
    return pool->n_total - need > slack ? need + slack : pool->n_total;
}

/* Lock held, after packets came back: wake the getters when enough are free. The
 * woken ones that still find too few register again (wake_at). */
static void wake_getters(PacketPool *pool)
{
    if (pool->n_waiting > 0 && pool->n_free >= pool->wake_at) {
        pool->wake_at = UINT32_MAX;
        pthread_cond_broadcast(&pool->cond);
    }
}

void packet_pool_set_wait_hook(void (*fn)(void *arg), void *arg)
{
    t_wait_hook = fn;
    t_wait_arg = arg;
}

Packet *packet_pool_get(PacketPool *pool)
{
    if (t_n_cached > 0) {
        if (t_cache_pool == pool) {
            Packet *p = t_cache[--t_n_cached];
            packet_clean(p);
            return p;
        }
        cache_return();   // another pool's packets go home first
    }
    uint32_t need = free_needed(pool);
    pthread_mutex_lock(&pool->lock);
    if (pool->n_free < need && t_nowait) {
        pthread_mutex_unlock(&pool->lock);
        return NULL;
    }
    if (pool->n_free < need && t_wait_hook != NULL) {
        /* What this thread holds back (staged, or waiting to come home) goes on first:
         * it may be what the pool is waiting for. */
        pthread_mutex_unlock(&pool->lock);
        t_wait_hook(t_wait_arg);
        pthread_mutex_lock(&pool->lock);
    }
    while (pool->n_free < need) {
        uint32_t wake_at = wake_threshold(pool, need);
        if (pool->n_waiting == 0 || wake_at < pool->wake_at) {
            pool->wake_at = wake_at;
        }
        pool->n_waiting++;
        pthread_cond_wait(&pool->cond, &pool->lock);
        pool->n_waiting--;
    }
    Packet *p = pool->free_stack[--pool->n_free];
    if (t_is_reader) {
        /* Up to a cache's worth more, leaving free what the reader must leave; the
         * stack's top (the last returned, hottest) is handed out first. */
        uint32_t spare = pool->n_free + 1u - need;
        uint32_t more = spare < PACKET_POOL_CACHE ? spare : PACKET_POOL_CACHE;
        pool->n_free -= more;
        for (uint32_t i = 0; i < more; i++) {
            t_cache[i] = pool->free_stack[pool->n_free + i];
        }
        t_n_cached = more;
        t_cache_pool = pool;
    }
    pthread_mutex_unlock(&pool->lock);
    packet_clean(p);
    return p;
}

Packet *packet_pool_try_get(PacketPool *pool)
{
    Packet *p = NULL;
    uint32_t need = free_needed(pool);
    pthread_mutex_lock(&pool->lock);
    if (pool->n_free >= need) {
        p = pool->free_stack[--pool->n_free];
    }
    pthread_mutex_unlock(&pool->lock);
    if (p != NULL) {
        packet_clean(p);
    }
    return p;
}

static bool is_pooled(const PacketPool *pool, const Packet *p)
{
    return p >= pool->packets && p < pool->packets + pool->n_total;
}

Packet *packet_pool_get_child(PacketPool *pool)
{
    Packet *p = packet_pool_try_get(pool);
    if (p != NULL) {
        return p;
    }
    p = calloc(1, sizeof(*p));
    uint8_t *data = p != NULL ? malloc(pool->buf_bytes) : NULL;
    if (data == NULL) {
        free(p);
        return NULL;
    }
    p->data = data;
    p->pool = pool;
    atomic_fetch_add_explicit(&pool->n_overflow, 1, memory_order_relaxed);
    return p;
}

uint64_t packet_pool_overflow_count(PacketPool *pool)
{
    return atomic_load_explicit(&pool->n_overflow, memory_order_relaxed);
}

/* A packet allocated apart goes back to the heap. */
static bool put_apart(Packet *p)
{
    if (is_pooled(p->pool, p)) {
        return false;
    }
    free(p->alerts);
    free(p->data);
    free(p);
    return true;
}

void packet_pool_put(Packet *p)
{
    if (put_apart(p)) {
        return;
    }
    PacketPool *pool = p->pool;
    pthread_mutex_lock(&pool->lock);
    pool->free_stack[pool->n_free++] = p;
    /* All of the getters: a reader woken alone may not take the packet
     * (free_needed) while another getter sleeps on. */
    wake_getters(pool);
    pthread_mutex_unlock(&pool->lock);
}

void packet_pool_put_batch(Packet *const *pkts, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        if (put_apart(pkts[i])) {
            i++;
            continue;
        }
        PacketPool *pool = pkts[i]->pool;
        pthread_mutex_lock(&pool->lock);
        for (; i < n && pkts[i]->pool == pool && is_pooled(pool, pkts[i]); i++) {
            pool->free_stack[pool->n_free++] = pkts[i];
        }
        wake_getters(pool);
        pthread_mutex_unlock(&pool->lock);
    }
}

uint32_t packet_pool_buffer_size(const PacketPool *pool)
{
    return pool->buf_bytes;
}

uint32_t packet_pool_size(const PacketPool *pool)
{
    return pool->n_total;
}

uint32_t packet_pool_free_count(PacketPool *pool)
{
    pthread_mutex_lock(&pool->lock);
    uint32_t n = pool->n_free;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

uint32_t packet_pool_n_waiting(PacketPool *pool)
{
    pthread_mutex_lock(&pool->lock);
    uint32_t n = pool->n_waiting;
    pthread_mutex_unlock(&pool->lock);
    return n;
}
