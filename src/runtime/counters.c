#include "runtime/counters.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-error.h"

typedef struct CounterDef {
    char *name;
    CounterKind kind;
    CounterId avg_sum;           // COUNTER_AVG: its sources
    CounterId avg_count;
    uint64_t (*probe)(void *arg); // COUNTER_PROBE: read when merged
    void *probe_arg;
} CounterDef;

#define SET_NAME_LEN 32

typedef struct SetNode {
    CounterSet *set;
    struct SetNode *next;
    char name[SET_NAME_LEN];     // "" for an anonymous set
} SetNode;

/* Registry: append-only; registration takes g_reg_lock and publishes the new
 * entry by storing g_n_defs last, so readers need no lock. */
static pthread_mutex_t g_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static CounterDef g_defs[COUNTERS_MAX];
static _Atomic CounterId g_n_defs;

/* Live sets, the totals of freed ones, and freed named sets (kept for
 * counters_each_named); guarded by g_sets_lock. */
static pthread_mutex_t g_sets_lock = PTHREAD_MUTEX_INITIALIZER;
static SetNode *g_sets;
static SetNode *g_ended;
static uint64_t g_retired[COUNTERS_MAX];

/* Adds a definition with every field set before g_n_defs publishes it, so
 * a reader never sees an average without its sources. */
static CounterId register_def(const char *name, CounterKind kind, CounterId avg_sum,
                              CounterId avg_count)
{
    CounterId id;
    pthread_mutex_lock(&g_reg_lock);
    if (counters_find(name, &id)) {
        pthread_mutex_unlock(&g_reg_lock);
        return id;
    }
    id = atomic_load(&g_n_defs);
    if (id >= COUNTERS_MAX - 1) {
        pthread_mutex_unlock(&g_reg_lock);
        return COUNTERS_MAX - 1; // overflow slot: counted nowhere visible
    }
    g_defs[id].name = strdup(name);
    g_defs[id].kind = kind;
    g_defs[id].avg_sum = avg_sum;
    g_defs[id].avg_count = avg_count;
    atomic_store(&g_n_defs, (CounterId)(id + 1));
    pthread_mutex_unlock(&g_reg_lock);
    return id;
}

CounterId counters_register(const char *name, CounterKind kind)
{
    return register_def(name, kind, 0, 0);
}

CounterId counters_register_avg(const char *name, const char *sum_name, const char *count_name)
{
    CounterId sum = counters_register(sum_name, COUNTER_SUM);
    CounterId count = counters_register(count_name, COUNTER_SUM);
    return register_def(name, COUNTER_AVG, sum, count);
}

CounterId counters_register_probe(const char *name, uint64_t (*fn)(void *arg), void *arg)
{
    CounterId id = register_def(name, COUNTER_PROBE, 0, 0);
    pthread_mutex_lock(&g_reg_lock);
    /* written only when they change: registering again (each thread, a reload)
     * does not write what a merge may be reading */
    if (g_defs[id].probe != fn || g_defs[id].probe_arg != arg) {
        g_defs[id].probe = fn;
        g_defs[id].probe_arg = arg;
    }
    if (g_defs[id].kind != COUNTER_PROBE) {
        g_defs[id].kind = COUNTER_PROBE;
    }
    pthread_mutex_unlock(&g_reg_lock);
    return id;
}

CounterId counters_count(void)
{
    return g_n_defs;
}

const char *counters_name(CounterId id)
{
    return id < g_n_defs ? g_defs[id].name : NULL;
}

CounterKind counters_kind(CounterId id)
{
    return id < g_n_defs ? g_defs[id].kind : COUNTER_SUM;
}

bool counters_find(const char *name, CounterId *out)
{
    for (CounterId i = 0; i < g_n_defs; i++) {
        if (g_defs[i].name != NULL && strcmp(g_defs[i].name, name) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

CounterSet *counters_set_new(void)
{
    return counters_set_new_named(NULL);
}

CounterSet *counters_set_new_named(const char *name)
{
    CounterSet *cs = calloc(1, sizeof(*cs));
    SetNode *node = calloc(1, sizeof(*node));
    if (cs == NULL || node == NULL) {
        free(cs);
        free(node);
        return NULL;
    }
    node->set = cs;
    snprintf(node->name, sizeof(node->name), "%s", name != NULL ? name : "");
    pthread_mutex_lock(&g_sets_lock);
    node->next = g_sets;
    g_sets = node;
    pthread_mutex_unlock(&g_sets_lock);
    return cs;
}

static void merge_one(uint64_t *out, CounterId i, uint64_t v)
{
    if (g_defs[i].kind == COUNTER_PROBE) {
        return;                  // read in counters_merge
    }
    if (g_defs[i].kind == COUNTER_MAX) {
        if (v > out[i]) {
            out[i] = v;
        }
    } else {
        out[i] += v;
    }
}

/* Averages from their merged sources. */
static void derive_avgs(uint64_t *out, CounterId n_defs)
{
    for (CounterId i = 0; i < n_defs; i++) {
        if (g_defs[i].kind == COUNTER_AVG) {
            uint64_t count = out[g_defs[i].avg_count];
            out[i] = count > 0 ? out[g_defs[i].avg_sum] / count : 0;
        }
    }
}

void counters_set_free(CounterSet *cs)
{
    if (cs == NULL) {
        return;
    }
    pthread_mutex_lock(&g_sets_lock);
    SetNode *dead = NULL;
    for (SetNode **pp = &g_sets; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->set == cs) {
            dead = *pp;
            *pp = dead->next;
            break;
        }
    }
    for (CounterId i = 0; i < g_n_defs; i++) {
        if (g_defs[i].kind != COUNTER_GAUGE && g_defs[i].kind != COUNTER_AVG &&
            g_defs[i].kind != COUNTER_PROBE) {
            merge_one(g_retired, i, counters_get(cs, i));
        }
    }
    if (dead != NULL && dead->name[0] != '\0') {
        dead->next = g_ended;    // keeps its set: the thread's last values
        g_ended = dead;
        dead = NULL;
        cs = NULL;
    }
    pthread_mutex_unlock(&g_sets_lock);
    free(dead);
    free(cs);
}

void counters_merge(uint64_t *out)
{
    CounterId n_defs = atomic_load(&g_n_defs);
    pthread_mutex_lock(&g_sets_lock);
    for (CounterId i = 0; i < n_defs; i++) {
        out[i] = g_retired[i];
    }
    for (SetNode *n = g_sets; n != NULL; n = n->next) {
        for (CounterId i = 0; i < n_defs; i++) {
            merge_one(out, i, counters_get(n->set, i));
        }
    }
    pthread_mutex_unlock(&g_sets_lock);
    for (CounterId i = 0; i < n_defs; i++) {
        if (g_defs[i].kind == COUNTER_PROBE) {
            out[i] = g_defs[i].probe != NULL ? g_defs[i].probe(g_defs[i].probe_arg) : 0;
        }
    }
    derive_avgs(out, n_defs);
}

typedef struct NamedSnap {
    char name[SET_NAME_LEN];
    uint64_t *vals;
} NamedSnap;

static int snap_cmp(const void *a, const void *b)
{
    return strcmp(((const NamedSnap *)a)->name, ((const NamedSnap *)b)->name);
}

/* Copies of every named set (live and ended), under the lock; *vals_out is
 * the one array holding every copy's values (freed by the caller). */
static NamedSnap *snapshot_named(CounterId n_defs, size_t *n_out, uint64_t **vals_out)
{
    pthread_mutex_lock(&g_sets_lock);
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (SetNode *s = pass == 0 ? g_sets : g_ended; s != NULL; s = s->next) {
            n += s->name[0] != '\0';
        }
    }
    NamedSnap *snaps = calloc(n > 0 ? n : 1, sizeof(*snaps));
    uint64_t *vals = calloc(n > 0 ? n * n_defs : 1, sizeof(uint64_t));
    if (snaps == NULL || vals == NULL) {
        pthread_mutex_unlock(&g_sets_lock);
        free(snaps);
        free(vals);
        return NULL;
    }
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (SetNode *s = pass == 0 ? g_sets : g_ended; s != NULL; s = s->next) {
            if (s->name[0] == '\0') {
                continue;
            }
            memcpy(snaps[k].name, s->name, sizeof(s->name));
            snaps[k].vals = vals + k * n_defs;
            for (CounterId i = 0; i < n_defs; i++) {
                snaps[k].vals[i] = counters_get(s->set, i);
            }
            k++;
        }
    }
    pthread_mutex_unlock(&g_sets_lock);
    *n_out = n;
    *vals_out = vals;
    return snaps;
}

int counters_each_named(CountersNamedFn fn, void *user)
{
    CounterId n_defs = atomic_load(&g_n_defs);
    size_t n = 0;
    uint64_t *vals = NULL;
    NamedSnap *snaps = snapshot_named(n_defs, &n, &vals);
    if (snaps == NULL) {
        return VG_ENOMEM;
    }
    qsort(snaps, n, sizeof(*snaps), snap_cmp);
    for (size_t k = 0; k < n; k++) {
        derive_avgs(snaps[k].vals, n_defs);
        fn(snaps[k].name, snaps[k].vals, user);
    }
    free(vals);
    free(snaps);
    return 0;
}

void counters_reset(void)
{
    pthread_mutex_lock(&g_sets_lock);
    while (g_sets != NULL) {
        SetNode *n = g_sets;
        g_sets = n->next;
        free(n->set);
        free(n);
    }
    while (g_ended != NULL) {
        SetNode *n = g_ended;
        g_ended = n->next;
        free(n->set);
        free(n);
    }
    memset(g_retired, 0, sizeof(g_retired));
    pthread_mutex_unlock(&g_sets_lock);
    for (CounterId i = 0; i < g_n_defs; i++) {
        free(g_defs[i].name);
        g_defs[i] = (CounterDef){0};
    }
    g_n_defs = 0;
}
