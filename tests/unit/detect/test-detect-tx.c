/* Per-transaction inspection (detect-tx.c) with the real HTTP parser fed as the
 * stream subscriber does (app-layer-internal.h: app_flow_data, then the
 * per-packet publish): one alert per tx, growing bodies, rules needing both
 * directions, inspection on packets of the data's direction, INSPECTED flags. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "app-layer/app-layer-internal.h"
#include "detect-test.h"
#include "flow/flow.h"
#include "runtime/counters.h"

static const char RULES[] =
    "alert http any any -> any any (msg:\"uri\"; http.uri; content:\"/a\"; sid:1;)\n"
    "alert http any any -> any any (msg:\"body\"; http.response_body; content:\"WORLD\"; "
    "sid:2;)\n"
    "alert http any any -> any any (msg:\"GET got 200\"; http.method; content:\"GET\"; "
    "http.stat_code; content:\"200\"; sid:3;)\n"
    "alert http any any -> any any (msg:\"no such\"; http.uri; content:\"/zzz\"; sid:4;)\n";

typedef struct Fx {
    Flow f;
    AppFlow *af;
    DetectEngine *de;
    DetectThread *dt;
    Packet p;
} Fx;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->f.key.proto = 6;
    fx->f.key.src.family = fx->f.key.dst.family = 4;
    fx->f.key.sp = 40000;
    fx->f.key.dp = 8080;
    fx->af = app_flow_get_or_new(&fx->f);
    int failed = -1;
    fx->de = test_engine(RULES, &failed);
    assert_int_equal(failed, 0);
    fx->dt = detect_thread_new(fx->de, NULL);
    assert_non_null(fx->af);
    assert_non_null(fx->dt);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    detect_thread_free(fx->dt);
    detect_engine_free(fx->de);
    detect_packet_alerts_free(&fx->p);
    free(fx);
    app_layer_deinit();
    flow_storage_reset();
    counters_reset();
    return 0;
}

/* One packet in direction pkt_dir, the app layer having parsed data of
 * data_dir on it (data may be NULL). Returns the sids alerted, as a number
 * with one decimal digit per alert (in order). */
static unsigned step(Fx *fx, uint8_t pkt_dir, uint8_t data_dir, const char *data)
{
    if (data != NULL) {
        app_flow_data(fx->af, data_dir, (const uint8_t *)data, (uint32_t)strlen(data));
    }
    app_flow_packet_publish(fx->af);
    bool ts = pkt_dir == APP_DIR_TOSERVER;
    test_packet(&fx->p, PKT_L4_TCP, ts ? "10.0.0.1" : "10.0.0.2", ts ? 40000 : 8080,
                ts ? "10.0.0.2" : "10.0.0.1", ts ? 8080 : 40000, NULL, 0);
    fx->p.flow = &fx->f;
    fx->p.flags |= ts ? PKT_F_TOSERVER : PKT_F_TOCLIENT;
    fx->p.flow_state = FLOW_STATE_ESTABLISHED;
    detect_packet(fx->dt, &fx->p);
    const PacketAlerts *pa = detect_packet_alerts(&fx->p);
    unsigned sids = 0;
    for (uint16_t i = 0; pa != NULL && i < pa->n; i++) {
        assert_true(pa->alerts[i].flags & PACKET_ALERT_F_TX);
        assert_int_equal(pa->alerts[i].tx_id, 0);
        sids = sids * 10 + pa->alerts[i].sid;
    }
    return sids;
}

static const char REQ[] = "GET /a/b HTTP/1.1\r\nHost: x\r\n\r\n";
static const char RESP_HEAD[] = "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nhello WO";

static void a_rule_fires_once_per_tx(void **state)
{
    Fx *fx = *state;
    assert_int_equal(step(fx, APP_DIR_TOSERVER, APP_DIR_TOSERVER, REQ), 1);
    assert_int_equal(step(fx, APP_DIR_TOSERVER, APP_DIR_TOSERVER, NULL), 0);
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, APP_DIR_TOCLIENT, RESP_HEAD), 3);
    assert_int_equal(step(fx, APP_DIR_TOSERVER, APP_DIR_TOSERVER, NULL), 0);
}

static void growing_body_alerts_once_when_the_match_completes(void **state)
{
    Fx *fx = *state;
    assert_int_equal(step(fx, APP_DIR_TOSERVER, APP_DIR_TOSERVER, REQ), 1);
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, APP_DIR_TOCLIENT, RESP_HEAD), 3);
    /* under response-body-minimal-inspect-size, the body is inspected once complete */
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, APP_DIR_TOCLIENT, "RLD!"), 0);
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, APP_DIR_TOCLIENT, "!!"), 2);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_non_null(tx);
    assert_true(tx->flags & APP_TX_F_INSPECTED_TS);
    assert_true(tx->flags & APP_TX_F_INSPECTED_TC);
}

/* Data parsed on an acknowledgement (IDS) is inspected with the next packet of
 * its own direction, as Suricata does. */
static void data_parsed_on_the_other_direction_waits_for_its_own(void **state)
{
    Fx *fx = *state;
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, APP_DIR_TOSERVER, REQ), 0);
    assert_int_equal(step(fx, APP_DIR_TOSERVER, APP_DIR_TOSERVER, NULL), 1);
    assert_int_equal(step(fx, APP_DIR_TOSERVER, APP_DIR_TOSERVER, NULL), 0);
}

/* A pass ordered before a drop wins even when the drop matched first (a
 * packet rule, then the tx the pass needs): the drop and the alerts of rules
 * ordered after the pass are cancelled, and the tx-scoped pass passes the
 * flow, as Suricata resolves a packet's actions once all matches are in. */
static void tx_pass_cancels_an_earlier_packet_drop_ordered_after_it(void **state)
{
    Fx *fx = *state;
    detect_thread_free(fx->dt);
    detect_engine_free(fx->de);
    fx->de = test_engine("drop tcp any any -> any 8080 (flow:to_server; sid:5;)\n"
                         "pass http any any -> any any (http.uri; content:\"/a\"; sid:6;)\n",
                         NULL);
    assert_non_null(fx->de);
    fx->dt = detect_thread_new(fx->de, NULL);
    assert_non_null(fx->dt);
    assert_int_equal(step(fx, APP_DIR_TOSERVER, APP_DIR_TOSERVER, REQ), 0);
    assert_false(fx->p.flags & PKT_F_DROP);
    assert_true(fx->f.flags & FLOW_F_PASS);
}

/* At flow end every tx is inspected once more with its data forced complete. */
static void flow_end_inspects_what_is_left(void **state)
{
    Fx *fx = *state;
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, APP_DIR_TOSERVER, REQ), 0);
    app_layer_flow_end(&fx->f);
    assert_int_equal(detect_flow_end(fx->dt, &fx->f, NULL, NULL), 1);
}

/* A pass rule matching a tx at flow end passes the flow and cancels the alerts ordered
 * after it, as on a packet (bug-5464-verdict-05: the request is only seen then). */
static void flow_end_pass_is_resolved_like_a_packets(void **state)
{
    Fx *fx = *state;
    detect_thread_free(fx->dt);
    detect_engine_free(fx->de);
    fx->de = test_engine("pass http any any -> any any (http.uri; content:\"/a\"; sid:6;)\n"
                         "alert http any any -> any any (http.uri; content:\"/a\"; sid:7;)\n",
                         NULL);
    assert_non_null(fx->de);
    fx->dt = detect_thread_new(fx->de, NULL);
    assert_non_null(fx->dt);
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, APP_DIR_TOSERVER, REQ), 0);
    app_layer_flow_end(&fx->f);
    assert_int_equal(detect_flow_end(fx->dt, &fx->f, NULL, NULL), 0);
    assert_true(fx->f.flags & FLOW_F_PASS);
}

/* Suricata 8: a buffer both sides have names its side in a '=>' rule
 * (http.connection: to_client); filesize takes a side too. The request says
 * keep-alive, the response close. */
static void bidir_rule_buffers_take_a_direction(void **state)
{
    Fx *fx = *state;
    detect_thread_free(fx->dt);
    detect_engine_free(fx->de);
    int failed = -1;
    fx->de = test_engine(
        "alert http any any => any any (http.uri; content:\"/a\"; "
        "http.connection: to_client; content:\"close\"; sid:7;)\n"
        "alert http any any => any any (http.uri; content:\"/a\"; "
        "http.connection: to_server; content:\"close\"; sid:8;)\n"
        "alert http any any => any any (http.connection: to_server; content:\"keep\"; "
        "http.connection: to_client; content:\"close\"; filesize: to_client, <100; sid:9;)\n"
        "alert http any any => any any (http.uri; content:\"/a\"; "
        "filesize: to_server, <100; sid:5;)\n",
        &failed);
    assert_int_equal(failed, 0);
    fx->dt = detect_thread_new(fx->de, NULL);
    assert_non_null(fx->dt);
    assert_int_equal(step(fx, APP_DIR_TOSERVER, APP_DIR_TOSERVER,
                          "GET /a HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"),
                     0);
    assert_int_equal(step(fx, APP_DIR_TOCLIENT, APP_DIR_TOCLIENT,
                          "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\n"
                          "hello"),
                     79);
}

static void direction_of_a_buffer_is_checked(void **state)
{
    (void)state;
    int failed = -1;
    DetectEngine *de = test_engine(
        "alert http any any -> any any (http.uri: to_client; content:\"a\"; sid:1;)\n"
        "alert http any any -> any any (http.header: sideways; content:\"a\"; sid:2;)\n"
        "alert http any any -> any any (flow:to_server; file.data: to_client; "
        "content:\"a\"; sid:3;)\n"
        "alert http any any -> any any (file.data: to_client; content:\"a\"; sid:4;)\n",
        &failed);
    assert_int_equal(failed, 3);
    detect_engine_free(de);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_rule_fires_once_per_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(tx_pass_cancels_an_earlier_packet_drop_ordered_after_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(growing_body_alerts_once_when_the_match_completes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(data_parsed_on_the_other_direction_waits_for_its_own,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(flow_end_inspects_what_is_left, setup, teardown),
        cmocka_unit_test_setup_teardown(flow_end_pass_is_resolved_like_a_packets, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bidir_rule_buffers_take_a_direction, setup, teardown),
        cmocka_unit_test_setup_teardown(direction_of_a_buffer_is_checked, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
