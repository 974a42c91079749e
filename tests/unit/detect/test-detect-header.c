/* Header keywords: integer modes, prefilter, and the other per-packet
 * checks (each test shows a matching and a non-matching packet). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "decode/decode.h"
#include "detect-test.h"
#include "../stream/stream-test-util.h"

#define R(opts) "alert ip any any -> any any (" opts " sid:1;)"

/* One rule against a TCP packet whose TTL is ttl. */
static int ttl_match(const char *rule, uint8_t ttl)
{
    DetectEngine *de = test_engine(rule, NULL);
    if (de == NULL || de->loaded != 1) {
        detect_engine_free(de);
        return -1;
    }
    Packet p = { 0 };
    test_tcp(&p, "x", 1);
    p.ip4.ttl = ttl;
    int n = test_run(de, &p);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    return n;
}

static void uint_not_equal_forms(void **state)
{
    (void)state;
    assert_int_equal(ttl_match(R("ttl:!= 64;"), 64), 0);
    assert_int_equal(ttl_match(R("ttl:!= 64;"), 63), 1);
    assert_int_equal(ttl_match(R("ttl:!64;"), 64), 0);
    assert_int_equal(ttl_match(R("ttl: <= 64;"), 64), 1);
    assert_int_equal(ttl_match(R("ttl: >= 65;"), 64), 0);
}

static void uint_ranges_are_exclusive(void **state)
{
    (void)state;
    assert_int_equal(ttl_match(R("ttl:63-65;"), 64), 1);
    assert_int_equal(ttl_match(R("ttl:64-65;"), 64), 0);
    assert_int_equal(ttl_match(R("ttl:63<>64;"), 64), 0);
    assert_int_equal(ttl_match(R("ttl:!63-65;"), 64), 0);
    assert_int_equal(ttl_match(R("ttl:!64-66;"), 64), 1);
}

static void uint_bitmask(void **state)
{
    (void)state;
    assert_int_equal(ttl_match(R("ttl:&0xc0=0x40;"), 0x41), 1);
    assert_int_equal(ttl_match(R("ttl:&0xc0=0x40;"), 0x81), 0);
    assert_int_equal(ttl_match(R("ttl:&0xc0!=0;"), 0x01), 0);
}

static void uint_garbage_refused(void **state)
{
    (void)state;
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(test_parse(R("ttl:;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("ttl:5-3;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("ttl:&0xc0;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("ttl:256;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("ttl:>x;"), err, sizeof(err)), 0);
}

static void prefilter_is_accepted_after_a_keyword(void **state)
{
    (void)state;
    char err[DETECT_ERR_MAX];
    assert_int_equal(ttl_match(R("ttl:64; prefilter;"), 64), 1);
    assert_int_equal(ttl_match(R("ttl:64; prefilter;"), 65), 0);
    assert_int_not_equal(test_parse(R("prefilter;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("ttl:64; prefilter:1;"), err, sizeof(err)), 0);
}

/* IPv4 (20 bytes, TTL 0x40) + TCP (24 bytes, MSS option 0x0200) + "hi". */
static const uint8_t v4_tcp[] = {
    0x45, 0x00, 0x00, 0x2e, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
    10, 0, 0, 1, 192, 0, 2, 1,
    0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x02, 0xff, 0xff, 0, 0, 0, 0,
    0x02, 0x04, 0x02, 0x00,
    'h', 'i',
};

static int hdr_match(const char *rule)
{
    DetectEngine *de = test_engine(rule, NULL);
    if (de == NULL || de->loaded != 1) {
        detect_engine_free(de);
        return -1;
    }
    Packet p = { 0 };
    test_tcp(&p, v4_tcp + 44, 2);
    p.l3_hdr = v4_tcp;
    p.l3_len = sizeof(v4_tcp);
    p.ip4.hdr = v4_tcp;
    p.ip4.hlen = 20;
    p.tcp.hdr = v4_tcp + 20;
    p.tcp.hlen = 24;
    int n = test_run(de, &p);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    return n;
}

static void sticky_header_buffers(void **state)
{
    (void)state;
    assert_int_equal(hdr_match(R("ipv4.hdr; content:\"|40 06|\"; offset:8; depth:2;")), 1);
    assert_int_equal(hdr_match(R("ipv4.hdr; content:\"hi\";")), 0);
    assert_int_equal(hdr_match(R("tcp.hdr; content:\"|02 04|\"; offset:20; "
                                 "byte_test:2,<,536,0,relative;")), 1);
    assert_int_equal(hdr_match(R("tcp.hdr; content:\"|02 04|\"; offset:20; "
                                 "byte_test:2,>,536,0,relative;")), 0);
    /* back to the payload with pkt_data; a missing header never matches */
    assert_int_equal(hdr_match(R("tcp.hdr; content:\"|60 02|\"; pkt_data; content:\"hi\";")),
                     1);
    assert_int_equal(hdr_match(R("udp.hdr; content:\"|00 50|\";")), 0);
    assert_int_equal(hdr_match(R("ipv6.hdr; content:\"|40|\";")), 0);
    assert_int_equal(hdr_match(R("ipv4.hdr; byte_math:bytes 1, offset 8, oper +, rvalue 1, "
                                 "result r; byte_test:1,=,r,8;")), 0);
    assert_int_equal(hdr_match(R("ipv4.hdr; byte_math:bytes 1, offset 8, oper +, rvalue 1, "
                                 "result r; tcp.hdr; byte_test:1,>,r,0;")), 1);
}

static void sticky_header_rule_is_not_ip_only(void **state)
{
    (void)state;
    int failed = 0;
    DetectEngine *de = test_engine(R("ipv4.hdr; content:\"|45|\";"), &failed);
    assert_non_null(de);
    assert_int_equal(de->loaded, 1);
    assert_false(de->sigs[0]->flags & SIG_F_IPONLY);
    detect_engine_free(de);
}

/* One rule against a TCP packet in a flow with these counters. */
static int flow_match(const char *rule, uint64_t pts, uint64_t ptc, uint64_t bts, uint64_t btc,
                      int64_t age)
{
    DetectEngine *de = test_engine(rule, NULL);
    if (de == NULL || de->loaded != 1) {
        detect_engine_free(de);
        return -1;
    }
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 6;
    f.pkts_toserver = pts;
    f.pkts_toclient = ptc;
    f.bytes_toserver = bts;
    f.bytes_toclient = btc;
    f.start_sec = 1000;
    Packet p = { 0 };
    test_tcp(&p, "x", 1);
    p.flow = &f;
    p.ts_sec = 1000 + age;
    int n = test_run(de, &p);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    return n;
}

static void flow_pkts_and_bytes_by_direction(void **state)
{
    (void)state;
    assert_int_equal(flow_match(R("flow.pkts:toclient,=10; flow.pkts:toserver,10;"),
                                10, 10, 0, 0, 0), 1);
    assert_int_equal(flow_match(R("flow.pkts:toclient,=10;"), 10, 9, 0, 0, 0), 0);
    assert_int_equal(flow_match(R("flow.pkts:either,>5;"), 1, 9, 0, 0, 0), 1);
    assert_int_equal(flow_match(R("flow.pkts:both,>5;"), 1, 9, 0, 0, 0), 0);
    assert_int_equal(flow_match(R("flow.pkts_toserver:3; flow.bytes_toclient:>8000;"),
                                3, 0, 0, 9000, 0), 1);
    assert_int_equal(flow_match(R("flow.bytes:toserver,<3000;"), 0, 0, 3000, 0, 0), 0);
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(test_parse(R("flow.pkts:sideways,1;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("flow.pkts:10;"), err, sizeof(err)), 0);
}

static void flow_age_in_seconds(void **state)
{
    (void)state;
    assert_int_equal(flow_match(R("flow.age:>20;"), 1, 0, 0, 0, 21), 1);
    assert_int_equal(flow_match(R("flow.age:>20;"), 1, 0, 0, 0, 20), 0);
}

/* One rule against the client's last ACK of a session where the client sent
 * cli and the server srv after the handshake (stream_size counts the
 * sequence space: SYN included). */
static int size_match(const char *rule, const char *cli, const char *srv)
{
    DetectEngine *de = test_engine(rule, NULL);
    if (de == NULL || de->loaded != 1) {
        detect_engine_free(de);
        return -1;
    }
    TestConn tc;
    assert_int_equal(tc_init(&tc, NULL), 0);
    tc_handshake(&tc);
    uint32_t cl = (uint32_t)strlen(cli);
    uint32_t sl = (uint32_t)strlen(srv);
    if (cl > 0) {
        tc_pkt(&tc, TS, TH_ACK | TH_PUSH, 1001, 5001, cli);
    }
    if (sl > 0) {
        tc_pkt(&tc, TC, TH_ACK | TH_PUSH, 5001, 1001 + cl, srv);
    }
    Packet *p = tc_pkt(&tc, TS, TH_ACK, 1001 + cl, 5001 + sl, NULL);
    int n = test_run(de, p);
    detect_packet_alerts_free(p);
    tc_deinit(&tc);
    detect_engine_free(de);
    return n;
}

static void stream_size_counts_sequence_space_per_side(void **state)
{
    (void)state;
    const char *r = "alert tcp any any -> any any (stream_size:server,>,5; sid:1;)";
    assert_int_equal(size_match(r, "", "hello"), 1);         // SYN/ACK + 5
    assert_int_equal(size_match(r, "a longer request", "hell"), 0);
    r = "alert tcp any any -> any any (stream_size:client,=,4; sid:1;)";
    assert_int_equal(size_match(r, "GET", ""), 1);
    r = "alert tcp any any -> any any (stream_size:both, >=, 3; sid:1;)";
    assert_int_equal(size_match(r, "ab", "cd"), 1);
    assert_int_equal(size_match(r, "ab", "c"), 0);
    r = "alert tcp any any -> any any (stream_size:either,!=,1; sid:1;)";
    assert_int_equal(size_match(r, "", ""), 0);
    assert_int_equal(size_match(r, "x", ""), 1);
}

static void stream_size_needs_a_session(void **state)
{
    (void)state;
    const char *r = "alert tcp any any -> any any (stream_size:either,>=,0; sid:1;)";
    assert_int_equal(flow_match(r, 1, 1, 500, 100, 0), 0);
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(test_parse(R("stream_size:server,~,5;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("stream_size:server,>;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("stream_size:nobody,>,5;"), err, sizeof(err)), 0);
}

/* One rule against a packet tagged with ids[0..n). */
static int vlan_match(const char *rule, const uint16_t *ids, int n)
{
    DetectEngine *de = test_engine(rule, NULL);
    if (de == NULL || de->loaded != 1) {
        detect_engine_free(de);
        return -1;
    }
    Packet p = { 0 };
    test_tcp(&p, "x", 1);
    p.n_vlan = (uint8_t)n;
    for (int i = 0; i < n && i < PACKET_MAX_VLANS; i++) {
        p.vlan_id[i] = ids[i];
    }
    int r = test_run(de, &p);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    return r;
}

static void vlan_id_layers_any_all(void **state)
{
    (void)state;
    static const uint16_t ids[2] = { 200, 300 };
    assert_int_equal(vlan_match(R("vlan.id:300;"), ids, 2), 1);
    assert_int_equal(vlan_match(R("vlan.id:400;"), ids, 2), 0);
    assert_int_equal(vlan_match(R("vlan.id:200,0;"), ids, 2), 1);
    assert_int_equal(vlan_match(R("vlan.id:200,1;"), ids, 2), 0);
    assert_int_equal(vlan_match(R("vlan.id:0x12C,-1;"), ids, 2), 1);
    assert_int_equal(vlan_match(R("vlan.id:>100,all;"), ids, 2), 1);
    assert_int_equal(vlan_match(R("vlan.id:>200,all;"), ids, 2), 0);
    assert_int_equal(vlan_match(R("vlan.id:!500,all;"), ids, 2), 1);
    assert_int_equal(vlan_match(R("vlan.id:200,2;"), ids, 2), 0);
    assert_int_equal(vlan_match(R("vlan.id:200;"), ids, 0), 0);
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(test_parse(R("vlan.id:5000;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("vlan.id:200,3;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(R("vlan.id:200,some;"), err, sizeof(err)), 0);
}

static void vlan_layers_counts_tags(void **state)
{
    (void)state;
    static const uint16_t ids[2] = { 200, 300 };
    assert_int_equal(vlan_match(R("vlan.layers:2;"), ids, 2), 1);
    assert_int_equal(vlan_match(R("vlan.layers:>2;"), ids, 2), 0);
    assert_int_equal(vlan_match(R("vlan.layers:0;"), ids, 0), 1);
}

static int proto_match(const char *rule, const char *src, uint8_t proto)
{
    DetectEngine *de = test_engine(rule, NULL);
    if (de == NULL || de->loaded != 1) {
        detect_engine_free(de);
        return -1;
    }
    Packet p = { 0 };
    test_packet(&p, PKT_L4_OTHER, src, 0, src, 0, NULL, 0);
    p.proto = proto;
    int n = test_run(de, &p);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    return n;
}

static void header_protocols_ipv4_ipv6_sctp(void **state)
{
    (void)state;
    assert_int_equal(proto_match("alert ipv4 any any -> any any (sid:1;)", "10.0.0.1", 253), 1);
    assert_int_equal(proto_match("alert ipv4 any any -> any any (sid:1;)", "2001:db8::1", 253),
                     0);
    assert_int_equal(proto_match("alert ip6 any any -> any any (sid:1;)", "2001:db8::1", 17), 1);
    assert_int_equal(proto_match("alert ipv6 any any -> any any (sid:1;)", "10.0.0.1", 17), 0);
    assert_int_equal(proto_match("alert sctp any any -> any any (sid:1;)", "10.0.0.1", 132), 1);
    assert_int_equal(proto_match("alert sctp any any -> any any (sid:1;)", "10.0.0.1", 6), 0);
}

/* v4_tcp with correct (or, when corrupt, wrong) IPv4 and TCP checksums. */
static int csum_match(const char *rule, bool corrupt)
{
    uint8_t pkt[sizeof(v4_tcp)];
    memcpy(pkt, v4_tcp, sizeof(pkt));
    uint16_t ip = decode_csum_ipv4_hdr(pkt, 20);
    pkt[10] = (uint8_t)(ip >> 8);
    pkt[11] = (uint8_t)ip;
    uint16_t tcp = decode_csum_l4_ipv4(pkt + 12, pkt + 16, 6, pkt + 20, sizeof(pkt) - 20);
    pkt[36] = (uint8_t)(tcp >> 8);
    pkt[37] = (uint8_t)(tcp ^ (corrupt ? 1 : 0));
    DetectEngine *de = test_engine(rule, NULL);
    if (de == NULL || de->loaded != 1) {
        detect_engine_free(de);
        return -1;
    }
    Packet p = { 0 };
    test_tcp(&p, pkt + 44, 2);
    p.l3_hdr = pkt;
    p.l3_len = sizeof(pkt);
    p.ip4.hdr = pkt;
    p.ip4.hlen = 20;
    p.ip4.total_len = sizeof(pkt);
    p.tcp.hdr = pkt + 20;
    p.tcp.hlen = 24;
    int n = test_run(de, &p);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    return n;
}

static void checksum_keywords_compute_the_sum(void **state)
{
    (void)state;
    assert_int_equal(csum_match(R("ipv4-csum:valid;"), false), 1);
    assert_int_equal(csum_match(R("ipv4-csum:invalid;"), false), 0);
    assert_int_equal(csum_match(R("tcpv4-csum:valid;"), false), 1);
    assert_int_equal(csum_match(R("tcpv4-csum:invalid;"), false), 0);
    assert_int_equal(csum_match(R("tcpv4-csum:invalid;"), true), 1);
    assert_int_equal(csum_match(R("ipv4-csum:valid;"), true), 1);
    /* the packet has no UDP or IPv6 header: never matches */
    assert_int_equal(csum_match(R("udpv4-csum:valid;"), false), 0);
    assert_int_equal(csum_match(R("tcpv6-csum:invalid;"), true), 0);
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(test_parse(R("tcpv4-csum:maybe;"), err, sizeof(err)), 0);
}

static void undecoded_udp_header_still_sees_portless_rules(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert udp any any -> any any (ttl:64; sid:1;)\n"
                                   "alert udp any any -> any 80 (ttl:64; sid:2;)\n"
                                   "alert pkthdr any any -> any any (ttl:64; sid:3;)\n", NULL);
    assert_non_null(de);
    Packet p = { 0 };
    test_packet(&p, PKT_L4_NONE, "10.0.0.1", 0, "10.0.0.2", 0, NULL, 0);
    p.proto = 17;
    assert_int_equal(test_run(de, &p), 2);
    const PacketAlerts *pa = detect_packet_alerts(&p);
    assert_true(pa->alerts[0].sid != 2 && pa->alerts[1].sid != 2);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

/* SCTP rules match the common header's ports, as TCP and UDP rules do. */
static void sctp_rules_match_ports(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert sctp any any -> any 2906 (sid:1;)\n"
                                   "alert sctp any 2905 -> any any (sid:2;)\n"
                                   "alert sctp any any -> any 80 (sid:3;)\n"
                                   "alert sctp any any -> any any (sid:4;)\n", NULL);
    assert_non_null(de);
    Packet p = { 0 };
    test_packet(&p, PKT_L4_OTHER, "10.0.0.1", 2905, "10.0.0.2", 2906, NULL, 0);
    p.proto = 132;
    assert_int_equal(test_run(de, &p), 3);
    const PacketAlerts *pa = detect_packet_alerts(&p);
    for (int i = 0; i < 3; i++) {
        assert_int_not_equal(pa->alerts[i].sid, 3);
    }
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void arp_protocol_matches_arp_packets_only(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert arp any any -> any any (sid:1;)\n", NULL);
    assert_non_null(de);
    assert_false(de->sigs[0]->flags & SIG_F_IPONLY);
    Packet p = { 0 };
    test_packet(&p, PKT_L4_NONE, "10.0.0.1", 0, "10.0.0.2", 0, NULL, 0);
    p.l3 = PKT_L3_ARP;
    assert_int_equal(test_run(de, &p), 1);
    test_tcp(&p, "x", 1);
    assert_int_equal(test_run(de, &p), 0);
    test_packet(&p, PKT_L4_NONE, "10.0.0.1", 0, "10.0.0.2", 0, NULL, 0);
    p.l3 = PKT_L3_NONE;
    assert_int_equal(test_run(de, &p), 0);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static int tcp_opt_match(const char *rule, bool has_mss, uint16_t mss)
{
    DetectEngine *de = test_engine(rule, NULL);
    if (de == NULL || de->loaded != 1) {
        detect_engine_free(de);
        return -1;
    }
    Packet p = { 0 };
    test_tcp(&p, "x", 1);
    p.tcp.flags = TH_ACK;
    p.tcp.ack = 77;
    p.tcp.has_mss = has_mss;
    p.tcp.mss = mss;
    int n = test_run(de, &p);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    return n;
}

static void tcp_dotted_keywords(void **state)
{
    (void)state;
    const char *r = "alert tcp any any -> any any (tcp.mss:<536; sid:1;)";
    assert_int_equal(tcp_opt_match(r, true, 500), 1);
    assert_int_equal(tcp_opt_match(r, true, 1460), 0);
    assert_int_equal(tcp_opt_match(r, false, 0), 0);
    r = "alert tcp any any -> any any (tcp.flags:A; tcp.ack:77; sid:1;)";
    assert_int_equal(tcp_opt_match(r, false, 0), 1);
    r = "alert tcp any any -> any any (tcp.flags:S; tcp.ack:77; sid:1;)";
    assert_int_equal(tcp_opt_match(r, false, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uint_not_equal_forms),
        cmocka_unit_test(uint_ranges_are_exclusive),
        cmocka_unit_test(uint_bitmask),
        cmocka_unit_test(uint_garbage_refused),
        cmocka_unit_test(prefilter_is_accepted_after_a_keyword),
        cmocka_unit_test(sticky_header_buffers),
        cmocka_unit_test(sticky_header_rule_is_not_ip_only),
        cmocka_unit_test(flow_pkts_and_bytes_by_direction),
        cmocka_unit_test(flow_age_in_seconds),
        cmocka_unit_test(stream_size_counts_sequence_space_per_side),
        cmocka_unit_test(stream_size_needs_a_session),
        cmocka_unit_test(vlan_id_layers_any_all),
        cmocka_unit_test(vlan_layers_counts_tags),
        cmocka_unit_test(header_protocols_ipv4_ipv6_sctp),
        cmocka_unit_test(checksum_keywords_compute_the_sum),
        cmocka_unit_test(undecoded_udp_header_still_sees_portless_rules),
        cmocka_unit_test(sctp_rules_match_ports),
        cmocka_unit_test(arp_protocol_matches_arp_packets_only),
        cmocka_unit_test(tcp_dotted_keywords),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
