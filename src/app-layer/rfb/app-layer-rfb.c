/* RFB: the parser row and the handshake state machine (RFC 6143 section 7.1-7.3).
 *
 * Server (to client): ProtocolVersion; security types (3.3: one u32 type; 3.7 and 3.8:
 * a count and that many types, a count of 0 followed by a reason); then, depending on
 * the type the client chose: VNC authentication's 16-byte challenge; SecurityResult
 * (u32; 3.8 adds a reason after a failure; 3.7 and 3.3 send none for type None); and
 * ServerInit (size, pixel format, name). Client (to server): ProtocolVersion, the chosen
 * type (3.7+), VNC authentication's 16-byte response, ClientInit (shared flag).
 *
 * Each direction collects the bytes of its next message in a small buffer (at most
 * RFB_ACC_MAX, names and reasons up to RFB_NAME_MAX; a longer announced length is
 * malformed_message and parsing stops). The server's messages after its type list wait
 * for the client's choice. A type other than None and VNC authentication raises
 * unimplemented_security_type and ends parsing (as Suricata). */
#include "app-layer/rfb/app-layer-rfb.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "util/util-error.h"

#define RFB_ACC_MAX (RFB_NAME_MAX + 64)

const char *const rfb_event_names[RFB_EV_N] = {
    "unimplemented_security_type",
    "unknown_security_result",
    "malformed_message",
    "confused_state",
};

enum {
    S_VERSION = 0, S_TYPES, S_AFTER_TYPES, S_CHALLENGE, S_RESULT, S_REASON, S_INIT, S_DONE,
};
enum { C_VERSION = 0, C_TYPE, C_AFTER_TYPE, C_RESPONSE, C_INIT, C_DONE };

typedef struct RfbDir {
    uint8_t acc[RFB_ACC_MAX];
    uint32_t len;
    uint8_t phase;
} RfbDir;

typedef struct RfbState {
    AppFlow *af;
    RfbTx *tx;
    RfbDir dir[2];
    uint8_t minor;               // protocol minor version in use (3, 7, 8)
    bool stopped;
} RfbState;

const RfbTx *rfb_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_RFB ? (const RfbTx *)tx : NULL;
}

static void *rfb_state_new(AppFlow *af)
{
    RfbState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void rfb_state_free(void *state)
{
    free(state);
}

static void rfb_tx_free(void *state, AppTx *tx)
{
    RfbState *st = state;
    RfbTx *t = (RfbTx *)tx;
    if (st != NULL && t->name != NULL) {
        app_mem_release(st->af, t->name_len);
    }
    free(t->name);
    t->name = NULL;
    if (st != NULL && st->tx == t) {
        st->tx = NULL;
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Ends parsing both ways: the tx is complete. */
static void stop(RfbState *st, int ev)
{
    if (ev >= 0 && st->tx != NULL) {
        app_tx_event(st->af, &st->tx->tx, (uint32_t)ev);
    }
    st->stopped = true;
    if (st->tx != NULL) {
        st->tx->tx.progress[0] = st->tx->tx.progress[1] = RFB_PROG_DONE;
        app_tx_touch(&st->tx->tx, APP_DIR_TOSERVER);
        app_tx_touch(&st->tx->tx, APP_DIR_TOCLIENT);
    }
}

/* "RFB xxx.yyy\n" into major/minor; false when malformed. */
static bool version(const uint8_t *p, char *major, char *minor)
{
    if (memcmp(p, "RFB ", 4) != 0 || p[7] != '.' || p[11] != '\n') {
        return false;
    }
    for (int i = 0; i < 3; i++) {
        if (p[4 + i] < '0' || p[4 + i] > '9' || p[8 + i] < '0' || p[8 + i] > '9') {
            return false;
        }
    }
    memcpy(major, p + 4, 3);
    memcpy(minor, p + 8, 3);
    major[3] = minor[3] = '\0';
    return true;
}

/* Sets the chosen type; false (stopped) when it is one we do not follow. */
static bool choose(RfbState *st, uint32_t type)
{
    st->tx->has_sec_type = true;
    st->tx->sec_type = type;
    if (type != RFB_SEC_NONE && type != RFB_SEC_VNC) {
        stop(st, RFB_EV_UNIMPLEMENTED_SECURITY_TYPE);
        return false;
    }
    return true;
}

static bool name_out(RfbState *st, const uint8_t *p, uint32_t n)
{
    if (n == 0 || !app_mem_charge(st->af, n)) {
        return true;
    }
    st->tx->name = malloc(n);
    if (st->tx->name == NULL) {
        app_mem_release(st->af, n);
        return false;
    }
    memcpy(st->tx->name, p, n);
    st->tx->name_len = n;
    return true;
}

static void server_init(RfbState *st, const uint8_t *p, uint32_t name_len)
{
    RfbTx *t = st->tx;
    t->width = be16(p);
    t->height = be16(p + 2);
    const uint8_t *f = p + 4;
    t->pf = (RfbPixelFormat){
        .bits_per_pixel = f[0], .depth = f[1], .big_endian = f[2], .true_color = f[3],
        .red_max = be16(f + 4), .green_max = be16(f + 6), .blue_max = be16(f + 8),
        .red_shift = f[10], .green_shift = f[11], .blue_shift = f[12],
    };
    (void)name_out(st, p + 24, name_len);
    t->has_server_init = true;
    stop(st, -1);
}

/* One server message from d->acc. Returns the bytes it took, 0 when more are needed
 * (or it waits for the client). */
static uint32_t server_step(RfbState *st, RfbDir *d)
{
    RfbTx *t = st->tx;
    const uint8_t *p = d->acc;
    uint32_t n = d->len;
    switch (d->phase) {
    case S_VERSION:
        if (n < 12) {
            return 0;
        }
        if (!version(p, t->server_major, t->server_minor)) {
            stop(st, RFB_EV_MALFORMED_MESSAGE);
            return n;
        }
        t->has_server_version = true;
        d->phase = S_TYPES;
        return 12;
    case S_TYPES:
        if (st->minor == 0) {
            return 0;            // the client's version decides the format
        }
        if (st->minor < 7) {
            if (n < 4) {
                return 0;
            }
            uint32_t type = be32(p);
            if (type == RFB_SEC_INVALID) {
                d->phase = S_REASON;
            } else if (choose(st, type)) {
                d->phase = type == RFB_SEC_VNC ? S_CHALLENGE : S_INIT;
            }
            return 4;
        }
        if (n < 1 || (p[0] > 0 && n < 1u + p[0])) {
            return 0;
        }
        d->phase = p[0] == 0 ? S_REASON : S_AFTER_TYPES;
        return p[0] == 0 ? 1 : 1u + p[0];
    case S_AFTER_TYPES:
        return 0;                // waits for the client's choice (client_step moves it)
    case S_CHALLENGE:
        if (n < 16) {
            return 0;
        }
        memcpy(t->challenge, p, 16);
        t->has_vnc = true;
        d->phase = S_RESULT;
        return 16;
    case S_RESULT:
        if (n < 4) {
            return 0;
        }
        t->has_result = true;
        t->sec_result = be32(p);
        if (t->sec_result > 2) {
            app_tx_event(st->af, &t->tx, RFB_EV_UNKNOWN_SECURITY_RESULT);
        }
        d->phase = t->sec_result == 0 ? S_INIT : (st->minor >= 8 ? S_REASON : S_DONE);
        if (d->phase == S_DONE) {
            stop(st, -1);
        }
        return 4;
    case S_REASON:
        if (n < 4) {
            return 0;
        }
        if (be32(p) > RFB_NAME_MAX) {
            stop(st, RFB_EV_MALFORMED_MESSAGE);
            return n;
        }
        if (n < 4 + be32(p)) {
            return 0;
        }
        stop(st, -1);
        return 4 + be32(p);
    case S_INIT:
        if (n < 24) {
            return 0;
        }
        if (be32(p + 20) > RFB_NAME_MAX) {
            stop(st, RFB_EV_MALFORMED_MESSAGE);
            return n;
        }
        if (n < 24 + be32(p + 20)) {
            return 0;
        }
        server_init(st, p, be32(p + 20));
        d->phase = S_DONE;
        return 24 + be32(p + 20);
    default:
        return n;                // done: the rest is the session
    }
}

static uint32_t client_step(RfbState *st, RfbDir *d)
{
    RfbTx *t = st->tx;
    const uint8_t *p = d->acc;
    uint32_t n = d->len;
    RfbDir *s = &st->dir[APP_DIR_TOCLIENT];
    switch (d->phase) {
    case C_VERSION:
        if (n < 12) {
            return 0;
        }
        if (!version(p, t->client_major, t->client_minor)) {
            stop(st, RFB_EV_MALFORMED_MESSAGE);
            return n;
        }
        t->has_client_version = true;
        int v = (t->client_minor[0] - '0') * 100 + (t->client_minor[1] - '0') * 10 +
                (t->client_minor[2] - '0');
        st->minor = v >= 8 ? 8 : (v >= 7 ? 7 : 3);   // others speak 3.3 (section 7.1.1)
        d->phase = st->minor >= 7 ? C_TYPE : C_AFTER_TYPE;
        return 12;
    case C_TYPE:
        if (n < 1) {
            return 0;
        }
        if (s->phase != S_AFTER_TYPES && s->phase != S_TYPES) {
            app_tx_event(st->af, &t->tx, RFB_EV_CONFUSED_STATE);
        }
        if (choose(st, p[0])) {
            s->phase = p[0] == RFB_SEC_VNC ? S_CHALLENGE : (st->minor >= 8 ? S_RESULT : S_INIT);
            d->phase = C_AFTER_TYPE;
        }
        return 1;
    case C_AFTER_TYPE:
        if (!t->has_sec_type) {
            return 0;            // 3.3: the server imposes the type
        }
        d->phase = t->sec_type == RFB_SEC_VNC ? C_RESPONSE : C_INIT;
        return 0;
    case C_RESPONSE:
        if (n < 16) {
            return 0;
        }
        memcpy(t->response, p, 16);
        d->phase = C_INIT;
        return 16;
    case C_INIT:
        if (n < 1) {
            return 0;
        }
        t->has_shared = true;
        t->shared = p[0] != 0;
        d->phase = C_DONE;
        return 1;
    default:
        return n;
    }
}

/* Runs the steps of both directions while they make progress. */
static void run(RfbState *st)
{
    bool moved = true;
    while (moved && !st->stopped) {
        moved = false;
        for (uint8_t dir = 0; dir < 2 && !st->stopped; dir++) {
            RfbDir *d = &st->dir[dir];
            uint8_t phase = d->phase;
            uint32_t used = dir == APP_DIR_TOCLIENT ? server_step(st, d) : client_step(st, d);
            if (used > 0) {
                memmove(d->acc, d->acc + used, d->len - used);
                d->len -= used;
            }
            moved |= used > 0 || d->phase != phase;
        }
    }
}

static int rfb_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                     uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    RfbState *st = state;
    if (st->stopped) {
        return APP_PARSE_OK;     // the session after the handshake is not parsed
    }
    if (st->tx == NULL) {
        if (st->af->next_tx_id != 0) {
            return APP_PARSE_OK;
        }
        st->tx = (RfbTx *)app_tx_new(st->af, sizeof(RfbTx));
        if (st->tx == NULL) {
            return APP_PARSE_ERROR;
        }
    }
    RfbDir *d = &st->dir[dir];
    while (len > 0 && !st->stopped) {
        uint32_t n = RFB_ACC_MAX - d->len;
        n = n < len ? n : len;
        memcpy(d->acc + d->len, data, n);
        d->len += n;
        data += n;
        len -= n;
        run(st);
        if (d->len == RFB_ACC_MAX && !st->stopped) {
            stop(st, RFB_EV_MALFORMED_MESSAGE);   // a message that cannot be this long
        }
    }
    app_tx_touch(&st->tx->tx, dir);
    return APP_PARSE_OK;
}

static void rfb_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    (void)dir;
    RfbState *st = state;
    st->dir[dir].len = 0;
}

/* ---- detection ---- */

static const AppPattern rfb_patterns[] = {
    {.dir = APP_DIR_TOCLIENT, .offset = 0, .depth = 4, .bytes = "RFB ", .len = 4},
    {.dir = APP_DIR_TOSERVER, .offset = 0, .depth = 4, .bytes = "RFB ", .len = 4},
};

/* ---- buffers and EVE ---- */

static bool get_name(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    (void)f;
    const RfbTx *t = rfb_tx(tx);
    if (t == NULL || !t->has_server_init) {
        return false;
    }
    *data = t->name != NULL ? t->name : (const uint8_t *)"";
    *len = t->name_len;
    return true;
}

const AppBufferDef rfb_buffers[] = {
    {.name = "rfb.name", .proto = APP_PROTO_RFB, .dir = APP_DIR_TOCLIENT,
     .progress = RFB_PROG_DONE, .get = get_name},
};

static void hex(JsonBuf *jb, const char *key, const uint8_t *p, size_t n)
{
    char s[2 * 16 + 1];
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[2 * n] = '\0';
    json_str(jb, key, s);
}

static void log_version(JsonBuf *jb, const char *key, const char *major, const char *minor)
{
    json_open_object(jb, key);
    json_str(jb, "major", major);
    json_str(jb, "minor", minor);
    json_close_object(jb);
}

static void log_framebuffer(JsonBuf *jb, const RfbTx *t)
{
    json_open_object(jb, "framebuffer");
    json_u64(jb, "width", t->width);
    json_u64(jb, "height", t->height);
    json_printable(jb, "name", t->name != NULL ? t->name : (const uint8_t *)"", t->name_len);
    json_open_object(jb, "pixel_format");
    json_u64(jb, "bits_per_pixel", t->pf.bits_per_pixel);
    json_u64(jb, "depth", t->pf.depth);
    json_bool(jb, "big_endian", t->pf.big_endian != 0);
    json_bool(jb, "true_color", t->pf.true_color != 0);
    json_u64(jb, "red_max", t->pf.red_max);
    json_u64(jb, "green_max", t->pf.green_max);
    json_u64(jb, "blue_max", t->pf.blue_max);
    json_u64(jb, "red_shift", t->pf.red_shift);
    json_u64(jb, "green_shift", t->pf.green_shift);
    json_u64(jb, "blue_shift", t->pf.blue_shift);
    json_close_object(jb);
    json_close_object(jb);
}

static void rfb_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const RfbTx *t = (const RfbTx *)tx;
    static const char *const results[] = {"OK", "FAIL", "TOOMANY"};
    json_open_object(jb, "rfb");
    if (t->has_server_version) {
        log_version(jb, "server_protocol_version", t->server_major, t->server_minor);
    }
    if (t->has_client_version) {
        log_version(jb, "client_protocol_version", t->client_major, t->client_minor);
    }
    if (t->has_sec_type) {
        json_open_object(jb, "authentication");
        json_u64(jb, "security_type", t->sec_type);
        if (t->has_vnc) {
            json_open_object(jb, "vnc");
            hex(jb, "challenge", t->challenge, 16);
            hex(jb, "response", t->response, 16);
            json_close_object(jb);
        }
        if (t->has_result) {
            json_str(jb, "security_result", t->sec_result <= 2 ? results[t->sec_result]
                                                               : "UNKNOWN");
        }
        json_close_object(jb);
    }
    if (t->has_shared) {
        json_bool(jb, "screen_shared", t->shared);
    }
    if (t->has_server_init) {
        log_framebuffer(jb, t);
    }
    json_close_object(jb);
}

const AppParserDesc app_parser_rfb = {
    .name = "rfb",
    .proto = APP_PROTO_RFB,
    .ipproto = 6,
    .first_dir = APP_DIR_TOCLIENT,
    .default_ports = "5900,5901,5902,5903,5904,5905,5906,5907,5908,5909",
    .patterns = rfb_patterns,
    .n_patterns = sizeof(rfb_patterns) / sizeof(rfb_patterns[0]),
    .state_new = rfb_state_new,
    .state_free = rfb_state_free,
    .parse = rfb_parse,
    .eof = rfb_eof,
    .tx_free = rfb_tx_free,
    .complete = {RFB_PROG_DONE, RFB_PROG_DONE},
    .events = rfb_event_names,
    .n_events = RFB_EV_N,
    .buffers = rfb_buffers,
    .n_buffers = sizeof(rfb_buffers) / sizeof(rfb_buffers[0]),
    .log_json = rfb_log_json,
    .eve_generic = true,
};
