#ifndef VG_ENGINE_PRIVS_H
#define VG_ENGINE_PRIVS_H

/* Running as an unprivileged user (--user/--group, or run-as.user/run-as.group
 * of the config as in suricata.yaml): after the capture has been probed and the
 * outputs opened, and before any packet thread starts, the process switches to
 * the user and group and keeps only the capabilities its capture and active
 * responses need (libcap-ng): CAP_NET_RAW and CAP_NET_ADMIN for live capture,
 * NFQUEUE verdicts and reject packets, CAP_IPC_LOCK for capture rings. Reading
 * capture files keeps none. Packet threads inherit what the main thread kept. */

#include <stdbool.h>
#include <sys/types.h>

struct Engine;

typedef struct EnginePrivs {
    bool wanted;                 // a user or group was given
    uid_t uid;
    gid_t gid;
    const char *user;            // as given (messages)
    const char *group;
} EnginePrivs;

/* Resolves the user and group of the command line (user, group: may be NULL)
 * or else of run-as.* in the config. 0, or 1 after one clear error line
 * (unknown user or group, not root). */
int engine_privs_resolve(const struct Engine *e, const char *user, const char *group,
                         EnginePrivs *out);

/* Switches to out's ids keeping the capabilities live (capture or inline)
 * needs; 0, or 1 after an error line. Nothing happens unless wanted. */
int engine_privs_drop(const EnginePrivs *p, bool live, const char *log_dir);

#endif
