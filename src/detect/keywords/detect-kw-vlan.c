/* vlan.id and vlan.layers: the packet's 802.1Q/802.1ad tags, outermost first.
 * vlan.id takes an integer comparison and a layer: 0..2, -3..-1 (from the
 * innermost), "any" (default: some layer matches) or "all" (every layer). */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

#define VLAN_LAYERS_MAX 3
#define VLAN_ID_MAX 4095
enum { VLAN_LAYER_ANY = -100, VLAN_LAYER_ALL = 100 };

typedef struct VlanId {
    DetectUint u;
    int8_t layer;                      // index, VLAN_LAYER_ANY or VLAN_LAYER_ALL
} VlanId;

static bool match_vlan_id(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    const VlanId *v = ctx;
    int n = p->n_vlan < PACKET_MAX_VLANS ? p->n_vlan : PACKET_MAX_VLANS;
    if (n == 0) {
        return false;
    }
    if (v->layer == VLAN_LAYER_ANY || v->layer == VLAN_LAYER_ALL) {
        bool all = v->layer == VLAN_LAYER_ALL;
        for (int i = 0; i < n; i++) {
            bool m = detect_uint_match(&v->u, p->vlan_id[i]);
            if (m != all) {
                return m;  // any: first match wins; all: first miss loses
            }
        }
        return all;
    }
    int idx = v->layer >= 0 ? v->layer : n + v->layer;
    return idx >= 0 && idx < n && detect_uint_match(&v->u, p->vlan_id[idx]);
}

static int parse_layer(DetectParser *dp, const char *t, int8_t *out)
{
    int64_t l;
    while (*t == ' ') {
        t++;
    }
    if (strcmp(t, "any") == 0) {
        *out = VLAN_LAYER_ANY;
    } else if (strcmp(t, "all") == 0) {
        *out = VLAN_LAYER_ALL;
    } else if (detect_parse_int(t, -VLAN_LAYERS_MAX, VLAN_LAYERS_MAX - 1, &l)) {
        *out = (int8_t)l;
    } else {
        return detect_err(dp, "bad vlan layer '%s' (0..2, -3..-1, any, all)", t);
    }
    return 0;
}

static int setup_vlan_id(DetectParser *dp, const char *arg)
{
    char buf[64];
    size_t len = strlen(arg);
    if (len >= sizeof(buf)) {
        return detect_err(dp, "vlan.id value too long");
    }
    memcpy(buf, arg, len + 1);
    VlanId *v = calloc(1, sizeof(*v));
    if (v == NULL) {
        return detect_err(dp, "out of memory");
    }
    v->layer = VLAN_LAYER_ANY;
    char *comma = strchr(buf, ',');
    if (comma != NULL) {
        *comma = '\0';
    }
    if (detect_uint_parse(dp, buf, VLAN_ID_MAX, &v->u) != 0 ||
        (comma != NULL && parse_layer(dp, comma + 1, &v->layer) != 0)) {
        free(v);
        return VG_EINVAL;
    }
    return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_vlan_id, v, 0);
}

static bool match_vlan_layers(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return detect_uint_match(ctx, p->n_vlan);
}

static int setup_vlan_layers(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, 255, &detect_kw_vlan_layers);
}

const DetectKeyword detect_kw_vlan_id = {
    .name = "vlan.id", .desc = "VLAN id ([op]id[,layer|any|all])", .flags = DETECT_KW_PACKET,
    .setup = setup_vlan_id,
    .match = match_vlan_id, .free = free,
};
const DetectKeyword detect_kw_vlan_layers = {
    .name = "vlan.layers", .desc = "number of VLAN tags", .setup = setup_vlan_layers,
    .match = match_vlan_layers, .free = free,
};
