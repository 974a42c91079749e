/* NFS keywords (the file keywords and file.data apply to NFS files through the app
 * layer's file API):
 *
 * nfs_procedure:[op]N    the tx's procedure (v2/v3: as sent; v4: the COMPOUND's main
 *                        operation) or any operation of its v4 COMPOUND. Ranges N-M are
 *                        inclusive here, as Suricata documents for this keyword.
 * nfs_procedure:NAME     a procedure name ("getattr", "readdirplus"...): its v3 number
 *                        for v2/v3 txs (v2 procedures matched as their v3 counterpart),
 *                        its v4 number for v4 txs.
 * nfs.version:[op]N      the NFS version of the tx (also spelled nfs_version). */

#include <ctype.h>
#include <stdlib.h>

#include "app-layer/app-layer.h"
#include "app-layer/nfs/app-layer-nfs.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

typedef struct DetectNfsProc {
    bool by_name;
    uint32_t v3, v4;             // by_name: the numbers of the name (UINT32_MAX: none)
    DetectUint u;
} DetectNfsProc;

static bool uint_incl(const void *ctx, uint64_t v)
{
    const DetectUint *u = ctx;
    if (u->mode == DETECT_U_RANGE) {
        return v >= u->lo && v <= u->hi;
    }
    if (u->mode == DETECT_U_NRANGE) {
        return v < u->lo || v > u->hi;
    }
    return detect_uint_match(u, v);
}

static bool match_proc(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                       const void *ctx)
{
    (void)dt;
    (void)dir;
    const DetectNfsProc *d = ctx;
    const NfsTx *t = app_layer_tx_proto(f, tx) == APP_PROTO_NFS ? nfs_tx(tx) : NULL;
    if (t == NULL) {
        return false;
    }
    if (d->by_name) {
        if (t->version >= 4) {
            if (d->v4 == UINT32_MAX) {
                return false;
            }
            DetectUint eq = {.mode = DETECT_U_EQ, .lo = d->v4};
            return nfs_tx_any_proc(t, uint_incl, &eq);
        }
        return d->v3 != UINT32_MAX && t->procedure == d->v3;
    }
    return nfs_tx_any_proc(t, uint_incl, &d->u);
}

static const DetectKeyword kw_nfs_proc_tx = {
    .name = "nfs-procedure", .desc = "NFS procedure", .tx_match = match_proc, .free = free,
};

static int setup_proc(DetectParser *dp, const char *arg)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_NFS) {
        return detect_err(dp, "nfs_procedure needs protocol nfs");
    }
    DetectNfsProc *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    const char *a = arg != NULL ? arg : "";
    while (*a == ' ') {
        a++;
    }
    if (isalpha((unsigned char)*a)) {
        d->by_name = true;
        if (!nfs_proc_by_name(a, &d->v3, &d->v4)) {
            free(d);
            return detect_err(dp, "nfs_procedure: unknown procedure '%s'", a);
        }
    } else if (detect_uint_parse(dp, a, UINT32_MAX, &d->u) != 0) {
        free(d);
        return VG_EINVAL;
    }
    dp->s->alproto = APP_PROTO_NFS;
    return detect_app_append(dp, false, &kw_nfs_proc_tx, d);
}

static bool match_version(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                          const void *ctx)
{
    (void)dt;
    (void)dir;
    const NfsTx *t = app_layer_tx_proto(f, tx) == APP_PROTO_NFS ? nfs_tx(tx) : NULL;
    return t != NULL && detect_uint_match(ctx, t->version);
}

static const DetectKeyword kw_nfs_version_tx = {
    .name = "nfs-version", .desc = "NFS version", .tx_match = match_version, .free = free,
};

static int setup_version(DetectParser *dp, const char *arg)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_NFS) {
        return detect_err(dp, "nfs.version needs protocol nfs");
    }
    DetectUint *u = calloc(1, sizeof(*u));
    if (u == NULL) {
        return detect_err(dp, "out of memory");
    }
    if (detect_uint_parse(dp, arg != NULL ? arg : "", UINT32_MAX, u) != 0) {
        free(u);
        return VG_EINVAL;
    }
    dp->s->alproto = APP_PROTO_NFS;
    return detect_app_append(dp, false, &kw_nfs_version_tx, u);
}

const DetectKeyword detect_kw_nfs_procedure = {
    .name = "nfs_procedure", .desc = "NFS procedure ([op]N, N-M inclusive, or a name)",
    .setup = setup_proc, .free = free,
};
const DetectKeyword detect_kw_nfs_version = {
    .name = "nfs.version", .desc = "NFS version ([op]N)", .setup = setup_version, .free = free,
};
const DetectKeyword detect_kw_nfs_version_legacy = {
    .name = "nfs_version", .desc = "NFS version ([op]N; also nfs.version)",
    .setup = setup_version, .free = free,
};
