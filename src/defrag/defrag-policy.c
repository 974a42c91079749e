/* Overlap resolution and the rebuilt data.
 *
 * Each policy is a pairwise rule between a fragment and one that arrived
 * before it; the rebuilt datagram applies the fragments in arrival order,
 * each byte going to the newcomer only when the rule says so against the
 * fragment currently holding it. The rules reproduce the results of the
 * test pattern in Novak, "Target-Based Fragmentation Reassembly" (2005),
 * as Suricata reports them per policy (tests/unit/defrag). BSD-right
 * follows the HP JetDirect behaviour as described for Snort's frag3: new
 * data wins except where an older fragment that starts before it also
 * reaches its end. */

#include "defrag/defrag-internal.h"

#include <string.h>

bool defrag_new_wins(DefragPolicy pol, uint32_t new_off, uint32_t new_end, uint32_t old_off,
                     uint32_t old_end)
{
    switch (pol) {
    case DEFRAG_POLICY_FIRST:
        return false;
    case DEFRAG_POLICY_LAST:
        return true;
    case DEFRAG_POLICY_LINUX:
        return new_off <= old_off;
    case DEFRAG_POLICY_WINDOWS:
        return new_off < old_off && new_end > old_end;
    case DEFRAG_POLICY_SOLARIS:
        return new_off < old_off && new_end >= old_end;
    case DEFRAG_POLICY_BSD_RIGHT:
        return new_off <= old_off || new_end > old_end;
    case DEFRAG_POLICY_BSD:
    default:
        return new_off < old_off;
    }
}

bool defrag_tracker_complete(const DefragTracker *t)
{
    if (!t->seen_last || !t->has_first) {
        return false;
    }
    uint32_t covered = 0;
    for (const DefragFrag *f = t->sorted; f != NULL && covered < t->end; f = f->snext) {
        if (f->off > covered) {
            return false;        // a hole
        }
        if (f->off + f->len > covered) {
            covered = f->off + f->len;
        }
    }
    return covered >= t->end;
}

bool defrag_tracker_overlaps(const DefragTracker *t, uint32_t off, uint32_t len)
{
    uint32_t end = off + len;
    for (const DefragFrag *f = t->sorted; f != NULL && f->off < end; f = f->snext) {
        if (f->off + f->len > off) {
            return true;
        }
    }
    return false;
}

/* Claims for f the bytes [f->off, min(end, f->off + f->len)) it wins. */
static void paint(DefragPolicy pol, const DefragFrag *f, uint32_t end, const DefragFrag **owner)
{
    uint32_t stop = f->off + f->len < end ? f->off + f->len : end;
    uint32_t f_end = f->off + f->len;
    for (uint32_t b = f->off; b < stop; b++) {
        const DefragFrag *o = owner[b];
        if (o == NULL || defrag_new_wins(pol, f->off, f_end, o->off, o->off + o->len)) {
            owner[b] = f;
        }
    }
}

void defrag_rebuild_data(const DefragTracker *t, uint8_t *out, const DefragFrag **owner)
{
    memset(owner, 0, (size_t)t->end * sizeof(*owner));
    DefragPolicy pol = (DefragPolicy)t->policy;
    for (const DefragFrag *f = t->frags; f != NULL; f = f->next) {
        if (f->off < t->end) {
            paint(pol, f, t->end, owner);
        }
    }
    for (uint32_t b = 0; b < t->end; b++) {
        const DefragFrag *o = owner[b];
        out[b] = o->bytes[o->hdr_len + (b - o->off)];
    }
}
