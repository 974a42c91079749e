#ifndef VG_ACQUIRE_ACQUIRE_H
#define VG_ACQUIRE_ACQUIRE_H

/* Capture backends. Each is a thread module of kind TM_KIND_ACQUIRE. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The capture files a -r PATH names: the file itself (which must be
 * readable), or the regular files below a directory, subdirectories
 * included (each directory in name order, hidden entries left out). Returns
 * the count (0 on error, logged); *out is a malloc'd array of malloc'd
 * paths, freed with acquire_files_free. */
size_t acquire_list_files(const char *path, char ***out);
void acquire_files_free(char **files, size_t n);

/* Capture files the pcap-file reader mapped to read in place (Engine.pcap_maps): packets
 * point into them until they are back in the pool, so they are unmapped only at engine
 * teardown, after the pool is gone. NULL-safe. */
typedef struct AcquireFileMap AcquireFileMap;
void acquire_file_maps_free(AcquireFileMap *maps);

struct Conf;

/* The nfq: section, checked at start-up of every run (so that -T and an
 * offline run catch a bad value too). 0 or VG_EINVAL (logged). */
int acquire_nfq_conf_check(const struct Conf *conf);

/* NFQUEUE: bind and release each queue once, so that a queue another
 * process holds, or missing privileges, stop start-up (one line logged)
 * before any output is created. 0 or VG_EIO. */
int acquire_nfq_probe(const uint16_t *queues, int n);

/* Live capture: open the interface (and compile the filter) once and close
 * it, so that a missing or down interface, missing privileges or a bad
 * filter stop start-up (one line logged) before any output is created. */
int acquire_pcap_live_probe(const char *iface, const char *filter);

/* AF_PACKET: the af-packet: section checked on every run. */
int acquire_af_packet_conf_check(const struct Conf *conf);

/* af-packet copy-mode: none (IDS), ips (bridged, drops apply), tap
 * (bridged, everything forwarded, the engine stays IDS). */
enum { AFP_COPY_NONE = 0, AFP_COPY_IPS, AFP_COPY_TAP };

typedef struct AcquireAfPacketSetup {
    uint32_t n_threads;          // readers over every interface
    int copy_mode;               // AFP_COPY_*
    uint32_t n_ifaces;
    const char *first_iface;
} AcquireAfPacketSetup;

/* The interfaces of an --af-packet run, decided once at start-up (main
 * thread, before packet threads): iface, or every interface the af-packet:
 * list names when iface is NULL or empty; a copy-mode interface brings its
 * copy-iface, which must name it back with the same mode. Errors are one
 * line (file:line of the entry), VG_EINVAL. */
int acquire_af_packet_setup(const struct Conf *conf, const char *iface,
                            AcquireAfPacketSetup *out);
/* Open every interface of the setup once (socket, ring, bind), check it is
 * up and, in copy mode, that it and its peer have the same MTU, before any
 * output exists: 0, or VG_EIO after one line. */
int acquire_af_packet_probe(void);

#endif
