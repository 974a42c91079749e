#ifndef VG_APP_LAYER_SMB_APP_LAYER_SMB_STATE_H
#define VG_APP_LAYER_SMB_APP_LAYER_SMB_STATE_H

/* The per-flow SMB state shared by the SMB2 (app-layer-smb.c) and SMB1
 * (app-layer-smb1.c) halves of the parser. */

#include "app-layer/smb/app-layer-smb.h"

typedef struct SmbFid {
    uint8_t fid[16];             // SMB2 FileId, or the SMB1 FID in the first 2 bytes
    uint8_t vers;
    SmbStr name;
    SmbStr share;
    bool is_pipe;
    DceConn *dce;                // pipes: presentation contexts (owned)
    SmbTx *file[2];              // the file tx per direction (NULL when none is open)
} SmbFid;

typedef struct SmbTree {
    uint32_t tree_id;
    SmbStr share;
    bool is_pipe;
} SmbTree;

typedef struct SmbPendingRead {
    uint64_t msg_id;
    uint8_t fid[16];
    uint64_t offset;
    uint32_t tree_id;
} SmbPendingRead;

typedef struct SmbState {
    AppFlow *af;
    uint8_t *carry[2];           // an NBSS record split over deliveries
    uint32_t carry_len[2];
    uint32_t carry_cap[2];
    bool synced[2];              // false: hunting for a record start (midstream)
    uint16_t dialect;            // negotiated SMB2 dialect
    SmbStr dialect1;             // negotiated SMB1 dialect
    SmbStr smb1_dialects[16];    // offered by the last SMB1 negotiate request
    uint32_t n_smb1_dialects;
    bool negotiated;
    SmbFid fids[SMB_FIDS_MAX];
    uint32_t n_fids;
    SmbTree trees[SMB_TREES_MAX];
    uint32_t n_trees;
    SmbTx *open[SMB_OPEN_MAX];   // txs waiting for their response, oldest first
    uint32_t n_open;
    SmbPendingRead reads[64];    // READ requests on files waiting for their data
    uint32_t n_reads;
    uint32_t nbss_pos;           // offset of the current SMB header in the record
    uint64_t carry_off[2];       // frames: stream offset of the carried record
    bool carry_framed[2];        // frames: its NBSS and first SMB frames are marked
} SmbState;

/* ---- app-layer-smb.c ---- */
SmbTx *smb_tx_new(SmbState *st, uint8_t vers, uint16_t cmd, uint64_t msg_id);
SmbTx *smb_tx_find(SmbState *st, uint8_t vers, uint16_t cmd, uint64_t msg_id);
/* The response came: the tx is complete unless it waits for a DCERPC response. */
void smb_tx_respond(SmbState *st, SmbTx *t);
void smb_tx_request_done(SmbTx *t);
SmbFid *smb_fid_find(SmbState *st, const uint8_t *fid, uint32_t fid_len);
/* The name of a usual DCERPC pipe (lsarpc, svcctl, ...), with or without \PIPE\. */
bool smb_name_is_rpc_pipe(const SmbStr *name);
SmbFid *smb_fid_add(SmbState *st, const uint8_t *fid, uint32_t fid_len);
void smb_fid_close(SmbState *st, const uint8_t *fid, uint32_t fid_len);
SmbTree *smb_tree_find(SmbState *st, uint32_t tree_id);
SmbTree *smb_tree_add(SmbState *st, uint32_t tree_id);
/* File data of fid in dir at offset (reads toclient, writes toserver). */
SmbTx *smb_file_data(SmbState *st, SmbFid *fd, uint8_t vers, uint16_t cmd, uint8_t dir,
                     uint64_t offset, const uint8_t *d, uint32_t n);
/* The file of ft ends (state APP_FILE_CLOSED or _TRUNCATED): held chunks go first. */
void smb_file_end(SmbState *st, SmbTx *ft, uint8_t state);
/* DCERPC bytes on a pipe: request PDUs (toserver) start calls on tx, response PDUs
 * (toclient) end the call of the same call_id on whichever tx waits for it. */
void smb_pipe_data(SmbState *st, SmbFid *fd, SmbTx *t, uint8_t dir, const uint8_t *d,
                   uint32_t n);
bool smb_read_pending_add(SmbState *st, uint64_t msg_id, const uint8_t *fid, uint64_t off,
                          uint32_t tree_id);
bool smb_read_pending_take(SmbState *st, uint64_t msg_id, SmbPendingRead *out);

/* ---- app-layer-smb1.c ---- */
/* One SMB1 message (from its 0xff 'SMB' header to the record's end). */
void smb1_message(SmbState *st, uint8_t dir, const uint8_t *m, uint32_t n);

#endif
