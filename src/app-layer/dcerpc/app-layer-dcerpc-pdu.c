/* The DCE/RPC PDU engine shared by DCERPC over TCP and over SMB pipes: header checks,
 * presentation contexts from bind / alter_context and their acks, request and
 * response fragments reassembled per call (at most DCE_STUB_MAX bytes kept each way). */
#include "app-layer/dcerpc/app-layer-dcerpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p, bool be)
{
    return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t rd32(const uint8_t *p, bool be)
{
    return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static bool known_type(uint8_t t)
{
    return t <= DCE_PT_ORPHANED && t != 4 && t != 5 && t != 6 && t != 7 && t != 8 &&
           t != 9 && t != 10;
}

uint32_t dce_pdu_len(const uint8_t *d, uint32_t len)
{
    if (len < DCE_HDR_LEN || d[0] != 5 || d[1] > 1 || !known_type(d[2])) {
        return 0;
    }
    bool be = !(d[4] & 0x10);
    uint16_t fl = rd16(d + 8, be);
    uint16_t al = rd16(d + 10, be);
    if (fl < DCE_HDR_LEN || (uint32_t)al + DCE_HDR_LEN > fl) {
        return 0;
    }
    return fl;
}

uint32_t dce_pdu_call_id(const uint8_t *pdu)
{
    return rd32(pdu + 12, !(pdu[4] & 0x10));
}

void dce_call_init(DceCall *call)
{
    memset(call, 0, sizeof(*call));
    call->req_type = DCE_PT_NONE;
    call->res_type = DCE_PT_NONE;
}

void dce_call_free(AppFlow *af, DceCall *call)
{
    if (af != NULL) {
        app_mem_release(af, (uint64_t)call->req_stub_cap + call->res_stub_cap);
    }
    free(call->req_stub);
    free(call->res_stub);
    call->req_stub = call->res_stub = NULL;
    call->req_stub_cap = call->res_stub_cap = 0;
}

/* The syntax uuid in canonical order: the first three fields follow the data
 * representation, the last eight bytes are as sent. */
static void read_uuid(const uint8_t *p, bool be, uint8_t out[16])
{
    if (be) {
        memcpy(out, p, 16);
        return;
    }
    out[0] = p[3], out[1] = p[2], out[2] = p[1], out[3] = p[0];
    out[4] = p[5], out[5] = p[4];
    out[6] = p[7], out[7] = p[6];
    memcpy(out + 8, p + 8, 8);
}

void dce_uuid_str(const uint8_t u[16], char out[37])
{
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool dce_uuid_parse(const char *s, uint8_t uuid[16])
{
    uint32_t n = 0;
    for (uint32_t i = 0; s[i] != '\0'; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return false;
            }
            continue;
        }
        int h = hexval(s[i]);
        int l = s[i + 1] != '\0' ? hexval(s[i + 1]) : -1;
        if (h < 0 || l < 0 || n >= 16) {
            return false;
        }
        uuid[n++] = (uint8_t)(h << 4 | l);
        i++;
    }
    return n == 16;
}

const char *dce_type_name(uint8_t t)
{
    switch (t) {
    case DCE_PT_REQUEST: return "REQUEST";
    case DCE_PT_PING: return "PING";
    case DCE_PT_RESPONSE: return "RESPONSE";
    case DCE_PT_FAULT: return "FAULT";
    case DCE_PT_BIND: return "BIND";
    case DCE_PT_BIND_ACK: return "BINDACK";
    case DCE_PT_BIND_NAK: return "BINDNAK";
    case DCE_PT_ALTER_CONTEXT: return "ALTER_CONTEXT";
    case DCE_PT_ALTER_CONTEXT_RESP: return "ALTER_CONTEXT_RESP";
    case DCE_PT_SHUTDOWN: return "SHUTDOWN";
    case DCE_PT_CO_CANCEL: return "CO_CANCEL";
    case DCE_PT_ORPHANED: return "ORPHANED";
    default: return "UNKNOWN";
    }
}

const DceIface *dce_call_iface(const DceCall *call)
{
    return call->req_type == DCE_PT_REQUEST && call->n_ifaces > 0 ? &call->ifaces[0] : NULL;
}

/* Appends stub bytes, growing the buffer geometrically, charged to the memcap. */
static void stub_add(AppFlow *af, uint8_t **buf, uint32_t *len, uint32_t *cap, uint64_t *size,
                     const uint8_t *d, uint32_t n, bool *truncated)
{
    *size += n;
    if (n == 0) {
        return;
    }
    if (*len >= DCE_STUB_MAX) {
        *truncated = true;
        return;
    }
    if (n > DCE_STUB_MAX - *len) {
        n = DCE_STUB_MAX - *len;
        *truncated = true;
    }
    if (*len + n > *cap) {
        uint32_t nc = *cap < 256 ? 256 : *cap;
        while (nc < *len + n) {
            nc *= 2;
        }
        if (nc > DCE_STUB_MAX) {
            nc = DCE_STUB_MAX;
        }
        if (af != NULL && !app_mem_charge(af, nc - *cap)) {
            return;
        }
        uint8_t *nb = realloc(*buf, nc);
        if (nb == NULL) {
            if (af != NULL) {
                app_mem_release(af, nc - *cap);
            }
            return;
        }
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, d, n);
    *len += n;
}

void dce_stub_append(AppFlow *af, DceCall *call, uint8_t dir, const uint8_t *d, uint32_t n)
{
    if (dir == APP_DIR_TOSERVER) {
        stub_add(af, &call->req_stub, &call->req_stub_len, &call->req_stub_cap,
                 &call->req_stub_size, d, n, &call->stub_truncated);
    } else {
        stub_add(af, &call->res_stub, &call->res_stub_len, &call->res_stub_cap,
                 &call->res_stub_size, d, n, &call->stub_truncated);
    }
}

static DceIface *conn_iface(DceConn *c, uint16_t ctx_id)
{
    for (uint32_t i = 0; i < c->n_ifaces; i++) {
        if (c->ifaces[i].ctx_id == ctx_id) {
            return &c->ifaces[i];
        }
    }
    return NULL;
}

static bool parse_bind(DceConn *c, DceCall *call, const uint8_t *b, uint32_t n, bool be)
{
    if (n < 12) {
        return false;
    }
    uint8_t n_ctx = b[8];
    uint32_t off = 12;
    c->bind_first = c->n_ifaces;
    c->bind_n = 0;
    call->n_ifaces = 0;
    for (uint8_t i = 0; i < n_ctx; i++) {
        if (off + 24 > n) {
            return false;
        }
        uint16_t ctx_id = rd16(b + off, be);
        uint8_t n_ts = b[off + 2];
        DceIface ifc = {.ctx_id = ctx_id};
        read_uuid(b + off + 4, be, ifc.uuid);
        ifc.ver = rd16(b + off + 20, be);
        ifc.ver_minor = rd16(b + off + 22, be);
        off += 24 + 20u * n_ts;
        if (off > n) {
            return false;
        }
        DceIface *slot = conn_iface(c, ctx_id);
        if (slot == NULL && c->n_ifaces < DCE_IFACES_MAX) {
            slot = &c->ifaces[c->n_ifaces++];
        }
        if (slot != NULL) {
            *slot = ifc;
        }
        if (call->n_ifaces < DCE_IFACES_MAX) {
            call->ifaces[call->n_ifaces++] = ifc;
        }
    }
    c->bind_n = call->n_ifaces;
    return true;
}

static bool parse_bind_ack(DceConn *c, DceCall *call, const uint8_t *pdu, uint32_t n, bool be)
{
    const uint8_t *b = pdu + DCE_HDR_LEN;
    uint32_t bl = n - DCE_HDR_LEN;
    if (bl < 10) {
        return false;
    }
    uint16_t sec_len = rd16(b + 8, be);
    uint32_t off = DCE_HDR_LEN + 10u + sec_len;
    off = (off + 3u) & ~3u;      // aligned on 4 from the start of the PDU
    if (off + 4 > n) {
        return false;
    }
    uint8_t n_res = pdu[off];
    off += 4;
    for (uint8_t i = 0; i < n_res; i++) {
        if (off + 24 > n) {
            return false;
        }
        uint16_t result = rd16(pdu + off, be);
        uint16_t reason = rd16(pdu + off + 2, be);
        off += 24;
        if (i < call->n_ifaces) {
            call->ifaces[i].ack_result = result;
            call->ifaces[i].ack_reason = reason;
            call->ifaces[i].acked = true;
            DceIface *ci = conn_iface(c, call->ifaces[i].ctx_id);
            if (ci != NULL) {
                ci->ack_result = result;
                ci->ack_reason = reason;
                ci->acked = true;
            }
        }
    }
    return true;
}

bool dce_pdu(DceConn *c, AppFlow *af, uint8_t dir, const uint8_t *pdu, uint32_t len,
             DceCallFind find, void *ud)
{
    if (dce_pdu_len(pdu, len) != len) {
        return false;
    }
    uint8_t ptype = pdu[2];
    uint8_t flags = pdu[3];
    bool be = !(pdu[4] & 0x10);
    uint16_t auth_len = rd16(pdu + 10, be);
    uint32_t call_id = rd32(pdu + 12, be);
    uint32_t body_end = len - auth_len - (auth_len > 0 ? 8u : 0u);
    if (auth_len > 0 && (uint32_t)auth_len + 8 + DCE_HDR_LEN > len) {
        return false;
    }
    const uint8_t *b = pdu + DCE_HDR_LEN;
    uint32_t bl = body_end - DCE_HDR_LEN;
    DceCall *call = find(ud, call_id, ptype, dir, true);
    if (call == NULL) {
        return true;
    }
    call->call_id = call_id;
    bool is_req = dir == APP_DIR_TOSERVER;
    if (is_req) {
        if (call->req_type == DCE_PT_NONE) {
            call->req_type = ptype;
            call->rpc_ver = pdu[0];
            call->rpc_ver_minor = pdu[1];
            call->big_endian = be;
        }
    } else if (call->res_type == DCE_PT_NONE) {
        call->res_type = ptype;
        if (call->req_type == DCE_PT_NONE) {
            call->rpc_ver = pdu[0];
            call->rpc_ver_minor = pdu[1];
        }
    }
    switch (ptype) {
    case DCE_PT_BIND:
    case DCE_PT_ALTER_CONTEXT:
        call->req_done = true;
        /* a bind that does not say it is a first fragment binds nothing (as Suricata
         * 8.0.5: no interface of it is matched) */
        return (flags & DCE_PFC_FIRST_FRAG) ? parse_bind(c, call, b, bl, be) : true;
    case DCE_PT_BIND_ACK:
    case DCE_PT_ALTER_CONTEXT_RESP:
        call->res_done = true;
        return parse_bind_ack(c, call, pdu, body_end, be);
    case DCE_PT_BIND_NAK:
        call->res_done = true;
        for (uint32_t i = 0; i < call->n_ifaces; i++) {
            call->ifaces[i].acked = true;
            call->ifaces[i].ack_result = 2;
        }
        return true;
    case DCE_PT_REQUEST: {
        uint32_t hl = (flags & DCE_PFC_OBJECT_UUID) ? 24 : 8;
        if (bl < hl) {
            return false;
        }
        if (call->req_frags == 0) {
            call->ctx_id = rd16(b + 4, be);
            call->opnum = rd16(b + 6, be);
            if (flags & DCE_PFC_OBJECT_UUID) {
                call->has_object = true;
                read_uuid(b + 8, be, call->object);
            }
            const DceIface *ifc = conn_iface(c, call->ctx_id);
            call->n_ifaces = 0;
            if (ifc != NULL) {
                call->ifaces[0] = *ifc;
                call->n_ifaces = 1;
            }
        }
        call->req_frags++;
        stub_add(af, &call->req_stub, &call->req_stub_len, &call->req_stub_cap,
                 &call->req_stub_size, b + hl, bl - hl, &call->stub_truncated);
        if (flags & DCE_PFC_LAST_FRAG) {
            call->req_done = true;
        }
        return true;
    }
    case DCE_PT_RESPONSE:
        if (bl < 8) {
            return false;
        }
        call->res_frags++;
        stub_add(af, &call->res_stub, &call->res_stub_len, &call->res_stub_cap,
                 &call->res_stub_size, b + 8, bl - 8, &call->stub_truncated);
        if (flags & DCE_PFC_LAST_FRAG) {
            call->res_done = true;
        }
        return true;
    default:
        /* faults, shutdown, cancel, orphaned: end the call in their direction */
        if (is_req) {
            call->req_done = true;
        } else {
            call->res_done = true;
        }
        return true;
    }
}

static void log_ifaces(const DceCall *call, JsonBuf *jb)
{
    if (call->n_ifaces == 0) {
        return;
    }
    json_open_array(jb, "interfaces");
    for (uint32_t i = 0; i < call->n_ifaces; i++) {
        const DceIface *ifc = &call->ifaces[i];
        char u[37];
        char v[16];
        dce_uuid_str(ifc->uuid, u);
        snprintf(v, sizeof(v), "%u.%u", ifc->ver, ifc->ver_minor);
        json_open_object(jb, NULL);
        json_str(jb, "uuid", u);
        json_str(jb, "version", v);
        if (ifc->acked) {
            json_u64(jb, "ack_result", ifc->ack_result);
        }
        json_close_object(jb);
    }
    json_close_array(jb);
}

void dce_call_log(const DceCall *call, JsonBuf *jb)
{
    char ver[16];
    json_str(jb, "request",
             call->req_type == DCE_PT_NONE ? "REQUEST_LOST" : dce_type_name(call->req_type));
    json_str(jb, "response", call->res_type == DCE_PT_NONE ? "UNREPLIED"
                                                           : dce_type_name(call->res_type));
    if (call->req_type == DCE_PT_BIND || call->req_type == DCE_PT_ALTER_CONTEXT) {
        log_ifaces(call, jb);
    } else if (call->req_type == DCE_PT_REQUEST) {
        log_ifaces(call, jb);
        json_open_object(jb, "req");
        json_u64(jb, "opnum", call->opnum);
        json_u64(jb, "frag_cnt", call->req_frags);
        json_u64(jb, "stub_data_size", call->req_stub_size);
        json_close_object(jb);
    }
    if (call->res_type == DCE_PT_RESPONSE) {
        json_open_object(jb, "res");
        json_u64(jb, "frag_cnt", call->res_frags);
        json_u64(jb, "stub_data_size", call->res_stub_size);
        json_close_object(jb);
    }
    json_u64(jb, "call_id", call->call_id);
    if (call->is_udp) {
        char u[37];
        dce_uuid_str(call->activity, u);
        json_str(jb, "activityuuid", u);
        json_u64(jb, "seqnum", call->call_id);
    }
    snprintf(ver, sizeof(ver), "%u.%u", call->rpc_ver, call->rpc_ver_minor);
    json_str(jb, "rpc_version", ver);
}
