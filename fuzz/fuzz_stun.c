/* libFuzzer target: the STUN decoder, integrity and fingerprint checks, the
 * JSON view and re-encoding.  Property checked beyond "no crash": a message
 * decoded without problems re-encodes to exactly the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "rtclab/stun.h"
#include "rtclab/stun_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rtclab_stun_msg msg;
	rtclab_stun_decode(&msg, data, size);

	struct rtclab_stun_credentials short_term = {.password = "VOkJxbRl1RmTxUk/WvJxBt"};
	struct rtclab_stun_credentials long_term = {.password = "TheMatrIX", .long_term = true};
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(&msg, &short_term, &v);
	rtclab_stun_verify(&msg, &long_term, &v);

	json_t *j = rtclab_stun_json(&msg, &v);
	char *text = json_dumps(j, 0);
	free(text);
	json_decref(j);

	char line[256];
	for (size_t i = 0; i < msg.n_problems; i++)
		rtclab_stun_problem_format(&msg.problems[i], line, sizeof line);

	if (msg.n_problems_total == 0 && rtclab_stun_check_fingerprint(&msg) != RTCLAB_STUN_CHECK_BAD) {
		static uint8_t out[70000];
		enum rtclab_stun_error err;
		size_t n = rtclab_stun_encode(&msg, NULL, out, sizeof out, &err);
		if (n != size || memcmp(out, data, size) != 0)
			abort(); /* decode(encode(m)) must be m */
	}
	return 0;
}
