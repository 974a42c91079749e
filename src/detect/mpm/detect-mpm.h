#ifndef VG_DETECT_MPM_DETECT_MPM_H
#define VG_DETECT_MPM_DETECT_MPM_H

/* Multi-pattern matcher (MPM): the prefilter of the detection engine.
 *
 * Life cycle, all on the rule-loading thread:
 *   ctx = mpm_ctx_new(algo); mpm_add_pattern(ctx, ...) per fast pattern;
 *   mpm_compile(ctx);
 * After mpm_compile the context is immutable and may be scanned by any
 * number of threads at once. Each scanning thread owns one MpmThread, calls
 * mpm_thread_prepare() once for every context it will scan (at thread start
 * or after a rule reload, never during a scan), then mpm_scan() per buffer.
 * A scan allocates nothing.
 *
 * Patterns are literal byte strings (any byte, NUL included), matched
 * anywhere in the buffer, case-sensitively or not (ASCII letters only).
 * Several ids may be added with identical bytes and case flag: the pattern is
 * stored once and every id is reported. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum MpmAlgo {
    MPM_ALGO_AUTO = 0, // Hyperscan when available, else Aho-Corasick
    MPM_ALGO_AC,       // built-in Aho-Corasick
    MPM_ALGO_HS,       // Hyperscan (only when built with it and the CPU supports it)
} MpmAlgo;

typedef struct MpmCtx MpmCtx;
typedef struct MpmThread MpmThread;

/* Called once per distinct id per scan, on the scanning thread. */
typedef void (*MpmMatchCb)(uint32_t id, void *user);

/* "auto", "ac" or "hs" (exact, lower case). false and *out untouched on
 * anything else. */
bool mpm_algo_parse(const char *name, MpmAlgo *out) __attribute__((warn_unused_result));

/* AUTO and AC are always available; HS when compiled in and the CPU can run it. */
bool mpm_algo_available(MpmAlgo algo);

/* "auto", "ac", "hs"; "unknown" for values outside the enum. */
const char *mpm_algo_name(MpmAlgo algo);

/* New empty context. AUTO resolves here (HS when available, else AC).
 * NULL when the algorithm is unavailable or memory is short. */
MpmCtx *mpm_ctx_new(MpmAlgo algo) __attribute__((warn_unused_result));

/* The resolved algorithm (never AUTO). */
MpmAlgo mpm_ctx_algo(const MpmCtx *ctx);

/* Adds one pattern before mpm_compile. The bytes are copied.
 * len 1..65535. id is the caller's id; ids are best kept dense (0..n-1),
 * since mpm_scan_bitmap indexes a bitmap by id.
 * Returns 0, VG_EINVAL (NULL, empty, already compiled) or VG_ENOMEM. */
int mpm_add_pattern(MpmCtx *ctx, const uint8_t *pat, uint16_t len, bool nocase, uint32_t id)
    __attribute__((warn_unused_result));

/* Builds the matcher. Once only; a context with no pattern compiles and
 * never matches. Returns 0, VG_EINVAL (already compiled, or the backend
 * refused the set), VG_ERANGE (set too large) or VG_ENOMEM. On failure the
 * context may only be freed. */
int mpm_compile(MpmCtx *ctx) __attribute__((warn_unused_result));

/* mpm_compile of each of the n contexts, on up to max_threads threads at once (the
 * calling thread among them; 0: as many as the CPUs this process may run on). Each
 * context is built alone, so the result is the same whatever the thread count. Every
 * context is compiled even when one fails. Returns 0 or the failure of the first
 * context (in ctxs order) that failed. */
int mpm_compile_many(MpmCtx *const *ctxs, uint32_t n, uint32_t max_threads)
    __attribute__((warn_unused_result));
/* The thread count of mpm_compile_many when it is given 0 (0 again: every CPU). The
 * engine sets 1 while packet threads run, so that a live rule reload does not take
 * the CPUs they need. */
void mpm_set_compile_threads(uint32_t n);

/* Per-thread scratch. Owned by one thread; free it after the last scan. */
MpmThread *mpm_thread_new(void) __attribute__((warn_unused_result));

/* Grows th so that it can scan ctx (compiled). Call once per ctx before
 * scanning it; calling again is harmless. Returns 0, VG_EINVAL or VG_ENOMEM. */
int mpm_thread_prepare(MpmThread *th, const MpmCtx *ctx) __attribute__((warn_unused_result));

void mpm_thread_free(MpmThread *th);

/* Scans buf[0..len) and calls cb once for each distinct id whose pattern
 * occurs in it, in no particular order. Returns the number of ids reported.
 * buf may be NULL when len is 0. A thread not prepared for ctx (or an
 * uncompiled ctx) reports nothing: that is a caller bug. */
uint32_t mpm_scan(const MpmCtx *ctx, MpmThread *th, const uint8_t *buf, uint32_t len,
                  MpmMatchCb cb, void *user);

/* Like mpm_scan, but sets bit id (bitmap[id / 8] bit id % 8) for each id
 * found instead of calling back. The bitmap must hold mpm_id_bound(ctx)
 * bits; it is not cleared (the caller clears it, so several buffers can
 * accumulate into one bitmap). Returns the number of bits newly set. */
uint32_t mpm_scan_bitmap(const MpmCtx *ctx, MpmThread *th, const uint8_t *buf, uint32_t len,
                         uint8_t *bitmap);

/* Number of successful mpm_add_pattern calls. */
uint32_t mpm_pattern_count(const MpmCtx *ctx);

/* Number of distinct (bytes, case) patterns; valid after mpm_compile. */
uint32_t mpm_unique_count(const MpmCtx *ctx);

/* Highest id added + 1 (0 when empty): the bitmap size in bits. */
uint32_t mpm_id_bound(const MpmCtx *ctx);

/* Bytes held by the compiled context (tables, database, pattern copies);
 * per-thread scratch is not included. */
size_t mpm_memory(const MpmCtx *ctx);

/* NULL is allowed. The context must no longer be scanned by any thread. */
void mpm_ctx_free(MpmCtx *ctx);

#endif
