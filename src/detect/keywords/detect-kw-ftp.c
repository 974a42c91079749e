/* FTP keywords that are not plain sticky buffers (ftp.command, ftp.command_data,
 * ftp.reply and ftp.completion_code come from the app-layer buffer registry):
 *
 * ftp.mode:active|passive       the tx's command set up an active (PORT/EPRT) or passive
 *                               (PASV/EPSV) data connection.
 * ftp.reply_received:yes|no    a reply to the tx's command came (or not yet).
 * ftp.dynamic_port:N            the data port the tx announced (integer forms as dsize).
 * ftpbounce                     a PORT command names an address other than the client's
 *                               (the FTP bounce attack, RFC 2577 section 3).
 * ftpdata_command:<cmd>         an ftp-data connection serves that command: stor, appe,
 *                               stou (upload), retr (download), list, nlst, mlsd (a
 *                               listing). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app-layer/app-layer.h"
#include "app-layer/ftp/app-layer-ftp.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { FTPK_MODE = 0, FTPK_REPLY_RECEIVED, FTPK_PORT, FTPK_BOUNCE, FTPK_DATA_CMD };

typedef struct DetectFtp {
    uint8_t what;                // FTPK_*
    uint8_t value;               // mode / yes-no / command
    DetectUint u;
} DetectFtp;

static bool is_bounce(const Flow *f, const FtpTx *t)
{
    if (t->cmd_len != 4 || strncasecmp((const char *)t->cmd, "PORT", 4) != 0 || !t->has_addr) {
        return false;
    }
    const VgAddr *c = &f->key.src;
    return c->family != t->addr.family || memcmp(c->a.u8, t->addr.a.u8, 4) != 0;
}

static bool match_ftp(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                      const void *ctx)
{
    (void)dt;
    (void)dir;
    const DetectFtp *d = ctx;
    if (d->what == FTPK_DATA_CMD) {
        const FtpDataTx *t = ftp_data_tx(tx);
        return t != NULL && t->command == d->value;
    }
    const FtpTx *t = ftp_tx(tx);
    if (t == NULL) {
        return false;
    }
    switch (d->what) {
    case FTPK_MODE:
        return t->mode == d->value;
    case FTPK_REPLY_RECEIVED:
        return t->has_command && t->reply_received == (d->value != 0);
    case FTPK_PORT:
        return t->has_port && detect_uint_match(&d->u, t->port);
    default:
        return t->has_command && is_bounce(f, t);
    }
}

static const DetectKeyword kw_ftp_tx = {
    .name = "ftp-tx", .desc = "FTP transaction property", .tx_match = match_ftp, .free = free,
};

/* ftp.mode alerts once on each side of the tx, as Suricata 8 registers it for both
 * directions (a PORT command and its reply both carry the mode). */
static const DetectKeyword kw_ftp_mode_tx = {
    .name = "ftp-mode-tx", .desc = "FTP transaction data connection mode",
    .tx_match = match_ftp, .free = free, .flags = DETECT_KW_TX_PER_DIR,
};

static int append(DetectParser *dp, const DetectFtp *v, AppProto proto, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != proto) {
        return detect_err(dp, "%s needs protocol %s", kw, app_proto_name(proto));
    }
    dp->s->alproto = proto;
    DetectFtp *d = malloc(sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    *d = *v;
    return detect_app_append(dp, false, v->what == FTPK_MODE ? &kw_ftp_mode_tx : &kw_ftp_tx, d);
}

/* arg without surrounding blanks and quotes into buf. */
static const char *word(const char *arg, char *buf, size_t cap)
{
    while (arg != NULL && (*arg == ' ' || *arg == '"')) {
        arg++;
    }
    size_t n = arg != NULL ? strlen(arg) : 0;
    while (n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '"')) {
        n--;
    }
    n = n < cap - 1 ? n : cap - 1;
    if (n > 0) {
        memcpy(buf, arg, n);
    }
    buf[n] = '\0';
    return buf;
}

static int setup_mode(DetectParser *dp, const char *arg)
{
    char w[16];
    DetectFtp v = {.what = FTPK_MODE};
    word(arg, w, sizeof(w));
    if (strcasecmp(w, "active") == 0) {
        v.value = FTP_MODE_ACTIVE;
    } else if (strcasecmp(w, "passive") == 0) {
        v.value = FTP_MODE_PASSIVE;
    } else {
        return detect_err(dp, "bad ftp.mode value '%s' (active or passive)", w);
    }
    return append(dp, &v, APP_PROTO_FTP, "ftp.mode");
}

static int setup_reply_received(DetectParser *dp, const char *arg)
{
    char w[16];
    DetectFtp v = {.what = FTPK_REPLY_RECEIVED};
    word(arg, w, sizeof(w));
    if (strcasecmp(w, "yes") == 0 || strcasecmp(w, "on") == 0) {
        v.value = 1;
    } else if (strcasecmp(w, "no") == 0 || strcasecmp(w, "off") == 0) {
        v.value = 0;
    } else {
        return detect_err(dp, "bad ftp.reply_received value '%s' (yes, no, on or off)", w);
    }
    return append(dp, &v, APP_PROTO_FTP, "ftp.reply_received");
}

static int setup_dynamic_port(DetectParser *dp, const char *arg)
{
    DetectFtp v = {.what = FTPK_PORT};
    if (detect_uint_parse(dp, arg, 65535, &v.u) != 0) {
        return VG_EINVAL;
    }
    return append(dp, &v, APP_PROTO_FTP, "ftp.dynamic_port");
}

static int setup_bounce(DetectParser *dp, const char *arg)
{
    (void)arg;
    DetectFtp v = {.what = FTPK_BOUNCE};
    return append(dp, &v, APP_PROTO_FTP, "ftpbounce");
}

static int setup_data_command(DetectParser *dp, const char *arg)
{
    char w[16];
    DetectFtp v = {.what = FTPK_DATA_CMD};
    word(arg, w, sizeof(w));
    for (uint8_t i = FTPDATA_CMD_NONE + 1; i < FTPDATA_CMD_COUNT; i++) {
        if (strcasecmp(w, ftp_data_cmd_name(i)) == 0) {
            v.value = i;
        }
    }
    if (v.value == FTPDATA_CMD_NONE) {
        return detect_err(dp, "bad ftpdata_command value '%s' (stor, retr, appe, stou, list, "
                              "nlst or mlsd)", w);
    }
    return append(dp, &v, APP_PROTO_FTP_DATA, "ftpdata_command");
}

const DetectKeyword detect_kw_ftp_mode = {
    .name = "ftp.mode", .desc = "FTP data connection mode (active or passive)",
    .setup = setup_mode, .free = free,
};
const DetectKeyword detect_kw_ftp_reply_received = {
    .name = "ftp.reply_received", .desc = "a reply to the FTP command came (yes/no)",
    .setup = setup_reply_received, .free = free,
};
const DetectKeyword detect_kw_ftp_dynamic_port = {
    .name = "ftp.dynamic_port", .desc = "FTP data port announced (N, <N, >N, N-M)",
    .setup = setup_dynamic_port, .free = free,
};
const DetectKeyword detect_kw_ftpbounce = {
    .name = "ftpbounce", .desc = "FTP PORT command naming another host (bounce attack)",
    .flags = DETECT_KW_NOOPT, .setup = setup_bounce, .free = free,
};
const DetectKeyword detect_kw_ftpdata_command = {
    .name = "ftpdata_command", .desc = "ftp-data connection of a STOR, APPE, STOU, RETR, LIST, NLST or MLSD",
    .setup = setup_data_command, .free = free,
};
