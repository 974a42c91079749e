#ifndef VG_APP_LAYER_DNP3_APP_LAYER_DNP3_H
#define VG_APP_LAYER_DNP3_APP_LAYER_DNP3_H

/* DNP3 (IEEE 1815) over TCP and UDP (port 20000): link-layer frames with a CRC per
 * block, transport-layer reassembly into application fragments, and the application
 * layer (function code, internal indications, objects and their points). One
 * transaction per application fragment, living in the direction it travelled
 * (toserver: request, toclient: response or unsolicited response), complete once
 * parsed. Details: src/app-layer/dnp3/README.md. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define DNP3_LINK_HDR_LEN 10             // start(2) len ctl dst(2) src(2) crc(2)
#define DNP3_BLOCK_LEN 16                // user data bytes per CRC block
#define DNP3_REASM_MAX (63u * 255u)      // bytes of a fragment: 64 transport sequence
                                         // numbers of at most 255 bytes, as Suricata bounds it
#define DNP3_DEFAULT_MAX_POINTS 16384    // points per message (max-points)
#define DNP3_DEFAULT_MAX_OBJECTS 2048    // objects per message (max-objects)
#define DNP3_DEFAULT_FLOOD 32            // unanswered requests before "flooded"

enum { DNP3_PROG_DONE = 1 };

enum {
    DNP3_EV_FLOODED = 0,
    DNP3_EV_LEN_TOO_SMALL,
    DNP3_EV_BAD_LINK_CRC,
    DNP3_EV_BAD_TRANSPORT_CRC,
    DNP3_EV_MALFORMED,
    DNP3_EV_UNKNOWN_OBJECT,
    DNP3_EV_TOO_MANY_POINTS,
    DNP3_EV_TOO_MANY_OBJECTS,
    DNP3_EV_TOO_LONG_REASSEMBLY,
    DNP3_EV_N,
};

/* Application function codes used by the parser. */
enum {
    DNP3_FC_CONFIRM = 0,
    DNP3_FC_RESPONSE = 129,
    DNP3_FC_UNSOLICITED = 130,
};

/* One object header of a message; its points are decoded from the fragment on demand
 * (dnp3_points_walk), so a message costs one copy of its bytes plus these. */
typedef struct Dnp3Object {
    uint8_t group;
    uint8_t variation;
    uint8_t qualifier;
    uint32_t start;
    uint32_t stop;
    uint32_t count;              // points announced (range or quantity)
    uint32_t data_off;           // offset of the points in the fragment
    uint32_t data_len;           // bytes of the points (0: none, or not decoded)
    bool has_points;             // the points were walked successfully at parse time
} Dnp3Object;

typedef struct Dnp3Tx {
    AppTx tx;
    uint8_t dir;                 // APP_DIR_* the message travelled in
    bool is_complete;            // the fragment was whole (FIR..FIN) and parsed
    bool has_app;                // application header present (fc, app control)
    /* link header of the fragment's first frame */
    uint8_t link_ctl;
    uint16_t src;
    uint16_t dst;
    /* application layer */
    uint8_t app_ctl;
    uint8_t fc;
    uint16_t iin;                // IIN1 << 8 | IIN2 (responses)
    uint8_t *data;               // the fragment (transport headers and CRCs removed)
    uint32_t data_len;
    Dnp3Object *objects;
    uint32_t n_objects;
} Dnp3Tx;

/* CRC of DNP3 (polynomial 0x3D65, reflected, complemented), as sent little-endian. */
uint16_t dnp3_crc(const uint8_t *p, size_t len);
/* Bytes a whole link frame of header length byte len takes on the wire (with CRCs). */
uint32_t dnp3_frame_size(uint8_t len);

/* Parses the object headers of a fragment's object part (p: after the application
 * header; base_off: its offset in the fragment) into a malloc'ed array; with_data:
 * the message carries points (not a read or freeze request). Stops at the
 * first unknown object or malformed header (flags say which), at max_objects objects
 * or once more than max_points points were announced. Returns the objects parsed. */
enum {
    DNP3_OBJ_F_UNKNOWN = 1u << 0,
    DNP3_OBJ_F_MALFORMED = 1u << 1,
    DNP3_OBJ_F_TOO_MANY_OBJECTS = 1u << 2,
    DNP3_OBJ_F_TOO_MANY_POINTS = 1u << 3,
    DNP3_OBJ_F_NOMEM = 1u << 4,
};
uint32_t dnp3_objects_parse(const uint8_t *p, uint32_t len, uint32_t base_off,
                            bool with_data, uint32_t max_objects, uint32_t max_points,
                            Dnp3Object **out, uint32_t *flags);
/* Whether a request of function code fc carries point data after its object headers. */
bool dnp3_fc_has_data(uint8_t fc, uint8_t dir);

/* Walks the points of obj in frag, calling fn for each with its prefix value, index
 * and bytes (for packed objects: the point's bit value in *bits). */
typedef struct Dnp3Point {
    uint32_t prefix;
    uint32_t index;
    const uint8_t *p;            // the point's bytes (fixed or prefixed size); NULL packed
    uint32_t len;
    uint8_t bits;                // packed objects (1 or 2 bits per point)
} Dnp3Point;
typedef void (*Dnp3PointFn)(const Dnp3Object *obj, const Dnp3Point *pt, void *user);
bool dnp3_points_walk(const uint8_t *frag, uint32_t frag_len, const Dnp3Object *obj,
                      Dnp3PointFn fn, void *user);
/* Writes the named fields of a point (Suricata's names) into an open JSON object. */
void dnp3_point_log(const Dnp3Object *obj, const Dnp3Point *pt, JsonBuf *jb);

/* Name tables for keywords and EVE. */
const char *dnp3_iin_name(uint32_t bit);          // bit 0..15 of Dnp3Tx.iin (IIN1 << 8)
int dnp3_iin_by_name(const char *name);          // bit or -1
int dnp3_fc_by_name(const char *name);           // code or -1

/* For detect and output: the dnp3 part of tx, NULL when tx is not DNP3. */
const Dnp3Tx *dnp3_tx(const AppTx *tx);

extern const AppBufferDef dnp3_buffers[];
extern const char *const dnp3_event_names[];

#endif
