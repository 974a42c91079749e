/* libFuzzer target for defrag: arbitrary fragment sequences.
 *
 * Build and run with the other targets: bash fuzz/build.sh run 60 fuzz-defrag
 *
 * Input: byte 0 picks the overlap policy; then records of 6 bytes, each one
 * fragment: flags (bit 0 IPv6, bit 1 more fragments, bit 2 IPv6 with a
 * destination options header, bits 4-5 the id, so datagrams collide), two
 * bytes of offset in 8-byte units, one byte of length in 8-byte units
 * (plus bits 6-7 of flags as 0-3 extra bytes, for ragged lengths), one
 * byte of time step (seconds), one fill byte. Each fragment is decoded and
 * handed to defrag_packet; every rebuilt packet is checked for the invariant
 * that its IP header lies inside its data and given back. The table is kept
 * small (memcap, trackers) so limits and timeouts are reached too. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "defrag/defrag-test-util.h"
#include "defrag/defrag.h"
#include "runtime/counters.h"

static CounterSet *g_cs;
static DecodeThreadCtx g_dtv;
static DefragThread g_dt;
static DefragPolicy g_pol;
static uint8_t g_buf[PACKET_MAX_SIZE];

static DefragPolicy fuzz_policy(const VgAddr *dst)
{
    (void)dst;
    return g_pol;
}

static Packet *fuzz_get(void *user)
{
    (void)user;
    Packet *p = calloc(1, sizeof(*p));
    if (p != NULL) {
        p->data = malloc(PACKET_MAX_SIZE);
    }
    return p;
}

static void fuzz_put(Packet *p, void *user)
{
    (void)user;
    free(p->data);
    free(p);
}

static void fuzz_setup(void)
{
    decode_register_counters();
    defrag_register_counters();
    g_cs = counters_set_new();
    decode_thread_init(&g_dtv, g_cs, CHECKSUM_ALL);
    defrag_thread_init(&g_dt, g_cs);
    g_dtv.src = (DecodePacketSource){ .get = fuzz_get, .put = fuzz_put };
}

static void one_fragment(const uint8_t *r, int64_t ts)
{
    uint8_t flags = r[0];
    uint32_t off = ((uint32_t)r[1] << 8 | r[2]) & 0x1fff;
    uint32_t len = (uint32_t)r[3] * 8 + (flags >> 6);
    uint8_t data[2048 + 8];
    memset(data, r[5], len);
    bool more = (flags & 2) != 0;
    uint32_t id = (flags >> 4) & 3;
    uint32_t n = (flags & 1) ? dfu_build6(g_buf, id, off * 8, more, 17, data, len, flags & 4)
                             : dfu_build4(g_buf, (uint16_t)id, off * 8, more, 17, data, len);
    Packet *p = dtu_packet_new(g_buf, n, LINKTYPE_RAW);
    p->ts_sec = ts;
    (void)decode_packet(&g_dtv, p);
    Packet *rp = defrag_packet(&g_dt, &g_dtv, p);
    Packet *kids = decode_take_children(&g_dtv);
    while (kids != NULL) {
        Packet *next = kids->next_child;
        fuzz_put(kids, NULL);
        kids = next;
    }
    if (rp != NULL) {
        if (rp->l3_hdr < rp->data || rp->l3_hdr >= rp->data + rp->caplen) {
            abort();
        }
        fuzz_put(rp, NULL);
    }
    dtu_packet_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (g_cs == NULL) {
        fuzz_setup();
    }
    DefragConfig c;
    defrag_config_defaults(&c);
    c.memcap_bytes = 64 * 1024;
    c.max_trackers = 4;
    c.max_frags = 64;
    c.hash_size = 8;
    c.timeout_sec = 10;
    g_pol = (DefragPolicy)(data[0] % DEFRAG_POLICY_MAX);
    if (defrag_init(&c, fuzz_policy) != 0) {
        return 0;
    }
    int64_t ts = 1000;
    for (size_t at = 1; at + 6 <= size; at += 6) {
        ts += data[at + 4] % 16;
        one_fragment(data + at, ts);
    }
    defrag_deinit();
    return 0;
}
