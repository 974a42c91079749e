/* Files of protocols other than HTTP (SMTP attachments, FTP data transfers): one
 * AppFileTrack per file, owned by the parser's tx, with its name, size, state, hashes
 * (those detection or fileinfo asked for), file store copy, and the data window
 * detection inspects (file.data): the file's first APP_FILE_WINDOW_MAX bytes, charged to
 * the protocol's memcap. Bytes past the window are hashed, counted and stored but not
 * inspected, as a body limit does. Called by the packet thread owning the flow. */
#include "app-layer/app-layer-internal.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static void *digest_new(const EVP_MD *md)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (c != NULL && EVP_DigestInit_ex(c, md, NULL) != 1) {
        EVP_MD_CTX_free(c);
        c = NULL;
    }
    return c;
}

AppFileTrack *app_file_new(AppFlow *af, uint8_t dir, const uint8_t *name, uint32_t name_len)
{
    uint64_t charge = sizeof(AppFileTrack) + name_len;
    if (!app_mem_charge(af, charge)) {
        return NULL;
    }
    AppFileTrack *ft = calloc(1, sizeof(*ft));
    if (ft == NULL) {
        app_mem_release(af, charge);
        return NULL;
    }
    ft->charged = charge;
    ft->f.file_id = ++af->next_file_id;
    ft->f.dir = dir;
    ft->f.state = APP_FILE_OPEN;
    if (name_len > 0 && (ft->name = malloc(name_len)) != NULL) {
        memcpy(ft->name, name, name_len);
        ft->f.name = ft->name;
        ft->f.name_len = name_len;
    }
    uint32_t need = app_files_needed();
    if (need & APP_FILE_F_MD5) {
        ft->md5 = digest_new(EVP_md5());
    }
    if (need & APP_FILE_F_SHA1) {
        ft->sha1 = digest_new(EVP_sha1());
    }
    if (need & APP_FILE_F_SHA256) {
        ft->sha256 = digest_new(EVP_sha256());
    }
    if (app_filestore_forced()) {
        ft->f.flags |= APP_FILE_F_STORE;
        ft->store = app_filestore_open();
        ft->store_failed = ft->store == NULL;
        app_filestore_flow_depth(af->f);
    }
    return ft;
}

static void window_append(AppFlow *af, AppFileTrack *ft, const uint8_t *data, uint32_t len)
{
    uint32_t room = APP_FILE_WINDOW_MAX - ft->win_len;
    uint32_t n = len < room ? len : room;
    if (n == 0) {
        return;
    }
    if (ft->win_len + n > ft->win_cap) {
        uint32_t cap = ft->win_cap ? ft->win_cap : 4096;
        while (cap < ft->win_len + n) {
            cap *= 2;
        }
        cap = cap > APP_FILE_WINDOW_MAX ? APP_FILE_WINDOW_MAX : cap;
        if (!app_mem_charge(af, cap - ft->win_cap)) {
            return;
        }
        uint8_t *w = realloc(ft->win, cap);
        if (w == NULL) {
            app_mem_release(af, cap - ft->win_cap);
            return;
        }
        ft->charged += cap - ft->win_cap;
        ft->win = w;
        ft->win_cap = cap;
    }
    memcpy(ft->win + ft->win_len, data, n);
    ft->win_len += n;
    ft->f.data = ft->win;
    ft->f.data_len = ft->win_len;
}

void app_file_data(AppFlow *af, AppFileTrack *ft, const uint8_t *data, uint32_t len)
{
    if (ft == NULL || ft->f.state != APP_FILE_OPEN || len == 0) {
        return;
    }
    ft->f.size += len;
    window_append(af, ft, data, len);
    if (ft->store != NULL) {
        app_filestore_write(ft->store, data, len);
    }
    if (ft->md5 != NULL) {
        EVP_DigestUpdate(ft->md5, data, len);
    }
    if (ft->sha1 != NULL) {
        EVP_DigestUpdate(ft->sha1, data, len);
    }
    if (ft->sha256 != NULL) {
        EVP_DigestUpdate(ft->sha256, data, len);
    }
}

static void digest_done(void **ctx, uint8_t *out, uint16_t *flags, uint16_t flag)
{
    if (*ctx == NULL) {
        return;
    }
    unsigned int n = 0;
    EVP_DigestFinal_ex(*ctx, out, &n);
    EVP_MD_CTX_free(*ctx);
    *ctx = NULL;
    *flags |= flag;
}

void app_file_close(AppFileTrack *ft, uint8_t state)
{
    if (ft == NULL || ft->f.state != APP_FILE_OPEN) {
        return;
    }
    ft->f.state = state;
    if (state == APP_FILE_CLOSED) {
        digest_done(&ft->md5, ft->f.md5, &ft->f.flags, APP_FILE_F_MD5);
        digest_done(&ft->sha1, ft->f.sha1, &ft->f.flags, APP_FILE_F_SHA1);
        digest_done(&ft->sha256, ft->f.sha256, &ft->f.flags, APP_FILE_F_SHA256);
    }
    if (ft->store != NULL) {
        (void)app_filestore_close(ft->store, &ft->f);
        ft->store = NULL;
    }
}

void app_file_request_store(AppFileTrack *ft)
{
    ft->f.flags |= APP_FILE_F_STORE;
    if (!app_filestore_enabled() || ft->store != NULL || ft->store_failed ||
        (ft->f.flags & (APP_FILE_F_STORED | APP_FILE_F_LOGGED))) {
        return;
    }
    /* what passed already must still be in the window */
    if (ft->f.size > ft->win_len || (ft->f.flags & APP_FILE_F_GAP)) {
        ft->store_failed = true;
        return;
    }
    ft->store = app_filestore_open();
    if (ft->store == NULL) {
        ft->store_failed = true;
        return;
    }
    app_filestore_write(ft->store, ft->win, ft->win_len);
    if (ft->f.state != APP_FILE_OPEN) {
        (void)app_filestore_close(ft->store, &ft->f);
        ft->store = NULL;
    }
}

void app_file_free(AppFlow *af, AppFileTrack *ft)
{
    if (ft == NULL) {
        return;
    }
    EVP_MD_CTX_free(ft->md5);
    EVP_MD_CTX_free(ft->sha1);
    EVP_MD_CTX_free(ft->sha256);
    app_filestore_abort(ft->store);
    if (af != NULL) {
        app_mem_release(af, ft->charged);
    }
    free(ft->win);
    free(ft->name);
    free(ft);
}
