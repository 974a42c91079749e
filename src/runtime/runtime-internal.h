#ifndef VG_RUNTIME_RUNTIME_INTERNAL_H
#define VG_RUNTIME_RUNTIME_INTERNAL_H

/* Internals of src/runtime shared with its tests only. */

#include <stdbool.h>
#include <stdint.h>

#include "runtime/packet-pool.h"

/* Threads blocked in packet_pool_get right now. Lets a test wait until a
 * getter really sleeps before it returns packets (no sleeps in tests). */
uint32_t packet_pool_n_waiting(PacketPool *pool);

/* runtime-order.c: threads in runtime_order_wait right now, and the lowest
 * sequence number not yet released. */
uint32_t runtime_order_n_waiting(void);
uint64_t runtime_order_next_unreleased(void);

/* runmodes.c: the packet order's watchdog, run by the main thread while it joins the
 * packet threads, every ORDER_WATCH_TICK_MS (runtime-order.h). A stop (SIGINT,
 * SIGTERM, vigilctl shutdown) must end the run even when threads wait for packets
 * that will never be released: ORDER_STOP_GRACE_MS after it the order is given up.
 * Without a stop, threads waiting while no packet is released for ORDER_STALL_MS is a
 * deadlock (a bug): the order is given up so that the run ends, with an error and a
 * failing exit status (stalled). */
#define ORDER_STOP_GRACE_MS 3000u
#define ORDER_STALL_MS 30000u
#define ORDER_WATCH_TICK_MS 200u

typedef struct OrderWatch {
    uint64_t stop_since_ms;      // 0: no stop seen
    uint64_t released;           // lowest unreleased at the last change
    uint64_t changed_ms;         // 0: nothing waits
    uint64_t tick_ms;            // the last look
    bool given_up;
    bool stalled;
} OrderWatch;

/* One look at monotonic time now (ms); is_stop: the engine was asked to stop. */
void runmode_order_watch(OrderWatch *w, uint64_t now, bool is_stop);

#endif
