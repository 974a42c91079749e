#ifndef VG_APP_LAYER_DNS_APP_LAYER_DNS_TX_H
#define VG_APP_LAYER_DNS_APP_LAYER_DNS_TX_H

/* What rule keywords outside the app layer may read of a DNS transaction (a tx whose
 * app_layer_tx_proto is APP_PROTO_DNS). Caller holds the flow lock. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

/* The header flags of tx's message when it travelled in dir; false otherwise (the other
 * direction, or a message that could not be parsed). */
bool dns_tx_flags(const AppTx *tx, uint8_t dir, uint16_t *flags);
/* The rrtypes rules match with dns.rrtype: of the questions in a request, of the
 * answers in a response. Fills the idx-th; false past the last (or see dns_tx_flags). */
bool dns_tx_rrtype_at(const AppTx *tx, uint8_t dir, uint32_t idx, uint16_t *rrtype);
uint32_t dns_tx_rrtype_count(const AppTx *tx, uint8_t dir);
/* True for a tx of a message that travelled toclient. */
bool dns_tx_is_response(const AppTx *tx);

/* EVE dns records of tx under the dns entry of the eve-log types (version 2 or 3,
 * requests/responses, formats): how many (0: nothing to log), and the "dns" object of
 * the idx-th into an open record. */
uint32_t dns_tx_log_record_count(const AppTx *tx);
/* True when tx's records are written as the message travelled (server as source):
 * responses in the version 3 layout; version 2 writes every record client first. */
bool dns_tx_log_toclient(const AppTx *tx);
void dns_tx_log_record(const AppTx *tx, uint32_t idx, JsonBuf *jb);

#endif
