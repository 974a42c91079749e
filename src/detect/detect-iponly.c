/* Index of IP-only rules (no ports, no keywords: only protocol and address
 * sets). Checking every such rule on every packet costs O(rules); rule sets
 * with long address lists (reputation lists) have thousands of them.
 *
 * Per address family, each rule is filed under the side (source or
 * destination) whose address set is smaller, in an index of elementary
 * intervals: the sorted boundaries of all filed ranges cut the key space into
 * intervals, each with the rules covering it. A packet's candidates are the
 * rules of the interval holding its source in the source index, of the one
 * holding its destination in the destination index, and the unindexed rules
 * (bidirectional, or both sides too wide). Candidates are then fully checked,
 * so the index only prunes rules that cannot match. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "util/util-error.h"

/* A side covering more than this share of its family's space is "wide". */
#define IPONLY_WIDE_V4 ((DetectU128)1 << 24)
#define IPONLY_WIDE_V6 ((DetectU128)1 << 100)
/* Above this many (interval, rule) entries the index is not worth it. */
#define IPONLY_MAX_ENTRIES (8u << 20)

typedef struct IpOnlyIndex {
    DetectU128 *bounds;                // interval starts, ascending
    uint32_t n;
    uint32_t *off;                     // n + 1 offsets into nums
    uint32_t *nums;
} IpOnlyIndex;

typedef struct IpOnlyFamily {
    IpOnlyIndex side[2];               // 0: source, 1: destination
    uint32_t *always;
    uint32_t n_always;
} IpOnlyFamily;

struct DetectIpOnly {
    IpOnlyFamily fam[2];               // 0: IPv4, 1: IPv6
};

static const DetectRangeSet *fam_set(const DetectAddrSet *a, int f)
{
    return f == 0 ? &a->v4 : &a->v6;
}

/* Addresses covered, saturating; an "any" set covers the whole space. */
static DetectU128 coverage(const DetectAddrSet *a, int f)
{
    DetectU128 max = f == 0 ? (DetectU128)UINT32_MAX : ~(DetectU128)0;
    if (a->is_any) {
        return max;
    }
    const DetectRangeSet *s = fam_set(a, f);
    DetectU128 total = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        DetectU128 span = s->r[i].hi - s->r[i].lo;
        if (total > max - span) {
            return max;
        }
        total += span;
    }
    return total;
}

/* -1: never matches this family; 0/1: file under source/destination; 2: always. */
static int pick_side(const Signature *s, int f)
{
    if ((!s->src.is_any && fam_set(&s->src, f)->n == 0) ||
        (!s->dst.is_any && fam_set(&s->dst, f)->n == 0)) {
        return (s->flags & SIG_F_BIDIR) ? 2 : -1;
    }
    if (s->flags & SIG_F_BIDIR) {
        return 2;
    }
    DetectU128 cs = coverage(&s->src, f);
    DetectU128 cd = coverage(&s->dst, f);
    DetectU128 wide = f == 0 ? IPONLY_WIDE_V4 : IPONLY_WIDE_V6;
    if (cs > wide && cd > wide) {
        return 2;
    }
    return cs <= cd ? 0 : 1;
}

static int cmp_u128(const void *a, const void *b)
{
    DetectU128 x = *(const DetectU128 *)a;
    DetectU128 y = *(const DetectU128 *)b;
    return x < y ? -1 : (x > y);
}

/* Index of the last bound <= key, or -1. */
static int64_t find_interval(const IpOnlyIndex *ix, DetectU128 key)
{
    uint32_t lo = 0;
    uint32_t hi = ix->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ix->bounds[mid] <= key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return (int64_t)lo - 1;
}

/* Collects and dedups the boundaries of the filed rules' ranges. */
static int build_bounds(IpOnlyIndex *ix, const DetectEngine *de, const uint32_t *nums,
                        uint32_t n, int f, int side)
{
    size_t cap = 0;
    for (uint32_t i = 0; i < n; i++) {
        const Signature *s = de->sigs[nums[i]];
        cap += 2u * fam_set(side == 0 ? &s->src : &s->dst, f)->n;
    }
    ix->bounds = malloc((cap + 1) * sizeof(DetectU128));
    if (ix->bounds == NULL) {
        return VG_ENOMEM;
    }
    DetectU128 max = f == 0 ? (DetectU128)UINT32_MAX : ~(DetectU128)0;
    size_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        const Signature *s = de->sigs[nums[i]];
        const DetectRangeSet *rs = fam_set(side == 0 ? &s->src : &s->dst, f);
        for (uint32_t r = 0; r < rs->n; r++) {
            ix->bounds[k++] = rs->r[r].lo;
            if (rs->r[r].hi != max) {
                ix->bounds[k++] = rs->r[r].hi + 1;
            }
        }
    }
    qsort(ix->bounds, k, sizeof(DetectU128), cmp_u128);
    uint32_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u == 0 || ix->bounds[u - 1] != ix->bounds[i]) {
            ix->bounds[u++] = ix->bounds[i];
        }
    }
    ix->n = u;
    return 0;
}

/* Walks every (interval, rule) pair: counts when fill is false, else fills. */
static uint64_t walk_entries(IpOnlyIndex *ix, const DetectEngine *de, const uint32_t *nums,
                             uint32_t n, int f, int side, bool fill, uint32_t *pos)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        const Signature *s = de->sigs[nums[i]];
        const DetectRangeSet *rs = fam_set(side == 0 ? &s->src : &s->dst, f);
        for (uint32_t r = 0; r < rs->n; r++) {
            int64_t a = find_interval(ix, rs->r[r].lo);
            int64_t b = find_interval(ix, rs->r[r].hi);
            for (int64_t j = a; j <= b && j >= 0; j++) {
                if (fill) {
                    ix->nums[pos[j]++] = nums[i];
                } else {
                    ix->off[j + 1]++;
                }
                total++;
            }
        }
    }
    return total;
}

static int build_index(IpOnlyIndex *ix, const DetectEngine *de, const uint32_t *nums,
                       uint32_t n, int f, int side)
{
    if (n == 0) {
        return 0;
    }
    if (build_bounds(ix, de, nums, n, f, side) != 0) {
        return VG_ENOMEM;
    }
    ix->off = calloc((size_t)ix->n + 1, sizeof(uint32_t));
    if (ix->off == NULL) {
        return VG_ENOMEM;
    }
    uint64_t total = walk_entries(ix, de, nums, n, f, side, false, NULL);
    if (total > IPONLY_MAX_ENTRIES) {
        return VG_ERANGE;
    }
    for (uint32_t j = 0; j < ix->n; j++) {
        ix->off[j + 1] += ix->off[j];
    }
    uint32_t *pos = malloc(((size_t)ix->n + 1) * sizeof(uint32_t));
    ix->nums = malloc((total + 1) * sizeof(uint32_t));
    if (pos == NULL || ix->nums == NULL) {
        free(pos);
        return VG_ENOMEM;
    }
    memcpy(pos, ix->off, ((size_t)ix->n + 1) * sizeof(uint32_t));
    (void)walk_entries(ix, de, nums, n, f, side, true, pos);
    free(pos);
    return 0;
}

static void index_free(IpOnlyIndex *ix)
{
    free(ix->bounds);
    free(ix->off);
    free(ix->nums);
    memset(ix, 0, sizeof(*ix));
}

static int build_family(IpOnlyFamily *fm, const DetectEngine *de, int f)
{
    uint32_t n = de->n_iponly;
    uint32_t *lists[2] = { malloc((n + 1) * sizeof(uint32_t)),
                           malloc((n + 1) * sizeof(uint32_t)) };
    uint32_t cnt[2] = { 0, 0 };
    fm->always = malloc((n + 1) * sizeof(uint32_t));
    int rc = lists[0] && lists[1] && fm->always ? 0 : VG_ENOMEM;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        uint32_t num = de->iponly_sigs[i];
        int side = pick_side(de->sigs[num], f);
        if (side == 2) {
            fm->always[fm->n_always++] = num;
        } else if (side >= 0) {
            lists[side][cnt[side]++] = num;
        }
    }
    for (int side = 0; side < 2 && rc == 0; side++) {
        rc = build_index(&fm->side[side], de, lists[side], cnt[side], f, side);
        if (rc == VG_ERANGE) {
            /* too dense to index: those rules are checked on every packet */
            index_free(&fm->side[side]);
            memcpy(fm->always + fm->n_always, lists[side], cnt[side] * sizeof(uint32_t));
            fm->n_always += cnt[side];
            rc = 0;
        }
    }
    free(lists[0]);
    free(lists[1]);
    return rc;
}

void detect_iponly_free(DetectIpOnly *io)
{
    if (io == NULL) {
        return;
    }
    for (int f = 0; f < 2; f++) {
        index_free(&io->fam[f].side[0]);
        index_free(&io->fam[f].side[1]);
        free(io->fam[f].always);
    }
    free(io);
}

int detect_iponly_build(const DetectEngine *de, DetectIpOnly **out)
{
    DetectIpOnly *io = calloc(1, sizeof(*io));
    int rc = io ? 0 : VG_ENOMEM;
    for (int f = 0; f < 2 && rc == 0; f++) {
        rc = build_family(&io->fam[f], de, f);
    }
    if (rc != 0) {
        detect_iponly_free(io);
        io = NULL;
    }
    *out = io;
    return rc;
}

void detect_iponly_candidates(const DetectIpOnly *io, const Packet *p,
                              void (*add)(void *ctx, uint32_t num), void *ctx)
{
    if (io == NULL || (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6)) {
        return;
    }
    const IpOnlyFamily *fm = &io->fam[p->l3 == PKT_L3_IPV4 ? 0 : 1];
    for (uint32_t i = 0; i < fm->n_always; i++) {
        add(ctx, fm->always[i]);
    }
    const VgAddr *addr[2] = { &p->src, &p->dst };
    for (int side = 0; side < 2; side++) {
        const IpOnlyIndex *ix = &fm->side[side];
        if (ix->n == 0 || addr[side]->family != (p->l3 == PKT_L3_IPV4 ? 4 : 6)) {
            continue;
        }
        int64_t j = find_interval(ix, detect_addr_key(addr[side]));
        for (uint32_t k = j >= 0 ? ix->off[j] : 0; j >= 0 && k < ix->off[j + 1]; k++) {
            add(ctx, ix->nums[k]);
        }
    }
}
