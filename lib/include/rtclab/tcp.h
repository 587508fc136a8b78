/* rtclab/tcp.h - TCP stream reassembly (RFC 9293) for the stream decoders:
 * the bytes each side of a connection sent, in order, once each.
 *
 * Feed every TCP segment of a capture, in capture order, to
 * rtclab_tcp_feed().  The reassembler keeps one connection per 4-tuple
 * (both directions) and calls back with events:
 *
 *   OPEN      the first segment of a connection (handshake true when it
 *             was a SYN; false when the capture started mid-connection and
 *             the stream is picked up at its first segment);
 *   DATA      the next bytes of one direction, in order, each byte once;
 *   GAP       bytes of one direction that never arrived: the stream goes on
 *             after them;
 *   MISMATCH  a retransmission or an overlapping segment that carries
 *             different bytes from those already delivered or buffered
 *             (the first copy wins, as most TCP stacks do);
 *   CLOSE     the connection ended (FIN both ways, RST, eviction, or the
 *             end of the capture).
 *
 * Every event carries the frame number of the segment that caused it (for
 * DATA out of order: the segment that filled the hole).  Stream offsets
 * count the bytes of one direction from 0 (the first byte after the SYN,
 * or the first byte seen).  Sequence numbers wrap around 2^32 (RFC 9293
 * 3.4); offsets are 64-bit and do not.
 *
 * Memory is bounded (struct rtclab_tcp_limits):
 * - per direction, at most stream_buffer bytes of out-of-order data are
 *   held; when more arrive, the hole in front of them is reported as a GAP
 *   and the buffered bytes are delivered;
 * - per direction, the last `history` delivered bytes are kept to compare
 *   retransmissions with (older retransmissions are dropped unchecked);
 * - overall, at most total_bytes of buffers and histories: past it, the
 *   direction with the most buffered data is flushed (GAP, then DATA), and
 *   when nothing is buffered the least recently used connection is closed
 *   (CLOSE with RTCLAB_TCP_CLOSE_EVICTED);
 * - at most max_connections connections (closed ones are remembered, so
 *   that late ACKs do not open a new connection, until their slot is
 *   needed).
 *
 * No I/O, no global state: the caller owns the struct rtclab_tcp.
 */
#ifndef RTCLAB_TCP_H
#define RTCLAB_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/bytes.h"
#include "rtclab/packet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The defaults of struct rtclab_tcp_limits. */
#define RTCLAB_TCP_STREAM_BUFFER (1u << 20)     /* 1 MiB out of order per direction */
#define RTCLAB_TCP_HISTORY (16u << 10)          /* 16 KiB kept per direction for retransmissions */
#define RTCLAB_TCP_TOTAL_BYTES (64u << 20)      /* 64 MiB overall */
#define RTCLAB_TCP_MAX_CONNECTIONS 16384u

struct rtclab_tcp_limits {
	size_t stream_buffer;
	size_t history;
	size_t total_bytes;
	size_t max_connections;
};

/* The fields of a segment the reassembler reads; rtclab_tcp_feed() takes
 * them from a struct rtclab_packet. */
struct rtclab_tcp_segment {
	uint64_t frame;
	uint32_t interface;            /* the same 4-tuple on two interfaces is two connections */
	struct rtclab_addr src, dst;   /* with ports */
	uint32_t seq;
	uint8_t flags;                 /* RTCLAB_TCP_FIN, _SYN, _RST, _ACK (packet.h) */
	struct rtclab_bytes payload;
};

enum rtclab_tcp_event_kind {
	RTCLAB_TCP_EV_OPEN = 1,
	RTCLAB_TCP_EV_DATA,
	RTCLAB_TCP_EV_GAP,
	RTCLAB_TCP_EV_MISMATCH,
	RTCLAB_TCP_EV_CLOSE,
};

enum rtclab_tcp_close_reason {
	RTCLAB_TCP_CLOSE_FIN = 1,      /* both sides sent FIN and every byte before it arrived */
	RTCLAB_TCP_CLOSE_RST,          /* a reset */
	RTCLAB_TCP_CLOSE_EVICTED,      /* closed by rtclab to stay within its memory limits */
	RTCLAB_TCP_CLOSE_END,          /* still open at rtclab_tcp_finish() (the end of the capture) */
};

/* Directions: from the client (the side that sent the SYN, or without a
 * SYN the side that sent the first segment seen) and from the server. */
#define RTCLAB_TCP_FROM_CLIENT 0
#define RTCLAB_TCP_FROM_SERVER 1

struct rtclab_tcp_event {
	enum rtclab_tcp_event_kind kind;
	uint64_t frame;                /* the segment that caused it */
	uint64_t conn;                 /* 1-based connection number, in order of OPEN */
	int dir;                       /* RTCLAB_TCP_FROM_CLIENT or _FROM_SERVER (CLOSE, OPEN: 0) */
	const struct rtclab_addr *client, *server;
	uint64_t offset;               /* DATA, GAP, MISMATCH: stream offset of the first byte */
	struct rtclab_bytes data;      /* DATA: the bytes; valid only during the callback */
	uint64_t length;               /* GAP: bytes missing; MISMATCH: bytes compared */
	bool handshake;                /* OPEN: a SYN was seen */
	enum rtclab_tcp_close_reason reason; /* CLOSE */
	void **user;                   /* a slot per connection for the caller: set it on OPEN,
					  release what it points to on CLOSE */
};

typedef void (*rtclab_tcp_callback)(void *arg, const struct rtclab_tcp_event *ev);

struct rtclab_tcp;

/* limits NULL: the defaults above; a zero field also means its default.
 * NULL when out of memory. */
struct rtclab_tcp *rtclab_tcp_new(const struct rtclab_tcp_limits *limits, rtclab_tcp_callback cb, void *arg);
/* Frees without calling back; call rtclab_tcp_finish() first for the last events. */
void rtclab_tcp_free(struct rtclab_tcp *t);

/* One segment (pkt->l4 must be RTCLAB_L4_TCP; other packets are ignored). */
void rtclab_tcp_feed(struct rtclab_tcp *t, const struct rtclab_packet *pkt);
void rtclab_tcp_feed_segment(struct rtclab_tcp *t, const struct rtclab_tcp_segment *seg);

/* The end of the capture: every open connection reports its remaining
 * buffered data, its gaps, then CLOSE with RTCLAB_TCP_CLOSE_END. */
void rtclab_tcp_finish(struct rtclab_tcp *t, uint64_t frame);

/* Bytes held now (buffers and histories), for tests and statistics. */
size_t rtclab_tcp_memory(const struct rtclab_tcp *t);

const char *rtclab_tcp_event_name(enum rtclab_tcp_event_kind k);   /* "open", "data", ... */
const char *rtclab_tcp_close_reason_name(enum rtclab_tcp_close_reason r); /* "fin", "rst", ... */

#ifdef __cplusplus
}
#endif
#endif
