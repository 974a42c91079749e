/* libFuzzer target: arbitrary bytes as a rules file, then one packet through
 * whatever loaded. Build: clang -fsanitize=fuzzer,address -Isrc ... */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "util/util-log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char payload[] = "GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n";
    util_log_set_level(LOG_LEVEL_ERROR);
    char *text = malloc(size + 1);
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    DetectEngine *de = detect_engine_new_empty();
    if (de != NULL) {
        /* By length, as rule files are read: NULs in the input are data. */
        (void)detect_engine_load_buffer(de, text, size, "fuzz.rules");
        if (detect_engine_build(de) == 0) {
            DetectThread *dt = detect_thread_new(de, NULL);
            Packet p;
            memset(&p, 0, sizeof(p));
            p.l3 = PKT_L3_IPV4;
            p.l4 = PKT_L4_TCP;
            p.proto = 6;
            p.src.family = p.dst.family = 4;
            p.dp = 80;
            p.payload = (const uint8_t *)payload;
            p.payload_len = sizeof(payload) - 1;
            if (dt != NULL) {
                detect_packet(dt, &p);
            }
            detect_packet_alerts_free(&p);
            detect_thread_free(dt);
        }
    }
    detect_engine_free(de);
    detect_datasets_free();  // sets are process-wide: none may pile up between inputs
    free(text);
    return 0;
}
