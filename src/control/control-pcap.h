#ifndef VG_CONTROL_CONTROL_PCAP_H
#define VG_CONTROL_CONTROL_PCAP_H

/* The pcap-file queue of the unix-socket runmode (vigil --unix-socket with no
 * capture source): captures queued by the control socket's pcap-file and
 * pcap-file-continuous commands, taken one at a time by the runmode
 * (engine-socket-mode.c). Main thread only: in that runmode the main thread
 * serves the socket too. */

#include <stdbool.h>
#include <stdint.h>

typedef struct ControlPcapJob {
    char *path;                  // a capture or a directory of captures (absolute)
    char *out_dir;               // where its outputs go (absolute, exists)
    bool is_continuous;          // a directory watched for new captures until interrupted
    bool is_delete_when_done;    // each capture is removed once read whole
} ControlPcapJob;

/* The unix-socket runmode runs: the pcap commands work (else they answer
 * NOK). Start-up only. */
void control_pcap_enable(void);
bool control_pcap_is_enabled(void);
/* The next queued job, which the caller then owns (control_pcap_job_deinit);
 * false when none waits. */
bool control_pcap_next(ControlPcapJob *job);
void control_pcap_job_deinit(ControlPcapJob *job);
/* What pcap-current names (NULL: nothing). */
void control_pcap_set_current(const char *path);
/* A capture was read whole: its modification time (ms since the epoch) for
 * pcap-last-processed, which keeps the newest. */
void control_pcap_note_processed(int64_t mtime_ms);
/* pcap-interrupt was asked since the last call. */
bool control_pcap_take_interrupt(void);
/* Drop every queued job (teardown). */
void control_pcap_clear(void);

#endif
