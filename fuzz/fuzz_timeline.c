/* libFuzzer target: the session reconstruction (timeline.h) driven by a
 * small script, the way a hostile capture (or a hostile --sdp /
 * --webrtc-internals file) would drive it, then finished, rendered as JSON
 * and freed.
 *
 * Input: one flags byte, then records until the input ends:
 *
 *   [op][src][dst][dt hi][dt lo][len hi][len lo][len bytes of payload]
 *
 * (a record whose payload runs past the end takes what is left).
 *
 *   flags  bit 0: rtclab_timeline_options.no_integrity
 *          bit 1: rtclab_events_options.no_tcp
 *   src, dst  an endpoint: bits 0-2 pick one of the 8 addresses of ADDRS[]
 *          below, bits 3-7 are added to its port (0-31), so that a check
 *          can come from ports no candidate names.
 *   dt     advances the clock (it starts at 2023-11-14T22:13:20Z):
 *          bits 14-15 the unit (0 us, 1 ms, 2 s, 3 ms backwards: capture
 *          clocks step back), bits 0-13 the amount.
 *   op     bits 0-2 the operation, bits 4-7 its flags (bit 3 unused):
 *     0 DATAGRAM  rtclab_events_datagram(src -> dst, payload): STUN, TURN,
 *                 ChannelData, DTLS, RTP, RTCP, anything.
 *     1 SIGNAL    a WebSocket text message: rtclab_signal_parse(payload) in
 *                 a SIGNAL event on the fake connection client = src,
 *                 server = dst; flag bit 4: direction 1 (server to
 *                 client: the server relays what the other peer sent).
 *     2 HTTP      the HTTP event of that connection: a 101 response with
 *                 Upgrade: websocket (what marks a signaling channel);
 *                 bit 4: a request instead, bit 5: not a WebSocket upgrade.
 *     3 STREAM    a STREAM note on that connection; bit 4: direction 1;
 *                 bits 5-6: UNDECODED (TLS: wss:// signaling), GAP,
 *                 MISMATCH, WS_PROBLEM; bit 7: stream kind OTHER, not TLS.
 *     4 SDP       rtclab_timeline_add_sdp(payload); bits 4-5: OTHER (guess),
 *                 OFFER, ANSWER, OTHER; bit 6: source WEBRTC_INTERNALS
 *                 instead of FILE.  Only before the first event, as
 *                 timeline.h asks ("Supply descriptions before the events"):
 *                 later it is ignored.
 *     5 INTERNALS json_loadb(payload) + rtclab_timeline_add_webrtc_internals,
 *                 before the first event too.
 *     6 TCP       one TCP segment src -> dst through rtclab_events_feed(), so
 *                 that events.c reassembles and classifies the stream itself
 *                 (HTTP/WebSocket signaling, STUN over TCP, RFC 4571, TLS).
 *                 Without bit 7: flags ACK (+PSH with data), bit 4 SYN
 *                 (without ACK: the client's), bit 5 FIN, bit 6 RST, and
 *                 sequence numbers that follow on per (src, dst) index pair;
 *                 bit 7: the payload starts with [tcp flags][seq 4][ack 4]
 *                 (big endian), for retransmissions, gaps and wrap-around.
 *     7 HTTPSDP   an application/sdp HTTP body (WHIP/WHEP) as a SIGNAL event:
 *                 rtclab_signal_parse_sdp_body(payload), an offer (direction
 *                 0, the POST) or, with bit 4, an answer (direction 1, the
 *                 201); bit 5: kind OTHER.
 *
 * At the end: rtclab_events_finish(), rtclab_timeline_finish(), a check of
 * the model's counts and indices against its bounds, rtclab_timeline_json()
 * and json_dumps(); everything freed (the leak checker sees what is not).
 *
 * The seeds in fuzz/corpus/timeline/ are written by fuzz/make_timeline_seeds.c
 * (`make fuzz-seeds-timeline`). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rtclab/events.h"
#include "rtclab/signal.h"
#include "rtclab/timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 2048
#define BASE_NS 1700000000000000000LL

static const struct {
	int v6;
	uint8_t ip[16];
	uint16_t port;
} ADDRS[8] = {
	{0, {192, 168, 1, 10}, 50000},                       /* 0: A, host */
	{0, {192, 168, 1, 20}, 50001},                       /* 1: B, host */
	{0, {203, 0, 113, 5}, 3478},                         /* 2: STUN/TURN server */
	{0, {198, 51, 100, 7}, 61000},                       /* 3: A's public (server-reflexive) address */
	{0, {203, 0, 113, 5}, 49152},                        /* 4: a relayed address on the TURN server */
	{1, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 50002},      /* 5: A, host IPv6 */
	{1, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}, 50003},      /* 6: B, host IPv6 */
	{0, {10, 0, 0, 1}, 443},                             /* 7: the signaling server */
};

static struct rtclab_addr addr_of(uint8_t sel)
{
	struct rtclab_addr a;
	memset(&a, 0, sizeof a);
	unsigned i = sel & 7;
	a.family = ADDRS[i].v6 ? RTCLAB_FAMILY_IPV6 : RTCLAB_FAMILY_IPV4;
	memcpy(a.ip, ADDRS[i].ip, sizeof a.ip);
	a.port = (uint16_t)(ADDRS[i].port + (sel >> 3));
	return a;
}

/* Fake signaling connections (ops 1, 2, 3, 7): ids far from those events.c
 * gives the TCP connections it sees itself. */
#define FAKE_ID_BASE (1ULL << 32)

struct script {
	struct rtclab_timeline *tl;
	struct rtclab_events *ev;
	int64_t now;
	uint64_t frame;
	bool started;            /* an event went in: no more descriptions */
	size_t n_conns;
	uint16_t conns[64];      /* (client sel << 8 | server sel) in order of first use */
	uint32_t seq[8][8];      /* next TCP sequence number per (src, dst) index */
	bool seq_init[8][8];
};

static uint64_t conn_id(struct script *s, uint8_t client, uint8_t server)
{
	uint16_t key = (uint16_t)(client << 8 | server);
	for (size_t i = 0; i < s->n_conns; i++)
		if (s->conns[i] == key)
			return FAKE_ID_BASE + i + 1;
	if (s->n_conns < 64) {
		s->conns[s->n_conns++] = key;
		return FAKE_ID_BASE + s->n_conns;
	}
	return FAKE_ID_BASE + 64 + key; /* distinct, never remembered */
}

static void stream_event(struct script *s, struct rtclab_event *e, enum rtclab_event_kind kind, uint8_t csel,
			 uint8_t ssel, int dir)
{
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->frame = ++s->frame;
	e->ts_ns = s->now;
	e->l4 = RTCLAB_L4_TCP;
	e->stream = true;
	e->client = addr_of(csel);
	e->server = addr_of(ssel);
	e->dir = dir;
	e->src = dir ? e->server : e->client;
	e->dst = dir ? e->client : e->server;
	e->stream_kind = RTCLAB_STREAM_HTTP;
	e->stream_id = conn_id(s, csel, ssel);
}

static const char CT_SDP[] = "application/sdp";

static void http_message(struct rtclab_ws_http *h, bool request, bool websocket, int status)
{
	memset(h, 0, sizeof *h);
	h->is_request = request;
	h->websocket = websocket;
	h->version = (struct rtclab_str){"HTTP/1.1", 8};
	if (request) {
		h->method = (struct rtclab_str){"POST", 4};
		h->target = (struct rtclab_str){"/whip", 5};
	} else {
		h->status = status;
		h->reason = status == 101 ? (struct rtclab_str){"Switching Protocols", 19}
					  : (struct rtclab_str){"Created", 7};
	}
	if (websocket) {
		h->accept_checked = !request;
		h->accept_ok = !request;
	}
}

static void op_signal(struct script *s, uint8_t flags, uint8_t src, uint8_t dst, const char *p, size_t n,
		      bool http_body)
{
	struct rtclab_signal *sig;
	int dir = flags & 1;
	struct rtclab_ws_http h;
	struct rtclab_ws_event w;
	memset(&w, 0, sizeof w);
	w.dir = dir;
	w.first_frame = w.last_frame = s->frame + 1;
	if (http_body) {
		enum rtclab_signal_kind k = (flags & 2) ? RTCLAB_SIGNAL_OTHER
					    : dir       ? RTCLAB_SIGNAL_ANSWER
							: RTCLAB_SIGNAL_OFFER;
		sig = rtclab_signal_parse_sdp_body(p, n, k);
		http_message(&h, dir == 0, false, 201);
		h.content_type = (struct rtclab_str){CT_SDP, sizeof CT_SDP - 1};
		h.has_body = true;
		h.body = (struct rtclab_bytes){(const uint8_t *)p, n};
		w.kind = RTCLAB_WS_EV_HTTP;
		w.http = &h;
	} else {
		sig = rtclab_signal_parse(p, n);
		w.kind = RTCLAB_WS_EV_MESSAGE;
		w.opcode = RTCLAB_WS_OP_TEXT;
		w.payload = (struct rtclab_bytes){(const uint8_t *)p, n};
		w.n_frames = 1;
	}
	if (!sig)
		return;
	if (sig->n_items < 1 || sig->n_items > RTCLAB_SIGNAL_MAX_ITEMS || sig->n_items > sig->n_items_total)
		abort();
	struct rtclab_event e;
	stream_event(s, &e, RTCLAB_EVENT_SIGNAL, src, dst, dir);
	e.signal = sig;
	e.via = http_body ? "HTTP" : "WebSocket";
	e.payload_len = n;
	e.ws = &w;
	e.http = w.http;
	rtclab_timeline_event(s->tl, &e);
	rtclab_signal_free(sig);
}

static void op_http(struct script *s, uint8_t flags, uint8_t src, uint8_t dst)
{
	bool request = flags & 1, websocket = !(flags & 2);
	struct rtclab_ws_http h;
	http_message(&h, request, websocket, websocket ? 101 : 200);
	if (websocket) {
		h.key = (struct rtclab_str){"dGhlIHNhbXBsZSBub25jZQ==", 24};
		if (!request)
			h.accept = (struct rtclab_str){"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28};
	}
	struct rtclab_ws_event w;
	memset(&w, 0, sizeof w);
	w.kind = RTCLAB_WS_EV_HTTP;
	w.dir = request ? 0 : 1;
	w.first_frame = w.last_frame = s->frame + 1;
	w.http = &h;
	struct rtclab_event e;
	stream_event(s, &e, RTCLAB_EVENT_HTTP, src, dst, w.dir);
	e.ws = &w;
	e.http = &h;
	rtclab_timeline_event(s->tl, &e);
}

static void op_stream(struct script *s, uint8_t flags, uint8_t src, uint8_t dst, const uint8_t *p, size_t n)
{
	static const enum rtclab_stream_note notes[4] = {RTCLAB_NOTE_UNDECODED, RTCLAB_NOTE_GAP, RTCLAB_NOTE_MISMATCH,
							 RTCLAB_NOTE_WS_PROBLEM};
	struct rtclab_ws_event w;
	memset(&w, 0, sizeof w);
	struct rtclab_event e;
	int dir = flags & 1;
	stream_event(s, &e, RTCLAB_EVENT_STREAM, src, dst, dir);
	e.stream_kind = (flags & 8) ? RTCLAB_STREAM_OTHER : RTCLAB_STREAM_TLS;
	e.note = notes[(flags >> 1) & 3];
	e.length = n;
	e.offset = n ? p[0] : 0;
	if (e.note == RTCLAB_NOTE_WS_PROBLEM) {
		w.kind = RTCLAB_WS_EV_PROBLEM;
		w.dir = dir;
		w.problem = RTCLAB_WS_P_UTF8;
		e.ws = &w;
	}
	size_t k = n < sizeof e.text - 1 ? n : sizeof e.text - 1;
	memcpy(e.text, p, k);
	e.text[k] = '\0';
	rtclab_timeline_event(s->tl, &e);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void op_tcp(struct script *s, uint8_t flags, uint8_t src, uint8_t dst, const uint8_t *p, size_t n)
{
	struct rtclab_packet pkt;
	memset(&pkt, 0, sizeof pkt);
	unsigned si = src & 7, di = dst & 7;
	if (!s->seq_init[si][di]) {
		s->seq_init[si][di] = true;
		s->seq[si][di] = 1000u * (si * 8 + di + 1);
	}
	if (flags & 8) {
		if (n < 9)
			return;
		pkt.tcp_flags = p[0];
		pkt.seq = be32(p + 1);
		pkt.ack = be32(p + 5);
		p += 9;
		n -= 9;
	} else {
		pkt.tcp_flags = (uint8_t)(RTCLAB_TCP_ACK | (n ? RTCLAB_TCP_PSH : 0));
		if (flags & 1)
			pkt.tcp_flags = RTCLAB_TCP_SYN;
		if (flags & 2)
			pkt.tcp_flags |= RTCLAB_TCP_FIN;
		if (flags & 4)
			pkt.tcp_flags |= RTCLAB_TCP_RST;
		pkt.seq = s->seq[si][di];
		pkt.ack = s->seq_init[di][si] ? s->seq[di][si] : 0;
	}
	s->seq[si][di] = pkt.seq + (uint32_t)n + ((pkt.tcp_flags & (RTCLAB_TCP_SYN | RTCLAB_TCP_FIN)) ? 1 : 0);
	pkt.frame = ++s->frame;
	pkt.ts_ns = s->now;
	pkt.linktype = RTCLAB_LINK_RAW;
	pkt.data = (struct rtclab_bytes){p, n};
	pkt.wire_len = (uint32_t)n;
	pkt.src = addr_of(src);
	pkt.dst = addr_of(dst);
	pkt.ip_version = pkt.src.family == RTCLAB_FAMILY_IPV6 ? 6 : 4;
	pkt.ethertype = pkt.ip_version == 6 ? 0x86DD : 0x0800;
	pkt.ip_proto = 6;
	pkt.ttl = 64;
	pkt.l4 = RTCLAB_L4_TCP;
	pkt.payload = (struct rtclab_bytes){p, n};
	rtclab_events_feed(s->ev, &pkt);
}

/* --- the model against its own bounds ---------------------------------------------- */

static void check_str(const char *s, size_t size)
{
	if (strnlen(s, size) >= size)
		abort();
}

static void check_node(const struct rtclab_tl_session *s, int node)
{
	if (node < -1 || (node >= 0 && (size_t)node >= s->n_nodes))
		abort();
}

static void check_model(const struct rtclab_timeline *tl)
{
	for (size_t i = 0; i < tl->n_sessions; i++) {
		const struct rtclab_tl_session *s = tl->sessions[i];
		if (!s)
			abort();
		check_str(s->id, sizeof s->id);
		check_str(s->outcome, sizeof s->outcome);
		if (s->n_generations > 8 || s->n_peers > 2 || s->n_nodes > 16 || s->n_missing > RTCLAB_TL_MAX_MISSING)
			abort();
		if (s->n_candidates > s->cap_candidates || s->n_pairs > s->cap_pairs || s->n_steps > s->cap_steps ||
		    s->n_steps > RTCLAB_TL_MAX_STEPS)
			abort();
		for (size_t k = 0; k < s->n_missing; k++)
			check_str(s->missing[k], sizeof s->missing[k]);
		for (size_t k = 0; k < s->n_nodes; k++) {
			check_str(s->nodes[k].name, sizeof s->nodes[k].name);
			if (s->nodes[k].kind == RTCLAB_TL_NODE_PEER &&
			    (s->nodes[k].peer < 0 || (size_t)s->nodes[k].peer >= s->n_peers))
				abort();
		}
		for (size_t k = 0; k < s->n_peers; k++) {
			const struct rtclab_tl_peer *p = &s->peers[k];
			check_str(p->name, sizeof p->name);
			check_str(p->ufrag, sizeof p->ufrag);
			check_str(p->pwd, sizeof p->pwd);
			check_str(p->setup, sizeof p->setup);
			check_str(p->desc_file, sizeof p->desc_file);
			if (p->n_endpoints > RTCLAB_TL_MAX_ENDPOINTS)
				abort();
			check_node(s, p->node);
		}
		for (size_t k = 0; k < s->n_candidates; k++) {
			const struct rtclab_tl_candidate *c = &s->candidates[k];
			if (c->peer < -1 || (c->peer >= 0 && (size_t)c->peer >= s->n_peers))
				abort();
			check_str(c->name, sizeof c->name);
			check_str(c->foundation, sizeof c->foundation);
		}
		for (size_t k = 0; k < s->n_pairs; k++) {
			const struct rtclab_tl_pair *p = &s->pairs[k];
			if (p->n_kept > RTCLAB_TL_PAIR_CHECKS || p->n_kept > p->n_checks || p->n_checks > p->n_requests)
				abort();
			if (p->peer < 0 || (size_t)p->peer >= s->n_peers)
				abort();
			if (p->local_cand < -1 || (p->local_cand >= 0 && (size_t)p->local_cand >= s->n_candidates) ||
			    p->remote_cand < -1 || (p->remote_cand >= 0 && (size_t)p->remote_cand >= s->n_candidates))
				abort();
		}
		if (s->selected.has && (s->selected.pair < 0 || (size_t)s->selected.pair >= s->n_pairs))
			abort();
		for (size_t k = 0; k < s->n_steps; k++) {
			const struct rtclab_tl_step *st = &s->steps[k];
			check_node(s, st->from);
			check_node(s, st->to);
			if (st->pair < -1 || (st->pair >= 0 && (size_t)st->pair >= s->n_pairs))
				abort();
			check_str(st->what, sizeof st->what);
			check_str(st->why, sizeof st->why);
		}
		check_str(s->dtls.setup_note, sizeof s->dtls.setup_note);
	}
}

/* --- the script --------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct rtclab_timeline_options to = {.no_integrity = data[0] & 1};
	struct rtclab_events_options eo = {.no_tcp = (data[0] >> 1) & 1, .tcp_limits = NULL};
	struct script *s = calloc(1, sizeof *s);
	if (!s)
		return 0;
	s->tl = rtclab_timeline_new(&to);
	s->ev = s->tl ? rtclab_events_new(rtclab_timeline_event, s->tl, &eo) : NULL;
	if (!s->ev) {
		rtclab_timeline_free(s->tl);
		free(s);
		return 0;
	}
	s->now = BASE_NS;
	size_t i = 1;
	for (unsigned r = 0; r < MAX_RECORDS && i + 7 <= size; r++) {
		const uint8_t *h = data + i;
		uint8_t op = h[0] & 7, flags = h[0] >> 4, src = h[1], dst = h[2];
		unsigned dt = (unsigned)h[3] << 8 | h[4];
		size_t n = (size_t)h[5] << 8 | h[6];
		i += 7;
		if (n > size - i)
			n = size - i;
		/* the payload in its own allocation: a read past it is an ASan report */
		uint8_t *p = malloc(n ? n : 1);
		if (!p)
			break;
		memcpy(p, data + i, n);
		i += n;
		int64_t amount = dt & 0x3fff;
		switch (dt >> 14) {
		case 0: s->now += amount * 1000; break;
		case 1: s->now += amount * 1000000; break;
		case 2: s->now += amount * 1000000000; break;
		default: s->now -= amount * 1000000; break;
		}
		char err[256];
		switch (op) {
		case 0: {
			s->started = true;
			struct rtclab_addr a = addr_of(src), b = addr_of(dst);
			rtclab_events_datagram(s->ev, s->now, &a, &b, p, n);
			break;
		}
		case 1:
			s->started = true;
			op_signal(s, flags, src, dst, (const char *)p, n, false);
			break;
		case 2:
			s->started = true;
			op_http(s, flags, src, dst);
			break;
		case 3:
			s->started = true;
			op_stream(s, flags, src, dst, p, n);
			break;
		case 4:
			if (!s->started) {
				static const enum rtclab_signal_kind kinds[4] = {RTCLAB_SIGNAL_OTHER, RTCLAB_SIGNAL_OFFER,
										 RTCLAB_SIGNAL_ANSWER, RTCLAB_SIGNAL_OTHER};
				err[0] = '\0';
				bool ok = rtclab_timeline_add_sdp(
					s->tl, (const char *)p, n, kinds[flags & 3],
					(flags & 4) ? RTCLAB_TL_DESC_WEBRTC_INTERNALS : RTCLAB_TL_DESC_FILE, "fuzz.sdp", err,
					sizeof err);
				if (!ok && !err[0])
					abort(); /* false comes with a sentence */
			}
			break;
		case 5:
			if (!s->started) {
				json_t *j = json_loadb((const char *)p, n, 0, NULL);
				if (j) {
					err[0] = '\0';
					int k = rtclab_timeline_add_webrtc_internals(s->tl, j, "fuzz.json", err, sizeof err);
					if (k < 0 && !err[0])
						abort();
					json_decref(j);
				}
			}
			break;
		case 6:
			s->started = true;
			op_tcp(s, flags, src, dst, p, n);
			break;
		case 7:
			s->started = true;
			op_signal(s, flags, src, dst, (const char *)p, n, true);
			break;
		}
		free(p);
	}
	rtclab_events_finish(s->ev);
	rtclab_events_free(s->ev);
	rtclab_timeline_finish(s->tl);
	check_model(s->tl);
	json_t *j = rtclab_timeline_json(s->tl);
	if (!j)
		abort();
	char *text = json_dumps(j, JSON_COMPACT);
	if (!text)
		abort();
	free(text);
	json_decref(j);
	rtclab_timeline_free(s->tl);
	free(s);
	return 0;
}
