#ifndef VG_CONF_CONF_INTERNAL_H
#define VG_CONF_CONF_INTERNAL_H

/* Shared by the .c files of src/conf and their tests only; not for other subsystems. */

#include "conf/conf.h"


/* File names of nodes that do not come from a YAML file. */
#define CONF_FILE_SET "--set"
#define CONF_FILE_DEFAULTS "(defaults)"

/* Limits that keep hostile or mistaken configs from exhausting the stack or memory. */
#define CONF_MAX_DEPTH 128              // nesting of maps/lists in one document
#define CONF_MAX_INCLUDE_DEPTH 16       // include within include within ...
#define CONF_MAX_NODES (1u << 20)       // per conf_load_* call, aliases included

typedef struct ConfInterned ConfInterned;

struct Conf {
    ConfNode *root;               // always a CONF_MAP named ""
    ConfInterned *files;          // interned file names, freed with the Conf
    const char *main_file;        // the first file conf_load_file loaded (interned), or NULL
    char last_error[512];         // last load/set error, "" when none
};

/* Node helpers (conf.c). name may be NULL for the root. */
ConfNode *conf_node_new(const char *name, ConfNodeType type, const char *file, int line);
void conf_node_free(ConfNode *node);
void conf_node_append(ConfNode *parent, ConfNode *child);
ConfNode *conf_node_child_mut(ConfNode *node, const char *name);
/* Insert child into map, merging: maps merge key by key, anything else replaces
 * the existing node of that name in place. Takes ownership of child. */
void conf_map_merge_child(ConfNode *map, ConfNode *child);
/* Move every child of src into map with conf_map_merge_child; frees src. */
void conf_map_merge(ConfNode *map, ConfNode *src);
/* Turn node into an empty node of the given type (children/value freed). */
void conf_node_reset(ConfNode *node, ConfNodeType type);

/* A copy of name that lives as long as conf; NULL on allocation failure. */
const char *conf_intern(Conf *conf, const char *name);

/* Record the message as conf's last error and log it at error level. */
void conf_error(Conf *conf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Log "FILE:LINE: KEY: PROBLEM" for node read at path (conf-getters.c);
 * nodes from --set or defaults have no line: "FILE: KEY: PROBLEM". */
void conf_log_bad(const ConfNode *node, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* YAML (conf-yaml.c): parse the whole input (and its includes) into a new
 * map, then merge it onto target; on error target is left untouched. */
int conf_yaml_load_file(Conf *conf, ConfNode *target, const char *path);
int conf_yaml_load_string(Conf *conf, ConfNode *target, const char *yaml, size_t len,
                          const char *name);

/* Number parsers (conf-getters.c): 0, VG_EINVAL (malformed) or VG_ERANGE (overflow). */
int conf_parse_int_ex(const char *s, int64_t *out);
int conf_parse_size_ex(const char *s, uint64_t *out);

/* Parse text as opt's type into field (written only on success); on failure
 * why holds the problem ("'x' is not a boolean ..."). (conf-options.c) */
int conf_option_parse(const ConfOption *opt, const char *text, void *field, char *why,
                      size_t why_len);

/* Whether text is one of "a|b|c" (conf-options.c). */
bool conf_enum_has(const char *choices, const char *text);

/* Resolve a port value ("4789", "$VXLAN_PORTS", "[4789]") through
 * vars.port-groups to one port (conf-getters.c). 0, or VG_EINVAL with the
 * problem in why. */
int conf_resolve_port(const Conf *conf, const char *text, uint16_t *out, char *why,
                      size_t why_len);
/* The ports of text (conf_get_ports' forms) into out (CONF_PORTS_MAX), *n set; 0, or
 * VG_EINVAL with the reason in why. */
int conf_resolve_ports(const Conf *conf, const char *text, uint16_t *out, uint32_t *n,
                       char *why, size_t why_len);

/* Vigil's own keys, the first part of the schema (conf-schema-keys.c). */
extern const ConfSchemaPart conf_schema_vigil_keys;

/* Mark node as looked up by a reader (and, for a map or list, its entries). */
void conf_mark_read(const ConfNode *node);

#endif
