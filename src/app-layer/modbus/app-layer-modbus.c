/* Modbus/TCP: the parser row, framing, transactions and the EVE object.
 *
 * Each ADU is the 7-byte MBAP header and length - 1 more bytes; a direction's ADU in
 * progress is kept in a fixed 260-byte buffer. A header announcing more than 260 bytes
 * raises invalid_length and its bytes are skipped without being kept. A request opens
 * a tx; a response completes the oldest tx waiting with its transaction id (none:
 * unsolicited_response, a tx of its own). More than request-flood (500) waiting
 * requests raises flooded once; beyond ModbusState's cap the oldest is given up. */
#include "app-layer/modbus/app-layer-modbus.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "conf/conf.h"
#include "util/util-byte.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define MODBUS_PENDING_MAX 1024

typedef struct ModbusDir {
    uint8_t buf[MODBUS_ADU_MAX];
    uint32_t len;
    uint32_t skip;               // bytes of an oversized ADU still to skip
} ModbusDir;

typedef struct ModbusState {
    AppFlow *af;
    ModbusDir dir[2];
    ModbusTx **pending;          // requests waiting for responses, oldest first (owned
    uint32_t n_pending;          // array; the txs belong to the flow)
    uint32_t cap_pending;
    bool is_flooded;
} ModbusState;

const char *const modbus_event_names[MODBUS_EV_N] = {
    "invalid_protocol_id",
    "unsolicited_response",
    "invalid_length",
    "invalid_unit_identifier",
    "invalid_function_code",
    "invalid_value",
    "invalid_exception_code",
    "value_mismatch",
    "flooded",
};

static uint32_t g_flood = MODBUS_DEFAULT_FLOOD;

const ModbusTx *modbus_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_MODBUS ? (const ModbusTx *)tx : NULL;
}

/* ---- state ---- */

static void *modbus_state_new(AppFlow *af)
{
    ModbusState *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return NULL;
    }
    if (!app_mem_charge(af, sizeof(*st))) {
        free(st);
        return NULL;
    }
    st->af = af;
    return st;
}

static void modbus_state_free(void *state)
{
    ModbusState *st = state;
    if (st == NULL) {
        return;
    }
    app_mem_release(st->af, sizeof(*st) + (uint64_t)st->cap_pending * sizeof(ModbusTx *));
    free(st->pending);
    free(st);
}

static void pending_remove(ModbusState *st, uint32_t i)
{
    memmove(&st->pending[i], &st->pending[i + 1],
            (st->n_pending - i - 1) * sizeof(st->pending[0]));
    st->n_pending--;
}

static void modbus_tx_free(void *state, AppTx *tx)
{
    ModbusState *st = state;
    for (uint32_t i = 0; st != NULL && i < st->n_pending; i++) {
        if (&st->pending[i]->tx == tx) {
            pending_remove(st, i);
            break;
        }
    }
}

static void raise_events(ModbusState *st, ModbusTx *t, uint32_t evs)
{
    for (uint32_t e = 0; e < MODBUS_EV_N; e++) {
        if (evs & (1u << e)) {
            app_tx_event(st->af, &t->tx, e);
        }
    }
}

static void complete(ModbusTx *t)
{
    t->tx.progress[0] = t->tx.progress[1] = MODBUS_PROG_DONE;
    app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
}

static bool pending_add(ModbusState *st, ModbusTx *t)
{
    if (st->n_pending == MODBUS_PENDING_MAX) {
        complete(st->pending[0]);     // given up: nothing waits for its response now
        pending_remove(st, 0);
    }
    if (st->n_pending == st->cap_pending) {
        uint32_t ncap = st->cap_pending == 0 ? 8 : st->cap_pending * 2;
        if (!app_mem_charge(st->af, (uint64_t)(ncap - st->cap_pending) * sizeof(ModbusTx *))) {
            return false;
        }
        ModbusTx **np = realloc(st->pending, ncap * sizeof(*np));
        if (np == NULL) {
            app_mem_release(st->af, (uint64_t)(ncap - st->cap_pending) * sizeof(ModbusTx *));
            return false;
        }
        st->pending = np;
        st->cap_pending = ncap;
    }
    st->pending[st->n_pending++] = t;
    return true;
}

static void request(ModbusState *st, const uint8_t *p, uint32_t len)
{
    ModbusTx *t = (ModbusTx *)app_tx_new(st->af, sizeof(ModbusTx));
    if (t == NULL) {
        return;
    }
    uint32_t evs = modbus_msg_parse(p, len, APP_DIR_TOSERVER, &t->msg[0]);
    t->tx.progress[APP_DIR_TOSERVER] = MODBUS_PROG_DONE;
    app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    if (!pending_add(st, t)) {
        complete(t);
    }
    if (!st->is_flooded && g_flood != 0 && st->n_pending > g_flood) {
        st->is_flooded = true;
        evs |= 1u << MODBUS_EV_FLOODED;
    }
    raise_events(st, t, evs);
}

static void response(ModbusState *st, const uint8_t *p, uint32_t len)
{
    ModbusMsg m;
    uint32_t evs = modbus_msg_parse(p, len, APP_DIR_TOCLIENT, &m);
    ModbusTx *t = NULL;
    for (uint32_t i = 0; m.is_present && i < st->n_pending; i++) {
        if (st->pending[i]->msg[0].transaction_id == m.transaction_id) {
            t = st->pending[i];
            pending_remove(st, i);
            break;
        }
    }
    if (t != NULL) {
        evs |= modbus_match_check(&t->msg[0], &m);
    } else {
        t = (ModbusTx *)app_tx_new(st->af, sizeof(ModbusTx));
        if (t == NULL) {
            return;
        }
        evs |= 1u << MODBUS_EV_UNSOLICITED_RESPONSE;
    }
    t->msg[1] = m;
    complete(t);
    raise_events(st, t, evs);
}

/* ---- framing ---- */

static int modbus_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data,
                        uint32_t len, uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    ModbusState *st = state;
    ModbusDir *d = &st->dir[dir];
    while (len > 0) {
        if (d->skip > 0) {
            uint32_t n = d->skip < len ? d->skip : len;
            d->skip -= n;
            data += n;
            len -= n;
            continue;
        }
        uint32_t need = d->len < MODBUS_MBAP_LEN ? MODBUS_MBAP_LEN
                                                  : 6u + util_be16(d->buf + 4);
        if (d->len >= MODBUS_MBAP_LEN && (need > MODBUS_ADU_MAX || need < 8)) {
            ModbusTx *t = (ModbusTx *)app_tx_new(st->af, sizeof(ModbusTx));
            if (t != NULL) {
                (void)modbus_msg_parse(d->buf, MODBUS_MBAP_LEN, dir, &t->msg[dir]);
                complete(t);
                raise_events(st, t, 1u << MODBUS_EV_INVALID_LENGTH);
            }
            d->skip = need > MODBUS_MBAP_LEN ? need - MODBUS_MBAP_LEN : 0;
            d->len = 0;
            continue;
        }
        uint32_t n = need - d->len < len ? need - d->len : len;
        memcpy(d->buf + d->len, data, n);
        d->len += n;
        data += n;
        len -= n;
        if (d->len == need && need > MODBUS_MBAP_LEN) {
            if (dir == APP_DIR_TOSERVER) {
                request(st, d->buf, d->len);
            } else {
                response(st, d->buf, d->len);
            }
            d->len = 0;
        }
    }
    return APP_PARSE_OK;
}

/* Framing is lost in a gap: the direction stops (the framework forces its txs done). */

/* ---- detection and config ---- */

/* An MBAP header: protocol id 0, a length the ADU limit allows, a public function. */
static int modbus_probe(const uint8_t *data, uint32_t len, uint8_t dir)
{
    (void)dir;
    if (len < 8) {
        return len >= 4 && util_be16(data + 2) != 0 ? APP_PROBE_NO : APP_PROBE_MORE;
    }
    uint16_t l = util_be16(data + 4);
    if (util_be16(data + 2) != 0 || l < 2 || l > MODBUS_ADU_MAX - 6) {
        return APP_PROBE_NO;
    }
    uint8_t fc = data[7] & 0x7f;
    return fc != 0 && modbus_function_category(fc) != MODBUS_CAT_RESERVED ? APP_PROBE_YES
                                                                          : APP_PROBE_NO;
}

/* Only on the detection ports (502 by default), as Suricata: an MBAP header is too weak a
 * sign elsewhere. */
static int modbus_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                           uint8_t dir)
{
    return ipproto == 6 && port_hint ? modbus_probe(data, len, dir) : APP_PROBE_NO;
}

static int modbus_config(const struct Conf *conf)
{
    bool bad = false;
    int64_t v = conf_int_or(conf, "app-layer.protocols.modbus.request-flood",
                            MODBUS_DEFAULT_FLOOD, &bad);
    if (bad || v < 0 || v > 0xffffffffLL) {
        VG_ERROR("app-layer.protocols.modbus.request-flood: expected a number "
                 "0..4294967295");
        return VG_EINVAL;
    }
    g_flood = (uint32_t)v;
    return 0;
}

const AppParserDesc app_parser_modbus = {
    .name = "modbus",
    .proto = APP_PROTO_MODBUS,
    .ipproto = 6,
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "502",
    .probe = modbus_probe,
    .probe_ip = modbus_probe_ip,
    .config = modbus_config,
    .state_new = modbus_state_new,
    .state_free = modbus_state_free,
    .parse = modbus_parse,
    .tx_free = modbus_tx_free,
    .complete = {MODBUS_PROG_DONE, MODBUS_PROG_DONE},
    .events = modbus_event_names,
    .n_events = MODBUS_EV_N,
    .log_json = modbus_log_json,
    .eve_generic = true,         // records by output-eve-generic.c
};
