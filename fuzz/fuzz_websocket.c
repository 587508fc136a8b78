/* libFuzzer target: the HTTP/WebSocket stream parser fed in chunks of
 * varying size, and signal recognition on every text message and HTTP
 * body.
 *
 * Input: byte 0 chooses the chunk sizes (a seed for a small generator) and
 * whether a 101 response with permessage-deflate is fed to the server
 * direction first; the rest is split at '\x00\xff' pairs into the
 * client's bytes (before the first) and the server's bytes (after).
 * Property: the same stream fed in one piece gives the same number of
 * messages and events (incremental parsing does not depend on chunking). */
#include <stdlib.h>
#include <string.h>

#include "rtclab/signal.h"
#include "rtclab/websocket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	size_t events, messages;
};

static void on_event(void *arg, const struct rtclab_ws_event *ev)
{
	struct tally *t = arg;
	t->events++;
	if (ev->kind == RTCLAB_WS_EV_MESSAGE) {
		t->messages++;
		if (ev->opcode == RTCLAB_WS_OP_TEXT) {
			struct rtclab_signal *s = rtclab_signal_parse((const char *)ev->payload.ptr, ev->payload.len);
			rtclab_signal_free(s);
		}
	} else if (ev->kind == RTCLAB_WS_EV_HTTP && ev->http->has_body) {
		const struct rtclab_ws_http *h = ev->http;
		enum rtclab_signal_kind k = rtclab_signal_http_kind(h->is_request, h->method, h->status);
		struct rtclab_signal *s =
			rtclab_str_eq(h->content_type, "application/sdp")
				? rtclab_signal_parse_sdp_body((const char *)h->body.ptr, h->body.len, k)
				: rtclab_signal_parse((const char *)h->body.ptr, h->body.len);
		rtclab_signal_free(s);
	}
}

static const char DEFLATE_101[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				  "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";

static void feed(const uint8_t *c2s, size_t nc, const uint8_t *s2c, size_t ns, uint8_t mode, struct tally *t,
		 bool chunked)
{
	struct rtclab_ws *ws = rtclab_ws_new(on_event, t);
	if (!ws)
		return;
	uint32_t rng = mode * 2654435761u + 1;
	size_t ic = 0, is = 0;
	uint64_t frame = 1;
	while (ic < nc || is < ns) {
		rng = rng * 1103515245u + 12345u;
		size_t step = chunked ? 1 + (rng >> 16) % 17 : (size_t)-1;
		bool client = (rng >> 8) & 1;
		/* The client's request goes first; then the two sides take turns at random. */
		if (ic < nc && (client || is >= ns || (mode & 0x80))) {
			size_t k = nc - ic < step ? nc - ic : step;
			rtclab_ws_feed(ws, 0, c2s + ic, k, frame++);
			ic += k;
		} else {
			size_t k = ns - is < step ? ns - is : step;
			rtclab_ws_feed(ws, 1, s2c + is, k, frame++);
			is += k;
		}
	}
	rtclab_ws_end(ws, frame);
	rtclab_ws_free(ws);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	size_t split = size;
	for (size_t i = 0; i + 1 < size; i++)
		if (data[i] == 0x00 && data[i + 1] == 0xff) {
			split = i;
			break;
		}
	const uint8_t *c2s = data, *s2c = data + split;
	size_t nc = split, ns = size - split;
	if (ns >= 2) {
		s2c += 2;
		ns -= 2;
	}
	uint8_t *server = NULL;
	if (mode & 0x40) { /* a deflate handshake first, then the server's bytes */
		server = malloc(sizeof DEFLATE_101 - 1 + ns);
		if (!server)
			return 0;
		memcpy(server, DEFLATE_101, sizeof DEFLATE_101 - 1);
		if (ns)
			memcpy(server + sizeof DEFLATE_101 - 1, s2c, ns);
		s2c = server;
		ns += sizeof DEFLATE_101 - 1;
	}
	struct tally a = {0, 0}, b = {0, 0};
	/* Chunking is only free when the two directions do not interleave
	 * differently, so compare with the client fed entirely first. */
	feed(c2s, nc, s2c, ns, mode | 0x80, &a, true);
	feed(c2s, nc, s2c, ns, mode | 0x80, &b, false);
	if (a.messages != b.messages)
		abort();
	feed(c2s, nc, s2c, ns, mode, &a, true);
	free(server);
	return 0;
}
