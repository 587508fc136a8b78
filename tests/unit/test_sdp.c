/* SDP: the corpus of real offers and answers (tests/fixtures/sdp), values of
 * a Chrome offer, session-level inheritance, lint and offer/answer checks. */
#include <stdlib.h>
#include <string.h>

#include "rtclab/sdp.h"
#include "unit.h"

/* Files meant to be valid: no error from the parser (warnings, such as
 * out-of-order lines, are allowed), and serialize(parse(x)) == x with line
 * ends made CRLF. */
static const char *const valid[] = {
	"aiortc_audio_chrome.sdp", "aiortc_audio_dtls_session_level.sdp", "aiortc_audio_firefox.sdp",
	"aiortc_audio_freeswitch.sdp", "aiortc_audio_ice_lite.sdp", "aiortc_audio_ice_session_level_credentials.sdp",
	"aiortc_audio_rtcp_without_port.sdp", "aiortc_datachannel_firefox.sdp", "aiortc_datachannel_firefox_63.sdp",
	"aiortc_safari.sdp", "aiortc_video_chrome.sdp", "aiortc_video_firefox.sdp",
	"aiortc_video_session_star_rtcp_fb.sdp", "exwebrtc_chromium_audio_video_sdp.sdp",
	"exwebrtc_firefox_audio_video_sdp.sdp", "exwebrtc_obs_audio_video_sdp.sdp", "sdptransform_hacky.sdp",
	"sdptransform_icelite.sdp", "sdptransform_jsep.sdp", "sdptransform_jssip.sdp", "sdptransform_normal.sdp",
	"sdptransform_sctp-dtls-26.sdp", "sdptransform_simulcast.sdp", "sdptransform_ssrc.sdp",
	"webrtcsdp_chrome_audio_video_offer.sdp", "webrtcsdp_example_05.sdp", "webrtcsdp_example_06.sdp",
	"webrtcsdp_example_10.sdp", "webrtcsdp_example_41.sdp", "webrtcsdp_firefox_audio_offer.sdp",
	"webrtcsdp_firefox_datachannel_offer.sdp", "webrtcsdp_firefox_simulcast_answer.sdp",
	"webrtcsdp_firefox_simulcast_offer.sdp", "webrtcsdp_firefox_video_offer.sdp",
	"webrtcsdp_unusual_attributes.sdp",
};

/* Malformed on purpose (see tests/fixtures/sdp/PROVENANCE): the lines that
 * must carry an error; 0 = the description as a whole. */
static const struct {
	const char *file;
	uint32_t lines[12];
} malformed[] = {
	{"chime_local_offer_with_audio_video_faulty_m_line.sdp", {41, 13, 15}},
	/* Amazon Chime's test mocks carry placeholder credentials a browser
	 * rejects: 4-character ice-pwd, "fake"/"redact" fingerprints, "-" ufrags. */
	{"chime_chrome_unified_plan_audio_video.sdp", {14, 16, 52, 54}},
	{"chime_firefox_nightly_79_remote_answer.sdp", {5, 16, 42}},
	{"chime_ios_safari_audio_sendrecv_video_recv.sdp", {11, 12, 14}},
	{"chime_local_offer_with_audio_video_simulcast_two_layers.sdp", {13, 15, 45, 47}},
	{"chime_safari_audio_video_sending.sdp", {10, 11, 12}},
	{"sdptransform_invalid.sdp", {7, 10}},
	{"sdptransform_tcp-active.sdp", {0}},
	{"webrtcsdp_example_08.sdp", {48}},
	{"webrtcsdp_example_09.sdp", {17, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34}},
	{"webrtcsdp_example_11.sdp", {62}},
	{"webrtcsdp_example_14.sdp", {6}},
	{"webrtcsdp_example_15.sdp", {6}},
	{"webrtcsdp_example_24.sdp", {6}},
};

static char *fixture(const char *name, size_t *len)
{
	char rel[256];
	snprintf(rel, sizeof rel, "sdp/%s", name);
	uint8_t *b = unit_fixture(rel, len);
	return (char *)b;
}

/* The text with every line ended by CRLF. */
static char *crlf(const char *text, size_t len, size_t *out_len)
{
	char *out = malloc(2 * len + 3);
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
			out[k++] = '\r';
		out[k++] = text[i];
	}
	if (len && text[len - 1] != '\n') {
		out[k++] = '\r';
		out[k++] = '\n';
	}
	out[k] = '\0';
	*out_len = k;
	return out;
}

static void show_problems(const char *name, const struct rtclab_sdp *sdp)
{
	for (size_t i = 0; i < sdp->n_problems; i++)
		fprintf(stderr, "\n  %s:%u:%u: %s", name, sdp->problems[i].line, sdp->problems[i].column,
			sdp->problems[i].message);
}

static void test_valid_corpus(void)
{
	for (size_t f = 0; f < sizeof valid / sizeof valid[0]; f++) {
		size_t len, nlen;
		char *text = fixture(valid[f], &len);
		struct rtclab_sdp *sdp = rtclab_sdp_parse(text, len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sdp);
		size_t errors = 0;
		for (size_t i = 0; i < sdp->n_problems; i++)
			errors += !sdp->problems[i].warning;
		CU_ASSERT_EQUAL(errors, 0);
		if (errors)
			show_problems(valid[f], sdp);
		char *want = crlf(text, len, &nlen);
		size_t need = rtclab_sdp_serialize(sdp, NULL, 0);
		CU_ASSERT_EQUAL(need, nlen);
		char *out = malloc(need + 1);
		rtclab_sdp_serialize(sdp, out, need + 1);
		CU_ASSERT_EQUAL(memcmp(out, want, nlen < need ? nlen : need), 0);
		/* And parsing the serialized text gives the same model. */
		struct rtclab_sdp *again = rtclab_sdp_parse(out, need);
		CU_ASSERT_EQUAL(again->n_lines, sdp->n_lines);
		CU_ASSERT_EQUAL(again->n_media, sdp->n_media);
		CU_ASSERT_EQUAL(again->n_candidates, sdp->n_candidates);
		CU_ASSERT_EQUAL(again->n_codecs, sdp->n_codecs);
		rtclab_sdp_free(again);
		free(out);
		free(want);
		rtclab_sdp_free(sdp);
		free(text);
	}
}

static bool has_error_on(const struct rtclab_sdp *sdp, uint32_t line)
{
	for (size_t i = 0; i < sdp->n_problems; i++)
		if (sdp->problems[i].line == line && !sdp->problems[i].warning)
			return true;
	return false;
}

static void test_malformed_corpus(void)
{
	for (size_t f = 0; f < sizeof malformed / sizeof malformed[0]; f++) {
		size_t len;
		char *text = fixture(malformed[f].file, &len);
		struct rtclab_sdp *sdp = rtclab_sdp_parse(text, len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sdp);
		CU_ASSERT(sdp->n_problems > 0);
		for (size_t i = 0; i == 0 || (i < 12 && malformed[f].lines[i]); i++) {
			bool ok = has_error_on(sdp, malformed[f].lines[i]);
			CU_ASSERT_TRUE(ok);
			if (!ok) {
				fprintf(stderr, "\n  %s: no error on line %u", malformed[f].file, malformed[f].lines[i]);
				show_problems(malformed[f].file, sdp);
			}
		}
		rtclab_sdp_free(sdp);
		free(text);
	}
}

static bool eq(struct rtclab_str s, const char *lit)
{
	return rtclab_str_eq(s, lit);
}

static void test_chrome_offer_values(void)
{
	size_t len;
	char *text = fixture("exwebrtc_chromium_audio_video_sdp.sdp", &len);
	struct rtclab_sdp *sdp = rtclab_sdp_parse(text, len);
	CU_ASSERT_EQUAL_FATAL(sdp->n_media, 2);
	CU_ASSERT_TRUE(eq(sdp->origin.username, "-"));
	CU_ASSERT_TRUE(eq(sdp->origin.session_id, "7169721126327183323"));
	CU_ASSERT_EQUAL(sdp->origin.session_version, 3);
	CU_ASSERT_TRUE(eq(sdp->origin.address, "127.0.0.1"));
	CU_ASSERT_TRUE(eq(sdp->session_name, "-"));
	CU_ASSERT_EQUAL_FATAL(sdp->n_groups, 1);
	CU_ASSERT_TRUE(eq(sdp->groups[0].semantics, "BUNDLE"));
	CU_ASSERT_EQUAL(sdp->groups[0].n_mids, 2);
	CU_ASSERT_TRUE(sdp->extmap_allow_mixed);
	CU_ASSERT_TRUE(eq(sdp->msid_semantic, "WMS"));
	const struct rtclab_sdp_media *a = &sdp->media[0], *v = &sdp->media[1];
	CU_ASSERT_TRUE(eq(a->kind, "audio"));
	CU_ASSERT_EQUAL(a->port, 9);
	CU_ASSERT_TRUE(eq(a->proto, "UDP/TLS/RTP/SAVPF"));
	CU_ASSERT_EQUAL(a->n_formats, 8);
	CU_ASSERT_TRUE(eq(a->mid, "0"));
	CU_ASSERT_TRUE(eq(v->mid, "1"));
	CU_ASSERT_EQUAL(a->direction, RTCLAB_SDP_SENDRECV);
	CU_ASSERT_TRUE(eq(a->ice.ufrag, "nWnq"));
	CU_ASSERT_TRUE(eq(a->ice.pwd, "DTdCVj00s9nGkNgWra0P30A2"));
	CU_ASSERT_TRUE(eq(a->ice.options, "trickle"));
	CU_ASSERT_TRUE(a->has_fingerprint);
	CU_ASSERT_TRUE(eq(a->fingerprint.hash, "sha-256"));
	CU_ASSERT_EQUAL(a->fingerprint.value.len, 95);
	CU_ASSERT_EQUAL(a->setup, RTCLAB_SDP_SETUP_ACTPASS);
	CU_ASSERT_TRUE(a->rtcp_mux);
	CU_ASSERT_FALSE(a->rtcp_rsize);
	CU_ASSERT_TRUE(v->rtcp_rsize);
	const struct rtclab_sdp_codec *opus = rtclab_sdp_codec_find(sdp, a, 111);
	CU_ASSERT_PTR_NOT_NULL_FATAL(opus);
	CU_ASSERT_TRUE(eq(opus->name, "opus"));
	CU_ASSERT_EQUAL(opus->clock_rate, 48000);
	CU_ASSERT_EQUAL(opus->channels, 2);
	CU_ASSERT_TRUE(eq(opus->fmtp, "minptime=10;useinbandfec=1"));
	const struct rtclab_sdp_codec *pcmu = rtclab_sdp_codec_find(sdp, a, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pcmu);
	CU_ASSERT_TRUE(eq(pcmu->name, "PCMU"));
	CU_ASSERT_EQUAL(pcmu->channels, 0);
	CU_ASSERT_PTR_NULL(rtclab_sdp_codec_find(sdp, a, 96));
	const struct rtclab_sdp_codec *rtx = rtclab_sdp_codec_find(sdp, v, 97);
	CU_ASSERT_TRUE(rtx && eq(rtx->fmtp, "apt=96"));
	CU_ASSERT_TRUE(eq(a->connection.address, "0.0.0.0"));
	CU_ASSERT_EQUAL(a->n_candidates, 0);
	CU_ASSERT_EQUAL(rtclab_sdp_guess_role(sdp), RTCLAB_SDP_ROLE_OFFER);
	CU_ASSERT_EQUAL(rtclab_sdp_lint(sdp, RTCLAB_SDP_ROLE_OFFER), 0);
	rtclab_sdp_free(sdp);
	free(text);
}

static void test_session_level_inheritance(void)
{
	size_t len;
	char *text = fixture("aiortc_audio_ice_session_level_credentials.sdp", &len);
	struct rtclab_sdp *sdp = rtclab_sdp_parse(text, len);
	CU_ASSERT_EQUAL_FATAL(sdp->n_media, 1);
	CU_ASSERT(sdp->ice.ufrag_line > 0);
	CU_ASSERT(sdp->media[0].ice.ufrag_line == sdp->ice.ufrag_line);
	CU_ASSERT_TRUE(sdp->media[0].ice.ufrag.len == sdp->ice.ufrag.len);
	CU_ASSERT_EQUAL(sdp->media[0].n_candidates, 2);
	rtclab_sdp_free(sdp);
	free(text);
	text = fixture("aiortc_audio_dtls_session_level.sdp", &len);
	sdp = rtclab_sdp_parse(text, len);
	CU_ASSERT_TRUE(sdp->has_fingerprint);
	CU_ASSERT_TRUE(sdp->media[0].has_fingerprint);
	CU_ASSERT_EQUAL(sdp->media[0].fingerprint.line, sdp->fingerprint.line);
	CU_ASSERT_EQUAL(sdp->media[0].setup, sdp->setup);
	rtclab_sdp_free(sdp);
	free(text);
}

/* A minimal, correct WebRTC audio offer to break in the tests below. */
static const char *OFFER =
	"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
	"m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\n"
	"a=ice-pwd:abcdefghijklmnopqrstuv\r\n"
	"a=fingerprint:sha-256 "
	"A4:67:3A:52:5C:D4:9C:65:45:9D:61:43:B2:EC:31:E8:42:4E:EC:54:C9:70:E3:89:28:94:3E:5C:3C:ED:FC:64\r\n"
	"a=setup:actpass\r\na=mid:0\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
	"a=candidate:1 1 udp 2122260223 192.168.1.5 54400 typ host\r\n";

/* OFFER with the first occurrence of `from` replaced by `to`. */
static struct rtclab_sdp *variant(const char *from, const char *to, char **keep)
{
	const char *at = strstr(OFFER, from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	size_t n = strlen(OFFER) - strlen(from) + strlen(to);
	char *s = malloc(n + 1);
	size_t pre = (size_t)(at - OFFER);
	memcpy(s, OFFER, pre);
	strcpy(s + pre, to);
	strcat(s, at + strlen(from));
	*keep = s;
	return rtclab_sdp_parse(s, strlen(s));
}

static const struct rtclab_sdp_problem *find_problem(const struct rtclab_sdp *sdp, enum rtclab_sdp_problem_code c)
{
	for (size_t i = 0; i < sdp->n_problems; i++)
		if (sdp->problems[i].code == c)
			return &sdp->problems[i];
	return NULL;
}

static void expect(const char *from, const char *to, enum rtclab_sdp_role role, enum rtclab_sdp_problem_code code,
		   uint32_t line, uint32_t column)
{
	char *text;
	struct rtclab_sdp *sdp = variant(from, to, &text);
	rtclab_sdp_lint(sdp, role);
	const struct rtclab_sdp_problem *p = find_problem(sdp, code);
	CU_ASSERT_PTR_NOT_NULL(p);
	if (p) {
		CU_ASSERT_EQUAL(p->line, line);
		if (column)
			CU_ASSERT_EQUAL(p->column, column);
		if (p->line != line || (column && p->column != column))
			fprintf(stderr, "\n  [%s -> %s] got %u:%u %s", from, to, p->line, p->column, p->message);
	} else {
		fprintf(stderr, "\n  [%s -> %s] no problem %d", from, to, code);
		show_problems("variant", sdp);
	}
	rtclab_sdp_free(sdp);
	free(text);
}

static void test_lint(void)
{
	char *text;
	struct rtclab_sdp *sdp = variant("", "", &text);
	CU_ASSERT_EQUAL(sdp->n_problems, 0);
	CU_ASSERT_EQUAL(rtclab_sdp_lint(sdp, RTCLAB_SDP_ROLE_OFFER), 0);
	show_problems("offer", sdp);
	rtclab_sdp_free(sdp);
	free(text);
	expect("a=ice-ufrag:abcd\r\n", "", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_MISSING_ICE, 6, 0);
	expect("a=ice-pwd:abcdefghijklmnopqrstuv\r\n", "", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_MISSING_ICE, 6, 0);
	expect("a=ice-pwd:abcdefghijklmnopqrstuv", "a=ice-pwd:short", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_BAD_VALUE, 9, 11);
	expect("a=ice-ufrag:abcd", "a=ice-ufrag:ab_d", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_BAD_VALUE, 8, 13);
	expect("a=fingerprint:sha-256 A4:", "a=fingerprint:sha-1 A4:", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_BAD_VALUE, 10,
	       21);
	expect("a=setup:actpass", "a=setup:active", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_SETUP, 6, 0);
	expect("a=setup:actpass", "a=setup:actpass", RTCLAB_SDP_ROLE_ANSWER, RTCLAB_SDP_P_SETUP, 6, 0);
	expect("a=setup:actpass", "a=setup:sideways", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_BAD_VALUE, 11, 9);
	expect("a=group:BUNDLE 0", "a=group:BUNDLE 0 1", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_BUNDLE, 5, 18);
	expect("typ host\r\n", "typ host\r\na=candidate:1 2 udp 2122260222 192.168.1.5 54401 typ host\r\n",
	       RTCLAB_SDP_ROLE_ANSWER, RTCLAB_SDP_P_RTCP_MUX, 16, 0);
	expect("a=rtcp-mux\r\n", "a=rtcp-mux\r\na=rtcp-mux-only\r\na=candidate:1 2 udp 2122260222 192.168.1.5 54401 typ host\r\n",
	       RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_RTCP_MUX, 15, 0);
	expect("a=rtpmap:111 opus/48000/2", "a=rtpmap:111 opus/48000/2\r\na=rtpmap:111 opus/48000/2",
	       RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_DUPLICATE, 15, 10);
	expect("SAVPF 111 0", "SAVPF 111 0 111", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_DUPLICATE, 6, 35);
	expect("a=fingerprint", "a=x-fingerprint", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_MISSING_FINGERPRINT, 6, 0);
	expect("c=IN IP4 0.0.0.0\r\n", "", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_MISSING_LINE, 6, 0);
	expect("s=-\r\nt=0 0", "t=0 0\r\ns=-", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_ORDER, 4, 1);
	expect("a=mid:0\r\n", "a=mid:0\r\na=mid:1\r\n", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_DUPLICATE, 13, 3);
	expect("a=rtcp-mux\r\n", "a=rtcp-mux\r\na=ice-lite\r\n", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_BAD_LEVEL, 14, 3);
	expect("a=group:BUNDLE 0\r\n", "a=group:BUNDLE 0\r\na=rtcp-mux\r\n", RTCLAB_SDP_ROLE_OFFER,
	       RTCLAB_SDP_P_BAD_LEVEL, 6, 3);
	expect("t=0 0\r\n", "t=0 0\r\nx=1\r\n", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_UNKNOWN_TYPE, 5, 1);
	expect("typ host", "typ hots", RTCLAB_SDP_ROLE_OFFER, RTCLAB_SDP_P_BAD_VALUE, 15, 54);
}

static struct rtclab_sdp *answer_for(const char *setup, const char *codec, char **keep)
{
	static char buf[2048];
	snprintf(buf, sizeof buf,
		 "v=0\r\no=- 9 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
		 "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:wxyz\r\n"
		 "a=ice-pwd:zyxwvutsrqponmlkjihgfe\r\n"
		 "a=fingerprint:sha-256 "
		 "B4:67:3A:52:5C:D4:9C:65:45:9D:61:43:B2:EC:31:E8:42:4E:EC:54:C9:70:E3:89:28:94:3E:5C:3C:ED:FC:64\r\n"
		 "a=setup:%s\r\na=mid:0\r\na=rtcp-mux\r\na=rtpmap:111 %s\r\n",
		 setup, codec);
	*keep = strdup(buf);
	return rtclab_sdp_parse(*keep, strlen(*keep));
}

static void test_pair(void)
{
	char *ot, *at;
	struct rtclab_sdp *offer = variant("", "", &ot);
	struct rtclab_sdp *answer = answer_for("active", "opus/48000/2", &at);
	CU_ASSERT_EQUAL(rtclab_sdp_lint(answer, RTCLAB_SDP_ROLE_ANSWER), 0);
	CU_ASSERT_EQUAL(rtclab_sdp_check_pair(offer, answer), 0);
	show_problems("pair", answer);
	rtclab_sdp_free(answer);
	free(at);

	answer = answer_for("actpass", "opus/48000/2", &at);
	CU_ASSERT(rtclab_sdp_check_pair(offer, answer) > 0);
	CU_ASSERT_PTR_NOT_NULL(find_problem(answer, RTCLAB_SDP_P_SETUP));
	rtclab_sdp_free(answer);
	free(at);

	answer = answer_for("passive", "ISAC/16000", &at);
	CU_ASSERT(rtclab_sdp_check_pair(offer, answer) > 0);
	const struct rtclab_sdp_problem *p = find_problem(answer, RTCLAB_SDP_P_PAIR);
	CU_ASSERT_TRUE(p && p->line == 14 && strstr(p->message, "ISAC/16000"));
	rtclab_sdp_free(answer);
	free(at);
	rtclab_sdp_free(offer);
	free(ot);

	/* An offer with two sections answered with one. */
	size_t len;
	char *text = fixture("exwebrtc_chromium_audio_video_sdp.sdp", &len);
	offer = rtclab_sdp_parse(text, len);
	answer = answer_for("active", "opus/48000/2", &at);
	rtclab_sdp_check_pair(offer, answer);
	p = find_problem(answer, RTCLAB_SDP_P_PAIR);
	CU_ASSERT_TRUE(p && p->line == 0 && strstr(p->message, "2 media sections"));
	rtclab_sdp_free(answer);
	free(at);
	rtclab_sdp_free(offer);
	free(text);
}

RTCLAB_SUITE(sdp)
{
	static const struct unit_test tests[] = {
		{"valid corpus parses without problems and round-trips", test_valid_corpus},
		{"malformed corpus: errors on the right lines", test_malformed_corpus},
		{"Chrome offer: every value", test_chrome_offer_values},
		{"session-level ICE, fingerprint and setup inherited", test_session_level_inheritance},
		{"lint: ICE, DTLS, BUNDLE, rtcp-mux, duplicates, order, levels", test_lint},
		{"offer/answer pair checks", test_pair},
		{NULL, NULL},
	};
	unit_add_suite("sdp", tests);
}
