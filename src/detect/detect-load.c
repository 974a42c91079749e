/* Building an engine from the configuration: variables, classification and
 * threshold files, rule files (default-rule-path + rule-files, or -S/-s),
 * mpm-algo, action-order, packet-alert-max. Start-up only (main thread). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void load_aux_file(DetectEngine *de, const char *path, bool is_threshold)
{
    int err;
    char *text = util_file_read(path, DETECT_FILE_MAX, NULL, &err);
    if (text == NULL) {
        VG_WARN("%s: can't read %s file: %s", path, is_threshold ? "threshold" :
                "classification", strerror(err));
        return;
    }
    if (is_threshold) {
        (void)detect_engine_load_threshold_string(de, text, path);
    } else {
        (void)detect_engine_load_classification_string(de, text, path);
    }
    free(text);
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
        VG_WARN("rule file path too long: %s/%s; skipping it", dir ? dir : "", file);
        return;
    }
    (void)detect_engine_load_file(de, path);
}

static void load_rules(DetectEngine *de, const Conf *conf, const DetectLoadOptions *opts)
{
    if (opts != NULL && opts->exclusive_file != NULL) {
        (void)detect_engine_load_file(de, opts->exclusive_file);
        return;
    }
    /* Relative paths in the config are relative to the file that set them. */
    char dir_buf[4096];
    const char *dir = NULL;
    if (conf != NULL && conf_get_path(conf, "default-rule-path", dir_buf, sizeof(dir_buf))) {
        dir = dir_buf;
    }
    const ConfNode *files = conf ? conf_get_node(conf, NULL, "rule-files") : NULL;
    for (const ConfNode *c = files ? files->first_child : NULL; c != NULL; c = c->next) {
        if (c->value != NULL) {
            load_rule_path(de, dir, c->value);
        }
    }
    for (size_t i = 0; opts != NULL && i < opts->n_extra; i++) {
        (void)detect_engine_load_file(de, opts->extra_files[i]);
    }
}

static int apply_settings(DetectEngine *de, const Conf *conf)
{
    bool bad = false;
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

DetectEngine *detect_engine_new(const Conf *conf, const DetectLoadOptions *opts)
{
    DetectEngine *de = detect_engine_new_empty();
    if (de == NULL) {
        VG_ERROR("detection: out of memory");
        return NULL;
    }
    if (conf != NULL) {
        load_vars(de, conf);
        if (apply_settings(de, conf) != 0) {
            detect_engine_free(de);
            return NULL;
        }
    }
    char cls[4096];
    char thr[4096];
    bool have_cls = conf != NULL && conf_get_path(conf, "classification-file", cls, sizeof(cls));
    load_aux_file(de, have_cls ? cls : VG_SOURCE_DIR "/etc/classification.config", false);
    if (conf != NULL && conf_get_path(conf, "threshold-file", thr, sizeof(thr))) {
        load_aux_file(de, thr, true);
    }
    if (conf != NULL || opts != NULL) {
        load_rules(de, conf, opts);
    }
    VG_NOTICE("%u rules successfully loaded, %u rules failed", de->loaded, de->failed);
    if (detect_engine_build(de) != 0) {
        detect_engine_free(de);
        return NULL;
    }
    VG_INFO("detection: %u rule groups, %u rules without fast pattern, %u IP-only rules",
            de->n_groups, de->n_nofp_total, de->n_iponly);
    return de;
}
