/* EVE records of plugin app-layer protocols: one per tx, once complete both
 * ways, when `types:` of eve-log names the protocol. The object inside comes
 * from the plugin's log_json (app-layer-plugin.c frames it). Caller holds
 * f->lock. */
#include "output/output-eve-http.h"

#include "app-layer/app-layer.h"
#include "output/output.h"

/* Bit per plugin protocol (id - APP_PROTO_MAX_BUILTIN): written at start-up. */
static uint32_t g_enabled;

bool output_eve_plugin_type(const char *name, bool enabled)
{
    AppProto p = app_proto_by_name(name);
    if (p < APP_PROTO_MAX_BUILTIN || p >= APP_PROTO_MAX) {
        return false;
    }
    uint32_t bit = 1u << (p - APP_PROTO_MAX_BUILTIN);
    g_enabled = enabled ? (g_enabled | bit) : (g_enabled & ~bit);
    app_layer_set_proto_logged(p, OUTPUT_TX_LOGGER_PLUGIN, enabled);
    return true;
}

bool output_eve_plugin_any(void)
{
    return g_enabled != 0;
}

void output_eve_plugin_log(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    if (tx->proto < APP_PROTO_MAX_BUILTIN || tx->proto >= APP_PROTO_MAX ||
        !(g_enabled & (1u << (tx->proto - APP_PROTO_MAX_BUILTIN))) ||
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
