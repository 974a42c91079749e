/* NFS procedure arguments and results: v2 (RFC 1094 section 2.2), v3 (RFC 1813 section
 * 3.3) and v4 COMPOUND operations (RFC 7530 section 16, RFC 5661 section 18 for the 4.1
 * session operations). Every length is checked against what is left of the record (the
 * bounded reader) and against the protocol's maximum; lists (READDIR entries, COMPOUND
 * operations) are walked up to a fixed count. An operation whose layout is not known here
 * ends the COMPOUND's decoding (its number is still kept). */
#include <string.h>

#include "app-layer/nfs/app-layer-nfs-internal.h"

#define NAME_WIRE_MAX 1024u      // longest name accepted on the wire (kept: NFS_NAME_MAX)
#define FATTR3_LEN 84u           // RFC 1813 fattr3
#define FATTR2_LEN 68u           // RFC 1094 fattr
#define FH2_LEN 32u              // RFC 1094 fhandle
#define FH3_MAX 64u              // RFC 1813 NFS3_FHSIZE
#define FH4_MAX 128u             // RFC 7530 NFS4_FHSIZE
#define STATEID4_LEN 16u
#define BITMAP4_MAX 16u          // words of a bitmap4
#define ATTRLIST_MAX 65536u

static const uint8_t *read_fh(NfsXdr *x, uint32_t version, uint32_t *len)
{
    if (version == 2) {
        *len = FH2_LEN;
        return nfs_xdr_fixed(x, FH2_LEN);
    }
    return nfs_xdr_opaque(x, version == 3 ? FH3_MAX : FH4_MAX, len);
}

static const uint8_t *read_name(NfsXdr *x, uint32_t *len)
{
    return nfs_xdr_opaque(x, NAME_WIRE_MAX, len);
}

static void skip_bitmap(NfsXdr *x)
{
    uint32_t n = nfs_xdr_u32(x);
    if (n > BITMAP4_MAX) {
        x->err = true;
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        (void)nfs_xdr_u32(x);
    }
}

static void skip_fattr4(NfsXdr *x)
{
    uint32_t l;
    skip_bitmap(x);
    (void)nfs_xdr_opaque(x, ATTRLIST_MAX, &l);
}

/* v3 post_op_attr */
static void skip_post_op_attr(NfsXdr *x)
{
    if (nfs_xdr_u32(x) != 0) {
        (void)nfs_xdr_fixed(x, FATTR3_LEN);
    }
}

/* ---- v2 / v3 calls ---- */

static bool call_v23(NfsState *st, const NfsRpc *r, NfsXdr *x)
{
    uint32_t v = r->vers;
    uint32_t proc = v == 2 ? nfs2_to_nfs3(r->proc) : r->proc;
    uint32_t fl = 0, nl = 0;
    const uint8_t *fh = NULL, *name = NULL;
    if (proc == NFS3_NULL || proc == UINT32_MAX) {
        (void)nfs_call_tx(st, r, proc);
        return true;
    }
    fh = read_fh(x, v, &fl);
    if (proc == NFS3_READ) {
        uint64_t off = v == 2 ? nfs_xdr_u32(x) : nfs_xdr_u64(x);
        if (x->err) {
            return false;
        }
        nfs_read_call(st, r, fh, fl, off);
        return true;
    }
    if (proc == NFS3_WRITE && v == 3) {   // v2 WRITEs are txs without files, as Suricata's
        uint64_t off = nfs_xdr_u64(x);
        (void)nfs_xdr_u32(x);                     // count
        uint32_t stable = nfs_xdr_u32(x);
        uint32_t dl;
        const uint8_t *d = nfs_xdr_opaque(x, NFS_RECORD_MAX, &dl);
        if (x->err) {
            return false;
        }
        nfs_write_call(st, r, fh, fl, off, d, dl, stable == 2);   // FILE_SYNC
        return true;
    }
    NfsTx *t = nfs_call_tx(st, r, proc);
    if (t == NULL) {
        return true;
    }
    if (x->err) {
        return false;
    }
    nfs_tx_set_fh(t, fh, fl);
    switch (proc) {
    case NFS3_LOOKUP: case NFS3_REMOVE: case NFS3_RMDIR: case NFS3_CREATE:
    case NFS3_MKDIR: case NFS3_SYMLINK: case NFS3_MKNOD:
        name = read_name(x, &nl);
        nfs_copy_name(t->name, &t->name_len, name, nl);
        break;
    case NFS3_RENAME: {
        name = read_name(x, &nl);
        nfs_copy_name(t->name, &t->name_len, name, nl);
        uint32_t tl, tnl;
        (void)read_fh(x, v, &tl);
        const uint8_t *to = read_name(x, &tnl);
        nfs_copy_name(t->rename_to, &t->rename_to_len, to, tnl);
        t->has_rename = !x->err;
        break;
    }
    case NFS3_LINK: {
        uint32_t dl2;
        (void)read_fh(x, v, &dl2);
        name = read_name(x, &nl);
        nfs_copy_name(t->name, &t->name_len, name, nl);
        break;
    }
    case NFS3_COMMIT:
        nfs_commit_call(st, fh, fl);
        nfs_tx_name_from_fh(st, t);
        break;
    case NFS3_WRITE:                              // v2: the file's name, no file
        nfs_tx_name_from_fh(st, t);
        break;
    default:
        break;
    }
    return !x->err;
}

/* ---- v4 COMPOUND ---- */

typedef struct V4Call {
    NfsTx t;                     // scratch: ops, name, fh, rename
    bool has_io;
    bool io_write;
    uint8_t io_fh[NFS_FH_MAX];
    uint32_t io_fh_len;
    uint64_t io_off;
    const uint8_t *io_data;
    uint32_t io_len;
    bool io_last;
} V4Call;

static bool v4_housekeeping(uint32_t op)
{
    switch (op) {
    case NFS4_OP_SEQUENCE: case NFS4_OP_PUTFH: case NFS4_OP_PUTROOTFH:
    case NFS4_OP_PUTPUBFH: case NFS4_OP_SAVEFH: case NFS4_OP_RESTOREFH: case NFS4_OP_GETFH:
    case NFS4_OP_GETATTR:
        return true;
    default:
        return false;
    }
}

static void v4_open_args(NfsXdr *x, V4Call *c)
{
    uint32_t l;
    (void)nfs_xdr_u32(x);                         // seqid
    (void)nfs_xdr_u32(x);                         // share_access
    (void)nfs_xdr_u32(x);                         // share_deny
    (void)nfs_xdr_u64(x);                         // owner clientid
    (void)nfs_xdr_opaque(x, NAME_WIRE_MAX, &l);   // owner
    if (nfs_xdr_u32(x) == 1) {                    // OPEN4_CREATE: createhow4
        uint32_t mode = nfs_xdr_u32(x);
        if (mode == 0 || mode == 1) {
            skip_fattr4(x);
        } else if (mode == 2) {
            (void)nfs_xdr_fixed(x, 8);
        } else if (mode == 3) {
            (void)nfs_xdr_fixed(x, 8);
            skip_fattr4(x);
        } else {
            x->err = true;
        }
    }
    uint32_t claim = nfs_xdr_u32(x);
    const uint8_t *n = NULL;
    uint32_t nl = 0;
    switch (claim) {
    case 0: case 3:                               // CLAIM_NULL, CLAIM_DELEGATE_PREV
        n = read_name(x, &nl);
        break;
    case 1:                                       // CLAIM_PREVIOUS
        (void)nfs_xdr_u32(x);
        break;
    case 2:                                       // CLAIM_DELEGATE_CUR
        (void)nfs_xdr_fixed(x, STATEID4_LEN);
        n = read_name(x, &nl);
        break;
    case 4: case 6:                               // CLAIM_FH, CLAIM_DELEG_PREV_FH
        break;
    case 5:                                       // CLAIM_DELEG_CUR_FH
        (void)nfs_xdr_fixed(x, STATEID4_LEN);
        break;
    default:
        x->err = true;
    }
    if (!x->err && n != NULL) {
        nfs_copy_name(c->t.name, &c->t.name_len, n, nl);
    }
}

/* One operation's arguments; false when its layout is unknown (decoding stops). */
static bool v4_op_args(NfsXdr *x, uint32_t op, V4Call *c, uint8_t *cur, uint32_t *cur_len,
                       uint8_t *saved, uint32_t *saved_len)
{
    uint32_t l, l2;
    const uint8_t *p;
    switch (op) {
    case NFS4_OP_PUTFH:
        p = nfs_xdr_opaque(x, FH4_MAX, &l);
        if (p != NULL) {
            memcpy(cur, p, l);
            *cur_len = l;
        }
        return true;
    case NFS4_OP_PUTROOTFH: case NFS4_OP_PUTPUBFH:
        *cur_len = 0;
        return true;
    case NFS4_OP_SAVEFH:
        memcpy(saved, cur, *cur_len);
        *saved_len = *cur_len;
        return true;
    case NFS4_OP_RESTOREFH:
        memcpy(cur, saved, *saved_len);
        *cur_len = *saved_len;
        return true;
    case NFS4_OP_GETFH: case NFS4_OP_LOOKUPP: case NFS4_OP_READLINK:
        return true;
    case NFS4_OP_LOOKUP: case NFS4_OP_REMOVE: case NFS4_OP_LINK: case NFS4_OP_SECINFO:
        p = read_name(x, &l);
        nfs_copy_name(c->t.name, &c->t.name_len, p, l);
        if (op == NFS4_OP_LOOKUP || op == NFS4_OP_REMOVE) {
            nfs_tx_set_fh(&c->t, cur, *cur_len);
        }
        return true;
    case NFS4_OP_RENAME:
        p = read_name(x, &l);
        nfs_copy_name(c->t.name, &c->t.name_len, p, l);
        p = read_name(x, &l2);
        nfs_copy_name(c->t.rename_to, &c->t.rename_to_len, p, l2);
        c->t.has_rename = !x->err;
        return true;
    case NFS4_OP_OPEN:
        nfs_tx_set_fh(&c->t, cur, *cur_len);
        v4_open_args(x, c);
        return true;
    case NFS4_OP_CREATE: {
        uint32_t type = nfs_xdr_u32(x);
        if (type == 5) {                          // NF4LNK: linkdata
            (void)nfs_xdr_opaque(x, NAME_WIRE_MAX, &l);
        } else if (type == 3 || type == 4) {      // NF4BLK, NF4CHR: specdata4
            (void)nfs_xdr_u64(x);
        }
        p = read_name(x, &l);
        nfs_copy_name(c->t.name, &c->t.name_len, p, l);
        skip_fattr4(x);
        return true;
    }
    case NFS4_OP_ACCESS: case NFS4_OP_SECINFO_NO_NAME: case NFS4_OP_RECLAIM_COMPLETE:
        (void)nfs_xdr_u32(x);
        return true;
    case NFS4_OP_CLOSE:
        (void)nfs_xdr_u32(x);
        (void)nfs_xdr_fixed(x, STATEID4_LEN);
        return true;
    case NFS4_OP_DELEGRETURN: case NFS4_OP_FREE_STATEID:
        (void)nfs_xdr_fixed(x, STATEID4_LEN);
        return true;
    case NFS4_OP_COMMIT:
        (void)nfs_xdr_u64(x);
        (void)nfs_xdr_u32(x);
        nfs_tx_set_fh(&c->t, cur, *cur_len);
        return true;
    case NFS4_OP_GETATTR:
        skip_bitmap(x);
        if (c->t.fh_len == 0) {
            nfs_tx_set_fh(&c->t, cur, *cur_len);
        }
        return true;
    case NFS4_OP_SETATTR:
        (void)nfs_xdr_fixed(x, STATEID4_LEN);
        skip_fattr4(x);
        return true;
    case NFS4_OP_READDIR:
        (void)nfs_xdr_u64(x);
        (void)nfs_xdr_fixed(x, 8);
        (void)nfs_xdr_u32(x);
        (void)nfs_xdr_u32(x);
        skip_bitmap(x);
        nfs_tx_set_fh(&c->t, cur, *cur_len);
        return true;
    case NFS4_OP_RENEW: case NFS4_OP_DESTROY_CLIENTID:
        (void)nfs_xdr_u64(x);
        return true;
    case NFS4_OP_SETCLIENTID:
        (void)nfs_xdr_fixed(x, 8);                // verifier
        (void)nfs_xdr_fixed(x, 8);                // client id verifier
        (void)nfs_xdr_opaque(x, NAME_WIRE_MAX, &l);
        (void)nfs_xdr_u32(x);                     // cb_program
        (void)nfs_xdr_opaque(x, NAME_WIRE_MAX, &l);   // r_netid
        (void)nfs_xdr_opaque(x, NAME_WIRE_MAX, &l);   // r_addr
        (void)nfs_xdr_u32(x);                     // callback_ident
        return true;
    case NFS4_OP_SETCLIENTID_CONFIRM:
        (void)nfs_xdr_u64(x);
        (void)nfs_xdr_fixed(x, 8);
        return true;
    case NFS4_OP_DESTROY_SESSION:
        (void)nfs_xdr_fixed(x, 16);
        return true;
    case NFS4_OP_SEQUENCE:
        (void)nfs_xdr_fixed(x, 16);
        for (int i = 0; i < 4; i++) {
            (void)nfs_xdr_u32(x);
        }
        return true;
    case NFS4_OP_READ:
    case NFS4_OP_WRITE: {
        (void)nfs_xdr_fixed(x, STATEID4_LEN);
        uint64_t off = nfs_xdr_u64(x);
        if (op == NFS4_OP_READ) {
            (void)nfs_xdr_u32(x);                 // count
        } else {
            c->io_last = nfs_xdr_u32(x) == 2;     // FILE_SYNC4
            c->io_data = nfs_xdr_opaque(x, NFS_RECORD_MAX, &c->io_len);
        }
        if (!x->err && !c->has_io) {
            c->has_io = true;
            c->io_write = op == NFS4_OP_WRITE;
            c->io_off = off;
            memcpy(c->io_fh, cur, *cur_len);
            c->io_fh_len = *cur_len;
        }
        return true;
    }
    default:
        return false;
    }
}

static bool call_v4(NfsState *st, const NfsRpc *r, NfsXdr *x)
{
    if (r->proc != NFS4_COMPOUND) {
        (void)nfs_call_tx(st, r, r->proc);
        return r->proc == NFS4_NULL;     // v4 has no other procedure
    }
    static _Thread_local V4Call c;   // ~1 KiB of scratch: off the stack
    memset(&c, 0, sizeof(c));
    uint8_t cur[NFS_FH_MAX], saved[NFS_FH_MAX];
    uint32_t cur_len = 0, saved_len = 0, tl;
    (void)nfs_xdr_opaque(x, NAME_WIRE_MAX, &tl);  // tag
    uint32_t minor = nfs_xdr_u32(x);
    uint32_t nops = nfs_xdr_u32(x);
    bool ok = !x->err;
    if (ok && minor > 2) {
        nfs_msg_event(st, APP_DIR_TOSERVER, NFS_EV_NON_EXISTING_VERSION);
        return true;
    }
    uint32_t main_op = 0;
    bool has_getattr = false;
    for (uint32_t i = 0; ok && i < nops && i < NFS_COMPOUND_OPS_MAX; i++) {
        uint32_t op = nfs_xdr_u32(x);
        if (x->err) {
            ok = false;
            break;
        }
        if (c.t.n_ops < NFS_OPS_MAX) {
            c.t.ops[c.t.n_ops++] = op;
        }
        has_getattr = has_getattr || op == NFS4_OP_GETATTR;
        if (!v4_housekeeping(op) && op != NFS4_OP_READ && op != NFS4_OP_WRITE) {
            main_op = op;
        }
        if (!v4_op_args(x, op, &c, cur, &cur_len, saved, &saved_len)) {
            break;               // layout unknown here: the rest is not decoded
        }
        ok = !x->err;
    }
    if (c.has_io) {
        if (c.io_write) {
            nfs_write_call(st, r, c.io_fh, c.io_fh_len, c.io_off, c.io_data, c.io_len,
                           c.io_last);
        } else {
            nfs_read_call(st, r, c.io_fh, c.io_fh_len, c.io_off);
        }
        return ok;
    }
    if (main_op == 0) {
        main_op = has_getattr ? NFS4_OP_GETATTR : NFS4_COMPOUND;
    }
    NfsTx *t = nfs_call_tx(st, r, main_op);
    if (t != NULL) {
        t->wire_procedure = main_op;
        t->n_ops = c.t.n_ops;
        memcpy(t->ops, c.t.ops, sizeof(t->ops));
        nfs_tx_set_fh(t, c.t.fh, c.t.fh_len);
        nfs_copy_name(t->name, &t->name_len, c.t.name, c.t.name_len);
        nfs_copy_name(t->rename_to, &t->rename_to_len, c.t.rename_to, c.t.rename_to_len);
        t->has_rename = c.t.has_rename;
    }
    return ok;
}

bool nfs_call_args(NfsState *st, const NfsRpc *r, NfsXdr *x)
{
    return r->vers >= 4 ? call_v4(st, r, x) : call_v23(st, r, x);
}

/* ---- v2 / v3 replies ---- */

/* READDIR / READDIRPLUS entries: walked (names of handles learned with READDIRPLUS). */
static bool readdir_entries(NfsState *st, NfsXdr *x, uint32_t version, bool plus)
{
    if (version == 3) {
        skip_post_op_attr(x);
        (void)nfs_xdr_fixed(x, 8);                // cookieverf
    }
    uint32_t n = 0;
    while (!x->err && nfs_xdr_u32(x) != 0) {      // value_follows
        if (++n > NFS_DIRENTS_MAX) {
            return true;         // the rest is not walked (bounded work)
        }
        uint32_t nl, fl;
        if (version == 2) {
            (void)nfs_xdr_u32(x);
        } else {
            (void)nfs_xdr_u64(x);
        }
        const uint8_t *name = read_name(x, &nl);
        if (version == 2) {
            (void)nfs_xdr_fixed(x, 4);
        } else {
            (void)nfs_xdr_u64(x);
        }
        if (plus) {
            skip_post_op_attr(x);
            if (nfs_xdr_u32(x) != 0) {
                const uint8_t *fh = nfs_xdr_opaque(x, FH3_MAX, &fl);
                if (!x->err && !(nl == 1 && name[0] == '.') &&
                    !(nl == 2 && name[0] == '.' && name[1] == '.')) {
                    nfs_name_add(st, fh, fl, name, nl);
                }
            }
        }
    }
    (void)nfs_xdr_u32(x);                         // eof
    return !x->err;
}

static bool reply_v23(NfsState *st, NfsTx *t, NfsXdr *x)
{
    if (t->procedure == NFS3_NULL || t->procedure == UINT32_MAX) {
        return true;
    }
    t->nfs_status = nfs_xdr_u32(x);
    t->has_nfs_status = !x->err;
    if (x->err || t->nfs_status != 0) {
        return !x->err;
    }
    uint32_t fl;
    const uint8_t *fh = NULL;
    switch (t->procedure) {
    case NFS3_LOOKUP:
        fh = read_fh(x, t->version, &fl);
        break;
    case NFS3_CREATE: case NFS3_MKDIR: case NFS3_SYMLINK: case NFS3_MKNOD:
        if (t->version == 2) {
            if (t->procedure == NFS3_SYMLINK) {
                return true;                      // v2 SYMLINK answers a status only
            }
            fh = read_fh(x, 2, &fl);
        } else if (nfs_xdr_u32(x) != 0) {        // post_op_fh3
            fh = read_fh(x, 3, &fl);
        }
        break;
    case NFS3_READDIR:
        return readdir_entries(st, x, t->version, false);
    case NFS3_READDIRPLUS:
        return readdir_entries(st, x, t->version, true);
    default:
        return true;
    }
    if (!x->err && fh != NULL) {
        nfs_name_add(st, fh, fl, t->name, t->name_len);
    }
    return !x->err;
}

/* ---- v4 COMPOUND replies ---- */

static void skip_delegation(NfsXdr *x)
{
    uint32_t l;
    uint32_t type = nfs_xdr_u32(x);
    switch (type) {
    case 0:                                       // OPEN_DELEGATE_NONE
        break;
    case 1: case 2:                               // READ / WRITE
        (void)nfs_xdr_fixed(x, STATEID4_LEN);
        (void)nfs_xdr_u32(x);                     // recall
        if (type == 2) {
            uint32_t limitby = nfs_xdr_u32(x);
            (void)nfs_xdr_u64(x);                 // filesize, or two u32
            if (limitby != 1 && limitby != 2) {
                x->err = true;
            }
        }
        (void)nfs_xdr_u32(x);                     // nfsace4 type, flag, mask, who
        (void)nfs_xdr_u32(x);
        (void)nfs_xdr_u32(x);
        (void)nfs_xdr_opaque(x, NAME_WIRE_MAX, &l);
        break;
    case 3: {                                     // OPEN_DELEGATE_NONE_EXT (4.1)
        uint32_t why = nfs_xdr_u32(x);
        if (why == 1 || why == 2) {
            (void)nfs_xdr_u32(x);
        }
        break;
    }
    default:
        x->err = true;
    }
}

/* Walks the results: GETFH after a name learns it; READ results go to rr. False when
 * malformed; stops quietly at the first failed operation or unknown layout. */
static bool v4_results(NfsState *st, NfsXdr *x, const uint8_t *name, uint32_t name_len,
                       uint32_t *status, NfsReadRes *rr)
{
    uint32_t l;
    *status = nfs_xdr_u32(x);
    (void)nfs_xdr_opaque(x, NAME_WIRE_MAX, &l);   // tag
    uint32_t n = nfs_xdr_u32(x);
    for (uint32_t i = 0; !x->err && i < n && i < NFS_COMPOUND_OPS_MAX; i++) {
        uint32_t op = nfs_xdr_u32(x);
        uint32_t s = nfs_xdr_u32(x);
        if (x->err || s != 0) {
            break;
        }
        const uint8_t *p;
        switch (op) {
        case NFS4_OP_SEQUENCE:
            (void)nfs_xdr_fixed(x, 16 + 5 * 4);
            break;
        case NFS4_OP_PUTFH: case NFS4_OP_PUTROOTFH: case NFS4_OP_PUTPUBFH:
        case NFS4_OP_SAVEFH: case NFS4_OP_RESTOREFH: case NFS4_OP_LOOKUP:
        case NFS4_OP_LOOKUPP: case NFS4_OP_DELEGRETURN: case NFS4_OP_RENEW:
        case NFS4_OP_RECLAIM_COMPLETE: case NFS4_OP_DESTROY_SESSION:
        case NFS4_OP_DESTROY_CLIENTID: case NFS4_OP_FREE_STATEID:
            break;
        case NFS4_OP_GETFH:
            p = nfs_xdr_opaque(x, FH4_MAX, &l);
            if (!x->err && name_len > 0) {
                nfs_name_add(st, p, l, name, name_len);
            }
            break;
        case NFS4_OP_GETATTR:
            skip_fattr4(x);
            break;
        case NFS4_OP_ACCESS:
            (void)nfs_xdr_u64(x);
            break;
        case NFS4_OP_CLOSE:
            (void)nfs_xdr_fixed(x, STATEID4_LEN);
            break;
        case NFS4_OP_COMMIT:
            (void)nfs_xdr_fixed(x, 8);
            break;
        case NFS4_OP_REMOVE: case NFS4_OP_LINK:
            (void)nfs_xdr_fixed(x, 20);           // change_info4
            break;
        case NFS4_OP_RENAME:
            (void)nfs_xdr_fixed(x, 40);
            break;
        case NFS4_OP_CREATE:
            (void)nfs_xdr_fixed(x, 20);
            skip_bitmap(x);
            break;
        case NFS4_OP_SETATTR:
            skip_bitmap(x);
            break;
        case NFS4_OP_WRITE:
            (void)nfs_xdr_u32(x);                 // count
            (void)nfs_xdr_u32(x);                 // committed
            (void)nfs_xdr_fixed(x, 8);            // verifier
            break;
        case NFS4_OP_OPEN:
            (void)nfs_xdr_fixed(x, STATEID4_LEN + 20);
            (void)nfs_xdr_u32(x);                 // rflags
            skip_bitmap(x);                       // attrset
            skip_delegation(x);
            break;
        case NFS4_OP_READ: {
            bool eof = nfs_xdr_u32(x) != 0;
            p = nfs_xdr_opaque(x, NFS_RECORD_MAX, &l);
            if (!x->err && rr != NULL) {
                rr->data = p;
                rr->len = l;
                rr->eof = eof;
                rr = NULL;
            }
            break;
        }
        default:
            return !x->err;
        }
    }
    return !x->err;
}

bool nfs_reply_results(NfsState *st, NfsTx *t, NfsXdr *x)
{
    if (t->version <= 3) {
        return reply_v23(st, t, x);
    }
    if (t->procedure == NFS4_NULL && t->n_ops == 0) {
        return true;
    }
    bool ok = v4_results(st, x, t->name, t->name_len, &t->nfs_status, NULL);
    t->has_nfs_status = true;
    return ok;
}

bool nfs_chunk_results(NfsState *st, const NfsChunk *c, NfsXdr *x, NfsReadRes *out)
{
    uint32_t version = st->version;
    if (version >= 4) {
        bool ok = v4_results(st, x, NULL, 0, &out->status, c->is_write ? NULL : out);
        out->has_status = true;
        return ok;
    }
    out->status = nfs_xdr_u32(x);
    out->has_status = !x->err;
    if (x->err || out->status != 0 || c->is_write) {
        return !x->err;
    }
    uint32_t l;
    if (version == 2) {
        (void)nfs_xdr_fixed(x, FATTR2_LEN);
        out->data = nfs_xdr_opaque(x, NFS_RECORD_MAX, &l);
        out->eof = false;
    } else {
        skip_post_op_attr(x);
        (void)nfs_xdr_u32(x);                     // count
        out->eof = nfs_xdr_u32(x) != 0;
        out->data = nfs_xdr_opaque(x, NFS_RECORD_MAX, &l);
    }
    out->len = l;
    if (x->err) {
        out->data = NULL;
    }
    return !x->err;
}
