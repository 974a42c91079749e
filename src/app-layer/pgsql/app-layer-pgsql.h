#ifndef VG_APP_LAYER_PGSQL_APP_LAYER_PGSQL_H
#define VG_APP_LAYER_PGSQL_APP_LAYER_PGSQL_H

/* PostgreSQL frontend/backend protocol 3.0 over TCP (port 5432; "Frontend/Backend
 * Protocol" chapter of the PostgreSQL documentation): the startup phase (SSLRequest,
 * GSSENCRequest, StartupMessage, CancelRequest: no type byte), authentication, simple
 * queries and the extended protocol. One transaction per request with the backend
 * messages answering it. Details: src/app-layer/pgsql/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define PGSQL_MSG_MAX (1u << 20)     // a longer message is skipped (invalid_length)
#define PGSQL_FIELD_MAX 4096          // bytes of a query, parameter or error field kept

enum { PGSQL_PROG_NONE = 0, PGSQL_PROG_DONE = 1 };

enum {
    PGSQL_EV_INVALID_LENGTH = 0,
    PGSQL_EV_MALFORMED_REQUEST,
    PGSQL_EV_MALFORMED_RESPONSE,
    PGSQL_EV_N,
};

/* Request kinds. */
enum {
    PGSQL_REQ_NONE = 0,
    PGSQL_REQ_SSL,
    PGSQL_REQ_GSSENC,
    PGSQL_REQ_STARTUP,
    PGSQL_REQ_CANCEL,
    PGSQL_REQ_PASSWORD,
    PGSQL_REQ_SASL_INITIAL,
    PGSQL_REQ_SASL_RESPONSE,
    PGSQL_REQ_QUERY,
    PGSQL_REQ_TERMINATE,
    PGSQL_REQ_OTHER,             // extended protocol and the rest: by its type byte
};

/* A byte string kept by the parser (owned, at most PGSQL_FIELD_MAX bytes). */
typedef struct PgsqlStr {
    uint8_t *p;
    uint32_t len;
} PgsqlStr;

typedef struct PgsqlTx {
    AppTx tx;
    /* request */
    uint8_t req_kind;            // PGSQL_REQ_*
    uint8_t req_type;            // type byte (PGSQL_REQ_OTHER)
    uint16_t proto_major;
    uint16_t proto_minor;
    uint32_t cancel_pid;
    uint32_t cancel_key;
    PgsqlStr req_text;           // query, password, SASL data; startup: the parameters
    PgsqlStr sasl_mech;
    /* response */
    bool has_ssl_answer;
    bool ssl_accepted;
    const char *auth_msg;        // last authentication message name (static string)
    bool has_md5_salt;
    uint8_t md5_salt[4];
    PgsqlStr sasl_final;
    PgsqlStr params;             // ParameterStatus name\0value\0 pairs, in order
    bool has_key_data;
    uint32_t process_id;
    uint32_t secret_key;
    PgsqlStr error;              // ErrorResponse / NoticeResponse fields (type byte,
                                 // string\0 ...), the last one
    PgsqlStr command_completed;
    bool has_rows;
    uint32_t field_count;
    uint64_t data_rows;
    uint64_t data_size;
    uint64_t mem_bytes;
} PgsqlTx;

extern const char *const pgsql_event_names[];

/* The EVE object of a tx (app-layer-pgsql-log.c). */
void pgsql_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);

#endif
