/* NFS over ONC RPC: the parser row, TCP record marking (RFC 5531 section 11: fragments,
 * each after a 4-octet header whose high bit marks the record's last; a record is
 * gathered whole, charged to the nfs memcap, and one over NFS_RECORD_MAX is skipped),
 * calls and replies matched by xid into one tx, READ/WRITE data as files (one file tx
 * per file handle and direction, spanning its chunks), the buffers and the EVE objects
 * ("rpc" and "nfs"). Procedure arguments: app-layer-nfs-proc.c. */
#include "app-layer/nfs/app-layer-nfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/nfs/app-layer-nfs-internal.h"
#include "util/util-byte.h"

const char *const nfs_event_names[NFS_EV_N] = {
    "malformed_data",
    "non_existing_version",
    "unsupported_version",
    "too_many_transactions",
};

static void *nfs_state_new(AppFlow *af)
{
    NfsState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
        st->is_tcp = af->f != NULL && af->f->key.proto == 6;
    }
    return st;
}

static void dir_free(NfsState *st, NfsDir *d)
{
    app_mem_free(st->af, &d->buf, &d->cap);
    d->len = 0;
}

static void nfs_state_free(void *state)
{
    NfsState *st = state;
    if (st == NULL) {
        return;
    }
    dir_free(st, &st->dir[0]);
    dir_free(st, &st->dir[1]);
    if (st->names != NULL) {
        app_mem_release(st->af, sizeof(NfsName) * NFS_NAMES_MAX);
        free(st->names);
    }
    free(st);
}

static void nfs_tx_free(void *state, AppTx *tx)
{
    NfsState *st = state;
    NfsTx *t = (NfsTx *)tx;
    app_file_free(st != NULL ? st->af : NULL, t->file);
    t->file = NULL;
}

const NfsTx *nfs_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_NFS ? (const NfsTx *)tx : NULL;
}

bool nfs_tx_any_proc(const NfsTx *t, bool (*match)(const void *ctx, uint64_t v),
                     const void *ctx)
{
    if (match(ctx, t->wire_procedure)) {
        return true;
    }
    for (uint32_t i = 0; i < t->n_ops; i++) {
        if (match(ctx, t->ops[i])) {
            return true;
        }
    }
    return false;
}

/* ---- txs ---- */

static void tx_finish(NfsTx *t)
{
    t->tx.progress[0] = t->tx.progress[1] = NFS_PROG_DONE;
    app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
}

NfsTx *nfs_tx_find_id(NfsState *st, uint64_t id)
{
    for (uint32_t i = 0; i < st->af->n_txs; i++) {
        AppTx *tx = st->af->txs[i];
        if (tx->id == id && tx->proto == APP_PROTO_NFS && !(tx->flags & APP_TX_F_OLD_PARSER)) {
            return (NfsTx *)tx;
        }
    }
    return NULL;
}

/* The unanswered call with this xid (newest first). */
static NfsTx *tx_by_xid(NfsState *st, uint32_t xid)
{
    for (uint32_t i = st->af->n_txs; i-- > 0;) {
        NfsTx *t = (NfsTx *)st->af->txs[i];
        if (t->tx.proto == APP_PROTO_NFS && !t->is_file_tx && !t->response_done &&
            t->xid == xid) {
            return t;
        }
    }
    return NULL;
}

static void set_call(NfsTx *t, const NfsRpc *r)
{
    t->xid = r->xid;
    t->version = r->vers;
    t->auth_type = r->auth_type;
    t->has_unix = r->has_unix;
    t->uid = r->uid;
    t->gid = r->gid;
    t->machine_len = r->machine_len;
    memcpy(t->machine, r->machine, r->machine_len);
}

NfsTx *nfs_call_tx(NfsState *st, const NfsRpc *r, uint32_t proc)
{
    /* unanswered calls are bounded: the oldest one ends when there are too many */
    uint32_t pending = 0;
    NfsTx *oldest = NULL;
    for (uint32_t i = 0; i < st->af->n_txs; i++) {
        NfsTx *t = (NfsTx *)st->af->txs[i];
        if (t->tx.proto == APP_PROTO_NFS && !t->is_file_tx && !t->response_done) {
            oldest = oldest != NULL ? oldest : t;
            pending++;
        }
    }
    bool too_many = pending >= NFS_PENDING_MAX;
    if (too_many) {
        oldest->response_done = true;
        tx_finish(oldest);
    }
    NfsTx *t = (NfsTx *)app_tx_new(st->af, sizeof(NfsTx));
    if (t == NULL) {
        return NULL;
    }
    st->msg_tx = t;
    set_call(t, r);
    t->wire_procedure = r->proc;
    t->procedure = proc;
    t->request_done = true;
    t->tx.progress[0] = NFS_PROG_DONE;
    app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    if (too_many) {
        app_tx_event(st->af, &t->tx, NFS_EV_TOO_MANY_TRANSACTIONS);
    }
    return t;
}

void nfs_tx_set_fh(NfsTx *t, const uint8_t *fh, uint32_t len)
{
    t->fh_len = len < NFS_FH_MAX ? len : NFS_FH_MAX;
    if (fh != NULL) {
        memcpy(t->fh, fh, t->fh_len);
    }
}

void nfs_copy_name(uint8_t *dst, uint32_t *dst_len, const uint8_t *s, uint32_t len)
{
    *dst_len = len < NFS_NAME_MAX ? len : NFS_NAME_MAX;
    if (s != NULL) {
        memcpy(dst, s, *dst_len);
    }
}

/* ---- file handle -> name ---- */

void nfs_name_add(NfsState *st, const uint8_t *fh, uint32_t fh_len, const uint8_t *name,
                  uint32_t name_len)
{
    if (fh_len == 0 || name_len == 0) {
        return;
    }
    if (st->names == NULL) {
        if (!app_mem_charge(st->af, sizeof(NfsName) * NFS_NAMES_MAX)) {
            return;
        }
        st->names = calloc(NFS_NAMES_MAX, sizeof(NfsName));
        if (st->names == NULL) {
            app_mem_release(st->af, sizeof(NfsName) * NFS_NAMES_MAX);
            return;
        }
    }
    fh_len = fh_len < NFS_FH_MAX ? fh_len : NFS_FH_MAX;
    NfsName *n = NULL;
    for (uint32_t i = 0; i < st->n_names; i++) {
        if (st->names[i].fh_len == fh_len && memcmp(st->names[i].fh, fh, fh_len) == 0) {
            n = &st->names[i];
        }
    }
    if (n == NULL) {
        n = &st->names[st->next_name];
        st->next_name = (st->next_name + 1) % NFS_NAMES_MAX;
        st->n_names = st->n_names < NFS_NAMES_MAX ? st->n_names + 1 : NFS_NAMES_MAX;
    }
    n->fh_len = fh_len;
    memcpy(n->fh, fh, fh_len);
    nfs_copy_name(n->name, &n->name_len, name, name_len);
}

static const NfsName *name_of(const NfsState *st, const uint8_t *fh, uint32_t fh_len)
{
    for (uint32_t i = 0; st->names != NULL && i < st->n_names; i++) {
        if (st->names[i].fh_len == fh_len && memcmp(st->names[i].fh, fh, fh_len) == 0) {
            return &st->names[i];
        }
    }
    return NULL;
}

void nfs_tx_name_from_fh(const NfsState *st, NfsTx *t)
{
    const NfsName *n = name_of(st, t->fh, t->fh_len);
    if (n != NULL && t->name_len == 0) {
        nfs_copy_name(t->name, &t->name_len, n->name, n->name_len);
    }
}

/* ---- files ---- */

static NfsTx *file_tx_open(NfsState *st, const NfsRpc *r, uint32_t proc, uint8_t dir,
                           const uint8_t *fh, uint32_t fh_len)
{
    fh_len = fh_len < NFS_FH_MAX ? fh_len : NFS_FH_MAX;
    for (uint32_t i = st->af->n_txs; i-- > 0;) {
        NfsTx *t = (NfsTx *)st->af->txs[i];
        if (t->tx.proto == APP_PROTO_NFS && t->is_file_tx && !t->file_closed &&
            t->file_dir == dir && t->fh_len == fh_len && memcmp(t->fh, fh, fh_len) == 0) {
            st->msg_tx = t;
            return t;
        }
    }
    NfsTx *t = (NfsTx *)app_tx_new(st->af, sizeof(NfsTx));
    if (t == NULL) {
        return NULL;
    }
    st->msg_tx = t;
    set_call(t, r);
    t->version = st->version;
    t->procedure = proc;
    t->wire_procedure = r->proc;
    if (st->version >= 4) {
        t->wire_procedure = proc;
    }
    t->is_file_tx = true;
    t->file_dir = dir;
    t->request_done = true;
    nfs_tx_set_fh(t, fh, fh_len);
    const NfsName *n = name_of(st, fh, fh_len);
    if (n != NULL) {
        nfs_copy_name(t->name, &t->name_len, n->name, n->name_len);
    }
    AppFileTrack *ft = app_file_new(st->af, dir, t->name, t->name_len);
    t->file = ft;
    if (ft != NULL) {
        t->tx.n_files[dir] = 1;
    }
    return t;
}

/* In-order bytes at t->file_next; data before it was seen already, a hole before it is
 * a gap (the file's size still counts it). */
static void file_put(NfsState *st, NfsTx *t, uint64_t offset, const uint8_t *d, uint32_t n)
{
    AppFileTrack *ft = t->file;
    if (t->chunks == 0) {
        t->is_first = offset == 0;
    }
    t->chunks++;
    app_tx_touch(&t->tx, t->file_dir);
    if (ft == NULL || t->file_closed) {
        return;
    }
    if (offset < t->file_next) {
        uint64_t skip = t->file_next - offset;
        if (skip >= n) {
            return;
        }
        d += skip;
        n -= (uint32_t)skip;
    } else if (offset > t->file_next) {
        ft->f.flags |= APP_FILE_F_GAP;
        ft->f.size += offset - t->file_next;
        t->file_next = offset;
    }
    app_file_data(st->af, ft, d, n);
    t->file_next += n;
}

static void file_close(NfsTx *t, uint8_t state)
{
    if (t->file_closed) {
        return;
    }
    t->file_closed = true;
    if (t->file != NULL) {
        AppFileTrack *ft = t->file;
        app_file_close(ft, (ft->f.flags & APP_FILE_F_GAP) ? APP_FILE_TRUNCATED : state);
    }
}

static NfsChunk *chunk_take(NfsState *st, uint32_t xid)
{
    for (uint32_t i = 0; i < NFS_CHUNKS_MAX; i++) {
        if (st->chunks[i].used && st->chunks[i].xid == xid) {
            st->chunks[i].used = false;
            return &st->chunks[i];
        }
    }
    return NULL;
}

static NfsChunk *chunk_add(NfsState *st, uint32_t xid)
{
    NfsChunk *c = &st->chunks[st->next_chunk];
    st->next_chunk = (st->next_chunk + 1) % NFS_CHUNKS_MAX;
    memset(c, 0, sizeof(*c));
    c->used = true;
    c->xid = xid;
    return c;
}

void nfs_write_call(NfsState *st, const NfsRpc *r, const uint8_t *fh, uint32_t fh_len,
                    uint64_t offset, const uint8_t *data, uint32_t len, bool last)
{
    uint32_t proc = st->version >= 4 ? NFS4_OP_WRITE : NFS3_WRITE;
    NfsTx *t = file_tx_open(st, r, proc, APP_DIR_TOSERVER, fh, fh_len);
    if (t == NULL) {
        return;
    }
    file_put(st, t, offset, data, len);
    t->file_last_xid = r->xid;
    if (last) {
        t->is_last = true;
        file_close(t, APP_FILE_CLOSED);
    }
    NfsChunk *c = chunk_add(st, r->xid);
    c->tx_id = t->tx.id;
    c->is_write = true;
}

void nfs_read_call(NfsState *st, const NfsRpc *r, const uint8_t *fh, uint32_t fh_len,
                   uint64_t offset)
{
    NfsChunk *c = chunk_add(st, r->xid);
    c->rpc = *r;
    c->offset = offset;
    c->fh_len = fh_len < NFS_FH_MAX ? fh_len : NFS_FH_MAX;
    memcpy(c->fh, fh, c->fh_len);
}

void nfs_commit_call(NfsState *st, const uint8_t *fh, uint32_t fh_len)
{
    fh_len = fh_len < NFS_FH_MAX ? fh_len : NFS_FH_MAX;
    for (uint32_t i = 0; i < st->af->n_txs; i++) {
        NfsTx *t = (NfsTx *)st->af->txs[i];
        if (t->tx.proto == APP_PROTO_NFS && t->is_file_tx && !t->file_closed &&
            t->file_dir == APP_DIR_TOSERVER && t->fh_len == fh_len &&
            memcmp(t->fh, fh, fh_len) == 0) {
            t->is_last = true;
            file_close(t, APP_FILE_CLOSED);
            if (t->response_done) {
                tx_finish(t);
            }
        }
    }
}

/* The reply of a READ or WRITE chunk. For READ, data/len/eof come from the results
 * (data NULL: none, the call failed). */
static void chunk_reply(NfsState *st, NfsChunk *c, const NfsRpc *r, bool has_status,
                        uint32_t status, const uint8_t *data, uint32_t len, bool eof)
{
    NfsTx *t;
    if (c->is_write) {
        t = nfs_tx_find_id(st, c->tx_id);
        if (t == NULL) {
            return;
        }
        st->msg_tx = t;
    } else {
        if (data == NULL) {
            return;              // a failed READ: no file
        }
        uint32_t proc = st->version >= 4 ? NFS4_OP_READ : NFS3_READ;
        t = file_tx_open(st, &c->rpc, proc, APP_DIR_TOCLIENT, c->fh, c->fh_len);
        if (t == NULL) {
            return;
        }
        file_put(st, t, c->offset, data, len);
        t->file_last_xid = r->xid;
        if (eof) {
            t->is_last = true;
            file_close(t, APP_FILE_CLOSED);
        }
    }
    t->reply_stat = r->reply_stat;
    t->accept_stat = r->accept_stat;
    t->has_nfs_status = has_status;
    t->nfs_status = status;
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
    if (t->file_last_xid == r->xid) {
        t->response_done = true;
        if (t->file_closed) {
            tx_finish(t);
        }
    }
}

/* ---- messages ---- */

/* An event of the message being parsed: on its tx, else on a tx of its own (complete,
 * without an nfs record) so that app-layer-event rules see it. */
void nfs_msg_event(NfsState *st, uint8_t dir, uint32_t ev)
{
    NfsTx *t = st->msg_tx;
    if (t == NULL) {
        t = (NfsTx *)app_tx_new(st->af, sizeof(NfsTx));
        if (t == NULL) {
            app_tx_event(st->af, NULL, ev);
            return;
        }
        t->is_event_tx = true;
        t->response_done = true;     // nothing to wait for: never a pending call
        t->version = st->version;
        t->tx.progress[0] = t->tx.progress[1] = NFS_PROG_DONE;
        st->msg_tx = t;
    }
    app_tx_event(st->af, &t->tx, ev);
    app_tx_touch(&t->tx, dir);
}

static void on_message(NfsState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    NfsXdr x = {.p = data, .len = len};
    NfsRpc r;
    st->msg_tx = NULL;
    if (!nfs_rpc_parse(&x, &r)) {
        nfs_msg_event(st, dir, NFS_EV_MALFORMED_DATA);
        return;
    }
    if (r.msg_type == 0) {
        if (r.prog != NFS_PROGRAM || dir != APP_DIR_TOSERVER) {
            return;              // another program (MOUNT, a v4 callback): not ours
        }
        if (r.vers < 2 || r.vers > 4) {
            nfs_msg_event(st, dir, NFS_EV_UNSUPPORTED_VERSION);
            return;
        }
        st->version = r.vers;
        if (!nfs_call_args(st, &r, &x)) {
            nfs_msg_event(st, dir, NFS_EV_MALFORMED_DATA);
        }
        return;
    }
    if (dir != APP_DIR_TOCLIENT) {
        return;                  // a reply to a callback
    }
    bool success = r.reply_stat == 0 && r.accept_stat == 0;
    NfsChunk *c = chunk_take(st, r.xid);
    if (c != NULL) {
        NfsChunk copy = *c;
        NfsReadRes rr = {0};
        bool ok = !success || nfs_chunk_results(st, &copy, &x, &rr);
        chunk_reply(st, &copy, &r, success && rr.has_status, rr.status, rr.data, rr.len,
                    rr.eof);
        if (!ok) {
            nfs_msg_event(st, dir, NFS_EV_MALFORMED_DATA);
        }
        return;
    }
    NfsTx *t = tx_by_xid(st, r.xid);
    if (t == NULL) {
        return;                  // no call seen (midstream) or answered already
    }
    st->msg_tx = t;
    t->reply_stat = r.reply_stat;
    t->accept_stat = r.accept_stat;
    t->response_done = true;
    if (success && !nfs_reply_results(st, t, &x)) {
        nfs_msg_event(st, dir, NFS_EV_MALFORMED_DATA);
    }
    tx_finish(t);
}

/* ---- framing ---- */

static bool carry(NfsState *st, NfsDir *d, const uint8_t *data, uint32_t len)
{
    if (len == 0) {
        return true;             // an empty fragment
    }
    uint32_t need = d->len + len;
    if (need > d->cap) {
        uint32_t cap = d->cap ? d->cap : 1024;
        while (cap < need) {
            cap *= 2;
        }
        cap = cap > NFS_RECORD_MAX ? NFS_RECORD_MAX : cap;
        if (!app_mem_grow(st->af, &d->buf, &d->cap, cap)) {
            return false;
        }
    }
    memcpy(d->buf + d->len, data, len);
    d->len += len;
    return true;
}

static int parse_tcp(NfsState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    NfsDir *d = &st->dir[dir];
    while (len > 0) {
        if (d->frag_left == 0) {
            uint32_t n = 4 - d->hdr_len < len ? 4 - d->hdr_len : len;
            memcpy(d->hdr + d->hdr_len, data, n);
            d->hdr_len += n;
            data += n;
            len -= n;
            if (d->hdr_len < 4) {
                continue;
            }
            d->hdr_len = 0;
            uint32_t h = util_be32(d->hdr);
            d->last_frag = (h & 0x80000000u) != 0;
            d->frag_left = h & 0x7fffffffu;
            if (!d->skipping && (uint64_t)d->len + d->frag_left > NFS_RECORD_MAX) {
                d->skipping = true;      // too long: dropped up to the record's end
                d->len = 0;
                st->msg_tx = NULL;
                nfs_msg_event(st, dir, NFS_EV_MALFORMED_DATA);
            }
        }
        uint32_t n = d->frag_left < len ? d->frag_left : len;
        if (!d->skipping && !carry(st, d, data, n)) {
            d->skipping = true;          // memcap: this record is lost
            d->len = 0;
        }
        d->frag_left -= n;
        data += n;
        len -= n;
        if (d->frag_left == 0 && d->last_frag) {
            if (!d->skipping) {
                on_message(st, dir, d->buf, d->len);
            }
            d->skipping = false;
            d->len = 0;
        }
    }
    return APP_PARSE_OK;
}

static int nfs_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                     uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    NfsState *st = state;
    if (st->is_tcp) {
        return parse_tcp(st, dir, data, len);
    }
    if (len > 0) {
        on_message(st, dir, data, len);
    }
    return APP_PARSE_OK;
}

/* Data lost, len bytes (TCP). Inside the current fragment the record is dropped and the
 * next record mark is still found by its length; a gap over a record mark (or of unknown
 * length) stops the direction. Open files of the direction get the gap. */
static int nfs_gap_len(AppFlow *af, void *state, uint8_t dir, uint32_t len)
{
    NfsState *st = state;
    NfsDir *d = &st->dir[dir];
    for (uint32_t i = 0; i < af->n_txs; i++) {
        NfsTx *t = (NfsTx *)af->txs[i];
        if (t->tx.proto == APP_PROTO_NFS && t->is_file_tx && t->file_dir == dir &&
            t->file != NULL) {
            ((AppFileTrack *)t->file)->f.flags |= APP_FILE_F_GAP;
        }
    }
    if (st->is_tcp && d->hdr_len == 0 && len > 0 && d->frag_left >= len) {
        d->frag_left -= len;
        d->skipping = true;
        d->len = 0;
        if (d->frag_left == 0 && d->last_frag) {
            d->skipping = false;
        }
        return APP_PARSE_OK;
    }
    dir_free(st, d);
    return APP_PARSE_ERROR;
}

static void nfs_eof(AppFlow *af, void *state, uint8_t dir)
{
    NfsState *st = state;
    dir_free(st, &st->dir[dir]);
    /* files still open end with the flow (no last chunk seen) */
    for (uint32_t i = 0; i < af->n_txs; i++) {
        NfsTx *t = (NfsTx *)af->txs[i];
        if (t->tx.proto == APP_PROTO_NFS && t->is_file_tx && t->file_dir == dir) {
            file_close(t, APP_FILE_TRUNCATED);
        }
    }
}

/* An RPC call to the NFS program (after the record mark on TCP), or on the NFS ports a
 * reply. TCP: the record mark must announce a sane length. Each header word present is
 * checked as soon as it is there, so that other protocols are refused early. */
static int nfs_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                        uint8_t dir)
{
    bool tcp = ipproto == 6;
    if (tcp) {
        if (len < 4) {
            return len > 0 ? APP_PROBE_MORE : APP_PROBE_NO;
        }
        uint32_t frag = util_be32(data) & 0x7fffffffu;
        if (frag < 24 || frag > NFS_RECORD_MAX) {
            return APP_PROBE_NO;
        }
        data += 4;
        len = len - 4 < frag ? len - 4 : frag;
    }
    bool replies = port_hint && dir == APP_DIR_TOCLIENT;
    uint32_t type = len >= 8 ? util_be32(data + 4) : 0;
    if (len >= 8 && type != 0 && !(replies && type == 1)) {
        return APP_PROBE_NO;
    }
    if (type == 0 && ((len >= 12 && util_be32(data + 8) != 2) ||
                      (len >= 16 && util_be32(data + 12) != NFS_PROGRAM) ||
                      (len >= 20 && (util_be32(data + 16) < 2 || util_be32(data + 16) > 4)))) {
        return APP_PROBE_NO;
    }
    if (len < 24) {
        return tcp ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    return nfs_rpc_looks_like(data, len, replies) ? APP_PROBE_YES : APP_PROBE_NO;
}

/* ---- buffers: file.data of file txs ---- */

static bool get_file_data(const AppTx *tx, uint8_t dir, const uint8_t **d, uint32_t *l)
{
    const NfsTx *t = nfs_tx(tx);
    if (t == NULL || !t->is_file_tx || t->file_dir != dir || t->file == NULL) {
        return false;
    }
    const AppFileTrack *ft = t->file;
    if (ft->f.data == NULL) {
        return false;
    }
    *d = ft->f.data;
    *l = ft->f.data_len;
    return true;
}

static bool get_fd_ts(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    return get_file_data(tx, APP_DIR_TOSERVER, d, l);
}

static bool get_fd_tc(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    return get_file_data(tx, APP_DIR_TOCLIENT, d, l);
}

static const AppBufferDef nfs_buffers[] = {
    {.name = "file.data", .proto = APP_PROTO_NFS, .dir = APP_DIR_TOSERVER, .progress = 0,
     .is_growing = true, .get = get_fd_ts},
    {.name = "file.data", .proto = APP_PROTO_NFS, .dir = APP_DIR_TOCLIENT, .progress = 0,
     .is_growing = true, .get = get_fd_tc},
};

static const AppFile *nfs_file_at(const AppTx *tx, uint8_t dir, uint32_t idx)
{
    const NfsTx *t = (const NfsTx *)tx;
    if (idx != 0 || !t->is_file_tx || t->file_dir != dir || t->file == NULL) {
        return NULL;
    }
    return &((const AppFileTrack *)t->file)->f;
}

/* ---- EVE ---- */

static void log_rpc(const NfsTx *t, JsonBuf *jb)
{
    json_open_object(jb, "rpc");
    json_u64(jb, "xid", t->xid);
    json_str(jb, "status", t->reply_stat == 0 ? "ACCEPTED" : "DENIED");
    const char *auth = nfs_auth_name(t->auth_type);
    if (auth != NULL) {
        json_str(jb, "auth_type", auth);
    } else {
        json_u64(jb, "auth_type", t->auth_type);
    }
    if (t->has_unix) {
        json_open_object(jb, "creds");
        json_strn(jb, "machine_name", t->machine, t->machine_len);
        json_u64(jb, "uid", t->uid);
        json_u64(jb, "gid", t->gid);
        json_close_object(jb);
    }
    json_close_object(jb);
}

static void log_file_obj(const NfsTx *t, JsonBuf *jb, const char *key)
{
    json_open_object(jb, key);
    json_bool(jb, "first", t->is_first);
    json_bool(jb, "last", t->is_last);
    json_u64(jb, "last_xid", t->file_last_xid);
    json_u64(jb, "chunks", t->chunks);
    json_close_object(jb);
}

static void nfs_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const NfsTx *t = nfs_tx(tx);
    if (t == NULL || t->is_event_tx) {
        return;
    }
    log_rpc(t, jb);
    json_open_object(jb, "nfs");
    json_u64(jb, "version", t->version);
    const char *pname = nfs_proc_name(t->version, t->wire_procedure);
    if (pname != NULL) {
        json_str(jb, "procedure", pname);
    } else {
        json_u64(jb, "procedure", t->wire_procedure);
    }
    json_strn(jb, "filename", t->name, t->name_len);
    if (t->fh_len > 0) {
        char h[16];
        unsigned long c = crc32(0L, t->fh, t->fh_len);
        (void)snprintf(h, sizeof(h), "%lx", c);
        json_str(jb, "hhash", h);
    }
    json_u64(jb, "id", t->tx.id + 1);
    json_bool(jb, "file_tx", t->is_file_tx);
    json_str(jb, "type", t->response_done ? "response" : "request");
    if (t->response_done) {
        const char *s = t->has_nfs_status ? nfs_status_name(t->nfs_status) : NULL;
        if (s != NULL) {
            json_str(jb, "status", s);
        } else if (t->has_nfs_status) {
            json_u64(jb, "status", t->nfs_status);
        }
        if (t->procedure == NFS3_READ || t->procedure == NFS4_OP_READ) {
            if (t->is_file_tx) {
                log_file_obj(t, jb, "read");
            }
        } else if (t->procedure == NFS3_WRITE || t->procedure == NFS4_OP_WRITE) {
            if (t->is_file_tx) {
                log_file_obj(t, jb, "write");
            }
        } else if (t->has_rename) {
            json_open_object(jb, "rename");
            json_strn(jb, "from", t->name, t->name_len);
            json_strn(jb, "to", t->rename_to, t->rename_to_len);
            json_close_object(jb);
        }
    }
    json_close_object(jb);
}

/* Records: GETATTR of v2/v3 is left out, as Suricata does (clients poll it). */
static bool nfs_eve_wanted(const AppTx *tx)
{
    const NfsTx *t = nfs_tx(tx);
    return t != NULL && !t->is_event_tx &&
           !(t->version <= 3 && t->procedure == NFS3_GETATTR && !t->is_file_tx);
}

/* Records are written in the reply's direction (the packet completing the tx). */
static bool nfs_eve_toclient(const AppTx *tx)
{
    const NfsTx *t = nfs_tx(tx);
    return t != NULL && t->response_done;
}

const AppParserDesc app_parser_nfs = {
    .name = "nfs",
    .proto = APP_PROTO_NFS,
    .ipproto = 0,                // UDP and TCP
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "2049",
    .state_new = nfs_state_new,
    .state_free = nfs_state_free,
    .parse = nfs_parse,
    .gap_len = nfs_gap_len,
    .eof = nfs_eof,
    .tx_free = nfs_tx_free,
    .complete = {NFS_PROG_DONE, NFS_PROG_DONE},
    .events = nfs_event_names,
    .n_events = NFS_EV_N,
    .buffers = nfs_buffers,
    .n_buffers = sizeof(nfs_buffers) / sizeof(nfs_buffers[0]),
    .log_json = nfs_log_json,
    .tx_file_at = nfs_file_at,
    .probe_ip = nfs_probe_ip,
    .eve_generic = true,
    .eve_wanted = nfs_eve_wanted,
    .eve_toclient = nfs_eve_toclient,
    .split_counters = true,
};
