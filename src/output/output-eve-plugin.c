/* EVE records of app-layer protocols without a logger of their own: plugin protocols
 * and the built-in ones listed in generic_protos (SIP, MQTT, WebSocket, RFB). One record
 * per tx, once complete both ways, when `types:` of eve-log names the protocol (without
 * an `outputs:` list: the built-in ones, as every other record type). The object inside comes
 * from the protocol's log_json. Caller holds f->lock. */
#include "output/output-eve-http.h"

#include "app-layer/app-layer.h"
#include "output/output.h"

/* Built-in protocols logged here (plugin protocols always are). */
static const AppProto generic_protos[] = {
    APP_PROTO_SIP,
    APP_PROTO_MQTT,
    APP_PROTO_WEBSOCKET,
    APP_PROTO_RFB,
};

/* Bit per protocol id: written at start-up. */
static uint64_t g_enabled;

static bool is_generic(AppProto p)
{
    if (p >= APP_PROTO_MAX_BUILTIN && p < APP_PROTO_MAX) {
        return true;
    }
    for (size_t i = 0; i < sizeof(generic_protos) / sizeof(generic_protos[0]); i++) {
        if (generic_protos[i] == p) {
            return true;
        }
    }
    return false;
}

_Static_assert(APP_PROTO_MAX <= 64, "g_enabled has a bit per protocol");

bool output_eve_plugin_type(const char *name, bool enabled)
{
    AppProto p = app_proto_by_name(name);
    if (p == APP_PROTO_UNKNOWN || !is_generic(p) || app_proto_name(p) == NULL) {
        return false;
    }
    uint64_t bit = 1ull << p;
    g_enabled = enabled ? (g_enabled | bit) : (g_enabled & ~bit);
    app_layer_set_proto_logged(p, OUTPUT_TX_LOGGER_PLUGIN, enabled);
    return true;
}

void output_eve_plugin_defaults(void)
{
    for (size_t i = 0; i < sizeof(generic_protos) / sizeof(generic_protos[0]); i++) {
        const char *name = app_proto_name(generic_protos[i]);
        if (name != NULL) {
            (void)output_eve_plugin_type(name, true);
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
