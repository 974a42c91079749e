#ifndef VG_CONF_CONF_H
#define VG_CONF_CONF_H

/* Configuration tree: YAML (libyaml) loaded into nodes; typed getters by
 * dotted path ("flow-timeouts.tcp.established", "vars.address-groups.HOME_NET",
 * list items by index: "outputs.0.eve-log.enabled"). Built at start-up by the
 * main thread, read-only afterwards (any thread may read).
 *
 * Errors are reported through util-log as "FILE:LINE: problem". */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum ConfNodeType {
    CONF_SCALAR = 0,
    CONF_MAP,
    CONF_LIST,
} ConfNodeType;

typedef struct ConfNode {
    char *name;                  // key in the parent map; "0","1".. for list items
    char *value;                 // scalars only (NULL for maps/lists and null scalars)
    ConfNodeType type;
    const char *file;            // interned file name where it was defined (or "--set")
    int line;
    struct ConfNode *parent;
    struct ConfNode *first_child;
    struct ConfNode *last_child;
    struct ConfNode *next;
    int n_children;
    /* Set by conf_get_node/conf_node_child when a reader looks the node up
     * (see conf_report_unread); the only field written after start-up. */
    _Atomic bool is_read;
} ConfNode;

typedef struct Conf Conf;

/* A new tree holding Vigil's built-in defaults (address/port groups etc.). */
Conf *conf_new(void);
void conf_free(Conf *conf);

/* Load a YAML file on top of what is there (maps merge, scalars/lists replace).
 * Honours "include:" (a file name or list, relative to the including file).
 * Returns 0 or VG_E*; on error a message naming file:line is logged. */
int conf_load_file(Conf *conf, const char *path) __attribute__((warn_unused_result));
/* The file the first conf_load_file loaded (the configuration itself, not its
 * includes), or NULL when none was. */
const char *conf_main_file(const Conf *conf);
/* Same, from a string (tests); name is used in error messages. */
int conf_load_string(Conf *conf, const char *yaml, const char *name)
    __attribute__((warn_unused_result));

/* Apply "--set key=value" (dotted path; creates missing nodes). */
int conf_set_override(Conf *conf, const char *key_eq_value) __attribute__((warn_unused_result));
/* Set a scalar by path (creates missing nodes). */
int conf_set(Conf *conf, const char *path, const char *value) __attribute__((warn_unused_result));

const ConfNode *conf_root(const Conf *conf);
/* Node by dotted path, relative to node (NULL = root). NULL if absent. */
const ConfNode *conf_get_node(const Conf *conf, const ConfNode *node, const char *path);
/* Child of a map/list node by name, NULL if absent. */
const ConfNode *conf_node_child(const ConfNode *node, const char *name);

/* Typed getters: return true and set *out when present and well formed.
 * When present but malformed: log "FILE:LINE: key: problem" and return false
 * with *is_bad (if non-NULL) set; when absent: false, *out untouched.
 * Bool: yes/no/true/false/on/off/1/0. Size: integer with optional unit
 * kb/mb/gb (and k/m/g, kib/mib/gib; powers of 1024), case-insensitive. */
bool conf_get_str(const Conf *conf, const char *path, const char **out);
bool conf_get_bool(const Conf *conf, const char *path, bool *out);
bool conf_get_int(const Conf *conf, const char *path, int64_t *out);
bool conf_get_size(const Conf *conf, const char *path, uint64_t *out);

/* Variants with a default and a validity flag: return the value or dflt.
 * *bad is set to true (never cleared) when the value was present but malformed. */
const char *conf_str_or(const Conf *conf, const char *path, const char *dflt);
bool conf_bool_or(const Conf *conf, const char *path, bool dflt, bool *bad);
int64_t conf_int_or(const Conf *conf, const char *path, int64_t dflt, bool *bad);
uint64_t conf_size_or(const Conf *conf, const char *path, uint64_t dflt, bool *bad);

/* Parse helpers usable on any string (also used by rule keywords). */
bool conf_parse_bool(const char *s, bool *out);
bool conf_parse_size(const char *s, uint64_t *out);
/* Decimal integer, optional leading '-', no spaces, no trailing bytes, no overflow. */
bool conf_parse_int(const char *s, int64_t *out);

/* A path-valued key ("default-rule-path", "classification-file") resolved
 * against the directory of the file that set it: absolute values and values
 * from --set or defaults are returned unchanged. Writes a NUL-terminated path
 * into buf; false when absent, not a scalar, or longer than buf_len - 1. */
bool conf_get_path(const Conf *conf, const char *path, char *buf, size_t buf_len);

/* The message of the last failed load/set on this conf ("" when none); lives
 * until the next failing call or conf_free. For start-up reporting and tests. */
const char *conf_last_error(const Conf *conf);

/* Address/port variables ("HOME_NET", with or without '$'): NULL if unknown. */
const char *conf_address_var(const Conf *conf, const char *name);
const char *conf_port_var(const Conf *conf, const char *name);

/* Option tables: a module lists its options once and loads them in one call.
 * Each option is read at "<prefix>.<name>" (or "<name>" when prefix is NULL or
 * ""), parsed by type, range-checked, and stored at offset in the module's
 * config struct; when absent the text dflt is parsed the same way (a NULL dflt
 * leaves the field untouched). Field types: CONF_OPT_BOOL bool, CONF_OPT_INT
 * int64_t, CONF_OPT_SIZE uint64_t, CONF_OPT_STR const char * (points into the
 * tree or at dflt: valid while conf lives). min/max bound INT and SIZE values,
 * inclusive; both 0 means unbounded. */
typedef enum ConfOptType {
    CONF_OPT_BOOL = 0,
    CONF_OPT_INT,
    CONF_OPT_SIZE,
    CONF_OPT_STR,
    CONF_OPT_ENUM,  // const char *: one of choices ("wall|packet")
    /* Schema only (conf_check), not loadable by conf_load_options: */
    CONF_OPT_PORT,  // one port 1-65535, or a $NAME of vars.port-groups naming one
    CONF_OPT_PORTS, // a comma-separated list of such ports (conf_get_ports)
    CONF_OPT_LIST,  // a list; its items are checked by the reader
    CONF_OPT_ANY,   // an open subtree: anything below is accepted, its owner checks it
} ConfOptType;

/* Flags of an option. */
#define CONF_OPT_F_NO_EFFECT 0x1u // Suricata's key, accepted but without effect in Vigil
#define CONF_OPT_F_SCALAR_OK 0x2u // CONF_OPT_LIST: a single value is a list of one

typedef struct ConfOption {
    const char *name;   // below the prefix; in a schema '*' matches any one key or list
                        // index, and "a|b" either name ("flow-timeouts.tcp|udp.new")
    ConfOptType type;
    size_t offset;      // offsetof(ModuleConfig, field); unused in a schema
    const char *dflt;
    int64_t min;
    int64_t max;
    const char *choices; // CONF_OPT_ENUM: "a|b|c"
    const char *doc;     // one line for the schema table (docs and --strict-config hints)
    unsigned flags;      // CONF_OPT_F_*
} ConfOption;

/* Load every option; each problem is logged as "FILE:LINE: KEY: problem" and
 * the call goes on to report the others. 0, or VG_EINVAL if any was bad (the
 * bad fields then hold their defaults). */
int conf_load_options(const Conf *conf, const char *prefix, const ConfOption *opts, size_t n_opts,
                      void *out) __attribute__((warn_unused_result));

/* ---- schema ---- */

/* A module's option table as part of the schema: its options live below
 * prefix (NULL or "" = top level). The built-in schema is a list of parts
 * (conf-schema-keys.c), so a module with a table states its keys once. */
typedef struct ConfSchemaPart {
    const char *prefix;
    const ConfOption *opts;
    size_t n_opts;
} ConfSchemaPart;

/* The built-in schema: every key Vigil reads. */
const ConfSchemaPart *const *conf_schema_parts(size_t *n_parts);
/* The keys plugins add (eve-log types of their protocols), set once loaded (start-up,
 * before conf_check); part stays valid until exit. */
void conf_schema_set_plugin_part(const ConfSchemaPart *part);

typedef struct ConfCheckResult {
    unsigned n_unknown;   // keys the schema does not know (warnings unless strict or --set)
    unsigned n_no_effect; // known Suricata keys without effect in Vigil
    unsigned n_bad;       // known keys with a malformed or out-of-range value
} ConfCheckResult;

/* Check every key of the tree against the schema; start-up only.
 * - an unknown key (or a key without effect) is a warning "FILE:LINE: KEY:
 *   unknown key; ignored"; an error when strict, and always when it came
 *   from --set;
 * - a known key with a bad type or value is an error naming file and line.
 * Returns 0, or VG_EINVAL when anything was an error (start-up must stop).
 * res (may be NULL) receives the counts. */
int conf_check_schema(const Conf *conf, const ConfSchemaPart *const *parts, size_t n_parts,
                      bool strict, ConfCheckResult *res) __attribute__((warn_unused_result));
/* The same against the built-in schema. */
int conf_check(const Conf *conf, bool strict, ConfCheckResult *res)
    __attribute__((warn_unused_result));

/* The schema as a table for operators (vigil --list-config-keys): key, type,
 * default, bounds, what it does. */
void conf_schema_print(FILE *out);
/* --dump-config: the effective configuration, one "path = value" line per
 * scalar of the tree (file, includes, --set and built-in defaults, in tree
 * order; a null scalar prints an empty value), then, after a comment line,
 * "path = default" for each schema key the tree does not set (keys with a
 * wildcard excepted). */
void conf_dump(const Conf *conf, FILE *out);

/* Keys set by a file or --set that are known to the schema but that no
 * reader looked up (conf_get_node/conf_node_child; a map or list handed to
 * a reader counts its direct entries as read): each is logged at info level
 * as "FILE:LINE: KEY: set but not read by this run"; returns how many. Call
 * after the run, when every reader has had its turn. */
unsigned conf_report_unread(const Conf *conf);

/* A single port at path: a number 1-65535, or "$NAME" (also "[$NAME]" or
 * "[4789]") resolved through vars.port-groups. 0 and *out set; VG_ENOENT when
 * absent or null; VG_EINVAL when malformed, several ports, or an unknown
 * variable (logged as "FILE:LINE: KEY: problem"). */
int conf_get_port(const Conf *conf, const char *path, uint16_t *out)
    __attribute__((warn_unused_result));

/* Ports at path: one as conf_get_port takes it, or a comma-separated list of them
 * ("3544, 3545", "[3544,3545]", a "$NAME" whose value is such a list, variables within
 * the list too; duplicates kept once). At most CONF_PORTS_MAX into out, *n set. 0;
 * VG_ENOENT when absent or null; VG_EINVAL when malformed, a range, more than
 * CONF_PORTS_MAX, or an unknown variable (logged as "FILE:LINE: KEY: problem"). */
#define CONF_PORTS_MAX 16
int conf_get_ports(const Conf *conf, const char *path, uint16_t out[CONF_PORTS_MAX],
                   uint32_t *n) __attribute__((warn_unused_result));

/* Iterate children of a map or list: for (c = node->first_child; c; c = c->next). */

#endif
