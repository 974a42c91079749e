/* SNMP: the parser row, one tx per datagram, the buffers (snmp.community, snmp.usm) and
 * the EVE object. A datagram that does not decode still makes a tx carrying the event
 * (malformed_data, unknown_security_model) and what was read before the fault; a version
 * other than the flow's first raises version_mismatch. Memory per tx: the fixed SnmpTx
 * plus the names of at most SNMP_VARS_MAX bindings, charged to the snmp memcap. */
#include "app-layer/snmp/app-layer-snmp.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"

const char *const snmp_event_names[SNMP_EV_N] = {
    "malformed_data",
    "unknown_security_model",
    "version_mismatch",
};

typedef struct SnmpState {
    AppFlow *af;
    uint32_t version;            // of the flow's first decoded message (0: none yet)
} SnmpState;

static void *snmp_state_new(AppFlow *af)
{
    SnmpState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void snmp_state_free(void *state)
{
    free(state);
}

static void snmp_tx_free(void *state, AppTx *tx)
{
    SnmpState *st = state;
    SnmpTx *t = (SnmpTx *)tx;
    if (st != NULL && t->mem_bytes != 0) {
        app_mem_release(st->af, t->mem_bytes);
    }
    snmp_msg_deinit(&t->msg);
}

static int snmp_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    (void)consumed;
    SnmpState *st = state;
    if (len == 0) {
        return APP_PARSE_OK;
    }
    SnmpTx *t = (SnmpTx *)app_tx_new(af, sizeof(SnmpTx));
    if (t == NULL) {
        return APP_PARSE_ERROR;
    }
    t->dir = dir;
    t->tx.progress[0] = SNMP_PROG_DONE;
    t->tx.progress[1] = SNMP_PROG_DONE;
    app_tx_touch(&t->tx, dir);
    int ev = snmp_msg_parse(data, len, &t->msg);
    if (t->msg.vars != NULL) {
        uint32_t mem = SNMP_VARS_MAX * SNMP_OID_TEXT_MAX;
        if (app_mem_charge(af, mem)) {
            t->mem_bytes = mem;
        } else {
            snmp_msg_deinit(&t->msg);    // over the memcap: the names are not kept
        }
    }
    t->has_msg = t->msg.version != 0;
    if (ev != 0) {
        app_tx_event(af, &t->tx, (uint32_t)(ev - 1));
    }
    if (t->has_msg) {
        if (st->version == 0) {
            st->version = t->msg.version;
        } else if (st->version != t->msg.version) {
            app_tx_event(af, &t->tx, SNMP_EV_VERSION_MISMATCH);
        }
    }
    /* a datagram that is not SNMP is a parser error (as Suricata's): the app-layer
     * error exception policy applies */
    return ev == SNMP_EV_MALFORMED_DATA + 1 ? APP_PARSE_ERROR : APP_PARSE_OK;
}

static int snmp_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                         uint8_t dir)
{
    /* BER is too common a shape to claim other ports on (as Suricata: by port only) */
    if (ipproto != 17 || !port_hint) {
        return APP_PROBE_NO;
    }
    return snmp_probe(data, len, dir);
}

const SnmpMsg *snmp_tx_msg(const AppTx *tx)
{
    const SnmpTx *t = (const SnmpTx *)tx;
    return tx->proto == APP_PROTO_SNMP && t->has_msg ? &t->msg : NULL;
}

uint8_t snmp_tx_dir(const AppTx *tx)
{
    return ((const SnmpTx *)tx)->dir;
}

/* ---- buffers ---- */

/* The message of tx when it travelled in dir. */
static const SnmpMsg *msg_in(const AppTx *tx, uint8_t dir)
{
    const SnmpMsg *m = snmp_tx_msg(tx);
    return m != NULL && ((const SnmpTx *)tx)->dir == dir ? m : NULL;
}

static bool field(const AppTx *tx, uint8_t dir, int which, const uint8_t **data, uint32_t *len)
{
    const SnmpMsg *m = msg_in(tx, dir);
    if (m == NULL) {
        return false;
    }
    switch (which) {
    case 0:
        *data = m->community;
        *len = m->community_len;
        return m->has_community;
    case 1:
        *data = m->usm;
        *len = m->usm_len;
        return m->has_usm;
    case 2:
        *data = (const uint8_t *)m->trap_oid;
        *len = (uint32_t)strlen(m->trap_oid);
        return *len > 0;
    default:
        *data = (const uint8_t *)m->trap_address;
        *len = (uint32_t)strlen(m->trap_address);
        return *len > 0;
    }
}

#define GETTER(fn, dir, which)                                                             \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)    \
    {                                                                                      \
        (void)f;                                                                           \
        return field(tx, dir, which, data, len);                                           \
    }

GETTER(ts_community, APP_DIR_TOSERVER, 0)
GETTER(tc_community, APP_DIR_TOCLIENT, 0)
GETTER(ts_usm, APP_DIR_TOSERVER, 1)
GETTER(tc_usm, APP_DIR_TOCLIENT, 1)
GETTER(ts_trap_oid, APP_DIR_TOSERVER, 2)
GETTER(tc_trap_oid, APP_DIR_TOCLIENT, 2)
GETTER(ts_trap_address, APP_DIR_TOSERVER, 3)
GETTER(tc_trap_address, APP_DIR_TOCLIENT, 3)

#define SNMP_ROW(n, d, fn) {.name = n, .proto = APP_PROTO_SNMP, .dir = d, \
                            .progress = SNMP_PROG_DONE, .get = fn}

static const AppBufferDef snmp_buffers[] = {
    SNMP_ROW("snmp.community", APP_DIR_TOSERVER, ts_community),
    SNMP_ROW("snmp.community", APP_DIR_TOCLIENT, tc_community),
    SNMP_ROW("snmp.usm", APP_DIR_TOSERVER, ts_usm),
    SNMP_ROW("snmp.usm", APP_DIR_TOCLIENT, tc_usm),
    SNMP_ROW("snmp.trap_oid", APP_DIR_TOSERVER, ts_trap_oid),
    SNMP_ROW("snmp.trap_oid", APP_DIR_TOCLIENT, tc_trap_oid),
    SNMP_ROW("snmp.trap_address", APP_DIR_TOSERVER, ts_trap_address),
    SNMP_ROW("snmp.trap_address", APP_DIR_TOCLIENT, tc_trap_address),
};

/* ---- EVE ---- */

static const char *const g_generic_trap[] = {
    "cold_start", "warm_start", "link_down", "link_up", "authentication_failure",
    "egp_neighbor_loss", "enterprise_specific",
};

static void snmp_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const SnmpMsg *m = snmp_tx_msg(tx);
    json_open_object(jb, "snmp");
    if (m != NULL) {
        json_u64(jb, "version", m->version);
        if (m->is_encrypted) {
            json_bool(jb, "encrypted", true);
        }
        if (m->has_pdu) {
            json_str(jb, "pdu_type", snmp_pdu_type_name(m->pdu_type));
        }
        if (m->generic_trap >= 0) {
            json_open_object(jb, "trap_type");
            json_str(jb, "trap_type", g_generic_trap[m->generic_trap]);
            json_str(jb, "oid", m->trap_oid);
            json_str(jb, "address", m->trap_address);
            json_close_object(jb);
        }
        if (m->trap_oid[0] != '\0') {
            json_str(jb, "trap_oid", m->trap_oid);
        }
        if (m->trap_address[0] != '\0') {
            json_str(jb, "trap_address", m->trap_address);
        }
        if (m->n_vars_kept > 0) {
            json_open_array(jb, "vars");
            for (uint32_t i = 0; i < m->n_vars_kept; i++) {
                json_str(jb, NULL, m->vars[i]);
            }
            json_close_array(jb);
        }
        if (m->has_community) {
            json_printable(jb, "community", m->community, m->community_len);
        }
        if (m->has_usm) {
            json_printable(jb, "usm", m->usm, m->usm_len);
        }
    }
    json_close_object(jb);
}

const AppParserDesc app_parser_snmp = {
    .name = "snmp",
    .proto = APP_PROTO_SNMP,
    .ipproto = 17,
    .first_dir = APP_DIR_TOSERVER,
    .any_first_dir = true,       // traps and informs come from the agent unasked
    .default_ports = "161,162",
    .state_new = snmp_state_new,
    .state_free = snmp_state_free,
    .parse = snmp_parse,
    .tx_free = snmp_tx_free,
    .complete = {SNMP_PROG_DONE, SNMP_PROG_DONE},
    .events = snmp_event_names,
    .n_events = SNMP_EV_N,
    .buffers = snmp_buffers,
    .n_buffers = sizeof(snmp_buffers) / sizeof(snmp_buffers[0]),
    .log_json = snmp_log_json,
    .probe_ip = snmp_probe_ip,
    .eve_generic = true,
};
