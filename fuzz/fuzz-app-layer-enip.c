/* libFuzzer target: EtherNet/IP through protocol detection, the parser (framing, messages,
 * transactions), its buffers, the EVE object and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: chunks, each a header byte (bit 7:
 * direction toclient; bit 6: a gap before it; low 6 bits k: k + 1 bytes follow, or for
 * k = 63 a 16-bit big-endian length then that many bytes). The seeds (fuzz/corpus/)
 * hold the crafted captures' streams in this form (tools/gen-ics-captures.py). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 6,
    .dport = 44818,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_GAP,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
