/* libFuzzer target: HTTP/2 over TCP through protocol detection, the HTTP/2 parser
 * (preface, frames, HPACK with the dynamic table, CONTINUATION, streams), every http2
 * buffer (each instance of the multi-buffers), the EVE object and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: chunks, each a header byte (bit 7:
 * direction toclient; bit 6: a gap before it; low 6 bits k: k + 1 bytes follow, or for
 * k = 63 a 16-bit big-endian length then that many bytes). The seeds
 * (fuzz/corpus/fuzz-app-layer-http2/) are the crafted captures' streams in this form,
 * written by tools/make-http2-data.py. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 6,
    .dport = 80,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_GAP,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
