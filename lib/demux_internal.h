/* Private helpers shared by lib/demux.c, lib/dtls.c and lib/rtp.c. */
#ifndef RTCLAB_DEMUX_INTERNAL_H
#define RTCLAB_DEMUX_INTERNAL_H

#include "rtclab/demux.h"

/* Library-internal: not exported from librtclab.so. */
#define RTCLAB_INTERNAL __attribute__((visibility("hidden")))

/* Append a problem (counted past the array's capacity). */
RTCLAB_INTERNAL void rtclab_demux_add_problem_(struct rtclab_demux_problems *ps, enum rtclab_demux_error code,
					       size_t offset, size_t expected, size_t found);

#endif
