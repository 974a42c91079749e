/* The schema check: every key of the tree against the table of keys Vigil
 * reads (conf-schema-keys.c). Unknown keys are warnings (errors when strict
 * or from --set), bad values of known keys are errors. Start-up only, on the
 * main thread; read-only on the tree (it does not mark nodes as read). */

#include "conf/conf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf-internal.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define SCHEMA_MAX_SEGS 64 // deeper than any schema key: such a path is unknown

typedef struct Seg {
    const char *s;
    size_t len;
} Seg;

typedef struct Checker {
    const Conf *conf;
    const ConfSchemaPart *const *parts;
    size_t n_parts;
    bool is_strict;
    ConfCheckResult res;
    int rc;
    Seg segs[SCHEMA_MAX_SEGS];
    int n_segs;
} Checker;

typedef enum Match {
    MATCH_NONE = 0,
    MATCH_PREFIX,    // the path leads to schema keys below it
    MATCH_UNDER_ANY, // the path lies in an open subtree
    MATCH_EXACT,
} Match;

/* ---- patterns ---- */

/* Does segment seg match the pattern segment p[0..plen): "*" or "a|b|c". */
static bool seg_matches(const char *p, size_t plen, const Seg *seg)
{
    if (plen == 1 && p[0] == '*') {
        return true;
    }
    const char *end = p + plen;
    while (p < end) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        size_t n = bar != NULL ? (size_t)(bar - p) : (size_t)(end - p);
        if (n == seg->len && memcmp(p, seg->s, n) == 0) {
            return true;
        }
        p += n + 1;
    }
    return false;
}

/* Iterates the segments of "prefix.name" (either may be empty). */
typedef struct PatIter {
    const char *parts[2];
    int part;
    const char *p;
} PatIter;

static void pat_init(PatIter *it, const char *prefix, const char *name)
{
    it->parts[0] = prefix != NULL ? prefix : "";
    it->parts[1] = name;
    it->part = 0;
    it->p = it->parts[0];
}

/* The next segment in s and len; false at the end. */
static bool pat_next(PatIter *it, const char **s, size_t *len)
{
    while (*it->p == '\0') {
        if (it->part == 1) {
            return false;
        }
        it->p = it->parts[++it->part];
    }
    const char *dot = strchr(it->p, '.');
    *s = it->p;
    *len = dot != NULL ? (size_t)(dot - it->p) : strlen(it->p);
    it->p = dot != NULL ? dot + 1 : it->p + *len;
    return true;
}

static Match match_option(const char *prefix, const ConfOption *opt, const Seg *segs, int n)
{
    PatIter it;
    pat_init(&it, prefix, opt->name);
    const char *s;
    size_t len;
    for (int i = 0; i < n; i++) {
        if (!pat_next(&it, &s, &len)) {
            return opt->type == CONF_OPT_ANY ? MATCH_UNDER_ANY : MATCH_NONE;
        }
        if (!seg_matches(s, len, &segs[i])) {
            return MATCH_NONE;
        }
    }
    return pat_next(&it, &s, &len) ? MATCH_PREFIX : MATCH_EXACT;
}

/* The best match of segs over the schema; *opt gets the option of an exact
 * or open-subtree match. */
static Match match_in(const ConfSchemaPart *const *parts, size_t n_parts, const Seg *segs, int n,
                      const ConfOption **opt)
{
    Match best = MATCH_NONE;
    *opt = NULL;
    for (size_t p = 0; p < n_parts; p++) {
        const ConfSchemaPart *part = parts[p];
        for (size_t i = 0; i < part->n_opts; i++) {
            Match m = match_option(part->prefix, &part->opts[i], segs, n);
            if (m > best) {
                best = m;
                *opt = m == MATCH_PREFIX ? NULL : &part->opts[i];
            }
            if (best == MATCH_EXACT) {
                return best;
            }
        }
    }
    return best;
}

static Match match_path(const Checker *ck, const Seg *segs, int n, const ConfOption **opt)
{
    return match_in(ck->parts, ck->n_parts, segs, n, opt);
}

/* Push the segments of name (split on dots, as lookups do) onto segs[*n];
 * false if that would pass SCHEMA_MAX_SEGS. */
static bool push_name(Seg *segs, int *n, const char *name)
{
    const char *p = name != NULL ? name : "";
    do {
        if (*n >= SCHEMA_MAX_SEGS) {
            return false;
        }
        const char *dot = strchr(p, '.');
        size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);
        segs[(*n)++] = (Seg){p, len};
        p = dot != NULL ? dot + 1 : NULL;
    } while (p != NULL);
    return true;
}

/* ---- suggestions ---- */

/* Edits (insert, delete, change, swap of neighbours) from a to b; 99 when
 * either is longer than 64. */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
    size_t rows[3][65]; // rolling: two rows back for swaps
    if (na > 64 || nb > 64) {
        return 99;
    }
    for (size_t j = 0; j <= nb; j++) {
        rows[0][j] = j;
    }
    for (size_t i = 1; i <= na; i++) {
        size_t *cur = rows[i % 3];
        const size_t *prev = rows[(i - 1) % 3];
        const size_t *prev2 = rows[(i + 1) % 3]; // i - 2
        cur[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = prev[j - 1] + cost;
            best = prev[j] + 1 < best ? prev[j] + 1 : best;
            best = cur[j - 1] + 1 < best ? cur[j - 1] + 1 : best;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < best) {
                best = prev2[j - 2] + 1;
            }
            cur[j] = best;
        }
    }
    return rows[na % 3][nb];
}

/* A known name close to the last segment of segs (at most 2 edits), written
 * into buf; false when none. */
static bool suggest(const Checker *ck, const Seg *segs, int n, char *buf, size_t buf_len)
{
    const Seg *last = &segs[n - 1];
    size_t best = 3;
    for (size_t p = 0; p < ck->n_parts; p++) {
        for (size_t i = 0; i < ck->parts[p]->n_opts; i++) {
            PatIter it;
            pat_init(&it, ck->parts[p]->prefix, ck->parts[p]->opts[i].name);
            const char *s;
            size_t len;
            int k = 0;
            while (k < n - 1 && pat_next(&it, &s, &len) && seg_matches(s, len, &segs[k])) {
                k++;
            }
            if (k != n - 1 || !pat_next(&it, &s, &len)) {
                continue;
            }
            /* Each alternative of the segment is a candidate. */
            for (const char *a = s, *end = s + len; a < end;) {
                const char *bar = memchr(a, '|', (size_t)(end - a));
                size_t an = bar != NULL ? (size_t)(bar - a) : (size_t)(end - a);
                size_t d = edit_distance(a, an, last->s, last->len);
                size_t limit = last->len <= 4 ? 1 : 2; // short names: one edit
                if (!(an == 1 && a[0] == '*') && d < best && d <= limit) {
                    best = d;
                    snprintf(buf, buf_len, "%.*s", (int)an, a);
                }
                a += an + 1;
            }
        }
    }
    return best < 3;
}

/* ---- reporting ---- */

static void path_text(const Seg *segs, int n, char *buf, size_t buf_len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < buf_len; i++) {
        int w = snprintf(buf + used, buf_len - used, "%s%.*s", i > 0 ? "." : "",
                         (int)segs[i].len, segs[i].s);
        if (w < 0) {
            break;
        }
        used += (size_t)w;
    }
}

static bool from_set(const ConfNode *node)
{
    return node->file != NULL && strcmp(node->file, CONF_FILE_SET) == 0;
}

/* Log "FILE:LINE: KEY: problem" at error or warning level. */
static void report(const ConfNode *node, const char *path, bool is_error, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(const ConfNode *node, const char *path, bool is_error, const char *fmt, ...)
{
    char problem[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof(problem), fmt, ap);
    va_end(ap);
    LogLevel lvl = is_error ? LOG_LEVEL_ERROR : LOG_LEVEL_WARNING;
    const char *file = node->file != NULL ? node->file : "?";
    if (node->line > 0) {
        util_log(lvl, "%s:%d: %s: %s", file, node->line, path, problem);
    } else {
        util_log(lvl, "%s: %s: %s", file, path, problem);
    }
}

/* An unknown key, or a known one without effect: a warning, or an error when
 * strict or set by --set. */
static void report_ignored(Checker *ck, const ConfNode *node, const Seg *segs, int n,
                           const char *what)
{
    char path[512];
    char hint[80];
    char near[512] = "";
    path_text(segs, n, path, sizeof(path));
    /* From --set, an unknown key is always a mistake; a known one without
     * effect is only a warning (scripts written for Suricata set them). */
    bool is_error = ck->is_strict || (what == NULL && from_set(node));
    if (what == NULL && suggest(ck, segs, n, hint, sizeof(hint))) {
        char parent[400];
        path_text(segs, n - 1, parent, sizeof(parent));
        snprintf(near, sizeof(near), " (did you mean '%s%s%s'?)", parent, n > 1 ? "." : "",
                 hint);
    }
    if (what == NULL) {
        ck->res.n_unknown++;
    } else {
        ck->res.n_no_effect++;
    }
    report(node, path, is_error, "%s%s%s", what != NULL ? what : "unknown key", near,
           !is_error ? "; ignored" : ck->is_strict ? " (--strict-config)" : "");
    if (is_error) {
        ck->rc = VG_EINVAL;
    }
}

static const char *shape_name(ConfNodeType type)
{
    return type == CONF_MAP ? "a mapping" : type == CONF_LIST ? "a list" : "a single value";
}

/* ---- values ---- */

static void check_value(Checker *ck, const ConfNode *node, const ConfOption *opt, const char *path)
{
    char why[320];
    if (opt->type == CONF_OPT_PORT) {
        uint16_t port;
        if (conf_resolve_port(ck->conf, node->value, &port, why, sizeof(why)) != 0) {
            report(node, path, true, "%s", why);
            ck->res.n_bad++;
            ck->rc = VG_EINVAL;
        }
        return;
    }
    if (opt->type == CONF_OPT_PORTS) {
        uint16_t ports[CONF_PORTS_MAX];
        uint32_t n;
        if (conf_resolve_ports(ck->conf, node->value, ports, &n, why, sizeof(why)) != 0) {
            report(node, path, true, "%s", why);
            ck->res.n_bad++;
            ck->rc = VG_EINVAL;
        }
        return;
    }
    union {
        bool b;
        int64_t i;
        uint64_t u;
        const char *s;
    } scratch;
    if (conf_option_parse(opt, node->value, &scratch, why, sizeof(why)) != 0) {
        report(node, path, true, "%s", why);
        ck->res.n_bad++;
        ck->rc = VG_EINVAL;
    }
}

static void check_known(Checker *ck, const ConfNode *node, const ConfOption *opt, int n)
{
    char path[512];
    path_text(ck->segs, n, path, sizeof(path));
    if (opt->flags & CONF_OPT_F_NO_EFFECT) {
        report_ignored(ck, node, ck->segs, n, "accepted for compatibility, no effect in Vigil");
        return;
    }
    if (opt->type == CONF_OPT_ANY || (node->type == CONF_SCALAR && node->value == NULL)) {
        return; // open subtree, or a null value (treated as absent)
    }
    bool want_list = opt->type == CONF_OPT_LIST;
    bool is_ok_shape = want_list ? node->type == CONF_LIST ||
                                       (node->type == CONF_SCALAR &&
                                        (opt->flags & CONF_OPT_F_SCALAR_OK))
                                 : node->type == CONF_SCALAR;
    if (!is_ok_shape) {
        report(node, path, true, "expected %s, found %s", want_list ? "a list" : "a single value",
               shape_name(node->type));
        ck->res.n_bad++;
        ck->rc = VG_EINVAL;
        return;
    }
    if (!want_list) {
        check_value(ck, node, opt, path);
    }
}

/* ---- the walk ---- */

static void check_node(Checker *ck, const ConfNode *node);

/* A scalar item of a list that leads to keys ("types: [flow]"): its value
 * names an entry, as if it were a key with no settings. */
static bool check_bare_entry(Checker *ck, const ConfNode *item)
{
    if (item->type != CONF_SCALAR || item->value == NULL || ck->n_segs >= SCHEMA_MAX_SEGS) {
        return false;
    }
    ck->segs[ck->n_segs] = (Seg){item->value, strlen(item->value)};
    const ConfOption *opt;
    Match m = match_path(ck, ck->segs, ck->n_segs + 1, &opt);
    if (m == MATCH_NONE) {
        report_ignored(ck, item, ck->segs, ck->n_segs + 1, NULL);
    } else if (m == MATCH_EXACT && (opt->flags & CONF_OPT_F_NO_EFFECT)) {
        report_ignored(ck, item, ck->segs, ck->n_segs + 1,
                       "accepted for compatibility, no effect in Vigil");
    }
    return true;
}

static void check_children(Checker *ck, const ConfNode *node)
{
    for (const ConfNode *c = node->first_child; c != NULL; c = c->next) {
        check_node(ck, c);
    }
}

static void check_node(Checker *ck, const ConfNode *node)
{
    int saved = ck->n_segs;
    if (!push_name(ck->segs, &ck->n_segs, node->name)) {
        report_ignored(ck, node, ck->segs, ck->n_segs, NULL);
        ck->n_segs = saved;
        return;
    }
    const ConfOption *opt;
    Match m = match_path(ck, ck->segs, ck->n_segs, &opt);
    if (m == MATCH_EXACT) {
        check_known(ck, node, opt, ck->n_segs);
    } else if (m == MATCH_PREFIX && node->type != CONF_SCALAR) {
        check_children(ck, node);
    } else if (m == MATCH_PREFIX && node->value != NULL) {
        if (!(node->parent != NULL && node->parent->type == CONF_LIST &&
              check_bare_entry(ck, node))) {
            char path[512];
            path_text(ck->segs, ck->n_segs, path, sizeof(path));
            report(node, path, true, "expected a mapping of settings, found '%s'", node->value);
            ck->res.n_bad++;
            ck->rc = VG_EINVAL;
        }
    } else if (m == MATCH_NONE) {
        report_ignored(ck, node, ck->segs, ck->n_segs, NULL);
    }
    ck->n_segs = saved;
}

int conf_check_schema(const Conf *conf, const ConfSchemaPart *const *parts, size_t n_parts,
                      bool strict, ConfCheckResult *res)
{
    Checker ck = {.conf = conf, .parts = parts, .n_parts = n_parts, .is_strict = strict};
    check_children(&ck, conf_root(conf));
    if (res != NULL) {
        *res = ck.res;
    }
    return ck.rc;
}

int conf_check(const Conf *conf, bool strict, ConfCheckResult *res)
{
    size_t n_parts;
    const ConfSchemaPart *const *parts = conf_schema_parts(&n_parts);
    ConfCheckResult r;
    int rc = conf_check_schema(conf, parts, n_parts, strict, &r);
    if (rc != 0) {
        VG_ERROR("configuration: errors above; not starting");
    } else if (r.n_unknown + r.n_no_effect > 0) {
        VG_NOTICE("configuration: %u unknown key(s) and %u without effect in Vigil ignored "
                  "(--strict-config makes them errors)",
                  r.n_unknown, r.n_no_effect);
    }
    if (res != NULL) {
        *res = r;
    }
    return rc;
}

/* ---- keys nobody read ---- */

typedef struct UnreadWalk {
    const ConfSchemaPart *const *parts;
    size_t n_parts;
    Seg segs[SCHEMA_MAX_SEGS];
    int n_segs;
    unsigned n_unread;
} UnreadWalk;

static bool is_leaf(const ConfNode *node)
{
    return node->type == CONF_SCALAR || node->first_child == NULL;
}

/* is_in_list: node is an item of a list the schema knows whole. */
static void unread_node(UnreadWalk *w, const ConfNode *node, bool is_in_list)
{
    int saved = w->n_segs;
    if (!push_name(w->segs, &w->n_segs, node->name)) {
        w->n_segs = saved;
        return;
    }
    const ConfOption *opt;
    Match m = match_in(w->parts, w->n_parts, w->segs, w->n_segs, &opt);
    bool is_known = is_in_list || m != MATCH_NONE;
    bool is_list = m == MATCH_EXACT && opt->type == CONF_OPT_LIST;
    bool is_reported_already = m == MATCH_EXACT && (opt->flags & CONF_OPT_F_NO_EFFECT);
    bool is_from_user = node->file != NULL && strcmp(node->file, CONF_FILE_DEFAULTS) != 0;
    if (is_known && !is_reported_already && is_from_user && is_leaf(node) &&
        !atomic_load_explicit(&node->is_read, memory_order_relaxed)) {
        char path[512];
        path_text(w->segs, w->n_segs, path, sizeof(path));
        if (node->line > 0) {
            VG_INFO("%s:%d: %s: set but not read by this run", node->file, node->line, path);
        } else {
            VG_INFO("%s: %s: set but not read by this run", node->file, path);
        }
        w->n_unread++;
    } else if (is_known && !is_reported_already && node->type != CONF_SCALAR) {
        for (const ConfNode *c = node->first_child; c != NULL; c = c->next) {
            unread_node(w, c, is_in_list || is_list);
        }
    }
    w->n_segs = saved;
}

unsigned conf_report_unread(const Conf *conf)
{
    UnreadWalk w = {0};
    w.parts = conf_schema_parts(&w.n_parts);
    for (const ConfNode *c = conf_root(conf)->first_child; c != NULL; c = c->next) {
        unread_node(&w, c, false);
    }
    return w.n_unread;
}

/* ---- the table for operators ---- */

static const char *type_text(const ConfOption *o)
{
    switch (o->type) {
    case CONF_OPT_BOOL:
        return "bool";
    case CONF_OPT_INT:
        return "int";
    case CONF_OPT_SIZE:
        return "size";
    case CONF_OPT_STR:
        return "string";
    case CONF_OPT_ENUM:
        return o->choices != NULL ? o->choices : "enum";
    case CONF_OPT_PORT:
        return "port";
    case CONF_OPT_PORTS:
        return "ports";
    case CONF_OPT_LIST:
        return "list";
    case CONF_OPT_ANY:
        return "subtree";
    }
    return "?";
}

void conf_schema_print(FILE *out)
{
    size_t n_parts;
    const ConfSchemaPart *const *parts = conf_schema_parts(&n_parts);
    fprintf(out, "%-52s %-14s %-10s %-22s %s\n", "KEY", "TYPE", "DEFAULT", "BOUNDS",
            "WHAT");
    for (size_t p = 0; p < n_parts; p++) {
        const ConfSchemaPart *part = parts[p];
        bool has_prefix = part->prefix != NULL && part->prefix[0] != '\0';
        for (size_t i = 0; i < part->n_opts; i++) {
            const ConfOption *o = &part->opts[i];
            char key[256];
            char bounds[48] = "";
            snprintf(key, sizeof(key), "%s%s%s", has_prefix ? part->prefix : "",
                     has_prefix ? "." : "", o->name);
            if (o->min != 0 || o->max != 0) {
                snprintf(bounds, sizeof(bounds), "%" PRId64 "..%" PRId64, o->min, o->max);
            }
            fprintf(out, "%-52s %-14s %-10s %-22s %s%s\n", key, type_text(o),
                    o->dflt != NULL ? o->dflt : "-", bounds[0] != '\0' ? bounds : "-",
                    (o->flags & CONF_OPT_F_NO_EFFECT) ? "(no effect in Vigil) " : "",
                    o->doc != NULL ? o->doc : "");
        }
    }
}

/* Writes the path of node into buf ("a.b.0.c"); false when it does not fit. */
static bool node_path(const ConfNode *n, char *buf, size_t len)
{
    if (n->parent == NULL) {
        buf[0] = '\0';
        return true;
    }
    if (!node_path(n->parent, buf, len)) {
        return false;
    }
    size_t at = strlen(buf);
    int w = snprintf(buf + at, len - at, "%s%s", at > 0 ? "." : "", n->name);
    return w >= 0 && (size_t)w < len - at;
}

static void dump_node(const ConfNode *n, FILE *out)
{
    if (n->type == CONF_SCALAR && n->parent != NULL) {
        char path[512];
        if (node_path(n, path, sizeof(path))) {
            fprintf(out, "%s = %s\n", path, n->value != NULL ? n->value : "");
        }
        return;
    }
    for (const ConfNode *c = n->first_child; c != NULL; c = c->next) {
        dump_node(c, out);
    }
}

/* Prints "key = dflt" for each spelling of a schema key (a segment "a|b"
 * stands for a and b) that the tree does not set. */
static void dump_default(const Conf *conf, const char *key, const char *dflt, FILE *out)
{
    const char *bar = strchr(key, '|');
    if (bar == NULL) {
        if (conf_get_node(conf, NULL, key) == NULL) {
            fprintf(out, "%s = %s\n", key, dflt);
        }
        return;
    }
    const char *seg = bar;
    while (seg > key && seg[-1] != '.') {
        seg--;
    }
    const char *seg_end = strchr(bar, '.');
    size_t seg_len = seg_end != NULL ? (size_t)(seg_end - seg) : strlen(seg);
    const char *alt = seg;
    while (alt < seg + seg_len) {
        const char *alt_end = memchr(alt, '|', (size_t)(seg + seg_len - alt));
        size_t alt_len = alt_end != NULL ? (size_t)(alt_end - alt) : (size_t)(seg + seg_len - alt);
        char one[256];
        int w = snprintf(one, sizeof(one), "%.*s%.*s%s", (int)(seg - key), key, (int)alt_len, alt,
                         seg + seg_len);
        if (w > 0 && (size_t)w < sizeof(one)) {
            dump_default(conf, one, dflt, out);
        }
        alt += alt_len + 1;
    }
}

void conf_dump(const Conf *conf, FILE *out)
{
    dump_node(conf_root(conf), out);
    fprintf(out, "# built-in defaults of the keys not set above\n");
    size_t n_parts;
    const ConfSchemaPart *const *parts = conf_schema_parts(&n_parts);
    for (size_t p = 0; p < n_parts; p++) {
        const ConfSchemaPart *part = parts[p];
        bool has_prefix = part->prefix != NULL && part->prefix[0] != '\0';
        for (size_t i = 0; i < part->n_opts; i++) {
            const ConfOption *o = &part->opts[i];
            char key[256];
            snprintf(key, sizeof(key), "%s%s%s", has_prefix ? part->prefix : "",
                     has_prefix ? "." : "", o->name);
            if (o->dflt == NULL || strchr(key, '*') != NULL ||
                (o->flags & CONF_OPT_F_NO_EFFECT)) {
                continue;
            }
            dump_default(conf, key, o->dflt, out);
        }
    }
}
