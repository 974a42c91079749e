/* Optional EVE fields: Community ID v1, ether, in_iface, host, flow vars.
 * The expected Community IDs come from tools/community-id-vectors.py, an
 * implementation of the specification written apart from Vigil's, itself
 * checked (--check) against published values: the spec's README example and
 * baseline (ICMP echo, ICMPv6 neighbor discovery) and two suricata-verify
 * expectations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/output-test-util.h"
#include "output/output-module.h"
#include "output/output.h"
#include "util/util-error.h"
#include "util/util-time.h"

typedef struct Vector {
    uint8_t proto;
    const char *src;
    const char *dst;
    uint16_t sp;
    uint16_t dp;
    uint16_t seed;
    const char *id;
} Vector;

static const Vector vectors[] = {
    {6, "128.232.110.120", "66.35.250.204", 34855, 80, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {6, "66.35.250.204", "128.232.110.120", 80, 34855, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {6, "128.232.110.120", "66.35.250.204", 34855, 80, 1, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {17, "192.168.1.52", "8.8.8.8", 54585, 53, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {17, "8.8.8.8", "192.168.1.52", 53, 54585, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {132, "192.168.170.8", "192.168.170.56", 7, 80, 0, "1:jQgCxbku+pNGw8WPbEc/TS/uTpQ="},
    {6, "192.168.0.254", "192.168.0.254", 56162, 3306, 1, "1:IJQHtzXv/tXud3FtXIufkDsfEd4="},
    {6, "192.168.0.254", "192.168.0.254", 3306, 56162, 1, "1:IJQHtzXv/tXud3FtXIufkDsfEd4="},
    {6, "172.26.0.39", "172.217.14.206", 35958, 443, 7, "1:IwiTNfuO7aCaamMijl+7/X9uLx0="},
    /* ICMP: echo request and its reply hash alike; time exceeded and
     * destination unreachable are one-way (not flipped, code as port) */
    {1, "192.168.0.89", "192.168.0.1", 8, 0, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {1, "192.168.0.1", "192.168.0.89", 0, 0, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {1, "192.168.0.1", "192.168.0.89", 11, 0, 0, "1:5ppgsucJbrpJCp1T8kvBKS94Ib0="},
    {1, "192.168.0.89", "192.168.0.1", 3, 1, 0, "1:LXCfhMUFbYXe+CEMrQuZCbiLY3o="},
    {58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0, 0,
     "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
    {58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0, 0,
     "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
    {58, "3ffe:507:0:1:260:97ff:fe07:69ea", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, 0,
     "1:gTqu7VsUsAmnYtRcECfFr8lTno8="},
    {6, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:4819::42", 1022, 22, 0,
     "1:xKnf281Asa1fKXx170r3ARHQU3I="},
    /* protocols without ports: addresses and protocol only */
    {47, "10.0.0.1", "10.0.0.2", 0, 0, 0, "1:+KlEHDT0vJgzs/eNmzHq0aSpRYw="},
    {47, "10.0.0.2", "10.0.0.1", 0, 0, 0, "1:+KlEHDT0vJgzs/eNmzHq0aSpRYw="},
    {50, "2001:db8::1", "2001:db8::2", 0, 0, 7, "1:MWfTRb4/5OK3ERPuOL27Se8U7xI="},
};

static void community_id_matches_spec_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const Vector *v = &vectors[i];
        VgAddr s = ot_addr(v->src);
        VgAddr d = ot_addr(v->dst);
        char id[OUTPUT_COMMUNITY_ID_SIZE];
        assert_int_equal(output_community_id(&s, &d, v->sp, v->dp, v->proto, v->seed, id,
                                             sizeof(id)),
                         0);
        if (strcmp(id, v->id) != 0) {
            fail_msg("vector %zu (%s -> %s proto %u): %s != %s", i, v->src, v->dst, v->proto, id,
                     v->id);
        }
    }
}

static void community_id_refuses_bad_input(void **state)
{
    (void)state;
    VgAddr s = ot_addr("10.0.0.1");
    VgAddr d6 = ot_addr("2001:db8::1");
    VgAddr none;
    memset(&none, 0, sizeof(none));
    char id[OUTPUT_COMMUNITY_ID_SIZE];
    assert_int_equal(output_community_id(&s, &d6, 1, 2, 6, 0, id, sizeof(id)), VG_EINVAL);
    assert_int_equal(output_community_id(&none, &none, 1, 2, 6, 0, id, sizeof(id)), VG_EINVAL);
    assert_int_equal(output_community_id(&s, &s, 1, 2, 6, 0, id, 31), VG_ERANGE);
}

static void flow_icmp_uses_first_type_and_code(void **state)
{
    (void)state;
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.src = ot_addr("192.168.0.89");
    f.key.dst = ot_addr("192.168.0.1");
    f.key.sp = 0x1234;   // an echo id in the key must not count
    f.key.dp = 0;
    f.key.proto = 1;
    f.icmp_type = 8;
    f.icmp_code = 0;
    char id[OUTPUT_COMMUNITY_ID_SIZE];
    assert_int_equal(output_community_id_flow(&f, 0, id, sizeof(id)), 0);
    assert_string_equal(id, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
}

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
    eve_fields_configure(NULL);
    output_set_flow_vars_logger(NULL, NULL, NULL);
    return 0;
}

static void check_record(JsonBuf *jb, const char *expect)
{
    json_close_object(jb);
    assert_true(json_complete(jb));
    assert_string_equal(jb->buf, expect);
}

static void tcp_flow(Flow *f)
{
    memset(f, 0, sizeof(*f));
    f->key.src = ot_addr("66.35.250.204");
    f->key.dst = ot_addr("128.232.110.120");
    f->key.sp = 80;
    f->key.dp = 34855;
    f->key.proto = 6;
    f->flow_id = 5;
}

static void flow_record_fields_only_when_configured(void **state)
{
    JsonBuf *jb = *state;
    Flow f;
    tcp_flow(&f);
    eve_begin_flow(jb, &f, OT_SEC, 0, "flow");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.000000+0000\",\"flow_id\":5,"
                     "\"event_type\":\"flow\",\"src_ip\":\"66.35.250.204\",\"src_port\":80,"
                     "\"dest_ip\":\"128.232.110.120\",\"dest_port\":34855,\"proto\":\"TCP\","
                     "\"ip_v\":4}");
    EveFieldsCfg cfg = {.community_id = true, .sensor_name = "s1", .in_iface = "eth0"};
    eve_fields_configure(&cfg);
    eve_begin_flow(jb, &f, OT_SEC, 0, "flow");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.000000+0000\",\"flow_id\":5,"
                     "\"in_iface\":\"eth0\",\"event_type\":\"flow\",\"src_ip\":\"66.35.250.204\","
                     "\"src_port\":80,\"dest_ip\":\"128.232.110.120\",\"dest_port\":34855,"
                     "\"proto\":\"TCP\",\"ip_v\":4,"
                     "\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"host\":\"s1\"}");
}

static void packet_record_ether_and_community_id(void **state)
{
    JsonBuf *jb = *state;
    Flow f;
    tcp_flow(&f);
    uint8_t frame[64] = {0x00, 0x25, 0x90, 0xe3, 0xd2, 0xe1, 0x0c, 0x86, 0x10, 0xed, 0xd7, 0xc6,
                         0x08, 0x00};
    Packet p;
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_TCP, 6, "128.232.110.120", 34855, "66.35.250.204", 80);
    p.linktype = LINKTYPE_ETHERNET;
    p.data = frame;
    p.l2 = frame;
    p.caplen = sizeof(frame);
    p.flow = &f;
    EveFieldsCfg cfg = {.community_id = true, .ethernet = true};
    eve_fields_configure(&cfg);
    eve_begin_packet(jb, &p, 5, "alert");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.123456+0000\",\"flow_id\":5,"
                     "\"event_type\":\"alert\",\"src_ip\":\"128.232.110.120\",\"src_port\":34855,"
                     "\"dest_ip\":\"66.35.250.204\",\"dest_port\":80,\"proto\":\"TCP\",\"ip_v\":4,"
                     "\"pkt_src\":\"wire/pcap\",\"ether\":{\"src_mac\":\"0c:86:10:ed:d7:c6\","
                     "\"dest_mac\":\"00:25:90:e3:d2:e1\"},"
                     "\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\"}");
    /* not Ethernet: no ether; no flow: no community_id */
    p.linktype = LINKTYPE_RAW;
    p.flow = NULL;
    eve_begin_packet(jb, &p, 0, "alert");
    check_record(jb, "{\"timestamp\":\"2009-07-03T12:34:56.123456+0000\","
                     "\"event_type\":\"alert\",\"src_ip\":\"128.232.110.120\",\"src_port\":34855,"
                     "\"dest_ip\":\"66.35.250.204\",\"dest_port\":80,\"proto\":\"TCP\",\"ip_v\":4,"
                     "\"pkt_src\":\"wire/pcap\"}");
}

/* ARP: a request (gratuitous form) and a packet of other address sizes. */
static void arp_record_fields(void **state)
{
    JsonBuf *jb = *state;
    uint8_t arp[28] = {0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
                       0xbc, 0x03, 0x58, 0x5a, 0xd5, 0xca, 192, 168, 1, 28,
                       0, 0, 0, 0, 0, 0, 10, 0, 0, 1};
    Packet p;
    ot_packet(&p, PKT_L3_ARP, PKT_L4_NONE, 0, "", 0, "", 0);
    assert_false(output_eve_arp_build(jb, &p));   // no ARP header
    p.l3_hdr = arp;
    p.l3_len = sizeof(arp);
    assert_true(output_eve_arp_build(jb, &p));
    assert_true(json_complete(jb));
    assert_non_null(strstr(jb->buf, "\"event_type\":\"arp\""));
    assert_non_null(strstr(jb->buf,
        "\"arp\":{\"hw_type\":\"ethernet\",\"proto_type\":\"ipv4\",\"opcode\":\"request\","
        "\"src_mac\":\"bc:03:58:5a:d5:ca\",\"src_ip\":\"192.168.1.28\","
        "\"dest_mac\":\"00:00:00:00:00:00\",\"dest_ip\":\"10.0.0.1\"}}"));
    arp[1] = 6;      // IEEE 802 hardware type
    arp[7] = 9;      // an opcode without a name here
    arp[5] = 2;      // 2-byte protocol addresses: no address fields
    p.l3_len = 8 + 2 * (6 + 2);
    assert_true(output_eve_arp_build(jb, &p));
    assert_non_null(strstr(jb->buf,
        "\"arp\":{\"hw_type\":\"unknown\",\"proto_type\":\"ipv4\",\"opcode\":\"unknown\"}}"));
    ot_packet(&p, PKT_L3_IPV4, PKT_L4_TCP, 6, "10.0.0.1", 1, "10.0.0.2", 2);
    assert_false(output_eve_arp_build(jb, &p));
}

static int n_vars_calls;
static bool vars_any;

static void fake_vars(JsonBuf *jb, const Packet *p, const Flow *f, void *user)
{
    (void)f;
    (void)p;
    (void)user;
    n_vars_calls++;
    json_open_object(jb, "metadata");
    json_open_array(jb, "flowbits");
    json_str(jb, NULL, "b");
    json_close_array(jb);
    json_close_object(jb);
}

static bool fake_any(void *user)
{
    (void)user;
    return vars_any;
}

static void flow_vars_follow_metadata_option_and_rules(void **state)
{
    JsonBuf *jb = *state;
    Flow f;
    tcp_flow(&f);
    output_set_flow_vars_logger(fake_vars, fake_any, NULL);
    n_vars_calls = 0;
    vars_any = true;
    EveFieldsCfg cfg = {.metadata = false};
    eve_fields_configure(&cfg);
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    eve_add_flow_vars_locked(jb, &f);
    check_record(jb, "{}");
    assert_int_equal(n_vars_calls, 0);
    cfg.metadata = true;
    eve_fields_configure(&cfg);
    vars_any = false;   // no rule names a flow variable: not even looked at
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    eve_add_flow_vars_locked(jb, &f);
    check_record(jb, "{}");
    assert_int_equal(n_vars_calls, 0);
    vars_any = true;
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    eve_add_flow_vars_locked(jb, &f);
    check_record(jb, "{\"metadata\":{\"flowbits\":[\"b\"]}}");
    assert_int_equal(n_vars_calls, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(community_id_matches_spec_vectors),
        cmocka_unit_test(community_id_refuses_bad_input),
        cmocka_unit_test(flow_icmp_uses_first_type_and_code),
        cmocka_unit_test_setup_teardown(flow_record_fields_only_when_configured, setup, teardown),
        cmocka_unit_test_setup_teardown(packet_record_ether_and_community_id, setup, teardown),
        cmocka_unit_test_setup_teardown(arp_record_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(flow_vars_follow_metadata_option_and_rules, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
