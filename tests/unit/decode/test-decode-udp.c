/* Tests of decode_udp: lengths, payload, and the UDP tunnels by port. */

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

#define UDP_PART (ipv4_udp + 20)
#define UDP_PART_LEN ((uint32_t)sizeof(ipv4_udp) - 20)

static void expect_udp_event(DecodeTestCtx *t, const uint8_t *b, uint32_t len, DecodeEvent ev)
{
    Packet *p = NULL;
    assert_true(itu_decode_fn(t, decode_udp, b, len, &p) < 0);
    assert_true(packet_has_event(p, ev));
    assert_int_equal(p->l4, PKT_L4_NONE);
    dtu_packet_free(p);
}

static void udp_decodes_sample(void **state)
{
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv4, ipv4_udp, sizeof(ipv4_udp), &p), 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(p->proto, 17);
    assert_int_equal(p->sp, 5353);
    assert_int_equal(p->dp, 53);
    assert_int_equal(p->udp.len, 13);
    assert_int_equal(p->payload_len, 5);
    assert_memory_equal(p->payload, "hello", 5);
    assert_int_equal(dtu_counter(*state, "decoder.udp"), 1);
    dtu_packet_free(p);
}

static void udp_every_truncation_raises_an_event(void **state)
{
    for (uint32_t n = 0; n < UDP_PART_LEN; n++) {
        DecodeEvent ev = n < 8 ? DECODE_EV_UDP_HLEN_TOO_SMALL : DECODE_EV_UDP_PKT_TOO_SMALL;
        expect_udp_event(*state, UDP_PART, n, ev);
    }
}

static void udp_length_below_header_is_invalid(void **state)
{
    uint8_t b[UDP_PART_LEN];
    for (uint8_t l = 0; l < 8; l++) {
        memcpy(b, UDP_PART, sizeof(b));
        b[5] = l;
        expect_udp_event(*state, b, sizeof(b), DECODE_EV_UDP_LEN_INVALID);
    }
}

static void udp_length_beyond_datagram_is_too_small(void **state)
{
    uint8_t b[UDP_PART_LEN];
    memcpy(b, UDP_PART, sizeof(b));
    b[4] = 0x01;
    expect_udp_event(*state, b, sizeof(b), DECODE_EV_UDP_PKT_TOO_SMALL);
}

static void udp_payload_stops_at_udp_length(void **state)
{
    uint8_t b[UDP_PART_LEN];
    memcpy(b, UDP_PART, sizeof(b));
    b[5] = 10;                   // 2 payload bytes, 3 more in the IP datagram
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_udp, b, sizeof(b), &p), 0);
    assert_int_equal(p->payload_len, 2);
    assert_int_equal(p->n_events, 0);
    dtu_packet_free(p);
}

static void udp_in_first_fragment_is_not_decoded(void **state)
{
    uint8_t b[40];
    uint8_t body[12] = { 0x14, 0xe9, 0x00, 0x35, 0x05, 0xdc, 0, 0, 'a', 'b', 'c', 'd' };
    uint32_t n = itu_ipv4_build(b, 17, NULL, 0, body, sizeof(body));
    b[6] = 0x20;                 // MF
    itu_ipv4_fix_csum(b);
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv4, b, n, &p), 0);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->l4, PKT_L4_NONE); // defrag decodes the whole datagram
    dtu_packet_free(p);
}

/* IPv4/UDP to dport around body. */
static uint32_t build_udp(uint8_t *b, uint16_t sport, uint16_t dport, const uint8_t *body,
                          uint32_t blen)
{
    uint8_t u[600];
    uint32_t ulen = 8 + blen;
    u[0] = (uint8_t)(sport >> 8);
    u[1] = (uint8_t)sport;
    u[2] = (uint8_t)(dport >> 8);
    u[3] = (uint8_t)dport;
    u[4] = (uint8_t)(ulen >> 8);
    u[5] = (uint8_t)ulen;
    u[6] = 0;
    u[7] = 0;
    memcpy(u + 8, body, blen);
    return itu_ipv4_build(b, 17, NULL, 0, u, ulen);
}

static uint32_t vxlan_body(uint8_t *v, uint8_t flags)
{
    static const uint8_t eth[14] = { 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00 };
    memset(v, 0, 8);
    v[0] = flags;
    v[6] = 0x01;                 // VNI 1
    memcpy(v + 8, eth, 14);
    memcpy(v + 22, ipv4_tcp_data, sizeof(ipv4_tcp_data));
    return 22 + (uint32_t)sizeof(ipv4_tcp_data);
}

static void udp_to_vxlan_port_decodes_inner_frame(void **state)
{
    uint8_t v[200];
    uint8_t b[300];
    uint32_t n = build_udp(b, 50000, 4789, v, vxlan_body(v, 0x08));
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv4, b, n, &p), 0);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->l4, PKT_L4_TCP);
    assert_int_equal(p->dp, 80);
    assert_int_equal(dtu_counter(*state, "decoder.vxlan"), 1);
    dtu_packet_free(p);
}

static void udp_with_bad_vxlan_header_stays_plain_udp(void **state)
{
    uint8_t v[200];
    uint8_t b[300];
    uint32_t vlen = vxlan_body(v, 0x00);
    uint32_t n = build_udp(b, 50000, 4789, v, vlen);
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv4, b, n, &p), 0);
    assert_false(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(p->dp, 4789);
    assert_int_equal(p->payload_len, vlen);
    dtu_packet_free(p);
}

static void udp_vxlan_disabled_is_plain_udp(void **state)
{
    DecodeTestCtx *t = *state;
    t->dtv.vxlan_enabled = false;
    uint8_t v[200];
    uint8_t b[300];
    uint32_t n = build_udp(b, 50000, 4789, v, vxlan_body(v, 0x08));
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(t, decode_ipv4, b, n, &p), 0);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(dtu_counter(t, "decoder.vxlan"), 0);
    dtu_packet_free(p);
}

static void udp_from_teredo_port_decodes_inner_ipv6(void **state)
{
    uint8_t b[300];
    uint32_t n = build_udp(b, 3544, 40000, ipv6_udp, sizeof(ipv6_udp));
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv4, b, n, &p), 0);
    assert_true(p->flags & PKT_F_TUNNEL);
    assert_int_equal(p->l3, PKT_L3_IPV6);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(p->dp, 53);
    assert_int_equal(dtu_counter(*state, "decoder.teredo"), 1);
    dtu_packet_free(p);
}

static void udp_teredo_port_with_other_payload_stays_plain_udp(void **state)
{
    uint8_t b[300];
    uint32_t n = build_udp(b, 3544, 40000, (const uint8_t *)"not teredo at all", 17);
    Packet *p = NULL;
    assert_int_equal(itu_decode_fn(*state, decode_ipv4, b, n, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(p->l4, PKT_L4_UDP);
    assert_int_equal(p->payload_len, 17);
    dtu_packet_free(p);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(udp_decodes_sample),
        T(udp_every_truncation_raises_an_event),
        T(udp_length_below_header_is_invalid),
        T(udp_length_beyond_datagram_is_too_small),
        T(udp_payload_stops_at_udp_length),
        T(udp_in_first_fragment_is_not_decoded),
        T(udp_to_vxlan_port_decodes_inner_frame),
        T(udp_with_bad_vxlan_header_stays_plain_udp),
        T(udp_vxlan_disabled_is_plain_udp),
        T(udp_from_teredo_port_decodes_inner_ipv6),
        T(udp_teredo_port_with_other_payload_stays_plain_udp),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
