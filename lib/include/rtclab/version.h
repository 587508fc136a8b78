/* rtclab/version.h - library version. */
#ifndef RTCLAB_VERSION_H
#define RTCLAB_VERSION_H

#define RTCLAB_VERSION "0.1.0"
#define RTCLAB_VERSION_MAJOR 0
#define RTCLAB_VERSION_MINOR 1
#define RTCLAB_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library actually linked (may differ from RTCLAB_VERSION). */
const char *rtclab_version(void);

#ifdef __cplusplus
}
#endif
#endif
