/* The tracker table: one hash table of trackers for the process, behind
 * one mutex (fragments are rare next to whole packets, and the fragments of
 * one datagram may reach different decode threads). Trackers also sit on
 * an LRU list by the packet time of their last fragment, so expiry looks at
 * the oldest end only. Everything a tracker holds is charged to the memcap. */

#include "defrag/defrag-internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util/util-error.h"
#include "util/util-log.h"

typedef struct DefragTable {
    pthread_mutex_t lock;
    bool ready;                  // written at init/deinit only, before/after threads
    DefragConfig cfg;
    DefragPolicyFn policy_fn;
    DefragTracker **buckets;
    uint32_t n_buckets;
    uint64_t seed;
    DefragTracker *lru_head;     // oldest
    DefragTracker *lru_tail;     // newest
    uint32_t n_trackers;
    uint32_t n_frags;
    uint64_t memuse;
    CounterSet *cs;              // defrag.memuse; written under lock by whoever holds it
    CounterId memuse_id;
    const DefragFrag **owner;    // rebuild scratch
} DefragTable;

static DefragTable g_dt = {.lock = PTHREAD_MUTEX_INITIALIZER};

static const char *const counter_names[DFC_COUNT] = {
    [DFC_IPV4_FRAGMENTS] = "defrag.ipv4.fragments",
    [DFC_IPV4_REASSEMBLED] = "defrag.ipv4.reassembled",
    [DFC_IPV6_FRAGMENTS] = "defrag.ipv6.fragments",
    [DFC_IPV6_REASSEMBLED] = "defrag.ipv6.reassembled",
    [DFC_MAX_TRACKERS] = "defrag.max_trackers_reached",
    [DFC_MAX_FRAGS] = "defrag.max_frags_reached",
    [DFC_TIMEOUT] = "defrag.wrk.tracker_timeout",
    [DFC_MEMCAP] = "defrag.memcap",
};

#define DEFRAG_MEMUSE_COUNTER "defrag.memuse"

void defrag_register_counters(void)
{
    for (int c = 0; c < DFC_COUNT; c++) {
        (void)counters_register(counter_names[c], COUNTER_SUM);
    }
    (void)counters_register(DEFRAG_MEMUSE_COUNTER, COUNTER_GAUGE);
}

/* The caller holds the lock. */
static void memuse_add(uint64_t bytes)
{
    g_dt.memuse += bytes;
    if (g_dt.cs != NULL) {
        counters_set(g_dt.cs, g_dt.memuse_id, g_dt.memuse);
    }
}

static void memuse_sub(uint64_t bytes)
{
    g_dt.memuse -= bytes;
    if (g_dt.cs != NULL) {
        counters_set(g_dt.cs, g_dt.memuse_id, g_dt.memuse);
    }
}

void defrag_thread_init(DefragThread *dt, CounterSet *counters)
{
    dt->counters = counters;
    for (int c = 0; c < DFC_COUNT; c++) {
        CounterId id;
        dt->cid[c] = counters_find(counter_names[c], &id) ? id : (CounterId)(COUNTERS_MAX - 1);
    }
}

static uint64_t random_seed(void)
{
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed)) {
        seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL; // weaker, still per run
    }
    return seed;
}

int defrag_init(const DefragConfig *c, DefragPolicyFn policy_fn)
{
    defrag_deinit();
    defrag_register_counters();
    uint32_t n = c->hash_size > 0 ? c->hash_size : 1;
    g_dt.buckets = calloc(n, sizeof(*g_dt.buckets));
    g_dt.owner = calloc(DEFRAG_MAX_DGRAM, sizeof(*g_dt.owner));
    g_dt.cs = counters_set_new();
    if (g_dt.buckets == NULL || g_dt.owner == NULL || g_dt.cs == NULL) {
        free(g_dt.buckets);
        free(g_dt.owner);
        counters_set_free(g_dt.cs);
        g_dt.buckets = NULL;
        g_dt.owner = NULL;
        g_dt.cs = NULL;
        return VG_ENOMEM;
    }
    CounterId id;
    g_dt.memuse_id = counters_find(DEFRAG_MEMUSE_COUNTER, &id) ? id
                                                                : (CounterId)(COUNTERS_MAX - 1);
    g_dt.n_buckets = n;
    g_dt.cfg = *c;
    g_dt.policy_fn = policy_fn;
    g_dt.seed = random_seed();
    g_dt.ready = true;
    return 0;
}

void defrag_deinit(void)
{
    pthread_mutex_lock(&g_dt.lock);
    while (g_dt.lru_head != NULL) {
        defrag_tracker_remove(g_dt.lru_head);
    }
    free(g_dt.buckets);
    free(g_dt.owner);
    counters_set_free(g_dt.cs);
    g_dt.buckets = NULL;
    g_dt.owner = NULL;
    g_dt.cs = NULL;
    g_dt.n_buckets = 0;
    g_dt.ready = false;
    pthread_mutex_unlock(&g_dt.lock);
}

bool defrag_lock(void)
{
    pthread_mutex_lock(&g_dt.lock);
    if (!g_dt.ready) {
        pthread_mutex_unlock(&g_dt.lock);
        return false;
    }
    return true;
}

void defrag_unlock(void)
{
    pthread_mutex_unlock(&g_dt.lock);
}

const DefragFrag **defrag_owner_scratch(void)
{
    return g_dt.owner;
}

uint32_t defrag_tracker_count(void)
{
    pthread_mutex_lock(&g_dt.lock);
    uint32_t n = g_dt.n_trackers;
    pthread_mutex_unlock(&g_dt.lock);
    return n;
}

uint64_t defrag_memuse(void)
{
    pthread_mutex_lock(&g_dt.lock);
    uint64_t m = g_dt.memuse;
    pthread_mutex_unlock(&g_dt.lock);
    return m;
}

/* FNV-1a over the key, mixed with the per-run seed so that an attacker
 * cannot aim ids at one bucket without knowing it. */
static uint32_t key_hash(const DefragKey *k)
{
    const uint8_t *b = (const uint8_t *)k;
    uint64_t h = 0xcbf29ce484222325ULL ^ g_dt.seed;
    for (size_t i = 0; i < sizeof(*k); i++) {
        h = (h ^ b[i]) * 0x100000001b3ULL;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

uint8_t defrag_refused_policy(uint8_t refused)
{
    switch (refused) {
    case DEFRAG_REFUSED_MEMCAP:
        return g_dt.cfg.memcap_policy;
    case DEFRAG_REFUSED_TRACKERS:
        return g_dt.cfg.trackers_policy;
    case DEFRAG_REFUSED_MAX_FRAGS:
        return g_dt.cfg.max_frags_policy;
    default:
        return 0;
    }
}

uint64_t defrag_memcap_get(uint64_t *memuse)
{
    pthread_mutex_lock(&g_dt.lock);
    uint64_t cap = g_dt.cfg.memcap_bytes;
    if (memuse != NULL) {
        *memuse = g_dt.memuse;
    }
    pthread_mutex_unlock(&g_dt.lock);
    return cap;
}

int defrag_memcap_set(uint64_t bytes)
{
    int rc = 0;
    pthread_mutex_lock(&g_dt.lock);
    if (bytes < g_dt.memuse) {
        rc = VG_ERANGE;
    } else {
        g_dt.cfg.memcap_bytes = bytes;
    }
    pthread_mutex_unlock(&g_dt.lock);
    return rc;
}

static bool memcap_allows(uint64_t bytes)
{
    return g_dt.memuse + bytes <= g_dt.cfg.memcap_bytes;
}

static void lru_unlink(DefragTracker *t)
{
    if (t->older != NULL) {
        t->older->newer = t->newer;
    } else {
        g_dt.lru_head = t->newer;
    }
    if (t->newer != NULL) {
        t->newer->older = t->older;
    } else {
        g_dt.lru_tail = t->older;
    }
    t->older = NULL;
    t->newer = NULL;
}

static void lru_push_newest(DefragTracker *t)
{
    t->older = g_dt.lru_tail;
    t->newer = NULL;
    if (g_dt.lru_tail != NULL) {
        g_dt.lru_tail->newer = t;
    } else {
        g_dt.lru_head = t;
    }
    g_dt.lru_tail = t;
}

void defrag_tracker_remove(DefragTracker *t)
{
    DefragTracker **pp = &g_dt.buckets[t->hash % g_dt.n_buckets];
    while (*pp != NULL && *pp != t) {
        pp = &(*pp)->hnext;
    }
    if (*pp == t) {
        *pp = t->hnext;
    }
    lru_unlink(t);
    DefragFrag *f = t->frags;
    while (f != NULL) {
        DefragFrag *next = f->next;
        free(f);
        f = next;
    }
    g_dt.n_frags -= t->n_frags;
    memuse_sub(t->charged);
    g_dt.n_trackers--;
    free(t);
}

/* Drops trackers whose last fragment is more than the timeout before now. */
static void expire(DefragThread *dt, int64_t now_sec)
{
    while (g_dt.lru_head != NULL &&
           now_sec - g_dt.lru_head->last_sec > (int64_t)g_dt.cfg.timeout_sec) {
        defrag_tracker_remove(g_dt.lru_head);
        defrag_count(dt, DFC_TIMEOUT);
    }
}

static DefragTracker *find(const DefragKey *k, uint32_t h)
{
    for (DefragTracker *t = g_dt.buckets[h % g_dt.n_buckets]; t != NULL; t = t->hnext) {
        if (t->hash == h && memcmp(&t->key, k, sizeof(*k)) == 0) {
            return t;
        }
    }
    return NULL;
}

DefragTracker *defrag_tracker_get(DefragThread *dt, const DefragKey *k, const VgAddr *dst,
                                  int64_t now_sec)
{
    expire(dt, now_sec);
    uint32_t h = key_hash(k);
    DefragTracker *t = find(k, h);
    if (t != NULL) {
        return t;
    }
    if (g_dt.n_trackers >= g_dt.cfg.max_trackers) {
        defrag_refused(dt, DFC_MAX_TRACKERS, DEFRAG_REFUSED_TRACKERS);
        return NULL;
    }
    if (!memcap_allows(sizeof(*t))) {
        defrag_refused(dt, DFC_MEMCAP, DEFRAG_REFUSED_MEMCAP);
        return NULL;
    }
    t = calloc(1, sizeof(*t));
    if (t == NULL) {
        defrag_count(dt, DFC_MAX_TRACKERS);
        return NULL;
    }
    t->key = *k;
    t->hash = h;
    t->last_sec = now_sec;
    t->policy = (uint8_t)(g_dt.policy_fn != NULL ? g_dt.policy_fn(dst) : DEFRAG_POLICY_BSD);
    if (t->policy >= DEFRAG_POLICY_MAX) {
        t->policy = DEFRAG_POLICY_BSD;
    }
    t->charged = sizeof(*t);
    memuse_add(t->charged);
    g_dt.n_trackers++;
    DefragTracker **bucket = &g_dt.buckets[h % g_dt.n_buckets];
    t->hnext = *bucket;
    *bucket = t;
    lru_push_newest(t);
    return t;
}

/* Links f into t's offset-ordered list, after any fragment at its offset. */
static void sorted_insert(DefragTracker *t, DefragFrag *f)
{
    DefragFrag **pp = &t->sorted;
    while (*pp != NULL && (*pp)->off <= f->off) {
        pp = &(*pp)->snext;
    }
    f->snext = *pp;
    *pp = f;
}

int defrag_tracker_add(DefragThread *dt, DefragTracker *t, const DefragFrag *f,
                       const uint8_t *hdr, const uint8_t *data, int64_t now_sec)
{
    size_t size = sizeof(DefragFrag) + (size_t)f->hdr_len + f->len;
    /* The per-datagram cap keeps one tracker from taking every fragment slot
     * and the per-fragment list walks (overlap, completeness) short. */
    if (g_dt.n_frags >= g_dt.cfg.max_frags || t->n_frags >= DEFRAG_MAX_FRAGS_PER_DGRAM) {
        defrag_refused(dt, DFC_MAX_FRAGS, DEFRAG_REFUSED_MAX_FRAGS);
        return VG_ENOMEM;
    }
    if (!memcap_allows(size)) {
        defrag_refused(dt, DFC_MEMCAP, DEFRAG_REFUSED_MEMCAP);
        return VG_ENOMEM;
    }
    DefragFrag *n = malloc(size);
    if (n == NULL) {
        defrag_count(dt, DFC_MAX_FRAGS);
        return VG_ENOMEM;
    }
    *n = *f;
    n->next = NULL;
    n->snext = NULL;
    if (f->hdr_len > 0) {
        memcpy(n->bytes, hdr, f->hdr_len);
    }
    memcpy(n->bytes + f->hdr_len, data, f->len);
    if (t->frags_tail != NULL) {
        t->frags_tail->next = n;
    } else {
        t->frags = n;
    }
    t->frags_tail = n;
    sorted_insert(t, n);
    t->n_frags++;
    t->charged += size;
    g_dt.n_frags++;
    memuse_add(size);
    t->last_sec = now_sec;
    lru_unlink(t);
    lru_push_newest(t);
    return 0;
}
