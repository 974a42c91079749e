/* Packet queues and queue handlers. */
#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/packet-pool.h"
#include "util/util-error.h"

int packet_queue_init(PacketQueue *q, uint32_t cap, const char *name)
{
    memset(q, 0, sizeof(*q));
    if (cap == 0) {
        return VG_EINVAL; // a push could never succeed, and the ring index divides by cap
    }
    q->ring = calloc(cap, sizeof(Packet *));
    if (q->ring == NULL) {
        return VG_ENOMEM;
    }
    q->cap = cap;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    snprintf(q->name, sizeof(q->name), "%s", name);
    return 0;
}

void packet_queue_deinit(PacketQueue *q)
{
    if (q->ring == NULL) {
        return;
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    free(q->ring);
    q->ring = NULL;
}

int packet_queue_push(PacketQueue *q, Packet *p)
{
    uint32_t n_pushed;
    return packet_queue_push_batch(q, &p, 1, true, &n_pushed);
}

/* Queued packets that make a push wake a sleeping consumer even when not urgent: a
 * consumer woken for every batch of a slower producer pays a futex wake and a context
 * switch per batch, which is most of the hand-off cost; this many at a time, at most a
 * quarter of the ring, so that the producer never fills it before the wake-up. */
static uint32_t wake_min(const PacketQueue *q)
{
    uint32_t m = q->cap / 4 < 8u * TM_BATCH ? q->cap / 4 : 8u * TM_BATCH;
    return m > 0 ? m : 1;
}

int packet_queue_push_batch(PacketQueue *q, Packet *const *pkts, uint32_t n, bool is_urgent,
                            uint32_t *n_pushed)
{
    uint32_t done = 0;
    int rc = 0;
    pthread_mutex_lock(&q->lock);
    while (done < n) {
        while (q->len == q->cap && !q->closed) {
            q->n_push_waiting++;
            pthread_cond_wait(&q->not_full, &q->lock);
            q->n_push_waiting--;
        }
        if (q->closed) {
            /* Its consumers may have gone: the packets would never come back. */
            q->n_refused += n - done;
            rc = VG_ECLOSED;
            break;
        }
        uint32_t room = q->cap - q->len;
        uint32_t take = n - done < room ? n - done : room;
        for (uint32_t i = 0; i < take; i++) {
            q->ring[(q->head + q->len + i) % q->cap] = pkts[done + i];
        }
        q->len += take;
        done += take;
        /* One wake-up for the lot: a consumer takes up to a batch per pop and passes the
         * signal on while packets are left (pop_batch). About to wait on a full ring
         * counts as urgent: the consumer must run for the producer to go on. */
        if (is_urgent || q->len >= wake_min(q) || done < n) {
            pthread_cond_signal(&q->not_empty);
        }
    }
    pthread_mutex_unlock(&q->lock);
    *n_pushed = done;
    return rc;
}

/* Lock held, after a pop: wake the producers waiting on a full ring once it has room for
 * wake_min packets. Woken at the first free slot, a producer faster than its consumers
 * was woken for every batch they took, as a consumer was for every batch pushed. The
 * consumers go on popping while producers wait, so the room always comes. */
static void wake_producers(PacketQueue *q)
{
    if (q->n_push_waiting > 0 && q->cap - q->len >= wake_min(q)) {
        pthread_cond_broadcast(&q->not_full);
    }
}

uint32_t packet_queue_pop_batch(PacketQueue *q, Packet **out, uint32_t max)
{
    pthread_mutex_lock(&q->lock);
    while (q->len == 0 && !q->closed) {
        pthread_cond_wait(&q->not_empty, &q->lock);
    }
    uint32_t n = 0;
    while (n < max && q->len > 0) {
        out[n++] = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    wake_producers(q);
    if (q->len > 0 || q->closed) {
        pthread_cond_signal(&q->not_empty); // let another consumer take the rest / see closed
    }
    pthread_mutex_unlock(&q->lock);
    return n;
}

uint32_t packet_queue_try_pop_batch(PacketQueue *q, Packet **out, uint32_t max)
{
    pthread_mutex_lock(&q->lock);
    uint32_t n = 0;
    while (n < max && q->len > 0) {
        out[n++] = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    wake_producers(q);
    pthread_mutex_unlock(&q->lock);
    return n;
}

void packet_queue_wake(PacketQueue *q)
{
    pthread_mutex_lock(&q->lock);
    if (q->len > 0) {
        pthread_cond_signal(&q->not_empty);
    }
    if (q->n_push_waiting > 0 && q->len < q->cap) {
        pthread_cond_broadcast(&q->not_full);   // a packet waiter may need what they hold
    }
    pthread_mutex_unlock(&q->lock);
}

void packet_queue_close(PacketQueue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full); // blocked producers give up
    pthread_mutex_unlock(&q->lock);
}

static uint32_t endpoint_mix(const VgAddr *a, uint16_t port)
{
    uint32_t h = 0;
    for (int i = 0; i < 4; i++) {
        h ^= a->a.u32[i] * 0x9e3779b1u + (uint32_t)i;
    }
    return h + port * 0x85ebca6bu;
}

static bool is_quoting_error(const Packet *p)
{
    return (p->l4 == PKT_L4_ICMPV4 || p->l4 == PKT_L4_ICMPV6) && p->icmp.has_emb;
}

void queue_handler_flow_addrs(const Packet *p, const VgAddr **src, const VgAddr **dst)
{
    bool is_err = is_quoting_error(p);
    *src = is_err ? &p->icmp.emb_src : &p->src;
    *dst = is_err ? &p->icmp.emb_dst : &p->dst;
}

/* Symmetric mix of the two endpoints so both directions land on one queue.
 * An ICMP error that quotes a header is steered by the quoted packet's
 * endpoints and protocol: the flow stage looks it up (and attaches it to
 * that flow, or makes its own ICMP flow) in the quoted flow's place, so it
 * must reach the thread that owns the quoted flow. */
uint32_t queue_handler_flow_hash(const Packet *p)
{
    bool is_err = is_quoting_error(p);
    uint32_t a = is_err ? endpoint_mix(&p->icmp.emb_src, p->icmp.emb_sp)
                        : endpoint_mix(&p->src, p->sp);
    uint32_t b = is_err ? endpoint_mix(&p->icmp.emb_dst, p->icmp.emb_dp)
                        : endpoint_mix(&p->dst, p->dp);
    uint32_t h = (a ^ b) + (a & b) * 3u + (is_err ? p->icmp.emb_proto : p->proto);
    for (uint8_t i = 0; i < p->n_vlan; i++) {
        h = h * 31u + p->vlan_id[i];
    }
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h;
}

/* A root travels with its tunnel packets, so it is routed by the innermost
 * one: the two directions of an inner flow can ride in different outer flows
 * (VXLAN, Geneve: one UDP flow each way) and must still meet in one thread,
 * in capture order, for flow direction not to depend on thread timing.
 * Fragments have no flow: a datagram rebuilt from them (a child at the
 * fragments' depth) is routed instead, as its unfragmented packets are. */
const Packet *queue_handler_route_packet(const Packet *p)
{
    const Packet *inner = p;
    for (const Packet *c = p->children; c != NULL; c = c->next_child) {
        bool deeper = c->tunnel_depth > inner->tunnel_depth;
        bool unfragments = c->tunnel_depth == inner->tunnel_depth &&
                           (inner->flags & PKT_F_IS_FRAGMENT) && !(c->flags & PKT_F_IS_FRAGMENT);
        if (deeper || unfragments) {
            inner = c;
        }
    }
    return inner;
}

static uint32_t route_pick(const QueueHandler *qh, const Packet *p)
{
    switch (qh->route) {
    case ROUTE_IP_VERSION:
        return p->l3 == PKT_L3_IPV6 ? 1u : 0u;
    case ROUTE_ALERTED:
        return (p->flags & PKT_F_ALERTED) ? 1u : 0u;
    case ROUTE_VLAN:
        return p->n_vlan > 0 ? p->vlan_id[0] : 0u;
    }
    return 0;
}

uint32_t queue_handler_pick(const QueueHandler *qh, const Packet *p)
{
    uint32_t idx = 0;
    switch (qh->kind) {
    case QH_SIMPLE:
        idx = 0;
        break;
    case QH_FLOW:
        idx = queue_handler_flow_hash(queue_handler_route_packet(p));
        break;
    case QH_ROUTE:
        idx = route_pick(qh, p);
        break;
    }
    return idx % qh->n_queues;
}

int queue_handler_push(const QueueHandler *qh, Packet *p)
{
    return packet_queue_push(qh->queues[queue_handler_pick(qh, p)], p);
}

bool queue_handler_parse(const char *spec, QueueHandlerKind *kind, RouteKind *route)
{
    *route = ROUTE_IP_VERSION;
    if (strcmp(spec, "simple") == 0) {
        *kind = QH_SIMPLE;
    } else if (strcmp(spec, "flow") == 0) {
        *kind = QH_FLOW;
    } else if (strcmp(spec, "route-ip-version") == 0 || strcmp(spec, "route") == 0) {
        *kind = QH_ROUTE;
    } else if (strcmp(spec, "route-alerted") == 0) {
        *kind = QH_ROUTE;
        *route = ROUTE_ALERTED;
    } else if (strcmp(spec, "route-vlan") == 0) {
        *kind = QH_ROUTE;
        *route = ROUTE_VLAN;
    } else {
        return false;
    }
    return true;
}
