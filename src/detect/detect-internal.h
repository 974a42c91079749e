#ifndef VG_DETECT_DETECT_INTERNAL_H
#define VG_DETECT_DETECT_INTERNAL_H

/* Detection internals shared by src/detect/, its keywords and its tests.
 * Nothing here is for other subsystems: they use detect/detect.h. */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"
#include "runtime/runtime-profiling.h"

#define DETECT_ERR_MAX 256
#define DETECT_BYTE_VARS_MAX 8         // byte_extract/byte_math variables per rule
#define DETECT_RECURSION_LIMIT 3000    // inspection steps per rule and packet
#define DETECT_VAR_DEPTH_MAX 16        // $VAR nesting before we call it a loop

/* ---- address and port sets ---------------------------------------------- */

typedef unsigned __int128 DetectU128;

typedef struct DetectRange {
    DetectU128 lo;
    DetectU128 hi;                     // inclusive
} DetectRange;

/* A sorted set of disjoint, non-adjacent inclusive ranges. */
typedef struct DetectRangeSet {
    DetectRange *r;
    uint32_t n;
    uint32_t cap;
} DetectRangeSet;

typedef struct DetectAddrSet {
    DetectRangeSet v4;                 // keys 0 .. 2^32-1
    DetectRangeSet v6;
    bool is_any;
} DetectAddrSet;

typedef struct DetectPortSet {
    DetectRangeSet ports;              // keys 0 .. 65535
    bool is_any;
} DetectPortSet;

/* Variable resolution: returns the definition or NULL. */
typedef const char *(*DetectVarLookup)(const void *ctx, const char *name, bool is_port);

int detect_rangeset_add(DetectRangeSet *s, DetectU128 lo, DetectU128 hi);
void detect_rangeset_normalize(DetectRangeSet *s);
int detect_rangeset_complement(DetectRangeSet *s, DetectU128 max);
int detect_rangeset_union(DetectRangeSet *dst, const DetectRangeSet *src);
int detect_rangeset_subtract(DetectRangeSet *dst, const DetectRangeSet *src, DetectU128 max);
bool detect_rangeset_contains(const DetectRangeSet *s, DetectU128 key);
void detect_rangeset_free(DetectRangeSet *s);

/* Parse "any", "1.2.3.0/24", "[a,!b,[c,d]]", "$HOME_NET", "!x", ranges "a-b".
 * err gets the reason on failure. */
int detect_addr_parse(DetectAddrSet *out, const char *text, DetectVarLookup lookup,
                      const void *lookup_ctx, char *err, size_t errlen);
int detect_port_parse(DetectPortSet *out, const char *text, DetectVarLookup lookup,
                      const void *lookup_ctx, char *err, size_t errlen);
/* detect_addr_parse through a memo of the texts parsed so far (*memo: NULL at first, made
 * here; freed by detect_addr_memo_free): a text seen before gets a copy of its set, as
 * parsing it again would give while the variables stay the same (one rule set's load). */
typedef struct DetectAddrMemo DetectAddrMemo;
int detect_addr_parse_memo(DetectAddrMemo **memo, DetectAddrSet *out, const char *text,
                           DetectVarLookup lookup, const void *lookup_ctx, char *err,
                           size_t errlen);
void detect_addr_memo_free(DetectAddrMemo *memo);
bool detect_addr_match(const DetectAddrSet *s, const VgAddr *a);
bool detect_port_match(const DetectPortSet *s, uint16_t port);
void detect_addr_free(DetectAddrSet *s);
void detect_port_free(DetectPortSet *s);
/* The range-set key of an address (IPv4 in host order, IPv6 as 128 bits). */
DetectU128 detect_addr_key(const VgAddr *a);
/* Parse one IPv4/IPv6 address (no mask); true on success. */
bool detect_addr_parse_ip(const char *text, size_t len, VgAddr *out);

/* ---- variables ---------------------------------------------------------- */

typedef struct DetectVar {
    char *name;
    char *value;
    bool is_port;
} DetectVar;

typedef struct DetectVars {
    DetectVar *v;
    size_t n;
    const struct Conf *conf;           // consulted first when set
} DetectVars;

int detect_vars_set(DetectVars *vars, const char *name, const char *value, bool is_port);
int detect_vars_set_defaults(DetectVars *vars);
const char *detect_vars_lookup(const void *ctx, const char *name, bool is_port);
void detect_vars_free(DetectVars *vars);

/* ---- classification / reference ----------------------------------------- */

typedef struct DetectClass {
    char *name;
    char *msg;
    int priority;
} DetectClass;

typedef struct DetectRefSys {
    char *name;
    char *url;
} DetectRefSys;

/* ---- values that may come from byte_extract variables ------------------- */

typedef struct DetectValue {
    int64_t val;
    int8_t var;                        // -1: constant, else index of the byte variable
} DetectValue;

/* ---- signature ---------------------------------------------------------- */

enum {
    SIG_F_BIDIR = 1u << 0,
    SIG_F_NOALERT = 1u << 1,
    SIG_F_IPONLY = 1u << 2,
    SIG_F_PKTHDR = 1u << 3,             // pkthdr: any packet, even without IP
    SIG_F_TOSERVER = 1u << 4,           // from flow:to_server
    SIG_F_TOCLIENT = 1u << 5,
    SIG_F_HAS_PAYLOAD = 1u << 6,
    SIG_F_FLOWBITS_SET = 1u << 7,
    SIG_F_FLOWBITS_READ = 1u << 8,
    SIG_F_PRIORITY_SET = 1u << 9,
    SIG_F_TARGET_SRC = 1u << 10,
    SIG_F_TARGET_DST = 1u << 11,
    SIG_F_NEED_FLOW = 1u << 12,
    SIG_F_FP_ONLY = 1u << 13,           // fast_pattern:only (no re-check needed)
    SIG_F_PASS_ALERT = 1u << 14,        // 'alert' keyword: a pass rule also alerts
    SIG_F_IPV4_ONLY = 1u << 15,         // protocol ipv4 / ip4
    SIG_F_IPV6_ONLY = 1u << 16,         // protocol ipv6 / ip6
    SIG_F_ARP = 1u << 17,               // protocol arp: ARP packets only
    /* Set by the parser, read by detect_stream_classify. */
    SIG_F_PROTO_TCP_PKT = 1u << 18,     // header protocol "tcp-pkt"
    SIG_F_PROTO_TCP_STREAM = 1u << 19,  // header protocol "tcp-stream"
    SIG_F_FLOW_ONLY_STREAM = 1u << 20,  // flow:only_stream
    SIG_F_FLOW_NO_STREAM = 1u << 21,    // flow:no_stream
    /* Set by detect_stream_classify at build (detect-stream.c). */
    SIG_F_STREAM = 1u << 22,            // payload inspected on TCP stream views
    SIG_F_STREAM_ONLY = 1u << 23,       // ... and never on packet payloads
    SIG_F_PKT_TOO = 1u << 24,           // packet payloads too, even those added to the stream
    /* App layer (detect-app.c). */
    SIG_F_APP_TX = 1u << 25,            // inspects app-layer transactions (detect-tx.c), never
                                        // packets or stream views
    SIG_F_PD_ONLY = 1u << 26,           // app-layer-protocol and header keywords only: matches
                                        // on the packet that completed protocol detection
    SIG_F_FILESTORE = 1u << 27,         // filestore: store the matching tx's files
    SIG_F_TXBOTHDIR = 1u << 28,         // '=>' header: one tx, buffers of both directions,
                                        // decided once both sides can answer
    SIG_F_TLS_STORE = 1u << 29,         // tls.store: write the tx's certificate chain
    SIG_F_LIKE_IPONLY = 1u << 30,       // addresses, ports, flow state and flowbits set only:
                                        // its drop or pass applies to the whole flow
    SIG_F_FRAME = 1u << 31,             // frame: inspects app-layer frames (detect-frame.c);
                                        // set with SIG_F_APP_TX, out of the tx engine
};

/* Which list a keyword's context goes to. Lists from DETECT_LIST_BUF_FIRST
 * are payload chains over other buffers, selected by a sticky buffer keyword
 * (ipv4.hdr, tcp.hdr, ...); keywords appending to DETECT_LIST_PMATCH land in
 * the parser's current buffer. */
typedef enum DetectList {
    DETECT_LIST_MATCH = 0,             // packet/flow header checks
    DETECT_LIST_PMATCH,                // payload inspection chain (packet payload)
    DETECT_LIST_POST,                  // run after a match: flowbits set, ...
    DETECT_LIST_IPV4_HDR,              // the IPv4 header with options
    DETECT_LIST_IPV6_HDR,              // the fixed 40-byte IPv6 header
    DETECT_LIST_TCP_HDR,               // the TCP header with options
    DETECT_LIST_UDP_HDR,
    DETECT_LIST_ICMPV4_HDR,            // ICMPv4 header, its length depending on the type
    DETECT_LIST_ICMPV6_HDR,
    DETECT_LIST_IP_SRC,                // ip.src: the packet's source address (4 or 16 bytes)
    DETECT_LIST_IP_DST,                // ip.dst; both also inspected beside app-layer buffers
    DETECT_LIST_FILE_NAME,             // file.name / filename / fileext: a tx file's name
    DETECT_LIST_FILE_MAGIC,            // file.magic / filemagic: its libmagic description
    DETECT_LIST_BASE64,                // base64_data: what the list's base64_decode decoded
    DETECT_LIST_MAX,
} DetectList;

#define DETECT_LIST_HDR_LAST DETECT_LIST_ICMPV6_HDR

#define DETECT_LIST_BUF_FIRST DETECT_LIST_IPV4_HDR
/* Lists from here on are app-layer buffers: DETECT_LIST_APP_FIRST + the index of
 * the buffer name in detect-app.c's table, built at start-up from the app-layer
 * buffer registry (one list per registered buffer name, not one enum each). A
 * signature holds only the app lists it uses (Signature.app). */
#define DETECT_LIST_APP_FIRST DETECT_LIST_MAX
/* A transform after a keyword of a buffer starts a new instance of it (Suricata's
 * semantics): list = DETECT_LIST_APP_FIRST + variant * STRIDE + name index. */
#define DETECT_APP_VARIANT_STRIDE 1024

/* Payload-chain lists: the packet payload and the sticky buffers. */
static inline bool detect_list_is_payload(int list)
{
    return list == DETECT_LIST_PMATCH || list >= DETECT_LIST_BUF_FIRST;
}

/* Payload element kinds understood by the inspection engine. */
typedef enum DetectPmType {
    DETECT_PM_CONTENT = 1,
    DETECT_PM_PCRE,
    DETECT_PM_ISDATAAT,
    DETECT_PM_BYTETEST,
    DETECT_PM_BYTEJUMP,
    DETECT_PM_BYTEEXTRACT,
    DETECT_PM_BYTEMATH,
    DETECT_PM_BSIZE,                   // buffer length check (bsize, urilen): DetectUint ctx
    DETECT_PM_DATASET,                 // whole-buffer set check (dataset, datarep): DetectDatasetCtx
    DETECT_PM_BASE64,                  // base64_decode: DetectBase64 ctx
    DETECT_PM_PLUGIN,                  // a plugin keyword on the buffer: DetectPluginCtx
    DETECT_PM_ASN1,                    // asn1: DetectAsn1 (detect-asn1.h)
} DetectPmType;

struct DetectThread;
struct DetectKeyword;

typedef struct DetectMatch {
    const struct DetectKeyword *kw;
    void *ctx;
    uint8_t pm_type;                   // DetectPmType for the payload list, else 0
} DetectMatch;

typedef struct DetectMatchList {
    DetectMatch *m;
    uint16_t n;
    uint16_t cap;
} DetectMatchList;

typedef struct DetectThresholdSpec {
    uint8_t type;                      // DETECT_THR_*
    uint8_t track;                     // DETECT_TRACK_*
    uint32_t count;
    uint32_t seconds;
    /* rate_filter */
    uint8_t new_action;
    uint32_t timeout;
    uint32_t multiplier;               // backoff
    uint8_t unique_on;                 // detection_filter: DETECT_UNIQUE_*
} DetectThresholdSpec;

enum { DETECT_THR_NONE = 0, DETECT_THR_LIMIT, DETECT_THR_THRESHOLD, DETECT_THR_BOTH,
       DETECT_THR_DETECTION_FILTER, DETECT_THR_RATE, DETECT_THR_BACKOFF };
enum { DETECT_TRACK_SRC = 0, DETECT_TRACK_DST, DETECT_TRACK_RULE, DETECT_TRACK_BOTH,
       DETECT_TRACK_EITHER, DETECT_TRACK_FLOW };
/* detection_filter unique_on: count distinct ports instead of matches. */
enum { DETECT_UNIQUE_NONE = 0, DETECT_UNIQUE_SRC_PORT, DETECT_UNIQUE_DST_PORT };

typedef struct DetectContent DetectContent;

/* Kinds of packet prefilter scans (DetectEngine.pf, detect-build.c). */
enum { DETECT_PF_ALL = 0, DETECT_PF_VIEW, DETECT_PF_TCP_ADDED, DETECT_PF_UDP, DETECT_PF_KINDS };

/* One app-layer buffer list of a signature. */
#define DETECT_XFORM_MAX 8

/* Transforms of a buffer (keywords/detect-kw-transform.c), applied in order. */
/* absent: the buffer must not exist (ONLY), or the list's keywords hold when it does
 * (OR_ELSE). */
enum { DETECT_ABSENT_NONE = 0, DETECT_ABSENT_ONLY, DETECT_ABSENT_OR_ELSE };

enum { DETECT_XF_URL_DECODE = 1, DETECT_XF_TO_LOWER, DETECT_XF_TO_UPPER, DETECT_XF_STRIP_WS,
       DETECT_XF_COMPRESS_WS, DETECT_XF_DOTPREFIX, DETECT_XF_FROM_BASE64, DETECT_XF_PCREXFORM,
       DETECT_XF_ZLIB_DEFLATE, DETECT_XF_XOR, DETECT_XF_SUBSLICE, DETECT_XF_GUNZIP,
       DETECT_XF_TO_MD5, DETECT_XF_TO_SHA1, DETECT_XF_TO_SHA256 };
#define DETECT_ZLIB_MAX_DEFAULT 1024u              // zlib_deflate output without max-size
#define DETECT_ZLIB_MAX_LIMIT (16u * 1024u * 1024u) // the largest max-size
enum { DETECT_B64_RFC4648 = 0, DETECT_B64_RFC2045, DETECT_B64_STRICT };

typedef struct DetectXformArg {
    uint32_t offset;                   // from_base64: where decoding starts
    uint32_t bytes;                    // from_base64: input bytes decoded, 0 = to the end
    uint8_t mode;                      // from_base64: DETECT_B64_*
    uint32_t max_size;                 // zlib_deflate, gunzip: output bytes at most
    void *re;                          // pcrexform: pcre2_code *, owned by DetectSigApp.xf_res
    const uint8_t *key;                // xor: fixed key (DetectSigApp.xf_keys owns it), or NULL:
    uint32_t key_len;                  // the key_len bytes at key_at of the buffer, xored from
    uint32_t key_at;                   // offset on
    int32_t start;                     // subslice: from the end when negative
    uint32_t length;                   // subslice: 0 = to the end
    bool has_length;
    bool truncate;                     // subslice: clamp to the buffer instead of emptying it
} DetectXformArg;

typedef struct DetectAppList {
    uint16_t list;                     // DETECT_LIST_APP_FIRST + buffer name index
    int16_t row[2];                    // registry row per APP_DIR_* for the rule's protocol, -1
    int16_t row_h2[2];                 // HTTP/2 rows of an http rule's buffer (also_http2), -1
    uint8_t xform[DETECT_XFORM_MAX];   // DETECT_XF_*, before the list's keywords
    DetectXformArg *xarg;              // DETECT_XFORM_MAX, allocated with the first transform
                                       // (most lists have none), else NULL
    uint8_t n_xform;
    uint8_t absent;                    // DETECT_ABSENT_*: the absent keyword on this buffer
    uint8_t only_dir;                  // 0, or 1 + APP_DIR_*: named with a direction
                                       // (http.header: to_client), only that side's buffer
    DetectMatchList ml;
} DetectAppList;

/* App-layer part of a signature (detect-app.c), NULL for others. */
typedef struct DetectSigApp {
    DetectAppList *lists;
    uint16_t n_lists;
    uint8_t dirs;                      // bit per APP_DIR_*: directions the tx rule is inspected in
    bool is_mixed;                     // buffers of both directions: decided on the response side
    bool is_per_dir;                   // both directions, each alerting once (DETECT_KW_TX_PER_DIR)
    uint32_t tx_idx;                   // dense index among tx rules (engine build)
    DetectMatchList tx_ml;             // tx keywords (app-layer-event, ...): kw->tx_match
    DetectMatchList file_ml;           // file keywords (filename, filemd5, ...): kw->file_match,
                                       // all on one file of the tx
    uint8_t file_dirs;                 // directions whose files the file keywords look at
    uint8_t file_dir_only;             // bit per APP_DIR_*: file keywords given a direction
                                       // (filesize: to_client, <100)
    void **xf_res;                     // pcrexform regexes (pcre2_code *) the lists' transform
    uint16_t n_xf_res;                 // arguments point at: freed with the signature
    uint8_t **xf_keys;                 // xor keys, the same way
    uint16_t n_xf_keys;
    bool also_http2;                   // an http rule whose buffers HTTP/2 has too: inspected on
                                       // HTTP/2 txs as well (row_h2), as Suricata's http
    bool also_smb;                     // a dcerpc rule also inspected on SMB txs (DCERPC on
                                       // named pipes; SMB rows in row_h2)
    bool has_frame;                    // frame keyword: its lists are the frame's bytes
    uint16_t frame_type;               // global frame type id (app-layer-frame.h)
} DetectSigApp;

typedef struct Signature {
    uint32_t sid;
    uint32_t gid;
    uint32_t rev;
    uint32_t num;                      // order in the engine (alert ordering)
    uint32_t load_idx;                 // order of appearance
    uint8_t action;                    // DetectAction
    uint32_t flags;                    // SIG_F_*
    int priority;
    char *msg;
    const DetectClass *cls;
    DetectMetadata *meta;
    uint16_t n_meta;
    char *file;                        // interned by the engine, not owned
    int line;
    uint8_t protos[32];                // bitmap of IP protocols (pkthdr: all)
    DetectAddrSet src;
    DetectAddrSet dst;
    DetectPortSet sp;
    DetectPortSet dp;
    DetectMatchList lists[DETECT_LIST_MAX];
    const DetectContent *fp;           // the fast pattern (NULL: always inspect)
    uint8_t n_byte_vars;
    char *byte_var_names[DETECT_BYTE_VARS_MAX];
    DetectThresholdSpec *threshold;    // threshold / detection_filter keyword
    uint16_t dsize_min;                // for the prefilter and 'only' checks
    uint16_t alproto;                  // AppProto from the header or buffers, 0 = any
    DetectSigApp *app;                 // app-layer lists and tx state, NULL if none
    char *text;                        // the rule as loaded (keep_rule_text), else NULL
    char **refs;                       // references, URL prefix applied (keep_references)
    uint16_t n_refs;
    uint8_t scope;                     // DETECT_SCOPE_*: 'drop:flow' style action scope
    struct DetectFwSig *fw;            // firewall rule (detect-firewall.c), NULL for TD rules
} Signature;

/* Action scope written after a threat-detection rule's action (`drop:flow`,
 * `pass:packet`); AUTO: decided by what the rule matched (detect_on_match). */
enum { DETECT_SCOPE_AUTO = 0, DETECT_SCOPE_PACKET, DETECT_SCOPE_FLOW };

/* ---- parser context handed to keyword setup ----------------------------- */

typedef struct DetectEngine DetectEngine;

typedef struct DetectParser {
    DetectEngine *de;
    Signature *s;
    char err[DETECT_ERR_MAX];
    /* Last payload element that relative modifiers refer to. */
    int last_pm;                       // index in lists[pm_list], -1 if none
    uint16_t pm_list;                  // where payload keywords go (sticky buffer)
    /* List of the last payload element placed anywhere (content moved by a legacy
     * modifier included): relative pcre, byte_* and isdataat outside a sticky buffer follow
     * it, as Suricata's do. */
    uint16_t last_list;
    bool is_http1_only;                // the header said http1: no HTTP/2 txs (also_http2)
    bool is_firewall;                  // parsing a firewall rule (detect-firewall.c)
} DetectParser;

/* Narrows [*s, *s + *len) past leading spaces and tabs and trailing spaces, tabs and CRs. */
void detect_trim_span(const char **s, size_t *len);

/* Records the reason a rule fails; returns VG_EINVAL for `return detect_err(...)`. */
int detect_err(DetectParser *dp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int detect_err_unsupported(DetectParser *dp, const char *what);
/* Appends a keyword context to a list; takes ownership of ctx on every path. */
int detect_append(DetectParser *dp, DetectList list, const struct DetectKeyword *kw, void *ctx,
                  uint8_t pm_type);
/* The last content of the current payload list, NULL if none. */
DetectContent *detect_last_content(DetectParser *dp);
/* Looks up a byte variable by name; -1 if unknown. */
int detect_byte_var_find(const Signature *s, const char *name);
/* Parses an integer or (if allow_var) a byte variable name. */
int detect_parse_value(DetectParser *dp, const char *text, bool allow_var, int64_t min,
                       int64_t max, DetectValue *out);

/* ---- keyword descriptor ------------------------------------------------- */

struct AppTx;
struct AppFile;
struct Flow;
typedef struct DetectTxEngine DetectTxEngine;

enum {
    DETECT_KW_NOOPT = 1u << 0,         // takes no value
    DETECT_KW_OPTIONAL = 1u << 1,      // value optional
    DETECT_KW_RAW_VALUE = 1u << 2,     // value handed over unquoted/unescaped as written
    DETECT_KW_TX_PER_DIR = 1u << 3,    // tx keyword inspected in each direction on its own
                                       // (ssl_version, ssl_state): a rule of only such keywords
                                       // alerts once per direction of a tx, as Suricata's
    DETECT_KW_PACKET = 1u << 4,        // about one packet (flags, ttl, ...): the rule's payload
                                       // keywords look at packet payloads too, even those
                                       // added to the stream (Suricata's "requires packet")
};

typedef struct DetectKeyword {
    const char *name;
    const char *desc;
    uint32_t flags;
    /* Parse arg (NULL for no value) into s; returns 0 or VG_E* with dp->err set. */
    int (*setup)(DetectParser *dp, const char *arg);
    /* Header/post keyword: does the packet match? Post keywords act. */
    bool (*match)(struct DetectThread *dt, Packet *p, const Signature *s, const void *ctx);
    void (*free)(void *ctx);
    /* Tx keyword (Signature.app->tx_ml): does transaction tx of f match, inspected in
     * direction dir? Caller holds f->lock. */
    bool (*tx_match)(struct DetectThread *dt, const struct Flow *f, const struct AppTx *tx,
                     uint8_t dir, const void *ctx);
    /* File keyword (Signature.app->file_ml): does file match? final: the file is
     * complete, a no now stays a no. Sets *is_final false when more data may change
     * the answer. */
    bool (*file_match)(struct DetectThread *dt, const struct AppFile *file, const void *ctx,
                       bool *is_final);
    /* Keywords of plugins (keywords/detect-kw-plugin.c): the plugin's descriptor; setup
     * is then detect_plugin_setup. NULL for built-ins. */
    const struct VgKeyword *plugin;
} DetectKeyword;

/* A plugin keyword's context: its descriptor and the plugin's own context. */
typedef struct DetectPluginCtx {
    const struct VgKeyword *kd;
    void *ctx;
} DetectPluginCtx;
int detect_plugin_setup(DetectParser *dp, const DetectKeyword *kw, const char *arg);
/* Payload element: does the plugin keyword match buf? */
bool detect_plugin_match_buffer(const DetectPluginCtx *pc, const uint8_t *buf, uint32_t len);

extern const DetectKeyword *const detect_keywords[];
extern const size_t detect_n_keywords;
const DetectKeyword *detect_keyword_find(const char *name);

/* ---- payload keyword contexts (inspection engine reads these) ----------- */

enum {
    DETECT_CONTENT_NOCASE = 1u << 0,
    DETECT_CONTENT_NEGATED = 1u << 1,
    DETECT_CONTENT_RELATIVE = 1u << 2,  // distance or within present
    DETECT_CONTENT_DISTANCE = 1u << 3,
    DETECT_CONTENT_WITHIN = 1u << 4,
    DETECT_CONTENT_OFFSET = 1u << 5,
    DETECT_CONTENT_DEPTH = 1u << 6,
    DETECT_CONTENT_FAST_PATTERN = 1u << 7,
    DETECT_CONTENT_FP_ONLY = 1u << 8,
    DETECT_CONTENT_FP_CHOP = 1u << 9,
    DETECT_CONTENT_STARTSWITH = 1u << 10,
    DETECT_CONTENT_ENDSWITH = 1u << 11,
    DETECT_CONTENT_RAWBYTES = 1u << 12,
    DETECT_CONTENT_RELATIVE_NEXT = 1u << 13, // a later element is relative to this one
};

struct DetectContent {
    uint8_t *pat;
    uint16_t len;
    uint32_t flags;
    DetectValue offset;
    DetectValue depth;                 // stored as given; end = offset + depth
    DetectValue distance;
    DetectValue within;
    uint16_t fp_off;                   // fast_pattern:off,len chop
    uint16_t fp_len;
    uint32_t fp_id;                    // pattern id in the group prefilter
};

/* Generic relative flag shared by the other payload elements. */
enum { DETECT_PM_F_RELATIVE = 1u << 0, DETECT_PM_F_NEGATED = 1u << 1,
       DETECT_PM_F_RELATIVE_NEXT = 1u << 2 };

/* base64_decode (keywords/detect-kw-base64.c). */
#define DETECT_B64_MAX 65535u          // decoded bytes at most
typedef struct DetectBase64 {
    uint32_t flags;                    // DETECT_PM_F_RELATIVE, _RELATIVE_NEXT
    uint32_t bytes;                    // input bytes decoded at most, 0 = the rest
    uint32_t offset;
} DetectBase64;
/* Suricata's RFC 4648 base64_decode of in into out; returns the bytes written. */
uint32_t detect_base64_decode(const uint8_t *in, uint32_t len, uint8_t *out, uint32_t out_size);

typedef struct DetectIsdataat {
    DetectValue pos;
    uint32_t flags;
} DetectIsdataat;

/* A capture of a pcre stored in a variable when the rule matches:
 * "/re/, flow:NAME, pkt:NAME, alert:NAME" (capture 1, 2, ...) or named
 * groups (?P<flow_NAME>...). */
#define DETECT_PCRE_VARS_MAX 8
typedef struct DetectPcreVar {
    uint8_t kind;                      // DETECT_VAR_*
    uint8_t capture;                   // group number, >= 1
    char *name;
} DetectPcreVar;

typedef struct DetectPcre {
    void *code;                        // pcre2_code *
    uint32_t flags;
    uint32_t ovec_pairs;
    uint8_t n_vars;
    DetectPcreVar vars[DETECT_PCRE_VARS_MAX];
} DetectPcre;

/* A capture (pcre, or a datajson object for alert.context) waiting for its
 * rule to match (committed by detect_on_match). */
#define DETECT_VARS_PENDING_MAX 16
typedef struct DetectVarPending {
    const Signature *s;
    const DetectPcreVar *var;
    uint16_t len;
    uint8_t value[DETECT_VAR_VALUE_MAX];
} DetectVarPending;

enum { DETECT_BYTE_BIG = 0, DETECT_BYTE_LITTLE, DETECT_BYTE_DCE };
enum { DETECT_BYTE_BIN = 0, DETECT_BYTE_HEX, DETECT_BYTE_DEC, DETECT_BYTE_OCT };

enum {
    DETECT_BYTE_F_RELATIVE = 1u << 0,
    DETECT_BYTE_F_STRING = 1u << 1,
    DETECT_BYTE_F_BEGIN = 1u << 2,     // byte_jump from_beginning
    DETECT_BYTE_F_END = 1u << 3,       // byte_jump from_end
    DETECT_BYTE_F_NEGATE = 1u << 4,    // byte_test !op
    DETECT_BYTE_F_ALIGN = 1u << 5,
    DETECT_BYTE_F_BITMASK = 1u << 6,
    DETECT_BYTE_F_RELATIVE_NEXT = 1u << 7,
    DETECT_BYTE_F_STRING_ALL = 1u << 8, // byte_test 0,...,string: every digit from the offset
};

enum { DETECT_OP_LT = 0, DETECT_OP_GT, DETECT_OP_EQ, DETECT_OP_AND, DETECT_OP_OR,
       DETECT_OP_LE, DETECT_OP_GE, DETECT_OP_XOR, DETECT_OP_NE };
enum { DETECT_MATH_ADD = 0, DETECT_MATH_SUB, DETECT_MATH_MUL, DETECT_MATH_DIV,
       DETECT_MATH_SHL, DETECT_MATH_SHR };

typedef struct DetectByte {
    uint8_t nbytes;
    uint8_t endian;
    uint8_t base;
    uint8_t op;                        // byte_test operator / byte_math operator
    uint32_t flags;
    DetectValue offset;
    DetectValue value;                 // byte_test value / byte_math rvalue
    int64_t post_offset;               // byte_jump
    uint32_t multiplier;               // byte_jump / byte_extract
    uint32_t bitmask;
    uint8_t bitmask_shift;
    uint8_t align;                     // byte_extract align 2/4
    int8_t result_var;                 // byte_extract/byte_math: variable written
    int8_t nbytes_var;                 // -1, else the byte variable holding nbytes
} DetectByte;

/* Extraction shared by byte_* keywords: reads nbytes at buf+off. False when
 * out of bounds or not a number. *consumed gets the bytes read. */
bool detect_byte_read(const DetectByte *b, const uint8_t *buf, uint32_t len, int64_t off,
                      uint64_t *out);

/* ---- engine ------------------------------------------------------------- */

/* Largest rule, classification or threshold file read by default
 * (detect.rule-file-max-size overrides it for rule files). */
#define DETECT_FILE_MAX ((size_t)256 << 20)

/* Distinct refusal reasons counted for the summary after loading. */
#define DETECT_REFUSAL_REASONS_MAX 128

typedef struct DetectRefusal {
    char reason[96];                   // the parser's message ("unsupported keyword 'x'")
    uint32_t count;
} DetectRefusal;

/* A classification or threshold line holding binary bytes: warns naming
 * name:line and returns true (the caller skips the line). */
bool detect_aux_line_is_binary(const char *l, size_t len, const char *name, int line,
                               const char *what);

/* PCRE2 limits per match call (Suricata's pcre.match-limit defaults). */
#define DETECT_PCRE_MATCH_LIMIT 3500
#define DETECT_PCRE_DEPTH_LIMIT 1500

typedef struct DetectPrefilter DetectPrefilter;

typedef struct DetectGroup {
    uint32_t *sigs;                    // signature nums, ascending
    uint32_t n_sigs;
    uint32_t *nofp;                    // subset without fast pattern (always inspected)
    uint32_t n_nofp;
    uint8_t *fp_member;                // n_sigs bits: members whose fast pattern prefilters
    uint32_t refs;                     // tables pointing at it (dedup)
} DetectGroup;

typedef struct DetectThresholdTable DetectThresholdTable;
typedef struct DetectHostbitTable DetectHostbitTable;
typedef struct DetectTagTable DetectTagTable;

typedef struct DetectThresholdRule {
    uint32_t gid;
    uint32_t sid;                      // 0 = all sids of gid
    uint8_t kind;                      // DETECT_TCFG_*
    DetectThresholdSpec spec;
    DetectAddrSet suppress_addr;       // suppress with ip
    bool has_addr;
} DetectThresholdRule;

enum { DETECT_TCFG_THRESHOLD = 0, DETECT_TCFG_SUPPRESS, DETECT_TCFG_RATE };

/* A refused rule as kept for ruleset-failed-rules (file is interned). */
struct DetectFailedKept {
    const char *file;
    int line;
    uint32_t sid;
    bool unsupported;
    char *reason;
    char *text;
};

struct DetectEngine {
    DetectVars vars;
    DetectAddrMemo *addr_memo;         // rule headers' addresses while loading (detect-addr.c)
    DetectClass *classes;
    size_t n_classes;
    DetectRefSys *refsys;
    size_t n_refsys;
    Signature **sigs;                  // by num once built, else by load order
    uint32_t n_sigs;
    uint32_t cap_sigs;
    uint32_t loaded;
    uint32_t failed;                   // rules refused, unsupported ones included
    uint32_t unsupported;              // of failed: unsupported protocol or keyword
    uint32_t skipped;                  // rules whose `requires` are not met (not failed)
    uint32_t n_conflicts;              // rules refused because the config disables what they
                                       // need (hassh): start-up fails
    DetectRefusal refusals[DETECT_REFUSAL_REASONS_MAX];  // unsupported, by reason
    size_t n_refusals;
    uint32_t n_refusals_other;         // refusals beyond the table
    uint32_t n_files_failed;           // rule files that could not be read
    struct DetectFailedKept *failed_kept;  // the first DETECT_FAILED_KEEP refusals
    uint32_t n_failed_kept;
    uint32_t cap_failed_kept;
    size_t file_max_bytes;             // rule file size bound (0: DETECT_FILE_MAX)
    char **files;                      // interned file names
    size_t n_files;
    char **flowbit_names;              // flowbit index -> name
    uint32_t n_flowbits;
    char **flowint_names;
    uint32_t n_flowints;
    DetectThresholdRule *tcfg;
    size_t n_tcfg;
    DetectThresholdTable *thr;         // runtime state, own lock
    DetectHostbitTable *hostbits;      // hostbits/xbits state and names, own lock
    DetectTagTable *tags;              // tag:host state, own lock
    bool has_tags;                     // some rule uses tag: check packets for tags
    bool has_host_tags;                // some rule uses tag:host
    bool shares_state;                 // some rule reads or writes state shared across
                                       // flows (detect_engine_shares_state)
    bool has_app_pkt_rules;            // PD-only or flow-level app-layer-event rules exist
    uint8_t guess_tx;                  // DETECT_GUESS_F_*: alerts of packet/stream rules may
                                       // log a tx (detect-flowstate.c)
    uint8_t stream_tx_log_limit;       // detect.stream-tx-log-limit: such alerts per tx
    bool ds_allow_absolute;            // datasets.rules.allow-absolute-filenames
    char ds_data_dir[4096];            // data-dir: rule save/state files; "" = the rule file's directory
    bool ds_allow_write;               // datasets.rules.allow-write
    struct DetectIprep *iprep;         // IP reputation, NULL when not configured
    bool is_built;
    bool keep_rule_text;               // Signature.text for EVE alert.rule
    bool keep_references;              // Signature.refs for EVE alert.references
    bool has_pcre_vars;                // some pcre stores captures in variables
    int action_rank[8];                // DetectAction -> order (lower first)
    uint16_t alerts_max;
    int mpm_algo;                      // DETECT_MPM_*
    /* groups */
    DetectGroup **groups;
    uint32_t n_groups;
    /* Prefilters over the fast patterns of the grouped signatures (ids are
     * signature nums), one per packet direction: [0] for packets to the
     * server, without the rules whose first check is flow:to_client, [1] the
     * other way. A buffer is scanned once (both for a packet without a
     * direction), then each of the packet's groups keeps the hits that are
     * its members.
     * Per kind of scan (DETECT_PF_*), each holding only the rules that can be
     * inspected on such a scan: a stream view ([VIEW]: stream rules), the
     * payload of a TCP packet whose segment went into the stream ([TCP_ADDED]:
     * TCP rules that are not stream rules or also inspect packets, see
     * detect_stream_pkt_allowed), of a UDP packet ([UDP]: UDP rules), and any
     * other payload ([ALL]). */
    DetectPrefilter *pf[DETECT_PF_KINDS][2];
    DetectTxEngine *tx;                // per-buffer prefilters of tx rules (detect-tx.c)
    struct DetectFrameEngine *frames;  // frame rules by frame type (detect-frame.c)
    struct DetectFw *fw;               // firewall mode: its rules and policies, else NULL
    uint64_t build_gen;                // unique per built engine (tx states name their set)
    uint16_t *tcp_dp, *tcp_sp, *udp_dp, *udp_sp;  // port -> group index + 1 (0: none)
    uint16_t tcp_any, udp_any;         // group index + 1 of rules with any ports
    uint16_t proto_group[256];         // other protocols (incl. pkthdr rules) -> index + 1
    DetectGroup *nonip;                // pkthdr rules for packets without IP
    uint32_t max_pcre_pairs;
    uint32_t n_nofp_total;             // distinct rules without a fast pattern in some group
    uint32_t *iponly_sigs;             // nums of IP-only rules, ascending
    uint32_t n_iponly;
    struct DetectIpOnly *iponly;       // address index over iponly_sigs
    /* (gid << 32 | sid) -> index in sigs, while loading (duplicate check) */
    uint64_t *sid_keys;
    uint32_t *sid_vals;
    uint32_t sid_cap;
    uint32_t sid_n;
    /* Optional observer of bad rules (tests, -T summaries). */
    void (*on_bad_rule)(void *ctx, const char *file, int line, uint32_t sid, const char *why);
    void *on_bad_rule_ctx;
};

enum { DETECT_MPM_AUTO = 0, DETECT_MPM_AC, DETECT_MPM_HS };

typedef struct DetectThread {
    const DetectEngine *de;
    CounterSet *counters;
    CounterSet *own_counters;          // when none was given
    uint32_t *cand;                    // candidate nums (size n_sigs)
    uint32_t n_cand;
    uint8_t *cand_seen;                // dedupe bitmap (n_sigs bits)
    void *pcre_md;                     // pcre2_match_data *
    void *pcre_mc;                     // pcre2_match_context * (step and depth limits)
    int64_t byte_vars[DETECT_BYTE_VARS_MAX];
    uint32_t recursion;
    bool recursion_hit;
    void *pf_scratch;                  // prefilter scratch
    uint32_t *pf_hits;                 // nums whose fast pattern the last scan found (n_sigs)
    uint32_t n_pf_hits;
    CounterId c_alerts;
    CounterId c_alert_overflow;      // detect.alert_queue_overflow: beyond packet-alert-max
    CounterId c_recursion;
    CounterId c_nofp;
    CounterId c_inspected;
    CounterId c_thr_bitmap_memuse;
    CounterId c_thr_bitmap_fail;
    CounterId c_tag_refused;           // detect.tag_host_refused: host tag table full
    /* Stream inspection (detect-stream.c). */
    bool stream_insp;                  // inspecting a stream view (flow:only_stream)
    uint32_t min_match_end;            // a payload match must end at or after this offset
    uint32_t anchor_base;              // where offset/depth count from (a view's new data)
    uint8_t alert_flags;               // PACKET_ALERT_F_* for alerts being added
    uint8_t *stream_hit;               // sigs that matched this packet's stream view (n_sigs bits)
    uint32_t *stream_hit_list;         // their nums, to clear the bitmap
    uint32_t n_stream_hit;
    /* App layer (detect-tx.c, detect-flowstate.c). */
    uint64_t alert_tx_id;              // tx of alerts being added (PACKET_ALERT_F_TX)
    uint8_t pd_done;                   // bit per APP_DIR_*: protocol detection ended on this packet
    bool fw_td_skip;                   // a firewall rule's pass:packet: no TD rules this packet
    bool fw_in_app;                    // evaluating the app:filter tables
    CounterId c_fw_discarded;          // firewall.discarded_alerts (firewall mode)
    uint32_t flow_events_from;         // flow-level app events from this index are new
    struct DetectTxThread *tx;         // tx inspection scratch
    struct DetectFrameThread *frame;   // frame inspection scratch (detect-frame.c), lazily
    struct ProfRuleStat *prof_rules;   // per rule num (n_sigs): profiling.rules only, else NULL
    Packet *fe_pkt;                    // flow-end pseudo packet (detect_flow_end), kept
    uint64_t prof_rule_ticks;          // rule check ticks not yet charged to the stage
    uint64_t prof_rule_checks;
    struct AppTx *cur_tx;              // tx whose rules are being evaluated (xbits track tx),
                                       // NULL outside tx inspection
    uint8_t *b64;                      // base64_decode output (DETECT_B64_MAX), made on first use
    /* Actions of this packet, resolved in rule order when it is done
     * (detect_packet): a pass ordered before every drop cancels them. */
    uint32_t pass_num;                 // lowest num of a matching pass (UINT32_MAX: none)
    uint32_t drop_num;                 // lowest num of a matching drop/reject (UINT32_MAX: none)
    bool pass_to_flow;                 // that pass's scope is the flow
    /* pcre captures of rules being inspected (detect-flowstate.c commits them) */
    uint32_t n_vars_pending;
    DetectVarPending vars_pending[DETECT_VARS_PENDING_MAX];
} DetectThread;

/* detect-inspect.c: full payload chain of list over buf; true when it matches. */
bool detect_inspect_payload(DetectThread *dt, const Signature *s, int list, const uint8_t *buf,
                            uint32_t len);
/* detect-buffers.c: the bytes a sticky buffer list inspects in p; false when
 * the packet has no such header. */
bool detect_buffer_get(const Packet *p, int list, const uint8_t **buf, uint32_t *len);
/* detect-packet.c: header + match list + payload for one signature (timed
 * per rule under profiling.rules). */
bool detect_sig_match(DetectThread *dt, Packet *p, const Signature *s);

/* Profiling: one check of s that started at t0 (prof_ticks). Rules outside
 * dt->de->sigs (firewall tables) are not counted. */
static inline void detect_prof_rule(DetectThread *dt, const Signature *s, uint64_t t0,
                                    bool is_match)
{
    if (dt->prof_rules != NULL && s->num < dt->de->n_sigs && dt->de->sigs[s->num] == s) {
        dt->prof_rule_ticks += prof_rule_check(&dt->prof_rules[s->num], t0, is_match);
        dt->prof_rule_checks++;
    }
}
/* Charges the rule time gathered since the last call to the current stage. */
void detect_prof_flush(DetectThread *dt);

/* detect-packet.c: the candidate rules for p (groups, prefilter over p->payload,
 * IP-only rules) into dt->cand, ascending. */
void detect_collect(DetectThread *dt, const Packet *p);
/* Applies a matched rule (post keywords, threshold, action, alert with
 * dt->alert_flags); returns true when inspection must stop (pass). */
bool detect_on_match(DetectThread *dt, Packet *p, PacketAlerts *pa, const Signature *s);
/* The packet's actions once all its matches are in (detect-packet.c): a pass ordered
 * before every drop cancels them and the alerts after it; a flow-scoped pass passes the
 * flow. Also for the flow-end pseudo packets (detect-stream.c). */
void detect_resolve_actions(DetectThread *dt, Packet *p, PacketAlerts *pa);

/* detect-stream.c: stream-aware inspection (Suricata's tcp / tcp-pkt /
 * tcp-stream semantics). */
/* Sets SIG_F_STREAM / SIG_F_STREAM_ONLY / SIG_F_PKT_TOO on s. */
void detect_stream_classify(Signature *s);
/* The bytes a stream signature needs in one piece (longest content, or the
 * end of a depth/within window): 0 when s is not a stream signature. */
uint32_t detect_stream_need(const Signature *s);
/* Classifies every rule and declares chunk needs per port to the stream engine. */
void detect_stream_prepare(const DetectEngine *de);
int detect_stream_thread_init(DetectThread *dt);
void detect_stream_thread_free(DetectThread *dt);
/* Inspects p's stream view with the stream signatures, the header evaluated
 * in the view's data direction; alerts go to pa. Returns true when a pass
 * rule matched (stop). */
bool detect_stream_inspect(DetectThread *dt, Packet *p, PacketAlerts *pa);
/* Whether s may inspect p's own payload (false for stream signatures when p's
 * segment went into the stream, or when s already matched the same data). */
bool detect_stream_pkt_allowed(const DetectThread *dt, const Packet *p, const Signature *s);

/* detect-app.c: app-layer buffer lists and rule completion. */
uint32_t detect_app_buf_count(void);
const char *detect_app_buf_name(uint32_t idx);
int detect_app_buf_find(const char *name);          // index of a buffer name, -1 if none
const char *detect_list_name(int list);
/* detect-analysis.c: the kind of a built rule ("ip-only", "packet", "stream",
 * "app-tx", ...). */
const char *detect_analysis_kind(const Signature *s);
/* The app list of s numbered list, NULL if none. */
DetectAppList *detect_sig_app_list(const Signature *s, int list);
/* keywords/detect-kw-transform.c: data transformed by xf[0..n) into the
 * caller's scratch pair (grown as needed, freed by the caller); false when out
 * of memory. */
bool detect_xform_apply(const uint8_t *xf, const DetectXformArg *xa, uint8_t n,
                        const uint8_t *in, uint32_t len, uint8_t *scratch[2], uint32_t cap[2],
                        const uint8_t **out, uint32_t *out_len);
/* A list of s (fixed or app), NULL when s has no such app list. */
DetectMatchList *detect_sig_list(const Signature *s, int list);
/* Same, creating an app list on first use; NULL when out of memory. */
DetectMatchList *detect_sig_list_get(DetectParser *dp, int list);
/* The first content of s (any list) carrying flag, NULL if none. */
const DetectContent *detect_sig_content_flagged(const Signature *s, uint32_t flag);
/* Where a payload element goes when appended to the payload list: relative
 * non-content elements follow a content moved to an app buffer. */
int detect_app_relative_list(const DetectParser *dp, int list, uint8_t pm_type, const void *ctx);
/* Header protocol: 0 when name is an app-layer protocol with a parser (sets
 * s->alproto, TCP), VG_EUNSUPPORTED (reason in dp->err) for protocols without
 * one, VG_ENOENT when name is no app-layer protocol. */
int detect_app_header_proto(DetectParser *dp, const char *name);
bool detect_app_is_buffer_name(const char *name);
int detect_app_select_buffer(DetectParser *dp, const char *name);
/* The same with a direction qualifier ("to_server"/"to_client", NULL: none): a buffer
 * both sides have is then read on that side only (Suricata 8, for '=>' rules above all). */
int detect_app_select_buffer_dir(DetectParser *dp, const char *name, const char *dir);
/* A leading "to_server" / "to_client" argument of a file keyword (filesize): *arg moves
 * past it and its comma; the rule's file keywords then look at that side's files. */
int detect_app_file_dir(DetectParser *dp, const char **arg);
int detect_app_move_last_content(DetectParser *dp, const char *buf, const char *kw);
/* Appends a tx keyword (file == false) or file keyword to the rule; takes ctx. */
int detect_app_append(DetectParser *dp, bool file, const struct DetectKeyword *kw, void *ctx);
struct AppBufferDef;
/* detect-multi.c: inspect list al of s on def's buffer of tx, through al's transforms
 * (xbuf/xcap: the caller's scratch pair), every instance of a multi-buffer until one
 * matches; scan every instance of a multi-buffer with pf, calling
 * after(user) once each instance's hits are in. */
bool detect_app_buffer_inspect(struct DetectThread *dt, const Signature *s,
                               const DetectAppList *al, const struct AppBufferDef *def,
                               const struct Flow *f, const struct AppTx *tx, uint8_t *xbuf[2],
                               uint32_t xcap[2]);
/* One already fetched buffer (a single buffer, or a multi-buffer's first instance)
 * through the list's transforms and keywords. Windowed getters must not be called twice
 * per inspection: the caller passes what its one call returned. */
bool detect_app_data_inspect(struct DetectThread *dt, const Signature *s, const DetectAppList *al,
                             const uint8_t *data, uint32_t len, uint8_t *xbuf[2],
                             uint32_t xcap[2]);
void detect_app_buffer_scan(const DetectPrefilter *pf, void *scratch,
                            const struct AppBufferDef *def,
                            const struct Flow *f, const struct AppTx *tx,
                            void (*on_hit)(uint32_t, void *), void (*after)(void *), void *user);
int detect_app_finish(DetectParser *dp);
void detect_app_sig_free(Signature *s);

/* detect-frame.c: SIG_F_FRAME rules over the frames of p's flow. Build: rules per frame
 * type, and the types the app layer is to record. Inspect: every ready frame of p's
 * direction not yet inspected (every one at flow end); true when a pass rule matched.
 * Caller holds the flow lock. */
int detect_frame_build(DetectEngine *de);
void detect_frame_engine_free(DetectEngine *de);
void detect_frame_thread_free(DetectThread *dt);
bool detect_frame_inspect(DetectThread *dt, Packet *p, PacketAlerts *pa, bool is_flow_end);
/* The frame keyword's list name of a global frame type ("frame:sip.request.line"). */
int detect_app_frame_list(int frame_type);

/* detect-tx.c: per-transaction inspection of SIG_F_APP_TX rules. */
int detect_tx_build(DetectEngine *de);
/* The pattern a tx rule's prefilter looks for in its fast pattern's untransformed
 * buffer (al), false when the buffer's transforms allow none. */
bool detect_tx_fp_raw(const DetectAppList *al, const DetectContent *fp, const uint8_t **pat,
                      uint16_t *len, bool *nocase);
void detect_tx_engine_free(DetectEngine *de);
int detect_tx_thread_init(DetectThread *dt);
void detect_tx_thread_free(DetectThread *dt);
/* Inspects the updated transactions of p's flow (all of them when is_flow_end);
 * returns true when a pass rule matched. Caller holds the flow lock. */
bool detect_tx_inspect(DetectThread *dt, Packet *p, PacketAlerts *pa, bool is_flow_end);
/* The detect_state free callback handed to the app layer. */
void detect_tx_state_free(void *state);
/* Protocol-detection and flow-event bookkeeping of p's flow for PD-only rules and
 * flow-level app-layer-event (detect-flowstate.c): what became true on this packet. */
void detect_app_packet_begin(DetectThread *dt, Packet *p);
void detect_app_packet_end(DetectThread *dt, Packet *p);
/* DetectEngine.guess_tx: detect.guess-applayer-tx is on; rules naming an app-layer
 * protocol may match UDP packets. */
enum { DETECT_GUESS_F_GUESS = 1u << 0, DETECT_GUESS_F_UDP = 1u << 1 };
/* The tx an alert of s (a packet or stream match, *flags without a tx or frame)
 * logs, if any: sets PACKET_ALERT_F_TX (and _TX_GUESSED) in *flags and *tx_id.
 * detect_guess_packet_end tracks each direction's first incomplete tx. Caller
 * holds the flow lock. */
void detect_alert_guess_tx(DetectThread *dt, Packet *p, const Signature *s, uint8_t *flags,
                           uint64_t *tx_id);
void detect_guess_packet_end(DetectThread *dt, Packet *p);

/* detect-parse.c. 0 with *out NULL: the rule's `requires` are not met, it is to be
 * skipped (err says which is missing). */
int detect_parse_rule(DetectEngine *de, const char *rule, const char *file, int line,
                      Signature **out, char *err, size_t errlen);
void detect_sig_free(Signature *s);
/* The sid a rule text declares (0 if none found): for messages about bad rules. */
uint32_t detect_parse_scan_sid(const char *rule);
const DetectClass *detect_class_find(const DetectEngine *de, const char *name);
int detect_flowbit_index(DetectEngine *de, const char *name, bool is_int);

/* detect-build.c */
int detect_build_groups(DetectEngine *de);
void detect_groups_free(DetectEngine *de);
/* Fills out[] (3 entries) with the groups whose rules may apply to p. */
int detect_groups_for_packet(const DetectEngine *de, const Packet *p, const DetectGroup **out);

/* detect-iponly.c: address index of the IP-only rules. Candidates may not
 * match (callers check each); rules that can match are never left out. */
typedef struct DetectIpOnly DetectIpOnly;
int detect_iponly_build(const DetectEngine *de, DetectIpOnly **out);
void detect_iponly_free(DetectIpOnly *io);
void detect_iponly_candidates(const DetectIpOnly *io, const Packet *p,
                              void (*add)(void *ctx, uint32_t num), void *ctx);

/* detect-prefilter.c: multi-pattern prefilter over a group's fast patterns.
 * Patterns are added, then compiled; search reports each pattern id found. */
DetectPrefilter *detect_prefilter_new(int algo);
int detect_prefilter_add(DetectPrefilter *pf, const uint8_t *pat, uint16_t len, bool nocase,
                         uint32_t sig_num);
int detect_prefilter_compile(DetectPrefilter *pf);
/* detect_prefilter_compile of n prefilters, on as many threads as the CPUs (start-up
 * time; the databases are the same). 0 or the first failure in pfs order. */
int detect_prefilter_compile_many(DetectPrefilter *const *pfs, uint32_t n);
uint32_t detect_prefilter_n_patterns(const DetectPrefilter *pf);  // patterns added
void detect_prefilter_free(DetectPrefilter *pf);
void *detect_prefilter_scratch_new(const DetectEngine *de);
void detect_prefilter_scratch_free(void *scratch);
/* Scans buf with the engine's prefilter of the packet's direction (PKT_F_TOSERVER /
 * PKT_F_TOCLIENT of pkt_flags; both without one): dt->pf_hits receives the nums of the
 * signatures whose fast pattern occurs (each once per prefilter scanned). */
void detect_prefilter_search(DetectThread *dt, int kind, const uint8_t *buf, uint32_t len,
                             uint32_t pkt_flags);
/* Makes scratch (from detect_prefilter_scratch_new) able to scan pf too. */
int detect_prefilter_prepare(void *scratch, const DetectPrefilter *pf);
/* Scans buf with pf, cb once per pattern id found. */
void detect_prefilter_scan(const DetectPrefilter *pf, void *scratch, const uint8_t *buf,
                           uint32_t len, void (*cb)(uint32_t id, void *user), void *user);
/* detect-packet.c: the rule header (protocol, addresses, ports) and the match
 * list (flow, flowbits, ...) on p; detect_sig_match is both plus payloads. */
bool detect_sig_header_ok(const Signature *s, const Packet *p);
bool detect_sig_match_list_ok(DetectThread *dt, Packet *p, const Signature *s);

/* detect-threshold.c: returns true when the match counts (its action
 * applies); may also rewrite *action (rate_filter). *is_suppressed is set
 * when a suppress entry hides the alert while the action still applies.
 * Thread-safe. The unique_on bitmap counters go to dt's counter set. */
DetectThresholdTable *detect_threshold_table_new(void);
void detect_threshold_table_free(DetectThresholdTable *t);
bool detect_threshold_check(DetectThread *dt, const Signature *s, const Packet *p,
                            uint8_t *action, bool *is_suppressed);
int detect_threshold_parse_spec(const char *text, bool is_filter, DetectThresholdSpec *out,
                                char *err, size_t errlen);

/* detect-flowstate.c: per-flow flowbits and flowints. */
typedef struct DetectFlowState DetectFlowState;
DetectFlowState *detect_flow_state(Packet *p, bool create, uint32_t n_bits, uint32_t n_ints);
bool detect_flowbit_isset(const DetectFlowState *fs, uint32_t idx);
void detect_flowbit_set(DetectFlowState *fs, uint32_t idx, bool on);
bool detect_flowint_get(const DetectFlowState *fs, uint32_t idx, int64_t *out);
void detect_flowint_set(DetectFlowState *fs, uint32_t idx, int64_t v);
/* pcre captures: record one for s (inspection), then on s's match store s's
 * in the flow, packet and alert variables and forget every pending one. */
void detect_vars_capture(DetectThread *dt, const Signature *s, const DetectPcreVar *var,
                         const uint8_t *data, size_t len);
void detect_vars_commit(DetectThread *dt, Packet *p, const Signature *s);

/* keywords/detect-kw-flowcount.c: sequence space each side of the packet's
 * TCP session has used (next_seq - ISN, as Suricata's stream_size), for
 * stream_size; false without a TCP session. Caller holds the flow lock. */
bool detect_stream_size(const Packet *p, uint64_t *client, uint64_t *server);

/* detect-hostbits.c: bits per host (b == NULL) or per unordered address pair,
 * set until their expiry time. Names are interned at parse time. Thread-safe. */
DetectHostbitTable *detect_hostbit_table_new(void);
void detect_hostbit_table_free(DetectHostbitTable *t);
int detect_hostbit_name(DetectHostbitTable *t, const char *name);
bool detect_hostbit_isset(DetectHostbitTable *t, uint32_t idx, const VgAddr *a,
                          const VgAddr *b, int64_t now);
void detect_hostbit_set(DetectHostbitTable *t, uint32_t idx, const VgAddr *a, const VgAddr *b,
                        int64_t expire);
void detect_hostbit_unset(DetectHostbitTable *t, uint32_t idx, const VgAddr *a,
                          const VgAddr *b);

/* detect-dataset.c: the sets behind the dataset keyword (see detect.h for
 * the operator side). */
#define DETECT_DATASET_NAME_MAX 64
#define DETECT_DATASET_HASHSIZE 4096u
#define DETECT_DATASET_MEMCAP (16ull << 20)
typedef enum DetectDatasetType {
    DETECT_DS_STRING = 0,
    DETECT_DS_MD5,
    DETECT_DS_SHA256,
    DETECT_DS_IPV4,
    DETECT_DS_IP,
} DetectDatasetType;
typedef struct Dataset Dataset;
typedef struct DetectDatasetSpec {
    const char *name;
    bool has_type;
    DetectDatasetType type;
    const char *load_path;             // read at creation
    const char *save_path;             // written at exit / dataset-dump
    const char *state_path;            // both (a missing file is an empty set)
    uint64_t memcap;                   // 0: DETECT_DATASET_MEMCAP
    uint32_t hashsize;                 // 0: DETECT_DATASET_HASHSIZE
    bool is_rep;                       // a datarep set: each value has a reputation
    uint8_t format;                    // DETECT_DS_FMT_*: how load reads its file
    const char *value_key;             // json/ndjson: the member holding the value (a.b.c)
    const char *array_key;             // json: the member holding the array of objects
    bool remove_key;                   // the value's member left out of the kept object
} DetectDatasetSpec;
enum { DETECT_DS_FMT_CSV = 0, DETECT_DS_FMT_JSON, DETECT_DS_FMT_NDJSON };
bool detect_dataset_type_parse(const char *s, DetectDatasetType *out);
const char *detect_dataset_type_name(DetectDatasetType t);
/* The set named spec->name, created (and its files read) when new; an
 * existing set must have spec's type when one is given. err gets why not. */
int detect_dataset_get(const DetectDatasetSpec *spec, Dataset **out, char *err, size_t err_len);
Dataset *detect_dataset_find(const char *name);
DetectDatasetType detect_dataset_type(const Dataset *ds);
const char *detect_dataset_name(const Dataset *ds);
/* Raw values (a buffer as rules see it). insert: 0, VG_EEXIST, VG_ERANGE
 * (memcap), VG_EINVAL (length not of the type), VG_ENOMEM; delete: 0 or
 * VG_ENOENT. */
bool detect_dataset_contains(Dataset *ds, const uint8_t *d, uint32_t len);
int detect_dataset_insert(Dataset *ds, const uint8_t *d, uint32_t len);
int detect_dataset_delete(Dataset *ds, const uint8_t *d, uint32_t len);
/* datarep sets: insert with a reputation (insert gives 0); lookup: whether d
 * is in the set and its reputation in *rep. */
int detect_dataset_insert_rep(Dataset *ds, const uint8_t *d, uint32_t len, uint16_t rep);
bool detect_dataset_lookup_rep(Dataset *ds, const uint8_t *d, uint32_t len, uint16_t *rep);
/* datajson (Suricata 8): values with a JSON object each. insert_json keeps a copy of json
 * (NULL: none); lookup_json says whether d is in the set and copies its object into json
 * (empty when it has none or it does not fit). decode_text: a value as a JSON file gives it
 * (string sets: the text itself). */
int detect_dataset_insert_json(Dataset *ds, const uint8_t *d, uint32_t len, const char *json);
bool detect_dataset_lookup_json(Dataset *ds, const uint8_t *d, uint32_t len, char *json,
                                size_t json_len);
bool detect_dataset_decode_text(const Dataset *ds, const char *text, size_t len, uint8_t *out,
                                size_t cap, uint32_t *out_len);
/* detect-datajson.c: reads spec->load_path (format json or ndjson) into ds; err says why not. */
int detect_datajson_load(Dataset *ds, const DetectDatasetSpec *spec, char *err, size_t err_len);
/* detect-iprep.c: IP reputation categories and scores, loaded with the rule
 * set (reputation-categories-file, reputation-files); read-only after. */
#define DETECT_IPREP_CATS 60
typedef struct DetectIprep DetectIprep;  // (also named in DetectEngine)
/* NULL in *out when no categories file is configured. */
int detect_iprep_load(const struct Conf *conf, DetectIprep **out);
void detect_iprep_free(DetectIprep *r);
/* The id of a category short name, -1 if unknown (or r NULL). */
int detect_iprep_category(const DetectIprep *r, const char *name);
/* The score of a for category cat (exact address, else the longest
 * prefix); false when a has none. */
bool detect_iprep_lookup(const DetectIprep *r, const VgAddr *a, uint8_t cat, uint8_t *score);

/* keywords/detect-kw-dataset.c: the dataset keyword on a whole buffer. */
bool detect_dataset_match(DetectThread *dt, const Signature *s, const void *ctx,
                          const uint8_t *buf, uint32_t len);

/* detect-tag.c: tag keyword state. A tag runs for count packets, bytes or
 * seconds (packet time) after the packet that set it, which is not tagged. */
enum { DETECT_TAG_PACKETS = 0, DETECT_TAG_BYTES, DETECT_TAG_SECONDS };
#define DETECT_TAG_PER_HOST 4          // live host tags per address
#define DETECT_TAG_HOSTS_MAX 65536     // addresses with live host tags

typedef struct DetectTagSpec {
    uint8_t metric;                    // DETECT_TAG_*
    uint32_t count;
} DetectTagSpec;

typedef struct DetectTagEntry {
    bool active;
    bool fresh;                        // set by the current packet: skip it
    uint8_t metric;
    uint32_t count;
    uint64_t seen;                     // packets or bytes tagged so far
    int64_t first_ts;
} DetectTagEntry;

DetectTagTable *detect_tag_table_new(uint32_t max_hosts);
void detect_tag_table_free(DetectTagTable *t);
/* Host tags refused because the table was full (or the host had no free slot). */
uint64_t detect_tag_refused(DetectTagTable *t);
uint32_t detect_tag_hosts(DetectTagTable *t);
/* Starts a tag on host a; VG_ERANGE when refused. Thread-safe. */
int detect_tag_host_add(DetectTagTable *t, const VgAddr *a, const DetectTagSpec *spec,
                        int64_t now);
/* Counts p against a's tags; true when one of them tags p. Thread-safe. */
bool detect_tag_host_step(DetectTagTable *t, const VgAddr *a, const Packet *p);
/* Session tag kept in the flow state (flow lock held). */
void detect_tag_session_add(DetectTagEntry *e, const DetectTagSpec *spec, int64_t now);
bool detect_tag_session_step(DetectTagEntry *e, const Packet *p);
DetectTagEntry *detect_flow_tag(DetectFlowState *fs);
/* Marks p PKT_F_TAGGED when a session or host tag covers it (after detection). */
void detect_tag_packet(DetectThread *dt, Packet *p);

/* ---- firewall mode (detect-firewall.c) ----------------------------------- */

enum { DETECT_FW_ACCEPT = 1, DETECT_FW_DROP, DETECT_FW_REJECT };
enum { DETECT_FW_SCOPE_PACKET = 1, DETECT_FW_SCOPE_FLOW, DETECT_FW_SCOPE_TX,
       DETECT_FW_SCOPE_HOOK };
enum { DETECT_FW_HOOK_ALL = 0, DETECT_FW_HOOK_FLOW_START, DETECT_FW_HOOK_APP };

typedef struct DetectFwSig {
    uint8_t action;                    // DETECT_FW_ACCEPT/DROP/REJECT
    uint8_t scope;                     // DETECT_FW_SCOPE_*
    bool td_pass_flow;                 // secondary pass:flow (threat detection skips the flow)
    bool td_pass_packet;               // secondary pass:packet
    uint8_t hook_kind;                 // DETECT_FW_HOOK_*
    uint8_t dir;                       // app hooks: APP_DIR_* of the hook
    uint8_t hook;                      // app hooks: index in the protocol's hook list of dir
    bool accepts_prior;                // 'proto:<hook': the hooks before it are accepted too
    uint16_t hook_proto;               // app hooks: AppProto whose states the hook names
} DetectFwSig;

/* Whether the parser is loading firewall rules (set around firewall files). */
bool detect_fw_loading(const DetectEngine *de);
void detect_fw_set_loading(DetectEngine *de, bool on);
/* `firewall: true` or `firewall.enabled: yes`. */
bool detect_fw_enabled_by_conf(const struct Conf *conf);
/* Turns firewall mode on for de: the table and the policies of `firewall.policies`. */
int detect_fw_init(DetectEngine *de, const struct Conf *conf);
/* Header parsing of a firewall rule: the action token (`accept:hook,alert`) and the
 * protocol token (`http1:request_line`, `tcp:all`, `tls:<client_hello_done`); the
 * latter writes the protocol name for parse_proto into proto (cap bytes). */
int detect_fw_parse_action(DetectParser *dp, const char *tok);
int detect_fw_parse_proto(DetectParser *dp, const char *tok, char *proto, size_t cap);
/* After the options: checks and adjusts a parsed firewall rule. */
int detect_fw_finish(DetectParser *dp);
/* Takes ownership of s (a firewall rule) on every path. */
int detect_fw_add_sig(DetectEngine *de, Signature *s);
void detect_fw_free(DetectEngine *de);
/* The packet:filter table; returns DETECT_FW_V_*. */
enum { DETECT_FW_V_NEXT = 0, DETECT_FW_V_ACCEPT_PACKET, DETECT_FW_V_ACCEPT_FLOW,
       DETECT_FW_V_DROP };
int detect_fw_packet(DetectThread *dt, Packet *p, PacketAlerts *pa);
/* The app:filter tables of the packet's flow (txs updated in its direction). */
int detect_fw_app(DetectThread *dt, Packet *p, PacketAlerts *pa);
/* detect-tx.c: a firewall rule against tx in dir (EVAL_MATCH when it matches now), and
 * the firewall's per-tx state: [0..1] the next hook index to evaluate per direction,
 * [2] a bit per direction it looked at. */
bool detect_tx_fw_match(DetectThread *dt, const Signature *s, Packet *p, const struct Flow *f,
                        const struct AppTx *tx, uint8_t dir, uint16_t proto);
uint8_t *detect_tx_fw_next(const DetectEngine *de, struct AppTx *tx);
/* xbits with `track tx`: bit idx (a hostbit name index) of tx, kept in its detect
 * state (freed with the tx). Set returns VG_ENOMEM when the state cannot grow. */
bool detect_tx_xbit_isset(const DetectEngine *de, struct AppTx *tx, uint32_t idx);
int detect_tx_xbit_set(const DetectEngine *de, struct AppTx *tx, uint32_t idx, bool on);
/* Firewall: whether firewall rule fw_idx (its load_idx) matched tx; record that it did
 * (no memory: not recorded, the rule is evaluated again). */
bool detect_tx_fw_matched(const DetectEngine *de, struct AppTx *tx, uint32_t fw_idx);
void detect_tx_fw_set_matched(const DetectEngine *de, struct AppTx *tx, uint32_t fw_idx);
/* detect-packet.c: a rule's post-match keywords (flowbits set ...). */
void detect_run_post(DetectThread *dt, Packet *p, const Signature *s);
/* detect-packet.c: queue an alert of s with this action (firewall rules). */
void detect_alert_add(DetectThread *dt, Packet *p, PacketAlerts *pa, const Signature *s,
                      uint8_t action);

/* Simple helpers */
char *detect_strndup(const char *s, size_t n);
uint32_t detect_hash(const void *data, size_t len);

#endif
