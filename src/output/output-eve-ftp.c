/* EVE "ftp" records (one per FTP command tx, once answered or at flow end) and
 * "ftp_data" records (one per data connection, once its file ended). The objects come
 * from src/app-layer/ftp. Caller holds f->lock. */
#include "output/output-eve-http.h"

#include "app-layer/app-layer.h"

void output_eve_ftp_log(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    if (tx->logged & OUTPUT_TX_LOGGER_FTP) {
        return;
    }
    if (!app_layer_tx_complete(f, tx, 0) || !app_layer_tx_complete(f, tx, 1)) {
        return;
    }
    const char *type = tx->proto == APP_PROTO_FTP ? "ftp" : "ftp_data";
    eve_begin_flow_dir(lg->jb, f, lg->sec, lg->usec, type, false, lg->pcap_cnt, lg->pkt_src);
    (void)app_layer_tx_log_json(f, tx->id, lg->jb);
    json_close_object(lg->jb);
    lg->write(lg->jb, lg->user);
    tx->logged |= OUTPUT_TX_LOGGER_FTP;
}
