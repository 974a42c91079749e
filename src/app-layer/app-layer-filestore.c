/* The file store (outputs: - file-store, Suricata's version 2 layout): files that a
 * filestore rule asked for (or every file with force-filestore) are written to
 * <dir>/tmp while they flow, then renamed to <dir>/<xx>/<sha256>, xx being the first two
 * hex digits of the SHA-256 of the stored bytes. A file whose name exists already is the
 * same content: the copy is dropped. With write-fileinfo the file's fileinfo record goes
 * beside it as <sha256>.<seconds>.<file_id>.json (written by output, through
 * app_layer_file_store_sidecar).
 *
 * Protocol independent: parsers keep an AppFileStore per stored file and call
 * app_filestore_write/close. Counters: file_store.open_files (files being written, per
 * thread), file_store.stored, file_store.fs_errors. */
#include "app-layer/app-layer.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app-layer/app-layer-internal.h"
#include "conf/conf.h"
#include "stream/stream.h"
#include "util/util-error.h"
#include "util/util-log.h"

typedef struct FileStoreCfg {
    bool enabled;
    bool write_fileinfo;
    bool force;
    uint64_t stream_depth;       // 0: unlimited
    bool has_stream_depth;       // stream-depth is set: raised for flows storing files
    uint32_t max_open;           // 0: no limit
    char *dir;
    _Atomic uint32_t n_open;     // files being written, all threads
    _Atomic uint64_t seq;        // temp file names
    CounterId c_open;
    CounterId c_stored;
    CounterId c_errors;
} FileStoreCfg;

static FileStoreCfg g_fs = {.c_open = 0};
static bool g_fs_counters;

struct AppFileStore {
    int fd;
    char tmp[4096];
    EVP_MD_CTX *sha;
    uint64_t written;
    CounterSet *cs;              // thread that opened it (open_files gauge)
    bool failed;
};

static void count(CounterSet *cs, CounterId id, int64_t n)
{
    if (cs != NULL && g_fs_counters) {
        counters_add(cs, id, (uint64_t)n);
    }
}

static bool opt_bool(const ConfNode *opts, const char *key, bool dflt, bool *bad)
{
    const ConfNode *n = opts ? conf_node_child(opts, key) : NULL;
    bool v = dflt;
    if (n != NULL && n->value != NULL && !conf_parse_bool(n->value, &v)) {
        VG_ERROR("%s:%d: file-store.%s: '%s' is not a boolean", n->file, n->line, key, n->value);
        *bad = true;
    }
    return v;
}

static bool mkdir_p(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
        return false;
    }
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
                return false;
            }
            *p = '/';
        }
    }
    return mkdir(buf, 0755) == 0 || errno == EEXIST;
}

int app_layer_filestore_setup(const struct ConfNode *opts, const char *log_dir)
{
    bool bad = false;
    app_layer_filestore_deinit();
    /* every key is read (and checked) even when the store is off */
    bool enabled = opt_bool(opts, "enabled", false, &bad);
    const ConfNode *v = opts ? conf_node_child(opts, "version") : NULL;
    if (v != NULL && v->value != NULL && strcmp(v->value, "2") != 0) {
        VG_ERROR("%s:%d: file-store.version: only version 2 (files named by SHA-256) is "
                 "supported, not '%s'", v->file, v->line, v->value);
        return VG_EINVAL;
    }
    g_fs.write_fileinfo = opt_bool(opts, "write-fileinfo", false, &bad);
    g_fs.force = opt_bool(opts, "force-filestore", false, &bad);
    const ConfNode *n = conf_node_child(opts, "stream-depth");
    g_fs.has_stream_depth = n != NULL && n->value != NULL;
    if (g_fs.has_stream_depth && !conf_parse_size(n->value, &g_fs.stream_depth)) {
        VG_ERROR("%s:%d: file-store.stream-depth: '%s' is not a size", n->file, n->line,
                 n->value);
        bad = true;
    }
    n = conf_node_child(opts, "max-open-files");
    uint64_t mo = 0;
    if (n != NULL && n->value != NULL && (!conf_parse_size(n->value, &mo) || mo > 1000000)) {
        VG_ERROR("%s:%d: file-store.max-open-files: '%s' is not 0..1000000", n->file, n->line,
                 n->value);
        bad = true;
    }
    g_fs.max_open = (uint32_t)mo;
    /* Suricata's hashing and magic forcing: files are hashed for the name anyway */
    (void)conf_node_child(opts, "force-hash");
    (void)conf_node_child(opts, "force-magic");
    (void)conf_node_child(opts, "xff");
    n = conf_node_child(opts, "dir");
    const char *dir = n != NULL && n->value != NULL ? n->value : "filestore";
    if (bad) {
        return VG_EINVAL;
    }
    if (!enabled) {
        g_fs.write_fileinfo = g_fs.force = false;
        return 0;
    }
    size_t len = strlen(log_dir) + strlen(dir) + 2;
    g_fs.dir = malloc(len);
    if (g_fs.dir == NULL) {
        return VG_ENOMEM;
    }
    if (dir[0] == '/') {
        snprintf(g_fs.dir, len, "%s", dir);
    } else {
        snprintf(g_fs.dir, len, "%s/%s", log_dir, dir);
    }
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s/tmp", g_fs.dir);
    if (!mkdir_p(tmp)) {
        VG_ERROR("file-store: cannot create %s: %s", tmp, strerror(errno));
        free(g_fs.dir);
        g_fs.dir = NULL;
        return VG_EIO;
    }
    g_fs.enabled = true;
    app_filestore_counters_register();
    return 0;
}

void app_layer_filestore_deinit(void)
{
    free(g_fs.dir);
    g_fs.dir = NULL;
    g_fs.enabled = false;
    g_fs.write_fileinfo = false;
    g_fs.force = false;
    g_fs.stream_depth = 0;
    g_fs.has_stream_depth = false;
    g_fs.max_open = 0;
    g_fs_counters = false;
}

void app_filestore_counters_register(void)
{
    g_fs.c_open = counters_register("file_store.open_files", COUNTER_GAUGE);
    g_fs.c_stored = counters_register("file_store.stored", COUNTER_SUM);
    g_fs.c_errors = counters_register("file_store.fs_errors", COUNTER_SUM);
    g_fs_counters = true;
}

bool app_filestore_enabled(void)
{
    return g_fs.enabled;
}

bool app_layer_filestore_enabled(void)
{
    return g_fs.enabled;
}

bool app_layer_filestore_sidecars(void)
{
    return g_fs.enabled && g_fs.write_fileinfo;
}

bool app_filestore_forced(void)
{
    return g_fs.enabled && g_fs.force;
}

uint64_t app_layer_filestore_stream_depth(void)
{
    return g_fs.enabled ? g_fs.stream_depth : 0;
}

void app_filestore_flow_depth(Flow *f)
{
    if (g_fs.enabled && g_fs.has_stream_depth && f != NULL) {
        stream_flow_raise_depth(f, g_fs.stream_depth);
    }
}

AppFileStore *app_filestore_open(void)
{
    if (!g_fs.enabled) {
        return NULL;
    }
    uint32_t open_now = atomic_fetch_add(&g_fs.n_open, 1) + 1;
    if (g_fs.max_open != 0 && open_now > g_fs.max_open) {
        atomic_fetch_sub(&g_fs.n_open, 1);
        count(app_tls_counters, g_fs.c_errors, 1);
        return NULL;
    }
    AppFileStore *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        atomic_fetch_sub(&g_fs.n_open, 1);
        return NULL;
    }
    uint64_t seq = atomic_fetch_add(&g_fs.seq, 1);
    snprintf(st->tmp, sizeof(st->tmp), "%s/tmp/file.%ld.%llu", g_fs.dir, (long)getpid(),
             (unsigned long long)seq);
    st->fd = open(st->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    st->sha = EVP_MD_CTX_new();
    if (st->fd < 0 || st->sha == NULL || EVP_DigestInit_ex(st->sha, EVP_sha256(), NULL) != 1) {
        VG_WARN("file-store: cannot write %s: %s", st->tmp, strerror(errno));
        if (st->fd >= 0) {
            close(st->fd);
            unlink(st->tmp);
        }
        EVP_MD_CTX_free(st->sha);
        free(st);
        atomic_fetch_sub(&g_fs.n_open, 1);
        count(app_tls_counters, g_fs.c_errors, 1);
        return NULL;
    }
    st->cs = app_tls_counters;
    count(st->cs, g_fs.c_open, 1);
    return st;
}

void app_filestore_write(AppFileStore *st, const uint8_t *data, uint32_t len)
{
    if (st == NULL || st->failed || len == 0) {
        return;
    }
    EVP_DigestUpdate(st->sha, data, len);
    uint32_t off = 0;
    while (off < len) {
        ssize_t w = write(st->fd, data + off, len - off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            st->failed = true;
            count(app_tls_counters, g_fs.c_errors, 1);
            return;
        }
        off += (uint32_t)w;
    }
    st->written += len;
}

static void release(AppFileStore *st)
{
    count(st->cs, g_fs.c_open, (int64_t)-1);
    atomic_fetch_sub(&g_fs.n_open, 1);
    EVP_MD_CTX_free(st->sha);
    free(st);
}

void app_filestore_abort(AppFileStore *st)
{
    if (st == NULL) {
        return;
    }
    close(st->fd);
    unlink(st->tmp);
    release(st);
}

static void hex(const uint8_t *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The final path of a stored file: <dir>/<xx>/<sha256>. */
static void final_path(const uint8_t sha[32], char *out, size_t cap)
{
    char h[65];
    hex(sha, 32, h);
    snprintf(out, cap, "%s/%.2s/%s", g_fs.dir, h, h);
}

bool app_filestore_close(AppFileStore *st, AppFile *f)
{
    if (st == NULL) {
        return false;
    }
    bool ok = !st->failed && close(st->fd) == 0;
    if (st->failed) {
        close(st->fd);
    }
    uint8_t sha[32];
    unsigned int n = 0;
    ok = ok && EVP_DigestFinal_ex(st->sha, sha, &n) == 1 && n == 32;
    char path[4200];
    if (ok) {
        final_path(sha, path, sizeof(path));
        char *slash = strrchr(path, '/');
        *slash = '\0';
        ok = mkdir(path, 0755) == 0 || errno == EEXIST;
        *slash = '/';
    }
    if (ok) {
        struct stat sb;
        if (stat(path, &sb) == 0) {
            unlink(st->tmp);        // the same content is stored already
        } else {
            ok = rename(st->tmp, path) == 0;
        }
    }
    if (!ok) {
        unlink(st->tmp);
        count(app_tls_counters != NULL ? app_tls_counters : st->cs, g_fs.c_errors, 1);
    } else {
        count(app_tls_counters != NULL ? app_tls_counters : st->cs, g_fs.c_stored, 1);
        f->flags |= APP_FILE_F_STORED;
        if (!(f->flags & APP_FILE_F_SHA256)) {
            /* the name is the SHA-256 of what was stored: give it to fileinfo too */
            memcpy(f->sha256, sha, sizeof(sha));
            f->flags |= APP_FILE_F_SHA256;
        }
        memcpy(f->store_sha256, sha, sizeof(sha));
    }
    release(st);
    return ok;
}

bool app_layer_file_store_sidecar(const AppFile *f, int64_t sec, const char *json, size_t len)
{
    if (!g_fs.enabled || !g_fs.write_fileinfo || !(f->flags & APP_FILE_F_STORED)) {
        return false;
    }
    char path[4300];
    final_path(f->store_sha256, path, sizeof(path));
    size_t pl = strlen(path);
    snprintf(path + pl, sizeof(path) - pl, ".%lld.%u.json", (long long)sec, f->file_id);
    FILE *out = fopen(path, "we");
    if (out == NULL) {
        count(app_tls_counters, g_fs.c_errors, 1);
        return false;
    }
    bool ok = fwrite(json, 1, len, out) == len && fputc('\n', out) != EOF;
    ok = fclose(out) == 0 && ok;
    if (!ok) {
        count(app_tls_counters, g_fs.c_errors, 1);
    }
    return ok;
}
