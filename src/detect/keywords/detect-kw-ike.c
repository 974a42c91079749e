/* IKE keywords that are not sticky buffers (ike.init_spi, ike.resp_spi, ike.vendor,
 * ike.key_exchange_payload and ike.nonce_payload come from the app-layer buffer registry):
 *
 * ike.exchtype:[op]N                     the message's exchange type.
 * ike.key_exchange_payload_length:[op]N  length of the key exchange data.
 * ike.nonce_payload_length:[op]N         length of the nonce.
 * ike.chosen_sa_attribute:NAME=V         the responder's SA (IKEv1: a message to the
 *                                        client) has attribute NAME (alg_enc, alg_hash,
 *                                        alg_auth, alg_dh, alg_prf, sa_life_type,
 *                                        sa_life_duration, sa_key_length, ...) equal to V. */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "app-layer/ike/app-layer-ike.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { IKE_F_EXCHTYPE = 0, IKE_F_KE_LEN, IKE_F_NONCE_LEN, IKE_F_CHOSEN };

typedef struct DetectIke {
    uint8_t field;
    uint16_t attr;
    DetectUint u;
} DetectIke;

static bool match_chosen(const DetectIke *d, const IkeTx *t)
{
    if (t->dir != APP_DIR_TOCLIENT || t->msg.maj_ver != 1) {
        return false;
    }
    for (uint32_t i = 0; i < t->msg.n_attrs; i++) {
        if (t->msg.attrs[i].type == d->attr && detect_uint_match(&d->u, t->msg.attrs[i].value)) {
            return true;
        }
    }
    return false;
}

static bool match_ike(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                      const void *ctx)
{
    (void)dt;
    const DetectIke *d = ctx;
    const IkeTx *t = app_layer_tx_proto(f, tx) == APP_PROTO_IKE ? ike_tx(tx) : NULL;
    if (t == NULL || t->dir != dir) {
        return false;
    }
    switch (d->field) {
    case IKE_F_EXCHTYPE:
        return detect_uint_match(&d->u, t->msg.exch_type);
    case IKE_F_KE_LEN:
        return t->msg.ke != NULL && detect_uint_match(&d->u, t->msg.ke_len);
    case IKE_F_NONCE_LEN:
        return t->msg.nonce != NULL && detect_uint_match(&d->u, t->msg.nonce_len);
    default:
        return match_chosen(d, t);
    }
}

static const DetectKeyword kw_ike_tx = {
    .name = "ike-value", .desc = "IKE exchange type / payload length / chosen SA attribute",
    .tx_match = match_ike, .free = free,
    .flags = DETECT_KW_TX_PER_DIR,   // a message lives in the direction it travelled
};

static int setup_ike(DetectParser *dp, const char *arg, uint8_t field, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_IKE) {
        return detect_err(dp, "%s needs protocol ike", kw);
    }
    DetectIke *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->field = field;
    const char *val = arg != NULL ? arg : "";
    char name[32];
    if (field == IKE_F_CHOSEN) {
        const char *eq = strchr(val, '=');
        size_t n = eq != NULL ? (size_t)(eq - val) : 0;
        while (n > 0 && val[n - 1] == ' ') {
            n--;
        }
        while (n > 0 && *val == ' ') {
            val++;
            n--;
        }
        if (eq == NULL || n == 0 || n >= sizeof(name)) {
            free(d);
            return detect_err(dp, "%s: expected NAME=VALUE, got '%s'", kw, arg ? arg : "");
        }
        memcpy(name, val, n);
        name[n] = '\0';
        int a = ike_attr_by_name(name);
        if (a < 0) {
            free(d);
            return detect_err(dp, "%s: unknown attribute '%s'", kw, name);
        }
        d->attr = (uint16_t)a;
        val = eq + 1;
    }
    uint64_t max = field == IKE_F_EXCHTYPE ? 255 : UINT32_MAX;
    if (detect_uint_parse(dp, val, field == IKE_F_CHOSEN ? UINT32_MAX : max, &d->u) != 0) {
        free(d);
        return VG_EINVAL;
    }
    if (field == IKE_F_CHOSEN && d->u.mode != DETECT_U_EQ) {
        free(d);
        return detect_err(dp, "%s: only NAME=VALUE equality is supported", kw);
    }
    dp->s->alproto = APP_PROTO_IKE;
    return detect_app_append(dp, false, &kw_ike_tx, d);
}

static int setup_exchtype(DetectParser *dp, const char *arg)
{
    return setup_ike(dp, arg, IKE_F_EXCHTYPE, "ike.exchtype");
}

static int setup_ke_len(DetectParser *dp, const char *arg)
{
    return setup_ike(dp, arg, IKE_F_KE_LEN, "ike.key_exchange_payload_length");
}

static int setup_nonce_len(DetectParser *dp, const char *arg)
{
    return setup_ike(dp, arg, IKE_F_NONCE_LEN, "ike.nonce_payload_length");
}

static int setup_chosen(DetectParser *dp, const char *arg)
{
    return setup_ike(dp, arg, IKE_F_CHOSEN, "ike.chosen_sa_attribute");
}

const DetectKeyword detect_kw_ike_exchtype = {
    .name = "ike.exchtype", .desc = "IKE exchange type ([op]N)",
    .setup = setup_exchtype, .free = free,
};
const DetectKeyword detect_kw_ike_ke_len = {
    .name = "ike.key_exchange_payload_length", .desc = "IKE key exchange data length ([op]N)",
    .setup = setup_ke_len, .free = free,
};
const DetectKeyword detect_kw_ike_nonce_len = {
    .name = "ike.nonce_payload_length", .desc = "IKE nonce length ([op]N)",
    .setup = setup_nonce_len, .free = free,
};
const DetectKeyword detect_kw_ike_chosen_sa = {
    .name = "ike.chosen_sa_attribute", .desc = "IKEv1 responder SA attribute NAME=VALUE",
    .setup = setup_chosen, .free = free,
};
