/* Flow ids and the small helpers outputs use for flow records. */

#include "flow/flow-internal.h"

#include <string.h>

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

/* The id hashes what makes the flow itself: its key (client first) and the
 * time of its first packet. The same capture therefore gives the same ids in
 * every run and every runmode, whichever thread made the flow and whatever
 * the table's (random) hash key. The SipHash key here is a constant: ids are
 * labels, not a defence. Never 0; two flows share an id only when they have
 * the same key and first-packet time (a flow that times out on the packet
 * that starts its successor needs a 0 s timeout for that) or in the
 * unlikely event of a 51-bit collision. */
uint64_t flow_id_of(const Flow *f)
{
    static const uint8_t id_key[16] = "vigil-flow-id-1";
    const FlowKey *k = &f->key;
    uint8_t buf[64];
    size_t n = 0;
    size_t alen = k->src.family == 6 ? 16 : 4;
    buf[n++] = k->src.family;
    memcpy(buf + n, k->src.a.u8, alen);
    n += alen;
    memcpy(buf + n, k->dst.a.u8, alen);
    n += alen;
    buf[n++] = (uint8_t)(k->sp >> 8);
    buf[n++] = (uint8_t)k->sp;
    buf[n++] = (uint8_t)(k->dp >> 8);
    buf[n++] = (uint8_t)k->dp;
    buf[n++] = k->proto;
    buf[n++] = k->recursion;
    buf[n++] = k->n_vlan;
    for (uint8_t i = 0; i < k->n_vlan && i < PACKET_MAX_VLANS; i++) {
        buf[n++] = (uint8_t)(k->vlan_id[i] >> 8);
        buf[n++] = (uint8_t)k->vlan_id[i];
    }
    for (int i = 7; i >= 0; i--) {
        buf[n++] = (uint8_t)((uint64_t)f->start_sec >> (8 * i));
    }
    for (int i = 3; i >= 0; i--) {
        buf[n++] = (uint8_t)(f->start_usec >> (8 * i));
    }
    uint64_t h = flow_siphash24(id_key, buf, n);
    for (uint64_t salt = 0;; salt++) {
        uint64_t id = mix51(h + salt);
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
