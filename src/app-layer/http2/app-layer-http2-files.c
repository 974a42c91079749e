/* HTTP/2 files: the DATA of each stream and direction is one file named by the request's
 * :path, as Suricata names them. Size counts every DATA byte; hashes (when detect or
 * output asked for them, app_files_needed) cover all of them too; the data window for
 * detection is the kept body (HTTP2_BODY_MAX bytes from offset 0). The file closes with
 * END_STREAM, or is TRUNCATED by RST_STREAM or the end of that direction's data. No
 * libmagic type and no file store for HTTP/2 yet. */
#include "app-layer/http2/app-layer-http2.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "app-layer/app-layer-internal.h"

static void *digest_new(const EVP_MD *md)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (c != NULL && EVP_DigestInit_ex(c, md, NULL) != 1) {
        EVP_MD_CTX_free(c);
        c = NULL;
    }
    return c;
}

static void file_open(AppFlow *af, Http2Tx *t, uint8_t dir)
{
    Http2Side *s = &t->side[dir];
    s->file.file_id = ++af->next_file_id;
    s->file.dir = dir;
    s->file.state = APP_FILE_OPEN;
    const uint8_t *path;
    uint32_t path_len;
    if (http2_header_find(&t->side[APP_DIR_TOSERVER], ":path", &path, &path_len) &&
        path_len > 0 && app_mem_charge(af, path_len)) {
        s->file_name = malloc(path_len);
        if (s->file_name == NULL) {
            app_mem_release(af, path_len);
        } else {
            memcpy(s->file_name, path, path_len);
            s->file.name = s->file_name;
            s->file.name_len = path_len;
        }
    }
    uint32_t need = app_files_needed();
    s->md5 = (need & APP_FILE_F_MD5) ? digest_new(EVP_md5()) : NULL;
    s->sha1 = (need & APP_FILE_F_SHA1) ? digest_new(EVP_sha1()) : NULL;
    s->sha256 = (need & APP_FILE_F_SHA256) ? digest_new(EVP_sha256()) : NULL;
    t->tx.n_files[dir] = 1;
}

void http2_file_data(AppFlow *af, Http2Tx *t, uint8_t dir, const uint8_t *p, uint32_t n)
{
    Http2Side *s = &t->side[dir];
    if (t->tx.n_files[dir] == 0) {
        file_open(af, t, dir);
    }
    if (s->file.state != APP_FILE_OPEN) {
        return;
    }
    s->file.size += n;
    void *ctx[3] = {s->md5, s->sha1, s->sha256};
    for (int i = 0; i < 3; i++) {
        if (ctx[i] != NULL) {
            EVP_DigestUpdate(ctx[i], p, n);
        }
    }
    s->file.data = s->body;
    s->file.data_len = s->body_len;
    s->file.data_offset = 0;
}

static void digest_done(void **ctx, uint8_t *out, uint16_t *flags, uint16_t flag)
{
    if (*ctx == NULL) {
        return;
    }
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(*ctx, out, &n) == 1) {
        *flags |= flag;
    }
    EVP_MD_CTX_free(*ctx);
    *ctx = NULL;
}

void http2_file_close(Http2Tx *t, uint8_t dir, uint8_t state)
{
    Http2Side *s = &t->side[dir];
    if (t->tx.n_files[dir] == 0 || s->file.state != APP_FILE_OPEN) {
        return;
    }
    s->file.state = state;
    if (state == APP_FILE_CLOSED) {
        digest_done(&s->md5, s->file.md5, &s->file.flags, APP_FILE_F_MD5);
        digest_done(&s->sha1, s->file.sha1, &s->file.flags, APP_FILE_F_SHA1);
        digest_done(&s->sha256, s->file.sha256, &s->file.flags, APP_FILE_F_SHA256);
    }
}

void http2_file_free(AppFlow *af, Http2Side *s)
{
    EVP_MD_CTX_free(s->md5);
    EVP_MD_CTX_free(s->sha1);
    EVP_MD_CTX_free(s->sha256);
    s->md5 = s->sha1 = s->sha256 = NULL;
    if (s->file_name != NULL) {
        if (af != NULL) {
            app_mem_release(af, s->file.name_len);
        }
        free(s->file_name);
        s->file_name = NULL;
    }
}

const AppFile *http2_tx_file_at(const AppTx *tx, uint8_t dir, uint32_t idx)
{
    const Http2Tx *t = http2_tx(tx);
    if (t == NULL || dir > 1 || idx != 0 || tx->n_files[dir] == 0) {
        return NULL;
    }
    return &t->side[dir].file;
}
