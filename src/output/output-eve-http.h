#ifndef VG_OUTPUT_OUTPUT_EVE_HTTP_H
#define VG_OUTPUT_OUTPUT_EVE_HTTP_H

/* EVE records of app-layer transactions (http, fileinfo) and the app-layer parts of
 * other records (app_proto, the tx object of alerts). Callers hold f->lock. */

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow-types.h"
#include "output/output.h"
#include "util/util-json.h"

struct PacketAlert;
struct AppTx;

/* Bits of AppTx.logged. */
enum { OUTPUT_TX_LOGGER_HTTP = 1u << 0, OUTPUT_TX_LOGGER_FILES = 1u << 1,
       OUTPUT_TX_LOGGER_DNS = 1u << 2, OUTPUT_TX_LOGGER_TLS = 1u << 3,
       OUTPUT_TX_LOGGER_SSH = 1u << 4, OUTPUT_TX_LOGGER_QUIC = 1u << 5 };
enum { OUTPUT_TX_LOGGER_SMTP = 1u << 12, OUTPUT_TX_LOGGER_FTP = 1u << 13 };
enum { OUTPUT_TX_LOGGER_SMB = 1u << 14 };   // smb and dcerpc records
enum { OUTPUT_TX_LOGGER_GENERIC = 1u << 24 };  // output-eve-generic.c records

typedef struct OutputTxLog {
    JsonBuf *jb;
    bool http;                   // http records of HTTP/1 enabled
    bool http2;                  // http records of HTTP/2 enabled (eve type http2)
    bool files;                  // fileinfo records enabled
    bool dns;                    // dns records enabled
    bool tls;                    // tls records enabled
    bool ssh;                    // ssh records enabled
    bool quic;                   // quic records enabled
    bool smtp;                   // smtp records enabled
    bool ftp;                    // ftp and ftp_data records enabled
    bool smb;                    // smb records enabled
    bool dcerpc;                 // dcerpc records enabled
    int64_t sec;                 // record timestamp
    uint64_t pcap_cnt;           // packet writing the records (0: flow end)
    const char *pkt_src;         // that packet's pkt_src (NULL: flow end)
    uint32_t usec;
    void (*write)(JsonBuf *jb, void *user);
    void *user;
} OutputTxLog;

/* Records of protocols without a logger of their own (output-eve-generic.c):
 * plugin protocols and built-in rows flagged eve_generic. */
struct ConfNode;
bool output_eve_generic_type(const char *name, const struct ConfNode *opts,
                             bool enabled);          // false: not such a protocol
void output_eve_generic_all(void);          // every such protocol on (no `types:`)
bool output_eve_generic_any(void);          // records of some such protocol are on
void output_eve_generic_log(const OutputTxLog *lg, Flow *f, struct AppTx *tx);

/* Write the records of f's txs that became ready and mark them logged. */
void output_eve_tx_log(const OutputTxLog *lg, Flow *f);
/* Tell the app layer which tx loggers must log a tx before it is freed (start-up). */
void output_eve_tx_loggers_register(bool http, bool http2, bool files, bool dns, bool tls, bool ssh,
                                    bool quic);
/* output-eve-dns.c: the dns record(s) of tx, once. */
void output_eve_dns_log(const OutputTxLog *lg, Flow *f, struct AppTx *tx);
/* output-eve-tls.c: the tls record of tx once its handshake is over (or the flow ended). */
void output_eve_tls_log(const OutputTxLog *lg, Flow *f, struct AppTx *tx);
/* output-eve-ssh.c / output-eve-quic.c: the record of tx, once. */
void output_eve_ssh_log(const OutputTxLog *lg, Flow *f, struct AppTx *tx);
void output_eve_quic_log(const OutputTxLog *lg, Flow *f, struct AppTx *tx);
/* output-eve-smtp.c / output-eve-ftp.c: the smtp record of a complete tx; the ftp /
 * ftp_data record of a tx, once. */
void output_eve_smtp_log(const OutputTxLog *lg, Flow *f, struct AppTx *tx);
void output_eve_ftp_log(const OutputTxLog *lg, Flow *f, struct AppTx *tx);
/* SMTP and FTP tx loggers (start-up), beside output_eve_tx_loggers_register. */
void output_eve_mail_loggers_register(bool smtp, bool ftp, bool files);
/* output-eve-smb.c: the smb / dcerpc record of a complete tx, once; its loggers. */
void output_eve_smb_log(const OutputTxLog *lg, Flow *f, struct AppTx *tx);
void output_eve_smb_loggers_register(bool smb, bool dcerpc, bool files);
/* "app_proto" (and _ts/_tc/_orig where they differ) of f; nothing when unknown. */
void output_eve_app_proto(JsonBuf *jb, const Flow *f);
/* In an alert record: tx_id, the protocol object of the alert's tx (with_app_layer:
 * the alert's app-layer metadata is on), its files in the packet's direction as
 * "files" (with_files: the rule metadata is on, as Suricata), and app_proto.
 * Takes f->lock unless p is a flow-end packet (PKT_F_STREAM_FLUSH: the lock is held). */
void output_eve_alert_app(JsonBuf *jb, const Packet *p, const struct PacketAlert *pa,
                          bool with_app_layer, bool with_files);

#endif
