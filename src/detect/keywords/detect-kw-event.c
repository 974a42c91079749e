/* decode-event / stream-event: the packet carries a decoder event, or one of
 * the TCP stream engine's (decode/decode-events.h: "stream.<name>"). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int append_event(DetectParser *dp, const DetectKeyword *kw, DecodeEvent ev)
{
    uint16_t *ctx = malloc(sizeof(*ctx));
    if (ctx == NULL) {
        return detect_err(dp, "out of memory");
    }
    *ctx = (uint16_t)ev;
    return detect_append(dp, DETECT_LIST_MATCH, kw, ctx, 0);
}

static int setup_event(DetectParser *dp, const char *arg)
{
    DecodeEvent ev = decode_event_by_name(arg);
    if (ev == DECODE_EV_NONE) {
        return detect_err(dp, "unknown decode-event '%s'", arg);
    }
    return append_event(dp, &detect_kw_decode_event, ev);
}

/* stream-event:<name> names the event without its "stream." prefix. */
static int setup_stream_event(DetectParser *dp, const char *arg)
{
    char name[96];
    int n = snprintf(name, sizeof(name), "stream.%s", arg);
    DecodeEvent ev = DECODE_EV_NONE;
    if (n > 0 && (size_t)n < sizeof(name) && strchr(arg, '.') == NULL) {
        ev = decode_event_by_name(name);
    }
    if (ev == DECODE_EV_NONE) {
        return detect_err(dp, "unknown stream-event '%s'", arg);
    }
    return append_event(dp, &detect_kw_stream_event, ev);
}

const DetectKeyword detect_kw_decode_event = {
    .name = "decode-event", .desc = "packet raised a decoder event (ipv4.trunc_pkt, ...)",
    .setup = setup_event, .match = match_event, .free = free,
};

const DetectKeyword detect_kw_stream_event = {
    .name = "stream-event", .desc = "packet raised a TCP stream event (pkt_invalid_ack, ...)",
    .setup = setup_stream_event, .match = match_event, .free = free,
};
