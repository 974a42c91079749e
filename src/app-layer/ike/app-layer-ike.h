#ifndef VG_APP_LAYER_IKE_APP_LAYER_IKE_H
#define VG_APP_LAYER_IKE_APP_LAYER_IKE_H

/* IKE over UDP 500 and 4500 (NAT traversal, RFC 3948: a zero non-ESP marker before the
 * header): IKEv1 / ISAKMP (RFC 2408, RFC 2409) and IKEv2 (RFC 7296). One transaction per
 * message, in the direction it travelled, complete at once. Payloads are read up to the
 * first encrypted one. Details: src/app-layer/ike/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define IKE_HDR_LEN 28
#define IKE_PAYLOADS_MAX 32      // payload types kept per message (more are counted)
#define IKE_VENDORS_MAX 16       // vendor IDs kept per message
#define IKE_ATTRS_MAX 32         // SA attributes / transforms kept per message

enum { IKE_PROG_DONE = 1 };

enum {
    IKE_EV_MALFORMED_DATA = 0,
    IKE_EV_PAYLOAD_EXTRA_DATA,
    IKE_EV_MULTIPLE_SERVER_PROPOSAL,
    IKE_EV_N,
};

/* IKEv1 SA attribute (RFC 2409 Appendix A; TV form, or TLV with a value of at most 8
 * octets) or IKEv2 transform (type, id; RFC 7296 section 3.3.2). */
typedef struct IkeAttr {
    uint16_t type;
    uint64_t value;
} IkeAttr;

typedef struct IkeMsg {
    uint8_t init_spi[8];
    uint8_t resp_spi[8];
    char init_spi_hex[17];
    char resp_spi_hex[17];
    uint8_t maj_ver;
    uint8_t min_ver;
    uint8_t exch_type;
    uint8_t flags;
    uint32_t message_id;
    uint32_t length;
    bool is_encrypted;           // v1 encryption flag, or a v2 SK payload
    uint8_t payload_types[IKE_PAYLOADS_MAX];
    uint32_t n_payloads;
    const uint8_t *ke;           // key exchange data (inside raw); NULL: none
    uint32_t ke_len;
    uint16_t ke_group;           // v2: the DH group of the KE payload
    const uint8_t *nonce;
    uint32_t nonce_len;
    uint32_t n_vendors;
    const uint8_t *vendor[IKE_VENDORS_MAX];
    uint32_t vendor_len[IKE_VENDORS_MAX];
    char *vendor_hex;            // owned: each vendor ID as lower-case hex, NUL-ended
    uint32_t vendor_hex_off[IKE_VENDORS_MAX];
    uint32_t n_proposals;        // SA proposals seen
    uint32_t n_attrs;            // attributes (v1) / transforms (v2) of the first proposal
    IkeAttr attrs[IKE_ATTRS_MAX];
    uint8_t *raw;                // owned copy of the message
    uint32_t raw_len;
} IkeMsg;

typedef struct IkeTx {
    AppTx tx;
    uint8_t dir;
    bool has_msg;
    IkeMsg msg;
    uint32_t mem_bytes;
} IkeTx;

/* Parses one message (header first) into m, copying it. Returns 0 or IKE_EV_* + 1 for the
 * event malformed input raises (m then holds what was read). Free with ike_msg_deinit. */
int ike_msg_parse(const uint8_t *data, uint32_t len, IkeMsg *m)
    __attribute__((warn_unused_result));
void ike_msg_deinit(IkeMsg *m);
/* IKEv1 attribute names of ike.chosen_sa_attribute (alg_enc ...) and their type numbers. */
int ike_attr_by_name(const char *name);
const char *ike_attr_name(uint16_t type);
/* For detect: the message of tx (NULL when not IKE). */
const IkeTx *ike_tx(const AppTx *tx);

extern const char *const ike_event_names[];

#endif
