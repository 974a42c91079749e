/* Frame rules (SIG_F_FRAME, keyword `frame`): inspected on the app-layer frames of their
 * type (app-layer/app-layer-frame.h), once per frame when it is ready: all its bytes
 * there, or missing for good (a gap, the frame window's limit), or its direction or the
 * flow ended. A direction's frames are inspected on packets of that direction (as its
 * transactions), all at flow end. A frame with a fast pattern rule is first checked for
 * the pattern (the frame is scanned for it before the rule's chain runs). Alerts carry
 * PACKET_ALERT_F_FRAME (EVE `frame` object) and, for frames tied to a transaction, its
 * tx_id (the protocol object). */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-frame.h"
#include "app-layer/app-layer.h"
#include "detect/detect-internal.h"
#include "flow/flow.h"
#include "util/util-error.h"

typedef struct DetectFrameEngine {
    uint32_t n_types;
    uint32_t **sigs;             // per frame type: signature nums, rule order
    uint32_t *n_sigs;
    uint32_t n_rules;
} DetectFrameEngine;

typedef struct DetectFrameThread {
    Packet sv;                   // the packet turned into the frame's direction
    uint8_t *xbuf[2];            // transform scratch
    uint32_t xcap[2];
} DetectFrameThread;

void detect_frame_engine_free(DetectEngine *de)
{
    DetectFrameEngine *fe = de->frames;
    if (fe == NULL) {
        return;
    }
    for (uint32_t t = 0; t < fe->n_types; t++) {
        free(fe->sigs[t]);
    }
    free(fe->sigs);
    free(fe->n_sigs);
    free(fe);
    de->frames = NULL;
}

int detect_frame_build(DetectEngine *de)
{
    uint32_t n_types = app_layer_frame_type_count();
    DetectFrameEngine *fe = calloc(1, sizeof(*fe));
    if (fe == NULL) {
        return VG_ENOMEM;
    }
    de->frames = fe;
    fe->n_types = n_types;
    fe->sigs = calloc(n_types + 1, sizeof(uint32_t *));
    fe->n_sigs = calloc(n_types + 1, sizeof(uint32_t));
    if (fe->sigs == NULL || fe->n_sigs == NULL) {
        detect_frame_engine_free(de);
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        const Signature *s = de->sigs[i];
        if (!(s->flags & SIG_F_FRAME) || s->app->frame_type >= n_types) {
            continue;
        }
        uint16_t t = s->app->frame_type;
        uint32_t *v = realloc(fe->sigs[t], (fe->n_sigs[t] + 1) * sizeof(uint32_t));
        if (v == NULL) {
            detect_frame_engine_free(de);
            return VG_ENOMEM;
        }
        fe->sigs[t] = v;
        v[fe->n_sigs[t]++] = i;
        fe->n_rules++;
    }
    for (uint32_t t = 0; t < n_types; t++) {
        app_layer_frame_type_set_wanted((int)t, fe->n_sigs[t] > 0);
    }
    return 0;
}

void detect_frame_thread_free(DetectThread *dt)
{
    if (dt->frame != NULL) {
        free(dt->frame->xbuf[0]);
        free(dt->frame->xbuf[1]);
        free(dt->frame);
        dt->frame = NULL;
    }
}

/* sv: p as the data of dir (tuple and direction flags turned when p flows the other
 * way: frames of the other direction are inspected so only at flow end). */
static void orient(const Packet *p, uint8_t dir, Packet *sv)
{
    bool want_ts = dir == APP_DIR_TOSERVER;
    *sv = *p;
    if (want_ts != ((p->flags & PKT_F_TOSERVER) != 0)) {
        sv->src = p->dst;
        sv->dst = p->src;
        sv->sp = p->dp;
        sv->dp = p->sp;
        sv->flags &= ~(uint32_t)(PKT_F_TOSERVER | PKT_F_TOCLIENT);
        sv->flags |= want_ts ? PKT_F_TOSERVER : PKT_F_TOCLIENT;
    }
    if (p->flow != NULL && ((const Flow *)p->flow)->state >= FLOW_STATE_ESTABLISHED) {
        sv->flow_state = FLOW_STATE_ESTABLISHED;
    }
}

/* The fast pattern, when the rule has a plain one: absent from the frame, no match. */
static bool fast_pattern_absent(const Signature *s, const uint8_t *data, uint32_t len)
{
    const DetectContent *c = s->fp;
    if (c == NULL || (c->flags & (DETECT_CONTENT_NOCASE | DETECT_CONTENT_NEGATED)) ||
        s->app->n_lists != 1 || s->app->lists[0].n_xform > 0 || c->len == 0) {
        return false;
    }
    return c->len > len || memmem(data, len, c->pat, c->len) == NULL;
}

static bool rule_matches(DetectThread *dt, const Signature *s, Packet *sv, const uint8_t *data,
                         uint32_t len)
{
    if (fast_pattern_absent(s, data, len) || !detect_sig_header_ok(s, sv) ||
        !detect_sig_match_list_ok(dt, sv, s)) {
        return false;
    }
    for (uint16_t i = 0; i < s->app->n_lists; i++) {
        const DetectAppList *al = &s->app->lists[i];
        bool ok = al->absent != DETECT_ABSENT_ONLY &&
                  detect_app_data_inspect(dt, s, al, data, len, dt->frame->xbuf,
                                          dt->frame->xcap);
        if (dt->recursion_hit) {
            counters_incr(dt->counters, dt->c_recursion);
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}

static bool alert_frame(DetectThread *dt, Packet *p, PacketAlerts *pa, const Signature *s,
                        const AppFrame *fr)
{
    Packet *sv = &dt->frame->sv;
    bool reversed = ((p->flags & PKT_F_TOSERVER) != 0) != (fr->dir == APP_DIR_TOSERVER);
    dt->alert_flags = (uint8_t)(reversed ? PACKET_ALERT_F_REVERSED : 0);
    if (fr->flags & APP_FRAME_F_TX_ID) {
        dt->alert_flags |= PACKET_ALERT_F_TX;
        dt->alert_tx_id = fr->tx_id;
    }
    uint32_t before = pa != NULL ? pa->n : 0;
    bool stop = detect_on_match(dt, sv, pa, s);
    if (pa != NULL && pa->n > before && pa->alerts[pa->n - 1].sig == s) {
        pa->alerts[pa->n - 1].flags |= PACKET_ALERT_F_FRAME;
        pa->alerts[pa->n - 1].frame_id = fr->id;
        pa->alerts[pa->n - 1].frame_dir = fr->dir;
    }
    dt->alert_flags = 0;
    dt->alert_tx_id = 0;
    p->flags |= sv->flags & (PKT_F_DROP | PKT_F_DROP_FLOW | PKT_F_ALERTED);
    if (p->drop_reason == PKT_DROP_NONE) {
        p->drop_reason = sv->drop_reason;
    }
    return stop;
}

static bool inspect_frame(DetectThread *dt, Packet *p, PacketAlerts *pa, const Flow *f,
                          AppFrame *fr)
{
    const DetectFrameEngine *fe = dt->de->frames;
    fr->flags |= APP_FRAME_F_INSPECTED;
    const uint8_t *data;
    uint32_t len;
    if (fr->type >= fe->n_types || fe->n_sigs[fr->type] == 0 ||
        !app_layer_frame_data(f, fr, &data, &len)) {
        return false;
    }
    bool stop = false;
    counters_add(dt->counters, dt->c_inspected, fe->n_sigs[fr->type]);
    for (uint32_t i = 0; i < fe->n_sigs[fr->type] && !stop; i++) {
        const Signature *s = dt->de->sigs[fe->sigs[fr->type][i]];
        orient(p, fr->dir, &dt->frame->sv);
        if (rule_matches(dt, s, &dt->frame->sv, data, len)) {
            stop = alert_frame(dt, p, pa, s, fr);
        }
    }
    return stop;
}

bool detect_frame_inspect(DetectThread *dt, Packet *p, PacketAlerts *pa, bool is_flow_end)
{
    const DetectFrameEngine *fe = dt->de->frames;
    Flow *f = p->flow;
    if (fe == NULL || fe->n_rules == 0 || f == NULL) {
        return false;
    }
    if (dt->frame == NULL && (dt->frame = calloc(1, sizeof(DetectFrameThread))) == NULL) {
        return false;
    }
    uint8_t pdir = (p->flags & PKT_F_TOCLIENT) ? APP_DIR_TOCLIENT : APP_DIR_TOSERVER;
    for (uint8_t d = 0; d < 2; d++) {
        if (d != pdir && !is_flow_end) {
            continue;
        }
        uint32_t n = app_layer_frame_count(f, d);
        for (uint32_t i = 0; i < n; i++) {
            AppFrame *fr = app_layer_frame_at(f, d, i);
            if (fr == NULL || (fr->flags & APP_FRAME_F_INSPECTED) ||
                (!is_flow_end && !app_layer_frame_ready(f, fr))) {
                continue;
            }
            if (inspect_frame(dt, p, pa, f, fr)) {
                return true;
            }
        }
    }
    return false;
}
