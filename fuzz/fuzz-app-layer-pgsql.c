/* libFuzzer target: PostgreSQL over TCP through protocol detection (port 5432), the
 * framing of both directions (startup phase, typed messages, carried partial messages,
 * oversized skips, gaps), authentication and SASL, queries and their answers, the SSL
 * hand-over to TLS, the buffer, the EVE object, the events and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: chunks, each a header byte (bit 7:
 * direction toclient; bit 6: a gap before it; low 6 bits k: k + 1 bytes follow, or for
 * k = 63 a 16-bit big-endian length then that many bytes). The seeds
 * (fuzz/corpus/fuzz-app-layer-pgsql/) are the sessions of tools/gen-misc-captures.py in
 * this form. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-app-layer-common.h"

static const FuzzAlTarget k_target = {
    .ipproto = 6,
    .dport = 5432,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_GAP,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
