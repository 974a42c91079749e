/* libFuzzer target for the whole decoder stack.
 *
 * Build (from the repository root):
 *   clang -std=c11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Isrc \
 *       fuzz/fuzz-decode.c src/decode/decode*.c src/runtime/counters.c src/util/util-log.c \
 *       -lpthread -o build-fuzz/fuzz-decode
 * Run: build-fuzz/fuzz-decode -max_len=2048 corpus/
 *
 * Input: the first byte picks a link type from the table below, the rest is
 * the packet, copied into an exactly-sized buffer so that any read past the
 * capture is caught. Checksum validation is on (CHECKSUM_ALL) so that those
 * paths run too; every decode result is accepted, only crashes, sanitizer
 * reports and leaks count. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "runtime/counters.h"

static const int linktypes[] = {
    LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL,
    LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_LOOP, LINKTYPE_PPP, LINKTYPE_PPP_HDLC,
    LINKTYPE_CISCO_HDLC,
};

static CounterSet *g_counters;
static DecodeThreadCtx g_dtv;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > PACKET_MAX_SIZE) {
        return 0;
    }
    if (g_counters == NULL) {
        decode_register_counters();
        g_counters = counters_set_new();
        decode_thread_init(&g_dtv, g_counters, CHECKSUM_ALL);
    }
    size_t n_types = sizeof(linktypes) / sizeof(linktypes[0]);
    uint32_t len = (uint32_t)(size - 1);
    Packet p;
    memset(&p, 0, sizeof(p));
    p.linktype = linktypes[data[0] % n_types];
    p.caplen = len;
    p.wirelen = len;
    p.data = len > 0 ? malloc(len) : NULL;
    if (len > 0 && p.data == NULL) {
        return 0;
    }
    if (len > 0) {
        memcpy(p.data, data + 1, len);
    }
    (void)decode_packet(&g_dtv, &p);
    free(p.data);
    return 0;
}
