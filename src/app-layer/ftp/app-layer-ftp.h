#ifndef VG_APP_LAYER_FTP_APP_LAYER_FTP_H
#define VG_APP_LAYER_FTP_APP_LAYER_FTP_H

/* FTP control connections (RFC 959, RFC 2428): one transaction per command, with the
 * reply lines answering it; PORT/EPRT/PASV/EPSV give the data connection's mode and
 * port. A tx is complete (both ways, as Suricata's single progress) once a final reply
 * (not 1xx) came, or the flow ended. Details: src/app-layer/ftp/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer-internal.h"

#define FTP_LINE_MAX 4096        // command / reply line bytes kept (Suricata's limit)
#define FTP_MAX_REPLIES 32       // reply lines kept per tx
#define FTP_MAX_PENDING 32       // commands waiting for their reply

enum { FTP_PROG_OPEN = 0, FTP_PROG_DONE = 1 };
enum { FTP_MODE_NONE = 0, FTP_MODE_ACTIVE, FTP_MODE_PASSIVE };

enum {
    FTP_EV_REQUEST_COMMAND_TOO_LONG = 0,
    FTP_EV_RESPONSE_COMMAND_TOO_LONG,
    FTP_EV_TOO_MANY_TRANSACTIONS,
    FTP_EV_FILE_BEFORE_PORT,
    FTP_EV_FILE_WITHOUT_NAME,
    FTP_EV_N,
};

typedef struct FtpReply {
    uint8_t code[3];
    uint8_t *text;               // after "NNN " / "NNN-" (owned)
    uint32_t len;
} FtpReply;

typedef struct FtpTx {
    AppTx tx;                    // first
    bool has_command;            // false: replies with no command (the greeting)
    uint8_t *cmd;                // command name, upper case as sent (owned)
    uint32_t cmd_len;
    uint8_t *arg;                // command_data (owned)
    uint32_t arg_len;
    bool cmd_truncated;
    bool reply_truncated;
    bool reply_received;
    FtpReply replies[FTP_MAX_REPLIES];
    uint32_t n_replies;
    uint8_t mode;                // FTP_MODE_*
    bool has_port;               // dynamic_port known
    uint16_t port;
    bool has_addr;               // PORT/EPRT/PASV address
    VgAddr addr;
} FtpTx;

const FtpTx *ftp_tx(const AppTx *tx);
/* "h1,h2,h3,h4,p1,p2" into addr and port. False when malformed. */
bool ftp_parse_hostport(const uint8_t *s, uint32_t len, VgAddr *addr, uint16_t *port);
/* EPRT "|1|addr|port|" / EPSV reply "(|||port|)": addr only for EPRT. */
bool ftp_parse_ext(const uint8_t *s, uint32_t len, VgAddr *addr, bool *has_addr,
                   uint16_t *port);

/* ---- ftp-data (app-layer-ftp-data.c) ---- */

/* The transfer command a data connection serves (RFC 959 4.1.3, RFC 3659 7): STOR, APPE,
 * STOU and RETR move a file; LIST, NLST and MLSD a directory listing, which is no file. */
enum { FTPDATA_CMD_NONE = 0, FTPDATA_CMD_STOR, FTPDATA_CMD_RETR, FTPDATA_CMD_APPE,
       FTPDATA_CMD_STOU, FTPDATA_CMD_LIST, FTPDATA_CMD_NLST, FTPDATA_CMD_MLSD,
       FTPDATA_CMD_COUNT };
/* "STOR" for FTPDATA_CMD_STOR ...; NULL for NONE or out of range. */
const char *ftp_data_cmd_name(uint8_t cmd);
static inline bool ftp_data_cmd_is_listing(uint8_t cmd)
{
    return cmd == FTPDATA_CMD_LIST || cmd == FTPDATA_CMD_NLST || cmd == FTPDATA_CMD_MLSD;
}
typedef struct FtpDataTx {
    AppTx tx;                    // first
    uint8_t command;             // FTPDATA_CMD_*
    uint8_t dir;                 // direction the file travels
    AppFileTrack *file;
} FtpDataTx;
const FtpDataTx *ftp_data_tx(const AppTx *tx);

/* The expectation table: a data connection announced on a control connection. The
 * flow engine asks ftp_expect_take at the start of each new TCP flow. */
typedef struct FtpExpect {
    uint16_t port;
    uint8_t command;             // FTPDATA_CMD_*
    uint8_t *name;               // file name (owned by the table entry)
    uint32_t name_len;
} FtpExpect;
/* Control side: a data connection between ctl's two hosts to port `port` (whatever
 * address the announcement named) will carry the file of the next transfer command.
 * Returns the entry's id for ftp_expect_set_command and ftp_expect_remove; 0 (nothing
 * added) at af's flow end, or when the table is full. On a capture file read by several
 * threads, waits for the packet order first (as the two below). */
uint64_t ftp_expect_add(const AppFlow *af, const Flow *ctl, uint16_t port);
/* Records the transfer command and file name in entry id (if still there). */
void ftp_expect_set_command(const AppFlow *af, uint64_t id, uint8_t command,
                            const uint8_t *name, uint32_t name_len);
/* Data side: takes the expectation for the new flow f (its two hosts, its server port;
 * the owner frees name). */
bool ftp_expect_take(const AppFlow *af, const Flow *f, FtpExpect *out);
/* The control connection ended: its announcement id goes unless it was used. */
void ftp_expect_remove(uint64_t id);
void ftp_expect_deinit(void);

void ftp_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);
void ftp_data_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);

#define FTP_N_BUFFERS 4
extern const AppBufferDef ftp_buffers[FTP_N_BUFFERS];
#define FTPDATA_N_BUFFERS 2
extern const AppBufferDef ftp_data_buffers[FTPDATA_N_BUFFERS];

#endif
