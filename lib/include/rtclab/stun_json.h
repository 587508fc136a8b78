/* rtclab/stun_json.h - one STUN message as JSON (the shape docs/json.md
 * documents; every rtclab tool that shows STUN reuses it). */
#ifndef RTCLAB_STUN_JSON_H
#define RTCLAB_STUN_JSON_H

#include <jansson.h>

#include "rtclab/channeldata.h"
#include "rtclab/stun.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new JSON object for msg; verdict may be NULL (integrity "unchecked"
 * when present, fingerprint computed).  NULL only when out of memory. */
json_t *rtclab_stun_json(const struct rtclab_stun_msg *msg, const struct rtclab_stun_verdict *verdict);

/* One attribute as a JSON object (name, type, and its typed fields). */
json_t *rtclab_stun_attr_json(const struct rtclab_stun_attr *a);

/* A ChannelData message: {"channel":16385,"channel_range":"RFC 8656","length":N,"data":"hex","problems":[]}. */
json_t *rtclab_channeldata_json(const struct rtclab_channeldata *cd);

/* Lowercase hex of bytes as a new JSON string. */
json_t *rtclab_json_hex(const void *bytes, size_t len);

#ifdef __cplusplus
}
#endif
#endif
