/* RDP (MS-RDPBCGR) connection sequence over TCP 3389: TPKT (RFC 1006) framing, the X.224
 * (ITU-T X.224 class 0) connection request and confirm with the cookie and the RDP
 * negotiation request/response/failure, and the MCS Connect-Initial (T.125) carrying the
 * GCC conference create request (T.124) with the client data blocks, and the MCS
 * Connect-Response. What follows a negotiated TLS or CredSSP security protocol is TLS. */
#ifndef VG_APP_LAYER_RDP_APP_LAYER_RDP_H
#define VG_APP_LAYER_RDP_APP_LAYER_RDP_H

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define RDP_COOKIE_MAX 128       // the mstshash value kept (longer is cut)
#define RDP_CHANNELS_MAX 31      // MS-RDPBCGR 2.2.1.3.4: at most 31 static channels
#define RDP_CORE_MAX 234         // TS_UD_CS_CORE up to deviceScaleFactor
#define RDP_CORE_MIN 132         // the mandatory fields (up to imeFileName)

enum {
    RDP_TX_INITIAL_REQUEST = 1,  // X.224 Connection Request
    RDP_TX_INITIAL_RESPONSE,     // X.224 Connection Confirm
    RDP_TX_CONNECT_REQUEST,      // MCS Connect-Initial
    RDP_TX_CONNECT_RESPONSE,     // MCS Connect-Response
};

enum { RDP_NEG_NONE = 0, RDP_NEG_REQ = 1, RDP_NEG_RSP = 2, RDP_NEG_FAILURE = 3 };

/* RDP_NEG_RSP selectedProtocol values (MS-RDPBCGR 2.2.1.2.1). */
enum {
    RDP_PROTO_RDP = 0, RDP_PROTO_SSL = 1, RDP_PROTO_HYBRID = 2, RDP_PROTO_RDSTLS = 4,
    RDP_PROTO_HYBRID_EX = 8,
};

typedef struct RdpTx {
    AppTx tx;                    // first
    uint8_t kind;                // RDP_TX_*
    uint8_t dir;                 // APP_DIR_* the PDU travelled
    /* initial request */
    bool has_cookie;
    uint16_t cookie_len;
    uint8_t cookie[RDP_COOKIE_MAX];
    /* initial request (RDP_NEG_REQ) / response (RDP_NEG_RSP or RDP_NEG_FAILURE) */
    uint8_t neg_type;
    uint8_t neg_flags;
    uint32_t neg_value;          // requestedProtocols, selectedProtocol or failureCode
    /* connect request: the TS_UD_CS_CORE block as sent (decoded when logged) */
    uint16_t core_len;           // 0: none
    uint8_t core[RDP_CORE_MAX];
    uint8_t n_channels;
    char channels[RDP_CHANNELS_MAX][9];
} RdpTx;

/* One TPKT PDU, whole (tpkt header included), parsed into t (kind 0: a PDU that makes no
 * tx, e.g. MCS domain PDUs). Returns false when the PDU is malformed: bad TPKT version or
 * length, an X.224 length indicator past the PDU, a cookie without its CRLF, a negotiation
 * structure of the wrong length, a BER length past its data. Exposed for the tests. */
bool rdp_parse_pdu(const uint8_t *pdu, uint32_t len, uint8_t dir, RdpTx *t);

#endif
