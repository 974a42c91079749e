#ifndef VG_RUNTIME_RUNTIME_H
#define VG_RUNTIME_RUNTIME_H

/* Threads, slots, queues and queue handlers.
 *
 * A thread runs an ordered list of slots (modules). Its packets come either
 * from an acquire module in slot 0 or from its input queue. After the last
 * slot a packet goes to the next thread group through a queue handler, or
 * back to its pool. A packet is owned by exactly one thread at a time. */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "decode/packet-types.h"
#include "runtime/counters.h"
#include "runtime/module.h"

struct Engine;

#define TM_MAX_SLOTS 16
#define TM_MAX_THREADS 64
#define TM_MAX_QUEUES 64
#define TM_NAME_LEN 16
#define TM_BATCH 32              // packets per queue pop, per staged push, per batched return

/* Bounded multi-producer multi-consumer packet queue. */
typedef struct PacketQueue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    Packet **ring;
    uint32_t cap;
    uint32_t head;
    uint32_t len;
    uint32_t n_push_waiting;     // producers waiting for room (under lock)
    bool closed;                 // no more producers: consumers exit when empty
    uint64_t n_refused;          // pushes refused because the queue was closed (under lock)
    char name[TM_NAME_LEN];
} PacketQueue;

int packet_queue_init(PacketQueue *q, uint32_t cap, const char *name);
void packet_queue_deinit(PacketQueue *q);
/* Blocks while full and open. Returns 0, or VG_ECLOSED when the queue is
 * closed (also for a producer blocked when it closes): the packet was not
 * queued and still belongs to the caller. */
int packet_queue_push(PacketQueue *q, Packet *p);
/* The n packets in order, under one lock; blocks while full and open. A sleeping
 * consumer is woken when is_urgent, or once the queue holds a quarter of its capacity (at
 * most 256): a producer that pushes more later need not wake it for every batch, but
 * must push with is_urgent before it may itself wait (no input, empty pool) or end.
 * *n_pushed: how many were queued (the first ones); VG_ECLOSED when the queue closed
 * first: the others still belong to the caller. */
int packet_queue_push_batch(PacketQueue *q, Packet *const *pkts, uint32_t n, bool is_urgent,
                            uint32_t *n_pushed);
/* Up to max packets; blocks while empty and open. Returns 0 when closed and empty. */
uint32_t packet_queue_pop_batch(PacketQueue *q, Packet **out, uint32_t max);
/* Up to max packets without waiting: 0 when empty (closed or not). */
uint32_t packet_queue_try_pop_batch(PacketQueue *q, Packet **out, uint32_t max);
/* Wake a sleeping consumer if packets are queued (after pushes that were not urgent), and
 * producers waiting for room if there is any (a pop wakes them only once there is room for
 * a quarter of the ring, at most 256 packets). */
void packet_queue_wake(PacketQueue *q);
void packet_queue_close(PacketQueue *q);

typedef enum QueueHandlerKind {
    QH_SIMPLE = 0,               // one shared queue, any consumer
    QH_FLOW,                     // a queue per consumer, chosen by a symmetric flow hash
    QH_ROUTE,                    // a predicate picks the queue (see RouteKind)
} QueueHandlerKind;

typedef enum RouteKind {
    ROUTE_IP_VERSION = 0,        // IPv4 -> queue 0, IPv6 -> queue 1, other -> queue 0
    ROUTE_ALERTED,               // clean -> 0, alerted -> 1
    ROUTE_VLAN,                  // vlan id modulo the number of queues
} RouteKind;

typedef struct QueueHandler {
    QueueHandlerKind kind;
    RouteKind route;
    PacketQueue **queues;        // not owned
    uint32_t n_queues;
    bool feeds_flow;             // the group it feeds runs the flow stage (Engine.steer_prepare)
} QueueHandler;

/* Pick the queue for p and push it there. VG_ECLOSED: refused (see
 * packet_queue_push), p still belongs to the caller. */
int queue_handler_push(const QueueHandler *qh, Packet *p);
/* The index (< n_queues) of the queue queue_handler_push would choose for p. */
uint32_t queue_handler_pick(const QueueHandler *qh, const Packet *p);
/* Direction-independent hash of addresses, ports, protocol and VLAN ids (an
 * ICMP error quoting a header: those of the quoted packet). */
uint32_t queue_handler_flow_hash(const Packet *p);
/* The packet QH_FLOW steers p by: its innermost tunnel packet, or the datagram
 * rebuilt from it (a fragment); p itself otherwise. */
const Packet *queue_handler_route_packet(const Packet *p);
/* The addresses queue_handler_flow_hash mixes: p's, or those of the header an ICMP
 * error quotes (the flow it joins). */
void queue_handler_flow_addrs(const Packet *p, const VgAddr **src, const VgAddr **dst);
bool queue_handler_parse(const char *spec, QueueHandlerKind *kind, RouteKind *route);

typedef struct TmSlot {
    const TmModule *module;
    void *data;                  // the module's thread state
} TmSlot;

typedef struct ThreadVars {
    char name[TM_NAME_LEN];      // "W#01", "RX#01", ...
    uint32_t id;
    uint32_t group_index;        // this thread's index within its thread group
    struct Engine *engine;
    TmSlot slots[TM_MAX_SLOTS];
    uint32_t n_slots;
    CounterSet *counters;        // written by this thread only
    PacketQueue *inq;            // NULL when slot 0 is an acquire module
    QueueHandler *outq;          // NULL: packets end here
    int cpu_set[8];              // CPU ids to pin to (-1 terminated); none: not pinned
    uint32_t n_cpus;
    pthread_t thread;
    bool started;
    int result;
    char modules_desc[128];      // "pcap-file,decode" for the start-up log
    uint32_t cur_slot;           // slot running now (tm_packet_add_child)
    /* Called by the thread once its modules' thread_init ran (or failed),
     * before any packet: runmode_run starts threads one at a time, so that
     * counters are registered in the same order in every run. May be NULL. */
    void (*on_ready)(struct ThreadVars *tv, void *arg);
    void *on_ready_arg;
    /* Hand-off in batches, on only while tm_thread_run_inline runs the thread (a
     * ThreadVars driven by hand hands each packet on at once): packets for the next group
     * wait in staged[queue] and are pushed TM_BATCH at a time; packets that end here wait
     * in done[] and go back to their pool TM_BATCH at a time. Both are handed on before
     * the thread can block (empty input queue, empty pool, tm_thread_idle) and at its end,
     * so nothing waits on a thread that waits. Written by this thread only. */
    bool is_batching;
    bool is_tearing_down;        // slots_finish runs thread_deinit: dispatch only releases
    uint32_t n_done;
    Packet *done[TM_BATCH];
    uint16_t n_staged[TM_MAX_QUEUES];
    bool is_unwoken[TM_MAX_QUEUES];   // pushed since the last urgent push or wake
    Packet *staged[TM_MAX_QUEUES][TM_BATCH];
    uint64_t order_gen;          // runtime_order_flush_gen last seen: a waiter asked for stages
    /* Set by an acquire module's thread_init when it can read in steps (capture files):
     * dispatches up to max packets, taking pool packets without waiting (it stops early
     * when the pool would make it wait); returns how many, or -1 at the end of input
     * (result: TM_OK, or TM_FAILED when nothing could be read). NULL: acquire_loop only. */
    int (*acquire_step)(struct ThreadVars *tv, void *data, uint32_t max, int *result);
    /* A worker that runs the reader's steps itself (tm_inline_reader); NULL: none. */
    struct InlineReader *inline_rx;
    /* While a worker runs a step of the reader: in the reader's ThreadVars, that worker,
     * and in the worker's, the reader (NULL otherwise). The reader runs the roots it
     * steers to that worker's own queue (inline_own_q) at once in the worker's slots,
     * and idling either idles both: see inline_read. */
    struct ThreadVars *inline_peer;
    uint32_t inline_own_q;
    /* Profiling: slot i is counted as slot prof_slot_base + i of the OS thread running
     * it. The inline reader's slots run in the workers' threads: they count past the
     * workers' own (runmodes.c), or a worker's stream was reported as the reader's decode. */
    uint32_t prof_slot_base;
} ThreadVars;

/* The reader run inside the workers (runmodes.c: autofp and workers on a capture file
 * when a reader thread beside the workers would leave fewer CPUs than threads): a worker
 * whose input queue is empty takes the reader, if no other worker has it, reads a step
 * of packets and hands them on, as the reader thread would, in reading order. */
typedef struct InlineReader {
    pthread_mutex_t lock;        // held while a worker runs a step
    /* is_ready has a lock of its own: a worker that waited for it on the step's lock
     * could wait for a step that waits for that worker's packets. */
    pthread_mutex_t ready_lock;
    pthread_cond_t ready_cond;
    ThreadVars *rx;              // the reader's ThreadVars (slots initialised by runmode_run)
    PacketQueue *queues;         // the workers' input queues, closed at the end of input
    uint32_t n_queues;
    bool is_ready;               // guarded by ready_lock: rx initialised (or failed)
    _Atomic bool is_done;        // end of input, queues closed
    int result;                  // guarded by lock: the reader's TM_OK / TM_FAILED
} InlineReader;

/* runmode_run, main thread: initialise rx's slots (its counters, in this thread), then
 * let the workers read. Returns 0, or an error (the queues are then closed). */
int tm_inline_reader_start(InlineReader *ir);
/* After the workers are joined: the reader's result; frees its counters. */
int tm_inline_reader_end(InlineReader *ir);

/* Run p through slots [from, n_slots) and pass it on (next queue or pool).
 * p is a root: the children it carries (from an earlier thread) run through
 * all slots first, innermost first. */
void tm_thread_dispatch_from(ThreadVars *tv, Packet *p, uint32_t from);
/* For a module's process callback: child, a packet made from p (a tunnel
 * packet), runs through the slots after the current one as soon as that
 * slot is done with p, before p goes on. It then travels with p's root (in
 * root->children) through the next thread groups, where it again runs
 * before its root, and goes back to the pool with it: root and children
 * stay in one thread at a time, in the same order in every runmode. */
void tm_packet_add_child(ThreadVars *tv, Packet *p, Packet *child);
/* For acquire modules: process a freshly acquired packet. */
void tm_thread_dispatch(ThreadVars *tv, Packet *p);
/* Packets that end their journey: back to the pool. */
void tm_packet_release(ThreadVars *tv, Packet *p);
/* Hand on at once whatever this thread holds back (staged for the next group, or on its
 * way back to the pool). Acquire modules call it before they wait for input, so a quiet
 * link never leaves packets waiting in a stage. */
void tm_thread_idle(ThreadVars *tv);

/* Module registry (module-list.c + plugins). */
int tm_module_register(const TmModule *m);   // plugins; checks version, name, callbacks
const TmModule *tm_module_find(const char *name);
void tm_module_list_print(void);
void tm_modules_reset(void);                 // tests

/* Thread lifecycle. tm_thread_setup adds slots by module name and runs each
 * module's thread_init in the thread itself (at start). */
int tm_thread_add_slot(ThreadVars *tv, const char *module_name);
int tm_thread_start(ThreadVars *tv);
int tm_thread_join(ThreadVars *tv);
/* Joins tv if it ends within ms (ended says whether it did): its result then, else 0. */
int tm_thread_join_within(ThreadVars *tv, uint32_t ms, bool *ended);
/* Run the thread body in the calling thread (single runmode, tests). */
int tm_thread_run_inline(ThreadVars *tv);

#endif
