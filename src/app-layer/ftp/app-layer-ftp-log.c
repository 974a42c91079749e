/* FTP buffers and the EVE "ftp" object, as Suricata 8 writes them:
 *
 * ftp.command, ftp.command_data   the command name and its argument (toserver, at once)
 * ftp.reply                       one instance per reply line, text after the code
 * ftp.completion_code             one instance per reply line, the three digits
 *                                 (both toclient, once the final reply came)
 *
 * "ftp": {"command", "command_data", "reply": [...], "completion_code": [...],
 *         "dynamic_port", "mode", "reply_received", "command_truncated",
 *         "reply_truncated"} */
#include "app-layer/ftp/app-layer-ftp.h"

static bool get_command(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    const FtpTx *t = ftp_tx(tx);
    if (t == NULL || !t->has_command || t->cmd == NULL) {
        return false;
    }
    *d = t->cmd;
    *l = t->cmd_len;
    return true;
}

static bool get_command_data(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    const FtpTx *t = ftp_tx(tx);
    if (t == NULL || t->arg == NULL) {
        return false;
    }
    *d = t->arg;
    *l = t->arg_len;
    return true;
}

static bool multi_reply(const Flow *f, const AppTx *tx, uint32_t i, const uint8_t **d,
                        uint32_t *l)
{
    (void)f;
    const FtpTx *t = ftp_tx(tx);
    if (t == NULL || i >= t->n_replies) {
        return false;
    }
    *d = t->replies[i].text != NULL ? t->replies[i].text : (const uint8_t *)"";
    *l = t->replies[i].len;
    return true;
}

static bool get_reply(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    return multi_reply(f, tx, 0, d, l);
}

static bool multi_code(const Flow *f, const AppTx *tx, uint32_t i, const uint8_t **d,
                       uint32_t *l)
{
    (void)f;
    const FtpTx *t = ftp_tx(tx);
    if (t == NULL || i >= t->n_replies) {
        return false;
    }
    *d = t->replies[i].code;
    *l = 3;
    return true;
}

static bool get_code(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    return multi_code(f, tx, 0, d, l);
}

const AppBufferDef ftp_buffers[] = {
    {.name = "ftp.command", .proto = APP_PROTO_FTP, .dir = APP_DIR_TOSERVER, .progress = 0,
     .get = get_command},
    {.name = "ftp.command_data", .proto = APP_PROTO_FTP, .dir = APP_DIR_TOSERVER,
     .progress = 0, .get = get_command_data},
    {.name = "ftp.reply", .proto = APP_PROTO_FTP, .dir = APP_DIR_TOCLIENT,
     .progress = FTP_PROG_DONE, .get = get_reply, .get_multi = multi_reply},
    {.name = "ftp.completion_code", .proto = APP_PROTO_FTP, .dir = APP_DIR_TOCLIENT,
     .progress = FTP_PROG_DONE, .get = get_code, .get_multi = multi_code},
};

void ftp_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const FtpTx *t = ftp_tx(tx);
    if (t == NULL) {
        return;
    }
    json_open_object(jb, "ftp");
    if (t->has_command) {
        json_strn(jb, "command", t->cmd != NULL ? t->cmd : (const uint8_t *)"", t->cmd_len);
        if (t->arg != NULL) {
            json_strn(jb, "command_data", t->arg, t->arg_len);
        }
    }
    if (t->n_replies > 0) {
        json_open_array(jb, "reply");
        for (uint32_t i = 0; i < t->n_replies; i++) {
            json_strn(jb, NULL, t->replies[i].text != NULL ? t->replies[i].text
                                                           : (const uint8_t *)"",
                      t->replies[i].len);
        }
        json_close_array(jb);
        json_open_array(jb, "completion_code");
        for (uint32_t i = 0; i < t->n_replies; i++) {
            json_strn(jb, NULL, t->replies[i].code, 3);
        }
        json_close_array(jb);
    }
    if (t->has_port) {
        json_u64(jb, "dynamic_port", t->port);
    }
    if (t->mode != FTP_MODE_NONE) {
        json_str(jb, "mode", t->mode == FTP_MODE_ACTIVE ? "active" : "passive");
    }
    json_str(jb, "reply_received", t->reply_received ? "yes" : "no");
    if (t->has_command) {
        json_bool(jb, "command_truncated", t->cmd_truncated);
    }
    json_bool(jb, "reply_truncated", t->reply_truncated);
    json_close_object(jb);
}
