/* libFuzzer target: TLS over TCP through protocol detection, the record layer, the
 * handshake, hello, certificate (libcrypto) and SSLv2 parsers, JA3/JA4, every buffer
 * (each multi-buffer instance), the EVE object, and the end-of-data path.
 *
 * Built by fuzz/build.sh (make fuzz). Input: chunks, each a header byte (bit 7:
 * direction toclient; bit 6: end of data in that direction after it; low 6 bits k: k + 1
 * bytes follow, or for k = 63 a 16-bit big-endian length then that many bytes), so any
 * split of records across segments is reachable. Seeds: fuzz/corpus/fuzz-app-layer-tls/
 * (handshakes of tools/gen-tls-captures.py in this form). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 6,
    .dport = 443,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_EOF,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
