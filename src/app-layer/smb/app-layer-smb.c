/* SMB over TCP: NetBIOS session service records (a 4-byte header: type, 17-bit
 * length), each holding an SMB1 message or one or more (compounded) SMB2/3 messages.
 * A midstream start or junk is skipped up to the next record whose header announces
 * an SMB message. Transactions: one per request and its final response; reads and
 * writes of a file gathered in one file transaction per direction; DCERPC on pipes. */
#include "app-layer/smb/app-layer-smb-state.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stream/stream.h"

const char *const smb_event_names[SMB_EV_N] = {
    "internal_error",
    "malformed_data",
    "record_overflow",
    "malformed_ntlmssp_request",
    "malformed_ntlmssp_response",
    "duplicate_negotiate",
    "negotiate_malformed_dialects",
    "file_overlap",
    "request_to_client",
    "response_to_server",
    "read_request_too_large",
    "read_response_too_large",
    "write_request_too_large",
    "negotiate_max_read_size_too_large",
    "negotiate_max_write_size_too_large",
    "write_queue_size_exceeded",
    "write_queue_cnt_exceeded",
    "read_queue_size_exceeded",
    "read_queue_cnt_exceeded",
    "too_many_transactions",
};

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- state and transactions --------------------------------------------- */

static void *smb_state_new(AppFlow *af)
{
    SmbState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
        /* as Suricata (smb stream-depth 0): files are followed past the reassembly
         * depth */
        if (af->f != NULL && af->f->key.proto == 6) {
            stream_flow_unlimit_depth(af->f);
            stream_flow_raw_chunked(af->f);
        }
    }
    return st;
}

static void fid_free(AppFlow *af, SmbFid *fd)
{
    smb_str_free(af, &fd->name);
    smb_str_free(af, &fd->share);
    if (fd->dce != NULL) {
        app_mem_release(af, sizeof(DceConn));
        free(fd->dce);
        fd->dce = NULL;
    }
}

static void smb_state_free(void *state)
{
    SmbState *st = state;
    if (st == NULL) {
        return;
    }
    for (int d = 0; d < 2; d++) {
        app_mem_release(st->af, st->carry_cap[d]);
        free(st->carry[d]);
    }
    for (uint32_t i = 0; i < st->n_fids; i++) {
        fid_free(st->af, &st->fids[i]);
    }
    for (uint32_t i = 0; i < st->n_trees; i++) {
        smb_str_free(st->af, &st->trees[i].share);
    }
    for (uint32_t i = 0; i < st->n_smb1_dialects; i++) {
        smb_str_free(st->af, &st->smb1_dialects[i]);
    }
    smb_str_free(st->af, &st->dialect1);
    free(st);
}

static void open_remove(SmbState *st, const SmbTx *t)
{
    for (uint32_t i = 0; i < st->n_open; i++) {
        if (st->open[i] == t) {
            memmove(&st->open[i], &st->open[i + 1], (st->n_open - i - 1) * sizeof(st->open[0]));
            st->n_open--;
            return;
        }
    }
}

static void tx_close(SmbTx *t)
{
    for (uint8_t d = 0; d < 2; d++) {
        if (t->tx.progress[d] != 1) {
            t->tx.progress[d] = 1;
            app_tx_touch(&t->tx, d);
        }
    }
}

static void smb_tx_free(void *state, AppTx *tx)
{
    SmbState *st = state;
    SmbTx *t = (SmbTx *)tx;
    AppFlow *af = st != NULL ? st->af : NULL;
    SmbStr *strs[] = {&t->dialect1, &t->ntlm_user, &t->ntlm_domain, &t->ntlm_host,
                      &t->req_native_os, &t->req_native_lm, &t->res_native_os,
                      &t->res_native_lm, &t->share, &t->filename};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        smb_str_free(af, strs[i]);
    }
    for (uint32_t i = 0; i < t->n_client_dialects; i++) {
        smb_str_free(af, &t->client_dialects[i]);
    }
    dce_call_free(af, &t->dce);
    for (uint32_t i = 0; i < t->n_ooo; i++) {
        if (af != NULL) {
            app_mem_release(af, t->ooo[i].n);
        }
        free(t->ooo[i].d);
    }
    t->n_ooo = 0;
    app_file_free(af, t->file);
    t->file = NULL;
    if (st != NULL) {
        open_remove(st, t);
        for (uint32_t i = 0; i < st->n_fids; i++) {
            for (int d = 0; d < 2; d++) {
                if (st->fids[i].file[d] == t) {
                    st->fids[i].file[d] = NULL;
                }
            }
        }
    }
}

SmbTx *smb_tx_new(SmbState *st, uint8_t vers, uint16_t cmd, uint64_t msg_id)
{
    SmbTx *t = (SmbTx *)app_tx_new(st->af, sizeof(SmbTx));
    if (t == NULL) {
        app_tx_event(st->af, NULL, SMB_EV_INTERNAL_ERROR);   // memcap or max-tx
        return NULL;
    }
    t->vers = vers;
    t->command = cmd;
    t->msg_id = msg_id;
    dce_call_init(&t->dce);
    if (st->n_open == SMB_OPEN_MAX) {
        app_tx_event(st->af, &t->tx, SMB_EV_TOO_MANY_TRANSACTIONS);
        SmbTx *old = st->open[0];   // the oldest unanswered request is given up on
        tx_close(old);
        open_remove(st, old);
    }
    st->open[st->n_open++] = t;
    return t;
}

SmbTx *smb_tx_find(SmbState *st, uint8_t vers, uint16_t cmd, uint64_t msg_id)
{
    for (uint32_t i = st->n_open; i-- > 0;) {
        SmbTx *t = st->open[i];
        if (t->kind == SMB_KIND_CMD && t->vers == vers && t->msg_id == msg_id &&
            (vers == 2 || t->command == cmd) && !t->res_seen) {
            return t;
        }
    }
    return NULL;
}

void smb_tx_request_done(SmbTx *t)
{
    if (t->tx.progress[APP_DIR_TOSERVER] != 1) {
        t->tx.progress[APP_DIR_TOSERVER] = 1;
    }
    app_tx_touch(&t->tx, APP_DIR_TOSERVER);
}

static void settle(SmbState *st, SmbTx *t)
{
    bool waits = t->has_dce && t->wants_dce_response && !t->dce.res_done;
    if (t->res_seen && !waits) {
        tx_close(t);
        open_remove(st, t);
    }
}

void smb_tx_respond(SmbState *st, SmbTx *t)
{
    t->res_seen = true;
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
    if (t->tx.progress[APP_DIR_TOSERVER] != 1) {
        t->tx.progress[APP_DIR_TOSERVER] = 1;
        app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    }
    settle(st, t);
}

/* Names of the usual DCERPC pipes: a handle of that name is a pipe when its tree was not
 * seen (a midstream start). */
bool smb_name_is_rpc_pipe(const SmbStr *name)
{
    static const char *const pipes[] = {
        "lsarpc", "samr", "svcctl", "atsvc", "srvsvc", "wkssvc", "winreg", "spoolss",
        "netlogon", "netdfs", "eventlog", "ntsvcs", "epmapper", "browser", "lsass",
        "protected_storage", "scerpc", "initshutdown", "efsrpc", "dnsserver",
    };
    if (name->s == NULL) {
        return false;
    }
    const char *n = (const char *)name->s;
    if (strncasecmp(n, "\\PIPE\\", 6) == 0) {
        n += 6;
    } else if (*n == '\\') {
        n++;
    }
    for (size_t i = 0; i < sizeof(pipes) / sizeof(pipes[0]); i++) {
        if (strcasecmp(n, pipes[i]) == 0) {
            return true;
        }
    }
    return false;
}

SmbFid *smb_fid_find(SmbState *st, const uint8_t *fid, uint32_t fid_len)
{
    for (uint32_t i = 0; i < st->n_fids; i++) {
        if (memcmp(st->fids[i].fid, fid, fid_len) == 0) {
            return &st->fids[i];
        }
    }
    return NULL;
}

SmbFid *smb_fid_add(SmbState *st, const uint8_t *fid, uint32_t fid_len)
{
    SmbFid *fd = smb_fid_find(st, fid, fid_len);
    if (fd != NULL) {
        fid_free(st->af, fd);
        SmbTx *keep[2] = {fd->file[0], fd->file[1]};
        memset(fd, 0, sizeof(*fd));
        fd->file[0] = keep[0];
        fd->file[1] = keep[1];
    } else {
        if (st->n_fids == SMB_FIDS_MAX) {
            return NULL;
        }
        fd = &st->fids[st->n_fids++];
        memset(fd, 0, sizeof(*fd));
    }
    memcpy(fd->fid, fid, fid_len);
    return fd;
}

void smb_fid_close(SmbState *st, const uint8_t *fid, uint32_t fid_len)
{
    SmbFid *fd = smb_fid_find(st, fid, fid_len);
    if (fd == NULL) {
        return;
    }
    for (int d = 0; d < 2; d++) {
        SmbTx *ft = fd->file[d];
        if (ft != NULL) {
            smb_file_end(st, ft, APP_FILE_CLOSED);
            fd->file[d] = NULL;
        }
    }
    fid_free(st->af, fd);
    uint32_t i = (uint32_t)(fd - st->fids);
    memmove(&st->fids[i], &st->fids[i + 1], (st->n_fids - i - 1) * sizeof(st->fids[0]));
    st->n_fids--;
}

SmbTree *smb_tree_find(SmbState *st, uint32_t tree_id)
{
    for (uint32_t i = 0; i < st->n_trees; i++) {
        if (st->trees[i].tree_id == tree_id) {
            return &st->trees[i];
        }
    }
    return NULL;
}

SmbTree *smb_tree_add(SmbState *st, uint32_t tree_id)
{
    SmbTree *tr = smb_tree_find(st, tree_id);
    if (tr == NULL) {
        if (st->n_trees == SMB_TREES_MAX) {
            return NULL;
        }
        tr = &st->trees[st->n_trees++];
    } else {
        smb_str_free(st->af, &tr->share);
    }
    memset(tr, 0, sizeof(*tr));
    tr->tree_id = tree_id;
    return tr;
}

bool smb_read_pending_add(SmbState *st, uint64_t msg_id, const uint8_t *fid, uint64_t off,
                          uint32_t tree_id)
{
    if (st->n_reads == sizeof(st->reads) / sizeof(st->reads[0])) {
        memmove(&st->reads[0], &st->reads[1], (st->n_reads - 1) * sizeof(st->reads[0]));
        st->n_reads--;
    }
    SmbPendingRead *r = &st->reads[st->n_reads++];
    r->msg_id = msg_id;
    memcpy(r->fid, fid, 16);
    r->offset = off;
    r->tree_id = tree_id;
    return true;
}

bool smb_read_pending_take(SmbState *st, uint64_t msg_id, SmbPendingRead *out)
{
    for (uint32_t i = 0; i < st->n_reads; i++) {
        if (st->reads[i].msg_id == msg_id) {
            *out = st->reads[i];
            memmove(&st->reads[i], &st->reads[i + 1], (st->n_reads - i - 1) * sizeof(st->reads[0]));
            st->n_reads--;
            return true;
        }
    }
    return false;
}

static bool str_copy(AppFlow *af, SmbStr *dst, const SmbStr *src)
{
    if (src->s == NULL) {
        return true;
    }
    return smb_ascii_to_str(af, src->s, src->len, dst);
}

/* In-order bytes at ft->file_next (the part of d before it is data seen again). */
static void file_append(SmbState *st, SmbTx *ft, uint64_t offset, const uint8_t *d, uint32_t n)
{
    if (offset < ft->file_next) {
        uint64_t skip = ft->file_next - offset;
        if (skip >= n) {
            return;
        }
        d += skip;
        n -= (uint32_t)skip;
    }
    app_file_data(st->af, ft->file, d, n);
    ft->file_next += n;
}

static void ooo_remove(SmbState *st, SmbTx *ft, uint32_t i)
{
    app_mem_release(st->af, ft->ooo[i].n);
    ft->ooo_bytes -= ft->ooo[i].n;
    free(ft->ooo[i].d);
    memmove(&ft->ooo[i], &ft->ooo[i + 1], (ft->n_ooo - i - 1) * sizeof(ft->ooo[0]));
    ft->n_ooo--;
}

/* Held chunks that fit now go to the file; with force all of them, the holes before
 * them marked as gaps. */
static void ooo_drain(SmbState *st, SmbTx *ft, bool force)
{
    while (ft->n_ooo > 0 && (force || ft->ooo[0].off <= ft->file_next)) {
        SmbChunk *c = &ft->ooo[0];
        if (c->off > ft->file_next) {
            ft->file->f.flags |= APP_FILE_F_GAP;
            ft->file->f.size += c->off - ft->file_next;
            ft->file_next = c->off;
        }
        file_append(st, ft, c->off, c->d, c->n);
        ooo_remove(st, ft, 0);
    }
}

void smb_file_end(SmbState *st, SmbTx *ft, uint8_t state)
{
    if (ft->file != NULL) {
        ooo_drain(st, ft, true);
    }
    app_file_close(ft->file, state);
    tx_close(ft);
}

/* A chunk past the next expected offset is held until the bytes before it came. */
static bool ooo_hold(SmbState *st, SmbTx *ft, uint64_t offset, const uint8_t *d, uint32_t n)
{
    bool is_read = ft->file_dir == APP_DIR_TOCLIENT;
    if (ft->n_ooo == SMB_OOO_CHUNKS_MAX) {
        app_tx_event(st->af, &ft->tx, is_read ? SMB_EV_READ_QUEUE_CNT_EXCEEDED
                                              : SMB_EV_WRITE_QUEUE_CNT_EXCEEDED);
        return false;
    }
    if (ft->ooo_bytes + n > SMB_OOO_BYTES_MAX) {
        app_tx_event(st->af, &ft->tx, is_read ? SMB_EV_READ_QUEUE_SIZE_EXCEEDED
                                              : SMB_EV_WRITE_QUEUE_SIZE_EXCEEDED);
        return false;
    }
    if (!app_mem_charge(st->af, n)) {
        return false;
    }
    uint8_t *copy = malloc(n);
    if (copy == NULL) {
        app_mem_release(st->af, n);
        return false;
    }
    memcpy(copy, d, n);
    uint32_t i = ft->n_ooo;
    while (i > 0 && ft->ooo[i - 1].off > offset) {
        i--;
    }
    memmove(&ft->ooo[i + 1], &ft->ooo[i], (ft->n_ooo - i) * sizeof(ft->ooo[0]));
    ft->ooo[i] = (SmbChunk){.off = offset, .d = copy, .n = n};
    ft->n_ooo++;
    ft->ooo_bytes += n;
    return true;
}

SmbTx *smb_file_data(SmbState *st, SmbFid *fd, uint8_t vers, uint16_t cmd, uint8_t dir,
                     uint64_t offset, const uint8_t *d, uint32_t n)
{
    SmbTx *ft = fd->file[dir];
    if (ft == NULL) {
        ft = (SmbTx *)app_tx_new(st->af, sizeof(SmbTx));
        if (ft == NULL) {
            return NULL;
        }
        dce_call_init(&ft->dce);
        ft->kind = SMB_KIND_FILE;
        ft->vers = vers;
        ft->command = cmd;
        ft->file_dir = dir;
        memcpy(ft->fid, fd->fid, 16);
        ft->has_fid = true;
        (void)str_copy(st->af, &ft->filename, &fd->name);
        (void)str_copy(st->af, &ft->share, &fd->share);
        ft->file = app_file_new(st->af, dir, fd->name.s, fd->name.len);
        if (ft->file != NULL) {
            ft->tx.n_files[dir] = 1;
        }
        ft->file_next = 0;     // a file starts at 0: later chunks wait for it
        fd->file[dir] = ft;
    }
    if (ft->file == NULL || n == 0) {
        return ft;
    }
    app_tx_touch(&ft->tx, dir);
    if (offset + n <= ft->file_next) {
        app_tx_event(st->af, &ft->tx, SMB_EV_FILE_OVERLAP);   // data seen already
        return ft;
    }
    if (offset > ft->file_next) {
        if (ooo_hold(st, ft, offset, d, n)) {
            return ft;
        }
        /* nothing more can be held: the earliest held data and this go out with gaps */
        ooo_drain(st, ft, true);
        if (offset > ft->file_next) {
            ft->file->f.flags |= APP_FILE_F_GAP;
            ft->file->f.size += offset - ft->file_next;
            ft->file_next = offset;
        }
    }
    file_append(st, ft, offset, d, n);
    ooo_drain(st, ft, false);
    return ft;
}

/* ---- DCERPC on pipes ----------------------------------------------------- */

typedef struct PipeCtx {
    SmbState *st;
    SmbTx *t;                    // the tx carrying the PDU (requests)
} PipeCtx;

static DceCall *pipe_find(void *ud, uint32_t call_id, uint8_t ptype, uint8_t dir, bool create)
{
    (void)create;
    PipeCtx *pc = ud;
    if (dir == APP_DIR_TOSERVER) {
        /* a later fragment of a request continues its call */
        for (uint32_t i = 0; i < pc->st->n_open; i++) {
            SmbTx *w = pc->st->open[i];
            if (w != pc->t && w->has_dce && !w->dce.req_done && w->dce.call_id == call_id &&
                w->dce.req_type == ptype) {
                pc->t = w;
                return &w->dce;
            }
        }
        if (pc->t == NULL) {
            return NULL;
        }
        if (pc->t->has_dce && pc->t->dce.call_id != call_id) {
            return NULL;         // one call per SMB request
        }
        pc->t->has_dce = true;
        pc->t->wants_dce_response = ptype == DCE_PT_REQUEST || ptype == DCE_PT_BIND ||
                                    ptype == DCE_PT_ALTER_CONTEXT;
        return &pc->t->dce;
    }
    /* a response: the request's tx waiting for it, else the carrying tx */
    for (uint32_t i = 0; i < pc->st->n_open; i++) {
        SmbTx *w = pc->st->open[i];
        if (w->has_dce && w->wants_dce_response && !w->dce.res_done && w->dce.call_id == call_id) {
            pc->t = w;
            return &w->dce;
        }
    }
    if (pc->t != NULL && !pc->t->has_dce) {
        pc->t->has_dce = true;
        return &pc->t->dce;
    }
    return NULL;
}

void smb_pipe_data(SmbState *st, SmbFid *fd, SmbTx *t, uint8_t dir, const uint8_t *d,
                   uint32_t n)
{
    if (fd->dce == NULL) {
        if (!app_mem_charge(st->af, sizeof(DceConn))) {
            return;
        }
        fd->dce = calloc(1, sizeof(DceConn));
        if (fd->dce == NULL) {
            app_mem_release(st->af, sizeof(DceConn));
            return;
        }
    }
    /* one SMB message carries whole PDUs (a pipe write or read of at most the
     * negotiated fragment size) */
    while (n >= DCE_HDR_LEN) {
        uint32_t pl = dce_pdu_len(d, n);
        if (pl == 0) {
            return;              // not DCERPC: another pipe protocol
        }
        if (pl > n) {
            pl = n;              // a fragment cut by the SMB message: what is there
        }
        PipeCtx pc = {.st = st, .t = t};
        if (pl == dce_pdu_len(d, n)) {
            (void)dce_pdu(fd->dce, st->af, dir, d, pl, pipe_find, &pc);
        }
        if (pc.t != NULL) {
            app_tx_touch(&pc.t->tx, dir);
            if (pc.t != t) {
                settle(st, pc.t);
            }
        }
        d += pl;
        n -= pl;
    }
}

/* ---- SMB2 ----------------------------------------------------------------- */

#define SMB2_HDR 64
enum {
    SMB2_NEGOTIATE = 0, SMB2_SESSION_SETUP = 1, SMB2_TREE_CONNECT = 3, SMB2_CREATE = 5,
    SMB2_CLOSE = 6, SMB2_READ = 8, SMB2_WRITE = 9, SMB2_IOCTL = 0xb, SMB2_GET_INFO = 0x10,
    SMB2_SET_INFO = 0x11,
};
#define SMB2_STATUS_PENDING 0x103u
#define FSCTL_PIPE_TRANSCEIVE 0x0011c017u

static uint64_t filetime_to_unix(uint64_t ft)
{
    uint64_t s = ft / 10000000u;
    return s > 11644473600u ? s - 11644473600u : 0;
}

static const uint8_t *body_at(const uint8_t *m, uint32_t n, uint32_t off, uint32_t len)
{
    return off <= n && len <= n - off ? m + off : NULL;
}

/* The open file or pipe of fid; one first seen here (midstream) is remembered without
 * a name, a pipe when its tree is. */
static SmbFid *fid_of(SmbState *st, const uint8_t *fid, uint32_t tree_id)
{
    SmbFid *fd = smb_fid_find(st, fid, 16);
    if (fd != NULL) {
        return fd;
    }
    fd = smb_fid_add(st, fid, 16);
    if (fd != NULL) {
        fd->vers = 2;
        SmbTree *tr = smb_tree_find(st, tree_id);
        if (tr != NULL) {
            fd->is_pipe = tr->is_pipe;
            if (tr->share.s != NULL) {
                (void)smb_ascii_to_str(st->af, tr->share.s, tr->share.len, &fd->share);
            }
        }
    }
    return fd;
}

static void smb2_request(SmbState *st, const uint8_t *m, uint32_t n, uint16_t cmd,
                         uint64_t msg_id, bool is_async)
{
    const uint8_t *b = m + SMB2_HDR;
    uint32_t bl = n - SMB2_HDR;
    uint32_t tree_id = is_async ? 0 : le32(m + 36);
    uint64_t session_id = le64(m + 40);

    /* file and pipe data: reads and writes of files go to the file tx, reads of pipes
     * to the call waiting for them; neither has a tx of its own (nor get/set info) */
    if (cmd == SMB2_WRITE && bl >= 48 && le32(b + 4) > SMB_IO_MAX) {
        app_tx_event(st->af, NULL, SMB_EV_WRITE_REQUEST_TOO_LARGE);
    }
    if (cmd == SMB2_READ && bl >= 32 && le32(b + 4) > SMB_IO_MAX) {
        app_tx_event(st->af, NULL, SMB_EV_READ_REQUEST_TOO_LARGE);
    }
    if (cmd == SMB2_WRITE && bl >= 48) {
        uint16_t doff = le16(b + 2);
        uint32_t dlen = le32(b + 4);
        uint64_t off = le64(b + 8);
        SmbFid *fd = fid_of(st, b + 16, tree_id);
        const uint8_t *d = body_at(m, n, doff, dlen);
        if (d == NULL && doff <= n) {
            dlen = n - doff;     // a truncated write: what is there
            d = m + doff;
        }
        if (fd != NULL && d != NULL && !fd->is_pipe) {
            SmbTx *ft = smb_file_data(st, fd, 2, cmd, APP_DIR_TOSERVER, off, d, dlen);
            if (ft != NULL) {
                ft->session_id = session_id;
                ft->tree_id = tree_id;
            }
            return;
        }
    }
    if (cmd == SMB2_READ && bl >= 32) {
        if (fid_of(st, b + 16, tree_id) != NULL) {
            (void)smb_read_pending_add(st, msg_id, b + 16, le64(b + 8), tree_id);
        }
        return;
    }
    if (cmd == SMB2_GET_INFO || cmd == SMB2_SET_INFO) {
        return;
    }
    SmbTx *t = smb_tx_new(st, 2, cmd, msg_id);
    if (t == NULL) {
        return;
    }
    t->session_id = session_id;
    t->tree_id = tree_id;
    SmbTree *tr = smb_tree_find(st, tree_id);
    switch (cmd) {
    case SMB2_NEGOTIATE:
        if (bl >= 36) {
            uint16_t cnt = le16(b + 2);
            for (uint16_t i = 0; i < cnt && t->n_client_dialects < 16; i++) {
                if (36u + 2u * i + 2 > bl) {
                    app_tx_event(st->af, &t->tx, SMB_EV_NEGOTIATE_MALFORMED_DIALECTS);
                    break;
                }
                char ds[8];
                smb_dialect_str(le16(b + 36 + 2 * i), ds);
                (void)smb_ascii_to_str(st->af, (const uint8_t *)ds, (uint32_t)strlen(ds),
                                       &t->client_dialects[t->n_client_dialects++]);
            }
        }
        if (st->negotiated) {
            app_tx_event(st->af, &t->tx, SMB_EV_DUPLICATE_NEGOTIATE);
        }
        break;
    case SMB2_SESSION_SETUP:
        if (bl >= 24) {
            const uint8_t *blob = body_at(m, n, le16(b + 12), le16(b + 14));
            bool bad = false;
            if (blob != NULL) {
                (void)smb_ntlmssp_parse(st->af, t, blob, le16(b + 14), &bad);
            }
            if (bad) {
                app_tx_event(st->af, &t->tx, SMB_EV_MALFORMED_NTLMSSP_REQUEST);
            }
        }
        break;
    case SMB2_TREE_CONNECT:
        if (bl >= 8) {
            const uint8_t *p = body_at(m, n, le16(b + 4), le16(b + 6));
            if (p != NULL) {
                (void)smb_utf16_to_str(st->af, p, le16(b + 6), &t->share);
            }
        }
        break;
    case SMB2_CREATE:
        if (bl >= 56) {
            t->has_disposition = true;
            t->disposition = le32(b + 36);
            t->delete_on_close = (le32(b + 40) & 0x1000) != 0;
            const uint8_t *p = body_at(m, n, le16(b + 44), le16(b + 46));
            if (p != NULL) {
                (void)smb_utf16_to_str(st->af, p, le16(b + 46), &t->filename);
            }
        }
        break;
    case SMB2_CLOSE:
        if (bl >= 24) {
            memcpy(t->fid, b + 8, 16);
            t->has_fid = true;
            SmbFid *fd = smb_fid_find(st, b + 8, 16);
            if (fd != NULL && fd->name.s != NULL) {
                (void)smb_ascii_to_str(st->af, fd->name.s, fd->name.len, &t->filename);
            }
            /* the file ends with the response: reads answered before it still count */
        }
        break;
    case SMB2_WRITE:
        if (bl >= 48) {
            memcpy(t->fid, b + 16, 16);
            t->has_fid = true;
            SmbFid *fd = smb_fid_find(st, b + 16, 16);
            uint16_t doff = le16(b + 2);
            uint32_t dlen = le32(b + 4);
            if (fd != NULL && fd->is_pipe && doff <= n) {
                (void)str_copy(st->af, &t->filename, &fd->name);
                smb_pipe_data(st, fd, t, APP_DIR_TOSERVER, m + doff,
                              dlen < n - doff ? dlen : n - doff);
            }
        }
        break;
    case SMB2_IOCTL:
        if (bl >= 56) {
            t->has_ioctl = true;
            t->ctl_code = le32(b + 4);
            memcpy(t->fid, b + 8, 16);
            t->has_fid = true;
            SmbFid *fd = smb_fid_find(st, b + 8, 16);
            uint32_t ioff = le32(b + 24);
            uint32_t icnt = le32(b + 28);
            const uint8_t *in = body_at(m, n, ioff, icnt);
            if (fd != NULL) {
                (void)str_copy(st->af, &t->filename, &fd->name);
            }
            if (fd != NULL && fd->is_pipe && t->ctl_code == FSCTL_PIPE_TRANSCEIVE && in != NULL) {
                smb_pipe_data(st, fd, t, APP_DIR_TOSERVER, in, icnt);
            }
        }
        break;
    default:
        break;
    }
    if (tr != NULL && t->share.s == NULL && cmd != SMB2_TREE_CONNECT) {
        t->is_pipe = tr->is_pipe;
    }
    smb_tx_request_done(t);
}

static void smb2_response(SmbState *st, const uint8_t *m, uint32_t n, uint16_t cmd,
                          uint64_t msg_id, uint32_t status)
{
    const uint8_t *b = m + SMB2_HDR;
    uint32_t bl = n - SMB2_HDR;
    bool is_error = bl >= 8 && le16(b) == 9 && status != 0 && cmd != SMB2_SESSION_SETUP;
    SmbPendingRead pr;
    if (cmd == SMB2_READ && status == SMB2_STATUS_PENDING) {
        return;                  // the final response follows
    }
    if (cmd == SMB2_READ && smb_read_pending_take(st, msg_id, &pr)) {
        SmbFid *fd = smb_fid_find(st, pr.fid, 16);
        if (fd != NULL && !is_error && bl >= 16) {
            uint8_t doff = b[2];
            uint32_t dlen = le32(b + 4);
            uint32_t have = doff <= n ? (dlen < n - doff ? dlen : n - doff) : 0;
            if (doff <= n && fd->is_pipe) {
                smb_pipe_data(st, fd, NULL, APP_DIR_TOCLIENT, m + doff, have);
            } else if (doff <= n) {
                SmbTx *ft = smb_file_data(st, fd, 2, cmd, APP_DIR_TOCLIENT, pr.offset, m + doff,
                                          dlen < n - doff ? dlen : n - doff);
                if (ft != NULL) {
                    ft->status = status;
                    ft->has_status = true;
                    ft->session_id = le64(m + 40);
                    ft->tree_id = pr.tree_id;
                }
            }
        }
        return;
    }
    if (cmd == SMB2_READ || cmd == SMB2_GET_INFO || cmd == SMB2_SET_INFO) {
        return;                  // no tx for these (see the request side)
    }
    SmbTx *t = smb_tx_find(st, 2, cmd, msg_id);
    if (t == NULL && cmd == SMB2_NEGOTIATE) {
        /* the answer to an SMB1 negotiate offering SMB2 ("SMB 2.???") */
        for (uint32_t i = st->n_open; i-- > 0 && t == NULL;) {
            SmbTx *w = st->open[i];
            if (w->vers == 1 && w->command == 0x72 && !w->res_seen) {
                t = w;
                t->status_dos = false;
            }
        }
    }
    if (t == NULL) {
        if (status == SMB2_STATUS_PENDING || cmd == SMB2_WRITE) {
            return;              // interim, or a write of a file (the file tx has it)
        }
        t = smb_tx_new(st, 2, cmd, msg_id);     // the request was not seen (midstream)
        if (t == NULL) {
            return;
        }
    }
    if (status == SMB2_STATUS_PENDING && (le32(m + 16) & 0x2)) {
        return;                  // interim: the final response follows
    }
    t->status = status;
    t->has_status = true;
    if (t->session_id == 0) {
        t->session_id = le64(m + 40);
    }
    if (!(le32(m + 16) & 0x2) && t->tree_id == 0) {
        t->tree_id = le32(m + 36);
    }
    switch (is_error ? 0xffff : cmd) {
    case SMB2_NEGOTIATE:
        if (bl >= 24) {
            t->dialect = le16(b + 4);
            st->dialect = t->dialect;
            if (bl >= 36 && le32(b + 28) > SMB_IO_MAX) {
                app_tx_event(st->af, &t->tx, SMB_EV_NEGOTIATE_MAX_READ_SIZE_TOO_LARGE);
            }
            if (bl >= 36 && le32(b + 32) > SMB_IO_MAX) {
                app_tx_event(st->af, &t->tx, SMB_EV_NEGOTIATE_MAX_WRITE_SIZE_TOO_LARGE);
            }
            st->negotiated = true;
            memcpy(t->server_guid, b + 8, 16);
            t->has_server_guid = true;
        }
        break;
    case SMB2_TREE_CONNECT:
        if (bl >= 16) {
            t->share_type = b[2];
            t->is_pipe = t->share_type == 2;
            if (status == 0) {
                SmbTree *tr = smb_tree_add(st, le32(m + 36));
                if (tr != NULL) {
                    tr->is_pipe = t->is_pipe;
                    (void)str_copy(st->af, &tr->share, &t->share);
                }
            }
        }
        break;
    case SMB2_CREATE:
        if (bl >= 88) {
            t->has_times = true;
            t->created = filetime_to_unix(le64(b + 8));
            t->accessed = filetime_to_unix(le64(b + 16));
            t->modified = filetime_to_unix(le64(b + 24));
            t->changed = filetime_to_unix(le64(b + 32));
            t->size = le64(b + 48);
            memcpy(t->fid, b + 64, 16);
            t->has_fid = true;
            if (status == 0) {
                SmbFid *fd = smb_fid_add(st, b + 64, 16);
                SmbTree *tr = smb_tree_find(st, t->tree_id);
                if (fd != NULL) {
                    fd->vers = 2;
                    (void)str_copy(st->af, &fd->name, &t->filename);
                    if (tr != NULL) {
                        fd->is_pipe = tr->is_pipe;
                        (void)str_copy(st->af, &fd->share, &tr->share);
                    } else {
                        fd->is_pipe = smb_name_is_rpc_pipe(&fd->name);
                    }
                }
            }
        }
        break;
    case SMB2_IOCTL:
        if (bl >= 48 && t->has_fid) {
            SmbFid *fd = smb_fid_find(st, t->fid, 16);
            uint32_t ooff = le32(b + 32);
            uint32_t ocnt = le32(b + 36);
            const uint8_t *out = body_at(m, n, ooff, ocnt);
            if (fd != NULL && fd->is_pipe && out != NULL) {
                smb_pipe_data(st, fd, t, APP_DIR_TOCLIENT, out, ocnt);
            }
        }
        break;
    default:
        break;
    }
    if (cmd == SMB2_CLOSE && t->has_fid) {
        smb_fid_close(st, t->fid, 16);   // whatever the status: the handle is gone
    }
    smb_tx_respond(st, t);
}

/* One SMB2 record: compounded messages chained by NextCommand. */
static void smb2_record(SmbState *st, uint8_t dir, const uint8_t *r, uint32_t n)
{
    for (int k = 0; k < 64 && n >= SMB2_HDR; k++) {
        if (r[0] != 0xfe || r[1] != 'S' || r[2] != 'M' || r[3] != 'B' || le16(r + 4) != 64) {
            app_tx_event(st->af, NULL, SMB_EV_MALFORMED_DATA);
            return;
        }
        uint32_t next = le32(r + 20);
        uint32_t mlen = next != 0 && next >= SMB2_HDR && next <= n ? next : n;
        uint16_t cmd = le16(r + 12);
        uint32_t flags = le32(r + 16);
        uint64_t msg_id = le64(r + 24);
        bool is_resp = (flags & 0x1) != 0;
        if (is_resp != (dir == APP_DIR_TOCLIENT)) {
            app_tx_event(st->af, NULL, is_resp ? SMB_EV_RESPONSE_TO_SERVER
                                               : SMB_EV_REQUEST_TO_CLIENT);
        } else if (is_resp) {
            smb2_response(st, r, mlen, cmd, msg_id, le32(r + 8));
        } else {
            smb2_request(st, r, mlen, cmd, msg_id, (flags & 0x2) != 0);
        }
        if (next == 0 || next > n || next < SMB2_HDR) {
            return;
        }
        r += next;
        n -= next;
    }
}

static bool smb_magic(const uint8_t *p)
{
    return (p[0] == 0xfe || p[0] == 0xff || p[0] == 0xfd) && p[1] == 'S' && p[2] == 'M' &&
           p[3] == 'B';
}

/* ---- frames: NBSS records and the SMB1/SMB2/SMB3 messages in them ---------- */

enum { SMB_FRAME_NBSS_PDU = 0, SMB_FRAME_NBSS_HDR, SMB_FRAME_NBSS_DATA, SMB_FRAME_SMB1_PDU,
       SMB_FRAME_SMB1_HDR, SMB_FRAME_SMB1_DATA, SMB_FRAME_SMB2_PDU, SMB_FRAME_SMB2_HDR,
       SMB_FRAME_SMB2_DATA, SMB_FRAME_SMB3_PDU, SMB_FRAME_SMB3_HDR, SMB_FRAME_SMB3_DATA };
static const char *const smb_frame_types[] = {
    "nbss.pdu", "nbss.hdr", "nbss.data", "smb1.pdu", "smb1.hdr", "smb1.data",
    "smb2.pdu", "smb2.hdr", "smb2.data", "smb3.pdu", "smb3.hdr", "smb3.data",
};

/* pdu, hdr (hdr_len bytes) and data frames of one message of len bytes at off. */
static void msg_frames(AppFlow *af, uint8_t dir, uint64_t off, uint32_t len, uint32_t hdr_len,
                       uint16_t first)
{
    (void)app_frame_new(af, dir, off, len, first);
    (void)app_frame_new(af, dir, off, hdr_len < len ? hdr_len : len, (uint16_t)(first + 1));
    if (len > hdr_len) {
        (void)app_frame_new(af, dir, off + hdr_len, len - hdr_len, (uint16_t)(first + 2));
    }
}

/* The length of the SMB2 message at m (avail bytes there, n in the record). */
static uint32_t smb2_msg_len(const uint8_t *m, uint32_t avail, uint32_t n)
{
    uint32_t next = avail >= 24 ? le32(m + 20) : 0;
    return next != 0 && next >= SMB2_HDR && next <= n ? next : n;
}

/* A record of rl bytes after its NBSS header at off, of which avail bytes (header
 * included) are at r: the NBSS frames and its first SMB message's (the rest of a
 * compound SMB2 record: record_frames_rest, once it is whole). */
static void record_frames(SmbState *st, uint8_t dir, uint64_t off, const uint8_t *r,
                          uint32_t avail, uint32_t rl)
{
    AppFlow *af = st->af;
    msg_frames(af, dir, off, 4 + rl, 4, SMB_FRAME_NBSS_PDU);
    if (avail < 8 || rl < 4) {
        return;
    }
    const uint8_t *m = r + 4;
    if (m[0] == 0xfe && smb_magic(m)) {
        msg_frames(af, dir, off + 4, smb2_msg_len(m, avail - 4, rl), SMB2_HDR,
                   SMB_FRAME_SMB2_PDU);
    } else if (m[0] == 0xff && smb_magic(m)) {
        msg_frames(af, dir, off + 4, rl, 32, SMB_FRAME_SMB1_PDU);
    } else if (m[0] == 0xfd && smb_magic(m)) {
        msg_frames(af, dir, off + 4, rl, 52, SMB_FRAME_SMB3_PDU);
    }
}

/* The compounded SMB2 messages after the first of a whole record (m, n bytes, at off). */
static void record_frames_rest(SmbState *st, uint8_t dir, uint64_t off, const uint8_t *m,
                               uint32_t n)
{
    if (n < SMB2_HDR || m[0] != 0xfe || !smb_magic(m)) {
        return;
    }
    uint32_t at = smb2_msg_len(m, n, n);
    for (int k = 1; k < 64 && at < n && n - at >= SMB2_HDR && smb_magic(m + at); k++) {
        uint32_t ml = smb2_msg_len(m + at, n - at, n - at);
        msg_frames(st->af, dir, off + at, ml, SMB2_HDR, SMB_FRAME_SMB2_PDU);
        at += ml;
    }
}

/* ---- NBSS framing ------------------------------------------------------- */

static void record(SmbState *st, uint8_t dir, const uint8_t *r, uint32_t n)
{
    if (n < 4) {
        return;
    }
    if (r[0] == 0xfe && r[1] == 'S' && r[2] == 'M' && r[3] == 'B') {
        smb2_record(st, dir, r, n);
    } else if (r[0] == 0xff && r[1] == 'S' && r[2] == 'M' && r[3] == 'B') {
        smb1_message(st, dir, r, n);
    } else if (r[0] == 0xfd && r[1] == 'S' && r[2] == 'M' && r[3] == 'B') {
        /* SMB3 transform (encrypted): nothing to see */
    } else {
        app_tx_event(st->af, NULL, SMB_EV_MALFORMED_DATA);
    }
}


/* A record header: type and length (bytes after the header). */
static bool nbss_hdr(const uint8_t *p, uint32_t *len, bool *is_msg)
{
    uint8_t type = p[0];
    if (type != 0x00 && type != 0x81 && type != 0x82 && type != 0x83 && type != 0x84 &&
        type != 0x85) {
        return false;
    }
    /* a session message over direct TCP (445) has a 24-bit length (MS-SMB2 2.1);
     * NetBIOS (139) allows 17 bits, which the 24-bit reading covers */
    if (type != 0x00 && (p[1] & 0xfe)) {
        return false;
    }
    *len = (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    *is_msg = type == 0x00;
    return true;
}

/* Midstream or after junk: the first place where a session message header is followed
 * by an SMB magic. Returns the offset, or n - 7 (keep the tail) when none. */
static uint32_t hunt(const uint8_t *d, uint32_t n)
{
    for (uint32_t i = 0; i + 8 <= n; i++) {
        if (d[i] == 0 && smb_magic(d + i + 4)) {
            return i;
        }
    }
    return n >= 7 ? n - 7 : 0;
}

static int smb_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                     uint32_t *consumed)
{
    (void)consumed;
    SmbState *st = state;
    uint64_t off0 = app_frame_chunk_offset(af, dir);
    const uint8_t *data0 = data;
    while (len > 0) {
        if (st->carry_len[dir] == 0) {
            st->carry_framed[dir] = false;
            if (!st->synced[dir]) {
                uint32_t at = hunt(data, len);
                if (at + 8 > len) {
                    /* keep the tail: a header may start there */
                    uint32_t keep = len - at;
                    if (keep > 0 &&
                        app_mem_grow(st->af, &st->carry[dir], &st->carry_cap[dir], 8)) {
                        memcpy(st->carry[dir], data + at, keep);
                        st->carry_len[dir] = keep;
                        st->carry_off[dir] = off0 + (uint64_t)(data + at - data0);
                    }
                    return APP_PARSE_OK;
                }
                data += at;
                len -= at;
                st->synced[dir] = true;
            }
            if (len < 4) {
                goto keep;
            }
            uint32_t rl;
            bool is_msg;
            if (!nbss_hdr(data, &rl, &is_msg)) {
                st->synced[dir] = false;
                app_tx_event(st->af, NULL, SMB_EV_MALFORMED_DATA);
                continue;
            }
            if (4 + rl > len) {
                goto keep;
            }
            if (is_msg) {
                uint64_t here = off0 + (uint64_t)(data - data0);
                record_frames(st, dir, here, data, 4 + rl, rl);
                record_frames_rest(st, dir, here + 4, data + 4, rl);
                record(st, dir, data + 4, rl);
            }
            data += 4 + rl;
            len -= 4 + rl;
            continue;
        }
    keep:;
        uint32_t have = st->carry_len[dir];
        if (have == 0) {
            st->carry_off[dir] = off0 + (uint64_t)(data - data0);
        }
        uint8_t hdr[8];
        uint32_t hl = have < 8 ? have : 8;
        if (hl > 0) {
            memcpy(hdr, st->carry[dir], hl);
        }
        if (hl < 8) {
            uint32_t more = 8 - hl < len ? 8 - hl : len;
            memcpy(hdr + hl, data, more);
            hl += more;
        }
        if (!st->synced[dir]) {
            /* a tail kept while hunting: hunt over it and the new bytes */
            if (hl < 8) {
                memcpy(st->carry[dir], hdr, hl);
                st->carry_len[dir] = hl;
                return APP_PARSE_OK;
            }
            uint32_t at = hunt(hdr, hl);
            if (at == 0 && hl >= 8 && hdr[0] == 0 && smb_magic(hdr + 4)) {
                st->synced[dir] = true;
            } else {
                /* drop the kept bytes and go on with the new data */
                st->carry_len[dir] = 0;
                continue;
            }
        }
        uint32_t need = 4;
        uint32_t rl = 0;
        bool is_msg = false;
        if (hl >= 4) {
            if (!nbss_hdr(hdr, &rl, &is_msg)) {
                st->synced[dir] = false;
                st->carry_len[dir] = 0;
                app_tx_event(st->af, NULL, SMB_EV_MALFORMED_DATA);
                continue;
            }
            need = 4 + rl;
            if (need > SMB_RECORD_MAX) {
                app_tx_event(st->af, NULL, dir == APP_DIR_TOCLIENT
                                               ? SMB_EV_READ_RESPONSE_TOO_LARGE
                                               : SMB_EV_RECORD_OVERFLOW);
                return APP_PARSE_ERROR;
            }
        }
        uint32_t take = need - have < len ? need - have : len;
        if (have + take > st->carry_cap[dir] &&
            !app_mem_grow(st->af, &st->carry[dir], &st->carry_cap[dir], need > 8 ? need : 8)) {
            return APP_PARSE_ERROR;
        }
        memcpy(st->carry[dir] + have, data, take);
        st->carry_len[dir] += take;
        data += take;
        len -= take;
        /* frames once the first SMB header is there: a record cut by a gap has them */
        if (is_msg && hl >= 4 && !st->carry_framed[dir] &&
            (st->carry_len[dir] >= 4 + SMB2_HDR || st->carry_len[dir] == need)) {
            st->carry_framed[dir] = true;
            record_frames(st, dir, st->carry_off[dir], st->carry[dir], st->carry_len[dir], rl);
        }
        if (st->carry_len[dir] == need && need >= 4 && hl >= 4) {
            st->carry_len[dir] = 0;
            st->carry_framed[dir] = false;
            if (is_msg) {
                record_frames_rest(st, dir, st->carry_off[dir] + 4, st->carry[dir] + 4, rl);
                record(st, dir, st->carry[dir] + 4, rl);
            }
            /* a big record's buffer goes back once used */
            if (st->carry_cap[dir] > 65536) {
                app_mem_release(st->af, st->carry_cap[dir]);
                free(st->carry[dir]);
                st->carry[dir] = NULL;
                st->carry_cap[dir] = 0;
            }
        }
    }
    return APP_PARSE_OK;
}

static int smb_gap_len(AppFlow *af, void *state, uint8_t dir, uint32_t len)
{
    (void)af;
    (void)len;
    SmbState *st = state;
    st->carry_len[dir] = 0;
    st->carry_framed[dir] = false;
    st->synced[dir] = false;
    /* files of that direction miss data now */
    for (uint32_t i = 0; i < st->n_fids; i++) {
        SmbTx *ft = st->fids[i].file[dir];
        if (ft != NULL && ft->file != NULL) {
            ft->file->f.flags |= APP_FILE_F_GAP;
        }
    }
    return APP_PARSE_OK;
}

/* No more data in dir: files still open there end truncated (as at flow end). */
static void smb_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    SmbState *st = state;
    for (uint32_t i = 0; i < st->n_fids; i++) {
        SmbTx *ft = st->fids[i].file[dir];
        if (ft != NULL) {
            smb_file_end(st, ft, APP_FILE_TRUNCATED);
            st->fids[i].file[dir] = NULL;
        }
    }
}

static int smb_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *d, uint32_t n,
                        uint8_t dir)
{
    (void)dir;
    if (ipproto != 6) {
        return APP_PROBE_NO;
    }
    if (n < 8) {
        /* what is there must fit a record start (or, on the ports, more may show one) */
        bool fits = n == 0 || d[0] == 0x00 || (d[0] >= 0x81 && d[0] <= 0x85);
        if (fits && n >= 5 && d[0] == 0x00) {
            fits = d[4] == 0xfe || d[4] == 0xff || d[4] == 0xfd;
        }
        return fits || port_hint ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    uint32_t rl;
    bool is_msg;
    if (nbss_hdr(d, &rl, &is_msg) && smb_magic(d + 4) && is_msg) {
        return APP_PROBE_YES;
    }
    if (nbss_hdr(d, &rl, &is_msg) && !is_msg && port_hint) {
        return APP_PROBE_YES;    // NetBIOS session request / keepalive on 139 / 445
    }
    if (port_hint) {
        /* midstream: a record start further in */
        for (uint32_t i = 1; i + 8 <= n; i++) {
            if (d[i] == 0 && smb_magic(d + i + 4)) {
                return APP_PROBE_YES;
            }
        }
        return n < 1024 ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    return APP_PROBE_NO;
}

/* A record whose SMB header is a reply: SMB1 flags REPLY (0x80), SMB2/3 flags
 * SERVER_TO_REDIR (bit 0). */
static bool smb_is_reply(const uint8_t *d, uint32_t n)
{
    uint32_t rl;
    bool is_msg;
    if (n < 24 || !nbss_hdr(d, &rl, &is_msg) || !is_msg) {
        return false;
    }
    if (d[4] == 0xff && memcmp(d + 5, "SMB", 3) == 0) {
        return (d[4 + 9] & 0x80) != 0;
    }
    if (d[4] == 0xfe && memcmp(d + 5, "SMB", 3) == 0) {
        return (d[4 + 16] & 0x01) != 0;
    }
    return false;
}

static const AppFile *smb_file_at(const AppTx *tx, uint8_t dir, uint32_t idx)
{
    const SmbTx *t = smb_tx(tx);
    if (t == NULL || t->kind != SMB_KIND_FILE || idx != 0 || t->file_dir != dir ||
        t->file == NULL) {
        return NULL;
    }
    return &t->file->f;
}

const AppParserDesc app_parser_smb = {
    .name = "smb",
    .proto = APP_PROTO_SMB,
    .ipproto = 6,
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "139,445",
    .probe_ip = smb_probe_ip,
    .is_reply = smb_is_reply,
    .state_new = smb_state_new,
    .state_free = smb_state_free,
    .parse = smb_parse,
    .gap_len = smb_gap_len,
    .eof = smb_eof,
    .tx_free = smb_tx_free,
    .complete = {1, 1},
    .events = smb_event_names,
    .n_events = SMB_EV_N,
    .buffers = smb_buffers,
    .n_buffers = SMB_N_BUFFERS,
    .log_json = smb_log_json,
    .tx_file_at = smb_file_at,
    .frame_types = smb_frame_types,
    .n_frame_types = sizeof(smb_frame_types) / sizeof(smb_frame_types[0]),
};
