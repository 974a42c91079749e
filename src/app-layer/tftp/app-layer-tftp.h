/* TFTP (RFC 1350): the read and write requests a client sends to port 69. */
#ifndef VIGIL_APP_LAYER_TFTP_H
#define VIGIL_APP_LAYER_TFTP_H

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define TFTP_NAME_MAX 512        // a request is one datagram of at most 512 bytes of text

enum { TFTP_OP_RRQ = 1, TFTP_OP_WRQ = 2 };

/* One request as it was on the wire: pointers into the datagram. */
typedef struct TftpRequest {
    uint16_t opcode;             // TFTP_OP_*
    const uint8_t *file;
    uint32_t file_len;
    const uint8_t *mode;
    uint32_t mode_len;
} TftpRequest;

/* A read or write request: opcode, a non-empty NUL-terminated file name and a
 * NUL-terminated transfer mode (options after it, RFC 2347, are allowed). False for
 * anything else, including every other opcode. */
bool tftp_parse_request(const uint8_t *data, uint32_t len, TftpRequest *req);

typedef struct TftpTx {
    AppTx tx;                    // first
    uint16_t opcode;
    uint8_t file[TFTP_NAME_MAX];
    uint32_t file_len;
    char mode[16];               // "netascii", "octet", "mail" (lower case; longer is cut)
} TftpTx;

#endif
