/* Packet pool: get/put, emptiness, clean packets, and blocking getters woken
 * by puts from other threads (run under TSan too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sched.h>

#include "decode/decode.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime-internal.h"

static int setup4(void **state)
{
    *state = packet_pool_new(4);
    return *state != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    packet_pool_free(*state);
    return 0;
}

static void new_with_zero_packets_fails(void **state)
{
    (void)state;
    assert_null(packet_pool_new(0));
}

static void get_and_put_track_free_count(void **state)
{
    PacketPool *pool = *state;
    assert_int_equal(packet_pool_size(pool), 4);
    assert_int_equal(packet_pool_free_count(pool), 4);
    Packet *a = packet_pool_get(pool);
    Packet *b = packet_pool_get(pool);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_ptr_equal(a->pool, pool);
    assert_int_equal(packet_pool_free_count(pool), 2);
    packet_pool_put(a);
    packet_pool_put(b);
    assert_int_equal(packet_pool_free_count(pool), 4);
}

static void every_packet_has_its_own_buffer(void **state)
{
    PacketPool *pool = *state;
    Packet *p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = packet_pool_get(pool);
        assert_non_null(p[i]->data);
        memset(p[i]->data, i, PACKET_MAX_SIZE);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(p[i]->data[0], i);
        assert_int_equal(p[i]->data[PACKET_MAX_SIZE - 1], i);
        packet_pool_put(p[i]);
    }
}

/* A reader pointing a packet's data elsewhere (a capture file read in place) gets the
 * packet back with its own buffer. */
static void returned_packet_has_its_own_buffer_again(void **state)
{
    PacketPool *pool = *state;
    static uint8_t frame[64];
    Packet *p = packet_pool_get(pool);
    uint8_t *own = p->data;
    p->data = frame;
    packet_pool_put(p);
    Packet *q[4];
    bool seen = false;
    for (int i = 0; i < 4; i++) {
        q[i] = packet_pool_get(pool);
        assert_ptr_not_equal(q[i]->data, frame);
        seen = seen || (q[i] == p && q[i]->data == own);
    }
    assert_true(seen);
    for (int i = 0; i < 4; i++) {
        packet_pool_put(q[i]);
    }
}

static void try_get_on_empty_pool_returns_null(void **state)
{
    PacketPool *pool = *state;
    Packet *p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = packet_pool_try_get(pool);
        assert_non_null(p[i]);
    }
    assert_null(packet_pool_try_get(pool));
    packet_pool_put(p[2]);
    assert_ptr_equal(packet_pool_try_get(pool), p[2]);
    for (int i = 0; i < 4; i++) {
        packet_pool_put(p[i]);
    }
}

static void dirty(Packet *p)
{
    p->ts_sec = 12345;
    p->caplen = 60;
    p->flags = 0xffffffffu;
    p->l3 = PKT_L3_IPV6;
    p->n_vlan = 2;
    p->vlan_id[1] = 99;
    p->n_events = 3;
    p->sp = 80;
    p->src.a.u32[3] = 7;
    p->tcp.seq = 42;
    p->payload = p->data + 14;
    p->payload_len = 46;
    p->flow = (struct Flow *)p;  // any non-NULL value: the pool never dereferences it
    p->n_alerts = 4;
}

static void returned_packet_comes_back_clean(void **state)
{
    PacketPool *pool = *state;
    Packet *p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = packet_pool_get(pool);
        dirty(p[i]);
    }
    uint8_t *data = p[0]->data;
    for (int i = 0; i < 4; i++) {
        packet_pool_put(p[i]);
    }
    Packet *q = NULL;
    for (int i = 0; i < 4; i++) {
        Packet *r = packet_pool_get(pool);
        if (r->data == data) {
            q = r;
        }
        /* acquisition and later-stage fields: cleared by the pool */
        assert_int_equal(r->ts_sec, 0);
        assert_int_equal(r->caplen, 0);
        assert_int_equal(r->flags, 0);
        assert_null(r->flow);
        /* decode results: cleared by decode_packet_reset (decode_packet) */
        decode_packet_reset(r);
        assert_int_equal(r->l3, PKT_L3_NONE);
        assert_int_equal(r->n_vlan, 0);
        assert_int_equal(r->vlan_id[1], 0);
        assert_int_equal(r->n_events, 0);
        assert_int_equal(r->sp, 0);
        assert_int_equal(r->src.a.u32[3], 0);
        assert_int_equal(r->tcp.seq, 0);
        assert_null(r->payload);
        assert_int_equal(r->payload_len, 0);
        assert_int_equal(r->n_alerts, 0);
        assert_ptr_equal(r->pool, pool);
    }
    assert_non_null(q);
    for (int i = 0; i < 4; i++) {
        packet_pool_put(p[i]);
    }
}

static void alert_list_survives_recycling_and_pool_frees_it(void **state)
{
    PacketPool *pool = *state;
    Packet *p = packet_pool_get(pool);
    void *alerts = malloc(64);   // detection allocates once per packet; the pool frees it
    assert_non_null(alerts);
    p->alerts = alerts;
    p->n_alerts = 2;
    packet_pool_put(p);
    Packet *again = packet_pool_get(pool);   // LIFO: the same packet
    assert_ptr_equal(again, p);
    assert_ptr_equal(again->alerts, alerts);
    assert_int_equal(again->n_alerts, 0);
    packet_pool_put(again);
}

/* ---- threads ---- */

typedef struct Getter {
    PacketPool *pool;
    Packet *got;
} Getter;

static void *getter_main(void *arg)
{
    Getter *g = arg;
    g->got = packet_pool_get(g->pool);
    return NULL;
}

static void *reader_getter_main(void *arg)
{
    Getter *g = arg;
    packet_pool_set_reader(true);
    g->got = packet_pool_get(g->pool);
    packet_pool_set_reader(false);
    return NULL;
}

typedef struct Putter {
    pthread_barrier_t *ready;
    Packet *p;
} Putter;

static void *putter_main(void *arg)
{
    Putter *pt = arg;
    pthread_barrier_wait(pt->ready);
    packet_pool_put(pt->p);
    return NULL;
}

static void get_on_empty_pool_returns_once_another_thread_puts(void **state)
{
    PacketPool *pool = *state;
    Packet *p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = packet_pool_get(pool);
    }
    pthread_barrier_t ready;
    pthread_barrier_init(&ready, NULL, 2);
    Getter g = {.pool = pool};
    Putter pt = {.ready = &ready, .p = p[1]};
    pthread_t gt;
    pthread_t ptt;
    assert_int_equal(pthread_create(&gt, NULL, getter_main, &g), 0);
    assert_int_equal(pthread_create(&ptt, NULL, putter_main, &pt), 0);
    pthread_barrier_wait(&ready);
    pthread_join(ptt, NULL);
    pthread_join(gt, NULL);
    pthread_barrier_destroy(&ready);
    assert_ptr_equal(g.got, p[1]);
    for (int i = 0; i < 4; i++) {
        packet_pool_put(p[i]);
    }
}

static void wait_for_waiters(PacketPool *pool, uint32_t n)
{
    while (packet_pool_n_waiting(pool) < n) {
        sched_yield();
    }
}

/* Two getters asleep, two puts in a row: both getters must wake (a put that
 * signalled only on the empty -> one transition left the second asleep). */
static void two_blocked_getters_both_wake_after_two_puts(void **state)
{
    PacketPool *pool = *state;
    Packet *p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = packet_pool_get(pool);
    }
    Getter g[2] = {{.pool = pool}, {.pool = pool}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, getter_main, &g[i]), 0);
    }
    wait_for_waiters(pool, 2);
    packet_pool_put(p[0]);
    packet_pool_put(p[1]);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
    }
    assert_true((g[0].got == p[0] && g[1].got == p[1]) ||
                (g[0].got == p[1] && g[1].got == p[0]));
    for (int i = 0; i < 4; i++) {
        packet_pool_put(p[i]);
    }
}


static void put_batch_returns_every_packet(void **state)
{
    PacketPool *pool = *state;
    Packet *held[4];
    for (int i = 0; i < 4; i++) {
        held[i] = packet_pool_get(pool);
    }
    assert_int_equal(packet_pool_free_count(pool), 0);
    packet_pool_put_batch(held, 4);
    assert_int_equal(packet_pool_free_count(pool), 4);
}

static int g_hook_calls;
static Packet *g_hook_held;

static void give_back(void *arg)
{
    (void)arg;
    g_hook_calls++;
    packet_pool_put(g_hook_held);
}

static void wait_hook_runs_before_blocking_and_can_refill(void **state)
{
    PacketPool *pool = *state;
    Packet *held[4];
    for (int i = 0; i < 4; i++) {
        held[i] = packet_pool_get(pool);
    }
    g_hook_calls = 0;
    g_hook_held = held[3];
    packet_pool_set_wait_hook(give_back, NULL);
    Packet *p = packet_pool_get(pool);   // empty: the hook gives one back, no blocking
    packet_pool_set_wait_hook(NULL, NULL);
    assert_int_equal(g_hook_calls, 1);
    assert_ptr_equal(p, held[3]);
    packet_pool_put_batch(held, 3);
    packet_pool_put(p);
}

/* A child packet never waits: from an empty pool it is allocated apart,
 * works like any other, and put (alone or in a batch) frees it. */
static void child_packets_never_wait_on_an_empty_pool(void **state)
{
    PacketPool *pool = *state;
    Packet *held[4];
    for (int i = 0; i < 4; i++) {
        held[i] = packet_pool_get(pool);
    }
    assert_int_equal(packet_pool_overflow_count(pool), 0);
    Packet *a = packet_pool_get_child(pool);
    Packet *b = packet_pool_get_child(pool);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(packet_pool_overflow_count(pool), 2);
    a->data[packet_pool_buffer_size(pool) - 1] = 0x5a;     // a whole buffer
    packet_pool_put(a);
    Packet *mix[2] = {held[0], b};
    packet_pool_put_batch(mix, 2);
    assert_int_equal(packet_pool_free_count(pool), 1);     // only the pool's own came back
    Packet *c = packet_pool_get_child(pool);               // the pool has one again
    assert_ptr_equal(c, held[0]);
    assert_int_equal(packet_pool_overflow_count(pool), 2);
    packet_pool_put(c);
    packet_pool_put_batch(held + 1, 3);
    assert_int_equal(packet_pool_free_count(pool), 4);
}

static void reader_leaves_an_eighth_of_the_pool(void **state)
{
    (void)state;
    PacketPool *pool = packet_pool_new(16);
    assert_non_null(pool);
    Packet *held[16];
    uint32_t n = 0;
    packet_pool_set_reader(true);
    while ((held[n] = packet_pool_try_get(pool)) != NULL) {
        n++;
    }
    packet_pool_set_reader(false);
    assert_int_equal(n, 14);                        // 16 / 8 = 2 left
    held[n] = packet_pool_try_get(pool);            // any other thread may take them
    assert_non_null(held[n]);
    packet_pool_put_batch(held, n + 1);
    packet_pool_free(pool);
}

/* A getter asleep on a larger pool is woken once an eighth of the pool more than it
 * needs is free (not for every packet that comes back), and the packets returned one by
 * one all reach it. */
static void blocked_getter_wakes_once_an_eighth_is_free(void **state)
{
    (void)state;
    PacketPool *pool = packet_pool_new(16);
    assert_non_null(pool);
    Packet *held[16];
    for (int i = 0; i < 16; i++) {
        held[i] = packet_pool_get(pool);
    }
    Getter g = {.pool = pool};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, getter_main, &g), 0);
    wait_for_waiters(pool, 1);
    for (int i = 0; i < 3; i++) {   // 1 needed + 16 / 8
        packet_pool_put(held[i]);
    }
    pthread_join(th, NULL);
    assert_non_null(g.got);
    assert_int_equal(packet_pool_free_count(pool), 2);
    packet_pool_put(g.got);
    packet_pool_put_batch(held + 3, 13);
    assert_int_equal(packet_pool_free_count(pool), 16);
    packet_pool_free(pool);
}

/* A reader asleep (it needs an eighth of the pool plus one) wakes when the packets
 * come back in batches, as workers return them. */
static void blocked_reader_wakes_on_batched_returns(void **state)
{
    (void)state;
    PacketPool *pool = packet_pool_new(16);
    assert_non_null(pool);
    Packet *held[16];
    for (int i = 0; i < 16; i++) {
        held[i] = packet_pool_get(pool);
    }
    Getter g = {.pool = pool};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, reader_getter_main, &g), 0);
    wait_for_waiters(pool, 1);
    packet_pool_put_batch(held, 2);
    packet_pool_put_batch(held + 2, 3);   // 5 free: 3 needed + 2
    pthread_join(th, NULL);
    assert_non_null(g.got);
    packet_pool_put(g.got);
    packet_pool_put_batch(held + 5, 11);
    assert_int_equal(packet_pool_free_count(pool), 16);
    packet_pool_free(pool);
}

/* A reader takes packets a batch at a time (one lock), hands out the last returned
 * first, and gives back what it still holds when it stops being a reader. */
static void reader_takes_a_batch_and_returns_what_it_holds(void **state)
{
    (void)state;
    PacketPool *pool = packet_pool_new(64);
    assert_non_null(pool);
    Packet *a = packet_pool_get(pool);
    Packet *b = packet_pool_get(pool);
    packet_pool_put(a);
    packet_pool_put(b);                             // b is the hottest now
    packet_pool_set_reader(true);
    Packet *p = packet_pool_get(pool);
    assert_ptr_equal(p, b);
    assert_int_equal(packet_pool_free_count(pool), 64 - 1 - 32);
    Packet *q = packet_pool_get(pool);              // from the batch: no lock, same count
    assert_ptr_equal(q, a);
    assert_int_equal(packet_pool_free_count(pool), 64 - 1 - 32);
    packet_pool_set_reader(false);                  // the 31 still held go back
    assert_int_equal(packet_pool_free_count(pool), 62);
    packet_pool_put(p);
    packet_pool_put(q);
    assert_int_equal(packet_pool_free_count(pool), 64);
    packet_pool_free(pool);
}

/* The batch never takes the reader's reserve (an eighth of the pool). */
static void reader_batch_leaves_the_reserve(void **state)
{
    (void)state;
    PacketPool *pool = packet_pool_new(16);
    assert_non_null(pool);
    packet_pool_set_reader(true);
    Packet *held[16];
    for (int i = 0; i < 14; i++) {
        held[i] = packet_pool_get(pool);
        assert_true(packet_pool_free_count(pool) >= 2);
    }
    assert_int_equal(packet_pool_free_count(pool), 2);
    packet_pool_set_reader(false);
    packet_pool_put_batch(held, 14);
    assert_int_equal(packet_pool_free_count(pool), 16);
    packet_pool_free(pool);
}

typedef struct LimitedReader {
    PacketPool *pool;
    Packet *held[16];
    Packet *got;
} LimitedReader;

static void *limited_reader_main(void *arg)
{
    LimitedReader *r = arg;
    packet_pool_set_reader(true);
    packet_pool_set_reader_limit(16);
    for (int i = 0; i < 16; i++) {
        r->held[i] = packet_pool_get(r->pool);
    }
    r->got = packet_pool_get(r->pool);              // the 17th: waits
    packet_pool_set_reader(false);
    return NULL;
}

/* A reader held to a limit takes no more than that out of a larger pool, and once there
 * waits until half of it is back, not just one packet. */
static void reader_limit_bounds_packets_out_and_waits_for_half(void **state)
{
    (void)state;
    PacketPool *pool = packet_pool_new(64);
    assert_non_null(pool);
    LimitedReader r = {.pool = pool};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, limited_reader_main, &r), 0);
    wait_for_waiters(pool, 1);
    assert_int_equal(packet_pool_free_count(pool), 48);
    packet_pool_put_batch(r.held, 7);               // 55 free: 49 needed + 8 not reached
    assert_int_equal(packet_pool_n_waiting(pool), 1);
    packet_pool_put(r.held[7]);                     // 56
    assert_int_equal(packet_pool_n_waiting(pool), 1);
    packet_pool_put(r.held[8]);                     // 57: woken
    pthread_join(th, NULL);
    assert_non_null(r.got);
    packet_pool_put(r.got);
    packet_pool_put_batch(r.held + 9, 7);
    assert_int_equal(packet_pool_free_count(pool), 64);
    packet_pool_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_with_zero_packets_fails),
        cmocka_unit_test_setup_teardown(put_batch_returns_every_packet, setup4, teardown),
        cmocka_unit_test_setup_teardown(wait_hook_runs_before_blocking_and_can_refill, setup4,
                                        teardown),
        cmocka_unit_test(reader_leaves_an_eighth_of_the_pool),
        cmocka_unit_test_setup_teardown(child_packets_never_wait_on_an_empty_pool, setup4,
                                        teardown),
        cmocka_unit_test_setup_teardown(get_and_put_track_free_count, setup4, teardown),
        cmocka_unit_test_setup_teardown(returned_packet_has_its_own_buffer_again, setup4,
                                        teardown),
        cmocka_unit_test_setup_teardown(every_packet_has_its_own_buffer, setup4, teardown),
        cmocka_unit_test_setup_teardown(try_get_on_empty_pool_returns_null, setup4, teardown),
        cmocka_unit_test_setup_teardown(returned_packet_comes_back_clean, setup4, teardown),
        cmocka_unit_test_setup_teardown(alert_list_survives_recycling_and_pool_frees_it, setup4,
                                        teardown),
        cmocka_unit_test_setup_teardown(get_on_empty_pool_returns_once_another_thread_puts,
                                        setup4, teardown),
        cmocka_unit_test_setup_teardown(two_blocked_getters_both_wake_after_two_puts, setup4,
                                        teardown),
        cmocka_unit_test(blocked_getter_wakes_once_an_eighth_is_free),
        cmocka_unit_test(blocked_reader_wakes_on_batched_returns),
        cmocka_unit_test(reader_takes_a_batch_and_returns_what_it_holds),
        cmocka_unit_test(reader_batch_leaves_the_reserve),
        cmocka_unit_test(reader_limit_bounds_packets_out_and_waits_for_half),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
