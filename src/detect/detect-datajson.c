/* datajson (Suricata 8): a dataset whose values each carry a JSON object, loaded from
 * a JSON file, and logged in the alert's context when the rule matches.
 *
 *   dataset:isset,NAME,type T,load FILE,format json|ndjson,context_key K,value_key V
 *           [,array_key A][,remove_key]
 *
 * format json: the file is one JSON value, an array of objects (or an object whose
 * member A, a dotted path, is that array); ndjson: one object a line. Each object's
 * member V (a dotted path: host.fqdn) is the value (a string; for md5, sha256 and IP
 * sets in their usual text form) and the object, without that member when remove_key
 * is given, is kept with it. An isset match puts the object under "alert.context.K"
 * (an alert variable, detect_vars_capture; objects of DETECT_VAR_VALUE_MAX bytes or more
 * are not logged). Files are bounded by util-json-parse (1 MiB, 4096
 * values per document). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "util/util-error.h"
#include "util/util-file.h"
#include "util/util-json-parse.h"
#include "util/util-json.h"
#include "util/util-log.h"

#define DJ_VALUE_MAX 4096

/* The member at a dotted path ("a.b.c") of v; NULL when absent. */
static const JsonValue *at_path(const JsonValue *v, const char *path)
{
    char key[256];
    while (v != NULL && path != NULL && *path != '\0') {
        const char *dot = strchr(path, '.');
        size_t n = dot != NULL ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof(key)) {
            return NULL;
        }
        memcpy(key, path, n);
        key[n] = '\0';
        v = json_object_get(v, key);
        path = dot != NULL ? dot + 1 : NULL;
    }
    return v;
}

/* v as JSON text into jb, leaving out the node skip. */
static void write_value(JsonBuf *jb, const char *key, const JsonValue *v, const JsonValue *skip)
{
    switch (v->type) {
    case JSON_T_NULL:
        json_null(jb, key);
        break;
    case JSON_T_BOOL:
        json_bool(jb, key, v->b);
        break;
    case JSON_T_NUMBER:
        json_raw(jb, key, v->str);
        break;
    case JSON_T_STRING:
        json_strn(jb, key, (const uint8_t *)v->str, v->str_len);
        break;
    case JSON_T_ARRAY:
    case JSON_T_OBJECT:
        if (v->type == JSON_T_ARRAY) {
            json_open_array(jb, key);
        } else {
            json_open_object(jb, key);
        }
        for (const JsonValue *c = v->child; c != NULL; c = c->next) {
            if (c != skip) {
                write_value(jb, v->type == JSON_T_OBJECT ? c->key : NULL, c, skip);
            }
        }
        if (v->type == JSON_T_ARRAY) {
            json_close_array(jb);
        } else {
            json_close_object(jb);
        }
        break;
    }
}

typedef struct DjLoad {
    Dataset *ds;
    const DetectDatasetSpec *spec;
    JsonBuf jb;
    uint8_t val[DJ_VALUE_MAX];
    uint64_t n_bad;
    uint64_t n_full;
    char *err;
    size_t err_len;
} DjLoad;

/* One object of the file; where says which for messages. False stops the load. */
static bool add_object(DjLoad *l, const JsonValue *obj, const char *where)
{
    const JsonValue *v = obj->type == JSON_T_OBJECT ? at_path(obj, l->spec->value_key) : NULL;
    if (v == NULL) {
        if (l->n_bad++ < 10) {
            VG_WARN("%s: no member '%s'; object skipped", where, l->spec->value_key);
        }
        return true;
    }
    uint32_t vl = 0;
    if (v->type != JSON_T_STRING ||
        !detect_dataset_decode_text(l->ds, v->str, v->str_len, l->val, sizeof(l->val), &vl)) {
        snprintf(l->err, l->err_len, "%s: '%s' is not a %s value of dataset %s", where,
                 l->spec->value_key, detect_dataset_type_name(detect_dataset_type(l->ds)),
                 detect_dataset_name(l->ds));
        return false;
    }
    json_buf_reset(&l->jb);
    write_value(&l->jb, NULL, obj, l->spec->remove_key ? v : NULL);
    if (json_failed(&l->jb)) {
        snprintf(l->err, l->err_len, "out of memory");
        return false;
    }
    int rc = detect_dataset_insert_json(l->ds, l->val, vl, l->jb.buf);
    if (rc == VG_ERANGE) {
        l->n_full++;
    } else if (rc == VG_ENOMEM) {
        snprintf(l->err, l->err_len, "out of memory");
        return false;
    }
    return true;
}

static bool parse(DjLoad *l, const char *text, size_t len, const char *where, JsonDoc **doc)
{
    char why[160];
    if (json_parse(text, len, doc, why, sizeof(why)) != 0) {
        snprintf(l->err, l->err_len, "%s: not JSON: %s", where, why);
        return false;
    }
    return true;
}

static bool load_json(DjLoad *l, const char *buf, size_t len)
{
    const char *path = l->spec->load_path;
    JsonDoc *doc = NULL;
    if (!parse(l, buf, len, path, &doc)) {
        return false;
    }
    const JsonValue *arr = json_doc_root(doc);
    if (l->spec->array_key != NULL) {
        arr = at_path(arr, l->spec->array_key);
    }
    bool ok = arr != NULL && arr->type == JSON_T_ARRAY;
    if (!ok) {
        snprintf(l->err, l->err_len, "%s: %s is not an array of objects", path,
                 l->spec->array_key != NULL ? l->spec->array_key : "the document");
    }
    int i = 0;
    for (const JsonValue *o = ok ? arr->child : NULL; o != NULL && ok; o = o->next, i++) {
        char where[4200];
        snprintf(where, sizeof(where), "%s: element %d", path, i);
        ok = add_object(l, o, where);
    }
    json_doc_free(doc);
    return ok;
}

static bool load_ndjson(DjLoad *l, const char *buf, size_t len)
{
    UtilLines it;
    util_lines_init(&it, buf, len);
    const char *line;
    size_t n;
    while (util_lines_next(&it, &line, &n)) {
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t')) {
            n--;
        }
        if (n == 0) {
            continue;
        }
        char where[4200];
        snprintf(where, sizeof(where), "%s:%d", l->spec->load_path, it.line);
        JsonDoc *doc = NULL;
        if (!parse(l, line, n, where, &doc)) {
            return false;
        }
        bool ok = add_object(l, json_doc_root(doc), where);
        json_doc_free(doc);
        if (!ok) {
            return false;
        }
    }
    return true;
}

int detect_datajson_load(Dataset *ds, const DetectDatasetSpec *spec, char *err, size_t err_len)
{
    if (spec->value_key == NULL) {
        snprintf(err, err_len, "dataset '%s': format %s needs value_key", spec->name,
                 spec->format == DETECT_DS_FMT_JSON ? "json" : "ndjson");
        return VG_EINVAL;
    }
    size_t len = 0;
    int e = 0;
    char *buf = util_file_read(spec->load_path, (size_t)64 << 20, &len, &e);
    if (buf == NULL) {
        snprintf(err, err_len, "dataset '%s': cannot read %s: %s", spec->name, spec->load_path,
                 strerror(e));
        return VG_EIO;
    }
    DjLoad *l = calloc(1, sizeof(*l));
    if (l == NULL || json_buf_init(&l->jb, 256) != 0) {
        free(l);
        free(buf);
        snprintf(err, err_len, "out of memory");
        return VG_ENOMEM;
    }
    l->ds = ds;
    l->spec = spec;
    l->err = err;
    l->err_len = err_len;
    bool ok = spec->format == DETECT_DS_FMT_JSON ? load_json(l, buf, len)
                                                 : load_ndjson(l, buf, len);
    if (ok && l->n_bad > 10) {
        VG_WARN("%s: %llu objects without '%s' in all", spec->load_path,
                (unsigned long long)l->n_bad, spec->value_key);
    }
    if (ok && l->n_full > 0) {
        VG_WARN("dataset %s: memcap reached loading %s: %llu values left out", spec->name,
                spec->load_path, (unsigned long long)l->n_full);
    }
    json_buf_deinit(&l->jb);
    free(l);
    free(buf);
    return ok ? 0 : VG_EINVAL;
}
