/* Building an engine from the configuration: variables, classification,
 * threshold and reference files, rule files (default-rule-path + rule-files,
 * or -S/-s), mpm-algo, action-order, packet-alert-max,
 * detect.rule-file-max-size. Start-up and rule reload (one thread at a time). */

#include <errno.h>
#include <glob.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "detect/detect-internal.h"
#include "util/util-error.h"
#include "util/util-file.h"
#include "util/util-log.h"

static void load_vars(DetectEngine *de, const Conf *conf)
{
    static const char *const groups[] = { "vars.address-groups", "vars.port-groups" };
    for (int g = 0; g < 2; g++) {
        const ConfNode *n = conf_get_node(conf, NULL, groups[g]);
        for (const ConfNode *c = n ? n->first_child : NULL; c != NULL; c = c->next) {
            if (c->value != NULL && detect_vars_set(&de->vars, c->name, c->value, g == 1) != 0) {
                VG_WARN("%s:%d: can't store variable %s", c->file, c->line, c->name);
            }
        }
    }
}

enum { AUX_CLASSIFICATION, AUX_THRESHOLD, AUX_REFERENCE };

static void load_aux_file(DetectEngine *de, const char *path, int kind)
{
    static const char *const whats[] = { "classification", "threshold", "reference" };
    const char *what = whats[kind];
    int err;
    size_t len = 0;
    char *text = util_file_read(path, DETECT_FILE_MAX, &len, &err);
    if (text == NULL && err == EFBIG) {
        VG_WARN("%s: %s file larger than the limit of %zu bytes; not loading it", path, what,
                DETECT_FILE_MAX);
        return;
    }
    if (text == NULL) {
        VG_WARN("%s: can't read %s file: %s", path, what, strerror(err));
        return;
    }
    if (kind == AUX_THRESHOLD) {
        (void)detect_engine_load_threshold_buffer(de, text, len, path);
    } else if (kind == AUX_REFERENCE) {
        (void)detect_engine_load_reference_buffer(de, text, len, path);
    } else {
        (void)detect_engine_load_classification_buffer(de, text, len, path);
    }
    free(text);
}

static bool has_glob_chars(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

/* Loads path, or every file its pattern matches (sorted, as glob(3) gives
 * them). A pattern matching nothing, and a file that cannot be read, are
 * errors: counted in de->n_files_failed and logged. */
static void load_rule_file(DetectEngine *de, const char *path)
{
    if (!has_glob_chars(path) || access(path, F_OK) == 0) {
        if (detect_engine_load_file(de, path) == VG_EIO) {
            de->n_files_failed++;
        }
        return;
    }
    glob_t g;
    int rc = glob(path, GLOB_ERR, NULL, &g);
    if (rc == GLOB_NOMATCH) {
        VG_ERROR("%s: rule file pattern matches no file", path);
        de->n_files_failed++;
        return;
    }
    if (rc != 0) {
        VG_ERROR("%s: can't expand rule file pattern: %s", path,
                 rc == GLOB_NOSPACE ? "out of memory" : "read error");
        de->n_files_failed++;
        globfree(&g);
        return;
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        if (detect_engine_load_file(de, g.gl_pathv[i]) == VG_EIO) {
            de->n_files_failed++;
        }
    }
    globfree(&g);
}

static void load_rule_path(DetectEngine *de, const char *dir, const char *file)
{
    char path[8192];
    int n;
    if (file[0] == '/' || dir == NULL || dir[0] == '\0') {
        n = snprintf(path, sizeof(path), "%s", file);
    } else {
        n = snprintf(path, sizeof(path), "%s/%s", dir, file);
    }
    if (n < 0 || (size_t)n >= sizeof(path)) {
        VG_ERROR("rule file path too long: %s/%s", dir ? dir : "", file);
        de->n_files_failed++;
        return;
    }
    load_rule_file(de, path);
}

/* rule-files: a list of file names (or patterns); a single scalar is taken
 * as a list of one. */
static void load_configured_rules(DetectEngine *de, const Conf *conf)
{
    /* Relative paths in the config are relative to the file that set them. */
    char dir_buf[4096];
    const char *dir = NULL;
    if (conf_get_path(conf, "default-rule-path", dir_buf, sizeof(dir_buf))) {
        dir = dir_buf;
    }
    const ConfNode *files = conf_get_node(conf, NULL, "rule-files");
    if (files != NULL && files->value != NULL) {
        load_rule_path(de, dir, files->value);
        return;
    }
    for (const ConfNode *c = files ? files->first_child : NULL; c != NULL; c = c->next) {
        if (c->value != NULL) {
            load_rule_path(de, dir, c->value);
        } else {
            VG_ERROR("%s:%d: rule-files: an entry is not a file name", c->file, c->line);
            de->n_files_failed++;
        }
    }
}

static void load_rules(DetectEngine *de, const Conf *conf, const DetectLoadOptions *opts)
{
    if (opts != NULL && opts->n_exclusive > 0) {
        for (size_t i = 0; i < opts->n_exclusive; i++) {
            load_rule_file(de, opts->exclusive_files[i]);
        }
    } else if (conf != NULL) {
        load_configured_rules(de, conf);
    }
    for (size_t i = 0; opts != NULL && i < opts->n_extra; i++) {
        load_rule_file(de, opts->extra_files[i]);
    }
}

/* Firewall mode: on with --firewall-rules-exclusive, firewall-rule-files or
 * `firewall.enabled`; its rules load first, from their own files
 * (firewall-rule-path + firewall-rule-files, or the command line's file). */
static int load_firewall(DetectEngine *de, const Conf *conf, const DetectLoadOptions *opts)
{
    const char *only = opts != NULL ? opts->firewall_exclusive : NULL;
    const ConfNode *files = conf != NULL ? conf_get_node(conf, NULL, "firewall-rule-files")
                                         : NULL;
    if (only == NULL && files == NULL && !detect_fw_enabled_by_conf(conf)) {
        return 0;
    }
    int rc = detect_fw_init(de, conf);
    if (rc != 0) {
        VG_ERROR("firewall: bad policies (see above)");
        return rc;
    }
    detect_fw_set_loading(de, true);
    if (only != NULL) {
        load_rule_file(de, only);
    } else if (files != NULL) {
        char dir_buf[4096];
        const char *dir = NULL;
        if (conf_get_path(conf, "firewall-rule-path", dir_buf, sizeof(dir_buf))) {
            dir = dir_buf;
        }
        if (files->value != NULL) {
            load_rule_path(de, dir, files->value);
        }
        for (const ConfNode *c = files->first_child; c != NULL; c = c->next) {
            if (c->value != NULL) {
                load_rule_path(de, dir, c->value);
            }
        }
    }
    detect_fw_set_loading(de, false);
    return 0;
}

/* The refusals of unsupported rules, by reason, most frequent first: one
 * line in all, then one per reason (the per-rule lines are at info, -v). */
static void log_refusal_summary(const DetectEngine *de)
{
    if (de->unsupported == 0) {
        return;
    }
    VG_NOTICE("%u rules refused as unsupported (per rule with -v), by reason:", de->unsupported);
    bool done[DETECT_REFUSAL_REASONS_MAX] = { false };
    for (size_t k = 0; k < de->n_refusals; k++) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < de->n_refusals; i++) {
            if (!done[i] && (best == SIZE_MAX || de->refusals[i].count > de->refusals[best].count ||
                             (de->refusals[i].count == de->refusals[best].count &&
                              strcmp(de->refusals[i].reason, de->refusals[best].reason) < 0))) {
                best = i;
            }
        }
        done[best] = true;
        VG_NOTICE("  %6u  %s", de->refusals[best].count, de->refusals[best].reason);
    }
    if (de->n_refusals_other > 0) {
        VG_NOTICE("  %6u  other reasons", de->n_refusals_other);
    }
}

/* datasets: the rule file options and the sets defined in the config
 * (datasets.NAME.{type,load,save,state,memcap,hashsize}; files relative to
 * the config file). A set that exists already (a reload) is kept as it is. */
static int load_dataset_settings(DetectEngine *de, const Conf *conf)
{
    bool bad = false;
    de->ds_allow_absolute =
        conf_bool_or(conf, "datasets.rules.allow-absolute-filenames", false, &bad);
    de->ds_allow_write = conf_bool_or(conf, "datasets.rules.allow-write", true, &bad);
    if (!conf_get_path(conf, "data-dir", de->ds_data_dir, sizeof(de->ds_data_dir))) {
        de->ds_data_dir[0] = '\0';
    }
    uint64_t dflt_memcap = conf_size_or(conf, "datasets.defaults.memcap", 0, &bad);
    int64_t dflt_hash = conf_int_or(conf, "datasets.defaults.hashsize", 0, &bad);
    if (bad || dflt_hash < 0 || dflt_hash > (1 << 24)) {
        VG_ERROR("datasets: bad value in rules or defaults (see above)");
        return VG_EINVAL;
    }
    const ConfNode *sets = conf_get_node(conf, NULL, "datasets");
    for (const ConfNode *c = sets != NULL ? sets->first_child : NULL; c != NULL; c = c->next) {
        if (strcmp(c->name, "rules") == 0 || strcmp(c->name, "defaults") == 0 ||
            c->type != CONF_MAP) {
            continue;
        }
        char key[256];
        char load[4096];
        char save[4096];
        char state[4096];
        DetectDatasetSpec spec = {.name = c->name, .memcap = dflt_memcap,
                                  .hashsize = (uint32_t)dflt_hash};
        snprintf(key, sizeof(key), "datasets.%s.type", c->name);
        const char *type = conf_str_or(conf, key, NULL);
        if (type == NULL || !detect_dataset_type_parse(type, &spec.type)) {
            VG_ERROR("%s:%d: dataset %s: type must be string, md5, sha256, ipv4 or ip",
                     c->file, c->line, c->name);
            return VG_EINVAL;
        }
        spec.has_type = true;
        snprintf(key, sizeof(key), "datasets.%s.load", c->name);
        spec.load_path = conf_get_path(conf, key, load, sizeof(load)) ? load : NULL;
        snprintf(key, sizeof(key), "datasets.%s.save", c->name);
        spec.save_path = conf_get_path(conf, key, save, sizeof(save)) ? save : NULL;
        snprintf(key, sizeof(key), "datasets.%s.state", c->name);
        spec.state_path = conf_get_path(conf, key, state, sizeof(state)) ? state : NULL;
        snprintf(key, sizeof(key), "datasets.%s.memcap", c->name);
        spec.memcap = conf_size_or(conf, key, spec.memcap, &bad);
        snprintf(key, sizeof(key), "datasets.%s.hashsize", c->name);
        int64_t hs = conf_int_or(conf, key, spec.hashsize, &bad);
        if (bad || hs < 0 || hs > (1 << 24)) {
            VG_ERROR("%s:%d: dataset %s: bad memcap or hashsize", c->file, c->line, c->name);
            return VG_EINVAL;
        }
        spec.hashsize = (uint32_t)hs;
        Dataset *ds;
        char err[200];
        if (detect_dataset_get(&spec, &ds, err, sizeof(err)) != 0) {
            VG_ERROR("%s:%d: %s", c->file, c->line, err);
            return VG_EINVAL;
        }
    }
    return 0;
}

static int apply_settings(DetectEngine *de, const Conf *conf)
{
    bool bad = false;
    if (load_dataset_settings(de, conf) != 0 || detect_iprep_load(conf, &de->iprep) != 0) {
        return VG_EINVAL;
    }
    const char *algo = conf_str_or(conf, "mpm-algo", "auto");
    if (strcmp(algo, "ac") == 0) {
        de->mpm_algo = DETECT_MPM_AC;
    } else if (strcmp(algo, "hs") == 0) {
        de->mpm_algo = DETECT_MPM_HS;
    } else if (strcmp(algo, "auto") != 0) {
        VG_ERROR("mpm-algo: unknown value '%s' (hs, ac or auto)", algo);
        return VG_EINVAL;
    }
    int64_t max = conf_int_or(conf, "packet-alert-max", DETECT_ALERTS_MAX, &bad);
    if (bad || max < 1 || max > DETECT_ALERTS_MAX) {
        VG_ERROR("packet-alert-max: must be 1-%d", DETECT_ALERTS_MAX);
        return VG_EINVAL;
    }
    de->alerts_max = (uint16_t)max;
    uint64_t file_max = conf_size_or(conf, "detect.rule-file-max-size", DETECT_FILE_MAX, &bad);
    if (bad || file_max < 1 || file_max > SIZE_MAX / 2) {
        VG_ERROR("detect.rule-file-max-size: must be a size of at least 1 byte");
        return VG_EINVAL;
    }
    de->file_max_bytes = (size_t)file_max;
    if (conf_bool_or(conf, "detect.guess-applayer-tx", false, &bad)) {
        de->guess_tx |= DETECT_GUESS_F_GUESS;
    }
    if (bad) {
        VG_ERROR("detect.guess-applayer-tx: must be a boolean");
        return VG_EINVAL;
    }
    int64_t log_limit = conf_int_or(conf, "detect.stream-tx-log-limit", 4, &bad);
    if (bad || log_limit < 0 || log_limit > UINT8_MAX) {
        VG_ERROR("detect.stream-tx-log-limit: must be 0-%d", UINT8_MAX);
        return VG_EINVAL;
    }
    de->stream_tx_log_limit = (uint8_t)log_limit;
    const ConfNode *order = conf_get_node(conf, NULL, "action-order");
    int rank = 0;
    for (const ConfNode *c = order ? order->first_child : NULL; c != NULL; c = c->next, rank++) {
        const char *v = c->value ? c->value : "";
        if (strcmp(v, "pass") == 0) {
            de->action_rank[DETECT_ACTION_PASS] = rank;
        } else if (strcmp(v, "drop") == 0) {
            de->action_rank[DETECT_ACTION_DROP] = rank;
        } else if (strcmp(v, "reject") == 0) {
            de->action_rank[DETECT_ACTION_REJECT] = rank;
            de->action_rank[DETECT_ACTION_REJECT_DST] = rank;
            de->action_rank[DETECT_ACTION_REJECT_BOTH] = rank;
        } else if (strcmp(v, "alert") == 0) {
            de->action_rank[DETECT_ACTION_ALERT] = rank;
        } else {
            VG_ERROR("%s:%d: action-order: unknown action '%s'", c->file, c->line, v);
            return VG_EINVAL;
        }
    }
    return 0;
}

/* A file shipped beside the configuration (classification.config,
 * reference.config) when the configuration names none: the one in the
 * configuration's directory (where make install puts them), else the
 * source tree's etc/. */
static const char *bundled_file(const Conf *conf, const char *name, char *buf, size_t len)
{
    const char *main = conf != NULL ? conf_main_file(conf) : NULL;
    if (main != NULL) {
        const char *slash = strrchr(main, '/');
        int dir_len = slash != NULL ? (int)(slash - main) : 1;
        int n = snprintf(buf, len, "%.*s/%s", dir_len, slash != NULL ? main : ".", name);
        if (n > 0 && (size_t)n < len && access(buf, R_OK) == 0) {
            return buf;
        }
    }
    (void)snprintf(buf, len, "%s/etc/%s", VG_SOURCE_DIR, name);
    return buf;
}

DetectEngine *detect_engine_new(const Conf *conf, const DetectLoadOptions *opts)
{
    DetectEngine *de = detect_engine_new_empty();
    if (de == NULL) {
        VG_ERROR("detection: out of memory");
        return NULL;
    }
    de->keep_rule_text = opts != NULL && opts->keep_rule_text;
    de->keep_references = opts != NULL && opts->keep_references;
    if (conf != NULL) {
        load_vars(de, conf);
        if (apply_settings(de, conf) != 0) {
            detect_engine_free(de);
            return NULL;
        }
    }
    char cls[4096];
    char thr[4096];
    char ref[4096];
    bool have_cls = conf != NULL && conf_get_path(conf, "classification-file", cls, sizeof(cls));
    if (!have_cls) {
        (void)bundled_file(conf, "classification.config", cls, sizeof(cls));
    }
    load_aux_file(de, cls, AUX_CLASSIFICATION);
    if (conf != NULL && conf_get_path(conf, "threshold-file", thr, sizeof(thr))) {
        load_aux_file(de, thr, AUX_THRESHOLD);
    }
    bool have_ref = conf != NULL && conf_get_path(conf, "reference-config-file", ref, sizeof(ref));
    if (have_ref || de->keep_references) {
        /* the bundled file when an output writes references and none is set */
        if (!have_ref) {
            (void)bundled_file(conf, "reference.config", ref, sizeof(ref));
        }
        load_aux_file(de, ref, AUX_REFERENCE);
    }
    if (load_firewall(de, conf, opts) != 0) {
        detect_engine_free(de);
        return NULL;
    }
    load_rules(de, conf, opts);
    log_refusal_summary(de);
    VG_NOTICE("%u rules successfully loaded, %u rules failed", de->loaded, de->failed);
    if (de->skipped > 0) {
        VG_NOTICE("%u rules skipped: their requires option is not met (per rule with -v)",
                  de->skipped);
    }
    if (de->n_conflicts > 0) {
        VG_ERROR("%u rule(s) need what the configuration turns off (see above): change the "
                 "configuration or remove the rules", de->n_conflicts);
        detect_engine_free(de);
        return NULL;
    }
    if (de->n_files_failed > 0) {
        VG_ERROR("%u rule file(s) could not be loaded (see above)", de->n_files_failed);
        detect_engine_free(de);
        return NULL;
    }
    if (detect_engine_build(de) != 0) {
        detect_engine_free(de);
        return NULL;
    }
    /* Parsing and building free far more than they keep (rule text, parse
     * temporaries, Hyperscan's compile state: millions of small blocks);
     * hand the free pages back to the kernel instead of keeping them resident
     * for the whole run. */
    malloc_trim(0);
    VG_INFO("detection: %u rule groups, %u rules without fast pattern, %u IP-only rules",
            de->n_groups, de->n_nofp_total, de->n_iponly);
    return de;
}
