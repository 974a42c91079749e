/* libFuzzer target: TFTP over UDP port 69 through protocol detection, the request
 * parser, the EVE object and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: datagrams, each a header byte (bit 7:
 * direction toclient; low 6 bits k: k + 1 bytes follow, or for k = 63 a 16-bit
 * big-endian length then that many bytes). Seeds (fuzz/corpus/fuzz-app-layer-tftp/):
 * a write request, a read request with RFC 2347 options, an ACK and an ERROR. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 17,
    .dport = 69,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_NONE,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
