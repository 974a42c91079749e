/* dataset: check the current buffer against a named set, or add it / take it
 * out (Suricata's datasets).
 *
 *   dataset:<set|unset|isset|isnotset>,<name>[,type <string|md5|sha256|ipv4|ip>]
 *           [,load <file>][,save <file>][,state <file>][,memcap <size>]
 *           [,hashsize <n>][,format csv|json|ndjson][,context_key K][,value_key V]
 *           [,array_key A][,remove_key]
 *
 * It sits in the buffer's chain like bsize: it looks at the whole buffer and
 * leaves the position of relative keywords alone. set and unset always
 * match. Files named in rules are relative to the rule file's directory; an
 * absolute name or one climbing out with ".." needs
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
#include "util/util-error.h"

enum { DS_SET = 0, DS_UNSET, DS_ISSET, DS_ISNOTSET };

typedef struct DetectDatasetCtx {
    Dataset *ds;
    uint8_t cmd;
    char context_key[DETECT_DATASET_NAME_MAX];   // datajson: the alert.context member ("")
} DetectDatasetCtx;

bool detect_dataset_match(DetectThread *dt, const Signature *s, const void *ctx,
                          const uint8_t *buf, uint32_t len)
{
    const DetectDatasetCtx *c = ctx;
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
        char json[DETECT_CAP_JSON_MAX];
        if (!detect_dataset_lookup_json(c->ds, buf, len, json, sizeof(json))) {
            return false;
        }
        if (json[0] != '\0') {
            detect_capture_pending_json(dt, s, c->context_key, json);
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
    default:
        return !detect_dataset_contains(c->ds, buf, len);
    }
}

/* A file named in a rule, resolved against the rule file's directory. */
static int rule_path(DetectParser *dp, const char *name, char *out, size_t out_len)
{
    bool is_abs = name[0] == '/';
    bool climbs = strcmp(name, "..") == 0 || strncmp(name, "../", 3) == 0 ||
                  strstr(name, "/../") != NULL ||
                  (strlen(name) >= 3 && strcmp(name + strlen(name) - 3, "/..") == 0);
    if ((is_abs || climbs) && !dp->de->ds_allow_absolute) {
        return detect_err(dp, "dataset file '%s': absolute or '..' names need "
                          "datasets.rules.allow-absolute-filenames", name);
    }
    if (is_abs || dp->s->file == NULL || dp->s->file[0] == '<') {
        snprintf(out, out_len, "%s", name);
        return 0;
    }
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", dp->s->file);
    int n = snprintf(out, out_len, "%s/%s", dirname(dir), name);
    if (n < 0 || (size_t)n >= out_len) {
        return detect_err(dp, "dataset file '%s': path too long", name);
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
    if (strlen(tk.t[1]) >= DETECT_DATASET_NAME_MAX) {
        return detect_err(dp, "dataset name '%s' longer than %d bytes", tk.t[1],
                          DETECT_DATASET_NAME_MAX - 1);
    }
    DetectDatasetSpec spec = {.name = tk.t[1]};
    char load[4096];
    char save[4096];
    char state[4096];
    for (int i = 2; i < tk.n; i++) {
        char *opt = tk.t[i];
        if (strcmp(opt, "remove_key") == 0) {
            spec.remove_key = true;
            continue;
        }
        char *val = strchr(opt, ' ');
        if (val == NULL) {
            return detect_err(dp, "bad dataset option '%s' (NAME VALUE)", opt);
        }
        *val++ = '\0';
        while (*val == ' ') {
            val++;
        }
        int64_t n;
        uint64_t sz;
        if (strcmp(opt, "type") == 0) {
            if (!detect_dataset_type_parse(val, &spec.type)) {
                return detect_err(dp, "bad dataset type '%s' (string|md5|sha256|ipv4|ip)", val);
            }
            spec.has_type = true;
        } else if (strcmp(opt, "load") == 0) {
            if (rule_path(dp, val, load, sizeof(load)) != 0) {
                return VG_EINVAL;
            }
            spec.load_path = load;
        } else if (strcmp(opt, "save") == 0 || strcmp(opt, "state") == 0) {
            bool is_state = opt[1] == 't';
            if (!dp->de->ds_allow_write) {
                return detect_err(dp, "dataset %s: writing files from rules is off "
                                  "(datasets.rules.allow-write)", opt);
            }
            if (rule_path(dp, val, is_state ? state : save, sizeof(save)) != 0) {
                return VG_EINVAL;
            }
            if (is_state) {
                spec.state_path = state;
            } else {
                spec.save_path = save;
            }
        } else if (strcmp(opt, "memcap") == 0) {
            if (!conf_parse_size(val, &sz) || sz == 0) {
                return detect_err(dp, "bad dataset memcap '%s'", val);
            }
            spec.memcap = sz;
        } else if (strcmp(opt, "format") == 0) {
            static const char *const fmts[] = {"csv", "json", "ndjson"};
            uint8_t f = 0xff;
            for (uint8_t k = 0; k < 3; k++) {
                f = strcmp(val, fmts[k]) == 0 ? k : f;
            }
            if (f == 0xff) {
                return detect_err(dp, "bad dataset format '%s' (csv|json|ndjson)", val);
            }
            spec.format = f;
        } else if (strcmp(opt, "context_key") == 0) {
            if (strlen(val) >= sizeof(c.context_key)) {
                return detect_err(dp, "dataset context_key '%s' too long", val);
            }
            snprintf(c.context_key, sizeof(c.context_key), "%s", val);
        } else if (strcmp(opt, "value_key") == 0) {
            spec.value_key = val;
        } else if (strcmp(opt, "array_key") == 0) {
            spec.array_key = val;
        } else if (strcmp(opt, "hashsize") == 0) {
            if (!detect_parse_int(val, 1, 1 << 24, &n)) {
                return detect_err(dp, "bad dataset hashsize '%s' (1 to 16777216)", val);
            }
            spec.hashsize = (uint32_t)n;
        } else {
            return detect_err(dp, "unknown dataset option '%s'", opt);
        }
    }
    if (spec.format != DETECT_DS_FMT_CSV && (spec.load_path == NULL || spec.value_key == NULL)) {
        return detect_err(dp, "dataset format json/ndjson needs load and value_key");
    }
    if (spec.format == DETECT_DS_FMT_CSV && (spec.value_key != NULL || spec.array_key != NULL ||
                                             spec.remove_key || c.context_key[0] != '\0')) {
        return detect_err(dp, "dataset value_key, array_key, remove_key and context_key go "
                              "with format json or ndjson");
    }
    char err[512];
    if (detect_dataset_get(&spec, &c.ds, err, sizeof(err)) != 0) {
        return detect_err(dp, "%s", err);
    }
    DetectDatasetCtx *ctx = malloc(sizeof(*ctx));
    if (ctx == NULL) {
        return detect_err(dp, "out of memory");
    }
    *ctx = c;
    /* Like a length check: no payload position for relative keywords. */
    uint16_t last_list = dp->last_list;
    int last_pm = dp->last_pm;
    int rc = detect_append(dp, DETECT_LIST_PMATCH, &detect_kw_dataset, ctx, DETECT_PM_DATASET);
    dp->last_list = last_list;
    dp->last_pm = last_pm;
    return rc;
}

const DetectKeyword detect_kw_dataset = {
    .name = "dataset",
    .desc = "check or change a named set with the buffer: cmd,name[,type T][,load F]...",
    .setup = setup_dataset, .free = free,
};
