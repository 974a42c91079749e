#ifndef VG_APP_LAYER_QUIC_APP_LAYER_QUIC_H
#define VG_APP_LAYER_QUIC_APP_LAYER_QUIC_H

/* QUIC (RFC 9000, 9001, 9369) over UDP: long and short headers, versions (v1, v2,
 * draft-29 and other drafts, Google QUIC Q0xx recognised by version only), and the
 * Initial packets of both sides decrypted with the keys every observer can derive from
 * the client's first Destination Connection ID, to reach the CRYPTO frames and the TLS
 * ClientHello / ServerHello inside (parsed by the TLS parser: SNI, ALPN, JA3/JA3S, JA4).
 * Details: src/app-layer/quic/README.md. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app-layer/app-layer.h"
#include "app-layer/tls/app-layer-tls.h"

#define QUIC_CID_MAX 20
#define QUIC_CRYPTO_MAX 16384    // CRYPTO bytes reassembled per direction (ClientHello)

enum {
    QUIC_V1 = 0x00000001,
    QUIC_V2 = 0x6b3343cf,
    QUIC_DRAFT29 = 0xff00001d,
};

/* Keys of one direction's Initial packets. */
typedef struct QuicKeys {
    uint8_t key[16];
    uint8_t iv[12];
    uint8_t hp[16];
} QuicKeys;

/* A parsed header (long or short). */
typedef struct QuicHdr {
    bool is_long;
    uint8_t first;               // first byte (protected)
    uint8_t type;                // long: 0 Initial, 1 0-RTT, 2 Handshake, 3 Retry (v1 numbering)
    uint32_t version;
    uint8_t dcid[QUIC_CID_MAX];
    uint8_t dcid_len;
    uint8_t scid[QUIC_CID_MAX];
    uint8_t scid_len;
    uint32_t pn_offset;          // Initial: offset of the packet number
    uint64_t length;             // long: the Length field (pn + payload)
    uint32_t pkt_len;            // long: bytes of this packet in the datagram
} QuicHdr;

/* ---- app-layer-quic-crypto.c ---- */

/* True for versions whose Initial keys we can derive (v1, v2, drafts 22..34). */
bool quic_version_decryptable(uint32_t version);
/* Frees every thread's cipher and MAC contexts (teardown; threads stopped). */
void quic_crypto_deinit(void);
/* Initial keys of the client (is_server false) or server from the client's original
 * Destination Connection ID. False for other versions or a libcrypto failure. */
bool quic_initial_keys(uint32_t version, const uint8_t *dcid, uint8_t dcid_len, bool is_server,
                       QuicKeys *k);
/* Removes header protection and decrypts the long-header packet pkt (pkt_len bytes,
 * header h) in place; *payload / *payload_len: the plaintext frames. False when it does
 * not authenticate. */
bool quic_decrypt_initial(const QuicKeys *k, const QuicHdr *h, uint8_t *pkt,
                          const uint8_t **payload, uint32_t *payload_len);

/* ---- app-layer-quic.c ---- */

/* A QUIC variable-length integer at *off of p (len bytes). */
bool quic_varint(const uint8_t *p, uint32_t len, uint32_t *off, uint64_t *v);
/* Parses the header of the packet at p (len bytes left in the datagram). Short headers
 * need the connection id length (from the long headers seen). False when malformed. */
bool quic_parse_header(const uint8_t *p, uint32_t len, uint8_t short_dcid_len, QuicHdr *h);

typedef struct QuicTx {
    AppTx tx;
    uint8_t dir;                 // direction of the packet(s) of this tx
    uint32_t version;
    uint8_t version_be[4];       // quic.version buffer
    bool has_hello;              // side: a ClientHello (toserver) / ServerHello parsed
    TlsSide side;                // from the hello
    char *cyu;                   // Google QUIC CHLO: "46,PAD-SNI-..." (NULL: none)
    char cyu_hash[33];
    uint8_t *g_sni;              // Google QUIC CHLO SNI and UAID tag values
    uint32_t g_sni_len;
    uint8_t *ua;
    uint32_t ua_len;
    uint64_t mem_bytes;
} QuicTx;

const QuicTx *quic_tx(const AppTx *tx);
/* Google QUIC: finds the CHLO message in a datagram (bounded search) and fills qt's cyu,
 * sni and ua. False when there is none or it is malformed (or no memory). */
bool quic_gquic_chlo(QuicTx *qt, const uint8_t *d, uint32_t len);
bool quic_tx_is_toclient(const AppTx *tx);

#endif
