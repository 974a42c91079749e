/* WebSocket keywords besides the websocket.payload sticky buffer (from the app-layer
 * buffer registry), each on the frame of the transaction:
 *
 * websocket.opcode:[op]V    the opcode: a name (continuation, text, binary, close, ping,
 *                           pong) or a number, with the integer operators (!, <, >...)
 * websocket.flags:[!]fin,[!]comp   FIN and RSV1 (per-message compression) bits; also
 *                           rsv2, rsv3
 * websocket.mask:[op]V      the masking key as a 32-bit number (frames without a mask
 *                           never match)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "app-layer/websocket/app-layer-websocket.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { WSK_OPCODE = 0, WSK_FLAGS, WSK_MASK };

typedef struct DetectWs {
    uint8_t field;
    uint8_t set;
    uint8_t clear;
    DetectUint u;
} DetectWs;

static bool match_ws(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                     const void *ctx)
{
    (void)dt;
    (void)f;
    (void)dir;
    const DetectWs *d = ctx;
    const WsTx *t = ws_tx(tx);
    if (t == NULL) {
        return false;
    }
    switch (d->field) {
    case WSK_OPCODE:
        return detect_uint_match(&d->u, t->opcode);
    case WSK_FLAGS:
        return (t->flags & d->set) == d->set && (t->flags & d->clear) == 0;
    default:
        return t->is_masked && detect_uint_match(&d->u, t->mask);
    }
}

static const DetectKeyword kw_ws_tx = {
    .name = "websocket-frame", .desc = "WebSocket frame fields of the transaction",
    .tx_match = match_ws, .free = free,
};

static int finish(DetectParser *dp, DetectWs *d, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_WEBSOCKET) {
        free(d);
        return detect_err(dp, "%s needs protocol websocket", kw);
    }
    dp->s->alproto = APP_PROTO_WEBSOCKET;
    return detect_app_append(dp, false, &kw_ws_tx, d);
}

/* arg trimmed into buf (cap bytes); false when empty or too long. */
static bool trim(const char *arg, char *buf, size_t cap)
{
    while (arg != NULL && isspace((unsigned char)*arg)) {
        arg++;
    }
    size_t n = arg != NULL ? strlen(arg) : 0;
    while (n > 0 && isspace((unsigned char)arg[n - 1])) {
        n--;
    }
    if (n == 0 || n >= cap) {
        return false;
    }
    memcpy(buf, arg, n);
    buf[n] = '\0';
    return true;
}

static int setup_int(DetectParser *dp, const char *arg, uint8_t field, uint64_t max,
                     const char *kw)
{
    char buf[64];
    if (!trim(arg, buf, sizeof(buf))) {
        return detect_err(dp, "bad %s value '%s'", kw, arg ? arg : "");
    }
    /* an opcode name after the operator becomes its number */
    size_t op = 0;
    while (buf[op] != '\0' && strchr("!<>=", buf[op]) != NULL) {
        op++;
    }
    char num[64];
    const char *v = buf;
    for (uint8_t i = 0; field == WSK_OPCODE && i < 16; i++) {
        const char *name = ws_opcode_name(i);
        if (name != NULL && strcmp(buf + op, name) == 0) {
            snprintf(num, sizeof(num), "%.*s%u", (int)op, buf, i);
            v = num;
        }
    }
    DetectWs *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->field = field;
    if (detect_uint_parse(dp, v, max, &d->u) != 0) {
        free(d);
        return VG_EINVAL;
    }
    return finish(dp, d, kw);
}

static int setup_opcode(DetectParser *dp, const char *arg)
{
    return setup_int(dp, arg, WSK_OPCODE, 15, "websocket.opcode");
}

static int setup_mask(DetectParser *dp, const char *arg)
{
    return setup_int(dp, arg, WSK_MASK, UINT32_MAX, "websocket.mask");
}

static int setup_flags(DetectParser *dp, const char *arg)
{
    static const struct {
        const char *name;
        uint8_t bit;
    } names[] = {{"fin", WS_F_FIN}, {"comp", WS_F_RSV1}, {"rsv1", WS_F_RSV1},
                 {"rsv2", WS_F_RSV2}, {"rsv3", WS_F_RSV3}};
    char buf[96];
    if (!trim(arg, buf, sizeof(buf))) {
        return detect_err(dp, "bad websocket.flags value '%s'", arg ? arg : "");
    }
    DetectWs *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->field = WSK_FLAGS;
    for (char *tok = buf; tok != NULL;) {
        char *sep = strpbrk(tok, ",|");
        if (sep != NULL) {
            *sep = '\0';
        }
        while (isspace((unsigned char)*tok)) {
            tok++;
        }
        size_t tl = strlen(tok);
        while (tl > 0 && isspace((unsigned char)tok[tl - 1])) {
            tok[--tl] = '\0';
        }
        bool neg = tok[0] == '!';
        const char *name = neg ? tok + 1 : tok;
        size_t i = 0;
        while (i < sizeof(names) / sizeof(names[0]) && strcmp(name, names[i].name) != 0) {
            i++;
        }
        if (i == sizeof(names) / sizeof(names[0])) {
            free(d);
            return detect_err(dp, "unknown websocket.flags flag '%s'", name);
        }
        if (neg) {
            d->clear |= names[i].bit;
        } else {
            d->set |= names[i].bit;
        }
        tok = sep != NULL ? sep + 1 : NULL;
    }
    return finish(dp, d, "websocket.flags");
}

const DetectKeyword detect_kw_websocket_opcode = {
    .name = "websocket.opcode", .desc = "WebSocket frame opcode (name or number)",
    .setup = setup_opcode, .free = free,
};
const DetectKeyword detect_kw_websocket_flags = {
    .name = "websocket.flags", .desc = "WebSocket frame flags ([!]fin,[!]comp)",
    .setup = setup_flags, .free = free,
};
const DetectKeyword detect_kw_websocket_mask = {
    .name = "websocket.mask", .desc = "WebSocket frame masking key",
    .setup = setup_mask, .free = free,
};
