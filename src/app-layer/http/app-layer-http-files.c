/* Files carried by HTTP: the response body of every response with a body, the body of
 * a PUT or of a POST that is not multipart, and the parts with a filename of a
 * multipart/form-data request. Each file has
 * its name, size, state, hashes (when asked for) and libmagic type; its data window is
 * the tx's body buffer (request/response body limit). */
#include "app-layer/http/app-layer-http.h"

#include <stdio.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app-layer/app-layer-magic.h"

static _Atomic uint32_t g_need;          // APP_FILE_F_* asked for (start-up)

void app_layer_files_need(uint32_t flags)
{
    g_need |= flags;
}

uint32_t app_files_needed(void)   // HTTP/2 files too (src/app-layer/http2)
{
    return g_need;
}

/* Start storing hf: what passed already must still be in its window (the body buffer
 * from offset 0), then the rest is written as it comes; a closed file is finished now. */
static void store_start(HttpFile *hf)
{
    if (hf->store != NULL || hf->store_failed || (hf->f.flags & APP_FILE_F_STORED)) {
        return;
    }
    if (hf->f.flags & APP_FILE_F_LOGGED) {
        return;    // its fileinfo said "stored": false already: stay true to it
    }
    const uint8_t *held = hf->f.data;
    uint64_t held_len = hf->f.data_len;
    if (hf->window != NULL) {
        held = hf->window->data;
        held_len = hf->window->len;
    }
    if (hf->f.data_offset != 0 || held_len < hf->f.size || (hf->f.flags & APP_FILE_F_GAP)) {
        hf->store_failed = true;    // the start is gone (or a hole): no partial copies
        return;
    }
    hf->store = app_filestore_open();
    if (hf->store == NULL) {
        hf->store_failed = true;
        return;
    }
    app_filestore_write(hf->store, held, (uint32_t)hf->f.size);
    if (hf->f.state != APP_FILE_OPEN) {
        (void)app_filestore_close(hf->store, &hf->f);
        hf->store = NULL;
    }
}

static void add_sid(AppFile *af, uint32_t sid)
{
    for (uint8_t i = 0; i < af->n_store_sids; i++) {
        if (af->store_sids[i] == sid) {
            return;
        }
    }
    if (sid != 0 && af->n_store_sids < APP_FILE_SIDS_MAX) {
        af->store_sids[af->n_store_sids++] = sid;
    }
}

void app_layer_file_request_store(Flow *f, AppTx *tx, uint8_t dir, const AppFile *file)
{
    app_layer_file_request_store_by(f, tx, dir, file, 0);
}

void app_layer_file_request_store_by(Flow *f, AppTx *tx, uint8_t dir, const AppFile *file,
                                     uint32_t sid)
{
    if (dir > 1) {
        return;
    }
    app_filestore_flow_depth(f);
    if (tx->proto != APP_PROTO_HTTP1) {
        /* other protocols' files are AppFileTracks (app-layer-file.c) */
        for (uint32_t i = 0; i < tx->n_files[dir]; i++) {
            AppFile *af = (AppFile *)app_layer_tx_file_at(f, tx, dir, i);
            if (af != NULL && (file == NULL || file == af)) {
                app_file_request_store((AppFileTrack *)af);
            }
        }
        return;
    }
    for (uint32_t i = 0; i < tx->n_files[dir]; i++) {
        AppFile *af = (AppFile *)http_tx_file_at(tx, dir, i);
        if (af != NULL && (file == NULL || file == af)) {
            if (!(af->flags & APP_FILE_F_LOGGED)) {
                add_sid(af, sid);  // a record already written can't name it any more
            }
            af->flags |= APP_FILE_F_STORE;
            if (app_filestore_enabled()) {
                store_start((HttpFile *)af);   // AppFile is HttpFile's first member
            }
        }
    }
}

/* The type of data; the text lives in the tx's file (copied). Per-thread handle and cache:
 * app-layer-magic.h. Only when a rule (file.magic, filemagic) or the fileinfo output
 * (files.force-magic) asked for it through app_layer_files_need, as Suricata types files
 * only then; else NULL, and fileinfo has no magic. libmagic and the SHA-256 keying its
 * cache were ~3% of the single runmode's CPU with all of ET Open, which has no filemagic
 * rule (issue 15). */
static const char *magic_of(const uint8_t *data, uint32_t len, char *out, size_t cap)
{
    if (!(g_need & APP_FILE_F_MAGIC)) {
        return NULL;
    }
    return app_magic_of(data, len, out, cap);
}

void http_files_deinit(void)
{
    app_magic_deinit();
}

static HttpFile *file_new(AppFlow *af, const uint8_t *name, uint32_t name_len, uint8_t dir)
{
    if (!app_mem_charge(af, sizeof(HttpFile) + name_len)) {
        return NULL;
    }
    HttpFile *hf = calloc(1, sizeof(*hf));
    if (hf == NULL) {
        app_mem_release(af, sizeof(HttpFile) + name_len);
        return NULL;
    }
    hf->charged = (uint32_t)sizeof(HttpFile) + name_len;
    hf->f.file_id = ++af->next_file_id;
    hf->f.dir = dir;
    hf->f.state = APP_FILE_OPEN;
    if (name_len > 0 && (hf->name = malloc(name_len)) != NULL) {
        memcpy(hf->name, name, name_len);
        hf->f.name = hf->name;
        hf->f.name_len = name_len;
    }
    uint32_t need = g_need;
    if (need & APP_FILE_F_MD5) {
        hf->md5 = EVP_MD_CTX_new();
        EVP_DigestInit_ex(hf->md5, EVP_md5(), NULL);
    }
    if (need & APP_FILE_F_SHA1) {
        hf->sha1 = EVP_MD_CTX_new();
        EVP_DigestInit_ex(hf->sha1, EVP_sha1(), NULL);
    }
    if (need & APP_FILE_F_SHA256) {
        hf->sha256 = EVP_MD_CTX_new();
        EVP_DigestInit_ex(hf->sha256, EVP_sha256(), NULL);
    }
    return hf;
}

static void file_data(HttpFile *hf, const uint8_t *data, uint32_t len)
{
    if (hf->f.state != APP_FILE_OPEN || len == 0) {
        return;
    }
    hf->f.size += len;
    if (hf->store != NULL) {
        app_filestore_write(hf->store, data, len);
    }
    if (hf->md5 != NULL) {
        EVP_DigestUpdate(hf->md5, data, len);
    }
    if (hf->sha1 != NULL) {
        EVP_DigestUpdate(hf->sha1, data, len);
    }
    if (hf->sha256 != NULL) {
        EVP_DigestUpdate(hf->sha256, data, len);
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

static void file_close(HttpFile *hf, uint8_t state)
{
    if (hf->f.state != APP_FILE_OPEN) {
        return;
    }
    hf->f.state = state;
    if (state == APP_FILE_CLOSED) {
        digest_done(&hf->md5, hf->f.md5, &hf->f.flags, APP_FILE_F_MD5);
        digest_done(&hf->sha1, hf->f.sha1, &hf->f.flags, APP_FILE_F_SHA1);
        digest_done(&hf->sha256, hf->f.sha256, &hf->f.flags, APP_FILE_F_SHA256);
    }
    if (hf->store != NULL) {
        /* a truncated file is stored as far as it went, as Suricata does */
        (void)app_filestore_close(hf->store, &hf->f);
        hf->store = NULL;
    }
}

/* af NULL: the flow's memory accounting is gone already (no release). */
static void file_free(AppFlow *af, HttpFile *hf)
{
    if (hf == NULL) {
        return;
    }
    if (af != NULL) {
        app_mem_release(af, hf->charged);
    }
    EVP_MD_CTX_free(hf->md5);
    EVP_MD_CTX_free(hf->sha1);
    EVP_MD_CTX_free(hf->sha256);
    app_filestore_abort(hf->store);    // never closed (parser stopped): no copy
    free(hf->name);
    free(hf);
}

/* Name of the file a tx carries in dir: Content-Disposition filename, else the path. */
static void file_name(const HttpTx *ht, uint8_t dir, const uint8_t **name, uint32_t *len)
{
    const uint8_t *d;
    uint32_t l;
    *name = NULL;
    *len = 0;
    if (http_header_value(ht, dir, "content-disposition", &d, &l)) {
        for (uint32_t i = 0; i + 9 <= l; i++) {
            if (strncasecmp((const char *)d + i, "filename=", 9) == 0) {
                uint32_t s = i + 9;
                bool q = s < l && d[s] == '"';
                s += q;
                uint32_t e = s;
                while (e < l && (q ? d[e] != '"' : (d[e] != ';' && d[e] != ' '))) {
                    e++;
                }
                *name = d + s;
                *len = e - s;
                return;
            }
        }
    }
    const htp_tx_t *t = ht->htp;
    if (t != NULL && t->parsed_uri != NULL && t->parsed_uri->path != NULL) {
        *name = bstr_ptr(t->parsed_uri->path);
        *len = (uint32_t)bstr_len(t->parsed_uri->path);
    } else if (t != NULL && t->request_uri != NULL) {
        *name = bstr_ptr(t->request_uri);
        *len = (uint32_t)bstr_len(t->request_uri);
    }
}

static bool is_multipart(const HttpTx *ht)
{
    const uint8_t *d;
    uint32_t l;
    return http_header_value(ht, APP_DIR_TOSERVER, "content-type", &d, &l) && l >= 19 &&
           strncasecmp((const char *)d, "multipart/form-data", 19) == 0;
}

static bool body_is_file(const HttpTx *ht, uint8_t dir)
{
    if (dir == APP_DIR_TOCLIENT) {
        return true;
    }
    /* as Suricata: a PUT body, or a POST body that is not multipart (whose parts are the
     * files), is one file named by the uri path */
    const htp_tx_t *t = ht->htp;
    if (t == NULL || t->request_method == NULL) {
        return false;
    }
    return bstr_cmp_c_nocase(t->request_method, "PUT") == 0 ||
           (bstr_cmp_c_nocase(t->request_method, "POST") == 0 && !is_multipart(ht));
}

void http_file_body(AppFlow *af, HttpTx *ht, uint8_t dir, const uint8_t *data, uint32_t len)
{
    if (!body_is_file(ht, dir)) {
        return;
    }
    if (ht->files[dir] == NULL) {
        const uint8_t *name;
        uint32_t nl;
        file_name(ht, dir, &name, &nl);
        ht->files[dir] = file_new(af, name, nl, dir);
        if (ht->files[dir] == NULL) {
            return;
        }
        ht->files[dir]->window = &ht->body[dir];
        ht->tx.n_files[dir] = 1;
        if (app_filestore_forced()) {
            ht->files[dir]->f.flags |= APP_FILE_F_STORE;
            store_start(ht->files[dir]);
            app_filestore_flow_depth(af->f);
        }
    }
    file_data(ht->files[dir], data, len);
}

void http_file_gap(AppFlow *af, HttpTx *ht, uint8_t dir, uint32_t len)
{
    if (!body_is_file(ht, dir)) {
        return;
    }
    if (ht->files[dir] == NULL) {
        http_file_body(af, ht, dir, NULL, 0);
        if (ht->files[dir] == NULL) {
            return;
        }
    }
    /* the size counts the missing bytes (as Suricata's); hashes of a file with a hole
     * would be wrong: none are given, and the file closes truncated */
    HttpFile *hf = ht->files[dir];
    if (hf->f.state == APP_FILE_OPEN) {
        hf->f.flags |= APP_FILE_F_GAP;
        hf->f.size += len;
    }
}

/* multipart/form-data: the parts with a filename become files (from the body buffer). */
static void multipart_files(AppFlow *af, HttpTx *ht)
{
    const uint8_t *ct;
    uint32_t cl;
    if (!http_header_value(ht, APP_DIR_TOSERVER, "content-type", &ct, &cl)) {
        return;
    }
    const char *b = memmem(ct, cl, "boundary=", 9);
    if (b == NULL) {
        app_tx_event(af, &ht->tx, HTTP_EV_MULTIPART_GENERIC_ERROR);
        return;
    }
    const uint8_t *bs = (const uint8_t *)b + 9;
    uint32_t bl = (uint32_t)(ct + cl - bs);
    if (bl > 0 && bs[0] == '"') {
        bs++;
        bl--;
        const uint8_t *q = memchr(bs, '"', bl);
        bl = q ? (uint32_t)(q - bs) : bl;
    }
    uint8_t delim[80];
    if (bl == 0 || bl + 4 > sizeof(delim)) {
        app_tx_event(af, &ht->tx, HTTP_EV_MULTIPART_GENERIC_ERROR);
        return;
    }
    delim[0] = '-';
    delim[1] = '-';
    memcpy(delim + 2, bs, bl);
    uint32_t dl = bl + 2;
    const uint8_t *body = ht->body[0].data;
    uint32_t len = ht->body[0].len;
    const uint8_t *p = body ? memmem(body, len, delim, dl) : NULL;
    while (p != NULL && ht->n_mp_files < sizeof(ht->mp_files) / sizeof(ht->mp_files[0])) {
        const uint8_t *hdr = p + dl;
        const uint8_t *end = body + len;
        if (hdr + 2 > end || (hdr[0] == '-' && hdr[1] == '-')) {
            break; // closing delimiter
        }
        const uint8_t *hdr_end = memmem(hdr, (size_t)(end - hdr), "\r\n\r\n", 4);
        if (hdr_end == NULL) {
            app_tx_event(af, &ht->tx, HTTP_EV_MULTIPART_INVALID_HEADER);
            break;
        }
        const uint8_t *data = hdr_end + 4;
        const uint8_t *next = memmem(data, (size_t)(end - data), delim, dl);
        const uint8_t *data_end = next ? next : end;
        if (next != NULL && data_end - data >= 2 && data_end[-2] == '\r' && data_end[-1] == '\n') {
            data_end -= 2;
        }
        const uint8_t *fn = memmem(hdr, (size_t)(hdr_end - hdr), "filename=", 9);
        if (fn != NULL) {
            const uint8_t *s = fn + 9;
            bool q = s < hdr_end && *s == '"';
            s += q;
            const uint8_t *e = s;
            while (e < hdr_end && (q ? *e != '"' : (*e != ';' && *e != '\r'))) {
                e++;
            }
            HttpFile *hf = file_new(af, s, (uint32_t)(e - s), APP_DIR_TOSERVER);
            if (hf != NULL) {
                if (app_filestore_forced()) {
                    hf->f.flags |= APP_FILE_F_STORE;
                    store_start(hf);
                    app_filestore_flow_depth(af->f);
                }
                file_data(hf, data, (uint32_t)(data_end - data));
                hf->f.data = data;
                hf->f.data_len = (uint32_t)(data_end - data);
                file_close(hf, next != NULL && !ht->body_truncated[0] ? APP_FILE_CLOSED
                                                                      : APP_FILE_TRUNCATED);
                hf->f.magic = hf->f.data_len ? magic_of(hf->f.data, hf->f.data_len, hf->magic_buf,
                                                        sizeof(hf->magic_buf))
                                             : NULL;
                if (hf->f.magic != NULL) {
                    hf->f.flags |= APP_FILE_F_MAGIC;
                }
                ht->mp_files[ht->n_mp_files++] = hf;
            }
        }
        p = next;
    }
    ht->tx.n_files[0] = (uint16_t)ht->n_mp_files;
    if (ht->n_mp_files == 0) {
        app_tx_event(af, &ht->tx, HTTP_EV_MULTIPART_NO_FILEDATA);
    }
}

void http_file_close(AppFlow *af, HttpTx *ht, uint8_t dir, bool truncated)
{
    if (dir == APP_DIR_TOSERVER && !truncated && ht->n_mp_files == 0 && ht->body[0].len > 0 &&
        is_multipart(ht)) {
        multipart_files(af, ht);
    }
    HttpFile *hf = ht->files[dir];
    if (hf == NULL || hf->f.state != APP_FILE_OPEN) {
        return;
    }
    bool gap = (hf->f.flags & APP_FILE_F_GAP) != 0;
    file_close(hf, truncated || gap ? APP_FILE_TRUNCATED : APP_FILE_CLOSED);
    hf->f.data = ht->body[dir].data;
    hf->f.data_len = ht->body[dir].len;
    hf->f.data_offset = ht->body_base[dir];
    if (hf->f.data_len > 0 && !(hf->f.flags & APP_FILE_F_MAGIC) && ht->body_base[dir] == 0) {
        hf->f.magic =
            magic_of(hf->f.data, hf->f.data_len, hf->magic_buf, sizeof(hf->magic_buf));
        if (hf->f.magic != NULL) {
            hf->f.flags |= APP_FILE_F_MAGIC;
        }
    }
}

bool http_body_keep_all(const HttpTx *ht, uint8_t dir)
{
    /* multipart parts are cut from the whole request body at its end */
    if (dir == APP_DIR_TOSERVER && is_multipart(ht)) {
        return true;
    }
    /* a file the store may still be asked for needs its start; one being written (what
     * came so far is in the store), refused, or already logged does not */
    const HttpFile *hf = ht->files[dir];
    return app_filestore_enabled() && hf != NULL && hf->store == NULL && !hf->store_failed &&
           !(hf->f.flags & (APP_FILE_F_LOGGED | APP_FILE_F_STORED));
}

void http_file_before_prune(HttpTx *ht, uint8_t dir)
{
    HttpFile *hf = ht->files[dir];
    if (hf == NULL || (hf->f.flags & APP_FILE_F_MAGIC) || ht->body[dir].len == 0 ||
        ht->body_base[dir] != 0) {
        return;
    }
    hf->f.magic = magic_of(ht->body[dir].data, ht->body[dir].len, hf->magic_buf,
                          sizeof(hf->magic_buf));
    if (hf->f.magic != NULL) {
        hf->f.flags |= APP_FILE_F_MAGIC;
    }
}

void http_files_free(AppFlow *af, HttpTx *ht)
{
    for (int d = 0; d < 2; d++) {
        file_free(af, ht->files[d]);
        ht->files[d] = NULL;
    }
    for (uint32_t i = 0; i < ht->n_mp_files; i++) {
        file_free(af, ht->mp_files[i]);
    }
    ht->n_mp_files = 0;
}

const AppFile *http_tx_file_at(const AppTx *tx, uint8_t dir, uint32_t idx)
{
    HttpTx *ht = (HttpTx *)(uintptr_t)tx;
    if (dir == APP_DIR_TOSERVER && ht->n_mp_files > 0) {
        if (idx >= ht->n_mp_files) {
            return NULL;
        }
        AppFile *f = &ht->mp_files[idx]->f;
        return f;
    }
    if (idx != 0 || ht->files[dir] == NULL) {
        return NULL;
    }
    HttpFile *hf = ht->files[dir];
    /* Open files expose the data so far. */
    if (hf->f.state == APP_FILE_OPEN) {
        hf->f.data = ht->body[dir].data;
        hf->f.data_len = ht->body[dir].len;
        hf->f.data_offset = ht->body_base[dir];
    }
    return &hf->f;
}
