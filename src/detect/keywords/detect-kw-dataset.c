/* dataset: check the current buffer against a named set, or add it / take it
 * out (Suricata's datasets); datarep: compare the reputation a set gives the
 * buffer.
 *
 *   dataset:<set|unset|isset|isnotset>,<name>[,type <string|md5|sha256|ipv4|ip>]
 *           [,load <file>][,save <file>][,state <file>][,memcap <size>]
 *           [,hashsize <n>][,format csv|json|ndjson][,context_key K][,value_key V]
 *           [,array_key A][,remove_key]
 *   datarep:<name>,<op>,<value>[,type T][,load <file>][,memcap <size>][,hashsize <n>]
 *           op: > < == != >= <= ; value 0..65535; the file has "value,reputation"
 *           lines. Matches when the buffer is in the set and its reputation
 *           compares true with value (absent: no match).
 *
 * It sits in the buffer's chain like bsize: it looks at the whole buffer and
 * leaves the position of relative keywords alone. set and unset always
 * match. Files named in rules are relative to the rule file's directory, but
 * save and state files to data-dir (--data-dir) when it is set, as Suricata's
 * data directory; an absolute name or one climbing out with ".." needs
 * datasets.rules.allow-absolute-filenames, and save/state need
 * datasets.rules.allow-write (on by default). The sets live in
 * detect-dataset.c; json and ndjson files (datajson: a JSON object per value, logged
 * as alert.context.K on an isset match) in detect-datajson.c. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "runtime/runtime-order.h"
#include "util/util-error.h"

enum { DS_SET = 0, DS_UNSET, DS_ISSET, DS_ISNOTSET, DS_REP };
enum { REP_GT = 0, REP_LT, REP_EQ, REP_NE, REP_GE, REP_LE };

typedef struct DetectDatasetCtx {
    Dataset *ds;
    uint8_t cmd;
    uint8_t rep_op;              // DS_REP: REP_*
    uint16_t rep_value;          // DS_REP
    char context_key[DETECT_DATASET_NAME_MAX];   // datajson: the alert.context member ("")
    DetectPcreVar context_var;   // that member as an alert variable (DETECT_VAR_ALERT_JSON)
} DetectDatasetCtx;

static bool rep_compare(uint8_t op, uint16_t rep, uint16_t value)
{
    switch (op) {
    case REP_GT:
        return rep > value;
    case REP_LT:
        return rep < value;
    case REP_EQ:
        return rep == value;
    case REP_NE:
        return rep != value;
    case REP_GE:
        return rep >= value;
    default:
        return rep <= value;
    }
}

bool detect_dataset_match(DetectThread *dt, const Signature *s, const void *ctx,
                          const uint8_t *buf, uint32_t len)
{
    const DetectDatasetCtx *c = ctx;
    runtime_order_wait();  // a set shared by every flow: in packet order
    uint8_t mapped[16];
    if (len == 4 && detect_dataset_type(c->ds) == DETECT_DS_IP) {
        /* an IPv4 address (ip.src) in a set of IPv4 and IPv6 addresses: v4-mapped */
        static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        memcpy(mapped, prefix, 12);
        memcpy(mapped + 12, buf, 4);
        buf = mapped;
        len = 16;
    }
    if (c->cmd == DS_ISSET && c->context_key[0] != '\0') {
        char json[DETECT_VAR_VALUE_MAX];
        if (!detect_dataset_lookup_json(c->ds, buf, len, json, sizeof(json))) {
            return false;
        }
        if (json[0] != '\0') {   // kept if s matches, as pcre captures
            detect_vars_capture(dt, s, &c->context_var, (const uint8_t *)json, strlen(json));
        }
        return true;
    }
    switch (c->cmd) {
    case DS_SET:
        (void)detect_dataset_insert(c->ds, buf, len);
        return true;
    case DS_UNSET:
        (void)detect_dataset_delete(c->ds, buf, len);
        return true;
    case DS_ISSET:
        return detect_dataset_contains(c->ds, buf, len);
    case DS_REP: {
        uint16_t rep = 0;
        return detect_dataset_lookup_rep(c->ds, buf, len, &rep) &&
               rep_compare(c->rep_op, rep, c->rep_value);
    }
    default:
        return !detect_dataset_contains(c->ds, buf, len);
    }
}

/* A file named in a rule, resolved against the rule file's directory, or
 * against data-dir for a file the set writes (is_write) when data-dir is set. */
static int rule_path(DetectParser *dp, const char *name, bool is_write, char *out,
                     size_t out_len)
{
    bool is_abs = name[0] == '/';
    bool climbs = strcmp(name, "..") == 0 || strncmp(name, "../", 3) == 0 ||
                  strstr(name, "/../") != NULL ||
                  (strlen(name) >= 3 && strcmp(name + strlen(name) - 3, "/..") == 0);
    if ((is_abs || climbs) && !dp->de->ds_allow_absolute) {
        return detect_err(dp, "dataset file '%s': absolute or '..' names need "
                          "datasets.rules.allow-absolute-filenames", name);
    }
    bool in_data_dir = is_write && dp->de->ds_data_dir[0] != '\0';
    if (is_abs || (!in_data_dir && (dp->s->file == NULL || dp->s->file[0] == '<'))) {
        snprintf(out, out_len, "%s", name);
        return 0;
    }
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", in_data_dir ? dp->de->ds_data_dir : dp->s->file);
    int n = snprintf(out, out_len, "%s/%s", in_data_dir ? dir : dirname(dir), name);
    if (n < 0 || (size_t)n >= out_len) {
        return detect_err(dp, "dataset file '%s': path too long", name);
    }
    return 0;
}

/* File names resolved for a spec (they must outlive detect_dataset_get). */
typedef struct DatasetPaths {
    char load[4096];
    char save[4096];
    char state[4096];
} DatasetPaths;

/* The "NAME VALUE" options from token first on; kw names the keyword (datarep
 * takes no save, state nor the datajson options: format, context_key, value_key,
 * array_key, remove_key). */
static int parse_options(DetectParser *dp, DetectKwTokens *tk, int first, const char *kw,
                         DetectDatasetSpec *spec, DatasetPaths *paths, DetectDatasetCtx *c)
{
    bool is_rep = spec->is_rep;
    for (int i = first; i < tk->n; i++) {
        char *opt = tk->t[i];
        if (!is_rep && strcmp(opt, "remove_key") == 0) {
            spec->remove_key = true;
            continue;
        }
        char *val = strchr(opt, ' ');
        if (val == NULL) {
            return detect_err(dp, "bad %s option '%s' (NAME VALUE)", kw, opt);
        }
        *val++ = '\0';
        while (*val == ' ') {
            val++;
        }
        int64_t n;
        uint64_t sz;
        if (strcmp(opt, "type") == 0) {
            if (!detect_dataset_type_parse(val, &spec->type)) {
                return detect_err(dp, "bad %s type '%s' (string|md5|sha256|ipv4|ip|ipv6)", kw, val);
            }
            spec->has_type = true;
        } else if (strcmp(opt, "load") == 0) {
            if (rule_path(dp, val, false, paths->load, sizeof(paths->load)) != 0) {
                return VG_EINVAL;
            }
            spec->load_path = paths->load;
        } else if (!is_rep && (strcmp(opt, "save") == 0 || strcmp(opt, "state") == 0)) {
            bool is_state = opt[1] == 't';
            if (!dp->de->ds_allow_write) {
                return detect_err(dp, "dataset %s: writing files from rules is off "
                                  "(datasets.rules.allow-write)", opt);
            }
            char *dst = is_state ? paths->state : paths->save;
            if (rule_path(dp, val, true, dst, sizeof(paths->save)) != 0) {
                return VG_EINVAL;
            }
            if (is_state) {
                spec->state_path = dst;
            } else {
                spec->save_path = dst;
            }
        } else if (strcmp(opt, "memcap") == 0) {
            if (!conf_parse_size(val, &sz) || sz == 0) {
                return detect_err(dp, "bad %s memcap '%s'", kw, val);
            }
            spec->memcap = sz;
        } else if (strcmp(opt, "hashsize") == 0) {
            if (!detect_parse_int(val, 1, 1 << 24, &n)) {
                return detect_err(dp, "bad %s hashsize '%s' (1 to 16777216)", kw, val);
            }
            spec->hashsize = (uint32_t)n;
        } else if (!is_rep && strcmp(opt, "format") == 0) {
            static const char *const fmts[] = {"csv", "json", "ndjson"};
            uint8_t f = 0xff;
            for (uint8_t k = 0; k < 3; k++) {
                f = strcmp(val, fmts[k]) == 0 ? k : f;
            }
            if (f == 0xff) {
                return detect_err(dp, "bad dataset format '%s' (csv|json|ndjson)", val);
            }
            spec->format = f;
        } else if (!is_rep && strcmp(opt, "context_key") == 0) {
            if (strlen(val) >= sizeof(c->context_key)) {
                return detect_err(dp, "dataset context_key '%s' too long", val);
            }
            snprintf(c->context_key, sizeof(c->context_key), "%s", val);
        } else if (!is_rep && strcmp(opt, "value_key") == 0) {
            spec->value_key = val;
        } else if (!is_rep && strcmp(opt, "array_key") == 0) {
            spec->array_key = val;
        } else {
            return detect_err(dp, "unknown %s option '%s'%s", kw, opt,
                              is_rep ? " (type, load, memcap, hashsize)" : "");
        }
    }
    if (spec->format != DETECT_DS_FMT_CSV && (spec->load_path == NULL || spec->value_key == NULL)) {
        return detect_err(dp, "dataset format json/ndjson needs load and value_key");
    }
    if (spec->format == DETECT_DS_FMT_CSV &&
        (spec->value_key != NULL || spec->array_key != NULL || spec->remove_key ||
         c->context_key[0] != '\0')) {
        return detect_err(dp, "dataset value_key, array_key, remove_key and context_key go "
                              "with format json or ndjson");
    }
    return 0;
}

/* The set (created and loaded when new), then the match in the buffer's chain. */
static int append_set_match(DetectParser *dp, const DetectDatasetSpec *spec, DetectDatasetCtx c,
                            const DetectKeyword *kw)
{
    char err[512];   // datajson errors name the file and the element
    if (detect_dataset_get(spec, &c.ds, err, sizeof(err)) != 0) {
        return detect_err(dp, "%s", err);
    }
    DetectDatasetCtx *ctx = malloc(sizeof(*ctx));
    if (ctx == NULL) {
        return detect_err(dp, "out of memory");
    }
    *ctx = c;
    dp->de->shares_state = true;
    ctx->context_var = (DetectPcreVar){.kind = DETECT_VAR_ALERT_JSON, .name = ctx->context_key};
    /* Like a length check: no payload position for relative keywords. */
    uint16_t last_list = dp->last_list;
    int last_pm = dp->last_pm;
    int rc = detect_append(dp, DETECT_LIST_PMATCH, kw, ctx, DETECT_PM_DATASET);
    dp->last_list = last_list;
    dp->last_pm = last_pm;
    return rc;
}

static int check_name(DetectParser *dp, const char *kw, const char *name)
{
    if (strlen(name) >= DETECT_DATASET_NAME_MAX) {
        return detect_err(dp, "%s name '%s' longer than %d bytes", kw, name,
                          DETECT_DATASET_NAME_MAX - 1);
    }
    return 0;
}

static int setup_dataset(DetectParser *dp, const char *arg)
{
    static const char *const cmds[] = {"set", "unset", "isset", "isnotset"};
    DetectKwTokens tk;
    if (detect_kw_split(dp, arg, &tk, 14, false) != 0) {
        return VG_EINVAL;
    }
    if (tk.n < 2) {
        return detect_err(dp, "dataset needs a command and a set name");
    }
    DetectDatasetCtx c = {.cmd = 0xff};
    for (uint8_t i = 0; i < 4; i++) {
        if (strcmp(tk.t[0], cmds[i]) == 0) {
            c.cmd = i;
        }
    }
    if (c.cmd == 0xff) {
        return detect_err(dp, "bad dataset command '%s' (set|unset|isset|isnotset)", tk.t[0]);
    }
    if (check_name(dp, "dataset", tk.t[1]) != 0) {
        return VG_EINVAL;
    }
    DetectDatasetSpec spec = {.name = tk.t[1]};
    DatasetPaths *paths = malloc(sizeof(*paths));
    if (paths == NULL) {
        return detect_err(dp, "out of memory");
    }
    int rc = parse_options(dp, &tk, 2, "dataset", &spec, paths, &c);
    if (rc == 0) {
        rc = append_set_match(dp, &spec, c, &detect_kw_dataset);
    }
    free(paths);
    return rc;
}

static int setup_datarep(DetectParser *dp, const char *arg)
{
    static const char *const ops[] = {">", "<", "==", "!=", ">=", "<="};
    DetectKwTokens tk;
    if (detect_kw_split(dp, arg, &tk, 8, false) != 0) {
        return VG_EINVAL;
    }
    if (tk.n < 3) {
        return detect_err(dp, "datarep needs a set name, an operator and a value "
                          "(datarep:NAME,>,VALUE[,type T,load FILE])");
    }
    if (check_name(dp, "datarep", tk.t[0]) != 0) {
        return VG_EINVAL;
    }
    DetectDatasetCtx c = {.cmd = DS_REP, .rep_op = 0xff};
    for (uint8_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strcmp(tk.t[1], ops[i]) == 0) {
            c.rep_op = i;
        }
    }
    if (c.rep_op == 0xff) {
        return detect_err(dp, "bad datarep operator '%s' (>, <, ==, !=, >=, <=)", tk.t[1]);
    }
    int64_t v = 0;
    if (!detect_parse_int(tk.t[2], 0, 65535, &v)) {
        return detect_err(dp, "bad datarep value '%s' (0..65535)", tk.t[2]);
    }
    c.rep_value = (uint16_t)v;
    DetectDatasetSpec spec = {.name = tk.t[0], .is_rep = true};
    DatasetPaths *paths = malloc(sizeof(*paths));
    if (paths == NULL) {
        return detect_err(dp, "out of memory");
    }
    int rc = parse_options(dp, &tk, 3, "datarep", &spec, paths, &c);
    if (rc == 0) {
        rc = append_set_match(dp, &spec, c, &detect_kw_datarep);
    }
    free(paths);
    return rc;
}

const DetectKeyword detect_kw_dataset = {
    .name = "dataset",
    .desc = "check or change a named set with the buffer: cmd,name[,type T][,load F]...",
    .setup = setup_dataset, .free = free,
};

const DetectKeyword detect_kw_datarep = {
    .name = "datarep",
    .desc = "compare the reputation a named set gives the buffer: name,op,value[,type T][,load F]",
    .setup = setup_datarep, .free = free,
};
