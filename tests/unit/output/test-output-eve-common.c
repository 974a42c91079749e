#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <arpa/inet.h>

#include "output/json-check.h"
#include "output/output-test-util.h"
#include "output/output.h"
#include "util/util-ip.h"
#include "util/util-error.h"
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

/* Close the header object and compare the whole record. */
static void check_record(JsonBuf *jb, const char *expect)
{
    json_close_object(jb);
    assert_true(json_complete(jb));
    assert_true(json_check_valid(jb->buf, jb->len));
    assert_string_equal(jb->buf, expect);
}

static void addr_formats_ipv4_and_ipv6(void **state)
{
    (void)state;
    char buf[OUTPUT_ADDR_STR_SIZE];
    VgAddr a = ot_addr("192.0.2.1");
    assert_int_equal(output_addr_to_str(&a, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "192.0.2.1");
    a = ot_addr("2001:db8:0:0:0:0:0:1");
    assert_int_equal(output_addr_to_str(&a, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "2001:0db8:0000:0000:0000:0000:0000:0001");
    assert_int_equal(output_addr_to_str_compressed(&a, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "2001:db8::1");
    a = ot_addr("::ffff:192.0.2.1");
    assert_int_equal(output_addr_to_str(&a, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "0000:0000:0000:0000:0000:ffff:c000:0201");
    assert_int_equal(output_addr_to_str_compressed(&a, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "::ffff:192.0.2.1");
    /* The EVE form follows eve-log ipv6-compress. */
    EveFieldsCfg fc = *eve_fields_cfg();
    fc.ipv6_compress = true;
    eve_fields_configure(&fc);
    assert_int_equal(eve_addr_to_str(&a, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "::ffff:192.0.2.1");
    fc.ipv6_compress = false;
    eve_fields_configure(&fc);
    assert_int_equal(eve_addr_to_str(&a, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "0000:0000:0000:0000:0000:ffff:c000:0201");
}

static void addr_rejects_unset_family_and_small_buffer(void **state)
{
    (void)state;
    char buf[8];
    VgAddr a;
    memset(&a, 0, sizeof(a));
    assert_int_equal(output_addr_to_str(&a, buf, sizeof(buf)), VG_EINVAL);
    a = ot_addr("192.168.100.200");
    assert_int_equal(output_addr_to_str(&a, buf, sizeof(buf)), VG_ERANGE);
    a = ot_addr("1.2.3.4");                      // 7 characters and the '\0' fit
    assert_int_equal(output_addr_to_str(&a, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "1.2.3.4");
}

/* The IPv4 text is inet_ntop's, for every byte value in every position. */
static void ipv4_text_is_inet_ntops(void **state)
{
    (void)state;
    for (unsigned v = 0; v < 256; v++) {
        for (int pos = 0; pos < 4; pos++) {
            uint8_t a[4] = { 10, 200, 0, 99 };
            a[pos] = (uint8_t)v;
            char want[INET_ADDRSTRLEN];
            char got[UTIL_IPV4_STR_SIZE];
            assert_non_null(inet_ntop(AF_INET, a, want, sizeof(want)));
            assert_int_equal(util_ipv4_str(a, got), (int)strlen(want));
            assert_string_equal(got, want);
        }
    }
    uint8_t max[4] = { 255, 255, 255, 255 };
    char got[UTIL_IPV4_STR_SIZE];
    assert_int_equal(util_ipv4_str(max, got), 15);
    assert_string_equal(got, "255.255.255.255");
}

static void proto_names_follow_iana_keywords(void **state)
{
    (void)state;
    assert_string_equal(output_proto_name(6), "TCP");
    assert_string_equal(output_proto_name(17), "UDP");
    assert_string_equal(output_proto_name(1), "ICMP");
    assert_string_equal(output_proto_name(58), "IPv6-ICMP");
    assert_string_equal(output_proto_name(132), "SCTP");
    assert_string_equal(output_proto_name(143), "Ethernet");
    assert_null(output_proto_name(144));
    assert_null(output_proto_name(255));
}

static void begin_packet_ipv4_tcp(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_TCP, 6, "10.0.0.1", 1234, "10.0.0.2", 80);
    p.pcap_cnt = 7;
    eve_begin_packet(jb, &p, 1122334455, "alert");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.123456+0000\",\"flow_id\":1122334455,"
                     "\"pcap_cnt\":7,\"event_type\":\"alert\",\"src_ip\":\"10.0.0.1\","
                     "\"src_port\":1234,\"dest_ip\":\"10.0.0.2\",\"dest_port\":80,"
                     "\"proto\":\"TCP\",\"ip_v\":4,\"pkt_src\":\"wire/pcap\"}");
}

static void begin_packet_ipv6_udp_without_flow_or_pcap_cnt(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_IPV6, PKT_L4_UDP, 17, "2001:db8::1", 5353, "ff02::fb", 53);
    eve_begin_packet(jb, &p, 0, "dns");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.123456+0000\",\"event_type\":\"dns\","
                     "\"src_ip\":\"2001:0db8:0000:0000:0000:0000:0000:0001\",\"src_port\":5353,"
                     "\"dest_ip\":\"ff02:0000:0000:0000:0000:0000:0000:00fb\","
                     "\"dest_port\":53,\"proto\":\"UDP\",\"ip_v\":6,\"pkt_src\":\"wire/pcap\"}");
}

static void begin_packet_icmp_has_type_code_and_no_ports(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_ICMPV4, 1, "192.0.2.1", 8, "192.0.2.2", 0);
    p.icmp.type = 8;
    p.icmp.code = 0;
    eve_begin_packet(jb, &p, 0, "anomaly");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.123456+0000\","
                     "\"event_type\":\"anomaly\",\"src_ip\":\"192.0.2.1\","
                     "\"dest_ip\":\"192.0.2.2\",\"proto\":\"ICMP\",\"ip_v\":4,\"icmp_type\":8,"
                     "\"icmp_code\":0,\"pkt_src\":\"wire/pcap\"}");
}

static void begin_packet_icmpv6(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_IPV6, PKT_L4_ICMPV6, 58, "fe80::1", 0, "fe80::2", 0);
    p.icmp.type = 135;
    eve_begin_packet(jb, &p, 0, "alert");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.123456+0000\",\"event_type\":\"alert\","
                     "\"src_ip\":\"fe80:0000:0000:0000:0000:0000:0000:0001\","
                     "\"dest_ip\":\"fe80:0000:0000:0000:0000:0000:0000:0002\","
                     "\"proto\":\"IPv6-ICMP\","
                     "\"ip_v\":6,\"icmp_type\":135,\"icmp_code\":0,\"pkt_src\":\"wire/pcap\"}");
}

static void begin_packet_vlan_ids_follow_event_type(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_UDP, 17, "10.1.1.1", 1, "10.1.1.2", 2);
    p.n_vlan = 2;
    p.vlan_id[0] = 100;
    p.vlan_id[1] = 4094;
    eve_begin_packet(jb, &p, 0, "alert");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.123456+0000\",\"event_type\":\"alert\","
                     "\"vlan\":[100,4094],\"src_ip\":\"10.1.1.1\",\"src_port\":1,"
                     "\"dest_ip\":\"10.1.1.2\",\"dest_port\":2,\"proto\":\"UDP\",\"ip_v\":4,"
                     "\"pkt_src\":\"wire/pcap\"}");
}

static void begin_packet_other_protocols_print_name_or_number(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_OTHER, 47, "10.0.0.1", 0, "10.0.0.2", 0);
    eve_begin_packet(jb, &p, 0, "anomaly");
    json_close_object(jb);
    assert_non_null(strstr(jb->buf, "\"dest_ip\":\"10.0.0.2\",\"proto\":\"GRE\",\"ip_v\":4,"));
    assert_null(strstr(jb->buf, "port"));

    ot_packet(&p, PKT_L3_IPV4, PKT_L4_OTHER, 253, "10.0.0.1", 0, "10.0.0.2", 0);
    eve_begin_packet(jb, &p, 0, "anomaly");
    json_close_object(jb);
    assert_non_null(strstr(jb->buf, "\"proto\":\"253\""));
}

static void begin_packet_without_ip_has_no_tuple(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_NONE, PKT_L4_NONE, 0, "", 0, "", 0);
    eve_begin_packet(jb, &p, 0, "anomaly");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.123456+0000\","
                     "\"event_type\":\"anomaly\",\"pkt_src\":\"wire/pcap\"}");
}

static void begin_packet_resets_previous_record(void **state)
{
    JsonBuf *jb = *state;
    Packet p;
    ot_packet(&p, PKT_L3_NONE, PKT_L4_NONE, 0, "", 0, "", 0);
    json_open_array(jb, NULL);  // left over, unfinished
    eve_begin_packet(jb, &p, 0, "x");
    json_close_object(jb);
    assert_true(json_complete(jb));
    assert_memory_equal(jb->buf, "{\"timestamp\"", 12);
}

static void begin_flow_uses_client_side_and_vlans(void **state)
{
    JsonBuf *jb = *state;
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.src = ot_addr("10.0.0.1");
    f.key.dst = ot_addr("10.0.0.2");
    f.key.sp = 40000;
    f.key.dp = 443;
    f.key.proto = 6;
    f.key.n_vlan = 1;
    f.key.vlan_id[0] = 7;
    f.flow_id = 99;
    eve_begin_flow(jb, &f, OT_SEC, 5, "flow");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.000005+0000\",\"flow_id\":99,"
                     "\"event_type\":\"flow\",\"vlan\":[7],\"src_ip\":\"10.0.0.1\","
                     "\"src_port\":40000,\"dest_ip\":\"10.0.0.2\",\"dest_port\":443,"
                     "\"proto\":\"TCP\",\"ip_v\":4}");
}

static void begin_flow_icmp_has_types_of_both_directions(void **state)
{
    JsonBuf *jb = *state;
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.src = ot_addr("2001:db8::1");
    f.key.dst = ot_addr("2001:db8::2");
    f.key.sp = 7; // echo id: the key is not where the type comes from
    f.key.dp = 128;
    f.key.proto = 58;
    f.icmp_type = 128;
    f.icmp_resp_type = 129;
    f.flags = FLOW_F_ICMP_RESP;
    eve_begin_flow(jb, &f, OT_SEC, 0, "flow");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.000000+0000\",\"event_type\":\"flow\","
                     "\"src_ip\":\"2001:0db8:0000:0000:0000:0000:0000:0001\","
                     "\"dest_ip\":\"2001:0db8:0000:0000:0000:0000:0000:0002\","
                     "\"proto\":\"IPv6-ICMP\",\"ip_v\":6,\"icmp_type\":128,\"icmp_code\":0,"
                     "\"response_icmp_type\":129,\"response_icmp_code\":0}");
}

static const char *test_app_proto_name(uint16_t id)
{
    switch (id) {
    case 1:
        return "http";
    case 2:
        return "failed";
    default:
        return NULL;
    }
}

/* Absent while unknown (0), without a hook, or for an id the hook does not
 * name; else the hook's name, as Suricata writes "failed" or "http". */
static void app_proto_written_by_name_or_left_out(void **state)
{
    JsonBuf *jb = *state;
    output_set_app_proto_names(NULL);
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    eve_add_app_proto(jb, 1);
    check_record(jb, "{}");
    output_set_app_proto_names(test_app_proto_name);
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    eve_add_app_proto(jb, 0);
    eve_add_app_proto(jb, 9);
    eve_add_app_proto(jb, 2);
    check_record(jb, "{\"app_proto\":\"failed\"}");
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    eve_add_app_proto(jb, 1);
    check_record(jb, "{\"app_proto\":\"http\"}");
    output_set_app_proto_names(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(addr_formats_ipv4_and_ipv6),
        cmocka_unit_test(addr_rejects_unset_family_and_small_buffer),
        cmocka_unit_test(ipv4_text_is_inet_ntops),
        cmocka_unit_test(proto_names_follow_iana_keywords),
        cmocka_unit_test_setup_teardown(begin_packet_ipv4_tcp, setup, teardown),
        cmocka_unit_test_setup_teardown(begin_packet_ipv6_udp_without_flow_or_pcap_cnt, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(begin_packet_icmp_has_type_code_and_no_ports, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(begin_packet_icmpv6, setup, teardown),
        cmocka_unit_test_setup_teardown(begin_packet_vlan_ids_follow_event_type, setup, teardown),
        cmocka_unit_test_setup_teardown(begin_packet_other_protocols_print_name_or_number, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(begin_packet_without_ip_has_no_tuple, setup, teardown),
        cmocka_unit_test_setup_teardown(begin_packet_resets_previous_record, setup, teardown),
        cmocka_unit_test_setup_teardown(begin_flow_uses_client_side_and_vlans, setup, teardown),
        cmocka_unit_test_setup_teardown(app_proto_written_by_name_or_left_out, setup, teardown),
        cmocka_unit_test_setup_teardown(begin_flow_icmp_has_types_of_both_directions, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
