/* libFuzzer target: TCP payloads of both directions through protocol detection, the
 * HTTP parser (libhtp), every buffer getter, the EVE object and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: a sequence of chunks, each a header byte
 * (bit 7: direction toclient; bit 6: a gap before it; low 6 bits + 1: chunk length)
 * followed by that many bytes. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 6,
    .dport = 80,
    .bit6 = FUZZ_AL_BIT6_GAP,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
