/* The TLS certificate store (outputs: - tls-store), asked for by the rule keyword
 * tls.store: the certificate chain a side sent is written, once per side and tx, as
 * <certs-log-dir>/[client-]<sec>.<usec>-<n>.pem (every certificate of the chain, PEM,
 * RFC 7468) beside a .meta text file (time, addresses, ports, subject, issuer,
 * fingerprint), the time being the packet's whose rule asked, n a counter of stored
 * chains starting at 1 (Suricata's names). "client-" marks the client's chain.
 *
 * Setup on the main thread at start-up; tls_tx_store on any packet thread with the flow
 * lock held (the counter is atomic, the directory fixed). The first write error is
 * reported (a warning naming the file), later ones are not. */

#include "app-layer/tls/app-layer-tls.h"
#include "app-layer/tls/app-layer-tls-tx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/conf.h"
#include "flow/flow-types.h"
#include "util/util-base64.h"
#include "util/util-error.h"
#include "util/util-log.h"

static char *g_store_dir;                  // NULL: the store is off
static _Atomic uint32_t g_store_seq;       // chains stored so far
static atomic_bool g_store_warned;         // a write error was reported

static bool mkdir_p(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
        errno = ENAMETOOLONG;
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

void app_layer_tls_store_deinit(void)
{
    free(g_store_dir);
    g_store_dir = NULL;
    atomic_store(&g_store_seq, 0);
    atomic_store(&g_store_warned, false);
}

int app_layer_tls_store_setup(const struct ConfNode *opts, const char *log_dir)
{
    app_layer_tls_store_deinit();
    const ConfNode *n = opts ? conf_node_child(opts, "enabled") : NULL;
    bool enabled = true;
    if (n != NULL && n->value != NULL && !conf_parse_bool(n->value, &enabled)) {
        VG_ERROR("%s:%d: tls-store.enabled: '%s' is not a boolean", n->file, n->line, n->value);
        return VG_EINVAL;
    }
    n = opts ? conf_node_child(opts, "certs-log-dir") : NULL;
    const char *dir = n != NULL && n->value != NULL ? n->value : "certs";
    if (!enabled) {
        return 0;
    }
    size_t len = strlen(log_dir) + strlen(dir) + 2;
    g_store_dir = malloc(len);
    if (g_store_dir == NULL) {
        return VG_ENOMEM;
    }
    if (dir[0] == '/') {
        snprintf(g_store_dir, len, "%s", dir);
    } else {
        snprintf(g_store_dir, len, "%s/%s", log_dir, dir);
    }
    if (!mkdir_p(g_store_dir)) {
        VG_ERROR("tls-store: cannot create %s: %s", g_store_dir, strerror(errno));
        app_layer_tls_store_deinit();
        return VG_EIO;
    }
    return 0;
}

bool tls_store_enabled(void)
{
    return g_store_dir != NULL;
}

/* One certificate as PEM: base64 in lines of 64 characters (RFC 7468 section 2). */
static bool write_pem(FILE *fp, const TlsBytes *der)
{
    size_t blen = util_base64_encoded_len(der->len);
    char *b = blen != SIZE_MAX ? malloc(blen + 1) : NULL;
    if (b == NULL) {
        return false;
    }
    size_t n = util_base64_encode_raw(b, der->data, der->len);
    fputs("-----BEGIN CERTIFICATE-----\n", fp);
    for (size_t off = 0; off < n; off += 64) {
        fprintf(fp, "%.*s\n", (int)(n - off < 64 ? n - off : 64), b + off);
    }
    fputs("-----END CERTIFICATE-----\n", fp);
    free(b);
    return !ferror(fp);
}

static void addr_str(const VgAddr *a, char *buf, size_t size)
{
    if (inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->a.u8, buf, (socklen_t)size) == NULL) {
        snprintf(buf, size, "?");
    }
}

static bool write_meta(FILE *fp, const Flow *f, const TlsCert *c, int64_t sec, uint32_t usec,
                       bool is_client)
{
    char src[64];
    char dst[64];
    /* the chain's sender is the source */
    addr_str(is_client ? &f->key.src : &f->key.dst, src, sizeof(src));
    addr_str(is_client ? &f->key.dst : &f->key.src, dst, sizeof(dst));
    char when[64];
    tls_time_format(sec, when, sizeof(when));
    fprintf(fp, "TIME:              %s.%06u\n", when, usec);
    fprintf(fp, "SRC IP:            %s\n", src);
    fprintf(fp, "DST IP:            %s\n", dst);
    fprintf(fp, "PROTO:             %u\n", f->key.proto);
    fprintf(fp, "SRC PORT:          %u\n", is_client ? f->key.sp : f->key.dp);
    fprintf(fp, "DST PORT:          %u\n", is_client ? f->key.dp : f->key.sp);
    fprintf(fp, "TLS SUBJECT:       %.*s\n", (int)c->subject.len, (const char *)c->subject.data);
    fprintf(fp, "TLS ISSUERDN:      %.*s\n", (int)c->issuer.len, (const char *)c->issuer.data);
    fprintf(fp, "TLS FINGERPRINT:   %s\n", c->fingerprint);
    return !ferror(fp);
}

static void store_error(const char *path)
{
    if (!atomic_exchange(&g_store_warned, true)) {
        VG_WARN("tls-store: cannot write %s: %s (further errors are not reported)", path,
                strerror(errno));
    }
}

/* Writes one file; false (reported) on error. */
static bool write_file(const char *path, const Flow *f, const TlsSide *s, int64_t sec,
                       uint32_t usec, bool is_client, bool is_meta)
{
    FILE *fp = fopen(path, "w");
    if (fp == NULL) {
        store_error(path);
        return false;
    }
    bool ok = true;
    if (is_meta) {
        ok = write_meta(fp, f, &s->certs[0], sec, usec, is_client);
    } else {
        for (uint32_t i = 0; i < s->n_certs && ok; i++) {
            ok = write_pem(fp, &s->certs[i].der);
        }
    }
    ok = fclose(fp) == 0 && ok;
    if (!ok) {
        store_error(path);
    }
    return ok;
}

bool tls_tx_store(const Flow *f, AppTx *tx, uint8_t dir, int64_t sec, uint32_t usec)
{
    if (g_store_dir == NULL || app_layer_tx_proto(f, tx) != APP_PROTO_TLS || dir > 1) {
        return false;
    }
    TlsTx *t = (TlsTx *)tx;
    const TlsSide *s = &t->side[dir];
    if (t->stored[dir] || s->n_certs == 0) {
        return false;
    }
    t->stored[dir] = true;
    bool is_client = dir == APP_DIR_TOSERVER;
    uint32_t seq = atomic_fetch_add(&g_store_seq, 1) + 1;
    char path[4200];
    int n = snprintf(path, sizeof(path), "%s/%s%lld.%u-%u.pem", g_store_dir,
                     is_client ? "client-" : "", (long long)sec, usec, seq);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        return false;
    }
    if (!write_file(path, f, s, sec, usec, is_client, false)) {
        return false;
    }
    if ((size_t)n + 1 >= sizeof(path)) {
        return false;
    }
    memcpy(path + n - 3, "meta", 5);  // x.pem -> x.meta
    return write_file(path, f, s, sec, usec, is_client, true);
}
