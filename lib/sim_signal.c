/* The signaling of a simulated session: each peer opens a WebSocket (RFC
 * 6455) to the signaling server over simulated TCP, and the server passes
 * every text message on to the peer's partner.  The bytes are real HTTP and
 * WebSocket frames (client frames masked), so the frames of the run decode
 * with lib/websocket.c and lib/signal.c like those of a real capture. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" /* RFC 6455 1.3 */

/* memmem, which C11 and POSIX do not have. */
static const uint8_t *find(const uint8_t *hay, size_t n, const char *needle, size_t k)
{
	for (size_t i = 0; k <= n && i <= n - k; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return hay + i;
	return NULL;
}

static void base64(const uint8_t *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* Sec-WebSocket-Accept for a key (RFC 6455 4.2.2). */
static void ws_accept(const char *key, size_t key_len, char out[32])
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	char buf[128];
	int n = snprintf(buf, sizeof buf, "%.*s%s", (int)(key_len < 64 ? key_len : 64), key, WS_GUID);
	EVP_Digest(buf, (size_t)n, digest, &dlen, EVP_sha1(), NULL);
	base64(digest, dlen, out);
}

/* One frame: FIN, the opcode, the length (7, 16 or 64 bits), the mask key
 * and masked payload when masked (a client's frames, RFC 6455 5.3). */
static size_t ws_frame(uint8_t *out, uint8_t opcode, const void *payload, size_t len, const uint8_t *mask)
{
	size_t n = 0;
	out[n++] = (uint8_t)(0x80 | opcode);
	uint8_t m = mask ? 0x80 : 0;
	if (len < 126) {
		out[n++] = (uint8_t)(m | len);
	} else if (len < 65536) {
		out[n++] = (uint8_t)(m | 126);
		out[n++] = (uint8_t)(len >> 8);
		out[n++] = (uint8_t)len;
	} else {
		out[n++] = (uint8_t)(m | 127);
		for (int i = 7; i >= 0; i--)
			out[n++] = (uint8_t)((uint64_t)len >> (8 * i));
	}
	const uint8_t *p = payload;
	if (mask) {
		memcpy(out + n, mask, 4);
		n += 4;
		for (size_t i = 0; i < len; i++)
			out[n + i] = p[i] ^ mask[i % 4];
	} else {
		memcpy(out + n, p, len);
	}
	return n + len;
}

/* The next whole frame in a buffer: its opcode, payload (unmasked in
 * place) and size; 0 when incomplete, SIZE_MAX when it cannot be a frame. */
static size_t ws_parse(uint8_t *b, size_t n, uint8_t *opcode, uint8_t **payload, size_t *len)
{
	if (n < 2)
		return 0;
	*opcode = b[0] & 0x0F;
	bool masked = b[1] & 0x80;
	uint64_t l = b[1] & 0x7F;
	size_t h = 2;
	if (l == 126) {
		if (n < 4)
			return 0;
		l = (uint64_t)b[2] << 8 | b[3];
		h = 4;
	} else if (l == 127) {
		if (n < 10)
			return 0;
		l = 0;
		for (int i = 0; i < 8; i++)
			l = l << 8 | b[2 + i];
		h = 10;
	}
	if (l > SIM_WS_MAX)
		return SIZE_MAX;
	size_t need = h + (masked ? 4 : 0) + (size_t)l;
	if (n < need)
		return 0;
	uint8_t *p = b + h + (masked ? 4 : 0);
	if (masked)
		for (size_t i = 0; i < l; i++)
			p[i] ^= b[h + i % 4];
	*payload = p;
	*len = (size_t)l;
	return need;
}

/* --- the peer's side ------------------------------------------------------------------ */

void sim_ws_connect(struct sim_peer *p, rtclab_time_ns now)
{
	(void)now;
	uint8_t raw[16];
	for (size_t i = 0; i < sizeof raw; i++)
		raw[i] = (uint8_t)rtclab_rng_next(&p->rng);
	base64(raw, sizeof raw, p->ws_key);
	const struct rtclab_scn_server *sig = &p->sim->sc->servers[p->sim->sc->signaling];
	char host[RTCLAB_ADDR_STRLEN], req[512];
	int n = snprintf(req, sizeof req,
			 "GET /signal?peer=%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			 "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
			 p->name, rtclab_addr_format(&sig->addr, host, sizeof host), p->ws_key);
	p->ws = SIM_WS_CONNECTING;
	sim_peer_send_tcp(p, req, (size_t)n);
}

void sim_ws_send_text(struct sim_peer *p, const char *text, size_t len)
{
	if (p->ws != SIM_WS_OPEN)
		return;
	uint8_t *frame = malloc(len + 14);
	if (!frame)
		return;
	uint8_t mask[4];
	for (int i = 0; i < 4; i++)
		mask[i] = (uint8_t)rtclab_rng_next(&p->rng);
	size_t n = ws_frame(frame, 0x1, text, len, mask);
	sim_peer_send_tcp(p, frame, n);
	free(frame);
}

void sim_ws_client_data(struct sim_peer *p, rtclab_time_ns now, const uint8_t *data, size_t len)
{
	sim_buf_add(&p->in, data, len);
	if (p->ws == SIM_WS_CONNECTING) {
		const uint8_t *end = find(p->in.p, p->in.len, "\r\n\r\n", 4);
		if (!end)
			return;
		bool ok = p->in.len > 12 && memcmp(p->in.p, "HTTP/1.1 101", 12) == 0;
		sim_buf_consume(&p->in, (size_t)(end + 4 - p->in.p));
		if (!ok) {
			p->ws = SIM_WS_CLOSED;
			return;
		}
		p->ws = SIM_WS_OPEN;
		sim_peer_ws_open(p, now);
	}
	for (;;) {
		uint8_t opcode, *payload;
		size_t plen, used = ws_parse(p->in.p, p->in.len, &opcode, &payload, &plen);
		if (used == 0)
			return;
		if (used == SIZE_MAX) {
			p->in.len = 0;
			return;
		}
		if (opcode == 0x1)
			sim_peer_message(p, now, (const char *)payload, plen);
		sim_buf_consume(&p->in, used);
	}
}

/* --- the server's side -------------------------------------------------------------- */

static struct sim_conn *conn_of(struct sim_server *s, const struct rtclab_addr *client)
{
	for (size_t i = 0; i < s->n_conns; i++)
		if (rtclab_addr_equal(&s->conns[i].client, client))
			return &s->conns[i];
	if (s->n_conns == s->cap_conns) {
		size_t cap = s->cap_conns ? s->cap_conns * 2 : 8;
		struct sim_conn *c = realloc(s->conns, cap * sizeof *c);
		if (!c)
			return NULL;
		s->conns = c;
		s->cap_conns = cap;
	}
	struct sim_conn *c = &s->conns[s->n_conns++];
	memset(c, 0, sizeof *c);
	c->client = *client;
	c->peer = SIZE_MAX;
	return c;
}

/* The peer named in "GET /signal?peer=NAME". */
static size_t peer_named(struct sim_server *s, const struct rtclab_sim *sim, const uint8_t *req, size_t n)
{
	(void)s;
	const uint8_t *q = find(req, n, "peer=", 5);
	if (!q)
		return SIZE_MAX;
	q += 5;
	size_t len = 0;
	while (q + len < req + n && q[len] != ' ' && q[len] != '&' && q[len] != '\r')
		len++;
	for (size_t i = 0; i < sim->n_entries; i++)
		if (strlen(sim->peers[i].name) == len && memcmp(sim->peers[i].name, q, len) == 0)
			return i;
	return SIZE_MAX;
}

static void release_held(struct sim_server *s, struct sim_conn *c);

static void upgrade(struct sim_server *s, struct sim_conn *c, const struct rtclab_sim *sim)
{
	const uint8_t *end = find(c->in.p, c->in.len, "\r\n\r\n", 4);
	if (!end)
		return;
	size_t n = (size_t)(end + 4 - c->in.p);
	const uint8_t *k = find(c->in.p, n, "Sec-WebSocket-Key: ", 19);
	char accept[32] = "", resp[256];
	if (k) {
		k += 19;
		size_t kl = 0;
		while (k + kl < end && k[kl] != '\r')
			kl++;
		ws_accept((const char *)k, kl, accept);
	}
	c->peer = peer_named(s, sim, c->in.p, n);
	for (size_t i = 0; i < s->n_conns; i++) /* a peer that connects again: its old connection is done */
		if (&s->conns[i] != c && s->conns[i].peer == c->peer)
			s->conns[i].peer = SIZE_MAX;
	int rn = snprintf(resp, sizeof resp,
			  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			  "Sec-WebSocket-Accept: %s\r\n\r\n",
			  accept);
	sim_buf_consume(&c->in, n);
	c->upgraded = true;
	sim_server_send_tcp(s, &c->client, resp, (size_t)rn);
	release_held(s, c);
}

static void send_frame(struct sim_server *s, struct sim_conn *c, const uint8_t *text, size_t len)
{
	uint8_t *frame = malloc(len + 10);
	if (!frame)
		return;
	size_t n = ws_frame(frame, 0x1, text, len, NULL);
	sim_server_send_tcp(s, &c->client, frame, n);
	free(frame);
}

/* Pass a text message on to the partner of the peer that sent it (an
 * unmasked server frame). */
static void forward(struct sim_server *s, const struct rtclab_sim *sim, size_t from, const uint8_t *text, size_t len)
{
	if (from >= sim->n_entries)
		return;
	size_t to = sim->peers[from].partner;
	for (size_t i = 0; i < s->n_conns; i++) {
		struct sim_conn *c = &s->conns[i];
		if (c->upgraded && c->peer == to) {
			send_frame(s, c, text, len);
			return;
		}
	}
	/* the partner has not connected yet: kept, in order, until it does */
	if (s->n_held == s->cap_held) {
		size_t cap = s->cap_held ? s->cap_held * 2 : 16;
		struct sim_held *h = realloc(s->held, cap * sizeof *h);
		if (!h)
			return;
		s->held = h;
		s->cap_held = cap;
	}
	struct sim_held *h = &s->held[s->n_held];
	if (!(h->text = malloc(len ? len : 1)))
		return;
	memcpy(h->text, text, len);
	h->len = len;
	h->to = to;
	s->n_held++;
}

/* The messages kept for the peer that just connected, in their order. */
static void release_held(struct sim_server *s, struct sim_conn *c)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n_held; i++) {
		if (s->held[i].to == c->peer) {
			send_frame(s, c, s->held[i].text, s->held[i].len);
			free(s->held[i].text);
		} else {
			s->held[k++] = s->held[i];
		}
	}
	s->n_held = k;
}

void sim_signal_server_data(struct sim_server *s, rtclab_time_ns now, const struct rtclab_addr *from,
			    const uint8_t *data, size_t len)
{
	(void)now;
	struct sim_conn *c = conn_of(s, from);
	if (!c)
		return;
	sim_buf_add(&c->in, data, len);
	if (!c->upgraded)
		upgrade(s, c, s->sim);
	while (c->upgraded) {
		uint8_t opcode, *payload;
		size_t plen, used = ws_parse(c->in.p, c->in.len, &opcode, &payload, &plen);
		if (used == 0)
			return;
		if (used == SIZE_MAX) {
			c->in.len = 0;
			return;
		}
		if (opcode == 0x1)
			forward(s, s->sim, c->peer, payload, plen);
		sim_buf_consume(&c->in, used);
	}
}
