/* LDAP keywords that are not sticky buffers (ldap.request.dn and ldap.responses.dn come
 * from the app-layer buffer registry):
 *
 * ldap.request.operation:V          the request's operation: a number (integer forms) or
 *                                   its EVE name (search_request ...).
 * ldap.responses.operation:V[,I]    a response's operation; I: that response only (0 the
 *                                   first, -1 the last), default any.
 * ldap.responses.count:[op]N        the number of responses of the request.
 * ldap.responses.result_code:V[,I]  a response's result code (number or name, e.g.
 *                                   success, invalid_credentials), same index rule. */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "app-layer/ldap/app-layer-ldap.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { LDAP_F_REQ_OP = 0, LDAP_F_RESP_OP, LDAP_F_RESP_COUNT, LDAP_F_RESP_CODE };

typedef struct DetectLdap {
    uint8_t field;
    bool has_index;
    int32_t index;
    DetectUint u;
} DetectLdap;

static bool resp_value(const DetectLdap *d, const LdapMsg *m)
{
    if (d->field == LDAP_F_RESP_OP) {
        return detect_uint_match(&d->u, m->op);
    }
    uint32_t code;
    return ldap_msg_result_code(m->raw, m->len, &code) && detect_uint_match(&d->u, code);
}

static bool match_ldap(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                       const void *ctx)
{
    (void)dt;
    const DetectLdap *d = ctx;
    const LdapTx *t = app_layer_tx_proto(f, tx) == APP_PROTO_LDAP ? ldap_tx(tx) : NULL;
    if (t == NULL || dir != (d->field == LDAP_F_REQ_OP ? APP_DIR_TOSERVER : APP_DIR_TOCLIENT)) {
        return false;
    }
    switch (d->field) {
    case LDAP_F_REQ_OP:
        return t->has_request && detect_uint_match(&d->u, t->req.op);
    case LDAP_F_RESP_COUNT:
        return detect_uint_match(&d->u, t->n_resp);
    default:
        break;
    }
    if (d->has_index) {
        int64_t i = d->index < 0 ? (int64_t)t->n_resp + d->index : d->index;
        return i >= 0 && i < t->n_resp && resp_value(d, &t->resp[i]);
    }
    for (uint32_t i = 0; i < t->n_resp; i++) {
        if (resp_value(d, &t->resp[i])) {
            return true;
        }
    }
    return false;
}

static const DetectKeyword kw_ldap_tx = {
    .name = "ldap-value", .desc = "LDAP operation / result code / count of the transaction",
    .tx_match = match_ldap, .free = free,
    .flags = DETECT_KW_TX_PER_DIR,   // requests toserver, responses toclient
};

/* A name of the field's table, or an integer form. */
static int parse_value(DetectParser *dp, const char *s, uint8_t field, DetectUint *u)
{
    for (uint32_t v = 0; field != LDAP_F_RESP_COUNT && v < 128; v++) {
        const char *name = field == LDAP_F_RESP_CODE ? ldap_result_name(v) : ldap_op_name(v);
        if (name != NULL && strcmp(s, name) == 0) {
            *u = (DetectUint){.mode = DETECT_U_EQ, .lo = v};
            return 0;
        }
    }
    return detect_uint_parse(dp, s, UINT32_MAX, u);
}

static int setup_ldap(DetectParser *dp, const char *arg, uint8_t field, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_LDAP) {
        return detect_err(dp, "%s needs protocol ldap", kw);
    }
    DetectKwTokens tk;
    int max = field == LDAP_F_RESP_OP || field == LDAP_F_RESP_CODE ? 2 : 1;
    if (detect_kw_split(dp, arg != NULL ? arg : "", &tk, max, false) != 0) {
        return VG_EINVAL;
    }
    if (tk.n < 1) {
        return detect_err(dp, "%s needs a value", kw);
    }
    DetectLdap *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->field = field;
    int64_t idx = 0;
    if (parse_value(dp, tk.t[0], field, &d->u) != 0 ||
        (tk.n == 2 && !detect_parse_int(tk.t[1], INT32_MIN, INT32_MAX, &idx))) {
        free(d);
        return tk.n == 2 ? detect_err(dp, "%s: bad index '%s'", kw, tk.t[1]) : VG_EINVAL;
    }
    d->has_index = tk.n == 2;
    d->index = (int32_t)idx;
    dp->s->alproto = APP_PROTO_LDAP;
    return detect_app_append(dp, false, &kw_ldap_tx, d);
}

static int setup_req_op(DetectParser *dp, const char *arg)
{
    return setup_ldap(dp, arg, LDAP_F_REQ_OP, "ldap.request.operation");
}

static int setup_resp_op(DetectParser *dp, const char *arg)
{
    return setup_ldap(dp, arg, LDAP_F_RESP_OP, "ldap.responses.operation");
}

static int setup_resp_count(DetectParser *dp, const char *arg)
{
    return setup_ldap(dp, arg, LDAP_F_RESP_COUNT, "ldap.responses.count");
}

static int setup_resp_code(DetectParser *dp, const char *arg)
{
    return setup_ldap(dp, arg, LDAP_F_RESP_CODE, "ldap.responses.result_code");
}

const DetectKeyword detect_kw_ldap_request_operation = {
    .name = "ldap.request.operation", .desc = "LDAP request operation (number or name)",
    .setup = setup_req_op, .free = free,
};
const DetectKeyword detect_kw_ldap_responses_operation = {
    .name = "ldap.responses.operation", .desc = "LDAP response operation[,index]",
    .setup = setup_resp_op, .free = free,
};
const DetectKeyword detect_kw_ldap_responses_count = {
    .name = "ldap.responses.count", .desc = "number of LDAP responses ([op]N)",
    .setup = setup_resp_count, .free = free,
};
const DetectKeyword detect_kw_ldap_responses_result_code = {
    .name = "ldap.responses.result_code", .desc = "LDAP response result code[,index]",
    .setup = setup_resp_code, .free = free,
};
