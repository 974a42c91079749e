/* pcre captures (Suricata 8's): a capture group of a matching pcre becomes a flow
 * variable, a packet variable or a field of the alert's "context".
 *
 *   pcre:"/(?P<flow_name>...)(?P<pkt_name>...)(?P<alert_name>...)/"
 *   pcre:"/(...)(...)/flags, flow:NAME, pkt:NAME, alert:NAME"   (groups 1, 2, ... in order)
 *
 * Captures are pending while the rule is inspected (a pcre whose later keywords fail
 * takes its captures back) and are kept only when the whole rule matched
 * (detect_on_match). Flow variables live in the flow's detection state (replacing a
 * variable of the same name); packet variables stay for the alerts of the packet.
 *
 * EVE, as Suricata writes its vars: alerts get "alert.context" {NAME: value}, a top-level
 * "metadata" object with "pktvars" [{NAME: value}], "flowvars" [{NAME: value}],
 * "flowbits" [names] and "flowints" {NAME: n}, and "traffic" {"id": [...],
 * "label": [...]} for flowbits named traffic/id/X and traffic/label/X (left out of
 * "flowbits"). Flow records get the flow's part of it at flow end. The texts are made
 * here, where the rule set's flowbit names are known, and handed to the outputs. */

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "flow/flow-types.h"
#include "util/util-error.h"
#include "util/util-json.h"

#define CAP_PENDING_MAX 16
#define CAP_VALUE_MAX DETECT_CAP_JSON_MAX   // bytes of a captured value kept (longer: cut)
#define TRAFFIC_ID "traffic/id/"
#define TRAFFIC_LABEL "traffic/label/"

typedef struct CapValue {
    const Signature *s;
    const char *name;            // the rule's (valid while the engine lives)
    uint8_t type;                // DETECT_VAR_*
    bool is_json;                // val is a JSON text (datajson), NUL-terminated
    uint16_t len;
    uint8_t val[CAP_VALUE_MAX];
} CapValue;

typedef struct DetectCapThread {
    CapValue pend[CAP_PENDING_MAX];    // captures of the rule being inspected
    uint8_t n_pend;
    CapValue pkt[CAP_PENDING_MAX];     // packet variables of the current packet
    uint8_t n_pkt;
    CapValue ctx[CAP_PENDING_MAX];     // alert context of the rule just committed
    uint8_t n_ctx;
    const Signature *ctx_sig;
    JsonBuf jb;
} DetectCapThread;

/* ---- rule parsing ---- */

static int add_cap(DetectParser *dp, DetectPcre *pc, uint8_t type, uint32_t group,
                   const char *name, size_t name_len)
{
    if (pc->n_caps >= DETECT_PCRE_CAPS_MAX) {
        return detect_err(dp, "pcre: more than %d captures kept", DETECT_PCRE_CAPS_MAX);
    }
    if (name_len == 0 || group > 255) {
        return detect_err(dp, "pcre: capture without a name");
    }
    char *n = malloc(name_len + 1);
    if (n == NULL) {
        return detect_err(dp, "out of memory");
    }
    memcpy(n, name, name_len);
    n[name_len] = '\0';
    pc->caps[pc->n_caps++] = (DetectPcreCap){.type = type, .group = (uint8_t)group, .name = n};
    return 0;
}

/* "flow:", "pkt:", "alert:" (list items) or "flow_", "pkt_", "alert_" (group names). */
static uint8_t cap_type(const char *s, char sep, size_t *prefix_len)
{
    static const struct {
        const char *word;
        uint8_t type;
    } types[] = {{"flow", DETECT_VAR_FLOW}, {"pkt", DETECT_VAR_PKT}, {"alert", DETECT_VAR_ALERT}};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        size_t n = strlen(types[i].word);
        if (strncmp(s, types[i].word, n) == 0 && s[n] == sep) {
            *prefix_len = n + 1;
            return types[i].type;
        }
    }
    return 0;
}

int detect_capture_setup(DetectParser *dp, DetectPcre *pc, const char *list)
{
    uint32_t n_names = 0, entry = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(pc->code, PCRE2_INFO_NAMECOUNT, &n_names);
    pcre2_pattern_info(pc->code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(pc->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < n_names && table != NULL; i++) {
        const uint8_t *e = table + (size_t)i * entry;
        uint32_t group = (uint32_t)e[0] << 8 | e[1];
        const char *name = (const char *)e + 2;
        size_t pl = 0;
        uint8_t type = cap_type(name, '_', &pl);
        if (type != 0 && add_cap(dp, pc, type, group, name + pl, strlen(name + pl)) != 0) {
            return VG_EINVAL;
        }
    }
    uint32_t group = 1;
    for (const char *s = list; s != NULL && *s != '\0'; group++) {
        while (*s == ' ' || *s == ',') {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        const char *end = strchr(s, ',');
        size_t len = end != NULL ? (size_t)(end - s) : strlen(s);
        while (len > 0 && s[len - 1] == ' ') {
            len--;
        }
        size_t pl = 0;
        uint8_t type = cap_type(s, ':', &pl);
        if (type == 0 || pl >= len) {
            return detect_err(dp, "pcre: bad capture '%.*s' (flow:NAME, pkt:NAME or alert:NAME)",
                              (int)len, s);
        }
        if (group >= pc->ovec_pairs) {
            return detect_err(dp, "pcre: capture '%.*s' without a group in the pattern",
                              (int)len, s);
        }
        if (add_cap(dp, pc, type, group, s + pl, len - pl) != 0) {
            return VG_EINVAL;
        }
        s = end != NULL ? end + 1 : NULL;
    }
    return 0;
}

void detect_capture_free(DetectPcre *pc)
{
    for (uint8_t i = 0; i < pc->n_caps; i++) {
        free(pc->caps[i].name);
    }
    pc->n_caps = 0;
}

/* ---- matching ---- */

static DetectCapThread *cap_thread(DetectThread *dt)
{
    if (dt->cap == NULL) {
        DetectCapThread *c = calloc(1, sizeof(*c));
        if (c == NULL || json_buf_init(&c->jb, 512) != 0) {
            free(c);
            return NULL;
        }
        dt->cap = c;
    }
    return dt->cap;
}

void detect_capture_thread_free(DetectThread *dt)
{
    if (dt != NULL && dt->cap != NULL) {
        json_buf_deinit(&dt->cap->jb);
        free(dt->cap);
        dt->cap = NULL;
    }
}

void detect_capture_packet_begin(DetectThread *dt)
{
    if (dt->cap != NULL) {
        dt->cap->n_pkt = 0;
        dt->cap->n_pend = 0;
    }
}

void detect_capture_pending(DetectThread *dt, const Signature *s, const DetectPcre *pc,
                            const uint8_t *buf, void *md)
{
    DetectCapThread *c = cap_thread(dt);
    if (c == NULL) {
        return;
    }
    if (c->n_pend > 0 && c->pend[0].s != s) {
        c->n_pend = 0;    // left by a rule that did not match: rules are inspected one by one
    }
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    uint32_t pairs = pcre2_get_ovector_count(md);
    for (uint8_t i = 0; i < pc->n_caps && c->n_pend < CAP_PENDING_MAX; i++) {
        uint32_t g = pc->caps[i].group;
        if (g >= pairs || ov[2 * g] == PCRE2_UNSET || ov[2 * g + 1] < ov[2 * g]) {
            continue;
        }
        size_t len = ov[2 * g + 1] - ov[2 * g];
        CapValue *v = &c->pend[c->n_pend++];
        v->s = s;
        v->name = pc->caps[i].name;
        v->type = pc->caps[i].type;
        v->is_json = false;
        v->len = (uint16_t)(len < CAP_VALUE_MAX ? len : CAP_VALUE_MAX);
        memcpy(v->val, buf + ov[2 * g], v->len);
    }
}

void detect_capture_pending_json(DetectThread *dt, const Signature *s, const char *name,
                                 const char *json)
{
    DetectCapThread *c = cap_thread(dt);
    size_t len = strlen(json);
    if (c == NULL || len >= CAP_VALUE_MAX) {
        return;
    }
    if (c->n_pend > 0 && c->pend[0].s != s) {
        c->n_pend = 0;
    }
    if (c->n_pend < CAP_PENDING_MAX) {
        CapValue *v = &c->pend[c->n_pend++];
        *v = (CapValue){.s = s, .name = name, .type = DETECT_VAR_ALERT, .is_json = true,
                        .len = (uint16_t)len};
        memcpy(v->val, json, len + 1);
    }
}

uint8_t detect_capture_n_pending(const DetectThread *dt)
{
    return dt->cap != NULL ? dt->cap->n_pend : 0;
}

void detect_capture_rollback(DetectThread *dt, uint8_t n)
{
    if (dt->cap != NULL && n < dt->cap->n_pend) {
        dt->cap->n_pend = n;
    }
}

void detect_capture_commit(DetectThread *dt, Packet *p, const Signature *s)
{
    DetectCapThread *c = dt->cap;
    if (c == NULL) {
        return;
    }
    c->n_ctx = 0;
    c->ctx_sig = s;
    for (uint8_t i = 0; i < c->n_pend; i++) {
        const CapValue *v = &c->pend[i];
        if (v->s != s) {
            continue;
        }
        switch (v->type) {
        case DETECT_VAR_FLOW: {
            DetectFlowState *fs = detect_flow_state(p, true, dt->de->n_flowbits,
                                                    dt->de->n_flowints);
            (void)detect_flowvar_set(fs, v->name, v->val, v->len);
            break;
        }
        case DETECT_VAR_PKT:
            if (c->n_pkt < CAP_PENDING_MAX) {
                c->pkt[c->n_pkt++] = *v;
            }
            break;
        default:
            c->ctx[c->n_ctx++] = *v;
            break;
        }
    }
    c->n_pend = 0;
}

/* ---- EVE texts ---- */

static void write_vars(JsonBuf *jb, const char *key, const CapValue *v, uint8_t n)
{
    if (n == 0) {
        return;
    }
    json_open_array(jb, key);
    for (uint8_t i = 0; i < n; i++) {
        json_open_object(jb, NULL);
        json_strn(jb, v[i].name, v[i].val, v[i].len);
        json_close_object(jb);
    }
    json_close_array(jb);
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The flow's part of "metadata" (flowvars, flowbits, flowints), into an open object. */
static void write_flow_vars(JsonBuf *jb, const DetectEngine *de, const DetectFlowState *fs)
{
    const DetectFlowVar *fv = NULL;
    uint16_t n = detect_flowvars(fs, &fv);
    if (n > 0) {
        json_open_array(jb, "flowvars");
        for (uint16_t i = 0; i < n; i++) {
            json_open_object(jb, NULL);
            json_strn(jb, fv[i].name, fv[i].val, fv[i].len);
            json_close_object(jb);
        }
        json_close_array(jb);
    }
    bool open = false;
    uint32_t nb = detect_flowbit_count(fs);
    for (uint32_t i = 0; i < nb && i < de->n_flowbits; i++) {
        const char *name = de->flowbit_names[i];
        if (!detect_flowbit_isset(fs, i) || has_prefix(name, TRAFFIC_ID) ||
            has_prefix(name, TRAFFIC_LABEL)) {
            continue;
        }
        if (!open) {
            json_open_array(jb, "flowbits");
            open = true;
        }
        json_str(jb, NULL, name);
    }
    if (open) {
        json_close_array(jb);
    }
    open = false;
    uint32_t ni = detect_flowint_count(fs);
    for (uint32_t i = 0; i < ni && i < de->n_flowints; i++) {
        int64_t v;
        if (!detect_flowint_get(fs, i, &v)) {
            continue;
        }
        if (!open) {
            json_open_object(jb, "flowints");
            open = true;
        }
        json_i64(jb, de->flowint_names[i], v);
    }
    if (open) {
        json_close_object(jb);
    }
}

/* "traffic" from the traffic/id/ and traffic/label/ flowbits; false when none is set. */
static bool write_traffic(JsonBuf *jb, const DetectEngine *de, const DetectFlowState *fs)
{
    static const char *const prefixes[] = {TRAFFIC_ID, TRAFFIC_LABEL};
    static const char *const keys[] = {"id", "label"};
    bool any = false;
    uint32_t nb = detect_flowbit_count(fs);
    for (int k = 0; k < 2; k++) {
        bool open = false;
        for (uint32_t i = 0; i < nb && i < de->n_flowbits; i++) {
            const char *name = de->flowbit_names[i];
            if (!detect_flowbit_isset(fs, i) || !has_prefix(name, prefixes[k])) {
                continue;
            }
            if (!any) {
                json_open_object(jb, NULL);
                any = true;
            }
            if (!open) {
                json_open_array(jb, keys[k]);
                open = true;
            }
            json_str(jb, NULL, name + strlen(prefixes[k]));
        }
        if (open) {
            json_close_array(jb);
        }
    }
    if (any) {
        json_close_object(jb);
    }
    return any;
}

/* The text in jb (an object, "{}" when empty) copied into pa's pool; NULL when empty,
 * failed or out of room. */
static const char *pool_put(PacketAlerts *pa, const JsonBuf *jb)
{
    if (json_failed(jb) || jb->len <= 2) {
        return NULL;
    }
    if (pa->var_pool_len + jb->len + 1 > DETECT_VAR_POOL_MAX) {
        return NULL;
    }
    char *out = pa->var_pool + pa->var_pool_len;
    memcpy(out, jb->buf, jb->len + 1);
    pa->var_pool_len += (uint32_t)jb->len + 1;
    return out;
}

static const DetectFlowState *flow_state_of(Packet *p)
{
    return detect_flow_state(p, false, 0, 0);
}

void detect_capture_alert(DetectThread *dt, Packet *p, PacketAlerts *pa, PacketAlert *a)
{
    if (pa->n == 1) {
        pa->var_pool_len = 0;    // the packet's first alert
    }
    a->eve_context = a->eve_metadata = a->eve_traffic = NULL;
    DetectCapThread *c = dt->cap;
    const DetectFlowState *fs = flow_state_of(p);
    bool flow_vars = fs != NULL && (detect_flowvars(fs, &(const DetectFlowVar *){NULL}) > 0 ||
                                    dt->de->n_flowbits > 0 || dt->de->n_flowints > 0);
    bool ctx = c != NULL && c->ctx_sig == a->sig && c->n_ctx > 0;
    if (!flow_vars && !ctx && (c == NULL || c->n_pkt == 0)) {
        return;
    }
    if (c == NULL && (c = cap_thread(dt)) == NULL) {
        return;
    }
    JsonBuf *jb = &c->jb;
    if (ctx) {
        json_buf_reset(jb);
        json_open_object(jb, NULL);
        for (uint8_t i = 0; i < c->n_ctx; i++) {
            if (c->ctx[i].is_json) {
                json_raw(jb, c->ctx[i].name, (const char *)c->ctx[i].val);
            } else {
                json_strn(jb, c->ctx[i].name, c->ctx[i].val, c->ctx[i].len);
            }
        }
        json_close_object(jb);
        a->eve_context = pool_put(pa, jb);
    }
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    write_vars(jb, "pktvars", c->pkt, c->n_pkt);
    if (fs != NULL) {
        write_flow_vars(jb, dt->de, fs);
    }
    json_close_object(jb);
    a->eve_metadata = pool_put(pa, jb);
    json_buf_reset(jb);
    if (fs != NULL && write_traffic(jb, dt->de, fs)) {
        a->eve_traffic = pool_put(pa, jb);
    }
}

void detect_capture_flow_end(DetectThread *dt, Flow *f)
{
    Packet tmp = {.flow = f};
    DetectFlowState *fs = detect_flow_state(&tmp, false, 0, 0);
    if (fs == NULL || (dt->de->n_flowbits == 0 && dt->de->n_flowints == 0 &&
                       detect_flowvars(fs, &(const DetectFlowVar *){NULL}) == 0)) {
        return;
    }
    DetectCapThread *c = cap_thread(dt);
    if (c == NULL) {
        return;
    }
    JsonBuf *jb = &c->jb;
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    write_flow_vars(jb, dt->de, fs);
    json_close_object(jb);
    char *meta = !json_failed(jb) && jb->len > 2 ? strdup(jb->buf) : NULL;
    json_buf_reset(jb);
    char *traffic = write_traffic(jb, dt->de, fs) && !json_failed(jb) ? strdup(jb->buf) : NULL;
    detect_flow_eve_set(fs, meta, traffic);
}
