/* Host and host-pair bits (hostbits, xbits): named flags attached to an IP
 * address or an unordered address pair, each with an expiry time taken from
 * packet timestamps. Shared by all workers: one mutex guards the table. The
 * table holds at most HB_MAX_ENTRIES live bits; past that, new bits are not
 * stored (a later isset sees them unset) rather than growing without bound.
 * Expired entries are reused in place. The table belongs to a rule set (its
 * bit indices are the rule set's names); a rule reload carries the live bits
 * over to the new set's table by name (detect_engine_hostbits_carry). */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "util/util-error.h"

#define HB_BUCKETS 4096
#define HB_MAX_ENTRIES 100000

typedef struct HbKey {
    uint32_t idx;
    uint8_t fam_a;
    uint8_t fam_b;                     // 0: single host
    uint8_t a[16];
    uint8_t b[16];
} HbKey;

typedef struct HbEntry {
    HbKey key;
    int64_t expire;                    // set while now < expire
    struct HbEntry *next;
} HbEntry;

struct DetectHostbitTable {
    pthread_mutex_t lock;
    HbEntry *buckets[HB_BUCKETS];
    uint32_t n_entries;
    char **names;                      // parse time only (single-threaded)
    uint32_t n_names;
};

DetectHostbitTable *detect_hostbit_table_new(void)
{
    DetectHostbitTable *t = calloc(1, sizeof(*t));
    if (t != NULL && pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void detect_hostbit_table_free(DetectHostbitTable *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < HB_BUCKETS; i++) {
        HbEntry *e = t->buckets[i];
        while (e != NULL) {
            HbEntry *n = e->next;
            free(e);
            e = n;
        }
    }
    for (uint32_t i = 0; i < t->n_names; i++) {
        free(t->names[i]);
    }
    free(t->names);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

int detect_hostbit_name(DetectHostbitTable *t, const char *name)
{
    for (uint32_t i = 0; i < t->n_names; i++) {
        if (strcmp(t->names[i], name) == 0) {
            return (int)i;
        }
    }
    char **n = realloc(t->names, (t->n_names + 1) * sizeof(*n));
    if (n == NULL) {
        return VG_ENOMEM;
    }
    t->names = n;
    n[t->n_names] = detect_strndup(name, strlen(name));
    if (n[t->n_names] == NULL) {
        return VG_ENOMEM;
    }
    return (int)t->n_names++;
}

/* The pair is unordered: the smaller address goes first. */
static void make_key(HbKey *k, uint32_t idx, const VgAddr *a, const VgAddr *b)
{
    memset(k, 0, sizeof(*k));
    k->idx = idx;
    if (b != NULL && (b->family < a->family ||
                      (b->family == a->family && memcmp(b->a.u8, a->a.u8, 16) < 0))) {
        const VgAddr *t = a;
        a = b;
        b = t;
    }
    k->fam_a = a->family;
    memcpy(k->a, a->a.u8, 16);
    if (b != NULL) {
        k->fam_b = b->family;
        memcpy(k->b, b->a.u8, 16);
    }
}

static HbEntry **slot(DetectHostbitTable *t, const HbKey *k)
{
    HbEntry **pp = &t->buckets[detect_hash(k, sizeof(*k)) % HB_BUCKETS];
    while (*pp != NULL && memcmp(&(*pp)->key, k, sizeof(*k)) != 0) {
        pp = &(*pp)->next;
    }
    return pp;
}

bool detect_hostbit_isset(DetectHostbitTable *t, uint32_t idx, const VgAddr *a,
                          const VgAddr *b, int64_t now)
{
    HbKey k;
    make_key(&k, idx, a, b);
    pthread_mutex_lock(&t->lock);
    HbEntry *e = *slot(t, &k);
    bool on = e != NULL && now < e->expire;
    pthread_mutex_unlock(&t->lock);
    return on;
}

void detect_hostbit_set(DetectHostbitTable *t, uint32_t idx, const VgAddr *a, const VgAddr *b,
                        int64_t expire)
{
    HbKey k;
    make_key(&k, idx, a, b);
    pthread_mutex_lock(&t->lock);
    HbEntry **pp = slot(t, &k);
    if (*pp == NULL && t->n_entries < HB_MAX_ENTRIES) {
        *pp = calloc(1, sizeof(**pp));
        if (*pp != NULL) {
            (*pp)->key = k;
            t->n_entries++;
        }
    }
    if (*pp != NULL) {
        (*pp)->expire = expire;
    }
    pthread_mutex_unlock(&t->lock);
}

void detect_hostbit_unset(DetectHostbitTable *t, uint32_t idx, const VgAddr *a, const VgAddr *b)
{
    HbKey k;
    make_key(&k, idx, a, b);
    pthread_mutex_lock(&t->lock);
    HbEntry *e = *slot(t, &k);
    if (e != NULL) {
        e->expire = INT64_MIN;  // kept for reuse; reads as unset
    }
    pthread_mutex_unlock(&t->lock);
}

/* ---- rule reload ------------------------------------------------------- */

static int find_name(const DetectHostbitTable *t, const char *name);

uint32_t detect_engine_hostbits_carry(DetectEngine *to, const DetectEngine *from, int64_t now)
{
    if (to == NULL || from == NULL || to->hostbits == NULL || from->hostbits == NULL ||
        to->hostbits->n_names == 0) {
        return 0;
    }
    DetectHostbitTable *src = from->hostbits;
    DetectHostbitTable *dst = to->hostbits;
    /* Old index -> new index (-1: no rule of the new set uses the name).
     * Names are written at parse time only: read without the locks. */
    int *map = malloc((src->n_names ? src->n_names : 1) * sizeof(int));
    if (map == NULL) {
        return 0;
    }
    for (uint32_t i = 0; i < src->n_names; i++) {
        map[i] = find_name(dst, src->names[i]);
    }
    uint32_t n = 0;
    pthread_mutex_lock(&src->lock);
    uint32_t cap = src->n_entries;
    HbEntry *live = malloc((cap ? cap : 1) * sizeof(HbEntry));
    for (size_t b = 0; live != NULL && b < HB_BUCKETS; b++) {
        for (const HbEntry *e = src->buckets[b]; e != NULL && n < cap; e = e->next) {
            if (now < e->expire && e->key.idx < src->n_names && map[e->key.idx] >= 0) {
                live[n] = *e;
                live[n].key.idx = (uint32_t)map[e->key.idx];
                n++;
            }
        }
    }
    pthread_mutex_unlock(&src->lock);
    uint32_t moved = 0;
    pthread_mutex_lock(&dst->lock);
    for (uint32_t i = 0; i < n; i++) {
        HbEntry **pp = slot(dst, &live[i].key);
        if (*pp != NULL || dst->n_entries >= HB_MAX_ENTRIES) {
            continue;            // set (or unset) since the swap: that is newer
        }
        *pp = calloc(1, sizeof(**pp));
        if (*pp == NULL) {
            break;
        }
        (*pp)->key = live[i].key;
        (*pp)->expire = live[i].expire;
        dst->n_entries++;
        moved++;
    }
    pthread_mutex_unlock(&dst->lock);
    free(map);
    free(live);
    return moved;
}

/* ---- operator access (control socket) ----------------------------------- */

static int find_name(const DetectHostbitTable *t, const char *name)
{
    for (uint32_t i = 0; i < t->n_names; i++) {
        if (strcmp(t->names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static int host_addr(const char *ip, VgAddr *a)
{
    return detect_addr_parse_ip(ip, strlen(ip), a) ? 0 : VG_EINVAL;
}

int detect_engine_hostbit_set(const DetectEngine *de, const char *ip, const char *name,
                              int64_t expire)
{
    VgAddr a;
    if (de == NULL || de->hostbits == NULL || host_addr(ip, &a) != 0) {
        return VG_EINVAL;
    }
    int idx = find_name(de->hostbits, name);
    if (idx < 0) {
        return VG_ENOENT;
    }
    detect_hostbit_set(de->hostbits, (uint32_t)idx, &a, NULL, expire);
    return 0;
}

int detect_engine_hostbit_unset(const DetectEngine *de, const char *ip, const char *name)
{
    VgAddr a;
    if (de == NULL || de->hostbits == NULL || host_addr(ip, &a) != 0) {
        return VG_EINVAL;
    }
    int idx = find_name(de->hostbits, name);
    if (idx < 0) {
        return VG_ENOENT;
    }
    detect_hostbit_unset(de->hostbits, (uint32_t)idx, &a, NULL);
    return 0;
}

int detect_engine_hostbit_list(const DetectEngine *de, const char *ip, int64_t now,
                               DetectHostbitFn fn, void *user)
{
    VgAddr a;
    if (de == NULL || de->hostbits == NULL || host_addr(ip, &a) != 0) {
        return VG_EINVAL;
    }
    DetectHostbitTable *t = de->hostbits;
    HbKey want;
    make_key(&want, 0, &a, NULL);
    /* Collected under the lock, reported after it: fn may take its time. */
    struct {
        uint32_t idx;
        int64_t expire;
    } found[64];
    int n = 0;
    pthread_mutex_lock(&t->lock);
    for (size_t b = 0; b < HB_BUCKETS && n < 64; b++) {
        for (const HbEntry *e = t->buckets[b]; e != NULL && n < 64; e = e->next) {
            if (e->key.fam_b == 0 && e->key.fam_a == want.fam_a &&
                memcmp(e->key.a, want.a, 16) == 0 && now < e->expire) {
                found[n].idx = e->key.idx;
                found[n].expire = e->expire;
                n++;
            }
        }
    }
    pthread_mutex_unlock(&t->lock);
    for (int i = 0; i < n; i++) {
        fn(found[i].idx < t->n_names ? t->names[found[i].idx] : "?", found[i].expire, user);
    }
    return n;
}
