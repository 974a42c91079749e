/* Reassembly of one direction: stored runs in a treap, bytes in a buffer
 * indexed by offset.
 *
 * Runs never overlap, so an insert touches only the runs inside the new
 * segment's range: O(log n + k) with k bounded by the segment's length, and
 * the total work over a flow is linear in the bytes received. Bytes live in
 * one buffer per direction covering [buf_base, buf_base + buf_cap): views of
 * in-order data point straight into it. It grows by doubling and is trimmed
 * from the front by stream_reasm_prune; both happen only while a packet of
 * the flow is processed, so a view handed out with the previous packet stays
 * valid until then. Everything is charged to stream.reassembly.memcap. */
#include "stream/stream-internal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-error.h"

#define RUN_BATCH_MAX 64         // runs rebuilt per step of one insert

/* Treap priorities: a per-thread xorshift (any thread, no shared state). */
static uint32_t run_prio(void)
{
    static _Thread_local uint32_t x = 2463534242u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

/* Split t into runs with start < key (*l) and start >= key (*r). */
static void treap_split(StreamRun *t, uint64_t key, StreamRun **l, StreamRun **r)
{
    if (t == NULL) {
        *l = NULL;
        *r = NULL;
    } else if (t->start < key) {
        treap_split(t->right, key, &t->right, r);
        *l = t;
    } else {
        treap_split(t->left, key, l, &t->left);
        *r = t;
    }
}

/* Every start in a is below every start in b. */
static StreamRun *treap_merge(StreamRun *a, StreamRun *b)
{
    if (a == NULL) {
        return b;
    }
    if (b == NULL) {
        return a;
    }
    if (a->prio > b->prio) {
        a->right = treap_merge(a->right, b);
        return a;
    }
    b->left = treap_merge(a, b->left);
    return b;
}

static StreamRun *treap_max(StreamRun *t)
{
    while (t != NULL && t->right != NULL) {
        t = t->right;
    }
    return t;
}

/* The run containing off, or NULL. */
static const StreamRun *run_find(const StreamRun *t, uint64_t off)
{
    const StreamRun *best = NULL;
    while (t != NULL) {
        if (t->start <= off) {
            best = t;
            t = t->right;
        } else {
            t = t->left;
        }
    }
    return best != NULL && off < best->end ? best : NULL;
}

/* ---- run recycling ----
 * A run ends (merged into its neighbour, trimmed away, freed with its session)
 * about as often as one starts, so ended runs are kept for the next ones
 * instead of going back to malloc:
 *  - each thread keeps up to RUN_CACHE_MAX of them, without a lock;
 *  - beyond that, RUN_DEPOT_BATCH at a time go to a depot shared by all
 *    threads (one mutex per batch), and a thread whose own cache is empty
 *    takes a batch from there before it mallocs.
 * Runs are released in bursts (a session with a thousand held segments ends)
 * and may end in another thread than the one that made them (flow end), so a
 * bounded per-thread cache alone kept calling malloc. With the depot, a malloc
 * happens only when the thread's cache and the depot are both empty, so once a
 * capture has reached its peak no run costs a malloc. The depot holds at most
 * RUN_DEPOT_MAX batches (about 3.5 MiB): past that a spilled batch is freed, so
 * a burst of runs (an attacker's thousands of holes, bounded by
 * stream.reassembly.memcap while live) does not stay allocated after it ends.
 * A thread's cache is freed when the thread exits (key destructor), the depot
 * by stream_deinit. */
#define RUN_CACHE_MAX 256u
#define RUN_DEPOT_BATCH 128u
#define RUN_DEPOT_MAX 512u      // batches
#if defined(__SANITIZE_ADDRESS__)
#define RUN_CACHE_ON false  // every run freed: AddressSanitizer keeps seeing a use after free
#else
#define RUN_CACHE_ON true
#endif

typedef struct RunCache {
    StreamRun *head;             // linked through left
    uint32_t n;
    bool is_registered;          // the exit destructor knows this thread's cache
} RunCache;

static _Thread_local RunCache t_runs;   // this thread's only
static pthread_key_t g_run_key;
static pthread_once_t g_run_once = PTHREAD_ONCE_INIT;
static bool g_run_key_ok;              // written once, under g_run_once

/* Batches of RUN_DEPOT_BATCH runs: the runs of a batch linked through left,
 * the batches through their first run's right. */
static pthread_mutex_t g_depot_lock = PTHREAD_MUTEX_INITIALIZER;
static StreamRun *g_depot;             // under g_depot_lock
static uint32_t g_depot_n;             // batches in g_depot, under g_depot_lock

static void run_list_free(StreamRun *r)
{
    while (r != NULL) {
        StreamRun *next = r->left;
        free(r);
        r = next;
    }
}

static void run_cache_free(void *arg)
{
    RunCache *c = arg;
    run_list_free(c->head);
    c->head = NULL;
    c->n = 0;
    c->is_registered = false;
}

static void run_key_make(void)
{
    g_run_key_ok = pthread_key_create(&g_run_key, run_cache_free) == 0;
}

void stream_reasm_depot_free(void)
{
    pthread_mutex_lock(&g_depot_lock);
    StreamRun *b = g_depot;
    g_depot = NULL;
    g_depot_n = 0;
    pthread_mutex_unlock(&g_depot_lock);
    while (b != NULL) {
        StreamRun *next = b->right;
        run_list_free(b);
        b = next;
    }
}

/* This thread's cache has its exit destructor (registered on first use):
 * without one, runs are neither cached nor taken from the depot. */
static bool run_cache_ready(void)
{
    if (!t_runs.is_registered) {
        pthread_once(&g_run_once, run_key_make);
        t_runs.is_registered = g_run_key_ok && pthread_setspecific(g_run_key, &t_runs) == 0;
    }
    return t_runs.is_registered;
}

static StreamRun *run_alloc(void)
{
    if (t_runs.head == NULL) {
        StreamRun *b = NULL;
        if (RUN_CACHE_ON && run_cache_ready()) {
            pthread_mutex_lock(&g_depot_lock);
            b = g_depot;
            if (b != NULL) {
                g_depot = b->right;
                g_depot_n--;
            }
            pthread_mutex_unlock(&g_depot_lock);
        }
        if (b == NULL) {
            return malloc(sizeof(StreamRun));
        }
        t_runs.head = b;
        t_runs.n = RUN_DEPOT_BATCH;
    }
    StreamRun *r = t_runs.head;
    t_runs.head = r->left;
    t_runs.n--;
    return r;
}

/* The cache is full: its first RUN_DEPOT_BATCH runs go to the depot. */
static void run_cache_spill(void)
{
    StreamRun *first = t_runs.head;
    StreamRun *last = first;
    for (uint32_t i = 1; i < RUN_DEPOT_BATCH; i++) {
        last = last->left;
    }
    t_runs.head = last->left;
    t_runs.n -= RUN_DEPOT_BATCH;
    last->left = NULL;
    pthread_mutex_lock(&g_depot_lock);
    bool is_kept = g_depot_n < RUN_DEPOT_MAX;
    if (is_kept) {
        first->right = g_depot;
        g_depot = first;
        g_depot_n++;
    }
    pthread_mutex_unlock(&g_depot_lock);
    if (!is_kept) {
        run_list_free(first);
    }
}

static void run_release(StreamRun *r)
{
    if (!RUN_CACHE_ON || !run_cache_ready()) {
        free(r);
        return;
    }
    if (t_runs.n >= RUN_CACHE_MAX) {
        run_cache_spill();
    }
    r->left = t_runs.head;
    t_runs.head = r;
    t_runs.n++;
}

static void treap_free(StreamRun *t, uint32_t *n)
{
    while (t != NULL) {
        treap_free(t->left, n);
        StreamRun *r = t->right;
        run_release(t);
        stream_mem_release_reasm(sizeof(StreamRun));
        (*n)--;
        t = r;
    }
}

/* Offset of seq: the candidate (modulo 2^32) nearest to what this direction
 * has stored or delivered so far; negative before offset 0. */
static int64_t seq_to_off_signed(const TcpStream *s, uint32_t seq)
{
    int64_t ref = (int64_t)(s->stored_end > s->insp_off ? s->stored_end : s->insp_off);
    int64_t off = (int64_t)(((uint64_t)ref & ~0xffffffffull) | (uint32_t)(seq - s->base_seq));
    if (off > ref + 0x80000000ll) {
        off -= 0x100000000ll;
    } else if (off + 0x80000000ll < ref) {
        off += 0x100000000ll;
    }
    return off;
}

uint64_t stream_seq_to_off(const TcpStream *s, uint32_t seq)
{
    int64_t off = seq_to_off_signed(s, seq);
    return off < 0 ? 0 : (uint64_t)off;
}

/* ---- the byte buffer ---- */

static int buf_reserve(TcpStream *s, uint64_t end)
{
    if (s->buf != NULL && end <= s->buf_base + s->buf_cap) {
        return 0;
    }
    if (s->buf == NULL) {
        s->buf_base = s->insp_off < s->ovl_avail ? 0 : s->insp_off - s->ovl_avail;
    }
    uint64_t need = end - s->buf_base;
    if (need > UINT32_MAX / 2) {
        return VG_ENOMEM;
    }
    uint64_t cap = s->buf_cap ? s->buf_cap : 4096;
    while (cap < need) {
        cap *= 2;
    }
    if (!stream_mem_charge_reasm(cap - s->buf_cap)) {
        return VG_ENOMEM;
    }
    uint8_t *nb = realloc(s->buf, cap);
    if (nb == NULL) {
        stream_mem_release_reasm(cap - s->buf_cap);
        return VG_ENOMEM;
    }
    s->buf = nb;
    s->buf_cap = (uint32_t)cap;
    return 0;
}

const uint8_t *stream_reasm_ptr(const TcpStream *s, uint64_t off)
{
    return s->buf + (off - s->buf_base);
}

/* ---- queries ---- */

uint64_t stream_reasm_run_len(const TcpStream *s, uint64_t off)
{
    uint64_t end = off;
    const StreamRun *r;
    while ((r = run_find(s->runs, end)) != NULL) {
        end = r->end;
    }
    return end - off;
}

uint64_t stream_reasm_next_stored(const TcpStream *s, uint64_t off)
{
    if (run_find(s->runs, off) != NULL) {
        return off;
    }
    uint64_t best = UINT64_MAX;
    for (const StreamRun *t = s->runs; t != NULL;) {
        if (t->start > off) {
            best = t->start;
            t = t->left;
        } else {
            t = t->right;
        }
    }
    return best;
}

/* ---- insert ---- */

typedef struct InsertCtx {
    StreamThread *st;
    Packet *p;
    TcpStream *s;
    uint64_t ns;                 // the part of the new segment to store
    uint64_t ne;
    uint64_t os;                 // the new segment's whole extent (policy decisions)
    uint64_t oe;
    const uint8_t *data;         // data[0] is offset ns
    StreamRun *out;              // rebuilt runs, in order
    bool overlapped;
    bool diff;
    int rc;
} InsertCtx;

static StreamRun *run_new(uint64_t start, uint64_t end, uint64_t os, uint64_t oe)
{
    if (!stream_mem_charge_reasm(sizeof(StreamRun))) {
        return NULL;
    }
    StreamRun *r = run_alloc();
    if (r == NULL) {
        stream_mem_release_reasm(sizeof(StreamRun));
        return NULL;
    }
    *r = (StreamRun){.start = start, .end = end, .ostart = os, .oend = oe, .prio = run_prio()};
    return r;
}

static void run_drop(StreamRun *r)
{
    if (r != NULL) {
        run_release(r);
        stream_mem_release_reasm(sizeof(StreamRun));
    }
}

/* Append a run to the rebuilt list, merging with the previous one when both
 * hold the same segment's bytes and touch. */
static void emit(InsertCtx *c, StreamRun *r)
{
    StreamRun *last = treap_max(c->out);
    if (last != NULL && last->end == r->start && last->ostart == r->ostart &&
        last->oend == r->oend) {
        last->end = r->end;
        run_release(r);
        stream_mem_release_reasm(sizeof(StreamRun));
        c->s->n_runs--;
        return;
    }
    r->left = r->right = NULL;
    c->out = treap_merge(c->out, r);
}

static void emit_new(InsertCtx *c, uint64_t start, uint64_t end)
{
    if (start >= end || c->rc != 0) {
        return;
    }
    StreamRun *r = run_new(start, end, c->os, c->oe);
    if (r == NULL) {
        c->rc = VG_ENOMEM;
        return;
    }
    memcpy(c->s->buf + (start - c->s->buf_base), c->data + (start - c->ns), end - start);
    c->s->n_runs++;
    emit(c, r);
}

/* Split old run x at [a, b) (its overlap with the new segment) when the new
 * data wins there; otherwise keep it whole. Takes ownership of x. */
static void resolve_overlap(InsertCtx *c, StreamRun *x)
{
    uint64_t a = x->start > c->ns ? x->start : c->ns;
    uint64_t b = x->end < c->ne ? x->end : c->ne;
    uint8_t *old = c->s->buf + (a - c->s->buf_base);
    const uint8_t *nw = c->data + (a - c->ns);
    c->overlapped = true;
    bool same = memcmp(old, nw, b - a) == 0;
    c->diff |= !same;
    if (same || !stream_policy_new_wins((StreamPolicy)c->s->policy, c->os, c->oe, x->ostart,
                                        x->oend)) {
        emit(c, x);
        return;
    }
    memcpy(old, nw, b - a);
    StreamRun *mid = run_new(a, b, c->os, c->oe);
    StreamRun *tail = b < x->end ? run_new(b, x->end, x->ostart, x->oend) : NULL;
    if (mid == NULL || (b < x->end && tail == NULL)) {
        // the new bytes stay, owned by x: only the recorded extent is off
        run_drop(mid);
        run_drop(tail);
        c->rc = VG_ENOMEM;
        emit(c, x);
        return;
    }
    c->s->n_runs += 1u + (tail != NULL);
    if (a > x->start) {
        x->end = a;
        emit(c, x);
    } else {
        run_release(x);
        stream_mem_release_reasm(sizeof(StreamRun));
        c->s->n_runs--;
    }
    emit(c, mid);
    if (tail != NULL) {
        emit(c, tail);
    }
}

/* In-order walk of the detached runs that intersect the new segment. */
static void walk_overlaps(InsertCtx *c, StreamRun *t, uint64_t *cursor)
{
    while (t != NULL) {
        walk_overlaps(c, t->left, cursor);
        StreamRun *right = t->right;
        emit_new(c, *cursor, t->start < c->ne ? t->start : c->ne);
        if (t->end > *cursor) {
            *cursor = t->end;
        }
        resolve_overlap(c, t);
        t = right;
    }
}

static void count_overlap(InsertCtx *c)
{
    if (!c->overlapped) {
        return;
    }
    stream_count(c->st, SC_OVERLAP);
    if (c->diff) {
        stream_count(c->st, SC_OVERLAP_DIFF_DATA);
        stream_event(c->st, c->p, DECODE_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA);
    }
}

static int insert_range(InsertCtx *ic, uint64_t ns, uint64_t ne, const uint8_t *data)
{
    InsertCtx c = *ic;
    TcpStream *s = c.s;
    c.ns = ns;
    c.ne = ne;
    c.data = data;
    StreamRun *before;
    StreamRun *mid;
    StreamRun *after;
    treap_split(s->runs, ns, &before, &mid);
    StreamRun *prev = treap_max(before);
    if (prev != NULL && prev->end > ns) {
        StreamRun *p1;
        treap_split(before, prev->start, &before, &p1);
        mid = treap_merge(p1, mid);
    }
    treap_split(mid, ne, &mid, &after);
    uint64_t cursor = ns;
    c.out = NULL;
    walk_overlaps(&c, mid, &cursor);
    emit_new(&c, cursor, ne);
    s->runs = treap_merge(treap_merge(before, c.out), after);
    count_overlap(&c);
    if (ne > s->stored_end) {
        s->stored_end = ne;
    }
    return c.rc;
}

static void depth_reached(StreamThread *st, Packet *p, TcpStream *s)
{
    s->flags |= STREAM_F_DEPTH;
    if (!(s->flags & STREAM_F_DEPTH_EV)) {
        s->flags |= STREAM_F_DEPTH_EV;
        stream_count(st, SC_DEPTH_REACHED);
        stream_event(st, p, DECODE_EV_STREAM_REASSEMBLY_DEPTH_REACHED);
    }
}

int stream_reasm_insert(StreamThread *st, Packet *p, TcpStream *s, uint32_t seq,
                        const uint8_t *data, uint32_t len)
{
    if (len == 0 || (s->flags & STREAM_F_NOREASM)) {
        return 0;
    }
    int64_t seg_start = seq_to_off_signed(s, seq);
    int64_t ns = seg_start;
    int64_t ne = seg_start + len;
    /* delivered bytes (to inspection or to subscribers) are never rewritten */
    int64_t floor = (int64_t)(s->sub_off > s->insp_off ? s->sub_off : s->insp_off);
    if (s->buf != NULL && (int64_t)s->buf_base > floor) {
        floor = (int64_t)s->buf_base;
    }
    if (ne <= 0 || (s->buf != NULL && ne <= (int64_t)s->buf_base)) {
        /* wholly before the base: before the first byte, or below what was
         * already pruned (data merely inspected, inline, does not count:
         * Suricata keeps such data until it is acked, and its retransmission
         * is only a pkt_retransmission) */
        stream_event(st, p, DECODE_EV_STREAM_REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ);
        return 0;
    }
    uint64_t depth = stream_depth_of(s);
    if (depth != 0 && ne > (int64_t)depth) {
        depth_reached(st, p, s);
        ne = (int64_t)depth;
    }
    ns = ns < floor ? floor : ns;
    if (ns >= ne) {
        return 0;
    }
    if (ne - floor > (int64_t)STREAM_MAX_AHEAD_BYTES) {
        /* The buffer is sized by reach, not by bytes held: one byte far ahead
         * of the delivered data would reserve (or exhaust the memcap for)
         * everything in between. Refuse that segment alone; reassembly of
         * the direction goes on (a retransmission can still fill in). */
        stream_count(st, SC_SEGMENT_MEMCAP_DROP);
        return 0;
    }
    if (buf_reserve(s, (uint64_t)ne) != 0) {
        s->flags |= STREAM_F_NOREASM;
        stream_count(st, SC_SEGMENT_MEMCAP_DROP);
        stream_event(st, p, DECODE_EV_STREAM_REASSEMBLY_MEMCAP);
        return VG_ENOMEM;
    }
    InsertCtx c = {.st = st, .p = p, .s = s, .os = seg_start < 0 ? 0 : (uint64_t)seg_start,
                   .oe = (uint64_t)(seg_start + len)};
    int rc = insert_range(&c, (uint64_t)ns, (uint64_t)ne, data + (ns - seg_start));
    if (rc != 0) {
        s->flags |= STREAM_F_NOREASM;
        stream_count(st, SC_INSERT_FAIL);
        stream_count(st, SC_SEGMENT_MEMCAP_DROP);
        stream_event(st, p, DECODE_EV_STREAM_REASSEMBLY_MEMCAP);
    }
    return rc;
}

/* Appends the runs of t, in order, to *out, a run touching the previous one
 * becoming part of it. */
static void coalesce_walk(StreamRun *t, StreamRun **out, uint32_t *n)
{
    while (t != NULL) {
        coalesce_walk(t->left, out, n);
        StreamRun *right = t->right;
        StreamRun *last = treap_max(*out);
        if (last != NULL && last->end == t->start) {
            last->end = t->end;
            last->oend = t->end;
            run_release(t);
            stream_mem_release_reasm(sizeof(StreamRun));
            (*n)--;
        } else {
            t->left = t->right = NULL;
            t->ostart = t->start;
            t->oend = t->end;
            *out = treap_merge(*out, t);
        }
        t = right;
    }
}

/* Bytes below the floor (what inspection or a subscriber was given) are never
 * written again, so no overlap decision looks at the segment extents of runs
 * wholly below it: those runs only say which bytes are stored, and touching
 * ones become one. Without this a direction held a run per segment over the
 * whole overlap window behind the inspected data (hundreds on a bulk
 * transfer, each a malloc while the flow grew). A run reaching past the
 * floor keeps its extent for the bytes above. */
static void coalesce_delivered(TcpStream *s)
{
    if (s->n_runs < 2) {
        return;
    }
    uint64_t floor = s->sub_off > s->insp_off ? s->sub_off : s->insp_off;
    StreamRun *below;
    StreamRun *rest;
    treap_split(s->runs, floor, &below, &rest);
    StreamRun *last = treap_max(below);
    if (last != NULL && last->end > floor) {
        StreamRun *straddle;
        treap_split(below, last->start, &below, &straddle);
        rest = treap_merge(straddle, rest);
    }
    StreamRun *out = NULL;
    coalesce_walk(below, &out, &s->n_runs);
    s->runs = treap_merge(out, rest);
}

void stream_reasm_prune(TcpStream *s, uint64_t off)
{
    coalesce_delivered(s);
    if (s->buf == NULL || off <= s->buf_base) {
        return;
    }
    StreamRun *old;
    StreamRun *keep;
    treap_split(s->runs, off, &old, &keep);
    StreamRun *last = treap_max(old);
    if (last != NULL && last->end > off) {
        StreamRun *l1;
        treap_split(old, last->start, &old, &l1);
        last->start = off;        // partly kept: trim its stored range only
        keep = treap_merge(l1, keep);
    }
    treap_free(old, &s->n_runs);
    s->runs = keep;
    uint64_t drop = off - s->buf_base;
    /* Move the bytes down once at least half the buffer is dead: amortised O(1). */
    if (drop >= s->buf_cap) {
        s->buf_base = off;        // nothing left to keep
    } else if (drop >= s->buf_cap / 2) {
        memmove(s->buf, s->buf + drop, s->buf_cap - drop);
        s->buf_base = off;
    }
}

void stream_reasm_forget(TcpStream *s)
{
    stream_reasm_free(s);
    s->buf_base = 0;
    s->stored_end = 0;
    s->ooo_start = 0;
    s->ooo_end = 0;
}

void stream_reasm_free(TcpStream *s)
{
    treap_free(s->runs, &s->n_runs);
    s->runs = NULL;
    if (s->buf != NULL) {
        stream_mem_release_reasm(s->buf_cap);
        free(s->buf);
    }
    s->buf = NULL;
    s->buf_cap = 0;
}
