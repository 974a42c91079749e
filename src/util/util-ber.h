#ifndef VG_UTIL_UTIL_BER_H
#define VG_UTIL_UTIL_BER_H

/* A bounded reader of ASN.1 BER/DER encodings (ITU-T X.690), shared by the SNMP,
 * Kerberos and LDAP parsers. It never allocates and never reads outside the buffer it
 * was given: every length is checked against what is left, definite lengths only (the
 * indefinite form, X.690 8.1.3.6, is refused: SNMP, LDAP and Kerberos never use it),
 * lengths of at most 4 octets, tag numbers below 2^28. Nesting is followed by opening a
 * sub-reader on a constructed value; each level counts against BER_DEPTH_MAX, so deep
 * nesting costs a bounded amount of stack and time. Thread-safe (no state but the
 * reader the caller holds). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BER_DEPTH_MAX 24

enum { BER_CLASS_UNIVERSAL = 0, BER_CLASS_APPLICATION = 1, BER_CLASS_CONTEXT = 2,
       BER_CLASS_PRIVATE = 3 };

/* Universal tag numbers used by the parsers. */
enum { BER_TAG_BOOLEAN = 1, BER_TAG_INTEGER = 2, BER_TAG_BIT_STRING = 3,
       BER_TAG_OCTET_STRING = 4, BER_TAG_NULL = 5, BER_TAG_OID = 6, BER_TAG_ENUMERATED = 10,
       BER_TAG_SEQUENCE = 16, BER_TAG_SET = 17, BER_TAG_GENERALSTRING = 27 };

/* Results: 0, BER_ETRUNC (the buffer ends inside the element: more data may complete
 * it), BER_EINVAL (malformed: no more data can fix it), BER_EDEPTH (nesting too deep). */
enum { BER_OK = 0, BER_ETRUNC = -1, BER_EINVAL = -2, BER_EDEPTH = -3 };

typedef struct BerTlv {
    uint8_t cls;                 // BER_CLASS_*
    bool constructed;
    uint32_t tag;                // tag number
    const uint8_t *val;          // contents (inside the reader's buffer)
    uint32_t len;                // contents length
    uint32_t hdr_len;            // identifier and length octets
} BerTlv;

typedef struct BerReader {
    const uint8_t *p;
    uint32_t len;
    uint32_t off;                // next element starts here
    uint8_t depth;               // nesting level of this reader (0: outermost)
} BerReader;

/* A reader over data[0, len) at depth 0. */
void ber_reader_init(BerReader *r, const uint8_t *data, uint32_t len);
/* True when every element of the reader has been read. */
bool ber_at_end(const BerReader *r);
/* Reads the identifier and length of the next element at r->off without consuming it. */
int ber_peek(const BerReader *r, BerTlv *t) __attribute__((warn_unused_result));
/* Reads the next element and moves past it. */
int ber_next(BerReader *r, BerTlv *t) __attribute__((warn_unused_result));
/* Reads the next element and checks its class, tag and form: BER_EINVAL on another. */
int ber_expect(BerReader *r, uint8_t cls, uint32_t tag, bool constructed, BerTlv *t)
    __attribute__((warn_unused_result));
/* A reader over the contents of t (read from parent), one level deeper; BER_EDEPTH when
 * that passes BER_DEPTH_MAX, BER_EINVAL when t is primitive. */
int ber_enter(const BerReader *parent, const BerTlv *t, BerReader *sub)
    __attribute__((warn_unused_result));
/* The total length (header and contents) of the element starting at data, for framing
 * a stream (LDAP and Kerberos over TCP). BER_ETRUNC when the header is not all there
 * yet; the contents need not be. */
int ber_frame_len(const uint8_t *data, uint32_t len, uint64_t *total)
    __attribute__((warn_unused_result));

/* INTEGER / ENUMERATED contents (two's complement, 1 to 8 octets) into *v. */
int ber_int(const BerTlv *t, int64_t *v) __attribute__((warn_unused_result));
/* The same for a value that must be non-negative and fit 32 bits. */
int ber_u32(const BerTlv *t, uint32_t *v) __attribute__((warn_unused_result));
/* OBJECT IDENTIFIER contents as dotted text ("1.3.6.1.2.1.1.3.0") into out (NUL-ended);
 * BER_EINVAL when malformed (empty, an arc over 64 bits, an unfinished arc) or when out
 * is too small. */
int ber_oid_text(const uint8_t *val, uint32_t len, char *out, size_t cap)
    __attribute__((warn_unused_result));

#endif
