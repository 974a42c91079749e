/* EVE "smtp" records: one per SMTP tx once it is complete both ways (its message was
 * answered, its envelope abandoned, or the flow ended), with the "smtp" and "email"
 * objects from the SMTP parser (src/app-layer/smtp). Caller holds f->lock. */
#include "output/output-eve-http.h"

#include "app-layer/app-layer.h"

void output_eve_smtp_log(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    if (tx->logged & OUTPUT_TX_LOGGER_SMTP) {
        return;
    }
    if (!app_layer_tx_complete(f, tx, 0) || !app_layer_tx_complete(f, tx, 1)) {
        return;
    }
    eve_begin_flow_dir(lg->jb, f, lg->sec, lg->usec, "smtp", false, lg->pcap_cnt, lg->pkt_src);
    json_u64(lg->jb, "tx_id", tx->id);
    (void)app_layer_tx_log_json(f, tx->id, lg->jb);
    json_close_object(lg->jb);
    lg->write(lg->jb, lg->user);
    tx->logged |= OUTPUT_TX_LOGGER_SMTP;
}
