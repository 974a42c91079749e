/* EVE "smb" records (one per SMB tx: a request and its final response, or a file's
 * reads / writes) and "dcerpc" records (one per DCERPC-over-TCP call), written once the
 * tx is complete both ways (or the flow ended). The objects come from
 * src/app-layer/smb and src/app-layer/dcerpc. Caller holds f->lock. */
#include "output/output-eve-http.h"

#include "app-layer/app-layer.h"

void output_eve_smb_log(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    if (tx->logged & OUTPUT_TX_LOGGER_SMB) {
        return;
    }
    if (!app_layer_tx_complete(f, tx, 0) || !app_layer_tx_complete(f, tx, 1)) {
        return;
    }
    const char *type = tx->proto == APP_PROTO_SMB ? "smb" : "dcerpc";
    eve_begin_flow_dir(lg->jb, f, lg->sec, lg->usec, type, false, lg->pcap_cnt, lg->pkt_src);
    (void)app_layer_tx_log_json(f, tx->id, lg->jb);
    json_close_object(lg->jb);
    lg->write(lg->jb, lg->user);
    tx->logged |= OUTPUT_TX_LOGGER_SMB;
}

void output_eve_smb_loggers_register(bool smb, bool dcerpc, bool files)
{
    app_layer_set_proto_logged(APP_PROTO_SMB, OUTPUT_TX_LOGGER_SMB, smb);
    app_layer_set_proto_logged(APP_PROTO_SMB, OUTPUT_TX_LOGGER_FILES, files);
    app_layer_set_proto_logged(APP_PROTO_DCERPC, OUTPUT_TX_LOGGER_SMB, dcerpc);
}
