/* DCERPC and SMB keywords that are not plain sticky buffers (dcerpc.stub_data,
 * smb.share, smb.named_pipe, smb.ntlmssp_user and smb.ntlmssp_domain come from the
 * app-layer buffer registry):
 *
 * dcerpc.iface:<uuid>[,<op><ver>][,any_frag]   the request's presentation context is
 *      bound to interface uuid (accepted by the server); op is <, >, = or ! on the
 *      interface's major version. Alias dce_iface.
 * dcerpc.opnum:<n>[,<n>|<n>-<m>|<op><n>...]    the request's operation number; op is
 *      <, <=, >, >=, = or ! (Suricata 9). Alias dce_opnum.
 * dce_stub_data, smb_named_pipe, smb_share     legacy names of the buffers.
 * smb.version:<1|2>                            the SMB major version of the tx (2 also
 *      for SMB3).
 *
 * DCERPC keywords match DCERPC txs and SMB txs carrying DCERPC on a named pipe. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app-layer/app-layer.h"
#include "app-layer/dcerpc/app-layer-dcerpc.h"
#include "app-layer/smb/app-layer-smb.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

#define OPNUM_RANGES_MAX 16

enum { DK_IFACE = 0, DK_OPNUM, DK_SMB_VERSION };
enum { VOP_ANY = 0, VOP_LT, VOP_GT, VOP_EQ, VOP_NE };

typedef struct DetectDce {
    uint8_t what;                // DK_*
    uint8_t uuid[16];
    uint8_t vop;                 // VOP_*
    uint16_t ver;
    uint16_t lo[OPNUM_RANGES_MAX];
    uint16_t hi[OPNUM_RANGES_MAX];
    uint32_t n_ranges;
    uint8_t smb_version;
} DetectDce;

static bool match_iface(const DetectDce *d, const DceCall *c)
{
    const DceIface *ifc = dce_call_iface(c);
    if (ifc == NULL || !ifc->acked || ifc->ack_result != 0 ||
        memcmp(ifc->uuid, d->uuid, 16) != 0) {
        return false;
    }
    switch (d->vop) {
    case VOP_LT: return ifc->ver < d->ver;
    case VOP_GT: return ifc->ver > d->ver;
    case VOP_EQ: return ifc->ver == d->ver;
    case VOP_NE: return ifc->ver != d->ver;
    default: return true;
    }
}

static bool match_dce(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                      const void *ctx)
{
    (void)dt;
    (void)f;
    (void)dir;
    const DetectDce *d = ctx;
    if (d->what == DK_SMB_VERSION) {
        const SmbTx *t = smb_tx(tx);
        return t != NULL && t->vers == d->smb_version;
    }
    const DceCall *c = dce_call_of(tx);
    if (c == NULL || c->req_type != DCE_PT_REQUEST) {
        return false;
    }
    if (d->what == DK_IFACE) {
        return match_iface(d, c);
    }
    for (uint32_t i = 0; i < d->n_ranges; i++) {
        if (c->opnum >= d->lo[i] && c->opnum <= d->hi[i]) {
            return true;
        }
    }
    return false;
}

static const DetectKeyword kw_dce_tx = {
    .name = "dcerpc-tx", .desc = "DCERPC / SMB transaction property", .tx_match = match_dce,
    .free = free, .flags = DETECT_KW_TX_PER_DIR,   // as Suricata: each direction of a call
};

static int append(DetectParser *dp, const DetectDce *v, const char *kw)
{
    AppProto want = v->what == DK_SMB_VERSION ? APP_PROTO_SMB : APP_PROTO_DCERPC;
    AppProto have = dp->s->alproto;
    if (have != APP_PROTO_UNKNOWN && have != want &&
        !(want == APP_PROTO_DCERPC && have == APP_PROTO_SMB)) {
        return detect_err(dp, "%s needs protocol %s", kw, app_proto_name(want));
    }
    if (have == APP_PROTO_UNKNOWN) {
        dp->s->alproto = want;
    }
    DetectDce *d = malloc(sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    *d = *v;
    return detect_app_append(dp, false, &kw_dce_tx, d);
}

/* The value without surrounding blanks and quotes, into buf. */
static void trimmed(const char *arg, char *buf, size_t cap)
{
    while (arg != NULL && (*arg == ' ' || *arg == '"')) {
        arg++;
    }
    size_t n = arg != NULL ? strlen(arg) : 0;
    while (n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '"')) {
        n--;
    }
    n = n < cap - 1 ? n : cap - 1;
    memcpy(buf, arg != NULL ? arg : "", n);
    buf[n] = '\0';
}

static int setup_iface(DetectParser *dp, const char *arg)
{
    char buf[128];
    trimmed(arg, buf, sizeof(buf));
    DetectDce v = {.what = DK_IFACE};
    char *save = NULL;
    char *tok = strtok_r(buf, ",", &save);
    if (tok == NULL || !dce_uuid_parse(tok, v.uuid)) {
        return detect_err(dp, "bad dcerpc.iface uuid '%s'", tok != NULL ? tok : "");
    }
    while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
        while (*tok == ' ') {
            tok++;
        }
        if (strcmp(tok, "any_frag") == 0) {
            continue;            // every fragment is inspected: nothing to change
        }
        uint8_t op = *tok == '<' ? VOP_LT : *tok == '>' ? VOP_GT : *tok == '=' ? VOP_EQ
                   : *tok == '!' ? VOP_NE : VOP_ANY;
        char *end = NULL;
        unsigned long ver = strtoul(tok + 1, &end, 10);
        if (op == VOP_ANY || end == tok + 1 || *end != '\0' || ver > 65535 ||
            (op == VOP_LT && ver == 0) || (op == VOP_GT && ver == 65535)) {
            return detect_err(dp, "bad dcerpc.iface option '%s' (<N, >N, =N, !N or any_frag)",
                              tok);
        }
        v.vop = op;
        v.ver = (uint16_t)ver;
    }
    return append(dp, &v, "dcerpc.iface");
}

static int opnum_add(DetectDce *v, unsigned long lo, unsigned long hi)
{
    if (v->n_ranges == OPNUM_RANGES_MAX) {
        return VG_EINVAL;
    }
    v->lo[v->n_ranges] = (uint16_t)lo;
    v->hi[v->n_ranges] = (uint16_t)hi;
    v->n_ranges++;
    return 0;
}

/* An entry with a comparison (Suricata 9): <N, <=N, >N, >=N, =N, !N, as ranges. */
static int opnum_compare(DetectDce *v, const char *tok)
{
    char op = tok[0];
    bool or_eq = (op == '<' || op == '>') && tok[1] == '=';
    const char *num = tok + 1 + (or_eq ? 1 : 0);
    while (*num == ' ') {
        num++;
    }
    char *end = NULL;
    unsigned long n = strtoul(num, &end, 10);
    while (end != NULL && *end == ' ') {
        end++;
    }
    if (end == num || *end != '\0' || n > 65535 || *num == '-' || *num == '+') {
        return VG_EINVAL;
    }
    switch (op) {
    case '<':
        if (!or_eq && n == 0) {
            return VG_EINVAL;    // matches nothing
        }
        return opnum_add(v, 0, or_eq ? n : n - 1);
    case '>':
        if (!or_eq && n == 65535) {
            return VG_EINVAL;
        }
        return opnum_add(v, or_eq ? n : n + 1, 65535);
    case '=':
        return opnum_add(v, n, n);
    default:                     // '!': everything below n, then everything above
        if (n > 0 && opnum_add(v, 0, n - 1) != 0) {
            return VG_EINVAL;
        }
        return n < 65535 ? opnum_add(v, n + 1, 65535) : 0;
    }
}

static int setup_opnum(DetectParser *dp, const char *arg)
{
    char buf[256];
    trimmed(arg, buf, sizeof(buf));
    DetectDce v = {.what = DK_OPNUM};
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') {
            tok++;
        }
        if (*tok == '<' || *tok == '>' || *tok == '=' || *tok == '!') {
            if (opnum_compare(&v, tok) != 0) {
                return detect_err(dp, "bad dcerpc.opnum value '%s'", tok);
            }
            continue;
        }
        char *end = NULL;
        unsigned long lo = strtoul(tok, &end, 10);
        unsigned long hi = lo;
        if (end == tok) {
            return detect_err(dp, "bad dcerpc.opnum value '%s'", tok);
        }
        if (*end == '-') {
            char *e2 = NULL;
            hi = strtoul(end + 1, &e2, 10);
            if (e2 == end + 1) {
                return detect_err(dp, "bad dcerpc.opnum range '%s'", tok);
            }
            end = e2;
        }
        while (*end == ' ') {
            end++;
        }
        if (*end != '\0' || lo > 65535 || hi > 65535 || hi < lo ||
            v.n_ranges == OPNUM_RANGES_MAX) {
            return detect_err(dp, "bad dcerpc.opnum value '%s'", tok);
        }
        v.lo[v.n_ranges] = (uint16_t)lo;
        v.hi[v.n_ranges] = (uint16_t)hi;
        v.n_ranges++;
    }
    if (v.n_ranges == 0) {
        return detect_err(dp, "dcerpc.opnum needs a value");
    }
    return append(dp, &v, "dcerpc.opnum");
}

static int setup_smb_version(DetectParser *dp, const char *arg)
{
    char buf[16];
    trimmed(arg, buf, sizeof(buf));
    DetectDce v = {.what = DK_SMB_VERSION};
    if (strcmp(buf, "1") == 0) {
        v.smb_version = 1;
    } else if (strcmp(buf, "2") == 0 || strcmp(buf, "3") == 0) {
        v.smb_version = 2;
    } else {
        return detect_err(dp, "bad smb.version value '%s' (1 or 2)", buf);
    }
    return append(dp, &v, "smb.version");
}

LEGACY_BUFFER(dce_stub_data, "dce_stub_data", "dcerpc.stub_data")
LEGACY_BUFFER(smb_named_pipe_legacy, "smb_named_pipe", "smb.named_pipe")
LEGACY_BUFFER(smb_share_legacy, "smb_share", "smb.share")

const DetectKeyword detect_kw_dcerpc_iface = {
    .name = "dcerpc.iface", .desc = "DCERPC interface bound to the request's context",
    .setup = setup_iface, .free = free,
};
const DetectKeyword detect_kw_dce_iface = {
    .name = "dce_iface", .desc = "DCERPC interface (legacy name of dcerpc.iface)",
    .setup = setup_iface, .free = free,
};
const DetectKeyword detect_kw_dcerpc_opnum = {
    .name = "dcerpc.opnum", .desc = "DCERPC request operation number(s)",
    .setup = setup_opnum, .free = free,
};
const DetectKeyword detect_kw_dce_opnum = {
    .name = "dce_opnum", .desc = "DCERPC operation number (legacy name of dcerpc.opnum)",
    .setup = setup_opnum, .free = free,
};
const DetectKeyword detect_kw_smb_version = {
    .name = "smb.version", .desc = "SMB major version of the transaction (1 or 2)",
    .setup = setup_smb_version, .free = free,
};
