/* The EVE "stats" record: counter names "a.b.c" become nested objects
 * {"a":{"b":{"c":N}}}. Names are grouped through a tree, built once from
 * the registry, so that every child of a prefix lands in one object even
 * when registrations interleave prefixes; siblings keep the order in which
 * their first counter was registered. */

#include "output/output.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/counters.h"
#include "util/util-error.h"
#include "util/util-log.h"

/* Levels left for counter names: the record and its "stats" object use two. */
#define STATS_MAX_NAME_DEPTH (JSON_MAX_DEPTH - 2)

typedef struct StatsNode {
    char *seg;                   // this level's part of the name (NULL for the root)
    int32_t counter;             // counter id of a leaf, -1 for a group
    int32_t first_child;         // node indexes, -1 for none
    int32_t last_child;
    int32_t next;
} StatsNode;

typedef struct StatsTree {
    StatsNode *nodes;            // nodes[0] is the root
    size_t n_nodes;
    size_t cap;
    CounterId n_counters;        // registry the tree was built from
    uint64_t names_hash;
    bool is_built;
} StatsTree;

/* Built and used by the stats thread; the lock covers a second caller
 * (a control socket dumping counters). */
static pthread_mutex_t g_tree_lock = PTHREAD_MUTEX_INITIALIZER;
static StatsTree g_tree;

static void tree_free(StatsTree *t)
{
    for (size_t i = 0; i < t->n_nodes; i++) {
        free(t->nodes[i].seg);
    }
    free(t->nodes);
    memset(t, 0, sizeof(*t));
}

/* Append a node; returns its index or -1 on allocation failure. */
static int32_t tree_add(StatsTree *t, int32_t parent, const char *seg, size_t seg_len)
{
    if (t->n_nodes == t->cap) {
        size_t cap = t->cap == 0 ? 64 : t->cap * 2;
        StatsNode *nn = realloc(t->nodes, cap * sizeof(*nn));
        if (nn == NULL) {
            return -1;
        }
        t->nodes = nn;
        t->cap = cap;
    }
    char *copy = NULL;
    if (seg != NULL) {
        copy = strndup(seg, seg_len);
        if (copy == NULL) {
            return -1;
        }
    }
    int32_t idx = (int32_t)t->n_nodes++;
    t->nodes[idx] = (StatsNode){ .seg = copy, .counter = -1, .first_child = -1,
                                 .last_child = -1, .next = -1 };
    if (parent >= 0) {
        StatsNode *p = &t->nodes[parent];
        if (p->last_child >= 0) {
            t->nodes[p->last_child].next = idx;
        } else {
            p->first_child = idx;
        }
        p->last_child = idx;
    }
    return idx;
}

static int32_t tree_child(StatsTree *t, int32_t parent, const char *seg, size_t seg_len)
{
    for (int32_t c = t->nodes[parent].first_child; c >= 0; c = t->nodes[c].next) {
        const char *s = t->nodes[c].seg;
        if (strncmp(s, seg, seg_len) == 0 && s[seg_len] == '\0') {
            return c;
        }
    }
    return tree_add(t, parent, seg, seg_len);
}

static size_t name_depth(const char *name)
{
    size_t depth = 1;
    for (const char *p = name; *p != '\0'; p++) {
        depth += *p == '.';
    }
    return depth;
}

/* Insert one counter. Returns 0, or VG_ENOMEM. Names that cannot be
 * represented are skipped with a warning. */
static int tree_insert(StatsTree *t, CounterId id, const char *name)
{
    if (name_depth(name) > STATS_MAX_NAME_DEPTH || strcmp(name, "uptime") == 0) {
        VG_WARN("stats: counter %s cannot be written in EVE stats; left out", name);
        return 0;
    }
    int32_t cur = 0;
    const char *seg = name;
    for (;;) {
        const char *dot = strchr(seg, '.');
        size_t len = dot != NULL ? (size_t)(dot - seg) : strlen(seg);
        cur = tree_child(t, cur, seg, len);
        if (cur < 0) {
            return VG_ENOMEM;
        }
        if (dot == NULL) {
            break;
        }
        seg = dot + 1;
    }
    t->nodes[cur].counter = id;
    return 0;
}

static void tree_warn_conflicts(const StatsTree *t)
{
    for (size_t i = 0; i < t->n_nodes; i++) {
        const StatsNode *n = &t->nodes[i];
        if (n->counter >= 0 && n->first_child >= 0) {
            VG_WARN("stats: counter %s is also a group of counters; EVE stats shows the group",
                    counters_name((CounterId)n->counter));
        }
    }
}

static uint64_t registry_hash(CounterId n)
{
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (CounterId id = 0; id < n; id++) {
        const char *name = counters_name(id);
        for (const char *p = name != NULL ? name : ""; ; p++) {
            h = (h ^ (uint8_t)*p) * 1099511628211ull;
            if (*p == '\0') {
                break;
            }
        }
    }
    return h;
}

/* Rebuild the tree when the registry is not the one it was built from. */
static int tree_ensure(StatsTree *t)
{
    CounterId n = counters_count();
    uint64_t hash = registry_hash(n);
    if (t->is_built && t->n_counters == n && t->names_hash == hash) {
        return 0;
    }
    tree_free(t);
    if (tree_add(t, -1, NULL, 0) < 0) {
        goto fail;
    }
    for (CounterId id = 0; id < n; id++) {
        const char *name = counters_name(id);
        if (name != NULL && tree_insert(t, id, name) != 0) {
            goto fail;
        }
    }
    tree_warn_conflicts(t);
    t->n_counters = n;
    t->names_hash = hash;
    t->is_built = true;
    return 0;

fail:
    tree_free(t);
    return VG_ENOMEM;
}

/* Depth is bounded by STATS_MAX_NAME_DEPTH (checked at insert). */
static void emit_children(JsonBuf *jb, const StatsTree *t, int32_t parent, const uint64_t *merged)
{
    for (int32_t c = t->nodes[parent].first_child; c >= 0; c = t->nodes[c].next) {
        const StatsNode *n = &t->nodes[c];
        if (n->first_child >= 0) {
            json_open_object(jb, n->seg);
            emit_children(jb, t, c, merged);
            json_close_object(jb);
        } else {
            json_u64(jb, n->seg, merged[n->counter]);
        }
    }
}

/* Sections: extra members of a top-level stats object that are not counters
 * (Suricata's stats.detect.engines array). Registered at start-up. */
#define STATS_MAX_SECTIONS 4

typedef struct StatsSection {
    const char *name;
    OutputStatsSectionFn fn;
    void *user;
} StatsSection;

static StatsSection g_sections[STATS_MAX_SECTIONS];
static int g_n_sections;

int output_eve_stats_add_section(const char *name, OutputStatsSectionFn fn, void *user)
{
    if (g_n_sections >= STATS_MAX_SECTIONS) {
        return VG_ERANGE;
    }
    g_sections[g_n_sections++] = (StatsSection){name, fn, user};
    return 0;
}

void output_eve_stats_clear_sections(void)
{
    g_n_sections = 0;
}

static void emit_sections(JsonBuf *jb, const char *name)
{
    for (int i = 0; i < g_n_sections; i++) {
        if (strcmp(g_sections[i].name, name) == 0) {
            g_sections[i].fn(jb, g_sections[i].user);
        }
    }
}

static bool subtree_nonzero(const StatsTree *t, int32_t node, const uint64_t *vals);
static void emit_nonzero(JsonBuf *jb, const StatsTree *t, int32_t parent, const uint64_t *vals);

/* eve stats null-values: counters at zero are written (the default). */
static bool g_null_values = true;

void output_eve_stats_set_null_values(bool on)
{
    g_null_values = on;
}

/* The top level: counter groups with their sections, then sections whose
 * group has no counters (or, without null-values, only zeros). */
static void emit_top(JsonBuf *jb, const StatsTree *t, const uint64_t *merged)
{
    bool done[STATS_MAX_SECTIONS] = {false};
    for (int32_t c = t->nodes[0].first_child; c >= 0; c = t->nodes[c].next) {
        const StatsNode *n = &t->nodes[c];
        if (!g_null_values && !subtree_nonzero(t, c, merged)) {
            continue;
        }
        if (n->first_child < 0) {
            json_u64(jb, n->seg, merged[n->counter]);
            continue;
        }
        json_open_object(jb, n->seg);
        if (g_null_values) {
            emit_children(jb, t, c, merged);
        } else {
            emit_nonzero(jb, t, c, merged);
        }
        emit_sections(jb, n->seg);
        json_close_object(jb);
        for (int i = 0; i < g_n_sections; i++) {
            done[i] = done[i] || strcmp(g_sections[i].name, n->seg) == 0;
        }
    }
    for (int i = 0; i < g_n_sections; i++) {
        if (!done[i]) {
            json_open_object(jb, g_sections[i].name);
            g_sections[i].fn(jb, g_sections[i].user);
            json_close_object(jb);
        }
    }
}

static bool subtree_nonzero(const StatsTree *t, int32_t node, const uint64_t *vals)
{
    const StatsNode *n = &t->nodes[node];
    if (n->first_child < 0) {
        return n->counter >= 0 && vals[n->counter] != 0;
    }
    for (int32_t c = n->first_child; c >= 0; c = t->nodes[c].next) {
        if (subtree_nonzero(t, c, vals)) {
            return true;
        }
    }
    return false;
}

/* A thread's own counters: the non-zero ones (the registry is global, so a
 * thread's zeros would list every other thread's counters too). */
static void emit_nonzero(JsonBuf *jb, const StatsTree *t, int32_t parent, const uint64_t *vals)
{
    for (int32_t c = t->nodes[parent].first_child; c >= 0; c = t->nodes[c].next) {
        const StatsNode *n = &t->nodes[c];
        if (!subtree_nonzero(t, c, vals)) {
            continue;
        }
        if (n->first_child >= 0) {
            json_open_object(jb, n->seg);
            emit_nonzero(jb, t, c, vals);
            json_close_object(jb);
        } else {
            json_u64(jb, n->seg, vals[n->counter]);
        }
    }
}

static void emit_thread(const char *name, const uint64_t *vals, void *user)
{
    JsonBuf *jb = user;
    json_open_object(jb, name);
    emit_nonzero(jb, &g_tree, 0, vals);
    json_close_object(jb);
}

int output_eve_stats_build(JsonBuf *jb, int64_t sec, uint32_t usec, uint64_t uptime_sec,
                           const uint64_t *merged)
{
    return output_eve_stats_build_sel(jb, sec, usec, uptime_sec, merged, false);
}

int output_eve_stats_build_sel(JsonBuf *jb, int64_t sec, uint32_t usec, uint64_t uptime_sec,
                               const uint64_t *merged, bool with_threads)
{
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    eve_add_timestamp(jb, "timestamp", sec, usec);
    json_str(jb, "event_type", "stats");
    eve_add_host(jb);
    eve_add_pcap_filename(jb, 0);    // the file being read
    json_open_object(jb, "stats");
    json_u64(jb, "uptime", uptime_sec);

    pthread_mutex_lock(&g_tree_lock);
    int rc = tree_ensure(&g_tree);
    if (rc == 0 && merged != NULL) {
        emit_top(jb, &g_tree, merged);
    }
    if (rc == 0 && with_threads) {
        json_open_object(jb, "threads");
        rc = counters_each_named(emit_thread, jb);
        json_close_object(jb);
    }
    pthread_mutex_unlock(&g_tree_lock);

    json_close_object(jb);
    json_close_object(jb);
    if (rc != 0) {
        return rc;
    }
    return json_complete(jb) ? 0 : VG_EINVAL;
}

int output_eve_stats_write(EveSink *sink, JsonBuf *jb, int64_t sec, uint32_t usec,
                           uint64_t uptime_sec, const uint64_t *merged, bool with_threads)
{
    int rc = output_eve_stats_build_sel(jb, sec, usec, uptime_sec, merged, with_threads);
    if (rc != 0) {
        return rc;
    }
    return eve_sink_write(sink, jb);
}

void output_eve_stats_deinit(void)
{
    pthread_mutex_lock(&g_tree_lock);
    tree_free(&g_tree);
    pthread_mutex_unlock(&g_tree_lock);
}
