/* libFuzzer target: DNS over UDP (first input byte even) or TCP (odd) through protocol
 * detection, the DNS parser (framing, names, rdata), every buffer instance, the EVE
 * object and records of both layouts, and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: one mode byte, then chunks, each a header
 * byte (bit 7: direction toclient; bit 6: a gap before it, TCP only; low 6 bits k: k + 1
 * bytes follow, or for k = 63 a 16-bit big-endian length then that many bytes). For UDP
 * each chunk is one datagram. The seeds (fuzz/corpus/) hold datagrams of the shared
 * captures in this form. */
#include <stddef.h>
#include <stdint.h>

#include "app-layer/dns/app-layer-dns-tx.h"
#include "app-layer/dns/app-layer-dns.h"
#include "fuzz-app-layer-common.h"

/* Both record layouts (versions 2 and 3) of every transaction. */
static void dns_log_records(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    if (tx->proto != APP_PROTO_DNS) {
        return;
    }
    for (uint8_t v = 2; v <= 3; v++) {
        g_dns_log_cfg.version = v;
        uint32_t n = dns_tx_log_record_count(tx);
        for (uint32_t i = 0; i < n; i++) {
            json_buf_reset(jb);
            json_open_object(jb, NULL);
            dns_tx_log_record(tx, i, jb);
            json_close_object(jb);
        }
    }
}

static void dns_init(void)
{
    g_dns_log_cfg.fmt_grouped = true;
}

static const FuzzAlTarget k_target = {
    .ipproto = 17,
    .dport = 53,
    .mode_byte = true,
    .len_ext = true,
    .bit6 = FUZZ_AL_BIT6_GAP,
    .init = dns_init,
    .log_extra = dns_log_records,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_al_run(&k_target, data, size);
}
