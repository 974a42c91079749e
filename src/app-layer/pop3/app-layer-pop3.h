/* POP3 (RFC 1939, RFC 2449 CAPA, RFC 5034 SASL, RFC 2595 STLS): a tx per command
 * and its response, the server's greeting a tx of its own (response only). */
#ifndef VIGIL_APP_LAYER_POP3_H
#define VIGIL_APP_LAYER_POP3_H

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define POP3_CMD_MAX 16          // longest command word kept (RFC 1939: 3-4 letters)
#define POP3_ARGS_MAX 4          // arguments kept per command (RFC 1939: at most 2)
#define POP3_ARG_MAX 256         // bytes kept per argument
#define POP3_HEADER_MAX 512      // bytes kept of a response's first line
#define POP3_LINE_MAX 512        // a command or status line longer than this is cut
                                 // (event line_too_long; RFC 1939: responses <= 512)

/* Progress per direction: the request line seen; the response's status line, then the
 * end of its multi-line body (".") when it has one. */
enum { POP3_PROG_NONE = 0, POP3_PROG_DONE = 1 };

typedef struct Pop3Tx {
    AppTx tx;                    // first
    bool has_request;
    char command[POP3_CMD_MAX + 1];       // upper case
    uint8_t n_args;
    uint16_t arg_len[POP3_ARGS_MAX];
    uint8_t args[POP3_ARGS_MAX][POP3_ARG_MAX];
    bool has_response;
    bool success;                // +OK (else -ERR)
    bool continuation;           // a "+ " SASL challenge answered the command
    uint16_t header_len;
    uint8_t header[POP3_HEADER_MAX];
    uint32_t data_lines;         // lines of the multi-line body (dot-stuffing undone)
    uint64_t data_bytes;
} Pop3Tx;

enum {
    POP3_EV_LINE_TOO_LONG = 0,
    POP3_EV_UNKNOWN_COMMAND,
    POP3_EV_UNEXPECTED_RESPONSE,
    POP3_EV_N,
};

/* The tx of an AppTx of a POP3 flow (NULL for NULL). */
static inline const Pop3Tx *pop3_tx(const AppTx *tx)
{
    return (const Pop3Tx *)tx;
}

#endif
