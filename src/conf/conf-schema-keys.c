/* The schema: every configuration key Vigil reads, in one place.
 *
 * A module that loads its options with conf_load_options exports its table
 * as a ConfSchemaPart and is listed in conf-schema-list.c: its names, types,
 * defaults and bounds are stated once, in the module. Keys read by other
 * code are listed here in vigil_keys, with the bounds their reader applies.
 * Adding a key: one line in the module's table, or one line here (in the
 * section of its subsystem), then the key in etc/vigil.yaml if it is worth
 * showing; tests/unit/conf/test-conf-schema.c checks that the shipped file
 * holds only known keys.
 *
 * Names: dotted paths; "*" is any one key or list index, "a|b" either name.
 * CONF_OPT_ANY accepts a whole subtree (its owner checks it). A key with
 * CONF_OPT_F_NO_EFFECT is one of Suricata's that Vigil accepts without
 * acting on it: a stock suricata.yaml loads, with a warning for each. */

#include "conf/conf.h"

#include <stdint.h>

#include "conf/conf-internal.h"

#define OPT(n, t, d, lo, hi, doc_) {.name = (n), .type = (t), .dflt = (d), .min = (lo), \
                                     .max = (hi), .doc = (doc_)}
#define ENUM(n, d, ch, doc_) {.name = (n), .type = CONF_OPT_ENUM, .dflt = (d), .choices = (ch), \
                              .doc = (doc_)}
#define NO_EFFECT(n, t, doc_) {.name = (n), .type = (t), .doc = (doc_), \
                               .flags = CONF_OPT_F_NO_EFFECT}

#define FLOW_PROTOS "default|tcp|udp|icmp"
#define HOST_POLICIES "bsd|bsd-right|old-linux|linux|old-solaris|solaris|hpux10|hpux11|irix|" \
                      "macos|vista|windows|windows2k3|first|last"
#define BOOL_WORDS "yes|no|true|false|on|off|1|0"
#define LOG_LEVELS "error|warning|notice|info|config|debug|perf|critical|alert|emergency"
#define EXC_POLICIES "auto|drop-packet|drop-flow|pass-packet|pass-flow|bypass|reject|ignore"

#define SURICATA_ONLY(n) NO_EFFECT(n, CONF_OPT_ANY, "Suricata's; Vigil has no such feature")

static const ConfOption vigil_keys[] = {
    /* ---- variables (detect) ---- */
    OPT("vars.address-groups.*", CONF_OPT_STR, NULL, 0, 0, "address group, rules use $NAME"),
    OPT("vars.port-groups.*", CONF_OPT_STR, NULL, 0, 0, "port group, rules use $NAME"),

    /* ---- start-up and threads (main, runtime) ---- */
    OPT("run-as.user", CONF_OPT_STR, NULL, 0, 0,
        "user to run as once capture and outputs are open (--user overrides)"),
    OPT("run-as.group", CONF_OPT_STR, NULL, 0, 0,
        "group to run as (default: the user's; --group overrides)"),
    OPT("default-log-dir", CONF_OPT_STR, "./logs", 0, 0,
        "log directory (relative to the working directory); -l overrides"),
    OPT("data-dir", CONF_OPT_STR, NULL, 0, 0,
        "directory of the save and state files datasets name in rules (relative to the "
        "config file); --data-dir overrides; unset: the rule file's directory"),
    OPT("runmode", CONF_OPT_STR, "single", 0, 0, "single, autofp, workers or custom"),
    OPT("max-pending-packets", CONF_OPT_INT, "1024", 16, 65535, "packets in flight per thread"),
    OPT("threading.set-cpu-affinity", CONF_OPT_BOOL, "no", 0, 0, "pin threads to cpu-affinity"),
    OPT("threading.cpu-affinity", CONF_OPT_ANY, NULL, 0, 0, "CPU sets by thread role"),
    OPT("threading.worker-threads", CONF_OPT_INT, "0", 0, 32, "worker threads, 0 = per core"),
    ENUM("threading.inline-reader", "no", "auto|yes|no",
         "capture files: the workers read in turn instead of a reader thread; auto: when "
         "the reader and the workers would outnumber the CPUs"),
    OPT("threading.custom", CONF_OPT_ANY, NULL, 0, 0, "thread groups of --runmode custom"),
    OPT("plugins", CONF_OPT_LIST, NULL, 0, 0, "shared objects loaded at start-up"),
    OPT("plugin-modules", CONF_OPT_LIST, NULL, 0, 0, "plugin modules added to the runmodes"),
    OPT("sensor-name", CONF_OPT_STR, NULL, 0, 0, "EVE \"host\" of every record (not set: none)"),
    OPT("logging.default-log-level", CONF_OPT_STR, "notice", 0, 0, "level of the outputs without "
        "their own (" LOG_LEVELS ", any case; the console's: raised by -v, warning with --quiet)"),
    OPT("logging.outputs.*.console|file|syslog.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "the output is used (console off: errors only)"),
    ENUM("logging.outputs.*.console|file|syslog.type", "regular", "regular|file|json",
         "text lines, or JSON records (event_type engine)"),
    OPT("logging.outputs.*.file|syslog.level", CONF_OPT_STR, NULL, 0, 0,
        "the output's level (not set: default-log-level)"),
    OPT("logging.outputs.*.file.filename", CONF_OPT_STR, "vigil.log", 0, 0,
        "the log file, relative to the log directory"),
    ENUM("logging.outputs.*.syslog.facility", "local5",
         "local0|local1|local2|local3|local4|local5|local6|local7|user|daemon", "syslog facility"),
    NO_EFFECT("logging.outputs.*.console|file|syslog.format", CONF_OPT_STR,
              "Vigil's own line format is used"),
    NO_EFFECT("logging.default-output-filter|stacktrace-on-signal", CONF_OPT_ANY,
              "Suricata's; Vigil has no such feature"),

    /* ---- capture (acquire, decode) ---- */
    ENUM("pcap-file.checksum-checks", "auto", "auto|" BOOL_WORDS,
         "verify checksums: auto, yes or no"),
    OPT("max-packet-size", CONF_OPT_SIZE, "256kb", 64, 1048576,
        "largest frame kept whole; longer ones are cut and counted"),
    OPT("decoder.vxlan|teredo|geneve.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "decode the tunnel"),
    OPT("decoder.vxlan|geneve.ports", CONF_OPT_PORT, NULL, 0, 0,
        "UDP port of the tunnel (a number or $NAME of vars.port-groups)"),
    OPT("decoder.teredo.ports", CONF_OPT_PORTS, NULL, 0, 0,
        "UDP ports of Teredo: a port, a list (\"3544, 3545\") or $NAME; unset: every port"),
    OPT("decoder.ipv4.ipip.enabled", CONF_OPT_BOOL, "yes", 0, 0, "decode IP-in-IP"),
    OPT("decoder.recursion-level.use-for-tracking", CONF_OPT_BOOL, "yes", 0, 0,
        "tunnel depth is part of the flow key"),

    /* ---- flow ---- */
    OPT("flow.memcap", CONF_OPT_SIZE, "128mb", 0, 0, "flow table memory"),
    OPT("flow.hash-size", CONF_OPT_INT, "65536", 1, 1 << 26, "flow hash buckets"),
    OPT("flow.prealloc", CONF_OPT_INT, "10000", 0, 100000000, "flows allocated at start-up"),
    OPT("flow.emergency-recovery", CONF_OPT_INT, "30", 1, 100, "percent free to leave emergency"),
    OPT("flow-timeouts." FLOW_PROTOS
        ".new|established|closed|emergency-new|emergency-established|emergency-closed|"
        "bypassed|emergency-bypassed",
        CONF_OPT_INT, NULL, 0, INT32_MAX, "seconds without packets, by protocol and state"),

    /* ---- stream (the rest is stream_conf_schema) ---- */
    OPT("host-os-policy." HOST_POLICIES, CONF_OPT_ANY, NULL, 0, 0,
        "addresses or networks of hosts with that stack"),
    ENUM("host-os-policy.default", "bsd", HOST_POLICIES, "policy of hosts not listed"),

    /* ---- detection ---- */
    OPT("default-rule-path", CONF_OPT_STR, NULL, 0, 0, "directory of rule-files"),
    {.name = "rule-files", .type = CONF_OPT_LIST, .flags = CONF_OPT_F_SCALAR_OK,
     .doc = "rule files or glob patterns, relative to default-rule-path (one value: a list of one)"},
    OPT("classification-file", CONF_OPT_STR, NULL, 0, 0, "alert classes and priorities"),
    OPT("threshold-file", CONF_OPT_STR, NULL, 0, 0, "thresholds and suppressions"),
    OPT("reference-config-file", CONF_OPT_STR, NULL, 0, 0, "reference systems (bad lines named)"),
    ENUM("mpm-algo", "auto", "auto|hs|ac", "multi-pattern matcher"),
    OPT("packet-alert-max", CONF_OPT_INT, "15", 1, 15, "alerts kept per packet"),
    OPT("action-order", CONF_OPT_LIST, NULL, 0, 0, "pass, drop, reject, alert in some order"),
    NO_EFFECT("detect.profile", CONF_OPT_STR, "rule grouping is not tuned by profile"),
    OPT("detect.reload-strict", CONF_OPT_BOOL, "no", 0, 0,
        "reload keeps the running rules unless every new rule loads"),
    OPT("detect.rule-file-max-size", CONF_OPT_SIZE, "256mb", 1, INT64_MAX,
        "largest rule file read"),
    OPT("detect.guess-applayer-tx", CONF_OPT_BOOL, "no", 0, 0,
        "alerts of packet and stream rules log the flow's only tx (tx_guessed)"),
    OPT("detect.stream-tx-log-limit", CONF_OPT_INT, "4", 0, 255,
        "times one tx is logged with alerts of packet and stream rules"),
    /* Suricata's other detect tuning keys (grouping, prefilter, inspection limits). */
    SURICATA_ONLY("detect.*"),

    /* ---- application layer (the libhtp.* options: http_conf_schema) ---- */
    OPT("app-layer.detection-max-bytes", CONF_OPT_INT, "4096", 64, 1048576,
        "bytes per direction after which protocol detection gives up"),
    OPT("app-layer.protocols.http.enabled", CONF_OPT_STR, "yes", 0, 0,
        "yes, no, or detection-only"),
    OPT("app-layer.protocols.http.memcap", CONF_OPT_SIZE, "64mb", 0, 0,
        "HTTP parser state, transactions, bodies and files"),
    OPT("app-layer.protocols.http.max-tx", CONF_OPT_INT, "4096", 0, 1000000,
        "live transactions per flow"),
    OPT("app-layer.protocols.http.detection-ports.dp", CONF_OPT_STR, NULL, 0, 0,
        "ports tried first (a list)"),
    /* other protocols: checked by their parsers (or without effect) */
    OPT("app-layer.protocols", CONF_OPT_ANY, NULL, 0, 0,
        "app-layer.protocols.<proto>.enabled, detection-ports, ..."),
    OPT("libhtp.server-config", CONF_OPT_ANY, NULL, 0, 0,
        "per-server libhtp options (a list of named maps with address): checked by HTTP"),

    /* ---- outputs and counters ---- */
    /* ---- control socket (control) ---- */
    ENUM("unix-command.enabled", "no", BOOL_WORDS "|auto",
         "serve the control socket (vigilctl); auto: off when reading captures"),
    OPT("unix-command.filename", CONF_OPT_STR, "vigil-command.socket", 0, 0,
        "control socket path; relative: in default-log-dir"),
    /* ---- datasets (detect) ---- */
    OPT("datasets.rules.allow-absolute-filenames", CONF_OPT_BOOL, "no", 0, 0,
        "rules may name dataset files by absolute path or with '..'"),
    OPT("datasets.rules.allow-write", CONF_OPT_BOOL, "yes", 0, 0,
        "rules may name dataset files to write (save, state)"),
    OPT("datasets.defaults.memcap", CONF_OPT_SIZE, "16mb", 0, 0, "memory cap of each dataset"),
    OPT("datasets.defaults.hashsize", CONF_OPT_INT, "4096", 1, 16777216,
        "hash buckets of each dataset"),
    OPT("datasets.*", CONF_OPT_ANY, NULL, 0, 0,
        "a dataset: type, load, save, state, memcap, hashsize"),
    /* ---- IP reputation (detect) ---- */
    OPT("reputation-categories-file", CONF_OPT_STR, NULL, 0, 0,
        "iprep categories: id,shortname,description lines"),
    OPT("default-reputation-path", CONF_OPT_STR, NULL, 0, 0,
        "directory of relative reputation-files"),
    {.name = "reputation-files", .type = CONF_OPT_LIST, .flags = CONF_OPT_F_SCALAR_OK,
     .doc = "iprep files: address[/prefix],category-id,score lines"},
    /* ---- metrics endpoint (control) ---- */
    OPT("metrics.enabled", CONF_OPT_BOOL, "no", 0, 0,
        "serve every counter in Prometheus text format over HTTP"),
    OPT("metrics.address", CONF_OPT_STR, "127.0.0.1", 0, 0,
        "IPv4 or IPv6 address the metrics endpoint listens on"),
    OPT("metrics.port", CONF_OPT_INT, "9465", 1, 65535, "TCP port of the metrics endpoint"),
    OPT("metrics.path", CONF_OPT_STR, "/metrics", 0, 0, "HTTP path of the metrics endpoint"),
    OPT("stats.enabled", CONF_OPT_BOOL, "yes", 0, 0, "collect and write counters"),
    OPT("stats.interval", CONF_OPT_INT, "8", 1, 86400, "seconds between stats records"),
    ENUM("stats.clock", "wall", "wall|packet",
         "interval on the wall clock, or on packet time (deterministic)"),
    OPT("outputs.*.eve-log.enabled", CONF_OPT_BOOL, "yes", 0, 0, "write eve.json"),
    OPT("outputs.*.eve-log.filetype", CONF_OPT_STR, "regular", 0, 0,
        "regular, unix_dgram, unix_stream, syslog, redis, kafka, or a plugin's"),
    OPT("outputs.*.eve-log.name", CONF_OPT_STR, NULL, 0, 0,
        "counters output.eve-log.<name>.*; default: position among eve-log outputs"),
    OPT("outputs.*.eve-log.buffer-size", CONF_OPT_SIZE, "16mb", 65536, 17179869184LL,
        "queue of the output's writer thread"),
    ENUM("outputs.*.eve-log.buffer-full", "drop", "drop|block",
         "queue full: drop (counted) or block the packet path (lossless)"),
    OPT("outputs.*.eve-log.limit", CONF_OPT_SIZE, NULL, 0, 0, "regular: rotate past this size"),
    OPT("outputs.*.eve-log.rotate-interval", CONF_OPT_STR, NULL, 0, 0,
        "regular: rotate every 30s, 1h, day, ..."),
    OPT("outputs.*.eve-log.rotate-count", CONF_OPT_INT, "5", 1, 1000,
        "regular: rotated files kept (<file>.1 newest)"),
    /* Options of one filetype, checked by its sink when it opens (and not
     * read by the others): open subtrees here. See src/output/README.md. */
    OPT("outputs.*.eve-log.facility|level|identity|syslog-socket", CONF_OPT_ANY, NULL, 0, 0,
        "syslog: local5, info, vigil, /dev/log"),
    OPT("outputs.*.eve-log.redis", CONF_OPT_ANY, NULL, 0, 0,
        "redis: server, port, mode, key, pipelining.enabled|batch-size, password"),
    NO_EFFECT("outputs.*.eve-log.redis.async", CONF_OPT_BOOL,
              "Vigil's writer thread is asynchronous already"),
    OPT("outputs.*.eve-log.kafka", CONF_OPT_ANY, NULL, 0, 0,
        "kafka: brokers, topic, key, compression, acks, properties"),
    OPT("outputs.*.eve-log.plugin", CONF_OPT_ANY, NULL, 0, 0,
        "options of a plugin's filetype"),
    OPT("outputs.*.eve-log.filename", CONF_OPT_STR, "eve.json", 0, 0, "in default-log-dir"),
    OPT("outputs.*.eve-log.types.*.alert.enabled|payload|payload-printable|packet|"
        "tagged-packets|payload-length",
        CONF_OPT_BOOL, NULL, 0, 0, "alert records and what they hold"),
    OPT("outputs.*.eve-log.types.*.alert.metadata", CONF_OPT_ANY, NULL, 0, 0,
        "yes/no (all of:) or a map: flow (object), app-layer (tx_id, app object, app_proto), "
        "rule: {metadata (alert.metadata), raw (alert.rule, the rule's text; default no)}"),
    OPT("outputs.*.eve-log.community-id|ethernet", CONF_OPT_BOOL, "no", 0, 0,
        "community_id (Community ID v1) in flow-related records; ether (MAC addresses)"),
    OPT("outputs.*.eve-log.pcap-file", CONF_OPT_BOOL, "no", 0, 0,
        "pcap_filename (the capture file read) in every record of an offline run"),
    OPT("outputs.*.eve-log.ipv6-compress", CONF_OPT_BOOL, "no", 0, 0,
        "IPv6 addresses in compressed form (fe80::1); default the full form, as Suricata"),
    OPT("outputs.*.eve-log.community-id-seed", CONF_OPT_INT, "0", 0, 65535,
        "seed of the Community ID hash (the same on every sensor and tool)"),
    OPT("outputs.*.eve-log.metadata", CONF_OPT_BOOL, "yes", 0, 0,
        "metadata: the flow's flowbits and flowints in alert, anomaly, flow and app records"),
    OPT("outputs.*.eve-log.types.*.anomaly.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "anomaly records"),
    OPT("outputs.*.eve-log.types.*.anomaly.types.decode", CONF_OPT_BOOL, "no", 0, 0,
        "decoder events as anomaly records"),
    OPT("outputs.*.eve-log.types.*.anomaly.types.stream", CONF_OPT_BOOL, "no", 0, 0,
        "stream events as anomaly records"),
    OPT("outputs.*.eve-log.types.*.anomaly.packethdr", CONF_OPT_BOOL, "no", 0, 0,
        "decoder/stream anomaly records carry the packet's first 32 bytes"),
    OPT("outputs.*.eve-log.types.*.anomaly.types.applayer", CONF_OPT_BOOL, "yes", 0, 0,
        "application-layer events as anomaly records"),
    OPT("outputs.*.eve-log.types.*.flow.enabled", CONF_OPT_BOOL, "yes", 0, 0, "flow records"),
    OPT("outputs.*.eve-log.types.*.arp.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "arp records: one per ARP packet"),
    OPT("outputs.*.eve-log.types.*.netflow.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "netflow records: one per direction at flow end"),
    OPT("outputs.*.eve-log.types.*.flow.exception-policy", CONF_OPT_BOOL, "no", 0, 0,
        "flow records list the exception policies the flow met (exception_policy)"),
    OPT("outputs.*.eve-log.types.*.drop.enabled|alerts", CONF_OPT_BOOL, "yes", 0, 0,
        "drop records (inline)"),
    OPT("outputs.*.eve-log.types.*.stats.enabled", CONF_OPT_BOOL, "yes", 0, 0, "stats records"),
    OPT("outputs.*.eve-log.types.*.stats.null-values", CONF_OPT_BOOL, "yes", 0, 0,
        "counters at zero are written (no: left out, groups of zeros too)"),
    OPT("outputs.*.eve-log.types.*.stats.totals|threads", CONF_OPT_BOOL, NULL, 0, 0,
        "totals over all threads; a per-thread object"),
    NO_EFFECT("outputs.*.eve-log.types.*.stats.deltas", CONF_OPT_BOOL,
              "stats records hold the totals"),
    OPT("outputs.*.eve-log.types.*.http.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "http records (one per transaction)"),
    OPT("outputs.*.eve-log.types.*.http2.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "http records of HTTP/2 transactions (the http type covers HTTP/1 only, as Suricata)"),
    OPT("outputs.*.eve-log.types.*.http.extended", CONF_OPT_BOOL, "no", 0, 0,
        "http records with accept*, server and more"),
    ENUM("outputs.*.eve-log.types.*.http.dump-all-headers", "none", "none|both|request|response",
         "every header of request, response or both"),
    OPT("outputs.*.eve-log.types.*.http.custom", CONF_OPT_LIST, NULL, 0, 0,
        "extra headers to log by name"),
    OPT("outputs.*.eve-log.types.*.http|alert.xff.enabled", CONF_OPT_BOOL, "no", 0, 0,
        "X-Forwarded-For in http records / alerts on HTTP transactions"),
    ENUM("outputs.*.eve-log.types.*.http|alert.xff.mode", "extra-data", "extra-data|overwrite",
         "xff as a field, or over the address"),
    ENUM("outputs.*.eve-log.types.*.http|alert.xff.deployment", "reverse", "reverse|forward",
         "reverse: the last entry; forward: the first"),
    OPT("outputs.*.eve-log.types.*.http|alert.xff.header", CONF_OPT_STR, "X-Forwarded-For", 0, 0,
        "header carrying the client address"),
    OPT("outputs.*.eve-log.types.*.files.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "fileinfo records (one per file)"),
    OPT("outputs.*.eve-log.types.*.files.force-hash", CONF_OPT_ANY, NULL, 0, 0,
        "list of md5, sha1, sha256: every file is hashed so, and fileinfo shows them"),
    OPT("outputs.*.eve-log.types.*.files.force-magic", CONF_OPT_BOOL, "no", 0, 0,
        "every file gets its libmagic type (fileinfo magic)"),
    OPT("outputs.*.eve-log.types.*.dns.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "dns records (one per request or response)"),
    ENUM("outputs.*.eve-log.types.*.dns.version", "3", "2|3",
         "record layout: 3 (queries/answers arrays) or 2 (one record per query)"),
    OPT("outputs.*.eve-log.types.*.dns.requests|responses|query|answer", CONF_OPT_BOOL, "yes",
        0, 0, "log requests and/or responses"),
    OPT("outputs.*.eve-log.types.*.dns.formats", CONF_OPT_LIST, NULL, 0, 0,
        "answers as detailed records and/or grouped by type"),
    OPT("outputs.*.eve-log.types.*.dns.types", CONF_OPT_LIST, NULL, 0, 0,
        "only these rrtypes (a, aaaa, cname, ...)"),
    OPT("outputs.*.eve-log.types.*.ssh|quic.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "ssh / quic records (one per flow / per Initial packet)"),
    OPT("outputs.*.eve-log.types.*.tftp|dhcp.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "tftp / dhcp records (one per request / per message)"),
    OPT("outputs.*.eve-log.types.*.dhcp.extended", CONF_OPT_BOOL, "no", 0, 0,
        "dhcp: every message with times, mask, routers, dns servers, params (else ACKs only)"),
    OPT("outputs.*.eve-log.types.*.tls.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "tls records (one per TLS session)"),
    OPT("outputs.*.eve-log.types.*.tls.extended", CONF_OPT_BOOL, "yes", 0, 0,
        "serial, fingerprint, sni, version, dates, ja3/ja3s/ja4, ALPNs, handshakes"),
    OPT("outputs.*.eve-log.types.*.tls.session-resumption", CONF_OPT_BOOL, "no", 0, 0,
        "accepted; resumed sessions are logged when they said hello"),
    OPT("outputs.*.eve-log.types.*.tls.custom", CONF_OPT_LIST, NULL, 0, 0,
        "the tls fields to log (subject, issuer, ..., certificate, chain); replaces extended"),
    OPT("outputs.*.eve-log.types.*.tls.ja4", CONF_OPT_BOOL, "yes", 0, 0,
        "the ja4 field (default: unless app-layer.protocols.tls.ja4-fingerprints is no)"),
    OPT("outputs.*.eve-log.types.*.smtp|ftp.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "smtp records (one per mail transaction) / ftp and ftp_data records"),
    OPT("outputs.*.eve-log.types.*.smb|dcerpc.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "smb records (one per SMB request/response or file) / dcerpc records (per call)"),
    OPT("outputs.*.eve-log.types.*.snmp|llmnr|ldap|ike|pgsql|krb5.enabled", CONF_OPT_BOOL, "yes",
        0, 0, "snmp, llmnr, ike, krb5 records (per message) / ldap, pgsql (per request)"),
    OPT("outputs.*.eve-log.types.*.nfs.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "nfs records (per call and its reply; READ/WRITE: per file)"),
    OPT("outputs.*.eve-log.types.*.mdns|rdp.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "mdns records (per message) / rdp (per PDU of the connection sequence)"),
    OPT("outputs.*.eve-log.types.*.sip|mqtt|websocket|rfb|pop3.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "sip (per request / response), mqtt (per message), websocket (per frame) and rfb "
        "(per session), pop3 (per command and its answer) records"),
    OPT("outputs.*.eve-log.types.*.mqtt.string-log-limit", CONF_OPT_SIZE, NULL, 0, 0,
        "mqtt records: the longest topic / message text written (topic lists together)"),
    OPT("outputs.*.eve-log.types.*.dnp3|enip|modbus.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "industrial records: one per DNP3 message / ENIP or Modbus request and reply"),
    OPT("outputs.*.eve-log.types.*.smtp.extended", CONF_OPT_BOOL, "no", 0, 0,
        "every email field (subject, date, message_id, x_mailer, received, ...)"),
    OPT("outputs.*.eve-log.types.*.smtp.custom", CONF_OPT_LIST, NULL, 0, 0,
        "these email fields (subject, date, message-id, x-mailer, received, ...)"),
    OPT("outputs.*.eve-log.types.*.smtp.md5", CONF_OPT_LIST, NULL, 0, 0,
        "email.body_md5 (with app-layer.protocols.smtp.mime.body-md5) and email.subject_md5: "
        "[body, subject]"),
    OPT("outputs.*.file-store.enabled", CONF_OPT_BOOL, "no", 0, 0,
        "store files that filestore rules ask for (version 2 layout)"),
    ENUM("outputs.*.file-store.version", "2", "2", "files named by SHA-256 in <xx>/ directories"),
    OPT("outputs.*.file-store.dir", CONF_OPT_STR, "filestore", 0, 0,
        "directory of stored files, relative to default-log-dir"),
    OPT("outputs.*.file-store.write-fileinfo", CONF_OPT_BOOL, "no", 0, 0,
        "the fileinfo record beside each stored file (<sha256>.<sec>.<file_id>.json)"),
    OPT("outputs.*.file-store.force-filestore", CONF_OPT_BOOL, "no", 0, 0,
        "store every file, rules or not"),
    OPT("outputs.*.file-store.stream-depth", CONF_OPT_SIZE, "0", 0, 0,
        "accepted; reassembly depth is stream.reassembly.depth alone"),
    OPT("outputs.*.file-store.max-open-files", CONF_OPT_INT, "0", 0, 1000000,
        "files written at once (0: no limit); more are not stored (fs_errors)"),
    NO_EFFECT("outputs.*.file-store.force-hash|force-magic|xff", CONF_OPT_ANY,
              "stored files are hashed (SHA-256) for their name anyway"),
    OPT("outputs.*.pcap-log.enabled|honor-pass-rules", CONF_OPT_BOOL, NULL, 0, 0,
        "pcap-log: write packets; not those of flows a pass rule matched"),
    OPT("outputs.*.pcap-log.filename", CONF_OPT_STR, "log.pcap", 0, 0,
        "pcap-log: files <filename>.<time> in default-log-dir"),
    OPT("outputs.*.pcap-log.limit", CONF_OPT_SIZE, "1000mb", 1024, 0x7fffffffffffLL,
        "pcap-log: a new file past this size"),
    OPT("outputs.*.pcap-log.max-files", CONF_OPT_INT, "2000", 0, 1000000,
        "pcap-log: oldest files removed past this many (0: keep all)"),
    ENUM("outputs.*.pcap-log.conditional", "all", "all|alerts|tag",
         "pcap-log: every packet, flows that alerted, or alerting and tagged packets"),
    ENUM("outputs.*.pcap-log.mode", "normal", "normal", "pcap-log: one file at a time"),
    ENUM("outputs.*.pcap-log.compression", "none", "none", "pcap-log: no compression"),
    NO_EFFECT("outputs.*.pcap-log.use-stream-depth|ring-buffer|sguil-base-dir|dir|"
              "max-file-time|ts-format", CONF_OPT_ANY, "pcap-log options of other modes"),
    OPT("outputs.*.fast|stats.enabled", CONF_OPT_BOOL, "yes", 0, 0, "fast.log, stats.log"),
    OPT("outputs.*.fast|stats.filename", CONF_OPT_STR, NULL, 0, 0, "in default-log-dir"),

    /* ---- inline: NFQUEUE (acquire/acquire-nfq.c) ---- */
    ENUM("nfq.mode", "accept", "accept|repeat|route",
         "verdict for a packet that passes: accept, repeat (with repeat-mark), route"),
    OPT("nfq.repeat-mark", CONF_OPT_INT, "1", 0, 4294967295LL, "mark set on repeated packets"),
    OPT("nfq.repeat-mask", CONF_OPT_INT, "1", 0, 4294967295LL, "bits of the mark repeat-mark sets"),
    OPT("nfq.route-queue", CONF_OPT_INT, "0", 0, 65535, "queue a passing packet goes to (route)"),
    OPT("nfq.bypass-mark", CONF_OPT_INT, "0", 0, 4294967295LL,
        "mark set on the passing packets of bypassed flows (with bypass-mask)"),
    OPT("nfq.bypass-mask", CONF_OPT_INT, "0", 0, 4294967295LL,
        "bits of the mark bypass-mark sets (0: no bypass mark)"),
    OPT("nfq.fail-open", CONF_OPT_BOOL, "no", 0, 0,
        "kernel accepts packets while the queue is full (NFQA_CFG_F_FAIL_OPEN)"),
    OPT("nfq.gso", CONF_OPT_BOOL, "yes", 0, 0,
        "take GSO super-packets unsegmented (their checksums are not validated)"),
    OPT("nfq.queue-maxlen", CONF_OPT_INT, "4096", 1, 1048576, "packets the kernel may queue"),
    OPT("nfq.buffer-size", CONF_OPT_SIZE, "8mb", 65536, 1073741824LL,
        "netlink socket receive buffer"),
    OPT("nfq.batchcount", CONF_OPT_INT, "1", 1, 1024,
        "accept verdicts sent as one batch verdict for up to N packets (1: one each)"),

    /* ---- live capture: AF_PACKET (acquire/acquire-af-packet.c checks it) ---- */
    OPT("af-packet", CONF_OPT_ANY, NULL, 0, 0,
        "list of {interface, threads, cluster-id, cluster-type, ring-size, block-size, "
        "bpf-filter, copy-mode (none|ips|tap), copy-iface}: the entry of the captured "
        "interface, else 'default'"),

    /* ---- profiling (runtime/runtime-profiling.c) ---- */
    OPT("profiling.enabled", CONF_OPT_BOOL, "no", 0, 0,
        "time every thread module, app-layer parser and rule; report in the log dir at exit"),
    OPT("profiling.rules.enabled", CONF_OPT_BOOL, "yes", 0, 0,
        "with profiling.enabled: time each rule check (rule_perf.json)"),
    OPT("profiling.rules.limit", CONF_OPT_INT, "20", 1, 1000000,
        "rules listed in profile.txt and profile.json (rule_perf.json has all)"),

    /* ---- Suricata's, without effect in Vigil ----
     * Named so that a Suricata config or command line (--set) works, with a
     * warning saying the key does nothing here; a misspelt key stays unknown. */
    SURICATA_ONLY("pcap|netmap|pfring|dpdk|nflog|ipfw|napatech|capture"),
    SURICATA_ONLY("coredump|host-mode|pid-file|legacy|security"),
    SURICATA_ONLY("engine-analysis|pcre|luajit|spm-algo|asn1-max-frames|firewall"),
    SURICATA_ONLY("profiling.keywords|prefilter|rulegroups|packets|locks|pcap-log|sghs"),
    NO_EFFECT("profiling.rules.filename|append|json|sort", CONF_OPT_ANY,
              "Vigil always writes rule_perf.json (all rules) and profile.txt in the log dir"),
    SURICATA_ONLY("magic-file"),
    SURICATA_ONLY("geoip-database|default-packet-size|host|ippair|vlan|livedev"),
    /* ---- exception policies (flow/flow-exception.c) ---- */
    ENUM("exception-policy", "auto", EXC_POLICIES, "master switch for every exception policy "
         "not set on its own"),
    ENUM("stream.midstream-policy", "auto", EXC_POLICIES, "a TCP session without its handshake "
         "(not set: the master switch)"),
    ENUM("stream.memcap-policy", "auto", EXC_POLICIES, "stream.memcap reached: no session "
         "(not set: the master switch)"),
    ENUM("stream.reassembly.memcap-policy", "auto", EXC_POLICIES, "stream.reassembly.memcap "
         "reached (not set: the master switch)"),
    ENUM("app-layer.error-policy", "auto", EXC_POLICIES, "an app-layer parser failed "
         "(not set: the master switch)"),
    ENUM("flow.memcap-policy", "auto", EXC_POLICIES, "flow.memcap reached: a packet left "
         "without a flow (not set: the master switch)"),
    ENUM("defrag.memcap-policy", "auto", EXC_POLICIES, "defrag.memcap reached: a fragment "
         "refused (packet policies only; not set: the master switch)"),
    ENUM("defrag.trackers-policy", "auto", EXC_POLICIES, "defrag.trackers reached: a fragment "
         "of a new datagram refused (packet policies only; not set: the master switch)"),
    ENUM("defrag.max-frags-policy", "auto", EXC_POLICIES, "defrag.max-frags reached: a fragment "
         "refused (packet policies only; not set: the master switch)"),
    /* Test hooks set by the --simulate-* options (0: off). */
    OPT("simulate.tcp-ssn-memcap-packet", CONF_OPT_INT, "0", 0, INT64_MAX,
        "act as if stream.memcap were reached at this capture packet"),
    OPT("simulate.tcp-reassembly-memcap-packet", CONF_OPT_INT, "0", 0, INT64_MAX,
        "act as if stream.reassembly.memcap were reached at this capture packet"),
    OPT("simulate.applayer-error-offset-ts", CONF_OPT_INT, "-1", -1, INT64_MAX,
        "act as if the app-layer parser failed on to-server data at this offset (-1: off)"),
    SURICATA_ONLY("stats.decoder-events|decoder-events-prefix|stream-events|exception-policy"),
    SURICATA_ONLY("flow.managers|recyclers|prune-flows|hash-size-policy"),
    SURICATA_ONLY("stream.drop-invalid|prealloc-sessions"),
    SURICATA_ONLY("stream.reassembly.urgent.oob-limit-policy"),
    SURICATA_ONLY("stream.reassembly.randomize-chunk-size|"
                  "randomize-chunk-range|raw|segment-prealloc|check-overlap-different-data|"
                  "max-regions"),
};

const ConfSchemaPart conf_schema_vigil_keys = {NULL, vigil_keys,
                                              sizeof(vigil_keys) / sizeof(vigil_keys[0])};
