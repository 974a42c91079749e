/* Per-flow app-layer state: protocol detection with the held prefix and its replay,
 * feeding the parser, gaps and end of data, the tx list with its cleanup, and the
 * flow-level queries of app-layer.h.
 *
 * Every function here runs with f->lock held, on the thread owning the flow (or the
 * flow manager at flow end). */
#include "app-layer/app-layer.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "conf/conf.h"
#include "flow/flow.h"
#include "runtime/runtime-profiling.h"
#include "stream/stream.h"
#include "util/util-error.h"
#include "util/util-log.h"

_Thread_local CounterSet *app_tls_counters;

CounterSet *app_layer_thread_counters_swap(CounterSet *cs)
{
    CounterSet *prev = app_tls_counters;
    app_tls_counters = cs;
    return prev;
}

AppFlow *app_flow_get(const Flow *f)
{
    if (f == NULL || g_app_cfg.storage_id < 0) {
        return NULL;
    }
    return flow_storage_get(f, g_app_cfg.storage_id);
}

AppFlow *app_flow_get_or_new(Flow *f)
{
    AppFlow *af = app_flow_get(f);
    if (af != NULL || g_app_cfg.storage_id < 0) {
        return af;
    }
    af = calloc(1, sizeof(*af));
    if (af == NULL) {
        return NULL;
    }
    af->f = f;
    flow_storage_set(f, g_app_cfg.storage_id, af);
    return af;
}

/* ---- memory ---- */

/* The protocol a charge or release is for, and the flow's count of it: the current
 * parser's, or the one before a tunnel (CONNECT, Upgrade) while what that instance holds
 * is freed (is_mem_old). NULL when no parser runs (between a hand-over and detection). */
static AppProtoCfg *mem_acct(AppFlow *af, uint64_t **flow_use)
{
    const AppParserDesc *row = af->is_mem_old ? af->old_row : af->row;
    *flow_use = af->is_mem_old ? &af->old_memuse : &af->memuse;
    return row != NULL ? app_proto_cfg(row->proto) : NULL;
}

bool app_mem_charge(AppFlow *af, uint64_t bytes)
{
    uint64_t *flow_use;
    AppProtoCfg *pc = mem_acct(af, &flow_use);
    if (pc == NULL) {
        return true;
    }
    uint64_t now = atomic_fetch_add(&pc->memuse, bytes) + bytes;
    uint64_t cap = atomic_load_explicit(&pc->memcap_bytes, memory_order_relaxed);
    if (cap != 0 && now > cap) {
        atomic_fetch_sub(&pc->memuse, bytes);
        app_count(pc->c_memcap, 1);
        af->flags |= APP_FLOW_F_MEMCAP;
        return false;
    }
    *flow_use += bytes;
    return true;
}

bool app_mem_grow(AppFlow *af, uint8_t **buf, uint32_t *cap, uint32_t new_cap)
{
    if (new_cap <= *cap) {
        return true;
    }
    if (!app_mem_charge(af, new_cap - *cap)) {
        return false;
    }
    uint8_t *nb = realloc(*buf, new_cap);
    if (nb == NULL) {
        app_mem_release(af, new_cap - *cap);
        return false;
    }
    *buf = nb;
    *cap = new_cap;
    return true;
}

void app_mem_free(AppFlow *af, uint8_t **buf, uint32_t *cap)
{
    if (*cap != 0) {
        app_mem_release(af, *cap);
    }
    free(*buf);
    *buf = NULL;
    *cap = 0;
}

void app_mem_release(AppFlow *af, uint64_t bytes)
{
    uint64_t *flow_use;
    AppProtoCfg *pc = mem_acct(af, &flow_use);
    if (pc == NULL) {
        return;
    }
    bytes = bytes > *flow_use ? *flow_use : bytes;
    *flow_use -= bytes;
    atomic_fetch_sub(&pc->memuse, bytes);
}

/* ---- transactions ---- */

static bool tx_dir_complete(const AppTx *tx, const AppParserDesc *row, uint8_t dir);

/* The live txs max-tx limits: all, or (max_tx_unfinished) those from the oldest one
 * not complete both ways to the newest. */
static uint64_t txs_counted(const AppFlow *af, const AppParserDesc *row)
{
    if (!row->max_tx_unfinished) {
        return af->n_txs;
    }
    for (uint32_t i = 0; i < af->n_txs; i++) {
        const AppTx *tx = af->txs[i];
        const AppParserDesc *tr = app_parser_row(tx->proto);
        if (!tx_dir_complete(tx, tr, 0) || !tx_dir_complete(tx, tr, 1)) {
            return af->next_tx_id - tx->id;
        }
    }
    return 0;
}

AppTx *app_tx_new(AppFlow *af, size_t size)
{
    const AppParserDesc *row = af->row;
    AppProtoCfg *pc = app_proto_cfg(row->proto);
    if (pc->max_tx != 0 && txs_counted(af, row) >= pc->max_tx) {
        app_count(pc->c_memcap, 1);
        return NULL;
    }
    if (af->n_txs == af->cap_txs) {
        uint32_t cap = af->cap_txs ? af->cap_txs * 2 : 4;
        AppTx **n = realloc(af->txs, cap * sizeof(*n));
        if (n == NULL) {
            return NULL;
        }
        af->txs = n;
        af->cap_txs = cap;
    }
    if (size < sizeof(AppTx) || !app_mem_charge(af, size)) {
        return NULL;
    }
    AppTx *tx = calloc(1, size);
    if (tx == NULL) {
        app_mem_release(af, size);
        return NULL;
    }
    tx->id = af->next_tx_id++;
    tx->proto = row->proto;
    tx->alloc_bytes = (uint32_t)size;
    af->txs[af->n_txs++] = tx;
    app_count(af->f != NULL && af->f->key.proto == 17 ? pc->c_txs_udp : pc->c_txs, 1);
    return tx;
}

void app_tx_touch(AppTx *tx, uint8_t dir)
{
    tx->flags |= dir == APP_DIR_TOSERVER ? APP_TX_F_PENDING_TS : APP_TX_F_PENDING_TC;
}

void app_tx_event(AppFlow *af, AppTx *tx, uint32_t local_id)
{
    const AppParserDesc *row = af->row;
    if (row == NULL || local_id >= row->n_events) {
        return;
    }
    int id = app_layer_event_base(row->proto) + (int)local_id;
    if (tx == NULL) {
        if (af->n_events < APP_FLOW_EVENTS_MAX) {
            af->events[af->n_events++] = (AppEventId)id;
        }
        return;
    }
    bool tc = af->parse_dir == APP_DIR_TOCLIENT;
    if (app_layer_tx_event_in_dir(tx, id, af->parse_dir)) {
        return; // each event once per tx and direction
    }
    if (tx->n_events < APP_TX_EVENTS_MAX) {
        tx->events[tx->n_events] = (AppEventId)id;
        if (tc) {
            tx->events_tc |= (uint16_t)(1u << tx->n_events);
        }
    }
    tx->n_events++;
}

bool app_layer_tx_event_in_dir(const AppTx *tx, int id, uint8_t dir)
{
    uint32_t n = tx->n_events < APP_TX_EVENTS_MAX ? tx->n_events : APP_TX_EVENTS_MAX;
    for (uint32_t i = 0; i < n; i++) {
        bool tc = (tx->events_tc >> i) & 1u;
        if (tx->events[i] == id && tc == (dir == APP_DIR_TOCLIENT)) {
            return true;
        }
    }
    return false;
}

void app_flow_event(AppFlow *af, uint32_t framework_ev)
{
    for (uint32_t i = 0; i < af->n_events; i++) {
        if (af->events[i] == framework_ev) {
            return;
        }
    }
    if (af->n_events < APP_FLOW_EVENTS_MAX) {
        af->events[af->n_events++] = (AppEventId)framework_ev;
    }
}

static const AppParserDesc *tx_row(const AppTx *tx)
{
    return app_parser_row(tx->proto);
}

static void tx_release(AppFlow *af, AppTx *tx)
{
    if (tx->detect_state != NULL && g_app_cfg.detect_state_free != NULL) {
        g_app_cfg.detect_state_free(tx->detect_state);
    }
    const AppParserDesc *row = tx_row(tx);
    bool was_old = af->is_mem_old;
    af->is_mem_old = (tx->flags & APP_TX_F_OLD_PARSER) != 0;  // charged to the old protocol
    if (row != NULL && row->tx_free != NULL) {
        row->tx_free(af->is_mem_old ? af->old_state : af->state, tx);
    }
    app_mem_release(af, tx->alloc_bytes);
    af->is_mem_old = was_old;
    free(tx);
}

static bool tx_dir_complete(const AppTx *tx, const AppParserDesc *row, uint8_t dir)
{
    uint32_t force = dir == APP_DIR_TOSERVER ? APP_TX_F_FORCE_DONE_TS : APP_TX_F_FORCE_DONE_TC;
    return (tx->flags & force) || (row != NULL && tx->progress[dir] >= row->complete[dir]);
}

/* Done with tx: complete both ways, inspected (when rules exist), logged, files done. */
static bool tx_freeable(const AppFlow *af, const AppTx *tx)
{
    const AppParserDesc *row = tx_row(tx);
    if (!tx_dir_complete(tx, row, 0) || !tx_dir_complete(tx, row, 1)) {
        return false;
    }
    if (tx->flags & (APP_TX_F_PENDING_TS | APP_TX_F_PENDING_TC)) {
        return false;
    }
    const AppProtoCfg *pc = app_proto_cfg(tx->proto);
    bool ended = (af->flags & APP_FLOW_F_ENDED) != 0;
    if ((tx->flags & APP_TX_F_FW_HOLD) && !ended) {
        return false;
    }
    if (atomic_load_explicit(&pc->has_rules, memory_order_relaxed) && !ended &&
        (tx->flags & (APP_TX_F_INSPECTED_TS | APP_TX_F_INSPECTED_TC)) !=
            (APP_TX_F_INSPECTED_TS | APP_TX_F_INSPECTED_TC)) {
        return false;
    }
    if (!ended && (tx->logged & pc->logger_mask) != pc->logger_mask) {
        return false;
    }
    return true;
}

static void free_finished(AppFlow *af)
{
    uint32_t keep = 0;
    for (uint32_t i = 0; i < af->n_txs; i++) {
        AppTx *tx = af->txs[i];
        if (tx_freeable(af, tx)) {
            tx_release(af, tx);
        } else {
            af->txs[keep++] = tx;
        }
    }
    af->n_txs = keep;
}

void app_flow_packet_publish(AppFlow *af)
{
    /* no-inspection starts with the packet after the one whose data asked for it */
    if (af->flags & APP_FLOW_F_NO_INSPECT_ARMED) {
        af->flags |= APP_FLOW_F_NO_INSPECT;
    } else if (af->flags & APP_FLOW_F_NO_INSPECT_SOON) {
        af->flags |= APP_FLOW_F_NO_INSPECT_ARMED;
    }
    if (af->row != NULL && app_tls_counters != NULL) {
        AppProtoCfg *pc = app_proto_cfg(af->row->proto);
        uint64_t now = atomic_load_explicit(&pc->memuse, memory_order_relaxed);
        counters_max(app_tls_counters, pc->c_memuse_peak, now);
    }
    app_frames_prune(af);
    uint32_t keep = 0;
    for (uint32_t i = 0; i < af->n_txs; i++) {
        AppTx *tx = af->txs[i];
        if (tx_freeable(af, tx)) {
            tx_release(af, tx);
            continue;
        }
        uint32_t pend = tx->flags & (APP_TX_F_PENDING_TS | APP_TX_F_PENDING_TC);
        tx->flags &= ~(APP_TX_F_UPDATED_TS | APP_TX_F_UPDATED_TC | APP_TX_F_PENDING_TS |
                       APP_TX_F_PENDING_TC);
        tx->flags |= pend >> 6; // PENDING_x -> UPDATED_x
        af->txs[keep++] = tx;
    }
    af->n_txs = keep;
}

static void force_done(AppFlow *af, uint8_t dir_mask)
{
    for (uint32_t i = 0; i < af->n_txs; i++) {
        AppTx *tx = af->txs[i];
        const AppParserDesc *row = tx_row(tx);
        for (uint8_t d = 0; d < 2; d++) {
            if ((dir_mask & (1u << d)) && !tx_dir_complete(tx, row, d)) {
                tx->flags |= d == 0 ? APP_TX_F_FORCE_DONE_TS : APP_TX_F_FORCE_DONE_TC;
                app_tx_touch(tx, d);
            }
        }
    }
}

void app_flow_free(void *p)
{
    AppFlow *af = p;
    if (af == NULL) {
        return;
    }
    for (uint32_t i = 0; i < af->n_txs; i++) {
        tx_release(af, af->txs[i]);
    }
    free(af->txs);
    app_frames_free(af);         // releases its charge: before the flow's is settled
    if (af->row != NULL && af->state != NULL) {
        af->row->state_free(af->state);
    }
    if (af->old_row != NULL && af->old_state != NULL) {
        af->is_mem_old = true;  // the instance before a tunnel: charged to its protocol
        af->old_row->state_free(af->old_state);
        af->is_mem_old = false;
    }
    if (af->memuse != 0 && af->row != NULL) {
        atomic_fetch_sub(&app_proto_cfg(af->row->proto)->memuse, af->memuse);
    }
    if (af->old_memuse != 0 && af->old_row != NULL) {
        atomic_fetch_sub(&app_proto_cfg(af->old_row->proto)->memuse, af->old_memuse);
    }
    free(af->held[0]);
    free(af->held[1]);
    free(af);
}

/* ---- parsing ---- */

static void stop_dir(AppFlow *af, uint8_t dir)
{
    af->flags |= dir == 0 ? APP_FLOW_F_STOP_TS : APP_FLOW_F_STOP_TC;
    force_done(af, (uint8_t)(1u << dir));
}

static void redetect(AppFlow *af, uint8_t dir, const uint8_t *data, uint32_t len);

static void parse(AppFlow *af, uint8_t dir, const uint8_t *data, uint32_t len)
{
    uint16_t stop = dir == 0 ? APP_FLOW_F_STOP_TS : APP_FLOW_F_STOP_TC;
    if (af->row == NULL || af->state == NULL || (af->flags & stop) || len == 0) {
        return;
    }
    uint32_t consumed = len;
    af->parse_dir = dir;
    app_frames_data(af, dir, data, len);
    af->parsed_off[dir] += len;
    int64_t sim = g_app_cfg.sim_error_offset_ts;
    int rc;
    if (sim >= 0 && dir == APP_DIR_TOSERVER && (uint64_t)sim < af->seen[dir] &&
        (uint64_t)sim >= af->seen[dir] - len) {
        rc = APP_PARSE_ERROR;  // test hook (--simulate-applayer-error-at-offset-ts)
    } else if (!prof_enabled) {
        rc = af->row->parse(af, af->state, dir, data, len, &consumed);
    } else {
        uint64_t t0 = prof_ticks();
        rc = af->row->parse(af, af->state, dir, data, len, &consumed);
        if (af->row->proto < PROF_APP_MAX) {
            prof_sub_end(PROF_SUB_APP_FIRST + af->row->proto, af->row->name, t0);
        }
    }
    if (rc == APP_PARSE_ERROR) {
        app_count(app_proto_cfg(af->row->proto)->c_errors, 1);
        af->flags |= APP_FLOW_F_ERROR | APP_FLOW_F_ERROR_NEW;
        stop_dir(af, 0);
        stop_dir(af, 1);
    } else if (rc == APP_PARSE_TUNNEL) {
        consumed = consumed > len ? len : consumed;
        redetect(af, dir, data + consumed, len - consumed);
    }
}

/* The parser handed the connection over (CONNECT, Upgrade): the rest of the data goes
 * through detection again and, once known, to a new parser instance (as Suricata: the
 * flow's app_proto becomes the tunnelled protocol, app_proto_orig the old one, and the
 * new instance numbers its txs from 0 again). The old instance is kept, stopped, for its
 * txs until they are freed. One change per flow: a tunnel inside the tunnel is detected
 * but not parsed. */
static void redetect(AppFlow *af, uint8_t dir, const uint8_t *data, uint32_t len)
{
    af->orig = af->row->proto;
    af->flags |= APP_FLOW_F_STOP_TS | APP_FLOW_F_STOP_TC;
    force_done(af, 3);
    if (af->old_row == NULL) {
        for (uint32_t i = 0; i < af->n_txs; i++) {
            af->txs[i]->flags |= APP_TX_F_OLD_PARSER;
        }
        af->old_row = af->row;
        af->old_state = af->state;
        af->old_memuse = af->memuse;  // stays charged to the old protocol until freed
        af->memuse = 0;
        af->row = NULL;
        af->state = NULL;
        af->flags &= (uint16_t)~(APP_FLOW_F_STOP_TS | APP_FLOW_F_STOP_TC);
    }
    af->det[0] = af->det[1] = APP_DET_UNKNOWN;
    af->proto_dir[0] = af->proto_dir[1] = APP_PROTO_UNKNOWN;
    af->held_len[0] = af->held_len[1] = 0;
    af->flags |= APP_FLOW_F_TUNNEL;
    if (len > 0) {
        app_flow_data(af, dir, data, len);
    }
}

/* ---- detection ---- */

static bool held_append(AppFlow *af, uint8_t dir, const uint8_t *data, uint32_t len,
                        uint32_t *taken)
{
    uint32_t cap = g_app_cfg.detect_max_bytes;
    uint32_t room = cap - af->held_len[dir];
    uint32_t n = len < room ? len : room;
    if (af->held[dir] == NULL) {
        af->held[dir] = malloc(cap);
        if (af->held[dir] == NULL) {
            return false;
        }
        af->held_cap[dir] = cap;
    }
    memcpy(af->held[dir] + af->held_len[dir], data, n);
    af->held_len[dir] += n;
    *taken = n;
    return true;
}

static void held_free(AppFlow *af)
{
    for (int d = 0; d < 2; d++) {
        free(af->held[d]);
        af->held[d] = NULL;
        af->held_len[d] = 0;
        af->held_cap[d] = 0;
    }
}

void app_flow_expect(AppFlow *af, AppProto p)
{
    af->expect = p;
}

/* A hand-over announced TLS (STARTTLS) and the connection went on in got instead. */
static void check_expected(AppFlow *af, AppProto got)
{
    if ((af->flags & APP_FLOW_F_TUNNEL) && af->expect == APP_PROTO_TLS && got != APP_PROTO_TLS) {
        app_flow_event(af, APP_EV_NO_TLS_AFTER_STARTTLS);
    }
}

static void set_failed(AppFlow *af)
{
    check_expected(af, APP_PROTO_FAILED);
    if (af->flags & APP_FLOW_F_TUNNEL) {
        /* nothing known spoke in the tunnel: app_proto "failed", app_proto_orig stays */
        af->f->app_proto = APP_PROTO_FAILED;
        af->det[0] = af->det[1] = APP_DET_FAILED;
        held_free(af);
        return;
    }
    af->f->app_proto = APP_PROTO_FAILED;
    af->det[0] = af->det[1] = APP_DET_FAILED;
    app_count(g_app_cfg.c_flows_failed, 1);
    held_free(af);
}

/* Protocol known: start its parser and replay what was held, the side that speaks first
 * first; rest is the part of the current data of dir not held. */
static void start_parser(AppFlow *af, AppProto proto, uint8_t dir, const uint8_t *rest,
                         uint32_t rest_len)
{
    const AppParserDesc *row = app_parser_row(proto);
    AppProtoCfg *pc = app_proto_cfg(proto);
    bool tunnel = (af->flags & APP_FLOW_F_TUNNEL) != 0;
    check_expected(af, proto);
    af->f->app_proto = proto;
    af->det[0] = af->det[1] = APP_DET_DONE;
    uint8_t o = (uint8_t)(1 - dir);
    if (!tunnel && af->seen[o] == 0 && af->held_len[o] == 0) {
        af->det[o] = APP_DET_CONFIRM;
    }
    /* Counted when detected, as Suricata: a detection-only protocol too. */
    if (row != NULL) {
        app_count(af->f != NULL && af->f->key.proto == 17 ? pc->c_flows_udp : pc->c_flows, 1);
    }
    /* a second tunnel (the old instance is still kept) is detected, not parsed */
    if (row == NULL || pc->enabled != APP_ENABLED_YES || (tunnel && af->row != NULL) ||
        (tunnel && (af->flags & (APP_FLOW_F_STOP_TS | APP_FLOW_F_STOP_TC)))) {
        held_free(af);
        return;
    }
    if (tunnel) {
        /* the old instance's txs that are done go now, so the new instance's ids can
         * start from 0 (ids stay increasing along the list) */
        free_finished(af);
        if (af->n_txs == 0) {
            af->next_tx_id = 0;
        }
    }
    af->row = row;
    af->state = row->state_new(af);
    if (af->state == NULL) {
        af->flags |= APP_FLOW_F_STOP_TS | APP_FLOW_F_STOP_TC;
        held_free(af);
        return;
    }
    uint8_t first = row->first_dir;
    if (!row->any_first_dir && !(af->flags & APP_FLOW_F_REVERSED) && af->held_len[first] == 0 &&
        af->seen[first] == 0 &&
        af->held_len[1 - first] > 0 &&
        af->f->key.proto == 6) {
        app_flow_event(af, APP_EV_WRONG_DIRECTION_FIRST_DATA);
    }
    uint8_t order[2] = {first, (uint8_t)(1 - first)};
    uint8_t *held[2] = {af->held[0], af->held[1]};
    uint32_t held_len[2] = {af->held_len[0], af->held_len[1]};
    af->held[0] = af->held[1] = NULL;
    af->held_len[0] = af->held_len[1] = 0;
    for (int i = 0; i < 2; i++) {
        uint8_t d = order[i];
        parse(af, d, held[d], held_len[d]);
        if (d == dir && rest_len > 0) {
            parse(af, d, rest, rest_len);
        }
    }
    free(held[0]);
    free(held[1]);
}

/* UDP flows may start with the server's answer (LLMNR responses come unicast from port
 * 5355 to the asker's port): its source port hints too. */
static uint16_t udp_client_port(const AppFlow *af)
{
    return af->f->key.proto == 17 ? af->f->key.sp : 0;
}

/* Whether the first data of dir may show the flow reversed: a TCP session picked up
 * midstream, its to-server side's first data, nothing from the other side yet, not a
 * tunnel, not at flow end (no packet is left to swap the flow on) (Suricata reverses such
 * flows when the data is the other direction's protocol). */
static bool may_reverse(const AppFlow *af, uint8_t dir)
{
    const Flow *f = af->f;
    return dir == APP_DIR_TOSERVER && f->key.proto == 6 &&
           !(af->flags & (APP_FLOW_F_TUNNEL | APP_FLOW_F_REVERSED | APP_FLOW_F_ENDED)) &&
           af->seen[APP_DIR_TOCLIENT] == 0 && af->held_len[APP_DIR_TOCLIENT] == 0 &&
           af->det[APP_DIR_TOCLIENT] == APP_DET_UNKNOWN && stream_flow_is_midstream(f);
}

#define APP_SWAP(type, a, b)                                                                       \
    do {                                                                                           \
        type t_ = (a);                                                                             \
        (a) = (b);                                                                                 \
        (b) = t_;                                                                                  \
    } while (0)

static uint16_t swap_flag_pair(uint16_t flags, uint16_t ts, uint16_t tc)
{
    uint16_t out = (uint16_t)(flags & ~(ts | tc));
    return (uint16_t)(out | ((flags & ts) ? tc : 0) | ((flags & tc) ? ts : 0));
}

static void swap_sides(AppFlow *af)
{
    APP_SWAP(uint8_t *, af->held[0], af->held[1]);
    APP_SWAP(uint32_t, af->held_len[0], af->held_len[1]);
    APP_SWAP(uint32_t, af->held_cap[0], af->held_cap[1]);
    APP_SWAP(uint64_t, af->seen[0], af->seen[1]);
    APP_SWAP(uint64_t, af->stream_off[0], af->stream_off[1]);
    APP_SWAP(uint64_t, af->parsed_off[0], af->parsed_off[1]);
    APP_SWAP(uint64_t, af->enc_off[0], af->enc_off[1]);
    APP_SWAP(uint64_t, af->seen_tunnel[0], af->seen_tunnel[1]);
    APP_SWAP(uint8_t, af->det[0], af->det[1]);
    APP_SWAP(AppProto, af->proto_dir[0], af->proto_dir[1]);
    af->flags = swap_flag_pair(af->flags, APP_FLOW_F_STOP_TS, APP_FLOW_F_STOP_TC);
    af->flags = swap_flag_pair(af->flags, APP_FLOW_F_EOF_TS, APP_FLOW_F_EOF_TC);
    af->flags = swap_flag_pair(af->flags, APP_FLOW_F_GAP_TS, APP_FLOW_F_GAP_TC);
}

uint8_t app_flow_stream_dir(const AppFlow *af, uint8_t dir)
{
    return (af->flags & APP_FLOW_F_REVERSE) ? (uint8_t)(dir ^ 1u) : dir;
}

void app_flow_reverse(AppFlow *af, Packet *p)
{
    if (!(af->flags & APP_FLOW_F_REVERSE)) {
        return;
    }
    af->flags &= (uint16_t)~APP_FLOW_F_REVERSE;
    flow_swap_direction(af->f);
    stream_flow_swap(af->f);
    if (p != NULL && p->flow == af->f) {
        uint32_t d = p->flags & (PKT_F_TOSERVER | PKT_F_TOCLIENT);
        p->flags &= ~(uint32_t)(PKT_F_TOSERVER | PKT_F_TOCLIENT);
        p->flags |= d == PKT_F_TOSERVER ? PKT_F_TOCLIENT : d == PKT_F_TOCLIENT ? PKT_F_TOSERVER : d;
        if (p->stream_data != NULL) {
            p->stream_flags ^= PKT_STREAM_TOSERVER;
        }
    }
}

static void detect_dir(AppFlow *af, uint8_t dir, const uint8_t *data, uint32_t len)
{
    uint32_t taken = 0;
    if (!held_append(af, dir, data, len, &taken)) {
        set_failed(af);
        return;
    }
    bool more = false;
    /* a connection announced on another one (FTP data) is that protocol from its start;
     * so is a tunnel its parser announced (HTTP Upgrade: websocket), except TLS after
     * STARTTLS, which detection must confirm. The announcements are looked up once, on
     * the flow's first data, either way: a lookup waits for the packet order, and one on
     * every chunk while detection was undecided made most of the threaded runmodes'
     * waits. Suricata too looks once (per direction, each expectation for one). */
    AppProto p = APP_PROTO_UNKNOWN;
    if (!(af->flags & APP_FLOW_F_TUNNEL) && !af->is_expect_done) {
        af->is_expect_done = true;
        p = app_expect_proto(af->f);
    }
    if ((af->flags & APP_FLOW_F_TUNNEL) && af->expect != APP_PROTO_UNKNOWN &&
        af->expect != APP_PROTO_TLS) {
        p = af->expect;
    }
    if (p == APP_PROTO_UNKNOWN) {
        p = app_detect_proto_ports(af->f->key.proto, af->f->key.dp, udp_client_port(af), dir,
                                   af->held[dir], af->held_len[dir], &more);
    }
    if (may_reverse(af, dir)) {
        bool more_r = false;
        AppProto r = APP_PROTO_UNKNOWN;
        if (p == APP_PROTO_UNKNOWN) {
            r = app_detect_proto(af->f->key.proto, af->f->key.sp, APP_DIR_TOCLIENT,
                                 af->held[dir], af->held_len[dir], &more_r);
        } else {
            /* the protocol's replies on the to-server side: the flow is the other way */
            const AppParserDesc *row = app_parser_row(p);
            if (row != NULL && row->is_reply != NULL &&
                row->is_reply(af->held[dir], af->held_len[dir])) {
                r = p;
            }
        }
        if (r != APP_PROTO_UNKNOWN) {
            /* this AppFlow's sides now; the flow, the session and the packet once the
             * stream stage is done with the packet (app_flow_reverse); until then the
             * stream's directions are the other way round (app_flow_stream_dir) */
            af->flags |= APP_FLOW_F_REVERSE | APP_FLOW_F_REVERSED;
            swap_sides(af);
            af->proto_dir[APP_DIR_TOCLIENT] = r;
            start_parser(af, r, APP_DIR_TOCLIENT, data + taken, len - taken);
            return;
        }
        more = more || more_r;
    }
    if (p != APP_PROTO_UNKNOWN) {
        af->proto_dir[dir] = p;
        AppProto other = af->proto_dir[1 - dir];
        if (other != APP_PROTO_UNKNOWN && other != p) {
            app_flow_event(af, APP_EV_MISMATCH_BOTH_DIRECTIONS);
            app_count(g_app_cfg.c_detect_mismatch, 1);
            p = other;
        }
        start_parser(af, p, dir, data + taken, len - taken);
        return;
    }
    if (!more || af->held_len[dir] >= g_app_cfg.detect_max_bytes) {
        if (more) {
            app_count(g_app_cfg.c_detect_giveup, 1);
        }
        af->det[dir] = APP_DET_FAILED;
        uint8_t o = (uint8_t)(1 - dir);
        uint16_t eof_o = o == 0 ? APP_FLOW_F_EOF_TS : APP_FLOW_F_EOF_TC;
        if (af->det[o] == APP_DET_FAILED || (af->flags & eof_o)) {
            set_failed(af);
        }
    }
}

/* The first data of the side that did not decide the protocol is matched too (as
 * Suricata detects each direction): another protocol there raises
 * applayer.mismatch_protocol_both_directions and shows as app_proto_ts/_tc, while the
 * data still goes to the flow's parser. Nothing recognised counts as agreement. */
static void confirm_dir(AppFlow *af, uint8_t dir, const uint8_t *data, uint32_t len)
{
    bool more = false;
    af->det[dir] = APP_DET_DONE;
    if (app_detect_proto_accepts(af->f->app_proto, af->f->key.proto, af->f->key.dp, dir, data,
                                 len)) {
        return;                  // its own data, whatever else would take it
    }
    AppProto p = app_detect_proto(af->f->key.proto, af->f->key.dp, dir, data, len, &more);
    if (p == APP_PROTO_UNKNOWN || p == af->f->app_proto) {
        return;
    }
    af->proto_dir[dir] = p;
    app_flow_event(af, APP_EV_MISMATCH_BOTH_DIRECTIONS);
    app_count(g_app_cfg.c_detect_mismatch, 1);
}

void app_flow_data(AppFlow *af, uint8_t dir, const uint8_t *data, uint32_t len)
{
    if (len == 0 || dir > 1) {
        return;
    }
    /* Line ends left behind the request that opened a tunnel are its framing (HTTP
     * parsers skip blank lines between messages), not the tunnel's first bytes. */
    if ((af->flags & APP_FLOW_F_TUNNEL) && af->det[dir] == APP_DET_UNKNOWN &&
        af->held_len[dir] == 0 && af->seen_tunnel[dir] == 0 && dir == APP_DIR_TOSERVER) {
        while (len > 0 && (data[0] == '\r' || data[0] == '\n')) {
            data++;
            len--;
        }
        if (len == 0) {
            return;
        }
    }
    if (af->flags & APP_FLOW_F_TUNNEL) {
        af->seen_tunnel[dir] += len;
    }
    if (af->det[dir] == APP_DET_UNKNOWN) {
        af->seen[dir] += len;
        detect_dir(af, dir, data, len);
        return;
    }
    if (af->det[dir] == APP_DET_CONFIRM) {
        confirm_dir(af, dir, data, len);
    }
    af->seen[dir] += len;
    parse(af, dir, data, len);
}

void app_flow_gap(AppFlow *af, uint8_t dir)
{
    app_flow_gap_len(af, dir, 0);
}

void app_flow_gap_len(AppFlow *af, uint8_t dir, uint32_t len)
{
    if (dir > 1) {
        return;
    }
    af->flags |= dir == 0 ? APP_FLOW_F_GAP_TS : APP_FLOW_F_GAP_TC;
    if (af->det[dir] == APP_DET_UNKNOWN) {
        /* No detection across a gap. */
        af->det[dir] = APP_DET_FAILED;
        if (af->det[1 - dir] != APP_DET_UNKNOWN || af->seen[1 - dir] == 0) {
            if (af->f->app_proto == APP_PROTO_UNKNOWN) {
                set_failed(af);
            }
        }
        return;
    }
    if (af->row == NULL) {
        return;
    }
    app_frames_gap(af, dir, len);
    af->parsed_off[dir] += len;
    uint16_t stop = dir == 0 ? APP_FLOW_F_STOP_TS : APP_FLOW_F_STOP_TC;
    if (af->flags & stop) {
        return;
    }
    app_count(app_proto_cfg(af->row->proto)->c_gaps, 1);
    af->parse_dir = dir;
    if (af->state != NULL && len > 0 && af->row->gap_len != NULL) {
        if (af->row->gap_len(af, af->state, dir, len) == APP_PARSE_OK) {
            return;
        }
    } else if (af->state != NULL && af->row->gap != NULL &&
               af->row->gap(af, af->state, dir) == APP_PARSE_OK) {
        return;
    }
    stop_dir(af, dir);
}

void app_flow_eof(AppFlow *af, uint8_t dir)
{
    if (dir > 1) {
        return;
    }
    uint16_t eof = dir == 0 ? APP_FLOW_F_EOF_TS : APP_FLOW_F_EOF_TC;
    if (af->flags & eof) {
        force_done(af, (uint8_t)(1u << dir));
        return;
    }
    af->flags |= eof;
    app_frames_eof(af, dir);
    if (af->det[dir] == APP_DET_UNKNOWN && af->seen[dir] > 0) {
        af->det[dir] = APP_DET_FAILED;
        if (af->det[1 - dir] == APP_DET_FAILED ||
            (af->seen[1 - dir] == 0 && (af->flags & (APP_FLOW_F_EOF_TS | APP_FLOW_F_EOF_TC)) ==
                                           (APP_FLOW_F_EOF_TS | APP_FLOW_F_EOF_TC))) {
            set_failed(af);
        }
    } else if (af->det[dir] == APP_DET_UNKNOWN && af->det[1 - dir] == APP_DET_FAILED) {
        set_failed(af);
    }
    if (af->row != NULL && af->state != NULL && af->row->eof != NULL) {
        af->parse_dir = dir;
        af->row->eof(af, af->state, dir);
    }
    force_done(af, (uint8_t)(1u << dir));
}

void app_flow_end(AppFlow *af)
{
    /* TCP sessions still hand over their last data and close notices (the stream
     * engine's flow-end flush); ending the parser before would lose that data. */
    af->flags |= APP_FLOW_F_ENDED;
    if (af->f->key.proto == 6 && af->f->protoctx != NULL) {
        force_done(af, 3);
        return;
    }
    app_flow_eof(af, 0);
    app_flow_eof(af, 1);
    force_done(af, 3);
}

/* ---- queries (app-layer.h) ---- */

AppProto app_layer_flow_proto(const Flow *f)
{
    return f->app_proto;
}

AppProto app_layer_flow_proto_dir(const Flow *f, uint8_t dir)
{
    const AppFlow *af = app_flow_get(f);
    return (af != NULL && dir < 2) ? af->proto_dir[dir] : APP_PROTO_UNKNOWN;
}

bool app_layer_flow_dir_seen(const Flow *f, uint8_t dir)
{
    const AppFlow *af = app_flow_get(f);
    return af != NULL && dir < 2 && af->seen[dir] > 0;
}

bool app_layer_flow_no_inspection(const Flow *f)
{
    const AppFlow *af = app_flow_get(f);
    return af != NULL && (af->flags & APP_FLOW_F_NO_INSPECT) != 0;
}

void app_flow_encrypted(AppFlow *af, uint8_t mode)
{
    if (mode != APP_ENC_FULL && !(af->flags & APP_FLOW_F_NO_INSPECT_SOON)) {
        af->flags |= APP_FLOW_F_NO_INSPECT_SOON;
        /* What was delivered until now is the clear part (the handshake, up to the
         * chunk that ended it): raw stream inspection still looks at it, later. */
        af->enc_off[0] = af->stream_off[0];
        af->enc_off[1] = af->stream_off[1];
    }
    if (mode == APP_ENC_BYPASS) {
        flow_bypass(af->f);   // from the next packet on (the stream stage holds the lock)
    }
}

bool app_layer_flow_stream_clear(const Flow *f, uint8_t dir, uint64_t off, uint32_t len)
{
    const AppFlow *af = app_flow_get(f);
    if (af == NULL || !(af->flags & APP_FLOW_F_NO_INSPECT)) {
        return true;
    }
    return dir < 2 && off + len <= af->enc_off[dir];
}

int app_enc_mode_config(const struct Conf *conf, const char *proto, uint8_t *mode)
{
    char key[96];
    snprintf(key, sizeof(key), "app-layer.protocols.%s.encryption-handling", proto);
    const ConfNode *n = conf != NULL ? conf_get_node(conf, NULL, key) : NULL;
    *mode = APP_ENC_DEFAULT;
    if (n == NULL || n->value == NULL || strcmp(n->value, "default") == 0) {
        return 0;
    }
    if (strcmp(n->value, "full") == 0) {
        *mode = APP_ENC_FULL;
        return 0;
    }
    if (strcmp(n->value, "bypass") == 0) {
        *mode = APP_ENC_BYPASS;
        return 0;
    }
    VG_ERROR("%s:%d: %s: '%s' is not default, bypass or full", n->file ? n->file : "--set",
             n->line, key, n->value);
    return VG_EINVAL;
}

AppProto app_layer_flow_proto_orig(const Flow *f)
{
    const AppFlow *af = app_flow_get(f);
    return af != NULL ? af->orig : APP_PROTO_UNKNOWN;
}

uint32_t app_layer_tx_count(const Flow *f)
{
    const AppFlow *af = app_flow_get(f);
    return af != NULL ? af->n_txs : 0;
}

uint64_t app_layer_tx_next_id(const Flow *f)
{
    const AppFlow *af = app_flow_get(f);
    return af != NULL ? af->next_tx_id : 0;
}

AppTx *app_layer_tx_at(const Flow *f, uint32_t idx)
{
    const AppFlow *af = app_flow_get(f);
    return (af != NULL && idx < af->n_txs) ? af->txs[idx] : NULL;
}

AppTx *app_layer_tx_by_id(const Flow *f, uint64_t id)
{
    const AppFlow *af = app_flow_get(f);
    if (af == NULL) {
        return NULL;
    }
    /* ids increase along the list: binary search. */
    uint32_t lo = 0;
    uint32_t hi = af->n_txs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint64_t mid_id = af->txs[mid]->id;
        if (mid_id == id) {
            return af->txs[mid];
        }
        if (mid_id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

bool app_layer_tx_complete(const Flow *f, const AppTx *tx, uint8_t dir)
{
    (void)f;
    return dir < 2 && tx_dir_complete(tx, tx_row(tx), dir);
}

AppProto app_layer_tx_proto(const Flow *f, const AppTx *tx)
{
    (void)f;
    return tx->proto;
}

uint32_t app_layer_flow_events(const Flow *f, const AppEventId **ids)
{
    const AppFlow *af = app_flow_get(f);
    *ids = af != NULL ? af->events : NULL;
    return af != NULL ? af->n_events : 0;
}

bool app_layer_tx_log_json(const Flow *f, uint64_t tx_id, JsonBuf *jb)
{
    const AppTx *tx = app_layer_tx_by_id(f, tx_id);
    const AppParserDesc *row = tx ? tx_row(tx) : NULL;
    if (row == NULL || row->log_json == NULL) {
        return false;
    }
    row->log_json(f, tx, jb);
    return true;
}

const AppFile *app_layer_tx_file_at(const Flow *f, const AppTx *tx, uint8_t dir, uint32_t idx)
{
    (void)f;
    const AppParserDesc *row = tx_row(tx);
    if (row == NULL || row->tx_file_at == NULL || dir > 1 || idx >= tx->n_files[dir]) {
        return NULL;
    }
    return row->tx_file_at(tx, dir, idx);
}

AppTx *app_layer_tx_sub(const Flow *f, const AppTx *tx, uint32_t idx)
{
    (void)f;
    const AppParserDesc *row = tx != NULL ? tx_row(tx) : NULL;
    return row != NULL && row->tx_sub != NULL && idx < APP_TX_SUB_MAX ? row->tx_sub(tx, idx)
                                                                       : NULL;
}

void app_layer_flow_end(Flow *f)
{
    AppFlow *af = app_flow_get(f);
    if (af != NULL) {
        app_flow_end(af);
    }
}

uint32_t app_layer_anomalies_take(const Flow *f, AppTx *tx, const AppEventId **ids)
{
    if (tx != NULL) {
        uint32_t n = tx->n_events < APP_TX_EVENTS_MAX ? tx->n_events : APP_TX_EVENTS_MAX;
        uint32_t from = tx->n_events_logged;
        tx->n_events_logged = (uint8_t)n;
        *ids = tx->events + from;
        return n > from ? n - from : 0;
    }
    AppFlow *af = app_flow_get(f);
    if (af == NULL) {
        *ids = NULL;
        return 0;
    }
    uint32_t from = af->n_events_logged;
    af->n_events_logged = af->n_events;
    *ids = af->events + from;
    return af->n_events > from ? af->n_events - from : 0;
}

bool app_layer_file_logable(const Flow *f, const AppTx *tx, const AppFile *file)
{
    if (file->state == APP_FILE_OPEN) {
        return false;
    }
    const AppFlow *af = app_flow_get(f);
    if (af == NULL || (af->flags & APP_FLOW_F_ENDED) ||
        !atomic_load_explicit(&app_proto_cfg(tx->proto)->has_rules, memory_order_relaxed)) {
        return true;
    }
    uint32_t done = file->dir == APP_DIR_TOSERVER ? APP_TX_F_INSPECTED_TS : APP_TX_F_INSPECTED_TC;
    return (tx->flags & done) != 0;
}
