#ifndef VG_RUNTIME_RUNTIME_INTERNAL_H
#define VG_RUNTIME_RUNTIME_INTERNAL_H

/* Internals of src/runtime shared with its tests only. */

#include <stdint.h>

#include "runtime/packet-pool.h"

/* Threads blocked in packet_pool_get right now. Lets a test wait until a
 * getter really sleeps before it returns packets (no sleeps in tests). */
uint32_t packet_pool_n_waiting(PacketPool *pool);

/* runtime-order.c: threads in runtime_order_wait right now, and the lowest
 * sequence number not yet released. */
uint32_t runtime_order_n_waiting(void);
uint64_t runtime_order_next_unreleased(void);

#endif
