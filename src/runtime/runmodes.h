#ifndef VG_RUNTIME_RUNMODES_H
#define VG_RUNTIME_RUNMODES_H

/* Runmodes are data: a pipeline is a chain of thread groups. Group 0 reads
 * packets (its first module is an acquire module); each later group takes
 * packets from the group before it through its input queue handler. */

#include <stdbool.h>
#include <stdint.h>

#include "runtime/runtime.h"

struct Engine;

#define RUNMODE_MAX_GROUPS 8
#define RUNMODE_MAX_MODULES 12

typedef struct PipelineGroup {
    char name[8];                          // thread name prefix: "RX", "W", ...
    const char *modules[RUNMODE_MAX_MODULES];
    uint32_t n_modules;
    uint32_t n_threads;
    QueueHandlerKind input;                // how the previous group hands packets over
    RouteKind route;
    int cpus[8];
    uint32_t n_cpus;
} PipelineGroup;

typedef struct Pipeline {
    PipelineGroup groups[RUNMODE_MAX_GROUPS];
    uint32_t n_groups;
} Pipeline;

/* Fill a pipeline for a named runmode ("single", "autofp", "workers",
 * "custom": read from threading.custom in the config). n_workers = 0 picks
 * the number of cores. Returns 0 or VG_E* (logged). */
int runmode_build(const struct Engine *e, const char *name, uint32_t n_workers, Pipeline *out);
void runmode_list_print(void);

/* Start every thread of the pipeline, run until input ends (or stop), drain
 * every queue in order and join. Returns 0 when all threads ended well. */
int runmode_run(struct Engine *e, const Pipeline *pl);

#endif
