/* The parts of the configuration schema: Vigil's own keys
 * (conf-schema-keys.c), then the option table of each module that has one.
 * Adding a module's table: export it as a ConfSchemaPart from the module and
 * add one line here. Kept apart from the keys so that the conf fuzz target
 * can link the schema without the modules. */

#include "conf/conf.h"

#include "app-layer/app-layer.h"
#include "conf/conf-internal.h"
#include "defrag/defrag.h"
#include "stream/stream.h"

static const ConfSchemaPart *schema_parts[] = {
    &conf_schema_vigil_keys,
    &defrag_conf_schema,
    &stream_conf_schema,
    &app_layer_http_conf_schema,
    NULL, // the keys plugins add (conf_schema_set_plugin_part), when any
};

#define N_PARTS (sizeof(schema_parts) / sizeof(schema_parts[0]))

const ConfSchemaPart *const *conf_schema_parts(size_t *n_parts)
{
    *n_parts = schema_parts[N_PARTS - 1] != NULL ? N_PARTS : N_PARTS - 1;
    return schema_parts;
}

void conf_schema_set_plugin_part(const ConfSchemaPart *part)
{
    schema_parts[N_PARTS - 1] = part;
}
