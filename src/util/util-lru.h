#ifndef VG_UTIL_UTIL_LRU_H
#define VG_UTIL_UTIL_LRU_H

/* The index of a bounded cache: at most cap entries, found by a 64-bit hash of their key,
 * the least recently used one given back for reuse when all are taken. Entries are the
 * slots 0..cap-1 of the caller's own array (payload and key live there); the index keeps
 * only hashes and links, so a lookup walks the slots of one hash and the caller confirms
 * the key. Exact LRU over the whole cache, unlike a set-associative table, where a cycle
 * over a few more keys than a set's ways misses every time whatever the capacity.
 * No allocation after util_lru_init; not thread safe (the caller locks if shared). */

#include <stdbool.h>
#include <stdint.h>

#define UTIL_LRU_NONE UINT32_MAX

typedef struct UtilLruNode {
    uint64_t hash;
    uint32_t chain;      // next slot of the same bucket
    uint32_t prev;       // towards the most recently used
    uint32_t next;       // towards the least recently used
    bool is_used;
} UtilLruNode;

typedef struct UtilLru {
    uint32_t cap;
    uint32_t n_buckets;  // a power of two, >= cap
    uint32_t *bucket;    // first slot of each bucket, UTIL_LRU_NONE: empty
    UtilLruNode *node;   // cap
    uint32_t mru;        // most recently used slot, UTIL_LRU_NONE: none
    uint32_t lru;        // least recently used slot
    uint32_t n_used;     // slots in the index
    uint32_t n_fresh;    // slots 0..n_fresh-1 were handed out at least once
    uint32_t free;       // slots given back by util_lru_release, chained by chain
} UtilLru;

/* 0, or VG_ENOMEM / VG_EINVAL (cap 0 or above 2^30). */
int util_lru_init(UtilLru *l, uint32_t cap);
void util_lru_free(UtilLru *l);

/* The first (then next) used slot whose hash is hash, or UTIL_LRU_NONE. */
uint32_t util_lru_find(const UtilLru *l, uint64_t hash);
uint32_t util_lru_find_next(const UtilLru *l, uint32_t slot, uint64_t hash);

/* slot becomes the most recently used. */
void util_lru_touch(UtilLru *l, uint32_t slot);

/* A slot to fill: a free one, else the least recently used, taken out of the index (the
 * caller frees what its array held there; a slot never handed out before holds what the
 * caller's array was initialised with). Then either util_lru_insert(slot, hash) puts it
 * in as the most recently used, or util_lru_release(slot) gives it back unused. */
uint32_t util_lru_take(UtilLru *l);
void util_lru_insert(UtilLru *l, uint32_t slot, uint64_t hash);
void util_lru_release(UtilLru *l, uint32_t slot);
/* slot (in the index; l->lru is the least recently used) out of it and free for reuse. */
void util_lru_remove(UtilLru *l, uint32_t slot);

#endif
