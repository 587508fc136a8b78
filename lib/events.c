/* The event stream of events.h: UDP datagrams demultiplexed (RFC 7983,
 * TURN tunnels, channel bindings learnt), TCP connections reassembled and
 * read by their first bytes: HTTP and WebSocket with the signaling they
 * carry, STUN and ChannelData back to back (RFC 8489 6.2.2, RFC 8656 12.5),
 * RFC 4571 frames (ICE-TCP, RFC 6544 3), and a note for TLS and the rest. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/events.h"
#include "rtclab/stun.h"

/* A message cut from a STUN or RFC 4571 stream may be at most this long:
 * past it the direction is not STUN, and the stream is given up. */
#define STREAM_MESSAGE_MAX (1u << 20)

struct rtclab_events {
	rtclab_events_fn fn;
	void *arg;
	struct rtclab_tcp *tcp;             /* NULL with no_tcp */
	struct rtclab_channel_bindings bindings;
	struct rtclab_demux demux;
	struct rtclab_event udp;            /* the DATAGRAM event of UDP, set up once: per datagram
					       only its frame, time and endpoints change */
	struct rtclab_events_stats stats;
	/* the frame being fed (NULL outside rtclab_events_feed), and the last one fed */
	const struct rtclab_packet *current;
	uint64_t last_frame;
	int64_t last_ts_ns;
	bool closing;                       /* rtclab_events_free: close connections without events */
};

/* One TCP connection. */
struct conn {
	struct rtclab_events *e;
	enum rtclab_stream_kind kind;
	uint64_t id;
	struct rtclab_addr client, server;
	struct rtclab_ws *ws;
	uint8_t *buf[2];      /* STUN and RFC 4571 framing: an incomplete message per direction */
	size_t len[2], cap[2];
	bool announced[2];    /* TLS/other: noted once per direction */
};

/* --- building events ------------------------------------------------------------ */

/* Every member but the addresses set, without clearing text[] whole. */
static void event_init(struct rtclab_event *ev, enum rtclab_event_kind kind)
{
	ev->kind = kind;
	ev->frame = 0;
	ev->ts_ns = 0;
	ev->l4 = RTCLAB_L4_UDP;
	ev->packet = NULL;
	ev->stream = false;
	ev->dir = 0;
	ev->stream_kind = RTCLAB_STREAM_UNKNOWN;
	ev->stream_id = 0;
	ev->demux = NULL;
	ev->signal = NULL;
	ev->via = NULL;
	ev->payload_len = 0;
	ev->ws = NULL;
	ev->http = NULL;
	ev->note = RTCLAB_NOTE_NONE;
	ev->length = 0;
	ev->offset = 0;
	ev->text[0] = '\0';
}

/* An event of connection c in direction dir: its frame is the segment that
 * completed it (frame, or the frame being fed when 0), its time that of the
 * frame being fed (the last frame fed at the end of the input). */
static void stream_event(struct rtclab_event *ev, enum rtclab_event_kind kind, const struct conn *c, int dir,
			 uint64_t frame)
{
	const struct rtclab_events *e = c->e;
	event_init(ev, kind);
	ev->frame = frame ? frame : e->current ? e->current->frame : e->last_frame;
	ev->ts_ns = e->current ? e->current->ts_ns : e->last_ts_ns;
	ev->l4 = RTCLAB_L4_TCP;
	ev->packet = e->current;
	ev->src = dir == RTCLAB_TCP_FROM_CLIENT ? c->client : c->server;
	ev->dst = dir == RTCLAB_TCP_FROM_CLIENT ? c->server : c->client;
	ev->stream = true;
	ev->client = c->client;
	ev->server = c->server;
	ev->dir = dir;
	ev->stream_kind = c->kind;
	ev->stream_id = c->id;
}

static void emit(struct rtclab_events *e, const struct rtclab_event *ev)
{
	if (!e->closing)
		e->fn(e->arg, ev);
}

/* A STREAM note; fmt NULL: no text. */
static void note(struct conn *c, int dir, uint64_t frame, enum rtclab_stream_note what, uint64_t length,
		 uint64_t offset, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void note(struct conn *c, int dir, uint64_t frame, enum rtclab_stream_note what, uint64_t length,
		 uint64_t offset, const char *fmt, ...)
{
	if (c->e->closing)
		return;
	struct rtclab_event ev;
	stream_event(&ev, RTCLAB_EVENT_STREAM, c, dir, frame);
	ev.note = what;
	ev.length = length;
	ev.offset = offset;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ev.text, sizeof ev.text, fmt, ap);
		va_end(ap);
	}
	emit(c->e, &ev);
}

/* --- WebSocket and HTTP --------------------------------------------------------------- */

/* A signaling message: one SIGNAL event, the message freed after it. */
static void signal_event(struct conn *c, const struct rtclab_ws_event *ws, struct rtclab_signal *sig, const char *via,
			 size_t len)
{
	if (!sig)
		return;
	struct rtclab_event ev;
	stream_event(&ev, RTCLAB_EVENT_SIGNAL, c, ws->dir, ws->last_frame);
	ev.signal = sig;
	ev.via = via;
	ev.payload_len = len;
	ev.ws = ws;
	ev.http = ws->http;
	emit(c->e, &ev);
	rtclab_signal_free(sig);
}

static void on_ws(void *arg, const struct rtclab_ws_event *ws)
{
	struct conn *c = arg;
	struct rtclab_events *e = c->e;
	if (e->closing)
		return;
	struct rtclab_event ev;
	switch (ws->kind) {
	case RTCLAB_WS_EV_HTTP: {
		const struct rtclab_ws_http *h = ws->http;
		e->stats.http_messages++;
		stream_event(&ev, RTCLAB_EVENT_HTTP, c, ws->dir, ws->last_frame);
		ev.ws = ws;
		ev.http = h;
		emit(e, &ev);
		/* WHIP/WHEP (RFC 9725): the offer and answer are application/sdp bodies. */
		if (h->has_body && h->body.len && rtclab_str_eq(h->content_type, "application/sdp")) {
			enum rtclab_signal_kind k = rtclab_signal_http_kind(h->is_request, h->method, h->status);
			signal_event(c, ws, rtclab_signal_parse_sdp_body((const char *)h->body.ptr, h->body.len, k), "HTTP",
				     h->body.len);
		}
		break;
	}
	case RTCLAB_WS_EV_MESSAGE:
	case RTCLAB_WS_EV_CONTROL:
		if (ws->kind == RTCLAB_WS_EV_MESSAGE)
			e->stats.ws_messages++;
		if (ws->kind == RTCLAB_WS_EV_MESSAGE && ws->opcode == RTCLAB_WS_OP_TEXT) {
			signal_event(c, ws, rtclab_signal_parse((const char *)ws->payload.ptr, ws->payload.len), "WebSocket",
				     ws->payload.len);
			break;
		}
		/* a binary message, or a close, ping or pong */
		stream_event(&ev, RTCLAB_EVENT_WEBSOCKET, c, ws->dir, ws->last_frame);
		ev.ws = ws;
		ev.payload_len = ws->payload.len;
		emit(e, &ev);
		break;
	case RTCLAB_WS_EV_PROBLEM:
		e->stats.ws_problems++;
		stream_event(&ev, RTCLAB_EVENT_STREAM, c, ws->dir, ws->last_frame);
		ev.ws = ws;
		ev.note = RTCLAB_NOTE_WS_PROBLEM;
		ev.offset = ws->offset;
		snprintf(ev.text, sizeof ev.text, "WebSocket/HTTP problem at stream offset %llu: %s",
			 (unsigned long long)ws->offset, rtclab_ws_problem_str(ws->problem));
		emit(e, &ev);
		break;
	}
}

/* --- STUN and RFC 4571 framing --------------------------------------------------------- */

/* The message just demultiplexed into e->demux, as one DATAGRAM event. */
static void stream_datagram(struct conn *c, int dir, uint64_t frame)
{
	struct rtclab_event ev;
	stream_event(&ev, RTCLAB_EVENT_DATAGRAM, c, dir, frame);
	ev.demux = &c->e->demux;
	emit(c->e, &ev);
}

/* The stream fell out of step with its framing: say so once and stop. */
static void out_of_step(struct conn *c, int dir, uint64_t frame, const char *what)
{
	note(c, dir, frame, RTCLAB_NOTE_OUT_OF_STEP, 0, 0, "%s", what);
	c->kind = RTCLAB_STREAM_OTHER;
	c->len[dir] = 0;
}

/* Append a segment's bytes to the direction's buffer; false (and the stream
 * given up) when a message would need more than 1 MiB. */
static bool stream_append(struct conn *c, int dir, const uint8_t *data, size_t len)
{
	if (c->len[dir] + len > c->cap[dir]) {
		size_t cap = c->len[dir] + len;
		uint8_t *b = cap <= STREAM_MESSAGE_MAX ? realloc(c->buf[dir], cap) : NULL;
		if (!b) { /* a "message" over 1 MiB is not STUN: stop following this direction */
			c->kind = RTCLAB_STREAM_OTHER;
			return false;
		}
		c->buf[dir] = b;
		c->cap[dir] = cap;
	}
	memcpy(c->buf[dir] + c->len[dir], data, len);
	c->len[dir] += len;
	return true;
}

static void stream_consumed(struct conn *c, int dir, size_t pos)
{
	memmove(c->buf[dir], c->buf[dir] + pos, c->len[dir] - pos);
	c->len[dir] -= pos;
}

/* STUN and ChannelData over TCP (RFC 8489 6.2.2, RFC 8656 12.5: TURN over
 * TCP): messages back to back in the byte stream, each framed by its own
 * length, a partial one kept until the rest arrives.  Send and Data
 * indications and ChannelData are opened as over UDP. */
static void stun_stream(struct conn *c, int dir, const uint8_t *data, size_t len, uint64_t frame)
{
	if (!stream_append(c, dir, data, len))
		return;
	struct rtclab_events *e = c->e;
	const struct rtclab_addr *src = dir == RTCLAB_TCP_FROM_CLIENT ? &c->client : &c->server;
	const struct rtclab_addr *dst = dir == RTCLAB_TCP_FROM_CLIENT ? &c->server : &c->client;
	size_t pos = 0;
	while (c->len[dir] - pos >= 4) {
		const uint8_t *m = c->buf[dir] + pos;
		size_t left = c->len[dir] - pos, size;
		if ((m[0] & 0xC0) == 0)
			size = RTCLAB_STUN_HEADER_SIZE + ((size_t)m[2] << 8 | m[3]);
		else if ((m[0] & 0xC0) == 0x40)
			size = 4 + (((size_t)m[2] << 8 | m[3]) + 3) / 4 * 4;
		else {
			char what[96];
			snprintf(what, sizeof what, "byte 0x%02x does not start a STUN or ChannelData message", m[0]);
			out_of_step(c, dir, frame, what);
			return;
		}
		if (left < size)
			break;
		struct rtclab_demux_ctx ctx = {src, dst, &e->bindings};
		rtclab_demux_stream_message(&e->demux, m, size, &ctx);
		stream_datagram(c, dir, frame);
		pos += size;
	}
	stream_consumed(c, dir, pos);
}

/* ICE-TCP (RFC 6544 3): every STUN, DTLS, RTP and RTCP packet is framed by a
 * 16-bit length (RFC 4571 2); each frame is demultiplexed as a datagram. */
static void rfc4571_stream(struct conn *c, int dir, const uint8_t *data, size_t len, uint64_t frame)
{
	if (!stream_append(c, dir, data, len))
		return;
	struct rtclab_events *e = c->e;
	const struct rtclab_addr *src = dir == RTCLAB_TCP_FROM_CLIENT ? &c->client : &c->server;
	const struct rtclab_addr *dst = dir == RTCLAB_TCP_FROM_CLIENT ? &c->server : &c->client;
	size_t pos = 0;
	while (c->len[dir] - pos >= 2) {
		const uint8_t *m = c->buf[dir] + pos;
		size_t size = (size_t)m[0] << 8 | m[1];
		if (size == 0) {
			out_of_step(c, dir, frame, "an RFC 4571 frame of length 0");
			return;
		}
		if (c->len[dir] - pos < 2 + size)
			break;
		struct rtclab_demux_ctx ctx = {src, dst, &e->bindings};
		rtclab_demux_udp(&e->demux, m + 2, size, &ctx);
		char why[sizeof e->demux.outer.why];
		memcpy(why, e->demux.outer.why, sizeof why);
		snprintf(e->demux.outer.why, sizeof e->demux.outer.why, "ICE-TCP frame (RFC 6544 3, RFC 4571 2); %.110s",
			 why);
		stream_datagram(c, dir, frame);
		pos += 2 + size;
	}
	stream_consumed(c, dir, pos);
}

/* --- TCP connections ----------------------------------------------------------------- */

static bool looks_like_http(const uint8_t *b, size_t n)
{
	static const char *const starts[] = {"GET ", "POST ", "PUT ", "PATCH ", "DELETE ", "OPTIONS ", "HEAD ", "HTTP/"};
	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
		size_t k = strlen(starts[i]);
		if (n >= k && memcmp(b, starts[i], k) == 0)
			return true;
	}
	return false;
}

/* What a connection carries, from the first bytes of its first data. */
static enum rtclab_stream_kind classify_stream(const uint8_t *b, size_t n)
{
	if (looks_like_http(b, n))
		return RTCLAB_STREAM_HTTP;
	if (n >= 3 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 0x03)
		return RTCLAB_STREAM_TLS; /* TLS record: TURN over TLS, or wss:// signaling */
	/* ICE-TCP: a 16-bit length, then a STUN message of exactly that length */
	if (n >= 22 && ((size_t)b[0] << 8 | b[1]) == RTCLAB_STUN_HEADER_SIZE + ((size_t)b[4] << 8 | b[5]) &&
	    rtclab_stun_is_stun(b + 2, n - 2, true))
		return RTCLAB_STREAM_RFC4571;
	if (n >= 20 && rtclab_stun_is_stun(b, n, true))
		return RTCLAB_STREAM_STUN;
	if (n >= 4 && (b[0] & 0xC0) == 0x40)
		return RTCLAB_STREAM_STUN;
	/* Frames without the HTTP handshake (the capture started late) */
	if (n >= 2 && (b[0] & 0x70) == 0 && ((b[0] & 0x0F) == 1 || (b[0] & 0x0F) == 2 || (b[0] & 0x0F) >= 8))
		return RTCLAB_STREAM_HTTP;
	return RTCLAB_STREAM_OTHER;
}

/* TLS and other streams: one note per direction, at its first data. */
static void announce_stream(struct conn *c, int dir, uint64_t frame)
{
	if (c->announced[dir])
		return;
	c->announced[dir] = true;
	if (c->kind == RTCLAB_STREAM_TLS)
		c->e->stats.tls_streams++;
	note(c, dir, frame, RTCLAB_NOTE_UNDECODED, 0, 0, "%s",
	     c->kind == RTCLAB_STREAM_TLS ? "TLS (not decrypted: TURN over TLS, or wss:// signaling)"
					  : "data rtclab does not decode");
}

static void free_conn(struct conn *c)
{
	if (!c)
		return;
	rtclab_ws_free(c->ws);
	free(c->buf[0]);
	free(c->buf[1]);
	free(c);
}

static void on_tcp(void *arg, const struct rtclab_tcp_event *ev)
{
	struct rtclab_events *e = arg;
	struct conn *c = *ev->user;
	if (e->closing) {
		if (ev->kind == RTCLAB_TCP_EV_CLOSE) {
			free_conn(c);
			*ev->user = NULL;
		}
		return;
	}
	switch (ev->kind) {
	case RTCLAB_TCP_EV_OPEN:
		c = calloc(1, sizeof *c);
		if (!c)
			return;
		c->e = e;
		c->id = ev->conn;
		c->client = *ev->client;
		c->server = *ev->server;
		*ev->user = c;
		e->stats.tcp_connections++;
		return;
	case RTCLAB_TCP_EV_DATA:
		if (!c)
			return;
		if (c->kind == RTCLAB_STREAM_UNKNOWN) {
			c->kind = classify_stream(ev->data.ptr, ev->data.len);
			if (c->kind == RTCLAB_STREAM_HTTP && !(c->ws = rtclab_ws_new(on_ws, c)))
				c->kind = RTCLAB_STREAM_OTHER;
		}
		if (c->kind == RTCLAB_STREAM_HTTP)
			rtclab_ws_feed(c->ws, ev->dir, ev->data.ptr, ev->data.len, ev->frame);
		else if (c->kind == RTCLAB_STREAM_STUN)
			stun_stream(c, ev->dir, ev->data.ptr, ev->data.len, ev->frame);
		else if (c->kind == RTCLAB_STREAM_RFC4571)
			rfc4571_stream(c, ev->dir, ev->data.ptr, ev->data.len, ev->frame);
		else
			announce_stream(c, ev->dir, ev->frame);
		return;
	case RTCLAB_TCP_EV_GAP:
		e->stats.tcp_gaps++;
		if (!c)
			return;
		if (c->ws)
			rtclab_ws_gap(c->ws, ev->dir, ev->length, ev->frame);
		if (c->kind == RTCLAB_STREAM_STUN || c->kind == RTCLAB_STREAM_RFC4571)
			c->len[ev->dir] = 0;
		note(c, ev->dir, ev->frame, RTCLAB_NOTE_GAP, ev->length, ev->offset,
		     "%llu bytes missing from the capture at stream offset %llu", (unsigned long long)ev->length,
		     (unsigned long long)ev->offset);
		return;
	case RTCLAB_TCP_EV_MISMATCH:
		e->stats.tcp_mismatches++;
		if (c)
			note(c, ev->dir, ev->frame, RTCLAB_NOTE_MISMATCH, ev->length, ev->offset,
			     "a retransmission that disagrees with the first copy (%llu bytes at offset %llu); "
			     "the first copy is kept",
			     (unsigned long long)ev->length, (unsigned long long)ev->offset);
		return;
	case RTCLAB_TCP_EV_CLOSE:
		if (c && c->ws)
			rtclab_ws_end(c->ws, ev->frame);
		free_conn(c);
		*ev->user = NULL;
		return;
	}
}

/* --- the API ---------------------------------------------------------------------------- */

struct rtclab_events *rtclab_events_new(rtclab_events_fn fn, void *arg, const struct rtclab_events_options *opts)
{
	struct rtclab_events *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->fn = fn;
	e->arg = arg;
	rtclab_channel_bindings_init(&e->bindings);
	event_init(&e->udp, RTCLAB_EVENT_DATAGRAM); /* client and server stay zero (calloc) */
	e->udp.demux = &e->demux;
	if (!(opts && opts->no_tcp) && !(e->tcp = rtclab_tcp_new(opts ? opts->tcp_limits : NULL, on_tcp, e))) {
		free(e);
		return NULL;
	}
	return e;
}

void rtclab_events_free(struct rtclab_events *e)
{
	if (!e)
		return;
	if (e->tcp) { /* the connections still open are released without events */
		e->closing = true;
		e->current = NULL;
		rtclab_tcp_finish(e->tcp, e->last_frame);
		rtclab_tcp_free(e->tcp);
	}
	free(e);
}

static void datagram(struct rtclab_events *e, const struct rtclab_packet *p, uint64_t frame, int64_t ts_ns,
		     const struct rtclab_addr *src, const struct rtclab_addr *dst, const void *payload, size_t len)
{
	struct rtclab_demux_ctx ctx = {src, dst, &e->bindings};
	rtclab_demux_udp(&e->demux, payload, len, &ctx);
	struct rtclab_event *ev = &e->udp;
	ev->frame = frame;
	ev->ts_ns = ts_ns;
	ev->packet = p;
	ev->src = *src;
	ev->dst = *dst;
	e->fn(e->arg, ev);
}

void rtclab_events_feed(struct rtclab_events *e, const struct rtclab_packet *p)
{
	e->last_frame = p->frame;
	e->last_ts_ns = p->ts_ns;
	if (p->fragment) /* held back for reassembly: the datagram comes with its last fragment */
		return;
	if (p->l4 == RTCLAB_L4_UDP) {
		datagram(e, p, p->frame, p->ts_ns, &p->src, &p->dst, p->payload.ptr, p->payload.len);
	} else if (p->l4 == RTCLAB_L4_TCP && e->tcp) {
		e->current = p;
		rtclab_tcp_feed(e->tcp, p);
		e->current = NULL;
	}
}

void rtclab_events_datagram(struct rtclab_events *e, int64_t ts_ns, const struct rtclab_addr *src,
			    const struct rtclab_addr *dst, const void *payload, size_t len)
{
	datagram(e, NULL, 0, ts_ns, src, dst, payload, len);
}

void rtclab_events_finish(struct rtclab_events *e)
{
	if (!e->tcp)
		return;
	e->current = NULL;
	rtclab_tcp_finish(e->tcp, e->last_frame);
}

const struct rtclab_channel_bindings *rtclab_events_bindings(const struct rtclab_events *e)
{
	return &e->bindings;
}

void rtclab_events_get_stats(const struct rtclab_events *e, struct rtclab_events_stats *out)
{
	*out = e->stats;
}

const char *rtclab_event_kind_name(enum rtclab_event_kind k)
{
	switch (k) {
	case RTCLAB_EVENT_DATAGRAM: return "datagram";
	case RTCLAB_EVENT_SIGNAL: return "signal";
	case RTCLAB_EVENT_HTTP: return "http";
	case RTCLAB_EVENT_WEBSOCKET: return "websocket";
	case RTCLAB_EVENT_STREAM: return "stream";
	}
	return "unknown";
}

const char *rtclab_stream_kind_name(enum rtclab_stream_kind k)
{
	switch (k) {
	case RTCLAB_STREAM_UNKNOWN: return "unknown";
	case RTCLAB_STREAM_HTTP: return "http";
	case RTCLAB_STREAM_STUN: return "stun";
	case RTCLAB_STREAM_RFC4571: return "ice-tcp";
	case RTCLAB_STREAM_TLS: return "tls";
	case RTCLAB_STREAM_OTHER: return "other";
	}
	return "unknown";
}
