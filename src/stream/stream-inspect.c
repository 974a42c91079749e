/* What detection and subscribers get to see of the reassembled data.
 *
 * IDS: a direction's data becomes inspectable once the peer acknowledges it
 * (what the receiver accepted is what it acked), handed out with the next
 * packet of that direction once at least a chunk has gathered or the session
 * is in one of Suricata's flushing states (inspect_ids), and at flow end
 * whatever is left; subscribers get it with the acknowledging packet.
 * Inline: the in-order data not yet acknowledged, with the packet that
 * completes it, so that a match can drop that packet, inspected in a window
 * reaching up to a chunk back (inline_window).
 * IDS pieces are preceded by up to "overlap" bytes already seen, so that a
 * pattern spanning two pieces is still found whole; detection ignores
 * matches that end inside the overlap.
 *
 * Chunk size for a server port and direction: the configured
 * stream.reassembly.to{server,client}-chunk-size, as in Suricata, where raw
 * data waits for a full chunk (or the session closing) before it is
 * inspected; only stream_set_min_chunk lowers it (never below
 * STREAM_CHUNK_FLOOR). Overlap: the longest need declared through
 * stream_declare_need or stream_set_min_chunk, minus one
 * (STREAM_DEFAULT_OVERLAP when nothing was declared), never above the chunk. */
#include "stream/stream-internal.h"

#include <stdatomic.h>
#include <string.h>

#include "util/util-error.h"

/* Written at start-up (stream_set_min_chunk) and, only ever growing, when a
 * rule reload builds a new engine while packets flow: hence relaxed atomics. */
static _Atomic uint32_t g_min_chunk[2][65536];
static _Atomic uint32_t g_need[2][65536];       // overlap only, chunk untouched
static _Atomic uint32_t g_max_declared;
static _Atomic bool g_tx_window;                // stream_declare_tx_window

typedef struct Subscriber {
    StreamRecvFn fn;
    void *user;
    uint8_t dir;
} Subscriber;

static Subscriber g_subs[STREAM_MAX_SUBSCRIBERS];
static int g_n_subs;

static void raise_to(_Atomic uint32_t *v, uint32_t bytes)
{
    if (bytes > atomic_load_explicit(v, memory_order_relaxed)) {
        atomic_store_explicit(v, bytes, memory_order_relaxed);
    }
}

void stream_set_min_chunk(uint16_t port, uint8_t dir, uint32_t bytes)
{
    if (dir > STREAM_DIR_TOCLIENT) {
        return;
    }
    raise_to(&g_min_chunk[dir][port], bytes);
    raise_to(&g_max_declared, bytes);
}

void stream_declare_need(uint16_t port, uint8_t dir, uint32_t bytes)
{
    if (dir > STREAM_DIR_TOCLIENT) {
        return;
    }
    raise_to(&g_need[dir][port], bytes);
    raise_to(&g_max_declared, bytes);
}

void stream_chunks_reset(void)
{
    for (uint32_t d = 0; d < 2; d++) {
        for (uint32_t port = 0; port < 65536; port++) {
            atomic_store_explicit(&g_min_chunk[d][port], 0, memory_order_relaxed);
            atomic_store_explicit(&g_need[d][port], 0, memory_order_relaxed);
        }
    }
    atomic_store_explicit(&g_max_declared, 0, memory_order_relaxed);
    atomic_store_explicit(&g_tx_window, false, memory_order_relaxed);
}

void stream_declare_tx_window(void)
{
    atomic_store_explicit(&g_tx_window, true, memory_order_relaxed);
}

static uint32_t port_max(_Atomic uint32_t (*t)[65536], uint16_t port, uint8_t dir)
{
    uint32_t a = atomic_load_explicit(&t[dir][port], memory_order_relaxed);
    uint32_t b = atomic_load_explicit(&t[dir][0], memory_order_relaxed);
    return a > b ? a : b;
}

static uint32_t declared(uint16_t port, uint8_t dir)
{
    uint32_t a = port_max(g_min_chunk, port, dir);
    uint32_t b = port_max(g_need, port, dir);
    return a > b ? a : b;
}

uint32_t stream_chunk_size(uint16_t port, uint8_t dir)
{
    uint32_t cfg = g_stream_cfg.chunk_bytes[dir & 1];
    cfg = cfg ? cfg : 2560;
    uint32_t need = port_max(g_min_chunk, port, dir & 1);
    if (need == 0) {
        return cfg;
    }
    need = need < STREAM_CHUNK_FLOOR ? STREAM_CHUNK_FLOOR : need;
    return need < cfg ? need : cfg;
}

uint32_t stream_overlap_size(uint16_t port, uint8_t dir)
{
    uint32_t need = declared(port, dir & 1);
    uint32_t ov = need ? need - 1 : STREAM_DEFAULT_OVERLAP;
    uint32_t chunk = stream_chunk_size(port, dir);
    return ov < chunk ? ov : chunk;
}

/* Bytes kept before the delivery point of any stream. */
static uint64_t keep_bytes(void)
{
    uint64_t m = atomic_load_explicit(&g_max_declared, memory_order_relaxed);
    uint64_t k = m ? m : STREAM_DEFAULT_OVERLAP + 1;
    return k > STREAM_MAX_CHUNK ? STREAM_MAX_CHUNK : k;
}

int stream_subscribe(uint8_t dir, StreamRecvFn fn, void *user)
{
    if (g_n_subs >= STREAM_MAX_SUBSCRIBERS || fn == NULL || dir > STREAM_DIR_TOCLIENT) {
        return VG_ERANGE;
    }
    g_subs[g_n_subs] = (Subscriber){.fn = fn, .user = user, .dir = dir};
    return g_n_subs++;
}

void stream_subscribers_reset(void)
{
    g_n_subs = 0;
}

static void notify(Flow *f, int idx, int note, const uint8_t *data, uint32_t len)
{
    for (int i = 0; i < g_n_subs; i++) {
        if (g_subs[i].dir == idx) {
            g_subs[i].fn(f, (uint8_t)idx, note, data, len, g_subs[i].user);
        }
    }
}

/* ---- delivery ---- */

typedef struct Piece {
    const uint8_t *data;         // overlap included
    uint64_t off;                // stream offset of data[0]
    uint32_t len;
    uint32_t flags;              // PKT_STREAM_* with the overlap in the high bits
} Piece;

/* The offset where this direction's data ends for good, or UINT64_MAX. */
static uint64_t final_end(const TcpSession *ssn, const TcpStream *s)
{
    uint64_t end = UINT64_MAX;
    if (s->flags & STREAM_F_FIN) {
        end = stream_seq_to_off(s, s->fin_seq);
    }
    if (ssn->state == TCP_CLOSED && s->next_seq != s->base_seq) {
        uint64_t e = stream_seq_to_off(s, s->next_seq);
        end = e < end ? e : end;
    }
    uint64_t depth = stream_depth_of(s);
    if (depth != 0 && depth < end) {
        end = depth;
    }
    if (s->flags & STREAM_F_NOREASM) {
        end = s->stored_end < end ? s->stored_end : end;
    }
    return end;
}

/* Skip data declared missing below gap_limit; counts and notifies once. */
static void skip_gap(StreamThread *st, Packet *p, Flow *f, TcpStream *s, int idx,
                     uint64_t gap_limit)
{
    uint64_t next = stream_reasm_next_stored(s, s->insp_off);
    if (next == s->insp_off || s->insp_off >= gap_limit) {
        return;
    }
    s->insp_off = next < gap_limit ? next : gap_limit;
    s->ovl_avail = 0;
    s->flags |= STREAM_F_GAP_PENDING;
    stream_count(st, SC_REASSEMBLY_GAP);
    stream_event(st, p, DECODE_EV_STREAM_REASSEMBLY_SEQ_GAP);
    (void)f;
    (void)idx;
}

/* The next in-order piece of s below data_limit (missing data below
 * gap_limit is skipped). Returns false when there is nothing. */
static bool next_piece(StreamThread *st, Packet *p, Flow *f, TcpSession *ssn, int idx,
                       uint64_t gap_limit, uint64_t data_limit, Piece *out)
{
    TcpStream *s = &ssn->streams[idx];
    skip_gap(st, p, f, s, idx, gap_limit);
    uint64_t start = s->insp_off;
    if (s->ooo_end > start && s->ooo_start <= start) {
        /* inspected inline beyond a hole (ooo_view): stepped over as seen */
        uint64_t seen = stream_reasm_run_len(s, start);
        uint64_t to = start + seen < s->ooo_end ? start + seen : s->ooo_end;
        s->ovl_avail += to - start;
        s->insp_off = start = to;
    }
    if (start >= data_limit) {
        return false;
    }
    uint64_t run = stream_reasm_run_len(s, start);
    if (run > data_limit - start) {
        run = data_limit - start;
    }
    if (run == 0 || s->buf == NULL) {
        return false;
    }
    uint64_t ov = stream_overlap_size(ssn->server_port, (uint8_t)idx);
    ov = ov < s->ovl_avail ? ov : s->ovl_avail;
    ov = ov < start - s->buf_base ? ov : start - s->buf_base;
    ov = ov > PKT_STREAM_OVERLAP_MAX ? PKT_STREAM_OVERLAP_MAX : ov;
    run = run > UINT32_MAX - ov ? UINT32_MAX - ov : run;
    const uint8_t *piece = stream_reasm_ptr(s, start);
    out->data = piece - ov;
    out->off = start - ov;
    out->len = (uint32_t)(ov + run);
    out->flags = (idx == 0 ? PKT_STREAM_TOSERVER : 0) | ((uint32_t)ov << PKT_STREAM_OVERLAP_SHIFT);
    if (s->flags & STREAM_F_GAP_PENDING) {
        out->flags |= PKT_STREAM_GAP;
        s->flags &= ~STREAM_F_GAP_PENDING;
    }
    if (s->flags & STREAM_F_DEPTH) {
        out->flags |= PKT_STREAM_DEPTH;
    }
    s->insp_off = start + run;
    s->ovl_avail += run;
    return true;
}

/* Subscribers get every in-order byte below limit as soon as it is accepted, not in
 * inspection chunks (a parser must see a short request before the long response that
 * answers it). Data missing below gap_limit (acknowledged but never seen, or below the
 * last stored byte at flow end) is announced once with its length and skipped; missing
 * data above it may still arrive (out of order), so delivery waits there.
 *
 * Bytes handed out here are never rewritten: the insert floor is max(sub_off, insp_off)
 * (stream-reassemble.c), so detection later inspects exactly what the parsers parsed.
 * sub_off only moves forward and pruning follows insp_off <= sub_off: no extra memory. */
static void deliver_subs(Flow *f, TcpStream *s, int idx, uint64_t gap_limit, uint64_t limit)
{
    bool any = false;
    for (int i = 0; i < g_n_subs && !any; i++) {
        any = g_subs[i].dir == idx;
    }
    if (!any) {
        return;
    }
    if (s->sub_off < s->insp_off) {
        /* inspection skipped missing data the subscribers were not told about yet */
        uint64_t miss = s->insp_off - s->sub_off;
        s->sub_off = s->insp_off;
        notify(f, idx, STREAM_NOTE_GAP, NULL, miss > UINT32_MAX ? UINT32_MAX : (uint32_t)miss);
    }
    gap_limit = gap_limit < limit ? gap_limit : limit;
    while (s->sub_off < limit) {
        uint64_t off = s->sub_off;
        uint64_t run = (s->buf != NULL && off >= s->buf_base) ? stream_reasm_run_len(s, off) : 0;
        if (run == 0) {
            if (off >= gap_limit) {
                return;
            }
            uint64_t next = s->buf != NULL ? stream_reasm_next_stored(s, off) : UINT64_MAX;
            uint64_t to = next < gap_limit ? next : gap_limit;
            if (to <= off) {
                return;
            }
            s->sub_off = to;
            uint64_t miss = to - off;
            notify(f, idx, STREAM_NOTE_GAP, NULL,
                   miss > UINT32_MAX ? UINT32_MAX : (uint32_t)miss);
            continue;
        }
        run = run < limit - off ? run : limit - off;
        run = run > UINT32_MAX ? UINT32_MAX : run;
        s->sub_off = off + run;
        notify(f, idx, STREAM_NOTE_DATA, stream_reasm_ptr(s, off), (uint32_t)run);
    }
}

static bool is_closed(const TcpSession *ssn, const TcpStream *s)
{
    return (s->flags & (STREAM_F_FIN | STREAM_F_RST)) || ssn->state == TCP_CLOSED;
}

/* Subscribers: once a closed direction's data up to its final end is
 * available (limit), everything is handed over and the close told, once. */
static void subs_eof(Flow *f, const TcpSession *ssn, TcpStream *s, int idx, uint64_t limit)
{
    uint64_t end = final_end(ssn, s);
    end = end < s->stored_end ? end : s->stored_end;
    if (!is_closed(ssn, s) || limit < end) {
        return;
    }
    deliver_subs(f, s, idx, end, end);
    if (!(s->flags & STREAM_F_EOF_DONE)) {
        s->flags |= STREAM_F_EOF_DONE;
        notify(f, idx, STREAM_NOTE_CLOSE, NULL, 0);
    }
}

/* Whether raw inspection reached the final end of a closed direction. */
static bool eof_inspected(const TcpSession *ssn, const TcpStream *s)
{
    uint64_t end = final_end(ssn, s);
    end = end < s->stored_end ? end : s->stored_end;
    return is_closed(ssn, s) && s->insp_off >= end;
}

/* EOF once everything up to the final end was inspected. */
static bool reached_eof(Flow *f, const TcpSession *ssn, TcpStream *s, int idx)
{
    uint64_t end = final_end(ssn, s);
    end = end < s->stored_end ? end : s->stored_end;
    if (!is_closed(ssn, s) || s->insp_off < end) {
        return false;
    }
    subs_eof(f, ssn, s, idx, s->insp_off);
    return true;
}

static void prune(const TcpSession *ssn, TcpStream *s, int idx, bool is_inline, bool is_window)
{
    uint64_t keep = keep_bytes();
    if (is_inline || is_window) {
        /* an inline window (inline_window) or a tx's payload window
         * (stream_flow_window) reaches a chunk back */
        uint64_t chunk = stream_chunk_size(ssn->server_port, (uint8_t)idx);
        keep = chunk > keep ? chunk : keep;
    }
    uint64_t off = s->insp_off > keep ? s->insp_off - keep : 0;
    if (is_inline && (s->flags & STREAM_F_ACK_SEEN)) {
        uint64_t acked = stream_seq_to_off(s, s->last_ack);
        off = acked < off ? acked : off;
    }
    stream_reasm_prune(s, off);
}

void stream_inspect_prepare(TcpSession *ssn)
{
    bool is_inline = stream_is_inline();
    bool is_window = atomic_load_explicit(&g_tx_window, memory_order_relaxed);
    prune(ssn, &ssn->streams[0], 0, is_inline, is_window);
    prune(ssn, &ssn->streams[1], 1, is_inline, is_window);
}

bool stream_flow_window(const Flow *f, uint8_t dir, const uint8_t **data, uint32_t *len)
{
    if (f == NULL || f->key.proto != 6 || f->protoctx == NULL || dir > STREAM_DIR_TOCLIENT) {
        return false;
    }
    const TcpSession *ssn = f->protoctx;
    const TcpStream *s = &ssn->streams[dir];
    /* The right edge: what the app layer (subscribers) or inspection has had. */
    uint64_t end = s->sub_off > s->insp_off ? s->sub_off : s->insp_off;
    if (s->buf == NULL || end <= s->buf_base) {
        return false;
    }
    uint64_t want = stream_chunk_size(ssn->server_port, dir);
    uint64_t start = end - s->buf_base > want ? end - want : s->buf_base;
    /* Only the contiguous data that reaches the edge (not across a gap). */
    while (start < end) {
        uint64_t run = stream_reasm_run_len(s, start);
        if (start + run >= end) {
            break;
        }
        uint64_t next = stream_reasm_next_stored(s, start + run);
        start = next == UINT64_MAX || next > end ? end : next;
    }
    if (start >= end) {
        return false;
    }
    *data = stream_reasm_ptr(s, start);
    *len = (uint32_t)(end - start);
    return true;
}

static uint64_t acked_off(const TcpStream *s)
{
    return (s->flags & STREAM_F_ACK_SEEN) ? stream_seq_to_off(s, s->last_ack) : 0;
}

static void set_view(const TcpSession *ssn, Packet *p, const Piece *pc)
{
    p->stream_data = pc->data;
    p->stream_view_off = pc->off;
    p->stream_data_len = pc->len;
    p->stream_flags = pc->flags | (p->stream_flags & PKT_STREAM_ADDED);
    if (ssn->state >= TCP_ESTABLISHED) {
        p->stream_flags |= PKT_STREAM_EST;
    }
}

/* Inline, when the packet's data lies beyond a hole not yet declared a gap
 * (the peer did not acknowledge past it): the contiguous stored data holding
 * the packet is inspected with it, so that a match there can still drop this
 * packet, as Suricata inspects the data around an inline packet. Bytes an
 * earlier such view showed come first as overlap (matches ending inside them
 * are not reported again); insp_off stays before the hole. A hole filled
 * later gives an in-order view running on through the data seen here (a
 * match across the hole must be found; one inside the seen bytes may then be
 * reported again); a hole declared a gap is skipped along with them. */
static bool ooo_view(const TcpSession *ssn, const Packet *p, TcpStream *s, int dir,
                     uint64_t data_limit, Piece *out)
{
    if (!(p->stream_flags & PKT_STREAM_ADDED) || p->payload_len == 0 || s->buf == NULL) {
        return false;
    }
    uint64_t poff = stream_seq_to_off(s, p->tcp.seq);
    if (poff < s->insp_off || poff >= data_limit) {
        return false;
    }
    uint64_t h = s->insp_off;
    uint64_t run = 0;
    for (uint32_t n = 0; n <= s->n_runs; n++) {
        h = stream_reasm_next_stored(s, h);
        if (h == UINT64_MAX || h > poff) {
            return false;
        }
        run = stream_reasm_run_len(s, h);
        if (poff < h + run) {
            break;
        }
        h += run;
    }
    if (run == 0 || poff >= h + run || h < s->buf_base) {
        return false;
    }
    uint64_t end = h + run < data_limit ? h + run : data_limit;
    uint64_t start = h;
    uint64_t ov = 0;
    if (s->ooo_start == h && s->ooo_end > h) {
        if (s->ooo_end >= end) {
            return false;  // nothing new
        }
        uint64_t max_ov = stream_overlap_size(ssn->server_port, (uint8_t)dir);
        max_ov = max_ov > PKT_STREAM_OVERLAP_MAX ? PKT_STREAM_OVERLAP_MAX : max_ov;
        ov = s->ooo_end - h;
        if (ov > max_ov) {
            start = s->ooo_end - max_ov;
            ov = max_ov;
        }
    }
    if (end - start > UINT32_MAX) {
        return false;
    }
    out->data = stream_reasm_ptr(s, start);
    out->off = start;
    out->len = (uint32_t)(end - start);
    out->flags = (dir == 0 ? PKT_STREAM_TOSERVER : 0) | ((uint32_t)ov << PKT_STREAM_OVERLAP_SHIFT);
    s->ooo_start = h;
    s->ooo_end = end;
    return true;
}

/* Inline, as Suricata's inline raw inspection: the view of the new in-order data pc
 * (its overlap included) becomes a window of the contiguous data ending where the new
 * data ends, a chunk long (stream.reassembly.to{server,client}-chunk-size), or the new
 * data and a tenth of a chunk before it when the new data alone fills a chunk. The
 * bytes before the new data were inspected with earlier packets and are inspected
 * again, matches in them included (PKT_STREAM_WINDOW, overlap 0): a pattern split
 * across packets is found with the packet completing it, which can then be dropped,
 * and a stream rule matching old data within the window alerts again, as Suricata's.
 * The buffer is contiguous: the window is a pointer into it, nothing is copied; the
 * bytes stay stored because pruning keeps a chunk before insp_off inline (prune). */
static void inline_window(const TcpSession *ssn, const TcpStream *s, int dir, Piece *pc)
{
    uint32_t ov = pc->flags >> PKT_STREAM_OVERLAP_SHIFT;
    uint64_t new_off = pc->off + ov;
    uint64_t new_len = pc->len - ov;
    uint64_t chunk = stream_chunk_size(ssn->server_port, (uint8_t)dir);
    uint64_t lead = new_len >= chunk ? chunk / 10 : chunk - new_len;
    uint64_t seen = s->ovl_avail > new_len ? s->ovl_avail - new_len : 0;  // contiguous before
    lead = lead < seen ? lead : seen;
    lead = lead < new_off - s->buf_base ? lead : new_off - s->buf_base;
    lead = lead < UINT32_MAX - new_len ? lead : UINT32_MAX - new_len;
    pc->data = stream_reasm_ptr(s, new_off - lead);
    pc->off = new_off - lead;
    pc->len = (uint32_t)(lead + new_len);
    pc->flags &= ~(PKT_STREAM_OVERLAP_MAX << PKT_STREAM_OVERLAP_SHIFT);
    pc->flags |= PKT_STREAM_WINDOW;
}

static void inspect_inline(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p, int dir)
{
    TcpStream *s = &ssn->streams[dir];
    Piece pc;
    uint64_t gap_limit = acked_off(s);
    deliver_subs(f, s, dir, gap_limit, final_end(ssn, s));
    if (next_piece(st, p, f, ssn, dir, gap_limit, final_end(ssn, s), &pc)) {
        inline_window(ssn, s, dir, &pc);
        pc.flags |= PKT_STREAM_INLINE;
        if (reached_eof(f, ssn, s, dir)) {
            pc.flags |= PKT_STREAM_EOF;
        }
        set_view(ssn, p, &pc);
    } else if (ooo_view(ssn, p, s, dir, final_end(ssn, s), &pc)) {
        pc.flags |= PKT_STREAM_INLINE;
        set_view(ssn, p, &pc);
    } else {
        (void)reached_eof(f, ssn, s, dir);
    }
}

/* Suricata's application-layer parsers ask for raw inspection at every
 * message they complete instead of letting data wait for a full chunk. A
 * flow whose protocol a parser here owns (f->app_proto set, and not the app
 * layer's "failed", 0xffff) is therefore inspected at every acknowledgment;
 * flows of unknown protocols wait for a chunk or the session closing. */
static bool parser_owns(const Flow *f)
{
    const TcpSession *ssn = f->protoctx;
    if (ssn != NULL && (ssn->flags & SSN_F_RAW_CHUNKED)) {
        return false;
    }
    return f->app_proto != 0 && f->app_proto != 0xffff;
}

/* The session states in which Suricata inspects raw data whatever its amount:
 * those after TIME_WAIT (LAST_ACK, CLOSE_WAIT, CLOSING, CLOSED; the states are
 * named from the server's side, as Suricata's): the client sent the first FIN,
 * both FINs were sent while the server's was not yet acknowledged (a
 * simultaneous close), or the session closed (RST included). A server that
 * closes first (FIN_WAIT1, FIN_WAIT2, TIME_WAIT) does not trigger it. */
static bool raw_flush_state(const TcpSession *ssn)
{
    return ssn->state > TCP_TIME_WAIT;
}

/* The data of stream idx this packet may deliver: what the peer
 * acknowledged (all of it once the session closed, and a one-sided session's
 * own data as soon as it is stored), never past the final end. */
static uint64_t ids_limit(const TcpSession *ssn, const TcpStream *s)
{
    uint64_t limit = (ssn->flags & SSN_F_ASYNC) ? s->stored_end : acked_off(s);
    if (ssn->state == TCP_CLOSED) {
        limit = s->stored_end;
    }
    uint64_t end = final_end(ssn, s);
    return limit < end ? limit : end;
}

/* IDS, as Suricata's raw inspection: a packet carries a view of its own
 * direction's data, up to what the peer acknowledged, once a chunk has
 * gathered, the session is in a flush state (raw_flush_state), reassembly
 * depth was reached, or a parser owns the flow. Subscribers get the data this
 * packet acknowledges at once (a one-sided session's own). */
static void inspect_ids(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p, int dir)
{
    bool async = (ssn->flags & SSN_F_ASYNC) != 0;
    int acked_idx = async ? dir : 1 - dir;
    TcpStream *as = &ssn->streams[acked_idx];
    uint64_t alimit = ids_limit(ssn, as);
    deliver_subs(f, as, acked_idx, alimit, alimit);
    subs_eof(f, ssn, as, acked_idx, alimit);

    TcpStream *s = &ssn->streams[dir];
    uint64_t limit = ids_limit(ssn, s);
    deliver_subs(f, s, dir, limit, limit);
    uint32_t chunk = stream_chunk_size(ssn->server_port, (uint8_t)dir);
    bool due = raw_flush_state(ssn) || (s->flags & STREAM_F_DEPTH) || parser_owns(f);
    /* Subscribers (the app layer) hear of this direction's end only once
     * the peer acknowledged it (subs_eof above, on the acknowledging packet),
     * as its data: raw inspection of the sender's own packet must not tell
     * them earlier. */
    if (limit <= s->insp_off || (limit - s->insp_off < chunk && !due)) {
        return;
    }
    Piece pc;
    if (next_piece(st, p, f, ssn, dir, limit, limit, &pc)) {
        if (eof_inspected(ssn, s)) {
            pc.flags |= PKT_STREAM_EOF;
        }
        set_view(ssn, p, &pc);
    }
}

void stream_inspect_packet(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p)
{
    int dir = (p->flags & PKT_F_TOSERVER) ? 0 : 1;
    if (ssn->state < TCP_ESTABLISHED && ssn->state != TCP_CLOSED) {
        /* Inline, the data of a Fast Open SYN is inspected on the SYN itself (as
         * Suricata does), while the packet can still be dropped. */
        bool tfo_syn = (ssn->flags & SSN_F_TFO) && dir == ssn->init_dir &&
                       (p->stream_flags & PKT_STREAM_ADDED) && stream_is_inline();
        if (!tfo_syn) {
            return;
        }
    }
    if (stream_is_inline()) {
        inspect_inline(st, f, ssn, p, dir);
    } else {
        inspect_ids(st, f, ssn, p, dir);
    }
}

int stream_flow_end_flush(Flow *f,
                          void (*inspect)(const uint8_t *data, uint32_t len, uint32_t flags,
                                          void *user),
                          void *user)
{
    TcpSession *ssn = f->protoctx;
    if (ssn == NULL) {
        return 0;
    }
    int n = 0;
    for (int idx = 0; idx < 2; idx++) {
        TcpStream *s = &ssn->streams[idx];
        Piece pc;
        uint64_t end = s->stored_end;
        deliver_subs(f, s, idx, end, end);
        while (next_piece(NULL, NULL, f, ssn, idx, end, end, &pc)) {
            if (s->insp_off >= end) {
                pc.flags |= PKT_STREAM_EOF;
            }
            if (inspect != NULL) {
                inspect(pc.data, pc.len, pc.flags, user);
            }
            n++;
        }
        if (!(s->flags & STREAM_F_EOF_DONE)) {
            s->flags |= STREAM_F_EOF_DONE;
            notify(f, idx, STREAM_NOTE_CLOSE, NULL, 0);
        }
    }
    return n;
}
