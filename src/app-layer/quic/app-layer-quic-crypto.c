/* QUIC Initial packet protection (RFC 9001 section 5; RFC 9369 for v2): keys from
 * HKDF-Extract(initial salt, client DCID) and HKDF-Expand-Label, header protection with
 * AES-128-ECB over a 16-byte sample, payload with AES-128-GCM. All with libcrypto.
 *
 * Each thread keeps its cipher and MAC contexts and only gives them new keys: a context
 * made and freed per packet cost libcrypto several allocations every Initial packet. */
#include "app-layer/quic/app-layer-quic.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "util/util-thread-list.h"

static const uint8_t SALT_V1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t SALT_V2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
static const uint8_t SALT_D29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                     0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
static const uint8_t SALT_D23[20] = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
                                     0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};

static const uint8_t *salt_of(uint32_t v)
{
    if (v == QUIC_V1) {
        return SALT_V1;
    }
    if (v == QUIC_V2) {
        return SALT_V2;
    }
    if ((v & 0xffffff00u) == 0xff000000u) {
        uint32_t d = v & 0xff;
        if (d >= 29 && d <= 34) {
            return SALT_D29;
        }
        if (d >= 23 && d <= 28) {
            return SALT_D23;
        }
    }
    return NULL;
}

bool quic_version_decryptable(uint32_t version)
{
    return salt_of(version) != NULL;
}

/* A thread's contexts: made on first use and listed in g_threads, which
 * quic_crypto_deinit frees at teardown (util-thread-list.h). */
typedef struct CryptoThread {
    UtilThreadNode node;         // first: in g_threads
    EVP_CIPHER_CTX *ecb;         // AES-128-ECB, no padding: header protection
    EVP_CIPHER_CTX *gcm;         // AES-128-GCM: payload
    EVP_MAC_CTX *hmac;           // HMAC-SHA256: key derivation
} CryptoThread;

static UtilThreadList g_threads = UTIL_THREAD_LIST_INIT;
static _Thread_local CryptoThread *t_crypto;
static _Thread_local uint64_t t_generation;

static void crypto_thread_free(CryptoThread *ct)
{
    EVP_CIPHER_CTX_free(ct->ecb);
    EVP_CIPHER_CTX_free(ct->gcm);
    EVP_MAC_CTX_free(ct->hmac);
    free(ct);
}

static EVP_MAC_CTX *hmac_sha256_new(void)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);           // the context holds its own reference
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (ctx != NULL && EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

/* This thread's contexts, or NULL without memory. */
static CryptoThread *crypto_thread(void)
{
    uint64_t gen = util_thread_list_generation(&g_threads);
    if (t_crypto != NULL && t_generation == gen) {
        return t_crypto;
    }
    CryptoThread *ct = calloc(1, sizeof(*ct));
    if (ct == NULL) {
        return NULL;
    }
    ct->ecb = EVP_CIPHER_CTX_new();
    ct->gcm = EVP_CIPHER_CTX_new();
    ct->hmac = hmac_sha256_new();
    if (ct->ecb == NULL || ct->gcm == NULL || ct->hmac == NULL ||
        EVP_EncryptInit_ex(ct->ecb, EVP_aes_128_ecb(), NULL, NULL, NULL) != 1 ||
        EVP_DecryptInit_ex(ct->gcm, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ct->gcm, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1) {
        crypto_thread_free(ct);
        return NULL;
    }
    util_thread_list_add(&g_threads, &ct->node);
    t_crypto = ct;
    t_generation = gen;
    return ct;
}

void quic_crypto_deinit(void)
{
    UtilThreadNode *n = util_thread_list_take(&g_threads);
    while (n != NULL) {
        UtilThreadNode *next = n->next;
        crypto_thread_free((CryptoThread *)n);
        n = next;
    }
    t_crypto = NULL;
}

static bool hmac256(const uint8_t *key, size_t klen, const uint8_t *msg, size_t mlen,
                    uint8_t out[32])
{
    CryptoThread *ct = crypto_thread();
    size_t ol = 0;
    return ct != NULL && EVP_MAC_init(ct->hmac, key, klen, NULL) == 1 &&
           EVP_MAC_update(ct->hmac, msg, mlen) == 1 &&
           EVP_MAC_final(ct->hmac, out, &ol, 32) == 1 && ol == 32;
}

/* HKDF-Expand-Label(secret, label, "", len), len <= 32 (one HMAC block). */
static bool expand_label(const uint8_t secret[32], const char *label, uint8_t *out, size_t len)
{
    uint8_t info[2 + 1 + 255 + 1 + 1];
    size_t ll = strlen(label);
    size_t n = 0;
    info[n++] = (uint8_t)(len >> 8);
    info[n++] = (uint8_t)len;
    info[n++] = (uint8_t)(6 + ll);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, ll);
    n += ll;
    info[n++] = 0;               // empty context
    info[n++] = 1;               // T(1) counter
    uint8_t t[32];
    if (!hmac256(secret, 32, info, n, t)) {
        return false;
    }
    memcpy(out, t, len);
    return true;
}

bool quic_initial_keys(uint32_t version, const uint8_t *dcid, uint8_t dcid_len, bool is_server,
                       QuicKeys *k)
{
    const uint8_t *salt = salt_of(version);
    if (salt == NULL) {
        return false;
    }
    uint8_t initial[32];
    uint8_t secret[32];
    bool v2 = version == QUIC_V2;
    return hmac256(salt, 20, dcid, dcid_len, initial) &&
           expand_label(initial, is_server ? "server in" : "client in", secret, 32) &&
           expand_label(secret, v2 ? "quicv2 key" : "quic key", k->key, 16) &&
           expand_label(secret, v2 ? "quicv2 iv" : "quic iv", k->iv, 12) &&
           expand_label(secret, v2 ? "quicv2 hp" : "quic hp", k->hp, 16);
}

static bool ecb_mask(const uint8_t hp[16], const uint8_t sample[16], uint8_t mask[16])
{
    CryptoThread *ct = crypto_thread();
    int ol = 0;
    return ct != NULL && EVP_EncryptInit_ex(ct->ecb, NULL, NULL, hp, NULL) == 1 &&
           EVP_CIPHER_CTX_set_padding(ct->ecb, 0) == 1 &&
           EVP_EncryptUpdate(ct->ecb, mask, &ol, sample, 16) == 1 && ol == 16;
}

bool quic_decrypt_initial(const QuicKeys *k, const QuicHdr *h, uint8_t *pkt,
                          const uint8_t **payload, uint32_t *payload_len)
{
    uint32_t pn_off = h->pn_offset;
    if (h->pkt_len < pn_off + 4 + 16 || h->length < 20) {
        return false;            // no room for the sample
    }
    uint8_t mask[16];
    if (!ecb_mask(k->hp, pkt + pn_off + 4, mask)) {
        return false;
    }
    pkt[0] ^= mask[0] & 0x0f;
    uint32_t pn_len = (pkt[0] & 3u) + 1u;
    uint8_t nonce[12];
    memcpy(nonce, k->iv, 12);
    for (uint32_t i = 0; i < pn_len; i++) {
        pkt[pn_off + i] ^= mask[1 + i];
        nonce[12 - pn_len + i] ^= pkt[pn_off + i];
    }
    uint32_t hdr_len = pn_off + pn_len;
    uint32_t ct_len = h->pkt_len - hdr_len;
    if (ct_len < 16) {
        return false;
    }
    ct_len -= 16;
    uint8_t *tag = pkt + hdr_len + ct_len;
    CryptoThread *ct = crypto_thread();
    EVP_CIPHER_CTX *c = ct != NULL ? ct->gcm : NULL;
    int ol = 0;
    int fl = 0;
    bool ok = c != NULL && EVP_DecryptInit_ex(c, NULL, NULL, k->key, nonce) == 1 &&
              EVP_DecryptUpdate(c, NULL, &ol, pkt, (int)hdr_len) == 1 &&
              EVP_DecryptUpdate(c, pkt + hdr_len, &ol, pkt + hdr_len, (int)ct_len) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1 &&
              EVP_DecryptFinal_ex(c, pkt + hdr_len + ol, &fl) == 1;
    if (!ok) {
        return false;
    }
    *payload = pkt + hdr_len;
    *payload_len = ct_len;
    return true;
}
