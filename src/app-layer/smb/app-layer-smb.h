#ifndef VG_APP_LAYER_SMB_APP_LAYER_SMB_H
#define VG_APP_LAYER_SMB_APP_LAYER_SMB_H

/* SMB 1, 2 and 3 over TCP 445 / 139 (NetBIOS session service framing, RFC 1002
 * 4.3; MS-SMB, MS-SMB2): one transaction per request and its final response (SMB2
 * message id, SMB1 multiplex id and command), file reads and writes gathered in one
 * transaction per file and direction (the file named by its create), DCERPC on named
 * pipes (writes, reads and FSCTL_PIPE_TRANSCEIVE) through the shared DCERPC engine.
 * Details: src/app-layer/smb/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/dcerpc/app-layer-dcerpc.h"

#define SMB_IO_MAX (8u * 1024u * 1024u)              // read / write size followed
#define SMB_RECORD_MAX (SMB_IO_MAX + 1024u)          // NBSS record bytes carried
#define SMB_FIDS_MAX 512         // open files / pipes remembered per flow
#define SMB_TREES_MAX 64         // tree connects remembered
#define SMB_OPEN_MAX 512         // requests waiting for their response
#define SMB_NAME_MAX 1024        // bytes kept of a file / share name (UTF-8)

enum {
    SMB_EV_INTERNAL_ERROR = 0,
    SMB_EV_MALFORMED_DATA,
    SMB_EV_RECORD_OVERFLOW,
    SMB_EV_MALFORMED_NTLMSSP_REQUEST,
    SMB_EV_MALFORMED_NTLMSSP_RESPONSE,
    SMB_EV_DUPLICATE_NEGOTIATE,
    SMB_EV_NEGOTIATE_MALFORMED_DIALECTS,
    SMB_EV_FILE_OVERLAP,
    SMB_EV_REQUEST_TO_CLIENT,
    SMB_EV_RESPONSE_TO_SERVER,
    SMB_EV_READ_REQUEST_TOO_LARGE,
    SMB_EV_READ_RESPONSE_TOO_LARGE,
    SMB_EV_WRITE_REQUEST_TOO_LARGE,
    SMB_EV_NEGOTIATE_MAX_READ_SIZE_TOO_LARGE,
    SMB_EV_NEGOTIATE_MAX_WRITE_SIZE_TOO_LARGE,
    SMB_EV_WRITE_QUEUE_SIZE_EXCEEDED,
    SMB_EV_WRITE_QUEUE_CNT_EXCEEDED,
    SMB_EV_READ_QUEUE_SIZE_EXCEEDED,
    SMB_EV_READ_QUEUE_CNT_EXCEEDED,
    SMB_EV_TOO_MANY_TRANSACTIONS,
    SMB_EV_N,
};

enum { SMB_KIND_CMD = 0, SMB_KIND_FILE };

#define SMB_OOO_CHUNKS_MAX 32     // file chunks held that came before their turn
#define SMB_OOO_BYTES_MAX (8u * 1024u * 1024u)

typedef struct SmbChunk {
    uint64_t off;
    uint8_t *d;                  // owned, charged
    uint32_t n;
} SmbChunk;

typedef struct SmbStr {
    uint8_t *s;                  // UTF-8 (owned), NULL when absent
    uint32_t len;
} SmbStr;

typedef struct SmbTx {
    AppTx tx;                    // first
    uint8_t kind;                // SMB_KIND_*
    uint8_t vers;                // 1 or 2 (2 also for SMB3)
    uint16_t command;
    uint64_t msg_id;             // SMB2 message id / SMB1 mid
    uint32_t status;
    bool has_status;
    bool status_dos;             // SMB1 DOS error class/code (status_code 0x%04x)
    uint64_t session_id;
    uint32_t tree_id;
    uint16_t dialect;            // SMB2 dialect (0: unknown)
    SmbStr dialect1;             // SMB1 dialect name
    /* negotiate */
    SmbStr client_dialects[16];
    uint32_t n_client_dialects;
    uint8_t server_guid[16];
    bool has_server_guid;
    /* session setup */
    SmbStr ntlm_user, ntlm_domain, ntlm_host;
    char ntlm_version[48];
    bool has_ntlmssp;
    SmbStr req_native_os, req_native_lm, res_native_os, res_native_lm;
    /* tree connect */
    SmbStr share;
    uint8_t share_type;          // 1 disk, 2 pipe, 3 print
    bool is_pipe;
    /* create / file */
    SmbStr filename;
    bool has_disposition;
    uint32_t disposition;
    bool delete_on_close;
    bool has_times;
    uint64_t created, accessed, modified, changed, size;
    uint8_t fid[16];
    bool has_fid;
    /* ioctl */
    uint32_t ctl_code;
    bool has_ioctl;
    /* files (SMB_KIND_FILE) */
    uint8_t file_dir;
    AppFileTrack *file;
    uint64_t file_next;          // next expected file offset
    SmbChunk ooo[SMB_OOO_CHUNKS_MAX];   // later chunks (reads answered out of order),
    uint32_t n_ooo;                     // by offset
    uint64_t ooo_bytes;
    /* DCERPC on a pipe */
    bool has_dce;
    DceCall dce;
    bool wants_dce_response;     // the request's call waits for its response PDU
    bool res_seen;               // the SMB response came
} SmbTx;

const SmbTx *smb_tx(const AppTx *tx);
const char *smb_command_name(uint8_t vers, uint16_t cmd);
/* NT status name ("STATUS_SUCCESS") or NULL when not in the table. */
const char *smb_ntstatus_name(uint32_t status);
/* SMB2 dialect "2.02", "3.11" ... into out. */
void smb_dialect_str(uint16_t d, char out[8]);
/* UTF-16LE (n bytes) to UTF-8 (at most SMB_NAME_MAX bytes), stopping at a NUL. */
bool smb_utf16_to_str(AppFlow *af, const uint8_t *p, uint32_t n, SmbStr *out);
bool smb_ascii_to_str(AppFlow *af, const uint8_t *p, uint32_t n, SmbStr *out);
void smb_str_free(AppFlow *af, SmbStr *s);
/* NTLMSSP AUTHENTICATE (type 3) inside a security blob: user, domain, host, version.
 * False when the blob holds no NTLMSSP message or it is malformed (*malformed). */
bool smb_ntlmssp_parse(AppFlow *af, SmbTx *t, const uint8_t *blob, uint32_t len,
                       bool *malformed);

void smb_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);

#define SMB_N_BUFFERS 8
extern const AppBufferDef smb_buffers[SMB_N_BUFFERS];
extern const char *const smb_event_names[SMB_EV_N];

#endif
