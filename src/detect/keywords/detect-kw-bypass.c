/* bypass: once the rule matches, the flow is bypassed (Suricata's keyword, no
 * value): its later packets are not reassembled, parsed or inspected, only
 * counted (flow_bypass in flow/flow.h). Acts after the match (post list), also
 * for pass rules and whatever the rule's threshold decides about the alert,
 * as Suricata's post-match keywords do. Not with filestore: a bypassed flow's
 * files could not be stored (Suricata refuses the pair too). */

#include <stddef.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "flow/flow.h"

static bool match_bypass(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    (void)ctx;
    if (p->flow != NULL) {
        flow_bypass(p->flow);    // detect holds the flow's lock
    }
    return true;
}

static int setup_bypass(DetectParser *dp, const char *arg)
{
    (void)arg;
    if (dp->s->flags & SIG_F_FILESTORE) {
        return detect_err(dp, "bypass cannot be used with filestore");
    }
    return detect_append(dp, DETECT_LIST_POST, &detect_kw_bypass, NULL, 0);
}

const DetectKeyword detect_kw_bypass = {
    .name = "bypass", .desc = "bypass the flow once the rule matched: later packets uninspected",
    .flags = DETECT_KW_NOOPT, .setup = setup_bypass, .match = match_bypass,
};
