/* Packet order for cross-flow state (runtime-order.h); threaded tests also run
 * under TSan. No sleeps: a test that needs a waiter blocked waits for it
 * through runtime_order_n_waiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>
#include <sched.h>

#include "runtime/runtime-internal.h"
#include "runtime/runtime-order.h"
#include "runtime/runtime.h"

static void done_now(uint64_t seq)
{
    runtime_order_done(seq);
    runtime_order_publish();
}

static void test_off(void **state)
{
    (void)state;
    runtime_order_enable(false);
    assert_false(runtime_order_is_enabled());
    assert_int_equal(runtime_order_next_seq(), 0);
    runtime_order_begin(5);
    runtime_order_wait(); // off: returns at once
    runtime_order_begin(0);
}

static void test_numbers_and_release(void **state)
{
    (void)state;
    runtime_order_enable(true);
    for (uint64_t i = 1; i <= 5; i++) {
        assert_int_equal(runtime_order_next_seq(), i);
    }
    assert_int_equal(runtime_order_next_unreleased(), 1);
    done_now(3);
    done_now(2);
    assert_int_equal(runtime_order_next_unreleased(), 1); // 1 still out
    done_now(1);
    assert_int_equal(runtime_order_next_unreleased(), 4);
    runtime_order_begin(4);
    runtime_order_wait(); // 1..3 released: at once
    runtime_order_begin(0);
    runtime_order_enable(true); // a new run numbers from 1 again
    assert_int_equal(runtime_order_next_seq(), 1);
    assert_int_equal(runtime_order_next_unreleased(), 1);
    runtime_order_enable(false);
}

/* Completions far beyond the lowest unreleased packet grow the ring and are
 * all kept. */
static void test_ring_grows(void **state)
{
    (void)state;
    runtime_order_enable(true);
    const uint64_t n = 300000;
    for (uint64_t s = n; s >= 2; s--) {
        runtime_order_done(s);
    }
    runtime_order_publish();
    assert_int_equal(runtime_order_next_unreleased(), 1);
    done_now(1);
    assert_int_equal(runtime_order_next_unreleased(), n + 1);
    runtime_order_enable(false);
}

typedef struct Waiter {
    uint64_t seq;
    _Atomic bool returned;
} Waiter;

static void *waiter_main(void *arg)
{
    Waiter *w = arg;
    runtime_order_set_thread(NULL);
    runtime_order_begin(w->seq);
    runtime_order_wait();
    atomic_store(&w->returned, true);
    runtime_order_wait(); // the same packet again: no second wait
    runtime_order_begin(0);
    return NULL;
}

static void wait_for_waiters(uint32_t n)
{
    while (runtime_order_n_waiting() != n) {
        sched_yield();
    }
}

/* A decision for packet 3 waits until 1 and 2 are released, in any order,
 * by other threads; packet 2's decision meanwhile goes first. */
static void test_wait_for_lower(void **state)
{
    (void)state;
    runtime_order_enable(true);
    for (int i = 0; i < 4; i++) {
        (void)runtime_order_next_seq();
    }
    Waiter w3 = {.seq = 3};
    Waiter w2 = {.seq = 2};
    pthread_t t3;
    pthread_t t2;
    assert_int_equal(pthread_create(&t3, NULL, waiter_main, &w3), 0);
    wait_for_waiters(1);
    assert_int_equal(pthread_create(&t2, NULL, waiter_main, &w2), 0);
    wait_for_waiters(2);
    assert_false(atomic_load(&w3.returned));
    assert_false(atomic_load(&w2.returned));
    done_now(1);
    assert_int_equal(pthread_join(t2, NULL), 0); // 2 may decide now
    assert_true(atomic_load(&w2.returned));
    wait_for_waiters(1);
    assert_false(atomic_load(&w3.returned)); // 2 is not released yet
    done_now(2);
    assert_int_equal(pthread_join(t3, NULL), 0);
    assert_true(atomic_load(&w3.returned));
    runtime_order_enable(false);
}

/* The packet order's watchdog (runmode_order_watch), driven with made-up times: it looks
 * every ORDER_WATCH_TICK_MS from `from` to `to`. */
static void watch_every(OrderWatch *w, uint64_t from, uint64_t to, bool is_stop)
{
    for (uint64_t t = from; t <= to; t += ORDER_WATCH_TICK_MS) {
        runmode_order_watch(w, t, is_stop);
    }
}

/* Looks every tick from `from`: the order is not given up before from + span, and is
 * given up at it. */
static void watch_gives_up_at(OrderWatch *w, uint64_t from, uint64_t span, bool is_stop)
{
    watch_every(w, from, from + span - ORDER_WATCH_TICK_MS, is_stop);
    assert_false(w->given_up);
    runmode_order_watch(w, from + span, is_stop);
    assert_true(w->given_up);
}

/* A thread waits for packet 3 while 1 and 2 are not released. */
static void watch_setup(pthread_t *t, Waiter *w3)
{
    runtime_order_enable(true);
    for (int i = 0; i < 3; i++) {
        (void)runtime_order_next_seq();
    }
    w3->seq = 3;
    atomic_store(&w3->returned, false);
    assert_int_equal(pthread_create(t, NULL, waiter_main, w3), 0);
    wait_for_waiters(1);
}

static void watch_end(pthread_t t, Waiter *w3)
{
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(atomic_load(&w3->returned));
    runtime_order_enable(false);
}

/* Threads waiting while no packet is released for ORDER_STALL_MS is a deadlock: the
 * order is given up (the waiter goes on) and the run is marked stalled. */
static void test_watch_stall_gives_up(void **state)
{
    (void)state;
    pthread_t t;
    Waiter w3;
    watch_setup(&t, &w3);
    OrderWatch w = {.tick_ms = 0};
    watch_every(&w, 1000, 1000 + ORDER_STALL_MS - ORDER_WATCH_TICK_MS, false);
    assert_false(w.given_up);
    assert_true(runtime_order_is_enabled());
    assert_false(atomic_load(&w3.returned));
    runmode_order_watch(&w, 1000 + ORDER_STALL_MS, false);
    assert_true(w.given_up);
    assert_true(w.stalled);
    assert_false(runtime_order_is_enabled());
    watch_end(t, &w3);
}

/* A packet released restarts the stall clock: waiting is no stall while the order moves. */
static void test_watch_release_restarts_the_clock(void **state)
{
    (void)state;
    pthread_t t;
    Waiter w3;
    watch_setup(&t, &w3);
    OrderWatch w = {.tick_ms = 0};
    watch_every(&w, 1000, 21000, false);
    done_now(1);   // the lowest unreleased moves from 1 to 2
    watch_gives_up_at(&w, 21200, ORDER_STALL_MS, false);
    assert_true(w.stalled);
    watch_end(t, &w3);
}

/* A stop ends the run: waiters still waiting ORDER_STOP_GRACE_MS after it are let go,
 * which is not a stall. */
static void test_watch_stop_gives_up_after_grace(void **state)
{
    (void)state;
    pthread_t t;
    Waiter w3;
    watch_setup(&t, &w3);
    OrderWatch w = {.tick_ms = 0};
    watch_every(&w, 1000, 2000, false);
    watch_gives_up_at(&w, 2200, ORDER_STOP_GRACE_MS, true);
    assert_false(w.stalled);
    watch_end(t, &w3);
}

/* Nobody waiting is no stall, however long; a gap between looks (the process was
 * stopped, SIGSTOP) starts the stall clock again rather than count the gap. */
static void test_watch_no_waiter_or_pause_is_no_stall(void **state)
{
    (void)state;
    runtime_order_enable(true);
    for (int i = 0; i < 3; i++) {
        (void)runtime_order_next_seq();
    }
    OrderWatch w = {.tick_ms = 0};
    watch_every(&w, 1000, 1000 + 2 * ORDER_STALL_MS, false);
    assert_false(w.given_up);
    Waiter w3 = {.seq = 3};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, waiter_main, &w3), 0);
    wait_for_waiters(1);
    uint64_t from = 70000;
    uint64_t last = from + ORDER_STALL_MS - ORDER_WATCH_TICK_MS;
    watch_every(&w, from, last, false);
    runmode_order_watch(&w, last + 10000, false);   // a 10 s gap: not counted
    assert_false(w.given_up);
    watch_gives_up_at(&w, last + 10000 + ORDER_WATCH_TICK_MS, ORDER_STALL_MS, false);
    assert_true(w.stalled);
    watch_end(t, &w3);
}

/* One root steered: its flows (opaque pointers here), its number, its queue. */
static uint64_t steer(const void *flow_a, const void *flow_b, uint64_t seq, uint32_t queue)
{
    runtime_order_steer_begin();
    runtime_order_steer_flow(flow_a, seq, queue);
    if (flow_b != NULL) {
        runtime_order_steer_flow(flow_b, seq, queue);
    }
    return runtime_order_steer_end();
}

/* Packets of a flow that stay on one queue run in order there: none waits. A packet
 * of it steered to another queue waits for the flow's last packet until that one is
 * released; a flow's first packet waits for nothing. */
static void test_steer_waits_only_across_queues(void **state)
{
    (void)state;
    static int outer_a;
    static int outer_b;
    runtime_order_enable(true);
    for (int i = 0; i < 6; i++) {
        (void)runtime_order_next_seq();
    }
    assert_int_equal(steer(&outer_a, NULL, 1, 0), 0);        // first of its flow
    assert_int_equal(steer(&outer_a, NULL, 2, 0), 0);        // same queue: behind 1
    assert_int_equal(steer(&outer_a, NULL, 3, 1), 2);        // other queue: after 2
    assert_int_equal(steer(&outer_b, &outer_a, 4, 0), 3);    // the later of its flows' last
    done_now(1);
    done_now(2);
    done_now(3);
    done_now(4);
    assert_int_equal(steer(&outer_a, NULL, 5, 1), 0);        // 4 (queue 0) is released
    runtime_order_enable(false);
}

/* runtime_order_wait_for(n) returns once 1..n are released, whatever comes after. */
typedef struct AfterWaiter {
    uint64_t after;
    _Atomic bool returned;
} AfterWaiter;

static void *after_waiter_main(void *arg)
{
    AfterWaiter *w = arg;
    runtime_order_set_thread(NULL);
    runtime_order_wait_for(w->after);
    atomic_store(&w->returned, true);
    return NULL;
}

static void test_wait_for_returns_once_up_to_seq_released(void **state)
{
    (void)state;
    runtime_order_enable(true);
    for (int i = 0; i < 4; i++) {
        (void)runtime_order_next_seq();
    }
    AfterWaiter w = {.after = 2};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, after_waiter_main, &w), 0);
    wait_for_waiters(1);
    done_now(2);
    wait_for_waiters(1);
    assert_false(atomic_load(&w.returned));   // 1 is still out
    done_now(1);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(atomic_load(&w.returned));
    runtime_order_wait_for(0);                 // nothing to wait for
    runtime_order_enable(false);
}

/* Lanes: two queues, each drained by one thread; a thread's identity is its
 * ThreadVars (input queue, no output, index in its group). */
static PacketQueue g_lane_q[2];
static PacketQueue *g_lane_qp[2] = {&g_lane_q[0], &g_lane_q[1]};
static QueueHandler g_lane_qh = {.kind = QH_FLOW, .queues = g_lane_qp, .n_queues = 2};
static ThreadVars g_lane_tv[2];

static void lanes_setup_with(uint32_t max_roots, uint32_t n_numbers)
{
    runtime_order_enable(true);
    assert_int_equal(runtime_order_set_lanes(&g_lane_qh, max_roots), 0);
    for (uint32_t i = 0; i < 2; i++) {
        memset(&g_lane_tv[i], 0, sizeof(g_lane_tv[i]));
        g_lane_tv[i].inq = &g_lane_q[i];
        g_lane_tv[i].group_index = i;
    }
    for (uint32_t i = 0; i < n_numbers; i++) {
        (void)runtime_order_next_seq();
    }
}

static void lanes_setup(uint32_t n_numbers)
{
    lanes_setup_with(1024, n_numbers);
}

/* Release as the thread of lane l (this thread takes that identity). */
static void lane_done(uint32_t l, uint64_t seq)
{
    runtime_order_set_thread(&g_lane_tv[l]);
    runtime_order_done(seq);
    runtime_order_set_thread(NULL);
}

/* The lowest unreleased number: the oldest unreleased root of any lane, or the
 * lowest not yet handed; each lane releases in the order it was handed roots. */
static void test_lanes_lowest_unreleased(void **state)
{
    (void)state;
    lanes_setup(5);
    assert_int_equal(runtime_order_next_unreleased(), 1);       // nothing handed
    runtime_order_handed(&g_lane_qh, 1, 0);
    runtime_order_handed(&g_lane_qh, 2, 1);
    runtime_order_handed(&g_lane_qh, 3, 0);
    runtime_order_handed(&g_lane_qh, 4, 1);
    runtime_order_handed(NULL, 5, 0);                            // not the lanes' handler
    assert_int_equal(runtime_order_next_unreleased(), 1);
    lane_done(1, 2);
    assert_int_equal(runtime_order_next_unreleased(), 1);       // 1 still in lane 0
    lane_done(0, 1);
    assert_int_equal(runtime_order_next_unreleased(), 3);
    lane_done(1, 4);
    assert_int_equal(runtime_order_next_unreleased(), 3);
    lane_done(0, 3);
    assert_int_equal(runtime_order_next_unreleased(), 5);       // 5 not handed yet
    runtime_order_handed(&g_lane_qh, 5, 1);
    assert_int_equal(runtime_order_next_unreleased(), 5);
    lane_done(1, 5);
    assert_int_equal(runtime_order_next_unreleased(), 6);
    assert_true(runtime_order_is_enabled());
    runtime_order_enable(false);
}

/* A lane's ring holds twice the roots in flight (max_roots 32: 64). The steering
 * thread looks at the lane's releases only when the ring looks full to it; a ring that
 * is full ends the order rather than overwrite a number a waiter may still read. */
static void test_lane_ring_full_ends_order(void **state)
{
    (void)state;
    lanes_setup_with(32, 80);
    for (uint64_t seq = 1; seq <= 64; seq++) {
        runtime_order_handed(&g_lane_qh, seq, 0);
    }
    for (uint64_t seq = 1; seq <= 10; seq++) {
        lane_done(0, seq);
    }
    for (uint64_t seq = 65; seq <= 74; seq++) {
        runtime_order_handed(&g_lane_qh, seq, 0);   // room again: 10 released
    }
    assert_true(runtime_order_is_enabled());
    assert_int_equal(runtime_order_next_unreleased(), 11);
    runtime_order_handed(&g_lane_qh, 75, 0);        // 64 unreleased: no room
    assert_false(runtime_order_is_enabled());
    runtime_order_enable(false);
}

/* A waiter in lane 0 for packet 3 sleeps until 1 (lane 0) and 2 (lane 1) are
 * released; releasing 2 alone does not let it go. */
static void *lane_waiter_main(void *arg)
{
    Waiter *w = arg;
    runtime_order_set_thread(&g_lane_tv[0]);
    runtime_order_begin(w->seq);
    runtime_order_wait();
    atomic_store(&w->returned, true);
    runtime_order_begin(0);
    runtime_order_set_thread(NULL);
    return NULL;
}

static void test_lanes_waiter_woken(void **state)
{
    (void)state;
    lanes_setup(3);
    runtime_order_handed(&g_lane_qh, 1, 1);
    runtime_order_handed(&g_lane_qh, 2, 1);
    runtime_order_handed(&g_lane_qh, 3, 0);
    Waiter w = {.seq = 3};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, lane_waiter_main, &w), 0);
    wait_for_waiters(1);
    lane_done(1, 1);
    wait_for_waiters(1);
    assert_false(atomic_load(&w.returned));   // 2 is still out
    lane_done(1, 2);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(atomic_load(&w.returned));
    runtime_order_enable(false);
}

/* Giving the order up (a stop, or the watchdog's stall) lets every waiter go, in
 * both modes, though what they wait for is never released; runtime_order_waiters
 * says who waits, and the lowest unreleased number, until then. */
/* Starts a waiter for packet 3 (thread body fn), checks it is seen waiting with 1 the
 * lowest unreleased, gives the order up and joins it. */
static void abandon_with_waiter(void *(*fn)(void *))
{
    uint64_t released = 0;
    Waiter w = {.seq = 3};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fn, &w), 0);
    wait_for_waiters(1);
    assert_true(runtime_order_waiters(&released));
    assert_int_equal(released, 1);
    runtime_order_abandon();
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(atomic_load(&w.returned));
    assert_false(runtime_order_waiters(&released));
    runtime_order_enable(false);
}

static void test_abandon_lets_waiters_go(void **state)
{
    (void)state;
    uint64_t released = 0;
    runtime_order_enable(true);
    for (int i = 0; i < 3; i++) {
        (void)runtime_order_next_seq();
    }
    assert_false(runtime_order_waiters(&released));
    abandon_with_waiter(waiter_main);

    lanes_setup(3);
    runtime_order_handed(&g_lane_qh, 1, 1);
    runtime_order_handed(&g_lane_qh, 2, 1);
    runtime_order_handed(&g_lane_qh, 3, 0);
    abandon_with_waiter(lane_waiter_main);
}

static void addr4(VgAddr *a, uint8_t last)
{
    memset(a, 0, sizeof(*a));
    a->family = 4;
    a->a.u8[0] = 10;
    a->a.u8[3] = last;
}

static uint64_t g_pair_waiter_stamp;
static uint32_t g_pair_waiter_slot;
static uint32_t g_pair_waiter_asks;

/* Lane 1's thread, at packet w->seq stamped g_pair_waiter_stamp (slot
 * g_pair_waiter_slot; when 0, none: the last packet's stamp does not stay), waits
 * for slot g_pair_waiter_asks. */
static void *pair_waiter_main(void *arg)
{
    Waiter *w = arg;
    runtime_order_set_thread(&g_lane_tv[1]);
    if (g_pair_waiter_stamp == 0) {
        runtime_order_begin_pair(1, g_pair_waiter_asks);   // the last packet's: begin drops it
    }
    runtime_order_begin(w->seq);
    if (g_pair_waiter_stamp != 0) {
        runtime_order_begin_pair(g_pair_waiter_stamp, g_pair_waiter_slot);
    }
    runtime_order_wait_pair(g_pair_waiter_asks);
    atomic_store(&w->returned, true);
    runtime_order_begin(0);
    runtime_order_set_thread(NULL);
    return NULL;
}

/* Address pairs: a root's stamp is the newest earlier root of its pair's slot on
 * another lane (plus 1); a pair wait then waits for that one only, and a wait for a
 * slot other than the stamp's (or without a stamp) for every earlier packet. The
 * slot is the same both ways round. Here 2 (the other pair) is never released: a
 * wait for it would never end (the alarm fails the test). */
static void test_pair_waits_only_for_its_pair(void **state)
{
    (void)state;
    VgAddr h1;
    VgAddr h2;
    VgAddr h3;
    addr4(&h1, 1);
    addr4(&h2, 2);
    addr4(&h3, 3);
    uint32_t x = runtime_order_pair_slot(&h1, &h2);
    uint32_t y = runtime_order_pair_slot(&h1, &h3);
    assert_int_equal(x, runtime_order_pair_slot(&h2, &h1));
    assert_int_not_equal(x, y);
    lanes_setup(5);
    assert_int_equal(runtime_order_pair_handed(NULL, x, 1, 0), 0);   // not the lanes'
    assert_int_equal(runtime_order_pair_handed(&g_lane_qh, x, 1, 0), 1);   // none before
    runtime_order_handed(&g_lane_qh, 1, 0);
    assert_int_equal(runtime_order_pair_handed(&g_lane_qh, y, 2, 0), 1);
    runtime_order_handed(&g_lane_qh, 2, 0);
    uint64_t s3 = runtime_order_pair_handed(&g_lane_qh, x, 3, 1);
    assert_int_equal(s3, 1 + 1);                                     // 1, on lane 0
    runtime_order_handed(&g_lane_qh, 3, 1);
    assert_int_equal(runtime_order_pair_handed(&g_lane_qh, x, 4, 1), 1 + 1);   // still 1
    runtime_order_handed(&g_lane_qh, 4, 1);
    assert_int_equal(runtime_order_pair_handed(&g_lane_qh, x, 5, 0), 4 + 1);   // 4, lane 1
    runtime_order_handed(&g_lane_qh, 5, 0);

    alarm(10);
    lane_done(0, 1);
    runtime_order_set_thread(&g_lane_tv[1]);
    runtime_order_begin(3);
    runtime_order_begin_pair(s3, x);
    runtime_order_wait_pair(x);               // 1 is released; 2 (pair y) does not count
    alarm(0);
    runtime_order_begin(0);
    runtime_order_set_thread(NULL);

    /* packet 3 asks for another slot than its stamp's: it waits for 2 as well */
    Waiter w = {.seq = 3};
    pthread_t t;
    g_pair_waiter_stamp = s3;
    g_pair_waiter_slot = x;
    g_pair_waiter_asks = y;
    assert_int_equal(pthread_create(&t, NULL, pair_waiter_main, &w), 0);
    wait_for_waiters(1);
    assert_false(atomic_load(&w.returned));
    lane_done(0, 2);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(atomic_load(&w.returned));

    /* a new packet starts without a stamp: its pair wait is a wait for everything */
    Waiter w5 = {.seq = 5};
    g_pair_waiter_stamp = 0;
    g_pair_waiter_asks = x;
    assert_int_equal(pthread_create(&t, NULL, pair_waiter_main, &w5), 0);
    wait_for_waiters(1);
    assert_false(atomic_load(&w5.returned));   // 3 and 4 (lane 1) are out
    lane_done(1, 3);
    lane_done(1, 4);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(atomic_load(&w5.returned));
    runtime_order_enable(false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off),
        cmocka_unit_test(test_numbers_and_release),
        cmocka_unit_test(test_ring_grows),
        cmocka_unit_test(test_wait_for_lower),
        cmocka_unit_test(test_steer_waits_only_across_queues),
        cmocka_unit_test(test_wait_for_returns_once_up_to_seq_released),
        cmocka_unit_test(test_lanes_lowest_unreleased),
        cmocka_unit_test(test_lanes_waiter_woken),
        cmocka_unit_test(test_lane_ring_full_ends_order),
        cmocka_unit_test(test_abandon_lets_waiters_go),
        cmocka_unit_test(test_pair_waits_only_for_its_pair),
        cmocka_unit_test(test_watch_stall_gives_up),
        cmocka_unit_test(test_watch_release_restarts_the_clock),
        cmocka_unit_test(test_watch_stop_gives_up_after_grace),
        cmocka_unit_test(test_watch_no_waiter_or_pause_is_no_stall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
