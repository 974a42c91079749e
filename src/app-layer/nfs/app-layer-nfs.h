#ifndef VG_APP_LAYER_NFS_APP_LAYER_NFS_H
#define VG_APP_LAYER_NFS_APP_LAYER_NFS_H

/* NFS v2 (RFC 1094), v3 (RFC 1813) and v4 (RFC 7530, COMPOUND) over ONC RPC (RFC 5531):
 * UDP (one message per datagram) and TCP (record marking). One transaction per RPC call,
 * completed by the reply with the same xid; READ and WRITE data become files, one tx per
 * file handle and direction spanning its chunks. Details: src/app-layer/nfs/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define NFS_PROGRAM 100003u
#define NFS_RECORD_MAX (1088u * 1024u)  // a TCP record (all fragments) longer is skipped
#define NFS_FH_MAX 128                  // bytes of a file handle kept (v4 NFS4_FHSIZE)
#define NFS_NAME_MAX 256                // bytes of a file name kept
#define NFS_MACHINE_MAX 64              // bytes of an AUTH_UNIX machine name kept
#define NFS_OPS_MAX 16                  // v4 COMPOUND operations kept per tx
#define NFS_COMPOUND_OPS_MAX 128        // v4 COMPOUND operations decoded
#define NFS_DIRENTS_MAX 4096            // READDIRPLUS / READDIR entries walked
#define NFS_PENDING_MAX 256             // unanswered calls per flow before the oldest is dropped
#define NFS_CHUNKS_MAX 64               // READ/WRITE calls awaiting a reply
#define NFS_NAMES_MAX 64                // file handle -> name pairs remembered per flow

enum { NFS_PROG_DONE = 1 };

enum {
    NFS_EV_MALFORMED_DATA = 0,
    NFS_EV_NON_EXISTING_VERSION,
    NFS_EV_UNSUPPORTED_VERSION,
    NFS_EV_TOO_MANY_TRANSACTIONS,
    NFS_EV_N,
};

/* v3 procedure numbers used by the parser (RFC 1813 section 3.3). */
enum {
    NFS3_NULL = 0, NFS3_GETATTR = 1, NFS3_SETATTR = 2, NFS3_LOOKUP = 3, NFS3_ACCESS = 4,
    NFS3_READLINK = 5, NFS3_READ = 6, NFS3_WRITE = 7, NFS3_CREATE = 8, NFS3_MKDIR = 9,
    NFS3_SYMLINK = 10, NFS3_MKNOD = 11, NFS3_REMOVE = 12, NFS3_RMDIR = 13, NFS3_RENAME = 14,
    NFS3_LINK = 15, NFS3_READDIR = 16, NFS3_READDIRPLUS = 17, NFS3_FSSTAT = 18,
    NFS3_FSINFO = 19, NFS3_PATHCONF = 20, NFS3_COMMIT = 21,
};
/* v2 procedure numbers (RFC 1094 section 2.2). */
enum {
    NFS2_GETATTR = 1, NFS2_LOOKUP = 4, NFS2_READ = 6, NFS2_WRITE = 8, NFS2_CREATE = 9,
    NFS2_REMOVE = 10, NFS2_RENAME = 11, NFS2_LINK = 12, NFS2_SYMLINK = 13, NFS2_MKDIR = 14,
    NFS2_RMDIR = 15, NFS2_READDIR = 16,
};
/* v4 procedures and operations (RFC 7530 section 16, RFC 5661 section 18). */
enum {
    NFS4_NULL = 0, NFS4_COMPOUND = 1, NFS4_OP_ACCESS = 3, NFS4_OP_CLOSE = 4,
    NFS4_OP_COMMIT = 5, NFS4_OP_CREATE = 6, NFS4_OP_DELEGRETURN = 8, NFS4_OP_GETATTR = 9,
    NFS4_OP_GETFH = 10, NFS4_OP_LINK = 11, NFS4_OP_LOOKUP = 15, NFS4_OP_LOOKUPP = 16,
    NFS4_OP_OPEN = 18, NFS4_OP_PUTFH = 22, NFS4_OP_PUTPUBFH = 23, NFS4_OP_PUTROOTFH = 24,
    NFS4_OP_READ = 25, NFS4_OP_READDIR = 26, NFS4_OP_READLINK = 27, NFS4_OP_REMOVE = 28,
    NFS4_OP_RENAME = 29, NFS4_OP_RENEW = 30, NFS4_OP_RESTOREFH = 31, NFS4_OP_SAVEFH = 32,
    NFS4_OP_SECINFO = 33, NFS4_OP_SETATTR = 34, NFS4_OP_SETCLIENTID = 35,
    NFS4_OP_SETCLIENTID_CONFIRM = 36, NFS4_OP_WRITE = 38, NFS4_OP_DESTROY_SESSION = 44,
    NFS4_OP_FREE_STATEID = 45, NFS4_OP_SECINFO_NO_NAME = 52, NFS4_OP_SEQUENCE = 53,
    NFS4_OP_DESTROY_CLIENTID = 57, NFS4_OP_RECLAIM_COMPLETE = 58, NFS4_OP_ILLEGAL = 10044,
};

/* A bounded XDR reader (RFC 4506): every read checks the length; err sticks. */
typedef struct NfsXdr {
    const uint8_t *p;
    uint32_t len;
    uint32_t off;
    bool err;
} NfsXdr;

uint32_t nfs_xdr_u32(NfsXdr *x);
uint64_t nfs_xdr_u64(NfsXdr *x);
/* Variable-length opaque or string of at most max bytes (padded to 4): its bytes in
 * place; NULL (and err) when longer than max or past the end. */
const uint8_t *nfs_xdr_opaque(NfsXdr *x, uint32_t max, uint32_t *len);
/* Fixed-length opaque of n bytes (padded to 4). */
const uint8_t *nfs_xdr_fixed(NfsXdr *x, uint32_t n);
static inline uint32_t nfs_xdr_left(const NfsXdr *x)
{
    return x->err ? 0 : x->len - x->off;
}

/* An RPC message header (RFC 5531 section 9). */
typedef struct NfsRpc {
    uint32_t xid;
    uint32_t msg_type;           // 0 CALL, 1 REPLY
    /* call */
    uint32_t prog, vers, proc;
    uint32_t auth_type;          // credential flavor
    bool has_unix;               // AUTH_UNIX credential decoded
    uint32_t uid, gid;
    uint8_t machine[NFS_MACHINE_MAX];
    uint32_t machine_len;
    /* reply */
    uint32_t reply_stat;         // 0 MSG_ACCEPTED, 1 MSG_DENIED
    uint32_t accept_stat;        // 0 SUCCESS ... (accepted replies)
} NfsRpc;

/* Decodes the RPC header at the start of x (one whole message); x is left at the
 * procedure's arguments (call) or results (accepted reply). False when malformed. */
bool nfs_rpc_parse(NfsXdr *x, NfsRpc *r);
/* Probe of one RPC message: an NFS call (prog 100003, rpcvers 2) or, when replies is
 * set, a well-formed reply header. */
bool nfs_rpc_looks_like(const uint8_t *data, uint32_t len, bool replies);

/* Names for EVE. v2/v3 procedures, v4 procedures and operations, status codes; NULL
 * when unknown. */
const char *nfs_proc_name(uint32_t version, uint32_t proc);
const char *nfs_status_name(uint32_t status);
const char *nfs_auth_name(uint32_t flavor);
/* The v3 procedure number of a v2 one (the same operation), or UINT32_MAX. */
uint32_t nfs2_to_nfs3(uint32_t proc2);
/* The procedure number for a name ("getattr", "readdirplus", "write" ...): v3 or v4
 * (for names only one version has, the other is UINT32_MAX). False when unknown. */
bool nfs_proc_by_name(const char *name, uint32_t *v3, uint32_t *v4);

typedef struct NfsTx {
    AppTx tx;
    uint32_t xid;
    uint32_t version;            // NFS version of the call
    uint32_t procedure;          // v2/v3: the procedure (v2: its v3 number); v4: main op
    uint32_t wire_procedure;     // the procedure number as sent (v2 numbers for v2)
    uint32_t n_ops;              // v4: operations of the COMPOUND (first NFS_OPS_MAX)
    uint32_t ops[NFS_OPS_MAX];
    bool request_done;
    bool response_done;
    uint32_t reply_stat;
    uint32_t accept_stat;
    uint32_t nfs_status;
    bool has_nfs_status;
    uint32_t auth_type;
    bool has_unix;
    uint32_t uid, gid;
    uint8_t machine[NFS_MACHINE_MAX];
    uint32_t machine_len;
    uint8_t fh[NFS_FH_MAX];
    uint32_t fh_len;
    uint8_t name[NFS_NAME_MAX];
    uint32_t name_len;
    uint8_t rename_to[NFS_NAME_MAX];
    uint32_t rename_to_len;
    bool has_rename;
    bool is_event_tx;            // carries the event of data no call/reply tx owns
    /* file txs (READ: toclient, WRITE: toserver) */
    bool is_file_tx;
    uint8_t file_dir;
    bool is_first;               // the first chunk was at offset 0
    bool is_last;                // the file ended (eof, FILE_SYNC, COMMIT)
    bool file_closed;
    uint32_t file_last_xid;
    uint32_t chunks;
    uint64_t file_next;          // next file offset expected
    void *file;                  // AppFileTrack *
} NfsTx;

/* For detect: the tx as an NFS tx (NULL for another protocol's). */
const NfsTx *nfs_tx(const AppTx *tx);
/* nfs_procedure: the tx's procedure, or one of its v4 COMPOUND operations, satisfies
 * match(ctx, value). */
bool nfs_tx_any_proc(const NfsTx *t, bool (*match)(const void *ctx, uint64_t v),
                     const void *ctx);

extern const char *const nfs_event_names[];

#endif
