#ifndef VG_APP_LAYER_KRB5_APP_LAYER_KRB5_H
#define VG_APP_LAYER_KRB5_APP_LAYER_KRB5_H

/* Kerberos 5 (RFC 4120) over UDP and TCP 88 (TCP: each message after a 4-octet length,
 * section 7.2.2): AS-REQ/REP, TGS-REQ/REP, AP-REQ/REP and KRB-ERROR. One transaction per
 * message, in the direction it travelled, complete at once (as Suricata); an error
 * records the type of the request before it. Details: src/app-layer/krb5/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define KRB5_MSG_MAX 65536         // a TCP record longer than this is skipped
#define KRB5_NAME_PARTS_MAX 6      // principal name components kept
#define KRB5_NAME_PART_MAX 128     // bytes of one component (and the realm) kept
#define KRB5_ETYPES_MAX 16         // etypes of a request kept

enum { KRB5_PROG_DONE = 1 };

enum {
    KRB5_EV_MALFORMED_DATA = 0,
    KRB5_EV_WEAK_ENCRYPTION,
    KRB5_EV_N,
};

typedef struct Krb5Name {
    uint32_t n_parts;
    uint16_t part_len[KRB5_NAME_PARTS_MAX];
    uint8_t part[KRB5_NAME_PARTS_MAX][KRB5_NAME_PART_MAX];
} Krb5Name;

typedef struct Krb5Msg {
    uint32_t msg_type;           // 10 AS-REQ ... 30 KRB-ERROR (0: not decoded)
    bool has_cname;
    bool has_sname;
    Krb5Name cname;
    Krb5Name sname;
    uint8_t realm[KRB5_NAME_PART_MAX];
    uint16_t realm_len;
    uint32_t n_etypes;           // request etypes
    int32_t etypes[KRB5_ETYPES_MAX];
    bool has_enc_etype;          // reply: etype of its enc-part
    int32_t enc_etype;
    bool has_ticket_etype;       // reply: etype of the ticket's enc-part
    int32_t ticket_etype;
    bool has_error;
    int32_t error_code;
} Krb5Msg;

typedef struct Krb5Tx {
    AppTx tx;
    uint8_t dir;
    bool has_msg;
    Krb5Msg msg;
    uint32_t failed_request;     // KRB-ERROR: type of the request before it (0: none)
} Krb5Tx;

/* Decodes one message into m. 0, or KRB5_EV_MALFORMED_DATA + 1. */
int krb5_msg_parse(const uint8_t *data, uint32_t len, Krb5Msg *m)
    __attribute__((warn_unused_result));
/* "KRB_AS_REQ" ...; NULL for another type. */
const char *krb5_msg_type_name(uint32_t t);
/* "aes256-cts-hmac-sha1-96" ...; NULL when unknown. */
const char *krb5_etype_name(int32_t e);
/* DES and RC4 encryption types (RFC 6649, RFC 8429). */
bool krb5_etype_is_weak(int32_t e);
/* For detect: the message of tx (NULL when not a decoded krb5 message). */
const Krb5Msg *krb5_tx_msg(const AppTx *tx);

extern const char *const krb5_event_names[];

#endif
