/* File keywords, matched on the files of a transaction (detect-tx.c): all of a
 * rule's file keywords must hold for one file.
 *
 * file.name / file.magic are sticky buffers over the file's name and its
 * libmagic description; filename:"x" is file.name; content:"x"; nocase (the
 * name may be negated, and later content modifiers apply), fileext:"ext" a
 * name ending in ".ext" (any case), filemagic:"x" file.magic; content:"x";
 * nocase. filemd5/filesha1/filesha256:[!]file look the file's hash up in a
 * list of hex hashes (one per line; relative paths are taken from the rule
 * file's directory). filesize compares the file's size once it is complete.
 * filestore asks the app layer to store the matching tx's files. */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

/* ---- name and magic ------------------------------------------------------ */

static int select_file_list(DetectParser *dp, int list)
{
    dp->pm_list = (uint16_t)list;
    dp->last_list = (uint16_t)list;
    dp->last_pm = (int)dp->s->lists[list].n - 1;
    return 0;
}

static int setup_file_name(DetectParser *dp, const char *arg)
{
    (void)arg;
    return select_file_list(dp, DETECT_LIST_FILE_NAME);
}

static int setup_file_magic(DetectParser *dp, const char *arg)
{
    (void)arg;
    return select_file_list(dp, DETECT_LIST_FILE_MAGIC);
}

/* A content on list, case-insensitive, the current buffer left as it was;
 * modifiers written after the keyword apply to that content. */
static int legacy_content(DetectParser *dp, int list, const char *arg, uint32_t extra_flags)
{
    uint16_t pm_list = dp->pm_list;
    dp->pm_list = (uint16_t)list;
    int rc = detect_kw_content.setup(dp, arg);
    dp->pm_list = pm_list;
    if (rc != 0) {
        return rc;
    }
    const DetectMatchList *l = &dp->s->lists[list];
    DetectContent *c = l->m[l->n - 1].ctx;
    c->flags |= DETECT_CONTENT_NOCASE | extra_flags;
    dp->last_list = (uint16_t)list;
    return 0;
}

static int setup_filename(DetectParser *dp, const char *arg)
{
    return legacy_content(dp, DETECT_LIST_FILE_NAME, arg, 0);
}

static int setup_filemagic(DetectParser *dp, const char *arg)
{
    return legacy_content(dp, DETECT_LIST_FILE_MAGIC, arg, 0);
}

/* fileext:[!]"ext": content ".ext" at the end of the name. */
static int setup_fileext(DetectParser *dp, const char *arg)
{
    char buf[256];
    while (*arg == ' ') {
        arg++;
    }
    bool neg = *arg == '!';
    arg += neg;
    size_t n = strlen(arg);
    bool quoted = n >= 2 && arg[0] == '"' && arg[n - 1] == '"';
    if (quoted) {
        arg++;
        n -= 2;
    }
    if (n == 0 || n + 5 > sizeof(buf) || memchr(arg, '"', n) != NULL) {
        return detect_err(dp, "bad fileext '%s'", arg);
    }
    snprintf(buf, sizeof(buf), "%s\".%.*s\"", neg ? "!" : "", (int)n, arg);
    return legacy_content(dp, DETECT_LIST_FILE_NAME, buf, DETECT_CONTENT_ENDSWITH);
}

const DetectKeyword detect_kw_file_name = {
    .name = "file.name", .desc = "sticky buffer: the name of a file", .flags = DETECT_KW_NOOPT,
    .setup = setup_file_name,
};
const DetectKeyword detect_kw_file_magic = {
    .name = "file.magic", .desc = "sticky buffer: the libmagic description of a file",
    .flags = DETECT_KW_NOOPT, .setup = setup_file_magic,
};
const DetectKeyword detect_kw_filename = {
    .name = "filename", .desc = "file name contains ([!]\"name\", any case)",
    .flags = DETECT_KW_RAW_VALUE, .setup = setup_filename,
};
const DetectKeyword detect_kw_filemagic = {
    .name = "filemagic", .desc = "file magic contains ([!]\"text\", any case)",
    .flags = DETECT_KW_RAW_VALUE, .setup = setup_filemagic,
};
const DetectKeyword detect_kw_fileext = {
    .name = "fileext", .desc = "file name ends in .ext ([!]\"ext\", any case)",
    .flags = DETECT_KW_RAW_VALUE, .setup = setup_fileext,
};

/* ---- hash lists --------------------------------------------------------- */

typedef struct DetectFileHash {
    uint8_t len;                       // 16, 20 or 32
    uint16_t flag;                     // APP_FILE_F_MD5 / SHA1 / SHA256
    bool is_negated;
    uint8_t *hashes;                   // n * len bytes, sorted
    uint32_t n;
} DetectFileHash;

static void hash_free(void *ctx)
{
    DetectFileHash *h = ctx;
    if (h != NULL) {
        free(h->hashes);
        free(h);
    }
}

static size_t sort_len;  // qsort element size: rule loading only, one thread at a time

static int cmp_hash(const void *a, const void *b)
{
    return memcmp(a, b, sort_len);
}

/* Binary search without shared state (workers call it concurrently). */
static bool hash_listed(const DetectFileHash *h, const uint8_t *v)
{
    uint32_t lo = 0;
    uint32_t hi = h->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = memcmp(h->hashes + (size_t)mid * h->len, v, h->len);
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

static int hexv(int c)
{
    return isdigit(c) ? c - '0' : (isxdigit(c) ? (tolower(c) - 'a' + 10) : -1);
}

/* One hash per line (first field); blank lines and '#' comments skipped. */
static int load_hashes(DetectParser *dp, DetectFileHash *h, FILE *fp, const char *path)
{
    char line[1024];
    int lineno = 0;
    uint32_t cap = 0;
    while (fgets(line, sizeof(line), fp) != NULL) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0') {
            continue;
        }
        uint8_t buf[32];
        size_t i = 0;
        for (; i < (size_t)h->len * 2 && hexv((unsigned char)p[i]) >= 0; i++) {
            if (i % 2) {
                buf[i / 2] = (uint8_t)(hexv((unsigned char)p[i - 1]) << 4 |
                                       hexv((unsigned char)p[i]));
            }
        }
        if (i != (size_t)h->len * 2 || isxdigit((unsigned char)p[i])) {
            return detect_err(dp, "%s:%d: not a %u-byte hex hash", path, lineno, h->len);
        }
        if (h->n == cap) {
            cap = cap ? cap * 2 : 64;
            uint8_t *nh = realloc(h->hashes, (size_t)cap * h->len);
            if (nh == NULL) {
                return detect_err(dp, "out of memory");
            }
            h->hashes = nh;
        }
        memcpy(h->hashes + (size_t)h->n * h->len, buf, h->len);
        h->n++;
    }
    sort_len = h->len;
    qsort(h->hashes, h->n, h->len, cmp_hash);
    return 0;
}

static FILE *open_list(const Signature *s, const char *name, char *path, size_t pathlen)
{
    if (name[0] == '/' || s->file == NULL || strrchr(s->file, '/') == NULL) {
        snprintf(path, pathlen, "%s", name);
    } else {
        int dirlen = (int)(strrchr(s->file, '/') - s->file);
        snprintf(path, pathlen, "%.*s/%s", dirlen, s->file, name);
    }
    return fopen(path, "r");
}

static int setup_hash(DetectParser *dp, const char *arg, uint8_t len, uint16_t flag,
                      const DetectKeyword *kw)
{
    while (*arg == ' ') {
        arg++;
    }
    DetectFileHash *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return detect_err(dp, "out of memory");
    }
    h->len = len;
    h->flag = flag;
    h->is_negated = *arg == '!';
    arg += h->is_negated;
    char path[1024];
    FILE *fp = arg[0] != '\0' ? open_list(dp->s, arg, path, sizeof(path)) : NULL;
    if (fp == NULL) {
        hash_free(h);
        return detect_err(dp, "%s: can't open hash list '%s'", kw->name, arg);
    }
    int rc = load_hashes(dp, h, fp, path);
    fclose(fp);
    if (rc != 0) {
        hash_free(h);
        return rc;
    }
    return detect_app_append(dp, true, kw, h);
}

static bool match_hash(DetectThread *dt, const AppFile *file, const void *ctx, bool *is_final)
{
    (void)dt;
    const DetectFileHash *h = ctx;
    if (!(file->flags & h->flag)) {
        *is_final = file->state != APP_FILE_OPEN;  // closed without a hash: never known
        return false;
    }
    const uint8_t *v = h->flag == APP_FILE_F_MD5 ? file->md5
                                                 : (h->flag == APP_FILE_F_SHA1 ? file->sha1
                                                                               : file->sha256);
    bool found = hash_listed(h, v);
    return h->is_negated ? !found : found;
}

static int setup_filemd5(DetectParser *dp, const char *arg)
{
    return setup_hash(dp, arg, 16, APP_FILE_F_MD5, &detect_kw_filemd5);
}

static int setup_filesha1(DetectParser *dp, const char *arg)
{
    return setup_hash(dp, arg, 20, APP_FILE_F_SHA1, &detect_kw_filesha1);
}

static int setup_filesha256(DetectParser *dp, const char *arg)
{
    return setup_hash(dp, arg, 32, APP_FILE_F_SHA256, &detect_kw_filesha256);
}

const DetectKeyword detect_kw_filemd5 = {
    .name = "filemd5", .desc = "file MD5 in a list ([!]listfile)", .setup = setup_filemd5,
    .file_match = match_hash, .free = hash_free,
};
const DetectKeyword detect_kw_filesha1 = {
    .name = "filesha1", .desc = "file SHA-1 in a list ([!]listfile)", .setup = setup_filesha1,
    .file_match = match_hash, .free = hash_free,
};
const DetectKeyword detect_kw_filesha256 = {
    .name = "filesha256", .desc = "file SHA-256 in a list ([!]listfile)",
    .setup = setup_filesha256, .file_match = match_hash, .free = hash_free,
};

/* ---- size and store ----------------------------------------------------- */

static bool match_filesize(DetectThread *dt, const AppFile *file, const void *ctx,
                           bool *is_final)
{
    (void)dt;
    *is_final = file->state != APP_FILE_OPEN;
    return *is_final && detect_uint_match(ctx, file->size);
}

/* filesize:[to_server,|to_client,]N: the direction picks which side's files (Suricata 8,
 * for '=>' rules above all). */
static int setup_filesize(DetectParser *dp, const char *arg)
{
    if (detect_app_file_dir(dp, &arg) != 0) {
        return VG_EINVAL;
    }
    DetectUint *u = malloc(sizeof(*u));
    if (u == NULL) {
        return detect_err(dp, "out of memory");
    }
    if (detect_uint_parse(dp, arg, UINT64_MAX / 2, u) != 0) {
        free(u);
        return VG_EINVAL;
    }
    return detect_app_append(dp, true, &detect_kw_filesize, u);
}

const DetectKeyword detect_kw_filesize = {
    .name = "filesize", .desc = "size of a complete file ([to_server|to_client,] N, <N, >N, N<>M)",
    .setup = setup_filesize, .file_match = match_filesize, .free = free,
};

/* filestore[:direction[,scope]]: the arguments are accepted as Suricata's
 * (request|to_server|response|to_client|both, file|tx|ssn); the tx's files in
 * the rule's directions are stored. */
static int setup_filestore(DetectParser *dp, const char *arg)
{
    static const char *const dirs[] = { "request", "to_server", "response", "to_client",
                                        "both" };
    static const char *const scopes[] = { "file", "tx", "ssn", "flow" };
    DetectKwTokens tk = { .n = 0 };
    if (arg != NULL && detect_kw_split(dp, arg, &tk, 2, false) != 0) {
        return VG_EINVAL;
    }
    bool ok = true;
    for (int i = 0; i < tk.n && ok; i++) {
        const char *const *set = i == 0 ? dirs : scopes;
        size_t n = i == 0 ? 5 : 4;
        ok = false;
        for (size_t k = 0; k < n; k++) {
            ok = ok || strcmp(tk.t[i], set[k]) == 0;
        }
    }
    if (!ok) {
        return detect_err(dp, "bad filestore argument '%s'", arg);
    }
    dp->s->flags |= SIG_F_FILESTORE;
    return 0;
}

const DetectKeyword detect_kw_filestore = {
    .name = "filestore", .desc = "store the files of the matching transaction",
    .flags = DETECT_KW_OPTIONAL, .setup = setup_filestore,
};
