/* libFuzzer target: POP3 over TCP port 110 through protocol detection and the line
 * parser (commands, answers, multi-line bodies, SASL challenges, STLS handing over to
 * TLS), in any segmentation, with gaps.
 *
 * Built by fuzz/build.sh (make fuzz). Input: chunks, each a header byte (bit 7:
 * direction toclient; bit 6: a gap before it; low 6 bits k: k + 1 bytes follow, or for
 * k = 63 a 16-bit big-endian length then that many bytes). The seeds
 * (fuzz/corpus/fuzz-app-layer-pop3/) are made by tools/gen-proto-captures.py --fuzz. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 6,
    .dport = 110,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_GAP,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
