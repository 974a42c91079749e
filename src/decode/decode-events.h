#ifndef VG_DECODE_DECODE_EVENTS_H
#define VG_DECODE_DECODE_EVENTS_H

/* Decoder events: ids, Suricata-compatible names, lookup. Types only plus
 * two small lookups; the name table lives in decode-events.c. */

#include <stdbool.h>
#include <stdint.h>

typedef enum DecodeEvent {
    DECODE_EV_NONE = 0,
#define X(id, name) DECODE_EV_##id,
#include "decode/decode-events-list.h"
#undef X
    DECODE_EV_MAX,
} DecodeEvent;

/* "ipv4.trunc_pkt" for DECODE_EV_IPV4_TRUNC_PKT; NULL for out of range. */
const char *decode_event_name(DecodeEvent ev);

/* Id for a name (with or without a "decoder." prefix), DECODE_EV_NONE if unknown. */
DecodeEvent decode_event_by_name(const char *name);

#endif
