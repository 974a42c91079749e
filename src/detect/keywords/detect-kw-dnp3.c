/* DNP3 keywords (Suricata's dnp3 keyword semantics; the message of a tx is the
 * application fragment of its direction):
 *
 * dnp3_func:F / dnp3.func:F   the application function code is F (a number 0..255 or a
 *                             name: read, write, direct_operate, response, ...).
 * dnp3_ind:A[,B...] / dnp3.ind  any of the named internal indications is set (responses).
 * dnp3_obj:G,V / dnp3.obj     the message holds an object of group G, variation V.
 * dnp3_data / dnp3.data       sticky buffer: the fragment (transport headers and CRCs
 *                             removed); the buffer rows come from the app layer. */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "app-layer/dnp3/app-layer-dnp3.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { DNP3_KW_FUNC = 0, DNP3_KW_IND, DNP3_KW_OBJ };

typedef struct DetectDnp3 {
    uint8_t kind;
    uint8_t fc;
    uint16_t ind_mask;           // bits of Dnp3Tx.iin
    uint8_t group;
    uint8_t variation;
} DetectDnp3;

static bool match_obj(const DetectDnp3 *d, const Dnp3Tx *t)
{
    for (uint32_t i = 0; i < t->n_objects; i++) {
        if (t->objects[i].group == d->group && t->objects[i].variation == d->variation) {
            return true;
        }
    }
    return false;
}

static bool match_dnp3(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                       const void *ctx)
{
    (void)dt;
    (void)f;
    const DetectDnp3 *d = ctx;
    const Dnp3Tx *t = dnp3_tx(tx);
    if (t == NULL || t->dir != dir || !t->has_app) {
        return false;
    }
    switch (d->kind) {
    case DNP3_KW_FUNC:
        return t->fc == d->fc;
    case DNP3_KW_IND:
        return t->dir == APP_DIR_TOCLIENT && (t->iin & d->ind_mask) != 0;
    default:
        return match_obj(d, t);
    }
}

static const DetectKeyword kw_dnp3_tx = {
    .name = "dnp3-tx", .desc = "DNP3 function code, indications or objects of the message",
    .flags = DETECT_KW_TX_PER_DIR, .tx_match = match_dnp3, .free = free,
};

static int claim_dnp3(DetectParser *dp, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_DNP3) {
        return detect_err(dp, "%s needs protocol dnp3", kw);
    }
    dp->s->alproto = APP_PROTO_DNP3;
    return 0;
}

/* Copies arg without surrounding blanks into buf; false when empty or too long. */
static bool trimmed(const char *arg, char *buf, size_t cap)
{
    while (arg != NULL && *arg == ' ') {
        arg++;
    }
    size_t n = arg != NULL ? strlen(arg) : 0;
    while (n > 0 && arg[n - 1] == ' ') {
        n--;
    }
    if (n == 0 || n >= cap) {
        return false;
    }
    memcpy(buf, arg, n);
    buf[n] = '\0';
    return true;
}

static int append(DetectParser *dp, DetectDnp3 *d, const char *kw)
{
    if (claim_dnp3(dp, kw) != 0) {
        free(d);
        return VG_EINVAL;
    }
    return detect_app_append(dp, false, &kw_dnp3_tx, d);
}

static int setup_func(DetectParser *dp, const char *arg)
{
    char v[64];
    int64_t n;
    int fc = -1;
    if (trimmed(arg, v, sizeof(v))) {
        fc = detect_parse_int(v, 0, 255, &n) ? (int)n : dnp3_fc_by_name(v);
    }
    if (fc < 0) {
        return detect_err(dp, "bad dnp3_func value '%s' (a number 0-255 or a function name)",
                          arg != NULL ? arg : "");
    }
    DetectDnp3 *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->kind = DNP3_KW_FUNC;
    d->fc = (uint8_t)fc;
    return append(dp, d, "dnp3_func");
}

static int setup_ind(DetectParser *dp, const char *arg)
{
    char v[512];
    if (!trimmed(arg, v, sizeof(v))) {
        return detect_err(dp, "dnp3_ind needs indicator names");
    }
    uint16_t mask = 0;
    for (char *s = v; s != NULL;) {
        char *comma = strchr(s, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        char name[64];
        int bit = trimmed(s, name, sizeof(name)) ? dnp3_iin_by_name(name) : -1;
        if (bit < 0) {
            return detect_err(dp, "unknown dnp3_ind indicator '%s'", s);
        }
        mask |= (uint16_t)(1u << bit);
        s = comma != NULL ? comma + 1 : NULL;
    }
    DetectDnp3 *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->kind = DNP3_KW_IND;
    d->ind_mask = mask;
    return append(dp, d, "dnp3_ind");
}

static int setup_obj(DetectParser *dp, const char *arg)
{
    char v[64];
    int64_t g, var;
    char *comma = NULL;
    if (trimmed(arg, v, sizeof(v))) {
        comma = strchr(v, ',');
    }
    if (comma == NULL) {
        return detect_err(dp, "bad dnp3_obj value '%s' (group,variation)", arg ? arg : "");
    }
    *comma = '\0';
    char gs[32], vs[32];
    if (!trimmed(v, gs, sizeof(gs)) || !trimmed(comma + 1, vs, sizeof(vs)) ||
        !detect_parse_int(gs, 0, 255, &g) || !detect_parse_int(vs, 0, 255, &var)) {
        return detect_err(dp, "bad dnp3_obj value '%s' (group,variation: 0-255 each)", arg);
    }
    DetectDnp3 *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->kind = DNP3_KW_OBJ;
    d->group = (uint8_t)g;
    d->variation = (uint8_t)var;
    return append(dp, d, "dnp3_obj");
}

static int setup_data(DetectParser *dp, const char *arg)
{
    (void)arg;
    return detect_app_select_buffer(dp, "dnp3.data");
}

const DetectKeyword detect_kw_dnp3_func = {
    .name = "dnp3_func", .desc = "DNP3 application function code (number or name)",
    .setup = setup_func, .free = free,
};
const DetectKeyword detect_kw_dnp3_func_dot = {
    .name = "dnp3.func", .desc = "DNP3 application function code (number or name)",
    .setup = setup_func, .free = free,
};
const DetectKeyword detect_kw_dnp3_ind = {
    .name = "dnp3_ind", .desc = "DNP3 internal indications, any of a list",
    .setup = setup_ind, .free = free,
};
const DetectKeyword detect_kw_dnp3_ind_dot = {
    .name = "dnp3.ind", .desc = "DNP3 internal indications, any of a list",
    .setup = setup_ind, .free = free,
};
const DetectKeyword detect_kw_dnp3_obj = {
    .name = "dnp3_obj", .desc = "DNP3 object group,variation in the message",
    .setup = setup_obj, .free = free,
};
const DetectKeyword detect_kw_dnp3_obj_dot = {
    .name = "dnp3.obj", .desc = "DNP3 object group,variation in the message",
    .setup = setup_obj, .free = free,
};
const DetectKeyword detect_kw_dnp3_data = {
    .name = "dnp3_data", .desc = "sticky buffer: DNP3 application data (dnp3.data)",
    .flags = DETECT_KW_NOOPT, .setup = setup_data,
};
