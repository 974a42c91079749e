/* libFuzzer target: mDNS over UDP port 5353 through protocol detection, the DNS message
 * parser run as protocol "mdns", the mdns.* buffers, the EVE object and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: datagrams, each a header byte (bit 7:
 * direction toclient; low 6 bits k: k + 1 bytes follow, or for k = 63 a 16-bit
 * big-endian length then that many bytes). Seeds (fuzz/corpus/fuzz-app-layer-mdns/, made
 * by tools/gen-proto-captures.py --fuzz): a PTR query, an announcement, both in one. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 17,
    .dport = 5353,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_NONE,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
