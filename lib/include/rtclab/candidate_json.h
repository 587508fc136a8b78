/* rtclab/candidate_json.h - one ICE candidate as JSON (the shape
 * docs/json.md documents; `rtclab candidate --json` prints it, and the SDP
 * JSON reuses it for every a=candidate line). */
#ifndef RTCLAB_CANDIDATE_JSON_H
#define RTCLAB_CANDIDATE_JSON_H

#include <jansson.h>

#include "rtclab/candidate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new JSON object:
 * {"foundation":"1","component":1,"transport":"udp","priority":2122260223,
 *  "address":"192.168.1.5","port":54400,"type":"host","related_address":null,
 *  "related_port":null,"tcptype":null,"extensions":{"generation":"0"},
 *  "priority_parts":{"type_preference":126,"local_preference":65535,"component":1},
 *  "address_kind":"ipv4"}
 * NULL only when out of memory. */
json_t *rtclab_candidate_json(const struct rtclab_candidate *c);

#ifdef __cplusplus
}
#endif
#endif
