/* The app-layer thread module (between "stream" and "detect") and the stream
 * subscription. TCP data reaches the parsers from inside the stream stage, on the
 * packet delivering it; this module then feeds UDP payloads, frees the txs everyone is
 * done with and publishes this packet's changes as the txs' UPDATED flags. */
#include "app-layer/app-layer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "app-layer/app-layer-internal.h"
#include "flow/flow.h"
#include "runtime/engine.h"
#include "runtime/module.h"
#include "runtime/runtime.h"
#include "stream/stream.h"
#include "util/util-error.h"
#include "util/util-log.h"

static void on_stream(Flow *f, uint8_t dir, int note, const uint8_t *data, uint32_t len,
                      void *user)
{
    (void)user;
    AppFlow *af = note == STREAM_NOTE_DATA ? app_flow_get_or_new(f) : app_flow_get(f);
    if (af == NULL) {
        return;
    }
    dir = app_flow_stream_dir(af, dir);   // a reversal on this packet: sides swapped
    switch (note) {
    case STREAM_NOTE_DATA:
        af->stream_off[dir & 1] += len;   // before parsing: the data's end
        app_flow_data(af, dir, data, len);
        break;
    case STREAM_NOTE_GAP:
        af->stream_off[dir & 1] += len;
        app_flow_gap_len(af, dir, len);
        break;
    case STREAM_NOTE_CLOSE:
        app_flow_eof(af, dir);
        break;
    default:
        break;
    }
}

int app_layer_stream_attach(void)
{
    if (stream_subscribe(STREAM_DIR_TOSERVER, on_stream, NULL) < 0 ||
        stream_subscribe(STREAM_DIR_TOCLIENT, on_stream, NULL) < 0) {
        VG_ERROR("app-layer: cannot subscribe to the stream engine (too many subscribers)");
        return VG_ERANGE;
    }
    return 0;
}

static bool have_udp_parsers(void)
{
    for (uint32_t r = 0; r < app_parser_count(); r++) {
        if ((app_parser_at(r)->ipproto == 17 || app_parser_at(r)->ipproto == 0) &&
            app_proto_cfg(app_parser_at(r)->proto)->enabled) {
            return true;
        }
    }
    return false;
}

/* Per thread: app-layer.error-policy resolved for the engine's mode. */
typedef struct AppModuleThread {
    FlowExceptionPolicy error_policy;
    CounterId c_error_policy;    // exception_policy.app_layer.error.<policy>
} AppModuleThread;

static int app_module_thread_init(ThreadVars *tv, void **data)
{
    app_tls_counters = tv->counters;
    AppModuleThread *mt = calloc(1, sizeof(*mt));
    if (mt == NULL) {
        return TM_FAILED;
    }
    bool is_ips = tv->engine->is_inline || tv->engine->opts.simulate_ips;
    mt->error_policy = flow_exception_policy_resolve(g_app_cfg.error_policy, is_ips, true);
    if (mt->error_policy != FLOW_EXC_IGNORE) {
        mt->c_error_policy = flow_exception_counters_register("exception_policy.app_layer.error",
                                                              false, mt->error_policy);
    }
    *data = mt;
    return TM_OK;
}

/* A parser failed on this packet's data: app-layer.error-policy, as Suricata
 * (drop reason "applayer error"). Flow lock held. */
static void error_policy(const AppModuleThread *mt, ThreadVars *tv, AppFlow *af, Packet *p)
{
    if (mt == NULL || !(af->flags & APP_FLOW_F_ERROR_NEW)) {
        return;
    }
    af->flags &= (uint16_t)~APP_FLOW_F_ERROR_NEW;
    Flow *f = p->flow;
    if (!(f->flags & FLOW_F_DROP) &&
        flow_exception_apply(f, p, mt->error_policy, PKT_DROP_APPLAYER_ERROR)) {
        counters_incr(tv->counters, mt->c_error_policy);
    }
}

static int app_module_process(ThreadVars *tv, Packet *p, void *data)
{
    const AppModuleThread *mt = data;
    Flow *f = p->flow;
    /* A tunnel's outer flow (Teredo, VXLAN, Geneve on UDP) goes through
     * protocol detection like any other, as in Suricata (its flow record then
     * says "failed"); on a capture file its packets run one at a time in
     * capture order whichever workers they reach (runtime-order.h). */
    if (f == NULL || g_app_cfg.storage_id < 0 || (p->flags & PKT_F_BYPASS)) {
        return TM_OK;
    }
    pthread_mutex_lock(&f->lock);
    AppFlow *af = app_flow_get(f);
    if (p->l4 == PKT_L4_UDP && p->payload_len > 0 && have_udp_parsers()) {
        af = af != NULL ? af : app_flow_get_or_new(f);
        if (af != NULL) {
            app_flow_data(af, (p->flags & PKT_F_TOSERVER) ? APP_DIR_TOSERVER : APP_DIR_TOCLIENT,
                          p->payload, p->payload_len);
        }
    }
    if (af != NULL) {
        app_flow_reverse(af, p);   // a midstream flow whose first data was a response
        error_policy(mt, tv, af, p);
        app_flow_packet_publish(af);
    }
    pthread_mutex_unlock(&f->lock);
    return TM_OK;
}

static void app_module_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv;
    free(data);
    app_tls_counters = NULL;
}

const TmModule tm_module_app_layer = {
    .hdr = TM_MODULE_HDR,
    .name = "app-layer",
    .kind = TM_KIND_OTHER,
    .thread_init = app_module_thread_init,
    .process = app_module_process,
    .thread_deinit = app_module_thread_deinit,
};
