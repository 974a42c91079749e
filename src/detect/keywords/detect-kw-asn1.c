/* asn1: BER checks on the payload chain's buffer (detect/detect-asn1.h). */

#include <stdlib.h>

#include "detect/detect-asn1.h"
#include "detect/keywords/detect-kw.h"

static int setup_asn1(DetectParser *dp, const char *arg)
{
    DetectAsn1 *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        return detect_err(dp, "out of memory");
    }
    char why[160];
    if (!detect_asn1_parse(arg, a, why, sizeof(why))) {
        free(a);
        return detect_err(dp, "%s", why);
    }
    return detect_append(dp, DETECT_LIST_PMATCH, &detect_kw_asn1, a, DETECT_PM_ASN1);
}

const DetectKeyword detect_kw_asn1 = {
    .name = "asn1",
    .desc = "BER decoding checks (bitstring_overflow, double_overflow, oversize_length N, "
            "absolute_offset N, relative_offset N)",
    .setup = setup_asn1, .free = free,
};
