#ifndef VG_APP_LAYER_TLS_APP_LAYER_TLS_TX_H
#define VG_APP_LAYER_TLS_APP_LAYER_TLS_TX_H

/* What rule keywords outside the app layer may read of a TLS transaction (a tx whose
 * protocol is APP_PROTO_TLS; anything else reads as "absent"). dir: APP_DIR_TOSERVER is
 * the client side, APP_DIR_TOCLIENT the server side. Caller holds the flow lock. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

enum { TLS_FIELD_SUBJECT = 0, TLS_FIELD_ISSUER, TLS_FIELD_SERIAL, TLS_FIELD_FINGERPRINT };

/* Version of a side: its first record's, then its hello's, then (server)
 * supported_versions' choice; 0 before any data. Values as on the wire (0x0303 ...). */
uint16_t tls_tx_version(const AppTx *tx, uint8_t dir);
/* ssl_state flags (TLS_STATE_* of app-layer-tls.h: client_hello 1, server_hello 2,
 * client_keyx 4, server_keyx 8, unknown 16) of the handshake messages in the latest data
 * of dir. */
uint8_t tls_tx_state_flags(const AppTx *tx, uint8_t dir);
/* Certificates the side sent (its chain length, as kept: at most 16). */
uint32_t tls_tx_cert_count(const AppTx *tx, uint8_t dir);
/* Validity of the side's first certificate (seconds since the epoch). */
bool tls_tx_cert_dates(const AppTx *tx, uint8_t dir, int64_t *not_before, int64_t *not_after);
/* A field of the side's first certificate (TLS_FIELD_*). */
bool tls_tx_cert_field(const AppTx *tx, uint8_t dir, int field, const uint8_t **data,
                       uint32_t *len);
/* True when the tx has something to log (a hello or a certificate was seen). */
bool tls_tx_loggable(const AppTx *tx);
/* True once the record may be written before the flow ends: the client said hello and
 * the server's clear-text part of the handshake is over. */
bool tls_tx_log_ready(const AppTx *tx);

/* tls.store: writes the certificate chain side dir sent to the tls-store (once per side;
 * sec/usec: the time of the packet whose rule asked). False when the store is off, the
 * side sent none, it was stored already, or a write failed (reported once). */
bool tls_tx_store(const Flow *f, AppTx *tx, uint8_t dir, int64_t sec, uint32_t usec);
bool tls_store_enabled(void);

/* Whether JA3 / JA4 are on (app-layer.protocols.tls.ja3-fingerprints / ja4-fingerprints
 * not "no"): the `ja3` and `ja4` features of the rule option `requires`. Set at start-up. */
bool tls_ja3_enabled(void);
bool tls_ja4_enabled(void);

#endif
