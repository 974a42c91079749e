/* EVE "ssh" records: one per SSH flow, once both sides sent their KEXINIT (or went
 * encrypted, or the flow ended). The record body comes from the SSH parser's writer
 * (src/app-layer/ssh); this file only frames it. Caller holds f->lock. */
#include "output/output-eve-http.h"

#include "app-layer/app-layer.h"
#include "app-layer/ssh/app-layer-ssh.h"

void output_eve_ssh_log(const OutputTxLog *lg, Flow *f, AppTx *tx)
{
    if (tx->logged & OUTPUT_TX_LOGGER_SSH) {
        return;
    }
    bool ready = tx->progress[0] >= SSH_PROG_KEXINIT && tx->progress[1] >= SSH_PROG_KEXINIT;
    if (!ready && (!app_layer_tx_complete(f, tx, 0) || !app_layer_tx_complete(f, tx, 1))) {
        return;
    }
    const SshSide *c = ssh_tx_side(tx, APP_DIR_TOSERVER);
    const SshSide *s = ssh_tx_side(tx, APP_DIR_TOCLIENT);
    if (c != NULL && s != NULL && (c->has_banner || s->has_banner)) {
        eve_begin_flow_dir(lg->jb, f, lg->sec, lg->usec, "ssh", false, lg->pcap_cnt,
                           lg->pkt_src);
        (void)app_layer_tx_log_json(f, tx->id, lg->jb);
        json_close_object(lg->jb);
        lg->write(lg->jb, lg->user);
    }
    tx->logged |= OUTPUT_TX_LOGGER_SSH;
}
