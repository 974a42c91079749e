/* DNP3: the parser row, link-layer framing, transport reassembly and transactions.
 *
 * Link layer (IEEE 1815 section 9): 0x05 0x64, length (control, addresses and user
 * data, without CRCs; at least 5), control, destination and source (little-endian),
 * a CRC over those 8 bytes, then the user data in blocks of 16 bytes each followed by
 * its CRC. Only primary frames with function 3 or 4 (user data) carry the transport
 * layer; others are checked and skipped. Transport (section 8): one byte FIN, FIR,
 * sequence; the segments of a fragment are appended (FIR starts one, FIN ends it) up to
 * DNP3_REASM_MAX bytes. Each whole fragment becomes a tx of its direction.
 *
 * TCP: frames may span segments and share them; the unfinished frame of a direction is
 * buffered (at most one frame, 292 bytes). Data not starting with 0x05 0x64 is skipped
 * up to the next start (event malformed, once per run of junk). UDP: every datagram
 * holds whole frames. Memory per flow: one frame and one fragment buffer per direction
 * (charged to the dnp3 memcap) and the live txs. */
#include "app-layer/dnp3/app-layer-dnp3.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "conf/conf.h"
#include "flow/flow-types.h"
#include "util/util-byte.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define DNP3_FRAME_MAX 292       // 10 + 250 + 16 * 2
#define DNP3_LINK_PRM 0x40
#define DNP3_LINK_DIR 0x80
#define DNP3_TH_FIN 0x80
#define DNP3_TH_FIR 0x40

typedef struct Dnp3Dir {
    uint8_t frame[DNP3_FRAME_MAX];
    uint32_t frame_len;
    bool in_junk;                // skipping bytes up to the next 0x05 0x64
    uint8_t *frag;               // fragment being reassembled (owned, DNP3_REASM_MAX cap)
    uint32_t frag_len;
    bool in_frag;                // FIR seen, FIN not yet
    uint8_t first_ctl;           // link header of the fragment's first frame
    uint16_t first_src;
    uint16_t first_dst;
} Dnp3Dir;

typedef struct Dnp3State {
    AppFlow *af;
    bool is_tcp;
    bool is_flooded;
    uint32_t unreplied;          // requests minus responses
    Dnp3Dir dir[2];
} Dnp3State;

const char *const dnp3_event_names[DNP3_EV_N] = {
    "flooded",
    "len_too_small",
    "bad_link_crc",
    "bad_transport_crc",
    "malformed",
    "unknown_object",
    "too_many_points",
    "too_many_objects",
    "too_long_reassembly",
};

static uint32_t g_max_points = DNP3_DEFAULT_MAX_POINTS;
static uint32_t g_max_objects = DNP3_DEFAULT_MAX_OBJECTS;
static uint32_t g_flood = DNP3_DEFAULT_FLOOD;

/* ---- pure helpers ---- */

uint16_t dnp3_crc(const uint8_t *p, size_t len)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA6BC) : (uint16_t)(crc >> 1);
        }
    }
    return (uint16_t)~crc;
}

uint32_t dnp3_frame_size(uint8_t len)
{
    uint32_t user = len > 5 ? len - 5u : 0;
    return DNP3_LINK_HDR_LEN + user + 2u * ((user + DNP3_BLOCK_LEN - 1) / DNP3_BLOCK_LEN);
}

static bool crc_ok(const uint8_t *p, uint32_t len)
{
    return dnp3_crc(p, len) == util_le16(p + len);
}

bool dnp3_fc_has_data(uint8_t fc, uint8_t dir)
{
    if (dir == APP_DIR_TOCLIENT) {
        return true;
    }
    switch (fc) {
    case 1:                      // read
    case 7: case 8: case 9: case 10:   // immediate freeze, freeze and clear
    case 20: case 21: case 22:   // enable / disable unsolicited, assign class
        return false;
    default:
        return true;
    }
}

const Dnp3Tx *dnp3_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_DNP3 ? (const Dnp3Tx *)tx : NULL;
}

/* ---- state ---- */

static void *dnp3_state_new(AppFlow *af)
{
    Dnp3State *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return NULL;
    }
    if (!app_mem_charge(af, sizeof(*st))) {
        free(st);
        return NULL;
    }
    st->af = af;
    st->is_tcp = af->f == NULL || af->f->key.proto == 6;
    return st;
}

static void frag_free(Dnp3State *st, Dnp3Dir *d)
{
    if (d->frag != NULL) {
        app_mem_release(st->af, DNP3_REASM_MAX);
        free(d->frag);
    }
    d->frag = NULL;
    d->frag_len = 0;
    d->in_frag = false;
}

static void dnp3_state_free(void *state)
{
    Dnp3State *st = state;
    if (st == NULL) {
        return;
    }
    frag_free(st, &st->dir[0]);
    frag_free(st, &st->dir[1]);
    app_mem_release(st->af, sizeof(*st));
    free(st);
}

static void dnp3_tx_free(void *state, AppTx *tx)
{
    Dnp3State *st = state;
    Dnp3Tx *t = (Dnp3Tx *)tx;
    if (st != NULL) {
        app_mem_release(st->af, (uint64_t)t->data_len + (uint64_t)t->n_objects *
                                                             sizeof(Dnp3Object));
    }
    free(t->data);
    free(t->objects);
    t->data = NULL;
    t->objects = NULL;
}

/* ---- transactions ---- */

/* A new tx of dir for the fragment's header fields; NULL on memcap / max-tx. */
static Dnp3Tx *tx_new(Dnp3State *st, uint8_t dir)
{
    Dnp3Dir *d = &st->dir[dir];
    Dnp3Tx *t = (Dnp3Tx *)app_tx_new(st->af, sizeof(Dnp3Tx));
    if (t == NULL) {
        return NULL;
    }
    t->dir = dir;
    t->link_ctl = d->first_ctl;
    t->src = d->first_src;
    t->dst = d->first_dst;
    t->tx.progress[0] = t->tx.progress[1] = DNP3_PROG_DONE;
    app_tx_touch(&t->tx, dir);
    return t;
}

static void count_flood(Dnp3State *st, Dnp3Tx *t)
{
    if (t->dir == APP_DIR_TOSERVER) {
        st->unreplied++;
        if (!st->is_flooded && g_flood != 0 && st->unreplied > g_flood) {
            st->is_flooded = true;
            app_tx_event(st->af, &t->tx, DNP3_EV_FLOODED);
        }
    } else if (t->fc == DNP3_FC_RESPONSE && st->unreplied > 0) {
        st->unreplied--;
    }
}

/* Objects of a whole fragment, events for what stopped them. */
static void parse_objects(Dnp3State *st, Dnp3Tx *t, uint32_t hdr_len)
{
    uint32_t flags = 0;
    Dnp3Object *objs = NULL;
    uint32_t n = dnp3_objects_parse(t->data + hdr_len, t->data_len - hdr_len, hdr_len,
                                    dnp3_fc_has_data(t->fc, t->dir), g_max_objects,
                                    g_max_points, &objs, &flags);
    if (n > 0 && app_mem_charge(st->af, (uint64_t)n * sizeof(Dnp3Object))) {
        t->objects = objs;
        t->n_objects = n;
    } else {
        free(objs);
    }
    if (flags & DNP3_OBJ_F_UNKNOWN) {
        app_tx_event(st->af, &t->tx, DNP3_EV_UNKNOWN_OBJECT);
    }
    if (flags & DNP3_OBJ_F_MALFORMED) {
        app_tx_event(st->af, &t->tx, DNP3_EV_MALFORMED);
    }
    if (flags & DNP3_OBJ_F_TOO_MANY_OBJECTS) {
        app_tx_event(st->af, &t->tx, DNP3_EV_TOO_MANY_OBJECTS);
    }
    if (flags & DNP3_OBJ_F_TOO_MANY_POINTS) {
        app_tx_event(st->af, &t->tx, DNP3_EV_TOO_MANY_POINTS);
    }
}

/* A whole fragment of dir is in d->frag: make its tx (confirms are not txs). */
static void fragment_done(Dnp3State *st, uint8_t dir)
{
    Dnp3Dir *d = &st->dir[dir];
    uint32_t hdr_len = dir == APP_DIR_TOSERVER ? 2 : 4;
    if (dir == APP_DIR_TOSERVER && d->frag_len >= 2 && d->frag[1] == DNP3_FC_CONFIRM) {
        return;
    }
    Dnp3Tx *t = tx_new(st, dir);
    if (t == NULL) {
        return;
    }
    if (d->frag_len < hdr_len) {
        app_tx_event(st->af, &t->tx, DNP3_EV_LEN_TOO_SMALL);
        return;
    }
    if (!app_mem_charge(st->af, d->frag_len)) {
        return;
    }
    t->data = malloc(d->frag_len);
    if (t->data == NULL) {
        app_mem_release(st->af, d->frag_len);
        return;
    }
    memcpy(t->data, d->frag, d->frag_len);
    t->data_len = d->frag_len;
    t->has_app = true;
    t->app_ctl = t->data[0];
    t->fc = t->data[1];
    if (dir == APP_DIR_TOCLIENT) {
        t->iin = util_be16(t->data + 2);
    }
    t->is_complete = true;
    parse_objects(st, t, hdr_len);
    count_flood(st, t);
}

/* The user data of one checked frame (transport header first). */
static void transport_segment(Dnp3State *st, uint8_t dir, const uint8_t *hdr,
                              const uint8_t *user, uint32_t len)
{
    Dnp3Dir *d = &st->dir[dir];
    uint8_t th = user[0];
    if (th & DNP3_TH_FIR) {
        d->frag_len = 0;
        d->in_frag = true;
        d->first_ctl = hdr[3];
        d->first_dst = util_le16(hdr + 4);
        d->first_src = util_le16(hdr + 6);
    } else if (!d->in_frag) {
        return;                  // a segment without its first: nothing to add it to
    }
    if (d->frag == NULL) {
        if (!app_mem_charge(st->af, DNP3_REASM_MAX)) {
            d->in_frag = false;
            return;
        }
        d->frag = malloc(DNP3_REASM_MAX);
        if (d->frag == NULL) {
            app_mem_release(st->af, DNP3_REASM_MAX);
            d->in_frag = false;
            return;
        }
    }
    uint32_t n = len - 1;
    if (n > DNP3_REASM_MAX - d->frag_len) {
        Dnp3Tx *t = tx_new(st, dir);
        if (t != NULL) {
            app_tx_event(st->af, &t->tx, DNP3_EV_TOO_LONG_REASSEMBLY);
        }
        frag_free(st, d);
        return;
    }
    memcpy(d->frag + d->frag_len, user + 1, n);
    d->frag_len += n;
    if (th & DNP3_TH_FIN) {
        d->in_frag = false;
        fragment_done(st, dir);
        d->frag_len = 0;
    }
}

/* Any tx to hang a framing event on: the direction's newest, else a new one. */
static void frame_event(Dnp3State *st, uint8_t dir, const uint8_t *hdr, uint32_t ev)
{
    Dnp3Dir *d = &st->dir[dir];
    d->first_ctl = hdr[3];
    d->first_dst = util_le16(hdr + 4);
    d->first_src = util_le16(hdr + 6);
    d->in_frag = false;
    d->frag_len = 0;
    Dnp3Tx *t = tx_new(st, dir);
    if (t != NULL) {
        app_tx_event(st->af, &t->tx, ev);
    }
}

/* One whole frame (size from its length byte, header CRC checked by the caller). */
static void frame_done(Dnp3State *st, uint8_t dir, const uint8_t *fr, uint32_t size)
{
    uint8_t len = fr[2];
    uint8_t ctl = fr[3];
    bool is_user = (ctl & DNP3_LINK_PRM) && ((ctl & 0x0f) == 3 || (ctl & 0x0f) == 4);
    if (!is_user) {
        return;                  // link-layer services (reset, status) carry no transport
    }
    if (len < 6) {
        frame_event(st, dir, fr, DNP3_EV_LEN_TOO_SMALL);
        return;
    }
    uint8_t user[250];
    uint32_t ulen = 0;
    for (uint32_t off = DNP3_LINK_HDR_LEN; off < size;) {
        uint32_t blk = size - off - 2 < DNP3_BLOCK_LEN ? size - off - 2 : DNP3_BLOCK_LEN;
        if (!crc_ok(fr + off, blk)) {
            frame_event(st, dir, fr, DNP3_EV_BAD_TRANSPORT_CRC);
            return;
        }
        memcpy(user + ulen, fr + off, blk);
        ulen += blk;
        off += blk + 2;
    }
    transport_segment(st, dir, fr, user, ulen);
}

/* Checks the header of the frame at fr (10 bytes available). Returns its wire size, or
 * 0 when it is to be skipped (event raised). */
static uint32_t header_check(Dnp3State *st, uint8_t dir, const uint8_t *fr)
{
    st->dir[dir].in_junk = true;     // the rest of a refused frame is not reported again
    if (!crc_ok(fr, 8)) {
        frame_event(st, dir, fr, DNP3_EV_BAD_LINK_CRC);
        return 0;
    }
    if (fr[2] < 5) {
        frame_event(st, dir, fr, DNP3_EV_LEN_TOO_SMALL);
        return 0;
    }
    st->dir[dir].in_junk = false;
    return dnp3_frame_size(fr[2]);
}

/* Skips to the next 0x05 0x64 (or a trailing 0x05); returns bytes skipped. */
static uint32_t skip_junk(Dnp3State *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    Dnp3Dir *d = &st->dir[dir];
    uint32_t i = 0;
    while (i < len && !(data[i] == 0x05 && (i + 1 == len || data[i + 1] == 0x64))) {
        i++;
    }
    if (i > 0 && !d->in_junk) {
        d->in_junk = true;
        Dnp3Tx *t = (Dnp3Tx *)app_tx_new(st->af, sizeof(Dnp3Tx));
        if (t != NULL) {
            t->dir = dir;
            t->tx.progress[0] = t->tx.progress[1] = DNP3_PROG_DONE;
            app_tx_touch(&t->tx, dir);
            app_tx_event(st->af, &t->tx, DNP3_EV_MALFORMED);
        }
    }
    return i;
}

/* TCP: frames across segments. */
static void parse_stream(Dnp3State *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    Dnp3Dir *d = &st->dir[dir];
    while (len > 0) {
        if (d->frame_len == 0) {
            uint32_t skip = skip_junk(st, dir, data, len);
            data += skip;
            len -= skip;
            if (len == 0) {
                break;
            }
            d->in_junk = false;
        }
        uint32_t need = DNP3_LINK_HDR_LEN;
        if (d->frame_len >= 2 && d->frame[1] != 0x64) {
            d->frame_len = 0;    // a 0x05 at the end of the last chunk that was not a start
            continue;
        }
        if (d->frame_len >= DNP3_LINK_HDR_LEN) {
            need = dnp3_frame_size(d->frame[2]);
        }
        uint32_t n = need - d->frame_len < len ? need - d->frame_len : len;
        memcpy(d->frame + d->frame_len, data, n);
        d->frame_len += n;
        data += n;
        len -= n;
        if (d->frame_len < need) {
            continue;
        }
        if (need == DNP3_LINK_HDR_LEN) {
            uint32_t size = header_check(st, dir, d->frame);
            if (size == 0) {
                d->frame_len = 0;
            } else if (size == DNP3_LINK_HDR_LEN) {
                frame_done(st, dir, d->frame, size);
                d->frame_len = 0;
            }
            continue;
        }
        frame_done(st, dir, d->frame, need);
        d->frame_len = 0;
    }
}

/* UDP: whole frames in one datagram. */
static void parse_datagram(Dnp3State *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    while (len > 0) {
        uint32_t skip = skip_junk(st, dir, data, len);
        data += skip;
        len -= skip;
        if (len == 0) {
            return;
        }
        if (len < DNP3_LINK_HDR_LEN) {
            frame_event(st, dir, (const uint8_t[8]){0}, DNP3_EV_LEN_TOO_SMALL);
            return;
        }
        uint32_t size = header_check(st, dir, data);
        if (size == 0 || size > len) {
            if (size > len) {
                frame_event(st, dir, data, DNP3_EV_LEN_TOO_SMALL);
            }
            return;
        }
        frame_done(st, dir, data, size);
        st->dir[dir].in_junk = false;
        data += size;
        len -= size;
    }
}

static int dnp3_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    Dnp3State *st = state;
    if (st->is_tcp) {
        parse_stream(st, dir, data, len);
    } else {
        parse_datagram(st, dir, data, len);
    }
    return APP_PARSE_OK;
}

/* A gap: the frame and fragment in progress are lost; the next 0x05 0x64 resyncs. */
static int dnp3_gap_len(AppFlow *af, void *state, uint8_t dir, uint32_t len)
{
    (void)af;
    (void)len;
    Dnp3State *st = state;
    st->dir[dir].frame_len = 0;
    st->dir[dir].in_frag = false;
    st->dir[dir].frag_len = 0;
    return APP_PARSE_OK;
}

static void dnp3_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    Dnp3State *st = state;
    frag_free(st, &st->dir[dir]);
}

/* ---- detection and config ---- */

/* A link header with a good CRC (and, with fewer bytes, the start bytes). */
static int dnp3_probe(const uint8_t *data, uint32_t len, uint8_t dir)
{
    (void)dir;
    if (len >= 1 && data[0] != 0x05) {
        return APP_PROBE_NO;
    }
    if (len >= 2 && data[1] != 0x64) {
        return APP_PROBE_NO;
    }
    if (len < DNP3_LINK_HDR_LEN) {
        return APP_PROBE_MORE;
    }
    return crc_ok(data, 8) && data[2] >= 5 ? APP_PROBE_YES : APP_PROBE_NO;
}

static int config_u32(const struct Conf *conf, const char *key, uint32_t dflt, uint32_t *out)
{
    bool bad = false;
    int64_t v = conf_int_or(conf, key, dflt, &bad);
    if (bad || v < 0 || v > 0xffffffffLL) {
        VG_ERROR("%s: expected a number 0..4294967295", key);
        return VG_EINVAL;
    }
    *out = (uint32_t)v;
    return 0;
}

static int dnp3_config(const struct Conf *conf)
{
    if (config_u32(conf, "app-layer.protocols.dnp3.max-points", DNP3_DEFAULT_MAX_POINTS,
                   &g_max_points) != 0 ||
        config_u32(conf, "app-layer.protocols.dnp3.max-objects", DNP3_DEFAULT_MAX_OBJECTS,
                   &g_max_objects) != 0 ||
        config_u32(conf, "app-layer.protocols.dnp3.request-flood", DNP3_DEFAULT_FLOOD,
                   &g_flood) != 0) {
        return VG_EINVAL;
    }
    return 0;
}

/* ---- buffers ---- */

/* dnp3.data / dnp3_data: the application fragment (transport headers and CRCs removed). */
static bool get_data(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len,
                     uint8_t dir)
{
    (void)f;
    const Dnp3Tx *t = dnp3_tx(tx);
    if (t == NULL || t->dir != dir || t->data == NULL) {
        return false;
    }
    *data = t->data;
    *len = t->data_len;
    return true;
}

static bool get_data_ts(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    return get_data(f, tx, data, len, APP_DIR_TOSERVER);
}

static bool get_data_tc(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    return get_data(f, tx, data, len, APP_DIR_TOCLIENT);
}

const AppBufferDef dnp3_buffers[] = {
    {.name = "dnp3.data", .proto = APP_PROTO_DNP3, .dir = APP_DIR_TOSERVER,
     .progress = DNP3_PROG_DONE, .get = get_data_ts},
    {.name = "dnp3.data", .proto = APP_PROTO_DNP3, .dir = APP_DIR_TOCLIENT,
     .progress = DNP3_PROG_DONE, .get = get_data_tc},
};

void dnp3_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);

const AppParserDesc app_parser_dnp3 = {
    .name = "dnp3",
    .proto = APP_PROTO_DNP3,
    .ipproto = 0,                // TCP and UDP
    .first_dir = APP_DIR_TOSERVER,
    .any_first_dir = true,       // outstations send unsolicited responses
    .default_ports = "20000",
    /* no patterns: the probe checks the header CRC, 0x05 0x64 alone is too weak */
    .probe = dnp3_probe,
    .config = dnp3_config,
    .state_new = dnp3_state_new,
    .state_free = dnp3_state_free,
    .parse = dnp3_parse,
    .gap_len = dnp3_gap_len,
    .eof = dnp3_eof,
    .tx_free = dnp3_tx_free,
    .complete = {DNP3_PROG_DONE, DNP3_PROG_DONE},
    .events = dnp3_event_names,
    .n_events = DNP3_EV_N,
    .buffers = dnp3_buffers,
    .n_buffers = sizeof(dnp3_buffers) / sizeof(dnp3_buffers[0]),
    .log_json = dnp3_log_json,
    .eve_generic = true,         // records by output-eve-generic.c
};
