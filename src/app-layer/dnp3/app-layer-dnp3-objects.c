/* DNP3 application objects (IEEE 1815 section 4.3 and the object library, annex A):
 * object headers (group, variation, qualifier: prefix code and range code), the size
 * of each known object's points, and the named fields of their points as Suricata's
 * EVE writes them. Every read is bounds-checked; an object this table does not know
 * stops the message's object list (its points cannot be skipped). */
#include "app-layer/dnp3/app-layer-dnp3.h"

#include <stdlib.h>
#include <string.h>

#include "util/util-byte.h"

enum {
    OBJ_FIXED = 0,               // size bytes per point
    OBJ_PACKED1,                 // one bit per point
    OBJ_PACKED2,                 // two bits per point
    OBJ_NONE,                    // no point data (class data, g60)
    OBJ_PREFIXED,                // size of each point from a size prefix (g70)
    OBJ_VARLEN,                  // size = the variation (octet strings, g110-g113)
};

typedef struct ObjDef {
    uint8_t group;
    uint8_t variation;           // 0: any variation (OBJ_VARLEN)
    uint8_t kind;
    uint8_t size;
    const char *spec;            // fields of a point (see point_fields); NULL: none named
} ObjDef;

/* Flag octets: bits 0..4 are common, 5..7 depend on the object type. */
#define FLAGS5 "u8:_ b0:online b1:restart b2:comm_lost b3:remote_forced b4:local_forced "
#define F_BIN FLAGS5 "b5:chatter_filter b6:reserved b7:state"
#define F_DBL FLAGS5 "b5:chatter_filter b6.2:state"
#define F_BOUT FLAGS5 "b5:reserved0 b6:reserved1 b7:state"
#define F_CNT FLAGS5 "b5:rollover b6:discontinuity b7:reserved0"
#define F_ANA FLAGS5 "b5:over_range b6:reference_err b7:reserved0"
#define F_STAT "u8:_ b0.7:status_code b7:reserved"
#define F_CMD "u8:_ b0.7:status_code b7:commanded_state"

static const ObjDef k_objs[] = {
    {1, 1, OBJ_PACKED1, 0, "bit:state"},
    {1, 2, OBJ_FIXED, 1, F_BIN},
    {2, 1, OBJ_FIXED, 1, "u8:state"},   // the whole octet, as Suricata writes it
    {2, 2, OBJ_FIXED, 7, F_BIN " u48:timestamp"},
    {2, 3, OBJ_FIXED, 3, F_BIN " u16:timestamp"},
    {3, 1, OBJ_PACKED2, 0, "bit:state"},
    {3, 2, OBJ_FIXED, 1, F_DBL},
    {4, 1, OBJ_FIXED, 1, F_DBL},
    {4, 2, OBJ_FIXED, 7, F_DBL " u48:timestamp"},
    {4, 3, OBJ_FIXED, 3, F_DBL " u16:timestamp"},
    {10, 1, OBJ_PACKED1, 0, "bit:state"},
    {10, 2, OBJ_FIXED, 1, F_BOUT},
    {11, 1, OBJ_FIXED, 1, F_BOUT},
    {11, 2, OBJ_FIXED, 7, F_BOUT " u48:timestamp"},
    {12, 1, OBJ_FIXED, 11, "u8:_ b0.4:op_type b4:qu b5:cr b6.2:tcc u8:count u32:ontime "
                           "u32:offtime u8:_ b0.7:status_code b7:reserved"},
    {12, 2, OBJ_FIXED, 11, "u8:_ b0.4:op_type b4:qu b5:cr b6.2:tcc u8:count u32:ontime "
                           "u32:offtime u8:_ b0.7:status_code b7:reserved"},
    {12, 3, OBJ_PACKED1, 0, "bit:point"},
    {13, 1, OBJ_FIXED, 1, F_CMD},
    {13, 2, OBJ_FIXED, 7, F_CMD " u48:timestamp"},
    {20, 1, OBJ_FIXED, 5, F_CNT " u32:count"},
    {20, 2, OBJ_FIXED, 3, F_CNT " u16:count"},
    {20, 3, OBJ_FIXED, 5, F_CNT " u32:count"},
    {20, 4, OBJ_FIXED, 3, F_CNT " u16:count"},
    {20, 5, OBJ_FIXED, 4, "u32:count"},
    {20, 6, OBJ_FIXED, 2, "u16:count"},
    {20, 7, OBJ_FIXED, 4, "u32:count"},
    {20, 8, OBJ_FIXED, 2, "u16:count"},
    {21, 1, OBJ_FIXED, 5, F_CNT " u32:count"},
    {21, 2, OBJ_FIXED, 3, F_CNT " u16:count"},
    {21, 3, OBJ_FIXED, 5, F_CNT " u32:count"},
    {21, 4, OBJ_FIXED, 3, F_CNT " u16:count"},
    {21, 5, OBJ_FIXED, 11, F_CNT " u32:count u48:timestamp"},
    {21, 6, OBJ_FIXED, 9, F_CNT " u16:count u48:timestamp"},
    {21, 7, OBJ_FIXED, 11, F_CNT " u32:count u48:timestamp"},
    {21, 8, OBJ_FIXED, 9, F_CNT " u16:count u48:timestamp"},
    {21, 9, OBJ_FIXED, 4, "u32:count"},
    {21, 10, OBJ_FIXED, 2, "u16:count"},
    {21, 11, OBJ_FIXED, 4, "u32:count"},
    {21, 12, OBJ_FIXED, 2, "u16:count"},
    {22, 1, OBJ_FIXED, 5, F_CNT " u32:count"},
    {22, 2, OBJ_FIXED, 3, F_CNT " u16:count"},
    {22, 3, OBJ_FIXED, 5, F_CNT " u32:count"},
    {22, 4, OBJ_FIXED, 3, F_CNT " u16:count"},
    {22, 5, OBJ_FIXED, 11, F_CNT " u32:count u48:timestamp"},
    {22, 6, OBJ_FIXED, 9, F_CNT " u16:count u48:timestamp"},
    {22, 7, OBJ_FIXED, 11, F_CNT " u32:count u48:timestamp"},
    {22, 8, OBJ_FIXED, 9, F_CNT " u16:count u48:timestamp"},
    {23, 1, OBJ_FIXED, 5, F_CNT " u32:count"},
    {23, 2, OBJ_FIXED, 3, F_CNT " u16:count"},
    {23, 3, OBJ_FIXED, 5, F_CNT " u32:count"},
    {23, 4, OBJ_FIXED, 3, F_CNT " u16:count"},
    {23, 5, OBJ_FIXED, 11, F_CNT " u32:count u48:timestamp"},
    {23, 6, OBJ_FIXED, 9, F_CNT " u16:count u48:timestamp"},
    {23, 7, OBJ_FIXED, 11, F_CNT " u32:count u48:timestamp"},
    {23, 8, OBJ_FIXED, 9, F_CNT " u16:count u48:timestamp"},
    {30, 1, OBJ_FIXED, 5, F_ANA " i32:value"},
    {30, 2, OBJ_FIXED, 3, F_ANA " i16:value"},
    {30, 3, OBJ_FIXED, 4, "i32:value"},
    {30, 4, OBJ_FIXED, 2, "i16:value"},
    {30, 5, OBJ_FIXED, 5, F_ANA " f32:value"},
    {30, 6, OBJ_FIXED, 9, F_ANA " f64:value"},
    {31, 1, OBJ_FIXED, 5, F_ANA " i32:value"},
    {31, 2, OBJ_FIXED, 3, F_ANA " i16:value"},
    {31, 3, OBJ_FIXED, 11, F_ANA " i32:value u48:timestamp"},
    {31, 4, OBJ_FIXED, 9, F_ANA " i16:value u48:timestamp"},
    {31, 5, OBJ_FIXED, 4, "i32:value"},
    {31, 6, OBJ_FIXED, 2, "i16:value"},
    {31, 7, OBJ_FIXED, 5, F_ANA " f32:value"},
    {31, 8, OBJ_FIXED, 9, F_ANA " f64:value"},
    {32, 1, OBJ_FIXED, 5, F_ANA " i32:value"},
    {32, 2, OBJ_FIXED, 3, F_ANA " i16:value"},
    {32, 3, OBJ_FIXED, 11, F_ANA " i32:value u48:timestamp"},
    {32, 4, OBJ_FIXED, 9, F_ANA " i16:value u48:timestamp"},
    {32, 5, OBJ_FIXED, 5, F_ANA " f32:value"},
    {32, 6, OBJ_FIXED, 9, F_ANA " f64:value"},
    {32, 7, OBJ_FIXED, 11, F_ANA " f32:value u48:timestamp"},
    {32, 8, OBJ_FIXED, 15, F_ANA " f64:value u48:timestamp"},
    {33, 1, OBJ_FIXED, 5, F_ANA " i32:value"},
    {33, 2, OBJ_FIXED, 3, F_ANA " i16:value"},
    {33, 3, OBJ_FIXED, 11, F_ANA " i32:value u48:timestamp"},
    {33, 4, OBJ_FIXED, 9, F_ANA " i16:value u48:timestamp"},
    {33, 5, OBJ_FIXED, 5, F_ANA " f32:value"},
    {33, 6, OBJ_FIXED, 9, F_ANA " f64:value"},
    {33, 7, OBJ_FIXED, 11, F_ANA " f32:value u48:timestamp"},
    {33, 8, OBJ_FIXED, 15, F_ANA " f64:value u48:timestamp"},
    {34, 1, OBJ_FIXED, 2, "u16:deadband_value"},
    {34, 2, OBJ_FIXED, 4, "u32:deadband_value"},
    {34, 3, OBJ_FIXED, 4, "f32:deadband_value"},
    {40, 1, OBJ_FIXED, 5, F_ANA " i32:value"},
    {40, 2, OBJ_FIXED, 3, F_ANA " i16:value"},
    {40, 3, OBJ_FIXED, 5, F_ANA " f32:value"},
    {40, 4, OBJ_FIXED, 9, F_ANA " f64:value"},
    {41, 1, OBJ_FIXED, 5, "i32:value u8:control_status"},
    {41, 2, OBJ_FIXED, 3, "i16:value u8:control_status"},
    {41, 3, OBJ_FIXED, 5, "f32:value u8:control_status"},
    {41, 4, OBJ_FIXED, 9, "f64:value u8:control_status"},
    {42, 1, OBJ_FIXED, 5, F_ANA " i32:value"},
    {42, 2, OBJ_FIXED, 3, F_ANA " i16:value"},
    {42, 3, OBJ_FIXED, 11, F_ANA " i32:value u48:timestamp"},
    {42, 4, OBJ_FIXED, 9, F_ANA " i16:value u48:timestamp"},
    {42, 5, OBJ_FIXED, 5, F_ANA " f32:value"},
    {42, 6, OBJ_FIXED, 9, F_ANA " f64:value"},
    {42, 7, OBJ_FIXED, 11, F_ANA " f32:value u48:timestamp"},
    {42, 8, OBJ_FIXED, 15, F_ANA " f64:value u48:timestamp"},
    {43, 1, OBJ_FIXED, 5, F_STAT " i32:commanded_value"},
    {43, 2, OBJ_FIXED, 3, F_STAT " i16:commanded_value"},
    {43, 3, OBJ_FIXED, 11, F_STAT " i32:commanded_value u48:timestamp"},
    {43, 4, OBJ_FIXED, 9, F_STAT " i16:commanded_value u48:timestamp"},
    {43, 5, OBJ_FIXED, 5, F_STAT " f32:commanded_value"},
    {43, 6, OBJ_FIXED, 9, F_STAT " f64:commanded_value"},
    {43, 7, OBJ_FIXED, 11, F_STAT " f32:commanded_value u48:timestamp"},
    {43, 8, OBJ_FIXED, 15, F_STAT " f64:commanded_value u48:timestamp"},
    {50, 1, OBJ_FIXED, 6, "u48:timestamp"},
    {50, 2, OBJ_FIXED, 10, "u48:timestamp u32:interval"},
    {50, 3, OBJ_FIXED, 6, "u48:timestamp"},
    {50, 4, OBJ_FIXED, 11, "u48:timestamp u32:interval_count u8:interval_units"},
    {51, 1, OBJ_FIXED, 6, "u48:timestamp"},
    {51, 2, OBJ_FIXED, 6, "u48:timestamp"},
    {52, 1, OBJ_FIXED, 2, "u16:delay_secs"},
    {52, 2, OBJ_FIXED, 2, "u16:delay_ms"},
    {60, 1, OBJ_NONE, 0, NULL},
    {60, 2, OBJ_NONE, 0, NULL},
    {60, 3, OBJ_NONE, 0, NULL},
    {60, 4, OBJ_NONE, 0, NULL},
    {70, 1, OBJ_PREFIXED, 0, "u16:filename_size u8:filetype_code u8:attribute_code "
                             "u16:start_record u16:end_record u32:file_size u48:created_timestamp "
                             "u16:permission u32:file_id u32:owner_id u32:group_id "
                             "u8:file_function_code u8:status_code rest:filename"},
    {70, 2, OBJ_PREFIXED, 0, "u16:username_offset u16=L:username_size u16:password_offset "
                             "u16:password_size u32:authentication_key strL:username "
                             "rest:password"},
    {70, 3, OBJ_PREFIXED, 0, "u16:filename_offset u16=L:filename_size u48:created "
                             "u16:permissions u32:authentication_key u32:file_size "
                             "u16:operational_mode u16:maximum_block_size u16:request_id "
                             "strL:filename"},
    {70, 4, OBJ_PREFIXED, 0, "u32:file_handle u32:file_size u16:maximum_block_size "
                             "u16:request_id u8:status_code rest:optional_text"},
    {70, 5, OBJ_PREFIXED, 0, "u32:file_handle u32:block_number rest:file_data"},
    {70, 6, OBJ_PREFIXED, 0, "u32:file_handle u32:block_number u8:status_code "
                             "rest:optional_text"},
    {70, 7, OBJ_PREFIXED, 0, "u16:filename_offset u16=L:filename_size u16:file_type "
                             "u32:file_size u48:created_timestamp u16:permissions "
                             "u16:request_id strL:filename"},
    {70, 8, OBJ_PREFIXED, 0, "rest:file_specification"},
    {80, 1, OBJ_PACKED1, 0, "bit:state"},
    {110, 0, OBJ_VARLEN, 0, "rest:data_str"},
    {111, 0, OBJ_VARLEN, 0, "rest:data_str"},
    {112, 0, OBJ_VARLEN, 0, "rest:data_str"},
    {113, 0, OBJ_VARLEN, 0, "rest:data_str"},
};

static const ObjDef *obj_find(uint8_t group, uint8_t var)
{
    for (size_t i = 0; i < sizeof(k_objs) / sizeof(k_objs[0]); i++) {
        const ObjDef *d = &k_objs[i];
        if (d->group == group && (d->variation == var || d->variation == 0)) {
            return d->kind == OBJ_VARLEN && var == 0 ? NULL : d;
        }
    }
    return NULL;
}

/* Little-endian unsigned of n bytes (1, 2, 4). */
static uint32_t le_n(const uint8_t *p, uint32_t n)
{
    return n == 1 ? p[0] : n == 2 ? util_le16(p) : util_le32(p);
}

static uint32_t width_of(uint8_t code)
{
    static const uint8_t w[8] = {0, 1, 2, 4, 1, 2, 4, 0};
    return w[code & 7];
}

/* The range of obj (header at p[off..], qualifier read). False when malformed. */
static bool parse_range(const uint8_t *p, uint32_t len, uint32_t *off, Dnp3Object *o)
{
    uint8_t rc = o->qualifier & 0x0f;
    if (rc <= 5) {
        uint32_t w = width_of((uint8_t)(rc % 3 + 1));
        if (len - *off < 2 * w) {
            return false;
        }
        o->start = le_n(p + *off, w);
        o->stop = le_n(p + *off + w, w);
        *off += 2 * w;
        if (o->stop < o->start) {
            return false;
        }
        o->count = o->stop - o->start + 1;
        if (o->count == 0) {
            return false;        // 0 .. 0xffffffff
        }
        return true;
    }
    if (rc == 6) {
        o->count = 0;
        return true;
    }
    if (rc >= 7 && rc <= 9) {
        uint32_t w = width_of((uint8_t)(rc - 6));
        if (len - *off < w) {
            return false;
        }
        o->count = le_n(p + *off, w);
        *off += w;
        return true;
    }
    if (rc == 0x0b) {
        if (len - *off < 1) {
            return false;
        }
        o->count = p[*off];
        *off += 1;
        return true;
    }
    return false;
}

/* Bytes the points of o take at p[off..] (walks size prefixes). False when they do
 * not fit or the qualifier does not suit the object. */
static bool points_len(const ObjDef *d, const uint8_t *p, uint32_t len, uint32_t off,
                       const Dnp3Object *o, uint32_t *out)
{
    uint8_t pc = (o->qualifier >> 4) & 7;
    uint32_t pw = width_of(pc);
    uint64_t total = 0;
    if (pc == 7 || d->kind == OBJ_NONE) {
        *out = 0;
        return pc != 7;
    }
    if (d->kind == OBJ_PACKED1 || d->kind == OBJ_PACKED2) {
        if (pc != 0) {
            return false;
        }
        uint64_t bits = (uint64_t)o->count * (d->kind == OBJ_PACKED1 ? 1 : 2);
        total = (bits + 7) / 8;
    } else if (d->kind == OBJ_PREFIXED) {
        if (pc < 4) {
            return false;        // the size of each point must be given
        }
        for (uint32_t i = 0; i < o->count; i++) {
            if (len - off < total + pw) {
                return false;
            }
            uint32_t sz = le_n(p + off + total, pw);
            total += pw;
            if (len - off - total < sz) {
                return false;
            }
            total += sz;
        }
    } else {
        uint32_t sz = d->kind == OBJ_VARLEN ? o->variation : d->size;
        total = (uint64_t)o->count * ((pc >= 1 && pc <= 3 ? pw : 0) + sz);
    }
    if (total > len - off) {
        return false;
    }
    *out = (uint32_t)total;
    return true;
}

uint32_t dnp3_objects_parse(const uint8_t *p, uint32_t len, uint32_t base_off,
                            bool with_data, uint32_t max_objects, uint32_t max_points,
                            Dnp3Object **out, uint32_t *flags)
{
    uint32_t n = 0, cap = 0, off = 0;
    uint64_t points = 0;
    Dnp3Object *objs = NULL;
    *flags = 0;
    while (off < len) {
        if (max_objects != 0 && n >= max_objects) {
            *flags |= DNP3_OBJ_F_TOO_MANY_OBJECTS;
            break;
        }
        if (len - off < 3) {
            *flags |= DNP3_OBJ_F_MALFORMED;
            break;
        }
        Dnp3Object o = {.group = p[off], .variation = p[off + 1], .qualifier = p[off + 2]};
        off += 3;
        if (!parse_range(p, len, &off, &o)) {
            *flags |= DNP3_OBJ_F_MALFORMED;
            break;
        }
        points += o.count;
        if (max_points != 0 && points > max_points) {
            *flags |= DNP3_OBJ_F_TOO_MANY_POINTS;
            break;
        }
        const ObjDef *d = obj_find(o.group, o.variation);
        bool has_data = d != NULL && with_data && points_len(d, p, len, off, &o, &o.data_len);
        if (d != NULL && !has_data) {
            /* A header-only object (a read request), or points that do not fit: an
             * object header is what follows when the bytes do not make its points. */
            o.data_len = 0;
        }
        o.data_off = base_off + off;
        o.has_points = has_data && o.data_len > 0;
        if (n == cap) {
            uint32_t ncap = cap == 0 ? 8 : cap * 2;
            Dnp3Object *no = realloc(objs, ncap * sizeof(*objs));
            if (no == NULL) {
                *flags |= DNP3_OBJ_F_NOMEM;
                break;
            }
            objs = no;
            cap = ncap;
        }
        objs[n++] = o;
        if (d == NULL) {
            *flags |= DNP3_OBJ_F_UNKNOWN;
            break;               // its size is unknown: nothing after it can be found
        }
        off += o.data_len;
    }
    *out = objs;
    return n;
}

bool dnp3_points_walk(const uint8_t *frag, uint32_t frag_len, const Dnp3Object *o,
                      Dnp3PointFn fn, void *user)
{
    const ObjDef *d = obj_find(o->group, o->variation);
    if (d == NULL || !o->has_points || o->data_off > frag_len ||
        o->data_len > frag_len - o->data_off) {
        return false;
    }
    const uint8_t *p = frag + o->data_off;
    uint32_t len = o->data_len, off = 0;
    uint8_t pc = (o->qualifier >> 4) & 7;
    uint32_t pw = width_of(pc);
    uint32_t base = (o->qualifier & 0x0f) <= 5 ? o->start : 0;
    for (uint32_t i = 0; i < o->count; i++) {
        Dnp3Point pt = {.index = base + i};
        if (d->kind == OBJ_PACKED1 || d->kind == OBJ_PACKED2) {
            uint32_t w = d->kind == OBJ_PACKED1 ? 1 : 2;
            uint64_t bit = (uint64_t)i * w;
            pt.bits = (uint8_t)((p[bit / 8] >> (bit % 8)) & ((1u << w) - 1));
            fn(o, &pt, user);
            continue;
        }
        uint32_t sz = d->kind == OBJ_VARLEN ? o->variation : d->size;
        if (pw > 0) {
            if (len - off < pw) {
                return false;
            }
            pt.prefix = le_n(p + off, pw);
            off += pw;
            if (pc <= 3) {
                pt.index = pt.prefix;
            } else {
                sz = pt.prefix;
            }
        }
        if (len - off < sz) {
            return false;
        }
        pt.p = p + off;
        pt.len = sz;
        off += sz;
        fn(o, &pt, user);
    }
    return true;
}

/* ---- point fields ---- */

/* Writes the fields of spec from the point's bytes. Tokens: TYPE:NAME separated by
 * spaces; u8 u16 u32 u48 i16 i32 f32 f64 read little-endian (u16=L also remembers the
 * value as a length), bS[.W]:NAME is W bits (default 1) from bit S of the last value
 * read, strL the string of the remembered length, rest the bytes left, bit the packed
 * bit(s); names starting with '_' are not written. */
static void point_fields(const char *spec, const Dnp3Point *pt, JsonBuf *jb)
{
    uint32_t off = 0;
    uint64_t last = 0, lenreg = 0;
    char tok[64];
    while (*spec != '\0') {
        size_t n = strcspn(spec, " ");
        if (n >= sizeof(tok)) {
            return;
        }
        memcpy(tok, spec, n);
        tok[n] = '\0';
        spec += n + (spec[n] == ' ');
        char *name = strchr(tok, ':');
        if (name == NULL) {
            return;
        }
        *name++ = '\0';
        bool show = name[0] != '_';
        uint32_t avail = pt->len - off;
        if (strcmp(tok, "bit") == 0) {
            json_u64(jb, name, pt->bits);
        } else if (tok[0] == 'b') {
            unsigned s = (unsigned)strtoul(tok + 1, NULL, 10);
            const char *dot = strchr(tok, '.');
            unsigned w = dot != NULL ? (unsigned)strtoul(dot + 1, NULL, 10) : 1;
            json_u64(jb, name, (last >> s) & ((1u << w) - 1));
        } else if (strcmp(tok, "rest") == 0 || strcmp(tok, "strL") == 0) {
            uint32_t sl = tok[0] == 'r' ? avail : (lenreg < avail ? (uint32_t)lenreg : avail);
            json_strn(jb, name, pt->p + off, sl);
            off += sl;
        } else {
            uint32_t w = tok[1] == '8' ? 1 : strncmp(tok + 1, "16", 2) == 0 ? 2
                         : strncmp(tok + 1, "48", 2) == 0 ? 6 : strncmp(tok + 1, "64", 2) == 0
                         ? 8 : 4;
            if (avail < w) {
                return;
            }
            const uint8_t *q = pt->p + off;
            off += w;
            last = w == 1 ? q[0] : w == 2 ? util_le16(q) : w == 4 ? util_le32(q)
                   : w == 6 ? (util_le32(q) | (uint64_t)util_le16(q + 4) << 32) : util_le64(q);
            if (strstr(tok, "=L") != NULL) {
                lenreg = last;
            }
            if (!show) {
                continue;
            }
            if (tok[0] == 'i') {
                json_i64(jb, name, w == 2 ? (int16_t)last : (int32_t)last);
            } else if (tok[0] == 'f') {
                double v;
                if (w == 4) {
                    uint32_t b32 = (uint32_t)last;
                    float fv;
                    memcpy(&fv, &b32, sizeof(fv));
                    v = fv;
                } else {
                    memcpy(&v, &last, sizeof(v));
                }
                json_double(jb, name, v);
            } else {
                json_u64(jb, name, last);
            }
        }
    }
}

void dnp3_point_log(const Dnp3Object *obj, const Dnp3Point *pt, JsonBuf *jb)
{
    json_u64(jb, "prefix", pt->prefix);
    json_u64(jb, "index", pt->index);
    const ObjDef *d = obj_find(obj->group, obj->variation);
    if (d != NULL && d->spec != NULL) {
        if (d->kind == OBJ_PREFIXED) {
            json_u64(jb, "size", pt->len);
        }
        point_fields(d->spec, pt, jb);
    }
}

/* ---- names ---- */

/* IIN bits by Suricata's dnp3_ind names: IIN1 bits 0..7 are bits 8..15 of Dnp3Tx.iin. */
static const char *const k_iin[16] = {
    "no_func_code_support", "object_unknown", "parameter_error", "event_buffer_overflow",
    "already_executing", "config_corrupt", "reserved_2", "reserved_1",
    "all_stations", "class_1_events", "class_2_events", "class_3_events",
    "need_time", "local_control", "device_trouble", "device_restart",
};

const char *dnp3_iin_name(uint32_t bit)
{
    return bit < 16 ? k_iin[bit] : NULL;
}

int dnp3_iin_by_name(const char *name)
{
    /* the keyword documentation's spellings of three of them */
    static const struct { const char *alias; int bit; } k_alias[] = {
        {"configuration_corrupt", 5}, {"time_sync_required", 12},
        {"digital_outputs_in_local", 13},
    };
    for (int i = 0; i < 16; i++) {
        if (strcmp(name, k_iin[i]) == 0) {
            return i;
        }
    }
    for (size_t i = 0; i < sizeof(k_alias) / sizeof(k_alias[0]); i++) {
        if (strcmp(name, k_alias[i].alias) == 0) {
            return k_alias[i].bit;
        }
    }
    return -1;
}

static const char *const k_fc[] = {
    "confirm", "read", "write", "select", "operate", "direct_operate", "direct_operate_nr",
    "immed_freeze", "immed_freeze_nr", "freeze_clear", "freeze_clear_nr", "freeze_at_time",
    "freeze_at_time_nr", "cold_restart", "warm_restart", "initialize_data",
    "initialize_appl", "start_appl", "stop_appl", "save_config", "enable_unsolicited",
    "disable_unsolicited", "assign_class", "delay_measure", "record_current_time",
    "open_file", "close_file", "delete_file", "get_file_info", "authenticate_file",
    "abort_file", "activate_config", "authenticate_req", "authenticate_err",
};

int dnp3_fc_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof(k_fc) / sizeof(k_fc[0]); i++) {
        if (strcmp(name, k_fc[i]) == 0) {
            return (int)i;
        }
    }
    if (strcmp(name, "response") == 0) {
        return 129;
    }
    if (strcmp(name, "unsolicited_response") == 0) {
        return 130;
    }
    if (strcmp(name, "authenticate_resp") == 0) {
        return 131;
    }
    return -1;
}
