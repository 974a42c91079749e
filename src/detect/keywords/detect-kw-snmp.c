/* SNMP keywords that are not sticky buffers (snmp.community, snmp.usm, snmp.trap_oid and
 * snmp.trap_address come from the app-layer buffer registry):
 *
 * snmp.version:[op]N     the message version: 1, 2 (2c) or 3 (unsigned integer forms).
 * snmp.pdu_type:[op]N    the PDU type 0-8 (integer forms), or its name as EVE writes it
 *                        (get_request, get_next_request, response, set_request, trap_v1,
 *                        get_bulk_request, inform_request, trap_v2, report).
 * snmp.trap_type:[op]N   the generic trap of a v1 trap 0-6, or its name (coldstart,
 *                        warmstart, linkdown, linkup, authenticationfailure,
 *                        egpneighborloss, enterprisespecific).
 * Neither matches a message whose value is not readable (an encrypted v3 PDU). */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "app-layer/snmp/app-layer-snmp.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { SNMP_FIELD_VERSION = 0, SNMP_FIELD_PDU_TYPE, SNMP_FIELD_TRAP_TYPE };

typedef struct DetectSnmpInt {
    uint8_t field;
    DetectUint u;
} DetectSnmpInt;

static bool match_snmp_int(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                           const void *ctx)
{
    (void)dt;
    const DetectSnmpInt *d = ctx;
    if (app_layer_tx_proto(f, tx) != APP_PROTO_SNMP) {
        return false;
    }
    const SnmpMsg *m = snmp_tx_msg(tx);
    if (m == NULL || snmp_tx_dir(tx) != dir) {
        return false;
    }
    if (d->field == SNMP_FIELD_VERSION) {
        return detect_uint_match(&d->u, m->version);
    }
    if (d->field == SNMP_FIELD_TRAP_TYPE) {
        return m->has_pdu && m->generic_trap >= 0 &&
               detect_uint_match(&d->u, (uint32_t)m->generic_trap);
    }
    return m->has_pdu && detect_uint_match(&d->u, m->pdu_type);
}

static const char *const trap_names[] = { "coldstart", "warmstart", "linkdown", "linkup",
                                          "authenticationfailure", "egpneighborloss",
                                          "enterprisespecific" };

/* The value named by arg (a PDU or trap type name), or -1. */
static int64_t named_value(uint8_t field, const char *arg)
{
    uint32_t n_names = field == SNMP_FIELD_PDU_TYPE ? SNMP_PDU_N
                       : field == SNMP_FIELD_TRAP_TYPE
                           ? (uint32_t)(sizeof(trap_names) / sizeof(trap_names[0]))
                           : 0;
    for (uint32_t t = 0; arg != NULL && t < n_names; t++) {
        const char *name = field == SNMP_FIELD_PDU_TYPE ? snmp_pdu_type_name(t) : trap_names[t];
        size_t n = strlen(name);
        if (strncmp(arg, name, n) == 0 && arg[n + strspn(arg + n, " ")] == '\0') {
            return t;
        }
    }
    return -1;
}

static const DetectKeyword kw_snmp_int_tx = {
    .name = "snmp-int", .desc = "SNMP version / PDU type of the transaction",
    .tx_match = match_snmp_int, .free = free,
    .flags = DETECT_KW_TX_PER_DIR,   // a message lives in the direction it travelled
};

static int setup_snmp_int(DetectParser *dp, const char *arg, uint8_t field, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_SNMP) {
        return detect_err(dp, "%s needs protocol snmp", kw);
    }
    DetectSnmpInt *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->field = field;
    while (arg != NULL && *arg == ' ') {
        arg++;
    }
    int64_t v = named_value(field, arg);
    bool named = v >= 0;
    if (named) {
        d->u = (DetectUint){.mode = DETECT_U_EQ, .lo = (uint32_t)v};
    }
    if (!named && detect_uint_parse(dp, arg != NULL ? arg : "", UINT32_MAX, &d->u) != 0) {
        free(d);
        return VG_EINVAL;
    }
    dp->s->alproto = APP_PROTO_SNMP;
    return detect_app_append(dp, false, &kw_snmp_int_tx, d);
}

static int setup_version(DetectParser *dp, const char *arg)
{
    return setup_snmp_int(dp, arg, SNMP_FIELD_VERSION, "snmp.version");
}

static int setup_pdu_type(DetectParser *dp, const char *arg)
{
    return setup_snmp_int(dp, arg, SNMP_FIELD_PDU_TYPE, "snmp.pdu_type");
}

static int setup_trap_type(DetectParser *dp, const char *arg)
{
    return setup_snmp_int(dp, arg, SNMP_FIELD_TRAP_TYPE, "snmp.trap_type");
}

const DetectKeyword detect_kw_snmp_version = {
    .name = "snmp.version", .desc = "SNMP version (1, 2 for 2c, 3; [op]N)",
    .setup = setup_version, .free = free,
};
const DetectKeyword detect_kw_snmp_pdu_type = {
    .name = "snmp.pdu_type", .desc = "SNMP PDU type ([op]N or a name such as get_request)",
    .setup = setup_pdu_type, .free = free,
};
const DetectKeyword detect_kw_snmp_trap_type = {
    .name = "snmp.trap_type", .desc = "SNMP v1 generic trap ([op]N or a name such as coldstart)",
    .setup = setup_trap_type, .free = free,
};
