/* Frames (app-layer-frame.c) through the app-layer framework with the real parsers:
 * the frames each parser marks (SIP over UDP, DCERPC, ENIP, SMB2 and SMTP over TCP),
 * offsets across splits, nothing recorded for types no rule wants, a gap sealing a frame
 * and its EVE payload, the per-direction cap, and frames freed once inspected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-frame.h"
#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-json.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static void want_all(bool on)
{
    for (uint32_t i = 0; i < app_layer_frame_type_count(); i++) {
        app_layer_frame_type_set_wanted((int)i, on);
    }
}

static Fx *fx_new(uint8_t ipproto, uint16_t dp)
{
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, ipproto, 40000, dp);
    return fx;
}

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    want_all(true);
    *state = NULL;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    if (fx != NULL) {
        app_flow_free(fx->af);
        free(fx);
    }
    want_all(false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const void *d, uint32_t n)
{
    app_flow_data(fx->af, dir, d, n);
}

/* The frame of protocol p's type name, the nth of that type in dir (0 first). */
static AppFrame *frame_of(Fx *fx, uint8_t dir, AppProto p, const char *type, uint32_t nth)
{
    int id = app_layer_frame_type_find(p, type);
    assert_true(id >= 0);
    for (uint32_t i = 0; i < app_layer_frame_count(&fx->f, dir); i++) {
        AppFrame *fr = app_layer_frame_at(&fx->f, dir, i);
        if (fr->type == id && nth-- == 0) {
            return fr;
        }
    }
    return NULL;
}

static bool frame_is(Fx *fx, const AppFrame *fr, uint64_t off, const char *bytes, uint32_t len)
{
    const uint8_t *d;
    uint32_t n;
    return fr != NULL && fr->offset == off && fr->len == (int64_t)len &&
           app_layer_frame_ready(&fx->f, fr) && app_layer_frame_data(&fx->f, fr, &d, &n) &&
           n == len && memcmp(d, bytes, len) == 0;
}

/* ---- types ---- */

static void types_are_named_per_protocol(void **state)
{
    (void)state;
    int id = app_layer_frame_type_find(APP_PROTO_SIP, "request.line");
    assert_true(id >= 0);
    assert_string_equal(app_layer_frame_type_name(id), "request.line");
    assert_string_equal(app_layer_frame_type_full_name(id), "sip.request.line");
    assert_int_equal(app_layer_frame_type_proto(id), APP_PROTO_SIP);
    assert_true(app_layer_frame_type_find(APP_PROTO_ENIP, "enip.item") >= 0);
    assert_true(app_layer_frame_type_find(APP_PROTO_SMB, "smb2.data") >= 0);
    assert_true(app_layer_frame_type_find(APP_PROTO_SIP, "smb2.data") < 0);
    assert_true(app_layer_frame_type_find(APP_PROTO_HTTP1, "pdu") < 0);
    assert_null(app_layer_frame_type_name(100000));
}

/* ---- SIP over UDP ---- */

static const char k_invite[] = "INVITE sip:bob@example.org SIP/2.0\r\n"
                               "Via: SIP/2.0/UDP 192.0.2.1\r\n"
                               "Content-Length: 4\r\n\r\n"
                               "v=0\n";

static void sip_udp_marks_line_headers_body(void **state)
{
    Fx *fx = *state = fx_new(17, 5060);
    feed(fx, APP_DIR_TOSERVER, k_invite, sizeof(k_invite) - 1);
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SIP, "pdu", 0), 0, k_invite,
                         sizeof(k_invite) - 1));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SIP, "request.line", 0), 0,
                         "INVITE sip:bob@example.org SIP/2.0\r\n", 36));
    const char *hdrs = "Via: SIP/2.0/UDP 192.0.2.1\r\nContent-Length: 4\r\n";
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SIP, "request.headers", 0), 36, hdrs,
                         (uint32_t)strlen(hdrs)));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SIP, "request.body", 0),
                         sizeof(k_invite) - 5, "v=0\n", 4));
    AppFrame *fr = frame_of(fx, 0, APP_PROTO_SIP, "pdu", 0);
    assert_true(fr->flags & APP_FRAME_F_TX_ID);
    assert_int_equal(fr->tx_id, 0);
    assert_null(frame_of(fx, 0, APP_PROTO_SIP, "response.line", 0));
}

/* Frame rules that arrive by a reload while a flow runs: its frames count from the bytes
 * its parser already had, not from the next chunk. */
static void frames_created_late_keep_stream_offsets(void **state)
{
    want_all(false);
    Fx *fx = *state = fx_new(17, 5060);
    feed(fx, APP_DIR_TOSERVER, k_invite, sizeof(k_invite) - 1);
    assert_null(fx->af->frames);
    want_all(true);
    feed(fx, APP_DIR_TOSERVER, k_invite, sizeof(k_invite) - 1);
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SIP, "pdu", 0), sizeof(k_invite) - 1,
                         k_invite, sizeof(k_invite) - 1));
}

static void nothing_recorded_for_unwanted_types(void **state)
{
    want_all(false);
    app_layer_frame_type_set_wanted(app_layer_frame_type_find(APP_PROTO_SIP, "request.body"),
                                    true);
    Fx *fx = *state = fx_new(17, 5060);
    feed(fx, APP_DIR_TOSERVER, k_invite, sizeof(k_invite) - 1);
    assert_int_equal(app_layer_frame_count(&fx->f, APP_DIR_TOSERVER), 1);
    assert_non_null(frame_of(fx, 0, APP_PROTO_SIP, "request.body", 0));
    want_all(false);
    Fx *fx2 = fx_new(17, 5060);
    feed(fx2, APP_DIR_TOSERVER, k_invite, sizeof(k_invite) - 1);
    assert_int_equal(app_layer_frame_count(&fx2->f, APP_DIR_TOSERVER), 0);
    assert_null(fx2->af->frames);   // no memory at all
    app_flow_free(fx2->af);
    free(fx2);
}

/* ---- DCERPC over TCP ---- */

/* bind: 16-byte header (frag_len 72), max xmit/recv 0x16d0, one context */
static void dce_bind(uint8_t *b)
{
    static const uint8_t hdr[16] = {5, 0, 11, 3, 0x10, 0, 0, 0, 72, 0, 0, 0, 1, 0, 0, 0};
    memset(b, 0, 72);
    memcpy(b, hdr, 16);
    b[16] = 0xd0; b[17] = 0x16; b[18] = 0xd0; b[19] = 0x16;
    b[24] = 1;                   // one context item
    b[30] = 1;                   // one transfer syntax
    memset(b + 32, 0x11, 16);    // abstract syntax uuid
    memset(b + 52, 0x22, 16);    // transfer syntax uuid
    b[68] = 2;
}

static void dcerpc_frames_of_a_pdu_split_bytewise(void **state)
{
    Fx *fx = *state = fx_new(6, 135);
    uint8_t b[144];
    dce_bind(b);
    dce_bind(b + 72);
    for (uint32_t i = 0; i < sizeof(b); i++) {
        feed(fx, APP_DIR_TOSERVER, b + i, 1);
        app_flow_packet_publish(fx->af);   // prune between the bytes
    }
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_DCERPC, "pdu", 0), 0, (char *)b, 72));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_DCERPC, "hdr", 0), 0, (char *)b, 16));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_DCERPC, "data", 0), 16, (char *)b + 16,
                         56));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_DCERPC, "pdu", 1), 72, (char *)b, 72));
}

static void gap_seals_a_frame_and_logs_the_missing_bytes(void **state)
{
    Fx *fx = *state = fx_new(6, 135);
    uint8_t b[72];
    dce_bind(b);
    feed(fx, APP_DIR_TOSERVER, b, 40);
    AppFrame *fr = frame_of(fx, 0, APP_PROTO_DCERPC, "pdu", 0);
    assert_non_null(fr);
    assert_false(app_layer_frame_ready(&fx->f, fr));
    app_flow_gap_len(fx->af, APP_DIR_TOSERVER, 32);
    fr = frame_of(fx, 0, APP_PROTO_DCERPC, "pdu", 0);
    assert_true(fr->flags & APP_FRAME_F_GAP);
    assert_true(app_layer_frame_ready(&fx->f, fr));
    const uint8_t *d;
    uint32_t n;
    assert_true(app_layer_frame_data(&fx->f, fr, &d, &n));
    assert_int_equal(n, 40);     // the bytes before the hole
    JsonBuf jb;
    assert_int_equal(json_buf_init(&jb, 256), 0);
    json_open_object(&jb, NULL);
    assert_true(app_layer_frame_log_json(&fx->f, APP_DIR_TOSERVER, fr->id, &jb));
    json_close_object(&jb);
    assert_non_null(strstr(jb.buf, "[32 bytes missing]\""));
    assert_non_null(strstr(jb.buf, "\"length\":72"));
    assert_non_null(strstr(jb.buf, "\"complete\":true"));
    json_buf_deinit(&jb);
}

static void inspected_frames_are_freed(void **state)
{
    Fx *fx = *state = fx_new(6, 135);
    uint8_t b[72];
    dce_bind(b);
    feed(fx, APP_DIR_TOSERVER, b, 72);
    uint32_t n = app_layer_frame_count(&fx->f, APP_DIR_TOSERVER);
    assert_int_equal(n, 3);
    app_layer_frame_at(&fx->f, 0, 0)->flags |= APP_FRAME_F_INSPECTED;
    app_flow_packet_publish(fx->af);
    assert_int_equal(app_layer_frame_count(&fx->f, APP_DIR_TOSERVER), 2);
    for (uint32_t i = 0; i < 2; i++) {
        app_layer_frame_at(&fx->f, 0, i)->flags |= APP_FRAME_F_INSPECTED;
    }
    app_flow_packet_publish(fx->af);
    assert_int_equal(app_layer_frame_count(&fx->f, APP_DIR_TOSERVER), 0);
}

static void frames_per_direction_are_capped(void **state)
{
    Fx *fx = *state = fx_new(6, 135);
    uint32_t n_pdus = APP_FRAMES_MAX / 3 + 10;
    uint8_t *b = malloc(72u * n_pdus);
    for (uint32_t i = 0; i < n_pdus; i++) {
        dce_bind(b + 72u * i);
    }
    feed(fx, APP_DIR_TOSERVER, b, 72u * n_pdus);
    free(b);
    assert_int_equal(app_layer_frame_count(&fx->f, APP_DIR_TOSERVER), APP_FRAMES_MAX);
}

/* ---- ENIP and SMB2 over TCP ---- */

static void enip_frames_of_list_identity(void **state)
{
    Fx *fx = *state = fx_new(6, 44818);
    uint8_t m[24] = {0x63, 0};   // ListIdentity, no data
    feed(fx, APP_DIR_TOSERVER, m, 10);
    feed(fx, APP_DIR_TOSERVER, m + 10, 14);
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_ENIP, "pdu", 0), 0, (char *)m, 24));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_ENIP, "hdr", 0), 0, (char *)m, 24));
    assert_null(frame_of(fx, 0, APP_PROTO_ENIP, "data", 0));
    assert_true(frame_of(fx, 0, APP_PROTO_ENIP, "hdr", 0)->flags & APP_FRAME_F_TX_ID);
}

static void smb2_frames_of_a_compound_record(void **state)
{
    Fx *fx = *state = fx_new(6, 445);
    uint8_t r[4 + 64 + 8 + 64 + 8];
    memset(r, 0, sizeof(r));
    r[3] = sizeof(r) - 4;                                // NBSS length
    uint8_t *m1 = r + 4;
    uint8_t *m2 = r + 4 + 72;
    for (uint8_t *m = m1; m != NULL; m = m == m1 ? m2 : NULL) {
        memcpy(m, "\xfeSMB", 4);
        m[4] = 64;                                       // structure size
        m[12] = 0x10;                                    // echo? any command
        m[64] = 4;
    }
    m1[20] = 72;                                         // NextCommand
    feed(fx, APP_DIR_TOSERVER, r, sizeof(r));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SMB, "nbss.pdu", 0), 0, (char *)r,
                         sizeof(r)));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SMB, "nbss.hdr", 0), 0, (char *)r, 4));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SMB, "smb2.pdu", 0), 4, (char *)m1, 72));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SMB, "smb2.hdr", 1), 76, (char *)m2, 64));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SMB, "smb2.data", 1), 140,
                         (char *)m2 + 64, 8));
}

/* ---- SMTP ---- */

static void smtp_command_data_and_reply_frames(void **state)
{
    Fx *fx = *state = fx_new(6, 25);
    const char *greet = "220 mx ESMTP\r\n";
    const char *cmds = "EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n";
    const char *msg = "Subject: x\r\n\r\nhi\r\n.\r\n";
    feed(fx, APP_DIR_TOCLIENT, greet, (uint32_t)strlen(greet));
    feed(fx, APP_DIR_TOSERVER, cmds, (uint32_t)strlen(cmds));
    feed(fx, APP_DIR_TOSERVER, msg, (uint32_t)strlen(msg));
    assert_true(frame_is(fx, frame_of(fx, 1, APP_PROTO_SMTP, "response_line", 0), 0, greet,
                         (uint32_t)strlen(greet)));
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SMTP, "command_line", 1), 8,
                         "MAIL FROM:<a@b>\r\n", 17));
    uint64_t data_off = strlen(cmds);
    assert_true(frame_is(fx, frame_of(fx, 0, APP_PROTO_SMTP, "data", 0), data_off,
                         "Subject: x\r\n\r\nhi\r\n", 18));
    AppFrame *fr = frame_of(fx, 0, APP_PROTO_SMTP, "data", 0);
    assert_true((fr->flags & APP_FRAME_F_TX_ID) && fr->tx_id == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(types_are_named_per_protocol, setup, teardown),
        cmocka_unit_test_setup_teardown(sip_udp_marks_line_headers_body, setup, teardown),
        cmocka_unit_test_setup_teardown(nothing_recorded_for_unwanted_types, setup, teardown),
        cmocka_unit_test_setup_teardown(frames_created_late_keep_stream_offsets, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(dcerpc_frames_of_a_pdu_split_bytewise, setup, teardown),
        cmocka_unit_test_setup_teardown(gap_seals_a_frame_and_logs_the_missing_bytes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(inspected_frames_are_freed, setup, teardown),
        cmocka_unit_test_setup_teardown(frames_per_direction_are_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(enip_frames_of_list_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(smb2_frames_of_a_compound_record, setup, teardown),
        cmocka_unit_test_setup_teardown(smtp_command_data_and_reply_frames, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
