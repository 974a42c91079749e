/* HTTP/2 keywords that are not sticky buffers (http2.header and http2.header_name come
 * from the app-layer buffer registry). Each looks at the frames of the transaction in
 * the direction inspected; Suricata's forms:
 *
 * http2.frametype:T        a frame of type T (GOAWAY, RST_STREAM or RSTSTREAM, ... or 0-255)
 * http2.errorcode:E        the error code of a GOAWAY / RST_STREAM (NO_ERROR or NOERROR,
 *                          ... or a number)
 * http2.priority:N         a priority weight (PRIORITY frame or HEADERS with priority);
 *                          integer forms (N, <N, >N, N-M, !N ...)
 * http2.window:N           a WINDOW_UPDATE increment; integer forms
 * http2.size_update:N      an HPACK dynamic table size update; integer forms
 * http2.settings:ID[OP N]  a setting of that id (SETTINGS_HEADER_TABLE_SIZE ...), with
 *                          a value matching the integer form when one is given */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app-layer/app-layer.h"
#include "app-layer/http2/app-layer-http2.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum {
    H2_KW_FRAMETYPE = 0,
    H2_KW_ERRORCODE,
    H2_KW_PRIORITY,
    H2_KW_WINDOW,
    H2_KW_SIZE_UPDATE,
    H2_KW_SETTINGS,
};

typedef struct DetectHttp2 {
    uint8_t field;               // H2_KW_*
    bool has_value;              // settings: a value condition follows the id
    uint16_t id;                 // settings id
    DetectUint u;                // frame type / error code (EQ) or the integer form
} DetectHttp2;

static bool any_u8(const DetectUint *u, const uint8_t *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (detect_uint_match(u, v[i])) {
            return true;
        }
    }
    return false;
}

static bool any_u32(const DetectUint *u, const uint32_t *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (detect_uint_match(u, v[i])) {
            return true;
        }
    }
    return false;
}

static bool match_settings(const DetectHttp2 *d, const Http2Side *s)
{
    for (uint32_t i = 0; i < s->n_settings; i++) {
        if (s->settings[i].id == d->id &&
            (!d->has_value || detect_uint_match(&d->u, s->settings[i].value))) {
            return true;
        }
    }
    return false;
}

static bool match_http2(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                        const void *ctx)
{
    (void)dt;
    (void)f;
    const DetectHttp2 *d = ctx;
    const Http2Tx *t = http2_tx(tx);
    if (t == NULL || dir > 1) {
        return false;
    }
    const Http2Side *s = &t->side[dir];
    switch (d->field) {
    case H2_KW_FRAMETYPE:
        return any_u8(&d->u, s->frame_types, s->n_frames);
    case H2_KW_ERRORCODE:
        return s->has_error && detect_uint_match(&d->u, s->error_code);
    case H2_KW_PRIORITY:
        return any_u8(&d->u, s->priorities, s->n_priorities);
    case H2_KW_WINDOW:
        return any_u32(&d->u, s->windows, s->n_windows);
    case H2_KW_SIZE_UPDATE:
        return any_u32(&d->u, s->size_updates, s->n_size_updates);
    case H2_KW_SETTINGS:
        return match_settings(d, s);
    default:
        return false;
    }
}

static const DetectKeyword kw_http2_tx = {
    .name = "http2-frame", .desc = "HTTP/2 frame fields of the transaction",
    .tx_match = match_http2, .free = free,
};

static int claim_http2(DetectParser *dp, const char *kw)
{
    AppProto p = dp->s->alproto;
    if (p != APP_PROTO_UNKNOWN && p != APP_PROTO_HTTP2 && p != APP_PROTO_HTTP1) {
        return detect_err(dp, "%s needs protocol http2", kw);
    }
    dp->s->alproto = APP_PROTO_HTTP2;   // "http" rules narrow to HTTP/2, as in Suricata
    return 0;
}

/* arg trimmed into buf; false when empty or too long. */
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

/* Names compare without case and underscores: "RST_STREAM" == "rststream". */
static bool name_eq(const char *a, const char *b)
{
    while (*a != '\0' || *b != '\0') {
        if (*a == '_') {
            a++;
            continue;
        }
        if (*b == '_') {
            b++;
            continue;
        }
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) {
            return false;
        }
        a++;
        b++;
    }
    return true;
}

static int lookup(const char *arg, const char *(*name_of)(uint32_t), uint32_t n,
                  uint64_t max, uint64_t *out)
{
    for (uint32_t i = 0; i < n; i++) {
        const char *name = name_of(i);
        if (name != NULL && name_eq(arg, name)) {
            *out = i;
            return 0;
        }
    }
    char *end;
    unsigned long long v = strtoull(arg, &end, 10);
    if (end == arg || *end != '\0' || v > max || arg[0] == '-') {
        return VG_EINVAL;
    }
    *out = v;
    return 0;
}

static const char *frame_name(uint32_t i)
{
    return http2_frame_type_name((uint8_t)i);
}

static const char *error_name(uint32_t i)
{
    return http2_error_code_name(i);
}

static const char *settings_name(uint32_t i)
{
    return http2_settings_name((uint16_t)i);
}

static int finish(DetectParser *dp, DetectHttp2 *d, const char *kw)
{
    if (claim_http2(dp, kw) != 0) {
        free(d);
        return VG_EINVAL;
    }
    return detect_app_append(dp, false, &kw_http2_tx, d);
}

static int setup_named(DetectParser *dp, const char *arg, uint8_t field, const char *kw)
{
    char buf[64];
    uint64_t v;
    bool is_frame = field == H2_KW_FRAMETYPE;
    if (!trim(arg, buf, sizeof(buf)) ||
        lookup(buf, is_frame ? frame_name : error_name, is_frame ? HTTP2_FRAME_N : 14,
               is_frame ? 255 : UINT32_MAX, &v) != 0) {
        return detect_err(dp, "bad %s value '%s' (a name or a number)", kw, arg ? arg : "");
    }
    DetectHttp2 *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->field = field;
    d->u.mode = DETECT_U_EQ;
    d->u.lo = v;
    return finish(dp, d, kw);
}

static int setup_int(DetectParser *dp, const char *arg, uint8_t field, uint64_t max,
                     const char *kw)
{
    char buf[64];
    if (!trim(arg, buf, sizeof(buf))) {
        return detect_err(dp, "bad %s value '%s'", kw, arg ? arg : "");
    }
    DetectHttp2 *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->field = field;
    if (detect_uint_parse(dp, buf, max, &d->u) != 0) {
        free(d);
        return VG_EINVAL;
    }
    return finish(dp, d, kw);
}

static int setup_settings(DetectParser *dp, const char *arg)
{
    char buf[96];
    if (!trim(arg, buf, sizeof(buf))) {
        return detect_err(dp, "bad http2.settings value (SETTINGS_ID[op value])");
    }
    size_t n = 0;
    while (isalnum((unsigned char)buf[n]) || buf[n] == '_') {
        n++;
    }
    char id[64];
    if (n == 0 || n >= sizeof(id)) {
        return detect_err(dp, "bad http2.settings id in '%s'", buf);
    }
    memcpy(id, buf, n);
    id[n] = '\0';
    uint64_t v;
    if (lookup(id, settings_name, 7, 65535, &v) != 0) {
        return detect_err(dp, "unknown http2.settings id '%s'", id);
    }
    DetectHttp2 *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->field = H2_KW_SETTINGS;
    d->id = (uint16_t)v;
    const char *rest = buf + n;
    while (isspace((unsigned char)*rest)) {
        rest++;
    }
    if (*rest != '\0') {
        d->has_value = true;
        if (detect_uint_parse(dp, rest, UINT32_MAX, &d->u) != 0) {
            free(d);
            return VG_EINVAL;
        }
    }
    return finish(dp, d, "http2.settings");
}

static int setup_frametype(DetectParser *dp, const char *arg)
{
    return setup_named(dp, arg, H2_KW_FRAMETYPE, "http2.frametype");
}

static int setup_errorcode(DetectParser *dp, const char *arg)
{
    return setup_named(dp, arg, H2_KW_ERRORCODE, "http2.errorcode");
}

static int setup_priority(DetectParser *dp, const char *arg)
{
    return setup_int(dp, arg, H2_KW_PRIORITY, 255, "http2.priority");
}

static int setup_window(DetectParser *dp, const char *arg)
{
    return setup_int(dp, arg, H2_KW_WINDOW, 0x7fffffff, "http2.window");
}

static int setup_size_update(DetectParser *dp, const char *arg)
{
    return setup_int(dp, arg, H2_KW_SIZE_UPDATE, UINT32_MAX, "http2.size_update");
}

const DetectKeyword detect_kw_http2_frametype = {
    .name = "http2.frametype", .desc = "HTTP/2 frame type (name or number)",
    .setup = setup_frametype, .free = free,
};
const DetectKeyword detect_kw_http2_errorcode = {
    .name = "http2.errorcode", .desc = "HTTP/2 GOAWAY / RST_STREAM error code",
    .setup = setup_errorcode, .free = free,
};
const DetectKeyword detect_kw_http2_priority = {
    .name = "http2.priority", .desc = "HTTP/2 priority weight ([!]N, <N, >N, N-M)",
    .setup = setup_priority, .free = free,
};
const DetectKeyword detect_kw_http2_window = {
    .name = "http2.window", .desc = "HTTP/2 WINDOW_UPDATE increment ([!]N, <N, >N, N-M)",
    .setup = setup_window, .free = free,
};
const DetectKeyword detect_kw_http2_size_update = {
    .name = "http2.size_update", .desc = "HPACK dynamic table size update ([!]N, <N, >N, N-M)",
    .setup = setup_size_update, .free = free,
};
const DetectKeyword detect_kw_http2_settings = {
    .name = "http2.settings", .desc = "HTTP/2 setting (SETTINGS_ID[op value])",
    .setup = setup_settings, .free = free,
};
