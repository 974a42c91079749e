/* NFS over ONC RPC (src/app-layer/nfs/): the bounded XDR reader, the RPC header, the
 * probe, and through the app-layer framework TCP record marking, calls matched with
 * replies, READ/WRITE files, v4 COMPOUNDs, and malformed input (lying record marks,
 * opaque lengths, endless READDIRPLUS lists, unanswered calls). Messages are built here
 * with a small XDR writer (the layouts of RFC 5531, RFC 1813, RFC 7530). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/nfs/app-layer-nfs.h"
#include "flow/flow.h"
#include "runtime/counters.h"

/* ---- XDR writer ---- */

typedef struct Buf {
    uint8_t b[1 << 17];
    uint32_t n;
} Buf;

static void put32(Buf *b, uint32_t v)
{
    b->b[b->n++] = (uint8_t)(v >> 24);
    b->b[b->n++] = (uint8_t)(v >> 16);
    b->b[b->n++] = (uint8_t)(v >> 8);
    b->b[b->n++] = (uint8_t)v;
}

static void put64(Buf *b, uint64_t v)
{
    put32(b, (uint32_t)(v >> 32));
    put32(b, (uint32_t)v);
}

static void put_opaque(Buf *b, const void *d, uint32_t n)
{
    put32(b, n);
    memcpy(b->b + b->n, d, n);
    b->n += n;
    while (b->n % 4) {
        b->b[b->n++] = 0;
    }
}

static void put_call(Buf *b, uint32_t xid, uint32_t vers, uint32_t proc)
{
    put32(b, xid);
    put32(b, 0);
    put32(b, 2);
    put32(b, NFS_PROGRAM);
    put32(b, vers);
    put32(b, proc);
    Buf cred = {.n = 0};
    put32(&cred, 0);
    put_opaque(&cred, "host", 4);
    put32(&cred, 1000);
    put32(&cred, 100);
    put32(&cred, 0);
    put32(b, 1);                 // AUTH_UNIX
    put_opaque(b, cred.b, cred.n);
    put32(b, 0);                 // verifier AUTH_NULL
    put32(b, 0);
}

static void put_reply(Buf *b, uint32_t xid)
{
    put32(b, xid);
    put32(b, 1);
    put32(b, 0);                 // MSG_ACCEPTED
    put32(b, 0);                 // verifier
    put32(b, 0);
    put32(b, 0);                 // SUCCESS
}

static const uint8_t FH_DIR[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t FH_FILE[12] = {9, 9, 9, 9, 8, 8, 8, 8, 7, 7, 7, 7};

/* ---- pure functions ---- */

static void nfs_xdr_is_bounded(void **state)
{
    (void)state;
    const uint8_t d[] = {0, 0, 0, 5, 'a', 'b', 'c', 'd', 'e', 0, 0, 0, 0xff, 0xff, 0xff, 0xf0};
    NfsXdr x = {.p = d, .len = sizeof(d)};
    uint32_t l;
    const uint8_t *p = nfs_xdr_opaque(&x, 16, &l);
    assert_non_null(p);
    assert_int_equal(l, 5);
    assert_int_equal(x.off, 12);             // padded to 4
    assert_null(nfs_xdr_opaque(&x, UINT32_MAX, &l));   // 0xfffffff0 bytes: past the end
    assert_true(x.err);
    assert_int_equal(nfs_xdr_u32(&x), 0);    // err sticks
    NfsXdr y = {.p = d, .len = sizeof(d)};
    assert_null(nfs_xdr_opaque(&y, 4, &l));  // longer than the maximum
    NfsXdr z = {.p = d, .len = 4};
    assert_null(nfs_xdr_fixed(&z, UINT32_MAX)); // padding overflow
}

static void nfs_rpc_call_and_reply(void **state)
{
    (void)state;
    Buf b = {.n = 0};
    put_call(&b, 0xabcd, 3, NFS3_LOOKUP);
    put_opaque(&b, FH_DIR, sizeof(FH_DIR));
    NfsXdr x = {.p = b.b, .len = b.n};
    NfsRpc r;
    assert_true(nfs_rpc_parse(&x, &r));
    assert_int_equal(r.xid, 0xabcd);
    assert_int_equal(r.prog, NFS_PROGRAM);
    assert_int_equal(r.vers, 3);
    assert_int_equal(r.proc, NFS3_LOOKUP);
    assert_int_equal(r.auth_type, 1);
    assert_true(r.has_unix);
    assert_int_equal(r.uid, 1000);
    assert_int_equal(r.gid, 100);
    assert_memory_equal(r.machine, "host", 4);
    assert_int_equal(x.len - x.off, 4 + sizeof(FH_DIR));   // left at the arguments
    assert_true(nfs_rpc_looks_like(b.b, b.n, false));
    /* every truncation is refused or stops in bounds */
    for (uint32_t n = 0; n < 40; n++) {
        NfsXdr t = {.p = b.b, .len = n};
        assert_false(nfs_rpc_parse(&t, &r));
    }
    Buf rp = {.n = 0};
    put_reply(&rp, 0xabcd);
    put32(&rp, 0);
    NfsXdr y = {.p = rp.b, .len = rp.n};
    assert_true(nfs_rpc_parse(&y, &r));
    assert_int_equal(r.msg_type, 1);
    assert_int_equal(r.accept_stat, 0);
    assert_false(nfs_rpc_looks_like(rp.b, rp.n, false));
    assert_true(nfs_rpc_looks_like(rp.b, rp.n, true));
    /* another program (MOUNT) is not NFS */
    b.b[15] = 0xa5;
    assert_false(nfs_rpc_looks_like(b.b, b.n, false));
}

static void nfs_names(void **state)
{
    (void)state;
    assert_string_equal(nfs_proc_name(3, NFS3_READDIRPLUS), "READDIRPLUS");
    assert_string_equal(nfs_proc_name(2, 8), "WRITE");
    assert_string_equal(nfs_proc_name(4, NFS4_OP_OPEN), "OPEN");
    assert_null(nfs_proc_name(3, 99));
    assert_string_equal(nfs_status_name(2), "NOENT");
    assert_string_equal(nfs_status_name(10008), "JUKEBOX");
    uint32_t v3, v4;
    assert_true(nfs_proc_by_name("getattr", &v3, &v4));
    assert_int_equal(v3, 1);
    assert_int_equal(v4, 9);
    assert_true(nfs_proc_by_name("OPEN", &v3, &v4));
    assert_int_equal(v3, UINT32_MAX);
    assert_false(nfs_proc_by_name("nosuch", &v3, &v4));
    assert_int_equal(nfs2_to_nfs3(8), NFS3_WRITE);
}

/* ---- through the framework ---- */

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int setup_proto(void **state, uint8_t ipproto)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_NFS, true);   // txs stay until inspected
    Fx *fx = calloc(1, sizeof(*fx));
    fx->f.key.proto = ipproto;
    fx->f.key.src.family = fx->f.key.dst.family = 4;
    fx->f.key.sp = 801;
    fx->f.key.dp = 2049;
    fx->af = app_flow_get_or_new(&fx->f);
    *state = fx;
    return 0;
}

static int setup_tcp(void **state)
{
    return setup_proto(state, 6);
}

static int setup_udp(void **state)
{
    return setup_proto(state, 17);
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_NFS, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const uint8_t *d, uint32_t n)
{
    app_test_feed(fx->af, dir, d, n);
}

/* One record (a single last fragment) on TCP. */
static void feed_rec(Fx *fx, uint8_t dir, const Buf *m)
{
    static Buf r;
    r.n = 0;
    put32(&r, 0x80000000u | m->n);
    memcpy(r.b + r.n, m->b, m->n);
    r.n += m->n;
    feed(fx, dir, r.b, r.n);
}

static const NfsTx *tx_at(Fx *fx, uint32_t i)
{
    return nfs_tx(app_layer_tx_at(&fx->f, i));
}

/* The event was raised on the flow or on one of its live txs. */
static bool flow_has_event(Fx *fx, const char *name)
{
    const AppEventId *ids;
    uint32_t n = app_layer_flow_events(&fx->f, &ids);
    int want = app_layer_event_find(name);
    for (uint32_t i = 0; i < n && i < APP_FLOW_EVENTS_MAX; i++) {
        if (ids[i] == want) {
            return true;
        }
    }
    for (uint32_t i = 0; i < app_layer_tx_count(&fx->f); i++) {
        const AppTx *tx = app_layer_tx_at(&fx->f, i);
        for (uint32_t k = 0; k < tx->n_events && k < APP_TX_EVENTS_MAX; k++) {
            if (tx->events[k] == want) {
                return true;
            }
        }
    }
    return false;
}

/* LOOKUP split byte by byte (record mark included), its reply, then two WRITE chunks
 * (the second in a record of two fragments, FILE_SYNC) and a READ. */
static void nfs_tcp_lookup_write_read(void **state)
{
    Fx *fx = *state;
    Buf m = {.n = 0};
    put_call(&m, 1, 3, NFS3_LOOKUP);
    put_opaque(&m, FH_DIR, sizeof(FH_DIR));
    put_opaque(&m, "a.txt", 5);
    Buf rec = {.n = 0};
    put32(&rec, 0x80000000u | m.n);
    memcpy(rec.b + 4, m.b, m.n);
    rec.n += m.n;
    for (uint32_t i = 0; i < rec.n; i++) {
        feed(fx, APP_DIR_TOSERVER, rec.b + i, 1);
    }
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_NFS);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    assert_false(app_layer_tx_complete(&fx->f, app_layer_tx_at(&fx->f, 0), APP_DIR_TOCLIENT));
    m.n = 0;
    put_reply(&m, 1);
    put32(&m, 0);
    put_opaque(&m, FH_FILE, sizeof(FH_FILE));
    put32(&m, 0);
    put32(&m, 0);
    feed_rec(fx, APP_DIR_TOCLIENT, &m);
    const NfsTx *t = tx_at(fx, 0);
    assert_true(t->response_done);
    assert_int_equal(t->nfs_status, 0);
    assert_memory_equal(t->name, "a.txt", 5);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, APP_DIR_TOCLIENT));

    m.n = 0;
    put_call(&m, 2, 3, NFS3_WRITE);
    put_opaque(&m, FH_FILE, sizeof(FH_FILE));
    put64(&m, 0);
    put32(&m, 4);
    put32(&m, 0);                // UNSTABLE
    put_opaque(&m, "abcd", 4);
    feed_rec(fx, APP_DIR_TOSERVER, &m);
    m.n = 0;
    put_call(&m, 3, 3, NFS3_WRITE);
    put_opaque(&m, FH_FILE, sizeof(FH_FILE));
    put64(&m, 4);
    put32(&m, 2);
    put32(&m, 2);                // FILE_SYNC
    put_opaque(&m, "ef", 2);
    Buf two = {.n = 0};
    put32(&two, 20);             // first fragment: 20 bytes, not the last
    memcpy(two.b + two.n, m.b, 20);
    two.n += 20;
    put32(&two, 0x80000000u | (m.n - 20));
    memcpy(two.b + two.n, m.b + 20, m.n - 20);
    two.n += m.n - 20;
    feed(fx, APP_DIR_TOSERVER, two.b, two.n);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    const NfsTx *w = tx_at(fx, 1);
    assert_true(w->is_file_tx);
    assert_int_equal(w->chunks, 2);
    assert_true(w->is_first);
    assert_true(w->is_last);
    assert_memory_equal(w->name, "a.txt", 5);   // the handle's name from LOOKUP
    const AppFile *file = app_layer_tx_file_at(&fx->f, &w->tx, APP_DIR_TOSERVER, 0);
    assert_non_null(file);
    assert_int_equal(file->size, 6);
    assert_int_equal(file->state, APP_FILE_CLOSED);
    assert_false(app_layer_tx_complete(&fx->f, &w->tx, APP_DIR_TOCLIENT));
    for (uint32_t xid = 2; xid <= 3; xid++) {
        m.n = 0;
        put_reply(&m, xid);
        put32(&m, 0);
        feed_rec(fx, APP_DIR_TOCLIENT, &m);
    }
    assert_true(app_layer_tx_complete(&fx->f, &w->tx, APP_DIR_TOCLIENT));

    m.n = 0;
    put_call(&m, 4, 3, NFS3_READ);
    put_opaque(&m, FH_FILE, sizeof(FH_FILE));
    put64(&m, 0);
    put32(&m, 100);
    feed_rec(fx, APP_DIR_TOSERVER, &m);
    m.n = 0;
    put_reply(&m, 4);
    put32(&m, 0);
    put32(&m, 0);                // no attributes
    put32(&m, 6);
    put32(&m, 1);                // eof
    put_opaque(&m, "abcdef", 6);
    feed_rec(fx, APP_DIR_TOCLIENT, &m);
    const NfsTx *rd = tx_at(fx, app_layer_tx_count(&fx->f) - 1);
    assert_true(rd->is_file_tx);
    assert_int_equal(rd->file_dir, APP_DIR_TOCLIENT);
    file = app_layer_tx_file_at(&fx->f, &rd->tx, APP_DIR_TOCLIENT, 0);
    assert_non_null(file);
    assert_int_equal(file->size, 6);
    assert_memory_equal(file->data, "abcdef", 6);
    assert_true(app_layer_tx_complete(&fx->f, &rd->tx, APP_DIR_TOCLIENT));
    assert_false(flow_has_event(fx, "nfs.malformed_data"));
}

/* A record mark announcing 2 GiB: the record is skipped, nothing of it is kept. */
static void nfs_tcp_lying_record_mark(void **state)
{
    Fx *fx = *state;
    Buf m = {.n = 0};
    put_call(&m, 7, 3, NFS3_NULL);
    feed_rec(fx, APP_DIR_TOSERVER, &m);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_NFS);
    uint8_t lie[4] = {0xff, 0xff, 0xff, 0xff};
    feed(fx, APP_DIR_TOSERVER, lie, 4);
    assert_true(flow_has_event(fx, "nfs.malformed_data"));
    uint8_t *zeros = calloc(1, 1 << 20);
    assert_non_null(zeros);
    for (int i = 0; i < 4; i++) {
        feed(fx, APP_DIR_TOSERVER, zeros, 1 << 20);
    }
    free(zeros);
    assert_true(fx->af->memuse < 64 * 1024);
}

/* Fragments each under the limit but adding up past it: the record is dropped at the
 * fragment that crosses it, the memory of what was gathered is bounded. */
static void nfs_tcp_fragments_add_up(void **state)
{
    Fx *fx = *state;
    Buf m = {.n = 0};
    put_call(&m, 7, 3, NFS3_NULL);
    feed_rec(fx, APP_DIR_TOSERVER, &m);
    uint8_t *chunk = calloc(1, 4 + (512u << 10));
    assert_non_null(chunk);
    chunk[1] = 0x08;             // 512 KiB fragment, not the last
    for (int i = 0; i < 8; i++) {
        feed(fx, APP_DIR_TOSERVER, chunk, 4 + (512u << 10));
        assert_true(fx->af->memuse <= NFS_RECORD_MAX + 64 * 1024);
    }
    free(chunk);
    assert_true(flow_has_event(fx, "nfs.malformed_data"));
}

/* A gap inside a record: that record is lost, the next one is found by the record mark. */
static void nfs_tcp_gap_resyncs(void **state)
{
    Fx *fx = *state;
    Buf m = {.n = 0};
    put_call(&m, 30, 3, NFS3_NULL);
    feed_rec(fx, APP_DIR_TOSERVER, &m);
    Buf l = {.n = 0};
    put_call(&l, 31, 3, NFS3_LOOKUP);
    put_opaque(&l, FH_DIR, sizeof(FH_DIR));
    put_opaque(&l, "lost", 4);
    uint8_t mark[4] = {0x80, 0, 0, (uint8_t)l.n};
    feed(fx, APP_DIR_TOSERVER, mark, 4);
    feed(fx, APP_DIR_TOSERVER, l.b, 10);
    app_flow_gap_len(fx->af, APP_DIR_TOSERVER, 20);
    feed(fx, APP_DIR_TOSERVER, l.b + 30, l.n - 30);
    uint32_t before = app_layer_tx_count(&fx->f);
    m.n = 0;
    put_call(&m, 32, 3, NFS3_REMOVE);
    put_opaque(&m, FH_DIR, sizeof(FH_DIR));
    put_opaque(&m, "gone", 4);
    feed_rec(fx, APP_DIR_TOSERVER, &m);
    assert_int_equal(app_layer_tx_count(&fx->f), before + 1);
    const NfsTx *t = tx_at(fx, before);
    assert_int_equal(t->procedure, NFS3_REMOVE);
    assert_memory_equal(t->name, "gone", 4);
    for (uint32_t i = 0; i < before; i++) {
        assert_int_not_equal(tx_at(fx, i)->xid, 31);    // the LOOKUP was lost
    }
}

/* An opaque length past the message, and a call of NFS version 5. */
static void nfs_udp_malformed_and_versions(void **state)
{
    Fx *fx = *state;
    Buf m = {.n = 0};
    put_call(&m, 8, 3, NFS3_LOOKUP);
    put_opaque(&m, FH_DIR, sizeof(FH_DIR));
    put32(&m, 0xfffffff0u);      // name length lies
    put32(&m, 0x41414141);
    feed(fx, APP_DIR_TOSERVER, m.b, m.n);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_NFS);
    assert_true(flow_has_event(fx, "nfs.malformed_data"));
    m.n = 0;
    put_call(&m, 9, 5, 1);
    feed(fx, APP_DIR_TOSERVER, m.b, m.n);
    assert_true(flow_has_event(fx, "nfs.unsupported_version"));
    /* a reply to nothing is ignored */
    m.n = 0;
    put_reply(&m, 0x77777777);
    put32(&m, 0);
    feed(fx, APP_DIR_TOCLIENT, m.b, m.n);
}

/* READDIRPLUS answered with 6000 entries (each with a handle): the walk stops at
 * NFS_DIRENTS_MAX, the name table stays at NFS_NAMES_MAX, the tx completes. */
static void nfs_udp_readdirplus_bounded(void **state)
{
    Fx *fx = *state;
    Buf m = {.n = 0};
    put_call(&m, 10, 3, NFS3_READDIRPLUS);
    put_opaque(&m, FH_DIR, sizeof(FH_DIR));
    put64(&m, 0);
    put64(&m, 0);
    put32(&m, 4096);
    put32(&m, 65536);
    feed(fx, APP_DIR_TOSERVER, m.b, m.n);
    static Buf r;
    r.n = 0;
    put_reply(&r, 10);
    put32(&r, 0);
    put32(&r, 0);                // no dir attributes
    put64(&r, 0);                // cookieverf
    for (uint32_t i = 0; i < 6000 && r.n + 64 < sizeof(r.b); i++) {
        put32(&r, 1);
        put64(&r, i);
        put_opaque(&r, "f", 1);
        put64(&r, i);
        put32(&r, 0);
        put32(&r, 1);
        uint8_t fh[8] = {(uint8_t)(i >> 8), (uint8_t)i, 0, 0, 0, 0, 0, 1};
        put_opaque(&r, fh, sizeof(fh));
    }
    feed(fx, APP_DIR_TOCLIENT, r.b, r.n);
    const NfsTx *t = tx_at(fx, 0);
    assert_int_equal(t->procedure, NFS3_READDIRPLUS);
    assert_true(t->response_done);
    assert_int_equal(t->nfs_status, 0);
    assert_true(fx->af->memuse < 128 * 1024);
}

/* Calls never answered: at NFS_PENDING_MAX the oldest is ended, with the event. */
static void nfs_udp_unanswered_calls_bounded(void **state)
{
    Fx *fx = *state;
    for (uint32_t i = 0; i < NFS_PENDING_MAX + 10; i++) {
        Buf m = {.n = 0};
        put_call(&m, 100 + i, 3, NFS3_ACCESS);
        put_opaque(&m, FH_FILE, sizeof(FH_FILE));
        put32(&m, 0x1f);
        feed(fx, APP_DIR_TOSERVER, m.b, m.n);
    }
    uint32_t pending = 0;
    bool event = false;
    int ev = app_layer_event_find("nfs.too_many_transactions");
    for (uint32_t i = 0; i < app_layer_tx_count(&fx->f); i++) {
        const NfsTx *t = tx_at(fx, i);
        pending += !t->response_done;
        for (uint32_t k = 0; k < t->tx.n_events && k < APP_TX_EVENTS_MAX; k++) {
            event = event || t->tx.events[k] == ev;
        }
    }
    assert_true(pending <= NFS_PENDING_MAX);
    assert_true(event);
}

/* v4: PUTFH OPEN GETFH answered with the new handle, then PUTFH WRITE (FILE_SYNC4) named
 * by it; a COMPOUND with an operation of unknown layout stops there. */
static void nfs_udp_v4_compound(void **state)
{
    Fx *fx = *state;
    Buf m = {.n = 0};
    put_call(&m, 20, 4, NFS4_COMPOUND);
    put_opaque(&m, "", 0);
    put32(&m, 0);
    put32(&m, 3);
    put32(&m, NFS4_OP_PUTFH);
    put_opaque(&m, FH_DIR, sizeof(FH_DIR));
    put32(&m, NFS4_OP_OPEN);
    put32(&m, 1);
    put32(&m, 2);
    put32(&m, 0);
    put64(&m, 5);
    put_opaque(&m, "own", 3);
    put32(&m, 0);                // OPEN4_NOCREATE
    put32(&m, 0);                // CLAIM_NULL
    put_opaque(&m, "n.txt", 5);
    put32(&m, NFS4_OP_GETFH);
    feed(fx, APP_DIR_TOSERVER, m.b, m.n);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_NFS);
    const NfsTx *t = tx_at(fx, 0);
    assert_int_equal(t->procedure, NFS4_OP_OPEN);
    assert_int_equal(t->n_ops, 3);
    assert_memory_equal(t->name, "n.txt", 5);
    m.n = 0;
    put_reply(&m, 20);
    put32(&m, 0);
    put_opaque(&m, "", 0);
    put32(&m, 3);
    put32(&m, NFS4_OP_PUTFH);
    put32(&m, 0);
    put32(&m, NFS4_OP_OPEN);
    put32(&m, 0);
    for (int i = 0; i < 9; i++) {
        put32(&m, 0);            // stateid (4 words), change_info4 (5 words)
    }
    put32(&m, 0);                // rflags
    put32(&m, 0);                // attrset: empty bitmap
    put32(&m, 0);                // OPEN_DELEGATE_NONE
    put32(&m, NFS4_OP_GETFH);
    put32(&m, 0);
    put_opaque(&m, FH_FILE, sizeof(FH_FILE));
    feed(fx, APP_DIR_TOCLIENT, m.b, m.n);
    assert_true(tx_at(fx, 0)->response_done);
    assert_false(flow_has_event(fx, "nfs.malformed_data"));

    m.n = 0;
    put_call(&m, 21, 4, NFS4_COMPOUND);
    put_opaque(&m, "", 0);
    put32(&m, 0);
    put32(&m, 2);
    put32(&m, NFS4_OP_PUTFH);
    put_opaque(&m, FH_FILE, sizeof(FH_FILE));
    put32(&m, NFS4_OP_WRITE);
    for (int i = 0; i < 4; i++) {
        put32(&m, 0);
    }
    put64(&m, 0);
    put32(&m, 2);                // FILE_SYNC4
    put_opaque(&m, "xyz", 3);
    feed(fx, APP_DIR_TOSERVER, m.b, m.n);
    const NfsTx *w = tx_at(fx, 1);
    assert_true(w->is_file_tx);
    assert_int_equal(w->procedure, NFS4_OP_WRITE);
    assert_memory_equal(w->name, "n.txt", 5);
    assert_true(w->is_last);

    m.n = 0;
    put_call(&m, 22, 4, NFS4_COMPOUND);
    put_opaque(&m, "", 0);
    put32(&m, 1);
    put32(&m, 3);
    put32(&m, NFS4_OP_PUTROOTFH);
    put32(&m, 50);               // LAYOUTGET: layout not decoded here
    put32(&m, 0xdeadbeef);
    feed(fx, APP_DIR_TOSERVER, m.b, m.n);
    const NfsTx *l = tx_at(fx, 2);
    assert_int_equal(l->procedure, 50);
    assert_int_equal(l->n_ops, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nfs_xdr_is_bounded),
        cmocka_unit_test(nfs_rpc_call_and_reply),
        cmocka_unit_test(nfs_names),
        cmocka_unit_test_setup_teardown(nfs_tcp_lookup_write_read, setup_tcp, teardown),
        cmocka_unit_test_setup_teardown(nfs_tcp_lying_record_mark, setup_tcp, teardown),
        cmocka_unit_test_setup_teardown(nfs_tcp_fragments_add_up, setup_tcp, teardown),
        cmocka_unit_test_setup_teardown(nfs_tcp_gap_resyncs, setup_tcp, teardown),
        cmocka_unit_test_setup_teardown(nfs_udp_malformed_and_versions, setup_udp, teardown),
        cmocka_unit_test_setup_teardown(nfs_udp_readdirplus_bounded, setup_udp, teardown),
        cmocka_unit_test_setup_teardown(nfs_udp_unanswered_calls_bounded, setup_udp, teardown),
        cmocka_unit_test_setup_teardown(nfs_udp_v4_compound, setup_udp, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
