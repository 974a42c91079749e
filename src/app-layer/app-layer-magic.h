#ifndef VG_APP_LAYER_APP_LAYER_MAGIC_H
#define VG_APP_LAYER_APP_LAYER_MAGIC_H

/* File types by libmagic, for the parsers that carry files (src/app-layer only).
 *
 * Each thread has its own libmagic handle (a handle is not thread safe; one shared handle
 * behind a lock serialised every worker on the most expensive call of the file path), and
 * the threads share a cache of recent results keyed by the SHA-256 and length of the
 * bytes: libmagic's answer depends on nothing else, and one call costs ~150-300 us
 * whatever the size (it walks the whole magic database), while the same error page or
 * icon is often served again and again. A hit needs the same SHA-256 digest, so the text
 * is the one libmagic gives for those bytes (no copy of the data is kept). */

#include <stddef.h>
#include <stdint.h>

/* The type of data[0..len) copied into out (cap bytes, truncated like snprintf); returns
 * out, or NULL when libmagic is not available or has no answer. Any thread; the first call
 * in a thread loads the magic database (~6 MiB per thread). */
const char *app_magic_of(const uint8_t *data, uint32_t len, char *out, size_t cap);
/* Frees every thread's handle and the cache. Only when no other thread calls app_magic_of any
 * more (engine shutdown, tests); a later call starts afresh. */
void app_magic_deinit(void);

/* For tests: libmagic calls made and cache hits, summed over threads since the last
 * app_magic_deinit. */
uint64_t app_magic_n_calls(void);
uint64_t app_magic_n_hits(void);

#endif
