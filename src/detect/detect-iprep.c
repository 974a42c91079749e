/* IP reputation (the iprep keyword), as Suricata's: named categories
 * (reputation-categories-file: "id,shortname,description" lines, ids 0-59)
 * and reputation files (reputation-files, relative to
 * default-reputation-path: "address[/prefix],category-id,score" lines, score
 * 0-127). Loaded with the rule set, so a rule reload re-reads them; read-only
 * afterwards (any thread may look up).
 *
 * Single addresses sit in a sorted array searched by halving; prefixes in a
 * second array scanned whole, the longest containing prefix winning (lists
 * hold few of them). Among equal entries the last line read wins. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "detect/detect-internal.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define IPREP_LINE_MAX 512

typedef struct IprepEntry {
    DetectU128 lo;                     // range key (detect_addr_key), inclusive
    DetectU128 hi;
    uint8_t family;
    uint8_t cat;
    uint8_t score;
    uint8_t prefix;                    // bits; 32/128 for single addresses
    uint32_t order;                    // line order, for "last wins"
} IprepEntry;

struct DetectIprep {
    char *names[DETECT_IPREP_CATS];    // short names by id, NULL if unused
    IprepEntry *hosts;                 // single addresses, sorted (family, lo, cat, order)
    uint32_t n_hosts;
    IprepEntry *nets;
    uint32_t n_nets;
};

void detect_iprep_free(DetectIprep *r)
{
    if (r == NULL) {
        return;
    }
    for (int i = 0; i < DETECT_IPREP_CATS; i++) {
        free(r->names[i]);
    }
    free(r->hosts);
    free(r->nets);
    free(r);
}

int detect_iprep_category(const DetectIprep *r, const char *name)
{
    for (int i = 0; r != NULL && i < DETECT_IPREP_CATS; i++) {
        if (r->names[i] != NULL && strcmp(r->names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

static int cmp_entry(const void *a, const void *b)
{
    const IprepEntry *x = a;
    const IprepEntry *y = b;
    if (x->family != y->family) {
        return x->family < y->family ? -1 : 1;
    }
    if (x->lo != y->lo) {
        return x->lo < y->lo ? -1 : 1;
    }
    if (x->cat != y->cat) {
        return x->cat < y->cat ? -1 : 1;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

bool detect_iprep_lookup(const DetectIprep *r, const VgAddr *a, uint8_t cat, uint8_t *score)
{
    if (r == NULL || (a->family != 4 && a->family != 6)) {
        return false;
    }
    DetectU128 key = detect_addr_key(a);
    bool found = false;
    /* The last entry not after (family, key, cat, any order). */
    uint32_t lo = 0;
    uint32_t hi = r->n_hosts;
    IprepEntry probe = {.family = a->family, .lo = key, .cat = cat, .order = UINT32_MAX};
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cmp_entry(&r->hosts[mid], &probe) <= 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo > 0) {
        const IprepEntry *e = &r->hosts[lo - 1];
        if (e->family == a->family && e->lo == key && e->cat == cat) {
            *score = e->score;
            found = true;
        }
    }
    if (found) {
        return true;
    }
    int best_prefix = -1;
    uint32_t best_order = 0;
    for (uint32_t i = 0; i < r->n_nets; i++) {
        const IprepEntry *e = &r->nets[i];
        if (e->family == a->family && e->cat == cat && key >= e->lo && key <= e->hi &&
            (e->prefix > best_prefix || (e->prefix == best_prefix && e->order > best_order))) {
            best_prefix = e->prefix;
            best_order = e->order;
            *score = e->score;
            found = true;
        }
    }
    return found;
}

/* ---- loading ------------------------------------------------------------ */

/* A line fgets could not take whole: its rest is read away; true when so. */
static bool skip_long_line(FILE *fp, const char *line)
{
    size_t n = strlen(line);
    if (n == 0 || line[n - 1] == '\n' || feof(fp)) {
        return false;
    }
    int c;
    while ((c = fgetc(fp)) != EOF && c != '\n') {
    }
    return true;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
                     s[n - 1] == '\r')) {
        s[--n] = '\0';
    }
    return s;
}

static int load_categories(DetectIprep *r, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        VG_ERROR("reputation-categories-file %s: %s", path, strerror(errno));
        return VG_EIO;
    }
    char line[IPREP_LINE_MAX];
    int lineno = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
        lineno++;
        if (skip_long_line(fp, line)) {
            VG_ERROR("%s:%d: line longer than %d bytes", path, lineno, IPREP_LINE_MAX);
            rc = VG_EINVAL;
            break;
        }
        char *l = trim(line);
        if (*l == '\0' || *l == '#') {
            continue;
        }
        char *c1 = strchr(l, ',');
        char *c2 = c1 != NULL ? strchr(c1 + 1, ',') : NULL;
        int64_t id;
        if (c1 == NULL || c2 == NULL) {
            VG_ERROR("%s:%d: expected id,shortname,description", path, lineno);
            rc = VG_EINVAL;
            break;
        }
        *c1 = '\0';
        *c2 = '\0';
        char *name = trim(c1 + 1);
        if (!conf_parse_int(trim(l), &id) || id < 0 || id >= DETECT_IPREP_CATS || *name == '\0') {
            VG_ERROR("%s:%d: category id must be 0-%d with a short name", path, lineno,
                     DETECT_IPREP_CATS - 1);
            rc = VG_EINVAL;
        } else if (r->names[id] != NULL || detect_iprep_category(r, name) >= 0) {
            VG_ERROR("%s:%d: category %s (id %lld) defined twice", path, lineno, name,
                     (long long)id);
            rc = VG_EINVAL;
        } else if ((r->names[id] = strdup(name)) == NULL) {
            rc = VG_ENOMEM;
        }
    }
    fclose(fp);
    return rc;
}

static int push(IprepEntry **arr, uint32_t *n, uint32_t *cap, const IprepEntry *e)
{
    if (*n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 256;
        IprepEntry *p = realloc(*arr, nc * sizeof(*p));
        if (p == NULL) {
            return VG_ENOMEM;
        }
        *arr = p;
        *cap = nc;
    }
    (*arr)[(*n)++] = *e;
    return 0;
}

/* "a.b.c.d[/n]" or an IPv6 address[/n] into e's range; false when bad. */
static bool parse_net(char *text, IprepEntry *e)
{
    char *slash = strchr(text, '/');
    int64_t bits = -1;
    if (slash != NULL) {
        *slash = '\0';
        if (!conf_parse_int(slash + 1, &bits)) {
            return false;
        }
    }
    VgAddr a;
    if (!detect_addr_parse_ip(text, strlen(text), &a)) {
        return false;
    }
    int max = a.family == 4 ? 32 : 128;
    if (bits < 0) {
        bits = max;
    }
    if (bits > max) {
        return false;
    }
    DetectU128 key = detect_addr_key(&a);
    DetectU128 host_mask = bits == max ? 0 : (((DetectU128)1 << (max - bits)) - 1);
    e->family = a.family;
    e->lo = key & ~host_mask;
    e->hi = e->lo | host_mask;
    e->prefix = (uint8_t)bits;
    return true;
}

static int load_reputation(DetectIprep *r, const char *path, uint32_t *order, uint32_t *cap_h,
                           uint32_t *cap_n)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        VG_ERROR("reputation file %s: %s", path, strerror(errno));
        return VG_EIO;
    }
    char line[IPREP_LINE_MAX];
    int lineno = 0;
    uint32_t n_bad = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
        lineno++;
        if (skip_long_line(fp, line)) {
            if (n_bad++ < 10) {
                VG_WARN("%s:%d: line longer than %d bytes; skipped", path, lineno,
                        IPREP_LINE_MAX);
            }
            continue;
        }
        char *l = trim(line);
        if (*l == '\0' || *l == '#') {
            continue;
        }
        char *c1 = strchr(l, ',');
        char *c2 = c1 != NULL ? strchr(c1 + 1, ',') : NULL;
        IprepEntry e = {.order = (*order)++};
        int64_t cat;
        int64_t score;
        bool ok = c1 != NULL && c2 != NULL;
        if (ok) {
            *c1 = '\0';
            *c2 = '\0';
            ok = parse_net(trim(l), &e) && conf_parse_int(trim(c1 + 1), &cat) && cat >= 0 &&
                 cat < DETECT_IPREP_CATS && r->names[cat] != NULL &&
                 conf_parse_int(trim(c2 + 1), &score) && score >= 0 && score <= 127;
        }
        if (!ok) {
            if (n_bad++ < 10) {
                VG_WARN("%s:%d: expected address[/prefix],category-id,score (0-127) with a "
                        "known category; line skipped", path, lineno);
            }
            continue;
        }
        e.cat = (uint8_t)cat;
        e.score = (uint8_t)score;
        bool is_host = e.prefix == (e.family == 4 ? 32 : 128);
        rc = is_host ? push(&r->hosts, &r->n_hosts, cap_h, &e)
                     : push(&r->nets, &r->n_nets, cap_n, &e);
    }
    fclose(fp);
    if (n_bad > 10) {
        VG_WARN("%s: %u bad lines in all", path, n_bad);
    }
    return rc;
}

int detect_iprep_load(const Conf *conf, DetectIprep **out)
{
    *out = NULL;
    char cats[4096];
    if (!conf_get_path(conf, "reputation-categories-file", cats, sizeof(cats))) {
        if (conf_get_node(conf, NULL, "reputation-files") != NULL) {
            VG_ERROR("reputation-files needs reputation-categories-file");
            return VG_EINVAL;
        }
        return 0;
    }
    DetectIprep *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return VG_ENOMEM;
    }
    int rc = load_categories(r, cats);
    char dir[4096] = "";
    bool has_dir = conf_get_path(conf, "default-reputation-path", dir, sizeof(dir));
    const ConfNode *files = conf_get_node(conf, NULL, "reputation-files");
    uint32_t order = 0;
    uint32_t cap_h = 0;
    uint32_t cap_n = 0;
    /* A list, or one value standing for a list of one. */
    const ConfNode *first = files == NULL            ? NULL
                            : files->type == CONF_SCALAR ? files
                                                         : files->first_child;
    for (const ConfNode *c = first; rc == 0 && c != NULL; c = c == files ? NULL : c->next) {
        if (c->value == NULL) {
            continue;
        }
        char path[8192];
        if (c->value[0] == '/' || !has_dir) {
            snprintf(path, sizeof(path), "%s", c->value);
        } else {
            snprintf(path, sizeof(path), "%s/%s", dir, c->value);
        }
        rc = load_reputation(r, path, &order, &cap_h, &cap_n);
    }
    if (rc != 0) {
        detect_iprep_free(r);
        return rc;
    }
    if (r->n_hosts > 0) {
        qsort(r->hosts, r->n_hosts, sizeof(*r->hosts), cmp_entry);
    }
    VG_INFO("ip reputation: %u addresses and %u networks", r->n_hosts, r->n_nets);
    *out = r;
    return 0;
}
