/* Per-flow detection state: flowbits, flowints and flow variables, kept in the flow's
 * storage slot registered by main (detect_set_flow_storage_id). Touched only
 * with the flow lock held; allocated once per flow, freed with the flow. */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "detect/detect-internal.h"
#include "flow/flow-types.h"
#include "util/util-json.h"

/* A pcre capture kept on the flow (flow:NAME): the last value of each name,
 * at most DETECT_FLOW_VARS_MAX names of DETECT_VAR_VALUE_MAX bytes. */
#define DETECT_FLOW_VARS_MAX 16
typedef struct DetectFlowVar {
    const char *name;                  // the rule's (engines live until shutdown)
    uint8_t *value;
    uint16_t len;
} DetectFlowVar;

struct DetectFlowState {
    uint32_t n_bits;
    uint32_t n_ints;
    uint8_t *bits;                     // n_bits bits
    uint8_t *int_set;                  // n_ints bits
    int64_t *ints;
    DetectTagEntry tag;                // tag:session
    DetectFlowVar *vars;               // DETECT_FLOW_VARS_MAX entries once one is set
    uint8_t n_vars;
    struct {
        uint16_t proto[2];             // app_proto per direction as of the last packet
        uint32_t n_events;             // flow-level app-layer events seen by detection
        uint64_t inspect_id[2];        // per direction: first tx not complete in it as of
                                       // the end of that direction's last packet (TCP, with
                                       // detect.guess-applayer-tx)
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
        for (uint8_t i = 0; i < fs->n_vars; i++) {
            free(fs->vars[i].value);
        }
        free(fs->vars);
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
    n->app = fs->app;
    n->vars = fs->vars;                // moved: the old state is freed below
    n->n_vars = fs->n_vars;
    fs->vars = NULL;
    fs->n_vars = 0;
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

/* The app-layer direction of a packet. */
static uint8_t packet_app_dir(const Packet *p)
{
    return (p->flags & PKT_F_TOCLIENT) ? APP_DIR_TOCLIENT : APP_DIR_TOSERVER;
}

/* What the app layer concluded on this packet, for PD-only rules (protocol
 * detection ended in the packet's direction) and flow-level app-layer-event
 * (events raised since the previous packet). Only engines with such rules keep
 * the state.
 *
 * Detection of a direction counts on a packet of that direction only, as in
 * Suricata: in IDS mode a direction's data is often parsed when the other side
 * acknowledges it, and the end of its detection then shows on the next packet
 * of the direction itself (the flow remembers it until then). */
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
    uint8_t d = packet_app_dir(p);
    AppProto now = app_layer_flow_proto_dir(f, d);
    if (now != fs->app.proto[d] && now != APP_PROTO_UNKNOWN) {
        dt->pd_done |= (uint8_t)(1u << d);
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
    uint8_t d = packet_app_dir(p);
    fs->app.proto[d] = app_layer_flow_proto_dir(f, d);
    const AppEventId *ids = NULL;
    fs->app.n_events = app_layer_flow_events(f, &ids);
}

/* The transaction an alert of a packet or stream rule logs (Suricata's
 * detect.guess-applayer-tx and its UDP rule). Detection tracks per direction
 * the first tx not yet complete in it, as of the end of the direction's
 * previous packet (Suricata's inspect id). A rule naming an app-layer protocol
 * that matched a UDP packet logs that tx; with guess-applayer-tx, any packet or
 * stream match logs it when it is the flow's newest tx ("tx_guessed"). Each tx
 * is logged so at most detect.stream-tx-log-limit times. */
static bool guess_wanted(const DetectEngine *de, const Flow *f, const Signature *s)
{
    if (de->guess_tx & DETECT_GUESS_F_GUESS) {
        return true;
    }
    return (de->guess_tx & DETECT_GUESS_F_UDP) && s != NULL && s->alproto != 0 &&
           f->key.proto == 17;
}

/* The first live tx from inspect_id on (the txs freed before it were done). On
 * UDP, where every message is parsed on its own packet, no state is kept: the
 * first tx this packet updated in d or that is not complete in d. */
static AppTx *inspect_tx_of(const Flow *f, uint8_t d, uint64_t inspect_id)
{
    uint32_t upd = d == APP_DIR_TOSERVER ? APP_TX_F_UPDATED_TS : APP_TX_F_UPDATED_TC;
    bool udp = f->key.proto == 17;
    uint32_t n = app_layer_tx_count(f);
    for (uint32_t i = 0; i < n; i++) {
        AppTx *tx = app_layer_tx_at(f, i);
        if (tx == NULL) {
            continue;
        }
        if (udp ? ((tx->flags & upd) || !app_layer_tx_complete(f, tx, d))
                : tx->id >= inspect_id) {
            return tx;
        }
    }
    return NULL;
}

void detect_alert_guess_tx(DetectThread *dt, Packet *p, const Signature *s, uint8_t *flags,
                           uint64_t *tx_id)
{
    const DetectEngine *de = dt->de;
    Flow *f = p->flow;
    if (de->guess_tx == 0 || f == NULL || (*flags & (PACKET_ALERT_F_TX | PACKET_ALERT_F_FRAME)) ||
        flow_storage_id < 0 || !guess_wanted(de, f, s)) {
        return;
    }
    if (app_layer_flow_proto(f) == APP_PROTO_UNKNOWN) {
        return;
    }
    uint8_t d = packet_app_dir(p);
    if (*flags & PACKET_ALERT_F_REVERSED) {
        d ^= 1;   // the alert is reported in the stream data's direction
    }
    /* no state yet: no packet ended with a tx, every direction is at the first */
    const DetectFlowState *fs = f->storage[flow_storage_id];
    AppTx *tx = inspect_tx_of(f, d, fs != NULL ? fs->app.inspect_id[d] : 0);
    if (tx == NULL || tx->guess_logged >= de->stream_tx_log_limit) {
        return;
    }
    bool udp = f->key.proto == 17 && s != NULL && s->alproto != 0;
    if (!udp && tx->id + 1 != app_layer_tx_next_id(f)) {
        return;   // not the only tx this direction can be at
    }
    tx->guess_logged++;
    *flags |= PACKET_ALERT_F_TX | (f->key.proto != 17 ? PACKET_ALERT_F_TX_GUESSED : 0);
    *tx_id = tx->id;
}

void detect_guess_packet_end(DetectThread *dt, Packet *p)
{
    Flow *f = p->flow;
    if (!(dt->de->guess_tx & DETECT_GUESS_F_GUESS) || f == NULL || flow_storage_id < 0 ||
        f->key.proto == 17 || app_layer_flow_proto(f) == APP_PROTO_UNKNOWN ||
        app_layer_tx_next_id(f) == 0) {
        return;   // UDP flows need no state (inspect_tx_of)
    }
    DetectFlowState *fs = detect_flow_state(p, true, dt->de->n_flowbits, dt->de->n_flowints);
    if (fs == NULL) {
        return;
    }
    uint8_t d = packet_app_dir(p);
    uint64_t id = app_layer_tx_next_id(f);   // every tx done in d, unless one is not
    uint32_t n = app_layer_tx_count(f);
    for (uint32_t i = 0; i < n; i++) {
        const AppTx *tx = app_layer_tx_at(f, i);
        if (tx != NULL && tx->id >= fs->app.inspect_id[d] && !app_layer_tx_complete(f, tx, d)) {
            id = tx->id;
            break;
        }
    }
    fs->app.inspect_id[d] = id;
}

bool detect_engine_has_flow_vars(const DetectEngine *de)
{
    return de != NULL && (de->n_flowbits > 0 || de->n_flowints > 0 || de->has_pcre_vars);
}

void detect_vars_capture(DetectThread *dt, const Signature *s, const DetectPcreVar *var,
                         const uint8_t *data, size_t len)
{
    if (dt->n_vars_pending >= DETECT_VARS_PENDING_MAX) {
        return;
    }
    if (var->kind == DETECT_VAR_ALERT_JSON && len >= DETECT_VAR_VALUE_MAX) {
        return;   // a JSON text is never cut
    }
    DetectVarPending *v = &dt->vars_pending[dt->n_vars_pending++];
    v->s = s;
    v->var = var;
    v->len = (uint16_t)(len < DETECT_VAR_VALUE_MAX ? len : DETECT_VAR_VALUE_MAX);
    memcpy(v->value, data, v->len);
}

static void flow_var_set(DetectFlowState *fs, const char *name, const uint8_t *data,
                         uint16_t len)
{
    if (fs->vars == NULL && (fs->vars = calloc(DETECT_FLOW_VARS_MAX, sizeof(*fs->vars))) == NULL) {
        return;
    }
    uint8_t i = 0;
    while (i < fs->n_vars && strcmp(fs->vars[i].name, name) != 0) {
        i++;
    }
    if (i == DETECT_FLOW_VARS_MAX) {
        return;   // full: the flow keeps the values it has
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        return;
    }
    memcpy(copy, data, len);
    if (i == fs->n_vars) {
        fs->n_vars++;
    } else {
        free(fs->vars[i].value);
    }
    fs->vars[i] = (DetectFlowVar){ .name = name, .value = copy, .len = len };
}

void detect_vars_commit(DetectThread *dt, Packet *p, const Signature *s)
{
    PacketAlerts *pa = p->alerts;
    DetectFlowState *fs = NULL;
    for (uint32_t i = 0; i < dt->n_vars_pending; i++) {
        const DetectVarPending *v = &dt->vars_pending[i];
        if (v->s != s) {
            continue;   // a rule that did not match
        }
        if (v->var->kind == DETECT_VAR_FLOW) {
            if (fs == NULL) {
                fs = detect_flow_state(p, true, dt->de->n_flowbits, dt->de->n_flowints);
            }
            if (fs != NULL) {
                flow_var_set(fs, v->var->name, v->value, v->len);
            }
        } else if (pa != NULL && pa->n_vars < DETECT_PKT_VARS_MAX) {
            PacketVar *pv = &pa->vars[pa->n_vars++];
            pv->kind = v->var->kind;
            pv->name = v->var->name;
            pv->sig = s;
            pv->len = v->len;
            memcpy(pv->value, v->value, v->len);
        }
    }
    dt->n_vars_pending = 0;
}

void detect_alert_context_json(const Packet *p, const PacketAlert *pa, JsonBuf *jb)
{
    const PacketAlerts *all = p != NULL ? p->alerts : NULL;
    bool is_open = false;
    for (uint16_t i = 0; all != NULL && i < all->n_vars; i++) {
        const PacketVar *v = &all->vars[i];
        bool is_json = v->kind == DETECT_VAR_ALERT_JSON;
        if ((v->kind != DETECT_VAR_ALERT && !is_json) || v->sig != pa->sig) {
            continue;
        }
        if (!is_open) {
            json_open_object(jb, "context");
            is_open = true;
        }
        if (is_json) {
            char text[DETECT_VAR_VALUE_MAX];   // len < DETECT_VAR_VALUE_MAX (vars_capture)
            memcpy(text, v->value, v->len);
            text[v->len] = '\0';
            json_raw(jb, v->name, text);
        } else {
            json_printable(jb, v->name, v->value, v->len);
        }
    }
    if (is_open) {
        json_close_object(jb);
    }
}

/* "pktvars":[{"name":"value"}] of p, inside the open metadata object. */
static void pkt_vars_json(const Packet *p, JsonBuf *jb, bool *is_open)
{
    const PacketAlerts *all = p != NULL ? p->alerts : NULL;
    bool in_list = false;
    for (uint16_t i = 0; all != NULL && i < all->n_vars; i++) {
        const PacketVar *v = &all->vars[i];
        if (v->kind != DETECT_VAR_PKT) {
            continue;
        }
        if (!*is_open) {
            json_open_object(jb, "metadata");
            *is_open = true;
        }
        if (!in_list) {
            json_open_array(jb, "pktvars");
            in_list = true;
        }
        json_open_object(jb, NULL);
        json_printable(jb, v->name, v->value, v->len);
        json_close_object(jb);
    }
    if (in_list) {
        json_close_array(jb);
    }
}

static void flow_state_json(const DetectEngine *de, const DetectFlowState *fs, JsonBuf *jb,
                            bool *is_open);

void detect_flow_vars_json(const DetectEngine *de, const Flow *f, JsonBuf *jb)
{
    detect_vars_json(de, NULL, f, jb);
}

/* Flowbits named traffic/id/X and traffic/label/X are not "flowbits": they
 * make the record's top-level "traffic":{"id":[X..],"label":[X..]}. */
static const char *const k_traffic_prefix[2] = {"traffic/id/", "traffic/label/"};

static bool is_traffic_bit(const char *name)
{
    return strncmp(name, k_traffic_prefix[0], strlen(k_traffic_prefix[0])) == 0 ||
           strncmp(name, k_traffic_prefix[1], strlen(k_traffic_prefix[1])) == 0;
}

static void traffic_json(const DetectEngine *de, const DetectFlowState *fs, JsonBuf *jb)
{
    static const char *const keys[2] = {"id", "label"};
    uint32_t n_bits = fs->n_bits < de->n_flowbits ? fs->n_bits : de->n_flowbits;
    bool is_open = false;
    for (int k = 0; k < 2; k++) {
        size_t pl = strlen(k_traffic_prefix[k]);
        bool in_list = false;
        for (uint32_t i = 0; i < n_bits; i++) {
            const char *name = de->flowbit_names[i];
            if (!detect_flowbit_isset(fs, i) || strncmp(name, k_traffic_prefix[k], pl) != 0) {
                continue;
            }
            if (!is_open) {
                json_open_object(jb, "traffic");
                is_open = true;
            }
            if (!in_list) {
                json_open_array(jb, keys[k]);
                in_list = true;
            }
            json_str(jb, NULL, name + pl);
        }
        if (in_list) {
            json_close_array(jb);
        }
    }
    if (is_open) {
        json_close_object(jb);
    }
}

void detect_vars_json(const DetectEngine *de, const Packet *p, const Flow *f, JsonBuf *jb)
{
    bool is_open = false;
    const DetectFlowState *fs =
        (de != NULL && f != NULL && flow_storage_id >= 0) ? f->storage[flow_storage_id] : NULL;
    if (fs != NULL) {
        traffic_json(de, fs, jb);
        flow_state_json(de, fs, jb, &is_open);
    }
    pkt_vars_json(p, jb, &is_open);
    if (is_open) {
        json_close_object(jb);
    }
}

static void flow_state_json(const DetectEngine *de, const DetectFlowState *fs, JsonBuf *jb,
                            bool *is_open_out)
{
    /* Names come from the engine in use; a state made by an older engine
     * (reload) may have more bits than it names: those are left out. */
    uint32_t n_bits = fs->n_bits < de->n_flowbits ? fs->n_bits : de->n_flowbits;
    uint32_t n_ints = fs->n_ints < de->n_flowints ? fs->n_ints : de->n_flowints;
    bool is_open = false;
    bool in_list = false;
    for (uint32_t i = 0; i < n_bits; i++) {
        if (!detect_flowbit_isset(fs, i) || is_traffic_bit(de->flowbit_names[i])) {
            continue;
        }
        if (!is_open) {
            json_open_object(jb, "metadata");
            is_open = true;
        }
        if (!in_list) {
            json_open_array(jb, "flowbits");
            in_list = true;
        }
        json_str(jb, NULL, de->flowbit_names[i]);
    }
    if (in_list) {
        json_close_array(jb);
        in_list = false;
    }
    for (uint32_t i = 0; i < n_ints; i++) {
        int64_t v;
        if (!detect_flowint_get(fs, i, &v)) {
            continue;
        }
        if (!is_open) {
            json_open_object(jb, "metadata");
            is_open = true;
        }
        if (!in_list) {
            json_open_object(jb, "flowints");
            in_list = true;
        }
        json_i64(jb, de->flowint_names[i], v);
    }
    if (in_list) {
        json_close_object(jb);
        in_list = false;
    }
    for (uint8_t i = 0; i < fs->n_vars; i++) {
        if (!is_open) {
            json_open_object(jb, "metadata");
            is_open = true;
        }
        if (!in_list) {
            json_open_array(jb, "flowvars");
            in_list = true;
        }
        json_open_object(jb, NULL);
        json_printable(jb, fs->vars[i].name, fs->vars[i].value, fs->vars[i].len);
        json_close_object(jb);
    }
    if (in_list) {
        json_close_array(jb);
    }
    *is_open_out = is_open;
}
