/* Per-flow detection state: flowbits and flowints, kept in the flow's
 * storage slot registered by main (detect_set_flow_storage_id). Touched only
 * with the flow lock held; allocated once per flow, freed with the flow. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "flow/flow-types.h"

struct DetectFlowState {
    uint32_t n_bits;
    uint32_t n_ints;
    uint8_t *bits;                     // n_bits bits
    uint8_t *int_set;                  // n_ints bits
    int64_t *ints;
    DetectTagEntry tag;                // tag:session
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

DetectTagEntry *detect_flow_tag(DetectFlowState *fs)
{
    return fs != NULL ? &fs->tag : NULL;
}
