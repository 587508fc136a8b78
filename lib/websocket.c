/* HTTP/1.1 messages (RFC 9112) and WebSocket (RFC 6455) over the
 * reassembled bytes of one TCP connection, read incrementally: each
 * direction keeps the bytes it cannot use yet (an unfinished header) and
 * consumes the rest as it arrives.  permessage-deflate (RFC 7692) with
 * zlib's raw inflate.
 *
 * RFC 6455 5.2, the base framing protocol:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |     Extended payload length continued, if payload len == 127  |
 * + - - - - - - - - - - - - - - - +-------------------------------+
 * |                               |Masking-key, if MASK set to 1  |
 * +-------------------------------+-------------------------------+
 * | Masking-key (continued)       |          Payload Data         |
 * +-------------------------------- - - - - - - - - - - - - - - - +
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <zlib.h>

#include "rtclab/websocket.h"

enum mode {
	M_HTTP,        /* waiting for a start line and headers */
	M_BODY,        /* a body of known length */
	M_BODY_TO_END, /* a response body read until the connection ends */
	M_AWAIT_101,   /* the client sent an Upgrade request: wait for the answer */
	M_FRAMES,      /* WebSocket frames */
	M_LOST,        /* nothing more is decoded in this direction */
};

struct mark {
	uint64_t offset; /* stream offset of a chunk's first byte */
	uint64_t frame;
};

struct buf {
	uint8_t *p;
	size_t len, cap;
};

struct wsdir {
	enum mode mode;
	struct buf in;           /* bytes not consumed yet */
	uint64_t in_off;         /* stream offset of in.p[0] */
	size_t scanned;          /* M_HTTP: bytes of in already searched for the blank line */
	struct mark *marks;      /* where each chunk still unconsumed started */
	size_t n_marks, cap_marks;
	/* The HTTP message in progress. */
	struct rtclab_ws_http http;
	struct buf head;         /* its header block (the views of http point here) */
	uint64_t body_left;
	bool body_skip;          /* too large: consumed, not kept */
	uint64_t msg_offset, msg_first_frame;
	/* The frame in progress. */
	bool in_frame;
	uint8_t opcode;
	bool fin, masked, discard;
	uint8_t key[4];
	uint64_t left, pos;      /* payload bytes left, bytes read */
	uint64_t frame_offset, frame_first;
	/* The message in progress. */
	bool in_msg, msg_compressed, msg_skip;
	uint8_t msg_opcode;
	size_t n_frames;
	struct buf msg;
	uint8_t ctl[125];
	size_t ctl_len;
	bool close_seen;
	/* permessage-deflate of this direction. */
	bool no_takeover;
	bool z_ready;
	z_stream z;
	struct buf out;
};

struct rtclab_ws {
	rtclab_ws_callback cb;
	void *arg;
	struct wsdir d[2];
	int client;              /* the client's direction */
	bool role_known;         /* from a handshake or the masking of a first frame */
	bool websocket;
	bool deflate;
	char key[64];            /* the Sec-WebSocket-Key of the last Upgrade request */
	size_t key_len;
	uint64_t frame;          /* of the chunk being fed */
};

static const char GUID[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/* --- small helpers ----------------------------------------------------------------- */

static bool buf_append(struct buf *b, const uint8_t *p, size_t n)
{
	if (n == 0)
		return true;
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < n)
			cap *= 2;
		uint8_t *q = realloc(b->p, cap);
		if (!q)
			return false;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return true;
}

static void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static bool ieq(struct rtclab_str s, const char *lit)
{
	size_t n = strlen(lit);
	if (s.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s.ptr[i]) != tolower((unsigned char)lit[i]))
			return false;
	return true;
}

/* Does a comma-separated list contain this token (case-insensitive)? */
static bool has_token(struct rtclab_str list, const char *token)
{
	size_t i = 0;
	while (i < list.len) {
		while (i < list.len && (list.ptr[i] == ' ' || list.ptr[i] == '\t' || list.ptr[i] == ','))
			i++;
		size_t start = i;
		while (i < list.len && list.ptr[i] != ',' && list.ptr[i] != ';')
			i++;
		size_t end = i;
		while (end > start && (list.ptr[end - 1] == ' ' || list.ptr[end - 1] == '\t'))
			end--;
		if (ieq(rtclab_str_make(list.ptr + start, end - start), token))
			return true;
		while (i < list.len && list.ptr[i] != ',')
			i++;
	}
	return false;
}

static bool contains_ci(struct rtclab_str s, const char *lit)
{
	size_t n = strlen(lit);
	for (size_t i = 0; i + n <= s.len; i++)
		if (ieq(rtclab_str_make(s.ptr + i, n), lit))
			return true;
	return false;
}

/* The frame in which the byte at stream offset `off` arrived. */
static uint64_t frame_at(const struct wsdir *d, uint64_t off, uint64_t fallback)
{
	for (size_t i = d->n_marks; i-- > 0;)
		if (d->marks[i].offset <= off)
			return d->marks[i].frame;
	return fallback;
}

static void emit(struct rtclab_ws *ws, int dir, struct rtclab_ws_event *ev)
{
	ev->dir = dir;
	if (!ev->last_frame)
		ev->last_frame = ws->frame;
	if (!ev->first_frame)
		ev->first_frame = ev->last_frame;
	if (ws->cb)
		ws->cb(ws->arg, ev);
}

static void problem(struct rtclab_ws *ws, int dir, enum rtclab_ws_problem p, uint64_t offset, uint64_t value)
{
	struct rtclab_ws_event ev = {0};
	ev.kind = RTCLAB_WS_EV_PROBLEM;
	ev.problem = p;
	ev.offset = offset;
	ev.value = value;
	emit(ws, dir, &ev);
}

static void consume(struct wsdir *d, size_t n)
{
	if (n == 0)
		return;
	memmove(d->in.p, d->in.p + n, d->in.len - n);
	d->in.len -= n;
	d->in_off += n;
	d->scanned = d->scanned > n ? d->scanned - n : 0;
}

static void lose(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	d->mode = M_LOST;
	d->in_off += d->in.len;
	d->in.len = 0;
	d->in_frame = d->in_msg = false;
}

/* --- the opening handshake (RFC 6455 4) --------------------------------------------- */

bool rtclab_ws_accept_key(const char *key, size_t len, char out[29])
{
	unsigned char md[SHA_DIGEST_LENGTH];
	unsigned int md_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(ctx, key, len) == 1 &&
		  EVP_DigestUpdate(ctx, GUID, sizeof GUID - 1) == 1 && EVP_DigestFinal_ex(ctx, md, &md_len) == 1 &&
		  md_len == SHA_DIGEST_LENGTH;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		out[0] = '\0';
		return false;
	}
	EVP_EncodeBlock((unsigned char *)out, md, SHA_DIGEST_LENGTH); /* 28 characters and a NUL */
	return true;
}

static struct rtclab_str header(const struct rtclab_ws_http *h, const char *name)
{
	for (size_t i = 0; i < h->n_headers; i++)
		if (ieq(h->headers[i].name, name))
			return h->headers[i].value;
	return rtclab_str_make(NULL, 0);
}

static bool header_present(const struct rtclab_ws_http *h, const char *name)
{
	for (size_t i = 0; i < h->n_headers; i++)
		if (ieq(h->headers[i].name, name))
			return true;
	return false;
}

/* RFC 7692 7.1: the parameters of permessage-deflate in a response. */
static void negotiate_deflate(struct rtclab_ws *ws, struct rtclab_ws_http *h)
{
	struct rtclab_str ext = h->extensions;
	if (!contains_ci(ext, "permessage-deflate"))
		return;
	h->permessage_deflate = true;
	ws->deflate = true;
	ws->d[ws->client].no_takeover = contains_ci(ext, "client_no_context_takeover");
	ws->d[!ws->client].no_takeover = contains_ci(ext, "server_no_context_takeover");
}

static void upgrade_request(struct rtclab_ws *ws, int dir, struct rtclab_ws_http *h)
{
	h->websocket = true;
	ws->client = dir;
	ws->role_known = true;
	size_t n = h->key.len < sizeof ws->key ? h->key.len : sizeof ws->key - 1;
	memcpy(ws->key, h->key.ptr ? h->key.ptr : "", n);
	ws->key_len = n;
	/* RFC 6455 4.1: GET, a 16-byte nonce in base64 (24 characters), version 13. */
	if (!ieq(h->method, "GET") || h->key.len != 24 || !rtclab_str_eq(header(h, "Sec-WebSocket-Version"), "13"))
		problem(ws, dir, RTCLAB_WS_P_HANDSHAKE, ws->d[dir].msg_offset, 0);
}

static void upgrade_response(struct rtclab_ws *ws, int dir, struct rtclab_ws_http *h)
{
	h->websocket = true;
	char want[29];
	if (ws->key_len && rtclab_ws_accept_key(ws->key, ws->key_len, want)) {
		h->accept_checked = true;
		h->accept_ok = rtclab_str_eq(h->accept, want);
		if (!h->accept_ok)
			problem(ws, dir, RTCLAB_WS_P_ACCEPT, ws->d[dir].msg_offset, 0);
	}
	negotiate_deflate(ws, h);
}

/* --- HTTP/1.1 messages (RFC 9112) --------------------------------------------------- */

static bool find_blank_line(const struct wsdir *d, size_t *head_len)
{
	for (size_t i = d->scanned; i < d->in.len; i++) {
		if (d->in.p[i] != '\n')
			continue;
		if (i >= 1 && d->in.p[i - 1] == '\n') {
			*head_len = i + 1;
			return true;
		}
		if (i >= 2 && d->in.p[i - 1] == '\r' && d->in.p[i - 2] == '\n') {
			*head_len = i + 1;
			return true;
		}
	}
	return false;
}

/* The next line of [*pos, end), without its CRLF or LF. */
static struct rtclab_str next_line(const char *text, size_t *pos, size_t end)
{
	size_t start = *pos, i = start;
	while (i < end && text[i] != '\n')
		i++;
	size_t stop = i > start && text[i - 1] == '\r' ? i - 1 : i;
	*pos = i < end ? i + 1 : end;
	return rtclab_str_make(text + start, stop - start);
}

static struct rtclab_str word(struct rtclab_str line, size_t *pos)
{
	size_t start = *pos;
	while (*pos < line.len && line.ptr[*pos] != ' ')
		(*pos)++;
	struct rtclab_str w = rtclab_str_make(line.ptr + start, *pos - start);
	if (*pos < line.len)
		(*pos)++;
	return w;
}

static bool parse_start_line(struct rtclab_ws_http *h, struct rtclab_str line)
{
	size_t pos = 0;
	struct rtclab_str first = word(line, &pos);
	if (first.len > 5 && memcmp(first.ptr, "HTTP/", 5) == 0) {
		h->is_request = false;
		h->version = first;
		struct rtclab_str code = word(line, &pos);
		if (code.len != 3 || !isdigit((unsigned char)code.ptr[0]) || !isdigit((unsigned char)code.ptr[1]) ||
		    !isdigit((unsigned char)code.ptr[2]))
			return false;
		h->status = (code.ptr[0] - '0') * 100 + (code.ptr[1] - '0') * 10 + (code.ptr[2] - '0');
		h->reason = rtclab_str_make(line.ptr + pos, line.len - pos);
		return true;
	}
	h->is_request = true;
	h->method = first;
	h->target = word(line, &pos);
	h->version = rtclab_str_make(line.ptr + pos, line.len - pos);
	for (size_t i = 0; i < first.len; i++)
		if (!isupper((unsigned char)first.ptr[i]) && first.ptr[i] != '-')
			return false;
	return first.len > 0 && h->target.len > 0 && h->version.len > 5 && memcmp(h->version.ptr, "HTTP/", 5) == 0;
}

static struct rtclab_str trim(struct rtclab_str s)
{
	while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t'))
		s.ptr++, s.len--;
	while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
		s.len--;
	return s;
}

/* Fill d->http from d->head.  False on a syntax error. */
static bool parse_head(struct wsdir *d, bool *too_many)
{
	struct rtclab_ws_http *h = &d->http;
	const char *text = (const char *)d->head.p;
	size_t pos = 0, end = d->head.len;
	memset(h, 0, sizeof *h);
	if (!parse_start_line(h, next_line(text, &pos, end)))
		return false;
	for (;;) {
		struct rtclab_str line = next_line(text, &pos, end);
		if (line.len == 0)
			break;
		const char *colon = memchr(line.ptr, ':', line.len);
		if (!colon || colon == line.ptr)
			return false;
		if (h->n_headers == RTCLAB_WS_MAX_HEADERS) {
			*too_many = true;
			continue;
		}
		struct rtclab_ws_header *hd = &h->headers[h->n_headers++];
		hd->name = rtclab_str_make(line.ptr, (size_t)(colon - line.ptr));
		hd->value = trim(rtclab_str_make(colon + 1, line.len - (size_t)(colon - line.ptr) - 1));
	}
	struct rtclab_str ct = header(h, "Content-Type");
	size_t n = 0;
	while (n < ct.len && ct.ptr[n] != ';')
		n++;
	h->content_type = trim(rtclab_str_make(ct.ptr, n));
	h->host = header(h, "Host");
	h->key = header(h, "Sec-WebSocket-Key");
	h->accept = header(h, "Sec-WebSocket-Accept");
	h->protocol = header(h, "Sec-WebSocket-Protocol");
	h->extensions = header(h, "Sec-WebSocket-Extensions");
	return true;
}

static bool parse_length(struct rtclab_str v, uint64_t *out)
{
	uint64_t n = 0;
	if (v.len == 0 || v.len > 15)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		if (!isdigit((unsigned char)v.ptr[i]))
			return false;
		n = n * 10 + (uint64_t)(v.ptr[i] - '0');
	}
	*out = n;
	return true;
}

static void emit_http(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	if (d->http.has_body) {
		d->http.body.ptr = d->msg.p;
		d->http.body.len = d->msg.len;
	}
	struct rtclab_ws_event ev = {0};
	ev.kind = RTCLAB_WS_EV_HTTP;
	ev.http = &d->http;
	ev.offset = d->msg_offset;
	ev.first_frame = d->msg_first_frame;
	emit(ws, dir, &ev);
	d->msg.len = 0;
}

static void process(struct rtclab_ws *ws, int dir);

/* After a 101, or frames seen first: directions waiting for the 101, or
 * with nothing read yet, read frames from now on. */
static void switch_to_frames(struct rtclab_ws *ws)
{
	ws->websocket = true;
	for (int k = 0; k < 2; k++)
		if (ws->d[k].mode == M_AWAIT_101 || (ws->d[k].mode == M_HTTP && ws->d[k].in.len == 0))
			ws->d[k].mode = M_FRAMES;
}

/* What follows the header block just parsed. */
static void after_head(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	struct rtclab_ws_http *h = &d->http;
	struct rtclab_str te = header(h, "Transfer-Encoding");
	uint64_t length = 0;
	bool has_length = parse_length(header(h, "Content-Length"), &length);
	bool upgrade = has_token(header(h, "Connection"), "upgrade") && ieq(header(h, "Upgrade"), "websocket");
	d->body_skip = false;
	if (h->is_request && upgrade && header_present(h, "Sec-WebSocket-Key")) {
		upgrade_request(ws, dir, h);
		emit_http(ws, dir);
		d->mode = M_AWAIT_101;
		return;
	}
	if (!h->is_request && h->status == 101 && ieq(header(h, "Upgrade"), "websocket")) {
		upgrade_response(ws, dir, h);
		emit_http(ws, dir);
		switch_to_frames(ws);
		d->mode = M_FRAMES; /* even with the first frames already in d->in */
		process(ws, !dir);
		return;
	}
	if (!h->is_request && ws->d[!dir].mode == M_AWAIT_101) { /* the upgrade was refused */
		ws->d[!dir].mode = M_HTTP;
		process(ws, !dir);
	}
	if (te.len && !ieq(te, "identity")) {
		emit_http(ws, dir);
		problem(ws, dir, RTCLAB_WS_P_CHUNKED, d->msg_offset, 0);
		lose(ws, dir);
		return;
	}
	bool no_body = h->is_request ? !has_length
				     : (h->status < 200 || h->status == 204 || h->status == 304);
	if (no_body || (has_length && length == 0)) {
		h->has_body = has_length;
		emit_http(ws, dir);
		d->mode = M_HTTP;
		return;
	}
	h->has_body = true;
	if (has_length) {
		d->body_left = length;
		d->mode = M_BODY;
	} else {
		d->mode = M_BODY_TO_END;
	}
	if (has_length && length > RTCLAB_WS_MAX_MESSAGE) {
		problem(ws, dir, RTCLAB_WS_P_BODY_TOO_LARGE, d->in_off, length);
		d->body_skip = true;
	}
}

/* M_HTTP: a start line and headers, once the blank line is here. */
static bool step_http(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	if (d->in.len == 0)
		return false;
	uint8_t c0 = d->in.p[0];
	if (!isupper(c0)) {
		/* Frames with no handshake seen: the capture started late. */
		if (d->in_off == 0 && !ws->websocket && (c0 & 0x70) == 0 &&
		    ((c0 & 0x0F) <= 2 || ((c0 & 0x0F) >= 8 && (c0 & 0x0F) <= 10))) {
			problem(ws, dir, RTCLAB_WS_P_NO_HANDSHAKE, d->in_off, 0);
			if (d->in.len >= 2) {
				ws->client = (d->in.p[1] & 0x80) ? dir : !dir;
				ws->role_known = true;
			}
			switch_to_frames(ws);
			d->mode = M_FRAMES;
			return true;
		}
		problem(ws, dir, RTCLAB_WS_P_NOT_HTTP, d->in_off, c0);
		lose(ws, dir);
		return false;
	}
	size_t head_len = 0;
	if (!find_blank_line(d, &head_len)) {
		d->scanned = d->in.len >= 3 ? d->in.len - 3 : 0;
		if (d->in.len > RTCLAB_WS_MAX_HEADER) {
			problem(ws, dir, RTCLAB_WS_P_HEADER_TOO_LARGE, d->in_off, d->in.len);
			lose(ws, dir);
		}
		return false;
	}
	if (head_len > RTCLAB_WS_MAX_HEADER) {
		problem(ws, dir, RTCLAB_WS_P_HEADER_TOO_LARGE, d->in_off, head_len);
		lose(ws, dir);
		return false;
	}
	d->head.len = 0;
	if (!buf_append(&d->head, d->in.p, head_len)) {
		lose(ws, dir);
		return false;
	}
	d->msg_offset = d->in_off;
	d->msg_first_frame = frame_at(d, d->in_off, ws->frame);
	d->msg.len = 0;
	consume(d, head_len);
	d->scanned = 0;
	bool too_many = false;
	if (!parse_head(d, &too_many)) {
		problem(ws, dir, RTCLAB_WS_P_HTTP_SYNTAX, d->msg_offset, 0);
		lose(ws, dir);
		return false;
	}
	if (too_many)
		problem(ws, dir, RTCLAB_WS_P_HEADER_TOO_LARGE, d->msg_offset, d->http.n_headers);
	after_head(ws, dir);
	return true;
}

/* M_BODY: the bytes of a body of known length. */
static bool step_body(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	size_t n = d->in.len < d->body_left ? d->in.len : (size_t)d->body_left;
	if (!d->body_skip && !buf_append(&d->msg, d->in.p, n))
		d->body_skip = true;
	consume(d, n);
	d->body_left -= n;
	if (d->body_left)
		return false;
	if (d->body_skip)
		d->msg.len = 0;
	emit_http(ws, dir);
	d->mode = M_HTTP;
	return true;
}

static void step_body_to_end(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	size_t n = d->in.len;
	if (!d->body_skip) {
		if (d->msg.len + n > RTCLAB_WS_MAX_MESSAGE || !buf_append(&d->msg, d->in.p, n)) {
			problem(ws, dir, RTCLAB_WS_P_BODY_TOO_LARGE, d->in_off, d->msg.len + n);
			d->body_skip = true;
			d->msg.len = 0;
		}
	}
	consume(d, n);
}

/* --- frames (RFC 6455 5) ------------------------------------------------------------ */

static bool is_control(uint8_t op)
{
	return op >= 0x8;
}

/* RFC 7692 7.2.2: append 00 00 ff ff and inflate with the direction's window. */
static bool inflate_message(struct wsdir *d, const uint8_t *in, size_t len)
{
	static const uint8_t tail[4] = {0x00, 0x00, 0xff, 0xff};
	if (!d->z_ready) {
		memset(&d->z, 0, sizeof d->z);
		if (inflateInit2(&d->z, -15) != Z_OK)
			return false;
		d->z_ready = true;
	}
	d->out.len = 0;
	const uint8_t *parts[2] = {in, tail};
	size_t lens[2] = {len, sizeof tail};
	bool ok = true;
	for (int i = 0; i < 2 && ok; i++) {
		d->z.next_in = (Bytef *)(uintptr_t)parts[i];
		d->z.avail_in = (uInt)lens[i];
		for (;;) {
			uint8_t chunk[4096];
			d->z.next_out = chunk;
			d->z.avail_out = sizeof chunk;
			int rc = inflate(&d->z, Z_SYNC_FLUSH);
			size_t got = sizeof chunk - d->z.avail_out;
			if (d->out.len + got > RTCLAB_WS_MAX_MESSAGE || !buf_append(&d->out, chunk, got)) {
				ok = false;
				break;
			}
			if (rc == Z_STREAM_END) { /* a final block: what follows starts a new stream */
				ok = d->z.avail_in == 0 || i == 1;
				inflateReset(&d->z);
				break;
			}
			if (rc != Z_OK && rc != Z_BUF_ERROR) {
				ok = false;
				break;
			}
			if (d->z.avail_in == 0 && d->z.avail_out != 0)
				break;
			if (rc == Z_BUF_ERROR && got == 0) {
				ok = d->z.avail_in == 0;
				break;
			}
		}
	}
	if (!ok || d->no_takeover)
		inflateReset(&d->z);
	return ok;
}

static void message_done(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	d->in_msg = false;
	if (d->msg_skip)
		return;
	struct rtclab_ws_event ev = {0};
	ev.kind = RTCLAB_WS_EV_MESSAGE;
	ev.opcode = (enum rtclab_ws_opcode)d->msg_opcode;
	ev.offset = d->msg_offset;
	ev.first_frame = d->msg_first_frame;
	ev.n_frames = d->n_frames;
	ev.compressed = d->msg_compressed;
	ev.payload.ptr = d->msg.p;
	ev.payload.len = d->msg.len;
	if (d->msg_compressed) {
		if (!inflate_message(d, d->msg.p, d->msg.len)) {
			problem(ws, dir, RTCLAB_WS_P_INFLATE, d->msg_offset, d->msg.len);
			d->msg.len = 0;
			return;
		}
		ev.payload.ptr = d->out.p;
		ev.payload.len = d->out.len;
	}
	if (ev.opcode == RTCLAB_WS_OP_TEXT && !rtclab_utf8_valid(ev.payload.ptr, ev.payload.len))
		problem(ws, dir, RTCLAB_WS_P_UTF8, d->msg_offset, 0);
	emit(ws, dir, &ev);
	d->msg.len = 0;
}

/* RFC 6455 7.4: codes an endpoint may put in a close frame. */
static bool close_code_sendable(uint16_t code)
{
	if (code >= 3000 && code <= 4999)
		return true;
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

static void control_done(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	struct rtclab_ws_event ev = {0};
	ev.kind = RTCLAB_WS_EV_CONTROL;
	ev.opcode = (enum rtclab_ws_opcode)d->opcode;
	ev.offset = d->frame_offset;
	ev.first_frame = d->frame_first;
	ev.n_frames = 1;
	ev.payload.ptr = d->ctl;
	ev.payload.len = d->ctl_len;
	if (d->opcode == RTCLAB_WS_OP_CLOSE) { /* RFC 6455 5.5.1 */
		d->close_seen = true;
		if (d->ctl_len == 1)
			problem(ws, dir, RTCLAB_WS_P_CLOSE_PAYLOAD, d->frame_offset, 1);
		if (d->ctl_len >= 2) {
			ev.has_close_code = true;
			ev.close_code = (uint16_t)(d->ctl[0] << 8 | d->ctl[1]);
			ev.close_reason = rtclab_str_make((const char *)d->ctl + 2, d->ctl_len - 2);
			if (!close_code_sendable(ev.close_code))
				problem(ws, dir, RTCLAB_WS_P_CLOSE_CODE, d->frame_offset, ev.close_code);
			if (!rtclab_utf8_valid(ev.close_reason.ptr, ev.close_reason.len))
				problem(ws, dir, RTCLAB_WS_P_UTF8, d->frame_offset, 0);
		}
	}
	emit(ws, dir, &ev);
}

static void frame_done(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	d->in_frame = false;
	if (d->discard)
		return;
	if (is_control(d->opcode)) {
		control_done(ws, dir);
		return;
	}
	d->n_frames++;
	if (d->fin)
		message_done(ws, dir);
}

/* What to do with a data frame's payload, decided from its header. */
static void start_data(struct rtclab_ws *ws, int dir, bool rsv1)
{
	struct wsdir *d = &ws->d[dir];
	if (d->opcode == RTCLAB_WS_OP_CONTINUATION) {
		if (!d->in_msg) {
			problem(ws, dir, RTCLAB_WS_P_CONTINUATION, d->frame_offset, 0);
			d->discard = true;
		}
	} else {
		if (d->in_msg)
			problem(ws, dir, RTCLAB_WS_P_INTERRUPTED, d->frame_offset, d->msg_offset);
		d->in_msg = true;
		d->msg_opcode = d->opcode;
		d->msg_compressed = rsv1 && ws->deflate;
		d->msg_skip = false;
		d->msg.len = 0;
		d->n_frames = 0;
		d->msg_offset = d->frame_offset;
		d->msg_first_frame = d->frame_first;
	}
	if (!d->discard && !d->msg_skip && d->msg.len + d->left > RTCLAB_WS_MAX_MESSAGE) {
		problem(ws, dir, RTCLAB_WS_P_MESSAGE_TOO_LARGE, d->frame_offset, d->msg.len + d->left);
		d->msg_skip = true;
	}
}

/* Check a frame header's bits against RFC 6455 5.2, 5.1 and 5.5. */
static void check_header(struct rtclab_ws *ws, int dir, uint8_t b0, uint64_t len_field, uint64_t len)
{
	struct wsdir *d = &ws->d[dir];
	uint8_t op = d->opcode;
	bool rsv1 = b0 & 0x40;
	bool rsv1_ok = ws->deflate && (op == RTCLAB_WS_OP_TEXT || op == RTCLAB_WS_OP_BINARY);
	if ((b0 & 0x30) || (rsv1 && !rsv1_ok))
		problem(ws, dir, RTCLAB_WS_P_RSV, d->frame_offset, (b0 >> 4) & 7);
	if (d->close_seen)
		problem(ws, dir, RTCLAB_WS_P_AFTER_CLOSE, d->frame_offset, op);
	if (ws->role_known && dir == ws->client && !d->masked)
		problem(ws, dir, RTCLAB_WS_P_UNMASKED, d->frame_offset, 0);
	if (ws->role_known && dir != ws->client && d->masked)
		problem(ws, dir, RTCLAB_WS_P_MASKED, d->frame_offset, 0);
	if ((len_field == 126 && len < 126) || (len_field == 127 && len <= 0xFFFF))
		problem(ws, dir, RTCLAB_WS_P_LENGTH, d->frame_offset, len);
	if ((op >= 3 && op <= 7) || op >= 0xB) {
		problem(ws, dir, RTCLAB_WS_P_OPCODE, d->frame_offset, op);
		d->discard = true;
		return;
	}
	if (is_control(op)) {
		if (!d->fin)
			problem(ws, dir, RTCLAB_WS_P_CONTROL_FRAGMENTED, d->frame_offset, op);
		if (len > 125) {
			problem(ws, dir, RTCLAB_WS_P_CONTROL_TOO_LONG, d->frame_offset, len);
			d->discard = true;
		}
		d->ctl_len = 0;
		return;
	}
	start_data(ws, dir, rsv1 && rsv1_ok);
}

/* A frame header, once all of it is here. */
static bool step_frame_header(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	struct rtclab_reader r;
	rtclab_reader_init(&r, d->in.p, d->in.len);
	uint8_t b0 = rtclab_read_u8(&r);
	uint8_t b1 = rtclab_read_u8(&r);
	uint64_t len_field = b1 & 0x7F, len = len_field;
	if (len_field == 126)
		len = rtclab_read_be16(&r);
	else if (len_field == 127)
		len = rtclab_read_be64(&r);
	bool masked = b1 & 0x80;
	if (masked)
		rtclab_read_copy(&r, d->key, 4);
	if (r.error)
		return false; /* wait for the rest of the header */
	d->frame_offset = d->in_off;
	d->frame_first = frame_at(d, d->in_off, ws->frame);
	consume(d, r.pos);
	if (len >> 63) { /* RFC 6455 5.2: the most significant bit must be 0 */
		problem(ws, dir, RTCLAB_WS_P_LENGTH, d->frame_offset, len);
		lose(ws, dir);
		return false;
	}
	d->in_frame = true;
	d->fin = b0 & 0x80;
	d->opcode = b0 & 0x0F;
	d->masked = masked;
	d->left = len;
	d->pos = 0;
	d->discard = false;
	check_header(ws, dir, b0, len_field, len);
	if (d->left == 0)
		frame_done(ws, dir);
	return true;
}

/* Payload bytes of the frame in progress, unmasked (RFC 6455 5.3). */
static bool step_payload(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	size_t n = d->in.len < d->left ? d->in.len : (size_t)d->left;
	if (n == 0)
		return false;
	uint8_t *p = d->in.p;
	if (d->masked)
		for (size_t i = 0; i < n; i++)
			p[i] ^= d->key[(d->pos + i) & 3];
	if (!d->discard) {
		if (is_control(d->opcode)) {
			memcpy(d->ctl + d->ctl_len, p, n); /* at most 125 bytes: checked in check_header */
			d->ctl_len += n;
		} else if (!d->msg_skip && !buf_append(&d->msg, p, n)) {
			d->msg_skip = true;
		}
	}
	consume(d, n);
	d->pos += n;
	d->left -= n;
	if (d->left == 0)
		frame_done(ws, dir);
	return true;
}

static void prune_marks(struct wsdir *d)
{
	size_t keep = 0;
	if (d->n_marks == 0)
		return;
	for (size_t i = 0; i < d->n_marks; i++)
		if (d->marks[i].offset <= d->in_off)
			keep = i;
	memmove(d->marks, d->marks + keep, (d->n_marks - keep) * sizeof *d->marks);
	d->n_marks -= keep;
}

static void process(struct rtclab_ws *ws, int dir)
{
	struct wsdir *d = &ws->d[dir];
	bool more = true;
	while (more && d->in.len > 0) {
		switch (d->mode) {
		case M_HTTP:
			more = step_http(ws, dir);
			break;
		case M_BODY:
			more = step_body(ws, dir);
			break;
		case M_BODY_TO_END:
			step_body_to_end(ws, dir);
			more = false;
			break;
		case M_FRAMES:
			more = d->in_frame ? step_payload(ws, dir) : step_frame_header(ws, dir);
			break;
		case M_AWAIT_101:
			/* No answer yet: hold the client's bytes, up to a limit past which
			 * the upgrade is taken as accepted. */
			more = d->in.len > RTCLAB_WS_MAX_MESSAGE;
			if (more) {
				ws->websocket = true;
				d->mode = M_FRAMES;
			}
			break;
		case M_LOST:
			lose(ws, dir);
			more = false;
			break;
		}
	}
	prune_marks(d);
}

/* --- the API ----------------------------------------------------------------------- */

void rtclab_ws_feed(struct rtclab_ws *ws, int dir, const uint8_t *data, size_t len, uint64_t frame)
{
	if (!ws || (dir != 0 && dir != 1) || len == 0)
		return;
	struct wsdir *d = &ws->d[dir];
	ws->frame = frame;
	if (d->mode == M_LOST) {
		d->in_off += len;
		return;
	}
	if (d->n_marks == d->cap_marks) {
		size_t cap = d->cap_marks ? d->cap_marks * 2 : 8;
		struct mark *m = realloc(d->marks, cap * sizeof *m);
		if (!m) {
			lose(ws, dir);
			return;
		}
		d->marks = m;
		d->cap_marks = cap;
	}
	d->marks[d->n_marks].offset = d->in_off + d->in.len;
	d->marks[d->n_marks].frame = frame;
	d->n_marks++;
	if (!buf_append(&d->in, data, len)) {
		lose(ws, dir);
		return;
	}
	process(ws, dir);
}

void rtclab_ws_gap(struct rtclab_ws *ws, int dir, uint64_t len, uint64_t frame)
{
	if (!ws || (dir != 0 && dir != 1))
		return;
	struct wsdir *d = &ws->d[dir];
	ws->frame = frame;
	if (d->mode != M_LOST)
		problem(ws, dir, RTCLAB_WS_P_GAP, d->in_off + d->in.len, len);
	lose(ws, dir);
	d->in_off += len;
}

void rtclab_ws_end(struct rtclab_ws *ws, uint64_t frame)
{
	if (!ws)
		return;
	ws->frame = frame;
	for (int dir = 0; dir < 2; dir++) {
		struct wsdir *d = &ws->d[dir];
		if (d->mode == M_BODY_TO_END) {
			if (d->body_skip)
				d->msg.len = 0;
			emit_http(ws, dir);
			d->mode = M_HTTP;
		} else if (d->mode == M_BODY || d->in_frame || d->in_msg ||
			   (d->in.len && d->mode != M_LOST && d->mode != M_AWAIT_101)) {
			uint64_t at = d->in_frame ? d->frame_offset
				      : d->in_msg ? d->msg_offset
				      : d->mode == M_BODY ? d->msg_offset
							  : d->in_off;
			problem(ws, dir, RTCLAB_WS_P_TRUNCATED, at, d->in.len);
		}
		lose(ws, dir);
	}
}

struct rtclab_ws *rtclab_ws_new(rtclab_ws_callback cb, void *arg)
{
	struct rtclab_ws *ws = calloc(1, sizeof *ws);
	if (!ws)
		return NULL;
	ws->cb = cb;
	ws->arg = arg;
	return ws;
}

void rtclab_ws_free(struct rtclab_ws *ws)
{
	if (!ws)
		return;
	for (int k = 0; k < 2; k++) {
		struct wsdir *d = &ws->d[k];
		buf_free(&d->in);
		buf_free(&d->head);
		buf_free(&d->msg);
		buf_free(&d->out);
		free(d->marks);
		if (d->z_ready)
			inflateEnd(&d->z);
	}
	free(ws);
}

bool rtclab_ws_is_websocket(const struct rtclab_ws *ws)
{
	return ws && ws->websocket;
}

const char *rtclab_ws_opcode_name(int opcode)
{
	switch (opcode) {
	case RTCLAB_WS_OP_CONTINUATION:
		return "continuation";
	case RTCLAB_WS_OP_TEXT:
		return "text";
	case RTCLAB_WS_OP_BINARY:
		return "binary";
	case RTCLAB_WS_OP_CLOSE:
		return "close";
	case RTCLAB_WS_OP_PING:
		return "ping";
	case RTCLAB_WS_OP_PONG:
		return "pong";
	default:
		return "reserved";
	}
}

static const struct {
	const char *id, *text;
} problem_texts[] = {
	[RTCLAB_WS_P_NONE] = {"none", "no problem"},
	[RTCLAB_WS_P_HTTP_SYNTAX] = {"http-syntax", "an HTTP start line or header line that does not parse"},
	[RTCLAB_WS_P_HEADER_TOO_LARGE] = {"header-too-large", "an HTTP header block too long or with too many lines"},
	[RTCLAB_WS_P_CHUNKED] = {"chunked", "a chunked HTTP body, which rtclab does not decode"},
	[RTCLAB_WS_P_BODY_TOO_LARGE] = {"body-too-large", "an HTTP body larger than rtclab keeps: skipped"},
	[RTCLAB_WS_P_HANDSHAKE] = {"handshake",
				   "an Upgrade request that is not a GET with a 24-character Sec-WebSocket-Key and "
				   "Sec-WebSocket-Version 13 (RFC 6455 4.1)"},
	[RTCLAB_WS_P_ACCEPT] = {"accept",
				"Sec-WebSocket-Accept is not base64(SHA-1(key + GUID)) of the request's key (RFC 6455 4.2.2)"},
	[RTCLAB_WS_P_NO_HANDSHAKE] = {"no-handshake",
				      "WebSocket frames without the handshake before them: the capture started late"},
	[RTCLAB_WS_P_RSV] = {"rsv", "a reserved bit set that no negotiated extension defines (RFC 6455 5.2)"},
	[RTCLAB_WS_P_OPCODE] = {"opcode", "a reserved opcode (RFC 6455 5.2): the frame is skipped"},
	[RTCLAB_WS_P_CONTROL_FRAGMENTED] = {"control-fragmented", "a control frame without FIN (RFC 6455 5.5)"},
	[RTCLAB_WS_P_CONTROL_TOO_LONG] = {"control-too-long", "a control frame payload over 125 bytes (RFC 6455 5.5)"},
	[RTCLAB_WS_P_UNMASKED] = {"unmasked", "a frame from the client that is not masked (RFC 6455 5.1)"},
	[RTCLAB_WS_P_MASKED] = {"masked", "a frame from the server that is masked (RFC 6455 5.1)"},
	[RTCLAB_WS_P_LENGTH] = {"length",
				"a payload length not in its shortest form, or with its top bit set (RFC 6455 5.2)"},
	[RTCLAB_WS_P_CONTINUATION] = {"continuation", "a continuation frame with no message to continue (RFC 6455 5.4)"},
	[RTCLAB_WS_P_INTERRUPTED] = {"interrupted",
				     "a new message before the fragmented one ended (RFC 6455 5.4): the old one is dropped"},
	[RTCLAB_WS_P_MESSAGE_TOO_LARGE] = {"message-too-large", "a message larger than rtclab keeps: skipped"},
	[RTCLAB_WS_P_UTF8] = {"utf8", "text that is not valid UTF-8 (RFC 6455 5.6, 8.1)"},
	[RTCLAB_WS_P_CLOSE_PAYLOAD] = {"close-payload", "a close frame with a 1-byte payload (RFC 6455 5.5.1)"},
	[RTCLAB_WS_P_CLOSE_CODE] = {"close-code", "a close code that may not be sent (RFC 6455 7.4)"},
	[RTCLAB_WS_P_AFTER_CLOSE] = {"after-close", "a frame after this side's close frame (RFC 6455 5.5.1)"},
	[RTCLAB_WS_P_INFLATE] = {"inflate", "a compressed message that does not inflate (RFC 7692 7.2.2)"},
	[RTCLAB_WS_P_GAP] = {"gap", "bytes missing from the capture: the rest of this direction is not decoded"},
	[RTCLAB_WS_P_TRUNCATED] = {"truncated", "the connection ended inside a frame, a message or an HTTP message"},
	[RTCLAB_WS_P_NOT_HTTP] = {"not-http", "bytes that are neither HTTP nor WebSocket"},
};

const char *rtclab_ws_problem_id(enum rtclab_ws_problem p)
{
	size_t i = (size_t)p;
	return i < sizeof problem_texts / sizeof problem_texts[0] ? problem_texts[i].id : "unknown";
}

const char *rtclab_ws_problem_str(enum rtclab_ws_problem p)
{
	size_t i = (size_t)p;
	return i < sizeof problem_texts / sizeof problem_texts[0] ? problem_texts[i].text : "unknown problem";
}

const char *rtclab_ws_close_code_name(uint16_t code)
{
	switch (code) { /* RFC 6455 7.4.1 and the IANA WebSocket Close Code Number Registry */
	case 1000:
		return "normal closure";
	case 1001:
		return "going away";
	case 1002:
		return "protocol error";
	case 1003:
		return "unsupported data";
	case 1005:
		return "no status received (never sent)";
	case 1006:
		return "abnormal closure (never sent)";
	case 1007:
		return "invalid frame payload data";
	case 1008:
		return "policy violation";
	case 1009:
		return "message too big";
	case 1010:
		return "mandatory extension";
	case 1011:
		return "internal error";
	case 1012:
		return "service restart";
	case 1013:
		return "try again later";
	case 1014:
		return "bad gateway";
	case 1015:
		return "TLS handshake failure (never sent)";
	default:
		return NULL;
	}
}
