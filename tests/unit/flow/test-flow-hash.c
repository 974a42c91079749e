#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flow/flow-internal.h"
#include "flow/flow-test-util.h"

static FlowTable *table_with_key_byte(uint8_t b)
{
    FlowConfig cfg;
    test_config(&cfg);
    memset(cfg.hash_key, b, sizeof(cfg.hash_key));
    return flow_table_new(&cfg);
}

/* Reference values from the SipHash paper (key 00..0f). */
static void siphash_matches_reference_vectors(void **state)
{
    (void)state;
    uint8_t key[16];
    uint8_t msg[15];
    for (int i = 0; i < 16; i++) {
        key[i] = (uint8_t)i;
    }
    for (int i = 0; i < 15; i++) {
        msg[i] = (uint8_t)i;
    }
    assert_int_equal(flow_siphash24(key, msg, 0), 0x726fdb47dd0e0e31ULL);
    assert_int_equal(flow_siphash24(key, msg, 15), 0xa129ca6149be45e5ULL);
}

static void hash_is_direction_independent(void **state)
{
    (void)state;
    FlowTable *ft = table_with_key_byte(1);
    Packet a, b;
    test_pkt(&a, "10.0.0.1", 1234, "10.0.0.2", 80, 6, 0);
    test_pkt(&b, "10.0.0.2", 80, "10.0.0.1", 1234, 6, 0);
    assert_int_equal(flow_hash_packet(ft, &a), flow_hash_packet(ft, &b));
    test_pkt(&a, "2001:db8::1", 53, "2001:db8::2", 5353, 17, 0);
    test_pkt(&b, "2001:db8::2", 5353, "2001:db8::1", 53, 17, 0);
    assert_int_equal(flow_hash_packet(ft, &a), flow_hash_packet(ft, &b));
    flow_table_free(ft);
}

static void hash_differs_between_seeds(void **state)
{
    (void)state;
    FlowTable *t1 = table_with_key_byte(1);
    FlowTable *t2 = table_with_key_byte(2);
    Packet p;
    int n_same = 0;
    for (uint16_t port = 1; port <= 64; port++) {
        test_pkt(&p, "10.0.0.1", port, "10.0.0.2", 80, 6, 0);
        n_same += flow_hash_packet(t1, &p) == flow_hash_packet(t2, &p);
    }
    assert_int_equal(n_same, 0);
    flow_table_free(t1);
    flow_table_free(t2);
}

static void random_seeds_differ_between_tables(void **state)
{
    (void)state;
    FlowConfig cfg;
    test_config(&cfg);
    cfg.use_fixed_hash_key = false;
    FlowTable *t1 = flow_table_new(&cfg);
    FlowTable *t2 = flow_table_new(&cfg);
    Packet p;
    test_pkt(&p, "10.0.0.1", 1, "10.0.0.2", 80, 6, 0);
    assert_int_not_equal(flow_hash_packet(t1, &p), flow_hash_packet(t2, &p));
    flow_table_free(t1);
    flow_table_free(t2);
}

static void hash_includes_vlan(void **state)
{
    (void)state;
    FlowTable *ft = table_with_key_byte(1);
    Packet a, b;
    test_pkt(&a, "10.0.0.1", 1234, "10.0.0.2", 80, 6, 0);
    b = a;
    b.n_vlan = 1;
    b.vlan_id[0] = 10;
    assert_int_not_equal(flow_hash_packet(ft, &a), flow_hash_packet(ft, &b));
    flow_table_free(ft);
}

static void non_ip_packet_hashes_to_zero(void **state)
{
    (void)state;
    FlowTable *ft = table_with_key_byte(1);
    Packet p;
    memset(&p, 0, sizeof(p));
    p.l3 = PKT_L3_ARP;
    assert_int_equal(flow_hash_packet(ft, &p), 0);
    flow_table_free(ft);
}

static void key_match_reports_direction(void **state)
{
    (void)state;
    Packet a, b, c;
    FlowTuple ta, tb, tc;
    test_pkt(&a, "10.0.0.1", 1234, "10.0.0.2", 80, 17, 0);
    test_pkt(&b, "10.0.0.2", 80, "10.0.0.1", 1234, 17, 0);
    test_pkt(&c, "10.0.0.2", 1234, "10.0.0.1", 80, 17, 0);
    assert_true(flow_tuple_from_packet(&a, &ta, NULL, NULL));
    assert_true(flow_tuple_from_packet(&b, &tb, NULL, NULL));
    assert_true(flow_tuple_from_packet(&c, &tc, NULL, NULL));
    assert_int_equal(flow_key_match(&ta.k, &ta), 1);
    assert_int_equal(flow_key_match(&ta.k, &tb), -1);
    assert_int_equal(flow_key_match(&ta.k, &tc), 0);
}

static void icmp_reply_matches_request_reversed(void **state)
{
    (void)state;
    Packet req, rep;
    FlowTuple tq, tr;
    test_icmp_echo(&req, "10.0.0.1", "10.0.0.2", 8, 77, 0);
    test_icmp_echo(&rep, "10.0.0.2", "10.0.0.1", 0, 77, 0);
    assert_true(flow_tuple_from_packet(&req, &tq, NULL, NULL));
    assert_true(flow_tuple_from_packet(&rep, &tr, NULL, NULL));
    assert_false(tr.src_is_server);
    assert_int_equal(flow_key_match(&tq.k, &tr), -1);
    static const uint8_t key[16] = {1, 2, 3};
    assert_int_equal(flow_tuple_hash(key, &tq), flow_tuple_hash(key, &tr));
}

static void icmp_reply_same_direction_as_request_does_not_match(void **state)
{
    (void)state;
    Packet req, rep;
    FlowTuple tq, tr;
    test_icmp_echo(&req, "10.0.0.1", "10.0.0.2", 8, 0, 0);
    test_icmp_echo(&rep, "10.0.0.1", "10.0.0.2", 0, 0, 0);
    assert_true(flow_tuple_from_packet(&req, &tq, NULL, NULL));
    assert_true(flow_tuple_from_packet(&rep, &tr, NULL, NULL));
    assert_int_equal(flow_key_match(&tq.k, &tr), 0);
}

static void icmp_request_reversed_does_not_match_request(void **state)
{
    (void)state;
    Packet a, b;
    FlowTuple ta, tb;
    test_icmp_echo(&a, "10.0.0.1", "10.0.0.2", 8, 0, 0);
    test_icmp_echo(&b, "10.0.0.2", "10.0.0.1", 8, 0, 0);
    assert_true(flow_tuple_from_packet(&a, &ta, NULL, NULL));
    assert_true(flow_tuple_from_packet(&b, &tb, NULL, NULL));
    assert_int_equal(flow_key_match(&ta.k, &tb), 0);
}

static void icmp_id_is_not_part_of_the_key(void **state)
{
    (void)state;
    Packet a, b;
    FlowTuple ta, tb;
    test_icmp_echo(&a, "10.0.0.1", "10.0.0.2", 8, 1, 0);
    test_icmp_echo(&b, "10.0.0.1", "10.0.0.2", 8, 2, 0);
    assert_true(flow_tuple_from_packet(&a, &ta, NULL, NULL));
    assert_true(flow_tuple_from_packet(&b, &tb, NULL, NULL));
    assert_int_equal(flow_key_match(&ta.k, &tb), 1);
}

static void icmpv4_code_is_not_part_of_the_key(void **state)
{
    (void)state;
    Packet a, b;
    FlowTuple ta, tb;
    test_icmp_echo(&a, "10.0.0.1", "10.0.0.2", 9, 0, 0);
    test_icmp_echo(&b, "10.0.0.1", "10.0.0.2", 9, 0, 0);
    b.icmp.code = 16;
    assert_true(flow_tuple_from_packet(&a, &ta, NULL, NULL));
    assert_true(flow_tuple_from_packet(&b, &tb, NULL, NULL));
    assert_int_equal(flow_key_match(&ta.k, &tb), 1);
}

static void icmpv6_echo_pairs_and_code_separates(void **state)
{
    (void)state;
    Packet req, rep, other;
    FlowTuple tq, tr, to;
    test_pkt(&req, "2001:db8::1", 0, "2001:db8::2", 0, 58, 0);
    req.icmp.type = 128;
    test_pkt(&rep, "2001:db8::2", 0, "2001:db8::1", 0, 58, 0);
    rep.icmp.type = 129;
    other = req;
    other.icmp.code = 1;
    assert_true(flow_tuple_from_packet(&req, &tq, NULL, NULL));
    assert_true(flow_tuple_from_packet(&rep, &tr, NULL, NULL));
    assert_true(flow_tuple_from_packet(&other, &to, NULL, NULL));
    assert_int_equal(flow_key_match(&tq.k, &tr), -1);
    assert_int_equal(flow_key_match(&tq.k, &to), 0);
}

static void icmpv6_neighbour_solicit_and_advert_pair(void **state)
{
    (void)state;
    Packet ns, na;
    FlowTuple tn, ta;
    test_pkt(&ns, "2001:db8::1", 0, "2001:db8::2", 0, 58, 0);
    ns.icmp.type = 135;
    test_pkt(&na, "2001:db8::2", 0, "2001:db8::1", 0, 58, 0);
    na.icmp.type = 136;
    assert_true(flow_tuple_from_packet(&ns, &tn, NULL, NULL));
    assert_true(flow_tuple_from_packet(&na, &ta, NULL, NULL));
    assert_int_equal(flow_key_match(&tn.k, &ta), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(siphash_matches_reference_vectors),
        cmocka_unit_test(hash_is_direction_independent),
        cmocka_unit_test(hash_differs_between_seeds),
        cmocka_unit_test(random_seeds_differ_between_tables),
        cmocka_unit_test(hash_includes_vlan),
        cmocka_unit_test(non_ip_packet_hashes_to_zero),
        cmocka_unit_test(key_match_reports_direction),
        cmocka_unit_test(icmp_reply_matches_request_reversed),
        cmocka_unit_test(icmp_reply_same_direction_as_request_does_not_match),
        cmocka_unit_test(icmp_request_reversed_does_not_match_request),
        cmocka_unit_test(icmp_id_is_not_part_of_the_key),
        cmocka_unit_test(icmpv4_code_is_not_part_of_the_key),
        cmocka_unit_test(icmpv6_echo_pairs_and_code_separates),
        cmocka_unit_test(icmpv6_neighbour_solicit_and_advert_pair),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    counters_reset();
    return rc;
}
