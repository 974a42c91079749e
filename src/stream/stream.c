/* The packet entry point and the EVE "tcp" object. */
#include "stream/stream.h"

#include <stdio.h>

#include "stream/stream-internal.h"

void stream_packet(StreamThread *st, Packet *p)
{
    p->stream_data = NULL;
    p->stream_data_len = 0;
    p->stream_flags = 0;
    Flow *f = p->flow;
    if (f == NULL || p->l4 != PKT_L4_TCP || p->tcp.hdr == NULL) {
        return;
    }
    if (p->tcp.csum_bad && g_stream_cfg.checksum_validation) {
        stream_count(st, SC_INVALID_CHECKSUM);
        return;
    }
    if (p->flags & PKT_F_PSEUDO) {
        stream_count(st, SC_PSEUDO);
    }
    if (f->protoctx != NULL) {
        stream_inspect_prepare(f->protoctx);
    }
    stream_track(st, f, p);
    if (f->protoctx != NULL) {
        stream_inspect_packet(st, f, f->protoctx, p);
    }
}

static const char *const state_names[] = {
    [TCP_NONE] = "none",
    [TCP_SYN_SENT] = "syn_sent",
    [TCP_SYN_RECV] = "syn_recv",
    [TCP_ESTABLISHED] = "established",
    [TCP_FIN_WAIT1] = "fin_wait1",
    [TCP_FIN_WAIT2] = "fin_wait2",
    [TCP_TIME_WAIT] = "time_wait",
    [TCP_LAST_ACK] = "last_ack",
    [TCP_CLOSE_WAIT] = "close_wait",
    [TCP_CLOSING] = "closing",
    [TCP_CLOSED] = "closed",
};

const char *stream_state_name(const Flow *f)
{
    const TcpSession *ssn = f->protoctx;
    if (ssn == NULL || ssn->state > TCP_CLOSED) {
        return "none";
    }
    return state_names[ssn->state];
}

static void flags_hex(JsonBuf *jb, const char *key, uint8_t flags)
{
    char buf[4];
    (void)snprintf(buf, sizeof(buf), "%02x", flags);
    json_str(jb, key, buf);
}

/* One boolean per flag seen, as Suricata names them. */
static void flag_bools(JsonBuf *jb, uint8_t flags)
{
    static const struct {
        uint8_t bit;
        const char *name;
    } names[] = {
        {TH_SYN, "syn"}, {TH_FIN, "fin"}, {TH_RST, "rst"}, {TH_PUSH, "psh"},
        {TH_ACK, "ack"}, {TH_URG, "urg"}, {TH_ECN, "ecn"}, {TH_CWR, "cwr"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (flags & names[i].bit) {
            json_bool(jb, names[i].name, true);
        }
    }
}

/* Suricata's flow record fields: hex flags, then one boolean per flag seen. */
void stream_flow_record(const Flow *f, JsonBuf *jb)
{
    const TcpSession *ssn = f->protoctx;
    if (ssn == NULL) {
        if (f->key.proto == 6) {
            /* a TCP flow without a session (no handshake seen, midstream
             * off): Suricata writes the object with no flags and no state */
            json_open_object(jb, "tcp");
            flags_hex(jb, "tcp_flags", 0);
            flags_hex(jb, "tcp_flags_ts", 0);
            flags_hex(jb, "tcp_flags_tc", 0);
            json_close_object(jb);
        }
        return;
    }
    json_open_object(jb, "tcp");
    flags_hex(jb, "tcp_flags", ssn->tcp_flags);
    flags_hex(jb, "tcp_flags_ts", ssn->streams[0].tcp_flags);
    flags_hex(jb, "tcp_flags_tc", ssn->streams[1].tcp_flags);
    flag_bools(jb, ssn->tcp_flags);
    json_str(jb, "state", stream_state_name(f));
    json_close_object(jb);
}

void stream_netflow_record(const Flow *f, JsonBuf *jb, bool to_client)
{
    const TcpSession *ssn = f->protoctx;
    if (ssn == NULL) {
        return;
    }
    uint8_t flags = ssn->streams[to_client ? 1 : 0].tcp_flags;
    json_open_object(jb, "tcp");
    flags_hex(jb, "tcp_flags", flags);
    flag_bools(jb, flags);
    json_close_object(jb);
}

bool stream_seq_sizes(const Flow *f, uint32_t *client, uint32_t *server)
{
    if (f == NULL || f->key.proto != 6 || f->protoctx == NULL) {
        return false;
    }
    const TcpSession *ssn = f->protoctx;
    *client = ssn->streams[0].next_seq - ssn->streams[0].isn;
    *server = ssn->streams[1].next_seq - ssn->streams[1].isn;
    return true;
}

uint8_t stream_packet_flow_state(const Flow *f)
{
    const TcpSession *ssn = f->protoctx;
    if (ssn == NULL) {
        /* No session (no handshake seen with midstream pick-up off, or
         * refused by the memcap): its packets are never established, as in
         * Suricata, where only the TCP engine marks TCP packets established. */
        return f->state == FLOW_STATE_ESTABLISHED ? FLOW_STATE_NEW : (uint8_t)f->state;
    }
    if (ssn->state < TCP_ESTABLISHED && f->state == FLOW_STATE_ESTABLISHED) {
        /* both sides seen, handshake not done: not established yet (Suricata) */
        return FLOW_STATE_NEW;
    }
    if (ssn->state <= TCP_ESTABLISHED || f->state != FLOW_STATE_ESTABLISHED) {
        return (uint8_t)f->state;
    }
    return FLOW_STATE_CLOSED;
}

void stream_flow_unlimit_depth(Flow *f)
{
    TcpSession *ssn = f->protoctx;
    if (ssn == NULL) {
        return;
    }
    for (int d = 0; d < 2; d++) {
        if (!(ssn->streams[d].flags & STREAM_F_DEPTH)) {
            ssn->streams[d].flags |= STREAM_F_NO_DEPTH;
        }
    }
}

void stream_flow_raise_depth(Flow *f, uint64_t depth_bytes)
{
    TcpSession *ssn = f->protoctx;
    if (ssn == NULL || f->key.proto != 6) {
        return;
    }
    for (int d = 0; d < 2; d++) {
        TcpStream *s = &ssn->streams[d];
        uint64_t cur = stream_depth_of(s);
        if ((s->flags & STREAM_F_DEPTH) || cur == 0) {
            continue;   // reached already (data past it is gone), or unlimited
        }
        if (depth_bytes == 0) {
            s->flags |= STREAM_F_NO_DEPTH;
        } else if (depth_bytes > cur) {
            s->depth_bytes = depth_bytes;
        }
    }
}

bool stream_flow_is_midstream(const Flow *f)
{
    const TcpSession *ssn = f->protoctx;
    return f->key.proto == 6 && ssn != NULL && (ssn->flags & SSN_F_MIDSTREAM) != 0;
}

void stream_flow_swap(Flow *f)
{
    TcpSession *ssn = f->protoctx;
    if (ssn == NULL || f->key.proto != 6) {
        return;
    }
    TcpStream t = ssn->streams[0];
    ssn->streams[0] = ssn->streams[1];
    ssn->streams[1] = t;
    ssn->init_dir ^= 1u;
    if ((ssn->streams[0].flags | ssn->streams[1].flags) & STREAM_F_FIN) {
        ssn->closer_dir ^= 1u;   // set once a FIN came
    }
    ssn->server_port = f->key.dp;  // the flow key is swapped already
}

void stream_flow_raw_chunked(Flow *f)
{
    TcpSession *ssn = f->protoctx;
    if (ssn != NULL) {
        ssn->flags |= SSN_F_RAW_CHUNKED;
    }
}
