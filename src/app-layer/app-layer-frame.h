#ifndef VG_APP_LAYER_APP_LAYER_FRAME_H
#define VG_APP_LAYER_APP_LAYER_FRAME_H

/* Frames (Suricata 7+): typed ranges of a direction's app-layer stream that parsers mark
 * as they parse (a PDU, its header, its data, a request line...), for the `frame` rule
 * keyword and the alert's EVE `frame` object. Offsets count the bytes of the direction
 * handed to the parser (TCP: the stream offset; UDP: datagrams one after the other).
 *
 * Who calls what: parsers mark frames (app_frame_new*, app-layer-internal.h callers, in
 * their parse callback); detect reads them on packets of their direction (caller holds
 * f->lock) and marks them inspected; the app-layer frees a frame once it is ready and
 * inspected (or has no rules), at the start of a later packet of the flow. Frames are
 * recorded only for frame types some rule uses (app_layer_frame_type_set_wanted), so a
 * flow without frame rules pays nothing. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

struct JsonBuf;

/* Frames per direction of a flow at most; more are refused (counted). */
#define APP_FRAMES_MAX 512u
/* Bytes of a direction kept for its frames at most (charged to the protocol's memcap);
 * a frame reaching past it is inspected with what was kept. */
#define APP_FRAME_WINDOW_MAX (1024u * 1024u)
/* Bytes of frame data an alert's frame object logs at most (Suricata's 4 KiB payload
 * buffer, of which one byte is its terminator). */
#define APP_FRAME_LOG_MAX 4095u

enum {
    APP_FRAME_F_TX_ID = 1u << 0,     // tx_id is set
    APP_FRAME_F_INSPECTED = 1u << 1, // detect is done with it
    APP_FRAME_F_GAP = 1u << 2,       // data missing inside it: its bytes end at data_end
    APP_FRAME_F_NO_DATA = 1u << 3,   // its start was not kept (window overflow)
};

typedef struct AppFrame {
    uint64_t id;                 // per flow, from 1, in marking order
    uint64_t offset;             // first byte
    int64_t len;                 // -1: not known (yet)
    uint64_t tx_id;              // APP_FRAME_F_TX_ID
    uint64_t data_end;           // APP_FRAME_F_GAP: where its contiguous bytes end
    uint8_t *seal;               // APP_FRAME_F_GAP: its bytes before the gap (owned)
    uint32_t seal_len;
    uint16_t type;               // global frame type id (app_layer_frame_type_*)
    uint8_t dir;                 // APP_DIR_*
    uint8_t flags;               // APP_FRAME_F_*
} AppFrame;

/* ---- frame types: one table for all protocols, built from the parser rows' names ---- */

/* Global id of protocol p's frame type name ("pdu", "smb2.hdr", "request.line"); the
 * name "stream" is not a type of ours. VG_ENOENT when p has no such type. */
int app_layer_frame_type_find(AppProto p, const char *name);
uint32_t app_layer_frame_type_count(void);
AppProto app_layer_frame_type_proto(int id);
const char *app_layer_frame_type_name(int id);      // "request.line"; NULL for a bad id
const char *app_layer_frame_type_full_name(int id); // "sip.request.line"
/* Detect says which types rules inspect (start-up and rule reloads): only those are
 * recorded. */
void app_layer_frame_type_set_wanted(int id, bool wanted);
bool app_layer_frame_type_wanted(int id);

/* ---- frames of a flow (caller holds f->lock) ---- */

uint32_t app_layer_frame_count(const Flow *f, uint8_t dir);
AppFrame *app_layer_frame_at(const Flow *f, uint8_t dir, uint32_t idx);
AppFrame *app_layer_frame_by_id(const Flow *f, uint8_t dir, uint64_t id);
/* Whether fr is to be inspected now: its bytes are all there (or missing for good: gap,
 * window limit), or its direction ended. */
bool app_layer_frame_ready(const Flow *f, const AppFrame *fr);
/* The frame's bytes from its start, up to its end or the first byte missing. False
 * when none are kept. Valid until the app layer next runs for the flow. */
bool app_layer_frame_data(const Flow *f, const AppFrame *fr, const uint8_t **data,
                          uint32_t *len);
/* Writes the "frame" object of the alert (type, id, direction, stream_offset, length,
 * complete, payload, payload_printable, tx_id) into jb. False when the frame is gone. */
bool app_layer_frame_log_json(const Flow *f, uint8_t dir, uint64_t id, struct JsonBuf *jb);

#endif
