/* The bounded LRU cache index (util-lru.h): chained buckets by hash, and a doubly-linked
 * recency list through the same nodes. */
#include "util/util-lru.h"

#include <stdlib.h>

#include "util/util-error.h"

int util_lru_init(UtilLru *l, uint32_t cap)
{
    *l = (UtilLru){0};
    if (cap == 0 || cap > (1u << 30)) {
        return VG_EINVAL;
    }
    uint32_t nb = 1;
    while (nb < cap) {
        nb <<= 1;
    }
    l->bucket = malloc((size_t)nb * sizeof(*l->bucket));
    l->node = calloc(cap, sizeof(*l->node));
    if (l->bucket == NULL || l->node == NULL) {
        util_lru_free(l);
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < nb; i++) {
        l->bucket[i] = UTIL_LRU_NONE;
    }
    l->cap = cap;
    l->n_buckets = nb;
    l->mru = UTIL_LRU_NONE;
    l->lru = UTIL_LRU_NONE;
    l->free = UTIL_LRU_NONE;
    return 0;
}

void util_lru_free(UtilLru *l)
{
    free(l->bucket);
    free(l->node);
    *l = (UtilLru){0};
}

static uint32_t bucket_of(const UtilLru *l, uint64_t hash)
{
    return (uint32_t)(hash ^ (hash >> 32)) & (l->n_buckets - 1);
}

uint32_t util_lru_find_next(const UtilLru *l, uint32_t slot, uint64_t hash)
{
    while (slot != UTIL_LRU_NONE && l->node[slot].hash != hash) {
        slot = l->node[slot].chain;
    }
    return slot;
}

uint32_t util_lru_find(const UtilLru *l, uint64_t hash)
{
    if (l->bucket == NULL) {
        return UTIL_LRU_NONE;
    }
    return util_lru_find_next(l, l->bucket[bucket_of(l, hash)], hash);
}

static void list_unlink(UtilLru *l, uint32_t slot)
{
    UtilLruNode *n = &l->node[slot];
    if (n->prev != UTIL_LRU_NONE) {
        l->node[n->prev].next = n->next;
    } else {
        l->mru = n->next;
    }
    if (n->next != UTIL_LRU_NONE) {
        l->node[n->next].prev = n->prev;
    } else {
        l->lru = n->prev;
    }
}

static void list_push_front(UtilLru *l, uint32_t slot)
{
    UtilLruNode *n = &l->node[slot];
    n->prev = UTIL_LRU_NONE;
    n->next = l->mru;
    if (l->mru != UTIL_LRU_NONE) {
        l->node[l->mru].prev = slot;
    } else {
        l->lru = slot;
    }
    l->mru = slot;
}

void util_lru_touch(UtilLru *l, uint32_t slot)
{
    if (l->mru != slot) {
        list_unlink(l, slot);
        list_push_front(l, slot);
    }
}

/* slot (in the index) out of its bucket and of the recency list. */
static void unindex(UtilLru *l, uint32_t slot)
{
    UtilLruNode *n = &l->node[slot];
    uint32_t *p = &l->bucket[bucket_of(l, n->hash)];
    while (*p != slot) {
        p = &l->node[*p].chain;
    }
    *p = n->chain;
    list_unlink(l, slot);
    n->is_used = false;
    l->n_used--;
}

void util_lru_remove(UtilLru *l, uint32_t slot)
{
    unindex(l, slot);
    util_lru_release(l, slot);
}

uint32_t util_lru_take(UtilLru *l)
{
    if (l->free != UTIL_LRU_NONE) {
        uint32_t slot = l->free;
        l->free = l->node[slot].chain;
        return slot;
    }
    if (l->n_fresh < l->cap) {
        return l->n_fresh++;
    }
    uint32_t slot = l->lru;
    unindex(l, slot);
    return slot;
}

void util_lru_release(UtilLru *l, uint32_t slot)
{
    l->node[slot].chain = l->free;
    l->free = slot;
}

void util_lru_insert(UtilLru *l, uint32_t slot, uint64_t hash)
{
    UtilLruNode *n = &l->node[slot];
    uint32_t b = bucket_of(l, hash);
    n->hash = hash;
    n->chain = l->bucket[b];
    n->is_used = true;
    l->bucket[b] = slot;
    list_push_front(l, slot);
    l->n_used++;
}
