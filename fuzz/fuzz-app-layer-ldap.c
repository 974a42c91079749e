/* libFuzzer target: LDAP over TCP (first input byte odd) or UDP (even) through protocol
 * detection (port 389), the framing (carried partial messages, oversized skips, gaps),
 * request/response pairing, both buffers, the EVE object (every message decoded), the
 * events and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: one mode byte, then chunks, each a header
 * byte (bit 7: direction toclient; bit 6: a gap before it, TCP only; low 6 bits k: k + 1
 * bytes follow, or for k = 63 a 16-bit big-endian length then that many bytes). The
 * seeds (fuzz/corpus/fuzz-app-layer-ldap/) are the messages of tools/gen-misc-captures.py
 * in this form. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 6,
    .dport = 389,
    .mode_byte = true,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_GAP,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
