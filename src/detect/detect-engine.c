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
    de->stream_tx_log_limit = 4;   // Suricata's detect.stream-tx-log-limit default
    de->max_pcre_pairs = 1;
    de->ds_allow_write = true;
    return de;
}

void detect_engine_free(DetectEngine *de)
{
    if (de == NULL) {
        return;
    }
    detect_groups_free(de);
    detect_fw_free(de);
    detect_addr_memo_free(de->addr_memo);
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
    for (uint32_t i = 0; i < de->n_failed_kept; i++) {
        free(de->failed_kept[i].reason);
        free(de->failed_kept[i].text);
    }
    free(de->failed_kept);
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
    detect_iprep_free(de->iprep);
    detect_tag_table_free(de->tags);
    detect_vars_free(&de->vars);
    free(de);
}

bool detect_engine_shares_state(const DetectEngine *de)
{
    return de != NULL && de->shares_state;
}

uint32_t detect_engine_skipped(const DetectEngine *de)
{
    return de != NULL ? de->skipped : 0;
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

uint32_t detect_engine_failed_kept(const DetectEngine *de)
{
    return de != NULL ? de->n_failed_kept : 0;
}

bool detect_engine_failed_rule(const DetectEngine *de, uint32_t idx, DetectFailedRule *out)
{
    if (de == NULL || idx >= de->n_failed_kept) {
        return false;
    }
    const struct DetectFailedKept *k = &de->failed_kept[idx];
    *out = (DetectFailedRule){ .file = k->file, .line = k->line, .sid = k->sid,
                               .unsupported = k->unsupported, .reason = k->reason,
                               .text = k->text };
    return true;
}

/* Keeps a refused rule for later listing. Out of memory only loses the entry
 * (the refusal is counted and logged all the same). */
static void keep_failed(DetectEngine *de, const char *file, int line, uint32_t sid,
                        bool unsupported, const char *why, const char *text)
{
    if (de->n_failed_kept >= DETECT_FAILED_KEEP) {
        return;
    }
    if (de->n_failed_kept == de->cap_failed_kept) {
        uint32_t cap = de->cap_failed_kept ? de->cap_failed_kept * 2 : 32;
        struct DetectFailedKept *n = realloc(de->failed_kept, cap * sizeof(*n));
        if (n == NULL) {
            return;
        }
        de->failed_kept = n;
        de->cap_failed_kept = cap;
    }
    size_t tl = text != NULL ? strnlen(text, DETECT_FAILED_TEXT_MAX) : 0;
    char *t = malloc(tl + 1);
    char *r = strdup(why);
    if (t == NULL || r == NULL) {
        free(t);
        free(r);
        return;
    }
    if (tl > 0) {
        memcpy(t, text, tl);
    }
    t[tl] = '\0';
    de->failed_kept[de->n_failed_kept++] = (struct DetectFailedKept){
        .file = file, .line = line, .sid = sid, .unsupported = unsupported, .reason = r,
        .text = t };
}

/* Counts a refusal under its reason, for the summary after loading. */
static void count_refusal(DetectEngine *de, const char *why)
{
    for (size_t i = 0; i < de->n_refusals; i++) {
        if (strcmp(de->refusals[i].reason, why) == 0) {
            de->refusals[i].count++;
            return;
        }
    }
    if (de->n_refusals == DETECT_REFUSAL_REASONS_MAX) {
        de->n_refusals_other++;
        return;
    }
    DetectRefusal *r = &de->refusals[de->n_refusals++];
    snprintf(r->reason, sizeof(r->reason), "%.*s", (int)sizeof(r->reason) - 1, why);
    r->count = 1;
}

/* A rule that did not load: an unsupported feature is an expected refusal
 * (one line at info, -v, and a count in the summary); anything else is a
 * broken rule the operator must see. */
static void report_bad_rule(DetectEngine *de, int rc, const char *file, int line, uint32_t sid,
                            const char *err, const char *text)
{
    de->failed++;
    keep_failed(de, file, line, sid, rc == VG_EUNSUPPORTED, err, text);
    char where[32] = "";
    if (sid != 0) {
        snprintf(where, sizeof(where), "sid %u: ", sid);
    }
    if (rc == VG_EUNSUPPORTED) {
        de->unsupported++;
        count_refusal(de, err);
        VG_INFO("%s:%d: %s%s", file, line, where, err);
    } else {
        VG_WARN("%s:%d: %s%s", file, line, where, err);
    }
    if (de->on_bad_rule != NULL) {
        de->on_bad_rule(de->on_bad_rule_ctx, file, line, sid, err);
    }
}

static int load_rule(DetectEngine *de, const char *text, const char *file, int line)
{
    char err[DETECT_ERR_MAX];
    Signature *s = NULL;
    int rc = detect_parse_rule(de, text, file, line, &s, err, sizeof(err));
    if (rc != 0) {
        report_bad_rule(de, rc, file, line, detect_parse_scan_sid(text), err, text);
        return rc;
    }
    if (s == NULL) {
        de->skipped++;
        uint32_t sid = detect_parse_scan_sid(text);
        VG_INFO("%s:%d: sid %u: skipped: %s", file, line, sid, err);
        return 0;
    }
    if (de->keep_rule_text && (s->text = detect_strndup(text, strlen(text))) == NULL) {
        detect_sig_free(s);
        return VG_ENOMEM;
    }
    if (s->fw != NULL) {
        return detect_fw_add_sig(de, s);
    }
    return add_sig(de, s);
}

/* Appends len bytes to the rule being collected in *buf. */
static int rule_append(char **buf, size_t *cap, size_t *n, const char *p, size_t len)
{
    if (*n + len + 1 > *cap) {
        size_t ncap = (*n + len + 1) * 2;
        char *nb = realloc(*buf, ncap);
        if (nb == NULL) {
            return VG_ENOMEM;
        }
        *buf = nb;
        *cap = ncap;
    }
    memcpy(*buf + *n, p, len);
    *n += len;
    (*buf)[*n] = '\0';
    return 0;
}

/* One logical rule: its physical lines joined (a line ending in a backslash
 * continues on the next). *bad_line gets the first line holding binary
 * content (0 when none). */
static int collect_rule(UtilLines *it, char **buf, size_t *cap, size_t *n, int *bad_line)
{
    const char *l;
    size_t len;
    *n = 0;
    (*buf)[0] = '\0';
    *bad_line = 0;
    while (util_lines_next(it, &l, &len)) {
        if (*bad_line == 0 && util_text_has_binary(l, len, NULL)) {
            *bad_line = it->line;
        }
        while (len > 0 && (l[len - 1] == ' ' || l[len - 1] == '\t')) {
            len--;
        }
        bool more = len > 0 && l[len - 1] == '\\';
        if (rule_append(buf, cap, n, l, more ? len - 1 : len) != 0) {
            return VG_ENOMEM;
        }
        if (!more) {
            break;
        }
    }
    return 0;
}

int detect_engine_load_buffer(DetectEngine *de, const char *rules, size_t rules_len,
                              const char *name)
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
    UtilLines it;
    util_lines_init(&it, rules, rules_len);
    int rc = 0;
    while (rc == 0 && it.p < it.end) {
        int first_line = it.line + 1;
        size_t n = 0;
        int bad_line = 0;
        rc = collect_rule(&it, &buf, &cap, &n, &bad_line);
        const char *r = buf;
        while (*r == ' ' || *r == '\t') {
            r++;
        }
        if (rc != 0 || *r == '\0' || *r == '#') {
            continue;
        }
        if (bad_line != 0) {
            /* Binary bytes (a NUL above all) are no part of any rule: the
             * rule is refused whole, and reading goes on after it. */
            report_bad_rule(de, VG_EINVAL, file, bad_line, detect_parse_scan_sid(r),
                            "binary content (a NUL or control byte) in the rule text", NULL);
            continue;
        }
        rc = load_rule(de, r, file, first_line) == VG_ENOMEM ? VG_ENOMEM : 0;
    }
    free(buf);
    return rc != 0 ? rc : (int)(de->failed - failed_before);
}

int detect_engine_load_string(DetectEngine *de, const char *rules, const char *name)
{
    return detect_engine_load_buffer(de, rules, rules ? strlen(rules) : 0, name);
}

int detect_engine_load_file(DetectEngine *de, const char *path)
{
    size_t max_bytes = de->file_max_bytes != 0 ? de->file_max_bytes : DETECT_FILE_MAX;
    int err;
    size_t len = 0;
    char *text = util_file_read(path, max_bytes, &len, &err);
    if (text == NULL) {
        if (err == EFBIG) {
            VG_ERROR("%s: rule file larger than the limit of %zu bytes "
                     "(detect.rule-file-max-size)", path, max_bytes);
        } else {
            VG_ERROR("%s: can't read rule file: %s", path, strerror(err));
        }
        return VG_EIO;
    }
    int rc = detect_engine_load_buffer(de, text, len, path);
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
    detect_trim_span(&name, &nlen);
    detect_trim_span(&msg, &mlen);
    detect_trim_span(&pr, &plen);
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

/* Whether a line of a classification or threshold file holds binary bytes:
 * warned about (naming the file and line) and skipped. */
bool detect_aux_line_is_binary(const char *l, size_t len, const char *name, int line,
                               const char *what)
{
    if (!util_text_has_binary(l, len, NULL)) {
        return false;
    }
    VG_WARN("%s:%d: binary content (a NUL or control byte) in %s line; skipping it", name,
            line, what);
    return true;
}

int detect_engine_load_classification_buffer(DetectEngine *de, const char *text, size_t text_len,
                                             const char *name)
{
    int bad = 0;
    UtilLines it;
    util_lines_init(&it, text, text_len);
    const char *l;
    size_t len;
    while (util_lines_next(&it, &l, &len)) {
        detect_trim_span(&l, &len);
        if (len == 0 || l[0] == '#') {
            continue;
        }
        if (detect_aux_line_is_binary(l, len, name, it.line, "a classification")) {
            bad++;
            continue;
        }
        int rc = class_line(de, l, len);
        if (rc == VG_ENOMEM) {
            return rc;
        }
        if (rc != 0) {
            VG_WARN("%s:%d: bad classification line; skipping it", name, it.line);
            bad++;
        }
    }
    return bad;
}

static int add_refsys(DetectEngine *de, const char *name, size_t nlen, const char *url,
                      size_t ulen)
{
    char *nm = detect_strndup(name, nlen);
    char *u = detect_strndup(url, ulen);
    if (nm == NULL || u == NULL) {
        free(nm);
        free(u);
        return VG_ENOMEM;
    }
    for (size_t i = 0; i < de->n_refsys; i++) {
        if (strcmp(de->refsys[i].name, nm) == 0) {
            free(de->refsys[i].url);
            free(nm);
            de->refsys[i].url = u;
            return 0;
        }
    }
    DetectRefSys *r = realloc(de->refsys, (de->n_refsys + 1) * sizeof(*r));
    if (r == NULL) {
        free(nm);
        free(u);
        return VG_ENOMEM;
    }
    de->refsys = r;
    r[de->n_refsys++] = (DetectRefSys){ nm, u };
    return 0;
}

/* "config reference: system url-prefix" */
static int reference_line(DetectEngine *de, const char *p, size_t len)
{
    static const char prefix[] = "config reference:";
    if (len < sizeof(prefix) - 1 || strncmp(p, prefix, sizeof(prefix) - 1) != 0) {
        return VG_EINVAL;
    }
    p += sizeof(prefix) - 1;
    len -= sizeof(prefix) - 1;
    detect_trim_span(&p, &len);
    size_t nlen = 0;
    while (nlen < len && p[nlen] != ' ' && p[nlen] != '\t') {
        nlen++;
    }
    const char *url = p + nlen;
    size_t ulen = len - nlen;
    detect_trim_span(&url, &ulen);
    if (nlen == 0 || ulen == 0 || memchr(url, ' ', ulen) != NULL) {
        return VG_EINVAL;
    }
    return add_refsys(de, p, nlen, url, ulen);
}

int detect_engine_load_reference_buffer(DetectEngine *de, const char *text, size_t text_len,
                                        const char *name)
{
    int bad = 0;
    UtilLines it;
    util_lines_init(&it, text, text_len);
    const char *l;
    size_t len;
    while (util_lines_next(&it, &l, &len)) {
        detect_trim_span(&l, &len);
        if (len == 0 || l[0] == '#') {
            continue;
        }
        if (detect_aux_line_is_binary(l, len, name, it.line, "a reference.config")) {
            bad++;
            continue;
        }
        int rc = reference_line(de, l, len);
        if (rc == VG_ENOMEM) {
            return rc;
        }
        if (rc != 0) {
            VG_WARN("%s:%d: bad reference.config line (config reference: SYSTEM URL); "
                    "skipping it", name, it.line);
            bad++;
        }
    }
    return bad;
}

int detect_engine_load_classification_string(DetectEngine *de, const char *text,
                                             const char *name)
{
    return detect_engine_load_classification_buffer(de, text, strlen(text), name);
}
