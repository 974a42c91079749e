#ifndef VG_APP_LAYER_LDAP_APP_LAYER_LDAP_H
#define VG_APP_LAYER_LDAP_APP_LAYER_LDAP_H

/* LDAP (RFC 4511) over TCP and UDP (CLDAP), port 389: one transaction per request with
 * the responses carrying its message ID (several for a search), complete toclient at the
 * final response (none for unbind and abandon). Messages are validated when they arrive
 * and kept whole (raw BER, bounded): buffers point into them and the EVE object decodes
 * them when written. Details: src/app-layer/ldap/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"
#include "util/util-json.h"

#define LDAP_MSG_MAX (256u * 1024u)      // a larger message is skipped (invalid_data)
#define LDAP_TX_BYTES_MAX (1024u * 1024u) // response bytes kept per tx; more are counted
#define LDAP_RESP_MAX 1024                // responses kept per tx; more are counted

enum { LDAP_PROG_NONE = 0, LDAP_PROG_DONE = 1 };

/* protocolOp application tags (RFC 4511 section 4.2 ff.) */
enum {
    LDAP_OP_BIND_REQUEST = 0,
    LDAP_OP_BIND_RESPONSE = 1,
    LDAP_OP_UNBIND_REQUEST = 2,
    LDAP_OP_SEARCH_REQUEST = 3,
    LDAP_OP_SEARCH_RESULT_ENTRY = 4,
    LDAP_OP_SEARCH_RESULT_DONE = 5,
    LDAP_OP_MODIFY_REQUEST = 6,
    LDAP_OP_MODIFY_RESPONSE = 7,
    LDAP_OP_ADD_REQUEST = 8,
    LDAP_OP_ADD_RESPONSE = 9,
    LDAP_OP_DEL_REQUEST = 10,
    LDAP_OP_DEL_RESPONSE = 11,
    LDAP_OP_MOD_DN_REQUEST = 12,
    LDAP_OP_MOD_DN_RESPONSE = 13,
    LDAP_OP_COMPARE_REQUEST = 14,
    LDAP_OP_COMPARE_RESPONSE = 15,
    LDAP_OP_ABANDON_REQUEST = 16,
    LDAP_OP_SEARCH_RESULT_REFERENCE = 19,
    LDAP_OP_EXTENDED_REQUEST = 23,
    LDAP_OP_EXTENDED_RESPONSE = 24,
    LDAP_OP_INTERMEDIATE_RESPONSE = 25,
    LDAP_OP_N = 26,
};

enum {
    LDAP_EV_INVALID_DATA = 0,
    LDAP_EV_REQUEST_NOT_FOUND,
    LDAP_EV_TOO_MANY_RESPONSES,
    LDAP_EV_N,
};

/* One message as received (owned copy of its BER bytes). */
typedef struct LdapMsg {
    uint8_t *raw;
    uint32_t len;
    uint32_t message_id;
    uint8_t op;                  // LDAP_OP_*
} LdapMsg;

typedef struct LdapTx {
    AppTx tx;
    bool has_request;
    LdapMsg req;
    LdapMsg *resp;               // responses kept, in arrival order
    uint32_t n_resp;
    uint32_t cap_resp;
    uint32_t n_resp_dropped;     // past LDAP_RESP_MAX / LDAP_TX_BYTES_MAX
    uint32_t message_id;
    uint64_t mem_bytes;          // charged for raw copies and the response array
} LdapTx;

/* Checks that data[0, len) is one LDAPMessage and reads its message ID and operation.
 * 0 or VG_EINVAL. */
int ldap_msg_peek(const uint8_t *data, uint32_t len, uint32_t *message_id, uint8_t *op)
    __attribute__((warn_unused_result));
/* "bind_request" ...; NULL for tags that are no operation. */
const char *ldap_op_name(uint32_t op);
/* resultCode name ("success", "invalid_credentials"...); NULL for codes without one. */
const char *ldap_result_name(uint32_t code);
/* The DN a message names (request: bind name, search base, modify object, add / delete /
 * modify-DN / compare entry; response: search entry name, a result's matched DN). */
bool ldap_msg_dn(const uint8_t *raw, uint32_t len, const uint8_t **dn, uint32_t *dn_len);
/* A response's result code (false for responses without LDAPResult). */
bool ldap_msg_result_code(const uint8_t *raw, uint32_t len, uint32_t *code);
/* The EVE object of one message (message_id, operation and its fields) into an open
 * object of jb. */
void ldap_msg_log(JsonBuf *jb, const uint8_t *raw, uint32_t len);
/* For detect: the tx when it is LDAP. */
const LdapTx *ldap_tx(const AppTx *tx);

extern const char *const ldap_event_names[];

#endif
