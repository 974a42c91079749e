/* Option tables: one generic loader for every module's settings, so that each
 * module states names, types, defaults and bounds as data and every problem is
 * reported the same way. Read-only on the tree, start-up only. */

#include "conf/conf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf-internal.h"
#include "util/util-error.h"
#include "util/util-log.h"

static bool is_bounded(const ConfOption *opt)
{
    return opt->min != 0 || opt->max != 0;
}

static int range_problem(const ConfOption *opt, const char *text, char *why, size_t why_len)
{
    snprintf(why, why_len, "'%s' is out of range (%" PRId64 " to %" PRId64 ")", text, opt->min,
             opt->max);
    return VG_ERANGE;
}

static int parse_int_opt(const ConfOption *opt, const char *text, void *field, char *why,
                         size_t why_len)
{
    int64_t v;
    int rc = conf_parse_int_ex(text, &v);
    if (rc != 0) {
        snprintf(why, why_len, "'%s' %s", text,
                 rc == VG_ERANGE ? "is out of range" : "is not an integer");
        return rc;
    }
    if (is_bounded(opt) && (v < opt->min || v > opt->max)) {
        return range_problem(opt, text, why, why_len);
    }
    memcpy(field, &v, sizeof(v));
    return 0;
}

static int parse_size_opt(const ConfOption *opt, const char *text, void *field, char *why,
                          size_t why_len)
{
    uint64_t v;
    int rc = conf_parse_size_ex(text, &v);
    if (rc != 0) {
        snprintf(why, why_len, "'%s' %s", text,
                 rc == VG_ERANGE ? "is too large" : "is not a size (like 64mb or 1gb)");
        return rc;
    }
    if (is_bounded(opt) && (v > (uint64_t)INT64_MAX || (int64_t)v < opt->min ||
                            (int64_t)v > opt->max)) {
        return range_problem(opt, text, why, why_len);
    }
    memcpy(field, &v, sizeof(v));
    return 0;
}

/* Parse text as opt's type into field (written only on success). */
int conf_option_parse(const ConfOption *opt, const char *text, void *field, char *why,
                     size_t why_len)
{
    switch (opt->type) {
    case CONF_OPT_BOOL: {
        bool v;
        if (!conf_parse_bool(text, &v)) {
            snprintf(why, why_len, "'%s' is not a boolean (use yes or no)", text);
            return VG_EINVAL;
        }
        memcpy(field, &v, sizeof(v));
        return 0;
    }
    case CONF_OPT_INT:
        return parse_int_opt(opt, text, field, why, why_len);
    case CONF_OPT_SIZE:
        return parse_size_opt(opt, text, field, why, why_len);
    case CONF_OPT_STR:
        memcpy(field, &text, sizeof(text));
        return 0;
    case CONF_OPT_ENUM:
        if (!conf_enum_has(opt->choices, text)) {
            snprintf(why, why_len, "'%s' is not one of %s", text,
                     opt->choices != NULL ? opt->choices : "(none)");
            return VG_EINVAL;
        }
        memcpy(field, &text, sizeof(text));
        return 0;
    case CONF_OPT_PORT:
    case CONF_OPT_PORTS:
    case CONF_OPT_LIST:
    case CONF_OPT_ANY:
        break;
    }
    snprintf(why, why_len, "option type %d cannot be loaded into a field", (int)opt->type);
    return VG_EINVAL;
}

bool conf_enum_has(const char *choices, const char *text)
{
    size_t len = strlen(text);
    for (const char *p = choices; p != NULL && *p != '\0';) {
        const char *bar = strchr(p, '|');
        size_t n = bar != NULL ? (size_t)(bar - p) : strlen(p);
        if (n == len && strncmp(p, text, n) == 0) {
            return true;
        }
        p = bar != NULL ? bar + 1 : NULL;
    }
    return false;
}

static int load_option(const Conf *conf, const char *prefix, const ConfOption *opt, void *out)
{
    char path[256];
    bool has_prefix = prefix != NULL && prefix[0] != '\0';
    int n = snprintf(path, sizeof(path), "%s%s%s", has_prefix ? prefix : "",
                     has_prefix ? "." : "", opt->name);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        VG_ERROR("option name too long: %s.%s", has_prefix ? prefix : "", opt->name);
        return VG_EINVAL;
    }
    void *field = (char *)out + opt->offset;
    char why[320];
    int rc = 0;
    const ConfNode *node = conf_get_node(conf, NULL, path);
    if (node != NULL && node->type != CONF_SCALAR) {
        conf_log_bad(node, path, "expected a single value, found %s",
                     node->type == CONF_MAP ? "a mapping" : "a list");
        rc = VG_EINVAL;
    } else if (node != NULL && node->value != NULL) {
        if (conf_option_parse(opt, node->value, field, why, sizeof(why)) == 0) {
            return 0;
        }
        conf_log_bad(node, path, "%s", why);
        rc = VG_EINVAL;
    }
    if (opt->dflt != NULL && conf_option_parse(opt, opt->dflt, field, why, sizeof(why)) != 0) {
        VG_ERROR("%s: the built-in default is wrong: %s", path, why);
        rc = VG_EINVAL;
    }
    return rc;
}

int conf_load_options(const Conf *conf, const char *prefix, const ConfOption *opts, size_t n_opts,
                      void *out)
{
    int rc = 0;
    for (size_t i = 0; i < n_opts; i++) {
        if (load_option(conf, prefix, &opts[i], out) != 0) {
            rc = VG_EINVAL;
        }
    }
    return rc;
}
