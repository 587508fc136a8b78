/* TURN ChannelData framing, RFC 8656 12.4 and 12.5 (RFC 5766 11.4, 11.5).
 *
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Channel Number        |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                       Application Data                        /
 */
#include "rtclab/channeldata.h"

#include "rtclab/bytes.h"

enum rtclab_channel_range rtclab_channel_range(uint16_t channel)
{
	if (channel >= 0x4000 && channel <= 0x4FFF)
		return RTCLAB_CHANNEL_RFC8656;
	if (channel >= 0x5000 && channel <= 0x7FFF)
		return RTCLAB_CHANNEL_RFC5766;
	return RTCLAB_CHANNEL_INVALID;
}

const char *rtclab_channel_range_str(enum rtclab_channel_range range)
{
	switch (range) {
	case RTCLAB_CHANNEL_RFC8656:
		return "RFC 8656 range 0x4000-0x4FFF";
	case RTCLAB_CHANNEL_RFC5766:
		return "RFC 5766 range 0x5000-0x7FFF (reserved since RFC 8656, still bound by deployed servers)";
	case RTCLAB_CHANNEL_INVALID:
	default:
		return "outside every TURN channel range (0x4000-0x7FFF)";
	}
}

static void cd_problem(struct rtclab_channeldata *cd, enum rtclab_stun_error code, size_t offset,
		       uint32_t expected, uint32_t found)
{
	if (cd->n_problems == sizeof cd->problems / sizeof cd->problems[0])
		return;
	struct rtclab_stun_problem *p = &cd->problems[cd->n_problems++];
	p->code = code;
	p->offset = (uint32_t)offset;
	p->attr_type = 0;
	p->expected = expected;
	p->found = found;
}

enum rtclab_stun_error rtclab_channeldata_decode(struct rtclab_channeldata *cd, const void *buf, size_t len,
						 bool over_tcp)
{
	struct rtclab_reader r;
	rtclab_reader_init(&r, buf, len);
	cd->n_problems = 0;
	cd->channel = rtclab_read_be16(&r);
	cd->length = rtclab_read_be16(&r);
	cd->data.ptr = NULL;
	cd->data.len = 0;
	cd->padding = 0;
	cd->size = len;
	if (r.error) {
		cd_problem(cd, RTCLAB_STUN_E_TRUNCATED_HEADER, 0, RTCLAB_CHANNELDATA_HEADER_SIZE, (uint32_t)len);
		cd->range = RTCLAB_CHANNEL_INVALID;
		return cd->problems[0].code;
	}
	cd->range = rtclab_channel_range(cd->channel);
	if (cd->range == RTCLAB_CHANNEL_INVALID)
		cd_problem(cd, RTCLAB_STUN_E_CHANNEL_RANGE, 0, 0x4000, cd->channel);
	size_t left = rtclab_reader_left(&r);
	if (cd->length > left) {
		cd_problem(cd, RTCLAB_STUN_E_TRUNCATED, 2, cd->length, (uint32_t)left);
		cd->data = rtclab_read_view(&r, left);
		return cd->problems[0].code;
	}
	cd->data = rtclab_read_view(&r, cd->length);
	size_t pad = (4 - cd->length % 4) % 4;
	left = rtclab_reader_left(&r);
	if (over_tcp) {
		/* RFC 8656 12.5: over TCP the message is padded to a multiple of 4
		 * and the padding is not counted in Length; what follows is the
		 * next message of the stream. */
		if (left < pad) {
			cd_problem(cd, RTCLAB_STUN_E_ATTR_PADDING_MISSING, 4 + cd->length, (uint32_t)pad, (uint32_t)left);
			pad = left;
		}
		cd->padding = pad;
		cd->size = 4 + cd->length + pad;
	} else {
		/* Over UDP padding is optional; more than 3 extra bytes is not padding. */
		cd->padding = left <= 3 ? left : 0;
		if (left > 3)
			cd_problem(cd, RTCLAB_STUN_E_TRAILING_BYTES, 4 + cd->length, cd->length, (uint32_t)(len - 4));
	}
	return cd->n_problems ? cd->problems[0].code : RTCLAB_STUN_OK;
}

size_t rtclab_channeldata_encode(void *buf, size_t cap, uint16_t channel, const void *data, size_t len,
				 bool over_tcp)
{
	struct rtclab_writer w;
	if (len > 0xFFFF)
		return 0;
	rtclab_writer_init(&w, buf, cap);
	rtclab_write_be16(&w, channel);
	rtclab_write_be16(&w, (uint16_t)len);
	rtclab_write_bytes(&w, data, len);
	if (over_tcp)
		rtclab_write_zeros(&w, (4 - len % 4) % 4);
	return w.overflow ? 0 : w.pos;
}
