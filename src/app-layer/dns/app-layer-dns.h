#ifndef VG_APP_LAYER_DNS_APP_LAYER_DNS_H
#define VG_APP_LAYER_DNS_APP_LAYER_DNS_H

/* DNS over UDP and TCP (RFC 1035, RFC 7766): internal to src/app-layer/dns and its
 * tests.
 *
 * A message is parsed whole into a DnsMessage: header, then every record of the four
 * sections with names decompressed (pointer-jump, label and length limits) and the rdata
 * of the common types decoded. Each message is one transaction (as Suricata 8 does): a
 * request tx lives in the toserver direction only, a response tx in the toclient
 * direction only, so neither waits for the other side and one-sided flows leave nothing
 * pending. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app-layer/app-layer-internal.h"

#define DNS_HEADER_LEN 12
#define DNS_NAME_MAX 1025        // longest name kept; longer ones are cut and flagged
#define DNS_MAX_JUMPS 255        // compression pointers followed per name
#define DNS_MAX_LABELS 255       // labels read per name
#define DNS_MAX_RECORDS 2048     // records kept per message (all sections)
#define DNS_POOL_MAX (1u << 20)  // decompressed bytes kept per message
#define DNS_TCP_MSG_MAX 65535    // length prefix is 16 bits

/* Header flag bits (RFC 1035 4.1.1, RFC 4035 3.1.6 for AD/CD). */
enum {
    DNS_F_QR = 0x8000,
    DNS_F_AA = 0x0400,
    DNS_F_TC = 0x0200,
    DNS_F_RD = 0x0100,
    DNS_F_RA = 0x0080,
    DNS_F_Z = 0x0040,
    DNS_F_AD = 0x0020,
    DNS_F_CD = 0x0010,
};

static inline uint8_t dns_opcode(uint16_t flags)
{
    return (uint8_t)((flags >> 11) & 0xf);
}

static inline uint8_t dns_rcode(uint16_t flags)
{
    return (uint8_t)(flags & 0xf);
}

/* Record types we decode (RFC 1035, 3596, 2782, 4255, 6891, 9460). */
enum {
    DNS_RR_A = 1,
    DNS_RR_NS = 2,
    DNS_RR_MD = 3,
    DNS_RR_MF = 4,
    DNS_RR_CNAME = 5,
    DNS_RR_SOA = 6,
    DNS_RR_MB = 7,
    DNS_RR_MG = 8,
    DNS_RR_MR = 9,
    DNS_RR_NULL = 10,
    DNS_RR_PTR = 12,
    DNS_RR_MX = 15,
    DNS_RR_TXT = 16,
    DNS_RR_AAAA = 28,
    DNS_RR_SRV = 33,
    DNS_RR_OPT = 41,
    DNS_RR_SSHFP = 44,
    DNS_RR_SVCB = 64,
    DNS_RR_HTTPS = 65,
};

/* Sections, in wire order. */
enum { DNS_SEC_QUERY = 0, DNS_SEC_ANSWER, DNS_SEC_AUTHORITY, DNS_SEC_ADDITIONAL, DNS_SEC_N };

/* Name flags. */
enum {
    DNS_NAME_F_TRUNCATED = 1u << 0,  // longer than DNS_NAME_MAX: cut there
    DNS_NAME_F_LOOP = 1u << 1,       // too many compression pointers (a loop)
    DNS_NAME_F_LABELS = 1u << 2,     // too many labels
};

/* A decompressed name: bytes at pool[off], len bytes, dot separated, no trailing dot. */
typedef struct DnsName {
    uint32_t off;
    uint16_t len;
    uint8_t flags;               // DNS_NAME_F_*
} DnsName;

/* How a record's rdata was decoded. */
enum {
    DNS_RD_NONE = 0,             // questions
    DNS_RD_RAW,                  // data: raw rdata bytes (other types, NULL, OPT, SVCB...)
    DNS_RD_ADDR,                 // data: 4 or 16 address bytes
    DNS_RD_NAME,                 // target (CNAME, NS, PTR, MD, MF, MB, MG, MR)
    DNS_RD_MX,                   // num[0] preference, target
    DNS_RD_SOA,                  // target mname, target2 rname, num[0..4]
    DNS_RD_SRV,                  // num[0] priority, num[1] weight, num[2] port, target
    DNS_RD_TXT,                  // data: the character-strings, each with its length byte
    DNS_RD_SSHFP,                // num[0] algorithm, num[1] fp type, data: fingerprint
};

typedef struct DnsRecord {
    DnsName name;
    uint16_t rrtype;
    uint16_t rrclass;
    uint32_t ttl;
    uint8_t section;             // DNS_SEC_*
    uint8_t rd_kind;             // DNS_RD_*
    DnsName target;
    DnsName target2;
    uint32_t num[5];
    uint32_t data_off;           // in pool
    uint32_t data_len;
} DnsRecord;

/* Message-level problems found while parsing (bit per event below). */
enum {
    DNS_EV_MALFORMED_DATA = 0,
    DNS_EV_NOT_REQUEST,
    DNS_EV_NOT_RESPONSE,
    DNS_EV_Z_FLAG_SET,
    DNS_EV_INVALID_OPCODE,
    DNS_EV_NAME_TOO_LONG,
    DNS_EV_INFINITE_LOOP,
    DNS_EV_TOO_MANY_LABELS,
    DNS_EV_INVALID_ADDITIONALS,
    DNS_EV_INVALID_AUTHORITIES,
    DNS_EV_TOO_MANY_RECORDS,
    DNS_EV_N,
};
extern const char *const dns_event_names[DNS_EV_N];

typedef struct DnsMessage {
    uint16_t id;
    uint16_t flags;
    uint16_t count[DNS_SEC_N];   // as the header claims
    uint16_t n_sec[DNS_SEC_N];   // records parsed per section
    DnsRecord *rr;               // n_rr records, sections in order
    uint32_t n_rr;
    uint32_t rr_cap;             // records allocated
    uint8_t *pool;               // names and rdata bytes
    uint32_t pool_len;
    uint32_t pool_cap;
    uint32_t events;             // bit per DNS_EV_*
    bool is_complete;            // every section parsed to its claimed count
    bool is_pool_full;           // DNS_POOL_MAX reached: later records dropped
} DnsMessage;

/* Parses one whole message (len bytes, no TCP length prefix). Returns 0 when the header
 * and every section parsed; VG_EINVAL when the message is malformed (what parsed before
 * the problem is kept, DNS_EV_MALFORMED_DATA set; less than a header keeps nothing);
 * VG_ENOMEM. On every return m owns its memory: release with dns_message_deinit. */
__attribute__((warn_unused_result)) int dns_message_parse(const uint8_t *data, uint32_t len,
                                                          DnsMessage *m);
void dns_message_deinit(DnsMessage *m);
/* Bytes a message holds beyond its struct (memcap accounting). */
size_t dns_message_mem(const DnsMessage *m);

/* First record of section sec, NULL when it has none. */
const DnsRecord *dns_message_section(const DnsMessage *m, uint8_t sec, uint32_t *n);

/* Name bytes of n in m. */
static inline const uint8_t *dns_name_bytes(const DnsMessage *m, const DnsName *n)
{
    return m->pool + n->off;
}

/* Probe: data (UDP payload, or TCP stream start when is_tcp) looks like a DNS message with
 * a plausible header and whole questions. APP_PROBE_* values. */
int dns_probe_message(const uint8_t *data, uint32_t len, bool is_tcp);

/* Names for EVE and rules. */
const char *dns_rrtype_name(uint16_t t);       // NULL for types without a name here
const char *dns_rcode_name(uint8_t rcode);     // NULL beyond the named ones
bool dns_rrtype_by_name(const char *name, uint16_t *t);  // any case; false if unknown

/* ---- transactions (app-layer-dns.c) ---- */

enum { DNS_PROG_NONE = 0, DNS_PROG_DONE = 1 };

typedef struct DnsTx {
    AppTx tx;                    // first member
    uint8_t dir;                 // APP_DIR_* the message travelled in
    bool has_msg;                // msg holds a parsed (maybe partial) message
    DnsMessage msg;
    uint32_t mem_bytes;          // charged for msg beyond the tx struct
} DnsTx;

/* Buffers (app-layer-dns-buffers.c). */
#define DNS_N_BUFFERS 14
extern const AppBufferDef dns_buffers[DNS_N_BUFFERS];
/* LLMNR (RFC 4795) runs the DNS parser as its own protocol: llmnr.* buffers. */
#define LLMNR_N_BUFFERS 9
extern const AppBufferDef llmnr_buffers[LLMNR_N_BUFFERS];
/* mDNS (RFC 6762) too: mdns.* buffers (Suricata 8's names). */
#define MDNS_N_BUFFERS 9
extern const AppBufferDef mdns_buffers[MDNS_N_BUFFERS];

/* EVE (app-layer-dns-log.c). */
typedef struct DnsLogCfg {
    uint8_t version;             // 2 or 3
    bool log_requests;
    bool log_responses;
    bool fmt_detailed;
    bool fmt_grouped;
    uint16_t types[32];          // rrtypes to log (types: [a, mx]); n_types 0: all
    uint32_t n_types;
} DnsLogCfg;
extern DnsLogCfg g_dns_log_cfg;
int dns_log_config(const struct Conf *conf);
/* The "dns" object of tx for alerts (version 3, detailed answers). */
void dns_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);
/* The same object under "llmnr" (LLMNR txs). */
void llmnr_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);
/* And under "mdns" (mDNS txs). */
void mdns_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);

#endif
