/* libFuzzer target: NFS over ONC RPC, UDP (first input byte even) or TCP (odd), through
 * protocol detection (port 2049), the record marking (TCP: fragments, records over the
 * limit skipped, gaps), the RPC header and credentials, v2/v3 procedures, v4 COMPOUND
 * operations and results, READ/WRITE files, every buffer, the EVE objects, the events
 * and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: one mode byte, then chunks, each a header
 * byte (bit 7: direction toclient; bit 6: a gap before it, TCP only; low 6 bits k: k + 1
 * bytes follow, or for k = 63 a 16-bit big-endian length then that many bytes). The
 * seeds (fuzz/corpus/fuzz-app-layer-nfs/) are the messages of tools/gen-nfs-captures.py
 * in this form. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 17,
    .dport = 2049,
    .mode_byte = true,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_GAP,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
