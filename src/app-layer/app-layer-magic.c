/* libmagic per thread, with a cache of recent results keyed by the exact bytes
 * (see app-layer-magic.h for why). */
#include "app-layer/app-layer-magic.h"

#include <magic.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-hash.h"

/* 64 slots of at most 16 KiB each: at most ~1 MiB of copies per thread, bounded whatever
 * the traffic (larger files are typed without the cache). Direct-mapped by hash. */
#define MAGIC_CACHE_SLOTS 64u
#define MAGIC_CACHE_MAX_BYTES (16u * 1024u)

typedef struct MagicEntry {
    uint64_t hash;
    uint32_t len;                // 0: empty (empty data is never typed)
    uint8_t *bytes;              // MAGIC_CACHE_MAX_BYTES, allocated on first use
    char *result;                // libmagic's text, whole
} MagicEntry;

typedef struct MagicThread {
    magic_t handle;              // NULL with is_failed: no libmagic in this thread
    bool is_failed;
    MagicEntry cache[MAGIC_CACHE_SLOTS];
    struct MagicThread *next;    // every thread's state, for app_magic_deinit
} MagicThread;

/* The list of every thread's state: appended by each thread on first use, freed by
 * app_magic_deinit; both under g_lock (once per thread, never per call). */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static MagicThread *g_threads;
static _Atomic uint64_t g_generation = 1;   // written by app_magic_deinit only
static _Atomic uint64_t g_n_calls;           // any thread, relaxed: tests only
static _Atomic uint64_t g_n_hits;
static _Thread_local MagicThread *t_magic;  // this thread's entry of g_threads, valid
static _Thread_local uint64_t t_generation; // while this equals g_generation

static MagicThread *thread_state(void)
{
    uint64_t gen = atomic_load(&g_generation);
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
    pthread_mutex_lock(&g_lock);
    mt->next = g_threads;
    g_threads = mt;
    pthread_mutex_unlock(&g_lock);
    t_magic = mt;
    t_generation = gen;
    return mt;
}

static void entry_store(MagicEntry *e, uint64_t hash, const uint8_t *data, uint32_t len,
                        const char *result)
{
    if (e->bytes == NULL && (e->bytes = malloc(MAGIC_CACHE_MAX_BYTES)) == NULL) {
        return;
    }
    char *copy = strdup(result);
    if (copy == NULL) {
        return;
    }
    free(e->result);
    e->result = copy;
    memcpy(e->bytes, data, len);
    e->len = len;
    e->hash = hash;
}

const char *app_magic_of(const uint8_t *data, uint32_t len, char *out, size_t cap)
{
    MagicThread *mt = thread_state();
    if (mt == NULL || mt->is_failed) {
        return NULL;
    }
    bool cacheable = len > 0 && len <= MAGIC_CACHE_MAX_BYTES;
    uint64_t hash = cacheable ? util_hash_bytes(data, len) : 0;
    MagicEntry *e = &mt->cache[hash % MAGIC_CACHE_SLOTS];
    const char *m;
    if (cacheable && e->len == len && e->hash == hash && memcmp(e->bytes, data, len) == 0) {
        atomic_fetch_add_explicit(&g_n_hits, 1, memory_order_relaxed);
        m = e->result;
    } else {
        atomic_fetch_add_explicit(&g_n_calls, 1, memory_order_relaxed);
        m = magic_buffer(mt->handle, data, len);
        if (m == NULL) {
            return NULL;
        }
        if (cacheable) {
            entry_store(e, hash, data, len, m);
        }
    }
    snprintf(out, cap, "%s", m);
    return out;
}

void app_magic_deinit(void)
{
    pthread_mutex_lock(&g_lock);
    MagicThread *mt = g_threads;
    g_threads = NULL;
    atomic_fetch_add(&g_generation, 1);
    atomic_store(&g_n_calls, 0);
    atomic_store(&g_n_hits, 0);
    pthread_mutex_unlock(&g_lock);
    while (mt != NULL) {
        MagicThread *next = mt->next;
        for (uint32_t i = 0; i < MAGIC_CACHE_SLOTS; i++) {
            free(mt->cache[i].bytes);
            free(mt->cache[i].result);
        }
        if (mt->handle != NULL) {
            magic_close(mt->handle);
        }
        free(mt);
        mt = next;
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
