#ifndef VG_APP_LAYER_SNMP_APP_LAYER_SNMP_H
#define VG_APP_LAYER_SNMP_APP_LAYER_SNMP_H

/* SNMP over UDP (161 agents, 162 traps): versions 1 (RFC 1157), 2c (RFC 1901/3416) and 3
 * (RFC 3412 message, RFC 3414 USM). One transaction per datagram, in the direction it
 * travelled, complete at once (as Suricata: requests and responses are not paired).
 * Details: src/app-layer/snmp/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define SNMP_STR_MAX 256          // community / user name bytes kept (longer: truncated)
#define SNMP_VARS_MAX 64          // variable binding names kept per message
#define SNMP_OID_TEXT_MAX 160     // an OID longer than this as text is not kept

enum { SNMP_PROG_DONE = 1 };

/* PDU types: the context tag of the PDU (RFC 3416 section 3, RFC 1157 section 4.1). */
enum {
    SNMP_PDU_GET_REQUEST = 0,
    SNMP_PDU_GET_NEXT_REQUEST = 1,
    SNMP_PDU_RESPONSE = 2,
    SNMP_PDU_SET_REQUEST = 3,
    SNMP_PDU_TRAP_V1 = 4,
    SNMP_PDU_GET_BULK_REQUEST = 5,
    SNMP_PDU_INFORM_REQUEST = 6,
    SNMP_PDU_TRAP_V2 = 7,
    SNMP_PDU_REPORT = 8,
    SNMP_PDU_N,
};

enum {
    SNMP_EV_MALFORMED_DATA = 0,
    SNMP_EV_UNKNOWN_SECURITY_MODEL,
    SNMP_EV_VERSION_MISMATCH,
    SNMP_EV_N,
};

/* One parsed message. Strings point nowhere outside: they are copied (bounded). */
typedef struct SnmpMsg {
    uint32_t version;            // 1, 2 (2c) or 3, as Suricata numbers them
    bool has_pdu;                // the PDU was read (false: v3 encrypted, or malformed)
    bool is_encrypted;           // v3 with an encrypted scoped PDU
    uint8_t pdu_type;            // SNMP_PDU_*
    uint8_t community_len;
    uint8_t usm_len;
    bool has_community;
    bool has_usm;
    uint8_t community[SNMP_STR_MAX - 1];
    uint8_t usm[SNMP_STR_MAX - 1];
    char trap_oid[SNMP_OID_TEXT_MAX];     // v1 enterprise, v2 snmpTrapOID.0 value ("": none)
    char trap_address[16];                // v1 agent-addr, v2 snmpTrapAddress.0 ("": none)
    int32_t generic_trap;                 // v1 only; -1 otherwise
    uint32_t n_vars;                      // bindings seen (may exceed n_vars_kept)
    uint32_t n_vars_kept;
    char (*vars)[SNMP_OID_TEXT_MAX];      // names of the first bindings (owned, may be NULL)
} SnmpMsg;

typedef struct SnmpTx {
    AppTx tx;
    uint8_t dir;                 // direction the datagram travelled
    bool has_msg;                // msg holds the parsed message (at least its version)
    SnmpMsg msg;
    uint32_t mem_bytes;          // charged for msg.vars
} SnmpTx;

/* Parses one SNMP datagram into m (m->vars allocated when there are bindings: free with
 * snmp_msg_deinit). Returns 0, or SNMP_EV_* + 1 for the event that malformed input
 * raises; m then holds what was read before the fault (m->version 0: nothing). */
int snmp_msg_parse(const uint8_t *data, uint32_t len, SnmpMsg *m)
    __attribute__((warn_unused_result));
void snmp_msg_deinit(SnmpMsg *m);
/* "get_request" ... "report"; NULL past SNMP_PDU_N. */
const char *snmp_pdu_type_name(uint32_t t);
/* Probe: a SEQUENCE holding version 0, 1 or 3. */
int snmp_probe(const uint8_t *data, uint32_t len, uint8_t dir);

/* For detect: the message of tx (NULL when tx is not an SNMP tx with one). */
const SnmpMsg *snmp_tx_msg(const AppTx *tx);
/* The direction the datagram of an SNMP tx travelled. */
uint8_t snmp_tx_dir(const AppTx *tx);

extern const char *const snmp_event_names[];

#endif
