/* Engine life cycle and rule loading: rules from strings and files,
 * classification.config, duplicate sids, flowbit names, counts. Building the
 * groups is in detect-build.c; configuration-driven loading in detect-load.c. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "util/util-error.h"
#include "util/util-file.h"
#include "util/util-log.h"

DetectEngine *detect_engine_new_empty(void)
{
    DetectEngine *de = calloc(1, sizeof(*de));
    if (de == NULL) {
        return NULL;
    }
    de->thr = detect_threshold_table_new();
    de->hostbits = detect_hostbit_table_new();
    de->tags = detect_tag_table_new(DETECT_TAG_HOSTS_MAX);
    if (de->thr == NULL || de->hostbits == NULL || de->tags == NULL ||
        detect_vars_set_defaults(&de->vars) != 0) {
        detect_engine_free(de);
        return NULL;
    }
    /* Suricata's default action-order: pass, drop, reject, alert. */
    de->action_rank[DETECT_ACTION_PASS] = 0;
    de->action_rank[DETECT_ACTION_DROP] = 1;
    de->action_rank[DETECT_ACTION_REJECT] = 2;
    de->action_rank[DETECT_ACTION_REJECT_DST] = 2;
    de->action_rank[DETECT_ACTION_REJECT_BOTH] = 2;
    de->action_rank[DETECT_ACTION_ALERT] = 3;
    de->alerts_max = DETECT_ALERTS_MAX;
    de->max_pcre_pairs = 1;
    return de;
}

void detect_engine_free(DetectEngine *de)
{
    if (de == NULL) {
        return;
    }
    detect_groups_free(de);
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        detect_sig_free(de->sigs[i]);
    }
    free(de->sigs);
    for (size_t i = 0; i < de->n_classes; i++) {
        free(de->classes[i].name);
        free(de->classes[i].msg);
    }
    free(de->classes);
    for (size_t i = 0; i < de->n_refsys; i++) {
        free(de->refsys[i].name);
        free(de->refsys[i].url);
    }
    free(de->refsys);
    for (size_t i = 0; i < de->n_files; i++) {
        free(de->files[i]);
    }
    free(de->files);
    for (uint32_t i = 0; i < de->n_flowbits; i++) {
        free(de->flowbit_names[i]);
    }
    free(de->flowbit_names);
    for (uint32_t i = 0; i < de->n_flowints; i++) {
        free(de->flowint_names[i]);
    }
    free(de->flowint_names);
    for (size_t i = 0; i < de->n_tcfg; i++) {
        detect_addr_free(&de->tcfg[i].suppress_addr);
    }
    free(de->tcfg);
    free(de->sid_keys);
    free(de->sid_vals);
    detect_threshold_table_free(de->thr);
    detect_hostbit_table_free(de->hostbits);
    detect_tag_table_free(de->tags);
    detect_vars_free(&de->vars);
    free(de);
}

void detect_engine_stats(const DetectEngine *de, uint32_t *loaded, uint32_t *failed)
{
    if (loaded != NULL) {
        *loaded = de ? de->loaded : 0;
    }
    if (failed != NULL) {
        *failed = de ? de->failed : 0;
    }
}

const DetectClass *detect_class_find(const DetectEngine *de, const char *name)
{
    for (size_t i = 0; i < de->n_classes; i++) {
        if (strcmp(de->classes[i].name, name) == 0) {
            return &de->classes[i];
        }
    }
    return NULL;
}

int detect_flowbit_index(DetectEngine *de, const char *name, bool is_int)
{
    char ***names = is_int ? &de->flowint_names : &de->flowbit_names;
    uint32_t *n = is_int ? &de->n_flowints : &de->n_flowbits;
    for (uint32_t i = 0; i < *n; i++) {
        if (strcmp((*names)[i], name) == 0) {
            return (int)i;
        }
    }
    char **nn = realloc(*names, (*n + 1) * sizeof(*nn));
    if (nn == NULL) {
        return VG_ENOMEM;
    }
    *names = nn;
    nn[*n] = detect_strndup(name, strlen(name));
    if (nn[*n] == NULL) {
        return VG_ENOMEM;
    }
    return (int)(*n)++;
}

static const char *intern_file(DetectEngine *de, const char *name)
{
    for (size_t i = 0; i < de->n_files; i++) {
        if (strcmp(de->files[i], name) == 0) {
            return de->files[i];
        }
    }
    char **f = realloc(de->files, (de->n_files + 1) * sizeof(*f));
    if (f == NULL) {
        return NULL;
    }
    de->files = f;
    f[de->n_files] = detect_strndup(name, strlen(name));
    return f[de->n_files] ? f[de->n_files++] : NULL;
}

/* ---- duplicate sid map (open addressing) -------------------------------- */

static int sid_map_grow(DetectEngine *de)
{
    uint32_t cap = de->sid_cap ? de->sid_cap * 2 : 1024;
    uint64_t *keys = calloc(cap, sizeof(*keys));
    uint32_t *vals = calloc(cap, sizeof(*vals));
    if (keys == NULL || vals == NULL) {
        free(keys);
        free(vals);
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < de->sid_cap; i++) {
        if (de->sid_keys[i] == 0) {
            continue;
        }
        uint32_t h = detect_hash(&de->sid_keys[i], 8) & (cap - 1);
        while (keys[h] != 0) {
            h = (h + 1) & (cap - 1);
        }
        keys[h] = de->sid_keys[i];
        vals[h] = de->sid_vals[i];
    }
    free(de->sid_keys);
    free(de->sid_vals);
    de->sid_keys = keys;
    de->sid_vals = vals;
    de->sid_cap = cap;
    return 0;
}

/* Slot for key (existing or empty); keys are never 0 since sid >= 1. */
static uint32_t *sid_map_slot(DetectEngine *de, uint64_t key, bool *found)
{
    if ((de->sid_n + 1) * 2 > de->sid_cap && sid_map_grow(de) != 0) {
        return NULL;
    }
    uint32_t h = detect_hash(&key, 8) & (de->sid_cap - 1);
    while (de->sid_keys[h] != 0 && de->sid_keys[h] != key) {
        h = (h + 1) & (de->sid_cap - 1);
    }
    *found = de->sid_keys[h] == key;
    if (!*found) {
        de->sid_keys[h] = key;
        de->sid_n++;
    }
    return &de->sid_vals[h];
}

static int add_sig(DetectEngine *de, Signature *s)
{
    bool found;
    uint32_t *slot = sid_map_slot(de, (uint64_t)s->gid << 32 | s->sid, &found);
    if (slot == NULL) {
        detect_sig_free(s);
        return VG_ENOMEM;
    }
    if (found) {
        Signature *old = de->sigs[*slot];
        VG_WARN("%s:%d: sid %u: duplicate of the rule at %s:%d, which it replaces", s->file,
                s->line, s->sid, old->file, old->line);
        s->load_idx = old->load_idx;
        detect_sig_free(old);
        de->sigs[*slot] = s;
        return 0;
    }
    if (de->n_sigs == de->cap_sigs) {
        uint32_t cap = de->cap_sigs ? de->cap_sigs * 2 : 256;
        Signature **n = realloc(de->sigs, cap * sizeof(*n));
        if (n == NULL) {
            detect_sig_free(s);
            return VG_ENOMEM;
        }
        de->sigs = n;
        de->cap_sigs = cap;
    }
    s->load_idx = de->n_sigs;
    *slot = de->n_sigs;
    de->sigs[de->n_sigs++] = s;
    de->loaded++;
    return 0;
}

static int load_rule(DetectEngine *de, const char *text, const char *file, int line)
{
    char err[DETECT_ERR_MAX];
    Signature *s = NULL;
    int rc = detect_parse_rule(de, text, file, line, &s, err, sizeof(err));
    if (rc != 0) {
        de->failed++;
        uint32_t sid = detect_parse_scan_sid(text);
        VG_WARN("%s:%d: sid %u: %s", file, line, sid, err);
        if (de->on_bad_rule != NULL) {
            de->on_bad_rule(de->on_bad_rule_ctx, file, line, sid, err);
        }
        return rc;
    }
    return add_sig(de, s);
}

/* Collects one logical rule (joined continuation lines) and hands it over. */
int detect_engine_load_string(DetectEngine *de, const char *rules, const char *name)
{
    if (de == NULL || rules == NULL || de->is_built) {
        return VG_EINVAL;
    }
    const char *file = intern_file(de, name ? name : "<string>");
    size_t cap = 4096;
    char *buf = malloc(cap);
    if (file == NULL || buf == NULL) {
        free(buf);
        return VG_ENOMEM;
    }
    uint32_t failed_before = de->failed;
    int line = 0;
    const char *p = rules;
    while (*p != '\0') {
        size_t n = 0;
        int first_line = line + 1;
        bool more = true;
        while (more && *p != '\0') {
            line++;
            const char *eol = strchr(p, '\n');
            size_t len = eol ? (size_t)(eol - p) : strlen(p);
            while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t')) {
                len--;
            }
            more = len > 0 && p[len - 1] == '\\';
            len -= more ? 1 : 0;
            if (n + len + 1 > cap) {
                size_t ncap = (n + len + 1) * 2;
                char *nb = realloc(buf, ncap);
                if (nb == NULL) {
                    free(buf);
                    return VG_ENOMEM;
                }
                buf = nb;
                cap = ncap;
            }
            memcpy(buf + n, p, len);
            n += len;
            p = eol ? eol + 1 : p + strlen(p);
        }
        buf[n] = '\0';
        const char *r = buf;
        while (*r == ' ' || *r == '\t') {
            r++;
        }
        if (*r == '\0' || *r == '#') {
            continue;
        }
        if (load_rule(de, r, file, first_line) == VG_ENOMEM) {
            free(buf);
            return VG_ENOMEM;
        }
    }
    free(buf);
    return (int)(de->failed - failed_before);
}

int detect_engine_load_file(DetectEngine *de, const char *path)
{
    int err;
    char *text = util_file_read(path, DETECT_FILE_MAX, NULL, &err);
    if (text == NULL) {
        VG_WARN("%s: can't read rule file: %s; skipping it", path, strerror(err));
        return VG_EIO;
    }
    int rc = detect_engine_load_string(de, text, path);
    free(text);
    return rc;
}

/* ---- classification.config / reference.config --------------------------- */

static int add_class(DetectEngine *de, const char *name, size_t nlen, const char *msg,
                     size_t mlen, int prio)
{
    char *nm = detect_strndup(name, nlen);
    char *ms = detect_strndup(msg, mlen);
    if (nm == NULL || ms == NULL) {
        free(nm);
        free(ms);
        return VG_ENOMEM;
    }
    for (size_t i = 0; i < de->n_classes; i++) {
        if (strcmp(de->classes[i].name, nm) == 0) {
            free(de->classes[i].msg);
            free(nm);
            de->classes[i].msg = ms;
            de->classes[i].priority = prio;
            return 0;
        }
    }
    DetectClass *c = realloc(de->classes, (de->n_classes + 1) * sizeof(*c));
    if (c == NULL) {
        free(nm);
        free(ms);
        return VG_ENOMEM;
    }
    de->classes = c;
    c[de->n_classes++] = (DetectClass){ nm, ms, prio };
    return 0;
}

static void trim_span(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' ||
                        (*s)[*len - 1] == '\r')) {
        (*len)--;
    }
}

/* "config classification: name,description,priority" */
static int class_line(DetectEngine *de, const char *p, size_t len)
{
    static const char prefix[] = "config classification:";
    if (len < sizeof(prefix) - 1 || strncmp(p, prefix, sizeof(prefix) - 1) != 0) {
        return VG_EINVAL;
    }
    p += sizeof(prefix) - 1;
    len -= sizeof(prefix) - 1;
    const char *c1 = memchr(p, ',', len);
    const char *c2 = c1 ? memchr(c1 + 1, ',', len - (size_t)(c1 + 1 - p)) : NULL;
    if (c2 == NULL) {
        return VG_EINVAL;
    }
    const char *name = p;
    size_t nlen = (size_t)(c1 - p);
    const char *msg = c1 + 1;
    size_t mlen = (size_t)(c2 - msg);
    const char *pr = c2 + 1;
    size_t plen = len - (size_t)(pr - p);
    trim_span(&name, &nlen);
    trim_span(&msg, &mlen);
    trim_span(&pr, &plen);
    int prio = 0;
    for (size_t i = 0; i < plen; i++) {
        if (pr[i] < '0' || pr[i] > '9' || prio > 1000) {
            return VG_EINVAL;
        }
        prio = prio * 10 + pr[i] - '0';
    }
    if (nlen == 0 || plen == 0) {
        return VG_EINVAL;
    }
    return add_class(de, name, nlen, msg, mlen, prio);
}

int detect_engine_load_classification_string(DetectEngine *de, const char *text,
                                             const char *name)
{
    int line = 0;
    int bad = 0;
    for (const char *p = text; *p != '\0';) {
        line++;
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *l = p;
        trim_span(&l, &len);
        p = eol ? eol + 1 : p + strlen(p);
        if (len == 0 || l[0] == '#') {
            continue;
        }
        int rc = class_line(de, l, len);
        if (rc == VG_ENOMEM) {
            return rc;
        }
        if (rc != 0) {
            VG_WARN("%s:%d: bad classification line; skipping it", name, line);
            bad++;
        }
    }
    return bad;
}
