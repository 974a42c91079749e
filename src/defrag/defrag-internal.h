#ifndef VG_DEFRAG_DEFRAG_INTERNAL_H
#define VG_DEFRAG_DEFRAG_INTERNAL_H

/* Inside src/defrag and its tests only. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "defrag/defrag.h"

#define DEFRAG_MAX_FRAGS_PER_DGRAM 8192u // fragments held for one datagram (65,535 / 8)
#define DEFRAG_MAX_DGRAM 65535u   // largest IPv4 total length / IPv6 payload length

/* What identifies a datagram (RFC 791 section 2.3; RFC 8200 section 4.5),
 * plus where it was seen: VLAN ids and tunnel depth, as Suricata keys it. */
typedef struct DefragKey {
    uint8_t family;              // 4 or 6
    uint8_t proto;               // IPv4 protocol / next header of the fragment header
    uint8_t n_vlan;
    uint8_t depth;               // tunnel depth
    uint16_t vlan_id[PACKET_MAX_VLANS];
    uint32_t id;                 // IPv4: 16 bits; IPv6: 32 bits
    uint8_t src[16];
    uint8_t dst[16];
} DefragKey;

/* One fragment as received. bytes[0..hdr_len) is, for the fragment at
 * offset 0 only, what comes before its data: link-layer bytes (l3_off of
 * them), then the IPv4 header or the IPv6 unfragmentable part and fragment
 * header; bytes[hdr_len..hdr_len + len) is its data. */
typedef struct DefragFrag {
    struct DefragFrag *next;     // arrival order
    uint32_t off;                // data offset in the datagram, bytes
    uint32_t len;                // data bytes
    bool more;                   // MF set
    uint16_t hdr_len;
    uint16_t l3_off;
    uint16_t fh_off;             // IPv6: fragment header offset from the IPv6 header
    uint16_t nh_off;             // IPv6: offset of the next-header octet naming it
    struct DefragFrag *snext;    // offset order (ties: arrival order)
    uint8_t bytes[];
} DefragFrag;

typedef struct DefragTracker {
    struct DefragTracker *hnext; // hash chain
    struct DefragTracker *older; // LRU by last fragment time: older end is g->lru_head
    struct DefragTracker *newer;
    DefragKey key;
    uint32_t hash;
    int64_t last_sec;            // packet time of the last fragment
    uint8_t policy;              // DefragPolicy, chosen at creation
    int linktype;                // of the first fragment seen at offset 0
    bool seen_last;
    bool has_first;
    uint32_t end;                // data length once the last fragment came
    uint32_t n_frags;
    DefragFrag *frags;           // arrival order
    DefragFrag *frags_tail;
    DefragFrag *sorted;          // offset order
    uint64_t charged;            // bytes charged to the memcap
} DefragTracker;

/* Pairwise rule: whether a new fragment [new_off, new_end) supplies the
 * bytes it shares with an older one [old_off, old_end). */
bool defrag_new_wins(DefragPolicy pol, uint32_t new_off, uint32_t new_end, uint32_t old_off,
                     uint32_t old_end);

/* Whether the tracker holds every byte [0, end) (last fragment seen). */
bool defrag_tracker_complete(const DefragTracker *t);

/* Writes the datagram data [0, t->end) into out (t->end bytes), each byte
 * from the fragment the policy chose, applying fragments in arrival order.
 * owner is scratch of t->end entries. Requires defrag_tracker_complete. */
void defrag_rebuild_data(const DefragTracker *t, uint8_t *out, const DefragFrag **owner);

/* Whether [off, off + len) overlaps data the tracker already holds. */
bool defrag_tracker_overlaps(const DefragTracker *t, uint32_t off, uint32_t len);

/* ---- the table (defrag-table.c). Everything below but defrag_lock is
 * called with the lock held. ---- */

/* Takes the table lock; false (lock not taken) before defrag_init. */
bool defrag_lock(void);
void defrag_unlock(void);

/* The tracker for k, made if absent (policy for dst, charged to the memcap)
 * after dropping trackers idle for longer than the timeout as of now_sec.
 * NULL when refused: limit or memcap reached (counted on dt). */
DefragTracker *defrag_tracker_get(DefragThread *dt, const DefragKey *k, const VgAddr *dst,
                                  int64_t now_sec);

/* Stores a fragment: f describes it (off, len, more, hdr_len, l3_off,
 * fh_off, nh_off), hdr its hdr_len header bytes, data its len data bytes.
 * Returns 0, or VG_ENOMEM when refused (limit or memcap; counted on dt). */
int defrag_tracker_add(DefragThread *dt, DefragTracker *t, const DefragFrag *f,
                       const uint8_t *hdr, const uint8_t *data, int64_t now_sec);

/* Unlinks and frees t with its fragments, releasing its charge. */
void defrag_tracker_remove(DefragTracker *t);

/* Scratch for defrag_rebuild_data (DEFRAG_MAX_DGRAM entries). */
const DefragFrag **defrag_owner_scratch(void);

static inline void defrag_count(DefragThread *dt, DefragCounter c)
{
    if (dt != NULL && dt->counters != NULL) {
        counters_incr(dt->counters, dt->cid[c]);
    }
}

/* A limit refused a tracker or fragment: counted (c), and noted (why, a
 * DEFRAG_REFUSED_*) for the decode stage's exception policy. */
static inline void defrag_refused(DefragThread *dt, DefragCounter c, uint8_t why)
{
    defrag_count(dt, c);
    if (dt != NULL) {
        dt->refused = why;
    }
}

#endif
