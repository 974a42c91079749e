/* DNP3 through the app-layer framework, fed as the stream subscriber (TCP) or the
 * module (UDP) feeds it: the CRC, detection, link frames, transport reassembly, the
 * application header, objects and points, events on malformed input (bad CRCs, short
 * lengths, garbage, unknown objects, lying counts, too long reassembly, floods),
 * byte-by-byte splits, the dnp3.data buffer and the EVE object.
 *
 * Frames are built here: frame(ctl, dst, src, user data) adds the link header, the
 * CRC of every block; seg() prefixes a transport header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/dnp3/app-layer-dnp3.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-json.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

typedef struct Buf {
    uint8_t b[70000];
    uint32_t n;
} Buf;

static void put(Buf *b, const void *p, uint32_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put_crc(Buf *b, const uint8_t *p, uint32_t n)
{
    uint16_t c = dnp3_crc(p, n);
    put(b, p, n);
    uint8_t x[2] = {(uint8_t)c, (uint8_t)(c >> 8)};
    put(b, x, 2);
}

/* One link frame of user data u (at most 250 bytes) appended to out. */
static void frame(Buf *out, uint8_t ctl, uint16_t dst, uint16_t src, const uint8_t *u,
                  uint32_t n)
{
    uint8_t h[8] = {0x05, 0x64, (uint8_t)(5 + n), ctl, (uint8_t)dst, (uint8_t)(dst >> 8),
                    (uint8_t)src, (uint8_t)(src >> 8)};
    put_crc(out, h, 8);
    for (uint32_t off = 0; off < n; off += 16) {
        put_crc(out, u + off, n - off < 16 ? n - off : 16);
    }
}

/* A whole application message as one transport segment (FIR|FIN, seq 0). */
static void message(Buf *out, uint8_t dir, const uint8_t *app, uint32_t n)
{
    uint8_t u[250];
    u[0] = 0xc0;
    memcpy(u + 1, app, n);
    frame(out, dir == APP_DIR_TOSERVER ? 0xc4 : 0x44, dir == APP_DIR_TOSERVER ? 10 : 1,
          dir == APP_DIR_TOSERVER ? 1 : 10, u, n + 1);
}

/* read class 0 (g60v1, all): app control FIR|FIN seq 3, fc 1 */
static const uint8_t k_read[] = {0xc3, 0x01, 60, 1, 0x06};
/* response: fc 129, IIN1 device_restart (0x80), g30v1 points 0..1 (flags, int32) */
static const uint8_t k_resp[] = {0xc3, 0x81, 0x80, 0x00, 30, 1, 0x00, 0, 1,
                                 0x01, 0x2a, 0, 0, 0, 0x03, 0xfe, 0xff, 0xff, 0xff};

static int setup_proto(void **state, uint8_t ipproto)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_DNP3, true);   // keep txs for the test
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, ipproto, 40000, 20000);
    *state = fx;
    return 0;
}

static int setup(void **state)
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
    app_layer_set_proto_inspected(APP_PROTO_DNP3, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const Buf *b)
{
    app_test_feed(fx->af, dir, b->b, b->n);
}

static const Dnp3Tx *tx_at(Fx *fx, uint32_t i)
{
    const Dnp3Tx *t = dnp3_tx(app_layer_tx_at(&fx->f, i));
    assert_non_null(t);
    return t;
}

static void crc_matches_the_standard_vector(void **state)
{
    (void)state;
    /* reset link states, master 1 -> outstation 1024: 05 64 05 C0 01 00 00 04 | E9 21 */
    static const uint8_t h[] = {0x05, 0x64, 0x05, 0xc0, 0x01, 0x00, 0x00, 0x04};
    assert_int_equal(dnp3_crc(h, sizeof(h)), 0x21e9);
    assert_int_equal(dnp3_frame_size(5), 10);
    assert_int_equal(dnp3_frame_size(21), 10 + 16 + 2);
    assert_int_equal(dnp3_frame_size(255), 292);
}

static void check_request_response(Fx *fx)
{
    assert_int_equal(fx->f.app_proto, APP_PROTO_DNP3);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    const Dnp3Tx *rq = tx_at(fx, 0);
    assert_int_equal(rq->dir, APP_DIR_TOSERVER);
    assert_int_equal(rq->fc, 1);
    assert_int_equal(rq->src, 1);
    assert_int_equal(rq->dst, 10);
    assert_int_equal(rq->n_objects, 1);
    assert_int_equal(rq->objects[0].group, 60);
    assert_false(rq->objects[0].has_points);
    const Dnp3Tx *rs = tx_at(fx, 1);
    assert_int_equal(rs->dir, APP_DIR_TOCLIENT);
    assert_int_equal(rs->fc, DNP3_FC_RESPONSE);
    assert_int_equal(rs->iin, 0x8000);
    assert_int_equal(rs->n_objects, 1);
    assert_int_equal(rs->objects[0].count, 2);
    assert_true(rs->objects[0].has_points);
    assert_int_equal(rq->tx.n_events + rs->tx.n_events, 0);
    assert_true(app_layer_tx_complete(&fx->f, &rs->tx, 0));
    assert_true(app_layer_tx_complete(&fx->f, &rs->tx, 1));
}

static void request_and_response_are_two_txs(void **state)
{
    Fx *fx = *state;
    Buf q = {.n = 0}, r = {.n = 0};
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    message(&r, APP_DIR_TOCLIENT, k_resp, sizeof(k_resp));
    feed(fx, APP_DIR_TOSERVER, &q);
    feed(fx, APP_DIR_TOCLIENT, &r);
    check_request_response(fx);
}

static void bytewise_split_parses_the_same(void **state)
{
    Fx *fx = *state;
    Buf q = {.n = 0}, r = {.n = 0};
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    message(&r, APP_DIR_TOCLIENT, k_resp, sizeof(k_resp));
    for (uint32_t i = 0; i < q.n; i++) {
        app_flow_data(fx->af, APP_DIR_TOSERVER, q.b + i, 1);
    }
    for (uint32_t i = 0; i < r.n; i++) {
        app_flow_data(fx->af, APP_DIR_TOCLIENT, r.b + i, 1);
    }
    app_flow_packet_publish(fx->af);
    check_request_response(fx);
}

static void eve_object_has_points_and_indications(void **state)
{
    Fx *fx = *state;
    Buf q = {.n = 0}, r = {.n = 0};
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    message(&r, APP_DIR_TOCLIENT, k_resp, sizeof(k_resp));
    feed(fx, APP_DIR_TOSERVER, &q);
    feed(fx, APP_DIR_TOCLIENT, &r);
    JsonBuf jb;
    app_test_tx_json(&fx->f, 1, &jb, 1024);
    assert_true(json_complete(&jb));
    const char *s = jb.buf;
    assert_non_null(strstr(s, "\"type\":\"response\""));
    assert_non_null(strstr(s, "\"indicators\":[\"device_restart\"]"));
    assert_non_null(strstr(s, "{\"prefix\":0,\"index\":0,\"online\":1,"));
    assert_non_null(strstr(s, "\"value\":42}"));
    assert_non_null(strstr(s, "\"index\":1,\"online\":1,\"restart\":1,"));
    assert_non_null(strstr(s, "\"value\":-2}"));
    json_buf_deinit(&jb);
}

static void data_buffer_is_the_fragment(void **state)
{
    Fx *fx = *state;
    Buf q = {.n = 0};
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    feed(fx, APP_DIR_TOSERVER, &q);
    int ts = app_layer_buffer_find_for("dnp3.data", APP_PROTO_DNP3, APP_DIR_TOSERVER);
    int tc = app_layer_buffer_find_for("dnp3.data", APP_PROTO_DNP3, APP_DIR_TOCLIENT);
    assert_true(ts >= 0 && tc >= 0);
    const uint8_t *d;
    uint32_t n;
    const AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_true(app_layer_buffer_def(ts)->get(&fx->f, tx, &d, &n));
    assert_int_equal(n, sizeof(k_read));
    assert_memory_equal(d, k_read, n);
    assert_false(app_layer_buffer_def(tc)->get(&fx->f, tx, &d, &n));
}

/* A fragment over three transport segments (FIR, middle, FIN) in three frames. */
static void transport_segments_are_reassembled(void **state)
{
    Fx *fx = *state;
    uint8_t app[2 + 3 + 2 + 300];   // write g110 (octet string) var 100, 3 points
    app[0] = 0xc0;
    app[1] = 2;
    app[2] = 110;
    app[3] = 100;
    app[4] = 0x00;
    app[5] = 0;
    app[6] = 2;
    memset(app + 7, 'A', 300);
    Buf q = {.n = 0};
    uint8_t u[250];
    uint32_t off = 0;
    for (uint8_t s = 0; s < 3; s++) {
        uint32_t n = s < 2 ? 120 : (uint32_t)sizeof(app) - off;
        u[0] = (uint8_t)((s == 0 ? 0x40 : 0) | (s == 2 ? 0x80 : 0) | s);
        memcpy(u + 1, app + off, n);
        off += n;
        frame(&q, 0xc4, 10, 1, u, n + 1);
    }
    feed(fx, APP_DIR_TOSERVER, &q);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    const Dnp3Tx *t = tx_at(fx, 0);
    assert_int_equal(t->data_len, sizeof(app));
    assert_int_equal(t->n_objects, 1);
    assert_int_equal(t->objects[0].count, 3);
    assert_int_equal(t->objects[0].data_len, 300);
    assert_int_equal(t->tx.n_events, 0);
}

static void confirm_makes_no_tx(void **state)
{
    Fx *fx = *state;
    static const uint8_t confirm[] = {0xd3, 0x00};
    Buf q = {.n = 0};
    message(&q, APP_DIR_TOSERVER, confirm, sizeof(confirm));
    feed(fx, APP_DIR_TOSERVER, &q);
    assert_int_equal(fx->f.app_proto, APP_PROTO_DNP3);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
}

static void bad_link_crc_raises_event(void **state)
{
    Fx *fx = *state;
    Buf q = {.n = 0}, bad = {.n = 0};
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    message(&bad, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    bad.b[8] ^= 0xff;            // header CRC
    put(&q, bad.b, bad.n);
    feed(fx, APP_DIR_TOSERVER, &q);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    assert_true(app_test_tx_has_event(&tx_at(fx, 1)->tx, "dnp3.bad_link_crc"));
}

static void bad_block_crc_raises_transport_event(void **state)
{
    Fx *fx = *state;
    Buf q = {.n = 0}, bad = {.n = 0};
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    message(&bad, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    bad.b[bad.n - 1] ^= 0x01;    // last block CRC
    put(&q, bad.b, bad.n);
    feed(fx, APP_DIR_TOSERVER, &q);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    assert_true(app_test_tx_has_event(&tx_at(fx, 1)->tx, "dnp3.bad_transport_crc"));
    assert_int_equal(tx_at(fx, 1)->data_len, 0);
}

static void length_below_five_is_too_small(void **state)
{
    Fx *fx = *state;
    Buf q = {.n = 0};
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    uint8_t h[8] = {0x05, 0x64, 0x04, 0xc4, 10, 0, 1, 0};
    put_crc(&q, h, 8);
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    feed(fx, APP_DIR_TOSERVER, &q);
    assert_int_equal(app_layer_tx_count(&fx->f), 3);
    assert_true(app_test_tx_has_event(&tx_at(fx, 1)->tx, "dnp3.len_too_small"));
    assert_int_equal(tx_at(fx, 2)->fc, 1);   // the frame after it parses
}

static void garbage_is_malformed_once_then_resyncs(void **state)
{
    Fx *fx = *state;
    Buf q = {.n = 0};
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    put(&q, "\x05garbage\x05\x05 more junk", 21);
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    feed(fx, APP_DIR_TOSERVER, &q);
    assert_int_equal(app_layer_tx_count(&fx->f), 3);
    assert_true(app_test_tx_has_event(&tx_at(fx, 1)->tx, "dnp3.malformed"));
    assert_int_equal(tx_at(fx, 2)->fc, 1);
    assert_int_equal(tx_at(fx, 2)->tx.n_events, 0);
}

static void unknown_object_stops_the_list(void **state)
{
    Fx *fx = *state;
    static const uint8_t app[] = {0xc0, 0x02, 200, 1, 0x00, 0, 0, 0xff, 60, 1, 0x06};
    Buf q = {.n = 0};
    message(&q, APP_DIR_TOSERVER, app, sizeof(app));
    feed(fx, APP_DIR_TOSERVER, &q);
    const Dnp3Tx *t = tx_at(fx, 0);
    assert_true(app_test_tx_has_event(&t->tx, "dnp3.unknown_object"));
    assert_int_equal(t->n_objects, 1);
}

/* A range announcing 2^32 - 1 points with no data: refused at once, no walk. */
static void lying_point_count_is_bounded(void **state)
{
    Fx *fx = *state;
    static const uint8_t app[] = {0xc0, 0x02, 30, 1, 0x02, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff};
    static const uint8_t app2[] = {0xc0, 0x02, 70, 3, 0x5b, 0xff, 0x10, 0x00, 0x01};
    Buf q = {.n = 0};
    message(&q, APP_DIR_TOSERVER, app, sizeof(app));
    message(&q, APP_DIR_TOSERVER, app2, sizeof(app2));
    feed(fx, APP_DIR_TOSERVER, &q);
    assert_true(app_test_tx_has_event(&tx_at(fx, 0)->tx, "dnp3.too_many_points"));
    const Dnp3Tx *t = tx_at(fx, 1);
    assert_int_equal(t->n_objects, 1);   // a size prefix pointing past the end: no points
    assert_false(t->objects[0].has_points);
}

static void too_many_objects_stops_at_the_limit(void **state)
{
    Fx *fx = *state;
    uint8_t app[2 + 3 * 80];
    app[0] = 0xc0;
    app[1] = 0x01;
    for (int i = 0; i < 80; i++) {
        app[2 + 3 * i] = 60;
        app[3 + 3 * i] = 1;
        app[4 + 3 * i] = 0x06;
    }
    Dnp3Object *objs = NULL;
    uint32_t flags = 0;
    uint32_t n = dnp3_objects_parse(app + 2, sizeof(app) - 2, 2, false, 7, 0, &objs, &flags);
    assert_int_equal(n, 7);
    assert_true(flags & DNP3_OBJ_F_TOO_MANY_OBJECTS);
    free(objs);
    Buf q = {.n = 0};
    message(&q, APP_DIR_TOSERVER, app, sizeof(app));
    feed(fx, APP_DIR_TOSERVER, &q);
    assert_int_equal(tx_at(fx, 0)->n_objects, 80);   // default max-objects: 2048
}

static void reassembly_past_the_bound_is_too_long(void **state)
{
    Fx *fx = *state;
    uint8_t u[250];
    memset(u, 'B', sizeof(u));
    Buf q = {.n = 0};
    for (int i = 0; i < 66; i++) {
        u[0] = (uint8_t)((i == 0 ? 0x40 : 0) | (i % 64));
        frame(&q, 0x44, 1, 10, u, sizeof(u));
    }
    feed(fx, APP_DIR_TOCLIENT, &q);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    assert_true(app_test_tx_has_event(&tx_at(fx, 0)->tx, "dnp3.too_long_reassembly"));
}

static void unanswered_requests_flood(void **state)
{
    Fx *fx = *state;
    Buf q = {.n = 0};
    for (int i = 0; i < DNP3_DEFAULT_FLOOD + 1; i++) {
        message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    }
    feed(fx, APP_DIR_TOSERVER, &q);
    uint32_t n = app_layer_tx_count(&fx->f);
    assert_int_equal(n, DNP3_DEFAULT_FLOOD + 1);
    assert_false(app_test_tx_has_event(&tx_at(fx, n - 2)->tx, "dnp3.flooded"));
    assert_true(app_test_tx_has_event(&tx_at(fx, n - 1)->tx, "dnp3.flooded"));
}

static void empty_and_truncated_input_make_nothing(void **state)
{
    Fx *fx = *state;
    Buf q = {.n = 0};
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    app_flow_data(fx->af, APP_DIR_TOSERVER, q.b, 0);
    app_flow_data(fx->af, APP_DIR_TOSERVER, q.b, q.n - 1);   // all but the last byte
    app_flow_packet_publish(fx->af);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
    app_flow_eof(fx->af, APP_DIR_TOSERVER);
    assert_int_equal(app_layer_tx_count(&fx->f), 0);
}

static void udp_datagram_holds_whole_frames(void **state)
{
    Fx *fx = *state;
    Buf q = {.n = 0};
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    message(&q, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    feed(fx, APP_DIR_TOSERVER, &q);
    assert_int_equal(fx->f.app_proto, APP_PROTO_DNP3);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    Buf t = {.n = 0};
    message(&t, APP_DIR_TOSERVER, k_read, sizeof(k_read));
    t.n -= 3;                    // truncated datagram
    feed(fx, APP_DIR_TOSERVER, &t);
    assert_int_equal(app_layer_tx_count(&fx->f), 3);
    assert_true(app_test_tx_has_event(&tx_at(fx, 2)->tx, "dnp3.len_too_small"));
}

static void names_of_codes_and_indications(void **state)
{
    (void)state;
    assert_int_equal(dnp3_fc_by_name("direct_operate"), 5);
    assert_int_equal(dnp3_fc_by_name("unsolicited_response"), 130);
    assert_int_equal(dnp3_fc_by_name("nope"), -1);
    assert_int_equal(dnp3_iin_by_name("device_restart"), 15);
    assert_int_equal(dnp3_iin_by_name("no_func_code_support"), 0);
    assert_int_equal(dnp3_iin_by_name("time_sync_required"), 12);
    assert_string_equal(dnp3_iin_name(9), "class_1_events");
    assert_null(dnp3_iin_name(16));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc_matches_the_standard_vector),
        cmocka_unit_test(names_of_codes_and_indications),
        cmocka_unit_test_setup_teardown(request_and_response_are_two_txs, setup, teardown),
        cmocka_unit_test_setup_teardown(bytewise_split_parses_the_same, setup, teardown),
        cmocka_unit_test_setup_teardown(eve_object_has_points_and_indications, setup, teardown),
        cmocka_unit_test_setup_teardown(data_buffer_is_the_fragment, setup, teardown),
        cmocka_unit_test_setup_teardown(transport_segments_are_reassembled, setup, teardown),
        cmocka_unit_test_setup_teardown(confirm_makes_no_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_link_crc_raises_event, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_block_crc_raises_transport_event, setup, teardown),
        cmocka_unit_test_setup_teardown(length_below_five_is_too_small, setup, teardown),
        cmocka_unit_test_setup_teardown(garbage_is_malformed_once_then_resyncs, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_object_stops_the_list, setup, teardown),
        cmocka_unit_test_setup_teardown(lying_point_count_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(too_many_objects_stops_at_the_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(reassembly_past_the_bound_is_too_long, setup, teardown),
        cmocka_unit_test_setup_teardown(unanswered_requests_flood, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_and_truncated_input_make_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(udp_datagram_holds_whole_frames, setup_udp, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
