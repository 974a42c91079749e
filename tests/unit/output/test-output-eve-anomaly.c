#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "output/json-check.h"
#include "output/output-test-util.h"
#include "output/output.h"
#include "util/util-time.h"

static int setup(void **state)
{
    setenv("TZ", "UTC", 1);
    util_time_init();
    JsonBuf *jb = malloc(sizeof(*jb));
    if (jb == NULL || json_buf_init(jb, 64) != 0) {
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

static void anomaly_decoder_event_record(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_TCP, 6, "10.0.0.1", 1, "10.0.0.2", 2);
    p.pcap_cnt = 3;
    output_eve_anomaly_build(jb, &p, 0, DECODE_EV_IPV4_TRUNC_PKT, false);
    assert_true(json_complete(jb));
    assert_true(json_check_valid(jb->buf, jb->len));
    assert_string_equal(jb->buf,
        "{\"timestamp\":\"2009-07-03T12:34:56.123456+0000\",\"pcap_cnt\":3,"
        "\"event_type\":\"anomaly\",\"src_ip\":\"10.0.0.1\",\"src_port\":1,"
        "\"dest_ip\":\"10.0.0.2\",\"dest_port\":2,\"proto\":\"TCP\",\"ip_v\":4,"
        "\"pkt_src\":\"wire/pcap\","
        "\"anomaly\":{\"type\":\"decode\",\"event\":\"decoder.ipv4.trunc_pkt\"}}");
}

/* packethdr: the first 32 bytes of the frame (all of a shorter one) and its
 * link type, after the anomaly object. */
static void anomaly_packethdr_carries_first_bytes(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_TCP, 6, "10.0.0.1", 1, "10.0.0.2", 2);
    uint8_t frame[40];
    for (size_t i = 0; i < sizeof(frame); i++) {
        frame[i] = (uint8_t)('A' + i % 26);
    }
    p.data = frame;
    p.caplen = sizeof(frame);
    p.linktype = 1;
    output_eve_anomaly_build(jb, &p, 0, DECODE_EV_IPV4_TRUNC_PKT, true);
    assert_true(json_complete(jb));
    assert_true(json_check_valid(jb->buf, jb->len));
    /* base64 of "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF" (32 bytes) */
    assert_non_null(strstr(jb->buf,
        "\"anomaly\":{\"type\":\"decode\",\"event\":\"decoder.ipv4.trunc_pkt\"},"
        "\"packet\":\"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpBQkNERUY=\","
        "\"packet_info\":{\"linktype\":1,\"linktype_name\":\"EN10MB\"}}"));
    p.caplen = 3;
    output_eve_anomaly_build(jb, &p, 0, DECODE_EV_IPV4_TRUNC_PKT, true);
    assert_non_null(strstr(jb->buf, "\"packet\":\"QUJD\","));
    output_eve_anomaly_build(jb, &p, 0, DECODE_EV_IPV4_TRUNC_PKT, false);
    assert_null(strstr(jb->buf, "\"packet\""));
}

static void anomaly_unknown_event_has_code(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_NONE, PKT_L4_NONE, 0, "", 0, "", 0);
    output_eve_anomaly_build(jb, &p, 0, 60000, false);
    assert_true(json_complete(jb));
    assert_non_null(strstr(jb->buf, "\"anomaly\":{\"type\":\"unknown\",\"code\":60000}}"));
    output_eve_anomaly_build(jb, &p, 0, DECODE_EV_NONE, false);
    assert_non_null(strstr(jb->buf, "\"anomaly\":{\"type\":\"unknown\",\"code\":0}}"));
}

static void anomaly_one_record_per_packet_event(void **state)
{
    JsonBuf *jb = *state;
    char dir[] = "/tmp/vg-anom-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/eve.json", dir);
    EveSink *sink = eve_sink_open(path);
    assert_non_null(sink);

    Packet p;
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_TCP, 6, "10.0.0.1", 1, "10.0.0.2", 2);
    p.n_events = 2;
    p.events[0] = DECODE_EV_IPV4_PKT_TOO_SMALL;
    p.events[1] = DECODE_EV_TCP_PKT_TOO_SMALL;
    assert_int_equal(output_eve_anomaly_packet(sink, jb, &p, 77), 0);
    p.n_events = 0;
    assert_int_equal(output_eve_anomaly_packet(sink, jb, &p, 77), 0);
    eve_sink_close(sink);

    size_t len;
    char *s = ot_read_file(path, &len);
    assert_non_null(s);
    size_t n = 0;
    assert_true(json_check_lines(s, len, &n));
    assert_int_equal(n, 2);
    char *second = strchr(s, '\n') + 1;
    assert_non_null(strstr(s, "\"flow_id\":77,"));
    assert_true(strstr(s, "\"event\":\"decoder.ipv4.pkt_too_small\"") < second);
    assert_non_null(strstr(second, "\"event\":\"decoder.tcp.pkt_too_small\""));
    free(s);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(anomaly_decoder_event_record, setup, teardown),
        cmocka_unit_test_setup_teardown(anomaly_packethdr_carries_first_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(anomaly_unknown_event_has_code, setup, teardown),
        cmocka_unit_test_setup_teardown(anomaly_one_record_per_packet_event, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
