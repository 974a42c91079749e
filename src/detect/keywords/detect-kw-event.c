/* decode-event: the packet carries a decoder event (decode/decode-events.h). */

#include <stdlib.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"

static bool match_event(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    uint16_t ev = *(const uint16_t *)ctx;
    uint8_t n = p->n_events < PACKET_MAX_EVENTS ? p->n_events : PACKET_MAX_EVENTS;
    for (uint8_t i = 0; i < n; i++) {
        if (p->events[i] == ev) {
            return true;
        }
    }
    return false;
}

static int setup_event(DetectParser *dp, const char *arg)
{
    DecodeEvent ev = decode_event_by_name(arg);
    if (ev == DECODE_EV_NONE) {
        return detect_err(dp, "unknown decode-event '%s'", arg);
    }
    uint16_t *ctx = malloc(sizeof(*ctx));
    if (ctx == NULL) {
        return detect_err(dp, "out of memory");
    }
    *ctx = (uint16_t)ev;
    return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_decode_event, ctx, 0);
}

const DetectKeyword detect_kw_decode_event = {
    .name = "decode-event", .desc = "packet raised a decoder event (ipv4.trunc_pkt, ...)",
    .setup = setup_event, .match = match_event, .free = free,
};
