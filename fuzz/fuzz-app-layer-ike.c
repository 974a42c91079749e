/* libFuzzer target: IKE over UDP through protocol detection (port 500), the IKEv1 and
 * IKEv2 decoder (payload chain, SA proposals, transforms and attributes), every buffer
 * (vendor IDs included), the EVE object, the events and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: chunks, each a header byte (bit 7:
 * direction toclient; low 6 bits k: k + 1 bytes follow, or for k = 63 a 16-bit
 * big-endian length then that many bytes); each chunk is one datagram. The seeds
 * (fuzz/corpus/fuzz-app-layer-ike/) are the messages of tools/gen-misc-captures.py in
 * this form. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 17,
    .dport = 500,
    .len_ext = true,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
