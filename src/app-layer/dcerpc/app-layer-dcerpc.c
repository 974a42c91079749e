/* DCERPC over TCP (port 135 and dynamic endpoints): PDUs framed by their fragment
 * length, one transaction per call (bind + ack, or request + response, matched by
 * call_id), the dcerpc.stub_data buffers and the EVE "dcerpc" object. */
#include "app-layer/dcerpc/app-layer-dcerpc.h"

#include <stdlib.h>
#include <string.h>


#define DCE_OPEN_MAX 64          // calls waiting for their other half

const char *const dcerpc_event_names[DCE_EV_N] = {
    "malformed_data",
    "fragment_too_large",
};

typedef struct DcerpcState {
    AppFlow *af;
    DceConn conn;
    uint8_t *carry[2];           // a PDU split over deliveries (<= 64 KiB)
    uint32_t carry_len[2];
    uint32_t carry_cap[2];
    DcerpcTx *open[DCE_OPEN_MAX];
    uint32_t n_open;
    bool udp_on;                 // UDP: calls are found by activity too
    uint8_t udp_act[16];         // the datagram's activity uuid (canonical)
    uint8_t cur_dir;
    uint64_t carry_off[2];       // stream offset of the carried PDU (frames)
    uint64_t carry_frame[2];     // its pdu frame id, 0: none
} DcerpcState;

/* Frames (TCP): the PDU, its 16-byte common header and what follows it. */
enum { DCE_FRAME_PDU = 0, DCE_FRAME_HDR, DCE_FRAME_DATA };
static const char *const dce_frame_types[] = { "pdu", "hdr", "data" };

static void pdu_frames(DcerpcState *st, uint8_t dir, uint64_t off, uint32_t len,
                       uint64_t pdu_frame)
{
    if (pdu_frame != 0) {
        app_frame_set_len(st->af, dir, pdu_frame, len);
    } else {
        (void)app_frame_new(st->af, dir, off, len, DCE_FRAME_PDU);
    }
    (void)app_frame_new(st->af, dir, off, DCE_HDR_LEN, DCE_FRAME_HDR);
    if (len > DCE_HDR_LEN) {
        (void)app_frame_new(st->af, dir, off + DCE_HDR_LEN, len - DCE_HDR_LEN, DCE_FRAME_DATA);
    }
}

const DcerpcTx *dcerpc_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_DCERPC ? (const DcerpcTx *)tx : NULL;
}

static void *dce_state_new(AppFlow *af)
{
    DcerpcState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        /* DCERPC over TCP is inspected raw at every acknowledged PDU, as
         * Suricata's parser asks for it (unlike SMB, whose flows wait for a
         * chunk): a rule's opnum and its raw content meet on the same packet. */
        st->af = af;
    }
    return st;
}

static void dce_state_free(void *state)
{
    DcerpcState *st = state;
    if (st == NULL) {
        return;
    }
    for (int d = 0; d < 2; d++) {
        app_mem_release(st->af, st->carry_cap[d]);
        free(st->carry[d]);
    }
    free(st);
}

static void open_remove(DcerpcState *st, const DcerpcTx *t)
{
    for (uint32_t i = 0; i < st->n_open; i++) {
        if (st->open[i] == t) {
            memmove(&st->open[i], &st->open[i + 1], (st->n_open - i - 1) * sizeof(st->open[0]));
            st->n_open--;
            return;
        }
    }
}

static void dce_tx_free(void *state, AppTx *tx)
{
    DcerpcState *st = state;
    DcerpcTx *t = (DcerpcTx *)tx;
    dce_call_free(st != NULL ? st->af : NULL, &t->call);
    if (st != NULL) {
        open_remove(st, t);
    }
}

static bool is_req_type(uint8_t t)
{
    return t == DCE_PT_REQUEST || t == DCE_PT_BIND || t == DCE_PT_ALTER_CONTEXT ||
           t == DCE_PT_CO_CANCEL || t == DCE_PT_ORPHANED;
}

static DceCall *find_call(void *ud, uint32_t call_id, uint8_t ptype, uint8_t dir, bool create)
{
    DcerpcState *st = ud;
    for (uint32_t i = st->n_open; i-- > 0;) {
        DcerpcTx *t = st->open[i];
        if (t->call.call_id != call_id || t->call.is_udp != st->udp_on ||
            (st->udp_on && memcmp(t->call.activity, st->udp_act, 16) != 0)) {
            continue;
        }
        /* a request continues its call until its last fragment; the reply side
         * attaches to the call still waiting for one */
        if (dir == APP_DIR_TOSERVER && !t->call.req_done && t->call.req_type == ptype) {
            return &t->call;
        }
        if (dir == APP_DIR_TOCLIENT && !t->call.res_done) {
            return &t->call;
        }
    }
    if (!create || (dir == APP_DIR_TOSERVER && !is_req_type(ptype))) {
        return NULL;
    }
    DcerpcTx *t = (DcerpcTx *)app_tx_new(st->af, sizeof(DcerpcTx));
    if (t == NULL) {
        return NULL;
    }
    dce_call_init(&t->call);
    t->call.call_id = call_id;
    if (st->udp_on) {
        t->call.is_udp = true;
        memcpy(t->call.activity, st->udp_act, 16);
    }
    if (st->n_open == DCE_OPEN_MAX) {
        /* the oldest unanswered call is given up on */
        DcerpcTx *old = st->open[0];
        for (uint8_t d = 0; d < 2; d++) {
            old->tx.progress[d] = 1;
            app_tx_touch(&old->tx, d);
        }
        open_remove(st, old);
    }
    st->open[st->n_open++] = t;
    return &t->call;
}

/* After a PDU: progress of the calls it touched, closed calls leave the open list. */
static void settle(DcerpcState *st)
{
    for (uint32_t i = 0; i < st->n_open;) {
        DcerpcTx *t = st->open[i];
        uint8_t p0 = t->call.req_done || t->call.req_type == DCE_PT_NONE ? 1 : 0;
        uint8_t p1 = t->call.res_done ? 1 : 0;
        /* a request that is answered ends its request side too (lost fragments) */
        if (p1) {
            p0 = 1;
        }
        for (uint8_t d = 0; d < 2; d++) {
            uint8_t p = d == 0 ? p0 : p1;
            if (t->tx.progress[d] != p) {
                t->tx.progress[d] = p;
                app_tx_touch(&t->tx, d);
            }
        }
        if (p0 && p1) {
            open_remove(st, t);
        } else {
            i++;
        }
    }
}

static int one_pdu(DcerpcState *st, uint8_t dir, const uint8_t *pdu, uint32_t len)
{
    /* mark the calls the PDU reaches as changed: the open ones of its direction */
    if (!dce_pdu(&st->conn, st->af, dir, pdu, len, find_call, st)) {
        app_tx_event(st->af, NULL, DCE_EV_MALFORMED);
    }
    for (uint32_t i = 0; i < st->n_open; i++) {
        DcerpcTx *t = st->open[i];
        if (t->call.call_id == dce_pdu_call_id(pdu)) {
            app_tx_touch(&t->tx, dir);
            if (t->call.stub_truncated && !t->call.truncation_reported) {
                t->call.truncation_reported = true;
                app_tx_event(st->af, &t->tx, DCE_EV_FRAGMENT_TOO_LARGE);
            }
        }
    }
    settle(st);
    return APP_PARSE_OK;
}

/* UDP: one connectionless PDU per datagram; calls keyed by activity and sequence. */
static int dce_parse_udp(DcerpcState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    uint8_t activity[16];
    if (!dce_cl_header_ok(data, len)) {
        app_tx_event(st->af, NULL, DCE_EV_MALFORMED);
        return APP_PARSE_OK;     // a bad datagram does not end the flow
    }
    /* the activity picks among open calls of the same sequence number */
    const uint8_t *a = data + 40;
    if (data[4] & 0x10) {
        uint8_t c[16] = {a[3], a[2], a[1], a[0], a[5], a[4], a[7], a[6]};
        memcpy(c + 8, a + 8, 8);
        memcpy(st->udp_act, c, 16);
    } else {
        memcpy(st->udp_act, a, 16);
    }
    st->udp_on = true;
    (void)dce_cl_pdu(st->af, dir, data, len, find_call, st, activity);
    st->udp_on = false;
    for (uint32_t i = 0; i < st->n_open; i++) {
        DcerpcTx *t = st->open[i];
        if (t->call.is_udp && memcmp(t->call.activity, activity, 16) == 0) {
            app_tx_touch(&t->tx, dir);
        }
    }
    settle(st);
    return APP_PARSE_OK;
}

static int dce_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                     uint32_t *consumed)
{
    (void)consumed;
    DcerpcState *st = state;
    if (af->f != NULL && af->f->key.proto == 17) {
        return dce_parse_udp(st, dir, data, len);
    }
    uint64_t off0 = app_frame_chunk_offset(af, dir);
    const uint8_t *data0 = data;
    while (len > 0) {
        uint64_t here = off0 + (uint64_t)(data - data0);
        if (st->carry_len[dir] == 0) {
            st->carry_off[dir] = here;
            st->carry_frame[dir] = 0;
            if (len < DCE_HDR_LEN) {
                goto keep;
            }
            uint32_t pl = dce_pdu_len(data, len);
            if (pl == 0) {
                app_tx_event(st->af, NULL, DCE_EV_MALFORMED);
                return APP_PARSE_ERROR;
            }
            if (pl > len) {
                /* the pdu frame now: its bytes are kept while the rest arrives */
                st->carry_frame[dir] = app_frame_new(af, dir, here, pl, DCE_FRAME_PDU);
                goto keep;
            }
            pdu_frames(st, dir, here, pl, 0);
            one_pdu(st, dir, data, pl);
            data += pl;
            len -= pl;
            continue;
        }
    keep:;
        /* complete the carried PDU: first its header, then its body */
        uint32_t have = st->carry_len[dir];
        uint32_t need = DCE_HDR_LEN;
        if (have >= DCE_HDR_LEN) {
            need = dce_pdu_len(st->carry[dir], have);
        } else if (have + len >= DCE_HDR_LEN) {
            uint8_t hdr[DCE_HDR_LEN];
            if (have > 0) {
                memcpy(hdr, st->carry[dir], have);
            }
            memcpy(hdr + have, data, DCE_HDR_LEN - have);
            need = dce_pdu_len(hdr, DCE_HDR_LEN);
            if (need == 0) {
                app_tx_event(st->af, NULL, DCE_EV_MALFORMED);
                return APP_PARSE_ERROR;
            }
        }
        uint32_t take = need - have < len ? need - have : len;
        if (have + take > st->carry_cap[dir] &&
            !app_mem_grow(st->af, &st->carry[dir], &st->carry_cap[dir], need)) {
            return APP_PARSE_ERROR;
        }
        memcpy(st->carry[dir] + have, data, take);
        st->carry_len[dir] += take;
        data += take;
        len -= take;
        if (st->carry_len[dir] >= DCE_HDR_LEN && st->carry_len[dir] == need) {
            st->carry_len[dir] = 0;
            pdu_frames(st, dir, st->carry_off[dir], need, st->carry_frame[dir]);
            one_pdu(st, dir, st->carry[dir], need);
        }
    }
    return APP_PARSE_OK;
}

static int dce_probe(const uint8_t *data, uint32_t len, uint8_t dir)
{
    if ((len >= 1 && data[0] != 5) || (len >= 2 && data[1] > 1)) {
        return APP_PROBE_NO;
    }
    if (len >= 3) {
        uint8_t t = data[2];
        bool ok = dir == APP_DIR_TOSERVER
                      ? t == DCE_PT_BIND || t == DCE_PT_ALTER_CONTEXT || t == DCE_PT_REQUEST
                      : t == DCE_PT_BIND_ACK || t == DCE_PT_BIND_NAK || t == DCE_PT_RESPONSE ||
                            t == DCE_PT_ALTER_CONTEXT_RESP || t == DCE_PT_FAULT;
        if (!ok) {
            return APP_PROBE_NO;
        }
    }
    if (len >= 5 && (data[4] & 0xee) != 0) {
        return APP_PROBE_NO;
    }
    if (len < DCE_HDR_LEN) {
        return APP_PROBE_MORE;
    }
    return dce_pdu_len(data, len) != 0 ? APP_PROBE_YES : APP_PROBE_NO;
}

/* TCP: the connection-oriented probe; UDP, on a detection port only (the header has
 * little to tell it from other datagrams): a connectionless request toserver, a
 * response, fault or reject toclient. */
static int dce_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                        uint8_t dir)
{
    if (ipproto == 6) {
        return dce_probe(data, len, dir);
    }
    if (!port_hint || !dce_cl_header_ok(data, len)) {
        return APP_PROBE_NO;
    }
    uint8_t t = data[1];
    return (dir == APP_DIR_TOSERVER ? t == DCE_PT_REQUEST
                                    : t == DCE_PT_RESPONSE || t == DCE_PT_FAULT || t == 6)
               ? APP_PROBE_YES : APP_PROBE_NO;
}

const DceCall *dce_call_of(const AppTx *tx)
{
    if (tx == NULL) {
        return NULL;
    }
    if (tx->proto == APP_PROTO_DCERPC) {
        return &((const DcerpcTx *)tx)->call;
    }
    if (tx->proto == APP_PROTO_SMB) {
        return smb_tx_dce_call(tx);
    }
    return NULL;
}

static bool get_stub(const AppTx *tx, uint8_t dir, const uint8_t **d, uint32_t *l)
{
    const DceCall *c = dce_call_of(tx);
    if (c == NULL) {
        return false;
    }
    if (dir == APP_DIR_TOSERVER && c->req_type == DCE_PT_REQUEST && c->req_stub_len > 0) {
        *d = c->req_stub;
        *l = c->req_stub_len;
        return true;
    }
    if (dir == APP_DIR_TOCLIENT && c->res_type == DCE_PT_RESPONSE && c->res_stub_len > 0) {
        *d = c->res_stub;
        *l = c->res_stub_len;
        return true;
    }
    return false;
}

bool dce_get_stub_ts(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    return get_stub(tx, APP_DIR_TOSERVER, d, l);
}

bool dce_get_stub_tc(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    return get_stub(tx, APP_DIR_TOCLIENT, d, l);
}

const AppBufferDef dcerpc_buffers[DCERPC_N_BUFFERS] = {
    {.name = "dcerpc.stub_data", .proto = APP_PROTO_DCERPC, .dir = APP_DIR_TOSERVER,
     .progress = 1, .get = dce_get_stub_ts},
    {.name = "dcerpc.stub_data", .proto = APP_PROTO_DCERPC, .dir = APP_DIR_TOCLIENT,
     .progress = 1, .get = dce_get_stub_tc},
};

static void dce_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const DcerpcTx *t = dcerpc_tx(tx);
    if (t == NULL) {
        return;
    }
    json_open_object(jb, "dcerpc");
    dce_call_log(&t->call, jb);
    json_close_object(jb);
}

const AppParserDesc app_parser_dcerpc = {
    .name = "dcerpc",
    .proto = APP_PROTO_DCERPC,
    .ipproto = 0,                // TCP (connection-oriented) and UDP (connectionless)
    .split_counters = true,      // app_layer.flow/tx.<name>_tcp and _udp, as Suricata
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "135",
    .probe = dce_probe,
    .probe_ip = dce_probe_ip,
    .state_new = dce_state_new,
    .state_free = dce_state_free,
    .parse = dce_parse,
    .tx_free = dce_tx_free,
    .complete = {1, 1},
    .events = dcerpc_event_names,
    .n_events = DCE_EV_N,
    .buffers = dcerpc_buffers,
    .n_buffers = DCERPC_N_BUFFERS,
    .log_json = dce_log_json,
    .frame_types = dce_frame_types,
    .n_frame_types = sizeof(dce_frame_types) / sizeof(dce_frame_types[0]),
};
