/* NTP (RFC 5905, and the control and private modes 6 and 7 of RFC 1305/9327 and ntpd) on
 * UDP 123: one tx per datagram, the header fields, malformed_data on what does not parse.
 * Suricata 8 parses NTP for its events only (no EVE record, no keywords): so does Vigil. */
#ifndef VG_APP_LAYER_NTP_APP_LAYER_NTP_H
#define VG_APP_LAYER_NTP_APP_LAYER_NTP_H

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define NTP_HEADER_LEN 48        // modes 1-5 (RFC 5905 figure 8)
#define NTP_CONTROL_LEN 12       // mode 6 header (RFC 9327 section 2)
#define NTP_PRIVATE_LEN 8        // mode 7 header (ntpd)

enum {
    NTP_MODE_SYM_ACTIVE = 1, NTP_MODE_SYM_PASSIVE = 2, NTP_MODE_CLIENT = 3,
    NTP_MODE_SERVER = 4, NTP_MODE_BROADCAST = 5, NTP_MODE_CONTROL = 6, NTP_MODE_PRIVATE = 7,
};

enum { NTP_EV_MALFORMED_DATA = 0, NTP_EV_N };
extern const char *const ntp_event_names[NTP_EV_N];

typedef struct NtpMessage {
    uint8_t leap;                // LI
    uint8_t version;             // VN, 1-4
    uint8_t mode;
    uint8_t stratum;             // modes 1-5
    int8_t poll;
    int8_t precision;
    uint32_t ref_id;
    uint8_t opcode;              // mode 6: the control opcode; mode 7: the request code
} NtpMessage;

/* One datagram: true and m filled when it is an NTP message of version 1-4 and mode 1-7
 * whose header (and, for mode 6, the data count) fits len. */
bool ntp_parse(const uint8_t *data, uint32_t len, NtpMessage *m);

typedef struct NtpTx {
    AppTx tx;                    // first
    uint8_t dir;                 // APP_DIR_* the datagram travelled
    bool is_valid;               // false: malformed_data raised, m unset
    NtpMessage m;
} NtpTx;

#endif
