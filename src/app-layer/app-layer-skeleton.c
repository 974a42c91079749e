/* Temporary skeleton so that the contract header links; replaced by the framework. */
#include "app-layer/app-layer.h"

#include <stddef.h>
#include <string.h>

#include "util/util-error.h"

const char *app_proto_name(AppProto p)
{
    return p == APP_PROTO_HTTP1 ? "http" : p == APP_PROTO_FAILED ? "failed" : NULL;
}
AppProto app_proto_by_name(const char *name)
{
    return (strcmp(name, "http") == 0 || strcmp(name, "http1") == 0) ? APP_PROTO_HTTP1 : 0;
}
bool app_proto_is_known_name(const char *name) { return app_proto_by_name(name) != 0; }
AppProto app_layer_flow_proto(const Flow *f) { return f->app_proto; }
AppProto app_layer_flow_proto_dir(const Flow *f, uint8_t dir) { (void)dir; return f->app_proto; }
AppProto app_layer_flow_proto_orig(const Flow *f) { (void)f; return 0; }
uint32_t app_layer_tx_count(const Flow *f) { (void)f; return 0; }
AppTx *app_layer_tx_at(const Flow *f, uint32_t idx) { (void)f; (void)idx; return NULL; }
AppTx *app_layer_tx_by_id(const Flow *f, uint64_t id) { (void)f; (void)id; return NULL; }
bool app_layer_tx_complete(const Flow *f, const AppTx *tx, uint8_t dir)
{ (void)f; (void)tx; (void)dir; return false; }
AppProto app_layer_tx_proto(const Flow *f, const AppTx *tx) { (void)tx; return f->app_proto; }
uint32_t app_layer_flow_events(const Flow *f, const uint8_t **ids) { (void)f; *ids = NULL; return 0; }
int app_layer_buffer_find(const char *name) { (void)name; return VG_ENOENT; }
const AppBufferDef *app_layer_buffer_def(int id) { (void)id; return NULL; }
int app_layer_buffer_find_for(const char *name, AppProto proto, uint8_t dir)
{ (void)name; (void)proto; (void)dir; return VG_ENOENT; }
uint32_t app_layer_buffer_count(void) { return 0; }
int app_layer_event_find(const char *n) { (void)n; return VG_ENOENT; }
const char *app_layer_event_name(int id) { (void)id; return NULL; }
void app_layer_set_detect_state_free(void (*free_fn)(void *)) { (void)free_fn; }
void app_layer_set_proto_inspected(AppProto p, bool has_rules) { (void)p; (void)has_rules; }
bool app_layer_tx_log_json(const Flow *f, uint64_t tx_id, JsonBuf *jb)
{ (void)f; (void)tx_id; (void)jb; return false; }
const AppFile *app_layer_tx_file_at(const Flow *f, const AppTx *tx, uint8_t dir, uint32_t idx)
{ (void)f; (void)tx; (void)dir; (void)idx; return NULL; }
void app_layer_file_request_store(Flow *f, AppTx *tx, uint8_t dir, const AppFile *file)
{ (void)f; (void)tx; (void)dir; (void)file; }
void app_layer_files_need(uint32_t flags) { (void)flags; }
int app_layer_init(const struct Conf *conf) { (void)conf; return 0; }
void app_layer_deinit(void) {}
void app_layer_list_protos_print(void) {}
bool app_layer_proto_enabled(AppProto p) { return p == APP_PROTO_HTTP1; }
