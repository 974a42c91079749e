/* The EVE "modbus" object of a tx: "request" and "response" with the MBAP fields, the
 * function (raw and named), its category, what it reads or writes, and exceptions.
 * Caller holds f->lock. */
#include "app-layer/modbus/app-layer-modbus.h"

#include <stdio.h>

#include "util/util-json.h"

static void log_access(JsonBuf *jb, uint8_t acc)
{
    static const struct { uint8_t bit; const char *name; } k[] = {
        {MODBUS_ACC_READ, "READ"}, {MODBUS_ACC_WRITE, "WRITE"}, {MODBUS_ACC_COILS, "COILS"},
        {MODBUS_ACC_DISCRETES, "DISCRETES"}, {MODBUS_ACC_INPUT, "INPUT"},
        {MODBUS_ACC_HOLDING, "HOLDING"},
    };
    char s[96] = "";
    size_t o = 0;
    for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        if (acc & k[i].bit) {
            o += (size_t)snprintf(s + o, sizeof(s) - o, "%s%s", o > 0 ? " | " : "", k[i].name);
        }
    }
    json_str(jb, "access_type", o > 0 ? s : "NONE");
}

static void log_msg(JsonBuf *jb, const char *key, const ModbusMsg *m, bool is_request)
{
    if (!m->is_present) {
        return;
    }
    static const char *const k_cat[] = {"NONE", "PUBLIC_ASSIGNED", "PUBLIC_UNASSIGNED", "USER",
                                        "RESERVED"};
    json_open_object(jb, key);
    json_u64(jb, "transaction_id", m->transaction_id);
    json_u64(jb, "protocol_id", m->protocol_id);
    json_u64(jb, "unit_id", m->unit_id);
    json_u64(jb, "function_raw", m->function);
    const char *fn = modbus_function_name(m->function);
    if (fn != NULL) {
        json_str(jb, "function_code", fn);
    } else {
        json_u64(jb, "function_code", m->function & 0x7f);
    }
    json_str(jb, "category", k_cat[m->function != 0 ? modbus_function_category(m->function)
                                                     : 0]);
    if (is_request) {
        log_access(jb, m->access);
    }
    if (m->has_subfunction) {
        json_u64(jb, "subfunction", m->subfunction);
    }
    if (m->function & 0x80) {
        json_open_object(jb, "exception");
        json_u64(jb, "code", m->exception);
        json_close_object(jb);
    }
    if (is_request && (m->access & MODBUS_ACC_READ)) {
        json_open_object(jb, "read");
        json_u64(jb, "address", m->read_address);
        json_u64(jb, "quantity", m->read_quantity);
        json_close_object(jb);
    }
    if (is_request && (m->access & MODBUS_ACC_WRITE)) {
        json_open_object(jb, "write");
        json_u64(jb, "address", m->write_address);
        json_u64(jb, "quantity", m->write_quantity);
        if (m->n_values > 0) {
            json_open_array(jb, "data");
            for (uint16_t i = 0; i < m->n_values; i++) {
                json_u64(jb, NULL, m->values[i]);
            }
            json_close_array(jb);
        }
        json_close_object(jb);
    }
    json_close_object(jb);
}

void modbus_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const ModbusTx *t = modbus_tx(tx);
    if (t == NULL) {
        return;
    }
    json_open_object(jb, "modbus");
    json_u64(jb, "id", tx->id);
    log_msg(jb, "request", &t->msg[APP_DIR_TOSERVER], true);
    log_msg(jb, "response", &t->msg[APP_DIR_TOCLIENT], false);
    json_close_object(jb);
}
