/* respond_reject_packet on packets the decoder made (respond/respond-reject.c):
 * a reject on a packet inside a tunnel is counted in
 * respond.tunnel_not_answered and sends nothing; a datagram rebuilt from
 * fragments is answered, at link level through its wire packet (the last
 * fragment) when the capture bridges interfaces. No raw sockets: the
 * RespondReject has none, so only the link-level path can send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "respond/respond.h"
#include "runtime/counters.h"

typedef struct Sent {
    int n;
    const Packet *via;
    bool is_to_src;
    uint8_t bytes[256];
    size_t len;
} Sent;

static Sent g_sent;

static int inject_stub(const Packet *p, bool is_to_src, const uint8_t *ip, size_t len)
{
    g_sent.n++;
    g_sent.via = p;
    g_sent.is_to_src = is_to_src;
    g_sent.len = len < sizeof(g_sent.bytes) ? len : sizeof(g_sent.bytes);
    memcpy(g_sent.bytes, ip, g_sent.len);
    return 0;
}

typedef struct Fixture {
    RespondReject rr;
    CounterSet *cs;
    uint8_t ip[28];              // IPv4 + UDP, 198.18.0.2:1234 -> 198.18.0.3:5003
    Packet wire;                 // the packet from the wire (root)
    Packet inner;                // the decoder's packet under test
} Fixture;

static void fixture_init(Fixture *fx, uint8_t tunnel_kind)
{
    memset(fx, 0, sizeof(*fx));
    memset(&g_sent, 0, sizeof(g_sent));
    fx->rr.fd4 = fx->rr.fd6 = -1;
    fx->rr.c_rst = counters_register("respond.rst_sent", COUNTER_SUM);
    fx->rr.c_icmp = counters_register("respond.icmp_sent", COUNTER_SUM);
    fx->rr.c_errors = counters_register("respond.send_errors", COUNTER_SUM);
    fx->rr.c_tunnel = counters_register("respond.tunnel_not_answered", COUNTER_SUM);
    fx->cs = counters_set_new();
    assert_non_null(fx->cs);
    static const uint8_t hdr[28] = {0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 198, 18, 0, 2,
                                    198, 18, 0, 3, 0x04, 0xd2, 0x13, 0x8b, 0, 8, 0, 0};
    memcpy(fx->ip, hdr, sizeof(hdr));
    fx->wire.inject_fn = inject_stub;
    Packet *p = &fx->inner;
    p->root = &fx->wire;
    p->tunnel_kind = tunnel_kind;
    p->flags = PKT_F_DROP | PKT_F_REJECT;   // an exception policy's reject: rejectsrc
    p->l3 = PKT_L3_IPV4;
    p->l4 = PKT_L4_UDP;
    p->l3_hdr = fx->ip;
    p->l3_len = sizeof(fx->ip);
    p->ip4.hlen = 20;
    p->src.family = p->dst.family = 4;
    memcpy(&p->src.a.u32[0], fx->ip + 12, 4);
    memcpy(&p->dst.a.u32[0], fx->ip + 16, 4);
}

static uint64_t count_of(const Fixture *fx, CounterId id)
{
    return counters_get(fx->cs, id);
}

static void fixture_free(Fixture *fx)
{
    counters_set_free(fx->cs);
    counters_reset();
}

static void reject_inside_a_tunnel_is_counted_not_sent(void **state)
{
    (void)state;
    Fixture fx;
    fixture_init(&fx, PKT_TUNNEL_GRE);
    respond_reject_packet(&fx.rr, &fx.inner, fx.cs);
    respond_reject_packet(&fx.rr, &fx.inner, fx.cs);
    assert_int_equal(g_sent.n, 0);
    assert_int_equal(count_of(&fx, fx.rr.c_tunnel), 2);
    assert_int_equal(count_of(&fx, fx.rr.c_icmp), 0);
    assert_int_equal(count_of(&fx, fx.rr.c_errors), 0);
    fixture_free(&fx);
}

static void rebuilt_datagram_is_answered_through_its_wire_packet(void **state)
{
    (void)state;
    Fixture fx;
    fixture_init(&fx, PKT_TUNNEL_DEFRAG);
    respond_reject_packet(&fx.rr, &fx.inner, fx.cs);
    assert_int_equal(g_sent.n, 1);
    assert_ptr_equal(g_sent.via, &fx.wire);
    assert_true(g_sent.is_to_src);
    // ICMP port unreachable from 198.18.0.3 to 198.18.0.2, quoting the datagram
    assert_int_equal(g_sent.len, 20 + 8 + 28);
    assert_int_equal(g_sent.bytes[9], 1);
    assert_memory_equal(g_sent.bytes + 12, fx.ip + 16, 4);
    assert_memory_equal(g_sent.bytes + 16, fx.ip + 12, 4);
    assert_int_equal(g_sent.bytes[20], 3);
    assert_int_equal(g_sent.bytes[21], 3);
    assert_memory_equal(g_sent.bytes + 28, fx.ip, 28);
    assert_int_equal(count_of(&fx, fx.rr.c_icmp), 1);
    assert_int_equal(count_of(&fx, fx.rr.c_tunnel), 0);
    fixture_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reject_inside_a_tunnel_is_counted_not_sent),
        cmocka_unit_test(rebuilt_datagram_is_answered_through_its_wire_packet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
