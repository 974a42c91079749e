/* SMB buffers and the EVE "smb" object, laid out as Suricata 8 writes it:
 *
 * smb.share, smb.named_pipe     the tree connect's share (a pipe share: IPC$)
 * smb.ntlmssp_user, smb.ntlmssp_domain   from the session setup's NTLMSSP message
 * file.data                     file contents (reads toclient, writes toserver)
 * dcerpc.stub_data              DCERPC stub data carried on a pipe
 *
 * "smb": {"id", "dialect", "command", "status", "status_code", "session_id", "tree_id",
 *         "client_dialects", "server_guid", "ntlmssp": {"domain", "user", "host",
 *         "version"}, "request"/"response": {"native_os", "native_lm"}, "share" or
 *         "named_pipe", "share_type", "filename", "disposition", "access", "created",
 *         "accessed", "modified", "changed", "size", "fuid", "function",
 *         "dcerpc": {"request", "response", "opnum", "interfaces", "req", "res",
 *         "call_id"}} */
#include "app-layer/smb/app-layer-smb-state.h"

#include <stdio.h>

static bool str_buf(const SmbStr *s, const uint8_t **d, uint32_t *l)
{
    if (s->s == NULL) {
        return false;
    }
    *d = s->s;
    *l = s->len;
    return true;
}

static bool is_tree_connect(const SmbTx *t)
{
    return t->kind == SMB_KIND_CMD && ((t->vers == 2 && t->command == 3) ||
                                       (t->vers == 1 && t->command == 0x75));
}

static bool get_share(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    const SmbTx *t = smb_tx(tx);
    return t != NULL && is_tree_connect(t) && !t->is_pipe && str_buf(&t->share, d, l);
}

static bool get_named_pipe(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    const SmbTx *t = smb_tx(tx);
    return t != NULL && is_tree_connect(t) && t->is_pipe && str_buf(&t->share, d, l);
}

static bool get_ntlm_user(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    const SmbTx *t = smb_tx(tx);
    return t != NULL && str_buf(&t->ntlm_user, d, l);
}

static bool get_ntlm_domain(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    const SmbTx *t = smb_tx(tx);
    return t != NULL && str_buf(&t->ntlm_domain, d, l);
}

static bool get_file_data(const AppTx *tx, uint8_t dir, const uint8_t **d, uint32_t *l)
{
    const SmbTx *t = smb_tx(tx);
    if (t == NULL || t->kind != SMB_KIND_FILE || t->file_dir != dir || t->file == NULL ||
        t->file->f.data == NULL) {
        return false;
    }
    *d = t->file->f.data;
    *l = t->file->f.data_len;
    return true;
}

static bool get_fd_ts(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    return get_file_data(tx, APP_DIR_TOSERVER, d, l);
}

static bool get_fd_tc(const Flow *f, const AppTx *tx, const uint8_t **d, uint32_t *l)
{
    (void)f;
    return get_file_data(tx, APP_DIR_TOCLIENT, d, l);
}

const AppBufferDef smb_buffers[SMB_N_BUFFERS] = {
    {.name = "smb.share", .proto = APP_PROTO_SMB, .dir = APP_DIR_TOSERVER, .progress = 1,
     .get = get_share},
    {.name = "smb.named_pipe", .proto = APP_PROTO_SMB, .dir = APP_DIR_TOSERVER,
     .progress = 1, .get = get_named_pipe},
    {.name = "smb.ntlmssp_user", .proto = APP_PROTO_SMB, .dir = APP_DIR_TOSERVER,
     .progress = 1, .get = get_ntlm_user},
    {.name = "smb.ntlmssp_domain", .proto = APP_PROTO_SMB, .dir = APP_DIR_TOSERVER,
     .progress = 1, .get = get_ntlm_domain},
    {.name = "file.data", .proto = APP_PROTO_SMB, .dir = APP_DIR_TOSERVER, .progress = 0,
     .is_growing = true, .get = get_fd_ts},
    {.name = "file.data", .proto = APP_PROTO_SMB, .dir = APP_DIR_TOCLIENT, .progress = 0,
     .is_growing = true, .get = get_fd_tc},
    {.name = "dcerpc.stub_data", .proto = APP_PROTO_SMB, .dir = APP_DIR_TOSERVER,
     .progress = 1, .get = dce_get_stub_ts},
    {.name = "dcerpc.stub_data", .proto = APP_PROTO_SMB, .dir = APP_DIR_TOCLIENT,
     .progress = 1, .get = dce_get_stub_tc},
};

static void guid_str(const uint8_t b[16], char out[40])
{
    /* the layout Suricata logs FileIds in (checked against its records) */
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[9], b[8], b[10], b[11], b[15],
             b[14], b[13], b[12]);
}

static void str_field(JsonBuf *jb, const char *key, const SmbStr *s)
{
    if (s->s != NULL) {
        json_strn(jb, key, s->s, s->len);
    }
}

static const char *disposition_name(uint32_t d)
{
    static const char *const names[] = {"FILE_SUPERSEDE", "FILE_OPEN", "FILE_CREATE",
                                        "FILE_OPEN_IF", "FILE_OVERWRITE", "FILE_OVERWRITE_IF"};
    return d < 6 ? names[d] : NULL;
}

static const char *dos_error_name(uint32_t status)
{
    uint8_t cls = (uint8_t)(status >> 16);
    uint16_t code = (uint16_t)status;
    if (status == 0) {
        return "STATUS_SUCCESS";
    }
    if (cls == 1) {
        switch (code) {
        case 1: return "DOS_BADFUNC";
        case 2: return "DOS_BADFILE";
        case 3: return "DOS_BADPATH";
        case 4: return "DOS_NOFIDS";
        case 5: return "DOS_NOACCESS";
        case 6: return "DOS_BADFID";
        case 0x32: return "DOS_NOTSUPPORTED";
        default: return NULL;
        }
    }
    if (cls == 2) {
        switch (code) {
        case 1: return "SRV_ERROR";
        case 2: return "SRV_BADPW";
        case 4: return "SRV_ACCESS";
        case 5: return "SRV_INVTID";
        case 6: return "SRV_INVNETNAME";
        case 0x5b: return "SRV_BADUID";
        default: return NULL;
        }
    }
    return NULL;
}

static void log_status(const SmbTx *t, JsonBuf *jb)
{
    char code[16];
    const char *name;
    if (t->status_dos) {
        snprintf(code, sizeof(code), "0x%04x", t->status & 0xffff);
        name = dos_error_name(t->status);
    } else {
        snprintf(code, sizeof(code), "0x%x", t->status);
        name = smb_ntstatus_name(t->status);
    }
    json_str(jb, "status", name != NULL ? name : code);
    json_str(jb, "status_code", code);
}

static void log_dce(const SmbTx *t, JsonBuf *jb)
{
    const DceCall *c = &t->dce;
    json_open_object(jb, "dcerpc");
    json_str(jb, "request", c->req_type == DCE_PT_NONE ? "REQUEST_LOST"
                                                       : dce_type_name(c->req_type));
    json_str(jb, "response", c->res_type == DCE_PT_NONE ? "UNREPLIED"
                                                        : dce_type_name(c->res_type));
    if (c->req_type == DCE_PT_REQUEST) {
        json_u64(jb, "opnum", c->opnum);
    }
    if (c->n_ifaces > 0) {
        json_open_array(jb, "interfaces");
        for (uint32_t i = 0; i < c->n_ifaces; i++) {
            char u[37];
            char v[16];
            dce_uuid_str(c->ifaces[i].uuid, u);
            snprintf(v, sizeof(v), "%u.%u", c->ifaces[i].ver, c->ifaces[i].ver_minor);
            json_open_object(jb, NULL);
            json_str(jb, "uuid", u);
            json_str(jb, "version", v);
            if (c->ifaces[i].acked) {
                json_u64(jb, "ack_result", c->ifaces[i].ack_result);
                json_u64(jb, "ack_reason", c->ifaces[i].ack_reason);
            }
            json_close_object(jb);
        }
        json_close_array(jb);
    }
    if (c->req_type == DCE_PT_REQUEST) {
        json_open_object(jb, "req");
        json_u64(jb, "frag_cnt", c->req_frags);
        json_u64(jb, "stub_data_size", c->req_stub_size);
        json_close_object(jb);
    }
    if (c->res_type == DCE_PT_RESPONSE) {
        json_open_object(jb, "res");
        json_u64(jb, "frag_cnt", c->res_frags);
        json_u64(jb, "stub_data_size", c->res_stub_size);
        json_close_object(jb);
    }
    json_u64(jb, "call_id", c->call_id);
    json_close_object(jb);
}

void smb_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    const SmbTx *t = smb_tx(tx);
    if (t == NULL) {
        return;
    }
    const AppFlow *af = app_flow_get(f);
    const SmbState *st = af != NULL && af->row != NULL && af->row->proto == APP_PROTO_SMB
                             ? af->state : NULL;
    char buf[40];
    json_open_object(jb, "smb");
    json_u64(jb, "id", tx->id + 1);
    if (t->vers == 2 && st != NULL && st->dialect != 0) {
        smb_dialect_str(st->dialect, buf);
        json_str(jb, "dialect", buf);
    } else if (t->vers == 1 && st != NULL && st->dialect1.s != NULL) {
        json_strn(jb, "dialect", st->dialect1.s, st->dialect1.len);
    } else {
        json_str(jb, "dialect", "unknown");
    }
    json_str(jb, "command", smb_command_name(t->vers, t->command));
    if (t->has_status) {
        log_status(t, jb);
    }
    json_u64(jb, "session_id", t->session_id);
    json_u64(jb, "tree_id", t->tree_id);
    if (t->n_client_dialects > 0) {
        json_open_array(jb, "client_dialects");
        for (uint32_t i = 0; i < t->n_client_dialects; i++) {
            if (t->client_dialects[i].s != NULL) {
                json_strn(jb, NULL, t->client_dialects[i].s, t->client_dialects[i].len);
            }
        }
        json_close_array(jb);
    }
    if (t->has_server_guid) {
        guid_str(t->server_guid, buf);
        json_str(jb, "server_guid", buf);
    }
    if (t->has_ntlmssp) {
        json_open_object(jb, "ntlmssp");
        str_field(jb, "domain", &t->ntlm_domain);
        str_field(jb, "user", &t->ntlm_user);
        str_field(jb, "host", &t->ntlm_host);
        if (t->ntlm_version[0] != '\0') {
            json_str(jb, "version", t->ntlm_version);
        }
        json_close_object(jb);
    }
    if (t->req_native_os.s != NULL || t->req_native_lm.s != NULL) {
        json_open_object(jb, "request");
        str_field(jb, "native_os", &t->req_native_os);
        str_field(jb, "native_lm", &t->req_native_lm);
        json_close_object(jb);
    }
    if (t->res_native_os.s != NULL || t->res_native_lm.s != NULL) {
        json_open_object(jb, "response");
        str_field(jb, "native_os", &t->res_native_os);
        str_field(jb, "native_lm", &t->res_native_lm);
        json_close_object(jb);
    }
    if (t->kind == SMB_KIND_CMD && t->share.s != NULL) {
        str_field(jb, t->is_pipe ? "named_pipe" : "share", &t->share);
        if (t->share_type != 0) {
            json_str(jb, "share_type", t->share_type == 2   ? "PIPE"
                                       : t->share_type == 3 ? "PRINT"
                                                            : "FILE");
        }
    }
    str_field(jb, "filename", &t->filename);
    if (t->kind == SMB_KIND_FILE) {
        str_field(jb, "share", &t->share);
    }
    if (t->has_disposition && disposition_name(t->disposition) != NULL) {
        json_str(jb, "disposition", disposition_name(t->disposition));
        json_str(jb, "access", t->delete_on_close ? "delete on close" : "normal");
    }
    if (t->has_times) {
        json_u64(jb, "created", t->created);
        json_u64(jb, "accessed", t->accessed);
        json_u64(jb, "modified", t->modified);
        json_u64(jb, "changed", t->changed);
        json_u64(jb, "size", t->size);
    }
    if (t->has_fid) {
        guid_str(t->fid, buf);
        json_str(jb, "fuid", buf);
    }
    if (t->has_ioctl) {
        if (t->ctl_code == 0x0011c017u) {
            json_str(jb, "function", "FSCTL_PIPE_TRANSCEIVE");
        } else {
            snprintf(buf, sizeof(buf), "0x%08x", t->ctl_code);
            json_str(jb, "function", buf);
        }
    }
    if (t->has_dce) {
        log_dce(t, jb);
    }
    json_close_object(jb);
}
