/* TFTP: the parser row. A TFTP "connection" on port 69 carries only the client's
 * request (RFC 1350 section 4: the server answers from another port, a new flow);
 * each read or write request is a tx, complete when seen. Other opcodes on the
 * port-69 flow (a server error answered from 69, stray data) are ignored. */
#include "app-layer/tftp/app-layer-tftp.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "util/util-json.h"

/* The length of the NUL-terminated string at data (its NUL excluded), or -1 when no
 * NUL comes before len. */
static int64_t cstr_len(const uint8_t *data, uint32_t len)
{
    const uint8_t *z = memchr(data, 0, len);
    return z == NULL ? -1 : (int64_t)(z - data);
}

bool tftp_parse_request(const uint8_t *data, uint32_t len, TftpRequest *req)
{
    if (data == NULL || len < 4) {
        return false;
    }
    uint16_t op = (uint16_t)(data[0] << 8 | data[1]);
    if (op != TFTP_OP_RRQ && op != TFTP_OP_WRQ) {
        return false;
    }
    int64_t fl = cstr_len(data + 2, len - 2);
    if (fl <= 0) {
        return false;
    }
    uint32_t moff = 2 + (uint32_t)fl + 1;
    int64_t ml = moff < len ? cstr_len(data + moff, len - moff) : -1;
    if (ml <= 0) {
        return false;
    }
    for (int64_t i = 0; i < ml; i++) {
        if (!isalpha(data[moff + i])) {
            return false;            // modes are words: netascii, octet, mail
        }
    }
    req->opcode = op;
    req->file = data + 2;
    req->file_len = (uint32_t)fl;
    req->mode = data + moff;
    req->mode_len = (uint32_t)ml;
    return true;
}

static int tftp_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                         uint8_t dir)
{
    TftpRequest req;
    if (ipproto != 17 || !port_hint || dir != APP_DIR_TOSERVER) {
        return APP_PROBE_NO;     // no signature of its own: port 69 only, as Suricata
    }
    return tftp_parse_request(data, len, &req) ? APP_PROBE_YES : APP_PROBE_NO;
}

typedef struct TftpState {
    AppFlow *af;
} TftpState;

static void *tftp_state_new(AppFlow *af)
{
    TftpState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void tftp_state_free(void *state)
{
    free(state);
}

static int tftp_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    (void)state;
    (void)consumed;
    TftpRequest req;
    if (dir != APP_DIR_TOSERVER || !tftp_parse_request(data, len, &req)) {
        return APP_PARSE_OK;
    }
    TftpTx *t = (TftpTx *)app_tx_new(af, sizeof(TftpTx));
    if (t == NULL) {
        return APP_PARSE_OK;     // memcap or max-tx: counted by the framework
    }
    t->opcode = req.opcode;
    t->file_len = req.file_len < TFTP_NAME_MAX ? req.file_len : TFTP_NAME_MAX;
    memcpy(t->file, req.file, t->file_len);
    uint32_t ml = req.mode_len < sizeof(t->mode) - 1 ? req.mode_len : sizeof(t->mode) - 1;
    for (uint32_t i = 0; i < ml; i++) {
        t->mode[i] = (char)tolower(req.mode[i]);
    }
    t->mode[ml] = '\0';
    app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
    return APP_PARSE_OK;
}

static void tftp_tx_free(void *state, AppTx *tx)
{
    (void)state;
    (void)tx;
}

static void tftp_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const TftpTx *t = (const TftpTx *)tx;
    json_open_object(jb, "tftp");
    json_str(jb, "packet", t->opcode == TFTP_OP_WRQ ? "write" : "read");
    json_strn(jb, "file", t->file, t->file_len);
    json_str(jb, "mode", t->mode);
    json_close_object(jb);
}

const AppParserDesc app_parser_tftp = {
    .name = "tftp",
    .proto = APP_PROTO_TFTP,
    .ipproto = 17,
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "69",
    .probe_ip = tftp_probe_ip,
    .state_new = tftp_state_new,
    .state_free = tftp_state_free,
    .parse = tftp_parse,
    .tx_free = tftp_tx_free,
    .complete = {0, 0},
    .log_json = tftp_log_json,
    .eve_generic = true,
};
