/* Per-flow storage slots: later stages (app-layer state, flowbits, plugin
 * data) register a named slot at start-up and keep one pointer per flow in
 * it. The registry is written at start-up only and read by any thread. */

#include "flow/flow-internal.h"

#include <string.h>

#include "util/util-error.h"

#define FLOW_STORAGE_NAME_MAX 48

typedef struct FlowStorageDef {
    char name[FLOW_STORAGE_NAME_MAX];
    void (*free_fn)(void *);
} FlowStorageDef;

static FlowStorageDef g_defs[FLOW_STORAGE_MAX];
static int g_n_defs;

int flow_storage_find(const char *name)
{
    for (int i = 0; i < g_n_defs; i++) {
        if (strcmp(g_defs[i].name, name) == 0) {
            return i;
        }
    }
    return VG_ENOENT;
}

int flow_storage_register(const char *name, void (*free_fn)(void *))
{
    size_t len = strlen(name);
    if (len == 0 || len >= FLOW_STORAGE_NAME_MAX) {
        return VG_EINVAL;
    }
    if (flow_storage_find(name) >= 0) {
        return VG_EEXIST;
    }
    if (g_n_defs >= FLOW_STORAGE_MAX) {
        return VG_ERANGE;
    }
    memcpy(g_defs[g_n_defs].name, name, len + 1);
    g_defs[g_n_defs].free_fn = free_fn;
    return g_n_defs++;
}

void *flow_storage_get(const Flow *f, int id)
{
    if (id < 0 || id >= FLOW_STORAGE_MAX) {
        return NULL;
    }
    return f->storage[id];
}

void flow_storage_set(Flow *f, int id, void *value)
{
    if (id < 0 || id >= FLOW_STORAGE_MAX) {
        return;
    }
    f->storage[id] = value;
}

void flow_storage_reset(void)
{
    memset(g_defs, 0, sizeof(g_defs));
    g_n_defs = 0;
}

void flow_storage_free_all(Flow *f)
{
    for (int i = 0; i < g_n_defs; i++) {
        if (f->storage[i] != NULL && g_defs[i].free_fn != NULL) {
            g_defs[i].free_fn(f->storage[i]);
        }
        f->storage[i] = NULL;
    }
}
