/* ftp-data: a data connection announced on an FTP control connection (the expectation
 * table, app-layer-ftp-expect.c). One tx per connection carrying one file: its name
 * and transfer command (STOR/APPE/STOU or RETR) come from the control connection, its
 * bytes are the connection's data in whichever direction they flow. A LIST, NLST or
 * MLSD connection carries a listing: a tx with its command, no file. The file closes
 * when that side ends (FIN/RST) and ends truncated on a gap or when the flow ends
 * first. */
#include "app-layer/ftp/app-layer-ftp.h"

#include <stdlib.h>
#include <string.h>

typedef struct FtpDataState {
    AppFlow *af;
    FtpDataTx *tx;
    FtpExpect exp;
    bool has_exp;
} FtpDataState;

const FtpDataTx *ftp_data_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_FTP_DATA ? (const FtpDataTx *)tx : NULL;
}

static void *fd_state_new(AppFlow *af)
{
    FtpDataState *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return NULL;
    }
    st->af = af;
    st->has_exp = ftp_expect_take(af, af->f, &st->exp);
    return st;
}

static void fd_state_free(void *state)
{
    FtpDataState *st = state;
    if (st != NULL) {
        free(st->exp.name);
        free(st);
    }
}

static void fd_tx_free(void *state, AppTx *tx)
{
    FtpDataState *st = state;
    FtpDataTx *t = (FtpDataTx *)tx;
    app_file_free(st != NULL ? st->af : NULL, t->file);
    t->file = NULL;
    if (st != NULL && st->tx == t) {
        st->tx = NULL;
    }
}

static FtpDataTx *get_tx(FtpDataState *st, uint8_t dir)
{
    if (st->tx != NULL || st->af->next_tx_id != 0) {
        return st->tx;
    }
    FtpDataTx *t = (FtpDataTx *)app_tx_new(st->af, sizeof(FtpDataTx));
    if (t == NULL) {
        return NULL;
    }
    st->tx = t;
    t->command = st->exp.command;
    t->dir = dir;
    t->file = ftp_data_cmd_is_listing(t->command) ? NULL : app_file_new(st->af, dir, st->exp.name, st->exp.name_len);
    if (t->file != NULL) {
        t->tx.n_files[dir] = 1;
    }
    return t;
}

static void finish(FtpDataTx *t, uint8_t state)
{
    app_file_close(t->file, state);
    for (uint8_t d = 0; d < 2; d++) {
        t->tx.progress[d] = 1;
        app_tx_touch(&t->tx, d);
    }
}

static int fd_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                    uint32_t *consumed)
{
    (void)af;
    (void)consumed;
    FtpDataState *st = state;
    FtpDataTx *t = get_tx(st, dir);
    if (t == NULL || t->dir != dir) {
        return APP_PARSE_OK;     // one file per connection, in one direction
    }
    app_file_data(st->af, t->file, data, len);
    app_tx_touch(&t->tx, dir);
    return APP_PARSE_OK;
}

static int fd_gap_len(AppFlow *af, void *state, uint8_t dir, uint32_t len)
{
    (void)af;
    (void)len;
    FtpDataState *st = state;
    if (st->tx != NULL && st->tx->dir == dir && st->tx->file != NULL) {
        st->tx->file->f.flags |= APP_FILE_F_GAP;
        finish(st->tx, APP_FILE_TRUNCATED);
    }
    return APP_PARSE_ERROR;
}

static void fd_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    FtpDataState *st = state;
    if (st->tx != NULL && st->tx->dir == dir) {
        finish(st->tx, APP_FILE_CLOSED);
    }
}

static const AppFile *fd_file_at(const AppTx *tx, uint8_t dir, uint32_t idx)
{
    const FtpDataTx *t = (const FtpDataTx *)tx;
    if (idx != 0 || t->dir != dir || t->file == NULL) {
        return NULL;
    }
    return &t->file->f;
}

/* file.data: the file's window, growing as data comes. */
static bool get_file_data(const Flow *f, const AppTx *tx, uint8_t dir, const uint8_t **d,
                          uint32_t *l)
{
    (void)f;
    const FtpDataTx *t = ftp_data_tx(tx);
    if (t == NULL || t->dir != dir || t->file == NULL || t->file->f.data == NULL) {
        return false;
    }
    *d = t->file->f.data;
    *l = t->file->f.data_len;
    return true;
}

static bool get_fd_ts(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    return get_file_data(f, tx, APP_DIR_TOSERVER, d, l);
}

static bool get_fd_tc(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    return get_file_data(f, tx, APP_DIR_TOCLIENT, d, l);
}

const AppBufferDef ftp_data_buffers[] = {
    {.name = "file.data", .proto = APP_PROTO_FTP_DATA, .dir = APP_DIR_TOSERVER, .progress = 0,
     .is_growing = true, .get = get_fd_ts},
    {.name = "file.data", .proto = APP_PROTO_FTP_DATA, .dir = APP_DIR_TOCLIENT, .progress = 0,
     .is_growing = true, .get = get_fd_tc},
};

const char *ftp_data_cmd_name(uint8_t c)
{
    static const char *const names[FTPDATA_CMD_COUNT] = {
        [FTPDATA_CMD_STOR] = "STOR", [FTPDATA_CMD_RETR] = "RETR", [FTPDATA_CMD_APPE] = "APPE",
        [FTPDATA_CMD_STOU] = "STOU", [FTPDATA_CMD_LIST] = "LIST", [FTPDATA_CMD_NLST] = "NLST",
        [FTPDATA_CMD_MLSD] = "MLSD",
    };
    return c < FTPDATA_CMD_COUNT ? names[c] : NULL;
}

void ftp_data_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const FtpDataTx *t = ftp_data_tx(tx);
    if (t == NULL) {
        return;
    }
    json_open_object(jb, "ftp_data");
    if (t->file != NULL && t->file->f.name != NULL) {
        json_strn(jb, "filename", t->file->f.name, t->file->f.name_len);
    }
    if (ftp_data_cmd_name(t->command) != NULL) {
        json_str(jb, "command", ftp_data_cmd_name(t->command));
    }
    json_close_object(jb);
}

const AppParserDesc app_parser_ftp_data = {
    .name = "ftp-data",
    .proto = APP_PROTO_FTP_DATA,
    .ipproto = 6,
    .first_dir = APP_DIR_TOSERVER,
    .any_first_dir = true,       // found through the expectation table only: no patterns
    .state_new = fd_state_new,
    .state_free = fd_state_free,
    .parse = fd_parse,
    .gap_len = fd_gap_len,
    .eof = fd_eof,
    .tx_free = fd_tx_free,
    .complete = {1, 1},
    .buffers = ftp_data_buffers,
    .n_buffers = FTPDATA_N_BUFFERS,
    .log_json = ftp_data_log_json,
    .tx_file_at = fd_file_at,
};
