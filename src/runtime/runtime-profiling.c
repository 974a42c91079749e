/* Profiling mode: per-thread tick counters, their sums at the end of a run,
 * and the report (JSON and a table). See runtime-profiling.h for the clock
 * and the cost when off. */
#include "runtime/runtime-profiling.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/util-error.h"
#include "util/util-json.h"
#include "util/util-log.h"

bool prof_enabled;
bool prof_rules_enabled;

#define PROF_NAME_LEN 16
#define PROF_MODULES_MAX 32        // distinct slot module names in a report

/* One thread's counters. Created by the thread itself on first use and owned
 * by the registry (g_threads) for the life of the process: a report may be
 * written after the thread has gone. Only the owning thread writes the
 * counters; the main thread reads and zeroes them while no packet thread runs. */
typedef struct ProfThread {
    char name[PROF_NAME_LEN];
    uint32_t cur_slot;
    const char *slot_name[PROF_MAX_SLOTS];
    uint64_t slot_ticks[PROF_MAX_SLOTS];
    uint64_t slot_calls[PROF_MAX_SLOTS];
    uint64_t sub_ticks[PROF_MAX_SLOTS + 1][PROF_SUB_MAX];
    uint64_t sub_calls[PROF_MAX_SLOTS + 1][PROF_SUB_MAX];
    uint64_t t_begin;
    uint64_t t_end;
    uint64_t cpu_begin_ns;
    uint64_t cpu_end_ns;
    bool has_begun;
    bool has_ended;
    struct ProfThread *next;
} ProfThread;

typedef struct ProfRuleTotal {
    uint64_t key;                  // gid << 32 | sid; 0: empty slot
    uint32_t rev;
    char *msg;
    ProfRuleStat st;
} ProfRuleTotal;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static ProfThread *g_threads;      // under g_lock
static ProfRuleTotal *g_rules;     // open addressing, under g_lock
static uint32_t g_rules_cap;
static uint32_t g_rules_n;
/* Names of the sub-stages: static strings, set by the first thread timing one
 * (any thread; every thread gives the same string for the same sub-stage). */
static _Atomic(const char *) g_sub_names[PROF_SUB_MAX];
static ProfConfig g_cfg;           // written by prof_configure/prof_set only
static uint64_t g_tick0;           // prof_configure: tick and monotonic ns at the start
static uint64_t g_mono0_ns;

static _Thread_local ProfThread *tls_pt;

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- configuration ---- */

void prof_set(const ProfConfig *cfg)
{
    g_cfg = *cfg;
    if (g_cfg.rules_limit == 0) {
        g_cfg.rules_limit = 20;
    }
    prof_enabled = cfg->is_enabled;
    prof_rules_enabled = cfg->is_enabled && cfg->is_rules;
    g_tick0 = prof_ticks();
    g_mono0_ns = clock_ns(CLOCK_MONOTONIC);
}

ProfConfig prof_config(void)
{
    return g_cfg;
}

int prof_configure(const Conf *conf)
{
    bool bad_on = false;
    bool bad_rules = false;
    bool bad_limit = false;
    ProfConfig cfg = {0};
    cfg.is_enabled = conf_bool_or(conf, "profiling.enabled", false, &bad_on);
    cfg.is_rules = conf_bool_or(conf, "profiling.rules.enabled", true, &bad_rules);
    int64_t limit = conf_int_or(conf, "profiling.rules.limit", 20, &bad_limit);
    if (bad_on || bad_rules) {
        VG_ERROR("profiling.%s: expected yes or no", bad_on ? "enabled" : "rules.enabled");
        return VG_EINVAL;
    }
    if (bad_limit || limit < 1 || limit > 1000000) {
        VG_ERROR("profiling.rules.limit: expected a number of rules from 1 to 1000000");
        return VG_EINVAL;
    }
    cfg.rules_limit = (uint32_t)limit;
    prof_set(&cfg);
    return 0;
}

/* ---- per-thread counters ---- */

static ProfThread *thread_new(const char *name)
{
    ProfThread *pt = calloc(1, sizeof(*pt));
    if (pt == NULL) {
        return NULL;
    }
    snprintf(pt->name, sizeof(pt->name), "%s", name != NULL ? name : "other");
    pt->cur_slot = PROF_SLOT_NONE;
    pthread_mutex_lock(&g_lock);
    pt->next = g_threads;
    g_threads = pt;
    pthread_mutex_unlock(&g_lock);
    return pt;
}

/* The calling thread's counters, made on first use; NULL when out of memory
 * (that thread's figures are then lost, nothing else). */
static ProfThread *thread_get(void)
{
    if (tls_pt == NULL) {
        char name[PROF_NAME_LEN] = "";
        if (pthread_getname_np(pthread_self(), name, sizeof(name)) != 0) {
            name[0] = '\0';
        }
        tls_pt = thread_new(name[0] != '\0' ? name : "other");
    }
    return tls_pt;
}

void prof_thread_begin(const char *name)
{
    if (!prof_enabled) {
        return;
    }
    if (tls_pt == NULL) {
        tls_pt = thread_new(name);
    }
    ProfThread *pt = tls_pt;
    if (pt == NULL) {
        return;
    }
    snprintf(pt->name, sizeof(pt->name), "%s", name);
    pt->has_begun = true;
    pt->has_ended = false;
    pt->cpu_begin_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    pt->t_begin = prof_ticks();
}

void prof_thread_end(void)
{
    ProfThread *pt = prof_enabled ? tls_pt : NULL;
    if (pt == NULL || !pt->has_begun) {
        return;
    }
    pt->t_end = prof_ticks();
    pt->cpu_end_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    pt->has_ended = true;
}

uint64_t prof_slot_begin(uint32_t slot, uint32_t *saved)
{
    ProfThread *pt = thread_get();
    *saved = PROF_SLOT_NONE;
    if (pt != NULL && slot < PROF_MAX_SLOTS) {
        *saved = pt->cur_slot;
        pt->cur_slot = slot;
    }
    return prof_ticks();
}

void prof_slot_end(uint32_t slot, const char *module_name, uint64_t t0, uint32_t saved)
{
    uint64_t d = prof_ticks() - t0;
    ProfThread *pt = tls_pt;
    if (pt == NULL || slot >= PROF_MAX_SLOTS) {
        return;
    }
    pt->slot_name[slot] = module_name;
    pt->slot_ticks[slot] += d;
    pt->slot_calls[slot]++;
    pt->cur_slot = saved;
}

void prof_sub_add(uint32_t sub, const char *name, uint64_t ticks, uint64_t calls)
{
    ProfThread *pt = thread_get();
    if (pt == NULL || sub >= PROF_SUB_MAX) {
        return;
    }
    if (atomic_load_explicit(&g_sub_names[sub], memory_order_relaxed) == NULL) {
        atomic_store_explicit(&g_sub_names[sub], name, memory_order_relaxed);
    }
    pt->sub_ticks[pt->cur_slot][sub] += ticks;
    pt->sub_calls[pt->cur_slot][sub] += calls;
}

void prof_sub_end(uint32_t sub, const char *name, uint64_t t0)
{
    prof_sub_add(sub, name, prof_ticks() - t0, 1);
}

/* ---- rules ---- */

static uint32_t rule_hash(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return (uint32_t)key;
}

static ProfRuleTotal *rule_slot(ProfRuleTotal *tab, uint32_t cap, uint64_t key)
{
    uint32_t h = rule_hash(key) & (cap - 1);
    while (tab[h].key != 0 && tab[h].key != key) {
        h = (h + 1) & (cap - 1);
    }
    return &tab[h];
}

static int rules_grow(void)
{
    uint32_t cap = g_rules_cap != 0 ? g_rules_cap * 2 : 1024;
    ProfRuleTotal *tab = calloc(cap, sizeof(*tab));
    if (tab == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < g_rules_cap; i++) {
        if (g_rules[i].key != 0) {
            *rule_slot(tab, cap, g_rules[i].key) = g_rules[i];
        }
    }
    free(g_rules);
    g_rules = tab;
    g_rules_cap = cap;
    return 0;
}

static void stat_add(ProfRuleStat *to, const ProfRuleStat *from)
{
    to->checks += from->checks;
    to->matches += from->matches;
    to->ticks += from->ticks;
    to->ticks_match += from->ticks_match;
    if (from->ticks_max > to->ticks_max) {
        to->ticks_max = from->ticks_max;
    }
}

int prof_rule_merge(uint32_t gid, uint32_t sid, uint32_t rev, const char *msg,
                    const ProfRuleStat *st)
{
    uint64_t key = (uint64_t)gid << 32 | sid;
    if (key == 0 || st->checks == 0) {
        return 0;
    }
    int rc = 0;
    pthread_mutex_lock(&g_lock);
    if ((g_rules_n + 1) * 2 > g_rules_cap && rules_grow() != 0) {
        rc = VG_ENOMEM;
        goto out;
    }
    ProfRuleTotal *t = rule_slot(g_rules, g_rules_cap, key);
    if (t->key == 0) {
        char *m = strdup(msg != NULL ? msg : "");
        if (m == NULL) {
            rc = VG_ENOMEM;
            goto out;
        }
        *t = (ProfRuleTotal){.key = key, .rev = rev, .msg = m};
        g_rules_n++;
    }
    stat_add(&t->st, st);
out:
    pthread_mutex_unlock(&g_lock);
    return rc;
}

bool prof_total_rule(uint32_t gid, uint32_t sid, ProfRuleStat *out)
{
    uint64_t key = (uint64_t)gid << 32 | sid;
    bool found = false;
    pthread_mutex_lock(&g_lock);
    if (g_rules_cap != 0) {
        ProfRuleTotal *t = rule_slot(g_rules, g_rules_cap, key);
        found = t->key == key;
        if (found) {
            *out = t->st;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return found;
}

/* ---- sums over threads ---- */

typedef struct ProfModule {
    const char *name;
    uint64_t ticks;
    uint64_t calls;
    uint64_t sub_ticks[PROF_SUB_MAX];
    uint64_t sub_calls[PROF_SUB_MAX];
} ProfModule;

typedef struct ProfSums {
    ProfModule mods[PROF_MODULES_MAX + 1];   // the last: outside any module
    uint32_t n_mods;
    uint64_t slot_ticks;           // every module of every thread
    uint64_t span_ticks;           // begin..end of the threads that ended
    uint64_t span_slot_ticks;      // module ticks of those threads
    uint64_t cpu_ns;               // CPU time of those threads
    uint32_t n_threads;
} ProfSums;

static ProfModule *sums_module(ProfSums *s, const char *name)
{
    for (uint32_t i = 0; i < s->n_mods; i++) {
        if (strcmp(s->mods[i].name, name) == 0) {
            return &s->mods[i];
        }
    }
    if (s->n_mods == PROF_MODULES_MAX) {
        return NULL;
    }
    s->mods[s->n_mods].name = name;
    return &s->mods[s->n_mods++];
}

static void sums_thread(ProfSums *s, const ProfThread *pt)
{
    uint64_t own = 0;
    for (uint32_t i = 0; i <= PROF_MAX_SLOTS; i++) {
        ProfModule *m = &s->mods[PROF_MODULES_MAX];
        if (i < PROF_MAX_SLOTS) {
            m = pt->slot_name[i] != NULL ? sums_module(s, pt->slot_name[i]) : NULL;
            if (m == NULL) {
                continue;
            }
            m->ticks += pt->slot_ticks[i];
            m->calls += pt->slot_calls[i];
            own += pt->slot_ticks[i];
        }
        for (uint32_t k = 0; k < PROF_SUB_MAX; k++) {
            m->sub_ticks[k] += pt->sub_ticks[i][k];
            m->sub_calls[k] += pt->sub_calls[i][k];
        }
    }
    s->slot_ticks += own;
    if (pt->has_ended) {
        s->span_ticks += pt->t_end - pt->t_begin;
        s->span_slot_ticks += own;
        s->cpu_ns += pt->cpu_end_ns - pt->cpu_begin_ns;
        s->n_threads++;
    }
}

static void sums_make(ProfSums *s)
{
    memset(s, 0, sizeof(*s));
    s->mods[PROF_MODULES_MAX].name = "(outside modules)";
    pthread_mutex_lock(&g_lock);
    for (const ProfThread *pt = g_threads; pt != NULL; pt = pt->next) {
        sums_thread(s, pt);
    }
    pthread_mutex_unlock(&g_lock);
}

uint64_t prof_total_slot(const char *module_name, uint64_t *calls)
{
    ProfSums *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return 0;
    }
    sums_make(s);
    uint64_t t = 0;
    uint64_t c = 0;
    for (uint32_t i = 0; i < s->n_mods; i++) {
        if (strcmp(s->mods[i].name, module_name) == 0) {
            t = s->mods[i].ticks;
            c = s->mods[i].calls;
        }
    }
    free(s);
    if (calls != NULL) {
        *calls = c;
    }
    return t;
}

uint64_t prof_total_sub(uint32_t sub)
{
    uint64_t t = 0;
    if (sub >= PROF_SUB_MAX) {
        return 0;
    }
    pthread_mutex_lock(&g_lock);
    for (const ProfThread *pt = g_threads; pt != NULL; pt = pt->next) {
        for (uint32_t i = 0; i <= PROF_MAX_SLOTS; i++) {
            t += pt->sub_ticks[i][sub];
        }
    }
    pthread_mutex_unlock(&g_lock);
    return t;
}

void prof_reset(void)
{
    pthread_mutex_lock(&g_lock);
    for (ProfThread *pt = g_threads; pt != NULL; pt = pt->next) {
        ProfThread *next = pt->next;
        char name[PROF_NAME_LEN];
        memcpy(name, pt->name, sizeof(name));
        memset(pt, 0, sizeof(*pt));
        memcpy(pt->name, name, sizeof(name));
        pt->cur_slot = PROF_SLOT_NONE;
        pt->next = next;
    }
    for (uint32_t i = 0; i < g_rules_cap; i++) {
        free(g_rules[i].msg);
    }
    free(g_rules);
    g_rules = NULL;
    g_rules_cap = 0;
    g_rules_n = 0;
    pthread_mutex_unlock(&g_lock);
    g_tick0 = prof_ticks();
    g_mono0_ns = clock_ns(CLOCK_MONOTONIC);
}

/* ---- the report ---- */

/* Ticks per second over the run so far (1e9 when the clock is in ns). */
static double ticks_per_sec(void)
{
#if defined(__x86_64__) || defined(__i386__)
    uint64_t dt = prof_ticks() - g_tick0;
    uint64_t dns = clock_ns(CLOCK_MONOTONIC) - g_mono0_ns;
    return dns > 1000000 ? (double)dt * 1e9 / (double)dns : 1e9;
#else
    return 1e9;
#endif
}

static const char *clock_name(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return "rdtsc";
#else
    return "clock_monotonic_ns";
#endif
}

static const char *sub_name(uint32_t k)
{
    const char *n = atomic_load_explicit(&g_sub_names[k], memory_order_relaxed);
    return n != NULL ? n : "?";
}

static int cmp_rule_ticks(const void *a, const void *b)
{
    const ProfRuleTotal *x = *(const ProfRuleTotal *const *)a;
    const ProfRuleTotal *y = *(const ProfRuleTotal *const *)b;
    if (x->st.ticks != y->st.ticks) {
        return x->st.ticks < y->st.ticks ? 1 : -1;
    }
    return x->key < y->key ? -1 : x->key > y->key;
}

/* The merged rules, dearest first (caller frees the array, not the rules);
 * the total of their ticks in *total. */
static ProfRuleTotal **rules_sorted(uint32_t *n, uint64_t *total)
{
    *n = 0;
    *total = 0;
    ProfRuleTotal **v = malloc(((size_t)g_rules_n + 1) * sizeof(*v));
    if (v == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < g_rules_cap; i++) {
        if (g_rules[i].key != 0) {
            v[(*n)++] = &g_rules[i];
            *total += g_rules[i].st.ticks;
        }
    }
    qsort(v, *n, sizeof(*v), cmp_rule_ticks);
    return v;
}

static double avg(uint64_t ticks, uint64_t n)
{
    return n != 0 ? (double)ticks / (double)n : 0.0;
}

static void json_rule(JsonBuf *jb, const ProfRuleTotal *r, uint64_t total)
{
    const ProfRuleStat *st = &r->st;
    json_open_object(jb, NULL);
    json_u64(jb, "signature_id", (uint32_t)r->key);
    json_u64(jb, "gid", r->key >> 32);
    json_u64(jb, "rev", r->rev);
    json_str(jb, "msg", r->msg);
    json_u64(jb, "checks", st->checks);
    json_u64(jb, "matches", st->matches);
    json_u64(jb, "ticks_total", st->ticks);
    json_u64(jb, "ticks_max", st->ticks_max);
    json_double(jb, "ticks_avg", avg(st->ticks, st->checks));
    json_double(jb, "ticks_avg_match", avg(st->ticks_match, st->matches));
    json_double(jb, "ticks_avg_nomatch",
                avg(st->ticks - st->ticks_match, st->checks - st->matches));
    json_double(jb, "percent", total != 0 ? 100.0 * (double)st->ticks / (double)total : 0.0);
    json_close_object(jb);
}

static void json_module(JsonBuf *jb, const ProfModule *m, uint64_t all, double tps)
{
    json_open_object(jb, NULL);
    json_str(jb, "module", m->name);
    json_u64(jb, "ticks", m->ticks);
    json_u64(jb, "calls", m->calls);
    json_double(jb, "seconds", (double)m->ticks / tps);
    json_double(jb, "percent", all != 0 ? 100.0 * (double)m->ticks / (double)all : 0.0);
    uint64_t nested = 0;
    json_open_array(jb, "sub");
    for (uint32_t k = 0; k < PROF_SUB_MAX; k++) {
        if (m->sub_calls[k] == 0) {
            continue;
        }
        nested += m->sub_ticks[k];
        json_open_object(jb, NULL);
        json_str(jb, "name", sub_name(k));
        json_u64(jb, "ticks", m->sub_ticks[k]);
        json_u64(jb, "calls", m->sub_calls[k]);
        json_double(jb, "seconds", (double)m->sub_ticks[k] / tps);
        json_close_object(jb);
    }
    json_close_array(jb);
    json_u64(jb, "self_ticks", m->ticks > nested ? m->ticks - nested : 0);
    json_close_object(jb);
}

static int write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        VG_ERROR("%s: cannot write the profiling report: %s", path, strerror(errno));
        return VG_EIO;
    }
    bool ok = fwrite(text, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        VG_ERROR("%s: cannot write the profiling report: %s", path, strerror(errno));
        return VG_EIO;
    }
    return 0;
}

/* Everything the report is made of; the main thread, threads joined. */
typedef struct ProfView {
    ProfSums sums;
    ProfRuleTotal **rules;
    uint32_t n_rules;
    uint64_t rule_ticks;
    uint64_t all;                  // the 100% of the stage split
    double tps;
} ProfView;

static ProfView *view_new(void)
{
    ProfView *v = calloc(1, sizeof(*v));
    if (v == NULL) {
        return NULL;
    }
    sums_make(&v->sums);
    v->tps = ticks_per_sec();
    ProfModule *out = &v->sums.mods[PROF_MODULES_MAX];
    if (v->sums.span_ticks > v->sums.span_slot_ticks) {
        out->ticks = v->sums.span_ticks - v->sums.span_slot_ticks;
    }
    v->all = v->sums.slot_ticks + out->ticks;
    pthread_mutex_lock(&g_lock);
    v->rules = rules_sorted(&v->n_rules, &v->rule_ticks);
    pthread_mutex_unlock(&g_lock);
    return v;
}

static void view_free(ProfView *v)
{
    if (v != NULL) {
        free(v->rules);
        free(v);
    }
}

static void json_header(JsonBuf *jb, const ProfView *v)
{
    json_str(jb, "clock", clock_name());
    json_double(jb, "ticks_per_second", v->tps);
}

static int write_profile_json(const char *dir, const ProfView *v, JsonBuf *jb)
{
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    json_header(jb, v);
    json_u64(jb, "threads", v->sums.n_threads);
    json_double(jb, "threads_seconds", (double)v->sums.span_ticks / v->tps);
    json_double(jb, "threads_cpu_seconds", (double)v->sums.cpu_ns / 1e9);
    json_u64(jb, "ticks_total", v->all);
    json_open_array(jb, "stages");
    for (uint32_t i = 0; i < v->sums.n_mods; i++) {
        json_module(jb, &v->sums.mods[i], v->all, v->tps);
    }
    json_module(jb, &v->sums.mods[PROF_MODULES_MAX], v->all, v->tps);
    json_close_array(jb);
    json_open_array(jb, "rules_top");
    for (uint32_t i = 0; i < v->n_rules && i < g_cfg.rules_limit; i++) {
        json_rule(jb, v->rules[i], v->rule_ticks);
    }
    json_close_array(jb);
    json_close_object(jb);
    if (!json_complete(jb)) {
        return VG_ENOMEM;
    }
    return write_file(dir, "profile.json", jb->buf, jb->len);
}

static int write_rules_json(const char *dir, const ProfView *v, JsonBuf *jb)
{
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    json_header(jb, v);
    json_u64(jb, "rules_checked", v->n_rules);
    json_u64(jb, "ticks_rules", v->rule_ticks);
    json_open_array(jb, "rules");
    for (uint32_t i = 0; i < v->n_rules; i++) {
        json_rule(jb, v->rules[i], v->rule_ticks);
    }
    json_close_array(jb);
    json_close_object(jb);
    if (!json_complete(jb)) {
        return VG_ENOMEM;
    }
    return write_file(dir, "rule_perf.json", jb->buf, jb->len);
}

static void table_module(FILE *out, const ProfModule *m, const ProfView *v)
{
    double pct = v->all != 0 ? 100.0 * (double)m->ticks / (double)v->all : 0.0;
    fprintf(out, "%-30s %10.1f %6.1f%% %12llu %10.0f\n", m->name,
            (double)m->ticks * 1e3 / v->tps, pct, (unsigned long long)m->calls,
            avg(m->ticks, m->calls));
    uint64_t nested = 0;
    for (uint32_t k = 0; k < PROF_SUB_MAX; k++) {
        if (m->sub_calls[k] == 0) {
            continue;
        }
        nested += m->sub_ticks[k];
        char name[64];
        snprintf(name, sizeof(name), "  %s", sub_name(k));
        fprintf(out, "%-30s %10.1f %6.1f%% %12llu %10.0f\n", name,
                (double)m->sub_ticks[k] * 1e3 / v->tps,
                v->all != 0 ? 100.0 * (double)m->sub_ticks[k] / (double)v->all : 0.0,
                (unsigned long long)m->sub_calls[k], avg(m->sub_ticks[k], m->sub_calls[k]));
    }
    if (nested != 0 && m->ticks > nested) {
        fprintf(out, "%-30s %10.1f %6.1f%%\n", "  (rest of the module)",
                (double)(m->ticks - nested) * 1e3 / v->tps,
                v->all != 0 ? 100.0 * (double)(m->ticks - nested) / (double)v->all : 0.0);
    }
}

static void table_rules(FILE *out, const ProfView *v)
{
    uint32_t n = v->n_rules < g_cfg.rules_limit ? v->n_rules : g_cfg.rules_limit;
    fprintf(out, "\nTop %u of %u rules checked, by total ticks (all rule checks: %.1f ms)\n", n,
            v->n_rules, (double)v->rule_ticks * 1e3 / v->tps);
    fprintf(out, "%4s %10s %3s %12s %9s %9s %6s %10s %10s %10s %10s  %s\n", "#", "sid", "gid",
            "checks", "matches", "total_ms", "%", "avg_ticks", "avg_match", "avg_nomatch",
            "max_ticks", "msg");
    for (uint32_t i = 0; i < n; i++) {
        const ProfRuleTotal *r = v->rules[i];
        const ProfRuleStat *st = &r->st;
        fprintf(out, "%4u %10u %3u %12llu %9llu %9.1f %5.1f%% %10.0f %10.0f %10.0f %10llu  %.60s\n",
                i + 1, (uint32_t)r->key, (uint32_t)(r->key >> 32),
                (unsigned long long)st->checks, (unsigned long long)st->matches,
                (double)st->ticks * 1e3 / v->tps,
                v->rule_ticks != 0 ? 100.0 * (double)st->ticks / (double)v->rule_ticks : 0.0,
                avg(st->ticks, st->checks), avg(st->ticks_match, st->matches),
                avg(st->ticks - st->ticks_match, st->checks - st->matches),
                (unsigned long long)st->ticks_max, r->msg);
    }
}

static void table_write(FILE *out, const ProfView *v)
{
    fprintf(out, "Vigil profile: clock %s at %.3f GHz (measured over the run); %u thread(s):"
            " %.3f s of ticks, %.3f s of CPU time\n", clock_name(), v->tps / 1e9,
            v->sums.n_threads, (double)v->sums.span_ticks / v->tps,
            (double)v->sums.cpu_ns / 1e9);
    if (v->sums.span_ticks != 0) {
        fprintf(out, "CPU time is %.0f%% of the threads' ticks: the rest is time the threads "
                "waited or were preempted (ms below are ticks; shares hold for CPU time too "
                "when waits fall evenly)\n",
                100.0 * (double)v->sums.cpu_ns / 1e9 / ((double)v->sums.span_ticks / v->tps));
    }
    fprintf(out, "%-30s %10s %7s %12s %10s\n", "stage (all threads)", "ms", "share",
            "calls", "ticks/call");
    for (uint32_t i = 0; i < v->sums.n_mods; i++) {
        table_module(out, &v->sums.mods[i], v);
    }
    table_module(out, &v->sums.mods[PROF_MODULES_MAX], v);
    if (prof_rules_enabled) {
        table_rules(out, v);
    }
}

void prof_report_table(FILE *out)
{
    ProfView *v = view_new();
    if (v != NULL) {
        table_write(out, v);
    }
    view_free(v);
}

int prof_report_write(const char *dir)
{
    ProfView *v = view_new();
    JsonBuf jb;
    if (v == NULL || json_buf_init(&jb, 1 << 16) != 0) {
        view_free(v);
        VG_ERROR("%s: profiling report not written: out of memory", dir);
        return VG_ENOMEM;
    }
    int rc = write_profile_json(dir, v, &jb);
    if (rc == 0 && prof_rules_enabled) {
        rc = write_rules_json(dir, v, &jb);
    }
    json_buf_deinit(&jb);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = rc == 0 ? open_memstream(&text, &len) : NULL;
    if (mem != NULL) {
        table_write(mem, v);
        fclose(mem);
        rc = write_file(dir, "profile.txt", text, len);
    } else if (rc == 0) {
        rc = VG_ENOMEM;
    }
    free(text);
    view_free(v);
    if (rc == 0) {
        VG_NOTICE("profiling report: %s/profile.txt, profile.json%s", dir,
                  prof_rules_enabled ? ", rule_perf.json" : "");
    }
    return rc;
}
