/* Telnet (RFC 854, option negotiation RFC 855) on TCP 23: the commands and option
 * negotiations (IAC WILL/WONT/DO/DONT, IAC SB ... IAC SE) are taken out of each
 * direction's data stream, whatever the segmentation. As in Suricata 8 the protocol is
 * detected and parsed but makes no records, keywords or events: the parse keeps the
 * negotiated options, the terminal type (RFC 1091) and window size (RFC 1073) per flow. */
#ifndef VG_APP_LAYER_TELNET_APP_LAYER_TELNET_H
#define VG_APP_LAYER_TELNET_APP_LAYER_TELNET_H

#include <stdbool.h>
#include <stdint.h>

#define TELNET_SB_MAX 64         // subnegotiation bytes kept (more are counted, dropped)
#define TELNET_TTYPE_MAX 40      // RFC 1010 terminal names are at most 40 characters

/* The parse of one direction: a byte-at-a-time state machine, so a command split over
 * segments parses the same. */
typedef struct TelnetDir {
    uint8_t state;               // internal
    uint8_t cmd;                 // WILL/WONT/DO/DONT waiting for its option
    uint8_t sb_opt;              // option of the subnegotiation in progress
    uint16_t sb_len;
    uint8_t sb[TELNET_SB_MAX];
    uint8_t will[32];            // options this side offered to enable (WILL), bitmap
    uint8_t do_[32];             // options this side asked the other to enable (DO)
    uint64_t n_data;             // application bytes (IAC IAC counts as one)
    uint32_t n_commands;         // IAC commands (negotiations, SB, NOP, AYT...)
    uint32_t n_invalid;          // IAC followed by a byte that is no command, SE outside SB
    uint32_t n_sb_overlong;      // subnegotiations longer than TELNET_SB_MAX
} TelnetDir;

typedef struct TelnetFlow {
    TelnetDir dir[2];            // APP_DIR_*
    char ttype[TELNET_TTYPE_MAX + 1];   // TERMINAL-TYPE IS, from the client ("" none)
    uint16_t naws_width;         // NAWS from the client (0: none)
    uint16_t naws_height;
} TelnetFlow;

/* Feeds len bytes of direction d. Never fails: anything is data or a command. */
void telnet_feed(TelnetFlow *tf, uint8_t d, const uint8_t *data, uint32_t len);
/* The option was last announced with WILL (will) / DO (do) by side d. */
bool telnet_will(const TelnetFlow *tf, uint8_t d, uint8_t opt);
bool telnet_do(const TelnetFlow *tf, uint8_t d, uint8_t opt);

#endif
