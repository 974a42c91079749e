/* The engine clock in offline mode: packet timestamps. */
#include <stdatomic.h>
#include <stddef.h>

#include "runtime/engine.h"

void runtime_time_advance(Engine *e, int64_t sec, uint32_t usec)
{
    e->offline_pkts++;
    int64_t cur = atomic_load(&e->now_sec);
    if (sec < cur || (sec == cur && usec <= atomic_load(&e->now_usec))) {
        return; // out-of-order timestamps never move the clock back
    }
    atomic_store(&e->now_usec, usec);
    atomic_store(&e->now_sec, sec);
    if (sec != cur && e->on_new_second != NULL) {
        e->on_new_second(e, sec);
    }
}
