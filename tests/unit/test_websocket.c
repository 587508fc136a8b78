/* HTTP and WebSocket over a byte stream (lib/websocket.c): the handshake
 * and Sec-WebSocket-Accept, frames in any chunking, masking, fragmentation
 * with control frames in between, lengths, close codes, permessage-deflate,
 * WHIP bodies, and the chain from TCP segments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "rtclab/tcp.h"
#include "rtclab/websocket.h"
#include "unit.h"

#define MAX_EV 64

struct wrec {
	size_t n;
	enum rtclab_ws_event_kind kind[MAX_EV];
	int dir[MAX_EV];
	uint64_t first[MAX_EV], last[MAX_EV], offset[MAX_EV], value[MAX_EV];
	int opcode[MAX_EV];
	size_t n_frames[MAX_EV];
	bool compressed[MAX_EV];
	enum rtclab_ws_problem problem[MAX_EV];
	uint16_t close_code[MAX_EV];
	char *payload[MAX_EV]; /* NUL-terminated copies */
	size_t payload_len[MAX_EV];
	/* HTTP */
	bool is_request[MAX_EV], websocket[MAX_EV], accept_ok[MAX_EV], accept_checked[MAX_EV], deflate[MAX_EV];
	int status[MAX_EV];
	char target[MAX_EV][64], host[MAX_EV][64], ctype[MAX_EV][64];
};

static struct wrec W;
static struct rtclab_ws *WS;

static void str_copy(char *dst, size_t cap, struct rtclab_str s)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;
	if (n)
		memcpy(dst, s.ptr, n);
	dst[n] = '\0';
}

static void wrecord(void *arg, const struct rtclab_ws_event *ev)
{
	struct wrec *r = arg;
	if (r->n == MAX_EV)
		return;
	size_t i = r->n++;
	r->kind[i] = ev->kind;
	r->dir[i] = ev->dir;
	r->first[i] = ev->first_frame;
	r->last[i] = ev->last_frame;
	r->offset[i] = ev->offset;
	r->value[i] = ev->value;
	r->opcode[i] = ev->opcode;
	r->n_frames[i] = ev->n_frames;
	r->compressed[i] = ev->compressed;
	r->problem[i] = ev->problem;
	r->close_code[i] = ev->has_close_code ? ev->close_code : 0;
	struct rtclab_bytes p = ev->payload;
	if (ev->kind == RTCLAB_WS_EV_HTTP) {
		const struct rtclab_ws_http *h = ev->http;
		p = h->body;
		r->is_request[i] = h->is_request;
		r->websocket[i] = h->websocket;
		r->accept_ok[i] = h->accept_ok;
		r->accept_checked[i] = h->accept_checked;
		r->deflate[i] = h->permessage_deflate;
		r->status[i] = h->status;
		str_copy(r->target[i], sizeof r->target[i], h->target);
		str_copy(r->host[i], sizeof r->host[i], h->host);
		str_copy(r->ctype[i], sizeof r->ctype[i], h->content_type);
	}
	r->payload[i] = malloc(p.len + 1);
	if (p.len)
		memcpy(r->payload[i], p.ptr, p.len);
	r->payload[i][p.len] = '\0';
	r->payload_len[i] = p.len;
}

static void wstart(void)
{
	memset(&W, 0, sizeof W);
	WS = rtclab_ws_new(wrecord, &W);
	CU_ASSERT_PTR_NOT_NULL_FATAL(WS);
}

static void wstop(void)
{
	rtclab_ws_free(WS);
	WS = NULL;
	for (size_t i = 0; i < W.n; i++)
		free(W.payload[i]);
	memset(&W, 0, sizeof W);
}

static size_t wcount(enum rtclab_ws_event_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < W.n; i++)
		n += W.kind[i] == k;
	return n;
}

static size_t wfind(enum rtclab_ws_event_kind k, size_t nth)
{
	for (size_t i = 0; i < W.n; i++)
		if (W.kind[i] == k && nth-- == 0)
			return i;
	return MAX_EV - 1;
}

static bool has_problem(enum rtclab_ws_problem p)
{
	for (size_t i = 0; i < W.n; i++)
		if (W.kind[i] == RTCLAB_WS_EV_PROBLEM && W.problem[i] == p)
			return true;
	return false;
}

static void feed_str(int dir, const char *s, uint64_t frame)
{
	rtclab_ws_feed(WS, dir, (const uint8_t *)s, strlen(s), frame);
}

/* One frame into out (returns its length).  key NULL: unmasked. */
static size_t frame(uint8_t *out, bool fin, uint8_t rsv, uint8_t opcode, const uint8_t *key, const void *payload,
		    size_t len)
{
	size_t n = 0;
	out[n++] = (uint8_t)((fin ? 0x80 : 0) | (rsv << 4) | opcode);
	uint8_t mask = key ? 0x80 : 0;
	if (len < 126) {
		out[n++] = (uint8_t)(mask | len);
	} else if (len <= 0xFFFF) {
		out[n++] = mask | 126;
		out[n++] = (uint8_t)(len >> 8);
		out[n++] = (uint8_t)len;
	} else {
		out[n++] = mask | 127;
		for (int s = 56; s >= 0; s -= 8)
			out[n++] = (uint8_t)((uint64_t)len >> s);
	}
	if (key) {
		memcpy(out + n, key, 4);
		n += 4;
	}
	for (size_t i = 0; i < len; i++)
		out[n + i] = (uint8_t)(((const uint8_t *)payload)[i] ^ (key ? key[i & 3] : 0));
	return n + len;
}

static const uint8_t KEY[4] = {0x37, 0xfa, 0x21, 0x3d};

static const char REQUEST[] = "GET /chat?room=1 HTTP/1.1\r\n"
			      "Host: server.example.com\r\n"
			      "Upgrade: websocket\r\n"
			      "Connection: Upgrade\r\n"
			      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			      "Sec-WebSocket-Version: 13\r\n"
			      "\r\n";
static const char RESPONSE[] = "HTTP/1.1 101 Switching Protocols\r\n"
			       "Upgrade: websocket\r\n"
			       "Connection: Upgrade\r\n"
			       "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
			       "\r\n";

static void handshake(void)
{
	feed_str(0, REQUEST, 1);
	feed_str(1, RESPONSE, 2);
}

static void test_accept_key(void)
{
	char out[29];
	CU_ASSERT_TRUE(rtclab_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 24, out));
	CU_ASSERT_STRING_EQUAL(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="); /* RFC 6455 1.3 */
}

static void test_handshake(void)
{
	wstart();
	handshake();
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_HTTP), 2);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_PROBLEM), 0);
	size_t q = wfind(RTCLAB_WS_EV_HTTP, 0), a = wfind(RTCLAB_WS_EV_HTTP, 1);
	CU_ASSERT_TRUE(W.is_request[q] && W.websocket[q]);
	CU_ASSERT_STRING_EQUAL(W.target[q], "/chat?room=1");
	CU_ASSERT_STRING_EQUAL(W.host[q], "server.example.com");
	CU_ASSERT_EQUAL(W.status[a], 101);
	CU_ASSERT_TRUE(W.accept_checked[a] && W.accept_ok[a]);
	CU_ASSERT_TRUE(rtclab_ws_is_websocket(WS));
	uint8_t buf[64];
	size_t n = frame(buf, true, 0, RTCLAB_WS_OP_TEXT, KEY, "Hello", 5);
	rtclab_ws_feed(WS, 0, buf, n, 3);
	n = frame(buf, true, 0, RTCLAB_WS_OP_TEXT, NULL, "Hi!", 3);
	rtclab_ws_feed(WS, 1, buf, n, 4);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_MESSAGE), 2);
	size_t m = wfind(RTCLAB_WS_EV_MESSAGE, 0);
	CU_ASSERT_STRING_EQUAL(W.payload[m], "Hello");
	CU_ASSERT_EQUAL(W.dir[m], 0);
	CU_ASSERT_EQUAL(W.opcode[m], RTCLAB_WS_OP_TEXT);
	CU_ASSERT_EQUAL(W.offset[m], strlen(REQUEST));
	CU_ASSERT_EQUAL(W.first[m], 3);
	m = wfind(RTCLAB_WS_EV_MESSAGE, 1);
	CU_ASSERT_STRING_EQUAL(W.payload[m], "Hi!");
	CU_ASSERT_EQUAL(W.dir[m], 1);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_PROBLEM), 0);
	wstop();
}

static void test_bad_accept(void)
{
	wstart();
	feed_str(0, REQUEST, 1);
	feed_str(1,
		 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: AAAALMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
		 2);
	size_t a = wfind(RTCLAB_WS_EV_HTTP, 1);
	CU_ASSERT_TRUE(W.accept_checked[a]);
	CU_ASSERT_FALSE(W.accept_ok[a]);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_ACCEPT));
	wstop();
	/* A refused upgrade: the client's bytes are read as HTTP again. */
	wstart();
	feed_str(0, REQUEST, 1);
	feed_str(0, "GET /again HTTP/1.1\r\nHost: x\r\n\r\n", 2);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_HTTP), 1);
	feed_str(1, "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nno", 3);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_HTTP), 3);
	bool again = false;
	for (size_t i = 0; i < W.n; i++)
		again |= strcmp(W.target[i], "/again") == 0;
	CU_ASSERT_TRUE(again);
	CU_ASSERT_FALSE(rtclab_ws_is_websocket(WS));
	wstop();
}

/* Every byte of a session in its own chunk, and in chunks of 3 and 7. */
static void test_any_chunking(void)
{
	static uint8_t c2s[2048];
	size_t n = 0;
	memcpy(c2s, REQUEST, strlen(REQUEST));
	n += strlen(REQUEST);
	char big[300];
	memset(big, 'x', sizeof big);
	big[0] = '{';
	n += frame(c2s + n, true, 0, RTCLAB_WS_OP_TEXT, KEY, big, sizeof big); /* a 16-bit length */
	n += frame(c2s + n, true, 0, RTCLAB_WS_OP_TEXT, KEY, "second", 6);
	for (size_t step = 1; step <= 7; step += 2) {
		wstart();
		for (size_t i = 0; i < n; i += step) {
			size_t k = n - i < step ? n - i : step;
			rtclab_ws_feed(WS, 0, c2s + i, k, 100 + i);
			if (i < strlen(REQUEST) && i + k >= strlen(REQUEST))
				feed_str(1, RESPONSE, 2); /* once the request is complete */
		}
		CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_MESSAGE), 2);
		size_t m = wfind(RTCLAB_WS_EV_MESSAGE, 0);
		CU_ASSERT_EQUAL(W.payload_len[m], sizeof big);
		CU_ASSERT_EQUAL(memcmp(W.payload[m], big, sizeof big), 0);
		/* first: the chunk with the header's first byte; last: the one with its last byte */
		size_t start = strlen(REQUEST);
		CU_ASSERT_EQUAL(W.first[m], 100 + start / step * step);
		CU_ASSERT_EQUAL(W.last[m], 100 + (start + 4 + 4 + sizeof big - 1) / step * step);
		m = wfind(RTCLAB_WS_EV_MESSAGE, 1);
		CU_ASSERT_STRING_EQUAL(W.payload[m], "second");
		CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_PROBLEM), 0);
		wstop();
	}
}

static void test_fragmented_with_ping(void)
{
	wstart();
	handshake();
	uint8_t buf[256];
	size_t n = 0;
	n += frame(buf + n, false, 0, RTCLAB_WS_OP_TEXT, KEY, "Hel", 3);
	n += frame(buf + n, true, 0, RTCLAB_WS_OP_PING, KEY, "p!", 2);
	n += frame(buf + n, false, 0, RTCLAB_WS_OP_CONTINUATION, KEY, "lo ", 3);
	size_t split = n;
	n += frame(buf + n, true, 0, RTCLAB_WS_OP_CONTINUATION, KEY, "world", 5);
	rtclab_ws_feed(WS, 0, buf, split, 10);
	rtclab_ws_feed(WS, 0, buf + split, n - split, 11);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_CONTROL), 1);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_MESSAGE), 1);
	size_t c = wfind(RTCLAB_WS_EV_CONTROL, 0), m = wfind(RTCLAB_WS_EV_MESSAGE, 0);
	CU_ASSERT(c < m);
	CU_ASSERT_EQUAL(W.opcode[c], RTCLAB_WS_OP_PING);
	CU_ASSERT_STRING_EQUAL(W.payload[c], "p!");
	CU_ASSERT_STRING_EQUAL(W.payload[m], "Hello world");
	CU_ASSERT_EQUAL(W.n_frames[m], 3);
	CU_ASSERT_EQUAL(W.first[m], 10);
	CU_ASSERT_EQUAL(W.last[m], 11);
	n = frame(buf, true, 0, RTCLAB_WS_OP_PONG, NULL, "p!", 2);
	rtclab_ws_feed(WS, 1, buf, n, 12);
	CU_ASSERT_EQUAL(W.opcode[W.n - 1], RTCLAB_WS_OP_PONG);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_PROBLEM), 0);
	wstop();
}

static void test_masking(void)
{
	wstart();
	handshake();
	uint8_t buf[64];
	size_t n = frame(buf, true, 0, RTCLAB_WS_OP_TEXT, NULL, "bare", 4); /* client, not masked */
	rtclab_ws_feed(WS, 0, buf, n, 3);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_UNMASKED));
	CU_ASSERT_FALSE(has_problem(RTCLAB_WS_P_MASKED));
	n = frame(buf, true, 0, RTCLAB_WS_OP_TEXT, KEY, "hidden", 6); /* server, masked */
	rtclab_ws_feed(WS, 1, buf, n, 4);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_MASKED));
	/* Both are still delivered, unmasked. */
	CU_ASSERT_STRING_EQUAL(W.payload[wfind(RTCLAB_WS_EV_MESSAGE, 0)], "bare");
	CU_ASSERT_STRING_EQUAL(W.payload[wfind(RTCLAB_WS_EV_MESSAGE, 1)], "hidden");
	size_t p = wfind(RTCLAB_WS_EV_PROBLEM, 0);
	CU_ASSERT_EQUAL(W.offset[p], strlen(REQUEST));
	wstop();
}

static size_t close_frame(uint8_t *buf, const uint8_t *key, int code, const char *reason)
{
	uint8_t p[64];
	size_t n = 0;
	if (code >= 0) {
		p[n++] = (uint8_t)(code >> 8);
		p[n++] = (uint8_t)code;
	}
	memcpy(p + n, reason, strlen(reason));
	n += strlen(reason);
	return frame(buf, true, 0, RTCLAB_WS_OP_CLOSE, key, p, n);
}

static void test_close_codes(void)
{
	wstart();
	handshake();
	uint8_t buf[64];
	size_t n = close_frame(buf, KEY, 1000, "bye");
	rtclab_ws_feed(WS, 0, buf, n, 3);
	size_t c = wfind(RTCLAB_WS_EV_CONTROL, 0);
	CU_ASSERT_EQUAL(W.opcode[c], RTCLAB_WS_OP_CLOSE);
	CU_ASSERT_EQUAL(W.close_code[c], 1000);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_PROBLEM), 0);
	n = frame(buf, true, 0, RTCLAB_WS_OP_TEXT, KEY, "late", 4);
	rtclab_ws_feed(WS, 0, buf, n, 4);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_AFTER_CLOSE));
	n = close_frame(buf, NULL, 1005, ""); /* may not be sent */
	rtclab_ws_feed(WS, 1, buf, n, 5);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_CLOSE_CODE));
	CU_ASSERT_EQUAL(W.value[wfind(RTCLAB_WS_EV_PROBLEM, 1)], 1005);
	wstop();
	wstart();
	handshake();
	n = frame(buf, true, 0, RTCLAB_WS_OP_CLOSE, KEY, "x", 1);
	rtclab_ws_feed(WS, 0, buf, n, 3);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_CLOSE_PAYLOAD));
	n = close_frame(buf, NULL, 4001, "app\xff");
	rtclab_ws_feed(WS, 1, buf, n, 4);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_UTF8));
	CU_ASSERT_FALSE(has_problem(RTCLAB_WS_P_CLOSE_CODE));
	n = close_frame(buf, NULL, -1, ""); /* no code at all: fine */
	wstop();
	CU_ASSERT_STRING_EQUAL(rtclab_ws_close_code_name(1001), "going away");
	CU_ASSERT_PTR_NULL(rtclab_ws_close_code_name(4000));
}

static void test_lengths(void)
{
	wstart();
	handshake();
	size_t big = 70000;
	uint8_t *payload = malloc(big), *buf = malloc(big + 16);
	for (size_t i = 0; i < big; i++)
		payload[i] = (uint8_t)i;
	size_t n = frame(buf, true, 0, RTCLAB_WS_OP_BINARY, NULL, payload, big); /* 64-bit length */
	CU_ASSERT_EQUAL(buf[1], 127);
	rtclab_ws_feed(WS, 1, buf, 5, 3);
	rtclab_ws_feed(WS, 1, buf + 5, n - 5, 4);
	size_t m = wfind(RTCLAB_WS_EV_MESSAGE, 0);
	CU_ASSERT_EQUAL(W.opcode[m], RTCLAB_WS_OP_BINARY);
	CU_ASSERT_EQUAL(W.payload_len[m], big);
	CU_ASSERT_EQUAL(memcmp(W.payload[m], payload, big), 0);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_PROBLEM), 0);
	/* 5 bytes with a 16-bit length: not minimal. */
	uint8_t nm[] = {0x82, 126, 0, 5, 'a', 'b', 'c', 'd', 'e'};
	rtclab_ws_feed(WS, 1, nm, sizeof nm, 5);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_LENGTH));
	CU_ASSERT_STRING_EQUAL(W.payload[W.n - 1], "abcde");
	/* Over the maximum message size: skipped. */
	size_t huge = RTCLAB_WS_MAX_MESSAGE + 1;
	uint8_t *hp = calloc(1, huge), *hb = malloc(huge + 16);
	n = frame(hb, true, 0, RTCLAB_WS_OP_BINARY, NULL, hp, huge);
	rtclab_ws_feed(WS, 1, hb, n, 6);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_MESSAGE_TOO_LARGE));
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_MESSAGE), 2);
	n = frame(buf, true, 0, RTCLAB_WS_OP_TEXT, NULL, "after", 5);
	rtclab_ws_feed(WS, 1, buf, n, 7);
	CU_ASSERT_STRING_EQUAL(W.payload[W.n - 1], "after");
	/* The top bit of a 64-bit length. */
	uint8_t top[] = {0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1};
	rtclab_ws_feed(WS, 1, top, sizeof top, 8);
	CU_ASSERT_EQUAL(W.problem[W.n - 1], RTCLAB_WS_P_LENGTH);
	free(payload);
	free(buf);
	free(hp);
	free(hb);
	wstop();
}

static void test_frame_problems(void)
{
	wstart();
	handshake();
	uint8_t buf[512];
	size_t n = frame(buf, false, 0, RTCLAB_WS_OP_PING, KEY, "x", 1);
	rtclab_ws_feed(WS, 0, buf, n, 3);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_CONTROL_FRAGMENTED));
	char long_ping[126];
	memset(long_ping, 'p', sizeof long_ping);
	n = frame(buf, true, 0, RTCLAB_WS_OP_PING, KEY, long_ping, sizeof long_ping);
	rtclab_ws_feed(WS, 0, buf, n, 4);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_CONTROL_TOO_LONG));
	n = frame(buf, true, 0, 0x3, KEY, "r", 1);
	rtclab_ws_feed(WS, 0, buf, n, 5);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_OPCODE));
	n = frame(buf, true, 2, RTCLAB_WS_OP_TEXT, KEY, "rsv2", 4);
	rtclab_ws_feed(WS, 0, buf, n, 6);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_RSV));
	n = frame(buf, true, 0, RTCLAB_WS_OP_CONTINUATION, KEY, "orphan", 6);
	rtclab_ws_feed(WS, 0, buf, n, 7);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_CONTINUATION));
	n = frame(buf, false, 0, RTCLAB_WS_OP_TEXT, KEY, "first", 5);
	n += frame(buf + n, true, 0, RTCLAB_WS_OP_TEXT, KEY, "second", 6);
	rtclab_ws_feed(WS, 0, buf, n, 8);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_INTERRUPTED));
	CU_ASSERT_STRING_EQUAL(W.payload[W.n - 1], "second");
	n = frame(buf, true, 0, RTCLAB_WS_OP_TEXT, KEY, "\xc0\xaf", 2);
	rtclab_ws_feed(WS, 0, buf, n, 9);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_UTF8));
	/* The messages around the problems are still there. */
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_MESSAGE), 3); /* rsv2, second, the bad UTF-8 */
	CU_ASSERT_STRING_EQUAL(rtclab_ws_problem_id(RTCLAB_WS_P_UNMASKED), "unmasked");
	CU_ASSERT_PTR_NOT_NULL(strstr(rtclab_ws_problem_str(RTCLAB_WS_P_UNMASKED), "RFC 6455 5.1"));
	CU_ASSERT_STRING_EQUAL(rtclab_ws_opcode_name(RTCLAB_WS_OP_CLOSE), "close");
	wstop();
}

/* Raw deflate of a message, without the final 00 00 ff ff (RFC 7692 7.2.1). */
static size_t deflate_msg(z_stream *z, const char *text, uint8_t *out, size_t cap)
{
	z->next_in = (Bytef *)(uintptr_t)text;
	z->avail_in = (uInt)strlen(text);
	z->next_out = out;
	z->avail_out = (uInt)cap;
	CU_ASSERT_EQUAL(deflate(z, Z_SYNC_FLUSH), Z_OK);
	size_t n = cap - z->avail_out;
	CU_ASSERT(n >= 4 && memcmp(out + n - 4, "\x00\x00\xff\xff", 4) == 0);
	return n - 4;
}

static void deflate_session(const char *extensions, bool reset_between)
{
	wstart();
	feed_str(0, REQUEST, 1);
	char resp[512];
	snprintf(resp, sizeof resp,
		 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: %s\r\n\r\n",
		 extensions);
	feed_str(1, resp, 2);
	CU_ASSERT_TRUE(W.deflate[1]);
	z_stream z;
	memset(&z, 0, sizeof z);
	CU_ASSERT_EQUAL_FATAL(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	const char *texts[] = {"{\"type\":\"offer\",\"sdp\":\"v=0\"}", "{\"type\":\"offer\",\"sdp\":\"v=0\"} again"};
	for (int i = 0; i < 2; i++) {
		uint8_t comp[256], buf[300];
		if (reset_between)
			deflateReset(&z);
		size_t cn = deflate_msg(&z, texts[i], comp, sizeof comp);
		/* Split the compressed message over two frames: RSV1 only on the first. */
		size_t n = frame(buf, false, 4, RTCLAB_WS_OP_TEXT, NULL, comp, cn / 2);
		n += frame(buf + n, true, 0, RTCLAB_WS_OP_CONTINUATION, NULL, comp + cn / 2, cn - cn / 2);
		rtclab_ws_feed(WS, 1, buf, n, 3 + (uint64_t)i);
	}
	deflateEnd(&z);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_MESSAGE), 2);
	for (size_t i = 0; i < 2; i++) {
		size_t m = wfind(RTCLAB_WS_EV_MESSAGE, i);
		CU_ASSERT_TRUE(W.compressed[m]);
		CU_ASSERT_STRING_EQUAL(W.payload[m], texts[i]);
	}
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_PROBLEM), 0);
	wstop();
}

static void test_deflate(void)
{
	/* The second message refers back to the first (a shared window). */
	deflate_session("permessage-deflate", false);
	deflate_session("permessage-deflate; server_no_context_takeover; client_no_context_takeover", true);
	/* RSV1 without the extension is a problem. */
	wstart();
	handshake();
	uint8_t buf[64];
	size_t n = frame(buf, true, 4, RTCLAB_WS_OP_TEXT, NULL, "abc", 3);
	rtclab_ws_feed(WS, 1, buf, n, 3);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_RSV));
	/* With the extension, data that does not inflate is one. */
	wstop();
	wstart();
	feed_str(0, REQUEST, 1);
	feed_str(1,
		 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
		 "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
		 2);
	n = frame(buf, true, 4, RTCLAB_WS_OP_TEXT, NULL, "\xff\xff\xff", 3);
	rtclab_ws_feed(WS, 1, buf, n, 3);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_INFLATE));
	wstop();
}

static const char OFFER_SDP[] = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

static void test_whip(void)
{
	wstart();
	char req[512], resp[512];
	snprintf(req, sizeof req,
		 "POST /whip/endpoint HTTP/1.1\r\nHost: whip.example.com\r\nContent-Type: application/sdp\r\n"
		 "Content-Length: %zu\r\n\r\n%s",
		 strlen(OFFER_SDP), OFFER_SDP);
	snprintf(resp, sizeof resp,
		 "HTTP/1.1 201 Created\r\nContent-Type: application/sdp; charset=utf-8\r\n"
		 "Location: /whip/resource/1\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(OFFER_SDP), OFFER_SDP);
	size_t half = strlen(req) - 10;
	rtclab_ws_feed(WS, 0, (const uint8_t *)req, half, 1);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_HTTP), 0); /* the body is not all here */
	rtclab_ws_feed(WS, 0, (const uint8_t *)req + half, strlen(req) - half, 2);
	feed_str(1, resp, 3);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_HTTP), 2);
	size_t q = wfind(RTCLAB_WS_EV_HTTP, 0), a = wfind(RTCLAB_WS_EV_HTTP, 1);
	CU_ASSERT_TRUE(W.is_request[q]);
	CU_ASSERT_STRING_EQUAL(W.target[q], "/whip/endpoint");
	CU_ASSERT_STRING_EQUAL(W.ctype[q], "application/sdp");
	CU_ASSERT_STRING_EQUAL(W.payload[q], OFFER_SDP);
	CU_ASSERT_EQUAL(W.first[q], 1);
	CU_ASSERT_EQUAL(W.last[q], 2);
	CU_ASSERT_EQUAL(W.status[a], 201);
	CU_ASSERT_STRING_EQUAL(W.ctype[a], "application/sdp");
	CU_ASSERT_STRING_EQUAL(W.payload[a], OFFER_SDP);
	/* Keep-alive: a second request on the same connection; a response read to the end. */
	feed_str(0, "DELETE /whip/resource/1 HTTP/1.1\r\nHost: whip.example.com\r\n\r\n", 4);
	feed_str(1, "HTTP/1.1 200 OK\r\n\r\nbye", 5);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_HTTP), 3);
	rtclab_ws_end(WS, 6);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_HTTP), 4);
	CU_ASSERT_STRING_EQUAL(W.payload[W.n - 1], "bye");
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_PROBLEM), 0);
	wstop();
	/* Chunked bodies are reported; garbage is not HTTP. */
	wstart();
	feed_str(1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 1);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_CHUNKED));
	feed_str(0, "get / http/1.1\r\n\r\n", 2);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_NOT_HTTP));
	wstop();
	wstart();
	feed_str(0, "GET /\r\nHost: x\r\n\r\n", 1);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_HTTP_SYNTAX));
	wstop();
}

static void test_no_handshake_gap_truncated(void)
{
	wstart();
	uint8_t buf[64];
	/* The capture started after the handshake: a server frame first. */
	size_t n = frame(buf, true, 0, RTCLAB_WS_OP_TEXT, NULL, "mid", 3);
	rtclab_ws_feed(WS, 0, buf, n, 1);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_NO_HANDSHAKE));
	CU_ASSERT_STRING_EQUAL(W.payload[wfind(RTCLAB_WS_EV_MESSAGE, 0)], "mid");
	n = frame(buf, true, 0, RTCLAB_WS_OP_TEXT, KEY, "client", 6);
	rtclab_ws_feed(WS, 1, buf, n, 2);
	CU_ASSERT_STRING_EQUAL(W.payload[wfind(RTCLAB_WS_EV_MESSAGE, 1)], "client");
	CU_ASSERT_FALSE(has_problem(RTCLAB_WS_P_MASKED) || has_problem(RTCLAB_WS_P_UNMASKED));
	/* A gap: that direction is not followed any more. */
	rtclab_ws_gap(WS, 1, 10, 3);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_GAP));
	rtclab_ws_feed(WS, 1, buf, n, 4);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_MESSAGE), 2);
	/* The end inside a frame. */
	n = frame(buf, true, 0, RTCLAB_WS_OP_TEXT, NULL, "cut short", 9);
	rtclab_ws_feed(WS, 0, buf, n - 3, 5);
	rtclab_ws_end(WS, 6);
	CU_ASSERT_TRUE(has_problem(RTCLAB_WS_P_TRUNCATED));
	CU_ASSERT_EQUAL(W.offset[W.n - 1], 5); /* where the cut frame starts */
	wstop();
}

static void test_no_response(void)
{
	wstart();
	feed_str(0, REQUEST, 1);
	uint8_t buf[200];
	char text[120];
	memset(text, 'a', sizeof text);
	size_t n = frame(buf, true, 0, RTCLAB_WS_OP_TEXT, KEY, text, sizeof text);
	size_t frames = RTCLAB_WS_MAX_MESSAGE / n + 2;
	for (size_t i = 0; i < frames; i++)
		rtclab_ws_feed(WS, 0, buf, n, 2 + i);
	/* Held until past the limit, then read as frames without the 101. */
	CU_ASSERT_TRUE(rtclab_ws_is_websocket(WS));
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_MESSAGE), MAX_EV - 1); /* the recorder is full */
	wstop();
}

/* The chain: TCP segments, out of order and retransmitted, one frame split over three. */
static void tcp_to_ws(void *arg, const struct rtclab_tcp_event *ev)
{
	(void)arg;
	if (ev->kind == RTCLAB_TCP_EV_DATA)
		rtclab_ws_feed(WS, ev->dir, ev->data.ptr, ev->data.len, ev->frame);
	else if (ev->kind == RTCLAB_TCP_EV_GAP)
		rtclab_ws_gap(WS, ev->dir, ev->length, ev->frame);
	else if (ev->kind == RTCLAB_TCP_EV_CLOSE)
		rtclab_ws_end(WS, ev->frame);
}

static void tcp_seg(struct rtclab_tcp *t, uint64_t frame, bool from_client, uint32_t seq, uint8_t flags,
		    const uint8_t *p, size_t n)
{
	struct rtclab_tcp_segment s = {0};
	struct rtclab_addr c = {.family = RTCLAB_FAMILY_IPV4, .port = 50000, .ip = {127, 0, 0, 1}};
	struct rtclab_addr v = {.family = RTCLAB_FAMILY_IPV4, .port = 8080, .ip = {127, 0, 0, 1}};
	s.frame = frame;
	s.src = from_client ? c : v;
	s.dst = from_client ? v : c;
	s.seq = seq;
	s.flags = flags;
	s.payload.ptr = p;
	s.payload.len = n;
	rtclab_tcp_feed_segment(t, &s);
}

static void test_over_tcp(void)
{
	wstart();
	struct rtclab_tcp *t = rtclab_tcp_new(NULL, tcp_to_ws, NULL);
	const uint8_t *req = (const uint8_t *)REQUEST, *resp = (const uint8_t *)RESPONSE;
	uint32_t cs = 1000, ss = 9000;
	tcp_seg(t, 1, true, cs - 1, RTCLAB_TCP_SYN, NULL, 0);
	tcp_seg(t, 2, false, ss - 1, RTCLAB_TCP_SYN | RTCLAB_TCP_ACK, NULL, 0);
	tcp_seg(t, 3, true, cs, RTCLAB_TCP_ACK, req, strlen(REQUEST));
	cs += (uint32_t)strlen(REQUEST);
	tcp_seg(t, 4, false, ss, RTCLAB_TCP_ACK, resp, strlen(RESPONSE));
	ss += (uint32_t)strlen(RESPONSE);
	uint8_t f[128];
	const char *msg = "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}";
	size_t n = frame(f, true, 0, RTCLAB_WS_OP_TEXT, KEY, msg, strlen(msg));
	/* Three segments: [0,1) [1,10) [10,n); sent 3, 1, 2, then 2 again (a retransmission). */
	tcp_seg(t, 5, true, cs + 10, RTCLAB_TCP_ACK, f + 10, n - 10);
	tcp_seg(t, 6, true, cs, RTCLAB_TCP_ACK, f, 1);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_MESSAGE), 0);
	tcp_seg(t, 7, true, cs + 1, RTCLAB_TCP_ACK, f + 1, 9);
	tcp_seg(t, 8, true, cs + 1, RTCLAB_TCP_ACK, f + 1, 9);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_MESSAGE), 1);
	size_t m = wfind(RTCLAB_WS_EV_MESSAGE, 0);
	CU_ASSERT_STRING_EQUAL(W.payload[m], msg);
	CU_ASSERT_EQUAL(W.first[m], 6);
	CU_ASSERT_EQUAL(W.last[m], 7);
	tcp_seg(t, 9, true, cs + (uint32_t)n, RTCLAB_TCP_FIN | RTCLAB_TCP_ACK, NULL, 0);
	tcp_seg(t, 10, false, ss, RTCLAB_TCP_FIN | RTCLAB_TCP_ACK, NULL, 0);
	CU_ASSERT_EQUAL(wcount(RTCLAB_WS_EV_PROBLEM), 0);
	rtclab_tcp_free(t);
	wstop();
}

RTCLAB_SUITE(websocket)
{
	static const struct unit_test tests[] = {
		{"Sec-WebSocket-Accept of RFC 6455 1.3", test_accept_key},
		{"handshake, then a message each way", test_handshake},
		{"wrong accept, refused upgrade", test_bad_accept},
		{"frames in chunks of 1, 3, 5 and 7 bytes", test_any_chunking},
		{"fragmented message with a ping in between", test_fragmented_with_ping},
		{"masking rules", test_masking},
		{"close codes and reasons", test_close_codes},
		{"7, 16 and 64-bit lengths, maximum size", test_lengths},
		{"frame problems", test_frame_problems},
		{"permessage-deflate", test_deflate},
		{"WHIP: application/sdp bodies, keep-alive", test_whip},
		{"no handshake, gap, truncated", test_no_handshake_gap_truncated},
		{"an Upgrade request never answered", test_no_response},
		{"over TCP: split, out of order, retransmitted", test_over_tcp},
		{NULL, NULL},
	};
	unit_add_suite("websocket", tests);
}
