/* The one list of built-in rule keywords. Adding a keyword: one descriptor in
 * its family's file, one line here. */

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-hash.h"

const DetectKeyword *const detect_keywords[] = {
    &detect_kw_msg, &detect_kw_sid, &detect_kw_rev, &detect_kw_gid, &detect_kw_classtype,
    &detect_kw_priority, &detect_kw_reference, &detect_kw_metadata, &detect_kw_target,
    &detect_kw_prefilter, &detect_kw_alert,
    &detect_kw_content, &detect_kw_nocase, &detect_kw_rawbytes, &detect_kw_offset,
    &detect_kw_depth, &detect_kw_distance, &detect_kw_within, &detect_kw_startswith,
    &detect_kw_endswith, &detect_kw_fast_pattern, &detect_kw_isdataat, &detect_kw_asn1, &detect_kw_dsize,
    &detect_kw_pkt_data,
    &detect_kw_pcre,
    &detect_kw_byte_test, &detect_kw_byte_jump, &detect_kw_byte_extract, &detect_kw_byte_math,
    &detect_kw_flow,
    &detect_kw_flow_pkts, &detect_kw_flow_bytes, &detect_kw_flow_pkts_toserver,
    &detect_kw_flow_pkts_toclient, &detect_kw_flow_bytes_toserver,
    &detect_kw_flow_bytes_toclient, &detect_kw_flow_age, &detect_kw_stream_size,
    &detect_kw_flowbits, &detect_kw_flowint, &detect_kw_noalert,
    &detect_kw_hostbits, &detect_kw_xbits, &detect_kw_tag, &detect_kw_dataset,
    &detect_kw_datarep,
    &detect_kw_bypass,
    &detect_kw_iprep,
    &detect_kw_ttl, &detect_kw_tos, &detect_kw_id, &detect_kw_ipopts, &detect_kw_fragbits,
    &detect_kw_fragoffset, &detect_kw_ip_proto, &detect_kw_sameip,
    &detect_kw_flags, &detect_kw_seq, &detect_kw_ack, &detect_kw_window, &detect_kw_tcp_flags,
    &detect_kw_tcp_mss, &detect_kw_tcp_seq, &detect_kw_tcp_ack, &detect_kw_tcp_window,
    &detect_kw_itype, &detect_kw_icode, &detect_kw_icmp_id, &detect_kw_icmp_seq,
    &detect_kw_threshold, &detect_kw_detection_filter,
    &detect_kw_decode_event,
    &detect_kw_stream_event,
    &detect_kw_ipv4_hdr, &detect_kw_ipv6_hdr, &detect_kw_tcp_hdr, &detect_kw_udp_hdr,
    &detect_kw_icmpv4_hdr, &detect_kw_icmpv6_hdr, &detect_kw_ip_src, &detect_kw_ip_dst,
    &detect_kw_vlan_id, &detect_kw_vlan_layers,
    &detect_kw_ipv4_csum, &detect_kw_tcpv4_csum, &detect_kw_tcpv6_csum, &detect_kw_udpv4_csum,
    &detect_kw_udpv6_csum, &detect_kw_icmpv4_csum, &detect_kw_icmpv6_csum,
    &detect_kw_http_uri, &detect_kw_http_raw_uri, &detect_kw_http_method, &detect_kw_http_header,
    &detect_kw_http_raw_header, &detect_kw_http_cookie, &detect_kw_http_user_agent,
    &detect_kw_http_host, &detect_kw_http_raw_host, &detect_kw_http_client_body,
    &detect_kw_http_server_body, &detect_kw_http_stat_code, &detect_kw_http_stat_msg,
    &detect_kw_uricontent, &detect_kw_urilen, &detect_kw_bsize,
    &detect_kw_app_layer_protocol, &detect_kw_app_layer_event,
    &detect_kw_file_name, &detect_kw_file_magic, &detect_kw_filename, &detect_kw_filemagic,
    &detect_kw_fileext, &detect_kw_filemd5, &detect_kw_filesha1, &detect_kw_filesha256,
    &detect_kw_filesize, &detect_kw_filestore,
    &detect_kw_url_decode, &detect_kw_to_lowercase, &detect_kw_to_uppercase,
    &detect_kw_strip_whitespace, &detect_kw_compress_whitespace, &detect_kw_dotprefix,
    &detect_kw_absent, &detect_kw_from_base64, &detect_kw_base64_decode, &detect_kw_base64_data,
    &detect_kw_pcrexform, &detect_kw_zlib_deflate, &detect_kw_xor, &detect_kw_subslice,
    &detect_kw_gunzip, &detect_kw_to_md5, &detect_kw_to_sha1, &detect_kw_to_sha256,
    &detect_kw_dns_opcode, &detect_kw_dns_rcode, &detect_kw_dns_rrtype, &detect_kw_dns_query_legacy,
    &detect_kw_tls_sni_legacy, &detect_kw_tls_cert_subject_legacy,
    &detect_kw_tls_cert_issuer_legacy, &detect_kw_tls_cert_serial_legacy,
    &detect_kw_tls_cert_fingerprint_legacy, &detect_kw_ja3_hash_legacy,
    &detect_kw_ja3_string_legacy, &detect_kw_ja3s_hash_legacy, &detect_kw_ja3s_string_legacy,
    &detect_kw_tls_subject, &detect_kw_tls_issuerdn, &detect_kw_tls_fingerprint,
    &detect_kw_tls_version, &detect_kw_ssl_version, &detect_kw_ssl_state,
    &detect_kw_tls_cert_chain_len, &detect_kw_tls_cert_notbefore, &detect_kw_tls_cert_notafter,
    &detect_kw_tls_cert_expired, &detect_kw_tls_cert_valid, &detect_kw_tls_store,
    &detect_kw_ssh_protoversion, &detect_kw_ssh_softwareversion, &detect_kw_ssh_proto_legacy,
    &detect_kw_ssh_software_legacy, &detect_kw_ssh_hassh, &detect_kw_ssh_hassh_string,
    &detect_kw_ssh_hassh_server, &detect_kw_ssh_hassh_server_string,
    &detect_kw_requires,
    &detect_kw_ftp_mode, &detect_kw_ftp_reply_received, &detect_kw_ftp_dynamic_port,
    &detect_kw_ftpbounce, &detect_kw_ftpdata_command,
    &detect_kw_dhcp_leasetime, &detect_kw_dhcp_rebinding_time, &detect_kw_dhcp_renewal_time,
    &detect_kw_dcerpc_iface, &detect_kw_dce_iface, &detect_kw_dcerpc_opnum, &detect_kw_dce_opnum,
    &detect_kw_dce_stub_data, &detect_kw_smb_named_pipe_legacy, &detect_kw_smb_share_legacy,
    &detect_kw_smb_version,
    &detect_kw_frame,
    &detect_kw_http2_frametype, &detect_kw_http2_errorcode, &detect_kw_http2_priority,
    &detect_kw_http2_window, &detect_kw_http2_size_update, &detect_kw_http2_settings,
    &detect_kw_snmp_version, &detect_kw_snmp_pdu_type, &detect_kw_snmp_trap_type,
    &detect_kw_ldap_request_operation, &detect_kw_ldap_responses_operation,
    &detect_kw_ldap_responses_count, &detect_kw_ldap_responses_result_code,
    &detect_kw_ike_exchtype, &detect_kw_ike_ke_len, &detect_kw_ike_nonce_len,
    &detect_kw_ike_chosen_sa,
    &detect_kw_krb5_msg_type, &detect_kw_krb5_err_code,
    &detect_kw_nfs_procedure, &detect_kw_nfs_version, &detect_kw_nfs_version_legacy,
    &detect_kw_mqtt_type, &detect_kw_mqtt_flags, &detect_kw_mqtt_qos, &detect_kw_mqtt_reason_code,
    &detect_kw_mqtt_connack_return_code, &detect_kw_mqtt_protocol_version,
    &detect_kw_mqtt_connect_flags, &detect_kw_mqtt_connack_session_present,
    &detect_kw_websocket_opcode, &detect_kw_websocket_flags, &detect_kw_websocket_mask,
    &detect_kw_rfb_sectype, &detect_kw_rfb_secresult,
    &detect_kw_dnp3_func, &detect_kw_dnp3_func_dot, &detect_kw_dnp3_ind, &detect_kw_dnp3_ind_dot,
    &detect_kw_dnp3_obj, &detect_kw_dnp3_obj_dot, &detect_kw_dnp3_data,
    &detect_kw_enip_command, &detect_kw_enip_command_dot, &detect_kw_enip_status,
    &detect_kw_cip_service, &detect_kw_modbus,
};

const size_t detect_n_keywords = sizeof(detect_keywords) / sizeof(detect_keywords[0]);

/* Name -> keyword, built once: a rule parse looks up every option (~345,000 lookups for
 * ET Open, a linear scan of the list each: ~5% of start-up, issue 15). Open addressing
 * over a power of two at least twice the list; the first keyword of a name wins, as the
 * scan did. */
#define KW_INDEX_SLOTS 1024u
static const DetectKeyword *g_kw_index[KW_INDEX_SLOTS];
static pthread_once_t g_kw_index_once = PTHREAD_ONCE_INIT;
static bool g_kw_index_ok;   // written once under g_kw_index_once

static uint32_t kw_slot(const char *name)
{
    return (uint32_t)util_hash_bytes((const uint8_t *)name, (uint32_t)strlen(name)) &
           (KW_INDEX_SLOTS - 1);
}

static void kw_index_build(void)
{
    if (detect_n_keywords * 2 > KW_INDEX_SLOTS) {
        return;   // too many for the index: the scan below
    }
    for (size_t i = 0; i < detect_n_keywords; i++) {
        uint32_t s = kw_slot(detect_keywords[i]->name);
        while (g_kw_index[s] != NULL && strcmp(g_kw_index[s]->name, detect_keywords[i]->name)) {
            s = (s + 1) & (KW_INDEX_SLOTS - 1);
        }
        if (g_kw_index[s] == NULL) {
            g_kw_index[s] = detect_keywords[i];
        }
    }
    g_kw_index_ok = true;
}

const DetectKeyword *detect_keyword_find(const char *name)
{
    (void)pthread_once(&g_kw_index_once, kw_index_build);
    if (g_kw_index_ok) {
        for (uint32_t s = kw_slot(name); g_kw_index[s] != NULL;
             s = (s + 1) & (KW_INDEX_SLOTS - 1)) {
            if (strcmp(g_kw_index[s]->name, name) == 0) {
                return g_kw_index[s];
            }
        }
        return detect_plugin_keyword_find(name);
    }
    for (size_t i = 0; i < detect_n_keywords; i++) {
        if (strcmp(detect_keywords[i]->name, name) == 0) {
            return detect_keywords[i];
        }
    }
    return detect_plugin_keyword_find(name);
}
