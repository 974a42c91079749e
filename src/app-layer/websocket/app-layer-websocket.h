#ifndef VG_APP_LAYER_WEBSOCKET_APP_LAYER_WEBSOCKET_H
#define VG_APP_LAYER_WEBSOCKET_APP_LAYER_WEBSOCKET_H

/* WebSocket (RFC 6455) after an HTTP/1 Upgrade: every frame is a transaction in the
 * direction it travelled, complete once its payload is in. Payloads are unmasked; a
 * fragmented message is reassembled into the tx of its final frame (control frames may
 * come between its fragments). Details: src/app-layer/websocket/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define WS_MAX_PAYLOAD_DEFAULT 65535u  // app-layer.protocols.websocket.max-payload-size

enum {
    WS_OP_CONTINUATION = 0x0, WS_OP_TEXT = 0x1, WS_OP_BINARY = 0x2, WS_OP_CLOSE = 0x8,
    WS_OP_PING = 0x9, WS_OP_PONG = 0xa,
};

enum { WS_F_FIN = 0x80, WS_F_RSV1 = 0x40, WS_F_RSV2 = 0x20, WS_F_RSV3 = 0x10 };

enum {
    WS_EV_SKIP_END_OF_PAYLOAD = 0,  // a payload longer than max-payload-size: the rest skipped
    WS_EV_REASSEMBLY_LIMIT_REACHED, // a fragmented message longer than max-payload-size
    WS_EV_N,
};

typedef struct WsTx {
    AppTx tx;
    uint8_t dir;
    uint8_t flags;               // first header byte's high nibble (FIN, RSV1-3)
    uint8_t opcode;
    bool is_masked;
    uint32_t mask;               // the masking key, big-endian value
    uint64_t payload_len;        // as announced
    uint8_t *payload;            // unmasked (owned); for a final fragment: the whole message
    uint32_t payload_kept;
    uint32_t cap;
    uint32_t mem_bytes;
} WsTx;

/* Parses a frame header at data: 1 (header length in *hdr_len, fields set), 0 more bytes
 * needed. Never fails: every byte pattern is a header. */
int ws_frame_header(const uint8_t *data, uint32_t len, uint32_t *hdr_len, uint8_t *b0,
                    bool *masked, uint64_t *payload_len, uint32_t *mask);
/* "text", "ping", ...; NULL for reserved opcodes. */
const char *ws_opcode_name(uint8_t op);

const WsTx *ws_tx(const AppTx *tx);

extern const AppBufferDef ws_buffers[];
extern const char *const ws_event_names[];

#endif
