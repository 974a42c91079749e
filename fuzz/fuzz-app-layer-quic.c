/* libFuzzer target: QUIC over UDP through protocol detection, the QUIC parser
 * (headers, coalesced packets, Initial decryption, frames, CRYPTO reassembly, the TLS
 * hello inside), every quic buffer, the EVE object and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: datagrams, each a header byte (bit 7:
 * direction toclient; low 6 bits k: k + 1 bytes follow, or for k = 63 a 16-bit
 * big-endian length then that many bytes). The seeds (fuzz/corpus/) hold the RFC 9001
 * Initials in this form. As the AEAD tag rarely survives mutation, the fuzzer mostly
 * exercises headers and the failure paths; the decrypted paths are covered by the unit
 * tests. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 17,
    .dport = 443,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_NONE,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
