/* NFS: the bounded XDR reader, the ONC RPC message header (RFC 5531 section 9: call with
 * its credential, reply accepted or denied), the probe, and the names EVE writes. No
 * allocation; pure functions of their input. */
#include "app-layer/nfs/app-layer-nfs.h"

#include <string.h>
#include <strings.h>

#include "util/util-byte.h"

uint32_t nfs_xdr_u32(NfsXdr *x)
{
    if (x->err || x->len - x->off < 4) {
        x->err = true;
        return 0;
    }
    uint32_t v = util_be32(x->p + x->off);
    x->off += 4;
    return v;
}

uint64_t nfs_xdr_u64(NfsXdr *x)
{
    uint64_t hi = nfs_xdr_u32(x);
    return hi << 32 | nfs_xdr_u32(x);
}

const uint8_t *nfs_xdr_fixed(NfsXdr *x, uint32_t n)
{
    uint32_t padded = n + ((4 - (n & 3)) & 3);
    if (x->err || padded < n || x->len - x->off < padded) {
        x->err = true;
        return NULL;
    }
    const uint8_t *p = x->p + x->off;
    x->off += padded;
    return p;
}

const uint8_t *nfs_xdr_opaque(NfsXdr *x, uint32_t max, uint32_t *len)
{
    uint32_t n = nfs_xdr_u32(x);
    *len = 0;
    if (x->err || n > max) {
        x->err = true;
        return NULL;
    }
    const uint8_t *p = nfs_xdr_fixed(x, n);
    if (p != NULL) {
        *len = n;
    }
    return p;
}

/* opaque_auth: flavor and body (at most 400 bytes, RFC 5531 section 8.2). */
static uint32_t rpc_auth(NfsXdr *x, const uint8_t **body, uint32_t *blen)
{
    uint32_t flavor = nfs_xdr_u32(x);
    *body = nfs_xdr_opaque(x, 400, blen);
    return flavor;
}

static void rpc_unix_cred(const uint8_t *body, uint32_t blen, NfsRpc *r)
{
    NfsXdr c = {.p = body, .len = blen};
    (void)nfs_xdr_u32(&c);                       // stamp
    uint32_t mlen;
    const uint8_t *m = nfs_xdr_opaque(&c, 255, &mlen);
    uint32_t uid = nfs_xdr_u32(&c);
    uint32_t gid = nfs_xdr_u32(&c);
    if (c.err) {
        return;
    }
    r->has_unix = true;
    r->uid = uid;
    r->gid = gid;
    r->machine_len = mlen < NFS_MACHINE_MAX ? mlen : NFS_MACHINE_MAX;
    memcpy(r->machine, m, r->machine_len);
}

bool nfs_rpc_parse(NfsXdr *x, NfsRpc *r)
{
    memset(r, 0, sizeof(*r));
    r->xid = nfs_xdr_u32(x);
    r->msg_type = nfs_xdr_u32(x);
    if (x->err || r->msg_type > 1) {
        return false;
    }
    const uint8_t *body;
    uint32_t blen;
    if (r->msg_type == 0) {
        uint32_t rpcvers = nfs_xdr_u32(x);
        r->prog = nfs_xdr_u32(x);
        r->vers = nfs_xdr_u32(x);
        r->proc = nfs_xdr_u32(x);
        r->auth_type = rpc_auth(x, &body, &blen);
        if (!x->err && r->auth_type == 1) {
            rpc_unix_cred(body, blen, r);
        }
        (void)rpc_auth(x, &body, &blen);        // verifier
        return !x->err && rpcvers == 2;
    }
    r->reply_stat = nfs_xdr_u32(x);
    if (x->err || r->reply_stat > 1) {
        return false;
    }
    if (r->reply_stat == 1) {                   // denied: reject_stat and its details
        uint32_t reject = nfs_xdr_u32(x);
        return !x->err && reject <= 1;
    }
    (void)rpc_auth(x, &body, &blen);            // verifier
    r->accept_stat = nfs_xdr_u32(x);
    return !x->err && r->accept_stat <= 5;
}

bool nfs_rpc_looks_like(const uint8_t *data, uint32_t len, bool replies)
{
    NfsXdr x = {.p = data, .len = len};
    NfsRpc r;
    bool ok = nfs_rpc_parse(&x, &r);
    if (r.msg_type == 0) {
        /* a call: the header up to the program decides; a credential cut short by the
         * end of the first segment still counts when the rest looks right */
        return len >= 24 && util_be32(data + 8) == 2 && util_be32(data + 12) == NFS_PROGRAM &&
               util_be32(data + 16) >= 2 && util_be32(data + 16) <= 4 &&
               (ok || x.off >= 24);
    }
    return replies && ok;
}

/* ---- names ---- */

static const char *const nfs3_names[] = {
    "NULL", "GETATTR", "SETATTR", "LOOKUP", "ACCESS", "READLINK", "READ", "WRITE",
    "CREATE", "MKDIR", "SYMLINK", "MKNOD", "REMOVE", "RMDIR", "RENAME", "LINK", "READDIR",
    "READDIRPLUS", "FSSTAT", "FSINFO", "PATHCONF", "COMMIT",
};

static const char *const nfs2_names[] = {
    "NULL", "GETATTR", "SETATTR", "ROOT", "LOOKUP", "READLINK", "READ", "WRITECACHE",
    "WRITE", "CREATE", "REMOVE", "RENAME", "LINK", "SYMLINK", "MKDIR", "RMDIR", "READDIR",
    "STATFS",
};

static const char *const nfs4_names[] = {
    [0] = "NULL", [1] = "COMPOUND", [3] = "ACCESS", [4] = "CLOSE", [5] = "COMMIT",
    [6] = "CREATE", [7] = "DELEGPURGE", [8] = "DELEGRETURN", [9] = "GETATTR",
    [10] = "GETFH", [11] = "LINK", [12] = "LOCK", [13] = "LOCKT", [14] = "LOCKU",
    [15] = "LOOKUP", [16] = "LOOKUPP", [17] = "NVERIFY", [18] = "OPEN", [19] = "OPENATTR",
    [20] = "OPEN_CONFIRM", [21] = "OPEN_DOWNGRADE", [22] = "PUTFH", [23] = "PUTPUBFH",
    [24] = "PUTROOTFH", [25] = "READ", [26] = "READDIR", [27] = "READLINK", [28] = "REMOVE",
    [29] = "RENAME", [30] = "RENEW", [31] = "RESTOREFH", [32] = "SAVEFH", [33] = "SECINFO",
    [34] = "SETATTR", [35] = "SETCLIENTID", [36] = "SETCLIENTID_CONFIRM", [37] = "VERIFY",
    [38] = "WRITE", [39] = "RELEASE_LOCKOWNER", [40] = "BACKCHANNEL_CTL",
    [41] = "BIND_CONN_TO_SESSION", [42] = "EXCHANGE_ID", [43] = "CREATE_SESSION",
    [44] = "DESTROY_SESSION", [45] = "FREE_STATEID", [46] = "GET_DIR_DELEGATION",
    [47] = "GETDEVICEINFO", [48] = "GETDEVICELIST", [49] = "LAYOUTCOMMIT",
    [50] = "LAYOUTGET", [51] = "LAYOUTRETURN", [52] = "SECINFO_NO_NAME", [53] = "SEQUENCE",
    [54] = "SET_SSV", [55] = "TEST_STATEID", [56] = "WANT_DELEGATION",
    [57] = "DESTROY_CLIENTID", [58] = "RECLAIM_COMPLETE",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *nfs_proc_name(uint32_t version, uint32_t proc)
{
    if (version == 2) {
        return proc < N_OF(nfs2_names) ? nfs2_names[proc] : NULL;
    }
    if (version >= 4) {
        return proc < N_OF(nfs4_names) ? nfs4_names[proc] : NULL;
    }
    return proc < N_OF(nfs3_names) ? nfs3_names[proc] : NULL;
}

uint32_t nfs2_to_nfs3(uint32_t proc2)
{
    static const uint32_t map[] = {
        NFS3_NULL, NFS3_GETATTR, NFS3_SETATTR, UINT32_MAX /* ROOT */, NFS3_LOOKUP,
        NFS3_READLINK, NFS3_READ, UINT32_MAX /* WRITECACHE */, NFS3_WRITE, NFS3_CREATE,
        NFS3_REMOVE, NFS3_RENAME, NFS3_LINK, NFS3_SYMLINK, NFS3_MKDIR, NFS3_RMDIR,
        NFS3_READDIR, NFS3_FSSTAT /* STATFS */,
    };
    return proc2 < N_OF(map) ? map[proc2] : UINT32_MAX;
}

bool nfs_proc_by_name(const char *name, uint32_t *v3, uint32_t *v4)
{
    bool found = false;
    *v3 = *v4 = UINT32_MAX;
    for (uint32_t i = 0; i < N_OF(nfs3_names); i++) {
        if (strcasecmp(name, nfs3_names[i]) == 0) {
            *v3 = i;
            found = true;
        }
    }
    for (uint32_t i = 0; i < N_OF(nfs4_names); i++) {
        if (nfs4_names[i] != NULL && strcasecmp(name, nfs4_names[i]) == 0) {
            *v4 = i;
            found = true;
        }
    }
    return found;
}

const char *nfs_status_name(uint32_t s)
{
    static const struct {
        uint32_t code;
        const char *name;
    } names[] = {
        {0, "OK"}, {1, "PERM"}, {2, "NOENT"}, {5, "IO"}, {6, "NXIO"}, {13, "ACCES"},
        {17, "EXIST"}, {18, "XDEV"}, {19, "NODEV"}, {20, "NOTDIR"}, {21, "ISDIR"},
        {22, "INVAL"}, {27, "FBIG"}, {28, "NOSPC"}, {30, "ROFS"}, {31, "MLINK"},
        {63, "NAMETOOLONG"}, {66, "NOTEMPTY"}, {69, "DQUOT"}, {70, "STALE"}, {71, "REMOTE"},
        {10001, "BADHANDLE"}, {10002, "NOT_SYNC"}, {10003, "BAD_COOKIE"}, {10004, "NOTSUPP"},
        {10005, "TOOSMALL"}, {10006, "SERVERFAULT"}, {10007, "BADTYPE"}, {10008, "JUKEBOX"},
    };
    for (size_t i = 0; i < N_OF(names); i++) {
        if (names[i].code == s) {
            return names[i].name;
        }
    }
    return NULL;
}

const char *nfs_auth_name(uint32_t flavor)
{
    switch (flavor) {
    case 0: return "NULL";
    case 1: return "UNIX";
    case 2: return "SHORT";
    case 3: return "DH";
    case 4: return "KERB";
    case 5: return "RSA";
    case 6: return "GSS";
    default: return NULL;
    }
}
