#ifndef VG_RUNTIME_PACKET_POOL_H
#define VG_RUNTIME_PACKET_POOL_H

/* Packet pool: every Packet and its data buffer are allocated once at
 * start-up. Any thread may return a packet (packet_pool_put); getting one
 * blocks while the pool is empty, which is how acquisition feels
 * back-pressure from slower stages. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/packet-types.h"

typedef struct PacketPool PacketPool;

PacketPool *packet_pool_new(uint32_t n_packets);
/* Same with buf_bytes of data per packet (at least PACKET_MAX_SIZE, which
 * decoders making tunnel packets rely on); the untouched part of a buffer
 * costs address space only. */
PacketPool *packet_pool_new_sized(uint32_t n_packets, uint32_t buf_bytes);
/* Bytes of data a packet of this pool holds: what acquisition may copy. */
uint32_t packet_pool_buffer_size(const PacketPool *pool);
/* All packets must have been returned. */
void packet_pool_free(PacketPool *pool);
/* A clean packet; blocks while none is free (for a reader, see
 * packet_pool_set_reader: while no more than an eighth is). Never NULL. */
Packet *packet_pool_get(PacketPool *pool);
/* A clean packet made from another (tunnel, rebuilt datagram): a pool packet,
 * or when none is free one allocated apart (freed by packet_pool_put). It
 * never blocks: a decoder in a thread of its own may be fed by a queue that
 * holds the rest of the pool, and would wait for itself. NULL only when out
 * of memory. */
Packet *packet_pool_get_child(PacketPool *pool);
/* Packets packet_pool_get_child allocated apart so far. */
uint64_t packet_pool_overflow_count(PacketPool *pool);
/* A clean packet or NULL if none is free right now. */
Packet *packet_pool_try_get(PacketPool *pool);
void packet_pool_put(Packet *p);
/* packet_pool_put of n packets, one lock per run of packets of the same pool. */
void packet_pool_put_batch(Packet *const *pkts, uint32_t n);
/* For the calling thread only: fn(arg) runs in packet_pool_get before the thread would
 * block on an empty pool (the runtime hands on the packets it holds back there). NULL
 * removes it. */
void packet_pool_set_wait_hook(void (*fn)(void *arg), void *arg);
/* For the calling thread only: a reader (an acquire thread feeding other threads) gets a
 * packet only while more than an eighth of the pool would stay free, so that threads
 * further down, which also take packets (tunnels), always find one eventually. */
void packet_pool_set_reader(bool is_reader);
/* For the calling thread, while it is a reader: it holds at most max_out packets out of
 * the pool at a time (0: no limit but the reserve above), and once at the limit waits
 * until half of them are back. A capture-file reader keeps this way the packets in flight
 * between it and the workers few enough to stay in cache (issue 15); live readers keep
 * the whole pool for bursts. A reader also takes packets from the pool several at a time
 * (one lock per batch); packet_pool_set_reader(false) returns those it still holds. */
void packet_pool_set_reader_limit(uint32_t max_out);
/* This thread's packet_pool_get returns NULL instead of waiting on an empty pool (a
 * reader run inside a worker, whose own queue may hold what it would wait for). */
void packet_pool_set_nowait(bool is_nowait);
uint32_t packet_pool_size(const PacketPool *pool);
uint32_t packet_pool_free_count(PacketPool *pool);

/* Start loading p's header and the first lines of its data into this core's cache: a
 * packet handed over from another thread is cold here, and its first touches were a good
 * part of what a worker paid more than the single runmode (issue 15). A hint only. */
static inline void packet_prefetch(const Packet *p)
{
    const char *h = (const char *)p;
    for (size_t off = 0; off < sizeof(*p); off += 64) {
        __builtin_prefetch(h + off, 0, 3);
    }
    for (size_t off = 0; off < 256; off += 64) {
        __builtin_prefetch(p->data + off, 0, 3);
    }
}

#endif
