/* The stream data an alert record shows (EVE "payload" of stream matches).
 *
 * Suricata logs the segments of the matched direction that it still holds,
 * oldest first, with "[N bytes missing]" where the sequence space has a
 * hole; inspection itself carried on past the hole. Vigil holds the bytes
 * kept for overlap before the delivery point plus everything stored after
 * it, so that is what is written here. */
#include "stream/stream-internal.h"

#include <stdio.h>
#include <string.h>

static uint32_t put(uint8_t *out, uint32_t cap, uint32_t len, const void *src, uint64_t n)
{
    uint64_t room = cap - len;
    uint64_t k = n < room ? n : room;
    if (k > 0) {
        memcpy(out + len, src, (size_t)k);
    }
    return len + (uint32_t)k;
}

static uint32_t put_gap(uint8_t *out, uint32_t cap, uint32_t len, uint64_t missing)
{
    char mark[48];
    int n = snprintf(mark, sizeof(mark), "[%llu bytes missing]", (unsigned long long)missing);
    if (n <= 0) {
        return len;
    }
    return put(out, cap, len, mark, (uint64_t)n);
}

uint32_t stream_log_payload(const Flow *f, bool toserver, uint8_t *out, uint32_t cap)
{
    if (f == NULL || f->key.proto != 6 || f->protoctx == NULL || out == NULL) {
        return 0;
    }
    const TcpSession *ssn = f->protoctx;
    const TcpStream *s = &ssn->streams[toserver ? 0 : 1];
    if (s->buf == NULL) {
        return 0;
    }
    uint32_t len = 0;
    uint64_t off = stream_reasm_next_stored(s, s->buf_base);
    while (off < s->stored_end && len < cap) {
        uint64_t run = stream_reasm_run_len(s, off);
        len = put(out, cap, len, stream_reasm_ptr(s, off), run);
        off += run;
        uint64_t next = stream_reasm_next_stored(s, off);
        if (next == UINT64_MAX || next >= s->stored_end) {
            break;
        }
        len = put_gap(out, cap, len, next - off);
        off = next;
    }
    return len;
}
