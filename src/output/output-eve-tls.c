/* EVE "tls" records: one per TLS flow, once the handshake is over both ways (or the flow
 * ended), when a hello or a certificate was seen. The record body comes from the TLS
 * parser's writer (src/app-layer/tls); this file only frames it. Caller holds f->lock. */
#include "output/output-eve-http.h"

#include "app-layer/app-layer.h"
#include "app-layer/tls/app-layer-tls-tx.h"

void output_eve_tls_log(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    if ((tx->logged & OUTPUT_TX_LOGGER_TLS) ||
        (!tls_tx_log_ready(tx) &&
         (!app_layer_tx_complete(f, tx, 0) || !app_layer_tx_complete(f, tx, 1)))) {
        return;
    }
    if (tls_tx_loggable(tx)) {
        eve_begin_flow_dir(lg->jb, f, lg->sec, lg->usec, "tls", false, lg->pcap_cnt,
                           lg->pkt_src);
        (void)app_layer_tx_log_json(f, tx->id, lg->jb);
        json_close_object(lg->jb);
        lg->write(lg->jb, lg->user);
    }
    tx->logged |= OUTPUT_TX_LOGGER_TLS;
}
