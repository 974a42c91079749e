/* Runmode presets and the custom pipeline, and running a pipeline. */
#include "runtime/runmodes.h"

#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "runtime/engine.h"
#include "runtime/packet-pool.h"
#include "runtime/runtime-internal.h"
#include "runtime/runtime-order.h"
#include "util/util-error.h"
#include "util/util-time.h"
#include "util/util-log.h"

/* Threads per group. Each thread of a flow- or route-fed group has its own
 * input queue, so this must stay within TM_MAX_QUEUES (runmode_run's arrays). */
#define RUNMODE_MAX_GROUP_THREADS 32
_Static_assert(RUNMODE_MAX_GROUP_THREADS <= TM_MAX_QUEUES, "queues per group");

typedef struct RunmodeDesc {
    const char *name;
    const char *description;
} RunmodeDesc;

static const RunmodeDesc runmodes[] = {
    {"single", "one thread runs the whole pipeline"},
    {"autofp", "one reader+decoder thread feeds N flow-pinned worker threads"},
    {"workers", "N threads each run the whole pipeline after reading; a flow stays on one "
                "worker (for pcap files: one reader thread steers by flow)"},
    {"custom", "the pipeline written in the config under threading.custom"},
};

void runmode_list_print(void)
{
    printf("%-10s %s\n", "Runmode", "Description");
    for (size_t i = 0; i < sizeof(runmodes) / sizeof(runmodes[0]); i++) {
        printf("%-10s %s\n", runmodes[i].name, runmodes[i].description);
    }
}

static void group_set(PipelineGroup *g, const char *name, const char *const *mods,
                      uint32_t n_threads, QueueHandlerKind input)
{
    memset(g, 0, sizeof(*g));
    snprintf(g->name, sizeof(g->name), "%s", name);
    for (uint32_t i = 0; mods[i] != NULL && i < RUNMODE_MAX_MODULES; i++) {
        g->modules[g->n_modules++] = mods[i];
    }
    g->n_threads = n_threads;
    g->input = input;
}

/* threading.cpu-affinity: [ {receive-cpu-set: {cpu: [0]}}, {worker-cpu-set: {cpu: [1]}} ] */
static void preset_cpus(const Engine *e, const char *set_name, PipelineGroup *g)
{
    if (!conf_bool_or(e->conf, "threading.set-cpu-affinity", false, NULL)) {
        return;
    }
    const ConfNode *list = conf_get_node(e->conf, NULL, "threading.cpu-affinity");
    for (const ConfNode *item = list ? list->first_child : NULL; item; item = item->next) {
        const ConfNode *set = conf_node_child(item, set_name);
        const ConfNode *cpu = set ? conf_node_child(set, "cpu") : NULL;
        for (const ConfNode *c = cpu ? cpu->first_child : NULL; c && g->n_cpus < 8; c = c->next) {
            if (c->value != NULL) {
                g->cpus[g->n_cpus++] = (int)strtol(c->value, NULL, 10);
            }
        }
    }
}

static const char *const mods_all[] = {"pcap-file", "decode",  "flow",   "stream", "app-layer",
                                       "detect",    "verdict", "output", NULL};
static const char *const mods_rx[] = {"pcap-file", "decode", NULL};
static const char *const mods_worker[] = {"flow",    "stream",  "app-layer", "detect",
                                          "verdict", "output", NULL};

/* cpus: [0, 2]: CPU ids, at most 8 of them. */
static int custom_cpus(const ConfNode *cpus, PipelineGroup *g)
{
    if (cpus == NULL) {
        return 0;
    }
    uint32_t max = sizeof(g->cpus) / sizeof(g->cpus[0]);
    if (cpus->type != CONF_LIST || (uint32_t)cpus->n_children > max) {
        VG_ERROR("%s:%d: threading.custom: group '%s': cpus is a list of at most %u CPU ids",
                 cpus->file, cpus->line, g->name, max);
        return VG_EINVAL;
    }
    for (const ConfNode *c = cpus->first_child; c != NULL; c = c->next) {
        int64_t id = -1;
        if (c->value == NULL || !conf_parse_int(c->value, &id) || id < 0 || id >= CPU_SETSIZE) {
            VG_ERROR("%s:%d: threading.custom: group '%s': '%s' is not a CPU id", c->file,
                     c->line, g->name, c->value ? c->value : "");
            return VG_EINVAL;
        }
        g->cpus[g->n_cpus++] = (int)id;
    }
    return 0;
}

static int custom_group(const ConfNode *node, PipelineGroup *g, uint32_t idx)
{
    memset(g, 0, sizeof(*g));
    const ConfNode *name = conf_node_child(node, "name");
    const ConfNode *mods = conf_node_child(node, "modules");
    const ConfNode *threads = conf_node_child(node, "threads");
    const ConfNode *input = conf_node_child(node, "input");
    const ConfNode *cpus = conf_node_child(node, "cpus");
    snprintf(g->name, sizeof(g->name), "%s", name && name->value ? name->value : "T");
    if (mods == NULL || mods->type != CONF_LIST || mods->n_children == 0) {
        VG_ERROR("%s:%d: threading.custom: group '%s' needs a list of modules", node->file,
                 node->line, g->name);
        return VG_EINVAL;
    }
    if (mods->n_children > RUNMODE_MAX_MODULES) {
        VG_ERROR("%s:%d: threading.custom: group '%s': at most %d modules", mods->file,
                 mods->line, g->name, RUNMODE_MAX_MODULES);
        return VG_EINVAL;
    }
    for (const ConfNode *m = mods->first_child; m != NULL; m = m->next) {
        if (m->type != CONF_SCALAR || m->value == NULL) {
            VG_ERROR("%s:%d: threading.custom: group '%s': each module is a name", m->file,
                     m->line, g->name);
            return VG_EINVAL;
        }
        g->modules[g->n_modules++] = m->value;
    }
    g->n_threads = 1;
    if (threads != NULL) {
        int64_t n = 0;
        if (threads->value == NULL || !conf_parse_int(threads->value, &n) || n < 1 ||
            n > RUNMODE_MAX_GROUP_THREADS) {
            VG_ERROR("%s:%d: threading.custom: group '%s': threads must be 1..%d",
                     threads->file, threads->line, g->name, RUNMODE_MAX_GROUP_THREADS);
            return VG_EINVAL;
        }
        g->n_threads = (uint32_t)n;
    }
    g->input = QH_SIMPLE;
    if (input != NULL && input->value != NULL &&
        !queue_handler_parse(input->value, &g->input, &g->route)) {
        VG_ERROR("%s:%d: threading.custom: group '%s': unknown input handler '%s' (simple, "
                 "flow, route-ip-version, route-alerted, route-vlan)",
                 input->file, input->line, g->name, input->value);
        return VG_EINVAL;
    }
    if (idx == 0 && input != NULL) {
        VG_WARN("threading.custom: the first group reads packets; its input is ignored");
    }
    return custom_cpus(cpus, g);
}

/* Group index running module name, or -1. */
static int group_of(const Pipeline *pl, const char *name)
{
    for (uint32_t g = 0; g < pl->n_groups; g++) {
        for (uint32_t m = 0; m < pl->groups[g].n_modules; m++) {
            if (strcmp(pl->groups[g].modules[m], name) == 0) {
                return (int)g;
            }
        }
    }
    return -1;
}

/* The app layer parses in the thread of the stream stage: a custom pipeline written
 * without it gets it right after stream. Transactions are inspected and logged as they
 * are when detect and output look at them, so those stages in another thread than
 * stream can see a transaction a later packet already changed: said once. */
static void custom_check_app_layer(Pipeline *pl)
{
    int gs = group_of(pl, "stream");
    if (gs < 0) {
        return;
    }
    PipelineGroup *g = &pl->groups[gs];
    if (group_of(pl, "app-layer") < 0 && g->n_modules < RUNMODE_MAX_MODULES) {
        uint32_t at = 0;
        while (at < g->n_modules && strcmp(g->modules[at], "stream") != 0) {
            at++;
        }
        memmove(&g->modules[at + 2], &g->modules[at + 1],
                (g->n_modules - at - 1) * sizeof(g->modules[0]));
        g->modules[at + 1] = "app-layer";
        g->n_modules++;
        VG_NOTICE("threading.custom: group '%s' runs app-layer after stream", g->name);
    }
    static const char *const tx_stages[] = {"app-layer", "detect", "output"};
    for (size_t i = 0; i < sizeof(tx_stages) / sizeof(tx_stages[0]); i++) {
        int gi = group_of(pl, tx_stages[i]);
        if (gi >= 0 && gi != gs) {
            VG_WARN("threading.custom: '%s' runs in group '%s', stream in '%s': application-layer "
                    "transactions may be inspected or logged after later packets changed them; "
                    "keep stream, app-layer, detect and output in one group for results that "
                    "do not depend on timing", tx_stages[i], pl->groups[gi].name, g->name);
            return;
        }
    }
}

static int custom_build(const Engine *e, Pipeline *out)
{
    const ConfNode *list = conf_get_node(e->conf, NULL, "threading.custom");
    if (list == NULL || list->type != CONF_LIST || list->n_children == 0) {
        VG_ERROR("runmode custom: the config has no threading.custom list of thread groups");
        return VG_EINVAL;
    }
    uint32_t i = 0;
    for (const ConfNode *n = list->first_child; n != NULL; n = n->next, i++) {
        if (i >= RUNMODE_MAX_GROUPS) {
            VG_ERROR("threading.custom: at most %d thread groups", RUNMODE_MAX_GROUPS);
            return VG_ERANGE;
        }
        int rc = custom_group(n, &out->groups[i], i);
        if (rc != 0) {
            return rc;
        }
    }
    out->n_groups = i;
    custom_check_app_layer(out);
    return 0;
}

/* plugin-modules: [a, b]: extra modules for the preset runmodes, inserted in
 * the group that runs detect, just before it. */
static int insert_plugin_modules(const Engine *e, Pipeline *pl)
{
    const ConfNode *list = conf_get_node(e->conf, NULL, "plugin-modules");
    PipelineGroup *g = &pl->groups[pl->n_groups - 1];
    if (list != NULL && list->type != CONF_LIST) {
        VG_ERROR("%s:%d: plugin-modules: expected a list of module names", list->file,
                 list->line);
        return VG_EINVAL;
    }
    for (const ConfNode *m = list ? list->first_child : NULL; m != NULL; m = m->next) {
        if (m->value == NULL || g->n_modules >= RUNMODE_MAX_MODULES) {
            VG_ERROR("%s:%d: plugin-modules: expected a short list of module names", m->file,
                     m->line);
            return VG_EINVAL;
        }
        uint32_t at = 0;
        while (at < g->n_modules && strcmp(g->modules[at], "detect") != 0) {
            at++;
        }
        memmove(&g->modules[at + 1], &g->modules[at], (g->n_modules - at) * sizeof(char *));
        g->modules[at] = m->value;
        g->n_modules++;
    }
    return 0;
}

int runmode_build(const Engine *e, const char *name, uint32_t n_workers, Pipeline *out)
{
    memset(out, 0, sizeof(*out));
    if (n_workers > RUNMODE_MAX_GROUP_THREADS) {
        VG_ERROR("runmode %s: %u worker threads asked, at most %d", name, n_workers,
                 RUNMODE_MAX_GROUP_THREADS);
        return VG_ERANGE;
    }
    if (n_workers == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        n_workers = n > 0 ? (uint32_t)n : 1;
        if (n_workers > RUNMODE_MAX_GROUP_THREADS) {
            n_workers = RUNMODE_MAX_GROUP_THREADS; // more cores than a group may have threads
        }
    }
    if (strcmp(name, "single") == 0) {
        group_set(&out->groups[0], "W", mods_all, 1, QH_SIMPLE);
        preset_cpus(e, "worker-cpu-set", &out->groups[0]);
        out->n_groups = 1;
    } else if (strcmp(name, "autofp") == 0 || strcmp(name, "workers") == 0) {
        group_set(&out->groups[0], "RX", mods_rx, 1, QH_SIMPLE);
        group_set(&out->groups[1], "W", mods_worker, n_workers, QH_FLOW);
        preset_cpus(e, "receive-cpu-set", &out->groups[0]);
        preset_cpus(e, "worker-cpu-set", &out->groups[1]);
        out->n_groups = 2;
    } else if (strcmp(name, "custom") == 0) {
        return custom_build(e, out);
    } else {
        VG_ERROR("unknown runmode '%s' (see --list-runmodes)", name);
        return VG_EINVAL;
    }
    /* A live source (NFQUEUE, ...) replaces the file reader of the presets:
     * one reading thread per queue or interface member. */
    if (e->acquire_module != NULL) {
        out->groups[0].modules[0] = e->acquire_module;
        out->groups[0].n_threads = e->acquire_threads > 0 ? e->acquire_threads : 1;
    }
    /* AF_PACKET workers: each fanout member (per interface) runs the whole
     * pipeline, as Suricata's workers runmode does; the kernel's fanout hash
     * keeps a flow's direction on one reader, and the flow lock covers the
     * two directions of a bridged (copy-mode) flow read on two interfaces. */
    if (e->acquire_module != NULL && strcmp(e->acquire_module, "af-packet") == 0 &&
        strcmp(name, "workers") == 0) {
        uint32_t n_readers = out->groups[0].n_threads;
        group_set(&out->groups[0], "W", mods_all, n_readers, QH_SIMPLE);
        out->groups[0].modules[0] = e->acquire_module;
        preset_cpus(e, "worker-cpu-set", &out->groups[0]);
        out->n_groups = 1;
    }
    return insert_plugin_modules(e, out);
}

typedef struct RunState {
    ThreadVars *threads[RUNMODE_MAX_GROUPS];       // per group: n_threads ThreadVars
    PacketQueue *queues[RUNMODE_MAX_GROUPS];       // per group (index >= 1): its input queues
    uint32_t n_queues[RUNMODE_MAX_GROUPS];
    QueueHandler handlers[RUNMODE_MAX_GROUPS];     // handler feeding group i
    PacketQueue *handler_queues[RUNMODE_MAX_GROUPS][TM_MAX_QUEUES];
} RunState;

static void format_cpus(const ThreadVars *tv, char *buf, size_t size)
{
    if (tv->n_cpus == 0) {
        snprintf(buf, size, "any");
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < tv->n_cpus && used < size; i++) {
        used += (size_t)snprintf(buf + used, size - used, "%s%d", i ? "," : "", tv->cpu_set[i]);
    }
}

static int setup_group(Engine *e, const Pipeline *pl, RunState *rs, uint32_t gi, uint32_t *tid)
{
    const PipelineGroup *g = &pl->groups[gi];
    rs->threads[gi] = calloc(g->n_threads, sizeof(ThreadVars));
    if (rs->threads[gi] == NULL) {
        return VG_ENOMEM;
    }
    if (gi > 0) {
        uint32_t nq = g->input == QH_SIMPLE ? 1 : g->n_threads;
        rs->queues[gi] = calloc(nq, sizeof(PacketQueue));
        if (rs->queues[gi] == NULL) {
            return VG_ENOMEM;
        }
        rs->n_queues[gi] = nq;
        for (uint32_t q = 0; q < nq; q++) {
            char qname[TM_NAME_LEN];
            snprintf(qname, sizeof(qname), "%.7s-q%02u", g->name, q % 100u); // q < 32
            if (packet_queue_init(&rs->queues[gi][q], 1024, qname) != 0) {
                return VG_ENOMEM;
            }
            rs->handler_queues[gi][q] = &rs->queues[gi][q];
        }
        bool feeds_flow = false;
        for (uint32_t m = 0; m < g->n_modules; m++) {
            const TmModule *mod = tm_module_find(g->modules[m]);
            feeds_flow |= mod != NULL && mod->kind == TM_KIND_FLOW;
        }
        rs->handlers[gi] = (QueueHandler){.kind = g->input, .route = g->route,
                                          .queues = rs->handler_queues[gi], .n_queues = nq,
                                          .feeds_flow = feeds_flow};
    }
    for (uint32_t t = 0; t < g->n_threads; t++) {
        ThreadVars *tv = &rs->threads[gi][t];
        snprintf(tv->name, sizeof(tv->name), "%.7s#%02u", g->name, (t + 1) % 100u);
        tv->id = (*tid)++;
        tv->group_index = t;
        tv->engine = e;
        for (uint32_t m = 0; m < g->n_modules; m++) {
            int rc = tm_thread_add_slot(tv, g->modules[m]);
            if (rc != 0) {
                return rc;
            }
        }
        if (gi == 0 && (tv->n_slots == 0 || tv->slots[0].module->kind != TM_KIND_ACQUIRE)) {
            VG_ERROR("runmode: the first thread group must start with an acquire module");
            return VG_EINVAL;
        }
        if (gi > 0) {
            tv->inq = &rs->queues[gi][g->input == QH_SIMPLE ? 0 : t];
        }
        if (gi + 1 < pl->n_groups) {
            tv->outq = &rs->handlers[gi + 1];
        }
        for (uint32_t c = 0; c < g->n_cpus; c++) {
            tv->cpu_set[tv->n_cpus++] = g->cpus[c];
        }
        char cpus[64];
        format_cpus(tv, cpus, sizeof(cpus));
        VG_NOTICE("thread %s: modules %s; cpus %s", tv->name, tv->modules_desc, cpus);
    }
    return 0;
}

/* Management threads sleep on a condition variable so that the end of the
 * run wakes them at once instead of after their interval. */
typedef struct TaskSync {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;                   // guarded by lock
} TaskSync;

typedef struct TaskThread {
    pthread_t thread;
    Engine *engine;
    const EngineTask *task;
    TaskSync *sync;
} TaskThread;

static bool task_wait(TaskSync *ts, uint32_t interval_ms)
{
    struct timespec deadline;
    util_deadline_after_ms(&deadline, interval_ms);
    pthread_mutex_lock(&ts->lock);
    while (!ts->done) {
        if (pthread_cond_timedwait(&ts->cond, &ts->lock, &deadline) != 0) {
            break; // interval elapsed
        }
    }
    bool done = ts->done;
    pthread_mutex_unlock(&ts->lock);
    return !done;
}

static void *task_main(void *arg)
{
    TaskThread *tt = arg;
    pthread_setname_np(pthread_self(), tt->task->thread_name);
    while (task_wait(tt->sync, tt->task->interval_ms)) {
        tt->task->run(tt->engine, false, tt->task->user);
    }
    return NULL;
}

static void free_state(const Pipeline *pl, RunState *rs)
{
    for (uint32_t gi = 0; gi < pl->n_groups; gi++) {
        for (uint32_t q = 0; q < rs->n_queues[gi]; q++) {
            packet_queue_deinit(&rs->queues[gi][q]);
        }
        free(rs->queues[gi]);
        free(rs->threads[gi]);
    }
}

/* A thread's modules are initialised: the next thread may start. */
typedef struct StartGate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint32_t n_ready;            // guarded by lock
} StartGate;

static void gate_open(ThreadVars *tv, void *arg)
{
    (void)tv;
    StartGate *g = arg;
    pthread_mutex_lock(&g->lock);
    g->n_ready++;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

static void gate_wait(StartGate *g, uint32_t n)
{
    pthread_mutex_lock(&g->lock);
    while (g->n_ready < n) {
        pthread_cond_wait(&g->cond, &g->lock);
    }
    pthread_mutex_unlock(&g->lock);
}

static uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void runmode_order_watch(OrderWatch *w, uint64_t now, bool is_stop)
{
    /* a watchdog that did not run (the process was stopped) saw nothing stall */
    bool missed = w->tick_ms != 0 && now - w->tick_ms > 5u * ORDER_WATCH_TICK_MS;
    w->tick_ms = now;
    if (is_stop && w->stop_since_ms == 0) {
        w->stop_since_ms = now;
    }
    uint64_t released = 0;
    if (w->given_up || !runtime_order_waiters(&released) || missed) {
        w->changed_ms = 0;
        return;
    }
    if (w->stop_since_ms != 0) {
        if (now - w->stop_since_ms >= ORDER_STOP_GRACE_MS) {
            VG_WARN("stop: packet threads still wait for the packet order after %u ms; "
                    "the order is given up so that they end",
                    ORDER_STOP_GRACE_MS);
            runtime_order_abandon();
            w->given_up = true;
            return;
        }
    }
    if (w->changed_ms == 0 || released != w->released) {
        w->released = released;
        w->changed_ms = now;
    } else if (now - w->changed_ms >= ORDER_STALL_MS) {
        VG_ERROR("packet order stalled: threads waited %u ms while packet %" PRIu64
                 " was not released (a deadlock: please report it with the capture); "
                 "the order is given up, so cross-flow decisions of this run may differ "
                 "from other runmodes'",
                 ORDER_STALL_MS, released);
        runtime_order_abandon();
        w->given_up = true;
        w->stalled = true;
    }
}

static int join_watched(const Engine *e, ThreadVars *tv, OrderWatch *w)
{
    for (;;) {
        bool ended = false;
        int rc = tm_thread_join_within(tv, ORDER_WATCH_TICK_MS, &ended);
        if (ended) {
            return rc;
        }
        runmode_order_watch(w, monotonic_ms(), atomic_load(&e->stop));
    }
}

/* CPUs this process may run on (taskset included). */
static uint32_t cpus_usable(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
        return (uint32_t)CPU_COUNT(&set);
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (uint32_t)n : 1;
}

/* The reader run inside the workers (InlineReader, runtime.h): a capture-file reader
 * thread feeding one flow-steered group that releases every packet (autofp, workers),
 * with threading.inline-reader yes, or auto when the reader beside the workers would
 * make more threads than CPUs: three threads on two cores preempted each other, and the
 * reader's every wake-up took a worker's core (issue 15). no by default: on a quiet
 * machine the reader thread finished the reference mix sooner (runtime README). */
static bool wants_inline_reader(const Engine *e, const Pipeline *pl)
{
    const char *mode = e->conf != NULL ? conf_str_or(e->conf, "threading.inline-reader", "no")
                                       : "no";
    if (strcmp(mode, "no") == 0 || pl->n_groups != 2 || e->opts.pcap_path == NULL ||
        e->acquire_module != NULL || pl->groups[0].n_threads != 1 ||
        pl->groups[0].n_cpus > 0 || pl->groups[1].input != QH_FLOW ||
        strcmp(pl->groups[0].modules[0], "pcap-file") != 0) {
        return false;
    }
    return strcmp(mode, "yes") == 0 || pl->groups[1].n_threads + 1 > cpus_usable();
}

static int run_threads(Engine *e, const Pipeline *pl, RunState *rs)
{
    int result = 0;
    StartGate gate = {.n_ready = 0};
    pthread_mutex_init(&gate.lock, NULL);
    pthread_cond_init(&gate.cond, NULL);
    InlineReader ir = {.rx = &rs->threads[0][0]};
    OrderWatch watch = {.stop_since_ms = 0};
    bool is_inline = wants_inline_reader(e, pl);
    if (is_inline) {
        pthread_mutex_init(&ir.lock, NULL);
        pthread_mutex_init(&ir.ready_lock, NULL);
        pthread_cond_init(&ir.ready_cond, NULL);
        ir.queues = rs->queues[1];
        ir.n_queues = rs->n_queues[1];
        ir.rx->prof_slot_base = TM_MAX_SLOTS - ir.rx->n_slots;
        for (uint32_t t = 0; t < pl->groups[1].n_threads; t++) {
            rs->threads[1][t].inline_rx = &ir;
            if (rs->threads[1][t].n_slots > ir.rx->prof_slot_base) {
                ir.rx->prof_slot_base = 0;   // no room: shared entries, as before
            }
        }
        VG_NOTICE("thread %s: read by the workers in turn (threading.inline-reader)",
                  ir.rx->name);
    }
    /* Start consumers first, the reader last, one at a time: each thread
     * registers its modules' counters in thread_init, and the stats output
     * lists counters in registration order, which must not depend on which
     * thread the scheduler ran first. */
    uint32_t n_started = 0;
    for (uint32_t gi = pl->n_groups; gi-- > 0;) {
        if (gi == 0 && is_inline) {
            if (tm_inline_reader_start(&ir) != 0) {
                result = VG_EINVAL;
            }
            continue;
        }
        for (uint32_t t = 0; t < pl->groups[gi].n_threads; t++) {
            ThreadVars *tv = &rs->threads[gi][t];
            tv->on_ready = gate_open;
            tv->on_ready_arg = &gate;
            if (tm_thread_start(tv) != 0) {
                atomic_store(&e->stop, true);
                result = VG_EINVAL;
                continue;
            }
            gate_wait(&gate, ++n_started);
        }
    }
    /* Drain in pipeline order: when a group has ended, nothing more enters
     * the next group's queues, so close them and let its threads finish. */
    for (uint32_t gi = 0; gi < pl->n_groups; gi++) {
        if (gi > 0 && !is_inline) {
            for (uint32_t q = 0; q < rs->n_queues[gi]; q++) {
                packet_queue_close(&rs->queues[gi][q]);
            }
        }
        for (uint32_t t = 0; t < pl->groups[gi].n_threads; t++) {
            if (join_watched(e, &rs->threads[gi][t], &watch) != 0) {
                result = VG_EINVAL;
            }
        }
    }
    if (watch.stalled) {
        result = VG_EINVAL;   // the run's output is not what the engine promises
    }
    if (is_inline) {
        /* the workers close their queues at the end of input; they are gone now */
        if (tm_inline_reader_end(&ir) != TM_OK) {
            result = VG_EINVAL;
        }
        pthread_mutex_destroy(&ir.lock);
        pthread_mutex_destroy(&ir.ready_lock);
        pthread_cond_destroy(&ir.ready_cond);
    }
    pthread_mutex_destroy(&gate.lock);
    pthread_cond_destroy(&gate.cond);
    return result;
}

/* Threads that look flows up: the flow stage's, and those feeding it
 * through the flow handler (they look up the flows of tunnels). */
static uint32_t count_flow_owners(const Pipeline *pl, const RunState *rs)
{
    uint32_t n = 0;
    for (uint32_t gi = 0; gi < pl->n_groups; gi++) {
        for (uint32_t t = 0; t < pl->groups[gi].n_threads; t++) {
            const ThreadVars *tv = &rs->threads[gi][t];
            bool runs_flow = false;
            for (uint32_t i = 0; i < tv->n_slots; i++) {
                runs_flow |= tv->slots[i].module->kind == TM_KIND_FLOW;
            }
            bool steers = tv->outq != NULL && tv->outq->kind == QH_FLOW && tv->outq->feeds_flow;
            n += runs_flow || steers;
        }
    }
    return n;
}

/* Cross-flow state in packet order (runtime-order.h): on a capture file, when
 * detection runs in several threads, each of which gets its packets in reading
 * order (autofp, workers, and custom pipelines like them). Other pipelines keep
 * unordered decisions (said once). */
static bool wants_order(const Engine *e, const Pipeline *pl)
{
    int gd = group_of(pl, "detect");
    if (e->opts.pcap_path == NULL || e->acquire_module != NULL || gd < 0 ||
        pl->groups[gd].n_threads < 2) {
        return false;
    }
    if (pl->groups[0].n_threads != 1) {
        /* the numbers follow the reading order of one thread (runtime_order_next_seq) */
        VG_NOTICE("runmode: the capture is read by %u threads: thresholds and other state "
                  "shared across flows are not kept in packet order", pl->groups[0].n_threads);
        return false;
    }
    /* One thread per group up to the first with N threads; from there to detect,
     * every group has N threads fed by flow: thread i of each gets the flows of
     * queue i, so each detect queue holds its packets in reading order. */
    uint32_t n = 1;
    for (int gi = 0; gi <= gd; gi++) {
        const PipelineGroup *g = &pl->groups[gi];
        if (g->n_threads == 1 && n == 1) {
            continue;
        }
        if ((n != 1 && g->n_threads != n) || (gi > 0 && g->input != QH_FLOW)) {
            VG_NOTICE("runmode: detection is fed through group '%s' (%u threads, not flow "
                      "steered like detect): thresholds and other state shared across flows "
                      "are not kept in packet order", g->name, g->n_threads);
            return false;
        }
        n = g->n_threads;
    }
    return true;
}

static void order_setup(const Engine *e, const Pipeline *pl, RunState *rs)
{
    runtime_order_enable(false);
    if (!wants_order(e, pl)) {
        return;
    }
    for (uint32_t gi = 1; gi < pl->n_groups; gi++) {
        for (uint32_t q = 0; q < rs->n_queues[gi]; q++) {
            runtime_order_add_queue(&rs->queues[gi][q]);
        }
    }
    runtime_order_enable(true);
    /* Lanes: one thread per group up to the last, whose threads are fed by flow
     * and release every packet (autofp, workers). */
    uint32_t last = pl->n_groups - 1;
    bool is_lanes = last > 0 && pl->groups[last].input == QH_FLOW && e->pool != NULL;
    for (uint32_t gi = 0; gi < last; gi++) {
        is_lanes = is_lanes && pl->groups[gi].n_threads == 1;
    }
    if (is_lanes && runtime_order_set_lanes(&rs->handlers[last], packet_pool_size(e->pool)) != 0) {
        VG_WARN("runmode: packet order falls back to its slower bookkeeping (out of memory)");
    }
}

int runmode_run(Engine *e, const Pipeline *pl)
{
    RunState rs;
    memset(&rs, 0, sizeof(rs));
    uint32_t tid = 0;
    int rc = 0;
    for (uint32_t gi = 0; gi < pl->n_groups && rc == 0; gi++) {
        rc = setup_group(e, pl, &rs, gi, &tid);
    }
    if (rc != 0) {
        free_state(pl, &rs);
        return rc;
    }
    e->n_flow_owners = count_flow_owners(pl, &rs);
    TaskSync sync = {.done = false};
    pthread_mutex_init(&sync.lock, NULL);
    pthread_cond_init(&sync.cond, NULL);
    TaskThread tasks[ENGINE_MAX_TASKS];
    int n_tasks = 0;
    for (int i = 0; i < e->n_tasks; i++) {
        tasks[n_tasks] = (TaskThread){.engine = e, .task = &e->tasks[i], .sync = &sync};
        if (pthread_create(&tasks[n_tasks].thread, NULL, task_main, &tasks[n_tasks]) == 0) {
            n_tasks++;
        } else {
            VG_WARN("cannot start management thread %s", e->tasks[i].thread_name);
        }
    }
    order_setup(e, pl, &rs);
    rc = run_threads(e, pl, &rs);
    runtime_order_enable(false);
    pthread_mutex_lock(&sync.lock);
    sync.done = true;
    pthread_cond_broadcast(&sync.cond);
    pthread_mutex_unlock(&sync.lock);
    for (int i = 0; i < n_tasks; i++) {
        pthread_join(tasks[i].thread, NULL);
    }
    pthread_mutex_destroy(&sync.lock);
    pthread_cond_destroy(&sync.cond);
    for (int i = 0; i < e->n_tasks; i++) {
        e->tasks[i].run(e, true, e->tasks[i].user);
    }
    free_state(pl, &rs);
    return rc;
}
