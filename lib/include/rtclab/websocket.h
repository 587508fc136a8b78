/* rtclab/websocket.h - the bytes of one TCP connection read as HTTP/1.1
 * and WebSocket (RFC 6455): the Upgrade handshake, frames, messages.
 *
 * One struct rtclab_ws per TCP connection.  Feed it the reassembled bytes
 * of each direction as they come (rtclab_tcp's DATA events), in chunks of
 * any size; it calls back with:
 *
 *   HTTP     a request or response with its headers and, once it is
 *            complete, its body (Content-Length, or a response read to the
 *            end of the connection).  WHIP/WHEP (RFC 9725) POST an offer
 *            as application/sdp and get the answer in a 201 Created.
 *            An Upgrade request (RFC 6455 4.1) and its 101 response
 *            (RFC 6455 4.2.2) switch the connection to frames; the
 *            response's Sec-WebSocket-Accept is checked against the key.
 *   MESSAGE  a complete text or binary message, its fragments put back
 *            together (RFC 6455 5.4), unmasked, and inflated when
 *            permessage-deflate (RFC 7692) was negotiated;
 *   CONTROL  a close (code and reason, RFC 6455 5.5.1 and 7.4), ping or
 *            pong frame, also between the fragments of a message;
 *   PROBLEM  something wrong, with its stream offset: a client frame not
 *            masked, a server frame masked, a reserved bit or opcode, a
 *            fragmented or long control frame, a non-minimal length, a
 *            close code that may not be sent, text that is not UTF-8, ...
 *
 * Direction 0 is the client (RTCLAB_TCP_FROM_CLIENT), 1 the server; when
 * the request turns up in direction 1 the roles follow it.  A stream that
 * starts with a frame instead of HTTP (the capture began after the
 * handshake) is read as frames, the masking of the first frame telling
 * which side is the client.
 *
 * Limits: a header block of at most RTCLAB_WS_MAX_HEADER bytes and
 * RTCLAB_WS_MAX_HEADERS lines; messages (after inflating) and HTTP bodies
 * of at most RTCLAB_WS_MAX_MESSAGE bytes (larger ones are skipped with a
 * problem); the client's bytes after an Upgrade request are held until
 * the response, up to RTCLAB_WS_MAX_MESSAGE bytes (past that the upgrade is
 * taken as accepted).  A gap in the stream (bytes lost in the capture) ends the
 * decoding of that direction: frames cannot be found again reliably.
 * Chunked HTTP bodies are reported, not decoded.
 *
 * Views in an event are valid only during the callback.
 */
#ifndef RTCLAB_WEBSOCKET_H
#define RTCLAB_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/bytes.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTCLAB_WS_MAX_HEADER (16u << 10)
#define RTCLAB_WS_MAX_HEADERS 48
#define RTCLAB_WS_MAX_MESSAGE (1u << 20)

/* RFC 6455 5.2 and 11.8. */
enum rtclab_ws_opcode {
	RTCLAB_WS_OP_CONTINUATION = 0x0,
	RTCLAB_WS_OP_TEXT = 0x1,
	RTCLAB_WS_OP_BINARY = 0x2,
	RTCLAB_WS_OP_CLOSE = 0x8,
	RTCLAB_WS_OP_PING = 0x9,
	RTCLAB_WS_OP_PONG = 0xA,
};

enum rtclab_ws_event_kind {
	RTCLAB_WS_EV_HTTP = 1,
	RTCLAB_WS_EV_MESSAGE,
	RTCLAB_WS_EV_CONTROL,
	RTCLAB_WS_EV_PROBLEM,
};

/* Append only. */
enum rtclab_ws_problem {
	RTCLAB_WS_P_NONE = 0,
	RTCLAB_WS_P_HTTP_SYNTAX,       /* a start line or header line that does not parse */
	RTCLAB_WS_P_HEADER_TOO_LARGE,  /* header block longer than RTCLAB_WS_MAX_HEADER or too many lines */
	RTCLAB_WS_P_CHUNKED,           /* Transfer-Encoding: chunked, not decoded */
	RTCLAB_WS_P_BODY_TOO_LARGE,    /* body longer than RTCLAB_WS_MAX_MESSAGE: skipped */
	RTCLAB_WS_P_HANDSHAKE,         /* Upgrade request without Sec-WebSocket-Key or version 13, ... */
	RTCLAB_WS_P_ACCEPT,            /* Sec-WebSocket-Accept does not match the key */
	RTCLAB_WS_P_NO_HANDSHAKE,      /* frames without a handshake seen (capture started late) */
	RTCLAB_WS_P_RSV,               /* a reserved bit set that no extension defines */
	RTCLAB_WS_P_OPCODE,            /* a reserved opcode */
	RTCLAB_WS_P_CONTROL_FRAGMENTED,/* a control frame without FIN */
	RTCLAB_WS_P_CONTROL_TOO_LONG,  /* a control frame payload over 125 bytes */
	RTCLAB_WS_P_UNMASKED,          /* a client frame not masked (RFC 6455 5.1) */
	RTCLAB_WS_P_MASKED,            /* a server frame masked (RFC 6455 5.1) */
	RTCLAB_WS_P_LENGTH,            /* a length not in its minimal form, or with the top bit set */
	RTCLAB_WS_P_CONTINUATION,      /* a continuation frame with no message to continue */
	RTCLAB_WS_P_INTERRUPTED,       /* a new message before the last one ended: the old one is dropped */
	RTCLAB_WS_P_MESSAGE_TOO_LARGE, /* over RTCLAB_WS_MAX_MESSAGE: skipped */
	RTCLAB_WS_P_UTF8,              /* a text message or close reason that is not UTF-8 */
	RTCLAB_WS_P_CLOSE_PAYLOAD,     /* a close payload of 1 byte */
	RTCLAB_WS_P_CLOSE_CODE,        /* a close code that may not be sent (RFC 6455 7.4) */
	RTCLAB_WS_P_AFTER_CLOSE,       /* a frame after this side's close frame */
	RTCLAB_WS_P_INFLATE,           /* compressed data that does not inflate */
	RTCLAB_WS_P_GAP,               /* bytes missing from the capture: the rest of the direction is not decoded */
	RTCLAB_WS_P_TRUNCATED,         /* the connection ended inside a frame, message or HTTP message */
	RTCLAB_WS_P_NOT_HTTP,          /* bytes that are neither HTTP nor WebSocket */
};

struct rtclab_ws_header {
	struct rtclab_str name, value;
};

struct rtclab_ws_http {
	bool is_request;
	struct rtclab_str method, target;  /* request */
	int status;                        /* response */
	struct rtclab_str reason;          /* response */
	struct rtclab_str version;         /* "HTTP/1.1" */
	size_t n_headers;
	struct rtclab_ws_header headers[RTCLAB_WS_MAX_HEADERS];
	struct rtclab_str content_type;    /* the media type, lowercase not guaranteed, no parameters */
	bool has_body;                     /* a Content-Length or a body read to the end */
	struct rtclab_bytes body;
	bool websocket;                    /* an Upgrade: websocket request, or its 101 response */
	struct rtclab_str host, key, accept, protocol, extensions;
	bool accept_checked, accept_ok;    /* response: Sec-WebSocket-Accept against the request's key */
	bool permessage_deflate;           /* response: the extension was negotiated */
};

struct rtclab_ws_event {
	enum rtclab_ws_event_kind kind;
	int dir;                           /* 0: from the client, 1: from the server */
	uint64_t first_frame, last_frame;  /* capture frames of its first and last byte */
	uint64_t offset;                   /* stream offset of its first byte, or of the problem */
	const struct rtclab_ws_http *http; /* HTTP */
	enum rtclab_ws_opcode opcode;      /* MESSAGE: text or binary; CONTROL: close, ping or pong */
	struct rtclab_bytes payload;       /* MESSAGE: the message (inflated); CONTROL: the payload */
	size_t n_frames;                   /* MESSAGE: how many frames carried it */
	bool compressed;                   /* MESSAGE: RSV1 set (permessage-deflate) */
	bool has_close_code;               /* CONTROL close */
	uint16_t close_code;
	struct rtclab_str close_reason;
	enum rtclab_ws_problem problem;    /* PROBLEM */
	uint64_t value;                    /* PROBLEM: the value at fault (a length, a code, an opcode), or 0 */
};

typedef void (*rtclab_ws_callback)(void *arg, const struct rtclab_ws_event *ev);

struct rtclab_ws;

struct rtclab_ws *rtclab_ws_new(rtclab_ws_callback cb, void *arg);
void rtclab_ws_free(struct rtclab_ws *ws);

/* The next bytes of direction dir (0 or 1), from capture frame `frame`. */
void rtclab_ws_feed(struct rtclab_ws *ws, int dir, const uint8_t *data, size_t len, uint64_t frame);
/* len bytes of direction dir are missing (a GAP of rtclab_tcp). */
void rtclab_ws_gap(struct rtclab_ws *ws, int dir, uint64_t len, uint64_t frame);
/* The connection ended: a response read to the end is delivered, an
 * unfinished frame or message is reported. */
void rtclab_ws_end(struct rtclab_ws *ws, uint64_t frame);

/* True once a handshake (or frames) made the connection a WebSocket. */
bool rtclab_ws_is_websocket(const struct rtclab_ws *ws);

/* RFC 6455 4.2.2: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")),
 * 28 characters and a NUL into out.  False when SHA-1 is unavailable. */
bool rtclab_ws_accept_key(const char *key, size_t len, char out[29]);

/* "text", "binary", "close", ...; "reserved" for others. */
const char *rtclab_ws_opcode_name(int opcode);
/* A short id ("unmasked") and a sentence for students. */
const char *rtclab_ws_problem_id(enum rtclab_ws_problem p);
const char *rtclab_ws_problem_str(enum rtclab_ws_problem p);
/* What a close code means (RFC 6455 7.4.1, IANA registry); NULL when unknown. */
const char *rtclab_ws_close_code_name(uint16_t code);

#ifdef __cplusplus
}
#endif
#endif
