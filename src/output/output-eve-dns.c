/* EVE "dns" records: one per DNS transaction (a request or a response message), or one
 * per query of a request in the version 2 layout. The record body comes from the DNS
 * parser's writer (src/app-layer/dns); this file only frames records, as the http
 * logger does. Caller holds f->lock. */
#include "output/output-eve-http.h"

#include "app-layer/app-layer.h"
#include "app-layer/dns/app-layer-dns-tx.h"

void output_eve_dns_log(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    if (tx->logged & OUTPUT_TX_LOGGER_DNS) {
        return;
    }
    uint32_t n = dns_tx_log_record_count(tx);
    for (uint32_t i = 0; i < n; i++) {
        eve_begin_flow_dir(lg->jb, f, lg->sec, lg->usec, "dns", dns_tx_log_toclient(tx),
                           lg->pcap_cnt, lg->pkt_src);
        dns_tx_log_record(tx, i, lg->jb);
        json_close_object(lg->jb);
        lg->write(lg->jb, lg->user);
    }
    tx->logged |= OUTPUT_TX_LOGGER_DNS;
}
