/* libFuzzer target: SIP over UDP (first input byte even) or TCP (odd) through protocol
 * detection, the SIP parser (start lines, headers, compact names, folding, TCP framing
 * by Content-Length, resync), every buffer instance, the EVE object and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: one mode byte, then chunks, each a header
 * byte (bit 7: direction toclient; bit 6: a gap before it, TCP only; low 6 bits k: k + 1
 * bytes follow, or for k = 63 a 16-bit big-endian length then that many bytes). For UDP
 * each chunk is one datagram. The seeds (fuzz/corpus/fuzz-app-layer-sip/) are the
 * messages of tools/make-sip-captures.py in this form. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .dport = 5060,
    .mode_byte = true,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_GAP,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
