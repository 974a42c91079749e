#ifndef VG_RUNTIME_COUNTERS_H
#define VG_RUNTIME_COUNTERS_H

/* Counters: named at start-up (before threads start) in one global registry;
 * each thread owns a CounterSet it alone writes; the stats thread reads all
 * sets (relaxed atomics: single writer, racy-but-defined readers) and merges.
 *
 * Names are dotted paths as they appear in EVE stats: "decoder.ipv4",
 * "flow.total". */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint16_t CounterId;

#define COUNTERS_MAX 2048

typedef enum CounterKind {
    COUNTER_SUM = 0,             // merged by addition
    COUNTER_MAX,                 // merged by maximum
    COUNTER_GAUGE,               // merged by addition, but a current value (set, not added)
    COUNTER_AVG,                 // derived when merged: sum counter / count counter (never set)
    COUNTER_PROBE,               // read from a function when merged: a global value such as
                                 // memory in use now (never set)
} CounterKind;

typedef struct CounterSet {
    _Atomic uint64_t vals[COUNTERS_MAX];
} CounterSet;

/* Register (or find) a counter by name. Any thread (usually at thread init).
 * Returns its id; the same name returns the same id. */
CounterId counters_register(const char *name, CounterKind kind);
/* Register an average: its merged value is the merged sum_name counter divided
 * by the merged count_name counter (0 while the count is 0), so it stays right
 * after the threads that counted have ended and whatever the thread count.
 * Both sources are registered as COUNTER_SUM if they are not yet. */
CounterId counters_register_avg(const char *name, const char *sum_name, const char *count_name);
/* Register a probe: its merged value is fn(arg) at the moment of the merge, whatever
 * the threads' sets hold (memory in use, which flows ended after the packet threads
 * release: a value copied into each thread's set at its last packet stayed behind).
 * A name already registered otherwise becomes a probe. Start-up only. */
CounterId counters_register_probe(const char *name, uint64_t (*fn)(void *arg), void *arg);
CounterId counters_count(void);
const char *counters_name(CounterId id);
CounterKind counters_kind(CounterId id);
/* Look up an id by name; false if not registered. */
bool counters_find(const char *name, CounterId *out);

/* Per-thread sets are linked into a global list for merging.
 * counters_set_new is called by the owning thread at thread init. */
CounterSet *counters_set_new(void);
/* A set that also reports on its own under name (a thread name, "W#01") in
 * counters_each_named; its last values stay reported after it is freed. */
CounterSet *counters_set_new_named(const char *name);
void counters_set_free(CounterSet *cs);

/* Every named set, live or freed, in name order: fn(name, vals, user) with
 * vals[counters_count()] the values of that set alone (averages computed
 * within it). Any thread. Returns 0 or VG_ENOMEM (nothing called). */
typedef void (*CountersNamedFn)(const char *name, const uint64_t *vals, void *user);
int counters_each_named(CountersNamedFn fn, void *user);

/* Merge every live set (and sets freed since start, kept as totals) into out[]
 * (counters_count() entries). Any thread. */
void counters_merge(uint64_t *out);

/* Forget every registration and set (tests, and end of run). */
void counters_reset(void);

static inline void counters_add(CounterSet *cs, CounterId id, uint64_t v)
{
    uint64_t cur = atomic_load_explicit(&cs->vals[id], memory_order_relaxed);
    atomic_store_explicit(&cs->vals[id], cur + v, memory_order_relaxed);
}

static inline void counters_incr(CounterSet *cs, CounterId id)
{
    counters_add(cs, id, 1);
}

static inline void counters_set(CounterSet *cs, CounterId id, uint64_t v)
{
    atomic_store_explicit(&cs->vals[id], v, memory_order_relaxed);
}

static inline void counters_max(CounterSet *cs, CounterId id, uint64_t v)
{
    if (v > atomic_load_explicit(&cs->vals[id], memory_order_relaxed)) {
        atomic_store_explicit(&cs->vals[id], v, memory_order_relaxed);
    }
}

static inline uint64_t counters_get(const CounterSet *cs, CounterId id)
{
    return atomic_load_explicit(&cs->vals[id], memory_order_relaxed);
}

#endif
