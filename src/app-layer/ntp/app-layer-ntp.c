/* NTP: the parser row. Every datagram of the flow is a tx in its own direction, complete
 * when seen; one that does not parse raises ntp.malformed_data (Suricata's event and
 * sids 2222000/2222001 in etc/rules/ntp-events.rules). Detection: a message that parses,
 * on the detection ports (123) only. */
#include "app-layer/ntp/app-layer-ntp.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "util/util-byte.h"

const char *const ntp_event_names[NTP_EV_N] = {
    [NTP_EV_MALFORMED_DATA] = "malformed_data",
};

bool ntp_parse(const uint8_t *data, uint32_t len, NtpMessage *m)
{
    if (data == NULL || len < NTP_PRIVATE_LEN) {
        return false;
    }
    memset(m, 0, sizeof(*m));
    m->leap = data[0] >> 6;
    m->version = (data[0] >> 3) & 7;
    m->mode = data[0] & 7;
    if (m->version < 1 || m->version > 4 || m->mode == 0) {
        return false;
    }
    if (m->mode == NTP_MODE_PRIVATE) {
        m->opcode = data[3];
        return true;
    }
    if (m->mode == NTP_MODE_CONTROL) {
        if (len < NTP_CONTROL_LEN) {
            return false;
        }
        m->opcode = data[1] & 0x1f;
        uint32_t count = util_be16(data + 10);
        return NTP_CONTROL_LEN + count <= len;
    }
    if (len < NTP_HEADER_LEN) {
        return false;
    }
    m->stratum = data[1];
    m->poll = (int8_t)data[2];
    m->precision = (int8_t)data[3];
    m->ref_id = (uint32_t)util_be16(data + 12) << 16 | util_be16(data + 14);
    return true;
}

static int ntp_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                        uint8_t dir)
{
    (void)dir;
    NtpMessage m;
    if (ipproto != 17 || !port_hint) {
        return APP_PROBE_NO;     // no signature of its own: port 123 only, as Suricata
    }
    return ntp_parse(data, len, &m) ? APP_PROBE_YES : APP_PROBE_NO;
}

static void *ntp_state_new(AppFlow *af)
{
    (void)af;
    return calloc(1, 1);         // no per-flow state: each datagram stands alone
}

static void ntp_state_free(void *state)
{
    free(state);
}

static int ntp_parse_dgram(AppFlow *af, void *state, uint8_t dir, const uint8_t *data,
                           uint32_t len, uint32_t *consumed)
{
    (void)state;
    *consumed = len;
    NtpTx *t = (NtpTx *)app_tx_new(af, sizeof(NtpTx));
    if (t == NULL) {
        return APP_PARSE_OK;     // memcap or max-tx: counted by the framework
    }
    t->dir = dir;
    t->is_valid = ntp_parse(data, len, &t->m);
    if (!t->is_valid) {
        app_tx_event(af, &t->tx, NTP_EV_MALFORMED_DATA);
    }
    /* A datagram belongs to its own direction: the other is never inspected. */
    t->tx.flags |= dir == APP_DIR_TOSERVER ? APP_TX_F_INSPECTED_TC : APP_TX_F_INSPECTED_TS;
    app_tx_touch(&t->tx, dir);
    return APP_PARSE_OK;
}

static void ntp_tx_free(void *state, AppTx *tx)
{
    (void)state;
    (void)tx;
}

const AppParserDesc app_parser_ntp = {
    .name = "ntp",
    .proto = APP_PROTO_NTP,
    .ipproto = 17,
    .first_dir = APP_DIR_TOSERVER,
    .any_first_dir = true,       // broadcast and symmetric peers send unasked
    .default_ports = "123",
    .probe_ip = ntp_probe_ip,
    .state_new = ntp_state_new,
    .state_free = ntp_state_free,
    .parse = ntp_parse_dgram,
    .tx_free = ntp_tx_free,
    .complete = {0, 0},
    .events = ntp_event_names,
    .n_events = NTP_EV_N,
};
