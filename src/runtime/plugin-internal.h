#ifndef VG_RUNTIME_PLUGIN_INTERNAL_H
#define VG_RUNTIME_PLUGIN_INTERNAL_H

/* Engine side of the plugin API (not installed): what plugins registered,
 * for the subsystems that run it, and the error accounting of plugin
 * callbacks. The lists are written by plugin_load_all at start-up (main
 * thread, before packet threads) and read-only afterwards. */

#include <stdint.h>

#include "runtime/plugin.h"

#define PLUGIN_STREAM_CONSUMERS_MAX 3   // two directions each, beside the app layer's two of
                                        // STREAM_MAX_SUBSCRIBERS (8)
#define PLUGIN_APP_LAYERS_MAX 8
#define PLUGIN_KEYWORDS_MAX 32

/* The registered stream consumers (stream/stream-plugin.c runs them). */
const VgStreamConsumer *const *plugin_stream_consumers(uint32_t *n);

/* A plugin callback returned an error: counts it, and logs the first error of
 * each `what` (a consumer, protocol or keyword name: the plugin's own string,
 * compared by address). Any thread. */
void plugin_callback_error(const char *kind, const char *what, int rc);
/* Callback errors counted so far (tests, the end-of-run summary). */
uint64_t plugin_callback_errors(void);
/* End of run: logs how many plugin callback errors there were, if any. */
void plugin_report(void);

/* The registrar's JSON functions (util-json on a JsonBuf). */
extern const VgJsonApi plugin_json_api;

/* Subsystems take the plugins' rows at commit time (start-up, main thread).
 * Their checks run before: *_check returns 0 or VG_EEXIST / VG_EINVAL with
 * the reason logged. */
int app_layer_plugin_check(const VgAppLayer *a);
int app_layer_plugin_add(const VgAppLayer *a);
int detect_plugin_keyword_check(const VgKeyword *k);
int detect_plugin_keyword_add(const VgKeyword *k);
/* app-layer helpers behind the registrar's app_tx_* functions. */
void *app_layer_plugin_tx_new(VgAppFlow *af, size_t size);
void app_layer_plugin_tx_progress(void *tx, uint8_t dir, uint8_t progress);
uint64_t app_layer_plugin_tx_id(const void *tx);
void app_layer_plugin_tx_event(VgAppFlow *af, void *tx, uint32_t id);

#endif
