/* The EVE "dnp3" object of a tx (Suricata's layout): type, link control, addresses,
 * the application control, function code, objects with their points, and for
 * responses the internal indications. Points are decoded here from the fragment kept
 * in the tx. Caller holds f->lock. */
#include "app-layer/dnp3/app-layer-dnp3.h"

#include "util/util-json.h"

void dnp3_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);

static void log_point(const Dnp3Object *obj, const Dnp3Point *pt, void *user)
{
    JsonBuf *jb = user;
    json_open_object(jb, NULL);
    dnp3_point_log(obj, pt, jb);
    json_close_object(jb);
}

static void log_objects(const Dnp3Tx *t, JsonBuf *jb)
{
    json_open_array(jb, "objects");
    for (uint32_t i = 0; i < t->n_objects; i++) {
        const Dnp3Object *o = &t->objects[i];
        json_open_object(jb, NULL);
        json_u64(jb, "group", o->group);
        json_u64(jb, "variation", o->variation);
        json_u64(jb, "qualifier", o->qualifier);
        json_u64(jb, "prefix_code", (o->qualifier >> 4) & 7);
        json_u64(jb, "range_code", o->qualifier & 0x0f);
        json_u64(jb, "start", o->start);
        json_u64(jb, "stop", o->stop);
        json_u64(jb, "count", o->count);
        if (o->has_points) {
            json_open_array(jb, "points");
            (void)dnp3_points_walk(t->data, t->data_len, o, log_point, jb);
            json_close_array(jb);
        }
        json_close_object(jb);
    }
    json_close_array(jb);
}

static void log_application(const Dnp3Tx *t, JsonBuf *jb)
{
    json_open_object(jb, "application");
    if (t->has_app) {
        json_open_object(jb, "control");
        json_bool(jb, "fir", (t->app_ctl & 0x80) != 0);
        json_bool(jb, "fin", (t->app_ctl & 0x40) != 0);
        json_bool(jb, "con", (t->app_ctl & 0x20) != 0);
        json_bool(jb, "uns", (t->app_ctl & 0x10) != 0);
        json_u64(jb, "sequence", t->app_ctl & 0x0f);
        json_close_object(jb);
        json_u64(jb, "function_code", t->fc);
        log_objects(t, jb);
    }
    json_bool(jb, "complete", t->is_complete);
    json_close_object(jb);
}

void dnp3_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const Dnp3Tx *t = dnp3_tx(tx);
    if (t == NULL) {
        return;
    }
    json_open_object(jb, "dnp3");
    const char *type = t->dir == APP_DIR_TOSERVER ? "request"
                       : t->fc == DNP3_FC_UNSOLICITED ? "unsolicited_response" : "response";
    json_str(jb, "type", type);
    json_open_object(jb, "control");
    json_bool(jb, "dir", (t->link_ctl & 0x80) != 0);
    json_bool(jb, "pri", (t->link_ctl & 0x40) != 0);
    json_bool(jb, "fcb", (t->link_ctl & 0x20) != 0);
    json_bool(jb, "fcv", (t->link_ctl & 0x10) != 0);
    json_u64(jb, "function_code", t->link_ctl & 0x0f);
    json_close_object(jb);
    json_u64(jb, "src", t->src);
    json_u64(jb, "dst", t->dst);
    log_application(t, jb);
    if (t->dir == APP_DIR_TOCLIENT && t->has_app) {
        json_open_object(jb, "iin");
        json_open_array(jb, "indicators");
        for (uint32_t b = 16; b-- > 0;) {
            if (t->iin & (1u << b)) {
                json_str(jb, NULL, dnp3_iin_name(b));
            }
        }
        json_close_array(jb);
        json_close_object(jb);
    }
    json_close_object(jb);
}
