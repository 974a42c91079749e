/* Tests of the RFC 1071 checksums and of checksum validation in the IP,
 * TCP and UDP decoders (all, none and auto modes). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "decode/ip-samples.h"
#include "decode/ip-test-util.h"
#include "util/util-byte.h"

/* Straightforward 16-bit word sum: the oracle for the fast version. */
static uint16_t slow_csum(const uint8_t *b, uint32_t len)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < len; i += 2) {
        uint32_t w = (uint32_t)b[i] << 8;
        if (i + 1 < len) {
            w |= b[i + 1];
        }
        sum += w;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

static void csum_of_correct_ipv4_header_is_zero(void **state)
{
    (void)state;
    assert_int_equal(decode_csum_ipv4_hdr(ipv4_tcp_syn, 20), 0);
    assert_int_equal(decode_csum_ipv4_hdr(ipv4_icmp_unreach, 20), 0);
}

static void csum_detects_a_flipped_bit(void **state)
{
    (void)state;
    uint8_t b[20];
    memcpy(b, ipv4_tcp_syn, 20);
    b[8] ^= 0x01;
    assert_int_not_equal(decode_csum_ipv4_hdr(b, 20), 0);
}

static void csum_with_zeroed_field_yields_the_field(void **state)
{
    (void)state;
    uint8_t b[20];
    memcpy(b, ipv4_udp, 20);
    b[10] = 0;
    b[11] = 0;
    assert_int_equal(decode_csum_ipv4_hdr(b, 20), util_be16(ipv4_udp + 10));
}

static void csum_matches_slow_sum_for_every_length(void **state)
{
    (void)state;
    uint8_t b[200];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(b); i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (uint8_t)(x >> 16);
    }
    for (uint32_t len = 0; len <= sizeof(b); len++) {
        assert_int_equal(decode_csum_ipv4_hdr(b, len), slow_csum(b, len));
    }
    memset(b, 0xff, sizeof(b));
    assert_int_equal(decode_csum_ipv4_hdr(b, sizeof(b)), slow_csum(b, sizeof(b)));
}

static void csum_l4_of_samples_is_zero(void **state)
{
    (void)state;
    assert_int_equal(decode_csum_l4_ipv4(ipv4_tcp_syn + 12, ipv4_tcp_syn + 16, 6,
                                         ipv4_tcp_syn + 20, sizeof(ipv4_tcp_syn) - 20), 0);
    assert_int_equal(decode_csum_l4_ipv4(ipv4_udp + 12, ipv4_udp + 16, 17, ipv4_udp + 20,
                                         sizeof(ipv4_udp) - 20), 0);
    assert_int_equal(decode_csum_l4_ipv6(ipv6_udp + 8, ipv6_udp + 24, 17, ipv6_udp + 40,
                                         sizeof(ipv6_udp) - 40), 0);
    assert_int_equal(decode_csum_l4_ipv6(ipv6_tcp + 8, ipv6_tcp + 24, 6, ipv6_tcp + 40,
                                         sizeof(ipv6_tcp) - 40), 0);
    assert_int_equal(decode_csum_l4_ipv6(ipv6_icmpv6_echo + 8, ipv6_icmpv6_echo + 24, 58,
                                         ipv6_icmpv6_echo + 40, sizeof(ipv6_icmpv6_echo) - 40),
                     0);
}

/* --- validation in the decoders --- */

static Packet *decode4(DecodeTestCtx *t, const uint8_t *b, uint32_t len)
{
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(t, decode_ipv4, b, len, &p), 0);
    return p;
}

static void valid_checksums_leave_no_flags(void **state)
{
    (void)state;
    DecodeTestCtx t;
    dtu_setup(&t, CHECKSUM_ALL);
    Packet *p = decode4(&t, ipv4_tcp_data, sizeof(ipv4_tcp_data));
    assert_false(p->flags & (PKT_F_IPV4_CSUM_BAD | PKT_F_L4_CSUM_BAD));
    dtu_packet_free(p);
    dtu_teardown(&t);
}

static void bad_ipv4_header_checksum_is_flagged_and_decoding_goes_on(void **state)
{
    (void)state;
    DecodeTestCtx t;
    dtu_setup(&t, CHECKSUM_ALL);
    uint8_t b[sizeof(ipv4_tcp_data)];
    memcpy(b, ipv4_tcp_data, sizeof(b));
    b[11] ^= 0x55;
    Packet *p = decode4(&t, b, sizeof(b));
    assert_true(p->ip4.csum_bad);
    assert_true(p->flags & PKT_F_IPV4_CSUM_BAD);
    assert_int_equal(p->l4, PKT_L4_TCP);
    assert_int_equal(p->payload_len, 18);
    assert_int_equal(dtu_counter(&t, "decoder.ipv4_csum_bad"), 1);
    dtu_packet_free(p);
    dtu_teardown(&t);
}

static void bad_tcp_checksum_is_flagged(void **state)
{
    (void)state;
    DecodeTestCtx t;
    dtu_setup(&t, CHECKSUM_ALL);
    uint8_t b[sizeof(ipv4_tcp_data)];
    memcpy(b, ipv4_tcp_data, sizeof(b));
    b[sizeof(b) - 1] ^= 0x20;    // payload byte
    Packet *p = decode4(&t, b, sizeof(b));
    assert_true(p->tcp.csum_bad);
    assert_true(p->flags & PKT_F_L4_CSUM_BAD);
    assert_false(p->flags & PKT_F_IPV4_CSUM_BAD);
    assert_int_equal(dtu_counter(&t, "decoder.l4_csum_bad"), 1);
    dtu_packet_free(p);
    dtu_teardown(&t);
}

static void bad_udp_checksum_is_flagged_over_both_ip_versions(void **state)
{
    (void)state;
    DecodeTestCtx t;
    dtu_setup(&t, CHECKSUM_ALL);
    uint8_t b4[sizeof(ipv4_udp)];
    memcpy(b4, ipv4_udp, sizeof(b4));
    b4[sizeof(b4) - 1] ^= 0x01;
    Packet *p = decode4(&t, b4, sizeof(b4));
    assert_true(p->udp.csum_bad);
    dtu_packet_free(p);
    uint8_t b6[sizeof(ipv6_udp)];
    memcpy(b6, ipv6_udp, sizeof(b6));
    b6[sizeof(b6) - 1] ^= 0x01;
    assert_int_equal(itu_decode_fn(&t, decode_ipv6, b6, sizeof(b6), &p), 0);
    assert_true(p->udp.csum_bad);
    assert_true(p->flags & PKT_F_L4_CSUM_BAD);
    dtu_packet_free(p);
    dtu_teardown(&t);
}

static void zero_udp_checksum_means_none_over_ipv4_only(void **state)
{
    (void)state;
    DecodeTestCtx t;
    dtu_setup(&t, CHECKSUM_ALL);
    uint8_t b4[sizeof(ipv4_udp)];
    memcpy(b4, ipv4_udp, sizeof(b4));
    b4[26] = 0;
    b4[27] = 0;
    Packet *p = decode4(&t, b4, sizeof(b4));
    assert_false(p->udp.csum_bad);
    dtu_packet_free(p);
    uint8_t b6[sizeof(ipv6_udp)];
    memcpy(b6, ipv6_udp, sizeof(b6));
    b6[46] = 0;
    b6[47] = 0;
    assert_int_equal(itu_decode_fn(&t, decode_ipv6, b6, sizeof(b6), &p), 0);
    assert_true(p->udp.csum_bad);
    dtu_packet_free(p);
    dtu_teardown(&t);
}

static void checksum_mode_none_checks_nothing(void **state)
{
    (void)state;
    DecodeTestCtx t;
    dtu_setup(&t, CHECKSUM_NONE);
    uint8_t b[sizeof(ipv4_tcp_data)];
    memcpy(b, ipv4_tcp_data, sizeof(b));
    b[11] ^= 0x55;
    b[sizeof(b) - 1] ^= 0x20;
    Packet *p = decode4(&t, b, sizeof(b));
    assert_false(p->flags & (PKT_F_IPV4_CSUM_BAD | PKT_F_L4_CSUM_BAD));
    assert_false(p->ip4.csum_bad);
    assert_false(p->tcp.csum_bad);
    dtu_packet_free(p);
    dtu_teardown(&t);
}

static void fragments_skip_l4_checksum(void **state)
{
    (void)state;
    DecodeTestCtx t;
    dtu_setup(&t, CHECKSUM_ALL);
    uint8_t b[sizeof(ipv4_udp)];
    memcpy(b, ipv4_udp, sizeof(b));
    b[6] = 0x20;                 // MF: the UDP checksum covers bytes not here
    b[sizeof(b) - 1] ^= 0x01;
    itu_ipv4_fix_csum(b);
    Packet *p = decode4(&t, b, sizeof(b));
    assert_false(p->udp.csum_bad);
    assert_false(p->flags & PKT_F_L4_CSUM_BAD);
    dtu_packet_free(p);
    dtu_teardown(&t);
}

static void auto_mode_stops_validating_when_most_checksums_are_bad(void **state)
{
    (void)state;
    DecodeTestCtx t;
    dtu_setup(&t, CHECKSUM_AUTO);
    assert_true(t.dtv.validate_checksums);
    uint8_t b[sizeof(ipv4_tcp_data)];
    memcpy(b, ipv4_tcp_data, sizeof(b));
    b[sizeof(b) - 1] ^= 0x20;    // bad TCP checksum, good IP header
    for (int i = 0; i < 2000 && t.dtv.validate_checksums; i++) {
        Packet *p = decode4(&t, b, sizeof(b));
        dtu_packet_free(p);
    }
    assert_false(t.dtv.validate_checksums);
    Packet *p = decode4(&t, b, sizeof(b));
    assert_false(p->tcp.csum_bad);
    dtu_packet_free(p);
    dtu_teardown(&t);
}

static void auto_mode_keeps_validating_good_traffic(void **state)
{
    (void)state;
    DecodeTestCtx t;
    dtu_setup(&t, CHECKSUM_AUTO);
    for (int i = 0; i < 1500; i++) {
        Packet *p = decode4(&t, ipv4_tcp_data, sizeof(ipv4_tcp_data));
        dtu_packet_free(p);
    }
    assert_true(t.dtv.validate_checksums);
    dtu_teardown(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csum_of_correct_ipv4_header_is_zero),
        cmocka_unit_test(csum_detects_a_flipped_bit),
        cmocka_unit_test(csum_with_zeroed_field_yields_the_field),
        cmocka_unit_test(csum_matches_slow_sum_for_every_length),
        cmocka_unit_test(csum_l4_of_samples_is_zero),
        cmocka_unit_test(valid_checksums_leave_no_flags),
        cmocka_unit_test(bad_ipv4_header_checksum_is_flagged_and_decoding_goes_on),
        cmocka_unit_test(bad_tcp_checksum_is_flagged),
        cmocka_unit_test(bad_udp_checksum_is_flagged_over_both_ip_versions),
        cmocka_unit_test(zero_udp_checksum_means_none_over_ipv4_only),
        cmocka_unit_test(checksum_mode_none_checks_nothing),
        cmocka_unit_test(fragments_skip_l4_checksum),
        cmocka_unit_test(auto_mode_stops_validating_when_most_checksums_are_bad),
        cmocka_unit_test(auto_mode_keeps_validating_good_traffic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
