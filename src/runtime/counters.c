#include "runtime/counters.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct CounterDef {
    char *name;
    CounterKind kind;
} CounterDef;

typedef struct SetNode {
    CounterSet *set;
    struct SetNode *next;
} SetNode;

/* Registry: append-only; registration takes g_reg_lock and publishes the new
 * entry by storing g_n_defs last, so readers need no lock. */
static pthread_mutex_t g_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static CounterDef g_defs[COUNTERS_MAX];
static _Atomic CounterId g_n_defs;

/* Live sets and the totals of freed ones; guarded by g_sets_lock. */
static pthread_mutex_t g_sets_lock = PTHREAD_MUTEX_INITIALIZER;
static SetNode *g_sets;
static uint64_t g_retired[COUNTERS_MAX];

CounterId counters_register(const char *name, CounterKind kind)
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
    atomic_store(&g_n_defs, (CounterId)(id + 1));
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
    CounterSet *cs = calloc(1, sizeof(*cs));
    SetNode *node = calloc(1, sizeof(*node));
    if (cs == NULL || node == NULL) {
        free(cs);
        free(node);
        return NULL;
    }
    node->set = cs;
    pthread_mutex_lock(&g_sets_lock);
    node->next = g_sets;
    g_sets = node;
    pthread_mutex_unlock(&g_sets_lock);
    return cs;
}

static void merge_one(uint64_t *out, CounterId i, uint64_t v)
{
    if (g_defs[i].kind == COUNTER_MAX) {
        if (v > out[i]) {
            out[i] = v;
        }
    } else {
        out[i] += v;
    }
}

void counters_set_free(CounterSet *cs)
{
    if (cs == NULL) {
        return;
    }
    pthread_mutex_lock(&g_sets_lock);
    for (SetNode **pp = &g_sets; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->set == cs) {
            SetNode *dead = *pp;
            *pp = dead->next;
            free(dead);
            break;
        }
    }
    for (CounterId i = 0; i < g_n_defs; i++) {
        if (g_defs[i].kind != COUNTER_GAUGE) {
            merge_one(g_retired, i, counters_get(cs, i));
        }
    }
    pthread_mutex_unlock(&g_sets_lock);
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
    memset(g_retired, 0, sizeof(g_retired));
    pthread_mutex_unlock(&g_sets_lock);
    for (CounterId i = 0; i < g_n_defs; i++) {
        free(g_defs[i].name);
        g_defs[i].name = NULL;
    }
    g_n_defs = 0;
}
