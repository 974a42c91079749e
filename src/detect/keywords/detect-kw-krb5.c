/* Kerberos 5 keywords that are not sticky buffers (krb5_cname / krb5_sname, also named
 * krb5.cname / krb5.sname, come from the app-layer buffer registry; each component of
 * the principal name is one instance):
 *
 * krb5_msg_type:[op]N    the message type (10 AS-REQ, 11 AS-REP, 12 TGS-REQ, 13 TGS-REP,
 *                        14 AP-REQ, 15 AP-REP, 30 KRB-ERROR).
 * krb5_err_code:[op]N    a KRB-ERROR's error-code. */

#include <stdlib.h>

#include "app-layer/app-layer.h"
#include "app-layer/krb5/app-layer-krb5.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { KRB5_F_MSG_TYPE = 0, KRB5_F_ERR_CODE };

typedef struct DetectKrb5 {
    uint8_t field;
    DetectUint u;
} DetectKrb5;

static bool match_krb5(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                       const void *ctx)
{
    (void)dt;
    const DetectKrb5 *d = ctx;
    const Krb5Msg *m = app_layer_tx_proto(f, tx) == APP_PROTO_KRB5 ? krb5_tx_msg(tx) : NULL;
    if (m == NULL || ((const Krb5Tx *)tx)->dir != dir) {
        return false;
    }
    if (d->field == KRB5_F_MSG_TYPE) {
        return detect_uint_match(&d->u, m->msg_type);
    }
    return m->has_error && m->error_code >= 0 && detect_uint_match(&d->u, (uint64_t)m->error_code);
}

static const DetectKeyword kw_krb5_tx = {
    .name = "krb5-value", .desc = "Kerberos 5 message type / error code",
    .tx_match = match_krb5, .free = free,
    .flags = DETECT_KW_TX_PER_DIR,   // a message lives in the direction it travelled
};

static int setup_krb5(DetectParser *dp, const char *arg, uint8_t field, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_KRB5) {
        return detect_err(dp, "%s needs protocol krb5", kw);
    }
    DetectKrb5 *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->field = field;
    if (detect_uint_parse(dp, arg != NULL ? arg : "", UINT32_MAX, &d->u) != 0) {
        free(d);
        return VG_EINVAL;
    }
    dp->s->alproto = APP_PROTO_KRB5;
    return detect_app_append(dp, false, &kw_krb5_tx, d);
}

static int setup_msg_type(DetectParser *dp, const char *arg)
{
    return setup_krb5(dp, arg, KRB5_F_MSG_TYPE, "krb5_msg_type");
}

static int setup_err_code(DetectParser *dp, const char *arg)
{
    return setup_krb5(dp, arg, KRB5_F_ERR_CODE, "krb5_err_code");
}

const DetectKeyword detect_kw_krb5_msg_type = {
    .name = "krb5_msg_type", .desc = "Kerberos 5 message type ([op]N)",
    .setup = setup_msg_type, .free = free,
};
const DetectKeyword detect_kw_krb5_err_code = {
    .name = "krb5_err_code", .desc = "Kerberos 5 KRB-ERROR error-code ([op]N)",
    .setup = setup_err_code, .free = free,
};
