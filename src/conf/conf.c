#include "conf/conf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf-internal.h"
#include "util/util-error.h"
#include "util/util-log.h"

struct ConfInterned {
    ConfInterned *next;
    char name[];
};

/* Suricata's default variables, so rules load with no config file at all. */
static const struct {
    const char *path;
    const char *value;
} conf_defaults[] = {
    {"vars.address-groups.HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"},
    {"vars.address-groups.EXTERNAL_NET", "!$HOME_NET"},
    {"vars.address-groups.HTTP_SERVERS", "$HOME_NET"},
    {"vars.address-groups.SMTP_SERVERS", "$HOME_NET"},
    {"vars.address-groups.SQL_SERVERS", "$HOME_NET"},
    {"vars.address-groups.DNS_SERVERS", "$HOME_NET"},
    {"vars.address-groups.TELNET_SERVERS", "$HOME_NET"},
    {"vars.address-groups.AIM_SERVERS", "$EXTERNAL_NET"},
    {"vars.address-groups.DC_SERVERS", "$HOME_NET"},
    {"vars.address-groups.DNP3_SERVER", "$HOME_NET"},
    {"vars.address-groups.DNP3_CLIENT", "$HOME_NET"},
    {"vars.address-groups.MODBUS_CLIENT", "$HOME_NET"},
    {"vars.address-groups.MODBUS_SERVER", "$HOME_NET"},
    {"vars.address-groups.ENIP_CLIENT", "$HOME_NET"},
    {"vars.address-groups.ENIP_SERVER", "$HOME_NET"},
    {"vars.port-groups.HTTP_PORTS", "80"},
    {"vars.port-groups.SHELLCODE_PORTS", "!80"},
    {"vars.port-groups.ORACLE_PORTS", "1521"},
    {"vars.port-groups.SSH_PORTS", "22"},
    {"vars.port-groups.DNP3_PORTS", "20000"},
    {"vars.port-groups.MODBUS_PORTS", "502"},
    {"vars.port-groups.FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
    {"vars.port-groups.FTP_PORTS", "21"},
    {"vars.port-groups.GENEVE_PORTS", "6081"},
    {"vars.port-groups.VXLAN_PORTS", "4789"},
    {"vars.port-groups.TEREDO_PORTS", "3544"},
};

static int conf_set_at(Conf *conf, const char *path, const char *value, const char *file,
                       int line);

/* ---- nodes ---- */

ConfNode *conf_node_new(const char *name, ConfNodeType type, const char *file, int line)
{
    ConfNode *node = calloc(1, sizeof(*node));
    if (node == NULL) {
        return NULL;
    }
    if (name != NULL) {
        node->name = strdup(name);
        if (node->name == NULL) {
            free(node);
            return NULL;
        }
    }
    node->type = type;
    node->file = file;
    node->line = line;
    return node;
}

/* Iterative so that a deep tree (a long --set path) cannot exhaust the stack:
 * unlink and descend into the first child until a leaf, free it, climb back. */
void conf_node_free(ConfNode *node)
{
    ConfNode *cur = node;
    while (cur != NULL) {
        ConfNode *child = cur->first_child;
        if (child != NULL) {
            cur->first_child = child->next;
            if (cur->first_child == NULL) {
                cur->last_child = NULL;
            }
            child->parent = cur;
            cur = child;
            continue;
        }
        ConfNode *up = cur == node ? NULL : cur->parent;
        free(cur->name);
        free(cur->value);
        free(cur);
        cur = up;
    }
}

void conf_node_reset(ConfNode *node, ConfNodeType type)
{
    ConfNode *c = node->first_child;
    while (c != NULL) {
        ConfNode *next = c->next;
        conf_node_free(c);
        c = next;
    }
    node->first_child = NULL;
    node->last_child = NULL;
    node->n_children = 0;
    free(node->value);
    node->value = NULL;
    node->type = type;
}

void conf_node_append(ConfNode *parent, ConfNode *child)
{
    child->parent = parent;
    child->next = NULL;
    if (parent->last_child != NULL) {
        parent->last_child->next = child;
    } else {
        parent->first_child = child;
    }
    parent->last_child = child;
    parent->n_children++;
}

static ConfNode *child_n(const ConfNode *node, const char *name, size_t len)
{
    if (node == NULL || node->type == CONF_SCALAR) {
        return NULL;
    }
    for (ConfNode *c = node->first_child; c != NULL; c = c->next) {
        if (c->name != NULL && strncmp(c->name, name, len) == 0 && c->name[len] == '\0') {
            return c;
        }
    }
    return NULL;
}

ConfNode *conf_node_child_mut(ConfNode *node, const char *name)
{
    return child_n(node, name, strlen(name));
}

void conf_mark_read(const ConfNode *node)
{
    if (node == NULL) {
        return;
    }
    /* The mark is the only write after start-up: atomic, as readers run on
     * any thread; a node is never freed while readers run. */
    ConfNode *n = (ConfNode *)node;
    atomic_store_explicit(&n->is_read, true, memory_order_relaxed);
    for (ConfNode *c = n->first_child; c != NULL; c = c->next) {
        atomic_store_explicit(&c->is_read, true, memory_order_relaxed);
    }
}

const ConfNode *conf_node_child(const ConfNode *node, const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    const ConfNode *c = child_n(node, name, strlen(name));
    conf_mark_read(c);
    return c;
}

/* Put child where old was in old's parent; frees old. */
static void node_replace(ConfNode *old, ConfNode *child)
{
    ConfNode *parent = old->parent;
    ConfNode **link = &parent->first_child;
    while (*link != old) {
        link = &(*link)->next;
    }
    *link = child;
    child->next = old->next;
    child->parent = parent;
    if (parent->last_child == old) {
        parent->last_child = child;
    }
    old->next = NULL;
    conf_node_free(old);
}

void conf_map_merge_child(ConfNode *map, ConfNode *child)
{
    ConfNode *old = conf_node_child_mut(map, child->name);
    if (old == NULL) {
        conf_node_append(map, child);
    } else if (old->type == CONF_MAP && child->type == CONF_MAP) {
        conf_map_merge(old, child);
    } else {
        node_replace(old, child);
    }
}

void conf_map_merge(ConfNode *map, ConfNode *src)
{
    ConfNode *c = src->first_child;
    src->first_child = NULL;
    src->last_child = NULL;
    src->n_children = 0;
    while (c != NULL) {
        ConfNode *next = c->next;
        c->next = NULL;
        conf_map_merge_child(map, c);
        c = next;
    }
    conf_node_free(src);
}

/* ---- the Conf ---- */

const char *conf_intern(Conf *conf, const char *name)
{
    for (ConfInterned *i = conf->files; i != NULL; i = i->next) {
        if (strcmp(i->name, name) == 0) {
            return i->name;
        }
    }
    size_t len = strlen(name);
    ConfInterned *i = malloc(sizeof(*i) + len + 1);
    if (i == NULL) {
        return NULL;
    }
    memcpy(i->name, name, len + 1);
    i->next = conf->files;
    conf->files = i;
    return i->name;
}

void conf_error(Conf *conf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(conf->last_error, sizeof(conf->last_error), fmt, ap);
    va_end(ap);
    VG_ERROR("%s", conf->last_error);
}

const char *conf_last_error(const Conf *conf)
{
    return conf->last_error;
}

Conf *conf_new(void)
{
    Conf *conf = calloc(1, sizeof(*conf));
    if (conf == NULL) {
        return NULL;
    }
    conf->root = conf_node_new("", CONF_MAP, CONF_FILE_DEFAULTS, 0);
    if (conf->root == NULL) {
        goto fail;
    }
    for (size_t i = 0; i < sizeof(conf_defaults) / sizeof(conf_defaults[0]); i++) {
        if (conf_set_at(conf, conf_defaults[i].path, conf_defaults[i].value, CONF_FILE_DEFAULTS,
                        0) != 0) {
            goto fail;
        }
    }
    return conf;
fail:
    conf_free(conf);
    return NULL;
}

void conf_free(Conf *conf)
{
    if (conf == NULL) {
        return;
    }
    conf_node_free(conf->root);
    ConfInterned *i = conf->files;
    while (i != NULL) {
        ConfInterned *next = i->next;
        free(i);
        i = next;
    }
    free(conf);
}

const ConfNode *conf_root(const Conf *conf)
{
    return conf->root;
}

int conf_load_file(Conf *conf, const char *path)
{
    if (path == NULL) {
        return VG_EINVAL;
    }
    if (conf->main_file == NULL) {
        conf->main_file = conf_intern(conf, path);
    }
    return conf_yaml_load_file(conf, conf->root, path);
}

const char *conf_main_file(const Conf *conf)
{
    return conf->main_file;
}

int conf_load_string(Conf *conf, const char *yaml, const char *name)
{
    if (yaml == NULL) {
        return VG_EINVAL;
    }
    return conf_yaml_load_string(conf, conf->root, yaml, strlen(yaml),
                                 name != NULL ? name : "(string)");
}

/* ---- lookup ---- */

/* Split at each dot in turn, so that a key which itself holds dots
 * ("a.b" under "x") is still found by the path "x.a.b". */
static const ConfNode *lookup(const ConfNode *node, const char *path)
{
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot != NULL ? (size_t)(dot - path) : strlen(path);
        const ConfNode *c = child_n(node, path, len);
        if (c != NULL) {
            if (dot == NULL) {
                return c;
            }
            const ConfNode *found = lookup(c, dot + 1);
            if (found != NULL) {
                return found;
            }
        }
        if (dot == NULL) {
            return NULL;
        }
        p = dot + 1;
    }
}

const ConfNode *conf_get_node(const Conf *conf, const ConfNode *node, const char *path)
{
    if (node == NULL) {
        node = conf->root;
    }
    if (path == NULL || path[0] == '\0') {
        return node;
    }
    const ConfNode *found = lookup(node, path);
    conf_mark_read(found);
    return found;
}

/* ---- setting ---- */

static bool parse_index(const char *s, size_t *out)
{
    int64_t v;
    if (s[0] == '-' || !conf_parse_int(s, &v)) {
        return false;
    }
    *out = (size_t)v;
    return true;
}

/* One step of a --set path below cur: the child called part, created (as a
 * map, a list when the next part is the index 0, or a scalar when it is the last
 * part: next NULL) when missing. A scalar on the way becomes a map; a list takes an
 * index, one past its end appends. NULL on error. */
static ConfNode *set_step(Conf *conf, ConfNode *cur, const char *part, const char *next,
                          const char *file, int line, const char *path)
{
    ConfNodeType type = next == NULL ? CONF_SCALAR
                        : strcmp(next, "0") == 0 ? CONF_LIST
                                                 : CONF_MAP;
    if (cur->type == CONF_SCALAR) {
        conf_node_reset(cur, strcmp(part, "0") == 0 ? CONF_LIST : CONF_MAP);
    }
    if (cur->type == CONF_LIST) {
        size_t idx;
        if (!parse_index(part, &idx) || idx > (size_t)cur->n_children) {
            conf_error(conf, "%s: %s: '%s' is not an index into a list of %d items", file, path,
                       part, cur->n_children);
            return NULL;
        }
        ConfNode *c = cur->first_child;
        for (size_t i = 0; i < idx; i++) {
            c = c->next;
        }
        if (c != NULL) {
            return c;
        }
    } else {
        ConfNode *c = conf_node_child_mut(cur, part);
        if (c != NULL) {
            return c;
        }
    }
    ConfNode *c = conf_node_new(part, type, file, line);
    if (c == NULL) {
        conf_error(conf, "%s: %s: out of memory", file, path);
        return NULL;
    }
    conf_node_append(cur, c);
    return c;
}

static int set_scalar(Conf *conf, ConfNode *node, const char *value, const char *file, int line)
{
    char *copy = NULL;
    if (value != NULL) {
        copy = strdup(value);
        if (copy == NULL) {
            conf_error(conf, "%s: out of memory", file);
            return VG_ENOMEM;
        }
    }
    conf_node_reset(node, CONF_SCALAR);
    node->value = copy;
    node->file = file;
    node->line = line;
    return 0;
}

static int conf_set_at(Conf *conf, const char *path, const char *value, const char *file,
                       int line)
{
    if (path == NULL || path[0] == '\0') {
        conf_error(conf, "%s: empty key", file);
        return VG_EINVAL;
    }
    char *parts = strdup(path);
    if (parts == NULL) {
        return VG_ENOMEM;
    }
    int rc = VG_EINVAL;
    ConfNode *cur = conf->root;
    for (char *p = parts; p != NULL;) {
        char *dot = strchr(p, '.');
        if (dot != NULL) {
            *dot = '\0';
        }
        if (p[0] == '\0') {
            conf_error(conf, "%s: %s: empty name between dots", file, path);
            break;
        }
        const char *next = NULL;
        char next_buf[24];
        if (dot != NULL) {
            size_t nl = strcspn(dot + 1, ".");
            if (nl < sizeof(next_buf)) {
                memcpy(next_buf, dot + 1, nl);
                next_buf[nl] = '\0';
                next = next_buf;
            } else {
                next = "";
            }
        }
        cur = set_step(conf, cur, p, next, file, line, path);
        if (cur == NULL) {
            break;
        }
        if (dot == NULL) {
            rc = set_scalar(conf, cur, value, file, line);
        }
        p = dot != NULL ? dot + 1 : NULL;
    }
    free(parts);
    return rc;
}

int conf_set(Conf *conf, const char *path, const char *value)
{
    return conf_set_at(conf, path, value, CONF_FILE_SET, 0);
}

int conf_set_override(Conf *conf, const char *key_eq_value)
{
    if (key_eq_value == NULL) {
        return VG_EINVAL;
    }
    const char *eq = strchr(key_eq_value, '=');
    if (eq == NULL || eq == key_eq_value) {
        conf_error(conf, "--set '%s': expected key=value, for example flow.memcap=256mb",
                   key_eq_value);
        return VG_EINVAL;
    }
    char *key = strndup(key_eq_value, (size_t)(eq - key_eq_value));
    if (key == NULL) {
        return VG_ENOMEM;
    }
    int rc = conf_set_at(conf, key, eq + 1, CONF_FILE_SET, 0);
    free(key);
    return rc;
}
