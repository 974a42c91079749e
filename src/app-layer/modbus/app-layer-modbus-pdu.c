/* Modbus ADUs: the MBAP header and the PDU of the public function codes (Modbus
 * Application Protocol v1.1b3 section 6): what a request reads or writes, the ranges
 * the specification allows (quantities, byte counts, coil values), exception codes,
 * and a response checked against its request. Pure functions; every read is
 * bounds-checked. */
#include "app-layer/modbus/app-layer-modbus.h"

#include <string.h>

#include "util/util-byte.h"

#define EV(e) (1u << (e))

uint8_t modbus_function_category(uint8_t fc)
{
    fc &= 0x7f;
    if ((fc >= 65 && fc <= 72) || (fc >= 100 && fc <= 110)) {
        return MODBUS_CAT_USER;
    }
    switch (fc) {
    case 9: case 10: case 13: case 14: case 41: case 42: case 90: case 91:
    case 125: case 126: case 127:
        return MODBUS_CAT_RESERVED;
    case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 11: case 12:
    case 15: case 16: case 17: case 20: case 21: case 22: case 23: case 24: case 43:
        return MODBUS_CAT_PUBLIC_ASSIGNED;
    default:
        return MODBUS_CAT_PUBLIC_UNASSIGNED;
    }
}

const char *modbus_function_name(uint8_t fc)
{
    switch (fc & 0x7f) {
    case 1: return "RdCoils";
    case 2: return "RdDiscreteInputs";
    case 3: return "RdHoldRegs";
    case 4: return "RdInputRegs";
    case 5: return "WrSingleCoil";
    case 6: return "WrSingleReg";
    case 7: return "RdExcStatus";
    case 8: return "Diagnostic";
    case 11: return "GetCommEventCtr";
    case 12: return "GetCommEventLog";
    case 15: return "WrMultCoils";
    case 16: return "WrMultRegs";
    case 17: return "ReportServerID";
    case 20: return "RdFileRec";
    case 21: return "WrFileRec";
    case 22: return "MaskWrReg";
    case 23: return "RdWrMultRegs";
    case 24: return "RdFIFOQueue";
    case 43: return "MEI";
    default: return NULL;
    }
}

/* Reads (functions 1-4): start, quantity within the specification's bounds. */
static uint32_t req_read(const uint8_t *d, uint32_t n, ModbusMsg *m, uint8_t what,
                         uint16_t max_qty)
{
    if (n != 4) {
        return EV(MODBUS_EV_INVALID_LENGTH);
    }
    m->access = MODBUS_ACC_READ | what;
    m->read_address = util_be16(d);
    m->read_quantity = util_be16(d + 2);
    return m->read_quantity == 0 || m->read_quantity > max_qty ? EV(MODBUS_EV_INVALID_VALUE)
                                                                : 0;
}

static uint32_t req_write_single(const uint8_t *d, uint32_t n, ModbusMsg *m, uint8_t what)
{
    if (n != 4) {
        return EV(MODBUS_EV_INVALID_LENGTH);
    }
    m->access = MODBUS_ACC_WRITE | what;
    m->write_address = util_be16(d);
    m->write_quantity = 1;
    m->values[0] = util_be16(d + 2);
    m->n_values = 1;
    bool bad_coil = what == MODBUS_ACC_COILS && m->values[0] != 0xff00 && m->values[0] != 0;
    return bad_coil ? EV(MODBUS_EV_INVALID_VALUE) : 0;
}

/* Functions 15 and 16 (and the write part of 23 at d): start, quantity, byte count,
 * values. */
static uint32_t req_write_multi(const uint8_t *d, uint32_t n, ModbusMsg *m, uint8_t what)
{
    if (n < 5) {
        return EV(MODBUS_EV_INVALID_LENGTH);
    }
    m->access |= MODBUS_ACC_WRITE | what;
    m->write_address = util_be16(d);
    m->write_quantity = util_be16(d + 2);
    uint8_t bc = d[4];
    uint32_t want = what == MODBUS_ACC_COILS ? (m->write_quantity + 7u) / 8u
                                             : 2u * m->write_quantity;
    uint32_t max_qty = what == MODBUS_ACC_COILS ? 1968 : MODBUS_VALUES_MAX;
    if (m->write_quantity == 0 || m->write_quantity > max_qty || bc != want) {
        return EV(MODBUS_EV_INVALID_VALUE);
    }
    if (n != 5u + bc) {
        return EV(MODBUS_EV_INVALID_LENGTH);
    }
    if (what == MODBUS_ACC_HOLDING) {
        for (uint16_t i = 0; i < m->write_quantity; i++) {
            m->values[i] = util_be16(d + 5 + 2 * i);
        }
        m->n_values = m->write_quantity;
    }
    return 0;
}

static uint32_t parse_request(const uint8_t *d, uint32_t n, ModbusMsg *m)
{
    switch (m->function) {
    case 1: return req_read(d, n, m, MODBUS_ACC_COILS, 2000);
    case 2: return req_read(d, n, m, MODBUS_ACC_DISCRETES, 2000);
    case 3: return req_read(d, n, m, MODBUS_ACC_HOLDING, 125);
    case 4: return req_read(d, n, m, MODBUS_ACC_INPUT, 125);
    case 5: return req_write_single(d, n, m, MODBUS_ACC_COILS);
    case 6: return req_write_single(d, n, m, MODBUS_ACC_HOLDING);
    case 15: return req_write_multi(d, n, m, MODBUS_ACC_COILS);
    case 16: return req_write_multi(d, n, m, MODBUS_ACC_HOLDING);
    case 22:
        if (n != 6) {
            return EV(MODBUS_EV_INVALID_LENGTH);
        }
        m->access = MODBUS_ACC_WRITE | MODBUS_ACC_HOLDING;
        m->write_address = util_be16(d);
        m->write_quantity = 1;
        return 0;
    case 23: {
        if (n < 9) {
            return EV(MODBUS_EV_INVALID_LENGTH);
        }
        uint32_t ev = req_read(d, 4, m, MODBUS_ACC_HOLDING, 125);
        return ev | req_write_multi(d + 4, n - 4, m, MODBUS_ACC_HOLDING);
    }
    case 8:
        if (n < 2) {
            return EV(MODBUS_EV_INVALID_LENGTH);
        }
        m->subfunction = util_be16(d);
        m->has_subfunction = true;
        return 0;
    case 0:
        return EV(MODBUS_EV_INVALID_FUNCTION_CODE);
    default:
        return (m->function & 0x80) ? EV(MODBUS_EV_INVALID_FUNCTION_CODE) : 0;
    }
}

static uint32_t parse_response(const uint8_t *d, uint32_t n, ModbusMsg *m)
{
    if (m->function & 0x80) {
        if (n != 1) {
            return EV(MODBUS_EV_INVALID_LENGTH);
        }
        m->exception = d[0];
        bool ok = (m->exception >= 1 && m->exception <= 6) || m->exception == 8 ||
                  m->exception == 10 || m->exception == 11;
        return ok ? 0 : EV(MODBUS_EV_INVALID_EXCEPTION_CODE);
    }
    switch (m->function) {
    case 1: case 2: case 3: case 4: case 23:
        if (n < 1 || n != 1u + d[0]) {
            return EV(MODBUS_EV_INVALID_LENGTH);
        }
        m->byte_count = d[0];
        return 0;
    case 5: case 6: case 15: case 16:
        if (n != 4) {
            return EV(MODBUS_EV_INVALID_LENGTH);
        }
        m->write_address = util_be16(d);
        m->values[0] = util_be16(d + 2);   // value (5, 6) or quantity (15, 16)
        m->n_values = 1;
        return 0;
    case 0:
        return EV(MODBUS_EV_INVALID_FUNCTION_CODE);
    default:
        return 0;
    }
}

uint32_t modbus_msg_parse(const uint8_t *p, uint32_t len, uint8_t dir, ModbusMsg *m)
{
    memset(m, 0, sizeof(*m));
    if (len < MODBUS_MBAP_LEN) {
        return EV(MODBUS_EV_INVALID_LENGTH);
    }
    m->is_present = true;
    m->transaction_id = util_be16(p);
    m->protocol_id = util_be16(p + 2);
    m->length = util_be16(p + 4);
    m->unit_id = p[6];
    uint32_t ev = m->protocol_id != 0 ? EV(MODBUS_EV_INVALID_PROTOCOL_ID) : 0;
    if (m->length < 2 || 6u + m->length != len) {
        return ev | EV(MODBUS_EV_INVALID_LENGTH);
    }
    m->function = p[7];
    const uint8_t *d = p + 8;
    uint32_t n = len - 8;
    return ev | (dir == APP_DIR_TOSERVER ? parse_request(d, n, m) : parse_response(d, n, m));
}

uint32_t modbus_match_check(const ModbusMsg *req, const ModbusMsg *rsp)
{
    if ((rsp->function & 0x7f) != req->function) {
        return EV(MODBUS_EV_VALUE_MISMATCH);
    }
    if (rsp->function & 0x80) {
        return 0;
    }
    switch (req->function) {
    case 1: case 2:
        return rsp->byte_count != (req->read_quantity + 7u) / 8u
                   ? EV(MODBUS_EV_VALUE_MISMATCH) : 0;
    case 3: case 4: case 23:
        return rsp->byte_count != 2u * req->read_quantity ? EV(MODBUS_EV_VALUE_MISMATCH) : 0;
    case 5: case 6:
        return rsp->n_values == 1 && (rsp->write_address != req->write_address ||
                                      rsp->values[0] != req->values[0])
                   ? EV(MODBUS_EV_VALUE_MISMATCH) : 0;
    case 15: case 16:
        return rsp->n_values == 1 && (rsp->write_address != req->write_address ||
                                      rsp->values[0] != req->write_quantity)
                   ? EV(MODBUS_EV_VALUE_MISMATCH) : 0;
    default:
        return 0;
    }
}
