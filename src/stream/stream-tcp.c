/* TCP session tracking: the handshake, sequence/ack/window validation, RST
 * and FIN handling, timestamps (RFC 7323 PAWS), keep-alives and zero-window
 * probes. Data that passes is handed to reassembly.
 *
 * Called by the packet thread owning the flow with f->lock held. streams[0]
 * is the data of the flow's client side (PKT_F_TOSERVER packets). */
#include "stream/stream-internal.h"

#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "util/util-error.h"

#define WSCALE_MAX 14            // RFC 7323 section 2.3

static int pkt_dir(const Packet *p)
{
    return (p->flags & PKT_F_TOSERVER) ? 0 : 1;
}

static uint8_t tcp_flags_syn_ack(const Packet *p)
{
    return p->tcp.flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN);
}

TcpSession *stream_session_new(StreamThread *st, const Packet *p)
{
    uint64_t sim = g_stream_cfg.sim_ssn_memcap_pkt;
    if (sim != 0 && p->pcap_cnt == sim) {
        stream_count(st, SC_SSN_MEMCAP_DROP);  // test hook: as if the memcap were reached
        return NULL;
    }
    if (!stream_mem_charge_ssn(sizeof(TcpSession))) {
        stream_count(st, SC_SSN_MEMCAP_DROP);
        return NULL;
    }
    TcpSession *ssn = calloc(1, sizeof(*ssn));
    if (ssn == NULL) {
        stream_mem_release_ssn(sizeof(TcpSession));
        stream_count(st, SC_SSN_MEMCAP_DROP);
        return NULL;
    }
    /* Each direction's data is reassembled as the host receiving it would. */
    const VgAddr *server = (p->flags & PKT_F_TOSERVER) ? &p->dst : &p->src;
    const VgAddr *client = (p->flags & PKT_F_TOSERVER) ? &p->src : &p->dst;
    ssn->streams[0].policy = (uint8_t)stream_policy_for(server);
    ssn->streams[1].policy = (uint8_t)stream_policy_for(client);
    ssn->server_port = (p->flags & PKT_F_TOSERVER) ? p->dp : p->sp;
    ssn->thread_id = st ? st->thread_id : 0;
    stream_count(st, SC_SESSIONS);
    return ssn;
}

void stream_session_free(void *v)
{
    TcpSession *ssn = v;
    if (ssn == NULL) {
        return;
    }
    stream_reasm_free(&ssn->streams[0]);
    stream_reasm_free(&ssn->streams[1]);
    free(ssn);
    stream_mem_release_ssn(sizeof(TcpSession));
}

static void set_state(Flow *f, TcpSession *ssn, TcpState state)
{
    ssn->state = (uint8_t)state;
    if (state == TCP_ESTABLISHED && !(ssn->flags & SSN_F_EST_REPORTED)) {
        ssn->flags |= SSN_F_EST_REPORTED;
        flow_set_state(f, FLOW_STATE_ESTABLISHED);
    } else if (state == TCP_CLOSED || state == TCP_TIME_WAIT || state == TCP_LAST_ACK) {
        /* Both sides sent their FIN: the flow takes the closed timeout
         * (flow-timeouts.tcp.closed), as Suricata does from these states. */
        flow_set_state(f, FLOW_STATE_CLOSED);
    }
}

/* The side of s sends its first sequence number (SYN or SYN/ACK). */
static void stream_start(TcpStream *s, const Packet *p)
{
    s->isn = p->tcp.seq;
    s->base_seq = p->tcp.seq + 1;
    s->next_seq = p->tcp.seq + 1;
    s->flags |= STREAM_F_SEEN;
    if (p->tcp.has_wscale) {
        s->flags |= STREAM_F_WSCALE;
        s->wscale = p->tcp.wscale > WSCALE_MAX ? WSCALE_MAX : p->tcp.wscale;
    }
    if (p->tcp.has_ts) {
        s->flags |= STREAM_F_TS;
        s->last_ts = p->tcp.ts_val;
    }
}

/* The peer acked up to ack: s's data below it is acknowledged. */
static void stream_acked(TcpStream *s, uint32_t ack)
{
    if (!(s->flags & STREAM_F_ACK_SEEN) || seq_gt(ack, s->last_ack)) {
        s->last_ack = ack;
    }
    s->flags |= STREAM_F_ACK_SEEN;
}

/* Options seen in the SYN and SYN/ACK decide scaling and timestamps. */
static void negotiate(TcpSession *ssn)
{
    TcpStream *a = &ssn->streams[0];
    TcpStream *b = &ssn->streams[1];
    if ((a->flags & STREAM_F_WSCALE) && (b->flags & STREAM_F_WSCALE)) {
        ssn->flags |= SSN_F_WSCALE;
    } else {
        a->wscale = 0;
        b->wscale = 0;
    }
    if ((a->flags & STREAM_F_TS) && (b->flags & STREAM_F_TS)) {
        ssn->flags |= SSN_F_TS;
    }
}

/* ---- data and acks (every state past the handshake) ---- */

/* s is the sender's data, r the receiver's; p acks r's data and advertises
 * the window for it. */
static void note_ack(TcpSession *ssn, TcpStream *s, TcpStream *r, const Packet *p)
{
    if (!(p->tcp.flags & TH_ACK)) {
        return;
    }
    stream_acked(r, p->tcp.ack);
    uint32_t shift = (ssn->flags & SSN_F_WSCALE) ? s->wscale : 0;
    r->window = (uint32_t)p->tcp.win << shift;
    if (!(r->flags & STREAM_F_SEEN) || seq_gt(p->tcp.ack, r->next_seq)) {
        /* one-sided view, or acked data that was never captured: what the peer acks
         * is what it sent */
        r->next_seq = p->tcp.ack;
    }
}

static bool is_keepalive(const TcpStream *s, const Packet *p)
{
    return p->payload_len <= 1 && p->tcp.seq == s->next_seq - 1 &&
           !(p->tcp.flags & (TH_SYN | TH_FIN | TH_RST));
}

static bool is_zero_window_probe(const TcpStream *s, const Packet *p)
{
    return (s->flags & STREAM_F_ACK_SEEN) && s->window == 0 && p->payload_len == 1 &&
           p->tcp.seq == s->next_seq;
}

static DecodeEvent invalid_ack_event(TcpState state)
{
    switch (state) {
    case TCP_FIN_WAIT1:
        return DECODE_EV_STREAM_FIN1_INVALID_ACK;
    case TCP_FIN_WAIT2:
        return DECODE_EV_STREAM_FIN2_INVALID_ACK;
    case TCP_CLOSING:
        return DECODE_EV_STREAM_CLOSING_INVALID_ACK;
    case TCP_CLOSE_WAIT:
        return DECODE_EV_STREAM_CLOSEWAIT_INVALID_ACK;
    case TCP_LAST_ACK:
        return DECODE_EV_STREAM_LASTACK_INVALID_ACK;
    case TCP_TIME_WAIT:
        return DECODE_EV_STREAM_TIMEWAIT_INVALID_ACK;
    default:
        return DECODE_EV_STREAM_EST_INVALID_ACK;
    }
}

/* A packet beyond the receiver's window. Suricata names it by state: in the
 * closing states it is a "wrong seq" (FIN or ACK), in CLOSE_WAIT "out of
 * window", elsewhere est_packet_out_of_window / fin_out_of_window. */
static DecodeEvent out_of_window_event(TcpState state, const Packet *p)
{
    bool fin = (p->tcp.flags & TH_FIN) != 0;
    switch (state) {
    case TCP_FIN_WAIT1:
        return fin ? DECODE_EV_STREAM_FIN1_FIN_WRONG_SEQ : DECODE_EV_STREAM_FIN1_ACK_WRONG_SEQ;
    case TCP_FIN_WAIT2:
        return fin ? DECODE_EV_STREAM_FIN2_FIN_WRONG_SEQ : DECODE_EV_STREAM_FIN2_ACK_WRONG_SEQ;
    case TCP_CLOSE_WAIT:
        return fin ? DECODE_EV_STREAM_CLOSEWAIT_FIN_OUT_OF_WINDOW
                   : DECODE_EV_STREAM_CLOSEWAIT_ACK_OUT_OF_WINDOW;
    case TCP_CLOSING:
        return fin ? DECODE_EV_STREAM_FIN_OUT_OF_WINDOW : DECODE_EV_STREAM_CLOSING_ACK_WRONG_SEQ;
    case TCP_LAST_ACK:
        return fin ? DECODE_EV_STREAM_FIN_OUT_OF_WINDOW : DECODE_EV_STREAM_LASTACK_ACK_WRONG_SEQ;
    case TCP_TIME_WAIT:
        return fin ? DECODE_EV_STREAM_FIN_OUT_OF_WINDOW : DECODE_EV_STREAM_TIMEWAIT_ACK_WRONG_SEQ;
    default:
        return fin ? DECODE_EV_STREAM_FIN_OUT_OF_WINDOW : DECODE_EV_STREAM_EST_PACKET_OUT_OF_WINDOW;
    }
}

/* A packet without data whose sequence number lies before what the peer
 * already acked (a stale or forged ACK): Suricata rejects it with
 * est_pkt_before_last_ack (closewait_pkt_before_last_ack in CLOSE_WAIT). Data
 * below last_ack is a spurious retransmission instead. */
static bool before_last_ack(StreamThread *st, const TcpSession *ssn, const TcpStream *s,
                            Packet *p)
{
    if (p->payload_len != 0 || !(s->flags & STREAM_F_ACK_SEEN) ||
        (ssn->flags & (SSN_F_MIDSTREAM | SSN_F_ASYNC)) || !seq_lt(p->tcp.seq, s->last_ack)) {
        return false;
    }
    if (ssn->state == TCP_ESTABLISHED) {
        stream_event(st, p, DECODE_EV_STREAM_EST_PKT_BEFORE_LAST_ACK);
        return true;
    }
    if (ssn->state == TCP_CLOSE_WAIT) {
        stream_event(st, p, DECODE_EV_STREAM_CLOSEWAIT_PKT_BEFORE_LAST_ACK);
        return true;
    }
    return false;
}

/* An ack for data the receiver's peer never sent (RFC 793 section 3.9). */
static bool ack_is_valid(const TcpSession *ssn, const TcpStream *r, const Packet *p)
{
    if (!(p->tcp.flags & TH_ACK) || !(r->flags & STREAM_F_SEEN)) {
        return true;
    }
    (void)ssn;
    if (seq_leq(p->tcp.ack, r->next_seq)) {
        return true;
    }
    /* Acking data never seen (a packet was lost before the capture) is valid within the
     * window the acking side advertised, as Suricata's next_win check: the data behind it
     * becomes a gap instead of the whole session going deaf. */
    return (r->flags & STREAM_F_ACK_SEEN) && seq_gt(p->tcp.ack, r->last_ack) &&
           seq_leq(p->tcp.ack, r->last_ack + r->window);
}


static bool in_window(const TcpSession *ssn, const TcpStream *s, const Packet *p)
{
    if (!(s->flags & STREAM_F_ACK_SEEN) || (ssn->flags & (SSN_F_MIDSTREAM | SSN_F_ASYNC))) {
        return true;              // the receiver's window is not known
    }
    uint32_t win = s->window ? s->window : 1;
    return seq_lt(p->tcp.seq, s->last_ack + win) ||
           (p->payload_len == 0 && p->tcp.seq == s->last_ack + win);
}

/* Returns false when the packet is not tracked further. */

/* stream.reassembly.urgent.policy for a packet carrying data with the URG
 * flag: true when its data stays out of the stream. drop (inline only; in
 * IDS mode the data stays in-band) drops the packet as "stream urgent", so
 * the receiver never gets the data: once acknowledged it is a gap. gap
 * leaves the data out in either mode. */
static bool urgent_left_out(StreamThread *st, Packet *p)
{
    if (!(p->tcp.flags & TH_URG)) {
        return false;
    }
    switch ((StreamUrgentPolicy)g_stream_cfg.urgent_policy) {
    case STREAM_URG_DROP:
        if (st == NULL || !st->is_ips) {
            return false;
        }
        p->flags |= PKT_F_DROP;
        if (p->drop_reason == PKT_DROP_NONE) {
            p->drop_reason = PKT_DROP_STREAM_URGENT;
        }
        return true;
    case STREAM_URG_GAP:
        return true;
    default:
        return false;
    }
}
static bool handle_data(StreamThread *st, TcpSession *ssn, TcpStream *s, Packet *p)
{
    uint32_t len = p->payload_len;
    if (is_keepalive(s, p) || is_zero_window_probe(s, p)) {
        return true;
    }
    if (!in_window(ssn, s, p)) {
        stream_event(st, p, out_of_window_event((TcpState)ssn->state, p));
        return false;
    }
    if (before_last_ack(st, ssn, s, p)) {
        return false;
    }
    if (len == 0) {
        return true;
    }
    uint32_t end = p->tcp.seq + len;
    if ((s->flags & STREAM_F_ACK_SEEN) && seq_leq(end, s->last_ack)) {
        stream_event(st, p, DECODE_EV_STREAM_PKT_SPURIOUS_RETRANSMISSION);
        return true;
    }
    if (seq_leq(end, s->next_seq) && (s->flags & STREAM_F_SEEN)) {
        stream_event(st, p, DECODE_EV_STREAM_PKT_RETRANSMISSION);
    }
    if ((s->flags & STREAM_F_FIN) && seq_geq(p->tcp.seq, s->fin_seq)) {
        return true;              // data after this side's FIN is not accepted
    }
    uint64_t sim = g_stream_cfg.sim_reasm_memcap_pkt;
    if (urgent_left_out(st, p)) {
        /* stream.reassembly.urgent.policy drop / gap: the data is not stored */
    } else if (s->flags & STREAM_F_NOREASM) {
        stream_count(st, SC_SEGMENT_MEMCAP_DROP);   // the memcap stopped this direction
    } else if (sim != 0 && p->pcap_cnt == sim) {
        /* test hook: as if the reassembly memcap refused this segment */
        stream_count(st, SC_SEGMENT_MEMCAP_DROP);
        stream_exception(st, (Flow *)p->flow, p, STREAM_EXC_REASM_MEMCAP);
    } else {
        int rc = stream_reasm_insert(st, p, s, p->tcp.seq, p->payload, len);
        if (rc == 0) {
            p->stream_flags |= PKT_STREAM_ADDED;
        } else if (rc == VG_ENOMEM) {
            stream_exception(st, (Flow *)p->flow, p, STREAM_EXC_REASM_MEMCAP);
        }
    }
    if (seq_gt(end, s->next_seq)) {
        s->next_seq = end;
    }
    return true;
}

static void handle_fin(TcpSession *ssn, TcpStream *s, int dir, const Packet *p)
{
    if (!(p->tcp.flags & TH_FIN) || (s->flags & STREAM_F_FIN)) {
        return;
    }
    s->fin_seq = p->tcp.seq + p->payload_len;
    s->flags |= STREAM_F_FIN;
    if (seq_gt(s->fin_seq + 1, s->next_seq)) {
        s->next_seq = s->fin_seq + 1;
    }
    if (!(ssn->streams[1 - dir].flags & STREAM_F_FIN)) {
        ssn->closer_dir = (uint8_t)dir;
    }
}

static bool fin_acked(const TcpStream *s)
{
    return (s->flags & STREAM_F_FIN) && (s->flags & STREAM_F_ACK_SEEN) &&
           seq_geq(s->last_ack, s->fin_seq + 1);
}

/* The closing states follow from who sent a FIN and which FINs are acked
 * (RFC 793 figure 6), named as Suricata names them: from the server's side. A
 * client that closes first puts the session in CLOSE_WAIT (the server got a
 * FIN), then LAST_ACK once the server closes too; a server that closes first
 * in FIN_WAIT1, FIN_WAIT2 once acked, then CLOSING or TIME_WAIT. */
static TcpState closing_state(const TcpSession *ssn)
{
    const TcpStream *c = &ssn->streams[ssn->closer_dir];
    const TcpStream *o = &ssn->streams[1 - ssn->closer_dir];
    if (!(c->flags & STREAM_F_FIN)) {
        return TCP_ESTABLISHED;
    }
    bool client_closed = ssn->closer_dir == 0;
    if (!(o->flags & STREAM_F_FIN)) {
        if (client_closed) {
            return TCP_CLOSE_WAIT;
        }
        return fin_acked(c) ? TCP_FIN_WAIT2 : TCP_FIN_WAIT1;
    }
    if (fin_acked(c) && fin_acked(o)) {
        return TCP_CLOSED;
    }
    if (client_closed) {
        return TCP_LAST_ACK;
    }
    return fin_acked(c) ? TCP_TIME_WAIT : TCP_CLOSING;
}

/* ---- RST (validated as the receiving host would: policy of s) ---- */

static bool rst_seq_valid(const TcpStream *s, const Packet *p)
{
    uint32_t seq = p->tcp.seq;
    bool exact = seq == s->next_seq ||
                 ((s->flags & STREAM_F_ACK_SEEN) && seq == s->last_ack);
    switch ((StreamPolicy)s->policy) {
    case STREAM_POLICY_HPUX11:
        return seq_geq(seq, s->next_seq);
    case STREAM_POLICY_LINUX:
    case STREAM_POLICY_OLD_LINUX:
    case STREAM_POLICY_SOLARIS: {
        uint32_t left = (s->flags & STREAM_F_ACK_SEEN) ? s->last_ack : s->next_seq;
        uint32_t win = s->window ? s->window : 1;
        return exact || (seq_geq(seq + p->payload_len, left) && seq_lt(seq, left + win));
    }
    default:
        return exact;
    }
}

/* RFC 7323 section 5: PAWS drops segments with an older TSval. A RST
 * without the option is taken (stacks send them so); one that carries an
 * older TSval (a zero one included) is invalid, as Suricata's default policy
 * holds, so a blind reset cannot tear the session down with a stale stamp. */
static bool timestamp_ok(StreamThread *st, TcpSession *ssn, TcpStream *s, Packet *p)
{
    if (!(ssn->flags & SSN_F_TS) || ((p->tcp.flags & TH_RST) && !p->tcp.has_ts)) {
        return true;
    }
    if (!p->tcp.has_ts) {
        stream_event(st, p, DECODE_EV_STREAM_PKT_INVALID_TIMESTAMP);
        return true;              // some stacks omit it on pure acks: not dropped
    }
    if (seq_lt(p->tcp.ts_val, s->last_ts)) {
        stream_event(st, p, DECODE_EV_STREAM_PKT_INVALID_TIMESTAMP);
        return false;
    }
    s->last_ts = p->tcp.ts_val;
    return true;
}

static void handle_rst(StreamThread *st, Flow *f, TcpSession *ssn, TcpStream *s, TcpStream *r,
                       Packet *p)
{
    if ((p->tcp.flags & TH_ACK) && (r->flags & STREAM_F_SEEN) &&
        seq_gt(p->tcp.ack, r->next_seq)) {
        stream_event(st, p, DECODE_EV_STREAM_RST_INVALID_ACK);
        return;
    }
    if (!timestamp_ok(st, ssn, s, p)) {
        return;
    }
    bool unsure = (ssn->flags & (SSN_F_MIDSTREAM | SSN_F_ASYNC)) && !(s->flags & STREAM_F_SEEN);
    if (!unsure && !rst_seq_valid(s, p)) {
        stream_event(st, p, DECODE_EV_STREAM_SUSPECTED_RST_INJECT);
        return;
    }
    s->flags |= STREAM_F_RST;
    set_state(f, ssn, TCP_CLOSED);
}

/* ---- SYN and SYN/ACK after the handshake ---- */

static void syn_after_handshake(StreamThread *st, TcpSession *ssn, int dir, Packet *p)
{
    bool from_init = dir == ssn->init_dir;
    bool has_ack = (p->tcp.flags & TH_ACK) != 0;
    if (ssn->state >= TCP_FIN_WAIT1 && from_init && !has_ack) {
        stream_event(st, p, DECODE_EV_STREAM_SHUTDOWN_SYN_RESEND);
    } else if (from_init && !has_ack) {
        stream_event(st, p, p->tcp.seq == ssn->streams[dir].isn
                                ? DECODE_EV_STREAM_EST_SYN_RESEND
                                : DECODE_EV_STREAM_EST_SYN_RESEND_DIFF_SEQ);
    } else if (from_init) {
        stream_event(st, p, DECODE_EV_STREAM_EST_SYNACK_TOSERVER);
    } else if (!has_ack) {
        stream_event(st, p, DECODE_EV_STREAM_EST_SYN_TOCLIENT);
    } else if (p->tcp.seq != ssn->synack_seq) {
        stream_event(st, p, DECODE_EV_STREAM_EST_SYNACK_RESEND_WITH_DIFF_SEQ);
    } else if (p->tcp.ack != ssn->synack_ack) {
        stream_event(st, p, DECODE_EV_STREAM_EST_SYNACK_RESEND_WITH_DIFFERENT_ACK);
    } else {
        stream_event(st, p, DECODE_EV_STREAM_EST_SYNACK_RESEND);
    }
}

static void state_open(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p)
{
    int dir = pkt_dir(p);
    TcpStream *s = &ssn->streams[dir];
    TcpStream *r = &ssn->streams[1 - dir];
    if (p->tcp.flags & TH_SYN) {
        syn_after_handshake(st, ssn, dir, p);
        return;
    }
    if (p->tcp.flags & TH_RST) {
        handle_rst(st, f, ssn, s, r, p);
        return;
    }
    if (!ack_is_valid(ssn, r, p)) {
        stream_event(st, p, DECODE_EV_STREAM_PKT_INVALID_ACK);
        stream_event(st, p, (p->tcp.flags & TH_FIN) ? DECODE_EV_STREAM_FIN_INVALID_ACK
                                                     : invalid_ack_event((TcpState)ssn->state));
        return;
    }
    if (!timestamp_ok(st, ssn, s, p) || !handle_data(st, ssn, s, p)) {
        return;
    }
    handle_fin(ssn, s, dir, p);
    note_ack(ssn, s, r, p);
    TcpState next = closing_state(ssn);
    if (next != ssn->state) {
        set_state(f, ssn, next);
    }
}

/* ---- the handshake ---- */

static void establish(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p)
{
    set_state(f, ssn, TCP_ESTABLISHED);
    state_open(st, f, ssn, p);
}

/* An answer to the SYN must echo the initiator's timestamp (RFC 7323
 * section 4.3): a different TSecr, or one when the SYN carried no timestamp,
 * did not come from the host the SYN reached (Suricata: pkt_invalid_timestamp,
 * the packet is ignored). */
static bool syn_sent_echo_ok(const TcpStream *init, const Packet *p)
{
    if (!p->tcp.has_ts || p->tcp.ts_ecr == 0) {
        return true;
    }
    if (init->flags & STREAM_F_TS) {
        return init->last_ts == 0 || p->tcp.ts_ecr == init->last_ts;
    }
    return false;
}

static void syn_sent_from_responder(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p)
{
    TcpStream *init = &ssn->streams[ssn->init_dir];
    TcpStream *resp = &ssn->streams[1 - ssn->init_dir];
    uint8_t fl = tcp_flags_syn_ack(p);
    if (!syn_sent_echo_ok(init, p)) {
        stream_event(st, p, DECODE_EV_STREAM_PKT_INVALID_TIMESTAMP);
        return;
    }
    if (fl & TH_RST) {
        if ((fl & TH_ACK) && p->tcp.ack == init->isn + 1) {
            set_state(f, ssn, TCP_CLOSED);
        } else {
            stream_event(st, p, DECODE_EV_STREAM_RST_INVALID_ACK);
        }
        return;
    }
    if (fl == (TH_SYN | TH_ACK)) {
        /* Fast Open: the SYN/ACK acks the SYN's data when the server took it
         * (its cookie was good), else only the SYN, and the client sends the
         * data again after the handshake. */
        bool tfo_taken = (ssn->flags & SSN_F_TFO) && p->tcp.ack == init->next_seq;
        if (p->tcp.ack != init->isn + 1 && !tfo_taken) {
            stream_event(st, p, DECODE_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK);
            return;
        }
        if (!tfo_taken && init->next_seq != init->isn + 1) {
            stream_event(st, p, DECODE_EV_STREAM_3WHS_SYNACK_TFO_DATA_IGNORED);
            stream_reasm_forget(init);   // the resent data, not this, is the stream
            init->next_seq = init->isn + 1;
        }
        stream_start(resp, p);
        ssn->synack_seq = p->tcp.seq;
        ssn->synack_ack = p->tcp.ack;
        stream_acked(init, p->tcp.ack);
        init->window = p->tcp.win;    // never scaled in a SYN (RFC 7323 section 2.2)
        negotiate(ssn);
        ssn->state = TCP_SYN_RECV;
    } else if (fl == TH_SYN) {
        stream_start(resp, p);        // simultaneous open (RFC 793 figure 8)
        ssn->flags |= SSN_F_4WHS;
        ssn->state = TCP_SYN_RECV;
    } else {
        stream_event(st, p, DECODE_EV_STREAM_3WHS_ACK_IN_WRONG_DIR);
    }
}

/* A SYN opens the session. With a TCP Fast Open option its data (RFC 7413)
 * is part of the stream, from ISN + 1, as Suricata takes it: the server may
 * hand it to the application before the handshake ends. The SYN/ACK says
 * whether the server took it (state_syn_sent). Data on a SYN without the
 * option is not kept. */
static void start_syn(StreamThread *st, TcpSession *ssn, int dir, Packet *p)
{
    TcpStream *s = &ssn->streams[dir];
    ssn->init_dir = (uint8_t)dir;
    stream_start(s, p);
    ssn->state = TCP_SYN_SENT;
    if (!p->tcp.has_tfo) {
        return;
    }
    ssn->flags |= SSN_F_TFO;
    if (p->payload_len > 0 && !urgent_left_out(st, p)) {
        if (stream_reasm_insert(st, p, s, s->next_seq, p->payload, p->payload_len) == 0) {
            p->stream_flags |= PKT_STREAM_ADDED;
        }
        s->next_seq += p->payload_len;
    }
}

/* Only the initiator's side is visible (stream.async-oneside). */
static void async_pickup(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p)
{
    TcpStream *init = &ssn->streams[ssn->init_dir];
    if (p->tcp.seq != init->next_seq) {
        stream_event(st, p, DECODE_EV_STREAM_3WHS_ASYNC_WRONG_SEQ);
        return;
    }
    ssn->flags |= SSN_F_ASYNC;
    establish(st, f, ssn, p);
}

static void state_syn_sent(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p)
{
    if (pkt_dir(p) != ssn->init_dir) {
        syn_sent_from_responder(st, f, ssn, p);
        return;
    }
    TcpStream *init = &ssn->streams[ssn->init_dir];
    uint8_t fl = tcp_flags_syn_ack(p);
    if (fl == TH_SYN) {
        if (p->tcp.seq != init->isn) {
            /* a new attempt: what the last one's SYN carried is gone */
            stream_reasm_forget(init);
            memset(init, 0, offsetof(TcpStream, policy));
            ssn->flags &= (uint16_t)~SSN_F_TFO;
            start_syn(st, ssn, ssn->init_dir, p);
        }
    } else if (fl == (TH_SYN | TH_ACK)) {
        stream_event(st, p, DECODE_EV_STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION);
    } else if (fl & TH_RST) {
        if (p->tcp.seq == init->next_seq) {
            set_state(f, ssn, TCP_CLOSED);
        }
    } else if ((fl & TH_ACK) && g_stream_cfg.async_oneside) {
        async_pickup(st, f, ssn, p);
    }
}

static void syn_recv_resend(StreamThread *st, TcpSession *ssn, Packet *p, bool from_init)
{
    bool has_ack = (p->tcp.flags & TH_ACK) != 0;
    if (from_init && !has_ack) {
        if (p->tcp.seq != ssn->streams[ssn->init_dir].isn) {
            stream_event(st, p, DECODE_EV_STREAM_3WHS_SYN_RESEND_DIFF_SEQ_ON_SYN_RECV);
        }
    } else if (from_init) {
        stream_event(st, p, DECODE_EV_STREAM_3WHS_SYNACK_TOSERVER_ON_SYN_RECV);
    } else if (!has_ack) {
        if (!(ssn->flags & SSN_F_4WHS)) {
            stream_event(st, p, DECODE_EV_STREAM_3WHS_SYN_TOCLIENT_ON_SYN_RECV);
        }
    } else if (p->tcp.seq != ssn->synack_seq) {
        stream_event(st, p, DECODE_EV_STREAM_3WHS_SYNACK_RESEND_WITH_DIFF_SEQ);
    } else if (p->tcp.ack != ssn->synack_ack) {
        stream_event(st, p, DECODE_EV_STREAM_3WHS_SYNACK_RESEND_WITH_DIFFERENT_ACK);
    }
}

/* Simultaneous open: the initiator answers the peer's SYN with a SYN/ACK,
 * the peer's ACK completes it. */
static void syn_recv_4whs(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p)
{
    TcpStream *init = &ssn->streams[ssn->init_dir];
    TcpStream *resp = &ssn->streams[1 - ssn->init_dir];
    bool from_init = pkt_dir(p) == ssn->init_dir;
    uint8_t fl = tcp_flags_syn_ack(p);
    if (from_init && fl == (TH_SYN | TH_ACK)) {
        if (p->tcp.ack != resp->isn + 1) {
            stream_event(st, p, DECODE_EV_STREAM_4WHS_SYNACK_WITH_WRONG_ACK);
        } else if (p->tcp.seq != init->isn) {
            stream_event(st, p, DECODE_EV_STREAM_4WHS_SYNACK_WITH_WRONG_SYN);
        } else {
            stream_acked(resp, p->tcp.ack);
            ssn->synack_seq = p->tcp.seq;
            ssn->synack_ack = p->tcp.ack;
            negotiate(ssn);
        }
    } else if (!from_init && fl == TH_ACK) {
        if (p->tcp.ack != init->next_seq) {
            stream_event(st, p, DECODE_EV_STREAM_4WHS_INVALID_ACK);
        } else if (p->tcp.seq != resp->next_seq) {
            stream_event(st, p, DECODE_EV_STREAM_4WHS_WRONG_SEQ);
        } else {
            establish(st, f, ssn, p);
        }
    }
}

/* The SYN/ACK sender speaks again before the initiator's ACK was seen. With
 * stream.async-oneside, a packet continuing its sequence space means only
 * this side is visible: the session goes on one-sided (Suricata does the
 * same), and what it acks tells what the unseen side sent. */
static void responder_after_synack(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p)
{
    TcpStream *init = &ssn->streams[ssn->init_dir];
    TcpStream *resp = &ssn->streams[1 - ssn->init_dir];
    /* Inline, all packets are seen: data continuing the SYN/ACK, acking what
     * the SYN/ACK acked, before the initiator's ACK, is taken for injected
     * data (Suricata: 3whs_ack_data_inject, the packet is rejected). */
    if (stream_is_inline() && !(ssn->flags & SSN_F_MIDSTREAM) && p->payload_len > 0 &&
        (p->tcp.flags & TH_ACK) && p->tcp.ack == init->last_ack &&
        p->tcp.seq == resp->next_seq) {
        stream_event(st, p, DECODE_EV_STREAM_3WHS_ACK_DATA_INJECT);
        return;
    }
    if ((ssn->flags & SSN_F_TFO) && (p->tcp.flags & TH_ACK) && p->tcp.seq == resp->next_seq &&
        p->tcp.ack == init->next_seq) {
        /* Fast Open: the server answers the SYN's data before the client's
         * ACK of the handshake arrives (Suricata: "ACK received on TFO
         * session") */
        establish(st, f, ssn, p);
        return;
    }
    if ((ssn->flags & SSN_F_MIDSTREAM) && !g_stream_cfg.async_oneside &&
        (p->tcp.flags & TH_ACK) && p->tcp.seq == resp->next_seq) {
        /* picked up at the SYN/ACK (stream.midstream): the client's ACK was
         * not captured, or came before the capture started; the server going
         * on with its sequence space establishes the session, as Suricata
         * does for such pick-ups (what it acks tells what the client sent) */
        establish(st, f, ssn, p);
        return;
    }
    if (!g_stream_cfg.async_oneside || !(p->tcp.flags & TH_ACK) ||
        p->tcp.seq != resp->next_seq) {
        stream_event(st, p, DECODE_EV_STREAM_3WHS_ACK_IN_WRONG_DIR);
        return;
    }
    ssn->flags |= SSN_F_ASYNC;
    init->flags &= (uint16_t)~STREAM_F_SEEN;
    establish(st, f, ssn, p);
}

static void state_syn_recv(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p)
{
    TcpStream *init = &ssn->streams[ssn->init_dir];
    TcpStream *resp = &ssn->streams[1 - ssn->init_dir];
    bool from_init = pkt_dir(p) == ssn->init_dir;
    uint8_t fl = tcp_flags_syn_ack(p);
    if (fl & TH_RST) {
        handle_rst(st, f, ssn, &ssn->streams[pkt_dir(p)], &ssn->streams[1 - pkt_dir(p)], p);
        return;
    }
    if (ssn->flags & SSN_F_4WHS) {
        syn_recv_4whs(st, f, ssn, p);
        return;
    }
    if (fl & TH_SYN) {
        syn_recv_resend(st, ssn, p, from_init);
        return;
    }
    if (!from_init) {
        responder_after_synack(st, f, ssn, p);
        return;
    }
    if (!(fl & TH_ACK)) {
        return;
    }
    bool seq_ok = p->tcp.seq == init->next_seq;
    bool ack_ok = p->tcp.ack == resp->next_seq;
    if (!ack_ok) {
        stream_event(st, p, seq_ok ? DECODE_EV_STREAM_3WHS_RIGHT_SEQ_WRONG_ACK_EVASION
                                   : DECODE_EV_STREAM_3WHS_WRONG_SEQ_WRONG_ACK);
        return;
    }
    establish(st, f, ssn, p);
}

/* ---- no session yet ---- */

/* stream.midstream with a SYN/ACK first: the receiver sent the SYN. */
static void pickup_synack(TcpSession *ssn, int dir, const Packet *p)
{
    TcpStream *resp = &ssn->streams[dir];
    TcpStream *init = &ssn->streams[1 - dir];
    ssn->init_dir = (uint8_t)(1 - dir);
    stream_start(resp, p);
    init->isn = p->tcp.ack - 1;
    init->base_seq = p->tcp.ack;
    init->next_seq = p->tcp.ack;
    init->flags |= STREAM_F_SEEN;
    stream_acked(init, p->tcp.ack);
    init->window = p->tcp.win;
    ssn->synack_seq = p->tcp.seq;
    ssn->synack_ack = p->tcp.ack;
    ssn->flags |= SSN_F_MIDSTREAM;
    ssn->state = TCP_SYN_RECV;
}

/* stream.midstream: an established session seen from the middle. */
static void pickup_established(StreamThread *st, Flow *f, TcpSession *ssn, Packet *p)
{
    int dir = pkt_dir(p);
    TcpStream *s = &ssn->streams[dir];
    TcpStream *r = &ssn->streams[1 - dir];
    s->isn = p->tcp.seq - 1;
    s->base_seq = p->tcp.seq;
    s->next_seq = p->tcp.seq;
    s->flags |= STREAM_F_SEEN;
    if (p->tcp.flags & TH_ACK) {
        r->isn = p->tcp.ack - 1;
        r->base_seq = p->tcp.ack;
        r->next_seq = p->tcp.ack;
    }
    ssn->init_dir = 0;
    ssn->flags |= SSN_F_MIDSTREAM;
    stream_count(st, SC_MIDSTREAM_PICKUPS);
    establish(st, f, ssn, p);
}

void stream_exception(StreamThread *st, Flow *f, Packet *p, StreamException e)
{
    static const uint8_t reasons[STREAM_EXC_N] = {
        [STREAM_EXC_MIDSTREAM] = PKT_DROP_STREAM_MIDSTREAM,
        [STREAM_EXC_SSN_MEMCAP] = PKT_DROP_STREAM_MEMCAP,
        [STREAM_EXC_REASM_MEMCAP] = PKT_DROP_STREAM_REASSEMBLY,
    };
    if (f->flags & FLOW_F_DROP) {
        return;  // dropped already: its packets go as "flow drop"
    }
    if (flow_exception_apply(f, p, st->exc[e], reasons[e]) && st->counters != NULL) {
        counters_incr(st->counters, st->c_exc[e]);
    }
}

/* stream.midstream-policy on a session that did not start with its
 * handshake (picked up, or not tracked when midstream is off). */
static void midstream_exception(StreamThread *st, Flow *f, Packet *p)
{
    stream_exception(st, f, p, STREAM_EXC_MIDSTREAM);
}

static void no_session(StreamThread *st, Flow *f, Packet *p)
{
    uint8_t fl = tcp_flags_syn_ack(p);
    bool mid = g_stream_cfg.midstream;
    if ((fl & TH_RST) && !mid) {
        stream_event(st, p, DECODE_EV_STREAM_RST_BUT_NO_SESSION);
        return;
    }
    /* A FIN opening a flow is a session seen from its middle: the midstream
     * policy applies (with pick-up enabled it can only ignore or pass). The
     * session is picked up only with pick-up enabled and data to follow. */
    bool fin_pickup = (fl & TH_FIN) && !(fl & TH_SYN);
    if (fin_pickup) {
        midstream_exception(st, f, p);
        if (!mid || p->payload_len == 0) {
            stream_event(st, p, DECODE_EV_STREAM_FIN_BUT_NO_SESSION);
            return;
        }
    }
    if ((fl & TH_SYN) && (fl & (TH_RST | TH_FIN))) {
        stream_event(st, p, DECODE_EV_STREAM_FIN_SYN);
        return;
    }
    bool is_syn = fl == TH_SYN;
    bool is_synack = fl == (TH_SYN | TH_ACK);
    /* async-oneside also picks up a SYN/ACK: the server side of a one-sided session */
    if (!is_syn && !mid && !(is_synack && g_stream_cfg.async_oneside)) {
        midstream_exception(st, f, p);
        return;                   // not tracked: no handshake seen
    }
    TcpSession *ssn = stream_session_new(st, p);
    if (ssn == NULL) {
        stream_exception(st, f, p, STREAM_EXC_SSN_MEMCAP);  // stream.memcap-policy
        return;
    }
    f->protoctx = ssn;
    int dir = pkt_dir(p);
    if (is_syn) {
        start_syn(st, ssn, dir, p);
    } else if (is_synack) {
        pickup_synack(ssn, dir, p);
        stream_count(st, SC_MIDSTREAM_PICKUPS);
        midstream_exception(st, f, p);
    } else if (!(fl & TH_RST)) {
        pickup_established(st, f, ssn, p);
        if (!fin_pickup) {
            midstream_exception(st, f, p);
        }
    } else {
        set_state(f, ssn, TCP_CLOSED);
    }
    ssn->tcp_flags |= p->tcp.flags;
    ssn->streams[dir].tcp_flags |= p->tcp.flags;
}

static void count_flags(StreamThread *st, const Packet *p)
{
    if (p->tcp.flags & TH_URG) {
        stream_count(st, SC_URG);
    }
    uint8_t fl = tcp_flags_syn_ack(p);
    if (fl & TH_RST) {
        stream_count(st, SC_RST);
    }
    if (fl == TH_SYN) {
        stream_count(st, SC_SYN);
    } else if (fl == (TH_SYN | TH_ACK)) {
        stream_count(st, SC_SYNACK);
    }
}

void stream_track(StreamThread *st, Flow *f, Packet *p)
{
    count_flags(st, p);
    /* An acknowledgment number without the ACK flag (RFC 793 says it is
     * only meaningful with ACK set): Suricata's pkt_broken_ack. */
    if (!(p->tcp.flags & TH_ACK) && p->tcp.ack != 0) {
        stream_event(st, p, DECODE_EV_STREAM_PKT_BROKEN_ACK);
    }
    TcpSession *ssn = f->protoctx;
    if (ssn == NULL) {
        no_session(st, f, p);
        return;
    }
    if (st != NULL && ssn->thread_id != st->thread_id) {
        stream_count(st, SC_WRONG_THREAD);
        stream_event(st, p, DECODE_EV_STREAM_WRONG_THREAD);
    }
    int dir = pkt_dir(p);
    ssn->tcp_flags |= p->tcp.flags;
    ssn->streams[dir].tcp_flags |= p->tcp.flags;
    switch ((TcpState)ssn->state) {
    case TCP_SYN_SENT:
        state_syn_sent(st, f, ssn, p);
        break;
    case TCP_SYN_RECV:
        state_syn_recv(st, f, ssn, p);
        break;
    case TCP_CLOSED:
    case TCP_NONE:
        break;
    default:
        state_open(st, f, ssn, p);
        break;
    }
}
