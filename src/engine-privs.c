/* Privilege drop after start-up (see engine-privs.h). */

#include "engine-privs.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "runtime/engine.h"
#include "util/util-log.h"

/* A whole decimal number (a uid or gid given as such). */
static bool parse_id(const char *s, unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    *out = strtoul(s, &end, 10);
    return errno == 0 && end != s && *end == '\0';
}

/* A user by name or number: its uid and primary group. */
static bool lookup_user(const char *name, uid_t *uid, gid_t *gid)
{
    unsigned long v = 0;
    struct passwd *pw = getpwnam(name);
    if (pw == NULL && parse_id(name, &v)) {
        pw = getpwuid((uid_t)v);
    }
    if (pw == NULL) {
        return false;
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return true;
}

static bool lookup_group(const char *name, gid_t *gid)
{
    unsigned long v = 0;
    struct group *gr = getgrnam(name);
    if (gr == NULL && parse_id(name, &v)) {
        gr = getgrgid((gid_t)v);
    }
    if (gr == NULL) {
        return false;
    }
    *gid = gr->gr_gid;
    return true;
}

int engine_privs_resolve(const Engine *e, const char *user, const char *group, EnginePrivs *out)
{
    *out = (EnginePrivs){0};
    const char *ukey = user != NULL ? "--user" : "run-as.user"; // for the messages
    const char *gkey = group != NULL ? "--group" : "run-as.group";
    if (user == NULL && e->conf != NULL) {
        user = conf_str_or(e->conf, "run-as.user", NULL);
    }
    if (group == NULL && e->conf != NULL) {
        group = conf_str_or(e->conf, "run-as.group", NULL);
    }
    if (user == NULL && group == NULL) {
        return 0;
    }
    out->wanted = true;
    out->user = user;
    out->group = group;
    out->uid = getuid();
    out->gid = getgid();
    if (user != NULL && !lookup_user(user, &out->uid, &out->gid)) {
        VG_ERROR("%s %s: no such user", ukey, user);
        return 1;
    }
    if (group != NULL && !lookup_group(group, &out->gid)) {
        VG_ERROR("%s %s: no such group", gkey, group);
        return 1;
    }
    if (out->uid == geteuid() && out->uid == getuid() && out->gid == getegid() &&
        out->gid == getgid() && out->uid != 0) {
        out->wanted = false;     // already that user and group: nothing to switch
        return 0;
    }
    if (geteuid() != 0) {
        VG_ERROR("--user/--group: switching user needs root (running as uid %u)",
                 (unsigned)geteuid());
        return 1;
    }
    return 0;
}

int engine_privs_drop(const EnginePrivs *p, bool live, const char *log_dir)
{
    if (!p->wanted) {
        return 0;
    }
    capng_clear(CAPNG_SELECT_BOTH);
    if (live && capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_RAW,
                              CAP_NET_ADMIN, CAP_IPC_LOCK, -1) != 0) {
        VG_ERROR("--user/--group: cannot select the capabilities to keep");
        return 1;
    }
    int rc = capng_change_id((int)p->uid, (int)p->gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
    if (rc != 0) {
        VG_ERROR("--user/--group: cannot switch to uid %u gid %u (libcap-ng error %d)",
                 (unsigned)p->uid, (unsigned)p->gid, rc);
        return 1;
    }
    if (getuid() != p->uid || geteuid() != p->uid || getgid() != p->gid) {
        VG_ERROR("--user/--group: still uid %u gid %u after the switch", (unsigned)geteuid(),
                 (unsigned)getegid());
        return 1;
    }
    VG_NOTICE("running as uid %u gid %u%s", (unsigned)p->uid, (unsigned)p->gid,
              live ? ", keeping CAP_NET_RAW, CAP_NET_ADMIN and CAP_IPC_LOCK" : ", no capabilities");
    if (log_dir != NULL && access(log_dir, W_OK) != 0) {
        VG_WARN("log directory %s is not writable by uid %u: reopening the logs (SIGHUP) "
                "will fail; give it to that user", log_dir, (unsigned)p->uid);
    }
    return 0;
}
