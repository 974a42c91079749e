#ifndef VG_APP_LAYER_MODBUS_APP_LAYER_MODBUS_H
#define VG_APP_LAYER_MODBUS_APP_LAYER_MODBUS_H

/* Modbus/TCP (Modbus Application Protocol v1.1b3 and the Modbus Messaging on TCP/IP
 * guide): the MBAP header (transaction id, protocol id, length, unit id) and the PDU's
 * function code and, for the data access functions, address, quantity and values. One
 * transaction per request and the response with its transaction id. Details:
 * src/app-layer/modbus/README.md. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define MODBUS_MBAP_LEN 7
#define MODBUS_ADU_MAX 260               // MBAP + 253-byte PDU
#define MODBUS_DEFAULT_FLOOD 500         // requests waiting for responses before "flooded"
#define MODBUS_VALUES_MAX 123            // registers of one write (function 16 / 23)

enum { MODBUS_PROG_DONE = 1 };

/* Suricata's event names. */
enum {
    MODBUS_EV_INVALID_PROTOCOL_ID = 0,
    MODBUS_EV_UNSOLICITED_RESPONSE,
    MODBUS_EV_INVALID_LENGTH,
    MODBUS_EV_INVALID_UNIT_IDENTIFIER,
    MODBUS_EV_INVALID_FUNCTION_CODE,
    MODBUS_EV_INVALID_VALUE,
    MODBUS_EV_INVALID_EXCEPTION_CODE,
    MODBUS_EV_VALUE_MISMATCH,
    MODBUS_EV_FLOODED,
    MODBUS_EV_N,
};

/* What a request reads or writes (bits). */
enum {
    MODBUS_ACC_READ = 1u << 0,
    MODBUS_ACC_WRITE = 1u << 1,
    MODBUS_ACC_COILS = 1u << 2,
    MODBUS_ACC_DISCRETES = 1u << 3,
    MODBUS_ACC_INPUT = 1u << 4,
    MODBUS_ACC_HOLDING = 1u << 5,
};

typedef struct ModbusMsg {
    bool is_present;
    uint16_t transaction_id;
    uint16_t protocol_id;
    uint16_t length;
    uint8_t unit_id;
    uint8_t function;            // as sent (bit 7: exception in responses)
    uint8_t exception;           // responses with bit 7
    uint16_t subfunction;        // function 8
    bool has_subfunction;
    /* data access (requests): the read part and the write part (function 23: both) */
    uint8_t access;              // MODBUS_ACC_*
    uint16_t read_address, read_quantity;
    uint16_t write_address, write_quantity;
    uint16_t values[MODBUS_VALUES_MAX];   // written registers / single coil or register
    uint16_t n_values;
    uint8_t byte_count;          // read responses
} ModbusMsg;

typedef struct ModbusTx {
    AppTx tx;
    ModbusMsg msg[2];            // APP_DIR_TOSERVER: request, APP_DIR_TOCLIENT: response
} ModbusTx;

/* Parses one ADU (MBAP + PDU, len bytes) of dir into m; returns a bit per
 * MODBUS_EV_* raised by the message itself. */
uint32_t modbus_msg_parse(const uint8_t *p, uint32_t len, uint8_t dir, ModbusMsg *m);
/* Events of a response checked against its request (value_mismatch). */
uint32_t modbus_match_check(const ModbusMsg *req, const ModbusMsg *rsp);
/* Categories of a function code (Modbus v1.1b3 section 5). */
enum { MODBUS_CAT_PUBLIC_ASSIGNED = 1, MODBUS_CAT_PUBLIC_UNASSIGNED, MODBUS_CAT_USER,
       MODBUS_CAT_RESERVED };
uint8_t modbus_function_category(uint8_t fc);
const char *modbus_function_name(uint8_t fc);

const ModbusTx *modbus_tx(const AppTx *tx);
void modbus_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);
extern const char *const modbus_event_names[];

#endif
