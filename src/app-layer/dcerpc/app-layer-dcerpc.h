#ifndef VG_APP_LAYER_DCERPC_APP_LAYER_DCERPC_H
#define VG_APP_LAYER_DCERPC_APP_LAYER_DCERPC_H

/* DCE/RPC connection-oriented PDUs (DCE 1.1 RPC chapter 12, MS-RPCE 2.2.2):
 * bind / alter_context and their acks name the interfaces of each presentation
 * context; request / response carry an opnum and stub data, split in fragments that
 * are reassembled per call. The engine (app-layer-dcerpc-pdu.c) works on whole PDUs
 * and is shared by DCERPC over TCP (this folder's row) and DCERPC over SMB named
 * pipes (src/app-layer/smb). Details: src/app-layer/dcerpc/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer-internal.h"

#define DCE_HDR_LEN 16
#define DCE_IFACES_MAX 32        // presentation contexts kept per connection
#define DCE_STUB_MAX (1u << 20)  // stub bytes kept per call and direction

enum {
    DCE_PT_REQUEST = 0,
    DCE_PT_PING = 1,
    DCE_PT_RESPONSE = 2,
    DCE_PT_FAULT = 3,
    DCE_PT_BIND = 11,
    DCE_PT_BIND_ACK = 12,
    DCE_PT_BIND_NAK = 13,
    DCE_PT_ALTER_CONTEXT = 14,
    DCE_PT_ALTER_CONTEXT_RESP = 15,
    DCE_PT_SHUTDOWN = 17,
    DCE_PT_CO_CANCEL = 18,
    DCE_PT_ORPHANED = 19,
    DCE_PT_NONE = 0xff,
};

enum { DCE_PFC_FIRST_FRAG = 0x01, DCE_PFC_LAST_FRAG = 0x02, DCE_PFC_OBJECT_UUID = 0x80 };

enum {
    DCE_EV_MALFORMED = 0,        // a PDU whose header or body does not hold together
    DCE_EV_FRAGMENT_TOO_LARGE,   // reassembled stub past DCE_STUB_MAX (rest dropped)
    DCE_EV_N,
};

typedef struct DceIface {
    uint8_t uuid[16];            // as on the wire, already in canonical order (see below)
    uint16_t ver;
    uint16_t ver_minor;
    uint16_t ctx_id;
    uint16_t ack_result;         // 0 acceptance, 1 user rejection, 2 provider rejection
    uint16_t ack_reason;
    bool acked;
} DceIface;

/* Presentation contexts of a connection (a TCP connection, or an SMB pipe). */
typedef struct DceConn {
    DceIface ifaces[DCE_IFACES_MAX];
    uint32_t n_ifaces;
    uint32_t bind_first;         // first iface of the last bind (its ack applies there)
    uint32_t bind_n;
} DceConn;

/* One call: a bind and its ack, or a request and its response. Embedded in the
 * DCERPC tx and in SMB txs that carry DCERPC on a pipe. */
typedef struct DceCall {
    uint8_t req_type;            // DCE_PT_* of the request side (DCE_PT_NONE: none seen)
    uint8_t res_type;            // of the response side
    uint8_t rpc_ver;
    uint8_t rpc_ver_minor;
    uint32_t call_id;
    uint16_t opnum;
    uint16_t ctx_id;
    bool has_object;
    uint8_t object[16];
    uint32_t req_frags;
    uint32_t res_frags;
    bool req_done;               // last fragment seen
    bool res_done;
    uint8_t *req_stub;           // reassembled stub data (owned, charged)
    uint32_t req_stub_len;
    uint32_t req_stub_cap;
    uint8_t *res_stub;
    uint32_t res_stub_len;
    uint32_t res_stub_cap;
    uint64_t req_stub_size;      // whole size, kept bytes or not
    uint64_t res_stub_size;
    bool big_endian;             // data representation of the request
    bool stub_truncated;         // stub data past DCE_STUB_MAX was dropped
    bool is_udp;                 // connectionless (activity, sequence number)
    uint8_t activity[16];
    bool truncation_reported;
    /* the interfaces of a bind (copied from the connection when the ack came), or the
     * interface bound to ctx_id of a request */
    DceIface ifaces[DCE_IFACES_MAX];
    uint32_t n_ifaces;
} DceCall;

/* The call a PDU belongs to: find (or, with create, make) the call of call_id in the
 * caller's txs. NULL: drop the PDU. */
typedef DceCall *(*DceCallFind)(void *ud, uint32_t call_id, uint8_t ptype, uint8_t dir,
                                bool create);

/* Reads a PDU header: total fragment length, or 0 when data is not a DCERPC header
 * (version 5 with a known type and a sane length). */
uint32_t dce_pdu_len(const uint8_t *data, uint32_t len);
/* The call_id of a whole header (dce_pdu_len said yes). */
uint32_t dce_pdu_call_id(const uint8_t *pdu);
/* One whole PDU of len bytes (dce_pdu_len) in dir; af (may be NULL) is charged for
 * stub bytes. Returns false when the PDU was malformed. */
bool dce_pdu(DceConn *c, AppFlow *af, uint8_t dir, const uint8_t *pdu, uint32_t len,
             DceCallFind find, void *ud);
/* Appends stub bytes of a call in dir (reassembly, capped at DCE_STUB_MAX). */
void dce_stub_append(AppFlow *af, DceCall *call, uint8_t dir, const uint8_t *d, uint32_t n);
/* Connectionless (UDP) PDUs (app-layer-dcerpc-udp.c): the header is sane (version 4, a
 * known type, a body length inside the datagram). */
bool dce_cl_header_ok(const uint8_t *d, uint32_t len);
/* One datagram in dir; the call is found by the sequence number, the activity uuid
 * is written to activity. False when malformed. */
bool dce_cl_pdu(AppFlow *af, uint8_t dir, const uint8_t *d, uint32_t len, DceCallFind find,
                void *ud, uint8_t activity[16]);
void dce_call_init(DceCall *call);
void dce_call_free(AppFlow *af, DceCall *call);   // af NULL: no memcap release
/* "6bffd098-a112-3610-9833-46c3f87e345a" into out (37 bytes). */
void dce_uuid_str(const uint8_t uuid[16], char out[37]);
/* Parses the textual form; false when malformed. */
bool dce_uuid_parse(const char *s, uint8_t uuid[16]);
/* The interface ctx_id of a request is bound to (accepted), or NULL. */
const DceIface *dce_call_iface(const DceCall *call);
const char *dce_type_name(uint8_t ptype);   // "REQUEST", "BIND", ... ("UNKNOWN")
/* The "dcerpc" fields of a call (inside an open object). */
void dce_call_log(const DceCall *call, JsonBuf *jb);

/* ---- DCERPC over TCP (app-layer-dcerpc.c) ---- */

typedef struct DcerpcTx {
    AppTx tx;                    // first
    DceCall call;
} DcerpcTx;
const DcerpcTx *dcerpc_tx(const AppTx *tx);
/* The call of a DCERPC tx, or of an SMB tx carrying DCERPC; NULL otherwise. */
const DceCall *dce_call_of(const AppTx *tx);

extern const char *const dcerpc_event_names[DCE_EV_N];

/* dcerpc.stub_data per direction (DCERPC txs; the SMB row lists its own rows with
 * these getters). */
#define DCERPC_N_BUFFERS 2
extern const AppBufferDef dcerpc_buffers[DCERPC_N_BUFFERS];
bool dce_get_stub_ts(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l);
bool dce_get_stub_tc(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l);
/* The DCERPC call an SMB tx carries (src/app-layer/smb), or NULL. */
const DceCall *smb_tx_dce_call(const AppTx *tx);

#endif
