/* rtclab/sdp_json.h - an SDP description as JSON (docs/json.md). */
#ifndef RTCLAB_SDP_JSON_H
#define RTCLAB_SDP_JSON_H

#include <jansson.h>

#include "rtclab/sdp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* {"origin":{...},"session_name":"-","groups":[...],"media":[...],"problems":[...]}
 * with each section's effective ICE, fingerprint and setup.  NULL only when
 * out of memory. */
json_t *rtclab_sdp_json(const struct rtclab_sdp *sdp);

/* Problems alone: [{"line":N,"column":N,"severity":"error|warning","code":"...","message":"..."}]. */
json_t *rtclab_sdp_problems_json(const struct rtclab_sdp *sdp);

/* Stable identifier of a problem code: "missing_ice", "bundle", ... */
const char *rtclab_sdp_problem_id(enum rtclab_sdp_problem_code code);

#ifdef __cplusplus
}
#endif
#endif
