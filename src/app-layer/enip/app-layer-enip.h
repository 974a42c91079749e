#ifndef VG_APP_LAYER_ENIP_APP_LAYER_ENIP_H
#define VG_APP_LAYER_ENIP_APP_LAYER_ENIP_H

/* EtherNet/IP encapsulation (ODVA CIP Networks vol. 2, chapter 2) over TCP and UDP port
 * 44818, with the CIP message carried by SendRRData / SendUnitData and the identity item
 * of ListIdentity replies. One transaction per request and the reply that follows it
 * (a reply without a request is a tx of its own). Details: src/app-layer/enip/README.md. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define ENIP_HDR_LEN 24
#define ENIP_MSG_MAX 65535u          // the length field is 16 bits
#define ENIP_CIP_MAX 32              // CIP services kept per message (Multiple Service Packet)

enum { ENIP_PROG_DONE = 1 };

/* Suricata's names: a message that does not parse (length, unknown command, CPF items
 * or CIP message cut) is invalid_pdu. */
enum {
    ENIP_EV_TOO_MANY_TRANSACTIONS = 0,   // requests without replies beyond the cap
    ENIP_EV_INVALID_PDU,
    ENIP_EV_N,
};

enum {
    ENIP_CMD_NOP = 0x0000,
    ENIP_CMD_LIST_SERVICES = 0x0004,
    ENIP_CMD_LIST_IDENTITY = 0x0063,
    ENIP_CMD_LIST_INTERFACES = 0x0064,
    ENIP_CMD_REGISTER_SESSION = 0x0065,
    ENIP_CMD_UNREGISTER_SESSION = 0x0066,
    ENIP_CMD_SEND_RR_DATA = 0x006f,
    ENIP_CMD_SEND_UNIT_DATA = 0x0070,
    ENIP_CMD_INDICATE_STATUS = 0x0072,
    ENIP_CMD_CANCEL = 0x0073,
};

/* One CIP request or reply: the service and the first class / instance / attribute of
 * its path (has_* say which the path held). */
typedef struct EnipCip {
    uint8_t service;             // bit 7: reply
    uint8_t status;              // general status (replies)
    bool has_class, has_instance, has_attribute;
    uint32_t class_id;
    uint32_t instance;
    uint32_t attribute;
} EnipCip;

typedef struct EnipIdentity {
    uint16_t protocol_version;
    uint16_t port;               // socket address (network order on the wire)
    uint8_t addr[4];
    uint16_t vendor_id;
    uint16_t device_type;
    uint16_t product_code;
    uint8_t rev_major, rev_minor;
    uint16_t status;
    uint32_t serial;
    uint8_t product_name[64];
    uint8_t product_name_len;
    uint8_t state;
    bool has_state;
} EnipIdentity;

/* One direction's message of a tx. */
typedef struct EnipMsg {
    bool is_present;
    uint16_t command;
    uint16_t length;
    uint32_t session;
    uint32_t status;
    uint32_t options;
    uint16_t protocol_version;   // RegisterSession, ListServices / ListIdentity items
    bool has_protocol_version;
    bool has_identity;
    EnipIdentity identity;
    EnipCip cip[ENIP_CIP_MAX];   // [0]: the message; a Multiple Service Packet's
    uint8_t n_cip;               // embedded services follow
    bool is_cip_multi;           // cip[0] is a Multiple Service Packet
} EnipMsg;

typedef struct EnipTx {
    AppTx tx;
    EnipMsg msg[2];              // APP_DIR_TOSERVER: request, APP_DIR_TOCLIENT: reply
} EnipTx;

/* Parses one message (header and data, len bytes) into m. False when it is not a whole
 * encapsulation message; m->n_cip etc. are filled as far as the data allows, and
 * *cip_bad tells a CPF/CIP part that did not parse. */
bool enip_msg_parse(const uint8_t *p, uint32_t len, EnipMsg *m, bool *cip_bad);
/* Names (Suricata's spellings), NULL for codes without one. */
const char *enip_command_name(uint16_t cmd);
int enip_command_by_name(const char *name);      // code or -1
const char *enip_status_name(uint32_t status);
int64_t enip_status_by_name(const char *name);   // code or -1
const char *enip_cip_service_name(uint8_t service);
const char *enip_cip_class_name(uint32_t class_id);
const char *enip_vendor_name(uint16_t vendor_id);

/* For detect and output: the enip part of tx, NULL when tx is not ENIP. */
const EnipTx *enip_tx(const AppTx *tx);
void enip_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);

extern const char *const enip_event_names[];

#endif
