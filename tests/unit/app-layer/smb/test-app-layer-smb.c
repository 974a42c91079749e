/* SMB and DCERPC through the app-layer framework: SMB2 sessions (negotiate, NTLMSSP
 * session setup, tree connect, create, reads as files, close) in any split, reads
 * answered out of order, DCERPC over TCP (bind, ack, a request in two fragments) and
 * over an SMB pipe, and malformed input: lying lengths and offsets, bad NTLMSSP fields,
 * junk before a record, garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/dcerpc/app-layer-dcerpc.h"
#include "app-layer/smb/app-layer-smb.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-json.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static void flow_init(Fx *fx, uint16_t dp)
{
    memset(&fx->f, 0, sizeof(fx->f));
    fx->f.key.proto = 6;
    fx->f.key.src.family = 4;
    fx->f.key.dst.family = 4;
    fx->f.key.src.a.u8[3] = 1;
    fx->f.key.dst.a.u8[3] = 2;
    fx->f.key.sp = 50000;
    fx->f.key.dp = dp;
    fx->af = app_flow_get_or_new(&fx->f);
    assert_non_null(fx->af);
}

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_SMB, true);
    app_layer_set_proto_inspected(APP_PROTO_DCERPC, true);
    Fx *fx = calloc(1, sizeof(*fx));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    if (fx->af != NULL) {
        app_flow_free(fx->af);
    }
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_SMB, false);
    app_layer_set_proto_inspected(APP_PROTO_DCERPC, false);
    app_test_reset();
    return 0;
}

/* ---- message builders ---- */

typedef struct Buf {
    uint8_t d[4096];
    uint32_t n;
} Buf;

static void put(Buf *b, const void *p, uint32_t n)
{
    assert_true(b->n + n <= sizeof(b->d));
    memcpy(b->d + b->n, p, n);
    b->n += n;
}

static void u8(Buf *b, uint8_t v)
{
    put(b, &v, 1);
}

static void u16(Buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, 2);
}

static void u32(Buf *b, uint32_t v)
{
    u16(b, (uint16_t)v);
    u16(b, (uint16_t)(v >> 16));
}

static void u64(Buf *b, uint64_t v)
{
    u32(b, (uint32_t)v);
    u32(b, (uint32_t)(v >> 32));
}

static void zeros(Buf *b, uint32_t n)
{
    while (n-- > 0) {
        u8(b, 0);
    }
}

static void utf16(Buf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        u16(b, (uint8_t)*s);
    }
}

static void smb2_hdr(Buf *b, uint16_t cmd, uint64_t msg_id, bool resp, uint32_t status,
                     uint32_t tree)
{
    put(b, "\xfeSMB", 4);
    u16(b, 64);
    u16(b, 0);
    u32(b, status);
    u16(b, cmd);
    u16(b, 1);
    u32(b, resp ? 1 : 0);
    u32(b, 0);
    u64(b, msg_id);
    u32(b, 0);
    u32(b, tree);
    u64(b, 0x1122);
    zeros(b, 16);
}

/* The NetBIOS session message around msg. */
static Buf nbss(const Buf *msg)
{
    Buf r = {0};
    u8(&r, 0);
    u8(&r, (uint8_t)(msg->n >> 16));
    u8(&r, (uint8_t)(msg->n >> 8));
    u8(&r, (uint8_t)msg->n);
    put(&r, msg->d, msg->n);
    return r;
}

static void feed_buf(Fx *fx, uint8_t dir, const Buf *b, uint32_t step)
{
    for (uint32_t o = 0; o < b->n; o += step) {
        uint32_t n = b->n - o < step ? b->n - o : step;
        app_flow_data(fx->af, dir, b->d + o, n);
    }
    app_flow_packet_publish(fx->af);
}

static void send2(Fx *fx, uint8_t dir, const Buf *msg, uint32_t step)
{
    Buf r = nbss(msg);
    feed_buf(fx, dir, &r, step);
}

static const SmbTx *smb_at(Fx *fx, uint32_t i)
{
    return smb_tx(app_layer_tx_at(&fx->f, i));
}

static const SmbTx *find_cmd(Fx *fx, uint8_t kind, uint16_t cmd)
{
    for (uint32_t i = 0; i < app_layer_tx_count(&fx->f); i++) {
        const SmbTx *t = smb_at(fx, i);
        if (t != NULL && t->kind == kind && t->command == cmd) {
            return t;
        }
    }
    return NULL;
}

static bool buffer_is(Fx *fx, const char *name, const AppTx *tx, uint8_t dir, const char *v)
{
    int id = app_layer_buffer_find_for(name, tx->proto, dir);
    assert_true(id >= 0);
    const uint8_t *d;
    uint32_t l;
    if (!app_layer_buffer_def(id)->get(&fx->f, tx, &d, &l)) {
        return false;
    }
    return l == strlen(v) && memcmp(d, v, l) == 0;
}

static const uint8_t FID[16] = {0x49, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};

/* An NTLMSSP AUTHENTICATE message with domain, user and host (UTF-16). */
static void ntlmssp_auth(Buf *b, const char *dom, const char *user, const char *host,
                         uint32_t lie_off)
{
    uint32_t base = b->n;
    put(b, "NTLMSSP\0", 8);
    u32(b, 3);
    uint32_t off = 72;
    uint16_t ld = (uint16_t)(2 * strlen(dom));
    uint16_t lu = (uint16_t)(2 * strlen(user));
    uint16_t lh = (uint16_t)(2 * strlen(host));
    u16(b, 0), u16(b, 0), u32(b, off);                   // lm
    u16(b, 0), u16(b, 0), u32(b, off);                   // nt
    u16(b, ld), u16(b, ld), u32(b, off);                 // domain
    u16(b, lu), u16(b, lu), u32(b, lie_off ? lie_off : off + ld);   // user
    u16(b, lh), u16(b, lh), u32(b, off + ld + lu);       // host
    u16(b, 0), u16(b, 0), u32(b, off);                   // session key
    u32(b, 0x02000001);                                  // unicode, version
    u8(b, 6), u8(b, 1), u16(b, 7601), zeros(b, 3), u8(b, 15);
    assert_int_equal(b->n - base, 72);
    utf16(b, dom);
    utf16(b, user);
    utf16(b, host);
}

static void session(Fx *fx, uint32_t step)
{
    Buf m = {0};
    smb2_hdr(&m, 0, 0, false, 0, 0);                     // negotiate
    u16(&m, 36), u16(&m, 2), zeros(&m, 32), u16(&m, 0x0202), u16(&m, 0x0210);
    send2(fx, APP_DIR_TOSERVER, &m, step);
    m.n = 0;
    smb2_hdr(&m, 0, 0, true, 0, 0);
    u16(&m, 65), u16(&m, 0), u16(&m, 0x0210), u16(&m, 0);
    put(&m, FID, 16);
    zeros(&m, 4 + 4 * 3 + 16 + 8);
    send2(fx, APP_DIR_TOCLIENT, &m, step);

    m.n = 0;                                             // session setup
    smb2_hdr(&m, 1, 1, false, 0, 0);
    Buf blob = {0};
    ntlmssp_auth(&blob, "CORP", "alice", "WS1", 0);
    u16(&m, 25), u8(&m, 0), u8(&m, 0), u32(&m, 0), u32(&m, 0);
    u16(&m, 64 + 24), u16(&m, (uint16_t)blob.n), u64(&m, 0);
    put(&m, blob.d, blob.n);
    send2(fx, APP_DIR_TOSERVER, &m, step);
    m.n = 0;
    smb2_hdr(&m, 1, 1, true, 0, 0);
    u16(&m, 9), u16(&m, 0), u16(&m, 0), u16(&m, 0);
    send2(fx, APP_DIR_TOCLIENT, &m, step);

    m.n = 0;                                             // tree connect
    smb2_hdr(&m, 3, 2, false, 0, 0);
    u16(&m, 9), u16(&m, 0), u16(&m, 64 + 8), u16(&m, 2 * 14);
    utf16(&m, "\\\\srv\\public$");
    assert_int_equal(m.n, 64 + 8 + 26);
    u16(&m, 0);
    send2(fx, APP_DIR_TOSERVER, &m, step);
    m.n = 0;
    smb2_hdr(&m, 3, 2, true, 0, 7);
    u16(&m, 16), u8(&m, 1), u8(&m, 0), u32(&m, 0), u32(&m, 0), u32(&m, 0);
    send2(fx, APP_DIR_TOCLIENT, &m, step);
}

static void create(Fx *fx, uint64_t msg_id, const char *name, const uint8_t *fid, uint32_t step)
{
    Buf m = {0};
    smb2_hdr(&m, 5, msg_id, false, 0, 7);
    u16(&m, 57), u8(&m, 0), u8(&m, 0), u32(&m, 0), u64(&m, 0), u64(&m, 0);
    u32(&m, 0x80), u32(&m, 0), u32(&m, 7), u32(&m, 1), u32(&m, 0);
    u16(&m, 64 + 56), u16(&m, (uint16_t)(2 * strlen(name))), u32(&m, 0), u32(&m, 0);
    utf16(&m, name);
    send2(fx, APP_DIR_TOSERVER, &m, step);
    m.n = 0;
    smb2_hdr(&m, 5, msg_id, true, 0, 7);
    u16(&m, 89), u8(&m, 0), u8(&m, 0), u32(&m, 1);
    u64(&m, 131000000000000000ull), u64(&m, 0), u64(&m, 0), u64(&m, 0);
    u64(&m, 4096), u64(&m, 11), u32(&m, 0x80), u32(&m, 0);
    put(&m, fid, 16);
    u32(&m, 0), u32(&m, 0);
    send2(fx, APP_DIR_TOCLIENT, &m, step);
}

static void read_req(Fx *fx, uint64_t msg_id, const uint8_t *fid, uint64_t off, uint32_t len)
{
    Buf m = {0};
    smb2_hdr(&m, 8, msg_id, false, 0, 7);
    u16(&m, 49), u8(&m, 0), u8(&m, 0), u32(&m, len), u64(&m, off);
    put(&m, fid, 16);
    zeros(&m, 17);
    send2(fx, APP_DIR_TOSERVER, &m, 4096);
}

static void read_resp(Fx *fx, uint64_t msg_id, const char *data)
{
    Buf m = {0};
    smb2_hdr(&m, 8, msg_id, true, 0, 7);
    u16(&m, 17), u8(&m, 80), u8(&m, 0), u32(&m, (uint32_t)strlen(data)), u32(&m, 0),
        u32(&m, 0);
    put(&m, data, (uint32_t)strlen(data));
    send2(fx, APP_DIR_TOCLIENT, &m, 4096);
}

static void close_fid(Fx *fx, uint64_t msg_id, const uint8_t *fid)
{
    Buf m = {0};
    smb2_hdr(&m, 6, msg_id, false, 0, 7);
    u16(&m, 24), u16(&m, 0), u32(&m, 0);
    put(&m, fid, 16);
    send2(fx, APP_DIR_TOSERVER, &m, 4096);
    m.n = 0;
    smb2_hdr(&m, 6, msg_id, true, 0, 7);
    u16(&m, 60), zeros(&m, 58);
    send2(fx, APP_DIR_TOCLIENT, &m, 4096);
}

/* ---- tests ---- */

static void smb2_session_any_split(void **state)
{
    Fx *fx = *state;
    for (uint32_t step = 1; step <= 7; step += 6) {
        flow_init(fx, 445);
        session(fx, step);
        create(fx, 3, "dir\\a.txt", FID, step);
        assert_int_equal(fx->f.app_proto, APP_PROTO_SMB);
        const SmbTx *neg = find_cmd(fx, SMB_KIND_CMD, 0);
        assert_non_null(neg);
        assert_int_equal(neg->dialect, 0x0210);
        assert_int_equal(neg->n_client_dialects, 2);
        const SmbTx *ss = find_cmd(fx, SMB_KIND_CMD, 1);
        assert_non_null(ss);
        assert_true(buffer_is(fx, "smb.ntlmssp_user", &ss->tx, APP_DIR_TOSERVER, "alice"));
        assert_true(buffer_is(fx, "smb.ntlmssp_domain", &ss->tx, APP_DIR_TOSERVER, "CORP"));
        assert_string_equal(ss->ntlm_version, "6.1 build 7601 rev 15");
        const SmbTx *tc = find_cmd(fx, SMB_KIND_CMD, 3);
        assert_non_null(tc);
        assert_int_equal(tc->tree_id, 7);
        assert_true(buffer_is(fx, "smb.share", &tc->tx, APP_DIR_TOSERVER, "\\\\srv\\public$"));
        assert_false(buffer_is(fx, "smb.named_pipe", &tc->tx, APP_DIR_TOSERVER,
                               "\\\\srv\\public$"));
        const SmbTx *cr = find_cmd(fx, SMB_KIND_CMD, 5);
        assert_non_null(cr);
        assert_int_equal(cr->filename.len, 9);
        assert_memory_equal(cr->filename.s, "dir\\a.txt", 9);
        assert_int_equal(cr->disposition, 1);
        assert_int_equal(cr->size, 11);
        assert_true(app_layer_tx_complete(&fx->f, &cr->tx, APP_DIR_TOCLIENT));
        app_flow_free(fx->af);
        fx->af = NULL;
        flow_storage_reset();
    }
}

/* Reads answered out of order are put back in offset order; the file is named by its
 * create and closes with the CLOSE response. */
static void file_reads_out_of_order(void **state)
{
    Fx *fx = *state;
    flow_init(fx, 445);
    session(fx, 4096);
    create(fx, 3, "a.txt", FID, 4096);
    read_req(fx, 4, FID, 0, 6);
    read_req(fx, 5, FID, 6, 5);
    read_resp(fx, 5, "world");
    read_resp(fx, 4, "hello ");
    close_fid(fx, 6, FID);
    const SmbTx *ft = find_cmd(fx, SMB_KIND_FILE, 8);
    assert_non_null(ft);
    const AppFile *f = app_layer_tx_file_at(&fx->f, &ft->tx, APP_DIR_TOCLIENT, 0);
    assert_non_null(f);
    assert_int_equal(f->state, APP_FILE_CLOSED);
    assert_int_equal(f->size, 11);
    assert_false(f->flags & APP_FILE_F_GAP);
    assert_int_equal(f->name_len, 5);
    assert_true(buffer_is(fx, "file.data", &ft->tx, APP_DIR_TOCLIENT, "hello world"));
    JsonBuf jb;
    app_test_tx_json(&fx->f, ft->tx.id, &jb, 1024);
    assert_non_null(strstr(jb.buf, "\"command\":\"SMB2_COMMAND_READ\""));
    assert_non_null(strstr(jb.buf, "\"filename\":\"a.txt\""));
    assert_non_null(strstr(jb.buf, "\"fuid\":\"00000049-0000-0000-0001-0000ffffffff\""));
    json_buf_deinit(&jb);
}

/* Lying lengths and offsets: nothing is read outside the message. */
static void smb2_malformed_fields(void **state)
{
    Fx *fx = *state;
    flow_init(fx, 445);
    session(fx, 4096);
    Buf m = {0};
    smb2_hdr(&m, 3, 9, false, 0, 0);                     // tree connect, path past the end
    u16(&m, 9), u16(&m, 0), u16(&m, 4000), u16(&m, 400);
    send2(fx, APP_DIR_TOSERVER, &m, 4096);
    m.n = 0;
    smb2_hdr(&m, 5, 10, false, 0, 7);                    // create, name offset too far
    u16(&m, 57), zeros(&m, 42), u16(&m, 64000), u16(&m, 64000), zeros(&m, 8);
    send2(fx, APP_DIR_TOSERVER, &m, 4096);
    m.n = 0;                                             // NTLMSSP user offset past the end
    smb2_hdr(&m, 1, 11, false, 0, 0);
    Buf blob = {0};
    ntlmssp_auth(&blob, "D", "u", "h", 0x7fffffff);
    u16(&m, 25), u8(&m, 0), u8(&m, 0), u32(&m, 0), u32(&m, 0);
    u16(&m, 64 + 24), u16(&m, (uint16_t)blob.n), u64(&m, 0);
    put(&m, blob.d, blob.n);
    send2(fx, APP_DIR_TOSERVER, &m, 4096);
    m.n = 0;                                             // a bad SMB2 header
    put(&m, "\xfeSMB", 4);
    u16(&m, 12);
    zeros(&m, 60);
    send2(fx, APP_DIR_TOSERVER, &m, 4096);
    const SmbTx *tc = NULL;
    const SmbTx *ss = NULL;
    for (uint32_t i = 0; i < app_layer_tx_count(&fx->f); i++) {
        const SmbTx *t = smb_at(fx, i);
        tc = t->command == 3 && t->msg_id == 9 ? t : tc;
        ss = t->command == 1 && t->msg_id == 11 ? t : ss;
    }
    assert_non_null(tc);
    assert_null(tc->share.s);
    assert_non_null(ss);
    assert_null(ss->ntlm_user.s);
    bool ntlm_ev = false;
    int base = app_layer_event_find("smb.malformed_ntlmssp_request");
    for (uint32_t e = 0; e < ss->tx.n_events; e++) {
        ntlm_ev |= ss->tx.events[e] == base;
    }
    assert_true(ntlm_ev);
    const AppEventId *ids;
    uint32_t n = app_layer_flow_events(&fx->f, &ids);
    bool malformed = false;
    for (uint32_t e = 0; e < n; e++) {
        malformed |= ids[e] == app_layer_event_find("smb.malformed_data");
    }
    assert_true(malformed);
}

/* Junk before the first record (a midstream start) is skipped; a record announcing
 * more than the parser follows stops it without reading past the data. */
static void junk_resync_and_huge_record(void **state)
{
    Fx *fx = *state;
    flow_init(fx, 445);
    session(fx, 4096);
    Buf j = {0};
    put(&j, "\x01\x02junk-junk\x00\x00", 13);
    feed_buf(fx, APP_DIR_TOSERVER, &j, 4096);
    uint32_t before = app_layer_tx_count(&fx->f);
    create(fx, 3, "b.bin", FID, 3);
    assert_true(app_layer_tx_count(&fx->f) > before);
    Buf h = {0};
    u8(&h, 0), u8(&h, 0xff), u8(&h, 0xff), u8(&h, 0xff);  // 16 MiB record
    put(&h, "\xfeSMB", 4);
    feed_buf(fx, APP_DIR_TOSERVER, &h, 4096);
    assert_true(fx->af->flags & APP_FLOW_F_ERROR);
}

static void dce_bind(Buf *b, uint32_t call_id, uint8_t flags, const char *uuid_le)
{
    put(b, "\x05\x00\x0b", 3);
    u8(b, flags);
    put(b, "\x10\x00\x00\x00", 4);
    u16(b, 72), u16(b, 0), u32(b, call_id);
    u16(b, 4280), u16(b, 4280), u32(b, 0);
    u8(b, 1), zeros(b, 3);
    u16(b, 0), u8(b, 1), u8(b, 0);
    put(b, uuid_le, 16);
    u16(b, 3), u16(b, 0);
    zeros(b, 20);                                         // transfer syntax
}

static void dce_bind_ack(Buf *b, uint32_t call_id)
{
    put(b, "\x05\x00\x0c\x03\x10\x00\x00\x00", 8);
    u16(b, 60), u16(b, 0), u32(b, call_id);
    u16(b, 4280), u16(b, 4280), u32(b, 0x1234);
    u16(b, 4), put(b, "135\0", 4);                        // secondary address
    zeros(b, 2);                                          // pad to 4 (offset 32)
    u8(b, 1), zeros(b, 3);
    u16(b, 0), u16(b, 0), zeros(b, 20);
}

static void dce_request(Buf *b, uint32_t call_id, uint8_t flags, uint16_t opnum,
                        const char *stub)
{
    uint16_t sl = (uint16_t)strlen(stub);
    put(b, "\x05\x00\x00", 3);
    u8(b, flags);
    put(b, "\x10\x00\x00\x00", 4);
    u16(b, (uint16_t)(24 + sl)), u16(b, 0), u32(b, call_id);
    u32(b, sl), u16(b, 0), u16(b, opnum);
    put(b, stub, sl);
}

static const char EPM_LE[16] = "\x08\x83\xaf\xe1\x1f\x5d\xc9\x11\x91\xa4\x08\x00\x2b\x14\xa0\xfa";

static void dcerpc_tcp_bind_and_fragments(void **state)
{
    Fx *fx = *state;
    flow_init(fx, 135);
    Buf b = {0};
    dce_bind(&b, 1, 3, EPM_LE);
    feed_buf(fx, APP_DIR_TOSERVER, &b, 5);
    b.n = 0;
    dce_bind_ack(&b, 1);
    feed_buf(fx, APP_DIR_TOCLIENT, &b, 7);
    assert_int_equal(fx->f.app_proto, APP_PROTO_DCERPC);
    b.n = 0;
    dce_request(&b, 2, 1, 42, "AAAA");
    dce_request(&b, 2, 2, 42, "BBBB");
    feed_buf(fx, APP_DIR_TOSERVER, &b, 3);
    const DceCall *req = NULL;
    const AppTx *rtx = NULL;
    for (uint32_t i = 0; i < app_layer_tx_count(&fx->f); i++) {
        const DceCall *c = dce_call_of(app_layer_tx_at(&fx->f, i));
        if (c != NULL && c->req_type == DCE_PT_REQUEST) {
            req = c;
            rtx = app_layer_tx_at(&fx->f, i);
        }
    }
    assert_non_null(req);
    assert_int_equal(req->opnum, 42);
    assert_int_equal(req->req_frags, 2);
    assert_true(req->req_done);
    assert_true(buffer_is(fx, "dcerpc.stub_data", rtx, APP_DIR_TOSERVER, "AAAABBBB"));
    const DceIface *ifc = dce_call_iface(req);
    assert_non_null(ifc);
    char u[37];
    dce_uuid_str(ifc->uuid, u);
    assert_string_equal(u, "e1af8308-5d1f-11c9-91a4-08002b14a0fa");
    assert_true(ifc->acked);
    assert_int_equal(ifc->ack_result, 0);
}

/* A bind whose context count lies, a bind without PFC_FIRST_FRAG (binds nothing),
 * and a PDU whose fragment length is below the header: events, no crash. */
static void dcerpc_malformed(void **state)
{
    Fx *fx = *state;
    flow_init(fx, 135);
    Buf b = {0};
    dce_bind(&b, 1, 0, EPM_LE);                           // no first-frag flag
    feed_buf(fx, APP_DIR_TOSERVER, &b, 4096);
    b.n = 0;
    dce_bind_ack(&b, 1);
    feed_buf(fx, APP_DIR_TOCLIENT, &b, 4096);
    b.n = 0;
    dce_request(&b, 2, 3, 1, "xx");
    feed_buf(fx, APP_DIR_TOSERVER, &b, 4096);
    const AppTx *last = app_layer_tx_at(&fx->f, app_layer_tx_count(&fx->f) - 1);
    assert_null(dce_call_iface(dce_call_of(last)));
    b.n = 0;
    dce_bind(&b, 3, 3, EPM_LE);
    b.d[24] = 200;                                        // 200 contexts in 72 bytes
    feed_buf(fx, APP_DIR_TOSERVER, &b, 4096);
    const AppEventId *ids;
    uint32_t n = app_layer_flow_events(&fx->f, &ids);
    bool malformed = false;
    for (uint32_t e = 0; e < n; e++) {
        malformed |= ids[e] == app_layer_event_find("dcerpc.malformed_data");
    }
    assert_true(malformed);
    b.n = 0;
    put(&b, "\x05\x00\x00\x03\x10\x00\x00\x00\x08\x00\x00\x00\x01\x00\x00\x00", 16);
    feed_buf(fx, APP_DIR_TOSERVER, &b, 4096);
    assert_true(fx->af->flags & APP_FLOW_F_ERROR);
}

/* DCERPC on an SMB pipe: a bind written to the pipe, a request through
 * FSCTL_PIPE_TRANSCEIVE whose response answers the same call. */
static void dcerpc_over_smb_pipe(void **state)
{
    Fx *fx = *state;
    flow_init(fx, 445);
    session(fx, 4096);
    Buf m = {0};
    smb2_hdr(&m, 3, 20, false, 0, 0);                    // tree connect IPC$
    u16(&m, 9), u16(&m, 0), u16(&m, 64 + 8), u16(&m, 2 * 11);
    utf16(&m, "\\\\srv\\IPC$");
    u16(&m, 0);
    send2(fx, APP_DIR_TOSERVER, &m, 4096);
    m.n = 0;
    smb2_hdr(&m, 3, 20, true, 0, 9);
    u16(&m, 16), u8(&m, 2), u8(&m, 0), u32(&m, 0), u32(&m, 0), u32(&m, 0);
    send2(fx, APP_DIR_TOCLIENT, &m, 4096);
    static const uint8_t PFID[16] = {7, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
    m.n = 0;
    smb2_hdr(&m, 5, 21, false, 0, 9);                    // create "lsarpc"
    u16(&m, 57), zeros(&m, 42), u16(&m, 64 + 56), u16(&m, 12), zeros(&m, 8);
    utf16(&m, "lsarpc");
    send2(fx, APP_DIR_TOSERVER, &m, 4096);
    m.n = 0;
    smb2_hdr(&m, 5, 21, true, 0, 9);
    u16(&m, 89), zeros(&m, 62);
    put(&m, PFID, 16);
    zeros(&m, 8);
    send2(fx, APP_DIR_TOCLIENT, &m, 4096);
    Buf pdu = {0};
    dce_bind(&pdu, 1, 3, EPM_LE);
    m.n = 0;
    smb2_hdr(&m, 9, 22, false, 0, 9);                    // write the bind
    u16(&m, 49), u16(&m, 64 + 48), u32(&m, pdu.n), u64(&m, 0);
    put(&m, PFID, 16);
    zeros(&m, 16);
    put(&m, pdu.d, pdu.n);
    send2(fx, APP_DIR_TOSERVER, &m, 4096);
    m.n = 0;
    smb2_hdr(&m, 9, 22, true, 0, 9);
    u16(&m, 17), zeros(&m, 14);
    send2(fx, APP_DIR_TOCLIENT, &m, 4096);
    pdu.n = 0;
    dce_bind_ack(&pdu, 1);
    m.n = 0;
    smb2_hdr(&m, 8, 23, false, 0, 9);                    // read the ack
    u16(&m, 49), u8(&m, 0), u8(&m, 0), u32(&m, 1024), u64(&m, 0);
    put(&m, PFID, 16);
    zeros(&m, 17);
    send2(fx, APP_DIR_TOSERVER, &m, 4096);
    m.n = 0;
    smb2_hdr(&m, 8, 23, true, 0, 9);
    u16(&m, 17), u8(&m, 80), u8(&m, 0), u32(&m, pdu.n), u32(&m, 0), u32(&m, 0);
    put(&m, pdu.d, pdu.n);
    send2(fx, APP_DIR_TOCLIENT, &m, 4096);
    pdu.n = 0;
    dce_request(&pdu, 2, 3, 7, "STUB");
    m.n = 0;
    smb2_hdr(&m, 0xb, 24, false, 0, 9);                  // transceive the request
    u16(&m, 57), u16(&m, 0), u32(&m, 0x0011c017);
    put(&m, PFID, 16);
    u32(&m, 64 + 56), u32(&m, pdu.n), zeros(&m, 24);
    put(&m, pdu.d, pdu.n);
    send2(fx, APP_DIR_TOSERVER, &m, 4096);
    const SmbTx *io = find_cmd(fx, SMB_KIND_CMD, 0xb);
    assert_non_null(io);
    assert_true(io->has_dce);
    assert_int_equal(io->dce.opnum, 7);
    assert_true(buffer_is(fx, "dcerpc.stub_data", &io->tx, APP_DIR_TOSERVER, "STUB"));
    assert_non_null(dce_call_iface(&io->dce));
    const SmbTx *tc = NULL;
    for (uint32_t i = 0; i < app_layer_tx_count(&fx->f); i++) {
        const SmbTx *t = smb_at(fx, i);
        tc = t->command == 3 && t->msg_id == 20 ? t : tc;
    }
    assert_non_null(tc);
    assert_true(buffer_is(fx, "smb.named_pipe", &tc->tx, APP_DIR_TOSERVER, "\\\\srv\\IPC$"));
}

static void dce_cl(Buf *b, uint8_t ptype, uint8_t flags, uint16_t fragnum, const char *stub)
{
    u8(b, 4), u8(b, ptype), u8(b, flags), u8(b, 0);
    put(b, "\x10\x00\x00\x00", 4);
    zeros(b, 16);                                         // object
    put(b, EPM_LE, 16);                                   // interface
    put(b, "ACTIVITY-UUID-01", 16);
    u32(b, 1), u32(b, 3), u32(b, 9);                      // boot, if version, seqnum
    u16(b, 4), u16(b, 0xffff), u16(b, 0xffff);            // opnum, hints
    u16(b, (uint16_t)strlen(stub)), u16(b, fragnum), u8(b, 0), u8(b, 0);
    put(b, stub, (uint32_t)strlen(stub));
}

/* DCERPC over UDP: a request in two fragments, a response; a short datagram is an
 * event and does not stop the flow. */
static void dcerpc_udp_call(void **state)
{
    Fx *fx = *state;
    flow_init(fx, 135);
    fx->f.key.proto = 17;
    Buf b = {0};
    dce_cl(&b, 0, 0x04, 0, "UDP-");
    feed_buf(fx, APP_DIR_TOSERVER, &b, 4096);
    assert_int_equal(fx->f.app_proto, APP_PROTO_DCERPC);
    b.n = 0;
    put(&b, "\x04\x00", 2);
    feed_buf(fx, APP_DIR_TOSERVER, &b, 4096);
    b.n = 0;
    dce_cl(&b, 0, 0x06, 1, "STUB");
    feed_buf(fx, APP_DIR_TOSERVER, &b, 4096);
    b.n = 0;
    dce_cl(&b, 2, 0, 0, "ANSWER");
    feed_buf(fx, APP_DIR_TOCLIENT, &b, 4096);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    const AppTx *tx = app_layer_tx_at(&fx->f, 0);
    const DceCall *c = dce_call_of(tx);
    assert_non_null(c);
    assert_true(c->is_udp);
    assert_int_equal(c->opnum, 4);
    assert_int_equal(c->req_frags, 2);
    assert_true(c->req_done && c->res_done);
    assert_true(buffer_is(fx, "dcerpc.stub_data", tx, APP_DIR_TOSERVER, "UDP-STUB"));
    assert_true(buffer_is(fx, "dcerpc.stub_data", tx, APP_DIR_TOCLIENT, "ANSWER"));
    assert_non_null(dce_call_iface(c));
    assert_false(fx->af->flags & APP_FLOW_F_ERROR);
}

/* Pseudo-random bytes after a valid start, in small pieces, both parsers. */
static void garbage(void **state)
{
    Fx *fx = *state;
    uint32_t x = 12345;
    for (int round = 0; round < 2; round++) {
        flow_init(fx, round == 0 ? 445 : 135);
        if (round == 0) {
            session(fx, 4096);
        } else {
            Buf b = {0};
            dce_bind(&b, 1, 3, EPM_LE);
            feed_buf(fx, APP_DIR_TOSERVER, &b, 4096);
        }
        for (int i = 0; i < 2000; i++) {
            uint8_t chunk[64];
            for (size_t k = 0; k < sizeof(chunk); k++) {
                x = x * 1103515245u + 12345u;
                chunk[k] = (uint8_t)(x >> 16);
            }
            if (i % 7 == 0) {
                memcpy(chunk, round == 0 ? "\x00\x00\x00\x30\xfeSMB" : "\x05\x00\x00\x03", 4);
            }
            app_flow_data(fx->af, (uint8_t)(i & 1), chunk, 1 + (x % 64));
            app_flow_packet_publish(fx->af);
        }
        app_flow_end(fx->af);
        app_flow_free(fx->af);
        fx->af = NULL;
        flow_storage_reset();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(smb2_session_any_split, setup, teardown),
        cmocka_unit_test_setup_teardown(file_reads_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(smb2_malformed_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(junk_resync_and_huge_record, setup, teardown),
        cmocka_unit_test_setup_teardown(dcerpc_tcp_bind_and_fragments, setup, teardown),
        cmocka_unit_test_setup_teardown(dcerpc_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(dcerpc_over_smb_pipe, setup, teardown),
        cmocka_unit_test_setup_teardown(dcerpc_udp_call, setup, teardown),
        cmocka_unit_test_setup_teardown(garbage, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
