#ifndef VG_APP_LAYER_SSH_APP_LAYER_SSH_H
#define VG_APP_LAYER_SSH_APP_LAYER_SSH_H

/* SSH (RFC 4253): the identification banner of each side, the KEXINIT of each side
 * (HASSH / HASSH-server fingerprints) and the switch to encrypted packets after
 * NEWKEYS. One transaction per flow; complete in a direction once that side is
 * encrypted (or the flow ends). Details: src/app-layer/ssh/README.md. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define SSH_BANNER_MAX 255       // bytes of a banner line kept (RFC 4253 section 4.2)
#define SSH_LINE_MAX 8192        // a line longer than this without LF: invalid banner
#define SSH_RECORD_MAX 262144    // packet_length above this: invalid_record_length
#define SSH_KEX_MAX 65535        // a KEXINIT longer than this is not buffered: long_kex_record

/* Progress per direction. */
enum {
    SSH_PROG_NONE = 0,
    SSH_PROG_BANNER = 1,         // banner line parsed
    SSH_PROG_KEXINIT = 2,        // KEXINIT parsed (HASSH known)
    SSH_PROG_DONE = 3,           // NEWKEYS seen: the rest is encrypted
};

enum {
    SSH_EV_INVALID_BANNER = 0,
    SSH_EV_LONG_BANNER,
    SSH_EV_INVALID_RECORD_LENGTH,
    SSH_EV_LONG_KEX_RECORD,
    SSH_EV_N,
};

typedef struct SshSide {
    uint8_t proto[SSH_BANNER_MAX];
    uint16_t proto_len;
    uint8_t software[SSH_BANNER_MAX];
    uint16_t software_len;
    bool has_banner;
    bool has_hassh;
    char *hassh_string;          // kex;enc;mac;comp of this side's direction (NUL-ended)
    uint32_t hassh_len;
    char hassh[33];              // md5 hex of hassh_string
} SshSide;

typedef struct SshTx {
    AppTx tx;
    SshSide side[2];             // APP_DIR_TOSERVER: client, APP_DIR_TOCLIENT: server
} SshTx;

/* Parses one banner line (without CR/LF) into s. False when it is not "SSH-x-y". */
bool ssh_banner_parse(const uint8_t *line, uint32_t len, SshSide *s);
/* The HASSH string of a KEXINIT payload (starting at the message type byte 20) for a
 * client (is_client: the client-to-server lists) or a server. Returns a malloc'ed
 * NUL-ended string (length in *out_len), or NULL when the payload is malformed (or no
 * memory: *nomem set). */
char *ssh_hassh_string(const uint8_t *p, uint32_t len, bool is_client, uint32_t *out_len,
                       bool *nomem);
/* md5 hex of s (32 chars + NUL) into out. */
void ssh_md5_hex(const char *s, size_t len, char out[33]);

/* For detect and output: the side of tx in dir, NULL when tx is not SSH. */
const SshSide *ssh_tx_side(const AppTx *tx, uint8_t dir);
/* app-layer.protocols.ssh.hassh (Suricata's setting): hassh in EVE records. */
bool ssh_hassh_logging(void);
/* Detect: rules use hassh keywords (they are computed anyway). False when the config
 * explicitly says hassh: no. */
bool ssh_hassh_allowed(void);

extern const AppBufferDef ssh_buffers[];
extern const char *const ssh_event_names[];

#endif
