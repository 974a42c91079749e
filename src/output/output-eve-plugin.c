/* EVE records of app-layer protocols whose record is the tx's object alone, written once
 * the tx is complete both ways: plugin protocols, and the built-in ones listed in
 * generic_proto (SNMP, LLMNR, LDAP, IKE, PGSQL, KRB5). A record type is on when `types:` of eve-log names the
 * protocol (or with the built-in defaults when there is no eve-log configuration). The
 * object inside comes from the protocol's log_json. Caller holds f->lock. */
#include "output/output-eve-http.h"

#include "app-layer/app-layer.h"
#include "output/output.h"

_Static_assert(APP_PROTO_MAX <= 64, "one bit per protocol in g_enabled");

/* Bit per protocol id: written at start-up. */
static uint64_t g_enabled;

static bool generic_proto(AppProto p)
{
    if (p >= APP_PROTO_MAX_BUILTIN && p < APP_PROTO_MAX) {
        return true;             // a plugin's protocol
    }
    return p == APP_PROTO_SNMP || p == APP_PROTO_LLMNR || p == APP_PROTO_LDAP ||
           p == APP_PROTO_IKE || p == APP_PROTO_PGSQL || p == APP_PROTO_KRB5;
}

bool output_eve_plugin_type(const char *name, bool enabled)
{
    AppProto p = app_proto_by_name(name);
    if (p == APP_PROTO_UNKNOWN || !generic_proto(p)) {
        return false;
    }
    uint64_t bit = 1ull << p;
    g_enabled = enabled ? (g_enabled | bit) : (g_enabled & ~bit);
    app_layer_set_proto_logged(p, OUTPUT_TX_LOGGER_PLUGIN, enabled);
    return true;
}

void output_eve_generic_defaults(void)
{
    for (AppProto p = 1; p < APP_PROTO_MAX_BUILTIN; p++) {
        if (generic_proto(p) && app_proto_name(p) != NULL) {
            (void)output_eve_plugin_type(app_proto_name(p), true);
        }
    }
}

bool output_eve_plugin_any(void)
{
    return g_enabled != 0;
}

void output_eve_plugin_log(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    if (tx->proto >= APP_PROTO_MAX || !(g_enabled & (1ull << tx->proto)) ||
        (tx->logged & OUTPUT_TX_LOGGER_PLUGIN) || !app_layer_tx_complete(f, tx, 0) ||
        !app_layer_tx_complete(f, tx, 1)) {
        return;
    }
    eve_begin_flow_dir(lg->jb, f, lg->sec, lg->usec, app_proto_name(tx->proto), false,
                       lg->pcap_cnt, lg->pkt_src);
    json_u64(lg->jb, "tx_id", tx->id);
    (void)app_layer_tx_log_json(f, tx->id, lg->jb);
    json_close_object(lg->jb);
    lg->write(lg->jb, lg->user);
    tx->logged |= OUTPUT_TX_LOGGER_PLUGIN;
}
