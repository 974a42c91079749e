/* Tests of decode_ipv6: header checks, extension header chains, options,
 * fragments, tunnels. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "decode/ip-samples.h"
#include "decode/ip-test-util.h"

enum { NH_HOP = 0, NH_UDP = 17, NH_RH = 43, NH_FH = 44, NH_ESP = 50, NH_AH = 51, NH_NONE = 59,
       NH_DST = 60 };

static int setup(void **state)
{
    DecodeTestCtx *t = calloc(1, sizeof(*t));
    dtu_setup(t, CHECKSUM_NONE);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    dtu_teardown(*state);
    free(*state);
    return 0;
}

/* UDP 5353 -> 53, length 8, no checksum: the usual end of a test chain. */
static const uint8_t udp8[] = { 0x14, 0xe9, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00 };

/* Decodes IPv6(nh) / body. */
static Packet *run6(DecodeTestCtx *t, uint8_t nh, const uint8_t *body, uint32_t blen, int *rc)
{
    uint8_t b[1200];
    uint32_t n = itu_ipv6_build(b, nh, body, blen);
    Packet *p = NULL;
    *rc = itu_decode_fn(t, decode_ipv6, b, n, &p);
    return p;
}

static void expect6(DecodeTestCtx *t, uint8_t nh, const uint8_t *body, uint32_t blen,
                    DecodeEvent ev, bool fails)
{
    int rc;
    Packet *p = run6(t, nh, body, blen, &rc);
    assert_true(packet_has_event(p, ev));
    assert_int_equal(rc < 0, fails);
    dtu_packet_free(p);
}

static void ipv6_decodes_udp_sample_fields(void **state)
{
    DecodeTestCtx *t = *state;
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(t, decode_ipv6, ipv6_udp, sizeof(ipv6_udp), &p), 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->l3, PKT_L3_IPV6);
    assert_int_equal(p->src.family, 6);
    assert_int_equal(p->src.a.u8[15], 1);
    assert_int_equal(p->dst.a.u8[15], 2);
    assert_int_equal(p->ip6.plen, 13);
    assert_int_equal(p->ip6.hlim, 64);
    assert_int_equal(p->ip6.next_hdr, 17);
    assert_int_equal(p->l3_len, 53);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_memory_equal(p->payload, "hello", 5);
    assert_int_equal(dtu_counter(t, "decoder.ipv6"), 1);
    dtu_packet_free(p);
}

static void ipv6_ignores_trailing_padding(void **state)
{
    uint8_t b[sizeof(ipv6_udp) + 7] = { 0 };
    memcpy(b, ipv6_udp, sizeof(ipv6_udp));
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv6, b, sizeof(b), &p), 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->payload_len, 5);
    dtu_packet_free(p);
}

static void ipv6_every_truncation_raises_an_event(void **state)
{
    const uint8_t *samples[] = { ipv6_tcp, ipv6_udp, ipv6_icmpv6_echo, ipv6_icmpv6_unreach,
                                 ipv6_mld_report, ipv6_ext_chain };
    const uint32_t lens[] = { sizeof(ipv6_tcp), sizeof(ipv6_udp), sizeof(ipv6_icmpv6_echo),
                              sizeof(ipv6_icmpv6_unreach), sizeof(ipv6_mld_report),
                              sizeof(ipv6_ext_chain) };
    for (size_t s = 0; s < sizeof(lens) / sizeof(lens[0]); s++) {
        for (uint32_t n = 0; n < lens[s]; n++) {
            Packet *p = NULL;
            assert_true(itu_decode_fn(*state, decode_ipv6, samples[s], n, &p) < 0);
            DecodeEvent ev = n < 40 ? DECODE_EV_IPV6_PKT_TOO_SMALL : DECODE_EV_IPV6_TRUNC_PKT;
            assert_true(packet_has_event(p, ev));
            dtu_packet_free(p);
        }
    }
}

static void ipv6_rejects_wrong_version(void **state)
{
    uint8_t b[sizeof(ipv6_udp)];
    memcpy(b, ipv6_udp, sizeof(b));
    b[0] = 0x40;
    Packet *p = NULL;
    assert_true(itu_decode_fn(*state, decode_ipv6, b, sizeof(b), &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_IPV6_WRONG_IP_VERSION));
    dtu_packet_free(p);
}

static void ipv6_walks_sample_extension_chain(void **state)
{
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv6, ipv6_ext_chain, sizeof(ipv6_ext_chain),
                                   &p), 0);
    uint16_t want = IPV6_EXT_HOP | IPV6_EXT_DST | IPV6_EXT_RH | IPV6_EXT_FH;
    assert_int_equal(p->ip6.exthdrs, want);
    assert_int_equal(p->ip6.exthdrs_len, 8 + 8 + 24 + 8);
    assert_true(p->ip6.is_frag);
    assert_true(p->ip6.frag_more);
    assert_int_equal(p->ip6.frag_offset, 0);
    assert_int_equal(p->ip6.frag_id, 0xabcd);
    assert_true(p->flags & PKT_F_IS_FRAGMENT);
    assert_int_equal(p->ip6.next_hdr, 17);
    assert_int_equal(p->l4, PKT_L4_NONE); // first fragment: left to defrag, as Suricata
    /* The destination options hold only a PadN; the 13 bytes after the
     * fragment header are no multiple of 8 although more fragments follow. */
    assert_true(packet_has_event(p, DECODE_EV_IPV6_DSTOPTS_ONLY_PADDING));
    assert_true(packet_has_event(p, DECODE_EV_IPV6_FRAG_INVALID_LENGTH));
    assert_false(packet_has_event(p, DECODE_EV_IPV6_RH_TYPE_0));
    dtu_packet_free(p);
}

/* --- hop-by-hop and destination options --- */

static void ipv6_hop_options_with_only_padding_are_noted(void **state)
{
    const uint8_t b[16] = { NH_UDP, 0, 0x01, 0x04, 0, 0, 0, 0, 0x14, 0xe9, 0x00, 0x35, 0x00,
                            0x08, 0x00, 0x00 };
    expect6(*state, NH_HOP, b, 16, DECODE_EV_IPV6_HOPOPTS_ONLY_PADDING, false);
}

static void ipv6_zero_length_padn_is_noted(void **state)
{
    /* RA (4 bytes) then PadN with no data. */
    uint8_t b[16] = { NH_UDP, 0, 0x05, 0x02, 0, 0, 0x01, 0x00 };
    memcpy(b + 8, udp8, 8);
    expect6(*state, NH_HOP, b, 16, DECODE_EV_IPV6_ZERO_LEN_PADN, false);
}

static void ipv6_unknown_options_are_noted(void **state)
{
    uint8_t b[16] = { NH_UDP, 0, 0x3e, 0x04, 0, 0, 0, 0 };
    memcpy(b + 8, udp8, 8);
    expect6(*state, NH_HOP, b, 16, DECODE_EV_IPV6_HOPOPTS_UNKNOWN_OPT, false);
    expect6(*state, NH_DST, b, 16, DECODE_EV_IPV6_DSTOPTS_UNKNOWN_OPT, false);
}

static void ipv6_option_with_wrong_or_overrunning_length_is_invalid(void **state)
{
    uint8_t ra_len3[16] = { NH_UDP, 0, 0x05, 0x03, 0, 0, 0, 0 };
    uint8_t overrun[16] = { NH_UDP, 0, 0x01, 0x09, 0, 0, 0, 0 };
    uint8_t lone_type[16] = { NH_UDP, 0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05 };
    memcpy(ra_len3 + 8, udp8, 8);
    memcpy(overrun + 8, udp8, 8);
    memcpy(lone_type + 8, udp8, 8);
    expect6(*state, NH_HOP, ra_len3, 16, DECODE_EV_IPV6_EXTHDR_INVALID_OPTLEN, false);
    expect6(*state, NH_DST, overrun, 16, DECODE_EV_IPV6_EXTHDR_INVALID_OPTLEN, false);
    expect6(*state, NH_HOP, lone_type, 16, DECODE_EV_IPV6_EXTHDR_INVALID_OPTLEN, false);
}

static void ipv6_three_destination_headers_are_duplicates(void **state)
{
    uint8_t b[32] = { NH_DST, 0, 0x01, 0x04, [8] = NH_DST, 0, 0x01, 0x04, [16] = NH_UDP, 0,
                      0x01, 0x04 };
    memcpy(b + 24, udp8, 8);
    expect6(*state, NH_DST, b, 32, DECODE_EV_IPV6_EXTHDR_DUPL_DH, false);
    int rc;
    Packet *p = run6(*state, NH_DST, b + 8, 24, &rc); // two are allowed
    assert_false(packet_has_event(p, DECODE_EV_IPV6_EXTHDR_DUPL_DH));
    dtu_packet_free(p);
}

static void ipv6_duplicate_hop_by_hop_is_noted(void **state)
{
    uint8_t b[24] = { NH_HOP, 0, 0x05, 0x02, 0, 0, 0x01, 0x00, NH_UDP, 0, 0x05, 0x02 };
    memcpy(b + 16, udp8, 8);
    expect6(*state, NH_HOP, b, 24, DECODE_EV_IPV6_EXTHDR_DUPL_HH, false);
}

/* --- routing, fragment, AH, ESP, none --- */

static void ipv6_routing_type_0_is_noted(void **state)
{
    uint8_t b[32] = { NH_UDP, 2, 0, 1 };
    memcpy(b + 24, udp8, 8);
    expect6(*state, NH_RH, b, 32, DECODE_EV_IPV6_RH_TYPE_0, false);
}

static void ipv6_duplicate_routing_header_is_noted(void **state)
{
    uint8_t b[24] = { NH_RH, 0, 4, 0, [8] = NH_UDP, 0, 4, 0 };
    memcpy(b + 16, udp8, 8);
    expect6(*state, NH_RH, b, 24, DECODE_EV_IPV6_EXTHDR_DUPL_RH, false);
}

static void ipv6_atomic_fragment_is_useless_and_not_a_fragment(void **state)
{
    uint8_t b[16] = { NH_UDP, 0, 0, 0, 0, 0, 0, 7 };
    memcpy(b + 8, udp8, 8);
    int rc;
    Packet *p = run6(*state, NH_FH, b, 16, &rc);
    assert_int_equal(rc, 0);
    assert_true(packet_has_event(p, DECODE_EV_IPV6_EXTHDR_USELESS_FH));
    assert_false(p->flags & PKT_F_IS_FRAGMENT);
    assert_int_equal(p->l4, PKT_L4_UDP);
    dtu_packet_free(p);
}

static void ipv6_fragment_reserved_bits_are_noted(void **state)
{
    uint8_t b[16] = { NH_UDP, 0x01, 0, 0x01, 0, 0, 0, 7 };
    memcpy(b + 8, udp8, 8);
    expect6(*state, NH_FH, b, 16, DECODE_EV_IPV6_FH_NON_ZERO_RESERVED_FIELD, false);
    b[1] = 0;
    b[3] = 0x07;                 // the 2-bit Res field, plus M
    expect6(*state, NH_FH, b, 16, DECODE_EV_IPV6_FH_NON_ZERO_RESERVED_FIELD, false);
}

static void ipv6_later_fragment_skips_l4(void **state)
{
    uint8_t b[16] = { NH_UDP, 0, 0x00, 0x08, 0, 0, 0, 7 }; // offset 1, last fragment
    memcpy(b + 8, udp8, 8);
    int rc;
    Packet *p = run6(*state, NH_FH, b, 16, &rc);
    assert_int_equal(rc, 0);
    assert_true(p->flags & PKT_F_IS_FRAGMENT);
    assert_int_equal(p->ip6.frag_offset, 1);
    assert_false(p->ip6.frag_more);
    assert_int_equal(p->ip6.frag_id, 7);
    assert_int_equal(p->l4, PKT_L4_NONE);
    assert_int_equal(dtu_counter(*state, "decoder.udp"), 0);
    dtu_packet_free(p);
}

static void ipv6_duplicate_fragment_header_is_noted(void **state)
{
    /* An atomic fragment header, then a second one: the walk goes on after
     * an atomic header, so the second is seen. */
    uint8_t b[24] = { NH_FH, 0, 0, 0, 0, 0, 0, 7, NH_UDP, 0, 0, 1, 0, 0, 0, 7 };
    memcpy(b + 16, udp8, 8);
    expect6(*state, NH_FH, b, 24, DECODE_EV_IPV6_EXTHDR_DUPL_FH, false);
}

static void ipv6_fragment_stops_the_walk_at_its_header(void **state)
{
    /* Offset 0, more fragments: what follows (here another fragment header)
     * is decoded only in the rebuilt datagram, as Suricata does. */
    uint8_t b[24] = { NH_FH, 0, 0, 1, 0, 0, 0, 7, NH_UDP, 0, 0, 1, 0, 0, 0, 7 };
    memcpy(b + 16, udp8, 8);
    int rc;
    Packet *p = run6(*state, NH_FH, b, 24, &rc);
    assert_int_equal(rc, 0);
    assert_false(packet_has_event(p, DECODE_EV_IPV6_EXTHDR_DUPL_FH));
    assert_true(p->flags & PKT_F_IS_FRAGMENT);
    assert_int_equal(p->ip6.next_hdr, NH_FH);
    assert_int_equal(p->ip6.exthdrs_len, 8);
    assert_int_equal(p->l4, PKT_L4_NONE);
    dtu_packet_free(p);
}

static void ipv6_ah_is_skipped_by_its_length(void **state)
{
    /* AH, payload len 4 -> (4 + 2) * 4 = 24 bytes. */
    uint8_t b[32] = { NH_UDP, 4, 0, 0, 0, 0, 1, 0 };
    memcpy(b + 24, udp8, 8);
    int rc;
    Packet *p = run6(*state, NH_AH, b, 32, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(p->n_events, 0);
    assert_true(p->ip6.exthdrs & IPV6_EXT_AH);
    assert_int_equal(p->ip6.exthdrs_len, 24);
    assert_int_equal(p->l4, PKT_L4_UDP);
    dtu_packet_free(p);
}

static void ipv6_ah_reserved_and_duplicate_are_noted(void **state)
{
    uint8_t b[40] = { NH_UDP, 1, 0, 9 };
    memcpy(b + 12, udp8, 8);
    expect6(*state, NH_AH, b, 20, DECODE_EV_IPV6_EXTHDR_AH_RES_NOT_NULL, false);
    uint8_t d[32] = { NH_AH, 1, 0, 0, [12] = NH_UDP, 1, 0, 0 };
    memcpy(d + 24, udp8, 8);
    expect6(*state, NH_AH, d, 32, DECODE_EV_IPV6_EXTHDR_DUPL_AH, false);
}

static void ipv6_esp_stops_the_walk_and_is_counted(void **state)
{
    const uint8_t esp[16] = { 0, 0, 1, 0, 0, 0, 0, 1, 0xde, 0xad };
    int rc;
    Packet *p = run6(*state, NH_ESP, esp, 16, &rc);
    assert_int_equal(rc, 0);
    assert_true(p->ip6.exthdrs & IPV6_EXT_ESP);
    assert_int_equal(p->proto, 50);
    assert_int_equal(p->l4, PKT_L4_OTHER);
    assert_int_equal(p->payload_len, 16);
    assert_int_equal(dtu_counter(*state, "decoder.esp"), 1);
    dtu_packet_free(p);
}

static void ipv6_data_after_no_next_header_is_noted(void **state)
{
    const uint8_t data[4] = { 1, 2, 3, 4 };
    expect6(*state, NH_NONE, data, 4, DECODE_EV_IPV6_DATA_AFTER_NONE_HEADER, false);
    int rc;
    Packet *p = run6(*state, NH_NONE, NULL, 0, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(p->n_events, 0);
    dtu_packet_free(p);
}

static void ipv6_truncated_extension_header_is_noted(void **state)
{
    const uint8_t one[1] = { NH_UDP };
    const uint8_t short_hop[8] = { NH_UDP, 1, 0x01, 0x04 }; // claims 16 bytes
    const uint8_t short_fh[4] = { NH_UDP, 0, 0, 1 };
    expect6(*state, NH_HOP, one, 1, DECODE_EV_IPV6_TRUNC_EXTHDR, true);
    expect6(*state, NH_HOP, short_hop, 8, DECODE_EV_IPV6_TRUNC_EXTHDR, true);
    expect6(*state, NH_FH, short_fh, 4, DECODE_EV_IPV6_TRUNC_EXTHDR, true);
    expect6(*state, NH_AH, short_hop, 8, DECODE_EV_IPV6_TRUNC_EXTHDR, true);
}

static void ipv6_every_truncation_of_an_extension_chain_is_handled(void **state)
{
    /* Truncate the chain body while keeping the payload length consistent
     * with the capture, so the walk itself meets every short header. */
    const uint8_t *chain = ipv6_ext_chain + 40;
    uint32_t chain_len = sizeof(ipv6_ext_chain) - 40;
    for (uint32_t n = 0; n < chain_len; n++) {
        int rc;
        Packet *p = run6(*state, NH_HOP, chain, n, &rc);
        if (n < 48) {
            assert_true(rc < 0);
            assert_true(packet_has_event(p, DECODE_EV_IPV6_TRUNC_EXTHDR));
        }
        dtu_packet_free(p);
    }
}

static void ipv6_very_long_chain_is_cut_off(void **state)
{
    uint8_t b[8 * 40 + 8];
    for (int i = 0; i < 40; i++) {
        uint8_t *h = b + 8 * i;
        memset(h, 0, 8);
        h[0] = i == 39 ? NH_UDP : NH_RH;
        h[2] = 4;
    }
    memcpy(b + 8 * 40, udp8, 8);
    /* Each repeated routing header raises exthdr_dupl_rh: those fill the
     * packet's event slots (stored each time, as Suricata), so the cut-off is
     * counted and makes the packet invalid without being stored. */
    DecodeTestCtx *t = *state;
    uint64_t before = dtu_event_count(t, DECODE_EV_TOO_MANY_LAYERS);
    int rc;
    Packet *p = run6(t, NH_RH, b, sizeof(b), &rc);
    assert_true(rc < 0);
    assert_int_equal(dtu_event_count(t, DECODE_EV_TOO_MANY_LAYERS) - before, 1);
    assert_int_equal(p->n_events, PACKET_MAX_EVENTS);
    assert_int_equal(p->events[0], DECODE_EV_IPV6_EXTHDR_DUPL_RH);
    dtu_packet_free(p);
}

static void ipv6_unknown_next_header_is_noted(void **state)
{
    expect6(*state, 89, udp8, 8, DECODE_EV_IPV6_UNKNOWN_NEXT_HEADER, false);
}

static void ipv6_icmpv4_over_ipv6_is_noted(void **state)
{
    const uint8_t icmp[8] = { 8, 0, 0, 0, 0, 1, 0, 1 };
    int rc;
    Packet *p = run6(*state, 1, icmp, 8, &rc);
    assert_true(packet_has_event(p, DECODE_EV_IPV6_ICMPV4));
    assert_int_equal(p->l4, PKT_L4_OTHER);
    assert_int_equal(dtu_counter(*state, "decoder.icmpv4"), 0);
    dtu_packet_free(p);
}

/* --- tunnels --- */

static void ipv4_in_ipv6_decodes_inner_packet(void **state)
{
    int rc;
    Packet *p = run6(*state, 4, ipv4_udp, sizeof(ipv4_udp), &rc);
    assert_int_equal(rc, 0);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(p->src.a.u8[0], 192);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(dtu_counter(*state, "decoder.ipv4_in_ipv6"), 1);
    dtu_packet_free(p);
}

static void ipv6_in_ipv6_decodes_inner_packet(void **state)
{
    int rc;
    Packet *p = run6(*state, 41, ipv6_udp, sizeof(ipv6_udp), &rc);
    assert_int_equal(rc, 0);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(dtu_counter(*state, "decoder.ipv6_in_ipv6"), 1);
    dtu_packet_free(p);
}

static void ip_in_ipv6_too_small_or_wrong_version_is_noted(void **state)
{
    expect6(*state, 4, ipv4_udp, 19, DECODE_EV_IPV6_IPV4_IN_IPV6_TOO_SMALL, true);
    expect6(*state, 41, ipv6_udp, 39, DECODE_EV_IPV6_IPV6_IN_IPV6_TOO_SMALL, true);
    expect6(*state, 4, ipv6_udp, sizeof(ipv6_udp), DECODE_EV_IPV6_IPV4_IN_IPV6_WRONG_VERSION,
            false);
    expect6(*state, 41, ipv4_tcp_syn, sizeof(ipv4_tcp_syn),
            DECODE_EV_IPV6_IPV6_IN_IPV6_WRONG_VERSION, false);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(ipv6_decodes_udp_sample_fields),
        T(ipv6_ignores_trailing_padding),
        T(ipv6_every_truncation_raises_an_event),
        T(ipv6_rejects_wrong_version),
        T(ipv6_walks_sample_extension_chain),
        T(ipv6_hop_options_with_only_padding_are_noted),
        T(ipv6_zero_length_padn_is_noted),
        T(ipv6_unknown_options_are_noted),
        T(ipv6_option_with_wrong_or_overrunning_length_is_invalid),
        T(ipv6_three_destination_headers_are_duplicates),
        T(ipv6_duplicate_hop_by_hop_is_noted),
        T(ipv6_routing_type_0_is_noted),
        T(ipv6_duplicate_routing_header_is_noted),
        T(ipv6_atomic_fragment_is_useless_and_not_a_fragment),
        T(ipv6_fragment_reserved_bits_are_noted),
        T(ipv6_later_fragment_skips_l4),
        T(ipv6_duplicate_fragment_header_is_noted),
        T(ipv6_fragment_stops_the_walk_at_its_header),
        T(ipv6_ah_is_skipped_by_its_length),
        T(ipv6_ah_reserved_and_duplicate_are_noted),
        T(ipv6_esp_stops_the_walk_and_is_counted),
        T(ipv6_data_after_no_next_header_is_noted),
        T(ipv6_truncated_extension_header_is_noted),
        T(ipv6_every_truncation_of_an_extension_chain_is_handled),
        T(ipv6_very_long_chain_is_cut_off),
        T(ipv6_unknown_next_header_is_noted),
        T(ipv6_icmpv4_over_ipv6_is_noted),
        T(ipv4_in_ipv6_decodes_inner_packet),
        T(ipv6_in_ipv6_decodes_inner_packet),
        T(ip_in_ipv6_too_small_or_wrong_version_is_noted),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
