#ifndef VG_DETECT_KEYWORDS_DETECT_KW_H
#define VG_DETECT_KEYWORDS_DETECT_KW_H

/* Keyword descriptors (one const struct each, listed in detect-kw-list.c) and
 * helpers shared by keyword files. Internal to src/detect/. */

#include "detect/detect-internal.h"

/* Unsigned comparisons used by ttl, id, dsize, window, itype, ...:
 * "N", "=N", "<N", ">N", "<=N", ">=N", "!N", "!=N", "N<>M" and "N-M" (both exclusive,
 * as Suricata documents), "!N-M", "&mask=v", "&mask!=v" (lo = mask, hi = v). */
enum { DETECT_U_EQ = 0, DETECT_U_LT, DETECT_U_GT, DETECT_U_LE, DETECT_U_GE, DETECT_U_NE,
       DETECT_U_RANGE, DETECT_U_NRANGE, DETECT_U_BAND_EQ, DETECT_U_BAND_NE };

typedef struct DetectUint {
    uint8_t mode;
    uint64_t lo;
    uint64_t hi;
} DetectUint;

int detect_uint_parse(DetectParser *dp, const char *arg, uint64_t max, DetectUint *out);
bool detect_uint_match(const DetectUint *u, uint64_t v);
/* Parses and appends a DetectUint to the match list for kw. */
int detect_uint_setup(DetectParser *dp, const char *arg, uint64_t max, const DetectKeyword *kw);

/* String to an integer in [min, max]; false when not a whole number. */
bool detect_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

extern const DetectKeyword detect_kw_msg, detect_kw_sid, detect_kw_rev, detect_kw_gid,
    detect_kw_classtype, detect_kw_priority, detect_kw_reference, detect_kw_metadata,
    detect_kw_target, detect_kw_prefilter, detect_kw_alert;
extern const DetectKeyword detect_kw_content, detect_kw_nocase, detect_kw_rawbytes,
    detect_kw_offset, detect_kw_depth, detect_kw_distance, detect_kw_within,
    detect_kw_startswith, detect_kw_endswith, detect_kw_fast_pattern, detect_kw_isdataat,
    detect_kw_dsize, detect_kw_pkt_data;
extern const DetectKeyword detect_kw_pcre;
extern const DetectKeyword detect_kw_asn1;   // detect-kw-asn1.c
extern const DetectKeyword detect_kw_byte_test, detect_kw_byte_jump, detect_kw_byte_extract,
    detect_kw_byte_math;
extern const DetectKeyword detect_kw_flow;
extern const DetectKeyword detect_kw_flowbits, detect_kw_flowint, detect_kw_noalert;
extern const DetectKeyword detect_kw_ttl, detect_kw_tos, detect_kw_id, detect_kw_ipopts,
    detect_kw_fragbits, detect_kw_fragoffset, detect_kw_ip_proto, detect_kw_sameip;
extern const DetectKeyword detect_kw_flags, detect_kw_seq, detect_kw_ack, detect_kw_window,
    detect_kw_tcp_flags, detect_kw_tcp_mss, detect_kw_tcp_seq, detect_kw_tcp_ack,
    detect_kw_tcp_window;
extern const DetectKeyword detect_kw_itype, detect_kw_icode, detect_kw_icmp_id,
    detect_kw_icmp_seq;
extern const DetectKeyword detect_kw_threshold, detect_kw_detection_filter;
extern const DetectKeyword detect_kw_decode_event;
extern const DetectKeyword detect_kw_stream_event;
extern const DetectKeyword detect_kw_flow_pkts, detect_kw_flow_bytes,
    detect_kw_flow_pkts_toserver, detect_kw_flow_pkts_toclient, detect_kw_flow_bytes_toserver,
    detect_kw_flow_bytes_toclient, detect_kw_flow_age, detect_kw_stream_size;
extern const DetectKeyword detect_kw_vlan_id, detect_kw_vlan_layers;
extern const DetectKeyword detect_kw_hostbits, detect_kw_xbits, detect_kw_tag;
extern const DetectKeyword detect_kw_bypass;   // detect-kw-bypass.c
extern const DetectKeyword detect_kw_ip_src, detect_kw_ip_dst;   // detect-kw-buffer.c
extern const DetectKeyword detect_kw_dataset, detect_kw_datarep, detect_kw_iprep;
extern const DetectKeyword detect_kw_ipv4_csum, detect_kw_tcpv4_csum, detect_kw_tcpv6_csum,
    detect_kw_udpv4_csum, detect_kw_udpv6_csum, detect_kw_icmpv4_csum, detect_kw_icmpv6_csum;
/* A keyword argument split on commas into trimmed tokens (keyword-argument
 * helper shared by the keyword files, detect-kw-tokens.c). */
#define DETECT_KW_MAX_TOKENS 20

typedef struct DetectKwTokens {
    char buf[512];
    char *t[DETECT_KW_MAX_TOKENS];
    int n;
} DetectKwTokens;

/* Splits arg into at most max_tokens (<= DETECT_KW_MAX_TOKENS) tokens with
 * spaces trimmed. Empty tokens are refused unless allow_empty. Returns 0, or
 * detect_err's value with the reason recorded on dp. */
int detect_kw_split(DetectParser *dp, const char *arg, DetectKwTokens *tk, int max_tokens,
                    bool allow_empty);

extern const DetectKeyword detect_kw_http_uri, detect_kw_http_raw_uri, detect_kw_http_method,
    detect_kw_http_header, detect_kw_http_raw_header, detect_kw_http_cookie,
    detect_kw_http_user_agent, detect_kw_http_host, detect_kw_http_raw_host,
    detect_kw_http_client_body, detect_kw_http_server_body, detect_kw_http_stat_code,
    detect_kw_http_stat_msg, detect_kw_uricontent, detect_kw_urilen, detect_kw_bsize;
extern const DetectKeyword detect_kw_app_layer_protocol, detect_kw_app_layer_event;
extern const DetectKeyword detect_kw_url_decode, detect_kw_to_lowercase, detect_kw_to_uppercase,
    detect_kw_strip_whitespace, detect_kw_compress_whitespace, detect_kw_dotprefix,
    detect_kw_absent, detect_kw_from_base64;
extern const DetectKeyword detect_kw_base64_decode, detect_kw_base64_data;
extern const DetectKeyword detect_kw_pcrexform, detect_kw_zlib_deflate, detect_kw_xor,
    detect_kw_subslice, detect_kw_gunzip, detect_kw_to_md5, detect_kw_to_sha1,
    detect_kw_to_sha256;
extern const DetectKeyword detect_kw_file_name, detect_kw_file_magic, detect_kw_filename,
    detect_kw_filemagic, detect_kw_fileext, detect_kw_filemd5, detect_kw_filesha1,
    detect_kw_filesha256, detect_kw_filesize, detect_kw_filestore;
/* detect-kw-tls.c */
extern const DetectKeyword detect_kw_tls_sni_legacy, detect_kw_tls_cert_subject_legacy,
    detect_kw_tls_cert_issuer_legacy, detect_kw_tls_cert_serial_legacy,
    detect_kw_tls_cert_fingerprint_legacy, detect_kw_ja3_hash_legacy, detect_kw_ja3_string_legacy,
    detect_kw_ja3s_hash_legacy, detect_kw_ja3s_string_legacy, detect_kw_tls_subject,
    detect_kw_tls_issuerdn, detect_kw_tls_fingerprint, detect_kw_tls_version,
    detect_kw_ssl_version, detect_kw_ssl_state, detect_kw_tls_cert_chain_len,
    detect_kw_tls_cert_notbefore, detect_kw_tls_cert_notafter, detect_kw_tls_cert_expired,
    detect_kw_tls_cert_valid, detect_kw_tls_store;
extern const DetectKeyword detect_kw_dns_opcode, detect_kw_dns_rcode, detect_kw_dns_rrtype,
    detect_kw_dns_query_legacy;

extern const DetectKeyword detect_kw_ipv4_hdr, detect_kw_ipv6_hdr, detect_kw_tcp_hdr,
    detect_kw_udp_hdr, detect_kw_icmpv4_hdr, detect_kw_icmpv6_hdr;

extern const DetectKeyword detect_kw_ssh_protoversion, detect_kw_ssh_softwareversion,
    detect_kw_ssh_proto_legacy, detect_kw_ssh_software_legacy, detect_kw_ssh_hassh,
    detect_kw_ssh_hassh_string, detect_kw_ssh_hassh_server, detect_kw_ssh_hassh_server_string;
extern const DetectKeyword detect_kw_http2_frametype, detect_kw_http2_errorcode,
    detect_kw_http2_priority, detect_kw_http2_window, detect_kw_http2_size_update,
    detect_kw_http2_settings;
/* detect-kw-mqtt.c */
extern const DetectKeyword detect_kw_mqtt_type, detect_kw_mqtt_flags, detect_kw_mqtt_qos,
    detect_kw_mqtt_reason_code, detect_kw_mqtt_connack_return_code,
    detect_kw_mqtt_protocol_version, detect_kw_mqtt_connect_flags,
    detect_kw_mqtt_connack_session_present;
/* detect-kw-websocket.c */
extern const DetectKeyword detect_kw_websocket_opcode, detect_kw_websocket_flags,
    detect_kw_websocket_mask;
/* detect-kw-rfb.c */
extern const DetectKeyword detect_kw_rfb_sectype, detect_kw_rfb_secresult;

/* detect-kw-snmp.c */
extern const DetectKeyword detect_kw_snmp_version, detect_kw_snmp_pdu_type;
/* detect-kw-ike.c */
extern const DetectKeyword detect_kw_ike_exchtype, detect_kw_ike_ke_len, detect_kw_ike_nonce_len,
    detect_kw_ike_chosen_sa;
/* detect-kw-krb5.c */
extern const DetectKeyword detect_kw_krb5_msg_type, detect_kw_krb5_err_code;
/* detect-kw-nfs.c */
extern const DetectKeyword detect_kw_nfs_procedure, detect_kw_nfs_version,
    detect_kw_nfs_version_legacy;
/* detect-kw-ldap.c */
extern const DetectKeyword detect_kw_ldap_request_operation, detect_kw_ldap_responses_operation,
    detect_kw_ldap_responses_count, detect_kw_ldap_responses_result_code;

/* detect-kw-requires.c */
extern const DetectKeyword detect_kw_requires;
/* Evaluates the `requires` option of a rule's text before it is parsed: 1 met (or no
 * such option), 0 not met (why: "missing a required ..."), VG_EINVAL malformed (why
 * says so). */
int detect_requires_check(const char *rule, char *why, size_t whylen);
/* Same for the option's value alone. */
int detect_requires_eval(const char *val, size_t len, char *why, size_t whylen);
/* detect-kw-plugin.c: keywords plugins registered (NULL when none has that name). */
const DetectKeyword *detect_plugin_keyword_find(const char *name);
extern const DetectKeyword detect_kw_ftp_mode, detect_kw_ftp_reply_received,
    detect_kw_ftp_dynamic_port, detect_kw_ftpbounce, detect_kw_ftpdata_command;
extern const DetectKeyword detect_kw_dhcp_leasetime, detect_kw_dhcp_rebinding_time,
    detect_kw_dhcp_renewal_time;
/* detect-kw-dcerpc.c */
extern const DetectKeyword detect_kw_dcerpc_iface, detect_kw_dce_iface, detect_kw_dcerpc_opnum,
    detect_kw_dce_opnum, detect_kw_dce_stub_data, detect_kw_smb_named_pipe_legacy,
    detect_kw_smb_share_legacy, detect_kw_smb_version;

/* detect-kw-dnp3.c */
extern const DetectKeyword detect_kw_dnp3_func, detect_kw_dnp3_func_dot, detect_kw_dnp3_ind,
    detect_kw_dnp3_ind_dot, detect_kw_dnp3_obj, detect_kw_dnp3_obj_dot, detect_kw_dnp3_data;
/* detect-kw-enip.c */
extern const DetectKeyword detect_kw_enip_command, detect_kw_enip_command_dot,
    detect_kw_enip_status, detect_kw_cip_service;
/* detect-kw-modbus.c */
extern const DetectKeyword detect_kw_modbus;

/* A keyword that only selects an app-layer sticky buffer under an older
 * name (tls_sni for tls.sni): defines detect_kw_<ident>. Needs
 * detect-internal.h (detect_app_select_buffer). */
#define LEGACY_BUFFER(ident, kwname, buf)                                                  \
    static int setup_##ident(DetectParser *dp, const char *arg)                           \
    {                                                                                      \
        (void)arg;                                                                         \
        return detect_app_select_buffer(dp, buf);                                          \
    }                                                                                      \
    const DetectKeyword detect_kw_##ident = {                                              \
        .name = kwname, .desc = "sticky buffer: " buf " (legacy name)",                   \
        .flags = DETECT_KW_NOOPT, .setup = setup_##ident,                                  \
    };

#endif
