/* SDP built from a model: it parses with rtclab_sdp_parse without
 * problems, the lint finds nothing in its role, an answer built for an
 * offer passes rtclab_sdp_check_pair, and the values (candidates, default
 * address, fingerprint, setup) come out as given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/sdp_build.h"
#include "unit.h"

static const uint8_t FP[32] = {0xA4, 0x67, 0x3A, 0x52, 0x5C, 0xD4, 0x9C, 0x65, 0x45, 0x9D, 0x61,
			       0x43, 0xB2, 0xEC, 0x31, 0xE8, 0x42, 0x4E, 0xEC, 0x54, 0xC9, 0x70,
			       0xE3, 0x89, 0x28, 0x94, 0x3E, 0x5C, 0x3C, 0xED, 0xFC, 0x64};
static const char FP_TEXT[] =
	"A4:67:3A:52:5C:D4:9C:65:45:9D:61:43:B2:EC:31:E8:42:4E:EC:54:C9:70:E3:89:28:94:3E:5C:3C:ED:FC:64";

static struct rtclab_sdp_build offer_model(void)
{
	struct rtclab_sdp_build b;
	memset(&b, 0, sizeof b);
	b.role = RTCLAB_SDP_ROLE_OFFER;
	b.session_id = 4611686018427387903ull;
	b.session_version = 2;
	b.ice_ufrag = "nWnq";
	b.ice_pwd = "DTdCVj00s9nGkNgWra0P30A2";
	b.trickle = true;
	b.fingerprint = FP;
	b.audio = true;
	b.data = true;
	return b;
}

/* Parse text and check: no problem from the parser or the lint in role. */
static struct rtclab_sdp *parse_clean(const char *file, unsigned line, const char *text, size_t len,
				      enum rtclab_sdp_role role)
{
	struct rtclab_sdp *sdp = rtclab_sdp_parse(text, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sdp);
	rtclab_sdp_lint(sdp, role);
	for (size_t i = 0; i < sdp->n_problems; i++)
		unit_check_at(0, file, line, "line %u: %s%s", sdp->problems[i].line, sdp->problems[i].message,
			      sdp->problems[i].warning ? " (warning)" : "");
	unit_check_at(sdp->crlf && !sdp->lf, file, line, "line ends are not all CRLF");
	return sdp;
}
#define PARSE_CLEAN(text, len, role) parse_clean(__FILE__, __LINE__, (text), (len), (role))

static char *build(const struct rtclab_sdp_build *b, size_t *len)
{
	enum rtclab_sdp_build_error e;
	char *text = rtclab_sdp_build_alloc(b, len, &e);
	CHECKF(text != NULL, "build failed: %s", rtclab_sdp_build_error_str(e));
	return text;
}

static void test_offer_without_candidates(void)
{
	struct rtclab_sdp_build b = offer_model();
	size_t len;
	char *text = build(&b, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL(strlen(text), len);
	struct rtclab_sdp *sdp = PARSE_CLEAN(text, len, RTCLAB_SDP_ROLE_OFFER);
	CU_ASSERT_EQUAL(rtclab_sdp_guess_role(sdp), RTCLAB_SDP_ROLE_OFFER);
	CU_ASSERT_EQUAL_FATAL(sdp->n_media, 2);
	CU_ASSERT_TRUE(rtclab_str_eq(sdp->origin.session_id, "4611686018427387903"));
	CU_ASSERT_EQUAL(sdp->origin.session_version, 2);
	CU_ASSERT_EQUAL_FATAL(sdp->n_groups, 1);
	CU_ASSERT_TRUE(rtclab_str_eq(sdp->groups[0].semantics, "BUNDLE"));
	CU_ASSERT_EQUAL(sdp->groups[0].n_mids, 2);
	const struct rtclab_sdp_media *a = &sdp->media[0], *d = &sdp->media[1];
	/* trickle ICE with nothing gathered yet: port 9, 0.0.0.0 (RFC 8840 4.1.1) */
	CU_ASSERT_EQUAL(a->port, 9);
	CU_ASSERT_TRUE(rtclab_str_eq(a->connection.address, "0.0.0.0"));
	CU_ASSERT_TRUE(rtclab_str_eq(a->kind, "audio"));
	CU_ASSERT_TRUE(rtclab_str_eq(a->proto, "UDP/TLS/RTP/SAVPF"));
	CU_ASSERT_TRUE(rtclab_str_eq(a->mid, "0"));
	CU_ASSERT_TRUE(a->rtcp_mux);
	CU_ASSERT_EQUAL(a->direction, RTCLAB_SDP_SENDRECV);
	CU_ASSERT_EQUAL(a->setup, RTCLAB_SDP_SETUP_ACTPASS);
	CU_ASSERT_TRUE(rtclab_str_eq(a->ice.ufrag, "nWnq"));
	CU_ASSERT_TRUE(rtclab_str_eq(a->ice.options, "trickle"));
	CU_ASSERT_TRUE(rtclab_str_eq(a->fingerprint.hash, "sha-256"));
	CU_ASSERT_TRUE(rtclab_str_eq(a->fingerprint.value, FP_TEXT));
	const struct rtclab_sdp_codec *opus = rtclab_sdp_codec_find(sdp, a, 111);
	CU_ASSERT_PTR_NOT_NULL_FATAL(opus);
	CU_ASSERT_TRUE(rtclab_str_eq(opus->name, "opus"));
	CU_ASSERT_EQUAL(opus->clock_rate, 48000);
	CU_ASSERT_EQUAL(opus->channels, 2);
	CU_ASSERT_TRUE(rtclab_str_eq(d->kind, "application"));
	CU_ASSERT_TRUE(rtclab_str_eq(d->proto, "UDP/DTLS/SCTP"));
	CU_ASSERT_TRUE(rtclab_str_eq(d->mid, "1"));
	CU_ASSERT_EQUAL(d->sctp_port, 5000);
	CU_ASSERT_EQUAL(d->max_message_size, 262144);
	CU_ASSERT_EQUAL(d->setup, RTCLAB_SDP_SETUP_ACTPASS);
	CU_ASSERT_EQUAL(sdp->n_candidates, 0);
	/* serialize(parse(x)) == x: every line is one the parser keeps as written */
	char *again = malloc(len + 1);
	CU_ASSERT_EQUAL(rtclab_sdp_serialize(sdp, again, len + 1), len);
	CU_ASSERT_STRING_EQUAL(again, text);
	free(again);
	rtclab_sdp_free(sdp);
	free(text);
}

static void candidate(struct rtclab_candidate *c, const char *line)
{
	CU_ASSERT_EQUAL_FATAL(rtclab_candidate_parse(c, line, strlen(line), NULL), RTCLAB_CAND_OK);
}

static void test_offer_with_candidates(void)
{
	struct rtclab_sdp_build b = offer_model();
	struct rtclab_candidate cands[2];
	candidate(&cands[0], "candidate:1 1 udp 2122260223 192.168.1.10 50000 typ host generation 0");
	candidate(&cands[1], "candidate:2 1 udp 1686052607 203.0.113.7 61000 typ srflx raddr 192.168.1.10 rport 50000");
	const char *lines[] = {"a=candidate:3 1 udp 41885439 198.51.100.2 49170 typ relay raddr 203.0.113.7 rport 61000",
			       "candidate:4 1 tcp 1518280447 192.168.1.10 9 typ host tcptype active"};
	b.candidates = cands;
	b.n_candidates = 2;
	b.candidate_lines = lines;
	b.n_candidate_lines = 2;
	b.end_of_candidates = true;
	size_t len;
	char *text = build(&b, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	struct rtclab_sdp *sdp = PARSE_CLEAN(text, len, RTCLAB_SDP_ROLE_OFFER);
	CU_ASSERT_EQUAL_FATAL(sdp->n_media, 2);
	/* the default candidate is the relayed one (RFC 8445 5.1.4), in both bundled sections */
	for (size_t i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(sdp->media[i].port, 49170);
		CU_ASSERT_TRUE(rtclab_str_eq(sdp->media[i].connection.address, "198.51.100.2"));
		CU_ASSERT_TRUE(sdp->media[i].end_of_candidates);
	}
	/* the candidates, in order, in the first section only */
	CU_ASSERT_EQUAL_FATAL(sdp->n_candidates, 4);
	CU_ASSERT_EQUAL(sdp->media[0].n_candidates, 4);
	CU_ASSERT_EQUAL(sdp->media[1].n_candidates, 0);
	CU_ASSERT_EQUAL(sdp->candidates[0].type, RTCLAB_CAND_HOST);
	CU_ASSERT_EQUAL(sdp->candidates[1].type, RTCLAB_CAND_SRFLX);
	CU_ASSERT_EQUAL(sdp->candidates[1].rport, 50000);
	CU_ASSERT_EQUAL(sdp->candidates[2].type, RTCLAB_CAND_RELAY);
	CU_ASSERT_EQUAL(sdp->candidates[3].tcptype, RTCLAB_TCPTYPE_ACTIVE);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\r\na=candidate:1 1 udp 2122260223 192.168.1.10 50000 typ host generation 0\r\n"));
	rtclab_sdp_free(sdp);
	free(text);

	/* in every section, and an IPv6 default */
	b.candidates_in_every_section = true;
	b.n_candidates = 0;
	const char *v6[] = {"candidate:5 1 udp 2122262783 2001:db8::10 50002 typ host"};
	b.candidate_lines = v6;
	b.n_candidate_lines = 1;
	text = build(&b, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	sdp = PARSE_CLEAN(text, len, RTCLAB_SDP_ROLE_OFFER);
	CU_ASSERT_EQUAL(sdp->media[0].n_candidates, 1);
	CU_ASSERT_EQUAL(sdp->media[1].n_candidates, 1);
	CU_ASSERT_TRUE(rtclab_str_eq(sdp->media[1].connection.addrtype, "IP6"));
	CU_ASSERT_TRUE(rtclab_str_eq(sdp->media[1].connection.address, "2001:db8::10"));
	CU_ASSERT_EQUAL(sdp->media[1].port, 50002);
	rtclab_sdp_free(sdp);
	free(text);
}

static void test_answer_passes_pair_check(void)
{
	struct rtclab_sdp_build ob = offer_model();
	ob.direction = RTCLAB_SDP_SENDONLY;
	size_t olen, alen;
	char *otext = build(&ob, &olen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(otext);
	struct rtclab_sdp *offer = PARSE_CLEAN(otext, olen, RTCLAB_SDP_ROLE_OFFER);

	struct rtclab_sdp_build ab;
	memset(&ab, 0, sizeof ab);
	CU_ASSERT_EQUAL_FATAL(rtclab_sdp_build_answer_to(offer, &ab), RTCLAB_SDP_BUILD_OK);
	CU_ASSERT_EQUAL(ab.direction, RTCLAB_SDP_RECVONLY);
	CU_ASSERT_EQUAL(ab.setup, RTCLAB_SDP_SETUP_ACTIVE);
	ab.session_id = 17;
	ab.session_version = 1;
	ab.ice_ufrag = "Ab+/";
	ab.ice_pwd = "abcdefghijklmnopqrstuv";
	ab.fingerprint_text = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff";
	const char *lines[] = {"candidate:9 1 udp 2122260223 10.0.0.2 40000 typ host"};
	ab.candidate_lines = lines;
	ab.n_candidate_lines = 1;
	char *atext = build(&ab, &alen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(atext);
	struct rtclab_sdp *answer = PARSE_CLEAN(atext, alen, RTCLAB_SDP_ROLE_ANSWER);
	CU_ASSERT_EQUAL(rtclab_sdp_guess_role(answer), RTCLAB_SDP_ROLE_ANSWER);
	CU_ASSERT_EQUAL(rtclab_sdp_check_pair(offer, answer), 0);
	for (size_t i = 0; i < answer->n_problems; i++)
		CHECKF(0, "pair: line %u: %s", answer->problems[i].line, answer->problems[i].message);
	CU_ASSERT_EQUAL(answer->media[0].direction, RTCLAB_SDP_RECVONLY);
	CU_ASSERT_TRUE(rtclab_str_eq(answer->media[0].fingerprint.value,
				     "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"));
	rtclab_sdp_free(answer);
	free(atext);

	/* a wrong setup in the answer is caught by the builder, not written */
	ab.setup = RTCLAB_SDP_SETUP_ACTPASS;
	CU_ASSERT_EQUAL(rtclab_sdp_build(&ab, NULL, 0, NULL), RTCLAB_SDP_BUILD_E_SETUP);
	rtclab_sdp_free(offer);
	free(otext);
}

static void test_data_only_and_lite(void)
{
	struct rtclab_sdp_build b = offer_model();
	b.audio = false;
	b.ice_lite = true;
	b.trickle = false;
	const char *lines[] = {"candidate:1 1 UDP 2130706431 192.0.2.1 3478 typ host"};
	b.candidate_lines = lines;
	b.n_candidate_lines = 1;
	size_t len;
	char *text = build(&b, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	struct rtclab_sdp *sdp = PARSE_CLEAN(text, len, RTCLAB_SDP_ROLE_OFFER);
	CU_ASSERT_EQUAL_FATAL(sdp->n_media, 1);
	CU_ASSERT_TRUE(sdp->ice.lite);
	CU_ASSERT_TRUE(rtclab_str_eq(sdp->media[0].mid, "0"));
	CU_ASSERT_EQUAL(sdp->media[0].n_candidates, 1);
	CU_ASSERT_EQUAL(sdp->media[0].port, 3478);
	CU_ASSERT_PTR_NULL(strstr(text, "ice-options"));
	rtclab_sdp_free(sdp);
	free(text);
}

static void test_bad_models(void)
{
	struct rtclab_sdp_build b = offer_model();
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, NULL, 0, NULL), RTCLAB_SDP_BUILD_E_SPACE);
	b.role = RTCLAB_SDP_ROLE_UNKNOWN;
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, NULL, 0, NULL), RTCLAB_SDP_BUILD_E_ROLE);
	b = offer_model();
	b.ice_ufrag = "abc"; /* 3 characters: RFC 8839 5.4 wants at least 4 */
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, NULL, 0, NULL), RTCLAB_SDP_BUILD_E_UFRAG);
	b.ice_ufrag = "ab cd";
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, NULL, 0, NULL), RTCLAB_SDP_BUILD_E_UFRAG);
	b = offer_model();
	b.ice_pwd = "tooshort";
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, NULL, 0, NULL), RTCLAB_SDP_BUILD_E_PWD);
	b = offer_model();
	b.fingerprint = NULL;
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, NULL, 0, NULL), RTCLAB_SDP_BUILD_E_FINGERPRINT);
	b.fingerprint_text = "A4:67"; /* not 32 bytes */
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, NULL, 0, NULL), RTCLAB_SDP_BUILD_E_FINGERPRINT);
	b = offer_model();
	b.setup = RTCLAB_SDP_SETUP_ACTIVE; /* an offer must say actpass (RFC 8842 5.2) */
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, NULL, 0, NULL), RTCLAB_SDP_BUILD_E_SETUP);
	b = offer_model();
	b.audio = b.data = false;
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, NULL, 0, NULL), RTCLAB_SDP_BUILD_E_NO_MEDIA);
	b = offer_model();
	const char *bad[] = {"candidate:1 1 udp 0 192.0.2.1 1 typ host"}; /* priority 0 */
	b.candidate_lines = bad;
	b.n_candidate_lines = 1;
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, NULL, 0, NULL), RTCLAB_SDP_BUILD_E_CANDIDATE);

	/* a buffer one byte short: E_SPACE with the length needed; then exactly enough */
	b = offer_model();
	size_t need = 0;
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, NULL, 0, &need), RTCLAB_SDP_BUILD_E_SPACE);
	char *buf = malloc(need + 1);
	size_t got = 0;
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, buf, need, &got), RTCLAB_SDP_BUILD_E_SPACE);
	CU_ASSERT_EQUAL(got, need);
	CU_ASSERT_EQUAL(rtclab_sdp_build(&b, buf, need + 1, &got), RTCLAB_SDP_BUILD_OK);
	CU_ASSERT_EQUAL(strlen(buf), need);
	free(buf);
	CU_ASSERT_STRING_EQUAL(rtclab_sdp_build_error_id(RTCLAB_SDP_BUILD_E_PWD), "pwd");
}

static void test_answer_to_foreign_offer(void)
{
	/* a Chrome offer with video cannot be answered by this model */
	size_t len;
	uint8_t *text = unit_fixture("sdp/aiortc_video_chrome.sdp", &len);
	struct rtclab_sdp *offer = rtclab_sdp_parse((const char *)text, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(offer);
	struct rtclab_sdp_build b;
	memset(&b, 0, sizeof b);
	CU_ASSERT_EQUAL(rtclab_sdp_build_answer_to(offer, &b), RTCLAB_SDP_BUILD_E_OFFER);
	rtclab_sdp_free(offer);
	free(text);
}

RTCLAB_SUITE(sdp_build)
{
	static const struct unit_test tests[] = {
		{"offer without candidates: port 9, lint clean", test_offer_without_candidates},
		{"offer with candidates: default candidate, end-of-candidates", test_offer_with_candidates},
		{"answer built for an offer passes the pair check", test_answer_passes_pair_check},
		{"data channel only, ice-lite", test_data_only_and_lite},
		{"bad models are errors, buffer sizes", test_bad_models},
		{"answer_to refuses what it cannot answer", test_answer_to_foreign_offer},
		{NULL, NULL},
	};
	unit_add_suite("sdp_build", tests);
}
