#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "flow/flow-test-util.h"

typedef struct Fixture {
    FlowTable *ft;
    CounterSet *cs;
} Fixture;

static int setup(void **state)
{
    Fixture *fx = calloc(1, sizeof(*fx));
    FlowConfig cfg;
    test_config(&cfg);
    fx->ft = flow_table_new(&cfg);
    fx->cs = counters_set_new();
    *state = fx;
    return fx->ft != NULL && fx->cs != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    Fixture *fx = *state;
    flow_table_free(fx->ft);
    counters_set_free(fx->cs);
    free(fx);
    counters_reset();
    return 0;
}

static uint64_t counter(const Fixture *fx, const char *name)
{
    CounterId id;
    assert_true(counters_find(name, &id));
    return counters_get(fx->cs, id);
}

static void both_directions_share_one_flow(void **state)
{
    Fixture *fx = *state;
    Packet a, b;
    test_tcp(&a, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1);
    test_tcp(&b, "10.0.0.2", 80, "10.0.0.1", 40000, TH_SYN | TH_ACK, 1);
    Flow *f1 = test_feed(fx->ft, fx->cs, &a);
    Flow *f2 = test_feed(fx->ft, fx->cs, &b);
    assert_non_null(f1);
    assert_ptr_equal(f1, f2);
    assert_ptr_equal(a.flow, f1);
    assert_true(a.flags & PKT_F_TOSERVER);
    assert_true(b.flags & PKT_F_TOCLIENT);
    assert_int_equal(a.flow_hash, b.flow_hash);
    assert_int_equal(f1->pkts_toserver, 1);
    assert_int_equal(f1->pkts_toclient, 1);
    assert_int_equal(f1->bytes_toclient, 100);
    assert_int_equal(counter(fx, "flow.total"), 1);
    assert_int_equal(counter(fx, "flow.tcp"), 1);
}

static void syn_sender_is_client(void **state)
{
    Fixture *fx = *state;
    Packet a;
    test_tcp(&a, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1);
    Flow *f = test_feed(fx->ft, fx->cs, &a);
    VgAddr client;
    test_addr(&client, "10.0.0.1");
    assert_memory_equal(f->key.src.a.u8, client.a.u8, 4);
    assert_int_equal(f->key.sp, 40000);
    assert_int_equal(f->key.dp, 80);
}

static void synack_first_makes_its_destination_the_client(void **state)
{
    Fixture *fx = *state;
    Packet b, c;
    test_tcp(&b, "10.0.0.2", 80, "10.0.0.1", 40000, TH_SYN | TH_ACK, 1);
    Flow *f = test_feed(fx->ft, fx->cs, &b);
    VgAddr client;
    test_addr(&client, "10.0.0.1");
    assert_memory_equal(f->key.src.a.u8, client.a.u8, 4);
    assert_int_equal(f->key.sp, 40000);
    assert_true(b.flags & PKT_F_TOCLIENT);
    test_tcp(&c, "10.0.0.1", 40000, "10.0.0.2", 80, TH_ACK, 1);
    test_feed(fx->ft, fx->cs, &c);
    assert_true(c.flags & PKT_F_TOSERVER);
}

static void first_packet_source_is_client_for_udp(void **state)
{
    Fixture *fx = *state;
    Packet a;
    test_pkt(&a, "10.0.0.9", 53, "10.0.0.1", 5353, 17, 1);
    Flow *f = test_feed(fx->ft, fx->cs, &a);
    VgAddr client;
    test_addr(&client, "10.0.0.9");
    assert_memory_equal(f->key.src.a.u8, client.a.u8, 4);
    assert_int_equal(f->key.sp, 53);
    assert_int_equal(counter(fx, "flow.udp"), 1);
}

static void vlan_separates_flows(void **state)
{
    Fixture *fx = *state;
    Packet a, b;
    test_pkt(&a, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 1);
    b = a;
    b.n_vlan = 1;
    b.vlan_id[0] = 100;
    Flow *f1 = test_feed(fx->ft, fx->cs, &a);
    Flow *f2 = test_feed(fx->ft, fx->cs, &b);
    assert_ptr_not_equal(f1, f2);
    assert_int_equal(counter(fx, "flow.total"), 2);
}

static void icmp_echo_request_and_reply_share_flow(void **state)
{
    Fixture *fx = *state;
    Packet req, rep, other;
    test_icmp_echo(&req, "10.0.0.1", "10.0.0.2", 8, 7, 1);
    test_icmp_echo(&rep, "10.0.0.2", "10.0.0.1", 0, 7, 1);
    test_icmp_echo(&other, "10.0.0.1", "10.0.0.2", 8, 8, 1);
    Flow *f1 = test_feed(fx->ft, fx->cs, &req);
    Flow *f2 = test_feed(fx->ft, fx->cs, &rep);
    Flow *f3 = test_feed(fx->ft, fx->cs, &other);
    assert_ptr_equal(f1, f2);
    assert_ptr_equal(f1, f3);
    assert_true(rep.flags & PKT_F_TOCLIENT);
    assert_true(other.flags & PKT_F_TOSERVER);
    assert_int_equal(f1->state, FLOW_STATE_ESTABLISHED);
    assert_int_equal(counter(fx, "flow.icmpv4"), 1);
}

/* The tunnel case of suricata-verify flow-pkt-recursion: a request and a
 * reply each way between the same hosts make two flows, not one. */
static void icmp_reply_in_request_direction_is_another_flow(void **state)
{
    Fixture *fx = *state;
    Packet req1, rep1, req2, rep2;
    test_icmp_echo(&req1, "1.1.1.1", "2.2.2.2", 8, 0, 1);
    test_icmp_echo(&rep1, "2.2.2.2", "1.1.1.1", 0, 0, 1);
    test_icmp_echo(&req2, "2.2.2.2", "1.1.1.1", 8, 0, 1);
    test_icmp_echo(&rep2, "1.1.1.1", "2.2.2.2", 0, 0, 1);
    Flow *f1 = test_feed(fx->ft, fx->cs, &req1);
    Flow *f2 = test_feed(fx->ft, fx->cs, &rep1);
    Flow *f3 = test_feed(fx->ft, fx->cs, &req2);
    Flow *f4 = test_feed(fx->ft, fx->cs, &rep2);
    assert_ptr_equal(f1, f2);
    assert_ptr_not_equal(f1, f3);
    assert_ptr_equal(f3, f4);
    assert_int_equal(f1->pkts_toserver, 1);
    assert_int_equal(f1->pkts_toclient, 1);
    assert_int_equal(f3->pkts_toserver, 1);
    assert_int_equal(f3->pkts_toclient, 1);
    assert_int_equal(counter(fx, "flow.icmpv4"), 2);
}

static void icmp_reply_first_is_to_server(void **state)
{
    Fixture *fx = *state;
    Packet rep;
    test_icmp_echo(&rep, "10.0.0.2", "10.0.0.1", 0, 7, 1);
    Flow *f = test_feed(fx->ft, fx->cs, &rep);
    VgAddr client;
    test_addr(&client, "10.0.0.2");
    assert_memory_equal(f->key.src.a.u8, client.a.u8, 4);
    assert_true(rep.flags & PKT_F_TOSERVER);
}

/* A router answers the client's SYN with "port unreachable" quoting it. */
static void make_icmp_error(Packet *p, const char *router, const char *client, int64_t ts)
{
    test_pkt(p, router, 0, client, 0, 1, ts);
    p->icmp.type = 3;
    p->icmp.code = 3;
    p->icmp.has_emb = true;
    p->icmp.emb_proto = 6;
    test_addr(&p->icmp.emb_src, "10.0.0.1");
    test_addr(&p->icmp.emb_dst, "10.0.0.2");
    p->icmp.emb_sp = 40000;
    p->icmp.emb_dp = 80;
}

static void icmp_error_attaches_to_tcp_flow(void **state)
{
    Fixture *fx = *state;
    Packet syn, err;
    test_tcp(&syn, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1);
    Flow *f = test_feed(fx->ft, fx->cs, &syn);
    make_icmp_error(&err, "192.0.2.1", "10.0.0.1", 2);
    Flow *fe = test_feed(fx->ft, fx->cs, &err);
    assert_ptr_equal(f, fe);
    assert_true(err.flags & PKT_F_TOCLIENT);
    assert_int_equal(err.flow_hash, syn.flow_hash);
    assert_int_equal(f->pkts_toclient, 1);
    assert_int_equal(f->state, FLOW_STATE_NEW);
    assert_int_equal(counter(fx, "flow.total"), 1);
}

static void icmp_error_without_flow_gets_own_flow(void **state)
{
    Fixture *fx = *state;
    Packet err;
    make_icmp_error(&err, "192.0.2.1", "10.0.0.1", 2);
    Flow *f = test_feed(fx->ft, fx->cs, &err);
    assert_non_null(f);
    assert_int_equal(f->key.proto, 1);
    assert_int_equal(f->key.sp, 3);
    assert_int_equal(counter(fx, "flow.icmpv4"), 1);
}

static void non_ip_packet_gets_no_flow(void **state)
{
    Fixture *fx = *state;
    Packet p;
    memset(&p, 0, sizeof(p));
    p.l3 = PKT_L3_ARP;
    assert_null(flow_lookup_or_create(fx->ft, fx->cs, &p));
    assert_null(p.flow);
    assert_int_equal(counter(fx, "flow.total"), 0);
}

static void fragment_gets_no_flow(void **state)
{
    /* As Suricata: the datagram defrag rebuilds gets the flow. */
    Fixture *fx = *state;
    Packet p;
    test_pkt(&p, "10.0.0.1", 0, "10.0.0.2", 0, 17, 1);
    p.l4 = PKT_L4_NONE;
    p.flags |= PKT_F_IS_FRAGMENT;
    assert_null(flow_lookup_or_create(fx->ft, fx->cs, &p));
    assert_null(p.flow);
    assert_int_equal(counter(fx, "flow.total"), 0);
}

static void udp_established_once_both_directions_seen(void **state)
{
    Fixture *fx = *state;
    Packet a, b;
    test_pkt(&a, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 1);
    test_pkt(&b, "10.0.0.2", 53, "10.0.0.1", 1000, 17, 1);
    Flow *f = test_feed(fx->ft, fx->cs, &a);
    assert_int_equal(f->state, FLOW_STATE_NEW);
    test_feed(fx->ft, fx->cs, &a);
    assert_int_equal(f->state, FLOW_STATE_NEW);
    test_feed(fx->ft, fx->cs, &b);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
}

static void tcp_rst_closes(void **state)
{
    Fixture *fx = *state;
    Packet a, b;
    test_tcp(&a, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1);
    test_tcp(&b, "10.0.0.2", 80, "10.0.0.1", 40000, TH_RST | TH_ACK, 1);
    Flow *f = test_feed(fx->ft, fx->cs, &a);
    test_feed(fx->ft, fx->cs, &b);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);
}

static void tcp_fin_both_ways_closes(void **state)
{
    Fixture *fx = *state;
    Packet a, b;
    test_tcp(&a, "10.0.0.1", 40000, "10.0.0.2", 80, TH_FIN | TH_ACK, 1);
    test_tcp(&b, "10.0.0.2", 80, "10.0.0.1", 40000, TH_ACK, 1);
    Flow *f = test_feed(fx->ft, fx->cs, &a);
    test_feed(fx->ft, fx->cs, &b);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
    b.tcp.flags = TH_FIN | TH_ACK;
    test_feed(fx->ft, fx->cs, &b);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);
}

static void set_state_stops_automatic_updates(void **state)
{
    Fixture *fx = *state;
    Packet a, b;
    test_tcp(&a, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1);
    test_tcp(&b, "10.0.0.2", 80, "10.0.0.1", 40000, TH_RST, 1);
    Flow *f = flow_lookup_or_create(fx->ft, fx->cs, &a);
    flow_set_state(f, FLOW_STATE_ESTABLISHED);
    flow_release(f);
    test_feed(fx->ft, fx->cs, &b);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
}

static void lookup_returns_flow_locked_with_reference(void **state)
{
    Fixture *fx = *state;
    Packet a;
    test_pkt(&a, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 1);
    Flow *f = flow_lookup_or_create(fx->ft, fx->cs, &a);
    assert_int_equal(atomic_load(&f->use_cnt), 1);
    assert_int_not_equal(pthread_mutex_trylock(&f->lock), 0);
    flow_release(f);
    assert_int_equal(atomic_load(&f->use_cnt), 0);
    assert_int_equal(pthread_mutex_trylock(&f->lock), 0);
    pthread_mutex_unlock(&f->lock);
}

/* Ids come from the flow itself: two tables with different hash keys give a
 * flow the same id (runs and runmodes agree), other start times other ids. */
static void flow_ids_depend_on_key_and_start_not_on_hash_key(void **state)
{
    (void)state;
    FlowConfig c1, c2;
    test_config(&c1);
    test_config(&c2);
    c2.hash_key[0] ^= 0xff;
    FlowTable *t1 = flow_table_new(&c1);
    FlowTable *t2 = flow_table_new(&c2);
    Packet p, q;
    test_tcp(&p, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1000);
    test_tcp(&q, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1000);
    q.ts_usec = 1;
    Flow *f1 = flow_lookup_or_create(t1, NULL, &p);
    uint64_t id1 = f1->flow_id;
    flow_release(f1);
    Flow *f2 = flow_lookup_or_create(t2, NULL, &p);
    assert_int_equal(f2->flow_id, id1);
    flow_release(f2);
    flow_table_end_all(t2, FLOW_END_SHUTDOWN, NULL, NULL);
    Flow *f3 = flow_lookup_or_create(t2, NULL, &q);
    assert_int_not_equal(f3->flow_id, id1);
    flow_release(f3);
    flow_table_end_all(t1, FLOW_END_SHUTDOWN, NULL, NULL);
    flow_table_end_all(t2, FLOW_END_SHUTDOWN, NULL, NULL);
    flow_table_free(t1);
    flow_table_free(t2);
}

static void flow_ids_are_nonzero_unique_and_json_safe(void **state)
{
    Fixture *fx = *state;
    uint64_t prev = 0;
    for (uint16_t port = 1; port <= 500; port++) {
        Packet a;
        test_pkt(&a, "10.0.0.1", port, "10.0.0.2", 53, 17, 1);
        Flow *f = test_feed(fx->ft, fx->cs, &a);
        assert_int_not_equal(f->flow_id, 0);
        assert_true(f->flow_id < (1ull << 51));
        assert_int_not_equal(f->flow_id, prev);
        assert_true(f->flow_id != prev + 1);
        prev = f->flow_id;
    }
    assert_int_equal(counter(fx, "flow.total"), 500);
}

static void last_seen_follows_packet_time(void **state)
{
    Fixture *fx = *state;
    Packet a;
    test_pkt(&a, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 100);
    Flow *f = test_feed(fx->ft, fx->cs, &a);
    a.ts_sec = 107;
    test_feed(fx->ft, fx->cs, &a);
    assert_int_equal(f->start_sec, 100);
    assert_int_equal(f->last_sec, 107);
    assert_int_equal(flow_age_sec(f), 7);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(both_directions_share_one_flow),
        T(syn_sender_is_client),
        T(synack_first_makes_its_destination_the_client),
        T(first_packet_source_is_client_for_udp),
        T(vlan_separates_flows),
        T(icmp_echo_request_and_reply_share_flow),
        T(icmp_reply_in_request_direction_is_another_flow),
        T(icmp_reply_first_is_to_server),
        T(icmp_error_attaches_to_tcp_flow),
        T(icmp_error_without_flow_gets_own_flow),
        T(non_ip_packet_gets_no_flow),
        T(fragment_gets_no_flow),
        T(udp_established_once_both_directions_seen),
        T(tcp_rst_closes),
        T(tcp_fin_both_ways_closes),
        T(set_state_stops_automatic_updates),
        T(lookup_returns_flow_locked_with_reference),
        T(flow_ids_are_nonzero_unique_and_json_safe),
        T(flow_ids_depend_on_key_and_start_not_on_hash_key),
        T(last_seen_follows_packet_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
