/* libFuzzer target: NTP over UDP port 123 through protocol detection, the message parser,
 * the malformed_data event and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: datagrams, each a header byte (bit 7:
 * direction toclient; low 6 bits k: k + 1 bytes follow, or for k = 63 a 16-bit
 * big-endian length then that many bytes). Seeds (fuzz/corpus/fuzz-app-layer-ntp/, made
 * by tools/gen-proto-captures.py --fuzz): client and server, control request and a cut
 * response, a bad version. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 17,
    .dport = 123,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_NONE,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
