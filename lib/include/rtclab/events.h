/* rtclab/events.h - the one event stream of rtclab: timestamped datagrams
 * and stream messages between endpoints.
 *
 * A capture and a simulation are two sources of the same events; the
 * session reconstruction (timeline.h) and `rtclab dump` consume them and
 * never look at frames themselves.  From a capture, feed every decoded
 * frame (struct rtclab_packet) in capture order to rtclab_events_feed():
 *
 *   - a UDP datagram is demultiplexed (RFC 7983, TURN tunnels opened one
 *     level deep, channel bindings learnt) and becomes one DATAGRAM event;
 *   - TCP segments are reassembled (tcp.h) and each connection classified
 *     by its first bytes: HTTP and WebSocket (websocket.h) give HTTP,
 *     WEBSOCKET and SIGNAL events (the text messages parsed with
 *     rtclab_signal_parse(), application/sdp bodies with
 *     rtclab_signal_parse_sdp_body()); a stream of STUN and ChannelData
 *     (RFC 8489 6.2.2, RFC 8656 12.5) or of RFC 4571 frames (ICE-TCP, RFC
 *     6544) gives one DATAGRAM event per message; TLS and anything else
 *     gives one STREAM note per direction;
 *   - what goes wrong on a stream (a gap, a retransmission that disagrees,
 *     a stream out of step with its framing, a WebSocket/HTTP problem) is a
 *     STREAM note with a sentence.
 *
 * An event and everything it points to live only during the callback.
 * Memory is bounded by the live TCP connections (tcp.h limits) and one
 * partial message per direction; nothing grows with the capture.
 */
#ifndef RTCLAB_EVENTS_H
#define RTCLAB_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/demux.h"
#include "rtclab/packet.h"
#include "rtclab/signal.h"
#include "rtclab/tcp.h"
#include "rtclab/websocket.h"

#ifdef __cplusplus
extern "C" {
#endif

enum rtclab_event_kind {
	RTCLAB_EVENT_DATAGRAM = 1, /* demux: a UDP payload, or one message cut from a TCP stream */
	RTCLAB_EVENT_SIGNAL,       /* signal: a WebSocket text message or an HTTP application/sdp body */
	RTCLAB_EVENT_HTTP,         /* http: a request or a response (its body, if SDP, follows as SIGNAL) */
	RTCLAB_EVENT_WEBSOCKET,    /* ws: a binary message or a control frame (close, ping, pong) */
	RTCLAB_EVENT_STREAM,       /* note: a TCP stream rtclab cannot decode, or a problem on one */
};

/* What a TCP connection carries, decided by its first bytes. */
enum rtclab_stream_kind {
	RTCLAB_STREAM_UNKNOWN = 0, /* no payload yet */
	RTCLAB_STREAM_HTTP,        /* HTTP, WebSocket after an upgrade (or frames without the handshake) */
	RTCLAB_STREAM_STUN,        /* STUN and ChannelData back to back (TURN over TCP) */
	RTCLAB_STREAM_RFC4571,     /* 16-bit length framing: ICE-TCP */
	RTCLAB_STREAM_TLS,         /* TLS records: wss:// signaling, TURN over TLS, HTTPS */
	RTCLAB_STREAM_OTHER,       /* none of these, or a stream that fell out of step */
};

/* STREAM notes. */
enum rtclab_stream_note {
	RTCLAB_NOTE_NONE = 0,
	RTCLAB_NOTE_UNDECODED,     /* the first data of a TLS or unknown stream in this direction (once) */
	RTCLAB_NOTE_GAP,           /* bytes missing from the capture (length, offset) */
	RTCLAB_NOTE_MISMATCH,      /* a retransmission that disagrees with the first copy (length, offset) */
	RTCLAB_NOTE_OUT_OF_STEP,   /* a STUN/ICE-TCP stream whose framing broke; the direction is given up */
	RTCLAB_NOTE_WS_PROBLEM,    /* a WebSocket/HTTP problem (ws->problem, at ws->offset) */
};

struct rtclab_event {
	enum rtclab_event_kind kind;
	uint64_t frame;            /* the frame that completed it (1-based); 0 when not from a capture */
	int64_t ts_ns;             /* its time, nanoseconds since the Unix epoch */
	enum rtclab_l4 l4;         /* RTCLAB_L4_UDP or RTCLAB_L4_TCP */
	struct rtclab_addr src, dst; /* with ports: the direction of this message */
	/* the frame that completed the event, when it comes from a capture (NULL otherwise).
	 * TCP: the frame being fed (frame may name an earlier segment of the message);
	 * NULL for events of rtclab_events_finish(), whose frame and ts_ns are those of
	 * the last frame fed. */
	const struct rtclab_packet *packet;

	/* TCP: the connection and the direction of this event */
	bool stream;
	struct rtclab_addr client, server; /* the side that opened it (the first SYN, or the first seen) */
	int dir;                   /* 0 (RTCLAB_TCP_FROM_CLIENT) or 1 */
	enum rtclab_stream_kind stream_kind;
	uint64_t stream_id;        /* 1, 2, ... in the order connections were first seen */

	/* DATAGRAM */
	const struct rtclab_demux *demux;
	/* SIGNAL: the parsed message (items), and what carried it: "WebSocket" or "HTTP"
	 * (over HTTP, ws is the HTTP event and http its message; payload_len the body's size) */
	const struct rtclab_signal *signal;
	const char *via;
	size_t payload_len;        /* SIGNAL, WEBSOCKET: the message's size in bytes */
	/* HTTP, WEBSOCKET, SIGNAL, and NOTE_WS_PROBLEM: the WebSocket/HTTP event
	 * (WEBSOCKET: ws->kind tells a binary message from a control frame) */
	const struct rtclab_ws_event *ws;
	const struct rtclab_ws_http *http;
	/* STREAM */
	enum rtclab_stream_note note;
	uint64_t length, offset;   /* GAP, MISMATCH: bytes and stream offset */
	char text[160];            /* NOTE: the sentence ("TLS (not decrypted: ...)", "byte 0x.. does not ...") */
};

typedef void (*rtclab_events_fn)(void *arg, const struct rtclab_event *ev);

struct rtclab_events_options {
	bool no_tcp;               /* do not reassemble TCP: TCP frames give no events */
	const struct rtclab_tcp_limits *tcp_limits; /* NULL: the defaults */
};

struct rtclab_events;

/* NULL only when out of memory.  opts may be NULL. */
struct rtclab_events *rtclab_events_new(rtclab_events_fn fn, void *arg, const struct rtclab_events_options *opts);
/* Connections still open are released without events (call
 * rtclab_events_finish() first for them).  e may be NULL. */
void rtclab_events_free(struct rtclab_events *e);

/* One decoded frame, in capture order.  UDP and TCP give events through the
 * callback (zero or more, before this returns); other frames, and fragments
 * held back for reassembly (p->fragment), give none, but feed them too: the
 * last frame fed dates the events of rtclab_events_finish(). */
void rtclab_events_feed(struct rtclab_events *e, const struct rtclab_packet *p);

/* One UDP payload that did not come from a capture (a simulation): the
 * same DATAGRAM event, with packet NULL. */
void rtclab_events_datagram(struct rtclab_events *e, int64_t ts_ns, const struct rtclab_addr *src,
			    const struct rtclab_addr *dst, const void *payload, size_t len);

/* The end of the input: open connections are closed (a response read to its
 * end is delivered, unfinished messages reported), in connection order. */
void rtclab_events_finish(struct rtclab_events *e);

/* The channel bindings learnt so far (ChannelBind exchanges over UDP and TCP). */
const struct rtclab_channel_bindings *rtclab_events_bindings(const struct rtclab_events *e);
/* TCP statistics: connections seen, gaps, mismatches. */
struct rtclab_events_stats {
	uint64_t tcp_connections, tcp_gaps, tcp_mismatches, tls_streams;
	uint64_t http_messages, ws_messages, ws_problems;
};
void rtclab_events_get_stats(const struct rtclab_events *e, struct rtclab_events_stats *out);

/* "datagram", "signal", "http", "websocket", "stream". */
const char *rtclab_event_kind_name(enum rtclab_event_kind k);
/* "unknown", "http", "stun", "ice-tcp", "tls", "other". */
const char *rtclab_stream_kind_name(enum rtclab_stream_kind k);

#ifdef __cplusplus
}
#endif
#endif
