/* Signaling recognition (lib/signal.c): SDP and candidates in the
 * wrappers signaling servers use, trickled candidates, end of candidates,
 * other JSON and text, application/sdp bodies. */
#include <stdlib.h>
#include <string.h>

#include "rtclab/signal.h"
#include "unit.h"

static struct rtclab_signal *S;

static struct rtclab_signal *parse(const char *text)
{
	rtclab_signal_free(S);
	S = rtclab_signal_parse(text, strlen(text));
	CU_ASSERT_PTR_NOT_NULL_FATAL(S);
	return S;
}

static void done(void)
{
	rtclab_signal_free(S);
	S = NULL;
}

#define SDP_JSON "v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\na=setup:actpass\\r\\n"
#define CAND "candidate:842163049 1 udp 1677729535 192.0.2.9 46154 typ srflx raddr 10.0.0.5 rport 46154 generation 0"

static void check_sdp(size_t i, enum rtclab_signal_kind kind, const char *path)
{
	CU_ASSERT_FATAL(i < S->n_items);
	const struct rtclab_signal_item *it = &S->items[i];
	CU_ASSERT_EQUAL(it->kind, kind);
	CU_ASSERT_STRING_EQUAL(it->path, path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it->sdp);
	CU_ASSERT_EQUAL(it->sdp->n_lines, 5);
	CU_ASSERT_EQUAL(it->sdp->setup, RTCLAB_SDP_SETUP_ACTPASS);
}

static void test_wrappers(void)
{
	parse("{\"type\":\"offer\",\"sdp\":\"" SDP_JSON "\"}");
	CU_ASSERT_TRUE(S->is_json);
	CU_ASSERT_EQUAL(S->n_items, 1);
	check_sdp(0, RTCLAB_SIGNAL_OFFER, "");
	parse("{\"event\":\"offer\",\"data\":{\"sdp\":{\"type\":\"offer\",\"sdp\":\"" SDP_JSON "\"}}}");
	check_sdp(0, RTCLAB_SIGNAL_OFFER, "data.sdp");
	parse("{\"msg\":{\"description\":{\"type\":\"answer\",\"sdp\":\"" SDP_JSON "\"}},\"to\":\"bob\"}");
	check_sdp(0, RTCLAB_SIGNAL_ANSWER, "msg.description");
	/* The wrapper has a type too, and its "sdp" is the description object. */
	parse("{\"type\":\"answer\",\"sdp\":{\"type\":\"answer\",\"sdp\":\"" SDP_JSON "\"}}");
	CU_ASSERT_EQUAL(S->n_items, 1);
	check_sdp(0, RTCLAB_SIGNAL_ANSWER, "sdp");
	parse("[\"relay\",{\"payload\":{\"type\":\"pranswer\",\"sdp\":\"" SDP_JSON "\"}}]");
	check_sdp(0, RTCLAB_SIGNAL_PRANSWER, "[1].payload");
	parse("{\"type\":\"rollback\"}");
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_ROLLBACK);
	CU_ASSERT_PTR_NULL(S->items[0].sdp);
	/* A broken SDP is still an offer, with its problems. */
	parse("{\"type\":\"offer\",\"sdp\":\"hello\"}");
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_OFFER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(S->items[0].sdp);
	CU_ASSERT(S->items[0].sdp->n_problems > 0);
	done();
}

static void test_candidates(void)
{
	parse("{\"candidate\":\"" CAND "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"EsAw\"}");
	const struct rtclab_signal_item *it = &S->items[0];
	CU_ASSERT_EQUAL(it->kind, RTCLAB_SIGNAL_CANDIDATE);
	CU_ASSERT_EQUAL(it->cand_error, RTCLAB_CAND_OK);
	CU_ASSERT_EQUAL(it->candidate.type, RTCLAB_CAND_SRFLX);
	CU_ASSERT_EQUAL(it->candidate.port, 46154);
	CU_ASSERT_TRUE(it->has_sdp_mid);
	CU_ASSERT_STRING_EQUAL(it->sdp_mid, "0");
	CU_ASSERT_EQUAL(it->sdp_mline_index, 0);
	CU_ASSERT_TRUE(it->has_ufrag);
	CU_ASSERT_STRING_EQUAL(it->ufrag, "EsAw");
	CU_ASSERT_STRING_EQUAL(it->candidate_text, CAND);
	/* Wrapped, as most servers send trickled candidates. */
	parse("{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"" CAND "\",\"sdpMid\":\"1\",\"sdpMLineIndex\":1}}");
	CU_ASSERT_EQUAL(S->n_items, 1);
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_CANDIDATE);
	CU_ASSERT_STRING_EQUAL(S->items[0].path, "candidate");
	CU_ASSERT_EQUAL(S->items[0].sdp_mline_index, 1);
	parse("{\"event\":\"trickle\",\"data\":{\"ice\":{\"candidate\":\"" CAND "\",\"sdpMid\":\"0\"}}}");
	CU_ASSERT_STRING_EQUAL(S->items[0].path, "data.ice");
	CU_ASSERT_EQUAL(S->items[0].sdp_mline_index, -1);
	/* Several in one message. */
	parse("{\"candidates\":[{\"candidate\":\"" CAND "\"},{\"candidate\":\"" CAND "\"},{\"candidate\":\"\"}]}");
	CU_ASSERT_EQUAL(S->n_items, 3);
	CU_ASSERT_STRING_EQUAL(S->items[1].path, "candidates[1]");
	CU_ASSERT_EQUAL(S->items[2].kind, RTCLAB_SIGNAL_END_OF_CANDIDATES);
	/* A candidate line that does not parse keeps its error and column. */
	parse("{\"candidate\":\"candidate:1 1 udp 99 192.0.2.1 70000 typ host\"}");
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_CANDIDATE);
	CU_ASSERT_EQUAL(S->items[0].cand_error, RTCLAB_CAND_E_PORT);
	CU_ASSERT(S->items[0].cand_column > 0);
	done();
}

static void test_end_of_candidates(void)
{
	parse("{\"candidate\":\"\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}");
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_END_OF_CANDIDATES);
	CU_ASSERT_STRING_EQUAL(S->items[0].sdp_mid, "0");
	parse("{\"type\":\"candidate\",\"candidate\":null}");
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_END_OF_CANDIDATES);
	parse("{\"event\":\"ice\",\"data\":{\"candidate\":null}}");
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_END_OF_CANDIDATES);
	CU_ASSERT_STRING_EQUAL(S->items[0].path, "data");
	done();
}

static void test_other(void)
{
	parse("{\"type\":\"join\",\"room\":\"abc\"}");
	CU_ASSERT_TRUE(S->is_json);
	CU_ASSERT_EQUAL(S->n_items, 1);
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_OTHER);
	CU_ASSERT_PTR_NOT_NULL(S->json);
	parse("hello, not JSON");
	CU_ASSERT_FALSE(S->is_json);
	CU_ASSERT_PTR_NULL(S->json);
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_OTHER);
	parse("42");
	CU_ASSERT_TRUE(S->is_json);
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_OTHER);
	/* "type" offer without a string "sdp" is not an offer. */
	parse("{\"type\":\"offer\",\"sdp\":5}");
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_OTHER);
	/* A JSON string with NUL inside, and deep nesting, are handled. */
	parse("{\"a\":\"x\\u0000y\"}");
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_OTHER);
	char deep[4200];
	size_t n = 0;
	for (int i = 0; i < 1000; i++)
		deep[n++] = '[';
	memcpy(deep + n, "{\"candidate\":\"\"}", 16);
	n += 16;
	for (int i = 0; i < 1000; i++)
		deep[n++] = ']';
	deep[n] = '\0';
	parse(deep);
	CU_ASSERT_EQUAL(S->n_items, 1);
	done();
	CU_ASSERT_STRING_EQUAL(rtclab_signal_kind_name(RTCLAB_SIGNAL_END_OF_CANDIDATES), "end-of-candidates");
	CU_ASSERT_STRING_EQUAL(rtclab_signal_kind_name(RTCLAB_SIGNAL_OTHER), "other");
}

static void test_many(void)
{
	char *text = malloc(64 * 40 + 64);
	size_t n = (size_t)sprintf(text, "[");
	for (int i = 0; i < 40; i++)
		n += (size_t)sprintf(text + n, "%s{\"candidate\":\"\"}", i ? "," : "");
	sprintf(text + n, "]");
	parse(text);
	CU_ASSERT_EQUAL(S->n_items, RTCLAB_SIGNAL_MAX_ITEMS);
	CU_ASSERT_EQUAL(S->n_items_total, 40);
	free(text);
	done();
}

static void test_sdp_body(void)
{
	static const char sdp[] = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
	struct rtclab_str post = rtclab_str_make("POST", 4), get = rtclab_str_make("GET", 3);
	CU_ASSERT_EQUAL(rtclab_signal_http_kind(true, post, 0), RTCLAB_SIGNAL_OFFER);
	CU_ASSERT_EQUAL(rtclab_signal_http_kind(true, get, 0), RTCLAB_SIGNAL_OTHER);
	CU_ASSERT_EQUAL(rtclab_signal_http_kind(false, get, 201), RTCLAB_SIGNAL_ANSWER);
	CU_ASSERT_EQUAL(rtclab_signal_http_kind(false, get, 404), RTCLAB_SIGNAL_OTHER);
	S = rtclab_signal_parse_sdp_body(sdp, strlen(sdp), RTCLAB_SIGNAL_ANSWER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(S);
	CU_ASSERT_FALSE(S->is_json);
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_ANSWER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(S->items[0].sdp);
	CU_ASSERT_EQUAL(S->items[0].sdp->n_lines, 4);
	done();
}

static void test_real_sdp(void)
{
	size_t len;
	uint8_t *offer = unit_fixture("sdp/exwebrtc_chromium_audio_video_sdp.sdp", &len);
	json_t *j = json_pack("{s:s,s:{s:s,s:s%}}", "event", "offer", "data", "type", "offer", "sdp", (char *)offer, len);
	char *text = json_dumps(j, 0);
	parse(text);
	CU_ASSERT_EQUAL(S->items[0].kind, RTCLAB_SIGNAL_OFFER);
	CU_ASSERT_STRING_EQUAL(S->items[0].path, "data");
	CU_ASSERT_EQUAL(S->items[0].sdp_len, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(S->items[0].sdp);
	CU_ASSERT_EQUAL(S->items[0].sdp->n_media, 2);
	free(text);
	json_decref(j);
	free(offer);
	done();
}

RTCLAB_SUITE(signal)
{
	static const struct unit_test tests[] = {
		{"descriptions in several wrappers", test_wrappers},
		{"trickled candidates, wrapped and in arrays", test_candidates},
		{"end of candidates: empty or null", test_end_of_candidates},
		{"other JSON and text", test_other},
		{"item limit", test_many},
		{"application/sdp bodies", test_sdp_body},
		{"a real offer", test_real_sdp},
		{NULL, NULL},
	};
	unit_add_suite("signal", tests);
}
