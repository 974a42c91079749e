#ifndef VG_RUNTIME_RUNTIME_PROFILING_H
#define VG_RUNTIME_RUNTIME_PROFILING_H

/* Profiling mode (profiling.enabled: yes): time spent per thread module
 * (slot), per sub-stage (prefilter, each app-layer parser) and per rule,
 * summed over every thread and written at the end of a run as
 * <log-dir>/profile.json, <log-dir>/rule_perf.json and a table in
 * <log-dir>/profile.txt.
 *
 * The clock is the time-stamp counter (rdtsc, "ticks") on x86-64 and
 * CLOCK_MONOTONIC nanoseconds elsewhere: reading it costs ~10 ns, where
 * CLOCK_THREAD_CPUTIME_ID is a system call of ~150-300 ns, too slow to time
 * each rule check (millions per second). Ticks are elapsed time: a thread
 * preempted inside a timed section is charged the wait. The report gives each
 * thread's CPU time (CLOCK_THREAD_CPUTIME_ID, read twice per thread) beside
 * its ticks, so the share lost to preemption is visible, and converts ticks
 * to seconds with the rate measured over the run.
 *
 * Cost when off: every hook is one test of prof_enabled, a global written by
 * prof_configure at start-up only (before any packet thread starts). When on,
 * the counters are per thread (thread-local ProfThread, registered once) and
 * per DetectThread for rules; nothing is shared on the packet path.
 *
 * Threads: prof_configure, prof_report_write and prof_reset run on the main
 * thread while no packet thread runs. Everything else is called by the thread
 * whose counters it touches. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf/conf.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#else
#include <time.h>
#endif

#define PROF_MAX_SLOTS 16          // = TM_MAX_SLOTS (runtime.h)
#define PROF_SLOT_NONE PROF_MAX_SLOTS
#define PROF_APP_MAX 64            // app-layer protocols timed one by one (by AppProto id)

/* Sub-stages: leaves timed inside a slot (they never nest in one another). */
typedef enum ProfSub {
    PROF_SUB_PREFILTER = 0,        // detect: group choice, MPM scan, candidate list
    PROF_SUB_TX_PREFILTER,         // detect: app-layer tx prefilter rows
    PROF_SUB_RULES,                // detect: rule checks (sum of the per-rule times)
    PROF_SUB_APP_FIRST,            // app-layer parser of protocol id (sub - PROF_SUB_APP_FIRST)
    PROF_SUB_MAX = PROF_SUB_APP_FIRST + PROF_APP_MAX,
} ProfSub;

typedef struct ProfConfig {
    bool is_enabled;               // profiling.enabled
    bool is_rules;                 // profiling.rules.enabled (default yes)
    uint32_t rules_limit;          // profiling.rules.limit: rules in the table (default 20)
} ProfConfig;

/* Per rule and per thread: what the rule's checks cost. */
typedef struct ProfRuleStat {
    uint64_t checks;
    uint64_t matches;
    uint64_t ticks;                // all checks
    uint64_t ticks_match;          // checks that matched
    uint64_t ticks_max;            // the dearest single check
} ProfRuleStat;

/* Written by prof_configure only (start-up, before packet threads start). */
extern bool prof_enabled;
extern bool prof_rules_enabled;

static inline uint64_t prof_ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __rdtsc();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

/* Reads profiling.* from conf (may be NULL: profiling off) and sets the
 * globals; 0, or VG_EINVAL with a message naming the bad key. */
__attribute__((warn_unused_result)) int prof_configure(const Conf *conf);
/* The settings in force (for tests and the report). */
ProfConfig prof_config(void);
/* Sets the globals directly (unit tests, benchmarks). */
void prof_set(const ProfConfig *cfg);

/* Thread life: begin when a packet thread starts, end when it has flushed.
 * A thread that never calls begin still gets counters on its first timed
 * section (a ThreadVars driven by hand, a management thread). */
void prof_thread_begin(const char *name);
void prof_thread_end(void);

/* Slot timing (runtime-thread.c): begin returns the start tick and makes slot
 * the current one (sub-stages are charged to it); end adds the time to the
 * slot of that module name and restores the previous current slot. */
uint64_t prof_slot_begin(uint32_t slot, uint32_t *saved);
void prof_slot_end(uint32_t slot, const char *module_name, uint64_t t0, uint32_t saved);

/* A sub-stage that began at t0 ends now. name: static string naming it
 * (the protocol for PROF_SUB_APP_FIRST + id). */
void prof_sub_end(uint32_t sub, const char *name, uint64_t t0);
/* Adds ticks measured elsewhere to a sub-stage (rule time from detect). */
void prof_sub_add(uint32_t sub, const char *name, uint64_t ticks, uint64_t calls);

/* One rule check that started at t0; matched or not. Returns its ticks. */
static inline uint64_t prof_rule_check(ProfRuleStat *st, uint64_t t0, bool is_match)
{
    uint64_t d = prof_ticks() - t0;
    st->checks++;
    st->ticks += d;
    if (is_match) {
        st->matches++;
        st->ticks_match += d;
    }
    if (d > st->ticks_max) {
        st->ticks_max = d;
    }
    return d;
}

/* Folds one thread's figures for one rule into the run's totals (any thread;
 * locks). msg is copied. Returns 0 or VG_ENOMEM (the figures are lost). */
int prof_rule_merge(uint32_t gid, uint32_t sid, uint32_t rev, const char *msg,
                    const ProfRuleStat *st);

/* Totals of the run so far, for tests: a slot module's ticks and calls, a
 * sub-stage's ticks, a rule's merged figures (false: never checked). */
uint64_t prof_total_slot(const char *module_name, uint64_t *calls);
uint64_t prof_total_sub(uint32_t sub);
bool prof_total_rule(uint32_t gid, uint32_t sid, ProfRuleStat *out);

/* Writes profile.json, rule_perf.json and profile.txt in dir; 0 or VG_EIO
 * (logged, naming the file). Main thread, packet threads joined. */
__attribute__((warn_unused_result)) int prof_report_write(const char *dir);
/* The human table alone, to out. */
void prof_report_table(FILE *out);
/* Forgets every figure (threads stay registered, their counters zeroed). */
void prof_reset(void);

#endif
