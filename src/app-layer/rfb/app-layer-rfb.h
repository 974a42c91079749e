#ifndef VG_APP_LAYER_RFB_APP_LAYER_RFB_H
#define VG_APP_LAYER_RFB_APP_LAYER_RFB_H

/* RFB (VNC, RFC 6143) over TCP: the handshake of a session (protocol versions, security
 * types, VNC authentication, security result, ClientInit and ServerInit) in one
 * transaction per flow; nothing is parsed after ServerInit. Details:
 * src/app-layer/rfb/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define RFB_NAME_MAX 4096        // ServerInit name / failure reason kept at most
#define RFB_PROG_DONE 1

enum {
    RFB_EV_UNIMPLEMENTED_SECURITY_TYPE = 0,
    RFB_EV_UNKNOWN_SECURITY_RESULT,
    RFB_EV_MALFORMED_MESSAGE,
    RFB_EV_CONFUSED_STATE,
    RFB_EV_N,
};

enum { RFB_SEC_INVALID = 0, RFB_SEC_NONE = 1, RFB_SEC_VNC = 2 };

typedef struct RfbPixelFormat {
    uint8_t bits_per_pixel, depth, big_endian, true_color;
    uint16_t red_max, green_max, blue_max;
    uint8_t red_shift, green_shift, blue_shift;
} RfbPixelFormat;

typedef struct RfbTx {
    AppTx tx;
    char server_major[4], server_minor[4];   // "003", "008" (NUL-ended)
    char client_major[4], client_minor[4];
    bool has_server_version, has_client_version;
    bool has_sec_type;
    uint32_t sec_type;           // chosen (3.7+) or imposed (3.3) security type
    bool has_vnc;
    uint8_t challenge[16], response[16];
    bool has_result;
    uint32_t sec_result;         // 0 OK, 1 failed, 2 too many attempts
    bool has_shared;
    bool shared;
    bool has_server_init;
    uint16_t width, height;
    RfbPixelFormat pf;
    uint8_t *name;               // owned
    uint32_t name_len;
} RfbTx;

const RfbTx *rfb_tx(const AppTx *tx);

extern const AppBufferDef rfb_buffers[];
extern const char *const rfb_event_names[];

#endif
