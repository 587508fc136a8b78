/* rtclab/demux_json.h - demultiplexed UDP payloads as JSON, in the shapes of
 * the JSON Lines of `rtclab dump --json`: "dtls", "rtp", "rtcp",
 * "channeldata", "stun", "tunnel" and "problems".  Every function returns a
 * new object (NULL only when out of memory). */
#ifndef RTCLAB_DEMUX_JSON_H
#define RTCLAB_DEMUX_JSON_H

#include <jansson.h>

#include "rtclab/demux.h"

#ifdef __cplusplus
extern "C" {
#endif

/* {"content_type":"handshake","version":"DTLS 1.2","epoch":0,"sequence":N,
 *  "handshake_type":"ClientHello", ..., "records":[...every record...]}:
 * the first record's fields at the top, every record in "records". */
json_t *rtclab_dtls_json(const struct rtclab_dtls *d);
/* One record. */
json_t *rtclab_dtls_record_json(const struct rtclab_dtls_record *rec);
/* {"payload_type":111,"ssrc":"0x1234abcd","seq":N,"timestamp":N,"marker":false, ...}. */
json_t *rtclab_rtp_json(const struct rtclab_rtp *rtp);
/* {"types":["SR","SDES"],"packets":[...],"srtcp":false}. */
json_t *rtclab_rtcp_json(const struct rtclab_rtcp *rtcp);
/* {"via":"turn-data","peer":"ip:port"} or {"via":"channeldata","channel":N}; NULL without a tunnel. */
json_t *rtclab_demux_tunnel_json(const struct rtclab_demux *d);
/* [{"offset":N,"id":"truncated","message":"..."}]. */
json_t *rtclab_demux_problems_json(const struct rtclab_demux_problems *ps);
/* {"proto":"dtls","why":"first byte 0x16 (22): DTLS, RFC 7983","dtls":{...},"problems":[...]}:
 * one result; "problems" only when there are some (STUN's and ChannelData's included). */
json_t *rtclab_demux_result_json(const struct rtclab_demux_result *r);
/* The outer result's object, with "inner" (the inner result's object, its
 * "tunnel" and its "offset" in the datagram) when a tunnel was opened. */
json_t *rtclab_demux_json(const struct rtclab_demux *d);

#ifdef __cplusplus
}
#endif
#endif
