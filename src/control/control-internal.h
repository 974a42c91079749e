#ifndef VG_CONTROL_CONTROL_INTERNAL_H
#define VG_CONTROL_CONTROL_INTERNAL_H

/* Shared between control-socket.c, control-commands.c and their tests. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/engine.h"
#include "util/util-json.h"

#define CONTROL_MAX_REQUEST_BYTES (64u * 1024) // one request, bytes
#define CONTROL_MAX_CLIENTS 16
#define CONTROL_IDLE_SEC 60                     // a silent client is closed after this

typedef enum ControlResult {
    CONTROL_DONE = 0,            // the answer is in out
    CONTROL_WAIT_RELOAD,         // answer when the reload generation passes *wait_gen
    CONTROL_CLOSE,               // the answer is in out; then close the connection
} ControlResult;

typedef struct ControlCtx {
    Engine *engine;
    int64_t start_wall_sec;      // when the server started (uptime)
    const char *cmd_name;        // the command being run (set by control_dispatch)
} ControlCtx;

/* One request (len bytes, one JSON value) after the handshake: the answer
 * goes into out (reset first). For CONTROL_WAIT_RELOAD *wait_gen is set and
 * the answer comes later from control_reload_answer. Never fails: whatever
 * the input, out holds an answer. */
ControlResult control_dispatch(ControlCtx *ctx, const char *req, size_t len, JsonBuf *out,
                               uint64_t *wait_gen);
/* The handshake request: OK for {"version": "0.<n>"}, else NOK (close). */
ControlResult control_handshake(const char *req, size_t len, JsonBuf *out);
/* The reload generation: bumped by control_note_reload. */
uint64_t control_reload_generation(void);
/* The answer to a reload that ended (the last noted result). */
void control_reload_answer(JsonBuf *out);
/* {"return": "NOK", "message": msg} into out (reset first). */
void control_answer_nok(JsonBuf *out, const char *msg);
/* Where the first JSON value of buf ends (bytes, leading white space
 * included), 0 while it is incomplete; a value that is not an object or
 * array (or garbage) ends at its first byte: the parser then says why. */
size_t control_request_end(const char *buf, size_t len);

/* The pcap-file queue commands (control-pcap.c), in the command table. */
typedef struct JsonValue JsonValue;
#define CONTROL_CMD(fn)                                                                 \
    ControlResult fn(ControlCtx *ctx, const JsonValue *args, JsonBuf *out, uint64_t *wait_gen)
CONTROL_CMD(control_cmd_pcap_file);
CONTROL_CMD(control_cmd_pcap_file_continuous);
CONTROL_CMD(control_cmd_pcap_file_number);
CONTROL_CMD(control_cmd_pcap_file_list);
CONTROL_CMD(control_cmd_pcap_current);
CONTROL_CMD(control_cmd_pcap_last_processed);
CONTROL_CMD(control_cmd_pcap_interrupt);

#endif
