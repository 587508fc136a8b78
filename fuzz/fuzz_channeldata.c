/* libFuzzer target: TURN ChannelData framing over UDP and TCP.  A message
 * without problems re-encodes to the same bytes (TCP: header, data, zero padding). */
#include <stdlib.h>
#include <string.h>

#include "rtclab/channeldata.h"
#include "rtclab/stun_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtclab_channeldata cd;
	for (int tcp = 0; tcp <= 1; tcp++) {
		rtclab_channeldata_decode(&cd, data, size, tcp);
		if (cd.size > size)
			abort();
		json_decref(rtclab_channeldata_json(&cd));
		if (cd.n_problems == 0) {
			static uint8_t out[70000];
			size_t n = rtclab_channeldata_encode(out, sizeof out, cd.channel, cd.data.ptr, cd.data.len, tcp);
			size_t want = tcp ? cd.size : 4 + cd.length;
			if (n != want || memcmp(out, data, 4 + cd.length) != 0)
				abort();
		}
	}
	return 0;
}
