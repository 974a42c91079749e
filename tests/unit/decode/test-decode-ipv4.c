/* Tests of decode_ipv4: header checks, options, fragments, tunnels. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "decode/ip-samples.h"
#include "decode/ip-test-util.h"

static int setup(void **state)
{
    DecodeTestCtx *t = calloc(1, sizeof(*t));
    dtu_setup(t, CHECKSUM_ALL);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    dtu_teardown(*state);
    free(*state);
    return 0;
}

static int run4(DecodeTestCtx *t, const uint8_t *b, uint32_t len, Packet **out)
{
    return itu_decode_fn(t, decode_ipv4, b, len, out);
}

/* Decodes b and checks that it raised ev (and whether decoding failed). */
static void expect_event(DecodeTestCtx *t, const uint8_t *b, uint32_t len, DecodeEvent ev,
                         bool fails)
{
    Packet *p = NULL;
    int rc = run4(t, b, len, &p);
    assert_true(packet_has_event(p, ev));
    assert_int_equal(rc < 0, fails);
    dtu_packet_free(p);
}

static void ipv4_decodes_tcp_sample_fields(void **state)
{
    DecodeTestCtx *t = *state;
    Packet *p = NULL;
    assert_int_equal(run4(t, ipv4_tcp_syn, sizeof(ipv4_tcp_syn), &p), 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_ptr_equal(p->l3_hdr, p->data);
    assert_int_equal(p->l3_len, 60);
    assert_int_equal(p->src.family, 4);
    assert_memory_equal(p->src.a.u8, ((uint8_t[]){ 192, 0, 2, 1 }), 4);
    assert_memory_equal(p->dst.a.u8, ((uint8_t[]){ 198, 51, 100, 2 }), 4);
    assert_int_equal(p->ip4.hlen, 20);
    assert_int_equal(p->ip4.total_len, 60);
    assert_int_equal(p->ip4.id, 1);
    assert_int_equal(p->ip4.ttl, 64);
    assert_int_equal(p->ip4.proto, 6);
    assert_false(p->ip4.csum_bad);
    assert_int_equal(p->l4, PKT_L4_TCP);
    assert_int_equal(p->proto, 6);
    assert_int_equal(dtu_counter(t, "decoder.ipv4"), 1);
    assert_int_equal(dtu_counter(t, "decoder.tcp"), 1);
    dtu_packet_free(p);
}

static void ipv4_ignores_trailing_ethernet_padding(void **state)
{
    DecodeTestCtx *t = *state;
    uint8_t buf[sizeof(ipv4_udp) + 13] = { 0 };
    memcpy(buf, ipv4_udp, sizeof(ipv4_udp));
    Packet *p = NULL;
    assert_int_equal(run4(t, buf, sizeof(buf), &p), 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->l3_len, sizeof(ipv4_udp));
    assert_int_equal(p->payload_len, 5);
    assert_memory_equal(p->payload, "hello", 5);
    dtu_packet_free(p);
}

static void ipv4_every_truncation_raises_an_event(void **state)
{
    DecodeTestCtx *t = *state;
    const uint8_t *samples[] = { ipv4_tcp_syn, ipv4_tcp_data, ipv4_udp, ipv4_icmp_echo,
                                 ipv4_icmp_unreach, ipv4_in_ipv4, ipv6_in_ipv4 };
    const uint32_t lens[] = { sizeof(ipv4_tcp_syn), sizeof(ipv4_tcp_data), sizeof(ipv4_udp),
                              sizeof(ipv4_icmp_echo), sizeof(ipv4_icmp_unreach),
                              sizeof(ipv4_in_ipv4), sizeof(ipv6_in_ipv4) };
    for (size_t s = 0; s < sizeof(lens) / sizeof(lens[0]); s++) {
        for (uint32_t n = 0; n < lens[s]; n++) {
            DecodeEvent ev = n < 20 ? DECODE_EV_IPV4_PKT_TOO_SMALL : DECODE_EV_IPV4_TRUNC_PKT;
            expect_event(t, samples[s], n, ev, true);
        }
    }
}

static void ipv4_every_truncation_via_decode_packet_is_invalid(void **state)
{
    DecodeTestCtx *t = *state;
    for (uint32_t n = 0; n < sizeof(ipv4_icmp_unreach); n++) {
        Packet *p = NULL;
        assert_true(dtu_decode(t, ipv4_icmp_unreach, n, LINKTYPE_IPV4, &p) < 0);
        assert_true(p->flags & PKT_F_INVALID);
        dtu_packet_free(p);
    }
}

static void ipv4_rejects_wrong_version(void **state)
{
    uint8_t b[sizeof(ipv4_udp)];
    memcpy(b, ipv4_udp, sizeof(b));
    b[0] = 0x65;
    expect_event(*state, b, sizeof(b), DECODE_EV_IPV4_WRONG_IP_VERSION, true);
}

static void ipv4_rejects_ihl_below_five(void **state)
{
    uint8_t b[sizeof(ipv4_udp)];
    for (uint8_t ihl = 0; ihl < 5; ihl++) {
        memcpy(b, ipv4_udp, sizeof(b));
        b[0] = (uint8_t)(0x40 | ihl);
        expect_event(*state, b, sizeof(b), DECODE_EV_IPV4_HLEN_TOO_SMALL, true);
    }
}

static void ipv4_rejects_ihl_fifteen_with_short_total_length(void **state)
{
    uint8_t b[sizeof(ipv4_udp)];
    memcpy(b, ipv4_udp, sizeof(b));
    b[0] = 0x4f;                 // 60-byte header, total length 33
    expect_event(*state, b, sizeof(b), DECODE_EV_IPV4_IPLEN_SMALLER_THAN_HLEN, true);
}

static void ipv4_rejects_ihl_fifteen_beyond_capture(void **state)
{
    uint8_t b[sizeof(ipv4_udp)];
    memcpy(b, ipv4_udp, sizeof(b));
    b[0] = 0x4f;
    b[3] = 64;                   // total 64 > 33 captured
    expect_event(*state, b, sizeof(b), DECODE_EV_IPV4_TRUNC_PKT, true);
}

static void ipv4_rejects_total_length_beyond_capture(void **state)
{
    uint8_t b[sizeof(ipv4_udp)];
    memcpy(b, ipv4_udp, sizeof(b));
    b[2] = 0x05;                 // 1313 bytes claimed
    expect_event(*state, b, sizeof(b), DECODE_EV_IPV4_TRUNC_PKT, true);
}

static void ipv4_rejects_total_length_below_header(void **state)
{
    uint8_t b[sizeof(ipv4_udp)];
    memcpy(b, ipv4_udp, sizeof(b));
    b[3] = 19;
    expect_event(*state, b, sizeof(b), DECODE_EV_IPV4_IPLEN_SMALLER_THAN_HLEN, true);
}

/* --- options --- */

static const uint8_t udp_body[] = { 0x14, 0xe9, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00 };

/* Builds IPv4/UDP with the options, decodes it, returns the packet. */
static Packet *decode_with_opts(DecodeTestCtx *t, const uint8_t *opts, uint32_t optlen, int *rc)
{
    uint8_t b[80];
    uint32_t n = itu_ipv4_build(b, 17, opts, optlen, udp_body, sizeof(udp_body));
    Packet *p = NULL;
    *rc = run4(t, b, n, &p);
    return p;
}

static void expect_opt_event(DecodeTestCtx *t, const uint8_t *opts, uint32_t optlen,
                             DecodeEvent ev)
{
    int rc;
    Packet *p = decode_with_opts(t, opts, optlen, &rc);
    assert_true(packet_has_event(p, ev));
    /* An invalid option (bad length, malformed) makes the packet invalid:
     * nothing above IP is decoded, as in Suricata. Other events warn. */
    bool invalid = ev == DECODE_EV_IPV4_OPT_INVALID_LEN || ev == DECODE_EV_IPV4_OPT_MALFORMED;
    assert_int_equal(rc < 0, invalid);
    assert_int_equal(p->l4, invalid ? PKT_L4_NONE : PKT_L4_UDP);
    dtu_packet_free(p);
}

/* Every bad option is reported: the walk goes on past an option invalid for
 * its type (security option of length 2), and stops at a length that
 * overruns the area (0xf1, 0x35), which is reported too. The packet holds
 * the event once per time it was raised (as Suricata, whose anomaly log then
 * has opt_invalid_len twice), in the order raised. */
static void ipv4_each_invalid_option_is_reported(void **state)
{
    DecodeTestCtx *t = *state;
    const uint8_t o[12] = { 0x82, 0x02, 0xf1, 0x35, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0xaa, 0 };
    uint64_t before = dtu_counter(t, "decoder.event.ipv4.opt_invalid_len");
    int rc;
    Packet *p = decode_with_opts(t, o, sizeof(o), &rc);
    assert_true(rc < 0);
    assert_true(packet_has_event(p, DECODE_EV_IPV4_OPT_INVALID_LEN));
    assert_true(packet_has_event(p, DECODE_EV_IPV4_OPT_PAD_REQUIRED));
    assert_int_equal(dtu_counter(t, "decoder.event.ipv4.opt_invalid_len") - before, 2);
    assert_int_equal(p->n_events, 3);
    assert_int_equal(p->events[0], DECODE_EV_IPV4_OPT_PAD_REQUIRED);
    assert_int_equal(p->events[1], DECODE_EV_IPV4_OPT_INVALID_LEN);
    assert_int_equal(p->events[2], DECODE_EV_IPV4_OPT_INVALID_LEN);
    assert_false(p->ip4.opts & IPV4_OPT_SEC);
    dtu_packet_free(p);
}

static void ipv4_accepts_record_route(void **state)
{
    const uint8_t o[8] = { 0x07, 0x07, 0x04, 0, 0, 0, 0, 0x00 };
    int rc;
    Packet *p = decode_with_opts(*state, o, sizeof(o), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(p->n_events, 0);
    assert_true(p->ip4.opts & IPV4_OPT_RR);
    assert_true(p->ip4.opts & IPV4_OPT_EOL);
    assert_int_equal(p->ip4.hlen, 28);
    dtu_packet_free(p);
}

static void ipv4_accepts_each_known_option(void **state)
{
    static const struct {
        uint8_t o[16];
        uint32_t len;
        uint16_t flag;
    } cases[] = {
        { { 0x83, 0x07, 0x04, 0, 0, 0, 0, 0 }, 8, IPV4_OPT_LSRR },
        { { 0x89, 0x07, 0x08, 0, 0, 0, 0, 0 }, 8, IPV4_OPT_SSRR },
        { { 0x44, 0x0c, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 16, IPV4_OPT_TS },
        { { 0x44, 0x0c, 0x05, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 16, IPV4_OPT_TS },
        { { 0x82, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 16, IPV4_OPT_SEC },
        { { 0x85, 0x03, 0x01, 0, 0, 0, 0, 0 }, 8, IPV4_OPT_ESEC },
        { { 0x88, 0x04, 0x00, 0x01, 0x01, 0, 0, 0 }, 8, IPV4_OPT_SID },
        { { 0x19, 0x08, 0, 0, 0, 0, 0, 0 }, 8, IPV4_OPT_QS },
        { { 0x86, 0x0a, 0, 0, 0, 1, 0x01, 0x04, 0x00, 0x05, 0, 0, 0, 0, 0, 0 }, 16,
          IPV4_OPT_CIPSO },
        { { 0x01, 0x01, 0x01, 0x01, 0x94, 0x04, 0x00, 0x00 }, 8, IPV4_OPT_RTRALT },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc;
        Packet *p = decode_with_opts(*state, cases[i].o, cases[i].len, &rc);
        assert_int_equal(rc, 0);
        assert_int_equal(p->n_events, 0);
        assert_true(p->ip4.opts & cases[i].flag);
        dtu_packet_free(p);
    }
}

static void ipv4_option_length_zero_or_one_is_invalid_len(void **state)
{
    const uint8_t zero[4] = { 0x07, 0x00, 0x04, 0x00 };
    const uint8_t one[4] = { 0x07, 0x01, 0x04, 0x00 };
    expect_opt_event(*state, zero, 4, DECODE_EV_IPV4_OPT_INVALID_LEN);
    expect_opt_event(*state, one, 4, DECODE_EV_IPV4_OPT_INVALID_LEN);
}

static void ipv4_option_overrunning_header_is_invalid_len(void **state)
{
    const uint8_t o[4] = { 0x07, 0x27, 0x04, 0x00 };
    expect_opt_event(*state, o, 4, DECODE_EV_IPV4_OPT_INVALID_LEN);
}

static void ipv4_lone_option_type_at_end_needs_eol(void **state)
{
    const uint8_t o[8] = { 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x07 };
    expect_opt_event(*state, o, 8, DECODE_EV_IPV4_OPT_EOL_REQUIRED);
}

static void ipv4_route_pointer_off_slot_is_malformed(void **state)
{
    const uint8_t o[8] = { 0x07, 0x07, 0x05, 0, 0, 0, 0, 0 };
    const uint8_t past[8] = { 0x07, 0x07, 0x0c, 0, 0, 0, 0, 0 };
    expect_opt_event(*state, o, 8, DECODE_EV_IPV4_OPT_MALFORMED);
    expect_opt_event(*state, past, 8, DECODE_EV_IPV4_OPT_MALFORMED);
}

static void ipv4_timestamp_checks(void **state)
{
    const uint8_t short_ts[4] = { 0x44, 0x04, 0x05, 0x00 };
    const uint8_t low_ptr[8] = { 0x44, 0x08, 0x04, 0x00, 0, 0, 0, 0 };
    const uint8_t bad_rec[16] = { 0x44, 0x0c, 0x09, 0x01 }; // flag 1: 8-byte records
    expect_opt_event(*state, short_ts, 4, DECODE_EV_IPV4_OPT_INVALID_LEN);
    expect_opt_event(*state, low_ptr, 8, DECODE_EV_IPV4_OPT_MALFORMED);
    expect_opt_event(*state, bad_rec, 16, DECODE_EV_IPV4_OPT_MALFORMED);
}

static void ipv4_fixed_length_options_check_length(void **state)
{
    const uint8_t sec[8] = { 0x82, 0x08 };
    const uint8_t sid[8] = { 0x88, 0x05 };
    const uint8_t rtralt[8] = { 0x94, 0x06 };
    const uint8_t qs[8] = { 0x19, 0x06 };
    const uint8_t cipso[8] = { 0x86, 0x08 };
    expect_opt_event(*state, sec, 8, DECODE_EV_IPV4_OPT_INVALID_LEN);
    expect_opt_event(*state, sid, 8, DECODE_EV_IPV4_OPT_INVALID_LEN);
    expect_opt_event(*state, rtralt, 8, DECODE_EV_IPV4_OPT_INVALID_LEN);
    expect_opt_event(*state, qs, 8, DECODE_EV_IPV4_OPT_INVALID_LEN);
    expect_opt_event(*state, cipso, 8, DECODE_EV_IPV4_OPT_INVALID_LEN);
}

static void ipv4_cipso_bad_tags_are_malformed(void **state)
{
    const uint8_t tag0[12] = { 0x86, 0x0a, 0, 0, 0, 1, 0x00, 0x04, 0, 0 };
    const uint8_t long_tag[12] = { 0x86, 0x0a, 0, 0, 0, 1, 0x01, 0x09, 0, 0 };
    const uint8_t align[12] = { 0x86, 0x0a, 0, 0, 0, 1, 0x01, 0x04, 0x07, 0 };
    expect_opt_event(*state, tag0, 12, DECODE_EV_IPV4_OPT_MALFORMED);
    expect_opt_event(*state, long_tag, 12, DECODE_EV_IPV4_OPT_MALFORMED);
    expect_opt_event(*state, align, 12, DECODE_EV_IPV4_OPT_MALFORMED);
}

static void ipv4_duplicate_option_is_noted(void **state)
{
    const uint8_t o[8] = { 0x94, 0x04, 0, 0, 0x94, 0x04, 0, 0 };
    expect_opt_event(*state, o, 8, DECODE_EV_IPV4_OPT_DUPLICATE);
}

static void ipv4_unknown_option_is_invalid(void **state)
{
    const uint8_t o[8] = { 0x9e, 0x04, 0, 0, 0, 0, 0, 0 };
    expect_opt_event(*state, o, 8, DECODE_EV_IPV4_OPT_INVALID);
}

static void ipv4_option_area_not_multiple_of_eight_wants_padding(void **state)
{
    const uint8_t o[4] = { 0x94, 0x04, 0, 0 };
    int rc;
    Packet *p = decode_with_opts(*state, o, 4, &rc);
    assert_true(packet_has_event(p, DECODE_EV_IPV4_OPT_PAD_REQUIRED));
    assert_true(p->ip4.opts & IPV4_OPT_RTRALT);
    dtu_packet_free(p);
}

/* --- fragments --- */

static void ipv4_first_fragment_leaves_l4_to_defrag(void **state)
{
    uint8_t b[sizeof(ipv4_udp)];
    memcpy(b, ipv4_udp, sizeof(b));
    b[6] = 0x20;                 // MF, offset 0
    itu_ipv4_fix_csum(b);
    Packet *p = NULL;
    assert_int_equal(run4(*state, b, sizeof(b), &p), 0);
    assert_true(p->flags & PKT_F_IS_FRAGMENT);
    assert_int_equal(p->l4, PKT_L4_NONE); // as Suricata: the rebuilt datagram has it
    assert_int_equal(p->proto, 17);
    assert_int_equal(dtu_counter(*state, "decoder.udp"), 0);
    dtu_packet_free(p);
}

static void ipv4_later_fragment_skips_l4(void **state)
{
    uint8_t b[sizeof(ipv4_udp)];
    memcpy(b, ipv4_udp, sizeof(b));
    b[7] = 0x03;                 // offset 3 (24 bytes), no MF
    itu_ipv4_fix_csum(b);
    Packet *p = NULL;
    assert_int_equal(run4(*state, b, sizeof(b), &p), 0);
    assert_true(p->flags & PKT_F_IS_FRAGMENT);
    assert_int_equal(p->l4, PKT_L4_NONE);
    assert_int_equal(p->ip4.frag_field & 0x1fff, 3);
    assert_int_equal(dtu_counter(*state, "decoder.udp"), 0);
    dtu_packet_free(p);
}

/* --- protocols, tunnels --- */

static void ipv4_unknown_protocol_is_opaque_payload(void **state)
{
    uint8_t b[40];
    uint32_t n = itu_ipv4_build(b, 89, NULL, 0, (const uint8_t *)"ospfdata", 8);
    Packet *p = NULL;
    assert_int_equal(run4(*state, b, n, &p), 0);
    assert_int_equal(p->l4, PKT_L4_OTHER);
    assert_int_equal(p->proto, 89);
    assert_int_equal(p->payload_len, 8);
    assert_memory_equal(p->payload, "ospfdata", 8);
    dtu_packet_free(p);
}

static void ipv4_counts_sctp_and_esp(void **state)
{
    uint8_t b[40];
    Packet *p = NULL;
    static const uint8_t sctp_hdr[12] = { 0x0b, 0x59, 0x0b, 0x5a, 1, 2, 3, 4, 0, 0, 0, 0 };
    uint32_t n = itu_ipv4_build(b, 132, NULL, 0, sctp_hdr, sizeof(sctp_hdr));
    assert_int_equal(run4(*state, b, n, &p), 0);
    assert_int_equal(p->proto, 132);
    assert_int_equal(p->sp, 2905);
    dtu_packet_free(p);
    n = itu_ipv4_build(b, 50, NULL, 0, udp_body, 8);
    assert_int_equal(run4(*state, b, n, &p), 0);
    assert_int_equal(p->proto, 50);
    dtu_packet_free(p);
    assert_int_equal(dtu_counter(*state, "decoder.sctp"), 1);
    assert_int_equal(dtu_counter(*state, "decoder.esp"), 1);
}

static void ipv4_icmpv6_over_ipv4_is_invalid(void **state)
{
    uint8_t b[40];
    uint32_t n = itu_ipv4_build(b, 58, NULL, 0, udp_body, 8);
    expect_event(*state, b, n, DECODE_EV_IPV4_ICMPV6, true);
    assert_int_equal(dtu_counter(*state, "decoder.icmpv6"), 0);
}

static void ipv4_in_ipv4_decodes_inner_packet(void **state)
{
    Packet *p = NULL;
    assert_int_equal(run4(*state, ipv4_in_ipv4, sizeof(ipv4_in_ipv4), &p), 0);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->tunnel_depth, 1);
    assert_memory_equal(p->src.a.u8, ((uint8_t[]){ 192, 0, 2, 1 }), 4);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(p->dp, 53);
    assert_int_equal(dtu_counter(*state, "decoder.ipv4_in_ipv4"), 1);
    assert_int_equal(dtu_counter(*state, "decoder.ipv4"), 2);
    dtu_packet_free(p);
}

static void ipv6_in_ipv4_decodes_inner_packet(void **state)
{
    Packet *p = NULL;
    assert_int_equal(run4(*state, ipv6_in_ipv4, sizeof(ipv6_in_ipv4), &p), 0);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->l3, PKT_L3_IPV6);
    assert_int_equal(p->src.family, 6);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(dtu_counter(*state, "decoder.ipv6_in_ipv4"), 1);
    dtu_packet_free(p);
}

static void ipv4_nested_tunnels_stop_at_depth_limit(void **state)
{
    /* 8 IPv4-in-IPv4 headers around a UDP datagram: deeper than allowed. */
    uint8_t a[400];
    uint8_t b[400];
    uint32_t n = itu_ipv4_build(a, 17, NULL, 0, udp_body, sizeof(udp_body));
    for (int i = 0; i < 8; i++) {
        n = itu_ipv4_build(b, 4, NULL, 0, a, n);
        memcpy(a, b, n);
    }
    Packet *p = NULL;
    assert_true(run4(*state, a, n, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_TOO_MANY_LAYERS));
    assert_int_equal(p->tunnel_depth, PACKET_MAX_TUNNEL_DEPTH);
    assert_int_equal(dtu_counter(*state, "decoder.too_many_layers"), 1);
    dtu_packet_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ipv4_decodes_tcp_sample_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_ignores_trailing_ethernet_padding, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_every_truncation_raises_an_event, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_every_truncation_via_decode_packet_is_invalid, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ipv4_rejects_wrong_version, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_rejects_ihl_below_five, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_rejects_ihl_fifteen_with_short_total_length, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ipv4_rejects_ihl_fifteen_beyond_capture, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_rejects_total_length_beyond_capture, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ipv4_rejects_total_length_below_header, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_accepts_record_route, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_accepts_each_known_option, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_option_length_zero_or_one_is_invalid_len, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ipv4_each_invalid_option_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_option_overrunning_header_is_invalid_len, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ipv4_lone_option_type_at_end_needs_eol, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_route_pointer_off_slot_is_malformed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ipv4_timestamp_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_fixed_length_options_check_length, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_cipso_bad_tags_are_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_duplicate_option_is_noted, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_unknown_option_is_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_option_area_not_multiple_of_eight_wants_padding,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_first_fragment_leaves_l4_to_defrag, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_later_fragment_skips_l4, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_unknown_protocol_is_opaque_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_counts_sctp_and_esp, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_icmpv6_over_ipv4_is_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_in_ipv4_decodes_inner_packet, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv6_in_ipv4_decodes_inner_packet, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv4_nested_tunnels_stop_at_depth_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
