/* Plugin stream consumers (runtime/plugin.h VgStreamConsumer) on the stream
 * API: one subscription per direction asked for, the consumer's per-flow
 * state in a flow storage slot of its own, and its fields in flow records. */
#include <stdio.h>
#include <stdlib.h>

#include "flow/flow.h"
#include "runtime/plugin-internal.h"
#include "stream/stream.h"
#include "util/util-error.h"
#include "util/util-json.h"
#include "util/util-log.h"

/* The state of one consumer in one flow (its flow storage slot). */
typedef struct ConsumerFlow {
    const VgStreamConsumer *c;
    void *state;                 // the consumer's; NULL: flow_new declined
    bool failed;                 // a callback returned an error: no more calls
} ConsumerFlow;

typedef struct ConsumerSlot {
    const VgStreamConsumer *c;
    int storage_id;
} ConsumerSlot;

/* Written by stream_plugin_attach at start-up, read-only afterwards. */
static ConsumerSlot g_slots[PLUGIN_STREAM_CONSUMERS_MAX];
static uint32_t g_n_slots;

static void consumer_flow_free(void *p)
{
    ConsumerFlow *cf = p;
    if (cf->state != NULL && cf->c->state_free != NULL) {
        cf->c->state_free(cf->state);
    }
    free(cf);
}

static ConsumerFlow *consumer_flow(Flow *f, const ConsumerSlot *slot)
{
    ConsumerFlow *cf = flow_storage_get(f, slot->storage_id);
    if (cf != NULL) {
        return cf;
    }
    cf = calloc(1, sizeof(*cf));
    if (cf == NULL) {
        return NULL;
    }
    cf->c = slot->c;
    cf->state = slot->c->flow_new != NULL ? slot->c->flow_new(f) : NULL;
    flow_storage_set(f, slot->storage_id, cf);
    return cf;
}

static void on_stream(Flow *f, uint8_t dir, int note, const uint8_t *data, uint32_t len,
                      void *user)
{
    const ConsumerSlot *slot = user;
    ConsumerFlow *cf = consumer_flow(f, slot);
    if (cf == NULL || cf->failed || (cf->state == NULL && slot->c->flow_new != NULL)) {
        return;
    }
    const VgStreamConsumer *c = slot->c;
    int rc = 0;
    if (note == STREAM_NOTE_DATA) {
        rc = c->recv(f, cf->state, dir, data, len);
    } else if (note == STREAM_NOTE_GAP && c->gap != NULL) {
        rc = c->gap(f, cf->state, dir, len);
    } else if (note == STREAM_NOTE_CLOSE && c->close != NULL) {
        c->close(f, cf->state, dir);
    }
    if (rc < 0) {
        cf->failed = true;
        plugin_callback_error("stream consumer", c->name, rc);
    }
}

int stream_plugin_attach(void)
{
    uint32_t n;
    const VgStreamConsumer *const *cs = plugin_stream_consumers(&n);
    g_n_slots = 0;
    for (uint32_t i = 0; i < n; i++) {
        char name[96];
        snprintf(name, sizeof(name), "plugin-stream:%s", cs[i]->name);
        int id = flow_storage_find(name);
        if (id < 0) {
            id = flow_storage_register(name, consumer_flow_free);
        }
        if (id < 0) {
            VG_ERROR("stream consumer %s: no flow storage slot left", cs[i]->name);
            return VG_ERANGE;
        }
        ConsumerSlot *slot = &g_slots[g_n_slots++];
        *slot = (ConsumerSlot){.c = cs[i], .storage_id = id};
        for (uint8_t dir = 0; dir < 2; dir++) {
            uint32_t bit = dir == STREAM_DIR_TOSERVER ? VG_STREAM_TOSERVER : VG_STREAM_TOCLIENT;
            if ((cs[i]->dirs & bit) && stream_subscribe(dir, on_stream, slot) < 0) {
                VG_ERROR("stream consumer %s: more than %d stream subscribers", cs[i]->name,
                         STREAM_MAX_SUBSCRIBERS);
                return VG_ERANGE;
            }
        }
    }
    return 0;
}

void stream_plugin_flow_record(const Flow *f, JsonBuf *jb)
{
    for (uint32_t i = 0; i < g_n_slots; i++) {
        const ConsumerSlot *slot = &g_slots[i];
        const ConsumerFlow *cf = flow_storage_get(f, slot->storage_id);
        if (cf == NULL || slot->c->flow_log == NULL ||
            (cf->state == NULL && slot->c->flow_new != NULL)) {
            continue;
        }
        json_open_object(jb, slot->c->name);
        slot->c->flow_log(f, cf->state, jb);
        json_close_object(jb);
    }
}
