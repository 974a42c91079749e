/* The logging: section: where engine messages go besides stderr. */
#include "engine-logging.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

static const char *where(const ConfNode *n)
{
    return n != NULL && n->file != NULL ? n->file : "--set";
}

/* level: of an output, else dflt; false (message logged) when malformed. */
static bool output_level(const ConfNode *out, LogLevel dflt, LogLevel *level)
{
    const ConfNode *lv = conf_node_child(out, "level");
    *level = dflt;
    if (lv == NULL) {
        return true;
    }
    if (lv->value == NULL || !util_log_level_parse(lv->value, level)) {
        VG_ERROR("%s:%d: logging: level: '%s' is not a log level (error, warning, notice, "
                 "info, config, debug)",
                 where(lv), lv->line, lv->value ? lv->value : "");
        return false;
    }
    return true;
}

/* type: json or regular (default); false when malformed. */
static bool output_json(const ConfNode *out, bool *json)
{
    const ConfNode *t = conf_node_child(out, "type");
    *json = false;
    if (t == NULL) {
        return true;
    }
    if (t->value != NULL && strcmp(t->value, "json") == 0) {
        *json = true;
        return true;
    }
    if (t->value != NULL && (strcmp(t->value, "regular") == 0 || strcmp(t->value, "file") == 0)) {
        return true;
    }
    VG_ERROR("%s:%d: logging: type: '%s' is not json or regular", where(t), t->line,
             t->value ? t->value : "");
    return false;
}

static bool output_enabled(const ConfNode *out)
{
    const ConfNode *en = conf_node_child(out, "enabled");
    bool on = true;
    if (en != NULL && (en->value == NULL || !conf_parse_bool(en->value, &on))) {
        VG_WARN("%s:%d: logging: enabled: '%s' is not yes or no; taken as yes", where(en),
                en->line, en->value ? en->value : "");
        on = true;
    }
    return on;
}

static bool facility_parse(const char *name, int *out)
{
    static const struct {
        const char *name;
        int facility;
    } f[] = {
        {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
        {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
        {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7}, {"user", LOG_USER},
        {"daemon", LOG_DAEMON},
    };
    for (size_t i = 0; name != NULL && i < sizeof(f) / sizeof(f[0]); i++) {
        if (strcmp(name, f[i].name) == 0) {
            *out = f[i].facility;
            return true;
        }
    }
    return false;
}

int engine_logging_setup(const struct Conf *conf, int verbose, const char *log_dir)
{
    LogLevel base = LOG_LEVEL_NOTICE;
    const ConfNode *dl = conf_get_node(conf, NULL, "logging.default-log-level");
    if (dl != NULL && (dl->value == NULL || !util_log_level_parse(dl->value, &base))) {
        VG_ERROR("%s:%d: logging.default-log-level: '%s' is not a log level (error, warning, "
                 "notice, info, config, debug)",
                 where(dl), dl->line, dl->value ? dl->value : "");
        return VG_EINVAL;
    }
    /* -v raises the console's level one step a time; --quiet shows warnings
     * and errors only. */
    LogLevel console = base;
    if (verbose < 0) {
        console = LOG_LEVEL_WARNING;
    } else {
        int v = (int)base + verbose;
        console = (LogLevel)(v > (int)LOG_LEVEL_DEBUG ? (int)LOG_LEVEL_DEBUG : v);
    }
    util_log_set_level(console);
    const ConfNode *outs = conf_get_node(conf, NULL, "logging.outputs");
    bool ok = true;
    for (const ConfNode *it = outs != NULL ? outs->first_child : NULL; it; it = it->next) {
        /* each item is a map of one key: console, file or syslog */
        const ConfNode *out = it->first_child;
        if (out == NULL || out->name == NULL) {
            continue;
        }
        if (!output_enabled(out)) {
            /* its keys are read (not reported as unused), not applied */
            for (const ConfNode *k = out->first_child; k != NULL; k = k->next) {
                (void)conf_node_child(out, k->name);
            }
            if (strcmp(out->name, "console") == 0) {
                util_log_set_level(LOG_LEVEL_ERROR);   // errors still reach the operator
            }
            continue;
        }
        bool json = false;
        LogLevel level = base;
        if (!output_json(out, &json) || !output_level(out, base, &level)) {
            ok = false;
            continue;
        }
        if (conf_node_child(out, "format") != NULL) {
            const ConfNode *fm = conf_node_child(out, "format");
            VG_WARN("%s:%d: logging: format: not supported; Vigil's own line format is used",
                    where(fm), fm->line);
        }
        if (strcmp(out->name, "console") == 0) {
            util_log_console_json(json);
        } else if (strcmp(out->name, "file") == 0) {
            const char *name = "vigil.log";
            const ConfNode *fn = conf_node_child(out, "filename");
            if (fn != NULL && fn->value != NULL && fn->value[0] != '\0') {
                name = fn->value;
            }
            char path[4096];
            int n = name[0] == '/' || log_dir == NULL
                        ? snprintf(path, sizeof(path), "%s", name)
                        : snprintf(path, sizeof(path), "%s/%s", log_dir, name);
            if (n < 0 || (size_t)n >= sizeof(path)) {
                VG_ERROR("logging: file: filename '%s' is too long", name);
                ok = false;
                continue;
            }
            util_log_file_configure(path, level, json);
        } else if (strcmp(out->name, "syslog") == 0) {
            int facility = LOG_LOCAL5;
            const ConfNode *fa = conf_node_child(out, "facility");
            if (fa != NULL && !facility_parse(fa->value, &facility)) {
                VG_ERROR("%s:%d: logging: syslog: facility: '%s' is not local0..local7, user "
                         "or daemon",
                         where(fa), fa->line, fa->value ? fa->value : "");
                ok = false;
                continue;
            }
            util_log_syslog_configure(facility, level, json);
        } else {
            VG_WARN("%s:%d: logging: output '%s' is unknown (console, file, syslog); ignored",
                    where(out), out->line, out->name);
        }
    }
    return ok ? 0 : VG_EINVAL;
}

int engine_logging_open(void)
{
    if (util_log_file_open() != 0) {
        /* As Suricata: the run goes on, its messages on the console. */
        char path[4096];
        snprintf(path, sizeof(path), "%s", util_log_file_path());
        int err = errno;
        util_log_file_configure(NULL, LOG_LEVEL_ERROR, false);
        VG_WARN("%s: cannot open the log file: %s; engine messages go to the console only",
                path, strerror(err));
    }
    return 0;
}

void engine_logging_finish(const char *log_dir)
{
    struct stat st;
    if (util_log_file_path() != NULL && log_dir != NULL && stat(log_dir, &st) == 0 &&
        S_ISDIR(st.st_mode)) {
        (void)util_log_file_open();
    }
    util_log_close();
}
