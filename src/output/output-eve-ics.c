/* EVE "dnp3", "enip" and "modbus" records: one per transaction, written once the tx is
 * complete both ways (or the flow ended). The objects come from the parsers in
 * src/app-layer/dnp3, enip and modbus; this file only frames them. Caller holds
 * f->lock. */
#include "output/output-eve-http.h"

#include <string.h>

#include "app-layer/app-layer.h"

static const struct {
    const char *name;
    AppProto proto;
    uint32_t bit;
} k_ics[] = {
    {"dnp3", APP_PROTO_DNP3, OUTPUT_ICS_DNP3},
    {"enip", APP_PROTO_ENIP, OUTPUT_ICS_ENIP},
    {"modbus", APP_PROTO_MODBUS, OUTPUT_ICS_MODBUS},
};
#define N_ICS (sizeof(k_ics) / sizeof(k_ics[0]))

uint32_t output_eve_ics_type(const char *name)
{
    for (size_t i = 0; i < N_ICS; i++) {
        if (strcmp(name, k_ics[i].name) == 0) {
            return k_ics[i].bit;
        }
    }
    return 0;
}

void output_eve_ics_log(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    size_t i = 0;
    while (i < N_ICS && k_ics[i].proto != tx->proto) {
        i++;
    }
    if (i == N_ICS || !(lg->ics & k_ics[i].bit) || (tx->logged & OUTPUT_TX_LOGGER_ICS)) {
        return;
    }
    if (!app_layer_tx_complete(f, tx, 0) || !app_layer_tx_complete(f, tx, 1)) {
        return;
    }
    eve_begin_flow_dir(lg->jb, f, lg->sec, lg->usec, k_ics[i].name, false, lg->pcap_cnt,
                       lg->pkt_src);
    (void)app_layer_tx_log_json(f, tx->id, lg->jb);
    json_close_object(lg->jb);
    lg->write(lg->jb, lg->user);
    tx->logged |= OUTPUT_TX_LOGGER_ICS;
}

void output_eve_ics_loggers_register(uint32_t ics)
{
    for (size_t i = 0; i < N_ICS; i++) {
        app_layer_set_proto_logged(k_ics[i].proto, OUTPUT_TX_LOGGER_ICS,
                                   (ics & k_ics[i].bit) != 0);
    }
}
