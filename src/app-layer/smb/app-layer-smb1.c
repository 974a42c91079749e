/* SMB1 (MS-CIFS, MS-SMB): the 32-byte header, then per command its parameter words
 * and bytes; AndX commands chain further commands in the same message. Handled:
 * negotiate, session setup (native OS / LAN manager, NTLMSSP), tree connect, NT create,
 * read / write (files and pipes), close, TRANS on named pipes (TransactNmPipe); other
 * commands are transactions with their status only. */
#include "app-layer/smb/app-layer-smb-state.h"

#include <string.h>
#include <strings.h>

#include "stream/stream.h"

#define SMB1_HDR 32
enum {
    SMB1_CLOSE = 0x04, SMB1_TRANS = 0x25, SMB1_READ_ANDX = 0x2e, SMB1_WRITE_ANDX = 0x2f,
    SMB1_NEGOTIATE = 0x72, SMB1_SESSION_SETUP_ANDX = 0x73, SMB1_LOGOFF_ANDX = 0x74,
    SMB1_TREE_CONNECT_ANDX = 0x75, SMB1_NT_CREATE_ANDX = 0xa2,
};

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint64_t filetime_to_unix(uint64_t ft)
{
    uint64_t s = ft / 10000000u;
    return s > 11644473600u ? s - 11644473600u : 0;
}

static bool is_andx(uint8_t cmd)
{
    return cmd == 0x24 || cmd == 0x2d || cmd == SMB1_READ_ANDX || cmd == SMB1_WRITE_ANDX ||
           cmd == SMB1_SESSION_SETUP_ANDX || cmd == SMB1_LOGOFF_ANDX ||
           cmd == SMB1_TREE_CONNECT_ANDX || cmd == SMB1_NT_CREATE_ANDX;
}

/* A NUL-terminated string at *pos (UTF-16LE aligned on 2 from the header when
 * unicode), not past end; *pos moves past it. False when nothing is left. */
static bool read_str(AppFlow *af, const uint8_t *m, uint32_t *pos, uint32_t end, bool unicode,
                     SmbStr *out)
{
    uint32_t p = *pos;
    if (unicode && (p & 1)) {
        p++;
    }
    if (p >= end) {
        return false;
    }
    uint32_t q = p;
    if (unicode) {
        while (q + 1 < end && (m[q] != 0 || m[q + 1] != 0)) {
            q += 2;
        }
        (void)smb_utf16_to_str(af, m + p, q - p, out);
        *pos = q + 2 <= end ? q + 2 : end;
    } else {
        while (q < end && m[q] != 0) {
            q++;
        }
        (void)smb_ascii_to_str(af, m + p, q - p, out);
        *pos = q + 1 <= end ? q + 1 : end;
    }
    return true;
}

static void fid16(uint8_t out[16], const uint8_t *p)
{
    memset(out, 0, 16);
    out[0] = p[0];
    out[1] = p[1];
}

typedef struct Msg {
    const uint8_t *m;            // the header
    uint32_t n;                  // bytes of the message
    bool unicode;
    bool is_resp;
    uint32_t status;
    bool status_dos;
    uint16_t tid, uid, mid;
} Msg;

static void session_setup(SmbState *st, SmbTx *t, const Msg *g, const uint8_t *w, uint8_t wc,
                          uint32_t bpos, uint32_t bend)
{
    AppFlow *af = st->af;
    if (!g->is_resp) {
        uint32_t p = bpos;
        if (wc == 12) {
            uint16_t bl = le16(w + 14);
            if (bl <= bend - p) {
                bool bad = false;
                (void)smb_ntlmssp_parse(af, t, g->m + p, bl, &bad);
                if (bad) {
                    app_tx_event(af, &t->tx, SMB_EV_MALFORMED_NTLMSSP_REQUEST);
                }
                p += bl;
            }
        } else if (wc == 13) {
            uint32_t pw = (uint32_t)le16(w + 14) + le16(w + 16);
            p += pw <= bend - p ? pw : bend - p;
            SmbStr skip = {0};
            (void)read_str(af, g->m, &p, bend, g->unicode, &skip);    // account
            smb_str_free(af, &skip);
            (void)read_str(af, g->m, &p, bend, g->unicode, &skip);    // primary domain
            smb_str_free(af, &skip);
        } else {
            return;
        }
        (void)read_str(af, g->m, &p, bend, g->unicode, &t->req_native_os);
        (void)read_str(af, g->m, &p, bend, g->unicode, &t->req_native_lm);
        return;
    }
    uint32_t p = bpos;
    if (wc == 4) {
        uint16_t bl = le16(w + 6);
        p += bl <= bend - p ? bl : bend - p;
    } else if (wc != 3) {
        return;
    }
    (void)read_str(af, g->m, &p, bend, g->unicode, &t->res_native_os);
    (void)read_str(af, g->m, &p, bend, g->unicode, &t->res_native_lm);
}

static bool share_is_ipc(const SmbStr *s)
{
    return s->len >= 4 && strncasecmp((const char *)s->s + s->len - 4, "IPC$", 4) == 0;
}

/* One command of the message at word count offset wo. Returns the AndX next command
 * (0xff: none) and its offset in *next_off. */
static uint8_t command(SmbState *st, const Msg *g, uint8_t cmd, uint32_t wo, uint32_t *next_off)
{
    const uint8_t *m = g->m;
    uint32_t n = g->n;
    if (wo >= n) {
        return 0xff;
    }
    uint8_t wc = m[wo];
    uint32_t wend = wo + 1 + 2u * wc;
    if (wend + 2 > n) {
        /* an error response may have no words and no bytes */
        wc = 0;
        wend = wo + 1;
    }
    const uint8_t *w = m + wo + 1;
    uint32_t bpos = wend + 2 <= n ? wend + 2 : n;
    uint32_t bcount = wend + 2 <= n ? le16(m + wend) : 0;
    uint32_t bend = bcount <= n - bpos ? bpos + bcount : n;
    uint8_t next = 0xff;
    if (is_andx(cmd) && wc >= 2) {
        next = w[0];
        *next_off = le16(w + 2);
    }
    AppFlow *af = st->af;
    uint8_t fidb[16];

    /* file data: reads and writes of files go to the file tx */
    if (!g->is_resp && cmd == SMB1_WRITE_ANDX && wc >= 12) {
        fid16(fidb, w + 4);
        SmbFid *fd = smb_fid_find(st, fidb, 16);
        uint64_t off = le32(w + 6) | (wc >= 14 ? (uint64_t)le32(w + 24) << 32 : 0);
        uint32_t dlen = (uint32_t)le16(w + 20) | (uint32_t)le16(w + 18) << 16;
        uint32_t doff = le16(w + 22);
        if (fd != NULL && !fd->is_pipe && doff <= n) {
            smb_file_data(st, fd, 1, cmd, APP_DIR_TOSERVER, off, m + doff,
                          dlen < n - doff ? dlen : n - doff);
            return next;
        }
    }
    if (!g->is_resp && cmd == SMB1_READ_ANDX && wc >= 10) {
        fid16(fidb, w + 4);
        SmbFid *fd = smb_fid_find(st, fidb, 16);
        if (fd != NULL && !fd->is_pipe) {
            uint64_t off = le32(w + 6) | (wc >= 12 ? (uint64_t)le32(w + 20) << 32 : 0);
            (void)smb_read_pending_add(st, g->mid, fidb, off, g->tid);
            return next;
        }
    }
    SmbPendingRead pr;
    if (g->is_resp && cmd == SMB1_READ_ANDX && smb_read_pending_take(st, g->mid, &pr)) {
        SmbFid *fd = smb_fid_find(st, pr.fid, 16);
        if (fd != NULL && wc >= 12) {
            uint32_t dlen = (uint32_t)le16(w + 10) | (uint32_t)le16(w + 14) << 16;
            uint32_t doff = le16(w + 12);
            if (doff <= n) {
                smb_file_data(st, fd, 1, cmd, APP_DIR_TOCLIENT, pr.offset, m + doff,
                              dlen < n - doff ? dlen : n - doff);
            }
        }
        return next;
    }

    SmbTx *t = NULL;
    if (g->is_resp) {
        t = smb_tx_find(st, 1, cmd, g->mid);
    }
    if (t == NULL && g->is_resp && stream_flow_is_midstream(st->af->f)) {
        return next;   // the reply to a request from before a midstream pickup: no tx
    }
    if (t == NULL) {
        t = smb_tx_new(st, 1, cmd, g->mid);
        if (t == NULL) {
            return 0xff;
        }
        t->tree_id = g->tid;
        t->session_id = g->uid;
    }
    if (g->is_resp) {
        t->status = g->status;
        t->status_dos = g->status_dos;
        t->has_status = true;
        if (t->session_id == 0) {
            t->session_id = g->uid;
        }
    }
    switch (cmd) {
    case SMB1_NEGOTIATE:
        if (!g->is_resp) {
            for (uint32_t i = 0; i < st->n_smb1_dialects; i++) {
                smb_str_free(af, &st->smb1_dialects[i]);
            }
            st->n_smb1_dialects = 0;
            uint32_t p = bpos;
            while (p < bend && st->n_smb1_dialects < 16) {
                if (m[p] != 0x02) {
                    app_tx_event(af, &t->tx, SMB_EV_NEGOTIATE_MALFORMED_DIALECTS);
                    break;
                }
                p++;
                SmbStr *d = &st->smb1_dialects[st->n_smb1_dialects++];
                (void)read_str(af, m, &p, bend, false, d);
                if (t->n_client_dialects < 16 && d->s != NULL) {
                    (void)smb_ascii_to_str(af, d->s, d->len,
                                           &t->client_dialects[t->n_client_dialects++]);
                }
            }
            if (st->negotiated) {
                app_tx_event(af, &t->tx, SMB_EV_DUPLICATE_NEGOTIATE);
            }
        } else if (wc >= 1) {
            uint16_t idx = le16(w);
            if (idx < st->n_smb1_dialects && st->smb1_dialects[idx].s != NULL) {
                (void)smb_ascii_to_str(af, st->smb1_dialects[idx].s, st->smb1_dialects[idx].len,
                                       &st->dialect1);
            }
            st->negotiated = true;
        }
        break;
    case SMB1_SESSION_SETUP_ANDX:
        session_setup(st, t, g, w, wc, bpos, bend);
        break;
    case SMB1_TREE_CONNECT_ANDX:
        if (!g->is_resp && wc >= 4) {
            uint32_t p = bpos + le16(w + 6);
            if (p <= bend) {
                (void)read_str(af, m, &p, bend, g->unicode, &t->share);
                t->is_pipe = share_is_ipc(&t->share);
            }
        } else if (g->is_resp && wc >= 2) {
            SmbStr svc = {0};
            uint32_t p = bpos;
            (void)read_str(af, m, &p, bend, false, &svc);
            if (svc.s != NULL) {
                t->share_type = strcmp((const char *)svc.s, "IPC") == 0 ? 2
                                : strncmp((const char *)svc.s, "LPT", 3) == 0 ? 3 : 1;
                t->is_pipe = t->share_type == 2;
            }
            smb_str_free(af, &svc);
            if (g->status == 0) {
                t->tree_id = g->tid;
                SmbTree *tr = smb_tree_add(st, g->tid);
                if (tr != NULL) {
                    tr->is_pipe = t->is_pipe;
                    if (t->share.s != NULL) {
                        (void)smb_ascii_to_str(af, t->share.s, t->share.len, &tr->share);
                    }
                }
            }
        }
        break;
    case SMB1_NT_CREATE_ANDX:
        if (!g->is_resp && wc >= 24) {
            t->has_disposition = true;
            t->disposition = le32(w + 35);
            t->delete_on_close = (le32(w + 39) & 0x1000) != 0;
            uint32_t p = bpos;
            uint16_t nl = le16(w + 5);
            if (g->unicode && (p & 1)) {
                p++;
            }
            if (p <= bend && nl <= bend - p) {
                if (g->unicode) {
                    (void)smb_utf16_to_str(af, m + p, nl, &t->filename);
                } else {
                    (void)smb_ascii_to_str(af, m + p, nl, &t->filename);
                }
            }
        } else if (g->is_resp && wc >= 34) {
            fid16(t->fid, w + 5);
            t->has_fid = true;
            t->has_times = true;
            t->created = filetime_to_unix(le64(w + 11));
            t->accessed = filetime_to_unix(le64(w + 19));
            t->modified = filetime_to_unix(le64(w + 27));
            t->changed = filetime_to_unix(le64(w + 35));
            t->size = le64(w + 55);
            if (g->status == 0) {
                SmbFid *fd = smb_fid_add(st, t->fid, 16);
                SmbTree *tr = smb_tree_find(st, t->tree_id);
                if (fd != NULL) {
                    fd->vers = 1;
                    if (t->filename.s != NULL) {
                        (void)smb_ascii_to_str(af, t->filename.s, t->filename.len, &fd->name);
                    }
                    if (tr != NULL) {
                        fd->is_pipe = tr->is_pipe;
                        if (tr->share.s != NULL) {
                            (void)smb_ascii_to_str(af, tr->share.s, tr->share.len, &fd->share);
                        }
                    } else {
                        fd->is_pipe = smb_name_is_rpc_pipe(&fd->name);
                    }
                }
            }
        }
        break;
    case SMB1_CLOSE:
        if (!g->is_resp && wc >= 3) {
            fid16(fidb, w);
            memcpy(t->fid, fidb, 16);
            t->has_fid = true;
            SmbFid *fd = smb_fid_find(st, fidb, 16);
            if (fd != NULL && fd->name.s != NULL) {
                (void)smb_ascii_to_str(af, fd->name.s, fd->name.len, &t->filename);
            }
            smb_fid_close(st, fidb, 16);
        }
        break;
    case SMB1_WRITE_ANDX:
        if (!g->is_resp && wc >= 12) {
            fid16(fidb, w + 4);
            memcpy(t->fid, fidb, 16);
            t->has_fid = true;
            SmbFid *fd = smb_fid_find(st, fidb, 16);
            uint32_t dlen = le16(w + 20);
            uint32_t doff = le16(w + 22);
            if (fd != NULL && fd->is_pipe && doff <= n) {
                smb_pipe_data(st, fd, t, APP_DIR_TOSERVER, m + doff,
                              dlen < n - doff ? dlen : n - doff);
            }
        }
        break;
    case SMB1_READ_ANDX:
        if (!g->is_resp && wc >= 10) {
            fid16(t->fid, w + 4);
            t->has_fid = true;
        } else if (g->is_resp && wc >= 12 && t->has_fid) {
            SmbFid *fd = smb_fid_find(st, t->fid, 16);
            uint32_t dlen = le16(w + 10);
            uint32_t doff = le16(w + 12);
            if (fd != NULL && fd->is_pipe && doff <= n) {
                smb_pipe_data(st, fd, t, APP_DIR_TOCLIENT, m + doff,
                              dlen < n - doff ? dlen : n - doff);
            }
        }
        break;
    case SMB1_TRANS:
        if (!g->is_resp && wc >= 16) {
            uint8_t sc = w[26];
            if (sc >= 2 && 28u + 2u * sc <= 2u * wc && le16(w + 28) == 0x26) {
                fid16(fidb, w + 30);
                memcpy(t->fid, fidb, 16);
                t->has_fid = true;
                SmbFid *fd = smb_fid_find(st, fidb, 16);
                uint32_t dcnt = le16(w + 22);
                uint32_t doff = le16(w + 24);
                if (fd != NULL && doff <= n) {
                    fd->is_pipe = true;
                    smb_pipe_data(st, fd, t, APP_DIR_TOSERVER, m + doff,
                                  dcnt < n - doff ? dcnt : n - doff);
                }
            }
        } else if (g->is_resp && wc >= 10 && t->has_fid) {
            SmbFid *fd = smb_fid_find(st, t->fid, 16);
            uint32_t dcnt = le16(w + 12);
            uint32_t doff = le16(w + 14);
            if (fd != NULL && doff <= n) {
                smb_pipe_data(st, fd, t, APP_DIR_TOCLIENT, m + doff,
                              dcnt < n - doff ? dcnt : n - doff);
            }
        }
        break;
    default:
        break;
    }
    if (g->is_resp) {
        smb_tx_respond(st, t);
    } else {
        smb_tx_request_done(t);
    }
    return next;
}

void smb1_message(SmbState *st, uint8_t dir, const uint8_t *m, uint32_t n)
{
    if (n < SMB1_HDR + 1) {
        app_tx_event(st->af, NULL, SMB_EV_MALFORMED_DATA);
        return;
    }
    Msg g = {.m = m, .n = n};
    uint8_t flags = m[9];
    uint16_t flags2 = le16(m + 10);
    g.is_resp = (flags & 0x80) != 0;
    g.unicode = (flags2 & 0x8000) != 0;
    if (flags2 & 0x4000) {
        g.status = le32(m + 5);
    } else {
        g.status_dos = true;
        g.status = (uint32_t)m[5] << 16 | le16(m + 7);
    }
    g.tid = le16(m + 24);
    g.uid = le16(m + 28);
    g.mid = le16(m + 30);
    if (g.is_resp != (dir == APP_DIR_TOCLIENT)) {
        app_tx_event(st->af, NULL, g.is_resp ? SMB_EV_RESPONSE_TO_SERVER
                                             : SMB_EV_REQUEST_TO_CLIENT);
        return;
    }
    uint8_t cmd = m[4];
    uint32_t wo = SMB1_HDR;
    for (int k = 0; k < 8; k++) {
        uint32_t next_off = 0;
        uint8_t next = command(st, &g, cmd, wo, &next_off);
        if (next == 0xff || next_off <= wo || next_off >= n) {
            return;
        }
        cmd = next;
        wo = next_off;
    }
}
