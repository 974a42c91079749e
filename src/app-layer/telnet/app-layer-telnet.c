/* Telnet: the command parser (RFC 854 "TELNET COMMAND STRUCTURE", RFC 855) and the
 * parser row. */
#include "app-layer/telnet/app-layer-telnet.h"

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"

enum {
    T_SE = 240, T_SB = 250, T_WILL = 251, T_WONT = 252, T_DO = 253, T_DONT = 254, T_IAC = 255,
};

enum { TS_DATA = 0, TS_IAC, TS_OPT, TS_SB_OPT, TS_SB, TS_SB_IAC };

enum { OPT_TTYPE = 24, OPT_NAWS = 31 };

static void bit_set(uint8_t *map, uint8_t opt, bool on)
{
    if (on) {
        map[opt / 8] |= (uint8_t)(1u << (opt % 8));
    } else {
        map[opt / 8] &= (uint8_t)~(1u << (opt % 8));
    }
}

bool telnet_will(const TelnetFlow *tf, uint8_t d, uint8_t opt)
{
    return (tf->dir[d & 1].will[opt / 8] >> (opt % 8)) & 1u;
}

bool telnet_do(const TelnetFlow *tf, uint8_t d, uint8_t opt)
{
    return (tf->dir[d & 1].do_[opt / 8] >> (opt % 8)) & 1u;
}

/* A whole subnegotiation of the client: TERMINAL-TYPE IS <name> (RFC 1091: code 0),
 * NAWS <width16> <height16> (RFC 1073). */
static void sb_done(TelnetFlow *tf, uint8_t d, const TelnetDir *td)
{
    if (d != APP_DIR_TOSERVER || td->sb_len > TELNET_SB_MAX) {
        return;
    }
    if (td->sb_opt == OPT_TTYPE && td->sb_len >= 1 && td->sb[0] == 0) {
        uint32_t n = td->sb_len - 1u;
        n = n < TELNET_TTYPE_MAX ? n : TELNET_TTYPE_MAX;
        memcpy(tf->ttype, td->sb + 1, n);
        tf->ttype[n] = '\0';
    } else if (td->sb_opt == OPT_NAWS && td->sb_len == 4) {
        tf->naws_width = (uint16_t)(td->sb[0] << 8 | td->sb[1]);
        tf->naws_height = (uint16_t)(td->sb[2] << 8 | td->sb[3]);
    }
}

static void sb_byte(TelnetDir *td, uint8_t c)
{
    if (td->sb_len < TELNET_SB_MAX) {
        td->sb[td->sb_len] = c;
    } else if (td->sb_len == TELNET_SB_MAX) {
        td->n_sb_overlong++;
    }
    if (td->sb_len <= TELNET_SB_MAX) {
        td->sb_len++;            // stops one past the cap: "too long", nothing kept
    }
}

/* After IAC: c is the command byte. */
static void iac_byte(TelnetDir *td, uint8_t c)
{
    td->state = TS_DATA;
    if (c == T_IAC) {
        td->n_data++;            // IAC IAC: a data byte 255
        return;
    }
    if (c >= T_WILL) {
        td->cmd = c;
        td->state = TS_OPT;
    } else if (c == T_SB) {
        td->state = TS_SB_OPT;
    } else if (c < 241) {        // not a command (SE outside a subnegotiation included)
        td->n_invalid++;
        return;
    }
    td->n_commands++;
}

void telnet_feed(TelnetFlow *tf, uint8_t d, const uint8_t *data, uint32_t len)
{
    TelnetDir *td = &tf->dir[d & 1];
    for (uint32_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        switch (td->state) {
        case TS_DATA:
            if (c == T_IAC) {
                td->state = TS_IAC;
            } else {
                td->n_data++;
            }
            break;
        case TS_IAC:
            iac_byte(td, c);
            break;
        case TS_OPT:
            if (td->cmd == T_WILL || td->cmd == T_WONT) {
                bit_set(td->will, c, td->cmd == T_WILL);
            } else {
                bit_set(td->do_, c, td->cmd == T_DO);
            }
            td->state = TS_DATA;
            break;
        case TS_SB_OPT:
            td->sb_opt = c;
            td->sb_len = 0;
            td->state = TS_SB;
            break;
        case TS_SB:
            if (c == T_IAC) {
                td->state = TS_SB_IAC;
            } else {
                sb_byte(td, c);
            }
            break;
        default:                 // TS_SB_IAC
            if (c == T_SE) {
                sb_done(tf, d, td);
                td->state = TS_DATA;
            } else if (c == T_IAC) {
                sb_byte(td, c);
                td->state = TS_SB;
            } else {
                /* IAC <command> inside a subnegotiation: the SE was lost; end the
                 * subnegotiation and take the command (RFC 855 leaves this open). */
                td->n_invalid++;
                iac_byte(td, c);
            }
            break;
        }
    }
}

/* ---- the row ---- */

static void *telnet_state_new(AppFlow *af)
{
    (void)af;
    return calloc(1, sizeof(TelnetFlow));
}

static void telnet_state_free(void *state)
{
    free(state);
}

static int telnet_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data,
                        uint32_t len, uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    telnet_feed(state, dir, data, len);
    return APP_PARSE_OK;
}

static void telnet_tx_free(void *state, AppTx *tx)
{
    (void)state;
    (void)tx;
}

/* Either side may open with a negotiation (IAC and a command from WILL to DONT, or SB);
 * on the detection ports (23) only: an 0xff byte starts many other streams. */
static int telnet_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                           uint8_t dir)
{
    (void)dir;
    if (ipproto != 6 || !port_hint || len == 0 || data[0] != T_IAC) {
        return APP_PROBE_NO;
    }
    if (len < 3) {
        return len == 2 && data[1] < T_SB ? APP_PROBE_NO : APP_PROBE_MORE;
    }
    return data[1] >= T_SB && data[1] <= T_DONT ? APP_PROBE_YES : APP_PROBE_NO;
}

const AppParserDesc app_parser_telnet = {
    .name = "telnet",
    .proto = APP_PROTO_TELNET,
    .ipproto = 6,
    .first_dir = APP_DIR_TOCLIENT,
    .any_first_dir = true,
    .default_ports = "23",
    .probe_ip = telnet_probe_ip,
    .state_new = telnet_state_new,
    .state_free = telnet_state_free,
    .parse = telnet_parse,
    .tx_free = telnet_tx_free,
    .complete = {0, 0},
};
