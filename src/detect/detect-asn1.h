#ifndef VG_DETECT_DETECT_ASN1_H
#define VG_DETECT_DETECT_ASN1_H

/* The asn1 keyword (Snort's and Suricata's): decode the buffer from an offset
 * as a series of BER elements (X.690) and match when one of them, at any depth,
 * is malformed in a way the rule asks about:
 *   bitstring_overflow  a primitive universal BIT STRING whose unused-bits count
 *                       exceeds its length in bits;
 *   double_overflow     a primitive universal REAL in decimal (ISO 6093) form
 *                       longer than 256 bytes (the MSASN1 overflow);
 *   oversize_length N   an element whose length, or content, exceeds N.
 * Where decoding starts: absolute_offset N (from the buffer's start),
 * relative_offset N (signed, from the end of the previous match), else 0. An
 * offset past the buffer does not match. At most max_frames (asn1-max-frames,
 * 30) top-level elements and nesting levels are decoded; decoding stops at the
 * first element that is truncated or malformed (the elements before it count). */

#include <stdbool.h>
#include <stdint.h>

/* Checks (DetectAsn1.checks). */
enum {
    DETECT_ASN1_BITSTRING_OVERFLOW = 1u << 0,
    DETECT_ASN1_DOUBLE_OVERFLOW = 1u << 1,
    DETECT_ASN1_OVERSIZE = 1u << 2,
};
/* DetectAsn1.flags: relative_offset sets DETECT_PM_F_RELATIVE (detect-internal.h),
 * so the payload chain hands it the previous match's end; absolute_offset this. */
#define DETECT_ASN1_F_ABSOLUTE (1u << 8)

typedef struct DetectAsn1 {
    uint32_t flags;              // DETECT_PM_F_RELATIVE, _RELATIVE_NEXT, DETECT_ASN1_F_ABSOLUTE
    uint32_t checks;             // DETECT_ASN1_*
    uint32_t oversize_length;
    int32_t offset;              // absolute (0..65535) or relative (signed)
    uint16_t max_frames;
} DetectAsn1;

/* Parses the keyword's argument ("bitstring_overflow, relative_offset 54, ...");
 * false with why set (at most cap bytes) when malformed. */
bool detect_asn1_parse(const char *arg, DetectAsn1 *out, char *why, unsigned cap);

/* Does buf (len bytes), decoded from the keyword's offset, hold an element one of
 * a's checks flags? prev_end: where the previous match ended (relative_offset). */
bool detect_asn1_match(const DetectAsn1 *a, const uint8_t *buf, uint32_t len, uint32_t prev_end);

#endif
