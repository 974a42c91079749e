/* defrag_packet: trackers, the rebuilt packet, events, limits, time. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "defrag/defrag-test-util.h"

static int setup(void **state)
{
    DefragFixture *fx = calloc(1, sizeof(*fx));
    dfu_setup(fx, NULL);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    DefragFixture *fx = *state;
    dfu_teardown(fx);
    assert_int_equal(fx->outstanding, 0);
    free(fx);
    return 0;
}

/* UDP 5353 -> 53, 24 bytes of datagram (8 header + 16 payload "0123...").
 * Fragments: [0, 16) and [16, 24). */
static void udp_datagram(uint8_t *d)
{
    const uint8_t hdr[8] = { 0x14, 0xe9, 0x00, 0x35, 0x00, 0x18, 0x00, 0x00 };
    memcpy(d, hdr, 8);
    memcpy(d + 8, "0123456789abcdef", 16);
}

static Packet *feed_udp4(DefragFixture *fx, uint16_t id, uint32_t off, uint32_t len, bool more,
                         int64_t ts, Packet **frag)
{
    uint8_t d[24];
    uint8_t b[64];
    udp_datagram(d);
    uint32_t n = dfu_build4(b, id, off, more, 17, d + off, len);
    return dfu_feed(fx, b, n, ts, frag);
}

static void ipv4_in_order_rebuilds_udp_datagram(void **state)
{
    DefragFixture *fx = *state;
    Packet *f1 = NULL;
    assert_null(feed_udp4(fx, 1, 0, 16, true, 10, &f1));
    assert_true(f1->flags & PKT_F_IS_FRAGMENT);
    assert_int_equal(f1->l4, PKT_L4_NONE);
    Packet *f2 = NULL;
    Packet *r = feed_udp4(fx, 1, 16, 8, false, 10, &f2);
    assert_non_null(r);
    assert_ptr_equal(r->root, f2);   // travels with the fragment that completed it
    assert_int_equal(r->l3, PKT_L3_IPV4);
    assert_int_equal(r->l4, PKT_L4_UDP);
    assert_false(r->flags & PKT_F_IS_FRAGMENT);
    assert_true(r->flags & PKT_F_PSEUDO);
    assert_false(r->ip4.csum_bad);
    assert_int_equal(r->sp, 5353);
    assert_int_equal(r->dp, 53);
    assert_int_equal(r->ip4.total_len, 44);
    assert_int_equal(r->ip4.frag_field, 0);
    assert_int_equal(r->payload_len, 16);
    assert_memory_equal(r->payload, "0123456789abcdef", 16);
    assert_string_equal(decode_pkt_src_name(r), "defrag");
    assert_int_equal(dfu_counter(fx, "defrag.ipv4.fragments"), 2);
    assert_int_equal(dfu_counter(fx, "defrag.ipv4.reassembled"), 1);
    assert_int_equal(defrag_tracker_count(), 0);
    assert_int_equal(defrag_memuse(), 0);
    dtu_packet_free(f1);
    dtu_packet_free(f2);
    dfu_put(r, fx);
}

static void ipv4_reverse_order_rebuilds(void **state)
{
    DefragFixture *fx = *state;
    assert_null(feed_udp4(fx, 2, 16, 8, false, 10, NULL));
    Packet *r = feed_udp4(fx, 2, 0, 16, true, 10, NULL);
    assert_non_null(r);
    assert_int_equal(r->dp, 53);
    assert_memory_equal(r->payload, "0123456789abcdef", 16);
    dfu_put(r, fx);
}

static void ipv4_hole_keeps_waiting(void **state)
{
    DefragFixture *fx = *state;
    assert_null(dfu_feed4(fx, 3, 0, true, 'a', 8, NULL));
    assert_null(dfu_feed4(fx, 3, 16, false, 'c', 8, NULL));
    assert_int_equal(defrag_tracker_count(), 1);
    Packet *r = dfu_feed4(fx, 3, 8, true, 'b', 8, NULL);
    assert_non_null(r);
    assert_memory_equal(r->l3_hdr + 20, "aaaaaaaabbbbbbbbcccccccc", 24);
    dfu_put(r, fx);
}

static void ipv4_duplicate_fragment_raises_overlap(void **state)
{
    DefragFixture *fx = *state;
    Packet *a = NULL;
    Packet *b = NULL;
    assert_null(dfu_feed4(fx, 4, 0, true, 'a', 16, &a));
    assert_null(dfu_feed4(fx, 4, 0, true, 'a', 16, &b));
    assert_false(packet_has_event(a, DECODE_EV_IPV4_FRAG_OVERLAP));
    assert_true(packet_has_event(b, DECODE_EV_IPV4_FRAG_OVERLAP));
    assert_int_equal(dtu_counter(&fx->t, "decoder.event.ipv4.frag_overlap"), 1);
    dtu_packet_free(a);
    dtu_packet_free(b);
}

static void ipv4_adjacent_fragments_do_not_overlap(void **state)
{
    DefragFixture *fx = *state;
    Packet *b = NULL;
    assert_null(dfu_feed4(fx, 5, 0, true, 'a', 16, NULL));
    Packet *r = dfu_feed4(fx, 5, 16, false, 'b', 8, &b);
    assert_false(packet_has_event(b, DECODE_EV_IPV4_FRAG_OVERLAP));
    assert_non_null(r);
    dtu_packet_free(b);
    dfu_put(r, fx);
}

static void ipv4_too_large_is_refused_with_event(void **state)
{
    DefragFixture *fx = *state;
    Packet *f = NULL;
    /* offset 65528 + 16 bytes + 20 header > 65535 */
    assert_null(dfu_feed4(fx, 6, 65528, false, 'z', 16, &f));
    assert_true(packet_has_event(f, DECODE_EV_IPV4_FRAG_PKT_TOO_LARGE));
    assert_int_equal(defrag_tracker_count(), 0);
    dtu_packet_free(f);
}

static void ipv4_zero_length_fragment_is_ignored(void **state)
{
    DefragFixture *fx = *state;
    assert_null(dfu_feed4(fx, 7, 8, false, 'z', 0, NULL));
    assert_int_equal(defrag_tracker_count(), 0);
    assert_int_equal(dfu_counter(fx, "defrag.ipv4.fragments"), 1);
}

static void ipv4_tiny_fragments_rebuild(void **state)
{
    DefragFixture *fx = *state;
    Packet *r = NULL;
    for (uint32_t i = 0; i < 64; i++) {
        r = dfu_feed4(fx, 8, i * 8, i != 63, (char)('A' + i % 26), 8, NULL);
        if (i != 63) {
            assert_null(r);
        }
    }
    assert_non_null(r);
    assert_int_equal(r->ip4.total_len, 20 + 512);
    assert_int_equal(r->l3_hdr[20 + 8 * 30], 'A' + 4);
    dfu_put(r, fx);
}

static void ipv4_ids_and_protocols_are_separate_datagrams(void **state)
{
    DefragFixture *fx = *state;
    assert_null(dfu_feed4(fx, 9, 0, true, 'a', 8, NULL));
    assert_null(dfu_feed4(fx, 10, 8, false, 'b', 8, NULL));
    uint8_t d[8];
    uint8_t b[40];
    memset(d, 'c', 8);
    uint32_t n = dfu_build4(b, 9, 8, false, 6, d, 8); // same id, other protocol
    assert_null(dfu_feed(fx, b, n, 1000, NULL));
    assert_int_equal(defrag_tracker_count(), 3);
}

static void ipv4_second_last_fragment_does_not_move_the_end(void **state)
{
    DefragFixture *fx = *state;
    assert_null(dfu_feed4(fx, 11, 8, false, 'b', 8, NULL));
    assert_null(dfu_feed4(fx, 11, 16, false, 'c', 8, NULL));
    Packet *r = dfu_feed4(fx, 11, 0, true, 'a', 8, NULL);
    assert_non_null(r);
    assert_int_equal(r->ip4.total_len, 36);
    dfu_put(r, fx);
}

static void timeout_drops_idle_tracker_in_packet_time(void **state)
{
    DefragFixture *fx = *state;
    assert_null(feed_udp4(fx, 12, 0, 16, true, 100, NULL));
    assert_null(feed_udp4(fx, 13, 0, 16, true, 130, NULL));
    assert_int_equal(defrag_tracker_count(), 2);
    /* 161: id 12 idle for 61 s, id 13 for 31 s */
    assert_null(feed_udp4(fx, 14, 0, 16, true, 161, NULL));
    assert_int_equal(defrag_tracker_count(), 2);
    assert_int_equal(dfu_counter(fx, "defrag.wrk.tracker_timeout"), 1);
    /* the rest of id 12 now starts a new datagram: nothing to rebuild */
    assert_null(feed_udp4(fx, 12, 16, 8, false, 161, NULL));
    Packet *r = feed_udp4(fx, 13, 16, 8, false, 161, NULL);
    assert_non_null(r);
    dfu_put(r, fx);
}

static void no_packet_source_forgets_complete_datagram(void **state)
{
    DefragFixture *fx = *state;
    fx->t.dtv.src = (DecodePacketSource){ 0 };
    assert_null(feed_udp4(fx, 15, 0, 16, true, 10, NULL));
    assert_null(feed_udp4(fx, 15, 16, 8, false, 10, NULL));
    assert_int_equal(defrag_tracker_count(), 0);
}

static void whole_packet_is_not_taken(void **state)
{
    DefragFixture *fx = *state;
    uint8_t d[24];
    uint8_t b[64];
    udp_datagram(d);
    uint32_t n = dfu_build4(b, 16, 0, false, 17, d, 24);
    Packet *p = dfu_decode(fx, b, n, 10);
    assert_null(defrag_packet(&fx->dt, &fx->t.dtv, p));
    assert_int_equal(dfu_counter(fx, "defrag.ipv4.fragments"), 0);
    dtu_packet_free(p);
}

/* ---- IPv6 ---- */

static void ipv6_rebuilds_behind_extension_header(void **state)
{
    DefragFixture *fx = *state;
    uint8_t d[24];
    uint8_t b[100];
    udp_datagram(d);
    uint32_t n = dfu_build6(b, 0x1234, 0, true, 17, d, 16, true);
    Packet *f = NULL;
    assert_null(dfu_feed(fx, b, n, 10, &f));
    assert_true(f->flags & PKT_F_IS_FRAGMENT);
    assert_int_equal(f->l4, PKT_L4_NONE);
    n = dfu_build6(b, 0x1234, 16, false, 17, d + 16, 8, true);
    Packet *r = dfu_feed(fx, b, n, 10, NULL);
    assert_non_null(r);
    assert_int_equal(r->l3, PKT_L3_IPV6);
    assert_int_equal(r->l4, PKT_L4_UDP);
    assert_false(r->ip6.is_frag);
    assert_false(r->ip6.exthdrs & IPV6_EXT_FH);
    assert_true(r->ip6.exthdrs & IPV6_EXT_DST);
    assert_int_equal(r->ip6.plen, 8 + 24);
    assert_int_equal(r->dp, 53);
    assert_memory_equal(r->payload, "0123456789abcdef", 16);
    assert_int_equal(dfu_counter(fx, "defrag.ipv6.fragments"), 2);
    assert_int_equal(dfu_counter(fx, "defrag.ipv6.reassembled"), 1);
    dtu_packet_free(f);
    dfu_put(r, fx);
}

static void ipv6_duplicate_raises_overlap(void **state)
{
    DefragFixture *fx = *state;
    Packet *b = NULL;
    assert_null(dfu_feed6(fx, 77, 8, true, 'a', 8, NULL));
    assert_null(dfu_feed6(fx, 77, 8, true, 'a', 8, &b));
    assert_true(packet_has_event(b, DECODE_EV_IPV6_FRAG_OVERLAP));
    dtu_packet_free(b);
}

static void ipv6_too_large_is_refused_with_event(void **state)
{
    DefragFixture *fx = *state;
    Packet *f = NULL;
    assert_null(dfu_feed6(fx, 78, 65528, false, 'z', 16, &f));
    assert_true(packet_has_event(f, DECODE_EV_IPV6_FRAG_PKT_TOO_LARGE));
    assert_int_equal(defrag_tracker_count(), 0);
    dtu_packet_free(f);
}

/* The largest IPv6 datagram (65,535 payload bytes) plus its 40-byte header
 * does not fit a packet buffer: refused, not written past the buffer. */
static void ipv6_largest_datagram_is_not_rebuilt_past_the_buffer(void **state)
{
    DefragFixture *fx = *state;
    Packet *r = NULL;
    for (uint32_t off = 0; off + 2048 <= 65528 && r == NULL; off += 2048) {
        r = dfu_feed6(fx, 80, off, true, 'x', 2048, NULL);
    }
    assert_null(r);
    r = dfu_feed6(fx, 80, 65536 - 2048 - 8, true, 'y', 2048, NULL);
    assert_null(r);
    r = dfu_feed6(fx, 80, 65528, false, 'z', 7, NULL);
    assert_null(r);
}

static void ipv6_atomic_fragment_is_not_tracked(void **state)
{
    DefragFixture *fx = *state;
    assert_null(dfu_feed6(fx, 79, 0, false, 'a', 8, NULL));
    assert_int_equal(defrag_tracker_count(), 0);
    assert_int_equal(dfu_counter(fx, "defrag.ipv6.fragments"), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(ipv4_in_order_rebuilds_udp_datagram),
        T(ipv4_reverse_order_rebuilds),
        T(ipv4_hole_keeps_waiting),
        T(ipv4_duplicate_fragment_raises_overlap),
        T(ipv4_adjacent_fragments_do_not_overlap),
        T(ipv4_too_large_is_refused_with_event),
        T(ipv4_zero_length_fragment_is_ignored),
        T(ipv4_tiny_fragments_rebuild),
        T(ipv4_ids_and_protocols_are_separate_datagrams),
        T(ipv4_second_last_fragment_does_not_move_the_end),
        T(timeout_drops_idle_tracker_in_packet_time),
        T(no_packet_source_forgets_complete_datagram),
        T(whole_packet_is_not_taken),
        T(ipv6_rebuilds_behind_extension_header),
        T(ipv6_duplicate_raises_overlap),
        T(ipv6_too_large_is_refused_with_event),
        T(ipv6_largest_datagram_is_not_rebuilt_past_the_buffer),
        T(ipv6_atomic_fragment_is_not_tracked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
