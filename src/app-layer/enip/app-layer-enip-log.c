/* The EVE "enip" object of a tx: "request" and "response" with the encapsulation
 * command (name), status (name), session, protocol version, the CIP service, its path
 * and class name, and ListIdentity replies' identity. Caller holds f->lock. */
#include "app-layer/enip/app-layer-enip.h"

#include <stdio.h>

#include "util/util-json.h"

static void name_or_number(JsonBuf *jb, const char *key, const char *name, uint64_t v)
{
    if (name != NULL) {
        json_str(jb, key, name);
    } else {
        json_u64(jb, key, v);
    }
}

static void log_path(JsonBuf *jb, const EnipCip *c)
{
    json_open_array(jb, "path");
    static const char *const k_kind[3] = {"class", "instance", "attribute"};
    const bool has[3] = {c->has_class, c->has_instance, c->has_attribute};
    const uint32_t val[3] = {c->class_id, c->instance, c->attribute};
    for (int i = 0; i < 3; i++) {
        if (has[i]) {
            json_open_object(jb, NULL);
            json_str(jb, "segment_type", k_kind[i]);
            json_u64(jb, "value", val[i]);
            json_close_object(jb);
        }
    }
    json_close_array(jb);
}

static void log_cip(JsonBuf *jb, const EnipMsg *m)
{
    const EnipCip *c = &m->cip[0];
    json_open_object(jb, "cip");
    name_or_number(jb, "service", enip_cip_service_name(c->service), c->service & 0x7f);
    if (c->service & 0x80) {
        json_u64(jb, "status", c->status);
    } else {
        log_path(jb, c);
        if (c->has_class && enip_cip_class_name(c->class_id) != NULL) {
            json_str(jb, "class_name", enip_cip_class_name(c->class_id));
        }
    }
    if (m->is_cip_multi && m->n_cip > 1) {
        json_open_array(jb, "multiple");
        for (uint8_t i = 1; i < m->n_cip; i++) {
            json_open_object(jb, NULL);
            name_or_number(jb, "service", enip_cip_service_name(m->cip[i].service),
                           m->cip[i].service & 0x7f);
            if (!(m->cip[i].service & 0x80)) {
                log_path(jb, &m->cip[i]);
            } else {
                json_u64(jb, "status", m->cip[i].status);
            }
            json_close_object(jb);
        }
        json_close_array(jb);
    }
    json_close_object(jb);
}

static void log_identity(JsonBuf *jb, const EnipIdentity *id)
{
    char s[32];
    json_open_object(jb, "identity");
    json_u64(jb, "protocol_version", id->protocol_version);
    snprintf(s, sizeof(s), "%u.%u.%u.%u", id->addr[0], id->addr[1], id->addr[2], id->addr[3]);
    json_str(jb, "address", s);
    json_u64(jb, "port", id->port);
    name_or_number(jb, "vendor_id", enip_vendor_name(id->vendor_id), id->vendor_id);
    json_u64(jb, "device_type", id->device_type);
    json_u64(jb, "product_code", id->product_code);
    snprintf(s, sizeof(s), "%u.%u", id->rev_major, id->rev_minor);
    json_str(jb, "revision", s);
    json_u64(jb, "status", id->status);
    snprintf(s, sizeof(s), "0x%08x", id->serial);
    json_str(jb, "serial", s);
    json_strn(jb, "product_name", id->product_name, id->product_name_len);
    if (id->has_state) {
        json_u64(jb, "state", id->state);
    }
    json_close_object(jb);
}

static void log_msg(JsonBuf *jb, const char *key, const EnipMsg *m)
{
    if (!m->is_present) {
        return;
    }
    json_open_object(jb, key);
    name_or_number(jb, "command", enip_command_name(m->command), m->command);
    name_or_number(jb, "status", enip_status_name(m->status), m->status);
    json_u64(jb, "session", m->session);
    if (m->has_protocol_version) {
        json_u64(jb, "protocol_version", m->protocol_version);
    }
    if (m->n_cip > 0) {
        log_cip(jb, m);
    }
    if (m->has_identity) {
        log_identity(jb, &m->identity);
    }
    json_close_object(jb);
}

void enip_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const EnipTx *t = enip_tx(tx);
    if (t == NULL) {
        return;
    }
    json_open_object(jb, "enip");
    log_msg(jb, "request", &t->msg[APP_DIR_TOSERVER]);
    log_msg(jb, "response", &t->msg[APP_DIR_TOCLIENT]);
    json_close_object(jb);
}
