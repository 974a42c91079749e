/* The built-in app-layer parsers, one row each. Adding a protocol: one folder under
 * src/app-layer/, one row here, one APP_PROTO_* value in app-layer.h. */
#include "app-layer/app-layer-internal.h"

extern const AppParserDesc app_parser_http;
extern const AppParserDesc app_parser_dns;
extern const AppParserDesc app_parser_tls;
extern const AppParserDesc app_parser_ssh;
extern const AppParserDesc app_parser_quic;
extern const AppParserDesc app_parser_smtp;
extern const AppParserDesc app_parser_ftp;
extern const AppParserDesc app_parser_ftp_data;
extern const AppParserDesc app_parser_http2;
extern const AppParserDesc app_parser_doh2;
extern const AppParserDesc app_parser_smb;
extern const AppParserDesc app_parser_dcerpc;
extern const AppParserDesc app_parser_dnp3;
extern const AppParserDesc app_parser_enip;
extern const AppParserDesc app_parser_modbus;
extern const AppParserDesc app_parser_tftp;
extern const AppParserDesc app_parser_dhcp;
extern const AppParserDesc app_parser_snmp;
extern const AppParserDesc app_parser_llmnr;
extern const AppParserDesc app_parser_ldap;
extern const AppParserDesc app_parser_ike;
extern const AppParserDesc app_parser_pgsql;
extern const AppParserDesc app_parser_krb5;
extern const AppParserDesc app_parser_nfs;
extern const AppParserDesc app_parser_sip;
extern const AppParserDesc app_parser_mqtt;
extern const AppParserDesc app_parser_websocket;
extern const AppParserDesc app_parser_rfb;
extern const AppParserDesc app_parser_mdns;
extern const AppParserDesc app_parser_rdp;
extern const AppParserDesc app_parser_ntp;
extern const AppParserDesc app_parser_telnet;
extern const AppParserDesc app_parser_pop3;

const AppParserDesc *const app_parser_rows[] = {
    &app_parser_http,
    &app_parser_dns,
    &app_parser_tls,
    &app_parser_ssh,
    &app_parser_quic,
    &app_parser_smtp,
    &app_parser_ftp,
    &app_parser_ftp_data,
    &app_parser_http2,
    &app_parser_doh2,
    &app_parser_dcerpc,          // before smb: dcerpc.stub_data alone names dcerpc
    &app_parser_smb,
    &app_parser_dnp3,
    &app_parser_enip,
    &app_parser_modbus,
    &app_parser_tftp,
    &app_parser_dhcp,
    &app_parser_snmp,
    &app_parser_llmnr,
    &app_parser_ldap,
    &app_parser_ike,
    &app_parser_pgsql,
    &app_parser_krb5,
    &app_parser_nfs,
    &app_parser_sip,
    &app_parser_mqtt,
    &app_parser_websocket,
    &app_parser_rfb,
    &app_parser_mdns,
    &app_parser_rdp,
    &app_parser_ntp,
    &app_parser_telnet,
    &app_parser_pop3,
};
const uint32_t app_parser_n_rows = sizeof(app_parser_rows) / sizeof(app_parser_rows[0]);
