/* libFuzzer target: the asn1 keyword's BER walker (src/detect/detect-asn1.c) on
 * hostile input: lying lengths, deep nesting, indefinite lengths, long tags.
 *
 * Built by fuzz/build.sh (make fuzz). Input: byte 0 picks the checks (low 3 bits)
 * and how the offset is given (bits 3-4: none, absolute, relative); byte 1 is the
 * offset (relative: minus 128) and the previous match's end; bytes 2-3 the
 * oversize_length (big-endian); the rest is the buffer. Seeds: fuzz/corpus/fuzz-asn1/. */
#include <stddef.h>
#include <stdint.h>

#include "detect/detect-asn1.h"
#include "detect/detect-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > 65535) {
        return 0;
    }
    DetectAsn1 a = { 0 };
    a.checks = data[0] & 7u;
    if (a.checks == 0) {
        a.checks = DETECT_ASN1_BITSTRING_OVERFLOW;
    }
    switch ((data[0] >> 3) & 3u) {
    case 1:
        a.flags = DETECT_ASN1_F_ABSOLUTE;
        a.offset = data[1];
        break;
    case 2:
        a.flags = DETECT_PM_F_RELATIVE;
        a.offset = (int32_t)data[1] - 128;
        break;
    default:
        break;
    }
    a.oversize_length = (uint32_t)data[2] << 8 | data[3];
    a.max_frames = 30;
    (void)detect_asn1_match(&a, data + 4, (uint32_t)(size - 4), data[1]);
    return 0;
}
