/* Typed reads of the tree and the parsers behind them. Read-only: any thread
 * may call these once start-up has finished writing the tree. */

#include "conf/conf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/conf-internal.h"
#include "util/util-error.h"
#include "util/util-log.h"

static const char *type_name(ConfNodeType type)
{
    switch (type) {
    case CONF_MAP:
        return "a mapping";
    case CONF_LIST:
        return "a list";
    default:
        return "a value";
    }
}

void conf_log_bad(const ConfNode *node, const char *path, const char *fmt, ...)
{
    char problem[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof(problem), fmt, ap);
    va_end(ap);
    const char *file = node->file != NULL ? node->file : "?";
    if (node->line > 0) {
        VG_ERROR("%s:%d: %s: %s", file, node->line, path, problem);
    } else {
        VG_ERROR("%s: %s: %s", file, path, problem);
    }
}

/* The scalar at path with a value; NULL when absent or null. A map or list
 * there is logged and flagged in *is_bad. */
static const ConfNode *get_scalar(const Conf *conf, const char *path, bool *is_bad)
{
    const ConfNode *node = conf_get_node(conf, NULL, path);
    if (node == NULL) {
        return NULL;
    }
    if (node->type != CONF_SCALAR) {
        conf_log_bad(node, path, "expected a single value, found %s", type_name(node->type));
        *is_bad = true;
        return NULL;
    }
    return node->value != NULL ? node : NULL;
}

/* ---- parsers ---- */

bool conf_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    if (s == NULL) {
        return false;
    }
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* Decimal digits at *s, advanced past them; VG_EINVAL without any digit,
 * VG_ERANGE when the number exceeds limit (the digits are still consumed). */
static int parse_digits(const char **s, uint64_t limit, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    bool is_over = false;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (is_over || v > (limit - d) / 10) {
            is_over = true;
            continue;
        }
        v = v * 10 + d;
    }
    if (p == *s) {
        return VG_EINVAL;
    }
    *s = p;
    *out = v;
    return is_over ? VG_ERANGE : 0;
}

int conf_parse_int_ex(const char *s, int64_t *out)
{
    if (s == NULL) {
        return VG_EINVAL;
    }
    bool is_neg = s[0] == '-';
    const char *p = s + (is_neg ? 1 : 0);
    uint64_t limit = is_neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v;
    int rc = parse_digits(&p, limit, &v);
    if (*p != '\0') {
        return VG_EINVAL;
    }
    if (rc != 0) {
        return rc;
    }
    if (!is_neg) {
        *out = (int64_t)v;
    } else if (v == (uint64_t)INT64_MAX + 1) {
        *out = INT64_MIN;
    } else {
        *out = -(int64_t)v;
    }
    return 0;
}

bool conf_parse_int(const char *s, int64_t *out)
{
    return conf_parse_int_ex(s, out) == 0;
}

static bool size_unit(const char *unit, uint64_t *mult)
{
    static const struct {
        const char *name;
        uint64_t mult;
    } units[] = {
        {"", 1},
        {"b", 1},
        {"k", 1ull << 10},
        {"kb", 1ull << 10},
        {"kib", 1ull << 10},
        {"m", 1ull << 20},
        {"mb", 1ull << 20},
        {"mib", 1ull << 20},
        {"g", 1ull << 30},
        {"gb", 1ull << 30},
        {"gib", 1ull << 30},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(unit, units[i].name) == 0) {
            *mult = units[i].mult;
            return true;
        }
    }
    return false;
}

int conf_parse_size_ex(const char *s, uint64_t *out)
{
    if (s == NULL) {
        return VG_EINVAL;
    }
    const char *p = s;
    uint64_t v;
    int rc = parse_digits(&p, UINT64_MAX, &v);
    if (rc == VG_EINVAL) {
        return rc;
    }
    while (*p == ' ') {
        p++;
    }
    uint64_t mult;
    if (!size_unit(p, &mult)) {
        return VG_EINVAL;
    }
    if (rc != 0 || v > UINT64_MAX / mult) {
        return VG_ERANGE;
    }
    *out = v * mult;
    return 0;
}

bool conf_parse_size(const char *s, uint64_t *out)
{
    return conf_parse_size_ex(s, out) == 0;
}

/* ---- getters ---- */

static bool get_str(const Conf *conf, const char *path, const char **out, bool *is_bad)
{
    const ConfNode *node = get_scalar(conf, path, is_bad);
    if (node == NULL) {
        return false;
    }
    *out = node->value;
    return true;
}

static bool get_bool(const Conf *conf, const char *path, bool *out, bool *is_bad)
{
    const ConfNode *node = get_scalar(conf, path, is_bad);
    if (node == NULL) {
        return false;
    }
    if (!conf_parse_bool(node->value, out)) {
        conf_log_bad(node, path, "'%s' is not a boolean (use yes or no)", node->value);
        *is_bad = true;
        return false;
    }
    return true;
}

static bool get_int(const Conf *conf, const char *path, int64_t *out, bool *is_bad)
{
    const ConfNode *node = get_scalar(conf, path, is_bad);
    if (node == NULL) {
        return false;
    }
    int rc = conf_parse_int_ex(node->value, out);
    if (rc != 0) {
        conf_log_bad(node, path, "'%s' %s", node->value,
                rc == VG_ERANGE ? "is out of range" : "is not an integer");
        *is_bad = true;
        return false;
    }
    return true;
}

static bool get_size(const Conf *conf, const char *path, uint64_t *out, bool *is_bad)
{
    const ConfNode *node = get_scalar(conf, path, is_bad);
    if (node == NULL) {
        return false;
    }
    int rc = conf_parse_size_ex(node->value, out);
    if (rc != 0) {
        conf_log_bad(node, path, "'%s' %s", node->value,
                rc == VG_ERANGE ? "is too large" : "is not a size (like 64mb or 1gb)");
        *is_bad = true;
        return false;
    }
    return true;
}

bool conf_get_str(const Conf *conf, const char *path, const char **out)
{
    bool is_bad = false;
    return get_str(conf, path, out, &is_bad);
}

bool conf_get_bool(const Conf *conf, const char *path, bool *out)
{
    bool is_bad = false;
    return get_bool(conf, path, out, &is_bad);
}

bool conf_get_int(const Conf *conf, const char *path, int64_t *out)
{
    bool is_bad = false;
    return get_int(conf, path, out, &is_bad);
}

bool conf_get_size(const Conf *conf, const char *path, uint64_t *out)
{
    bool is_bad = false;
    return get_size(conf, path, out, &is_bad);
}

const char *conf_str_or(const Conf *conf, const char *path, const char *dflt)
{
    const char *v = dflt;
    bool is_bad = false;
    get_str(conf, path, &v, &is_bad);
    return v;
}

bool conf_bool_or(const Conf *conf, const char *path, bool dflt, bool *bad)
{
    bool v = dflt;
    bool is_bad = false;
    if (!get_bool(conf, path, &v, &is_bad)) {
        v = dflt;
    }
    if (is_bad && bad != NULL) {
        *bad = true;
    }
    return v;
}

int64_t conf_int_or(const Conf *conf, const char *path, int64_t dflt, bool *bad)
{
    int64_t v = dflt;
    bool is_bad = false;
    if (!get_int(conf, path, &v, &is_bad)) {
        v = dflt;
    }
    if (is_bad && bad != NULL) {
        *bad = true;
    }
    return v;
}

uint64_t conf_size_or(const Conf *conf, const char *path, uint64_t dflt, bool *bad)
{
    uint64_t v = dflt;
    bool is_bad = false;
    if (!get_size(conf, path, &v, &is_bad)) {
        v = dflt;
    }
    if (is_bad && bad != NULL) {
        *bad = true;
    }
    return v;
}

bool conf_get_path(const Conf *conf, const char *path, char *buf, size_t buf_len)
{
    bool is_bad = false;
    const ConfNode *node = get_scalar(conf, path, &is_bad);
    if (node == NULL || buf_len == 0) {
        return false;
    }
    const char *v = node->value;
    const char *slash = node->file != NULL ? strrchr(node->file, '/') : NULL;
    int dir_len = v[0] == '/' || v[0] == '\0' || slash == NULL ? 0 : (int)(slash - node->file + 1);
    int n = snprintf(buf, buf_len, "%.*s%s", dir_len, dir_len > 0 ? node->file : "", v);
    if (n < 0 || (size_t)n >= buf_len) {
        conf_log_bad(node, path, "'%s' makes a path too long", v);
        buf[0] = '\0';
        return false;
    }
    return true;
}

/* ---- rule variables ---- */

static const char *group_var(const Conf *conf, const char *group, const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    if (name[0] == '$') {
        name++;
    }
    const ConfNode *node = conf_node_child(conf_get_node(conf, NULL, group), name);
    if (node == NULL || node->type != CONF_SCALAR) {
        return NULL;
    }
    return node->value;
}

const char *conf_address_var(const Conf *conf, const char *name)
{
    return group_var(conf, "vars.address-groups", name);
}

const char *conf_port_var(const Conf *conf, const char *name)
{
    return group_var(conf, "vars.port-groups", name);
}

/* ---- ports ---- */

/* Copy text without surrounding blanks and one pair of brackets. */
static void strip_port_text(const char *text, char *buf, size_t buf_len)
{
    while (*text == ' ' || *text == '\t') {
        text++;
    }
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t')) {
        n--;
    }
    if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
        text++;
        n -= 2;
    }
    if (n >= buf_len) {
        n = buf_len - 1;
    }
    memcpy(buf, text, n);
    buf[n] = '\0';
}

int conf_resolve_port(const Conf *conf, const char *text, uint16_t *out, char *why,
                      size_t why_len)
{
    char buf[128];
    strip_port_text(text, buf, sizeof(buf));
    /* Variables may name variables; 8 steps stop a loop. */
    for (int depth = 0; buf[0] == '$'; depth++) {
        const char *v = depth < 8 ? conf_port_var(conf, buf + 1) : NULL;
        if (v == NULL && depth >= 8) {
            snprintf(why, why_len, "'%s' is a loop of port variables", text);
            return VG_EINVAL;
        }
        if (v == NULL && depth == 0) {
            snprintf(why, why_len, "'%s' is not a variable of vars.port-groups", text);
            return VG_EINVAL;
        }
        if (v == NULL) {
            snprintf(why, why_len, "'%s' leads to '%s', which is not a variable of "
                     "vars.port-groups", text, buf);
            return VG_EINVAL;
        }
        strip_port_text(v, buf, sizeof(buf));
    }
    int64_t port;
    if (strchr(buf, ',') != NULL || strchr(buf, ':') != NULL) {
        snprintf(why, why_len, "'%s' is several ports ('%s'); only one is supported", text,
                 buf);
        return VG_EINVAL;
    }
    if (!conf_parse_int(buf, &port) || port < 1 || port > 65535) {
        snprintf(why, why_len, "'%s' is not a port (1-65535)", text);
        return VG_EINVAL;
    }
    *out = (uint16_t)port;
    return 0;
}

static int conf_resolve_ports_depth(const Conf *conf, const char *text, uint16_t *out,
                                    uint32_t *n, int depth, char *why, size_t why_len);

/* One element of a port list (text stripped): a number, or a variable whose value is
 * a port or a list of them, depth variables deep at most. */
static int ports_add(const Conf *conf, const char *text, uint16_t *out, uint32_t *n,
                     int depth, char *why, size_t why_len)
{
    char buf[128];
    strip_port_text(text, buf, sizeof(buf));
    if (buf[0] == '$') {
        const char *v = depth < 8 ? conf_port_var(conf, buf + 1) : NULL;
        if (v == NULL) {
            snprintf(why, why_len, depth < 8 ? "'%s' is not a variable of vars.port-groups"
                                             : "'%s' is a loop of port variables", buf);
            return VG_EINVAL;
        }
        return conf_resolve_ports_depth(conf, v, out, n, depth + 1, why, why_len);
    }
    int64_t port;
    if (strchr(buf, ':') != NULL) {
        snprintf(why, why_len, "'%s' is a range of ports; only single ports are supported", buf);
        return VG_EINVAL;
    }
    if (!conf_parse_int(buf, &port) || port < 1 || port > 65535) {
        snprintf(why, why_len, "'%s' is not a port (1-65535)", buf);
        return VG_EINVAL;
    }
    for (uint32_t i = 0; i < *n; i++) {
        if (out[i] == (uint16_t)port) {
            return 0;
        }
    }
    if (*n == CONF_PORTS_MAX) {
        snprintf(why, why_len, "more than %d ports", CONF_PORTS_MAX);
        return VG_EINVAL;
    }
    out[(*n)++] = (uint16_t)port;
    return 0;
}

static int conf_resolve_ports_depth(const Conf *conf, const char *text, uint16_t *out,
                                    uint32_t *n, int depth, char *why, size_t why_len)
{
    char buf[128];
    strip_port_text(text, buf, sizeof(buf));
    if (buf[0] == '\0') {
        snprintf(why, why_len, "no port");
        return VG_EINVAL;
    }
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        int rc = ports_add(conf, tok, out, n, depth, why, why_len);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int conf_resolve_ports(const Conf *conf, const char *text, uint16_t *out, uint32_t *n,
                       char *why, size_t why_len)
{
    *n = 0;
    return conf_resolve_ports_depth(conf, text, out, n, 0, why, why_len);
}

int conf_get_ports(const Conf *conf, const char *path, uint16_t out[CONF_PORTS_MAX],
                   uint32_t *n)
{
    *n = 0;
    bool is_bad = false;
    const ConfNode *node = get_scalar(conf, path, &is_bad);
    if (node == NULL) {
        return is_bad ? VG_EINVAL : VG_ENOENT;
    }
    char why[320];
    if (conf_resolve_ports(conf, node->value, out, n, why, sizeof(why)) != 0) {
        conf_log_bad(node, path, "%s: '%s'", why, node->value);
        *n = 0;
        return VG_EINVAL;
    }
    return 0;
}

int conf_get_port(const Conf *conf, const char *path, uint16_t *out)
{
    bool is_bad = false;
    const ConfNode *node = get_scalar(conf, path, &is_bad);
    if (node == NULL) {
        return is_bad ? VG_EINVAL : VG_ENOENT;
    }
    char why[320];
    if (conf_resolve_port(conf, node->value, out, why, sizeof(why)) != 0) {
        conf_log_bad(node, path, "%s", why);
        return VG_EINVAL;
    }
    return 0;
}
