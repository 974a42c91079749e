/* Datasets: named sets of values that rules check buffers against (the
 * dataset keyword) and operators fill from files or the control socket, as
 * Suricata's datasets.
 *
 * The sets are process-wide and outlive rule reloads: a reloaded rule set
 * finds its sets (and what was added to them) by name. Each set has a type
 * that says how its values are written in files and commands (its serialized
 * form) and what a buffer must look like to be looked up:
 *   string  any bytes; serialized as base64
 *   md5     16 bytes; serialized as 32 hex digits
 *   sha256  32 bytes; serialized as 64 hex digits
 *   ipv4    4 bytes;  serialized as a dotted quad
 *   ip      16 bytes (IPv4 as ::ffff:a.b.c.d; "ipv6" is another name for it);
 *           serialized as a dotted quad or as eight groups of four hex digits
 *           (0004:0005:0000:..., as Suricata writes them)
 * A set is a chained hash table under a read-write lock (lookups share it,
 * additions take it alone) with a memory cap: past it, additions fail and are
 * counted. Files: `load` is read when the set is created, `save` written at
 * exit and on dataset-dump (to a temporary file renamed over it), `state` is
 * both. A datarep set (created by the datarep keyword) gives each value a
 * reputation, 0..65535, written after it in files: `value,reputation`. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "detect/detect-internal.h"
#include "util/util-base64.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define DS_ITEM_MAX 65535          // bytes of one value
#define DS_LINE_MAX (DS_ITEM_MAX * 4 / 3 + 16)

typedef struct DsItem {
    struct DsItem *next;
    char *json;                    // the value's JSON object (datajson sets), else NULL
    uint32_t len;
    uint16_t rep;                  // datarep sets: the value's reputation
    uint8_t data[];
} DsItem;

struct Dataset {
    char name[DETECT_DATASET_NAME_MAX];
    DetectDatasetType type;
    bool is_rep;                   // a datarep set
    pthread_rwlock_t lock;
    DsItem **buckets;
    uint32_t n_buckets;
    uint64_t n_items;
    uint64_t memuse;
    uint64_t memcap;
    _Atomic uint64_t n_refused;    // additions refused by the memcap
    char *save_path;               // NULL: never written
    struct Dataset *next;
};

static pthread_mutex_t g_sets_lock = PTHREAD_MUTEX_INITIALIZER;
static Dataset *g_sets;

static const char *const k_type_names[] = {"string", "md5", "sha256", "ipv4", "ip"};

bool detect_dataset_type_parse(const char *s, DetectDatasetType *out)
{
    if (strcmp(s, "ipv6") == 0) {
        *out = DETECT_DS_IP;
        return true;
    }
    for (int i = 0; i <= DETECT_DS_IP; i++) {
        if (strcmp(s, k_type_names[i]) == 0) {
            *out = (DetectDatasetType)i;
            return true;
        }
    }
    return false;
}

const char *detect_dataset_type_name(DetectDatasetType t)
{
    return t <= DETECT_DS_IP ? k_type_names[t] : "?";
}

DetectDatasetType detect_dataset_type(const Dataset *ds)
{
    return ds->type;
}

const char *detect_dataset_name(const Dataset *ds)
{
    return ds->name;
}

/* ---- serialized form ---------------------------------------------------- */

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decodes text (len bytes, no terminator needed) into out (cap bytes) by the
 * set type; the length in *out_len. False when text is not a value of type. */
static bool decode_value(DetectDatasetType type, const char *text, size_t len, uint8_t *out,
                         size_t cap, uint32_t *out_len)
{
    switch (type) {
    case DETECT_DS_STRING: {
        if (len == 0 || len % 4 != 0 || len / 4 * 3 > cap) {
            return false;
        }
        /* Strict: the alphabet only, '=' only as the last one or two. */
        for (size_t i = 0; i < len; i++) {
            char c = text[i];
            bool is_alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '+' || c == '/';
            bool is_pad = c == '=' && (i == len - 1 || (i == len - 2 && text[len - 1] == '='));
            if (!is_alpha && !is_pad) {
                return false;
            }
        }
        int n = EVP_DecodeBlock(out, (const unsigned char *)text, (int)len);
        if (n < 0) {
            return false;
        }
        /* EVP_DecodeBlock counts the padding as zero bytes. */
        if (text[len - 1] == '=') {
            n--;
            if (text[len - 2] == '=') {
                n--;
            }
        }
        *out_len = (uint32_t)n;
        return true;
    }
    case DETECT_DS_MD5:
    case DETECT_DS_SHA256: {
        size_t want = type == DETECT_DS_MD5 ? 16 : 32;
        if (len != want * 2 || cap < want) {
            return false;
        }
        for (size_t i = 0; i < want; i++) {
            int hi = hex_val(text[2 * i]);
            int lo = hex_val(text[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                return false;
            }
            out[i] = (uint8_t)(hi << 4 | lo);
        }
        *out_len = (uint32_t)want;
        return true;
    }
    case DETECT_DS_IPV4:
    case DETECT_DS_IP: {
        char buf[64];
        if (len >= sizeof(buf) || cap < 16) {
            return false;
        }
        memcpy(buf, text, len);
        buf[len] = '\0';
        uint8_t a4[4];
        if (inet_pton(AF_INET, buf, a4) == 1) {
            if (type == DETECT_DS_IPV4) {
                memcpy(out, a4, 4);
                *out_len = 4;
            } else {
                static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
                memcpy(out, mapped, 12);
                memcpy(out + 12, a4, 4);
                *out_len = 16;
            }
            return true;
        }
        if (type == DETECT_DS_IP && inet_pton(AF_INET6, buf, out) == 1) {
            *out_len = 16;
            return true;
        }
        return false;
    }
    }
    return false;
}

/* Writes the serialized form of an item; false when out is too small. */
static bool encode_value(DetectDatasetType type, const uint8_t *d, uint32_t len, char *out,
                         size_t cap)
{
    switch (type) {
    case DETECT_DS_STRING:
        return util_base64_encode(out, cap, d, len, NULL) == 0;
    case DETECT_DS_MD5:
    case DETECT_DS_SHA256:
        if (cap < (size_t)len * 2 + 1) {
            return false;
        }
        for (uint32_t i = 0; i < len; i++) {
            snprintf(out + 2 * i, 3, "%02x", d[i]);
        }
        return true;
    case DETECT_DS_IPV4:
        return inet_ntop(AF_INET, d, out, (socklen_t)cap) != NULL;
    case DETECT_DS_IP: {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(d, mapped, 12) == 0) {
            return inet_ntop(AF_INET, d + 12, out, (socklen_t)cap) != NULL;
        }
        if (cap < 40) {
            return false;
        }
        for (int i = 0; i < 8; i++) {
            snprintf(out + 5 * i, 6, i < 7 ? "%02x%02x:" : "%02x%02x", d[2 * i], d[2 * i + 1]);
        }
        return true;
    }
    }
    return false;
}

/* ---- the table ---------------------------------------------------------- */

static bool type_len_ok(DetectDatasetType type, uint32_t len)
{
    switch (type) {
    case DETECT_DS_MD5:
        return len == 16;
    case DETECT_DS_SHA256:
        return len == 32;
    case DETECT_DS_IPV4:
        return len == 4;
    case DETECT_DS_IP:
        return len == 16;
    default:
        return len <= DS_ITEM_MAX;
    }
}

static DsItem **find_slot(Dataset *ds, const uint8_t *d, uint32_t len)
{
    DsItem **pp = &ds->buckets[detect_hash(d, len) % ds->n_buckets];
    while (*pp != NULL && !((*pp)->len == len && memcmp((*pp)->data, d, len) == 0)) {
        pp = &(*pp)->next;
    }
    return pp;
}

bool detect_dataset_contains(Dataset *ds, const uint8_t *d, uint32_t len)
{
    if (!type_len_ok(ds->type, len)) {
        return false;
    }
    pthread_rwlock_rdlock(&ds->lock);
    bool found = *find_slot(ds, d, len) != NULL;
    pthread_rwlock_unlock(&ds->lock);
    return found;
}

static size_t item_size(const DsItem *it)
{
    return sizeof(DsItem) + it->len + (it->json != NULL ? strlen(it->json) + 1 : 0);
}

/* d's item, read under the set's lock: its reputation into *rep and its JSON object into
 * json (when both are non-NULL; empty when it has none or it does not fit). */
static bool lookup_item(Dataset *ds, const uint8_t *d, uint32_t len, uint16_t *rep, char *json,
                        size_t json_len)
{
    if (json != NULL && json_len > 0) {
        json[0] = '\0';
    }
    if (!type_len_ok(ds->type, len)) {
        return false;
    }
    pthread_rwlock_rdlock(&ds->lock);
    const DsItem *it = *find_slot(ds, d, len);
    if (it != NULL && rep != NULL) {
        *rep = it->rep;
    }
    if (it != NULL && json != NULL && it->json != NULL && strlen(it->json) < json_len) {
        memcpy(json, it->json, strlen(it->json) + 1);
    }
    pthread_rwlock_unlock(&ds->lock);
    return it != NULL;
}

bool detect_dataset_lookup_rep(Dataset *ds, const uint8_t *d, uint32_t len, uint16_t *rep)
{
    return lookup_item(ds, d, len, rep, NULL, 0);
}

bool detect_dataset_lookup_json(Dataset *ds, const uint8_t *d, uint32_t len, char *json,
                                size_t json_len)
{
    return lookup_item(ds, d, len, NULL, json, json_len);
}

bool detect_dataset_decode_text(const Dataset *ds, const char *text, size_t len, uint8_t *out,
                                size_t cap, uint32_t *out_len)
{
    if (ds->type == DETECT_DS_STRING) {   // JSON values are the text itself, not base64
        if (len == 0 || len > cap) {
            return false;
        }
        memcpy(out, text, len);
        *out_len = (uint32_t)len;
        return true;
    }
    return decode_value(ds->type, text, len, out, cap, out_len);
}

static int insert_item(Dataset *ds, const uint8_t *d, uint32_t len, uint16_t rep,
                       const char *json);

int detect_dataset_insert(Dataset *ds, const uint8_t *d, uint32_t len)
{
    return insert_item(ds, d, len, 0, NULL);
}

int detect_dataset_insert_rep(Dataset *ds, const uint8_t *d, uint32_t len, uint16_t rep)
{
    return insert_item(ds, d, len, rep, NULL);
}

int detect_dataset_insert_json(Dataset *ds, const uint8_t *d, uint32_t len, const char *json)
{
    return insert_item(ds, d, len, 0, json);
}

static int insert_item(Dataset *ds, const uint8_t *d, uint32_t len, uint16_t rep,
                       const char *json)
{
    if (!type_len_ok(ds->type, len)) {
        return VG_EINVAL;
    }
    size_t sz = sizeof(DsItem) + len + (json != NULL ? strlen(json) + 1 : 0);
    char *jcopy = json != NULL ? strdup(json) : NULL;
    if (json != NULL && jcopy == NULL) {
        return VG_ENOMEM;
    }
    pthread_rwlock_wrlock(&ds->lock);
    DsItem **pp = find_slot(ds, d, len);
    int rc = 0;
    if (*pp != NULL) {
        rc = VG_EEXIST;
    } else if (ds->memuse + sz > ds->memcap) {
        atomic_fetch_add_explicit(&ds->n_refused, 1, memory_order_relaxed);
        rc = VG_ERANGE;
    } else if ((*pp = malloc(sizeof(DsItem) + len)) == NULL) {
        rc = VG_ENOMEM;
    } else {
        (*pp)->next = NULL;
        (*pp)->len = len;
        (*pp)->rep = rep;
        (*pp)->json = jcopy;
        jcopy = NULL;
        memcpy((*pp)->data, d, len);
        ds->n_items++;
        ds->memuse += sz;
    }
    pthread_rwlock_unlock(&ds->lock);
    free(jcopy);
    return rc;
}

int detect_dataset_delete(Dataset *ds, const uint8_t *d, uint32_t len)
{
    if (!type_len_ok(ds->type, len)) {
        return VG_EINVAL;
    }
    pthread_rwlock_wrlock(&ds->lock);
    DsItem **pp = find_slot(ds, d, len);
    int rc = VG_ENOENT;
    if (*pp != NULL) {
        DsItem *it = *pp;
        *pp = it->next;
        ds->n_items--;
        ds->memuse -= item_size(it);
        free(it->json);
        free(it);
        rc = 0;
    }
    pthread_rwlock_unlock(&ds->lock);
    return rc;
}

static void clear_items(Dataset *ds)
{
    for (uint32_t b = 0; b < ds->n_buckets; b++) {
        DsItem *it = ds->buckets[b];
        while (it != NULL) {
            DsItem *n = it->next;
            free(it->json);
            free(it);
            it = n;
        }
        ds->buckets[b] = NULL;
    }
    ds->n_items = 0;
    ds->memuse = (uint64_t)ds->n_buckets * sizeof(DsItem *);
}

/* ---- files -------------------------------------------------------------- */

/* A reputation: 1 to 5 decimal digits, at most 65535 (spaces around). */
static bool parse_rep(const char *s, size_t len, uint32_t *out)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++, len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
        len--;
    }
    uint32_t v = 0;
    if (len == 0 || len > 5) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *out = v;
    return v <= 65535;
}

/* Reads path into ds: one serialized value a line; blank lines and lines
 * starting with '#' are skipped, a bad line is a warning naming it. A missing
 * file is fine for a state file (nothing saved yet) and an error otherwise. */
static int load_file(Dataset *ds, const char *path, bool missing_ok)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        if (errno == ENOENT && missing_ok) {
            return 0;
        }
        VG_ERROR("dataset %s: cannot read %s: %s", ds->name, path, strerror(errno));
        return VG_EIO;
    }
    char *line = malloc(DS_LINE_MAX);
    uint8_t *val = malloc(DS_ITEM_MAX + 3);
    if (line == NULL || val == NULL) {
        free(line);
        free(val);
        fclose(fp);
        return VG_ENOMEM;
    }
    int lineno = 0;
    uint64_t n_bad = 0;
    uint64_t n_full = 0;
    while (fgets(line, DS_LINE_MAX, fp) != NULL) {
        lineno++;
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] != '\n' && !feof(fp)) {
            /* longer than any value: skip the rest of it, as one bad line */
            int c;
            while ((c = fgetc(fp)) != EOF && c != '\n') {
            }
            if (n_bad++ < 10) {
                VG_WARN("%s:%d: line longer than %d bytes; skipped", path, lineno, DS_LINE_MAX);
            }
            continue;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
                           line[len - 1] == ' ' || line[len - 1] == '\t')) {
            len--;
        }
        if (len == 0 || line[0] == '#') {
            continue;
        }
        /* A value may carry a ",reputation" suffix (datarep files, where it
         * is required): the value is what comes before it. */
        const char *comma = memchr(line, ',', len);
        bool is_bad_rep = ds->is_rep && comma == NULL;
        uint32_t rep = 0;
        if (comma != NULL && ds->is_rep) {
            is_bad_rep = !parse_rep(comma + 1, len - (size_t)(comma - line) - 1, &rep);
        }
        if (comma != NULL) {
            len = (size_t)(comma - line);
        }
        uint32_t vl = 0;
        if (is_bad_rep || !decode_value(ds->type, line, len, val, DS_ITEM_MAX + 3, &vl)) {
            if (n_bad++ < 10) {
                VG_WARN("%s:%d: not a %s value%s of dataset %s; line skipped", path, lineno,
                        k_type_names[ds->type], ds->is_rep ? " and reputation (0..65535)" : "",
                        ds->name);
            }
            continue;
        }
        int rc = detect_dataset_insert_rep(ds, val, vl, (uint16_t)rep);
        if (rc == VG_ERANGE) {
            n_full++;
        } else if (rc == VG_ENOMEM) {
            break;
        }
    }
    free(line);
    free(val);
    fclose(fp);
    if (n_bad > 10) {
        VG_WARN("%s: %llu bad lines in all", path, (unsigned long long)n_bad);
    }
    if (n_full > 0) {
        VG_WARN("dataset %s: memcap reached loading %s: %llu values left out", ds->name, path,
                (unsigned long long)n_full);
    }
    VG_INFO("dataset %s: %llu values from %s", ds->name, (unsigned long long)ds->n_items, path);
    return 0;
}

static int save_file(Dataset *ds)
{
    if (ds->save_path == NULL) {
        return 0;
    }
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", ds->save_path);
    FILE *fp = fopen(tmp, "w");
    if (fp == NULL) {
        VG_ERROR("dataset %s: cannot write %s: %s", ds->name, tmp, strerror(errno));
        return VG_EIO;
    }
    size_t cap = util_base64_encoded_len(DS_ITEM_MAX) + 64;
    char *out = malloc(cap);
    int rc = out != NULL ? 0 : VG_ENOMEM;
    pthread_rwlock_rdlock(&ds->lock);
    for (uint32_t b = 0; rc == 0 && b < ds->n_buckets; b++) {
        for (const DsItem *it = ds->buckets[b]; rc == 0 && it != NULL; it = it->next) {
            if (!encode_value(ds->type, it->data, it->len, out, cap) ||
                (ds->is_rep ? fprintf(fp, "%s,%u\n", out, (unsigned)it->rep)
                            : fprintf(fp, "%s\n", out)) < 0) {
                rc = VG_EIO;
            }
        }
    }
    pthread_rwlock_unlock(&ds->lock);
    free(out);
    if (fclose(fp) != 0 && rc == 0) {
        rc = VG_EIO;
    }
    if (rc == 0 && rename(tmp, ds->save_path) != 0) {
        rc = VG_EIO;
    }
    if (rc != 0) {
        VG_ERROR("dataset %s: saving to %s failed", ds->name, ds->save_path);
        (void)remove(tmp);
    }
    return rc;
}

/* ---- registry ----------------------------------------------------------- */

static Dataset *find_locked(const char *name)
{
    for (Dataset *ds = g_sets; ds != NULL; ds = ds->next) {
        if (strcmp(ds->name, name) == 0) {
            return ds;
        }
    }
    return NULL;
}

Dataset *detect_dataset_find(const char *name)
{
    pthread_mutex_lock(&g_sets_lock);
    Dataset *ds = find_locked(name);
    pthread_mutex_unlock(&g_sets_lock);
    return ds;
}

int detect_dataset_get(const DetectDatasetSpec *spec, Dataset **out, char *err, size_t err_len)
{
    if (err_len > 0) {
        err[0] = '\0';
    }
    pthread_mutex_lock(&g_sets_lock);
    Dataset *ds = find_locked(spec->name);
    int rc = 0;
    if (ds != NULL) {
        /* An existing set (an earlier rule, or the set before a reload):
         * the type must agree; files and limits stay as first given. */
        if (spec->has_type && spec->type != ds->type) {
            snprintf(err, err_len, "dataset '%s' is of type %s, not %s", ds->name,
                     k_type_names[ds->type], k_type_names[spec->type]);
            rc = VG_EINVAL;
        } else if (spec->is_rep != ds->is_rep) {
            snprintf(err, err_len, "'%s' is a %s: %s cannot use it", ds->name,
                     ds->is_rep ? "datarep set (values with reputations)"
                                : "dataset (no reputations)",
                     spec->is_rep ? "datarep" : "dataset");
            rc = VG_EINVAL;
        }
        pthread_mutex_unlock(&g_sets_lock);
        *out = rc == 0 ? ds : NULL;
        return rc;
    }
    if (!spec->has_type) {
        snprintf(err, err_len, "dataset '%s' is new: give its type (type string|md5|sha256|"
                 "ipv4|ip|ipv6)", spec->name);
        pthread_mutex_unlock(&g_sets_lock);
        return VG_EINVAL;
    }
    ds = calloc(1, sizeof(*ds));
    uint32_t nb = spec->hashsize != 0 ? spec->hashsize : DETECT_DATASET_HASHSIZE;
    if (ds != NULL) {
        ds->buckets = calloc(nb, sizeof(DsItem *));
    }
    if (ds == NULL || ds->buckets == NULL || pthread_rwlock_init(&ds->lock, NULL) != 0) {
        if (ds != NULL) {
            free(ds->buckets);
        }
        free(ds);
        pthread_mutex_unlock(&g_sets_lock);
        snprintf(err, err_len, "out of memory");
        return VG_ENOMEM;
    }
    snprintf(ds->name, sizeof(ds->name), "%s", spec->name);
    ds->type = spec->type;
    ds->is_rep = spec->is_rep;
    ds->n_buckets = nb;
    ds->memcap = spec->memcap != 0 ? spec->memcap : DETECT_DATASET_MEMCAP;
    ds->memuse = (uint64_t)nb * sizeof(DsItem *);
    const char *save = spec->state_path != NULL ? spec->state_path : spec->save_path;
    if (save != NULL && (ds->save_path = strdup(save)) == NULL) {
        pthread_rwlock_destroy(&ds->lock);
        free(ds->buckets);
        free(ds);
        pthread_mutex_unlock(&g_sets_lock);
        snprintf(err, err_len, "out of memory");
        return VG_ENOMEM;
    }
    ds->next = g_sets;
    g_sets = ds;
    pthread_mutex_unlock(&g_sets_lock);
    if (spec->load_path != NULL) {
        rc = spec->format != DETECT_DS_FMT_CSV
                 ? detect_datajson_load(ds, spec, err, err_len)
                 : load_file(ds, spec->load_path, false);
    }
    if (rc == 0 && spec->state_path != NULL) {
        rc = load_file(ds, spec->state_path, true);
    }
    if (rc != 0) {
        if (spec->format == DETECT_DS_FMT_CSV || err[0] == '\0') {
            snprintf(err, err_len, "dataset '%s': its file could not be read", spec->name);
        }
        return rc;
    }
    *out = ds;
    return 0;
}

int detect_datasets_save(void)
{
    int rc = 0;
    pthread_mutex_lock(&g_sets_lock);
    for (Dataset *ds = g_sets; ds != NULL; ds = ds->next) {
        if (save_file(ds) != 0) {
            rc = VG_EIO;
        }
    }
    pthread_mutex_unlock(&g_sets_lock);
    return rc;
}

void detect_datasets_free(void)
{
    pthread_mutex_lock(&g_sets_lock);
    Dataset *ds = g_sets;
    g_sets = NULL;
    pthread_mutex_unlock(&g_sets_lock);
    while (ds != NULL) {
        Dataset *n = ds->next;
        clear_items(ds);
        free(ds->buckets);
        free(ds->save_path);
        pthread_rwlock_destroy(&ds->lock);
        free(ds);
        ds = n;
    }
}

/* ---- operator commands -------------------------------------------------- */

DetectDatasetResult detect_dataset_op(const char *name, const char *type, const char *value,
                                      DetectDatasetOp op)
{
    Dataset *ds = detect_dataset_find(name);
    DetectDatasetType t;
    if (ds == NULL) {
        return DETECT_DS_R_NO_SET;
    }
    if (type != NULL && (!detect_dataset_type_parse(type, &t) || t != ds->type)) {
        return DETECT_DS_R_TYPE;
    }
    if (op == DETECT_DS_OP_CLEAR) {
        pthread_rwlock_wrlock(&ds->lock);
        clear_items(ds);
        pthread_rwlock_unlock(&ds->lock);
        return DETECT_DS_R_OK;
    }
    uint8_t *val = malloc(DS_ITEM_MAX + 3);
    uint32_t vl = 0;
    if (val == NULL) {
        return DETECT_DS_R_NOMEM;
    }
    if (value == NULL ||
        !decode_value(ds->type, value, strlen(value), val, DS_ITEM_MAX + 3, &vl)) {
        free(val);
        return DETECT_DS_R_BAD_VALUE;
    }
    DetectDatasetResult r = DETECT_DS_R_OK;
    int rc;
    switch (op) {
    case DETECT_DS_OP_ADD:
        rc = detect_dataset_insert(ds, val, vl);
        r = rc == 0            ? DETECT_DS_R_OK
            : rc == VG_EEXIST  ? DETECT_DS_R_EXISTS
            : rc == VG_ERANGE  ? DETECT_DS_R_FULL
                               : DETECT_DS_R_NOMEM;
        break;
    case DETECT_DS_OP_REMOVE:
        r = detect_dataset_delete(ds, val, vl) == 0 ? DETECT_DS_R_OK : DETECT_DS_R_ABSENT;
        break;
    default:
        r = detect_dataset_contains(ds, val, vl) ? DETECT_DS_R_OK : DETECT_DS_R_ABSENT;
        break;
    }
    free(val);
    return r;
}

int detect_dataset_each(DetectDatasetFn fn, void *user)
{
    int n = 0;
    pthread_mutex_lock(&g_sets_lock);
    for (Dataset *ds = g_sets; ds != NULL; ds = ds->next) {
        pthread_rwlock_rdlock(&ds->lock);
        DetectDatasetInfo info = {.name = ds->name, .type = k_type_names[ds->type],
                                  .n_items = ds->n_items, .memuse = ds->memuse,
                                  .memcap = ds->memcap,
                                  .n_refused = atomic_load_explicit(&ds->n_refused,
                                                                    memory_order_relaxed),
                                  .save_path = ds->save_path};
        pthread_rwlock_unlock(&ds->lock);
        fn(&info, user);
        n++;
    }
    pthread_mutex_unlock(&g_sets_lock);
    return n;
}
