/* SMB helpers: names of commands and NT status codes, string conversion (UTF-16LE
 * names to UTF-8, bounded), and the NTLMSSP AUTHENTICATE message of session setups
 * (MS-NLMP 2.2.1.3). */
#include "app-layer/smb/app-layer-smb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const SmbTx *smb_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_SMB ? (const SmbTx *)tx : NULL;
}

const DceCall *smb_tx_dce_call(const AppTx *tx)
{
    const SmbTx *t = smb_tx(tx);
    return t != NULL && t->has_dce ? &t->dce : NULL;
}

static const char *const smb2_cmds[] = {
    "SMB2_COMMAND_NEGOTIATE_PROTOCOL", "SMB2_COMMAND_SESSION_SETUP",
    "SMB2_COMMAND_SESSION_LOGOFF", "SMB2_COMMAND_TREE_CONNECT",
    "SMB2_COMMAND_TREE_DISCONNECT", "SMB2_COMMAND_CREATE", "SMB2_COMMAND_CLOSE",
    "SMB2_COMMAND_FLUSH", "SMB2_COMMAND_READ", "SMB2_COMMAND_WRITE", "SMB2_COMMAND_LOCK",
    "SMB2_COMMAND_IOCTL", "SMB2_COMMAND_CANCEL", "SMB2_COMMAND_KEEPALIVE",
    "SMB2_COMMAND_FIND", "SMB2_COMMAND_CHANGE_NOTIFY", "SMB2_COMMAND_GET_INFO",
    "SMB2_COMMAND_SET_INFO", "SMB2_COMMAND_OPLOCK_BREAK",
};

static const struct {
    uint8_t cmd;
    const char *name;
} smb1_cmds[] = {
    {0x00, "SMB1_COMMAND_CREATE_DIRECTORY"}, {0x01, "SMB1_COMMAND_DELETE_DIRECTORY"},
    {0x02, "SMB1_COMMAND_OPEN"}, {0x03, "SMB1_COMMAND_CREATE"},
    {0x04, "SMB1_COMMAND_CLOSE"}, {0x05, "SMB1_COMMAND_FLUSH"},
    {0x06, "SMB1_COMMAND_DELETE"}, {0x07, "SMB1_COMMAND_RENAME"},
    {0x08, "SMB1_COMMAND_QUERY_INFORMATION"}, {0x09, "SMB1_COMMAND_SET_INFORMATION"},
    {0x0a, "SMB1_COMMAND_READ"}, {0x0b, "SMB1_COMMAND_WRITE"},
    {0x10, "SMB1_COMMAND_CHECK_DIRECTORY"}, {0x24, "SMB1_COMMAND_LOCKING_ANDX"},
    {0x25, "SMB1_COMMAND_TRANS"}, {0x26, "SMB1_COMMAND_TRANS_SECONDARY"},
    {0x2b, "SMB1_COMMAND_ECHO"}, {0x2d, "SMB1_COMMAND_OPEN_ANDX"},
    {0x2e, "SMB1_COMMAND_READ_ANDX"}, {0x2f, "SMB1_COMMAND_WRITE_ANDX"},
    {0x32, "SMB1_COMMAND_TRANS2"}, {0x33, "SMB1_COMMAND_TRANS2_SECONDARY"},
    {0x34, "SMB1_COMMAND_FIND_CLOSE2"}, {0x71, "SMB1_COMMAND_TREE_DISCONNECT"},
    {0x72, "SMB1_COMMAND_NEGOTIATE_PROTOCOL"}, {0x73, "SMB1_COMMAND_SESSION_SETUP_ANDX"},
    {0x74, "SMB1_COMMAND_LOGOFF_ANDX"}, {0x75, "SMB1_COMMAND_TREE_CONNECT_ANDX"},
    {0xa0, "SMB1_COMMAND_NT_TRANS"}, {0xa1, "SMB1_COMMAND_NT_TRANS_SECONDARY"},
    {0xa2, "SMB1_COMMAND_NT_CREATE_ANDX"}, {0xa4, "SMB1_COMMAND_NT_CANCEL"},
};

const char *smb_command_name(uint8_t vers, uint16_t cmd)
{
    if (vers == 2) {
        return cmd < sizeof(smb2_cmds) / sizeof(smb2_cmds[0]) ? smb2_cmds[cmd]
                                                              : "SMB2_COMMAND_UNKNOWN";
    }
    for (size_t i = 0; i < sizeof(smb1_cmds) / sizeof(smb1_cmds[0]); i++) {
        if (smb1_cmds[i].cmd == cmd) {
            return smb1_cmds[i].name;
        }
    }
    return "SMB1_COMMAND_UNKNOWN";
}

static const struct {
    uint32_t code;
    const char *name;
} nt_status[] = {
    {0x00000000, "STATUS_SUCCESS"},
    {0x00000103, "STATUS_PENDING"},
    {0x0000010b, "STATUS_NOTIFY_CLEANUP"},
    {0x0000010c, "STATUS_NOTIFY_ENUM_DIR"},
    {0x80000005, "STATUS_BUFFER_OVERFLOW"},
    {0x80000006, "STATUS_NO_MORE_FILES"},
    {0xc0000001, "STATUS_UNSUCCESSFUL"},
    {0xc0000002, "STATUS_NOT_IMPLEMENTED"},
    {0xc0000003, "STATUS_INVALID_INFO_CLASS"},
    {0xc0000008, "STATUS_INVALID_HANDLE"},
    {0xc000000d, "STATUS_INVALID_PARAMETER"},
    {0xc000000f, "STATUS_NO_SUCH_FILE"},
    {0xc0000010, "STATUS_INVALID_DEVICE_REQUEST"},
    {0xc0000011, "STATUS_END_OF_FILE"},
    {0xc0000016, "STATUS_MORE_PROCESSING_REQUIRED"},
    {0xc0000022, "STATUS_ACCESS_DENIED"},
    {0xc0000023, "STATUS_BUFFER_TOO_SMALL"},
    {0xc0000033, "STATUS_OBJECT_NAME_INVALID"},
    {0xc0000034, "STATUS_OBJECT_NAME_NOT_FOUND"},
    {0xc0000035, "STATUS_OBJECT_NAME_COLLISION"},
    {0xc000003a, "STATUS_OBJECT_PATH_NOT_FOUND"},
    {0xc0000043, "STATUS_SHARING_VIOLATION"},
    {0xc0000056, "STATUS_DELETE_PENDING"},
    {0xc000005f, "STATUS_NO_SUCH_LOGON_SESSION"},
    {0xc000006d, "STATUS_LOGON_FAILURE"},
    {0xc0000071, "STATUS_PASSWORD_EXPIRED"},
    {0xc00000b0, "STATUS_PIPE_DISCONNECTED"},
    {0xc00000ba, "STATUS_FILE_IS_A_DIRECTORY"},
    {0xc00000bb, "STATUS_NOT_SUPPORTED"},
    {0xc00000c9, "STATUS_NETWORK_NAME_DELETED"},
    {0xc00000cc, "STATUS_BAD_NETWORK_NAME"},
    {0xc0000101, "STATUS_DIRECTORY_NOT_EMPTY"},
    {0xc0000103, "STATUS_NOT_A_DIRECTORY"},
    {0xc0000120, "STATUS_CANCELLED"},
    {0xc0000128, "STATUS_FILE_CLOSED"},
    {0xc000014b, "STATUS_PIPE_BROKEN"},
    {0xc000019c, "STATUS_FS_DRIVER_REQUIRED"},
    {0xc0000203, "STATUS_USER_SESSION_DELETED"},
    {0xc0000225, "STATUS_NOT_FOUND"},
    {0xc000035c, "STATUS_NETWORK_SESSION_EXPIRED"},
};

const char *smb_ntstatus_name(uint32_t status)
{
    for (size_t i = 0; i < sizeof(nt_status) / sizeof(nt_status[0]); i++) {
        if (nt_status[i].code == status) {
            return nt_status[i].name;
        }
    }
    return NULL;
}

void smb_dialect_str(uint16_t d, char out[8])
{
    if (d == 0x02ff) {
        snprintf(out, 8, "2.??");
    } else {
        snprintf(out, 8, "%x.%02x", (d >> 8) & 0xf, d & 0xff);
    }
}

void smb_str_free(AppFlow *af, SmbStr *s)
{
    if (s->s != NULL && af != NULL) {
        app_mem_release(af, s->len + 1);
    }
    free(s->s);
    s->s = NULL;
    s->len = 0;
}

static bool str_set(AppFlow *af, SmbStr *out, const uint8_t *d, uint32_t n)
{
    smb_str_free(af, out);
    if (af != NULL && !app_mem_charge(af, n + 1)) {
        return false;
    }
    out->s = malloc(n + 1);
    if (out->s == NULL) {
        if (af != NULL) {
            app_mem_release(af, n + 1);
        }
        return false;
    }
    if (n > 0) {
        memcpy(out->s, d, n);
    }
    out->s[n] = 0;
    out->len = n;
    return true;
}

bool smb_ascii_to_str(AppFlow *af, const uint8_t *p, uint32_t n, SmbStr *out)
{
    uint32_t l = 0;
    while (l < n && p[l] != 0) {
        l++;
    }
    return str_set(af, out, p, l < SMB_NAME_MAX ? l : SMB_NAME_MAX);
}

bool smb_utf16_to_str(AppFlow *af, const uint8_t *p, uint32_t n, SmbStr *out)
{
    uint8_t buf[SMB_NAME_MAX + 4];
    uint32_t o = 0;
    for (uint32_t i = 0; i + 1 < n && o + 4 <= SMB_NAME_MAX; i += 2) {
        uint32_t c = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
        if (c == 0) {
            break;
        }
        if (c >= 0xd800 && c <= 0xdbff && i + 3 < n) {
            uint32_t lo = (uint32_t)p[i + 2] | (uint32_t)p[i + 3] << 8;
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                i += 2;
            }
        }
        if (c >= 0xd800 && c <= 0xdfff) {
            c = 0xfffd;          // a lone surrogate
        }
        if (c < 0x80) {
            buf[o++] = (uint8_t)c;
        } else if (c < 0x800) {
            buf[o++] = (uint8_t)(0xc0 | c >> 6);
            buf[o++] = (uint8_t)(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            buf[o++] = (uint8_t)(0xe0 | c >> 12);
            buf[o++] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
            buf[o++] = (uint8_t)(0x80 | (c & 0x3f));
        } else {
            buf[o++] = (uint8_t)(0xf0 | c >> 18);
            buf[o++] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
            buf[o++] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
            buf[o++] = (uint8_t)(0x80 | (c & 0x3f));
        }
    }
    return str_set(af, out, buf, o);
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A field (len, maxlen, offset) of an NTLMSSP message into out. */
static bool ntlm_field(AppFlow *af, const uint8_t *m, uint32_t n, uint32_t at, bool unicode,
                       SmbStr *out)
{
    uint16_t l = le16(m + at);
    uint32_t off = le32(m + at + 4);
    if (l == 0) {
        return true;
    }
    if (off > n || l > n - off) {
        return false;
    }
    return unicode ? smb_utf16_to_str(af, m + off, l, out) : smb_ascii_to_str(af, m + off, l, out);
}

bool smb_ntlmssp_parse(AppFlow *af, SmbTx *t, const uint8_t *blob, uint32_t len,
                       bool *malformed)
{
    *malformed = false;
    static const uint8_t sig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    const uint8_t *m = NULL;
    for (uint32_t i = 0; i + 12 <= len; i++) {
        if (memcmp(blob + i, sig, 8) == 0) {
            m = blob + i;
            len -= i;
            break;
        }
    }
    if (m == NULL || le32(m + 8) != 3) {
        return false;
    }
    if (len < 64) {
        *malformed = true;
        return false;
    }
    uint32_t flags = le32(m + 60);
    bool unicode = (flags & 0x1) != 0;
    if (!ntlm_field(af, m, len, 28, unicode, &t->ntlm_domain) ||
        !ntlm_field(af, m, len, 36, unicode, &t->ntlm_user) ||
        !ntlm_field(af, m, len, 44, unicode, &t->ntlm_host)) {
        *malformed = true;
    }
    if ((flags & 0x02000000) && len >= 72) {
        snprintf(t->ntlm_version, sizeof(t->ntlm_version), "%u.%u build %u rev %u", m[64],
                 m[65], le16(m + 66), m[71]);
    }
    t->has_ntlmssp = true;
    return !*malformed;
}
