#ifndef VG_DEFRAG_DEFRAG_H
#define VG_DEFRAG_DEFRAG_H

/* IP defragmentation: IPv4 fragments and IPv6 fragment-header fragments
 * are kept per datagram (a tracker keyed by family, addresses, id, protocol,
 * VLAN ids and tunnel depth) until the datagram is complete; overlapping
 * bytes are resolved by the target-based policy of the destination host
 * (Novak, "Target-Based Fragmentation Reassembly", 2005). The rebuilt
 * datagram becomes a packet of its own, decoded from its IP header, which
 * the decode stage hands to the runtime as a child of the last fragment
 * (EVE pkt_src "defrag", as Suricata).
 *
 * Threads: one process-wide table behind one mutex; any decode thread may
 * call defrag_packet. Memory: trackers and fragments are charged to
 * defrag.memcap; reaching it, or defrag.trackers / defrag.max-frags, refuses
 * the fragment and counts it. Time is packet time. */

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "runtime/counters.h"

struct Conf;

/* Overlap policies. Which fragment supplies a byte two fragments both
 * carry (new: the later arrival):
 *   first      the old one;
 *   last       the new one;
 *   bsd        the new one if it starts before the old one;
 *   bsd-right  the new one, unless it starts after the old one and the old
 *              one reaches at least as far as the new one's end;
 *   linux      the new one if it starts at or before the old one;
 *   windows    the new one if it starts before and ends after the old one;
 *   solaris    the new one if it starts before and ends at or after it. */
typedef enum DefragPolicy {
    DEFRAG_POLICY_BSD = 0,       // the default (host-os-policy default)
    DEFRAG_POLICY_FIRST,
    DEFRAG_POLICY_LAST,
    DEFRAG_POLICY_BSD_RIGHT,
    DEFRAG_POLICY_LINUX,
    DEFRAG_POLICY_WINDOWS,
    DEFRAG_POLICY_SOLARIS,
    DEFRAG_POLICY_MAX,
} DefragPolicy;

typedef struct DefragConfig {
    uint64_t memcap_bytes;       // defrag.memcap (32mb)
    uint32_t timeout_sec;        // defrag.timeout (60): since the tracker's last fragment
    uint32_t max_trackers;       // defrag.trackers (65535)
    uint32_t max_frags;          // defrag.max-frags (65535), over all trackers
    uint32_t hash_size;          // defrag.hash-size (4096 buckets)
    /* defrag.memcap-policy, defrag.trackers-policy, defrag.max-frags-policy
     * (each, when not set, the exception-policy master switch): a
     * FlowExceptionPolicy, unresolved; the decode stage applies it to a
     * fragment the memcap, the trackers limit or the max-frags limit
     * refused (flow/flow.h). */
    uint8_t memcap_policy;
    uint8_t trackers_policy;
    uint8_t max_frags_policy;
} DefragConfig;

/* Policy for a destination host; NULL means DEFRAG_POLICY_BSD for all. */
typedef DefragPolicy (*DefragPolicyFn)(const VgAddr *dst);

void defrag_config_defaults(DefragConfig *c);
/* Reads defrag.* over the defaults; VG_EINVAL after logging file:line: key. */
/* defrag.* keys as part of the configuration schema (conf/conf.h). */
struct ConfSchemaPart;
extern const struct ConfSchemaPart defrag_conf_schema;

int defrag_config_load(DefragConfig *c, const struct Conf *conf)
    __attribute__((warn_unused_result));

/* Policy for a host-os-policy name ("linux", "old-linux", "windows2k3",
 * "hpux11", "macos", ... as Suricata maps them); false if unknown. */
bool defrag_policy_by_name(const char *name, DefragPolicy *out);
const char *defrag_policy_name(DefragPolicy pol);

/* Start-up, before threads: makes the table and registers the defrag.*
 * counters. Returns 0 or VG_ENOMEM. defrag_deinit frees every tracker;
 * after it (or before defrag_init) defrag_packet does nothing. */
int defrag_init(const DefragConfig *c, DefragPolicyFn policy_fn)
    __attribute__((warn_unused_result));
void defrag_deinit(void);
/* defrag.memcap now and the bytes charged to it (*memuse, may be NULL). */
uint64_t defrag_memcap_get(uint64_t *memuse);
/* memcap-set defrag: effective for the next tracker or fragment; VG_ERANGE
 * (nothing changed) when below the bytes charged now. Any thread. */
int defrag_memcap_set(uint64_t bytes);

/* Counter names registered by defrag_init (also usable alone in tests). */
void defrag_register_counters(void);

/* Counters, as Suricata names them under stats.defrag. */
typedef enum DefragCounter {
    DFC_IPV4_FRAGMENTS = 0,      // defrag.ipv4.fragments
    DFC_IPV4_REASSEMBLED,        // defrag.ipv4.reassembled
    DFC_IPV6_FRAGMENTS,          // defrag.ipv6.fragments
    DFC_IPV6_REASSEMBLED,        // defrag.ipv6.reassembled
    DFC_MAX_TRACKERS,            // defrag.max_trackers_reached (defrag.trackers limit)
    DFC_MAX_FRAGS,               // defrag.max_frags_reached (defrag.max-frags, per datagram cap)
    DFC_TIMEOUT,                 // defrag.wrk.tracker_timeout
    DFC_MEMCAP,                  // defrag.memcap: trackers or fragments refused by the memcap
    DFC_COUNT,
} DefragCounter;

/* Besides these per-thread counters, defrag.memuse (a gauge: bytes charged
 * to the memcap now) is kept by the table itself. */

/* Per decode thread. */
typedef struct DefragThread {
    CounterSet *counters;        // the owning thread's set
    CounterId cid[DFC_COUNT];
    /* Why the last defrag_packet refused its fragment (DEFRAG_REFUSED_*). */
    uint8_t refused;
} DefragThread;

enum {
    DEFRAG_REFUSED_NONE = 0,
    DEFRAG_REFUSED_MEMCAP,       // defrag.memcap
    DEFRAG_REFUSED_TRACKERS,     // defrag.trackers: no tracker for a new datagram
    DEFRAG_REFUSED_MAX_FRAGS,    // defrag.max-frags (or the per-datagram cap)
};

void defrag_thread_init(DefragThread *dt, CounterSet *counters);

/* p: a decoded fragment (PKT_F_IS_FRAGMENT set by decode_ipv4 /
 * decode_ipv6). Keeps a copy of its bytes; raises ipv4/ipv6.frag_overlap
 * and frag_pkt_too_large on p through dtv. When p completes its datagram,
 * returns a packet from dtv->src holding the rebuilt datagram (behind the
 * first fragment's link-layer bytes), already decoded from its IP header,
 * PKT_F_PSEUDO set, tunnel_kind PKT_TUNNEL_DEFRAG, root set to p's root;
 * any tunnel packets its decoding made are on dtv->children. The caller
 * owns it. NULL otherwise (incomplete, refused, no packet source). */
Packet *defrag_packet(DefragThread *dt, DecodeThreadCtx *dtv, Packet *p);

/* The configured policy for a DEFRAG_REFUSED_* reason (a FlowExceptionPolicy,
 * unresolved): defrag.memcap-policy, .trackers-policy, .max-frags-policy. */
uint8_t defrag_refused_policy(uint8_t refused);

/* Trackers currently held and bytes charged (tests, stats). */
uint32_t defrag_tracker_count(void);
uint64_t defrag_memuse(void);

#endif
