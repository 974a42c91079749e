/* threshold and detection_filter keywords: how often a matching rule alerts.
 * The counting lives in detect-threshold.c. */

#include <stdlib.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

static int setup_spec(DetectParser *dp, const char *arg, bool is_filter)
{
    if (dp->s->threshold != NULL) {
        return detect_err(dp, "only one threshold or detection_filter per rule");
    }
    DetectThresholdSpec *sp = malloc(sizeof(*sp));
    if (sp == NULL) {
        return detect_err(dp, "out of memory");
    }
    if (detect_threshold_parse_spec(arg, is_filter, sp, dp->err, sizeof(dp->err)) != 0) {
        free(sp);
        return VG_EINVAL;
    }
    if (sp->track == DETECT_TRACK_EITHER) {
        free(sp);
        return detect_err(dp, "track by_either is only valid for suppress");
    }
    dp->s->threshold = sp;
    dp->de->shares_state |= sp->track != DETECT_TRACK_FLOW;
    return 0;
}

static int setup_threshold(DetectParser *dp, const char *arg)
{
    return setup_spec(dp, arg, false);
}

static int setup_detection_filter(DetectParser *dp, const char *arg)
{
    return setup_spec(dp, arg, true);
}

const DetectKeyword detect_kw_threshold = {
    .name = "threshold", .desc = "type limit|threshold|both, track, count, seconds",
    .setup = setup_threshold,
};
const DetectKeyword detect_kw_detection_filter = {
    .name = "detection_filter", .desc = "alert only after count matches in seconds",
    .setup = setup_detection_filter,
};
