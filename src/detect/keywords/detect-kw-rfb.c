/* RFB keywords besides the rfb.name sticky buffer (from the app-layer buffer registry):
 *
 * rfb.sectype:[op]N       the security type in use (chosen by the client, or imposed by a
 *                         3.3 server), integer operators
 * rfb.secresult:V         the SecurityResult: ok (0), fail (1), toomany (2), unknown (any
 *                         other value), or a number with the integer operators
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "app-layer/rfb/app-layer-rfb.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

typedef struct DetectRfb {
    bool is_result;
    DetectUint u;
} DetectRfb;

static bool match_rfb(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                      const void *ctx)
{
    (void)dt;
    (void)f;
    (void)dir;
    const DetectRfb *d = ctx;
    const RfbTx *t = rfb_tx(tx);
    if (t == NULL) {
        return false;
    }
    if (d->is_result) {
        return t->has_result && detect_uint_match(&d->u, t->sec_result);
    }
    return t->has_sec_type && detect_uint_match(&d->u, t->sec_type);
}

static const DetectKeyword kw_rfb_tx = {
    .name = "rfb-handshake", .desc = "RFB handshake fields of the transaction",
    .tx_match = match_rfb, .free = free,
};

static int setup(DetectParser *dp, const char *arg, bool is_result, const char *kw)
{
    char buf[64];
    while (arg != NULL && isspace((unsigned char)*arg)) {
        arg++;
    }
    size_t n = arg != NULL ? strlen(arg) : 0;
    while (n > 0 && isspace((unsigned char)arg[n - 1])) {
        n--;
    }
    if (n == 0 || n >= sizeof(buf)) {
        return detect_err(dp, "bad %s value '%s'", kw, arg ? arg : "");
    }
    memcpy(buf, arg, n);
    buf[n] = '\0';
    static const char *const names[] = {"ok", "fail", "toomany"};
    const char *v = buf;
    char num[8];
    for (int i = 0; is_result && i < 3; i++) {
        if (strcmp(buf, names[i]) == 0) {
            num[0] = (char)('0' + i);
            num[1] = '\0';
            v = num;
        }
    }
    if (is_result && strcmp(buf, "unknown") == 0) {
        v = ">2";
    }
    DetectRfb *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->is_result = is_result;
    if (detect_uint_parse(dp, v, UINT32_MAX, &d->u) != 0) {
        free(d);
        return VG_EINVAL;
    }
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_RFB) {
        free(d);
        return detect_err(dp, "%s needs protocol rfb", kw);
    }
    dp->s->alproto = APP_PROTO_RFB;
    return detect_app_append(dp, false, &kw_rfb_tx, d);
}

static int setup_sectype(DetectParser *dp, const char *arg)
{
    return setup(dp, arg, false, "rfb.sectype");
}

static int setup_secresult(DetectParser *dp, const char *arg)
{
    return setup(dp, arg, true, "rfb.secresult");
}

const DetectKeyword detect_kw_rfb_sectype = {
    .name = "rfb.sectype", .desc = "RFB security type in use",
    .setup = setup_sectype, .free = free,
};
const DetectKeyword detect_kw_rfb_secresult = {
    .name = "rfb.secresult", .desc = "RFB security result (ok, fail, toomany, unknown, N)",
    .setup = setup_secresult, .free = free,
};
