#ifndef VG_RUNTIME_PACKET_POOL_H
#define VG_RUNTIME_PACKET_POOL_H

/* Packet pool: every Packet and its data buffer are allocated once at
 * start-up. Any thread may return a packet (packet_pool_put); getting one
 * blocks while the pool is empty, which is how acquisition feels
 * back-pressure from slower stages. */

#include <stdbool.h>
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
/* A clean packet for acquisition; blocks while no more than the reserve is
 * free (n/16 packets, at most 64, for pools of 64 or more; else none).
 * Never NULL. The reserve keeps a decoder in another thread than the
 * reader able to make the tunnel and defrag packets of the root it is at
 * while the reader has filled its input queue with the rest of the pool. */
Packet *packet_pool_get(PacketPool *pool);
/* A clean packet made from another (tunnel, rebuilt datagram); may take the
 * reserve; blocks while none is free. Never NULL. */
Packet *packet_pool_get_child(PacketPool *pool);
/* A clean packet or NULL if none is free right now. */
Packet *packet_pool_try_get(PacketPool *pool);
void packet_pool_put(Packet *p);
uint32_t packet_pool_size(const PacketPool *pool);
uint32_t packet_pool_free_count(PacketPool *pool);

#endif
