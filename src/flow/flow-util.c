/* Flow ids and the small helpers outputs use for flow records. */

#include "flow/flow-internal.h"

#define FLOW_ID_BITS 51                      // JSON-safe integers (2^53) with room
#define FLOW_ID_MASK ((1ull << FLOW_ID_BITS) - 1)

/* A bijection on 51-bit values (xor-shifts and odd multipliers modulo 2^51):
 * distinct counters give distinct ids, yet consecutive ids look unrelated. */
static uint64_t mix51(uint64_t x)
{
    x &= FLOW_ID_MASK;
    x ^= x >> 26;
    x = (x * 0x1ce4e5b9bf58476dull) & FLOW_ID_MASK;
    x ^= x >> 25;
    x = (x * 0x133111eb6d2f9b4bull) & FLOW_ID_MASK;
    x ^= x >> 27;
    return x;
}

/* Unique per table until 2^51 flows; never 0. The start of the counter comes
 * from the hash key, so ids also differ between runs. */
uint64_t flow_id_next(FlowTable *ft)
{
    for (;;) {
        uint64_t c = atomic_fetch_add_explicit(&ft->flow_id_ctr, 1, memory_order_relaxed);
        uint64_t id = mix51(c);
        if (id != 0) {
            return id;
        }
    }
}

int64_t flow_age_sec(const Flow *f)
{
    return f->last_sec - f->start_sec;
}

const char *flow_state_name(FlowState state)
{
    switch (state) {
    case FLOW_STATE_NEW:
        return "new";
    case FLOW_STATE_ESTABLISHED:
        return "established";
    case FLOW_STATE_CLOSED:
        return "closed";
    }
    return "unknown";
}

const char *flow_end_reason_name(FlowEndReason reason)
{
    switch (reason) {
    case FLOW_END_TIMEOUT:
        return "timeout";
    case FLOW_END_FORCED:
        return "forced";
    case FLOW_END_SHUTDOWN:
        return "shutdown";
    }
    return "unknown";
}
