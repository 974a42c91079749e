/* libFuzzer target: arbitrary TCP segment sequences into one session.
 *
 * Not built by CMake. From the source tree (with the detection library or the
 * local test double present, as for any build of the engine library):
 *   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang \
 *       -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" && \
 *   cmake --build build-fuzz --target vigilcore -j2 && \
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *       fuzz/fuzz-stream.c build-fuzz/libvigilcore.a -lpcap -lyaml -lpcre2-8 -lpthread \
 *       -o fuzz-stream
 *   ./fuzz-stream -max_len=8192
 *
 * Input: a sequence of records, each 12 bytes of header then data:
 *   byte 0: direction (bit 0), inline mode (bit 1, first record only),
 *           policy (bits 2..5, first record only)
 *   byte 1: TCP flags     bytes 2-5: seq (big endian, added to a base)
 *   bytes 6-9: ack        byte 10: payload length (0..255)   byte 11: window/256
 * Midstream and async-oneside are on so that any first packet makes a
 * session. The flow-end flush runs at the end; sanitizers catch the rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/flow-internal.h"
#include "flow/flow-types.h"
#include "stream/stream-internal.h"
#include "util/util-byte.h"

static StreamThread *g_st;

static void sink(const uint8_t *data, uint32_t len, uint32_t flags, void *user)
{
    (void)flags;
    uint32_t *acc = user;
    for (uint32_t i = 0; i < len; i++) {
        *acc += data[i];
    }
}

static void init_once(void)
{
    if (g_st != NULL) {
        return;
    }
    if (stream_init(NULL, NULL) != 0) {
        abort();
    }
    g_stream_cfg.midstream = true;
    g_stream_cfg.async_oneside = true;
    g_stream_cfg.reasm_memcap_bytes = 4u << 20;
    g_stream_cfg.depth_bytes = 64u << 10;
    stream_set_min_chunk(80, STREAM_DIR_TOSERVER, 16);
    g_st = stream_thread_new(NULL);
}

static void fill(Packet *p, Flow *f, const uint8_t *h, const uint8_t *payload)
{
    memset(p, 0, sizeof(*p));
    static const uint8_t hdr[20];
    int dir = h[0] & 1;
    VgAddr cli = {.family = 4, .a.u8 = {10, 0, 0, 1}};
    VgAddr srv = {.family = 4, .a.u8 = {10, 0, 0, 2}};
    p->l3 = PKT_L3_IPV4;
    p->l4 = PKT_L4_TCP;
    p->src = dir ? srv : cli;
    p->dst = dir ? cli : srv;
    p->sp = dir ? 80 : 40000;
    p->dp = dir ? 40000 : 80;
    p->flags = dir ? PKT_F_TOCLIENT : PKT_F_TOSERVER;
    p->tcp.hdr = hdr;
    p->tcp.flags = h[1];
    p->tcp.seq = 1000000u + ((uint32_t)h[2] << 24 | (uint32_t)h[3] << 16 | h[4] << 8 | h[5]);
    p->tcp.ack = 1000000u + ((uint32_t)h[6] << 24 | (uint32_t)h[7] << 16 | h[8] << 8 | h[9]);
    p->tcp.win = (uint16_t)(h[11] << 8);
    p->payload = payload;
    p->payload_len = h[10];
    p->flow = f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    Flow f;
    memset(&f, 0, sizeof(f));
    Packet p;
    uint32_t acc = 0;
    if (size > 0) {
        stream_set_inline((data[0] & 2) != 0);
    }
    bool first = true;
    while (size >= 12) {
        size_t len = data[10];
        if (size - 12 < len) {
            len = size - 12;
        }
        uint8_t h[12];
        memcpy(h, data, 12);
        h[10] = (uint8_t)len;
        fill(&p, &f, h, data + 12);
        stream_packet(g_st, &p);
        if (first && f.protoctx != NULL) {
            TcpSession *ssn = f.protoctx;
            ssn->streams[0].policy = (uint8_t)((data[0] >> 2) % STREAM_POLICY_MAX);
            first = false;
        }
        for (uint32_t i = 0; i < p.stream_data_len; i++) {
            acc += p.stream_data[i];
        }
        data += 12 + len;
        size -= 12 + len;
    }
    (void)stream_flow_end_flush(&f, sink, &acc);
    stream_session_free(f.protoctx);
    flow_storage_free_all(&f);    // e.g. the exception-policy record of an untracked session
    return acc == 0xdeadbeef;     // keep acc alive; libFuzzer ignores the value
}
