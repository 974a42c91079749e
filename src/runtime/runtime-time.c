/* The engine clock in offline mode: packet timestamps. */
#include <stdatomic.h>
#include <stddef.h>

#include "runtime/engine.h"

/* Called by the acquire thread for every packet. Relaxed loads of what only
 * this thread writes, release stores (usec first: a reader that sees the new
 * second sees its microseconds too or later ones); a sequentially consistent
 * store is a locked exchange per packet, which the clock does not need. */
void runtime_time_advance(Engine *e, int64_t sec, uint32_t usec)
{
    e->offline_pkts++;
    int64_t cur = atomic_load_explicit(&e->now_sec, memory_order_relaxed);
    if (sec < cur ||
        (sec == cur && usec <= atomic_load_explicit(&e->now_usec, memory_order_relaxed))) {
        return; // out-of-order timestamps never move the clock back
    }
    atomic_store_explicit(&e->now_usec, usec, memory_order_release);
    atomic_store_explicit(&e->now_sec, sec, memory_order_release);
    if (sec != cur && e->on_new_second != NULL) {
        e->on_new_second(e, sec);
    }
}
