/* events.h: the captures of tests/fixtures/pcap read with capture.h and fed
 * to rtclab_events_feed(): one DATAGRAM per UDP datagram and per message cut
 * from a TCP stream, the signaling of the WebSocket session in order with
 * its endpoints, direction and frame, STUN over TCP one message at a time,
 * TLS and other streams noted once per direction; hand-built TCP segments
 * for TLS both ways, notes at the end of the input and connections freed
 * open; rtclab_events_datagram() on an RFC 5769 vector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/capture.h"
#include "rtclab/events.h"
#include "rtclab/stun.h"
#include "unit.h"

#define MAX_RECS 4096

/* What a test needs of an event, copied during the callback. */
struct rec {
	enum rtclab_event_kind kind;
	uint64_t frame;
	int64_t ts_ns;
	enum rtclab_l4 l4;
	struct rtclab_addr src, dst, client, server;
	bool has_packet;
	uint64_t packet_frame;
	bool stream;
	int dir;
	enum rtclab_stream_kind stream_kind;
	uint64_t stream_id;
	enum rtclab_demux_proto proto;        /* DATAGRAM: outer */
	uint16_t stun_method;
	enum rtclab_stun_class stun_class;
	enum rtclab_tunnel_via via;
	enum rtclab_signal_kind signal_kind;  /* SIGNAL: the first item */
	size_t signal_items;
	char via_name[16];
	size_t payload_len;
	bool is_request;                      /* HTTP */
	int opcode;                           /* WEBSOCKET */
	enum rtclab_stream_note note;
	uint64_t length, offset;
	char text[160];
};

struct run {
	struct rec r[MAX_RECS];
	size_t n, dropped;
	uint64_t udp_frames, tcp_frames, frames;
	uint64_t feeding;                     /* the frame being fed, 0 at the end */
	bool in_feed;
	struct rtclab_events_stats stats;
	size_t bindings;
};

static struct run R;

static void record(void *arg, const struct rtclab_event *ev)
{
	struct run *run = arg;
	if (run->n == MAX_RECS) {
		run->dropped++;
		return;
	}
	struct rec *r = &run->r[run->n++];
	memset(r, 0, sizeof *r);
	r->kind = ev->kind;
	r->frame = ev->frame;
	r->ts_ns = ev->ts_ns;
	r->l4 = ev->l4;
	r->src = ev->src;
	r->dst = ev->dst;
	r->client = ev->client;
	r->server = ev->server;
	r->has_packet = ev->packet != NULL;
	r->packet_frame = ev->packet ? ev->packet->frame : 0;
	r->stream = ev->stream;
	r->dir = ev->dir;
	r->stream_kind = ev->stream_kind;
	r->stream_id = ev->stream_id;
	r->note = ev->note;
	r->length = ev->length;
	r->offset = ev->offset;
	r->payload_len = ev->payload_len;
	snprintf(r->text, sizeof r->text, "%s", ev->text);
	if (run->in_feed)
		CHECKF(ev->packet && ev->packet->frame == run->feeding, "event of frame %llu outside its feed",
		       (unsigned long long)ev->frame);
	switch (ev->kind) {
	case RTCLAB_EVENT_DATAGRAM:
		CU_ASSERT_PTR_NOT_NULL_FATAL(ev->demux);
		r->proto = ev->demux->outer.proto;
		if (r->proto == RTCLAB_DEMUX_STUN) {
			r->stun_method = ev->demux->outer.u.stun.method;
			r->stun_class = ev->demux->outer.u.stun.cls;
		}
		r->via = ev->demux->via;
		break;
	case RTCLAB_EVENT_SIGNAL:
		CU_ASSERT_PTR_NOT_NULL_FATAL(ev->signal);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ev->via);
		CU_ASSERT_PTR_NOT_NULL(ev->ws);
		snprintf(r->via_name, sizeof r->via_name, "%s", ev->via);
		r->signal_kind = ev->signal->items[0].kind;
		for (size_t i = 0; i < ev->signal->n_items; i++)
			r->signal_items += ev->signal->items[i].kind != RTCLAB_SIGNAL_OTHER;
		break;
	case RTCLAB_EVENT_HTTP:
		CU_ASSERT_PTR_NOT_NULL_FATAL(ev->http);
		r->is_request = ev->http->is_request;
		break;
	case RTCLAB_EVENT_WEBSOCKET:
		CU_ASSERT_PTR_NOT_NULL_FATAL(ev->ws);
		r->opcode = ev->ws->opcode;
		break;
	case RTCLAB_EVENT_STREAM:
		CU_ASSERT(ev->note != RTCLAB_NOTE_NONE);
		CU_ASSERT(ev->text[0] != '\0');
		if (ev->note == RTCLAB_NOTE_WS_PROBLEM)
			CU_ASSERT_PTR_NOT_NULL(ev->ws);
		break;
	}
}

/* Read tests/fixtures/pcap/<name> into R through rtclab_events. */
static void run_capture(const char *name, const struct rtclab_events_options *opts)
{
	memset(&R, 0, sizeof R);
	const char *dir = getenv("RTCLAB_FIXTURES");
	char path[1024], err[RTCLAB_CAPTURE_ERRLEN];
	snprintf(path, sizeof path, "%s/pcap/%s", dir ? dir : "tests/fixtures", name);
	struct rtclab_capture *cap = rtclab_capture_open_file(path, err, sizeof err);
	CHECKF(cap != NULL, "%s: %s", name, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	struct rtclab_events *e = rtclab_events_new(record, &R, opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	struct rtclab_packet p;
	enum rtclab_capture_status s;
	while ((s = rtclab_capture_next(cap, &p, err, sizeof err)) == RTCLAB_CAPTURE_PACKET) {
		R.frames++;
		R.udp_frames += !p.fragment && p.l4 == RTCLAB_L4_UDP;
		R.tcp_frames += !p.fragment && p.l4 == RTCLAB_L4_TCP;
		R.feeding = p.frame;
		R.in_feed = true;
		rtclab_events_feed(e, &p);
		R.in_feed = false;
	}
	CHECKF(s == RTCLAB_CAPTURE_END, "%s: %s", name, err);
	size_t before = R.n;
	rtclab_events_finish(e);
	for (size_t i = before; i < R.n; i++) {
		CU_ASSERT_FALSE(R.r[i].has_packet); /* the end of the input: no frame */
		CU_ASSERT(R.r[i].frame <= R.frames);
	}
	rtclab_events_get_stats(e, &R.stats);
	R.bindings = rtclab_events_bindings(e)->n;
	rtclab_events_free(e);
	rtclab_capture_close(cap);
	CU_ASSERT_EQUAL(R.dropped, 0);
}

static size_t count(enum rtclab_event_kind kind, enum rtclab_l4 l4)
{
	size_t n = 0;
	for (size_t i = 0; i < R.n; i++)
		n += R.r[i].kind == kind && (l4 == RTCLAB_L4_NONE || R.r[i].l4 == l4);
	return n;
}

/* "192.0.2.1:3478" (IPv4 only) into a. */
static bool parse_addr(const char *text, struct rtclab_addr *a)
{
	char ip[64];
	const char *colon = strrchr(text, ':');
	if (!colon || (size_t)(colon - text) >= sizeof ip)
		return false;
	memcpy(ip, text, (size_t)(colon - text));
	ip[colon - text] = '\0';
	if (!rtclab_addr_ip_parse(a, ip))
		return false;
	a->port = (uint16_t)atoi(colon + 1);
	return true;
}

static bool addr_is(const struct rtclab_addr *a, const char *text)
{
	char buf[RTCLAB_ADDR_STRLEN];
	return strcmp(rtclab_addr_format(a, buf, sizeof buf), text) == 0;
}

/* --- UDP and STUN over TCP ---------------------------------------------------------- */

/* One DATAGRAM per UDP frame and per message cut from a TCP stream; every
 * UDP event is its frame. */
static void test_datagram_count(void)
{
	static const char *const names[] = {"ndpi_stun.pcap", "ndpi_stun_dtls_rtp.pcapng", "ndpi_stun_google_meet.pcapng",
					    "ndpi_telegram_videocall.pcapng", "ndpi_stun_tcp_multiple_msgs_same_pkt.pcap"};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		run_capture(names[k], NULL);
		size_t udp = 0, tcp = 0;
		for (size_t i = 0; i < R.n; i++) {
			const struct rec *r = &R.r[i];
			if (r->kind != RTCLAB_EVENT_DATAGRAM)
				continue;
			if (r->l4 == RTCLAB_L4_UDP) {
				udp++;
				CU_ASSERT_FALSE(r->stream);
				CU_ASSERT_TRUE(r->has_packet && r->packet_frame == r->frame);
			} else {
				tcp++;
				CU_ASSERT_EQUAL(r->l4, RTCLAB_L4_TCP);
				CU_ASSERT_TRUE(r->stream);
				CU_ASSERT(r->stream_kind == RTCLAB_STREAM_STUN || r->stream_kind == RTCLAB_STREAM_RFC4571);
			}
		}
		CHECKF(udp == R.udp_frames, "%s: %zu UDP datagram events for %llu UDP frames", names[k], udp,
		       (unsigned long long)R.udp_frames);
		CHECKF(count(RTCLAB_EVENT_DATAGRAM, RTCLAB_L4_NONE) == R.udp_frames + tcp, "%s", names[k]);
	}
}

/* ndpi_stun.pcap: UDP and TCP, TURN tunnels, channel bindings learnt. */
static void test_ndpi_stun(void)
{
	run_capture("ndpi_stun.pcap", NULL);
	CU_ASSERT_EQUAL(R.frames, 201);
	CU_ASSERT_EQUAL(R.udp_frames, 165);
	size_t tunnels = 0;
	int64_t last = 0;
	for (size_t i = 0; i < R.n; i++) {
		tunnels += R.r[i].kind == RTCLAB_EVENT_DATAGRAM && R.r[i].via != RTCLAB_TUNNEL_NONE;
		CU_ASSERT(R.r[i].ts_ns >= last || R.r[i].l4 == RTCLAB_L4_TCP);
		if (R.r[i].l4 == RTCLAB_L4_UDP)
			last = R.r[i].ts_ns;
	}
	CU_ASSERT_EQUAL(tunnels, 59); /* "inside TURN 59" of rtclab dump --stats */
	CU_ASSERT(R.bindings > 0);
}

/* RFC 8489 6.2.2: six Allocate requests back to back, three in one segment. */
static void test_stun_tcp(void)
{
	run_capture("ndpi_stun_tcp_multiple_msgs_same_pkt.pcap", NULL);
	static const uint64_t frames[] = {2, 3, 4, 5, 5, 5};
	size_t n = 0;
	for (size_t i = 0; i < R.n; i++) {
		const struct rec *r = &R.r[i];
		if (r->kind != RTCLAB_EVENT_DATAGRAM || r->l4 != RTCLAB_L4_TCP)
			continue;
		CU_ASSERT_EQUAL(r->proto, RTCLAB_DEMUX_STUN);
		CU_ASSERT_EQUAL(r->stun_method, RTCLAB_STUN_ALLOCATE);
		CU_ASSERT_EQUAL(r->stun_class, RTCLAB_STUN_REQUEST);
		CU_ASSERT_EQUAL(r->stream_kind, RTCLAB_STREAM_STUN);
		CU_ASSERT_EQUAL(r->dir, RTCLAB_TCP_FROM_CLIENT);
		CU_ASSERT_EQUAL(r->stream_id, 1);
		CU_ASSERT_TRUE(addr_is(&r->src, "23.183.197.71:42849"));
		CU_ASSERT_TRUE(addr_is(&r->dst, "166.172.142.131:3479"));
		CU_ASSERT_TRUE(rtclab_addr_equal(&r->client, &r->src) && rtclab_addr_equal(&r->server, &r->dst));
		if (n < 6)
			CU_ASSERT_EQUAL(r->frame, frames[n]);
		n++;
	}
	CU_ASSERT_EQUAL(n, 6);
	CU_ASSERT_EQUAL(count(RTCLAB_EVENT_STREAM, RTCLAB_L4_NONE), 0);
	CU_ASSERT_EQUAL(R.stats.tcp_connections, 1);
}

/* --- WebSocket signaling ----------------------------------------------------------------- */

static const struct {
	enum rtclab_signal_kind kind;
	uint64_t frame;
	int dir;
} ws_signals[] = {
	{RTCLAB_SIGNAL_OFFER, 8, 0},      {RTCLAB_SIGNAL_CANDIDATE, 9, 0}, {RTCLAB_SIGNAL_CANDIDATE, 11, 0},
	{RTCLAB_SIGNAL_END_OF_CANDIDATES, 12, 0}, {RTCLAB_SIGNAL_ANSWER, 18, 1}, {RTCLAB_SIGNAL_CANDIDATE, 19, 1},
	{RTCLAB_SIGNAL_CANDIDATE, 21, 1}, {RTCLAB_SIGNAL_END_OF_CANDIDATES, 22, 1},
};

/* The session of ws_signaling*.pcap: frames only checked for the original. */
static void check_ws_session(const char *name, bool frames)
{
	run_capture(name, NULL);
	size_t n = 0;
	for (size_t i = 0; i < R.n; i++) {
		const struct rec *r = &R.r[i];
		CU_ASSERT_EQUAL(r->l4, RTCLAB_L4_TCP);
		CU_ASSERT_EQUAL(r->stream_kind, RTCLAB_STREAM_HTTP);
		CU_ASSERT_EQUAL(r->stream_id, 1);
		CU_ASSERT_TRUE(addr_is(&r->client, "127.0.0.1:55514") && addr_is(&r->server, "127.0.0.1:8765"));
		CU_ASSERT_TRUE(addr_is(&r->src, r->dir == 0 ? "127.0.0.1:55514" : "127.0.0.1:8765"));
		CU_ASSERT_TRUE(addr_is(&r->dst, r->dir == 0 ? "127.0.0.1:8765" : "127.0.0.1:55514"));
		if (r->kind != RTCLAB_EVENT_SIGNAL)
			continue;
		CHECKF(n < 8, "%s: more than 8 signaling messages", name);
		if (n >= 8)
			break;
		CHECKF(r->signal_kind == ws_signals[n].kind, "%s: message %zu is %s", name, n,
		       rtclab_signal_kind_name(r->signal_kind));
		CU_ASSERT_EQUAL(r->signal_items, 1);
		CU_ASSERT_EQUAL(r->dir, ws_signals[n].dir);
		CU_ASSERT_STRING_EQUAL(r->via_name, "WebSocket");
		CU_ASSERT(r->payload_len > 0);
		if (frames)
			CHECKF(r->frame == ws_signals[n].frame, "%s: message %zu in frame %llu", name, n,
			       (unsigned long long)r->frame);
		n++;
	}
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT_EQUAL(count(RTCLAB_EVENT_HTTP, RTCLAB_L4_TCP), 2);
	CU_ASSERT_EQUAL(count(RTCLAB_EVENT_WEBSOCKET, RTCLAB_L4_TCP), 4); /* ping, pong, two closes */
	CU_ASSERT_EQUAL(count(RTCLAB_EVENT_STREAM, RTCLAB_L4_NONE), 0);
	CU_ASSERT_EQUAL(count(RTCLAB_EVENT_DATAGRAM, RTCLAB_L4_NONE), 0);
	CU_ASSERT_EQUAL(R.stats.tcp_connections, 1);
	CU_ASSERT_EQUAL(R.stats.http_messages, 2);
	CU_ASSERT_EQUAL(R.stats.ws_messages, 8);
	CU_ASSERT_EQUAL(R.stats.ws_problems, 0);
	CU_ASSERT_EQUAL(R.stats.tcp_gaps, 0);
}

static void test_ws_signaling(void)
{
	check_ws_session("ws_signaling.pcap", true);
	/* the request, then the response */
	CU_ASSERT_TRUE(R.n > 1 && R.r[0].kind == RTCLAB_EVENT_HTTP && R.r[0].is_request && R.r[0].frame == 4);
	CU_ASSERT_TRUE(R.n > 1 && R.r[1].kind == RTCLAB_EVENT_HTTP && !R.r[1].is_request && R.r[1].frame == 6);
}

static void test_ws_variants(void)
{
	check_ws_session("ws_signaling_split.pcap", false);
	check_ws_session("ws_signaling_reorder.pcap", false);
	check_ws_session("ws_signaling_retransmit.pcap", false);
}

static void test_no_tcp(void)
{
	struct rtclab_events_options o = {.no_tcp = true};
	run_capture("ws_signaling.pcap", &o);
	CU_ASSERT_EQUAL(R.n, 0);
	run_capture("ndpi_stun.pcap", &o);
	CU_ASSERT_EQUAL(count(RTCLAB_EVENT_DATAGRAM, RTCLAB_L4_UDP), R.udp_frames);
	CU_ASSERT_EQUAL(count(RTCLAB_EVENT_DATAGRAM, RTCLAB_L4_TCP), 0);
}

/* --- TLS and other streams ------------------------------------------------------------- */

static void test_tls_capture(void)
{
	run_capture("ndpi_telegram_videocall.pcapng", NULL);
	size_t tls = 0, out_of_step = 0;
	for (size_t i = 0; i < R.n; i++) {
		const struct rec *r = &R.r[i];
		if (r->kind != RTCLAB_EVENT_STREAM)
			continue;
		if (r->note == RTCLAB_NOTE_UNDECODED) {
			for (size_t k = 0; k < i; k++) /* once per direction */
				CU_ASSERT_FALSE(R.r[k].kind == RTCLAB_EVENT_STREAM && R.r[k].note == RTCLAB_NOTE_UNDECODED &&
						R.r[k].stream_id == r->stream_id && R.r[k].dir == r->dir);
			if (r->stream_kind == RTCLAB_STREAM_TLS) {
				tls++;
				CU_ASSERT_STRING_EQUAL(r->text, "TLS (not decrypted: TURN over TLS, or wss:// signaling)");
				CU_ASSERT_EQUAL(r->frame, 877);
				CU_ASSERT_TRUE(addr_is(&r->src, "18.195.162.93:443"));
			} else {
				CU_ASSERT_EQUAL(r->stream_kind, RTCLAB_STREAM_OTHER);
				CU_ASSERT_STRING_EQUAL(r->text, "data rtclab does not decode");
			}
		} else if (r->note == RTCLAB_NOTE_OUT_OF_STEP) {
			out_of_step++;
			CU_ASSERT_EQUAL(r->frame, 231);
			CU_ASSERT_EQUAL(r->stream_kind, RTCLAB_STREAM_STUN);
			CU_ASSERT_STRING_EQUAL(r->text, "byte 0xa2 does not start a STUN or ChannelData message");
		}
	}
	CU_ASSERT_EQUAL(tls, 1);
	CU_ASSERT_EQUAL(out_of_step, 1);
	CU_ASSERT_EQUAL(R.stats.tls_streams, 1);
	CU_ASSERT_EQUAL(R.stats.tcp_connections, 10);
}

/* Hand-built segments, fed as decoded frames. */
static struct rtclab_packet seg(uint64_t frame, const char *src, const char *dst, uint32_t seq, uint8_t flags,
				const void *data, size_t len)
{
	struct rtclab_packet p;
	memset(&p, 0, sizeof p);
	p.frame = frame;
	p.ts_ns = 1700000000000000000LL + (int64_t)frame * 1000000;
	p.ip_version = 4;
	p.l4 = RTCLAB_L4_TCP;
	CU_ASSERT_TRUE(parse_addr(src, &p.src));
	CU_ASSERT_TRUE(parse_addr(dst, &p.dst));
	p.seq = seq;
	p.tcp_flags = flags;
	p.payload.ptr = data;
	p.payload.len = len;
	return p;
}

static void feed(struct rtclab_events *e, const struct rtclab_packet *p)
{
	R.feeding = p->frame;
	R.in_feed = true;
	rtclab_events_feed(e, p);
	R.in_feed = false;
}

static void test_tls_both_ways(void)
{
	memset(&R, 0, sizeof R);
	static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00};
	static const uint8_t server[] = {0x16, 0x03, 0x03, 0x00, 0x02, 0x02, 0x00};
	static const uint8_t app[] = {0x17, 0x03, 0x03, 0x00, 0x01, 0xAA};
	const char *c = "10.0.0.1:40000", *s = "10.0.0.2:443";
	struct rtclab_events *e = rtclab_events_new(record, &R, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	struct rtclab_packet p[] = {
		seg(1, c, s, 99, RTCLAB_TCP_SYN, NULL, 0),
		seg(2, s, c, 499, RTCLAB_TCP_SYN | RTCLAB_TCP_ACK, NULL, 0),
		seg(3, c, s, 100, RTCLAB_TCP_ACK, hello, sizeof hello),
		seg(4, s, c, 500, RTCLAB_TCP_ACK, server, sizeof server),
		seg(5, c, s, 100 + sizeof hello, RTCLAB_TCP_ACK, app, sizeof app),
		seg(6, s, c, 500 + sizeof server, RTCLAB_TCP_ACK, app, sizeof app),
	};
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
		feed(e, &p[i]);
	rtclab_events_finish(e);
	rtclab_events_get_stats(e, &R.stats);
	rtclab_events_free(e);
	CU_ASSERT_EQUAL(R.n, 2);
	for (size_t i = 0; i < R.n && i < 2; i++) {
		CU_ASSERT_EQUAL(R.r[i].kind, RTCLAB_EVENT_STREAM);
		CU_ASSERT_EQUAL(R.r[i].note, RTCLAB_NOTE_UNDECODED);
		CU_ASSERT_EQUAL(R.r[i].stream_kind, RTCLAB_STREAM_TLS);
		CU_ASSERT_EQUAL(R.r[i].dir, (int)i);
		CU_ASSERT_EQUAL(R.r[i].frame, 3 + i);
		CU_ASSERT_EQUAL(R.r[i].ts_ns, p[2 + i].ts_ns);
		CU_ASSERT_TRUE(addr_is(&R.r[i].src, i ? s : c));
	}
	CU_ASSERT_EQUAL(R.stats.tls_streams, 2);
	CU_ASSERT_EQUAL(R.stats.tcp_connections, 1);
}

/* A STUN stream with a gap, a retransmission that disagrees, and a byte that
 * is no message; an ICE-TCP stream with its "why". */
static void test_stream_notes(void)
{
	memset(&R, 0, sizeof R);
	uint8_t req[20] = {0x00, 0x03, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	uint8_t bad[20];
	memset(bad, 'X', sizeof bad);
	static const uint8_t junk[] = {0xFF, 0xFF, 0xFF, 0xFF};
	uint8_t framed[22] = {0x00, 0x14};
	memcpy(framed + 2, req, sizeof req);
	framed[3] = 0x01; /* a Binding request */
	const char *c = "10.0.0.5:40002", *s = "10.0.0.6:3478", *ic = "10.0.0.7:40003", *is = "10.0.0.8:9000";
	struct rtclab_events *e = rtclab_events_new(record, &R, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	struct rtclab_packet p[] = {
		seg(1, c, s, 99, RTCLAB_TCP_SYN, NULL, 0),
		seg(2, c, s, 100, RTCLAB_TCP_ACK, req, sizeof req),
		seg(3, c, s, 140, RTCLAB_TCP_ACK, req, sizeof req),   /* 20 bytes missing before it */
		seg(4, s, c, 500, RTCLAB_TCP_ACK, req, sizeof req),
		seg(5, s, c, 500, RTCLAB_TCP_ACK, bad, sizeof bad),   /* disagrees */
		seg(6, s, c, 520, RTCLAB_TCP_ACK, junk, sizeof junk), /* out of step */
		seg(7, ic, is, 1, RTCLAB_TCP_ACK, framed, sizeof framed),
	};
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
		feed(e, &p[i]);
	size_t before_finish = R.n;
	rtclab_events_finish(e);
	rtclab_events_get_stats(e, &R.stats);
	rtclab_events_free(e);
	bool gap = false, mismatch = false, step = false, ice = false;
	for (size_t i = 0; i < R.n; i++) {
		const struct rec *r = &R.r[i];
		if (r->note == RTCLAB_NOTE_GAP) {
			gap = true;
			CU_ASSERT_EQUAL(r->length, 20);
			CU_ASSERT_EQUAL(r->offset, 20);
			CU_ASSERT_TRUE(i >= before_finish && !r->has_packet && r->frame == 7);
			CU_ASSERT_STRING_EQUAL(r->text, "20 bytes missing from the capture at stream offset 20");
		} else if (r->note == RTCLAB_NOTE_MISMATCH) {
			mismatch = true;
			CU_ASSERT_EQUAL(r->frame, 5);
			CU_ASSERT_EQUAL(r->dir, 1);
			CU_ASSERT_EQUAL(r->length, 20);
		} else if (r->note == RTCLAB_NOTE_OUT_OF_STEP) {
			step = true;
			CU_ASSERT_EQUAL(r->frame, 6);
			CU_ASSERT_STRING_EQUAL(r->text, "byte 0xff does not start a STUN or ChannelData message");
		} else if (r->kind == RTCLAB_EVENT_DATAGRAM && r->stream_kind == RTCLAB_STREAM_RFC4571) {
			ice = true;
			CU_ASSERT_EQUAL(r->proto, RTCLAB_DEMUX_STUN);
			CU_ASSERT_EQUAL(r->stun_method, RTCLAB_STUN_BINDING);
			CU_ASSERT_EQUAL(r->stream_id, 2);
		}
	}
	CU_ASSERT_TRUE(gap && mismatch && step && ice);
	CU_ASSERT_EQUAL(R.stats.tcp_gaps, 1);
	CU_ASSERT_EQUAL(R.stats.tcp_mismatches, 1);
	CU_ASSERT_EQUAL(R.stats.tcp_connections, 2);
}

/* The "why" of an ICE-TCP frame says how it was framed. */
static void on_ice(void *arg, const struct rtclab_event *ev)
{
	int *n = arg;
	if (ev->kind == RTCLAB_EVENT_DATAGRAM) {
		(*n)++;
		CU_ASSERT_EQUAL(strncmp(ev->demux->outer.why, "ICE-TCP frame (RFC 6544 3, RFC 4571 2); ", 40), 0);
	}
}

static void test_rfc4571_why(void)
{
	uint8_t framed[22] = {0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	int n = 0;
	struct rtclab_events *e = rtclab_events_new(on_ice, &n, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	struct rtclab_packet p = seg(1, "10.0.0.7:40003", "10.0.0.8:9000", 1, RTCLAB_TCP_ACK, framed, sizeof framed);
	rtclab_events_feed(e, &p);
	rtclab_events_finish(e);
	rtclab_events_free(e);
	CU_ASSERT_EQUAL(n, 1);
}

/* An HTTP response read to the end of the connection is delivered by
 * rtclab_events_finish(), without a frame; connections left open at
 * rtclab_events_free() go without events (and without leaks: make asan). */
static void test_finish_and_free(void)
{
	static const char req[] = "POST /whip HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\nContent-Length: 0\r\n\r\n";
	static const char resp[] = "HTTP/1.1 201 Created\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n";
	const char *c = "10.0.0.1:40000", *s = "10.0.0.2:8080";
	for (int finish = 1; finish >= 0; finish--) {
		memset(&R, 0, sizeof R);
		struct rtclab_events *e = rtclab_events_new(record, &R, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		struct rtclab_packet p[] = {
			seg(1, c, s, 99, RTCLAB_TCP_SYN, NULL, 0),
			seg(2, c, s, 100, RTCLAB_TCP_ACK, req, strlen(req)),
			seg(3, s, c, 500, RTCLAB_TCP_ACK, resp, strlen(resp)),
		};
		for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
			feed(e, &p[i]);
		size_t fed = R.n;
		CU_ASSERT_EQUAL(fed, 1); /* the request */
		CU_ASSERT_TRUE(R.r[0].kind == RTCLAB_EVENT_HTTP && R.r[0].is_request && R.r[0].has_packet);
		if (finish)
			rtclab_events_finish(e);
		rtclab_events_free(e);
		if (!finish) {
			CU_ASSERT_EQUAL(R.n, fed);
			continue;
		}
		/* the response, then its body as an answer */
		CU_ASSERT_EQUAL(R.n, 3);
		if (R.n != 3)
			continue;
		CU_ASSERT_TRUE(R.r[1].kind == RTCLAB_EVENT_HTTP && !R.r[1].is_request);
		CU_ASSERT_EQUAL(R.r[2].kind, RTCLAB_EVENT_SIGNAL);
		CU_ASSERT_EQUAL(R.r[2].signal_kind, RTCLAB_SIGNAL_ANSWER);
		CU_ASSERT_STRING_EQUAL(R.r[2].via_name, "HTTP");
		CU_ASSERT_EQUAL(R.r[2].payload_len, 5);
		for (size_t i = 1; i < 3; i++) {
			CU_ASSERT_FALSE(R.r[i].has_packet);
			CU_ASSERT_EQUAL(R.r[i].frame, 3);
			CU_ASSERT_EQUAL(R.r[i].ts_ns, p[2].ts_ns);
			CU_ASSERT_EQUAL(R.r[i].dir, 1);
			CU_ASSERT_TRUE(addr_is(&R.r[i].src, s));
		}
	}
	rtclab_events_free(NULL);
}

/* --- a payload from a simulation ---------------------------------------------------- */

static void test_datagram_api(void)
{
	size_t len;
	uint8_t *buf = unit_fixture("stun/sample_request.bin", &len);
	struct rtclab_addr src, dst;
	CU_ASSERT_TRUE(parse_addr("192.0.2.1:50000", &src));
	CU_ASSERT_TRUE(parse_addr("198.51.100.2:3478", &dst));
	memset(&R, 0, sizeof R);
	struct rtclab_events *e = rtclab_events_new(record, &R, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	rtclab_events_datagram(e, 1234567890123LL, &src, &dst, buf, len);
	rtclab_events_finish(e);
	rtclab_events_free(e);
	free(buf);
	CU_ASSERT_EQUAL_FATAL(R.n, 1);
	const struct rec *r = &R.r[0];
	CU_ASSERT_EQUAL(r->kind, RTCLAB_EVENT_DATAGRAM);
	CU_ASSERT_FALSE(r->has_packet);
	CU_ASSERT_EQUAL(r->frame, 0);
	CU_ASSERT_EQUAL(r->ts_ns, 1234567890123LL);
	CU_ASSERT_EQUAL(r->l4, RTCLAB_L4_UDP);
	CU_ASSERT_FALSE(r->stream);
	CU_ASSERT_TRUE(rtclab_addr_equal(&r->src, &src) && rtclab_addr_equal(&r->dst, &dst));
	CU_ASSERT_EQUAL(r->proto, RTCLAB_DEMUX_STUN);
	CU_ASSERT_EQUAL(r->stun_method, RTCLAB_STUN_BINDING);
	CU_ASSERT_EQUAL(r->stun_class, RTCLAB_STUN_REQUEST);
	CU_ASSERT_EQUAL(r->via, RTCLAB_TUNNEL_NONE);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(rtclab_event_kind_name(RTCLAB_EVENT_DATAGRAM), "datagram");
	CU_ASSERT_STRING_EQUAL(rtclab_event_kind_name(RTCLAB_EVENT_SIGNAL), "signal");
	CU_ASSERT_STRING_EQUAL(rtclab_event_kind_name(RTCLAB_EVENT_HTTP), "http");
	CU_ASSERT_STRING_EQUAL(rtclab_event_kind_name(RTCLAB_EVENT_WEBSOCKET), "websocket");
	CU_ASSERT_STRING_EQUAL(rtclab_event_kind_name(RTCLAB_EVENT_STREAM), "stream");
	CU_ASSERT_STRING_EQUAL(rtclab_stream_kind_name(RTCLAB_STREAM_UNKNOWN), "unknown");
	CU_ASSERT_STRING_EQUAL(rtclab_stream_kind_name(RTCLAB_STREAM_HTTP), "http");
	CU_ASSERT_STRING_EQUAL(rtclab_stream_kind_name(RTCLAB_STREAM_STUN), "stun");
	CU_ASSERT_STRING_EQUAL(rtclab_stream_kind_name(RTCLAB_STREAM_RFC4571), "ice-tcp");
	CU_ASSERT_STRING_EQUAL(rtclab_stream_kind_name(RTCLAB_STREAM_TLS), "tls");
	CU_ASSERT_STRING_EQUAL(rtclab_stream_kind_name(RTCLAB_STREAM_OTHER), "other");
}

RTCLAB_SUITE(events)
{
	static const struct unit_test tests[] = {
		{"one DATAGRAM per UDP frame and per stream message", test_datagram_count},
		{"ndpi_stun.pcap: tunnels and channel bindings", test_ndpi_stun},
		{"STUN over TCP: six Allocate requests, three in one segment", test_stun_tcp},
		{"ws_signaling.pcap: offer, answer, candidates in order", test_ws_signaling},
		{"ws_signaling split, reordered, retransmitted", test_ws_variants},
		{"no_tcp: TCP gives no events", test_no_tcp},
		{"telegram: TLS and other streams noted once per direction", test_tls_capture},
		{"TLS both ways: two notes", test_tls_both_ways},
		{"gap, mismatch, out of step, ICE-TCP", test_stream_notes},
		{"ICE-TCP why", test_rfc4571_why},
		{"finish delivers, free releases", test_finish_and_free},
		{"rtclab_events_datagram on RFC 5769 2.1", test_datagram_api},
		{"names", test_names},
		{NULL, NULL},
	};
	unit_add_suite("events", tests);
}
