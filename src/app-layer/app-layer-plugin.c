/* Application-layer protocols of plugins (runtime/plugin.h VgAppLayer): each
 * becomes a row of the app-layer table whose callbacks call the plugin's.
 *
 * The row callbacks have no context argument of their own, so the plugin is
 * found from what they get: the flow's row (state_new), a wrapper around
 * the parser state (parse, state_free, tx_free), the tx's protocol
 * (log_json, buffers). Probes and buffer getters get neither a row nor a
 * flow: one small function per slot (and buffer) is generated below.
 *
 * A tx of a plugin is a PluginTx: the framework's AppTx, then the plugin's
 * part, which is the only pointer the plugin sees. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "runtime/plugin-internal.h"
#include "util/util-error.h"
#include "util/util-log.h"

_Static_assert(PLUGIN_APP_LAYERS_MAX == APP_PROTO_PLUGIN_MAX, "one slot per plugin protocol");
_Static_assert((int)VG_DIR_TOSERVER == (int)APP_DIR_TOSERVER &&
                   (int)VG_DIR_TOCLIENT == (int)APP_DIR_TOCLIENT,
               "directions");
_Static_assert((int)VG_PROBE_NO == (int)APP_PROBE_NO && (int)VG_PROBE_YES == (int)APP_PROBE_YES &&
                   (int)VG_PROBE_MORE == (int)APP_PROBE_MORE,
               "probe results");

typedef struct PluginTx {
    AppTx base;
    _Alignas(max_align_t) unsigned char data[];
} PluginTx;

typedef struct PluginState {
    const VgAppLayer *pd;
    void *state;
} PluginState;

typedef struct PluginRow {
    AppParserDesc row;
    const VgAppLayer *pd;
    AppPattern patterns[16];
    AppBufferDef buffers[VG_APP_BUFFERS_MAX];
} PluginRow;

/* Filled at start-up (app_layer_plugin_add), read-only afterwards. */
static PluginRow g_rows[APP_PROTO_PLUGIN_MAX];
static uint32_t g_n_rows;

static PluginTx *ptx_of(const void *data)
{
    return (PluginTx *)((uintptr_t)data - offsetof(PluginTx, data));
}

static const PluginRow *row_of_proto(AppProto p)
{
    uint32_t slot = (uint32_t)p - APP_PROTO_MAX_BUILTIN;
    return p >= APP_PROTO_MAX_BUILTIN && slot < g_n_rows ? &g_rows[slot] : NULL;
}

/* ---- the row's callbacks ---- */

static void *pl_state_new(AppFlow *af)
{
    const PluginRow *pr = row_of_proto(af->row->proto);
    PluginState *ps = pr ? calloc(1, sizeof(*ps)) : NULL;
    if (ps == NULL) {
        return NULL;
    }
    ps->pd = pr->pd;
    ps->state = pr->pd->state_new(af);
    if (ps->state == NULL) {
        free(ps);
        return NULL;
    }
    return ps;
}

static void pl_state_free(void *state)
{
    PluginState *ps = state;
    if (ps == NULL) {
        return;
    }
    if (ps->pd->state_free != NULL) {
        ps->pd->state_free(ps->state);
    }
    free(ps);
}

static int pl_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                    uint32_t *consumed)
{
    (void)consumed;
    PluginState *ps = state;
    int rc = ps->pd->parse(af, ps->state, dir, data, len);
    if (rc < 0) {
        plugin_callback_error("app-layer parser", ps->pd->name, rc);
        return APP_PARSE_ERROR;
    }
    return APP_PARSE_OK;
}

static int pl_gap(AppFlow *af, void *state, uint8_t dir, uint32_t len)
{
    PluginState *ps = state;
    /* a parser that cannot go on after a hole is not failing: no error counted */
    return ps->pd->gap(af, ps->state, dir, len) == 0 ? APP_PARSE_OK : APP_PARSE_ERROR;
}

static void pl_tx_free(void *state, AppTx *tx)
{
    PluginState *ps = state;
    if (ps != NULL && ps->pd->tx_free != NULL) {
        ps->pd->tx_free(ps->state, ((PluginTx *)tx)->data);
    }
}

static void pl_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const PluginRow *pr = row_of_proto(tx->proto);
    if (pr == NULL || pr->pd->log_json == NULL) {
        return;
    }
    json_open_object(jb, pr->pd->name);
    pr->pd->log_json(((const PluginTx *)tx)->data, jb);
    json_close_object(jb);
}

static int slot_probe(uint32_t slot, const uint8_t *data, uint32_t len, uint8_t dir)
{
    const VgAppLayer *pd = g_rows[slot].pd;
    int r = pd->probe(data, len, dir);
    if (r != VG_PROBE_YES && r != VG_PROBE_MORE) {
        if (r < 0) {
            plugin_callback_error("app-layer probe", pd->name, r);
        }
        return APP_PROBE_NO;
    }
    return r;
}

static bool slot_get(uint32_t slot, uint32_t b, const Flow *f, const AppTx *tx,
                     const uint8_t **data, uint32_t *len)
{
    (void)f;
    const VgAppBuffer *vb = &g_rows[slot].pd->buffers[b];
    return vb->get(((const PluginTx *)tx)->data, data, len);
}

#define PROBE_FN(n)                                                                    \
    static int probe_##n(const uint8_t *d, uint32_t l, uint8_t dir)                      \
    {                                                                                  \
        return slot_probe(n, d, l, dir);                                               \
    }
#define GET_FN(n, b)                                                                   \
    static bool get_##n##_##b(const Flow *f, const AppTx *tx, const uint8_t **d,         \
                              uint32_t *l)                                             \
    {                                                                                  \
        return slot_get(n, b, f, tx, d, l);                                            \
    }
#define SLOT_FNS(n) PROBE_FN(n) GET_FN(n, 0) GET_FN(n, 1) GET_FN(n, 2) GET_FN(n, 3)
SLOT_FNS(0)
SLOT_FNS(1)
SLOT_FNS(2)
SLOT_FNS(3)
SLOT_FNS(4)
SLOT_FNS(5)
SLOT_FNS(6)
SLOT_FNS(7)

typedef int (*ProbeFn)(const uint8_t *, uint32_t, uint8_t);
typedef bool (*GetFn)(const Flow *, const AppTx *, const uint8_t **, uint32_t *);
#define SLOT_ROW(n) { get_##n##_0, get_##n##_1, get_##n##_2, get_##n##_3 }
static const ProbeFn probe_fns[APP_PROTO_PLUGIN_MAX] = {
    probe_0, probe_1, probe_2, probe_3, probe_4, probe_5, probe_6, probe_7,
};
static const GetFn get_fns[APP_PROTO_PLUGIN_MAX][VG_APP_BUFFERS_MAX] = {
    SLOT_ROW(0), SLOT_ROW(1), SLOT_ROW(2), SLOT_ROW(3),
    SLOT_ROW(4), SLOT_ROW(5), SLOT_ROW(6), SLOT_ROW(7),
};

/* ---- registration ---- */

int app_layer_plugin_check(const VgAppLayer *a)
{
    if (app_proto_is_known_name(a->name)) {
        VG_ERROR("app-layer protocol '%s' refused: a protocol of that name exists", a->name);
        return VG_EEXIST;
    }
    if (a->state_new == NULL || a->parse == NULL || (a->ipproto != 6 && a->ipproto != 17) ||
        (a->n_patterns == 0 && a->probe == NULL) || a->first_dir > 1) {
        VG_ERROR("app-layer protocol '%s' refused: it needs state_new, parse, patterns or a "
                 "probe, ipproto 6 or 17 and first_dir 0 or 1", a->name);
        return VG_EINVAL;
    }
    if (a->n_patterns > 16 || a->n_buffers > VG_APP_BUFFERS_MAX) {
        VG_ERROR("app-layer protocol '%s' refused: at most 16 patterns and %d buffers",
                 a->name, VG_APP_BUFFERS_MAX);
        return VG_ERANGE;
    }
    for (uint32_t b = 0; b < a->n_buffers; b++) {
        const VgAppBuffer *vb = &a->buffers[b];
        if (vb->name == NULL || vb->get == NULL || vb->dir > 1) {
            VG_ERROR("app-layer protocol '%s' refused: buffer %u needs a name, get and dir",
                     a->name, b);
            return VG_EINVAL;
        }
        if (app_layer_buffer_find(vb->name) >= 0) {
            VG_ERROR("app-layer protocol '%s' refused: buffer '%s' exists", a->name, vb->name);
            return VG_EEXIST;
        }
    }
    for (uint32_t i = 0; i < g_n_rows; i++) {
        if (strcmp(g_rows[i].pd->name, a->name) == 0) {
            VG_ERROR("app-layer protocol '%s' refused: registered twice", a->name);
            return VG_EEXIST;
        }
    }
    return 0;
}

int app_layer_plugin_add(const VgAppLayer *a)
{
    AppProto proto = app_parser_next_plugin_proto();
    if (proto == APP_PROTO_UNKNOWN || g_n_rows >= APP_PROTO_PLUGIN_MAX) {
        return VG_ERANGE;
    }
    uint32_t slot = g_n_rows;
    PluginRow *pr = &g_rows[slot];
    memset(pr, 0, sizeof(*pr));
    pr->pd = a;
    for (uint32_t i = 0; i < a->n_patterns; i++) {
        const VgAppPattern *vp = &a->patterns[i];
        pr->patterns[i] = (AppPattern){.dir = vp->dir, .nocase = vp->nocase,
                                       .offset = vp->offset, .depth = vp->depth,
                                       .bytes = vp->bytes, .len = vp->len};
    }
    for (uint32_t b = 0; b < a->n_buffers; b++) {
        const VgAppBuffer *vb = &a->buffers[b];
        pr->buffers[b] = (AppBufferDef){.name = vb->name, .proto = proto, .dir = vb->dir,
                                        .progress = vb->progress, .get = get_fns[slot][b]};
    }
    pr->row = (AppParserDesc){
        .name = a->name,
        .proto = proto,
        .ipproto = a->ipproto,
        .first_dir = a->first_dir,
        .default_ports = a->default_ports,
        .patterns = pr->patterns,
        .n_patterns = a->n_patterns,
        .probe = a->probe != NULL ? probe_fns[slot] : NULL,
        .state_new = pl_state_new,
        .state_free = pl_state_free,
        .parse = pl_parse,
        .tx_free = pl_tx_free,
        .gap_len = a->gap != NULL ? pl_gap : NULL,
        .complete = {a->complete[0], a->complete[1]},
        .events = a->events,
        .n_events = a->n_events,
        .buffers = pr->buffers,
        .n_buffers = a->n_buffers,
        .log_json = pl_log_json,
    };
    int rc = app_parser_add(&pr->row);
    if (rc != 0) {
        return rc;
    }
    g_n_rows++;
    return 0;
}

/* ---- the registrar's helpers ---- */

void *app_layer_plugin_tx_new(VgAppFlow *af, size_t size)
{
    if (size > (1u << 20)) {
        return NULL;
    }
    PluginTx *tx = (PluginTx *)app_tx_new(af, sizeof(PluginTx) + size);
    return tx != NULL ? tx->data : NULL;
}

void app_layer_plugin_tx_progress(void *tx, uint8_t dir, uint8_t progress)
{
    PluginTx *ptx = ptx_of(tx);
    if (dir <= 1) {
        ptx->base.progress[dir] = progress;
        app_tx_touch(&ptx->base, dir);
    }
}

uint64_t app_layer_plugin_tx_id(const void *tx)
{
    return ptx_of(tx)->base.id;
}

void app_layer_plugin_tx_event(VgAppFlow *af, void *tx, uint32_t id)
{
    app_tx_event(af, tx != NULL ? &ptx_of(tx)->base : NULL, id);
}
