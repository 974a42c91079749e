#ifndef VG_UTIL_UTIL_ERROR_H
#define VG_UTIL_UTIL_ERROR_H

/* Error codes: functions that can fail return 0 or one of these (negative). */
enum {
    VG_OK = 0,
    VG_ENOMEM = -1,
    VG_EINVAL = -2,
    VG_EIO = -3,
    VG_ENOENT = -4,
    VG_ERANGE = -5,
    VG_EEXIST = -6,
    VG_EVERSION = -7,
    VG_EUNSUPPORTED = -8,
    VG_ECLOSED = -9,             // the queue or channel is closed
};

#endif
