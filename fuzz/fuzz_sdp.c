/* libFuzzer target: the SDP parser, lint, offer/answer check and JSON.
 * Property: parsing the serialized model gives the same lines, sections,
 * codecs and candidates. */
#include <stdlib.h>
#include <string.h>

#include "rtclab/sdp.h"
#include "rtclab/sdp_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtclab_sdp *sdp = rtclab_sdp_parse((const char *)data, size);
	if (!sdp)
		return 0;
	rtclab_sdp_lint(sdp, RTCLAB_SDP_ROLE_UNKNOWN);
	struct rtclab_sdp *self = rtclab_sdp_parse((const char *)data, size);
	if (self) {
		rtclab_sdp_check_pair(sdp, self);
		rtclab_sdp_free(self);
	}
	json_t *j = rtclab_sdp_json(sdp);
	char *s = json_dumps(j, 0);
	free(s);
	json_decref(j);

	size_t need = rtclab_sdp_serialize(sdp, NULL, 0);
	char *out = malloc(need + 1);
	if (out && rtclab_sdp_serialize(sdp, out, need + 1) == need) {
		struct rtclab_sdp *again = rtclab_sdp_parse(out, need);
		/* A line with a bare CR inside splits differently once CRLF is added. */
		if (again && !memchr(data, '\r', size) &&
		    (again->n_lines != sdp->n_lines || again->n_media != sdp->n_media ||
		     again->n_codecs != sdp->n_codecs || again->n_candidates != sdp->n_candidates))
			abort();
		rtclab_sdp_free(again);
	}
	free(out);
	rtclab_sdp_free(sdp);
	return 0;
}
