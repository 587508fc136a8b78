/* rtclab/channeldata.h - TURN ChannelData framing (RFC 8656 12.4, RFC 5766 11.4).
 *
 * A ChannelData message is a 4-byte header (channel number, length) and the
 * application data, with no STUN header: the cheap way to relay data once a
 * channel is bound with ChannelBind.  RFC 8656 allows channel numbers
 * 0x4000-0x4FFF; RFC 5766 allowed 0x4000-0x7FFF and deployed servers such as
 * coturn still bind numbers above 0x4FFF, so both are accepted and labelled.
 */
#ifndef RTCLAB_CHANNELDATA_H
#define RTCLAB_CHANNELDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/bytes.h"
#include "rtclab/stun.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTCLAB_CHANNELDATA_HEADER_SIZE 4

enum rtclab_channel_range {
	RTCLAB_CHANNEL_INVALID = 0, /* below 0x4000 or above 0x7FFF */
	RTCLAB_CHANNEL_RFC8656,     /* 0x4000-0x4FFF: valid under every TURN RFC */
	RTCLAB_CHANNEL_RFC5766,     /* 0x5000-0x7FFF: valid under RFC 5766 only, reserved in RFC 8656 */
};

struct rtclab_channeldata {
	uint16_t channel;
	uint16_t length;           /* the header's length field: data bytes, padding excluded */
	struct rtclab_bytes data;  /* view of the data */
	size_t padding;            /* padding bytes after the data that were consumed */
	size_t size;               /* bytes this message occupies (header + data + padding) */
	enum rtclab_channel_range range;
	size_t n_problems;
	struct rtclab_stun_problem problems[4];
};

enum rtclab_channel_range rtclab_channel_range(uint16_t channel);
/* "RFC 8656 (0x4000-0x4FFF)", "RFC 5766 only (0x5000-0x7FFF, reserved since RFC 8656)", ... */
const char *rtclab_channel_range_str(enum rtclab_channel_range range);

/* Decode one ChannelData message.  Over UDP the data may be followed by up
 * to 3 bytes of padding; over TCP the message must be padded to a multiple
 * of 4 (RFC 8656 12.5), and bytes after it belong to the next message (see
 * cd->size).  Returns RTCLAB_STUN_OK or the first problem's code. */
enum rtclab_stun_error rtclab_channeldata_decode(struct rtclab_channeldata *cd, const void *buf, size_t len,
						 bool over_tcp);

/* Encode: header, data, and over TCP the padding.  Returns the size, 0 if it does not fit. */
size_t rtclab_channeldata_encode(void *buf, size_t cap, uint16_t channel, const void *data, size_t len,
				 bool over_tcp);

#ifdef __cplusplus
}
#endif
#endif
