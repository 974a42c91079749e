#ifndef VG_APP_LAYER_NFS_APP_LAYER_NFS_INTERNAL_H
#define VG_APP_LAYER_NFS_APP_LAYER_NFS_INTERNAL_H

/* Inside the NFS parser: the per-flow state shared by the framing/tx code
 * (app-layer-nfs.c) and the procedure decoders (app-layer-nfs-proc.c). */

#include "app-layer/app-layer-internal.h"
#include "app-layer/nfs/app-layer-nfs.h"

typedef struct NfsDir {          // TCP record marking, per direction
    uint8_t *buf;                // the record gathered so far (fragments joined)
    uint32_t len;
    uint32_t cap;
    uint8_t hdr[4];              // a fragment header cut by a segment
    uint32_t hdr_len;
    uint32_t frag_left;          // bytes of the current fragment still to come
    bool last_frag;
    bool skipping;               // the record is too long: dropped to its end
} NfsDir;

typedef struct NfsChunk {        // a READ or WRITE call awaiting its reply
    bool used;
    bool is_write;
    uint32_t xid;
    uint64_t tx_id;              // WRITE: the file tx
    uint64_t offset;             // READ: where the data goes
    NfsRpc rpc;                  // READ: the call (credentials for the file tx)
    uint8_t fh[NFS_FH_MAX];
    uint32_t fh_len;
} NfsChunk;

typedef struct NfsName {
    uint8_t fh[NFS_FH_MAX];
    uint32_t fh_len;
    uint8_t name[NFS_NAME_MAX];
    uint32_t name_len;
} NfsName;

typedef struct NfsState {
    AppFlow *af;
    bool is_tcp;
    uint32_t version;            // NFS version of the last call
    NfsDir dir[2];
    NfsChunk chunks[NFS_CHUNKS_MAX];
    uint32_t next_chunk;
    NfsName *names;              // NFS_NAMES_MAX, allocated at the first name (memcap)
    uint32_t n_names;
    uint32_t next_name;
    NfsTx *msg_tx;               // the tx the message being parsed made or updated
} NfsState;

typedef struct NfsReadRes {
    bool has_status;
    uint32_t status;
    const uint8_t *data;         // READ data (NULL: none)
    uint32_t len;
    bool eof;
} NfsReadRes;

/* app-layer-nfs.c */
NfsTx *nfs_call_tx(NfsState *st, const NfsRpc *r, uint32_t proc);
NfsTx *nfs_tx_find_id(NfsState *st, uint64_t id);
void nfs_tx_set_fh(NfsTx *t, const uint8_t *fh, uint32_t len);
void nfs_copy_name(uint8_t *dst, uint32_t *dst_len, const uint8_t *s, uint32_t len);
void nfs_name_add(NfsState *st, const uint8_t *fh, uint32_t fh_len, const uint8_t *name,
                  uint32_t name_len);
void nfs_write_call(NfsState *st, const NfsRpc *r, const uint8_t *fh, uint32_t fh_len,
                    uint64_t offset, const uint8_t *data, uint32_t len, bool last);
void nfs_read_call(NfsState *st, const NfsRpc *r, const uint8_t *fh, uint32_t fh_len,
                   uint64_t offset);
void nfs_commit_call(NfsState *st, const uint8_t *fh, uint32_t fh_len);
/* A tx without a name takes the one learned for its file handle, if any. */
void nfs_tx_name_from_fh(const NfsState *st, NfsTx *t);
/* An event of the message being parsed: on its tx, else on a tx of its own (complete,
 * without an nfs record) so that app-layer-event rules see it. */
void nfs_msg_event(NfsState *st, uint8_t dir, uint32_t ev);

/* app-layer-nfs-proc.c. A call's arguments (x after the RPC header): makes the tx or
 * feeds the file; false when they are malformed (what was decoded is kept). */
bool nfs_call_args(NfsState *st, const NfsRpc *r, NfsXdr *x);
/* The results of a successful reply to tx's call; false when malformed. */
bool nfs_reply_results(NfsState *st, NfsTx *t, NfsXdr *x);
/* The results of a successful READ/WRITE reply; false when malformed. */
bool nfs_chunk_results(NfsState *st, const NfsChunk *c, NfsXdr *x, NfsReadRes *out);

#endif
