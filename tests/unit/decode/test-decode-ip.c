/* Tests of decode_ip_payload dispatch, and a fixed-seed random-input test of
 * the IPv4 and IPv6 decoders (no crash, no overread under ASan). */

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

static void ip_payload_dispatches_by_protocol(void **state)
{
    DecodeTestCtx *t = *state;
    const uint8_t udp[13] = { 0x14, 0xe9, 0x00, 0x35, 0x00, 0x0d, 0, 0, 'h', 'e', 'l', 'l', 'o' };
    Packet *p = dtu_packet_new(udp, sizeof(udp), LINKTYPE_RAW);
    assert_int_equal(decode_ip_payload(&t->dtv, p, 17, p->data, p->caplen), 0);
    assert_int_equal(p->l4, PKT_L4_UDP);
    decode_packet_reset(p);
    assert_int_equal(decode_ip_payload(&t->dtv, p, 103, p->data, p->caplen), 0);
    assert_int_equal(p->l4, PKT_L4_OTHER);
    assert_int_equal(p->proto, 103);
    assert_int_equal(p->payload_len, sizeof(udp));
    dtu_packet_free(p);
}

/* SCTP: the common header's ports key the flow; the chunks are the payload;
 * fewer than 12 bytes is sctp.pkt_too_small and an invalid packet. */
static void ip_payload_sctp_ports_and_short_header(void **state)
{
    DecodeTestCtx *t = *state;
    const uint8_t sctp[16] = { 0x0b, 0x59, 0x0b, 0x5a, 1, 2, 3, 4, 0, 0, 0, 0, 'c', 'h', 'n', 'k' };
    Packet *p = dtu_packet_new(sctp, sizeof(sctp), LINKTYPE_RAW);
    assert_int_equal(decode_ip_payload(&t->dtv, p, 132, p->data, p->caplen), 0);
    assert_int_equal(p->l4, PKT_L4_OTHER);
    assert_int_equal(p->proto, 132);
    assert_int_equal(p->sp, 2905);
    assert_int_equal(p->dp, 2906);
    assert_int_equal(p->payload_len, 4);
    assert_memory_equal(p->payload, "chnk", 4);
    assert_int_equal(dtu_event_count(t, DECODE_EV_SCTP_PKT_TOO_SMALL), 0);
    decode_packet_reset(p);
    assert_int_not_equal(decode_ip_payload(&t->dtv, p, 132, p->data, 11), 0);
    assert_int_equal(p->sp, 0);
    assert_int_equal(p->dp, 0);
    assert_int_equal(dtu_event_count(t, DECODE_EV_SCTP_PKT_TOO_SMALL), 1);
    assert_int_equal(dtu_counter(t, "decoder.sctp"), 2);
    dtu_packet_free(p);
}

static void ip_packets_decode_through_decode_packet(void **state)
{
    DecodeTestCtx *t = *state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(t, ipv4_tcp_data, sizeof(ipv4_tcp_data), LINKTYPE_IPV4, &p), 0);
    assert_int_equal(p->l4, PKT_L4_TCP);
    dtu_packet_free(p);
    assert_int_equal(dtu_decode(t, ipv6_ext_chain, sizeof(ipv6_ext_chain), LINKTYPE_RAW, &p), 0);
    assert_int_equal(p->l3, PKT_L3_IPV6);
    dtu_packet_free(p);
    assert_int_equal(dtu_counter(t, "decoder.pkts"), 2);
}

/* xorshift32: deterministic, seedable, good enough to scatter bytes. */
static uint32_t rnd(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* A random packet in buf: either random bytes with a plausible version
 * nibble, or one of the samples with a few bytes overwritten. */
static uint32_t random_packet(uint32_t *s, uint8_t *buf, uint32_t cap, bool v6)
{
    const uint8_t *samples4[] = { ipv4_tcp_syn, ipv4_udp, ipv4_icmp_unreach, ipv4_in_ipv4,
                                  ipv6_in_ipv4 };
    const uint32_t lens4[] = { sizeof(ipv4_tcp_syn), sizeof(ipv4_udp), sizeof(ipv4_icmp_unreach),
                               sizeof(ipv4_in_ipv4), sizeof(ipv6_in_ipv4) };
    const uint8_t *samples6[] = { ipv6_tcp, ipv6_icmpv6_unreach, ipv6_mld_report, ipv6_ext_chain,
                                  ipv6_udp };
    const uint32_t lens6[] = { sizeof(ipv6_tcp), sizeof(ipv6_icmpv6_unreach),
                               sizeof(ipv6_mld_report), sizeof(ipv6_ext_chain),
                               sizeof(ipv6_udp) };
    uint32_t len;
    if (rnd(s) % 3 == 0) {
        len = rnd(s) % cap;
        for (uint32_t i = 0; i < len; i++) {
            buf[i] = (uint8_t)rnd(s);
        }
        if (len > 0) {
            buf[0] = (uint8_t)((v6 ? 0x60 : 0x40) | (buf[0] & 0x0f));
        }
        return len;
    }
    uint32_t k = rnd(s) % 5;
    len = v6 ? lens6[k] : lens4[k];
    memcpy(buf, v6 ? samples6[k] : samples4[k], len);
    uint32_t flips = 1 + rnd(s) % 4;
    for (uint32_t i = 0; i < flips; i++) {
        buf[rnd(s) % len] = (uint8_t)rnd(s);
    }
    if (rnd(s) % 4 == 0) {
        len = rnd(s) % (len + 1);
    }
    return len;
}

static void random_packets_never_crash(void **state)
{
    DecodeTestCtx *t = *state;
    uint32_t seed = 0x5eed1234u;
    uint8_t buf[256];
    for (int i = 0; i < 10000; i++) {
        bool v6 = (i & 1) != 0;
        uint32_t len = random_packet(&seed, buf, sizeof(buf), v6);
        Packet *p = NULL;
        int rc = itu_decode_fn(t, v6 ? decode_ipv6 : decode_ipv4, buf, len, &p);
        assert_true(rc == 0 || rc < 0);
        assert_true(p->n_events <= PACKET_MAX_EVENTS);
        if (p->payload != NULL) {
            assert_true(p->payload >= p->data);
            assert_true(p->payload + p->payload_len <= p->data + len);
        }
        dtu_packet_free(p);
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(ip_payload_dispatches_by_protocol),
        T(ip_payload_sctp_ports_and_short_header),
        T(ip_packets_decode_through_decode_packet),
        T(random_packets_never_crash),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
