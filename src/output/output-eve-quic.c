/* EVE "quic" records: one per QUIC tx (a datagram starting with a long header), in the
 * direction it travelled. The record body comes from the QUIC parser's writer
 * (src/app-layer/quic); this file only frames it. Caller holds f->lock. */
#include "output/output-eve-http.h"

#include "app-layer/app-layer.h"
#include "app-layer/quic/app-layer-quic.h"

void output_eve_quic_log(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    if (tx->logged & OUTPUT_TX_LOGGER_QUIC) {
        return;
    }
    eve_begin_flow_dir(lg->jb, f, lg->sec, lg->usec, "quic", quic_tx_is_toclient(tx),
                       lg->pcap_cnt, lg->pkt_src);
    (void)app_layer_tx_log_json(f, tx->id, lg->jb);
    json_close_object(lg->jb);
    lg->write(lg->jb, lg->user);
    tx->logged |= OUTPUT_TX_LOGGER_QUIC;
}
