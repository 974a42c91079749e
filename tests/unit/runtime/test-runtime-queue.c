/* Packet queues and queue handlers (threaded tests also run under TSan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>

#include "runtime/runtime.h"
#include "util/util-error.h"

static void tuple(Packet *p, const char *src, uint16_t sp, const char *dst, uint16_t dp,
                  uint8_t proto)
{
    memset(p, 0, sizeof(*p));
    int af = strchr(src, ':') != NULL ? AF_INET6 : AF_INET;
    p->src.family = af == AF_INET6 ? 6 : 4;
    p->dst.family = p->src.family;
    assert_int_equal(inet_pton(af, src, p->src.a.u8), 1);
    assert_int_equal(inet_pton(af, dst, p->dst.a.u8), 1);
    p->l3 = af == AF_INET6 ? PKT_L3_IPV6 : PKT_L3_IPV4;
    p->proto = proto;
    p->sp = sp;
    p->dp = dp;
}

static void reverse(Packet *r, const Packet *p)
{
    *r = *p;
    r->src = p->dst;
    r->dst = p->src;
    r->sp = p->dp;
    r->dp = p->sp;
}

/* ---- queue ---- */

static void init_with_zero_capacity_fails(void **state)
{
    (void)state;
    PacketQueue q;
    assert_int_equal(packet_queue_init(&q, 0, "q"), VG_EINVAL);
    packet_queue_deinit(&q);
}

static void queue_is_fifo_across_wraparound(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk[10];
    assert_int_equal(packet_queue_init(&q, 4, "fifo"), 0);
    Packet *out[4];
    uint32_t next = 0;
    for (uint32_t i = 0; i < 10; i++) {
        packet_queue_push(&q, &pk[i]);
        if (i % 3 == 2) {
            uint32_t n = packet_queue_pop_batch(&q, out, 4);
            for (uint32_t k = 0; k < n; k++) {
                assert_ptr_equal(out[k], &pk[next++]);
            }
        }
    }
    uint32_t n = packet_queue_pop_batch(&q, out, 4);
    for (uint32_t k = 0; k < n; k++) {
        assert_ptr_equal(out[k], &pk[next++]);
    }
    assert_int_equal(next, 10);
    packet_queue_deinit(&q);
}

static void pop_batch_returns_at_most_max(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk[5];
    Packet *out[8];
    assert_int_equal(packet_queue_init(&q, 8, "batch"), 0);
    for (int i = 0; i < 5; i++) {
        packet_queue_push(&q, &pk[i]);
    }
    assert_int_equal(packet_queue_pop_batch(&q, out, 2), 2);
    assert_ptr_equal(out[0], &pk[0]);
    assert_ptr_equal(out[1], &pk[1]);
    assert_int_equal(packet_queue_pop_batch(&q, out, 8), 3);
    assert_ptr_equal(out[2], &pk[4]);
    packet_queue_deinit(&q);
}

static void closed_queue_hands_out_what_is_left_then_zero(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk[3];
    Packet *out[8];
    assert_int_equal(packet_queue_init(&q, 8, "drain"), 0);
    for (int i = 0; i < 3; i++) {
        packet_queue_push(&q, &pk[i]);
    }
    packet_queue_close(&q);
    assert_int_equal(packet_queue_pop_batch(&q, out, 8), 3);
    assert_int_equal(packet_queue_pop_batch(&q, out, 8), 0);
    assert_int_equal(packet_queue_pop_batch(&q, out, 8), 0);
    packet_queue_deinit(&q);
}

typedef struct Consumer {
    PacketQueue *q;
    uint32_t n_got;
    uint32_t last;               // what the final pop returned
    uint8_t *seen;               // indexed by pcap_cnt; this consumer's marks
} Consumer;

static void *consumer_main(void *arg)
{
    Consumer *c = arg;
    Packet *out[16];
    uint32_t n;
    while ((n = packet_queue_pop_batch(c->q, out, 16)) > 0) {
        for (uint32_t i = 0; i < n; i++) {
            if (c->seen != NULL) {
                c->seen[out[i]->pcap_cnt]++;
            }
        }
        c->n_got += n;
    }
    c->last = n;
    return NULL;
}

static void close_wakes_every_waiting_consumer_with_zero(void **state)
{
    (void)state;
    PacketQueue q;
    assert_int_equal(packet_queue_init(&q, 8, "close"), 0);
    Consumer c[3];
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        c[i] = (Consumer){.q = &q, .last = 99};
        assert_int_equal(pthread_create(&th[i], NULL, consumer_main, &c[i]), 0);
    }
    packet_queue_close(&q);
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(c[i].last, 0);
        assert_int_equal(c[i].n_got, 0);
    }
    packet_queue_deinit(&q);
}

typedef struct Producer {
    PacketQueue *q;
    Packet *pk;
    uint32_t n;
} Producer;

static void *producer_main(void *arg)
{
    Producer *pr = arg;
    for (uint32_t i = 0; i < pr->n; i++) {
        packet_queue_push(pr->q, &pr->pk[i]);
    }
    return NULL;
}

static void push_on_full_queue_waits_for_a_pop(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk[3];
    Packet *out[4];
    assert_int_equal(packet_queue_init(&q, 2, "full"), 0);
    packet_queue_push(&q, &pk[0]);
    packet_queue_push(&q, &pk[1]);
    Producer pr = {.q = &q, .pk = &pk[2], .n = 1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, producer_main, &pr), 0);
    assert_int_equal(packet_queue_pop_batch(&q, out, 1), 1);
    assert_ptr_equal(out[0], &pk[0]);
    pthread_join(th, NULL);   // returns only once the third push found room
    assert_int_equal(packet_queue_pop_batch(&q, out, 4), 2);
    assert_ptr_equal(out[0], &pk[1]);
    assert_ptr_equal(out[1], &pk[2]);
    packet_queue_deinit(&q);
}

static void push_on_closed_queue_is_refused(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk;
    Packet *out[1];
    assert_int_equal(packet_queue_init(&q, 4, "closed"), 0);
    packet_queue_close(&q);
    assert_int_equal(packet_queue_push(&q, &pk), VG_ECLOSED);
    assert_int_equal(q.n_refused, 1);
    assert_int_equal(packet_queue_pop_batch(&q, out, 1), 0);
    packet_queue_deinit(&q);
}

typedef struct BlockedProducer {
    PacketQueue *q;
    Packet *pk;
    int rc;
} BlockedProducer;

static void *blocked_producer_main(void *arg)
{
    BlockedProducer *bp = arg;
    bp->rc = packet_queue_push(bp->q, bp->pk);
    return NULL;
}

/* Whether the producer is already waiting or arrives after the close, a
 * full queue that closes refuses its packet instead of blocking forever. */
static void close_refuses_a_producer_waiting_on_a_full_queue(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk[2];
    Packet *out[2];
    assert_int_equal(packet_queue_init(&q, 1, "full"), 0);
    assert_int_equal(packet_queue_push(&q, &pk[0]), 0);
    BlockedProducer bp = {.q = &q, .pk = &pk[1], .rc = 1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, blocked_producer_main, &bp), 0);
    packet_queue_close(&q);
    pthread_join(th, NULL);
    assert_int_equal(bp.rc, VG_ECLOSED);
    assert_int_equal(packet_queue_pop_batch(&q, out, 2), 1);
    assert_ptr_equal(out[0], &pk[0]);
    packet_queue_deinit(&q);
}

#define MP_PRODUCERS 4
#define MP_CONSUMERS 3
#define MP_PER_PRODUCER 10000
#define MP_TOTAL (MP_PRODUCERS * MP_PER_PRODUCER)

static void many_producers_and_consumers_deliver_each_packet_once(void **state)
{
    (void)state;
    PacketQueue q;
    assert_int_equal(packet_queue_init(&q, 64, "mpmc"), 0);
    Packet *pk = calloc(MP_TOTAL, sizeof(Packet));
    uint8_t *seen = calloc((size_t)MP_CONSUMERS * MP_TOTAL, 1);
    assert_non_null(pk);
    assert_non_null(seen);
    for (uint32_t i = 0; i < MP_TOTAL; i++) {
        pk[i].pcap_cnt = i;
    }
    Consumer c[MP_CONSUMERS];
    pthread_t cth[MP_CONSUMERS];
    for (int i = 0; i < MP_CONSUMERS; i++) {
        c[i] = (Consumer){.q = &q, .seen = seen + (size_t)i * MP_TOTAL};
        assert_int_equal(pthread_create(&cth[i], NULL, consumer_main, &c[i]), 0);
    }
    Producer pr[MP_PRODUCERS];
    pthread_t pth[MP_PRODUCERS];
    for (int i = 0; i < MP_PRODUCERS; i++) {
        pr[i] = (Producer){.q = &q, .pk = pk + i * MP_PER_PRODUCER, .n = MP_PER_PRODUCER};
        assert_int_equal(pthread_create(&pth[i], NULL, producer_main, &pr[i]), 0);
    }
    for (int i = 0; i < MP_PRODUCERS; i++) {
        pthread_join(pth[i], NULL);
    }
    packet_queue_close(&q);   // shutdown order: producers end, then close
    uint32_t total = 0;
    for (int i = 0; i < MP_CONSUMERS; i++) {
        pthread_join(cth[i], NULL);
        total += c[i].n_got;
    }
    assert_int_equal(total, MP_TOTAL);
    for (uint32_t k = 0; k < MP_TOTAL; k++) {
        uint32_t times = 0;
        for (int i = 0; i < MP_CONSUMERS; i++) {
            times += seen[(size_t)i * MP_TOTAL + k];
        }
        assert_int_equal(times, 1);
    }
    free(seen);
    free(pk);
    packet_queue_deinit(&q);
}

/* ---- handlers ---- */

static void flow_hash_is_the_same_in_both_directions(void **state)
{
    (void)state;
    Packet a;
    Packet b;
    tuple(&a, "10.0.0.1", 40000, "192.168.1.9", 443, 6);
    reverse(&b, &a);
    assert_int_equal(queue_handler_flow_hash(&a), queue_handler_flow_hash(&b));
    tuple(&a, "2001:db8::1", 5353, "2001:db8:ffff::2", 53, 17);
    reverse(&b, &a);
    assert_int_equal(queue_handler_flow_hash(&a), queue_handler_flow_hash(&b));
}

static void flow_hash_differs_for_other_ports_addresses_or_protocol(void **state)
{
    (void)state;
    Packet a;
    Packet b;
    tuple(&a, "10.0.0.1", 40000, "10.0.0.2", 80, 6);
    uint32_t h = queue_handler_flow_hash(&a);
    tuple(&b, "10.0.0.1", 40001, "10.0.0.2", 80, 6);
    assert_int_not_equal(queue_handler_flow_hash(&b), h);
    tuple(&b, "10.0.0.3", 40000, "10.0.0.2", 80, 6);
    assert_int_not_equal(queue_handler_flow_hash(&b), h);
    tuple(&b, "10.0.0.1", 40000, "10.0.0.2", 80, 17);
    assert_int_not_equal(queue_handler_flow_hash(&b), h);
    /* ports swapped without the addresses: another flow */
    tuple(&b, "10.0.0.1", 80, "10.0.0.2", 40000, 6);
    assert_int_not_equal(queue_handler_flow_hash(&b), h);
}

static void flow_hash_differs_for_other_vlan_ids(void **state)
{
    (void)state;
    Packet a;
    Packet b;
    tuple(&a, "10.0.0.1", 40000, "10.0.0.2", 80, 6);
    a.n_vlan = 1;
    a.vlan_id[0] = 10;
    b = a;
    b.vlan_id[0] = 11;
    assert_int_not_equal(queue_handler_flow_hash(&a), queue_handler_flow_hash(&b));
    b = a;
    b.n_vlan = 0;
    assert_int_not_equal(queue_handler_flow_hash(&a), queue_handler_flow_hash(&b));
    b = a;
    b.n_vlan = 2;
    b.vlan_id[1] = 20;
    assert_int_not_equal(queue_handler_flow_hash(&a), queue_handler_flow_hash(&b));
}

#define NQ 4

typedef struct Handler {
    PacketQueue q[NQ];
    PacketQueue *qp[NQ];
    QueueHandler qh;
} Handler;

static void handler_init(Handler *h, QueueHandlerKind kind, RouteKind route, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(packet_queue_init(&h->q[i], 256, "h"), 0);
        h->qp[i] = &h->q[i];
    }
    h->qh = (QueueHandler){.kind = kind, .route = route, .queues = h->qp, .n_queues = n};
}

static void handler_deinit(Handler *h)
{
    for (uint32_t i = 0; i < h->qh.n_queues; i++) {
        packet_queue_deinit(&h->q[i]);
    }
}

/* Which queue holds p (one thread: the rings are read in place). */
static int queue_of(Handler *h, const Packet *p)
{
    int found = -1;
    for (uint32_t i = 0; i < h->qh.n_queues; i++) {
        const PacketQueue *q = &h->q[i];
        for (uint32_t k = 0; k < q->len; k++) {
            if (q->ring[(q->head + k) % q->cap] == p) {
                found = (int)i;
            }
        }
    }
    return found;
}

static void flow_handler_puts_both_directions_on_one_queue(void **state)
{
    (void)state;
    Handler h;
    handler_init(&h, QH_FLOW, ROUTE_IP_VERSION, NQ);
    Packet fwd[32];
    Packet rev[32];
    bool used[NQ] = {false};
    for (int i = 0; i < 32; i++) {
        tuple(&fwd[i], "10.1.0.1", (uint16_t)(1024 + i * 7), "172.16.0.5", 80, 6);
        reverse(&rev[i], &fwd[i]);
        queue_handler_push(&h.qh, &fwd[i]);
        queue_handler_push(&h.qh, &rev[i]);
    }
    for (int i = 0; i < 32; i++) {
        int qf = queue_of(&h, &fwd[i]);
        assert_true(qf >= 0);
        assert_int_equal(queue_of(&h, &rev[i]), qf);
        used[qf] = true;
    }
    int n_used = 0;
    for (int i = 0; i < NQ; i++) {
        n_used += used[i];
    }
    assert_true(n_used >= 2);    // 32 flows are spread, not all on one worker
    handler_deinit(&h);
}

/* Two VXLAN-like roots in different outer flows carry the two directions of
 * one inner flow: both go where the inner flow goes. */
static void flow_handler_routes_roots_by_innermost_tunnel_packet(void **state)
{
    (void)state;
    Handler h;
    handler_init(&h, QH_FLOW, ROUTE_IP_VERSION, NQ);
    Packet inner_fwd, inner_rev, probe;
    tuple(&inner_fwd, "10.3.0.1", 0, "10.3.0.2", 0, 1);
    reverse(&inner_rev, &inner_fwd);
    inner_fwd.tunnel_depth = inner_rev.tunnel_depth = 1;
    tuple(&probe, "10.3.0.1", 0, "10.3.0.2", 0, 1);
    queue_handler_push(&h.qh, &probe);
    int want = queue_of(&h, &probe);
    for (int i = 0; i < 16; i++) {
        Packet a, b;
        tuple(&a, "192.0.2.7", (uint16_t)(40000 + i), "192.0.2.8", 4789, 17);
        tuple(&b, "192.0.2.8", (uint16_t)(50000 + i * 3), "192.0.2.7", 4789, 17);
        a.children = &inner_fwd;
        b.children = &inner_rev;
        queue_handler_push(&h.qh, &a);
        queue_handler_push(&h.qh, &b);
        assert_int_equal(queue_of(&h, &a), want);
        assert_int_equal(queue_of(&h, &b), want);
    }
    handler_deinit(&h);
}

/* smb2-07: an ICMP port unreachable from the DNS server quotes the UDP
 * query 58186 -> 53; the flow stage attaches it to that flow, so it must run
 * in the thread that has the flow. */
static void flow_handler_sends_icmp_errors_to_the_quoted_flow(void **state)
{
    (void)state;
    Handler h;
    handler_init(&h, QH_FLOW, ROUTE_IP_VERSION, NQ);
    for (int i = 0; i < 32; i++) {
        Packet udp, icmp;
        uint16_t sport = (uint16_t)(58186 + i * 11);
        tuple(&udp, "192.168.1.10", sport, "192.168.1.1", 53, 17);
        tuple(&icmp, "192.168.1.1", 0, "192.168.1.10", 0, 1);
        icmp.l4 = PKT_L4_ICMPV4;
        icmp.icmp.type = 3;
        icmp.icmp.code = 3;
        icmp.icmp.has_emb = true;
        icmp.icmp.emb_proto = 17;
        icmp.icmp.emb_src = udp.src;
        icmp.icmp.emb_dst = udp.dst;
        icmp.icmp.emb_sp = sport;
        icmp.icmp.emb_dp = 53;
        queue_handler_push(&h.qh, &udp);
        queue_handler_push(&h.qh, &icmp);
        assert_int_equal(queue_of(&h, &icmp), queue_of(&h, &udp));
    }
    handler_deinit(&h);
}

/* A fragment carries no ports; the datagram rebuilt from it (a child at the
 * same depth) does, and must land where the unfragmented packets of its
 * flow land. */
static void flow_handler_routes_a_last_fragment_by_its_rebuilt_datagram(void **state)
{
    (void)state;
    Handler h;
    handler_init(&h, QH_FLOW, ROUTE_IP_VERSION, NQ);
    for (int i = 0; i < 32; i++) {
        Packet whole, frag, rebuilt;
        uint16_t sport = (uint16_t)(30000 + i * 13);
        tuple(&whole, "10.9.0.1", sport, "10.9.0.2", 5353, 17);
        tuple(&frag, "10.9.0.1", 0, "10.9.0.2", 0, 17);
        frag.flags = PKT_F_IS_FRAGMENT;
        rebuilt = whole;
        frag.children = &rebuilt;
        queue_handler_push(&h.qh, &whole);
        queue_handler_push(&h.qh, &frag);
        assert_int_equal(queue_of(&h, &frag), queue_of(&h, &whole));
    }
    handler_deinit(&h);
}

static void simple_handler_uses_the_one_queue(void **state)
{
    (void)state;
    Handler h;
    handler_init(&h, QH_SIMPLE, ROUTE_IP_VERSION, 1);
    Packet p;
    tuple(&p, "2001:db8::1", 1, "2001:db8::2", 2, 17);
    queue_handler_push(&h.qh, &p);
    assert_int_equal(queue_of(&h, &p), 0);
    handler_deinit(&h);
}

static void route_ip_version_puts_v4_on_0_and_v6_on_1(void **state)
{
    (void)state;
    Handler h;
    handler_init(&h, QH_ROUTE, ROUTE_IP_VERSION, 2);
    Packet v4;
    Packet v6;
    Packet arp;
    tuple(&v4, "10.0.0.1", 1, "10.0.0.2", 2, 6);
    tuple(&v6, "2001:db8::1", 1, "2001:db8::2", 2, 6);
    memset(&arp, 0, sizeof(arp));
    arp.l3 = PKT_L3_ARP;
    queue_handler_push(&h.qh, &v4);
    queue_handler_push(&h.qh, &v6);
    queue_handler_push(&h.qh, &arp);
    assert_int_equal(queue_of(&h, &v4), 0);
    assert_int_equal(queue_of(&h, &v6), 1);
    assert_int_equal(queue_of(&h, &arp), 0);
    handler_deinit(&h);
}

static void route_alerted_puts_alerted_packets_on_1(void **state)
{
    (void)state;
    Handler h;
    handler_init(&h, QH_ROUTE, ROUTE_ALERTED, 2);
    Packet clean;
    Packet alerted;
    tuple(&clean, "10.0.0.1", 1, "10.0.0.2", 2, 6);
    tuple(&alerted, "10.0.0.1", 1, "10.0.0.2", 2, 6);
    alerted.flags = PKT_F_ALERTED;
    queue_handler_push(&h.qh, &clean);
    queue_handler_push(&h.qh, &alerted);
    assert_int_equal(queue_of(&h, &clean), 0);
    assert_int_equal(queue_of(&h, &alerted), 1);
    handler_deinit(&h);
}

static void route_vlan_picks_outer_vlan_modulo_queues(void **state)
{
    (void)state;
    Handler h;
    handler_init(&h, QH_ROUTE, ROUTE_VLAN, 3);
    Packet untagged;
    Packet v5;
    Packet v7;
    tuple(&untagged, "10.0.0.1", 1, "10.0.0.2", 2, 6);
    v5 = untagged;
    v5.n_vlan = 2;
    v5.vlan_id[0] = 5;           // 5 % 3 = 2; the inner id is ignored
    v5.vlan_id[1] = 1;
    v7 = untagged;
    v7.n_vlan = 1;
    v7.vlan_id[0] = 7;           // 7 % 3 = 1
    queue_handler_push(&h.qh, &untagged);
    queue_handler_push(&h.qh, &v5);
    queue_handler_push(&h.qh, &v7);
    assert_int_equal(queue_of(&h, &untagged), 0);
    assert_int_equal(queue_of(&h, &v5), 2);
    assert_int_equal(queue_of(&h, &v7), 1);
    handler_deinit(&h);
}

static void parse_accepts_documented_handler_names(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        QueueHandlerKind kind;
        RouteKind route;
    } ok[] = {
        {"simple", QH_SIMPLE, ROUTE_IP_VERSION},
        {"flow", QH_FLOW, ROUTE_IP_VERSION},
        {"route", QH_ROUTE, ROUTE_IP_VERSION},
        {"route-ip-version", QH_ROUTE, ROUTE_IP_VERSION},
        {"route-alerted", QH_ROUTE, ROUTE_ALERTED},
        {"route-vlan", QH_ROUTE, ROUTE_VLAN},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        QueueHandlerKind kind = (QueueHandlerKind)99;
        RouteKind route = (RouteKind)99;
        assert_true(queue_handler_parse(ok[i].spec, &kind, &route));
        assert_int_equal(kind, ok[i].kind);
        assert_int_equal(route, ok[i].route);
    }
}

static void parse_rejects_other_names(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "Flow", "flow ", "hash", "route-", "route-vlans",
                                      "simple\n", "autofp"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        QueueHandlerKind kind;
        RouteKind route;
        assert_false(queue_handler_parse(bad[i], &kind, &route));
    }
}


/* ---- batches ---- */

static void push_batch_keeps_order_and_counts_what_it_queued(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk[5];
    Packet *in[5];
    Packet *out[8];
    for (int i = 0; i < 5; i++) {
        in[i] = &pk[i];
    }
    assert_int_equal(packet_queue_init(&q, 8, "batch"), 0);
    uint32_t n_pushed = 0;
    assert_int_equal(packet_queue_push_batch(&q, in, 5, false, &n_pushed), 0);
    assert_int_equal(n_pushed, 5);
    assert_int_equal(packet_queue_pop_batch(&q, out, 8), 5);
    for (int i = 0; i < 5; i++) {
        assert_ptr_equal(out[i], &pk[i]);
    }
    packet_queue_deinit(&q);
}

static void push_batch_on_closed_queue_queues_nothing(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk[3];
    Packet *in[3] = {&pk[0], &pk[1], &pk[2]};
    assert_int_equal(packet_queue_init(&q, 8, "closed"), 0);
    packet_queue_close(&q);
    uint32_t n_pushed = 99;
    assert_int_equal(packet_queue_push_batch(&q, in, 3, true, &n_pushed), VG_ECLOSED);
    assert_int_equal(n_pushed, 0);
    assert_int_equal(q.n_refused, 3);
    packet_queue_deinit(&q);
}

static void try_pop_on_empty_queue_returns_zero_without_waiting(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk;
    Packet *out[4];
    assert_int_equal(packet_queue_init(&q, 4, "try"), 0);
    assert_int_equal(packet_queue_try_pop_batch(&q, out, 4), 0);
    packet_queue_push(&q, &pk);
    packet_queue_wake(&q);     // nobody sleeps: harmless
    assert_int_equal(packet_queue_try_pop_batch(&q, out, 4), 1);
    assert_ptr_equal(out[0], &pk);
    assert_int_equal(packet_queue_try_pop_batch(&q, out, 4), 0);
    packet_queue_deinit(&q);
}

/* A consumer asleep on an empty queue: a small push that is not urgent leaves it asleep
 * (the producer will push more), packet_queue_wake wakes it. */
typedef struct Sleeper {
    PacketQueue *q;
    uint32_t n;
} Sleeper;

static void *sleeper_main(void *arg)
{
    Sleeper *sl = arg;
    Packet *out[8];
    sl->n = packet_queue_pop_batch(sl->q, out, 8);
    return NULL;
}

static void wake_hands_a_small_batch_to_a_sleeping_consumer(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk[2];
    Packet *in[2] = {&pk[0], &pk[1]};
    assert_int_equal(packet_queue_init(&q, 1024, "wake"), 0);
    Sleeper sl = {.q = &q};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, sleeper_main, &sl), 0);
    uint32_t n_pushed = 0;
    assert_int_equal(packet_queue_push_batch(&q, in, 2, false, &n_pushed), 0);
    packet_queue_wake(&q);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(sl.n >= 1 && sl.n <= 2);
    packet_queue_deinit(&q);
}

static uint32_t n_push_waiting(PacketQueue *q)
{
    pthread_mutex_lock(&q->lock);
    uint32_t n = q->n_push_waiting;
    pthread_mutex_unlock(&q->lock);
    return n;
}

/* Fill a queue of 8 and start a producer whose ninth push blocks; returns once it sleeps. */
static void start_blocked_producer(PacketQueue *q, Packet *pk, BlockedProducer *bp, pthread_t *th)
{
    assert_int_equal(packet_queue_init(q, 8, "full"), 0);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(packet_queue_push(q, &pk[i]), 0);
    }
    *bp = (BlockedProducer){.q = q, .pk = &pk[8], .rc = 1};
    assert_int_equal(pthread_create(th, NULL, blocked_producer_main, bp), 0);
    while (n_push_waiting(q) == 0) {
        sched_yield();
    }
}

/* Pops that make room for a quarter of the ring wake a producer waiting on it. */
static void pops_making_a_quarter_of_room_wake_a_waiting_producer(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk[9];
    Packet *out[9];
    BlockedProducer bp;
    pthread_t th;
    start_blocked_producer(&q, pk, &bp, &th);
    assert_int_equal(packet_queue_try_pop_batch(&q, out, 1), 1);
    assert_int_equal(packet_queue_try_pop_batch(&q, out + 1, 1), 1);   // 2 of 8 free
    pthread_join(th, NULL);
    assert_int_equal(bp.rc, 0);
    assert_int_equal(packet_queue_try_pop_batch(&q, out + 2, 9), 7);
    assert_ptr_equal(out[8], &pk[8]);
    packet_queue_deinit(&q);
}

/* packet_queue_wake (what a packet-order waiter calls) wakes a producer waiting on a
 * ring with any room: what it holds may be what the waiter waits for. */
static void wake_lets_a_waiting_producer_use_any_room(void **state)
{
    (void)state;
    PacketQueue q;
    Packet pk[9];
    Packet *out[9];
    BlockedProducer bp;
    pthread_t th;
    start_blocked_producer(&q, pk, &bp, &th);
    assert_int_equal(packet_queue_try_pop_batch(&q, out, 1), 1);   // 1 of 8 free
    packet_queue_wake(&q);
    pthread_join(th, NULL);
    assert_int_equal(bp.rc, 0);
    assert_int_equal(packet_queue_try_pop_batch(&q, out + 1, 9), 8);
    assert_ptr_equal(out[8], &pk[8]);
    packet_queue_deinit(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_with_zero_capacity_fails),
        cmocka_unit_test(queue_is_fifo_across_wraparound),
        cmocka_unit_test(pop_batch_returns_at_most_max),
        cmocka_unit_test(closed_queue_hands_out_what_is_left_then_zero),
        cmocka_unit_test(close_wakes_every_waiting_consumer_with_zero),
        cmocka_unit_test(push_on_full_queue_waits_for_a_pop),
        cmocka_unit_test(push_on_closed_queue_is_refused),
        cmocka_unit_test(close_refuses_a_producer_waiting_on_a_full_queue),
        cmocka_unit_test(many_producers_and_consumers_deliver_each_packet_once),
        cmocka_unit_test(flow_hash_is_the_same_in_both_directions),
        cmocka_unit_test(flow_hash_differs_for_other_ports_addresses_or_protocol),
        cmocka_unit_test(flow_hash_differs_for_other_vlan_ids),
        cmocka_unit_test(flow_handler_puts_both_directions_on_one_queue),
        cmocka_unit_test(simple_handler_uses_the_one_queue),
        cmocka_unit_test(route_ip_version_puts_v4_on_0_and_v6_on_1),
        cmocka_unit_test(route_alerted_puts_alerted_packets_on_1),
        cmocka_unit_test(route_vlan_picks_outer_vlan_modulo_queues),
        cmocka_unit_test(flow_handler_routes_roots_by_innermost_tunnel_packet),
        cmocka_unit_test(flow_handler_sends_icmp_errors_to_the_quoted_flow),
        cmocka_unit_test(flow_handler_routes_a_last_fragment_by_its_rebuilt_datagram),
        cmocka_unit_test(parse_accepts_documented_handler_names),
        cmocka_unit_test(parse_rejects_other_names),
        cmocka_unit_test(push_batch_keeps_order_and_counts_what_it_queued),
        cmocka_unit_test(push_batch_on_closed_queue_queues_nothing),
        cmocka_unit_test(try_pop_on_empty_queue_returns_zero_without_waiting),
        cmocka_unit_test(wake_hands_a_small_batch_to_a_sleeping_consumer),
        cmocka_unit_test(pops_making_a_quarter_of_room_wake_a_waiting_producer),
        cmocka_unit_test(wake_lets_a_waiting_producer_use_any_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
