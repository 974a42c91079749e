/* Packet order for state shared across flows (thresholds by_src/by_dst/by_rule,
 * rate filters, hostbits/xbits, datasets, host tags).
 *
 * On a capture file read by one thread, every packet gets a sequence number in
 * reading order (runtime_order_seq). Detection of flow-local matters runs in
 * parallel in the worker threads; a decision on cross-flow state waits
 * (runtime_order_wait) until every packet with a lower number has ended its
 * journey (been released), so such decisions are taken one packet at a time,
 * in capture order, exactly as the single runmode takes them: the same alerts,
 * drops and later matches in every runmode and every run. Packets that touch no
 * shared state never wait. Live capture (and custom pipelines where several
 * threads feed detection) keep the old behaviour: no ordering, decisions in
 * whatever order the threads reach them. */
#ifndef VIGIL_RUNTIME_ORDER_H
#define VIGIL_RUNTIME_ORDER_H

#include <stdbool.h>
#include <stdint.h>

struct PacketQueue;
struct QueueHandler;
struct ThreadVars;

/* Turns ordering on or off. runmode_run, before any packet thread starts
 * and after they are all joined; on resets the numbering. */
void runtime_order_enable(bool on);
bool runtime_order_is_enabled(void);
/* Queues whose sleeping consumers a waiter wakes (runmode_run, before start). */
void runtime_order_add_queue(struct PacketQueue *q);

/* Lanes (runmode_run, after enable, before threads start): one thread hands every
 * root on through qh, whose queues are each drained by one thread that releases
 * the roots it gets (the last group: autofp, workers). Releases are then tracked
 * per queue, in order, without a lock (see runtime-order.c). max_roots: the most
 * roots in flight at once (the pool's size). Otherwise (custom pipelines with
 * more hops, tests) a released set under a mutex does it. 0, or an error when
 * not possible (the mutex then does it). */
int runtime_order_set_lanes(const struct QueueHandler *qh, uint32_t max_roots);
/* The thread feeding qh hands root number seq to its queue q (before pushing it;
 * roots in reading order). Nothing unless qh is the lanes' handler. */
void runtime_order_handed(const struct QueueHandler *qh, uint64_t seq, uint32_t q);

/* The next sequence number (1, 2, ...): the reading thread, per acquired
 * packet. 0 when ordering is off. One thread at a time calls it (not atomic). */
uint64_t runtime_order_next_seq(void);
/* The packet this thread is working on now (its root's number; 0: none). */
void runtime_order_begin(uint64_t seq);
/* A root packet with this number has been released. With lanes: counted in the
 * thread's lane at once; otherwise collected per thread and published in batches
 * (runtime_order_publish). */
void runtime_order_done(uint64_t seq);
/* The number of the packet this thread works on (0: none, or ordering off). */
uint64_t runtime_order_current(void);
/* Publishes this thread's collected completions (before it may block). */
void runtime_order_publish(void);
/* The thread this is (tm_thread_run_inline): a waiter first hands on what the
 * thread holds back, since the packets it waits for may be among them. */
void runtime_order_set_thread(struct ThreadVars *tv);
/* Bumped by waiters: threads that stage packets for a next group hand them on
 * at once when they see it change. */
uint64_t runtime_order_flush_gen(void);

/* Before a decision on cross-flow state for the current packet: returns once
 * every packet with a lower number has been released. At once when ordering
 * is off, outside a packet, or when this packet already waited. */
void runtime_order_wait(void);
/* The lowest number not yet released (1 before any), without a lock: a
 * packet with number n waits for at most n minus this many packets. */
uint64_t runtime_order_released(void);
/* For a watchdog (runmode_run, while the packet threads run): true when a thread
 * sleeps in an order wait; released: the lowest number not yet released. False
 * when ordering is off. */
bool runtime_order_waiters(uint64_t *released);
/* Gives the order up while the packet threads run: every wait, now and later,
 * returns at once, so that threads stuck waiting end (a stop that must not hang,
 * or a stall, which is a bug). Decisions on shared state are then taken as the
 * threads reach them: not the same in every runmode any more. */
void runtime_order_abandon(void);
/* Returns once every packet numbered up to seq has been released (at once for 0
 * or when ordering is off). */
void runtime_order_wait_for(uint64_t seq);

/* Flows shared across the threads of a group (a tunnel's outer flow: its packets
 * are steered by the inner flows they carry, to any thread). The steering thread,
 * for each root it hands on to queue `queue`: begin, then each flow the root's
 * packets already hold (looked up by that thread), then end, which returns the
 * number of the packet the root must wait for before a thread works on it (0:
 * none): the last earlier packet of one of those flows steered to another queue
 * and not yet released. Packets of such a flow then run one after the other in
 * capture order, in whichever threads, and a thread holding that flow's lock
 * never waits for a thread that waits for the lock (runtime_order_wait may be
 * called with it held). Steering thread only. */
void runtime_order_steer_begin(void);
void runtime_order_steer_flow(const void *flow, uint64_t seq, uint32_t queue);
uint64_t runtime_order_steer_end(void);

/* Address pairs: a decision on state keyed by the two addresses of a flow (the FTP
 * expectations) needs only the earlier packets between the same two hosts, not
 * every earlier packet. runtime_order_pair_slot: the slot of an unordered address
 * pair (pairs may share one). The steering thread, for each root it hands to queue
 * `queue` of qh, with the slot of the addresses the root is steered by:
 * runtime_order_pair_handed returns the stamp the root carries (Packet.order_pair):
 * the highest number of an earlier root of that slot handed to another lane, plus 1
 * (0, no stamp, unless qh is the lanes' handler). The thread working on the root sets
 * it with runtime_order_begin_pair (runtime_order_begin drops it); then
 * runtime_order_wait_pair(slot) waits for the stamped packet only when slot is the
 * stamp's, and for every earlier packet otherwise (no stamp: lanes off; a flow not of
 * the root's steering addresses). */
struct VgAddr;
uint32_t runtime_order_pair_slot(const struct VgAddr *a, const struct VgAddr *b);
uint64_t runtime_order_pair_handed(const struct QueueHandler *qh, uint32_t slot, uint64_t seq,
                                   uint32_t queue);
void runtime_order_begin_pair(uint64_t stamp, uint32_t slot);
void runtime_order_wait_pair(uint32_t slot);

#endif
