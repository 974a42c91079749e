/* The frame keyword (detect-kw-frame.c) and frame rules (detect-frame.c): the protocol
 * from the argument or the header, refusals, and rules inspected on the frames the SIP
 * parser marks (over UDP) through detect_packet: alerts carry the frame and its tx, each
 * frame is inspected once, payload keywords and transforms apply to the frame's bytes. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "app-layer/app-layer-frame.h"
#include "app-layer/app-layer-internal.h"
#include "detect-test.h"
#include "flow/flow.h"
#include "runtime/counters.h"

static int parse(const char *rule, char *err)
{
    return test_parse(rule, err, 256);
}

static void protocol_from_argument_or_header(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(parse("alert sip any any -> any any (frame:request.line; content:\"A\"; "
                           "sid:1;)", err), 0);
    assert_int_equal(parse("alert tcp any any -> any any (frame:dcerpc.pdu; content:\"A\"; "
                           "sid:1;)", err), 0);
    assert_int_equal(parse("alert enip any any -> any any (frame:enip.enip.item; bsize:4; "
                           "sid:1;)", err), 0);
    assert_int_equal(parse("alert smb any any -> any any (frame:smb2.hdr; content:\"|fe|SMB\"; "
                           "startswith; sid:1;)", err), 0);
    assert_int_equal(parse("alert sip any any -> any any (frame:request.body; "
                           "strip_whitespace; content:\"v=0o=\"; sid:1;)", err), 0);
}

static void refusals_name_the_problem(void **state)
{
    (void)state;
    char err[256];
    assert_int_not_equal(parse("alert tcp any any -> any any (frame:pdu; content:\"A\"; sid:1;)",
                               err), 0);
    assert_non_null(strstr(err, "no protocol"));
    assert_int_not_equal(parse("alert smb any any -> any any (frame:smb2.nope; sid:1;)", err), 0);
    assert_non_null(strstr(err, "smb2.nope"));
    assert_int_not_equal(parse("alert sip any any -> any any (frame:dcerpc.pdu; sid:1;)", err),
                         0);
    assert_int_not_equal(parse("alert smtp any any -> any any (frame:smtp.stream; "
                               "content:\"A\"; sid:1;)", err), 0);
    assert_int_not_equal(parse("alert sip any any -> any any (frame:pdu; frame:pdu; sid:1;)",
                               err), 0);
    assert_int_not_equal(parse("alert sip any any -> any any (frame:pdu; content:\"A\"; "
                               "sip.method; content:\"INVITE\"; sid:1;)", err), 0);
    assert_non_null(strstr(err, "frame"));
    assert_int_not_equal(parse("alert icmp any any -> any any (frame:sip.pdu; sid:1;)", err), 0);
}

/* ---- through detect_packet ---- */

static const char RULES[] =
    "alert sip any any -> any any (msg:\"line\"; flow:to_server; frame:request.line; "
    "content:\"INVITE \"; startswith; content:\"SIP/2.0|0d 0a|\"; endswith; sid:1;)\n"
    "alert sip any any -> any any (msg:\"body\"; frame:sip.request.body; strip_whitespace; "
    "content:\"v=0o=x\"; startswith; sid:2;)\n"
    "alert sip any any -> any any (msg:\"wrong dir\"; flow:to_client; frame:request.line; "
    "content:\"INVITE\"; sid:3;)\n"
    "alert sip any any -> any any (msg:\"no match\"; frame:pdu; content:\"REGISTER\"; sid:4;)\n"
    "alert sip any any -> any any (msg:\"headers\"; frame:request.headers; bsize:20; sid:5;)\n";

static const char k_invite[] = "INVITE sip:b@example.org SIP/2.0\r\n"
                               "Content-Length: 10\r\n\r\n"
                               "v=0\r\no=x\r\n";

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
    int failed = -1;
    fx->de = test_engine(RULES, &failed);   // the build says which frame types are wanted
    assert_non_null(fx->de);
    assert_int_equal(failed, 0);
    fx->f.key.proto = 17;
    fx->f.key.src.family = fx->f.key.dst.family = 4;
    fx->f.key.sp = 5062;
    fx->f.key.dp = 5060;
    fx->af = app_flow_get_or_new(&fx->f);
    fx->dt = detect_thread_new(fx->de, NULL);
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
    for (uint32_t i = 0; i < app_layer_frame_type_count(); i++) {
        app_layer_frame_type_set_wanted((int)i, false);
    }
    app_layer_deinit();
    flow_storage_reset();
    counters_reset();
    return 0;
}

/* A to-server packet after data was parsed: the sids alerted, one digit each. */
static unsigned step(Fx *fx)
{
    app_flow_packet_publish(fx->af);
    test_packet(&fx->p, PKT_L4_UDP, "10.0.0.1", 5062, "10.0.0.2", 5060, k_invite,
                sizeof(k_invite) - 1);
    fx->p.flow = &fx->f;
    fx->p.flags |= PKT_F_TOSERVER;
    fx->p.flow_state = FLOW_STATE_ESTABLISHED;
    detect_packet(fx->dt, &fx->p);
    const PacketAlerts *pa = detect_packet_alerts(&fx->p);
    unsigned sids = 0;
    for (uint16_t i = 0; pa != NULL && i < pa->n; i++) {
        assert_true(pa->alerts[i].flags & PACKET_ALERT_F_FRAME);
        assert_true(pa->alerts[i].flags & PACKET_ALERT_F_TX);
        assert_int_equal(pa->alerts[i].frame_dir, APP_DIR_TOSERVER);
        sids = sids * 10 + pa->alerts[i].sid;
    }
    return sids;
}

static void frame_rules_alert_once_per_frame(void **state)
{
    Fx *fx = *state;
    app_flow_data(fx->af, APP_DIR_TOSERVER, (const uint8_t *)k_invite, sizeof(k_invite) - 1);
    assert_int_equal(step(fx), 152);   // in frame order: line, headers, body
    /* inspected: not again, and freed with the next packet */
    assert_int_equal(step(fx), 0);
    assert_int_equal(app_layer_frame_count(&fx->f, APP_DIR_TOSERVER), 0);
}

static void only_wanted_types_are_recorded(void **state)
{
    Fx *fx = *state;
    app_flow_data(fx->af, APP_DIR_TOSERVER, (const uint8_t *)k_invite, sizeof(k_invite) - 1);
    /* pdu, request.line, request.headers, request.body have rules; no response type */
    assert_int_equal(app_layer_frame_count(&fx->f, APP_DIR_TOSERVER), 4);
    assert_false(app_layer_frame_type_wanted(
        app_layer_frame_type_find(APP_PROTO_SIP, "response.line")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(protocol_from_argument_or_header),
        cmocka_unit_test(refusals_name_the_problem),
        cmocka_unit_test_setup_teardown(frame_rules_alert_once_per_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(only_wanted_types_are_recorded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
