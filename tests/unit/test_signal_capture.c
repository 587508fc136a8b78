/* The Done-when of signaling: a real capture of a WebSocket signaling
 * session (tests/fixtures/pcap/ws_signaling.pcap, made with
 * tests/tools/ws_signal.c and tcpdump) and three captures derived from it
 * (tests/tools/pcap_rewrite.c: frames split over several TCP segments,
 * segments out of order, retransmissions), read with libpcap, decoded with
 * rtclab_packet_decode and run through tcp -> websocket -> signal: every
 * offer, answer and candidate comes out of each. */
#define _DEFAULT_SOURCE /* libpcap's headers use u_int and u_char */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/packet.h"
#include "rtclab/signal.h"
#include "rtclab/tcp.h"
#include "rtclab/websocket.h"
#include "unit.h"

struct session {
	size_t kinds[RTCLAB_SIGNAL_END_OF_CANDIDATES + 1];
	size_t opens, closes, gaps, mismatches, ws_problems, messages, controls, http;
	size_t close_codes_1000, pings, pongs;
	bool accept_ok;
	char offer_path[64], answer_path[64];
	char *offer;        /* the SDP text of the offer, as recovered */
	size_t offer_len;
	char answer_o[128]; /* the answer's o= line */
	size_t cand_ok;     /* candidates that parse */
	size_t with_mid;
	uint64_t offer_first, offer_last;
};

static struct session SS;

static void on_message(const struct rtclab_ws_event *ev)
{
	SS.messages++;
	if (ev->opcode != RTCLAB_WS_OP_TEXT)
		return;
	struct rtclab_signal *s = rtclab_signal_parse((const char *)ev->payload.ptr, ev->payload.len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (size_t i = 0; i < s->n_items; i++) {
		const struct rtclab_signal_item *it = &s->items[i];
		SS.kinds[it->kind]++;
		if (it->kind == RTCLAB_SIGNAL_OFFER) {
			snprintf(SS.offer_path, sizeof SS.offer_path, "%s", it->path);
			free(SS.offer);
			SS.offer = malloc(it->sdp_len + 1);
			memcpy(SS.offer, it->sdp_text, it->sdp_len + 1);
			SS.offer_len = it->sdp_len;
			SS.offer_first = ev->first_frame;
			SS.offer_last = ev->last_frame;
			CU_ASSERT_EQUAL(ev->dir, RTCLAB_TCP_FROM_CLIENT);
		}
		if (it->kind == RTCLAB_SIGNAL_ANSWER && it->sdp) {
			snprintf(SS.answer_path, sizeof SS.answer_path, "%s", it->path);
			const struct rtclab_sdp_line *o = &it->sdp->lines[1];
			snprintf(SS.answer_o, sizeof SS.answer_o, "%.*s", (int)o->text.len, o->text.ptr);
			CU_ASSERT_EQUAL(ev->dir, RTCLAB_TCP_FROM_SERVER);
			CU_ASSERT_EQUAL(ev->n_frames, 2); /* two fragments around a ping */
		}
		if (it->kind == RTCLAB_SIGNAL_CANDIDATE) {
			SS.cand_ok += it->cand_error == RTCLAB_CAND_OK;
			SS.with_mid += it->has_sdp_mid && it->sdp_mline_index == 0;
		}
	}
	rtclab_signal_free(s);
}

static void on_ws(void *arg, const struct rtclab_ws_event *ev)
{
	(void)arg;
	switch (ev->kind) {
	case RTCLAB_WS_EV_HTTP:
		SS.http++;
		if (!ev->http->is_request)
			SS.accept_ok = ev->http->accept_checked && ev->http->accept_ok;
		break;
	case RTCLAB_WS_EV_MESSAGE:
		on_message(ev);
		break;
	case RTCLAB_WS_EV_CONTROL:
		SS.controls++;
		SS.close_codes_1000 += ev->opcode == RTCLAB_WS_OP_CLOSE && ev->close_code == 1000;
		SS.pings += ev->opcode == RTCLAB_WS_OP_PING;
		SS.pongs += ev->opcode == RTCLAB_WS_OP_PONG;
		break;
	case RTCLAB_WS_EV_PROBLEM:
		SS.ws_problems++;
		fprintf(stderr, "websocket problem: %s at %llu\n", rtclab_ws_problem_id(ev->problem),
			(unsigned long long)ev->offset);
		break;
	}
}

static void on_tcp(void *arg, const struct rtclab_tcp_event *ev)
{
	(void)arg;
	struct rtclab_ws **ws = (struct rtclab_ws **)ev->user;
	switch (ev->kind) {
	case RTCLAB_TCP_EV_OPEN:
		SS.opens++;
		*ws = rtclab_ws_new(on_ws, NULL);
		break;
	case RTCLAB_TCP_EV_DATA:
		rtclab_ws_feed(*ws, ev->dir, ev->data.ptr, ev->data.len, ev->frame);
		break;
	case RTCLAB_TCP_EV_GAP:
		SS.gaps++;
		rtclab_ws_gap(*ws, ev->dir, ev->length, ev->frame);
		break;
	case RTCLAB_TCP_EV_MISMATCH:
		SS.mismatches++;
		break;
	case RTCLAB_TCP_EV_CLOSE:
		SS.closes++;
		rtclab_ws_end(*ws, ev->frame);
		rtclab_ws_free(*ws);
		*ws = NULL;
		break;
	}
}

static void run(const char *name)
{
	free(SS.offer);
	memset(&SS, 0, sizeof SS);
	const char *dir = getenv("RTCLAB_FIXTURES");
	char path[1024], err[PCAP_ERRBUF_SIZE];
	snprintf(path, sizeof path, "%s/pcap/%s", dir ? dir : "tests/fixtures", name);
	pcap_t *p = pcap_open_offline(path, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct rtclab_tcp *t = rtclab_tcp_new(NULL, on_tcp, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	int link = pcap_datalink(p);
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t frame = 0;
	while (pcap_next_ex(p, &h, &data) == 1) {
		struct rtclab_packet pkt;
		memset(&pkt, 0, sizeof pkt);
		pkt.frame = ++frame;
		if (rtclab_packet_decode(&pkt, (enum rtclab_linktype)link, data, h->caplen, h->len, NULL))
			rtclab_tcp_feed(t, &pkt);
	}
	rtclab_tcp_finish(t, frame);
	rtclab_tcp_free(t);
	pcap_close(p);
}

static void check_session(void)
{
	CU_ASSERT_EQUAL(SS.opens, 1);
	CU_ASSERT_EQUAL(SS.closes, 1);
	CU_ASSERT_EQUAL(SS.gaps, 0);
	CU_ASSERT_EQUAL(SS.mismatches, 0);
	CU_ASSERT_EQUAL(SS.http, 2);
	CU_ASSERT_TRUE(SS.accept_ok);
	CU_ASSERT_EQUAL(SS.ws_problems, 0);
	CU_ASSERT_EQUAL(SS.kinds[RTCLAB_SIGNAL_OFFER], 1);
	CU_ASSERT_EQUAL(SS.kinds[RTCLAB_SIGNAL_ANSWER], 1);
	CU_ASSERT_EQUAL(SS.kinds[RTCLAB_SIGNAL_CANDIDATE], 4);
	CU_ASSERT_EQUAL(SS.kinds[RTCLAB_SIGNAL_END_OF_CANDIDATES], 2);
	CU_ASSERT_EQUAL(SS.kinds[RTCLAB_SIGNAL_OTHER], 0);
	CU_ASSERT_EQUAL(SS.cand_ok, 4);
	CU_ASSERT_EQUAL(SS.with_mid, 4);
	CU_ASSERT_EQUAL(SS.messages, 8);
	CU_ASSERT_EQUAL(SS.pings, 1);
	CU_ASSERT_EQUAL(SS.pongs, 1);
	CU_ASSERT_EQUAL(SS.close_codes_1000, 2);
	CU_ASSERT_STRING_EQUAL(SS.offer_path, "");
	CU_ASSERT_STRING_EQUAL(SS.answer_path, "data.sdp");
	CU_ASSERT_STRING_EQUAL(SS.answer_o, "o=- 4611731400430051336 2 IN IP4 127.0.0.1");
	size_t len;
	uint8_t *offer = unit_fixture("sdp/exwebrtc_chromium_audio_video_sdp.sdp", &len);
	CU_ASSERT_EQUAL(SS.offer_len, len);
	CU_ASSERT_TRUE(SS.offer && SS.offer_len == len && memcmp(SS.offer, offer, len) == 0);
	free(offer);
	free(SS.offer);
	SS.offer = NULL;
}

static void test_original(void)
{
	run("ws_signaling.pcap");
	check_session();
	/* The offer is frame 8, one TCP segment (see tcpdump -r). */
	CU_ASSERT_EQUAL(SS.offer_first, 8);
	CU_ASSERT_EQUAL(SS.offer_last, 8);
}

static void test_split(void)
{
	run("ws_signaling_split.pcap");
	check_session();
	CU_ASSERT(SS.offer_last > SS.offer_first); /* the offer's frame spans several segments */
}

static void test_reorder(void)
{
	run("ws_signaling_reorder.pcap");
	check_session();
}

static void test_retransmit(void)
{
	run("ws_signaling_retransmit.pcap");
	check_session();
}

RTCLAB_SUITE(signal_capture)
{
	static const struct unit_test tests[] = {
		{"ws_signaling.pcap: offer, answer, 4 candidates, 2 ends", test_original},
		{"frames split over several TCP segments", test_split},
		{"segments out of order", test_reorder},
		{"retransmitted and overlapping segments", test_retransmit},
		{NULL, NULL},
	};
	unit_add_suite("signal_capture", tests);
}
