/* EVE records of app-layer transactions: "http" records once a tx is complete both
 * ways, "fileinfo" records once a file is closed, the app_proto fields of a flow, and
 * the protocol object inside alerts of a tx. The app layer frees a tx only after every
 * enabled logger set its bit in AppTx.logged (or the flow ended). */
#include "output/output-eve-http.h"

#include <pthread.h>
#include <stdio.h>

#include "app-layer/app-layer.h"
#include "app-layer/http2/app-layer-http2.h"
#include "detect/detect.h"

void output_eve_app_proto(JsonBuf *jb, const Flow *f)
{
    AppProto p = app_layer_flow_proto(f);
    const char *name = app_proto_name(p);
    if (name == NULL) {
        return;
    }
    json_str(jb, "app_proto", name);
    AppProto ts = app_layer_flow_proto_dir(f, 0);
    AppProto tc = app_layer_flow_proto_dir(f, 1);
    AppProto orig = app_layer_flow_proto_orig(f);
    if (ts != APP_PROTO_UNKNOWN && ts != p && app_proto_name(ts) != NULL) {
        json_str(jb, "app_proto_ts", app_proto_name(ts));
    }
    if (tc != APP_PROTO_UNKNOWN && tc != p && app_proto_name(tc) != NULL) {
        json_str(jb, "app_proto_tc", app_proto_name(tc));
    }
    if (orig != APP_PROTO_UNKNOWN && orig != p && app_proto_name(orig) != NULL) {
        json_str(jb, "app_proto_orig", app_proto_name(orig));
    }
}

static void alert_files(JsonBuf *jb, const Flow *f, uint64_t tx_id, uint8_t dir);

void output_eve_alert_app(JsonBuf *jb, const Packet *p, const PacketAlert *pa, bool with_app_layer,
                          bool with_files)
{
    Flow *f = p->flow;
    if (f == NULL) {
        return;
    }
    bool locked = (p->flags & PKT_F_STREAM_FLUSH) != 0; // flow-end work holds the lock
    if (!locked) {
        pthread_mutex_lock(&f->lock);
    }
    if (pa->flags & PACKET_ALERT_F_TX) {
        json_u64(jb, "tx_id", pa->tx_id);
        if (pa->flags & PACKET_ALERT_F_TX_GUESSED) {
            json_bool(jb, "tx_guessed", true);
        }
        if (with_app_layer) {
            (void)app_layer_tx_log_json(f, pa->tx_id, jb);
        }
        if (with_files) {
            alert_files(jb, f, pa->tx_id,
                        (p->flags & PKT_F_TOCLIENT) ? APP_DIR_TOCLIENT : APP_DIR_TOSERVER);
        }
    }
    output_eve_app_proto(jb, f);
    if (!locked) {
        pthread_mutex_unlock(&f->lock);
    }
}

static const char *file_state_name(uint8_t s)
{
    switch (s) {
    case APP_FILE_OPEN:
        return "OPEN";
    case APP_FILE_CLOSED:
        return "CLOSED";
    case APP_FILE_TRUNCATED:
        return "TRUNCATED";
    default:
        return "ERROR";
    }
}

static void hex(JsonBuf *jb, const char *key, const uint8_t *d, size_t n)
{
    char buf[65];
    for (size_t i = 0; i < n && i < 32; i++) {
        snprintf(buf + 2 * i, 3, "%02x", d[i]);
    }
    buf[2 * n] = '\0';
    json_str(jb, key, buf);
}

/* The fields of one file (fileinfo records and the files[] of alerts). */
static void file_fields(JsonBuf *jb, const AppFile *af, uint64_t tx_id)
{
    json_printable(jb, "filename", af->name ? af->name : (const uint8_t *)"", af->name_len);
    json_open_array(jb, "sid");
    for (uint8_t i = 0; i < af->n_store_sids; i++) {
        json_u64(jb, NULL, af->store_sids[i]);
    }
    json_close_array(jb);
    json_bool(jb, "gaps", (af->flags & APP_FILE_F_GAP) != 0);
    json_str(jb, "state", file_state_name(af->state));
    if (af->flags & APP_FILE_F_MD5) {
        hex(jb, "md5", af->md5, sizeof(af->md5));
    }
    if (af->flags & APP_FILE_F_SHA1) {
        hex(jb, "sha1", af->sha1, sizeof(af->sha1));
    }
    if (af->flags & APP_FILE_F_SHA256) {
        hex(jb, "sha256", af->sha256, sizeof(af->sha256));
    }
    if ((af->flags & APP_FILE_F_MAGIC) && af->magic != NULL) {
        json_str(jb, "magic", af->magic);
    }
    json_bool(jb, "stored", (af->flags & APP_FILE_F_STORED) != 0);
    if (af->flags & APP_FILE_F_STORED) {
        json_u64(jb, "file_id", af->file_id);
    }
    json_u64(jb, "size", af->size);
    json_u64(jb, "tx_id", tx_id);
}

/* A fileinfo record is oriented as its file travels (Suricata >= 7): a
 * response body comes from the server (src_ip is the server's address). */
static void fileinfo_build(JsonBuf *jb, const Flow *f, const AppTx *tx, const AppFile *af,
                           uint8_t dir, int64_t sec, uint32_t usec)
{
    eve_begin_flow_dir(jb, f, sec, usec, "fileinfo", dir == 1, 0, NULL);
    (void)app_layer_tx_log_json(f, tx->id, jb);
    output_eve_app_proto(jb, f);
    json_open_object(jb, "fileinfo");
    file_fields(jb, af, tx->id);
    json_close_object(jb);
    json_close_object(jb);
}

/* "files": the files of the alert's tx in the packet's direction, in their
 * state at this packet (Suricata adds them with the rule metadata). */
static void alert_files(JsonBuf *jb, const Flow *f, uint64_t tx_id, uint8_t dir)
{
    const AppTx *tx = app_layer_tx_by_id(f, tx_id);
    if (tx == NULL) {
        return;
    }
    const AppFile *af = app_layer_tx_file_at(f, tx, dir, 0);
    if (af == NULL) {
        return;
    }
    json_open_array(jb, "files");
    for (uint32_t i = 0; af != NULL; af = app_layer_tx_file_at(f, tx, dir, ++i)) {
        json_open_object(jb, NULL);
        file_fields(jb, af, tx_id);
        json_close_object(jb);
    }
    json_close_array(jb);
}

static void http_build(const OutputTxLog *lg, JsonBuf *jb, const Flow *f, const AppTx *tx)
{
    VgAddr xff;
    bool is_xff = app_layer_http_xff_client(f, tx, &xff);
    eve_begin_flow_dir_client(jb, f, lg->sec, lg->usec, "http", false, lg->pcap_cnt, lg->pkt_src,
                              is_xff ? &xff : NULL);
    json_u64(jb, "tx_id", tx->id);
    (void)app_layer_tx_log_json(f, tx->id, jb);
    json_close_object(jb);
}

/* Files of tx not logged yet whose state is final; true when all are logged. */
static bool log_files(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    bool all = true;
    for (uint8_t d = 0; d < 2; d++) {
        for (uint32_t i = 0;; i++) {
            AppFile *af = (AppFile *)app_layer_tx_file_at(f, tx, d, i);
            if (af == NULL) {
                break;
            }
            if (af->flags & APP_FILE_F_LOGGED) {
                continue;
            }
            if (!app_layer_file_logable(f, tx, af)) {
                all = false;
                continue;
            }
            fileinfo_build(lg->jb, f, tx, af, d, lg->sec, lg->usec);
            if (af->flags & APP_FILE_F_STORED) {
                /* file-store write-fileinfo: the same record beside the stored file */
                (void)app_layer_file_store_sidecar(af, lg->sec, lg->jb->buf, lg->jb->len);
            }
            if (lg->files) {
                lg->write(lg->jb, lg->user);
            }
            af->flags |= APP_FILE_F_LOGGED;
        }
    }
    return all;
}

void output_eve_tx_log(const OutputTxLog *lg, Flow *f)
{
    uint32_t n = app_layer_tx_count(f);
    for (uint32_t i = 0; i < n; i++) {
        AppTx *tx = app_layer_tx_at(f, i);
        if (tx != NULL && tx->proto == APP_PROTO_DNS && lg->dns) {
            output_eve_dns_log(lg, f, tx);
        }
        if (tx != NULL && tx->proto == APP_PROTO_TLS && lg->tls) {
            output_eve_tls_log(lg, f, tx);
        }
        if (tx != NULL && tx->proto == APP_PROTO_SSH && lg->ssh) {
            output_eve_ssh_log(lg, f, tx);
        }
        if (tx != NULL && tx->proto == APP_PROTO_QUIC && lg->quic) {
            output_eve_quic_log(lg, f, tx);
        }
        if (tx != NULL && tx->proto == APP_PROTO_SMTP && lg->smtp) {
            output_eve_smtp_log(lg, f, tx);
        }
        if (tx != NULL && (tx->proto == APP_PROTO_FTP || tx->proto == APP_PROTO_FTP_DATA) &&
            lg->ftp) {
            output_eve_ftp_log(lg, f, tx);
        }
        if (tx != NULL && ((tx->proto == APP_PROTO_SMB && lg->smb) ||
                           (tx->proto == APP_PROTO_DCERPC && lg->dcerpc))) {
            output_eve_smb_log(lg, f, tx);
        }
        if (tx != NULL) {
            output_eve_generic_log(lg, f, tx);
        }
        for (uint8_t d = 0; tx != NULL && tx->proto == APP_PROTO_HTTP2 && lg->dns && d < 2; d++) {
            AppTx *doh = http2_tx_doh(tx, d);   // DNS over HTTP/2: a dns record
            if (doh != NULL) {
                output_eve_dns_log(lg, f, doh);
            }
        }
        if (tx == NULL) {
            continue;
        }
        bool complete = app_layer_tx_complete(f, tx, 0) && app_layer_tx_complete(f, tx, 1);
        if ((lg->files || app_layer_filestore_sidecars()) &&
            !(tx->logged & OUTPUT_TX_LOGGER_FILES)) {
            if (log_files(lg, f, tx) && complete) {
                tx->logged |= OUTPUT_TX_LOGGER_FILES;
            }
        }
        if (tx->proto != APP_PROTO_HTTP1 && tx->proto != APP_PROTO_HTTP2) {
            continue;
        }
        if ((tx->proto == APP_PROTO_HTTP1 ? lg->http : lg->http2) && complete &&
            !(tx->logged & OUTPUT_TX_LOGGER_HTTP)) {
            http_build(lg, lg->jb, f, tx);
            lg->write(lg->jb, lg->user);
            tx->logged |= OUTPUT_TX_LOGGER_HTTP;
        }
    }
}

void output_eve_tx_loggers_register(bool http, bool http2, bool files, bool dns, bool tls, bool ssh,
                                    bool quic)
{
    app_layer_set_proto_logged(APP_PROTO_SSH, OUTPUT_TX_LOGGER_SSH, ssh);
    app_layer_set_proto_logged(APP_PROTO_QUIC, OUTPUT_TX_LOGGER_QUIC, quic);
    app_layer_set_proto_logged(APP_PROTO_TLS, OUTPUT_TX_LOGGER_TLS, tls);
    app_layer_set_proto_logged(APP_PROTO_DNS, OUTPUT_TX_LOGGER_DNS, dns);
    app_layer_set_proto_logged(APP_PROTO_HTTP1, OUTPUT_TX_LOGGER_HTTP, http);
    app_layer_set_proto_logged(APP_PROTO_HTTP1, OUTPUT_TX_LOGGER_FILES, files);
    app_layer_set_proto_logged(APP_PROTO_HTTP2, OUTPUT_TX_LOGGER_HTTP, http2);  // "http" records
    app_layer_set_proto_logged(APP_PROTO_HTTP2, OUTPUT_TX_LOGGER_FILES, files);
}

void output_eve_mail_loggers_register(bool smtp, bool ftp, bool files)
{
    app_layer_set_proto_logged(APP_PROTO_SMTP, OUTPUT_TX_LOGGER_SMTP, smtp);
    app_layer_set_proto_logged(APP_PROTO_SMTP, OUTPUT_TX_LOGGER_FILES, files);
    app_layer_set_proto_logged(APP_PROTO_FTP, OUTPUT_TX_LOGGER_FTP, ftp);
    app_layer_set_proto_logged(APP_PROTO_FTP_DATA, OUTPUT_TX_LOGGER_FTP, ftp);
    app_layer_set_proto_logged(APP_PROTO_FTP_DATA, OUTPUT_TX_LOGGER_FILES, files);
}
