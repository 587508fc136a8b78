/* The timeline reconstruction (lib/timeline*.c) on real captures, checked
 * against what the browsers themselves reported:
 *
 *   - tests/fixtures/pcap/browser_loopback.pcap: two headless Chromium
 *     instances, our ws:// signaling server and coturn on loopback
 *     (tests/browser/make-captures.sh); run "all" and run "relay"
 *     (iceTransportPolicy relay).  browser_loopback.expected.json holds each
 *     peer's ufrag, setup, DTLS role and the selected candidate pair from
 *     getStats().
 *   - tests/fixtures/pcap/browser_wss.pcap: the same with signaling over
 *     TLS; the descriptions are supplied from files or from a
 *     chrome://webrtc-internals dump.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/capture.h"
#include "rtclab/events.h"
#include "rtclab/timeline.h"
#include "unit.h"

static char *fixture_path(const char *rel)
{
	static char buf[512];
	const char *dir = getenv("RTCLAB_FIXTURES");
	snprintf(buf, sizeof buf, "%s/%s", dir ? dir : "tests/fixtures", rel);
	return buf;
}

/* Read a capture through events into a finished timeline. */
static struct rtclab_timeline *replay(const char *pcap, const char *const *sdp_files, const char *internals)
{
	struct rtclab_timeline *tl = rtclab_timeline_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
	char err[RTCLAB_CAPTURE_ERRLEN];
	for (size_t i = 0; sdp_files && sdp_files[i]; i++) {
		size_t len;
		uint8_t *text = unit_fixture(sdp_files[i], &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		CHECKF(rtclab_timeline_add_sdp(tl, (const char *)text, len, RTCLAB_SIGNAL_OTHER, RTCLAB_TL_DESC_FILE,
					       sdp_files[i], err, sizeof err),
		       "%s: %s", sdp_files[i], err);
		free(text);
	}
	if (internals) {
		json_error_t je;
		json_t *dump = json_load_file(fixture_path(internals), 0, &je);
		CU_ASSERT_PTR_NOT_NULL_FATAL(dump);
		CHECKF(rtclab_timeline_add_webrtc_internals(tl, dump, internals, err, sizeof err) == 2, "%s", err);
		json_decref(dump);
	}
	struct rtclab_events *ev = rtclab_events_new(rtclab_timeline_event, tl, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	struct rtclab_capture *cap = rtclab_capture_open_file(fixture_path(pcap), err, sizeof err);
	CHECKF(cap != NULL, "%s", err);
	if (cap) {
		struct rtclab_packet p;
		while (rtclab_capture_next(cap, &p, err, sizeof err) == RTCLAB_CAPTURE_PACKET) {
			rtclab_events_feed(ev, &p);
			rtclab_timeline_advance(tl, p.ts_ns);
		}
		rtclab_capture_close(cap);
	}
	rtclab_events_finish(ev);
	rtclab_events_free(ev);
	rtclab_timeline_finish(tl);
	return tl;
}

static struct rtclab_tl_session *session_by_ufrag(struct rtclab_timeline *tl, const char *ufrag)
{
	for (size_t i = 0; i < tl->n_sessions; i++)
		if (strcmp(tl->sessions[i]->peers[0].ufrag, ufrag) == 0)
			return tl->sessions[i];
	return NULL;
}

static size_t count_kind(const struct rtclab_tl_session *s, enum rtclab_tl_step_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n_steps; i++)
		n += s->steps[i].kind == k;
	return n;
}

static bool has_step(const struct rtclab_tl_session *s, enum rtclab_tl_step_kind k, const char *what)
{
	for (size_t i = 0; i < s->n_steps; i++)
		if (s->steps[i].kind == k && strstr(s->steps[i].what, what))
			return true;
	return false;
}

/* "127.0.0.1:53143" from a getStats candidate {address, port}. */
static void stats_addr(const json_t *cand, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%lld", json_string_value(json_object_get(cand, "address")),
		 (long long)json_integer_value(json_object_get(cand, "port")));
}

/* One run of the expected file against its session: A is the offerer, its
 * ufrag, setup and DTLS role, and the selected pair both browsers report. */
static void check_run(struct rtclab_timeline *tl, const json_t *run)
{
	const json_t *off = json_object_get(run, "offerer"), *ans = json_object_get(run, "answerer");
	const char *ufrag = json_string_value(json_object_get(off, "ufrag"));
	struct rtclab_tl_session *s = session_by_ufrag(tl, ufrag);
	CHECKF(s != NULL, "no session whose A has the offerer's ufrag %s", ufrag);
	if (!s)
		return;
	CU_ASSERT_EQUAL(s->peers[0].role, RTCLAB_TL_OFFERER);
	CU_ASSERT_STRING_EQUAL(s->peers[1].ufrag, json_string_value(json_object_get(ans, "ufrag")));
	CU_ASSERT_STRING_EQUAL(s->peers[0].setup, json_string_value(json_object_get(off, "setup")));
	CU_ASSERT_STRING_EQUAL(s->peers[1].setup, json_string_value(json_object_get(ans, "setup")));
	CU_ASSERT_EQUAL(s->peers[0].ice_role, strcmp(json_string_value(json_object_get(off, "iceRole")), "controlling") == 0
						       ? RTCLAB_TL_CONTROLLING
						       : RTCLAB_TL_CONTROLLED);
	/* getStats() of both peers: the same pair, mirrored */
	const json_t *sel = json_object_get(off, "selectedPair");
	char local[64], remote[64], a1[RTCLAB_ADDR_STRLEN], a2[RTCLAB_ADDR_STRLEN];
	stats_addr(json_object_get(sel, "local"), local, sizeof local);
	stats_addr(json_object_get(sel, "remote"), remote, sizeof remote);
	CU_ASSERT_FATAL(s->selected.has);
	rtclab_addr_format(&s->selected.local, a1, sizeof a1);
	rtclab_addr_format(&s->selected.remote, a2, sizeof a2);
	CHECKF(strcmp(a1, local) == 0 && strcmp(a2, remote) == 0, "selected %s -> %s, getStats says %s -> %s", a1, a2,
	       local, remote);
	const char *lt = json_string_value(json_object_get(json_object_get(sel, "local"), "candidateType"));
	const char *rt = json_string_value(json_object_get(json_object_get(sel, "remote"), "candidateType"));
	CU_ASSERT(s->selected.local_type_known && s->selected.remote_type_known);
	CU_ASSERT_STRING_EQUAL(rtclab_cand_type_name(s->selected.local_type), lt);
	CU_ASSERT_STRING_EQUAL(rtclab_cand_type_name(s->selected.remote_type), rt);
	const json_t *asel = json_object_get(ans, "selectedPair");
	stats_addr(json_object_get(asel, "local"), local, sizeof local);
	CU_ASSERT_STRING_EQUAL(local, a2);
	/* the DTLS client is the peer getStats calls "client" */
	CU_ASSERT_FATAL(s->dtls.seen);
	int client = strcmp(json_string_value(json_object_get(off, "dtlsRole")), "client") == 0 ? 0 : 1;
	CU_ASSERT_EQUAL(s->dtls.client_peer, client);
	CU_ASSERT(s->dtls.completed);
	CU_ASSERT(s->dtls.setup_checked && s->dtls.setup_ok);
	CU_ASSERT(s->connected);
	CU_ASSERT(s->flow.seen && s->flow.packets[0] > 50 && s->flow.packets[1] > 50);
	CU_ASSERT_EQUAL(s->n_missing, 0);
	/* every check of the session verifies with the ice-pwd of the SDP */
	for (size_t i = 0; i < s->n_pairs; i++)
		CHECKF(s->pairs[i].n_auth_bad == 0 && s->pairs[i].n_auth_ok > 0, "pair %zu: %llu ok, %llu bad", i,
		       (unsigned long long)s->pairs[i].n_auth_ok, (unsigned long long)s->pairs[i].n_auth_bad);
	/* the story, in its steps */
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_OFFER), 2);  /* A to the server, the server to B */
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_ANSWER), 2);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_DESCRIPTIONS_SET), 1);
	CU_ASSERT(count_kind(s, RTCLAB_TL_EV_CANDIDATE) >= 4);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_END_OF_CANDIDATES), 4); /* each way, relayed */
	CU_ASSERT(has_step(s, RTCLAB_TL_EV_TURN, "Allocate error 401"));
	CU_ASSERT(has_step(s, RTCLAB_TL_EV_TURN, "Allocate success"));
	CU_ASSERT(count_kind(s, RTCLAB_TL_EV_CHECK) >= 2);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_NOMINATION), 1);
	CU_ASSERT(has_step(s, RTCLAB_TL_EV_DTLS, "ClientHello"));
	CU_ASSERT(has_step(s, RTCLAB_TL_EV_DTLS, "handshake done"));
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_MEDIA), 2);
	/* steps are in time order and every step says why it matters */
	for (size_t i = 0; i < s->n_steps; i++) {
		CHECKF(s->steps[i].why[0] && s->steps[i].what[0], "step %zu has no what or why", i);
		CHECKF(s->steps[i].step >= RTCLAB_STEP_OFFER && s->steps[i].step <= RTCLAB_STEP_CHECKS, "step %zu: %d", i,
		       (int)s->steps[i].step);
		if (i)
			CU_ASSERT(s->steps[i - 1].time_ns <= s->steps[i].time_ns);
	}
}

static void test_browser_loopback(void)
{
	size_t len;
	uint8_t *text = unit_fixture("pcap/browser_loopback.expected.json", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	json_t *expected = json_loadb((const char *)text, len, 0, NULL);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
	struct rtclab_timeline *tl = replay("pcap/browser_loopback.pcap", NULL, NULL);
	const json_t *runs = json_object_get(expected, "runs");
	CU_ASSERT_EQUAL(tl->n_sessions, json_array_size(runs));
	size_t i;
	const json_t *run;
	json_array_foreach(runs, i, run)
		check_run(tl, run);
	/* the first run is direct (host<->host), the second relay<->relay over ChannelData */
	struct rtclab_tl_session *all = tl->sessions[0], *relay = tl->sessions[1];
	CU_ASSERT(!all->selected.relayed);
	CU_ASSERT(relay->selected.relayed);
	CU_ASSERT_EQUAL(relay->selected.local_type, RTCLAB_CAND_RELAY);
	CU_ASSERT(relay->flow.channeldata > 100);
	CU_ASSERT(strstr(relay->outcome, "relay<->relay") != NULL);
	CU_ASSERT(has_step(relay, RTCLAB_TL_EV_TURN, "ChannelBind"));
	CU_ASSERT(has_step(all, RTCLAB_TL_EV_STUN_SERVER, "Binding success"));
	/* nodes: A, the signaling server, the TURN server, B */
	CU_ASSERT_EQUAL(all->n_nodes, 4);
	CU_ASSERT_EQUAL(all->nodes[0].kind, RTCLAB_TL_NODE_PEER);
	CU_ASSERT_EQUAL(all->nodes[1].kind, RTCLAB_TL_NODE_SIGNALING);
	CU_ASSERT_EQUAL(all->nodes[2].kind, RTCLAB_TL_NODE_TURN);
	CU_ASSERT_EQUAL(all->nodes[3].kind, RTCLAB_TL_NODE_PEER);
	rtclab_timeline_free(tl);
	json_decref(expected);
}

/* Signaling over TLS: the STUN part alone, with what is missing named;
 * the descriptions from files or a webrtc-internals dump complete it. */
static void test_browser_wss(void)
{
	struct rtclab_timeline *tl = replay("pcap/browser_wss.pcap", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(tl->n_sessions, 1);
	struct rtclab_tl_session *s = tl->sessions[0];
	CU_ASSERT(s->selected.has);
	CU_ASSERT_EQUAL(s->peers[0].desc_source, RTCLAB_TL_DESC_NONE);
	CU_ASSERT_EQUAL(s->peers[0].ice_role, RTCLAB_TL_CONTROLLING);
	CU_ASSERT_FATAL(s->n_missing >= 1);
	CU_ASSERT(strstr(s->missing[0], "signaling") && strstr(s->missing[0], "TLS") && strstr(s->missing[0], "--sdp"));
	CU_ASSERT_EQUAL(s->pairs[0].checks[0].request_auth, RTCLAB_TL_AUTH_UNKNOWN);
	char sel[2][RTCLAB_ADDR_STRLEN];
	rtclab_addr_format(&s->selected.local, sel[0], sizeof sel[0]);
	rtclab_addr_format(&s->selected.remote, sel[1], sizeof sel[1]);
	rtclab_timeline_free(tl);

	static const char *const files[] = {"sdp/browser_wss_offer.sdp", "sdp/browser_wss_answer.sdp", NULL};
	tl = replay("pcap/browser_wss.pcap", files, NULL);
	CU_ASSERT_EQUAL_FATAL(tl->n_sessions, 1);
	s = tl->sessions[0];
	CU_ASSERT_EQUAL(s->n_missing, 0);
	CU_ASSERT_EQUAL(s->peers[0].role, RTCLAB_TL_OFFERER);
	CU_ASSERT_EQUAL(s->peers[0].desc_source, RTCLAB_TL_DESC_FILE);
	CU_ASSERT_STRING_EQUAL(s->peers[0].setup, "actpass");
	CU_ASSERT(s->dtls.setup_checked && s->dtls.setup_ok);
	char a[RTCLAB_ADDR_STRLEN];
	CU_ASSERT_STRING_EQUAL(rtclab_addr_format(&s->selected.local, a, sizeof a), sel[0]);
	for (size_t i = 0; i < s->n_pairs; i++)
		CU_ASSERT(s->pairs[i].n_auth_ok > 0 && s->pairs[i].n_auth_bad == 0);
	size_t from_sdp = 0;
	for (size_t i = 0; i < s->n_candidates; i++)
		from_sdp += s->candidates[i].source == RTCLAB_TL_FROM_SDP;
	CU_ASSERT(from_sdp >= 4);
	rtclab_timeline_free(tl);

	tl = replay("pcap/browser_wss.pcap", NULL, "webrtc-internals/browser_wss_offerer.json");
	CU_ASSERT_EQUAL_FATAL(tl->n_sessions, 1);
	s = tl->sessions[0];
	CU_ASSERT_EQUAL(s->n_missing, 0);
	CU_ASSERT_EQUAL(s->peers[0].desc_source, RTCLAB_TL_DESC_WEBRTC_INTERNALS);
	CU_ASSERT_EQUAL(s->peers[1].role, RTCLAB_TL_ANSWERER);
	for (size_t i = 0; i < s->n_pairs; i++)
		CU_ASSERT(s->pairs[i].n_auth_bad == 0);
	rtclab_timeline_free(tl);
}

/* An ICE restart (createOffer({iceRestart:true}) over the same signaling
 * connection): one session, two generations with the ufrags the browsers
 * used, and the pair selected after the restart as getStats() reports it. */
static void test_browser_restart(void)
{
	size_t len;
	uint8_t *text = unit_fixture("pcap/browser_restart.expected.json", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	json_t *expected = json_loadb((const char *)text, len, 0, NULL);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
	const json_t *run = json_array_get(json_object_get(expected, "runs"), 0);
	const json_t *gens = json_object_get(run, "generations");
	struct rtclab_timeline *tl = replay("pcap/browser_restart.pcap", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(tl->n_sessions, 1);
	struct rtclab_tl_session *s = tl->sessions[0];
	CU_ASSERT_EQUAL_FATAL(s->n_generations, json_array_size(gens));
	for (size_t g = 0; g < s->n_generations; g++) {
		const json_t *gj = json_array_get(gens, g);
		CU_ASSERT_STRING_EQUAL(s->generations[g].offer_ufrag,
				       json_string_value(json_object_get(json_object_get(gj, "offerer"), "ufrag")));
		CU_ASSERT_STRING_EQUAL(s->generations[g].answer_ufrag,
				       json_string_value(json_object_get(json_object_get(gj, "answerer"), "ufrag")));
	}
	/* the peers carry the current generation's credentials */
	CU_ASSERT_STRING_EQUAL(s->peers[0].ufrag, json_string_value(json_object_get(json_object_get(run, "offerer"), "ufrag")));
	CU_ASSERT_EQUAL(s->peers[0].role, RTCLAB_TL_OFFERER);
	const json_t *sel = json_object_get(json_object_get(run, "offerer"), "selectedPair");
	char local[64], remote[64], a1[RTCLAB_ADDR_STRLEN], a2[RTCLAB_ADDR_STRLEN];
	stats_addr(json_object_get(sel, "local"), local, sizeof local);
	stats_addr(json_object_get(sel, "remote"), remote, sizeof remote);
	CU_ASSERT_FATAL(s->selected.has);
	rtclab_addr_format(&s->selected.local, a1, sizeof a1);
	rtclab_addr_format(&s->selected.remote, a2, sizeof a2);
	CHECKF(strcmp(a1, local) == 0 && strcmp(a2, remote) == 0, "selected %s -> %s, getStats says %s -> %s", a1, a2,
	       local, remote);
	CU_ASSERT(strstr(s->outcome, "ICE restart") != NULL);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_OFFER), 4); /* two offers, each sent and relayed */
	for (size_t i = 0; i < s->n_pairs; i++)
		CU_ASSERT(s->pairs[i].n_auth_bad == 0);
	rtclab_timeline_free(tl);
	json_decref(expected);
}

/* A wrong ice-pwd makes the checks inauthentic, and says so. */
static void test_wrong_password(void)
{
	size_t len;
	uint8_t *text = unit_fixture("sdp/browser_wss_offer.sdp", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	char *p = strstr((char *)text, "a=ice-pwd:");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	p[10] = p[10] == 'x' ? 'y' : 'x';
	struct rtclab_timeline *tl = rtclab_timeline_new(NULL);
	char err[256];
	CU_ASSERT(rtclab_timeline_add_sdp(tl, (char *)text, len, RTCLAB_SIGNAL_OFFER, RTCLAB_TL_DESC_FILE, "x.sdp", err,
					  sizeof err));
	free(text);
	/* not a description: no ice-ufrag */
	CU_ASSERT(!rtclab_timeline_add_sdp(tl, "v=0\r\n", 5, RTCLAB_SIGNAL_OTHER, RTCLAB_TL_DESC_FILE, "y.sdp", err,
					   sizeof err));
	CU_ASSERT(strstr(err, "ice-ufrag") != NULL);
	struct rtclab_events *ev = rtclab_events_new(rtclab_timeline_event, tl, NULL);
	struct rtclab_capture *cap = rtclab_capture_open_file(fixture_path("pcap/browser_wss.pcap"), err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	struct rtclab_packet pk;
	while (rtclab_capture_next(cap, &pk, err, sizeof err) == RTCLAB_CAPTURE_PACKET)
		rtclab_events_feed(ev, &pk);
	rtclab_capture_close(cap);
	rtclab_events_finish(ev);
	rtclab_events_free(ev);
	rtclab_timeline_finish(tl);
	CU_ASSERT_EQUAL_FATAL(tl->n_sessions, 1);
	const struct rtclab_tl_session *s = tl->sessions[0];
	uint64_t bad = 0;
	for (size_t i = 0; i < s->n_pairs; i++)
		bad += s->pairs[i].n_auth_bad;
	CU_ASSERT(bad > 0); /* checks sent to A are signed with A's (here altered) ice-pwd */
	rtclab_timeline_free(tl);
}

/* Two sessions sharing one agent's ufrag (Zoom), and a capture with no ICE. */
static void test_corpus_shapes(void)
{
	struct rtclab_timeline *tl = replay("pcap/ndpi_stun_zoom.pcapng", NULL, NULL);
	CU_ASSERT_EQUAL(tl->n_sessions, 2);
	for (size_t i = 0; i < tl->n_sessions; i++) {
		CU_ASSERT(tl->sessions[i]->selected.has);
		CU_ASSERT(tl->sessions[i]->dtls.seen);
		CU_ASSERT_STRING_EQUAL(tl->sessions[i]->peers[0].ufrag, "2040F7EC-3FBF-61F7-1AC2-AAD5D4610A8E");
	}
	rtclab_timeline_free(tl);
	tl = replay("pcap/ndpi_rtcp_multiple_pkts_in_the_same_datagram.pcap", NULL, NULL);
	CU_ASSERT_EQUAL(tl->n_sessions, 0);
	rtclab_timeline_free(tl);
}

RTCLAB_SUITE(timeline)
{
	static const struct unit_test tests[] = {
		{"browser capture: selected pair, roles and steps as getStats reports", test_browser_loopback},
		{"signaling over TLS: missing, then completed by --sdp or webrtc-internals", test_browser_wss},
		{"ICE restart: one session, two generations, the new selected pair", test_browser_restart},
		{"a wrong ice-pwd: checks are not authentic", test_wrong_password},
		{"corpus shapes: two sessions on one ufrag, none without ICE", test_corpus_shapes},
		{NULL, NULL},
	};
	unit_add_suite("timeline", tests);
}
