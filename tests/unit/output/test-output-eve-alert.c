/* EVE alert records: packet_info and the payload of stream matches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/detect.h"
#include "output/output-module.h"
#include "output/output-test-util.h"
#include "util/util-time.h"

static int setup(void **state)
{
    setenv("TZ", "UTC", 1);
    util_time_init();
    JsonBuf *jb = malloc(sizeof(*jb));
    if (jb == NULL || json_buf_init(jb, 256) != 0) {
        free(jb);
        return -1;
    }
    *state = jb;
    return 0;
}

static int teardown(void **state)
{
    JsonBuf *jb = *state;
    json_buf_deinit(jb);
    free(jb);
    return 0;
}

static const char *build(JsonBuf *jb, Packet *p, const PacketAlert *pa, bool payload)
{
    OutputCtx oc;
    memset(&oc, 0, sizeof(oc));
    oc.alert_packet = true;
    oc.alert_payload_printable = payload;
    json_buf_reset(jb);
    output_eve_alert_build(jb, &oc, p, pa);
    return jb->buf;
}

static void linktype_name_follows_suricata_names(void **state)
{
    JsonBuf *jb = *state;
    static uint8_t raw[4] = {0x45, 0, 0, 4};
    Packet p;
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_NONE, 0, "10.0.0.1", 0, "10.0.0.2", 0);
    p.data = raw;
    p.caplen = sizeof(raw);
    PacketAlert pa = {.sid = 1, .gid = 1, .rev = 1, .msg = "m"};
    const struct {
        int lt;
        const char *name;
    } cases[] = {
        {1, "\"linktype_name\":\"EN10MB\""}, {228, "\"linktype_name\":\"IPv4\""},
        {229, "\"linktype_name\":\"IPv6\""}, {12, "\"linktype_name\":\"RAW\""},
        {113, "\"linktype_name\":\"LINUX_SLL\""}, {4242, "\"linktype_name\":\"n/a\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        p.linktype = cases[i].lt;
        assert_non_null(strstr(build(jb, &p, &pa, false), cases[i].name));
    }
}

static void stream_alert_logs_the_detection_stream_log(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_TCP, 6, "10.0.0.1", 1234, "10.0.0.2", 80);
    p.stream_data = (const uint8_t *)"DATA";
    p.stream_data_len = 4;
    PacketAlerts *all = calloc(1, sizeof(*all));
    assert_non_null(all);
    memcpy(all->stream_log, "VERY[4 bytes missing]DATA", 25);
    all->stream_log_len = 25;
    p.alerts = all;
    PacketAlert pa = {.sid = 1, .gid = 1, .rev = 1, .msg = "m", .flags = PACKET_ALERT_F_STREAM};
    const char *rec = build(jb, &p, &pa, true);
    assert_non_null(strstr(rec, "\"payload_printable\":\"VERY[4 bytes missing]DATA\""));
    assert_non_null(strstr(rec, "\"stream\":1"));
    pa.flags = 0;                   // a packet match logs the packet's own payload
    rec = build(jb, &p, &pa, true);
    assert_null(strstr(rec, "missing"));
    free(all);
}

static void verdict_reports_pass_and_reject(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_UDP, 17, "10.0.0.1", 1234, "10.0.0.2", 53);
    PacketAlerts *all = calloc(1, sizeof(*all));
    assert_non_null(all);
    all->alerts[0] = (PacketAlert){.sid = 1, .msg = "m", .action = DETECT_ACTION_REJECT};
    all->n = 1;
    p.alerts = all;
    p.n_alerts = 1;
    const char *rec = build(jb, &p, &all->alerts[0], false);
    assert_non_null(strstr(rec, "\"verdict\":{\"action\":\"alert\",\"reject_target\":"
                                "\"to_client\",\"reject\":[\"icmp-prohib\"]}"));
    all->alerts[0].action = DETECT_ACTION_PASS;
    rec = build(jb, &p, &all->alerts[0], false);
    assert_non_null(strstr(rec, "\"verdict\":{\"action\":\"pass\"}"));
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(linktype_name_follows_suricata_names, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_alert_logs_the_detection_stream_log, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(verdict_reports_pass_and_reject, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
