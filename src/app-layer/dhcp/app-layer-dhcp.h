/* DHCP (RFC 2131, options RFC 2132) over UDP 67/68: each message is a tx of the
 * direction it came in. */
#ifndef VIGIL_APP_LAYER_DHCP_H
#define VIGIL_APP_LAYER_DHCP_H

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define DHCP_FIXED_LEN 236       // BOOTP header up to the options' magic cookie
#define DHCP_PARAMS_MAX 64
#define DHCP_ADDRS_MAX 8
#define DHCP_TEXT_MAX 255        // an option's data never exceeds 255 bytes

enum { DHCP_OP_REQUEST = 1, DHCP_OP_REPLY = 2 };

enum {
    DHCP_HAS_TYPE = 1u << 0,
    DHCP_HAS_LEASE = 1u << 1,
    DHCP_HAS_RENEWAL = 1u << 2,
    DHCP_HAS_REBINDING = 1u << 3,
    DHCP_HAS_MASK = 1u << 4,
    DHCP_HAS_REQUESTED_IP = 1u << 5,
    DHCP_HAS_PARAMS = 1u << 6,
    DHCP_HAS_ROUTERS = 1u << 7,
    DHCP_HAS_DNS = 1u << 8,
    DHCP_HAS_CLIENT_ID = 1u << 9,
    DHCP_HAS_HOSTNAME = 1u << 10,
    DHCP_HAS_VENDOR = 1u << 11,
};

/* One message, decoded. Text options keep their bytes (not NUL-terminated). */
typedef struct DhcpMsg {
    uint8_t op;                  // DHCP_OP_*
    uint8_t htype, hlen;
    uint32_t xid;
    uint8_t ciaddr[4], yiaddr[4], siaddr[4], giaddr[4];
    uint8_t chaddr[16];
    uint32_t has;                // DHCP_HAS_*
    uint8_t msg_type;            // option 53
    uint32_t lease_time, renewal_time, rebinding_time;
    uint8_t subnet_mask[4];
    uint8_t requested_ip[4];
    uint8_t params[DHCP_PARAMS_MAX];
    uint8_t n_params;
    uint8_t routers[DHCP_ADDRS_MAX][4];
    uint8_t n_routers;
    uint8_t dns[DHCP_ADDRS_MAX][4];
    uint8_t n_dns;
    uint8_t client_id[DHCP_TEXT_MAX];
    uint8_t client_id_len;
    uint8_t hostname[DHCP_TEXT_MAX];
    uint8_t hostname_len;
    uint8_t vendor[DHCP_TEXT_MAX];
    uint8_t vendor_len;
    bool truncated_options;      // an option ran past the end of its area
} DhcpMsg;

/* Decodes a message: the fixed header, the magic cookie and the options, including
 * those in the file and sname fields when option 52 (overload) says so. False when
 * it is not a BOOTP/DHCP message (too short, bad op, no cookie). Options that run
 * past their area are dropped and flagged. */
bool dhcp_decode(const uint8_t *data, uint32_t len, DhcpMsg *m);

typedef struct DhcpTx {
    AppTx tx;                    // first
    DhcpMsg m;
} DhcpTx;

const DhcpTx *dhcp_tx(const AppTx *tx);

#endif
