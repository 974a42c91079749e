/* DCERPC over UDP: connectionless PDUs (DCE 1.1 RPC chapter 12.5, MS-RPCE 2.2.1), one
 * per datagram, an 80-byte header naming the interface, the activity and the sequence
 * number of the call. A call (request and response, fragments by fragment number) is
 * one tx of the dcerpc row; its interface is the header's, taken as bound. */
#include "app-layer/dcerpc/app-layer-dcerpc.h"

#include <string.h>

#define DCE_CL_HDR_LEN 80
enum { DCE_CL_F_LASTFRAG = 0x02, DCE_CL_F_FRAG = 0x04 };

static uint16_t rd16(const uint8_t *p, bool be)
{
    return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t rd32(const uint8_t *p, bool be)
{
    return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

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

bool dce_cl_header_ok(const uint8_t *d, uint32_t len)
{
    if (len < DCE_CL_HDR_LEN || d[0] != 4 || d[1] > 10 || (d[4] & 0xee) != 0) {
        return false;
    }
    bool be = !(d[4] & 0x10);
    return (uint32_t)rd16(d + 74, be) + DCE_CL_HDR_LEN <= len;
}

bool dce_cl_pdu(AppFlow *af, uint8_t dir, const uint8_t *d, uint32_t len, DceCallFind find,
                void *ud, uint8_t activity[16])
{
    if (!dce_cl_header_ok(d, len)) {
        return false;
    }
    uint8_t ptype = d[1];
    uint8_t flags = d[2];
    bool be = !(d[4] & 0x10);
    uint32_t seq = rd32(d + 64, be);
    read_uuid(d + 40, be, activity);
    DceCall *call = find(ud, seq, ptype, dir, true);
    if (call == NULL) {
        return true;
    }
    call->call_id = seq;
    uint16_t body = rd16(d + 74, be);
    const uint8_t *stub = d + DCE_CL_HDR_LEN;
    bool last = !(flags & DCE_CL_F_FRAG) || (flags & DCE_CL_F_LASTFRAG);
    if (dir == APP_DIR_TOSERVER) {
        if (call->req_type == DCE_PT_NONE) {
            call->req_type = ptype;
            call->rpc_ver = 4;
            call->big_endian = be;
            call->opnum = rd16(d + 68, be);
            DceIface *ifc = &call->ifaces[0];
            memset(ifc, 0, sizeof(*ifc));
            read_uuid(d + 24, be, ifc->uuid);
            uint32_t v = rd32(d + 60, be);
            ifc->ver = (uint16_t)v;
            ifc->ver_minor = (uint16_t)(v >> 16);
            ifc->acked = true;       // no bind over UDP: the header names the interface
            call->n_ifaces = 1;
        }
        if (ptype == DCE_PT_REQUEST) {
            call->req_frags++;
            dce_stub_append(af, call, APP_DIR_TOSERVER, stub, body);
        }
        call->req_done = call->req_done || last || ptype != DCE_PT_REQUEST;
    } else {
        if (call->res_type == DCE_PT_NONE) {
            call->res_type = ptype;
            if (call->req_type == DCE_PT_NONE) {
                call->rpc_ver = 4;
            }
        }
        if (ptype == DCE_PT_RESPONSE) {
            call->res_frags++;
            dce_stub_append(af, call, APP_DIR_TOCLIENT, stub, body);
        }
        /* a response, fault or reject ends the call; working / nocall do not */
        call->res_done = call->res_done || (ptype == DCE_PT_RESPONSE ? last
                                            : ptype != 5 && ptype != 6 && ptype != 9);
    }
    return true;
}
