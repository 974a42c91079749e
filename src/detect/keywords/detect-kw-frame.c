/* frame:[<proto>.]<type> (Suricata 7+): a sticky buffer holding the bytes of an app-layer
 * frame the protocol's parser marked (app-layer/app-layer-frame.h). The protocol comes
 * from the argument when its first dotted part names one ("dcerpc.pdu", "enip.enip.item"),
 * else from the rule header ("request.line" in a sip rule, "smb2.hdr" in an smb rule).
 * One frame keyword per rule; the rule is then inspected on frames of that type only
 * (detect-frame.c). */

#include <stdio.h>
#include <string.h>

#include "app-layer/app-layer-frame.h"
#include "app-layer/app-layer.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

static bool has_ipproto(const Signature *s, uint8_t ipproto)
{
    return (s->protos[ipproto / 8] & (1u << (ipproto % 8))) != 0;
}

/* The protocol and type named by arg (a copy in buf, cut at the dot when the first
 * part is a protocol). */
static int frame_resolve(DetectParser *dp, char *buf, AppProto *proto, const char **type)
{
    Signature *s = dp->s;
    *proto = s->alproto;
    *type = buf;
    char *dot = strchr(buf, '.');
    if (dot != NULL) {
        *dot = '\0';
        AppProto kp = app_proto_by_name(buf);
        if (kp != APP_PROTO_UNKNOWN && kp != APP_PROTO_FAILED &&
            (app_layer_frame_type_find(kp, dot + 1) >= 0 || strcmp(dot + 1, "stream") == 0)) {
            *proto = kp;
            *type = dot + 1;
        } else {
            *dot = '.';
        }
    }
    if (*proto == APP_PROTO_UNKNOWN) {
        return detect_err(dp, "frame %s: no protocol (give it in the rule header or as "
                          "<proto>.<type>)", buf);
    }
    if (s->alproto != APP_PROTO_UNKNOWN && s->alproto != *proto) {
        return detect_err(dp, "frame %s: protocol differs from the rule's (%s)", buf,
                          app_proto_name(s->alproto) ? app_proto_name(s->alproto) : "?");
    }
    return 0;
}

static int setup_frame(DetectParser *dp, const char *arg)
{
    Signature *s = dp->s;
    if (s->app != NULL && s->app->has_frame) {
        return detect_err(dp, "only one frame keyword per rule");
    }
    if (!has_ipproto(s, 6) && !has_ipproto(s, 17)) {
        return detect_err(dp, "frame is only supported for TCP and UDP");
    }
    char buf[128];
    size_t n = strlen(arg);
    if (n == 0 || n >= sizeof(buf)) {
        return detect_err(dp, "frame: bad value");
    }
    memcpy(buf, arg, n + 1);
    AppProto proto;
    const char *type;
    int rc = frame_resolve(dp, buf, &proto, &type);
    if (rc != 0) {
        return rc;
    }
    if (strcmp(type, "stream") == 0) {
        return detect_err_unsupported(dp, "frame type stream");
    }
    int id = app_layer_frame_type_find(proto, type);
    if (id < 0) {
        return detect_err(dp, "frame %s: protocol %s has no such frame type", arg,
                          app_proto_name(proto) ? app_proto_name(proto) : "?");
    }
    int list = detect_app_frame_list(id);
    DetectMatchList *l = list >= 0 ? detect_sig_list_get(dp, list) : NULL;
    if (l == NULL) {
        return detect_err(dp, "out of memory");
    }
    s->alproto = proto;
    s->app->has_frame = true;
    s->app->frame_type = (uint16_t)id;
    dp->pm_list = (uint16_t)list;
    dp->last_list = (uint16_t)list;
    dp->last_pm = (int)l->n - 1;
    return 0;
}

const DetectKeyword detect_kw_frame = {
    .name = "frame",
    .desc = "sticky buffer: an app-layer frame's bytes ([<proto>.]<type>)",
    .setup = setup_frame,
};
