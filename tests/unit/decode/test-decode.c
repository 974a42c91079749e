/* decode.c: counters, packet accounting, reset, events, linktype dispatch,
 * checksum auto mode. Sample bytes from gen-decode-samples.py. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "decode/decode-test-util.h"
#include "util/util-error.h"

/* Ether type 0x0806 / ARP request who-has 10.0.0.2 tell 10.0.0.1 (42 bytes) */
static const uint8_t eth_arp[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x66, 0x77,
    0x88, 0x99, 0xaa, 0xbb, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x0a, 0x00, 0x00, 0x02,
};

static DecodeTestCtx t;

static int setup(void **state)
{
    (void)state;
    dtu_setup(&t, CHECKSUM_NONE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dtu_teardown(&t);
    return 0;
}

static void register_uses_suricata_counter_names(void **state)
{
    (void)state;
    static const char *const names[] = {
        "decoder.pkts", "decoder.bytes", "decoder.invalid", "decoder.ipv4", "decoder.ipv6",
        "decoder.ethernet", "decoder.vlan", "decoder.vlan_qinq", "decoder.ipv4_in_ipv6",
        "decoder.too_many_layers", "decoder.gre", "decoder.vxlan", "decoder.teredo",
        "decoder.mpls", "decoder.avg_pkt_size", "decoder.max_pkt_size",
        "decoder.event.ipv4.trunc_pkt", "decoder.event.vlan.too_many_layers",
        "decoder.event.too_many_layers",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        CounterId id;
        assert_true(counters_find(names[i], &id));
    }
}

static void register_gives_avg_and_max_kinds(void **state)
{
    (void)state;
    assert_int_equal(counters_kind(t.dtv.cid[DC_AVG_PKT_SIZE]), COUNTER_AVG);
    assert_int_equal(counters_kind(t.dtv.cid[DC_MAX_PKT_SIZE]), COUNTER_MAX);
    assert_int_equal(counters_kind(t.dtv.cid[DC_PKTS]), COUNTER_SUM);
}

static void register_twice_keeps_ids(void **state)
{
    (void)state;
    CounterId before = counters_count();
    decode_register_counters();
    assert_int_equal(counters_count(), before);
}

static void thread_init_sets_tunnel_defaults(void **state)
{
    (void)state;
    assert_true(t.dtv.vxlan_enabled);
    assert_int_equal(t.dtv.vxlan_port, 4789);
    assert_true(t.dtv.teredo_enabled);
    assert_int_equal(t.dtv.n_teredo_ports, 1);
    assert_int_equal(t.dtv.teredo_ports[0], 3544);
    assert_false(t.dtv.validate_checksums);
}

static void thread_init_auto_mode_validates(void **state)
{
    (void)state;
    DecodeThreadCtx dtv;
    decode_thread_init(&dtv, t.cs, CHECKSUM_AUTO);
    assert_true(dtv.validate_checksums);
}

static void packet_counts_pkts_bytes_max_avg(void **state)
{
    (void)state;
    uint8_t padded[60] = { 0 };
    memcpy(padded, eth_arp, sizeof(eth_arp));
    assert_int_equal(dtu_decode(&t, eth_arp, sizeof(eth_arp), LINKTYPE_ETHERNET, NULL), 0);
    assert_int_equal(dtu_decode(&t, padded, sizeof(padded), LINKTYPE_ETHERNET, NULL), 0);
    assert_int_equal(dtu_counter(&t, "decoder.pkts"), 2);
    assert_int_equal(dtu_counter(&t, "decoder.bytes"), 42 + 60);
    assert_int_equal(dtu_counter(&t, "decoder.max_pkt_size"), 60);
    assert_int_equal(dtu_counter(&t, "decoder.invalid"), 0);
    /* The average is derived from the merged sums, and stays once the
     * thread's set is gone (the final stats record is written after the
     * packet threads have ended). */
    uint64_t merged[COUNTERS_MAX] = {0};
    CounterId avg = t.dtv.cid[DC_AVG_PKT_SIZE];
    counters_merge(merged);
    assert_int_equal(merged[avg], 51);
    counters_set_free(t.cs);
    t.cs = counters_set_new();
    memset(merged, 0, sizeof(merged));
    counters_merge(merged);
    assert_int_equal(merged[avg], 51);
}

static void packet_sets_l2_to_start_of_data(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, eth_arp, sizeof(eth_arp), LINKTYPE_ETHERNET, &p), 0);
    assert_ptr_equal(p->l2, p->data);
    assert_int_equal(p->l3, PKT_L3_ARP);
    dtu_packet_free(p);
}

static void unknown_linktype_is_invalid(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_true(dtu_decode(&t, eth_arp, sizeof(eth_arp), 9999, &p) < 0);
    assert_true(p->flags & PKT_F_INVALID);
    assert_int_equal(dtu_counter(&t, "decoder.invalid"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.pkts"), 1);
    dtu_packet_free(p);
}

static void empty_packet_is_counted_and_invalid(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_true(dtu_decode(&t, eth_arp, 0, LINKTYPE_ETHERNET, &p) < 0);
    assert_true(p->flags & PKT_F_INVALID);
    assert_int_equal(dtu_counter(&t, "decoder.pkts"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.bytes"), 0);
    dtu_packet_free(p);
}

static void reset_clears_results_and_keeps_acquisition(void **state)
{
    (void)state;
    Packet *p = dtu_packet_new(eth_arp, sizeof(eth_arp), LINKTYPE_ETHERNET);
    p->ts_sec = 7;
    p->pcap_cnt = 3;
    p->flags = PKT_F_TUNNEL | PKT_F_INVALID;
    p->l3 = PKT_L3_IPV4;
    p->n_vlan = 2;
    p->tunnel_depth = 3;
    p->n_events = 1;
    p->payload_len = 10;
    p->flow_hash = 99;
    decode_packet_reset(p);
    assert_int_equal(p->flags, 0);
    assert_int_equal(p->l3, PKT_L3_NONE);
    assert_int_equal(p->n_vlan, 0);
    assert_int_equal(p->tunnel_depth, 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->payload_len, 0);
    assert_int_equal(p->ts_sec, 7);
    assert_int_equal(p->pcap_cnt, 3);
    assert_int_equal(p->caplen, sizeof(eth_arp));
    assert_non_null(p->data);
    assert_int_equal(p->flow_hash, 99);
    dtu_packet_free(p);
}

static void reset_keeps_pseudo_flag(void **state)
{
    (void)state;
    Packet *p = dtu_packet_new(eth_arp, sizeof(eth_arp), LINKTYPE_ETHERNET);
    p->flags = PKT_F_PSEUDO | PKT_F_INVALID;
    decode_packet_reset(p);
    assert_int_equal(p->flags, PKT_F_PSEUDO);
    dtu_packet_free(p);
}

/* As Suricata: an event raised twice on a packet is stored twice (two
 * anomaly records), and counted twice. */
static void event_is_stored_and_counted_each_time(void **state)
{
    (void)state;
    Packet *p = dtu_packet_new(NULL, 0, LINKTYPE_ETHERNET);
    decode_event(&t.dtv, p, DECODE_EV_IPV4_TRUNC_PKT);
    decode_event(&t.dtv, p, DECODE_EV_IPV4_TRUNC_PKT);
    assert_int_equal(p->n_events, 2);
    assert_int_equal(p->events[0], DECODE_EV_IPV4_TRUNC_PKT);
    assert_int_equal(p->events[1], DECODE_EV_IPV4_TRUNC_PKT);
    assert_true(packet_has_event(p, DECODE_EV_IPV4_TRUNC_PKT));
    assert_int_equal(dtu_counter(&t, "decoder.event.ipv4.trunc_pkt"), 2);
    dtu_packet_free(p);
}

static void events_beyond_max_are_counted_not_stored(void **state)
{
    (void)state;
    Packet *p = dtu_packet_new(NULL, 0, LINKTYPE_ETHERNET);
    for (int ev = DECODE_EV_NONE + 1; ev <= PACKET_MAX_EVENTS + 2; ev++) {
        decode_event(&t.dtv, p, (DecodeEvent)ev);
    }
    assert_int_equal(p->n_events, PACKET_MAX_EVENTS);
    DecodeEvent last = (DecodeEvent)(PACKET_MAX_EVENTS + 2);
    assert_false(packet_has_event(p, last));
    assert_int_equal(dtu_event_count(&t, last), 1);
    dtu_packet_free(p);
}

static void event_out_of_range_is_ignored(void **state)
{
    (void)state;
    Packet *p = dtu_packet_new(NULL, 0, LINKTYPE_ETHERNET);
    decode_event(&t.dtv, p, DECODE_EV_NONE);
    decode_event(&t.dtv, p, DECODE_EV_MAX);
    decode_event(&t.dtv, p, (DecodeEvent)-1);
    assert_int_equal(p->n_events, 0);
    dtu_packet_free(p);
}

static void too_many_layers_event_bumps_counter(void **state)
{
    (void)state;
    Packet *p = dtu_packet_new(NULL, 0, LINKTYPE_ETHERNET);
    decode_event(&t.dtv, p, DECODE_EV_TOO_MANY_LAYERS);
    assert_int_equal(dtu_counter(&t, "decoder.too_many_layers"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.event.too_many_layers"), 1);
    dtu_packet_free(p);
}

static void note_checksums(DecodeThreadCtx *dtv, unsigned n, unsigned n_bad)
{
    for (unsigned i = 0; i < n; i++) {
        decode_csum_note(dtv, i < n_bad);
    }
}

static void csum_auto_stops_when_over_ten_percent_bad(void **state)
{
    (void)state;
    DecodeThreadCtx dtv;
    decode_thread_init(&dtv, t.cs, CHECKSUM_AUTO);
    note_checksums(&dtv, 999, 101);
    assert_true(dtv.validate_checksums);
    decode_csum_note(&dtv, false);
    assert_false(dtv.validate_checksums);
}

static void csum_auto_keeps_validating_at_ten_percent_bad(void **state)
{
    (void)state;
    DecodeThreadCtx dtv;
    decode_thread_init(&dtv, t.cs, CHECKSUM_AUTO);
    note_checksums(&dtv, 1000, 100);
    assert_true(dtv.validate_checksums);
    note_checksums(&dtv, 5000, 5000); // decided once: later results change nothing
    assert_true(dtv.validate_checksums);
}

static void csum_all_never_stops(void **state)
{
    (void)state;
    DecodeThreadCtx dtv;
    decode_thread_init(&dtv, t.cs, CHECKSUM_ALL);
    note_checksums(&dtv, 2000, 2000);
    assert_true(dtv.validate_checksums);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(register_uses_suricata_counter_names),
        T(register_gives_avg_and_max_kinds),
        T(register_twice_keeps_ids),
        T(thread_init_sets_tunnel_defaults),
        T(thread_init_auto_mode_validates),
        T(packet_counts_pkts_bytes_max_avg),
        T(packet_sets_l2_to_start_of_data),
        T(unknown_linktype_is_invalid),
        T(empty_packet_is_counted_and_invalid),
        T(reset_clears_results_and_keeps_acquisition),
        T(reset_keeps_pseudo_flag),
        T(event_is_stored_and_counted_each_time),
        T(events_beyond_max_are_counted_not_stored),
        T(event_out_of_range_is_ignored),
        T(too_many_layers_event_bumps_counter),
        T(csum_auto_stops_when_over_ten_percent_bad),
        T(csum_auto_keeps_validating_at_ten_percent_bad),
        T(csum_all_never_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
