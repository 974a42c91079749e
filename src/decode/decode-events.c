#include "decode/decode-events.h"

#include <string.h>

static const char *const event_names[DECODE_EV_MAX] = {
    [DECODE_EV_NONE] = NULL,
#define X(id, name) [DECODE_EV_##id] = name,
#include "decode/decode-events-list.h"
#undef X
};

const char *decode_event_name(DecodeEvent ev)
{
    if ((int)ev <= DECODE_EV_NONE || ev >= DECODE_EV_MAX) {
        return NULL;
    }
    return event_names[ev];
}

DecodeEvent decode_event_by_name(const char *name)
{
    if (strncmp(name, "decoder.", 8) == 0) {
        name += 8;
    }
    for (int i = DECODE_EV_NONE + 1; i < DECODE_EV_MAX; i++) {
        if (strcmp(event_names[i], name) == 0) {
            return (DecodeEvent)i;
        }
    }
    return DECODE_EV_NONE;
}
