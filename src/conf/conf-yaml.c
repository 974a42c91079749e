/* YAML to ConfNode, through libyaml's event parser.
 *
 * Each document is built into a fresh map and merged onto the target only when
 * the whole input (includes too) parsed, so a failed load changes nothing.
 * "include:" keys load other files into the map being built, at that point:
 * keys before it may be overridden by the included file, keys after it win. */

#include "conf/conf-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "util/util-error.h"

typedef struct ConfAnchor {
    struct ConfAnchor *next;
    char *name;
    ConfNode *node; // private copy: the tree's own node may be replaced by a later merge
    int depth;      // levels in node, so aliases cannot stack past CONF_MAX_DEPTH
} ConfAnchor;

typedef struct ConfLoader {
    Conf *conf;
    yaml_parser_t parser;
    const char *file;                // interned
    const struct ConfLoader *parent; // the includer, NULL at top
    int include_depth;
    ConfAnchor *anchors;
    size_t n_nodes;
    bool has_parser; // parser initialised, to be deleted
} ConfLoader;

static int load_node(ConfLoader *ld, yaml_event_t *ev, const char *name, int line, int depth,
                     ConfNode **out);
static int load_file(Conf *conf, ConfNode *target, const char *path, const ConfLoader *parent,
                     int parent_line);

static int event_line(const yaml_event_t *ev)
{
    return (int)ev->start_mark.line + 1;
}

static int parse_error(ConfLoader *ld)
{
    const yaml_parser_t *p = &ld->parser;
    if (p->error == YAML_MEMORY_ERROR) {
        conf_error(ld->conf, "%s: out of memory while parsing", ld->file);
        return VG_ENOMEM;
    }
    size_t line = p->error == YAML_READER_ERROR ? p->mark.line : p->problem_mark.line;
    const char *problem = p->problem != NULL ? p->problem : "malformed YAML";
    if (p->context != NULL) {
        conf_error(ld->conf, "%s:%zu: %s (%s, line %zu)", ld->file, line + 1, problem, p->context,
                   (size_t)p->context_mark.line + 1);
    } else {
        conf_error(ld->conf, "%s:%zu: %s", ld->file, line + 1, problem);
    }
    return VG_EINVAL;
}

static int next_event(ConfLoader *ld, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&ld->parser, ev)) {
        return parse_error(ld);
    }
    return 0;
}

static ConfNode *new_node(ConfLoader *ld, const char *name, ConfNodeType type, int line, int *rc)
{
    if (++ld->n_nodes > CONF_MAX_NODES) {
        conf_error(ld->conf, "%s:%d: more than %u values (alias expansion?)", ld->file, line,
                   CONF_MAX_NODES);
        *rc = VG_ERANGE;
        return NULL;
    }
    ConfNode *node = conf_node_new(name, type, ld->file, line);
    if (node == NULL) {
        conf_error(ld->conf, "%s:%d: out of memory", ld->file, line);
        *rc = VG_ENOMEM;
    }
    return node;
}

/* ---- anchors and aliases ---- */

/* Deep copy counted against the node budget; *depth gets the levels copied. */
static ConfNode *copy_tree(ConfLoader *ld, const ConfNode *src, const char *name, int *depth,
                           int *rc)
{
    ConfNode *dst = new_node(ld, name, src->type, src->line, rc);
    if (dst == NULL) {
        return NULL;
    }
    dst->file = src->file;
    *depth = 1;
    if (src->value != NULL && (dst->value = strdup(src->value)) == NULL) {
        *rc = VG_ENOMEM;
        goto fail;
    }
    for (const ConfNode *c = src->first_child; c != NULL; c = c->next) {
        int child_depth;
        ConfNode *copy = copy_tree(ld, c, c->name, &child_depth, rc);
        if (copy == NULL) {
            goto fail;
        }
        conf_node_append(dst, copy);
        if (child_depth + 1 > *depth) {
            *depth = child_depth + 1;
        }
    }
    return dst;
fail:
    conf_node_free(dst);
    return NULL;
}

static int add_anchor(ConfLoader *ld, const char *name, const ConfNode *node)
{
    ConfAnchor *a = calloc(1, sizeof(*a));
    int rc = VG_ENOMEM;
    if (a == NULL || (a->name = strdup(name)) == NULL) {
        goto fail;
    }
    a->node = copy_tree(ld, node, node->name, &a->depth, &rc);
    if (a->node == NULL) {
        goto fail;
    }
    a->next = ld->anchors; // newest first: a redefined anchor shadows the older one
    ld->anchors = a;
    return 0;
fail:
    if (rc == VG_ENOMEM) {
        conf_error(ld->conf, "%s:%d: out of memory", ld->file, node->line);
    }
    if (a != NULL) {
        free(a->name);
        free(a);
    }
    return rc;
}

static void free_anchors(ConfLoader *ld)
{
    ConfAnchor *a = ld->anchors;
    while (a != NULL) {
        ConfAnchor *next = a->next;
        conf_node_free(a->node);
        free(a->name);
        free(a);
        a = next;
    }
    ld->anchors = NULL;
}

static int load_alias(ConfLoader *ld, const yaml_event_t *ev, const char *name, int line,
                      int depth, ConfNode **out)
{
    const char *anchor = (const char *)ev->data.alias.anchor;
    const ConfAnchor *a = ld->anchors;
    while (a != NULL && strcmp(a->name, anchor) != 0) {
        a = a->next;
    }
    if (a == NULL) {
        conf_error(ld->conf, "%s:%d: unknown alias '*%s' (anchors must be complete before use)",
                   ld->file, line, anchor);
        return VG_EINVAL;
    }
    if (depth + a->depth > CONF_MAX_DEPTH) {
        conf_error(ld->conf, "%s:%d: alias '*%s' nests deeper than %d levels", ld->file, line,
                   anchor, CONF_MAX_DEPTH);
        return VG_ERANGE;
    }
    int rc = 0;
    int copied_depth;
    *out = copy_tree(ld, a->node, name, &copied_depth, &rc);
    return rc;
}

/* ---- scalars, lists, maps ---- */

/* Plain empty, "~" and null are YAML's null: the node has no value. */
static bool is_null_scalar(const yaml_event_t *ev)
{
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return false;
    }
    const char *v = (const char *)ev->data.scalar.value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static int load_scalar(ConfLoader *ld, const yaml_event_t *ev, const char *name, int line,
                       ConfNode **out)
{
    int rc = 0;
    ConfNode *node = new_node(ld, name, CONF_SCALAR, line, &rc);
    if (node == NULL) {
        return rc;
    }
    if (!is_null_scalar(ev)) {
        node->value = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        if (node->value == NULL) {
            conf_node_free(node);
            conf_error(ld->conf, "%s:%d: out of memory", ld->file, line);
            return VG_ENOMEM;
        }
    }
    *out = node;
    return 0;
}

static int load_list(ConfLoader *ld, const char *name, int line, int depth, ConfNode **out)
{
    int rc = 0;
    ConfNode *list = new_node(ld, name, CONF_LIST, line, &rc);
    if (list == NULL) {
        return rc;
    }
    for (;;) {
        yaml_event_t ev;
        if ((rc = next_event(ld, &ev)) != 0) {
            goto fail;
        }
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        char index[24];
        snprintf(index, sizeof(index), "%d", list->n_children);
        ConfNode *item = NULL;
        if ((rc = load_node(ld, &ev, index, event_line(&ev), depth + 1, &item)) != 0) {
            goto fail;
        }
        conf_node_append(list, item);
    }
    *out = list;
    return 0;
fail:
    conf_node_free(list);
    return rc;
}

static int include_one(ConfLoader *ld, ConfNode *map, const char *name, int line)
{
    if (ld->include_depth + 1 > CONF_MAX_INCLUDE_DEPTH) {
        conf_error(ld->conf, "%s:%d: include '%s': includes nest more than %d deep "
                   "(does a file include itself?)", ld->file, line, name,
                   CONF_MAX_INCLUDE_DEPTH);
        return VG_ERANGE;
    }
    const char *slash = strrchr(ld->file, '/');
    int dir_len = name[0] == '/' || slash == NULL ? 0 : (int)(slash - ld->file + 1);
    size_t size = (size_t)dir_len + strlen(name) + 1;
    char *path = malloc(size);
    if (path == NULL) {
        conf_error(ld->conf, "%s:%d: out of memory", ld->file, line);
        return VG_ENOMEM;
    }
    snprintf(path, size, "%.*s%s", dir_len, ld->file, name);
    int rc = load_file(ld->conf, map, path, ld, line);
    free(path);
    return rc;
}

static bool is_file_name(const ConfNode *node)
{
    return node->type == CONF_SCALAR && node->value != NULL && node->value[0] != '\0';
}

/* "include: file" or "include: [file, ...]"; the value node stays the caller's. */
static int load_include(ConfLoader *ld, ConfNode *map, const ConfNode *value)
{
    if (is_file_name(value)) {
        return include_one(ld, map, value->value, value->line);
    }
    bool is_ok = value->type == CONF_LIST;
    for (const ConfNode *c = value->first_child; is_ok && c != NULL; c = c->next) {
        is_ok = is_file_name(c);
    }
    if (!is_ok) {
        conf_error(ld->conf, "%s:%d: include: expected a file name or a list of file names",
                   ld->file, value->line);
        return VG_EINVAL;
    }
    for (const ConfNode *c = value->first_child; c != NULL; c = c->next) {
        int rc = include_one(ld, map, c->value, c->line);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* One "key: value" pair of a mapping; the key event has been read into kev. */
static int load_map_entry(ConfLoader *ld, ConfNode *map, const yaml_event_t *kev, int depth)
{
    int line = event_line(kev);
    if (kev->type != YAML_SCALAR_EVENT) {
        conf_error(ld->conf, "%s:%d: a mapping key must be a plain value", ld->file, line);
        return VG_EINVAL;
    }
    const char *key = (const char *)kev->data.scalar.value;
    yaml_event_t vev;
    int rc = next_event(ld, &vev);
    if (rc != 0) {
        return rc;
    }
    ConfNode *child = NULL;
    if ((rc = load_node(ld, &vev, key, line, depth + 1, &child)) != 0) {
        return rc;
    }
    if (strcmp(key, "include") == 0) {
        rc = load_include(ld, map, child);
        conf_node_free(child);
        return rc;
    }
    conf_map_merge_child(map, child); // a repeated key: the later one wins (maps merge)
    return 0;
}

static int load_map(ConfLoader *ld, const char *name, int line, int depth, ConfNode **out)
{
    int rc = 0;
    ConfNode *map = new_node(ld, name, CONF_MAP, line, &rc);
    if (map == NULL) {
        return rc;
    }
    for (;;) {
        yaml_event_t kev;
        if ((rc = next_event(ld, &kev)) != 0) {
            goto fail;
        }
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            break;
        }
        rc = load_map_entry(ld, map, &kev, depth);
        yaml_event_delete(&kev);
        if (rc != 0) {
            goto fail;
        }
    }
    *out = map;
    return 0;
fail:
    conf_node_free(map);
    return rc;
}

/* Build the node that starts with ev (consumed here). */
static int load_node(ConfLoader *ld, yaml_event_t *ev, const char *name, int line, int depth,
                     ConfNode **out)
{
    int rc;
    const yaml_char_t *anchor = NULL;
    if (depth > CONF_MAX_DEPTH) {
        conf_error(ld->conf, "%s:%d: nesting deeper than %d levels", ld->file, event_line(ev),
                   CONF_MAX_DEPTH);
        rc = VG_ERANGE;
        goto out;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        rc = load_scalar(ld, ev, name, line, out);
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        rc = load_list(ld, name, line, depth, out);
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        rc = load_map(ld, name, line, depth, out);
        break;
    case YAML_ALIAS_EVENT:
        rc = load_alias(ld, ev, name, line, depth, out);
        break;
    default:
        conf_error(ld->conf, "%s:%d: unexpected YAML structure", ld->file, event_line(ev));
        rc = VG_EINVAL;
        break;
    }
    if (rc == 0 && anchor != NULL) {
        rc = add_anchor(ld, (const char *)anchor, *out);
        if (rc != 0) {
            conf_node_free(*out);
            *out = NULL;
        }
    }
out:
    yaml_event_delete(ev);
    return rc;
}

/* ---- documents and streams ---- */

/* One document (DOCUMENT_START already read) merged into doc; *has_content set
 * when it held a mapping. */
static int load_document(ConfLoader *ld, ConfNode *doc, bool *has_content)
{
    yaml_event_t ev;
    int rc = next_event(ld, &ev);
    if (rc != 0) {
        return rc;
    }
    int line = event_line(&ev);
    bool is_map = ev.type == YAML_MAPPING_START_EVENT;
    bool is_null = ev.type == YAML_SCALAR_EVENT && is_null_scalar(&ev);
    if (!is_map && !is_null) {
        yaml_event_delete(&ev);
        conf_error(ld->conf, "%s:%d: the top level must be a mapping of keys to values", ld->file,
                   line);
        return VG_EINVAL;
    }
    ConfNode *node = NULL;
    if ((rc = load_node(ld, &ev, "", line, 1, &node)) != 0) {
        return rc;
    }
    if (is_map) {
        conf_map_merge(doc, node);
        *has_content = true;
    } else {
        conf_node_free(node);
    }
    if ((rc = next_event(ld, &ev)) != 0) {
        return rc;
    }
    yaml_event_delete(&ev); // DOCUMENT_END is all the grammar allows here
    return 0;
}

static int load_stream(ConfLoader *ld, ConfNode *target)
{
    int rc = 0;
    ConfNode *doc = new_node(ld, "", CONF_MAP, 1, &rc);
    if (doc == NULL) {
        return rc;
    }
    bool has_content = false;
    bool done = false;
    while (!done && rc == 0) {
        yaml_event_t ev;
        if ((rc = next_event(ld, &ev)) != 0) {
            break;
        }
        if (ev.type == YAML_DOCUMENT_START_EVENT) {
            rc = load_document(ld, doc, &has_content);
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    if (rc == 0 && !has_content) {
        conf_error(ld->conf, "%s: no configuration in it (empty document)", ld->file);
        rc = VG_EINVAL;
    }
    if (rc != 0) {
        conf_node_free(doc);
        return rc;
    }
    conf_map_merge(target, doc);
    return 0;
}

static int loader_init(ConfLoader *ld, Conf *conf, const char *name, const ConfLoader *parent)
{
    memset(ld, 0, sizeof(*ld));
    ld->conf = conf;
    ld->parent = parent;
    ld->include_depth = parent != NULL ? parent->include_depth + 1 : 0;
    ld->file = conf_intern(conf, name);
    ld->has_parser = ld->file != NULL && yaml_parser_initialize(&ld->parser);
    if (!ld->has_parser) {
        conf_error(conf, "%s: out of memory", name);
        return VG_ENOMEM;
    }
    return 0;
}

static void loader_deinit(ConfLoader *ld)
{
    free_anchors(ld);
    if (ld->has_parser) {
        yaml_parser_delete(&ld->parser);
    }
}

static FILE *open_config(Conf *conf, const char *path, const ConfLoader *parent, int parent_line,
                         int *rc)
{
    FILE *f = fopen(path, "rb");
    int err = errno;
    *rc = f == NULL && err == ENOENT ? VG_ENOENT : VG_EIO;
    const char *problem = f == NULL ? strerror(err) : NULL;
    struct stat st;
    if (f != NULL && fstat(fileno(f), &st) != 0) {
        problem = strerror(errno);
    } else if (f != NULL && S_ISDIR(st.st_mode)) {
        problem = strerror(EISDIR);
    } else if (f != NULL && parent != NULL && !S_ISREG(st.st_mode)) {
        problem = "not a regular file"; // a fifo or device could block start-up forever
    }
    if (problem == NULL) {
        return f;
    }
    if (f != NULL) {
        fclose(f);
    }
    if (parent != NULL) {
        conf_error(conf, "%s: cannot open: %s (included from %s:%d)", path, problem,
                   parent->file, parent_line);
    } else {
        conf_error(conf, "%s: cannot open: %s", path, problem);
    }
    return NULL;
}

static int load_file(Conf *conf, ConfNode *target, const char *path, const ConfLoader *parent,
                     int parent_line)
{
    int rc = 0;
    FILE *f = open_config(conf, path, parent, parent_line, &rc);
    if (f == NULL) {
        return rc;
    }
    ConfLoader ld;
    if ((rc = loader_init(&ld, conf, path, parent)) == 0) {
        yaml_parser_set_input_file(&ld.parser, f);
        rc = load_stream(&ld, target);
    }
    loader_deinit(&ld);
    fclose(f);
    return rc;
}

int conf_yaml_load_file(Conf *conf, ConfNode *target, const char *path)
{
    return load_file(conf, target, path, NULL, 0);
}

int conf_yaml_load_string(Conf *conf, ConfNode *target, const char *yaml, size_t len,
                          const char *name)
{
    ConfLoader ld;
    int rc = loader_init(&ld, conf, name, NULL);
    if (rc == 0) {
        yaml_parser_set_input_string(&ld.parser, (const unsigned char *)yaml, len);
        rc = load_stream(&ld, target);
    }
    loader_deinit(&ld);
    return rc;
}
