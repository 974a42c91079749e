/* Per-flow detection state: flowbits, flowints and flow variables, kept in the flow's
 * storage slot registered by main (detect_set_flow_storage_id). Touched only
 * with the flow lock held; allocated once per flow, freed with the flow. */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "detect/detect-internal.h"
#include "flow/flow-types.h"

struct DetectFlowState {
    uint32_t n_bits;
    uint32_t n_ints;
    uint8_t *bits;                     // n_bits bits
    uint8_t *int_set;                  // n_ints bits
    int64_t *ints;
    DetectTagEntry tag;                // tag:session
    DetectFlowVar *vars;               // flow variables (pcre captures), n_vars of them
    uint16_t n_vars;
    char *eve_metadata;                // its variables as JSON for the flow record (flow end)
    char *eve_traffic;
    struct {
        uint16_t proto[2];             // app_proto per direction as of the last packet
        uint32_t n_events;             // flow-level app-layer events seen by detection
    } app;
};

/* Written once at start-up by main, before worker threads start. */
static int flow_storage_id = -1;

void detect_set_flow_storage_id(int id)
{
    flow_storage_id = (id >= 0 && id < FLOW_STORAGE_MAX) ? id : -1;
}

void detect_flow_storage_free(void *state)
{
    DetectFlowState *fs = state;
    if (fs != NULL) {
        free(fs->bits);
        free(fs->int_set);
        free(fs->ints);
        for (uint16_t i = 0; i < fs->n_vars; i++) {
            free(fs->vars[i].name);
            free(fs->vars[i].val);
        }
        free(fs->vars);
        free(fs->eve_metadata);
        free(fs->eve_traffic);
        free(fs);
    }
}

static DetectFlowState *state_new(uint32_t n_bits, uint32_t n_ints)
{
    DetectFlowState *fs = calloc(1, sizeof(*fs));
    if (fs == NULL) {
        return NULL;
    }
    fs->n_bits = n_bits;
    fs->n_ints = n_ints;
    fs->bits = calloc(n_bits / 8 + 1, 1);
    fs->int_set = calloc(n_ints / 8 + 1, 1);
    fs->ints = calloc(n_ints + 1, sizeof(int64_t));
    if (fs->bits == NULL || fs->int_set == NULL || fs->ints == NULL) {
        detect_flow_storage_free(fs);
        return NULL;
    }
    return fs;
}

/* Grows a state made by an engine with fewer bits (after a reload). */
static bool state_grow(DetectFlowState *fs, uint32_t n_bits, uint32_t n_ints)
{
    DetectFlowState *n = state_new(n_bits > fs->n_bits ? n_bits : fs->n_bits,
                                   n_ints > fs->n_ints ? n_ints : fs->n_ints);
    if (n == NULL) {
        return false;
    }
    memcpy(n->bits, fs->bits, fs->n_bits / 8 + 1);
    memcpy(n->int_set, fs->int_set, fs->n_ints / 8 + 1);
    memcpy(n->ints, fs->ints, (fs->n_ints + 1) * sizeof(int64_t));
    n->tag = fs->tag;
    n->app = fs->app;
    n->vars = fs->vars;                // moved: the old state is freed below without them
    n->n_vars = fs->n_vars;
    n->eve_metadata = fs->eve_metadata;
    n->eve_traffic = fs->eve_traffic;
    fs->vars = NULL;
    fs->n_vars = 0;
    fs->eve_metadata = NULL;
    fs->eve_traffic = NULL;
    DetectFlowState tmp = *fs;
    *fs = *n;
    *n = tmp;
    detect_flow_storage_free(n);
    return true;
}

DetectFlowState *detect_flow_state(Packet *p, bool create, uint32_t n_bits, uint32_t n_ints)
{
    if (p->flow == NULL || flow_storage_id < 0) {
        return NULL;
    }
    Flow *f = p->flow;
    DetectFlowState *fs = f->storage[flow_storage_id];
    if (fs == NULL && create) {
        fs = state_new(n_bits, n_ints);
        f->storage[flow_storage_id] = fs;
    } else if (fs != NULL && create && (fs->n_bits < n_bits || fs->n_ints < n_ints)) {
        if (!state_grow(fs, n_bits, n_ints)) {
            return NULL;
        }
    }
    return fs;
}

bool detect_flowbit_isset(const DetectFlowState *fs, uint32_t idx)
{
    return fs != NULL && idx < fs->n_bits && (fs->bits[idx / 8] & (1u << (idx % 8)));
}

void detect_flowbit_set(DetectFlowState *fs, uint32_t idx, bool on)
{
    if (fs == NULL || idx >= fs->n_bits) {
        return;
    }
    if (on) {
        fs->bits[idx / 8] |= (uint8_t)(1u << (idx % 8));
    } else {
        fs->bits[idx / 8] &= (uint8_t)~(1u << (idx % 8));
    }
}

bool detect_flowint_get(const DetectFlowState *fs, uint32_t idx, int64_t *out)
{
    if (fs == NULL || idx >= fs->n_ints || !(fs->int_set[idx / 8] & (1u << (idx % 8)))) {
        return false;
    }
    *out = fs->ints[idx];
    return true;
}

void detect_flowint_set(DetectFlowState *fs, uint32_t idx, int64_t v)
{
    if (fs == NULL || idx >= fs->n_ints) {
        return;
    }
    fs->int_set[idx / 8] |= (uint8_t)(1u << (idx % 8));
    fs->ints[idx] = v;
}

uint32_t detect_flowbit_count(const DetectFlowState *fs)
{
    return fs != NULL ? fs->n_bits : 0;
}

uint32_t detect_flowint_count(const DetectFlowState *fs)
{
    return fs != NULL ? fs->n_ints : 0;
}

bool detect_flowvar_set(DetectFlowState *fs, const char *name, const uint8_t *val, uint16_t len)
{
    if (fs == NULL) {
        return false;
    }
    for (uint16_t i = 0; i < fs->n_vars; i++) {
        if (strcmp(fs->vars[i].name, name) == 0) {
            uint8_t *v = malloc(len ? len : 1);
            if (v == NULL) {
                return false;
            }
            memcpy(v, val, len);
            free(fs->vars[i].val);
            fs->vars[i].val = v;
            fs->vars[i].len = len;
            return true;
        }
    }
    if (fs->n_vars >= DETECT_FLOWVARS_MAX) {
        return false;
    }
    DetectFlowVar *nv = realloc(fs->vars, (fs->n_vars + 1u) * sizeof(*nv));
    if (nv == NULL) {
        return false;
    }
    fs->vars = nv;
    char *n = strdup(name);
    uint8_t *v = malloc(len ? len : 1);
    if (n == NULL || v == NULL) {
        free(n);
        free(v);
        return false;
    }
    memcpy(v, val, len);
    nv[fs->n_vars++] = (DetectFlowVar){.name = n, .val = v, .len = len};
    return true;
}

uint16_t detect_flowvars(const DetectFlowState *fs, const DetectFlowVar **out)
{
    *out = fs != NULL ? fs->vars : NULL;
    return fs != NULL ? fs->n_vars : 0;
}

void detect_flow_eve_set(DetectFlowState *fs, char *metadata, char *traffic)
{
    if (fs == NULL) {
        free(metadata);
        free(traffic);
        return;
    }
    free(fs->eve_metadata);
    free(fs->eve_traffic);
    fs->eve_metadata = metadata;
    fs->eve_traffic = traffic;
}

void detect_flow_eve_vars(const Flow *f, const char **metadata, const char **traffic)
{
    const DetectFlowState *fs = (f != NULL && flow_storage_id >= 0) ? f->storage[flow_storage_id]
                                                                    : NULL;
    *metadata = fs != NULL ? fs->eve_metadata : NULL;
    *traffic = fs != NULL ? fs->eve_traffic : NULL;
}

DetectTagEntry *detect_flow_tag(DetectFlowState *fs)
{
    return fs != NULL ? &fs->tag : NULL;
}

/* What the app layer concluded on this packet, for PD-only rules (protocol
 * detection ended in a direction) and flow-level app-layer-event (events raised
 * since the previous packet). Only engines with such rules keep the state. */
void detect_app_packet_begin(DetectThread *dt, Packet *p)
{
    dt->pd_done = 0;
    dt->flow_events_from = 0;
    const DetectEngine *de = dt->de;
    Flow *f = p->flow;
    if (f == NULL || !de->has_app_pkt_rules) {
        return;
    }
    DetectFlowState *fs = detect_flow_state(p, true, de->n_flowbits, de->n_flowints);
    if (fs == NULL) {
        return;
    }
    for (uint8_t d = 0; d < 2; d++) {
        AppProto now = app_layer_flow_proto_dir(f, d);
        if (now != fs->app.proto[d] && now != APP_PROTO_UNKNOWN) {
            dt->pd_done |= (uint8_t)(1u << d);
        }
    }
    dt->flow_events_from = fs->app.n_events;
}

void detect_app_packet_end(DetectThread *dt, Packet *p)
{
    Flow *f = p->flow;
    if (f == NULL || !dt->de->has_app_pkt_rules || flow_storage_id < 0) {
        return;
    }
    DetectFlowState *fs = f->storage[flow_storage_id];
    if (fs == NULL) {
        return;
    }
    for (uint8_t d = 0; d < 2; d++) {
        fs->app.proto[d] = app_layer_flow_proto_dir(f, d);
    }
    const uint8_t *ids = NULL;
    fs->app.n_events = app_layer_flow_events(f, &ids);
}
