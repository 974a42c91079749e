/* EtherNet/IP and CIP keywords (Suricata's semantics; each looks at the message of the
 * direction inspected, request or reply of a tx):
 *
 * enip_command:N / enip.command:N   the encapsulation command (unsigned 16-bit integer
 *                                   forms N, !N, <N, >N, N-M, or a name: list_identity,
 *                                   send_rr_data, ...).
 * enip.status:N                     the encapsulation status (32-bit forms or a name:
 *                                   success, invalid_cmd, ...).
 * cip_service:S[,C[,A]]             a CIP service S (of the message or, for a Multiple
 *                                   Service Packet, of one embedded in it), with class C
 *                                   and attribute A of its path when given.
 * enip.product_name                 sticky buffer from the app layer (identity replies). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "app-layer/enip/app-layer-enip.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { ENIP_KW_COMMAND = 0, ENIP_KW_STATUS, ENIP_KW_CIP };

typedef struct DetectEnip {
    uint8_t kind;
    DetectUint u;
    uint8_t n_vals;              // cip_service: 1 to 3 values
    uint32_t vals[3];
} DetectEnip;

static bool match_cip(const DetectEnip *d, const EnipMsg *m)
{
    for (uint8_t i = 0; i < m->n_cip; i++) {
        const EnipCip *c = &m->cip[i];
        if ((c->service & 0x7f) != d->vals[0]) {
            continue;
        }
        if (d->n_vals >= 2 && (!c->has_class || c->class_id != d->vals[1])) {
            continue;
        }
        if (d->n_vals == 3 && (!c->has_attribute || c->attribute != d->vals[2])) {
            continue;
        }
        return true;
    }
    return false;
}

static bool match_enip(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                       const void *ctx)
{
    (void)dt;
    (void)f;
    const DetectEnip *d = ctx;
    const EnipTx *t = enip_tx(tx);
    if (t == NULL || dir > 1 || !t->msg[dir].is_present) {
        return false;
    }
    const EnipMsg *m = &t->msg[dir];
    switch (d->kind) {
    case ENIP_KW_COMMAND:
        return detect_uint_match(&d->u, m->command);
    case ENIP_KW_STATUS:
        return detect_uint_match(&d->u, m->status);
    default:
        return match_cip(d, m);
    }
}

static const DetectKeyword kw_enip_tx = {
    .name = "enip-tx", .desc = "ENIP command, status or CIP service of a message",
    .flags = DETECT_KW_TX_PER_DIR, .tx_match = match_enip, .free = free,
};

static int append(DetectParser *dp, DetectEnip *d, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_ENIP) {
        free(d);
        return detect_err(dp, "%s needs protocol enip", kw);
    }
    dp->s->alproto = APP_PROTO_ENIP;
    return detect_app_append(dp, false, &kw_enip_tx, d);
}

static void trim(const char *arg, char *buf, size_t cap)
{
    while (arg != NULL && *arg == ' ') {
        arg++;
    }
    size_t n = arg != NULL ? strlen(arg) : 0;
    while (n > 0 && arg[n - 1] == ' ') {
        n--;
    }
    n = n < cap ? n : cap - 1;
    memcpy(buf, arg != NULL ? arg : "", n);
    buf[n] = '\0';
}

/* A number form, or a name turned into "N". */
static int setup_int(DetectParser *dp, const char *arg, uint8_t kind, const char *kw)
{
    char v[64];
    trim(arg, v, sizeof(v));
    int64_t code = kind == ENIP_KW_COMMAND ? enip_command_by_name(v) : enip_status_by_name(v);
    if (code >= 0) {
        snprintf(v, sizeof(v), "%lld", (long long)code);
    }
    DetectEnip *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->kind = kind;
    if (detect_uint_parse(dp, v, kind == ENIP_KW_COMMAND ? 0xffff : 0xffffffffu, &d->u) != 0) {
        free(d);
        return detect_err(dp, "bad %s value '%s'", kw, arg != NULL ? arg : "");
    }
    return append(dp, d, kw);
}

static int setup_command(DetectParser *dp, const char *arg)
{
    return setup_int(dp, arg, ENIP_KW_COMMAND, "enip_command");
}

static int setup_status(DetectParser *dp, const char *arg)
{
    return setup_int(dp, arg, ENIP_KW_STATUS, "enip.status");
}

static int setup_cip(DetectParser *dp, const char *arg)
{
    char v[96];
    trim(arg, v, sizeof(v));
    DetectEnip *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->kind = ENIP_KW_CIP;
    char *s = v;
    while (s != NULL && d->n_vals < 3) {
        char *comma = strchr(s, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        char one[32];
        int64_t x;
        trim(s, one, sizeof(one));
        if (!detect_parse_int(one, 0, d->n_vals == 0 ? 0x7f : 0xffffffffLL, &x)) {
            free(d);
            return detect_err(dp, "bad cip_service value '%s' (service[,class[,attribute]])",
                              arg != NULL ? arg : "");
        }
        d->vals[d->n_vals++] = (uint32_t)x;
        s = comma != NULL ? comma + 1 : NULL;
    }
    if (s != NULL) {
        free(d);
        return detect_err(dp, "cip_service takes at most 3 values");
    }
    return append(dp, d, "cip_service");
}

const DetectKeyword detect_kw_enip_command = {
    .name = "enip_command", .desc = "ENIP encapsulation command (number or name)",
    .setup = setup_command, .free = free,
};
const DetectKeyword detect_kw_enip_command_dot = {
    .name = "enip.command", .desc = "ENIP encapsulation command (number or name)",
    .setup = setup_command, .free = free,
};
const DetectKeyword detect_kw_enip_status = {
    .name = "enip.status", .desc = "ENIP encapsulation status (number or name)",
    .setup = setup_status, .free = free,
};
const DetectKeyword detect_kw_cip_service = {
    .name = "cip_service", .desc = "CIP service[,class[,attribute]]",
    .setup = setup_cip, .free = free,
};
