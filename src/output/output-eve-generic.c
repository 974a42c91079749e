/* EVE records of the protocols without a logger of their own: the plugin
 * protocols and the built-in rows flagged eve_generic (TFTP...). One record per
 * tx once complete both ways, event_type the protocol's name, when `types:` of
 * eve-log names the protocol (or has no `types:`). The object inside comes from
 * the row's log_json. Caller holds f->lock. */
#include "output/output-eve-http.h"

#include "app-layer/app-layer.h"
#include "output/output.h"

/* Per protocol: records on. Written at start-up only. */
static bool g_enabled[APP_PROTO_MAX];
static bool g_any;

bool output_eve_generic_type(const char *name, const struct ConfNode *opts, bool enabled)
{
    AppProto p = app_proto_by_name(name);
    if (p == APP_PROTO_UNKNOWN || p >= APP_PROTO_MAX || !app_layer_proto_eve_generic(p)) {
        return false;
    }
    app_layer_proto_eve_options(p, opts);
    g_enabled[p] = enabled;
    g_any = g_any || enabled;
    app_layer_set_proto_logged(p, OUTPUT_TX_LOGGER_GENERIC, enabled);
    return true;
}

void output_eve_generic_all(void)
{
    for (AppProto p = 1; p < APP_PROTO_MAX; p++) {
        if (app_layer_proto_eve_generic(p)) {
            (void)output_eve_generic_type(app_proto_name(p), NULL, true);
        }
    }
}

bool output_eve_generic_any(void)
{
    return g_any;
}

void output_eve_generic_log(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    if (tx->proto >= APP_PROTO_MAX || !g_enabled[tx->proto] ||
        (tx->logged & OUTPUT_TX_LOGGER_GENERIC) || !app_layer_tx_complete(f, tx, 0) ||
        !app_layer_tx_complete(f, tx, 1)) {
        return;
    }
    if (!app_layer_tx_eve_wanted(tx)) {
        tx->logged |= OUTPUT_TX_LOGGER_GENERIC;
        return;
    }
    eve_begin_flow_dir(lg->jb, f, lg->sec, lg->usec, app_proto_name(tx->proto),
                       app_layer_tx_eve_toclient(tx), lg->pcap_cnt, lg->pkt_src);
    json_u64(lg->jb, "tx_id", tx->id);
    (void)app_layer_tx_log_json(f, tx->id, lg->jb);
    json_close_object(lg->jb);
    lg->write(lg->jb, lg->user);
    tx->logged |= OUTPUT_TX_LOGGER_GENERIC;
}
