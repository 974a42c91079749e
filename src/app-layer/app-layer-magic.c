/* libmagic per thread, with one cache of results shared by the threads, keyed by the
 * SHA-256 of the bytes (see app-layer-magic.h for why). */
#include "app-layer/app-layer-magic.h"

#include <magic.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-lru.h"
#include "util/util-thread-list.h"

/* Up to 1,024 distinct contents, the least recently used out: ~50 KiB plus the result
 * texts, whatever the data sizes (no copy of the data is kept). The recent contents of a
 * busy link (error pages, icons, scripts served again and again) fit; a direct-mapped
 * table of 64 slots lost most of them to slot conflicts, and a 4-way one still missed
 * every time on a cycle over 5 contents of one set. One cache for all threads (the
 * workers and the flow manager, which types the files of the flows it ends): a lookup
 * takes g_cache_lock once per file, never per packet, and never across a libmagic call. */
#define MAGIC_CACHE_CAP 1024u

typedef struct MagicEntry {
    uint8_t digest[32];          // SHA-256 of the data
    uint32_t len;
    char *result;                // libmagic's text, whole
} MagicEntry;

typedef struct MagicThread {
    UtilThreadNode node;         // first: in g_threads
    magic_t handle;              // NULL with is_failed: no libmagic in this thread
    bool is_failed;
    EVP_MD_CTX *md;              // NULL: no cache (typed every time)
} MagicThread;

/* Every thread's state: listed by each thread on first use, freed by app_magic_deinit
 * (util-thread-list.h). */
static UtilThreadList g_threads = UTIL_THREAD_LIST_INIT;
static _Atomic uint64_t g_n_calls;           // any thread, relaxed: tests only
static _Atomic uint64_t g_n_hits;
static pthread_mutex_t g_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static UtilLru g_index;                     // under g_cache_lock; cap 0: not yet made
static MagicEntry g_cache[MAGIC_CACHE_CAP];  // under g_cache_lock, slots of g_index
static _Thread_local MagicThread *t_magic;  // this thread's entry of g_threads, valid
static _Thread_local uint64_t t_generation; // while this is g_threads' generation

static MagicThread *thread_state(void)
{
    uint64_t gen = util_thread_list_generation(&g_threads);
    if (t_magic != NULL && t_generation == gen) {
        return t_magic;    // (after app_magic_deinit t_magic is freed: never read then)
    }
    MagicThread *mt = calloc(1, sizeof(*mt));
    if (mt == NULL) {
        return NULL;
    }
    mt->handle = magic_open(MAGIC_NONE);
    if (mt->handle == NULL || magic_load(mt->handle, NULL) != 0) {
        if (mt->handle != NULL) {
            magic_close(mt->handle);
        }
        mt->handle = NULL;
        mt->is_failed = true;
    }
    mt->md = EVP_MD_CTX_new();
    util_thread_list_add(&g_threads, &mt->node);
    t_magic = mt;
    t_generation = gen;
    return mt;
}

static bool digest_of(MagicThread *mt, const uint8_t *data, uint32_t len, uint8_t out[32])
{
    unsigned int n = 0;
    return mt->md != NULL && EVP_DigestInit_ex(mt->md, EVP_sha256(), NULL) == 1 &&
           EVP_DigestUpdate(mt->md, data, len) == 1 && EVP_DigestFinal_ex(mt->md, out, &n) == 1 &&
           n == 32;
}

static uint64_t key_of(const uint8_t digest[32])
{
    uint64_t k;
    memcpy(&k, digest, sizeof(k));
    return k;
}

/* The entry holding (digest, len), else NULL. Under g_cache_lock. */
static MagicEntry *lookup(const uint8_t digest[32], uint32_t len)
{
    uint64_t key = key_of(digest);
    for (uint32_t i = util_lru_find(&g_index, key); i != UTIL_LRU_NONE;
         i = util_lru_find_next(&g_index, g_index.node[i].chain, key)) {
        if (g_cache[i].len == len && memcmp(g_cache[i].digest, digest, 32) == 0) {
            util_lru_touch(&g_index, i);
            return &g_cache[i];
        }
    }
    return NULL;
}

/* Under g_cache_lock. */
static void store(const uint8_t digest[32], uint32_t len, const char *result)
{
    if (g_index.cap == 0 && util_lru_init(&g_index, MAGIC_CACHE_CAP) != 0) {
        return;
    }
    char *copy = strdup(result);
    if (copy == NULL) {
        return;
    }
    uint32_t i = util_lru_take(&g_index);
    free(g_cache[i].result);
    g_cache[i].result = copy;
    memcpy(g_cache[i].digest, digest, 32);
    g_cache[i].len = len;
    util_lru_insert(&g_index, i, key_of(digest));
}

const char *app_magic_of(const uint8_t *data, uint32_t len, char *out, size_t cap)
{
    MagicThread *mt = thread_state();
    if (mt == NULL || mt->is_failed) {
        return NULL;
    }
    uint8_t digest[32];
    bool cacheable = len > 0 && digest_of(mt, data, len, digest);
    if (cacheable) {
        pthread_mutex_lock(&g_cache_lock);
        MagicEntry *e = lookup(digest, len);
        if (e != NULL) {
            snprintf(out, cap, "%s", e->result);
            pthread_mutex_unlock(&g_cache_lock);
            atomic_fetch_add_explicit(&g_n_hits, 1, memory_order_relaxed);
            return out;
        }
        pthread_mutex_unlock(&g_cache_lock);
    }
    atomic_fetch_add_explicit(&g_n_calls, 1, memory_order_relaxed);
    const char *m = magic_buffer(mt->handle, data, len);
    if (m == NULL) {
        return NULL;
    }
    snprintf(out, cap, "%s", m);
    if (cacheable) {
        pthread_mutex_lock(&g_cache_lock);
        if (lookup(digest, len) == NULL) {   // another thread may have stored it since
            store(digest, len, m);
        }
        pthread_mutex_unlock(&g_cache_lock);
    }
    return out;
}

void app_magic_deinit(void)
{
    UtilThreadNode *n = util_thread_list_take(&g_threads);
    atomic_store(&g_n_calls, 0);
    atomic_store(&g_n_hits, 0);
    pthread_mutex_lock(&g_cache_lock);
    for (uint32_t i = 0; i < MAGIC_CACHE_CAP; i++) {
        free(g_cache[i].result);
    }
    memset(g_cache, 0, sizeof(g_cache));
    util_lru_free(&g_index);
    pthread_mutex_unlock(&g_cache_lock);
    while (n != NULL) {
        UtilThreadNode *next = n->next;
        MagicThread *mt = (MagicThread *)n;
        if (mt->handle != NULL) {
            magic_close(mt->handle);
        }
        EVP_MD_CTX_free(mt->md);
        free(mt);
        n = next;
    }
    t_magic = NULL;
}

uint64_t app_magic_n_calls(void)
{
    return atomic_load(&g_n_calls);
}

uint64_t app_magic_n_hits(void)
{
    return atomic_load(&g_n_hits);
}
