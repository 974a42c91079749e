#include "app-layer/app-layer-frame.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "util/util-error.h"
#include "util/util-json.h"

/* ---- the type table ----------------------------------------------------- */

#define FRAME_TYPES_MAX 512u
#define FRAME_NAME_MAX 64u

typedef struct FrameTypeDef {
    AppProto proto;
    const char *name;            // the row's string
    char full[FRAME_NAME_MAX];   // "<proto>.<name>"
} FrameTypeDef;

static FrameTypeDef g_types[FRAME_TYPES_MAX];
static uint32_t g_n_types;
static uint16_t g_first[APP_PROTO_MAX];     // first global id of a protocol's types
static _Atomic bool g_wanted[FRAME_TYPES_MAX];
static _Atomic uint32_t g_proto_wanted[APP_PROTO_MAX];  // wanted types per protocol
static pthread_once_t g_types_once = PTHREAD_ONCE_INIT;

static CounterId g_c_refused;   // frames refused: APP_FRAMES_MAX reached in a direction
static CounterId g_c_truncated; // frames whose data passed APP_FRAME_WINDOW_MAX or the memcap

static void types_build(void)
{
    uint32_t n_rows = app_parser_count();
    for (uint32_t i = 0; i < n_rows; i++) {
        const AppParserDesc *row = app_parser_at(i);
        if (row == NULL || row->proto >= APP_PROTO_MAX) {
            continue;
        }
        g_first[row->proto] = (uint16_t)g_n_types;
        for (uint32_t t = 0; t < row->n_frame_types && g_n_types < FRAME_TYPES_MAX; t++) {
            FrameTypeDef *d = &g_types[g_n_types++];
            d->proto = row->proto;
            d->name = row->frame_types[t];
            snprintf(d->full, sizeof(d->full), "%s.%s", row->name, d->name);
        }
    }
}

static void types_ensure(void)
{
    pthread_once(&g_types_once, types_build);
}

int app_layer_frame_type_find(AppProto p, const char *name)
{
    types_ensure();
    for (uint32_t i = 0; i < g_n_types; i++) {
        if (g_types[i].proto == p && strcmp(g_types[i].name, name) == 0) {
            return (int)i;
        }
    }
    return VG_ENOENT;
}

uint32_t app_layer_frame_type_count(void)
{
    types_ensure();
    return g_n_types;
}

AppProto app_layer_frame_type_proto(int id)
{
    types_ensure();
    return id >= 0 && (uint32_t)id < g_n_types ? g_types[id].proto : APP_PROTO_UNKNOWN;
}

const char *app_layer_frame_type_name(int id)
{
    types_ensure();
    return id >= 0 && (uint32_t)id < g_n_types ? g_types[id].name : NULL;
}

const char *app_layer_frame_type_full_name(int id)
{
    types_ensure();
    return id >= 0 && (uint32_t)id < g_n_types ? g_types[id].full : NULL;
}

void app_layer_frame_type_set_wanted(int id, bool wanted)
{
    types_ensure();
    if (id < 0 || (uint32_t)id >= g_n_types) {
        return;
    }
    bool was = atomic_exchange(&g_wanted[id], wanted);
    if (was != wanted) {
        AppProto p = g_types[id].proto;
        if (wanted) {
            atomic_fetch_add(&g_proto_wanted[p], 1);
        } else {
            atomic_fetch_sub(&g_proto_wanted[p], 1);
        }
    }
}

bool app_layer_frame_type_wanted(int id)
{
    return id >= 0 && (uint32_t)id < FRAME_TYPES_MAX &&
           atomic_load_explicit(&g_wanted[id], memory_order_relaxed);
}

void app_frames_counters_register(void)
{
    g_c_refused = counters_register("app_layer.frames.refused", COUNTER_SUM);
    g_c_truncated = counters_register("app_layer.frames.truncated", COUNTER_SUM);
}

/* ---- per flow ----------------------------------------------------------- */

typedef struct AppFrameDir {
    AppFrame *v;                 // live frames, in marking order
    uint32_t n;
    uint32_t cap;
    uint8_t *win;                // bytes [base, base + win_len) of the direction
    uint32_t win_len;
    uint32_t win_cap;
    uint64_t base;
    uint64_t pos;                // offset of the next byte handed to the parser
    uint64_t chunk_off;          // offset of the first byte of the chunk being parsed
    uint64_t full_at;            // window stopped growing here (UINT64_MAX: it did not)
    bool ended;                  // no more data in this direction
} AppFrameDir;

struct AppFrames {
    AppFrameDir d[2];
    uint64_t next_id;
};

static bool proto_wanted(const AppFlow *af)
{
    return af->row != NULL && af->row->proto < APP_PROTO_MAX &&
           atomic_load_explicit(&g_proto_wanted[af->row->proto], memory_order_relaxed) > 0;
}

static AppFrames *frames_get(AppFlow *af)
{
    if (af->frames == NULL) {
        if (!app_mem_charge(af, sizeof(AppFrames))) {
            return NULL;
        }
        af->frames = calloc(1, sizeof(AppFrames));
        if (af->frames == NULL) {
            app_mem_release(af, sizeof(AppFrames));
            return NULL;
        }
        for (int d = 0; d < 2; d++) {
            /* Created after the flow's start (rules with frames came by a reload):
             * offsets go on from what the parser has had so far. */
            AppFrameDir *fd = &af->frames->d[d];
            fd->pos = fd->base = fd->chunk_off = af->parsed_off[d];
            fd->full_at = UINT64_MAX;
        }
        af->frames->next_id = 1;
    }
    return af->frames;
}

static const AppFrames *frames_of_flow(const Flow *f)
{
    const AppFlow *af = app_flow_get(f);
    return af != NULL ? af->frames : NULL;
}

static uint64_t frame_end(const AppFrame *fr)
{
    return fr->len >= 0 ? fr->offset + (uint64_t)fr->len : UINT64_MAX;
}

static void frame_release(AppFlow *af, AppFrame *fr)
{
    if (fr->seal != NULL) {
        free(fr->seal);
        app_mem_release(af, fr->seal_len);
        fr->seal = NULL;
    }
}

void app_frames_free(AppFlow *af)
{
    AppFrames *fs = af->frames;
    if (fs == NULL) {
        return;
    }
    for (uint8_t d = 0; d < 2; d++) {
        AppFrameDir *fd = &fs->d[d];
        for (uint32_t i = 0; i < fd->n; i++) {
            frame_release(af, &fd->v[i]);
        }
        free(fd->v);
        app_mem_release(af, (uint64_t)fd->cap * sizeof(AppFrame));
        app_mem_free(af, &fd->win, &fd->win_cap);
    }
    free(fs);
    app_mem_release(af, sizeof(AppFrames));
    af->frames = NULL;
}

/* Append the chunk the parser is about to see (it starts at fd->pos). */
static void window_append(AppFlow *af, AppFrameDir *fd, const uint8_t *data, uint32_t len)
{
    if (fd->full_at != UINT64_MAX) {
        return;
    }
    uint64_t need = (uint64_t)fd->win_len + len;
    if (need > APP_FRAME_WINDOW_MAX) {
        fd->full_at = fd->base + fd->win_len;
        app_count(g_c_truncated, 1);
        return;
    }
    if (need > fd->win_cap) {
        uint64_t nc = fd->win_cap ? fd->win_cap : 4096;
        while (nc < need) {
            nc *= 2;
        }
        nc = nc > APP_FRAME_WINDOW_MAX ? APP_FRAME_WINDOW_MAX : nc;
        if (!app_mem_grow(af, &fd->win, &fd->win_cap, (uint32_t)nc)) {
            fd->full_at = fd->base + fd->win_len;
            app_count(g_c_truncated, 1);
            return;
        }
    }
    memcpy(fd->win + fd->win_len, data, len);
    fd->win_len += len;
}

void app_frames_data(AppFlow *af, uint8_t dir, const uint8_t *data, uint32_t len)
{
    if (af->frames == NULL && !proto_wanted(af)) {
        return;
    }
    AppFrames *fs = frames_get(af);
    if (fs == NULL || dir > 1) {
        return;
    }
    AppFrameDir *fd = &fs->d[dir];
    if (fd->n == 0 && fd->win_len == 0) {
        fd->base = fd->pos;       // nothing kept: start the window here
    }
    fd->chunk_off = fd->pos;
    if (proto_wanted(af)) {
        window_append(af, fd, data, len);
    }
    fd->pos += len;
}

uint64_t app_frame_chunk_offset(const AppFlow *af, uint8_t dir)
{
    return af->frames != NULL && dir < 2 ? af->frames->d[dir].chunk_off : 0;
}

/* A copy of fr's bytes before a gap, so the window can restart after it. */
static void frame_seal(AppFlow *af, AppFrameDir *fd, AppFrame *fr, uint64_t gap_at)
{
    if (fr->flags & (APP_FRAME_F_GAP | APP_FRAME_F_NO_DATA)) {
        return;
    }
    uint64_t kept_end = fd->base + fd->win_len;
    uint64_t end = frame_end(fr);
    end = end < kept_end ? end : kept_end;
    if (fr->offset < fd->base || fr->offset >= end) {
        if (fr->offset < fd->base || frame_end(fr) > gap_at) {
            fr->flags |= APP_FRAME_F_NO_DATA;
        }
        return;
    }
    uint32_t n = (uint32_t)(end - fr->offset);
    if (app_mem_charge(af, n) && (fr->seal = malloc(n)) != NULL) {
        memcpy(fr->seal, fd->win + (fr->offset - fd->base), n);
        fr->seal_len = n;
    } else if (fr->seal == NULL) {
        fr->flags |= APP_FRAME_F_NO_DATA;
        return;
    }
    fr->flags |= APP_FRAME_F_GAP;
    fr->data_end = fr->offset + n;
}

void app_frames_gap(AppFlow *af, uint8_t dir, uint32_t len)
{
    AppFrames *fs = af->frames;
    if (fs == NULL || dir > 1) {
        return;
    }
    AppFrameDir *fd = &fs->d[dir];
    for (uint32_t i = 0; i < fd->n; i++) {
        frame_seal(af, fd, &fd->v[i], fd->pos);
    }
    fd->pos += len;
    fd->win_len = 0;
    fd->base = fd->pos;
    fd->full_at = UINT64_MAX;
}

void app_frames_eof(AppFlow *af, uint8_t dir)
{
    if (af->frames != NULL && dir < 2) {
        af->frames->d[dir].ended = true;
    }
}

uint64_t app_frame_new(AppFlow *af, uint8_t dir, uint64_t offset, int64_t len,
                       uint16_t local_type)
{
    if (af->row == NULL || local_type >= af->row->n_frame_types || dir > 1) {
        return 0;
    }
    types_ensure();
    int id = (int)g_first[af->row->proto] + local_type;
    if (!app_layer_frame_type_wanted(id)) {
        return 0;
    }
    AppFrames *fs = frames_get(af);
    if (fs == NULL) {
        return 0;
    }
    AppFrameDir *fd = &fs->d[dir];
    if (fd->n == fd->cap) {
        if (fd->cap >= APP_FRAMES_MAX) {
            app_count(g_c_refused, 1);
            return 0;
        }
        uint32_t nc = fd->cap ? fd->cap * 2 : 8;
        nc = nc > APP_FRAMES_MAX ? APP_FRAMES_MAX : nc;
        if (!app_mem_charge(af, (uint64_t)(nc - fd->cap) * sizeof(AppFrame))) {
            return 0;
        }
        AppFrame *v = realloc(fd->v, nc * sizeof(AppFrame));
        if (v == NULL) {
            app_mem_release(af, (uint64_t)(nc - fd->cap) * sizeof(AppFrame));
            return 0;
        }
        fd->v = v;
        fd->cap = nc;
    }
    AppFrame *fr = &fd->v[fd->n++];
    *fr = (AppFrame){ .id = fs->next_id++, .offset = offset, .len = len < 0 ? -1 : len,
                      .type = (uint16_t)id, .dir = dir };
    if (offset < fd->base || (fd->full_at != UINT64_MAX && offset >= fd->full_at)) {
        fr->flags |= APP_FRAME_F_NO_DATA;   // its start was not kept
    }
    return fr->id;
}

static AppFrame *find(AppFrames *fs, uint8_t dir, uint64_t id)
{
    if (fs == NULL || dir > 1 || id == 0) {
        return NULL;
    }
    AppFrameDir *fd = &fs->d[dir];
    for (uint32_t i = fd->n; i > 0; i--) {
        if (fd->v[i - 1].id == id) {
            return &fd->v[i - 1];
        }
    }
    return NULL;
}

void app_frame_set_len(AppFlow *af, uint8_t dir, uint64_t id, int64_t len)
{
    AppFrame *fr = find(af->frames, dir, id);
    if (fr != NULL) {
        fr->len = len < 0 ? -1 : len;
    }
}

void app_frame_set_end(AppFlow *af, uint8_t dir, uint64_t id, uint64_t end)
{
    AppFrame *fr = find(af->frames, dir, id);
    if (fr != NULL && end >= fr->offset) {
        fr->len = (int64_t)(end - fr->offset);
    }
}

void app_frame_set_tx(AppFlow *af, uint8_t dir, uint64_t id, uint64_t tx_id)
{
    AppFrame *fr = find(af->frames, dir, id);
    if (fr != NULL) {
        fr->tx_id = tx_id;
        fr->flags |= APP_FRAME_F_TX_ID;
    }
}

static bool ready(const AppFrameDir *fd, const AppFrame *fr)
{
    uint64_t end = frame_end(fr);
    return fd->ended || (fr->len >= 0 && fd->pos >= end) ||
           (fd->full_at != UINT64_MAX && end > fd->full_at);
}

/* Frees the frames detect is done with (or that no rule wants any more), then the
 * window up to the oldest byte still needed. A short tail stays: a parser may mark a
 * frame at the start of a header it buffered over the previous chunks. */
#define FRAME_TAIL_KEEP 4096u

void app_frames_prune(AppFlow *af)
{
    AppFrames *fs = af->frames;
    if (fs == NULL) {
        return;
    }
    for (uint8_t d = 0; d < 2; d++) {
        AppFrameDir *fd = &fs->d[d];
        uint32_t keep = 0;
        uint64_t low = fd->pos > FRAME_TAIL_KEEP ? fd->pos - FRAME_TAIL_KEEP : 0;
        for (uint32_t i = 0; i < fd->n; i++) {
            AppFrame *fr = &fd->v[i];
            bool done = ready(fd, fr) && ((fr->flags & APP_FRAME_F_INSPECTED) ||
                                          !app_layer_frame_type_wanted(fr->type));
            if (done) {
                frame_release(af, fr);
                continue;
            }
            if (!(fr->flags & (APP_FRAME_F_GAP | APP_FRAME_F_NO_DATA)) && fr->offset < low) {
                low = fr->offset;
            }
            fd->v[keep++] = *fr;
        }
        fd->n = keep;
        if (fd->full_at != UINT64_MAX && fd->n == 0) {
            fd->win_len = 0;          // the overflow is over: start again here
            fd->base = fd->pos;
            fd->full_at = UINT64_MAX;
            continue;
        }
        low = low < fd->base ? fd->base : low;
        uint64_t drop = low - fd->base;
        if (drop >= fd->win_len) {
            fd->win_len = 0;
            fd->base = fd->full_at == UINT64_MAX ? fd->pos : low;
        } else if (drop >= FRAME_TAIL_KEEP) {
            memmove(fd->win, fd->win + drop, fd->win_len - drop);
            fd->win_len -= (uint32_t)drop;
            fd->base = low;
        }
    }
}

/* ---- queries ------------------------------------------------------------ */

uint32_t app_layer_frame_count(const Flow *f, uint8_t dir)
{
    const AppFrames *fs = frames_of_flow(f);
    return fs != NULL && dir < 2 ? fs->d[dir].n : 0;
}

AppFrame *app_layer_frame_at(const Flow *f, uint8_t dir, uint32_t idx)
{
    const AppFrames *fs = frames_of_flow(f);
    return fs != NULL && dir < 2 && idx < fs->d[dir].n ? &fs->d[dir].v[idx] : NULL;
}

AppFrame *app_layer_frame_by_id(const Flow *f, uint8_t dir, uint64_t id)
{
    return find((AppFrames *)frames_of_flow(f), dir, id);
}

bool app_layer_frame_ready(const Flow *f, const AppFrame *fr)
{
    const AppFrames *fs = frames_of_flow(f);
    return fs != NULL && fr->dir < 2 && ready(&fs->d[fr->dir], fr);
}

bool app_layer_frame_data(const Flow *f, const AppFrame *fr, const uint8_t **data,
                          uint32_t *len)
{
    const AppFrames *fs = frames_of_flow(f);
    if (fs == NULL || fr->dir > 1 || (fr->flags & APP_FRAME_F_NO_DATA)) {
        return false;
    }
    if (fr->flags & APP_FRAME_F_GAP) {
        *data = fr->seal;
        *len = fr->seal_len;
        return fr->seal != NULL;
    }
    const AppFrameDir *fd = &fs->d[fr->dir];
    uint64_t kept_end = fd->base + fd->win_len;
    uint64_t end = frame_end(fr);
    end = end < kept_end ? end : kept_end;
    if (fr->offset < fd->base || fr->offset > end) {
        return false;
    }
    *data = fd->win + (fr->offset - fd->base);
    *len = (uint32_t)(end - fr->offset);
    return true;
}

/* Appends at most room bytes; returns what was written. */
static uint32_t put(uint8_t *buf, uint32_t *n, const uint8_t *src, uint32_t len)
{
    uint32_t room = APP_FRAME_LOG_MAX - *n;
    uint32_t w = len < room ? len : room;
    memcpy(buf + *n, src, w);
    *n += w;
    return w;
}

bool app_layer_frame_log_json(const Flow *f, uint8_t dir, uint64_t id, JsonBuf *jb)
{
    const AppFrames *fs = frames_of_flow(f);
    const AppFrame *fr = find((AppFrames *)fs, dir, id);
    if (fr == NULL) {
        return false;
    }
    const AppFrameDir *fd = &fs->d[dir];
    bool is_tcp = f->key.proto == 6;
    json_open_object(jb, "frame");
    json_str(jb, "type", app_layer_frame_type_name(fr->type));
    json_u64(jb, "id", fr->id);
    json_str(jb, "direction", dir == APP_DIR_TOSERVER ? "toserver" : "toclient");
    if (is_tcp) {
        json_u64(jb, "stream_offset", fr->offset);
    }
    uint64_t length = fr->len >= 0 ? (uint64_t)fr->len
                                   : (fd->pos > fr->offset ? fd->pos - fr->offset : 0);
    json_u64(jb, "length", length);
    bool complete = fr->len >= 0 && fd->pos >= frame_end(fr);
    static _Thread_local uint8_t buf[APP_FRAME_LOG_MAX];
    uint32_t n = 0;
    const uint8_t *data;
    uint32_t dlen;
    if (app_layer_frame_data(f, fr, &data, &dlen)) {
        put(buf, &n, data, dlen);
    }
    /* as Suricata: bytes from the first one missing to the frame's end are reported
     * missing, once the stream went past the frame */
    if ((fr->flags & APP_FRAME_F_GAP) && complete && frame_end(fr) > fr->data_end) {
        char gap[48];
        int g = snprintf(gap, sizeof(gap), "[%llu bytes missing]",
                         (unsigned long long)(frame_end(fr) - fr->data_end));
        put(buf, &n, (const uint8_t *)gap, (uint32_t)g);
    }
    if (n > 0) {
        json_base64(jb, "payload", buf, n);
        json_printable(jb, "payload_printable", buf, n);
    }
    json_bool(jb, "complete", is_tcp ? complete : true);
    if (fr->flags & APP_FRAME_F_TX_ID) {
        json_u64(jb, "tx_id", fr->tx_id);
    }
    json_close_object(jb);
    return true;
}
